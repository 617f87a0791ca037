//! Lambda: a function ARN as the resource (the event is the state's input, the result is
//! the function's payload), and `arn:aws:states:::lambda:invoke` (the event is
//! `Payload`, the result wraps the payload in Lambda's Invoke response). Functions are
//! the local ones of a [`Functions`] file.

use baton_asl::definition::{IntegrationPattern, Resource};
use baton_json::{Map, Str, Value};

use crate::functions::{Functions, Reply};
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
    let (name_ref, event, wrap) = match &call.resource {
        Resource::LambdaFunction { arn, .. } => (arn.clone(), call.input.clone(), false),
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
            let payload = call
                .input
                .get("Payload")
                .cloned()
                .unwrap_or_else(Value::empty_object);
            (name, payload, true)
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
        .invoke(spec, event.to_json_string().into_bytes())
        .await
        .map_err(|message| TaskFailure::new("Lambda.ServiceException", message))?;
    let bytes = match reply {
        Reply::Ok(bytes) => bytes,
        Reply::FunctionError(bytes) => return Err(function_error(&bytes)),
    };
    if bytes.len() > MAX_PAYLOAD_BYTES {
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
    let payload = parse_payload(&bytes)?;
    if !wrap {
        return Ok(payload);
    }
    Ok(invoke_response(payload))
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
/// payload itself, as Step Functions reports Lambda errors.
fn function_error(bytes: &[u8]) -> TaskFailure {
    let text = String::from_utf8_lossy(bytes).trim().to_string();
    let error_type = Value::from_json_str(&text)
        .ok()
        .and_then(|v| v.get("errorType").and_then(Value::as_str).map(Str::from));
    TaskFailure {
        error: Some(error_type.unwrap_or_else(|| Str::from("Lambda.Unknown"))),
        cause: Some(Str::from(text)),
    }
}

/// Lambda's Invoke response, as `lambda:invoke` returns it.
fn invoke_response(payload: Value) -> Value {
    let request_id = request_id();
    let mut headers = Map::new();
    headers.insert("Connection".into(), Value::from("keep-alive"));
    headers.insert("Content-Type".into(), Value::from("application/json"));
    headers.insert("X-Amz-Executed-Version".into(), Value::from("$LATEST"));
    headers.insert("x-amzn-Remapped-Content-Length".into(), Value::from("0"));
    headers.insert("x-amzn-RequestId".into(), Value::from(request_id.as_str()));
    let all_headers: Map = headers
        .iter()
        .map(|(k, v)| (k.clone(), Value::array(vec![v.clone()])))
        .collect();
    let mut http = Map::new();
    http.insert("AllHttpHeaders".into(), Value::object(all_headers));
    http.insert("HttpHeaders".into(), Value::object(headers));
    http.insert("HttpStatusCode".into(), Value::from(200u64));
    let mut meta = Map::new();
    meta.insert("RequestId".into(), Value::from(request_id.as_str()));
    let mut out = Map::new();
    out.insert("ExecutedVersion".into(), Value::from("$LATEST"));
    out.insert("Payload".into(), payload);
    out.insert("SdkHttpMetadata".into(), Value::object(http));
    out.insert("SdkResponseMetadata".into(), Value::object(meta));
    out.insert("StatusCode".into(), Value::from(200u64));
    Value::object(out)
}

fn request_id() -> String {
    uuid::Uuid::new_v4().to_string()
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
        let f = function_error(br#"{"errorType": "ValueError", "errorMessage": "x"}"#);
        assert_eq!(f.error.as_deref(), Some("ValueError"));
        assert_eq!(
            function_error(b"boom").error.as_deref(),
            Some("Lambda.Unknown")
        );
    }
}
