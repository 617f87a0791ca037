//! The shell around the deterministic engine: it performs the effects an execution asks
//! for (tasks through the integrations, timers on a clock) and feeds their outcomes back
//! as inputs.
//!
//! - [`journal`], [`task_request`]: how inputs and task requests are kept as text in the
//!   store (public for tools and fuzz targets that read what a store holds).
//! - [`run_to_end`] runs one execution in process, as `baton run` and the conformance
//!   tests do. The clock is real, or virtual: a virtual clock starts at a chosen instant
//!   and skips the time when nothing but timers is pending, so a Wait of a day takes no
//!   real time.
//! - [`Runtime`] runs many executions for a server: Standard ones checkpointed in a
//!   store and recovered after a crash, Express ones in memory.

mod bounds;
mod clock;
mod durable;
pub mod journal;
mod local;
pub mod task_request;
mod tokens;

pub use clock::Clock;
pub use durable::{
    ActivityTask, Durability, EventLog, NewExecution, Outcome, Redriven, Result, Runtime,
    RuntimeConfig, RuntimeError, Started, StatusChange, StatusHook, StatusWanted, not_redrivable,
};
pub use local::{RunOptions, RunResult, run_to_end};
pub use tokens::{SignedTokens, TokenClaim, TokenError};
