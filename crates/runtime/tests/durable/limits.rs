//! Executions that never end by themselves: they yield between steps, fail at AWS's
//! history limit, carry on after a restart, and count against the open-execution bound.

use std::sync::Arc;
use std::time::Duration;

use baton_json::Value;
use baton_runtime::{RuntimeConfig, RuntimeError};
use baton_store::{ExecutionStatus, SqliteOptions, SqliteStore, Store};

use super::{Disk, PASS, WAIT, config, execution, last_event, open, out_arn};

/// A Choice that never leads to its end.
const ENDLESS: &str = r#"{"StartAt":"Loop","States":{
    "Loop":{"Type":"Choice","Choices":[{"Variable":"$.spin","BooleanEquals":true,"Next":"Spin"}],"Default":"Done"},
    "Spin":{"Type":"Pass","Next":"Loop"},
    "Done":{"Type":"Succeed"}}}"#;

async fn wait_ended(store: &Arc<dyn Store>, arn: &str) -> baton_store::ExecutionRecord {
    for _ in 0..600 {
        let r = store.execution(arn).await.unwrap().unwrap();
        if r.status != ExecutionStatus::Running {
            return r;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{arn} did not end");
}

fn assert_history_full(record: &baton_store::ExecutionRecord) {
    assert_eq!(record.status, ExecutionStatus::Failed);
    assert_eq!(record.error.as_deref(), Some("States.Runtime"));
    assert_eq!(
        record.cause.as_deref(),
        Some("The execution reached the maximum number of history events (25000).")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_runaway_execution_yields_to_others_and_fails_at_the_history_limit() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> =
        Arc::new(SqliteStore::open(&dir.path().join("b.db"), SqliteOptions::default()).unwrap());
    let rt = open(Arc::clone(&store)).await;
    // StartExecution answers once the start is durable, not when the loop ends.
    let started = rt
        .start(execution("runaway", ENDLESS, r#"{"spin":true}"#))
        .await
        .unwrap();
    // Healthy executions run to their end meanwhile.
    for i in 0..20 {
        let out = rt
            .run(execution(&format!("ok{i}"), PASS, "{}"))
            .await
            .unwrap();
        assert_eq!(out.status, ExecutionStatus::Succeeded);
    }
    let record = wait_ended(&store, &started.arn).await;
    assert_history_full(&record);
    let (id, last) = last_event(&store, &started.arn).await;
    assert_eq!(id, 25_000);
    assert_eq!(
        last.get("type").and_then(Value::as_str),
        Some("ExecutionFailed")
    );
    assert_eq!(
        last.get("previousEventId")
            .and_then(Value::as_number)
            .and_then(|n| n.as_u64()),
        Some(24_999)
    );
    // It was committed step by step, not in one piece.
    assert!(record.journal_len > 10, "{}", record.journal_len);
    assert_eq!(rt.open_executions(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_runaway_execution_cut_short_by_a_restart_carries_on_to_the_same_end() {
    let disk = Disk::new();
    let open_store = || disk.open();
    let arn = out_arn("runaway");
    {
        let store = open_store();
        let rt = open(Arc::clone(&store)).await;
        rt.start(execution("runaway", ENDLESS, r#"{"spin":true}"#))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        rt.shutdown().await.unwrap();
    }
    let store = open_store();
    let before = store.execution(&arn).await.unwrap().unwrap();
    assert_eq!(before.status, ExecutionStatus::Running, "cut short");
    let _rt = open(Arc::clone(&store)).await;
    let record = wait_ended(&store, &arn).await;
    assert_history_full(&record);
    assert_eq!(last_event(&store, &arn).await.0, 25_000);
}

#[tokio::test]
async fn standard_executions_beyond_the_open_bound_are_refused_until_one_ends() {
    let store: Arc<dyn Store> = Arc::new(baton_store::MemoryStore::new());
    let rt = baton_runtime::Runtime::open(
        store,
        baton_integrations::Registry::new(baton_integrations::Functions::none()),
        RuntimeConfig {
            max_open_executions: Some(2),
            ..config()
        },
    )
    .await
    .unwrap();
    let a = rt.start(execution("a", WAIT, "{}")).await.unwrap();
    rt.start(execution("b", WAIT, "{}")).await.unwrap();
    let refused = rt.start(execution("c", WAIT, "{}")).await.unwrap_err();
    assert!(
        matches!(refused, RuntimeError::LimitExceeded(2)),
        "{refused:?}"
    );
    assert!(
        refused
            .to_string()
            .contains("maximum number of running executions")
    );
    rt.wait(&a.arn).await.unwrap();
    rt.start(execution("c", WAIT, "{}")).await.unwrap();
}
