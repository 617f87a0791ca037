"""Versions and aliases through boto3: publish on create and update, describe and list
them, start executions through a version ARN and an alias ARN, and see those ARNs on the
executions; move an alias; what deleting them does."""

from baton_e2e import *


def machine(v):
    return {"StartAt": "V", "States": {"V": {"Type": "Pass", "Result": {"v": v}, "End": True}}}


def run():
    sfn = client()
    created = create_machine(sfn, "Versioned", machine(1), publish=True,
                             versionDescription="first")
    arn = created["stateMachineArn"]
    v1 = created["stateMachineVersionArn"]
    equal(v1, arn + ":1", "the first version")
    updated = sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(machine(2)),
                                       publish=True, versionDescription="second")
    v2 = updated["stateMachineVersionArn"]
    equal(v2, arn + ":2", "the second version")
    sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(machine(3)))
    versions = sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]
    equal([v["stateMachineVersionArn"] for v in versions], [v2, v1], "versions, newest first")
    d = sfn.describe_state_machine(stateMachineArn=v1)
    equal((d["stateMachineArn"], d["description"]), (v1, "first"), "a version described")
    equal(json.loads(d["definition"]), machine(1), "a version keeps its definition")
    equal(json.loads(sfn.describe_state_machine(stateMachineArn=arn)["definition"]), machine(3),
          "the machine has the latest definition")
    step("publish versions")

    alias = sfn.create_state_machine_alias(
        name="live", description="what runs",
        routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 100}])["stateMachineAliasArn"]
    equal(alias, arn + ":live", "the alias ARN")
    d = sfn.describe_state_machine_alias(stateMachineAliasArn=alias)
    equal((d["name"], d["description"], d["routingConfiguration"]),
          ("live", "what runs", [{"stateMachineVersionArn": v1, "weight": 100}]), "the alias")
    equal([a["stateMachineAliasArn"] for a in
           sfn.list_state_machine_aliases(stateMachineArn=arn)["stateMachineAliases"]],
          [alias], "aliases")
    step("create an alias")

    def run_through(target, name):
        e = sfn.start_execution(stateMachineArn=target, name=name)["executionArn"]
        equal(e, execution_arn("Versioned", name), "an execution's ARN names the machine")
        return wait_done(sfn, e)

    d = run_through(v1, "by-version")
    equal(json.loads(d["output"]), {"v": 1}, "a version's definition ran")
    equal((d["stateMachineArn"], d["stateMachineVersionArn"]), (arn, v1), "ARNs of a version's run")
    check("stateMachineAliasArn" not in d, d)

    d = run_through(alias, "by-alias")
    equal(json.loads(d["output"]), {"v": 1}, "the alias's version ran")
    equal((d["stateMachineArn"], d["stateMachineVersionArn"], d["stateMachineAliasArn"]),
          (arn, v1, alias), "ARNs of an alias's run")

    # ExecutionStarted names them too (ExecutionStartedEventDetails).
    started = history(sfn, d["executionArn"])[0]["executionStartedEventDetails"]
    equal((started.get("stateMachineAliasArn"), started.get("stateMachineVersionArn")),
          (alias, v1), "ExecutionStarted through an alias")
    started = history(sfn, execution_arn("Versioned", "by-version"))[0]
    equal(started["executionStartedEventDetails"].get("stateMachineVersionArn"), v1,
          "ExecutionStarted through a version")

    d = run_through(arn, "by-machine")
    equal(json.loads(d["output"]), {"v": 3}, "the latest definition ran")
    check("stateMachineVersionArn" not in d and "stateMachineAliasArn" not in d, d)

    sfn.update_state_machine_alias(stateMachineAliasArn=alias, routingConfiguration=[
        {"stateMachineVersionArn": v2, "weight": 100}])
    d = run_through(alias, "by-alias-2")
    equal(json.loads(d["output"]), {"v": 2}, "the alias moved to version 2")
    equal(d["stateMachineVersionArn"], v2, "the version the alias chose")
    step("start through a version and an alias")

    listed = {e["name"]: e for e in sfn.list_executions(stateMachineArn=arn)["executions"]}
    equal(sorted(listed), ["by-alias", "by-alias-2", "by-machine", "by-version"], "listed")
    equal(listed["by-alias"].get("stateMachineAliasArn"), alias, "a listed run's alias")
    equal(listed["by-version"].get("stateMachineVersionArn"), v1, "a listed run's version")
    # ListExecutions takes a version or an alias ARN and lists the runs through it.
    equal(sorted(e["name"] for e in sfn.list_executions(stateMachineArn=v1)["executions"]),
          ["by-alias", "by-version"], "executions of version 1")
    equal(sorted(e["name"] for e in sfn.list_executions(stateMachineArn=alias)["executions"]),
          ["by-alias", "by-alias-2"], "executions through the alias")
    step("list executions by version and alias")

    expect_error("ConflictException", sfn.delete_state_machine_version,
                 stateMachineVersionArn=v2)
    sfn.delete_state_machine_alias(stateMachineAliasArn=alias)
    expect_error("ResourceNotFound", sfn.describe_state_machine_alias, stateMachineAliasArn=alias)
    sfn.delete_state_machine_version(stateMachineVersionArn=v2)
    equal([v["stateMachineVersionArn"] for v in
           sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]],
          [v1], "versions after a delete")
    expect_error("StateMachineDoesNotExist", sfn.start_execution, stateMachineArn=v2)
    step("delete an alias and a version")


main(run)
