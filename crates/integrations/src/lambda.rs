//! Lambda: a function ARN as the resource (the event is the state's input, the result is
//! the function's payload), and `arn:aws:states:::lambda:invoke` (the event is
//! `Payload`, the result wraps the payload in Lambda's Invoke response). Functions are
//! the local ones of a [`Functions`] file.

use baton_asl::definition::{IntegrationPattern, Resource};
use baton_json::{Map, Str, Value};

use crate::functions::Functions;
use crate::{BoxFuture, Integration, TaskCall, TaskFailure, TaskOutcome};

/// The largest payload a function may return (Lambda's and Step Functions' limit).
const MAX_PAYLOAD_BYTES: usize = 256 * 1024;

/// Runs Lambda tasks with local functions.
pub struct Lambda {
    functions: std::sync::Arc<Functions>,
}

impl Lambda {
    /// Lambda backed by `functions`.
    pub fn new(functions: Functions) -> Lambda {
        Lambda {
            functions: std::sync::Arc::new(functions),
        }
    }
}

impl Integration for Lambda {
    fn handles(&self, resource: &Resource) -> bool {
        match resource {
            Resource::LambdaFunction { .. } => true,
            Resource::Service {
                service,
                action,
                pattern,
                ..
            } => {
                service == "lambda"
                    && action == "invoke"
                    && *pattern == IntegrationPattern::RequestResponse
            }
            _ => false,
        }
    }

    fn run(&self, call: TaskCall) -> BoxFuture<TaskOutcome> {
        let functions = std::sync::Arc::clone(&self.functions);
        Box::pin(async move { invoke(&functions, call).await })
    }
}

async fn invoke(functions: &Functions, call: TaskCall) -> TaskOutcome {
    let service = !matches!(call.resource, Resource::LambdaFunction { .. });
    let (name_ref, event) = match &call.resource {
        Resource::LambdaFunction { arn, .. } => (arn.clone(), call.input.to_json_string()),
        _ => {
            let name = match call.input.get("FunctionName") {
                Some(Value::String(s)) => s.to_string(),
                _ => {
                    return Err(TaskFailure::new(
                        "States.Runtime",
                        "The field 'FunctionName' is required by arn:aws:states:::lambda:invoke and must be a string",
                    ));
                }
            };
            // A string Payload is the event's JSON text itself, as the Lambda API takes it.
            let event = match call.input.get("Payload") {
                Some(Value::String(text)) => text.to_string(),
                Some(Value::Null) | None => "{}".to_string(),
                Some(other) => other.to_json_string(),
            };
            (name, event)
        }
    };
    let name = function_name(&name_ref);
    let Some(spec) = functions.get(name) else {
        return Err(TaskFailure::new(
            "Lambda.ResourceNotFoundException",
            format!(
                "Function not found: arn:aws:lambda:{}:{}:function:{name}:$LATEST (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: {}; Proxy: null)",
                call.region,
                call.account,
                request_id()
            ),
        ));
    };
    let reply = functions
        .invoke(spec, event.into_bytes())
        .await
        .map_err(|message| TaskFailure::new("Lambda.ServiceException", message))?;
    if functions.forwards_logs() && !reply.log.is_empty() {
        eprint!("{}", String::from_utf8_lossy(&reply.log));
    }
    if !reply.ok {
        return Err(function_error(&reply.body, service));
    }
    if reply.body.len() > MAX_PAYLOAD_BYTES {
        let who = match &call.resource {
            Resource::LambdaFunction { arn, .. } => arn.clone(),
            _ => call.state_name.to_string(),
        };
        return Err(TaskFailure::new(
            "States.DataLimitExceeded",
            format!(
                "The state/task '{who}' returned a result with a size exceeding the maximum number of bytes service limit."
            ),
        ));
    }
    let payload = parse_payload(&reply.body)?;
    if !service {
        return Ok(payload);
    }
    let tail = matches!(call.input.get("LogType"), Some(Value::String(t)) if &**t == "Tail");
    Ok(invoke_response(
        payload,
        reply.body.len(),
        tail.then_some(&reply.log[..]),
    ))
}

/// The function's name from a name, a partial ARN or a full ARN (with or without a
/// version or alias).
fn function_name(reference: &str) -> &str {
    let after = match reference.find("function:") {
        Some(i) => &reference[i + "function:".len()..],
        None => reference,
    };
    after.split(':').next().unwrap_or(after)
}

/// A payload as JSON; an empty answer is `null`, as when a handler returns nothing.
fn parse_payload(bytes: &[u8]) -> TaskOutcome {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        TaskFailure::new(
            "Lambda.ServiceException",
            "The function's response is not UTF-8 text",
        )
    })?;
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    Value::from_json_str(text).map_err(|e| {
        TaskFailure::new(
            "Lambda.ServiceException",
            format!("The function's response is not JSON: {e}"),
        )
    })
}

/// An unhandled function error: the error is the payload's `errorType`, the cause the
/// payload itself, as Step Functions reports Lambda errors. Through the `lambda:invoke`
/// integration the payload is re-serialised compactly, as AWS's SDK does.
fn function_error(bytes: &[u8], service: bool) -> TaskFailure {
    let text = String::from_utf8_lossy(bytes).trim().to_string();
    let parsed = Value::from_json_str(&text).ok();
    let error_type = parsed
        .as_ref()
        .and_then(|v| v.get("errorType").and_then(Value::as_str).map(Str::from));
    let cause = match (&parsed, service) {
        (Some(v), true) => v.to_json_string(),
        _ => text,
    };
    TaskFailure {
        error: Some(error_type.unwrap_or_else(|| Str::from("Lambda.Unknown"))),
        cause: Some(Str::from(cause)),
    }
}

/// Lambda's Invoke response, as `lambda:invoke` returns it, with the headers Lambda
/// sends; `log` is the function's log for `LogType: Tail`.
fn invoke_response(payload: Value, length: usize, log: Option<&[u8]>) -> Value {
    let request_id = request_id();
    let mut headers = Map::default();
    headers.insert("Connection".into(), Value::from("keep-alive"));
    headers.insert("Content-Length".into(), Value::from(length.to_string()));
    headers.insert("Content-Type".into(), Value::from("application/json"));
    headers.insert("Date".into(), Value::from(http_date()));
    headers.insert("X-Amz-Executed-Version".into(), Value::from("$LATEST"));
    let log_result = log.map(|l| {
        // Lambda returns the last 4 KB of the log, base64-encoded.
        let tail = &l[l.len().saturating_sub(4096)..];
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, tail)
    });
    if let Some(l) = &log_result {
        headers.insert("X-Amz-Log-Result".into(), Value::from(l.as_str()));
    }
    headers.insert("x-amzn-Remapped-Content-Length".into(), Value::from("0"));
    headers.insert("x-amzn-RequestId".into(), Value::from(request_id.as_str()));
    headers.insert(
        "X-Amzn-Trace-Id".into(),
        Value::from(format!("root={};sampled=0", trace_id())),
    );
    let all_headers: Map = headers
        .iter()
        .map(|(k, v)| (k.clone(), Value::array(vec![v.clone()])))
        .collect();
    let mut http = Map::default();
    http.insert("AllHttpHeaders".into(), Value::object(all_headers));
    http.insert("HttpHeaders".into(), Value::object(headers));
    http.insert("HttpStatusCode".into(), Value::from(200u64));
    let mut meta = Map::default();
    meta.insert("RequestId".into(), Value::from(request_id.as_str()));
    let mut out = Map::default();
    out.insert("ExecutedVersion".into(), Value::from("$LATEST"));
    if let Some(l) = log_result {
        out.insert("LogResult".into(), Value::from(l));
    }
    out.insert("Payload".into(), payload);
    out.insert("SdkHttpMetadata".into(), Value::object(http));
    out.insert("SdkResponseMetadata".into(), Value::object(meta));
    out.insert("StatusCode".into(), Value::from(200u64));
    Value::object(out)
}

fn request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// An X-Ray-style trace id: `1-<epoch seconds, hex>-<96 random bits, hex>`.
fn trace_id() -> String {
    let secs = time::OffsetDateTime::now_utc().unix_timestamp();
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("1-{secs:08x}-{}", &random[..24])
}

/// The current time as HTTP writes it: `Wed, 25 Nov 2026 13:15:32 GMT`.
fn http_date() -> String {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    time::OffsetDateTime::now_utc()
        .format(&format)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_names_and_arns() {
        assert_eq!(function_name("greet"), "greet");
        assert_eq!(
            function_name("arn:aws:lambda:us-east-1:1:function:greet:$LATEST"),
            "greet"
        );
        assert_eq!(function_name("111111111111:function:greet"), "greet");
    }

    #[test]
    fn function_errors_take_the_error_type() {
        let payload = br#"{"errorType": "ValueError", "errorMessage": "x"}"#;
        let f = function_error(payload, false);
        assert_eq!(f.error.as_deref(), Some("ValueError"));
        assert_eq!(
            f.cause.as_deref(),
            Some(r#"{"errorType": "ValueError", "errorMessage": "x"}"#)
        );
        let f = function_error(payload, true);
        assert_eq!(
            f.cause.as_deref(),
            Some(r#"{"errorType":"ValueError","errorMessage":"x"}"#)
        );
        assert_eq!(
            function_error(b"boom", false).error.as_deref(),
            Some("Lambda.Unknown")
        );
    }
}
