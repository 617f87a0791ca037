//! Records and commits the store tests build on.

#![allow(dead_code)]

use std::sync::Arc;

use baton_store::*;

pub const MACHINE: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:M";

/// An execution ARN of [`MACHINE`].
pub fn arn(name: &str) -> String {
    format!("arn:aws:states:us-east-1:123456789012:execution:M:{name}")
}

/// A fresh running execution of `machine`.
pub fn execution(
    name: &str,
    machine: &str,
    start_date: i64,
    definition: &Arc<str>,
) -> ExecutionRecord {
    ExecutionRecord {
        arn: arn(name),
        machine_arn: machine.to_owned(),
        version_arn: None,
        alias_arn: None,
        map_run_arn: None,
        name: name.to_owned(),
        status: ExecutionStatus::Running,
        definition: definition.clone(),
        role_arn: "arn:aws:iam::123456789012:role/R".to_owned(),
        input: r#"{"n":1}"#.to_owned(),
        output: None,
        error: None,
        cause: None,
        start_date,
        stop_date: None,
        seed: u64::MAX - 7,
        redrive_count: 0,
        redrive_date: None,
        event_count: 0,
        journal_len: 0,
        trace_header: Some("Root=1-abc".to_owned()),
    }
}

/// A definition text.
pub fn definition() -> Arc<str> {
    Arc::from(r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#)
}

/// `n` events numbered from `first`.
pub fn events(first: u64, n: u64) -> Vec<EventRecord> {
    (first..first + n)
        .map(|id| EventRecord {
            id,
            json: format!(r#"{{"id":{id},"type":"PassStateEntered"}}"#),
        })
        .collect()
}

/// A journal entry.
pub fn entry(seq: u64) -> JournalEntry {
    JournalEntry {
        seq,
        at: 1_000 + seq as i64,
        input: format!("input {seq}"),
    }
}

/// The first commit of `record`: the record, journal entry 0 and `n_events` events.
pub fn create(record: ExecutionRecord, n_events: u64) -> ExecutionCommit {
    ExecutionCommit {
        execution_arn: record.arn.clone(),
        create: Some(record),
        journal: vec![entry(0)],
        events: events(1, n_events),
        ..Default::default()
    }
}

/// A later commit: journal entry `seq` and `n_events` events after `event_count`.
pub fn step(arn: &str, seq: u64, event_count: u64, n_events: u64) -> ExecutionCommit {
    ExecutionCommit {
        execution_arn: arn.to_owned(),
        journal: vec![entry(seq)],
        events: events(event_count + 1, n_events),
        ..Default::default()
    }
}

/// Runs a future to completion on a fresh current-thread runtime.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}
