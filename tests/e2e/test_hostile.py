"""Hostile workflows beside healthy ones: loops that never end, fan-out bombs, values that
double in size or grow in depth each loop, runaway JSONata and runaway Parallel branches,
all started through boto3 while a steady stream of healthy executions runs. Each hostile
execution must end with AWS's error, every healthy one must succeed, and the server's memory
must stay bounded.

Phases (the harness runs them in order, killing the server with SIGKILL between the second
and the third): `run` (the above), `start-runaways` (runaways started and left running),
`after-restart` (every runaway started before the crash ends, nothing is left RUNNING)."""

import json
import os
import sys
import threading
import time

from baton_e2e import *

HISTORY_FULL = "The execution reached the maximum number of history events (25000)."

SPIN = {"StartAt": "Loop", "States": {
    "Loop": {"Type": "Choice",
             "Choices": [{"Variable": "$.spin", "BooleanEquals": True, "Next": "Spin"}],
             "Default": "Done"},
    "Spin": {"Type": "Pass", "Next": "Loop"},
    "Done": {"Type": "Succeed"}}}


def looping(state):
    """A machine that runs `state` (named S, with Next "Again") for ever."""
    state = dict(state, Next="Again")
    return {"StartAt": "S", "States": {
        "S": state,
        "Again": {"Type": "Choice",
                  "Choices": [{"Variable": "$$.State.Name", "StringEquals": "Again", "Next": "S"}],
                  "Default": "Done"},
        "Done": {"Type": "Succeed"}}}


def spin_branch(i):
    """SPIN as a Parallel branch, its state names its own (they are unique in a machine)."""
    return {"StartAt": f"Loop{i}", "States": {
        f"Loop{i}": {"Type": "Choice",
                     "Choices": [{"Variable": "$.spin", "BooleanEquals": True,
                                  "Next": f"Spin{i}"}],
                     "Default": f"Done{i}"},
        f"Spin{i}": {"Type": "Pass", "Next": f"Loop{i}"},
        f"Done{i}": {"Type": "Succeed"}}}


def parallel_of_spins(n):
    return {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True,
                                             "Branches": [spin_branch(i) for i in range(n)]}}}


def map_of_maps(n):
    inner = {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Leaf",
             "States": {"Leaf": {"Type": "Pass", "End": True}}}
    return {"StartAt": "Items", "States": {
        "Items": {"Type": "Pass", "Parameters": {"items.$": f"States.ArrayRange(1, {n}, 1)"},
                  "Next": "Outer"},
        "Outer": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 0, "End": True,
                  "ItemSelector": {"items.$": f"States.ArrayRange(1, {n}, 1)"},
                  "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Inner",
                                    "States": {"Inner": {"Type": "Map", "ItemsPath": "$.items",
                                                         "MaxConcurrency": 0, "End": True,
                                                         "ItemProcessor": inner}}}}}}


def jsonata(expression):
    return {"QueryLanguage": "JSONata", "StartAt": "E", "States": {
        "E": {"Type": "Pass", "Output": {"r": "{% " + expression + " %}"}, "End": True}}}


# name -> (definition, input, the error it must end with, a text its cause holds)
HOSTILE = {
    "Spin": (SPIN, {"spin": True}, "States.Runtime", HISTORY_FULL),
    "TwentyBranches": (parallel_of_spins(20), {"spin": True}, "States.Runtime", HISTORY_FULL),
    "MapOfMaps": (map_of_maps(1000), {}, "States.Runtime", HISTORY_FULL),
    "Doubling": (looping({"Type": "Pass", "Parameters": {"v.$": "States.Array($.v, $.v)"}}),
                 {"v": "0123456789"}, "States.DataLimitExceeded", "size exceeding"),
    "Deepening": (looping({"Type": "Pass", "Parameters": {"a.$": "$"}}), {},
                  "States.DataLimitExceeded", "nested deeper than"),
    "DoublingJsonata": ({"QueryLanguage": "JSONata", "StartAt": "S", "States": {
        "S": {"Type": "Pass", "Output": {"s": "{% $states.input.s & $states.input.s %}"},
              "Next": "S2"},
        "S2": {"Type": "Choice", "Choices": [{"Condition": "{% true %}", "Next": "S"}],
               "Default": "Done"},
        "Done": {"Type": "Succeed"}}}, {"s": "xy"}, "States.DataLimitExceeded",
        "size exceeding"),
    "ReduceHugeRange": (jsonata("$reduce([1..10000000], function($a, $v) { $a + $v })"), {},
                        "States.QueryEvaluationError", ""),
    "PadBomb": (jsonata("$pad('x', 1000000000)"), {}, "States.QueryEvaluationError", ""),
    "JoinBomb": (jsonata("$join($map([1..2000000], function($v) { 'xxxxxxxxxx' }))"), {},
                 "States.QueryEvaluationError", ""),
    "StringDoubling": (jsonata("($p := function($s, $n) { $n = 0 ? $s : $p($s & $s, $n - 1) }; "
                               "$length($p('x', 40)))"), {}, "States.QueryEvaluationError", ""),
}

HEALTHY = {"StartAt": "S0", "States": {
    **{f"S{i}": {"Type": "Pass", "Result": i, "ResultPath": f"$.s{i}", "Next": f"S{i + 1}"}
       for i in range(9)},
    "S9": {"Type": "Pass", "Result": 9, "ResultPath": "$.s9", "End": True}}}
HEALTHY_OUTPUT = {"n": 1, **{f"s{i}": i for i in range(10)}}


def peak_rss_mb():
    pid = os.environ.get("BATON_PID")
    if not pid:
        return None
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return None


class Healthy(threading.Thread):
    """Starts healthy executions one after another until told to stop; each must succeed
    with its output."""

    def __init__(self, arn, k):
        super().__init__(daemon=True)
        self.arn, self.k = arn, k
        self.stop = threading.Event()
        self.done = 0
        self.error = None

    def run(self):
        sfn = client()
        try:
            while not self.stop.is_set():
                name = f"h{self.k}-{self.done}"
                e = sfn.start_execution(stateMachineArn=self.arn, name=name,
                                        input=json.dumps({"n": 1}))
                d = wait_done(sfn, e["executionArn"], timeout=60)
                equal(d["status"], "SUCCEEDED", name)
                equal(json.loads(d["output"]), HEALTHY_OUTPUT, name)
                self.done += 1
        except Exception as e:  # noqa: BLE001 (reported by the main thread)
            self.error = e


def phase_run():
    sfn = client()
    healthy_arn = create_machine(sfn, "Healthy", HEALTHY)["stateMachineArn"]
    workers = [Healthy(healthy_arn, k) for k in range(3)]
    for w in workers:
        w.start()
    started = {}
    only = os.environ.get("HOSTILE_ONLY")
    for name, (definition, value, _, _) in HOSTILE.items():
        if only and name not in only.split(","):
            continue
        arn = create_machine(sfn, name, definition)["stateMachineArn"]
        t = time.time()
        e = sfn.start_execution(stateMachineArn=arn, name="hostile", input=json.dumps(value))
        # StartExecution answers once the start is durable, not when the execution ends.
        check(time.time() - t < 5, f"StartExecution of {name} took {time.time() - t:.1f} s")
        started[name] = e["executionArn"]
    step(f"{len(started)} hostile executions started")
    for name, arn in started.items():
        _, _, error, cause = HOSTILE[name]
        d = wait_done(sfn, arn, timeout=120)
        equal(d["status"], "FAILED", f"{name}'s status")
        equal(d.get("error"), error, f"{name}'s error")
        check(cause in d.get("cause", ""), f"{name}'s cause: {d.get('cause')!r}")
        took = (d["stopDate"] - d["startDate"]).total_seconds()
        step(f"{name}: {error} after {took:.1f} s")
        if error == "States.Runtime":
            last = sfn.get_execution_history(executionArn=arn, reverseOrder=True,
                                             maxResults=1)["events"][0]
            equal((last["id"], last["type"]), (25000, "ExecutionFailed"), f"{name}'s last event")
    for w in workers:
        w.stop.set()
    for w in workers:
        w.join(timeout=90)
        check(w.error is None, f"a healthy execution failed: {w.error!r}")
    done = sum(w.done for w in workers)
    check(done > 0, "no healthy execution ran")
    step(f"{done} healthy executions succeeded meanwhile")
    rss = peak_rss_mb()
    if rss is not None:
        step(f"the server's peak memory: {rss:.0f} MB")
        check(rss < 1024, f"the server's peak memory: {rss:.0f} MB")


def deep(depth):
    return "[" * depth + "]" * depth


# A task's result as deep as a document may be, kept in the journal (one level deeper)
# while the execution waits: it must read back after the crash.
DEEP_RESULT = {"StartAt": "Nest", "States": {
    "Nest": {"Type": "Task", "Resource": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:nest",
             "ResultPath": None, "Next": "Wait"},
    "Wait": {"Type": "Wait", "Seconds": 2, "Next": "Done"},
    "Done": {"Type": "Pass", "Parameters": {"depth.$": "$.depth"}, "End": True}}}


def phase_deep_documents():
    sfn = client()
    arn = create_machine(sfn, "Deep", {"StartAt": "P", "States": {
        "P": {"Type": "Pass", "End": True}}})["stateMachineArn"]
    # As deep as a document may be: in, out and through the history.
    e = sfn.start_execution(stateMachineArn=arn, name="in-1000", input=deep(1000))
    d = wait_done(sfn, e["executionArn"])
    equal((d["status"], d["output"]), ("SUCCEEDED", deep(1000)), "a 1,000-level input")
    for event in history(sfn, e["executionArn"]):
        details = event.get("stateEnteredEventDetails") or {}
        if "input" in details:
            equal(details["input"], deep(1000), "a 1,000-level state input in the history")
    e = expect_error("InvalidExecutionInput", sfn.start_execution, stateMachineArn=arn,
                     name="in-1001", input=deep(1001))
    check("nested deeper than 1000 levels" in e["Error"]["Message"], e["Error"])
    step("a 1,000-level input runs; a 1,001-level one is refused with InvalidExecutionInput")
    arn = create_machine(sfn, "DeepResult", DEEP_RESULT)["stateMachineArn"]
    for depth in (1000, 1001):
        sfn.start_execution(stateMachineArn=arn, name=f"result-{depth}",
                            input=json.dumps({"depth": depth}))
    waiting = execution_arn("DeepResult", "result-1000")
    wait_for(lambda: any(e["type"] == "WaitStateEntered" for e in history(sfn, waiting)),
             "result-1000 to hold its result and wait")
    step("executions holding deep task results wait")


def phase_deep_after_restart():
    sfn = client()
    d = wait_done(sfn, execution_arn("DeepResult", "result-1000"), timeout=60)
    equal((d["status"], json.loads(d["output"])), ("SUCCEEDED", {"depth": 1000}), "result-1000")
    # A function's answer deeper than any document may be is refused as it comes in.
    d = wait_done(sfn, execution_arn("DeepResult", "result-1001"), timeout=60)
    equal((d["status"], d.get("error")), ("FAILED", "Lambda.ServiceException"), "result-1001")
    check("nested deeper than 1000 levels" in d.get("cause", ""), d.get("cause"))
    step("after the crash, executions holding deep task results carried on to their ends")


def phase_crowd():
    """A Map whose 100 iterations each run a command, all at once: the host runs at most
    64 such processes at a time, the others wait their turn, and all succeed."""
    sfn = client()
    arn = create_machine(sfn, "Crowd", {"StartAt": "M", "States": {"M": {
        "Type": "Map", "MaxConcurrency": 0, "End": True,
        "ItemProcessor": {"StartAt": "Run", "States": {"Run": {
            "Type": "Task", "End": True,
            "Resource": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:crowd"}}}}}})["stateMachineArn"]
    room = os.path.join(SCRATCH, "crowd")
    e = sfn.start_execution(stateMachineArn=arn, input=json.dumps([{"room": room}] * 100))
    d = wait_done(sfn, e["executionArn"], timeout=120)
    equal((d["status"], d.get("error"), d.get("cause")), ("SUCCEEDED", None, None), "the crowd")
    most = max(r["seen"] for r in json.loads(d["output"]))
    check(most <= 64, f"{most} processes ran at once")
    step(f"100 task processes ran, at most {most} at once")


def runaways_file():
    return os.path.join(SCRATCH, "runaways.json")


def phase_start_runaways():
    sfn = client()
    arns = []
    for name, definition in (("CrashSpin", SPIN), ("CrashBranches", parallel_of_spins(4))):
        arn = create_machine(sfn, name, definition)["stateMachineArn"]
        for i in range(3):
            arns.append(sfn.start_execution(stateMachineArn=arn, name=f"r{i}",
                                            input='{"spin": true}')["executionArn"])
    with open(runaways_file(), "w") as f:
        json.dump(arns, f)
    step(f"{len(arns)} runaways started")


def phase_after_restart():
    sfn = client()
    with open(runaways_file()) as f:
        arns = json.load(f)
    for arn in arns:
        d = wait_done(sfn, arn, timeout=120)
        equal((d["status"], d.get("error"), d.get("cause")),
              ("FAILED", "States.Runtime", HISTORY_FULL), arn)
    for m in sfn.list_state_machines()["stateMachines"]:
        running = sfn.list_executions(stateMachineArn=m["stateMachineArn"],
                                      statusFilter="RUNNING")["executions"]
        equal(running, [], f"executions of {m['name']} still RUNNING")
    step("after the crash every runaway ended at the history limit; nothing is RUNNING")


if __name__ == "__main__":
    phase = sys.argv[1] if len(sys.argv) > 1 else "run"
    main({"run": phase_run, "start-runaways": phase_start_runaways,
          "after-restart": phase_after_restart, "deep-documents": phase_deep_documents,
          "deep-after-restart": phase_deep_after_restart, "crowd": phase_crowd}[phase])
