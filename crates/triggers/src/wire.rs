//! What the HTTP handlers share: AWS's error shapes for the JSON 1.1 protocol
//! (EventBridge, Baton's own actions) and the REST-JSON protocol (EventBridge Scheduler),
//! and timestamps.

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// The content type of JSON 1.1 requests and responses.
pub const JSON_11: &str = "application/x-amz-json-1.1";

/// An error as AWS reports it: its code (`ResourceNotFoundException`), message and HTTP
/// status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The error's code.
    pub code: String,
    /// Its message.
    pub message: String,
}

impl AwsError {
    /// An error with a 400 status.
    pub fn new(code: &str, message: impl Into<String>) -> AwsError {
        AwsError {
            status: StatusCode::BAD_REQUEST,
            code: code.into(),
            message: message.into(),
        }
    }

    /// The same, with another status.
    pub fn with_status(mut self, status: StatusCode) -> AwsError {
        self.status = status;
        self
    }

    /// `ValidationException`.
    pub fn validation(message: impl Into<String>) -> AwsError {
        AwsError::new("ValidationException", message)
    }

    /// `ResourceNotFoundException`.
    pub fn not_found(message: impl Into<String>) -> AwsError {
        AwsError::new("ResourceNotFoundException", message)
    }

    /// As the JSON 1.1 protocol answers: `{"__type": CODE, "message": ...}`.
    pub fn json_11(&self) -> Response {
        let mut r = respond(
            self.status,
            JSON_11,
            json!({"__type": self.code, "message": self.message}),
        );
        if let Ok(v) = HeaderValue::from_str(&self.code) {
            r.headers_mut().insert("x-amzn-errortype", v);
        }
        r
    }

    /// As the REST-JSON protocol answers: the code in `x-amzn-ErrorType`, `{"Message": ...}`.
    pub fn rest_json(&self) -> Response {
        let mut r = respond(
            self.status,
            "application/json",
            json!({"Message": self.message}),
        );
        if let Ok(v) = HeaderValue::from_str(&self.code) {
            r.headers_mut().insert("x-amzn-errortype", v);
        }
        r
    }
}

/// A JSON response.
pub fn respond(status: StatusCode, content_type: &'static str, body: Value) -> Response {
    let mut r = (status, body.to_string()).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(id) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
        r.headers_mut().insert("x-amzn-requestid", id);
    }
    r
}

/// Milliseconds as the JSON protocols' timestamps: seconds since the epoch.
pub fn seconds(ms: i64) -> Value {
    if ms % 1000 == 0 {
        json!(ms / 1000)
    } else {
        json!(ms as f64 / 1000.0)
    }
}

/// A timestamp of a request (seconds since the epoch, or an ISO 8601 string) in
/// milliseconds; `None` when it is not one, or not an instant a calendar has (years
/// -9999 to 9999): `1e300` seconds is refused, not read as the last i64.
pub fn millis(v: &Value) -> Option<i64> {
    let seconds = |s: f64| {
        let ms = (s * 1000.0).round();
        // Saturated or not finite: out of range either way.
        ms.is_finite().then_some(ms as i64)
    };
    let ms = match v {
        Value::Number(n) => n.as_f64().and_then(seconds),
        Value::String(s) => match s.parse::<jiff::Timestamp>() {
            Ok(t) => Some(t.as_millisecond()),
            Err(_) => s.parse::<f64>().ok().and_then(seconds),
        },
        _ => None,
    }?;
    jiff::Timestamp::from_millisecond(ms).ok().map(|_| ms)
}

/// Milliseconds as ISO 8601 in UTC, to the second: `2024-01-01T12:00:00Z`.
pub fn iso8601(ms: i64) -> String {
    jiff::Timestamp::from_second(ms.div_euclid(1000))
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// Why a request body could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyError {
    /// Larger than the limit, in bytes (declared by `Content-Length`, or found while
    /// reading).
    TooLarge(usize),
    /// Not there in time (the server's body timeout): what the timeout said.
    TimedOut(String),
    /// Anything else (the client went away, a bad chunked encoding).
    Broken(String),
}

impl BodyError {
    /// What the client is told.
    pub fn message(&self) -> String {
        match self {
            BodyError::TooLarge(limit) => {
                format!("The request body is larger than {limit} bytes")
            }
            BodyError::TimedOut(why) => why.clone(),
            BodyError::Broken(why) => format!("The request body could not be read: {why}"),
        }
    }

    /// The error as AWS's protocols report it: `RequestEntityTooLarge` (413),
    /// `RequestTimeout` (408), `SerializationException` (400).
    pub fn aws(&self) -> AwsError {
        let (code, status) = match self {
            BodyError::TooLarge(_) => ("RequestEntityTooLarge", StatusCode::PAYLOAD_TOO_LARGE),
            BodyError::TimedOut(_) => ("RequestTimeout", StatusCode::REQUEST_TIMEOUT),
            BodyError::Broken(_) => ("SerializationException", StatusCode::BAD_REQUEST),
        };
        AwsError::new(code, self.message()).with_status(status)
    }
}

/// A request's body, at most `limit` bytes: refused at once when its `Content-Length` says
/// more, else read to its end.
pub async fn read_body(
    body: axum::body::Body,
    headers: &HeaderMap,
    limit: usize,
) -> Result<Bytes, BodyError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(BodyError::TooLarge(limit));
    }
    axum::body::to_bytes(body, limit).await.map_err(|e| {
        // The limit may be this reader's or the server's (which also times the body out):
        // both are found among the error's causes.
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        while let Some(c) = cause {
            if c.is::<http_body_util::LengthLimitError>() {
                return BodyError::TooLarge(limit);
            }
            if let Some(io) = c.downcast_ref::<std::io::Error>()
                && io.kind() == std::io::ErrorKind::TimedOut
            {
                return BodyError::TimedOut(io.to_string());
            }
            cause = c.source();
        }
        BodyError::Broken(e.to_string())
    })
}

/// The body of a JSON action (`POST /` with an `X-Amz-Target`): a JSON object of at most
/// `limit` bytes (an empty body is `{}`), or the error response to give (JSON 1.1).
pub async fn json_action_body(
    body: axum::body::Body,
    headers: &HeaderMap,
    limit: usize,
) -> Result<Value, Response> {
    let bytes = read_body(body, headers, limit)
        .await
        .map_err(|e| e.aws().json_11())?;
    if bytes.is_empty() {
        return Ok(Value::Object(serde_json::Map::new()));
    }
    match serde_json::from_slice(&bytes) {
        Ok(v @ Value::Object(_)) => Ok(v),
        _ => Err(AwsError::new(
            "SerializationException",
            "The request body is not a JSON object",
        )
        .json_11()),
    }
}

/// Whether `arn` names a state machine, or a version or alias of one
/// (`arn:PARTITION:states:REGION:ACCOUNT:stateMachine:NAME[:QUALIFIER]`): what triggers
/// start.
pub fn is_state_machine_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(8, ':').collect();
    matches!(parts.as_slice(),
        ["arn", partition, "states", region, account, "stateMachine", name, ..]
            if !partition.is_empty() && !region.is_empty() && !account.is_empty() && !name.is_empty())
}

/// Compares two byte strings in time that depends on their lengths only, not on where
/// they differ (for secrets and signatures).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Lowercase hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_out_of_any_calendar_are_refused() {
        assert_eq!(millis(&json!(1_700_000_000)), Some(1_700_000_000_000));
        assert_eq!(millis(&json!(1.5)), Some(1_500));
        assert_eq!(
            millis(&json!("2024-01-01T00:00:00Z")),
            Some(1_704_067_200_000)
        );
        assert_eq!(millis(&json!("-1.25")), Some(-1_250));
        for v in [
            json!(1e300),
            json!(-1e300),
            json!(u64::MAX),
            json!("1e300"),
            json!("NaN"),
            json!("inf"),
            json!(253_402_300_800_i64),
            json!(true),
            json!(null),
        ] {
            assert_eq!(millis(&v), None, "{v}");
        }
        assert_eq!(iso8601(1_704_067_200_999), "2024-01-01T00:00:00Z");
        assert_eq!(iso8601(-1), "1969-12-31T23:59:59Z");
        assert_eq!(iso8601(i64::MIN), "");
        assert_eq!(iso8601(i64::MAX), "");
    }
}
