//! Equality of values: `==` (representation-sensitive for numbers, as serde_json's) and
//! [`Value::json_eq`] (numbers by value). Objects compare regardless of key order in
//! both. Both recurse through [`stack::guard_at`](crate::stack::guard_at), and a
//! container shared by both sides is equal to itself without a walk.

use std::sync::Arc;

use crate::container::{Array, Object};
use crate::stack::guard_at;
use crate::{Map, Value};

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        eq(self, other, 0)
    }
}

impl PartialEq for Array {
    fn eq(&self, other: &Array) -> bool {
        std::ptr::eq(self, other) || arrays_eq(self, other, 0, eq)
    }
}

impl PartialEq for Object {
    fn eq(&self, other: &Object) -> bool {
        std::ptr::eq(self, other) || objects_eq(self, other, 0, eq)
    }
}

/// `a == b`, `level` containers deep.
fn eq(a: &Value, b: &Value, level: usize) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Array(x), Value::Array(y)) => Arc::ptr_eq(x, y) || arrays_eq(x, y, level, eq),
        (Value::Object(x), Value::Object(y)) => Arc::ptr_eq(x, y) || objects_eq(x, y, level, eq),
        _ => false,
    }
}

/// [`Value::json_eq`], `level` containers deep.
pub(crate) fn json_eq(a: &Value, b: &Value, level: usize) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.numeric_eq(y),
        (Value::Array(x), Value::Array(y)) => Arc::ptr_eq(x, y) || arrays_eq(x, y, level, json_eq),
        (Value::Object(x), Value::Object(y)) => {
            Arc::ptr_eq(x, y) || objects_eq(x, y, level, json_eq)
        }
        _ => eq(a, b, level),
    }
}

/// Element by element, by `same`.
#[inline]
fn arrays_eq<F>(x: &[Value], y: &[Value], level: usize, same: F) -> bool
where
    F: Fn(&Value, &Value, usize) -> bool,
{
    x.len() == y.len() && guard_at(level, || elements_eq(x, y, level, same))
}

fn elements_eq<F>(x: &[Value], y: &[Value], level: usize, same: F) -> bool
where
    F: Fn(&Value, &Value, usize) -> bool,
{
    x.iter().zip(y).all(|(v, w)| same(v, w, level + 1))
}

/// Member by member, by `same`, in any order.
#[inline]
fn objects_eq<F>(x: &Map, y: &Map, level: usize, same: F) -> bool
where
    F: Fn(&Value, &Value, usize) -> bool,
{
    x.len() == y.len() && guard_at(level, || members_eq(x, y, level, same))
}

fn members_eq<F>(x: &Map, y: &Map, level: usize, same: F) -> bool
where
    F: Fn(&Value, &Value, usize) -> bool,
{
    x.iter().zip(y).all(|((k, v), (k2, w))| {
        // Most objects compared have their keys in the same order: only a key out of
        // place is looked up.
        let w = if k == k2 {
            w
        } else {
            match y.get(k) {
                Some(w) => w,
                None => return false,
            }
        };
        same(v, w, level + 1)
    })
}
