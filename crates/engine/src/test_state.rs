//! TestState: one state evaluated on its own, as AWS's `TestState` action does it.
//!
//! A [`StateTest`] puts an execution inside the state under test (its input, the variables
//! given, the context object given or the one TestState builds) and runs the state's step
//! with the engine's own code: `run_state` for every type, `finish_with_result` for a
//! Task's, Map's or Parallel's result, `catch_output` for a catcher, and the Map's own
//! evaluation of its items, MaxConcurrency and tolerances. The output therefore cannot
//! differ from an execution's. It stops where an execution would leave the state: instead
//! of moving on, it reports the output and the next state, or the error and what the
//! state's retriers and catchers make of it:
//!
//! - a retrier matches and has attempts left (`retrier_retry_count` of its `MaxAttempts`
//!   used): `RETRIABLE`, with the retrier's index and backoff;
//! - otherwise a catcher matches: `CAUGHT_ERROR`, with the catcher's output and `Next`;
//! - otherwise `FAILED`.
//!
//! Nothing waits: a Wait state's timer is skipped. A Task's work is mocked, or handed to the
//! caller ([`TestStep::RunTask`]) who reports it back with [`StateTest::task_done`]. Map
//! and Parallel states are tested with a mock only: their iterations and branches are not
//! run, the mocked result is the state's result (as on AWS).
//!
//! The inspection data (AWS's `inspectionData`) are the values after each processing step.
//! Those the engine does not hand out (after InputPath, Parameters, ResultSelector and
//! ResultPath) are computed again with the same data flow functions, over a copy of the
//! execution's random stream taken where the engine's step began, so that intrinsics such
//! as `States.UUID()` give the values the engine's step gave. Which fields appear for
//! which state type is AWS's (recorded against AWS by LocalStack's TestState tests).

use std::sync::Arc;

use baton_asl::definition::state::{Map as MapState, MapCount, Pass, ResultPath, Transition};
use baton_asl::definition::{Catcher, Payload, QueryLanguage, Retrier, State, StateKind};
use baton_json::{Map, Str, Value};

use crate::dataflow::{At, evaluate, place_result, select};
use crate::effect::{Effect, TaskRequest};
use crate::error::Failure;
use crate::event::HistoryEvent;
use crate::execution::{Active, Execution, ExecutionInfo, Frame, FrameId, Pos, Sink, Step};
use crate::flow::Flow;
use crate::jsonata::{self, StatesVars};
use crate::program::{BranchId, Program};
use crate::scope::EvalScope;

/// The event id the state under test is entered at, as the first state of an execution
/// is (AWS's TestState value is not recorded).
const ENTERED_EVENT: u64 = 2;

/// `$$.State.Name` in TestState's context object, whatever the state's name (recorded:
/// also for a state of a whole machine named by `stateName`).
const CONTEXT_STATE_NAME: &str = "StateName";

/// AWS's cause of `States.ExceedToleratedFailureThreshold` (recorded).
const THRESHOLD_EXCEEDED: &str = "The specified tolerated failure threshold was exceeded";

/// A mocked outcome of the state's work.
#[derive(Debug, Clone)]
pub enum Mock {
    /// The work's result: a Task's service response, a Map's or Parallel's array.
    Result(Value),
    /// The work failed with this error and cause.
    Error(Failure),
}

/// What a test starts from, besides the state.
#[derive(Debug, Clone, Default)]
pub struct TestSetup {
    /// The state's input.
    pub input: Value,
    /// The variables visible to the state.
    pub variables: Map,
    /// The context object (`$$`); `None` for TestState's own.
    pub context: Option<Value>,
    /// The role the test runs as (`$$.Execution.RoleArn`, `null` when absent).
    pub role_arn: Option<Str>,
    /// The state's work, mocked.
    pub mock: Option<Mock>,
    /// Retries already made by the retrier that handles the error.
    pub retrier_retry_count: u32,
    /// Map iterations that failed.
    pub map_iteration_failure_count: Option<u64>,
    /// The items a Map's ItemReader read.
    pub map_item_reader_data: Option<Value>,
}

/// AWS's `TestExecutionStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestStatus {
    /// The state completed.
    Succeeded,
    /// The state failed and nothing handles the error.
    Failed,
    /// The state failed and a retrier would run it again.
    Retriable,
    /// The state failed and a catcher handles the error.
    CaughtError,
}

/// The data after each processing step (AWS's `inspectionData`); absent where AWS leaves
/// the field out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inspection {
    /// The state's input.
    pub input: Option<Value>,
    /// After InputPath (JSONPath).
    pub after_input_path: Option<Value>,
    /// After Parameters (JSONPath).
    pub after_parameters: Option<Value>,
    /// After Arguments (JSONata).
    pub after_arguments: Option<Value>,
    /// The work's result.
    pub result: Option<Value>,
    /// After ResultSelector (JSONPath).
    pub after_result_selector: Option<Value>,
    /// After ResultPath (JSONPath).
    pub after_result_path: Option<Value>,
    /// A Map's items, after ItemsPath (JSONPath).
    pub after_items_path: Option<Value>,
    /// A Map's iterations' inputs, after ItemSelector.
    pub after_item_selector: Option<Value>,
    /// A Map's MaxConcurrency (0: no limit).
    pub max_concurrency: Option<u64>,
    /// A Map's ToleratedFailureCount.
    pub tolerated_failure_count: Option<u64>,
    /// A Map's ToleratedFailurePercentage.
    pub tolerated_failure_percentage: Option<f64>,
    /// The variables after the state: those given and those it assigned.
    pub variables: Option<Map>,
    /// The index of the catcher that handled the error.
    pub catch_index: Option<usize>,
    /// The index of the retrier that matched the error.
    pub retry_index: Option<usize>,
    /// The backoff before the retry, in seconds.
    pub retry_backoff_seconds: Option<u64>,
}

/// What a test found.
#[derive(Debug, Clone, PartialEq)]
pub struct TestResult {
    /// How the state ended.
    pub status: TestStatus,
    /// The state's output (absent when it failed or is to be retried).
    pub output: Option<Value>,
    /// The state it goes to.
    pub next_state: Option<Str>,
    /// The error, when the state failed.
    pub failure: Option<Failure>,
    /// The data after each step.
    pub inspection: Inspection,
}

/// Where a test stands.
#[derive(Debug)]
pub enum TestStep {
    /// Finished.
    Done(Box<TestResult>),
    /// The Task's work is to be run: report its outcome with [`StateTest::task_done`].
    RunTask(TaskRequest),
}

/// One state under test.
#[derive(Debug)]
pub struct StateTest {
    exec: Execution,
    fid: FrameId,
    branch: BranchId,
    index: usize,
    setup: TestSetup,
    inspection: Inspection,
}

impl StateTest {
    /// A test of the state named `state_name`, wherever it is in `program` (nested
    /// branches included), with the names and time of `info`; `None` when there is no
    /// such state.
    pub fn new(
        program: Arc<Program>,
        state_name: &str,
        info: ExecutionInfo,
        setup: TestSetup,
    ) -> Option<StateTest> {
        let (branch, index) = locate(&program, state_name)?;
        let state = state_at(&program, branch, index);
        let context = match &setup.context {
            Some(given) => given.clone(),
            None => default_context(&info, state, &setup),
        };
        let now = info.start_time;
        let mut exec = Execution::new(Arc::clone(&program), info);
        exec.now = now;
        exec.record = false;
        let fid = exec.new_frame(Frame {
            branch,
            parent: None,
            vars: setup.variables.clone(),
            last_event: ENTERED_EVENT,
            silent: true,
            isolated: false,
            in_parallel: false,
            queued: false,
            given_context: Some(context),
            pos: Pos::In(Active {
                state: index,
                input: setup.input.clone(),
                entered_event: ENTERED_EVENT,
                entered_at: now,
                retries: Vec::new(),
                retry_count: setup.retrier_retry_count,
                step: Step::Run,
            }),
        });
        Some(StateTest {
            exec,
            fid,
            branch,
            index,
            setup,
            inspection: Inspection::default(),
        })
    }

    /// The state under test.
    pub fn state(&self) -> &State {
        state_at(&self.exec.program, self.branch, self.index)
    }

    /// Runs the state's step: the result, or the Task's work to run.
    pub fn start(&mut self) -> TestStep {
        let program = Arc::clone(&self.exec.program);
        let state = state_at(&program, self.branch, self.index);
        self.inspection.input = Some(self.setup.input.clone());
        let step = match &state.kind {
            StateKind::Task(_) => return self.start_task(state),
            StateKind::Map(map) => self.test_map(state, map),
            StateKind::Parallel(_) => self.test_parallel(state),
            StateKind::Pass(pass) => {
                self.inspect_pass(state, pass);
                let flow = self.run(state).0;
                if !matches!(flow, Flow::Exit { .. }) {
                    self.inspection.after_result_selector = None;
                    self.inspection.after_result_path = None;
                }
                self.conclude(state, flow)
            }
            _ => {
                self.inspect_input_path(state);
                let mut flow = self.run(state).0;
                if matches!(state.kind, StateKind::Wait(_)) && matches!(flow, Flow::Wait) {
                    // Wait states do not wait: carry on as when the timer fires.
                    self.exec.active_mut(self.fid).step = Step::Resume;
                    flow = self.run(state).0;
                }
                self.conclude(state, flow)
            }
        };
        TestStep::Done(Box::new(step))
    }

    /// The Task's work ended with `outcome`: the result.
    pub fn task_done(&mut self, outcome: Result<Value, Failure>) -> TestResult {
        let program = Arc::clone(&self.exec.program);
        let state = state_at(&program, self.branch, self.index);
        match &state.kind {
            StateKind::Task(task) => self.with_result(
                state,
                outcome,
                &task.result_selector,
                &task.result_path,
                true,
            ),
            _ => self.conclude(state, Flow::Wait),
        }
    }

    /// Runs the state's step in the engine.
    fn run(&mut self, state: &State) -> (Flow, Vec<Effect>) {
        let mut effects = Effects::default();
        let flow = self.exec.run_state(self.fid, state, &mut effects);
        (flow, effects.0)
    }

    fn start_task(&mut self, state: &State) -> TestStep {
        let jsonpath = state.query_language == QueryLanguage::JsonPath;
        self.inspect_input_path(state);
        let (flow, effects) = self.run(state);
        if !matches!(flow, Flow::Wait) {
            return TestStep::Done(Box::new(self.conclude(state, flow)));
        }
        let Some(request) = effects.into_iter().find_map(|e| match e {
            Effect::RunTask(r) => Some(r),
            _ => None,
        }) else {
            return TestStep::Done(Box::new(self.conclude(state, Flow::Wait)));
        };
        if jsonpath {
            self.inspection.after_parameters = Some(request.input.clone());
        } else {
            self.inspection.after_arguments = Some(request.input.clone());
        }
        match self.setup.mock.clone() {
            Some(Mock::Result(result)) => TestStep::Done(Box::new(self.task_done(Ok(result)))),
            Some(Mock::Error(failure)) => TestStep::Done(Box::new(self.task_done(Err(failure)))),
            None => TestStep::RunTask(request),
        }
    }

    /// A Task's, Map's or Parallel's work ended with `outcome`: its result through
    /// ResultSelector, ResultPath and OutputPath (or Output), or its error through the
    /// retriers and catchers.
    fn with_result(
        &mut self,
        state: &State,
        outcome: Result<Value, Failure>,
        selector: &Option<Payload>,
        result_path: &ResultPath,
        show_result: bool,
    ) -> TestResult {
        let result = match outcome {
            Ok(result) => result,
            Err(f) => return self.conclude(state, Flow::Fail(f)),
        };
        if show_result {
            self.inspection.result = Some(result.clone());
        }
        let mut rng = self.exec.rng;
        let flow =
            self.exec
                .finish_with_result(self.fid, state, result.clone(), selector, result_path);
        if state.query_language == QueryLanguage::JsonPath {
            let at = at(state);
            let mut scope = scope(&self.exec, self.fid, state, &mut rng);
            let selected = match selector {
                Some(s) => evaluate(s, &result, &mut scope, at).ok(),
                None => Some(result),
            };
            self.inspection.after_result_path = selected
                .clone()
                .and_then(|v| place_result(result_path, self.setup.input.clone(), v, at).ok());
            self.inspection.after_result_selector = selected;
        }
        self.conclude(state, flow)
    }

    fn test_parallel(&mut self, state: &State) -> TestResult {
        let StateKind::Parallel(parallel) = &state.kind else {
            return self.conclude(state, Flow::Wait);
        };
        // The engine evaluates InputPath and Parameters (or Arguments) and starts the
        // branches; they are not run: the mock is their result.
        let flow = self.run(state).0;
        if !matches!(flow, Flow::Wait) {
            return self.conclude(state, flow);
        }
        match self.setup.mock.clone() {
            Some(Mock::Result(result)) => self.with_result(
                state,
                Ok(result),
                &parallel.result_selector,
                &parallel.result_path,
                false,
            ),
            Some(Mock::Error(failure)) => self.conclude(state, Flow::Fail(failure)),
            None => self.conclude(state, Flow::Wait),
        }
    }

    fn test_map(&mut self, state: &State, map: &MapState) -> TestResult {
        let jsonata = state.query_language == QueryLanguage::Jsonata;
        let prepared = if map.item_reader.is_some() {
            self.reader_items(state, map)
        } else if jsonata {
            self.exec
                .items_and_limit_jsonata(self.fid, state, map)
                .map(|(input, items, limit)| (input, Some(items), limit))
                .map_err(Flow::EvaluationFailed)
        } else {
            self.exec
                .items_and_limit(self.fid, state, map)
                .map(|(input, items, limit)| (input, Some(items), limit))
                .map_err(Flow::Fail)
        };
        let (effective, items, limit) = match prepared {
            Ok(p) => p,
            Err(flow) => {
                self.inspect_input_path(state);
                return self.conclude(state, flow);
            }
        };
        if !jsonata {
            self.inspection.after_input_path = Some(effective.clone());
            self.inspection.after_items_path = items.clone();
        }
        self.inspection.max_concurrency = Some(limit);
        let tolerance = if jsonata {
            self.exec
                .tolerance_jsonata(self.fid, state, map, &effective)
                .map_err(Flow::EvaluationFailed)
        } else {
            self.exec
                .tolerance(self.fid, state, map, &effective)
                .map_err(Flow::Fail)
        };
        let (count, percentage) = match tolerance {
            Ok(t) => t,
            Err(flow) => return self.conclude(state, flow),
        };
        self.inspection.tolerated_failure_count = count;
        self.inspection.tolerated_failure_percentage = percentage;
        if let (Some(selector), Some(items)) = (&map.item_selector, &items) {
            self.inspection.after_item_selector =
                self.item_selector(state, selector, &effective, items);
        }
        // The iterations that failed (as configured) against the tolerances: AWS checks
        // them only when the state declares one (recorded: a Map without tolerances
        // succeeds whatever the count).
        if let Some(failed) = self.setup.map_iteration_failure_count
            && (count.is_some() || percentage.is_some())
        {
            let total = items
                .as_ref()
                .and_then(Value::as_array)
                .map(<[Value]>::len)
                .or_else(|| match &self.setup.mock {
                    Some(Mock::Result(r)) => r.as_array().map(<[Value]>::len),
                    _ => None,
                })
                .unwrap_or(0);
            let over_count = count.is_some_and(|c| failed > c);
            let over_percentage =
                percentage.is_some_and(|p| total > 0 && failed as f64 * 100.0 / total as f64 > p);
            if over_count || over_percentage {
                let f = Failure::new(
                    baton_asl::error_name::EXCEED_TOLERATED_FAILURE_THRESHOLD,
                    THRESHOLD_EXCEEDED,
                );
                return self.conclude(state, Flow::Fail(f));
            }
        }
        match self.setup.mock.clone() {
            Some(Mock::Result(result)) => self.with_result(
                state,
                Ok(result),
                &map.result_selector,
                &map.result_path,
                false,
            ),
            Some(Mock::Error(failure)) => self.conclude(state, Flow::Fail(failure)),
            None => self.conclude(state, Flow::Wait),
        }
    }

    /// A Map with an ItemReader: its effective input, the items given as read, and
    /// MaxConcurrency.
    fn reader_items(
        &mut self,
        state: &State,
        map: &MapState,
    ) -> Result<(Value, Option<Value>, u64), Flow> {
        let at = at(state);
        let exec = &mut self.exec;
        let mut scope = EvalScope::new(
            &exec.frames,
            self.fid,
            &exec.info,
            &mut exec.rng,
            &state.name,
        );
        scope.now = exec.now;
        let raw = self.setup.input.clone();
        let effective = if state.query_language == QueryLanguage::Jsonata {
            raw
        } else {
            select(&state.input_path, raw, &scope, at).map_err(Flow::Fail)?
        };
        let limit = match &map.max_concurrency {
            None => 0,
            Some(MapCount::Fixed(n)) => *n,
            Some(MapCount::Path(p)) => {
                let v = p
                    .eval(&effective, &scope)
                    .map_err(|e| Flow::Fail(at.runtime(e.invalid_path_cause(p.as_str()))))?;
                v.as_number().and_then(|n| n.as_u64()).ok_or_else(|| {
                    Flow::Fail(at.runtime(format!(
                        "The MaxConcurrencyPath field refers to value \"{}\" which is not a valid integer: {}",
                        v.to_json_string(),
                        p.as_str()
                    )))
                })?
            }
            Some(MapCount::Jsonata(e)) => {
                let states = StatesVars::input(effective.clone());
                jsonata::count(e, "MaxConcurrency", &mut scope, &states, at)
                    .map_err(Flow::EvaluationFailed)?
            }
        };
        Ok((effective, self.setup.map_item_reader_data.clone(), limit))
    }

    /// Each iteration's input after ItemSelector, as the engine makes it when it starts the
    /// iteration; `None` when one cannot be made (the iterations are not run).
    fn item_selector(
        &self,
        state: &State,
        selector: &Payload,
        effective: &Value,
        items: &Value,
    ) -> Option<Value> {
        let at = at(state);
        let mut rng = self.exec.rng;
        let mut out = Vec::new();
        for (index, item) in items.as_array()?.iter().enumerate() {
            let mut scope = scope(&self.exec, self.fid, state, &mut rng);
            scope.map_item = Some((index as u64, item));
            let value = match selector {
                Payload::Jsonata(t) => {
                    let states = StatesVars::input(effective.clone());
                    jsonata::template(t, "ItemSelector", &mut scope, &states, at).ok()?
                }
                jsonpath => evaluate(jsonpath, effective, &mut scope, at).ok()?,
            };
            out.push(value);
        }
        Some(Value::array(out))
    }

    /// A Pass state's steps (JSONPath): with `Result`, the result and where ResultPath puts
    /// it; without, InputPath, Parameters and ResultPath (AWS shows Parameters' value as
    /// the ResultSelector's too, and no result).
    fn inspect_pass(&mut self, state: &State, pass: &Pass) {
        if state.query_language != QueryLanguage::JsonPath {
            return;
        }
        let at = at(state);
        let raw = self.setup.input.clone();
        let mut rng = self.exec.rng;
        let mut scope = scope(&self.exec, self.fid, state, &mut rng);
        let i = &mut self.inspection;
        if let Some(result) = &pass.result {
            i.result = Some(result.clone());
            i.after_result_selector = Some(result.clone());
            i.after_result_path = place_result(&pass.result_path, raw, result.clone(), at).ok();
            return;
        }
        let Ok(effective) = select(&state.input_path, raw.clone(), &scope, at) else {
            return;
        };
        i.after_input_path = Some(effective.clone());
        let parameters = match &pass.parameters {
            Some(p) => evaluate(p, &effective, &mut scope, at).ok(),
            None => Some(effective),
        };
        i.after_result_path = parameters
            .clone()
            .and_then(|v| place_result(&pass.result_path, raw, v, at).ok());
        i.after_result_selector = parameters.clone();
        i.after_parameters = parameters;
    }

    /// The input after InputPath (JSONPath states).
    fn inspect_input_path(&mut self, state: &State) {
        if state.query_language != QueryLanguage::JsonPath {
            return;
        }
        let mut rng = self.exec.rng;
        let scope = scope(&self.exec, self.fid, state, &mut rng);
        self.inspection.after_input_path = select(
            &state.input_path,
            self.setup.input.clone(),
            &scope,
            at(state),
        )
        .ok();
    }

    /// The result of the state's step.
    fn conclude(&mut self, state: &State, flow: Flow) -> TestResult {
        match flow {
            Flow::Exit {
                output,
                next,
                assigned,
            } => {
                let next = next.or_else(|| match &state.transition {
                    Transition::Next(n) => Some(n.clone()),
                    Transition::End | Transition::Choice => None,
                });
                self.finish(TestStatus::Succeeded, Some(output), next, None, assigned)
            }
            Flow::Succeed { output } => {
                self.finish(TestStatus::Succeeded, Some(output), None, None, None)
            }
            Flow::FailFrame(f) => self.finish(TestStatus::Failed, None, None, Some(f), None),
            Flow::Fail(f) => self.failed(state, f),
            Flow::EvaluationFailed(e) => self.failed(state, e.failure),
            Flow::Wait => {
                // Map and Parallel without a mock (the caller refuses those), a Task whose
                // work was not asked for.
                let f = Failure::new(
                    baton_asl::error_name::RUNTIME,
                    format!("The state '{}' cannot be tested without a mock", state.name),
                );
                self.finish(TestStatus::Failed, None, None, Some(f), None)
            }
        }
    }

    /// The state failed with `f`: retry, catch, or fail.
    fn failed(&mut self, state: &State, f: Failure) -> TestResult {
        if f.is_terminal() {
            return self.finish(TestStatus::Failed, None, None, Some(f), None);
        }
        let (retriers, catchers) = handlers(&state.kind);
        if let Some((i, r)) = retriers
            .iter()
            .enumerate()
            .find(|(_, r)| r.matches(f.name()))
        {
            self.inspection.retry_index = Some(i);
            let attempt = u64::from(self.setup.retrier_retry_count);
            if attempt < r.max_attempts {
                self.inspection.retry_backoff_seconds = Some(r.delay_millis(attempt) / 1000);
                return self.finish(TestStatus::Retriable, None, None, Some(f), None);
            }
        }
        if let Some((i, c)) = catchers
            .iter()
            .enumerate()
            .find(|(_, c)| c.matches(f.name()))
        {
            return match self.exec.catch_output(self.fid, state, c, &f) {
                Ok((output, assigned)) => {
                    self.inspection.catch_index = Some(i);
                    let next = Some(c.next.clone());
                    self.finish(
                        TestStatus::CaughtError,
                        Some(output),
                        next,
                        Some(f),
                        assigned,
                    )
                }
                Err(Flow::EvaluationFailed(e)) => {
                    self.finish(TestStatus::Failed, None, None, Some(e.failure), None)
                }
                Err(Flow::Fail(g) | Flow::FailFrame(g)) => {
                    self.finish(TestStatus::Failed, None, None, Some(g), None)
                }
                Err(_) => self.finish(TestStatus::Failed, None, None, Some(f), None),
            };
        }
        self.finish(TestStatus::Failed, None, None, Some(f), None)
    }

    fn finish(
        &mut self,
        status: TestStatus,
        output: Option<Value>,
        next_state: Option<Str>,
        failure: Option<Failure>,
        assigned: Option<Map>,
    ) -> TestResult {
        let mut variables = self.setup.variables.clone();
        if let Some(assigned) = assigned {
            variables.extend(assigned);
        }
        let mut inspection = std::mem::take(&mut self.inspection);
        inspection.variables = (!variables.is_empty()).then_some(variables);
        TestResult {
            status,
            output,
            next_state,
            failure,
            inspection,
        }
    }
}

/// The name a single state is tested under: AWS's (recorded in its validation messages,
/// e.g. `at /States/StateName/Branches`).
pub const SINGLE_STATE_NAME: &str = "StateName";

/// The machine a single state's definition is tested in: the state as `StateName`, the
/// machine's start, and a Succeed state for each state it may go to (`Next`, a Choice's
/// rules and `Default`, a catcher's `Next`), so that the machine validates while the
/// state's transitions name states that are not there (TestState accepts those).
pub fn single_state_machine(state: &Value) -> Value {
    let mut targets: Vec<Str> = Vec::new();
    let mut add = |v: Option<&Value>| {
        if let Some(Value::String(name)) = v
            && &**name != SINGLE_STATE_NAME
            && !targets.contains(name)
        {
            targets.push(name.clone());
        }
    };
    add(state.get("Next"));
    add(state.get("Default"));
    for list in ["Choices", "Catch"] {
        for item in state
            .get(list)
            .and_then(Value::as_array)
            .unwrap_or_default()
        {
            add(item.get("Next"));
        }
    }
    let mut states = Map::with_capacity_and_hasher(1 + targets.len(), Default::default());
    states.insert(SINGLE_STATE_NAME.into(), state.clone());
    for name in targets {
        let mut succeed = Map::with_capacity_and_hasher(1, Default::default());
        succeed.insert("Type".into(), Value::from("Succeed"));
        states.insert(name, Value::object(succeed));
    }
    let mut machine = Map::with_capacity_and_hasher(2, Default::default());
    machine.insert("StartAt".into(), Value::from(SINGLE_STATE_NAME));
    machine.insert("States".into(), Value::object(states));
    Value::object(machine)
}

/// The state named `name` in `program`, nested branches included.
pub fn find_state<'p>(program: &'p Program, name: &str) -> Option<&'p State> {
    locate(program, name).map(|(branch, index)| state_at(program, branch, index))
}

/// The branch and index of the state named `name`.
fn locate(program: &Program, name: &str) -> Option<(BranchId, usize)> {
    (0..program.branch_count()).find_map(|b| {
        let id = BranchId(b as u32);
        program.index_of(id, name).map(|i| (id, i))
    })
}

fn state_at(program: &Program, branch: BranchId, index: usize) -> &State {
    program
        .branch(branch)
        .states
        .get_index(index)
        .map(|(_, s)| s)
        .expect("located states exist")
}

fn at(state: &State) -> At<'_> {
    At {
        state: &state.name,
        entered_event: ENTERED_EVENT,
    }
}

/// A scope of the state under test over the random stream `rng` (a copy of the
/// execution's, so that evaluating again does not change what the engine draws).
fn scope<'a>(
    exec: &'a Execution,
    fid: FrameId,
    state: &'a State,
    rng: &'a mut u64,
) -> EvalScope<'a> {
    let mut scope = EvalScope::new(&exec.frames, fid, &exec.info, rng, &state.name);
    scope.now = exec.now;
    scope
}

/// The retriers and catchers of a state.
fn handlers(kind: &StateKind) -> (&[Retrier], &[Catcher]) {
    match kind {
        StateKind::Task(t) => (&t.retry, &t.catch),
        StateKind::Parallel(p) => (&p.retry, &p.catch),
        StateKind::Map(m) => (&m.retry, &m.catch),
        _ => (&[], &[]),
    }
}

/// The context object TestState gives a state when none is given (recorded): the
/// execution's ID, input, name, role (`null` without one) and start time, the state
/// machine's ID and name, and the state as `StateName` with its entered time and, for
/// states that retry, `RetryCount`.
fn default_context(info: &ExecutionInfo, state: &State, setup: &TestSetup) -> Value {
    let mut execution = Map::with_capacity_and_hasher(5, Default::default());
    execution.insert("Id".into(), Value::String(info.execution_arn.clone()));
    execution.insert("Input".into(), setup.input.clone());
    execution.insert("Name".into(), Value::String(info.name.clone()));
    execution.insert(
        "RoleArn".into(),
        setup.role_arn.clone().map_or(Value::Null, Value::String),
    );
    execution.insert(
        "StartTime".into(),
        Value::from(info.start_time.to_rfc3339()),
    );
    let mut machine = Map::with_capacity_and_hasher(2, Default::default());
    machine.insert("Id".into(), Value::String(info.state_machine_arn.clone()));
    machine.insert(
        "Name".into(),
        Value::String(info.state_machine_name.clone()),
    );
    let mut st = Map::with_capacity_and_hasher(3, Default::default());
    st.insert("Name".into(), Value::from(CONTEXT_STATE_NAME));
    st.insert(
        "EnteredTime".into(),
        Value::from(info.start_time.to_rfc3339()),
    );
    if matches!(
        state.kind,
        StateKind::Task(_) | StateKind::Map(_) | StateKind::Parallel(_)
    ) {
        st.insert(
            "RetryCount".into(),
            Value::from(u64::from(setup.retrier_retry_count)),
        );
    }
    let mut ctx = Map::with_capacity_and_hasher(3, Default::default());
    ctx.insert("Execution".into(), Value::object(execution));
    ctx.insert("StateMachine".into(), Value::object(machine));
    ctx.insert("State".into(), Value::object(st));
    Value::object(ctx)
}

/// Collects the effects of a step (a Task's request); events are not kept.
#[derive(Default)]
struct Effects(Vec<Effect>);

impl Sink for Effects {
    fn event(&mut self, _event: HistoryEvent) {}
    fn effect(&mut self, effect: Effect) {
        self.0.push(effect);
    }
    fn records_events(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests;
