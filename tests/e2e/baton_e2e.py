"""What the end-to-end scripts share: a boto3 client of the Baton server under test and a
few checks. The server's address is in BATON_ENDPOINT; BATON_E2E_SCRATCH is a directory the
script may write in. crates/cli/tests/e2e.rs starts the server and runs the scripts; to run
one by hand:

    baton serve --in-memory --functions tests/e2e/functions.json --bind 127.0.0.1:8083 &
    BATON_ENDPOINT=http://127.0.0.1:8083 python3 tests/e2e/test_executions.py
"""

import json
import os
import sys
import tempfile
import time
import urllib.error
import urllib.request

import boto3
import botocore
from botocore.config import Config

ENDPOINT = os.environ.get("BATON_ENDPOINT", "http://127.0.0.1:8083")
SCRATCH = os.environ.get("BATON_E2E_SCRATCH") or tempfile.mkdtemp(prefix="baton-e2e-")
os.environ["BATON_E2E_SCRATCH"] = SCRATCH  # the same for the processes a script starts
HERE = os.path.dirname(os.path.abspath(__file__))
ACCOUNT = "123456789012"
REGION = "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/baton-e2e"
PREFIX = f"arn:aws:states:{REGION}:{ACCOUNT}"


def client(endpoint=ENDPOINT, **config):
    """A Step Functions client of the server. No retries, so that every error shows; a read
    timeout above GetActivityTask's 60 s long poll; no `sync-` host prefix (see
    test_express.py for what the prefix does to a local endpoint)."""
    settings = dict(
        retries={"mode": "standard", "max_attempts": 1},
        connect_timeout=5,
        read_timeout=70,
        inject_host_prefix=False,
    )
    settings.update(config)
    return boto3.client(
        "stepfunctions",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(**settings),
    )


def step(text):
    """Prints what the script has checked, so a failure's output shows how far it got."""
    print(text, flush=True)


def check(condition, *what):
    if not condition:
        raise AssertionError(" ".join(str(w) for w in what) or "check failed")


def equal(got, want, what=""):
    if got != want:
        raise AssertionError(f"{what}:\n  got  {got!r}\n  want {want!r}")


def expect_error(code, call, message=None, **kwargs):
    """Calls `call(**kwargs)`, which must fail with AWS error `code` (and `message` when
    given); returns the error response."""
    try:
        result = call(**kwargs)
    except botocore.exceptions.ClientError as e:
        error = e.response["Error"]
        equal(error["Code"], code, f"the error of {call.__name__}")
        if message is not None:
            equal(error["Message"], message, f"the message of {code}")
        equal(e.response["ResponseMetadata"]["HTTPStatusCode"], 400, f"the status of {code}")
        return e.response
    raise AssertionError(f"{call.__name__}({kwargs}) raised no {code} but returned {result}")


def machine_arn(name):
    return f"{PREFIX}:stateMachine:{name}"


def execution_arn(machine, name):
    return f"{PREFIX}:execution:{machine}:{name}"


def create_machine(sfn, name, definition, **kwargs):
    kwargs.setdefault("roleArn", ROLE)
    text = definition if isinstance(definition, str) else json.dumps(definition)
    return sfn.create_state_machine(name=name, definition=text, **kwargs)


def wait_done(sfn, arn, timeout=30):
    """Polls DescribeExecution until the execution is no longer RUNNING."""
    deadline = time.time() + timeout
    while True:
        d = sfn.describe_execution(executionArn=arn)
        if d["status"] != "RUNNING":
            return d
        if time.time() > deadline:
            raise AssertionError(f"{arn} still RUNNING after {timeout} s")
        time.sleep(0.1)


def wait_for(predicate, what, timeout=30):
    deadline = time.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def history(sfn, arn, **kwargs):
    """The whole history, through the paginator."""
    pages = sfn.get_paginator("get_execution_history").paginate(executionArn=arn, **kwargs)
    return [e for page in pages for e in page["events"]]


def raw_call(target, body, headers=None):
    """POSTs `body` (bytes) with X-Amz-Target `target` outside any SDK: (status, headers,
    JSON body)."""
    request = urllib.request.Request(ENDPOINT + "/", data=body, method="POST")
    request.add_header("Content-Type", "application/x-amz-json-1.0")
    if target is not None:
        request.add_header("X-Amz-Target", target)
    for k, v in (headers or {}).items():
        request.add_header(k, v)
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, dict(r.headers), json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), json.loads(e.read() or b"null")


def main(run):
    """Runs `run()` and prints `ok` at the end; the harness looks for it."""
    run()
    print("ok", flush=True)
    sys.exit(0)
