//! Local functions: commands or HTTP endpoints standing in for Lambda functions, declared
//! in a functions file:
//!
//! ```json
//! {"functions": {
//!   "Greet": {"command": ["python3", "greet.py"]},
//!   "Price": {"url": "http://127.0.0.1:9000/invoke"}
//! }}
//! ```
//!
//! A command gets the event as JSON on stdin and answers on stdout; a URL is POSTed the
//! event and answers in its body. A non-zero exit, an HTTP status other than 2xx, or an
//! `X-Amz-Function-Error` header makes the answer a function error, as Lambda reports an
//! unhandled exception.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use serde::Deserialize;
use tokio::io::AsyncWriteExt;

use crate::processes::{read_head, read_tail};

/// What is kept of a command's answer: past AWS's payload limit, the answer is refused.
const MAX_REPLY_BYTES: usize = 256 * 1024;
/// What is kept of what a command logs (the end of it).
const MAX_LOG_BYTES: usize = 64 * 1024;

/// How to run one function.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(untagged, deny_unknown_fields)]
pub enum FunctionSpec {
    /// A program and its arguments.
    Command {
        /// `[program, arg, ...]`.
        command: Vec<String>,
        /// Extra environment variables.
        #[serde(default)]
        env: HashMap<String, String>,
        /// The working directory (relative to the functions file).
        #[serde(default)]
        cwd: Option<PathBuf>,
    },
    /// An HTTP endpoint taking the event as a POST body.
    Url {
        /// `http://...`.
        url: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FunctionsFile {
    functions: HashMap<String, FunctionSpec>,
}

/// A functions file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum FunctionsError {
    /// The file could not be read.
    #[error("cannot read the functions file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a valid functions file.
    #[error("invalid functions file {path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// The local functions by name.
#[derive(Debug, Clone, Default)]
pub struct Functions {
    by_name: HashMap<String, FunctionSpec>,
    /// Relative `cwd`s and command paths are taken from here.
    base: PathBuf,
    /// Write what commands log (stderr) to this process's stderr.
    forward_logs: bool,
}

/// What a function answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reply {
    /// `false` for an unhandled error (a non-zero exit, an error status or header).
    pub(crate) ok: bool,
    /// The payload bytes (the error payload when not `ok`).
    pub(crate) body: Vec<u8>,
    /// What a command wrote on stderr: its log.
    pub(crate) log: Vec<u8>,
}

impl Functions {
    /// No functions.
    pub fn none() -> Functions {
        Functions::default()
    }

    /// Reads a functions file.
    pub fn load(path: &Path) -> Result<Functions, FunctionsError> {
        let text = std::fs::read_to_string(path).map_err(|source| FunctionsError::Read {
            path: path.to_owned(),
            source,
        })?;
        let file: FunctionsFile =
            serde_json::from_str(&text).map_err(|e| FunctionsError::Invalid {
                path: path.to_owned(),
                message: e.to_string(),
            })?;
        for (name, spec) in &file.functions {
            if let FunctionSpec::Command { command, .. } = spec
                && command.is_empty()
            {
                return Err(FunctionsError::Invalid {
                    path: path.to_owned(),
                    message: format!("function '{name}' has an empty command"),
                });
            }
        }
        Ok(Functions {
            by_name: file.functions,
            base: path.parent().map(Path::to_owned).unwrap_or_default(),
            forward_logs: false,
        })
    }

    /// Functions given directly, with relative paths taken from `base`.
    pub fn from_specs(specs: HashMap<String, FunctionSpec>, base: PathBuf) -> Functions {
        Functions {
            by_name: specs,
            base,
            forward_logs: false,
        }
    }

    /// Shows what functions log (their stderr) on this process's stderr.
    pub fn forwarding_logs(mut self) -> Functions {
        self.forward_logs = true;
        self
    }

    /// `true` when function logs go to this process's stderr.
    pub(crate) fn forwards_logs(&self) -> bool {
        self.forward_logs
    }

    /// The function called `name`.
    pub fn get(&self, name: &str) -> Option<&FunctionSpec> {
        self.by_name.get(name)
    }

    /// Invokes `spec` with `event` (JSON bytes).
    pub(crate) async fn invoke(
        &self,
        spec: &FunctionSpec,
        event: Vec<u8>,
    ) -> Result<Reply, String> {
        match spec {
            FunctionSpec::Command { command, env, cwd } => {
                let dir = match cwd {
                    Some(c) if c.is_absolute() => c.clone(),
                    Some(c) => self.base.join(c),
                    None => self.base.clone(),
                };
                let mut cmd = tokio::process::Command::new(&command[0]);
                cmd.args(&command[1..])
                    .envs(env)
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .kill_on_drop(true);
                if !dir.as_os_str().is_empty() {
                    cmd.current_dir(dir);
                }
                let _slot = crate::processes::process_slot().await;
                let mut child = cmd
                    .spawn()
                    .map_err(|e| format!("cannot start {:?}: {e}", command[0]))?;
                let mut stdin = child.stdin.take().ok_or("no stdin")?;
                let mut stdout = child.stdout.take().ok_or("no stdout")?;
                let mut stderr = child.stderr.take().ok_or("no stderr")?;
                // Write and read concurrently: a function may answer before reading all
                // of a large event.
                let writer = async move {
                    let _ = stdin.write_all(&event).await;
                    drop(stdin);
                };
                // What is kept of the output is bounded: past the payload limit the result
                // is refused for its size anyway (one byte more says so).
                let reader = read_head(Some(&mut stdout), MAX_REPLY_BYTES + 1);
                let log_reader = read_tail(Some(&mut stderr), MAX_LOG_BYTES);
                let ((), (out, _), (log, _)) = tokio::join!(writer, reader, log_reader);
                let status = child
                    .wait()
                    .await
                    .map_err(|e| format!("cannot wait for the function: {e}"))?;
                Ok(Reply {
                    ok: status.success(),
                    body: out,
                    log,
                })
            }
            FunctionSpec::Url { url } => {
                let client = reqwest::Client::new();
                let resp = client
                    .post(url)
                    .header("content-type", "application/json")
                    .body(event)
                    .send()
                    .await
                    .map_err(|e| format!("cannot call {url}: {e}"))?;
                let function_error = resp.headers().contains_key("x-amz-function-error")
                    || !resp.status().is_success();
                let body = resp
                    .bytes()
                    .await
                    .map_err(|e| format!("cannot read the reply of {url}: {e}"))?
                    .to_vec();
                Ok(Reply {
                    ok: !function_error,
                    body,
                    log: Vec::new(),
                })
            }
        }
    }
}
