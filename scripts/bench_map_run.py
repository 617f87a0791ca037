#!/usr/bin/env python3
"""Distributed Map throughput: N JSONL items in a local-folder bucket, read by an ItemReader,
batched 100 per child, each child a Pass state, results written by a ResultWriter.

Usage: python3 scripts/bench_map_run.py [--items 1000000] [--baton target/release/baton]

Measures, in one go:
  - `baton run` (one process, in memory) with EXPRESS children: wall time, items/s, peak RSS;
  - `baton serve` (SQLite, fsync) through the API, EXPRESS then STANDARD children: time from
    StartExecution to the end (polled every 50 ms), items/s, the server's peak RSS.
Every run's result files are checked: one record per batch, every item counted once.
Prints a Markdown table.
"""

import argparse
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

BATCH = 100


def machine(kind):
    return {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Map",
                "MaxConcurrency": 1000,
                "ItemReader": {
                    "Resource": "arn:aws:states:::s3:getObject",
                    "ReaderConfig": {"InputType": "JSONL"},
                    "Parameters": {"Bucket": "bench", "Key": "items.jsonl"},
                },
                "ItemBatcher": {"MaxItemsPerBatch": BATCH},
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": kind},
                    "StartAt": "Count",
                    "States": {
                        "Count": {
                            "Type": "Pass",
                            "Parameters": {"n.$": "States.ArrayLength($.Items)"},
                            "End": True,
                        }
                    },
                },
                "ResultWriter": {
                    "Resource": "arn:aws:states:::s3:putObject",
                    "Parameters": {"Bucket": "bench", "Prefix": f"out-{kind}"},
                },
                "End": True,
            }
        },
    }


def check_results(bucket, output, items):
    details = output["ResultWriterDetails"]
    manifest = json.loads((bucket / details["Key"]).read_text())
    counted = 0
    for f in manifest["ResultFiles"]["SUCCEEDED"]:
        for r in json.loads((bucket / f["Key"]).read_text()):
            counted += json.loads(r["Output"])["n"]
    if counted != items:
        raise SystemExit(f"the results count {counted} items, not {items}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=1_000_000)
    ap.add_argument("--baton", default=str(ROOT / "target" / "release" / "baton"))
    args = ap.parse_args()
    n = args.items
    work = Path(tempfile.mkdtemp(prefix="baton-bench-map-"))
    bucket = work / "bucket"
    bucket.mkdir()
    with open(bucket / "items.jsonl", "w") as f:
        for i in range(n):
            f.write(json.dumps({"id": i, "name": f"item-{i}", "v": i * 3}) + "\n")
    rows = []

    # baton run: one process.
    path = work / "express.json"
    path.write_text(json.dumps(machine("EXPRESS")))
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    out = subprocess.run(
        [args.baton, "run", str(path), "--bucket", f"bench={bucket}"],
        check=True, capture_output=True, text=True,
    )
    dt = time.perf_counter() - t0
    rss = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
    check_results(bucket, json.loads(out.stdout), n)
    rows.append(("`baton run`, EXPRESS children", dt, n / dt, rss))

    # baton serve: through the API.
    from baton_e2e import client, create_machine, wait_done  # noqa: E402

    port = free_port()
    server = subprocess.Popen(
        [args.baton, "serve", "--data-dir", str(work / "data"), "--bind", f"127.0.0.1:{port}",
         "--bucket", f"bench={bucket}", "--log", "warn"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        endpoint = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                urllib.request.urlopen(endpoint + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        sfn = client(endpoint)
        for kind in ["EXPRESS", "STANDARD"]:
            arn = create_machine(sfn, f"Bench{kind}", machine(kind))["stateMachineArn"]
            t0 = time.perf_counter()
            e = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
            while True:
                d = sfn.describe_execution(executionArn=e)
                if d["status"] != "RUNNING":
                    break
                time.sleep(0.05)
            dt = time.perf_counter() - t0
            if d["status"] != "SUCCEEDED":
                raise SystemExit(f"{kind}: {d}")
            check_results(bucket, json.loads(d["output"]), n)
            rows.append((f"`baton serve`, {kind} children", dt, n / dt, peak_rss_mb(server.pid)))
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)

    print(f"{n:,} items, batches of {BATCH}\n")
    print("| run | s | items/s | peak RSS MB |")
    print("|---|---|---|---|")
    for name, dt, rate, rss in rows:
        print(f"| {name} | {dt:.2f} | {rate:,.0f} | {rss:.0f} |")


if __name__ == "__main__":
    main()
