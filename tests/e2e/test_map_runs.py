"""Distributed Map through boto3: the Map Run of a running execution listed, described and
updated (UpdateMapRun's maxConcurrency), the counts at the end, MapRun events, and the
errors of the Map Run actions."""

from baton_e2e import *

MACHINE = {
    "StartAt": "Fan",
    "States": {
        "Fan": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "MaxConcurrency": 1,
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "Nap",
                "States": {
                    "Nap": {"Type": "Wait", "Seconds": 1, "Next": "Double"},
                    "Double": {"Type": "Pass",
                               "Parameters": {"d.$": "States.MathAdd($.v, $.v)"}, "End": True},
                },
            },
            "End": True,
        }
    },
}


def run():
    sfn = client()
    arn = create_machine(sfn, "Fanout", MACHINE)["stateMachineArn"]
    items = [{"v": i} for i in range(1, 6)]
    e = sfn.start_execution(stateMachineArn=arn, name="fan",
                            input=json.dumps({"items": items}))["executionArn"]
    runs = wait_for(lambda: sfn.list_map_runs(executionArn=e)["mapRuns"], "the Map Run")
    equal(len(runs), 1, "one Map Run")
    run_arn = runs[0]["mapRunArn"]
    check(run_arn.startswith(f"{PREFIX}:mapRun:Fanout/Fan:"), run_arn)
    equal((runs[0]["executionArn"], runs[0]["stateMachineArn"]),
          (e, f"{PREFIX}:stateMachine:Fanout/Fan"), "the listed Map Run")
    d = sfn.describe_map_run(mapRunArn=run_arn)
    equal((d["executionArn"], d["status"], d["maxConcurrency"]), (e, "RUNNING", 1),
          "a running Map Run")
    equal(d["itemCounts"]["total"], 5, "items in all")
    check(d["itemCounts"]["running"] <= 1, "MaxConcurrency 1 runs one item at a time", d)
    step("ListMapRuns, DescribeMapRun while it runs")

    sfn.update_map_run(mapRunArn=run_arn, maxConcurrency=5)
    equal(sfn.describe_map_run(mapRunArn=run_arn)["maxConcurrency"], 5, "the new maxConcurrency")
    out = wait_done(sfn, e)
    equal(out["status"], "SUCCEEDED", "the execution")
    equal(json.loads(out["output"]), [{"d": 2 * i} for i in range(1, 6)], "the Map's output")
    step("UpdateMapRun")

    d = sfn.describe_map_run(mapRunArn=run_arn)
    equal(d["status"], "SUCCEEDED", "the Map Run at the end")
    check("stopDate" in d, d)
    equal((d["itemCounts"]["succeeded"], d["itemCounts"]["total"], d["itemCounts"]["running"]),
          (5, 5, 0), "item counts")
    equal((d["executionCounts"]["succeeded"], d["executionCounts"]["total"]), (5, 5),
          "execution counts")
    # Baton runs a distributed Map's iterations inside the parent (map_runs.rs says so), so
    # ListExecutions by Map Run lists none yet; AWS lists the child executions.
    for c in sfn.list_executions(mapRunArn=run_arn)["executions"]:
        equal((c["status"], c.get("mapRunArn"), c["stateMachineArn"]),
              ("SUCCEEDED", run_arn, f"{PREFIX}:stateMachine:Fanout/Fan"), "a child")
    types = [x["type"] for x in history(sfn, e)]
    check("MapRunStarted" in types and "MapRunSucceeded" in types, types)
    started = next(x for x in history(sfn, e) if x["type"] == "MapRunStarted")
    equal(started["mapRunStartedEventDetails"]["mapRunArn"], run_arn, "MapRunStarted")
    step("counts, children, history")

    expect_error("ResourceNotFound", sfn.describe_map_run, mapRunArn=run_arn + "-missing")
    expect_error("ResourceNotFound", sfn.update_map_run, mapRunArn=run_arn + "-missing",
                 maxConcurrency=2)
    expect_error("InvalidArn", sfn.describe_map_run, mapRunArn=e)
    expect_error("ValidationException", sfn.update_map_run, mapRunArn=run_arn)
    expect_error("ExecutionDoesNotExist", sfn.list_map_runs,
                 executionArn=execution_arn("Fanout", "nope"))
    step("errors")


main(run)
