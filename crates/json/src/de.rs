//! Deserialisation of [`Value`] through serde (from JSON, YAML, ...).

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::{Map, Number, Str, Value};

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

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

    fn visit_f64<E: serde::de::Error>(self, f: f64) -> Result<Value, E> {
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
        Deserialize::deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::with_capacity_and_hasher(
            access.size_hint().unwrap_or(0).min(4096),
            Default::default(),
        );
        while let Some(key) = access.next_key::<KeyString>()? {
            let value: Value = access.next_value()?;
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
