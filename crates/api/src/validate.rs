//! Requests checked against the model before they reach a backend, as AWS checks them:
//! a member of the wrong JSON type is a `SerializationException`; a value that breaks the
//! model's constraints (required, length, range, pattern, enum) is a `ValidationException`
//! listing every violation:
//!
//! `1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint:
//! Member must have value less than or equal to 1000` (recorded from AWS).
//!
//! Several violations are joined by `; ` after `N validation errors detected: `. Paths are
//! member names joined by `.`, list items as `name.1.member` (1-based), map values as
//! `name.<key>`. Sensitive values are left out (`Value at 'definition' ...`). Lengths count
//! characters; payload members (execution input and output) count UTF-8 bytes against the
//! configured payload limit.

use std::fmt::Write;

use serde_json::Value;

use crate::error::ApiError;
use crate::schema::{Kind, Shape, ShapeId};

/// The server's limits that replace the model's where AWS lets them be configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest payload (execution input or output, task result), in UTF-8 bytes.
    pub max_payload_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_payload_bytes: crate::config::DEFAULT_MAX_PAYLOAD_BYTES,
        }
    }
}

/// Checks `value` (a request body or a part of one) against `shape`.
pub fn validate(shape: ShapeId, value: &Value, limits: &Limits) -> Result<(), ApiError> {
    let mut walker = Walker {
        limits,
        violations: Vec::new(),
    };
    walker
        .walk(shape.shape(), value, "")
        .map_err(ApiError::serialization)?;
    match walker.violations.len() {
        0 => Ok(()),
        1 => Err(ApiError::validation(format!(
            "1 validation error detected: {}",
            walker.violations[0]
        ))),
        n => Err(ApiError::validation(format!(
            "{n} validation errors detected: {}",
            walker.violations.join("; ")
        ))),
    }
}

struct Walker<'a> {
    limits: &'a Limits,
    violations: Vec<String>,
}

/// Coral's wording for a JSON value of the wrong type (as other AWS JSON services answer;
/// not recorded from Step Functions).
fn wrong_type(value: &Value, expected: &str) -> String {
    match value {
        Value::Object(_) => "Start of structure or map found where not expected.".into(),
        Value::Array(_) => "Start of list found where not expected.".into(),
        Value::String(_) => format!("STRING_VALUE can not be converted to {expected}"),
        Value::Number(_) => format!("NUMBER_VALUE can not be converted to {expected}"),
        Value::Bool(true) => format!("TRUE_VALUE can not be converted to {expected}"),
        Value::Bool(false) => format!("FALSE_VALUE can not be converted to {expected}"),
        Value::Null => format!("NULL_VALUE can not be converted to {expected}"),
    }
}

/// A value as AWS quotes it in a message: strings bare, numbers as written, lists as
/// `[a, b]`.
fn render(value: &Value, out: &mut String) {
    match value {
        Value::String(s) => out.push_str(s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(k);
                out.push('=');
                render(v, out);
            }
            out.push('}');
        }
        other => {
            let _ = write!(out, "{other}");
        }
    }
}

fn child(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

impl Walker<'_> {
    fn violation(&mut self, shape: &Shape, value: Option<&Value>, path: &str, constraint: &str) {
        let mut msg = String::from("Value");
        match value {
            None => msg.push_str(" null"),
            Some(_) if shape.sensitive => {}
            Some(v) => {
                msg.push_str(" '");
                render(v, &mut msg);
                msg.push('\'');
            }
        }
        let _ = write!(
            msg,
            " at '{path}' failed to satisfy constraint: Member must {constraint}"
        );
        self.violations.push(msg);
    }

    fn length(
        &mut self,
        shape: &Shape,
        value: &Value,
        path: &str,
        len: u64,
        min: Option<u64>,
        max: Option<u64>,
    ) {
        if let Some(min) = min.filter(|&min| len < min) {
            self.violation(
                shape,
                Some(value),
                path,
                &format!("have length greater than or equal to {min}"),
            );
        }
        if let Some(max) = max.filter(|&max| len > max) {
            self.violation(
                shape,
                Some(value),
                path,
                &format!("have length less than or equal to {max}"),
            );
        }
    }

    fn range<N: PartialOrd + std::fmt::Display + Copy>(
        &mut self,
        shape: &Shape,
        value: &Value,
        path: &str,
        n: N,
        min: Option<N>,
        max: Option<N>,
    ) {
        if let Some(min) = min.filter(|&min| n < min) {
            self.violation(
                shape,
                Some(value),
                path,
                &format!("have value greater than or equal to {min}"),
            );
        }
        if let Some(max) = max.filter(|&max| n > max) {
            self.violation(
                shape,
                Some(value),
                path,
                &format!("have value less than or equal to {max}"),
            );
        }
    }

    /// Walks one value; `Err` is a type mismatch (SerializationException).
    fn walk(&mut self, shape: &'static Shape, value: &Value, path: &str) -> Result<(), String> {
        match &shape.kind {
            Kind::Structure { members } => {
                let Value::Object(map) = value else {
                    return Err(wrong_type(value, "a structure"));
                };
                for member in *members {
                    let member_path = child(path, member.name);
                    match map.get(member.name) {
                        None | Some(Value::Null) => {
                            if member.required {
                                self.violation(
                                    member.shape.shape(),
                                    None,
                                    &member_path,
                                    "not be null",
                                );
                            }
                        }
                        Some(v) => self.walk(member.shape.shape(), v, &member_path)?,
                    }
                }
            }
            Kind::List { member, min, max } => {
                let Value::Array(items) = value else {
                    return Err(wrong_type(value, "a list"));
                };
                self.length(shape, value, path, items.len() as u64, *min, *max);
                for (i, item) in items.iter().enumerate() {
                    if item.is_null() {
                        return Err(wrong_type(item, "a list member"));
                    }
                    self.walk(member.shape(), item, &format!("{}.{}.member", path, i + 1))?;
                }
            }
            Kind::Map {
                key,
                value: value_shape,
                min,
                max,
            } => {
                let Value::Object(map) = value else {
                    return Err(wrong_type(value, "a map"));
                };
                self.length(shape, value, path, map.len() as u64, *min, *max);
                for (k, v) in map {
                    let entry_path = child(path, k);
                    self.walk(key.shape(), &Value::String(k.clone()), &entry_path)?;
                    if v.is_null() {
                        return Err(wrong_type(v, "a map value"));
                    }
                    self.walk(value_shape.shape(), v, &entry_path)?;
                }
            }
            Kind::String {
                min,
                max,
                pattern,
                values,
                message_order,
                payload,
            } => {
                let Value::String(s) = value else {
                    return Err(wrong_type(value, "String"));
                };
                if *payload {
                    // A payload is measured in bytes, and AWS says so.
                    let limit = self.limits.max_payload_bytes as u64;
                    self.length(shape, value, path, s.len() as u64, *min, None);
                    if s.len() as u64 > limit {
                        self.violation(
                            shape,
                            Some(value),
                            path,
                            &format!(
                                "have size less than or equal to {limit} bytes in UTF-8 encoding"
                            ),
                        );
                    }
                } else {
                    self.length(shape, value, path, s.chars().count() as u64, *min, *max);
                }
                if let Some(p) = pattern.filter(|p| !(p.matches)(s)) {
                    self.violation(
                        shape,
                        Some(value),
                        path,
                        &format!("satisfy regular expression pattern: {}", p.source),
                    );
                }
                if !values.is_empty() && !values.contains(&s.as_str()) {
                    let set = message_order.join(", ");
                    self.violation(
                        shape,
                        Some(value),
                        path,
                        &format!("satisfy enum value set: [{set}]"),
                    );
                }
            }
            Kind::Boolean => {
                if !value.is_boolean() {
                    return Err(wrong_type(value, "Boolean"));
                }
            }
            Kind::Integer { min, max } => {
                let n = value
                    .as_i64()
                    .filter(|n| i32::try_from(*n).is_ok())
                    .ok_or_else(|| wrong_type(value, "an Integer"))?;
                self.range(shape, value, path, n, *min, *max);
            }
            Kind::Long { min, max } => {
                let n = value.as_i64().ok_or_else(|| wrong_type(value, "a Long"))?;
                self.range(shape, value, path, n, *min, *max);
            }
            Kind::Float { min, max } | Kind::Double { min, max } => {
                let n = value
                    .as_f64()
                    .filter(|n| n.is_finite())
                    .ok_or_else(|| wrong_type(value, "a Float"))?;
                self.range(shape, value, path, n, *min, *max);
            }
            Kind::Timestamp => {
                value
                    .as_f64()
                    .filter(|n| crate::Timestamp::from_unix_seconds(*n).is_some())
                    .ok_or_else(|| wrong_type(value, "a Date"))?;
            }
            Kind::Blob => {
                if !value.is_string() {
                    return Err(wrong_type(value, "a Blob"));
                }
            }
        }
        Ok(())
    }
}
