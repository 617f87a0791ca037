//! RedriveExecution, and DescribeExecution's `redriveStatus`: whether an execution can be
//! redriven and, when not, why, in AWS's words (the rules are the runtime's,
//! [`baton_runtime::not_redrivable`]; the server adds what only the catalog knows).

use baton_api::model::*;
use baton_api::{ApiError, ErrorCode, RequestContext, Timestamp};
use baton_store::ExecutionRecord;

use super::Executions;
use super::errors::api_error;

/// AWS's reason when the execution's state machine is being (here: has been) deleted.
const DELETING: &str = "State machine is in DELETING status";
/// A Distributed Map's child execution is redriven through its Map Run (Baton's words).
const BY_MAP_RUN: &str = "Execution belongs to a Map Run and is redriven with it";

impl Executions {
    /// `RedriveExecution`: a Standard execution that failed, timed out or was aborted in
    /// the last 14 days carries on from where it stopped. Express executions are not
    /// kept, and their ARNs are refused as DescribeExecution refuses them.
    pub async fn redrive_execution(
        &self,
        _ctx: RequestContext,
        input: RedriveExecutionInput,
    ) -> Result<RedriveExecutionOutput, ApiError> {
        let arn = &input.execution_arn;
        let record = self.record(arn).await?;
        let refused = |reason: &str| Err(ApiError::new(ErrorCode::ExecutionNotRedrivable, reason));
        if self.machine_gone(&record).await {
            return refused(DELETING);
        }
        if record.map_run_arn.is_some()
            && baton_runtime::not_redrivable(&record, self.runtime.now()).is_none()
        {
            return refused(BY_MAP_RUN);
        }
        let redriven = self
            .runtime
            .redrive(arn, input.client_token.as_deref())
            .await
            .map_err(api_error)?;
        Ok(RedriveExecutionOutput::new(Timestamp::from_unix_millis(
            redriven.redrive_date,
        )))
    }

    /// DescribeExecution's `redriveStatus` and `redriveStatusReason` for `r`.
    pub(crate) async fn redrive_status(
        &self,
        r: &ExecutionRecord,
    ) -> (ExecutionRedriveStatus, Option<String>) {
        let not = |reason: &str| {
            (
                ExecutionRedriveStatus::NotRedrivable,
                Some(reason.to_owned()),
            )
        };
        if let Some(reason) = baton_runtime::not_redrivable(r, self.runtime.now()) {
            not(reason)
        } else if self.machine_gone(r).await {
            not(DELETING)
        } else if r.map_run_arn.is_some() {
            (ExecutionRedriveStatus::RedrivableByMapRun, None)
        } else {
            (ExecutionRedriveStatus::Redrivable, None)
        }
    }

    /// The execution's state machine has been deleted.
    async fn machine_gone(&self, r: &ExecutionRecord) -> bool {
        matches!(
            self.runtime.store().state_machine(&r.machine_arn).await,
            Ok(None)
        )
    }
}

#[cfg(test)]
mod tests {
    //! RedriveExecution through the server over the memory store. Messages asserted
    //! exactly are AWS's (recorded, or from the API reference) unless a comment says
    //! they are Baton's.

    use std::sync::Arc;

    use baton_api::model::*;
    use baton_api::{ApiConfig, ApiError, ErrorCode, Operation, RequestContext};
    use baton_integrations::{Functions, Registry};
    use baton_runtime::{Runtime, RuntimeConfig};
    use baton_store::{MemoryStore, Store};
    use serde_json::{Value, json};

    use super::Executions;
    use crate::catalog::Catalog;
    use crate::config::ServerConfig;

    const ROLE: &str = "arn:aws:iam::111111111111:role/sfn";
    const PREFIX: &str = "arn:aws:states:us-east-1:111111111111";
    /// Fails until it is redriven.
    const FAILS_ONCE: &str = r#"{"QueryLanguage":"JSONata","StartAt":"Prep","States":{
        "Prep":{"Type":"Pass","Output":{"prepared":true},"Next":"Check"},
        "Check":{"Type":"Pass","End":true,
            "Output":"{% $states.context.Execution.RedriveCount > 0 ? {'redrives': $states.context.Execution.RedriveCount} : $error('not yet') %}"}}}"#;
    const WAITS: &str =
        r#"{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}"#;

    async fn executions() -> Executions {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let config = ServerConfig {
            data_dir: None,
            account: "111111111111".to_owned(),
            region: "us-east-1".to_owned(),
            ..ServerConfig::default()
        };
        let catalog = Arc::new(Catalog::new(Arc::clone(&store), Arc::new(config)));
        let runtime = Runtime::open(
            store,
            Registry::new(Functions::none()),
            RuntimeConfig {
                region: "us-east-1".into(),
                account: "111111111111".into(),
                max_payload_bytes: 256 * 1024,
                keep_status_changes: false,
                max_history_events: Some(25_000),
                max_open_executions: None,
            },
        )
        .await
        .unwrap();
        Executions::new(catalog, runtime, None)
    }

    fn cx(op: Operation) -> RequestContext {
        RequestContext::new(op, &ApiConfig::default())
    }

    /// Creates machine `name` and starts an execution of it; its ARN.
    async fn started(x: &Executions, name: &str, definition: &str) -> String {
        let machine = x
            .catalog
            .create_state_machine(
                cx(Operation::CreateStateMachine),
                CreateStateMachineInput::new(
                    name.to_owned(),
                    definition.to_owned(),
                    ROLE.to_owned(),
                ),
            )
            .await
            .unwrap();
        let mut input = StartExecutionInput::new(machine.state_machine_arn);
        input.name = Some("run".to_owned());
        x.start_execution(cx(Operation::StartExecution), input)
            .await
            .unwrap()
            .execution_arn
    }

    async fn redrive(
        x: &Executions,
        arn: &str,
        token: Option<&str>,
    ) -> Result<RedriveExecutionOutput, ApiError> {
        let mut input = RedriveExecutionInput::new(arn.to_owned());
        input.client_token = token.map(str::to_owned);
        x.redrive_execution(cx(Operation::RedriveExecution), input)
            .await
    }

    async fn describe(x: &Executions, arn: &str) -> DescribeExecutionOutput {
        x.describe_execution(
            cx(Operation::DescribeExecution),
            DescribeExecutionInput::new(arn.to_owned()),
        )
        .await
        .unwrap()
    }

    #[track_caller]
    fn assert_error<T: std::fmt::Debug>(r: Result<T, ApiError>, code: ErrorCode, message: &str) {
        let e = r.unwrap_err();
        assert_eq!((e.code(), e.message()), (code, message));
    }

    #[tokio::test]
    async fn a_failed_execution_is_redriven_and_described_as_aws_describes_it() {
        let x = executions().await;
        let arn = started(&x, "m", FAILS_ONCE).await;
        let d = describe(&x, &arn).await;
        assert_eq!(d.status, ExecutionStatus::Failed);
        assert_eq!(d.error.as_deref(), Some("States.QueryEvaluationError"));
        assert_eq!(
            (
                d.redrive_count,
                d.redrive_date,
                d.redrive_status,
                d.redrive_status_reason
            ),
            (
                Some(0),
                None,
                Some(ExecutionRedriveStatus::Redrivable),
                None
            )
        );

        let out = redrive(&x, &arn, Some("token-1")).await.unwrap();
        // Redriven, it ran to its end at once.
        let d = describe(&x, &arn).await;
        assert_eq!(d.status, ExecutionStatus::Succeeded);
        assert_eq!(d.output.as_deref(), Some(r#"{"redrives":1}"#));
        assert_eq!((d.error, d.cause), (None, None));
        assert_eq!(
            (d.redrive_count, d.redrive_date),
            (Some(1), Some(out.redrive_date))
        );
        assert_eq!(
            (d.redrive_status, d.redrive_status_reason.as_deref()),
            (
                Some(ExecutionRedriveStatus::NotRedrivable),
                Some("Execution is SUCCEEDED and cannot be redriven")
            )
        );
        // The same request again is answered the same; another is refused.
        assert_eq!(redrive(&x, &arn, Some("token-1")).await.unwrap(), out);
        assert_error(
            redrive(&x, &arn, Some("token-2")).await,
            ErrorCode::ExecutionNotRedrivable,
            "Execution is SUCCEEDED and cannot be redriven",
        );

        let history = x
            .get_execution_history(
                cx(Operation::GetExecutionHistory),
                GetExecutionHistoryInput::new(arn.clone()),
            )
            .await
            .unwrap();
        let events: Vec<Value> = history
            .events
            .iter()
            .map(|e| serde_json::to_value(e).unwrap())
            .collect();
        let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
        assert_eq!(
            types,
            [
                "ExecutionStarted",
                "PassStateEntered",
                "PassStateExited",
                "PassStateEntered",
                "EvaluationFailed",
                "ExecutionFailed",
                "ExecutionRedriven",
                "PassStateEntered",
                "PassStateExited",
                "ExecutionSucceeded"
            ]
        );
        assert_eq!(
            events[6]["executionRedrivenEventDetails"],
            json!({"redriveCount": 1})
        );

        let mut list = ListExecutionsInput::new();
        list.state_machine_arn = Some(format!("{PREFIX}:stateMachine:m"));
        list.redrive_filter = Some(ExecutionRedriveFilter::Redriven);
        let listed = x
            .list_executions(cx(Operation::ListExecutions), list)
            .await
            .unwrap();
        assert_eq!(listed.executions.len(), 1);
        assert_eq!(listed.executions[0].redrive_count, Some(1));
        assert_eq!(listed.executions[0].redrive_date, Some(out.redrive_date));
    }

    #[tokio::test]
    async fn what_cannot_be_redriven_is_refused_with_aws_errors() {
        let x = executions().await;
        let unknown = format!("{PREFIX}:execution:m:nope");
        assert_error(
            redrive(&x, &unknown, None).await,
            ErrorCode::ExecutionDoesNotExist,
            &format!("Execution Does Not Exist: '{unknown}'"),
        );
        for bad in [
            "not-an-arn".to_owned(),
            format!("{PREFIX}:stateMachine:m"),
            // Express executions are not kept: refused as DescribeExecution refuses them.
            format!("{PREFIX}:express:m:run:0b5f6a3e-1d2c-4e5f-8a9b-0c1d2e3f4a5b"),
        ] {
            let e = redrive(&x, &bad, None).await.unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidArn, "{bad}");
        }

        let running = started(&x, "w", WAITS).await;
        assert_error(
            redrive(&x, &running, None).await,
            ErrorCode::ExecutionNotRedrivable,
            "Execution is RUNNING and cannot be redriven",
        );
        let d = describe(&x, &running).await;
        assert_eq!(
            (d.redrive_status, d.redrive_status_reason.as_deref()),
            (
                Some(ExecutionRedriveStatus::NotRedrivable),
                Some("Execution is RUNNING and cannot be redriven")
            )
        );

        // Stopped: redrivable, until its state machine is deleted.
        x.stop_execution(
            cx(Operation::StopExecution),
            StopExecutionInput::new(running.clone()),
        )
        .await
        .unwrap();
        assert_eq!(
            describe(&x, &running).await.redrive_status,
            Some(ExecutionRedriveStatus::Redrivable)
        );
        x.catalog
            .delete_state_machine(
                cx(Operation::DeleteStateMachine),
                DeleteStateMachineInput::new(format!("{PREFIX}:stateMachine:w")),
            )
            .await
            .unwrap();
        let d = describe(&x, &running).await;
        assert_eq!(
            d.redrive_status_reason.as_deref(),
            Some("State machine is in DELETING status")
        );
        assert_error(
            redrive(&x, &running, None).await,
            ErrorCode::ExecutionNotRedrivable,
            "State machine is in DELETING status",
        );
    }
}
