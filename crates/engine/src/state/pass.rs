//! Pass: input to output, optionally shaped by Parameters or replaced by Result.

use baton_asl::definition::state::Pass;
use baton_asl::definition::{QueryLanguage, State};

use crate::dataflow::{assign, evaluate, place_result, select};
use crate::error::Failure;
use crate::execution::{Execution, FrameId};
use crate::flow::Flow;
use crate::jsonata::{StatesVars, output_and_assign};

impl Execution {
    pub(crate) fn run_pass(&mut self, fid: FrameId, state: &State, pass: &Pass) -> Flow {
        if state.query_language == QueryLanguage::Jsonata {
            return self.run_jsonata_io(fid, state);
        }
        let (raw, at, mut scope) = self.state_env(fid, state);
        let outcome = (|| -> Result<Flow, Failure> {
            let effective = select(&state.input_path, raw.clone(), &scope, at)?;
            let result = match (&pass.result, &pass.parameters) {
                (Some(r), _) => r.clone(),
                (None, Some(p)) => evaluate(p, &effective, &mut scope, at)?,
                (None, None) => effective,
            };
            let assigned = assign(state.assign.as_ref(), &result, &mut scope, at)?;
            let placed = place_result(&pass.result_path, raw, result, at)?;
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

impl Execution {
    /// A JSONata state whose work is only its Assign and Output (Pass, Succeed, and the
    /// end of a Wait): the output defaults to the input.
    pub(crate) fn run_jsonata_io(&mut self, fid: FrameId, state: &State) -> Flow {
        let (raw, at, mut scope) = self.state_env(fid, state);
        let states = StatesVars::input(raw.clone());
        match output_and_assign(
            state.output.as_ref(),
            state.assign.as_ref(),
            raw,
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
        }
    }
}
