//! Succeed: ends its frame successfully.

use baton_asl::definition::State;

use crate::dataflow::{At, select};
use crate::execution::{Execution, FrameId};
use crate::flow::Flow;
use crate::scope::EvalScope;

impl Execution {
    pub(crate) fn run_succeed(&mut self, fid: FrameId, state: &State) -> Flow {
        let active = self.active(fid);
        let raw = active.input.clone();
        let at = At {
            state: &state.name,
            entered_event: active.entered_event,
        };
        let scope = EvalScope::new(&self.frames, fid, &self.info, &mut self.rng, &state.name);
        let output = select(&state.input_path, raw, &scope, at)
            .and_then(|effective| select(&state.output_path, effective, &scope, at));
        match output {
            Ok(output) => Flow::Succeed { output },
            Err(f) => Flow::Fail(f),
        }
    }
}
