//! Fail: ends its frame with an error and a cause, literal or computed.

use baton_asl::definition::Dynamic;
use baton_asl::definition::state::{ErrorText, Fail, State};
use baton_json::{Str, Value};

use crate::dataflow::At;
use crate::error::Failure;
use crate::execution::{Execution, FrameId};
use crate::flow::Flow;
use crate::scope::EvalScope;

impl Execution {
    pub(crate) fn run_fail(&mut self, fid: FrameId, state: &State, fail: &Fail) -> Flow {
        let (raw, at, mut scope) = self.state_env(fid, state);
        let error = text(fail.error.as_ref(), "ErrorPath", &raw, &mut scope, at);
        let cause = text(fail.cause.as_ref(), "CausePath", &raw, &mut scope, at);
        match (error, cause) {
            (Ok(error), Ok(cause)) => Flow::FailFrame(Failure { error, cause }),
            (Err(f), _) | (_, Err(f)) => Flow::FailFrame(f),
        }
    }
}

fn text(
    field: Option<&ErrorText>,
    field_name: &str,
    input: &Value,
    scope: &mut EvalScope<'_>,
    at: At<'_>,
) -> Result<Option<Str>, Failure> {
    let value = match field {
        None => return Ok(None),
        Some(ErrorText::Literal(s)) => return Ok(Some(Str::from(s.as_str()))),
        Some(ErrorText::Dynamic(Dynamic::Path(p))) => p.eval(input, scope).map_err(|_| {
            at.runtime(format!(
                "The JSONPath '{}' specified for the field '{field_name}' could not be found in the input '{}'",
                p.as_str(),
                input.to_json_string()
            ))
        })?,
        Some(ErrorText::Dynamic(Dynamic::Call(call))) => call
            .eval(input, scope)
            .map_err(|e| Failure::new(baton_asl::error_name::INTRINSIC_FAILURE, e.to_string()))?,
        Some(ErrorText::Dynamic(Dynamic::Jsonata(_))) => {
            return Err(Failure::new(
                baton_asl::error_name::RUNTIME,
                "JSONata expressions are not supported by this version of Baton",
            ));
        }
    };
    Ok(Some(match value {
        Value::String(s) => s,
        other => Str::from(other.to_json_string()),
    }))
}
