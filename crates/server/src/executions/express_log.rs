//! Express executions' logs: their events as JSON lines, in the shape AWS writes them to
//! CloudWatch Logs, filtered by the state machine's logging configuration (level ALL,
//! ERROR, FATAL or OFF; `includeExecutionData`), to a file or standard output.

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

use baton_api::model::{LogLevel, LoggingConfiguration};
use baton_engine::{EventType, HistoryEvent};
use baton_json::{Map, Value};
use baton_runtime::EventLog;

/// Where Express logs are written.
pub struct ExpressLogs {
    out: Mutex<Box<dyn Write + Send>>,
}

impl ExpressLogs {
    /// Logs to `path` (appended), or to standard output for `-`.
    pub fn open(path: &Path) -> std::io::Result<ExpressLogs> {
        let out: Box<dyn Write + Send> = if path.as_os_str() == "-" {
            Box::new(std::io::stdout())
        } else {
            Box::new(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)?,
            )
        };
        Ok(ExpressLogs {
            out: Mutex::new(out),
        })
    }

    /// The log of an execution of a machine whose `loggingConfiguration` is `logging`
    /// (JSON text), or `None` when it logs nothing.
    pub fn for_machine(self: &Arc<Self>, logging: Option<&str>) -> Option<Arc<dyn EventLog>> {
        let config: LoggingConfiguration = serde_json::from_str(logging?).ok()?;
        let level = config.level.unwrap_or(LogLevel::Off);
        if level == LogLevel::Off {
            return None;
        }
        Some(Arc::new(MachineLog {
            level,
            include_data: config.include_execution_data.unwrap_or(false),
            logs: Arc::clone(self),
        }))
    }
}

struct MachineLog {
    level: LogLevel,
    include_data: bool,
    logs: Arc<ExpressLogs>,
}

/// Events that end an execution badly: FATAL logs these.
fn is_fatal(t: EventType) -> bool {
    matches!(
        t,
        EventType::ExecutionFailed | EventType::ExecutionAborted | EventType::ExecutionTimedOut
    )
}

/// Events that report an error: ERROR logs these (and the fatal ones).
fn is_error(t: EventType) -> bool {
    let name = t.as_str();
    is_fatal(t)
        || name.ends_with("Failed")
        || name.ends_with("TimedOut")
        || name.ends_with("Aborted")
}

impl EventLog for MachineLog {
    fn wants(&self, t: EventType) -> bool {
        match self.level {
            LogLevel::All => true,
            LogLevel::Error => is_error(t),
            LogLevel::Fatal => is_fatal(t),
            LogLevel::Off => false,
        }
    }

    fn write(&self, execution_arn: &str, redrive_count: u32, event: &HistoryEvent) {
        let line = log_line(execution_arn, redrive_count, event, self.include_data);
        let mut out = self.logs.out.lock().unwrap_or_else(|e| e.into_inner());
        // A log that cannot be written must not stop the execution.
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }
}

/// One event as a CloudWatch Logs entry of an Express execution.
fn log_line(execution_arn: &str, redrive_count: u32, event: &HistoryEvent, data: bool) -> String {
    let mut details = event
        .event_type
        .details_field()
        .and_then(|field| event.to_json().get(field).cloned())
        .unwrap_or_else(Value::empty_object);
    if let (false, Some(d)) = (data, details.as_object_mut()) {
        for key in ["input", "output", "parameters"] {
            d.shift_remove(key);
        }
    }
    let mut m = Map::default();
    m.insert("id".into(), Value::from(event.id.to_string()));
    m.insert("type".into(), Value::from(event.event_type.as_str()));
    m.insert("details".into(), details);
    m.insert(
        "previous_event_id".into(),
        Value::from(event.previous_event_id.to_string()),
    );
    m.insert(
        "event_timestamp".into(),
        Value::from(event.timestamp.0.to_string()),
    );
    m.insert("execution_arn".into(), Value::from(execution_arn));
    m.insert(
        "redrive_count".into(),
        Value::from(redrive_count.to_string()),
    );
    Value::object(m).to_json_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use baton_engine::{Details, ExecutionStarted, Millis};

    fn event(t: EventType) -> HistoryEvent {
        HistoryEvent {
            id: 1,
            previous_event_id: 0,
            timestamp: Millis(1_700_000_000_123),
            event_type: t,
            details: Details::ExecutionStarted(Box::new(ExecutionStarted {
                input: Value::from_json_str(r#"{"a":1}"#).unwrap(),
                role_arn: "arn:aws:iam::1:role/r".into(),
                version_arn: None,
                alias_arn: None,
            })),
        }
    }

    #[test]
    fn a_log_line_has_awss_fields_and_leaves_data_out_unless_asked() {
        let e = event(EventType::ExecutionStarted);
        let line = Value::from_json_str(&log_line("arn:x", 0, &e, false)).unwrap();
        assert_eq!(line.get("id").and_then(Value::as_str), Some("1"));
        assert_eq!(
            line.get("previous_event_id").and_then(Value::as_str),
            Some("0")
        );
        assert_eq!(
            line.get("event_timestamp").and_then(Value::as_str),
            Some("1700000000123")
        );
        let details = line.get("details").unwrap();
        assert!(details.get("input").is_none());
        assert_eq!(
            details.get("roleArn").and_then(Value::as_str),
            Some("arn:aws:iam::1:role/r")
        );
        let with = Value::from_json_str(&log_line("arn:x", 0, &e, true)).unwrap();
        assert_eq!(
            with.get("details")
                .and_then(|d| d.get("input"))
                .and_then(Value::as_str),
            Some(r#"{"a":1}"#)
        );
    }

    #[test]
    fn levels_choose_events() {
        let logs = Arc::new(ExpressLogs {
            out: Mutex::new(Box::new(std::io::sink())),
        });
        let fatal = logs
            .for_machine(Some(r#"{"level":"FATAL","includeExecutionData":false}"#))
            .unwrap();
        assert!(fatal.wants(EventType::ExecutionFailed));
        assert!(!fatal.wants(EventType::TaskFailed));
        let error = logs.for_machine(Some(r#"{"level":"ERROR"}"#)).unwrap();
        assert!(error.wants(EventType::TaskFailed));
        assert!(error.wants(EventType::ExecutionTimedOut));
        assert!(!error.wants(EventType::PassStateEntered));
        assert!(logs.for_machine(Some(r#"{"level":"OFF"}"#)).is_none());
        assert!(logs.for_machine(None).is_none());
        let all = logs.for_machine(Some(r#"{"level":"ALL"}"#)).unwrap();
        assert!(all.wants(EventType::PassStateEntered));
    }
}
