//! Status changes of Standard executions as their listener gets them, and as they are kept
//! in the store's outbox (one small JSON object each) when the listener wants them kept.

use std::sync::Arc;

use baton_json::{Map, Value};
use baton_store::ExecutionStatus;

use super::StatusChange;

impl StatusChange {
    /// As the outbox keeps it.
    pub fn to_json_text(&self) -> String {
        let mut m = Map::with_capacity_and_hasher(14, Default::default());
        let mut put = |k: &str, v: Value| {
            m.insert(k.into(), v);
        };
        let opt = |s: &Option<String>| s.as_deref().map_or(Value::Null, Value::from);
        let num = |n: Option<i64>| n.map_or(Value::Null, Value::from);
        put("executionArn", Value::from(&*self.execution_arn));
        put("stateMachineArn", Value::from(&*self.state_machine_arn));
        put("name", Value::from(&*self.name));
        put("status", Value::from(self.status.as_str()));
        put("startDate", Value::from(self.start_date));
        put("stopDate", num(self.stop_date));
        put("input", Value::from(&*self.input));
        put("output", opt(&self.output));
        put("error", opt(&self.error));
        put("cause", opt(&self.cause));
        put("redriveCount", Value::from(u64::from(self.redrive_count)));
        put("redriveDate", num(self.redrive_date));
        put("at", Value::from(self.at));
        put(
            "outboxId",
            self.outbox_id.as_deref().map_or(Value::Null, Value::from),
        );
        Value::object(m).to_json_string()
    }

    /// Read back from the outbox; `None` for text that is not a status change.
    pub fn from_json_text(text: &str) -> Option<StatusChange> {
        let v = Value::from_json_str(text).ok()?;
        let s = |k: &str| v.get(k).and_then(Value::as_str);
        let owned = |k: &str| s(k).map(str::to_owned);
        let arc = |k: &str| s(k).map(Arc::<str>::from);
        let int = |k: &str| v.get(k).and_then(Value::as_i64);
        Some(StatusChange {
            execution_arn: arc("executionArn")?,
            state_machine_arn: arc("stateMachineArn")?,
            name: arc("name")?,
            status: ExecutionStatus::parse(s("status")?)?,
            start_date: int("startDate")?,
            stop_date: int("stopDate"),
            input: arc("input")?,
            output: owned("output"),
            error: owned("error"),
            cause: owned("cause"),
            redrive_count: u32::try_from(int("redriveCount")?).ok()?,
            redrive_date: int("redriveDate"),
            at: int("at")?,
            outbox_id: arc("outboxId"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_reads_back_as_it_was_written() {
        let change = StatusChange {
            execution_arn: "arn:e".into(),
            state_machine_arn: "arn:m".into(),
            name: "e".into(),
            status: ExecutionStatus::Failed,
            start_date: 1,
            stop_date: Some(2),
            input: "{\"a\":\"é\"}".into(),
            output: None,
            error: Some("Boom".into()),
            cause: Some("it \"broke\"".into()),
            redrive_count: 3,
            redrive_date: None,
            at: 2,
            outbox_id: Some("arn:e#4#1".into()),
        };
        let back = StatusChange::from_json_text(&change.to_json_text()).unwrap();
        assert_eq!(back.to_json_text(), change.to_json_text());
        assert_eq!(&*back.input, "{\"a\":\"é\"}");
        assert!(StatusChange::from_json_text("{}").is_none());
        assert!(StatusChange::from_json_text("nope").is_none());
    }
}
