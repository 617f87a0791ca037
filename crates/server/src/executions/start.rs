//! StartExecution, StartSyncExecution and StopExecution.

use std::sync::Arc;

use baton_api::arn::{Arn, Resource};
use baton_api::model::*;
use baton_api::name::check_name;
use baton_api::{ApiError, RequestContext, Timestamp};
use baton_integrations::mock::{MockConfig, Mocked, TestCase};
use baton_runtime::{Durability, NewExecution, Runtime};
use baton_store::{ExecutionStatus as Status, MachineType};

use super::Executions;
use super::errors::api_error;
use crate::catalog::StartTarget;

/// Mocked service integrations: the mock configuration, and what answers the mocked
/// states of the executions that run one of its test cases.
pub struct Mocks {
    /// The test cases.
    pub config: MockConfig,
    /// The integrations' wrapper that answers for mocked states.
    pub mocked: Arc<Mocked>,
}

impl Mocks {
    /// Once the started execution `execution_arn` ends, its test case is dropped.
    fn forget_at_end(self: &Arc<Self>, runtime: &Runtime, execution_arn: &str) {
        let (mocks, runtime, arn) = (Arc::clone(self), runtime.clone(), execution_arn.to_owned());
        tokio::spawn(async move {
            let _ = runtime.wait(&arn).await;
            mocks.mocked.forget(&arn);
        });
    }
}

impl Executions {
    /// Gives executions started on `stateMachineArn#TestCase` that test case's mocks.
    pub fn with_mocks(mut self, mocks: Option<Mocks>) -> Executions {
        self.mocks = mocks.map(Arc::new);
        self
    }

    /// The execution to start for a request: target resolved, name and input checked,
    /// ARN made; with a mock configuration, the test case `ARN#TestCase` names.
    async fn new_execution(
        &self,
        ctx: &RequestContext,
        machine: &str,
        name: Option<String>,
        input: Option<String>,
        trace_header: Option<String>,
    ) -> Result<(NewExecution, StartTarget, Option<Arc<TestCase>>), ApiError> {
        let (machine, test_case) = match (&self.mocks, machine.split_once('#')) {
            (Some(_), Some((m, case))) => (m, Some(case)),
            _ => (machine, None),
        };
        let target = self.catalog.resolve(machine).await?;
        let test_case = match (&self.mocks, test_case) {
            (Some(mocks), Some(case)) => Some(
                mocks
                    .config
                    .test_case(&target.machine_name, case)
                    .map_err(|e| ApiError::validation(e.to_string()))?,
            ),
            _ => None,
        };
        let name = name.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        check_name(&name)?;
        let input = input.unwrap_or_else(|| "{}".to_owned());
        // Parsed as the runtime will parse it (within Baton's nesting bound), to refuse it
        // before anything is kept.
        if let Err(e) = baton_json::Value::from_json_str(&input) {
            return Err(ApiError::invalid_execution_input(e));
        }
        let (resource, durability) = match target.machine_type {
            MachineType::Standard => (
                Resource::Execution {
                    state_machine: target.machine_name.clone(),
                    name: name.clone(),
                },
                Durability::Standard,
            ),
            MachineType::Express => (
                Resource::Express {
                    state_machine: target.machine_name.clone(),
                    name: name.clone(),
                    id: uuid::Uuid::new_v4().to_string(),
                },
                Durability::Express,
            ),
        };
        let arn: Arn = ctx.arn(resource);
        let new = NewExecution {
            arn: arn.to_string(),
            name,
            machine_arn: target.machine_arn.clone(),
            machine_name: target.machine_name.clone(),
            version_arn: target.version_arn.clone(),
            alias_arn: target.alias_arn.clone(),
            map_run_arn: None,
            durability,
            definition: Arc::from(target.definition.as_str()),
            role_arn: target.role_arn.clone(),
            input,
            trace_header,
            log: match (&self.express_logs, durability) {
                (Some(logs), Durability::Express) => logs.for_machine(target.logging.as_deref()),
                _ => None,
            },
        };
        Ok((new, target, test_case))
    }

    /// Gives an execution about to start its test case, if it has one (before it starts:
    /// its first task may be dispatched while it starts); returns the mocks to tell
    /// [`Executions::started`].
    fn mock(&self, arn: &str, test_case: Option<Arc<TestCase>>) -> Option<&Arc<Mocks>> {
        let (mocks, case) = (self.mocks.as_ref()?, test_case?);
        mocks.mocked.assign(arn, case);
        Some(mocks)
    }

    /// After the start of a mocked execution: its test case goes when it ends (at once if
    /// it did not start).
    fn started<T, E>(&self, mocks: Option<&Arc<Mocks>>, arn: &str, result: &Result<T, E>) {
        match (mocks, result) {
            (Some(m), Ok(_)) => m.forget_at_end(&self.runtime, arn),
            (Some(m), Err(_)) => m.mocked.forget(arn),
            (None, _) => {}
        }
    }

    /// `StartExecution`.
    pub async fn start_execution(
        &self,
        ctx: RequestContext,
        input: StartExecutionInput,
    ) -> Result<StartExecutionOutput, ApiError> {
        let (new, _, test_case) = self
            .new_execution(
                &ctx,
                &input.state_machine_arn,
                input.name,
                input.input,
                input.trace_header,
            )
            .await?;
        let arn = new.arn.clone();
        let mocks = self.mock(&arn, test_case);
        let started = self.runtime.start(new).await;
        self.started(mocks, &arn, &started);
        let started = started.map_err(api_error)?;
        Ok(StartExecutionOutput::new(
            started.arn,
            Timestamp::from_unix_millis(started.start_date),
        ))
    }

    /// `StartSyncExecution`.
    pub async fn start_sync_execution(
        &self,
        ctx: RequestContext,
        input: StartSyncExecutionInput,
    ) -> Result<StartSyncExecutionOutput, ApiError> {
        let (new, target, test_case) = self
            .new_execution(
                &ctx,
                &input.state_machine_arn,
                input.name,
                input.input,
                input.trace_header.clone(),
            )
            .await?;
        if target.machine_type != MachineType::Express {
            return Err(ApiError::state_machine_type_not_supported());
        }
        let arn = new.arn.clone();
        let name = new.name.clone();
        let mocks = self.mock(&arn, test_case);
        // Express executions time out by themselves after five minutes.
        let outcome = self.runtime.run(new).await;
        if let Some(m) = mocks {
            m.mocked.forget(&arn);
        }
        let outcome = outcome.map_err(api_error)?;
        let status = match outcome.status {
            Status::Succeeded => SyncExecutionStatus::Succeeded,
            Status::TimedOut => SyncExecutionStatus::TimedOut,
            _ => SyncExecutionStatus::Failed,
        };
        let mut out = StartSyncExecutionOutput::new(
            arn,
            Timestamp::from_unix_millis(outcome.start_date),
            Timestamp::from_unix_millis(outcome.stop_date),
            status,
        );
        out.state_machine_arn = Some(target.version_arn.unwrap_or(target.machine_arn));
        out.name = Some(name);
        out.input = Some(outcome.input.to_string());
        out.input_details = Some(included());
        if outcome.output.is_some() {
            out.output = outcome.output.clone();
            out.output_details = Some(included());
        }
        out.error = outcome.error.clone();
        out.cause = outcome.cause.clone();
        out.trace_header = input.trace_header;
        out.billing_details = Some(billing(outcome.stop_date - outcome.start_date));
        Ok(out)
    }

    /// `StopExecution`.
    pub async fn stop_execution(
        &self,
        _ctx: RequestContext,
        input: StopExecutionInput,
    ) -> Result<StopExecutionOutput, ApiError> {
        let arn = &input.execution_arn;
        Arn::parse_as(arn, &[baton_api::arn::ResourceType::Execution])
            .map_err(ApiError::invalid_arn)?;
        match self.runtime.stop(arn, input.error, input.cause).await {
            Ok(()) => {}
            // Not open here: ended before, or unknown.
            Err(baton_runtime::RuntimeError::NotFound(_)) => {}
            Err(e) => return Err(api_error(e)),
        }
        let record = self
            .runtime
            .describe(arn)
            .await
            .map_err(api_error)?
            .ok_or_else(|| ApiError::execution_does_not_exist(arn))?;
        let stop = record.stop_date.unwrap_or_else(|| self.runtime.now().0);
        Ok(StopExecutionOutput::new(Timestamp::from_unix_millis(stop)))
    }
}

pub(crate) fn included() -> CloudWatchEventsExecutionDataDetails {
    let mut d = CloudWatchEventsExecutionDataDetails::new();
    d.included = Some(true);
    d
}

/// What AWS bills an Express execution: its duration rounded up to 100 ms, and memory in
/// 64 MB steps (the smallest step: executions here share one process).
fn billing(duration_ms: i64) -> BillingDetails {
    let mut b = BillingDetails::new();
    b.billed_duration_in_milliseconds = Some(((duration_ms.max(1) + 99) / 100) * 100);
    b.billed_memory_used_in_mb = Some(64);
    b
}
