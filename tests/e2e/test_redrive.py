"""RedriveExecution through boto3: a failed execution carries on from the state that failed
once the fault is fixed, keeping its history; redriveCount, redriveDate, redriveStatus and
the REDRIVEN filter; what cannot be redriven."""

from baton_e2e import *

MACHINE = {
    "StartAt": "Before",
    "States": {
        "Before": {"Type": "Pass", "Result": "ready", "ResultPath": "$.before", "Next": "Gate"},
        "Gate": {
            "Type": "Task",
            "Resource": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:gate",
            "ResultPath": "$.gate",
            "Next": "After",
        },
        "After": {"Type": "Pass", "Parameters": {"before.$": "$.before", "gate.$": "$.gate"},
                  "End": True},
    },
}


def run():
    sfn = client()
    arn = create_machine(sfn, "Redrive", MACHINE)["stateMachineArn"]
    path = os.path.join(SCRATCH, "gate-open")
    e = sfn.start_execution(stateMachineArn=arn, name="gated",
                            input=json.dumps({"path": path}))["executionArn"]
    d = wait_done(sfn, e)
    equal((d["status"], d["error"]), ("FAILED", "Gate.Closed"), "the first run")
    equal(d.get("redriveStatus"), "REDRIVABLE", "a failed execution is redrivable")
    before = history(sfn, e)
    step("a failed execution")

    open(path, "w").close()
    r = sfn.redrive_execution(executionArn=e)
    check(r["redriveDate"] >= d["stopDate"], "redriveDate after the failure", r)
    d = wait_done(sfn, e)
    equal(d["status"], "SUCCEEDED", "the redriven execution")
    equal(json.loads(d["output"]), {"before": "ready", "gate": {"opened": path}}, "its output")
    equal(d.get("redriveCount"), 1, "redriveCount")
    equal(d.get("redriveDate"), r["redriveDate"], "redriveDate")
    equal(d.get("redriveStatus"), "NOT_REDRIVABLE", "a succeeded execution is not redrivable")
    events = history(sfn, e)
    equal(events[:len(before) - 1], before[:-1], "the history before the redrive is kept")
    equal([x["id"] for x in events], list(range(1, len(events) + 1)), "ids stay contiguous")
    types = [x["type"] for x in events]
    check("ExecutionFailed" in types and "ExecutionRedriven" in types, types)
    check(types.index("ExecutionRedriven") > types.index("ExecutionFailed"), types)
    redriven = next(x for x in events if x["type"] == "ExecutionRedriven")
    equal(redriven["executionRedrivenEventDetails"], {"redriveCount": 1}, "ExecutionRedriven")
    entered = [x["stateEnteredEventDetails"]["name"] for x in events
               if x["type"].endswith("StateEntered")]
    equal(entered, ["Before", "Gate", "Gate", "After"],
          "the redrive starts again at the state that failed")
    equal(types[-1], "ExecutionSucceeded", "the last event")
    step("redriven from the failed state")

    listed = sfn.list_executions(stateMachineArn=arn, redriveFilter="REDRIVEN")["executions"]
    equal([x["name"] for x in listed], ["gated"], "REDRIVEN executions")
    equal(listed[0].get("redriveCount"), 1, "a listed redrive count")
    equal(sfn.list_executions(stateMachineArn=arn, redriveFilter="NOT_REDRIVEN")["executions"],
          [], "NOT_REDRIVEN executions")
    step("ListExecutions redriveFilter")

    expect_error("ExecutionNotRedrivable", sfn.redrive_execution, executionArn=d["executionArn"])
    other = sfn.start_execution(stateMachineArn=arn, name="fine",
                                input=json.dumps({"path": path}))["executionArn"]
    equal(wait_done(sfn, other)["status"], "SUCCEEDED", "a run with the gate open")
    expect_error("ExecutionNotRedrivable", sfn.redrive_execution, executionArn=other)
    expect_error("ExecutionDoesNotExist", sfn.redrive_execution,
                 executionArn=execution_arn("Redrive", "never"))
    step("what cannot be redriven")


main(run)
