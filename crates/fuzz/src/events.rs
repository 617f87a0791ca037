//! The event bus: patterns, PutEvents, rules and targets, and Scheduler's REST routes.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use baton_json::Value;
use baton_triggers::Identity;
use baton_triggers::events::{Rule, RuleSet};
use baton_triggers::pattern::Pattern;
use serde_json::json;
use tower::ServiceExt;

use crate::support::{MACHINE, aws_error, block_on, first_line, triggers};

/// An event pattern (the first line) and an event (the rest). The pattern compiles or is
/// refused with a message; a compiled pattern matches any event without a panic, the same
/// way whether the rule set's index picks the rule or not.
pub fn event_pattern(data: &[u8]) {
    let (pattern, event) = first_line(data);
    let pattern = String::from_utf8_lossy(pattern);
    let compiled = match Pattern::parse(&pattern) {
        Ok(p) => p,
        Err(e) => {
            assert!(!e.0.is_empty(), "a pattern refused without a reason");
            return;
        }
    };
    let Ok(event) = Value::from_json_slice(event) else {
        return;
    };
    let matched = compiled.matches(&event);
    assert_eq!(
        compiled.matches(&event),
        matched,
        "matching is deterministic"
    );
    let identity = Identity {
        region: "us-east-1".into(),
        account: "123456789012".into(),
    };
    let raw = json!({"Name": "r", "EventBusName": "default", "EventPattern": pattern, "State": "ENABLED", "Targets": []});
    let rule = Rule::from_raw(raw, &identity).expect("a rule with a pattern that compiles");
    let rules = RuleSet::new(vec![Arc::new(rule)]);
    let by_index = !rules.matching("default", &event).is_empty();
    assert_eq!(
        by_index, matched,
        "the rule set's index and the pattern disagree on {pattern}"
    );
}

/// The actions a request may name, by the input's first byte.
const ACTIONS: &[&str] = &[
    "AWSEvents.PutEvents",
    "AWSEvents.PutRule",
    "AWSEvents.DescribeRule",
    "AWSEvents.ListRules",
    "AWSEvents.EnableRule",
    "AWSEvents.DisableRule",
    "AWSEvents.DeleteRule",
    "AWSEvents.PutTargets",
    "AWSEvents.RemoveTargets",
    "AWSEvents.ListTargetsByRule",
    "AWSEvents.TestEventPattern",
    "AWSEvents.Nothing",
    "Baton.CreateWebhook",
    "Baton.UpdateWebhook",
    "Baton.DescribeWebhook",
    "Baton.ListWebhooks",
    "Baton.DeleteWebhook",
    "Baton.ListDeadLetters",
    "Baton.Nothing",
    // Scheduler's REST routes.
    "POST /schedules/s",
    "PUT /schedules/s",
    "GET /schedules?MaxResults=1&NextToken=",
];

/// The error codes the actions answer with.
const CODES: &[&str] = &[
    "ValidationException",
    "SerializationException",
    "ResourceNotFoundException",
    "ResourceAlreadyExistsException",
    "InvalidEventPatternException",
    "LimitExceededException",
    "UnknownOperationException",
    "ConflictException",
];

async fn send(router: &Router, request: Request<Body>) -> (StatusCode, serde_json::Value) {
    let response = router
        .clone()
        .oneshot(request)
        .await
        .expect("the router is infallible");
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("a response body");
    let json = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
        panic!(
            "an answer that is not JSON ({e}): {}",
            String::from_utf8_lossy(&bytes)
        )
    });
    (status, json)
}

fn action(target: &str, body: Vec<u8>) -> Request<Body> {
    Request::post("/")
        .header("x-amz-target", target)
        .header("content-type", "application/x-amz-json-1.1")
        .body(Body::from(body))
        .expect("a request")
}

/// A request to the event bus or Scheduler's routes: the first byte picks the action, the
/// rest is the body (for the schedules' list, the query's NextToken). The bus holds three
/// rules, one with two targets, and a schedule. The answer is a JSON object, or an error
/// with a known code and a message, never a 500 or a panic.
pub fn put_events(data: &[u8]) {
    let Some((&first, body)) = data.split_first() else {
        return;
    };
    let name = ACTIONS[first as usize % ACTIONS.len()];
    block_on(async move {
        let t = triggers().await;
        let router = baton_triggers::router(t.clone(), Router::new());
        for (rule, pattern) in [
            ("a", r#"{"source":["s"]}"#),
            ("b", r#"{"detail":{"n":[{"numeric":[">",0]}]}}"#),
            ("c", r#"{"source":[{"prefix":""}]}"#),
        ] {
            let (status, answer) = send(
                &router,
                action(
                    "AWSEvents.PutRule",
                    json!({"Name": rule, "EventPattern": pattern})
                        .to_string()
                        .into(),
                ),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{answer}");
        }
        let targets = json!({"Rule": "a", "Targets": [
            {"Id": "1", "Arn": MACHINE},
            {"Id": "2", "Arn": MACHINE, "InputPath": "$.detail"},
        ]});
        let (status, answer) = send(
            &router,
            action("AWSEvents.PutTargets", targets.to_string().into()),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let schedule = json!({"ScheduleExpression": "rate(1 hour)", "FlexibleTimeWindow": {"Mode": "OFF"}, "Target": {"Arn": MACHINE, "RoleArn": "r"}});
        let request = Request::post("/schedules/x")
            .body(Body::from(schedule.to_string()))
            .expect("a request");
        let (status, answer) = send(&router, request).await;
        assert_eq!(status, StatusCode::OK, "{answer}");

        let request = if let Some(target) = name.strip_prefix("GET ") {
            let token: String = String::from_utf8_lossy(body)
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect();
            Request::get(format!("{target}{token}"))
                .body(Body::empty())
                .expect("a request")
        } else if let Some((method, path)) = name.split_once(' ') {
            let method = Method::from_bytes(method.as_bytes()).expect("a method");
            Request::builder()
                .method(method)
                .uri(path)
                .body(Body::from(body.to_vec()))
                .expect("a request")
        } else {
            action(name, body.to_vec())
        };
        let (status, answer) = send(&router, request).await;
        if status.is_success() {
            assert!(answer.is_object(), "{name}: {answer}");
            return;
        }
        assert!(
            status.is_client_error(),
            "{name} {}: {status} {answer}",
            String::from_utf8_lossy(body)
        );
        if name.contains(' ') {
            assert!(answer["Message"].is_string(), "{name}: {answer}");
        } else {
            aws_error(&answer, CODES, name);
        }
    });
}
