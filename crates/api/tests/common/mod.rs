//! A fake backend with canned answers, and helpers to call the router in process.

#![allow(dead_code)]

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use baton_api::arn::{Arn, Resource, ResourceType};
use baton_api::model::*;
use baton_api::page::{decode_token, encode_token, page_size};
use baton_api::{ApiConfig, ApiError, Backend, Passthrough, RequestContext, Timestamp};
use serde_json::{Value, json};
use tower::ServiceExt;

/// The execution the fake knows.
pub const KNOWN_EXECUTION: &str = "arn:aws:states:us-east-1:123456789012:execution:Hello:run-1";
/// The state machine the fake knows.
pub const KNOWN_MACHINE: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:Hello";

/// A history event as an engine or a store would keep it: JSON text in AWS's shape.
pub const RAW_EVENT: &str = r#"{"timestamp":1712345678.5,"type":"PassStateEntered","id":2,"previousEventId":1,"stateEnteredEventDetails":{"name":"Greet","input":"{\"a\":1}","inputDetails":{"truncated":false}}}"#;

pub struct Fake;

fn item(i: usize) -> ExecutionListItem {
    ExecutionListItem {
        execution_arn: format!("arn:aws:states:us-east-1:123456789012:execution:Hello:run-{i}"),
        state_machine_arn: KNOWN_MACHINE.into(),
        name: format!("run-{i}"),
        status: ExecutionStatus::Succeeded,
        start_date: Timestamp::from_unix_millis(1_712_345_678_000 + i as i64),
        stop_date: None,
        map_run_arn: None,
        item_count: None,
        state_machine_version_arn: None,
        state_machine_alias_arn: None,
        redrive_count: None,
        redrive_date: None,
    }
}

impl Backend for Fake {
    async fn describe_execution(
        &self,
        _ctx: RequestContext,
        input: DescribeExecutionInput,
    ) -> Result<DescribeExecutionOutput, ApiError> {
        Arn::parse_as(&input.execution_arn, &[ResourceType::Execution])?;
        if input.execution_arn != KNOWN_EXECUTION {
            return Err(ApiError::execution_does_not_exist(&input.execution_arn));
        }
        Ok(DescribeExecutionOutput {
            execution_arn: KNOWN_EXECUTION.into(),
            state_machine_arn: KNOWN_MACHINE.into(),
            name: Some("run-1".into()),
            status: ExecutionStatus::Succeeded,
            start_date: Timestamp::from_unix_millis(1_712_345_678_123),
            stop_date: Some(Timestamp::from_unix_millis(1_712_345_679_000)),
            input: Some("{\"name\":\"World\"}".into()),
            input_details: Some(CloudWatchEventsExecutionDataDetails {
                included: Some(true),
            }),
            output: Some("{\"greeting\":\"Hello, World!\"}".into()),
            output_details: Some(CloudWatchEventsExecutionDataDetails {
                included: Some(true),
            }),
            trace_header: None,
            map_run_arn: None,
            error: None,
            cause: None,
            state_machine_version_arn: None,
            state_machine_alias_arn: None,
            redrive_count: Some(0),
            redrive_date: None,
            redrive_status: Some(ExecutionRedriveStatus::NotRedrivable),
            redrive_status_reason: Some("Execution is SUCCEEDED and cannot be redriven".into()),
        })
    }

    async fn describe_state_machine(
        &self,
        _ctx: RequestContext,
        input: DescribeStateMachineInput,
    ) -> Result<DescribeStateMachineOutput, ApiError> {
        Arn::parse_as(&input.state_machine_arn, &[ResourceType::StateMachine])?;
        Err(ApiError::state_machine_does_not_exist(
            &input.state_machine_arn,
        ))
    }

    async fn create_state_machine(
        &self,
        ctx: RequestContext,
        input: CreateStateMachineInput,
    ) -> Result<CreateStateMachineOutput, ApiError> {
        baton_api::name::check_name(&input.name)?;
        let arn = ctx.arn(Resource::StateMachine {
            name: input.name,
            qualifier: None,
        });
        Ok(CreateStateMachineOutput {
            state_machine_arn: arn.to_string(),
            creation_date: Timestamp::from_unix_millis(1_712_345_678_000),
            state_machine_version_arn: None,
        })
    }

    async fn list_state_machines(
        &self,
        _ctx: RequestContext,
        _input: ListStateMachinesInput,
    ) -> Result<ListStateMachinesOutput, ApiError> {
        Ok(ListStateMachinesOutput {
            state_machines: vec![StateMachineListItem {
                state_machine_arn: KNOWN_MACHINE.into(),
                name: "Hello".into(),
                r#type: StateMachineType::Standard,
                creation_date: Timestamp::from_unix_millis(1_712_345_678_000),
            }],
            next_token: None,
        })
    }

    async fn list_executions(
        &self,
        _ctx: RequestContext,
        input: ListExecutionsInput,
    ) -> Result<ListExecutionsOutput, ApiError> {
        let start = match &input.next_token {
            Some(t) => decode_token(t)?
                .parse::<usize>()
                .map_err(|_| ApiError::invalid_token("Invalid token"))?,
            None => 0,
        };
        let total = 5;
        let size = page_size(input.max_results);
        let end = (start + size).min(total);
        Ok(ListExecutionsOutput {
            executions: (start..end).map(item).collect(),
            next_token: (end < total).then(|| encode_token(&end.to_string())),
        })
    }

    async fn get_execution_history(
        &self,
        _ctx: RequestContext,
        _input: GetExecutionHistoryInput,
    ) -> Result<GetExecutionHistoryOutput, ApiError> {
        let mut first = HistoryEvent::new(
            Timestamp::from_unix_millis(1_712_345_678_000),
            HistoryEventType::ExecutionStarted,
            1,
        );
        first.previous_event_id = Some(0);
        let mut details = ExecutionStartedEventDetails::new();
        details.input = Some("{}".into());
        details.input_details = Some(HistoryEventExecutionDataDetails {
            truncated: Some(false),
        });
        details.role_arn = Some("arn:aws:iam::123456789012:role/r".into());
        first.execution_started_event_details = Some(details);
        Ok(GetExecutionHistoryOutput {
            events: vec![
                Passthrough::Typed(first),
                Passthrough::json(RAW_EVENT).unwrap(),
            ],
            next_token: None,
        })
    }

    async fn start_sync_execution(
        &self,
        ctx: RequestContext,
        input: StartSyncExecutionInput,
    ) -> Result<StartSyncExecutionOutput, ApiError> {
        Ok(StartSyncExecutionOutput {
            execution_arn: format!("{}:sync", input.state_machine_arn),
            state_machine_arn: Some(input.state_machine_arn),
            name: input.name,
            start_date: Timestamp::from_unix_millis(1_000),
            stop_date: Timestamp::from_unix_millis(2_000),
            status: SyncExecutionStatus::Succeeded,
            error: None,
            cause: None,
            input: input.input,
            input_details: None,
            output: Some(format!("{{\"sync\":{}}}", ctx.sync_endpoint)),
            output_details: None,
            trace_header: None,
            billing_details: None,
        })
    }

    async fn send_task_heartbeat(
        &self,
        _ctx: RequestContext,
        _input: SendTaskHeartbeatInput,
    ) -> Result<SendTaskHeartbeatOutput, ApiError> {
        panic!("the fake backend fails here on purpose");
    }
}

/// A response as the tests look at it.
pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.bytes)))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `(__type, message)` of an error response.
    pub fn error(&self) -> (String, String) {
        let v = self.json();
        (
            v["__type"].as_str().unwrap_or_default().to_owned(),
            v["message"].as_str().unwrap_or_default().to_owned(),
        )
    }
}

pub fn app(config: ApiConfig) -> axum::Router {
    baton_api::router(Arc::new(Fake), config)
}

pub async fn send_request(router: axum::Router, request: Request<Body>) -> Reply {
    let response = router
        .oneshot(request)
        .await
        .expect("the router is infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("the body reads")
        .to_vec();
    Reply {
        status,
        headers,
        bytes,
    }
}

pub fn request(target: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post("/")
        .header("host", "localhost:8083")
        .header("content-type", "application/x-amz-json-1.0")
        .header("x-amz-target", format!("AWSStepFunctions.{target}"))
        .body(body.into())
        .unwrap()
}

/// Calls `target` with the JSON `body` on a router with the default configuration.
pub async fn call(target: &str, body: Value) -> Reply {
    send_request(app(ApiConfig::default()), request(target, body.to_string())).await
}

/// A request body of `shape` built from the model: required members only, or every member.
pub fn example(shape: baton_api::schema::ShapeId, full: bool, depth: usize) -> Value {
    use baton_api::schema::Kind;
    match &shape.shape().kind {
        Kind::Structure { members } => {
            let mut map = serde_json::Map::new();
            for m in *members {
                if m.required || (full && depth < 6) {
                    map.insert(m.name.into(), example(m.shape, full, depth + 1));
                }
            }
            Value::Object(map)
        }
        Kind::List { member, min, .. } => {
            let n = min.unwrap_or(0).max(u64::from(full)) as usize;
            Value::Array((0..n).map(|_| example(*member, full, depth + 1)).collect())
        }
        Kind::Map { value, .. } => json!({"k": example(*value, full, depth + 1)}),
        Kind::String { min, values, .. } => match values.first() {
            Some(v) => json!(v),
            None => json!("a".repeat(min.unwrap_or(1).max(1) as usize)),
        },
        Kind::Boolean => json!(true),
        Kind::Integer { min, .. } | Kind::Long { min, .. } => json!(min.unwrap_or(0)),
        Kind::Float { min, .. } | Kind::Double { min, .. } => json!(min.unwrap_or(0.0)),
        Kind::Timestamp => json!(0),
        Kind::Blob => json!(""),
    }
}
