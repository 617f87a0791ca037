//! What `baton serve` is configured with. The command line, a TOML file and environment
//! variables all fill this one structure (the CLI decides their precedence).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Deserializer};

use crate::edge::EdgeConfig;

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
    /// S3 buckets that are local folders (the `[s3.buckets]` table: `NAME = "DIR"`), for
    /// Distributed Map readers and writers and `aws-sdk:s3` tasks alike.
    pub s3: S3Config,
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
    /// HTTP connections open at once, at most; further connections wait to be accepted.
    pub max_connections: usize,
    /// How long a client has to send a request's headers, from the connection's start or
    /// the end of the previous response (so also how long an idle keep-alive connection
    /// stays open). In the file: seconds.
    #[serde(deserialize_with = "seconds")]
    pub header_read_timeout: Duration,
    /// How long a client has to send a request's body, from the end of its headers. In the
    /// file: seconds.
    #[serde(deserialize_with = "seconds")]
    pub body_read_timeout: Duration,
    /// The largest request body on every route, in bytes; `None`: AWS's 1 MiB, or more when
    /// the payload limit is raised beyond what fits ([`baton_api::default_max_request_bytes`]).
    pub max_request_bytes: Option<usize>,
    /// Host names accepted in the `Host` header besides loopback names and IP addresses
    /// (`name`, `*.domain`, or `*` for any); when listening on a loopback address, only
    /// those are accepted (against DNS rebinding), and elsewhere, given any, only those.
    pub allowed_hosts: Vec<String>,
}

/// The default of [`ServerConfig::max_connections`].
pub const DEFAULT_MAX_CONNECTIONS: usize = 4096;
/// The default of [`ServerConfig::header_read_timeout`].
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// The default of [`ServerConfig::body_read_timeout`].
pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// A duration given in seconds (an integer or a fraction), more than zero.
fn seconds<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let s = f64::deserialize(d)?;
    parse_seconds(s).map_err(serde::de::Error::custom)
}

/// `s` seconds as a duration: a finite number more than zero, at most a day.
pub fn parse_seconds(s: f64) -> Result<Duration, String> {
    if s.is_finite() && s > 0.0 && s <= 86_400.0 {
        Ok(Duration::from_secs_f64(s))
    } else {
        Err(format!(
            "{s} is not a number of seconds from 0 (excluded) to 86400"
        ))
    }
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
            s3: S3Config::default(),
            triggers: baton_triggers::TriggersConfig::default(),
            connections: BTreeMap::new(),
            allow_commands: false,
            allow_containers: false,
            container_engine: None,
            mock_config: None,
            virtual_clock: false,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            body_read_timeout: DEFAULT_BODY_READ_TIMEOUT,
            max_request_bytes: None,
            allowed_hosts: Vec::new(),
        }
    }
}

/// The `[s3]` table.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct S3Config {
    /// Bucket name → the folder standing in for it.
    pub buckets: BTreeMap<String, PathBuf>,
}

/// AWS's default quota of open Standard executions per account and region.
pub const DEFAULT_MAX_OPEN_EXECUTIONS: u64 = 1_000_000;

impl ServerConfig {
    /// The AWS integrations' settings: the `[aws]` table's, with the `[s3.buckets]`
    /// folders among the local buckets (beside those `--bucket` named).
    pub fn aws_settings(&self) -> baton_integrations::aws::AwsSettings {
        let mut aws = self.aws.clone();
        for (name, dir) in &self.s3.buckets {
            aws.local_buckets.insert(name.clone(), dir.clone());
        }
        aws
    }

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
            max_request_bytes: Some(self.max_request_bytes()),
        }
    }

    /// The largest request body, set or derived from the payload limit.
    pub fn max_request_bytes(&self) -> usize {
        self.max_request_bytes
            .unwrap_or_else(|| baton_api::default_max_request_bytes(self.max_payload_bytes))
    }

    /// The HTTP edge's part of the settings.
    pub fn edge(&self) -> EdgeConfig {
        EdgeConfig {
            max_connections: self.max_connections,
            header_read_timeout: self.header_read_timeout,
            body_read_timeout: self.body_read_timeout,
            max_request_bytes: self.max_request_bytes(),
            allowed_hosts: self.allowed_hosts.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_file_buckets_join_the_local_buckets() {
        let mut config = ServerConfig::default();
        config
            .aws
            .local_buckets
            .insert("given".into(), PathBuf::from("/given"));
        config
            .s3
            .buckets
            .insert("data".into(), PathBuf::from("/data"));
        let aws = config.aws_settings();
        assert_eq!(aws.local_buckets.len(), 2);
        assert_eq!(aws.local_buckets["data"], PathBuf::from("/data"));
        assert_eq!(aws.local_buckets["given"], PathBuf::from("/given"));
    }
}
