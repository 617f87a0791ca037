//! Commit throughput of the SQLite store, with group commit, for two loads:
//!
//! - **runs**: N executions each committing once "create + 1 journal entry + 22 events
//!   (~300 bytes each) + status update": a 10-state machine run in one step;
//! - **steps**: C executions each committing K small steps "1 journal entry + 2 events + a
//!   timer set (and the previous one cleared)".
//!
//! Each load runs with `Durability::Full` and `Durability::Normal`, C commits in flight at
//! once (C tasks on one thread; the store's threads do the work). Plain `Instant` timing.
//!
//! `cargo bench -p baton-store --bench commit -- [--executions N] [--concurrency C]
//! [--steps K] [--dir PATH]`

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use baton_store::*;

struct Args {
    executions: usize,
    concurrency: usize,
    steps: u64,
    dir: Option<PathBuf>,
}

fn args() -> Args {
    let mut args = Args {
        executions: 20_000,
        concurrency: 256,
        steps: 100,
        dir: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().expect("a value after the option");
        match arg.as_str() {
            "--executions" => args.executions = value().parse().expect("a number"),
            "--concurrency" => args.concurrency = value().parse().expect("a number"),
            "--steps" => args.steps = value().parse().expect("a number"),
            "--dir" => args.dir = Some(value().into()),
            // `cargo bench` passes `--bench`.
            _ => {}
        }
    }
    args
}

const MACHINE: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:Bench";

/// A definition of 10 Pass states, ~2 KB.
fn definition() -> Arc<str> {
    let mut states = String::new();
    for i in 0..10 {
        let next = if i == 9 {
            r#""End":true"#.to_owned()
        } else {
            format!(r#""Next":"S{}""#, i + 1)
        };
        states.push_str(&format!(
            r#"{}"S{i}":{{"Type":"Pass","Parameters":{{"step":{i},"input.$":"$"}},"ResultPath":"$.s{i}",{next}}}"#,
            if i == 0 { "" } else { "," }
        ));
    }
    format!(r#"{{"Comment":"ten Pass states","StartAt":"S0","States":{{{states}}}}}"#).into()
}

fn record(name: &str, definition: &Arc<str>) -> ExecutionRecord {
    ExecutionRecord {
        arn: format!("arn:aws:states:us-east-1:123456789012:execution:Bench:{name}"),
        machine_arn: MACHINE.into(),
        version_arn: None,
        alias_arn: None,
        map_run_arn: None,
        name: name.into(),
        status: ExecutionStatus::Running,
        definition: definition.clone(),
        role_arn: "arn:aws:iam::123456789012:role/Bench".into(),
        input: r#"{"order":{"id":"1234567890","items":[1,2,3],"customer":"someone@example.com"}}"#
            .into(),
        output: None,
        error: None,
        cause: None,
        start_date: 1_764_000_000_000,
        stop_date: None,
        seed: 7,
        redrive_count: 0,
        redrive_date: None,
        event_count: 0,
        journal_len: 0,
        trace_header: None,
    }
}

/// An event of about 300 bytes.
fn event(id: u64) -> EventRecord {
    EventRecord {
        id,
        json: format!(
            r#"{{"id":{id},"previousEventId":{},"timestamp":1764000000.{id:03},"type":"PassStateExited","stateExitedEventDetails":{{"name":"S{}","output":"{{\"order\":{{\"id\":\"1234567890\",\"items\":[1,2,3],\"customer\":\"someone@example.com\"}},\"step\":{id}}}","outputDetails":{{"truncated":false}}}}}}"#,
            id - 1,
            id / 2
        ),
    }
}

fn journal_entry(seq: u64) -> JournalEntry {
    JournalEntry {
        seq,
        at: 1_764_000_000_000 + seq as i64,
        input: format!(r#"{{"kind":"step","seq":{seq}}}"#),
    }
}

fn open(dir: &std::path::Path, durability: Durability, label: &str) -> Arc<SqliteStore> {
    let path = dir.join(format!("{label}.db"));
    let options = SqliteOptions {
        synchronous: durability,
        ..SqliteOptions::default()
    };
    Arc::new(SqliteStore::open(&path, options).expect("open the store"))
}

/// Runs `work(i)` for i in 0..n on `concurrency` tasks; returns the elapsed time.
async fn drive<F, Fut>(n: usize, concurrency: usize, work: F) -> Duration
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let work = Arc::new(work);
    let start = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let next = next.clone();
            let work = work.clone();
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    work(i).await;
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("a task");
    }
    start.elapsed()
}

async fn runs(dir: &std::path::Path, durability: Durability, args: &Args) {
    let store = open(dir, durability, &format!("runs-{durability:?}"));
    let definition = definition();
    let n = args.executions;
    let elapsed = drive(n, args.concurrency, {
        let store = store.clone();
        move |i| {
            let store = store.clone();
            let definition = definition.clone();
            async move {
                let r = record(&format!("run-{i}"), &definition);
                let commit = ExecutionCommit {
                    execution_arn: r.arn.clone(),
                    create: Some(r),
                    update: ExecutionUpdate {
                        status: Some(ExecutionStatus::Succeeded),
                        output: Some(r#"{"done":true}"#.into()),
                        stop_date: Some(1_764_000_000_100),
                        ..Default::default()
                    },
                    journal: vec![journal_entry(0)],
                    events: (1..=22).map(event).collect(),
                    ..Default::default()
                };
                store.commit(commit).await.expect("commit");
            }
        }
    })
    .await;
    let secs = elapsed.as_secs_f64();
    println!(
        "runs   {durability:<6?} {n} executions in {secs:.2} s: {:.0} executions/s, {:.0} event rows/s, {:.0} rows/s (execution + journal + events)",
        n as f64 / secs,
        22.0 * n as f64 / secs,
        24.0 * n as f64 / secs,
    );
    store.close().await.expect("close");
}

async fn steps(dir: &std::path::Path, durability: Durability, args: &Args) {
    let store = open(dir, durability, &format!("steps-{durability:?}"));
    let definition = definition();
    let executions = args.concurrency;
    for i in 0..executions {
        let r = record(&format!("step-{i}"), &definition);
        store
            .commit(ExecutionCommit {
                execution_arn: r.arn.clone(),
                create: Some(r),
                journal: vec![journal_entry(0)],
                events: vec![event(1)],
                ..Default::default()
            })
            .await
            .expect("create");
    }
    // Task t drives execution t through its steps, one commit after the other.
    let steps = args.steps;
    let elapsed = drive(executions, executions, {
        let store = store.clone();
        move |i| {
            let store = store.clone();
            async move {
                let arn = format!("arn:aws:states:us-east-1:123456789012:execution:Bench:step-{i}");
                for seq in 1..=steps {
                    let commit = ExecutionCommit {
                        execution_arn: arn.clone(),
                        journal: vec![journal_entry(seq)],
                        events: vec![event(seq * 2), event(seq * 2 + 1)],
                        timers_set: vec![TimerRecord {
                            execution_arn: arn.clone(),
                            work_id: seq,
                            due: 1_764_000_000_000 + seq as i64 * 1_000,
                        }],
                        timers_cleared: if seq > 1 { vec![seq - 1] } else { vec![] },
                        ..Default::default()
                    };
                    store.commit(commit).await.expect("commit");
                }
            }
        }
    })
    .await;
    let secs = elapsed.as_secs_f64();
    let commits = executions as f64 * steps as f64;
    println!(
        "steps  {durability:<6?} {commits} commits in {secs:.2} s: {:.0} commits/s, {:.0} rows/s (journal + events + timer)",
        commits / secs,
        4.0 * commits / secs,
    );
    store.close().await.expect("close");
}

fn main() {
    let args = args();
    let temp = tempfile::tempdir_in(args.dir.clone().unwrap_or_else(std::env::temp_dir))
        .expect("a temporary directory");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    println!(
        "{} executions, {} in flight, {} steps each (in {})",
        args.executions,
        args.concurrency,
        args.steps,
        temp.path().display()
    );
    for durability in [Durability::Full, Durability::Normal] {
        runtime.block_on(runs(temp.path(), durability, &args));
        runtime.block_on(steps(temp.path(), durability, &args));
    }
}
