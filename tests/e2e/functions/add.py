"""A Lambda stand-in: {"a": 1, "b": 2} -> {"sum": 3}; fails as Lambda reports an unhandled
exception when "b" is missing."""

import json
import sys

event = json.load(sys.stdin)
if "b" not in event:
    print(json.dumps({"errorType": "KeyError", "errorMessage": "'b'"}))
    sys.exit(1)
print(json.dumps({"sum": event["a"] + event["b"]}))
