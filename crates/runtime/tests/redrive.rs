//! RedriveExecution in the durable runtime, over SQLite: an execution that failed is
//! carried on from its failed state, committed, recovered after a restart, and ends.

use std::sync::Arc;
use std::time::Duration;

use baton_integrations::{Functions, Registry};
use baton_json::Value;
use baton_runtime::{Durability, NewExecution, Runtime, RuntimeConfig, RuntimeError};
use baton_store::{ExecutionStatus, MemoryStore, Page, SqliteOptions, SqliteStore, Store};

const ACCOUNT: &str = "123456789012";

fn config() -> RuntimeConfig {
    RuntimeConfig {
        region: "us-east-1".into(),
        account: ACCOUNT.into(),
        max_payload_bytes: 256 * 1024,
        keep_status_changes: false,
        max_history_events: Some(25_000),
        max_open_executions: None,
    }
}

async fn open(store: Arc<dyn Store>) -> Runtime {
    Runtime::open(store, Registry::new(Functions::none()), config())
        .await
        .unwrap()
}

fn arn(name: &str) -> String {
    format!("arn:aws:states:us-east-1:{ACCOUNT}:execution:m:{name}")
}

fn activity() -> String {
    format!("arn:aws:states:us-east-1:{ACCOUNT}:activity:work")
}

fn execution(name: &str, definition: &str) -> NewExecution {
    NewExecution {
        arn: arn(name),
        name: name.into(),
        machine_arn: format!("arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:m"),
        machine_name: "m".into(),
        version_arn: None,
        alias_arn: None,
        map_run_arn: None,
        durability: Durability::Standard,
        definition: definition.into(),
        role_arn: format!("arn:aws:iam::{ACCOUNT}:role/r"),
        input: r#"{"n":1}"#.into(),
        trace_header: None,
        log: None,
    }
}

/// Prep (Pass), then Work (an activity, so the test plays the worker), then After, which
/// shows the redrive count the engine sees.
fn definition() -> String {
    format!(
        r#"{{"StartAt":"Prep","States":{{
            "Prep":{{"Type":"Pass","Result":"prepared","ResultPath":"$.prep","Next":"Work"}},
            "Work":{{"Type":"Task","Resource":"{}","ResultPath":"$.work","Next":"After"}},
            "After":{{"Type":"Pass","Parameters":{{"redrives.$":"$$.Execution.RedriveCount","work.$":"$.work"}},"End":true}}}}}}"#,
        activity()
    )
}

async fn history_types(store: &Arc<dyn Store>, arn: &str) -> Vec<String> {
    let page = store
        .history(
            arn,
            false,
            Page {
                token: None,
                limit: 1000,
            },
        )
        .await
        .unwrap();
    page.items
        .iter()
        .enumerate()
        .map(|(i, e)| {
            assert_eq!(e.id, i as u64 + 1, "ids are gap-free");
            let v = Value::from_json_str(&e.json).unwrap();
            v.get("type").and_then(Value::as_str).unwrap().to_owned()
        })
        .collect()
}

async fn take(rt: &Runtime) -> baton_runtime::ActivityTask {
    rt.take_activity_task(&activity(), Some("worker".into()), Duration::from_secs(5))
        .await
        .unwrap()
        .expect("an activity task")
}

#[tokio::test]
async fn a_failed_execution_is_redriven_survives_a_restart_and_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("baton.db");
    let open_store = || -> Arc<dyn Store> {
        Arc::new(SqliteStore::open(&path, SqliteOptions::default()).unwrap())
    };
    let e = arn("e");
    let redrive_date;
    {
        let store = open_store();
        let rt = open(Arc::clone(&store)).await;
        rt.start(execution("e", &definition())).await.unwrap();
        let task = take(&rt).await;
        assert_eq!(&*task.input, r#"{"n":1,"prep":"prepared"}"#);
        rt.task_failed(&task.token, Some("Boom".into()), Some("broken".into()))
            .await
            .unwrap();
        let failed = store.execution(&e).await.unwrap().unwrap();
        assert_eq!(failed.status, ExecutionStatus::Failed);
        assert_eq!(failed.error.as_deref(), Some("Boom"));
        assert_eq!(rt.open_executions(), 0);

        let redriven = rt.redrive(&e, Some("token-1")).await.unwrap();
        redrive_date = redriven.redrive_date;
        let r = store.execution(&e).await.unwrap().unwrap();
        assert_eq!(r.status, ExecutionStatus::Running);
        assert_eq!((r.redrive_count, r.redrive_date), (1, Some(redrive_date)));
        assert_eq!(
            (r.stop_date, r.error, r.cause, r.output),
            (None, None, None, None)
        );
        assert_eq!(rt.open_executions(), 1);

        // The same request again: the same answer, nothing more done.
        let journal = store.journal(&e).await.unwrap().len();
        assert_eq!(rt.redrive(&e, Some("token-1")).await.unwrap(), redriven);
        assert_eq!(store.journal(&e).await.unwrap().len(), journal);
        // Another request: it runs.
        match rt.redrive(&e, Some("token-2")).await {
            Err(RuntimeError::NotRedrivable(reason)) => {
                assert_eq!(reason, "Execution is RUNNING and cannot be redriven")
            }
            other => panic!("{other:?}"),
        }
        rt.shutdown().await.unwrap();
    }

    // After a restart the redriven execution is recovered, its task offered again.
    let store = open_store();
    let rt = open(Arc::clone(&store)).await;
    assert_eq!(rt.open_executions(), 1);
    let task = take(&rt).await;
    assert_eq!(
        &*task.input, r#"{"n":1,"prep":"prepared"}"#,
        "the failed state runs again with the input it had"
    );
    rt.task_succeeded(&task.token, Value::from_json_str(r#""done""#).unwrap())
        .await
        .unwrap();
    let r = store.execution(&e).await.unwrap().unwrap();
    assert_eq!(r.status, ExecutionStatus::Succeeded);
    assert_eq!(r.output.as_deref(), Some(r#"{"redrives":1,"work":"done"}"#));
    assert_eq!((r.redrive_count, r.redrive_date), (1, Some(redrive_date)));
    assert_eq!(r.error, None);
    assert_eq!(
        history_types(&store, &e).await,
        [
            "ExecutionStarted",
            "PassStateEntered",
            "PassStateExited",
            "TaskStateEntered",
            "ActivityScheduled",
            "ActivityStarted",
            "ActivityFailed",
            "ExecutionFailed",
            "ExecutionRedriven",
            "TaskStateEntered",
            "ActivityScheduled",
            "ActivityStarted",
            "ActivitySucceeded",
            "TaskStateExited",
            "PassStateEntered",
            "PassStateExited",
            "ExecutionSucceeded"
        ]
    );
    match rt.redrive(&e, None).await {
        Err(RuntimeError::NotRedrivable(reason)) => {
            assert_eq!(reason, "Execution is SUCCEEDED and cannot be redriven")
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        rt.redrive(&arn("unknown"), None).await,
        Err(RuntimeError::NotFound(_))
    ));
}

#[tokio::test]
async fn an_aborted_execution_is_redriven_twice_and_each_redrive_is_kept() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let rt = open(Arc::clone(&store)).await;
    let e = arn("s");
    rt.start(execution("s", &definition())).await.unwrap();
    rt.stop(&e, Some("Stopped".into()), None).await.unwrap();
    assert_eq!(
        store.execution(&e).await.unwrap().unwrap().status,
        ExecutionStatus::Aborted
    );
    let first = rt.redrive(&e, None).await.unwrap();
    // It fails again at once if the task fails: the record shows the new end.
    let task = take(&rt).await;
    rt.task_failed(&task.token, Some("Again".into()), None)
        .await
        .unwrap();
    let r = store.execution(&e).await.unwrap().unwrap();
    assert_eq!(
        (r.status, r.error.as_deref(), r.redrive_count),
        (ExecutionStatus::Failed, Some("Again"), 1)
    );
    assert!(r.stop_date.is_some_and(|s| s >= first.redrive_date));
    rt.redrive(&e, None).await.unwrap();
    let task = take(&rt).await;
    rt.task_succeeded(&task.token, Value::from_json_str("1").unwrap())
        .await
        .unwrap();
    let r = store.execution(&e).await.unwrap().unwrap();
    assert_eq!(r.status, ExecutionStatus::Succeeded);
    assert_eq!(r.output.as_deref(), Some(r#"{"redrives":2,"work":1}"#));
    assert_eq!(r.redrive_count, 2);
    let types = history_types(&store, &e).await;
    assert_eq!(
        types.iter().filter(|t| *t == "ExecutionRedriven").count(),
        2
    );
    assert_eq!(
        types.iter().filter(|t| *t == "PassStateEntered").count(),
        2,
        "Prep ran once, After once"
    );
}
