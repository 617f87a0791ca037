//! What `baton serve` is configured with. The command line, a TOML file and environment
//! variables all fill this one structure (the CLI decides their precedence).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;

use serde::Deserialize;

/// The server's settings. Field names are the TOML file's keys.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct ServerConfig {
    /// Where the API listens.
    pub bind: SocketAddr,
    /// Where the embedded store keeps its files; `None` keeps everything in memory (lost at
    /// exit).
    pub data_dir: Option<PathBuf>,
    /// The local functions file (Lambda ARNs mapped to commands or URLs).
    pub functions: Option<PathBuf>,
    /// The account in ARNs.
    pub account: String,
    /// The region in ARNs.
    pub region: String,
    /// The payload limit in bytes (execution input and output, task results).
    pub max_payload_bytes: usize,
    /// The most history events an execution may have (AWS: 25,000); 0: no bound.
    pub max_history_events: u64,
    /// The most Standard executions open at once (AWS's default quota: 1,000,000); a start
    /// beyond it fails with `ExecutionLimitExceeded`. 0: no bound.
    pub max_open_executions: u64,
    /// Whether a commit waits for the disk (`fsync`: survives power loss) or only for the
    /// operating system (`process`: survives a crash of the server, not of the machine).
    pub durability: Durability,
    /// Where Express executions' logs go (per their logging configuration): a file, or `-`
    /// for standard output. `None`: not written.
    pub express_log: Option<PathBuf>,
    /// AWS service integrations: endpoints, region, credentials (the `[aws]` table; the
    /// AWS SDKs' environment variables and shared files fill what it leaves out).
    pub aws: baton_integrations::aws::AwsSettings,
    /// Webhooks, schedules and event rules created or replaced at each start (the
    /// `[triggers]` table; see docs/TRIGGERS.md).
    pub triggers: baton_triggers::TriggersConfig,
    /// Connections for HTTP Tasks, by name (`[connections.NAME]` tables: API key, basic or
    /// OAuth client credentials, as EventBridge connections).
    pub connections: BTreeMap<String, baton_integrations::ConnectionSpec>,
    /// `arn:baton:command:::run` tasks may run programs on this host.
    pub allow_commands: bool,
    /// `arn:baton:container:::run` tasks may run containers on this host.
    pub allow_containers: bool,
    /// The container engine (`docker`, `podman` or a path); `None`: the first of docker and
    /// podman on the `PATH`.
    pub container_engine: Option<String>,
    /// A mock configuration file (Step Functions Local's format): executions started on
    /// `stateMachineArn#TestCase` run that test case's mocks.
    pub mock_config: Option<PathBuf>,
    /// Run on a virtual clock: it starts at the real time and runs at real speed, and
    /// `Baton.AdvanceClock` moves it ahead (timers and schedules then due fire at once).
    /// For tests; the clock is not kept across restarts.
    pub virtual_clock: bool,
}

/// How durable a commit is before it is acknowledged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Durability {
    /// Synced to the disk.
    Fsync,
    /// Handed to the operating system.
    Process,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            bind: baton_api::DEFAULT_ADDR
                .parse()
                .expect("the default address parses"),
            data_dir: Some(PathBuf::from("baton-data")),
            functions: None,
            account: baton_api::DEFAULT_ACCOUNT.to_owned(),
            region: baton_api::DEFAULT_REGION.to_owned(),
            max_payload_bytes: baton_api::DEFAULT_MAX_PAYLOAD_BYTES,
            max_history_events: baton_engine::AWS_MAX_HISTORY_EVENTS,
            max_open_executions: DEFAULT_MAX_OPEN_EXECUTIONS,
            durability: Durability::Fsync,
            express_log: None,
            aws: baton_integrations::aws::AwsSettings::default(),
            triggers: baton_triggers::TriggersConfig::default(),
            connections: BTreeMap::new(),
            allow_commands: false,
            allow_containers: false,
            container_engine: None,
            mock_config: None,
            virtual_clock: false,
        }
    }
}

/// AWS's default quota of open Standard executions per account and region.
pub const DEFAULT_MAX_OPEN_EXECUTIONS: u64 = 1_000_000;

impl ServerConfig {
    /// The runtime's part of the settings.
    pub fn runtime(&self) -> baton_runtime::RuntimeConfig {
        let bound = |n: u64| (n > 0).then_some(n);
        baton_runtime::RuntimeConfig {
            region: self.region.clone(),
            account: self.account.clone(),
            max_payload_bytes: self.max_payload_bytes,
            keep_status_changes: true,
            max_history_events: bound(self.max_history_events),
            max_open_executions: bound(self.max_open_executions),
        }
    }

    /// The API layer's part of the settings.
    pub fn api(&self) -> baton_api::ApiConfig {
        baton_api::ApiConfig {
            region: self.region.clone(),
            account: self.account.clone(),
            max_payload_bytes: self.max_payload_bytes,
            max_body_bytes: None,
        }
    }
}
