//! `baton run`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use baton_asl::definition::{MachineType, ParseOptions};
use baton_engine::{ExecutionInfo, Program, Status};
use baton_integrations::mock::{MockConfig, Mocked};
use baton_integrations::{
    ConnectionSpec, Connections, Functions, Http, ProcessSettings, Processes, Registry,
};
use baton_json::{Map, Value};
use baton_runtime::{Clock, RunOptions, run_to_end};
use clap::Args;

use crate::definition;

/// Arguments of `baton run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The definition (JSON or YAML; `-` for stdin).
    definition: PathBuf,
    /// The execution input, as JSON text (default `{}`).
    #[arg(long, conflicts_with = "input_file")]
    input: Option<String>,
    /// A file holding the execution input (`-` for stdin).
    #[arg(long)]
    input_file: Option<PathBuf>,
    /// A functions file mapping Lambda function names to local commands or URLs.
    #[arg(long)]
    functions: Option<PathBuf>,
    /// The execution's name (default: a random UUID).
    #[arg(long)]
    name: Option<String>,
    /// The state machine's name (default: the file's name without extension).
    #[arg(long)]
    state_machine_name: Option<String>,
    /// The execution role's ARN (`$$.Execution.RoleArn`).
    #[arg(long)]
    role_arn: Option<String>,
    /// The largest state input or output, in bytes (AWS: 262144).
    #[arg(long, default_value_t = 262_144)]
    max_payload_bytes: usize,
    /// The most history events the execution may have; 0: no bound (AWS: 25000).
    #[arg(long, default_value_t = baton_engine::AWS_MAX_HISTORY_EVENTS)]
    max_history_events: u64,
    /// Run as an Express state machine.
    #[arg(long)]
    express: bool,
    /// Print one JSON object on stdout: status, output or error and cause.
    #[arg(long)]
    json: bool,
    /// With --json, add the execution history as AWS's GetExecutionHistory shows it.
    #[arg(long)]
    history: bool,
    #[command(flatten)]
    aws: crate::serve::AwsArgs,
    /// Connections for HTTP Tasks: a TOML file with `[connections.NAME]` tables, as in the
    /// server's settings (other keys are ignored).
    #[arg(long)]
    connections: Option<PathBuf>,
    /// Let arn:baton:command:::run tasks run programs.
    #[arg(long)]
    allow_commands: bool,
    /// Let arn:baton:container:::run tasks run containers (docker or podman, or the program
    /// BATON_CONTAINER_ENGINE names).
    #[arg(long)]
    allow_containers: bool,
    /// A mock configuration file (Step Functions Local's MockConfigFile), with --test-case.
    #[arg(long, requires = "test_case")]
    mock_config: Option<PathBuf>,
    /// The test case to run: its mocked states answer from the mock configuration (the
    /// state machine's name is --state-machine-name's).
    #[arg(long, requires = "mock_config")]
    test_case: Option<String>,
}

pub fn main(args: RunArgs) -> anyhow::Result<ExitCode> {
    let options = ParseOptions {
        machine_type: if args.express {
            MachineType::Express
        } else {
            MachineType::Standard
        },
    };
    let (_, parsed) = definition::load(&args.definition, options)?;
    if parsed.diagnostics.has_errors() {
        definition::print_diagnostics(&args.definition, &parsed);
        eprintln!("baton: {}", parsed.diagnostics.aws_message());
        return Ok(ExitCode::from(2));
    }
    let Ok(machine) = parsed.valid() else {
        bail!("the definition is not valid");
    };
    let input_text = match (&args.input, &args.input_file) {
        (Some(text), _) => text.clone(),
        (None, Some(file)) => definition::read(file)?,
        (None, None) => "{}".to_string(),
    };
    let input = Value::from_json_str(&input_text)
        .map_err(|e| anyhow::anyhow!("Invalid State Machine Execution Input: '{e}'"))?;
    let functions = match &args.functions {
        Some(path) => Functions::load(path)?,
        None => Functions::none(),
    };
    let machine_name = args.state_machine_name.clone().unwrap_or_else(|| {
        args.definition
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .filter(|s| s != "-")
            .unwrap_or_else(|| "StateMachine".into())
    });
    let exec_name = args.name.clone().unwrap_or_else(random_name);
    let clock = Clock::real();
    let mut info = ExecutionInfo::local(&machine_name, &exec_name, input, clock.now());
    info.seed = seed();
    info.max_payload_bytes = args.max_payload_bytes;
    if args.express {
        info.limits = baton_engine::Limits::EXPRESS;
    }
    info.limits.max_events = (args.max_history_events > 0).then_some(args.max_history_events);
    if let Some(role) = &args.role_arn {
        info.role_arn = role.as_str().into();
    }
    let mut aws = baton_integrations::aws::AwsSettings::default();
    args.aws.apply(&mut aws);
    let registry = native_integrations(&args, Registry::with_aws(functions, &aws), &machine_name)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let started = Instant::now();
    let result = runtime.block_on(run_to_end(
        Program::new(machine),
        info,
        &registry,
        RunOptions {
            clock,
            record_history: args.json && args.history,
        },
    ));
    let elapsed = started.elapsed();
    // Commands and containers the execution stopped are given their grace before this
    // process exits.
    let deadline = Instant::now() + std::time::Duration::from_secs(15);
    while baton_integrations::stops_pending() > 0 && Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    if args.json {
        let mut out = Map::default();
        out.insert("status".into(), Value::from(result.status.as_str()));
        match &result.status {
            Status::Succeeded(output) => {
                out.insert("output".into(), output.clone());
            }
            Status::Failed(f) | Status::TimedOut(f) | Status::Aborted(f) => {
                if let Some(e) = &f.error {
                    out.insert("error".into(), Value::String(e.clone()));
                }
                if let Some(c) = &f.cause {
                    out.insert("cause".into(), Value::String(c.clone()));
                }
            }
            Status::Running => {}
        }
        if args.history {
            let events: Vec<Value> = result.history.iter().map(|e| e.to_json()).collect();
            out.insert("history".into(), Value::array(events));
        }
        println!("{}", Value::object(out).to_json_string());
    } else {
        match &result.status {
            Status::Succeeded(output) => println!("{}", output.to_json_pretty()),
            Status::Failed(f) | Status::TimedOut(f) | Status::Aborted(f) => {
                eprintln!(
                    "error: {}\ncause: {}",
                    f.error.as_deref().unwrap_or("(none)"),
                    f.cause.as_deref().unwrap_or("(none)")
                );
            }
            Status::Running => {}
        }
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        eprintln!(
            "{} · {} state transitions · {:.1?}",
            result.status.as_str(),
            result.transitions,
            elapsed
        );
    }
    Ok(match result.status {
        Status::Succeeded(_) => ExitCode::SUCCESS,
        _ => ExitCode::from(1),
    })
}

/// A seed for the execution's random stream (task tokens, UUIDs), from the OS's hasher
/// keys and the time: not for cryptography, but different for every run.
fn seed() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    RandomState::new().hash_one(nanos)
}

fn random_name() -> String {
    let mut state = seed();
    let a = baton_asl::scope::splitmix64(&mut state);
    let b = baton_asl::scope::splitmix64(&mut state);
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        (a >> 32) as u32,
        (a >> 16) as u16,
        a as u16 & 0x0fff,
        ((b >> 48) as u16 & 0x3fff) | 0x8000,
        b & 0xffff_ffff_ffff
    )
}

/// The HTTP Task's connections, the process resources as allowed, and the test case's
/// mocks over `registry`.
fn native_integrations(
    args: &RunArgs,
    registry: Registry,
    machine_name: &str,
) -> anyhow::Result<Registry> {
    let connections = match &args.connections {
        Some(path) => read_connections(path)?,
        None => Connections::none(),
    };
    let registry = registry
        .with(std::sync::Arc::new(Http::new(connections)))
        .with(std::sync::Arc::new(Processes::new(ProcessSettings {
            commands: args.allow_commands,
            containers: args.allow_containers,
            container_engine: std::env::var("BATON_CONTAINER_ENGINE").ok(),
        })));
    Ok(match (&args.mock_config, &args.test_case) {
        (Some(path), Some(case)) => {
            let case = MockConfig::load(path)?.test_case(machine_name, case)?;
            Registry::default().with(std::sync::Arc::new(Mocked::with_case(registry, case)))
        }
        _ => registry,
    })
}

/// The `[connections.NAME]` tables of a TOML file.
fn read_connections(path: &std::path::Path) -> anyhow::Result<Connections> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut table: toml::Table =
        toml::from_str(&text).with_context(|| format!("bad TOML in {}", path.display()))?;
    let specs: std::collections::BTreeMap<String, ConnectionSpec> =
        match table.remove("connections") {
            Some(v) => v
                .try_into()
                .with_context(|| format!("bad connections in {}", path.display()))?,
            None => Default::default(),
        };
    Ok(Connections::new(&specs)?)
}
