//! Whatever arrives, the answer is an AWS-shaped response: random targets, random bytes,
//! random JSON, and valid requests with members replaced by random JSON.

mod common;

use axum::body::Body;
use axum::http::Request;
use baton_api::schema::Kind;
use baton_api::{ApiConfig, Operation};
use common::*;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Value};

fn member_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = baton_api::model::SHAPES
        .iter()
        .filter_map(|s| match &s.kind {
            Kind::Structure { members } => Some(members.iter().map(|m| m.name)),
            _ => None,
        })
        .flatten()
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![select(member_names()).prop_map(str::to_owned), "\\PC{0,12}"]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        (0i64..2000).prop_map(Value::from),
        "\\PC{0,30}".prop_map(Value::from),
        select(vec![
            "RUNNING",
            "STANDARD",
            "EXPRESS",
            "ALL",
            "arn:aws:states:us-east-1:1:stateMachine:a"
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn target() -> impl Strategy<Value = String> {
    let ops: Vec<&'static str> = Operation::ALL.iter().map(|o| o.name()).collect();
    prop_oneof![
        4 => select(ops.clone()).prop_map(|n| format!("AWSStepFunctions.{n}")),
        1 => select(ops).prop_map(str::to_owned),
        1 => "AWSStepFunctions\\.[A-Za-z]{0,30}",
        1 => "\\PC{0,40}",
    ]
}

/// A valid request of `op` with some members replaced by random JSON.
fn mutated_request() -> impl Strategy<Value = (Operation, Value)> {
    (
        select(Operation::ALL.to_vec()),
        any::<bool>(),
        prop::collection::vec((any::<prop::sample::Index>(), json_value()), 0..4),
    )
        .prop_map(|(op, full, changes)| {
            let mut body = example(op.input_shape(), full, 0);
            if let Value::Object(map) = &mut body {
                for (index, value) in changes {
                    if map.is_empty() {
                        break;
                    }
                    let k = map.keys().nth(index.index(map.len())).cloned().unwrap();
                    map.insert(k, value);
                }
            }
            (op, body)
        })
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Sends a request and checks the answer is AWS-shaped; returns the error code, if any.
fn check(rt: &tokio::runtime::Runtime, target: Option<&str>, body: Vec<u8>) -> Option<String> {
    let mut builder = Request::post("/").header("content-type", "application/x-amz-json-1.0");
    if let Some(t) = target.and_then(|t| axum::http::HeaderValue::from_str(t).ok()) {
        builder = builder.header("x-amz-target", t);
    }
    let request = builder.body(Body::from(body)).unwrap();
    let reply = rt.block_on(send_request(app(ApiConfig::default()), request));
    assert!(reply.header("x-amzn-requestid").is_some());
    assert_eq!(
        reply.header("content-type"),
        Some("application/x-amz-json-1.0")
    );
    let json = reply.json();
    if reply.status.is_success() {
        assert!(json.is_object());
        return None;
    }
    assert!(
        [400, 413, 500, 501].contains(&reply.status.as_u16()),
        "{}",
        reply.status
    );
    let code = json["__type"].as_str().expect("__type").to_owned();
    assert!(json["message"].is_string());
    assert_eq!(reply.header("x-amzn-errortype"), Some(code.as_str()));
    let known = baton_api::ErrorCode::parse(&code).expect("a known code");
    assert_eq!(known.status(), reply.status.as_u16());
    Some(code)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_targets_and_bytes(target in proptest::option::of(target()), body in prop::collection::vec(any::<u8>(), 0..200)) {
        let rt = runtime();
        check(&rt, target.as_deref(), body);
    }

    #[test]
    fn random_targets_and_json(target in target(), body in json_value()) {
        let rt = runtime();
        let code = check(&rt, Some(&target), body.to_string().into_bytes());
        if target != "AWSStepFunctions.SendTaskHeartbeat" {
            prop_assert_ne!(code.as_deref(), Some("InternalFailure"));
        }
    }

    #[test]
    fn valid_requests_with_random_members((op, body) in mutated_request()) {
        let rt = runtime();
        let target = format!("AWSStepFunctions.{}", op.name());
        let code = check(&rt, Some(&target), body.to_string().into_bytes());
        if op != Operation::SendTaskHeartbeat {
            // Validation and the generated types agree on every body.
            prop_assert_ne!(code.as_deref(), Some("InternalFailure"), "{}", body);
        }
    }
}
