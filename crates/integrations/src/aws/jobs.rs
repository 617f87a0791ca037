//! `.sync` jobs: `ecs:runTask.sync` and `batch:submitJob.sync`. The job is started, its
//! submission reported (`TaskSubmitted`), then its status polled until it ends; the
//! result is the job's description (ECS's task, Batch's job detail, in PascalCase), and a
//! job that did not succeed fails the task with `States.TaskFailed` and that description
//! as the cause. A task cancelled while its job runs (a timeout, the execution stopped)
//! stops the job, as Step Functions does.

use std::time::Duration;

use baton_json::{Map, Value};
use sha2::Digest as _;

use super::client::Client;
use super::model::Service;
use super::protocol::Style;
use super::{call_op, with_metadata};
use crate::{TaskCall, TaskFailure, TaskOutcome};

/// A name for the task's job, the same at every dispatch of the task (an idempotency
/// token for services that take one).
pub(crate) fn task_token(call: &TaskCall) -> String {
    let digest = sha2::Sha256::new()
        .chain_update(call.execution_arn.as_bytes())
        .chain_update(call.work.to_be_bytes())
        .finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// Stops a job when dropped armed (the task was cancelled): calls `op` with `input`.
pub(crate) struct StopOnDrop {
    pub(crate) client: Client,
    pub(crate) service: &'static Service,
    pub(crate) op: &'static str,
    pub(crate) input: Value,
    pub(crate) region: String,
    pub(crate) armed: bool,
}

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let (client, service, op, input, region) = (
            self.client.clone(),
            self.service,
            self.op,
            std::mem::replace(&mut self.input, Value::Null),
            std::mem::take(&mut self.region),
        );
        handle.spawn(async move {
            let _ = call_op(&client, service, op, &input, &region, Style::Optimized).await;
        });
    }
}

fn object(pairs: Vec<(&str, Value)>) -> Value {
    let mut m = Map::default();
    for (k, v) in pairs {
        m.insert(k.into(), v);
    }
    Value::object(m)
}

/// The pause before the next poll: short at first, then the configured interval.
fn pause(client: &Client, polls: u32) -> Duration {
    let poll = client.settings.poll;
    match polls {
        0 => poll.min(Duration::from_millis(500)),
        1 => poll.min(Duration::from_secs(2)),
        _ => poll,
    }
}

async fn report(call: &TaskCall, value: Value) {
    if let Some(submitted) = &call.submitted {
        submitted(value).await;
    }
}

/// `ecs:runTask.sync`.
pub(crate) async fn ecs_sync(
    client: &Client,
    svc: &'static Service,
    call: &TaskCall,
) -> TaskOutcome {
    let mut input = call.input.clone();
    if let Some(m) = input.as_object_mut()
        && !m.contains_key("ClientToken")
    {
        m.insert("ClientToken".into(), Value::from(task_token(call)));
    }
    // Dispatched again after a restart, once submitted: the tasks the submission named
    // are picked up (the client token would also make RunTask answer with them).
    let resumed = call.submission.as_ref().filter(|s| {
        s.get("Tasks")
            .and_then(Value::as_array)
            .is_some_and(|t| !t.is_empty())
    });
    let (response, out) = match resumed {
        Some(s) => (None, s.clone()),
        None => {
            let (response, out) = call_op(
                client,
                svc,
                "RunTask",
                &input,
                &call.region,
                Style::Optimized,
            )
            .await?;
            (Some(response), out)
        }
    };
    let tasks: Vec<Value> = out
        .get("Tasks")
        .and_then(Value::as_array)
        .map(<[Value]>::to_vec)
        .unwrap_or_default();
    let Some(first) = tasks.first() else {
        return Err(TaskFailure::new("States.TaskFailed", out.to_json_string()));
    };
    let arns: Vec<Value> = tasks
        .iter()
        .filter_map(|t| t.get("TaskArn").cloned())
        .collect();
    let cluster = first
        .get("ClusterArn")
        .cloned()
        .or_else(|| call.input.get("Cluster").cloned())
        .unwrap_or(Value::from("default"));
    if let Some(response) = &response {
        report(call, with_metadata(out.clone(), response)).await;
    }
    let mut guard = StopOnDrop {
        client: client.clone(),
        service: svc,
        op: "StopTask",
        input: object(vec![
            ("Cluster", cluster.clone()),
            ("Task", arns.first().cloned().unwrap_or(Value::Null)),
            ("Reason", Value::from("Task stopped by Step Functions")),
        ]),
        region: call.region.to_string(),
        armed: true,
    };
    let describe = object(vec![("Cluster", cluster), ("Tasks", Value::array(arns))]);
    let mut polls = 0;
    loop {
        tokio::time::sleep(pause(client, polls)).await;
        polls += 1;
        let (_, d) = call_op(
            client,
            svc,
            "DescribeTasks",
            &describe,
            &call.region,
            Style::Optimized,
        )
        .await?;
        let described = d.get("Tasks").and_then(Value::as_array).unwrap_or_default();
        if described.is_empty() {
            continue;
        }
        let stopped = described
            .iter()
            .all(|t| t.get("LastStatus").and_then(Value::as_str) == Some("STOPPED"));
        if !stopped {
            continue;
        }
        guard.armed = false;
        let task = described[0].clone();
        let succeeded = described.iter().all(|t| {
            let containers = t
                .get("Containers")
                .and_then(Value::as_array)
                .unwrap_or_default();
            !containers.is_empty()
                && containers
                    .iter()
                    .all(|c| c.get("ExitCode").and_then(Value::as_i64) == Some(0))
        });
        return if succeeded {
            Ok(task)
        } else {
            Err(TaskFailure::new("States.TaskFailed", task.to_json_string()))
        };
    }
}

/// `batch:submitJob.sync`.
pub(crate) async fn batch_sync(
    client: &Client,
    svc: &'static Service,
    call: &TaskCall,
) -> TaskOutcome {
    // Dispatched again after a restart, once submitted: Batch takes no idempotency token,
    // so the job the submission named is picked up instead of submitting another.
    let submitted = call
        .submission
        .as_ref()
        .and_then(|s| s.get("JobId"))
        .filter(|id| id.as_str().is_some())
        .cloned();
    let id = match submitted {
        Some(id) => id,
        None => {
            let (response, out) = call_op(
                client,
                svc,
                "SubmitJob",
                &call.input,
                &call.region,
                Style::Optimized,
            )
            .await?;
            let Some(id) = out.get("JobId").cloned() else {
                return Err(TaskFailure::new("States.TaskFailed", out.to_json_string()));
            };
            report(call, with_metadata(out.clone(), &response)).await;
            id
        }
    };
    let mut guard = StopOnDrop {
        client: client.clone(),
        service: svc,
        op: "TerminateJob",
        input: object(vec![
            ("JobId", id.clone()),
            ("Reason", Value::from("Job terminated by Step Functions")),
        ]),
        region: call.region.to_string(),
        armed: true,
    };
    let describe = object(vec![("Jobs", Value::array(vec![id]))]);
    let mut polls = 0;
    loop {
        tokio::time::sleep(pause(client, polls)).await;
        polls += 1;
        let (_, d) = call_op(
            client,
            svc,
            "DescribeJobs",
            &describe,
            &call.region,
            Style::Optimized,
        )
        .await?;
        let Some(job) = d.get("Jobs").and_then(|j| j.index(0)).cloned() else {
            continue;
        };
        match job.get("Status").and_then(Value::as_str) {
            Some("SUCCEEDED") => {
                guard.armed = false;
                return Ok(job);
            }
            Some("FAILED") => {
                guard.armed = false;
                return Err(TaskFailure::new("States.TaskFailed", job.to_json_string()));
            }
            _ => {}
        }
    }
}
