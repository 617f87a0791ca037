#!/usr/bin/env python3
"""Runs moto's server for Baton's tests until standard input closes.

    python3 tests/moto/serve.py [PORT]

Prints `ready PORT` once the server answers. The tests keep this process's standard input
open and never write to it: when the test process ends, for whatever reason, the pipe
closes and the server stops, so no server outlives its tests. Batch jobs and Lambda
functions run without Docker (moto's `batch_simple` and `lambda-simple` backends).
Set INITIAL_NO_AUTH_ACTION_COUNT=0 in the environment for a server that checks
credentials against its own IAM.
"""

import socket
import sys

try:
    from moto.core.config import default_user_config
    from moto.server import ThreadedMotoServer
except ImportError as e:  # the tests say how to install it
    print(f"missing {e.name}: python3 -m pip install 'moto[server]'", flush=True)
    sys.exit(3)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else free_port()
    default_user_config["batch"] = {"use_docker": False}
    default_user_config["lambda"] = {"use_docker": False}
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    print(f"ready {port}", flush=True)
    try:
        sys.stdin.read()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
