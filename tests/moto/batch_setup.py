#!/usr/bin/env python3
"""Makes a Batch job queue and job definition on a moto server, for Baton's tests.

    python3 tests/moto/batch_setup.py http://127.0.0.1:PORT NAME

Prints {"queue": ARN, "definition": ARN}. An IAM role and an unmanaged compute environment
are made on the way: Batch's API wants them, and Baton ships no IAM model to make them with.
"""

import json
import sys

import boto3


def main():
    url, name = sys.argv[1], sys.argv[2]
    kw = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    iam = boto3.client("iam", **kw)
    batch = boto3.client("batch", **kw)
    role = iam.create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    env = batch.create_compute_environment(
        computeEnvironmentName=f"{name}-env",
        type="UNMANAGED",
        state="ENABLED",
        serviceRole=role,
    )["computeEnvironmentArn"]
    queue = batch.create_job_queue(
        jobQueueName=f"{name}-queue",
        state="ENABLED",
        priority=1,
        computeEnvironmentOrder=[{"order": 1, "computeEnvironment": env}],
    )["jobQueueArn"]
    definition = batch.register_job_definition(
        jobDefinitionName=f"{name}-def",
        type="container",
        containerProperties={"image": "busybox", "command": ["true"], "vcpus": 1, "memory": 128},
    )["jobDefinitionArn"]
    print(json.dumps({"queue": queue, "definition": definition}))


if __name__ == "__main__":
    main()
