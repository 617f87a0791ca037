//! One state of a machine: what all states share, and the per-type parts in one file per
//! state type.

mod choice;
mod fail;
mod map;
mod map_reader;
mod parallel;
mod pass;
mod succeed;
mod task;
mod wait;

pub use choice::{Choice, ChoiceRule, RuleCondition};
pub use fail::{ErrorText, Fail};
pub use map::{
    ItemBatcher, ItemReader, MAX_LABEL, Map, MapCount, ProcessorMode, ReaderConfig, ResultWriter,
    Tolerance,
};
pub use parallel::Parallel;
pub use pass::Pass;
pub use succeed::Succeed;
pub use task::{Seconds, Task};
pub use wait::{MAX_WAIT_SECONDS, Wait, WaitFor};

use crate::jsonata::JsonataTemplate;
use baton_json::{Str, Value};

use super::dynamic::Dynamic;
use super::fields::{Fields, wrong_type};
use super::payload::Payload;
use super::query_language::{self, QueryLanguage};
use crate::diagnostic::{Diagnostics, Pointer};
use crate::path::Path;

/// A state: its name, type-specific part and the fields every state may have.
#[derive(Debug, Clone)]
pub struct State {
    /// The state's name (its key in `States`).
    pub name: Str,
    /// `Comment`.
    pub comment: Option<String>,
    /// The state's query language (its own `QueryLanguage`, or the enclosing one).
    pub query_language: QueryLanguage,
    /// Where the state goes next.
    pub transition: Transition,
    /// `InputPath` (JSONPath states).
    pub input_path: IoPath,
    /// `OutputPath` (JSONPath states).
    pub output_path: IoPath,
    /// `Output` (JSONata states): a JSONata template for the state's output.
    pub output: Option<JsonataTemplate>,
    /// `Assign`: variables set after the state's output is computed.
    pub assign: Option<Payload>,
    /// The type-specific part.
    pub kind: StateKind,
    /// Where the state is in the definition (`/States/Name`).
    pub location: Pointer,
}

/// The type-specific part of a state.
#[derive(Debug, Clone)]
pub enum StateKind {
    /// `Pass`
    Pass(Pass),
    /// `Task`
    Task(Box<Task>),
    /// `Choice`
    Choice(Choice),
    /// `Wait`
    Wait(Wait),
    /// `Succeed`
    Succeed(Succeed),
    /// `Fail`
    Fail(Fail),
    /// `Parallel`
    Parallel(Box<Parallel>),
    /// `Map`
    Map(Box<Map>),
}

impl StateKind {
    /// The `Type` as written in ASL: `Pass`, `Task`, ...
    pub fn type_name(&self) -> &'static str {
        match self {
            StateKind::Pass(_) => "Pass",
            StateKind::Task(_) => "Task",
            StateKind::Choice(_) => "Choice",
            StateKind::Wait(_) => "Wait",
            StateKind::Succeed(_) => "Succeed",
            StateKind::Fail(_) => "Fail",
            StateKind::Parallel(_) => "Parallel",
            StateKind::Map(_) => "Map",
        }
    }
}

/// Where a state goes when it completes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    /// `Next`: the named state.
    Next(Str),
    /// `End: true`, or a terminal state type (Succeed, Fail).
    End,
    /// Decided by the state itself (Choice).
    Choice,
}

/// `InputPath` or `OutputPath`.
#[derive(Debug, Clone, Default)]
pub enum IoPath {
    /// Absent, or `$`: the whole value.
    #[default]
    Whole,
    /// `null`: an empty object.
    Null,
    /// A path selecting part of the value.
    Path(Path),
}

/// `ResultPath`: where a state's result goes in its input.
#[derive(Debug, Clone, Default)]
pub enum ResultPath {
    /// Absent, or `$`: the result replaces the input.
    #[default]
    Replace,
    /// `null`: the result is discarded; the output is the input.
    Discard,
    /// A reference path: the result is placed there in the input.
    Path(Path),
}

/// The state `Type` values.
pub const STATE_TYPES: [&str; 8] = [
    "Task", "Wait", "Pass", "Succeed", "Fail", "Choice", "Parallel", "Map",
];

pub(super) fn parse_state(
    name: &Str,
    value: &Value,
    at: &Pointer,
    machine_ql: QueryLanguage,
    d: &mut Diagnostics,
) -> Option<State> {
    let mut f = Fields::of(value, at, d)?;
    if !f.require(&["Type"], d) {
        f.take_rest();
        return None;
    }
    let type_name = match f.take("Type") {
        Some(Value::String(s)) if STATE_TYPES.contains(&&**s) => &**s,
        Some(Value::String(_)) => {
            // Recorded on AWS.
            d.schema(
                &f.at_field("Type"),
                "The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]",
            );
            f.take_rest();
            return None;
        }
        Some(other) => {
            wrong_type(&f.at_field("Type"), "string", other, d);
            f.take_rest();
            return None;
        }
        None => return None,
    };
    let comment = f.string("Comment", d).map(str::to_owned);
    let ql = query_language::parse_field(&mut f, Some(machine_ql), d).unwrap_or(machine_ql);
    let mut cx = StateParser {
        f,
        ql,
        machine_ql,
        d,
    };
    let kind = match type_name {
        "Pass" => StateKind::Pass(pass::parse(&mut cx)),
        "Task" => StateKind::Task(Box::new(task::parse(&mut cx))),
        "Choice" => StateKind::Choice(choice::parse(&mut cx)),
        "Wait" => StateKind::Wait(wait::parse(&mut cx)),
        "Succeed" => StateKind::Succeed(succeed::parse(&mut cx)),
        "Fail" => StateKind::Fail(fail::parse(&mut cx)),
        "Parallel" => StateKind::Parallel(Box::new(parallel::parse(&mut cx))),
        _ => StateKind::Map(Box::new(map::parse(&mut cx))),
    };
    let transition = match &kind {
        StateKind::Choice(_) => Transition::Choice,
        StateKind::Succeed(_) | StateKind::Fail(_) => Transition::End,
        _ => cx.transition(),
    };
    let has_io = !matches!(kind, StateKind::Fail(_));
    let (input_path, output_path, output) = if has_io {
        cx.io_fields()
    } else {
        Default::default()
    };
    let assign = if matches!(kind, StateKind::Succeed(_) | StateKind::Fail(_)) {
        None
    } else {
        cx.payload("Assign")
    };
    let StateParser { f, d, .. } = cx;
    f.finish(d);
    Some(State {
        name: name.clone(),
        comment,
        query_language: ql,
        transition,
        input_path,
        output_path,
        output,
        assign,
        kind,
        location: at.clone(),
    })
}

/// The parsing context of one state: its fields, query language and diagnostics.
pub(super) struct StateParser<'a, 'd> {
    pub(super) f: Fields<'a>,
    /// The state's own query language.
    pub(super) ql: QueryLanguage,
    /// The machine's query language, which nested branches inherit.
    pub(super) machine_ql: QueryLanguage,
    pub(super) d: &'d mut Diagnostics,
}

impl<'a> StateParser<'a, '_> {
    fn jsonpath(&self) -> bool {
        self.ql == QueryLanguage::JsonPath
    }

    /// Takes a field that exists only in JSONPath states; in a JSONata state it is an error.
    pub(super) fn jsonpath_only(&mut self, name: &str) -> Option<&'a Value> {
        let v = self.f.take(name)?;
        if self.jsonpath() {
            Some(v)
        } else {
            query_language::wrong_language(name, self.ql, self.f.at(), self.d);
            None
        }
    }

    /// Takes a field that exists only in JSONata states; in a JSONPath state it is an error.
    pub(super) fn jsonata_only(&mut self, name: &str) -> Option<&'a Value> {
        let v = self.f.take(name)?;
        if !self.jsonpath() {
            Some(v)
        } else {
            query_language::wrong_language(name, self.ql, self.f.at(), self.d);
            None
        }
    }

    /// Takes a template field (`Parameters`, `ItemSelector`, `Assign`, ...).
    pub(super) fn payload(&mut self, name: &str) -> Option<Payload> {
        let v = self.f.take(name)?;
        let at = self.f.at_field(name);
        Some(Payload::compile(v, self.ql, &at, self.d))
    }

    /// Takes a JSONPath-only template field (`Parameters`, `ResultSelector`).
    pub(super) fn jsonpath_payload(&mut self, name: &str) -> Option<Payload> {
        let v = self.jsonpath_only(name)?;
        let at = self.f.at_field(name);
        Some(Payload::compile(v, self.ql, &at, self.d))
    }

    /// Takes a JSONata-only template field (`Arguments`, `Items`).
    pub(super) fn jsonata_payload(&mut self, name: &str) -> Option<Payload> {
        let v = self.jsonata_only(name)?;
        let at = self.f.at_field(name);
        Some(Payload::compile(v, self.ql, &at, self.d))
    }

    /// Takes `Parameters` in a JSONPath state or `Arguments` in a JSONata state; the
    /// other one is reported.
    pub(super) fn parameters(&mut self) -> Option<Payload> {
        let parameters = self.jsonpath_payload("Parameters");
        let arguments = self.jsonata_payload("Arguments");
        parameters.or(arguments)
    }

    /// Takes a path-valued field (`InputPath`, `ItemsPath`, ...) in a JSONPath state:
    /// `Some(None)` for `null`, `None` when absent or invalid.
    pub(super) fn path_field(&mut self, name: &str, reference: bool) -> Option<Option<Path>> {
        let value = self.jsonpath_only(name)?;
        let at = self.f.at_field(name);
        match value {
            Value::Null => Some(None),
            Value::String(s) => {
                let p = if reference {
                    Dynamic::parse_reference_path(s, name, &at, self.d)
                } else {
                    Dynamic::parse_path(s, name, &at, self.d)
                };
                p.map(Some)
            }
            other => {
                wrong_type(&at, "string", other, self.d);
                None
            }
        }
    }

    /// Takes `ResultPath`.
    pub(super) fn result_path(&mut self) -> ResultPath {
        match self.path_field("ResultPath", true) {
            None => ResultPath::Replace,
            Some(None) => ResultPath::Discard,
            Some(Some(p)) if p.as_str() == "$" => ResultPath::Replace,
            Some(Some(p)) => ResultPath::Path(p),
        }
    }

    fn io_path(&mut self, name: &str) -> IoPath {
        match self.path_field(name, false) {
            None => IoPath::Whole,
            Some(None) => IoPath::Null,
            Some(Some(p)) if p.as_str() == "$" => IoPath::Whole,
            Some(Some(p)) => IoPath::Path(p),
        }
    }

    fn io_fields(&mut self) -> (IoPath, IoPath, Option<JsonataTemplate>) {
        let input = self.io_path("InputPath");
        let output_path = self.io_path("OutputPath");
        let at = self.f.at_field("Output");
        let output = self
            .jsonata_only("Output")
            .and_then(|v| JsonataTemplate::compile(v, &at, self.d));
        (input, output_path, output)
    }

    fn transition(&mut self) -> Transition {
        let next = self.f.string("Next", self.d);
        let end = self.f.boolean("End", self.d);
        let end_true = end == Some(true);
        let next_present = self.f.has("Next");
        match next {
            Some(n) if !end_true => Transition::Next(Str::from(n)),
            Some(_) => {
                // Not verified against AWS.
                self.d
                    .schema(self.f.at(), "Only one of the fields [Next, End] may be set");
                Transition::End
            }
            None if end_true => Transition::End,
            None => {
                if !next_present {
                    // Not verified against AWS.
                    self.d
                        .schema(self.f.at(), "These fields are required: [Next or End]");
                }
                Transition::End
            }
        }
    }
}
