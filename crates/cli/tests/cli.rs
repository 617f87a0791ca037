//! The `baton` binary, run as users run it.

use std::path::PathBuf;
use std::process::{Command, Output};

/// A scratch directory for one test, removed at the end.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("baton-cli-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch directory");
        Scratch(dir)
    }

    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).expect("scratch file");
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn baton(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(args)
        .output()
        .expect("baton runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn path(p: &std::path::Path) -> &str {
    p.to_str().expect("utf-8 path")
}

const VALID: &str = r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}"#;

const INVALID: &str = r#"{
  "StartAt": "A",
  "States": {
    "A": {"Type": "Pass", "Nxet": "B", "Next": "C"},
    "B": {"Type": "Succeed"}
  }
}
"#;

#[test]
fn validate_exits_0_for_a_valid_definition() {
    let dir = Scratch::new("valid");
    let file = dir.file("machine.json", VALID);
    let out = baton(&["validate", path(&file)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).ends_with("machine.json: valid\n"),
        "{}",
        stderr(&out)
    );

    let out = baton(&["validate", "--json", path(&file)]);
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(json, serde_json::json!({"valid": true, "diagnostics": []}));
}

#[test]
fn validate_points_at_each_problem() {
    let dir = Scratch::new("invalid");
    let file = dir.file("machine.json", INVALID);
    let out = baton(&["validate", path(&file)]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let name = path(&file);
    assert!(
        err.contains(&format!(
            "{name}:4:27: error[SCHEMA_VALIDATION_FAILED]: Field 'Nxet' is not supported (at /States/A)\n 4 |     \"A\": {{\"Type\": \"Pass\", \"Nxet\": \"B\", \"Next\": \"C\"}},\n   |                           ^\n"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{name}:4:40: error[MISSING_TRANSITION_TARGET]: Missing 'Next' target: C (at /States/A/Next)"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{name}:5:5: error[MISSING_TRANSITION_TARGET]: State \"B\" is not reachable. (at /States/B)"
        )),
        "{err}"
    );
    assert!(err.ends_with("machine.json: invalid (3 errors)\n"), "{err}");
}

#[test]
fn validate_json_prints_awss_error() {
    let dir = Scratch::new("json");
    let file = dir.file("machine.json", INVALID);
    let out = baton(&["validate", "--json", path(&file)]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(
        json,
        serde_json::json!({
            "valid": false,
            "error": "InvalidDefinition",
            "message": "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Field 'Nxet' is not supported at /States/A, MISSING_TRANSITION_TARGET: Missing 'Next' target: C at /States/A/Next, MISSING_TRANSITION_TARGET: State \"B\" is not reachable. at /States/B'",
            "diagnostics": [
                {"code": "SCHEMA_VALIDATION_FAILED", "message": "Field 'Nxet' is not supported", "location": "/States/A", "severity": "ERROR"},
                {"code": "MISSING_TRANSITION_TARGET", "message": "Missing 'Next' target: C", "location": "/States/A/Next", "severity": "ERROR"},
                {"code": "MISSING_TRANSITION_TARGET", "message": "State \"B\" is not reachable.", "location": "/States/B", "severity": "ERROR"}
            ]
        })
    );
}

#[test]
fn validate_reads_yaml_and_locates_in_it() {
    let dir = Scratch::new("yaml");
    let file = dir.file(
        "machine.yaml",
        "StartAt: A\nStates:\n  A:\n    Type: Task\n    Resource: arn:aws:states:::dynamodb:query\n    End: true\n",
    );
    let out = baton(&["validate", path(&file)]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(":5:5: error[SCHEMA_VALIDATION_FAILED]: The resource provided arn:aws:states:::dynamodb:query is not recognized."),
        "{err}"
    );
    assert!(
        err.contains(" 5 |     Resource: arn:aws:states:::dynamodb:query\n   |     ^\n"),
        "{err}"
    );
}

#[test]
fn validate_reports_text_that_is_not_json() {
    let dir = Scratch::new("syntax");
    let file = dir.file(
        "machine.json",
        "{\n  \"StartAt\": \"A\",\n  \"States\": {\n",
    );
    let out = baton(&["validate", "--json", path(&file)]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(json["diagnostics"][0]["code"], "INVALID_JSON_DESCRIPTION");
    assert!(
        json["diagnostics"][0]["location"]
            .as_str()
            .is_some_and(|l| l.starts_with("[Source: (String)\"{")),
        "{json}"
    );
    let out = baton(&["validate", path(&file)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("error[INVALID_JSON_DESCRIPTION]"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn validate_checks_express_restrictions() {
    let dir = Scratch::new("express");
    let file = dir.file(
        "machine.json",
        r#"{"StartAt": "Publish", "States": {"Publish": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish.waitForTaskToken", "End": true}}}"#,
    );
    assert_eq!(baton(&["validate", path(&file)]).status.code(), Some(0));
    let out = baton(&["validate", "--express", "--json", path(&file)]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(
        json["message"],
        "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Express state machine does not support '.waitForTaskToken' service integration  at /States/Publish/Resource'"
    );
}

#[test]
fn validate_shows_a_window_of_a_long_line() {
    let dir = Scratch::new("long");
    let padding = format!("\"Comment\": \"{}\", ", "x".repeat(500));
    let file = dir.file(
        "machine.json",
        &format!(
            r#"{{{padding}"StartAt": "A", "States": {{"A": {{"Type": "Pass", "Next": "Z"}}}}}}"#
        ),
    );
    let out = baton(&["validate", path(&file)]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let snippet = err.lines().nth(1).expect("a snippet line");
    assert!(snippet.len() < 140, "{snippet}");
    assert!(snippet.contains("\"Next\": \"Z\""), "{snippet}");
}

#[test]
fn validate_fails_with_2_for_a_missing_file() {
    let out = baton(&["validate", "/nonexistent/machine.json"]);
    assert_eq!(out.status.code(), Some(2));
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json_of(o: &Output) -> serde_json::Value {
    serde_json::from_str(&stdout(o))
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", stdout(o)))
}

const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples");

#[test]
fn run_prints_the_output_and_exits_0() {
    let def = format!("{EXAMPLES}/hello.asl.json");
    let out = baton(&[
        "run",
        &def,
        "--input",
        r#"{"name": "Ada", "excited": false}"#,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let output: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(output["greeting"], "Hello, Ada!");
    assert!(stderr(&out).contains("SUCCEEDED"), "{}", stderr(&out));
}

#[test]
fn run_reads_a_distributed_maps_items_from_a_folder_standing_in_for_a_bucket() {
    let def = format!("{EXAMPLES}/ratings.asl.json");
    let data = format!("data={EXAMPLES}/data");
    let out = baton(&["run", &def, "--bucket", &data]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let output: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        output,
        serde_json::json!([
            {"movies": ["Alien", "Alien"], "ratings": 2},
            {"movies": ["Brazil", "Brazil"], "ratings": 2},
            {"movies": ["Casablanca"], "ratings": 1}
        ])
    );
    // Without the folder, the bucket is looked for in S3 (here: no credentials).
    let out = baton(&["run", &def, "--bucket", "data"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("NAME=DIR"), "{}", stderr(&out));
}

#[test]
fn run_json_reports_a_failure_and_exits_1() {
    let def = format!("{EXAMPLES}/hello.asl.json");
    let out = baton(&["run", &def, "--input", r#"{"name": "Ada"}"#, "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let report = json_of(&out);
    assert_eq!(report["status"], "FAILED");
    assert_eq!(report["error"], "States.Runtime");
    assert!(report["cause"].as_str().unwrap().contains(
        "The JSONPath '$.excited' specified for the field 'excited.$' could not be found"
    ));
}

#[test]
fn run_history_is_aws_shaped() {
    let dir = Scratch::new("history");
    let def = dir.file(
        "m.json",
        r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": 1, "End": true}}}"#,
    );
    let out = baton(&["run", path(&def), "--json", "--history", "--name", "exec-1"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json_of(&out);
    assert_eq!(report["output"], 1);
    let types: Vec<&str> = report["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "ExecutionStarted",
            "PassStateEntered",
            "PassStateExited",
            "ExecutionSucceeded"
        ]
    );
    assert_eq!(
        report["history"][2]["stateExitedEventDetails"]["output"],
        "1"
    );
}

#[test]
fn run_calls_local_functions() {
    let dir = Scratch::new("functions");
    let functions = dir.file(
        "functions.json",
        r#"{"functions": {"double": {"command": ["python3", "-c", "import json,sys; e=json.load(sys.stdin); print(json.dumps(e['n']*2))"]}}}"#,
    );
    let def = dir.file(
        "m.json",
        r#"{"StartAt": "T", "States": {
            "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:double",
                  "ResultPath": "$.doubled", "Next": "U"},
            "U": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                  "Parameters": {"FunctionName": "double", "Payload": {"n.$": "$.doubled"}},
                  "OutputPath": "$.Payload", "End": true}}}"#,
    );
    let out = baton(&[
        "run",
        path(&def),
        "--input",
        r#"{"n": 21}"#,
        "--functions",
        path(&functions),
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json_of(&out)["output"], 84);
}

#[test]
fn run_reads_yaml_and_stdin() {
    let yaml = "StartAt: P\nStates:\n  P:\n    Type: Pass\n    Parameters:\n      x.$: $.a\n    End: true\n";
    let mut child = Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(["run", "-", "--input", r#"{"a": "b"}"#, "--json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(yaml.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json_of(&out)["output"], serde_json::json!({"x": "b"}));
}

#[test]
fn run_rejects_bad_definitions_and_inputs_with_2() {
    let dir = Scratch::new("bad-run");
    let invalid = dir.file("invalid.json", INVALID);
    let out = baton(&["run", path(&invalid)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("Invalid State Machine Definition"),
        "{}",
        stderr(&out)
    );

    let valid = dir.file("valid.json", VALID);
    let out = baton(&["run", path(&valid), "--input", "{not json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("Invalid State Machine Execution Input"));

    let deep = dir.file("deep.json", &("[".repeat(100_000) + &"]".repeat(100_000)));
    let out = baton(&["run", path(&valid), "--input-file", path(&deep)]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("recursion limit"), "{}", stderr(&out));

    let out = baton(&[
        "run",
        path(&valid),
        "--functions",
        "/nonexistent/functions.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn run_fails_large_inputs_with_the_payload_limit() {
    let dir = Scratch::new("large");
    let valid = dir.file("valid.json", VALID);
    let input = dir.file(
        "input.json",
        &format!("{{\"s\": \"{}\"}}", "a".repeat(10 << 20)),
    );
    let out = baton(&["run", path(&valid), "--input-file", path(&input), "--json"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_of(&out)["error"], "States.DataLimitExceeded");
}
