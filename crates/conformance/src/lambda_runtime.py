"""Runs a Python Lambda handler as a Baton local function.

Usage: python3 lambda_runtime.py HANDLER_FILE [FUNCTION_NAME]

Reads the event as JSON on stdin and writes the handler's result on stdout, as the AWS
Lambda Python runtime does: bytes are written as they are, anything else as JSON. An
exception is written as Lambda's error payload (errorMessage, errorType, requestId,
stackTrace, with paths as under /var/task) and the process exits with status 1.
"""

import importlib.util
import json
import os
import sys
import traceback
import uuid


class Context:
    def __init__(self, name):
        self.function_name = name
        self.function_version = "$LATEST"
        self.aws_request_id = str(uuid.uuid4())
        self.memory_limit_in_mb = 128
        self.invoked_function_arn = "arn:aws:lambda:us-east-1:111111111111:function:" + name

    def get_remaining_time_in_millis(self):
        return 300000


def main():
    path = sys.argv[1]
    name = sys.argv[2] if len(sys.argv) > 2 else "handler"
    spec = importlib.util.spec_from_file_location("handler", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    handler = getattr(module, "handler")
    raw = sys.stdin.buffer.read()
    event = json.loads(raw) if raw.strip() else None
    context = Context(name)
    try:
        result = handler(event, context)
    except Exception as e:  # noqa: BLE001 - every exception is the function's error
        frames = traceback.extract_tb(e.__traceback__)[1:]
        for frame in frames:
            frame.filename = "/var/task/" + os.path.basename(frame.filename)
        payload = {
            "errorMessage": str(e),
            "errorType": type(e).__name__,
            "requestId": context.aws_request_id,
            "stackTrace": traceback.format_list(frames),
        }
        sys.stdout.write(json.dumps(payload))
        sys.stdout.flush()
        sys.exit(1)
    if isinstance(result, (bytes, bytearray)):
        sys.stdout.buffer.write(result)
    else:
        sys.stdout.write(json.dumps(result))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
