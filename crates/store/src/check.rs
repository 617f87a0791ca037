//! Checks of an [`ExecutionCommit`] that every backend makes before writing it, so that
//! both refuse the same commits with the same errors (see [`Store::commit`](crate::Store::commit)).

use crate::{ExecutionCommit, Result, StoreError};

/// What can be checked without the stored execution: the ARNs the commit names are its
/// own, and its journal entries and events are numbered one by one.
pub(crate) fn check_commit(c: &ExecutionCommit) -> Result<()> {
    let arn = c.execution_arn.as_str();
    let foreign = |what: &str, other: &str| {
        Err(StoreError::Backend(format!(
            "commit of {arn}: {what} belongs to another execution ({other})"
        )))
    };
    if let Some(record) = &c.create
        && record.arn != arn
    {
        return foreign("the created record", &record.arn);
    }
    if let Some(t) = c.timers_set.iter().find(|t| t.execution_arn != arn) {
        return foreign("a timer", &t.execution_arn);
    }
    if let Some(t) = c.tasks_set.iter().find(|t| t.execution_arn != arn) {
        return foreign("a task", &t.execution_arn);
    }
    if let Some(m) = c.map_runs.iter().find(|m| m.execution_arn != arn) {
        return foreign("a Map Run", &m.execution_arn);
    }
    for pair in c.journal.windows(2) {
        if pair[1].seq != pair[0].seq.wrapping_add(1) {
            return Err(StoreError::Backend(format!(
                "commit of {arn}: journal entry {} follows entry {}",
                pair[1].seq, pair[0].seq
            )));
        }
    }
    for pair in c.events.windows(2) {
        if pair[1].id != pair[0].id.wrapping_add(1) {
            return Err(StoreError::Backend(format!(
                "commit of {arn}: event {} follows event {}",
                pair[1].id, pair[0].id
            )));
        }
    }
    Ok(())
}

/// The commit continues the stored journal and history (of `journal_len` entries and
/// `event_count` events).
pub(crate) fn check_continues(
    c: &ExecutionCommit,
    journal_len: u64,
    event_count: u64,
) -> Result<()> {
    if let Some(first) = c.journal.first()
        && first.seq != journal_len
    {
        return Err(StoreError::Backend(format!(
            "commit of {}: journal entry {} does not continue a journal of {journal_len} entries",
            c.execution_arn, first.seq
        )));
    }
    if let Some(first) = c.events.first()
        && first.id != event_count + 1
    {
        return Err(StoreError::Backend(format!(
            "commit of {}: event {} does not continue a history of {event_count} events",
            c.execution_arn, first.id
        )));
    }
    Ok(())
}
