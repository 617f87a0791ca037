//! The deterministic ASL interpreter.
//!
//! An [`Execution`] is advanced by [`Execution::apply`]: given an [`Input`] (start, a
//! task's result, a timer firing, a stop request) and the current time, it appends
//! AWS-shaped [`HistoryEvent`]s to a [`Sink`] and asks for [`Effect`]s (run this task,
//! start that timer). The caller performs the effects and feeds their outcomes back as
//! new inputs.
//!
//! Architecture invariants: nothing here sleeps, does IO, reads the clock or draws
//! entropy; the same inputs at the same times give the same events and effects, so an
//! execution can be rebuilt by replaying its inputs. The engine keeps no history of its
//! own: events go to the sink, so memory does not grow with history length.

mod dataflow;
mod effect;
mod error;
mod event;
mod event_json;
mod execution;
mod flow;
mod input;
mod jsonata;
mod limits;
mod program;
mod scope;
mod size;
mod state;
mod test_state;
mod time;
mod token;

pub use effect::{Effect, MapRunReport, MapRunStatus, RunCounts, TaskRequest, WorkId};
pub use error::Failure;
pub use event::{
    Details, EvaluationFailed, EventType, ExecutionStarted, HistoryEvent, Scheduled, TaskResource,
    TaskScheduled,
};
pub use execution::{Collect, Execution, ExecutionInfo, Sink, Status};
pub use input::Input;
pub use limits::{
    AWS_MAX_HISTORY_EVENTS, BUDGET_BYTES_PER_UNIT, DEFAULT_STEP_BUDGET, EXPRESS_MAX_SECONDS,
    Limits, STANDARD_MAX_SECONDS,
};
pub use program::Program;
pub use size::MAX_DEPTH;
pub use test_state::{
    Inspection, Mock, SINGLE_STATE_NAME, StateTest, TestResult, TestSetup, TestStatus, TestStep,
    find_state, single_state_machine,
};
pub use time::Millis;
pub use token::{PlainTokens, TokenMinter};
