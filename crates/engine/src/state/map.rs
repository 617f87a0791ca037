//! Map: runs its item processor once per item, at most MaxConcurrency at a time; the
//! output is the array of the iterations' outputs. Inline iterations are part of the
//! history; distributed ones run as a Map Run whose child executions are not. Entered
//! again on a redrive, it reruns only the iterations that failed, were aborted or had not
//! started (a distributed one redrives its Map Run).

use baton_asl::definition::state::{Map, MapCount, ProcessorMode, Tolerance};
use baton_asl::definition::{Payload, QueryLanguage, State};
use baton_json::{Str, Value};

use crate::dataflow::{At, evaluate, select};
use crate::effect::{Effect, MapRunReport, MapRunStatus, RunCounts};
use crate::error::Failure;
use crate::event::{Details, EventType};
use crate::execution::{Execution, FrameId, Sink, Step};
use crate::flow::Flow;
use crate::jsonata::{self, EvalFailure, StatesVars};
use crate::scope::{EvalScope, next_random};
use crate::state::children::{Children, Items, MapRun};
use crate::state::map_dataset::{Dataset, SetupError, transform, written_output};

impl Execution {
    pub(crate) fn run_map(
        &mut self,
        fid: FrameId,
        state: &State,
        map: &Map,
        sink: &mut impl Sink,
    ) -> Flow {
        if self.resume_kept(fid) == Some(true) {
            self.redrive_map(fid, sink);
        }
        let active = self.active(fid);
        if matches!(active.step, Step::Run | Step::Resume)
            && let Err(flow) = self.start_map(fid, state, map, sink)
        {
            return flow;
        }
        let state_index = self.active(fid).state;
        let branch = self.frame(fid).branch;
        let Some(c) = self.children_mut(fid) else {
            return Flow::Wait;
        };
        let distributed = c.map.as_ref().is_some_and(|m| m.distributed);
        if c.map
            .as_ref()
            .is_some_and(|m| m.dataset.writing.is_some() && m.dataset.final_write)
        {
            return Flow::Wait;
        }
        if c.failure.is_none()
            && let Some(m) = c.map.as_ref()
            && m.items.complete
            && m.over_percentage(c.total)
        {
            // Failures tolerated while the total was not known yet are too many of it.
            c.failure = Some(Failure::new(
                baton_asl::error_name::EXCEED_TOLERATED_FAILURE_THRESHOLD,
                "The specified tolerated failure threshold was exceeded",
            ));
            self.abort_children(fid, sink);
            return Flow::Wait;
        }
        let wants_page = c.failure.is_none()
            && c.map.as_ref().is_some_and(|m| {
                !m.items.complete
                    && m.dataset.reading.is_none()
                    && c.total - c.next < c.limit.min(10_000)
            });
        if wants_page && let Some(f) = self.request_items(fid, state, sink) {
            if let Some(c) = self.children_mut(fid) {
                c.failure = Some(f);
            }
            self.push_ready(fid);
            return Flow::Wait;
        }
        if distributed {
            // Results written out part by part as children end.
            self.request_write(fid, state, false, sink);
        }
        let Some(c) = self.children_mut(fid) else {
            return Flow::Wait;
        };
        if c.failure.is_some() {
            if c.running() > 0 {
                return Flow::Wait;
            }
            // The iterations stay with the state: a redrive resumes the failed ones.
            c.keep_unresumed();
            let f = c.failure.take().unwrap_or_default();
            if distributed {
                self.report_map_run(fid, MapRunStatus::Failed, sink);
                let (error, cause) = (f.error.clone(), f.cause.clone());
                self.emit(
                    fid,
                    EventType::MapRunFailed,
                    || Details::Failure {
                        error,
                        cause,
                        resource: None,
                    },
                    sink,
                );
            }
            return Flow::Fail(f);
        }
        if c.running() < c.limit
            && let Some(&index) = c.resume.keys().next()
        {
            if !distributed {
                let name = state.name.clone();
                self.emit(
                    fid,
                    EventType::MapIterationStarted,
                    || Details::MapIteration {
                        name,
                        index: u64::from(index),
                    },
                    sink,
                );
            }
            self.resume_child(fid);
            return Flow::Wait;
        }
        if c.next < c.total && c.running() < c.limit {
            let index = c.next;
            c.next += 1;
            let input = match self.child_input(fid, state, map, index) {
                Ok(v) => v,
                Err(flow) => {
                    self.active_mut(fid).step = Step::Run;
                    return flow;
                }
            };
            if !distributed {
                let name = state.name.clone();
                self.emit(
                    fid,
                    EventType::MapIterationStarted,
                    || Details::MapIteration {
                        name,
                        index: index as u64,
                    },
                    sink,
                );
            }
            let now = self.now;
            if let Some(c) = self.children_mut(fid)
                && let Some(m) = c.map.as_mut()
            {
                m.dataset.child_started(index, &input, now);
                // The items of children started are theirs now.
                let next = m.dataset.range(c.next, m.items.received()).0;
                m.items.forget_before(next);
            }
            let child_branch = self.program.child(branch, state_index, 0);
            self.start_child(fid, index, child_branch, input, distributed, false);
            self.map_run_changed(fid);
            return Flow::Wait;
        }
        if c.running() > 0
            || c.map.as_ref().is_some_and(|m| {
                !m.items.complete || m.dataset.reading.is_some() || m.dataset.writing.is_some()
            })
        {
            return Flow::Wait;
        }
        if distributed && self.request_write(fid, state, true, sink) {
            return Flow::Wait;
        }
        let Some(c) = self.children_mut(fid) else {
            return Flow::Wait;
        };
        let results = std::mem::take(&mut c.results);
        let output = match c.map.as_mut() {
            Some(m) if m.distributed => match m.dataset.written.take() {
                Some(details) => written_output(m.map_run_arn.as_ref(), details),
                None => transform(results, &mut m.dataset, m.map_run_arn.as_ref()),
            },
            _ => Value::array(results),
        };
        if distributed {
            self.report_map_run(fid, MapRunStatus::Succeeded, sink);
        }
        // Done with the iterations (should the state still fail, it runs again as a whole).
        self.active_mut(fid).step = Step::Run;
        if distributed {
            self.emit(fid, EventType::MapRunSucceeded, || Details::None, sink);
        }
        self.emit(fid, EventType::MapStateSucceeded, || Details::None, sink);
        self.finish_with_result(fid, state, output, &map.result_selector, &map.result_path)
    }

    /// The input of child `index`: its item (or its batch of items), through ItemSelector.
    fn child_input(
        &mut self,
        fid: FrameId,
        state: &State,
        map: &Map,
        index: usize,
    ) -> Result<Value, Flow> {
        let Some(c) = self.children_mut(fid) else {
            return Ok(Value::Null);
        };
        let effective = c.input.clone();
        let Some(m) = c.map.as_ref() else {
            return Ok(Value::Null);
        };
        if m.dataset.batcher.is_none() {
            let item = m.items.get(index).cloned().unwrap_or_default();
            return self.select_item(fid, state, map, index, item, &effective);
        }
        let (start, end) = m.dataset.range(index, m.items.received());
        let items: Vec<Value> = m.items.from(start).take(end - start).cloned().collect();
        let mut selected = Vec::with_capacity(items.len());
        for (i, item) in (start..end).zip(items) {
            selected.push(self.select_item(fid, state, map, i, item, &effective)?);
        }
        Ok(self
            .children_mut(fid)
            .and_then(|c| c.map.as_ref())
            .map(|m| m.dataset.batch_input(selected))
            .unwrap_or_default())
    }

    /// One item through ItemSelector (as it is without one).
    fn select_item(
        &mut self,
        fid: FrameId,
        state: &State,
        map: &Map,
        index: usize,
        item: Value,
        effective: &Value,
    ) -> Result<Value, Flow> {
        match &map.item_selector {
            Some(Payload::Jsonata(t)) => {
                let (_, at, mut scope) = self.state_env(fid, state);
                scope.map_item = Some((index as u64, &item));
                let states = StatesVars::input(effective.clone());
                jsonata::template(t, "ItemSelector", &mut scope, &states, at)
                    .map_err(Flow::EvaluationFailed)
            }
            Some(selector) => {
                let at = At {
                    state: &state.name,
                    entered_event: self.active(fid).entered_event,
                };
                let mut scope =
                    EvalScope::new(&self.frames, fid, &self.info, &mut self.rng, &state.name);
                scope.map_item = Some((index as u64, &item));
                evaluate(selector, effective, &mut scope, at).map_err(Flow::Fail)
            }
            None => Ok(item),
        }
    }

    /// A Map state entered again on a redrive, its iterations kept: MapStateStarted, and
    /// MapRunRedriven for a distributed one.
    fn redrive_map(&mut self, fid: FrameId, sink: &mut impl Sink) {
        let Some(c) = self.children_mut(fid) else {
            return;
        };
        let length = c.total as u64;
        let run = c.map.as_mut().filter(|m| m.distributed).map(|m| {
            m.redrive_count += 1;
            (m.map_run_arn.clone().unwrap_or_default(), m.redrive_count)
        });
        self.emit(
            fid,
            EventType::MapStateStarted,
            || Details::MapStateStarted { length },
            sink,
        );
        if let Some((map_run_arn, redrive_count)) = run {
            self.emit(
                fid,
                EventType::MapRunRedriven,
                || Details::MapRunRedriven {
                    map_run_arn,
                    redrive_count,
                },
                sink,
            );
        }
    }

    /// Reads the items and limits, emits MapStateStarted (and MapRunStarted), and sets
    /// up the iterations.
    fn start_map(
        &mut self,
        fid: FrameId,
        state: &State,
        map: &Map,
        sink: &mut impl Sink,
    ) -> Result<(), Flow> {
        let (effective, items, limit) = if state.query_language == QueryLanguage::Jsonata {
            self.items_and_limit_jsonata(fid, state, map)
                .map_err(Flow::EvaluationFailed)?
        } else {
            self.items_and_limit(fid, state, map).map_err(Flow::Fail)?
        };
        let total = items.as_array().map_or(0, <[Value]>::len);
        self.emit(
            fid,
            EventType::MapStateStarted,
            || Details::MapStateStarted {
                length: total as u64,
            },
            sink,
        );
        let (tolerated_count, tolerated_percentage) =
            if state.query_language == QueryLanguage::Jsonata {
                self.tolerance_jsonata(fid, state, map, &effective)
                    .map_err(Flow::EvaluationFailed)?
            } else {
                self.tolerance(fid, state, map, &effective)
                    .map_err(Flow::Fail)?
            };
        let distributed = map.mode == ProcessorMode::Distributed;
        let mut dataset = if distributed {
            self.dataset(fid, state, map, &effective)
                .map_err(|e| match e {
                    SetupError::Fail(f) => Flow::Fail(f),
                    SetupError::Eval(e) => Flow::EvaluationFailed(e),
                })?
        } else {
            Dataset::default()
        };
        let items = if map.item_reader.is_some() && distributed {
            Items::default()
        } else {
            Items::all(&items)
        };
        dataset.batch_more(0, items.from(0));
        let children = dataset.children(items.received(), items.complete);
        let map_run_arn = distributed.then(|| self.map_run_arn(state, map));
        if let Some(arn) = &map_run_arn {
            let map_run_arn = arn.clone();
            self.emit(
                fid,
                EventType::MapRunStarted,
                || Details::MapRunStarted { map_run_arn },
                sink,
            );
        }
        let limit_given = limit;
        let limit = concurrency(limit, distributed);
        let run = MapRun {
            items,
            name: state.name.clone(),
            tolerated_count,
            tolerated_percentage,
            failed: 0,
            distributed,
            map_run_arn,
            redrive_count: 0,
            started: self.now,
            succeeded: 0,
            aborted: 0,
            items_succeeded: 0,
            items_failed: 0,
            items_aborted: 0,
            dirty: false,
            max_concurrency: limit_given,
            dataset,
        };
        self.active_mut(fid).step = Step::Children(Box::new(Children::new(
            children,
            limit,
            effective,
            Some(run),
        )));
        if let Some(f) = self.request_items(fid, state, sink)
            && let Some(c) = self.children_mut(fid)
        {
            c.failure = Some(f);
        }
        self.map_run_changed(fid);
        Ok(())
    }

    /// JSONPath: the effective input, the items (ItemsPath) and MaxConcurrency(Path).
    pub(crate) fn items_and_limit(
        &mut self,
        fid: FrameId,
        state: &State,
        map: &Map,
    ) -> Result<(Value, Value, u64), Failure> {
        let (raw, at, scope) = self.state_env(fid, state);
        let effective = select(&state.input_path, raw, &scope, at)?;
        let items = match &map.items_path {
            // The items come from the reader (AWS ignores ItemsPath then).
            _ if map.item_reader.is_some() => Value::array(Vec::new()),
            Some(p) => p
                .eval(&effective, &scope)
                .map_err(|e| at.runtime(e.invalid_path_cause(p.as_str())))?,
            None => effective.clone(),
        };
        if !items.is_array() {
            return Err(at.runtime(format!(
                "Map state input must be an array but was: {}",
                items.to_json_string()
            )));
        }
        let limit = match &map.max_concurrency {
            None | Some(MapCount::Jsonata(_)) => 0,
            Some(MapCount::Fixed(n)) => *n,
            Some(MapCount::Path(p)) => {
                let v = p
                    .eval(&effective, &scope)
                    .map_err(|e| at.runtime(e.invalid_path_cause(p.as_str())))?;
                integer(&v).and_then(|n| u64::try_from(n).ok()).ok_or_else(|| {
                    at.runtime(format!(
                        "The MaxConcurrencyPath field refers to value \"{}\" which is not a valid integer: {}",
                        shown(&v),
                        p.as_str()
                    ))
                })?
            }
        };
        Ok((effective, items, limit))
    }

    /// JSONata: the input, the items (`Items`, or the input) and MaxConcurrency.
    pub(crate) fn items_and_limit_jsonata(
        &mut self,
        fid: FrameId,
        state: &State,
        map: &Map,
    ) -> Result<(Value, Value, u64), EvalFailure> {
        let (raw, at, mut scope) = self.state_env(fid, state);
        let states = StatesVars::input(raw.clone());
        let items = match &map.items {
            _ if map.item_reader.is_some() => Value::array(Vec::new()),
            Some(Payload::Jsonata(t)) => {
                let items = jsonata::template(t, "Items", &mut scope, &states, at)?;
                if !items.is_array() {
                    let text = t
                        .template()
                        .expression()
                        .map(|e| e.text().to_owned())
                        .unwrap_or_default();
                    return Err(at.query_error(
                        jsonata::unexpected_type(&text, "Items", "array", &items),
                        "Items",
                    ));
                }
                items
            }
            _ => raw.clone(),
        };
        if !items.is_array() {
            return Err(at.query_error(
                format!(
                    "Map state input must be an array but was: {}",
                    items.to_json_string()
                ),
                "Items",
            ));
        }
        let limit = match &map.max_concurrency {
            Some(MapCount::Fixed(n)) => *n,
            Some(MapCount::Jsonata(e)) => {
                jsonata::count(e, "MaxConcurrency", &mut scope, &states, at)?
            }
            _ => 0,
        };
        Ok((raw, items, limit))
    }

    /// JSONPath: ToleratedFailureCount(Path) and ToleratedFailurePercentage(Path).
    pub(crate) fn tolerance(
        &mut self,
        fid: FrameId,
        state: &State,
        map: &Map,
        effective: &Value,
    ) -> Result<(Option<u64>, Option<f64>), Failure> {
        let (_, at, scope) = self.state_env(fid, state);
        let count = match &map.tolerated_failure_count {
            None | Some(MapCount::Jsonata(_)) => None,
            Some(MapCount::Fixed(n)) => Some(*n),
            Some(MapCount::Path(p)) => {
                let v = p
                    .eval(effective, &scope)
                    .map_err(|e| at.runtime(e.invalid_path_cause(p.as_str())))?;
                let n = integer(&v).ok_or_else(|| {
                    at.runtime(format!(
                        "The ToleratedFailureCountPath field refers to value \"{}\" which is not a valid integer: {}",
                        shown(&v),
                        p.as_str()
                    ))
                })?;
                Some(
                    u64::try_from(n)
                        .map_err(|_| at.runtime("ToleratedFailureCount cannot be negative."))?,
                )
            }
        };
        let percentage = match &map.tolerated_failure_percentage {
            None | Some(Tolerance::Jsonata(_)) => None,
            Some(Tolerance::Fixed(p)) => Some(*p),
            Some(Tolerance::Path(p)) => {
                let v = p
                    .eval(effective, &scope)
                    .map_err(|e| at.runtime(e.invalid_path_cause(p.as_str())))?;
                let pct = float(&v).ok_or_else(|| {
                    at.runtime(format!(
                        "The ToleratedFailurePercentagePath field refers to value \"{}\" which is not a valid float: {}",
                        shown(&v),
                        p.as_str()
                    ))
                })?;
                if !(0.0..=100.0).contains(&pct) {
                    return Err(at.runtime("ToleratedFailurePercentage must be between 0 and 100."));
                }
                Some(pct)
            }
        };
        Ok((count, percentage))
    }

    /// JSONata: ToleratedFailureCount and ToleratedFailurePercentage, fixed or computed.
    pub(crate) fn tolerance_jsonata(
        &mut self,
        fid: FrameId,
        state: &State,
        map: &Map,
        input: &Value,
    ) -> Result<(Option<u64>, Option<f64>), EvalFailure> {
        let (_, at, mut scope) = self.state_env(fid, state);
        let states = StatesVars::input(input.clone());
        let count = match &map.tolerated_failure_count {
            Some(MapCount::Fixed(n)) => Some(*n),
            Some(MapCount::Jsonata(e)) => Some(jsonata::count(
                e,
                "ToleratedFailureCount",
                &mut scope,
                &states,
                at,
            )?),
            _ => None,
        };
        let percentage = match &map.tolerated_failure_percentage {
            Some(Tolerance::Fixed(p)) => Some(*p),
            Some(Tolerance::Jsonata(e)) => {
                let field = "ToleratedFailurePercentage";
                let v = jsonata::expr(e, field, &mut scope, &states, at)?;
                match v.as_f64() {
                    Some(p) if (0.0..=100.0).contains(&p) => Some(p),
                    _ => {
                        return Err(at.query_error(
                            jsonata::unexpected_type(e.text(), field, "number", &v),
                            field,
                        ));
                    }
                }
            }
            _ => None,
        };
        Ok((count, percentage))
    }

    /// `arn:aws:states:REGION:ACCOUNT:mapRun:MACHINE/LABEL:ID`.
    /// Notes that frame `fid`'s Map Run changed: it is reported at the end of the step
    /// (once however many of its iterations changed).
    pub(crate) fn map_run_changed(&mut self, fid: FrameId) {
        let Some(m) = self
            .children_mut(fid)
            .and_then(|c| c.map.as_mut())
            .filter(|m| m.distributed && !m.dirty)
        else {
            return;
        };
        m.dirty = true;
        self.dirty_map_runs.push(fid);
    }

    /// Reports the Map Runs that changed in this step.
    pub(crate) fn report_changed_map_runs(&mut self, sink: &mut impl Sink) {
        for fid in std::mem::take(&mut self.dirty_map_runs) {
            if self.frame_exists(fid) {
                self.report_map_run(fid, MapRunStatus::Running, sink);
            }
        }
    }

    /// Reports frame `fid`'s Map Run as `status` (ended unless RUNNING).
    pub(crate) fn report_map_run(
        &mut self,
        fid: FrameId,
        status: MapRunStatus,
        sink: &mut impl Sink,
    ) {
        let now = self.now;
        let Some(c) = self.children_mut(fid) else {
            return;
        };
        let (total, running) = (c.total as u64, c.live.len() as u64);
        let live: Vec<u32> = c.live.keys().copied().collect();
        let Some(m) = c.map.as_mut().filter(|m| m.distributed) else {
            return;
        };
        m.dirty = false;
        let Some(arn) = m.map_run_arn.clone() else {
            return;
        };
        let aborted = status == MapRunStatus::Aborted;
        let live_items: u64 = live.iter().map(|&s| m.child_items(s)).sum();
        let executions = RunCounts::of(total, running, m.succeeded, m.failed, m.aborted, aborted);
        let items = RunCounts::of(
            m.items.received() as u64,
            live_items,
            m.items_succeeded,
            m.items_failed,
            m.items_aborted,
            aborted,
        );
        sink.effect(Effect::MapRun(Box::new(MapRunReport {
            arn,
            status,
            started: m.started,
            stopped: (status != MapRunStatus::Running).then_some(now),
            max_concurrency: m.max_concurrency,
            tolerated_failure_count: m.tolerated_count.unwrap_or(0),
            tolerated_failure_percentage: m.tolerated_percentage.unwrap_or(0.0),
            executions,
            items,
        })));
    }

    /// [`Input::UpdateMapRun`](crate::Input::UpdateMapRun): new limits for a running Map
    /// Run; more iterations start at once if the limit went up.
    pub(crate) fn update_map_run(
        &mut self,
        arn: &str,
        max_concurrency: Option<u64>,
        tolerated_count: Option<u64>,
        tolerated_percentage: Option<f64>,
    ) {
        let found = self
            .frames
            .iter()
            .enumerate()
            .find_map(|(i, f)| match &f.as_ref()?.pos {
                crate::execution::Pos::In(a) => match &a.step {
                    Step::Children(c)
                        if c.map.as_ref().is_some_and(|m| {
                            m.distributed && m.map_run_arn.as_deref() == Some(arn)
                        }) =>
                    {
                        Some(i as FrameId)
                    }
                    _ => None,
                },
                _ => None,
            });
        let Some(fid) = found else {
            return;
        };
        if let Some(c) = self.children_mut(fid) {
            if let Some(n) = max_concurrency {
                c.limit = concurrency(n, true);
            }
            if let Some(m) = &mut c.map {
                if let Some(n) = max_concurrency {
                    m.max_concurrency = n;
                }
                if tolerated_count.is_some() {
                    m.tolerated_count = tolerated_count;
                }
                if tolerated_percentage.is_some() {
                    m.tolerated_percentage = tolerated_percentage;
                }
            }
        }
        self.map_run_changed(fid);
        self.push_ready(fid);
    }

    fn map_run_arn(&mut self, state: &State, map: &Map) -> Str {
        let base = self
            .info
            .state_machine_arn
            .replacen(":stateMachine:", ":mapRun:", 1);
        let label = map.label.as_deref().unwrap_or(&state.name);
        let a = next_random(&mut self.rng);
        let b = next_random(&mut self.rng);
        Str::from(format!(
            "{base}/{label}:{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            (a >> 32) as u32,
            (a >> 16) as u16,
            a as u16,
            (b >> 48) as u16,
            b & 0xffff_ffff_ffff
        ))
    }
}

/// How many iterations run at once for MaxConcurrency `given`: all of them when it is 0,
/// except in a distributed Map, which runs at most 10,000 child executions at once, as
/// AWS does.
fn concurrency(given: u64, distributed: bool) -> usize {
    match given {
        0 if distributed => DISTRIBUTED_CONCURRENCY,
        0 => usize::MAX,
        n => usize::try_from(n).unwrap_or(usize::MAX),
    }
}

/// A distributed Map's child executions running at once when MaxConcurrency is not given.
const DISTRIBUTED_CONCURRENCY: usize = 10_000;

/// An integer as AWS reads these fields: a JSON integer, or a string holding one.
fn integer(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A number as AWS reads percentage fields: a JSON number, or a string holding one.
fn float(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => Some(n.as_f64()),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}

/// A value as AWS quotes it in these messages: strings without their JSON quotes.
fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        other => other.to_json_string(),
    }
}
