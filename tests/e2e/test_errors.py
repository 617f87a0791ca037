"""AWS's errors as boto3 sees them, and as a raw HTTP client does: names, messages and
statuses for bad definitions, unknown and invalid ARNs, names in use, bad tokens, bad input,
malformed bodies and unknown actions."""

from baton_e2e import *

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def run():
    sfn = client()
    arn = create_machine(sfn, "Errors", PASS)["stateMachineArn"]

    e = expect_error("InvalidDefinition", sfn.create_state_machine, name="Bad", roleArn=ROLE,
                     definition='{"StartAt": "Nowhere", "States": {"P": {"Type": "Pass", "End": true}}}')
    message = e["Error"]["Message"]
    check(message.startswith("Invalid State Machine Definition: '") and
          "MISSING_TRANSITION_TARGET" in message, message)
    e = expect_error("InvalidDefinition", sfn.create_state_machine, name="Bad", roleArn=ROLE,
                     definition="{not json")
    expect_error("InvalidName", sfn.create_state_machine, "Invalid Name: 'bad name?'",
                 name="bad name?", roleArn=ROLE, definition=json.dumps(PASS))
    step("InvalidDefinition, InvalidName")

    missing = machine_arn("Missing")
    for call in (sfn.describe_state_machine, sfn.start_execution, sfn.list_executions):
        expect_error("StateMachineDoesNotExist", call,
                     f"State Machine Does Not Exist: '{missing}'", stateMachineArn=missing)
    gone = execution_arn("Errors", "never-started")
    for call in (sfn.describe_execution, sfn.get_execution_history, sfn.stop_execution,
                 sfn.describe_state_machine_for_execution):
        expect_error("ExecutionDoesNotExist", call,
                     f"Execution Does Not Exist: '{gone}'", executionArn=gone)
    step("StateMachineDoesNotExist, ExecutionDoesNotExist")

    expect_error("InvalidArn", sfn.describe_state_machine,
                 "Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'",
                 stateMachineArn="not_a_valid_arn")
    expect_error("InvalidArn", sfn.describe_execution, executionArn="arn:aws:states:nope")
    # An ARN of the wrong kind.
    expect_error("InvalidArn", sfn.describe_execution, executionArn=arn)
    expect_error("InvalidArn", sfn.start_execution, stateMachineArn=execution_arn("Errors", "x"))
    step("InvalidArn")

    sfn.start_execution(stateMachineArn=arn, name="once", input="{}")
    expect_error("ExecutionAlreadyExists", sfn.start_execution,
                 f"Execution Already Exists: '{execution_arn('Errors', 'once')}'",
                 stateMachineArn=arn, name="once", input='{"other": true}')
    e = expect_error("InvalidExecutionInput", sfn.start_execution, stateMachineArn=arn,
                     input="{not json")
    check(e["Error"]["Message"].startswith("Invalid State Machine Execution Input: '"), e["Error"])
    expect_error("InvalidName", sfn.start_execution, stateMachineArn=arn, name="a/b")
    step("ExecutionAlreadyExists, InvalidExecutionInput, InvalidName")

    e = expect_error("InvalidToken", sfn.send_task_success, taskToken="bogus", output="{}")
    check(e["Error"]["Message"].startswith("Invalid Token: '"), e["Error"])
    expect_error("InvalidToken", sfn.send_task_failure, taskToken="bogus")
    expect_error("InvalidToken", sfn.send_task_heartbeat, taskToken="bogus")
    step("InvalidToken")

    e = expect_error("ValidationException", sfn.list_executions, stateMachineArn=arn,
                     maxResults=1001)
    equal(e["Error"]["Message"], "1 validation error detected: Value '1001' at 'maxResults' "
          "failed to satisfy constraint: Member must have value less than or equal to 1000",
          "a value out of range")
    expect_error("InvalidToken", sfn.list_executions, stateMachineArn=arn, nextToken="garbage")
    step("ValidationException, a bad nextToken")

    # Outside any SDK.
    status, headers, body = raw_call("AWSStepFunctions.ListStateMachines", b'{"maxResults": ')
    equal((status, body["__type"].rsplit("#", 1)[-1]), (400, "SerializationException"),
          "a malformed body")
    status, headers, body = raw_call("AWSStepFunctions.ListStateMachines", b'[1, 2]')
    equal((status, body["__type"].rsplit("#", 1)[-1]), (400, "SerializationException"),
          "a body that is not an object")
    status, headers, body = raw_call("AWSStepFunctions.StartExecution",
                                     json.dumps({"stateMachineArn": 5}).encode())
    equal((status, body["__type"].rsplit("#", 1)[-1]), (400, "SerializationException"),
          "a member of the wrong type")
    status, headers, body = raw_call("AWSStepFunctions.StartExecution", b"{}")
    equal((status, body["__type"].rsplit("#", 1)[-1]), (400, "ValidationException"),
          "a required member missing")
    status, headers, body = raw_call("AWSStepFunctions.DoSomething", b"{}")
    equal((status, body["__type"].rsplit("#", 1)[-1]), (400, "UnknownOperationException"),
          "an unknown action")
    status, headers, body = raw_call(None, b"{}")
    equal((status, body["__type"].rsplit("#", 1)[-1]), (400, "UnknownOperationException"),
          "no X-Amz-Target")
    status, headers, body = raw_call("AWSStepFunctions.ListStateMachines", b"{}")
    equal(status, 200, "the same request, well formed")
    check("stateMachines" in body, body)
    step("SerializationException, ValidationException, UnknownOperationException")


main(run)
