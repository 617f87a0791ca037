//! One behavioural suite, run against every backend: each scenario is an async function
//! of an `Arc<dyn Store>`, and `backends!` makes one test of it per backend.

mod common;

use std::collections::HashSet;
use std::sync::Arc;

use baton_store::*;
use common::*;

/// A fresh store of each kind; the SQLite one lives in a temporary directory that the
/// returned guard removes.
fn memory() -> (Arc<dyn Store>, Option<tempfile::TempDir>) {
    (Arc::new(MemoryStore::new()), None)
}

fn sqlite() -> (Arc<dyn Store>, Option<tempfile::TempDir>) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("baton.db"), SqliteOptions::default()).unwrap();
    (Arc::new(store), Some(dir))
}

macro_rules! backends {
    ($($scenario:ident),* $(,)?) => {
        mod memory {
            $(
                #[tokio::test]
                async fn $scenario() {
                    let (store, _dir) = super::memory();
                    super::$scenario(store).await;
                }
            )*
        }
        mod sqlite {
            $(
                #[tokio::test]
                async fn $scenario() {
                    let (store, _dir) = super::sqlite();
                    super::$scenario(store).await;
                }
            )*
        }
    };
}

backends!(
    triggers_and_dead_letters,
    deliveries_are_kept_until_deleted,
    express_starts_are_kept_until_they_end,
    outbox_messages_come_with_their_step,
    execution_round_trip,
    history_pages_both_ways,
    timers_and_tasks,
    map_runs,
    duplicate_create_fails,
    failed_commits_write_nothing,
    list_executions_filters_and_pages,
    state_machines,
    versions_and_aliases,
    delete_state_machine_takes_versions_aliases_tags,
    activities_and_tags,
    secret_is_stable,
    closed_store_refuses,
    concurrent_commits_land_in_order,
    commits_apply_in_call_order,
);

/// Commits apply in the order `commit` was called, whatever order their futures are
/// polled in.
async fn commits_apply_in_call_order(store: Arc<dyn Store>) {
    store
        .commit(create(execution("o", MACHINE, 1, &definition()), 1))
        .await
        .unwrap();
    let first = store.commit(step(&arn("o"), 1, 1, 1));
    let second = store.commit(step(&arn("o"), 2, 2, 1));
    let third = store.commit(step(&arn("o"), 3, 3, 1));
    assert_eq!(third.await, Ok(()));
    assert_eq!(second.await, Ok(()));
    drop(first); // dropping a future does not withdraw its commit
    let e = store.execution(&arn("o")).await.unwrap().unwrap();
    assert_eq!((e.journal_len, e.event_count), (4, 4));
}

async fn execution_round_trip(store: Arc<dyn Store>) {
    let def = definition();
    let mut record = execution("e1", MACHINE, 5_000, &def);
    record.version_arn = Some(format!("{MACHINE}:1"));
    record.event_count = 99; // ignored: the store counts
    store.commit(create(record.clone(), 3)).await.unwrap();

    let got = store.execution(&arn("e1")).await.unwrap().unwrap();
    assert_eq!(got.event_count, 3);
    assert_eq!(got.journal_len, 1);
    assert_eq!(
        ExecutionRecord {
            event_count: 3,
            journal_len: 1,
            ..record.clone()
        },
        got
    );
    assert_eq!(store.execution(&arn("nope")).await.unwrap(), None);

    // A step, then the end.
    store.commit(step(&arn("e1"), 1, 3, 2)).await.unwrap();
    store
        .commit(ExecutionCommit {
            update: ExecutionUpdate {
                status: Some(ExecutionStatus::Succeeded),
                output: Some(r#"{"done":true}"#.into()),
                stop_date: Some(9_000),
                ..Default::default()
            },
            ..step(&arn("e1"), 2, 5, 1)
        })
        .await
        .unwrap();
    let got = store.execution(&arn("e1")).await.unwrap().unwrap();
    assert_eq!(got.status, ExecutionStatus::Succeeded);
    assert_eq!(got.output.as_deref(), Some(r#"{"done":true}"#));
    assert_eq!(got.stop_date, Some(9_000));
    assert_eq!(got.error, None);
    assert_eq!(got.input, record.input);
    assert_eq!(got.seed, record.seed);
    assert_eq!((got.journal_len, got.event_count), (3, 6));

    let journal = store.journal(&arn("e1")).await.unwrap();
    assert_eq!(journal, vec![entry(0), entry(1), entry(2)]);
    assert!(matches!(
        store.journal(&arn("nope")).await,
        Err(StoreError::NotFound(_))
    ));

    // A commit with nothing but an update; a redrive.
    store
        .commit(ExecutionCommit {
            execution_arn: arn("e1"),
            update: ExecutionUpdate {
                status: Some(ExecutionStatus::Running),
                redrive_count: Some(1),
                redrive_date: Some(10_000),
                ..Default::default()
            },
            ..Default::default()
        })
        .await
        .unwrap();
    let got = store.execution(&arn("e1")).await.unwrap().unwrap();
    assert_eq!((got.redrive_count, got.redrive_date), (1, Some(10_000)));
    assert_eq!(got.output.as_deref(), Some(r#"{"done":true}"#), "kept");
    // A redrive that reopens the execution clears what it ended with.
    store
        .commit(ExecutionCommit {
            execution_arn: arn("e1"),
            update: ExecutionUpdate {
                status: Some(ExecutionStatus::Running),
                redrive_count: Some(2),
                redrive_date: Some(11_000),
                reopen: true,
                ..Default::default()
            },
            ..Default::default()
        })
        .await
        .unwrap();
    let got = store.execution(&arn("e1")).await.unwrap().unwrap();
    assert_eq!(got.status, ExecutionStatus::Running);
    assert_eq!((got.redrive_count, got.redrive_date), (2, Some(11_000)));
    assert_eq!(
        (got.output, got.error, got.cause, got.stop_date),
        (None, None, None, None)
    );

    // Open executions, sharing one definition.
    for i in 0..5 {
        store
            .commit(create(
                execution(&format!("o{i}"), MACHINE, 6_000 + i, &def),
                1,
            ))
            .await
            .unwrap();
    }
    let mut done = execution("done", MACHINE, 7_000, &def);
    done.status = ExecutionStatus::Failed;
    store.commit(create(done, 1)).await.unwrap();
    let open = store.open_executions().await.unwrap();
    let names: HashSet<&str> = open.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, HashSet::from(["e1", "o0", "o1", "o2", "o3", "o4"]));
    assert!(
        open.iter()
            .all(|e| Arc::ptr_eq(&e.definition, &open[0].definition))
    );
    assert_eq!(&*open[0].definition, &*def);
}

async fn history_pages_both_ways(store: Arc<dyn Store>) {
    let a = arn("h");
    store
        .commit(create(execution("h", MACHINE, 1, &definition()), 10))
        .await
        .unwrap();
    let mut count = 10;
    for seq in 1..30 {
        store.commit(step(&a, seq, count, 10)).await.unwrap();
        count += 10;
    }
    // Another execution's events must not leak into this one's pages.
    store
        .commit(create(execution("other", MACHINE, 2, &definition()), 5))
        .await
        .unwrap();

    for reverse in [false, true] {
        for limit in [1, 7, 100, 300, 1000] {
            let mut ids = Vec::new();
            let mut token = None;
            loop {
                let page = store
                    .history(
                        &a,
                        reverse,
                        Page {
                            token: token.take(),
                            limit,
                        },
                    )
                    .await
                    .unwrap();
                assert!(page.items.len() <= limit);
                ids.extend(page.items.iter().map(|e| e.id));
                match page.next {
                    Some(next) => {
                        assert_eq!(page.items.len(), limit);
                        assert_eq!(next, page.items.last().unwrap().id.to_string());
                        token = Some(next);
                    }
                    None => break,
                }
            }
            let mut expected: Vec<u64> = (1..=300).collect();
            if reverse {
                expected.reverse();
            }
            assert_eq!(ids, expected, "reverse {reverse}, limit {limit}");
        }
    }
    let first = store.history(&a, false, Page::default()).await.unwrap();
    assert_eq!(first.items.len(), 100, "default limit");
    assert_eq!(first.items[4], events(5, 1)[0]);
    let from = store
        .history(
            &a,
            true,
            Page {
                token: Some("3".into()),
                limit: 10,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        from.items.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![2, 1]
    );
    assert_eq!(from.next, None);
    let past = store
        .history(
            &a,
            false,
            Page {
                token: Some("300".into()),
                limit: 10,
            },
        )
        .await
        .unwrap();
    assert!(past.items.is_empty() && past.next.is_none());
    assert!(matches!(
        store
            .history(
                &a,
                false,
                Page {
                    token: Some("x".into()),
                    limit: 10
                }
            )
            .await,
        Err(StoreError::InvalidToken(_))
    ));
    assert!(matches!(
        store.history(&arn("nope"), false, Page::default()).await,
        Err(StoreError::NotFound(_))
    ));
}

fn timer(arn: &str, work_id: u64, due: i64) -> TimerRecord {
    TimerRecord {
        execution_arn: arn.to_owned(),
        work_id,
        due,
    }
}

fn task(arn: &str, work_id: u64, activity: bool) -> TaskRecord {
    TaskRecord {
        execution_arn: arn.to_owned(),
        work_id,
        activity_arn: activity
            .then(|| "arn:aws:states:us-east-1:123456789012:activity:A".to_owned()),
        token: Some(format!("token-{work_id}")),
        scheduled: 77,
        request: format!("request {work_id}"),
        started: false,
    }
}

fn sorted_timers(mut t: Vec<TimerRecord>) -> Vec<TimerRecord> {
    t.sort_by(|a, b| (&a.execution_arn, a.work_id).cmp(&(&b.execution_arn, b.work_id)));
    t
}

fn sorted_tasks(mut t: Vec<TaskRecord>) -> Vec<TaskRecord> {
    t.sort_by(|a, b| (&a.execution_arn, a.work_id).cmp(&(&b.execution_arn, b.work_id)));
    t
}

async fn timers_and_tasks(store: Arc<dyn Store>) {
    let (a, b) = (arn("a"), arn("b"));
    store
        .commit(ExecutionCommit {
            timers_set: vec![timer(&a, 1, 100), timer(&a, 2, 200)],
            tasks_set: vec![task(&a, 3, true), task(&a, 4, false)],
            ..create(execution("a", MACHINE, 1, &definition()), 1)
        })
        .await
        .unwrap();
    store
        .commit(ExecutionCommit {
            timers_set: vec![timer(&b, 1, 150)],
            ..create(execution("b", MACHINE, 2, &definition()), 1)
        })
        .await
        .unwrap();
    assert_eq!(
        sorted_timers(store.timers().await.unwrap()),
        vec![timer(&a, 1, 100), timer(&a, 2, 200), timer(&b, 1, 150)]
    );
    assert_eq!(
        sorted_tasks(store.tasks().await.unwrap()),
        vec![task(&a, 3, true), task(&a, 4, false)]
    );

    // Fire timer 1, replace task 3 (started), finish task 4, schedule and cancel 5 in one step.
    let mut started = task(&a, 3, true);
    started.started = true;
    store
        .commit(ExecutionCommit {
            timers_cleared: vec![1, 42],
            tasks_set: vec![started.clone(), task(&a, 5, false)],
            tasks_cleared: vec![4, 5],
            timers_set: vec![timer(&a, 6, 600)],
            ..step(&a, 1, 1, 1)
        })
        .await
        .unwrap();
    assert_eq!(
        sorted_timers(store.timers().await.unwrap()),
        vec![timer(&a, 2, 200), timer(&a, 6, 600), timer(&b, 1, 150)]
    );
    assert_eq!(store.tasks().await.unwrap(), vec![started]);
    store
        .commit(ExecutionCommit {
            execution_arn: a.clone(),
            timers_cleared: vec![2, 6],
            tasks_cleared: vec![3],
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(store.timers().await.unwrap(), vec![timer(&b, 1, 150)]);
    assert!(store.tasks().await.unwrap().is_empty());
}

fn map_run(execution_arn: &str, label: &str, start_date: i64) -> MapRunRecord {
    MapRunRecord {
        arn: format!("arn:aws:states:us-east-1:123456789012:mapRun:M/{label}:1"),
        execution_arn: execution_arn.to_owned(),
        status: "RUNNING".into(),
        start_date,
        stop_date: None,
        max_concurrency: 10,
        tolerated_failure_percentage: 2.5,
        tolerated_failure_count: 3,
        counts: r#"{"pending":5}"#.into(),
    }
}

async fn map_runs(store: Arc<dyn Store>) {
    let a = arn("m");
    store
        .commit(ExecutionCommit {
            map_runs: vec![map_run(&a, "one", 10), map_run(&a, "two", 20)],
            ..create(execution("m", MACHINE, 1, &definition()), 1)
        })
        .await
        .unwrap();
    store
        .commit(create(execution("other", MACHINE, 1, &definition()), 1))
        .await
        .unwrap();
    let mut done = map_run(&a, "one", 10);
    done.status = "SUCCEEDED".into();
    done.stop_date = Some(30);
    done.counts = r#"{"succeeded":5}"#.into();
    store
        .commit(ExecutionCommit {
            map_runs: vec![done.clone(), map_run(&a, "three", 20)],
            ..step(&a, 1, 1, 1)
        })
        .await
        .unwrap();
    assert_eq!(store.map_run(&done.arn).await.unwrap(), Some(done.clone()));
    assert_eq!(store.map_run("arn:nope").await.unwrap(), None);

    // Newest first; "three" and "two" started at the same time: the later created first.
    let page = store
        .list_map_runs(
            &a,
            Page {
                token: None,
                limit: 2,
            },
        )
        .await
        .unwrap();
    let labels: Vec<&str> = page.items.iter().map(|m| m.arn.as_str()).collect();
    assert_eq!(
        labels,
        vec![map_run(&a, "three", 0).arn, map_run(&a, "two", 0).arn]
    );
    let rest = store
        .list_map_runs(
            &a,
            Page {
                token: page.next,
                limit: 2,
            },
        )
        .await
        .unwrap();
    assert_eq!(rest.items, vec![done]);
    assert_eq!(rest.next, None);
    assert!(
        store
            .list_map_runs(&arn("other"), Page::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(matches!(
        store.list_map_runs(&arn("nope"), Page::default()).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store
            .list_map_runs(
                &a,
                Page {
                    token: Some("garbage".into()),
                    limit: 0
                }
            )
            .await,
        Err(StoreError::InvalidToken(_))
    ));
}

async fn duplicate_create_fails(store: Arc<dyn Store>) {
    let record = execution("d", MACHINE, 1, &definition());
    store.commit(create(record.clone(), 2)).await.unwrap();
    let mut again = record.clone();
    again.input = "{}".into();
    let err = store.commit(create(again, 5)).await.unwrap_err();
    assert_eq!(err, StoreError::AlreadyExists(arn("d")));
    let got = store.execution(&arn("d")).await.unwrap().unwrap();
    assert_eq!(
        (got.input.as_str(), got.event_count, got.journal_len),
        (record.input.as_str(), 2, 1)
    );
    assert_eq!(store.journal(&arn("d")).await.unwrap(), vec![entry(0)]);
}

async fn failed_commits_write_nothing(store: Arc<dyn Store>) {
    let a = arn("f");
    store
        .commit(create(execution("f", MACHINE, 1, &definition()), 2))
        .await
        .unwrap();
    let before = store.execution(&a).await.unwrap();
    let bad = [
        // A gap in the journal.
        ExecutionCommit {
            timers_set: vec![timer(&a, 1, 5)],
            update: ExecutionUpdate {
                status: Some(ExecutionStatus::Failed),
                ..Default::default()
            },
            ..step(&a, 2, 2, 3)
        },
        // Events that do not continue the history (after a valid journal entry).
        ExecutionCommit {
            tasks_set: vec![task(&a, 1, false)],
            ..step(&a, 1, 5, 3)
        },
        // Events out of order within the commit.
        ExecutionCommit {
            events: vec![events(3, 1)[0].clone(), events(5, 1)[0].clone()],
            ..step(&a, 1, 2, 0)
        },
        // A timer of another execution.
        ExecutionCommit {
            timers_set: vec![timer(&arn("x"), 1, 5)],
            ..step(&a, 1, 2, 1)
        },
    ];
    for commit in bad {
        let err = store.commit(commit).await.unwrap_err();
        assert!(matches!(err, StoreError::Backend(_)), "{err:?}");
    }
    // A commit of an execution that does not exist.
    assert_eq!(
        store
            .commit(step(&arn("ghost"), 0, 0, 1))
            .await
            .unwrap_err(),
        StoreError::NotFound(arn("ghost"))
    );
    assert_eq!(store.execution(&arn("ghost")).await.unwrap(), None);
    // A create whose record is of another execution.
    let mut c = create(execution("y", MACHINE, 1, &definition()), 1);
    c.execution_arn = arn("z");
    assert!(matches!(store.commit(c).await, Err(StoreError::Backend(_))));
    assert_eq!(store.execution(&arn("z")).await.unwrap(), None);
    assert_eq!(store.execution(&arn("y")).await.unwrap(), None);

    assert_eq!(store.execution(&a).await.unwrap(), before);
    assert_eq!(store.journal(&a).await.unwrap(), vec![entry(0)]);
    assert_eq!(
        store
            .history(&a, false, Page::default())
            .await
            .unwrap()
            .items,
        events(1, 2)
    );
    assert!(store.timers().await.unwrap().is_empty());
    assert!(store.tasks().await.unwrap().is_empty());
    // The execution still takes the right next commit.
    store.commit(step(&a, 1, 2, 1)).await.unwrap();
}

/// Every page of a listing, following tokens.
async fn all_executions(store: &dyn Store, filter: &ExecutionFilter, limit: usize) -> Vec<String> {
    let mut names = Vec::new();
    let mut token = None;
    loop {
        let page = store
            .list_executions(
                filter.clone(),
                Page {
                    token: token.take(),
                    limit,
                },
            )
            .await
            .unwrap();
        assert!(page.items.len() <= limit.max(1));
        names.extend(page.items.into_iter().map(|e| e.name));
        match page.next {
            Some(next) => token = Some(next),
            None => return names,
        }
    }
}

async fn list_executions_filters_and_pages(store: Arc<dyn Store>) {
    let def = definition();
    let other = "arn:aws:states:us-east-1:123456789012:stateMachine:Other";
    let version = format!("{MACHINE}:1");
    let alias = format!("{MACHINE}:prod");
    let map_run_arn = "arn:aws:states:us-east-1:123456789012:mapRun:M/map:1";
    // name, machine, start, status, version, alias, map run, redriven
    #[allow(clippy::type_complexity)]
    let specs: Vec<(&str, &str, i64, ExecutionStatus, bool, bool, bool, bool)> = vec![
        (
            "a",
            MACHINE,
            10,
            ExecutionStatus::Succeeded,
            false,
            false,
            false,
            false,
        ),
        (
            "b",
            MACHINE,
            20,
            ExecutionStatus::Running,
            true,
            false,
            false,
            false,
        ),
        (
            "c",
            other,
            20,
            ExecutionStatus::Running,
            false,
            false,
            false,
            false,
        ),
        (
            "d",
            MACHINE,
            20,
            ExecutionStatus::Failed,
            true,
            true,
            false,
            true,
        ),
        (
            "e",
            MACHINE,
            30,
            ExecutionStatus::Running,
            false,
            false,
            true,
            false,
        ),
        (
            "f",
            MACHINE,
            40,
            ExecutionStatus::Failed,
            false,
            true,
            true,
            false,
        ),
        (
            "g",
            other,
            5,
            ExecutionStatus::Aborted,
            false,
            false,
            false,
            true,
        ),
        (
            "h",
            MACHINE,
            40,
            ExecutionStatus::Running,
            false,
            false,
            false,
            false,
        ),
    ];
    for (name, machine, start, status, v, a, m, redriven) in &specs {
        let mut r = execution(name, machine, *start, &def);
        r.status = *status;
        r.version_arn = v.then(|| version.clone());
        r.alias_arn = a.then(|| alias.clone());
        r.map_run_arn = m.then(|| map_run_arn.to_owned());
        r.redrive_count = u32::from(*redriven);
        store.commit(create(r, 1)).await.unwrap();
    }
    let everything = ["h", "f", "e", "d", "c", "b", "a", "g"];
    let check = |filter: ExecutionFilter, expected: Vec<&'static str>| {
        let store = store.clone();
        async move {
            for limit in [1, 2, 3, 100] {
                assert_eq!(
                    all_executions(&*store, &filter, limit).await,
                    expected,
                    "{filter:?}, limit {limit}"
                );
            }
        }
    };
    check(ExecutionFilter::default(), everything.to_vec()).await;
    check(
        ExecutionFilter {
            machine_arn: Some(MACHINE.into()),
            ..Default::default()
        },
        vec!["h", "f", "e", "d", "b", "a"],
    )
    .await;
    check(
        ExecutionFilter {
            machine_arn: Some(version.clone()),
            ..Default::default()
        },
        vec!["d", "b"],
    )
    .await;
    check(
        ExecutionFilter {
            machine_arn: Some(alias.clone()),
            ..Default::default()
        },
        vec!["f", "d"],
    )
    .await;
    check(
        ExecutionFilter {
            machine_arn: Some(alias.clone()),
            status: Some(ExecutionStatus::Failed),
            redriven: Some(false),
            ..Default::default()
        },
        vec!["f"],
    )
    .await;
    check(
        ExecutionFilter {
            status: Some(ExecutionStatus::Running),
            ..Default::default()
        },
        vec!["h", "e", "c", "b"],
    )
    .await;
    check(
        ExecutionFilter {
            machine_arn: Some(MACHINE.into()),
            status: Some(ExecutionStatus::Running),
            ..Default::default()
        },
        vec!["h", "e", "b"],
    )
    .await;
    check(
        ExecutionFilter {
            map_run_arn: Some(map_run_arn.into()),
            ..Default::default()
        },
        vec!["f", "e"],
    )
    .await;
    check(
        ExecutionFilter {
            redriven: Some(true),
            ..Default::default()
        },
        vec!["d", "g"],
    )
    .await;
    check(
        ExecutionFilter {
            machine_arn: Some(other.into()),
            redriven: Some(false),
            ..Default::default()
        },
        vec!["c"],
    )
    .await;
    check(
        ExecutionFilter {
            machine_arn: Some("arn:nothing".into()),
            ..Default::default()
        },
        vec![],
    )
    .await;
    // A page that ends the listing has no token; a full page has one.
    let page = store
        .list_executions(
            ExecutionFilter::default(),
            Page {
                token: None,
                limit: 8,
            },
        )
        .await
        .unwrap();
    assert_eq!((page.items.len(), page.next), (8, None));
    let page = store
        .list_executions(ExecutionFilter::default(), Page::default())
        .await
        .unwrap();
    assert_eq!(page.items.len(), 8);
    assert_eq!(page.items[0].arn, arn("h"));
    for bad in ["", "12", "x:y", "1:2:3"] {
        assert!(
            matches!(
                store
                    .list_executions(
                        ExecutionFilter::default(),
                        Page {
                            token: Some(bad.into()),
                            limit: 1
                        }
                    )
                    .await,
                Err(StoreError::InvalidToken(_))
            ),
            "{bad}"
        );
    }
}

fn machine(name: &str) -> StateMachineRecord {
    StateMachineRecord {
        arn: format!("arn:aws:states:us-east-1:123456789012:stateMachine:{name}"),
        name: name.into(),
        machine_type: MachineType::Standard,
        definition: r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#.into(),
        role_arn: "arn:aws:iam::123456789012:role/R".into(),
        created: 100,
        updated: 100,
        revision_id: "r1".into(),
        description: Some("a machine".into()),
        logging: Some(r#"{"level":"OFF"}"#.into()),
        tracing: None,
        encryption: Some(r#"{"type":"AWS_OWNED_KEY"}"#.into()),
    }
}

async fn all_machines(store: &dyn Store, limit: usize) -> Vec<String> {
    let mut names = Vec::new();
    let mut token = None;
    loop {
        let page = store
            .list_state_machines(Page {
                token: token.take(),
                limit,
            })
            .await
            .unwrap();
        names.extend(page.items.into_iter().map(|m| m.name));
        match page.next {
            Some(next) => token = Some(next),
            None => return names,
        }
    }
}

async fn state_machines(store: Arc<dyn Store>) {
    for name in ["zeta", "alpha", "mid"] {
        store.create_state_machine(machine(name)).await.unwrap();
    }
    assert_eq!(
        store.create_state_machine(machine("alpha")).await,
        Err(StoreError::AlreadyExists(machine("alpha").arn))
    );
    assert_eq!(
        store.state_machine(&machine("mid").arn).await.unwrap(),
        Some(machine("mid"))
    );
    assert_eq!(store.state_machine("arn:nope").await.unwrap(), None);
    let mut updated = machine("mid");
    updated.machine_type = MachineType::Express;
    updated.definition = "{}".into();
    updated.description = None;
    updated.revision_id = "r2".into();
    updated.updated = 200;
    store.update_state_machine(updated.clone()).await.unwrap();
    assert_eq!(
        store.state_machine(&updated.arn).await.unwrap(),
        Some(updated)
    );
    assert_eq!(
        store.update_state_machine(machine("nope")).await,
        Err(StoreError::NotFound(machine("nope").arn))
    );
    // Creation order, across pages.
    for limit in [1, 2, 3, 10] {
        assert_eq!(
            all_machines(&*store, limit).await,
            vec!["zeta", "alpha", "mid"]
        );
    }
    store
        .delete_state_machine(&machine("alpha").arn)
        .await
        .unwrap();
    assert_eq!(
        store.delete_state_machine(&machine("alpha").arn).await,
        Err(StoreError::NotFound(machine("alpha").arn))
    );
    store.create_state_machine(machine("later")).await.unwrap();
    assert_eq!(all_machines(&*store, 1).await, vec!["zeta", "mid", "later"]);
    assert!(matches!(
        store
            .list_state_machines(Page {
                token: Some("zz".into()),
                limit: 1
            })
            .await,
        Err(StoreError::InvalidToken(_))
    ));
}

fn version(machine_name: &str, n: u64) -> VersionRecord {
    let m = machine(machine_name);
    VersionRecord {
        arn: format!("{}:{n}", m.arn),
        machine_arn: m.arn,
        version: n,
        definition: format!(r#"{{"Comment":"v{n}"}}"#),
        role_arn: m.role_arn,
        machine_type: MachineType::Standard,
        created: 100 + n as i64,
        revision_id: format!("r{n}"),
        description: n.is_multiple_of(2).then(|| format!("version {n}")),
        logging: None,
        tracing: Some(r#"{"enabled":false}"#.into()),
    }
}

fn alias(machine_name: &str, name: &str) -> AliasRecord {
    let m = machine(machine_name);
    AliasRecord {
        arn: format!("{}:{name}", m.arn),
        machine_arn: m.arn,
        name: name.into(),
        description: None,
        routing: vec![
            (version(machine_name, 1).arn, 80),
            (version(machine_name, 2).arn, 20),
        ],
        created: 1,
        updated: 2,
    }
}

async fn versions_and_aliases(store: Arc<dyn Store>) {
    let m = machine("vm");
    store.create_state_machine(m.clone()).await.unwrap();
    store.create_state_machine(machine("other")).await.unwrap();
    for n in 1..=5 {
        store.create_version(version("vm", n)).await.unwrap();
    }
    store.create_version(version("other", 1)).await.unwrap();
    assert_eq!(
        store.create_version(version("vm", 3)).await,
        Err(StoreError::AlreadyExists(version("vm", 3).arn))
    );
    assert_eq!(
        store.create_version(version("ghost", 1)).await,
        Err(StoreError::NotFound(machine("ghost").arn))
    );
    assert_eq!(store.version(&version("ghost", 1).arn).await.unwrap(), None);
    assert_eq!(
        store.version(&version("vm", 4).arn).await.unwrap(),
        Some(version("vm", 4))
    );
    // Newest first, across pages.
    let mut numbers = Vec::new();
    let mut token = None;
    loop {
        let page = store
            .list_versions(
                &m.arn,
                Page {
                    token: token.take(),
                    limit: 2,
                },
            )
            .await
            .unwrap();
        numbers.extend(page.items.iter().map(|v| v.version));
        match page.next {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    assert_eq!(numbers, vec![5, 4, 3, 2, 1]);
    store.delete_version(&version("vm", 4).arn).await.unwrap();
    assert_eq!(
        store.delete_version(&version("vm", 4).arn).await,
        Err(StoreError::NotFound(version("vm", 4).arn))
    );
    let page = store.list_versions(&m.arn, Page::default()).await.unwrap();
    assert_eq!(
        page.items.iter().map(|v| v.version).collect::<Vec<_>>(),
        vec![5, 3, 2, 1]
    );
    assert!(matches!(
        store
            .list_versions(&machine("ghost").arn, Page::default())
            .await,
        Err(StoreError::NotFound(_))
    ));

    for name in ["prod", "beta", "dev"] {
        store.put_alias(alias("vm", name)).await.unwrap();
    }
    store.put_alias(alias("other", "prod")).await.unwrap();
    assert_eq!(
        store.put_alias(alias("ghost", "prod")).await,
        Err(StoreError::NotFound(machine("ghost").arn))
    );
    let mut changed = alias("vm", "prod");
    changed.routing = vec![(version("vm", 5).arn, 100)];
    changed.description = Some("all on 5".into());
    changed.updated = 9;
    store.put_alias(changed.clone()).await.unwrap();
    assert_eq!(
        store.alias(&changed.arn).await.unwrap(),
        Some(changed.clone())
    );
    let first = store
        .list_aliases(
            &m.arn,
            Page {
                token: None,
                limit: 2,
            },
        )
        .await
        .unwrap();
    let second = store
        .list_aliases(
            &m.arn,
            Page {
                token: first.next.clone(),
                limit: 2,
            },
        )
        .await
        .unwrap();
    let names: Vec<&str> = first
        .items
        .iter()
        .chain(&second.items)
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(names, vec!["beta", "dev", "prod"]);
    assert_eq!(second.next, None);
    store.delete_alias(&alias("vm", "dev").arn).await.unwrap();
    assert_eq!(
        store.delete_alias(&alias("vm", "dev").arn).await,
        Err(StoreError::NotFound(alias("vm", "dev").arn))
    );
    assert_eq!(store.alias(&alias("vm", "dev").arn).await.unwrap(), None);
    assert_eq!(
        store
            .list_aliases(&m.arn, Page::default())
            .await
            .unwrap()
            .items
            .len(),
        2
    );
}

async fn delete_state_machine_takes_versions_aliases_tags(store: Arc<dyn Store>) {
    let m = machine("doomed");
    let keep = machine("kept");
    for x in [&m, &keep] {
        store.create_state_machine(x.clone()).await.unwrap();
    }
    let tags = vec![Tag {
        key: "k".into(),
        value: "v".into(),
    }];
    for name in ["doomed", "kept"] {
        store.create_version(version(name, 1)).await.unwrap();
        store.put_alias(alias(name, "prod")).await.unwrap();
        store.tag(&machine(name).arn, tags.clone()).await.unwrap();
        store
            .tag(&version(name, 1).arn, tags.clone())
            .await
            .unwrap();
        store
            .tag(&alias(name, "prod").arn, tags.clone())
            .await
            .unwrap();
    }
    // Executions stay.
    store
        .commit(create(execution("run", &m.arn, 1, &definition()), 1))
        .await
        .unwrap();
    store.delete_state_machine(&m.arn).await.unwrap();
    assert_eq!(store.state_machine(&m.arn).await.unwrap(), None);
    assert_eq!(
        store.version(&version("doomed", 1).arn).await.unwrap(),
        None
    );
    assert_eq!(
        store.alias(&alias("doomed", "prod").arn).await.unwrap(),
        None
    );
    for arn in [
        m.arn.clone(),
        version("doomed", 1).arn,
        alias("doomed", "prod").arn,
    ] {
        assert!(store.tags(&arn).await.unwrap().is_empty(), "{arn}");
    }
    assert!(store.execution(&arn("run")).await.unwrap().is_some());
    // The other machine is untouched.
    assert!(store.state_machine(&keep.arn).await.unwrap().is_some());
    assert!(
        store
            .version(&version("kept", 1).arn)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .alias(&alias("kept", "prod").arn)
            .await
            .unwrap()
            .is_some()
    );
    for arn in [
        keep.arn.clone(),
        version("kept", 1).arn,
        alias("kept", "prod").arn,
    ] {
        assert_eq!(store.tags(&arn).await.unwrap(), tags, "{arn}");
    }
    // A machine of the same name again starts from nothing.
    store.create_state_machine(m.clone()).await.unwrap();
    assert!(
        store
            .list_versions(&m.arn, Page::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(
        store
            .list_aliases(&m.arn, Page::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

fn activity(name: &str) -> ActivityRecord {
    ActivityRecord {
        arn: format!("arn:aws:states:us-east-1:123456789012:activity:{name}"),
        name: name.into(),
        created: 5,
        encryption: None,
    }
}

fn tag(key: &str, value: &str) -> Tag {
    Tag {
        key: key.into(),
        value: value.into(),
    }
}

async fn activities_and_tags(store: Arc<dyn Store>) {
    for name in ["b", "a", "c"] {
        store.create_activity(activity(name)).await.unwrap();
    }
    assert_eq!(
        store.create_activity(activity("a")).await,
        Err(StoreError::AlreadyExists(activity("a").arn))
    );
    assert_eq!(
        store.activity(&activity("a").arn).await.unwrap(),
        Some(activity("a"))
    );
    assert_eq!(store.activity(&activity("z").arn).await.unwrap(), None);
    let first = store
        .list_activities(Page {
            token: None,
            limit: 2,
        })
        .await
        .unwrap();
    let second = store
        .list_activities(Page {
            token: first.next.clone(),
            limit: 2,
        })
        .await
        .unwrap();
    let names: Vec<&str> = first
        .items
        .iter()
        .chain(&second.items)
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(names, vec!["b", "a", "c"]);
    assert_eq!(second.next, None);

    let a = activity("a").arn;
    store
        .tag(&a, vec![tag("team", "x"), tag("env", "dev")])
        .await
        .unwrap();
    store
        .tag(&a, vec![tag("env", "prod"), tag("cost", "1")])
        .await
        .unwrap();
    assert_eq!(
        store.tags(&a).await.unwrap(),
        vec![tag("cost", "1"), tag("env", "prod"), tag("team", "x")]
    );
    store
        .untag(&a, vec!["team".into(), "missing".into()])
        .await
        .unwrap();
    assert_eq!(
        store.tags(&a).await.unwrap(),
        vec![tag("cost", "1"), tag("env", "prod")]
    );
    assert!(store.tags("arn:untagged").await.unwrap().is_empty());

    store.delete_activity(&a).await.unwrap();
    assert_eq!(
        store.delete_activity(&a).await,
        Err(StoreError::NotFound(a.clone()))
    );
    assert_eq!(store.activity(&a).await.unwrap(), None);
    assert!(
        store.tags(&a).await.unwrap().is_empty(),
        "tags go with the activity"
    );
}

async fn secret_is_stable(store: Arc<dyn Store>) {
    let (one, two) = tokio::join!(store.secret(), store.secret());
    let one = one.unwrap();
    assert_eq!(one, two.unwrap());
    assert_eq!(store.secret().await.unwrap(), one);
    assert_ne!(one, [0; 32]);
}

async fn closed_store_refuses(store: Arc<dyn Store>) {
    store
        .commit(create(execution("c", MACHINE, 1, &definition()), 1))
        .await
        .unwrap();
    // A commit sent before close lands.
    let pending = store.commit(step(&arn("c"), 1, 1, 1));
    store.close().await.unwrap();
    assert_eq!(pending.await, Ok(()));
    assert_eq!(store.execution(&arn("c")).await, Err(StoreError::Closed));
    assert_eq!(
        store.commit(step(&arn("c"), 2, 2, 1)).await,
        Err(StoreError::Closed)
    );
    assert_eq!(
        store.create_activity(activity("a")).await,
        Err(StoreError::Closed)
    );
    assert_eq!(store.secret().await, Err(StoreError::Closed));
    assert_eq!(store.tags("arn:x").await, Err(StoreError::Closed));
    assert_eq!(store.close().await, Ok(()));
}

async fn concurrent_commits_land_in_order(store: Arc<dyn Store>) {
    const EXECUTIONS: usize = 1_000;
    const COMMITS: u64 = 20;
    const TASKS: usize = 50;
    let def = definition();
    let mut handles = Vec::new();
    for t in 0..TASKS {
        let store = store.clone();
        let def = def.clone();
        handles.push(tokio::spawn(async move {
            let mine: Vec<String> = (t..EXECUTIONS)
                .step_by(TASKS)
                .map(|i| format!("x{i}"))
                .collect();
            // Half the rounds wait for each commit; the other half send every commit of a
            // round before waiting: calls, not polls, order them.
            for round in 0..COMMITS {
                let mut pending = Vec::new();
                for name in &mine {
                    let commit = if round == 0 {
                        create(execution(name, MACHINE, t as i64, &def), 2)
                    } else {
                        step(&arn(name), round, round * 2, 2)
                    };
                    if round % 2 == 0 {
                        store.commit(commit).await.unwrap();
                    } else {
                        pending.push(store.commit(commit));
                    }
                }
                for p in pending {
                    p.await.unwrap();
                }
            }
            // Several commits of one execution in flight at once.
            if let Some(name) = mine.first() {
                let extra: Vec<_> = (COMMITS..COMMITS + 5)
                    .map(|seq| store.commit(step(&arn(name), seq, seq * 2, 2)))
                    .collect();
                for p in extra {
                    p.await.unwrap();
                }
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    for i in (0..EXECUTIONS).step_by(97) {
        let a = arn(&format!("x{i}"));
        let extra = if i < TASKS { 5 } else { 0 };
        let e = store.execution(&a).await.unwrap().unwrap();
        assert_eq!(e.journal_len, COMMITS + extra);
        assert_eq!(e.event_count, 2 * (COMMITS + extra));
        let journal = store.journal(&a).await.unwrap();
        assert_eq!(
            journal.iter().map(|j| j.seq).collect::<Vec<_>>(),
            (0..COMMITS + extra).collect::<Vec<_>>()
        );
        let history = store
            .history(
                &a,
                false,
                Page {
                    token: None,
                    limit: 1000,
                },
            )
            .await
            .unwrap();
        assert_eq!(history.items, events(1, 2 * (COMMITS + extra)));
    }
    let all = store
        .list_executions(
            ExecutionFilter::default(),
            Page {
                token: None,
                limit: 2000,
            },
        )
        .await
        .unwrap();
    assert_eq!(all.items.len(), EXECUTIONS);
}

fn trigger(kind: TriggerKind, name: &str, body: &str) -> TriggerRecord {
    TriggerRecord {
        kind,
        name: name.into(),
        body: body.into(),
        created: 1_000,
        updated: 1_000,
        cursor: None,
    }
}

fn dead_letter(name: &str) -> DeadLetterRecord {
    DeadLetterRecord {
        seq: 0,
        kind: TriggerKind::Schedule,
        name: name.into(),
        at: 5_000,
        target: "arn:aws:states:us-east-1:123456789012:stateMachine:m".into(),
        input: "{}".into(),
        error: "StateMachineDoesNotExist".into(),
        cause: "gone".into(),
        attempts: 3,
    }
}

async fn triggers_and_dead_letters(store: Arc<dyn Store>) {
    let hook = trigger(TriggerKind::Webhook, "orders", r#"{"a":1}"#);
    store.create_trigger(hook.clone()).await.unwrap();
    // The same name in another kind is another trigger.
    let same_name = trigger(TriggerKind::Schedule, "orders", r#"{"b":2}"#);
    store.create_trigger(same_name.clone()).await.unwrap();
    store
        .create_trigger(trigger(TriggerKind::Schedule, "default/a", "{}"))
        .await
        .unwrap();
    assert_eq!(
        store.create_trigger(hook.clone()).await,
        Err(StoreError::AlreadyExists("orders".into()))
    );
    assert_eq!(
        store.trigger(TriggerKind::Webhook, "orders").await.unwrap(),
        Some(hook.clone())
    );
    assert_eq!(
        store.trigger(TriggerKind::Rule, "orders").await.unwrap(),
        None
    );
    let names: Vec<String> = store
        .triggers(TriggerKind::Schedule)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["default/a", "orders"]);

    // An update replaces everything but the creation date.
    let updated = TriggerRecord {
        body: r#"{"a":2}"#.into(),
        created: 9_999,
        updated: 2_000,
        cursor: Some(7),
        ..hook.clone()
    };
    store.update_trigger(updated).await.unwrap();
    let got = store
        .trigger(TriggerKind::Webhook, "orders")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (got.created, got.updated, got.cursor),
        (1_000, 2_000, Some(7))
    );
    assert_eq!(got.body, r#"{"a":2}"#);
    assert_eq!(
        store
            .update_trigger(trigger(TriggerKind::Rule, "nope", "{}"))
            .await,
        Err(StoreError::NotFound("nope".into()))
    );

    // The cursor moves alone.
    store
        .set_trigger_cursor(TriggerKind::Schedule, "orders", 123)
        .await
        .unwrap();
    let got = store
        .trigger(TriggerKind::Schedule, "orders")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((got.cursor, got.body.as_str()), (Some(123), r#"{"b":2}"#));
    assert_eq!(
        store
            .set_trigger_cursor(TriggerKind::Schedule, "nope", 1)
            .await,
        Err(StoreError::NotFound("nope".into()))
    );

    store
        .delete_trigger(TriggerKind::Webhook, "orders")
        .await
        .unwrap();
    assert_eq!(
        store.trigger(TriggerKind::Webhook, "orders").await.unwrap(),
        None
    );
    assert_eq!(
        store.delete_trigger(TriggerKind::Webhook, "orders").await,
        Err(StoreError::NotFound("orders".into()))
    );

    // Dead letters: numbered in order, listed newest first, paged.
    for i in 0..5 {
        let seq = store
            .add_dead_letter(dead_letter(&format!("s{i}")))
            .await
            .unwrap();
        assert_eq!(seq, i + 1);
    }
    let first = store
        .list_dead_letters(Page {
            token: None,
            limit: 2,
        })
        .await
        .unwrap();
    let names: Vec<&str> = first.items.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["s4", "s3"]);
    assert_eq!(
        first.items[0],
        DeadLetterRecord {
            seq: 5,
            ..dead_letter("s4")
        }
    );
    let mut token = first.next;
    let mut rest = Vec::new();
    while let Some(t) = token {
        let page = store
            .list_dead_letters(Page {
                token: Some(t),
                limit: 2,
            })
            .await
            .unwrap();
        rest.extend(page.items.into_iter().map(|l| l.name));
        token = page.next;
    }
    assert_eq!(rest, ["s2", "s1", "s0"]);
    assert!(matches!(
        store
            .list_dead_letters(Page {
                token: Some("x".into()),
                limit: 2
            })
            .await,
        Err(StoreError::InvalidToken(_))
    ));
}

fn delivery(id: &str, at: i64) -> DeliveryRecord {
    DeliveryRecord {
        id: id.into(),
        rule: "default/chain".into(),
        target: "arn:aws:states:us-east-1:123456789012:stateMachine:next".into(),
        input: format!("{{\"id\":\"{id}\"}}"),
        at,
    }
}

async fn deliveries_are_kept_until_deleted(store: Arc<dyn Store>) {
    assert!(store.deliveries().await.unwrap().is_empty());
    store
        .add_deliveries(vec![delivery("b", 2), delivery("a", 2), delivery("c", 1)])
        .await
        .unwrap();
    store.add_deliveries(Vec::new()).await.unwrap();
    let ids = |d: Vec<DeliveryRecord>| d.into_iter().map(|d| d.id).collect::<Vec<_>>();
    assert_eq!(ids(store.deliveries().await.unwrap()), ["c", "a", "b"]);
    // The same id again replaces it.
    let mut again = delivery("a", 2);
    again.input = "{}".into();
    store.add_deliveries(vec![again.clone()]).await.unwrap();
    let all = store.deliveries().await.unwrap();
    assert_eq!(all.len(), 3);
    assert!(all.contains(&again));
    store.delete_delivery("a").await.unwrap();
    store.delete_delivery("a").await.unwrap();
    store.delete_delivery("never").await.unwrap();
    assert_eq!(ids(store.deliveries().await.unwrap()), ["c", "b"]);
}

async fn express_starts_are_kept_until_they_end(store: Arc<dyn Store>) {
    let start = |arn: &str, at: i64| ExpressStartRecord {
        arn: arn.into(),
        body: format!("{{\"arn\":\"{arn}\"}}"),
        at,
    };
    assert!(store.express_starts().await.unwrap().is_empty());
    for s in [start("b", 2), start("a", 2), start("c", 1)] {
        store.add_express_start(s).await.unwrap();
    }
    let arns = |d: Vec<ExpressStartRecord>| d.into_iter().map(|d| d.arn).collect::<Vec<_>>();
    assert_eq!(arns(store.express_starts().await.unwrap()), ["c", "a", "b"]);
    let mut again = start("a", 2);
    again.body = "{}".into();
    store.add_express_start(again.clone()).await.unwrap();
    assert!(store.express_starts().await.unwrap().contains(&again));
    store.delete_express_start("a").await.unwrap();
    store.delete_express_start("never").await.unwrap();
    assert_eq!(arns(store.express_starts().await.unwrap()), ["c", "b"]);
}

async fn outbox_messages_come_with_their_step(store: Arc<dyn Store>) {
    let message = |id: &str| OutboxRecord {
        id: id.into(),
        body: format!("{{\"id\":\"{id}\"}}"),
    };
    assert!(store.outbox().await.unwrap().is_empty());
    let mut first = create(execution("o1", MACHINE, 1_000, &definition()), 1);
    first.outbox = vec![message("o1/1")];
    store.commit(first).await.unwrap();
    // A commit that fails keeps none of its messages.
    let mut bad = step(&arn("o1"), 5, 1, 1);
    bad.outbox = vec![message("never")];
    assert!(store.commit(bad).await.is_err());
    let mut next = step(&arn("o1"), 1, 1, 1);
    next.outbox = vec![message("o1/2"), message("o1/3")];
    store.commit(next).await.unwrap();
    let ids = |o: Vec<OutboxRecord>| o.into_iter().map(|m| m.id).collect::<Vec<_>>();
    assert_eq!(ids(store.outbox().await.unwrap()), ["o1/1", "o1/2", "o1/3"]);
    store.delete_outbox("o1/2").await.unwrap();
    store.delete_outbox("o1/2").await.unwrap();
    assert_eq!(ids(store.outbox().await.unwrap()), ["o1/1", "o1/3"]);
    assert_eq!(store.outbox().await.unwrap()[0], message("o1/1"));
}
