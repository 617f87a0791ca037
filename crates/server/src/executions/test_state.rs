//! `TestState`: one state evaluated on its own by the engine ([`StateTest`]), its Task's
//! work mocked or run through the integrations, the request checked as AWS checks it.
//!
//! The definition is a single state (tested as `StateName`, the name AWS's messages use),
//! or a whole machine with `stateName` naming the state, nested ones included. It is
//! validated as CreateStateMachine validates (AWS's `InvalidDefinition` messages). The
//! test runs as an Express execution of a machine of its own would (AWS's context object
//! names one), without history, and nothing of it is kept.
//!
//! Messages are AWS's recorded ones (LocalStack's TestState tests, recorded against AWS)
//! unless a comment says they are Baton's.

use std::sync::Arc;
use std::time::Duration;

use baton_api::model::*;
use baton_api::{ApiError, ErrorCode, RequestContext};
use baton_asl::definition::state::State;
use baton_asl::definition::{
    self, DefinitionFormat, IntegrationPattern, MachineType, ParseOptions, Resource, StateKind,
    StateMachine,
};
use baton_engine::{
    ExecutionInfo, Failure, Inspection, Mock, PlainTokens, Program, SINGLE_STATE_NAME, StateTest,
    TaskRequest, TestResult, TestSetup, TestStatus, TestStep, find_state, single_state_machine,
};
use baton_integrations::{Registry, TaskCall};
use baton_json::{Map, Str, Value};

use super::Executions;

/// The longest a test runs (AWS's limit: then `States.Timeout`).
const TEST_TIMEOUT_SECONDS: u64 = 300;

impl Executions {
    /// The integrations that run a tested Task's work when it is not mocked (the server's
    /// own, so that a test calls what an execution would).
    pub fn with_registry(mut self, registry: Registry) -> Executions {
        self.registry = registry;
        self
    }

    /// `TestState`.
    pub(super) async fn run_test_state(
        &self,
        ctx: RequestContext,
        input: TestStateInput,
    ) -> Result<TestStateOutput, ApiError> {
        let (machine, state_name) = test_machine(&input.definition, input.state_name.as_deref())?;
        let program = Program::new(machine);
        let not_found = || ApiError::validation("State not found in definition");
        let state = find_state(&program, &state_name).ok_or_else(not_found)?;
        let checked = check_request(&input, state)?;
        let test_input = match &input.input {
            Some(text) => Value::from_json_str(text).map_err(ApiError::invalid_execution_input)?,
            None => Value::empty_object(),
        };
        let name = uuid::Uuid::new_v4().to_string();
        let info = self.test_info(&ctx, &name, &input, test_input.clone());
        let setup = TestSetup {
            input: test_input,
            variables: variables(input.variables.as_deref())?,
            context: checked.context,
            role_arn: input.role_arn.as_deref().map(Str::from),
            mock: checked.mock,
            retrier_retry_count: checked.retrier_retry_count,
            map_iteration_failure_count: checked.map_iteration_failure_count,
            map_item_reader_data: checked.map_item_reader_data,
        };
        let mut test =
            StateTest::new(program, &state_name, info.clone(), setup).ok_or_else(not_found)?;
        let result = match test.start() {
            TestStep::Done(result) => *result,
            TestStep::RunTask(request) => {
                let outcome = self.run_task(&info, request).await;
                test.task_done(outcome)
            }
        };
        Ok(output(
            result,
            input.inspection_level.unwrap_or(InspectionLevel::Info),
        ))
    }

    /// What the test's context object names: an Express execution of a machine of its
    /// own (recorded: `arn:aws:states:REGION:ACCOUNT:express:MACHINE:NAME`).
    fn test_info(
        &self,
        ctx: &RequestContext,
        name: &str,
        input: &TestStateInput,
        test_input: Value,
    ) -> ExecutionInfo {
        let (region, account) = (&*ctx.region, &*ctx.account);
        let machine = format!("TestState-{}", &name[..8]);
        ExecutionInfo {
            execution_arn: format!("arn:aws:states:{region}:{account}:express:{machine}:{name}")
                .into(),
            name: name.into(),
            state_machine_arn: format!("arn:aws:states:{region}:{account}:stateMachine:{machine}")
                .into(),
            state_machine_name: machine.into(),
            version_arn: None,
            alias_arn: None,
            role_arn: input.role_arn.as_deref().unwrap_or_default().into(),
            region: region.into(),
            input: test_input,
            start_time: self.runtime.now(),
            redrive_count: 0,
            seed: uuid::Uuid::new_v4().as_u64_pair().0,
            max_payload_bytes: ctx.max_payload_bytes,
            tokens: Arc::new(PlainTokens),
            limits: baton_engine::Limits {
                max_seconds: Some(TEST_TIMEOUT_SECONDS),
                ..baton_engine::Limits::EXPRESS
            },
        }
    }

    /// Runs a tested Task's work with the integrations, within its TimeoutSeconds and the
    /// test's five minutes (`States.Timeout` after).
    async fn run_task(&self, info: &ExecutionInfo, request: TaskRequest) -> Result<Value, Failure> {
        let seconds = request
            .timeout_seconds
            .map_or(TEST_TIMEOUT_SECONDS, |t| t.min(TEST_TIMEOUT_SECONDS));
        let call = TaskCall {
            resource: request.resource,
            purpose: request.purpose,
            input: request.input,
            token: request.token,
            state_name: request.state_name,
            region: info.region.clone(),
            account: Str::from(account_of(&info.execution_arn)),
            execution_arn: info.execution_arn.clone(),
            work: request.id,
            resumed: false,
            submission: None,
            credentials: None,
            submitted: None,
        };
        match tokio::time::timeout(Duration::from_secs(seconds), self.registry.run(call)).await {
            Ok(Ok(result)) => Ok(result),
            Ok(Err(f)) => Err(Failure {
                error: f.error,
                cause: f.cause,
            }),
            Err(_) => Err(Failure {
                error: Some(baton_asl::error_name::TIMEOUT.into()),
                cause: None,
            }),
        }
    }
}

/// The account of an ARN (its fifth field).
fn account_of(arn: &str) -> &str {
    arn.split(':').nth(4).unwrap_or_default()
}

/// The machine to test in and the name of the state under test: the definition as a
/// machine when `state_name` is given, else the single state in a machine of its own.
/// Errors are CreateStateMachine's (`InvalidDefinition`, AWS's message).
fn test_machine(text: &str, state_name: Option<&str>) -> Result<(StateMachine, String), ApiError> {
    let options = ParseOptions {
        machine_type: MachineType::Standard,
    };
    let parsed = match state_name {
        Some(_) => definition::parse_text(text, Some(DefinitionFormat::Json), options),
        None => match Value::from_json_str(text) {
            Ok(state) if state.is_object() => {
                definition::parse(&single_state_machine(&state), options)
            }
            // Not an object: the text's own problem, as AWS reports it.
            _ => definition::parse_text(text, Some(DefinitionFormat::Json), options),
        },
    };
    let machine = parsed
        .valid()
        .map_err(|d| ApiError::new(ErrorCode::InvalidDefinition, d.aws_message()))?;
    let name = state_name.unwrap_or(SINGLE_STATE_NAME).to_owned();
    Ok((machine, name))
}

/// The mock given, as the engine takes it.
fn parse_mock(given: Option<&MockInput>) -> Result<Option<Mock>, ApiError> {
    let Some(m) = given else {
        return Ok(None);
    };
    match (&m.result, &m.error_output) {
        (Some(_), Some(_)) => Err(ApiError::validation(
            "A test mock should have only one of the following fields: [result, errorOutput].",
        )),
        (Some(text), None) => Value::from_json_str(text)
            .map(|v| Some(Mock::Result(v)))
            .map_err(|_| ApiError::validation("Mocked result must be valid JSON")),
        (None, Some(e)) => {
            let Some(error) = &e.error else {
                // Baton's wording (AWS requires the field; its message is not recorded).
                return Err(ApiError::validation(
                    "A mocked errorOutput must have an error",
                ));
            };
            Ok(Some(Mock::Error(Failure {
                error: Some(Str::from(error.as_str())),
                cause: e.cause.as_deref().map(Str::from),
            })))
        }
        // Baton's wording, after AWS's message for both fields.
        (None, None) => Err(ApiError::validation(
            "A test mock should have one of the following fields: [result, errorOutput].",
        )),
    }
}

/// The variables given: a JSON object.
fn variables(text: Option<&str>) -> Result<Map, ApiError> {
    let Some(text) = text else {
        return Ok(Map::default());
    };
    match Value::from_json_str(text) {
        Ok(Value::Object(map)) => Ok(map.as_ref().clone().into_map()),
        // Baton's wording (AWS's is not recorded).
        _ => Err(ApiError::validation(
            "Invalid variables: the variables must be a JSON object",
        )),
    }
}

/// The request checked against the state under test, in AWS's order; the rest of the
/// setup (configuration, context) as the engine takes it.
fn check_request(input: &TestStateInput, state: &State) -> Result<Checked, ApiError> {
    let config = input.state_configuration.clone().unwrap_or_default();
    let mock = input.mock.as_ref();
    if config.map_iteration_failure_count.is_some() && mock.is_none() {
        return Err(ApiError::validation(
            "TestState does not support MapIterationFailureCount when a mock is not specified.",
        ));
    }
    if let (Some(count), Some(result)) = (
        config.map_iteration_failure_count,
        mock.and_then(|m| m.result.as_deref())
            .and_then(|t| Value::from_json_str(t).ok()),
    ) && let Some(items) = result.as_array()
        && usize::try_from(count).unwrap_or(0) > items.len()
    {
        return Err(ApiError::validation(
            "Map iteration failure count must be less than or equal to the number of Map iterations",
        ));
    }
    let is_map_or_parallel = matches!(state.kind, StateKind::Map(_) | StateKind::Parallel(_));
    if mock.is_none() && is_map_or_parallel {
        return Err(ApiError::new(
            ErrorCode::InvalidDefinition,
            "TestState API does not support Map or Parallel states. Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]",
        ));
    }
    if mock.is_some() {
        if matches!(
            state.kind,
            StateKind::Pass(_) | StateKind::Fail(_) | StateKind::Succeed(_)
        ) {
            return Err(ApiError::validation(format!(
                "State type '{}' is not supported when a mock is specified",
                state.kind.type_name()
            )));
        }
        if input.reveal_secrets == Some(true) {
            return Err(ApiError::validation(
                "TestState does not support RevealSecrets when a mock is specified.",
            ));
        }
    }
    let mock = parse_mock(mock)?;
    if let Some(Mock::Result(result)) = &mock {
        match &state.kind {
            StateKind::Map(map) if map.result_writer.is_some() && !result.is_object() => {
                return Err(ApiError::validation("Mocked result must be a JSON object."));
            }
            StateKind::Map(map) if map.result_writer.is_none() && !result.is_array() => {
                return Err(ApiError::validation("Mocked result must be an array."));
            }
            StateKind::Parallel(p) => match result.as_array() {
                None => return Err(ApiError::validation("Mocked result must be an array.")),
                Some(items) if items.len() != p.branches.len() => {
                    return Err(ApiError::validation(
                        "Mocked result must contain the same number of items as number of Parallel branches.",
                    ));
                }
                Some(_) => {}
            },
            _ => {}
        }
    }
    let context = match &input.context {
        None => None,
        // Baton's wording: AWS's documentation says a context goes with a mock only.
        Some(_) if mock.is_none() => {
            return Err(ApiError::validation(
                "Invalid Context object provided: a Context object may only be specified with a mock",
            ));
        }
        Some(text) => Some(context(text, state)?),
    };
    if let StateKind::Task(task) = &state.kind
        && mock.is_none()
    {
        if input.role_arn.is_none() {
            return Err(ApiError::validation(
                "RoleArn must be specified when testing a Task state",
            ));
        }
        if takes_token(&task.resource) {
            // Baton's wording, after AWS's documentation.
            return Err(ApiError::validation(
                "TestState supports Activity tasks and the .sync and .waitForTaskToken service integration patterns only when a mock is specified",
            ));
        }
    }
    let map_item_reader_data = match config.map_item_reader_data.as_deref() {
        None => None,
        Some(text) => Some(Value::from_json_str(text).map_err(|_| {
            // Baton's wording (AWS's is not recorded).
            ApiError::validation("mapItemReaderData must be valid JSON")
        })?),
    };
    Ok(Checked {
        mock,
        context,
        retrier_retry_count: config.retrier_retry_count.map_or(0, |n| n.max(0) as u32),
        map_iteration_failure_count: config.map_iteration_failure_count.map(|n| n.max(0) as u64),
        map_item_reader_data,
    })
}

/// The request's mock, context and configuration, checked.
struct Checked {
    mock: Option<Mock>,
    context: Option<Value>,
    retrier_retry_count: u32,
    map_iteration_failure_count: Option<u64>,
    map_item_reader_data: Option<Value>,
}

/// `true` for a Task whose work needs a task token: an activity, `.sync` or
/// `.waitForTaskToken`.
fn takes_token(resource: &Resource) -> bool {
    matches!(resource, Resource::Activity { .. })
        || resource.pattern() != IntegrationPattern::RequestResponse
}

/// A given context object, checked: the members AWS's context object has, of their types
/// (`Execution.Input` any JSON), `Task` only for a state with a task token, and no `Map`.
fn context(text: &str, state: &State) -> Result<Value, ApiError> {
    let invalid = |m: String| ApiError::validation(format!("Invalid Context object provided: {m}"));
    let value = Value::from_json_str(text)
        .ok()
        .filter(Value::is_object)
        // Baton's wording.
        .ok_or_else(|| invalid("the Context object must be a JSON object".to_owned()))?;
    #[derive(PartialEq)]
    enum Kind {
        Text,
        Integer,
        Any,
    }
    for (key, members) in value.as_object().into_iter().flatten() {
        let fields: &[(&str, Kind)] = match &**key {
            "Execution" => &[
                ("Id", Kind::Text),
                ("Input", Kind::Any),
                ("Name", Kind::Text),
                ("RoleArn", Kind::Text),
                ("StartTime", Kind::Text),
            ],
            "State" => &[
                ("EnteredTime", Kind::Text),
                ("Name", Kind::Text),
                ("RetryCount", Kind::Integer),
            ],
            "StateMachine" => &[("Id", Kind::Text), ("Name", Kind::Text)],
            "Task" => &[("Token", Kind::Text)],
            "Map" => {
                return Err(invalid(
                    "'Map' field is not supported when mocking a Context object".to_owned(),
                ));
            }
            other => return Err(invalid(format!("Field '{other}' is not allowed"))),
        };
        if members.is_null() {
            continue;
        }
        let Some(members) = members.as_object() else {
            // Baton's wording, after AWS's for the members.
            return Err(invalid(format!("{key} must be an object")));
        };
        for (name, v) in members {
            let Some((_, kind)) = fields.iter().find(|(n, _)| *n == &**name) else {
                return Err(invalid(format!("Field '{name}' is not allowed")));
            };
            let fits = match kind {
                _ if v.is_null() => true,
                Kind::Text => v.is_string(),
                Kind::Integer => v.as_i64().is_some(),
                Kind::Any => true,
            };
            if !fits {
                let expected = if *kind == Kind::Integer {
                    "an integer"
                } else {
                    "a string"
                };
                return Err(invalid(format!("{key}.{name} must be {expected}")));
            }
        }
    }
    let with_token = matches!(&state.kind, StateKind::Task(t) if takes_token(&t.resource));
    if value.get("Task").is_some() && !with_token {
        return Err(invalid(
            "Context object contains 'Task' when state is not a Task state with a '.sync' or '.waitForTaskToken' service integration pattern".to_owned(),
        ));
    }
    Ok(value)
}

/// The response: inspection data at DEBUG and TRACE (TRACE adds an HTTP Task's request
/// and response, which no integration reports yet).
fn output(result: TestResult, level: InspectionLevel) -> TestStateOutput {
    let TestResult {
        status,
        output,
        next_state,
        failure,
        inspection,
    } = result;
    let (error, cause) = failure.map_or((None, None), |f| (f.error, f.cause));
    TestStateOutput {
        output: output.map(|v| v.to_json_string()),
        error: error.map(|e| e.to_string()),
        cause: cause.map(|c| c.to_string()),
        inspection_data: (level != InspectionLevel::Info).then(|| inspection_data(inspection)),
        next_state: next_state.map(|n| n.to_string()),
        status: Some(match status {
            TestStatus::Succeeded => TestExecutionStatus::Succeeded,
            TestStatus::Failed => TestExecutionStatus::Failed,
            TestStatus::Retriable => TestExecutionStatus::Retriable,
            TestStatus::CaughtError => TestExecutionStatus::CaughtError,
        }),
    }
}

fn inspection_data(i: Inspection) -> InspectionData {
    let text = |v: Option<Value>| v.map(|v| v.to_json_string());
    let int = |n: Option<u64>| n.map(|n| i32::try_from(n).unwrap_or(i32::MAX));
    let details =
        (i.catch_index.is_some() || i.retry_index.is_some()).then(|| InspectionErrorDetails {
            catch_index: i.catch_index.map(|n| i32::try_from(n).unwrap_or(i32::MAX)),
            retry_index: i.retry_index.map(|n| i32::try_from(n).unwrap_or(i32::MAX)),
            retry_backoff_interval_seconds: int(i.retry_backoff_seconds),
        });
    InspectionData {
        input: text(i.input),
        after_arguments: text(i.after_arguments),
        after_input_path: text(i.after_input_path),
        after_parameters: text(i.after_parameters),
        result: text(i.result),
        after_result_selector: text(i.after_result_selector),
        after_result_path: text(i.after_result_path),
        request: None,
        response: None,
        variables: i.variables.map(|v| Value::object(v).to_json_string()),
        error_details: details,
        after_items_path: text(i.after_items_path),
        after_item_selector: text(i.after_item_selector),
        after_item_batcher: None,
        after_items_pointer: None,
        tolerated_failure_count: int(i.tolerated_failure_count),
        tolerated_failure_percentage: i.tolerated_failure_percentage.map(|p| p as f32),
        max_concurrency: int(i.max_concurrency),
    }
}

#[cfg(test)]
mod tests;
