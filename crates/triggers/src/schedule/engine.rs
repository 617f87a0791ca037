//! Which schedule fires next: one heap of due times for every schedule (not a timer per
//! schedule), pure (the caller says what time it is), so that it is tested on a virtual
//! clock.
//!
//! Each schedule has at most one slot in the heap: its next occurrence after its cursor
//! (the last occurrence handled). A slot whose occurrence is already past when it is armed
//! (the server was down, or the schedule was behind) stands for the *latest* past
//! occurrence and is due at once: missed occurrences fire once, not once each. Changing
//! or removing a schedule bumps its generation; slots of older generations are dropped
//! when they come up.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;

use jiff::tz::TimeZone;

use super::ScheduleDef;
use super::expr::Expression;

/// A schedule ready to run: its definition with its expression and time zone parsed.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// The definition.
    pub def: ScheduleDef,
    /// Its expression.
    pub expr: Expression,
    /// Its time zone.
    pub tz: TimeZone,
    /// Where a rate counts from: the start date, else the creation.
    pub anchor: i64,
}

impl Compiled {
    /// The first occurrence after `after` within the start and end dates.
    fn next_after(&self, after: i64) -> Option<i64> {
        let after = match self.def.start_date {
            Some(start) => after.max(start.saturating_sub(1)),
            None => after,
        };
        let next = self.expr.next_after(after, self.anchor, &self.tz)?;
        self.within_end(next)
    }

    /// The latest occurrence after `after` and at or before `now` (and the end date).
    fn last_due(&self, after: i64, now: i64) -> Option<i64> {
        let after = match self.def.start_date {
            Some(start) => after.max(start.saturating_sub(1)),
            None => after,
        };
        let until = self.def.end_date.map_or(now, |end| end.min(now));
        self.expr.last_due(after, self.anchor, until, &self.tz)
    }

    fn within_end(&self, t: i64) -> Option<i64> {
        match self.def.end_date {
            Some(end) if t > end => None,
            _ => Some(t),
        }
    }
}

/// An occurrence to fire.
#[derive(Debug, Clone)]
pub struct Due {
    /// The schedule's key (`GROUP/NAME`).
    pub key: Arc<str>,
    /// The schedule.
    pub schedule: Arc<Compiled>,
    /// The occurrence's time (what `<aws.scheduler.scheduled-time>` says).
    pub scheduled: i64,
    /// When it was due to fire (later than `scheduled` within a flexible window).
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Slot {
    at: i64,
    generation: u64,
    key: Arc<str>,
    scheduled: i64,
}

struct Entry {
    schedule: Arc<Compiled>,
    generation: u64,
    cursor: Option<i64>,
}

/// Every schedule and its next slot.
#[derive(Default)]
pub struct Engine {
    entries: HashMap<Arc<str>, Entry>,
    heap: BinaryHeap<Reverse<Slot>>,
    generations: u64,
}

impl Engine {
    /// An engine without schedules.
    pub fn new() -> Engine {
        Engine::default()
    }

    /// How many schedules it holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds or replaces a schedule, whose last handled occurrence is `cursor`, and arms
    /// its next occurrence as of `now`.
    pub fn put(&mut self, key: Arc<str>, schedule: Arc<Compiled>, cursor: Option<i64>, now: i64) {
        self.generations += 1;
        self.entries.insert(
            Arc::clone(&key),
            Entry {
                schedule,
                generation: self.generations,
                cursor,
            },
        );
        self.arm(&key, now);
    }

    /// Removes a schedule.
    pub fn remove(&mut self, key: &str) {
        self.entries.remove(key);
    }

    /// Whether the schedule `key` has an occurrence to come.
    pub fn is_armed(&self, key: &str) -> bool {
        let Some(entry) = self.entries.get(key) else {
            return false;
        };
        self.heap
            .iter()
            .any(|Reverse(s)| s.generation == entry.generation && &*s.key == key)
    }

    /// When the earliest slot is due, if there is one.
    pub fn next_wake(&mut self) -> Option<i64> {
        // Drop stale slots from the top so that they do not wake anyone.
        while let Some(Reverse(top)) = self.heap.peek() {
            if self.is_live(top) {
                return Some(top.at);
            }
            self.heap.pop();
        }
        None
    }

    /// Every occurrence due at `now`, each schedule re-armed for its next one.
    pub fn pop_due(&mut self, now: i64) -> Vec<Due> {
        let mut out = Vec::new();
        while let Some(Reverse(top)) = self.heap.peek() {
            if top.at > now {
                break;
            }
            let Some(Reverse(slot)) = self.heap.pop() else {
                break;
            };
            if !self.is_live(&slot) {
                continue;
            }
            let Some(entry) = self.entries.get_mut(&slot.key) else {
                continue;
            };
            // Later occurrences may be due as well (the clock jumped ahead, or this came up
            // late): the latest of them stands for all, once.
            let scheduled = entry
                .schedule
                .last_due(slot.scheduled, now)
                .unwrap_or(slot.scheduled);
            entry.cursor = Some(scheduled);
            out.push(Due {
                key: Arc::clone(&slot.key),
                schedule: Arc::clone(&entry.schedule),
                scheduled,
                at: slot.at,
            });
            self.arm(&slot.key, now);
        }
        out
    }

    fn is_live(&self, slot: &Slot) -> bool {
        self.entries
            .get(&slot.key)
            .is_some_and(|e| e.generation == slot.generation)
    }

    fn arm(&mut self, key: &Arc<str>, now: i64) {
        let Some(entry) = self.entries.get(key) else {
            return;
        };
        let s = &entry.schedule;
        if !s.def.enabled() {
            return;
        }
        let after = entry.cursor.unwrap_or(s.anchor.saturating_sub(1));
        let Some(next) = s.next_after(after) else {
            return;
        };
        let (scheduled, at) = if next <= now {
            // Missed (or exactly now): the latest occurrence due, once, right away.
            (s.last_due(after, now).unwrap_or(next), now)
        } else {
            (
                next,
                next.saturating_add(flex_offset(key, next, s.def.flexible_minutes)),
            )
        };
        self.heap.push(Reverse(Slot {
            at,
            generation: entry.generation,
            key: Arc::clone(key),
            scheduled,
        }));
    }
}

/// Where within its flexible window an occurrence fires: spread by a hash of the schedule
/// and the occurrence, so that a restart picks the same moment.
fn flex_offset(key: &str, scheduled: i64, minutes: Option<u32>) -> i64 {
    let Some(window) = minutes.filter(|m| *m > 0).map(|m| i64::from(m) * 60_000) else {
        return 0;
    };
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes().chain(scheduled.to_le_bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    (h % window as u64) as i64
}

#[cfg(test)]
mod tests;
