//! A set of states with a starting point: the machine itself, a Parallel branch or a Map
//! item processor.

use baton_json::{Str, Value};
use indexmap::IndexMap;

use super::fields::Fields;
use super::query_language::{self, QueryLanguage};
use super::state::{self, State};
use crate::diagnostic::{Code, Diagnostics, Pointer};

/// States by name, in definition order.
pub type States = IndexMap<Str, State>;

/// `StartAt` and `States`: a machine, a Parallel branch or a Map item processor.
#[derive(Debug, Clone)]
pub struct Branch {
    /// The first state.
    pub start_at: Str,
    /// Every state of this branch (not those nested in its Parallel/Map states).
    pub states: States,
    /// The branch's default query language.
    pub query_language: QueryLanguage,
    /// Where the branch is in the definition (`""` for the machine, `/States/P/Branches/0`).
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
}

/// Parses a nested branch object (`Branches[i]`, `ItemProcessor`, `Iterator`), reporting
/// the fields that only the caller knows about (e.g. `ProcessorConfig`) as taken by `extra`.
pub(super) fn parse_branch(
    value: &Value,
    at: &Pointer,
    outer: QueryLanguage,
    extra: &[&str],
    d: &mut Diagnostics,
) -> Option<Branch> {
    let mut f = Fields::of(value, at, d)?;
    for name in extra {
        f.take(name);
    }
    f.string("Comment", d);
    let ql = query_language::parse_field(&mut f, outer, d).unwrap_or(outer);
    let branch = parse_branch_fields(&mut f, ql, d);
    f.finish(d);
    branch
}

/// Reads `StartAt` and `States` from an object being parsed.
pub(super) fn parse_branch_fields(
    f: &mut Fields<'_>,
    query_language: QueryLanguage,
    d: &mut Diagnostics,
) -> Option<Branch> {
    f.require(&["StartAt", "States"], d);
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
            if let Some(s) = state::parse_state(name, value, &at, query_language, d) {
                states.insert(name.clone(), s);
            }
        }
    }
    let start_at = start_at?;
    if states_value.is_some()
        && !states.contains_key(start_at)
        && states_value.and_then(|v| v.get(start_at)).is_none()
    {
        d.error(
            Code::MissingTransitionTarget,
            &f.at_field("StartAt"),
            format!("Missing 'Next' target: {start_at}"),
        );
    }
    Some(Branch {
        start_at: Str::from(start_at),
        states,
        query_language,
        location: f.at().clone(),
    })
}

fn check_state_name(name: &str, at: &Pointer, d: &mut Diagnostics) {
    if name.is_empty() || name.chars().count() > 80 {
        d.schema(at, "State names must be between 1 and 80 characters long");
    }
}
