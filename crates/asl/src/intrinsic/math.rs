//! `States.MathAdd` and `States.MathRandom`.

use baton_json::Value;

use super::eval::{Invalid, Outcome, int_arg};
use crate::scope::Scope;

/// The sum of two numbers, each first rounded to an integer as Java's `Math.round` does
/// (halves toward positive infinity: `2.5` is `3`, `-2.5` is `-2`).
pub(super) fn add(args: &[Value]) -> Outcome {
    let [a, b] = args else { return Err(Invalid) };
    let (a, b) = (rounded(a).ok_or(Invalid)?, rounded(b).ok_or(Invalid)?);
    a.checked_add(b).map(Value::from).ok_or(Invalid)
}

fn rounded(v: &Value) -> Option<i64> {
    let n = v.as_number()?;
    if let Some(i) = n.as_i64() {
        return Some(i);
    }
    let f = n.as_f64();
    let r = if f.fract() == -0.5 {
        f.round() + 1.0
    } else {
        f.round()
    };
    // Saturates outside the `i64` range, as Java's `Math.round` does.
    Some(r as i64)
}

/// An integer in `[start, end)`, the bounds truncated to integers. With a seed the
/// result depends only on the seed (Java's `new Random(seed).nextInt(end - start)`);
/// without, it comes from the execution's random stream.
pub(super) fn random(args: &[Value], scope: &mut dyn Scope) -> Outcome {
    let (start, end, seed) = match args {
        [start, end] => (start, end, None),
        [start, end, seed] => (start, end, Some(seed)),
        _ => return Err(Invalid),
    };
    let start = int_arg(start).ok_or(Invalid)?;
    let end = int_arg(end).ok_or(Invalid)?;
    if start >= end {
        return Err(Invalid);
    }
    let bound = end - start;
    let offset = match seed {
        Some(seed) => {
            let n = seed.as_number().ok_or(Invalid)?;
            let seed = n.as_i64().unwrap_or_else(|| n.as_f64().trunc() as i64);
            let mut random = JavaRandom::new(seed);
            match i32::try_from(bound) {
                Ok(bound) => i64::from(random.next_int(bound)),
                Err(_) => ((u128::from(random.next_long() as u64) * bound as u128) >> 64) as i64,
            }
        }
        None => ((u128::from(scope.random_u64()) * bound as u128) >> 64) as i64,
    };
    Ok(Value::from(start + offset))
}

/// `java.util.Random`: a 48-bit linear congruential generator.
struct JavaRandom {
    seed: u64,
}

impl JavaRandom {
    const MULTIPLIER: u64 = 0x5_DEEC_E66D;
    const MASK: u64 = (1 << 48) - 1;

    fn new(seed: i64) -> JavaRandom {
        JavaRandom {
            seed: (seed as u64 ^ Self::MULTIPLIER) & Self::MASK,
        }
    }

    fn next(&mut self, bits: u32) -> i32 {
        self.seed = (self.seed.wrapping_mul(Self::MULTIPLIER).wrapping_add(0xB)) & Self::MASK;
        (self.seed >> (48 - bits)) as i64 as i32
    }

    /// `nextInt(bound)` for a positive bound.
    fn next_int(&mut self, bound: i32) -> i32 {
        let mut r = self.next(31);
        let m = bound - 1;
        if bound & m == 0 {
            return ((i64::from(bound) * i64::from(r)) >> 31) as i32;
        }
        let mut u = r;
        loop {
            r = u % bound;
            if u.wrapping_sub(r).wrapping_add(m) >= 0 {
                return r;
            }
            u = self.next(31);
        }
    }

    fn next_long(&mut self) -> i64 {
        (i64::from(self.next(32)) << 32).wrapping_add(i64::from(self.next(32)))
    }
}

#[cfg(test)]
mod tests {
    use super::JavaRandom;

    #[test]
    fn java_random_matches_the_jdk() {
        // `new java.util.Random(42)`: `nextInt()` is -1170105035; `nextInt(100)` gives
        // 30, 63, 48; `nextInt(10)` gives 0, 3. Seed 0: `nextInt(100)` gives 60.
        assert_eq!(JavaRandom::new(42).next(32), -1_170_105_035);
        let mut r = JavaRandom::new(42);
        assert_eq!(
            [r.next_int(100), r.next_int(100), r.next_int(100)],
            [30, 63, 48]
        );
        let mut r = JavaRandom::new(42);
        assert_eq!([r.next_int(10), r.next_int(10)], [0, 3]);
        assert_eq!(JavaRandom::new(0).next_int(100), 60);
        assert_eq!(JavaRandom::new(1).next_int(16), 11);
    }
}
