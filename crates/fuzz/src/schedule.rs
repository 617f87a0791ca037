//! EventBridge Scheduler's expressions and the schedule engine.

use std::sync::Arc;

use baton_triggers::schedule::engine::Engine;
use baton_triggers::schedule::expr::{Expression, time_zone};
use baton_triggers::schedule::{ScheduleDef, ScheduleTarget};

use crate::support::MACHINE;

/// An instant from a line of the input: a number of milliseconds (any `i64`), or one of a
/// few names for the edges of time.
fn instant(line: Option<&str>, default: i64) -> i64 {
    match line.map(str::trim) {
        None | Some("") => default,
        Some("min") => i64::MIN,
        Some("max") => i64::MAX,
        Some(s) => s.parse().unwrap_or(default),
    }
}

/// A schedule: the lines of the input are the expression, the time zone, then instants
/// (`after`, `anchor`, `now`, the start date, the end date; milliseconds, or `min` /
/// `max`, or empty for none). The expression parses or is refused with Scheduler's
/// message; its next occurrence after any instant is strictly after it, the last one due
/// lies between `after` and `now`, all found without overflowing or looping for ever;
/// the schedule engine arms it and pops what is due at any instant.
pub fn schedule(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let expression = lines.next().unwrap_or_default();
    let zone = lines.next().map(str::trim).filter(|z| !z.is_empty());
    let mut instants = lines.map(str::trim);
    let after = instant(instants.next(), 1_700_000_000_000);
    let anchor = instant(instants.next(), after);
    let now = instant(instants.next(), after.saturating_add(86_400_000));
    let start_date = instants.next().filter(|s| !s.is_empty());
    let start_date = start_date.map(|s| instant(Some(s), 0));
    let end_date = instants.next().filter(|s| !s.is_empty());
    let end_date = end_date.map(|s| instant(Some(s), 0));

    let parsed = Expression::parse(expression);
    let tz = time_zone(zone);
    let (expr, tz) = match (parsed, tz) {
        (Ok(e), Ok(tz)) => (e, tz),
        (Err(e), _) => {
            assert!(
                e.0.starts_with("Invalid Schedule Expression "),
                "an expression is refused as Scheduler does: {e}"
            );
            return;
        }
        (_, Err(e)) => {
            assert!(e.0.starts_with("Invalid time zone "), "{e}");
            return;
        }
    };

    if let Some(next) = expr.next_after(after, anchor, &tz) {
        assert!(
            next > after,
            "{expression}: next {next} is not after {after}"
        );
    }
    if let Some(last) = expr.last_due(after, anchor, now, &tz) {
        assert!(
            last > after && last <= now,
            "{expression}: last due {last} is not in ({after}, {now}]"
        );
    }

    let def = ScheduleDef {
        name: "s".into(),
        group: "default".into(),
        expression: expression.to_owned(),
        timezone: zone.map(str::to_owned),
        start_date,
        end_date,
        description: None,
        state: "ENABLED".into(),
        flexible_minutes: (after & 1 == 1).then_some(15),
        target: ScheduleTarget {
            arn: MACHINE.into(),
            role_arn: String::new(),
            input: None,
            max_retry_attempts: 0,
            max_event_age_seconds: 86_400,
            dead_letter_arn: None,
        },
        action_after_completion: "NONE".into(),
        kms_key_arn: None,
    };
    let Ok(compiled) = def.compile(anchor) else {
        return;
    };
    let compiled = Arc::new(compiled);
    let mut engine = Engine::new();
    engine.put("default/s".into(), Arc::clone(&compiled), None, after);
    engine.put(
        "default/t".into(),
        Arc::clone(&compiled),
        Some(after),
        after,
    );
    let mut wake = engine.next_wake();
    // A few firings, each strictly later than the last occurrence fired.
    let mut fired: Option<i64> = None;
    for _ in 0..4 {
        let Some(at) = wake else { break };
        for due in engine.pop_due(at.max(now)) {
            if due.key.as_ref() == "default/s" {
                if let Some(f) = fired {
                    assert!(due.scheduled > f, "{expression}: fired {f} again");
                }
                if let Some(end) = end_date {
                    assert!(due.scheduled <= end, "{expression}: fired after its end");
                }
                fired = Some(due.scheduled);
            }
        }
        wake = engine.next_wake();
    }
}
