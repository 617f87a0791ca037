//! What the AWS integration tests share: moto's server (started once per test binary by
//! `tests/moto/serve.py`), registries pointed at it, and task calls.
//!
//! Without moto the tests say so and pass, unless `BATON_E2E_REQUIRED=1` (as CI sets it),
//! when they fail instead.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use baton_asl::definition::Resource;
use baton_integrations::aws::settings::{Env, Resolved};
use baton_integrations::aws::{AwsSettings, client::Client};
use baton_integrations::{Functions, Registry, TaskCall, TaskOutcome};
use baton_json::Value;

/// A moto server; it stops when this process ends (its standard input closes).
pub struct Moto {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    _child: Mutex<Child>,
    _stdin: Mutex<ChildStdin>,
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn required() -> bool {
    std::env::var("BATON_E2E_REQUIRED").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// Says why a test is skipped, or fails it when the tests are required.
pub fn skip(why: &str) {
    assert!(!required(), "BATON_E2E_REQUIRED is set but {why}");
    let test = std::thread::current().name().unwrap_or("?").to_owned();
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {test}: {why} (set BATON_E2E_REQUIRED=1 to fail instead)"
    );
}

/// Starts a moto server with extra environment variables.
pub fn start_moto(env: &[(&str, &str)]) -> Result<Moto, String> {
    let script = repo_root().join("tests/moto/serve.py");
    let mut child = Command::new("python3")
        .arg(&script)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("python3 cannot be run ({e})"))?;
    let stdout = child.stdout.take().expect("piped");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(Duration::from_secs(60))
        .map_err(|_| "moto's server did not start within 60 s".to_owned())?;
    let Some(port) = line.trim().strip_prefix("ready ") else {
        let _ = child.kill();
        return Err(if line.contains("missing") {
            format!(
                "moto is not installed (python3 -m pip install 'moto[server]'): {}",
                line.trim()
            )
        } else {
            format!("moto's server did not start: {}", line.trim())
        });
    };
    let stdin = child.stdin.take().expect("piped");
    Ok(Moto {
        url: format!("http://127.0.0.1:{port}"),
        _child: Mutex::new(child),
        _stdin: Mutex::new(stdin),
    })
}

/// The moto server the tests of this binary share, or `None` (the test is skipped).
pub fn moto() -> Option<&'static Moto> {
    static MOTO: OnceLock<Result<Moto, String>> = OnceLock::new();
    match MOTO.get_or_init(|| start_moto(&[])) {
        Ok(m) => Some(m),
        Err(why) => {
            skip(why);
            None
        }
    }
}

/// No environment and no files: only the settings count.
pub struct NoEnv;

impl Env for NoEnv {
    fn var(&self, _: &str) -> Option<String> {
        None
    }
    fn read(&self, _: &Path) -> Option<String> {
        None
    }
    fn service_endpoints(&self) -> Vec<(String, String)> {
        Vec::new()
    }
}

/// Settings for `endpoint`, with test credentials and quick polls.
pub fn settings(endpoint: &str) -> AwsSettings {
    AwsSettings {
        region: Some("us-east-1".into()),
        endpoint_url: Some(endpoint.to_owned()),
        access_key_id: Some("testing".into()),
        secret_access_key: Some("testing".into()),
        poll_seconds: Some(0.1),
        ..AwsSettings::default()
    }
}

/// A client over `settings` alone (the process's environment ignored).
pub fn client(settings: &AwsSettings) -> Client {
    Client::new(Resolved::with_env(settings, &NoEnv))
}

/// A registry with the AWS integrations over `settings` alone, and local `functions`.
pub fn registry_with(settings: &AwsSettings, functions: Functions) -> Registry {
    // Registry::with_aws reads the environment too; the tests' environment has no AWS
    // settings, and the ones given here take precedence anyway.
    Registry::with_aws(functions, settings)
}

/// A registry pointed at `moto`.
pub fn registry(moto: &Moto) -> Registry {
    registry_with(&settings(&moto.url), Functions::none())
}

/// A task call of `resource` with `input`.
pub fn call(resource: &str, input: Value) -> TaskCall {
    TaskCall {
        resource: Resource::parse(resource).expect("a resource ARN"),
        purpose: Default::default(),
        input,
        token: None,
        state_name: "Task".into(),
        region: "us-east-1".into(),
        account: "123456789012".into(),
        execution_arn: format!(
            "arn:aws:states:us-east-1:123456789012:execution:m:{}",
            uuid()
        )
        .into(),
        work: 1,
        resumed: false,
        submission: None,
        credentials: None,
        submitted: None,
    }
}

/// Runs `resource` with `input` (JSON text).
pub async fn run(registry: &Registry, resource: &str, input: &str) -> TaskOutcome {
    registry.run(call(resource, json(input))).await
}

/// Runs and expects success.
pub async fn ok(registry: &Registry, resource: &str, input: &str) -> Value {
    match run(registry, resource, input).await {
        Ok(v) => v,
        Err(f) => panic!(
            "{resource} failed: {:?}: {:?}",
            f.error.as_deref(),
            f.cause.as_deref()
        ),
    }
}

/// A new S3 bucket, named afresh; its name.
pub async fn new_bucket(registry: &Registry) -> String {
    let bucket = format!("b{}", uuid());
    ok(
        registry,
        "arn:aws:states:::aws-sdk:s3:createBucket",
        &format!(r#"{{"Bucket":"{bucket}"}}"#),
    )
    .await;
    bucket
}

/// JSON text as a value.
pub fn json(text: &str) -> Value {
    Value::from_json_str(text).unwrap_or_else(|e| panic!("bad JSON in a test ({e}): {text}"))
}

/// A fresh name.
pub fn uuid() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{:x}{}", nanos, N.fetch_add(1, Ordering::Relaxed))
}

/// A conformance case recorded against AWS, when the corpus is at hand.
pub fn conformance_case(name_part: &str) -> Option<serde_json::Value> {
    let dir = std::env::var("BATON_CONFORMANCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| repo_root().join("../shared/conformance"))
        .join("tier3_services");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        let _ = writeln!(
            std::io::stderr(),
            "the conformance corpus is not at {}: its recorded expectations are not compared",
            dir.display()
        );
        return None;
    };
    let path = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().contains(name_part))?;
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

/// `cause` matches `pattern` where `<request_id>` stands for any request id.
pub fn matches_cause(cause: &str, pattern: &str) -> bool {
    let Some((before, after)) = pattern.split_once("<request_id>") else {
        return cause == pattern;
    };
    cause.starts_with(before) && cause.ends_with(after) && cause.len() > before.len() + after.len()
}

/// Runs a recorded case whose definition is a chain of Task states with `Parameters` of
/// plain `$.a.b` paths and `ResultPath`s of one field, as Step Functions would; returns
/// the execution's output, or the first task's error and cause.
pub async fn replay(
    registry: &Registry,
    definition: &serde_json::Value,
    input: serde_json::Value,
) -> Result<serde_json::Value, (String, String)> {
    let states = &definition["States"];
    let mut name = definition["StartAt"].as_str().expect("StartAt").to_owned();
    let mut data = input;
    loop {
        let state = &states[&name];
        assert_eq!(state["Type"], "Task", "replay runs Task states only");
        let params = resolve(&state["Parameters"], &data);
        let out = registry
            .run(call(
                state["Resource"].as_str().expect("Resource"),
                Value::from(params),
            ))
            .await
            .map_err(|f| {
                (
                    f.error.as_deref().unwrap_or_default().to_owned(),
                    f.cause.as_deref().unwrap_or_default().to_owned(),
                )
            })?
            .to_serde();
        match state["ResultPath"].as_str() {
            Some(path) => {
                let field = path.strip_prefix("$.").expect("a ResultPath of one field");
                data[field] = out;
            }
            None => data = out,
        }
        match state["Next"].as_str() {
            Some(next) => name = next.to_owned(),
            None => return Ok(data),
        }
    }
}

fn resolve(template: &serde_json::Value, data: &serde_json::Value) -> serde_json::Value {
    match template {
        serde_json::Value::Object(m) => {
            let mut out = serde_json::Map::new();
            for (k, v) in m {
                match (k.strip_suffix(".$"), v.as_str()) {
                    (Some(key), Some(path)) => {
                        let fields = path.strip_prefix("$.").expect("a path of fields");
                        let value = fields.split('.').fold(data, |d, f| &d[f]);
                        out.insert(key.to_owned(), value.clone());
                    }
                    _ => {
                        out.insert(k.clone(), resolve(v, data));
                    }
                }
            }
            serde_json::Value::Object(out)
        }
        other => other.clone(),
    }
}

/// `value` without the members AWS's recordings do not compare (`SdkHttpMetadata`,
/// `SdkResponseMetadata`), anywhere in it.
pub fn without_metadata(value: &serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(m) => serde_json::Value::Object(
            m.iter()
                .filter(|(k, _)| *k != "SdkHttpMetadata" && *k != "SdkResponseMetadata")
                .map(|(k, v)| (k.clone(), without_metadata(v)))
                .collect(),
        ),
        serde_json::Value::Array(a) => a.iter().map(without_metadata).collect(),
        other => other.clone(),
    }
}
