//! [`Executions`]: starting, stopping, describing and listing executions, their
//! histories, activity tasks and callbacks, over the runtime.
//!
//! - [`start`]: StartExecution, StartSyncExecution, StopExecution.
//! - [`redrive`]: RedriveExecution, and whether an execution can be redriven.
//! - [`views`]: DescribeExecution, ListExecutions, GetExecutionHistory,
//!   DescribeStateMachineForExecution.
//! - [`tasks`]: GetActivityTask and SendTask{Success,Failure,Heartbeat}.
//! - [`nested`]: the `states:startExecution` task resource.
//! - `map_runs`: DescribeMapRun, ListMapRuns, UpdateMapRun.

mod errors;
pub mod express_log;
mod map_runs;
pub mod nested;
mod redrive;
mod start;
mod tasks;
mod test_state;
mod views;

use std::sync::Arc;

use baton_api::model::*;
use baton_api::{ApiError, RequestContext};
use baton_integrations::Registry;
use baton_runtime::Runtime;

use crate::catalog::Catalog;
use express_log::ExpressLogs;
pub use start::Mocks;

/// The executions' side of the API.
pub struct Executions {
    pub(crate) catalog: Arc<Catalog>,
    pub(crate) runtime: Runtime,
    /// Where Express executions' logs go, when configured.
    pub(crate) express_logs: Option<Arc<ExpressLogs>>,
    /// The integrations TestState runs a Task's work with (none until
    /// [`Executions::with_registry`] gives the server's).
    pub(crate) registry: Registry,
    /// Test cases for executions started on `stateMachineArn#TestCase`, when a mock
    /// configuration is given.
    pub(crate) mocks: Option<Arc<Mocks>>,
}

impl Executions {
    /// Executions over `runtime`, resolving state machines through `catalog`.
    pub fn new(
        catalog: Arc<Catalog>,
        runtime: Runtime,
        express_logs: Option<Arc<ExpressLogs>>,
    ) -> Self {
        Executions {
            catalog,
            runtime,
            express_logs,
            registry: Registry::default(),
            mocks: None,
        }
    }

    /// `TestState`.
    pub async fn test_state(
        &self,
        ctx: RequestContext,
        input: TestStateInput,
    ) -> Result<TestStateOutput, ApiError> {
        self.run_test_state(ctx, input).await
    }
}
