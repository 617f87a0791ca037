//! Conversions between records and rows, and from SQLite's errors to [`StoreError`].
//!
//! Nothing read back is trusted: a value that does not decode (an unknown status, a
//! malformed alias routing) is a [`StoreError::Backend`] naming the table, the column
//! and the value, never a panic.

use std::collections::HashMap;
use std::sync::Arc;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, ErrorCode, OptionalExtension, Row};

use crate::*;

/// SQLite's error as a [`StoreError`]: a full disk (or the page limit) is
/// [`StoreError::Full`]; anything else is [`StoreError::Backend`].
pub(super) fn db_err(e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(ErrorCode::DiskFull) => StoreError::Full(e.to_string()),
        _ => StoreError::Backend(e.to_string()),
    }
}

/// A uniqueness (primary key or unique index) violation, as an insert of an existing key
/// fails with.
pub(super) fn is_duplicate(e: &rusqlite::Error) -> bool {
    use rusqlite::ffi::{SQLITE_CONSTRAINT_PRIMARYKEY, SQLITE_CONSTRAINT_UNIQUE};
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == SQLITE_CONSTRAINT_PRIMARYKEY
            || f.extended_code == SQLITE_CONSTRAINT_UNIQUE)
}

/// `db_err`, but a duplicate key is [`StoreError::AlreadyExists`] of `arn`.
pub(super) fn insert_err(arn: &str) -> impl FnOnce(rusqlite::Error) -> StoreError + '_ {
    move |e| {
        if is_duplicate(&e) {
            StoreError::AlreadyExists(arn.to_owned())
        } else {
            db_err(e)
        }
    }
}

/// SQLite integers are signed: u64 values (seeds, counts) are stored as their bits.
pub(super) fn to_sql_u64(v: u64) -> i64 {
    v as i64
}

/// The inverse of [`to_sql_u64`].
pub(super) fn from_sql_u64(v: i64) -> u64 {
    v as u64
}

/// Bits of a journal or event key that hold the entry's number.
const KEY_BITS: u32 = 32;

/// The key of an execution's journal entry or event: entries of one execution are
/// contiguous and in order. Numbers past 2^32 (an execution past four billion events)
/// are refused rather than folded into another execution's range.
pub(super) fn entry_key(execution: i64, n: u64) -> Result<i64> {
    if n >= 1 << KEY_BITS || !(0..1 << (63 - KEY_BITS)).contains(&execution) {
        return Err(StoreError::Backend(format!(
            "entry {n} of execution #{execution} is past the storable range"
        )));
    }
    Ok(execution << KEY_BITS | n as i64)
}

/// The keys of every entry of an execution, as an inclusive range.
pub(super) fn entry_range(execution: i64) -> (i64, i64) {
    (
        execution << KEY_BITS,
        (execution << KEY_BITS) | ((1 << KEY_BITS) - 1),
    )
}

/// The entry's number, from its key.
pub(super) fn entry_number(key: i64) -> u64 {
    (key as u64) & ((1 << KEY_BITS) - 1)
}

fn bad_value(table: &str, column: &str, value: &str) -> StoreError {
    StoreError::Backend(format!(
        "unreadable {table}.{column} in the database: {value:?}"
    ))
}

/// An execution's status, from its column.
pub(super) fn status(table: &str, s: &str) -> Result<ExecutionStatus> {
    ExecutionStatus::parse(s).ok_or_else(|| bad_value(table, "status", s))
}

/// A machine type, from its column.
pub(super) fn machine_type(table: &str, s: &str) -> Result<MachineType> {
    MachineType::parse(s).ok_or_else(|| bad_value(table, "machine_type", s))
}

/// An alias's routing as text: one `WEIGHT VERSION_ARN` per line (ARNs have no blanks).
pub(super) fn encode_routing(routing: &[(String, u32)]) -> String {
    let mut text = String::new();
    for (arn, weight) in routing {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&weight.to_string());
        text.push(' ');
        text.push_str(arn);
    }
    text
}

/// The inverse of [`encode_routing`].
pub(super) fn decode_routing(text: &str) -> Result<Vec<(String, u32)>> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    text.split('\n')
        .map(|line| {
            let (weight, arn) = line
                .split_once(' ')
                .ok_or_else(|| bad_value("aliases", "routing", text))?;
            let weight = weight
                .parse()
                .map_err(|_| bad_value("aliases", "routing", text))?;
            Ok((arn.to_owned(), weight))
        })
        .collect()
}

/// A text column, borrowed from the row (no allocation).
pub(super) fn text<'r>(row: &'r Row<'_>, i: usize, table: &str, column: &str) -> Result<&'r str> {
    match row.get_ref(i).map_err(db_err)? {
        ValueRef::Text(bytes) => std::str::from_utf8(bytes)
            .map_err(|_| bad_value(table, column, &String::from_utf8_lossy(bytes))),
        other => Err(bad_value(table, column, &format!("{other:?}"))),
    }
}

/// Reads a column, turning a type mismatch into a [`StoreError`].
pub(super) fn col<T: rusqlite::types::FromSql>(row: &Row<'_>, i: usize) -> Result<T> {
    row.get(i).map_err(db_err)
}

/// The columns [`read_execution`] reads, in its order.
macro_rules! execution_columns {
    () => {
        "e.arn, e.machine_arn, e.version_arn, e.alias_arn, \
    e.map_run_arn, e.name, e.status, e.definition, e.role_arn, e.input, e.output, e.error, \
    e.cause, e.start_date, e.stop_date, e.seed, e.redrive_count, e.redrive_date, \
    e.event_count, e.journal_len, e.trace_header, e.id"
    };
}
pub(super) use execution_columns;

/// Index of the execution id in `execution_columns!()`.
pub(super) const EXECUTION_ID: usize = 21;

/// Definitions already read by one connection, by id. Definitions are never changed nor
/// deleted, so an id always names the same text: executions of one machine share one
/// `Arc` across reads.
#[derive(Default)]
pub(super) struct Definitions {
    by_id: HashMap<i64, Arc<str>>,
}

impl Definitions {
    /// Kept at most, so that a server running many machines does not grow this forever.
    const MAX: usize = 1024;

    /// The definition with this id.
    pub(super) fn get(&mut self, conn: &Connection, id: i64) -> Result<Arc<str>> {
        if let Some(text) = self.by_id.get(&id) {
            return Ok(text.clone());
        }
        let text: Option<String> = conn
            .prepare_cached("SELECT text FROM definitions WHERE id = ?1")
            .map_err(db_err)?
            .query_row([id], |row| row.get(0))
            .optional()
            .map_err(db_err)?;
        let text: Arc<str> = text
            .ok_or_else(|| {
                StoreError::Backend(format!("definition #{id} is missing from the database"))
            })?
            .into();
        if self.by_id.len() >= Self::MAX {
            self.by_id.clear();
        }
        self.by_id.insert(id, text.clone());
        Ok(text)
    }
}

/// An execution, from a row of `execution_columns!()`.
pub(super) fn read_execution(
    row: &Row<'_>,
    conn: &Connection,
    definitions: &mut Definitions,
) -> Result<ExecutionRecord> {
    let status = status("executions", text(row, 6, "executions", "status")?)?;
    Ok(ExecutionRecord {
        arn: col(row, 0)?,
        machine_arn: col(row, 1)?,
        version_arn: col(row, 2)?,
        alias_arn: col(row, 3)?,
        map_run_arn: col(row, 4)?,
        name: col(row, 5)?,
        status,
        definition: definitions.get(conn, col(row, 7)?)?,
        role_arn: col(row, 8)?,
        input: col(row, 9)?,
        output: col(row, 10)?,
        error: col(row, 11)?,
        cause: col(row, 12)?,
        start_date: col(row, 13)?,
        stop_date: col(row, 14)?,
        seed: from_sql_u64(col(row, 15)?),
        redrive_count: col(row, 16)?,
        redrive_date: col(row, 17)?,
        event_count: from_sql_u64(col(row, 18)?),
        journal_len: from_sql_u64(col(row, 19)?),
        trace_header: col(row, 20)?,
    })
}

/// The columns [`read_map_run`] reads.
macro_rules! map_run_columns {
    () => {
        "arn, execution_arn, status, start_date, stop_date, \
    max_concurrency, tolerated_failure_percentage, tolerated_failure_count, counts, id"
    };
}
pub(super) use map_run_columns;

/// A Map Run, from a row of `map_run_columns!()`.
pub(super) fn read_map_run(row: &Row<'_>) -> Result<MapRunRecord> {
    Ok(MapRunRecord {
        arn: col(row, 0)?,
        execution_arn: col(row, 1)?,
        status: col(row, 2)?,
        start_date: col(row, 3)?,
        stop_date: col(row, 4)?,
        max_concurrency: col(row, 5)?,
        tolerated_failure_percentage: col(row, 6)?,
        tolerated_failure_count: from_sql_u64(col(row, 7)?),
        counts: col(row, 8)?,
    })
}

/// The columns [`read_machine`] reads.
macro_rules! machine_columns {
    () => {
        "arn, name, machine_type, definition, role_arn, \
    created, updated, revision_id, description, logging, tracing, encryption, seq"
    };
}
pub(super) use machine_columns;

/// A state machine, from a row of `machine_columns!()`.
pub(super) fn read_machine(row: &Row<'_>) -> Result<StateMachineRecord> {
    Ok(StateMachineRecord {
        arn: col(row, 0)?,
        name: col(row, 1)?,
        machine_type: machine_type("machines", text(row, 2, "machines", "machine_type")?)?,
        definition: col(row, 3)?,
        role_arn: col(row, 4)?,
        created: col(row, 5)?,
        updated: col(row, 6)?,
        revision_id: col(row, 7)?,
        description: col(row, 8)?,
        logging: col(row, 9)?,
        tracing: col(row, 10)?,
        encryption: col(row, 11)?,
    })
}

/// The columns [`read_version`] reads.
macro_rules! version_columns {
    () => {
        "arn, machine_arn, version, definition, role_arn, \
    machine_type, created, revision_id, description, logging, tracing"
    };
}
pub(super) use version_columns;

/// A version, from a row of `version_columns!()`.
pub(super) fn read_version(row: &Row<'_>) -> Result<VersionRecord> {
    Ok(VersionRecord {
        arn: col(row, 0)?,
        machine_arn: col(row, 1)?,
        version: from_sql_u64(col(row, 2)?),
        definition: col(row, 3)?,
        role_arn: col(row, 4)?,
        machine_type: machine_type("versions", text(row, 5, "versions", "machine_type")?)?,
        created: col(row, 6)?,
        revision_id: col(row, 7)?,
        description: col(row, 8)?,
        logging: col(row, 9)?,
        tracing: col(row, 10)?,
    })
}

/// The columns [`read_alias`] reads.
macro_rules! alias_columns {
    () => {
        "arn, machine_arn, name, description, routing, created, updated"
    };
}
pub(super) use alias_columns;

/// An alias, from a row of `alias_columns!()`.
pub(super) fn read_alias(row: &Row<'_>) -> Result<AliasRecord> {
    Ok(AliasRecord {
        arn: col(row, 0)?,
        machine_arn: col(row, 1)?,
        name: col(row, 2)?,
        description: col(row, 3)?,
        routing: decode_routing(text(row, 4, "aliases", "routing")?)?,
        created: col(row, 5)?,
        updated: col(row, 6)?,
    })
}

/// The columns [`read_activity`] reads.
macro_rules! activity_columns {
    () => {
        "arn, name, created, encryption, seq"
    };
}
pub(super) use activity_columns;

/// An activity, from a row of `activity_columns!()`.
pub(super) fn read_activity(row: &Row<'_>) -> Result<ActivityRecord> {
    Ok(ActivityRecord {
        arn: col(row, 0)?,
        name: col(row, 1)?,
        created: col(row, 2)?,
        encryption: col(row, 3)?,
    })
}

/// A trigger kind read from `table`.
pub(super) fn trigger_kind(table: &str, s: &str) -> Result<TriggerKind> {
    TriggerKind::parse(s)
        .ok_or_else(|| StoreError::Backend(format!("{table}: unknown trigger kind {s:?}")))
}

/// A row of `SELECT kind, name, body, created, updated, cursor FROM triggers`.
pub(super) fn read_trigger(row: &Row<'_>) -> Result<TriggerRecord> {
    let kind: String = col(row, 0)?;
    Ok(TriggerRecord {
        kind: trigger_kind("triggers", &kind)?,
        name: col(row, 1)?,
        body: col(row, 2)?,
        created: col(row, 3)?,
        updated: col(row, 4)?,
        cursor: col(row, 5)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routing_round_trips() {
        let routing = vec![("arn:a:1".to_owned(), 70), ("arn:a:2".to_owned(), 30)];
        assert_eq!(decode_routing(&encode_routing(&routing)).unwrap(), routing);
        assert_eq!(decode_routing(&encode_routing(&[])).unwrap(), vec![]);
        assert!(decode_routing("x").is_err());
    }

    #[test]
    fn entry_keys_keep_executions_apart() {
        let k = entry_key(5, 7).unwrap();
        let (lo, hi) = entry_range(5);
        assert!(lo <= k && k <= hi);
        assert_eq!(entry_number(k), 7);
        assert!(entry_range(4).1 < lo && hi < entry_range(6).0);
        assert!(entry_key(5, 1 << 32).is_err());
        assert!(entry_key(1 << 31, 0).is_err());
    }

    proptest::proptest! {
        /// Any routing an API request can make (ARNs have no line breaks) reads back as
        /// written; any text reads back or is refused, never a panic.
        #[test]
        fn any_routing_round_trips(
            routing in proptest::collection::vec(("[^\n]{0,40}", proptest::num::u32::ANY), 0..4),
            text in "\\PC{0,40}",
        ) {
            let routing: Vec<(String, u32)> = routing;
            let text_of = encode_routing(&routing);
            proptest::prop_assert_eq!(decode_routing(&text_of).unwrap(), routing);
            let _ = decode_routing(&text);
        }

        /// Any execution and entry number: a key in the execution's range that gives the
        /// number back, or refused.
        #[test]
        fn any_entry_key_is_in_its_range_or_refused(execution in proptest::num::i64::ANY, n in proptest::num::u64::ANY) {
            if let Ok(k) = entry_key(execution, n) {
                let (lo, hi) = entry_range(execution);
                proptest::prop_assert!(lo <= k && k <= hi);
                proptest::prop_assert_eq!(entry_number(k), n);
                proptest::prop_assert_eq!(from_sql_u64(to_sql_u64(n)), n);
            } else {
                proptest::prop_assert!(n >= 1 << KEY_BITS || !(0..1 << (63 - KEY_BITS)).contains(&execution));
            }
        }
    }
}
