"""KNOWN BUG (fails until fixed): the ExecutionStarted event of an execution started through
a version ARN or an alias ARN does not name them. AWS's ExecutionStartedEventDetails has
stateMachineVersionArn and stateMachineAliasArn ("The Amazon Resource Name (ARN) that
identifies a state machine version used for starting the state machine execution", API
reference, ExecutionStartedEventDetails); DescribeExecution already shows both."""

from baton_e2e import *


def run():
    sfn = client()
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    created = create_machine(sfn, "Started", definition, publish=True)
    v1 = created["stateMachineVersionArn"]
    alias = sfn.create_state_machine_alias(
        name="live", routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 100}]
    )["stateMachineAliasArn"]

    e = sfn.start_execution(stateMachineArn=v1, name="by-version")["executionArn"]
    wait_done(sfn, e)
    started = history(sfn, e)[0]["executionStartedEventDetails"]
    equal(started.get("stateMachineVersionArn"), v1, "ExecutionStarted through a version")

    e = sfn.start_execution(stateMachineArn=alias, name="by-alias")["executionArn"]
    wait_done(sfn, e)
    started = history(sfn, e)[0]["executionStartedEventDetails"]
    equal((started.get("stateMachineAliasArn"), started.get("stateMachineVersionArn")),
          (alias, v1), "ExecutionStarted through an alias")


main(run)
