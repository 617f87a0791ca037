//! Time for the runtime: wall-clock, or virtual (starting at a chosen instant, running at
//! real speed, and moved ahead on demand).
//!
//! Clones of a virtual clock share its time: moving one ahead moves them all, so a server's
//! timer heap and its executions agree on what time it is.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use baton_engine::Millis;

/// A source of the current time.
#[derive(Debug, Clone)]
pub struct Clock {
    /// `Some` for a virtual clock.
    virtual_time: Option<Arc<VirtualTime>>,
}

#[derive(Debug)]
struct VirtualTime {
    /// The instant it started at.
    start: Millis,
    real_start: Instant,
    /// How far it was moved ahead, in milliseconds.
    skipped_ms: AtomicI64,
}

impl Clock {
    /// The system clock.
    pub fn real() -> Clock {
        Clock { virtual_time: None }
    }

    /// A clock that starts at `start` and runs at real speed, except that
    /// [`Clock::skip_to`] and [`Clock::advance`] move it ahead.
    pub fn starting_at(start: Millis) -> Clock {
        Clock {
            virtual_time: Some(Arc::new(VirtualTime {
                start,
                real_start: Instant::now(),
                skipped_ms: AtomicI64::new(0),
            })),
        }
    }

    /// `true` for a virtual clock.
    pub fn is_virtual(&self) -> bool {
        self.virtual_time.is_some()
    }

    /// The current time.
    pub fn now(&self) -> Millis {
        match &self.virtual_time {
            None => {
                let since = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or_default();
                Millis(i64::try_from(since.as_millis()).unwrap_or(i64::MAX))
            }
            Some(v) => {
                let elapsed = i64::try_from(v.real_start.elapsed().as_millis()).unwrap_or(0);
                Millis(v.start.0 + elapsed + v.skipped_ms.load(Ordering::Acquire))
            }
        }
    }

    /// Moves a virtual clock forward to `t` (no effect on a real clock or a past `t`).
    pub fn skip_to(&self, t: Millis) {
        let now = self.now();
        if t > now {
            self.advance(Duration::from_millis(
                u64::try_from(t.0 - now.0).unwrap_or(0),
            ));
        }
    }

    /// Moves a virtual clock forward by `by`; `false` for a real clock, which cannot be.
    pub fn advance(&self, by: Duration) -> bool {
        match &self.virtual_time {
            None => false,
            Some(v) => {
                let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
                v.skipped_ms.fetch_add(ms, Ordering::AcqRel);
                true
            }
        }
    }

    /// How long to sleep, in real time, until `t`.
    pub fn until(&self, t: Millis) -> Duration {
        Duration::from_millis(u64::try_from(t.0 - self.now().0).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_of_a_virtual_clock_share_its_time() {
        let a = Clock::starting_at(Millis(1_000_000));
        let b = a.clone();
        assert!(a.advance(Duration::from_secs(86_400)));
        assert!(b.now().0 >= 1_000_000 + 86_400_000);
        b.skip_to(Millis(2_000_000_000));
        assert!(a.now().0 >= 2_000_000_000);
        assert!(!Clock::real().advance(Duration::from_secs(1)));
    }
}
