"""EXPRESS state machines through boto3: StartSyncExecution (output, error, billingDetails),
and what botocore's `sync-` host prefix does to a local endpoint.

botocore sends StartSyncExecution (and TestState) to the endpoint's host with `sync-` in
front, even with endpoint_url: http://127.0.0.1:PORT becomes http://sync-127.0.0.1:PORT,
which does not resolve, and http://localhost:PORT becomes http://sync-localhost:PORT, which
resolves only where the machine maps that name (an /etc/hosts line). Turning the prefix
off works everywhere: Config(inject_host_prefix=False), or AWS_DISABLE_HOST_PREFIX_INJECTION=true
(or disable_host_prefix_injection = true in ~/.aws/config) for boto3 and the AWS CLI alike."""

import socket

from botocore.config import Config

from baton_e2e import *

SUM = {"StartAt": "Add", "States": {"Add": {
    "Type": "Pass", "Parameters": {"sum.$": "States.MathAdd($.a, $.b)"}, "End": True}}}
BOOM = {"StartAt": "Boom", "States": {"Boom": {
    "Type": "Fail", "Error": "Express.Boom", "Cause": "it broke"}}}
PORT = int(ENDPOINT.rsplit(":", 1)[1])


def run():
    sfn = client()
    quick = create_machine(sfn, "Quick", SUM, type="EXPRESS")["stateMachineArn"]
    equal(sfn.describe_state_machine(stateMachineArn=quick)["type"], "EXPRESS", "type")
    boom = create_machine(sfn, "QuickBoom", BOOM, type="EXPRESS")["stateMachineArn"]

    r = sfn.start_sync_execution(stateMachineArn=quick, name="sum-1", input='{"a": 1, "b": 2}')
    equal(r["status"], "SUCCEEDED", "status")
    equal(json.loads(r["output"]), {"sum": 3}, "output")
    equal(r["outputDetails"], {"included": True}, "outputDetails")
    equal((r["name"], r["stateMachineArn"], r["input"]), ("sum-1", quick, '{"a": 1, "b": 2}'),
          "name, machine, input")
    check(r["executionArn"].startswith(f"{PREFIX}:express:Quick:sum-1:"), r["executionArn"])
    check(r["startDate"] <= r["stopDate"], "startDate <= stopDate", r)
    billing = r["billingDetails"]
    check(billing["billedMemoryUsedInMB"] >= 64 and billing["billedMemoryUsedInMB"] % 64 == 0,
          "billed memory in 64 MB steps", billing)
    check(billing["billedDurationInMilliseconds"] >= 100
          and billing["billedDurationInMilliseconds"] % 100 == 0,
          "billed duration in 100 ms steps", billing)
    step("StartSyncExecution: output and billingDetails")

    r = sfn.start_sync_execution(stateMachineArn=boom)
    equal((r["status"], r["error"], r["cause"]), ("FAILED", "Express.Boom", "it broke"), "a failure")
    check("output" not in r, "no output for a failure", r)
    step("StartSyncExecution: a failure")

    standard = create_machine(sfn, "NotExpress", SUM)["stateMachineArn"]
    expect_error("StateMachineTypeNotSupported", sfn.start_sync_execution,
                 stateMachineArn=standard, input='{"a": 1, "b": 2}')
    expect_error("StateMachineTypeNotSupported", sfn.list_executions, stateMachineArn=quick)
    r = sfn.start_execution(stateMachineArn=quick, input='{"a": 2, "b": 2}')
    check(r["executionArn"].startswith(f"{PREFIX}:express:Quick:"), r["executionArn"])
    step("what EXPRESS machines refuse; StartExecution of one")

    # The prefix as botocore applies it: an IP endpoint gets `sync-` too.
    prefixed = client(inject_host_prefix=True)
    try:
        prefixed.start_sync_execution(stateMachineArn=quick, input='{"a": 1, "b": 1}')
        raise AssertionError("sync-127.0.0.1 answered")
    except botocore.exceptions.EndpointConnectionError as e:
        check(f"http://sync-127.0.0.1:{PORT}/" in str(e), e)
    step("botocore sends StartSyncExecution to sync-127.0.0.1")

    # With http://localhost:PORT it goes to sync-localhost, which Baton serves like any host
    # once the name resolves (here, as an /etc/hosts line would make it).
    real = socket.getaddrinfo
    socket.getaddrinfo = lambda host, *a, **k: real("127.0.0.1" if host == "sync-localhost"
                                                    else host, *a, **k)
    try:
        local = client(endpoint=f"http://localhost:{PORT}", inject_host_prefix=True)
        seen = []
        local.meta.events.register("before-send.sfn.StartSyncExecution",
                                   lambda request, **_: seen.append(request.url))
        r = local.start_sync_execution(stateMachineArn=quick, input='{"a": 4, "b": 4}')
        equal(json.loads(r["output"]), {"sum": 8}, "through sync-localhost")
        equal(seen, [f"http://sync-localhost:{PORT}/"], "the URL botocore used")
    finally:
        socket.getaddrinfo = real
    step("through sync-localhost")

    # AWS_DISABLE_HOST_PREFIX_INJECTION turns the prefix off for clients made after it is set.
    os.environ["AWS_DISABLE_HOST_PREFIX_INJECTION"] = "true"
    try:
        plain = boto3.session.Session().client(
            "stepfunctions", endpoint_url=ENDPOINT, region_name=REGION,
            aws_access_key_id="test", aws_secret_access_key="test")
        r = plain.start_sync_execution(stateMachineArn=quick, input='{"a": 5, "b": 5}')
        equal(json.loads(r["output"]), {"sum": 10}, "with AWS_DISABLE_HOST_PREFIX_INJECTION")
    finally:
        del os.environ["AWS_DISABLE_HOST_PREFIX_INJECTION"]
    step("AWS_DISABLE_HOST_PREFIX_INJECTION=true")


main(run)
