"""Nested executions through boto3: a parent starting a child with
arn:aws:states:::states:startExecution (request-response), .sync and .sync:2; a failing
child; stopping a parent."""

from baton_e2e import *

CHILD = {"StartAt": "Greet", "States": {
    "Greet": {"Type": "Pass", "Parameters": {"greeting.$": "States.Format('hi {}', $.who)"},
              "Next": "Check"},
    "Check": {"Type": "Choice",
              "Choices": [{"Variable": "$.greeting", "StringEquals": "hi nobody", "Next": "Fail"}],
              "Default": "Nap"},
    "Nap": {"Type": "Wait", "Seconds": 1, "End": True},
    "Fail": {"Type": "Fail", "Error": "Child.Failed", "Cause": "nobody to greet"},
}}


def parent(resource, child_arn):
    return {"StartAt": "Child", "States": {"Child": {
        "Type": "Task",
        "Resource": resource,
        "Parameters": {
            "StateMachineArn": child_arn,
            "Name.$": "States.Format('{}-child', $$.Execution.Name)",
            "Input": {"who.$": "$.who",
                      "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id"},
        },
        "End": True,
    }}}


def run():
    sfn = client()
    child = create_machine(sfn, "Child", CHILD)["stateMachineArn"]
    sync2 = create_machine(sfn, "ParentSync2",
                           parent("arn:aws:states:::states:startExecution.sync:2", child))
    sync = create_machine(sfn, "ParentSync",
                          parent("arn:aws:states:::states:startExecution.sync", child))
    fire = create_machine(sfn, "ParentFire",
                          parent("arn:aws:states:::states:startExecution", child))

    e = sfn.start_execution(stateMachineArn=sync2["stateMachineArn"], name="p2",
                            input='{"who": "ann"}')["executionArn"]
    d = wait_done(sfn, e)
    equal(d["status"], "SUCCEEDED", "the parent")
    out = json.loads(d["output"])
    child_arn = execution_arn("Child", "p2-child")
    equal(out["Output"], {"greeting": "hi ann"}, ".sync:2 gives the child's output as JSON")
    equal((out["Status"], out["ExecutionArn"], out["StateMachineArn"]),
          ("SUCCEEDED", child_arn, child), "the child described")
    c = sfn.describe_execution(executionArn=child_arn)
    equal(c["status"], "SUCCEEDED", "the child")
    equal(json.loads(c["input"]).get("AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID"), e,
          "the child knows its parent")
    types = [ev["type"] for ev in history(sfn, e)]
    equal(types, ["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted",
                  "TaskSubmitted", "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"],
          "the parent's history")
    step(".sync:2")

    e = sfn.start_execution(stateMachineArn=sync["stateMachineArn"], name="p1",
                            input='{"who": "bob"}')["executionArn"]
    out = json.loads(wait_done(sfn, e)["output"])
    equal(out["Output"], '{"greeting":"hi bob"}', ".sync gives the child's output as a string")
    step(".sync")

    e = sfn.start_execution(stateMachineArn=fire["stateMachineArn"], name="p0",
                            input='{"who": "cy"}')["executionArn"]
    out = json.loads(wait_done(sfn, e)["output"])
    equal(out["ExecutionArn"], execution_arn("Child", "p0-child"), "the started child")
    check("StartDate" in out, out)
    equal(sfn.describe_execution(executionArn=out["ExecutionArn"])["status"], "RUNNING",
          "the child runs on after a request-response start")
    equal(wait_done(sfn, out["ExecutionArn"])["status"], "SUCCEEDED", "and ends")
    step("request-response")

    e = sfn.start_execution(stateMachineArn=sync2["stateMachineArn"], name="pf",
                            input='{"who": "nobody"}')["executionArn"]
    d = wait_done(sfn, e)
    equal((d["status"], d["error"]), ("FAILED", "States.TaskFailed"), "a parent of a failed child")
    cause = json.loads(d["cause"])
    equal((cause["Status"], cause["Error"], cause["Cause"]),
          ("FAILED", "Child.Failed", "nobody to greet"), "the cause describes the child")
    step("a failing child")

    names = sorted(x["name"] for x in sfn.list_executions(stateMachineArn=child)["executions"])
    equal(names, ["p0-child", "p1-child", "p2-child", "pf-child"], "the children")
    step("children listed")


main(run)
