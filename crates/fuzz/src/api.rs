//! The Step Functions JSON 1.0 protocol.

use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use baton_api::decode::{decode, parse_body};
use baton_api::model::*;
use baton_api::schema::Shaped;
use baton_api::validate::Limits;
use baton_api::{ApiConfig, ApiError, Backend, ErrorCode, Operation};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tower::ServiceExt;

use crate::support::block_on;

/// A backend that implements nothing: every request that decodes is answered by the
/// trait's default, so what is checked is the protocol and the decoding.
struct Nothing;

impl Backend for Nothing {}

/// Decodes `body` as `T`; when it decodes, writes the typed value back as JSON and checks
/// that it decodes again to the same value.
fn check<T>(body: serde_json::Value) -> Result<(), ApiError>
where
    T: Shaped + DeserializeOwned + Serialize + PartialEq + std::fmt::Debug,
{
    let limits = Limits::default();
    let value: T = decode(body, &limits)?;
    let again = serde_json::to_value(&value).expect("a decoded request writes as JSON");
    let back: T = decode(again.clone(), &limits)
        .unwrap_or_else(|e| panic!("{again} does not decode again: {e:?}"));
    assert_eq!(back, value, "{again} decodes to another value");
    Ok(())
}

macro_rules! round_trip {
    ($op:expr, $body:expr, $($name:ident => $ty:ident),* $(,)?) => {
        match $op {
            $(Operation::$name => check::<$ty>($body),)*
        }
    };
}

/// [`check`] with `op`'s input type.
fn typed_round_trip(op: Operation, body: serde_json::Value) -> Result<(), ApiError> {
    round_trip!(
        op,
        body,
        CreateActivity => CreateActivityInput,
        CreateStateMachine => CreateStateMachineInput,
        CreateStateMachineAlias => CreateStateMachineAliasInput,
        DeleteActivity => DeleteActivityInput,
        DeleteStateMachine => DeleteStateMachineInput,
        DeleteStateMachineAlias => DeleteStateMachineAliasInput,
        DeleteStateMachineVersion => DeleteStateMachineVersionInput,
        DescribeActivity => DescribeActivityInput,
        DescribeExecution => DescribeExecutionInput,
        DescribeMapRun => DescribeMapRunInput,
        DescribeStateMachine => DescribeStateMachineInput,
        DescribeStateMachineAlias => DescribeStateMachineAliasInput,
        DescribeStateMachineForExecution => DescribeStateMachineForExecutionInput,
        GetActivityTask => GetActivityTaskInput,
        GetExecutionHistory => GetExecutionHistoryInput,
        ListActivities => ListActivitiesInput,
        ListExecutions => ListExecutionsInput,
        ListMapRuns => ListMapRunsInput,
        ListStateMachineAliases => ListStateMachineAliasesInput,
        ListStateMachineVersions => ListStateMachineVersionsInput,
        ListStateMachines => ListStateMachinesInput,
        ListTagsForResource => ListTagsForResourceInput,
        PublishStateMachineVersion => PublishStateMachineVersionInput,
        RedriveExecution => RedriveExecutionInput,
        SendTaskFailure => SendTaskFailureInput,
        SendTaskHeartbeat => SendTaskHeartbeatInput,
        SendTaskSuccess => SendTaskSuccessInput,
        StartExecution => StartExecutionInput,
        StartSyncExecution => StartSyncExecutionInput,
        StopExecution => StopExecutionInput,
        TagResource => TagResourceInput,
        TestState => TestStateInput,
        UntagResource => UntagResourceInput,
        UpdateMapRun => UpdateMapRunInput,
        UpdateStateMachine => UpdateStateMachineInput,
        UpdateStateMachineAlias => UpdateStateMachineAliasInput,
        ValidateStateMachineDefinition => ValidateStateMachineDefinitionInput,
    )
}

/// The target a request names, from its first byte: one of the 37 operations, a target
/// with no operation, or none at all.
fn target_of(byte: u8) -> (Option<Operation>, Option<String>) {
    let ops = Operation::ALL;
    match byte as usize {
        i if i < ops.len() * 6 => {
            let op = ops[i % ops.len()];
            (Some(op), Some(format!("AWSStepFunctions.{}", op.name())))
        }
        253 => (None, Some("AWSStepFunctions.".into())),
        254 => (None, Some("AWSStepFunctions.Nothing".into())),
        _ => (None, None),
    }
}

/// A Step Functions API request: the first byte picks the action (`X-Amz-Target`), the
/// rest is the body. The answer is AWS-shaped (a JSON object, or `__type` and `message`
/// with the code's status, never a 500), and a body that decodes as the action's input
/// writes back and decodes again to the same value.
pub fn api_request(data: &[u8]) {
    let Some((&first, body)) = data.split_first() else {
        return;
    };
    let (op, target) = target_of(first);

    // The decoder alone: the body, then the action's input type.
    let decoded = parse_body(body).and_then(|value| match op {
        Some(op) => typed_round_trip(op, value),
        None => Ok(()),
    });
    if let Err(e) = &decoded {
        assert!(
            matches!(
                e.code(),
                ErrorCode::SerializationException | ErrorCode::ValidationException
            ),
            "a body is refused as a bad request, not as {:?}: {}",
            e.code(),
            e.message()
        );
    }

    // The whole protocol, through the router.
    let mut request = Request::post("/").header("content-type", "application/x-amz-json-1.0");
    if let Some(t) = &target {
        request = request.header("x-amz-target", t.as_str());
    }
    let request = request.body(Body::from(body.to_vec())).expect("a request");
    let router = baton_api::router(Arc::new(Nothing), ApiConfig::default());
    let (status, headers, bytes) = block_on(async move {
        let response = router
            .oneshot(request)
            .await
            .expect("the router is infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("a response body");
        (status, headers, bytes)
    });
    assert_eq!(
        headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/x-amz-json-1.0")
    );
    let json: serde_json::Value =
        serde_json::from_slice(&bytes).expect("every answer is a JSON document");
    if status.is_success() {
        assert!(json.is_object());
        return;
    }
    let code = json["__type"].as_str().expect("an error has a __type");
    assert!(
        json["message"].is_string(),
        "an error has a message: {json}"
    );
    let known = ErrorCode::parse(code).expect("a known code");
    assert_eq!(known.status(), status.as_u16(), "{code}'s status");
    assert_eq!(
        headers
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok()),
        Some(code)
    );
    assert_ne!(
        known,
        ErrorCode::InternalFailure,
        "{target:?} {}: {json}",
        String::from_utf8_lossy(body)
    );
    match (&decoded, op) {
        // Refused by the decoder alone: the router refuses it the same way.
        (Err(e), Some(_)) => assert_eq!(known, e.code(), "{json}"),
        // Decoded: what refuses it is the backend (here, one that implements nothing).
        (Ok(()), Some(_)) => assert!(
            !matches!(
                known,
                ErrorCode::SerializationException | ErrorCode::ValidationException
            ),
            "a body that decodes is refused by the router: {json}"
        ),
        (_, None) => assert_eq!(known, ErrorCode::UnknownOperationException),
    }
}
