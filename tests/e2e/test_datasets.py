"""Distributed Map datasets through boto3, with a local folder standing in for the S3
bucket `data` (the server runs with `--bucket data=$BATON_E2E_SCRATCH/bucket`):

    start   a JSONL of 100,000 lines read by an ItemReader, batched 50 per child, run by
            STANDARD children 1,000 at a time (each waits a second, so that the run spans
            the crashes), results written by a ResultWriter; a CSV
            reader's errors as AWS gives them; an aws-sdk:s3 task on the folder
    finish  (after the server was killed twice mid-run) the run ends with exactly one
            result per item in the ResultWriter's files
"""

import os
import sys

from baton_e2e import *

BUCKET_DIR = os.path.join(SCRATCH, "bucket")
LINES = 100_000
BATCH = 50

BIG = {
    "StartAt": "Fan",
    "States": {
        "Fan": {
            "Type": "Map",
            "MaxConcurrency": 1000,
            "ItemReader": {
                "Resource": "arn:aws:states:::s3:getObject",
                "ReaderConfig": {"InputType": "JSONL"},
                "Parameters": {"Bucket": "data", "Key.$": "$.key"},
            },
            "ItemBatcher": {"MaxItemsPerBatch": BATCH, "BatchInput": {"run.$": "$.run"}},
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "Nap",
                "States": {
                    "Nap": {"Type": "Wait", "Seconds": 1, "Next": "Count"},
                    "Count": {
                        "Type": "Pass",
                        "Parameters": {
                            "run.$": "$.BatchInput.run",
                            "ids.$": "$.Items[*].id",
                        },
                        "End": True,
                    }
                },
            },
            "ResultWriter": {
                "Resource": "arn:aws:states:::s3:putObject",
                "Parameters": {"Bucket": "data", "Prefix": "results"},
            },
            "End": True,
        }
    },
}

CSV = {
    "StartAt": "Rows",
    "States": {
        "Rows": {
            "Type": "Map",
            "ItemReader": {
                "Resource": "arn:aws:states:::s3:getObject",
                "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW",
                                 "MaxItemsPath": "$.max"},
                "Parameters": {"Bucket": "data", "Key.$": "$.key"},
            },
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}},
            },
            "End": True,
        }
    },
}

GET = {
    "StartAt": "Get",
    "States": {
        "Get": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
            "Parameters": {"Bucket": "data", "Key": "hello.txt"},
            "ResultSelector": {"body.$": "$.Body"},
            "End": True,
        }
    },
}


def write(key, text):
    path = os.path.join(BUCKET_DIR, key)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def read_json(key):
    with open(os.path.join(BUCKET_DIR, key)) as f:
        return json.load(f)


def start():
    sfn = client()
    write("hello.txt", "hello from a folder")
    arn = create_machine(sfn, "S3Get", GET)["stateMachineArn"]
    e = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
    out = wait_done(sfn, e)
    equal(out["status"], "SUCCEEDED", f"aws-sdk:s3:getObject on a local bucket: {out}")
    equal(json.loads(out["output"]), {"body": "hello from a folder"}, "the object's body")
    step("aws-sdk:s3:getObject reads a file of the folder")

    write("rows.csv", "a,b\n1,2\n3,4\n5,6\n")
    write("dup.csv", "a,a\n1,2\n")
    arn = create_machine(sfn, "Rows", CSV)["stateMachineArn"]
    e = sfn.start_execution(stateMachineArn=arn,
                            input=json.dumps({"key": "rows.csv", "max": 2}))["executionArn"]
    out = wait_done(sfn, e)
    equal(json.loads(out["output"]), [{"a": "1", "b": "2"}, {"a": "3", "b": "4"}],
          f"CSV rows as items, MaxItems 2: {out}")
    e = sfn.start_execution(stateMachineArn=arn,
                            input=json.dumps({"key": "dup.csv", "max": 0}))["executionArn"]
    out = wait_done(sfn, e)
    equal((out["status"], out.get("error"), out.get("cause")),
          ("FAILED", "States.ItemReaderFailed", "CSV headers cannot contain duplicates."),
          "duplicate CSV headers")
    e = sfn.start_execution(stateMachineArn=arn,
                            input=json.dumps({"key": "missing.csv", "max": 0}))["executionArn"]
    out = wait_done(sfn, e)
    equal((out["status"], out.get("error")), ("FAILED", "States.ItemReaderFailed"),
          f"a missing object: {out}")
    types = [ev["type"] for ev in history(sfn, e)]
    check(types[-3:] == ["MapRunFailed", "MapStateFailed", "ExecutionFailed"], types)
    step("CSV items, MaxItems, and the reader's errors")

    write("items.jsonl", "".join(json.dumps({"id": i}) + "\n" for i in range(LINES)))
    arn = create_machine(sfn, "Big", BIG)["stateMachineArn"]
    e = sfn.start_execution(stateMachineArn=arn, name="big",
                            input=json.dumps({"key": "items.jsonl", "run": "r1"}))["executionArn"]
    run_arn = wait_for(lambda: sfn.list_map_runs(executionArn=e)["mapRuns"], "the Map Run")[0][
        "mapRunArn"]
    wait_for(lambda: sfn.describe_map_run(mapRunArn=run_arn)["itemCounts"]["total"] > 0,
             "the items read")
    step("a 100,000-line JSONL Map Run started")


def finish():
    sfn = client()
    e = execution_arn("Big", "big")
    out = wait_done(sfn, e, timeout=600)
    equal(out["status"], "SUCCEEDED", f"the big Map Run after two crashes: {out}")
    output = json.loads(out["output"])
    details = output["ResultWriterDetails"]
    equal(details["Bucket"], "data", "the results' bucket")
    run_id = output["MapRunArn"].rsplit(":", 1)[1]
    equal(details["Key"], f"results/{run_id}/manifest.json", "the manifest's key")
    manifest = read_json(details["Key"])
    equal(manifest["MapRunArn"], output["MapRunArn"], "the manifest's Map Run")
    files = manifest["ResultFiles"]
    equal((files.get("FAILED"), files.get("PENDING")), ([], []), "no failed or pending results")
    seen = []
    records = 0
    for f in files["SUCCEEDED"]:
        for r in read_json(f["Key"]):
            records += 1
            equal(r["Status"], "SUCCEEDED", "a child's status")
            o = json.loads(r["Output"])
            equal(o["run"], "r1", "BatchInput in every batch")
            seen.extend(o["ids"])
    equal(records, LINES // BATCH, "one record per batch")
    equal(sorted(seen), list(range(LINES)), "exactly one result per item")
    d = sfn.describe_map_run(mapRunArn=output["MapRunArn"])
    equal((d["status"], d["itemCounts"]["succeeded"], d["itemCounts"]["total"]),
          ("SUCCEEDED", LINES, LINES), f"the Map Run's item counts: {d}")
    equal((d["executionCounts"]["succeeded"], d["executionCounts"]["total"]),
          (LINES // BATCH, LINES // BATCH), f"the Map Run's child executions: {d}")
    step("exactly one result per item after two crashes")


if __name__ == "__main__":
    phase = sys.argv[1] if len(sys.argv) > 1 else "start"
    main({"start": start, "finish": finish}[phase])
