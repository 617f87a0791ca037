//! How triggers start executions: through [`Starter`], which the server implements with
//! its StartExecution and StartSyncExecution (so a trigger's start is checked, named and
//! resolved exactly as an API call is).

use std::future::Future;
use std::pin::Pin;

/// A boxed future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An execution to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartRequest {
    /// A state machine, version or alias ARN.
    pub target: String,
    /// The execution's name; `None` for a generated one.
    pub name: Option<String>,
    /// Its input, as JSON text.
    pub input: String,
}

/// A started execution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartedExecution {
    /// Its ARN.
    pub execution_arn: String,
    /// When it started (milliseconds since the epoch).
    pub start_date: i64,
}

/// How a synchronous (Express) execution ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncOutcome {
    /// Its ARN.
    pub execution_arn: String,
    /// SUCCEEDED, FAILED or TIMED_OUT.
    pub status: String,
    /// The output, when it succeeded.
    pub output: Option<String>,
    /// The error, otherwise.
    pub error: Option<String>,
    /// The cause.
    pub cause: Option<String>,
}

/// A start refused: the API's error code (`StateMachineDoesNotExist`,
/// `InvalidExecutionInput`, ...) and message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct StartError {
    /// The error's code.
    pub code: String,
    /// Its message.
    pub message: String,
}

impl StartError {
    /// An error with this code and message.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> StartError {
        StartError {
            code: code.into(),
            message: message.into(),
        }
    }

    /// Whether trying again later may succeed (the service was busy or stopping), as
    /// opposed to a start that will never be accepted (no such machine, bad input).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.code.as_str(),
            "ServiceUnavailable"
                | "InternalServerError"
                | "InternalError"
                | "ThrottlingException"
                | "ExecutionLimitExceeded"
        )
    }

    /// The execution exists already: a start made before a restart, repeated.
    pub fn is_already_started(&self) -> bool {
        self.code == "ExecutionAlreadyExists"
    }
}

/// Starts executions for triggers.
pub trait Starter: Send + Sync + 'static {
    /// StartExecution.
    fn start(&self, request: StartRequest) -> BoxFuture<'_, Result<StartedExecution, StartError>>;

    /// StartSyncExecution: runs an Express state machine and waits for its end.
    fn start_sync(&self, request: StartRequest) -> BoxFuture<'_, Result<SyncOutcome, StartError>>;
}
