//! Triggers end to end: the `baton` binary driven by `tests/e2e/test_triggers.py` with
//! EventBridge's and EventBridge Scheduler's boto3 clients and plain HTTP for webhooks;
//! a schedule due while the server is down, which fires once after the restart; and a
//! virtual clock moved ahead over the API.
//! Without python3 + boto3 the tests say so and pass, unless `BATON_E2E_REQUIRED=1`.

mod support;

use std::process::{Command, Stdio};
use std::time::Duration;

use support::{Baton, Scratch, repo_root};

fn have_boto3() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import boto3"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let required = std::env::var("BATON_E2E_REQUIRED").is_ok_and(|v| !v.is_empty() && v != "0");
    assert!(
        ok || !required,
        "BATON_E2E_REQUIRED is set but boto3 is not installed"
    );
    if !ok {
        eprintln!("SKIPPED: python3 with boto3 is not installed");
    }
    ok
}

fn script(baton: &Baton, scratch: &Scratch, arg: Option<&str>) {
    let mut cmd = Command::new("python3");
    cmd.arg(repo_root().join("tests/e2e/test_triggers.py"));
    if let Some(a) = arg {
        cmd.arg(a);
    }
    for var in [
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ENDPOINT_URL",
        "AWS_SESSION_TOKEN",
    ] {
        cmd.env_remove(var);
    }
    let out = cmd
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("BATON_ENDPOINT", baton.endpoint())
        .env("BATON_E2E_SCRATCH", &scratch.0)
        .stdin(Stdio::null())
        .output()
        .expect("python3 runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && text.lines().last() == Some("ok"),
        "test_triggers.py {arg:?} failed:\n{text}\n--- the server's log:\n{}",
        baton.log_tail()
    );
}

#[test]
fn webhooks_schedules_and_event_rules_with_boto3() {
    if !have_boto3() {
        return;
    }
    let scratch = Scratch::new("e2e-triggers");
    let baton = Baton::start(
        &scratch.path("data"),
        &scratch.path("baton.log"),
        &["--durability", "process"],
    );
    script(&baton, &scratch, None);
}

#[test]
fn a_schedule_due_while_baton_was_down_fires_once_after_the_restart() {
    if !have_boto3() {
        return;
    }
    let scratch = Scratch::new("e2e-triggers-downtime");
    let mut baton = Baton::start(
        &scratch.path("data"),
        &scratch.path("baton.log"),
        &["--durability", "process"],
    );
    script(&baton, &scratch, Some("downtime-1"));
    baton.kill();
    // Down past the schedule's time.
    std::thread::sleep(Duration::from_secs(6));
    baton.restart();
    script(&baton, &scratch, Some("downtime-2"));
}

#[test]
fn a_virtual_clock_moved_ahead_ends_a_day_long_wait_and_fires_a_daily_cron() {
    if !have_boto3() {
        return;
    }
    let scratch = Scratch::new("e2e-triggers-virtual");
    let baton = Baton::start(
        &scratch.path("data"),
        &scratch.path("baton.log"),
        &["--durability", "process", "--virtual-clock"],
    );
    script(&baton, &scratch, Some("virtual"));
}
