//! What happens when a state is done with a step: exit and transition, retry, catch, or
//! fail its frame; and what happens when a frame ends.

use baton_asl::definition::state::ResultPath;
use baton_asl::definition::state::Transition;
use baton_asl::definition::{
    Catcher, JitterStrategy, Payload, QueryLanguage, Retrier, State, StateKind,
};
use baton_json::{Map, Str, Value};

use crate::dataflow::{assign, evaluate, place_result, select};
use crate::effect::Effect;
use crate::error::Failure;
use crate::event::{Details, EvaluationFailed, EventType};
use crate::execution::{
    Execution, FrameId, Pos, Sink, Status, Step, Work, exited_type, failure_details,
};
use crate::jsonata::{self, EvalFailure, StatesVars};

/// The outcome of a state's step.
#[derive(Debug)]
pub(crate) enum Flow {
    /// Leave the state with `output`: to `next` when given (Choice, Catch), else by its
    /// transition. `assigned` are the variables its Assign set.
    Exit {
        output: Value,
        next: Option<Str>,
        assigned: Option<Map>,
    },
    /// A Succeed state: exit and end the frame.
    Succeed { output: Value },
    /// The state failed; its retriers and catchers apply.
    Fail(Failure),
    /// The frame fails at once (a Fail state).
    FailFrame(Failure),
    /// A JSONata expression failed: `EvaluationFailed`, then as [`Flow::Fail`].
    EvaluationFailed(EvalFailure),
    /// Waiting for a task, a timer or children.
    Wait,
}

impl Execution {
    pub(crate) fn apply_flow(
        &mut self,
        fid: FrameId,
        state: &State,
        flow: Flow,
        sink: &mut impl Sink,
    ) {
        match flow {
            Flow::Wait => {}
            Flow::Exit {
                output,
                next,
                assigned,
            } => self.exit_state(fid, state, output, next, assigned, sink),
            Flow::Succeed { output } => {
                if self.output_too_large(state, &output, sink) {
                    return;
                }
                let details_output = output.clone();
                self.emit(
                    fid,
                    EventType::SucceedStateExited,
                    || Details::StateExited {
                        name: state.name.clone(),
                        output: details_output,
                        assigned_variables: None,
                    },
                    sink,
                );
                self.frame_done(fid, Ok(output), sink);
            }
            Flow::FailFrame(f) => {
                if f.is_terminal() {
                    self.fail_execution(f, sink);
                } else {
                    self.frame_done(fid, Err(f), sink);
                }
            }
            Flow::Fail(f) => self.handle_failure(fid, state, f, sink),
            Flow::EvaluationFailed(e) => {
                self.evaluation_failed(fid, state, &e, sink);
                self.handle_failure(fid, state, e.failure, sink)
            }
        }
    }

    /// Emits `EvaluationFailed` for a JSONata expression of `state` that failed.
    fn evaluation_failed(
        &mut self,
        fid: FrameId,
        state: &State,
        e: &EvalFailure,
        sink: &mut impl Sink,
    ) {
        let (error, cause) = (
            e.failure.error.clone().unwrap_or_default(),
            e.failure.cause.clone().unwrap_or_default(),
        );
        let location = Str::from(e.location.as_str());
        self.emit(
            fid,
            EventType::EvaluationFailed,
            || {
                Details::EvaluationFailed(Box::new(EvaluationFailed {
                    error,
                    cause,
                    location: Some(location),
                    state: state.name.clone(),
                }))
            },
            sink,
        );
    }

    /// Leaves a state: the exited event, its assignments, then the next state or the end
    /// of the frame.
    fn exit_state(
        &mut self,
        fid: FrameId,
        state: &State,
        output: Value,
        next: Option<Str>,
        assigned: Option<Map>,
        sink: &mut impl Sink,
    ) {
        if self.output_too_large(state, &output, sink) {
            return;
        }
        if let Some(vars) = &assigned
            && let Some(f) = self.variables_too_large(fid, state, vars)
        {
            self.fail_execution(f, sink);
            return;
        }
        let details_output = output.clone();
        let details_assigned = assigned.clone().map(Box::new);
        self.emit(
            fid,
            exited_type(&state.kind),
            || Details::StateExited {
                name: state.name.clone(),
                output: details_output,
                assigned_variables: details_assigned,
            },
            sink,
        );
        let program = std::sync::Arc::clone(&self.program);
        let frame = self.frame_mut(fid);
        if let Some(vars) = assigned {
            frame.vars.extend(vars);
        }
        let index = match next {
            Some(name) => program.index_of(frame.branch, &name),
            None => match &state.transition {
                Transition::Next(_) => {
                    let current = match &frame.pos {
                        Pos::In(a) => a.state,
                        _ => 0,
                    };
                    program.next_of(frame.branch, current)
                }
                Transition::End | Transition::Choice => None,
            },
        };
        match index {
            Some(index) => {
                frame.pos = Pos::Enter {
                    state: index,
                    input: output,
                };
            }
            None => self.frame_done(fid, Ok(output), sink),
        }
    }

    /// Fails the execution when a state's output is over the payload limit or nested too
    /// deep; otherwise charges the step budget for carrying it into the exited event.
    fn output_too_large(&mut self, state: &State, output: &Value, sink: &mut impl Sink) -> bool {
        let cause = match crate::size::check(output, self.info.max_payload_bytes) {
            Ok(()) => {
                self.charge_bytes(output);
                return false;
            }
            Err(crate::size::Oversize::Bytes) => format!(
                "The state/task '{}' returned a result with a size exceeding the maximum number of bytes service limit.",
                state.name
            ),
            Err(crate::size::Oversize::Depth) => format!(
                "The state/task '{}' returned a result nested deeper than the maximum of {} levels.",
                state.name,
                crate::size::MAX_DEPTH
            ),
        };
        let f = Failure::new(baton_asl::error_name::DATA_LIMIT_EXCEEDED, cause);
        self.fail_execution(f, sink);
        true
    }

    /// The variable limits: 256 KiB for one variable and for everything one state assigns,
    /// 10 MiB for all the variables an execution holds. (AWS's limits; the causes' wording
    /// is not verified against AWS.)
    fn variables_too_large(&self, fid: FrameId, state: &State, assigned: &Map) -> Option<Failure> {
        const ONE: u64 = 256 * 1024;
        const ALL: u64 = 10 * 1024 * 1024;
        let limit = |cause: String| {
            Some(Failure::new(
                baton_asl::error_name::DATA_LIMIT_EXCEEDED,
                cause,
            ))
        };
        let mut assigned_total = 0;
        for (name, value) in assigned {
            let size = value.encoded_len();
            if size > ONE {
                return limit(format!(
                    "The value of the variable '{name}' assigned by the state '{}' exceeds the maximum of {ONE} bytes.",
                    state.name
                ));
            }
            assigned_total += size;
        }
        if assigned_total > ONE {
            return limit(format!(
                "The variables assigned by the state '{}' exceed the maximum of {ONE} bytes together.",
                state.name
            ));
        }
        let mut held = assigned_total;
        let mut frame = Some(fid);
        while let Some(id) = frame {
            let f = self.frame(id);
            held += f
                .vars
                .iter()
                .filter(|(k, _)| id != fid || !assigned.contains_key(*k))
                .map(|(_, v)| v.encoded_len())
                .sum::<u64>();
            frame = f.parent.map(|(p, _)| p);
        }
        (held > ALL).then(|| {
            Failure::new(
                baton_asl::error_name::DATA_LIMIT_EXCEEDED,
                format!("The execution's variables exceed the maximum of {ALL} bytes together."),
            )
        })
    }

    /// A state failed: retry it, catch the error, or fail its frame.
    fn handle_failure(&mut self, fid: FrameId, state: &State, f: Failure, sink: &mut impl Sink) {
        if f.is_terminal() {
            self.fail_execution(f, sink);
            return;
        }
        let (retriers, catchers): (&[Retrier], &[Catcher]) = match &state.kind {
            StateKind::Task(t) => (&t.retry, &t.catch),
            StateKind::Parallel(p) => (&p.retry, &p.catch),
            StateKind::Map(m) => (&m.retry, &m.catch),
            _ => (&[], &[]),
        };
        if let Some((i, r)) = retriers
            .iter()
            .enumerate()
            .find(|(_, r)| r.matches(f.name()))
        {
            let active = self.active_mut(fid);
            if active.retries.len() < retriers.len() {
                active.retries.resize(retriers.len(), 0);
            }
            let used = active.retries[i];
            if u64::from(used) < r.max_attempts {
                active.retries[i] += 1;
                active.retry_count += 1;
                let mut delay = r.delay_millis(u64::from(used));
                if r.jitter == JitterStrategy::Full && delay > 0 {
                    delay = crate::scope::next_random(&mut self.rng) % (delay + 1);
                }
                self.schedule_rerun(fid, delay, sink);
                return;
            }
        }
        // Parallel and Map report their failure once no retry follows.
        let failed_event = match &state.kind {
            StateKind::Parallel(_) => Some(EventType::ParallelStateFailed),
            StateKind::Map(_) => Some(EventType::MapStateFailed),
            _ => None,
        };
        if let Some(t) = failed_event {
            self.emit(fid, t, || Details::None, sink);
        }
        if let Some(c) = catchers.iter().find(|c| c.matches(f.name())) {
            match self.catch_output(fid, state, c, &f) {
                Ok((output, assigned)) => {
                    self.exit_state(fid, state, output, Some(c.next.clone()), assigned, sink)
                }
                Err(Flow::EvaluationFailed(e)) => {
                    self.evaluation_failed(fid, state, &e, sink);
                    self.frame_done(fid, Err(e.failure), sink);
                }
                Err(Flow::Fail(f) | Flow::FailFrame(f)) => self.fail_execution(f, sink),
                Err(_) => {}
            }
            return;
        }
        if self.frame(fid).in_parallel && matches!(state.kind, StateKind::Task(_)) {
            self.emit(fid, EventType::TaskStateAborted, || Details::None, sink);
        }
        self.frame_done(fid, Err(f), sink);
    }

    /// A Task's, Parallel's or Map's result through ResultSelector, Assign, ResultPath and
    /// OutputPath (JSONPath), or Assign and Output with `$states.result` (JSONata).
    pub(crate) fn finish_with_result(
        &mut self,
        fid: FrameId,
        state: &State,
        result: Value,
        selector: &Option<Payload>,
        result_path: &ResultPath,
    ) -> Flow {
        let retry_count = self.active(fid).retry_count;
        let (raw, at, mut scope) = self.state_env(fid, state);
        scope.retry_count = Some(retry_count);
        if state.query_language == QueryLanguage::Jsonata {
            let states = StatesVars {
                input: raw,
                result: Some(result.clone()),
                error_output: None,
            };
            return match jsonata::output_and_assign(
                state.output.as_ref(),
                state.assign.as_ref(),
                result,
                &mut scope,
                &states,
                at,
            ) {
                Ok((output, assigned)) => Flow::Exit {
                    output,
                    next: None,
                    assigned,
                },
                Err(e) => Flow::EvaluationFailed(e),
            };
        }
        let outcome = (|| -> Result<Flow, Failure> {
            let selected = match selector {
                Some(s) => evaluate(s, &result, &mut scope, at)?,
                None => result,
            };
            let assigned = assign(state.assign.as_ref(), &selected, &mut scope, at)?;
            let placed = place_result(result_path, raw, selected, at)?;
            let output = select(&state.output_path, placed, &scope, at)?;
            Ok(Flow::Exit {
                output,
                next: None,
                assigned,
            })
        })();
        outcome.unwrap_or_else(Flow::Fail)
    }

    /// The output and assignments of a catcher: the error output placed into the state's
    /// input by the catcher's ResultPath.
    pub(crate) fn catch_output(
        &mut self,
        fid: FrameId,
        state: &State,
        catcher: &Catcher,
        f: &Failure,
    ) -> Result<(Value, Option<Map>), Flow> {
        let error_output = f.to_error_output();
        let (raw, at, mut scope) = self.state_env(fid, state);
        if state.query_language == QueryLanguage::Jsonata {
            let states = StatesVars {
                input: raw,
                result: None,
                error_output: Some(error_output.clone()),
            };
            return jsonata::output_and_assign(
                catcher.output.as_ref(),
                catcher.assign.as_ref(),
                error_output,
                &mut scope,
                &states,
                at,
            )
            .map_err(Flow::EvaluationFailed);
        }
        let assigned =
            assign(catcher.assign.as_ref(), &error_output, &mut scope, at).map_err(Flow::Fail)?;
        let output =
            place_result(&catcher.result_path, raw, error_output, at).map_err(Flow::Fail)?;
        Ok((output, assigned))
    }

    /// Runs the state's work again after `delay` milliseconds.
    fn schedule_rerun(&mut self, fid: FrameId, delay: u64, sink: &mut impl Sink) {
        if delay == 0 {
            self.active_mut(fid).step = Step::Run;
            self.push_ready(fid);
            return;
        }
        let id = self.new_work(Work::StateTimer(fid));
        sink.effect(Effect::StartTimer {
            id,
            due: self.now.plus(delay),
        });
        self.active_mut(fid).step = Step::Timer(id);
    }

    /// Ends a frame: the execution, or one branch or iteration of its parent. A frame
    /// that failed is kept as it stopped, for a redrive: by its parent's state, or as the
    /// execution's halted root.
    pub(crate) fn frame_done(
        &mut self,
        fid: FrameId,
        outcome: Result<Value, Failure>,
        sink: &mut impl Sink,
    ) {
        let Some(frame) = self.free_frame(fid) else {
            return;
        };
        let (parent, last_event) = (frame.parent, frame.last_event);
        let halted = outcome.is_err().then_some(frame);
        match parent {
            None => match outcome {
                Ok(output) => {
                    let details_output = output.clone();
                    self.emit_root(
                        EventType::ExecutionSucceeded,
                        || Details::Output {
                            output: details_output,
                            resource: None,
                        },
                        sink,
                    );
                    self.finish(Status::Succeeded(output), sink);
                }
                Err(f) => {
                    self.halted = halted.map(Box::new);
                    self.fail_execution(f, sink)
                }
            },
            Some((parent, slot)) => {
                self.child_finished(parent, slot, last_event, outcome, halted, sink)
            }
        }
    }

    /// Fails the whole execution at once.
    pub(crate) fn fail_execution(&mut self, f: Failure, sink: &mut impl Sink) {
        self.emit_root(EventType::ExecutionFailed, failure_details(&f), sink);
        self.finish(Status::Failed(f), sink);
    }
}
