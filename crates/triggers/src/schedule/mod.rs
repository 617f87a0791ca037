//! Schedules.

pub mod expr;
