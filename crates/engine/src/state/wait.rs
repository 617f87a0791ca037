//! Wait: pauses its frame for a number of seconds or until a timestamp.

use baton_asl::definition::state::{Wait, WaitFor};
use baton_asl::definition::{QueryLanguage, State};
use baton_json::Value;

use crate::dataflow::{At, assign, select};
use crate::effect::Effect;
use crate::error::Failure;
use crate::execution::{Execution, FrameId, Sink, Step, Work};
use crate::flow::Flow;
use crate::jsonata::{self, StatesVars};
use crate::scope::EvalScope;
use crate::time::Millis;

/// The longest delay AWS accepts: 2^31 - 1 seconds.
const MAX_DELAY_SECONDS: i64 = i32::MAX as i64;

impl Execution {
    pub(crate) fn run_wait(
        &mut self,
        fid: FrameId,
        state: &State,
        wait: &Wait,
        sink: &mut impl Sink,
    ) -> Flow {
        let resumed = matches!(self.active(fid).step, Step::Resume);
        let now = self.now;
        let jsonata = state.query_language == QueryLanguage::Jsonata;
        let (raw, at, mut scope) = self.state_env(fid, state);
        let effective = match select(&state.input_path, raw, &scope, at) {
            Ok(v) => v,
            Err(f) => return Flow::Fail(f),
        };
        if !resumed {
            let due = match &wait.wait_for {
                WaitFor::SecondsExpr(e) => {
                    let states = StatesVars::input(effective.clone());
                    match jsonata::count(e, "Seconds", &mut scope, &states, at) {
                        Ok(secs) if secs as i64 > MAX_DELAY_SECONDS => {
                            return Flow::Fail(at.runtime("Wait state delay is too long."));
                        }
                        Ok(secs) => now.plus(secs * 1000),
                        Err(e) => return Flow::EvaluationFailed(e),
                    }
                }
                WaitFor::TimestampExpr(e) => {
                    let states = StatesVars::input(effective.clone());
                    match jsonata::expr(e, "Timestamp", &mut scope, &states, at) {
                        Ok(v) => match v.as_str().and_then(baton_asl::timestamp::parse) {
                            Some(t) => Millis::from_datetime(t),
                            None => {
                                let shown =
                                    v.as_str().map_or_else(|| v.to_json_string(), str::to_owned);
                                return Flow::EvaluationFailed(at.query_error(
                                    format!("The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: {shown}"),
                                    "Timestamp",
                                ));
                            }
                        },
                        Err(e) => return Flow::EvaluationFailed(e),
                    }
                }
                other => match due_time(other, &effective, &scope, now, at) {
                    Ok(d) => d,
                    Err(f) => return Flow::Fail(f),
                },
            };
            if due > now {
                let id = self.new_work(Work::StateTimer(fid));
                sink.effect(Effect::StartTimer { id, due });
                self.active_mut(fid).step = Step::Timer(id);
                return Flow::Wait;
            }
        }
        if jsonata {
            return self.run_jsonata_io(fid, state);
        }
        let outcome = (|| -> Result<Flow, Failure> {
            let assigned = assign(state.assign.as_ref(), &effective, &mut scope, at)?;
            let output = select(&state.output_path, effective, &scope, at)?;
            Ok(Flow::Exit {
                output,
                next: None,
                assigned,
            })
        })();
        outcome.unwrap_or_else(Flow::Fail)
    }
}

/// When the wait ends.
fn due_time(
    wait_for: &WaitFor,
    input: &Value,
    scope: &EvalScope<'_>,
    now: Millis,
    at: At<'_>,
) -> Result<Millis, Failure> {
    let due = match wait_for {
        WaitFor::Seconds(s) => now.plus(s.saturating_mul(1000)),
        WaitFor::Timestamp(t) => Millis::from_datetime(*t),
        WaitFor::SecondsPath(p) => {
            let v = p.eval(input, scope).map_err(|_| {
                at.runtime(format!(
                    "The SecondsPath parameter does not reference an input value: {}",
                    p.as_str()
                ))
            })?;
            let n = v.as_number().filter(|n| n.is_integer()).ok_or_else(|| {
                at.runtime(format!(
                    "The SecondsPath parameter cannot be parsed as a long value: {} == {}",
                    p.as_str(),
                    v.to_json_string()
                ))
            })?;
            let secs = n.as_i64().unwrap_or(i64::MAX);
            if secs < 0 {
                return Err(at.runtime(format!(
                    "The SecondsPath parameter references a negative value: {} == {}",
                    p.as_str(),
                    v.to_json_string()
                )));
            }
            if secs > MAX_DELAY_SECONDS {
                return Err(at.runtime("Wait state delay is too long."));
            }
            now.plus(secs as u64 * 1000)
        }
        WaitFor::TimestampPath(p) => {
            let v = p.eval(input, scope).map_err(|_| {
                at.runtime(format!(
                    "The TimestampPath parameter does not reference an input value: {}",
                    p.as_str()
                ))
            })?;
            let parsed = v.as_str().and_then(baton_asl::timestamp::parse).ok_or_else(|| {
                let shown = match &v {
                    Value::String(s) => s.to_string(),
                    other => other.to_json_string(),
                };
                at.runtime(format!(
                    "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {} == {shown}",
                    p.as_str()
                ))
            })?;
            Millis::from_datetime(parsed)
        }
        // Evaluated by the caller.
        WaitFor::SecondsExpr(_) | WaitFor::TimestampExpr(_) => now,
    };
    if (due.0 - now.0) / 1000 > MAX_DELAY_SECONDS {
        return Err(at.runtime("Wait state delay is too long."));
    }
    Ok(due)
}
