//! Parallel: runs every branch on the same input; the output is the array of the
//! branches' outputs. The first branch to fail fails the state and aborts the others.
//! Entered again on a redrive, it reruns only the branches that failed or were aborted.

use baton_asl::definition::state::Parallel;
use baton_asl::definition::{QueryLanguage, State};
use baton_json::Value;

use crate::dataflow::{evaluate, select};
use crate::event::{Details, EventType};
use crate::execution::{Execution, FrameId, Sink, Step};
use crate::flow::Flow;
use crate::jsonata::{self, StatesVars};
use crate::state::children::Children;

impl Execution {
    pub(crate) fn run_parallel(
        &mut self,
        fid: FrameId,
        state: &State,
        parallel: &Parallel,
        sink: &mut impl Sink,
    ) -> Flow {
        if self.resume_kept(fid) == Some(true) {
            self.emit(fid, EventType::ParallelStateStarted, || Details::None, sink);
        }
        if matches!(self.active(fid).step, Step::Run | Step::Resume) {
            let (raw, at, mut scope) = self.state_env(fid, state);
            let input = if state.query_language == QueryLanguage::Jsonata {
                let states = StatesVars::input(raw.clone());
                jsonata::payload_or(
                    parallel.parameters.as_ref(),
                    "Arguments",
                    raw,
                    &mut scope,
                    &states,
                    at,
                )
                .map_err(Flow::EvaluationFailed)
            } else {
                select(&state.input_path, raw, &scope, at)
                    .and_then(|effective| match &parallel.parameters {
                        Some(p) => evaluate(p, &effective, &mut scope, at),
                        None => Ok(effective),
                    })
                    .map_err(Flow::Fail)
            };
            let input = match input {
                Ok(v) => v,
                Err(flow) => return flow,
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
            // The children stay with the state: a redrive resumes the failed ones.
            c.keep_unresumed();
            let f = c.failure.take().unwrap_or_default();
            return Flow::Fail(f);
        }
        if !c.resume.is_empty() {
            self.resume_child(fid);
            return Flow::Wait;
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
        // Done with the branches (should the state still fail, it runs again as a whole).
        self.active_mut(fid).step = Step::Run;
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
}
