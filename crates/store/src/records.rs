//! The records a [`Store`](crate::Store) keeps. Times are milliseconds since the Unix
//! epoch; JSON documents are kept as text, as the API carries them.

use std::sync::Arc;

/// How a state machine runs its executions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MachineType {
    /// Durable executions.
    Standard,
    /// In-memory executions.
    Express,
}

impl MachineType {
    /// `STANDARD` or `EXPRESS`.
    pub fn as_str(self) -> &'static str {
        match self {
            MachineType::Standard => "STANDARD",
            MachineType::Express => "EXPRESS",
        }
    }

    /// From `STANDARD` or `EXPRESS`.
    pub fn parse(s: &str) -> Option<MachineType> {
        match s {
            "STANDARD" => Some(MachineType::Standard),
            "EXPRESS" => Some(MachineType::Express),
            _ => None,
        }
    }
}

/// A state machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateMachineRecord {
    /// Its ARN.
    pub arn: String,
    /// Its name.
    pub name: String,
    /// STANDARD or EXPRESS.
    pub machine_type: MachineType,
    /// The definition's text, as given.
    pub definition: String,
    /// The role.
    pub role_arn: String,
    /// When it was created.
    pub created: i64,
    /// When its definition, role or configuration last changed.
    pub updated: i64,
    /// Changes at every update.
    pub revision_id: String,
    /// The description given at creation or update.
    pub description: Option<String>,
    /// `loggingConfiguration`, as JSON text.
    pub logging: Option<String>,
    /// `tracingConfiguration`, as JSON text.
    pub tracing: Option<String>,
    /// `encryptionConfiguration`, as JSON text.
    pub encryption: Option<String>,
}

/// A published version of a state machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRecord {
    /// `...:stateMachine:NAME:N`.
    pub arn: String,
    /// The state machine's ARN.
    pub machine_arn: String,
    /// N.
    pub version: u64,
    /// The definition's text.
    pub definition: String,
    /// The role.
    pub role_arn: String,
    /// STANDARD or EXPRESS.
    pub machine_type: MachineType,
    /// When it was published.
    pub created: i64,
    /// The state machine's revision it was published from.
    pub revision_id: String,
    /// The version's description.
    pub description: Option<String>,
    /// `loggingConfiguration`, as JSON text.
    pub logging: Option<String>,
    /// `tracingConfiguration`, as JSON text.
    pub tracing: Option<String>,
}

/// An alias: a name routing executions to one or two versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasRecord {
    /// `...:stateMachine:NAME:ALIAS`.
    pub arn: String,
    /// The state machine's ARN.
    pub machine_arn: String,
    /// The alias's name.
    pub name: String,
    /// Its description.
    pub description: Option<String>,
    /// (version ARN, weight in percent) pairs.
    pub routing: Vec<(String, u32)>,
    /// When it was created.
    pub created: i64,
    /// When it last changed.
    pub updated: i64,
}

/// An activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityRecord {
    /// Its ARN.
    pub arn: String,
    /// Its name.
    pub name: String,
    /// When it was created.
    pub created: i64,
    /// `encryptionConfiguration`, as JSON text.
    pub encryption: Option<String>,
}

/// A tag of a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// The key.
    pub key: String,
    /// The value.
    pub value: String,
}

/// Where an execution stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExecutionStatus {
    /// Not ended.
    Running,
    /// Ended with an output.
    Succeeded,
    /// Failed.
    Failed,
    /// Ran past its time.
    TimedOut,
    /// Stopped.
    Aborted,
    /// Being redriven.
    PendingRedrive,
}

impl ExecutionStatus {
    /// AWS's name: `RUNNING`, `SUCCEEDED`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            ExecutionStatus::Running => "RUNNING",
            ExecutionStatus::Succeeded => "SUCCEEDED",
            ExecutionStatus::Failed => "FAILED",
            ExecutionStatus::TimedOut => "TIMED_OUT",
            ExecutionStatus::Aborted => "ABORTED",
            ExecutionStatus::PendingRedrive => "PENDING_REDRIVE",
        }
    }

    /// From AWS's name.
    pub fn parse(s: &str) -> Option<ExecutionStatus> {
        Some(match s {
            "RUNNING" => ExecutionStatus::Running,
            "SUCCEEDED" => ExecutionStatus::Succeeded,
            "FAILED" => ExecutionStatus::Failed,
            "TIMED_OUT" => ExecutionStatus::TimedOut,
            "ABORTED" => ExecutionStatus::Aborted,
            "PENDING_REDRIVE" => ExecutionStatus::PendingRedrive,
            _ => return None,
        })
    }

    /// `true` for RUNNING and PENDING_REDRIVE.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            ExecutionStatus::Running | ExecutionStatus::PendingRedrive
        )
    }
}

/// An execution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutionRecord {
    /// Its ARN.
    pub arn: String,
    /// The state machine's ARN (without version or alias).
    pub machine_arn: String,
    /// The version it was started through, if any.
    pub version_arn: Option<String>,
    /// The alias it was started through, if any.
    pub alias_arn: Option<String>,
    /// The Map Run it belongs to, for a distributed Map's child execution.
    pub map_run_arn: Option<String>,
    /// Its name.
    pub name: String,
    /// Its status.
    pub status: ExecutionStatus,
    /// The definition it runs (stores may keep one copy of identical definitions).
    pub definition: Arc<str>,
    /// The role it runs as.
    pub role_arn: String,
    /// Its input, as JSON text.
    pub input: String,
    /// Its output, as JSON text, once succeeded.
    pub output: Option<String>,
    /// The error, once failed, timed out or aborted.
    pub error: Option<String>,
    /// The cause.
    pub cause: Option<String>,
    /// When it started.
    pub start_date: i64,
    /// When it ended.
    pub stop_date: Option<i64>,
    /// Seed of its random stream (task tokens, UUIDs): replay gives the same values.
    pub seed: u64,
    /// How many times it was redriven.
    pub redrive_count: u32,
    /// When it was last redriven.
    pub redrive_date: Option<i64>,
    /// How many history events it has.
    pub event_count: u64,
    /// How many journal entries it has.
    pub journal_len: u64,
    /// The trace header given at start.
    pub trace_header: Option<String>,
}

/// What one commit changes in an execution's record (fields left `None` are kept).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecutionUpdate {
    /// The new status.
    pub status: Option<ExecutionStatus>,
    /// The output.
    pub output: Option<String>,
    /// The error.
    pub error: Option<String>,
    /// The cause.
    pub cause: Option<String>,
    /// When it ended.
    pub stop_date: Option<i64>,
    /// The redrive count, after a redrive.
    pub redrive_count: Option<u32>,
    /// When it was redriven.
    pub redrive_date: Option<i64>,
    /// The execution runs again (a redrive): output, error, cause and stop date take this
    /// update's values, those left `None` being cleared.
    pub reopen: bool,
}

/// One input applied to an execution's engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    /// 0, 1, 2, ... per execution.
    pub seq: u64,
    /// The time it was applied at.
    pub at: i64,
    /// The input, encoded by the runtime.
    pub input: String,
}

/// One history event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    /// 1, 2, 3, ... per execution.
    pub id: u64,
    /// The event as GetExecutionHistory returns it (AWS's JSON), as text.
    pub json: String,
}

/// A timer an execution waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimerRecord {
    /// The execution.
    pub execution_arn: String,
    /// The engine's id for it.
    pub work_id: u64,
    /// When it fires.
    pub due: i64,
}

/// A task an execution waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRecord {
    /// The execution.
    pub execution_arn: String,
    /// The engine's id for it.
    pub work_id: u64,
    /// The activity's ARN, for an activity task (offered to GetActivityTask).
    pub activity_arn: Option<String>,
    /// Its task token, if it has one.
    pub token: Option<String>,
    /// When it was scheduled.
    pub scheduled: i64,
    /// Whatever the runtime needs to dispatch it again, encoded by the runtime.
    pub request: String,
    /// A worker has it (activities), or its service call was made (callbacks).
    pub started: bool,
}

/// A Map Run: the child executions of one distributed Map state's run.
#[derive(Debug, Clone, PartialEq)]
pub struct MapRunRecord {
    /// `arn:aws:states:REGION:ACCOUNT:mapRun:MACHINE/LABEL:ID`.
    pub arn: String,
    /// The execution the Map state runs in.
    pub execution_arn: String,
    /// RUNNING, SUCCEEDED, FAILED or ABORTED.
    pub status: String,
    /// When it started.
    pub start_date: i64,
    /// When it ended.
    pub stop_date: Option<i64>,
    /// MaxConcurrency.
    pub max_concurrency: u32,
    /// ToleratedFailurePercentage.
    pub tolerated_failure_percentage: f64,
    /// ToleratedFailureCount.
    pub tolerated_failure_count: u64,
    /// Item and execution counts (`itemCounts`, `executionCounts`) as JSON text.
    pub counts: String,
}

/// Everything one engine step of one execution produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExecutionCommit {
    /// The execution.
    pub execution_arn: String,
    /// The new execution, on its first commit.
    pub create: Option<ExecutionRecord>,
    /// Changes to the execution's record.
    pub update: ExecutionUpdate,
    /// Journal entries to append (their `seq` continue the journal).
    pub journal: Vec<JournalEntry>,
    /// History events to append (their ids continue the history).
    pub events: Vec<EventRecord>,
    /// Timers to add.
    pub timers_set: Vec<TimerRecord>,
    /// Timers to remove, by work id (fired or cancelled).
    pub timers_cleared: Vec<u64>,
    /// Tasks to add or replace (by work id).
    pub tasks_set: Vec<TaskRecord>,
    /// Tasks to remove, by work id (finished or cancelled).
    pub tasks_cleared: Vec<u64>,
    /// Map Runs to create or replace (by ARN).
    pub map_runs: Vec<MapRunRecord>,
    /// Messages to keep until their reader takes them (the execution's status changes, for
    /// the event bus), written with the step that made them.
    pub outbox: Vec<OutboxRecord>,
}

/// A message written with an execution's step and kept until its reader deletes it: what
/// the step said to the world outside survives a crash right after the step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRecord {
    /// Its id, unique.
    pub id: String,
    /// What it says, as its writer encodes it.
    pub body: String,
}

/// Which executions to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecutionFilter {
    /// Only this state machine's (or, for a version or alias ARN, those started through
    /// it).
    pub machine_arn: Option<String>,
    /// Only those with this status.
    pub status: Option<ExecutionStatus>,
    /// Only this Map Run's.
    pub map_run_arn: Option<String>,
    /// Only redriven (`true`) or never redriven (`false`) ones.
    pub redriven: Option<bool>,
}

/// A page request: where to continue (a token from the previous page) and how many.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    /// The previous page's `next`, or `None` for the first page.
    pub token: Option<String>,
    /// At most this many items (0 means the backend's default, 100).
    pub limit: usize,
}

/// One page of results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paged<T> {
    /// The items.
    pub items: Vec<T>,
    /// The token for the next page, when there is one.
    pub next: Option<String>,
}

/// What a [`TriggerRecord`] starts executions on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TriggerKind {
    /// An HTTP endpoint.
    Webhook,
    /// A schedule (`cron(...)`, `rate(...)`, `at(...)`).
    Schedule,
    /// An event bus rule with its targets.
    Rule,
}

impl TriggerKind {
    /// `webhook`, `schedule` or `rule`.
    pub fn as_str(self) -> &'static str {
        match self {
            TriggerKind::Webhook => "webhook",
            TriggerKind::Schedule => "schedule",
            TriggerKind::Rule => "rule",
        }
    }

    /// From [`TriggerKind::as_str`]'s names.
    pub fn parse(s: &str) -> Option<TriggerKind> {
        match s {
            "webhook" => Some(TriggerKind::Webhook),
            "schedule" => Some(TriggerKind::Schedule),
            "rule" => Some(TriggerKind::Rule),
            _ => None,
        }
    }
}

/// A trigger: something outside executions that starts them (a webhook, a schedule, an
/// event rule). The store keeps its definition as the owner's JSON text and knows nothing
/// of what it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriggerRecord {
    /// Webhook, schedule or rule.
    pub kind: TriggerKind,
    /// Its key, unique within its kind (`GROUP/NAME` for schedules, `BUS/NAME` for rules).
    pub name: String,
    /// Its definition, as JSON text.
    pub body: String,
    /// When it was created.
    pub created: i64,
    /// When its definition last changed.
    pub updated: i64,
    /// How far it has got, in its owner's terms: for a schedule, the time of the last
    /// occurrence it handled. `None` until the first.
    pub cursor: Option<i64>,
}

/// An event on its way to one target: kept from the moment the event is accepted until
/// the target's execution is started (or the start is given up as a dead letter), so that
/// a restart delivers it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    /// Its id, unique; also the name of the execution it starts, so that a delivery made
    /// again after a restart finds the execution rather than starting another.
    pub id: String,
    /// The rule (`BUS/NAME`).
    pub rule: String,
    /// What to start (a state machine, version or alias ARN).
    pub target: String,
    /// The execution's input, as JSON text.
    pub input: String,
    /// When the event was routed.
    pub at: i64,
}

/// An Express execution that StartExecution accepted and that has not ended: AWS runs
/// those at least once, so it is kept until it ends and started again after a restart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpressStartRecord {
    /// The execution's ARN.
    pub arn: String,
    /// What to start, as the runtime wrote it (JSON text).
    pub body: String,
    /// When it was accepted.
    pub at: i64,
}

/// A start that a trigger could not make, kept for a person to look at (the dead-letter
/// record of a schedule or an event rule's target).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetterRecord {
    /// Given by the store when added (ascending); 0 in a record to add.
    pub seq: u64,
    /// The trigger's kind.
    pub kind: TriggerKind,
    /// The trigger's key.
    pub name: String,
    /// When the start was given up.
    pub at: i64,
    /// What was to be started (a state machine, version or alias ARN).
    pub target: String,
    /// The input it was to be started with, as JSON text.
    pub input: String,
    /// The error (e.g. `StateMachineDoesNotExist`).
    pub error: String,
    /// Why.
    pub cause: String,
    /// How many times the start was tried.
    pub attempts: u32,
}
