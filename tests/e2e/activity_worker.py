"""An activity worker in its own process: takes COUNT tasks of ACTIVITY_ARN with
GetActivityTask (long polls) and does what each task's input says:

  {"mode": "succeed", "x": N}  two heartbeats, then SendTaskSuccess {"doubled": 2N, "worker": NAME};
                               sending the result again must fail with TaskTimedOut
  {"mode": "fail"}             SendTaskFailure Work.Failed / "bad input"
  {"mode": "silent"}           nothing: writes the token to SCRATCH/silent.token and lets
                               the task's heartbeat time out

Touches SCRATCH/NAME.ready before its first poll. Prints one JSON line per task; exits 0
when all went as described.

    python3 activity_worker.py ACTIVITY_ARN NAME COUNT
"""

import json
import os
import sys
import time

from baton_e2e import SCRATCH, client, expect_error

activity, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
sfn = client()
open(os.path.join(SCRATCH, name + ".ready"), "w").close()
done = 0
deadline = time.time() + 120
while done < count:
    if time.time() > deadline:
        sys.exit(f"{name}: only {done} of {count} tasks came")
    task = sfn.get_activity_task(activityArn=activity, workerName=name)
    token = task.get("taskToken")
    if not token:
        continue  # the long poll ended without a task
    work = json.loads(task["input"])
    mode = work["mode"]
    if mode == "succeed":
        # Three heartbeats 1.2 s apart: longer in all than the state's HeartbeatSeconds (3).
        for _ in range(3):
            time.sleep(1.2)
            sfn.send_task_heartbeat(taskToken=token)
        result = json.dumps({"doubled": work["x"] * 2, "worker": name})
        sfn.send_task_success(taskToken=token, output=result)
        expect_error("TaskTimedOut", sfn.send_task_success,
                     "Task Timed Out: 'Provided task does not exist anymore'",
                     taskToken=token, output=result)
        expect_error("TaskTimedOut", sfn.send_task_heartbeat, taskToken=token)
    elif mode == "fail":
        sfn.send_task_failure(taskToken=token, error="Work.Failed", cause="bad input")
    elif mode == "silent":
        path = os.path.join(SCRATCH, "silent.token")
        with open(path + ".tmp", "w") as f:
            f.write(token)
        os.replace(path + ".tmp", path)
    else:
        sys.exit(f"{name}: unknown mode {mode!r}")
    print(json.dumps({"worker": name, "mode": mode}), flush=True)
    done += 1
