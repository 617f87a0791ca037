//! Bounds on one execution while it runs: its history's length, how long it may run, and
//! how much work one [`Execution::apply`](crate::Execution::apply) may do before it yields.
//!
//! They are fixed when the execution starts and kept with it (the runtime writes them into
//! the journal's first entry), so that replaying an execution runs it under the bounds it
//! first ran under, whatever the defaults are by then: the budget decides where an apply
//! stops, and the longest duration adds a timer, so either changes what a replay does.

use baton_json::Value;

/// AWS's limit on an execution's history: this many events, the one that ends the
/// execution included.
pub const AWS_MAX_HISTORY_EVENTS: u64 = 25_000;

/// AWS's longest Standard execution: one year.
pub const STANDARD_MAX_SECONDS: u64 = 365 * 24 * 60 * 60;

/// AWS's longest Express execution: five minutes.
pub const EXPRESS_MAX_SECONDS: u64 = 5 * 60;

/// The work one apply may do by default before it yields: about 125 state transitions of
/// small documents, or about a quarter of a megabyte of documents written into events.
/// Small enough that the commit of a runaway execution's step holds back the commits of
/// others it is grouped with by a few milliseconds at most (`bench-api --mode hostile`);
/// large enough that a short execution ends within its first step.
pub const DEFAULT_STEP_BUDGET: u64 = 250;

/// Each unit of the step budget stands for one history event, or this many bytes of a
/// document carried into one (a state's input or output).
pub const BUDGET_BYTES_PER_UNIT: u64 = 1_024;

/// The bounds of one execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most history events it may have, its last event included; `None`: no bound.
    /// When the next event would be the last one allowed and does not end the execution,
    /// the execution fails with `States.Runtime` in that event, as on AWS.
    pub max_events: Option<u64>,
    /// How much work one apply may do (in units of one event, or
    /// [`BUDGET_BYTES_PER_UNIT`] bytes of documents) before it stops with work left
    /// ([`Execution::has_ready_work`](crate::Execution::has_ready_work)); `None`: until
    /// every frame waits.
    pub step_budget: Option<u64>,
    /// The longest it may run whatever its machine's `TimeoutSeconds` says, in seconds
    /// (it then times out with `States.Timeout`).
    pub max_seconds: Option<u64>,
}

impl Limits {
    /// No bounds: what executions started before bounds were kept ran under.
    pub const NONE: Limits = Limits {
        max_events: None,
        step_budget: None,
        max_seconds: None,
    };

    /// AWS's bounds for a Standard execution.
    pub const STANDARD: Limits = Limits {
        max_events: Some(AWS_MAX_HISTORY_EVENTS),
        step_budget: Some(DEFAULT_STEP_BUDGET),
        max_seconds: Some(STANDARD_MAX_SECONDS),
    };

    /// AWS's bounds for an Express execution: five minutes, and no bound on its history
    /// (which AWS only logs).
    pub const EXPRESS: Limits = Limits {
        max_events: None,
        step_budget: Some(DEFAULT_STEP_BUDGET),
        max_seconds: Some(EXPRESS_MAX_SECONDS),
    };

    /// The bounds as a small JSON object (`{"events", "budget", "seconds"}`, absent members
    /// unbounded), as the runtime keeps them.
    pub fn to_value(&self) -> Value {
        let mut m = baton_json::Map::default();
        for (k, v) in [
            ("events", self.max_events),
            ("budget", self.step_budget),
            ("seconds", self.max_seconds),
        ] {
            if let Some(v) = v {
                m.insert(k.into(), Value::from(v));
            }
        }
        Value::object(m)
    }

    /// The bounds [`Limits::to_value`] wrote; `None` when `v` is not such an object.
    pub fn from_value(v: &Value) -> Option<Limits> {
        let m = v.as_object()?;
        let get = |k: &str| -> Result<Option<u64>, ()> {
            match m.get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(n) => n.as_number().and_then(|n| n.as_u64()).map(Some).ok_or(()),
            }
        };
        Some(Limits {
            max_events: get("events").ok()?,
            step_budget: get("budget").ok()?,
            max_seconds: get("seconds").ok()?,
        })
    }
}

/// The cause of the failure of an execution whose history is full, in AWS's words.
pub(crate) fn history_full_cause(max_events: u64) -> String {
    format!("The execution reached the maximum number of history events ({max_events}).")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_round_trip_through_their_value() {
        for l in [Limits::NONE, Limits::STANDARD, Limits::EXPRESS] {
            assert_eq!(Limits::from_value(&l.to_value()), Some(l));
        }
        assert_eq!(Limits::from_value(&Value::from(3u64)), None);
        let bad = baton_json::json!({"events": "many"});
        assert_eq!(Limits::from_value(&bad), None);
    }
}
