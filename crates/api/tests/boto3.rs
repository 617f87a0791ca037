//! End to end with a real AWS client: the router on a TCP port, driven by boto3 through
//! `--endpoint-url`. Without boto3 the test says so and passes (CI installs it).

mod common;

use std::process::Stdio;
use std::sync::Arc;

use baton_api::ApiConfig;

const SCRIPT: &str = r#"
import socket, sys
import boto3, botocore
from botocore.config import Config

endpoint = sys.argv[1]
port = int(endpoint.rsplit(":", 1)[1])

# boto3 sends StartSyncExecution to the sync- host prefix: let sync-localhost reach us.
real_getaddrinfo = socket.getaddrinfo
def getaddrinfo(host, *args, **kwargs):
    if host == "sync-localhost":
        host = "127.0.0.1"
    return real_getaddrinfo(host, *args, **kwargs)
socket.getaddrinfo = getaddrinfo

def client(**config):
    return boto3.client(
        "stepfunctions", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test",
        config=Config(retries={"mode": "standard", "max_attempts": 3}, **config))

sfn = client()
MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:Hello"
EXECUTION = "arn:aws:states:us-east-1:123456789012:execution:Hello:run-1"

def expect_error(code, call, **kwargs):
    try:
        call(**kwargs)
    except botocore.exceptions.ClientError as e:
        got = e.response["Error"]["Code"]
        assert got == code, (code, e.response)
        return e.response
    raise AssertionError(f"{call.__name__} raised no {code}")

r = sfn.create_state_machine(name="Hello", definition="{}", roleArn="arn:aws:iam::123456789012:role/r")
assert r["stateMachineArn"] == MACHINE, r
assert r["creationDate"].timestamp() == 1712345678.0, r
assert len(r["ResponseMetadata"]["RequestId"]) == 36, r
print("create_state_machine")

r = sfn.list_state_machines()
assert [m["name"] for m in r["stateMachines"]] == ["Hello"], r
assert r["stateMachines"][0]["type"] == "STANDARD", r
print("list_state_machines")

r = sfn.describe_execution(executionArn=EXECUTION)
assert r["startDate"].timestamp() == 1712345678.123, r
assert r["status"] == "SUCCEEDED" and r["input"] == '{"name":"World"}', r
print("describe_execution")

missing = "arn:aws:states:us-east-1:123456789012:execution:Hello:nope"
e = expect_error("ExecutionDoesNotExist", sfn.describe_execution, executionArn=missing)
assert e["Error"]["Message"] == f"Execution Does Not Exist: '{missing}'", e
assert e["ResponseMetadata"]["HTTPStatusCode"] == 400, e
assert e["ResponseMetadata"]["RetryAttempts"] == 0, e
e = expect_error("StateMachineDoesNotExist", sfn.describe_state_machine,
                 stateMachineArn="arn:aws:states:us-east-1:123456789012:stateMachine:Nope")
e = expect_error("InvalidArn", sfn.describe_state_machine, stateMachineArn="not_a_valid_arn")
assert e["Error"]["Message"] == "Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'", e
e = expect_error("ValidationException", sfn.list_executions, stateMachineArn=MACHINE, maxResults=1001)
assert e["Error"]["Message"] == ("1 validation error detected: Value '1001' at 'maxResults' failed to "
    "satisfy constraint: Member must have value less than or equal to 1000"), e
print("errors")

pages = sfn.get_paginator("list_executions").paginate(
    stateMachineArn=MACHINE, PaginationConfig={"PageSize": 2})
names = [e["name"] for page in pages for e in page["executions"]]
assert names == [f"run-{i}" for i in range(5)], names
print("list_executions paginated")

r = sfn.get_execution_history(executionArn=EXECUTION)
assert [e["type"] for e in r["events"]] == ["ExecutionStarted", "PassStateEntered"], r
assert r["events"][1]["timestamp"].timestamp() == 1712345678.5, r
assert r["events"][1]["stateEnteredEventDetails"]["name"] == "Greet", r
print("get_execution_history")

r = sfn.start_sync_execution(stateMachineArn=MACHINE, input="{}")
assert r["output"] == '{"sync":true}', r
r = client(inject_host_prefix=False).start_sync_execution(stateMachineArn=MACHINE, input="{}")
assert r["output"] == '{"sync":false}', r
print("start_sync_execution")

e = expect_error("NotImplemented", sfn.list_activities)
assert e["ResponseMetadata"]["HTTPStatusCode"] == 501, e
assert e["ResponseMetadata"]["RetryAttempts"] == 0, e
print("not implemented")
print("boto3 ok")
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn boto3_talks_to_the_router() {
    let has_boto3 = std::process::Command::new("python3")
        .args(["-c", "import boto3"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !has_boto3 {
        println!("boto3 is not installed (pip install boto3): the end-to-end test is skipped");
        return;
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(baton_api::serve(
        listener,
        Arc::new(common::Fake),
        ApiConfig::default(),
    ));
    let output = tokio::process::Command::new("python3")
        .args(["-c", SCRIPT, &format!("http://localhost:{port}")])
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(std::time::Duration::from_secs(120), output)
        .await
        .expect("the script finishes")
        .expect("python3 runs");
    server.abort();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    print!("{stdout}");
    assert!(
        output.status.success() && stdout.contains("boto3 ok"),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
}
