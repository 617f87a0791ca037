//! Inputs: what happens to an execution from outside the engine.

use baton_json::{Str, Value};

use crate::effect::WorkId;

/// An occurrence the engine reacts to.
#[derive(Debug, Clone)]
pub enum Input {
    /// Begin the execution: emits `ExecutionStarted` and runs until it waits.
    Start,
    /// Carry on: the last apply stopped with work left, having done all that one apply may
    /// do ([`Execution::has_ready_work`](crate::Execution::has_ready_work)). Does nothing
    /// when there is none.
    Continue,
    /// A task has started running (activities: a worker took it).
    TaskStarted {
        /// The task.
        id: WorkId,
        /// The worker's name, for activities.
        worker_name: Option<Str>,
    },
    /// A `.sync` or `.waitForTaskToken` task's request was accepted; it now waits.
    TaskSubmitted {
        /// The task.
        id: WorkId,
        /// The service's response to the request.
        output: Value,
    },
    /// A task's worker is alive.
    TaskHeartbeat {
        /// The task.
        id: WorkId,
    },
    /// A task finished with a result.
    TaskSucceeded {
        /// The task.
        id: WorkId,
        /// Its result.
        output: Value,
    },
    /// A task failed.
    TaskFailed {
        /// The task.
        id: WorkId,
        /// The error name.
        error: Option<Str>,
        /// The cause.
        cause: Option<Str>,
    },
    /// A timer is due.
    TimerFired {
        /// The timer.
        id: WorkId,
    },
    /// RedriveExecution: a failed, timed out or aborted execution carries on from where it
    /// stopped (ignored while it runs and once it has succeeded). Emits `ExecutionRedriven`,
    /// then enters again the states that had not finished: the failed or aborted ones, and
    /// the Parallel and Map states around them, whose branches and iterations that had
    /// succeeded keep their results and do not run again.
    Redrive,
    /// UpdateMapRun: new limits for a running Map Run (`None`: unchanged).
    UpdateMapRun {
        /// The Map Run.
        map_run_arn: Str,
        /// MaxConcurrency (0: no limit).
        max_concurrency: Option<u64>,
        /// ToleratedFailureCount.
        tolerated_failure_count: Option<u64>,
        /// ToleratedFailurePercentage.
        tolerated_failure_percentage: Option<f64>,
    },
    /// StopExecution.
    Stop {
        /// The error given to StopExecution.
        error: Option<Str>,
        /// The cause given to StopExecution.
        cause: Option<Str>,
    },
}
