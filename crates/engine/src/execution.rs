//! One execution: its frames, outstanding work and status, and [`Execution::apply`], the
//! step function that turns an [`Input`] into history events and effects.
//!
//! Frames are the running parts of an execution: the machine itself, each Parallel
//! branch and each Map iteration. A frame is at one state at a time. Frames that can make
//! progress sit on a stack (`ready`); [`Execution::apply`] records the input, then steps
//! ready frames until every frame waits for a task, a timer or its children. Children are
//! pushed above their parent, so a Map or Parallel runs its children depth-first and in
//! order: deterministic histories, and finished iterations free their memory at once.
//!
//! Redrive: an execution that failed, timed out or was aborted keeps, in `halted`, the
//! frames that had not finished: the root frame at the state it stopped in, and inside
//! each Parallel or Map state it stopped in, the branches and iterations that failed or
//! were aborted (frames are moved there from the table as they stop) with the results of
//! those that succeeded. [`Input::Redrive`] enters those states again from there. An
//! execution that succeeds keeps nothing: a state's children are dropped as soon as the
//! state has its result, retries or catches.

use std::collections::HashMap;
use std::sync::Arc;

use baton_asl::definition::{State, StateKind};
use baton_json::{Map, Str, Value};

use crate::effect::{Effect, WorkId};
use crate::error::Failure;
use crate::event::{Details, EventType, ExecutionStarted, HistoryEvent};
use crate::flow::Flow;
use crate::input::Input;
use crate::limits::{BUDGET_BYTES_PER_UNIT, Limits};
use crate::program::{BranchId, Program};
use crate::state::children::Children;
use crate::state::task::TaskWait;
use crate::time::Millis;
use crate::token::{PlainTokens, TokenMinter};

/// Where an execution's events and effects go. Implemented by the caller: the runtime
/// stores them; a benchmark may count and drop them.
pub trait Sink {
    /// A new history event.
    fn event(&mut self, event: HistoryEvent);
    /// Something to do.
    fn effect(&mut self, effect: Effect);
    /// `false` when events are not kept, so the engine need not build their details.
    fn records_events(&self) -> bool {
        true
    }
}

/// Collects events and effects in vectors.
#[derive(Debug, Default)]
pub struct Collect {
    /// Events, in order.
    pub events: Vec<HistoryEvent>,
    /// Effects, in order.
    pub effects: Vec<Effect>,
}

impl Sink for Collect {
    fn event(&mut self, event: HistoryEvent) {
        self.events.push(event);
    }
    fn effect(&mut self, effect: Effect) {
        self.effects.push(effect);
    }
}

/// What an execution is, fixed when it starts.
#[derive(Debug, Clone)]
pub struct ExecutionInfo {
    /// `arn:aws:states:REGION:ACCOUNT:execution:MACHINE:NAME`.
    pub execution_arn: Str,
    /// The execution's name.
    pub name: Str,
    /// The state machine's ARN.
    pub state_machine_arn: Str,
    /// The state machine's name.
    pub state_machine_name: Str,
    /// The version it was started through (a version ARN, or the version an alias
    /// picked), if any.
    pub version_arn: Option<Str>,
    /// The alias it was started through, if any.
    pub alias_arn: Option<Str>,
    /// The role the execution runs as.
    pub role_arn: Str,
    /// The region, for task events.
    pub region: Str,
    /// The input.
    pub input: Value,
    /// When it started.
    pub start_time: Millis,
    /// How many times it was redriven.
    pub redrive_count: u32,
    /// Seed of the execution's random stream (task tokens, UUIDs, jitter).
    pub seed: u64,
    /// The largest state input or output, in bytes (256 KiB on AWS).
    pub max_payload_bytes: usize,
    /// Makes the execution's task tokens.
    pub tokens: Arc<dyn TokenMinter>,
    /// Its bounds: history length, longest duration, work per apply.
    pub limits: Limits,
}

impl ExecutionInfo {
    /// An execution of `machine_name` called `name` in the default account and region,
    /// for tools and tests.
    pub fn local(
        machine_name: &str,
        name: &str,
        input: Value,
        start_time: Millis,
    ) -> ExecutionInfo {
        let region = "us-east-1";
        let account = "123456789012";
        ExecutionInfo {
            execution_arn: format!(
                "arn:aws:states:{region}:{account}:execution:{machine_name}:{name}"
            )
            .into(),
            name: name.into(),
            state_machine_arn: format!(
                "arn:aws:states:{region}:{account}:stateMachine:{machine_name}"
            )
            .into(),
            state_machine_name: machine_name.into(),
            version_arn: None,
            alias_arn: None,
            role_arn: format!("arn:aws:iam::{account}:role/baton-execution").into(),
            region: region.into(),
            input,
            start_time,
            redrive_count: 0,
            seed: 0x5eed,
            max_payload_bytes: 256 * 1024,
            tokens: Arc::new(PlainTokens),
            // A tool's execution ends when the tool does: no timer for AWS's longest
            // duration.
            limits: Limits {
                max_seconds: None,
                ..Limits::STANDARD
            },
        }
    }
}

/// Where an execution stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// Not finished.
    Running,
    /// Finished with an output.
    Succeeded(Value),
    /// Failed.
    Failed(Failure),
    /// Ran past the machine's TimeoutSeconds.
    TimedOut(Failure),
    /// Stopped by StopExecution.
    Aborted(Failure),
}

impl Status {
    /// `RUNNING`, `SUCCEEDED`, `FAILED`, `TIMED_OUT` or `ABORTED`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Running => "RUNNING",
            Status::Succeeded(_) => "SUCCEEDED",
            Status::Failed(_) => "FAILED",
            Status::TimedOut(_) => "TIMED_OUT",
            Status::Aborted(_) => "ABORTED",
        }
    }
}

pub(crate) type FrameId = u32;

/// A running branch: the machine, a Parallel branch or a Map iteration.
#[derive(Debug)]
pub(crate) struct Frame {
    pub(crate) branch: BranchId,
    /// The parent frame and this frame's slot among its children.
    pub(crate) parent: Option<(FrameId, u32)>,
    /// Variables assigned in this frame's scope (the machine's, for the root frame).
    pub(crate) vars: Map,
    /// The last event emitted in this frame: the next one's `previousEventId`.
    pub(crate) last_event: u64,
    /// Events of this frame are not part of the execution's history (distributed Map
    /// iterations, which AWS runs as child executions).
    pub(crate) silent: bool,
    /// The frame starts a variable scope of its own that does not see the scopes around
    /// it: a distributed Map iteration, which AWS runs as a child execution.
    pub(crate) isolated: bool,
    /// The frame is a Parallel branch (AWS reports an uncaught task failure there as an
    /// aborted task state).
    pub(crate) in_parallel: bool,
    /// The frame is on the ready stack.
    pub(crate) queued: bool,
    /// The context object (`$$`) in place of the one built from the execution: TestState's.
    /// Only the root frame's counts.
    pub(crate) given_context: Option<Value>,
    pub(crate) pos: Pos,
}

/// What a frame is doing.
#[derive(Debug)]
pub(crate) enum Pos {
    /// About to enter state number `state` of its branch with `input`.
    Enter { state: usize, input: Value },
    /// About to enter state number `state` again on a redrive, with the input it had;
    /// `kept`: for a Parallel or Map state, what its children had done.
    Reenter {
        state: usize,
        input: Value,
        kept: Option<Box<Children>>,
    },
    /// Inside a state.
    In(Active),
    /// Finished (about to be freed).
    Done,
}

/// A state a frame is in.
#[derive(Debug)]
pub(crate) struct Active {
    /// The state's index in its branch.
    pub(crate) state: usize,
    /// The state's raw input.
    pub(crate) input: Value,
    /// The id of its `...StateEntered` event.
    pub(crate) entered_event: u64,
    /// When it was entered.
    pub(crate) entered_at: Millis,
    /// Attempts used per retrier (empty until the first retry).
    pub(crate) retries: Vec<u32>,
    /// Retries so far, all retriers together (`$$.State.RetryCount`).
    pub(crate) retry_count: u32,
    /// What the state waits for.
    pub(crate) step: Step,
}

/// What an active state is waiting for.
#[derive(Debug)]
pub(crate) enum Step {
    /// Nothing: (re)start the state's work.
    Run,
    /// A Wait state's timer has fired, or a retry's backoff has passed: carry on.
    Resume,
    /// A Wait state's timer or a retry backoff.
    Timer(WorkId),
    /// A task.
    Task(Box<TaskWait>),
    /// Parallel branches or Map iterations.
    Children(Box<Children>),
    /// A Parallel or Map state entered again on a redrive: its children as they ended,
    /// to carry on from.
    Kept(Box<Children>),
}

/// Outstanding work by id.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Work {
    Task(FrameId),
    /// A distributed Map's reader or writer call.
    MapData(FrameId),
    TaskTimeout(FrameId),
    Heartbeat(FrameId),
    StateTimer(FrameId),
    ExecutionTimeout,
}

/// One execution of a state machine.
#[derive(Debug)]
pub struct Execution {
    pub(crate) program: Arc<Program>,
    pub(crate) info: Arc<ExecutionInfo>,
    pub(crate) status: Status,
    pub(crate) next_event_id: u64,
    pub(crate) frames: Vec<Option<Frame>>,
    free_frames: Vec<FrameId>,
    pub(crate) ready: Vec<FrameId>,
    /// Frames whose Map Run changed in this step (reported at its end).
    pub(crate) dirty_map_runs: Vec<FrameId>,
    pub(crate) work: HashMap<WorkId, Work>,
    next_work_id: WorkId,
    pub(crate) rng: u64,
    pub(crate) transitions: u64,
    pub(crate) now: Millis,
    pub(crate) record: bool,
    /// Work this apply may still do (see [`Limits::step_budget`]).
    pub(crate) budget: u64,
    /// An event was refused because the history is full: the execution fails at the next
    /// opportunity, in the event it had no room for.
    pub(crate) history_full: bool,
    /// Once the execution has failed, timed out or been aborted: its root frame as it
    /// stopped, holding the frames under it that had not finished (see the module doc).
    pub(crate) halted: Option<Box<Frame>>,
}

impl Execution {
    /// A new execution, not yet started: apply [`Input::Start`] to begin.
    pub fn new(program: Arc<Program>, info: ExecutionInfo) -> Execution {
        let rng = info.seed;
        Execution {
            program,
            info: Arc::new(info),
            status: Status::Running,
            next_event_id: 1,
            frames: Vec::new(),
            free_frames: Vec::new(),
            ready: Vec::new(),
            dirty_map_runs: Vec::new(),
            work: HashMap::new(),
            next_work_id: 1,
            rng,
            transitions: 0,
            now: Millis(0),
            record: true,
            budget: u64::MAX,
            history_full: false,
            halted: None,
        }
    }

    /// The execution's status.
    pub fn status(&self) -> &Status {
        &self.status
    }

    /// `true` once it has succeeded, failed, timed out or been stopped.
    pub fn is_finished(&self) -> bool {
        self.status != Status::Running
    }

    /// `true` once it has failed, timed out or been aborted: [`Input::Redrive`] would
    /// carry it on.
    pub fn is_redrivable(&self) -> bool {
        matches!(
            self.status,
            Status::Failed(_) | Status::TimedOut(_) | Status::Aborted(_)
        )
    }

    /// What the execution was started with.
    pub fn info(&self) -> &ExecutionInfo {
        &self.info
    }

    /// `true` while task `id` is awaited: a report about it would be heard.
    pub fn awaits_task(&self, id: WorkId) -> bool {
        matches!(self.work.get(&id), Some(Work::Task(_) | Work::MapData(_)))
    }

    /// Events emitted so far.
    pub fn event_count(&self) -> u64 {
        self.next_event_id - 1
    }

    /// States entered so far (the state transitions AWS bills).
    pub fn transitions(&self) -> u64 {
        self.transitions
    }

    /// `true` while the execution has work it can do now but did not do in the last
    /// apply, for it had done all the work one apply may do ([`Limits::step_budget`]):
    /// apply [`Input::Continue`] to carry on.
    pub fn has_ready_work(&self) -> bool {
        !self.is_finished() && !self.ready.is_empty()
    }

    /// Handles one input at time `now`: appends events to `sink` and asks for effects.
    /// Deterministic: the same inputs at the same times give the same events and effects.
    ///
    /// Runs until every frame waits, the execution ends, or the apply has done the work
    /// its [`Limits::step_budget`] allows (then [`Execution::has_ready_work`] is `true`).
    pub fn apply(&mut self, input: Input, now: Millis, sink: &mut impl Sink) {
        self.now = now;
        self.record = sink.records_events();
        self.budget = self.info.limits.step_budget.unwrap_or(u64::MAX);
        if self.is_finished() && !matches!(input, Input::Redrive) {
            return;
        }
        match input {
            Input::Start => self.start(sink),
            Input::Continue => {}
            Input::Redrive => self.redrive(sink),
            Input::TimerFired { id } => self.timer_fired(id, sink),
            Input::Stop { error, cause } => {
                let f = Failure { error, cause };
                self.emit_root(EventType::ExecutionAborted, failure_details(&f), sink);
                self.finish(Status::Aborted(f), sink);
            }
            Input::TaskStarted { id, worker_name } => self.task_started(id, worker_name, sink),
            Input::TaskSubmitted { id, output } => self.task_submitted(id, output, sink),
            Input::TaskHeartbeat { id } => self.task_heartbeat(id, sink),
            Input::TaskSucceeded { id, output } => self.task_succeeded(id, output, sink),
            Input::TaskFailed { id, error, cause } => {
                self.task_failed(id, Failure { error, cause }, sink)
            }
            Input::UpdateMapRun {
                map_run_arn,
                max_concurrency,
                tolerated_failure_count,
                tolerated_failure_percentage,
            } => self.update_map_run(
                &map_run_arn,
                max_concurrency,
                tolerated_failure_count,
                tolerated_failure_percentage,
            ),
        }
        self.run(sink);
        if self.history_full && !self.is_finished() {
            self.fail_history_full(sink);
        }
        if !self.dirty_map_runs.is_empty() {
            self.report_changed_map_runs(sink);
        }
    }

    fn start(&mut self, sink: &mut impl Sink) {
        let info = Arc::clone(&self.info);
        self.emit_root(
            EventType::ExecutionStarted,
            || {
                Details::ExecutionStarted(Box::new(ExecutionStarted {
                    input: info.input.clone(),
                    role_arn: info.role_arn.clone(),
                    version_arn: info.version_arn.clone(),
                    alias_arn: info.alias_arn.clone(),
                }))
            },
            sink,
        );
        self.arm_execution_timeout(info.start_time, sink);
        self.start_root(1, sink);
    }

    /// The machine's TimeoutSeconds (or the longest an execution may run), counted from
    /// `from`.
    fn arm_execution_timeout(&mut self, from: Millis, sink: &mut impl Sink) {
        let timeout = match (
            self.program.machine().timeout_seconds,
            self.info.limits.max_seconds,
        ) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if let Some(t) = timeout {
            let id = self.new_work(Work::ExecutionTimeout);
            sink.effect(Effect::StartTimer {
                id,
                due: from.plus(t.saturating_mul(1000)),
            });
        }
    }

    /// Creates the root frame at StartAt with the execution's input, after event
    /// `last_event`; fails the execution if the input is over the payload limit.
    fn start_root(&mut self, last_event: u64, sink: &mut impl Sink) {
        let info = Arc::clone(&self.info);
        if crate::size::exceeds(&info.input, info.max_payload_bytes) {
            let f = Failure::new(
                baton_asl::error_name::DATA_LIMIT_EXCEEDED,
                "The execution input exceeds the maximum number of bytes service limit.",
            );
            self.emit_root(EventType::ExecutionFailed, failure_details(&f), sink);
            self.finish(Status::Failed(f), sink);
            return;
        }
        let start = self.start_index(BranchId(0));
        let root = self.new_frame(Frame {
            branch: BranchId(0),
            parent: None,
            vars: Map::default(),
            last_event,
            silent: false,
            isolated: false,
            in_parallel: false,
            queued: false,
            given_context: None,
            pos: Pos::Enter {
                state: start,
                input: info.input.clone(),
            },
        });
        self.push_ready(root);
    }

    /// Steps ready frames until all wait, or the apply's budget is spent.
    fn run(&mut self, sink: &mut impl Sink) {
        while let Some(&fid) = self.ready.last() {
            if self.is_finished() {
                self.ready.clear();
                break;
            }
            if self.history_full {
                self.fail_history_full(sink);
                break;
            }
            if self.budget == 0 {
                // Yield: the frame stays on the ready stack for the next apply.
                break;
            }
            self.ready.pop();
            let Some(frame) = self.frames.get_mut(fid as usize).and_then(Option::as_mut) else {
                continue;
            };
            frame.queued = false;
            self.step_frame(fid, sink);
        }
    }

    /// Runs one frame until it waits or finishes, or the apply's budget is spent (then
    /// the frame goes back on the ready stack, to carry on from where it is).
    fn step_frame(&mut self, fid: FrameId, sink: &mut impl Sink) {
        let program = Arc::clone(&self.program);
        loop {
            if self.is_finished() || !self.frame_exists(fid) {
                return;
            }
            if self.budget == 0 || self.history_full {
                self.push_ready(fid);
                return;
            }
            let frame = self.frame(fid);
            let branch = program.branch(frame.branch);
            let runnable = match &frame.pos {
                Pos::Enter { .. } | Pos::Reenter { .. } => None,
                Pos::In(a)
                    if matches!(
                        a.step,
                        Step::Run | Step::Resume | Step::Children(_) | Step::Kept(_)
                    ) =>
                {
                    Some(a.state)
                }
                Pos::In(_) | Pos::Done => return,
            };
            match runnable {
                None if frame.isolated
                    && self
                        .info
                        .limits
                        .max_events
                        .is_some_and(|max| frame.last_event + 1 >= max) =>
                {
                    // A distributed Map iteration is a child execution with a history of
                    // its own, bounded as the execution's is: it fails, as an iteration.
                    let max = self.info.limits.max_events.unwrap_or_default();
                    let f = Failure::new(
                        baton_asl::error_name::RUNTIME,
                        crate::limits::history_full_cause(max),
                    );
                    self.frame_done(fid, Err(f), sink);
                    return;
                }
                None => {
                    let (state, input, kept) =
                        match std::mem::replace(&mut self.frame_mut(fid).pos, Pos::Done) {
                            Pos::Enter { state, input } => (state, input, None),
                            Pos::Reenter { state, input, kept } => (state, input, kept),
                            Pos::In(_) | Pos::Done => unreachable!("checked above"),
                        };
                    let Some((_, st)) = branch.states.get_index(state) else {
                        return;
                    };
                    self.transitions += 1;
                    self.charge_bytes(&input);
                    let details_input = input.clone();
                    let entered_event = self.emit(
                        fid,
                        entered_type(&st.kind),
                        || Details::StateEntered {
                            name: st.name.clone(),
                            input: details_input,
                        },
                        sink,
                    );
                    self.frame_mut(fid).pos = Pos::In(Active {
                        state,
                        input,
                        entered_event,
                        entered_at: self.now,
                        retries: Vec::new(),
                        retry_count: 0,
                        step: match kept {
                            Some(children) => Step::Kept(children),
                            None => Step::Run,
                        },
                    });
                }
                Some(index) => {
                    let Some((_, st)) = branch.states.get_index(index) else {
                        return;
                    };
                    let flow = self.run_state(fid, st, sink);
                    if matches!(flow, Flow::Wait) {
                        return;
                    }
                    self.apply_flow(fid, st, flow, sink);
                }
            }
        }
    }

    /// Does a state's work for its current step.
    pub(crate) fn run_state(&mut self, fid: FrameId, state: &State, sink: &mut impl Sink) -> Flow {
        match &state.kind {
            StateKind::Pass(p) => self.run_pass(fid, state, p),
            StateKind::Choice(c) => self.run_choice(fid, state, c),
            StateKind::Wait(w) => self.run_wait(fid, state, w, sink),
            StateKind::Succeed(_) => self.run_succeed(fid, state),
            StateKind::Fail(f) => self.run_fail(fid, state, f),
            StateKind::Task(t) => self.run_task(fid, state, t, sink),
            StateKind::Parallel(p) => self.run_parallel(fid, state, p, sink),
            StateKind::Map(m) => self.run_map(fid, state, m, sink),
        }
    }

    // ----- frames -----

    pub(crate) fn new_frame(&mut self, frame: Frame) -> FrameId {
        if let Some(id) = self.free_frames.pop() {
            self.frames[id as usize] = Some(frame);
            id
        } else {
            self.frames.push(Some(frame));
            (self.frames.len() - 1) as FrameId
        }
    }

    pub(crate) fn free_frame(&mut self, fid: FrameId) -> Option<Frame> {
        let f = self.frames.get_mut(fid as usize)?.take();
        if f.is_some() {
            self.free_frames.push(fid);
        }
        f
    }

    pub(crate) fn frame(&self, fid: FrameId) -> &Frame {
        // Frame ids come from the engine's own bookkeeping; a freed id is never looked up.
        self.frames[fid as usize]
            .as_ref()
            .expect("frame ids refer to live frames")
    }

    pub(crate) fn frame_mut(&mut self, fid: FrameId) -> &mut Frame {
        self.frames[fid as usize]
            .as_mut()
            .expect("frame ids refer to live frames")
    }

    pub(crate) fn frame_exists(&self, fid: FrameId) -> bool {
        matches!(self.frames.get(fid as usize), Some(Some(_)))
    }

    /// The active state of a frame.
    pub(crate) fn active(&self, fid: FrameId) -> &Active {
        match &self.frame(fid).pos {
            Pos::In(a) => a,
            _ => unreachable!("the frame is inside a state"),
        }
    }

    pub(crate) fn active_mut(&mut self, fid: FrameId) -> &mut Active {
        match &mut self.frame_mut(fid).pos {
            Pos::In(a) => a,
            _ => unreachable!("the frame is inside a state"),
        }
    }

    pub(crate) fn push_ready(&mut self, fid: FrameId) {
        let f = self.frame_mut(fid);
        if !f.queued {
            f.queued = true;
            self.ready.push(fid);
        }
    }

    /// The index of a branch's StartAt state.
    pub(crate) fn start_index(&self, branch: BranchId) -> usize {
        let b = self.program.branch(branch);
        self.program.index_of(branch, &b.start_at).unwrap_or(0)
    }

    /// The id the next [`Execution::new_work`] will return.
    pub(crate) fn next_work_id(&self) -> WorkId {
        self.next_work_id
    }

    pub(crate) fn new_work(&mut self, w: Work) -> WorkId {
        let id = self.next_work_id;
        self.next_work_id += 1;
        self.work.insert(id, w);
        id
    }

    // ----- the step budget and the history limit -----

    /// Spends `units` of this apply's budget.
    fn charge(&mut self, units: u64) {
        self.budget = self.budget.saturating_sub(units);
    }

    /// Spends the budget for carrying `doc` into an event (whether or not events are
    /// recorded: a replay must stop where the first run stopped).
    pub(crate) fn charge_bytes(&mut self, doc: &Value) {
        if self.budget != u64::MAX {
            self.charge(doc.encoded_len() / BUDGET_BYTES_PER_UNIT);
        }
    }

    /// `true` when event `id` would not fit in the history unless it ends the execution.
    fn over_history_limit(&self, id: u64) -> bool {
        self.info.limits.max_events.is_some_and(|max| id >= max)
    }

    /// Fails the execution because its history is full: `States.Runtime` in the last
    /// event the history has room for.
    fn fail_history_full(&mut self, sink: &mut impl Sink) {
        let max = self.info.limits.max_events.unwrap_or_default();
        let f = Failure::new(
            baton_asl::error_name::RUNTIME,
            crate::limits::history_full_cause(max),
        );
        self.history_full = false;
        self.emit_root(EventType::ExecutionFailed, failure_details(&f), sink);
        self.history_full = true;
        self.end(Status::Failed(f), sink);
    }

    // ----- events -----

    /// Emits an event in frame `fid`; returns its id. When the history has no room for it,
    /// nothing is emitted and the execution fails as soon as the current state's step is
    /// over.
    pub(crate) fn emit(
        &mut self,
        fid: FrameId,
        event_type: EventType,
        details: impl FnOnce() -> Details,
        sink: &mut impl Sink,
    ) -> u64 {
        self.charge(1);
        let id = self.next_event_id;
        let full = self.history_full || self.over_history_limit(id);
        let frame = self.frames[fid as usize]
            .as_mut()
            .expect("frame ids refer to live frames");
        if frame.silent {
            frame.last_event += 1;
            return frame.last_event;
        }
        if full {
            self.history_full = true;
            return id;
        }
        self.next_event_id += 1;
        let previous = frame.last_event;
        frame.last_event = id;
        if self.record {
            sink.event(HistoryEvent {
                id,
                previous_event_id: previous,
                timestamp: self.now,
                event_type,
                details: details(),
            });
        }
        id
    }

    /// Emits an execution-level event (after the last event of the history). An event
    /// that ends the execution always has room; another one is refused as [`emit`] refuses
    /// events once the history is full.
    ///
    /// [`emit`]: Execution::emit
    pub(crate) fn emit_root(
        &mut self,
        event_type: EventType,
        details: impl FnOnce() -> Details,
        sink: &mut impl Sink,
    ) -> u64 {
        self.charge(1);
        let id = self.next_event_id;
        // Once an event was refused, so is an end other than the failure for it (which
        // `finish` makes).
        if self.history_full || (!event_type.ends_execution() && self.over_history_limit(id)) {
            self.history_full = true;
            return id;
        }
        self.next_event_id += 1;
        if self.record {
            sink.event(HistoryEvent {
                id,
                previous_event_id: id - 1,
                timestamp: self.now,
                event_type,
                details: details(),
            });
        }
        id
    }

    /// Ends the execution: cancels every outstanding task and timer. Unless it succeeded,
    /// keeps its frames as they stopped, for a redrive. An execution whose history filled
    /// up in this step fails for that instead (its own end event was refused).
    pub(crate) fn finish(&mut self, status: Status, sink: &mut impl Sink) {
        if self.history_full {
            self.fail_history_full(sink);
            return;
        }
        self.end(status, sink);
    }

    fn end(&mut self, status: Status, sink: &mut impl Sink) {
        self.status = status;
        // Map Runs still running end with their execution.
        let running: Vec<FrameId> = self
            .frames
            .iter()
            .enumerate()
            .filter_map(|(i, f)| match &f.as_ref()?.pos {
                Pos::In(a) => match &a.step {
                    Step::Children(c) if c.map.as_ref().is_some_and(|m| m.distributed) => {
                        Some(i as FrameId)
                    }
                    _ => None,
                },
                _ => None,
            })
            .collect();
        for fid in running {
            self.report_map_run(fid, crate::effect::MapRunStatus::Aborted, sink);
        }
        self.dirty_map_runs.clear();
        let mut ids: Vec<(WorkId, Work)> = self.work.drain().collect();
        ids.sort_by_key(|(id, _)| *id);
        for (id, w) in ids {
            match w {
                Work::Task(_) | Work::MapData(_) => sink.effect(Effect::CancelTask { id }),
                _ => sink.effect(Effect::CancelTimer { id }),
            }
        }
        if self.is_redrivable() && self.halted.is_none() {
            let root = self
                .frames
                .iter()
                .position(|f| f.as_ref().is_some_and(|f| f.parent.is_none()));
            self.halted = root.and_then(|fid| self.detach(fid as FrameId).map(Box::new));
        }
        self.frames.clear();
        self.free_frames.clear();
        self.ready.clear();
    }

    /// Takes frame `fid` out of the table with the frames under it: the running children
    /// of its Parallel or Map state go among that state's halted children.
    fn detach(&mut self, fid: FrameId) -> Option<Frame> {
        let mut frame = self.frames.get_mut(fid as usize)?.take()?;
        if let Pos::In(a) = &mut frame.pos
            && let Step::Children(c) | Step::Kept(c) = &mut a.step
        {
            for (slot, child) in std::mem::take(&mut c.live) {
                if let Some(f) = self.detach(child) {
                    c.halted.insert(slot, f);
                }
            }
            c.halted.append(&mut c.resume);
        }
        Some(frame)
    }

    /// [`Input::Redrive`]: `ExecutionRedriven`, the machine's timeout counted again from
    /// now, and the halted frames entered again where they stopped.
    fn redrive(&mut self, sink: &mut impl Sink) {
        if !self.is_redrivable() {
            return;
        }
        // A state whose output or variables were over the limits runs again as a whole
        // (AWS reruns a Parallel or Map that failed with States.DataLimitExceeded,
        // including the branches and iterations that had succeeded).
        let whole = matches!(
            &self.status,
            Status::Failed(f) if f.name() == baton_asl::error_name::DATA_LIMIT_EXCEEDED
        );
        let mut info = ExecutionInfo::clone(&self.info);
        info.redrive_count = info.redrive_count.saturating_add(1);
        let redrive_count = info.redrive_count;
        self.info = Arc::new(info);
        self.status = Status::Running;
        // AWS bills a redrive as a state transition.
        self.transitions += 1;
        let redriven = self.emit_root(
            EventType::ExecutionRedriven,
            || Details::ExecutionRedriven { redrive_count },
            sink,
        );
        self.arm_execution_timeout(self.now, sink);
        let Some(root) = self.halted.take() else {
            // It stopped before its first state (its input was over the limit).
            self.start_root(redriven, sink);
            return;
        };
        let mut pos = reentry(root.pos);
        if whole && let Pos::Reenter { kept, .. } = &mut pos {
            *kept = None;
        }
        let fid = self.new_frame(Frame {
            parent: None,
            last_event: redriven,
            queued: false,
            pos,
            ..*root
        });
        self.push_ready(fid);
    }

    fn timer_fired(&mut self, id: WorkId, sink: &mut impl Sink) {
        let Some(w) = self.work.remove(&id) else {
            return;
        };
        match w {
            Work::ExecutionTimeout => {
                let f = Failure::new(
                    baton_asl::error_name::TIMEOUT,
                    "The execution has exceeded the max execution time.",
                );
                self.emit_root(EventType::ExecutionTimedOut, failure_details(&f), sink);
                self.finish(Status::TimedOut(f), sink);
            }
            Work::StateTimer(fid) => {
                if self.frame_exists(fid)
                    && let Pos::In(a) = &mut self.frame_mut(fid).pos
                    && matches!(a.step, Step::Timer(t) if t == id)
                {
                    a.step = Step::Resume;
                    self.push_ready(fid);
                }
            }
            Work::TaskTimeout(fid) => self.task_timed_out(fid, id, false, sink),
            Work::Heartbeat(fid) => self.task_timed_out(fid, id, true, sink),
            Work::Task(_) | Work::MapData(_) => {}
        }
    }
}

/// Where a halted frame starts again on a redrive: the state it was in (or about to
/// enter), entered again with the input it had, its retries counted from zero; a Parallel
/// or Map state with what its children had done.
pub(crate) fn reentry(pos: Pos) -> Pos {
    match pos {
        Pos::In(a) => Pos::Reenter {
            state: a.state,
            input: a.input,
            kept: match a.step {
                Step::Children(c) | Step::Kept(c) => Some(c),
                _ => None,
            },
        },
        // Not entered yet, or (never: finished frames are freed) done.
        other => other,
    }
}

/// The details of an event carrying a failure.
pub(crate) fn failure_details(f: &Failure) -> impl FnOnce() -> Details + '_ {
    move || Details::Failure {
        error: f.error.clone(),
        cause: f.cause.clone(),
        resource: None,
    }
}

/// The `...StateEntered` event type of a state type.
pub(crate) fn entered_type(kind: &StateKind) -> EventType {
    match kind {
        StateKind::Pass(_) => EventType::PassStateEntered,
        StateKind::Task(_) => EventType::TaskStateEntered,
        StateKind::Choice(_) => EventType::ChoiceStateEntered,
        StateKind::Wait(_) => EventType::WaitStateEntered,
        StateKind::Succeed(_) => EventType::SucceedStateEntered,
        StateKind::Fail(_) => EventType::FailStateEntered,
        StateKind::Parallel(_) => EventType::ParallelStateEntered,
        StateKind::Map(_) => EventType::MapStateEntered,
    }
}

/// The `...StateExited` event type of a state type (Fail states never exit).
pub(crate) fn exited_type(kind: &StateKind) -> EventType {
    match kind {
        StateKind::Pass(_) => EventType::PassStateExited,
        StateKind::Task(_) => EventType::TaskStateExited,
        StateKind::Choice(_) => EventType::ChoiceStateExited,
        StateKind::Wait(_) => EventType::WaitStateExited,
        StateKind::Succeed(_) | StateKind::Fail(_) => EventType::SucceedStateExited,
        StateKind::Parallel(_) => EventType::ParallelStateExited,
        StateKind::Map(_) => EventType::MapStateExited,
    }
}

/// The `...StateAborted` event type of a state type, where AWS has one.
pub(crate) fn aborted_type(kind: &StateKind) -> Option<EventType> {
    match kind {
        StateKind::Task(_) => Some(EventType::TaskStateAborted),
        StateKind::Wait(_) => Some(EventType::WaitStateAborted),
        StateKind::Parallel(_) => Some(EventType::ParallelStateAborted),
        StateKind::Map(_) => Some(EventType::MapStateAborted),
        _ => None,
    }
}
