"""TestState through boto3 (which, like StartSyncExecution, goes to the `sync-` host prefix:
the client here turns it off): a state alone or one state of a whole machine, inspection
data, statuses SUCCEEDED, FAILED, RETRIABLE and CAUGHT_ERROR, a Task running a local
function or a mock, and an invalid definition."""

from baton_e2e import *


def state(**fields):
    return json.dumps(fields)


ADD = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
       "Parameters": {"FunctionName": "add", "Payload.$": "$"}}


def run():
    sfn = client()

    r = sfn.test_state(definition=state(Type="Pass", Parameters={"x.$": "$.a"}, Next="N"),
                       input='{"a": 1}')
    equal((r["status"], json.loads(r["output"]), r["nextState"]), ("SUCCEEDED", {"x": 1}, "N"),
          "a Pass state")
    check("inspectionData" not in r, "no inspection data at INFO", r)
    r = sfn.test_state(definition=state(Type="Pass", Parameters={"x.$": "$.a"}, Next="N"),
                       input='{"a": 1}', inspectionLevel="DEBUG")
    data = r["inspectionData"]
    equal((json.loads(data["input"]), json.loads(data["afterParameters"])), ({"a": 1}, {"x": 1}),
          "inspection data at DEBUG")
    r = sfn.test_state(definition=state(
        Type="Choice", Choices=[{"Variable": "$.n", "NumericGreaterThan": 5, "Next": "Big"}],
        Default="Small"), input='{"n": 7}')
    equal((r["status"], r["nextState"]), ("SUCCEEDED", "Big"), "a Choice state")
    step("Pass and Choice, inspection data")

    r = sfn.test_state(definition=state(Type="Fail", Error="Test.Failed", Cause="on purpose"))
    equal((r["status"], r["error"], r["cause"]), ("FAILED", "Test.Failed", "on purpose"), "Fail")
    step("a Fail state")

    r = sfn.test_state(definition=json.dumps({**ADD, "ResultSelector": {"sum.$": "$.Payload.sum"},
                                              "End": True}),
                       roleArn=ROLE, input='{"a": 40, "b": 2}')
    equal((r["status"], json.loads(r["output"])), ("SUCCEEDED", {"sum": 42}),
          "a Task running the local function")
    r = sfn.test_state(definition=json.dumps({**ADD, "Retry": [{"ErrorEquals": ["KeyError"]}],
                                              "End": True}),
                       roleArn=ROLE, input='{"a": 1}')
    equal((r["status"], r["error"]), ("RETRIABLE", "KeyError"), "an error a Retry would retry")
    r = sfn.test_state(definition=json.dumps({**ADD, "Catch": [{"ErrorEquals": ["KeyError"],
                                                                "Next": "Handle"}], "End": True}),
                       roleArn=ROLE, input='{"a": 1}')
    equal((r["status"], r["error"], r["nextState"]), ("CAUGHT_ERROR", "KeyError", "Handle"),
          "a caught error")
    equal(json.loads(r["output"])["Error"], "KeyError", "the Catch's output")
    r = sfn.test_state(definition=json.dumps({
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "not-a-local-function"},
        "ResultSelector": {"sum.$": "$.Payload.sum"}, "End": True}),
        roleArn=ROLE, mock={"result": '{"Payload": {"sum": 99}}'})
    equal((r["status"], json.loads(r["output"])), ("SUCCEEDED", {"sum": 99}), "a mocked Task")
    step("Task states: a local function, RETRIABLE, CAUGHT_ERROR, a mock")

    machine = {"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Result": 1, "Next": "B"},
        "B": {"Type": "Pass", "Parameters": {"b.$": "$.q"}, "End": True}}}
    r = sfn.test_state(definition=json.dumps(machine), stateName="B", input='{"q": 5}')
    equal((r["status"], json.loads(r["output"])), ("SUCCEEDED", {"b": 5}),
          "one state of a whole machine")
    check("nextState" not in r, "an End state has no next state", r)
    step("a state of a machine")

    e = expect_error("InvalidDefinition", sfn.test_state, definition=state(Type="Pass", Nxt="N"))
    check(e["Error"]["Message"].startswith("Invalid State Machine Definition: '"), e["Error"])
    step("an invalid definition")


main(run)
