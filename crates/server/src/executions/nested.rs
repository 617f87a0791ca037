//! Nested executions: the `arn:aws:states:::states:startExecution` task resource, in its
//! three forms.
//!
//! - Request-response: starts the child and returns `{ExecutionArn, StartDate, ...}`.
//! - `.sync` / `.sync:2`: starts the child, reports the submission, waits for the child's
//!   end and returns what DescribeExecution says of it (`.sync:2` with `Input` and
//!   `Output` as JSON rather than text); a child that does not succeed fails the task
//!   with `States.TaskFailed` and that description as the cause.
//! - `.waitForTaskToken`: the runtime calls the request-response form, then waits for the
//!   token.
//!
//! A child without a `Name` gets one derived from its parent task, so that a task
//! dispatched again after a restart finds the child it had started instead of starting
//! another.

use std::sync::Arc;

use baton_asl::definition::{IntegrationPattern, Resource};
use baton_integrations::{BoxFuture, Integration, TaskCall, TaskFailure, TaskOutcome};
use baton_json::{Map, Value};
use baton_runtime::{Durability, NewExecution, Outcome, Runtime, RuntimeError};
use baton_store::{ExecutionRecord, ExecutionStatus, MachineType};
use sha2::{Digest, Sha256};
use tokio::sync::watch;

use crate::catalog::Catalog;
use crate::config::ServerConfig;

/// Runs `states:startExecution` tasks.
pub struct StartExecutionTasks {
    catalog: Arc<Catalog>,
    config: Arc<ServerConfig>,
    /// The runtime, once it is open (it is built with the integrations, this one among
    /// them).
    runtime: watch::Receiver<Option<Runtime>>,
}

impl StartExecutionTasks {
    /// The integration, and where to hand it the runtime once open.
    pub fn new(
        catalog: Arc<Catalog>,
        config: Arc<ServerConfig>,
    ) -> (StartExecutionTasks, watch::Sender<Option<Runtime>>) {
        let (tx, rx) = watch::channel(None);
        (
            StartExecutionTasks {
                catalog,
                config,
                runtime: rx,
            },
            tx,
        )
    }
}

impl Integration for StartExecutionTasks {
    fn handles(&self, resource: &Resource) -> bool {
        matches!(resource, Resource::Service { service, action, .. }
            if service == "states" && action == "startExecution")
    }

    fn run(&self, call: TaskCall) -> BoxFuture<TaskOutcome> {
        let catalog = Arc::clone(&self.catalog);
        let config = Arc::clone(&self.config);
        let mut runtime = self.runtime.clone();
        Box::pin(async move {
            let runtime = match runtime.wait_for(Option::is_some).await {
                Ok(r) => r.clone().expect("waited for it"),
                Err(_) => return Err(TaskFailure::new("States.Runtime", "The server is stopping")),
            };
            run(&catalog, &config, &runtime, call).await
        })
    }
}

/// AWS's error for a failed Step Functions call from a task.
fn service_error(e: &baton_api::ApiError) -> TaskFailure {
    let code = e.code().name();
    TaskFailure::new(
        format!("StepFunctions.{code}Exception"),
        format!(
            "{} (Service: AWSStepFunctions; Status Code: {}; Error Code: {code}; Request ID: {}; Proxy: null)",
            e.message(),
            e.status(),
            uuid::Uuid::new_v4()
        ),
    )
}

fn runtime_failure(e: RuntimeError) -> TaskFailure {
    service_error(&super::errors::api_error(e))
}

/// A name for a child the task did not name: the same for every dispatch of the task.
fn derived_name(call: &TaskCall) -> String {
    let digest = Sha256::new()
        .chain_update(call.execution_arn.as_bytes())
        .chain_update(call.work.to_be_bytes())
        .finalize();
    let h: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

async fn run(
    catalog: &Catalog,
    config: &ServerConfig,
    runtime: &Runtime,
    call: TaskCall,
) -> TaskOutcome {
    let (pattern, version) = match &call.resource {
        Resource::Service {
            pattern, version, ..
        } => (*pattern, *version),
        _ => (IntegrationPattern::RequestResponse, None),
    };
    let Some(machine) = call.input.get("StateMachineArn").and_then(Value::as_str) else {
        return Err(TaskFailure::new(
            "States.Runtime",
            "The field 'StateMachineArn' is required by arn:aws:states:::states:startExecution and must be a string",
        ));
    };
    // Input: text as given, a document as compact JSON, absent as `{}`.
    let input = match call.input.get("Input") {
        None | Some(Value::Null) => "{}".to_owned(),
        Some(Value::String(s)) => s.to_string(),
        Some(other) => other.to_json_string(),
    };
    let name = match call.input.get("Name").and_then(Value::as_str) {
        Some(n) => n.to_owned(),
        None => derived_name(&call),
    };
    baton_api::name::check_name(&name).map_err(|e| service_error(&e))?;
    let target = catalog
        .resolve(machine)
        .await
        .map_err(|e| service_error(&e))?;
    let durability = match target.machine_type {
        MachineType::Standard => Durability::Standard,
        MachineType::Express => Durability::Express,
    };
    let region = &config.region;
    let account = &config.account;
    let arn = match durability {
        Durability::Standard => format!(
            "arn:aws:states:{region}:{account}:execution:{}:{name}",
            target.machine_name
        ),
        Durability::Express => format!(
            "arn:aws:states:{region}:{account}:express:{}:{name}:{}",
            target.machine_name,
            uuid::Uuid::new_v4()
        ),
    };
    let new = NewExecution {
        arn: arn.clone(),
        name: name.clone(),
        machine_arn: target.machine_arn.clone(),
        machine_name: target.machine_name.clone(),
        version_arn: target.version_arn.clone(),
        alias_arn: target.alias_arn.clone(),
        map_run_arn: None,
        durability,
        definition: Arc::from(target.definition.as_str()),
        role_arn: target.role_arn.clone(),
        input: input.clone(),
        trace_header: None,
        log: None,
    };
    let sync = pattern == IntegrationPattern::Sync;
    if durability == Durability::Express && sync {
        let outcome = runtime.run(new).await.map_err(runtime_failure)?;
        report_submitted(&call, &arn, outcome.start_date).await;
        return described(
            &outcome_record(&arn, &name, &target.machine_arn, &outcome),
            version,
        );
    }
    let start_date = match runtime.start(new).await {
        Ok(s) => s.start_date,
        // Dispatched again after a restart: the child may have been started (and even
        // have ended) before.
        Err(RuntimeError::AlreadyExists(_)) if call.resumed => match runtime.describe(&arn).await {
            Ok(Some(r)) if r.input == input => r.start_date,
            _ => return Err(runtime_failure(RuntimeError::AlreadyExists(arn))),
        },
        Err(e) => return Err(runtime_failure(e)),
    };
    if !sync {
        return Ok(started_response(&arn, start_date));
    }
    report_submitted(&call, &arn, start_date).await;
    let ended = runtime.wait(&arn).await.map_err(runtime_failure)?;
    let record = match ended {
        Some(outcome) if durability == Durability::Express => {
            outcome_record(&arn, &name, &target.machine_arn, &outcome)
        }
        _ => match runtime.describe(&arn).await {
            Ok(Some(r)) => r,
            Ok(None) => return Err(runtime_failure(RuntimeError::NotFound(arn))),
            Err(e) => return Err(runtime_failure(e)),
        },
    };
    described(&record, version)
}

async fn report_submitted(call: &TaskCall, arn: &str, start_date: i64) {
    if let Some(submitted) = &call.submitted {
        submitted(started_response(arn, start_date)).await;
    }
}

/// StartExecution's response, as the task's result.
fn started_response(arn: &str, start_date: i64) -> Value {
    let mut m = Map::default();
    m.insert("ExecutionArn".into(), Value::from(arn));
    m.insert("StartDate".into(), Value::from(start_date));
    let mut headers = Map::default();
    headers.insert(
        "Content-Type".into(),
        Value::from("application/x-amz-json-1.0"),
    );
    let mut http = Map::default();
    http.insert("HttpHeaders".into(), Value::object(headers));
    http.insert("HttpStatusCode".into(), Value::from(200_u64));
    m.insert("SdkHttpMetadata".into(), Value::object(http));
    let mut meta = Map::default();
    meta.insert(
        "RequestId".into(),
        Value::from(uuid::Uuid::new_v4().to_string()),
    );
    m.insert("SdkResponseMetadata".into(), Value::object(meta));
    Value::object(m)
}

/// An Express child's end as a record (Express executions are not stored).
fn outcome_record(arn: &str, name: &str, machine: &str, o: &Outcome) -> ExecutionRecord {
    ExecutionRecord {
        arn: arn.to_owned(),
        machine_arn: machine.to_owned(),
        version_arn: None,
        alias_arn: None,
        map_run_arn: None,
        name: name.to_owned(),
        status: o.status,
        definition: Arc::from(""),
        role_arn: String::new(),
        input: o.input.to_string(),
        output: o.output.clone(),
        error: o.error.clone(),
        cause: o.cause.clone(),
        start_date: o.start_date,
        stop_date: Some(o.stop_date),
        seed: 0,
        redrive_count: 0,
        redrive_date: None,
        event_count: 0,
        journal_len: 0,
        trace_header: None,
    }
}

/// The task's result for a `.sync` child that ended: DescribeExecution's answer in the
/// task's casing, or `States.TaskFailed` with it as the cause.
fn described(r: &ExecutionRecord, version: Option<u32>) -> TaskOutcome {
    let as_json = version == Some(2);
    let doc = |text: &str| -> Value {
        if as_json {
            Value::from_json_str(text).unwrap_or_else(|_| Value::from(text))
        } else {
            Value::from(text)
        }
    };
    let included = || {
        let mut m = Map::default();
        m.insert("Included".into(), Value::Bool(true));
        Value::object(m)
    };
    let mut m = Map::default();
    if let Some(c) = &r.cause {
        m.insert("Cause".into(), Value::from(c.as_str()));
    }
    if let Some(e) = &r.error {
        m.insert("Error".into(), Value::from(e.as_str()));
    }
    m.insert("ExecutionArn".into(), Value::from(r.arn.as_str()));
    m.insert("Input".into(), doc(&r.input));
    m.insert("InputDetails".into(), included());
    m.insert("Name".into(), Value::from(r.name.as_str()));
    if let Some(o) = &r.output {
        m.insert("Output".into(), doc(o));
        m.insert("OutputDetails".into(), included());
    }
    if as_json {
        m.insert(
            "RedriveCount".into(),
            Value::from(u64::from(r.redrive_count)),
        );
        let (status, reason) = match r.status {
            ExecutionStatus::Succeeded => (
                "NOT_REDRIVABLE",
                Some("Execution is SUCCEEDED and cannot be redriven"),
            ),
            _ => ("REDRIVABLE", None),
        };
        m.insert("RedriveStatus".into(), Value::from(status));
        if let Some(reason) = reason {
            m.insert("RedriveStatusReason".into(), Value::from(reason));
        }
    }
    m.insert("StartDate".into(), Value::from(r.start_date));
    m.insert(
        "StateMachineArn".into(),
        Value::from(r.machine_arn.as_str()),
    );
    m.insert("Status".into(), Value::from(r.status.as_str()));
    if let Some(stop) = r.stop_date {
        m.insert("StopDate".into(), Value::from(stop));
    }
    let value = Value::object(m);
    if r.status == ExecutionStatus::Succeeded {
        Ok(value)
    } else {
        Err(TaskFailure::new(
            "States.TaskFailed",
            value.to_json_string(),
        ))
    }
}
