//! Effects: what the engine asks its caller to do. The caller performs them and reports
//! the outcomes back as [`Input`](crate::Input)s.

use baton_asl::definition::Resource;
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
}

/// A task to run.
#[derive(Debug, Clone)]
pub struct TaskRequest {
    /// Report the outcome with this id.
    pub id: WorkId,
    /// The state's `Resource`.
    pub resource: Resource,
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
