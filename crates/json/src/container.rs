//! The containers behind [`Value::Array`](crate::Value::Array) and
//! [`Value::Object`](crate::Value::Object): a vector or a map, plus the memoised length
//! and nesting depth of the container's JSON text.
//!
//! Step Functions limits every state's input and output to a number of bytes of JSON
//! text, and Baton bounds the nesting of every document ([`MAX_DEPTH`](crate::MAX_DEPTH)).
//! Measuring a document walks all of it; since documents share most of their structure
//! from one state to the next, each container remembers both measures once taken, and a
//! new document costs only the containers that are new. Mutable access (which is
//! copy-on-write through `Arc::make_mut`) forgets them.
//!
//! The two measures are taken together, by one walk (recursive for the first levels,
//! then keeping a stack of its own, so any depth is fine), and packed into one
//! `AtomicU64`: the length in the low [`LEN_BITS`] bits, the depth in the high bits. Each
//! saturates rather than wrapping: lengths at 16 TiB (reached only by a document that
//! shares one container many times over, which could never be written out), depths at
//! 1,048,574 levels (a thousand times [`MAX_DEPTH`](crate::MAX_DEPTH)).

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::encoded::{number_len, string_len};
use crate::{Map, Value};

/// Bits of the packed measure holding the length; the rest hold the depth.
const LEN_BITS: u32 = 44;
/// The largest length recorded (and the mask of the length's bits).
const LEN_MAX: u64 = (1 << LEN_BITS) - 1;
/// The largest depth recorded. One less than the field allows, so that no measure is
/// ever [`UNKNOWN`].
const DEPTH_MAX: u64 = (1 << (64 - LEN_BITS)) - 2;
/// Not measured yet.
const UNKNOWN: u64 = u64::MAX;

/// A length and a depth, packed.
#[derive(Clone, Copy)]
pub(crate) struct Measure(u64);

impl Measure {
    #[inline]
    fn new(len: u64, depth: u64) -> Measure {
        Measure((depth.min(DEPTH_MAX) << LEN_BITS) | len.min(LEN_MAX))
    }

    /// The length in bytes of the compact JSON text.
    #[inline]
    pub(crate) fn len(self) -> u64 {
        self.0 & LEN_MAX
    }

    /// The nesting depth.
    #[inline]
    pub(crate) fn depth(self) -> u64 {
        self.0 >> LEN_BITS
    }
}

/// A container's remembered measure.
struct Cache(AtomicU64);

impl Cache {
    #[inline]
    fn unknown() -> Cache {
        Cache(AtomicU64::new(UNKNOWN))
    }

    #[inline]
    fn get(&self) -> Option<Measure> {
        let m = self.0.load(Ordering::Relaxed);
        (m != UNKNOWN).then_some(Measure(m))
    }

    #[inline]
    fn set(&self, m: Measure) {
        self.0.store(m.0, Ordering::Relaxed);
    }

    #[inline]
    fn forget(&mut self) {
        *self.0.get_mut() = UNKNOWN;
    }
}

impl Default for Cache {
    fn default() -> Cache {
        Cache::unknown()
    }
}

impl Clone for Cache {
    fn clone(&self) -> Cache {
        Cache(AtomicU64::new(self.0.load(Ordering::Relaxed)))
    }
}

/// The elements of an array.
#[derive(Default, Clone)]
pub struct Array {
    items: Vec<Value>,
    measure: Cache,
}

/// The members of an object, in insertion order.
#[derive(Default, Clone)]
pub struct Object {
    map: Map,
    measure: Cache,
}

impl Array {
    /// An array of these elements.
    pub fn new(items: Vec<Value>) -> Array {
        Array {
            items,
            measure: Cache::unknown(),
        }
    }

    /// The elements, consumed.
    pub fn into_vec(mut self) -> Vec<Value> {
        std::mem::take(&mut self.items)
    }

    /// The length of the array's compact JSON text, computed once.
    pub fn encoded_len(&self) -> u64 {
        self.measure().len()
    }

    /// The array's nesting depth (1 for an array of scalars), computed once.
    pub fn depth(&self) -> usize {
        self.measure().depth() as usize
    }

    #[inline]
    pub(crate) fn measure(&self) -> Measure {
        match self.measure.get() {
            Some(m) => m,
            None => measure(Node::Array(self)),
        }
    }

    /// The measure, if already taken.
    #[inline]
    pub(crate) fn known_measure(&self) -> Option<Measure> {
        self.measure.get()
    }
}

impl Object {
    /// An object with these members.
    pub fn new(map: Map) -> Object {
        Object {
            map,
            measure: Cache::unknown(),
        }
    }

    /// The members, consumed.
    pub fn into_map(mut self) -> Map {
        std::mem::take(&mut self.map)
    }

    /// The length of the object's compact JSON text, computed once.
    pub fn encoded_len(&self) -> u64 {
        self.measure().len()
    }

    /// The object's nesting depth (1 for an object of scalars), computed once.
    pub fn depth(&self) -> usize {
        self.measure().depth() as usize
    }

    #[inline]
    pub(crate) fn measure(&self) -> Measure {
        match self.measure.get() {
            Some(m) => m,
            None => measure(Node::Object(self)),
        }
    }

    /// The measure, if already taken.
    #[inline]
    pub(crate) fn known_measure(&self) -> Option<Measure> {
        self.measure.get()
    }
}

/// A container being measured.
#[derive(Clone, Copy)]
enum Node<'a> {
    Array(&'a Array),
    Object(&'a Object),
}

/// A container being measured, with what is known of its children so far.
struct Frame<'a> {
    node: Node<'a>,
    /// The next child to add.
    next: usize,
    /// The length of the children added so far, with their keys, colons and commas.
    len: u64,
    /// The greatest depth of the children added so far.
    depth: u64,
}

impl<'a> Frame<'a> {
    fn new(node: Node<'a>) -> Frame<'a> {
        Frame {
            node,
            next: 0,
            len: 0,
            depth: 0,
        }
    }

    /// Adds the children whose measure is known, stopping at the first container that
    /// has none: that one is returned, to be measured first.
    #[inline]
    fn advance(&mut self) -> Option<Node<'a>> {
        let (mut len, mut depth, mut next) = (self.len, self.depth, self.next);
        let mut pending = None;
        match self.node {
            Node::Array(a) => {
                for v in a.items.iter().skip(next) {
                    match child_measure(v) {
                        Ok(m) => {
                            len = len.saturating_add(m.len());
                            depth = depth.max(m.depth());
                            next += 1;
                        }
                        Err(node) => {
                            pending = Some(node);
                            break;
                        }
                    }
                }
            }
            Node::Object(o) => {
                for (k, v) in o.map.iter().skip(next) {
                    match child_measure(v) {
                        Ok(m) => {
                            // The key, its colon and the value.
                            len = len.saturating_add(string_len(k) + 1 + m.len());
                            depth = depth.max(m.depth());
                            next += 1;
                        }
                        Err(node) => {
                            pending = Some(node);
                            break;
                        }
                    }
                }
            }
        }
        (self.len, self.depth, self.next) = (len, depth, next);
        pending
    }

    /// The container's measure, once all its children are added, remembered.
    fn finish(&self) -> Measure {
        remember(self.node, self.len, self.depth)
    }
}

/// Remembers the measure of a container whose children (with their keys and colons)
/// take `len` bytes, the deepest `depth` levels.
#[inline]
fn remember(node: Node<'_>, len: u64, depth: u64) -> Measure {
    let (count, cache) = match node {
        Node::Array(a) => (a.items.len(), &a.measure),
        Node::Object(o) => (o.map.len(), &o.measure),
    };
    // Brackets and the commas between children.
    let punctuation = 2 + count.saturating_sub(1) as u64;
    let m = Measure::new(len.saturating_add(punctuation), depth + 1);
    cache.set(m);
    m
}

/// The measure of a value, or the container that has to be measured first.
#[inline]
fn child_measure(v: &Value) -> Result<Measure, Node<'_>> {
    Ok(match v {
        Value::Null | Value::Bool(true) => Measure::new(4, 0),
        Value::Bool(false) => Measure::new(5, 0),
        Value::Number(n) => Measure::new(number_len(n), 0),
        Value::String(s) => Measure::new(string_len(s), 0),
        Value::Array(a) => return a.measure.get().ok_or(Node::Array(a)),
        Value::Object(o) => return o.measure.get().ok_or(Node::Object(o)),
    })
}

/// Levels measured by plain recursion, before the walk keeps a stack of its own.
const RECURSION: u32 = 16;

/// Measures a container and every container under it not measured yet, remembering
/// each measure.
#[inline(never)]
fn measure(root: Node<'_>) -> Measure {
    measure_within(root, RECURSION)
}

/// [`measure`], recursing at most `budget` more levels: most documents are shallow, and
/// recursion needs no allocation.
fn measure_within(node: Node<'_>, budget: u32) -> Measure {
    // Lengths of children with their keys and colons; the deepest child.
    let (mut len, mut depth) = (0u64, 0u64);
    match node {
        Node::Array(a) => {
            for v in &a.items {
                let (l, d) = value_measure(v, budget);
                len = len.saturating_add(l);
                depth = depth.max(d);
            }
        }
        Node::Object(o) => {
            for (k, v) in &o.map {
                let (l, d) = value_measure(v, budget);
                len = len.saturating_add(string_len(k) + 1 + l);
                depth = depth.max(d);
            }
        }
    }
    remember(node, len, depth)
}

/// The length and depth of a child, measured within `budget` more levels of recursion
/// if it is a container not measured yet.
#[inline]
fn value_measure(v: &Value, budget: u32) -> (u64, u64) {
    let node = match v {
        Value::Null | Value::Bool(true) => return (4, 0),
        Value::Bool(false) => return (5, 0),
        Value::Number(n) => return (number_len(n), 0),
        Value::String(s) => return (string_len(s), 0),
        Value::Array(a) => match a.measure.get() {
            Some(m) => return (m.len(), m.depth()),
            None => Node::Array(a),
        },
        Value::Object(o) => match o.measure.get() {
            Some(m) => return (m.len(), m.depth()),
            None => Node::Object(o),
        },
    };
    let m = if budget == 0 {
        walk(node)
    } else {
        measure_within(node, budget - 1)
    };
    (m.len(), m.depth())
}

/// [`measure`] with a stack of its own, depth first: any depth is fine.
fn walk(root: Node<'_>) -> Measure {
    let mut stack = Vec::with_capacity(16);
    stack.push(Frame::new(root));
    while let Some(top) = stack.last_mut() {
        if let Some(child) = top.advance() {
            stack.push(Frame::new(child));
            continue;
        }
        let m = top.finish();
        stack.pop();
        if stack.is_empty() {
            return m;
        }
        // The parent picks the child's measure up from its cache on its next turn.
    }
    unreachable!("the walk returns when it finishes the root")
}

impl Deref for Array {
    type Target = Vec<Value>;
    fn deref(&self) -> &Vec<Value> {
        &self.items
    }
}

impl DerefMut for Array {
    fn deref_mut(&mut self) -> &mut Vec<Value> {
        self.measure.forget();
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
        self.measure.forget();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_saturate_and_are_never_unknown() {
        let m = Measure::new(u64::MAX, u64::MAX);
        assert_ne!(m.0, UNKNOWN);
        assert_eq!((m.len(), m.depth()), (LEN_MAX, DEPTH_MAX));
        assert_eq!(DEPTH_MAX, 1_048_574);
        let m = Measure::new(LEN_MAX - 1, DEPTH_MAX - 1);
        assert_eq!((m.len(), m.depth()), (LEN_MAX - 1, DEPTH_MAX - 1));
        let m = Measure::new(0, 0);
        assert_eq!((m.len(), m.depth()), (0, 0));
    }
}
