"""State machines through boto3: create (and its idempotence), describe, list with
pagination, update, tags, delete."""

from baton_e2e import *

PASS_A = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"v": "a"}, "End": True}}}
PASS_B = {"StartAt": "B", "States": {"B": {"Type": "Pass", "Result": {"v": "b"}, "End": True}}}


def run():
    sfn = client()

    created = create_machine(sfn, "Catalog", PASS_A)
    arn = created["stateMachineArn"]
    equal(arn, machine_arn("Catalog"), "the ARN")
    d = sfn.describe_state_machine(stateMachineArn=arn)
    equal(d["name"], "Catalog", "name")
    equal(d["status"], "ACTIVE", "status")
    equal(d["type"], "STANDARD", "the default type")
    equal(d["roleArn"], ROLE, "roleArn")
    # The definition comes back as it was sent, byte for byte.
    equal(d["definition"], json.dumps(PASS_A), "definition")
    equal(d["creationDate"], created["creationDate"], "creationDate")
    equal(d["loggingConfiguration"], {"level": "OFF", "includeExecutionData": False}, "logging")
    equal(d["tracingConfiguration"], {"enabled": False}, "tracing")
    step("create and describe")

    # CreateStateMachine is idempotent for the same settings, a conflict otherwise.
    again = create_machine(sfn, "Catalog", PASS_A)
    equal((again["stateMachineArn"], again["creationDate"]), (arn, created["creationDate"]),
          "an identical create")
    expect_error("StateMachineAlreadyExists", sfn.create_state_machine,
                 f"State Machine Already Exists: '{arn}'",
                 name="Catalog", definition=json.dumps(PASS_B), roleArn=ROLE)
    step("create is idempotent")

    names = ["Catalog"] + [f"Listed-{i}" for i in range(6)]
    for n in names[1:]:
        create_machine(sfn, n, PASS_A)
    everything = sfn.list_state_machines()
    check("nextToken" not in everything, "one page of 7 has no nextToken", everything)
    equal(sorted(m["name"] for m in everything["stateMachines"]), sorted(names), "listed")
    for m in everything["stateMachines"]:
        equal(m["stateMachineArn"], machine_arn(m["name"]), "a listed ARN")
        equal(m["type"], "STANDARD", "a listed type")
    # By hand, two at a time...
    seen, token, pages = [], None, 0
    while True:
        page = sfn.list_state_machines(maxResults=2, **({"nextToken": token} if token else {}))
        check(len(page["stateMachines"]) <= 2, "a page of at most 2", page)
        seen += [m["name"] for m in page["stateMachines"]]
        pages += 1
        token = page.get("nextToken")
        if not token:
            break
    equal(seen, [m["name"] for m in everything["stateMachines"]], "pages in the listing's order")
    equal(pages, 4, "pages of 2 for 7 machines")
    # ... and with the paginator.
    paged = sfn.get_paginator("list_state_machines").paginate(PaginationConfig={"PageSize": 3})
    equal([m["name"] for p in paged for m in p["stateMachines"]], seen, "the paginator")
    step("list, paginated")

    updated = sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(PASS_B))
    check(updated["updateDate"] >= created["creationDate"], "updateDate", updated)
    d = sfn.describe_state_machine(stateMachineArn=arn)
    equal(d["definition"], json.dumps(PASS_B), "the updated definition")
    equal(d["creationDate"], created["creationDate"], "creationDate after an update")
    e = sfn.start_execution(stateMachineArn=arn, name="after-update")
    equal(wait_done(sfn, e["executionArn"])["output"], '{"v":"b"}', "an execution after the update")
    expect_error("MissingRequiredParameter", sfn.update_state_machine,
                 "Either the definition, the role ARN, the LoggingConfiguration, "
                 "or the TracingConfiguration must be specified",
                 stateMachineArn=arn)
    e = expect_error("InvalidDefinition", sfn.update_state_machine, stateMachineArn=arn,
                     definition='{"StartAt": "Nowhere", "States": {}}')
    check(e["Error"]["Message"].startswith("Invalid State Machine Definition: '"), e["Error"])
    equal(json.loads(sfn.describe_state_machine(stateMachineArn=arn)["definition"]), PASS_B,
          "a refused update changes nothing")
    step("update")

    sfn.tag_resource(resourceArn=arn, tags=[{"key": "team", "value": "e2e"},
                                            {"key": "tier", "value": "1"}])
    sfn.untag_resource(resourceArn=arn, tagKeys=["tier"])
    equal(sfn.list_tags_for_resource(resourceArn=arn)["tags"], [{"key": "team", "value": "e2e"}],
          "tags")
    step("tags")

    sfn.delete_state_machine(stateMachineArn=arn)
    # AWS marks the machine DELETING first and removes it later: either answer is right.
    try:
        d = sfn.describe_state_machine(stateMachineArn=arn)
        equal(d["status"], "DELETING", "a deleted machine described")
    except botocore.exceptions.ClientError as e:
        equal(e.response["Error"]["Code"], "StateMachineDoesNotExist", "a deleted machine")
    check("Catalog" not in [m["name"] for m in sfn.list_state_machines()["stateMachines"]],
          "a deleted machine is not listed")
    try:
        sfn.start_execution(stateMachineArn=arn)
        raise AssertionError("a deleted machine started an execution")
    except botocore.exceptions.ClientError as e:
        check(e.response["Error"]["Code"] in ("StateMachineDoesNotExist", "StateMachineDeleting"),
              e.response["Error"])
    step("delete")


main(run)
