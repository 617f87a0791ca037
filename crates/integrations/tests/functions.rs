//! Local functions for real: commands run as processes, URLs served over real HTTP by a
//! server started here.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;

use baton_asl::definition::Resource;
use baton_integrations::{FunctionSpec, Functions, Registry, TaskCall, TaskFailure};
use baton_json::{Value, json};

fn call(resource: &str, input: Value) -> TaskCall {
    TaskCall {
        resource: Resource::parse(resource).expect("a valid resource"),
        purpose: Default::default(),
        input,
        token: None,
        state_name: "Work".into(),
        region: "us-east-1".into(),
        account: "123456789012".into(),
        execution_arn: "arn:aws:states:us-east-1:123456789012:execution:m:e".into(),
        work: 1,
        resumed: false,
        submission: None,
        credentials: None,
        submitted: None,
    }
}

fn registry(specs: Vec<(&str, FunctionSpec)>) -> Registry {
    let specs: HashMap<String, FunctionSpec> =
        specs.into_iter().map(|(n, s)| (n.to_string(), s)).collect();
    Registry::new(Functions::from_specs(specs, PathBuf::new()))
}

fn sh(script: &str) -> FunctionSpec {
    FunctionSpec::Command {
        command: vec!["sh".into(), "-c".into(), script.into()],
        env: HashMap::new(),
        cwd: None,
    }
}

const ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:f";

fn run(registry: &Registry, call: TaskCall) -> Result<Value, TaskFailure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(registry.run(call))
}

#[test]
fn a_command_gets_the_event_on_stdin_and_answers_on_stdout() {
    let r = registry(vec![("f", sh("cat"))]);
    assert_eq!(
        run(&r, call(ARN, json!({"a": [1, 2]}))),
        Ok(json!({"a": [1, 2]}))
    );
}

#[test]
fn lambda_invoke_wraps_the_payload_in_the_invoke_response() {
    let r = registry(vec![("f", sh("cat"))]);
    let out = run(
        &r,
        call(
            "arn:aws:states:::lambda:invoke",
            json!({"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST",
                   "Payload": {"x": 1}}),
        ),
    )
    .unwrap();
    assert_eq!(out.get("Payload"), Some(&json!({"x": 1})));
    assert_eq!(out.get("StatusCode"), Some(&json!(200)));
    assert_eq!(out.get("ExecutedVersion"), Some(&json!("$LATEST")));
    // A string Payload is the event's JSON text.
    let out = run(
        &r,
        call(
            "arn:aws:states:::lambda:invoke",
            json!({"FunctionName": "f", "Payload": "[1, 2]"}),
        ),
    )
    .unwrap();
    assert_eq!(out.get("Payload"), Some(&json!([1, 2])));
}

#[test]
fn a_non_zero_exit_is_a_function_error() {
    let r = registry(vec![(
        "f",
        sh(r#"echo '{"errorType": "ValueError", "errorMessage": "bad"}'; exit 1"#),
    )]);
    let err = run(&r, call(ARN, json!({}))).unwrap_err();
    assert_eq!(err.error.as_deref(), Some("ValueError"));
    assert!(err.cause.as_deref().unwrap().contains("bad"));
}

#[test]
fn a_reply_that_is_not_json_fails_the_task_clearly() {
    let r = registry(vec![("f", sh("echo not json"))]);
    let err = run(&r, call(ARN, json!({}))).unwrap_err();
    assert_eq!(err.error.as_deref(), Some("Lambda.ServiceException"));
    assert!(
        err.cause.as_deref().unwrap().contains("not JSON"),
        "{err:?}"
    );
}

#[test]
fn an_unknown_function_is_not_found() {
    let r = registry(vec![]);
    let err = run(
        &r,
        call(
            "arn:aws:states:::lambda:invoke",
            json!({"FunctionName": "nope"}),
        ),
    )
    .unwrap_err();
    assert_eq!(
        err.error.as_deref(),
        Some("Lambda.ResourceNotFoundException")
    );
    assert!(err.cause.as_deref().unwrap().starts_with(
        "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope:$LATEST"
    ));
}

#[test]
fn a_command_that_cannot_start_is_a_service_error() {
    let r = registry(vec![(
        "f",
        FunctionSpec::Command {
            command: vec!["/nonexistent/program".into()],
            env: HashMap::new(),
            cwd: None,
        },
    )]);
    let err = run(&r, call(ARN, json!({}))).unwrap_err();
    assert_eq!(err.error.as_deref(), Some("Lambda.ServiceException"));
}

#[test]
fn a_result_over_256_kib_is_a_data_limit_error() {
    let r = registry(vec![(
        "f",
        sh("printf '\"'; head -c 270000 /dev/zero | tr '\\0' a; printf '\"'"),
    )]);
    let err = run(&r, call(ARN, json!({}))).unwrap_err();
    assert_eq!(err.error.as_deref(), Some("States.DataLimitExceeded"));
}

/// Serves `replies` (status, extra header, body) to successive POSTs; returns the URL and
/// the bodies received.
fn serve(
    replies: Vec<(u16, Option<&'static str>, &'static str)>,
) -> (String, std::thread::JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/invoke", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let mut received = Vec::new();
        for (status, header, body) in replies {
            let (mut stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if line == "\r\n" || line.is_empty() {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
            }
            let mut request = vec![0; length];
            reader.read_exact(&mut request).unwrap();
            received.push(String::from_utf8(request).unwrap());
            let extra = header.map(|h| format!("{h}\r\n")).unwrap_or_default();
            write!(
                stream,
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n{extra}content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            )
            .unwrap();
        }
        received
    });
    (url, handle)
}

#[test]
fn a_url_is_posted_the_event_and_errors_follow_lambda() {
    let (url, server) = serve(vec![
        (200, None, r#"{"ok": true}"#),
        (
            200,
            Some("X-Amz-Function-Error: Unhandled"),
            r#"{"errorType": "KeyError", "errorMessage": "k"}"#,
        ),
        (502, None, r#"{"errorType": "Crash"}"#),
    ]);
    let r = registry(vec![("f", FunctionSpec::Url { url })]);
    assert_eq!(run(&r, call(ARN, json!({"n": 1}))), Ok(json!({"ok": true})));
    assert_eq!(
        run(&r, call(ARN, json!({}))).unwrap_err().error.as_deref(),
        Some("KeyError")
    );
    assert_eq!(
        run(&r, call(ARN, json!({}))).unwrap_err().error.as_deref(),
        Some("Crash")
    );
    let received = server.join().unwrap();
    assert_eq!(received[0], r#"{"n":1}"#);
}

#[test]
fn functions_files_are_read_and_checked() {
    let dir = std::env::temp_dir().join(format!("baton-functions-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.json");
    std::fs::write(
        &good,
        r#"{"functions": {"a": {"command": ["cat"]}, "b": {"url": "http://127.0.0.1:1/x"}}}"#,
    )
    .unwrap();
    let f = Functions::load(&good).unwrap();
    assert!(f.get("a").is_some() && f.get("b").is_some());
    for bad in [
        r#"{"functions": {"a": {"command": []}}}"#,
        r#"{"functions": {"a": {"cmd": ["cat"]}}}"#,
        r#"{"function": {}}"#,
        "not json",
    ] {
        let path = dir.join("bad.json");
        std::fs::write(&path, bad).unwrap();
        assert!(Functions::load(&path).is_err(), "{bad}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
