//! Schedules, as EventBridge Scheduler has them: an expression (`at`, `rate`, `cron`) in a
//! time zone, start and end dates, a flexible time window, a target (a state machine,
//! version or alias) with its input, a retry policy, and a dead letter when a start
//! cannot be made.
//!
//! Durable: each schedule is a [`TriggerRecord`] whose cursor is the last occurrence
//! handled. One task waits for the earliest due time of all schedules ([`engine`]); an
//! occurrence that fell due while Baton was down fires once when it starts again. A start
//! is named after its schedule and occurrence, so one repeated after a crash (before its
//! cursor was written) finds the execution it made and does not make another.

pub mod api;
pub mod engine;
pub mod expr;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use baton_runtime::Clock;
use baton_store::{DeadLetterRecord, Store, StoreError, TriggerKind, TriggerRecord};
use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, Semaphore, watch};

use self::engine::{Compiled, Due, Engine};
use self::expr::{Expression, time_zone};
use crate::starter::{StartError, StartRequest, Starter};
use crate::wire::{is_state_machine_arn, iso8601};

/// A schedule's definition, as stored (times in milliseconds).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ScheduleDef {
    /// Its name.
    pub name: String,
    /// Its group (`default` unless given).
    #[serde(default = "default_group")]
    pub group: String,
    /// `at(...)`, `rate(...)` or `cron(...)`.
    pub expression: String,
    /// The IANA time zone the expression is read in (UTC when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// No occurrence before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<i64>,
    /// No occurrence after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<i64>,
    /// Its description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `ENABLED` or `DISABLED`.
    #[serde(default = "enabled")]
    pub state: String,
    /// The flexible time window in minutes (`None`: `OFF`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flexible_minutes: Option<u32>,
    /// What it starts.
    pub target: ScheduleTarget,
    /// `NONE`, or `DELETE` (a schedule with no occurrence left is deleted).
    #[serde(default = "none")]
    pub action_after_completion: String,
    /// Kept and given back; Baton does not encrypt with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_arn: Option<String>,
}

/// A schedule's target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ScheduleTarget {
    /// A state machine, version or alias ARN.
    pub arn: String,
    /// The role (kept and given back).
    #[serde(default)]
    pub role_arn: String,
    /// The execution's input, with Scheduler's context attributes
    /// (`<aws.scheduler.scheduled-time>`, ...) replaced; `{}` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// How many times a start that failed for a passing reason is tried again.
    #[serde(default = "default_retries")]
    pub max_retry_attempts: u32,
    /// How long after its occurrence a start is still tried, in seconds.
    #[serde(default = "default_age")]
    pub max_event_age_seconds: u32,
    /// The dead-letter queue's ARN as given (kept and given back; Baton keeps dead
    /// letters in its store).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter_arn: Option<String>,
}

fn default_group() -> String {
    "default".into()
}
fn enabled() -> String {
    "ENABLED".into()
}
fn none() -> String {
    "NONE".into()
}
fn default_retries() -> u32 {
    185
}
fn default_age() -> u32 {
    86_400
}

impl ScheduleDef {
    /// `GROUP/NAME`: its key in the store.
    pub fn key(&self) -> String {
        format!("{}/{}", self.group, self.name)
    }

    /// Whether it is enabled.
    pub fn enabled(&self) -> bool {
        self.state == "ENABLED"
    }

    /// Checks it and parses its expression and time zone; `created` anchors a rate
    /// without a start date.
    pub fn compile(&self, created: i64) -> Result<Compiled, String> {
        let expr = Expression::parse(&self.expression).map_err(|e| e.0)?;
        let tz = time_zone(self.timezone.as_deref()).map_err(|e| e.0)?;
        if !valid_name(&self.name, 64) {
            return Err(format!("Invalid schedule name {}.", self.name));
        }
        if !valid_name(&self.group, 64) {
            return Err(format!("Invalid schedule group name {}.", self.group));
        }
        if !matches!(self.state.as_str(), "ENABLED" | "DISABLED") {
            return Err(format!("Invalid State {}.", self.state));
        }
        if !is_state_machine_arn(&self.target.arn) {
            return Err(format!(
                "Invalid target ARN {}: Baton's schedules start state machines, versions or aliases.",
                self.target.arn
            ));
        }
        if !matches!(self.action_after_completion.as_str(), "NONE" | "DELETE") {
            return Err(format!(
                "Invalid ActionAfterCompletion {}.",
                self.action_after_completion
            ));
        }
        if let Some(m) = self.flexible_minutes
            && !(1..=1440).contains(&m)
        {
            return Err("MaximumWindowInMinutes must be between 1 and 1440.".into());
        }
        if let (Some(s), Some(e)) = (self.start_date, self.end_date)
            && e <= s
        {
            return Err("The EndDate must be later than the StartDate.".into());
        }
        if self.target.max_retry_attempts > 185 {
            return Err("MaximumRetryAttempts must be between 0 and 185.".into());
        }
        if !(60..=86_400).contains(&self.target.max_event_age_seconds) {
            return Err("MaximumEventAgeInSeconds must be between 60 and 86400.".into());
        }
        if let Some(input) = &self.target.input
            && input.is_empty()
        {
            return Err("Input must not be empty.".into());
        }
        Ok(Compiled {
            def: self.clone(),
            expr,
            tz,
            anchor: self.start_date.unwrap_or(created),
        })
    }
}

fn valid_name(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// A stored schedule: its definition and dates.
#[derive(Debug, Clone)]
pub struct StoredSchedule {
    /// The definition.
    pub def: ScheduleDef,
    /// When it was created.
    pub created: i64,
    /// When it last changed.
    pub updated: i64,
}

/// Why a schedule operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// A bad definition.
    #[error("{0}")]
    Invalid(String),
    /// A schedule of that name exists.
    #[error("Schedule {0} already exists.")]
    Exists(String),
    /// No schedule of that name.
    #[error("Schedule {0} does not exist.")]
    NotFound(String),
    /// The store failed.
    #[error("{0}")]
    Store(String),
}

impl From<StoreError> for ScheduleError {
    fn from(e: StoreError) -> ScheduleError {
        ScheduleError::Store(e.to_string())
    }
}

/// What a [`Scheduler`] needs to know of the server.
#[derive(Debug, Clone)]
pub struct Identity {
    /// The region in ARNs.
    pub region: String,
    /// The account in ARNs.
    pub account: String,
}

/// The schedules of a server, and the task that fires them.
#[derive(Clone)]
pub struct Scheduler {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn Store>,
    starter: Arc<dyn Starter>,
    identity: Identity,
    /// What time it is (the runtime's clock: virtual in tests).
    clock: Clock,
    engine: Mutex<Engine>,
    wake: Notify,
    /// Starts in flight at once, at most.
    starts: Arc<Semaphore>,
    closed: watch::Sender<bool>,
    /// Serialises changes to the set of schedules (store, then engine).
    changes: tokio::sync::Mutex<()>,
}

/// How many starts a scheduler has in flight at once.
const MAX_STARTS: usize = 512;

impl Scheduler {
    /// Loads every stored schedule and arms them (without firing anything yet: see
    /// [`Scheduler::run`]).
    pub async fn open(
        store: Arc<dyn Store>,
        starter: Arc<dyn Starter>,
        identity: Identity,
        clock: Clock,
    ) -> Result<Scheduler, ScheduleError> {
        let records = store.triggers(TriggerKind::Schedule).await?;
        let now = clock.now().0;
        let mut engine = Engine::new();
        for r in records {
            let def: ScheduleDef = match serde_json::from_str(&r.body) {
                Ok(d) => d,
                Err(e) => {
                    tracing::warn!(schedule = %r.name, error = %e, "a stored schedule cannot be read; skipped");
                    continue;
                }
            };
            match def.compile(r.created) {
                Ok(c) => engine.put(r.name.as_str().into(), Arc::new(c), r.cursor, now),
                Err(e) => {
                    tracing::warn!(schedule = %r.name, error = %e, "a stored schedule is invalid; skipped")
                }
            }
        }
        Ok(Scheduler {
            inner: Arc::new(Inner {
                store,
                starter,
                identity,
                clock,
                engine: Mutex::new(engine),
                wake: Notify::new(),
                starts: Arc::new(Semaphore::new(MAX_STARTS)),
                closed: watch::channel(false).0,
                changes: tokio::sync::Mutex::new(()),
            }),
        })
    }

    /// Starts the task that fires schedules as they fall due, until [`Scheduler::close`].
    pub fn run(&self) {
        let inner = Arc::clone(&self.inner);
        tokio::spawn(async move { run(inner).await });
    }

    /// Looks again at what is due: call it after moving a virtual clock ahead.
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    /// Stops firing.
    pub fn close(&self) {
        self.inner.closed.send_replace(true);
        self.inner.wake.notify_one();
    }

    /// How many schedules there are.
    pub fn len(&self) -> usize {
        self.engine().len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn engine(&self) -> std::sync::MutexGuard<'_, Engine> {
        self.inner.engine.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A schedule's ARN.
    pub fn arn(&self, group: &str, name: &str) -> String {
        format!(
            "arn:aws:scheduler:{}:{}:schedule/{group}/{name}",
            self.inner.identity.region, self.inner.identity.account
        )
    }

    /// Creates a schedule.
    pub async fn create(&self, def: ScheduleDef) -> Result<(), ScheduleError> {
        let now = self.inner.clock.now().0;
        let compiled = def.compile(now).map_err(ScheduleError::Invalid)?;
        let key = def.key();
        // A recurring schedule starts from its creation: occurrences before it (since a
        // StartDate in the past) are not made up. (A one-time schedule counts from its
        // creation already: one in the past never fires.)
        let cursor = match compiled.expr {
            Expression::At(_) => None,
            Expression::Rate(_) | Expression::Cron(_) => Some(now - 1),
        };
        let _change = self.inner.changes.lock().await;
        let record = TriggerRecord {
            kind: TriggerKind::Schedule,
            name: key.clone(),
            body: serde_json::to_string(&def).map_err(|e| ScheduleError::Store(e.to_string()))?,
            created: now,
            updated: now,
            cursor,
        };
        match self.inner.store.create_trigger(record).await {
            Err(StoreError::AlreadyExists(_)) => return Err(ScheduleError::Exists(def.name)),
            other => other?,
        }
        self.engine()
            .put(key.into(), Arc::new(compiled), cursor, now);
        self.inner.wake.notify_one();
        Ok(())
    }

    /// Replaces a schedule's definition; its occurrences count afresh from now.
    pub async fn update(&self, def: ScheduleDef) -> Result<(), ScheduleError> {
        let now = self.inner.clock.now().0;
        let key = def.key();
        let _change = self.inner.changes.lock().await;
        let Some(old) = self
            .inner
            .store
            .trigger(TriggerKind::Schedule, &key)
            .await?
        else {
            return Err(ScheduleError::NotFound(def.name));
        };
        let mut compiled = def.compile(old.created).map_err(ScheduleError::Invalid)?;
        // Replaced as a new schedule starts: a rate without a start date counts from the
        // update (its first occurrence is the update itself), and nothing before the update
        // is made up.
        if def.start_date.is_none() {
            compiled.anchor = now;
        }
        let cursor = now - 1;
        let record = TriggerRecord {
            kind: TriggerKind::Schedule,
            name: key.clone(),
            body: serde_json::to_string(&def).map_err(|e| ScheduleError::Store(e.to_string()))?,
            created: old.created,
            updated: now,
            cursor: Some(cursor),
        };
        self.inner.store.update_trigger(record).await?;
        self.engine()
            .put(key.into(), Arc::new(compiled), Some(cursor), now);
        self.inner.wake.notify_one();
        Ok(())
    }

    /// Deletes a schedule.
    pub async fn delete(&self, group: &str, name: &str) -> Result<(), ScheduleError> {
        let key = format!("{group}/{name}");
        let _change = self.inner.changes.lock().await;
        match self
            .inner
            .store
            .delete_trigger(TriggerKind::Schedule, &key)
            .await
        {
            Err(StoreError::NotFound(_)) => return Err(ScheduleError::NotFound(name.into())),
            other => other?,
        }
        self.engine().remove(&key);
        Ok(())
    }

    /// One schedule.
    pub async fn get(&self, group: &str, name: &str) -> Result<StoredSchedule, ScheduleError> {
        let key = format!("{group}/{name}");
        let record = self
            .inner
            .store
            .trigger(TriggerKind::Schedule, &key)
            .await?
            .ok_or_else(|| ScheduleError::NotFound(name.into()))?;
        stored(&record).ok_or_else(|| ScheduleError::Store(format!("schedule {key} is unreadable")))
    }

    /// Every schedule, by group and name.
    pub async fn list(&self) -> Result<Vec<StoredSchedule>, ScheduleError> {
        let records = self.inner.store.triggers(TriggerKind::Schedule).await?;
        Ok(records.iter().filter_map(stored).collect())
    }
}

fn stored(r: &TriggerRecord) -> Option<StoredSchedule> {
    Some(StoredSchedule {
        def: serde_json::from_str(&r.body).ok()?,
        created: r.created,
        updated: r.updated,
    })
}

async fn run(inner: Arc<Inner>) {
    let mut closed = inner.closed.subscribe();
    loop {
        if *closed.borrow() {
            return;
        }
        let now = inner.clock.now().0;
        let (due, wake) = {
            let mut engine = inner.engine.lock().unwrap_or_else(|e| e.into_inner());
            let due = engine.pop_due(now);
            (due, engine.next_wake())
        };
        for d in due {
            let inner = Arc::clone(&inner);
            let permit = Arc::clone(&inner.starts).acquire_owned().await;
            tokio::spawn(async move {
                let _permit = permit;
                fire(&inner, d).await;
            });
        }
        let sleep = match wake {
            Some(t) => Duration::from_millis(u64::try_from(t - inner.clock.now().0).unwrap_or(0)),
            None => Duration::from_secs(3600),
        };
        tokio::select! {
            _ = tokio::time::sleep(sleep) => {}
            _ = inner.wake.notified() => {}
            _ = closed.changed() => {}
        }
    }
}

/// The execution name of an occurrence: the schedule's name, the time, and a hash of the
/// key and the time to the millisecond (schedules of the same name in two groups differ,
/// and so do two occurrences within a second), within the 80 characters a name may have.
pub fn execution_name(key: &str, name: &str, scheduled: i64) -> String {
    let mut h: u32 = 0x811c_9dc5;
    for b in key.bytes().chain(scheduled.to_be_bytes()) {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    let time = iso8601(scheduled).replace(['-', ':'], "");
    let short: String = name.chars().take(50).collect();
    format!("{short}-{time}-{h:08x}")
}

/// The input of an occurrence: the target's, with Scheduler's context attributes replaced.
pub fn occurrence_input(
    arn: &str,
    target_input: Option<&str>,
    scheduled: i64,
    execution_id: &str,
    attempt: u32,
) -> String {
    target_input
        .unwrap_or("{}")
        .replace("<aws.scheduler.schedule-arn>", arn)
        .replace("<aws.scheduler.scheduled-time>", &iso8601(scheduled))
        .replace("<aws.scheduler.execution-id>", execution_id)
        .replace("<aws.scheduler.attempt-number>", &attempt.to_string())
}

async fn fire(inner: &Arc<Inner>, due: Due) {
    let def = &due.schedule.def;
    let arn = format!(
        "arn:aws:scheduler:{}:{}:schedule/{}/{}",
        inner.identity.region, inner.identity.account, def.group, def.name
    );
    let execution_id = uuid::Uuid::new_v4().to_string();
    let name = execution_name(&due.key, &def.name, due.scheduled);
    let mut attempt = 0u32;
    let mut backoff = Duration::from_secs(1);
    let deadline = due.scheduled + i64::from(def.target.max_event_age_seconds) * 1000;
    let outcome: Result<(), (StartError, String)> = loop {
        attempt += 1;
        let input = occurrence_input(
            &arn,
            def.target.input.as_deref(),
            due.scheduled,
            &execution_id,
            attempt,
        );
        let request = StartRequest {
            target: def.target.arn.clone(),
            name: Some(name.clone()),
            input: input.clone(),
        };
        match inner.starter.start(request).await {
            Ok(_) => break Ok(()),
            Err(e) if e.is_already_started() => break Ok(()),
            Err(e)
                if e.is_retryable()
                    && attempt <= def.target.max_retry_attempts
                    && inner.clock.now().0 + (backoff.as_millis() as i64) < deadline
                    && !*inner.closed.borrow() =>
            {
                tracing::debug!(schedule = %due.key, error = %e, "a scheduled start failed; trying again");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(60));
            }
            Err(e) => break Err((e, input)),
        }
    };
    if let Err((e, input)) = outcome {
        if *inner.closed.borrow() && e.is_retryable() {
            // Stopping: the cursor stays, and the occurrence fires again at the next start.
            return;
        }
        tracing::warn!(schedule = %due.key, error = %e, "a scheduled start failed; kept as a dead letter");
        let letter = DeadLetterRecord {
            seq: 0,
            kind: TriggerKind::Schedule,
            name: due.key.to_string(),
            at: inner.clock.now().0,
            target: def.target.arn.clone(),
            input,
            error: e.code.clone(),
            cause: e.message.clone(),
            attempts: attempt,
        };
        if let Err(e) = inner.store.add_dead_letter(letter).await {
            tracing::warn!(schedule = %due.key, error = %e, "the dead letter could not be kept");
        }
    }
    match inner
        .store
        .set_trigger_cursor(TriggerKind::Schedule, &due.key, due.scheduled)
        .await
    {
        Ok(()) | Err(StoreError::NotFound(_)) => {}
        Err(e) => {
            tracing::warn!(schedule = %due.key, error = %e, "the schedule's progress could not be kept")
        }
    }
    if def.action_after_completion == "DELETE" {
        let _change = inner.changes.lock().await;
        let finished = {
            let engine = inner.engine.lock().unwrap_or_else(|e| e.into_inner());
            !engine.is_armed(&due.key)
        };
        if finished {
            let _ = inner
                .store
                .delete_trigger(TriggerKind::Schedule, &due.key)
                .await;
            inner
                .engine
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&due.key);
        }
    }
}
