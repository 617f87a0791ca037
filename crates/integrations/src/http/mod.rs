//! The HTTP Task: `arn:aws:states:::http:invoke` (request-response).
//!
//! Parameters, as AWS names them: `ApiEndpoint` and `Method` (required), `Headers`,
//! `QueryParameters`, `RequestBody`, `Transform` (`RequestBodyEncoding: URL_ENCODED`,
//! `RequestEncodingOptions.ArrayFormat`), and the connection as
//! `InvocationConfig.ConnectionArn` or `Authentication.ConnectionArn`. The result is AWS's:
//! `{Headers, ResponseBody, StatusCode, StatusText}`, the body parsed when the response
//! says it is JSON. A status other than 2xx fails the task with
//! `States.Http.StatusCode.NNN` and that result as the cause; an endpoint that cannot be
//! reached, that does not answer within the request timeout (60 s, as on AWS) or that
//! answers something that is not HTTP fails it with `States.Http.Socket`.
//!
//! Unlike AWS, a task may name no connection (the request goes out without credentials)
//! and may call `http://` endpoints, for services on a private network.

mod connections;
pub(crate) mod encode;

use std::time::Duration;

use baton_asl::definition::{IntegrationPattern, Resource};
use baton_json::{Map, Str, Value};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

pub use connections::{
    AuthorizationType, ConnectionSpec, Connections, ConnectionsError, HttpParameters, Parameter,
    Secret,
};

use crate::{BoxFuture, Integration, TaskCall, TaskFailure, TaskOutcome};
use connections::{append_escaped, append_query};
use encode::ArrayFormat;

/// The largest response body kept (Step Functions' payload limit).
const MAX_BODY_BYTES: usize = 256 * 1024;

/// AWS's limit on an HTTP Task's request: 60 seconds.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Headers a task may not set (AWS's list for HTTP Tasks), besides any starting with
/// `x-forwarded-`, `x-amz-` or `x-amzn-`.
const FORBIDDEN_HEADERS: &[&str] = &[
    "a-im",
    "accept-charset",
    "accept-datetime",
    "accept-encoding",
    "cache-control",
    "connection",
    "content-encoding",
    "content-md5",
    "date",
    "expect",
    "forwarded",
    "from",
    "host",
    "http2-settings",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-range",
    "if-unmodified-since",
    "max-forwards",
    "origin",
    "pragma",
    "proxy-authorization",
    "referer",
    "server",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
    "warning",
];

/// Runs HTTP Tasks.
#[derive(Debug, Clone)]
pub struct Http {
    connections: Connections,
    client: reqwest::Client,
    timeout: Duration,
}

impl Default for Http {
    fn default() -> Self {
        Http::new(Connections::none())
    }
}

impl Http {
    /// HTTP Tasks authorized with `connections`.
    pub fn new(connections: Connections) -> Http {
        let client = reqwest::Client::builder()
            // A redirect is the task's answer: following it could carry the connection's
            // credentials to another host.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!(
                "Baton/",
                env!("CARGO_PKG_VERSION"),
                " (HttpInvoke)"
            ))
            .build()
            .unwrap_or_default();
        Http {
            connections,
            client,
            timeout: REQUEST_TIMEOUT,
        }
    }

    /// The same with another request timeout (60 s by default, as on AWS).
    pub fn with_timeout(mut self, timeout: Duration) -> Http {
        self.timeout = timeout;
        self
    }
}

impl Integration for Http {
    fn handles(&self, resource: &Resource) -> bool {
        matches!(resource, Resource::Service { service, action, pattern: IntegrationPattern::RequestResponse, .. }
            if service == "http" && action == "invoke")
    }

    fn run(&self, call: TaskCall) -> BoxFuture<TaskOutcome> {
        let http = self.clone();
        Box::pin(async move { http.invoke(call).await })
    }
}

/// The request a task asks for, checked.
struct Request {
    method: reqwest::Method,
    url: reqwest::Url,
    headers: HeaderMap,
    body: Option<Body>,
    connection: Option<String>,
}

enum Body {
    /// Sent as it is.
    Text(String),
    /// Sent as JSON, or URL-encoded.
    Json(Value),
}

fn invalid(message: impl Into<String>) -> TaskFailure {
    TaskFailure::new("States.Runtime", message.into())
}

fn field<'a>(input: &'a Value, name: &str) -> Option<&'a Value> {
    input.get(name).filter(|v| !v.is_null())
}

impl Request {
    fn parse(input: &Value) -> Result<(Request, Option<ArrayFormat>), TaskFailure> {
        if !input.is_object() {
            return Err(invalid(
                "The parameters of arn:aws:states:::http:invoke must be an object",
            ));
        }
        let method = match field(input, "Method") {
            Some(Value::String(m)) => match m.to_ascii_uppercase().as_str() {
                "GET" => reqwest::Method::GET,
                "POST" => reqwest::Method::POST,
                "PUT" => reqwest::Method::PUT,
                "DELETE" => reqwest::Method::DELETE,
                "PATCH" => reqwest::Method::PATCH,
                "OPTIONS" => reqwest::Method::OPTIONS,
                "HEAD" => reqwest::Method::HEAD,
                _ => {
                    return Err(invalid(format!(
                        "The Method '{m}' is not supported: GET, POST, PUT, DELETE, PATCH, OPTIONS or HEAD"
                    )));
                }
            },
            _ => {
                return Err(invalid(
                    "The field 'Method' is required by arn:aws:states:::http:invoke and must be a string",
                ));
            }
        };
        let url = match field(input, "ApiEndpoint") {
            Some(Value::String(e)) => reqwest::Url::parse(e)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
                .ok_or_else(|| invalid(format!("The ApiEndpoint '{e}' is not an http(s) URL")))?,
            _ => {
                return Err(invalid(
                    "The field 'ApiEndpoint' is required by arn:aws:states:::http:invoke and must be a string",
                ));
            }
        };
        let mut headers = HeaderMap::new();
        match field(input, "Headers") {
            None => {}
            Some(Value::Object(h)) => {
                for (k, v) in h.iter() {
                    let lower = k.to_ascii_lowercase();
                    if FORBIDDEN_HEADERS.contains(&lower.as_str())
                        || ["x-forwarded-", "x-amz-", "x-amzn-"]
                            .iter()
                            .any(|p| lower.starts_with(p))
                    {
                        return Err(invalid(format!(
                            "The header '{k}' cannot be set in an HTTP Task"
                        )));
                    }
                    let value = match v {
                        Value::Array(items) => {
                            items.iter().map(encode::text).collect::<Vec<_>>().join(",")
                        }
                        other => encode::text(other),
                    };
                    let name = HeaderName::from_bytes(k.as_bytes())
                        .map_err(|_| invalid(format!("'{k}' is not a header name")))?;
                    let value = HeaderValue::from_str(&value).map_err(|_| {
                        invalid(format!(
                            "The header '{k}' has a value that HTTP cannot carry"
                        ))
                    })?;
                    headers.append(name, value);
                }
            }
            Some(_) => return Err(invalid("The field 'Headers' must be an object")),
        }
        let mut url = url;
        match field(input, "QueryParameters") {
            None => {}
            Some(Value::Object(q)) => {
                let mut pairs = Vec::new();
                encode::query_pairs(q, &mut pairs);
                append_escaped(&mut url, &pairs);
            }
            Some(_) => return Err(invalid("The field 'QueryParameters' must be an object")),
        }
        let body = match field(input, "RequestBody") {
            None => None,
            Some(Value::String(s)) => Some(Body::Text(s.to_string())),
            Some(v) => Some(Body::Json(v.clone())),
        };
        let format = match field(input, "Transform") {
            None => None,
            Some(t @ Value::Object(_)) => match field(t, "RequestBodyEncoding") {
                None => None,
                Some(Value::String(e)) if &**e == "NONE" => None,
                Some(Value::String(e)) if &**e == "URL_ENCODED" => {
                    match field(t, "RequestEncodingOptions").and_then(|o| field(o, "ArrayFormat")) {
                        None => Some(ArrayFormat::Indices),
                        Some(Value::String(f)) => Some(ArrayFormat::parse(f).ok_or_else(|| {
                            invalid(format!(
                                "The ArrayFormat '{f}' is not supported: INDICES, REPEAT, COMMAS or BRACKETS"
                            ))
                        })?),
                        Some(_) => return Err(invalid("The field 'ArrayFormat' must be a string")),
                    }
                }
                Some(other) => {
                    return Err(invalid(format!(
                        "The RequestBodyEncoding {} is not supported: NONE or URL_ENCODED",
                        other.to_json_string()
                    )));
                }
            },
            Some(_) => return Err(invalid("The field 'Transform' must be an object")),
        };
        let connection = ["InvocationConfig", "Authentication"]
            .iter()
            .find_map(|k| field(input, k).and_then(|c| field(c, "ConnectionArn")))
            .map(|c| {
                c.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| invalid("The field 'ConnectionArn' must be a string"))
            })
            .transpose()?;
        Ok((
            Request {
                method,
                url,
                headers,
                body,
                connection,
            },
            format,
        ))
    }
}

impl Http {
    async fn invoke(&self, call: TaskCall) -> TaskOutcome {
        let (mut request, format) = Request::parse(&call.input)?;
        let connection = match &request.connection {
            None => None,
            Some(arn) => Some(self.connections.find(arn).ok_or_else(|| {
                TaskFailure::new(
                    "States.TaskFailed",
                    format!(
                        "The connection '{arn}' is not configured in Baton (connections are set in the server's settings, or given to `baton run` with --connections)"
                    ),
                )
            })?),
        };
        // The connection's parameters win over the task's, as EventBridge's do.
        let mut body_params: Vec<(String, String)> = Vec::new();
        if let Some(c) = &connection {
            for (k, v) in &c.invocation.headers {
                let (Ok(name), Ok(mut value)) = (
                    HeaderName::from_bytes(k.as_bytes()),
                    HeaderValue::from_str(v),
                ) else {
                    continue;
                };
                value.set_sensitive(true);
                request.headers.insert(name, value);
            }
            append_query(&mut request.url, &c.invocation.query);
            body_params = c.invocation.body.clone();
        }
        let (body, content_type) = match request.body.take() {
            None if body_params.is_empty() => (None, None),
            Some(Body::Text(_)) if !body_params.is_empty() => {
                return Err(invalid(
                    "A text RequestBody cannot take the connection's body parameters: give an object",
                ));
            }
            Some(Body::Text(t)) => (Some(t), None),
            other => {
                let mut value = match other {
                    Some(Body::Json(v)) => v,
                    _ => Value::empty_object(),
                };
                if !body_params.is_empty() {
                    let Some(map) = value.as_object_mut() else {
                        return Err(invalid(
                            "A RequestBody that is not an object cannot take the connection's body parameters",
                        ));
                    };
                    for (k, v) in body_params {
                        map.insert(k.into(), Value::from(v));
                    }
                }
                match (format, value.as_object()) {
                    (Some(f), Some(map)) => (
                        Some(encode::form(map, f)),
                        Some("application/x-www-form-urlencoded"),
                    ),
                    (Some(_), None) => {
                        return Err(invalid("A URL_ENCODED RequestBody must be an object"));
                    }
                    (None, _) => (
                        Some(value.to_json_string()),
                        Some("application/json; charset=UTF-8"),
                    ),
                }
            }
        };
        if let Some(ct) = content_type
            && !request.headers.contains_key(reqwest::header::CONTENT_TYPE)
        {
            request
                .headers
                .insert(reqwest::header::CONTENT_TYPE, HeaderValue::from_static(ct));
        }

        let mut fresh = false;
        loop {
            let mut headers = request.headers.clone();
            let mut reused = false;
            if let Some(c) = &connection {
                // The connection's credentials replace any the task gave.
                let ((name, value), cached) = c.authorization(&self.client, fresh).await?;
                reused = cached;
                headers.insert(name, value);
            }
            let mut req = self
                .client
                .request(request.method.clone(), request.url.clone())
                .headers(headers)
                .timeout(self.timeout);
            if let Some(b) = &body {
                req = req.body(b.clone());
            }
            let resp = req.send().await.map_err(socket_error)?;
            // A cached token refused: once more with a new one.
            if resp.status() == reqwest::StatusCode::UNAUTHORIZED && reused && !fresh {
                fresh = true;
                continue;
            }
            return response(resp, &call).await;
        }
    }
}

fn socket_error(e: reqwest::Error) -> TaskFailure {
    let why = if e.is_timeout() {
        "the endpoint did not answer in time".to_owned()
    } else if e.is_connect() {
        format!("cannot connect to the endpoint: {}", source_text(&e))
    } else {
        format!("the request failed: {}", source_text(&e))
    };
    TaskFailure::new("States.Http.Socket", why)
}

/// An error's deepest cause, without the URL (a connection's query parameters may hold a
/// secret).
fn source_text(e: &reqwest::Error) -> String {
    let mut last: &dyn std::error::Error = e;
    while let Some(s) = last.source() {
        last = s;
    }
    last.to_string()
}

async fn response(mut resp: reqwest::Response, call: &TaskCall) -> TaskOutcome {
    let status = resp.status();
    let mut headers = Map::default();
    for (name, value) in resp.headers() {
        let v = Value::from(String::from_utf8_lossy(value.as_bytes()).into_owned());
        match headers.get_mut(name.as_str()) {
            Some(Value::Array(items)) => {
                let mut list: Vec<Value> = items.iter().cloned().collect();
                list.push(v);
                headers.insert(name.as_str().into(), Value::array(list));
            }
            _ => {
                headers.insert(name.as_str().into(), Value::array(vec![v]));
            }
        }
    }
    let json = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|ct| {
            let media = ct
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            media == "application/json" || media.ends_with("+json")
        })
        .unwrap_or(false);
    let mut bytes = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                bytes.extend_from_slice(&chunk);
                if bytes.len() > MAX_BODY_BYTES {
                    return Err(TaskFailure::new(
                        "States.DataLimitExceeded",
                        format!(
                            "The state/task '{}' returned a result with a size exceeding the maximum number of bytes service limit.",
                            call.state_name
                        ),
                    ));
                }
            }
            Ok(None) => break,
            Err(e) => return Err(socket_error(e)),
        }
    }
    let text = String::from_utf8_lossy(&bytes);
    let body = if json {
        Value::from_json_str(&text).unwrap_or_else(|_| Value::from(text.as_ref()))
    } else {
        Value::from(text.as_ref())
    };
    let mut out = Map::default();
    out.insert("Headers".into(), Value::object(headers));
    out.insert("ResponseBody".into(), body);
    out.insert("StatusCode".into(), Value::from(u64::from(status.as_u16())));
    out.insert(
        "StatusText".into(),
        Value::from(status.canonical_reason().unwrap_or_default()),
    );
    let out = Value::object(out);
    if status.is_success() {
        Ok(out)
    } else {
        Err(TaskFailure {
            error: Some(Str::from(format!(
                "States.Http.StatusCode.{}",
                status.as_u16()
            ))),
            cause: Some(Str::from(out.to_json_string())),
        })
    }
}
