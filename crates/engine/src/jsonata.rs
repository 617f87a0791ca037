//! JSONata in states: `$states` and the variables an expression mentions bound for each
//! evaluation, and failures turned into `States.QueryEvaluationError` with AWS's causes.

use baton_asl::Scope;
use baton_asl::definition::Payload;
use baton_asl::jsonata::{Expr, JsonataTemplate};
use baton_json::{Map, Value};
use baton_jsonata::{Bindings, JsonataError, States, TemplateError};

use crate::dataflow::At;
use crate::error::Failure;
use crate::scope::EvalScope;

/// The members of `$states` besides the context object.
#[derive(Debug, Clone, Default)]
pub(crate) struct StatesVars {
    /// `$states.input`.
    pub(crate) input: Value,
    /// `$states.result` (Task, Parallel, Map, after they complete).
    pub(crate) result: Option<Value>,
    /// `$states.errorOutput` (in a Catch).
    pub(crate) error_output: Option<Value>,
}

impl StatesVars {
    /// `$states.input` only.
    pub(crate) fn input(input: Value) -> StatesVars {
        StatesVars {
            input,
            ..StatesVars::default()
        }
    }
}

/// A JSONata failure: the failure and the field it happened in (for the
/// `EvaluationFailed` event).
#[derive(Debug)]
pub(crate) struct EvalFailure {
    pub(crate) failure: Failure,
    pub(crate) location: String,
}

impl At<'_> {
    /// A `States.QueryEvaluationError` of this state.
    pub(crate) fn query_error(
        &self,
        detail: impl std::fmt::Display,
        location: &str,
    ) -> EvalFailure {
        EvalFailure {
            failure: Failure::new(
                baton_asl::error_name::QUERY_EVALUATION_ERROR,
                format!(
                    "An error occurred while executing the state '{}' (entered at the event id #{}). {detail}",
                    self.state, self.entered_event
                ),
            ),
            location: location.to_owned(),
        }
    }
}

/// Binds `$states` and the variables among `names` that are visible from the scope.
/// The context object is built only when `reads_context` (an expression that never
/// reads `$states.context` does not pay for it).
fn bindings<'n>(
    scope: &mut EvalScope<'_>,
    names: impl Iterator<Item = &'n str>,
    reads_context: bool,
    states: &StatesVars,
) -> Bindings {
    let mut b = Bindings::new()
        .with_random_seed(scope.random_u64())
        .with_now_millis(scope.now.0);
    for name in names {
        if name == "states" {
            b.set_states(States {
                input: states.input.clone(),
                context: if reads_context {
                    scope.context_object()
                } else {
                    Value::Null
                },
                result: states.result.clone(),
                error_output: states.error_output.clone(),
            });
        } else if let Some(v) = scope.variable(name) {
            b.set_var(name, v);
        }
    }
    b
}

/// Evaluates a template field (`Output`, `Arguments`, `Assign`, ...).
pub(crate) fn template(
    t: &JsonataTemplate,
    field: &str,
    scope: &mut EvalScope<'_>,
    states: &StatesVars,
    at: At<'_>,
) -> Result<Value, EvalFailure> {
    let template = t.template();
    if template.is_constant() {
        return template
            .evaluate(&Bindings::new())
            .map_err(|e| at.query_error(e.under(field), field));
    }
    let b = bindings(
        scope,
        template.variables(),
        template.reads_states_member("context"),
        states,
    );
    template
        .evaluate(&b)
        .map_err(|e| at.query_error(e.under(field), field))
}

/// Evaluates a single-expression field (`Condition`, `Seconds`, `MaxConcurrency`, ...);
/// undefined is an error, as AWS has it.
pub(crate) fn expr(
    e: &Expr,
    field: &str,
    scope: &mut EvalScope<'_>,
    states: &StatesVars,
    at: At<'_>,
) -> Result<Value, EvalFailure> {
    let expression = e.expression();
    let b = bindings(
        scope,
        expression.variables(),
        expression.reads_states_member("context"),
        states,
    );
    let result = expression.evaluate_input(None, &b);
    let text = || e.text().trim().to_owned();
    match result {
        Ok(Some(v)) => Ok(v),
        Ok(None) => Err(at.query_error(
            TemplateError::Undefined {
                expression: text(),
                field: field.to_owned(),
            },
            field,
        )),
        Err(JsonataError::UnsupportedResult) => Err(at.query_error(
            TemplateError::UnsupportedResult {
                expression: text(),
                field: field.to_owned(),
            },
            field,
        )),
        Err(error) => Err(at.query_error(
            TemplateError::Evaluation {
                expression: text(),
                field: field.to_owned(),
                error,
            },
            field,
        )),
    }
}

/// AWS's cause when a field's expression gave the wrong type of value.
pub(crate) fn unexpected_type(
    expression: &str,
    field: &str,
    expected: &str,
    got: &Value,
) -> String {
    format!(
        "The JSONata expression '{}' specified for the field '{field}' returned an unexpected result type. Expected '{expected}', but was '{}' for value: {}",
        expression.trim(),
        got.type_name(),
        got.to_json_string()
    )
}

/// A JSONata state's `Assign` and `Output`, evaluated against the same `$states` (so
/// `Output` sees the variables as they were before the state): the output (`default`
/// when there is no `Output`) and the variables assigned.
pub(crate) fn output_and_assign(
    output: Option<&JsonataTemplate>,
    assign: Option<&Payload>,
    default: Value,
    scope: &mut EvalScope<'_>,
    states: &StatesVars,
    at: At<'_>,
) -> Result<(Value, Option<Map>), EvalFailure> {
    let assigned = match assign {
        Some(Payload::Jsonata(t)) => match template(t, "Assign", scope, states, at)? {
            Value::Object(map) => Some(std::sync::Arc::unwrap_or_clone(map).into_map()),
            _ => None,
        },
        _ => None,
    };
    let output = match output {
        Some(t) => template(t, "Output", scope, states, at)?,
        None => default,
    };
    Ok((output, assigned))
}

/// A JSONata template field that may be absent (`Arguments`): its value, or `default`.
pub(crate) fn payload_or(
    payload: Option<&Payload>,
    field: &str,
    default: Value,
    scope: &mut EvalScope<'_>,
    states: &StatesVars,
    at: At<'_>,
) -> Result<Value, EvalFailure> {
    match payload {
        Some(Payload::Jsonata(t)) => template(t, field, scope, states, at),
        _ => Ok(default),
    }
}

/// A count or number of seconds given by an expression: a non-negative integer.
pub(crate) fn count(
    e: &Expr,
    field: &str,
    scope: &mut EvalScope<'_>,
    states: &StatesVars,
    at: At<'_>,
) -> Result<u64, EvalFailure> {
    let v = expr(e, field, scope, states, at)?;
    match v.as_number() {
        Some(n) if n.as_u64().is_some() => Ok(n.as_u64().unwrap_or_default()),
        Some(n) if n.as_f64().fract() == 0.0 && n.as_f64() >= 0.0 => Ok(n.as_f64() as u64),
        _ => Err(at.query_error(unexpected_type(e.text(), field, "integer", &v), field)),
    }
}
