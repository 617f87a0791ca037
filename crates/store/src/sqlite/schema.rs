//! The database's schema and its migrations, and the settings every connection gets.
//!
//! `PRAGMA user_version` holds the number of migrations applied; opening a database runs
//! the missing ones, each in its own transaction, so the schema can evolve without losing
//! data. A database written by a newer build (more migrations than this one knows) is
//! refused rather than misread.
//!
//! Layout choices, and why:
//! - Executions have an integer id; their journal, events, timers and tasks refer to it,
//!   not to the ARN, so the ARN is stored once.
//! - Journal entries and events live in rowid tables whose key is
//!   `execution id << 32 | seq (or event id)`: one integer B-tree in which an execution's
//!   entries are contiguous, so a page of a 25,000-event history is one range scan of the
//!   table itself. (A `WITHOUT ROWID` table keyed by `(execution, id)` would do the same
//!   scan but keeps whole rows, ~300 bytes for an event, in its interior pages.)
//! - Definitions are stored once per distinct text, keyed by their SHA-256.
//! - The execution indexes end with the implicit rowid (the execution id, which grows
//!   with creation), so `ORDER BY start_date DESC, id DESC` is read off an index for every
//!   filter; version, alias and Map Run indexes are partial (most executions have none).

use rusqlite::Connection;

use super::codecs::db_err;
use super::{Durability, SqliteOptions};
use crate::{Result, StoreError};

/// The migrations, in order: migration `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    "
    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value BLOB NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE definitions (
        id INTEGER PRIMARY KEY,
        hash BLOB NOT NULL UNIQUE,
        text TEXT NOT NULL
    );

    CREATE TABLE executions (
        id INTEGER PRIMARY KEY,
        arn TEXT NOT NULL UNIQUE,
        machine_arn TEXT NOT NULL,
        version_arn TEXT,
        alias_arn TEXT,
        map_run_arn TEXT,
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        definition INTEGER NOT NULL,
        role_arn TEXT NOT NULL,
        input TEXT NOT NULL,
        output TEXT,
        error TEXT,
        cause TEXT,
        start_date INTEGER NOT NULL,
        stop_date INTEGER,
        seed INTEGER NOT NULL,
        redrive_count INTEGER NOT NULL,
        redrive_date INTEGER,
        event_count INTEGER NOT NULL,
        journal_len INTEGER NOT NULL,
        trace_header TEXT
    );
    CREATE INDEX executions_by_start ON executions (start_date);
    CREATE INDEX executions_by_status ON executions (status, start_date);
    CREATE INDEX executions_by_machine ON executions (machine_arn, start_date);
    CREATE INDEX executions_by_machine_status ON executions (machine_arn, status, start_date);
    CREATE INDEX executions_by_version ON executions (version_arn, start_date)
        WHERE version_arn IS NOT NULL;
    CREATE INDEX executions_by_alias ON executions (alias_arn, start_date)
        WHERE alias_arn IS NOT NULL;
    CREATE INDEX executions_by_map_run ON executions (map_run_arn, start_date)
        WHERE map_run_arn IS NOT NULL;

    CREATE TABLE journal (
        key INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        input TEXT NOT NULL
    );

    CREATE TABLE events (
        key INTEGER PRIMARY KEY,
        json TEXT NOT NULL
    );

    CREATE TABLE timers (
        execution INTEGER NOT NULL,
        work_id INTEGER NOT NULL,
        due INTEGER NOT NULL,
        PRIMARY KEY (execution, work_id)
    ) WITHOUT ROWID;

    CREATE TABLE tasks (
        execution INTEGER NOT NULL,
        work_id INTEGER NOT NULL,
        activity_arn TEXT,
        token TEXT,
        scheduled INTEGER NOT NULL,
        request TEXT NOT NULL,
        started INTEGER NOT NULL,
        PRIMARY KEY (execution, work_id)
    ) WITHOUT ROWID;

    CREATE TABLE map_runs (
        id INTEGER PRIMARY KEY,
        arn TEXT NOT NULL UNIQUE,
        execution_arn TEXT NOT NULL,
        status TEXT NOT NULL,
        start_date INTEGER NOT NULL,
        stop_date INTEGER,
        max_concurrency INTEGER NOT NULL,
        tolerated_failure_percentage REAL NOT NULL,
        tolerated_failure_count INTEGER NOT NULL,
        counts TEXT NOT NULL
    );
    CREATE INDEX map_runs_by_execution ON map_runs (execution_arn, start_date);

    CREATE TABLE machines (
        seq INTEGER PRIMARY KEY,
        arn TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        machine_type TEXT NOT NULL,
        definition TEXT NOT NULL,
        role_arn TEXT NOT NULL,
        created INTEGER NOT NULL,
        updated INTEGER NOT NULL,
        revision_id TEXT NOT NULL,
        description TEXT,
        logging TEXT,
        tracing TEXT,
        encryption TEXT
    );

    CREATE TABLE versions (
        arn TEXT PRIMARY KEY,
        machine_arn TEXT NOT NULL,
        version INTEGER NOT NULL,
        definition TEXT NOT NULL,
        role_arn TEXT NOT NULL,
        machine_type TEXT NOT NULL,
        created INTEGER NOT NULL,
        revision_id TEXT NOT NULL,
        description TEXT,
        logging TEXT,
        tracing TEXT
    );
    CREATE INDEX versions_by_machine ON versions (machine_arn, version);

    CREATE TABLE aliases (
        arn TEXT PRIMARY KEY,
        machine_arn TEXT NOT NULL,
        name TEXT NOT NULL,
        description TEXT,
        routing TEXT NOT NULL,
        created INTEGER NOT NULL,
        updated INTEGER NOT NULL
    );
    CREATE INDEX aliases_by_machine ON aliases (machine_arn, arn);

    CREATE TABLE activities (
        seq INTEGER PRIMARY KEY,
        arn TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        created INTEGER NOT NULL,
        encryption TEXT
    );

    CREATE TABLE tags (
        resource_arn TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (resource_arn, key)
    ) WITHOUT ROWID;
    ",
    // 2: triggers (webhooks, schedules, event rules) and the dead letters of their starts.
    "
    CREATE TABLE triggers (
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        body TEXT NOT NULL,
        created INTEGER NOT NULL,
        updated INTEGER NOT NULL,
        cursor INTEGER,
        PRIMARY KEY (kind, name)
    ) WITHOUT ROWID;

    CREATE TABLE dead_letters (
        seq INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        at INTEGER NOT NULL,
        target TEXT NOT NULL,
        input TEXT NOT NULL,
        error TEXT NOT NULL,
        cause TEXT NOT NULL,
        attempts INTEGER NOT NULL
    );
    ",
    // 3: events on their way to targets.
    "
    CREATE TABLE deliveries (
        id TEXT PRIMARY KEY,
        rule TEXT NOT NULL,
        target TEXT NOT NULL,
        input TEXT NOT NULL,
        at INTEGER NOT NULL
    ) WITHOUT ROWID;
    ",
    // 4: messages written with an execution's step, kept until read (status changes).
    "
    CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        body TEXT NOT NULL
    );
    ",
    // 5: Express executions accepted and not ended yet (started again after a crash).
    "
    CREATE TABLE express_starts (
        arn TEXT PRIMARY KEY,
        body TEXT NOT NULL,
        at INTEGER NOT NULL
    ) WITHOUT ROWID;
    ",
];

/// Brings the schema up to date (the caller holds the only connection).
pub(super) fn migrate(conn: &mut Connection) -> Result<()> {
    let known = MIGRATIONS.len() as i64;
    let current: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(db_err)?;
    if current > known {
        return Err(StoreError::Backend(format!(
            "the database has schema version {current}, newer than this build's {known}"
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction().map_err(db_err)?;
        tx.execute_batch(sql).map_err(db_err)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)
            .map_err(db_err)?;
        tx.commit().map_err(db_err)?;
    }
    Ok(())
}

/// Settings of the writing connection (WAL mode is persistent, set once here).
pub(super) fn configure_writer(conn: &Connection, options: &SqliteOptions) -> Result<()> {
    conn.busy_timeout(options.busy_timeout).map_err(db_err)?;
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
        .map_err(db_err)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Backend(format!(
            "the database cannot use write-ahead logging (journal mode {mode})"
        )));
    }
    let synchronous = match options.synchronous {
        Durability::Full => "FULL",
        Durability::Normal => "NORMAL",
    };
    conn.pragma_update(None, "synchronous", synchronous)
        .map_err(db_err)?;
    // Bigger than the default 2 MB: the writer touches index pages all over the
    // executions table.
    conn.pragma_update(None, "cache_size", -32_768i64)
        .map_err(db_err)?;
    conn.pragma_update(None, "temp_store", "MEMORY")
        .map_err(db_err)?;
    // The checkpointer thread copies the log into the database as it grows; the writer
    // still checkpoints every 64 MB of log, which then has little left to copy, and which
    // lets the log start over (SQLite restarts the log only after a checkpoint has caught
    // up with the writer, which a thread running beside it rarely does).
    conn.pragma_update(None, "wal_autocheckpoint", 16_384i64)
        .map_err(db_err)?;
    if let Some(pages) = options.max_page_count {
        conn.pragma_update(None, "max_page_count", pages as i64)
            .map_err(db_err)?;
    }
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// Settings of a reading connection.
pub(super) fn configure_reader(conn: &Connection, options: &SqliteOptions) -> Result<()> {
    conn.busy_timeout(options.busy_timeout).map_err(db_err)?;
    conn.pragma_update(None, "cache_size", -8_192i64)
        .map_err(db_err)?;
    // Listing executions builds its SQL from the filter: up to 48 shapes.
    conn.set_prepared_statement_cache_capacity(96);
    Ok(())
}
