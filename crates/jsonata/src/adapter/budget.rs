//! The memory and nesting bounds of [`Limits`](crate::Limits), applied to the values an
//! evaluation builds.
//!
//! jsonata-core has no hook on the values it builds, so the adapter rewrites the
//! expressions that can build large or deep values into calls of host functions that
//! measure first (see `adapter::guard`): `&` is replaced, string functions are handed
//! their arguments through a check, constructors and the functions and paths that fill
//! arrays with shared values pass their result through one. This module is what those
//! host functions share for one evaluation: the measure of a value, and the account of
//! the strings made that are still alive.
//!
//! A value is measured as AWS's bound counts it (see [`Limits::max_memory`]): a
//! string its UTF-8 length, an array item or object member 8 bytes besides its
//! contents, a member its name's length too. A value shared in several places counts
//! in each: that is what a walk of it (an equality, `$string`, the conversion of the
//! result) costs. Every item counts at least 8 bytes, so measuring stops after at most
//! `max_memory / 8` items, and what was measured before (objects, by identity) is not
//! walked again: a value built by doubling a shared object is measured in a step per
//! level, not per item it stands for.
//!
//! [`Limits::max_memory`]: crate::Limits::max_memory

use std::collections::HashMap;
use std::rc::{Rc, Weak};

use jsonata_core::evaluator::EvaluatorError;
use jsonata_core::value::{JArray, JMap, JValue, with_stack};

use crate::{DEPTH_EXCEEDED, Limits, MEMORY_EXCEEDED};

/// What each array item and object member counts, besides its contents.
pub(crate) const SLOT: usize = 8;

/// Objects smaller than this (and holding no container) are measured again rather
/// than remembered.
const REMEMBERED_FROM: usize = 256;

/// Arrays shorter than this are measured again rather than remembered.
const RECENT_FROM: usize = 64;

/// How many arrays measured last are remembered (and kept alive for it).
const RECENT: usize = 2;

/// Strings shorter than this are not accounted for: a weak reference would keep each
/// one allocated until the next sweep, for no gain. As many of them as a sequence
/// holds take less than a sequence of small objects does, and a sequence is measured
/// whole where it is made.
const TRACKED_FROM: usize = 64;

/// A value's size and nesting depth (a scalar is 0 deep, `[1]` 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Measure {
    pub(crate) bytes: usize,
    pub(crate) depth: usize,
}

/// Which bound a value is past.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Over {
    Memory,
    Depth,
}

impl Over {
    pub(crate) fn error(self) -> EvaluatorError {
        EvaluatorError::EvaluationError(
            match self {
                Over::Memory => MEMORY_EXCEEDED,
                Over::Depth => DEPTH_EXCEEDED,
            }
            .to_owned(),
        )
    }
}

impl From<Over> for EvaluatorError {
    fn from(over: Over) -> EvaluatorError {
        over.error()
    }
}

/// The bounds of one evaluation and what it has made so far.
#[derive(Debug)]
pub(crate) struct Budget {
    /// The most bytes one value may hold.
    memory: usize,
    /// The deepest a value may be.
    depth: usize,
    /// Objects measured, by address, each with a weak reference, which keeps the
    /// address from being reused while the entry exists.
    objects: HashMap<usize, (Weak<JMap>, Measure)>,
    objects_swept_at: usize,
    /// Strings made by the guarded operations, with their lengths. A weak reference
    /// keeps a dead string's bytes allocated until it is swept, so `held` counts those
    /// too: it is what these strings take, alive or not yet swept.
    strings: Vec<(Weak<str>, usize)>,
    held: usize,
    /// `held` at which the strings are swept next.
    sweep_held_at: usize,
    /// `strings.len()` at which the strings are swept next.
    sweep_count_at: usize,
    /// The arrays measured last, whole, with their measures: an array that starts
    /// with the items of one of them (an accumulator grown by `$append` or `[$a, x]`
    /// in a loop) is measured from there, not from its start.
    recent: Vec<(JArray, Measure)>,
}

impl Budget {
    pub(crate) fn new(limits: &Limits) -> Budget {
        let memory = limits.max_memory.unwrap_or(usize::MAX);
        Budget {
            memory,
            depth: limits.max_result_depth.unwrap_or(usize::MAX),
            objects: HashMap::new(),
            objects_swept_at: 1024,
            strings: Vec::new(),
            held: 0,
            sweep_held_at: memory,
            sweep_count_at: 4096,
            recent: Vec::new(),
        }
    }

    /// The most bytes one value may hold.
    pub(crate) fn memory(&self) -> usize {
        self.memory
    }

    /// The deepest a value may be.
    pub(crate) fn depth(&self) -> usize {
        self.depth
    }

    /// Fails when `bytes` is more than one value may hold.
    pub(crate) fn check_bytes(&self, bytes: usize) -> Result<(), Over> {
        if bytes > self.memory {
            Err(Over::Memory)
        } else {
            Ok(())
        }
    }

    /// The strings made that are still alive may take twice what one value may hold
    /// (the doubling string of AWS's measurements holds its last two values at once).
    fn held_limit(&self) -> usize {
        self.memory.saturating_mul(2)
    }

    /// Accounts for a string just made. Fails when it is longer than one value may be,
    /// or when the strings made and still alive take more than [`Self::held_limit`].
    pub(crate) fn track(&mut self, s: &Rc<str>) -> Result<(), Over> {
        let len = s.len();
        self.check_bytes(len)?;
        if len < TRACKED_FROM || self.memory == usize::MAX {
            return Ok(());
        }
        self.held += len;
        self.strings.push((Rc::downgrade(s), len));
        if self.held > self.sweep_held_at || self.strings.len() >= self.sweep_count_at {
            self.strings.retain(|(s, _)| s.strong_count() > 0);
            self.held = self.strings.iter().map(|(_, len)| len).sum();
            if self.held > self.held_limit() {
                return Err(Over::Memory);
            }
            // Sweep again once a quarter of the bound more has been made, so that a
            // loop near the bound does not sweep at every string.
            self.sweep_held_at = self
                .held
                .saturating_add(self.memory / 4)
                .min(self.held_limit())
                .max(self.memory);
            self.sweep_count_at = self.strings.len() * 2 + 4096;
        }
        Ok(())
    }

    /// Measures `value`, failing as soon as it is past either bound.
    pub(crate) fn measure(&mut self, value: &JValue) -> Result<Measure, Over> {
        let mut arrays = HashMap::new();
        let JValue::Array(items) = value else {
            return self.walk(value, 0, &mut arrays);
        };
        if items.len() < RECENT_FROM || self.depth == 0 {
            return self.walk(value, 0, &mut arrays);
        }
        // The longest array measured lately that this one starts with.
        let start = self
            .recent
            .iter()
            .filter(|(r, _)| r.len() <= items.len() && starts_with(items, r))
            .max_by_key(|(r, _)| r.len())
            .map(|(r, m)| (r.len(), *m));
        let (from, mut total) = start.unwrap_or((0, Measure { bytes: 0, depth: 1 }));
        for item in &items[from..] {
            let m = self.walk(item, 1, &mut arrays)?;
            total.bytes = total.bytes.saturating_add(SLOT + m.bytes);
            self.check_bytes(total.bytes)?;
            total.depth = total.depth.max(m.depth + 1);
        }
        if self.recent.len() == RECENT {
            self.recent.remove(0);
        }
        self.recent.push((items.clone(), total));
        Ok(total)
    }

    /// Measures `value`, found `level` containers down; `arrays` remembers the arrays
    /// of this walk (alive while it runs, so their addresses are theirs).
    fn walk(
        &mut self,
        value: &JValue,
        level: usize,
        arrays: &mut HashMap<(usize, usize), Measure>,
    ) -> Result<Measure, Over> {
        match value {
            JValue::String(s) => {
                self.check_bytes(s.len())?;
                Ok(Measure {
                    bytes: s.len(),
                    depth: 0,
                })
            }
            JValue::Array(items) => {
                if level >= self.depth {
                    return Err(Over::Depth);
                }
                if items.is_empty() {
                    return Ok(Measure { bytes: 0, depth: 1 });
                }
                let key = (items.as_ptr() as usize, items.len());
                if let Some(m) = arrays.get(&key) {
                    return self.placed(*m, level);
                }
                let m = with_stack(|| {
                    let mut total = Measure { bytes: 0, depth: 1 };
                    for item in items.iter() {
                        let m = self.walk(item, level + 1, arrays)?;
                        total.bytes = total.bytes.saturating_add(SLOT + m.bytes);
                        self.check_bytes(total.bytes)?;
                        total.depth = total.depth.max(m.depth + 1);
                    }
                    Ok(total)
                })?;
                if items.len() > 1 {
                    arrays.insert(key, m);
                }
                Ok(m)
            }
            JValue::Object(map) => {
                if level >= self.depth {
                    return Err(Over::Depth);
                }
                let address = Rc::as_ptr(map) as *const () as usize;
                if let Some((weak, m)) = self.objects.get(&address)
                    && weak.strong_count() > 0
                {
                    return self.placed(*m, level);
                }
                let m = with_stack(|| {
                    let mut total = Measure { bytes: 0, depth: 1 };
                    for (key, item) in map.iter() {
                        let m = self.walk(item, level + 1, arrays)?;
                        total.bytes = total.bytes.saturating_add(SLOT + key.len() + m.bytes);
                        self.check_bytes(total.bytes)?;
                        total.depth = total.depth.max(m.depth + 1);
                    }
                    Ok(total)
                })?;
                if m.depth > 1 || m.bytes >= REMEMBERED_FROM {
                    self.remember(map, address, m);
                }
                Ok(m)
            }
            _ => Ok(Measure::default()),
        }
    }

    /// A value measured before, found `level` containers down.
    fn placed(&self, m: Measure, level: usize) -> Result<Measure, Over> {
        if level.saturating_add(m.depth) > self.depth {
            return Err(Over::Depth);
        }
        self.check_bytes(m.bytes)?;
        Ok(m)
    }

    fn remember(&mut self, map: &Rc<JMap>, address: usize, m: Measure) {
        if self.objects.len() >= self.objects_swept_at {
            self.objects.retain(|_, (weak, _)| weak.strong_count() > 0);
            self.objects_swept_at = self.objects.len() * 2 + 1024;
        }
        self.objects.insert(address, (Rc::downgrade(map), m));
    }
}

/// `true` when `items` starts with the items of `prefix`, each the same value or one
/// that measures the same (a scalar for a scalar, a string of the same length).
fn starts_with(items: &[JValue], prefix: &JArray) -> bool {
    if std::ptr::eq(items.as_ptr(), prefix.as_ptr()) && items.len() >= prefix.len() {
        return true;
    }
    let same = |a: &JValue, b: &JValue| match (a, b) {
        (JValue::String(a), JValue::String(b)) => a.len() == b.len(),
        (JValue::Array(a), JValue::Array(b)) => JArray::ptr_eq(a, b),
        (JValue::Object(a), JValue::Object(b)) => Rc::ptr_eq(a, b),
        (JValue::Null | JValue::Bool(_) | JValue::Number(_), _) => {
            matches!(b, JValue::Null | JValue::Bool(_) | JValue::Number(_))
        }
        _ => false,
    };
    let n = prefix.len();
    // The last item first: a different array is told apart at once.
    n == 0
        || (same(&items[n - 1], &prefix[n - 1])
            && items[..n]
                .iter()
                .zip(prefix.iter())
                .all(|(a, b)| same(a, b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budget(memory: usize, depth: usize) -> Budget {
        Budget::new(&Limits {
            max_memory: Some(memory),
            max_result_depth: Some(depth),
            ..Limits::unlimited()
        })
    }

    #[test]
    fn values_are_measured_as_aws_counts_them() {
        let mut b = budget(1000, 10);
        let v = JValue::from_json_str(r#"{"ab": [1, "xyz", null], "c": {}}"#).unwrap();
        // "ab": 8 + 2 + (3 items: 8 + 8 + 3 + 8); "c": 8 + 1 + 0.
        assert_eq!(
            b.measure(&v),
            Ok(Measure {
                bytes: 10 + 27 + 9,
                depth: 2
            })
        );
        let items = JValue::array((0..125).map(|i| JValue::from(i as i64)).collect());
        assert_eq!(b.measure(&items).map(|m| m.bytes), Ok(1000));
        let items = JValue::array((0..126).map(|i| JValue::from(i as i64)).collect());
        assert_eq!(b.measure(&items), Err(Over::Memory));
    }

    #[test]
    fn shared_values_count_where_they_appear_but_are_walked_once() {
        let mut b = budget(usize::MAX / 2, 100);
        let mut v = JValue::from_json_str(r#"{"x": "0123456789"}"#).unwrap();
        for _ in 0..40 {
            let map: JMap = [("a".to_owned(), v.clone()), ("b".to_owned(), v.clone())]
                .into_iter()
                .collect();
            v = JValue::Object(Rc::new(map));
        }
        let m = b.measure(&v).unwrap();
        assert_eq!(m.depth, 41);
        assert!(m.bytes > 1 << 40);
        let mut small = budget(1 << 20, 100);
        assert_eq!(small.measure(&v), Err(Over::Memory));
    }

    #[test]
    fn an_array_grown_from_one_measured_before_measures_the_same() {
        let item = |i: i64| {
            let map: JMap = [("k".to_owned(), JValue::from(i))].into_iter().collect();
            JValue::Object(Rc::new(map))
        };
        let mut b = budget(1 << 20, 10);
        let mut items: Vec<JValue> = (0..100).map(item).collect();
        let first = JValue::array(items.clone());
        let m = b.measure(&first).unwrap();
        assert_eq!(m, budget(1 << 20, 10).measure(&first).unwrap());
        // The accumulator grown by one item (the same objects first), and one with a
        // different item in the middle.
        items.push(JValue::from("0123456789"));
        let grown = JValue::array(items.clone());
        assert_eq!(b.measure(&grown), budget(1 << 20, 10).measure(&grown));
        items[50] = JValue::array(vec![JValue::from(1i64); 10]);
        let changed = JValue::array(items);
        let fresh = budget(1 << 20, 10).measure(&changed).unwrap();
        assert_eq!(b.measure(&changed), Ok(fresh));
        assert!(fresh.bytes > m.bytes);
    }

    #[test]
    fn depth_is_bounded_without_recursing_on_the_stack() {
        let mut v = JValue::from(1i64);
        for _ in 0..100_000 {
            v = JValue::array(vec![v]);
        }
        assert_eq!(budget(usize::MAX, 1000).measure(&v), Err(Over::Depth));
        let m = budget(usize::MAX, usize::MAX).measure(&v).unwrap();
        assert_eq!(m.depth, 100_000);
    }

    #[test]
    fn strings_held_together_are_bounded() {
        let mut b = budget(100, 10);
        let keep: Vec<Rc<str>> = (0..2).map(|_| Rc::from("x".repeat(90))).collect();
        // Short strings are not accounted for.
        for _ in 0..10 {
            b.track(&Rc::from("y".repeat(63))).unwrap();
        }
        for s in &keep {
            b.track(s).unwrap();
        }
        let third: Rc<str> = Rc::from("y".repeat(90));
        assert_eq!(b.track(&third), Err(Over::Memory));
        // Strings no longer alive do not count.
        let mut b = budget(100, 10);
        for _ in 0..1000 {
            let s: Rc<str> = Rc::from("z".repeat(90));
            b.track(&s).unwrap();
        }
        assert_eq!(b.track(&Rc::from("w".repeat(101))), Err(Over::Memory));
    }
}
