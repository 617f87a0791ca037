"""A Lambda stand-in returning a document nested {"depth": N} levels deep (arrays)."""

import json
import sys

event = json.load(sys.stdin)
depth = event["depth"]
sys.stdout.write("[" * depth + "]" * depth)
