//! Time as the engine sees it: a number the caller passes in, never read from a clock.

use time::OffsetDateTime;

/// Milliseconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Millis(pub i64);

impl Millis {
    /// This instant plus `ms` milliseconds (saturating).
    pub fn plus(self, ms: u64) -> Millis {
        Millis(self.0.saturating_add(i64::try_from(ms).unwrap_or(i64::MAX)))
    }

    /// The instant as a date-time (UTC); the epoch when out of range.
    pub fn to_datetime(self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    /// The instant of a date-time, to the millisecond.
    pub fn from_datetime(t: OffsetDateTime) -> Millis {
        Millis(i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX))
    }

    /// As Step Functions writes timestamps in context objects: `2024-01-01T00:00:00.000Z`.
    pub fn to_rfc3339(self) -> String {
        baton_asl::timestamp::format_millis(self.to_datetime())
    }
}
