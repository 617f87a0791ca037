//! History events, shaped as GetExecutionHistory returns them.
//!
//! The engine emits events; it never reads them back. Each event holds its documents as
//! [`Value`]s (cheap shared clones), and is turned into AWS's JSON shape only when someone
//! asks ([`HistoryEvent::to_json`]): most runs never serialise most events.

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
    /// `ExecutionStarted`.
    ExecutionStarted {
        /// The execution's input.
        input: Value,
        /// The role the execution runs as.
        role_arn: Str,
    },
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
    /// `EvaluationFailed`.
    EvaluationFailed(Box<EvaluationFailed>),
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

impl HistoryEvent {
    /// The event in AWS's JSON shape (documents as JSON text, timestamps in epoch seconds),
    /// as GetExecutionHistory returns it with `includeExecutionData`.
    pub fn to_json(&self) -> Value {
        let mut out = Map::with_capacity_and_hasher(5, Default::default());
        out.insert("timestamp".into(), seconds_value(self.timestamp));
        out.insert("type".into(), Value::from(self.event_type.as_str()));
        out.insert("id".into(), Value::from(self.id));
        out.insert(
            "previousEventId".into(),
            Value::from(self.previous_event_id),
        );
        if let Some(field) = self.event_type.details_field() {
            out.insert(field.into(), self.details.to_json());
        }
        Value::object(out)
    }
}

/// Epoch seconds with milliseconds, as the AWS JSON protocol writes timestamps.
fn seconds_value(ms: Millis) -> Value {
    baton_json::Number::from_f64(ms.0 as f64 / 1000.0)
        .map(Value::Number)
        .unwrap_or_default()
}

fn text(v: &Value) -> Value {
    Value::from(v.to_json_string())
}

fn not_truncated() -> Value {
    let mut m = Map::with_capacity_and_hasher(1, Default::default());
    m.insert("truncated".into(), Value::Bool(false));
    Value::object(m)
}

impl Details {
    /// The details object in AWS's JSON shape.
    pub fn to_json(&self) -> Value {
        let mut m = Map::default();
        let mut put = |k: &str, v: Value| {
            m.insert(k.into(), v);
        };
        match self {
            Details::None => {}
            Details::ExecutionStarted { input, role_arn } => {
                put("input", text(input));
                put("inputDetails", not_truncated());
                put("roleArn", Value::String(role_arn.clone()));
            }
            Details::StateEntered { name, input } => {
                put("name", Value::String(name.clone()));
                put("input", text(input));
                put("inputDetails", not_truncated());
            }
            Details::StateExited {
                name,
                output,
                assigned_variables,
            } => {
                put("name", Value::String(name.clone()));
                put("output", text(output));
                put("outputDetails", not_truncated());
                if let Some(vars) = assigned_variables {
                    let as_text: Map = vars.iter().map(|(k, v)| (k.clone(), text(v))).collect();
                    put("assignedVariables", Value::object(as_text));
                    put("assignedVariablesDetails", not_truncated());
                }
            }
            Details::Output { output, resource } => {
                if let Some(r) = resource {
                    put("resourceType", Value::String(r.resource_type.clone()));
                    put("resource", Value::String(r.resource.clone()));
                }
                put("output", text(output));
                put("outputDetails", not_truncated());
            }
            Details::Failure {
                error,
                cause,
                resource,
            } => {
                if let Some(r) = resource {
                    put("resourceType", Value::String(r.resource_type.clone()));
                    put("resource", Value::String(r.resource.clone()));
                }
                if let Some(e) = error {
                    put("error", Value::String(e.clone()));
                }
                if let Some(c) = cause {
                    put("cause", Value::String(c.clone()));
                }
            }
            Details::TaskScheduled(t) => {
                put(
                    "resourceType",
                    Value::String(t.resource.resource_type.clone()),
                );
                put("resource", Value::String(t.resource.resource.clone()));
                put("region", Value::String(t.region.clone()));
                put("parameters", text(&t.parameters));
                if let Some(secs) = t.timeout_seconds {
                    put("timeoutInSeconds", Value::from(secs));
                }
                if let Some(h) = t.heartbeat_seconds {
                    put("heartbeatInSeconds", Value::from(h));
                }
            }
            Details::TaskStarted(r) => {
                put("resourceType", Value::String(r.resource_type.clone()));
                put("resource", Value::String(r.resource.clone()));
            }
            Details::Scheduled(sch) => {
                put("resource", Value::String(sch.resource.clone()));
                put("input", text(&sch.input));
                put("inputDetails", not_truncated());
                if let Some(secs) = sch.timeout_seconds {
                    put("timeoutInSeconds", Value::from(secs));
                }
                if let Some(h) = sch.heartbeat_seconds {
                    put("heartbeatInSeconds", Value::from(h));
                }
            }
            Details::ActivityStarted { worker_name } => {
                put("workerName", Value::String(worker_name.clone()));
            }
            Details::MapStateStarted { length } => put("length", Value::from(*length)),
            Details::MapIteration { name, index } => {
                put("name", Value::String(name.clone()));
                put("index", Value::from(*index));
            }
            Details::MapRunStarted { map_run_arn } => {
                put("mapRunArn", Value::String(map_run_arn.clone()));
            }
            Details::EvaluationFailed(e) => {
                put("error", Value::String(e.error.clone()));
                put("cause", Value::String(e.cause.clone()));
                if let Some(l) = &e.location {
                    put("location", Value::String(l.clone()));
                }
                put("state", Value::String(e.state.clone()));
            }
        }
        Value::object(m)
    }
}
