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
    /// The largest request body on every route, in bytes; `None`: AWS's 1 MiB, or more when
    /// the payload limit is raised beyond what fits ([`baton_api::default_max_request_bytes`]).
    pub max_request_bytes: Option<usize>,
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
            max_request_bytes: None,
        }
    }
}

impl ServerConfig {
    /// The API layer's part of the settings.
    pub fn api(&self) -> baton_api::ApiConfig {
        baton_api::ApiConfig {
            region: self.region.clone(),
            account: self.account.clone(),
            max_payload_bytes: self.max_payload_bytes,
            max_request_bytes: Some(self.max_request_bytes()),
        }
    }

    /// The largest request body, set or derived from the payload limit.
    pub fn max_request_bytes(&self) -> usize {
        self.max_request_bytes
            .unwrap_or_else(|| baton_api::default_max_request_bytes(self.max_payload_bytes))
    }
}
