//! Webhooks: bodies through input templates, ASYNC and SYNC.

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use baton_json::Value;
use serde_json::json;
use tower::ServiceExt;

use crate::support::{MACHINE, block_on, first_line, short, triggers};

/// A webhook and a request to it. The first byte says how the webhook is made (bit 0:
/// SYNC; bit 1: with an input template, the first line of the rest); the rest is the
/// request's body. A template is taken or refused with a ValidationException; a request
/// is answered with a JSON body, never a 500 for what a client sent; in SYNC mode the
/// answer of a successful execution is its output (here, its input), as deep as a
/// document may be.
pub fn webhook(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let sync = flags & 1 == 1;
    let (template, body) = if flags & 2 == 2 {
        let (t, b) = first_line(rest);
        (Some(t), b)
    } else {
        (None, rest)
    };
    block_on(async move {
        let t = triggers().await;
        let router = baton_triggers::router(t.clone(), Router::new());
        let mut def =
            json!({"Name": "h", "Target": MACHINE, "Mode": if sync { "SYNC" } else { "ASYNC" }});
        if let Some(template) = template {
            // A template that is not JSON is a string template.
            let template = serde_json::from_slice::<serde_json::Value>(template)
                .unwrap_or_else(|_| json!(String::from_utf8_lossy(template)));
            def["InputTemplate"] = template;
        }
        let create = Request::post("/")
            .header("x-amz-target", "Baton.CreateWebhook")
            .body(Body::from(def.to_string()))
            .expect("a request");
        let response = router.clone().oneshot(create).await.expect("infallible");
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("a body");
        let answer: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON");
        if !status.is_success() {
            assert_eq!(status, 400, "{answer}");
            assert_eq!(answer["__type"], "ValidationException", "{answer}");
            assert!(answer["message"].is_string());
            return;
        }

        let request = Request::post("/hooks/h")
            .header("content-type", "application/json")
            .body(Body::from(body.to_vec()))
            .expect("a request");
        let response = router.oneshot(request).await.expect("infallible");
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("a body");
        let answer = Value::from_json_slice(&bytes).unwrap_or_else(|e| {
            panic!(
                "a webhook's answer is JSON ({e}): {}",
                String::from_utf8_lossy(&bytes)
            )
        });
        assert!(
            status.is_success() || status == 400,
            "{status}: {}",
            short(&answer.to_json_string())
        );
        if status != 200 {
            assert!(answer.get("message").is_some_and(Value::is_string));
            return;
        }
        if !sync {
            assert!(answer.get("executionArn").is_some_and(Value::is_string));
            return;
        }
        if template.is_none() {
            // The input is the body (`{}` when empty), and the output is the input.
            let text = String::from_utf8_lossy(body);
            let input = if text.trim().is_empty() {
                Value::empty_object()
            } else {
                Value::from_json_str(&text).expect("an input that started")
            };
            assert!(
                answer.json_eq(&input),
                "a SYNC webhook answers its execution's output: {} for {}",
                short(&answer.to_json_string()),
                short(&input.to_json_string())
            );
        }
    });
}
