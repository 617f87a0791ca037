//! Effects: what the engine asks its caller to do. The caller performs them and reports
//! the outcomes back as [`Input`](crate::Input)s.

use baton_asl::definition::{Resource, ResourceUse};
use baton_json::{Str, Value};

use crate::time::Millis;

/// Identifies a task or a timer within one execution. Never reused, so a late report
/// about a task that has since timed out or been cancelled is recognised and ignored.
pub type WorkId = u64;

/// Something the engine needs done.
#[derive(Debug, Clone)]
pub enum Effect {
    /// Run a task.
    RunTask(TaskRequest),
    /// Stop a running task (it timed out, or its state was aborted).
    CancelTask {
        /// The task.
        id: WorkId,
    },
    /// Report [`Input::TimerFired`](crate::Input::TimerFired) at `due` (or as soon
    /// after as possible, also after a restart).
    StartTimer {
        /// The timer.
        id: WorkId,
        /// When it fires.
        due: Millis,
    },
    /// Forget a timer that is no longer needed.
    CancelTimer {
        /// The timer.
        id: WorkId,
    },
    /// Keep what a distributed Map's Map Run is now (DescribeMapRun shows it).
    MapRun(Box<MapRunReport>),
}

/// Where a Map Run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapRunStatus {
    /// Iterations are running or pending.
    Running,
    /// Every iteration ended within the tolerated failures.
    Succeeded,
    /// More iterations failed than tolerated.
    Failed,
    /// Stopped with its execution.
    Aborted,
}

impl MapRunStatus {
    /// AWS's name: `RUNNING`, `SUCCEEDED`, `FAILED`, `ABORTED`.
    pub fn as_str(self) -> &'static str {
        match self {
            MapRunStatus::Running => "RUNNING",
            MapRunStatus::Succeeded => "SUCCEEDED",
            MapRunStatus::Failed => "FAILED",
            MapRunStatus::Aborted => "ABORTED",
        }
    }
}

/// A Map Run's state, as DescribeMapRun shows it: its child executions, and its items
/// (one per child, or a batch per child with an ItemBatcher).
#[derive(Debug, Clone, PartialEq)]
pub struct MapRunReport {
    /// The Map Run's ARN.
    pub arn: Str,
    /// Its status.
    pub status: MapRunStatus,
    /// When it started.
    pub started: Millis,
    /// When it ended.
    pub stopped: Option<Millis>,
    /// MaxConcurrency (0: no limit).
    pub max_concurrency: u64,
    /// ToleratedFailureCount.
    pub tolerated_failure_count: u64,
    /// ToleratedFailurePercentage.
    pub tolerated_failure_percentage: f64,
    /// Its child executions by where they stand.
    pub executions: RunCounts,
    /// Its items by where they stand: the same as its child executions, but when an
    /// ItemBatcher gives each child a batch of items.
    pub items: RunCounts,
}

/// A Map Run's child executions, or its items, by where they stand.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunCounts {
    /// In all.
    pub total: u64,
    /// Not started yet.
    pub pending: u64,
    /// Running.
    pub running: u64,
    /// Succeeded.
    pub succeeded: u64,
    /// Failed.
    pub failed: u64,
    /// Aborted.
    pub aborted: u64,
}

impl RunCounts {
    /// The counts of a Map Run of `total`, `running` of them running now and the others
    /// ended as counted; when the run is `aborted`, the running ones are aborted too.
    pub(crate) fn of(
        total: u64,
        running: u64,
        succeeded: u64,
        failed: u64,
        aborted: u64,
        run_aborted: bool,
    ) -> RunCounts {
        let (running, aborted) = if run_aborted {
            (0, aborted + running)
        } else {
            (running, aborted)
        };
        RunCounts {
            total,
            pending: total.saturating_sub(succeeded + failed + aborted + running),
            running,
            succeeded,
            failed,
            aborted,
        }
    }
}

/// A task to run.
#[derive(Debug, Clone)]
pub struct TaskRequest {
    /// Report the outcome with this id.
    pub id: WorkId,
    /// The state's `Resource`.
    pub resource: Resource,
    /// What the resource is called for: a Task state's work, or a distributed Map's
    /// reading or writing (then `input` holds what the reader or writer is given).
    pub purpose: ResourceUse,
    /// The task's input: the effective parameters.
    pub input: Value,
    /// The task token (`$$.Task.Token`), for callbacks and activities.
    pub token: Option<Str>,
    /// The name of the Task state.
    pub state_name: Str,
    /// TimeoutSeconds (the engine enforces it with its own timer as well).
    pub timeout_seconds: Option<u64>,
    /// HeartbeatSeconds.
    pub heartbeat_seconds: Option<u64>,
    /// `Credentials`, evaluated.
    pub credentials: Option<Value>,
}
