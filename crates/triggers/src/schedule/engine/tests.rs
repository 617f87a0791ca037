//! The engine on a virtual clock: the test says what time it is.

use std::sync::Arc;

use super::Engine;
use crate::schedule::{ScheduleDef, ScheduleTarget};

const MIN: i64 = 60_000;

fn def(name: &str, expression: &str) -> ScheduleDef {
    ScheduleDef {
        name: name.into(),
        group: "default".into(),
        expression: expression.into(),
        timezone: None,
        start_date: None,
        end_date: None,
        description: None,
        state: "ENABLED".into(),
        flexible_minutes: None,
        target: ScheduleTarget {
            arn: "arn:aws:states:us-east-1:123456789012:stateMachine:m".into(),
            role_arn: String::new(),
            input: None,
            max_retry_attempts: 185,
            max_event_age_seconds: 86_400,
            dead_letter_arn: None,
        },
        action_after_completion: "NONE".into(),
        kms_key_arn: None,
    }
}

fn put(engine: &mut Engine, d: ScheduleDef, created: i64, cursor: Option<i64>, now: i64) {
    let c = d.compile(created).unwrap();
    engine.put(d.key().into(), Arc::new(c), cursor, now);
}

fn fired(engine: &mut Engine, now: i64) -> Vec<(String, i64)> {
    engine
        .pop_due(now)
        .into_iter()
        .map(|d| (d.key.to_string(), d.scheduled))
        .collect()
}

#[test]
fn a_rate_fires_at_creation_then_every_period() {
    let mut e = Engine::new();
    put(&mut e, def("r", "rate(5 minutes)"), 1_000, None, 1_000);
    assert_eq!(e.next_wake(), Some(1_000));
    assert_eq!(fired(&mut e, 1_000), [("default/r".into(), 1_000)]);
    assert_eq!(e.next_wake(), Some(1_000 + 5 * MIN));
    assert!(fired(&mut e, 5 * MIN).is_empty());
    assert_eq!(
        fired(&mut e, 1_000 + 5 * MIN),
        [("default/r".into(), 1_000 + 5 * MIN)]
    );
}

#[test]
fn occurrences_missed_while_down_fire_once_with_the_latest_time() {
    let mut e = Engine::new();
    // Last handled at 10:00 (as minutes); Baton comes back at 10:42 and a bit.
    put(
        &mut e,
        def("r", "rate(1 minute)"),
        0,
        Some(600 * MIN),
        642 * MIN + 30_000,
    );
    assert_eq!(
        fired(&mut e, 642 * MIN + 30_000),
        [("default/r".into(), 642 * MIN)]
    );
    // Then on time again.
    assert_eq!(e.next_wake(), Some(643 * MIN));
    assert!(fired(&mut e, 642 * MIN + 59_000).is_empty());
    assert_eq!(fired(&mut e, 643 * MIN), [("default/r".into(), 643 * MIN)]);
    // A one-time schedule that fell due while down fires once; handled, never again.
    let at = "at(1970-01-01T01:00:00)";
    put(&mut e, def("once", at), 0, None, 2 * 3600 * 1000);
    assert_eq!(
        fired(&mut e, 2 * 3600 * 1000),
        [("default/once".into(), 3600 * 1000)]
    );
    put(
        &mut e,
        def("once", at),
        0,
        Some(3600 * 1000),
        3 * 3600 * 1000,
    );
    assert!(!e.is_armed("default/once"));
}

#[test]
fn one_heap_for_many_schedules_in_time_order() {
    let mut e = Engine::new();
    for i in (0..1000).rev() {
        let expr = format!("at(1970-01-01T00:{:02}:{:02})", i / 60 % 60, i % 60);
        put(&mut e, def(&format!("s{i}"), &expr), 0, None, 0);
    }
    assert_eq!(e.len(), 1000);
    let mut all = Vec::new();
    for t in (0..1000).map(|s| s * 1000) {
        let batch = fired(&mut e, t);
        assert_eq!(batch.len(), 1, "one due each second");
        assert_eq!(batch[0].1, t);
        all.extend(batch);
    }
    assert_eq!(e.next_wake(), None);
}

#[test]
fn disabled_changed_and_removed_schedules() {
    let mut e = Engine::new();
    let mut d = def("r", "rate(1 minute)");
    d.state = "DISABLED".into();
    put(&mut e, d, 0, None, 0);
    assert_eq!(e.next_wake(), None);
    put(&mut e, def("r", "rate(1 minute)"), 0, None, 0);
    assert_eq!(e.next_wake(), Some(0));
    // Replaced: the old slot is dropped.
    put(&mut e, def("r", "rate(10 minutes)"), 5 * MIN, None, MIN);
    assert_eq!(e.next_wake(), Some(5 * MIN));
    e.remove("default/r");
    assert_eq!(e.next_wake(), None);
    assert!(fired(&mut e, 100 * MIN).is_empty());
}

#[test]
fn start_end_and_flexible_windows() {
    let mut e = Engine::new();
    let mut d = def("r", "rate(1 minute)");
    d.start_date = Some(10 * MIN);
    d.end_date = Some(12 * MIN);
    put(&mut e, d, 0, None, 0);
    assert_eq!(e.next_wake(), Some(10 * MIN));
    let mut times = Vec::new();
    for t in (0..20).map(|m| m * MIN) {
        times.extend(fired(&mut e, t).into_iter().map(|(_, s)| s / MIN));
    }
    assert_eq!(times, [10, 11, 12]);
    // A flexible window of 15 minutes: each occurrence fires within it, at a moment that
    // is the same however often it is computed.
    let mut d = def("flex", "cron(0 * * * ? *)");
    d.flexible_minutes = Some(15);
    put(&mut e, d.clone(), 1, None, 1);
    let wake = e.next_wake().unwrap();
    assert!((60 * MIN..75 * MIN).contains(&wake), "{wake}");
    put(&mut e, d, 1, None, 1);
    assert_eq!(e.next_wake(), Some(wake));
    let due = e.pop_due(wake);
    assert_eq!((due[0].scheduled, due[0].at), (60 * MIN, wake));
}

#[test]
fn a_clock_that_jumps_over_many_occurrences_fires_once_for_the_latest() {
    let mut e = Engine::new();
    put(&mut e, def("r", "rate(1 minute)"), 0, None, 0);
    assert_eq!(fired(&mut e, 0), [("default/r".into(), 0)]);
    // Armed for 1 minute; the clock is moved 100 minutes ahead at once.
    assert_eq!(
        fired(&mut e, 100 * MIN + 5),
        [("default/r".into(), 100 * MIN)]
    );
    assert_eq!(e.next_wake(), Some(101 * MIN));
    let mut d = def("c", "cron(0 9 * * ? *)");
    d.timezone = Some("UTC".into());
    put(&mut e, d, 0, Some(0), 0);
    let day = 24 * 60 * MIN;
    let due: Vec<_> = fired(&mut e, 35 * day)
        .into_iter()
        .filter(|(k, _)| k == "default/c")
        .collect();
    assert_eq!(due, [("default/c".into(), 34 * day + 9 * 60 * MIN)]);
}

#[test]
fn start_dates_and_instants_at_the_edges_of_time() {
    // Start dates as far as a request's timestamps go, a window, any clock: armed and
    // fired without overflowing, never twice, never past the end date.
    for (start, end) in [
        (Some(i64::MIN), None),
        (Some(i64::MAX), None),
        (Some(i64::MIN), Some(i64::MIN + MIN)),
        (None, Some(i64::MAX)),
    ] {
        for created in [i64::MIN, 0, i64::MAX] {
            let mut e = Engine::new();
            let mut d = def("r", "rate(1 minute)");
            d.start_date = start;
            d.end_date = end;
            d.flexible_minutes = Some(15);
            put(&mut e, d.clone(), created, None, created);
            let mut last = None;
            for now in [created, 0, i64::MAX] {
                for (_, s) in fired(&mut e, now) {
                    assert!(last.is_none_or(|l| s > l), "{s} after {last:?}");
                    assert!(end.is_none_or(|end| s <= end));
                    last = Some(s);
                }
            }
            let mut d = def("c", "cron(0 0 1 1 ? 2199)");
            d.start_date = start;
            put(&mut e, d, created, Some(i64::MIN), i64::MIN);
            fired(&mut e, i64::MAX);
        }
    }
}
