//! Runs one execution in process, to its end.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use baton_engine::{
    Collect, Effect, Execution, ExecutionInfo, HistoryEvent, Input, Millis, Program, Sink, Status,
    WorkId,
};
use baton_integrations::{Registry, TaskCall, TaskOutcome};
use baton_json::Str;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::clock::Clock;

/// How to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The clock.
    pub clock: Clock,
    /// Keep the history events (they are otherwise dropped as they are made).
    pub record_history: bool,
}

/// How an execution ended.
#[derive(Debug)]
pub struct RunResult {
    /// Its final status.
    pub status: Status,
    /// Its history, when recorded.
    pub history: Vec<HistoryEvent>,
    /// States entered.
    pub transitions: u64,
}

/// Keeps or drops events; collects effects.
struct RunSink {
    record: bool,
    inner: Collect,
}

impl Sink for RunSink {
    fn event(&mut self, event: HistoryEvent) {
        if self.record {
            self.inner.events.push(event);
        }
    }
    fn effect(&mut self, effect: Effect) {
        self.inner.effects.push(effect);
    }
    fn records_events(&self) -> bool {
        self.record
    }
}

/// Runs an execution from start to end, performing its tasks with `registry`.
pub async fn run_to_end(
    program: Arc<Program>,
    info: ExecutionInfo,
    registry: &Registry,
    options: RunOptions,
) -> RunResult {
    let region = info.region.clone();
    let account: Str = info
        .execution_arn
        .split(':')
        .nth(4)
        .unwrap_or_default()
        .into();
    let arn = info.execution_arn.clone();
    let max_payload_bytes = info.max_payload_bytes;
    let clock = options.clock;
    let mut exec = Execution::new(program, info);
    let mut sink = RunSink {
        record: options.record_history,
        inner: Collect::default(),
    };
    exec.apply(Input::Start, clock.now(), &mut sink);

    let (tx, mut rx) = mpsc::unbounded_channel::<(WorkId, TaskOutcome)>();
    let mut tasks: HashMap<WorkId, JoinHandle<()>> = HashMap::new();
    let mut timers: BTreeSet<(Millis, WorkId)> = BTreeSet::new();
    let mut timer_due: HashMap<WorkId, Millis> = HashMap::new();

    loop {
        for effect in std::mem::take(&mut sink.inner.effects) {
            match effect {
                Effect::RunTask(req) => {
                    let call_state = req.state_name.clone();
                    let call = TaskCall {
                        resource: req.resource,
                        purpose: req.purpose,
                        input: req.input,
                        token: req.token,
                        state_name: req.state_name,
                        region: region.clone(),
                        account: account.clone(),
                        execution_arn: arn.clone(),
                        work: req.id,
                        resumed: false,
                        submission: None,
                        credentials: req.credentials,
                        submitted: None,
                    };
                    let purpose = call.purpose;
                    let fut = registry.run(call);
                    let tx = tx.clone();
                    let id = req.id;
                    let state_name = call_state.clone();
                    tasks.insert(
                        id,
                        tokio::spawn(async move {
                            let outcome = crate::bounds::bounded(
                                fut.await,
                                purpose,
                                &state_name,
                                max_payload_bytes,
                            );
                            let _ = tx.send((id, outcome));
                        }),
                    );
                }
                Effect::CancelTask { id } => {
                    if let Some(handle) = tasks.remove(&id) {
                        handle.abort();
                    }
                }
                Effect::StartTimer { id, due } => {
                    timers.insert((due, id));
                    timer_due.insert(id, due);
                }
                Effect::CancelTimer { id } => {
                    if let Some(due) = timer_due.remove(&id) {
                        timers.remove(&(due, id));
                    }
                }
                // A run in process keeps no Map Run records.
                Effect::MapRun(_) => {}
            }
        }
        if exec.is_finished() {
            break;
        }
        if exec.has_ready_work() {
            // The last apply did all one apply may do: carry on, letting the tasks run.
            tokio::task::yield_now().await;
            exec.apply(Input::Continue, clock.now(), &mut sink);
            continue;
        }
        let next_timer = timers.first().copied();
        let input = match next_timer {
            Some((due, id)) if tasks.is_empty() || due <= clock.now() => {
                clock.skip_to(due);
                timers.remove(&(due, id));
                timer_due.remove(&id);
                Input::TimerFired { id }
            }
            Some((due, id)) => {
                tokio::select! {
                    Some((task, outcome)) = rx.recv() => {
                        tasks.remove(&task);
                        outcome_input(task, outcome)
                    }
                    () = tokio::time::sleep(clock.until(due)) => {
                        timers.remove(&(due, id));
                        timer_due.remove(&id);
                        Input::TimerFired { id }
                    }
                }
            }
            None if tasks.is_empty() => {
                // Nothing can happen any more: a task the runtime cannot run is awaited.
                exec.apply(
                    Input::Stop {
                        error: Some("States.Runtime".into()),
                        cause: Some("The execution waits for something nothing will deliver (an activity or a callback, which `baton run` cannot serve).".into()),
                    },
                    clock.now(),
                    &mut sink,
                );
                break;
            }
            None => match rx.recv().await {
                Some((task, outcome)) => {
                    tasks.remove(&task);
                    outcome_input(task, outcome)
                }
                None => break,
            },
        };
        exec.apply(input, clock.now(), &mut sink);
    }
    for (_, handle) in tasks {
        handle.abort();
    }
    RunResult {
        status: exec.status().clone(),
        history: sink.inner.events,
        transitions: exec.transitions(),
    }
}

fn outcome_input(id: WorkId, outcome: TaskOutcome) -> Input {
    match outcome {
        Ok(output) => Input::TaskSucceeded { id, output },
        Err(f) => Input::TaskFailed {
            id,
            error: f.error,
            cause: f.cause,
        },
    }
}
