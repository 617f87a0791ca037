//! What a task hands back must fit the limits every document of an execution fits: its
//! size within the payload limit and its nesting within [`MAX_DEPTH`]. Checked here, for
//! every integration, before the result is kept in the journal: a result that could not
//! be written and read back is a task failure, as AWS reports an oversized result.

use baton_engine::MAX_DEPTH;
use baton_integrations::{TaskFailure, TaskOutcome};

/// `outcome`, or the task's failure when its result is over the limits.
pub(crate) fn bounded(
    outcome: TaskOutcome,
    state_name: &str,
    max_payload_bytes: usize,
) -> TaskOutcome {
    let output = outcome?;
    if output.encoded_len() > max_payload_bytes as u64 {
        return Err(TaskFailure::new(
            baton_asl::error_name::DATA_LIMIT_EXCEEDED,
            format!(
                "The state/task '{state_name}' returned a result with a size exceeding the maximum number of bytes service limit."
            ),
        ));
    }
    if output.depth() > MAX_DEPTH {
        return Err(TaskFailure::new(
            baton_asl::error_name::DATA_LIMIT_EXCEEDED,
            format!(
                "The state/task '{state_name}' returned a result nested deeper than the maximum of {MAX_DEPTH} levels."
            ),
        ));
    }
    Ok(output)
}

#[cfg(test)]
mod tests {
    use super::*;
    use baton_json::Value;

    #[test]
    fn results_over_the_limits_are_task_failures() {
        assert_eq!(
            bounded(Ok(Value::from(1u64)), "S", 10),
            Ok(Value::from(1u64))
        );
        let big = Value::from("x".repeat(20));
        let e = bounded(Ok(big), "S", 10).unwrap_err();
        assert_eq!(e.error.as_deref(), Some("States.DataLimitExceeded"));
        let mut deep = Value::Null;
        for _ in 0..=MAX_DEPTH {
            deep = Value::array(vec![deep]);
        }
        let e = bounded(Ok(deep), "S", usize::MAX).unwrap_err();
        assert!(e.cause.as_deref().unwrap().contains("nested deeper"));
        let failed = TaskFailure::new("E", "c");
        assert_eq!(bounded(Err(failed.clone()), "S", 10), Err(failed));
    }
}
