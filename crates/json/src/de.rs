//! Deserialisation of [`Value`] through serde (from JSON, YAML, ...).
//!
//! Every document read is bounded in depth: [`MAX_DEPTH`] levels through the plain
//! [`Deserialize`] impl and [`Value::from_json_str`], a caller's bound through
//! [`Value::from_json_str_within`]. The bound travels down with each nested value (a
//! [`DeserializeSeed`]), and a container one level too deep is refused as soon as its
//! opening bracket is read, whatever follows. The recursion goes through
//! [`stack::guard_at`](crate::stack::guard_at), so documents within the bound never
//! overflow the stack, however small the thread's.

use std::fmt;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::{MAX_DEPTH, Map, Number, Str, Value};

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Value, D::Error> {
        Depth::outermost(MAX_DEPTH).deserialize(deserializer)
    }
}

/// Where a value sits: how many containers enclose it, and how many may.
#[derive(Clone, Copy)]
pub(crate) struct Depth {
    /// Containers enclosing the value.
    enclosing: usize,
    /// The deepest document accepted.
    max: usize,
}

impl Depth {
    /// A whole document, nested at most `max` levels deep.
    pub(crate) fn outermost(max: usize) -> Depth {
        Depth { enclosing: 0, max }
    }

    /// The position of this container's children, or an error if the container itself
    /// is one level too many.
    #[inline]
    fn enter<E: de::Error>(self) -> Result<Depth, E> {
        if self.enclosing >= self.max {
            return Err(too_deep(self.max));
        }
        Ok(Depth {
            enclosing: self.enclosing + 1,
            max: self.max,
        })
    }
}

/// The error for a document nested deeper than `max` levels. serde_json adds where
/// (`at line 1 column 1001`): at the bracket that opens the first level too many (at its
/// closing bracket if that container is empty). It begins as serde_json's own message for
/// its recursion limit did, which callers may look for.
#[cold]
fn too_deep<E: de::Error>(max: usize) -> E {
    E::custom(format_args!(
        "recursion limit exceeded: nested deeper than {max} levels"
    ))
}

impl<'de> DeserializeSeed<'de> for Depth {
    type Value = Value;

    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        // The stack is checked here, before the kind of value is known: a scalar costs
        // the same cheap test as a container, and the loops over a container's children
        // stay where serde_json calls them.
        crate::stack::guard_at(self.enclosing, || {
            deserializer.deserialize_any(ValueVisitor(self))
        })
    }
}

/// Builds a [`Value`] at a given depth.
struct ValueVisitor(Depth);

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
        Ok(Value::Number(Number::from(i)))
    }

    fn visit_u64<E>(self, u: u64) -> Result<Value, E> {
        Ok(Value::Number(Number::from(u)))
    }

    fn visit_f64<E: de::Error>(self, f: f64) -> Result<Value, E> {
        Number::from_f64(f)
            .map(Value::Number)
            .ok_or_else(|| E::custom("numbers must be finite"))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(Str::from(s)))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(Str::from(s)))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.0.deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let inner = self.0.enter()?;
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element_seed(inner)? {
            items.push(item);
        }
        Ok(Value::array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let inner = self.0.enter()?;
        let mut map = Map::with_capacity_and_hasher(
            access.size_hint().unwrap_or(0).min(4096),
            Default::default(),
        );
        while let Some(key) = access.next_key::<KeyString>()? {
            let value = access.next_value_seed(inner)?;
            // A repeated key keeps its first position and takes the last value, as the
            // JSON parsers AWS uses do.
            map.insert(key.0, value);
        }
        Ok(Value::object(map))
    }
}

/// A map key, accepted as a string (and, for YAML, as a scalar written without quotes).
struct KeyString(Str);

impl<'de> Deserialize<'de> for KeyString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = KeyString;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_str<E>(self, s: &str) -> Result<KeyString, E> {
                Ok(KeyString(Str::from(s)))
            }
            fn visit_bool<E>(self, b: bool) -> Result<KeyString, E> {
                Ok(KeyString(Str::from(b.to_string())))
            }
            fn visit_i64<E>(self, i: i64) -> Result<KeyString, E> {
                Ok(KeyString(Str::from(i.to_string())))
            }
            fn visit_u64<E>(self, u: u64) -> Result<KeyString, E> {
                Ok(KeyString(Str::from(u.to_string())))
            }
            fn visit_f64<E>(self, f: f64) -> Result<KeyString, E> {
                Ok(KeyString(Str::from(f.to_string())))
            }
        }
        d.deserialize_any(KeyVisitor)
    }
}
