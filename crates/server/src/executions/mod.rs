//! [`Executions`]: starting, stopping, describing and listing executions, their
//! histories, activity tasks and callbacks, over the runtime.
//!
//! - [`start`]: StartExecution, StartSyncExecution, StopExecution.
//! - [`redrive`]: RedriveExecution, and whether an execution can be redriven.
//! - [`views`]: DescribeExecution, ListExecutions, GetExecutionHistory,
//!   DescribeStateMachineForExecution.
//! - [`tasks`]: GetActivityTask and SendTask{Success,Failure,Heartbeat}.
//! - [`nested`]: the `states:startExecution` task resource.

mod errors;
pub mod express_log;
pub mod nested;
mod redrive;
mod start;
mod tasks;
mod test_state;
mod views;

use std::sync::Arc;

use baton_api::model::*;
use baton_api::{ApiError, Operation, RequestContext};
use baton_integrations::Registry;
use baton_runtime::Runtime;

use crate::catalog::Catalog;
use express_log::ExpressLogs;

/// The executions' side of the API.
pub struct Executions {
    pub(crate) catalog: Arc<Catalog>,
    pub(crate) runtime: Runtime,
    /// Where Express executions' logs go, when configured.
    pub(crate) express_logs: Option<Arc<ExpressLogs>>,
    /// The integrations TestState runs a Task's work with (none until
    /// [`Executions::with_registry`] gives the server's).
    pub(crate) registry: Registry,
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
        }
    }

    /// `DescribeMapRun`.
    pub async fn describe_map_run(
        &self,
        ctx: RequestContext,
        input: DescribeMapRunInput,
    ) -> Result<DescribeMapRunOutput, ApiError> {
        let _ = (ctx, input);
        Err(ApiError::not_implemented(Operation::DescribeMapRun))
    }

    /// `ListMapRuns`.
    pub async fn list_map_runs(
        &self,
        ctx: RequestContext,
        input: ListMapRunsInput,
    ) -> Result<ListMapRunsOutput, ApiError> {
        let _ = (ctx, input);
        Err(ApiError::not_implemented(Operation::ListMapRuns))
    }

    /// `UpdateMapRun`.
    pub async fn update_map_run(
        &self,
        ctx: RequestContext,
        input: UpdateMapRunInput,
    ) -> Result<UpdateMapRunOutput, ApiError> {
        let _ = (ctx, input);
        Err(ApiError::not_implemented(Operation::UpdateMapRun))
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
