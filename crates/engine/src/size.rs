//! The payload limit: a document's size as JSON text, measured without writing it.

use baton_json::Value;

/// `true` when `value`, written as compact JSON, takes more than `limit` bytes.
///
/// Containers remember their length once measured (see [`Value::encoded_len`]), so
/// checking each state's output costs only the parts of it that are new.
pub fn exceeds(value: &Value, limit: usize) -> bool {
    value.encoded_len() > limit as u64
}
