//! [`Executions`]: starting, stopping, describing and listing executions, their
//! histories, activity tasks and callbacks, Map Runs and TestState, over the runtime.

use std::sync::Arc;

use baton_api::model::*;
use baton_api::{ApiError, Operation, RequestContext};

use crate::catalog::Catalog;

/// The executions' side of the API.
pub struct Executions {
    pub(crate) catalog: Arc<Catalog>,
}

impl Executions {
    /// `DescribeExecution`.
    pub async fn describe_execution(
        &self,
        ctx: RequestContext,
        input: DescribeExecutionInput,
    ) -> Result<DescribeExecutionOutput, ApiError> {
        let _ = (ctx, input);
        Err(ApiError::not_implemented(Operation::DescribeExecution))
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

    /// `DescribeStateMachineForExecution`.
    pub async fn describe_state_machine_for_execution(
        &self,
        ctx: RequestContext,
        input: DescribeStateMachineForExecutionInput,
    ) -> Result<DescribeStateMachineForExecutionOutput, ApiError> {
        let _ = (ctx, input);
        Err(ApiError::not_implemented(
            Operation::DescribeStateMachineForExecution,
        ))
    }

    /// `GetActivityTask`.
    pub async fn get_activity_task(
        &self,
        ctx: RequestContext,
        input: GetActivityTaskInput,
    ) -> Result<GetActivityTaskOutput, ApiError> {
        let _ = (ctx, input);
        Err(ApiError::not_implemented(Operation::GetActivityTask))
    }

    /// `GetExecutionHistory`.
    pub async fn get_execution_history(
        &self,
        ctx: RequestContext,
        input: GetExecutionHistoryInput,
    ) -> Result<GetExecutionHistoryOutput, ApiError> {
        let _ = (ctx, input);
        Err(ApiError::not_implemented(Operation::GetExecutionHistory))
    }

    /// `ListExecutions`.
    pub async fn list_executions(
        &self,
        ctx: RequestContext,
        input: ListExecutionsInput,
    ) -> Result<ListExecutionsOutput, ApiError> {
        let _ = (ctx, input);
        Err(ApiError::not_implemented(Operation::ListExecutions))
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

    /// `RedriveExecution`.
    pub async fn redrive_execution(
        &self,
        ctx: RequestContext,
        input: RedriveExecutionInput,
    ) -> Result<RedriveExecutionOutput, ApiError> {
        let _ = (ctx, input);
        Err(ApiError::not_implemented(Operation::RedriveExecution))
    }

    /// `SendTaskFailure`.
    pub async fn send_task_failure(
        &self,
        ctx: RequestContext,
        input: SendTaskFailureInput,
    ) -> Result<SendTaskFailureOutput, ApiError> {
        let _ = (ctx, input);
        Err(ApiError::not_implemented(Operation::SendTaskFailure))
    }

    /// `SendTaskHeartbeat`.
    pub async fn send_task_heartbeat(
        &self,
        ctx: RequestContext,
        input: SendTaskHeartbeatInput,
    ) -> Result<SendTaskHeartbeatOutput, ApiError> {
        let _ = (ctx, input);
        Err(ApiError::not_implemented(Operation::SendTaskHeartbeat))
    }

    /// `SendTaskSuccess`.
    pub async fn send_task_success(
        &self,
        ctx: RequestContext,
        input: SendTaskSuccessInput,
    ) -> Result<SendTaskSuccessOutput, ApiError> {
        let _ = (ctx, input);
        Err(ApiError::not_implemented(Operation::SendTaskSuccess))
    }

    /// `StartExecution`.
    pub async fn start_execution(
        &self,
        ctx: RequestContext,
        input: StartExecutionInput,
    ) -> Result<StartExecutionOutput, ApiError> {
        let _ = (ctx, input);
        Err(ApiError::not_implemented(Operation::StartExecution))
    }

    /// `StartSyncExecution`.
    pub async fn start_sync_execution(
        &self,
        ctx: RequestContext,
        input: StartSyncExecutionInput,
    ) -> Result<StartSyncExecutionOutput, ApiError> {
        let _ = (ctx, input);
        Err(ApiError::not_implemented(Operation::StartSyncExecution))
    }

    /// `StopExecution`.
    pub async fn stop_execution(
        &self,
        ctx: RequestContext,
        input: StopExecutionInput,
    ) -> Result<StopExecutionOutput, ApiError> {
        let _ = (ctx, input);
        Err(ApiError::not_implemented(Operation::StopExecution))
    }

    /// `TestState`.
    pub async fn test_state(
        &self,
        ctx: RequestContext,
        input: TestStateInput,
    ) -> Result<TestStateOutput, ApiError> {
        let _ = (ctx, input);
        Err(ApiError::not_implemented(Operation::TestState))
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
}
