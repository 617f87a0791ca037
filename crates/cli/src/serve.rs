//! `baton serve`: the Step Functions API on a port, executions kept in a data directory.
//!
//! Settings come from, in order of precedence: the command line, `BATON_*` environment
//! variables, a TOML file (`--config`), and the defaults.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use baton_server::{Durability, Server, ServerConfig};
use clap::ValueEnum;

/// `baton serve` arguments.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// A TOML file of settings (keys as the long options: bind, data-dir, functions, ...).
    #[arg(long, env = "BATON_CONFIG")]
    config: Option<PathBuf>,
    /// Where the API listens [default: 127.0.0.1:8083].
    #[arg(long, env = "BATON_BIND")]
    bind: Option<SocketAddr>,
    /// Where executions and definitions are kept [default: ./baton-data].
    #[arg(long, env = "BATON_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Keep everything in memory instead: nothing survives a restart.
    #[arg(long, env = "BATON_IN_MEMORY", conflicts_with = "data_dir")]
    in_memory: bool,
    /// Local functions standing in for Lambda functions (JSON: name → command or URL).
    #[arg(long, env = "BATON_FUNCTIONS")]
    functions: Option<PathBuf>,
    /// The account in ARNs [default: 123456789012].
    #[arg(long, env = "BATON_ACCOUNT")]
    account: Option<String>,
    /// The region in ARNs [default: us-east-1].
    #[arg(long, env = "BATON_REGION")]
    region: Option<String>,
    /// The payload limit in bytes [default: 262144].
    #[arg(long, env = "BATON_MAX_PAYLOAD_BYTES")]
    max_payload_bytes: Option<usize>,
    /// The most history events an execution may have; 0: no bound [default: 25000, AWS's].
    #[arg(long, env = "BATON_MAX_HISTORY_EVENTS")]
    max_history_events: Option<u64>,
    /// The most Standard executions open at once; 0: no bound [default: 1000000, AWS's
    /// default quota].
    #[arg(long, env = "BATON_MAX_OPEN_EXECUTIONS")]
    max_open_executions: Option<u64>,
    /// The largest request body in bytes, on every route (over it: 413) [default: 1048576,
    /// AWS's limit, or twice --max-payload-bytes plus 65536 when that is more].
    #[arg(long, env = "BATON_MAX_REQUEST_BYTES", value_parser = clap::value_parser!(u64).range(1..))]
    max_request_bytes: Option<u64>,
    /// HTTP connections open at once, at most; more wait to be accepted [default: 4096].
    #[arg(long, env = "BATON_MAX_CONNECTIONS", value_parser = clap::value_parser!(u64).range(1..))]
    max_connections: Option<u64>,
    /// Seconds a client has to send a request's headers; also how long an idle keep-alive
    /// connection stays open [default: 10].
    #[arg(long, env = "BATON_HEADER_READ_TIMEOUT", value_name = "SECONDS", value_parser = seconds)]
    header_read_timeout: Option<Duration>,
    /// Seconds a client has to send a request's body once its headers are in (then: 408)
    /// [default: 30].
    #[arg(long, env = "BATON_BODY_READ_TIMEOUT", value_name = "SECONDS", value_parser = seconds)]
    body_read_timeout: Option<Duration>,
    /// Host names accepted in the Host header besides localhost, *.localhost and IP
    /// addresses: NAME, *.DOMAIN, or * for any. On a loopback address only those are
    /// accepted (against DNS rebinding); on others, no check unless this is given.
    #[arg(
        long,
        env = "BATON_ALLOWED_HOSTS",
        value_delimiter = ',',
        value_name = "HOSTS"
    )]
    allowed_hosts: Vec<String>,
    /// fsync: commits survive a power loss; process: they survive a crash of Baton only
    /// (faster) [default: fsync].
    #[arg(long, env = "BATON_DURABILITY", value_enum)]
    durability: Option<DurabilityArg>,
    /// Where Express executions' logs go: a file, or - for standard output.
    #[arg(long, env = "BATON_EXPRESS_LOG")]
    express_log: Option<PathBuf>,
    #[command(flatten)]
    aws: AwsArgs,
    /// A mock configuration file (Step Functions Local's MockConfigFile): executions
    /// started on stateMachineArn#TestCase run that test case's mocked responses.
    #[arg(long, env = "BATON_MOCK_CONFIG")]
    mock_config: Option<PathBuf>,
    /// Let arn:baton:command:::run tasks run programs on this host.
    #[arg(long, env = "BATON_ALLOW_COMMANDS")]
    allow_commands: bool,
    /// Let arn:baton:container:::run tasks run containers (docker or podman) on this host.
    #[arg(long, env = "BATON_ALLOW_CONTAINERS")]
    allow_containers: bool,
    /// The container engine: docker, podman or a path [default: the first on the PATH].
    #[arg(long, env = "BATON_CONTAINER_ENGINE")]
    container_engine: Option<String>,
    /// Run on a virtual clock, for tests: Baton.AdvanceClock moves it ahead, and timers and
    /// schedules then due fire at once.
    #[arg(long, env = "BATON_VIRTUAL_CLOCK")]
    virtual_clock: bool,
    /// Log level: error, warn, info, debug or trace.
    #[arg(long, env = "BATON_LOG", default_value = "info")]
    log: tracing::Level,
    /// Log format.
    #[arg(long, env = "BATON_LOG_FORMAT", value_enum, default_value = "text")]
    log_format: LogFormat,
}

/// Where AWS service integrations send their calls (over the `[aws]` settings and the AWS
/// SDKs' environment variables and shared files).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct AwsArgs {
    /// One endpoint for every AWS service (an AWS-compatible server) [env: AWS_ENDPOINT_URL].
    #[arg(long)]
    aws_endpoint_url: Option<String>,
    /// The region of AWS calls [env: AWS_REGION; default: the profile's, else --region].
    #[arg(long)]
    aws_region: Option<String>,
    /// The profile of the AWS shared config and credentials files [env: AWS_PROFILE].
    #[arg(long)]
    aws_profile: Option<String>,
    /// A botocore data directory: aws-sdk tasks reach the services whose models it holds.
    #[arg(long, env = "BATON_AWS_MODELS_DIR")]
    aws_models_dir: Option<PathBuf>,
    /// Take AWS credentials from EC2's instance metadata when nothing else gives any.
    #[arg(long, env = "BATON_AWS_INSTANCE_METADATA")]
    aws_instance_metadata: bool,
    /// An S3 bucket that is a local folder, `NAME=DIR` (repeatable): Distributed Map
    /// readers and writers and aws-sdk:s3 tasks use the folder for that bucket.
    #[arg(long = "bucket", value_name = "NAME=DIR", value_parser = bucket)]
    buckets: Vec<(String, PathBuf)>,
}

/// `NAME=DIR`.
fn bucket(s: &str) -> Result<(String, PathBuf), String> {
    match s.split_once('=') {
        Some((name, dir)) if !name.is_empty() && !dir.is_empty() => {
            Ok((name.to_owned(), PathBuf::from(dir)))
        }
        _ => Err(format!("{s} is not NAME=DIR")),
    }
}

impl AwsArgs {
    /// Overrides `settings` with the options given.
    pub fn apply(&self, settings: &mut baton_integrations::aws::AwsSettings) {
        if let Some(v) = &self.aws_endpoint_url {
            settings.endpoint_url = Some(v.clone());
        }
        if let Some(v) = &self.aws_region {
            settings.region = Some(v.clone());
        }
        if let Some(v) = &self.aws_profile {
            settings.profile = Some(v.clone());
        }
        if let Some(v) = &self.aws_models_dir {
            settings.models_dir = Some(v.clone());
        }
        settings.instance_metadata |= self.aws_instance_metadata;
        for (name, dir) in &self.buckets {
            settings.local_buckets.insert(name.clone(), dir.clone());
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum DurabilityArg {
    Fsync,
    Process,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

/// The settings: the file's, overridden by the options and the environment.
fn settings(args: &ServeArgs) -> anyhow::Result<ServerConfig> {
    let mut config = match &args.config {
        Some(path) => read_config(path)?,
        None => ServerConfig::default(),
    };
    if let Some(v) = args.bind {
        config.bind = v;
    }
    if let Some(v) = &args.data_dir {
        config.data_dir = Some(v.clone());
    }
    if args.in_memory {
        config.data_dir = None;
    }
    if let Some(v) = &args.functions {
        config.functions = Some(v.clone());
    }
    if let Some(v) = &args.account {
        config.account = v.clone();
    }
    if let Some(v) = &args.region {
        config.region = v.clone();
    }
    if let Some(v) = args.max_payload_bytes {
        config.max_payload_bytes = v;
    }
    if let Some(v) = args.max_history_events {
        config.max_history_events = v;
    }
    if let Some(v) = args.max_open_executions {
        config.max_open_executions = v;
    }
    if let Some(v) = args.max_request_bytes {
        config.max_request_bytes = Some(usize::try_from(v).unwrap_or(usize::MAX));
    }
    if let Some(v) = args.max_connections {
        config.max_connections = usize::try_from(v).unwrap_or(usize::MAX);
    }
    if let Some(v) = args.header_read_timeout {
        config.header_read_timeout = v;
    }
    if let Some(v) = args.body_read_timeout {
        config.body_read_timeout = v;
    }
    if !args.allowed_hosts.is_empty() {
        config.allowed_hosts = args.allowed_hosts.clone();
    }
    if let Some(v) = args.durability {
        config.durability = match v {
            DurabilityArg::Fsync => Durability::Fsync,
            DurabilityArg::Process => Durability::Process,
        };
    }
    if let Some(v) = &args.express_log {
        config.express_log = Some(v.clone());
    }
    args.aws.apply(&mut config.aws);
    if let Some(v) = &args.mock_config {
        config.mock_config = Some(v.clone());
    }
    config.allow_commands |= args.allow_commands;
    config.allow_containers |= args.allow_containers;
    config.virtual_clock |= args.virtual_clock;
    if let Some(v) = &args.container_engine {
        config.container_engine = Some(v.clone());
    }
    Ok(config)
}

/// A number of seconds (`10`, `0.5`).
fn seconds(s: &str) -> Result<Duration, String> {
    let n: f64 = s
        .trim()
        .trim_end_matches('s')
        .parse()
        .map_err(|_| format!("{s} is not a number of seconds"))?;
    baton_server::config::parse_seconds(n)
}

fn read_config(path: &Path) -> anyhow::Result<ServerConfig> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut config: ServerConfig =
        toml::from_str(&text).with_context(|| format!("bad settings in {}", path.display()))?;
    // Relative paths in the file are relative to the file.
    let base = path.parent().unwrap_or(Path::new("."));
    for p in [
        &mut config.data_dir,
        &mut config.functions,
        &mut config.express_log,
        &mut config.mock_config,
        &mut config.aws.models_dir,
    ] {
        if let Some(p) = p
            .as_mut()
            .filter(|p| p.is_relative() && p.as_os_str() != "-")
        {
            *p = base.join(&*p);
        }
    }
    for dir in config.s3.buckets.values_mut() {
        if dir.is_relative() {
            *dir = base.join(&*dir);
        }
    }
    Ok(config)
}

fn init_logs(args: &ServeArgs) {
    let builder = tracing_subscriber::fmt()
        .with_max_level(args.log)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    let _ = match args.log_format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

/// Runs the server until SIGINT or SIGTERM.
pub fn main(args: ServeArgs) -> anyhow::Result<ExitCode> {
    init_logs(&args);
    let mut config = settings(&args)?;
    config.max_connections = baton_server::edge::fit_open_files(config.max_connections);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let bind = config.bind;
        let max_connections = config.max_connections;
        let where_ = match &config.data_dir {
            Some(d) => d.display().to_string(),
            None => "memory".to_owned(),
        };
        let server = Server::open(config).await.context("cannot start")?;
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .with_context(|| format!("cannot listen on {bind}"))?;
        tracing::info!(
            address = %listener.local_addr().unwrap_or(bind),
            data = %where_,
            open_executions = server.runtime().open_executions(),
            max_connections = max_connections,
            "baton is serving the Step Functions API"
        );
        server
            .serve(listener, shutdown_signal())
            .await
            .context("the server failed")?;
        tracing::info!("stopped");
        Ok(ExitCode::SUCCESS)
    })
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        tokio::select! {
            _ = interrupt => {}
            _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending().await } } => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
    tracing::info!("shutting down: finishing requests in flight");
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Command {
        #[command(flatten)]
        serve: ServeArgs,
    }

    fn parse(args: &[&str]) -> Result<ServerConfig, String> {
        let command = Command::try_parse_from(std::iter::once("serve").chain(args.iter().copied()))
            .map_err(|e| e.to_string())?;
        settings(&command.serve).map_err(|e| format!("{e:#}"))
    }

    #[test]
    fn the_http_limits_come_from_options() {
        let config = parse(&[
            "--max-connections",
            "10",
            "--header-read-timeout",
            "0.5",
            "--body-read-timeout",
            "3",
            "--max-request-bytes",
            "2048",
            "--allowed-hosts",
            "baton.test,*.corp.test",
        ])
        .unwrap();
        assert_eq!(config.max_connections, 10);
        assert_eq!(config.header_read_timeout, Duration::from_millis(500));
        assert_eq!(config.body_read_timeout, Duration::from_secs(3));
        assert_eq!(config.max_request_bytes(), 2048);
        assert_eq!(config.allowed_hosts, ["baton.test", "*.corp.test"]);
        assert!(parse(&["--header-read-timeout", "0"]).is_err());
        assert!(parse(&["--max-connections", "0"]).is_err());
        let defaults = parse(&[]).unwrap();
        assert_eq!(defaults.max_connections, 4096);
        assert_eq!(defaults.header_read_timeout, Duration::from_secs(10));
        assert_eq!(defaults.body_read_timeout, Duration::from_secs(30));
        assert_eq!(defaults.max_request_bytes(), 1024 * 1024);
        assert!(defaults.allowed_hosts.is_empty());
    }

    #[test]
    fn the_http_limits_come_from_the_settings_file() {
        let dir = std::env::temp_dir().join(format!("baton-serve-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("baton.toml");
        std::fs::write(
            &file,
            "max-connections = 7\nheader-read-timeout = 2\nbody-read-timeout = 0.25\n\
             max-request-bytes = 100\nallowed-hosts = [\"x.test\"]\n",
        )
        .unwrap();
        let config = read_config(&file).unwrap();
        assert_eq!(config.max_connections, 7);
        assert_eq!(config.header_read_timeout, Duration::from_secs(2));
        assert_eq!(config.body_read_timeout, Duration::from_millis(250));
        assert_eq!(config.max_request_bytes, Some(100));
        assert_eq!(config.allowed_hosts, ["x.test"]);
        std::fs::write(&file, "header-read-timeout = -1\n").unwrap();
        let e = format!("{:#}", read_config(&file).unwrap_err());
        assert!(e.contains("seconds"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn local_buckets_come_from_the_settings_file_and_the_options() {
        let dir = std::env::temp_dir().join(format!("baton-serve-buckets-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("baton.toml");
        std::fs::write(
            &file,
            "[s3.buckets]\ndata = \"./data\"\nlogs = \"/var/logs\"\n",
        )
        .unwrap();
        let config = read_config(&file).unwrap();
        // A relative folder is relative to the file.
        assert_eq!(config.s3.buckets["data"], dir.join("./data"));
        assert_eq!(config.s3.buckets["logs"], PathBuf::from("/var/logs"));
        let config = parse(&["--bucket", "in=/tmp/in", "--bucket", "out=/tmp/out"]).unwrap();
        assert_eq!(config.aws.local_buckets["in"], PathBuf::from("/tmp/in"));
        assert_eq!(config.aws.local_buckets["out"], PathBuf::from("/tmp/out"));
        assert!(parse(&["--bucket", "nameonly"]).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
