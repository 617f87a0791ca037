//! `Retry`: retriers of Task, Parallel and Map states, and how errors match them.

use baton_json::{Str, Value};

use super::fields::Fields;
use crate::diagnostic::{Diagnostics, Pointer};
use crate::error_name;

/// How a retrier spreads its delays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum JitterStrategy {
    /// `NONE`: exactly the computed delay.
    #[default]
    None,
    /// `FULL`: a random delay between 0 and the computed delay.
    Full,
}

/// One element of `Retry`.
#[derive(Debug, Clone)]
pub struct Retrier {
    /// `ErrorEquals`: the error names this retrier handles.
    pub error_equals: Vec<Str>,
    /// `IntervalSeconds` (default 1): the delay before the first retry.
    pub interval_seconds: u64,
    /// `MaxAttempts` (default 3): retries allowed; 0 means never retry.
    pub max_attempts: u64,
    /// `BackoffRate` (default 2.0): the delay's multiplier per attempt.
    pub backoff_rate: f64,
    /// `MaxDelaySeconds`: a cap on the delay.
    pub max_delay_seconds: Option<u64>,
    /// `JitterStrategy` (default NONE).
    pub jitter: JitterStrategy,
}

impl Retrier {
    /// `true` when this retrier handles `error`.
    pub fn matches(&self, error: &str) -> bool {
        error_name::matches(&self.error_equals, error)
    }

    /// The delay before retry number `attempt` (0 for the first retry), in milliseconds,
    /// before jitter: `IntervalSeconds × BackoffRate^attempt`, capped by `MaxDelaySeconds`.
    pub fn delay_millis(&self, attempt: u64) -> u64 {
        let exp = i32::try_from(attempt).unwrap_or(i32::MAX);
        let mut secs = self.interval_seconds as f64 * self.backoff_rate.powi(exp);
        if let Some(max) = self.max_delay_seconds {
            secs = secs.min(max as f64);
        }
        // A year is the longest an execution lives; anything longer is the same.
        let secs = secs.min(366.0 * 86_400.0);
        (secs * 1000.0) as u64
    }
}

/// The largest value AWS accepts for the integer fields of a retrier.
const MAX_FIELD: u64 = 99_999_999;

/// The largest `MaxDelaySeconds` AWS accepts: a year and a day.
const MAX_DELAY: u64 = 31_622_400;

pub(super) fn parse_field(f: &mut Fields<'_>, d: &mut Diagnostics) -> Vec<Retrier> {
    let at = f.at_field("Retry");
    let Some(items) = f.array("Retry", d) else {
        return Vec::new();
    };
    let retriers: Vec<Retrier> = items
        .iter()
        .enumerate()
        .filter_map(|(i, v)| parse_retrier(v, &at.index(i), d))
        .collect();
    error_name::check_all_is_last(retriers.iter().map(|r| &r.error_equals[..]), &at, d);
    retriers
}

fn parse_retrier(value: &Value, at: &Pointer, d: &mut Diagnostics) -> Option<Retrier> {
    let mut f = Fields::of(value, at, d)?;
    f.require(&["ErrorEquals"], d);
    let error_equals = error_name::parse_error_equals(&mut f, d);
    let interval_seconds = f.integer("IntervalSeconds", 1, MAX_FIELD, d).unwrap_or(1);
    let max_attempts = f.integer("MaxAttempts", 0, MAX_FIELD, d).unwrap_or(3);
    let backoff_rate = match f.number("BackoffRate", d) {
        Some(r) if r >= 1.0 => r,
        Some(_) => {
            // Not verified against AWS.
            d.schema(
                &f.at_field("BackoffRate"),
                "The value of the field 'BackoffRate' must be greater than or equal to 1.0",
            );
            2.0
        }
        None => 2.0,
    };
    let max_delay_seconds = f.integer("MaxDelaySeconds", 1, MAX_DELAY, d);
    let jitter = match f.string("JitterStrategy", d) {
        None | Some("NONE") => JitterStrategy::None,
        Some("FULL") => JitterStrategy::Full,
        Some(_) => {
            // Not verified against AWS: the wording of AWS's other enum fields.
            d.schema(
                &f.at_field("JitterStrategy"),
                "The field 'JitterStrategy' should have one of these values: [FULL, NONE]",
            );
            JitterStrategy::None
        }
    };
    f.string("Comment", d);
    f.finish(d);
    Some(Retrier {
        error_equals,
        interval_seconds,
        max_attempts,
        backoff_rate,
        max_delay_seconds,
        jitter,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn retrier(interval: u64, rate: f64, max_delay: Option<u64>) -> Retrier {
        Retrier {
            error_equals: vec!["States.ALL".into()],
            interval_seconds: interval,
            max_attempts: 3,
            backoff_rate: rate,
            max_delay_seconds: max_delay,
            jitter: JitterStrategy::None,
        }
    }

    #[test]
    fn delays_grow_by_the_backoff_rate_and_stop_at_the_cap() {
        let r = retrier(2, 3.0, Some(10));
        assert_eq!(r.delay_millis(0), 2_000);
        assert_eq!(r.delay_millis(1), 6_000);
        assert_eq!(r.delay_millis(2), 10_000);
        assert_eq!(retrier(1, 2.0, None).delay_millis(1000), 366 * 86_400_000);
    }
}
