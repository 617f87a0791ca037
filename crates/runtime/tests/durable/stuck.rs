//! Nothing stuck, nothing lost: an execution that cannot be replayed fails instead of
//! staying RUNNING, and an accepted Express execution runs after a crash.

use std::sync::Arc;
use std::time::Duration;

use baton_json::Value;
use baton_runtime::Durability;
use baton_store::{ExecutionCommit, ExecutionStatus, JournalEntry, Store};

use super::{Disk, PASS, WAIT, execution, last_event, open, out_arn};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_execution_that_cannot_be_replayed_fails_with_a_cause_instead_of_waiting_for_ever() {
    let disk = Disk::new();
    let open_store = || disk.open();
    let arn = out_arn("broken");
    {
        let store = open_store();
        let rt = open(Arc::clone(&store)).await;
        rt.start(execution("broken", WAIT, "{}")).await.unwrap();
        rt.start(execution("fine", WAIT, "{}")).await.unwrap();
        rt.shutdown().await.unwrap();
    }
    {
        // A journal entry this version cannot read (as if written by another).
        let store = open_store();
        let record = store.execution(&arn).await.unwrap().unwrap();
        store
            .commit(ExecutionCommit {
                execution_arn: arn.clone(),
                journal: vec![JournalEntry {
                    seq: record.journal_len,
                    at: record.start_date,
                    input: r#"{"k":"FromTheFuture"}"#.into(),
                }],
                ..ExecutionCommit::default()
            })
            .await
            .unwrap();
        store.close().await.unwrap();
    }
    let store = open_store();
    let rt = open(Arc::clone(&store)).await;
    let record = store.execution(&arn).await.unwrap().unwrap();
    assert_eq!(record.status, ExecutionStatus::Failed);
    assert_eq!(record.error.as_deref(), Some("States.Runtime"));
    let cause = record.cause.unwrap();
    assert!(
        cause.contains("could not be resumed after a restart"),
        "{cause}"
    );
    assert!(cause.contains("FromTheFuture"), "{cause}");
    let (_, last) = last_event(&store, &arn).await;
    assert_eq!(
        last.get("type").and_then(Value::as_str),
        Some("ExecutionFailed")
    );
    // Nothing of it is left to run; the other execution carries on.
    assert_eq!(rt.open_executions(), 1);
    assert!(
        store
            .timers()
            .await
            .unwrap()
            .iter()
            .all(|t| t.execution_arn != arn)
    );
}

fn express(name: &str, definition: &str) -> baton_runtime::NewExecution {
    let mut e = execution(name, definition, r#"{"n":1}"#);
    e.durability = Durability::Express;
    e.arn = format!("{}:x", e.arn.replace(":execution:", ":express:"));
    e
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_accepted_express_execution_runs_after_a_crash_and_is_forgotten_once_it_ends() {
    let disk = Disk::new();
    let open_store = || disk.open();
    {
        let store = open_store();
        let rt = open(Arc::clone(&store)).await;
        // One that ends at once is forgotten; one that waits is kept.
        let quick = rt.start(express("quick", PASS)).await.unwrap();
        rt.start(express("slow", WAIT)).await.unwrap();
        rt.wait(&quick.arn).await.unwrap();
        for _ in 0..100 {
            if store.express_starts().await.unwrap().len() == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let kept = store.express_starts().await.unwrap();
        assert_eq!(kept.len(), 1);
        assert!(kept[0].arn.contains(":slow:"));
        // Cut short.
        rt.shutdown().await.unwrap();
    }
    let store = open_store();
    let rt = open(Arc::clone(&store)).await;
    let again = rt.express_to_restart().await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].input, r#"{"n":1}"#);
    let arn = again[0].arn.clone();
    for new in again {
        rt.start(new).await.unwrap();
    }
    let out = rt.wait(&arn).await.unwrap().expect("running again");
    assert_eq!(out.status, ExecutionStatus::Succeeded);
    for _ in 0..100 {
        if store.express_starts().await.unwrap().is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("an ended Express execution is still kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_synchronous_execution_waiting_for_a_timer_lets_a_shutdown_through() {
    let store: Arc<dyn Store> = Arc::new(baton_store::MemoryStore::new());
    let rt = open(store).await;
    let hour = r#"{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}"#;
    let waiting = {
        let rt = rt.clone();
        tokio::spawn(async move { rt.run(express("sync", hour)).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    rt.begin_shutdown();
    let ended = tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .expect("the wait ends with the shutdown")
        .unwrap();
    assert!(matches!(
        ended,
        Err(baton_runtime::RuntimeError::ShuttingDown)
    ));
}
