//! The event bus: EventBridge's rules (an event pattern and targets) over events put with
//! PutEvents and Baton's own execution status changes; a target is a state machine,
//! version or alias ARN, started with the event (or the target's `Input`, `InputPath` or
//! `InputTransformer`) as input.
//!
//! Rules are stored as triggers (key `BUS/NAME`) and held in memory as a [`RuleSet`]
//! rebuilt at each change. Matching indexes rules by a top-level member their pattern
//! requires to be one of a few strings (`source`, `detail-type`, ...): an event is tried
//! only against the rules its own values select, plus those that have no such member.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use baton_json::Value;
use baton_store::{
    DeadLetterRecord, DeliveryRecord, Store, StoreError, TriggerKind, TriggerRecord,
};
use serde_json::json;
use tokio::sync::Semaphore;

use crate::pattern::{Pattern, PatternError};
use crate::schedule::Identity;
use crate::starter::{StartRequest, Starter};
use crate::wire::{AwsError, is_state_machine_arn, iso8601};
use baton_runtime::Clock;

/// A rule's target.
#[derive(Debug, Clone)]
pub struct Target {
    /// Its id within the rule.
    pub id: String,
    /// What it starts.
    pub arn: String,
    /// The target as given (PutTargets' JSON).
    pub raw: serde_json::Value,
    input: TargetInput,
}

#[derive(Debug, Clone)]
enum TargetInput {
    Event,
    Constant(String),
    Path(baton_asl::path::Path),
    Transformer {
        paths: Vec<(String, baton_asl::path::Path)>,
        template: String,
    },
}

/// A rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Its bus.
    pub bus: String,
    /// Its name.
    pub name: String,
    /// Its ARN.
    pub arn: String,
    /// The rule as stored (PutRule's members, and `Targets`).
    pub raw: serde_json::Value,
    pattern: Option<Pattern>,
    /// Its targets.
    pub targets: Vec<Target>,
}

impl Rule {
    /// Whether it is enabled.
    pub fn enabled(&self) -> bool {
        self.raw.get("State").and_then(|s| s.as_str()) != Some("DISABLED")
    }

    /// Builds a rule from its stored form.
    /// Builds a rule from its stored form (as PutRule and PutTargets make it, or as the
    /// configuration file gives it: there an EventPattern may be a table rather than text).
    pub fn from_raw(mut raw: serde_json::Value, identity: &Identity) -> Result<Rule, AwsError> {
        let name = raw["Name"].as_str().unwrap_or_default().to_owned();
        if name.is_empty() {
            return Err(AwsError::validation("A rule needs a Name."));
        }
        let bus = raw["EventBusName"].as_str().unwrap_or("default").to_owned();
        if let Some(p @ serde_json::Value::Object(_)) = raw.get("EventPattern") {
            raw["EventPattern"] = serde_json::Value::String(p.to_string());
        }
        let pattern = match raw.get("EventPattern") {
            Some(serde_json::Value::String(p)) => {
                Some(Pattern::parse(p).map_err(|e: PatternError| {
                    AwsError::new("InvalidEventPatternException", e.to_string())
                })?)
            }
            None | Some(serde_json::Value::Null) => None,
            Some(_) => {
                return Err(AwsError::new(
                    "InvalidEventPatternException",
                    "Event pattern is not valid. Reason: the pattern is not a JSON object",
                ));
            }
        };
        if let Some(state) = raw.get("State").filter(|s| !s.is_null())
            && !matches!(state.as_str(), Some("ENABLED" | "DISABLED"))
        {
            return Err(AwsError::validation(format!(
                "Invalid State {state}: ENABLED or DISABLED"
            )));
        }
        let mut targets = Vec::new();
        for t in raw["Targets"].as_array().into_iter().flatten() {
            targets.push(target(t)?);
        }
        if targets.len() > MAX_TARGETS {
            return Err(AwsError::new(
                "LimitExceededException",
                "The requested resource exceeds the maximum number allowed.",
            ));
        }
        Ok(Rule {
            arn: rule_arn(identity, &bus, &name),
            bus,
            name,
            raw,
            pattern,
            targets,
        })
    }
}

/// A rule's ARN: `arn:aws:events:REGION:ACCOUNT:rule/NAME` on the default bus,
/// `.../rule/BUS/NAME` on another.
pub fn rule_arn(identity: &Identity, bus: &str, name: &str) -> String {
    let path = if bus == "default" {
        name.to_owned()
    } else {
        format!("{bus}/{name}")
    };
    format!(
        "arn:aws:events:{}:{}:rule/{path}",
        identity.region, identity.account
    )
}

/// Targets of a rule, at most (as EventBridge).
pub const MAX_TARGETS: usize = 5;

/// Parses a target of PutTargets.
pub fn target(t: &serde_json::Value) -> Result<Target, AwsError> {
    let id = t["Id"].as_str().unwrap_or_default().to_owned();
    let arn = t["Arn"].as_str().unwrap_or_default().to_owned();
    if id.is_empty() || arn.is_empty() {
        return Err(AwsError::validation("A target needs an Id and an Arn."));
    }
    if !is_state_machine_arn(&arn) {
        return Err(AwsError::new(
            "InvalidArgument",
            format!("Baton's targets are state machines, versions or aliases: {arn}"),
        ));
    }
    let path = |text: &str| {
        baton_asl::path::Path::parse(text)
            .map_err(|e| AwsError::validation(format!("Invalid InputPath {text}: {e}")))
    };
    let given = [
        t.get("Input"),
        t.get("InputPath"),
        t.get("InputTransformer"),
    ]
    .iter()
    .filter(|v| v.is_some_and(|v| !v.is_null()))
    .count();
    if given > 1 {
        return Err(AwsError::validation(
            "Only one of Input, InputPath, or InputTransformer must be provided.",
        ));
    }
    let input = if let Some(s) = t.get("Input").and_then(|v| v.as_str()) {
        if serde_json::from_str::<serde_json::Value>(s).is_err() {
            return Err(AwsError::validation("Input is not valid JSON text."));
        }
        TargetInput::Constant(s.to_owned())
    } else if let Some(p) = t.get("InputPath").and_then(|v| v.as_str()) {
        TargetInput::Path(path(p)?)
    } else if let Some(tr) = t.get("InputTransformer").filter(|v| v.is_object()) {
        let template = tr["InputTemplate"].as_str().unwrap_or_default().to_owned();
        if template.is_empty() {
            return Err(AwsError::validation("InputTemplate must not be empty."));
        }
        let mut paths = Vec::new();
        for (k, v) in tr["InputPathsMap"].as_object().into_iter().flatten() {
            if k.starts_with("aws.events.") {
                return Err(AwsError::validation(format!(
                    "InputPathsMap cannot use the reserved name {k}."
                )));
            }
            paths.push((k.clone(), path(v.as_str().unwrap_or_default())?));
        }
        if paths.len() > 100 {
            return Err(AwsError::validation(
                "InputPathsMap has more than 100 entries.",
            ));
        }
        TargetInput::Transformer { paths, template }
    } else {
        TargetInput::Event
    };
    Ok(Target {
        id,
        arn,
        raw: t.clone(),
        input,
    })
}

impl Target {
    /// The input this target gives an execution for `event` (JSON text, as EventBridge
    /// makes it: possibly not JSON when a transformer's template is plain text).
    pub fn input_for(&self, event: &Value, rule: &Rule, ingestion: i64) -> String {
        match &self.input {
            TargetInput::Event => event.to_json_string(),
            TargetInput::Constant(s) => s.clone(),
            TargetInput::Path(p) => p
                .eval_on(event)
                .map(|v| v.to_json_string())
                .unwrap_or_else(|_| "null".into()),
            TargetInput::Transformer { paths, template } => {
                let mut vars: HashMap<&str, Value> = HashMap::new();
                for (k, p) in paths {
                    if let Ok(v) = p.eval_on(event) {
                        vars.insert(k, v);
                    }
                }
                transform(template, &vars, event, rule, ingestion)
            }
        }
    }
}

/// Fills an input template: outside quotes a variable is its JSON (a string with its
/// quotes), inside quotes a string is its bare text (not escaped, as EventBridge does).
fn transform(
    template: &str,
    vars: &HashMap<&str, Value>,
    event: &Value,
    rule: &Rule,
    ingestion: i64,
) -> String {
    let mut out = String::with_capacity(template.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = template;
    while let Some(c) = rest.chars().next() {
        if c == '<'
            && let Some(end) = rest.find('>')
        {
            let name = &rest[1..end];
            let value = match name {
                "aws.events.rule-arn" => Some(Value::from(rule.arn.as_str())),
                "aws.events.rule-name" => Some(Value::from(rule.name.as_str())),
                "aws.events.event.ingestion-time" => Some(Value::from(iso8601(ingestion).as_str())),
                "aws.events.event" | "aws.events.event.json" => {
                    let mut e = event.clone();
                    if name == "aws.events.event"
                        && let Some(m) = e.as_object_mut()
                    {
                        m.shift_remove("detail");
                    }
                    Some(e)
                }
                _ => vars.get(name).cloned(),
            };
            let is_name = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
            if is_name {
                match (value, in_string) {
                    (Some(Value::String(s)), true) => out.push_str(&s),
                    (Some(v), true) => out.push_str(&v.to_json_string()),
                    (Some(v), false) => out.push_str(&v.to_json_string()),
                    (None, true) => {}
                    (None, false) => out.push_str("null"),
                }
                rest = &rest[end + 1..];
                continue;
            }
        }
        if in_string && !escaped && c == '"' {
            in_string = false;
        } else if !in_string && c == '"' {
            in_string = true;
        }
        escaped = in_string && !escaped && c == '\\';
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Rules in memory, indexed for matching.
#[derive(Default)]
pub struct RuleSet {
    rules: Vec<Arc<Rule>>,
    /// Member → value → rules whose pattern requires that member to be one of its values
    /// (by member, so that a lookup borrows the event's strings).
    index: Vec<(String, HashMap<String, Vec<usize>>)>,
    /// Rules that are not in the index.
    scan: Vec<usize>,
    /// The buses with an enabled rule that has targets.
    live_buses: Vec<String>,
}

impl RuleSet {
    /// Indexes `rules`.
    pub fn new(rules: Vec<Arc<Rule>>) -> RuleSet {
        let mut set = RuleSet {
            rules,
            ..RuleSet::default()
        };
        for rule in &set.rules {
            if rule.enabled() && !rule.targets.is_empty() && !set.live_buses.contains(&rule.bus) {
                set.live_buses.push(rule.bus.clone());
            }
        }
        for (i, rule) in set.rules.iter().enumerate() {
            let anchor = rule.pattern.as_ref().and_then(|p| {
                let members = p.exact_strings();
                // The most selective: the member with the fewest values.
                members.into_iter().min_by_key(|(_, v)| v.len())
            });
            match anchor {
                Some((member, values)) => {
                    let at = match set.index.iter().position(|(m, _)| m == member) {
                        Some(at) => at,
                        None => {
                            set.index.push((member.to_owned(), HashMap::new()));
                            set.index.len() - 1
                        }
                    };
                    for v in values {
                        set.index[at].1.entry(v.to_owned()).or_default().push(i);
                    }
                }
                None => set.scan.push(i),
            }
        }
        set
    }

    /// Whether an event on `bus` could start anything (an enabled rule with targets is
    /// there): events that cannot are not even made.
    pub fn routes(&self, bus: &str) -> bool {
        self.live_buses.iter().any(|b| b == bus)
    }

    /// Every rule, in name order.
    pub fn rules(&self) -> &[Arc<Rule>] {
        &self.rules
    }

    /// The enabled rules of `bus` whose pattern `event` matches.
    pub fn matching(&self, bus: &str, event: &Value) -> Vec<Arc<Rule>> {
        let mut candidates: Vec<usize> = self.scan.clone();
        for (member, by_value) in &self.index {
            // The values a pattern's leaf sees there (nested arrays flattened).
            let mut leaves = Vec::new();
            crate::pattern::collect_leaves(event.get(member), &mut leaves);
            for v in leaves {
                if let Some(s) = v.as_str()
                    && let Some(rules) = by_value.get(s)
                {
                    candidates.extend_from_slice(rules);
                }
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        candidates
            .into_iter()
            .map(|i| &self.rules[i])
            .filter(|r| {
                r.bus == bus && r.enabled() && r.pattern.as_ref().is_some_and(|p| p.matches(event))
            })
            .cloned()
            .collect()
    }
}

/// The bus: rules, and the deliveries of matched events to their targets.
#[derive(Clone)]
pub struct Bus {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn Store>,
    starter: Arc<dyn Starter>,
    identity: Identity,
    /// What time it is (events' `time`; the runtime's clock).
    clock: Clock,
    /// Deliveries left from before a restart, read when the bus opens (before any new
    /// one can be kept), until [`Bus::resume`] makes them.
    pending: std::sync::Mutex<Vec<DeliveryRecord>>,
    rules: RwLock<Arc<RuleSet>>,
    changes: tokio::sync::Mutex<()>,
    deliveries: Arc<Semaphore>,
}

/// Deliveries in flight at once, at most.
const MAX_DELIVERIES: usize = 256;
/// Tries of a delivery whose start failed for a passing reason.
const DELIVERY_TRIES: u32 = 5;

impl Bus {
    /// Loads the stored rules.
    pub async fn open(
        store: Arc<dyn Store>,
        starter: Arc<dyn Starter>,
        identity: Identity,
        clock: Clock,
    ) -> Result<Bus, StoreError> {
        let records = store.triggers(TriggerKind::Rule).await?;
        let mut rules = Vec::new();
        for r in records {
            match serde_json::from_str(&r.body)
                .map_err(|e| AwsError::validation(e.to_string()))
                .and_then(|raw| Rule::from_raw(raw, &identity))
            {
                Ok(rule) => rules.push(Arc::new(rule)),
                Err(e) => {
                    tracing::warn!(rule = %r.name, error = %e.message, "a stored rule is invalid; skipped")
                }
            }
        }
        let pending = store.deliveries().await?;
        Ok(Bus {
            inner: Arc::new(Inner {
                pending: std::sync::Mutex::new(pending),
                store,
                starter,
                identity,
                clock,
                rules: RwLock::new(Arc::new(RuleSet::new(rules))),
                changes: tokio::sync::Mutex::new(()),
                deliveries: Arc::new(Semaphore::new(MAX_DELIVERIES)),
            }),
        })
    }

    /// The current time, in milliseconds since the epoch, on the bus's clock.
    pub fn now(&self) -> i64 {
        self.inner.clock.now().0
    }

    /// The identity (region, account) of ARNs.
    pub fn identity(&self) -> &Identity {
        &self.inner.identity
    }

    /// The rules now.
    pub fn rules(&self) -> Arc<RuleSet> {
        Arc::clone(&self.inner.rules.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// One rule.
    pub fn rule(&self, bus: &str, name: &str) -> Option<Arc<Rule>> {
        self.rules()
            .rules()
            .iter()
            .find(|r| r.bus == bus && r.name == name)
            .cloned()
    }

    /// Creates or replaces a rule (stored as `raw`), or deletes it (`None`), then rebuilds
    /// the rule set.
    pub async fn put_rule(
        &self,
        bus: &str,
        name: &str,
        raw: Option<serde_json::Value>,
    ) -> Result<(), AwsError> {
        let key = format!("{bus}/{name}");
        let store_err = |e: StoreError| {
            AwsError::new("InternalException", e.to_string())
                .with_status(axum::http::StatusCode::INTERNAL_SERVER_ERROR)
        };
        let _change = self.inner.changes.lock().await;
        match raw {
            Some(raw) => {
                let rule = Rule::from_raw(raw.clone(), &self.inner.identity)?;
                let body = raw.to_string();
                let now = self.now();
                let record = TriggerRecord {
                    kind: TriggerKind::Rule,
                    name: key.clone(),
                    body,
                    created: now,
                    updated: now,
                    cursor: None,
                };
                match self.inner.store.create_trigger(record.clone()).await {
                    Err(StoreError::AlreadyExists(_)) => self
                        .inner
                        .store
                        .update_trigger(record)
                        .await
                        .map_err(store_err)?,
                    other => other.map_err(store_err)?,
                }
                let mut rules = self.rules_but(bus, name);
                rules.push(Arc::new(rule));
                rules.sort_by(|a, b| (&a.bus, &a.name).cmp(&(&b.bus, &b.name)));
                self.replace(rules);
            }
            None => {
                match self
                    .inner
                    .store
                    .delete_trigger(TriggerKind::Rule, &key)
                    .await
                {
                    Ok(()) | Err(StoreError::NotFound(_)) => {}
                    Err(e) => return Err(store_err(e)),
                }
                self.replace(self.rules_but(bus, name));
            }
        }
        Ok(())
    }

    /// Every rule but `bus`'s `name`.
    fn rules_but(&self, bus: &str, name: &str) -> Vec<Arc<Rule>> {
        self.rules()
            .rules()
            .iter()
            .filter(|r| !(r.bus == bus && r.name == name))
            .cloned()
            .collect()
    }

    fn replace(&self, rules: Vec<Arc<Rule>>) {
        *self.inner.rules.write().unwrap_or_else(|e| e.into_inner()) =
            Arc::new(RuleSet::new(rules));
    }

    /// Routes an event on `bus` to the targets of the rules it matches: the deliveries
    /// are kept in the store before this returns, then made in the background (and made
    /// again after a restart if they were not). How many targets it went to.
    pub async fn route(&self, bus: &str, event: &Value) -> Result<usize, StoreError> {
        let deliveries = self.deliveries_of(bus, event);
        let n = deliveries.len();
        self.send(deliveries).await?;
        Ok(n)
    }

    /// The deliveries of `event` on `bus`: one per target of each rule it matches, each
    /// with a new id (the name of the execution it starts).
    pub fn deliveries_of(&self, bus: &str, event: &Value) -> Vec<DeliveryRecord> {
        self.deliveries_for(bus, event, None)
    }

    /// [`Bus::deliveries_of`], with ids derived from `seed` when there is one: the same
    /// event routed again (after a restart) makes the same deliveries, which find the
    /// executions they started.
    fn deliveries_for(&self, bus: &str, event: &Value, seed: Option<&str>) -> Vec<DeliveryRecord> {
        let rules = self.rules().matching(bus, event);
        let ingestion = self.now();
        let mut out = Vec::new();
        for rule in rules {
            for target in &rule.targets {
                let id = match seed {
                    Some(seed) => derived_id(&[seed, &rule.bus, &rule.name, &target.id]),
                    None => uuid::Uuid::new_v4().to_string(),
                };
                out.push(DeliveryRecord {
                    id,
                    rule: format!("{}/{}", rule.bus, rule.name),
                    target: target.arn.clone(),
                    input: target.input_for(event, &rule, ingestion),
                    at: ingestion,
                });
            }
        }
        out
    }

    /// Publishes a Standard execution's status change on the default bus: its deliveries
    /// kept, then the outbox message that kept the change deleted. A change that cannot
    /// be routed stays in the outbox, for the next start.
    pub async fn publish(&self, change: &baton_runtime::StatusChange) {
        if self.rules().routes("default") {
            let event = self.status_change_event(change);
            let deliveries = self.deliveries_for("default", &event, change.outbox_id.as_deref());
            if let Err(e) = self.send(deliveries).await {
                tracing::warn!(execution = %change.execution_arn, error = %e, "a status-change event could not be routed; kept for the next start");
                return;
            }
        }
        if let Some(id) = &change.outbox_id
            && let Err(e) = self.inner.store.delete_outbox(id).await
        {
            tracing::warn!(execution = %change.execution_arn, error = %e, "a published status change could not be forgotten");
        }
    }

    /// Publishes the status changes the store's outbox holds: those a crash kept from being
    /// published, and those made while the runtime opened, before the listener was set.
    /// Call it once the runtime's listener is set (a change published twice makes the
    /// same deliveries, which find the executions they started).
    pub async fn publish_kept(&self) -> Result<usize, StoreError> {
        let messages = self.inner.store.outbox().await?;
        let n = messages.len();
        for message in messages {
            match baton_runtime::StatusChange::from_json_text(&message.body) {
                Some(change) => self.publish(&change).await,
                None => {
                    tracing::warn!(id = %message.id, "an outbox message is not a status change; dropped");
                    self.inner.store.delete_outbox(&message.id).await?;
                }
            }
        }
        Ok(n)
    }

    /// Keeps `deliveries` in the store, in one write, then makes them in the background.
    pub async fn send(&self, deliveries: Vec<DeliveryRecord>) -> Result<(), StoreError> {
        if deliveries.is_empty() {
            return Ok(());
        }
        self.inner.store.add_deliveries(deliveries.clone()).await?;
        for d in deliveries {
            self.spawn(d);
        }
        Ok(())
    }

    /// Makes the deliveries that were kept when the bus was opened (left from before a
    /// restart); how many there were. Later calls find none.
    pub fn resume(&self) -> usize {
        let pending =
            std::mem::take(&mut *self.inner.pending.lock().unwrap_or_else(|e| e.into_inner()));
        let n = pending.len();
        for d in pending {
            self.spawn(d);
        }
        n
    }

    fn spawn(&self, d: DeliveryRecord) {
        let inner = Arc::clone(&self.inner);
        tokio::spawn(async move {
            let Ok(_permit) = Arc::clone(&inner.deliveries).acquire_owned().await else {
                return;
            };
            deliver(&inner, d).await;
        });
    }

    /// The event of a Standard execution's status change, as Step Functions sends it
    /// to EventBridge.
    pub fn status_change_event(&self, c: &baton_runtime::StatusChange) -> Value {
        let id = &self.inner.identity;
        let (redrive_status, reason) = match c.status {
            baton_store::ExecutionStatus::Running => (
                "NOT_REDRIVABLE",
                Some("Execution is RUNNING and cannot be redriven"),
            ),
            baton_store::ExecutionStatus::Succeeded => (
                "NOT_REDRIVABLE",
                Some("Execution is SUCCEEDED and cannot be redriven"),
            ),
            _ => ("REDRIVABLE", None),
        };
        let event = json!({
            "version": "0",
            "id": uuid::Uuid::new_v4().to_string(),
            "detail-type": "Step Functions Execution Status Change",
            "source": "aws.states",
            "account": id.account,
            "time": iso8601(c.at),
            "region": id.region,
            "resources": [&*c.execution_arn],
            "detail": {
                "executionArn": &*c.execution_arn,
                "stateMachineArn": &*c.state_machine_arn,
                "name": &*c.name,
                "status": c.status.as_str(),
                "startDate": c.start_date,
                "stopDate": c.stop_date,
                "input": &*c.input,
                "inputDetails": {"included": true},
                "output": c.output,
                "outputDetails": c.output.as_ref().map(|_| json!({"included": true})),
                "redriveCount": c.redrive_count,
                "redriveDate": c.redrive_date,
                "redriveStatus": redrive_status,
                "redriveStatusReason": reason,
                "error": c.error,
                "cause": c.cause,
            }
        });
        Value::from(event)
    }
}

/// An id made from `parts`, shaped as a UUID (a valid execution name).
fn derived_id(parts: &[&str]) -> String {
    use sha2::Digest as _;
    let mut h = sha2::Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    let hex: String = h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Starts a delivery's target (its execution named by the delivery's id, so that a
/// delivery made again finds it), then forgets the delivery; a start that cannot be made
/// becomes a dead letter.
async fn deliver(inner: &Inner, d: DeliveryRecord) {
    let mut backoff = Duration::from_millis(200);
    let mut tries = 0;
    loop {
        tries += 1;
        let request = StartRequest {
            target: d.target.clone(),
            name: Some(d.id.clone()),
            input: d.input.clone(),
        };
        match inner.starter.start(request).await {
            Ok(_) => break,
            Err(e) if e.is_already_started() => break,
            Err(e) if e.is_retryable() && tries < DELIVERY_TRIES => {
                tokio::time::sleep(backoff).await;
                backoff *= 2;
            }
            Err(e) => {
                tracing::warn!(rule = %d.rule, target = %d.target, error = %e, "an event's target could not be started; kept as a dead letter");
                let letter = DeadLetterRecord {
                    seq: 0,
                    kind: TriggerKind::Rule,
                    name: d.rule.clone(),
                    at: inner.clock.now().0,
                    target: d.target.clone(),
                    input: d.input.clone(),
                    error: e.code,
                    cause: e.message,
                    attempts: tries,
                };
                if let Err(e) = inner.store.add_dead_letter(letter).await {
                    // Kept as a delivery instead: tried again at the next start.
                    tracing::warn!(error = %e, "the dead letter could not be kept");
                    return;
                }
                break;
            }
        }
    }
    if let Err(e) = inner.store.delete_delivery(&d.id).await {
        tracing::warn!(delivery = %d.id, error = %e, "a delivery made could not be forgotten; it is made again at the next start, and finds its execution");
    }
}

#[cfg(test)]
mod tests;
