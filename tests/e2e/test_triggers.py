"""Triggers end to end: EventBridge's and EventBridge Scheduler's boto3 clients against
Baton, and webhooks over plain HTTP.

    python3 test_triggers.py            # events, webhooks, a schedule in real time
    python3 test_triggers.py downtime-1 # an at() schedule a few seconds ahead (the server
                                        # is then killed before it is due)
    python3 test_triggers.py downtime-2 # after the restart: it fired once
    python3 test_triggers.py virtual    # on a virtual clock (baton serve --virtual-clock):
                                        # a day-long Wait and a daily cron, in no real time
"""

import datetime
import hashlib
import hmac
import json
import sys
import time
import urllib.error
import urllib.request

import boto3
import botocore
from botocore.config import Config

from baton_e2e import ACCOUNT, ENDPOINT, PREFIX, REGION, ROLE, check, client, step

PASS = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
DOUBLE = json.dumps({
    "QueryLanguage": "JSONata", "StartAt": "D",
    "States": {"D": {"Type": "Pass", "Output": "{% {'doubled': $states.input.n * 2} %}", "End": True}},
})


def aws(service):
    return boto3.client(
        service, endpoint_url=ENDPOINT, region_name=REGION,
        aws_access_key_id="test", aws_secret_access_key="test",
        config=Config(retries={"mode": "standard", "max_attempts": 1}),
    )


def baton(action, body):
    req = urllib.request.Request(
        ENDPOINT + "/", data=json.dumps(body).encode(), method="POST",
        headers={"X-Amz-Target": "Baton." + action, "Content-Type": "application/x-amz-json-1.1"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def post(path, body, headers=None):
    req = urllib.request.Request(ENDPOINT + path, data=body.encode(), method="POST", headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def machine(sfn, name, definition, kind="STANDARD"):
    try:
        return sfn.create_state_machine(name=name, definition=definition, roleArn=ROLE, type=kind)["stateMachineArn"]
    except sfn.exceptions.StateMachineAlreadyExists:
        return f"{PREFIX}:stateMachine:{name}"


def executions(sfn, arn, want, timeout=30):
    deadline = time.time() + timeout
    while True:
        found = sfn.list_executions(stateMachineArn=arn)["executions"]
        if len(found) >= want or time.time() > deadline:
            return found
        time.sleep(0.2)


def main():
    sfn = client()
    events = aws("events")
    scheduler = aws("scheduler")

    # ----- events: one workflow starts when another ends -----
    first = machine(sfn, "first", PASS)
    second = machine(sfn, "second", PASS)
    try:
        events.put_rule(Name="bad", EventPattern='{"source": "aws.states"}')
        check(False, "a malformed pattern is refused")
    except botocore.exceptions.ClientError as e:
        check(e.response["Error"]["Code"] == "InvalidEventPatternException", e.response)
        check("Event pattern is not valid" in e.response["Error"]["Message"], e.response)
    step("a malformed pattern: InvalidEventPatternException")
    pattern = {"source": ["aws.states"], "detail-type": ["Step Functions Execution Status Change"],
               "detail": {"status": ["SUCCEEDED"], "stateMachineArn": [first]}}
    arn = events.put_rule(Name="chain", EventPattern=json.dumps(pattern))["RuleArn"]
    check(arn == f"arn:aws:events:{REGION}:{ACCOUNT}:rule/chain", arn)
    out = events.put_targets(Rule="chain", Targets=[{
        "Id": "next", "Arn": second, "RoleArn": ROLE,
        "InputTransformer": {"InputPathsMap": {"from": "$.detail.executionArn", "out": "$.detail.output"},
                             "InputTemplate": '{"after": <from>, "output": <out>}'}}])
    check(out["FailedEntryCount"] == 0, out)
    rules = events.list_rules(NamePrefix="ch")["Rules"]
    check([r["Name"] for r in rules] == ["chain"], rules)
    check(events.describe_rule(Name="chain")["State"] == "ENABLED")
    check(events.list_targets_by_rule(Rule="chain")["Targets"][0]["Id"] == "next")
    started = sfn.start_execution(stateMachineArn=first, input='{"k": 1}')["executionArn"]
    chained = executions(sfn, second, 1)
    check(len(chained) == 1, "the second workflow ran once", chained)
    d = sfn.describe_execution(executionArn=chained[0]["executionArn"])
    check(json.loads(d["input"]) == {"after": started, "output": '{"k":1}'}, d["input"])
    step("a status-change event chained two workflows")

    # PutEvents: events of our own, matched by content.
    events.put_rule(Name="orders", EventPattern=json.dumps(
        {"source": ["shop"], "detail": {"total": [{"numeric": [">", 100]}], "tier": [{"anything-but": "free"}]}}))
    events.put_targets(Rule="orders", Targets=[{"Id": "1", "Arn": second, "InputPath": "$.detail"}])
    out = events.put_events(Entries=[
        {"Source": "shop", "DetailType": "order", "Detail": json.dumps({"total": 150, "tier": "gold"})},
        {"Source": "shop", "DetailType": "order", "Detail": json.dumps({"total": 150, "tier": "free"})},
        {"Source": "shop", "DetailType": "order", "Detail": json.dumps({"total": 50, "tier": "gold"})},
        {"Source": "shop", "DetailType": "order", "Detail": "not json"},
    ])
    check(out["FailedEntryCount"] == 1 and out["Entries"][3]["ErrorCode"] == "MalformedDetail", out)
    check(all("EventId" in e for e in out["Entries"][:3]), out)
    found = executions(sfn, second, 2)
    inputs = [json.loads(sfn.describe_execution(executionArn=e["executionArn"])["input"]) for e in found]
    check({"total": 150, "tier": "gold"} in inputs and len(found) == 2, inputs)
    step("PutEvents started the rule's target once, for the one event that matched")
    events.remove_targets(Rule="orders", Ids=["1"])
    events.delete_rule(Name="orders")
    check([r["Name"] for r in events.list_rules()["Rules"]] == ["chain"])

    # ----- webhooks -----
    out = baton("CreateWebhook", {"Name": "orders", "Target": first,
                                  "InputTemplate": {"id.$": "$.body.id", "source.$": "$.query.from"}})
    check(out["Url"] == "/hooks/orders", out)
    status, out = post("/hooks/orders?from=shop", json.dumps({"id": 7}))
    check(status == 200, status, out)
    d = sfn.describe_execution(executionArn=out["executionArn"])
    check(json.loads(d["input"]) == {"id": 7, "source": "shop"}, d)
    step("a webhook started an execution with its template")

    express = machine(sfn, "double", DOUBLE, "EXPRESS")
    secret = "s3cret"
    baton("CreateWebhook", {"Name": "double", "Target": express, "Mode": "SYNC",
                            "Auth": {"Type": "HMAC_SHA256", "Header": "X-Signature", "Secret": secret, "Prefix": "sha256="}})
    body = json.dumps({"n": 21})
    sig = "sha256=" + hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
    status, out = post("/hooks/double", body, {"X-Signature": sig})
    check((status, out) == (200, {"doubled": 42}), status, out)
    status, out = post("/hooks/double", body, {"X-Signature": "sha256=" + "0" * 64})
    check(status == 401, status, out)
    step("a SYNC webhook answered with the Express execution's output; a wrong signature got 401")

    # ----- schedules, with EventBridge Scheduler's client -----
    try:
        scheduler.create_schedule(Name="bad", ScheduleExpression="cron(0 12 * * * *)",
                                  FlexibleTimeWindow={"Mode": "OFF"}, Target={"Arn": first, "RoleArn": ROLE})
        check(False, "a bad cron is refused")
    except botocore.exceptions.ClientError as e:
        check(e.response["Error"]["Code"] == "ValidationException", e.response)
    step("a bad cron: ValidationException")
    due = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) + datetime.timedelta(seconds=3)
    at = due.strftime("%Y-%m-%dT%H:%M:%S")
    tick = machine(sfn, "tick", PASS)
    arn = scheduler.create_schedule(
        Name="soon", ScheduleExpression=f"at({at})", ScheduleExpressionTimezone="UTC",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": tick, "RoleArn": ROLE, "Input": '{"at": "<aws.scheduler.scheduled-time>"}'})["ScheduleArn"]
    check(arn == f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule/default/soon", arn)
    got = scheduler.get_schedule(Name="soon")
    check(got["ScheduleExpression"] == f"at({at})" and got["State"] == "ENABLED", got)
    check([s["Name"] for s in scheduler.list_schedules()["Schedules"]] == ["soon"])
    found = executions(sfn, tick, 1, timeout=20)
    fired = time.time()
    check(len(found) == 1, found)
    late = fired - due.timestamp()
    check(late < 2.5, f"fired {late:.2f} s after its time")
    d = sfn.describe_execution(executionArn=found[0]["executionArn"])
    check(json.loads(d["input"]) == {"at": at + "Z"}, d["input"])
    step(f"an at() schedule fired {late:.2f} s after its time, with its scheduled time as input")
    scheduler.delete_schedule(Name="soon")
    check(scheduler.list_schedules()["Schedules"] == [])
    try:
        baton("AdvanceClock", {"Seconds": 60})
        check(False, "a real clock cannot be moved")
    except urllib.error.HTTPError as e:
        body = json.loads(e.read())
        check(e.code == 400 and body["__type"] == "ValidationException", body)
    check(baton("GetClock", {})["Virtual"] is False)
    step("the real clock cannot be moved: ValidationException")


def virtual():
    sfn = client()
    scheduler = aws("scheduler")
    clock = baton("GetClock", {})
    check(clock["Virtual"] is True, clock)
    # A Standard execution waiting a day.
    waits = machine(sfn, "waits-a-day", json.dumps({
        "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 86400, "Next": "P"},
                                   "P": {"Type": "Pass", "End": True}}}))
    arn = sfn.start_execution(stateMachineArn=waits)["executionArn"]
    time.sleep(0.5)
    check(sfn.describe_execution(executionArn=arn)["status"] == "RUNNING")
    # A daily cron at 09:00 UTC: the next one after the clock's time.
    now = datetime.datetime.fromtimestamp(baton("GetClock", {})["Now"], datetime.timezone.utc)
    nine = now.replace(hour=9, minute=0, second=0, microsecond=0)
    if nine <= now:
        nine += datetime.timedelta(days=1)
    daily = machine(sfn, "daily", PASS)
    scheduler.create_schedule(
        Name="daily", ScheduleExpression="cron(0 9 * * ? *)", ScheduleExpressionTimezone="UTC",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": daily, "RoleArn": ROLE, "Input": '{"at": "<aws.scheduler.scheduled-time>"}'})
    time.sleep(0.5)
    check(sfn.list_executions(stateMachineArn=daily)["executions"] == [])

    moved = baton("AdvanceClock", {"To": nine.timestamp() + 1})
    check(moved["Now"] >= nine.timestamp() + 1, moved)
    found = executions(sfn, daily, 1, timeout=10)
    check(len(found) == 1, found)
    d = sfn.describe_execution(executionArn=found[0]["executionArn"])
    check(json.loads(d["input"]) == {"at": nine.strftime("%Y-%m-%dT%H:%M:%SZ")}, d["input"])
    step("AdvanceClock to 09:00 UTC: the daily cron fired once, for 09:00")

    baton("AdvanceClock", {"Seconds": 86400})
    deadline = time.time() + 10
    while sfn.describe_execution(executionArn=arn)["status"] == "RUNNING" and time.time() < deadline:
        time.sleep(0.1)
    d = sfn.describe_execution(executionArn=arn)
    check(d["status"] == "SUCCEEDED", d["status"])
    waited = (d["stopDate"] - d["startDate"]).total_seconds()
    check(86400 <= waited < 86400 + 24 * 3600 + 60, waited)
    found = executions(sfn, daily, 2, timeout=10)
    check(len(found) == 2, found)
    step(f"a day later on the virtual clock: the Wait of a day ended ({waited:.0f} s of execution time) "
         "and the cron fired again")

    try:
        baton("AdvanceClock", {"To": "2001-01-01T00:00:00Z"})
        check(False, "the clock does not go back")
    except urllib.error.HTTPError as e:
        body = json.loads(e.read())
        check(e.code == 400 and "only moves ahead" in body["message"], body)
    step("the clock does not go back: ValidationException")


def downtime_1():
    sfn = client()
    scheduler = aws("scheduler")
    tick = machine(sfn, "later", PASS)
    due = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) + datetime.timedelta(seconds=4)
    scheduler.create_schedule(Name="while-down", ScheduleExpression=f"at({due.strftime('%Y-%m-%dT%H:%M:%S')})",
                              FlexibleTimeWindow={"Mode": "OFF"}, Target={"Arn": tick, "RoleArn": ROLE})
    check(sfn.list_executions(stateMachineArn=tick)["executions"] == [])
    step("an at() schedule 4 s ahead, not fired yet")


def downtime_2():
    sfn = client()
    tick = f"{PREFIX}:stateMachine:later"
    found = executions(sfn, tick, 1, timeout=20)
    time.sleep(1.5)
    found = sfn.list_executions(stateMachineArn=tick)["executions"]
    check(len(found) == 1, "fired once after the restart", found)
    step("the schedule due while Baton was down fired once after the restart")


if __name__ == "__main__":
    {"downtime-1": downtime_1, "downtime-2": downtime_2, "virtual": virtual}.get(sys.argv[1] if len(sys.argv) > 1 else "", main)()
    print("ok")
