"""A `.waitForTaskToken` callback through boto3: a Task on
arn:aws:states:::lambda:invoke.waitForTaskToken whose local function (functions/token_file.py)
writes the task token to a file; the script then answers with SendTaskSuccess or
SendTaskFailure, heartbeats, and checks what a used, a bad and a timed-out token get."""

from baton_e2e import *


def callback_machine(heartbeat=None):
    task = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {
            "FunctionName": "token_file",
            "Payload": {"token.$": "$$.Task.Token", "path.$": "$.path"},
        },
        "TimeoutSeconds": 120,
        "End": True,
    }
    if heartbeat:
        task["HeartbeatSeconds"] = heartbeat
    return {"StartAt": "Hand over", "States": {"Hand over": task}}


def start(sfn, machine, name):
    path = os.path.join(SCRATCH, name + ".token")
    arn = sfn.start_execution(stateMachineArn=machine, name=name,
                              input=json.dumps({"path": path}))["executionArn"]
    token = wait_for(lambda: os.path.exists(path) and open(path).read(),
                     f"the token of {name}")
    return arn, token


def run():
    sfn = client()
    machine = create_machine(sfn, "Callback", callback_machine())["stateMachineArn"]

    arn, token = start(sfn, machine, "approved")
    # The function has answered; the task now waits for the token.
    wait_for(lambda: "TaskSubmitted" in [e["type"] for e in history(sfn, arn)], "TaskSubmitted")
    equal(sfn.describe_execution(executionArn=arn)["status"], "RUNNING", "waiting for the token")
    sfn.send_task_heartbeat(taskToken=token)
    sfn.send_task_success(taskToken=token, output='{"approved": true, "by": "e2e"}')
    d = wait_done(sfn, arn)
    equal(d["status"], "SUCCEEDED", "status")
    equal(json.loads(d["output"]), {"approved": True, "by": "e2e"}, "the callback's output")
    events = history(sfn, arn)
    equal([e["type"] for e in events], [
        "ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted",
        "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"], "the history")
    scheduled = events[2]["taskScheduledEventDetails"]
    equal((scheduled["resourceType"], scheduled["resource"]), ("lambda", "invoke.waitForTaskToken"),
          "TaskScheduled")
    equal(json.loads(scheduled["parameters"])["Payload"]["token"], token,
          "the token in the task's parameters")
    equal(json.loads(events[4]["taskSubmittedEventDetails"]["output"])["Payload"],
          {"handedOver": True}, "TaskSubmitted carries the function's answer")
    step("SendTaskSuccess")

    expect_error("TaskTimedOut", sfn.send_task_success,
                 "Task Timed Out: 'Provided task does not exist anymore'",
                 taskToken=token, output="{}")
    expect_error("TaskTimedOut", sfn.send_task_failure, taskToken=token)
    expect_error("TaskTimedOut", sfn.send_task_heartbeat, taskToken=token)
    step("a used token: TaskTimedOut")

    arn, token = start(sfn, machine, "rejected")
    expect_error("InvalidOutput", sfn.send_task_success, taskToken=token, output="{not json")
    sfn.send_task_failure(taskToken=token, error="Rejected", cause="not today")
    d = wait_done(sfn, arn)
    equal((d["status"], d["error"], d["cause"]), ("FAILED", "Rejected", "not today"),
          "SendTaskFailure")
    failed = [e for e in history(sfn, arn) if e["type"] == "TaskFailed"]
    equal(failed[0]["taskFailedEventDetails"]["error"], "Rejected", "TaskFailed")
    step("SendTaskFailure; InvalidOutput")

    for bad in ("not-a-token", "A" * 200):
        e = expect_error("InvalidToken", sfn.send_task_success, taskToken=bad, output="{}")
        check(e["Error"]["Message"].startswith("Invalid Token: '"), e["Error"])
        expect_error("InvalidToken", sfn.send_task_heartbeat, taskToken=bad)
    step("bad tokens: InvalidToken")

    quiet = create_machine(sfn, "QuietCallback", callback_machine(heartbeat=1))["stateMachineArn"]
    arn, token = start(sfn, quiet, "quiet")
    d = wait_done(sfn, arn)
    equal((d["status"], d["error"]), ("FAILED", "States.HeartbeatTimeout"), "no heartbeat")
    timed_out = [e for e in history(sfn, arn) if e["type"] == "TaskTimedOut"]
    equal(len(timed_out), 1, "one TaskTimedOut event")
    equal(timed_out[0]["taskTimedOutEventDetails"]["error"], "States.HeartbeatTimeout", "its error")
    expect_error("TaskTimedOut", sfn.send_task_success, taskToken=token, output="{}")
    step("HeartbeatSeconds on a callback")

    arn, token = start(sfn, machine, "stopped")
    sfn.stop_execution(executionArn=arn)
    expect_error("TaskTimedOut", sfn.send_task_success, taskToken=token, output="{}")
    step("the token of a stopped execution")


main(run)
