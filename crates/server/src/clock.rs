//! The server's clock over the API: `Baton.GetClock` says what time it is, and
//! `Baton.AdvanceClock` moves a virtual clock (`baton serve --virtual-clock`) ahead, so
//! that a test's day-long Wait or tomorrow's schedule takes no real time.
//!
//! Both are JSON actions on `POST /` (`X-Amz-Target: Baton.GetClock`), in the shape of the
//! service's other actions; times are seconds since the epoch, as the AWS JSON protocol
//! writes timestamps.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use baton_engine::Millis;
use baton_runtime::Runtime;
use baton_triggers::Triggers;
use baton_triggers::wire::{AwsError, JSON_11, json_action_body, respond};
use serde_json::{Value, json};

/// What the clock actions need.
#[derive(Clone)]
pub struct ClockControl {
    runtime: Runtime,
    triggers: Triggers,
    max_body: usize,
}

impl ClockControl {
    /// The control of `runtime`'s clock, which `triggers`' schedules share; request bodies
    /// of at most `max_body` bytes.
    pub fn new(runtime: Runtime, triggers: Triggers, max_body: usize) -> ClockControl {
        ClockControl {
            runtime,
            triggers,
            max_body,
        }
    }

    fn now(&self) -> Value {
        json!({
            "Now": seconds(self.runtime.now()),
            "Virtual": self.runtime.has_virtual_clock(),
        })
    }

    /// `Baton.AdvanceClock`: `{"Seconds": n}` moves the clock ahead by n seconds,
    /// `{"To": t}` to the instant t (seconds since the epoch, or an RFC 3339 timestamp).
    fn advance(&self, input: &Value) -> Result<Value, AwsError> {
        if !self.runtime.has_virtual_clock() {
            return Err(AwsError::validation(
                "The clock is real and cannot be moved: start baton serve with --virtual-clock",
            ));
        }
        let by = match (input.get("Seconds"), input.get("To")) {
            (Some(s), None) => {
                let s = s
                    .as_f64()
                    .filter(|s| s.is_finite() && *s >= 0.0 && *s <= MAX_SECONDS)
                    .ok_or_else(|| {
                        AwsError::validation(format!(
                            "Invalid Seconds {s}: a number of seconds from 0 to {MAX_SECONDS}"
                        ))
                    })?;
                Duration::from_secs_f64(s)
            }
            (None, Some(to)) => {
                let to = instant(to).ok_or_else(|| {
                    AwsError::validation(format!(
                        "Invalid To {to}: seconds since the epoch or an RFC 3339 timestamp"
                    ))
                })?;
                let now = self.runtime.now();
                if to < now {
                    return Err(AwsError::validation(format!(
                        "To {} is before the clock's time {}: a clock only moves ahead",
                        to.to_rfc3339(),
                        now.to_rfc3339()
                    )));
                }
                Duration::from_millis(u64::try_from(to.0 - now.0).unwrap_or(0))
            }
            _ => {
                return Err(AwsError::validation(
                    "AdvanceClock takes one of Seconds and To",
                ));
            }
        };
        self.runtime.advance_clock(by);
        self.triggers.clock_moved();
        Ok(self.now())
    }
}

/// A hundred years in one move: far beyond a Standard execution's year, and small enough
/// that the clock cannot overflow.
const MAX_SECONDS: f64 = 366.0 * 86_400.0 * 100.0;

fn seconds(t: Millis) -> f64 {
    t.0 as f64 / 1000.0
}

fn instant(v: &Value) -> Option<Millis> {
    match v {
        Value::Number(n) => {
            let s = n.as_f64().filter(|s| s.is_finite() && s.abs() < 1e11)?;
            Some(Millis((s * 1000.0).round() as i64))
        }
        Value::String(s) => baton_asl::timestamp::parse(s).map(Millis::from_datetime),
        _ => None,
    }
}

/// `POST /` whose target is `Baton.GetClock` or `Baton.AdvanceClock`; anything else goes on.
pub async fn clock_actions(
    State(control): State<Arc<ClockControl>>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::POST || request.uri().path() != "/" {
        return next.run(request).await;
    }
    let action = match request
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
    {
        Some("Baton.GetClock") => Action::Get,
        Some("Baton.AdvanceClock") => Action::Advance,
        _ => return next.run(request).await,
    };
    let (parts, body) = request.into_parts();
    let input = match json_action_body(body, &parts.headers, control.max_body).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let result = match action {
        Action::Get => Ok(control.now()),
        Action::Advance => control.advance(&input),
    };
    match result {
        Ok(v) => respond(StatusCode::OK, JSON_11, v),
        Err(e) => e.json_11(),
    }
}

enum Action {
    Get,
    Advance,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_in_seconds_or_rfc3339() {
        assert_eq!(instant(&json!(1.5)), Some(Millis(1500)));
        assert_eq!(
            instant(&json!("2027-01-01T00:00:00Z")),
            Some(Millis(1_798_761_600_000))
        );
        assert_eq!(instant(&json!("tomorrow")), None);
        assert_eq!(instant(&json!(1e300)), None);
        assert_eq!(instant(&json!(null)), None);
    }
}
