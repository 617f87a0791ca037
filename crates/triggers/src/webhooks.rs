//! Webhooks: `POST /hooks/NAME` starts an execution of the webhook's target with an input
//! made from the request by its template.
//!
//! The template sees the request as `{"method", "path", "headers", "query", "body"}` (the
//! body parsed as JSON when it is JSON, else its text; header names in lower case). It is
//! a JSONata template (strings `{% ... %}`, the request as `$states.input`) or a JSONPath
//! payload template (`"key.$": "$.body.order"`); without one the input is the body.
//!
//! An optional check of the caller: a shared secret in a header, or an HMAC-SHA256 of the
//! body in a header (hex, with an optional prefix such as GitHub's `sha256=`), compared in
//! constant time. A webhook has at most `MaxConcurrency` requests in flight: the next is
//! refused with 429 at once. In `SYNC` mode (Express targets) the response is the
//! execution's output, as API Gateway's StartSyncExecution integration gives.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use baton_json::{Map, Value};
use baton_store::{Store, StoreError, TriggerKind, TriggerRecord};
use hmac::{KeyInit, Mac};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::Semaphore;

use crate::starter::{StartRequest, Starter};
use crate::wire::{AwsError, constant_time_eq, hex, is_state_machine_arn};
use baton_runtime::Clock;

/// A webhook's definition, as stored and as the API carries it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct WebhookDef {
    /// Its name: the URL is `/hooks/NAME`.
    pub name: String,
    /// A state machine, version or alias ARN.
    pub target: String,
    /// `ASYNC` (StartExecution; the answer is the execution's ARN) or `SYNC`
    /// (StartSyncExecution; the answer is its output).
    #[serde(default = "async_mode")]
    pub mode: String,
    /// The input template (JSON), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_template: Option<serde_json::Value>,
    /// The caller's check, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<WebhookAuth>,
    /// Requests in flight at once, at most (64 by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_concurrency: Option<u32>,
    /// A description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// How a webhook checks its caller.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct WebhookAuth {
    /// `SHARED_SECRET` (the header holds the secret) or `HMAC_SHA256` (the header holds
    /// the hex HMAC-SHA256 of the body keyed by the secret).
    #[serde(rename = "Type")]
    pub kind: String,
    /// The header's name.
    pub header: String,
    /// The secret (never given back by DescribeWebhook).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub secret: String,
    /// What precedes the hex signature in the header (`sha256=`), for HMAC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
}

fn async_mode() -> String {
    "ASYNC".into()
}

/// The most a request body to the triggers' routes may hold unless configured (AWS's 1 MiB
/// request limit).
pub const MAX_BODY: usize = 1024 * 1024;
const DEFAULT_CONCURRENCY: u32 = 64;

enum Template {
    None,
    Jsonata(baton_jsonata::Template),
    Paths(baton_asl::template::Template),
}

struct Hook {
    def: WebhookDef,
    template: Template,
    slots: Arc<Semaphore>,
}

impl WebhookDef {
    fn compile(&self) -> Result<Hook, AwsError> {
        if self.name.is_empty()
            || self.name.len() > 80
            || !self
                .name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        {
            return Err(AwsError::validation(format!(
                "Invalid webhook name: {}",
                self.name
            )));
        }
        if !matches!(self.mode.as_str(), "ASYNC" | "SYNC") {
            return Err(AwsError::validation("Mode must be ASYNC or SYNC."));
        }
        if !is_state_machine_arn(&self.target) {
            return Err(AwsError::validation(format!(
                "Invalid Target {}: a state machine, version or alias ARN",
                self.target
            )));
        }
        if let Some(a) = &self.auth {
            if !matches!(a.kind.as_str(), "SHARED_SECRET" | "HMAC_SHA256") {
                return Err(AwsError::validation(
                    "Auth.Type must be SHARED_SECRET or HMAC_SHA256.",
                ));
            }
            if a.secret.is_empty() || a.header.is_empty() {
                return Err(AwsError::validation("Auth needs a Header and a Secret."));
            }
        }
        let template = match &self.input_template {
            None => Template::None,
            Some(t) => {
                let value = Value::from(t.clone());
                if has_jsonata(t) {
                    Template::Jsonata(baton_jsonata::Template::compile(&value).map_err(
                        |(at, e)| {
                            AwsError::validation(format!("Invalid InputTemplate at '{at}': {e}"))
                        },
                    )?)
                } else {
                    let mut diags = baton_asl::diagnostic::Diagnostics::new();
                    let t = baton_asl::template::Template::compile(
                        &value,
                        &baton_asl::diagnostic::Pointer::root(),
                        &mut diags,
                    );
                    if diags.has_errors() {
                        return Err(AwsError::validation(format!(
                            "Invalid InputTemplate: {}",
                            diags.aws_message()
                        )));
                    }
                    Template::Paths(t)
                }
            }
        };
        let n = self.max_concurrency.unwrap_or(DEFAULT_CONCURRENCY);
        if !(1..=10_000).contains(&n) {
            return Err(AwsError::validation(format!(
                "Invalid MaxConcurrency {n}: from 1 to 10000"
            )));
        }
        Ok(Hook {
            def: self.clone(),
            template,
            slots: Arc::new(Semaphore::new(n as usize)),
        })
    }

    /// The definition as DescribeWebhook gives it: the secret left out.
    pub fn redacted(&self) -> WebhookDef {
        let mut d = self.clone();
        if let Some(a) = d.auth.as_mut() {
            a.secret.clear();
        }
        d
    }
}

fn has_jsonata(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::String(s) => baton_jsonata::expression_text(s).is_some(),
        serde_json::Value::Array(a) => a.iter().any(has_jsonata),
        serde_json::Value::Object(m) => m.values().any(has_jsonata),
        _ => false,
    }
}

/// The webhooks of a server.
#[derive(Clone)]
pub struct Webhooks {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn Store>,
    starter: Arc<dyn Starter>,
    /// What time it is (`$now()` in templates; the runtime's clock).
    clock: Clock,
    hooks: RwLock<HashMap<String, Arc<Hook>>>,
    changes: tokio::sync::Mutex<()>,
}

/// A request to a webhook.
pub struct HookRequest {
    /// `POST`.
    pub method: String,
    /// What follows `/hooks/NAME` in the path (`""` or `/a/b`).
    pub path: String,
    /// Headers (names in lower case).
    pub headers: Vec<(String, String)>,
    /// Query parameters.
    pub query: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// A webhook's answer: the HTTP status and a JSON body.
pub struct HookResponse {
    /// The status.
    pub status: u16,
    /// The body.
    pub body: serde_json::Value,
    /// Headers to add.
    pub headers: Vec<(&'static str, String)>,
}

fn answer(status: u16, body: serde_json::Value) -> HookResponse {
    HookResponse {
        status,
        body,
        headers: Vec::new(),
    }
}

impl Webhooks {
    /// Loads the stored webhooks.
    pub async fn open(
        store: Arc<dyn Store>,
        starter: Arc<dyn Starter>,
        clock: Clock,
    ) -> Result<Webhooks, StoreError> {
        let mut hooks = HashMap::new();
        for r in store.triggers(TriggerKind::Webhook).await? {
            match serde_json::from_str::<WebhookDef>(&r.body)
                .map_err(|e| AwsError::validation(e.to_string()))
                .and_then(|d| d.compile())
            {
                Ok(h) => {
                    hooks.insert(r.name.clone(), Arc::new(h));
                }
                Err(e) => {
                    tracing::warn!(webhook = %r.name, error = %e.message, "a stored webhook is invalid; skipped")
                }
            }
        }
        Ok(Webhooks {
            inner: Arc::new(Inner {
                store,
                starter,
                clock,
                hooks: RwLock::new(hooks),
                changes: tokio::sync::Mutex::new(()),
            }),
        })
    }

    /// Creates (`create`) or replaces a webhook.
    pub async fn put(&self, def: WebhookDef, create: bool) -> Result<(), AwsError> {
        let hook = Arc::new(def.compile()?);
        let now = self.inner.clock.now().0;
        let record = TriggerRecord {
            kind: TriggerKind::Webhook,
            name: def.name.clone(),
            body: serde_json::to_string(&def)
                .map_err(|e| AwsError::new("InternalException", e.to_string()))?,
            created: now,
            updated: now,
            cursor: None,
        };
        let _change = self.inner.changes.lock().await;
        let result = if create {
            self.inner.store.create_trigger(record).await
        } else {
            self.inner.store.update_trigger(record).await
        };
        match result {
            Ok(()) => {}
            Err(StoreError::AlreadyExists(_)) => {
                return Err(AwsError::new(
                    "ResourceAlreadyExistsException",
                    format!("Webhook {} already exists.", def.name),
                ));
            }
            Err(StoreError::NotFound(_)) => {
                return Err(AwsError::not_found(format!(
                    "Webhook {} does not exist.",
                    def.name
                )));
            }
            Err(e) => return Err(AwsError::new("InternalException", e.to_string())),
        }
        self.hooks_mut().insert(def.name.clone(), hook);
        Ok(())
    }

    /// Deletes a webhook.
    pub async fn delete(&self, name: &str) -> Result<(), AwsError> {
        let _change = self.inner.changes.lock().await;
        match self
            .inner
            .store
            .delete_trigger(TriggerKind::Webhook, name)
            .await
        {
            Ok(()) => {}
            Err(StoreError::NotFound(_)) => {
                return Err(AwsError::not_found(format!(
                    "Webhook {name} does not exist."
                )));
            }
            Err(e) => return Err(AwsError::new("InternalException", e.to_string())),
        }
        self.hooks_mut().remove(name);
        Ok(())
    }

    /// One webhook's definition.
    pub fn get(&self, name: &str) -> Option<WebhookDef> {
        self.hooks().get(name).map(|h| h.def.clone())
    }

    /// Every webhook's definition, by name.
    pub fn list(&self) -> Vec<WebhookDef> {
        let mut all: Vec<WebhookDef> = self.hooks().values().map(|h| h.def.clone()).collect();
        all.sort_by(|a, b| a.name.cmp(&b.name));
        all
    }

    fn hooks(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, Arc<Hook>>> {
        self.inner.hooks.read().unwrap_or_else(|e| e.into_inner())
    }

    fn hooks_mut(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<String, Arc<Hook>>> {
        self.inner.hooks.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether a webhook named `name` exists and a request to it can be taken now
    /// (`None`: no such webhook; `Some(None)`: it is full); the permit is held while the
    /// request runs.
    pub fn admit(&self, name: &str) -> Option<Option<tokio::sync::OwnedSemaphorePermit>> {
        let hook = self.hooks().get(name).cloned()?;
        Some(Arc::clone(&hook.slots).try_acquire_owned().ok())
    }

    /// Handles a request to the webhook `name`.
    pub async fn call(&self, name: &str, request: HookRequest) -> HookResponse {
        let Some(hook) = self.hooks().get(name).cloned() else {
            return answer(404, json!({"message": format!("No webhook named {name}")}));
        };
        if let Some(auth) = &hook.def.auth
            && !authorised(auth, &request)
        {
            return answer(
                401,
                json!({"message": "The request's signature or secret does not match"}),
            );
        }
        let input = match input(&hook, &request, self.inner.clock.now().0) {
            Ok(v) => v,
            Err(message) => return answer(400, json!({"message": message})),
        };
        let start = StartRequest {
            target: hook.def.target.clone(),
            name: None,
            input,
        };
        if hook.def.mode == "SYNC" {
            match self.inner.starter.start_sync(start).await {
                Ok(out) => {
                    let mut r = if out.status == "SUCCEEDED" {
                        let body = out
                            .output
                            .as_deref()
                            .map_or(serde_json::Value::Null, output);
                        answer(200, body)
                    } else {
                        answer(
                            500,
                            json!({"status": out.status, "error": out.error, "cause": out.cause, "executionArn": out.execution_arn}),
                        )
                    };
                    r.headers.push(("x-baton-execution-arn", out.execution_arn));
                    r.headers.push(("x-baton-execution-status", out.status));
                    r
                }
                Err(e) => start_error(e),
            }
        } else {
            match self.inner.starter.start(start).await {
                Ok(s) => answer(
                    200,
                    json!({"executionArn": s.execution_arn, "startDate": crate::wire::seconds(s.start_date)}),
                ),
                Err(e) => start_error(e),
            }
        }
    }
}

/// A synchronous execution's output as the answer's body. It may be as deep as a document
/// may be ([`baton_json::MAX_DEPTH`]), past serde_json's own limit of 128 levels.
fn output(text: &str) -> serde_json::Value {
    Value::from_json_str(text)
        .map(|v| v.to_serde())
        .unwrap_or(serde_json::Value::Null)
}

fn start_error(e: crate::starter::StartError) -> HookResponse {
    let status = match e.code.as_str() {
        "StateMachineDoesNotExist" => 404,
        _ if e.is_retryable() => 503,
        _ => 400,
    };
    answer(status, json!({"__type": e.code, "message": e.message}))
}

fn header<'a>(request: &'a HookRequest, name: &str) -> Option<&'a str> {
    request
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn authorised(auth: &WebhookAuth, request: &HookRequest) -> bool {
    let Some(given) = header(request, &auth.header) else {
        return false;
    };
    match auth.kind.as_str() {
        "SHARED_SECRET" => constant_time_eq(given.as_bytes(), auth.secret.as_bytes()),
        _ => {
            let given = match &auth.prefix {
                Some(p) => match given.strip_prefix(p.as_str()) {
                    Some(rest) => rest,
                    None => return false,
                },
                None => given,
            };
            let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(auth.secret.as_bytes())
            else {
                return false;
            };
            mac.update(&request.body);
            let want = hex(&mac.finalize().into_bytes());
            constant_time_eq(given.to_ascii_lowercase().as_bytes(), want.as_bytes())
        }
    }
}

/// The request as the template sees it, built as a document (not written and parsed
/// again: the body may already be as deep as a document may be).
fn request_value(request: &HookRequest) -> Value {
    let text = String::from_utf8_lossy(&request.body);
    let body = if text.trim().is_empty() {
        Value::Null
    } else {
        Value::from_json_str(&text).unwrap_or_else(|_| Value::string(text.as_ref()))
    };
    let mut headers = Map::default();
    for (k, v) in &request.headers {
        headers.insert(k.to_ascii_lowercase().into(), Value::string(v.as_str()));
    }
    let mut query = Map::default();
    for (k, v) in &request.query {
        query.insert(k.as_str().into(), Value::string(v.as_str()));
    }
    let mut v = Map::default();
    v.insert("method".into(), Value::string(request.method.as_str()));
    v.insert("path".into(), Value::string(request.path.as_str()));
    v.insert("headers".into(), Value::object(headers));
    v.insert("query".into(), Value::object(query));
    v.insert("body".into(), body);
    Value::object(v)
}

fn input(hook: &Hook, request: &HookRequest, now: i64) -> Result<String, String> {
    match &hook.template {
        Template::None => {
            let text = String::from_utf8_lossy(&request.body);
            if text.trim().is_empty() {
                return Ok("{}".into());
            }
            Value::from_json_str(&text)
                .map(|_| text.into_owned())
                .map_err(|e| format!("The body is not JSON ({e}); give the webhook an InputTemplate to take other bodies"))
        }
        Template::Paths(t) => {
            let mut scope = baton_asl::scope::StaticScope::default();
            t.eval(&request_value(request), &mut scope)
                .map(|v| v.to_json_string())
                .map_err(|e| format!("The input template failed: {}", e.cause()))
        }
        Template::Jsonata(t) => {
            let bindings = baton_jsonata::Bindings::new()
                .with_states(baton_jsonata::States {
                    input: request_value(request),
                    ..baton_jsonata::States::default()
                })
                .with_now_millis(now);
            t.evaluate(&bindings)
                .map(|v| v.to_json_string())
                .map_err(|e| format!("The input template failed: {e}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sync_answer_is_the_output_however_deep() {
        for depth in [1, 127, 128, 200, baton_json::MAX_DEPTH] {
            let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            let body = output(&text);
            assert_eq!(body.to_string(), text, "{depth} levels");
        }
        let text = format!("{}1{}", "{\"a\":".repeat(1000), "}".repeat(1000));
        assert_eq!(output(&text).to_string(), text);
        assert_eq!(output(r#"{"n": 1e400}"#), serde_json::Value::Null);
        assert_eq!(output("\"text\""), json!("text"));
    }
}
