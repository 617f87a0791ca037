//! Lambda functions: local ones first (the `--functions` file), then the Lambda service.
//!
//! A function ARN as the resource, or `arn:aws:states:::lambda:invoke`, names a function;
//! when the functions file defines that name the local function runs (as before), else,
//! when the Lambda endpoint is set or credentials for AWS are at hand, the function is
//! invoked through the Lambda API (`Invoke`). The results are the same shapes: the payload
//! for a function ARN, Invoke's response with the parsed `Payload`, `StatusCode`,
//! `ExecutedVersion` and the `SdkHttpMetadata` for `lambda:invoke`; a function error is
//! the payload's `errorType` with the payload as the cause; a service error is
//! `Lambda.<Exception>` (`Lambda.ResourceNotFoundException`, `Lambda.AWSLambdaException`).

use baton_asl::definition::{IntegrationPattern, Resource};
use baton_json::{Map, Str, Value};

use super::client::{Client, task_failure};
use super::model;
use super::protocol::{Style, build_request, http_metadata, parse_response};
use crate::functions::Functions;
use crate::{BoxFuture, Integration, Lambda, TaskCall, TaskFailure, TaskOutcome};

/// Lambda tasks: local functions, else the Lambda service.
pub struct LambdaTasks {
    local: Lambda,
    functions: Functions,
    client: Client,
}

impl LambdaTasks {
    /// Local `functions` first, then the Lambda service through `client`.
    pub fn new(functions: Functions, client: Client) -> LambdaTasks {
        LambdaTasks {
            local: Lambda::new(functions.clone()),
            functions,
            client,
        }
    }
}

/// The function's name from a name, a partial ARN or a full ARN.
fn function_name(reference: &str) -> &str {
    let after = match reference.find("function:") {
        Some(i) => &reference[i + "function:".len()..],
        None => reference,
    };
    after.split(':').next().unwrap_or(after)
}

impl Integration for LambdaTasks {
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
        let reference = match &call.resource {
            Resource::LambdaFunction { arn, .. } => Some(arn.clone()),
            _ => call
                .input
                .get("FunctionName")
                .and_then(Value::as_str)
                .map(str::to_owned),
        };
        let local = match &reference {
            Some(r) => self.functions.get(function_name(r)).is_some(),
            None => true,
        };
        if local || !self.client.settings.reachable("lambda") {
            return self.local.run(call);
        }
        let client = self.client.for_task(call.credentials.as_ref());
        let reference = reference.unwrap_or_default();
        Box::pin(async move { invoke(&client, call, reference).await })
    }
}

async fn invoke(client: &Client, call: TaskCall, reference: String) -> TaskOutcome {
    let svc = model::service("lambda").expect("the Lambda model");
    let m = svc.model();
    let op = m.operation("Invoke").expect("Invoke");
    let direct = matches!(call.resource, Resource::LambdaFunction { .. });
    let mut params = Map::default();
    if direct {
        params.insert("FunctionName".into(), Value::from(reference.as_str()));
        params.insert("Payload".into(), Value::from(call.input.to_json_string()));
    } else if let Some(obj) = call.input.as_object() {
        params = obj.clone();
        if matches!(params.get("Payload"), None | Some(Value::Null)) {
            params.insert("Payload".into(), Value::from("{}"));
        }
    }
    // The region of a function ARN, when it names one.
    let arn_region = reference
        .strip_prefix("arn:")
        .and_then(|r| r.split(':').nth(2))
        .filter(|r| !r.is_empty())
        .map(str::to_owned);
    let region = arn_region.unwrap_or_else(|| client.region(&call.region).to_owned());
    let request = build_request(m, "Invoke", op, &Value::object(params))
        .map_err(|e| TaskFailure::new("States.Runtime", e.0))?;
    let (response, _) = client
        .send(svc, &region, &request)
        .await
        .map_err(|e| task_failure(svc, Style::Optimized, e))?;
    let body = &response.body;
    if response.header("x-amz-function-error").is_some() {
        return Err(function_error(body));
    }
    let payload = match std::str::from_utf8(body) {
        Ok(t) if t.trim().is_empty() => Value::Null,
        Ok(t) => Value::from_json_str(t).unwrap_or_else(|_| Value::from(t)),
        Err(_) => {
            return Err(TaskFailure::new(
                "Lambda.ServiceException",
                "The function's response is not UTF-8 text",
            ));
        }
    };
    if direct {
        return Ok(payload);
    }
    let parsed = parse_response(m, op, &response, Style::Optimized)
        .unwrap_or_else(|_| Value::empty_object());
    let mut out = Map::default();
    if let Some(v) = parsed.get("ExecutedVersion") {
        out.insert("ExecutedVersion".into(), v.clone());
    }
    if let Some(v) = parsed.get("LogResult") {
        out.insert("LogResult".into(), v.clone());
    }
    out.insert("Payload".into(), payload);
    let (http, meta) = http_metadata(&response);
    out.insert("SdkHttpMetadata".into(), http);
    out.insert("SdkResponseMetadata".into(), meta);
    out.insert(
        "StatusCode".into(),
        parsed
            .get("StatusCode")
            .cloned()
            .unwrap_or(Value::from(u64::from(response.status))),
    );
    Ok(Value::object(out))
}

/// A function error: the payload's `errorType`, the payload (compact) as the cause.
fn function_error(bytes: &[u8]) -> TaskFailure {
    let text = String::from_utf8_lossy(bytes).trim().to_string();
    let parsed = Value::from_json_str(&text).ok();
    let error_type = parsed
        .as_ref()
        .and_then(|v| v.get("errorType").and_then(Value::as_str).map(Str::from));
    TaskFailure {
        error: Some(error_type.unwrap_or_else(|| Str::from("Lambda.Unknown"))),
        cause: Some(Str::from(parsed.map_or(text, |v| v.to_json_string()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_arns() {
        assert_eq!(
            function_name("arn:aws:lambda:us-east-1:1:function:f:prod"),
            "f"
        );
        assert_eq!(function_name("f"), "f");
    }
}
