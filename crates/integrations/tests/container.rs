//! Baton's own process resources for real: `arn:baton:command:::run` runs programs here;
//! `arn:baton:container:::run` runs only where a container engine answers and has the test
//! image (`BATON_TEST_IMAGE`, default `alpine`) — elsewhere that test says why it skips.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use baton_asl::definition::Resource;
use baton_integrations::{
    Integration, ProcessSettings, Processes, Submitted, TaskCall, TaskFailure, TaskOutcome,
};
use baton_json::{Value, json};

fn call(resource: &str, input: Value) -> TaskCall {
    TaskCall {
        resource: Resource::parse(resource).expect("a resource"),
        purpose: Default::default(),
        input,
        token: None,
        state_name: "Work".into(),
        region: "us-east-1".into(),
        account: "123456789012".into(),
        execution_arn: "arn:aws:states:us-east-1:123456789012:execution:m:e".into(),
        work: 7,
        resumed: false,
        submission: None,
        credentials: None,
        submitted: None,
    }
}

const COMMAND: &str = "arn:baton:command:::run";
const CONTAINER: &str = "arn:baton:container:::run";

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn run(p: &Processes, c: TaskCall) -> TaskOutcome {
    rt().block_on(p.run(c))
}

fn sh(script: &str) -> Value {
    json!({"Command": ["sh", "-c", script]})
}

#[test]
fn a_command_runs_with_input_environment_and_arguments() {
    let mut input = sh(r#"echo "$GREETING $BATON_STATE_NAME $1"; cat; echo oops >&2"#);
    let map = input.as_object_mut().unwrap();
    map.insert(
        "Command".into(),
        json!([
            "sh",
            "-c",
            r#"echo "$GREETING $BATON_STATE_NAME $0"; cat; echo oops >&2"#,
            "arg0"
        ]),
    );
    map.insert("Environment".into(), json!({"GREETING": "hello", "N": 3}));
    map.insert("Input".into(), json!({"k": [1]}));
    let out = run(&Processes::enabled(), call(COMMAND, input)).expect("success");
    assert_eq!(
        out,
        json!({"ExitCode": 0, "Stdout": "hello Work arg0\n{\"k\":[1]}", "Stderr": "oops\n"})
    );
}

#[test]
fn standard_output_can_be_json() {
    let mut input = sh(r#"printf '{"total": 42}'"#);
    input
        .as_object_mut()
        .unwrap()
        .insert("StdoutFormat".into(), json!("JSON"));
    let out = run(&Processes::enabled(), call(COMMAND, input.clone())).expect("success");
    assert_eq!(out.get("Stdout"), Some(&json!({"total": 42})));
    input
        .as_object_mut()
        .unwrap()
        .insert("Command".into(), json!(["echo", "not json"]));
    let f = run(&Processes::enabled(), call(COMMAND, input)).expect_err("a failure");
    assert_eq!(f.error.as_deref(), Some("States.TaskFailed"));
}

#[test]
fn a_non_zero_exit_fails_with_its_code_and_the_output_as_cause() {
    let f = run(
        &Processes::enabled(),
        call(COMMAND, sh("echo partial; echo broken >&2; exit 3")),
    )
    .expect_err("a failure");
    assert_eq!(f.error.as_deref(), Some("Baton.ExitCode.3"));
    let cause = Value::from_json_str(f.cause.as_deref().unwrap()).expect("JSON");
    assert_eq!(
        cause,
        json!({"ExitCode": 3, "Stdout": "partial\n", "Stderr": "broken\n"})
    );
    let f = run(&Processes::enabled(), call(COMMAND, sh("kill -9 $$"))).expect_err("a failure");
    assert_eq!(f.error.as_deref(), Some("Baton.Signal.9"));
}

#[test]
fn outputs_are_bounded() {
    let out = run(
        &Processes::enabled(),
        call(
            COMMAND,
            sh("head -c 200000 /dev/zero | tr '\\0' a; head -c 100000 /dev/zero | tr '\\0' b >&2; echo END >&2"),
        ),
    )
    .expect("success");
    let stdout = out.get("Stdout").and_then(Value::as_str).unwrap();
    let stderr = out.get("Stderr").and_then(Value::as_str).unwrap();
    assert_eq!(stdout.len(), 64 * 1024);
    assert_eq!(stderr.len(), 64 * 1024);
    assert!(stderr.ends_with("bbbEND\n"), "the end of stderr is kept");
    assert_eq!(out.get("StdoutTruncated"), Some(&json!(true)));
    assert_eq!(out.get("StderrTruncated"), Some(&json!(true)));
}

#[test]
fn what_a_host_does_not_allow_fails() {
    for resource in [COMMAND, CONTAINER] {
        let f = run(
            &Processes::disabled(),
            call(resource, json!({"Command": ["true"], "Image": "alpine"})),
        )
        .expect_err("a failure");
        assert_eq!(f.error.as_deref(), Some("States.Runtime"));
        assert!(f.cause.as_deref().unwrap().contains("allow-"), "{f:?}");
    }
    let only_commands = Processes::new(ProcessSettings {
        commands: true,
        ..ProcessSettings::default()
    });
    assert!(run(&only_commands, call(COMMAND, json!({"Command": ["true"]}))).is_ok());
}

#[test]
fn bad_parameters_and_missing_programs_fail() {
    let p = Processes::enabled();
    for (resource, input, says) in [
        (COMMAND, json!({}), "'Command' is required"),
        (COMMAND, json!({"Command": "ls"}), "array of strings"),
        (
            COMMAND,
            json!({"Command": ["env"], "Environment": {"A=B": "x"}}),
            "cannot be the name",
        ),
        (
            COMMAND,
            json!({"Command": ["env"], "StdoutFormat": "XML"}),
            "StdoutFormat",
        ),
        (
            CONTAINER,
            json!({"Command": ["true"]}),
            "'Image' is required",
        ),
    ] {
        let f: TaskFailure = run(&p, call(resource, input)).expect_err("a failure");
        assert_eq!(f.error.as_deref(), Some("States.Runtime"));
        assert!(f.cause.as_deref().unwrap().contains(says), "{f:?}");
    }
    let f = run(
        &p,
        call(COMMAND, json!({"Command": ["/no/such/program-for-baton"]})),
    )
    .expect_err("a failure");
    assert_eq!(f.error.as_deref(), Some("States.TaskFailed"));
    assert!(f.cause.as_deref().unwrap().starts_with("Cannot start"));
}

#[test]
fn sync_reports_the_submission_and_hands_over_the_token() {
    let reports = Arc::new(Mutex::new(Vec::new()));
    let r2 = Arc::clone(&reports);
    let submitted: Submitted = Arc::new(move |v: Value| {
        r2.lock().unwrap().push(v);
        Box::pin(async {})
    });
    let mut c = call(
        "arn:baton:command:::run.sync",
        sh(r#"printf '%s' "$BATON_TASK_TOKEN""#),
    );
    c.token = Some("the-token".into());
    c.submitted = Some(submitted);
    let out = run(&Processes::enabled(), c).expect("success");
    assert_eq!(out.get("Stdout"), Some(&json!("the-token")));
    let reports = reports.lock().unwrap();
    assert_eq!(reports.len(), 1);
    assert!(reports[0].get("ProcessId").is_some_and(Value::is_number));
}

/// `true` while `pid` is a live process (not gone, not a zombie).
fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            let state = stat.rsplit(')').next().unwrap_or("").trim_start();
            !state.starts_with('Z')
        }
        Err(_) => false,
    }
}

fn read_pids(path: &std::path::Path) -> Vec<u32> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

#[cfg(target_os = "linux")]
#[test]
fn dropping_the_task_stops_the_whole_process_group() {
    let dir = std::env::temp_dir().join(format!("baton-proc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pids = dir.join("pids");
    // A shell that starts a grandchild and ignores nothing: both must go.
    let script = format!("sleep 60 & echo $$ $! > {}; wait", pids.display());
    let rt = rt();
    let started = Instant::now();
    let outcome = rt.block_on(async {
        tokio::time::timeout(
            Duration::from_millis(700),
            Processes::enabled().run(call(COMMAND, sh(&script))),
        )
        .await
    });
    assert!(outcome.is_err(), "the task was still running");
    let found = read_pids(&pids);
    assert_eq!(found.len(), 2, "{found:?}");
    let deadline = Instant::now() + Duration::from_secs(8);
    while found.iter().any(|p| alive(*p)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        found.iter().all(|p| !alive(*p)),
        "still running after {:?}: {found:?}",
        started.elapsed()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(target_os = "linux")]
#[test]
fn what_a_finished_command_left_running_is_stopped() {
    let dir = std::env::temp_dir().join(format!("baton-left-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pids = dir.join("pids");
    let started = Instant::now();
    let out = run(
        &Processes::enabled(),
        call(
            COMMAND,
            sh(&format!(
                "sleep 60 & echo $! > {}; echo done",
                pids.display()
            )),
        ),
    )
    .expect("success");
    assert_eq!(out.get("Stdout"), Some(&json!("done\n")));
    assert!(started.elapsed() < Duration::from_secs(10));
    let found = read_pids(&pids);
    let deadline = Instant::now() + Duration::from_secs(8);
    while found.iter().any(|p| alive(*p)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(found.iter().all(|p| !alive(*p)), "{found:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The container engine and image to test with, or why not.
fn container_engine() -> Result<(String, String), String> {
    let engine = std::env::var("BATON_CONTAINER_ENGINE").unwrap_or_else(|_| {
        if std::process::Command::new("docker")
            .arg("--version")
            .output()
            .is_ok()
        {
            "docker".into()
        } else {
            "podman".into()
        }
    });
    let image = std::env::var("BATON_TEST_IMAGE").unwrap_or_else(|_| "alpine".into());
    let ok = |args: &[&str]| {
        std::process::Command::new(&engine)
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !ok(&["info"]) {
        return Err(format!("no container engine answers ({engine} info fails)"));
    }
    if !ok(&["image", "inspect", &image]) {
        return Err(format!(
            "the image {image} is not present (set BATON_TEST_IMAGE to a local image)"
        ));
    }
    Ok((engine, image))
}

#[test]
fn a_container_runs_and_is_stopped_when_dropped() {
    let (engine, image) = match container_engine() {
        Ok(e) => e,
        Err(why) => {
            eprintln!("SKIPPED a_container_runs_and_is_stopped_when_dropped: {why}");
            return;
        }
    };
    let p = Processes::new(ProcessSettings {
        commands: false,
        containers: true,
        container_engine: Some(engine.clone()),
    });
    let out = run(
        &p,
        call(
            CONTAINER,
            json!({"Image": image, "Command": ["sh", "-c", "echo $GREETING; cat; exit 0"],
                   "Environment": {"GREETING": "hi"}, "Input": "in"}),
        ),
    )
    .expect("success");
    assert_eq!(out.get("Stdout"), Some(&json!("hi\nin")));
    let f = run(
        &p,
        call(
            CONTAINER,
            json!({"Image": image, "Command": ["sh", "-c", "exit 4"]}),
        ),
    )
    .expect_err("a failure");
    assert_eq!(f.error.as_deref(), Some("Baton.ExitCode.4"));

    let mut c = call(
        CONTAINER,
        json!({"Image": image, "Command": ["sleep", "300"]}),
    );
    c.work = 99;
    let rt = rt();
    let outcome =
        rt.block_on(async { tokio::time::timeout(Duration::from_secs(5), p.run(c)).await });
    assert!(outcome.is_err());
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let ps = std::process::Command::new(&engine)
            .args(["ps", "--format", "{{.Image}} {{.Command}}"])
            .output()
            .expect("ps");
        let listing = String::from_utf8_lossy(&ps.stdout).into_owned();
        if !listing.contains("sleep 300") {
            break;
        }
        assert!(Instant::now() < deadline, "still running: {listing}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A stand-in for docker: `run` logs its arguments and runs the command after the image
/// here; `stop` and `rm` are logged (`stop` ends what `run` started).
#[cfg(unix)]
fn fake_engine(dir: &std::path::Path) -> String {
    use std::os::unix::fs::PermissionsExt;
    let script = format!(
        r#"#!/bin/sh
log={dir}/log
case "$1" in
  run) shift; echo "run $*" >> $log
       while [ $# -gt 0 ]; do
         case "$1" in
           --rm|-i) shift ;;
           --name|--entrypoint|--workdir|-e) shift 2 ;;
           *) break ;;
         esac
       done
       shift
       echo $$ > {dir}/pid
       exec "$@" ;;
  stop) shift; echo "stop $*" >> $log; kill -TERM "$(cat {dir}/pid)" ;;
  rm) shift; echo "rm $*" >> $log ;;
esac
"#,
        dir = dir.display()
    );
    let path = dir.join("fake-docker");
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.display().to_string()
}

#[cfg(unix)]
#[test]
fn the_container_engine_is_called_as_docker_is() {
    let dir = std::env::temp_dir().join(format!("baton-fake-engine-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = Processes::new(ProcessSettings {
        commands: false,
        containers: true,
        container_engine: Some(fake_engine(&dir)),
    });
    let mut c = call(
        CONTAINER,
        json!({"Image": "registry.example/tool:1", "Entrypoint": "/bin/sh",
               "Command": ["sh", "-c", "echo $GREETING; cat"], "WorkingDirectory": "/work",
               "Environment": {"GREETING": "hi"}, "Input": "in"}),
    );
    c.resumed = true;
    let out = run(&p, c).expect("success");
    assert_eq!(out.get("Stdout"), Some(&json!("hi\nin")));
    let log = std::fs::read_to_string(dir.join("log")).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    assert!(lines[0].starts_with("rm -f baton-"), "{log}");
    let name = lines[0].trim_start_matches("rm -f ");
    assert_eq!(
        lines[1],
        format!(
            "run --rm --name {name} -i --entrypoint /bin/sh --workdir /work -e BATON_EXECUTION_ARN -e BATON_STATE_NAME -e GREETING registry.example/tool:1 sh -c echo $GREETING; cat"
        )
    );

    // Dropped while it runs: `stop` is called for it.
    let rt = rt();
    let outcome = rt.block_on(async {
        tokio::time::timeout(
            Duration::from_millis(500),
            p.run(call(
                CONTAINER,
                json!({"Image": "x", "Command": ["sleep", "60"]}),
            )),
        )
        .await
    });
    assert!(outcome.is_err());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let log = std::fs::read_to_string(dir.join("log")).unwrap();
        if log.contains(&format!("stop --time 10 {name}")) {
            break;
        }
        assert!(Instant::now() < deadline, "{log}");
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
