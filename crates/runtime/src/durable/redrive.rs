//! RedriveExecution: a Standard execution that failed, timed out or was aborted carries on
//! from where it stopped.
//!
//! An execution that has ended is not in memory: its record and journal are read from the
//! store, the journal is replayed (the engine ends as it ended, keeping the states that had
//! not finished), and [`Input::Redrive`] is applied as one more step: its journal entry,
//! its events (`ExecutionRedriven`, the states entered again) and the record's change
//! (RUNNING again, redrive count and date, the end it had cleared) are one commit. The
//! execution is then open again, like any other: a restart recovers it by replaying its
//! journal, redrive included.
//!
//! The client token of the request is kept in the redrive's journal entry: a request
//! repeated with the token of one of the last ten redrives, within fifteen minutes of it,
//! is answered with that redrive's date and changes nothing (AWS's rule).

use std::sync::Arc;

use baton_engine::{Input, Millis};
use baton_store::{ExecutionRecord, ExecutionStatus};

use super::live::{self, Guard};
use super::{Inner, Result, RuntimeError};
use crate::journal;

/// AWS's reasons, as DescribeExecution's `redriveStatusReason` words them.
pub(crate) const RUNNING: &str = "Execution is RUNNING and cannot be redriven";
const SUCCEEDED: &str = "Execution is SUCCEEDED and cannot be redriven";
const HISTORY_LIMIT: &str = "Execution history event limit exceeded";
const MAX_TIME: &str = "Execution has exceeded the max execution time";
const PERIOD: &str = "Execution redrivable period exceeded";

const DAY_MS: i64 = 24 * 3600 * 1000;
/// An execution can be redriven for 14 days after it ended...
const REDRIVABLE_PERIOD_MS: i64 = 14 * DAY_MS;
/// ...within the year an execution may be open.
const MAX_OPEN_MS: i64 = 365 * DAY_MS;
/// The history holds at most 25,000 events: a redrive needs room for `ExecutionRedriven`
/// and one event more, so the history must have fewer than 24,999.
const MAX_EVENTS: u64 = 24_999;

/// A redrive's client token answers again for 15 minutes...
const TOKEN_LIFETIME_MS: i64 = 15 * 60 * 1000;
/// ...if it is one of the execution's last 10.
const TOKENS_KEPT: usize = 10;

/// A redriven execution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redriven {
    /// When it was redriven (milliseconds since the epoch).
    pub redrive_date: i64,
}

/// Why the execution `record` cannot be redriven at `now`, in AWS's words
/// (`redriveStatusReason`); `None` when it can.
pub fn not_redrivable(record: &ExecutionRecord, now: Millis) -> Option<&'static str> {
    match record.status {
        ExecutionStatus::Running | ExecutionStatus::PendingRedrive => Some(RUNNING),
        ExecutionStatus::Succeeded => Some(SUCCEEDED),
        ExecutionStatus::Failed | ExecutionStatus::TimedOut | ExecutionStatus::Aborted => {
            let stopped = record.stop_date.unwrap_or(record.start_date);
            if record.event_count >= MAX_EVENTS {
                Some(HISTORY_LIMIT)
            } else if now.0.saturating_sub(record.start_date) > MAX_OPEN_MS {
                Some(MAX_TIME)
            } else if now.0.saturating_sub(stopped) > REDRIVABLE_PERIOD_MS {
                Some(PERIOD)
            } else {
                None
            }
        }
    }
}

/// Redrives the execution `arn` (see the module doc).
pub(crate) async fn redrive(
    inner: &Arc<Inner>,
    arn: &str,
    client_token: Option<&str>,
) -> Result<Redriven> {
    if let Some(handle) = inner.live.get(arn) {
        // Open: running, perhaps since a redrive by this very request. A redrive still
        // committing holds the execution's lock: wait for it, then look.
        drop(handle.state.lock().await);
        return answered_again(inner, arn, client_token)
            .await?
            .ok_or_else(|| RuntimeError::NotRedrivable(RUNNING.to_owned()));
    }
    let record = inner
        .store
        .execution(arn)
        .await?
        .ok_or_else(|| RuntimeError::NotFound(arn.to_owned()))?;
    if record.redrive_count > 0
        && let Some(earlier) = answered_again(inner, arn, client_token).await?
    {
        return Ok(earlier);
    }
    let now = inner.clock.now();
    if let Some(reason) = not_redrivable(&record, now) {
        return Err(RuntimeError::NotRedrivable(reason.to_owned()));
    }
    let super::recovery::Replayed {
        engine,
        journal_len,
        last,
        ..
    } = super::recovery::replay(inner, &record).await?;
    if !engine.is_redrivable() {
        tracing::error!(execution = %arn, status = engine.status().as_str(),
            "the journal does not end as the execution's record says");
        return Err(RuntimeError::NotRedrivable(format!(
            "Execution is {} and cannot be redriven",
            engine.status().as_str()
        )));
    }
    let handle = super::recovery::reopened(arn.into(), &record, engine, journal_len, last);
    // Locked before it is seen: whoever finds it open waits for the redrive's commit.
    let mut state = handle.state.lock().await;
    if inner.live.insert_new(Arc::clone(&handle)).is_err() {
        // Redriven (or started) meanwhile by another request.
        drop(state);
        return Box::pin(redrive(inner, arn, client_token)).await;
    }
    let stepped = live::step_locked(
        inner,
        &handle,
        &mut state,
        Input::Redrive,
        Guard::Redrive,
        None,
        client_token,
    )
    .await;
    match stepped {
        Ok(()) => Ok(Redriven {
            redrive_date: state.last_at.0,
        }),
        Err(e) => {
            drop(state);
            inner.live.remove_if(arn, &handle);
            Err(e)
        }
    }
}

/// The answer to a request repeating a recent redrive's client token: that redrive.
async fn answered_again(
    inner: &Inner,
    arn: &str,
    client_token: Option<&str>,
) -> Result<Option<Redriven>> {
    let Some(token) = client_token else {
        return Ok(None);
    };
    let now = inner.clock.now();
    let journal = inner.store.journal(arn).await?;
    Ok(journal
        .iter()
        .rev()
        .filter_map(|e| journal::redrive_token(&e.input).map(|t| (t, e.at)))
        .take(TOKENS_KEPT)
        .find(|(t, at)| t == token && now.0.saturating_sub(*at) <= TOKEN_LIFETIME_MS)
        .map(|(_, at)| Redriven { redrive_date: at }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(status: ExecutionStatus, start: i64, stop: Option<i64>) -> ExecutionRecord {
        ExecutionRecord {
            arn: "arn:aws:states:us-east-1:1:execution:m:e".into(),
            machine_arn: "arn:aws:states:us-east-1:1:stateMachine:m".into(),
            version_arn: None,
            alias_arn: None,
            map_run_arn: None,
            name: "e".into(),
            status,
            definition: Arc::from("{}"),
            role_arn: String::new(),
            input: "{}".into(),
            output: None,
            error: None,
            cause: None,
            start_date: start,
            stop_date: stop,
            seed: 0,
            redrive_count: 0,
            redrive_date: None,
            event_count: 10,
            journal_len: 2,
            trace_header: None,
        }
    }

    #[test]
    fn ended_unsuccessfully_within_14_days_and_the_history_limit_is_redrivable() {
        let now = Millis(100 * DAY_MS);
        let stopped = Some(99 * DAY_MS);
        for status in [
            ExecutionStatus::Failed,
            ExecutionStatus::TimedOut,
            ExecutionStatus::Aborted,
        ] {
            assert_eq!(
                not_redrivable(&record(status, 98 * DAY_MS, stopped), now),
                None
            );
        }
        let reason = |r: &ExecutionRecord| not_redrivable(r, now);
        assert_eq!(
            reason(&record(ExecutionStatus::Running, 98 * DAY_MS, None)),
            Some(RUNNING)
        );
        assert_eq!(
            reason(&record(ExecutionStatus::Succeeded, 98 * DAY_MS, stopped)),
            Some(SUCCEEDED)
        );
        // 14 days after the end, to the millisecond, and one more.
        let at_limit = record(ExecutionStatus::Failed, 80 * DAY_MS, Some(86 * DAY_MS));
        assert_eq!(reason(&at_limit), None);
        let late = record(ExecutionStatus::Failed, 80 * DAY_MS, Some(86 * DAY_MS - 1));
        assert_eq!(reason(&late), Some(PERIOD));
        // Open for more than a year.
        let old = record(
            ExecutionStatus::Failed,
            100 * DAY_MS - 366 * DAY_MS,
            stopped,
        );
        assert_eq!(reason(&old), Some(MAX_TIME));
        // No room left in the history for the redrive's events.
        let mut full = record(ExecutionStatus::Failed, 98 * DAY_MS, stopped);
        full.event_count = 24_998;
        assert_eq!(reason(&full), None);
        full.event_count = 24_999;
        assert_eq!(reason(&full), Some(HISTORY_LIMIT));
    }
}
