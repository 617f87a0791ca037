#!/usr/bin/env python3
"""End to end: states:startExecution on another endpoint. The Baton at $BATON_ENDPOINT has
[aws.endpoints] sfn = the Baton at $REMOTE_ENDPOINT; a workflow on the first starts a child
on the second (.sync:2, then request-response), and catches the error for a state machine
that does not exist there. Prints `ok`."""

import json
import os
import time
import uuid

import boto3

KW = dict(region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")


def wait(sfn, arn):
    deadline = time.time() + 60
    while True:
        d = sfn.describe_execution(executionArn=arn)
        if d["status"] != "RUNNING":
            return d
        assert time.time() < deadline, "the execution did not end"
        time.sleep(0.2)


def main():
    local = boto3.client("stepfunctions", endpoint_url=os.environ["BATON_ENDPOINT"], **KW)
    remote = boto3.client("stepfunctions", endpoint_url=os.environ["REMOTE_ENDPOINT"], **KW)
    role = "arn:aws:iam::123456789012:role/r"
    suffix = uuid.uuid4().hex[:8]
    child = remote.create_state_machine(
        name=f"child-{suffix}", roleArn=role,
        definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"from": "remote"}, "End": True}}}),
    )["stateMachineArn"]
    missing = child.replace(f"child-{suffix}", f"missing-{suffix}")
    parent = {
        "StartAt": "Child",
        "States": {
            "Child": {
                "Type": "Task",
                "Resource": "arn:aws:states:::states:startExecution.sync:2",
                "Parameters": {"StateMachineArn": child, "Input": {"hello": "there"}},
                "ResultSelector": {"Output.$": "$.Output", "Status.$": "$.Status", "Input.$": "$.Input"},
                "ResultPath": "$.child",
                "Next": "Start only",
            },
            "Start only": {
                "Type": "Task",
                "Resource": "arn:aws:states:::states:startExecution",
                "Parameters": {"StateMachineArn": child},
                "ResultSelector": {"ExecutionArn.$": "$.ExecutionArn"},
                "ResultPath": "$.started",
                "Next": "Missing",
            },
            "Missing": {
                "Type": "Task",
                "Resource": "arn:aws:states:::states:startExecution",
                "Parameters": {"StateMachineArn": missing},
                "Catch": [{"ErrorEquals": ["StepFunctions.StateMachineDoesNotExistException"],
                           "ResultPath": "$.missing", "Next": "Done"}],
                "Next": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    }
    machine = local.create_state_machine(name=f"parent-{suffix}", roleArn=role,
                                         definition=json.dumps(parent))["stateMachineArn"]
    arn = local.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
    d = wait(local, arn)
    assert d["status"] == "SUCCEEDED", d
    out = json.loads(d["output"])
    assert out["child"] == {"Output": {"from": "remote"}, "Status": "SUCCEEDED", "Input": {"hello": "there"}}, out
    started = out["started"]["ExecutionArn"]
    assert wait(remote, started)["status"] == "SUCCEEDED"
    assert "(Service: AWSStepFunctions; Status Code: 400; Error Code: StateMachineDoesNotExist;" in out["missing"]["Cause"], out
    # The children ran on the remote Baton.
    assert len(remote.list_executions(stateMachineArn=child)["executions"]) == 2
    print("ok")


if __name__ == "__main__":
    main()
