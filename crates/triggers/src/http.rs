//! The HTTP side: `POST /hooks/NAME`; EventBridge Scheduler's REST-JSON routes
//! (`/schedules/...`); and, at `POST /` beside the Step Functions API, the JSON 1.1 actions
//! whose `X-Amz-Target` is `AWSEvents.*` (EventBridge) or `Baton.*` (webhooks, dead
//! letters). Those are taken by a layer in front of the router it is given, so the Step
//! Functions router itself is unchanged and still answers every other target.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use baton_json::Value;
use baton_store::Page;
use serde_json::json;

use crate::Triggers;
use crate::events::Rule;
use crate::pattern::Pattern;
use crate::schedule::{ScheduleDef, ScheduleError, ScheduleTarget, StoredSchedule};
use crate::webhooks::{HookRequest, MAX_BODY, WebhookDef};
use crate::wire::{
    AwsError, BodyError, JSON_11, json_action_body, millis, read_body, respond, seconds,
};

/// `router` with the triggers' routes and actions added; request bodies of at most
/// [`MAX_BODY`] bytes.
pub fn router(triggers: Triggers, router: Router) -> Router {
    router_with_limit(triggers, router, MAX_BODY)
}

/// `router` with the triggers' routes and actions added; request bodies of at most
/// `max_body` bytes (over it: 413 in the route's protocol).
pub fn router_with_limit(triggers: Triggers, router: Router, max_body: usize) -> Router {
    let shared = Arc::new(Shared { triggers, max_body });
    let routes = Router::new()
        .route("/hooks/{name}", post(hook))
        .route("/hooks/{name}/{*rest}", post(hook_rest))
        .route("/schedules", get(list_schedules))
        .route(
            "/schedules/{name}",
            post(create_schedule)
                .get(get_schedule)
                .put(update_schedule)
                .delete(delete_schedule),
        )
        .with_state(Arc::clone(&shared));
    router
        .merge(routes)
        .layer(middleware::from_fn_with_state(shared, json_actions))
}

/// What the handlers share: the triggers, and the largest request body.
struct Shared {
    triggers: Triggers,
    max_body: usize,
}

impl std::ops::Deref for Shared {
    type Target = Triggers;

    fn deref(&self) -> &Triggers {
        &self.triggers
    }
}

/// `POST /` whose target is one of ours; anything else goes on.
async fn json_actions(State(t): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST || request.uri().path() != "/" {
        return next.run(request).await;
    }
    let target = request
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let action = if let Some(a) = target.strip_prefix("AWSEvents.") {
        Action::Events(a.to_owned())
    } else if let Some(a) = target.strip_prefix("Baton.") {
        Action::Baton(a.to_owned())
    } else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let input = match json_action_body(body, &parts.headers, t.max_body).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let result = match action {
        Action::Events(a) => events_action(&t, &a, &input).await,
        Action::Baton(a) => baton_action(&t, &a, &input).await,
    };
    match result {
        Ok(v) => respond(StatusCode::OK, JSON_11, v),
        Err(e) => e.json_11(),
    }
}

enum Action {
    Events(String),
    Baton(String),
}

fn text<'a>(input: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    input.get(key).and_then(|v| v.as_str())
}

fn required<'a>(input: &'a serde_json::Value, key: &str) -> Result<&'a str, AwsError> {
    text(input, key).filter(|s| !s.is_empty()).ok_or_else(|| {
        AwsError::validation(format!(
            "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
            lower_first(key)
        ))
    })
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_lowercase().chain(c).collect())
        .unwrap_or_default()
}

/// A bus name, or the name in a bus ARN; `default` when absent.
fn bus_name(input: &serde_json::Value, key: &str) -> String {
    match text(input, key) {
        Some(b) if b.starts_with("arn:") => b.rsplit('/').next().unwrap_or("default").to_owned(),
        Some(b) if !b.is_empty() => b.to_owned(),
        _ => "default".to_owned(),
    }
}

fn rule_not_found(name: &str, bus: &str) -> AwsError {
    AwsError::not_found(format!("Rule {name} does not exist on EventBus {bus}."))
}

fn describe_rule(rule: &Rule) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    out.insert("Name".into(), json!(rule.name));
    out.insert("Arn".into(), json!(rule.arn));
    for key in [
        "EventPattern",
        "ScheduleExpression",
        "Description",
        "RoleArn",
    ] {
        if let Some(v) = rule.raw.get(key).filter(|v| !v.is_null()) {
            out.insert(key.into(), v.clone());
        }
    }
    out.insert(
        "State".into(),
        json!(if rule.enabled() {
            "ENABLED"
        } else {
            "DISABLED"
        }),
    );
    out.insert("EventBusName".into(), json!(rule.bus));
    serde_json::Value::Object(out)
}

/// Pages by position: the token is the index of the next item.
fn page<T: Clone>(
    items: &[T],
    input: &serde_json::Value,
    limit_key: &str,
) -> Result<(Vec<T>, Option<String>), AwsError> {
    let start: usize = match text(input, "NextToken") {
        Some(t) => t
            .parse()
            .map_err(|_| AwsError::validation("The NextToken is not valid."))?,
        None => 0,
    };
    let limit = input
        .get(limit_key)
        .and_then(|v| v.as_u64())
        .unwrap_or(100)
        .clamp(1, 100) as usize;
    // A token is a position this list gave out; a larger one is refused, not wrapped.
    let end = start
        .checked_add(limit)
        .ok_or_else(|| AwsError::validation("The NextToken is not valid."))?
        .min(items.len());
    let slice = items.get(start..end).map(<[T]>::to_vec).unwrap_or_default();
    Ok((slice, (end < items.len()).then(|| end.to_string())))
}

async fn events_action(
    t: &Triggers,
    action: &str,
    input: &serde_json::Value,
) -> Result<serde_json::Value, AwsError> {
    let bus = &t.bus;
    match action {
        "PutEvents" => {
            let entries = input["Entries"].as_array().cloned().unwrap_or_default();
            if entries.is_empty() || entries.len() > 10 {
                return Err(AwsError::validation(
                    "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10 and greater than or equal to 1",
                ));
            }
            let mut results = Vec::new();
            let mut failed = 0;
            let mut deliveries = Vec::new();
            for entry in &entries {
                match event_of(t, entry) {
                    Ok((bus_name, event, id)) => {
                        deliveries.extend(bus.deliveries_of(&bus_name, &event));
                        results.push(json!({"EventId": id}));
                    }
                    Err((code, message)) => {
                        failed += 1;
                        results.push(json!({"ErrorCode": code, "ErrorMessage": message}));
                    }
                }
            }
            // Accepted once kept: the deliveries survive a restart.
            bus.send(deliveries).await.map_err(|e| {
                AwsError::new("InternalException", e.to_string())
                    .with_status(StatusCode::INTERNAL_SERVER_ERROR)
            })?;
            Ok(json!({"FailedEntryCount": failed, "Entries": results}))
        }
        "PutRule" => {
            let name = required(input, "Name")?;
            let bus_name = bus_name(input, "EventBusName");
            if input
                .get("ScheduleExpression")
                .is_some_and(|v| !v.is_null())
            {
                return Err(AwsError::validation(
                    "ScheduleExpression is not supported on rules in Baton: create a schedule (EventBridge Scheduler's API) instead.",
                ));
            }
            let Some(pattern) = text(input, "EventPattern") else {
                return Err(AwsError::validation(
                    "Parameter(s) EventPattern or ScheduleExpression must be specified.",
                ));
            };
            Pattern::parse(pattern)
                .map_err(|e| AwsError::new("InvalidEventPatternException", e.to_string()))?;
            let state = text(input, "State").unwrap_or("ENABLED");
            if !matches!(state, "ENABLED" | "DISABLED") {
                return Err(AwsError::validation(format!("Invalid State {state}.")));
            }
            let targets = bus
                .rule(&bus_name, name)
                .map(|r| r.raw["Targets"].clone())
                .unwrap_or(json!([]));
            let raw = json!({
                "Name": name, "EventBusName": bus_name, "EventPattern": pattern, "State": state,
                "Description": input.get("Description"), "RoleArn": input.get("RoleArn"), "Targets": targets,
            });
            bus.put_rule(&bus_name, name, Some(raw)).await?;
            Ok(json!({"RuleArn": crate::events::rule_arn(bus.identity(), &bus_name, name)}))
        }
        "DescribeRule" => {
            let name = required(input, "Name")?;
            let bus_name = bus_name(input, "EventBusName");
            let rule = bus
                .rule(&bus_name, name)
                .ok_or_else(|| rule_not_found(name, &bus_name))?;
            let mut d = describe_rule(&rule);
            d["CreatedBy"] = json!(bus.identity().account);
            Ok(d)
        }
        "ListRules" => {
            let bus_name = bus_name(input, "EventBusName");
            let prefix = text(input, "NamePrefix").unwrap_or_default();
            let rules: Vec<serde_json::Value> = bus
                .rules()
                .rules()
                .iter()
                .filter(|r| r.bus == bus_name && r.name.starts_with(prefix))
                .map(|r| describe_rule(r))
                .collect();
            let (items, next) = page(&rules, input, "Limit")?;
            let mut out = json!({"Rules": items});
            if let Some(n) = next {
                out["NextToken"] = json!(n);
            }
            Ok(out)
        }
        "EnableRule" | "DisableRule" => {
            let name = required(input, "Name")?;
            let bus_name = bus_name(input, "EventBusName");
            let rule = bus
                .rule(&bus_name, name)
                .ok_or_else(|| rule_not_found(name, &bus_name))?;
            let mut raw = rule.raw.clone();
            raw["State"] = json!(if action == "EnableRule" {
                "ENABLED"
            } else {
                "DISABLED"
            });
            bus.put_rule(&bus_name, name, Some(raw)).await?;
            Ok(json!({}))
        }
        "DeleteRule" => {
            let name = required(input, "Name")?;
            let bus_name = bus_name(input, "EventBusName");
            let Some(rule) = bus.rule(&bus_name, name) else {
                // AWS answers a delete of a rule that does not exist with success.
                return Ok(json!({}));
            };
            let force = input
                .get("Force")
                .and_then(|v| v.as_bool())
                .unwrap_or(false);
            if !rule.targets.is_empty() && !force {
                return Err(AwsError::validation(
                    "Rule can't be deleted since it has targets.",
                ));
            }
            bus.put_rule(&bus_name, name, None).await?;
            Ok(json!({}))
        }
        "PutTargets" => {
            let name = required(input, "Rule")?;
            let bus_name = bus_name(input, "EventBusName");
            let rule = bus
                .rule(&bus_name, name)
                .ok_or_else(|| rule_not_found(name, &bus_name))?;
            let given = input["Targets"].as_array().cloned().unwrap_or_default();
            if given.is_empty() || given.len() > 10 {
                return Err(AwsError::validation(
                    "Targets must hold between 1 and 10 targets.",
                ));
            }
            let mut targets: Vec<serde_json::Value> =
                rule.raw["Targets"].as_array().cloned().unwrap_or_default();
            let mut failed = Vec::new();
            for t in given {
                let id = t["Id"].as_str().unwrap_or_default().to_owned();
                if let Err(e) = crate::events::target(&t) {
                    failed.push(
                        json!({"TargetId": id, "ErrorCode": e.code, "ErrorMessage": e.message}),
                    );
                    continue;
                }
                targets.retain(|x| x["Id"].as_str() != Some(&id));
                targets.push(t);
            }
            if targets.len() > crate::events::MAX_TARGETS {
                return Err(AwsError::new(
                    "LimitExceededException",
                    "The requested resource exceeds the maximum number allowed.",
                ));
            }
            let mut raw = rule.raw.clone();
            raw["Targets"] = json!(targets);
            bus.put_rule(&bus_name, name, Some(raw)).await?;
            Ok(json!({"FailedEntryCount": failed.len(), "FailedEntries": failed}))
        }
        "RemoveTargets" => {
            let name = required(input, "Rule")?;
            let bus_name = bus_name(input, "EventBusName");
            let rule = bus
                .rule(&bus_name, name)
                .ok_or_else(|| rule_not_found(name, &bus_name))?;
            let ids: Vec<String> = input["Ids"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
            let mut targets: Vec<serde_json::Value> =
                rule.raw["Targets"].as_array().cloned().unwrap_or_default();
            targets.retain(|t| !ids.iter().any(|id| t["Id"].as_str() == Some(id)));
            let mut raw = rule.raw.clone();
            raw["Targets"] = json!(targets);
            bus.put_rule(&bus_name, name, Some(raw)).await?;
            Ok(json!({"FailedEntryCount": 0, "FailedEntries": []}))
        }
        "ListTargetsByRule" => {
            let name = required(input, "Rule")?;
            let bus_name = bus_name(input, "EventBusName");
            let rule = bus
                .rule(&bus_name, name)
                .ok_or_else(|| rule_not_found(name, &bus_name))?;
            let targets: Vec<serde_json::Value> =
                rule.raw["Targets"].as_array().cloned().unwrap_or_default();
            let (items, next) = page(&targets, input, "Limit")?;
            let mut out = json!({"Targets": items});
            if let Some(n) = next {
                out["NextToken"] = json!(n);
            }
            Ok(out)
        }
        "TestEventPattern" => {
            let pattern = required(input, "EventPattern")?;
            let event = required(input, "Event")?;
            let pattern = Pattern::parse(pattern)
                .map_err(|e| AwsError::new("InvalidEventPatternException", e.to_string()))?;
            let event = Value::from_json_str(event)
                .map_err(|_| AwsError::validation("Parameter Event is not valid."))?;
            Ok(json!({"Result": pattern.matches(&event)}))
        }
        other => Err(AwsError::new(
            "UnknownOperationException",
            format!("Unknown operation: AWSEvents.{other}"),
        )),
    }
}

/// The event of a PutEvents entry: its bus, the event, its id; or the entry's error.
fn event_of(
    t: &Triggers,
    entry: &serde_json::Value,
) -> Result<(String, Value, String), (&'static str, String)> {
    let missing = |what: &str| {
        (
            "InvalidArgument",
            format!("Parameter {what} is not valid. Reason: {what} is a required argument."),
        )
    };
    let source = text(entry, "Source")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| missing("Source"))?;
    let detail_type = text(entry, "DetailType")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| missing("DetailType"))?;
    let detail = text(entry, "Detail").ok_or_else(|| missing("Detail"))?;
    // The event holds its detail one level down: a detail may be one level less deep than
    // any document, so that its event is a valid execution input.
    let detail = match Value::from_json_str_within(detail, baton_json::MAX_DEPTH - 1) {
        Ok(v) if v.is_object() => v,
        _ => return Err(("MalformedDetail", "Detail is malformed.".into())),
    };
    let time = match entry.get("Time").filter(|v| !v.is_null()) {
        None => t.bus.now(),
        Some(v) => millis(v).ok_or_else(|| {
            (
                "InvalidArgument",
                "Parameter Time is not valid. Reason: Time must be a timestamp between the years -9999 and 9999."
                    .to_owned(),
            )
        })?,
    };
    let id = uuid::Uuid::new_v4().to_string();
    let identity = t.bus.identity();
    let mut event = baton_json::Map::default();
    let resources = entry.get("Resources").cloned().unwrap_or(json!([]));
    for (k, v) in [
        ("version", Value::from("0")),
        ("id", Value::from(id.as_str())),
        ("detail-type", Value::from(detail_type)),
        ("source", Value::from(source)),
        ("account", Value::from(identity.account.as_str())),
        ("time", Value::from(crate::wire::iso8601(time))),
        ("region", Value::from(identity.region.as_str())),
        ("resources", Value::from(resources)),
        ("detail", detail),
    ] {
        event.insert(k.into(), v);
    }
    // Built as a document, not written and parsed again.
    let event = Value::object(event);
    Ok((bus_name(entry, "EventBusName"), event, id))
}

async fn baton_action(
    t: &Triggers,
    action: &str,
    input: &serde_json::Value,
) -> Result<serde_json::Value, AwsError> {
    let hook_def = || -> Result<WebhookDef, AwsError> {
        serde_json::from_value(input.clone())
            .map_err(|e| AwsError::validation(format!("Invalid webhook: {e}")))
    };
    let describe = |d: &WebhookDef| {
        let mut v = serde_json::to_value(d.redacted()).unwrap_or_default();
        v["Url"] = json!(format!("/hooks/{}", d.name));
        v
    };
    match action {
        "CreateWebhook" | "UpdateWebhook" => {
            let def = hook_def()?;
            t.webhooks
                .put(def.clone(), action == "CreateWebhook")
                .await?;
            Ok(json!({"Name": def.name, "Url": format!("/hooks/{}", def.name)}))
        }
        "DescribeWebhook" => {
            let name = required(input, "Name")?;
            t.webhooks
                .get(name)
                .map(|d| describe(&d))
                .ok_or_else(|| AwsError::not_found(format!("Webhook {name} does not exist.")))
        }
        "ListWebhooks" => {
            Ok(json!({"Webhooks": t.webhooks.list().iter().map(describe).collect::<Vec<_>>()}))
        }
        "DeleteWebhook" => {
            t.webhooks.delete(required(input, "Name")?).await?;
            Ok(json!({}))
        }
        "ListDeadLetters" => {
            let page = Page {
                token: text(input, "NextToken").map(str::to_owned),
                limit: input
                    .get("MaxResults")
                    .and_then(|v| v.as_u64())
                    .unwrap_or(100)
                    .clamp(1, 1000) as usize,
            };
            let letters = t
                .store
                .list_dead_letters(page)
                .await
                .map_err(|e| AwsError::validation(e.to_string()))?;
            let items: Vec<serde_json::Value> = letters
                .items
                .iter()
                .map(|l| json!({
                    "Id": l.seq, "TriggerType": l.kind.as_str(), "TriggerName": l.name, "Date": seconds(l.at),
                    "Target": l.target, "Input": l.input, "Error": l.error, "Cause": l.cause, "Attempts": l.attempts,
                }))
                .collect();
            let mut out = json!({"DeadLetters": items});
            if let Some(n) = letters.next {
                out["NextToken"] = json!(n);
            }
            Ok(out)
        }
        other => Err(AwsError::new(
            "UnknownOperationException",
            format!("Unknown operation: Baton.{other}"),
        )),
    }
}

// ----- webhooks -----

async fn hook(
    State(t): State<Arc<Shared>>,
    Path(name): Path<String>,
    Query(query): Query<Vec<(String, String)>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    call_hook(&t, name, String::new(), query, headers, body).await
}

async fn hook_rest(
    State(t): State<Arc<Shared>>,
    Path((name, rest)): Path<(String, String)>,
    Query(query): Query<Vec<(String, String)>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    call_hook(&t, name, format!("/{rest}"), query, headers, body).await
}

async fn call_hook(
    t: &Shared,
    name: String,
    path: String,
    query: Vec<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let reply =
        |status: StatusCode, body: serde_json::Value| respond(status, "application/json", body);
    // Flood protection before reading the body: a full webhook refuses at once.
    let _permit = match t.webhooks.admit(&name) {
        None => {
            return reply(
                StatusCode::NOT_FOUND,
                json!({"message": format!("No webhook named {name}")}),
            );
        }
        Some(None) => {
            let mut r = reply(
                StatusCode::TOO_MANY_REQUESTS,
                json!({"message": "Too many requests in flight for this webhook; try again later"}),
            );
            r.headers_mut()
                .insert("retry-after", axum::http::HeaderValue::from_static("1"));
            return r;
        }
        Some(Some(p)) => p,
    };
    let body = match read_body(body, &headers, t.max_body).await {
        Ok(b) => b.to_vec(),
        Err(e) => {
            let status = match e {
                BodyError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
                BodyError::TimedOut(_) => StatusCode::REQUEST_TIMEOUT,
                BodyError::Broken(_) => StatusCode::BAD_REQUEST,
            };
            return reply(status, json!({"message": e.message()}));
        }
    };
    let request = HookRequest {
        method: "POST".into(),
        path,
        headers: headers
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect(),
        query,
        body,
    };
    let out = t.webhooks.call(&name, request).await;
    let mut r = reply(
        StatusCode::from_u16(out.status).unwrap_or(StatusCode::OK),
        out.body,
    );
    for (k, v) in out.headers {
        if let Ok(v) = axum::http::HeaderValue::from_str(&v) {
            r.headers_mut().insert(k, v);
        }
    }
    r
}

// ----- EventBridge Scheduler (REST-JSON) -----

fn schedule_error(e: ScheduleError) -> Response {
    match e {
        ScheduleError::Invalid(m) => AwsError::validation(m).rest_json(),
        ScheduleError::Exists(_) => AwsError::new("ConflictException", e.to_string())
            .with_status(StatusCode::CONFLICT)
            .rest_json(),
        ScheduleError::NotFound(_) => AwsError::not_found(e.to_string())
            .with_status(StatusCode::NOT_FOUND)
            .rest_json(),
        ScheduleError::Store(m) => AwsError::new("InternalServerException", m)
            .with_status(StatusCode::INTERNAL_SERVER_ERROR)
            .rest_json(),
    }
}

/// A schedule of CreateSchedule's or UpdateSchedule's body.
fn schedule_def(name: &str, body: &[u8]) -> Result<ScheduleDef, ScheduleError> {
    let invalid = |m: &str| ScheduleError::Invalid(m.to_owned());
    let v: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| invalid("The request body is not JSON."))?;
    let expression =
        text(&v, "ScheduleExpression").ok_or_else(|| invalid("ScheduleExpression is required."))?;
    let target = v
        .get("Target")
        .filter(|t| t.is_object())
        .ok_or_else(|| invalid("Target is required."))?;
    let window = v
        .get("FlexibleTimeWindow")
        .filter(|t| t.is_object())
        .ok_or_else(|| invalid("FlexibleTimeWindow is required."))?;
    let flexible_minutes = match text(window, "Mode") {
        Some("OFF") => None,
        Some("FLEXIBLE") => {
            Some(window["MaximumWindowInMinutes"].as_u64().ok_or_else(|| {
                invalid("MaximumWindowInMinutes is required when Mode is FLEXIBLE.")
            })?)
        }
        _ => return Err(invalid("FlexibleTimeWindow.Mode must be OFF or FLEXIBLE.")),
    };
    let retry = &target["RetryPolicy"];
    // A date that is given must be one; a number past u32 is past every range checked.
    let date = |key: &str| match v.get(key).filter(|d| !d.is_null()) {
        None => Ok(None),
        Some(d) => millis(d)
            .map(Some)
            .ok_or_else(|| invalid(&format!("The {key} is not a valid timestamp."))),
    };
    let at_most_u32 = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
    Ok(ScheduleDef {
        name: name.to_owned(),
        group: text(&v, "GroupName").unwrap_or("default").to_owned(),
        expression: expression.to_owned(),
        timezone: text(&v, "ScheduleExpressionTimezone").map(str::to_owned),
        start_date: date("StartDate")?,
        end_date: date("EndDate")?,
        description: text(&v, "Description").map(str::to_owned),
        state: text(&v, "State").unwrap_or("ENABLED").to_owned(),
        flexible_minutes: flexible_minutes.map(at_most_u32),
        target: ScheduleTarget {
            arn: text(target, "Arn")
                .ok_or_else(|| invalid("Target.Arn is required."))?
                .to_owned(),
            role_arn: text(target, "RoleArn").unwrap_or_default().to_owned(),
            input: text(target, "Input").map(str::to_owned),
            max_retry_attempts: at_most_u32(retry["MaximumRetryAttempts"].as_u64().unwrap_or(185)),
            max_event_age_seconds: at_most_u32(
                retry["MaximumEventAgeInSeconds"].as_u64().unwrap_or(86_400),
            ),
            dead_letter_arn: target["DeadLetterConfig"]["Arn"]
                .as_str()
                .map(str::to_owned),
        },
        action_after_completion: text(&v, "ActionAfterCompletion")
            .unwrap_or("NONE")
            .to_owned(),
        kms_key_arn: text(&v, "KmsKeyArn").map(str::to_owned),
    })
}

fn schedule_json(t: &Triggers, s: &StoredSchedule) -> serde_json::Value {
    let d = &s.def;
    let mut target = json!({
        "Arn": d.target.arn, "RoleArn": d.target.role_arn,
        "RetryPolicy": {"MaximumRetryAttempts": d.target.max_retry_attempts, "MaximumEventAgeInSeconds": d.target.max_event_age_seconds},
    });
    if let Some(i) = &d.target.input {
        target["Input"] = json!(i);
    }
    if let Some(a) = &d.target.dead_letter_arn {
        target["DeadLetterConfig"] = json!({"Arn": a});
    }
    let mut out = json!({
        "Arn": t.scheduler.arn(&d.group, &d.name), "Name": d.name, "GroupName": d.group,
        "ScheduleExpression": d.expression, "State": d.state, "Target": target,
        "FlexibleTimeWindow": match d.flexible_minutes {
            Some(m) => json!({"Mode": "FLEXIBLE", "MaximumWindowInMinutes": m}),
            None => json!({"Mode": "OFF"}),
        },
        "ActionAfterCompletion": d.action_after_completion,
        "CreationDate": seconds(s.created), "LastModificationDate": seconds(s.updated),
        "ScheduleExpressionTimezone": d.timezone.as_deref().unwrap_or("UTC"),
    });
    for (k, v) in [("StartDate", d.start_date), ("EndDate", d.end_date)] {
        if let Some(v) = v {
            out[k] = seconds(v);
        }
    }
    if let Some(x) = &d.description {
        out["Description"] = json!(x);
    }
    if let Some(x) = &d.kms_key_arn {
        out["KmsKeyArn"] = json!(x);
    }
    out
}

#[derive(serde::Deserialize)]
struct GroupQuery {
    #[serde(rename = "groupName")]
    group_name: Option<String>,
}

async fn create_schedule(
    State(t): State<Arc<Shared>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match read_body(body, &headers, t.max_body).await {
        Ok(body) => put_schedule(&t, &name, &body, true).await,
        Err(e) => e.aws().rest_json(),
    }
}

async fn update_schedule(
    State(t): State<Arc<Shared>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match read_body(body, &headers, t.max_body).await {
        Ok(body) => put_schedule(&t, &name, &body, false).await,
        Err(e) => e.aws().rest_json(),
    }
}

/// CreateSchedule (`create`) or UpdateSchedule: the same body, the same answer.
async fn put_schedule(t: &Triggers, name: &str, body: &[u8], create: bool) -> Response {
    let def = match schedule_def(name, body) {
        Ok(d) => d,
        Err(e) => return schedule_error(e),
    };
    let arn = t.scheduler.arn(&def.group, &def.name);
    let result = if create {
        t.scheduler.create(def).await
    } else {
        t.scheduler.update(def).await
    };
    match result {
        Ok(()) => respond(
            StatusCode::OK,
            "application/json",
            json!({"ScheduleArn": arn}),
        ),
        Err(e) => schedule_error(e),
    }
}

async fn get_schedule(
    State(t): State<Arc<Shared>>,
    Path(name): Path<String>,
    Query(q): Query<GroupQuery>,
) -> Response {
    let group = q.group_name.unwrap_or_else(|| "default".into());
    match t.scheduler.get(&group, &name).await {
        Ok(s) => respond(StatusCode::OK, "application/json", schedule_json(&t, &s)),
        Err(e) => schedule_error(e),
    }
}

async fn delete_schedule(
    State(t): State<Arc<Shared>>,
    Path(name): Path<String>,
    Query(q): Query<GroupQuery>,
) -> Response {
    let group = q.group_name.unwrap_or_else(|| "default".into());
    match t.scheduler.delete(&group, &name).await {
        Ok(()) => respond(StatusCode::OK, "application/json", json!({})),
        Err(e) => schedule_error(e),
    }
}

async fn list_schedules(
    State(t): State<Arc<Shared>>,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let param = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let all = match t.scheduler.list().await {
        Ok(a) => a,
        Err(e) => return schedule_error(e),
    };
    let group = param("ScheduleGroup");
    let prefix = param("NamePrefix").unwrap_or_default();
    let state = param("State");
    let summaries: Vec<serde_json::Value> = all
        .iter()
        .filter(|s| group.as_ref().is_none_or(|g| *g == s.def.group))
        .filter(|s| s.def.name.starts_with(&prefix))
        .filter(|s| state.as_ref().is_none_or(|st| *st == s.def.state))
        .map(|s| {
            let d = &s.def;
            json!({"Arn": t.scheduler.arn(&d.group, &d.name), "Name": d.name, "GroupName": d.group, "State": d.state,
                   "CreationDate": seconds(s.created), "LastModificationDate": seconds(s.updated), "Target": {"Arn": d.target.arn}})
        })
        .collect();
    let mut paging = json!({});
    if let Some(tok) = param("NextToken") {
        paging["NextToken"] = json!(tok);
    }
    if let Some(m) = param("MaxResults").and_then(|m| m.parse::<u64>().ok()) {
        paging["MaxResults"] = json!(m);
    }
    match page(&summaries, &paging, "MaxResults") {
        Ok((items, next)) => {
            let mut out = json!({"Schedules": items});
            if let Some(n) = next {
                out["NextToken"] = json!(n);
            }
            respond(StatusCode::OK, "application/json", out)
        }
        Err(e) => e.rest_json(),
    }
}

impl IntoResponse for AwsError {
    fn into_response(self) -> Response {
        self.json_11()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_by_position_and_refuses_a_token_past_any_position() {
        let items: Vec<u32> = (0..250).collect();
        let (first, next) = page(&items, &json!({}), "Limit").unwrap();
        assert_eq!((first.len(), next.as_deref()), (100, Some("100")));
        let (last, next) =
            page(&items, &json!({"NextToken": "200", "Limit": 80}), "Limit").unwrap();
        assert_eq!((last, next), ((200..250).collect(), None));
        // Past the end (the list shrank since): an empty page.
        let (none, next) = page(&items, &json!({"NextToken": "4294967296"}), "Limit").unwrap();
        assert_eq!((none.len(), next), (0, None));
        // A huge token: added to the page size, it would overflow.
        for token in [usize::MAX.to_string(), (usize::MAX - 99).to_string()] {
            let e = page(&items, &json!({"NextToken": token}), "Limit").unwrap_err();
            assert_eq!(e.code, "ValidationException");
            assert_eq!(e.message, "The NextToken is not valid.");
        }
        let e = page(&items, &json!({"NextToken": "1e3"}), "Limit").unwrap_err();
        assert_eq!(e.code, "ValidationException");
    }

    #[test]
    fn schedule_dates_and_numbers_out_of_range_are_refused() {
        let body = |extra: serde_json::Value| {
            let mut v = json!({
                "ScheduleExpression": "rate(1 minute)",
                "FlexibleTimeWindow": {"Mode": "OFF"},
                "Target": {"Arn": "arn:aws:states:us-east-1:123456789012:stateMachine:m", "RoleArn": "r"},
            });
            for (k, x) in extra.as_object().unwrap() {
                v[k] = x.clone();
            }
            serde_json::to_vec(&v).unwrap()
        };
        let d = schedule_def(
            "s",
            &body(json!({"StartDate": 1_700_000_000, "EndDate": null})),
        )
        .unwrap();
        assert_eq!((d.start_date, d.end_date), (Some(1_700_000_000_000), None));
        for (key, date) in [
            ("StartDate", json!(1e300)),
            ("EndDate", json!(-1e300)),
            ("StartDate", json!("soon")),
        ] {
            match schedule_def("s", &body(json!({key: date}))) {
                Err(ScheduleError::Invalid(m)) => {
                    assert_eq!(m, format!("The {key} is not a valid timestamp."));
                }
                other => panic!("{key} {date}: {other:?}"),
            }
        }
        // Past u32: refused by the range check, not wrapped into it (2^32 + 1 is not 1).
        let d = schedule_def(
            "s",
            &body(json!({
                "FlexibleTimeWindow": {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 4_294_967_297_u64},
                "Target": {"Arn": "arn:aws:states:us-east-1:123456789012:stateMachine:m", "RoleArn": "r",
                           "RetryPolicy": {"MaximumRetryAttempts": 4_294_967_296_u64}},
            })),
        )
        .unwrap();
        assert_eq!(d.flexible_minutes, Some(u32::MAX));
        assert_eq!(d.target.max_retry_attempts, u32::MAX);
        assert_eq!(
            d.compile(0).unwrap_err(),
            "MaximumWindowInMinutes must be between 1 and 1440."
        );
    }
}
