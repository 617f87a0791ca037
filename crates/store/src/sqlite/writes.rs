//! The SQL of every write: an execution's commit, and the changes to machines, versions,
//! aliases, activities, tags and the secret. Each function runs on the writer thread,
//! inside the group's transaction, in a savepoint of its own (see `writer`), so it may fail
//! half-way: the savepoint undoes what it did.

use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use super::codecs::*;
use crate::check::{check_commit, check_continues};
use crate::memory::random_secret;
use crate::*;

/// Ids of the definitions the writer stored or found lately, by the `Arc` it was given:
/// executions of one machine share their definition's `Arc`, and finding its id then
/// costs neither a hash of the text nor a query.
///
/// An id found or inserted in a transaction that is then rolled back may not exist: the
/// writer calls [`DefinitionIds::forget`] on every rollback.
#[derive(Default)]
pub(super) struct DefinitionIds {
    recent: Vec<(Arc<str>, i64)>,
    next_slot: usize,
}

impl DefinitionIds {
    const MAX: usize = 64;

    /// Forgets every id (after a rollback).
    pub(super) fn forget(&mut self) {
        self.recent.clear();
        self.next_slot = 0;
    }

    /// The id of `text` in the `definitions` table, inserting it if it is new.
    fn id(&mut self, conn: &Connection, text: &Arc<str>) -> Result<i64> {
        // Holding the `Arc` keeps its address from being reused by another text.
        if let Some((_, id)) = self.recent.iter().find(|(t, _)| Arc::ptr_eq(t, text)) {
            return Ok(*id);
        }
        let hash: [u8; 32] = Sha256::digest(text.as_bytes()).into();
        let found: Option<i64> = conn
            .prepare_cached("SELECT id FROM definitions WHERE hash = ?1")
            .map_err(db_err)?
            .query_row([&hash[..]], |row| row.get(0))
            .optional()
            .map_err(db_err)?;
        let id = match found {
            Some(id) => id,
            None => conn
                .prepare_cached("INSERT INTO definitions (hash, text) VALUES (?1, ?2)")
                .map_err(db_err)?
                .insert(params![&hash[..], &**text])
                .map_err(db_err)?,
        };
        if self.recent.len() < Self::MAX {
            self.recent.push((text.clone(), id));
        } else {
            self.recent[self.next_slot] = (text.clone(), id);
            self.next_slot = (self.next_slot + 1) % Self::MAX;
        }
        Ok(id)
    }
}

/// Writes one [`ExecutionCommit`].
pub(super) fn commit(
    conn: &Connection,
    definitions: &mut DefinitionIds,
    c: &ExecutionCommit,
) -> Result<()> {
    check_commit(c)?;
    let u = &c.update;
    let journal_added = c.journal.len() as i64;
    let events_added = c.events.len() as i64;
    let id = if let Some(r) = &c.create {
        check_continues(c, 0, 0)?;
        let definition = definitions.id(conn, &r.definition)?;
        // The update applies on top of the new record: one insert, no update.
        conn.prepare_cached(
            "INSERT INTO executions (arn, machine_arn, version_arn, alias_arn, map_run_arn, \
             name, status, definition, role_arn, input, output, error, cause, start_date, \
             stop_date, seed, redrive_count, redrive_date, event_count, journal_len, \
             trace_header) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, \
             ?17, ?18, ?19, ?20, ?21)",
        )
        .map_err(db_err)?
        .insert(params![
            r.arn,
            r.machine_arn,
            r.version_arn,
            r.alias_arn,
            r.map_run_arn,
            r.name,
            u.status.unwrap_or(r.status).as_str(),
            definition,
            r.role_arn,
            r.input,
            u.output.as_ref().or(r.output.as_ref()),
            u.error.as_ref().or(r.error.as_ref()),
            u.cause.as_ref().or(r.cause.as_ref()),
            r.start_date,
            u.stop_date.or(r.stop_date),
            to_sql_u64(r.seed),
            u.redrive_count.unwrap_or(r.redrive_count),
            u.redrive_date.or(r.redrive_date),
            events_added,
            journal_added,
            r.trace_header,
        ])
        .map_err(insert_err(&r.arn))?
    } else {
        let (id, journal_len, event_count): (i64, i64, i64) = conn
            .prepare_cached("SELECT id, journal_len, event_count FROM executions WHERE arn = ?1")
            .map_err(db_err)?
            .query_row([&c.execution_arn], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .optional()
            .map_err(db_err)?
            .ok_or_else(|| StoreError::NotFound(c.execution_arn.clone()))?;
        check_continues(c, from_sql_u64(journal_len), from_sql_u64(event_count))?;
        let changes = *u != ExecutionUpdate::default() || journal_added > 0 || events_added > 0;
        if changes {
            conn.prepare_cached(
                "UPDATE executions SET status = coalesce(?1, status), \
                 output = CASE WHEN ?11 THEN ?2 ELSE coalesce(?2, output) END, \
                 error = CASE WHEN ?11 THEN ?3 ELSE coalesce(?3, error) END, \
                 cause = CASE WHEN ?11 THEN ?4 ELSE coalesce(?4, cause) END, \
                 stop_date = CASE WHEN ?11 THEN ?5 ELSE coalesce(?5, stop_date) END, \
                 redrive_count = coalesce(?6, redrive_count), \
                 redrive_date = coalesce(?7, redrive_date), \
                 journal_len = journal_len + ?8, event_count = event_count + ?9 \
                 WHERE id = ?10",
            )
            .map_err(db_err)?
            .execute(params![
                u.status.map(ExecutionStatus::as_str),
                u.output,
                u.error,
                u.cause,
                u.stop_date,
                u.redrive_count,
                u.redrive_date,
                journal_added,
                events_added,
                id,
                u.reopen,
            ])
            .map_err(db_err)?;
        }
        id
    };
    if !c.journal.is_empty() {
        let mut insert = conn
            .prepare_cached("INSERT INTO journal (key, at, input) VALUES (?1, ?2, ?3)")
            .map_err(db_err)?;
        for entry in &c.journal {
            insert
                .execute(params![entry_key(id, entry.seq)?, entry.at, entry.input])
                .map_err(db_err)?;
        }
    }
    if !c.events.is_empty() {
        let mut insert = conn
            .prepare_cached("INSERT INTO events (key, json) VALUES (?1, ?2)")
            .map_err(db_err)?;
        for event in &c.events {
            insert
                .execute(params![entry_key(id, event.id)?, event.json])
                .map_err(db_err)?;
        }
    }
    // Set before clearing: work scheduled and cancelled in one step is gone.
    if !c.timers_set.is_empty() {
        let mut insert = conn
            .prepare_cached(
                "INSERT OR REPLACE INTO timers (execution, work_id, due) VALUES (?1, ?2, ?3)",
            )
            .map_err(db_err)?;
        for t in &c.timers_set {
            insert
                .execute(params![id, to_sql_u64(t.work_id), t.due])
                .map_err(db_err)?;
        }
    }
    if !c.timers_cleared.is_empty() {
        let mut delete = conn
            .prepare_cached("DELETE FROM timers WHERE execution = ?1 AND work_id = ?2")
            .map_err(db_err)?;
        for work_id in &c.timers_cleared {
            delete
                .execute(params![id, to_sql_u64(*work_id)])
                .map_err(db_err)?;
        }
    }
    if !c.tasks_set.is_empty() {
        let mut insert = conn
            .prepare_cached(
                "INSERT OR REPLACE INTO tasks (execution, work_id, activity_arn, token, \
                 scheduled, request, started) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .map_err(db_err)?;
        for t in &c.tasks_set {
            insert
                .execute(params![
                    id,
                    to_sql_u64(t.work_id),
                    t.activity_arn,
                    t.token,
                    t.scheduled,
                    t.request,
                    t.started,
                ])
                .map_err(db_err)?;
        }
    }
    if !c.tasks_cleared.is_empty() {
        let mut delete = conn
            .prepare_cached("DELETE FROM tasks WHERE execution = ?1 AND work_id = ?2")
            .map_err(db_err)?;
        for work_id in &c.tasks_cleared {
            delete
                .execute(params![id, to_sql_u64(*work_id)])
                .map_err(db_err)?;
        }
    }
    if !c.outbox.is_empty() {
        let mut insert = conn
            .prepare_cached("INSERT OR REPLACE INTO outbox (id, body) VALUES (?1, ?2)")
            .map_err(db_err)?;
        for o in &c.outbox {
            insert.execute(params![o.id, o.body]).map_err(db_err)?;
        }
    }
    if !c.map_runs.is_empty() {
        let mut upsert = conn
            .prepare_cached(
                "INSERT INTO map_runs (arn, execution_arn, status, start_date, stop_date, \
                 max_concurrency, tolerated_failure_percentage, tolerated_failure_count, counts) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
                 ON CONFLICT (arn) DO UPDATE SET execution_arn = excluded.execution_arn, \
                 status = excluded.status, start_date = excluded.start_date, \
                 stop_date = excluded.stop_date, max_concurrency = excluded.max_concurrency, \
                 tolerated_failure_percentage = excluded.tolerated_failure_percentage, \
                 tolerated_failure_count = excluded.tolerated_failure_count, \
                 counts = excluded.counts",
            )
            .map_err(db_err)?;
        for m in &c.map_runs {
            upsert
                .execute(params![
                    m.arn,
                    m.execution_arn,
                    m.status,
                    m.start_date,
                    m.stop_date,
                    m.max_concurrency,
                    m.tolerated_failure_percentage,
                    to_sql_u64(m.tolerated_failure_count),
                    m.counts,
                ])
                .map_err(db_err)?;
        }
    }
    Ok(())
}

/// Inserts a state machine.
pub(super) fn create_machine(conn: &Connection, m: &StateMachineRecord) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO machines (arn, name, machine_type, definition, role_arn, created, updated, \
         revision_id, description, logging, tracing, encryption) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )
    .map_err(db_err)?
    .execute(params![
        m.arn,
        m.name,
        m.machine_type.as_str(),
        m.definition,
        m.role_arn,
        m.created,
        m.updated,
        m.revision_id,
        m.description,
        m.logging,
        m.tracing,
        m.encryption,
    ])
    .map_err(insert_err(&m.arn))?;
    Ok(())
}

/// Replaces a state machine.
pub(super) fn update_machine(conn: &Connection, m: &StateMachineRecord) -> Result<()> {
    let changed = conn
        .prepare_cached(
            "UPDATE machines SET name = ?2, machine_type = ?3, definition = ?4, role_arn = ?5, \
             created = ?6, updated = ?7, revision_id = ?8, description = ?9, logging = ?10, \
             tracing = ?11, encryption = ?12 WHERE arn = ?1",
        )
        .map_err(db_err)?
        .execute(params![
            m.arn,
            m.name,
            m.machine_type.as_str(),
            m.definition,
            m.role_arn,
            m.created,
            m.updated,
            m.revision_id,
            m.description,
            m.logging,
            m.tracing,
            m.encryption,
        ])
        .map_err(db_err)?;
    found(changed, &m.arn)
}

/// `NotFound` when a statement changed no row.
fn found(changed: usize, arn: &str) -> Result<()> {
    if changed == 0 {
        Err(StoreError::NotFound(arn.to_owned()))
    } else {
        Ok(())
    }
}

/// Runs a statement taking one ARN.
fn exec(conn: &Connection, sql: &str, arn: &str) -> Result<usize> {
    conn.prepare_cached(sql)
        .map_err(db_err)?
        .execute([arn])
        .map_err(db_err)
}

/// Deletes a state machine with its versions, aliases and their tags.
pub(super) fn delete_machine(conn: &Connection, arn: &str) -> Result<()> {
    found(exec(conn, "DELETE FROM machines WHERE arn = ?1", arn)?, arn)?;
    exec(
        conn,
        "DELETE FROM tags WHERE resource_arn = ?1 \
         OR resource_arn IN (SELECT arn FROM versions WHERE machine_arn = ?1) \
         OR resource_arn IN (SELECT arn FROM aliases WHERE machine_arn = ?1)",
        arn,
    )?;
    exec(conn, "DELETE FROM versions WHERE machine_arn = ?1", arn)?;
    exec(conn, "DELETE FROM aliases WHERE machine_arn = ?1", arn)?;
    Ok(())
}

fn machine_exists(conn: &Connection, arn: &str) -> Result<()> {
    let exists = conn
        .prepare_cached("SELECT 1 FROM machines WHERE arn = ?1")
        .map_err(db_err)?
        .exists([arn])
        .map_err(db_err)?;
    if exists {
        Ok(())
    } else {
        Err(StoreError::NotFound(arn.to_owned()))
    }
}

/// Inserts a version.
pub(super) fn create_version(conn: &Connection, v: &VersionRecord) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO versions (arn, machine_arn, version, definition, role_arn, machine_type, \
         created, revision_id, description, logging, tracing) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )
    .map_err(db_err)?
    .execute(params![
        v.arn,
        v.machine_arn,
        to_sql_u64(v.version),
        v.definition,
        v.role_arn,
        v.machine_type.as_str(),
        v.created,
        v.revision_id,
        v.description,
        v.logging,
        v.tracing,
    ])
    .map_err(insert_err(&v.arn))?;
    // After the insert, as the memory store checks: AlreadyExists wins over NotFound.
    machine_exists(conn, &v.machine_arn)
}

/// Deletes a version and its tags.
pub(super) fn delete_version(conn: &Connection, arn: &str) -> Result<()> {
    found(exec(conn, "DELETE FROM versions WHERE arn = ?1", arn)?, arn)?;
    exec(conn, "DELETE FROM tags WHERE resource_arn = ?1", arn)?;
    Ok(())
}

/// Inserts or replaces an alias.
pub(super) fn put_alias(conn: &Connection, a: &AliasRecord) -> Result<()> {
    machine_exists(conn, &a.machine_arn)?;
    conn.prepare_cached(
        "INSERT OR REPLACE INTO aliases (arn, machine_arn, name, description, routing, created, \
         updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .map_err(db_err)?
    .execute(params![
        a.arn,
        a.machine_arn,
        a.name,
        a.description,
        encode_routing(&a.routing),
        a.created,
        a.updated,
    ])
    .map_err(db_err)?;
    Ok(())
}

/// Deletes an alias and its tags.
pub(super) fn delete_alias(conn: &Connection, arn: &str) -> Result<()> {
    found(exec(conn, "DELETE FROM aliases WHERE arn = ?1", arn)?, arn)?;
    exec(conn, "DELETE FROM tags WHERE resource_arn = ?1", arn)?;
    Ok(())
}

/// Inserts an activity.
pub(super) fn create_activity(conn: &Connection, a: &ActivityRecord) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO activities (arn, name, created, encryption) VALUES (?1, ?2, ?3, ?4)",
    )
    .map_err(db_err)?
    .execute(params![a.arn, a.name, a.created, a.encryption])
    .map_err(insert_err(&a.arn))?;
    Ok(())
}

/// Deletes an activity and its tags.
pub(super) fn delete_activity(conn: &Connection, arn: &str) -> Result<()> {
    found(
        exec(conn, "DELETE FROM activities WHERE arn = ?1", arn)?,
        arn,
    )?;
    exec(conn, "DELETE FROM tags WHERE resource_arn = ?1", arn)?;
    Ok(())
}

/// Adds or replaces tags.
pub(super) fn tag(conn: &Connection, arn: &str, tags: &[Tag]) -> Result<()> {
    let mut insert = conn
        .prepare_cached(
            "INSERT OR REPLACE INTO tags (resource_arn, key, value) VALUES (?1, ?2, ?3)",
        )
        .map_err(db_err)?;
    for t in tags {
        insert
            .execute(params![arn, t.key, t.value])
            .map_err(db_err)?;
    }
    Ok(())
}

/// Removes tags.
pub(super) fn untag(conn: &Connection, arn: &str, keys: &[String]) -> Result<()> {
    let mut delete = conn
        .prepare_cached("DELETE FROM tags WHERE resource_arn = ?1 AND key = ?2")
        .map_err(db_err)?;
    for key in keys {
        delete.execute(params![arn, key]).map_err(db_err)?;
    }
    Ok(())
}

/// The secret, made and stored on first use.
pub(super) fn secret(conn: &Connection) -> Result<[u8; 32]> {
    let stored: Option<Vec<u8>> = conn
        .prepare_cached("SELECT value FROM meta WHERE key = 'secret'")
        .map_err(db_err)?
        .query_row([], |row| row.get(0))
        .optional()
        .map_err(db_err)?;
    if let Some(stored) = stored {
        return stored.try_into().map_err(|v: Vec<u8>| {
            StoreError::Backend(format!("the stored secret has {} bytes, not 32", v.len()))
        });
    }
    let secret = random_secret()?;
    conn.prepare_cached("INSERT INTO meta (key, value) VALUES ('secret', ?1)")
        .map_err(db_err)?
        .execute([&secret[..]])
        .map_err(db_err)?;
    Ok(secret)
}

/// Creates a trigger.
pub(super) fn create_trigger(conn: &Connection, t: &TriggerRecord) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO triggers (kind, name, body, created, updated, cursor) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .map_err(db_err)?
    .execute(params![
        t.kind.as_str(),
        t.name,
        t.body,
        t.created,
        t.updated,
        t.cursor
    ])
    .map_err(insert_err(&t.name))?;
    Ok(())
}

/// Replaces a trigger (its creation date stays).
pub(super) fn update_trigger(conn: &Connection, t: &TriggerRecord) -> Result<()> {
    let n = conn
        .prepare_cached(
            "UPDATE triggers SET body = ?3, updated = ?4, cursor = ?5 WHERE kind = ?1 AND name = ?2",
        )
        .map_err(db_err)?
        .execute(params![t.kind.as_str(), t.name, t.body, t.updated, t.cursor])
        .map_err(db_err)?;
    found(n, &t.name)
}

/// Deletes a trigger.
pub(super) fn delete_trigger(conn: &Connection, kind: TriggerKind, name: &str) -> Result<()> {
    let n = conn
        .prepare_cached("DELETE FROM triggers WHERE kind = ?1 AND name = ?2")
        .map_err(db_err)?
        .execute(params![kind.as_str(), name])
        .map_err(db_err)?;
    found(n, name)
}

/// Moves a trigger's cursor.
pub(super) fn set_trigger_cursor(
    conn: &Connection,
    kind: TriggerKind,
    name: &str,
    cursor: i64,
) -> Result<()> {
    let n = conn
        .prepare_cached("UPDATE triggers SET cursor = ?3 WHERE kind = ?1 AND name = ?2")
        .map_err(db_err)?
        .execute(params![kind.as_str(), name, cursor])
        .map_err(db_err)?;
    found(n, name)
}

/// Keeps deliveries (replacing any of the same id).
pub(super) fn add_deliveries(conn: &Connection, deliveries: &[DeliveryRecord]) -> Result<()> {
    let mut stmt = conn
        .prepare_cached(
            "INSERT OR REPLACE INTO deliveries (id, rule, target, input, at) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .map_err(db_err)?;
    for d in deliveries {
        stmt.execute(params![d.id, d.rule, d.target, d.input, d.at])
            .map_err(db_err)?;
    }
    Ok(())
}

/// Deletes an outbox message.
pub(super) fn delete_outbox(conn: &Connection, id: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM outbox WHERE id = ?1")
        .map_err(db_err)?
        .execute([id])
        .map_err(db_err)?;
    Ok(())
}

/// Forgets a delivery.
pub(super) fn delete_delivery(conn: &Connection, id: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM deliveries WHERE id = ?1")
        .map_err(db_err)?
        .execute([id])
        .map_err(db_err)?;
    Ok(())
}

/// Keeps an accepted Express execution (replacing one of the same ARN).
pub(super) fn add_express_start(conn: &Connection, s: &ExpressStartRecord) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO express_starts (arn, body, at) VALUES (?1, ?2, ?3)",
    )
    .map_err(db_err)?
    .execute(params![s.arn, s.body, s.at])
    .map_err(db_err)?;
    Ok(())
}

/// Forgets an Express execution that ended.
pub(super) fn delete_express_start(conn: &Connection, arn: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM express_starts WHERE arn = ?1")
        .map_err(db_err)?
        .execute([arn])
        .map_err(db_err)?;
    Ok(())
}

/// Adds a dead letter; its number.
pub(super) fn add_dead_letter(conn: &Connection, l: &DeadLetterRecord) -> Result<u64> {
    let seq = conn
        .prepare_cached(
            "INSERT INTO dead_letters (kind, name, at, target, input, error, cause, attempts) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .map_err(db_err)?
        .insert(params![
            l.kind.as_str(),
            l.name,
            l.at,
            l.target,
            l.input,
            l.error,
            l.cause,
            l.attempts
        ])
        .map_err(db_err)?;
    Ok(from_sql_u64(seq))
}
