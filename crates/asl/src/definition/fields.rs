//! Reading the fields of one JSON object of a definition, reporting what is wrong and
//! what is left over.
//!
//! Each construct's parser takes the fields it knows from a [`Fields`]; when it is done,
//! [`Fields::finish`] reports every field nobody took as not supported, so a typo such as
//! `"Nxet"` is an error rather than silently ignored.

use baton_json::{Map, Value};

use crate::diagnostic::{Diagnostics, Pointer};

/// The fields of one object, with a record of which were read.
pub(crate) struct Fields<'a> {
    map: &'a Map,
    at: Pointer,
    taken: Vec<bool>,
}

impl<'a> Fields<'a> {
    /// Starts reading `value`, which must be an object; reports and returns `None` if not.
    pub(crate) fn of(value: &'a Value, at: &Pointer, d: &mut Diagnostics) -> Option<Self> {
        match value {
            Value::Object(map) => Some(Fields {
                map,
                at: at.clone(),
                taken: vec![false; map.len()],
            }),
            other => {
                wrong_type(at, "object", other, d);
                None
            }
        }
    }

    /// Where this object is.
    pub(crate) fn at(&self) -> &Pointer {
        &self.at
    }

    /// The pointer to field `name` of this object.
    pub(crate) fn at_field(&self, name: &str) -> Pointer {
        self.at.child(name)
    }

    /// Takes field `name` whatever its type.
    pub(crate) fn take(&mut self, name: &str) -> Option<&'a Value> {
        let (i, _, v) = self.map.get_full(name)?;
        self.taken[i] = true;
        Some(v)
    }

    /// `true` when the object has field `name` (without taking it).
    pub(crate) fn has(&self, name: &str) -> bool {
        self.map.contains_key(name)
    }

    /// Takes a string field; reports a field of another type.
    pub(crate) fn string(&mut self, name: &str, d: &mut Diagnostics) -> Option<&'a str> {
        match self.take(name)? {
            Value::String(s) => Some(s),
            other => {
                self.wrong_type(name, "string", other, d);
                None
            }
        }
    }

    /// Takes a boolean field.
    pub(crate) fn boolean(&mut self, name: &str, d: &mut Diagnostics) -> Option<bool> {
        match self.take(name)? {
            Value::Bool(b) => Some(*b),
            other => {
                self.wrong_type(name, "boolean", other, d);
                None
            }
        }
    }

    /// Takes an object field.
    pub(crate) fn object(&mut self, name: &str, d: &mut Diagnostics) -> Option<&'a Value> {
        match self.take(name)? {
            v @ Value::Object(_) => Some(v),
            other => {
                self.wrong_type(name, "object", other, d);
                None
            }
        }
    }

    /// Takes an array field.
    pub(crate) fn array(&mut self, name: &str, d: &mut Diagnostics) -> Option<&'a [Value]> {
        match self.take(name)? {
            Value::Array(items) => Some(items),
            other => {
                self.wrong_type(name, "array", other, d);
                None
            }
        }
    }

    /// Takes an integer field within `min..=max`; reports a field of another type or
    /// out of range.
    pub(crate) fn integer(
        &mut self,
        name: &str,
        min: u64,
        max: u64,
        d: &mut Diagnostics,
    ) -> Option<u64> {
        let v = self.take(name)?;
        let at = self.at_field(name);
        integer_value(v, name, min, max, &at, d)
    }

    /// Takes a number field.
    pub(crate) fn number(&mut self, name: &str, d: &mut Diagnostics) -> Option<f64> {
        let v = self.take(name)?;
        match v.as_f64() {
            Some(f) => Some(f),
            None => {
                self.wrong_type(name, "number", v, d);
                None
            }
        }
    }

    /// Reports the fields of `names` that are missing, in one diagnostic at the object:
    /// `These fields are required: [A, B]` (AWS's wording).
    pub(crate) fn require(&self, names: &[&str], d: &mut Diagnostics) -> bool {
        let missing: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| !self.map.contains_key(*n))
            .collect();
        if missing.is_empty() {
            return true;
        }
        d.schema(
            &self.at,
            format!("These fields are required: [{}]", missing.join(", ")),
        );
        false
    }

    fn wrong_type(&self, name: &str, expected: &str, got: &Value, d: &mut Diagnostics) {
        wrong_type(&self.at_field(name), expected, got, d);
    }

    /// Reports every field not taken as unsupported, at the object: `Field 'X' is not
    /// supported` (AWS's wording, for unknown fields and for fields of other state types).
    pub(crate) fn finish(self, d: &mut Diagnostics) {
        for (i, (name, _)) in self.map.iter().enumerate() {
            if !self.taken[i] {
                d.schema(&self.at, format!("Field '{name}' is not supported"));
            }
        }
    }

    /// Marks every field as taken (used where an object is passed through untouched).
    pub(crate) fn take_rest(&mut self) {
        self.taken.iter_mut().for_each(|t| *t = true);
    }
}

/// Reports a value of the wrong JSON type: `Expected value of type 'X', but was 'Y'`.
// Not verified against AWS: the wording follows the choice rule diagnostics.
pub(crate) fn wrong_type(at: &Pointer, expected: &str, got: &Value, d: &mut Diagnostics) {
    d.schema(
        at,
        format!(
            "Expected value of type '{expected}', but was '{}'",
            got.type_name()
        ),
    );
}

/// Reads an integer within `min..=max` (a number without a fraction; `1.0` counts).
pub(crate) fn integer_value(
    v: &Value,
    name: &str,
    min: u64,
    max: u64,
    at: &Pointer,
    d: &mut Diagnostics,
) -> Option<u64> {
    let Some(n) = v.as_number() else {
        wrong_type(at, "integer", v, d);
        return None;
    };
    let int = match n.as_u64() {
        Some(u) => Some(u),
        None if n.as_i64().is_some() => None,
        None => {
            let f = n.as_f64();
            (f.fract() == 0.0 && (0.0..1.8e19).contains(&f)).then_some(f as u64)
        }
    };
    match int {
        Some(u) if (min..=max).contains(&u) => Some(u),
        _ if !n.is_integer() && n.as_f64().fract() != 0.0 => {
            wrong_type(at, "integer", v, d);
            None
        }
        _ => {
            // Not verified against AWS.
            d.schema(
                at,
                format!("The value of the field '{name}' must be between {min} and {max}"),
            );
            None
        }
    }
}
