//! Choice: the first rule that matches picks the next state.

use baton_asl::definition::State;
use baton_asl::definition::state::{Choice, RuleCondition};

use crate::dataflow::{assign, select};
use crate::error::Failure;
use crate::execution::{Execution, FrameId};
use crate::flow::Flow;

impl Execution {
    pub(crate) fn run_choice(&mut self, fid: FrameId, state: &State, choice: &Choice) -> Flow {
        let (raw, at, mut scope) = self.state_env(fid, state);
        let outcome = (|| -> Result<Flow, Failure> {
            let effective = select(&state.input_path, raw, &scope, at)?;
            let mut chosen = None;
            for rule in &choice.choices {
                let matched = match &rule.condition {
                    RuleCondition::JsonPath(c) => {
                        c.eval(&effective, &mut scope).map_err(|e| at.runtime(e))?
                    }
                    RuleCondition::Jsonata(_) => {
                        return Err(Failure::new(
                            baton_asl::error_name::RUNTIME,
                            "JSONata expressions are not supported by this version of Baton",
                        ));
                    }
                };
                if matched {
                    chosen = Some(rule);
                    break;
                }
            }
            let (next, assign_block) = match (chosen, &choice.default) {
                (Some(rule), _) => (rule.next.clone(), rule.assign.as_ref()),
                (None, Some(default)) => (default.clone(), state.assign.as_ref()),
                (None, None) => {
                    return Err(Failure::new(
                        baton_asl::error_name::NO_CHOICE_MATCHED,
                        "No Matches!",
                    ));
                }
            };
            let assigned = assign(assign_block, &effective, &mut scope, at)?;
            let output = select(&state.output_path, effective, &scope, at)?;
            Ok(Flow::Exit {
                output,
                next: Some(next),
                assigned,
            })
        })();
        outcome.unwrap_or_else(Flow::Fail)
    }
}
