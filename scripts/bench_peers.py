#!/usr/bin/env python3
"""Side-by-side benchmark: Baton and aws-local-stepfunctions on the peer workloads.

Usage: python3 scripts/bench_peers.py [--shared ../shared] [--repeat 3]

Runs, in one go on this machine:
  - the peer (aws-local-stepfunctions 3.0.0 on Node.js) on workloads a, b and c, through
    shared/peers/run_aws_local_stepfunctions.mjs (installed into ../peers-scratch/als if
    missing);
  - `baton bench` (in process, history events built; with and without keeping them);
  - `baton run` as a whole process on workloads b and c (wall time and peak RSS), and on one
    execution of workload a.
Prints a Markdown table. Every figure comes from a run whose output was checked.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def peer(shared, workload):
    als = ROOT.parent / "peers-scratch" / "als"
    if not (als / "node_modules" / "aws-local-stepfunctions").is_dir():
        als.mkdir(parents=True, exist_ok=True)
        sh(["npm", "init", "-y"], cwd=als)
        sh(["npm", "install", "aws-local-stepfunctions@3.0.0"], cwd=als)
    out = sh(["node", str(shared / "peers" / "run_aws_local_stepfunctions.mjs"), workload],
             env={**os.environ, "ALS_DIR": str(als)})
    line = json.loads(out.stdout.strip().splitlines()[-1])
    assert line["verified"], line
    return line


def baton_bench(baton, shared, workload, repeat, keep_history):
    cmd = [str(baton), "bench", workload, "--dir", str(shared / "peers" / "workloads"),
           "--repeat", str(repeat)]
    if not keep_history:
        cmd.append("--no-history")
    line = json.loads(sh(cmd).stdout.strip().splitlines()[-1])
    assert line["verified"], line
    return line


def baton_process(baton, shared, workload):
    """One `baton run` process: wall seconds and its peak RSS in MB."""
    w = shared / "peers" / "workloads"
    start = time.perf_counter()
    proc = subprocess.Popen(
        [str(baton), "run", str(w / f"{workload}.asl.json"), "--input-file",
         str(w / f"{workload}.input.json"), "--json", "--max-payload-bytes", "100000000"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    result = json.loads(stdout)
    assert result["status"] == "SUCCEEDED", result
    return seconds, usage.ru_maxrss / 1024.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    shared = Path(args.shared).resolve()
    sh(["cargo", "build", "--release", "-p", "baton-cli"], cwd=ROOT)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    baton = target / "release" / "baton"

    transitions = {"a": 100_000, "b": 10_001, "c": 200_003}
    rows = []
    for w in ["a", "b", "c"]:
        p = peer(shared, w)
        kept = baton_bench(baton, shared, w, args.repeat, True)
        streamed = baton_bench(baton, shared, w, args.repeat, False)
        secs, rss = baton_process(baton, shared, w)
        process_tps = (10 if w == "a" else transitions[w]) / secs
        rows.append((w, p, kept, streamed, secs, rss, process_tps))

    print(f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} CPUs "
          f"({sh(['uname', '-m']).stdout.strip()}).\n")
    print("| workload | peer t/s | peer RSS MB | Baton in process, history kept: t/s (× peer) | "
          "history streamed: t/s (× peer) | Baton RSS MB | `baton run` process: s | t/s | RSS MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    for w, p, kept, streamed, secs, rss, ptps in rows:
        ratio = lambda t: t / p["transitions_per_s"]
        print(f"| {w} | {p['transitions_per_s']:,} | {p['peak_rss_mb']} | "
              f"{kept['transitions_per_s']:,.0f} ({ratio(kept['transitions_per_s']):.0f}×) | "
              f"{streamed['transitions_per_s']:,.0f} ({ratio(streamed['transitions_per_s']):.0f}×) | "
              f"{kept['peak_rss_mb']:.0f} | {secs:.3f} | {ptps:,.0f} | {rss:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
