//! The HTTP Task, Baton's process resources and mocked integrations through the `baton`
//! binary: `baton run` for Retry, Catch, TimeoutSeconds and HeartbeatSeconds against a
//! local HTTP server and local processes, and `baton serve` for executions started on
//! `stateMachineArn#TestCase`.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{Baton, Scratch, call};

/// A local HTTP server: `answer(path, nth call of that path)` gives status, body and a
/// delay.
fn http_server(
    answer: impl Fn(&str, u32) -> (u16, String, Duration) + Send + Sync + 'static,
) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().unwrap().port();
    let answer = Arc::new(answer);
    let counts = Arc::new(std::sync::Mutex::new(std::collections::HashMap::<
        String,
        u32,
    >::new()));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (answer, counts) = (Arc::clone(&answer), Arc::clone(&counts));
            std::thread::spawn(move || serve_one(stream, &*answer, &counts));
        }
    });
    port
}

fn serve_one(
    stream: TcpStream,
    answer: &(dyn Fn(&str, u32) -> (u16, String, Duration) + Send + Sync),
    counts: &std::sync::Mutex<std::collections::HashMap<String, u32>>,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let mut len = 0;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 {
            return;
        }
        if h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            len = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; len];
    let _ = reader.read_exact(&mut body);
    let nth = {
        let mut c = counts.lock().unwrap();
        let n = c.entry(path.clone()).or_insert(0);
        *n += 1;
        *n
    };
    let (status, body, delay) = answer(&path, nth);
    std::thread::sleep(delay);
    let _ = write!(
        out,
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

fn baton(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(args)
        .output()
        .expect("baton runs")
}

/// `baton run --json --history` of `definition` with `extra` options: the JSON it prints.
fn run(dir: &Scratch, definition: &Value, extra: &[&str]) -> Value {
    let file = dir.path("machine.json");
    std::fs::write(&file, definition.to_string()).unwrap();
    let mut args = vec!["run", file.to_str().unwrap(), "--json", "--history"];
    args.extend_from_slice(extra);
    let out = baton(&args);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn types(out: &Value) -> Vec<String> {
    out["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn http_errors_are_retried_then_caught_and_secrets_stay_out_of_the_history() {
    let port = http_server(|path, nth| match (path, nth) {
        ("/flaky", 1) => (500, r#"{"e": "busy"}"#.into(), Duration::ZERO),
        ("/flaky", _) => (200, r#"{"ok": true}"#.into(), Duration::ZERO),
        _ => (503, r#"{"e": "down"}"#.into(), Duration::ZERO),
    });
    let dir = Scratch::new("http-retry");
    std::fs::write(
        dir.path("connections.toml"),
        "[connections.api]\nauthorization-type = \"API_KEY\"\napi-key-name = \"X-Api-Key\"\napi-key-value = \"sekrit-value\"\n",
    )
    .unwrap();
    let task = |path: &str| {
        json!({
            "Type": "Task",
            "Resource": "arn:aws:states:::http:invoke",
            "Parameters": {
                "ApiEndpoint": format!("http://127.0.0.1:{port}{path}"),
                "Method": "GET",
                "InvocationConfig": {"ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/api/1"},
            },
            "Retry": [{"ErrorEquals": ["States.Http.StatusCode.500", "States.Http.StatusCode.503"],
                       "IntervalSeconds": 1, "MaxAttempts": 1}],
        })
    };
    let mut first = task("/flaky");
    first["ResultSelector"] = json!({"body.$": "$.ResponseBody"});
    first["ResultPath"] = json!("$.first");
    first["Next"] = json!("Second");
    let mut second = task("/down");
    second["Catch"] = json!([{"ErrorEquals": ["States.Http.StatusCode.503"], "ResultPath": "$.error", "Next": "Caught"}]);
    second["End"] = json!(true);
    let definition = json!({
        "StartAt": "First",
        "States": {"First": first, "Second": second, "Caught": {"Type": "Pass", "End": true}},
    });
    let connections = dir.path("connections.toml");
    let out = run(
        &dir,
        &definition,
        &["--connections", connections.to_str().unwrap()],
    );
    assert_eq!(out["status"], "SUCCEEDED", "{out}");
    assert_eq!(out["output"]["first"], json!({"body": {"ok": true}}));
    assert_eq!(
        out["output"]["error"]["Error"],
        "States.Http.StatusCode.503"
    );
    let cause: Value =
        serde_json::from_str(out["output"]["error"]["Cause"].as_str().unwrap()).unwrap();
    assert_eq!(cause["StatusCode"], 503);
    assert_eq!(cause["ResponseBody"], json!({"e": "down"}));
    let t = types(&out);
    assert_eq!(t.iter().filter(|t| *t == "TaskFailed").count(), 3, "{t:?}");
    assert_eq!(
        t.iter().filter(|t| *t == "TaskSucceeded").count(),
        1,
        "{t:?}"
    );
    assert!(!out.to_string().contains("sekrit-value"));
}

#[test]
fn a_slow_endpoint_is_stopped_by_timeout_seconds() {
    let port = http_server(|_, _| (200, "{}".into(), Duration::from_secs(20)));
    let dir = Scratch::new("http-slow");
    let definition = json!({
        "StartAt": "Call",
        "States": {"Call": {
            "Type": "Task", "Resource": "arn:aws:states:::http:invoke",
            "Parameters": {"ApiEndpoint": format!("http://127.0.0.1:{port}/"), "Method": "GET"},
            "TimeoutSeconds": 1, "End": true}},
    });
    let started = Instant::now();
    let out = run(&dir, &definition, &[]);
    assert_eq!(out["status"], "FAILED");
    assert_eq!(out["error"], "States.Timeout");
    assert!(started.elapsed() < Duration::from_secs(10));
}

fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            !s.rsplit(')')
                .next()
                .unwrap_or("")
                .trim_start()
                .starts_with('Z')
        })
        .unwrap_or(false)
}

fn wait_gone(pid_file: &Path) {
    let pid: u32 = std::fs::read_to_string(pid_file)
        .expect("the process wrote its pid")
        .trim()
        .parse()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while alive(pid) {
        assert!(Instant::now() < deadline, "process {pid} still runs");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(target_os = "linux")]
#[test]
fn commands_run_when_allowed_and_are_stopped_by_timeouts_and_heartbeats() {
    let dir = Scratch::new("commands");
    let pid_file = dir.path("pid");
    let command = |resource: &str, script: &str, limits: Value| {
        let mut state = json!({
            "Type": "Task", "Resource": resource,
            "Parameters": {"Command": ["sh", "-c", script], "Environment": {"WHO": "baton"}},
            "End": true,
        });
        for (k, v) in limits.as_object().unwrap() {
            state[k] = v.clone();
        }
        json!({"StartAt": "Work", "States": {"Work": state}})
    };
    let ok = command("arn:baton:command:::run", "echo hi $WHO", json!({}));
    let out = run(&dir, &ok, &["--allow-commands"]);
    assert_eq!(out["status"], "SUCCEEDED", "{out}");
    assert_eq!(
        out["output"],
        json!({"ExitCode": 0, "Stdout": "hi baton\n", "Stderr": ""})
    );

    let out = run(&dir, &ok, &[]);
    assert_eq!(out["error"], "States.Runtime");
    assert!(out["cause"].as_str().unwrap().contains("allow-commands"));

    let failing = command("arn:baton:command:::run", "exit 2", json!({}));
    let out = run(&dir, &failing, &["--allow-commands"]);
    assert_eq!(out["error"], "Baton.ExitCode.2");

    let slow = format!("echo $$ > {}; exec sleep 60", pid_file.display());
    for (limits, error) in [
        (json!({"TimeoutSeconds": 1}), "States.Timeout"),
        (json!({"HeartbeatSeconds": 1}), "States.HeartbeatTimeout"),
    ] {
        let _ = std::fs::remove_file(&pid_file);
        let started = Instant::now();
        let out = run(
            &dir,
            &command("arn:baton:command:::run.sync", &slow, limits.clone()),
            &["--allow-commands"],
        );
        assert_eq!(out["error"], error, "{limits}: {out}");
        assert!(started.elapsed() < Duration::from_secs(15));
        wait_gone(&pid_file);
    }
}

const MOCKS: &str = r#"{
  "StateMachines": {
    "Orders": {"TestCases": {
      "HappyPath": {"Charge": "ChargeRetried", "Notify": "Queued"},
      "Declined": {"Charge": "ChargeDeclined"}
    }}
  },
  "MockedResponses": {
    "ChargeRetried": {
      "0": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "slow down"}},
      "1": {"Return": {"StatusCode": 200, "Payload": {"charged": 12}}}
    },
    "ChargeDeclined": {"0": {"Throw": {"Error": "Payment.Declined", "Cause": "card declined"}}},
    "Queued": {"0": {"Return": {"MessageId": "m-1"}}}
  }
}"#;

fn orders() -> Value {
    json!({
        "StartAt": "Charge",
        "States": {
            "Charge": {
                "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "charge", "Payload.$": "$"},
                "ResultSelector": {"charged.$": "$.Payload.charged"},
                "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "IntervalSeconds": 1, "MaxAttempts": 2}],
                "Catch": [{"ErrorEquals": ["Payment.Declined"], "Next": "Declined"}],
                "Next": "Sleep"
            },
            "Sleep": {"Type": "Wait", "Seconds": 86400, "Next": "Notify"},
            "Notify": {
                "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q",
                               "MessageBody": {"token.$": "$$.Task.Token"}},
                "ResultPath": "$.sent",
                "End": true
            },
            "Declined": {"Type": "Fail", "Error": "Declined"}
        }
    })
}

#[test]
fn baton_run_runs_a_test_case_of_a_mock_configuration() {
    let dir = Scratch::new("mock-run");
    let mocks = dir.path("MockConfigFile.json");
    std::fs::write(&mocks, MOCKS).unwrap();
    let mocks = mocks.to_str().unwrap();
    let started = Instant::now();
    let out = run(
        &dir,
        &orders(),
        &[
            "--state-machine-name",
            "Orders",
            "--mock-config",
            mocks,
            "--test-case",
            "HappyPath",
        ],
    );
    assert_eq!(out["status"], "SUCCEEDED", "{out}");
    assert_eq!(
        out["output"],
        json!({"charged": 12, "sent": {"MessageId": "m-1"}})
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "the day's Wait took no time"
    );
    let out = run(
        &dir,
        &orders(),
        &[
            "--state-machine-name",
            "Orders",
            "--mock-config",
            mocks,
            "--test-case",
            "Declined",
        ],
    );
    assert_eq!(out["error"], "Declined");
    let bad = baton(&["run", "x.json", "--mock-config", mocks]);
    assert_ne!(
        bad.status.code(),
        Some(0),
        "--mock-config needs --test-case"
    );
}

#[test]
fn baton_serve_runs_test_cases_named_after_the_machine_arn() {
    let scratch = Scratch::new("mock-serve");
    let mocks = scratch.path("MockConfigFile.json");
    std::fs::write(&mocks, MOCKS).unwrap();
    let baton = Baton::start(
        &scratch.path("data"),
        &scratch.path("baton.log"),
        &["--mock-config", mocks.to_str().unwrap()],
    );
    let t = Duration::from_secs(10);
    let created = call(
        baton.port,
        "CreateStateMachine",
        &json!({"name": "Orders", "definition": orders().to_string(),
                "roleArn": "arn:aws:iam::123456789012:role/r"}),
        t,
    )
    .unwrap();
    let machine = created.body["stateMachineArn"]
        .as_str()
        .expect("created")
        .to_owned();

    let unknown = call(
        baton.port,
        "StartExecution",
        &json!({"stateMachineArn": format!("{machine}#Nope")}),
        t,
    )
    .unwrap();
    assert_eq!(
        unknown.error(),
        Some("ValidationException"),
        "{:?}",
        unknown.body
    );

    let started = call(
        baton.port,
        "StartExecution",
        &json!({"stateMachineArn": format!("{machine}#Declined"), "name": "declined"}),
        t,
    )
    .unwrap();
    let declined = started.body["executionArn"]
        .as_str()
        .expect("started")
        .to_owned();
    assert!(
        declined.ends_with(":execution:Orders:declined"),
        "{declined}"
    );
    let ended = wait_for_end(baton.port, &declined);
    assert_eq!(ended["status"], "FAILED", "{ended}");
    assert_eq!(ended["error"], "Declined");

    // The happy path waits a day (in real time here): its first task's retry is mocked,
    // then the execution waits; it is stopped to end the test.
    let started = call(
        baton.port,
        "StartExecution",
        &json!({"stateMachineArn": format!("{machine}#HappyPath"), "name": "happy"}),
        t,
    )
    .unwrap();
    let happy = started.body["executionArn"].as_str().unwrap().to_owned();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let h = call(
            baton.port,
            "GetExecutionHistory",
            &json!({"executionArn": happy}),
            t,
        )
        .unwrap();
        let events = h.body["events"].as_array().cloned().unwrap_or_default();
        if events.iter().any(|e| e["type"] == "WaitStateEntered") {
            let failed = events.iter().filter(|e| e["type"] == "TaskFailed").count();
            let succeeded = events
                .iter()
                .filter(|e| e["type"] == "TaskSucceeded")
                .count();
            assert_eq!((failed, succeeded), (1, 1), "{events:?}");
            break;
        }
        assert!(Instant::now() < deadline, "{:?}", h.body);
        std::thread::sleep(Duration::from_millis(100));
    }
    call(
        baton.port,
        "StopExecution",
        &json!({"executionArn": happy}),
        t,
    )
    .unwrap();
    drop(baton);
}

#[test]
fn baton_serve_completes_mocked_callbacks() {
    let scratch = Scratch::new("mock-callback");
    let mocks = scratch.path("MockConfigFile.json");
    std::fs::write(
        &mocks,
        r#"{"StateMachines": {"Notifier": {"TestCases": {"T": {"Notify": "Queued"}}}},
            "MockedResponses": {"Queued": {"0": {"Return": {"MessageId": "m-1"}}}}}"#,
    )
    .unwrap();
    let baton = Baton::start(
        &scratch.path("data"),
        &scratch.path("baton.log"),
        &["--mock-config", mocks.to_str().unwrap()],
    );
    let t = Duration::from_secs(10);
    let notify = orders()["States"]["Notify"].clone();
    let definition = json!({"StartAt": "Notify", "States": {"Notify": notify}});
    let created = call(
        baton.port,
        "CreateStateMachine",
        &json!({"name": "Notifier", "definition": definition.to_string(),
                "roleArn": "arn:aws:iam::123456789012:role/r"}),
        t,
    )
    .unwrap();
    let machine = created.body["stateMachineArn"].as_str().unwrap().to_owned();
    let started = call(
        baton.port,
        "StartExecution",
        &json!({"stateMachineArn": format!("{machine}#T"), "input": "{\"n\": 1}"}),
        t,
    )
    .unwrap();
    let arn = started.body["executionArn"].as_str().unwrap().to_owned();
    let ended = wait_for_end(baton.port, &arn);
    assert_eq!(
        ended["status"],
        "SUCCEEDED",
        "{ended}\n{}",
        baton.log_tail()
    );
    let output: Value = serde_json::from_str(ended["output"].as_str().unwrap()).unwrap();
    assert_eq!(output, json!({"n": 1, "sent": {"MessageId": "m-1"}}));
    let h = call(
        baton.port,
        "GetExecutionHistory",
        &json!({"executionArn": arn}),
        t,
    )
    .unwrap();
    let kinds: Vec<&str> = h.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    let at = kinds.iter().position(|k| *k == "TaskScheduled").unwrap();
    assert_eq!(
        &kinds[at..at + 4],
        [
            "TaskScheduled",
            "TaskStarted",
            "TaskSubmitted",
            "TaskSucceeded"
        ]
    );
}

fn wait_for_end(port: u16, arn: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let d = call(
            port,
            "DescribeExecution",
            &json!({"executionArn": arn}),
            Duration::from_secs(10),
        )
        .unwrap();
        if d.body["status"] != "RUNNING" {
            return d.body;
        }
        assert!(Instant::now() < deadline, "{:?}", d.body);
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn baton_serve_takes_connections_and_process_settings_from_its_toml() {
    let port = http_server(|_, _| (200, r#"{"ok": true}"#.into(), Duration::ZERO));
    let scratch = Scratch::new("serve-settings");
    let settings = scratch.path("baton.toml");
    std::fs::write(
        &settings,
        "allow-commands = true\n\n[connections.api]\nauthorization-type = \"BASIC\"\nusername = \"u\"\npassword = \"pw-in-settings\"\n",
    )
    .unwrap();
    let baton = Baton::start(
        &scratch.path("data"),
        &scratch.path("baton.log"),
        &["--config", settings.to_str().unwrap()],
    );
    let t = Duration::from_secs(10);
    let definition = json!({
        "StartAt": "Call",
        "States": {
            "Call": {"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
                     "Parameters": {"ApiEndpoint": format!("http://127.0.0.1:{port}/"), "Method": "GET",
                                    "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/api/x"}},
                     "ResultSelector": {"body.$": "$.ResponseBody"}, "Next": "Run"},
            "Run": {"Type": "Task", "Resource": "arn:baton:command:::run.sync",
                    "Parameters": {"Command": ["echo", "ran"]},
                    "ResultSelector": {"out.$": "$.Stdout"}, "ResultPath": "$.run", "End": true}
        }
    });
    let created = call(
        baton.port,
        "CreateStateMachine",
        &json!({"name": "Settings", "definition": definition.to_string(),
                "roleArn": "arn:aws:iam::123456789012:role/r"}),
        t,
    )
    .unwrap();
    let machine = created.body["stateMachineArn"]
        .as_str()
        .expect("created")
        .to_owned();
    let started = call(
        baton.port,
        "StartExecution",
        &json!({"stateMachineArn": machine}),
        t,
    )
    .unwrap();
    let arn = started.body["executionArn"].as_str().unwrap().to_owned();
    let ended = wait_for_end(baton.port, &arn);
    assert_eq!(
        ended["status"],
        "SUCCEEDED",
        "{ended}\n{}",
        baton.log_tail()
    );
    let output: Value = serde_json::from_str(ended["output"].as_str().unwrap()).unwrap();
    assert_eq!(
        output,
        json!({"body": {"ok": true}, "run": {"out": "ran\n"}})
    );
    let h = call(
        baton.port,
        "GetExecutionHistory",
        &json!({"executionArn": arn}),
        t,
    )
    .unwrap();
    let text = h.body.to_string();
    assert!(
        text.contains("TaskSubmitted"),
        "the .sync command reports its submission"
    );
    assert!(!text.contains("pw-in-settings"));
    assert!(!baton.log_tail().contains("pw-in-settings"));
}
