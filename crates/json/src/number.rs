//! JSON numbers: integers kept exact, everything else a finite `f64`.

use std::fmt;

/// A JSON number. Integers that fit 64 bits stay exact; other numbers are `f64`.
#[derive(Clone, Copy)]
pub struct Number(N);

#[derive(Clone, Copy)]
enum N {
    PosInt(u64),
    NegInt(i64),
    Float(f64),
}

impl Number {
    /// A number from a float; `None` for NaN and infinities, which JSON cannot carry.
    pub fn from_f64(f: f64) -> Option<Number> {
        f.is_finite().then_some(Number(N::Float(f)))
    }

    /// The value as a float (integers beyond 2^53 lose precision).
    #[inline]
    pub fn as_f64(&self) -> f64 {
        match self.0 {
            N::PosInt(u) => u as f64,
            N::NegInt(i) => i as f64,
            N::Float(f) => f,
        }
    }

    /// The value as an `i64` when it is an integer (written without a fraction) that fits.
    #[inline]
    pub fn as_i64(&self) -> Option<i64> {
        match self.0 {
            N::PosInt(u) => i64::try_from(u).ok(),
            N::NegInt(i) => Some(i),
            N::Float(_) => None,
        }
    }

    /// The value as a `u64` when it is a non-negative integer.
    #[inline]
    pub fn as_u64(&self) -> Option<u64> {
        match self.0 {
            N::PosInt(u) => Some(u),
            _ => None,
        }
    }

    /// `true` when the number was written or computed as an integer.
    #[inline]
    pub fn is_integer(&self) -> bool {
        !matches!(self.0, N::Float(_))
    }

    /// `true` when the number is a float.
    #[inline]
    pub fn is_f64(&self) -> bool {
        matches!(self.0, N::Float(_))
    }

    /// Numeric equality across representations: `1 == 1.0`.
    pub fn numeric_eq(&self, other: &Number) -> bool {
        match (self.0, other.0) {
            (N::PosInt(a), N::PosInt(b)) => a == b,
            (N::NegInt(a), N::NegInt(b)) => a == b,
            (N::PosInt(_), N::NegInt(_)) | (N::NegInt(_), N::PosInt(_)) => false,
            _ => self.as_f64() == other.as_f64(),
        }
    }

    pub(crate) fn from_serde(n: &serde_json::Number) -> Number {
        if let Some(u) = n.as_u64() {
            Number(N::PosInt(u))
        } else if let Some(i) = n.as_i64() {
            Number(N::NegInt(i))
        } else {
            Number(N::Float(n.as_f64().unwrap_or(0.0)))
        }
    }

    pub(crate) fn to_serde(self) -> serde_json::Number {
        match self.0 {
            N::PosInt(u) => u.into(),
            N::NegInt(i) => i.into(),
            N::Float(f) => serde_json::Number::from_f64(f).unwrap_or_else(|| 0.into()),
        }
    }

    /// Appends the number as serde_json writes it: `itoa` for integers, for floats the
    /// shortest digits that read back as the same number.
    pub(crate) fn write_json(&self, out: &mut Vec<u8>) {
        use serde_json::ser::{CompactFormatter, Formatter};
        // Writing to a Vec cannot fail.
        let _ = match self.0 {
            N::PosInt(u) => CompactFormatter.write_u64(out, u),
            N::NegInt(i) => CompactFormatter.write_i64(out, i),
            N::Float(f) => CompactFormatter.write_f64(out, f),
        };
    }

    pub(crate) fn serialize_into<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            N::PosInt(u) => s.serialize_u64(u),
            N::NegInt(i) => s.serialize_i64(i),
            N::Float(f) => s.serialize_f64(f),
        }
    }
}

impl From<u64> for Number {
    fn from(u: u64) -> Self {
        Number(N::PosInt(u))
    }
}

impl From<i64> for Number {
    fn from(i: i64) -> Self {
        if i >= 0 {
            Number(N::PosInt(i as u64))
        } else {
            Number(N::NegInt(i))
        }
    }
}

impl PartialEq for Number {
    /// Representation-sensitive equality (`1 != 1.0`), as `serde_json` has it; use
    /// [`Number::numeric_eq`] to compare values.
    fn eq(&self, other: &Self) -> bool {
        match (self.0, other.0) {
            (N::PosInt(a), N::PosInt(b)) => a == b,
            (N::NegInt(a), N::NegInt(b)) => a == b,
            (N::Float(a), N::Float(b)) => a == b,
            _ => false,
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.to_serde(), f)
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
