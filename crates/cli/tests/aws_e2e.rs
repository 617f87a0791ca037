//! End to end with AWS service integrations: `baton serve` configured (`[aws]`) to call
//! moto's server, driven by `tests/moto/e2e_aws.py` (boto3): DynamoDB, SQS with
//! `.waitForTaskToken` resumed by a consumer in another process, SNS, and a
//! conditional-check failure caught by Catch; and `states:startExecution` on another
//! Baton (`[aws.endpoints] sfn`).
//!
//! Without moto (or boto3) the test says so and passes, unless `BATON_E2E_REQUIRED=1` (as
//! CI sets it), when it fails instead.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use support::{Baton, Scratch, repo_root};

fn skip(why: &str) {
    let required = std::env::var("BATON_E2E_REQUIRED").is_ok_and(|v| !v.is_empty() && v != "0");
    assert!(!required, "BATON_E2E_REQUIRED is set but {why}");
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED aws_e2e: {why} (set BATON_E2E_REQUIRED=1 to fail instead)"
    );
}

#[test]
fn workflow_against_moto() {
    // moto's server, until this test's process ends (its standard input closes then).
    let mut moto = match Command::new("python3")
        .arg(repo_root().join("tests/moto/serve.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => return skip(&format!("python3 cannot be run ({e})")),
    };
    let mut line = String::new();
    let _ = BufReader::new(moto.stdout.take().expect("piped")).read_line(&mut line);
    let Some(port) = line.trim().strip_prefix("ready ") else {
        let _ = moto.kill();
        return skip(&format!(
            "moto's server did not start (python3 -m pip install 'moto[server]'): {}",
            line.trim()
        ));
    };
    let moto_url = format!("http://127.0.0.1:{port}");

    let scratch = Scratch::new("aws-e2e");
    let config = scratch.path("baton.toml");
    std::fs::write(
        &config,
        format!(
            "[aws]\nendpoint-url = \"{moto_url}\"\nregion = \"us-east-1\"\naccess-key-id = \"testing\"\nsecret-access-key = \"testing\"\npoll-seconds = 0.2\n"
        ),
    )
    .expect("config");
    let baton = Baton::start(
        &scratch.path("data"),
        &scratch.path("baton.log"),
        &[
            "--config",
            config.to_str().expect("utf-8 path"),
            "--durability",
            "process",
        ],
    );
    let out = Command::new("python3")
        .arg(repo_root().join("tests/moto/e2e_aws.py"))
        .env("BATON_ENDPOINT", baton.endpoint())
        .env("MOTO_ENDPOINT", &moto_url)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let _ = moto.kill();
    let _ = moto.wait();
    assert!(
        out.status.success() && stdout.trim_end().ends_with("ok"),
        "the script failed:\n{stdout}\n{}\n--- baton's log ---\n{}",
        String::from_utf8_lossy(&out.stderr),
        baton.log_tail()
    );
}

#[test]
fn start_execution_on_another_baton() {
    if !Command::new("python3")
        .args(["-c", "import boto3"])
        .status()
        .is_ok_and(|s| s.success())
    {
        return skip("python3 with boto3 is not installed");
    }
    let scratch = Scratch::new("aws-e2e-remote");
    let remote = Baton::start(
        &scratch.path("remote"),
        &scratch.path("remote.log"),
        &["--durability", "process"],
    );
    let config = scratch.path("baton.toml");
    std::fs::write(
        &config,
        format!(
            "[aws]\nregion = \"us-east-1\"\naccess-key-id = \"testing\"\nsecret-access-key = \"testing\"\npoll-seconds = 0.2\n\n[aws.endpoints]\nsfn = \"{}\"\n",
            remote.endpoint()
        ),
    )
    .expect("config");
    let baton = Baton::start(
        &scratch.path("data"),
        &scratch.path("baton.log"),
        &[
            "--config",
            config.to_str().expect("utf-8 path"),
            "--durability",
            "process",
        ],
    );
    let out = Command::new("python3")
        .arg(repo_root().join("tests/moto/e2e_remote_sfn.py"))
        .env("BATON_ENDPOINT", baton.endpoint())
        .env("REMOTE_ENDPOINT", remote.endpoint())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.trim_end().ends_with("ok"),
        "the script failed:\n{stdout}\n{}\n--- baton's log ---\n{}\n--- the remote's log ---\n{}",
        String::from_utf8_lossy(&out.stderr),
        baton.log_tail(),
        remote.log_tail()
    );
}
