"""A Lambda stand-in that fails with Gate.Closed until the file named by the event's "path"
exists, then returns {"opened": PATH}: an outside fault that gets fixed, for redrives."""

import json
import os
import sys

event = json.load(sys.stdin)
if not os.path.exists(event["path"]):
    print(json.dumps({"errorType": "Gate.Closed", "errorMessage": "no " + event["path"]}))
    sys.exit(1)
print(json.dumps({"opened": event["path"]}))
