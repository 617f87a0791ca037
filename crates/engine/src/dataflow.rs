//! The JSONPath data flow of a state, one step each: InputPath, Parameters (payload
//! templates), ResultSelector, ResultPath and OutputPath, with AWS's causes when a step
//! does not apply to the document.

use baton_asl::Scope;
use baton_asl::definition::Payload;
use baton_asl::definition::state::{IoPath, ResultPath};
use baton_json::{Map, Value};

use crate::error::Failure;

/// Names a state in runtime errors: its name and the id of its entered event.
#[derive(Debug, Clone, Copy)]
pub(crate) struct At<'a> {
    pub(crate) state: &'a str,
    pub(crate) entered_event: u64,
}

impl At<'_> {
    /// A `States.Runtime` failure of this state.
    pub(crate) fn runtime(&self, detail: impl std::fmt::Display) -> Failure {
        Failure::runtime(self.state, self.entered_event, detail)
    }
}

/// Applies `InputPath` or `OutputPath` to `value`.
pub(crate) fn select(
    path: &IoPath,
    value: Value,
    scope: &dyn Scope,
    at: At<'_>,
) -> Result<Value, Failure> {
    match path {
        IoPath::Whole => Ok(value),
        IoPath::Null => Ok(Value::empty_object()),
        IoPath::Path(p) => p
            .eval(&value, scope)
            .map_err(|e| at.runtime(e.invalid_path_cause(p.as_str()))),
    }
}

/// Places `result` into `input` as `ResultPath` says.
pub(crate) fn place_result(
    path: &ResultPath,
    input: Value,
    result: Value,
    at: At<'_>,
) -> Result<Value, Failure> {
    match path {
        ResultPath::Replace => Ok(result),
        ResultPath::Discard => Ok(input),
        ResultPath::Path(p) => p.set(input, result).map_err(|e| {
            if e.error_name() == baton_asl::error_name::RUNTIME {
                at.runtime(e.invalid_path_cause(p.as_str()))
            } else {
                Failure::new(e.error_name(), e.to_string())
            }
        }),
    }
}

/// Evaluates a template (Parameters, ResultSelector, ItemSelector, Assign) over `input`.
pub(crate) fn evaluate(
    payload: &Payload,
    input: &Value,
    scope: &mut dyn Scope,
    at: At<'_>,
) -> Result<Value, Failure> {
    match payload {
        Payload::JsonPath(t) => t.eval(input, scope).map_err(|e| {
            let name = e.error_name();
            if name == baton_asl::error_name::RUNTIME {
                at.runtime(e.cause())
            } else {
                Failure::new(name, e.cause())
            }
        }),
        Payload::Jsonata(_) => Err(Failure::new(
            baton_asl::error_name::RUNTIME,
            "a JSONata template evaluated as a JSONPath one",
        )),
    }
}

/// Evaluates an `Assign` block: the variables it sets, by name.
pub(crate) fn assign(
    payload: Option<&Payload>,
    input: &Value,
    scope: &mut dyn Scope,
    at: At<'_>,
) -> Result<Option<Map>, Failure> {
    let Some(payload) = payload else {
        return Ok(None);
    };
    match evaluate(payload, input, scope, at)? {
        Value::Object(map) => Ok(Some(std::sync::Arc::unwrap_or_clone(map).into_map())),
        _ => Ok(None),
    }
}
