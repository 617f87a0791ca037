//! TestState through the service, over the memory store. Messages asserted exactly are
//! AWS's recorded ones (LocalStack's TestState tests) unless a comment says they are
//! Baton's.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use baton_api::model::*;
use baton_api::{ApiConfig, ApiError, Backend, ErrorCode, Operation, RequestContext};
use baton_store::MemoryStore;
use serde_json::{Value, json};

use crate::config::ServerConfig;
use crate::server::Server;

const ROLE: &str = "arn:aws:iam::111111111111:role/sfn";

/// A server whose local functions are `Echo` (answers its event) and `Fail` (exits 1).
async fn server() -> Server {
    static N: AtomicU32 = AtomicU32::new(0);
    let path = std::env::temp_dir().join(format!(
        "baton-test-state-{}-{}.json",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let functions = json!({"functions": {
        "Echo": {"command": ["cat"]},
        "Fail": {"command": ["sh", "-c", "cat >/dev/null; echo '{\"errorType\":\"Oops\",\"errorMessage\":\"no\"}'; exit 1"]},
    }});
    std::fs::write(&path, functions.to_string()).unwrap();
    let config = ServerConfig {
        data_dir: None,
        functions: Some(path),
        account: "111111111111".to_owned(),
        region: "us-east-1".to_owned(),
        ..ServerConfig::default()
    };
    Server::with_store(config, Arc::new(MemoryStore::new()))
        .await
        .unwrap()
}

fn cx() -> RequestContext {
    let config = ApiConfig {
        region: "us-east-1".to_owned(),
        account: "111111111111".to_owned(),
        ..ApiConfig::default()
    };
    RequestContext::new(Operation::TestState, &config)
}

fn request(definition: Value) -> TestStateInput {
    TestStateInput::new(definition.to_string())
}

async fn test_state(input: TestStateInput) -> Result<TestStateOutput, ApiError> {
    server().await.service().test_state(cx(), input).await
}

#[track_caller]
fn assert_error(result: Result<TestStateOutput, ApiError>, code: ErrorCode, message: &str) {
    let e = result.unwrap_err();
    assert_eq!((e.code(), e.message()), (code, message));
}

fn parsed(text: &Option<String>) -> Value {
    serde_json::from_str(text.as_deref().expect("a value")).unwrap()
}

#[tokio::test]
async fn info_shows_the_outcome_and_debug_the_steps() {
    let definition = json!({"Type": "Pass", "InputPath": "$.a", "Result": {"r": 1}, "ResultPath": "$.b", "Next": "N"});
    let mut input = request(definition);
    input.input = Some(r#"{"a":{"x":1}}"#.to_owned());
    let info = test_state(input.clone()).await.unwrap();
    assert_eq!(info.status, Some(TestExecutionStatus::Succeeded));
    assert_eq!(info.next_state.as_deref(), Some("N"));
    assert_eq!(parsed(&info.output), json!({"a": {"x": 1}, "b": {"r": 1}}));
    assert!(info.inspection_data.is_none());

    input.inspection_level = Some(InspectionLevel::Debug);
    let debug = test_state(input).await.unwrap();
    let data = debug.inspection_data.unwrap();
    assert_eq!(parsed(&data.input), json!({"a": {"x": 1}}));
    assert_eq!(parsed(&data.result), json!({"r": 1}));
    assert_eq!(
        parsed(&data.after_result_path),
        json!({"a": {"x": 1}, "b": {"r": 1}})
    );
    assert!(data.after_input_path.is_none() && data.after_parameters.is_none());
}

#[tokio::test]
async fn a_task_runs_its_function_when_not_mocked() {
    let definition = json!({
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "Echo", "Payload.$": "$"},
        "ResultSelector": {"echo.$": "$.Payload"},
        "End": true
    });
    let mut input = request(definition);
    input.input = Some(r#"{"hello":"world"}"#.to_owned());
    input.role_arn = Some(ROLE.to_owned());
    input.inspection_level = Some(InspectionLevel::Trace);
    let out = test_state(input).await.unwrap();
    assert_eq!(out.status, Some(TestExecutionStatus::Succeeded));
    assert_eq!(parsed(&out.output), json!({"echo": {"hello": "world"}}));
    let data = out.inspection_data.unwrap();
    assert_eq!(
        parsed(&data.after_parameters),
        json!({"FunctionName": "Echo", "Payload": {"hello": "world"}})
    );
    assert_eq!(parsed(&data.result)["Payload"], json!({"hello": "world"}));
    assert_eq!(
        parsed(&data.after_result_selector),
        json!({"echo": {"hello": "world"}})
    );
}

#[tokio::test]
async fn a_function_error_goes_through_the_retriers_and_catchers() {
    let definition = json!({
        "Type": "Task",
        "Resource": "arn:aws:lambda:us-east-1:111111111111:function:Fail",
        "Retry": [{"ErrorEquals": ["Other"], "MaxAttempts": 1}],
        "Catch": [{"ErrorEquals": ["Oops"], "ResultPath": "$.error", "Next": "Handle"}],
        "End": true
    });
    let mut input = request(definition);
    input.role_arn = Some(ROLE.to_owned());
    input.inspection_level = Some(InspectionLevel::Debug);
    let out = test_state(input).await.unwrap();
    assert_eq!(out.status, Some(TestExecutionStatus::CaughtError));
    assert_eq!(out.next_state.as_deref(), Some("Handle"));
    assert_eq!(out.error.as_deref(), Some("Oops"));
    assert_eq!(parsed(&out.output)["error"]["Error"], json!("Oops"));
    let details = out.inspection_data.unwrap().error_details.unwrap();
    assert_eq!((details.catch_index, details.retry_index), (Some(0), None));
}

#[tokio::test]
async fn a_mocked_task_needs_no_role_and_sees_teststate_s_context() {
    let definition = json!({
        "Type": "Task",
        "QueryLanguage": "JSONata",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Arguments": {"FunctionName": "Missing"},
        "Output": "{% $states.context %}",
        "End": true
    });
    let mut input = request(definition);
    let mut mock = MockInput::new();
    mock.result = Some("{}".to_owned());
    input.mock = Some(mock);
    let out = test_state(input).await.unwrap();
    assert_eq!(out.status, Some(TestExecutionStatus::Succeeded));
    let context = parsed(&out.output);
    let id = context["Execution"]["Id"].as_str().unwrap();
    assert!(
        id.starts_with("arn:aws:states:us-east-1:111111111111:express:TestState-"),
        "{id}"
    );
    assert_eq!(context["Execution"]["RoleArn"], Value::Null);
    assert_eq!(
        context["State"],
        json!({"Name": "StateName", "EnteredTime": context["State"]["EnteredTime"], "RetryCount": 0})
    );
    assert!(
        context["StateMachine"]["Id"]
            .as_str()
            .unwrap()
            .starts_with("arn:aws:states:us-east-1:111111111111:stateMachine:TestState-")
    );
}

#[tokio::test]
async fn a_state_of_a_whole_machine() {
    let definition = json!({
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Next": "B"},
            "B": {"Type": "Wait", "Seconds": 86400, "OutputPath": "$.v", "Next": "C"},
            "C": {"Type": "Succeed"}
        }
    });
    let mut input = request(definition.clone());
    input.state_name = Some("B".to_owned());
    input.input = Some(r#"{"v":3}"#.to_owned());
    let out = test_state(input).await.unwrap();
    assert_eq!(
        (out.status, out.next_state.as_deref(), out.output.as_deref()),
        (Some(TestExecutionStatus::Succeeded), Some("C"), Some("3"))
    );

    let mut input = request(definition);
    input.state_name = Some("dne".to_owned());
    assert_error(
        test_state(input).await,
        ErrorCode::ValidationException,
        "State not found in definition",
    );
}

#[tokio::test]
async fn definitions_are_validated_as_aws_does() {
    let mut input = request(json!({
        "Comment": "Base state machine with a state that is not a valid state definition.",
        "StartAt": "ExistingButInvalidState",
        "States": {"ExistingButInvalidState": {"Type": "TypeThatDoesNotExist", "End": true}}
    }));
    input.state_name = Some("ExistingButInvalidState".to_owned());
    assert_error(
        test_state(input).await,
        ErrorCode::InvalidDefinition,
        "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map] at /States/ExistingButInvalidState/Type'",
    );

    let mut input = request(json!({"Type": "Parallel", "Branches": [], "End": true}));
    let mut mock = MockInput::new();
    mock.result = Some("[]".to_owned());
    input.mock = Some(mock);
    assert_error(
        test_state(input).await,
        ErrorCode::InvalidDefinition,
        "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Value cannot be empty at /States/StateName/Branches'",
    );
}

const MAP: &str = r#"{"Type":"Map","QueryLanguage":"JSONata","Items":"{% $states.input.Values %}","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"TestState","States":{"TestState":{"Type":"Pass","End":true}}},"End":true}"#;
const MAP_WITH_WRITER: &str = r#"{"Type":"Map","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"b","Prefix":"p"}},"End":true}"#;
const PARALLEL: &str = r#"{"Type":"Parallel","Branches":[{"StartAt":"B1","States":{"B1":{"Type":"Pass","End":true}}},{"StartAt":"B2","States":{"B2":{"Type":"Pass","End":true}}}],"End":true}"#;
const LAMBDA: &str = r#"{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName.$":"$.FunctionName","Payload.$":"$.Payload"},"End":true}"#;
const START_EXECUTION: &str = r#"{"Type":"Task","Resource":"arn:aws:states:::states:startExecution","Parameters":{"StateMachineArn.$":"$.stateMachineArn","Input.$":"$.targetInput","Name.$":"$.name"},"ResultPath":"$.targetExecutionResult","End":true}"#;

/// A request for `definition` with a mocked result (`None`: no mock) and what `edit` sets.
fn with_mock(
    definition: &str,
    result: Option<&str>,
    edit: impl FnOnce(&mut TestStateInput),
) -> TestStateInput {
    let mut input = TestStateInput::new(definition.to_owned());
    if let Some(r) = result {
        let mut mock = MockInput::new();
        mock.result = Some(r.to_owned());
        input.mock = Some(mock);
    }
    edit(&mut input);
    input
}

#[tokio::test]
async fn requests_are_checked_as_aws_does() {
    use ErrorCode::{InvalidDefinition, ValidationException};
    let cases: Vec<(TestStateInput, ErrorCode, &str)> = vec![
        (
            with_mock(r#"{"Type":"Pass","End":true}"#, Some("{}"), |_| {}),
            ValidationException,
            "State type 'Pass' is not supported when a mock is specified",
        ),
        (
            with_mock(r#"{"Type":"Succeed"}"#, Some("{}"), |_| {}),
            ValidationException,
            "State type 'Succeed' is not supported when a mock is specified",
        ),
        (
            with_mock(MAP, None, |_| {}),
            InvalidDefinition,
            "TestState API does not support Map or Parallel states. Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]",
        ),
        (
            with_mock(PARALLEL, None, |_| {}),
            InvalidDefinition,
            "TestState API does not support Map or Parallel states. Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]",
        ),
        (
            with_mock(LAMBDA, Some("{}"), |i| {
                let mock = i.mock.as_mut().unwrap();
                let mut error = MockErrorOutput::new();
                error.error = Some("E".to_owned());
                mock.error_output = Some(error);
            }),
            ValidationException,
            "A test mock should have only one of the following fields: [result, errorOutput].",
        ),
        (
            with_mock(LAMBDA, Some(r#"{"mock":"response"}"#), |i| {
                i.reveal_secrets = Some(true)
            }),
            ValidationException,
            "TestState does not support RevealSecrets when a mock is specified.",
        ),
        (
            with_mock(LAMBDA, Some("not json"), |_| {}),
            ValidationException,
            "Mocked result must be valid JSON",
        ),
        (
            with_mock(MAP, Some(r#"{"mock":"array is expected"}"#), |_| {}),
            ValidationException,
            "Mocked result must be an array.",
        ),
        (
            with_mock(MAP_WITH_WRITER, Some(r#"["object is expected"]"#), |_| {}),
            ValidationException,
            "Mocked result must be a JSON object.",
        ),
        (
            with_mock(PARALLEL, Some(r#"{"mock":"array is expected"}"#), |_| {}),
            ValidationException,
            "Mocked result must be an array.",
        ),
        (
            with_mock(PARALLEL, Some(r#"[{"branch1":"result"}]"#), |_| {}),
            ValidationException,
            "Mocked result must contain the same number of items as number of Parallel branches.",
        ),
        (
            with_mock(MAP, None, |i| {
                i.role_arn = Some(ROLE.to_owned());
                let mut config = TestStateConfiguration::new();
                config.map_iteration_failure_count = Some(0);
                i.state_configuration = Some(config);
            }),
            ValidationException,
            "TestState does not support MapIterationFailureCount when a mock is not specified.",
        ),
        (
            with_mock(MAP, Some("[1,1,1]"), |i| {
                i.input = Some(r#"{"Values":[1,1,1]}"#.to_owned());
                let mut config = TestStateConfiguration::new();
                config.map_iteration_failure_count = Some(4);
                i.state_configuration = Some(config);
            }),
            ValidationException,
            "Map iteration failure count must be less than or equal to the number of Map iterations",
        ),
        (
            with_mock(LAMBDA, None, |i| {
                i.input = Some(r#"{"FunctionName":"f","Payload":null}"#.to_owned())
            }),
            ValidationException,
            "RoleArn must be specified when testing a Task state",
        ),
    ];
    for (input, code, message) in cases {
        assert_error(test_state(input).await, code, message);
    }
}

#[tokio::test]
async fn context_objects_are_checked_as_aws_does() {
    let context = |definition: &str, context: &str| {
        with_mock(
            definition,
            Some(r#"{"ExecutionArn":"a","StartDate":"d"}"#),
            |i| i.context = Some(context.to_owned()),
        )
    };
    let cases = [
        (
            context(START_EXECUTION, r#"{"Execution":{"Id":1}}"#),
            "Invalid Context object provided: Execution.Id must be a string",
        ),
        (
            context(START_EXECUTION, r#"{"Map":{}}"#),
            "Invalid Context object provided: 'Map' field is not supported when mocking a Context object",
        ),
        (
            context(START_EXECUTION, r#"{"Execution":{"pokemon":"squirtle"}}"#),
            "Invalid Context object provided: Field 'pokemon' is not allowed",
        ),
        (
            context(START_EXECUTION, r#"{"Pokedex":{}}"#),
            "Invalid Context object provided: Field 'Pokedex' is not allowed",
        ),
        (
            context(LAMBDA, r#"{"Task":{"Token":"abcd123"}}"#),
            "Invalid Context object provided: Context object contains 'Task' when state is not a Task state with a '.sync' or '.waitForTaskToken' service integration pattern",
        ),
        (
            context(r#"{"Type":"Pass","InputPath":"$$","End":true}"#, "{}"),
            "State type 'Pass' is not supported when a mock is specified",
        ),
    ];
    for (input, message) in cases {
        assert_error(
            test_state(input).await,
            ErrorCode::ValidationException,
            message,
        );
    }
}

#[tokio::test]
async fn a_given_context_is_the_context_object() {
    let input = with_mock(
        r#"{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","Parameters":{"QueueUrl":"q","MessageBody":{"TaskToken.$":"$$.Task.Token","Name.$":"$$.Execution.Name"}},"ResultPath":"$.SQS","Next":"NEXT_STATE"}"#,
        Some(r#"{"ok":true}"#),
        |i| {
            i.context =
                Some(r#"{"Execution":{"Name":"given"},"Task":{"Token":"abcd123"}}"#.to_owned());
            i.inspection_level = Some(InspectionLevel::Trace);
        },
    );
    let out = test_state(input).await.unwrap();
    assert_eq!(out.next_state.as_deref(), Some("NEXT_STATE"));
    assert_eq!(parsed(&out.output), json!({"SQS": {"ok": true}}));
    let data = out.inspection_data.unwrap();
    assert_eq!(
        parsed(&data.after_parameters),
        json!({"QueueUrl": "q", "MessageBody": {"TaskToken": "abcd123", "Name": "given"}})
    );
}

#[tokio::test]
async fn callback_tasks_need_a_mock() {
    // Baton's message: AWS's documentation says these are tested with a mock only.
    let input = with_mock(
        r#"{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","Parameters":{"QueueUrl":"q","MessageBody.$":"$$.Task.Token"},"End":true}"#,
        None,
        |i| i.role_arn = Some(ROLE.to_owned()),
    );
    assert_error(
        test_state(input).await,
        ErrorCode::ValidationException,
        "TestState supports Activity tasks and the .sync and .waitForTaskToken service integration patterns only when a mock is specified",
    );
}

#[tokio::test]
async fn a_mocked_map_with_its_configuration() {
    let input = with_mock(
        r#"{"Type":"Map","ItemsPath":"$.items","ToleratedFailureCount":1,"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"Retry":[{"ErrorEquals":["States.ExceedToleratedFailureThreshold"],"IntervalSeconds":2,"MaxAttempts":3}],"End":true}"#,
        Some("[0,0,1]"),
        |i| {
            i.input = Some(r#"{"items":[1,2,3]}"#.to_owned());
            i.inspection_level = Some(InspectionLevel::Debug);
            let mut config = TestStateConfiguration::new();
            config.map_iteration_failure_count = Some(2);
            config.retrier_retry_count = Some(1);
            i.state_configuration = Some(config);
        },
    );
    let out = test_state(input).await.unwrap();
    assert_eq!(out.status, Some(TestExecutionStatus::Retriable));
    assert_eq!(
        out.error.as_deref(),
        Some("States.ExceedToleratedFailureThreshold")
    );
    assert_eq!(
        out.cause.as_deref(),
        Some("The specified tolerated failure threshold was exceeded")
    );
    let data = out.inspection_data.unwrap();
    assert_eq!(data.after_items_path.as_deref(), Some("[1,2,3]"));
    assert_eq!(
        (data.max_concurrency, data.tolerated_failure_count),
        (Some(0), Some(1))
    );
    let details = data.error_details.unwrap();
    assert_eq!(
        (details.retry_index, details.retry_backoff_interval_seconds),
        (Some(0), Some(4))
    );
}
