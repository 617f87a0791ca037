//! Benchmarks, ignored by default: `cargo test --release -p baton-triggers --test bench --
//! --ignored --nocapture`. Figures in docs/TRIGGERS.md.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use baton_json::Value;
use baton_store::{SqliteOptions, SqliteStore, Store, TriggerKind, TriggerRecord};
use baton_triggers::events::{Rule, RuleSet};
use baton_triggers::{
    BoxFuture, Identity, StartError, StartRequest, StartedExecution, Starter, SyncOutcome,
};
use serde_json::json;

fn identity() -> Identity {
    Identity {
        region: "us-east-1".into(),
        account: "123456789012".into(),
    }
}

#[test]
#[ignore]
fn put_events_against_1000_rules() {
    let arn = "arn:aws:states:us-east-1:123456789012:stateMachine:m";
    let mut rules = Vec::new();
    for i in 0..1000 {
        let pattern = match i % 4 {
            0 => json!({"source": [format!("app{i}")], "detail-type": ["order"]}),
            1 => {
                json!({"source": [format!("app{i}")], "detail": {"total": [{"numeric": [">", 100]}]}})
            }
            2 => {
                json!({"detail-type": [format!("type{i}")], "detail": {"state": [{"anything-but": "free"}]}})
            }
            _ => json!({"source": [{"prefix": format!("svc{i}")}]}),
        };
        let raw = json!({"Name": format!("r{i}"), "EventPattern": pattern.to_string(), "Targets": [{"Id": "1", "Arn": arn}]});
        rules.push(Arc::new(Rule::from_raw(raw, &identity()).unwrap()));
    }
    let set = RuleSet::new(rules);
    let events: Vec<Value> = (0..1000)
        .map(|i| {
            Value::from_json_str(&json!({
                "version": "0", "id": "x", "source": format!("app{}", i % 1200), "detail-type": "order",
                "account": "123456789012", "time": "2024-01-01T00:00:00Z", "region": "us-east-1", "resources": [],
                "detail": {"total": i, "state": "gold", "items": [1, 2, 3]}
            }).to_string())
            .unwrap()
        })
        .collect();
    let n = 200_000;
    let started = Instant::now();
    let mut matched = 0;
    for i in 0..n {
        matched += set.matching("default", &events[i % events.len()]).len();
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "PutEvents matching, 1,000 rules: {:.0} events/s on one core ({:.2} µs per event, {matched} matches)",
        n as f64 / secs,
        secs * 1e6 / n as f64
    );
    assert!(n as f64 / secs > 10_000.0);
}

/// Counts the starts it is asked for.
#[derive(Default)]
struct Counter {
    starts: std::sync::atomic::AtomicUsize,
}

impl Starter for Counter {
    fn start(&self, _: StartRequest) -> BoxFuture<'_, Result<StartedExecution, StartError>> {
        self.starts
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Box::pin(async {
            Ok(StartedExecution {
                execution_arn: String::new(),
                start_date: 0,
            })
        })
    }
    fn start_sync(&self, _: StartRequest) -> BoxFuture<'_, Result<SyncOutcome, StartError>> {
        Box::pin(async { Err(StartError::new("InvalidArn", "not in this benchmark")) })
    }
}

/// The whole of PutEvents but the network: requests of 10 entries through the router
/// (parsing, events made, matched against 1,000 rules, deliveries kept, targets started),
/// on one thread; `clients` requests at a time.
fn put_events_requests(label: &str, store: Arc<dyn Store>, clients: usize) -> f64 {
    use axum::body::Body;
    use tower::ServiceExt;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let arn = "arn:aws:states:us-east-1:123456789012:stateMachine:m";
        let counter = Arc::new(Counter::default());
        let mut rules = Vec::new();
        for i in 0..1000 {
            let pattern = match i % 4 {
                0 => json!({"source": [format!("app{i}")], "detail-type": ["order"]}),
                1 => json!({"source": [format!("app{i}")], "detail": {"total": [{"numeric": [">", 100]}]}}),
                2 => json!({"detail-type": [format!("type{i}")], "detail": {"state": [{"anything-but": "free"}]}}),
                _ => json!({"source": [{"prefix": format!("svc{i}")}]}),
            };
            rules.push(json!({"Name": format!("r{i}"), "EventPattern": pattern.to_string(),
                "Targets": [{"Id": "1", "Arn": arn, "InputPath": "$.detail"}]}));
        }
        let config = baton_triggers::TriggersConfig {
            rules,
            ..Default::default()
        };
        let triggers = baton_triggers::Triggers::open(store, counter.clone(), identity(), &config)
            .await
            .unwrap();
        let router = baton_triggers::router(triggers, axum::Router::new());
        let bodies: Arc<Vec<String>> = Arc::new(
            (0..100)
                .map(|r| {
                    let entries: Vec<serde_json::Value> = (0..10)
                        .map(|e| {
                            let i = r * 10 + e;
                            json!({"Source": format!("app{}", i % 1200), "DetailType": "order",
                                "Detail": json!({"total": i, "state": "gold", "items": [1, 2, 3]}).to_string()})
                        })
                        .collect();
                    json!({"Entries": entries}).to_string()
                })
                .collect(),
        );
        let requests = 20_000;
        let started = Instant::now();
        let mut clients_done = Vec::new();
        for c in 0..clients {
            let router = router.clone();
            let bodies = Arc::clone(&bodies);
            clients_done.push(tokio::spawn(async move {
                for i in (c..requests).step_by(clients) {
                    let request = axum::http::Request::post("/")
                        .header("x-amz-target", "AWSEvents.PutEvents")
                        .header("content-type", "application/x-amz-json-1.1")
                        .body(Body::from(bodies[i % bodies.len()].clone()))
                        .unwrap();
                    let response = router.clone().oneshot(request).await.unwrap();
                    assert_eq!(response.status(), 200);
                    let _ = axum::body::to_bytes(response.into_body(), usize::MAX)
                        .await
                        .unwrap();
                }
            }));
        }
        for c in clients_done {
            c.await.unwrap();
        }
        // Let the starts handed to the background finish: until a while passes without
        // one more.
        let mut seen = usize::MAX;
        while seen != counter.starts.load(std::sync::atomic::Ordering::Relaxed) {
            seen = counter.starts.load(std::sync::atomic::Ordering::Relaxed);
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let secs = started.elapsed().as_secs_f64() - 0.02;
        let events = requests * 10;
        println!(
            "PutEvents requests (10 entries), 1,000 rules, one thread, {label}, {clients} at a time: {:.0} events/s ({:.1} µs per request, {} targets started)",
            events as f64 / secs,
            secs * 1e6 / requests as f64,
            counter.starts.load(std::sync::atomic::Ordering::Relaxed)
        );
        events as f64 / secs
    })
}

#[test]
#[ignore]
fn put_events_requests_against_1000_rules_on_one_thread() {
    let rate = put_events_requests(
        "store in memory",
        Arc::new(baton_store::MemoryStore::new()),
        1,
    );
    assert!(rate > 10_000.0);
    // Durable: each request's deliveries are synced to the disk before it is answered
    // (SQLite, fsync; concurrent requests share a sync).
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("baton.db"), SqliteOptions::default()).unwrap();
    put_events_requests("SQLite with fsync", Arc::new(store), 32);
}

struct Lateness {
    late_ms: Mutex<Vec<i64>>,
}

impl Starter for Lateness {
    fn start(&self, r: StartRequest) -> BoxFuture<'_, Result<StartedExecution, StartError>> {
        let now = jiff::Timestamp::now().as_millisecond();
        let v: serde_json::Value = serde_json::from_str(&r.input).unwrap();
        let due = v["t"]
            .as_str()
            .unwrap()
            .parse::<jiff::Timestamp>()
            .unwrap()
            .as_millisecond();
        self.late_ms.lock().unwrap().push(now - due);
        Box::pin(async move {
            Ok(StartedExecution {
                execution_arn: String::new(),
                start_date: now,
            })
        })
    }
    fn start_sync(&self, _: StartRequest) -> BoxFuture<'_, Result<SyncOutcome, StartError>> {
        Box::pin(async {
            Err(StartError::new(
                "InvalidArn",
                "schedules start asynchronously",
            ))
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn a_store_of_100000_schedules_fires_each_on_time() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(
        SqliteStore::open(
            &dir.path().join("baton.db"),
            SqliteOptions {
                synchronous: baton_store::Durability::Normal,
                ..SqliteOptions::default()
            },
        )
        .unwrap(),
    );
    let n = 100_000;
    let spread_s = 20;
    let base = jiff::Timestamp::now().as_second() + 15;
    let created = Instant::now();
    let mut writes = Vec::new();
    for i in 0..n {
        let at = jiff::Timestamp::from_second(base + (i % spread_s) as i64).unwrap();
        let body = json!({"name": format!("s{i}"), "group": "default",
            "expression": format!("at({})", at.strftime("%Y-%m-%dT%H:%M:%S")),
            "target": {"arn": "arn:aws:states:us-east-1:123456789012:stateMachine:m", "input": "{\"t\": \"<aws.scheduler.scheduled-time>\"}"}});
        writes.push(store.create_trigger(TriggerRecord {
            kind: TriggerKind::Schedule,
            name: format!("default/s{i}"),
            body: body.to_string(),
            created: 0,
            updated: 0,
            cursor: None,
        }));
    }
    for w in writes {
        w.await.unwrap();
    }
    let stored = created.elapsed();
    let starter = Arc::new(Lateness {
        late_ms: Mutex::new(Vec::new()),
    });
    let opened = Instant::now();
    let triggers = baton_triggers::Triggers::open(
        Arc::clone(&store),
        starter.clone(),
        identity(),
        &Default::default(),
    )
    .await
    .unwrap();
    let load = opened.elapsed();
    assert!(
        jiff::Timestamp::now().as_second() < base,
        "loaded before the first is due"
    );
    triggers.run();
    while starter.late_ms.lock().unwrap().len() < n {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        assert!(
            jiff::Timestamp::now().as_second() < base + spread_s as i64 + 30,
            "all fired"
        );
    }
    triggers.close();
    let mut late = starter.late_ms.lock().unwrap().clone();
    late.sort_unstable();
    let p = |q: f64| late[((late.len() - 1) as f64 * q) as usize];
    println!(
        "100,000 schedules (SQLite): stored in {:.1} s, loaded and armed in {:.2} s; fired {} late: p50 {} ms, p99 {} ms, max {} ms",
        stored.as_secs_f64(),
        load.as_secs_f64(),
        late.len(),
        p(0.5),
        p(0.99),
        late[late.len() - 1]
    );
    assert!(
        late[late.len() - 1] < 1_000,
        "every schedule within 1 s of its time"
    );
}
