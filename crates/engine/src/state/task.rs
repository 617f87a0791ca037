//! Task: hands work to the caller as a [`TaskRequest`] and waits for its outcome, with
//! TimeoutSeconds and HeartbeatSeconds enforced by the engine's own timers.

use baton_asl::definition::state::{Seconds, Task};
use baton_asl::definition::{IntegrationPattern, QueryLanguage, Resource, State};
use baton_json::{Str, Value};

use crate::dataflow::{At, evaluate, select};
use crate::effect::{Effect, TaskRequest, WorkId};
use crate::error::Failure;
use std::sync::Arc;

use crate::event::{Details, EventType, Scheduled, TaskResource, TaskScheduled};
use crate::execution::{Execution, FrameId, Pos, Sink, Step, Work};
use crate::flow::Flow;
use crate::jsonata::{self, EvalFailure, StatesVars};
use crate::scope::EvalScope;

/// A task the state waits for.
#[derive(Debug)]
pub(crate) struct TaskWait {
    pub(crate) id: WorkId,
    pub(crate) family: Family,
    pub(crate) timeout_timer: Option<WorkId>,
    /// The heartbeat timer and its period in seconds.
    pub(crate) heartbeat: Option<(WorkId, u64)>,
    /// An activity's heartbeat period, until a worker takes the task: its heartbeat clock
    /// starts then (a task waiting in the queue has no worker to beat).
    pub(crate) heartbeat_on_start: Option<u64>,
}

/// Which events a task's history uses.
#[derive(Debug, Clone)]
pub(crate) enum Family {
    /// A Lambda function ARN as the resource: `LambdaFunction*` events.
    Lambda,
    /// An activity: `Activity*` events.
    Activity,
    /// A service integration: `Task*` events.
    Service(Arc<TaskResource>),
}

#[derive(Clone, Copy)]
enum Phase {
    Scheduled,
    Started,
    Submitted,
    Succeeded,
    Failed,
    TimedOut,
}

impl Family {
    fn of(resource: &Resource) -> Family {
        match resource {
            Resource::LambdaFunction { .. } => Family::Lambda,
            Resource::Activity { .. } => Family::Activity,
            Resource::Service {
                service,
                action,
                pattern,
                version,
                ..
            } => {
                let mut r = format!("{action}{}", pattern.suffix());
                if let Some(v) = version {
                    r.push_str(&format!(":{v}"));
                }
                Family::Service(Arc::new(TaskResource {
                    resource_type: Str::from(service.as_str()),
                    resource: Str::from(r),
                }))
            }
            Resource::Unknown(arn) => Family::Service(Arc::new(TaskResource {
                resource_type: Str::from(""),
                resource: Str::from(arn.as_str()),
            })),
        }
    }

    fn event(&self, phase: Phase) -> EventType {
        use EventType::*;
        match (self, phase) {
            (Family::Lambda, Phase::Scheduled) => LambdaFunctionScheduled,
            (Family::Lambda, Phase::Started) => LambdaFunctionStarted,
            (Family::Lambda, Phase::Succeeded) => LambdaFunctionSucceeded,
            (Family::Lambda, Phase::Failed) => LambdaFunctionFailed,
            (Family::Lambda, Phase::TimedOut) => LambdaFunctionTimedOut,
            (Family::Activity, Phase::Scheduled) => ActivityScheduled,
            (Family::Activity, Phase::Started) => ActivityStarted,
            (Family::Activity, Phase::Succeeded) => ActivitySucceeded,
            (Family::Activity, Phase::Failed) => ActivityFailed,
            (Family::Activity, Phase::TimedOut) => ActivityTimedOut,
            (_, Phase::Scheduled) => TaskScheduled,
            (_, Phase::Started) => TaskStarted,
            (_, Phase::Submitted) => TaskSubmitted,
            (_, Phase::Succeeded) => TaskSucceeded,
            (_, Phase::Failed) => TaskFailed,
            (_, Phase::TimedOut) => TaskTimedOut,
        }
    }

    fn resource(&self) -> Option<Arc<TaskResource>> {
        match self {
            Family::Service(r) => Some(Arc::clone(r)),
            _ => None,
        }
    }
}

/// A task's input, TimeoutSeconds, HeartbeatSeconds and `Credentials`, evaluated.
type Prepared = (Value, Option<u64>, Option<u64>, Option<Value>);

impl Execution {
    pub(crate) fn run_task(
        &mut self,
        fid: FrameId,
        state: &State,
        task: &Task,
        sink: &mut impl Sink,
    ) -> Flow {
        let active = self.active(fid);
        let raw = active.input.clone();
        let retry_count = active.retry_count;
        let at = At {
            state: &state.name,
            entered_event: active.entered_event,
        };
        // Activities and callbacks need a token; `.sync` jobs get one too, as on AWS
        // (a nested execution may hand it to a worker that reports for the parent).
        let needs_token = matches!(task.resource, Resource::Activity { .. })
            || task.resource.pattern() != IntegrationPattern::RequestResponse;
        // The token names the work id the task is about to get (nothing below allocates
        // work before `new_work` does).
        let token = needs_token.then(|| {
            self.info
                .tokens
                .mint(&self.info.execution_arn, self.next_work_id())
        });
        let mut scope = EvalScope::new(&self.frames, fid, &self.info, &mut self.rng, &state.name);
        scope.retry_count = Some(retry_count);
        scope.token = token.as_ref();
        let prepared = if state.query_language == QueryLanguage::Jsonata {
            (|| -> Result<Prepared, EvalFailure> {
                let states = StatesVars::input(raw.clone());
                let input = jsonata::payload_or(
                    task.parameters.as_ref(),
                    "Arguments",
                    raw.clone(),
                    &mut scope,
                    &states,
                    at,
                )?;
                let timeout = jsonata_seconds(
                    task.timeout.as_ref(),
                    "TimeoutSeconds",
                    &mut scope,
                    &states,
                    at,
                )?;
                let heartbeat = jsonata_seconds(
                    task.heartbeat.as_ref(),
                    "HeartbeatSeconds",
                    &mut scope,
                    &states,
                    at,
                )?;
                let credentials = match &task.credentials {
                    Some(c) => Some(jsonata::payload_or(
                        Some(c),
                        "Credentials",
                        Value::Null,
                        &mut scope,
                        &states,
                        at,
                    )?),
                    None => None,
                };
                Ok((input, timeout, heartbeat, credentials))
            })()
            .map_err(Flow::EvaluationFailed)
        } else {
            (|| -> Result<Prepared, Failure> {
                let effective = select(&state.input_path, raw, &scope, at)?;
                let input = match &task.parameters {
                    Some(p) => evaluate(p, &effective, &mut scope, at)?,
                    None => effective.clone(),
                };
                let timeout = seconds(task.timeout.as_ref(), &effective, &scope, at)?;
                let heartbeat = seconds(task.heartbeat.as_ref(), &effective, &scope, at)?;
                let credentials = match &task.credentials {
                    Some(c) => Some(evaluate(c, &effective, &mut scope, at)?),
                    None => None,
                };
                Ok((input, timeout, heartbeat, credentials))
            })()
            .map_err(Flow::Fail)
        };
        let (input, timeout, heartbeat, credentials) = match prepared {
            Ok(p) => p,
            Err(flow) => return flow,
        };
        let checked =
            crate::size::check(&input, self.info.max_payload_bytes).and_then(
                |()| match &credentials {
                    Some(c) => crate::size::check(c, self.info.max_payload_bytes),
                    None => Ok(()),
                },
            );
        if let Err(over) = checked {
            let why = match over {
                crate::size::Oversize::Bytes => {
                    "with a size exceeding the maximum number of bytes service limit".to_owned()
                }
                crate::size::Oversize::Depth => format!(
                    "nested deeper than the maximum of {} levels",
                    crate::size::MAX_DEPTH
                ),
            };
            return Flow::Fail(Failure::new(
                baton_asl::error_name::DATA_LIMIT_EXCEEDED,
                format!("The state/task '{}' provided parameters {why}.", state.name),
            ));
        }
        self.charge_bytes(&input);

        let family = Family::of(&task.resource);
        let id = self.new_work(Work::Task(fid));
        debug_assert!(token.is_none() || id == self.next_work_id() - 1);
        let resource_arn = Str::from(task.resource.arn());
        match &family {
            Family::Service(resource) => {
                let region = self.info.region.clone();
                self.emit(
                    fid,
                    EventType::TaskScheduled,
                    || {
                        Details::TaskScheduled(Box::new(TaskScheduled {
                            resource: Arc::clone(resource),
                            region,
                            parameters: input.clone(),
                            timeout_seconds: timeout,
                            heartbeat_seconds: heartbeat,
                        }))
                    },
                    sink,
                );
            }
            Family::Lambda | Family::Activity => {
                self.emit(
                    fid,
                    family.event(Phase::Scheduled),
                    || {
                        Details::Scheduled(Box::new(Scheduled {
                            resource: resource_arn.clone(),
                            input: input.clone(),
                            timeout_seconds: timeout,
                            heartbeat_seconds: heartbeat
                                .filter(|_| matches!(family, Family::Activity)),
                        }))
                    },
                    sink,
                );
            }
        }
        if !matches!(family, Family::Activity) {
            self.emit(
                fid,
                family.event(Phase::Started),
                || match family.resource() {
                    Some(r) => Details::TaskStarted(r),
                    None => Details::None,
                },
                sink,
            );
        }
        let timeout_timer = timeout.map(|t| {
            let timer = self.new_work(Work::TaskTimeout(fid));
            sink.effect(Effect::StartTimer {
                id: timer,
                due: self.now.plus(t.saturating_mul(1000)),
            });
            timer
        });
        let is_activity = matches!(family, Family::Activity);
        let heartbeat_timer = heartbeat.filter(|_| !is_activity).map(|h| {
            let timer = self.new_work(Work::Heartbeat(fid));
            sink.effect(Effect::StartTimer {
                id: timer,
                due: self.now.plus(h.saturating_mul(1000)),
            });
            (timer, h)
        });
        sink.effect(Effect::RunTask(TaskRequest {
            id,
            resource: task.resource.clone(),
            purpose: baton_asl::definition::ResourceUse::Task,
            input,
            token,
            state_name: state.name.clone(),
            timeout_seconds: timeout,
            heartbeat_seconds: heartbeat,
            credentials,
        }));
        self.active_mut(fid).step = Step::Task(Box::new(TaskWait {
            id,
            family,
            timeout_timer,
            heartbeat: heartbeat_timer,
            heartbeat_on_start: heartbeat.filter(|_| is_activity),
        }));
        Flow::Wait
    }

    /// The frame waiting for task `id`, if the task is still awaited.
    fn task_frame(&self, id: WorkId) -> Option<FrameId> {
        match self.work.get(&id) {
            Some(Work::Task(fid)) => Some(*fid),
            _ => None,
        }
    }

    fn task_wait(&self, fid: FrameId) -> Option<&TaskWait> {
        match &self.frame(fid).pos {
            Pos::In(a) => match &a.step {
                Step::Task(t) => Some(t),
                _ => None,
            },
            _ => None,
        }
    }

    pub(crate) fn task_started(&mut self, id: WorkId, worker: Option<Str>, sink: &mut impl Sink) {
        let Some(fid) = self.task_frame(id) else {
            return;
        };
        let Some(family) = self.task_wait(fid).map(|t| t.family.clone()) else {
            return;
        };
        if matches!(family, Family::Activity) {
            let worker_name = worker.unwrap_or_default();
            self.emit(
                fid,
                EventType::ActivityStarted,
                || Details::ActivityStarted { worker_name },
                sink,
            );
            // The heartbeat clock starts with the worker.
            let period = match &mut self.active_mut(fid).step {
                Step::Task(t) => t.heartbeat_on_start.take(),
                _ => None,
            };
            if let Some(period) = period {
                let timer = self.new_work(Work::Heartbeat(fid));
                sink.effect(Effect::StartTimer {
                    id: timer,
                    due: self.now.plus(period.saturating_mul(1000)),
                });
                if let Step::Task(t) = &mut self.active_mut(fid).step {
                    t.heartbeat = Some((timer, period));
                }
            }
        }
    }

    pub(crate) fn task_submitted(&mut self, id: WorkId, output: Value, sink: &mut impl Sink) {
        let Some(fid) = self.task_frame(id) else {
            return;
        };
        let Some(family) = self.task_wait(fid).map(|t| t.family.clone()) else {
            return;
        };
        let resource = family.resource();
        self.emit(
            fid,
            family.event(Phase::Submitted),
            || Details::Output { output, resource },
            sink,
        );
    }

    pub(crate) fn task_heartbeat(&mut self, id: WorkId, sink: &mut impl Sink) {
        let Some(fid) = self.task_frame(id) else {
            return;
        };
        let Some((old, period)) = self.task_wait(fid).and_then(|t| t.heartbeat) else {
            return;
        };
        self.work.remove(&old);
        sink.effect(Effect::CancelTimer { id: old });
        let timer = self.new_work(Work::Heartbeat(fid));
        sink.effect(Effect::StartTimer {
            id: timer,
            due: self.now.plus(period.saturating_mul(1000)),
        });
        if let Step::Task(t) = &mut self.active_mut(fid).step {
            t.heartbeat = Some((timer, period));
        }
    }

    /// Stops waiting for the frame's task: forgets it and its timers.
    fn end_task_wait(
        &mut self,
        fid: FrameId,
        cancel_task: bool,
        sink: &mut impl Sink,
    ) -> Option<Family> {
        let active = self.active_mut(fid);
        let Step::Task(t) = std::mem::replace(&mut active.step, Step::Run) else {
            return None;
        };
        self.work.remove(&t.id);
        if cancel_task {
            sink.effect(Effect::CancelTask { id: t.id });
        }
        for timer in t.timeout_timer.into_iter().chain(t.heartbeat.map(|h| h.0)) {
            if self.work.remove(&timer).is_some() {
                sink.effect(Effect::CancelTimer { id: timer });
            }
        }
        Some(t.family)
    }

    pub(crate) fn task_succeeded(&mut self, id: WorkId, output: Value, sink: &mut impl Sink) {
        if let Some(&Work::MapData(fid)) = self.work.get(&id) {
            return self.map_data_done(id, fid, Ok(output));
        }
        let Some(fid) = self.task_frame(id) else {
            return;
        };
        let Some(family) = self.end_task_wait(fid, false, sink) else {
            return;
        };
        let resource = family.resource();
        let details_output = output.clone();
        self.emit(
            fid,
            family.event(Phase::Succeeded),
            || Details::Output {
                output: details_output,
                resource,
            },
            sink,
        );
        let program = std::sync::Arc::clone(&self.program);
        let state = current_state(&program, self, fid);
        let flow = self.task_result(fid, state, output);
        self.continue_with(fid, state, flow, sink);
    }

    pub(crate) fn task_failed(&mut self, id: WorkId, failure: Failure, sink: &mut impl Sink) {
        if let Some(&Work::MapData(fid)) = self.work.get(&id) {
            return self.map_data_done(id, fid, Err(failure));
        }
        let Some(fid) = self.task_frame(id) else {
            return;
        };
        let Some(family) = self.end_task_wait(fid, false, sink) else {
            return;
        };
        let resource = family.resource();
        let (error, cause) = (failure.error.clone(), failure.cause.clone());
        self.emit(
            fid,
            family.event(Phase::Failed),
            || Details::Failure {
                error,
                cause,
                resource,
            },
            sink,
        );
        let program = std::sync::Arc::clone(&self.program);
        let state = current_state(&program, self, fid);
        self.continue_with(fid, state, Flow::Fail(failure), sink);
    }

    /// TimeoutSeconds or HeartbeatSeconds passed before the task finished.
    pub(crate) fn task_timed_out(
        &mut self,
        fid: FrameId,
        timer: WorkId,
        heartbeat: bool,
        sink: &mut impl Sink,
    ) {
        if !self.frame_exists(fid) {
            return;
        }
        let ours = self.task_wait(fid).is_some_and(|t| {
            t.timeout_timer == Some(timer) || t.heartbeat.is_some_and(|h| h.0 == timer)
        });
        if !ours {
            return;
        }
        let Some(family) = self.end_task_wait(fid, true, sink) else {
            return;
        };
        let error = if heartbeat {
            baton_asl::error_name::HEARTBEAT_TIMEOUT
        } else {
            baton_asl::error_name::TIMEOUT
        };
        let failure = Failure {
            error: Some(Str::from(error)),
            cause: None,
        };
        let resource = family.resource();
        self.emit(
            fid,
            family.event(Phase::TimedOut),
            || Details::Failure {
                error: Some(Str::from(error)),
                cause: None,
                resource,
            },
            sink,
        );
        let program = std::sync::Arc::clone(&self.program);
        let state = current_state(&program, self, fid);
        self.continue_with(fid, state, Flow::Fail(failure), sink);
    }

    /// A task's result through ResultSelector, ResultPath and OutputPath (or Output).
    fn task_result(&mut self, fid: FrameId, state: &State, result: Value) -> Flow {
        let baton_asl::definition::StateKind::Task(task) = &state.kind else {
            return Flow::Wait;
        };
        self.finish_with_result(fid, state, result, &task.result_selector, &task.result_path)
    }

    /// Applies a flow decided outside the frame's own stepping and lets it carry on.
    pub(crate) fn continue_with(
        &mut self,
        fid: FrameId,
        state: &State,
        flow: Flow,
        sink: &mut impl Sink,
    ) {
        self.apply_flow(fid, state, flow, sink);
        if !self.is_finished() && self.frame_exists(fid) {
            self.push_ready(fid);
        }
    }
}

/// The state frame `fid` is in.
pub(crate) fn current_state<'p>(
    program: &'p crate::program::Program,
    exec: &Execution,
    fid: FrameId,
) -> &'p State {
    let frame = exec.frame(fid);
    let index = match &frame.pos {
        Pos::In(a) => a.state,
        _ => 0,
    };
    let branch = program.branch(frame.branch);
    branch
        .states
        .get_index(index)
        .map(|(_, s)| s)
        .expect("active states exist in their branch")
}

/// Evaluates TimeoutSeconds(Path) or HeartbeatSeconds(Path).
fn seconds(
    field: Option<&Seconds>,
    input: &Value,
    scope: &EvalScope<'_>,
    at: At<'_>,
) -> Result<Option<u64>, Failure> {
    match field {
        None => Ok(None),
        Some(Seconds::Fixed(n)) => Ok(Some(*n)),
        Some(Seconds::Path(p)) => {
            let v = p
                .eval(input, scope)
                .map_err(|e| at.runtime(e.invalid_path_cause(p.as_str())))?;
            match v.as_number().and_then(|n| n.as_u64()) {
                Some(n) if n > 0 => Ok(Some(n)),
                _ => Err(at.runtime(format!(
                    "The value of the path '{}' must be a positive integer, but was: {}",
                    p.as_str(),
                    v.to_json_string()
                ))),
            }
        }
        // Only in JSONata states, which use `jsonata_seconds`.
        Some(Seconds::Jsonata(_)) => Ok(None),
    }
}

/// Evaluates TimeoutSeconds or HeartbeatSeconds in a JSONata state.
fn jsonata_seconds(
    field: Option<&Seconds>,
    name: &str,
    scope: &mut EvalScope<'_>,
    states: &StatesVars,
    at: At<'_>,
) -> Result<Option<u64>, EvalFailure> {
    match field {
        Some(Seconds::Fixed(n)) => Ok(Some(*n)),
        Some(Seconds::Jsonata(e)) => jsonata::count(e, name, scope, states, at).map(Some),
        _ => Ok(None),
    }
}
