//! Reading executions: DescribeExecution, ListExecutions, GetExecutionHistory and
//! DescribeStateMachineForExecution, all from the store.

use baton_api::arn::{Arn, ResourceType};
use baton_api::model::*;
use baton_api::page::{decode_token, encode_token, page_size};
use baton_api::{ApiError, Passthrough, RequestContext, Timestamp};
use baton_store::{ExecutionFilter, ExecutionRecord, ExecutionStatus as Status, MachineType, Page};

use super::Executions;
use super::errors::store_error;
use super::start::included;

fn api_status(s: Status) -> ExecutionStatus {
    match s {
        Status::Running => ExecutionStatus::Running,
        Status::Succeeded => ExecutionStatus::Succeeded,
        Status::Failed => ExecutionStatus::Failed,
        Status::TimedOut => ExecutionStatus::TimedOut,
        Status::Aborted => ExecutionStatus::Aborted,
        Status::PendingRedrive => ExecutionStatus::PendingRedrive,
    }
}

fn store_status(s: ExecutionStatus) -> Status {
    match s {
        ExecutionStatus::Running => Status::Running,
        ExecutionStatus::Succeeded => Status::Succeeded,
        ExecutionStatus::Failed => Status::Failed,
        ExecutionStatus::TimedOut => Status::TimedOut,
        ExecutionStatus::Aborted => Status::Aborted,
        ExecutionStatus::PendingRedrive => Status::PendingRedrive,
    }
}

fn ts(ms: i64) -> Timestamp {
    Timestamp::from_unix_millis(ms)
}

/// `true` unless the caller asked for metadata only.
fn wants_data(included: Option<IncludedData>) -> bool {
    !matches!(included, Some(IncludedData::MetadataOnly))
}

impl Executions {
    /// The stored execution `arn` (a Standard execution's ARN), or AWS's error.
    pub(crate) async fn record(&self, arn: &str) -> Result<ExecutionRecord, ApiError> {
        // Express executions are not kept: AWS refuses their ARNs here.
        Arn::parse_as(arn, &[ResourceType::Execution]).map_err(ApiError::invalid_arn)?;
        self.runtime
            .store()
            .execution(arn)
            .await
            .map_err(store_error)?
            .ok_or_else(|| ApiError::execution_does_not_exist(arn))
    }

    /// `DescribeExecution`.
    pub async fn describe_execution(
        &self,
        _ctx: RequestContext,
        input: DescribeExecutionInput,
    ) -> Result<DescribeExecutionOutput, ApiError> {
        let r = self.record(&input.execution_arn).await?;
        let (redrive_status, redrive_status_reason) = self.redrive_status(&r).await;
        let data = wants_data(input.included_data);
        let mut out = DescribeExecutionOutput::new(
            r.arn,
            r.machine_arn,
            api_status(r.status),
            ts(r.start_date),
        );
        out.name = Some(r.name);
        out.stop_date = r.stop_date.map(ts);
        if data {
            out.input = Some(r.input);
            out.input_details = Some(included());
            if r.output.is_some() {
                out.output = r.output;
                out.output_details = Some(included());
            }
        }
        out.error = r.error;
        out.cause = r.cause;
        out.trace_header = r.trace_header;
        out.map_run_arn = r.map_run_arn;
        out.state_machine_version_arn = r.version_arn;
        out.state_machine_alias_arn = r.alias_arn;
        // AWS shows the count also when it is 0; the date once redriven.
        out.redrive_count = Some(i32::try_from(r.redrive_count).unwrap_or(i32::MAX));
        out.redrive_date = r.redrive_date.map(ts);
        out.redrive_status = Some(redrive_status);
        out.redrive_status_reason = redrive_status_reason;
        Ok(out)
    }

    /// `ListExecutions`.
    pub async fn list_executions(
        &self,
        _ctx: RequestContext,
        input: ListExecutionsInput,
    ) -> Result<ListExecutionsOutput, ApiError> {
        let machine = match (&input.state_machine_arn, &input.map_run_arn) {
            (Some(m), None) => Some(m.clone()),
            (None, Some(_)) => None,
            _ => {
                return Err(ApiError::validation(
                    "Exactly one of stateMachineArn and mapRunArn must be given",
                ));
            }
        };
        if let Some(arn) = &machine {
            Arn::parse_as(arn, &[ResourceType::StateMachine]).map_err(ApiError::invalid_arn)?;
            // Unknown machines are an error; Express ones keep no executions to list.
            if self.catalog.resolve(arn).await?.machine_type == MachineType::Express {
                return Err(ApiError::state_machine_type_not_supported());
            }
        }
        let filter = ExecutionFilter {
            machine_arn: machine,
            status: input.status_filter.map(store_status),
            map_run_arn: input.map_run_arn.clone(),
            redriven: input
                .redrive_filter
                .map(|f| f == ExecutionRedriveFilter::Redriven),
        };
        let page = Page {
            token: input.next_token.as_deref().map(decode_token).transpose()?,
            limit: page_size(input.max_results),
        };
        let paged = self
            .runtime
            .store()
            .list_executions(filter, page)
            .await
            .map_err(store_error)?;
        let executions = paged
            .items
            .into_iter()
            .map(|r| {
                let mut item = ExecutionListItem::new(
                    r.arn,
                    r.machine_arn,
                    r.name,
                    api_status(r.status),
                    ts(r.start_date),
                );
                item.stop_date = r.stop_date.map(ts);
                item.map_run_arn = r.map_run_arn;
                item.state_machine_version_arn = r.version_arn;
                item.state_machine_alias_arn = r.alias_arn;
                item.redrive_count = Some(i32::try_from(r.redrive_count).unwrap_or(i32::MAX));
                item.redrive_date = r.redrive_date.map(ts);
                item
            })
            .collect();
        let mut out = ListExecutionsOutput::new(executions);
        out.next_token = paged.next.as_deref().map(encode_token);
        Ok(out)
    }

    /// `GetExecutionHistory`.
    pub async fn get_execution_history(
        &self,
        _ctx: RequestContext,
        input: GetExecutionHistoryInput,
    ) -> Result<GetExecutionHistoryOutput, ApiError> {
        // The record first: an unknown execution is an error, not an empty history.
        self.record(&input.execution_arn).await?;
        let page = Page {
            token: input.next_token.as_deref().map(decode_token).transpose()?,
            limit: page_size(input.max_results),
        };
        let paged = self
            .runtime
            .store()
            .history(
                &input.execution_arn,
                input.reverse_order.unwrap_or(false),
                page,
            )
            .await
            .map_err(store_error)?;
        let with_data = input.include_execution_data.unwrap_or(true);
        let events = paged
            .items
            .into_iter()
            .map(|e| {
                let text = if with_data {
                    e.json
                } else {
                    without_data(&e.json)
                };
                Passthrough::json(text)
                    .map_err(|err| ApiError::internal(format!("a stored event is not JSON: {err}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut out = GetExecutionHistoryOutput::new(events);
        out.next_token = paged.next.as_deref().map(encode_token);
        Ok(out)
    }

    /// `DescribeStateMachineForExecution`.
    pub async fn describe_state_machine_for_execution(
        &self,
        _ctx: RequestContext,
        input: DescribeStateMachineForExecutionInput,
    ) -> Result<DescribeStateMachineForExecutionOutput, ApiError> {
        let r = self.record(&input.execution_arn).await?;
        let name = r
            .machine_arn
            .rsplit(':')
            .next()
            .unwrap_or_default()
            .to_owned();
        let updated = match self.runtime.store().state_machine(&r.machine_arn).await {
            Ok(Some(m)) => m.updated,
            _ => r.start_date,
        };
        let definition = if wants_data(input.included_data) {
            r.definition.to_string()
        } else {
            String::new()
        };
        let mut out = DescribeStateMachineForExecutionOutput::new(
            r.machine_arn,
            name,
            definition,
            r.role_arn,
            ts(updated),
        );
        out.map_run_arn = r.map_run_arn;
        Ok(out)
    }
}

/// An event without its documents (`includeExecutionData: false`): inputs, outputs and
/// parameters left out of its details.
fn without_data(json: &str) -> String {
    let Ok(mut v) = serde_json::from_str::<serde_json::Value>(json) else {
        return json.to_owned();
    };
    if let Some(event) = v.as_object_mut() {
        for (key, details) in event.iter_mut() {
            if let (true, Some(d)) = (key.ends_with("EventDetails"), details.as_object_mut()) {
                for field in ["input", "output", "parameters", "assignedVariables"] {
                    d.remove(field);
                }
                for field in ["inputDetails", "outputDetails", "assignedVariablesDetails"] {
                    if let Some(x) = d.get_mut(field).and_then(|x| x.as_object_mut()) {
                        x.insert("included".into(), false.into());
                        x.remove("truncated");
                    }
                }
            }
        }
    }
    v.to_string()
}
