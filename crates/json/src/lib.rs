//! An immutable JSON value whose clones share structure.
//!
//! Every state of an execution reads its input, builds a result and hands an output to
//! the next state, and every history event keeps a reference to those documents. With a
//! plain tree (`serde_json::Value`) each of these steps would copy the whole document.
//! Here strings, arrays and objects sit behind `Arc`: cloning a [`Value`] is a reference
//! count bump, and changing one (ResultPath merging a result into the input) copies only
//! the containers on the changed path, and only when they are shared
//! ([`Arc::make_mut`]).
//!
//! Objects keep insertion order, as Step Functions does in its outputs.
//!
//! This crate owns the value type and its (de)serialisation; it knows nothing of ASL.
//! It also owns the one bound on nesting, [`MAX_DEPTH`], that every document Baton reads
//! or builds is held to. Parsing, writing, measuring, comparing and dropping are all safe
//! at any depth: none of them can overflow the stack.

mod compare;
mod container;
mod de;
mod encoded;
mod escape;
mod number;
mod ser;
mod stack;

use std::fmt;
use std::sync::Arc;

pub use container::{Array, Object};
pub use number::Number;

/// The deepest document Baton accepts or builds, in levels of arrays and objects: a
/// scalar is depth 0, `[]` and `{"a":1}` depth 1, `[[]]` depth 2 (as [`Value::depth`]
/// counts). Parsing refuses anything deeper.
///
/// 1,000 is likely the default nesting limit of the parser AWS's service uses (Jackson's
/// `StreamReadConstraints`), though that is not verified.
pub const MAX_DEPTH: usize = 1000;

/// Objects up to this many members are searched by comparing keys rather than hashing.
const SMALL_OBJECT: usize = 8;

/// An object key or string value: shared, immutable text.
pub type Str = Arc<str>;

/// The entries of a JSON object, in insertion order. Keys are hashed with foldhash: fast
/// for the short keys of JSON documents, and seeded per process so that crafted keys
/// cannot degrade lookups.
pub type Map = indexmap::IndexMap<Str, Value, foldhash::fast::RandomState>;

/// A JSON document. Clones are cheap: containers are shared, not copied.
#[derive(Clone, Default)]
pub enum Value {
    /// `null`
    #[default]
    Null,
    /// `true` or `false`
    Bool(bool),
    /// A number, integer or floating point.
    Number(Number),
    /// A string.
    String(Str),
    /// An array.
    Array(Arc<Array>),
    /// An object.
    Object(Arc<Object>),
}

impl Value {
    /// An empty object.
    pub fn empty_object() -> Value {
        Value::Object(Arc::new(Object::new(Map::default())))
    }

    /// A string value.
    pub fn string(s: impl Into<Str>) -> Value {
        Value::String(s.into())
    }

    /// An object built from its entries.
    pub fn object(map: Map) -> Value {
        Value::Object(Arc::new(Object::new(map)))
    }

    /// An array built from its elements.
    pub fn array(items: Vec<Value>) -> Value {
        Value::Array(Arc::new(Array::new(items)))
    }

    /// Parses JSON text nested at most [`MAX_DEPTH`] levels deep.
    ///
    /// A deeper document is refused with an error saying `nested deeper than 1000 levels`
    /// and where; no input, however deep, overflows the stack.
    pub fn from_json_str(text: &str) -> Result<Value, serde_json::Error> {
        Value::from_json_str_within(text, MAX_DEPTH)
    }

    /// Parses JSON bytes nested at most [`MAX_DEPTH`] levels deep (see
    /// [`Value::from_json_str`]).
    pub fn from_json_slice(bytes: &[u8]) -> Result<Value, serde_json::Error> {
        Value::from_json_slice_within(bytes, MAX_DEPTH)
    }

    /// Parses JSON text nested at most `max_depth` levels deep: for a format of Baton's
    /// own that wraps documents in a few levels, which passes [`MAX_DEPTH`] plus its
    /// wrapping.
    pub fn from_json_str_within(text: &str, max_depth: usize) -> Result<Value, serde_json::Error> {
        parse(serde_json::Deserializer::from_str(text), max_depth)
    }

    /// Parses JSON bytes nested at most `max_depth` levels deep (see
    /// [`Value::from_json_str_within`]).
    pub fn from_json_slice_within(
        bytes: &[u8],
        max_depth: usize,
    ) -> Result<Value, serde_json::Error> {
        parse(serde_json::Deserializer::from_slice(bytes), max_depth)
    }

    /// Compact JSON text, as serde_json writes it.
    pub fn to_json_string(&self) -> String {
        let mut out = Vec::with_capacity(self.capacity_hint());
        ser::write::<false>(self, &mut out, 0);
        text(out)
    }

    /// Indented JSON text, as serde_json's pretty printer writes it.
    pub fn to_json_pretty(&self) -> String {
        let mut out = Vec::with_capacity(self.capacity_hint());
        ser::write::<true>(self, &mut out, 0);
        text(out)
    }

    /// Room for the compact text: its length if already measured, else a guess.
    fn capacity_hint(&self) -> usize {
        let known = match self {
            Value::Array(a) => a.known_measure(),
            Value::Object(o) => o.known_measure(),
            _ => None,
        };
        // A value measured larger than any text written in one piece only gets a guess.
        known.map_or(128, |m| (m.len() as usize).min(1 << 30))
    }

    /// The member `key` of an object; `None` for a missing key or a non-object.
    #[inline]
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            // Most objects in state data are small: comparing a few keys is cheaper than
            // hashing one.
            Value::Object(map) if map.len() <= SMALL_OBJECT => map
                .iter()
                .find_map(|(k, v)| (k.len() == key.len() && **k == *key).then_some(v)),
            Value::Object(map) => map.get(key),
            _ => None,
        }
    }

    /// The element at `index` of an array; `None` when out of range or not an array.
    #[inline]
    pub fn index(&self, index: usize) -> Option<&Value> {
        match self {
            Value::Array(items) => items.get(index),
            _ => None,
        }
    }

    /// The text of a string value.
    #[inline]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value of a boolean.
    #[inline]
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number, if this is one.
    #[inline]
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The number as a float, if this is a number.
    #[inline]
    pub fn as_f64(&self) -> Option<f64> {
        self.as_number().map(Number::as_f64)
    }

    /// The number as an `i64`, if it is an integer that fits.
    #[inline]
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }

    /// The elements of an array.
    #[inline]
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The entries of an object.
    #[inline]
    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }

    /// Mutable access to an object's entries, copying the map first if it is shared.
    #[inline]
    pub fn as_object_mut(&mut self) -> Option<&mut Map> {
        match self {
            Value::Object(map) => Some(&mut **Arc::make_mut(map)),
            _ => None,
        }
    }

    /// Mutable access to an array's elements, copying the array first if it is shared.
    #[inline]
    pub fn as_array_mut(&mut self) -> Option<&mut Vec<Value>> {
        match self {
            Value::Array(items) => Some(&mut **Arc::make_mut(items)),
            _ => None,
        }
    }

    /// `true` for `null`.
    #[inline]
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// `true` for objects.
    #[inline]
    pub fn is_object(&self) -> bool {
        matches!(self, Value::Object(_))
    }

    /// `true` for arrays.
    #[inline]
    pub fn is_array(&self) -> bool {
        matches!(self, Value::Array(_))
    }

    /// `true` for strings.
    #[inline]
    pub fn is_string(&self) -> bool {
        matches!(self, Value::String(_))
    }

    /// `true` for numbers.
    #[inline]
    pub fn is_number(&self) -> bool {
        matches!(self, Value::Number(_))
    }

    /// The JSON type's name, for messages: `null`, `boolean`, `number`, `string`,
    /// `array` or `object`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }

    /// Equality as JSON values: numbers compare by numeric value (`1 == 1.0`), objects
    /// regardless of key order.
    pub fn json_eq(&self, other: &Value) -> bool {
        compare::json_eq(self, other, 0)
    }

    /// Converts to a `serde_json::Value` (a deep copy).
    pub fn to_serde(&self) -> serde_json::Value {
        self.to_serde_at(0)
    }

    fn to_serde_at(&self, level: usize) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => serde_json::Value::Number(n.to_serde()),
            Value::String(s) => serde_json::Value::String(s.to_string()),
            Value::Array(items) => stack::guard_at(level, || {
                let items = items.iter().map(|v| v.to_serde_at(level + 1));
                serde_json::Value::Array(items.collect())
            }),
            Value::Object(map) => stack::guard_at(level, || {
                let members = map
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_serde_at(level + 1)));
                serde_json::Value::Object(members.collect())
            }),
        }
    }

    /// The nesting depth: 0 for a scalar, 1 for an array or object of scalars, ...
    ///
    /// Measured together with [`Value::encoded_len`] and remembered by each container, so
    /// this is immediate for a document measured before. Exact up to 1,048,574 levels (far
    /// beyond [`MAX_DEPTH`]); a deeper document, which only code can build, reports that.
    pub fn depth(&self) -> usize {
        match self {
            Value::Array(a) => a.depth(),
            Value::Object(o) => o.depth(),
            _ => 0,
        }
    }
}

/// The text written by [`ser::write`], which writes only UTF-8.
fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).expect("JSON text is written from strs and ASCII")
}

/// Reads one document, nested at most `max_depth` levels, and nothing after it but
/// whitespace.
fn parse<'de, R: serde_json::de::Read<'de>>(
    mut de: serde_json::Deserializer<R>,
    max_depth: usize,
) -> Result<Value, serde_json::Error> {
    use serde::de::DeserializeSeed;
    // `de::Depth` bounds the depth instead (serde_json's own limit stops at 127 levels),
    // and checks the stack on the way down.
    de.disable_recursion_limit();
    let value = de::Depth::outermost(max_depth).deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

impl From<serde_json::Value> for Value {
    fn from(value: serde_json::Value) -> Self {
        from_serde(value, 0)
    }
}

/// A `serde_json::Value`, `level` containers deep, converted. Children are moved out of
/// their containers as they are converted, so the `serde_json::Value` is dismantled level
/// by level rather than dropped recursively at the end.
fn from_serde(value: serde_json::Value, level: usize) -> Value {
    match value {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Number(n) => Value::Number(Number::from_serde(&n)),
        serde_json::Value::String(s) => Value::String(s.into()),
        serde_json::Value::Array(items) => stack::guard_at(level, || {
            Value::array(
                items
                    .into_iter()
                    .map(|v| from_serde(v, level + 1))
                    .collect(),
            )
        }),
        serde_json::Value::Object(map) => stack::guard_at(level, || {
            Value::object(
                map.into_iter()
                    .map(|(k, v)| (Str::from(k), from_serde(v, level + 1)))
                    .collect(),
            )
        }),
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.into())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s.into())
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Number(Number::from(n))
    }
}

impl From<u64> for Value {
    fn from(n: u64) -> Self {
        Value::Number(Number::from(n))
    }
}

impl From<usize> for Value {
    fn from(n: usize) -> Self {
        Value::Number(Number::from(n as u64))
    }
}

impl From<Vec<Value>> for Value {
    fn from(items: Vec<Value>) -> Self {
        Value::array(items)
    }
}

impl From<Map> for Value {
    fn from(map: Map) -> Self {
        Value::object(map)
    }
}

impl fmt::Display for Value {
    /// Compact JSON text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_json_string())
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_json_string())
    }
}

/// Builds a [`Value`] from JSON-like syntax, as `serde_json::json!` does.
#[macro_export]
macro_rules! json {
    ($($tt:tt)+) => {
        $crate::Value::from(::serde_json::json!($($tt)+))
    };
}

#[cfg(test)]
mod depth_tests;
#[cfg(test)]
mod roundtrip_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_text_and_keeps_key_order() {
        let text = r#"{"b":1,"a":[true,null,"x",2.5,-3],"c":{"z":{},"y":[]}}"#;
        let v = Value::from_json_str(text).unwrap();
        assert_eq!(v.to_json_string(), text);
    }

    #[test]
    fn clones_share_and_mutation_copies_on_write() {
        let original = json!({"a": {"deep": [1, 2, 3]}, "b": 2});
        let mut changed = original.clone();
        changed
            .as_object_mut()
            .unwrap()
            .insert("c".into(), json!(3));
        assert_eq!(original.to_json_string(), r#"{"a":{"deep":[1,2,3]},"b":2}"#);
        assert_eq!(
            changed.to_json_string(),
            r#"{"a":{"deep":[1,2,3]},"b":2,"c":3}"#
        );
        // The untouched child is still the same allocation in both.
        let (Some(Value::Object(a1)), Some(Value::Object(a2))) =
            (original.get("a"), changed.get("a"))
        else {
            panic!("objects expected")
        };
        assert!(Arc::ptr_eq(a1, a2));
    }

    #[test]
    fn json_eq_compares_numbers_by_value_and_objects_unordered() {
        assert!(json!({"a": 1, "b": [1.0]}).json_eq(&json!({"b": [1], "a": 1.0})));
        assert!(!json!({"a": 1}).json_eq(&json!({"a": 2})));
        assert!(!json!([1, 2]).json_eq(&json!([2, 1])));
    }

    #[test]
    fn deep_documents_drop_without_overflowing_the_stack() {
        // Run on a small stack so that a recursive drop would fail.
        std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(|| {
                let mut v = Value::Null;
                for i in 0..200_000 {
                    v = if i % 2 == 0 {
                        Value::array(vec![v, Value::from(1u64)])
                    } else {
                        let mut m = Map::default();
                        m.insert("k".into(), v);
                        Value::object(m)
                    };
                }
                let shared = v.clone();
                drop(v);
                drop(shared);
            })
            .unwrap()
            .join()
            .unwrap();
    }

    #[test]
    fn a_repeated_key_keeps_its_first_position_and_last_value() {
        let v = Value::from_json_str(r#"{"a":1,"b":2,"a":3}"#).unwrap();
        assert_eq!(v.to_json_string(), r#"{"a":3,"b":2}"#);
    }

    #[test]
    fn floats_round_trip_exactly() {
        let v = Value::from_json_str("5.713383956445858e262").unwrap();
        assert_eq!(v.to_json_string(), "5.713383956445858e+262");
    }

    #[test]
    fn keeps_large_integers_exact() {
        let v =
            Value::from_json_str("[9007199254740993, -9223372036854775808, 18446744073709551615]")
                .unwrap();
        assert_eq!(
            v.to_json_string(),
            "[9007199254740993,-9223372036854775808,18446744073709551615]"
        );
    }
}
