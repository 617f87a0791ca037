//! Parallel: runs every branch on the same input; the output is the array of the
//! branches' outputs. The first branch to fail fails the state and aborts the others.

use baton_asl::definition::State;
use baton_asl::definition::state::Parallel;
use baton_json::Value;

use crate::dataflow::{At, assign, evaluate, place_result, select};
use crate::error::Failure;
use crate::event::{Details, EventType};
use crate::execution::{Execution, FrameId, Sink, Step};
use crate::flow::Flow;
use crate::scope::EvalScope;
use crate::state::children::Children;

impl Execution {
    pub(crate) fn run_parallel(
        &mut self,
        fid: FrameId,
        state: &State,
        parallel: &Parallel,
        sink: &mut impl Sink,
    ) -> Flow {
        let active = self.active(fid);
        let at = At {
            state: &state.name,
            entered_event: active.entered_event,
        };
        if matches!(active.step, Step::Run | Step::Resume) {
            let raw = active.input.clone();
            let mut scope =
                EvalScope::new(&self.frames, fid, &self.info, &mut self.rng, &state.name);
            let input = select(&state.input_path, raw, &scope, at).and_then(|effective| {
                match &parallel.parameters {
                    Some(p) => evaluate(p, &effective, &mut scope, at),
                    None => Ok(effective),
                }
            });
            let input = match input {
                Ok(v) => v,
                Err(f) => return Flow::Fail(f),
            };
            self.emit(fid, EventType::ParallelStateStarted, || Details::None, sink);
            let n = parallel.branches.len();
            self.active_mut(fid).step = Step::Children(Box::new(Children::new(n, n, input, None)));
        }
        let state_index = self.active(fid).state;
        let branch = self.frame(fid).branch;
        let Some(c) = self.children_mut(fid) else {
            return Flow::Wait;
        };
        if c.failure.is_some() {
            if c.running() > 0 {
                return Flow::Wait;
            }
            let f = c.failure.take().unwrap_or_default();
            self.active_mut(fid).step = Step::Run;
            return Flow::Fail(f);
        }
        if c.next < c.total {
            let slot = c.next;
            c.next += 1;
            let input = c.input.clone();
            let child_branch = self.program.child(branch, state_index, slot);
            self.start_child(fid, slot, child_branch, input, false, true);
            return Flow::Wait;
        }
        if c.running() > 0 {
            return Flow::Wait;
        }
        let results = std::mem::take(&mut c.results);
        self.emit(
            fid,
            EventType::ParallelStateSucceeded,
            || Details::None,
            sink,
        );
        self.finish_with_result(
            fid,
            state,
            Value::array(results),
            &parallel.result_selector,
            &parallel.result_path,
        )
    }

    /// A Parallel or Map state's result through ResultSelector, Assign, ResultPath and
    /// OutputPath.
    pub(crate) fn finish_with_result(
        &mut self,
        fid: FrameId,
        state: &State,
        result: Value,
        selector: &Option<baton_asl::definition::Payload>,
        result_path: &baton_asl::definition::state::ResultPath,
    ) -> Flow {
        let (raw, at, mut scope) = self.state_env(fid, state);
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
}
