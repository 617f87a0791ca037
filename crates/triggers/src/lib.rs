//! Executions started from outside (see `docs/TRIGGERS.md`).

pub mod pattern;
pub mod schedule;
