//! `States.StringToJson`, `States.JsonToString` and `States.JsonMerge`.

use baton_json::{Number, Value};

use super::eval::{Invalid, Outcome};

/// Parses JSON text; blank text gives `null`, as on AWS.
pub(super) fn string_to_json(args: &[Value]) -> Outcome {
    let [text] = args else { return Err(Invalid) };
    let text = text.as_str().ok_or(Invalid)?;
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Ok(Value::Null);
    }
    if trimmed == "-0" {
        // AWS reads `-0` as the integer 0.
        return Ok(Value::Number(Number::from(0i64)));
    }
    Value::from_json_str(trimmed).map_err(|_| Invalid)
}

/// The value as compact JSON text.
pub(super) fn json_to_string(args: &[Value]) -> Outcome {
    let [value] = args else { return Err(Invalid) };
    Ok(Value::from(value.to_json_string()))
}

/// A shallow merge: the members of the second object replace those of the first. Deep
/// merging (`true`) is refused, as AWS does.
pub(super) fn json_merge(args: &[Value]) -> Outcome {
    let [first, second, deep] = args else {
        return Err(Invalid);
    };
    if deep.as_bool() != Some(false) {
        return Err(Invalid);
    }
    let (Value::Object(_), Value::Object(extra)) = (first, second) else {
        return Err(Invalid);
    };
    let mut merged = first.clone();
    if let Some(map) = merged.as_object_mut() {
        for (k, v) in extra.iter() {
            map.insert(k.clone(), v.clone());
        }
    }
    Ok(merged)
}
