//! What only the SQLite backend promises: data and the secret survive reopening, a
//! definition is stored once, a full disk fails a commit cleanly, a killed process
//! leaves whole commits, and bad data read back is an error, not a panic.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;

use baton_store::*;
use common::*;

fn open(path: &Path) -> SqliteStore {
    SqliteStore::open(path, SqliteOptions::default()).unwrap()
}

#[tokio::test]
async fn data_and_secret_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("baton.db");
    let store = open(&path);
    let secret = store.secret().await.unwrap();
    let record = execution("r", MACHINE, 42, &definition());
    store.commit(create(record.clone(), 4)).await.unwrap();
    store.commit(step(&arn("r"), 1, 4, 3)).await.unwrap();
    store
        .tag(
            "arn:x",
            vec![Tag {
                key: "k".into(),
                value: "v".into(),
            }],
        )
        .await
        .unwrap();
    store.close().await.unwrap();
    drop(store);

    let store = open(&path);
    assert_eq!(store.secret().await.unwrap(), secret);
    let got = store.execution(&arn("r")).await.unwrap().unwrap();
    assert_eq!((got.journal_len, got.event_count), (2, 7));
    assert_eq!(got.definition, record.definition);
    assert_eq!(
        store.journal(&arn("r")).await.unwrap(),
        vec![entry(0), entry(1)]
    );
    let history = store
        .history(&arn("r"), false, Page::default())
        .await
        .unwrap();
    assert_eq!(history.items, events(1, 7));
    assert_eq!(store.tags("arn:x").await.unwrap().len(), 1);
    // Dropped without close: what was committed is there after reopening.
    store.commit(step(&arn("r"), 2, 7, 1)).await.unwrap();
    drop(store);
    let store = open(&path);
    assert_eq!(store.journal(&arn("r")).await.unwrap().len(), 3);
}

#[tokio::test]
async fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("baton.db");
    drop(open(&path));
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    match SqliteStore::open(&path, SqliteOptions::default()) {
        Err(StoreError::Backend(message)) => assert!(message.contains("99"), "{message}"),
        other => panic!("{:?}", other.err()),
    }
}

#[tokio::test]
async fn definitions_are_stored_once_and_shared_when_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("baton.db");
    let store = open(&path);
    for i in 0..100 {
        // A new Arc each time: the store finds the text by its hash.
        let def: Arc<str> = Arc::from(&*definition());
        store
            .commit(create(execution(&format!("s{i}"), MACHINE, i, &def), 1))
            .await
            .unwrap();
    }
    let other: Arc<str> = Arc::from(r#"{"StartAt":"X","States":{"X":{"Type":"Succeed"}}}"#);
    store
        .commit(create(execution("other", MACHINE, 0, &other), 1))
        .await
        .unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let count: i64 = conn
        .query_row("SELECT count(*) FROM definitions", [], |row| row.get(0))
        .unwrap();
    assert_eq!(count, 2);
    let open = store.open_executions().await.unwrap();
    assert_eq!(open.len(), 101);
    let shared: Vec<&ExecutionRecord> = open.iter().filter(|e| e.name != "other").collect();
    assert!(
        shared
            .iter()
            .all(|e| Arc::ptr_eq(&e.definition, &shared[0].definition))
    );
    assert_eq!(&*shared[0].definition, &*definition());
    let one = open.iter().find(|e| e.name == "other").unwrap();
    assert_eq!(one.definition, other);
}

#[tokio::test]
async fn bad_data_read_back_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("baton.db");
    let store = open(&path);
    store
        .commit(create(execution("bad", MACHINE, 1, &definition()), 1))
        .await
        .unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("UPDATE executions SET status = 'DANCING'", [])
        .unwrap();
    conn.execute(
        "INSERT INTO machines (arn, name, machine_type, definition, role_arn, created, updated, \
         revision_id) VALUES ('arn:m', 'm', 'WOBBLY', '{}', 'r', 1, 1, 'r')",
        [],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO aliases (arn, machine_arn, name, routing, created, updated) \
         VALUES ('arn:m:a', 'arn:m', 'a', 'no weight here', 1, 1)",
        [],
    )
    .unwrap();
    let backend = |r: std::result::Result<(), StoreError>, what: &str| match r {
        Err(StoreError::Backend(message)) => assert!(message.contains(what), "{message}"),
        other => panic!("{other:?}"),
    };
    backend(store.execution(&arn("bad")).await.map(drop), "DANCING");
    backend(
        store
            .list_executions(ExecutionFilter::default(), Page::default())
            .await
            .map(drop),
        "executions.status",
    );
    backend(
        store.state_machine("arn:m").await.map(drop),
        "machines.machine_type",
    );
    backend(store.alias("arn:m:a").await.map(drop), "aliases.routing");
}

/// Commits that fill a database limited to a few pages fail with `Full`, write nothing,
/// leave what was committed before intact, and the store goes on once there is room.
#[tokio::test]
async fn a_full_disk_fails_commits_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("baton.db");
    let options = SqliteOptions {
        max_page_count: Some(80),
        ..SqliteOptions::default()
    };
    let store = SqliteStore::open(&path, options).unwrap();
    let a = arn("big");
    store
        .commit(create(execution("big", MACHINE, 1, &definition()), 1))
        .await
        .unwrap();
    let big = |seq: u64, event_count: u64| {
        let mut c = step(&a, seq, event_count, 4);
        for e in &mut c.events {
            e.json = format!(r#"{{"id":{},"pad":"{}"}}"#, e.id, "x".repeat(3_000));
        }
        c
    };
    let mut seq = 1;
    let full = loop {
        // A small commit of another execution travels in the same group as the big one:
        // it lands even when the big one fails.
        let small = format!("small{seq}");
        let (big_result, small_result) = tokio::join!(
            store.commit(big(seq, 1 + (seq - 1) * 4)),
            store.commit(create(execution(&small, MACHINE, 2, &definition()), 0)),
        );
        match big_result {
            Ok(()) => seq += 1,
            Err(e) => break (e, small_result),
        }
        assert!(seq < 1_000, "the page limit was never reached");
    };
    assert!(matches!(full.0, StoreError::Full(_)), "{:?}", full.0);
    assert_eq!(full.1, Ok(()), "the small commit beside the failed one");
    // Nothing of the failed commit; everything before it.
    let e = store.execution(&a).await.unwrap().unwrap();
    assert_eq!(e.journal_len, seq);
    assert_eq!(e.event_count, 1 + (seq - 1) * 4);
    let journal = store.journal(&a).await.unwrap();
    assert_eq!(journal.len() as u64, seq);
    let history = store
        .history(
            &a,
            false,
            Page {
                token: None,
                limit: 1_000,
            },
        )
        .await
        .unwrap();
    assert_eq!(history.items.len() as u64, e.event_count);
    // Room again: the same commit now lands.
    store.set_max_page_count(None).await.unwrap();
    store.commit(big(seq, e.event_count)).await.unwrap();
    store.close().await.unwrap();
    drop(store);

    let store = open(&path);
    let e = store.execution(&a).await.unwrap().unwrap();
    assert_eq!(e.journal_len, seq + 1);
    assert_eq!(store.journal(&a).await.unwrap().len() as u64, seq + 1);
    assert!(
        store
            .execution(&arn(&format!("small{seq}")))
            .await
            .unwrap()
            .is_some()
    );
}

const CRASH_DIR: &str = "BATON_STORE_CRASH_DIR";
const STEPS: u64 = 30;

/// The child of `a_killed_process_leaves_whole_commits`: commits in a loop from many
/// tasks, printing each acknowledged commit, until it is killed. Does nothing in a normal
/// test run.
#[test]
fn crash_child() {
    let Some(dir) = std::env::var_os(CRASH_DIR) else {
        return;
    };
    block_on(async move {
        let options = SqliteOptions {
            synchronous: Durability::Normal,
            ..SqliteOptions::default()
        };
        let store =
            Arc::new(SqliteStore::open(&Path::new(&dir).join("baton.db"), options).unwrap());
        let mut tasks = Vec::new();
        for t in 0..16 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                for n in 0.. {
                    let name = format!("t{t}n{n}");
                    let a = arn(&name);
                    store
                        .commit(create(execution(&name, MACHINE, n, &definition()), 3))
                        .await
                        .unwrap();
                    println!("ack {name} 0");
                    for seq in 1..STEPS {
                        let mut c = step(&a, seq, seq * 3, 3);
                        c.timers_set = vec![TimerRecord {
                            execution_arn: a.clone(),
                            work_id: seq,
                            due: 0,
                        }];
                        c.timers_cleared = vec![seq - 1];
                        store.commit(c).await.unwrap();
                        println!("ack {name} {seq}");
                    }
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
    });
}

/// A process killed (SIGKILL) while committing leaves, on reopening, every acknowledged
/// commit and only whole commits: journals and histories without gaps, counts that
/// match them, at most one timer per execution.
#[test]
fn a_killed_process_leaves_whole_commits() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["crash_child", "--exact", "--nocapture", "--test-threads=1"])
        .env(CRASH_DIR, dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut acked: HashMap<String, u64> = HashMap::new();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut count = 0;
    while count < 3_000 {
        let Some(line) = lines.next() else { break };
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("ack ") {
            let (name, seq) = rest.split_once(' ').unwrap();
            acked.insert(name.to_owned(), seq.parse().unwrap());
            count += 1;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(count, 3_000, "the child stopped early");

    block_on(async {
        let store = open(&dir.path().join("baton.db"));
        let mut seen = 0;
        let mut token = None;
        loop {
            let page = store
                .list_executions(
                    ExecutionFilter::default(),
                    Page {
                        token: token.take(),
                        limit: 100,
                    },
                )
                .await
                .unwrap();
            for e in &page.items {
                seen += 1;
                let journal = store.journal(&e.arn).await.unwrap();
                assert_eq!(journal.len() as u64, e.journal_len, "{}", e.name);
                assert!(
                    journal
                        .iter()
                        .enumerate()
                        .all(|(i, j)| j.seq == i as u64 && j == &entry(j.seq))
                );
                assert_eq!(e.event_count, 3 * e.journal_len, "{}", e.name);
                let history = store
                    .history(
                        &e.arn,
                        false,
                        Page {
                            token: None,
                            limit: 1_000,
                        },
                    )
                    .await
                    .unwrap();
                assert_eq!(history.items, events(1, e.event_count), "{}", e.name);
                if let Some(last) = acked.get(&e.name) {
                    assert!(
                        e.journal_len > *last,
                        "{}: acknowledged commit {last} is lost",
                        e.name
                    );
                }
            }
            match page.next {
                Some(next) => token = Some(next),
                None => break,
            }
        }
        assert!(seen >= acked.len(), "acknowledged executions are lost");
        let timers = store.timers().await.unwrap();
        let mut per_execution: HashMap<&str, usize> = HashMap::new();
        for t in &timers {
            *per_execution.entry(&t.execution_arn).or_default() += 1;
        }
        assert!(per_execution.values().all(|n| *n == 1), "{per_execution:?}");
    });
}
