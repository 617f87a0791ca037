//! Error names: the predefined `States.*` names and how `ErrorEquals` matches them.

use baton_json::{Str, Value};

use crate::definition::fields::Fields;
use crate::diagnostic::{Diagnostics, Pointer};

/// Matches any error (except the terminal ones below).
pub const ALL: &str = "States.ALL";
/// A task ran longer than its TimeoutSeconds, or an execution than its own.
pub const TIMEOUT: &str = "States.Timeout";
/// A task missed its heartbeat.
pub const HEARTBEAT_TIMEOUT: &str = "States.HeartbeatTimeout";
/// Matches any error except `States.Timeout`, in `ErrorEquals`.
pub const TASK_FAILED: &str = "States.TaskFailed";
/// A state could not be evaluated (bad path, bad input, ...). Terminal.
pub const RUNTIME: &str = "States.Runtime";
/// A payload exceeded the size limit: terminal for a state's output, catchable by name
/// for a task's result.
pub const DATA_LIMIT_EXCEEDED: &str = "States.DataLimitExceeded";
/// A Parallel branch failed.
pub const BRANCH_FAILED: &str = "States.BranchFailed";
/// No Choice rule matched and there is no Default.
pub const NO_CHOICE_MATCHED: &str = "States.NoChoiceMatched";
/// An intrinsic function failed.
pub const INTRINSIC_FAILURE: &str = "States.IntrinsicFailure";
/// ResultPath could not be applied to the input.
pub const RESULT_PATH_MATCH_FAILURE: &str = "States.ResultPathMatchFailure";
/// ParameterPath/InputPath/ItemsPath did not match.
pub const PARAMETER_PATH_FAILURE: &str = "States.ParameterPathFailure";
/// A Map state failed more items than it tolerates.
pub const EXCEED_TOLERATED_FAILURE_THRESHOLD: &str = "States.ExceedToleratedFailureThreshold";
/// A Map state's items could not be read.
pub const ITEM_READER_FAILED: &str = "States.ItemReaderFailed";
/// A Map state's results could not be written.
pub const RESULT_WRITER_FAILED: &str = "States.ResultWriterFailed";
/// The role could not be assumed or lacks permission.
pub const PERMISSIONS: &str = "States.Permissions";
/// A JSONata expression failed.
pub const QUERY_EVALUATION_ERROR: &str = "States.QueryEvaluationError";

/// `true` for errors no retrier or catcher handles: the execution fails.
pub fn is_terminal(error: &str) -> bool {
    error == RUNTIME
}

/// `true` when an `ErrorEquals` list matches `error`. The wildcards do not match
/// `States.DataLimitExceeded` (a task whose result is too large can only be caught by
/// name), and nothing matches the terminal `States.Runtime`.
pub fn matches(error_equals: &[Str], error: &str) -> bool {
    if is_terminal(error) {
        return false;
    }
    let wildcard_ok = error != DATA_LIMIT_EXCEEDED;
    error_equals.iter().any(|name| {
        &**name == error
            || (wildcard_ok && &**name == ALL)
            || (wildcard_ok && &**name == TASK_FAILED && error != TIMEOUT)
    })
}

pub(crate) fn parse_error_equals(f: &mut Fields<'_>, d: &mut Diagnostics) -> Vec<Str> {
    let at = f.at_field("ErrorEquals");
    let Some(items) = f.array("ErrorEquals", d) else {
        return Vec::new();
    };
    if items.is_empty() {
        d.schema(&at, "Value cannot be empty");
    }
    let mut names = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match item {
            Value::String(s) => names.push(s.clone()),
            other => d.schema(
                &at.index(i),
                format!(
                    "Expected value of type 'string', but was '{}'",
                    other.type_name()
                ),
            ),
        }
    }
    if names.len() > 1 && names.iter().any(|n| &**n == ALL) {
        d.schema(&at, "States.ALL must appear alone in the ErrorEquals array");
    }
    names
}

/// Reports `States.ALL` in any but the last retrier or catcher.
pub(crate) fn check_all_is_last<'a>(
    lists: impl ExactSizeIterator<Item = &'a [Str]>,
    at: &Pointer,
    d: &mut Diagnostics,
) {
    let n = lists.len();
    for (i, list) in lists.enumerate() {
        if i + 1 < n && list.iter().any(|e| &**e == ALL) {
            d.schema(
                &at.index(i),
                "States.ALL must appear in the last element of the array",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<Str> {
        v.iter().map(|s| Str::from(*s)).collect()
    }

    #[test]
    fn matching_follows_the_wildcards() {
        assert!(matches(&names(&["States.ALL"]), "Anything"));
        assert!(matches(&names(&["States.TaskFailed"]), "Lambda.Unknown"));
        assert!(!matches(&names(&["States.TaskFailed"]), "States.Timeout"));
        assert!(matches(&names(&["States.Timeout"]), "States.Timeout"));
        assert!(!matches(&names(&["States.ALL"]), "States.Runtime"));
        assert!(!matches(&names(&["States.Runtime"]), "States.Runtime"));
        assert!(!matches(
            &names(&["States.ALL"]),
            "States.DataLimitExceeded"
        ));
        assert!(matches(
            &names(&["States.DataLimitExceeded"]),
            "States.DataLimitExceeded"
        ));
        assert!(!matches(&names(&["A", "B"]), "C"));
    }
}
