//! Open executions in memory, and the step: apply one input, commit what it produced,
//! then perform its effects.

use std::collections::HashMap;
use std::sync::{Arc, Weak};
use std::time::Duration;

use baton_asl::definition::{IntegrationPattern, Resource};
use baton_engine::{
    Effect, Execution, ExecutionInfo, HistoryEvent, Input, Limits, MapRunReport, Millis, RunCounts,
    Sink, Status, TaskRequest, TokenMinter, WorkId,
};
use baton_integrations::{BoxFuture as IntegrationFuture, Submitted, TaskCall};
use baton_json::{Str, Value};
use baton_store::{
    EventRecord, ExecutionCommit, ExecutionRecord, ExecutionStatus, ExecutionUpdate, JournalEntry,
    MapRunRecord, OutboxRecord, StoreError, TaskRecord, TimerRecord,
};
use tokio::sync::{Mutex, mpsc, watch};
use tokio::task::AbortHandle;

use super::activities::ActivityTask;
use super::log::EventLog;
use super::timers::Fired;
use super::{Durability, Inner, NewExecution, Result, RuntimeError, Started, store_status};
use crate::journal;
use crate::task_request;

/// One open execution.
pub(crate) struct Handle {
    pub(crate) arn: Arc<str>,
    pub(crate) durability: Durability,
    /// The input it was started with, to answer a repeated StartExecution.
    pub(crate) input: Arc<str>,
    pub(crate) start_date: i64,
    pub(crate) state: Mutex<Live>,
    /// Where its events are logged, if anywhere.
    pub(crate) log: Option<Arc<dyn EventLog>>,
    /// Set once, when the execution ends.
    pub(crate) done: watch::Sender<Option<Arc<Outcome>>>,
}

/// An execution's engine and the work it waits for.
pub(crate) struct Live {
    pub(crate) engine: Execution,
    pub(crate) journal_len: u64,
    /// The time of the last step: steps never go back in time, even if the clock does.
    pub(crate) last_at: Millis,
    pub(crate) timers: HashMap<WorkId, Millis>,
    pub(crate) tasks: HashMap<WorkId, Running>,
    /// A commit failed after the engine applied its input: the engine is ahead of the
    /// store and must be rebuilt from the journal before the next step.
    pub(crate) broken: bool,
}

/// A task the execution waits for.
pub(crate) struct Running {
    /// Its stored record (Standard executions).
    pub(crate) record: Option<TaskRecord>,
    /// The integration call running it, if one is in flight.
    pub(crate) abort: Option<AbortHandle>,
    /// The activity it is offered to, for activity tasks.
    pub(crate) activity: Option<Arc<str>>,
    /// A worker took it (activities), or its job was submitted (`.sync`,
    /// `.waitForTaskToken`).
    pub(crate) started: bool,
}

/// How an execution ended.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// SUCCEEDED, FAILED, TIMED_OUT or ABORTED.
    pub status: ExecutionStatus,
    /// The output, as JSON text, when it succeeded.
    pub output: Option<String>,
    /// The error, otherwise.
    pub error: Option<String>,
    /// The cause.
    pub cause: Option<String>,
    /// When it started.
    pub start_date: i64,
    /// When it ended.
    pub stop_date: i64,
    /// States entered.
    pub transitions: u64,
    /// Its input, as JSON text.
    pub input: Arc<str>,
}

/// Who delivers an input, which decides when it is heard.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Guard {
    /// Start, stop: heard while the execution is open.
    Open,
    /// A worker's or a callback's report: an error unless the task is awaited.
    Task(WorkId),
    /// The task's own integration call: dropped silently unless the task is awaited.
    Own(WorkId),
    /// A timer: dropped silently unless the execution still waits for it.
    Timer(WorkId),
    /// RedriveExecution: heard once the execution has ended.
    Redrive,
    /// The execution's own continuation after a step that stopped with work left: dropped
    /// silently unless it still has work ready.
    Continue,
}

/// Collects what one step produced.
struct StepSink {
    record: bool,
    events: Vec<HistoryEvent>,
    effects: Vec<Effect>,
}

impl Sink for StepSink {
    fn event(&mut self, event: HistoryEvent) {
        self.events.push(event);
    }
    fn effect(&mut self, effect: Effect) {
        self.effects.push(effect);
    }
    fn records_events(&self) -> bool {
        self.record
    }
}

/// What the input of a step settles by itself.
enum Settles {
    Nothing,
    Timer(WorkId),
    Task(WorkId),
    Started(WorkId),
}

/// The bounds a new execution runs under.
pub(crate) fn new_limits(inner: &Inner, durability: Durability) -> Limits {
    match durability {
        Durability::Standard => Limits {
            max_events: inner.config.max_history_events,
            ..Limits::STANDARD
        },
        Durability::Express => Limits::EXPRESS,
    }
}

/// The engine's view of an execution record, running under `limits`.
pub(crate) fn execution_info(
    inner: &Inner,
    record: &ExecutionRecord,
    input: Value,
    limits: Limits,
) -> ExecutionInfo {
    let machine_name = record.machine_arn.rsplit(':').next().unwrap_or_default();
    ExecutionInfo {
        execution_arn: record.arn.as_str().into(),
        name: record.name.as_str().into(),
        state_machine_arn: record.machine_arn.as_str().into(),
        state_machine_name: machine_name.into(),
        version_arn: record.version_arn.as_deref().map(Str::from),
        alias_arn: record.alias_arn.as_deref().map(Str::from),
        role_arn: record.role_arn.as_str().into(),
        region: inner.config.region.as_str().into(),
        input,
        start_time: Millis(record.start_date),
        // The engine counts the redrives it is given: replaying the journal from its start,
        // each entry is applied with the count it first had.
        redrive_count: 0,
        seed: record.seed,
        max_payload_bytes: inner.config.max_payload_bytes,
        tokens: Arc::clone(&inner.tokens) as Arc<dyn TokenMinter>,
        limits,
    }
}

pub(crate) fn new_handle(
    arn: Arc<str>,
    durability: Durability,
    input: Arc<str>,
    start_date: i64,
    live: Live,
    log: Option<Arc<dyn EventLog>>,
) -> Arc<Handle> {
    Arc::new(Handle {
        arn,
        durability,
        input,
        start_date,
        state: Mutex::new(live),
        log,
        done: watch::channel(None).0,
    })
}

/// Starts an execution: reserves its ARN, commits its start, runs it until it waits.
pub(crate) async fn start(inner: &Arc<Inner>, new: NewExecution) -> Result<(Started, Arc<Handle>)> {
    if new.durability == Durability::Standard
        && let Some(max) = inner.config.max_open_executions
        && inner.live.standard() >= max
    {
        return Err(RuntimeError::LimitExceeded(max));
    }
    let program = inner
        .programs
        .get(&new.definition)
        .map_err(RuntimeError::InvalidDefinition)?;
    let input =
        Value::from_json_str(&new.input).map_err(|e| RuntimeError::InvalidInput(e.to_string()))?;
    let now = inner.clock.now();
    let record = ExecutionRecord {
        arn: new.arn,
        machine_arn: new.machine_arn,
        version_arn: new.version_arn,
        alias_arn: new.alias_arn,
        map_run_arn: new.map_run_arn,
        name: new.name,
        status: ExecutionStatus::Running,
        definition: new.definition,
        role_arn: new.role_arn,
        input: new.input,
        output: None,
        error: None,
        cause: None,
        start_date: now.0,
        stop_date: None,
        seed: uuid::Uuid::new_v4().as_u64_pair().0,
        redrive_count: 0,
        redrive_date: None,
        event_count: 0,
        journal_len: 0,
        trace_header: new.trace_header,
    };
    let engine = Execution::new(
        program,
        execution_info(inner, &record, input, new_limits(inner, new.durability)),
    );
    let arn: Arc<str> = record.arn.as_str().into();
    let handle = new_handle(
        Arc::clone(&arn),
        new.durability,
        record.input.as_str().into(),
        now.0,
        Live {
            engine,
            journal_len: 0,
            last_at: now,
            timers: HashMap::new(),
            tasks: HashMap::new(),
            broken: false,
        },
        new.log,
    );
    if let Err(existing) = inner.live.insert_new(Arc::clone(&handle)) {
        // StartExecution is idempotent for a running execution with the same input.
        return if *existing.input == *record.input {
            Ok((
                Started {
                    arn: arn.to_string(),
                    start_date: existing.start_date,
                },
                existing,
            ))
        } else {
            Err(RuntimeError::AlreadyExists(arn.to_string()))
        };
    }
    let create = (new.durability == Durability::Standard).then_some(record);
    match step_with(inner, &handle, Input::Start, Guard::Open, create).await {
        Ok(()) => Ok((
            Started {
                arn: arn.to_string(),
                start_date: now.0,
            },
            handle,
        )),
        Err(e) => {
            inner.live.remove_if(&arn, &handle);
            Err(match e {
                RuntimeError::Store(StoreError::AlreadyExists(_)) => {
                    RuntimeError::AlreadyExists(arn.to_string())
                }
                other => other,
            })
        }
    }
}

/// Applies `input` to the execution, commits, performs the effects.
pub(crate) async fn step(
    inner: &Arc<Inner>,
    handle: &Arc<Handle>,
    input: Input,
    guard: Guard,
) -> Result<()> {
    step_with(inner, handle, input, guard, None).await
}

async fn step_with(
    inner: &Arc<Inner>,
    handle: &Arc<Handle>,
    input: Input,
    guard: Guard,
    create: Option<ExecutionRecord>,
) -> Result<()> {
    let mut live = handle.state.lock().await;
    step_locked(inner, handle, &mut live, input, guard, create, None).await
}

/// The step, with the execution's state locked by the caller. `client_token`: the
/// request's, for a redrive (kept in its journal entry).
pub(crate) async fn step_locked(
    inner: &Arc<Inner>,
    handle: &Arc<Handle>,
    live: &mut Live,
    input: Input,
    guard: Guard,
    create: Option<ExecutionRecord>,
    client_token: Option<&str>,
) -> Result<()> {
    // After a failed commit the engine is ahead of the store (it may even look finished):
    // rebuild it from the store before judging anything by it.
    if live.broken {
        super::recovery::rebuild(inner, handle, live).await?;
    }
    let redrive = matches!(guard, Guard::Redrive);
    if live.engine.is_finished() != redrive {
        return match guard {
            Guard::Task(_) => Err(RuntimeError::TaskGone),
            Guard::Open => Err(RuntimeError::NotFound(handle.arn.to_string())),
            Guard::Redrive => Err(RuntimeError::NotRedrivable(
                super::redrive::RUNNING.to_owned(),
            )),
            Guard::Own(_) | Guard::Timer(_) | Guard::Continue => Ok(()),
        };
    }
    match guard {
        Guard::Continue if !live.engine.has_ready_work() => return Ok(()),
        Guard::Task(id) if !live.engine.awaits_task(id) => return Err(RuntimeError::TaskGone),
        Guard::Own(id) if !live.engine.awaits_task(id) => return Ok(()),
        Guard::Timer(id) if !live.timers.contains_key(&id) => return Ok(()),
        _ => {}
    }
    if let Input::TaskSubmitted { id, .. } = &input
        && live.tasks.get(id).is_some_and(|t| t.started)
    {
        // A job resumed after a restart reports its submission again: heard once.
        return Ok(());
    }
    // At most so many steps at once between applying and committing: what they hold
    // (events, the commit) is bounded, and inputs beyond wait here instead of piling up
    // in the store's write queue.
    let _slot = inner
        .step_slots
        .acquire()
        .await
        .map_err(|_| RuntimeError::ShuttingDown)?;
    let durable = handle.durability == Durability::Standard;
    let starting = create.is_some();
    let now = inner.clock.now().max(live.last_at);
    let settles = match &input {
        Input::TimerFired { id } => Settles::Timer(*id),
        Input::TaskSucceeded { id, .. } | Input::TaskFailed { id, .. } => Settles::Task(*id),
        Input::TaskStarted { id, .. } | Input::TaskSubmitted { id, .. } => Settles::Started(*id),
        _ => Settles::Nothing,
    };
    let journal_text = durable.then(|| match input {
        Input::Redrive => journal::encode_redrive(client_token),
        Input::Start => journal::encode_start(&live.engine.info().limits),
        _ => journal::encode(&input),
    });
    let mut sink = StepSink {
        record: durable || handle.log.is_some(),
        events: Vec::new(),
        effects: Vec::new(),
    };
    live.engine.apply(input, now, &mut sink);
    let finished = live.engine.is_finished();
    let mut changes = if durable {
        status_changes(
            inner,
            handle,
            live,
            now,
            starting || redrive,
            redrive,
            finished,
        )
    } else {
        Vec::new()
    };

    // New tasks' records, made once: committed, then kept with the running task.
    let mut new_records: HashMap<WorkId, TaskRecord> = HashMap::new();
    if let Some(journal_text) = journal_text {
        let arn = handle.arn.to_string();
        let mut commit = ExecutionCommit {
            execution_arn: arn.clone(),
            create,
            ..ExecutionCommit::default()
        };
        commit.journal.push(JournalEntry {
            seq: live.journal_len,
            at: now.0,
            input: journal_text,
        });
        commit.events = sink
            .events
            .iter()
            .map(|e| EventRecord {
                id: e.id,
                json: e.to_json_text(),
            })
            .collect();
        match settles {
            Settles::Timer(id) => commit.timers_cleared.push(id),
            Settles::Task(id) => commit.tasks_cleared.push(id),
            Settles::Started(id) => {
                if let Some(mut r) = live.tasks.get(&id).and_then(|t| t.record.clone()) {
                    r.started = true;
                    commit.tasks_set.push(r);
                }
            }
            Settles::Nothing => {}
        }
        for effect in &sink.effects {
            match effect {
                Effect::StartTimer { id, due } => commit.timers_set.push(TimerRecord {
                    execution_arn: arn.clone(),
                    work_id: *id,
                    due: due.0,
                }),
                Effect::CancelTimer { id } => commit.timers_cleared.push(*id),
                Effect::RunTask(req) => {
                    let record = TaskRecord {
                        execution_arn: arn.clone(),
                        work_id: req.id,
                        activity_arn: match &req.resource {
                            Resource::Activity { arn, .. } => Some(arn.clone()),
                            _ => None,
                        },
                        token: req.token.as_deref().map(str::to_owned),
                        scheduled: now.0,
                        request: task_request::encode(req),
                        started: false,
                    };
                    commit.tasks_set.push(record.clone());
                    new_records.insert(req.id, record);
                }
                Effect::CancelTask { id } => commit.tasks_cleared.push(*id),
                Effect::MapRun(report) => {
                    // The last report of a Map Run in the step is what it is now.
                    commit.map_runs.retain(|r| *r.arn != *report.arn);
                    commit.map_runs.push(map_run_record(&arn, report));
                }
            }
        }
        if redrive {
            // Running again: what it had ended with is cleared (unless it ends again at
            // once, below).
            commit.update = ExecutionUpdate {
                status: Some(ExecutionStatus::Running),
                redrive_count: Some(live.engine.info().redrive_count),
                redrive_date: Some(now.0),
                reopen: true,
                ..ExecutionUpdate::default()
            };
        }
        if finished {
            commit.update = ExecutionUpdate {
                redrive_count: commit.update.redrive_count,
                redrive_date: commit.update.redrive_date,
                reopen: commit.update.reopen,
                ..finished_update(live.engine.status(), now)
            };
        }
        for (i, change) in changes.iter_mut().enumerate() {
            if change.outbox_id.is_none() {
                continue;
            }
            // Unique: one journal entry per step, at most two changes per step.
            let id: Arc<str> = format!("{arn}#{}#{i}", live.journal_len).into();
            change.outbox_id = Some(Arc::clone(&id));
            commit.outbox.push(OutboxRecord {
                id: id.to_string(),
                body: change.to_json_text(),
            });
        }
        if let Err(e) = inner.store.commit(commit).await {
            live.broken = true;
            tracing::warn!(execution = %handle.arn, error = %e, "a commit failed; the step is undone");
            return Err(e.into());
        }
    }
    live.journal_len += 1;
    live.last_at = now;
    if let Some(log) = &handle.log {
        let redrives = live.engine.info().redrive_count;
        for e in sink.events.iter().filter(|e| log.wants(e.event_type)) {
            log.write(&handle.arn, redrives, e);
        }
    }

    match settles {
        Settles::Timer(id) => {
            live.timers.remove(&id);
        }
        Settles::Task(id) => {
            if let Some(t) = live.tasks.remove(&id) {
                // A report from outside ends the task: stop its integration call, unless
                // that call is the one reporting (it is finishing by itself).
                if let (Some(a), false) = (t.abort, matches!(guard, Guard::Own(_))) {
                    a.abort();
                }
                if let Some(activity) = t.activity {
                    inner.activities.withdraw(&activity, &handle.arn, id);
                }
            }
        }
        Settles::Started(id) => {
            if let Some(t) = live.tasks.get_mut(&id) {
                t.started = true;
                if let Some(r) = t.record.as_mut() {
                    r.started = true;
                }
            }
        }
        Settles::Nothing => {}
    }
    for effect in sink.effects {
        match effect {
            Effect::StartTimer { id, due } => {
                live.timers.insert(id, due);
                inner.timers.arm(due, Arc::clone(&handle.arn), id);
            }
            Effect::CancelTimer { id } => {
                live.timers.remove(&id);
            }
            Effect::RunTask(req) => {
                let record = new_records.remove(&req.id);
                dispatch(inner, handle, live, req, record, None);
            }
            Effect::CancelTask { id } => {
                if let Some(t) = live.tasks.remove(&id) {
                    if let Some(a) = t.abort {
                        a.abort();
                    }
                    if let Some(activity) = t.activity {
                        inner.activities.withdraw(&activity, &handle.arn, id);
                    }
                }
            }
            // Kept by the commit above.
            Effect::MapRun(_) => {}
        }
    }
    if let Some(listener) = inner.status_hook.get() {
        for change in changes {
            (listener.hook)(change);
        }
    }
    if finished {
        finish(inner, handle, live, now);
    } else if live.engine.has_ready_work() {
        // The step did all the work one step may do: carry on in a step of its own, behind
        // whatever else is waiting to run, so that one busy execution holds neither a
        // worker thread nor its own lock for long.
        // (Through a channel: a step cannot spawn the step that follows it itself.)
        let _ = inner.continuations.send(Arc::clone(handle));
    }
    Ok(())
}

/// The status changes a step made, for the runtime's status listener, if there is one and
/// it wants them: running (started, or redriven when `redrive`) and ended, in that order.
/// A change to keep in the outbox has a placeholder `outbox_id` (set with the commit).
fn status_changes(
    inner: &Inner,
    handle: &Handle,
    live: &Live,
    now: Millis,
    running: bool,
    redrive: bool,
    finished: bool,
) -> Vec<super::StatusChange> {
    if !(running || finished) {
        return Vec::new();
    }
    let keep = match inner.status_hook.get() {
        Some(listener) => match &listener.kept {
            Some(wanted) if !wanted() => return Vec::new(),
            Some(_) => true,
            None => false,
        },
        // Its listener is not set yet: kept for it.
        None if inner.config.keep_status_changes => true,
        None => return Vec::new(),
    };
    let info = live.engine.info();
    let change = |update: ExecutionUpdate, redriven: bool| super::StatusChange {
        execution_arn: Arc::clone(&handle.arn),
        state_machine_arn: Arc::from(&*info.state_machine_arn),
        name: Arc::from(&*info.name),
        status: update.status.unwrap_or(ExecutionStatus::Running),
        start_date: handle.start_date,
        stop_date: update.stop_date,
        input: Arc::clone(&handle.input),
        output: update.output,
        error: update.error,
        cause: update.cause,
        redrive_count: info.redrive_count,
        redrive_date: redriven.then_some(now.0),
        at: now.0,
        outbox_id: keep.then(|| Arc::from("")),
    };
    let mut out = Vec::with_capacity(2);
    if running {
        out.push(change(ExecutionUpdate::default(), redrive));
    }
    if finished {
        out.push(change(finished_update(live.engine.status(), now), false));
    }
    out
}

/// The stored record of a Map Run report.
fn map_run_record(execution_arn: &str, r: &MapRunReport) -> MapRunRecord {
    let counts = |c: RunCounts| -> Value {
        let mut m = baton_json::Map::default();
        for (k, v) in [
            ("pending", c.pending),
            ("running", c.running),
            ("succeeded", c.succeeded),
            ("failed", c.failed),
            ("timedOut", 0),
            ("aborted", c.aborted),
            ("total", c.total),
            ("resultsWritten", c.succeeded + c.failed),
            ("failuresNotRedrivable", 0),
            ("pendingRedrive", 0),
        ] {
            m.insert(k.into(), Value::from(v));
        }
        Value::object(m)
    };
    let mut both = baton_json::Map::default();
    both.insert("itemCounts".into(), counts(r.items));
    both.insert("executionCounts".into(), counts(r.executions));
    MapRunRecord {
        arn: r.arn.to_string(),
        execution_arn: execution_arn.to_owned(),
        status: r.status.as_str().to_owned(),
        start_date: r.started.0,
        stop_date: r.stopped.map(|t| t.0),
        max_concurrency: u32::try_from(r.max_concurrency).unwrap_or(u32::MAX),
        tolerated_failure_percentage: r.tolerated_failure_percentage,
        tolerated_failure_count: r.tolerated_failure_count,
        counts: Value::object(both).to_json_string(),
    }
}

fn finished_update(status: &Status, now: Millis) -> ExecutionUpdate {
    let mut update = ExecutionUpdate {
        status: Some(store_status(status)),
        stop_date: Some(now.0),
        ..ExecutionUpdate::default()
    };
    match status {
        Status::Succeeded(output) => update.output = Some(output.to_json_string()),
        Status::Failed(f) | Status::TimedOut(f) | Status::Aborted(f) => {
            update.error = f.error.as_deref().map(str::to_owned);
            update.cause = f.cause.as_deref().map(str::to_owned);
        }
        Status::Running => {}
    }
    update
}

fn finish(inner: &Inner, handle: &Arc<Handle>, live: &mut Live, now: Millis) {
    for (id, t) in live.tasks.drain() {
        if let Some(a) = t.abort {
            a.abort();
        }
        if let Some(activity) = t.activity {
            inner.activities.withdraw(&activity, &handle.arn, id);
        }
    }
    live.timers.clear();
    inner.live.remove_if(&handle.arn, handle);
    let update = finished_update(live.engine.status(), now);
    handle.done.send_replace(Some(Arc::new(Outcome {
        status: update.status.unwrap_or(ExecutionStatus::Running),
        output: update.output,
        error: update.error,
        cause: update.cause,
        start_date: handle.start_date,
        stop_date: now.0,
        transitions: live.engine.transitions(),
        input: Arc::clone(&handle.input),
    })));
}

/// Sends a task to whatever runs it: an activity's workers, or an integration. `resumed`
/// is `Some` for a task dispatched again after a restart, holding what its submission
/// reported if it had been submitted (a `.sync` job).
pub(crate) fn dispatch(
    inner: &Arc<Inner>,
    handle: &Arc<Handle>,
    live: &mut Live,
    req: TaskRequest,
    record: Option<TaskRecord>,
    resumed: Option<Option<Value>>,
) {
    let id = req.id;
    let started = record.as_ref().is_some_and(|r| r.started);
    if let Resource::Activity { arn, .. } = &req.resource {
        let activity: Arc<str> = arn.as_str().into();
        inner.activities.offer(
            &activity,
            ActivityTask {
                execution_arn: Arc::clone(&handle.arn),
                work: id,
                token: req.token.clone().unwrap_or_default(),
                input: req.input.to_json_string().into(),
            },
        );
        live.tasks.insert(
            id,
            Running {
                record,
                abort: None,
                activity: Some(activity),
                started,
            },
        );
        return;
    }
    let callback = req.resource.pattern() == IntegrationPattern::WaitForTaskToken;
    let call = TaskCall {
        resource: if callback {
            request_response(&req.resource)
        } else {
            req.resource
        },
        purpose: req.purpose,
        input: req.input,
        token: req.token,
        state_name: req.state_name,
        region: inner.config.region.as_str().into(),
        account: inner.config.account.as_str().into(),
        execution_arn: Arc::clone(&handle.arn),
        work: id,
        resumed: resumed.is_some(),
        submission: resumed.flatten(),
        credentials: req.credentials,
        submitted: Some(submitted_callback(inner, handle, id)),
    };
    let state_name = call.state_name.clone();
    let max_payload_bytes = inner.config.max_payload_bytes;
    let purpose = call.purpose;
    let run = inner.registry.run(call);
    let weak = Arc::downgrade(inner);
    let handle2 = Arc::clone(handle);
    let join = tokio::spawn(async move {
        let input = match crate::bounds::bounded(run.await, purpose, &state_name, max_payload_bytes)
        {
            Ok(output) if callback => Input::TaskSubmitted { id, output },
            Ok(output) => Input::TaskSucceeded { id, output },
            Err(f) => Input::TaskFailed {
                id,
                error: f.error,
                cause: f.cause,
            },
        };
        deliver(weak, handle2, input, Guard::Own(id)).await;
    });
    live.tasks.insert(
        id,
        Running {
            record,
            abort: Some(join.abort_handle()),
            activity: None,
            started,
        },
    );
}

/// Delivers `TaskSubmitted` for task `id` when its integration reports the submission.
fn submitted_callback(inner: &Arc<Inner>, handle: &Arc<Handle>, id: WorkId) -> Submitted {
    let weak = Arc::downgrade(inner);
    let handle = Arc::clone(handle);
    Arc::new(move |output: Value| -> IntegrationFuture<()> {
        let weak = Weak::clone(&weak);
        let handle = Arc::clone(&handle);
        Box::pin(async move {
            deliver(
                weak,
                handle,
                Input::TaskSubmitted { id, output },
                Guard::Own(id),
            )
            .await;
        })
    })
}

/// The request-response form of a `.waitForTaskToken` resource: the call that hands the
/// token over.
fn request_response(resource: &Resource) -> Resource {
    match resource {
        Resource::Service {
            arn,
            service,
            action,
            ..
        } => Resource::Service {
            arn: arn
                .strip_suffix(IntegrationPattern::WaitForTaskToken.suffix())
                .unwrap_or(arn)
                .to_owned(),
            service: service.clone(),
            action: action.clone(),
            pattern: IntegrationPattern::RequestResponse,
            version: None,
        },
        other => other.clone(),
    }
}

/// Delivers an input from inside the runtime (a task's outcome, a timer), trying again
/// while the store fails, until the runtime closes.
pub(crate) async fn deliver(inner: Weak<Inner>, handle: Arc<Handle>, input: Input, guard: Guard) {
    let mut backoff = Duration::from_millis(50);
    loop {
        let Some(inner) = inner.upgrade() else {
            return;
        };
        if *inner.closed.borrow() {
            return;
        }
        match step(&inner, &handle, input.clone(), guard).await {
            Err(RuntimeError::Store(e)) => {
                tracing::warn!(execution = %handle.arn, error = %e, "delivery failed; trying again");
            }
            Ok(()) | Err(_) => return,
        }
        drop(inner);
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}

/// Carries on executions whose last step stopped with work left, each in a task of its
/// own.
pub(crate) async fn run_continuations(
    inner: Weak<Inner>,
    mut rx: mpsc::UnboundedReceiver<Arc<Handle>>,
) {
    while let Some(handle) = rx.recv().await {
        tokio::spawn(deliver(
            Weak::clone(&inner),
            handle,
            Input::Continue,
            Guard::Continue,
        ));
    }
}

/// Fires due timers: each into its execution, if the execution still waits for it.
pub(crate) async fn fire_timers(inner: Weak<Inner>, mut rx: mpsc::UnboundedReceiver<Fired>) {
    while let Some((arn, id)) = rx.recv().await {
        let Some(strong) = inner.upgrade() else {
            return;
        };
        if let Some(handle) = strong.live.get(&arn) {
            tokio::spawn(deliver(
                Weak::clone(&inner),
                handle,
                Input::TimerFired { id },
                Guard::Timer(id),
            ));
        }
    }
}
