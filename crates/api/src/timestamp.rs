//! Points in time as the AWS JSON protocol writes them: seconds since the Unix epoch, with
//! milliseconds as the fraction (`1712345678.123`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A point in time with millisecond precision, written as epoch seconds on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp {
    millis: i64,
}

impl Timestamp {
    /// The instant `millis` milliseconds after the Unix epoch.
    pub const fn from_unix_millis(millis: i64) -> Self {
        Timestamp { millis }
    }

    /// Milliseconds since the Unix epoch.
    pub const fn unix_millis(self) -> i64 {
        self.millis
    }

    /// Seconds since the Unix epoch, as written on the wire.
    pub fn unix_seconds(self) -> f64 {
        self.millis as f64 / 1000.0
    }

    /// The instant of `seconds` since the Unix epoch, rounded to the millisecond; `None` when
    /// it is not finite or out of range.
    pub fn from_unix_seconds(seconds: f64) -> Option<Self> {
        let millis = (seconds * 1000.0).round();
        (millis.is_finite() && millis.abs() < 9.0e15)
            .then(|| Timestamp::from_unix_millis(millis as i64))
    }

    /// The current time of the system clock.
    pub fn now() -> Self {
        SystemTime::now().into()
    }
}

impl From<SystemTime> for Timestamp {
    fn from(t: SystemTime) -> Self {
        let millis = match t.duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
            Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
        };
        Timestamp { millis }
    }
}

impl From<Timestamp> for SystemTime {
    fn from(t: Timestamp) -> Self {
        let d = Duration::from_millis(t.millis.unsigned_abs());
        if t.millis >= 0 {
            UNIX_EPOCH + d
        } else {
            UNIX_EPOCH - d
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.unix_seconds())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let seconds = f64::deserialize(deserializer)?;
        Timestamp::from_unix_seconds(seconds)
            .ok_or_else(|| serde::de::Error::custom("timestamp out of range"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_as_epoch_seconds_with_milliseconds() {
        let t = Timestamp::from_unix_millis(1_712_345_678_123);
        assert_eq!(serde_json::to_string(&t).unwrap(), "1712345678.123");
        let whole = Timestamp::from_unix_millis(1_712_345_678_000);
        assert_eq!(serde_json::to_string(&whole).unwrap(), "1712345678.0");
        let back: Timestamp = serde_json::from_str("1712345678.123").unwrap();
        assert_eq!(back, t);
        let int: Timestamp = serde_json::from_str("1712345678").unwrap();
        assert_eq!(int, whole);
    }

    #[test]
    fn system_time_round_trip() {
        let t = Timestamp::from_unix_millis(1_000);
        assert_eq!(Timestamp::from(SystemTime::from(t)), t);
        let before = Timestamp::from_unix_millis(-1_500);
        assert_eq!(Timestamp::from(SystemTime::from(before)), before);
    }
}
