//! Time for the runtime: wall-clock, or virtual (starting at a chosen instant, skipping
//! idle waits).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use baton_engine::Millis;

/// A source of the current time.
#[derive(Debug, Clone)]
pub struct Clock {
    /// `Some` for a virtual clock: the instant it started at.
    virtual_start: Option<Millis>,
    real_start: Instant,
    skipped_ms: i64,
}

impl Clock {
    /// The system clock.
    pub fn real() -> Clock {
        Clock {
            virtual_start: None,
            real_start: Instant::now(),
            skipped_ms: 0,
        }
    }

    /// A clock that starts at `start` and runs at real speed, except that
    /// [`Clock::skip_to`] jumps ahead.
    pub fn starting_at(start: Millis) -> Clock {
        Clock {
            virtual_start: Some(start),
            real_start: Instant::now(),
            skipped_ms: 0,
        }
    }

    /// `true` for a virtual clock.
    pub fn is_virtual(&self) -> bool {
        self.virtual_start.is_some()
    }

    /// The current time.
    pub fn now(&self) -> Millis {
        match self.virtual_start {
            None => {
                let since = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or_default();
                Millis(i64::try_from(since.as_millis()).unwrap_or(i64::MAX))
            }
            Some(start) => {
                let elapsed = i64::try_from(self.real_start.elapsed().as_millis()).unwrap_or(0);
                Millis(start.0 + elapsed + self.skipped_ms)
            }
        }
    }

    /// Moves a virtual clock forward to `t` (no effect on a real clock or a past `t`).
    pub fn skip_to(&mut self, t: Millis) {
        if self.is_virtual() {
            let now = self.now();
            if t > now {
                self.skipped_ms += t.0 - now.0;
            }
        }
    }

    /// How long to sleep, in real time, until `t`.
    pub fn until(&self, t: Millis) -> Duration {
        Duration::from_millis(u64::try_from(t.0 - self.now().0).unwrap_or(0))
    }
}
