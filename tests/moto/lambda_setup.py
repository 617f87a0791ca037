#!/usr/bin/env python3
"""Makes a Lambda function on a moto server and queues the answers its invocations give.

    python3 tests/moto/lambda_setup.py http://127.0.0.1:PORT NAME ANSWER...

moto runs functions without Docker here: each invocation answers the next ANSWER (moto's
`lambda-simple` backend). Prints the function's ARN.
"""

import io
import json
import sys
import urllib.request
import zipfile

import boto3


def main():
    url, name, answers = sys.argv[1], sys.argv[2], sys.argv[3:]
    kw = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    iam = boto3.client("iam", **kw)
    role = iam.create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as z:
        z.writestr("index.py", "def handler(event, context):\n    return event\n")
    arn = boto3.client("lambda", **kw).create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler="index.handler",
        Code={"ZipFile": code.getvalue()},
    )["FunctionArn"]
    request = urllib.request.Request(
        f"{url}/moto-api/static/lambda-simple/response",
        data=json.dumps({"results": answers, "region": "us-east-1"}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request).read()
    print(arn)


if __name__ == "__main__":
    main()
