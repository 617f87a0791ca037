//! The containers behind [`Value::Array`](crate::Value::Array) and
//! [`Value::Object`](crate::Value::Object): a vector or a map, plus the memoised length
//! of the container's JSON text.
//!
//! Step Functions limits every state's input and output to a number of bytes of JSON
//! text. Measuring a document walks all of it; since documents share most of their
//! structure from one state to the next, each container remembers its length once
//! measured, and a new document costs only the containers that are new. Mutable access
//! (which is copy-on-write through `Arc::make_mut`) forgets the remembered length.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{Map, Value};

const UNKNOWN: u64 = u64::MAX;

/// The elements of an array.
#[derive(Default)]
pub struct Array {
    items: Vec<Value>,
    encoded_len: AtomicU64,
}

/// The members of an object, in insertion order.
#[derive(Default)]
pub struct Object {
    map: Map,
    encoded_len: AtomicU64,
}

impl Array {
    /// An array of these elements.
    pub fn new(items: Vec<Value>) -> Array {
        Array {
            items,
            encoded_len: AtomicU64::new(UNKNOWN),
        }
    }

    /// The elements, consumed.
    pub fn into_vec(mut self) -> Vec<Value> {
        std::mem::take(&mut self.items)
    }

    /// The length of the array's compact JSON text, computed once.
    pub fn encoded_len(&self) -> u64 {
        let known = self.encoded_len.load(Ordering::Relaxed);
        if known != UNKNOWN {
            return known;
        }
        let commas = self.items.len().saturating_sub(1) as u64;
        let len = 2 + commas + self.items.iter().map(Value::encoded_len).sum::<u64>();
        self.encoded_len.store(len, Ordering::Relaxed);
        len
    }
}

impl Object {
    /// An object with these members.
    pub fn new(map: Map) -> Object {
        Object {
            map,
            encoded_len: AtomicU64::new(UNKNOWN),
        }
    }

    /// The members, consumed.
    pub fn into_map(mut self) -> Map {
        std::mem::take(&mut self.map)
    }

    /// The length of the object's compact JSON text, computed once.
    pub fn encoded_len(&self) -> u64 {
        let known = self.encoded_len.load(Ordering::Relaxed);
        if known != UNKNOWN {
            return known;
        }
        let commas = self.map.len().saturating_sub(1) as u64;
        let len = 2
            + commas
            + self
                .map
                .iter()
                .map(|(k, v)| crate::encoded::string_len(k) + 1 + v.encoded_len())
                .sum::<u64>();
        self.encoded_len.store(len, Ordering::Relaxed);
        len
    }
}

impl Deref for Array {
    type Target = Vec<Value>;
    fn deref(&self) -> &Vec<Value> {
        &self.items
    }
}

impl DerefMut for Array {
    fn deref_mut(&mut self) -> &mut Vec<Value> {
        *self.encoded_len.get_mut() = UNKNOWN;
        &mut self.items
    }
}

impl Deref for Object {
    type Target = Map;
    fn deref(&self) -> &Map {
        &self.map
    }
}

impl DerefMut for Object {
    fn deref_mut(&mut self) -> &mut Map {
        *self.encoded_len.get_mut() = UNKNOWN;
        &mut self.map
    }
}

/// Dropping a document nested thousands deep must not recurse once per level (the stack
/// would overflow), so containers hand their uniquely owned nested containers to a
/// worklist instead of dropping them in place. Shared children only lose a reference.
fn take_unique_children<'a>(children: impl Iterator<Item = &'a mut Value>, out: &mut Vec<Value>) {
    for child in children {
        let unique = match child {
            Value::Array(a) => Arc::get_mut(a).is_some_and(|a| !a.items.is_empty()),
            Value::Object(o) => Arc::get_mut(o).is_some_and(|o| !o.map.is_empty()),
            _ => false,
        };
        if unique {
            out.push(std::mem::take(child));
        }
    }
}

fn drain_worklist(mut work: Vec<Value>) {
    while let Some(mut v) = work.pop() {
        match &mut v {
            Value::Array(a) => {
                if let Some(a) = Arc::get_mut(a) {
                    take_unique_children(a.items.iter_mut(), &mut work);
                }
            }
            Value::Object(o) => {
                if let Some(o) = Arc::get_mut(o) {
                    take_unique_children(o.map.values_mut(), &mut work);
                }
            }
            _ => {}
        }
        // `v` now holds no uniquely owned nested containers: dropping it is shallow.
    }
}

impl Drop for Array {
    fn drop(&mut self) {
        let mut work = Vec::new();
        take_unique_children(self.items.iter_mut(), &mut work);
        if !work.is_empty() {
            drain_worklist(work);
        }
    }
}

impl Drop for Object {
    fn drop(&mut self) {
        let mut work = Vec::new();
        take_unique_children(self.map.values_mut(), &mut work);
        if !work.is_empty() {
            drain_worklist(work);
        }
    }
}

impl Clone for Array {
    fn clone(&self) -> Array {
        Array {
            items: self.items.clone(),
            encoded_len: AtomicU64::new(self.encoded_len.load(Ordering::Relaxed)),
        }
    }
}

impl Clone for Object {
    fn clone(&self) -> Object {
        Object {
            map: self.map.clone(),
            encoded_len: AtomicU64::new(self.encoded_len.load(Ordering::Relaxed)),
        }
    }
}

impl PartialEq for Array {
    fn eq(&self, other: &Array) -> bool {
        self.items == other.items
    }
}

impl PartialEq for Object {
    fn eq(&self, other: &Object) -> bool {
        self.map == other.map
    }
}
