//! Map Runs: DescribeMapRun, ListMapRuns and UpdateMapRun.
//!
//! A distributed Map's Map Run is kept by the runtime as the engine reports it (its
//! status, limits and counts, after every step that changed them). Its iterations run
//! inside the parent execution rather than as separate child executions, so the item and
//! execution counts are the same figures, and ListExecutions by Map Run lists none.

use baton_api::arn::{Arn, ResourceType};
use baton_api::model::*;
use baton_api::page::{decode_token, encode_token, page_size};
use baton_api::{ApiError, RequestContext, Timestamp};
use baton_runtime::RuntimeError;
use baton_store::{MapRunRecord, Page};

use super::Executions;
use super::errors::{api_error, store_error};

fn not_found(arn: &str) -> ApiError {
    api_error(RuntimeError::MapRunNotFound(arn.to_owned()))
}

fn map_run_arn(arn: &str) -> Result<(), ApiError> {
    Arn::parse_as(arn, &[ResourceType::MapRun])
        .map(|_| ())
        .map_err(ApiError::invalid_arn)
}

/// The state machine ARN AWS gives a Map Run's children: `...:stateMachine:NAME/LABEL`.
fn child_machine_arn(map_run_arn: &str) -> String {
    let machine = map_run_arn.replacen(":mapRun:", ":stateMachine:", 1);
    match machine.rsplit_once(':') {
        Some((head, _id)) => head.to_owned(),
        None => machine,
    }
}

fn counts<T: serde::de::DeserializeOwned>(r: &MapRunRecord, key: &str) -> Result<T, ApiError> {
    serde_json::from_str::<serde_json::Value>(&r.counts)
        .ok()
        .and_then(|v| serde_json::from_value(v.get(key)?.clone()).ok())
        .ok_or_else(|| ApiError::internal(format!("the stored counts of {} are unreadable", r.arn)))
}

impl Executions {
    /// `DescribeMapRun`.
    pub async fn describe_map_run(
        &self,
        _ctx: RequestContext,
        input: DescribeMapRunInput,
    ) -> Result<DescribeMapRunOutput, ApiError> {
        let arn = &input.map_run_arn;
        map_run_arn(arn)?;
        let r = self
            .runtime
            .store()
            .map_run(arn)
            .await
            .map_err(store_error)?
            .ok_or_else(|| not_found(arn))?;
        let status = match r.status.as_str() {
            "SUCCEEDED" => MapRunStatus::Succeeded,
            "FAILED" => MapRunStatus::Failed,
            "ABORTED" => MapRunStatus::Aborted,
            _ => MapRunStatus::Running,
        };
        let mut out = DescribeMapRunOutput::new(
            r.arn.clone(),
            r.execution_arn.clone(),
            status,
            Timestamp::from_unix_millis(r.start_date),
            i32::try_from(r.max_concurrency).unwrap_or(i32::MAX),
            r.tolerated_failure_percentage as f32,
            i64::try_from(r.tolerated_failure_count).unwrap_or(i64::MAX),
            counts(&r, "itemCounts")?,
            counts(&r, "executionCounts")?,
        );
        out.stop_date = r.stop_date.map(Timestamp::from_unix_millis);
        out.redrive_count = Some(0);
        Ok(out)
    }

    /// `ListMapRuns`.
    pub async fn list_map_runs(
        &self,
        _ctx: RequestContext,
        input: ListMapRunsInput,
    ) -> Result<ListMapRunsOutput, ApiError> {
        // The execution must exist (an unknown one is an error, not an empty list).
        self.record(&input.execution_arn).await?;
        let page = Page {
            token: input.next_token.as_deref().map(decode_token).transpose()?,
            limit: page_size(input.max_results),
        };
        let paged = self
            .runtime
            .store()
            .list_map_runs(&input.execution_arn, page)
            .await
            .map_err(store_error)?;
        let runs = paged
            .items
            .into_iter()
            .map(|r| {
                let machine = child_machine_arn(&r.arn);
                let mut item = MapRunListItem::new(
                    r.execution_arn,
                    r.arn,
                    machine,
                    Timestamp::from_unix_millis(r.start_date),
                );
                item.stop_date = r.stop_date.map(Timestamp::from_unix_millis);
                item
            })
            .collect();
        let mut out = ListMapRunsOutput::new(runs);
        out.next_token = paged.next.as_deref().map(encode_token);
        Ok(out)
    }

    /// `UpdateMapRun`.
    pub async fn update_map_run(
        &self,
        _ctx: RequestContext,
        input: UpdateMapRunInput,
    ) -> Result<UpdateMapRunOutput, ApiError> {
        let arn = &input.map_run_arn;
        map_run_arn(arn)?;
        if input.max_concurrency.is_none()
            && input.tolerated_failure_count.is_none()
            && input.tolerated_failure_percentage.is_none()
        {
            return Err(ApiError::validation(
                "At least one of maxConcurrency, toleratedFailureCount and toleratedFailurePercentage must be given",
            ));
        }
        let result = self
            .runtime
            .update_map_run(
                arn,
                input.max_concurrency.map(|n| n.max(0) as u64),
                input.tolerated_failure_count.map(|n| n.max(0) as u64),
                input.tolerated_failure_percentage.map(f64::from),
            )
            .await;
        result.map_err(api_error)?;
        Ok(UpdateMapRunOutput::new())
    }
}

#[cfg(test)]
mod tests {
    //! Map Runs through the service, over the memory store, with an activity worker.

    use std::sync::Arc;

    use baton_api::model::*;
    use baton_api::{ApiConfig, Backend, ErrorCode, Operation, RequestContext};
    use baton_store::MemoryStore;

    use crate::config::ServerConfig;
    use crate::server::Server;

    const ROLE: &str = "arn:aws:iam::123456789012:role/r";
    const MACHINE: &str = r#"{"StartAt":"M","States":{"M":{"Type":"Map","End":true,
        "ItemsPath":"$.items","MaxConcurrency":1,"Label":"Work",
        "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
          "StartAt":"T","States":{"T":{"Type":"Task","End":true,
            "Resource":"arn:aws:states:us-east-1:123456789012:activity:work"}}}}}}"#;

    fn ctx(op: Operation) -> RequestContext {
        RequestContext::new(op, &ApiConfig::default())
    }

    async fn describe(server: &Server, arn: &str) -> DescribeMapRunOutput {
        server
            .service()
            .describe_map_run(
                ctx(Operation::DescribeMapRun),
                DescribeMapRunInput::new(arn.to_owned()),
            )
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_map_run_is_described_listed_and_updated_while_it_runs() {
        let config = ServerConfig {
            data_dir: None,
            ..ServerConfig::default()
        };
        let server = Server::with_store(config, Arc::new(MemoryStore::new()))
            .await
            .unwrap();
        let service = server.service();
        let activity = service
            .create_activity(
                ctx(Operation::CreateActivity),
                CreateActivityInput::new("work".into()),
            )
            .await
            .unwrap()
            .activity_arn;
        let mut create = CreateStateMachineInput::new("maps".into(), MACHINE.into(), ROLE.into());
        create.r#type = Some(StateMachineType::Standard);
        let machine = service
            .create_state_machine(ctx(Operation::CreateStateMachine), create)
            .await
            .unwrap()
            .state_machine_arn;
        let mut start = StartExecutionInput::new(machine);
        start.input = Some(r#"{"items":[1,2,3]}"#.into());
        let execution = service
            .start_execution(ctx(Operation::StartExecution), start)
            .await
            .unwrap()
            .execution_arn;

        let runs = service
            .list_map_runs(
                ctx(Operation::ListMapRuns),
                ListMapRunsInput::new(execution.clone()),
            )
            .await
            .unwrap()
            .map_runs;
        assert_eq!(runs.len(), 1);
        let run = runs[0].map_run_arn.clone();
        assert!(run.contains(":mapRun:maps/Work:"), "{run}");
        assert_eq!(
            runs[0].state_machine_arn,
            "arn:aws:states:us-east-1:123456789012:stateMachine:maps/Work"
        );
        let d = describe(&server, &run).await;
        assert_eq!(d.status, MapRunStatus::Running);
        assert_eq!(d.execution_arn, execution);
        assert_eq!(d.max_concurrency, 1);
        assert_eq!(
            (
                d.item_counts.total,
                d.item_counts.running,
                d.item_counts.pending
            ),
            (3, 1, 2)
        );

        let mut update = UpdateMapRunInput::new(run.clone());
        update.max_concurrency = Some(3);
        service
            .update_map_run(ctx(Operation::UpdateMapRun), update)
            .await
            .unwrap();
        let d = describe(&server, &run).await;
        assert_eq!(d.max_concurrency, 3);
        assert_eq!((d.item_counts.running, d.item_counts.pending), (3, 0));

        for _ in 0..3 {
            let task = service
                .get_activity_task(
                    ctx(Operation::GetActivityTask),
                    GetActivityTaskInput::new(activity.clone()),
                )
                .await
                .unwrap();
            let output = task.input.unwrap();
            service
                .send_task_success(
                    ctx(Operation::SendTaskSuccess),
                    SendTaskSuccessInput::new(task.task_token.unwrap(), output),
                )
                .await
                .unwrap();
        }
        let d = describe(&server, &run).await;
        assert_eq!(d.status, MapRunStatus::Succeeded);
        assert!(d.stop_date.is_some());
        assert_eq!(
            (
                d.item_counts.succeeded,
                d.execution_counts.succeeded,
                d.item_counts.running
            ),
            (3, 3, 0)
        );

        let missing = format!("{}-missing", run);
        let e = service
            .describe_map_run(
                ctx(Operation::DescribeMapRun),
                DescribeMapRunInput::new(missing),
            )
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::ResourceNotFound);
        let e = service
            .describe_map_run(
                ctx(Operation::DescribeMapRun),
                DescribeMapRunInput::new(execution.clone()),
            )
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArn);
    }
}
