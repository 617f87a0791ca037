//! Rebuilding open executions from the store: after a restart (every open execution), and
//! after a failed commit (one execution whose engine got ahead of the store).

use std::collections::HashMap;
use std::sync::Arc;

use baton_asl::definition::IntegrationPattern;
use baton_engine::{Effect, Execution, HistoryEvent, Input, Limits, Millis, Sink, WorkId};
use baton_json::Value;
use baton_store::{
    EventRecord, ExecutionCommit, ExecutionRecord, ExecutionStatus, ExecutionUpdate, TaskRecord,
    TimerRecord,
};

use super::live::{self, Handle, Live, Running};
use super::{Durability, Inner, Result, RuntimeError};
use crate::{journal, task_request};

/// Drops events and effects: replay only rebuilds the engine's state.
struct Replay;

impl Sink for Replay {
    fn event(&mut self, _: HistoryEvent) {}
    fn effect(&mut self, _: Effect) {}
    fn records_events(&self) -> bool {
        false
    }
}

/// An execution rebuilt from its journal.
pub(crate) struct Replayed {
    /// The engine, with the journal applied.
    pub engine: Execution,
    /// The journal's length.
    pub journal_len: u64,
    /// The time of its last entry.
    pub last: Millis,
    /// What `.sync` tasks reported of their submissions, by task: a task dispatched again
    /// picks up the job it submitted.
    pub submissions: HashMap<WorkId, Value>,
}

/// The engine of `record`, with its journal applied.
pub(crate) async fn replay(inner: &Inner, record: &ExecutionRecord) -> Result<Replayed> {
    let program = inner
        .programs
        .get(&record.definition)
        .map_err(RuntimeError::InvalidDefinition)?;
    let input = Value::from_json_str(&record.input)
        .map_err(|e| RuntimeError::InvalidInput(e.to_string()))?;
    let entries = inner.store.journal(&record.arn).await?;
    // The bounds it started under are in its first entry.
    let limits = entries
        .first()
        .and_then(|e| journal::start_limits(&e.input))
        .unwrap_or(Limits::NONE);
    let mut engine = Execution::new(program, live::execution_info(inner, record, input, limits));
    let mut last = Millis(record.start_date);
    let mut submissions = HashMap::new();
    for entry in &entries {
        let input = journal::decode(&entry.input)
            .map_err(|e| RuntimeError::InvalidDefinition(e.to_string()))?;
        if let Input::TaskSubmitted { id, output } = &input {
            submissions.insert(*id, output.clone());
        }
        last = Millis(entry.at);
        engine.apply(input, last, &mut Replay);
    }
    if engine.event_count() != record.event_count {
        tracing::error!(
            execution = %record.arn,
            replayed = engine.event_count(),
            stored = record.event_count,
            "replaying the journal gave another number of events than the history holds"
        );
    }
    Ok(Replayed {
        engine,
        journal_len: entries.len() as u64,
        last,
        submissions,
    })
}

/// The handle of a Standard execution read back from the store (after a restart, or for a
/// redrive): its replayed engine, no timers or tasks yet.
pub(crate) fn reopened(
    arn: Arc<str>,
    record: &ExecutionRecord,
    engine: Execution,
    journal_len: u64,
    last: Millis,
) -> Arc<Handle> {
    live::new_handle(
        arn,
        Durability::Standard,
        record.input.as_str().into(),
        record.start_date,
        Live {
            engine,
            journal_len,
            last_at: last,
            timers: HashMap::new(),
            tasks: HashMap::new(),
            broken: false,
        },
        None,
    )
}

/// Rebuilds `live`'s engine from the store after a failed commit.
pub(crate) async fn rebuild(inner: &Inner, handle: &Handle, live: &mut Live) -> Result<()> {
    let record = inner
        .store
        .execution(&handle.arn)
        .await?
        .ok_or_else(|| RuntimeError::NotFound(handle.arn.to_string()))?;
    let Replayed {
        engine,
        journal_len,
        last,
        ..
    } = replay(inner, &record).await?;
    live.engine = engine;
    live.journal_len = journal_len;
    live.last_at = live.last_at.max(last);
    live.broken = false;
    Ok(())
}

/// Brings back every open execution of the store: engine replayed, timers armed, tasks
/// offered or dispatched again.
pub(crate) async fn recover(inner: &Arc<Inner>) -> Result<()> {
    let open = inner.store.open_executions().await?;
    if open.is_empty() {
        return Ok(());
    }
    let mut timers: HashMap<String, Vec<TimerRecord>> = HashMap::new();
    for t in inner.store.timers().await? {
        timers.entry(t.execution_arn.clone()).or_default().push(t);
    }
    let mut tasks: HashMap<String, Vec<TaskRecord>> = HashMap::new();
    for t in inner.store.tasks().await? {
        tasks.entry(t.execution_arn.clone()).or_default().push(t);
    }
    let count = open.len();
    for record in open {
        let Replayed {
            engine,
            journal_len,
            last,
            mut submissions,
        } = match replay(inner, &record).await {
            Ok(r) => r,
            // The store failing now says nothing of the execution: it is recovered at the
            // next start.
            Err(e @ RuntimeError::Store(_)) => {
                tracing::error!(execution = %record.arn, error = %e, "cannot read the execution back; it carries on at the next start");
                continue;
            }
            Err(e) => {
                tracing::error!(execution = %record.arn, error = %e, "cannot replay the execution; it fails");
                let timers = timers.remove(&record.arn).unwrap_or_default();
                let tasks = tasks.remove(&record.arn).unwrap_or_default();
                if let Err(e) = fail_unreplayable(inner, &record, &e, &timers, &tasks).await {
                    tracing::error!(execution = %record.arn, error = %e, "cannot fail the execution; it is tried again at the next start");
                }
                continue;
            }
        };
        let arn: Arc<str> = record.arn.as_str().into();
        let handle = reopened(Arc::clone(&arn), &record, engine, journal_len, last);
        // Open first, then armed: a timer that is already due fires at once, and must find
        // its execution (its step waits for the lock held here).
        let mut live = handle.state.lock().await;
        let _ = inner.live.insert_new(Arc::clone(&handle));
        for t in timers.remove(&record.arn).unwrap_or_default() {
            live.timers.insert(t.work_id, Millis(t.due));
            inner.timers.arm(Millis(t.due), Arc::clone(&arn), t.work_id);
        }
        for t in tasks.remove(&record.arn).unwrap_or_default() {
            let submission = submissions.remove(&t.work_id);
            resume_task(inner, &handle, &mut live, t, submission);
        }
        if live.engine.has_ready_work() {
            // It had stopped a step with work left: carry on.
            let _ = inner.continuations.send(Arc::clone(&handle));
        }
        drop(live);
    }
    tracing::info!(executions = count, "recovered open executions");
    Ok(())
}

/// Ends an execution that cannot be replayed (its definition, input or journal can no
/// longer be read by this version): it fails with `States.Runtime` and a cause that says
/// why, in an event after the last one it had, and its timers and tasks are dropped. An
/// execution left RUNNING with no way forward would wait for ever.
async fn fail_unreplayable(
    inner: &Inner,
    record: &ExecutionRecord,
    why: &RuntimeError,
    timers: &[TimerRecord],
    tasks: &[TaskRecord],
) -> Result<()> {
    let now = inner.clock.now().max(Millis(record.start_date));
    let error = baton_asl::error_name::RUNTIME;
    let cause = format!("The execution could not be resumed after a restart: {why}");
    let event = HistoryEvent {
        id: record.event_count + 1,
        previous_event_id: record.event_count,
        timestamp: now,
        event_type: baton_engine::EventType::ExecutionFailed,
        details: baton_engine::Details::Failure {
            error: Some(error.into()),
            cause: Some(cause.as_str().into()),
            resource: None,
        },
    };
    let commit = ExecutionCommit {
        execution_arn: record.arn.clone(),
        events: vec![EventRecord {
            id: event.id,
            json: event.to_json_text(),
        }],
        timers_cleared: timers.iter().map(|t| t.work_id).collect(),
        tasks_cleared: tasks.iter().map(|t| t.work_id).collect(),
        update: ExecutionUpdate {
            status: Some(ExecutionStatus::Failed),
            error: Some(error.to_owned()),
            cause: Some(cause),
            stop_date: Some(now.0),
            ..ExecutionUpdate::default()
        },
        ..ExecutionCommit::default()
    };
    inner.store.commit(commit).await?;
    Ok(())
}

/// A task the execution still waits for. Started activity tasks and callbacks wait for
/// their worker or callback; the others are dispatched again (a `.sync` job picks up the
/// job it had started).
fn resume_task(
    inner: &Arc<Inner>,
    handle: &Arc<Handle>,
    live: &mut Live,
    t: TaskRecord,
    submission: Option<Value>,
) {
    if !live.engine.awaits_task(t.work_id) {
        return;
    }
    let Some(req) = task_request::decode(&t.request) else {
        tracing::error!(execution = %handle.arn, work = t.work_id, "a stored task request cannot be read");
        return;
    };
    let waits_for_report =
        t.activity_arn.is_some() || req.resource.pattern() == IntegrationPattern::WaitForTaskToken;
    if t.started && waits_for_report {
        let activity = t.activity_arn.as_deref().map(Arc::from);
        live.tasks.insert(
            t.work_id,
            Running {
                record: Some(t),
                abort: None,
                activity,
                started: true,
            },
        );
        return;
    }
    live::dispatch(inner, handle, live, req, Some(t), Some(submission));
}
