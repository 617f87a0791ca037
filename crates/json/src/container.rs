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
    pub fn into_vec(self) -> Vec<Value> {
        self.items
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
    pub fn into_map(self) -> Map {
        self.map
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
