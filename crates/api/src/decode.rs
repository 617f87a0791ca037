//! Request bodies into generated types (after validation), and responses into JSON.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::ApiError;
use crate::schema::Shaped;
use crate::validate::{Limits, validate};

/// Validates `body` against `T`'s shape, then reads it as a `T`.
pub fn decode<T: Shaped + DeserializeOwned>(body: Value, limits: &Limits) -> Result<T, ApiError> {
    validate(T::SHAPE, &body, limits)?;
    // A body that passed validation fits the generated type; if not, the two disagree.
    serde_json::from_value(body).map_err(|e| {
        ApiError::internal(format!(
            "The request passed validation but does not fit its type: {e}"
        ))
    })
}

/// A response as JSON bytes.
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(value)
        .map_err(|e| ApiError::internal(format!("The response could not be written: {e}")))
}

/// Parses a request body: empty means `{}`; anything but a JSON object is a
/// `SerializationException`.
pub fn parse_body(bytes: &[u8]) -> Result<Value, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Default::default()));
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(Value::Array(_)) => Err(ApiError::serialization(
            "Start of list found where not expected.",
        )),
        Ok(_) => Err(ApiError::serialization(
            "The request body must be a JSON object.",
        )),
        Err(e) => Err(ApiError::serialization(format!(
            "The request body is not valid JSON: {e}"
        ))),
    }
}
