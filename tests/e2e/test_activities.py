"""Activities through boto3, with workers in other processes (activity_worker.py):
create/describe/list/delete, GetActivityTask long polls, heartbeats, SendTaskSuccess and
SendTaskFailure, a HeartbeatSeconds timeout (States.HeartbeatTimeout), a used token."""

import subprocess

from baton_e2e import *


def run():
    sfn = client()
    created = sfn.create_activity(name="e2e-work")
    activity = created["activityArn"]
    equal(activity, f"{PREFIX}:activity:e2e-work", "the activity ARN")
    d = sfn.describe_activity(activityArn=activity)
    equal((d["name"], d["creationDate"]), ("e2e-work", created["creationDate"]), "describe")
    equal([a["name"] for a in sfn.list_activities()["activities"]], ["e2e-work"], "list")
    step("create, describe, list")

    machine = create_machine(sfn, "Work", {
        "StartAt": "Work",
        "States": {"Work": {"Type": "Task", "Resource": activity, "TimeoutSeconds": 60,
                            "HeartbeatSeconds": 3, "End": True}},
    })["stateMachineArn"]

    # Three workers, one task each; they poll before there is work.
    workers = [
        subprocess.Popen([sys.executable, os.path.join(HERE, "activity_worker.py"), activity,
                          f"worker-{i}", "1"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, env=os.environ)
        for i in range(3)
    ]
    try:
        # Work starts once every worker polls, so that each task is taken at once.
        wait_for(lambda: all(os.path.exists(os.path.join(SCRATCH, f"worker-{i}.ready"))
                             for i in range(3)), "the workers", timeout=30)
        time.sleep(0.5)
        ok = sfn.start_execution(stateMachineArn=machine, name="ok",
                                 input='{"mode": "succeed", "x": 21}')["executionArn"]
        failed = sfn.start_execution(stateMachineArn=machine, name="failed",
                                     input='{"mode": "fail"}')["executionArn"]
        silent = sfn.start_execution(stateMachineArn=machine, name="silent",
                                     input='{"mode": "silent"}')["executionArn"]

        d = wait_done(sfn, ok)
        equal(d["status"], "SUCCEEDED", "the execution whose worker succeeded")
        out = json.loads(d["output"])
        equal(out["doubled"], 42, "the worker's result")
        events = history(sfn, ok)
        equal([e["type"] for e in events], [
            "ExecutionStarted", "TaskStateEntered", "ActivityScheduled", "ActivityStarted",
            "ActivitySucceeded", "TaskStateExited", "ExecutionSucceeded"], "the history")
        scheduled = events[2]["activityScheduledEventDetails"]
        equal((scheduled["resource"], scheduled["timeoutInSeconds"], scheduled["heartbeatInSeconds"]),
              (activity, 60, 3), "ActivityScheduled")
        equal(json.loads(scheduled["input"]), {"mode": "succeed", "x": 21}, "the task's input")
        equal(events[3]["activityStartedEventDetails"]["workerName"], out["worker"],
              "ActivityStarted names the worker")
        equal(json.loads(events[4]["activitySucceededEventDetails"]["output"]), out,
              "ActivitySucceeded")
        step("a worker heartbeats past HeartbeatSeconds, then succeeds")

        d = wait_done(sfn, failed)
        equal((d["status"], d["error"], d["cause"]), ("FAILED", "Work.Failed", "bad input"),
              "the execution whose worker failed")
        types = [e["type"] for e in history(sfn, failed)]
        check("ActivityFailed" in types and types[-1] == "ExecutionFailed", types)
        step("SendTaskFailure")

        d = wait_done(sfn, silent)
        equal((d["status"], d["error"]), ("FAILED", "States.HeartbeatTimeout"),
              "the execution whose worker went silent")
        events = history(sfn, silent)
        timed_out = [e for e in events if e["type"] == "ActivityTimedOut"]
        equal(len(timed_out), 1, "one ActivityTimedOut")
        equal(timed_out[0]["activityTimedOutEventDetails"]["error"], "States.HeartbeatTimeout",
              "its error")
        started = next(e for e in events if e["type"] == "ActivityStarted")
        lasted = (timed_out[0]["timestamp"] - started["timestamp"]).total_seconds()
        check(2.9 <= lasted < 15, f"a heartbeat timeout of 3 s came after {lasted} s")
        token = open(os.path.join(SCRATCH, "silent.token")).read()
        expect_error("TaskTimedOut", sfn.send_task_heartbeat, taskToken=token)
        expect_error("TaskTimedOut", sfn.send_task_success, taskToken=token, output="{}")
        step("HeartbeatSeconds: States.HeartbeatTimeout; the token is no longer valid")

        for w in workers:
            out, _ = w.communicate(timeout=30)
            print(out, end="")
            equal(w.returncode, 0, "a worker's exit status")
        step("workers done")
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()

    expect_error("ActivityDoesNotExist", sfn.get_activity_task,
                 f"Activity Does Not Exist: '{PREFIX}:activity:nope'",
                 activityArn=f"{PREFIX}:activity:nope")
    sfn.delete_activity(activityArn=activity)
    expect_error("ActivityDoesNotExist", sfn.describe_activity, activityArn=activity)
    equal(sfn.list_activities()["activities"], [], "no activities after the delete")
    step("delete")


main(run)
