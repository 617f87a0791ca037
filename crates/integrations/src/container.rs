//! Work on this host without AWS: Baton's own task resources.
//!
//! - `arn:baton:command:::run` runs a program: `Command` (`[program, arg, ...]`, required),
//!   `Environment` (an object of variables, added to Baton's), `WorkingDirectory`, `Input`
//!   (written to standard input: a string as it is, anything else as JSON text).
//! - `arn:baton:container:::run` runs a container image with docker or podman (the first
//!   on the `PATH`, or the one configured): `Image` (required), `Command` (the container's
//!   command and arguments), `Entrypoint`, `Environment`, `WorkingDirectory` (inside the
//!   container), `Input`.
//!
//! Both wait for the process to end (as request-response or `.sync`; `.sync` also mints a
//! task token and records `TaskSubmitted`). The process sees `BATON_EXECUTION_ARN`,
//! `BATON_STATE_NAME` and, for `.sync`, `BATON_TASK_TOKEN` (to send heartbeats). The result
//! is `{ExitCode, Stdout, Stderr}`: each output keeps at most 64 KiB (the start of standard
//! output, the end of standard error; `StdoutTruncated`/`StderrTruncated` say when cut);
//! `StdoutFormat: "JSON"` parses standard output. A non-zero exit fails the task with
//! `Baton.ExitCode.N` (`Baton.Signal.N` when a signal killed it) and the result as the
//! cause.
//!
//! Dropping the task's future stops the work (TimeoutSeconds and HeartbeatSeconds, which
//! the engine enforces, end it so): a command's whole process group gets SIGTERM, then
//! SIGKILL 5 seconds later; a container gets `docker stop` (SIGTERM, SIGKILL after 10 s).
//! Running commands and containers from definitions is running code on the host: a server
//! allows it only when told to.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use baton_asl::definition::{IntegrationPattern, Resource};
use baton_json::{Map, Str, Value};
use tokio::io::AsyncWriteExt;

use crate::http::encode;
use crate::processes::{process_slot, read_head, read_tail};
use crate::{BoxFuture, Integration, TaskCall, TaskFailure, TaskOutcome};

/// The most kept of each of standard output and standard error.
const MAX_OUTPUT_BYTES: usize = 64 * 1024;

/// How long a stopped command has between SIGTERM and SIGKILL.
const COMMAND_GRACE: Duration = Duration::from_secs(5);

/// How long a stopped container has between SIGTERM and SIGKILL (`docker stop -t`).
const CONTAINER_GRACE_SECONDS: u32 = 10;

/// What the host allows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcessSettings {
    /// `arn:baton:command:::run` runs programs.
    pub commands: bool,
    /// `arn:baton:container:::run` runs containers.
    pub containers: bool,
    /// The container engine's program (`docker`, `podman`, or a path); `None`: the first
    /// of docker and podman on the `PATH`.
    pub container_engine: Option<String>,
}

/// Runs `arn:baton:command:::run` and `arn:baton:container:::run` tasks.
#[derive(Debug, Clone, Default)]
pub struct Processes {
    settings: ProcessSettings,
}

impl Processes {
    /// The resources as `settings` allow them.
    pub fn new(settings: ProcessSettings) -> Processes {
        Processes { settings }
    }

    /// Both allowed, the container engine found on the `PATH` (for `baton run`, where the
    /// user runs their own definition).
    pub fn enabled() -> Processes {
        Processes::new(ProcessSettings {
            commands: true,
            containers: true,
            container_engine: None,
        })
    }

    /// Neither allowed: such tasks fail, saying how to allow them.
    pub fn disabled() -> Processes {
        Processes::default()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Command,
    Container,
}

impl Kind {
    fn of(resource: &Resource) -> Option<Kind> {
        match resource {
            Resource::Service {
                service,
                action,
                pattern,
                ..
            } if action == "run" && *pattern != IntegrationPattern::WaitForTaskToken => {
                match service.as_str() {
                    "baton:command" => Some(Kind::Command),
                    "baton:container" => Some(Kind::Container),
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

impl Integration for Processes {
    fn handles(&self, resource: &Resource) -> bool {
        Kind::of(resource).is_some()
    }

    fn run(&self, call: TaskCall) -> BoxFuture<TaskOutcome> {
        let settings = self.settings.clone();
        Box::pin(async move {
            let Some(kind) = Kind::of(&call.resource) else {
                return Err(invalid("not a Baton process resource"));
            };
            let (allowed, setting) = match kind {
                Kind::Command => (settings.commands, "allow-commands"),
                Kind::Container => (settings.containers, "allow-containers"),
            };
            if !allowed {
                return Err(invalid(format!(
                    "{} is not allowed on this server: it runs code on the host (the setting {setting} allows it)",
                    call.resource.arn()
                )));
            }
            let spec = Spec::parse(&call.input, kind)?;
            match kind {
                Kind::Command => run_command(spec, call).await,
                Kind::Container => {
                    let engine = match &settings.container_engine {
                        Some(e) => e.clone(),
                        None => find_engine().ok_or_else(|| {
                            TaskFailure::new(
                                "States.TaskFailed",
                                "No container engine: neither docker nor podman is on the PATH",
                            )
                        })?,
                    };
                    run_container(&engine, spec, call).await
                }
            }
        })
    }
}

fn invalid(message: impl Into<String>) -> TaskFailure {
    TaskFailure::new("States.Runtime", message.into())
}

/// A task's parameters, checked.
struct Spec {
    command: Vec<String>,
    image: Option<String>,
    entrypoint: Option<String>,
    env: Vec<(String, String)>,
    cwd: Option<String>,
    input: Option<Vec<u8>>,
    stdout_json: bool,
}

fn field<'a>(input: &'a Value, name: &str) -> Option<&'a Value> {
    input.get(name).filter(|v| !v.is_null())
}

fn string(input: &Value, name: &str) -> Result<Option<String>, TaskFailure> {
    match field(input, name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.to_string())),
        Some(_) => Err(invalid(format!("The field '{name}' must be a string"))),
    }
}

impl Spec {
    fn parse(input: &Value, kind: Kind) -> Result<Spec, TaskFailure> {
        let what = match kind {
            Kind::Command => "arn:baton:command:::run",
            Kind::Container => "arn:baton:container:::run",
        };
        if !input.is_object() {
            return Err(invalid(format!(
                "The parameters of {what} must be an object"
            )));
        }
        let command = match field(input, "Command") {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| match i {
                    Value::String(s) => Ok(s.to_string()),
                    Value::Number(_) | Value::Bool(_) => Ok(i.to_json_string()),
                    _ => Err(invalid("The field 'Command' must be an array of strings")),
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(invalid("The field 'Command' must be an array of strings")),
        };
        if kind == Kind::Command && command.is_empty() {
            return Err(invalid(format!(
                "The field 'Command' is required by {what}: [program, argument, ...]"
            )));
        }
        let image = string(input, "Image")?;
        if kind == Kind::Container && image.as_deref().is_none_or(str::is_empty) {
            return Err(invalid(format!("The field 'Image' is required by {what}")));
        }
        if image.as_deref().is_some_and(|i| i.starts_with('-')) {
            return Err(invalid("The field 'Image' cannot start with '-'"));
        }
        let mut env = Vec::new();
        match field(input, "Environment") {
            None => {}
            Some(Value::Object(vars)) => {
                for (k, v) in vars.iter() {
                    if k.is_empty() || k.contains('=') || k.contains('\0') {
                        return Err(invalid(format!(
                            "'{k}' cannot be the name of an environment variable"
                        )));
                    }
                    let v = encode::text(v);
                    if v.contains('\0') {
                        return Err(invalid(format!(
                            "The environment variable '{k}' cannot hold a NUL character"
                        )));
                    }
                    env.push((k.to_string(), v));
                }
            }
            Some(_) => return Err(invalid("The field 'Environment' must be an object")),
        }
        let input_bytes = field(input, "Input").map(|v| encode::text(v).into_bytes());
        let stdout_json = match string(input, "StdoutFormat")?.as_deref() {
            None | Some("TEXT") => false,
            Some("JSON") => true,
            Some(other) => {
                return Err(invalid(format!(
                    "The StdoutFormat '{other}' is not supported: TEXT or JSON"
                )));
            }
        };
        Ok(Spec {
            command,
            image,
            entrypoint: match kind {
                Kind::Container => string(input, "Entrypoint")?,
                Kind::Command => None,
            },
            env,
            cwd: string(input, "WorkingDirectory")?,
            input: input_bytes,
            stdout_json,
        })
    }
}

/// The variables Baton gives every process.
fn baton_env(call: &TaskCall) -> Vec<(String, String)> {
    let mut env = vec![
        (
            "BATON_EXECUTION_ARN".to_owned(),
            call.execution_arn.to_string(),
        ),
        ("BATON_STATE_NAME".to_owned(), call.state_name.to_string()),
    ];
    if let Some(t) = &call.token {
        env.push(("BATON_TASK_TOKEN".to_owned(), t.to_string()));
    }
    env
}

async fn run_command(spec: Spec, call: TaskCall) -> TaskOutcome {
    let mut cmd = tokio::process::Command::new(&spec.command[0]);
    cmd.args(&spec.command[1..]);
    for (k, v) in baton_env(&call).into_iter().chain(spec.env.iter().cloned()) {
        cmd.env(k, v);
    }
    if let Some(dir) = &spec.cwd {
        cmd.current_dir(dir);
    }
    let program = spec.command[0].clone();
    let stopper = |pid: Option<u32>| Stopper::Command { group: pid };
    run_process(cmd, &program, spec, &call, stopper, |pid| {
        let mut m = Map::default();
        if let Some(pid) = pid {
            m.insert("ProcessId".into(), Value::from(u64::from(pid)));
        }
        Value::object(m)
    })
    .await
}

async fn run_container(engine: &str, spec: Spec, call: TaskCall) -> TaskOutcome {
    let name = container_name(&call);
    if call.resumed {
        // What a dispatch before a restart started: it is started again, afresh.
        let _ = tokio::process::Command::new(engine)
            .args(["rm", "-f", &name])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .await;
    }
    let mut cmd = tokio::process::Command::new(engine);
    cmd.args(["run", "--rm", "--name", &name]);
    if spec.input.is_some() {
        cmd.arg("-i");
    }
    if let Some(e) = &spec.entrypoint {
        cmd.args(["--entrypoint", e]);
    }
    if let Some(dir) = &spec.cwd {
        cmd.args(["--workdir", dir]);
    }
    // Values reach the container through the engine client's environment (`-e NAME`),
    // not its command line, where other users of the host could read them.
    for (k, v) in baton_env(&call).into_iter().chain(spec.env.iter().cloned()) {
        cmd.arg("-e").arg(&k);
        cmd.env(k, v);
    }
    let image = spec.image.clone().unwrap_or_default();
    cmd.arg(&image).args(&spec.command);
    let engine_owned = engine.to_owned();
    let name2 = name.clone();
    let stopper = move |pid: Option<u32>| Stopper::Container {
        engine: engine_owned.clone(),
        name: name2.clone(),
        group: pid,
    };
    run_process(cmd, engine, spec, &call, stopper, |pid| {
        let mut m = Map::default();
        m.insert("ContainerName".into(), Value::from(name.as_str()));
        m.insert("Image".into(), Value::from(image.as_str()));
        if let Some(pid) = pid {
            m.insert("ProcessId".into(), Value::from(u64::from(pid)));
        }
        Value::object(m)
    })
    .await
}

/// A container name for the task: the same for every dispatch of it.
fn container_name(call: &TaskCall) -> String {
    // FNV-1a, 64 bits: stable across runs and versions.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in call.execution_arn.bytes().chain(call.work.to_be_bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("baton-{h:016x}")
}

/// The first of docker and podman on the `PATH`.
fn find_engine() -> Option<String> {
    let path = std::env::var_os("PATH")?;
    ["docker", "podman"].into_iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|p| is_executable(p))
            .map(|_| name.to_owned())
    })
}

fn is_executable(p: &Path) -> bool {
    p.is_file()
}

async fn run_process(
    mut cmd: tokio::process::Command,
    program: &str,
    spec: Spec,
    call: &TaskCall,
    stopper: impl Fn(Option<u32>) -> Stopper,
    submitted: impl Fn(Option<u32>) -> Value,
) -> TaskOutcome {
    cmd.stdin(if spec.input.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    // On Unix the process leads a group of its own, which the guard stops (SIGTERM first);
    // elsewhere it is killed when dropped.
    #[cfg(unix)]
    cmd.process_group(0);
    #[cfg(not(unix))]
    cmd.kill_on_drop(true);
    // Held until the process is done with (dropping this future stops it).
    let _slot = process_slot().await;
    let mut child = cmd.spawn().map_err(|e| {
        TaskFailure::new(
            "States.TaskFailed",
            format!("Cannot start '{program}': {e}"),
        )
    })?;
    let pid = child.id();
    // From here, dropping this future stops the work.
    let mut guard = Guard(Some(stopper(pid)));
    if call.resource.pattern() == IntegrationPattern::Sync
        && let Some(report) = &call.submitted
    {
        report(submitted(pid)).await;
    }
    let stdin = child.stdin.take();
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let writer = async move {
        if let (Some(mut w), Some(bytes)) = (stdin, spec.input) {
            // A process may exit without reading all of it.
            let _ = w.write_all(&bytes).await;
        }
    };
    let out_reader = tokio::spawn(read_head(stdout, MAX_OUTPUT_BYTES));
    let err_reader = tokio::spawn(read_tail(stderr, MAX_OUTPUT_BYTES));
    let ((), status) = tokio::join!(writer, child.wait());
    let status = status.map_err(|e| {
        TaskFailure::new(
            "States.TaskFailed",
            format!("Cannot wait for '{program}': {e}"),
        )
    })?;
    // The process has ended; what it left running in its group is stopped, so that the
    // outputs close.
    if let Some(s) = guard.0.take() {
        s.after_exit().await;
    }
    let (stdout, out_cut) = out_reader.await.unwrap_or_default();
    let (stderr, err_cut) = err_reader.await.unwrap_or_default();

    let stdout_text = String::from_utf8_lossy(&stdout).into_owned();
    let parsed = spec.stdout_json.then(|| Value::from_json_str(&stdout_text));
    let mut out = Map::default();
    out.insert(
        "ExitCode".into(),
        status
            .code()
            .map(|c| Value::from(i64::from(c)))
            .unwrap_or(Value::Null),
    );
    out.insert(
        "Stdout".into(),
        match &parsed {
            Some(Ok(v)) => v.clone(),
            _ => Value::from(stdout_text.as_str()),
        },
    );
    out.insert(
        "Stderr".into(),
        Value::from(String::from_utf8_lossy(&stderr).into_owned()),
    );
    if out_cut {
        out.insert("StdoutTruncated".into(), Value::from(true));
    }
    if err_cut {
        out.insert("StderrTruncated".into(), Value::from(true));
    }
    let out = Value::object(out);
    if !status.success() {
        let error = match status.code() {
            Some(c) => format!("Baton.ExitCode.{c}"),
            None => format!("Baton.Signal.{}", signal(&status).unwrap_or(0)),
        };
        return Err(TaskFailure {
            error: Some(Str::from(error)),
            cause: Some(Str::from(out.to_json_string())),
        });
    }
    if let Some(Err(e)) = parsed {
        return Err(TaskFailure::new(
            "States.TaskFailed",
            format!("The standard output of '{program}' is not JSON: {e}"),
        ));
    }
    Ok(out)
}

#[cfg(unix)]
fn signal(status: &std::process::ExitStatus) -> Option<i32> {
    std::os::unix::process::ExitStatusExt::signal(status)
}

#[cfg(not(unix))]
fn signal(_: &std::process::ExitStatus) -> Option<i32> {
    None
}

/// How to stop a running task's process.
enum Stopper {
    Command {
        group: Option<u32>,
    },
    Container {
        engine: String,
        name: String,
        group: Option<u32>,
    },
}

impl Stopper {
    /// After the main process ended by itself: what is left of its group is stopped.
    async fn after_exit(self) {
        let group = match &self {
            Stopper::Command { group } | Stopper::Container { group, .. } => *group,
        };
        if let Some(g) = group {
            let _ = tokio::task::spawn_blocking(move || stop_group(g, COMMAND_GRACE)).await;
        }
    }

    /// Stops the work, in a thread of its own (this runs when a task's future is dropped,
    /// perhaps while the async runtime shuts down). A command's group gets SIGTERM here and
    /// now, so that even a process about to exit has sent it; the thread waits out the
    /// grace before SIGKILL. [`stops_pending`] counts the threads still at it.
    fn stop_detached(self) {
        if let Stopper::Command { group: Some(g) } = &self {
            signal_group(*g, false);
        }
        STOPS_PENDING.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let spawned = std::thread::Builder::new()
            .name("baton-stop".into())
            .spawn(move || {
                self.stop_blocking();
                STOPS_PENDING.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
            });
        if spawned.is_err() {
            STOPS_PENDING.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
        }
    }

    fn stop_blocking(self) {
        match self {
            Stopper::Command { group } => {
                if let Some(g) = group {
                    stop_group(g, COMMAND_GRACE);
                }
            }
            Stopper::Container {
                engine,
                name,
                group,
            } => {
                let _ = std::process::Command::new(&engine)
                    .args([
                        "stop",
                        "--time",
                        &CONTAINER_GRACE_SECONDS.to_string(),
                        &name,
                    ])
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status();
                if let Some(g) = group {
                    stop_group(g, COMMAND_GRACE);
                }
            }
        }
    }
}

static STOPS_PENDING: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// How many stopped commands and containers are still being stopped (waiting out their
/// grace before SIGKILL): a process that exits should wait for none to be left.
pub fn stops_pending() -> usize {
    STOPS_PENDING.load(std::sync::atomic::Ordering::SeqCst)
}

/// Stops the work unless disarmed (taken) first.
struct Guard(Option<Stopper>);

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(s) = self.0.take() {
            s.stop_detached();
        }
    }
}

/// SIGTERM (or SIGKILL) to the process group `group`; `false` when it is gone.
#[cfg(unix)]
fn signal_group(group: u32, kill: bool) -> bool {
    use rustix::process::{Pid, Signal, kill_process_group};
    let Some(pid) = i32::try_from(group).ok().and_then(Pid::from_raw) else {
        return false;
    };
    kill_process_group(pid, if kill { Signal::KILL } else { Signal::TERM }).is_ok()
}

#[cfg(not(unix))]
fn signal_group(_group: u32, _kill: bool) -> bool {
    false
}

/// SIGTERM to the process group `group`, then SIGKILL if any of it is left after `grace`.
#[cfg(unix)]
fn stop_group(group: u32, grace: Duration) {
    use rustix::process::{Pid, test_kill_process_group};
    let Some(pid) = i32::try_from(group).ok().and_then(Pid::from_raw) else {
        return;
    };
    if !signal_group(group, false) {
        return;
    }
    let deadline = std::time::Instant::now() + grace;
    while std::time::Instant::now() < deadline {
        if test_kill_process_group(pid).is_err() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    signal_group(group, true);
}

#[cfg(not(unix))]
fn stop_group(_group: u32, _grace: Duration) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn outputs_keep_their_head_and_tail() {
        let data: &[u8] = b"0123456789";
        assert_eq!(read_head(Some(data), 4).await, (b"0123".to_vec(), true));
        assert_eq!(read_tail(Some(data), 4).await, (b"6789".to_vec(), true));
        assert_eq!(read_head(Some(data), 10).await, (data.to_vec(), false));
        assert_eq!(read_tail(Some(data), 10).await, (data.to_vec(), false));
    }
}
