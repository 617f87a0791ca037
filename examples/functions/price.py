"""A local function standing in for a Lambda function: the event arrives as JSON on
stdin, the result leaves as JSON on stdout; a non-zero exit is an unhandled error."""

import json
import sys

PRICES = {"A": 250, "B": 1000}

event = json.load(sys.stdin)
sku = event["sku"]
if sku not in PRICES:
    json.dump({"errorType": "UnknownSku", "errorMessage": f"no price for {sku}"}, sys.stdout)
    sys.exit(1)
json.dump({"sku": sku, "amount": PRICES[sku] * event["qty"]}, sys.stdout)
