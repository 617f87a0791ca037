//! The model's shapes as data: types and constraints, generated into [`crate::model::SHAPES`]
//! and read by [`crate::validate`].

use crate::pattern::Pattern;

/// The index of a shape in [`crate::model::SHAPES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ShapeId(pub u16);

impl ShapeId {
    /// The shape.
    pub fn shape(self) -> &'static Shape {
        &crate::model::SHAPES[self.0 as usize]
    }
}

/// A generated type that stands for a shape of the model.
pub trait Shaped {
    /// The shape the type was generated from.
    const SHAPE: ShapeId;
}

/// One shape of the model.
#[derive(Debug)]
pub struct Shape {
    /// The model's name for it, e.g. `ListExecutionsInput`.
    pub name: &'static str,
    /// Whether the model marks its values sensitive: validation messages leave them out.
    pub sensitive: bool,
    /// Its type and constraints.
    pub kind: Kind,
}

/// A shape's type with the model's constraints on it.
#[derive(Debug)]
pub enum Kind {
    /// A string: length (in characters, or UTF-8 bytes for payloads), pattern, enum values.
    String {
        /// `min` length.
        min: Option<u64>,
        /// `max` length.
        max: Option<u64>,
        /// A pattern the whole value must match.
        pattern: Option<Pattern>,
        /// The allowed values of an enum; empty for any string.
        values: &'static [&'static str],
        /// The same values in the order AWS's validation message lists them.
        message_order: &'static [&'static str],
        /// A payload (execution input or output): the maximum is the server's configured
        /// payload limit, counted in UTF-8 bytes.
        payload: bool,
    },
    /// `true` or `false`.
    Boolean,
    /// A 32-bit integer.
    Integer {
        /// Smallest value.
        min: Option<i64>,
        /// Largest value.
        max: Option<i64>,
    },
    /// A 64-bit integer.
    Long {
        /// Smallest value.
        min: Option<i64>,
        /// Largest value.
        max: Option<i64>,
    },
    /// A 32-bit float.
    Float {
        /// Smallest value.
        min: Option<f64>,
        /// Largest value.
        max: Option<f64>,
    },
    /// A 64-bit float.
    Double {
        /// Smallest value.
        min: Option<f64>,
        /// Largest value.
        max: Option<f64>,
    },
    /// A point in time: epoch seconds on the wire.
    Timestamp,
    /// Bytes: base64 text on the wire.
    Blob,
    /// An object with named members.
    Structure {
        /// The members, in the model's order.
        members: &'static [Member],
    },
    /// An array.
    List {
        /// The items' shape.
        member: ShapeId,
        /// Fewest items.
        min: Option<u64>,
        /// Most items.
        max: Option<u64>,
    },
    /// An object with arbitrary keys.
    Map {
        /// The keys' shape.
        key: ShapeId,
        /// The values' shape.
        value: ShapeId,
        /// Fewest entries.
        min: Option<u64>,
        /// Most entries.
        max: Option<u64>,
    },
}

/// A member of a structure.
#[derive(Debug)]
pub struct Member {
    /// Its name on the wire.
    pub name: &'static str,
    /// Its shape.
    pub shape: ShapeId,
    /// Whether the model requires it.
    pub required: bool,
}
