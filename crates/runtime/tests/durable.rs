//! The durable runtime against real stores: executions run, wait, talk to workers, stop,
//! and carry on after the runtime is closed and opened again.

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

fn execution(name: &str, definition: &str, input: &str) -> NewExecution {
    NewExecution {
        arn: format!("arn:aws:states:us-east-1:{ACCOUNT}:execution:m:{name}"),
        name: name.into(),
        machine_arn: format!("arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:m"),
        machine_name: "m".into(),
        version_arn: None,
        alias_arn: None,
        map_run_arn: None,
        durability: Durability::Standard,
        definition: definition.into(),
        role_arn: format!("arn:aws:iam::{ACCOUNT}:role/r"),
        input: input.into(),
        trace_header: None,
        log: None,
    }
}

/// A SQLite store in a scratch directory, opened again by each call (as after a restart).
struct Disk {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
}

impl Disk {
    fn new() -> Disk {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("baton.db");
        Disk { _dir: dir, path }
    }

    fn open(&self) -> Arc<dyn Store> {
        Arc::new(SqliteStore::open(&self.path, SqliteOptions::default()).unwrap())
    }
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

const PASS: &str = r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Result":{"x":1},"ResultPath":"$.a","Next":"B"},"B":{"Type":"Pass","End":true}}}"#;
const WAIT: &str = r#"{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":1,"Next":"P"},"P":{"Type":"Pass","End":true}}}"#;
const ACTIVITY: &str = r#"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:us-east-1:123456789012:activity:work","HeartbeatSeconds":60,"End":true}}}"#;

#[tokio::test]
async fn a_standard_execution_runs_to_its_end_and_its_history_is_stored() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let rt = open(Arc::clone(&store)).await;
    let out = rt
        .run(execution("e1", PASS, r#"{"k":true}"#))
        .await
        .unwrap();
    assert_eq!(out.status, ExecutionStatus::Succeeded);
    assert_eq!(out.output.as_deref(), Some(r#"{"k":true,"a":{"x":1}}"#));
    let arn = format!("arn:aws:states:us-east-1:{ACCOUNT}:execution:m:e1");
    let record = store.execution(&arn).await.unwrap().unwrap();
    assert_eq!(record.status, ExecutionStatus::Succeeded);
    assert_eq!(record.output, out.output);
    assert_eq!(
        history_types(&store, &arn).await,
        [
            "ExecutionStarted",
            "PassStateEntered",
            "PassStateExited",
            "PassStateEntered",
            "PassStateExited",
            "ExecutionSucceeded"
        ]
    );
    assert_eq!(rt.open_executions(), 0);
}

#[tokio::test]
async fn starting_again_is_idempotent_with_the_same_input_and_refused_otherwise() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let rt = open(store).await;
    let first = rt.start(execution("w", WAIT, "{}")).await.unwrap();
    let again = rt.start(execution("w", WAIT, "{}")).await.unwrap();
    assert_eq!(first, again);
    assert!(matches!(
        rt.start(execution("w", WAIT, r#"{"other":1}"#)).await,
        Err(RuntimeError::AlreadyExists(_))
    ));
    rt.wait(&first.arn).await.unwrap();
    // Ended: any new start with that name is refused.
    assert!(matches!(
        rt.start(execution("w", WAIT, "{}")).await,
        Err(RuntimeError::AlreadyExists(_))
    ));
}

#[tokio::test]
async fn an_activity_task_goes_to_a_worker_and_its_token_works_once() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let rt = open(Arc::clone(&store)).await;
    let started = rt
        .start(execution("a", ACTIVITY, r#"{"n":1}"#))
        .await
        .unwrap();
    let activity = format!("arn:aws:states:us-east-1:{ACCOUNT}:activity:work");
    let task = rt
        .take_activity_task(&activity, Some("w1".into()), Duration::from_secs(5))
        .await
        .unwrap()
        .expect("a task");
    assert_eq!(&*task.input, r#"{"n":1}"#);
    assert!(matches!(
        rt.task_succeeded("forged", Value::Null).await,
        Err(RuntimeError::InvalidToken(_))
    ));
    rt.task_heartbeat(&task.token).await.unwrap();
    rt.task_succeeded(&task.token, Value::from_json_str(r#"{"done":1}"#).unwrap())
        .await
        .unwrap();
    assert!(matches!(
        rt.task_succeeded(&task.token, Value::Null).await,
        Err(RuntimeError::TaskGone)
    ));
    let record = store.execution(&started.arn).await.unwrap().unwrap();
    assert_eq!(record.status, ExecutionStatus::Succeeded);
    assert_eq!(record.output.as_deref(), Some(r#"{"done":1}"#));
    assert_eq!(
        history_types(&store, &started.arn).await,
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "ActivityScheduled",
            "ActivityStarted",
            "ActivitySucceeded",
            "TaskStateExited",
            "ExecutionSucceeded"
        ]
    );
    assert!(
        rt.take_activity_task(&activity, None, Duration::from_millis(50))
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn stopping_aborts_the_execution_and_its_task() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let rt = open(Arc::clone(&store)).await;
    let started = rt.start(execution("s", ACTIVITY, "{}")).await.unwrap();
    rt.stop(&started.arn, Some("Why".into()), Some("Because".into()))
        .await
        .unwrap();
    let record = store.execution(&started.arn).await.unwrap().unwrap();
    assert_eq!(record.status, ExecutionStatus::Aborted);
    assert_eq!(record.error.as_deref(), Some("Why"));
    let activity = format!("arn:aws:states:us-east-1:{ACCOUNT}:activity:work");
    assert!(
        rt.take_activity_task(&activity, None, Duration::from_millis(50))
            .await
            .unwrap()
            .is_none(),
        "the aborted task is not offered any more"
    );
    assert!(matches!(
        rt.stop(&started.arn, None, None).await,
        Err(RuntimeError::NotFound(_))
    ));
}

#[tokio::test]
async fn express_executions_run_in_memory_only() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let rt = open(Arc::clone(&store)).await;
    let mut new = execution("x", PASS, "{}");
    new.durability = Durability::Express;
    let out = rt.run(new).await.unwrap();
    assert_eq!(out.status, ExecutionStatus::Succeeded);
    assert!(store.execution(&out_arn("x")).await.unwrap().is_none());
}

fn out_arn(name: &str) -> String {
    format!("arn:aws:states:us-east-1:{ACCOUNT}:execution:m:{name}")
}

#[tokio::test]
async fn executions_carry_on_after_the_runtime_is_opened_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("baton.db");
    let open_store = || -> Arc<dyn Store> {
        Arc::new(SqliteStore::open(&path, SqliteOptions::default()).unwrap())
    };
    let activity = format!("arn:aws:states:us-east-1:{ACCOUNT}:activity:work");
    {
        let store = open_store();
        let rt = open(Arc::clone(&store)).await;
        rt.start(execution("wait", WAIT, r#"{"w":1}"#))
            .await
            .unwrap();
        rt.start(execution("queued", ACTIVITY, r#"{"q":1}"#))
            .await
            .unwrap();
        rt.start(execution("taken", ACTIVITY, r#"{"t":1}"#))
            .await
            .unwrap();
        // One activity task is taken by a worker before the restart.
        let task = rt
            .take_activity_task(&activity, Some("before".into()), Duration::from_secs(5))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(&*task.input, r#"{"q":1}"#);
        rt.shutdown().await.unwrap();
        // The worker's token from before the restart still works after it.
        std::fs::write(dir.path().join("token"), &*task.token).unwrap();
    }
    let store = open_store();
    let rt = open(Arc::clone(&store)).await;
    assert_eq!(rt.open_executions(), 3);
    let token = std::fs::read_to_string(dir.path().join("token")).unwrap();
    rt.task_succeeded(&token, Value::from_json_str(r#"{"r":"q"}"#).unwrap())
        .await
        .unwrap();
    // The task nobody had taken is offered again.
    let task = rt
        .take_activity_task(&activity, Some("after".into()), Duration::from_secs(5))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&*task.input, r#"{"t":1}"#);
    rt.task_succeeded(&task.token, Value::from_json_str(r#"{"r":"t"}"#).unwrap())
        .await
        .unwrap();
    let waited = rt.wait(&out_arn("wait")).await.unwrap();
    if let Some(o) = waited {
        assert_eq!(o.status, ExecutionStatus::Succeeded);
    }
    for name in ["wait", "queued", "taken"] {
        let r = store.execution(&out_arn(name)).await.unwrap().unwrap();
        assert_eq!(r.status, ExecutionStatus::Succeeded, "{name}");
    }
    assert_eq!(
        history_types(&store, &out_arn("wait")).await,
        [
            "ExecutionStarted",
            "WaitStateEntered",
            "WaitStateExited",
            "PassStateEntered",
            "PassStateExited",
            "ExecutionSucceeded"
        ]
    );
    assert_eq!(
        history_types(&store, &out_arn("queued")).await,
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "ActivityScheduled",
            "ActivityStarted",
            "ActivitySucceeded",
            "TaskStateExited",
            "ExecutionSucceeded"
        ]
    );
}

/// A Wait machine whose input is big: each execution takes many pages of the store.
const BIG_WAIT: &str = r#"{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":1,"Next":"P"},"P":{"Type":"Pass","End":true}}}"#;

#[tokio::test]
async fn a_full_disk_fails_the_request_keeps_what_was_committed_and_recovers_when_space_is_back() {
    let dir = tempfile::tempdir().unwrap();
    let options = SqliteOptions {
        max_page_count: Some(200),
        ..SqliteOptions::default()
    };
    let sqlite = Arc::new(SqliteStore::open(&dir.path().join("b.db"), options).unwrap());
    let store: Arc<dyn Store> = sqlite.clone();
    let rt = open(Arc::clone(&store)).await;
    let input = format!(r#"{{"pad":"{}"}}"#, "x".repeat(20_000));
    // Fill the disk (200 pages of 4 KiB).
    rt.start(execution("first", BIG_WAIT, &input))
        .await
        .unwrap();
    let mut refused = None;
    for i in 0..200 {
        match rt
            .start(execution(&format!("n{i}"), BIG_WAIT, &input))
            .await
        {
            Ok(_) => {}
            Err(RuntimeError::Store(baton_store::StoreError::Full(_))) => {
                refused = Some(i);
                break;
            }
            Err(e) => panic!("unexpected {e}"),
        }
    }
    let refused = refused.expect("the disk fills up");
    // Nothing of the refused execution was kept, and it is not running.
    assert!(
        store
            .execution(&out_arn(&format!("n{refused}")))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        rt.wait(&out_arn(&format!("n{refused}")))
            .await
            .unwrap()
            .is_none()
    );
    // The first execution's timer fires while the disk is full: its step fails and is
    // tried again until space is back.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    sqlite.set_max_page_count(None).await.unwrap();
    let out = tokio::time::timeout(Duration::from_secs(20), rt.wait(&out_arn("first")))
        .await
        .expect("the execution ends once space is back")
        .unwrap();
    if let Some(o) = out {
        assert_eq!(o.status, ExecutionStatus::Succeeded);
    }
    assert_eq!(
        history_types(&store, &out_arn("first")).await,
        [
            "ExecutionStarted",
            "WaitStateEntered",
            "WaitStateExited",
            "PassStateEntered",
            "PassStateExited",
            "ExecutionSucceeded"
        ]
    );
    // The refused name can be used again: it was never taken.
    rt.start(execution(&format!("n{refused}"), BIG_WAIT, &input))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_stop_racing_a_task_success_leaves_one_consistent_ending() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let rt = open(Arc::clone(&store)).await;
    let activity = format!("arn:aws:states:us-east-1:{ACCOUNT}:activity:work");
    for round in 0..20 {
        let name = format!("race{round}");
        let started = rt.start(execution(&name, ACTIVITY, "{}")).await.unwrap();
        let task = rt
            .take_activity_task(&activity, None, Duration::from_secs(5))
            .await
            .unwrap()
            .unwrap();
        let (a, b) = (rt.clone(), rt.clone());
        let arn = started.arn.clone();
        let token = task.token.to_string();
        let stop = tokio::spawn(async move { a.stop(&arn, None, None).await });
        let success = tokio::spawn(async move {
            b.task_succeeded(&token, Value::from_json_str("{}").unwrap())
                .await
        });
        let (stop, success) = (stop.await.unwrap(), success.await.unwrap());
        let record = store.execution(&started.arn).await.unwrap().unwrap();
        match (stop, success) {
            (Ok(()), Err(RuntimeError::TaskGone)) => {
                assert_eq!(record.status, ExecutionStatus::Aborted)
            }
            (Err(RuntimeError::NotFound(_)), Ok(())) => {
                assert_eq!(record.status, ExecutionStatus::Succeeded)
            }
            other => panic!("round {round}: {other:?}"),
        }
        let types = history_types(&store, &started.arn).await;
        let endings = types
            .iter()
            .filter(|t| matches!(t.as_str(), "ExecutionSucceeded" | "ExecutionAborted"))
            .count();
        assert_eq!(endings, 1, "{types:?}");
    }
}

// Several threads: the timer task runs beside recovery, as in the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timers_that_fell_due_while_the_runtime_was_down_fire_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("baton.db");
    let open_store = || -> Arc<dyn Store> {
        Arc::new(SqliteStore::open(&path, SqliteOptions::default()).unwrap())
    };
    {
        let rt = open(open_store()).await;
        for i in 0..20 {
            rt.start(execution(&format!("due{i}"), WAIT, "{}"))
                .await
                .unwrap();
        }
        rt.shutdown().await.unwrap();
    }
    // Down for longer than the Wait.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let store = open_store();
    let rt = open(Arc::clone(&store)).await;
    for i in 0..20 {
        let arn = out_arn(&format!("due{i}"));
        let ended = tokio::time::timeout(Duration::from_secs(10), rt.wait(&arn))
            .await
            .expect("the overdue timer fires");
        if let Some(o) = ended.unwrap() {
            assert_eq!(o.status, ExecutionStatus::Succeeded);
        }
        let r = store.execution(&arn).await.unwrap().unwrap();
        assert_eq!(r.status, ExecutionStatus::Succeeded, "{arn}");
    }
}

#[tokio::test]
async fn status_changes_of_standard_executions_reach_the_hook_express_ones_do_not() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let rt = open(Arc::clone(&store)).await;
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    assert!(
        rt.on_status_change(Arc::new(move |c: baton_runtime::StatusChange| {
            sink.lock().unwrap().push(c);
        }))
    );
    assert!(
        !rt.on_status_change(Arc::new(|_| {})),
        "one hook per runtime"
    );
    rt.run(execution("ok", PASS, r#"{"k":1}"#)).await.unwrap();
    let fail = r#"{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E","Cause":"C"}}}"#;
    rt.run(execution("bad", fail, "{}")).await.unwrap();
    let mut express = execution("fast", PASS, "{}");
    express.durability = Durability::Express;
    rt.run(express).await.unwrap();

    let seen = seen.lock().unwrap();
    let got: Vec<(&str, ExecutionStatus)> = seen.iter().map(|c| (&*c.name, c.status)).collect();
    assert_eq!(
        got,
        [
            ("ok", ExecutionStatus::Running),
            ("ok", ExecutionStatus::Succeeded),
            ("bad", ExecutionStatus::Running),
            ("bad", ExecutionStatus::Failed),
        ]
    );
    let ok = &seen[1];
    assert_eq!(
        &*ok.state_machine_arn,
        format!("arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:m")
    );
    assert_eq!(&*ok.input, r#"{"k":1}"#);
    assert_eq!(ok.output.as_deref(), Some(r#"{"k":1,"a":{"x":1}}"#));
    assert!(ok.stop_date.is_some() && seen[0].stop_date.is_none());
    assert_eq!(
        (seen[3].error.as_deref(), seen[3].cause.as_deref()),
        (Some("E"), Some("C"))
    );
}

#[tokio::test]
async fn on_a_virtual_clock_a_day_long_wait_ends_when_the_clock_is_moved_ahead() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let start = baton_engine::Millis(1_767_225_600_000);
    let rt = Runtime::open_with_clock(
        Arc::clone(&store),
        Registry::new(Functions::none()),
        config(),
        baton_runtime::Clock::starting_at(start),
    )
    .await
    .unwrap();
    const DAY: &str =
        r#"{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":86400,"End":true}}}"#;
    let started = rt.start(execution("day", DAY, "{}")).await.unwrap();
    assert!(started.start_date >= start.0 && started.start_date < start.0 + 60_000);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(rt.open_executions(), 1, "still waiting");
    let now = rt.advance_clock(Duration::from_secs(86_400)).unwrap();
    assert!(now.0 >= start.0 + 86_400_000);
    let out = tokio::time::timeout(Duration::from_secs(5), rt.wait(&started.arn))
        .await
        .expect("the Wait ends at once")
        .unwrap();
    if let Some(o) = out {
        assert_eq!(o.status, ExecutionStatus::Succeeded);
        assert!(o.stop_date - o.start_date >= 86_400_000);
    }
    assert!(
        Runtime::open(
            Arc::new(MemoryStore::new()),
            Registry::new(Functions::none()),
            config()
        )
        .await
        .unwrap()
        .advance_clock(Duration::from_secs(1))
        .is_none()
    );
}

/// A `.sync` job that reports its submission and then runs until the runtime stops; once
/// dispatched again after a restart, it ends with what it was told of its submission.
struct Job {
    resumed_with: std::sync::Mutex<Vec<Option<Value>>>,
}

impl baton_integrations::Integration for Job {
    fn handles(&self, resource: &baton_asl::definition::Resource) -> bool {
        resource
            .arn()
            .starts_with("arn:aws:states:::batch:submitJob")
    }

    fn run(
        &self,
        call: baton_integrations::TaskCall,
    ) -> baton_integrations::BoxFuture<baton_integrations::TaskOutcome> {
        if call.resumed {
            self.resumed_with
                .lock()
                .unwrap()
                .push(call.submission.clone());
            let out = call.submission.unwrap_or(Value::Null);
            return Box::pin(async move { Ok(out) });
        }
        Box::pin(async move {
            let submitted = call.submitted.expect("a .sync task gets a callback");
            submitted(Value::from_json_str(r#"{"JobId":"job-1"}"#).unwrap()).await;
            std::future::pending().await
        })
    }
}

#[tokio::test]
async fn a_sync_job_dispatched_again_after_a_restart_is_told_what_it_submitted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("baton.db");
    let open_store = || -> Arc<dyn Store> {
        Arc::new(SqliteStore::open(&path, SqliteOptions::default()).unwrap())
    };
    const JOB: &str = r#"{"StartAt":"J","States":{"J":{"Type":"Task","Resource":"arn:aws:states:::batch:submitJob.sync","Arguments":{"JobName":"j"},"QueryLanguage":"JSONata","End":true}}}"#;
    let job = Arc::new(Job {
        resumed_with: std::sync::Mutex::new(Vec::new()),
    });
    let registry =
        Registry::default().with(Arc::clone(&job) as Arc<dyn baton_integrations::Integration>);
    {
        let store = open_store();
        let rt = Runtime::open(Arc::clone(&store), registry.clone(), config())
            .await
            .unwrap();
        let started = rt.start(execution("job", JOB, "{}")).await.unwrap();
        for _ in 0..100 {
            if history_types(&store, &started.arn)
                .await
                .contains(&"TaskSubmitted".to_owned())
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        rt.shutdown().await.unwrap();
    }
    let store = open_store();
    let rt = Runtime::open(Arc::clone(&store), registry, config())
        .await
        .unwrap();
    let arn = out_arn("job");
    let _ = tokio::time::timeout(Duration::from_secs(5), rt.wait(&arn))
        .await
        .expect("the job ends after the restart");
    assert_eq!(
        *job.resumed_with.lock().unwrap(),
        [Some(Value::from_json_str(r#"{"JobId":"job-1"}"#).unwrap())]
    );
    assert_eq!(
        history_types(&store, &arn).await,
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "TaskScheduled",
            "TaskStarted",
            "TaskSubmitted",
            "TaskSucceeded",
            "TaskStateExited",
            "ExecutionSucceeded"
        ]
    );
}

#[tokio::test]
async fn kept_status_changes_are_written_with_their_step_while_wanted() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let rt = open(Arc::clone(&store)).await;
    let wanted = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (w, sink) = (Arc::clone(&wanted), Arc::clone(&seen));
    assert!(rt.on_status_change_kept(
        Arc::new(move || w.load(std::sync::atomic::Ordering::SeqCst)),
        Arc::new(move |c: baton_runtime::StatusChange| sink.lock().unwrap().push(c)),
    ));
    rt.run(execution("kept", PASS, r#"{"k":1}"#)).await.unwrap();
    let kept = store.outbox().await.unwrap();
    assert_eq!(kept.len(), 2, "started and succeeded, kept with their step");
    {
        let seen = seen.lock().unwrap();
        let ids: Vec<Option<&str>> = seen.iter().map(|c| c.outbox_id.as_deref()).collect();
        let stored: Vec<Option<&str>> = kept.iter().map(|m| Some(m.id.as_str())).collect();
        assert_eq!(
            ids, stored,
            "the hook is told which message keeps each change"
        );
        let back = baton_runtime::StatusChange::from_json_text(&kept[1].body).unwrap();
        assert_eq!(back.status, ExecutionStatus::Succeeded);
        assert_eq!(back.output.as_deref(), seen[1].output.as_deref());
    }
    // Not wanted: neither kept nor told.
    wanted.store(false, std::sync::atomic::Ordering::SeqCst);
    rt.run(execution("unwanted", PASS, "{}")).await.unwrap();
    assert_eq!(store.outbox().await.unwrap().len(), 2);
    assert_eq!(seen.lock().unwrap().len(), 2);

    // A runtime that expects such a listener keeps every change until it is set.
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let rt = Runtime::open(
        Arc::clone(&store),
        Registry::new(Functions::none()),
        RuntimeConfig {
            keep_status_changes: true,
            ..config()
        },
    )
    .await
    .unwrap();
    rt.run(execution("early", PASS, "{}")).await.unwrap();
    assert_eq!(store.outbox().await.unwrap().len(), 2);
}

/// The last event of an execution's history, parsed, and how many there are.
pub(crate) async fn last_event(store: &Arc<dyn Store>, arn: &str) -> (u64, Value) {
    let page = store
        .history(
            arn,
            true,
            Page {
                token: None,
                limit: 1,
            },
        )
        .await
        .unwrap();
    let e = &page.items[0];
    (e.id, Value::from_json_str(&e.json).unwrap())
}

#[path = "durable/limits.rs"]
mod limits;

#[path = "durable/stuck.rs"]
mod stuck;
