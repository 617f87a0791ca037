//! `States.ArrayPartition`, `ArrayContains`, `ArrayRange`, `ArrayGetItem`, `ArrayLength`
//! and `ArrayUnique` (`States.Array` needs no code of its own).
//!
//! Numbers given as counts or indexes are truncated toward zero, as AWS does (`2.6` is
//! `2`).

use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use baton_json::Value;

use super::eval::{Invalid, Outcome, int_arg};
use super::render::java_string;

/// The most elements `States.ArrayRange` may produce.
const MAX_RANGE: i64 = 1000;

fn array(v: &Value) -> Result<&[Value], Invalid> {
    v.as_array().ok_or(Invalid)
}

pub(super) fn partition(args: &[Value]) -> Outcome {
    let [items, size] = args else {
        return Err(Invalid);
    };
    let items = array(items)?;
    let size = int_arg(size).ok_or(Invalid)?;
    if size <= 0 {
        return Err(Invalid);
    }
    let size = usize::try_from(size).map_err(|_| Invalid)?;
    Ok(Value::array(
        items
            .chunks(size)
            .map(|c| Value::array(c.to_vec()))
            .collect(),
    ))
}

/// Membership as AWS tests it: by the text of the values (so `true` is found in
/// `["true"]`, and an object only with its members in the same order).
pub(super) fn contains(args: &[Value]) -> Outcome {
    let [items, needle] = args else {
        return Err(Invalid);
    };
    let items = array(items)?;
    let needle = java_string(needle);
    Ok(Value::Bool(
        items.iter().any(|item| java_string(item) == needle),
    ))
}

pub(super) fn range(args: &[Value]) -> Outcome {
    let [first, last, step] = args else {
        return Err(Invalid);
    };
    let (first, last, step) = (
        int_arg(first).ok_or(Invalid)?,
        int_arg(last).ok_or(Invalid)?,
        int_arg(step).ok_or(Invalid)?,
    );
    if step == 0 {
        return Err(Invalid);
    }
    let count = if (step > 0 && first > last) || (step < 0 && first < last) {
        0
    } else {
        (last - first) / step + 1
    };
    if count > MAX_RANGE {
        return Err(Invalid);
    }
    Ok(Value::array(
        (0..count).map(|i| Value::from(first + i * step)).collect(),
    ))
}

pub(super) fn get_item(args: &[Value]) -> Outcome {
    let [items, index] = args else {
        return Err(Invalid);
    };
    let items = array(items)?;
    let index = int_arg(index).ok_or(Invalid)?;
    if items.is_empty() {
        // AWS answers null for any index into an empty array.
        return Ok(Value::Null);
    }
    usize::try_from(index)
        .ok()
        .and_then(|i| items.get(i))
        .cloned()
        .ok_or(Invalid)
}

pub(super) fn length(args: &[Value]) -> Outcome {
    let [items] = args else { return Err(Invalid) };
    Ok(Value::from(array(items)?.len()))
}

/// Duplicates removed, first occurrences kept. Values are equal as Java objects are:
/// objects whatever their member order, but `1` and `1.0` are different.
pub(super) fn unique(args: &[Value]) -> Outcome {
    let [items] = args else { return Err(Invalid) };
    let items = array(items)?;
    let mut seen: HashMap<u64, Vec<usize>> = HashMap::with_capacity(items.len());
    let mut out: Vec<Value> = Vec::with_capacity(items.len());
    for item in items {
        let bucket = seen.entry(hash_value(item)).or_default();
        if bucket.iter().any(|&i| out[i] == *item) {
            continue;
        }
        bucket.push(out.len());
        out.push(item.clone());
    }
    Ok(Value::array(out))
}

/// A hash consistent with `Value`'s equality (object members in any order).
fn hash_value(v: &Value) -> u64 {
    let mut h = DefaultHasher::new();
    feed(&mut h, v);
    h.finish()
}

fn feed(h: &mut DefaultHasher, v: &Value) {
    match v {
        Value::Null => 0u8.hash(h),
        Value::Bool(b) => (1u8, *b).hash(h),
        Value::Number(n) => {
            if n.is_integer() {
                let i = n
                    .as_i64()
                    .map(i128::from)
                    .or_else(|| n.as_u64().map(i128::from))
                    .unwrap_or_default();
                (2u8, i).hash(h);
            } else {
                let f = n.as_f64();
                let bits = if f == 0.0 { 0 } else { f.to_bits() };
                (3u8, bits).hash(h);
            }
        }
        Value::String(s) => (4u8, &**s).hash(h),
        Value::Array(items) => {
            (5u8, items.len()).hash(h);
            for item in items.iter() {
                feed(h, item);
            }
        }
        Value::Object(map) => {
            let mut sum = 0u64;
            for (k, v) in map.iter() {
                let mut inner = DefaultHasher::new();
                k.hash(&mut inner);
                feed(&mut inner, v);
                sum = sum.wrapping_add(inner.finish());
            }
            (6u8, map.len(), sum).hash(h);
        }
    }
}
