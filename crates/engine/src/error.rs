//! Failures as values: what a state, a branch or an execution failed with.
//!
//! `States.*` failures are domain values that end up in the history, not Rust errors.

use baton_json::{Map, Str, Value};

/// An error name and cause, either of which AWS allows to be absent.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Failure {
    /// The error name, e.g. `States.Timeout` or a function's `errorType`.
    pub error: Option<Str>,
    /// A human-readable cause.
    pub cause: Option<Str>,
}

impl Failure {
    /// A failure with both fields.
    pub fn new(error: impl Into<Str>, cause: impl Into<Str>) -> Failure {
        Failure {
            error: Some(error.into()),
            cause: Some(cause.into()),
        }
    }

    /// `States.Runtime` for a state: AWS's cause starts by naming the state and the id of
    /// its entered event.
    pub fn runtime(state: &str, entered_event: u64, detail: impl std::fmt::Display) -> Failure {
        Failure::new(
            baton_asl::error_name::RUNTIME,
            format!(
                "An error occurred while executing the state '{state}' (entered at the event id #{entered_event}). {detail}"
            ),
        )
    }

    /// The error name for matching retriers and catchers (`""` when absent).
    pub fn name(&self) -> &str {
        self.error.as_deref().unwrap_or("")
    }

    /// `true` for errors that end the execution whatever its retriers and catchers say.
    pub fn is_terminal(&self) -> bool {
        baton_asl::error_name::is_terminal(self.name())
    }

    /// The error output a catcher passes on: `{"Error": ..., "Cause": ...}`.
    pub fn to_error_output(&self) -> Value {
        let mut m = Map::with_capacity_and_hasher(2, Default::default());
        if let Some(e) = &self.error {
            m.insert("Error".into(), Value::String(e.clone()));
        }
        if let Some(c) = &self.cause {
            m.insert("Cause".into(), Value::String(c.clone()));
        }
        Value::object(m)
    }
}
