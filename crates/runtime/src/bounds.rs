//! What a task hands back must fit the limits every document of an execution fits: its
//! size within the payload limit and its nesting within [`MAX_DEPTH`]. Checked here, for
//! every integration, before the result is kept in the journal: a result that could not
//! be written and read back is a task failure, as AWS reports an oversized result.

use baton_asl::definition::ResourceUse;
use baton_engine::MAX_DEPTH;
use baton_integrations::{TaskFailure, TaskOutcome};

/// `outcome`, or the task's failure when its result is over the limits. A distributed
/// Map's items are not a document of the execution (each item or batch is one, checked
/// when its child starts): the reader bounds their total itself.
pub(crate) fn bounded(
    outcome: TaskOutcome,
    purpose: ResourceUse,
    state_name: &str,
    max_payload_bytes: usize,
) -> TaskOutcome {
    let output = outcome?;
    if purpose != ResourceUse::ItemReader && output.encoded_len() > max_payload_bytes as u64 {
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
            bounded(Ok(Value::from(1u64)), ResourceUse::Task, "S", 10),
            Ok(Value::from(1u64))
        );
        let big = Value::from("x".repeat(20));
        let e = bounded(Ok(big.clone()), ResourceUse::Task, "S", 10).unwrap_err();
        assert_eq!(e.error.as_deref(), Some("States.DataLimitExceeded"));
        let mut deep = Value::Null;
        for _ in 0..=MAX_DEPTH {
            deep = Value::array(vec![deep]);
        }
        let e = bounded(Ok(deep), ResourceUse::Task, "S", usize::MAX).unwrap_err();
        assert!(e.cause.as_deref().unwrap().contains("nested deeper"));
        assert!(bounded(Ok(big), ResourceUse::ItemReader, "S", 10).is_ok());
        let failed = TaskFailure::new("E", "c");
        assert_eq!(
            bounded(Err(failed.clone()), ResourceUse::Task, "S", 10),
            Err(failed)
        );
    }
}
