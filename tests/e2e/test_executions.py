"""Executions through boto3: start, describe, list (status filter, pagination), history
(pagination with nextToken, reverseOrder, includeExecutionData=false), stop, names reused,
a Lambda function task, DescribeStateMachineForExecution."""

from baton_e2e import *

RUNNER = {
    "StartAt": "Branch",
    "States": {
        "Branch": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.wait", "IsPresent": True, "Next": "Nap"}],
            "Default": "Done",
        },
        "Nap": {"Type": "Wait", "SecondsPath": "$.wait", "Next": "Done"},
        "Done": {
            "Type": "Pass",
            "Parameters": {"value.$": "$.value", "name.$": "$$.Execution.Name"},
            "End": True,
        },
    },
}

# Ten Pass states in a row: 22 events.
CHAIN = {
    "StartAt": "S0",
    "States": {
        f"S{i}": {
            "Type": "Pass",
            "Parameters": {"step": i, "from.$": "$"},
            "OutputPath": "$.from",
            **({"End": True} if i == 9 else {"Next": f"S{i + 1}"}),
        }
        for i in range(10)
    },
}


def run():
    sfn = client()
    arn = create_machine(sfn, "Runner", RUNNER)["stateMachineArn"]

    started = {}
    for i in range(5):
        r = sfn.start_execution(stateMachineArn=arn, name=f"quick-{i}",
                                input=json.dumps({"value": i}))
        equal(r["executionArn"], execution_arn("Runner", f"quick-{i}"), "executionArn")
        started[f"quick-{i}"] = r
    for name in ("long-0", "long-1"):
        started[name] = sfn.start_execution(stateMachineArn=arn, name=name,
                                            input='{"value": "long", "wait": 600}')
    nap = sfn.start_execution(stateMachineArn=arn, name="nap", input='{"value": 0, "wait": 1}')
    step("start")

    for i in range(5):
        d = wait_done(sfn, started[f"quick-{i}"]["executionArn"])
        equal(d["status"], "SUCCEEDED", "status")
        equal(json.loads(d["output"]), {"value": i, "name": f"quick-{i}"}, "output")
        equal(d["input"], json.dumps({"value": i}), "input as sent")
        equal(d["name"], f"quick-{i}", "name")
        equal(d["stateMachineArn"], arn, "stateMachineArn")
        equal(d["startDate"], started[f"quick-{i}"]["startDate"], "startDate")
        check(d["stopDate"] >= d["startDate"], "stopDate after startDate", d)
        equal(d["inputDetails"], {"included": True}, "inputDetails")
        equal(d["outputDetails"], {"included": True}, "outputDetails")
    d = sfn.describe_execution(executionArn=started["long-0"]["executionArn"])
    equal(d["status"], "RUNNING", "a waiting execution")
    check("stopDate" not in d and "output" not in d, "no stopDate or output while running", d)
    step("describe")

    d = wait_done(sfn, nap["executionArn"])
    events = history(sfn, nap["executionArn"])
    entered = next(e for e in events if e["type"] == "WaitStateEntered")
    exited = next(e for e in events if e["type"] == "WaitStateExited")
    waited = (exited["timestamp"] - entered["timestamp"]).total_seconds()
    check(0.95 <= waited < 10, f"a Wait of 1 s lasted {waited} s")
    step("a Wait state waits")

    def names(**kwargs):
        pages = sfn.get_paginator("list_executions").paginate(stateMachineArn=arn, **kwargs)
        return [e["name"] for p in pages for e in p["executions"]]

    equal(sorted(names(statusFilter="RUNNING")), ["long-0", "long-1"], "RUNNING executions")
    equal(sorted(names(statusFilter="SUCCEEDED")), sorted([f"quick-{i}" for i in range(5)] + ["nap"]),
          "SUCCEEDED executions")
    equal(names(statusFilter="FAILED"), [], "FAILED executions")
    listed = sfn.list_executions(stateMachineArn=arn)["executions"]
    equal(len(listed), 8, "all executions")
    # Newest first.
    dates = [e["startDate"] for e in listed]
    equal(dates, sorted(dates, reverse=True), "the order of ListExecutions")
    item = next(e for e in listed if e["name"] == "quick-3")
    equal((item["executionArn"], item["stateMachineArn"], item["status"]),
          (execution_arn("Runner", "quick-3"), arn, "SUCCEEDED"), "a listed execution")
    check("stopDate" in item, "a listed finished execution has its stopDate", item)
    seen, token = [], None
    while True:
        page = sfn.list_executions(stateMachineArn=arn, maxResults=3,
                                   **({"nextToken": token} if token else {}))
        check(len(page["executions"]) <= 3, "a page of at most 3", page)
        seen += [e["name"] for e in page["executions"]]
        token = page.get("nextToken")
        if not token:
            break
    equal(seen, [e["name"] for e in listed], "pages of 3 in the listing's order")
    step("list: filters and pagination")

    chain = create_machine(sfn, "Chain", CHAIN)["stateMachineArn"]
    run_arn = sfn.start_execution(stateMachineArn=chain, name="c1",
                                  input='{"payload": "x"}')["executionArn"]
    equal(json.loads(wait_done(sfn, run_arn)["output"]), {"payload": "x"}, "the chain's output")
    full = sfn.get_execution_history(executionArn=run_arn)
    check("nextToken" not in full, "22 events fit in one page")
    events = full["events"]
    equal([e["id"] for e in events], list(range(1, 23)), "event ids")
    equal([e["previousEventId"] for e in events], list(range(0, 22)), "previousEventIds")
    equal(events[0]["type"], "ExecutionStarted", "the first event")
    equal(json.loads(events[0]["executionStartedEventDetails"]["input"]), {"payload": "x"},
          "the input")
    equal(events[0]["executionStartedEventDetails"]["roleArn"], ROLE, "the role")
    equal(events[-1]["type"], "ExecutionSucceeded", "the last event")
    equal([e["type"] for e in events[1:3]], ["PassStateEntered", "PassStateExited"], "types")
    equal(events[1]["stateEnteredEventDetails"]["name"], "S0", "a state's name")
    # By hand, 5 at a time.
    paged, token, pages = [], None, 0
    while True:
        page = sfn.get_execution_history(executionArn=run_arn, maxResults=5,
                                         **({"nextToken": token} if token else {}))
        check(len(page["events"]) <= 5, "a page of at most 5")
        paged += page["events"]
        pages += 1
        token = page.get("nextToken")
        if not token:
            break
    equal(paged, events, "the history in pages of 5")
    equal(pages, 5, "pages of 5 for 22 events")
    reverse = history(sfn, run_arn, reverseOrder=True, PaginationConfig={"PageSize": 4})
    equal([e["id"] for e in reverse], list(range(22, 0, -1)), "ids in reverse order")
    equal(reverse, list(reversed(events)), "the reversed history")
    bare = history(sfn, run_arn, includeExecutionData=False)
    equal([e["id"] for e in bare], [e["id"] for e in events], "ids without data")
    for e in bare:
        for key, details in e.items():
            if key.endswith("EventDetails"):
                check("input" not in details and "output" not in details,
                      "includeExecutionData=false leaves out inputs and outputs", e)
    step("history: pages, reverseOrder, includeExecutionData")

    stop = sfn.stop_execution(executionArn=started["long-0"]["executionArn"],
                              error="Test.Stopped", cause="stopped by the test")
    d = sfn.describe_execution(executionArn=started["long-0"]["executionArn"])
    equal((d["status"], d["error"], d["cause"]), ("ABORTED", "Test.Stopped", "stopped by the test"),
          "a stopped execution")
    equal(d["stopDate"], stop["stopDate"], "stopDate")
    last = sfn.get_execution_history(executionArn=d["executionArn"], reverseOrder=True,
                                     maxResults=1)["events"][0]
    equal(last["type"], "ExecutionAborted", "the last event of a stopped execution")
    equal(last["executionAbortedEventDetails"], {"error": "Test.Stopped",
                                                 "cause": "stopped by the test"}, "its details")
    sfn.stop_execution(executionArn=started["long-1"]["executionArn"])
    d = sfn.describe_execution(executionArn=started["long-1"]["executionArn"])
    equal(d["status"], "ABORTED", "stopped without an error")
    check("error" not in d and "cause" not in d, "no error or cause given, none shown", d)
    equal(names(statusFilter="RUNNING"), [], "nothing running after the stops")
    equal(sorted(names(statusFilter="ABORTED")), ["long-0", "long-1"], "ABORTED executions")
    step("stop")

    # A running execution's name again with the same input: the same execution.
    first = sfn.start_execution(stateMachineArn=arn, name="dup", input='{"value": 1, "wait": 600}')
    again = sfn.start_execution(stateMachineArn=arn, name="dup", input='{"value": 1, "wait": 600}')
    equal(again["executionArn"], first["executionArn"], "StartExecution is idempotent")
    equal(again["startDate"], first["startDate"], "the same startDate")
    dup = execution_arn("Runner", "dup")
    expect_error("ExecutionAlreadyExists", sfn.start_execution,
                 f"Execution Already Exists: '{dup}'",
                 stateMachineArn=arn, name="dup", input='{"value": 2, "wait": 600}')
    sfn.stop_execution(executionArn=dup)
    # A finished execution's name cannot be used again.
    expect_error("ExecutionAlreadyExists", sfn.start_execution,
                 f"Execution Already Exists: '{dup}'",
                 stateMachineArn=arn, name="dup", input='{"value": 1, "wait": 600}')
    expect_error("ExecutionAlreadyExists", sfn.start_execution,
                 stateMachineArn=arn, name="quick-0", input=json.dumps({"value": 0}))
    step("names reused")

    # A Lambda function by ARN, served by the local function functions/add.py.
    adder = create_machine(sfn, "Adder", {"StartAt": "Add", "States": {"Add": {
        "Type": "Task", "Resource": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:add",
        "End": True}}})["stateMachineArn"]
    e = sfn.start_execution(stateMachineArn=adder, input='{"a": 40, "b": 2}')["executionArn"]
    d = wait_done(sfn, e)
    equal((d["status"], json.loads(d["output"])), ("SUCCEEDED", {"sum": 42}), "a Lambda task")
    equal([x["type"] for x in history(sfn, e)][2:5],
          ["LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded"],
          "a Lambda task's events")
    e = sfn.start_execution(stateMachineArn=adder, input='{"a": 40}')["executionArn"]
    d = wait_done(sfn, e)
    equal((d["status"], d["error"]), ("FAILED", "KeyError"), "a Lambda function's unhandled error")
    equal(json.loads(d["cause"]), {"errorType": "KeyError", "errorMessage": "'b'"}, "its cause")
    step("a Lambda function task")

    d = sfn.describe_state_machine_for_execution(executionArn=execution_arn("Runner", "quick-0"))
    equal((d["stateMachineArn"], d["name"], d["roleArn"]), (arn, "Runner", ROLE),
          "DescribeStateMachineForExecution")
    equal(json.loads(d["definition"]), RUNNER, "the definition the execution ran")
    step("DescribeStateMachineForExecution")


main(run)
