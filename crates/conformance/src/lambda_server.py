"""Serves Python Lambda handlers to Baton as local functions over HTTP.

Usage: python3 lambda_server.py

Prints the port it listens on (127.0.0.1), then answers POST /?handler=FILE&name=NAME: the
body is the event as JSON; the answer is the handler's result as the AWS Lambda Python
runtime writes it (bytes as they are, anything else as JSON). An exception answers Lambda's
error payload (errorMessage, errorType, requestId, stackTrace, with paths as under
/var/task) with the `X-Amz-Function-Error: Unhandled` header.

One warm process for every handler: a process per invocation costs tens of milliseconds,
which a case with a one-second timeout cannot afford on a busy machine. Each handler file is
loaded once.
"""

import http.server
import importlib.util
import json
import os
import sys
import threading
import traceback
import urllib.parse
import uuid

MODULES = {}
LOCK = threading.Lock()


class Context:
    def __init__(self, name):
        self.function_name = name
        self.function_version = "$LATEST"
        self.aws_request_id = str(uuid.uuid4())
        self.memory_limit_in_mb = 128
        self.invoked_function_arn = "arn:aws:lambda:us-east-1:111111111111:function:" + name

    def get_remaining_time_in_millis(self):
        return 300000


def handler_of(path):
    with LOCK:
        module = MODULES.get(path)
        if module is None:
            spec = importlib.util.spec_from_file_location("handler_%d" % len(MODULES), path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            MODULES[path] = module
    return getattr(module, "handler")


class Invoke(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        path = query["handler"][0]
        name = query.get("name", ["handler"])[0]
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        context = Context(name)
        error = False
        try:
            event = json.loads(raw) if raw.strip() else None
            result = handler_of(path)(event, context)
            body = result if isinstance(result, (bytes, bytearray)) else json.dumps(result).encode()
        except Exception as e:  # noqa: BLE001 - every exception is the function's error
            frames = traceback.extract_tb(e.__traceback__)[1:]
            for frame in frames:
                frame.filename = "/var/task/" + os.path.basename(frame.filename)
            body = json.dumps({
                "errorMessage": str(e),
                "errorType": type(e).__name__,
                "requestId": context.aws_request_id,
                "stackTrace": traceback.format_list(frames),
            }).encode()
            error = True
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if error:
            self.send_header("X-Amz-Function-Error", "Unhandled")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Invoke)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    # Stop with the runner: it closes our stdin (or dies).
    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
