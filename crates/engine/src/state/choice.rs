//! Choice: the first rule that matches picks the next state.

use baton_asl::definition::state::{Choice, RuleCondition};
use baton_asl::definition::{QueryLanguage, State};

use crate::dataflow::{assign, select};
use crate::error::Failure;
use crate::execution::{Execution, FrameId};
use crate::flow::Flow;
use crate::jsonata::{self, EvalFailure, StatesVars};

impl Execution {
    pub(crate) fn run_choice(&mut self, fid: FrameId, state: &State, choice: &Choice) -> Flow {
        if state.query_language == QueryLanguage::Jsonata {
            return self.run_choice_jsonata(fid, state, choice);
        }
        let (raw, at, mut scope) = self.state_env(fid, state);
        let outcome = (|| -> Result<Flow, Failure> {
            let effective = select(&state.input_path, raw, &scope, at)?;
            let mut chosen = None;
            for rule in &choice.choices {
                let matched = match &rule.condition {
                    RuleCondition::JsonPath(c) => {
                        c.eval(&effective, &mut scope).map_err(|e| at.runtime(e))?
                    }
                    // Rules of a JSONPath state are JSONPath rules.
                    RuleCondition::Jsonata(_) => false,
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

impl Execution {
    /// A JSONata Choice: each rule's `Condition` must give a boolean; the rule taken
    /// (or the state, for the default) supplies `Output` and `Assign`.
    fn run_choice_jsonata(&mut self, fid: FrameId, state: &State, choice: &Choice) -> Flow {
        let (raw, at, mut scope) = self.state_env(fid, state);
        let states = StatesVars::input(raw.clone());
        let outcome = (|| -> Result<Flow, EvalFailure> {
            for rule in &choice.choices {
                let RuleCondition::Jsonata(condition) = &rule.condition else {
                    continue;
                };
                match jsonata::expr(condition, "Condition", &mut scope, &states, at)? {
                    baton_json::Value::Bool(true) => {
                        let (output, assigned) = jsonata::output_and_assign(
                            rule.output.as_ref().or(state.output.as_ref()),
                            rule.assign.as_ref(),
                            raw.clone(),
                            &mut scope,
                            &states,
                            at,
                        )?;
                        return Ok(Flow::Exit {
                            output,
                            next: Some(rule.next.clone()),
                            assigned,
                        });
                    }
                    baton_json::Value::Bool(false) => {}
                    other => {
                        return Err(at.query_error(
                            jsonata::unexpected_type(
                                condition.text(),
                                "Condition",
                                "boolean",
                                &other,
                            ),
                            "Condition",
                        ));
                    }
                }
            }
            let Some(default) = &choice.default else {
                return Ok(Flow::Fail(Failure::new(
                    baton_asl::error_name::NO_CHOICE_MATCHED,
                    "No Matches!",
                )));
            };
            let (output, assigned) = jsonata::output_and_assign(
                state.output.as_ref(),
                state.assign.as_ref(),
                raw.clone(),
                &mut scope,
                &states,
                at,
            )?;
            Ok(Flow::Exit {
                output,
                next: Some(default.clone()),
                assigned,
            })
        })();
        outcome.unwrap_or_else(Flow::EvaluationFailed)
    }
}
