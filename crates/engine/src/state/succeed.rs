//! Succeed: ends its frame successfully.

use baton_asl::definition::{QueryLanguage, State};

use crate::dataflow::select;
use crate::execution::{Execution, FrameId};
use crate::flow::Flow;

impl Execution {
    pub(crate) fn run_succeed(&mut self, fid: FrameId, state: &State) -> Flow {
        if state.query_language == QueryLanguage::Jsonata {
            return match self.run_jsonata_io(fid, state) {
                Flow::Exit { output, .. } => Flow::Succeed { output },
                other => other,
            };
        }
        let (raw, at, scope) = self.state_env(fid, state);
        let output = select(&state.input_path, raw, &scope, at)
            .and_then(|effective| select(&state.output_path, effective, &scope, at));
        match output {
            Ok(output) => Flow::Succeed { output },
            Err(f) => Flow::Fail(f),
        }
    }
}
