//! End to end with real AWS clients: the `baton` binary serving on a free port, driven by
//! the Python scripts in `tests/e2e/` (boto3) and by the AWS CLI.
//!
//! Each test starts its own server with a scratch data directory and the local functions of
//! `tests/e2e/functions.json`, runs one script, and fails with the script's output and the
//! server's log when the script fails. Without python3 + boto3 or the AWS CLI the tests say
//! so and pass, unless `BATON_E2E_REQUIRED=1` (as CI sets it), when they fail instead.

mod support;

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{Baton, Scratch, repo_root};

/// How long one script may take.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(180);

/// Why the tests cannot run here, if they cannot.
fn missing(tool: &str) -> Option<String> {
    static BOTO3: OnceLock<Option<String>> = OnceLock::new();
    static AWS: OnceLock<Option<String>> = OnceLock::new();
    let probe = |program: &str, args: &[&str], what: &str| {
        let ok = Command::new(program)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        (!ok).then(|| what.to_owned())
    };
    let found = match tool {
        "boto3" => BOTO3.get_or_init(|| {
            probe(
                "python3",
                &["-c", "import boto3, botocore"],
                "python3 with boto3 (python3 -m pip install boto3)",
            )
        }),
        _ => AWS.get_or_init(|| {
            probe(
                "aws",
                &["--version"],
                "the AWS CLI (python3 -m pip install awscli)",
            )
        }),
    };
    found.clone()
}

/// `true` when the test can run; otherwise says why it is skipped, or fails when
/// `BATON_E2E_REQUIRED` is set.
fn have(tool: &str) -> bool {
    let Some(what) = missing(tool) else {
        return true;
    };
    let required = std::env::var("BATON_E2E_REQUIRED").is_ok_and(|v| !v.is_empty() && v != "0");
    assert!(
        !required,
        "BATON_E2E_REQUIRED is set but {what} is not installed"
    );
    // Straight to the process's stderr, past the test harness's capture, so that the skip
    // shows in `cargo test`'s output.
    let test = std::thread::current().name().unwrap_or("?").to_owned();
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {test}: {what} is not installed (set BATON_E2E_REQUIRED=1 to fail instead)"
    );
    false
}

/// A server for one test, with its scratch directory.
struct Env {
    // Dropped first: the server is killed before its directory goes.
    baton: Baton,
    scratch: Scratch,
}

impl Env {
    fn new(name: &str) -> Env {
        Env::new_with(name, |_| Vec::new())
    }

    /// [`Env::new`] with more options for `baton serve`, made from the scratch directory.
    fn new_with(name: &str, extra: impl FnOnce(&Scratch) -> Vec<String>) -> Env {
        let scratch = Scratch::new(&format!("e2e-{name}"));
        let functions = repo_root().join("tests/e2e/functions.json");
        let mut args = vec![
            "--functions".to_owned(),
            functions.to_str().expect("utf-8 path").to_owned(),
            "--durability".to_owned(),
            "process".to_owned(),
        ];
        args.extend(extra(&scratch));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let baton = Baton::start(&scratch.path("data"), &scratch.path("baton.log"), &args);
        Env { baton, scratch }
    }

    /// A command with the environment every client gets: dummy credentials, no user
    /// configuration, region us-east-1.
    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        for var in [
            "AWS_PROFILE",
            "AWS_DEFAULT_PROFILE",
            "AWS_ENDPOINT_URL",
            "AWS_ENDPOINT_URL_SFN",
            "AWS_DISABLE_HOST_PREFIX_INJECTION",
            "AWS_SESSION_TOKEN",
            "AWS_CA_BUNDLE",
        ] {
            cmd.env_remove(var);
        }
        cmd.env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_PAGER", "")
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env("PYTHONUNBUFFERED", "1")
            .env("BATON_ENDPOINT", self.baton.endpoint())
            .env("BATON_E2E_SCRATCH", &self.scratch.0)
            .stdin(Stdio::null());
        cmd
    }

    /// Runs `tests/e2e/<script>`; panics with its output and the server's log unless it
    /// exits 0 having printed `ok`.
    fn script(&self, script: &str) {
        self.script_with(script, &[]);
    }

    /// [`Env::script`] with arguments; the script also gets the server's process id in
    /// `BATON_PID`.
    fn script_with(&self, script: &str, args: &[&str]) {
        let path = repo_root().join("tests/e2e").join(script);
        let out_path = self
            .scratch
            .path(&format!("{script}{}.out", args.join("-")));
        let out = std::fs::File::create(&out_path).expect("output file");
        let started = Instant::now();
        let mut command = self.command("python3");
        if let Some(pid) = self.baton.pid() {
            command.env("BATON_PID", pid.to_string());
        }
        let mut child = command
            .arg(&path)
            .args(args)
            .stdout(out.try_clone().expect("output file"))
            .stderr(out)
            .spawn()
            .expect("python3 runs");
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait for the script") {
                break Some(status);
            }
            if started.elapsed() > SCRIPT_TIMEOUT {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let output = std::fs::read_to_string(&out_path).unwrap_or_default();
        let passed = status.is_some_and(|s| s.success()) && output.lines().last() == Some("ok");
        if !passed {
            let why = match status {
                Some(s) => format!("exited with {s}"),
                None => format!("was killed after {SCRIPT_TIMEOUT:?}"),
            };
            panic!(
                "tests/e2e/{script} {why}. Its output:\n{output}\n--- the server's log:\n{}",
                self.baton.log_tail()
            );
        }
        println!(
            "tests/e2e/{script}: ok in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }

    /// Runs `aws --endpoint-url ... stepfunctions ARGS --output json`: the parsed output,
    /// or the exit code and stderr.
    fn aws(&self, args: &[&str], env: &[(&str, &str)]) -> Result<Value, (i32, String)> {
        let out = self
            .command("aws")
            .arg("--endpoint-url")
            .arg(self.baton.endpoint())
            .arg("--output")
            .arg("json")
            .arg("stepfunctions")
            .args(args)
            .envs(env.iter().copied())
            .output()
            .expect("aws runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        if !out.status.success() {
            return Err((out.status.code().unwrap_or(-1), stderr));
        }
        if stdout.trim().is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&stdout)
            .map_err(|e| (0, format!("not JSON ({e}): {stdout}\nstderr: {stderr}")))
    }

    /// [`Env::aws`] that must succeed.
    fn aws_ok(&self, args: &[&str]) -> Value {
        self.aws(args, &[]).unwrap_or_else(|(code, stderr)| {
            panic!(
                "aws stepfunctions {} exited with {code}:\n{stderr}\n--- the server's log:\n{}",
                args.join(" "),
                self.baton.log_tail()
            )
        })
    }
}

fn run_script(name: &str, script: &str) {
    if !have("boto3") {
        return;
    }
    Env::new(name).script(script);
}

#[test]
fn boto3_state_machines() {
    run_script("machines", "test_state_machines.py");
}

#[test]
fn boto3_executions_lists_and_histories() {
    run_script("executions", "test_executions.py");
}

#[test]
fn boto3_activities_with_workers_in_other_processes() {
    run_script("activities", "test_activities.py");
}

#[test]
fn boto3_wait_for_task_token_callbacks() {
    run_script("callbacks", "test_callbacks.py");
}

#[test]
fn boto3_express_and_the_sync_host_prefix() {
    run_script("express", "test_express.py");
}

#[test]
fn boto3_versions_and_aliases() {
    run_script("versions", "test_versions.py");
}

#[test]
fn boto3_nested_executions() {
    run_script("nested", "test_nested.py");
}

#[test]
fn boto3_redrive_execution() {
    run_script("redrive", "test_redrive.py");
}

#[test]
fn boto3_map_runs() {
    run_script("map-runs", "test_map_runs.py");
}

#[test]
fn boto3_test_state() {
    run_script("test-state", "test_test_state.py");
}

#[test]
fn boto3_hostile_workflows_beside_healthy_ones_and_a_crash() {
    if !have("boto3") {
        return;
    }
    let mut env = Env::new("hostile");
    env.script_with("test_hostile.py", &["run"]);
    env.script_with("test_hostile.py", &["crowd"]);
    env.script_with("test_hostile.py", &["start-runaways"]);
    env.script_with("test_hostile.py", &["deep-documents"]);
    // A crash with the runaways mid-flight and deep results in journals: after it they
    // carry on to the same ends.
    env.baton.restart();
    env.script_with("test_hostile.py", &["deep-after-restart"]);
    env.script_with("test_hostile.py", &["after-restart"]);
}

#[test]
fn boto3_distributed_map_over_a_local_bucket_through_two_crashes() {
    if !have("boto3") {
        return;
    }
    let mut env = Env::new_with("datasets", |scratch| {
        let bucket = scratch.path("bucket");
        std::fs::create_dir_all(&bucket).expect("the bucket's folder");
        vec![
            "--bucket".to_owned(),
            format!("data={}", bucket.to_str().expect("utf-8 path")),
        ]
    });
    env.script_with("test_datasets.py", &["start"]);
    for _ in 0..2 {
        std::thread::sleep(Duration::from_millis(700));
        env.baton.restart();
    }
    env.script_with("test_datasets.py", &["finish"]);
}

#[test]
fn boto3_errors() {
    run_script("errors", "test_errors.py");
}

const CLI_MACHINE: &str = r#"{"StartAt": "Greet", "States": {
  "Greet": {"Type": "Pass", "Parameters": {"greeting.$": "States.Format('Hello, {}!', $.name)"}, "Next": "Nap"},
  "Nap": {"Type": "Wait", "Seconds": 1, "End": true}}}"#;

const CLI_EXPRESS: &str = r#"{"StartAt": "Add", "States": {
  "Add": {"Type": "Pass", "Parameters": {"sum.$": "States.MathAdd($.a, $.b)"}, "End": true}}}"#;

const ROLE: &str = "arn:aws:iam::123456789012:role/baton-e2e";

#[test]
fn aws_cli_commands() {
    if !have("aws") {
        return;
    }
    let env = Env::new("aws-cli");
    let definition = env.scratch.path("machine.json");
    std::fs::write(&definition, CLI_MACHINE).expect("definition file");
    let file_arg = format!("file://{}", definition.display());

    let created = env.aws_ok(&[
        "create-state-machine",
        "--name",
        "Cli",
        "--definition",
        &file_arg,
        "--role-arn",
        ROLE,
    ]);
    let machine = "arn:aws:states:us-east-1:123456789012:stateMachine:Cli";
    assert_eq!(created["stateMachineArn"], machine, "{created}");
    let started = env.aws_ok(&[
        "start-execution",
        "--state-machine-arn",
        machine,
        "--name",
        "cli-1",
        "--input",
        r#"{"name": "CLI"}"#,
    ]);
    let execution = "arn:aws:states:us-east-1:123456789012:execution:Cli:cli-1";
    assert_eq!(started["executionArn"], execution, "{started}");
    let deadline = Instant::now() + Duration::from_secs(30);
    let done = loop {
        let d = env.aws_ok(&["describe-execution", "--execution-arn", execution]);
        if d["status"] != "RUNNING" {
            break d;
        }
        assert!(Instant::now() < deadline, "still running: {d}");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(done["status"], "SUCCEEDED", "{done}");
    let output: Value = serde_json::from_str(done["output"].as_str().expect("output")).unwrap();
    assert_eq!(output, json!({"greeting": "Hello, CLI!"}));

    let listed = env.aws_ok(&[
        "list-executions",
        "--state-machine-arn",
        machine,
        "--status-filter",
        "SUCCEEDED",
    ]);
    assert_eq!(listed["executions"][0]["name"], "cli-1", "{listed}");

    // The CLI pages through the whole history by itself...
    let history = env.aws_ok(&["get-execution-history", "--execution-arn", execution]);
    let types: Vec<&str> = history["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["type"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        types,
        [
            "ExecutionStarted",
            "PassStateEntered",
            "PassStateExited",
            "WaitStateEntered",
            "WaitStateExited",
            "ExecutionSucceeded"
        ]
    );
    // ... or a few events at a time, with --max-items and --starting-token.
    let mut paged = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..10 {
        let mut args = vec![
            "get-execution-history",
            "--execution-arn",
            execution,
            "--max-items",
            "4",
            "--page-size",
            "4",
        ];
        if let Some(t) = &token {
            args.extend(["--starting-token", t.as_str()]);
        }
        let page = env.aws_ok(&args);
        paged.extend(page["events"].as_array().expect("events").iter().cloned());
        token = page["NextToken"].as_str().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(&paged, history["events"].as_array().unwrap());
    let reversed = env.aws_ok(&[
        "get-execution-history",
        "--execution-arn",
        execution,
        "--reverse-order",
    ]);
    assert_eq!(reversed["events"][0]["type"], "ExecutionSucceeded");
    assert_eq!(reversed["events"][0]["id"], 6);

    env.aws_ok(&[
        "create-state-machine",
        "--name",
        "CliExpress",
        "--type",
        "EXPRESS",
        "--definition",
        CLI_EXPRESS,
        "--role-arn",
        ROLE,
    ]);
    let express = "arn:aws:states:us-east-1:123456789012:stateMachine:CliExpress";
    let sync_args = [
        "start-sync-execution",
        "--state-machine-arn",
        express,
        "--input",
        r#"{"a": 20, "b": 22}"#,
    ];
    // The CLI sends StartSyncExecution to sync-127.0.0.1, which does not resolve...
    let (code, stderr) = env
        .aws(&sync_args, &[])
        .expect_err("sync-127.0.0.1 does not resolve");
    let prefixed = format!("http://sync-127.0.0.1:{}/", env.baton.port);
    assert!(code != 0 && stderr.contains(&prefixed), "{code}: {stderr}");
    // ... unless the host prefix is turned off.
    let synced = env
        .aws(&sync_args, &[("AWS_DISABLE_HOST_PREFIX_INJECTION", "true")])
        .unwrap_or_else(|(code, e)| panic!("start-sync-execution exited with {code}: {e}"));
    assert_eq!(synced["status"], "SUCCEEDED", "{synced}");
    assert_eq!(synced["output"], r#"{"sum":42}"#, "{synced}");
    assert!(synced["billingDetails"]["billedDurationInMilliseconds"].is_number());

    let (code, stderr) = env
        .aws(
            &[
                "describe-execution",
                "--execution-arn",
                "arn:aws:states:us-east-1:123456789012:execution:Cli:nope",
            ],
            &[],
        )
        .expect_err("an unknown execution");
    assert!(code != 0, "{code}");
    assert!(
        stderr.contains("(ExecutionDoesNotExist)")
            && stderr.contains(
                "Execution Does Not Exist: 'arn:aws:states:us-east-1:123456789012:execution:Cli:nope'"
            ),
        "{stderr}"
    );
    let (_, stderr) = env
        .aws(
            &[
                "create-state-machine",
                "--name",
                "Broken",
                "--definition",
                r#"{"StartAt": "Nowhere", "States": {}}"#,
                "--role-arn",
                ROLE,
            ],
            &[],
        )
        .expect_err("an invalid definition");
    assert!(stderr.contains("(InvalidDefinition)"), "{stderr}");
}
