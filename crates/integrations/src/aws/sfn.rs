//! `arn:aws:states:::states:startExecution` (request-response, `.sync`, `.sync:2`) against
//! another Step Functions endpoint: AWS, or another Baton. It takes the resource only when
//! an endpoint for `sfn` is set (`AWS_ENDPOINT_URL_SFN`, `[aws.endpoints] sfn`, ...);
//! otherwise `baton serve` runs child executions itself.
//!
//! The results are those of the nested executions Baton runs itself: StartExecution's
//! answer, or for `.sync` DescribeExecution's once the child ended (`Input` and `Output`
//! as JSON for `.sync:2`), and `States.TaskFailed` with that description when the child
//! did not succeed. A child without a `Name` gets one derived from the task, so that a
//! task dispatched again after a restart finds the child it started.

use baton_asl::definition::{IntegrationPattern, Resource};
use baton_json::{Map, Value};

use super::client::Client;
use super::jobs::{StopOnDrop, task_token};
use super::model;
use super::protocol::{Style, text};
use super::{call_op, with_metadata};
use crate::{BoxFuture, Integration, TaskCall, TaskFailure, TaskOutcome};

/// Runs `states:startExecution` tasks on a configured Step Functions endpoint.
pub struct RemoteExecutions {
    client: Client,
}

impl RemoteExecutions {
    /// The integration, or `None` when no `sfn` endpoint is set.
    pub fn configured(client: &Client) -> Option<RemoteExecutions> {
        client
            .settings
            .configured_endpoint("sfn")
            .map(|_| RemoteExecutions {
                client: client.clone(),
            })
    }
}

impl Integration for RemoteExecutions {
    fn handles(&self, resource: &Resource) -> bool {
        matches!(resource, Resource::Service { service, action, .. }
            if service == "states" && action == "startExecution")
    }

    fn run(&self, call: TaskCall) -> BoxFuture<TaskOutcome> {
        let client = self.client.for_task(call.credentials.as_ref());
        Box::pin(async move { run(&client, call).await })
    }
}

fn derived_name(call: &TaskCall) -> String {
    let h = task_token(call);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

async fn run(client: &Client, call: TaskCall) -> TaskOutcome {
    let svc = model::service("sfn").expect("the Step Functions model");
    let (pattern, version) = match &call.resource {
        Resource::Service {
            pattern, version, ..
        } => (*pattern, *version),
        _ => (IntegrationPattern::RequestResponse, None),
    };
    let mut params = call.input.as_object().cloned().unwrap_or_default();
    let input_text = match params.get("Input") {
        None | Some(Value::Null) => "{}".to_owned(),
        Some(v) => text(v),
    };
    params.insert("Input".into(), Value::from(input_text.as_str()));
    if !params.contains_key("Name") {
        params.insert("Name".into(), Value::from(derived_name(&call)));
    }
    let params = Value::object(params);
    let started = call_op(
        client,
        svc,
        "StartExecution",
        &params,
        &call.region,
        Style::Optimized,
    )
    .await;
    let (arn, started_value) = match started {
        Ok((response, out)) => {
            let arn = out.get("ExecutionArn").cloned().unwrap_or(Value::Null);
            (arn, with_metadata(out, &response))
        }
        // Dispatched again after a restart: the child may have been started before.
        Err(f)
            if call.resumed
                && f.error.as_deref() == Some("StepFunctions.ExecutionAlreadyExistsException") =>
        {
            let machine = params
                .get("StateMachineArn")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let name = params
                .get("Name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let arn = format!(
                "{}:{name}",
                machine.replacen(":stateMachine:", ":execution:", 1)
            );
            let mut m = Map::default();
            m.insert("ExecutionArn".into(), Value::from(arn.as_str()));
            (Value::from(arn), Value::object(m))
        }
        Err(f) => return Err(f),
    };
    if pattern != IntegrationPattern::Sync {
        return Ok(started_value);
    }
    if let Some(submitted) = &call.submitted {
        submitted(started_value).await;
    }
    let mut describe = Map::default();
    describe.insert("ExecutionArn".into(), arn.clone());
    let describe = Value::object(describe);
    let mut guard = StopOnDrop {
        client: client.clone(),
        service: model::service("sfn").expect("the Step Functions model"),
        op: "StopExecution",
        input: describe.clone(),
        region: call.region.to_string(),
        armed: true,
    };
    let mut polls = 0u32;
    loop {
        let pause = match polls {
            0 => client
                .settings
                .poll
                .min(std::time::Duration::from_millis(500)),
            _ => client.settings.poll.min(std::time::Duration::from_secs(2)),
        };
        tokio::time::sleep(pause).await;
        polls += 1;
        let (_, d) = call_op(
            client,
            svc,
            "DescribeExecution",
            &describe,
            &call.region,
            Style::Optimized,
        )
        .await?;
        let status = d
            .get("Status")
            .and_then(Value::as_str)
            .unwrap_or("RUNNING")
            .to_owned();
        if status == "RUNNING" || status == "PENDING_REDRIVE" {
            continue;
        }
        guard.armed = false;
        let d = described(d, version == Some(2));
        return if status == "SUCCEEDED" {
            Ok(d)
        } else {
            Err(TaskFailure::new("States.TaskFailed", d.to_json_string()))
        };
    }
}

/// DescribeExecution's answer as the task's result: for `.sync:2`, `Input` and `Output`
/// as JSON.
fn described(d: Value, as_json: bool) -> Value {
    let mut m = d.as_object().cloned().unwrap_or_default();
    if as_json {
        for key in ["Input", "Output"] {
            if let Some(Value::String(s)) = m.get(key)
                && let Ok(v) = Value::from_json_str(s)
            {
                m.insert(key.into(), v);
            }
        }
    }
    Value::object(m)
}
