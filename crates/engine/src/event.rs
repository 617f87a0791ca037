//! History events, shaped as GetExecutionHistory returns them.
//!
//! The engine emits events; it never reads them back. Each event holds its documents as
//! [`Value`]s (cheap shared clones), and is turned into AWS's JSON shape only when someone
//! asks ([`HistoryEvent::write_json`], in `event_json`): most runs never serialise most
//! events.

use std::sync::Arc;

use baton_json::{Map, Str, Value};

use crate::time::Millis;

/// One event of an execution's history.
#[derive(Debug, Clone)]
pub struct HistoryEvent {
    /// 1, 2, 3, ... in order of emission.
    pub id: u64,
    /// The event this one follows from (0 for the first).
    pub previous_event_id: u64,
    /// When it happened (milliseconds since the Unix epoch).
    pub timestamp: Millis,
    /// What happened.
    pub event_type: EventType,
    /// The type's details.
    pub details: Details,
}

macro_rules! event_types {
    ($($name:ident),* $(,)?) => {
        /// The type of a history event, as AWS names it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[allow(missing_docs)]
        pub enum EventType { $($name),* }

        impl EventType {
            /// The name as AWS writes it, e.g. `PassStateEntered`.
            pub fn as_str(self) -> &'static str {
                match self { $(EventType::$name => stringify!($name)),* }
            }

            /// Every event type.
            pub const ALL: &'static [EventType] = &[$(EventType::$name),*];
        }
    };
}

event_types! {
    ActivityFailed, ActivityScheduled, ActivityScheduleFailed, ActivityStarted, ActivitySucceeded,
    ActivityTimedOut, ChoiceStateEntered, ChoiceStateExited, ExecutionAborted, ExecutionFailed,
    ExecutionStarted, ExecutionSucceeded, ExecutionTimedOut, ExecutionRedriven, FailStateEntered,
    LambdaFunctionFailed, LambdaFunctionScheduled, LambdaFunctionScheduleFailed,
    LambdaFunctionStarted, LambdaFunctionStartFailed, LambdaFunctionSucceeded,
    LambdaFunctionTimedOut, MapIterationAborted, MapIterationFailed, MapIterationStarted,
    MapIterationSucceeded, MapStateAborted, MapStateEntered, MapStateExited, MapStateFailed,
    MapStateStarted, MapStateSucceeded, MapRunAborted, MapRunFailed, MapRunStarted,
    MapRunSucceeded, MapRunRedriven, ParallelStateAborted, ParallelStateEntered,
    ParallelStateExited, ParallelStateFailed, ParallelStateStarted, ParallelStateSucceeded,
    PassStateEntered, PassStateExited, SucceedStateEntered, SucceedStateExited, TaskFailed,
    TaskScheduled, TaskStarted, TaskStartFailed, TaskStateAborted, TaskStateEntered,
    TaskStateExited, TaskSubmitFailed, TaskSubmitted, TaskSucceeded, TaskTimedOut,
    WaitStateAborted, WaitStateEntered, WaitStateExited, EvaluationFailed,
}

impl EventType {
    /// `true` for the events that end an execution: succeeded, failed, timed out,
    /// aborted.
    pub fn ends_execution(self) -> bool {
        matches!(
            self,
            EventType::ExecutionSucceeded
                | EventType::ExecutionFailed
                | EventType::ExecutionTimedOut
                | EventType::ExecutionAborted
        )
    }

    /// The field that holds this type's details in AWS's JSON, e.g.
    /// `stateEnteredEventDetails`; `None` for types without details.
    pub fn details_field(self) -> Option<&'static str> {
        use EventType::*;
        Some(match self {
            ActivityFailed => "activityFailedEventDetails",
            ActivityScheduled => "activityScheduledEventDetails",
            ActivityScheduleFailed => "activityScheduleFailedEventDetails",
            ActivityStarted => "activityStartedEventDetails",
            ActivitySucceeded => "activitySucceededEventDetails",
            ActivityTimedOut => "activityTimedOutEventDetails",
            ChoiceStateEntered | FailStateEntered | MapStateEntered | ParallelStateEntered
            | PassStateEntered | SucceedStateEntered | TaskStateEntered | WaitStateEntered => {
                "stateEnteredEventDetails"
            }
            ChoiceStateExited | MapStateExited | ParallelStateExited | PassStateExited
            | SucceedStateExited | TaskStateExited | WaitStateExited => "stateExitedEventDetails",
            ExecutionAborted => "executionAbortedEventDetails",
            ExecutionFailed => "executionFailedEventDetails",
            ExecutionStarted => "executionStartedEventDetails",
            ExecutionSucceeded => "executionSucceededEventDetails",
            ExecutionTimedOut => "executionTimedOutEventDetails",
            ExecutionRedriven => "executionRedrivenEventDetails",
            LambdaFunctionFailed => "lambdaFunctionFailedEventDetails",
            LambdaFunctionScheduled => "lambdaFunctionScheduledEventDetails",
            LambdaFunctionScheduleFailed => "lambdaFunctionScheduleFailedEventDetails",
            LambdaFunctionStartFailed => "lambdaFunctionStartFailedEventDetails",
            LambdaFunctionSucceeded => "lambdaFunctionSucceededEventDetails",
            LambdaFunctionTimedOut => "lambdaFunctionTimedOutEventDetails",
            MapIterationAborted => "mapIterationAbortedEventDetails",
            MapIterationFailed => "mapIterationFailedEventDetails",
            MapIterationStarted => "mapIterationStartedEventDetails",
            MapIterationSucceeded => "mapIterationSucceededEventDetails",
            MapStateStarted => "mapStateStartedEventDetails",
            MapRunStarted => "mapRunStartedEventDetails",
            MapRunFailed => "mapRunFailedEventDetails",
            MapRunRedriven => "mapRunRedrivenEventDetails",
            TaskFailed => "taskFailedEventDetails",
            TaskScheduled => "taskScheduledEventDetails",
            TaskStarted => "taskStartedEventDetails",
            TaskStartFailed => "taskStartFailedEventDetails",
            TaskSubmitFailed => "taskSubmitFailedEventDetails",
            TaskSubmitted => "taskSubmittedEventDetails",
            TaskSucceeded => "taskSucceededEventDetails",
            TaskTimedOut => "taskTimedOutEventDetails",
            EvaluationFailed => "evaluationFailedEventDetails",
            LambdaFunctionStarted
            | MapStateAborted
            | MapStateFailed
            | MapStateSucceeded
            | MapRunAborted
            | MapRunSucceeded
            | ParallelStateAborted
            | ParallelStateFailed
            | ParallelStateStarted
            | ParallelStateSucceeded
            | TaskStateAborted
            | WaitStateAborted => return None,
        })
    }
}

/// The details of an event. Which variant goes with which [`EventType`] is fixed by the
/// engine; the JSON field is chosen by the type.
#[derive(Debug, Clone, Default)]
pub enum Details {
    /// No details.
    #[default]
    None,
    /// `ExecutionStarted` (boxed: it is one per execution, and the largest).
    ExecutionStarted(Box<ExecutionStarted>),
    /// A state was entered.
    StateEntered {
        /// The state's name.
        name: Str,
        /// The state's raw input.
        input: Value,
    },
    /// A state was exited.
    StateExited {
        /// The state's name.
        name: Str,
        /// The state's output.
        output: Value,
        /// Variables the state assigned.
        assigned_variables: Option<Box<Map>>,
    },
    /// A document: an execution's output, a task's result, ...
    Output {
        /// The document.
        output: Value,
        /// For task events: the resource type and resource.
        resource: Option<Arc<TaskResource>>,
    },
    /// An error and its cause.
    Failure {
        /// The error name.
        error: Option<Str>,
        /// The cause.
        cause: Option<Str>,
        /// For task events: the resource type and resource.
        resource: Option<Arc<TaskResource>>,
    },
    /// `TaskScheduled`.
    TaskScheduled(Box<TaskScheduled>),
    /// `TaskStarted`.
    TaskStarted(Arc<TaskResource>),
    /// `LambdaFunctionScheduled` and `ActivityScheduled`.
    Scheduled(Box<Scheduled>),
    /// `ActivityStarted`.
    ActivityStarted {
        /// The worker that took the task.
        worker_name: Str,
    },
    /// `MapStateStarted`.
    MapStateStarted {
        /// How many items.
        length: u64,
    },
    /// `MapIteration*`.
    MapIteration {
        /// The Map state's name.
        name: Str,
        /// The item's index.
        index: u64,
    },
    /// `MapRunStarted`.
    MapRunStarted {
        /// The Map Run's ARN.
        map_run_arn: Str,
    },
    /// `ExecutionRedriven`.
    ExecutionRedriven {
        /// How many times the execution has been redriven, this time included.
        redrive_count: u32,
    },
    /// `MapRunRedriven`.
    MapRunRedriven {
        /// The Map Run's ARN.
        map_run_arn: Str,
        /// How many times the Map Run has been redriven, this time included.
        redrive_count: u32,
    },
    /// `EvaluationFailed`.
    EvaluationFailed(Box<EvaluationFailed>),
}

/// The details of `ExecutionStarted`.
#[derive(Debug, Clone)]
pub struct ExecutionStarted {
    /// The execution's input.
    pub input: Value,
    /// The role the execution runs as.
    pub role_arn: Str,
    /// The version it was started through, if any.
    pub version_arn: Option<Str>,
    /// The alias it was started through, if any.
    pub alias_arn: Option<Str>,
}

/// A service integration's resource, as task events name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskResource {
    /// e.g. `lambda`.
    pub resource_type: Str,
    /// e.g. `invoke`.
    pub resource: Str,
}

/// The details of `TaskScheduled`.
#[derive(Debug, Clone)]
pub struct TaskScheduled {
    /// The integration.
    pub resource: Arc<TaskResource>,
    /// The region.
    pub region: Str,
    /// The task's parameters.
    pub parameters: Value,
    /// TimeoutSeconds, when set.
    pub timeout_seconds: Option<u64>,
    /// HeartbeatSeconds, when set.
    pub heartbeat_seconds: Option<u64>,
}

/// The details of `LambdaFunctionScheduled` and `ActivityScheduled`.
#[derive(Debug, Clone)]
pub struct Scheduled {
    /// The function or activity ARN.
    pub resource: Str,
    /// Its input.
    pub input: Value,
    /// TimeoutSeconds, when set.
    pub timeout_seconds: Option<u64>,
    /// HeartbeatSeconds, when set (activities).
    pub heartbeat_seconds: Option<u64>,
}

/// The details of `EvaluationFailed`.
#[derive(Debug, Clone)]
pub struct EvaluationFailed {
    /// The error name.
    pub error: Str,
    /// The cause.
    pub cause: Str,
    /// The field that failed, e.g. `Arguments`.
    pub location: Option<Str>,
    /// The state's name.
    pub state: Str,
}
