//! Values a backend hands over either typed or as JSON text already in AWS's shape.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

/// A value of the generated type `T`, or JSON text that is already in `T`'s wire shape and
/// is written out unchanged (history events that an engine or a store keeps as JSON).
#[derive(Debug, Clone)]
pub enum Passthrough<T> {
    /// A typed value, serialised by its generated `Serialize`.
    Typed(T),
    /// JSON text, written as it is.
    Json(Box<RawValue>),
}

impl<T> Passthrough<T> {
    /// JSON text in `T`'s wire shape; an error when it is not JSON.
    pub fn json(text: impl Into<String>) -> Result<Self, serde_json::Error> {
        RawValue::from_string(text.into()).map(Passthrough::Json)
    }

    /// Any serialisable value in `T`'s wire shape (a `serde_json::Value`, an engine's event).
    pub fn from_serialize(value: &impl Serialize) -> Result<Self, serde_json::Error> {
        serde_json::value::to_raw_value(value).map(Passthrough::Json)
    }
}

impl<T> From<T> for Passthrough<T> {
    fn from(value: T) -> Self {
        Passthrough::Typed(value)
    }
}

impl<T: PartialEq> PartialEq for Passthrough<T> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Passthrough::Typed(a), Passthrough::Typed(b)) => a == b,
            (Passthrough::Json(a), Passthrough::Json(b)) => a.get() == b.get(),
            _ => false,
        }
    }
}

impl<T: Serialize> Serialize for Passthrough<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Passthrough::Typed(v) => v.serialize(serializer),
            Passthrough::Json(raw) => raw.serialize(serializer),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Passthrough<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Passthrough::Typed)
    }
}
