//! Activity workers and callbacks: GetActivityTask and SendTask{Success,Failure,Heartbeat}.

use std::time::Duration;

use baton_api::arn::{Arn, ResourceType};
use baton_api::model::*;
use baton_api::{ApiError, ErrorCode, RequestContext};
use baton_json::Value;

use super::Executions;
use super::errors::{api_error, store_error};

/// How long GetActivityTask waits for a task (AWS: 60 seconds; clients time out at 65).
const ACTIVITY_POLL: Duration = Duration::from_secs(60);

impl Executions {
    /// `GetActivityTask`: long-polls the activity's queue.
    pub async fn get_activity_task(
        &self,
        _ctx: RequestContext,
        input: GetActivityTaskInput,
    ) -> Result<GetActivityTaskOutput, ApiError> {
        let arn = &input.activity_arn;
        Arn::parse_as(arn, &[ResourceType::Activity]).map_err(ApiError::invalid_arn)?;
        if self
            .runtime
            .store()
            .activity(arn)
            .await
            .map_err(store_error)?
            .is_none()
        {
            return Err(ApiError::activity_does_not_exist(arn));
        }
        let task = self
            .runtime
            .take_activity_task(arn, input.worker_name, ACTIVITY_POLL)
            .await
            .map_err(api_error)?;
        let mut out = GetActivityTaskOutput::new();
        if let Some(t) = task {
            out.task_token = Some(t.token.to_string());
            out.input = Some(t.input.to_string());
        }
        Ok(out)
    }

    /// `SendTaskSuccess`.
    pub async fn send_task_success(
        &self,
        _ctx: RequestContext,
        input: SendTaskSuccessInput,
    ) -> Result<SendTaskSuccessOutput, ApiError> {
        let output = Value::from_json_str(&input.output).map_err(|e| {
            ApiError::new(ErrorCode::InvalidOutput, format!("Invalid Output: '{e}'"))
        })?;
        self.runtime
            .task_succeeded(&input.task_token, output)
            .await
            .map_err(api_error)?;
        Ok(SendTaskSuccessOutput::new())
    }

    /// `SendTaskFailure`.
    pub async fn send_task_failure(
        &self,
        _ctx: RequestContext,
        input: SendTaskFailureInput,
    ) -> Result<SendTaskFailureOutput, ApiError> {
        self.runtime
            .task_failed(&input.task_token, input.error, input.cause)
            .await
            .map_err(api_error)?;
        Ok(SendTaskFailureOutput::new())
    }

    /// `SendTaskHeartbeat`.
    pub async fn send_task_heartbeat(
        &self,
        _ctx: RequestContext,
        input: SendTaskHeartbeatInput,
    ) -> Result<SendTaskHeartbeatOutput, ApiError> {
        self.runtime
            .task_heartbeat(&input.task_token)
            .await
            .map_err(api_error)?;
        Ok(SendTaskHeartbeatOutput::new())
    }
}
