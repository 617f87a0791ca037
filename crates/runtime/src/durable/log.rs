//! Execution logs: where an Express execution's events go, since it keeps no history
//! (AWS sends them to CloudWatch Logs per the machine's logging configuration).

use baton_engine::{EventType, HistoryEvent};

/// Receives an execution's events as they happen.
pub trait EventLog: Send + Sync {
    /// `true` if events of this type are logged (the level's choice).
    fn wants(&self, event_type: EventType) -> bool;
    /// Logs one event of the execution `execution_arn`.
    fn write(&self, execution_arn: &str, redrive_count: u32, event: &HistoryEvent);
}
