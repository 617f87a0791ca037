//! Intrinsic function errors: a call that does not parse (rejected with the definition),
//! and a call that fails at run time.

use baton_json::{Str, Value};

use super::Function;
use crate::error_name;
use crate::path::PathError;

/// A call that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct IntrinsicSyntaxError {
    /// What is wrong.
    pub message: String,
}

impl IntrinsicSyntaxError {
    pub(crate) fn new(message: impl Into<String>) -> IntrinsicSyntaxError {
        IntrinsicSyntaxError {
            message: message.into(),
        }
    }
}

/// A call that failed at run time.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IntrinsicError {
    /// Wrong number or types of arguments, or values the function cannot take (AWS
    /// gives no more detail).
    #[error("Invalid arguments in {function}")]
    InvalidArguments {
        /// The function that refused its arguments.
        function: Function,
    },
    /// The call would build a value larger than [`MAX_BUILT_BYTES`] as JSON text (or,
    /// for `States.Format`, as text): no state could hold it.
    ///
    /// [`MAX_BUILT_BYTES`]: super::MAX_BUILT_BYTES
    #[error(
        "{function} would build a value larger than {} bytes",
        super::MAX_BUILT_BYTES
    )]
    DataLimitExceeded {
        /// The function that refused to build it.
        function: Function,
        /// The state the call is in (`$$.State.Name`), when known.
        state: Option<Str>,
    },
    /// A path argument designates nothing.
    #[error("The JSONPath '{path}' could not be found: {source}")]
    PathNotFound {
        /// The path as written.
        path: Str,
        /// Why it did not apply.
        source: PathError,
    },
}

impl IntrinsicError {
    /// The error name the engine reports: `States.Runtime` (AWS reports failed intrinsic
    /// calls as run-time errors of the state, not as `States.IntrinsicFailure`), and
    /// `States.DataLimitExceeded` for a value too large to build, as for any state
    /// input or output past the payload limit.
    pub fn error_name(&self) -> &'static str {
        match self {
            IntrinsicError::DataLimitExceeded { .. } => error_name::DATA_LIMIT_EXCEEDED,
            _ => error_name::RUNTIME,
        }
    }

    /// AWS's cause for a call in field `field` of a state whose input is `input`, e.g.
    /// `Invalid arguments in States.MathAdd`, or `The JSONPath '$.x' specified for the
    /// field 'sum.$' could not be found in the input '{"a":1}'`.
    pub fn cause(&self, field: &str, input: &Value) -> String {
        match self {
            IntrinsicError::InvalidArguments { function } => {
                format!("Invalid arguments in {function}")
            }
            IntrinsicError::PathNotFound { path, .. } => path_not_found_cause(path, field, input),
            // AWS's cause for a state whose input or output is past the payload limit.
            IntrinsicError::DataLimitExceeded { state, .. } => format!(
                "The state/task '{}' returned a result with a size exceeding the maximum number of bytes service limit.",
                state.as_deref().unwrap_or_default()
            ),
        }
    }
}

/// AWS's cause when a path of a field cannot be applied to the state's input.
pub(crate) fn path_not_found_cause(path: &str, field: &str, input: &Value) -> String {
    format!(
        "The JSONPath '{path}' specified for the field '{field}' could not be found in the input '{}'",
        input.to_json_string()
    )
}
