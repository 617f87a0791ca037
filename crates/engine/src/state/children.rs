//! Child frames of a Parallel or Map state: starting them one at a time, collecting what
//! they end with, and aborting the rest when one fails.
//!
//! Children that fail or are aborted are kept (`halted`) until the state is done with
//! them: if the state ends the execution, a redrive resumes just those (`resume`), the
//! others keeping their results.

use std::collections::BTreeMap;

use baton_json::{Str, Value};

use crate::effect::Effect;
use crate::error::Failure;
use crate::event::{Details, EventType};
use crate::execution::{Execution, Frame, FrameId, Pos, Sink, Step, aborted_type, reentry};

/// The children of a Parallel or Map state.
#[derive(Debug)]
pub(crate) struct Children {
    /// Map-specific bookkeeping; `None` for Parallel.
    pub(crate) map: Option<MapRun>,
    /// Parallel: each branch's input. Map: the effective input (`$` of ItemSelector).
    pub(crate) input: Value,
    /// Running children by slot (branch or item index).
    pub(crate) live: BTreeMap<u32, FrameId>,
    /// Outputs by slot.
    pub(crate) results: Vec<Value>,
    /// Children to run in all.
    pub(crate) total: usize,
    /// The next slot to start.
    pub(crate) next: usize,
    /// How many may run at once.
    pub(crate) limit: usize,
    /// Set once the state has failed; the remaining children are aborted.
    pub(crate) failure: Option<Failure>,
    /// Children that failed or were aborted, as they stopped, by slot (their `parent`
    /// is stale): what a redrive resumes.
    pub(crate) halted: BTreeMap<u32, Frame>,
    /// On a redrive: halted children still to resume, before the children never
    /// started.
    pub(crate) resume: BTreeMap<u32, Frame>,
}

/// A Map's items: all of them (from its input), or, as an ItemReader's pages come in, a
/// window of them: the items of children not started yet.
#[derive(Debug, Default)]
pub(crate) struct Items {
    /// The index of `window[0]` among all the items.
    base: usize,
    window: std::collections::VecDeque<Value>,
    /// Every item is known (the last page came in).
    pub(crate) complete: bool,
}

impl Items {
    /// Every item at once.
    pub(crate) fn all(items: &Value) -> Items {
        Items {
            base: 0,
            window: items
                .as_array()
                .map(|a| a.iter().cloned().collect())
                .unwrap_or_default(),
            complete: true,
        }
    }

    /// Items known so far (read, for a reader).
    pub(crate) fn received(&self) -> usize {
        self.base + self.window.len()
    }

    /// Item `i`, while it is in the window.
    pub(crate) fn get(&self, i: usize) -> Option<&Value> {
        self.window.get(i.checked_sub(self.base)?)
    }

    /// Items `first..` in the window.
    pub(crate) fn from(&self, first: usize) -> impl Iterator<Item = &Value> {
        self.window
            .range(first.saturating_sub(self.base).min(self.window.len())..)
    }

    /// A page of items come in.
    pub(crate) fn extend(&mut self, page: impl IntoIterator<Item = Value>) {
        self.window.extend(page);
    }

    /// Lets go of the items before `i` (their children have started).
    pub(crate) fn forget_before(&mut self, i: usize) {
        while self.base < i && self.window.pop_front().is_some() {
            self.base += 1;
        }
    }
}

/// What a Map state keeps about its iterations.
#[derive(Debug)]
pub(crate) struct MapRun {
    /// The items.
    pub(crate) items: Items,
    /// The Map state's name (for iteration events).
    pub(crate) name: Str,
    /// Iterations may fail this many times...
    pub(crate) tolerated_count: Option<u64>,
    /// ...or this percentage of the items, before the state fails.
    pub(crate) tolerated_percentage: Option<f64>,
    /// Iterations that failed so far.
    pub(crate) failed: u64,
    /// Distributed mode: iterations run as (silent) child executions of a Map Run.
    pub(crate) distributed: bool,
    /// The Map Run's ARN (distributed mode).
    pub(crate) map_run_arn: Option<Str>,
    /// How many times the Map Run was redriven.
    pub(crate) redrive_count: u32,
    /// When the Map Run started (distributed mode).
    pub(crate) started: crate::time::Millis,
    /// Iterations that succeeded so far.
    pub(crate) succeeded: u64,
    /// Iterations aborted so far.
    pub(crate) aborted: u64,
    /// Changed since its last report (distributed mode).
    pub(crate) dirty: bool,
    /// MaxConcurrency as given (0: none; a distributed Map then runs 10,000 at once).
    pub(crate) max_concurrency: u64,
    /// What a distributed Map reads, batches and writes.
    pub(crate) dataset: crate::state::map_dataset::Dataset,
    /// Items (not children: a batch is several) that succeeded, failed, were aborted.
    pub(crate) items_succeeded: u64,
    pub(crate) items_failed: u64,
    pub(crate) items_aborted: u64,
}

impl MapRun {
    /// How many items child `slot` runs: its batch's, or one.
    pub(crate) fn child_items(&self, slot: u32) -> u64 {
        let (start, end) = self.dataset.range(slot as usize, self.items.received());
        end.saturating_sub(start) as u64
    }

    /// More children failed than ToleratedFailurePercentage allows of `total`.
    pub(crate) fn over_percentage(&self, total: usize) -> bool {
        self.tolerated_percentage.is_some_and(|p| {
            self.tolerated_count.is_none_or(|n| self.failed > n)
                && (self.failed as f64) * 100.0 / (total.max(1) as f64) > p
        })
    }
}

impl Children {
    pub(crate) fn new(total: usize, limit: usize, input: Value, map: Option<MapRun>) -> Children {
        Children {
            map,
            input,
            live: BTreeMap::new(),
            results: vec![Value::Null; total],
            total,
            next: 0,
            limit: limit.max(1),
            failure: None,
            halted: BTreeMap::new(),
            resume: BTreeMap::new(),
        }
    }

    pub(crate) fn running(&self) -> usize {
        self.live.len()
    }

    /// Gets kept children ready for a redrive: the halted ones are to be resumed, and
    /// failures are counted again. `false` when none of them is left to run (the state
    /// failed after all had succeeded): the state then runs again as a whole.
    pub(crate) fn redrive(&mut self) -> bool {
        let mut halted = std::mem::take(&mut self.halted);
        self.resume.append(&mut halted);
        self.failure = None;
        if let Some(m) = &mut self.map {
            m.failed = 0;
            m.items_failed = 0;
            // A page read or a write in flight was cancelled when the execution ended:
            // asked for again.
            m.dataset.reading = None;
            if m.dataset.writing.take().is_some() {
                m.dataset.final_write = false;
            }
        }
        !self.resume.is_empty()
            || self.next < self.total
            || self.map.as_ref().is_some_and(|m| !m.items.complete)
    }

    /// The state failed: children not resumed yet stay halted, for the next redrive.
    pub(crate) fn keep_unresumed(&mut self) {
        let mut rest = std::mem::take(&mut self.resume);
        self.halted.append(&mut rest);
    }
}

impl Execution {
    /// The children of the state frame `fid` is in.
    pub(crate) fn children_mut(&mut self, fid: FrameId) -> Option<&mut Children> {
        match &mut self.frame_mut(fid).pos {
            Pos::In(a) => match &mut a.step {
                Step::Children(c) => Some(c),
                _ => None,
            },
            _ => None,
        }
    }

    /// Starts child `slot` of frame `parent` on `branch` with `input`, to run next; a
    /// `distributed` child runs as a child execution (no events in this history, no
    /// access to the variables around it).
    pub(crate) fn start_child(
        &mut self,
        parent: FrameId,
        slot: usize,
        branch: crate::program::BranchId,
        input: Value,
        distributed: bool,
        in_parallel: bool,
    ) {
        let p = self.frame(parent);
        let last_event = p.last_event;
        let silent = distributed || p.silent;
        let start = self.start_index(branch);
        let child = self.new_frame(Frame {
            branch,
            parent: Some((parent, slot as u32)),
            vars: baton_json::Map::default(),
            // A distributed iteration is a child execution: its events count from 1.
            last_event: if distributed { 1 } else { last_event },
            silent,
            isolated: distributed,
            in_parallel,
            queued: false,
            given_context: None,
            pos: Pos::Enter {
                state: start,
                input,
            },
        });
        if let Some(c) = self.children_mut(parent) {
            c.live.insert(slot as u32, child);
        }
        // The parent goes below the child: it starts the next child once this one waits
        // or ends.
        self.push_ready(parent);
        self.push_ready(child);
    }

    /// A Parallel or Map state entered again on a redrive (`Step::Kept`): its kept children
    /// are made ready to resume (`Some(true)`), or, when none of them is left to run, the
    /// state runs again from the start (`Some(false)`). `None` for any other step.
    pub(crate) fn resume_kept(&mut self, fid: FrameId) -> Option<bool> {
        let active = self.active_mut(fid);
        if !matches!(active.step, Step::Kept(_)) {
            return None;
        }
        let Step::Kept(mut c) = std::mem::replace(&mut active.step, Step::Run) else {
            return None;
        };
        if !c.redrive() {
            return Some(false);
        }
        active.step = Step::Children(c);
        Some(true)
    }

    /// Resumes the next halted child of frame `parent`'s state (on a redrive): the child
    /// enters again the state it had stopped in, and runs next. Returns its slot.
    pub(crate) fn resume_child(&mut self, parent: FrameId) -> Option<u32> {
        let p = self.frame(parent);
        let parent_last = p.last_event;
        let (slot, frame) = self.children_mut(parent)?.resume.pop_first()?;
        let child = self.new_frame(Frame {
            parent: Some((parent, slot)),
            // A distributed iteration is a child execution: its events count on.
            last_event: if frame.isolated {
                frame.last_event
            } else {
                parent_last
            },
            queued: false,
            pos: reentry(frame.pos),
            ..frame
        });
        if let Some(c) = self.children_mut(parent) {
            c.live.insert(slot, child);
        }
        self.push_ready(parent);
        self.push_ready(child);
        Some(slot)
    }

    /// A child frame ended; `halted` is the child as it stopped, when it failed.
    pub(crate) fn child_finished(
        &mut self,
        parent: FrameId,
        slot: u32,
        child_last_event: u64,
        outcome: Result<Value, Failure>,
        halted: Option<Frame>,
        sink: &mut impl Sink,
    ) {
        if !self.frame_exists(parent) {
            return;
        }
        let parent_silent = self.frame(parent).silent;
        let Some(c) = self.children_mut(parent) else {
            return;
        };
        c.live.remove(&slot);
        let map_events = c
            .map
            .as_ref()
            .filter(|m| !m.distributed)
            .map(|m| m.name.clone());
        if c.map.as_ref().is_none_or(|m| !m.distributed) && !parent_silent {
            self.frame_mut(parent).last_event = child_last_event;
        }
        let index = u64::from(slot);
        match outcome {
            Ok(output) => {
                let now = self.now;
                if let Some(c) = self.children_mut(parent) {
                    if let Some(m) = &mut c.map {
                        m.succeeded += 1;
                        m.items_succeeded += m.child_items(slot);
                        if m.dataset.records.is_some() {
                            m.dataset
                                .child_ended(slot as usize, Some(Ok(output.clone())), now);
                        }
                    }
                    if let Some(r) = c.results.get_mut(slot as usize) {
                        *r = output;
                    }
                }

                if let Some(name) = map_events {
                    self.emit(
                        parent,
                        EventType::MapIterationSucceeded,
                        || Details::MapIteration { name, index },
                        sink,
                    );
                }
            }
            Err(f) => {
                if let Some(name) = map_events {
                    self.emit(
                        parent,
                        EventType::MapIterationFailed,
                        || Details::MapIteration { name, index },
                        sink,
                    );
                }
                let now = self.now;
                let Some(c) = self.children_mut(parent) else {
                    return;
                };
                if let Some(m) = &mut c.map
                    && m.dataset.records.is_some()
                {
                    m.dataset
                        .child_ended(slot as usize, Some(Err(f.clone())), now);
                }
                if let Some(frame) = halted {
                    c.halted.insert(slot, frame);
                }
                let state_failure = match &mut c.map {
                    Some(m) => {
                        m.failed += 1;
                        m.items_failed += m.child_items(slot);
                        // Against a total still growing (pages of a reader), the
                        // percentage is judged once every item is known (run_map).
                        let tolerated = m.tolerated_count.is_some_and(|n| m.failed <= n)
                            || m.tolerated_percentage.is_some_and(|p| {
                                !m.items.complete
                                    || (m.failed as f64) * 100.0 / (c.total.max(1) as f64) <= p
                            });
                        if tolerated {
                            c.results[slot as usize] = f.to_error_output();
                            None
                        } else if m.tolerated_count.is_some()
                            || m.tolerated_percentage.is_some()
                            || m.distributed
                        {
                            Some(Failure::new(
                                baton_asl::error_name::EXCEED_TOLERATED_FAILURE_THRESHOLD,
                                "The specified tolerated failure threshold was exceeded",
                            ))
                        } else {
                            Some(f)
                        }
                    }
                    None => Some(f),
                };
                if let Some(sf) = state_failure
                    && c.failure.is_none()
                {
                    c.failure = Some(sf);
                    self.abort_children(parent, sink);
                }
            }
        }
        self.map_run_changed(parent);
        self.push_ready(parent);
    }

    /// Aborts every running child of frame `fid`'s state.
    pub(crate) fn abort_children(&mut self, fid: FrameId, sink: &mut impl Sink) {
        let now = self.now;
        let Some(c) = self.children_mut(fid) else {
            return;
        };
        let live = std::mem::take(&mut c.live);
        let map_events = c
            .map
            .as_ref()
            .filter(|m| !m.distributed)
            .map(|m| m.name.clone());
        if let Some(m) = &mut c.map {
            m.aborted += live.len() as u64;
            m.items_aborted += live.keys().map(|&s| m.child_items(s)).sum::<u64>();
            for &slot in live.keys() {
                m.dataset.child_ended(slot as usize, None, now);
            }
        }
        self.map_run_changed(fid);
        for (slot, child) in live {
            let halted = self.abort_frame(child, sink);
            if let (Some(frame), Some(c)) = (halted, self.children_mut(fid)) {
                c.halted.insert(slot, frame);
            }
            if let Some(name) = &map_events {
                let name = name.clone();
                self.emit(
                    fid,
                    EventType::MapIterationAborted,
                    || Details::MapIteration {
                        name,
                        index: u64::from(slot),
                    },
                    sink,
                );
            }
        }
    }

    /// Aborts a frame and everything under it: cancels its work, emits the aborted event
    /// of its state, and takes it out of the table (returned as it stopped, its aborted
    /// children among its state's halted ones).
    pub(crate) fn abort_frame(&mut self, fid: FrameId, sink: &mut impl Sink) -> Option<Frame> {
        if !self.frame_exists(fid) {
            return None;
        }
        let program = std::sync::Arc::clone(&self.program);
        let frame = self.frame(fid);
        let branch = program.branch(frame.branch);
        let state_index = match &frame.pos {
            Pos::In(a) => Some(a.state),
            _ => None,
        };
        if let Some(index) = state_index {
            if let Some(Step::Children(_)) =
                self.frames[fid as usize]
                    .as_ref()
                    .and_then(|f| match &f.pos {
                        Pos::In(a) => Some(&a.step),
                        _ => None,
                    })
            {
                self.abort_children(fid, sink);
            }
            let active = self.active_mut(fid);
            let step = if matches!(active.step, Step::Task(_) | Step::Timer(_)) {
                std::mem::replace(&mut active.step, Step::Run)
            } else {
                Step::Run
            };
            match step {
                Step::Task(t) => {
                    if self.work.remove(&t.id).is_some() {
                        sink.effect(Effect::CancelTask { id: t.id });
                    }
                    for timer in t.timeout_timer.into_iter().chain(t.heartbeat.map(|h| h.0)) {
                        if self.work.remove(&timer).is_some() {
                            sink.effect(Effect::CancelTimer { id: timer });
                        }
                    }
                }
                Step::Timer(id) if self.work.remove(&id).is_some() => {
                    sink.effect(Effect::CancelTimer { id });
                }
                _ => {}
            }
            if let Some((_, state)) = branch.states.get_index(index)
                && let Some(t) = aborted_type(&state.kind)
            {
                self.emit(fid, t, || Details::None, sink);
            }
        }
        self.free_frame(fid)
    }
}
