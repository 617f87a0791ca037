#!/usr/bin/env python3
"""End to end: `baton serve` (at $BATON_ENDPOINT) runs a workflow against moto's server
(at $MOTO_ENDPOINT, Baton's [aws] endpoint-url): it writes to DynamoDB, sends to SQS with
.waitForTaskToken and is resumed by a consumer in another process that reads the message
and calls SendTaskSuccess, publishes to SNS, archives the approval in S3 (aws-sdk), and
catches a DynamoDB conditional-check failure. Prints `ok` when everything is as AWS would have it."""

import json
import os
import subprocess
import sys
import time
import uuid

import boto3

BATON = os.environ["BATON_ENDPOINT"]
MOTO = os.environ["MOTO_ENDPOINT"]
KW = dict(region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")

CONSUMER = r"""
import json, sys, boto3
kw = dict(region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
sqs = boto3.client("sqs", endpoint_url=sys.argv[1], **kw)
sfn = boto3.client("stepfunctions", endpoint_url=sys.argv[2], **kw)
while True:
    got = sqs.receive_message(QueueUrl=sys.argv[3], WaitTimeSeconds=1).get("Messages", [])
    for m in got:
        body = json.loads(m["Body"])
        sfn.send_task_success(taskToken=body["TaskToken"], output=json.dumps({"approved": body["Order"]}))
        sqs.delete_message(QueueUrl=sys.argv[3], ReceiptHandle=m["ReceiptHandle"])
        sys.exit(0)
"""


def main():
    suffix = uuid.uuid4().hex[:8]
    ddb = boto3.client("dynamodb", endpoint_url=MOTO, **KW)
    sqs = boto3.client("sqs", endpoint_url=MOTO, **KW)
    sns = boto3.client("sns", endpoint_url=MOTO, **KW)
    s3 = boto3.client("s3", endpoint_url=MOTO, **KW)
    sfn = boto3.client("stepfunctions", endpoint_url=BATON, **KW)
    table = f"orders-{suffix}"
    ddb.create_table(TableName=table, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    queue = sqs.create_queue(QueueName=f"approvals-{suffix}")["QueueUrl"]
    topic = sns.create_topic(Name=f"done-{suffix}")["TopicArn"]
    bucket = f"archive-{suffix}"
    s3.create_bucket(Bucket=bucket)
    put = {
        "Type": "Task",
        "Resource": "arn:aws:states:::dynamodb:putItem",
        "Parameters": {"TableName": table, "Item": {"id": {"S.$": "$.order"}},
                       "ConditionExpression": "attribute_not_exists(id)"},
        "ResultPath": None,
    }
    definition = {
        "StartAt": "Record",
        "States": {
            "Record": dict(put, Next="Approve"),
            "Approve": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": queue,
                               "MessageBody": {"Order.$": "$.order", "TaskToken.$": "$$.Task.Token"}},
                "ResultPath": "$.approval",
                "TimeoutSeconds": 120,
                "Next": "Notify",
            },
            "Notify": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sns:publish",
                "Parameters": {"TopicArn": topic, "Message.$": "$.approval"},
                "ResultSelector": {"MessageId.$": "$.MessageId"},
                "ResultPath": "$.published",
                "Next": "Archive",
            },
            "Archive": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:s3:putObject",
                "Parameters": {"Bucket": bucket, "Key.$": "States.Format('approvals/{}.json', $.order)",
                               "Body.$": "$.approval"},
                "ResultSelector": {"ETag.$": "$.ETag"},
                "ResultPath": "$.archived",
                "Next": "Record again",
            },
            "Record again": dict(put, Next="Unreachable", Catch=[{
                "ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"],
                "ResultPath": "$.duplicate", "Next": "Done"}]),
            "Unreachable": {"Type": "Fail", "Error": "NotCaught"},
            "Done": {"Type": "Succeed"},
        },
    }
    machine = sfn.create_state_machine(name=f"orders-{suffix}", definition=json.dumps(definition),
                                       roleArn="arn:aws:iam::123456789012:role/r")["stateMachineArn"]
    consumer = subprocess.Popen([sys.executable, "-c", CONSUMER, MOTO, BATON, queue])
    arn = sfn.start_execution(stateMachineArn=machine, input=json.dumps({"order": "o-1"}))["executionArn"]
    deadline = time.time() + 60
    while True:
        d = sfn.describe_execution(executionArn=arn)
        if d["status"] != "RUNNING":
            break
        assert time.time() < deadline, "the execution did not end"
        time.sleep(0.2)
    consumer.wait(timeout=30)
    assert consumer.returncode == 0, "the consumer failed"
    assert d["status"] == "SUCCEEDED", d
    out = json.loads(d["output"])
    assert out["approval"] == {"approved": "o-1"}, out
    assert out["published"]["MessageId"], out
    assert out["duplicate"]["Error"] == "DynamoDB.ConditionalCheckFailedException", out
    assert "(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ConditionalCheckFailedException;" in out["duplicate"]["Cause"], out
    types = [e["type"] for e in sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]]
    assert "TaskSubmitted" in types, types
    item = ddb.get_item(TableName=table, Key={"id": {"S": "o-1"}})
    assert "Item" in item, item
    archived = s3.get_object(Bucket=bucket, Key="approvals/o-1.json")
    assert archived["Body"].read() == b'{"approved":"o-1"}', archived
    assert out["archived"]["ETag"] == archived["ETag"], (out, archived)
    print("ok")


if __name__ == "__main__":
    main()
