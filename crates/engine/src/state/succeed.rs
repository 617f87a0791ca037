//! Succeed: ends its frame successfully.

use baton_asl::definition::State;

use crate::dataflow::select;
use crate::execution::{Execution, FrameId};
use crate::flow::Flow;

impl Execution {
    pub(crate) fn run_succeed(&mut self, fid: FrameId, state: &State) -> Flow {
        let (raw, at, scope) = self.state_env(fid, state);
        let output = select(&state.input_path, raw, &scope, at)
            .and_then(|effective| select(&state.output_path, effective, &scope, at));
        match output {
            Ok(output) => Flow::Succeed { output },
            Err(f) => Flow::Fail(f),
        }
    }
}
