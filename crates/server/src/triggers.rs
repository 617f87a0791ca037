//! What webhooks, schedules and event rules start executions with: the service's own
//! StartExecution and StartSyncExecution, so a trigger's start is resolved, checked and
//! named exactly as an API call is.

use std::sync::Arc;

use baton_api::model::{StartExecutionInput, StartSyncExecutionInput};
use baton_api::{ApiConfig, ApiError, Backend, Operation, RequestContext};
use baton_triggers::{BoxFuture, StartError, StartRequest, StartedExecution, Starter, SyncOutcome};

use crate::service::Service;

/// [`Starter`] over the service.
pub struct ServiceStarter {
    service: Arc<Service>,
    api: ApiConfig,
}

impl ServiceStarter {
    /// A starter calling `service` as the API does.
    pub fn new(service: Arc<Service>, api: ApiConfig) -> ServiceStarter {
        ServiceStarter { service, api }
    }
}

fn start_error(e: ApiError) -> StartError {
    StartError::new(e.code().name(), e.message())
}

impl Starter for ServiceStarter {
    fn start(&self, r: StartRequest) -> BoxFuture<'_, Result<StartedExecution, StartError>> {
        Box::pin(async move {
            let ctx = RequestContext::new(Operation::StartExecution, &self.api);
            let input = StartExecutionInput {
                name: r.name,
                input: Some(r.input),
                ..StartExecutionInput::new(r.target)
            };
            let out = self
                .service
                .start_execution(ctx, input)
                .await
                .map_err(start_error)?;
            Ok(StartedExecution {
                execution_arn: out.execution_arn,
                start_date: out.start_date.unix_millis(),
            })
        })
    }

    fn start_sync(&self, r: StartRequest) -> BoxFuture<'_, Result<SyncOutcome, StartError>> {
        Box::pin(async move {
            let mut ctx = RequestContext::new(Operation::StartSyncExecution, &self.api);
            ctx.sync_endpoint = true;
            let mut input = StartSyncExecutionInput::new(r.target);
            input.name = r.name;
            input.input = Some(r.input);
            let out = self
                .service
                .start_sync_execution(ctx, input)
                .await
                .map_err(start_error)?;
            Ok(SyncOutcome {
                execution_arn: out.execution_arn,
                status: out.status.as_str().to_owned(),
                output: out.output,
                error: out.error,
                cause: out.cause,
            })
        })
    }
}
