//! Schedule expressions as EventBridge Scheduler defines them, and their occurrences.
//!
//! - `at(yyyy-mm-ddThh:mm:ss)`: once, at that wall-clock time in the schedule's time zone.
//! - `rate(value unit)`: every `value` minutes, hours or days (durations: a day is 24
//!   hours whatever daylight saving time does), from the start date (or the creation).
//! - `cron(minutes hours day-of-month month day-of-week year)`: six fields; `,` `-` `*`
//!   `/` everywhere, `?` in one of day-of-month and day-of-week (exactly one of them),
//!   `L` (last day of the month; in day-of-week, `5L` is the month's last Thursday, `L`
//!   alone Saturday), `W` (`15W`: the weekday nearest the 15th; `LW`: the last weekday),
//!   `#` (`3#2`: the month's second Tuesday). Day-of-week counts 1 (SUN) to 7 (SAT);
//!   months and days also take their three-letter names. Years run 1970 to 2199.
//!
//! Cron occurrences are wall-clock times in the time zone: one that falls in the gap
//! when clocks go forward is skipped, one in the hour repeated when they go back happens
//! once (the first time), as Scheduler does. The parser is this crate's own: no cron crate
//! speaks this dialect (six fields ending with the year, `?`, Sunday as 1).

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::{AmbiguousOffset, TimeZone};

/// A parsed schedule expression.
#[derive(Debug, Clone)]
pub enum Expression {
    /// `at(...)`: one wall-clock time.
    At(DateTime),
    /// `rate(...)`: a period in milliseconds.
    Rate(i64),
    /// `cron(...)`.
    Cron(Box<Cron>),
}

/// Why an expression or a time zone is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ExpressionError(pub String);

fn bad<T>(expression: &str) -> Result<T, ExpressionError> {
    Err(ExpressionError(format!(
        "Invalid Schedule Expression {expression}."
    )))
}

const MINUTE: i64 = 60_000;

/// The six fields of a cron expression, as sets.
#[derive(Debug, Clone)]
pub struct Cron {
    minutes: u64,
    hours: u32,
    months: u16,
    /// Bit `y - 1970` for each year.
    years: [u64; 4],
    days: Days,
}

#[derive(Debug, Clone)]
enum Days {
    /// Day-of-month given, day-of-week `?`.
    OfMonth {
        days: u32,
        last: bool,
        last_weekday: bool,
        nearest_weekday: Vec<i8>,
    },
    /// Day-of-week given, day-of-month `?`.
    OfWeek {
        days: u8,
        last: Vec<i8>,
        nth: Vec<(i8, i8)>,
    },
}

impl Expression {
    /// Parses `at(...)`, `rate(...)` or `cron(...)`.
    pub fn parse(text: &str) -> Result<Expression, ExpressionError> {
        let t = text.trim();
        if let Some(inner) = t.strip_prefix("at(").and_then(|r| r.strip_suffix(')')) {
            let dt: DateTime = match inner.parse() {
                Ok(dt) if inner.len() == 19 && inner.as_bytes()[10] == b'T' => dt,
                _ => return bad(text),
            };
            return Ok(Expression::At(dt));
        }
        if let Some(inner) = t.strip_prefix("rate(").and_then(|r| r.strip_suffix(')')) {
            let mut parts = inner.split_whitespace();
            let (Some(value), Some(unit), None) = (parts.next(), parts.next(), parts.next()) else {
                return bad(text);
            };
            let Ok(value) = value.parse::<i64>() else {
                return bad(text);
            };
            let unit = match unit {
                "minute" | "minutes" => MINUTE,
                "hour" | "hours" => 60 * MINUTE,
                "day" | "days" => 24 * 60 * MINUTE,
                _ => return bad(text),
            };
            if !(1..=1_000_000).contains(&value) {
                return bad(text);
            }
            return Ok(Expression::Rate(value * unit));
        }
        if let Some(inner) = t.strip_prefix("cron(").and_then(|r| r.strip_suffix(')')) {
            return Cron::parse(inner)
                .map(|c| Expression::Cron(Box::new(c)))
                .map_or_else(|| bad(text), Ok);
        }
        bad(text)
    }

    /// The first occurrence strictly after `after` (milliseconds since the epoch), for a
    /// schedule anchored at `anchor` (its start date, or its creation: where a rate
    /// counts from), in `tz`. `None` when there is none.
    pub fn next_after(&self, after: i64, anchor: i64, tz: &TimeZone) -> Option<i64> {
        match self {
            Expression::At(dt) => {
                let at = wall_clock(tz, *dt).or_else(|| {
                    // An at() in a gap: the wall-clock time does not exist; run it moved
                    // ahead by the gap (02:30 becomes 03:30) rather than never.
                    tz.to_ambiguous_timestamp(*dt)
                        .compatible()
                        .ok()
                        .map(Timestamp::as_millisecond)
                })?;
                (at > after).then_some(at)
            }
            Expression::Rate(period) => {
                if after < anchor {
                    return Some(anchor);
                }
                // In 128 bits: `after` and `anchor` may be any instants; an occurrence
                // past the last instant there is is none.
                let (after, anchor, period) =
                    (i128::from(after), i128::from(anchor), i128::from(*period));
                let k = (after - anchor) / period + 1;
                i64::try_from(anchor + k * period).ok()
            }
            Expression::Cron(cron) => cron.next_after(after, tz),
        }
    }

    /// The last occurrence at or before `now`, among those strictly after `after`: the
    /// one a schedule fires for after missing several (`None` when none fell due).
    pub fn last_due(&self, after: i64, anchor: i64, now: i64, tz: &TimeZone) -> Option<i64> {
        match self {
            Expression::Rate(period) => {
                let first = self.next_after(after, anchor, tz)?;
                // At most `now`, so within i64; the difference may not be.
                let last = |first: i64| {
                    let (first, now, period) =
                        (i128::from(first), i128::from(now), i128::from(*period));
                    (first + (now - first) / period * period) as i64
                };
                (first <= now).then(|| last(first))
            }
            _ => {
                let mut last = None;
                // From two days before the last occurrence at or before `now`, found
                // searching back: going forward from `after` (a cursor years old, a
                // start date at the first instant) took up to a year of minutes.
                let mut t = match self {
                    Expression::Cron(cron) => {
                        let latest = cron.last_at_or_before(now, tz)?;
                        if latest <= after {
                            return None;
                        }
                        after.max(latest.saturating_sub(2 * 24 * 60 * MINUTE))
                    }
                    _ => after,
                };
                // A year of minutes at most: beyond, the most recent found is close enough.
                for _ in 0..600_000 {
                    match self.next_after(t, anchor, tz) {
                        Some(n) if n <= now => {
                            last = Some(n);
                            t = n;
                        }
                        _ => break,
                    }
                }
                last
            }
        }
    }
}

/// The instant of a wall-clock time in `tz`: `None` in a gap, the first in a fold.
fn wall_clock(tz: &TimeZone, dt: DateTime) -> Option<i64> {
    let amb = tz.to_ambiguous_timestamp(dt);
    if matches!(amb.offset(), AmbiguousOffset::Gap { .. }) {
        return None;
    }
    amb.earlier().ok().map(Timestamp::as_millisecond)
}

/// Parses a time zone name (IANA, e.g. `Europe/Paris`; `UTC` when absent).
pub fn time_zone(name: Option<&str>) -> Result<TimeZone, ExpressionError> {
    match name {
        None | Some("") => Ok(TimeZone::UTC),
        Some(n) => TimeZone::get(n).map_err(|_| ExpressionError(format!("Invalid time zone {n}."))),
    }
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

fn number(s: &str, names: &[&str], low: i32) -> Option<i32> {
    if let Ok(n) = s.parse::<i32>() {
        return Some(n);
    }
    names
        .iter()
        .position(|n| n.eq_ignore_ascii_case(s))
        .map(|i| i as i32 + low)
}

/// The values of a plain field (`,` `-` `*` `/`) within `low..=high`.
fn field(text: &str, low: i32, high: i32, names: &[&str]) -> Option<Vec<i32>> {
    let mut out = Vec::new();
    for item in text.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => (r, Some(s.parse::<i32>().ok().filter(|s| *s > 0)?)),
            None => (item, None),
        };
        let (from, to) = if range == "*" {
            (low, high)
        } else if let Some((a, b)) = range.split_once('-') {
            (number(a, names, low)?, number(b, names, low)?)
        } else {
            let a = number(range, names, low)?;
            (a, if step.is_some() { high } else { a })
        };
        if from < low || to > high || from > to {
            return None;
        }
        let mut v = from;
        while v <= to {
            out.push(v);
            // A step may be as large as an i32 is (`1/2147483647`).
            match v.checked_add(step.unwrap_or(1)) {
                Some(next) => v = next,
                None => break,
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

fn bits<T: Default + std::ops::BitOrAssign + From<u8> + std::ops::Shl<i32, Output = T>>(
    values: &[i32],
    offset: i32,
) -> T {
    let mut b = T::default();
    for v in values {
        b |= T::from(1u8) << (v - offset);
    }
    b
}

impl Cron {
    /// Parses the six fields (inside `cron(...)`).
    pub fn parse(text: &str) -> Option<Cron> {
        let f: Vec<&str> = text.split_whitespace().collect();
        let [min, hour, dom, month, dow, year] = f[..] else {
            return None;
        };
        let minutes: u64 = bits(&field(min, 0, 59, &[])?, 0);
        let hours: u32 = bits(&field(hour, 0, 23, &[])?, 0);
        let months: u16 = bits(&field(month, 1, 12, &MONTHS)?, 0);
        let mut years = [0u64; 4];
        for y in field(year, 1970, 2199, &[])? {
            let i = (y - 1970) as usize;
            years[i / 64] |= 1 << (i % 64);
        }
        let days = match (dom, dow) {
            ("?", "?") => return None,
            (_, "?") => Cron::days_of_month(dom)?,
            ("?", _) => Cron::days_of_week(dow)?,
            _ => return None,
        };
        Some(Cron {
            minutes,
            hours,
            months,
            years,
            days,
        })
    }

    fn days_of_month(text: &str) -> Option<Days> {
        let mut days = 0u32;
        let mut last = false;
        let mut last_weekday = false;
        let mut nearest_weekday = Vec::new();
        for item in text.split(',') {
            match item {
                "L" => last = true,
                "LW" => last_weekday = true,
                _ if item.ends_with('W') => {
                    let n: i8 = item[..item.len() - 1].parse().ok()?;
                    if !(1..=31).contains(&n) {
                        return None;
                    }
                    nearest_weekday.push(n);
                }
                _ => days |= bits::<u32>(&field(item, 1, 31, &[])?, 0),
            }
        }
        Some(Days::OfMonth {
            days,
            last,
            last_weekday,
            nearest_weekday,
        })
    }

    fn days_of_week(text: &str) -> Option<Days> {
        let mut days = 0u8;
        let mut last = Vec::new();
        let mut nth = Vec::new();
        for item in text.split(',') {
            if item == "L" {
                days |= 1 << 7;
            } else if let Some(d) = item.strip_suffix('L') {
                let d = number(d, &DAYS, 1).filter(|d| (1..=7).contains(d))?;
                last.push(d as i8);
            } else if let Some((d, n)) = item.split_once('#') {
                let d = number(d, &DAYS, 1).filter(|d| (1..=7).contains(d))?;
                let n: i8 = n.parse().ok()?;
                if !(1..=5).contains(&n) {
                    return None;
                }
                nth.push((d as i8, n));
            } else {
                days |= bits::<u8>(&field(item, 1, 7, &DAYS)?, 0);
            }
        }
        Some(Days::OfWeek { days, last, nth })
    }

    fn year_ok(&self, y: i16) -> bool {
        let i = i32::from(y) - 1970;
        (0..230).contains(&i) && self.years[(i / 64) as usize] & (1 << (i % 64)) != 0
    }

    fn day_ok(&self, d: Date) -> bool {
        let day = d.day();
        let dim = d.days_in_month();
        let weekday = d.weekday().to_sunday_one_offset();
        match &self.days {
            Days::OfMonth {
                days,
                last,
                last_weekday,
                nearest_weekday,
            } => {
                days & (1 << day) != 0
                    || (*last && day == dim)
                    || (*last_weekday && day == last_weekday_of(d))
                    || nearest_weekday
                        .iter()
                        .any(|n| nearest_weekday_to(d, *n) == Some(day))
            }
            Days::OfWeek { days, last, nth } => {
                days & (1 << weekday) != 0
                    || (days & (1 << 7) != 0 && weekday == 7)
                    || last.iter().any(|w| *w == weekday && day + 7 > dim)
                    || nth
                        .iter()
                        .any(|(w, n)| *w == weekday && (day - 1) / 7 + 1 == *n)
            }
        }
    }

    fn next_after(&self, after: i64, tz: &TimeZone) -> Option<i64> {
        let start = match Timestamp::from_millisecond(after) {
            Ok(t) => t,
            // Before the first instant there is a calendar for: from that one.
            Err(_) if after < 0 => Timestamp::MIN,
            Err(_) => return None,
        };
        let local = tz.to_datetime(start);
        // Wall-clock times from the minute after `after`'s (a fold may put an occurrence
        // at an earlier wall-clock time but a later instant: those are never taken).
        let mut date = local.date();
        let mut from_minute = i32::from(local.hour()) * 60 + i32::from(local.minute()) + 1;
        loop {
            if date.year() > 2199 {
                return None;
            }
            if !self.year_ok(date.year()) {
                date = Date::new(date.year().checked_add(1)?, 1, 1).ok()?;
                from_minute = 0;
                continue;
            }
            if self.months & (1 << date.month()) == 0 {
                date = date.last_of_month().tomorrow().ok()?;
                from_minute = 0;
                continue;
            }
            if self.day_ok(date) {
                for m in from_minute..24 * 60 {
                    let (h, mi) = (m / 60, m % 60);
                    if self.hours & (1 << h) == 0 || self.minutes & (1 << mi) == 0 {
                        continue;
                    }
                    let dt =
                        date.to_datetime(jiff::civil::Time::new(h as i8, mi as i8, 0, 0).ok()?);
                    if let Some(t) = wall_clock(tz, dt).filter(|t| *t > after) {
                        return Some(t);
                    }
                }
            }
            date = date.tomorrow().ok()?;
            from_minute = 0;
        }
    }
}

impl Cron {
    /// The latest occurrence at or before `now`, searching back from it a day at a time
    /// (years and months that cannot hold one skipped whole).
    fn last_at_or_before(&self, now: i64, tz: &TimeZone) -> Option<i64> {
        let end = match Timestamp::from_millisecond(now) {
            Ok(t) => t,
            // After the last instant there is a calendar for: from that one.
            Err(_) if now > 0 => Timestamp::MAX,
            Err(_) => return None,
        };
        let mut date = tz.to_datetime(end).date();
        loop {
            if date.year() < 1970 {
                return None;
            }
            if !self.year_ok(date.year()) {
                date = Date::new(date.year().checked_sub(1)?, 12, 31).ok()?;
                continue;
            }
            if self.months & (1 << date.month()) == 0 {
                date = date.first_of_month().yesterday().ok()?;
                continue;
            }
            if self.day_ok(date) {
                // The latest instant of the day's occurrences at or before `now` (in a
                // fold, a later wall-clock time may be an earlier instant).
                let mut latest = None;
                for m in 0..24 * 60 {
                    let (h, mi) = (m / 60, m % 60);
                    if self.hours & (1 << h) == 0 || self.minutes & (1 << mi) == 0 {
                        continue;
                    }
                    let dt =
                        date.to_datetime(jiff::civil::Time::new(h as i8, mi as i8, 0, 0).ok()?);
                    if let Some(t) = wall_clock(tz, dt).filter(|t| *t <= now) {
                        latest = latest.max(Some(t));
                    }
                }
                if latest.is_some() {
                    return latest;
                }
            }
            date = date.yesterday().ok()?;
        }
    }
}

fn is_weekend(d: Date) -> bool {
    matches!(d.weekday().to_sunday_one_offset(), 1 | 7)
}

fn last_weekday_of(d: Date) -> i8 {
    let mut last = d.last_of_month();
    while is_weekend(last) {
        last = last.yesterday().unwrap_or(last);
    }
    last.day()
}

/// The day of the weekday (Monday to Friday) nearest the `n`th of `d`'s month, within
/// the month.
fn nearest_weekday_to(d: Date, n: i8) -> Option<i8> {
    let dim = d.days_in_month();
    if n > dim {
        return None;
    }
    let target = Date::new(d.year(), d.month(), n).ok()?;
    Some(match target.weekday().to_sunday_one_offset() {
        7 if n == 1 => 3,
        7 => n - 1,
        1 if n == dim => n - 2,
        1 => n + 1,
        _ => n,
    })
}

#[cfg(test)]
mod tests;
