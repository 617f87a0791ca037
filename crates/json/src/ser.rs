//! Serialisation of [`Value`]: JSON text written directly, and through serde.
//!
//! [`Value::to_json_string`] and [`Value::to_json_pretty`] write the text themselves, byte
//! for byte what serde_json writes (its compact and pretty formats, its escapes, numbers
//! by its own formatter), without serde's calls in between. Both, and the [`Serialize`]
//! impl, recurse through [`stack::guard_at`](crate::stack::guard_at): no depth overflows
//! the stack.

use std::cell::Cell;

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use crate::escape::{ESCAPE, needs_escape};
use crate::stack::guard_at;
use crate::{Map, Value};

thread_local! {
    /// How many containers the [`Serialize`] impl has open on this thread: the level
    /// of the recursion, which serde gives no way to pass down.
    static OPEN: Cell<usize> = const { Cell::new(0) };
}

/// One container open in the [`Serialize`] impl, closed when dropped (on errors and
/// panics too).
struct Opened;

impl Opened {
    /// Opens a container; returns its level.
    #[inline]
    fn open() -> (Opened, usize) {
        let level = OPEN.with(|open| {
            let level = open.get();
            open.set(level + 1);
            level
        });
        (Opened, level)
    }
}

impl Drop for Opened {
    #[inline]
    fn drop(&mut self) {
        OPEN.with(|open| open.set(open.get().saturating_sub(1)));
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => serializer.serialize_unit(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Number(n) => n.serialize_into(serializer),
            Value::String(s) => serializer.serialize_str(s),
            Value::Array(items) => {
                let (_opened, level) = Opened::open();
                guard_at(level, || serialize_array(items, serializer))
            }
            Value::Object(map) => {
                let (_opened, level) = Opened::open();
                guard_at(level, || serialize_object(map, serializer))
            }
        }
    }
}

fn serialize_array<S: Serializer>(items: &[Value], serializer: S) -> Result<S::Ok, S::Error> {
    let mut seq = serializer.serialize_seq(Some(items.len()))?;
    for item in items {
        seq.serialize_element(item)?;
    }
    seq.end()
}

fn serialize_object<S: Serializer>(map: &Map, serializer: S) -> Result<S::Ok, S::Error> {
    let mut out = serializer.serialize_map(Some(map.len()))?;
    for (k, v) in map {
        out.serialize_entry(&**k, v)?;
    }
    out.end()
}

/// Appends the JSON text of `v`, `level` containers deep, to `out`: compact, or indented
/// by two spaces a level as serde_json's pretty printer does. Only valid UTF-8 is
/// written: the bytes of `str`s whole or cut before ASCII bytes, and ASCII.
pub(crate) fn write<const PRETTY: bool>(v: &Value, out: &mut Vec<u8>, level: usize) {
    write_value::<PRETTY>(v, out, level);
}

/// [`write`], inlined into the loops over children: a scalar is written in place, and a
/// container costs one call.
#[inline(always)]
fn write_value<const PRETTY: bool>(v: &Value, out: &mut Vec<u8>, level: usize) {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => n.write_json(out),
        Value::String(s) => write_str(s, out),
        Value::Array(items) if items.is_empty() => out.extend_from_slice(b"[]"),
        Value::Array(items) => guard_at(level, || write_array::<PRETTY>(items, out, level)),
        Value::Object(map) if map.is_empty() => out.extend_from_slice(b"{}"),
        Value::Object(map) => guard_at(level, || write_object::<PRETTY>(map, out, level)),
    }
}

/// A non-empty array.
fn write_array<const PRETTY: bool>(items: &[Value], out: &mut Vec<u8>, level: usize) {
    out.push(b'[');
    let mut first = true;
    for item in items {
        if !first {
            out.push(b',');
        }
        first = false;
        newline::<PRETTY>(out, level + 1);
        write_value::<PRETTY>(item, out, level + 1);
    }
    newline::<PRETTY>(out, level);
    out.push(b']');
}

/// A non-empty object.
fn write_object<const PRETTY: bool>(map: &Map, out: &mut Vec<u8>, level: usize) {
    out.push(b'{');
    let mut first = true;
    for (k, v) in map {
        if !first {
            out.push(b',');
        }
        first = false;
        newline::<PRETTY>(out, level + 1);
        write_str(k, out);
        out.extend_from_slice(if PRETTY { b": " } else { b":" });
        write_value::<PRETTY>(v, out, level + 1);
    }
    newline::<PRETTY>(out, level);
    out.push(b'}');
}

/// In pretty text, a line break and the indent of `level`.
#[inline(always)]
fn newline<const PRETTY: bool>(out: &mut Vec<u8>, level: usize) {
    if PRETTY {
        out.push(b'\n');
        for _ in 0..level {
            out.extend_from_slice(b"  ");
        }
    }
}

/// Writes a string literal: quotes, and escapes where serde_json puts them.
fn write_str(s: &str, out: &mut Vec<u8>) {
    let bytes = s.as_bytes();
    out.push(b'"');
    if needs_escape(bytes) {
        write_escaped(bytes, out);
    } else {
        out.extend_from_slice(bytes);
    }
    out.push(b'"');
}

/// Writes the inside of a string literal that needs escapes.
fn write_escaped(bytes: &[u8], out: &mut Vec<u8>) {
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape = ESCAPE[usize::from(b)];
        if escape == 0 {
            continue;
        }
        // Escaped bytes are ASCII: cutting before and after them keeps characters whole.
        out.extend_from_slice(&bytes[start..i]);
        if escape == b'u' {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0xf)]);
        } else {
            out.extend_from_slice(&[b'\\', escape]);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}
