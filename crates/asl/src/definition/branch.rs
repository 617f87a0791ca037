//! A set of states with a starting point: the machine itself, a Parallel branch or a Map
//! item processor.

use baton_json::{Str, Value};
use indexmap::IndexMap;

use super::fields::Fields;
use super::query_language::QueryLanguage;
use super::state::{self, State};
use crate::diagnostic::{Code, Diagnostics, Pointer};

/// States by name, in definition order.
pub type States = IndexMap<Str, State>;

/// The longest state name AWS accepts, in characters.
pub const MAX_STATE_NAME: usize = 80;

/// `StartAt` and `States`: a machine, a Parallel branch or a Map item processor.
#[derive(Debug, Clone)]
pub struct Branch {
    /// The first state.
    pub start_at: Str,
    /// Every state of this branch (not those nested in its Parallel/Map states).
    pub states: States,
    /// The machine's query language, which the branch's states inherit.
    pub query_language: QueryLanguage,
    /// Where the branch is in the definition (the root for the machine,
    /// `/States/P/Branches[0]` for a branch).
    pub location: Pointer,
}

impl Branch {
    /// The state named `name`.
    #[inline]
    pub fn state(&self, name: &str) -> Option<&State> {
        self.states.get(name)
    }

    /// The first state. Validation guarantees that it exists.
    pub fn start(&self) -> Option<&State> {
        self.states.get(&*self.start_at)
    }

    /// An empty branch at `location`, standing in for one too broken to parse.
    pub(super) fn empty(location: Pointer, query_language: QueryLanguage) -> Branch {
        Branch {
            start_at: Str::from(""),
            states: States::new(),
            query_language,
            location,
        }
    }
}

/// Parses a nested branch object (`Branches[i]`, `ItemProcessor`, `Iterator`); `extra`
/// names the fields only the caller knows about (e.g. `ProcessorConfig`), which it reads
/// itself. A branch may not declare `QueryLanguage`.
pub(super) fn parse_branch(
    value: &Value,
    at: &Pointer,
    machine_ql: QueryLanguage,
    extra: &[&str],
    d: &mut Diagnostics,
) -> Option<Branch> {
    let mut f = Fields::of(value, at, d)?;
    for name in extra {
        f.take(name);
    }
    f.string("Comment", d);
    let branch = parse_branch_fields(&mut f, machine_ql, d);
    f.finish(d);
    branch
}

/// Reads `StartAt` and `States` from an object being parsed.
pub(super) fn parse_branch_fields(
    f: &mut Fields<'_>,
    machine_ql: QueryLanguage,
    d: &mut Diagnostics,
) -> Option<Branch> {
    // Recorded on AWS: `These fields are required: [States, StartAt] at /`.
    f.require(&["States", "StartAt"], d);
    let start_at = f.string("StartAt", d);
    let states_at = f.at_field("States");
    let states_value = f.object("States", d);
    let mut states = States::new();
    if let Some(Value::Object(map)) = states_value {
        if map.is_empty() {
            d.schema(&states_at, "Value cannot be empty");
        }
        for (name, value) in map.iter() {
            let at = states_at.child(name);
            check_state_name(name, &at, d);
            if let Some(s) = state::parse_state(name, value, &at, machine_ql, d) {
                states.insert(name.clone(), s);
            }
        }
    }
    Some(Branch {
        start_at: Str::from(start_at.unwrap_or_default()),
        states,
        query_language: machine_ql,
        location: f.at().clone(),
    })
}

fn check_state_name(name: &str, at: &Pointer, d: &mut Diagnostics) {
    let len = name.chars().count();
    if len == 0 || len > MAX_STATE_NAME {
        // Not verified against AWS: the code is AWS's, the wording ours.
        d.error(
            Code::InvalidStateName,
            at,
            format!("State name must be between 1 and {MAX_STATE_NAME} characters long"),
        );
    }
}
