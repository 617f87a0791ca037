//! TestState's evaluation, case by case. Unless a case says otherwise, its expectation is
//! AWS's response recorded by LocalStack's TestState tests (`tests/aws/services/
//! stepfunctions/v2/test_state/*.snapshot.json`), at the DEBUG level, with the recording's
//! placeholders (function and table names, ARNs, dates) replaced by this test's values and
//! JSON text shown as JSON. Mocks stand where the recording called a real service.

use baton_asl::definition::{ParseOptions, parse};
use baton_json::Value;
use serde_json::json;

use super::*;
use crate::time::Millis;

/// 2023-11-14T22:13:20.000Z.
const T0: Millis = Millis(1_700_000_000_000);
const T0_TEXT: &str = "2023-11-14T22:13:20.000Z";
const ROLE: &str = "arn:aws:iam::111111111111:role/TestRole";
const EXECUTION_ARN: &str = "arn:aws:states:us-east-1:111111111111:express:TestMachine:test-exec";
const MACHINE_ARN: &str = "arn:aws:states:us-east-1:111111111111:stateMachine:TestMachine";

/// One TestState request and AWS's answer.
#[derive(Clone, Copy)]
struct Case {
    name: &'static str,
    /// A single state, or a machine when `state_name` is given.
    definition: &'static str,
    state_name: Option<&'static str>,
    input: &'static str,
    variables: &'static str,
    context: Option<&'static str>,
    role: Option<&'static str>,
    mock_result: Option<&'static str>,
    mock_error: Option<(&'static str, &'static str)>,
    retrier_retry_count: u32,
    map_iteration_failure_count: Option<u64>,
    map_item_reader_data: Option<&'static str>,
    /// The outcome of the Task's work when it is not mocked.
    task_outcome: Option<Result<&'static str, (&'static str, &'static str)>>,
    /// The recording is at the INFO level (no inspection data).
    info_level: bool,
    /// AWS's answer; `%CONTEXT%` stands for TestState's context object of a Task, Map or
    /// Parallel state (with `RetryCount`).
    expected: &'static str,
}

const BASE: Case = Case {
    name: "",
    definition: "",
    state_name: None,
    input: "{}",
    variables: "{}",
    context: None,
    role: Some(ROLE),
    mock_result: None,
    mock_error: None,
    retrier_retry_count: 0,
    map_iteration_failure_count: None,
    map_item_reader_data: None,
    task_outcome: None,
    info_level: false,
    expected: "",
};

const HELLO: &str = r#"{"Value":"HelloWorld"}"#;
const NESTED: &str = r#"{"initialData":{"fieldFromInput":"value from input","otherField":"other"},"unrelatedData":{"someOtherField":1234}}"#;
const VALUES: &str = r#"{"Values":["first","second","third"]}"#;

const TASK_CATCH: &str = r#"{"Comment":"BASE_TASK_STATE_CATCH","QueryLanguage":"JSONata","Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Arguments":{"FunctionName":"foo","Payload":"bar"},"Catch":[{"ErrorEquals":["MockException"],"Output":"{% $states %}","Next":"HandleMockError"},{"ErrorEquals":["States.TaskFailed"],"Output":"{% $states %}","Next":"HandleThreshold"}],"End":true}"#;
const TASK_RETRY: &str = r#"{"Comment":"BASE_TASK_STATE_RETRY","QueryLanguage":"JSONata","Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Arguments":{"FunctionName":"foo","Payload":"bar"},"Retry":[{"ErrorEquals":["MockException"],"IntervalSeconds":1,"MaxAttempts":5,"BackoffRate":2.0}],"End":true}"#;
const MAP: &str = r#"{"Comment":"BASE_MAP_STATE","Type":"Map","QueryLanguage":"JSONata","Items":"{% $states.input.Values %}","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"TestState","States":{"TestState":{"Type":"Task","QueryLanguage":"JSONata","Resource":"arn:aws:states:::lambda:invoke","Arguments":{"FunctionName":"foo","Payload":"bar"},"End":true}}},"Output":"{% $states %}","End":true}"#;
const MAP_CATCH: &str = r#"{"Comment":"BASE_MAP_STATE_CATCH","Type":"Map","QueryLanguage":"JSONata","Items":"{% $states.input.Values %}","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"TestState","States":{"TestState":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:111111111111:function:yourHelloWorldFunction","End":true}}},"Catch":[{"ErrorEquals":["MockException"],"Output":"{% $states %}","Next":"HandleMockError"},{"ErrorEquals":["States.ExceedToleratedFailureThreshold"],"Output":"{% $states %}","Next":"HandleThreshold"}],"ToleratedFailureCount":1,"End":true}"#;
const MAP_RETRY: &str = r#"{"Comment":"BASE_MAP_STATE_RETRY","Type":"Map","QueryLanguage":"JSONata","Items":"{% $states.input.Values %}","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"TestState","States":{"TestState":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:111111111111:function:yourHelloWorldFunction","End":true}}},"Retry":[{"ErrorEquals":["MockException"],"MaxAttempts":3},{"ErrorEquals":["States.ExceedToleratedFailureThreshold"],"MaxAttempts":2}],"ToleratedFailureCount":1,"End":true}"#;
const MAP_TASK: &str = r#"{"Comment":"MAP_TASK_STATE","Type":"Map","QueryLanguage":"JSONata","Items":"{% $states.input.Values %}","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"TestState","States":{"TestState":{"Type":"Task","QueryLanguage":"JSONata","Resource":"arn:aws:states:::lambda:invoke","Arguments":{"FunctionName":"foo","Payload":"bar"},"End":true}}},"Output":{"result":"{% $map($states.result, function($v) { $v = 1 ? 'pass' : 'failed' }) %}","successCount":"{% $count($states.result[$ = 1]) %}","failedCount":"{% $count($states.result[$ = 0]) %}"},"ToleratedFailureCount":1,"Retry":[{"ErrorEquals":["MockException"],"MaxAttempts":3},{"ErrorEquals":["States.ExceedToleratedFailureThreshold"],"MaxAttempts":2}],"Catch":[{"ErrorEquals":["States.ExceedToleratedFailureThreshold"],"Output":"{% $states %}","Next":"HandleThresholdExceeded"},{"ErrorEquals":["MockException"],"Output":"{% $states %}","Next":"HandleMockException"}],"End":true}"#;
const MAP_MACHINE: &str = r#"{"Comment":"BASE_MAP_STATE_MACHINE","StartAt":"State0","States":{"State0":{"Type":"Map","ItemsPath":"$.Values","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"HandleItem","States":{"HandleItem":{"Type":"Pass","End":true}}},"ToleratedFailureCount":2,"End":true}}}"#;
const READER_MACHINE: &str = r#"{"Comment":"MAP_ITEM_READER_STATE_MACHINE","QueryLanguage":"JSONata","StartAt":"State0","States":{"State0":{"Type":"Map","MaxConcurrency":1,"ItemReader":{"ReaderConfig":{"InputType":"JSON"},"Resource":"arn:aws:states:::s3:getObject","Arguments":{"Bucket":"{% $states.input.Bucket %}","Key":"{% $states.input.Key %}"}},"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"HandleItem","States":{"HandleItem":{"Type":"Pass","End":true}}},"End":true}}}"#;
const MULTI_MACHINE: &str = r#"{"Comment":"BASE_MULTI_STATE_MACHINE","QueryLanguage":"JSONata","StartAt":"State0","States":{"State0":{"Type":"Pass","Next":"State1"},"State1":{"Type":"Fail","Error":"SomeFailure","Cause":"This state machines raises a 'SomeFailure' failure."}}}"#;
const BLOGPOST: &str = r#"{"Comment":"Cost approval workflow","QueryLanguage":"JSONata","StartAt":"Approval Required","States":{"Approval Required":{"Type":"Choice","Choices":[{"Condition":"{% $states.input.cost < 10 %}","Next":"Purchase Approved"}],"Default":"Ask for Approval"},"Purchase Approved":{"Type":"Succeed"},"Ask for Approval":{"Type":"Task","Resource":"arn:aws:states:::apigateway:invoke","Arguments":{"Method":"POST","ApiEndpoint":"example.execute-api.us-east-1.amazonaws.com","Path":"/approval","RequestBody":{"cost":"{% $states.input.cost %}","dept_id":"12345678"},"AuthType":"NO_AUTH"},"Retry":[{"ErrorEquals":["States.ALL"],"BackoffRate":2,"IntervalSeconds":1,"MaxAttempts":3}],"Next":"Check Approval","Output":{"approval":"{% $states.result.approval %}","approval_code":"2387462","approved_by":"Mary"}},"Check Approval":{"Type":"Choice","Choices":[{"Next":"Purchase Approved","Condition":"{% $states.input.approval %}"}],"Default":"Not Approved"},"Not Approved":{"Type":"Fail"}}}"#;
const CONTEXT_TASK: &str = r#"{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName.$":"$.FunctionName","Payload":{"Input.$":"$"}},"ResultSelector":{"LambdaOutput.$":"$","ContextObjectValue.$":"%PATH%"},"End":true}"#;
const CONTEXT_FULL: &str = r#"{"Execution":{"Id":"arn:aws:states:::execution:MyStateMachine:execution-name-12345","Input":{"input-value":0,"message":"test data","values":["charizard","pikachu","bulbasaur"]},"Name":"execution-name-12345","RoleArn":"arn:aws:iam:::role/StepFunctionsRole","StartTime":"2025-01-15T10:30:00.000Z"},"State":{"EnteredTime":"2025-01-15T10:30:01.500Z","Name":"MyTaskState","RetryCount":0},"StateMachine":{"Id":"arn:aws:states:::stateMachine:MyStateMachine","Name":"MyStateMachine"}}"#;
const LAMBDA_INPUT: &str = r#"{"FunctionName":"lambda_function_name","Payload":{"input-value":0}}"#;

fn cases() -> Vec<Case> {
    vec![
        // test_test_state_scenarios: test_base_inspection_level_debug
        Case {
            name: "BASE_PASS_STATE",
            definition: r#"{"Type":"Pass","End":true}"#,
            input: HELLO,
            expected: r#"{"inspectionData":{"afterInputPath":{"Value":"HelloWorld"},"afterParameters":{"Value":"HelloWorld"},"afterResultPath":{"Value":"HelloWorld"},"afterResultSelector":{"Value":"HelloWorld"},"input":{"Value":"HelloWorld"}},"output":{"Value":"HelloWorld"},"status":"SUCCEEDED"}"#,
            ..BASE
        },
        Case {
            name: "BASE_RESULT_PASS_STATE",
            definition: r#"{"Type":"Pass","Result":{"resultKey":"result value"},"End":true}"#,
            input: HELLO,
            expected: r#"{"inspectionData":{"afterResultPath":{"resultKey":"result value"},"afterResultSelector":{"resultKey":"result value"},"input":{"Value":"HelloWorld"},"result":{"resultKey":"result value"}},"output":{"resultKey":"result value"},"status":"SUCCEEDED"}"#,
            ..BASE
        },
        Case {
            name: "IO_PASS_STATE",
            definition: r#"{"Type":"Pass","InputPath":"$.initialData","Parameters":{"staticValue":"some value","inputValue.$":"$.fieldFromInput"},"ResultPath":"$.modifiedData","End":true}"#,
            input: NESTED,
            expected: r#"{"inspectionData":{"afterInputPath":{"fieldFromInput":"value from input","otherField":"other"},"afterParameters":{"staticValue":"some value","inputValue":"value from input"},"afterResultPath":{"initialData":{"fieldFromInput":"value from input","otherField":"other"},"unrelatedData":{"someOtherField":1234},"modifiedData":{"staticValue":"some value","inputValue":"value from input"}},"afterResultSelector":{"staticValue":"some value","inputValue":"value from input"},"input":{"initialData":{"fieldFromInput":"value from input","otherField":"other"},"unrelatedData":{"someOtherField":1234}}},"output":{"initialData":{"fieldFromInput":"value from input","otherField":"other"},"unrelatedData":{"someOtherField":1234},"modifiedData":{"staticValue":"some value","inputValue":"value from input"}},"status":"SUCCEEDED"}"#,
            ..BASE
        },
        Case {
            name: "IO_RESULT_PASS_STATE",
            definition: r#"{"Type":"Pass","InputPath":"$.initialData","Parameters":{"staticValue":"some value","inputValue.$":"$.fieldFromInput"},"Result":{"resultKey":"result value"},"ResultPath":"$.modifiedData","End":true}"#,
            input: NESTED,
            expected: r#"{"inspectionData":{"afterResultPath":{"initialData":{"fieldFromInput":"value from input","otherField":"other"},"unrelatedData":{"someOtherField":1234},"modifiedData":{"resultKey":"result value"}},"afterResultSelector":{"resultKey":"result value"},"input":{"initialData":{"fieldFromInput":"value from input","otherField":"other"},"unrelatedData":{"someOtherField":1234}},"result":{"resultKey":"result value"}},"output":{"initialData":{"fieldFromInput":"value from input","otherField":"other"},"unrelatedData":{"someOtherField":1234},"modifiedData":{"resultKey":"result value"}},"status":"SUCCEEDED"}"#,
            ..BASE
        },
        Case {
            name: "BASE_FAIL_STATE",
            definition: r#"{"Type":"Fail","Error":"SomeFailure","Cause":"This state machines raises a 'SomeFailure' failure."}"#,
            input: HELLO,
            expected: r#"{"cause":"This state machines raises a 'SomeFailure' failure.","error":"SomeFailure","inspectionData":{"afterInputPath":{"Value":"HelloWorld"},"input":{"Value":"HelloWorld"}},"status":"FAILED"}"#,
            ..BASE
        },
        Case {
            name: "BASE_SUCCEED_STATE",
            definition: r#"{"Type":"Succeed"}"#,
            input: HELLO,
            expected: r#"{"inspectionData":{"afterInputPath":{"Value":"HelloWorld"},"input":{"Value":"HelloWorld"}},"output":{"Value":"HelloWorld"},"status":"SUCCEEDED"}"#,
            ..BASE
        },
        Case {
            name: "BASE_CHOICE_STATE",
            definition: r#"{"Type":"Choice","Choices":[{"Not":{"Variable":"$.type","StringEquals":"Private"},"Next":"Public"},{"Variable":"$.value","NumericEquals":0,"Next":"ValueIsZero"},{"And":[{"Variable":"$.value","NumericGreaterThanEquals":20},{"Variable":"$.value","NumericLessThan":30}],"Next":"ValueInTwenties"}],"Default":"DefaultState"}"#,
            input: r#"{"type":"Private","value":22}"#,
            expected: r#"{"inspectionData":{"afterInputPath":{"type":"Private","value":22},"input":{"type":"Private","value":22}},"nextState":"ValueInTwenties","output":{"type":"Private","value":22},"status":"SUCCEEDED"}"#,
            ..BASE
        },
        // test_base_lambda_task_state[DEBUG]: the function returned "HelloWorld!".
        Case {
            name: "BASE_LAMBDA_TASK_STATE",
            definition: r#"{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:111111111111:function:fn","End":true}"#,
            input: r#"{"inputData":"HelloWorld"}"#,
            task_outcome: Some(Ok(r#""HelloWorld!""#)),
            expected: r#"{"inspectionData":{"afterInputPath":{"inputData":"HelloWorld"},"afterParameters":{"inputData":"HelloWorld"},"afterResultPath":"HelloWorld!","afterResultSelector":"HelloWorld!","input":{"inputData":"HelloWorld"},"result":"HelloWorld!"},"output":"HelloWorld!","status":"SUCCEEDED"}"#,
            ..BASE
        },
        // test_test_state_mock_scenarios (INFO)
        Case {
            name: "lambda_service_task_mock_success",
            definition: r#"{"Comment":"BASE_LAMBDA_SERVICE_TASK_STATE","Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName.$":"$.FunctionName","Payload.$":"$.Payload"},"End":true}"#,
            input: r#"{"FunctionName":"fn","Payload":null}"#,
            role: None,
            mock_result: Some(
                r#"{"Payload":"function output","SdkHttpMetadata":{"HttpStatusCode":200}}"#,
            ),
            info_level: true,
            expected: r#"{"output":{"Payload":"function output","SdkHttpMetadata":{"HttpStatusCode":200}},"status":"SUCCEEDED"}"#,
            ..BASE
        },
        Case {
            name: "io_dynamodb_service_task_mock_success[base]",
            definition: r#"{"Type":"Task","Resource":"arn:aws:states:::dynamodb:putItem","Parameters":{"TableName.$":"$.TableName","Item.$":"$.Item"},"End":true}"#,
            input: r#"{"TableName":"table","Item":{"data":{"S":"HelloWorld"},"id":{"S":"id1"}}}"#,
            role: None,
            mock_result: Some(r#"{"SdkHttpMetadata":{"HttpStatusCode":200}}"#),
            info_level: true,
            expected: r#"{"output":{"SdkHttpMetadata":{"HttpStatusCode":200}},"status":"SUCCEEDED"}"#,
            ..BASE
        },
        Case {
            name: "io_dynamodb_service_task_mock_success[io]",
            definition: r#"{"Type":"Task","Resource":"arn:aws:states:::dynamodb:putItem","Parameters":{"TableName.$":"$.TableName","Item.$":"$.Item"},"ResultPath":"$.putItemOutput","End":true}"#,
            input: r#"{"TableName":"table","Item":{"data":{"S":"HelloWorld"},"id":{"S":"id1"}}}"#,
            role: None,
            mock_result: Some(r#"{"SdkHttpMetadata":{"HttpStatusCode":200}}"#),
            info_level: true,
            expected: r#"{"output":{"TableName":"table","Item":{"data":{"S":"HelloWorld"},"id":{"S":"id1"}},"putItemOutput":{"SdkHttpMetadata":{"HttpStatusCode":200}}},"status":"SUCCEEDED"}"#,
            ..BASE
        },
        Case {
            name: "io_dynamodb_service_task_mock_success[io_output_path]",
            definition: r#"{"Type":"Task","Resource":"arn:aws:states:::dynamodb:putItem","Parameters":{"TableName.$":"$.TableName","Item.$":"$.Item"},"ResultPath":"$.putItemOutput","OutputPath":"$.putItemOutput","End":true}"#,
            input: r#"{"TableName":"table","Item":{"data":{"S":"HelloWorld"},"id":{"S":"id1"}}}"#,
            role: None,
            mock_result: Some(r#"{"SdkHttpMetadata":{"HttpStatusCode":200}}"#),
            info_level: true,
            expected: r#"{"output":{"SdkHttpMetadata":{"HttpStatusCode":200}},"status":"SUCCEEDED"}"#,
            ..BASE
        },
        Case {
            name: "base_parallel_state_mock_success",
            definition: r#"{"Type":"Parallel","Branches":[{"StartAt":"B1","States":{"B1":{"Type":"Pass","End":true}}},{"StartAt":"B2","States":{"B2":{"Type":"Pass","End":true}}}],"End":true}"#,
            input: r#"{"key":"value"}"#,
            role: None,
            mock_result: Some(r#"[{"branch1":"result"},{"branch2":"result"}]"#),
            expected: r#"{"inspectionData":{"afterResultPath":[{"branch1":"result"},{"branch2":"result"}],"afterResultSelector":[{"branch1":"result"},{"branch2":"result"}],"input":{"key":"value"}},"output":[{"branch1":"result"},{"branch2":"result"}],"status":"SUCCEEDED"}"#,
            ..BASE
        },
        Case {
            name: "io_parallel_state_mock_success",
            definition: r#"{"Type":"Parallel","InputPath":"$.parallelInput","ResultPath":"$.parallelResult","OutputPath":"$","Branches":[{"StartAt":"B1","States":{"B1":{"Type":"Pass","End":true}}},{"StartAt":"B2","States":{"B2":{"Type":"Pass","End":true}}}],"End":true}"#,
            input: r#"{"parallelInput":{"data":"input_value"}}"#,
            role: None,
            mock_result: Some(r#"[{"branch1":"result"},{"branch2":"result"}]"#),
            expected: r#"{"inspectionData":{"afterResultPath":{"parallelInput":{"data":"input_value"},"parallelResult":[{"branch1":"result"},{"branch2":"result"}]},"afterResultSelector":[{"branch1":"result"},{"branch2":"result"}],"input":{"parallelInput":{"data":"input_value"}}},"output":{"parallelInput":{"data":"input_value"},"parallelResult":[{"branch1":"result"},{"branch2":"result"}]},"status":"SUCCEEDED"}"#,
            ..BASE
        },
        Case {
            name: "io_jsonata_parallel_state_mock_success",
            definition: r#"{"Type":"Parallel","QueryLanguage":"JSONata","Arguments":"{% $states.input.parallelInput %}","Output":{"parallelInput":"{% $states.input.parallelInput %}","parallelResult":"{% $states.result %}"},"Branches":[{"StartAt":"B1","States":{"B1":{"Type":"Pass","End":true}}},{"StartAt":"B2","States":{"B2":{"Type":"Pass","End":true}}}],"End":true}"#,
            input: r#"{"parallelInput":{"data":"input_value"}}"#,
            role: None,
            mock_result: Some(r#"[{"branch1":"result"},{"branch2":"result"}]"#),
            expected: r#"{"inspectionData":{"input":{"parallelInput":{"data":"input_value"}}},"output":{"parallelInput":{"data":"input_value"},"parallelResult":[{"branch1":"result"},{"branch2":"result"}]},"status":"SUCCEEDED"}"#,
            ..BASE
        },
        // test_state_task_catch_error[DEBUG]
        Case {
            name: "task_catch_error[mock exception]",
            definition: TASK_CATCH,
            input: HELLO,
            mock_error: Some(("MockException", "Mock the cause of the error.")),
            expected: r#"{"cause":"Mock the cause of the error.","error":"MockException","inspectionData":{"afterArguments":{"FunctionName":"foo","Payload":"bar"},"errorDetails":{"catchIndex":0},"input":{"Value":"HelloWorld"}},"nextState":"HandleMockError","output":{"input":{"Value":"HelloWorld"},"context":%CONTEXT%,"errorOutput":{"Error":"MockException","Cause":"Mock the cause of the error."}},"status":"CAUGHT_ERROR"}"#,
            ..BASE
        },
        Case {
            name: "task_catch_error[task failed]",
            definition: TASK_CATCH,
            input: HELLO,
            mock_error: Some(("States.TaskFailed", "The task failed.")),
            expected: r#"{"cause":"The task failed.","error":"States.TaskFailed","inspectionData":{"afterArguments":{"FunctionName":"foo","Payload":"bar"},"errorDetails":{"catchIndex":1},"input":{"Value":"HelloWorld"}},"nextState":"HandleThreshold","output":{"input":{"Value":"HelloWorld"},"context":%CONTEXT%,"errorOutput":{"Error":"States.TaskFailed","Cause":"The task failed."}},"status":"CAUGHT_ERROR"}"#,
            ..BASE
        },
        // test_state_configuration: test_state_configuration_retrier_retry_count[DEBUG]
        Case {
            name: "retrier_retry_count[below, with backoff]",
            definition: TASK_RETRY,
            input: VALUES,
            mock_error: Some(("MockException", "Mock the cause of the error.")),
            retrier_retry_count: 4,
            expected: r#"{"cause":"Mock the cause of the error.","error":"MockException","inspectionData":{"afterArguments":{"FunctionName":"foo","Payload":"bar"},"errorDetails":{"retryBackoffIntervalSeconds":16,"retryIndex":0},"input":{"Values":["first","second","third"]}},"status":"RETRIABLE"}"#,
            ..BASE
        },
        Case {
            name: "retrier_retry_count[exceeded]",
            definition: TASK_RETRY,
            input: VALUES,
            mock_error: Some(("MockException", "Mock the cause of the error.")),
            retrier_retry_count: 5,
            expected: r#"{"cause":"Mock the cause of the error.","error":"MockException","inspectionData":{"afterArguments":{"FunctionName":"foo","Payload":"bar"},"errorDetails":{"retryIndex":0},"input":{"Values":["first","second","third"]}},"status":"FAILED"}"#,
            ..BASE
        },
        // test_map_state_failure_count[DEBUG-*]
        Case {
            name: "map_failure_count[BASE_MAP_STATE, below]",
            definition: MAP,
            input: VALUES,
            mock_result: Some("[1,1,1]"),
            map_iteration_failure_count: Some(0),
            expected: r#"{"inspectionData":{"input":{"Values":["first","second","third"]},"maxConcurrency":0},"output":{"input":{"Values":["first","second","third"]},"context":%CONTEXT%,"result":[1,1,1]},"status":"SUCCEEDED"}"#,
            ..BASE
        },
        Case {
            name: "map_failure_count[BASE_MAP_STATE, exceeds]",
            definition: MAP,
            input: VALUES,
            mock_result: Some("[0,0,1]"),
            map_iteration_failure_count: Some(2),
            expected: r#"{"inspectionData":{"input":{"Values":["first","second","third"]},"maxConcurrency":0},"output":{"input":{"Values":["first","second","third"]},"context":%CONTEXT%,"result":[0,0,1]},"status":"SUCCEEDED"}"#,
            ..BASE
        },
        Case {
            name: "map_failure_count[BASE_MAP_STATE_CATCH, below]",
            definition: MAP_CATCH,
            input: VALUES,
            mock_result: Some("[1,1,1]"),
            map_iteration_failure_count: Some(0),
            expected: r#"{"inspectionData":{"input":{"Values":["first","second","third"]},"maxConcurrency":0,"toleratedFailureCount":1},"output":[1,1,1],"status":"SUCCEEDED"}"#,
            ..BASE
        },
        Case {
            name: "map_failure_count[BASE_MAP_STATE_CATCH, exceeds]",
            definition: MAP_CATCH,
            input: VALUES,
            mock_result: Some("[0,0,1]"),
            map_iteration_failure_count: Some(2),
            expected: r#"{"cause":"The specified tolerated failure threshold was exceeded","error":"States.ExceedToleratedFailureThreshold","inspectionData":{"errorDetails":{"catchIndex":1},"input":{"Values":["first","second","third"]},"maxConcurrency":0,"toleratedFailureCount":1},"nextState":"HandleThreshold","output":{"input":{"Values":["first","second","third"]},"context":%CONTEXT%,"errorOutput":{"Error":"States.ExceedToleratedFailureThreshold","Cause":"The specified tolerated failure threshold was exceeded"}},"status":"CAUGHT_ERROR"}"#,
            ..BASE
        },
        Case {
            name: "map_failure_count[BASE_MAP_STATE_RETRY, below]",
            definition: MAP_RETRY,
            input: VALUES,
            mock_result: Some("[1,1,1]"),
            map_iteration_failure_count: Some(0),
            expected: r#"{"inspectionData":{"input":{"Values":["first","second","third"]},"maxConcurrency":0,"toleratedFailureCount":1},"output":[1,1,1],"status":"SUCCEEDED"}"#,
            ..BASE
        },
        Case {
            name: "map_failure_count[BASE_MAP_STATE_RETRY, exceeds]",
            definition: MAP_RETRY,
            input: VALUES,
            mock_result: Some("[0,0,1]"),
            map_iteration_failure_count: Some(2),
            expected: r#"{"cause":"The specified tolerated failure threshold was exceeded","error":"States.ExceedToleratedFailureThreshold","inspectionData":{"errorDetails":{"retryBackoffIntervalSeconds":1,"retryIndex":1},"input":{"Values":["first","second","third"]},"maxConcurrency":0,"toleratedFailureCount":1},"status":"RETRIABLE"}"#,
            ..BASE
        },
        Case {
            name: "map_failure_count[MAP_TASK_STATE, below]",
            definition: MAP_TASK,
            input: VALUES,
            mock_result: Some("[1,1,1]"),
            map_iteration_failure_count: Some(0),
            expected: r#"{"inspectionData":{"input":{"Values":["first","second","third"]},"maxConcurrency":0,"toleratedFailureCount":1},"output":{"result":["pass","pass","pass"],"successCount":3,"failedCount":0},"status":"SUCCEEDED"}"#,
            ..BASE
        },
        Case {
            name: "map_failure_count[MAP_TASK_STATE, exceeds]",
            definition: MAP_TASK,
            input: VALUES,
            mock_result: Some("[0,0,1]"),
            map_iteration_failure_count: Some(2),
            expected: r#"{"cause":"The specified tolerated failure threshold was exceeded","error":"States.ExceedToleratedFailureThreshold","inspectionData":{"errorDetails":{"retryBackoffIntervalSeconds":1,"retryIndex":1},"input":{"Values":["first","second","third"]},"maxConcurrency":0,"toleratedFailureCount":1},"status":"RETRIABLE"}"#,
            ..BASE
        },
        // test_map_state_error_caused_by_state[DEBUG]
        Case {
            name: "map_state_error_caused_by_state",
            definition: MAP,
            input: r#"{"Values":[1,1,1]}"#,
            mock_error: Some(("MockException", "Mock the cause of the error.")),
            expected: r#"{"cause":"Mock the cause of the error.","error":"MockException","inspectionData":{"input":{"Values":[1,1,1]},"maxConcurrency":0},"status":"FAILED"}"#,
            ..BASE
        },
        // test_state_machine_with_state_error[DEBUG]
        Case {
            name: "state_machine_with_state_error[exceeds]",
            definition: MAP_MACHINE,
            state_name: Some("State0"),
            input: VALUES,
            mock_error: Some(("MockException", "Mock the error cause.")),
            map_iteration_failure_count: Some(2),
            expected: r#"{"cause":"Mock the error cause.","error":"MockException","inspectionData":{"afterInputPath":{"Values":["first","second","third"]},"afterItemsPath":["first","second","third"],"input":{"Values":["first","second","third"]},"maxConcurrency":0,"toleratedFailureCount":2},"status":"FAILED"}"#,
            ..BASE
        },
        // test_state_machine_configuration_map_iteration_item_reader[DEBUG]
        Case {
            name: "map_iteration_item_reader",
            definition: READER_MACHINE,
            state_name: Some("State0"),
            input: r#"{"Bucket":"test-bucket","Key":"test-key"}"#,
            mock_result: Some("[1,4,9]"),
            map_item_reader_data: Some("[1,2,3]"),
            expected: r#"{"inspectionData":{"input":{"Bucket":"test-bucket","Key":"test-key"},"maxConcurrency":1},"output":[1,4,9],"status":"SUCCEEDED"}"#,
            ..BASE
        },
        Case {
            name: "map_iteration_item_reader_with_error",
            definition: READER_MACHINE,
            state_name: Some("State0"),
            input: r#"{"Bucket":"test-bucket","Key":"test-key"}"#,
            mock_error: Some(("MockException", "Mock the error cause.")),
            map_iteration_failure_count: Some(2),
            map_item_reader_data: Some("[1,2,3]"),
            expected: r#"{"cause":"Mock the error cause.","error":"MockException","inspectionData":{"input":{"Bucket":"test-bucket","Key":"test-key"},"maxConcurrency":1},"status":"FAILED"}"#,
            ..BASE
        },
        // test_base_map_state_inspect[*-DEBUG]
        Case {
            name: "map_state_inspect[MAX_CONCURRENCY]",
            definition: r#"{"Type":"Map","QueryLanguage":"JSONata","Items":"{% $states.input.Values %}","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"TestState","States":{"TestState":{"Type":"Task","QueryLanguage":"JSONata","Resource":"arn:aws:states:::lambda:invoke","Arguments":{"FunctionName":"foo","Payload":"bar"},"End":true}}},"Output":"{% $states %}","End":true,"MaxConcurrency":"{% $variable := 1 %}"}"#,
            input: r#"{"Values":[1,2,3]}"#,
            mock_result: Some("[1,1,1]"),
            expected: r#"{"inspectionData":{"input":{"Values":[1,2,3]},"maxConcurrency":1},"output":{"input":{"Values":[1,2,3]},"context":%CONTEXT%,"result":[1,1,1]},"status":"SUCCEEDED"}"#,
            ..BASE
        },
        Case {
            name: "map_state_inspect[TOLERATED_FAILURE_PERCENTAGE]",
            definition: r#"{"Type":"Map","QueryLanguage":"JSONata","Items":"{% $states.input.Values %}","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"TestState","States":{"TestState":{"Type":"Task","QueryLanguage":"JSONata","Resource":"arn:aws:states:::lambda:invoke","Arguments":{"FunctionName":"foo","Payload":"bar"},"End":true}}},"Output":"{% $states %}","End":true,"ToleratedFailurePercentage":"{% $variable := 1 %}"}"#,
            input: r#"{"Values":[1,2,3]}"#,
            mock_result: Some("[1,1,1]"),
            expected: r#"{"inspectionData":{"input":{"Values":[1,2,3]},"maxConcurrency":0,"toleratedFailurePercentage":1.0},"output":{"input":{"Values":[1,2,3]},"context":%CONTEXT%,"result":[1,1,1]},"status":"SUCCEEDED"}"#,
            ..BASE
        },
        Case {
            name: "map_state_inspect[TOLERATED_FAILURE_COUNT]",
            definition: r#"{"Type":"Map","QueryLanguage":"JSONata","Items":"{% $states.input.Values %}","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"TestState","States":{"TestState":{"Type":"Task","QueryLanguage":"JSONata","Resource":"arn:aws:states:::lambda:invoke","Arguments":{"FunctionName":"foo","Payload":"bar"},"End":true}}},"Output":"{% $states %}","End":true,"ToleratedFailureCount":"{% $variable := 1 %}"}"#,
            input: r#"{"Values":[1,2,3]}"#,
            mock_result: Some("[1,1,1]"),
            expected: r#"{"inspectionData":{"input":{"Values":[1,2,3]},"maxConcurrency":0,"toleratedFailureCount":1},"output":{"input":{"Values":[1,2,3]},"context":%CONTEXT%,"result":[1,1,1]},"status":"SUCCEEDED"}"#,
            ..BASE
        },
        // test_test_state_machine_scenarios[DEBUG-*]
        Case {
            name: "state_name[BASE_PASS_STATE_MACHINE]",
            definition: r#"{"Comment":"BASE_PASS_STATE_MACHINE","StartAt":"State0","States":{"State0":{"Type":"Pass","End":true}}}"#,
            state_name: Some("State0"),
            input: HELLO,
            role: None,
            expected: r#"{"inspectionData":{"afterInputPath":{"Value":"HelloWorld"},"afterParameters":{"Value":"HelloWorld"},"afterResultPath":{"Value":"HelloWorld"},"afterResultSelector":{"Value":"HelloWorld"},"input":{"Value":"HelloWorld"}},"output":{"Value":"HelloWorld"},"status":"SUCCEEDED"}"#,
            ..BASE
        },
        Case {
            name: "state_name[BASE_FAIL_STATE_MACHINE]",
            definition: r#"{"Comment":"BASE_FAIL_STATE_MACHINE","QueryLanguage":"JSONata","StartAt":"State0","States":{"State0":{"Type":"Fail","Error":"SomeFailure","Cause":"This state machines raises a 'SomeFailure' failure."}}}"#,
            state_name: Some("State0"),
            input: HELLO,
            role: None,
            expected: r#"{"cause":"This state machines raises a 'SomeFailure' failure.","error":"SomeFailure","inspectionData":{"input":{"Value":"HelloWorld"}},"status":"FAILED"}"#,
            ..BASE
        },
        Case {
            name: "state_name[BASE_MAP_STATE_MACHINE, nested]",
            definition: MAP_MACHINE,
            state_name: Some("HandleItem"),
            input: HELLO,
            role: None,
            expected: r#"{"inspectionData":{"afterInputPath":{"Value":"HelloWorld"},"afterParameters":{"Value":"HelloWorld"},"afterResultPath":{"Value":"HelloWorld"},"afterResultSelector":{"Value":"HelloWorld"},"input":{"Value":"HelloWorld"}},"output":{"Value":"HelloWorld"},"status":"SUCCEEDED"}"#,
            ..BASE
        },
        Case {
            name: "state_name_multi_state[State0]",
            definition: MULTI_MACHINE,
            state_name: Some("State0"),
            input: HELLO,
            role: None,
            expected: r#"{"inspectionData":{"input":{"Value":"HelloWorld"}},"nextState":"State1","output":{"Value":"HelloWorld"},"status":"SUCCEEDED"}"#,
            ..BASE
        },
        Case {
            name: "state_name_multi_state[State1]",
            definition: MULTI_MACHINE,
            state_name: Some("State1"),
            input: HELLO,
            role: None,
            expected: r#"{"cause":"This state machines raises a 'SomeFailure' failure.","error":"SomeFailure","inspectionData":{"input":{"Value":"HelloWorld"}},"status":"FAILED"}"#,
            ..BASE
        },
        // test_localstack_blogpost_scenario (TRACE)
        Case {
            name: "blogpost[small purchase]",
            definition: BLOGPOST,
            state_name: Some("Approval Required"),
            input: r#"{"cost":9}"#,
            role: None,
            expected: r#"{"inspectionData":{"input":{"cost":9}},"nextState":"Purchase Approved","output":{"cost":9},"status":"SUCCEEDED"}"#,
            ..BASE
        },
        Case {
            name: "blogpost[large purchase]",
            definition: BLOGPOST,
            state_name: Some("Approval Required"),
            input: r#"{"cost":10}"#,
            role: None,
            expected: r#"{"inspectionData":{"input":{"cost":10}},"nextState":"Ask for Approval","output":{"cost":10},"status":"SUCCEEDED"}"#,
            ..BASE
        },
        Case {
            name: "blogpost[ask for approval]",
            definition: BLOGPOST,
            state_name: Some("Ask for Approval"),
            input: r#"{"cost":10}"#,
            role: None,
            mock_result: Some(r#"{"approval":true}"#),
            expected: r#"{"inspectionData":{"afterArguments":{"Method":"POST","ApiEndpoint":"example.execute-api.us-east-1.amazonaws.com","Path":"/approval","RequestBody":{"cost":10,"dept_id":"12345678"},"AuthType":"NO_AUTH"},"input":{"cost":10},"result":{"approval":true}},"nextState":"Check Approval","output":{"approval":true,"approval_code":"2387462","approved_by":"Mary"},"status":"SUCCEEDED"}"#,
            ..BASE
        },
        Case {
            name: "blogpost[approval granted]",
            definition: BLOGPOST,
            state_name: Some("Check Approval"),
            input: r#"{"approval":true,"approval_code":"2387462","approved_by":"Mary"}"#,
            role: None,
            expected: r#"{"inspectionData":{"input":{"approval":true,"approval_code":"2387462","approved_by":"Mary"}},"nextState":"Purchase Approved","output":{"approval":true,"approval_code":"2387462","approved_by":"Mary"},"status":"SUCCEEDED"}"#,
            ..BASE
        },
        Case {
            name: "blogpost[approval denied]",
            definition: BLOGPOST,
            state_name: Some("Check Approval"),
            input: r#"{"approval":false}"#,
            role: None,
            expected: r#"{"inspectionData":{"input":{"approval":false}},"nextState":"Not Approved","output":{"approval":false},"status":"SUCCEEDED"}"#,
            ..BASE
        },
        // test_state_with_variables[base_expressions] (TRACE)
        Case {
            name: "state_with_variables[base_expressions]",
            definition: r#"{"StartAt":"Init","States":{"Init":{"Type":"Pass","Assign":{"var_input_value.$":"$.input_value","var_constant_1":1},"Next":"State0"},"State0":{"QueryLanguage":"JSONata","Type":"Pass","Output":{"ja_states_context":"{% $states.context %}","ja_states_input":"{% $states.input %}","ja_var_access":"{% $var_input_value %}","ja_expr":"{% $sum($states.input.input_values) + $var_constant_1 %}"},"End":true}}}"#,
            state_name: Some("State0"),
            input: r#"{"input_values":[1,2,3]}"#,
            variables: r#"{"var_input_value":"test_value","var_constant_1":10}"#,
            role: None,
            expected: r#"{"inspectionData":{"input":{"input_values":[1,2,3]},"variables":{"var_input_value":"test_value","var_constant_1":10}},"output":{"ja_states_context":{"Execution":{"Id":"arn:aws:states:us-east-1:111111111111:express:TestMachine:test-exec","Input":{"input_values":[1,2,3]},"Name":"test-exec","RoleArn":null,"StartTime":"2023-11-14T22:13:20.000Z"},"StateMachine":{"Id":"arn:aws:states:us-east-1:111111111111:stateMachine:TestMachine","Name":"TestMachine"},"State":{"Name":"StateName","EnteredTime":"2023-11-14T22:13:20.000Z"}},"ja_states_input":{"input_values":[1,2,3]},"ja_var_access":"test_value","ja_expr":16},"status":"SUCCEEDED"}"#,
            ..BASE
        },
        // test_state_context_object (TRACE)
        Case {
            name: "task_context_object[ALL]",
            definition: "$$",
            input: LAMBDA_INPUT,
            role: None,
            context: Some(CONTEXT_FULL),
            mock_result: Some(r#"{"pokemon":["charizard","pikachu","bulbasaur"]}"#),
            expected: r#"{"inspectionData":{"afterInputPath":{"FunctionName":"lambda_function_name","Payload":{"input-value":0}},"afterParameters":{"Payload":{"Input":{"FunctionName":"lambda_function_name","Payload":{"input-value":0}}},"FunctionName":"lambda_function_name"},"afterResultPath":{"ContextObjectValue":%GIVEN%,"LambdaOutput":{"pokemon":["charizard","pikachu","bulbasaur"]}},"afterResultSelector":{"ContextObjectValue":%GIVEN%,"LambdaOutput":{"pokemon":["charizard","pikachu","bulbasaur"]}},"input":{"FunctionName":"lambda_function_name","Payload":{"input-value":0}},"result":{"pokemon":["charizard","pikachu","bulbasaur"]}},"output":{"ContextObjectValue":%GIVEN%,"LambdaOutput":{"pokemon":["charizard","pikachu","bulbasaur"]}},"status":"SUCCEEDED"}"#,
            ..BASE
        },
        Case {
            name: "task_context_object[EXECUTION_INPUT_VALUES]",
            definition: "$$.Execution.Input.values",
            input: LAMBDA_INPUT,
            role: None,
            context: Some(CONTEXT_FULL),
            mock_result: Some(r#"{"pokemon":["charizard","pikachu","bulbasaur"]}"#),
            expected: r#"{"inspectionData":{"afterInputPath":{"FunctionName":"lambda_function_name","Payload":{"input-value":0}},"afterParameters":{"Payload":{"Input":{"FunctionName":"lambda_function_name","Payload":{"input-value":0}}},"FunctionName":"lambda_function_name"},"afterResultPath":{"ContextObjectValue":["charizard","pikachu","bulbasaur"],"LambdaOutput":{"pokemon":["charizard","pikachu","bulbasaur"]}},"afterResultSelector":{"ContextObjectValue":["charizard","pikachu","bulbasaur"],"LambdaOutput":{"pokemon":["charizard","pikachu","bulbasaur"]}},"input":{"FunctionName":"lambda_function_name","Payload":{"input-value":0}},"result":{"pokemon":["charizard","pikachu","bulbasaur"]}},"output":{"ContextObjectValue":["charizard","pikachu","bulbasaur"],"LambdaOutput":{"pokemon":["charizard","pikachu","bulbasaur"]}},"status":"SUCCEEDED"}"#,
            ..BASE
        },
        Case {
            name: "context_object_edge_cases[EMPTY_OBJECTS]",
            definition: "$$",
            input: LAMBDA_INPUT,
            role: None,
            context: Some(r#"{"Execution":{},"State":{},"StateMachine":{}}"#),
            mock_result: Some(r#"{"pokemon":"pikachu"}"#),
            expected: r#"{"inspectionData":{"afterInputPath":{"FunctionName":"lambda_function_name","Payload":{"input-value":0}},"afterParameters":{"Payload":{"Input":{"FunctionName":"lambda_function_name","Payload":{"input-value":0}}},"FunctionName":"lambda_function_name"},"afterResultPath":{"ContextObjectValue":{"Execution":{},"State":{},"StateMachine":{}},"LambdaOutput":{"pokemon":"pikachu"}},"afterResultSelector":{"ContextObjectValue":{"Execution":{},"State":{},"StateMachine":{}},"LambdaOutput":{"pokemon":"pikachu"}},"input":{"FunctionName":"lambda_function_name","Payload":{"input-value":0}},"result":{"pokemon":"pikachu"}},"output":{"ContextObjectValue":{"Execution":{},"State":{},"StateMachine":{}},"LambdaOutput":{"pokemon":"pikachu"}},"status":"SUCCEEDED"}"#,
            ..BASE
        },
        Case {
            name: "context_object_edge_cases[EMPTY]",
            definition: "$$",
            input: LAMBDA_INPUT,
            role: None,
            context: Some("{}"),
            mock_result: Some(r#"{"pokemon":"pikachu"}"#),
            expected: r#"{"inspectionData":{"afterInputPath":{"FunctionName":"lambda_function_name","Payload":{"input-value":0}},"afterParameters":{"Payload":{"Input":{"FunctionName":"lambda_function_name","Payload":{"input-value":0}}},"FunctionName":"lambda_function_name"},"afterResultPath":{"ContextObjectValue":{},"LambdaOutput":{"pokemon":"pikachu"}},"afterResultSelector":{"ContextObjectValue":{},"LambdaOutput":{"pokemon":"pikachu"}},"input":{"FunctionName":"lambda_function_name","Payload":{"input-value":0}},"result":{"pokemon":"pikachu"}},"output":{"ContextObjectValue":{},"LambdaOutput":{"pokemon":"pikachu"}},"status":"SUCCEEDED"}"#,
            ..BASE
        },
        Case {
            name: "wait_task_context_object",
            definition: r#"{"Comment":"IO_SQS_SERVICE_TASK_WAIT","Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","Parameters":{"QueueUrl":"https://sqs.us-east-1.amazonaws.com/111111111111/test-queue","MessageBody":{"Message":"Hello from Step Functions!","TaskToken.$":"$$.Task.Token"}},"ResultPath":"$.SQS","Next":"NEXT_STATE"}"#,
            role: None,
            context: Some(
                r#"{"Execution":{"Id":"arn:aws:states:::execution:MyStateMachine:execution-name-12345","Input":{"input-value":0,"message":"test data","values":["charizard","pikachu","bulbasaur"]},"Name":"execution-name-12345","RoleArn":"arn:aws:iam:::role/StepFunctionsRole","StartTime":"2025-01-15T10:30:00.000Z"},"State":{"EnteredTime":"2025-01-15T10:30:01.500Z","Name":"MyTaskState","RetryCount":0},"StateMachine":{"Id":"arn:aws:states:::stateMachine:MyStateMachine","Name":"MyStateMachine"},"Task":{"Token":"abcd123"}}"#,
            ),
            mock_result: Some(r#"{"pokemon":["charizard","pikachu","bulbasaur"]}"#),
            expected: r#"{"inspectionData":{"afterInputPath":{},"afterParameters":{"QueueUrl":"https://sqs.us-east-1.amazonaws.com/111111111111/test-queue","MessageBody":{"Message":"Hello from Step Functions!","TaskToken":"abcd123"}},"afterResultPath":{"SQS":{"pokemon":["charizard","pikachu","bulbasaur"]}},"afterResultSelector":{"pokemon":["charizard","pikachu","bulbasaur"]},"input":{},"result":{"pokemon":["charizard","pikachu","bulbasaur"]}},"nextState":"NEXT_STATE","output":{"SQS":{"pokemon":["charizard","pikachu","bulbasaur"]}},"status":"SUCCEEDED"}"#,
            ..BASE
        },
        Case {
            name: "map_context_object[EXECUTION_INPUT_VALUES]",
            definition: r#"{"Type":"Map","ItemsPath":"$$.Execution.Input.values","MaxConcurrency":1,"ItemProcessor":{"StartAt":"HandleItem","States":{"HandleItem":{"Type":"Pass","End":true}}},"End":true}"#,
            input: r#"["fire","electricity","grass"]"#,
            role: None,
            context: Some(CONTEXT_FULL),
            mock_result: Some(r#"["CHARIZARD","PIKACHU","BULBASAUR"]"#),
            expected: r#"{"inspectionData":{"afterInputPath":["fire","electricity","grass"],"afterItemsPath":["charizard","pikachu","bulbasaur"],"afterResultPath":["CHARIZARD","PIKACHU","BULBASAUR"],"afterResultSelector":["CHARIZARD","PIKACHU","BULBASAUR"],"input":["fire","electricity","grass"],"maxConcurrency":1},"output":["CHARIZARD","PIKACHU","BULBASAUR"],"status":"SUCCEEDED"}"#,
            ..BASE
        },
    ]
}

fn info(input: &Value) -> ExecutionInfo {
    let mut info = ExecutionInfo::local("TestMachine", "test-exec", input.clone(), T0);
    info.execution_arn = EXECUTION_ARN.into();
    info.state_machine_arn = MACHINE_ARN.into();
    info
}

fn json(text: &str) -> Value {
    Value::from_json_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// The definition of a case, `$$`-like ones being the ResultSelector of the context
/// object tests' Task.
fn definition(case: &Case) -> String {
    if case.definition.starts_with("$$") {
        CONTEXT_TASK.replace("%PATH%", case.definition)
    } else {
        case.definition.to_owned()
    }
}

/// Runs a case's test.
fn run(case: &Case) -> TestResult {
    let mut definition = json(&definition(case));
    let name = match case.state_name {
        Some(name) => name,
        None => {
            definition = single_state_machine(&definition);
            SINGLE_STATE_NAME
        }
    };
    let parsed = parse(&definition, ParseOptions::default());
    let machine = parsed
        .valid()
        .unwrap_or_else(|d| panic!("{}: {}", case.name, d.aws_message()));
    let input = json(case.input);
    let setup = TestSetup {
        input: input.clone(),
        variables: json(case.variables)
            .as_object()
            .cloned()
            .unwrap_or_default(),
        context: case.context.map(json),
        role_arn: case.role.map(Str::from),
        mock: match (case.mock_result, case.mock_error) {
            (Some(r), _) => Some(Mock::Result(json(r))),
            (None, Some((e, c))) => Some(Mock::Error(Failure::new(e, c))),
            (None, None) => None,
        },
        retrier_retry_count: case.retrier_retry_count,
        map_iteration_failure_count: case.map_iteration_failure_count,
        map_item_reader_data: case.map_item_reader_data.map(json),
    };
    let mut test = StateTest::new(Program::new(machine), name, info(&input), setup)
        .unwrap_or_else(|| panic!("{}: no state {name}", case.name));
    match test.start() {
        TestStep::Done(result) => *result,
        TestStep::RunTask(request) => {
            let outcome = case
                .task_outcome
                .unwrap_or_else(|| panic!("{}: runs the task {request:?}", case.name));
            test.task_done(outcome.map(json).map_err(|(e, c)| Failure::new(e, c)))
        }
    }
}

/// A result as AWS's response shows it, with JSON text as JSON.
fn render(result: &TestResult, info_level: bool) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    let status = match result.status {
        TestStatus::Succeeded => "SUCCEEDED",
        TestStatus::Failed => "FAILED",
        TestStatus::Retriable => "RETRIABLE",
        TestStatus::CaughtError => "CAUGHT_ERROR",
    };
    out.insert("status".into(), json!(status));
    if let Some(o) = &result.output {
        out.insert("output".into(), o.to_serde());
    }
    if let Some(n) = &result.next_state {
        out.insert("nextState".into(), json!(&**n));
    }
    if let Some(f) = &result.failure {
        if let Some(e) = &f.error {
            out.insert("error".into(), json!(&**e));
        }
        if let Some(c) = &f.cause {
            out.insert("cause".into(), json!(&**c));
        }
    }
    if !info_level {
        let i = &result.inspection;
        let mut d = serde_json::Map::new();
        let values = [
            ("input", &i.input),
            ("afterInputPath", &i.after_input_path),
            ("afterParameters", &i.after_parameters),
            ("afterArguments", &i.after_arguments),
            ("result", &i.result),
            ("afterResultSelector", &i.after_result_selector),
            ("afterResultPath", &i.after_result_path),
            ("afterItemsPath", &i.after_items_path),
            ("afterItemSelector", &i.after_item_selector),
        ];
        for (key, value) in values {
            if let Some(v) = value {
                d.insert(key.into(), v.to_serde());
            }
        }
        if let Some(v) = &i.variables {
            d.insert("variables".into(), Value::object(v.clone()).to_serde());
        }
        if let Some(n) = i.max_concurrency {
            d.insert("maxConcurrency".into(), json!(n));
        }
        if let Some(n) = i.tolerated_failure_count {
            d.insert("toleratedFailureCount".into(), json!(n));
        }
        if let Some(p) = i.tolerated_failure_percentage {
            d.insert("toleratedFailurePercentage".into(), json!(p));
        }
        let mut e = serde_json::Map::new();
        if let Some(n) = i.catch_index {
            e.insert("catchIndex".into(), json!(n));
        }
        if let Some(n) = i.retry_index {
            e.insert("retryIndex".into(), json!(n));
        }
        if let Some(n) = i.retry_backoff_seconds {
            e.insert("retryBackoffIntervalSeconds".into(), json!(n));
        }
        if !e.is_empty() {
            d.insert("errorDetails".into(), serde_json::Value::Object(e));
        }
        out.insert("inspectionData".into(), serde_json::Value::Object(d));
    }
    serde_json::Value::Object(out)
}

/// AWS's answer, with the placeholders filled in.
fn expected(case: &Case) -> serde_json::Value {
    let context = json!({
        "Execution": {
            "Id": EXECUTION_ARN,
            "Input": json(case.input).to_serde(),
            "Name": "test-exec",
            "RoleArn": case.role,
            "StartTime": T0_TEXT,
        },
        "StateMachine": {"Id": MACHINE_ARN, "Name": "TestMachine"},
        "State": {"Name": "StateName", "EnteredTime": T0_TEXT, "RetryCount": 0},
    });
    let text = case
        .expected
        .replace("%CONTEXT%", &context.to_string())
        .replace("%GIVEN%", case.context.unwrap_or("null"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", case.name))
}

#[test]
fn aws_recorded_cases() {
    let mut failures = Vec::new();
    for case in cases() {
        let got = render(&run(&case), case.info_level);
        let want = expected(&case);
        if got != want {
            failures.push(format!("{}:\n  got:  {got}\n  want: {want}", case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Cases AWS's recordings do not cover: Baton's expectations, following the engine's
/// behaviour in executions and the rules the recordings show.
fn baton_cases() -> Vec<Case> {
    vec![
        Case {
            name: "a Wait state does not wait",
            definition: r#"{"Type":"Wait","Seconds":3600,"InputPath":"$.a","Next":"After"}"#,
            input: r#"{"a":{"b":1}}"#,
            expected: r#"{"inspectionData":{"afterInputPath":{"b":1},"input":{"a":{"b":1}}},"nextState":"After","output":{"b":1},"status":"SUCCEEDED"}"#,
            ..BASE
        },
        Case {
            name: "a JSONata Wait state does not wait",
            definition: r#"{"Type":"Wait","QueryLanguage":"JSONata","Timestamp":"2050-01-01T00:00:00Z","Output":"{% $states.input.a %}","End":true}"#,
            input: r#"{"a":1}"#,
            expected: r#"{"inspectionData":{"input":{"a":1}},"output":1,"status":"SUCCEEDED"}"#,
            ..BASE
        },
        Case {
            name: "no Choice rule matches",
            definition: r#"{"Type":"Choice","Choices":[{"Variable":"$.a","NumericEquals":1,"Next":"One"}]}"#,
            input: r#"{"a":2}"#,
            expected: r#"{"cause":"No Matches!","error":"States.NoChoiceMatched","inspectionData":{"afterInputPath":{"a":2},"input":{"a":2}},"status":"FAILED"}"#,
            ..BASE
        },
        Case {
            name: "the Task's work is run by the caller, its error caught with ResultPath",
            definition: r#"{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f","Payload.$":"$.p"},"Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.error","Next":"Handle"}],"Next":"After"}"#,
            input: r#"{"p":{"x":1}}"#,
            task_outcome: Some(Err(("Lambda.Unknown", "boom"))),
            expected: r#"{"cause":"boom","error":"Lambda.Unknown","inspectionData":{"afterInputPath":{"p":{"x":1}},"afterParameters":{"FunctionName":"f","Payload":{"x":1}},"errorDetails":{"catchIndex":0},"input":{"p":{"x":1}}},"nextState":"Handle","output":{"p":{"x":1},"error":{"Error":"Lambda.Unknown","Cause":"boom"}},"status":"CAUGHT_ERROR"}"#,
            ..BASE
        },
        Case {
            name: "a retrier with no attempts left, then a catcher",
            definition: r#"{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f"},"Retry":[{"ErrorEquals":["Boom"],"MaxAttempts":2}],"Catch":[{"ErrorEquals":["Other"],"Next":"A"},{"ErrorEquals":["Boom"],"Next":"B"}],"End":true}"#,
            mock_error: Some(("Boom", "it broke")),
            retrier_retry_count: 2,
            expected: r#"{"cause":"it broke","error":"Boom","inspectionData":{"afterInputPath":{},"afterParameters":{"FunctionName":"f"},"errorDetails":{"catchIndex":1,"retryIndex":0},"input":{}},"nextState":"B","output":{"Error":"Boom","Cause":"it broke"},"status":"CAUGHT_ERROR"}"#,
            ..BASE
        },
        Case {
            name: "the backoff is capped by MaxDelaySeconds",
            definition: r#"{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f"},"Retry":[{"ErrorEquals":["States.ALL"],"IntervalSeconds":3,"BackoffRate":3,"MaxAttempts":10,"MaxDelaySeconds":20}],"End":true}"#,
            mock_error: Some(("Boom", "it broke")),
            retrier_retry_count: 3,
            expected: r#"{"cause":"it broke","error":"Boom","inspectionData":{"afterInputPath":{},"afterParameters":{"FunctionName":"f"},"errorDetails":{"retryBackoffIntervalSeconds":20,"retryIndex":0},"input":{}},"status":"RETRIABLE"}"#,
            ..BASE
        },
        Case {
            name: "a path that selects nothing fails the state at once",
            definition: r#"{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName.$":"$.missing"},"Catch":[{"ErrorEquals":["States.ALL"],"Next":"A"}],"End":true}"#,
            input: r#"{"a":1}"#,
            mock_result: Some("{}"),
            expected: r#"{"cause":"An error occurred while executing the state 'StateName' (entered at the event id #2). The JSONPath '$.missing' specified for the field 'FunctionName.$' could not be found in the input '{\"a\":1}'","error":"States.Runtime","inspectionData":{"afterInputPath":{"a":1},"input":{"a":1}},"status":"FAILED"}"#,
            ..BASE
        },
        Case {
            name: "random intrinsics give the inspection the engine's values",
            definition: r#"{"Type":"Pass","Parameters":{"id.$":"States.UUID()","n.$":"States.MathRandom(0, 1000000)"},"End":true}"#,
            expected: "%SAME_AS_OUTPUT%",
            ..BASE
        },
        Case {
            name: "variables: those given and those assigned",
            definition: r#"{"Type":"Pass","QueryLanguage":"JSONata","Assign":{"b":"{% $a + 1 %}"},"Output":"{% $a %}","End":true}"#,
            variables: r#"{"a":1}"#,
            expected: r#"{"inspectionData":{"input":{},"variables":{"a":1,"b":2}},"output":1,"status":"SUCCEEDED"}"#,
            ..BASE
        },
        Case {
            name: "a catcher's Assign",
            definition: r#"{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f"},"Catch":[{"ErrorEquals":["States.ALL"],"Assign":{"err.$":"$.Error"},"Next":"A"}],"End":true}"#,
            mock_error: Some(("Boom", "it broke")),
            expected: r#"{"cause":"it broke","error":"Boom","inspectionData":{"afterInputPath":{},"afterParameters":{"FunctionName":"f"},"errorDetails":{"catchIndex":0},"input":{},"variables":{"err":"Boom"}},"nextState":"A","output":{"Error":"Boom","Cause":"it broke"},"status":"CAUGHT_ERROR"}"#,
            ..BASE
        },
        Case {
            name: "a Parallel's mocked error caught",
            definition: r#"{"Type":"Parallel","Branches":[{"StartAt":"B1","States":{"B1":{"Type":"Pass","End":true}}}],"Catch":[{"ErrorEquals":["Boom"],"ResultPath":"$.e","Next":"A"}],"End":true}"#,
            input: r#"{"k":1}"#,
            mock_error: Some(("Boom", "it broke")),
            expected: r#"{"cause":"it broke","error":"Boom","inspectionData":{"errorDetails":{"catchIndex":0},"input":{"k":1}},"nextState":"A","output":{"k":1,"e":{"Error":"Boom","Cause":"it broke"}},"status":"CAUGHT_ERROR"}"#,
            ..BASE
        },
        Case {
            name: "a Map's ItemSelector and ToleratedFailurePercentage",
            definition: r#"{"Type":"Map","ItemsPath":"$.items","ItemSelector":{"v.$":"$$.Map.Item.Value","i.$":"$$.Map.Item.Index","k.$":"$.k"},"ToleratedFailurePercentage":50,"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"ResultSelector":{"n.$":"States.ArrayLength($)"},"ResultPath":"$.out","End":true}"#,
            input: r#"{"items":["a","b"],"k":0}"#,
            mock_result: Some("[1,2]"),
            map_iteration_failure_count: Some(1),
            expected: r#"{"inspectionData":{"afterInputPath":{"items":["a","b"],"k":0},"afterItemSelector":[{"v":"a","i":0,"k":0},{"v":"b","i":1,"k":0}],"afterItemsPath":["a","b"],"afterResultPath":{"items":["a","b"],"k":0,"out":{"n":2}},"afterResultSelector":{"n":2},"input":{"items":["a","b"],"k":0},"maxConcurrency":0,"toleratedFailurePercentage":50.0},"output":{"items":["a","b"],"k":0,"out":{"n":2}},"status":"SUCCEEDED"}"#,
            ..BASE
        },
        Case {
            name: "a Map's failures over ToleratedFailurePercentage",
            definition: r#"{"Type":"Map","ItemsPath":"$.items","ToleratedFailurePercentage":50,"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}"#,
            input: r#"{"items":["a","b","c"]}"#,
            mock_result: Some("[1,2,3]"),
            map_iteration_failure_count: Some(2),
            expected: r#"{"cause":"The specified tolerated failure threshold was exceeded","error":"States.ExceedToleratedFailureThreshold","inspectionData":{"afterInputPath":{"items":["a","b","c"]},"afterItemsPath":["a","b","c"],"input":{"items":["a","b","c"]},"maxConcurrency":0,"toleratedFailurePercentage":50.0},"status":"FAILED"}"#,
            ..BASE
        },
        Case {
            name: "TestState's context object, with the task token of a callback",
            definition: r#"{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","Parameters":{"QueueUrl":"q","MessageBody.$":"$$"},"End":true}"#,
            mock_result: Some("{}"),
            info_level: true,
            expected: "%CONTEXT_IN_REQUEST%",
            ..BASE
        },
    ]
}

#[test]
fn baton_cases_behave() {
    let mut failures = Vec::new();
    for case in baton_cases() {
        let result = run(&case);
        let ok = match case.expected {
            "%SAME_AS_OUTPUT%" => {
                let output = result.output.clone().expect("an output");
                result.inspection.after_parameters.as_ref() == Some(&output)
                    && result.inspection.after_result_path.as_ref() == Some(&output)
                    && output.get("id").is_some_and(Value::is_string)
            }
            "%CONTEXT_IN_REQUEST%" => {
                let context = result
                    .inspection
                    .after_parameters
                    .as_ref()
                    .and_then(|p| p.get("MessageBody"));
                let token = context
                    .and_then(|c| c.get("Task"))
                    .and_then(|t| t.get("Token"));
                let state = context.and_then(|c| c.get("State"));
                token.is_some_and(Value::is_string)
                    && state.and_then(|s| s.get("Name")) == Some(&Value::from("StateName"))
                    && state.and_then(|s| s.get("RetryCount")) == Some(&Value::from(0u64))
                    && context
                        .and_then(|c| c.get("Execution"))
                        .and_then(|e| e.get("RoleArn"))
                        == Some(&Value::from(ROLE))
            }
            _ => {
                let got = render(&result, case.info_level);
                let want = expected(&case);
                if got != want {
                    failures.push(format!("{}:\n  got:  {got}\n  want: {want}", case.name));
                }
                continue;
            }
        };
        if !ok {
            failures.push(format!("{}: {result:?}", case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_single_state_is_tested_in_a_machine_that_validates() {
    let state = json(
        r#"{"Type":"Choice","Choices":[{"Variable":"$.a","IsPresent":true,"Next":"A"}],"Default":"B"}"#,
    );
    let machine = single_state_machine(&state);
    assert_eq!(
        machine.to_json_string(),
        r#"{"StartAt":"StateName","States":{"StateName":{"Type":"Choice","Choices":[{"Variable":"$.a","IsPresent":true,"Next":"A"}],"Default":"B"},"B":{"Type":"Succeed"},"A":{"Type":"Succeed"}}}"#
    );
    assert!(
        !parse(&machine, ParseOptions::default())
            .diagnostics
            .has_errors()
    );
}

#[test]
fn a_state_not_in_the_machine_is_not_found() {
    let machine = parse(
        &json(r#"{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}"#),
        ParseOptions::default(),
    )
    .valid()
    .unwrap();
    let none = StateTest::new(
        Program::new(machine),
        "B",
        info(&Value::empty_object()),
        TestSetup::default(),
    );
    assert!(none.is_none());
}
