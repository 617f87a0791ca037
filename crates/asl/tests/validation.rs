//! Definitions and the problems AWS reports for them: code, location and message.
//!
//! Cases marked `aws` are recorded from AWS (CreateStateMachine errors and
//! ValidateStateMachineDefinition diagnostics, as published in public test suites and
//! issue reports); the others pin this implementation's wording, which follows AWS's
//! style but is not verified against AWS.

use baton_asl::definition::{MachineType, ParseOptions, parse_text};
use baton_asl::{Code, Diagnostic};

/// One case: where the wording comes from, the definition, the machine type, and every
/// error expected, in order, as `(code, location, message)`.
struct Case {
    aws: bool,
    name: &'static str,
    definition: &'static str,
    express: bool,
    expected: &'static [(&'static str, &'static str, &'static str)],
}

const fn aws(
    name: &'static str,
    definition: &'static str,
    expected: &'static [(&'static str, &'static str, &'static str)],
) -> Case {
    Case {
        aws: true,
        name,
        definition,
        express: false,
        expected,
    }
}

const fn ours(
    name: &'static str,
    definition: &'static str,
    expected: &'static [(&'static str, &'static str, &'static str)],
) -> Case {
    Case {
        aws: false,
        name,
        definition,
        express: false,
        expected,
    }
}

const fn express(case: Case) -> Case {
    Case {
        express: true,
        ..case
    }
}

const SVF: &str = "SCHEMA_VALIDATION_FAILED";
const MTT: &str = "MISSING_TRANSITION_TARGET";

#[rustfmt::skip]
const CASES: &[Case] = &[
    // ---- The document and the top level ----
    aws("blank", " ", &[(SVF, "", "Definition must be a valid JSON object")]),
    aws("empty object", "{}", &[(SVF, "/", "These fields are required: [States, StartAt]")]),
    aws("no StartAt", r#"{"States": {"StartState": {"Type": "Pass", "End": true}}}"#,
        &[(SVF, "/", "These fields are required: [StartAt]")]),
    aws("no States", r#"{"StartAt": "A"}"#, &[(SVF, "/", "These fields are required: [States]")]),
    ours("not an object", "[1]", &[(SVF, "", "Definition must be a valid JSON object")]),
    ours("unknown top-level field", r#"{"StartAt": "A", "Coment": "x", "States": {"A": {"Type": "Succeed"}}}"#,
        &[(SVF, "/", "Field 'Coment' is not supported")]),
    ours("Version", r#"{"StartAt": "A", "Version": "2.0", "States": {"A": {"Type": "Succeed"}}}"#,
        &[(SVF, "/Version", "The field 'Version' should have one of these values: [1.0]")]),
    ours("TimeoutSeconds zero", r#"{"StartAt": "A", "TimeoutSeconds": 0, "States": {"A": {"Type": "Succeed"}}}"#,
        &[(SVF, "/TimeoutSeconds", "The value of the field 'TimeoutSeconds' must be between 1 and 99999999")]),
    ours("TimeoutSeconds type", r#"{"StartAt": "A", "TimeoutSeconds": "5", "States": {"A": {"Type": "Succeed"}}}"#,
        &[(SVF, "/TimeoutSeconds", "Expected value of type 'integer', but was 'string'")]),
    ours("StartAt type", r#"{"StartAt": 1, "States": {"A": {"Type": "Succeed"}}}"#,
        &[(SVF, "/StartAt", "Expected value of type 'string', but was 'number'")]),
    ours("empty States", r#"{"StartAt": "A", "States": {}}"#,
        &[(SVF, "/States", "Value cannot be empty"), (MTT, "/StartAt", "Missing 'Next' target: A")]),
    ours("long state name", r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"}, "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB": {"Type": "Succeed"}}}"#,
        &[("INVALID_STATE_NAME", "/States/BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", "State name must be between 1 and 80 characters long")]),

    // ---- States: type and common fields ----
    aws("unknown Type", r#"{"Comment": "Base state machine with a state that is not a valid state definition.", "StartAt": "ExistingButInvalidState", "States": {"ExistingButInvalidState": {"Type": "TypeThatDoesNotExist", "End": true}}}"#,
        &[(SVF, "/States/ExistingButInvalidState/Type", "The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]")]),
    ours("no Type", r#"{"StartAt": "A", "States": {"A": {"End": true}}}"#,
        &[(SVF, "/States/A", "These fields are required: [Type]")]),
    aws("TimeoutSeconds on Pass", r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "TimeoutSeconds": 5, "End": true}}}"#,
        &[(SVF, "/States/P", "Field 'TimeoutSeconds' is not supported")]),
    aws("Catch on Pass", r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "Catch": [], "End": true}}}"#,
        &[(SVF, "/States/P", "Field 'Catch' is not supported")]),
    aws("Retry on Wait", r#"{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "Retry": [], "End": true}}}"#,
        &[(SVF, "/States/W", "Field 'Retry' is not supported")]),
    ours("End on Succeed", r#"{"StartAt": "S", "States": {"S": {"Type": "Succeed", "End": true}}}"#,
        &[(SVF, "/States/S", "Field 'End' is not supported")]),
    ours("neither Next nor End", r#"{"StartAt": "P", "States": {"P": {"Type": "Pass"}, "Q": {"Type": "Succeed"}}}"#,
        &[(SVF, "/States/P", "These fields are required: [Next or End]"), (MTT, "/States/Q", "State \"Q\" is not reachable.")]),
    ours("both Next and End", r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "Next": "Q", "End": true}, "Q": {"Type": "Succeed"}}}"#,
        &[(SVF, "/States/P", "Only one of the fields [Next, End] may be set")]),
    ours("InputPath not a path", r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": "x", "End": true}}}"#,
        &[(SVF, "/States/P/InputPath", "The value for the field 'InputPath' must be a valid JSONPath")]),
    ours("ResultPath not a reference path", r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "ResultPath": "$.a[*]", "End": true}}}"#,
        &[(SVF, "/States/P/ResultPath", "The value for the field 'ResultPath' must be a valid ReferencePath")]),

    // ---- Query languages ----
    aws("JSONPath state under a JSONata machine", r#"{"StartAt": "Pass", "States": {"Pass": {"Type": "Pass", "End": true, "QueryLanguage": "JSONPath"}}, "QueryLanguage": "JSONata"}"#,
        &[(SVF, "/States/Pass", "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine")]),
    aws("JSONata field in a JSONPath state", r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "Output": {}, "End": true}}}"#,
        &[(SVF, "/States/P", "The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported for the 'JSONata' QueryLanguage")]),
    aws("a Map's language is not its item processor's", r#"{"StartAt": "M", "States": {"M": {"Type": "Map", "QueryLanguage": "JSONata", "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "Output": {}, "End": true}}}, "End": true}}}"#,
        &[(SVF, "/States/M/ItemProcessor/States/P", "The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported for the 'JSONata' QueryLanguage")]),
    aws("a JSONPath state in a JSONata Map of a JSONPath machine", r#"{"StartAt": "Map", "QueryLanguage": "JSONPath", "States": {"Map": {"Type": "Map", "QueryLanguage": "JSONata", "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Pass", "States": {"Pass": {"QueryLanguage": "JSONPath", "Type": "Pass", "End": true}}}, "End": true}}}"#,
        &[]),
    aws("QueryLanguage in an item processor", r#"{"StartAt": "M", "States": {"M": {"Type": "Map", "ItemProcessor": {"QueryLanguage": "JSONPath", "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "End": true}}}"#,
        &[(SVF, "/States/M/ItemProcessor", "Field 'QueryLanguage' is not supported")]),
    ours("JSONPath field in a JSONata state", r#"{"QueryLanguage": "JSONata", "StartAt": "X", "States": {"X": {"Type": "Pass", "End": true, "InputPath": "$.a"}}}"#,
        &[(SVF, "/States/X", "The QueryLanguage is set to 'JSONata', but field 'InputPath' is only supported for the 'JSONPath' QueryLanguage")]),
    ours("unknown QueryLanguage", r#"{"StartAt": "X", "States": {"X": {"Type": "Pass", "QueryLanguage": "jsonata", "Output": 1, "End": true}}}"#,
        &[(SVF, "/States/X/QueryLanguage", "The field 'QueryLanguage' should have one of these values: [JSONata, JSONPath]")]),
    ours("JSONata fields accepted", r#"{"QueryLanguage": "JSONata", "StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Arguments": {"FunctionName": "f", "Payload": "{% $states.input %}"}, "Output": "{% $states.result.Payload %}", "Assign": {"x": "{% 1 %}"}, "TimeoutSeconds": "{% 5 %}", "Next": "W"}, "W": {"Type": "Wait", "Seconds": "{% 1 %}", "Next": "C"}, "C": {"Type": "Choice", "Choices": [{"Condition": "{% $x = 1 %}", "Next": "S"}], "Default": "F"}, "S": {"Type": "Succeed", "Output": "{% 1 %}"}, "F": {"Type": "Fail", "Error": "{% 'E' %}", "Cause": "c"}}}"#,
        &[]),
    ours("$eval is forbidden", r#"{"QueryLanguage": "JSONata", "StartAt": "X", "States": {"X": {"Type": "Pass", "Output": {"v": "{% $eval('1 + 1') %}"}, "End": true}}}"#,
        &[("UNSUPPORTED_JSONATA_EXPRESSION", "/States/X/Output", "The JSONata function $eval is not supported by Step Functions")]),
    ours("a JSONata syntax error points at its character", r#"{"QueryLanguage": "JSONata", "StartAt": "X", "States": {"X": {"Type": "Pass", "Output": {"v": "{% 1 + %}"}, "End": true}}}"#,
        &[("INVALID_JSONATA_EXPRESSION", "/States/X/Output/v", "The JSONata expression is not valid at position 3: S0207: Unexpected end of expression")]),
    ours("JSONata states in a JSONPath machine", r#"{"StartAt": "X", "States": {"X": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% 1 %}", "Next": "Y"}, "Y": {"Type": "Pass", "Parameters": {"a.$": "$"}, "End": true}}}"#,
        &[]),

    // ---- Transitions, terminal states, reachability, names ----
    aws("missing target and unreachable state", r#"{"StartAt": "pass1", "States": {"pass1": {"Type": "Pass", "Next": "pass3"}, "pass2": {"Type": "Pass", "End": true}}}"#,
        &[(MTT, "/States/pass1/Next", "Missing 'Next' target: pass3"), (MTT, "/States/pass2", "State \"pass2\" is not reachable.")]),
    aws("StartAt names no state", r#"{"StartAt": "aws_own.run_step", "States": {"run_step": {"Type": "Pass", "End": true}}}"#,
        &[(MTT, "/StartAt", "Missing 'Next' target: aws_own.run_step"), (MTT, "/States/run_step", "State \"run_step\" is not reachable.")]),
    aws("no terminal state", r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}}}"#,
        &[("MISSING_END_STATE", "", "Workflow has no terminal state")]),
    aws("no terminal state hides unreachable states", r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}, "D": {"Type": "Pass", "Next": "A"}}}"#,
        &[("MISSING_END_STATE", "", "Workflow has no terminal state")]),
    aws("an unreachable terminal state counts", r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}, "C": {"Type": "Succeed"}}}"#,
        &[(MTT, "/States/C", "State \"C\" is not reachable.")]),
    aws("dangling Next and no terminal state", r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "NOPE"}}}"#,
        &[(MTT, "/States/A/Next", "Missing 'Next' target: NOPE"), ("MISSING_END_STATE", "", "Workflow has no terminal state")]),
    aws("dangling Choice and Catch targets", r#"{"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsNull": true, "Next": "X1"}], "Default": "X2"}, "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "X3"}], "End": true}}}"#,
        &[(MTT, "/States/C/Choices[0]/Next", "Missing 'Next' target: X1"), (MTT, "/States/C/Default", "Missing 'Next' target: X2"), (MTT, "/States/T/Catch[0]/Next", "Missing 'Next' target: X3"), (MTT, "/States/T", "State \"T\" is not reachable.")]),
    aws("dangling Default in an item processor", r#"{"StartAt": "Link Scenarios", "States": {"Link Scenarios": {"Type": "Map", "ItemProcessor": {"StartAt": "It is time to choose", "States": {"It is time to choose": {"Type": "Choice", "Choices": [{"Variable": "$.timeToChoose", "IsPresent": true, "Next": "Pass 1"}], "Default": "Pass 2"}, "Pass 1": {"Type": "Succeed"}}}, "End": true}}}"#,
        &[(MTT, "/States/Link Scenarios/ItemProcessor/States/It is time to choose/Default", "Missing 'Next' target: Pass 2")]),
    ours("duplicate names across branches", r#"{"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}, {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}], "Next": "A"}, "A": {"Type": "Succeed"}}}"#,
        &[("DUPLICATE_STATE_NAME", "/States/P/Branches[0]/States/A", "Duplicate State name: A"), ("DUPLICATE_STATE_NAME", "/States/P/Branches[1]/States/A", "Duplicate State name: A")]),
    ours("a name twice in one States object", r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}, "A": {"Type": "Succeed"}}}"#,
        &[("DUPLICATE_STATE_NAME", "/States/A", "Duplicate State name: A")]),
    ours("transitions stay in their branch", r#"{"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Pass", "Next": "Out"}}}], "Next": "Out"}, "Out": {"Type": "Succeed"}}}"#,
        &[(MTT, "/States/P/Branches[0]/States/B/Next", "Missing 'Next' target: Out"), ("MISSING_END_STATE", "/States/P/Branches[0]", "Workflow has no terminal state")]),

    // ---- Task ----
    aws("unknown optimized integration", r#"{"StartAt": "Query", "States": {"Query": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:query", "End": true}}}"#,
        &[(SVF, "/States/Query/Resource", "The resource provided arn:aws:states:::dynamodb:query is not recognized. The value is not a valid resource ARN, or the resource is not available in this region.")]),
    aws("empty Credentials", r#"{"StartAt": "State0", "QueryLanguage": "JSONata", "States": {"State0": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Arguments": "{% $state.input %}", "Credentials": {}, "End": true}}}"#,
        &[(SVF, "/States/State0/Credentials", "The field 'RoleArn' is required but was missing")]),
    aws("Credentials without RoleArn", r#"{"StartAt": "State0", "QueryLanguage": "JSONata", "States": {"State0": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Arguments": "{% $state.input %}", "Credentials": {"InvalidField": "invalid"}, "End": true}}}"#,
        &[(SVF, "/States/State0/Credentials", "The field 'RoleArn' is required but was missing")]),
    ours("no Resource", r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "End": true}}}"#,
        &[(SVF, "/States/T", "These fields are required: [Resource]")]),
    ours("Task timeouts", r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "TimeoutSeconds": 10, "HeartbeatSeconds": 10, "End": true}}}"#,
        &[(SVF, "/States/T/HeartbeatSeconds", "The value of the field 'HeartbeatSeconds' must be smaller than the value of the field 'TimeoutSeconds'")]),
    ours("Task timeout bounds", r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "TimeoutSeconds": 0, "HeartbeatSecondsPath": "$.h", "HeartbeatSeconds": 1.5, "End": true}}}"#,
        &[(SVF, "/States/T/TimeoutSeconds", "The value of the field 'TimeoutSeconds' must be between 1 and 99999999"), (SVF, "/States/T/HeartbeatSeconds", "Expected value of type 'integer', but was 'number'"), (SVF, "/States/T", "Only one of the fields [HeartbeatSeconds, HeartbeatSecondsPath] may be set")]),
    ours("Arguments in a JSONPath Task", r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Arguments": {}, "End": true}}}"#,
        &[(SVF, "/States/T", "The QueryLanguage is set to 'JSONPath', but field 'Arguments' is only supported for the 'JSONata' QueryLanguage")]),
    express(aws("Express: activity", r#"{"StartAt": "ActivityTask", "States": {"ActivityTask": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:111111111111:activity:a", "End": true}}}"#,
        &[(SVF, "/States/ActivityTask/Resource", "Express state machine does not support Activity ARN")])),
    express(aws("Express: .sync", r#"{"StartAt": "StartExecution", "States": {"StartExecution": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync", "End": true}}}"#,
        &[(SVF, "/States/StartExecution/Resource", "Express state machine does not support '.sync' service integration")])),
    express(aws("Express: .waitForTaskToken", r#"{"StartAt": "Publish", "States": {"Publish": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish.waitForTaskToken", "End": true}}}"#,
        &[(SVF, "/States/Publish/Resource", "Express state machine does not support '.waitForTaskToken' service integration ")])),

    // ---- Retry and Catch ----
    ours("Retry bounds", r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 0, "MaxAttempts": -1, "BackoffRate": 0.5, "MaxDelaySeconds": 0, "JitterStrategy": "SOME"}], "End": true}}}"#,
        &[(SVF, "/States/T/Retry[0]/IntervalSeconds", "The value of the field 'IntervalSeconds' must be between 1 and 99999999"), (SVF, "/States/T/Retry[0]/MaxAttempts", "The value of the field 'MaxAttempts' must be between 0 and 99999999"), (SVF, "/States/T/Retry[0]/BackoffRate", "The value of the field 'BackoffRate' must be greater than or equal to 1.0"), (SVF, "/States/T/Retry[0]/MaxDelaySeconds", "The value of the field 'MaxDelaySeconds' must be between 1 and 31622400"), (SVF, "/States/T/Retry[0]/JitterStrategy", "The field 'JitterStrategy' should have one of these values: [FULL, NONE]")]),
    ours("Catch needs ErrorEquals and Next", r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Catch": [{"ResultPath": "$.e"}], "End": true}}}"#,
        &[(SVF, "/States/T/Catch[0]", "These fields are required: [ErrorEquals, Next]")]),
    ours("empty ErrorEquals", r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Retry": [{"ErrorEquals": []}], "End": true}}}"#,
        &[(SVF, "/States/T/Retry[0]/ErrorEquals", "Value cannot be empty")]),

    // ---- Choice ----
    aws("Choice without Choices", r#"{"StartAt": "Run Providers", "States": {"Run Providers": {"Type": "Parallel", "Branches": [{"StartAt": "Choose provider", "States": {"Choose provider": {"Type": "Choice", "Default": "Done"}, "Done": {"Type": "Succeed"}}}], "End": true}}}"#,
        &[(SVF, "/States/Run Providers/Branches[0]/States/Choose provider", "These fields are required: [Choices]")]),
    aws("Choice rule without Next", r#"{"StartAt": "Pass", "States": {"Pass": {"Type": "Pass", "Next": "Choice"}, "Choice": {"Type": "Choice", "Choices": [{"Variable": "$", "StringMatches": "Test"}], "Default": "Success"}, "Success": {"Type": "Succeed"}}}"#,
        &[(SVF, "/States/Choice/Choices[0]", "These fields are required: [Next]")]),
    ours("Choice rule with two operators", r#"{"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsNull": true, "IsString": true, "Next": "S"}]}, "S": {"Type": "Succeed"}}}"#,
        &[(SVF, "/States/C/Choices[0]", "A Choice Rule must have exactly one comparison operator, or one of And, Or, Not")]),
    ours("JSONata rule without Condition", r#"{"QueryLanguage": "JSONata", "StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [{"Next": "S"}]}, "S": {"Type": "Succeed"}}}"#,
        &[(SVF, "/States/C/Choices[0]", "These fields are required: [Condition]")]),

    // ---- Wait and Fail ----
    aws("Wait: timestamp without zone", r#"{"StartAt": "WaitUntil", "States": {"WaitUntil": {"Type": "Wait", "Timestamp": "2016-12-05T21:29:29", "End": true}}}"#,
        &[(SVF, "/States/WaitUntil/Timestamp", "String does not match RFC3339 timestamp")]),
    aws("Wait: JSONata in a JSONPath state", r#"{"StartAt": "WaitUntil", "States": {"WaitUntil": {"Type": "Wait", "Timestamp": "{% '2016-03-14T01:59:00Z' %}", "End": true}}}"#,
        &[(SVF, "/States/WaitUntil/Timestamp", "String does not match RFC3339 timestamp")]),
    ours("Wait: two fields", r#"{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "SecondsPath": "$.s", "End": true}}}"#,
        &[(SVF, "/States/W", "Exactly one of the fields [Seconds, Timestamp, SecondsPath, TimestampPath] must be set")]),
    ours("Wait: none", r#"{"StartAt": "W", "States": {"W": {"Type": "Wait", "End": true}}}"#,
        &[(SVF, "/States/W", "Exactly one of the fields [Seconds, Timestamp, SecondsPath, TimestampPath] must be set")]),
    ours("Wait: negative seconds", r#"{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": -1, "End": true}}}"#,
        &[(SVF, "/States/W/Seconds", "The value of the field 'Seconds' must be between 0 and 99999999")]),
    ours("Fail: Error and ErrorPath", r#"{"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "ErrorPath": "$.e"}}}"#,
        &[(SVF, "/States/F", "Only one of the fields [Error, ErrorPath] may be set")]),
    ours("Fail: InputPath", r#"{"StartAt": "F", "States": {"F": {"Type": "Fail", "InputPath": "$"}}}"#,
        &[(SVF, "/States/F", "Field 'InputPath' is not supported")]),

    // ---- Parallel and Map ----
    aws("Parallel without branches", r#"{"StartAt": "StateName", "States": {"StateName": {"Type": "Parallel", "Branches": [], "End": true}}}"#,
        &[(SVF, "/States/StateName/Branches", "Value cannot be empty")]),
    ours("Map without processor", r#"{"StartAt": "M", "States": {"M": {"Type": "Map", "End": true}}}"#,
        &[(SVF, "/States/M", "These fields are required: [ItemProcessor]")]),
    ours("Map bounds", r#"{"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": -1, "ToleratedFailurePercentage": 101, "ToleratedFailureCount": 1, "ToleratedFailureCountPath": "$.n", "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "End": true}}}"#,
        &[(SVF, "/States/M/MaxConcurrency", "The value of the field 'MaxConcurrency' must be between 0 and 18446744073709551615"), (SVF, "/States/M", "Only one of the fields [ToleratedFailureCount, ToleratedFailureCountPath] may be set"), (SVF, "/States/M/ToleratedFailurePercentage", "The value of the field 'ToleratedFailurePercentage' must be between 0 and 100")]),
    ours("Map label", r#"{"StartAt": "M", "States": {"M": {"Type": "Map", "Label": "a b", "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "End": true}}}"#,
        &[("INVALID_LABEL_NAME", "/States/M/Label", "The Label must be 1 to 40 characters long, without whitespace, brackets, wildcards, special or control characters")]),
    ours("Map processor config", r#"{"StartAt": "M", "States": {"M": {"Type": "Map", "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "End": true}}}"#,
        &[(SVF, "/States/M/ItemProcessor/ProcessorConfig", "These fields are required: [ExecutionType]")]),
    ours("Map dataset fields", r#"{"StartAt": "M", "States": {"M": {"Type": "Map", "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "XML", "MaxItems": 10}, "Parameters": {"Bucket": "b", "Key": "k"}}, "ItemBatcher": {"MaxInputBytesPerBatch": 300000}, "ResultWriter": {"Resource": "arn:aws:states:::s3:getObject", "WriterConfig": {"OutputType": "CSV"}}, "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}, "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "End": true}}}"#,
        &[(SVF, "/States/M/ItemReader/ReaderConfig/InputType", "The field 'InputType' should have one of these values: [CSV, JSON, JSONL, MANIFEST, PARQUET]"), (SVF, "/States/M/ItemBatcher/MaxInputBytesPerBatch", "The value of the field 'MaxInputBytesPerBatch' must be between 0 and 262144"), (SVF, "/States/M/ResultWriter/Resource", "The resource provided arn:aws:states:::s3:getObject is not recognized. The value is not a valid resource ARN, or the resource is not available in this region."), (SVF, "/States/M/ResultWriter/WriterConfig/OutputType", "The field 'OutputType' should have one of these values: [JSON, JSONL]")]),
    ours("Map legacy Iterator with ProcessorConfig", r#"{"StartAt": "M", "States": {"M": {"Type": "Map", "Iterator": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "Parameters": {"a.$": "$"}, "End": true}}}"#,
        &[]),
];

fn errors(case: &Case) -> Vec<Diagnostic> {
    let options = ParseOptions {
        machine_type: if case.express {
            MachineType::Express
        } else {
            MachineType::Standard
        },
    };
    parse_text(case.definition, None, options)
        .diagnostics
        .into_vec()
        .into_iter()
        .filter(|d| d.severity == baton_asl::Severity::Error)
        .collect()
}

#[test]
fn every_case_reports_exactly_the_expected_problems() {
    let mut failures = Vec::new();
    for case in CASES {
        let actual: Vec<(String, String, String)> = errors(case)
            .iter()
            .map(|d| {
                (
                    d.code.as_str().to_owned(),
                    d.location.clone(),
                    d.message.clone(),
                )
            })
            .collect();
        let expected: Vec<(String, String, String)> = case
            .expected
            .iter()
            .map(|(c, l, m)| ((*c).to_owned(), (*l).to_owned(), (*m).to_owned()))
            .collect();
        if actual != expected {
            failures.push(format!(
                "{} ({}):\n  expected {expected:#?}\n  actual   {actual:#?}",
                case.name,
                if case.aws { "recorded on AWS" } else { "ours" }
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn messages_render_as_aws_invalid_definition_errors() {
    let recorded = [
        (
            r#"{"StartAt": "pass1", "States": {"pass1": {"Type": "Pass", "Next": "pass3"}, "pass2": {"Type": "Pass", "End": true}}}"#,
            "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: pass3 at /States/pass1/Next, MISSING_TRANSITION_TARGET: State \"pass2\" is not reachable. at /States/pass2'",
        ),
        (
            r#"{"StartAt": "A"}"#,
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These fields are required: [States] at /'",
        ),
        (
            r#"{"StartAt": "StateName", "States": {"StateName": {"Type": "Parallel", "Branches": [], "End": true}}}"#,
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Value cannot be empty at /States/StateName/Branches'",
        ),
    ];
    for (definition, message) in recorded {
        let parsed = parse_text(definition, None, ParseOptions::default());
        assert_eq!(parsed.diagnostics.aws_message(), message);
    }
}

#[test]
fn warnings_do_not_make_a_definition_invalid() {
    let text = r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"a": "$.x", "b": [{"c": "States.Format('{}', $.y)"}], "d.$": "$.z", "e": "$ not a path"}, "Result": {"r.$": "$.x"}, "End": true}}}"#;
    let parsed = parse_text(text, None, ParseOptions::default());
    assert!(!parsed.diagnostics.has_errors());
    let warnings: Vec<(String, String)> = parsed
        .diagnostics
        .iter()
        .map(|d| (d.code.as_str().to_owned(), d.location.clone()))
        .collect();
    assert_eq!(
        warnings,
        [
            ("NO_DOLLAR".to_owned(), "/States/P/Parameters/a".to_owned()),
            (
                "NO_DOLLAR".to_owned(),
                "/States/P/Parameters/b[0]/c".to_owned()
            ),
            (
                "PASS_RESULT_IS_STATIC".to_owned(),
                "/States/P/Result".to_owned()
            ),
        ]
    );
    assert!(
        parse_text(text, None, ParseOptions::default())
            .valid()
            .is_ok()
    );
}

#[test]
fn the_codes_are_awss() {
    assert_eq!(Code::MissingEndState.as_str(), "MISSING_END_STATE");
    assert_eq!(Code::InvalidJsonata.as_str(), "INVALID_JSONATA_EXPRESSION");
}
