//! The triggers through their HTTP side, over a store in memory and a starter that
//! records what it is asked to start.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use baton_store::{MemoryStore, Page, Store, TriggerKind, TriggerRecord};
use baton_triggers::{
    BoxFuture, Identity, StartError, StartRequest, StartedExecution, Starter, SyncOutcome,
    Triggers, TriggersConfig,
};
use hmac::{KeyInit, Mac};
use serde_json::{Value, json};
use tower::ServiceExt;

const MACHINE: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:m";

#[derive(Default)]
struct Recorder {
    starts: Mutex<Vec<StartRequest>>,
}

impl Recorder {
    fn starts(&self) -> Vec<StartRequest> {
        self.starts.lock().unwrap().clone()
    }
}

impl Starter for Recorder {
    fn start(&self, r: StartRequest) -> BoxFuture<'_, Result<StartedExecution, StartError>> {
        Box::pin(async move {
            if r.target.ends_with(":missing") {
                return Err(StartError::new(
                    "StateMachineDoesNotExist",
                    "State Machine Does Not Exist",
                ));
            }
            if r.target.ends_with(":started") {
                return Err(StartError::new(
                    "ExecutionAlreadyExists",
                    "Execution Already Exists",
                ));
            }
            if r.target.ends_with(":slow") {
                tokio::time::sleep(Duration::from_millis(400)).await;
            }
            self.starts.lock().unwrap().push(r.clone());
            Ok(StartedExecution {
                execution_arn: format!(
                    "{}:{}",
                    r.target.replace("stateMachine", "execution"),
                    r.name.clone().unwrap_or("x".into())
                ),
                start_date: 1_700_000_000_000,
            })
        })
    }

    fn start_sync(&self, r: StartRequest) -> BoxFuture<'_, Result<SyncOutcome, StartError>> {
        Box::pin(async move {
            self.starts.lock().unwrap().push(r.clone());
            Ok(SyncOutcome {
                execution_arn: "arn:aws:states:us-east-1:123456789012:express:m:1:2".into(),
                status: "SUCCEEDED".into(),
                output: Some(format!("{{\"echo\":{}}}", r.input)),
                error: None,
                cause: None,
            })
        })
    }
}

fn identity() -> Identity {
    Identity {
        region: "us-east-1".into(),
        account: "123456789012".into(),
    }
}

async fn setup(store: Arc<dyn Store>) -> (Triggers, Arc<Recorder>, Router) {
    let recorder = Arc::new(Recorder::default());
    let triggers = Triggers::open(
        store,
        recorder.clone(),
        identity(),
        &TriggersConfig::default(),
    )
    .await
    .unwrap();
    triggers.run();
    let router = baton_triggers::router(triggers.clone(), Router::new());
    (triggers, recorder, router)
}

async fn send(router: &Router, req: Request<Body>) -> (StatusCode, Value) {
    let resp = router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn action(router: &Router, target: &str, body: Value) -> (StatusCode, Value) {
    send(
        router,
        Request::post("/")
            .header("x-amz-target", target)
            .header("content-type", "application/x-amz-json-1.1")
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await
}

async fn hook(
    router: &Router,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (StatusCode, Value) {
    let mut req = Request::post(path);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    send(router, req.body(Body::from(body.to_owned())).unwrap()).await
}

async fn wait_for(what: impl Fn() -> bool) {
    for _ in 0..200 {
        if what() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("waited in vain");
}

#[tokio::test]
async fn a_webhook_starts_an_execution_with_its_template() {
    let (_t, rec, router) = setup(Arc::new(MemoryStore::new())).await;
    let (status, out) = action(&router, "Baton.CreateWebhook", json!({
        "Name": "orders", "Target": MACHINE,
        "InputTemplate": {"order.$": "$.body.order", "who.$": "$.headers.x-user", "page.$": "$.query.page", "path.$": "$.path"},
    })).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out["Url"], "/hooks/orders");
    let (status, out) = hook(
        &router,
        "/hooks/orders/a/b?page=2",
        &[("x-user", "ann")],
        r#"{"order": {"id": 7}}"#,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert!(
        out["executionArn"]
            .as_str()
            .unwrap()
            .contains(":execution:m:")
    );
    let starts = rec.starts();
    assert_eq!(starts.len(), 1);
    assert_eq!(starts[0].target, MACHINE);
    let input: Value = serde_json::from_str(&starts[0].input).unwrap();
    assert_eq!(
        input,
        json!({"order": {"id": 7}, "who": "ann", "page": "2", "path": "/a/b"})
    );

    // A JSONata template, and the synchronous mode: the answer is the output.
    action(
        &router,
        "Baton.CreateWebhook",
        json!({
            "Name": "sync", "Target": MACHINE, "Mode": "SYNC",
            "InputTemplate": "{% {'n': $states.input.body.n * 2} %}",
        }),
    )
    .await;
    let (status, out) = hook(&router, "/hooks/sync", &[], r#"{"n": 21}"#).await;
    assert_eq!((status, out), (StatusCode::OK, json!({"echo": {"n": 42}})));

    // Unknown webhooks, bodies that are not JSON without a template, missing machines.
    assert_eq!(
        hook(&router, "/hooks/nope", &[], "{}").await.0,
        StatusCode::NOT_FOUND
    );
    action(
        &router,
        "Baton.CreateWebhook",
        json!({"Name": "plain", "Target": MACHINE}),
    )
    .await;
    assert_eq!(
        hook(&router, "/hooks/plain", &[], "not json").await.0,
        StatusCode::BAD_REQUEST
    );
    action(&router, "Baton.CreateWebhook", json!({"Name": "gone", "Target": "arn:aws:states:us-east-1:123456789012:stateMachine:missing"})).await;
    let (status, out) = hook(&router, "/hooks/gone", &[], "{}").await;
    assert_eq!(
        (status, out["__type"].as_str()),
        (StatusCode::NOT_FOUND, Some("StateMachineDoesNotExist"))
    );

    // Describe leaves secrets out; list; delete.
    let (_, list) = action(&router, "Baton.ListWebhooks", json!({})).await;
    assert_eq!(list["Webhooks"].as_array().unwrap().len(), 4);
    let (status, _) = action(&router, "Baton.DeleteWebhook", json!({"Name": "plain"})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, out) = action(&router, "Baton.DescribeWebhook", json!({"Name": "plain"})).await;
    assert_eq!(
        (status, out["__type"].as_str()),
        (StatusCode::BAD_REQUEST, Some("ResourceNotFoundException"))
    );
    let (status, out) = action(
        &router,
        "Baton.CreateWebhook",
        json!({"Name": "orders", "Target": MACHINE}),
    )
    .await;
    assert_eq!(
        (status, out["__type"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("ResourceAlreadyExistsException")
        )
    );
}

#[tokio::test]
async fn a_webhook_takes_bodies_as_deep_as_json_may_be() {
    let (_t, rec, router) = setup(Arc::new(MemoryStore::new())).await;
    for (name, template) in [
        ("paths", json!({"b.$": "$.body"})),
        ("jsonata", json!({"b": "{% $states.input.body %}"})),
    ] {
        let (status, out) = action(
            &router,
            "Baton.CreateWebhook",
            json!({"Name": name, "Target": MACHINE, "InputTemplate": template}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{out}");
        // 127 levels (254 bytes) parse; the request around them is one level more. 5,000
        // levels are not JSON to the parser: the body is then its text.
        for depth in [127, 5000] {
            let body = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            let (status, out) = hook(&router, &format!("/hooks/{name}"), &[], &body).await;
            assert_eq!(status, StatusCode::OK, "{name}, {depth}: {out}");
        }
    }
    let starts = rec.starts();
    assert_eq!(starts.len(), 4);
    assert!(starts[0].input.starts_with(r#"{"b":[[[["#));
    assert!(starts[1].input.starts_with(r#"{"b":"[[[["#));
    // An event's detail as deep: the event around it is built, not parsed again.
    let detail = format!("{}{}", "[".repeat(126), "]".repeat(126));
    let (status, out) = action(
        &router,
        "AWSEvents.PutEvents",
        json!({"Entries": [{"Source": "s", "DetailType": "t", "Detail": format!("{{\"a\":{detail}}}")}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out["FailedEntryCount"], 0, "{out}");
}

#[tokio::test]
async fn webhook_signatures_are_checked() {
    let (_t, rec, router) = setup(Arc::new(MemoryStore::new())).await;
    action(&router, "Baton.CreateWebhook", json!({
        "Name": "gh", "Target": MACHINE,
        "Auth": {"Type": "HMAC_SHA256", "Header": "X-Hub-Signature-256", "Secret": "s3cret", "Prefix": "sha256="},
    })).await;
    action(
        &router,
        "Baton.CreateWebhook",
        json!({
            "Name": "token", "Target": MACHINE,
            "Auth": {"Type": "SHARED_SECRET", "Header": "X-Token", "Secret": "open-sesame"},
        }),
    )
    .await;
    let body = r#"{"action":"opened"}"#;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"s3cret").unwrap();
    mac.update(body.as_bytes());
    let sig: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let good = format!("sha256={sig}");
    assert_eq!(
        hook(
            &router,
            "/hooks/gh",
            &[("X-Hub-Signature-256", &good)],
            body
        )
        .await
        .0,
        StatusCode::OK
    );
    let bad = format!("sha256={}", "0".repeat(64));
    assert_eq!(
        hook(&router, "/hooks/gh", &[("X-Hub-Signature-256", &bad)], body)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        hook(
            &router,
            "/hooks/gh",
            &[("X-Hub-Signature-256", &good)],
            r#"{"action":"closed"}"#
        )
        .await
        .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        hook(&router, "/hooks/gh", &[], body).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        hook(&router, "/hooks/token", &[("X-Token", "open-sesame")], "{}")
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        hook(&router, "/hooks/token", &[("X-Token", "open-sesamE")], "{}")
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(rec.starts().len(), 2);
    let (_, d) = action(&router, "Baton.DescribeWebhook", json!({"Name": "gh"})).await;
    assert!(d["Auth"].get("Secret").is_none(), "{d}");
}

#[tokio::test]
async fn a_webhook_flood_gets_429_not_a_queue() {
    let (_t, rec, router) = setup(Arc::new(MemoryStore::new())).await;
    action(&router, "Baton.CreateWebhook", json!({
        "Name": "slow", "Target": "arn:aws:states:us-east-1:123456789012:stateMachine:slow", "MaxConcurrency": 4,
    })).await;
    let mut calls = Vec::new();
    for _ in 0..40 {
        let router = router.clone();
        calls.push(tokio::spawn(async move {
            hook(&router, "/hooks/slow", &[], "{}").await.0
        }));
    }
    let mut ok = 0;
    let mut refused = 0;
    for c in calls {
        match c.await.unwrap() {
            StatusCode::OK => ok += 1,
            StatusCode::TOO_MANY_REQUESTS => refused += 1,
            other => panic!("{other}"),
        }
    }
    assert_eq!(ok + refused, 40);
    assert!(ok >= 4 && refused >= 20, "{ok} accepted, {refused} refused");
    assert_eq!(rec.starts().len(), ok);
}

#[tokio::test]
async fn eventbridge_rules_patterns_and_targets() {
    let (t, rec, router) = setup(Arc::new(MemoryStore::new())).await;
    let (status, out) = action(
        &router,
        "AWSEvents.PutRule",
        json!({"Name": "bad", "EventPattern": "{\"source\": \"x\"}"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(out["__type"], "InvalidEventPatternException");
    assert_eq!(
        out["message"],
        "Event pattern is not valid. Reason: \"source\" must be an object or an array"
    );
    let (status, out) = action(&router, "AWSEvents.PutRule", json!({"Name": "orders", "EventPattern": "{\"source\": [\"shop\"], \"detail\": {\"total\": [{\"numeric\": [\">\", 100]}]}}"})).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(
        out["RuleArn"],
        "arn:aws:events:us-east-1:123456789012:rule/orders"
    );
    let (_, out) = action(&router, "AWSEvents.PutTargets", json!({"Rule": "orders", "Targets": [
        {"Id": "sfn", "Arn": MACHINE, "InputTransformer": {"InputPathsMap": {"t": "$.detail.total"}, "InputTemplate": "{\"total\": <t>, \"rule\": <aws.events.rule-name>}"}},
        {"Id": "lambda", "Arn": "arn:aws:lambda:us-east-1:123456789012:function:f"},
    ]})).await;
    assert_eq!(out["FailedEntryCount"], 1, "{out}");
    let (_, out) = action(
        &router,
        "AWSEvents.PutEvents",
        json!({"Entries": [
            {"Source": "shop", "DetailType": "order", "Detail": "{\"total\": 150}"},
            {"Source": "shop", "DetailType": "order", "Detail": "{\"total\": 50}"},
            {"Source": "shop", "DetailType": "order", "Detail": "not json"},
            {"Source": "shop", "Detail": "{}"},
            {"Source": "shop", "DetailType": "order", "Detail": "{}", "Time": 1e300},
        ]}),
    )
    .await;
    assert_eq!(out["FailedEntryCount"], 3, "{out}");
    assert_eq!(out["Entries"][2]["ErrorCode"], "MalformedDetail");
    assert_eq!(out["Entries"][3]["ErrorCode"], "InvalidArgument");
    // A time no calendar has: the entry's error, not an event without a time.
    assert_eq!(out["Entries"][4]["ErrorCode"], "InvalidArgument");
    assert_eq!(
        out["Entries"][4]["ErrorMessage"],
        "Parameter Time is not valid. Reason: Time must be a timestamp between the years -9999 and 9999."
    );
    wait_for(|| rec.starts().len() == 1).await;
    assert_eq!(rec.starts()[0].input, r#"{"total": 150, "rule": "orders"}"#);

    let (_, d) = action(&router, "AWSEvents.DescribeRule", json!({"Name": "orders"})).await;
    assert_eq!(
        (d["State"].as_str(), d["EventBusName"].as_str()),
        (Some("ENABLED"), Some("default"))
    );
    let (_, l) = action(&router, "AWSEvents.ListRules", json!({"NamePrefix": "ord"})).await;
    assert_eq!(l["Rules"].as_array().unwrap().len(), 1);
    let (_, l) = action(
        &router,
        "AWSEvents.ListTargetsByRule",
        json!({"Rule": "orders"}),
    )
    .await;
    assert_eq!(l["Targets"][0]["Id"], "sfn");
    // A NextToken no list gave out, so large that the page after it would overflow.
    let huge = json!(u64::MAX.to_string());
    for (target, body) in [
        ("AWSEvents.ListRules", json!({"NextToken": huge})),
        (
            "AWSEvents.ListTargetsByRule",
            json!({"Rule": "orders", "NextToken": huge, "Limit": 100}),
        ),
    ] {
        let (status, e) = action(&router, target, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{target}: {e}");
        assert_eq!(
            (e["__type"].as_str(), e["message"].as_str()),
            (
                Some("ValidationException"),
                Some("The NextToken is not valid.")
            ),
            "{target}"
        );
    }
    let (status, e) = action(&router, "AWSEvents.DeleteRule", json!({"Name": "orders"})).await;
    assert_eq!(
        (status, e["message"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("Rule can't be deleted since it has targets.")
        )
    );
    action(
        &router,
        "AWSEvents.RemoveTargets",
        json!({"Rule": "orders", "Ids": ["sfn"]}),
    )
    .await;
    assert_eq!(
        action(&router, "AWSEvents.DeleteRule", json!({"Name": "orders"}))
            .await
            .0,
        StatusCode::OK
    );
    let (status, e) = action(&router, "AWSEvents.DescribeRule", json!({"Name": "orders"})).await;
    assert_eq!(
        (status, e["__type"].as_str()),
        (StatusCode::BAD_REQUEST, Some("ResourceNotFoundException"))
    );
    let (_, r) = action(
        &router,
        "AWSEvents.TestEventPattern",
        json!({"EventPattern": "{\"a\": [1]}", "Event": "{\"a\": 1}"}),
    )
    .await;
    assert_eq!(r["Result"], true);
    // Other targets are not ours: the router it wraps gets them.
    let (status, _) = action(&router, "AWSStepFunctions.ListStateMachines", json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A status change of an execution reaches a rule on aws.states.
    action(&router, "AWSEvents.PutRule", json!({"Name": "chain", "EventPattern": "{\"source\": [\"aws.states\"], \"detail\": {\"status\": [\"SUCCEEDED\"]}}"})).await;
    action(&router, "AWSEvents.PutTargets", json!({"Rule": "chain", "Targets": [{"Id": "next", "Arn": MACHINE, "InputPath": "$.detail.output"}]})).await;
    let hook = t.status_hook();
    hook(baton_runtime::StatusChange {
        execution_arn: "arn:aws:states:us-east-1:123456789012:execution:first:e1".into(),
        state_machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:first".into(),
        name: "e1".into(),
        status: baton_store::ExecutionStatus::Succeeded,
        start_date: 1,
        stop_date: Some(2),
        input: "{}".into(),
        output: Some("{\"k\":1}".into()),
        error: None,
        cause: None,
        redrive_count: 0,
        redrive_date: None,
        at: 2,
        outbox_id: None,
    });
    wait_for(|| rec.starts().len() == 2).await;
    assert_eq!(rec.starts()[1].input, r#""{\"k\":1}""#);
}

async fn rest(
    router: &Router,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let req = Request::builder().method(method).uri(path);
    let body = body
        .map(|b| Body::from(b.to_string()))
        .unwrap_or_else(Body::empty);
    send(router, req.body(body).unwrap()).await
}

#[tokio::test]
async fn schedules_through_scheduler_s_api_fire_in_real_time() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let (t, rec, router) = setup(Arc::clone(&store)).await;
    let (status, e) = rest(&router, "POST", "/schedules/bad", Some(json!({
        "ScheduleExpression": "cron(0 12 * * * *)", "FlexibleTimeWindow": {"Mode": "OFF"}, "Target": {"Arn": MACHINE, "RoleArn": "r"},
    }))).await;
    assert_eq!(
        (status, e["Message"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("Invalid Schedule Expression cron(0 12 * * * *).")
        )
    );
    let soon = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(2);
    let at = soon.strftime("%Y-%m-%dT%H:%M:%S").to_string();
    let (status, out) = rest(&router, "POST", "/schedules/soon", Some(json!({
        "ScheduleExpression": format!("at({at})"), "FlexibleTimeWindow": {"Mode": "OFF"},
        "Target": {"Arn": MACHINE, "RoleArn": "r", "Input": "{\"at\": \"<aws.scheduler.scheduled-time>\"}"},
    }))).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(
        out["ScheduleArn"],
        "arn:aws:scheduler:us-east-1:123456789012:schedule/default/soon"
    );
    let (status, _) = rest(&router, "POST", "/schedules/soon", Some(json!({
        "ScheduleExpression": "rate(1 minute)", "FlexibleTimeWindow": {"Mode": "OFF"}, "Target": {"Arn": MACHINE, "RoleArn": "r"},
    }))).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, got) = rest(&router, "GET", "/schedules/soon", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got["ScheduleExpression"], format!("at({at})"));
    assert_eq!(
        rest(&router, "GET", "/schedules/nope", None).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, list) = rest(&router, "GET", "/schedules?NamePrefix=so", None).await;
    assert_eq!(list["Schedules"].as_array().unwrap().len(), 1);

    // A recurring schedule whose StartDate is long past starts from its creation: no
    // occurrence before it is made up.
    let (status, out) = rest(&router, "POST", "/schedules/hourly", Some(json!({
        "ScheduleExpression": "cron(0 * * * ? *)", "StartDate": 1_577_836_800, "FlexibleTimeWindow": {"Mode": "OFF"},
        "Target": {"Arn": MACHINE, "RoleArn": "r"},
    }))).await;
    assert_eq!(status, StatusCode::OK, "{out}");

    wait_for(|| !rec.starts().is_empty()).await;
    let fired = jiff::Timestamp::now();
    let lateness = fired.as_millisecond() - soon.as_millisecond() / 1000 * 1000;
    assert!(lateness < 1_500, "fired {lateness} ms after its time");
    let start = &rec.starts()[0];
    assert_eq!(start.input, format!("{{\"at\": \"{at}Z\"}}"));
    assert_eq!(rec.starts().len(), 1, "only the at() schedule fired");
    assert!(start.name.as_deref().unwrap().starts_with("soon-"));
    // Its cursor is kept: the occurrence is handled.
    wait_for(|| {
        let r = futures_now(store.trigger(TriggerKind::Schedule, "default/soon"));
        r.is_some_and(|r| r.cursor.is_some())
    })
    .await;
    t.close();
    assert_eq!(
        rest(&router, "DELETE", "/schedules/soon", None).await.0,
        StatusCode::OK
    );
}

/// A memory store's futures are ready at once.
fn futures_now<T>(f: baton_store::BoxFuture<'_, baton_store::Result<Option<T>>>) -> Option<T> {
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    let mut f = f;
    match f.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(r) => r.unwrap(),
        std::task::Poll::Pending => None,
    }
}

#[tokio::test]
async fn a_schedule_due_while_down_fires_once_at_the_next_start_and_failed_starts_are_dead_letters()
{
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let now = jiff::Timestamp::now().as_millisecond();
    // A rate(1 minute) last handled an hour ago: sixty occurrences missed.
    let def = json!({"name": "every", "group": "default", "expression": "rate(1 minute)",
        "target": {"arn": MACHINE}});
    store
        .create_trigger(TriggerRecord {
            kind: TriggerKind::Schedule,
            name: "default/every".into(),
            body: def.to_string(),
            created: now - 3_600_000 - 1,
            updated: now - 3_600_000,
            cursor: Some(now - 3_600_001),
        })
        .await
        .unwrap();
    let gone = json!({"name": "gone", "group": "default", "expression": "rate(1 minute)",
        "target": {"arn": "arn:aws:states:us-east-1:123456789012:stateMachine:missing"}});
    store
        .create_trigger(TriggerRecord {
            kind: TriggerKind::Schedule,
            name: "default/gone".into(),
            body: gone.to_string(),
            created: now - 90_000,
            updated: now - 90_000,
            cursor: Some(now - 90_000),
        })
        .await
        .unwrap();
    let (t, rec, _router) = setup(Arc::clone(&store)).await;
    wait_for(|| rec.starts().len() == 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        rec.starts().len(),
        1,
        "once, not once per missed occurrence"
    );
    let letters = store.list_dead_letters(Page::default()).await.unwrap();
    assert_eq!(letters.items.len(), 1);
    assert_eq!(
        (
            letters.items[0].name.as_str(),
            letters.items[0].error.as_str()
        ),
        ("default/gone", "StateMachineDoesNotExist")
    );
    t.close();
    let cursor = store
        .trigger(TriggerKind::Schedule, "default/every")
        .await
        .unwrap()
        .unwrap()
        .cursor
        .unwrap();
    assert!(
        cursor > now - 60_000 && cursor <= now,
        "the latest missed occurrence"
    );
}

#[tokio::test]
async fn configuration_triggers_are_checked_as_the_api_checks_them() {
    let open = |config: TriggersConfig| async move {
        let recorder = Arc::new(Recorder::default());
        let t = Triggers::open(
            Arc::new(MemoryStore::new()),
            recorder.clone(),
            identity(),
            &config,
        )
        .await;
        (t, recorder)
    };
    // A rule whose pattern is a TOML table (a JSON object here) works as its text would.
    let config = TriggersConfig {
        rules: vec![json!({"Name": "shop", "EventPattern": {"source": ["shop"]},
            "Targets": [{"Id": "1", "Arn": MACHINE}]})],
        ..TriggersConfig::default()
    };
    let (t, rec) = open(config).await;
    let router = baton_triggers::router(t.unwrap(), Router::new());
    let (status, out) = action(
        &router,
        "AWSEvents.PutEvents",
        json!({"Entries": [
            {"Source": "shop", "DetailType": "order", "Detail": "{}"},
            {"Source": "elsewhere", "DetailType": "order", "Detail": "{}"},
        ]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    wait_for(|| rec.starts().len() == 1).await;
    let (_, rule) = action(&router, "AWSEvents.DescribeRule", json!({"Name": "shop"})).await;
    assert_eq!(rule["EventPattern"], r#"{"source":["shop"]}"#);

    let refused = [
        TriggersConfig {
            rules: vec![json!({"Name": "q", "EventPattern": "{\"source\": [\"a\"]}",
                "Targets": [{"Id": "1", "Arn": "arn:aws:sqs:us-east-1:123456789012:q"}]})],
            ..TriggersConfig::default()
        },
        TriggersConfig {
            rules: vec![json!({"Name": "many", "EventPattern": "{\"source\": [\"a\"]}",
                "Targets": (0..6).map(|i| json!({"Id": i.to_string(), "Arn": MACHINE})).collect::<Vec<_>>()})],
            ..TriggersConfig::default()
        },
        TriggersConfig {
            rules: vec![json!({"Name": "off", "EventPattern": "{\"source\": [\"a\"]}", "State": "PAUSED"})],
            ..TriggersConfig::default()
        },
        TriggersConfig {
            schedules: vec![serde_json::from_value(json!({"name": "s", "expression": "rate(1 hour)",
                "target": {"arn": "arn:aws:sqs:us-east-1:123456789012:q"}})).unwrap()],
            ..TriggersConfig::default()
        },
        TriggersConfig {
            webhooks: vec![serde_json::from_value(json!({"Name": "w", "Target": MACHINE, "MaxConcurrency": 0})).unwrap()],
            ..TriggersConfig::default()
        },
        TriggersConfig {
            webhooks: vec![serde_json::from_value(json!({"Name": "w", "Target": "arn:aws:lambda:us-east-1:123456789012:function:f"})).unwrap()],
            ..TriggersConfig::default()
        },
    ];
    for config in refused {
        let (t, _) = open(config.clone()).await;
        let Err(e) = t else {
            panic!("accepted: {config:?}");
        };
        assert!(e.to_string().starts_with("bad trigger "), "{config:?}: {e}");
    }
}

#[tokio::test]
async fn deliveries_left_from_before_a_restart_are_made_once_and_forgotten() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let delivery = |id: &str, target: &str| baton_store::DeliveryRecord {
        id: id.into(),
        rule: "default/chain".into(),
        target: target.into(),
        input: format!("{{\"id\":\"{id}\"}}"),
        at: 1,
    };
    store
        .add_deliveries(vec![
            delivery("d1", MACHINE),
            // Started before the restart, not forgotten yet: found, not started again.
            delivery(
                "d2",
                "arn:aws:states:us-east-1:123456789012:stateMachine:started",
            ),
        ])
        .await
        .unwrap();
    let (t, rec, _router) = setup(Arc::clone(&store)).await;
    wait_for(|| rec.starts().len() == 1).await;
    assert_eq!(rec.starts()[0].name.as_deref(), Some("d1"));
    assert_eq!(rec.starts()[0].input, r#"{"id":"d1"}"#);
    for _ in 0..200 {
        if store.deliveries().await.unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(store.deliveries().await.unwrap().is_empty());
    // Resumed once only.
    assert_eq!(t.bus.resume(), 0);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(rec.starts().len(), 1);
    let letters = store
        .list_dead_letters(Page {
            token: None,
            limit: 10,
        })
        .await
        .unwrap();
    assert!(letters.items.is_empty(), "{letters:?}");
}

/// Status changes kept in the outbox (a crash came before they were published, or they
/// were made while the server opened) are published once the listener is set; publishing
/// one again makes the same deliveries, named alike.
#[tokio::test]
async fn status_changes_kept_in_the_outbox_are_published_at_the_start() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let runtime = baton_runtime::Runtime::open(
        Arc::clone(&store),
        baton_integrations::Registry::default(),
        baton_runtime::RuntimeConfig {
            region: "us-east-1".into(),
            account: "123456789012".into(),
            max_payload_bytes: 256 * 1024,
            keep_status_changes: true,
            max_history_events: Some(25_000),
            max_open_executions: None,
        },
    )
    .await
    .unwrap();
    runtime
        .run(baton_runtime::NewExecution {
            arn: "arn:aws:states:us-east-1:123456789012:execution:first:e1".into(),
            name: "e1".into(),
            machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:first".into(),
            machine_name: "first".into(),
            version_arn: None,
            alias_arn: None,
            map_run_arn: None,
            durability: baton_runtime::Durability::Standard,
            definition:
                r#"{"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"k":1},"End":true}}}"#
                    .into(),
            role_arn: "arn:aws:iam::123456789012:role/r".into(),
            input: "{}".into(),
            trace_header: None,
            log: None,
        })
        .await
        .unwrap();
    let kept = store.outbox().await.unwrap();
    assert_eq!(kept.len(), 2, "kept before any listener was set");

    let (t, rec, router) = setup(Arc::clone(&store)).await;
    action(&router, "AWSEvents.PutRule", json!({"Name": "chain", "EventPattern": "{\"source\": [\"aws.states\"], \"detail\": {\"status\": [\"SUCCEEDED\"]}}"})).await;
    action(&router, "AWSEvents.PutTargets", json!({"Rule": "chain", "Targets": [{"Id": "next", "Arn": MACHINE, "InputPath": "$.detail.output"}]})).await;
    assert!(t.listen_to(&runtime));
    wait_for(|| rec.starts().len() == 1).await;
    assert_eq!(rec.starts()[0].input, r#""{\"k\":1}""#);
    for _ in 0..200 {
        if store.outbox().await.unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(
        store.outbox().await.unwrap().is_empty(),
        "published, then forgotten"
    );

    let change = baton_runtime::StatusChange::from_json_text(&kept[1].body).unwrap();
    t.bus.publish(&change).await;
    wait_for(|| rec.starts().len() == 2).await;
    let names: Vec<_> = rec.starts().iter().map(|s| s.name.clone()).collect();
    assert_eq!(
        names[0], names[1],
        "the same change makes the same delivery"
    );
    assert!(
        names[0].as_deref().is_some_and(|n| n.len() == 36),
        "{names:?}"
    );
}

/// A rate without StartDate fires when created, and again when replaced by an update (as
/// a new schedule starts); nothing else falls due within the hour.
#[tokio::test]
async fn a_rate_fires_when_created_and_when_updated() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let (t, rec, router) = setup(Arc::clone(&store)).await;
    let body = |expr: &str| {
        Some(
            json!({"ScheduleExpression": expr, "FlexibleTimeWindow": {"Mode": "OFF"},
            "Target": {"Arn": MACHINE, "RoleArn": "r"}}),
        )
    };
    let (status, out) = rest(&router, "POST", "/schedules/hourly", body("rate(1 hour)")).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    wait_for(|| rec.starts().len() == 1).await;
    let (status, out) = rest(&router, "PUT", "/schedules/hourly", body("rate(2 hours)")).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    wait_for(|| rec.starts().len() == 2).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(rec.starts().len(), 2);
    let names: Vec<_> = rec.starts().iter().map(|s| s.name.clone()).collect();
    assert_ne!(names[0], names[1], "two occurrences, two executions");
    let (_, got) = rest(&router, "GET", "/schedules/hourly", None).await;
    assert_eq!(got["ScheduleExpression"], "rate(2 hours)");
    t.close();
}
