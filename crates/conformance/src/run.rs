//! Running one case and judging the result.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use baton_asl::definition::{MachineType, ParseOptions, parse};
use baton_engine::{ExecutionInfo, Millis, Program, Status};
use baton_integrations::aws::AwsSettings;
use baton_integrations::{FunctionSpec, Functions, Registry};
use baton_json::Value;
use baton_runtime::{Clock, RunOptions, run_to_end};
use serde_json::Value as Json;

use crate::case::Case;
use crate::compare::{Rules, diff, history_diff};

/// The judgement on one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Baton did what AWS did.
    Pass,
    /// It did not; the reason says how.
    Fail(String),
    /// The case needs something this runner does not provide.
    Skip(String),
}

/// What cases run with: a scratch directory for Lambda handlers and the Python to run
/// them.
#[derive(Debug, Clone)]
pub struct Environment {
    /// Scratch space (handlers are written below it).
    pub work_dir: PathBuf,
    /// The Python interpreter for Lambda handlers.
    pub python: String,
    /// The warm Python process serving the handlers (started on first use).
    server: Arc<OnceLock<Result<LambdaServer, String>>>,
    /// An AWS-compatible endpoint for tier 3 cases (S3 ones); without it they are
    /// skipped.
    aws: Option<AwsSettings>,
}

/// A `lambda_server.py` process and its port; stopped when dropped.
#[derive(Debug)]
struct LambdaServer {
    child: std::sync::Mutex<std::process::Child>,
    port: u16,
}

impl Drop for LambdaServer {
    fn drop(&mut self) {
        if let Ok(mut c) = self.child.lock() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

const LAMBDA_SERVER: &str = include_str!("lambda_server.py");

/// The account and region cases are run in, as the recorder normalised them.
const ACCOUNT: &str = "111111111111";
const REGION: &str = "us-east-1";

impl Environment {
    /// A scratch directory of its own under the system's temporary directory.
    pub fn new() -> std::io::Result<Environment> {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let work_dir =
            std::env::temp_dir().join(format!("baton-conformance-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&work_dir)?;
        std::fs::write(work_dir.join("lambda_server.py"), LAMBDA_SERVER)?;
        Ok(Environment {
            work_dir,
            python: std::env::var("BATON_PYTHON").unwrap_or_else(|_| "python3".into()),
            server: Arc::new(OnceLock::new()),
            aws: None,
        })
    }

    /// Runs the cases that need S3 with the AWS integrations over `settings` (an
    /// AWS-compatible endpoint where each case's resources were set up).
    pub fn with_aws(mut self, settings: AwsSettings) -> Environment {
        self.aws = Some(settings);
        self
    }

    /// Starts the Lambda handlers' server now rather than at the first case that needs
    /// it, so that no case's task counts the interpreter's start in its time (cases with
    /// a one-second TimeoutSeconds or HeartbeatSeconds would time out on a slow start).
    pub fn warm_up(&self) -> std::io::Result<()> {
        self.server_port().map(|_| ())
    }

    /// The port of the handlers' server, started on first use.
    fn server_port(&self) -> std::io::Result<u16> {
        let started = self.server.get_or_init(|| {
            let mut child = std::process::Command::new(&self.python)
                .arg(self.work_dir.join("lambda_server.py"))
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::inherit())
                .spawn()
                .map_err(|e| format!("cannot start {}: {e}", self.python))?;
            let mut line = String::new();
            if let Some(out) = child.stdout.as_mut() {
                let _ = std::io::BufRead::read_line(&mut std::io::BufReader::new(out), &mut line);
            }
            let port = line.trim().parse::<u16>().map_err(|_| {
                let _ = child.kill();
                format!("the Lambda handlers' server did not start ({line:?})")
            })?;
            Ok(LambdaServer {
                child: std::sync::Mutex::new(child),
                port,
            })
        });
        started
            .as_ref()
            .map(|s| s.port)
            .map_err(|e| std::io::Error::other(e.clone()))
    }

    fn lambda_functions(&self, case: &Case) -> std::io::Result<Functions> {
        let mut specs = HashMap::new();
        let dir = self.work_dir.join(case.name());
        for need in case.needs.iter().filter(|n| n.kind == "lambda") {
            let (Some(name), Some(source)) = (&need.name, &need.handler_source) else {
                continue;
            };
            let fn_dir = dir.join(name);
            std::fs::create_dir_all(&fn_dir)?;
            let handler = fn_dir.join("handler.py");
            std::fs::write(&handler, source)?;
            let port = self.server_port()?;
            let query: String = url_query(&[("handler", &path_text(&handler)), ("name", name)]);
            specs.insert(
                name.clone(),
                FunctionSpec::Url {
                    url: format!("http://127.0.0.1:{port}/?{query}"),
                },
            );
        }
        Ok(Functions::from_specs(specs, dir))
    }
}

/// `k=v&...` with the values percent-encoded.
fn url_query(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            let encoded: String = v
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect();
            format!("{k}={encoded}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn path_text(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// Runs one case.
pub async fn run_case(case: &Case, env: &Environment) -> Verdict {
    if case.tier == "validation" {
        return run_validation(case);
    }
    run_execution(case, env).await
}

fn machine_type(t: Option<&str>) -> MachineType {
    match t {
        Some("EXPRESS") => MachineType::Express,
        _ => MachineType::Standard,
    }
}

fn run_validation(case: &Case) -> Verdict {
    let options = ParseOptions {
        machine_type: machine_type(case.state_machine_type.as_deref()),
    };
    let parsed = parse(&Value::from(case.definition.clone()), options);
    if !parsed.diagnostics.has_errors() {
        return Verdict::Fail("accepted a definition AWS rejects".into());
    }
    let actual = parsed.diagnostics.aws_message();
    match case.expected.get("message").and_then(Json::as_str) {
        Some(expected) if expected != actual => Verdict::Fail(format!(
            "message differs:\n  expected {expected}\n  actual   {actual}"
        )),
        _ => Verdict::Pass,
    }
}

async fn run_execution(case: &Case, env: &Environment) -> Verdict {
    if let Some(need) = case
        .needs
        .iter()
        .find(|n| n.kind != "lambda" && !(env.aws.is_some() && n.is_s3()))
    {
        return Verdict::Skip(format!("needs {}", need.kind));
    }
    let settings = case.execution.as_ref();
    let options = ParseOptions {
        machine_type: machine_type(settings.and_then(|s| s.machine_type.as_deref())),
    };
    let machine = match parse(&Value::from(case.definition.clone()), options).valid() {
        Ok(m) => m,
        Err(d) => return Verdict::Fail(format!("definition rejected: {}", d.aws_message())),
    };
    let functions = match env.lambda_functions(case) {
        Ok(f) => f,
        Err(e) => return Verdict::Skip(format!("cannot write the Lambda handlers: {e}")),
    };
    let start = case
        .recorded_now()
        .and_then(baton_asl::timestamp::parse)
        .map(Millis::from_datetime)
        .unwrap_or_else(|| Clock::real().now());
    let machine_name = settings.map_or("machine", |s| s.state_machine_name.as_str());
    let exec_name = settings.map_or("execution", |s| s.execution_name.as_str());
    let mut info = ExecutionInfo::local(
        machine_name,
        exec_name,
        Value::from(case.input.clone()),
        start,
    );
    info.execution_arn = match options.machine_type {
        // Express executions have their own ARN form, with a run id after the name.
        MachineType::Express => format!(
            "arn:aws:states:{REGION}:{ACCOUNT}:express:{machine_name}:{exec_name}:{}",
            run_id(exec_name)
        ),
        MachineType::Standard => {
            format!("arn:aws:states:{REGION}:{ACCOUNT}:execution:{machine_name}:{exec_name}")
        }
    }
    .into();
    info.state_machine_arn =
        format!("arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{machine_name}").into();
    if let Some(role) = settings.and_then(|s| s.role_arn.as_deref()) {
        info.role_arn = role.into();
    }
    let registry = match &env.aws {
        Some(settings) => Registry::with_aws(functions, settings),
        None => Registry::new(functions),
    };
    let result = run_to_end(
        Program::new(machine),
        info,
        &registry,
        RunOptions {
            clock: Clock::starting_at(start),
            record_history: true,
        },
    )
    .await;
    judge(case, &result.status, &result.history)
}

fn judge(case: &Case, status: &Status, history: &[baton_engine::HistoryEvent]) -> Verdict {
    let unverified = case.unverified_members();
    let markers: &[(&str, &str)] = if case.has_note("nondeterministic_functions:States.MathRandom")
    {
        &[("RandomNumberGenerated", "number")]
    } else {
        &[]
    };
    let rules = Rules {
        placeholders: &case.placeholders,
        unverified: &unverified,
        markers,
    };
    let expected_status = case
        .expected
        .get("status")
        .and_then(Json::as_str)
        .unwrap_or("");
    if status.as_str() != expected_status {
        return Verdict::Fail(format!(
            "status {} (expected {expected_status}){}",
            status.as_str(),
            describe(status)
        ));
    }
    let rewrite = |text: &str| -> String {
        case.deviation
            .rewrite
            .iter()
            .fold(text.to_owned(), |t, (moto, aws)| {
                t.replace(moto.as_str(), aws)
            })
    };
    match status {
        Status::Succeeded(output) => {
            let output = if case.deviation.rewrite.is_empty() {
                output.to_serde()
            } else {
                serde_json::from_str(&rewrite(&output.to_json_string()))
                    .unwrap_or_else(|_| output.to_serde())
            };
            if !case.has_note("output_not_json")
                && let Some(expected) = case.expected.get("output")
                && let Some(d) = diff(expected, &output, "/output", &rules)
            {
                return Verdict::Fail(d);
            }
        }
        Status::Failed(f) | Status::TimedOut(f) | Status::Aborted(f) => {
            let expected_error = case.expected.get("error").and_then(Json::as_str);
            if expected_error != f.error.as_deref() {
                return Verdict::Fail(format!(
                    "error {:?} (expected {expected_error:?}); cause {:?}",
                    f.error, f.cause
                ));
            }
            if let Some(expected_cause) = case.expected.get("cause") {
                let cause = f.cause.as_deref().map(rewrite);
                let actual = match (&cause, case.has_note("cause_is_json")) {
                    (Some(c), true) => {
                        serde_json::from_str(c).unwrap_or(Json::String(c.to_string()))
                    }
                    (Some(c), false) => Json::String(c.clone()),
                    (None, _) => Json::Null,
                };
                if let Some(d) = diff(expected_cause, &actual, "/cause", &rules) {
                    return Verdict::Fail(d);
                }
            } else if f.cause.is_some() {
                return Verdict::Fail(format!("cause {:?} where AWS gave none", f.cause));
            }
        }
        Status::Running => return Verdict::Fail("still running".into()),
    }
    if let Some(expected) = &case.history_types {
        let actual: Vec<&str> = history.iter().map(|e| e.event_type.as_str()).collect();
        let exact = case.history_types_exact.unwrap_or(true);
        if let Some(d) = history_diff(expected, &actual, exact) {
            return Verdict::Fail(d);
        }
    }
    Verdict::Pass
}

/// A stable id for an Express run, derived from the execution's name.
fn run_id(name: &str) -> String {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut h = DefaultHasher::new();
    name.hash(&mut h);
    let a = h.finish();
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        (a >> 32) as u32,
        (a >> 16) as u16,
        a as u16,
        (a >> 48) as u16,
        a & 0xffff_ffff_ffff
    )
}

fn describe(status: &Status) -> String {
    match status {
        Status::Failed(f) | Status::TimedOut(f) | Status::Aborted(f) => {
            format!(": {:?}: {:?}", f.error, f.cause)
        }
        Status::Succeeded(v) => format!(": {}", v.to_json_string()),
        Status::Running => String::new(),
    }
}
