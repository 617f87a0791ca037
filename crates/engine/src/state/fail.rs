//! Fail: ends its frame with an error and a cause, literal or computed.

use baton_asl::definition::state::{ErrorText, Fail, State};
use baton_asl::definition::{Dynamic, QueryLanguage};
use baton_json::{Str, Value};

use crate::dataflow::At;
use crate::error::Failure;
use crate::execution::{Execution, FrameId};
use crate::flow::Flow;
use crate::jsonata::{self, StatesVars};
use crate::scope::EvalScope;

impl Execution {
    pub(crate) fn run_fail(&mut self, fid: FrameId, state: &State, fail: &Fail) -> Flow {
        let (raw, at, mut scope) = self.state_env(fid, state);
        let jsonata = state.query_language == QueryLanguage::Jsonata;
        let (error_field, cause_field) = if jsonata {
            ("Error", "Cause")
        } else {
            ("ErrorPath", "CausePath")
        };
        let error = text(fail.error.as_ref(), error_field, &raw, &mut scope, at);
        let cause = error
            .as_ref()
            .ok()
            .map(|_| text(fail.cause.as_ref(), cause_field, &raw, &mut scope, at));
        match (error, cause) {
            (Ok(error), Some(Ok(cause))) => Flow::FailFrame(Failure { error, cause }),
            (Err(flow), _) | (_, Some(Err(flow))) => flow,
            (Ok(_), None) => Flow::Wait,
        }
    }
}

fn text(
    field: Option<&ErrorText>,
    field_name: &str,
    input: &Value,
    scope: &mut EvalScope<'_>,
    at: At<'_>,
) -> Result<Option<Str>, Flow> {
    let value = match field {
        None => return Ok(None),
        Some(ErrorText::Literal(s)) => return Ok(Some(Str::from(s.as_str()))),
        Some(ErrorText::Dynamic(Dynamic::Path(p))) => p.eval(input, scope).map_err(|_| {
            Flow::FailFrame(at.runtime(format!(
                "The JSONPath '{}' specified for the field '{field_name}' could not be found in the input '{}'",
                p.as_str(),
                input.to_json_string()
            )))
        })?,
        Some(ErrorText::Dynamic(Dynamic::Call(call))) => call.eval(input, scope).map_err(|e| {
            let cause = e.cause(field_name, input);
            Flow::FailFrame(if e.error_name() == baton_asl::error_name::RUNTIME {
                at.runtime(cause)
            } else {
                Failure::new(e.error_name(), cause)
            })
        })?,
        Some(ErrorText::Dynamic(Dynamic::Jsonata(e))) => {
            let states = StatesVars::input(input.clone());
            let v = jsonata::expr(e, field_name, scope, &states, at)
                .map_err(Flow::EvaluationFailed)?;
            if !v.is_string() {
                return Err(Flow::EvaluationFailed(at.query_error(
                    jsonata::unexpected_type(e.text(), field_name, "string", &v),
                    field_name,
                )));
            }
            v
        }
    };
    Ok(Some(match value {
        Value::String(s) => s,
        other => Str::from(other.to_json_string()),
    }))
}
