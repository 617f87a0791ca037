//! Reads: a few reading connections, each on a thread of its own, and their queries.
//!
//! In WAL mode readers see the last committed state and neither wait for the writer nor
//! make it wait. Each reading thread owns one connection (and its cache of prepared
//! statements and definitions); reads are sent to whichever thread is free over a shared
//! channel, with a oneshot for the answer, so no async task ever blocks on SQLite.

use std::path::Path;
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;

use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, Rows, params};
use tokio::sync::oneshot;

use super::SqliteOptions;
use super::codecs::*;
use super::schema::configure_reader;
use crate::paging::{date_token, limit, parse_date_token, parse_number_token};
use crate::*;

/// A reading connection with what it caches.
pub(super) struct Reader {
    conn: Connection,
    definitions: Definitions,
}

type Job = Box<dyn FnOnce(&mut Reader) + Send>;

/// The reading threads.
pub(super) struct Readers {
    tx: Mutex<Option<mpsc::Sender<Job>>>,
    threads: Vec<JoinHandle<()>>,
}

impl Readers {
    /// Opens `options.readers` connections to `path` and their threads.
    pub(super) fn start(path: &Path, options: &SqliteOptions) -> Result<Readers> {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let mut threads = Vec::new();
        for i in 0..options.readers.max(1) {
            let conn = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(db_err)?;
            configure_reader(&conn, options)?;
            let mut reader = Reader {
                conn,
                definitions: Definitions::default(),
            };
            let rx = rx.clone();
            let thread = std::thread::Builder::new()
                .name(format!("baton-store-reader-{i}"))
                .spawn(move || {
                    loop {
                        // The lock is held only while waiting for a job, not while running it.
                        let job = rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                        match job {
                            Ok(job) => job(&mut reader),
                            Err(_) => break,
                        }
                    }
                })
                .map_err(|e| StoreError::Backend(format!("cannot start a reader thread: {e}")))?;
            threads.push(thread);
        }
        Ok(Readers {
            tx: Mutex::new(Some(tx)),
            threads,
        })
    }

    /// Runs `read` on a reading thread; the future resolves with its result.
    pub(super) fn run<T: Send + 'static>(
        &self,
        read: impl FnOnce(&mut Reader) -> Result<T> + Send + 'static,
    ) -> BoxFuture<'static, Result<T>> {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |reader| {
            let _ = reply.send(read(reader));
        });
        if let Some(tx) = &*self.tx.lock().unwrap_or_else(|e| e.into_inner()) {
            let _ = tx.send(job);
        }
        Box::pin(async move { answer.await.unwrap_or(Err(StoreError::Closed)) })
    }

    /// Lets the threads stop once the reads already sent are done.
    pub(super) fn close(&self) {
        self.tx.lock().unwrap_or_else(|e| e.into_inner()).take();
    }
}

impl Drop for Readers {
    fn drop(&mut self) {
        self.close();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

/// `LIMIT` for a page of `n` items: one more, to learn whether another page follows.
fn sql_limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX - 1) + 1
}

/// The page of at most `n` items that `rows` (queried with [`sql_limit`]) hold. `read`
/// gives an item and the key its token is made of; `token` is called only for the last
/// item of a page that another follows.
fn paged<T, K>(
    mut rows: Rows<'_>,
    n: usize,
    mut read: impl FnMut(&Row<'_>) -> Result<(T, K)>,
    token: impl Fn(&T, &K) -> String,
) -> Result<Paged<T>> {
    let mut items = Vec::new();
    let mut last = None;
    while let Some(row) = rows.next().map_err(db_err)? {
        if items.len() == n {
            let next = match (items.last(), &last) {
                (Some(item), Some(key)) => Some(token(item, key)),
                _ => None,
            };
            return Ok(Paged { items, next });
        }
        let (item, key) = read(row)?;
        items.push(item);
        last = Some(key);
    }
    Ok(Paged { items, next: None })
}

impl Reader {
    /// The id of an execution, or `NotFound`.
    fn execution_id(&self, arn: &str) -> Result<i64> {
        self.conn
            .prepare_cached("SELECT id FROM executions WHERE arn = ?1")
            .map_err(db_err)?
            .query_row([arn], |row| row.get(0))
            .optional()
            .map_err(db_err)?
            .ok_or_else(|| StoreError::NotFound(arn.to_owned()))
    }

    fn machine_exists(&self, arn: &str) -> Result<()> {
        let exists = self
            .conn
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

    /// One row of `sql` (taking one ARN), read by `read`.
    fn one<T>(
        &self,
        sql: &str,
        arn: &str,
        read: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<Option<T>> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(db_err)?;
        let mut rows = stmt.query([arn]).map_err(db_err)?;
        match rows.next().map_err(db_err)? {
            Some(row) => read(row).map(Some),
            None => Ok(None),
        }
    }

    pub(super) fn execution(&mut self, arn: &str) -> Result<Option<ExecutionRecord>> {
        let Reader { conn, definitions } = self;
        let mut stmt = conn
            .prepare_cached(concat!(
                "SELECT ",
                execution_columns!(),
                " FROM executions e WHERE e.arn = ?1"
            ))
            .map_err(db_err)?;
        let mut rows = stmt.query([arn]).map_err(db_err)?;
        match rows.next().map_err(db_err)? {
            Some(row) => read_execution(row, conn, definitions).map(Some),
            None => Ok(None),
        }
    }

    pub(super) fn list_executions(
        &mut self,
        filter: &ExecutionFilter,
        page: &Page,
    ) -> Result<Paged<ExecutionRecord>> {
        let after = match &page.token {
            Some(t) => Some(parse_date_token(t)?),
            None => None,
        };
        let sql = executions_sql(filter, after.is_some());
        let (date, id) = after.unwrap_or_default();
        let n = limit(page);
        let Reader { conn, definitions } = self;
        let mut stmt = conn.prepare_cached(&sql).map_err(db_err)?;
        let rows = stmt
            .query(params![
                filter.machine_arn,
                filter.status.map(ExecutionStatus::as_str),
                filter.map_run_arn,
                date,
                id,
                sql_limit(n),
            ])
            .map_err(db_err)?;
        paged(
            rows,
            n,
            |row| {
                Ok((
                    read_execution(row, conn, definitions)?,
                    col::<i64>(row, EXECUTION_ID)?,
                ))
            },
            |e, id| date_token(e.start_date, *id),
        )
    }

    pub(super) fn open_executions(&mut self) -> Result<Vec<ExecutionRecord>> {
        let Reader { conn, definitions } = self;
        let mut stmt = conn
            .prepare_cached(concat!(
                "SELECT ",
                execution_columns!(),
                " FROM executions e \
                 WHERE e.status IN ('RUNNING', 'PENDING_REDRIVE')"
            ))
            .map_err(db_err)?;
        let mut rows = stmt.query([]).map_err(db_err)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(db_err)? {
            out.push(read_execution(row, conn, definitions)?);
        }
        Ok(out)
    }

    pub(super) fn journal(&mut self, arn: &str) -> Result<Vec<JournalEntry>> {
        let (lo, hi) = entry_range(self.execution_id(arn)?);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT key, at, input FROM journal WHERE key BETWEEN ?1 AND ?2 ORDER BY key",
            )
            .map_err(db_err)?;
        let mut rows = stmt.query([lo, hi]).map_err(db_err)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(db_err)? {
            out.push(JournalEntry {
                seq: entry_number(col(row, 0)?),
                at: col(row, 1)?,
                input: col(row, 2)?,
            });
        }
        Ok(out)
    }

    pub(super) fn history(
        &mut self,
        arn: &str,
        reverse: bool,
        page: &Page,
    ) -> Result<Paged<EventRecord>> {
        let (lo, hi) = entry_range(self.execution_id(arn)?);
        let after = match &page.token {
            // Past every possible id: nothing after it, everything before it.
            Some(t) => Some(parse_number_token(t)?.min(1 << 32) as i64),
            None => None,
        };
        let n = limit(page);
        let (sql, from, to) = if reverse {
            (
                "SELECT key, json FROM events WHERE key >= ?1 AND key < ?2 ORDER BY key DESC LIMIT ?3",
                lo,
                after.map_or(hi + 1, |id| lo + id),
            )
        } else {
            (
                "SELECT key, json FROM events WHERE key > ?1 AND key <= ?2 ORDER BY key LIMIT ?3",
                lo + after.unwrap_or(0),
                hi,
            )
        };
        let mut stmt = self.conn.prepare_cached(sql).map_err(db_err)?;
        let rows = stmt.query([from, to, sql_limit(n)]).map_err(db_err)?;
        paged(
            rows,
            n,
            |row| {
                let id = entry_number(col(row, 0)?);
                Ok((
                    EventRecord {
                        id,
                        json: col(row, 1)?,
                    },
                    (),
                ))
            },
            |e, ()| e.id.to_string(),
        )
    }

    pub(super) fn timers(&mut self) -> Result<Vec<TimerRecord>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT e.arn, t.work_id, t.due FROM timers t JOIN executions e ON e.id = t.execution",
            )
            .map_err(db_err)?;
        let mut rows = stmt.query([]).map_err(db_err)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(db_err)? {
            out.push(TimerRecord {
                execution_arn: col(row, 0)?,
                work_id: from_sql_u64(col(row, 1)?),
                due: col(row, 2)?,
            });
        }
        Ok(out)
    }

    pub(super) fn tasks(&mut self) -> Result<Vec<TaskRecord>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT e.arn, t.work_id, t.activity_arn, t.token, t.scheduled, t.request, t.started \
                 FROM tasks t JOIN executions e ON e.id = t.execution",
            )
            .map_err(db_err)?;
        let mut rows = stmt.query([]).map_err(db_err)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(db_err)? {
            out.push(TaskRecord {
                execution_arn: col(row, 0)?,
                work_id: from_sql_u64(col(row, 1)?),
                activity_arn: col(row, 2)?,
                token: col(row, 3)?,
                scheduled: col(row, 4)?,
                request: col(row, 5)?,
                started: col(row, 6)?,
            });
        }
        Ok(out)
    }

    pub(super) fn map_run(&mut self, arn: &str) -> Result<Option<MapRunRecord>> {
        self.one(
            concat!(
                "SELECT ",
                map_run_columns!(),
                " FROM map_runs WHERE arn = ?1"
            ),
            arn,
            read_map_run,
        )
    }

    pub(super) fn list_map_runs(
        &mut self,
        execution_arn: &str,
        page: &Page,
    ) -> Result<Paged<MapRunRecord>> {
        self.execution_id(execution_arn)?;
        let (date, id) = match &page.token {
            Some(t) => parse_date_token(t)?,
            None => (i64::MAX, i64::MAX),
        };
        let n = limit(page);
        let mut stmt = self
            .conn
            .prepare_cached(concat!(
                "SELECT ",
                map_run_columns!(),
                " FROM map_runs WHERE execution_arn = ?1 \
                 AND (start_date, id) < (?2, ?3) ORDER BY start_date DESC, id DESC LIMIT ?4"
            ))
            .map_err(db_err)?;
        let rows = stmt
            .query(params![execution_arn, date, id, sql_limit(n)])
            .map_err(db_err)?;
        paged(
            rows,
            n,
            |row| Ok((read_map_run(row)?, col::<i64>(row, 9)?)),
            |m, id| date_token(m.start_date, *id),
        )
    }

    pub(super) fn state_machine(&mut self, arn: &str) -> Result<Option<StateMachineRecord>> {
        self.one(
            concat!(
                "SELECT ",
                machine_columns!(),
                " FROM machines WHERE arn = ?1"
            ),
            arn,
            read_machine,
        )
    }

    pub(super) fn list_state_machines(&mut self, page: &Page) -> Result<Paged<StateMachineRecord>> {
        let after = match &page.token {
            Some(t) => to_sql_u64(parse_number_token(t)?),
            None => 0,
        };
        let n = limit(page);
        let mut stmt = self
            .conn
            .prepare_cached(concat!(
                "SELECT ",
                machine_columns!(),
                " FROM machines WHERE seq > ?1 ORDER BY seq LIMIT ?2"
            ))
            .map_err(db_err)?;
        let rows = stmt.query([after, sql_limit(n)]).map_err(db_err)?;
        paged(
            rows,
            n,
            |row| Ok((read_machine(row)?, col::<i64>(row, 12)?)),
            |_, seq| seq.to_string(),
        )
    }

    pub(super) fn version(&mut self, arn: &str) -> Result<Option<VersionRecord>> {
        self.one(
            concat!(
                "SELECT ",
                version_columns!(),
                " FROM versions WHERE arn = ?1"
            ),
            arn,
            read_version,
        )
    }

    pub(super) fn list_versions(
        &mut self,
        machine_arn: &str,
        page: &Page,
    ) -> Result<Paged<VersionRecord>> {
        self.machine_exists(machine_arn)?;
        let before = match &page.token {
            Some(t) => parse_number_token(t)?.min(i64::MAX as u64) as i64,
            None => i64::MAX,
        };
        let n = limit(page);
        let mut stmt = self
            .conn
            .prepare_cached(concat!(
                "SELECT ",
                version_columns!(),
                " FROM versions WHERE machine_arn = ?1 AND version < ?2 \
                 ORDER BY version DESC LIMIT ?3"
            ))
            .map_err(db_err)?;
        let rows = stmt
            .query(params![machine_arn, before, sql_limit(n)])
            .map_err(db_err)?;
        paged(
            rows,
            n,
            |row| Ok((read_version(row)?, ())),
            |v, ()| v.version.to_string(),
        )
    }

    pub(super) fn alias(&mut self, arn: &str) -> Result<Option<AliasRecord>> {
        self.one(
            concat!("SELECT ", alias_columns!(), " FROM aliases WHERE arn = ?1"),
            arn,
            read_alias,
        )
    }

    pub(super) fn list_aliases(
        &mut self,
        machine_arn: &str,
        page: &Page,
    ) -> Result<Paged<AliasRecord>> {
        self.machine_exists(machine_arn)?;
        let after = page.token.as_deref().unwrap_or("");
        let n = limit(page);
        let mut stmt = self
            .conn
            .prepare_cached(concat!(
                "SELECT ",
                alias_columns!(),
                " FROM aliases WHERE machine_arn = ?1 AND arn > ?2 \
                 ORDER BY arn LIMIT ?3"
            ))
            .map_err(db_err)?;
        let rows = stmt
            .query(params![machine_arn, after, sql_limit(n)])
            .map_err(db_err)?;
        paged(
            rows,
            n,
            |row| Ok((read_alias(row)?, ())),
            |a, ()| a.arn.clone(),
        )
    }

    pub(super) fn activity(&mut self, arn: &str) -> Result<Option<ActivityRecord>> {
        self.one(
            concat!(
                "SELECT ",
                activity_columns!(),
                " FROM activities WHERE arn = ?1"
            ),
            arn,
            read_activity,
        )
    }

    pub(super) fn list_activities(&mut self, page: &Page) -> Result<Paged<ActivityRecord>> {
        let after = match &page.token {
            Some(t) => to_sql_u64(parse_number_token(t)?),
            None => 0,
        };
        let n = limit(page);
        let mut stmt = self
            .conn
            .prepare_cached(concat!(
                "SELECT ",
                activity_columns!(),
                " FROM activities WHERE seq > ?1 ORDER BY seq LIMIT ?2"
            ))
            .map_err(db_err)?;
        let rows = stmt.query([after, sql_limit(n)]).map_err(db_err)?;
        paged(
            rows,
            n,
            |row| Ok((read_activity(row)?, col::<i64>(row, 4)?)),
            |_, seq| seq.to_string(),
        )
    }

    pub(super) fn trigger(
        &mut self,
        kind: TriggerKind,
        name: &str,
    ) -> Result<Option<TriggerRecord>> {
        self.conn
            .prepare_cached(
                "SELECT kind, name, body, created, updated, cursor FROM triggers \
                 WHERE kind = ?1 AND name = ?2",
            )
            .map_err(db_err)?
            .query_row(params![kind.as_str(), name], |row| Ok(read_trigger(row)))
            .optional()
            .map_err(db_err)?
            .transpose()
    }

    pub(super) fn triggers(&mut self, kind: TriggerKind) -> Result<Vec<TriggerRecord>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT kind, name, body, created, updated, cursor FROM triggers \
                 WHERE kind = ?1 ORDER BY name",
            )
            .map_err(db_err)?;
        let mut rows = stmt.query([kind.as_str()]).map_err(db_err)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(db_err)? {
            out.push(read_trigger(row)?);
        }
        Ok(out)
    }

    pub(super) fn outbox(&mut self) -> Result<Vec<OutboxRecord>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, body FROM outbox ORDER BY seq")
            .map_err(db_err)?;
        let mut rows = stmt.query([]).map_err(db_err)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(db_err)? {
            out.push(OutboxRecord {
                id: row.get(0).map_err(db_err)?,
                body: row.get(1).map_err(db_err)?,
            });
        }
        Ok(out)
    }

    pub(super) fn deliveries(&mut self) -> Result<Vec<DeliveryRecord>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, rule, target, input, at FROM deliveries ORDER BY at, id")
            .map_err(db_err)?;
        let mut rows = stmt.query([]).map_err(db_err)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(db_err)? {
            out.push(DeliveryRecord {
                id: row.get(0).map_err(db_err)?,
                rule: row.get(1).map_err(db_err)?,
                target: row.get(2).map_err(db_err)?,
                input: row.get(3).map_err(db_err)?,
                at: row.get(4).map_err(db_err)?,
            });
        }
        Ok(out)
    }

    pub(super) fn express_starts(&mut self) -> Result<Vec<ExpressStartRecord>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT arn, body, at FROM express_starts ORDER BY at, arn")
            .map_err(db_err)?;
        let mut rows = stmt.query([]).map_err(db_err)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(db_err)? {
            out.push(ExpressStartRecord {
                arn: row.get(0).map_err(db_err)?,
                body: row.get(1).map_err(db_err)?,
                at: row.get(2).map_err(db_err)?,
            });
        }
        Ok(out)
    }

    pub(super) fn list_dead_letters(&mut self, page: &Page) -> Result<Paged<DeadLetterRecord>> {
        let before = match &page.token {
            Some(t) => to_sql_u64(parse_number_token(t)?),
            None => i64::MAX,
        };
        let n = limit(page);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT seq, kind, name, at, target, input, error, cause, attempts \
                 FROM dead_letters WHERE seq < ?1 ORDER BY seq DESC LIMIT ?2",
            )
            .map_err(db_err)?;
        let rows = stmt.query([before, sql_limit(n)]).map_err(db_err)?;
        paged(
            rows,
            n,
            |row| {
                let kind: String = col(row, 1)?;
                Ok((
                    DeadLetterRecord {
                        seq: from_sql_u64(col(row, 0)?),
                        kind: trigger_kind("dead_letters", &kind)?,
                        name: col(row, 2)?,
                        at: col(row, 3)?,
                        target: col(row, 4)?,
                        input: col(row, 5)?,
                        error: col(row, 6)?,
                        cause: col(row, 7)?,
                        attempts: col(row, 8)?,
                    },
                    (),
                ))
            },
            |l, ()| l.seq.to_string(),
        )
    }

    pub(super) fn tags(&mut self, arn: &str) -> Result<Vec<Tag>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT key, value FROM tags WHERE resource_arn = ?1 ORDER BY key")
            .map_err(db_err)?;
        let mut rows = stmt.query([arn]).map_err(db_err)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(db_err)? {
            out.push(Tag {
                key: col(row, 0)?,
                value: col(row, 1)?,
            });
        }
        Ok(out)
    }
}

/// The query listing executions that match `filter`, newest first. Parameters: ?1 the
/// machine (or version or alias) ARN, ?2 the status, ?3 the Map Run ARN, ?4 and ?5 the
/// start date and id of the previous page's last item (when `after`), ?6 the limit.
///
/// A machine ARN may name the executions' machine, version or alias: each of the three
/// columns has its index, so the query reads a page off each (two of them find nothing)
/// and merges them, rather than scanning with an `OR`.
pub(super) fn executions_sql(filter: &ExecutionFilter, after: bool) -> String {
    let mut rest = String::new();
    if filter.status.is_some() {
        rest.push_str(" AND e.status = ?2");
    }
    if filter.map_run_arn.is_some() {
        rest.push_str(" AND e.map_run_arn = ?3");
    }
    match filter.redriven {
        Some(true) => rest.push_str(" AND e.redrive_count > 0"),
        Some(false) => rest.push_str(" AND e.redrive_count = 0"),
        None => {}
    }
    if after {
        rest.push_str(" AND (e.start_date, e.id) < (?4, ?5)");
    }
    let order = "ORDER BY e.start_date DESC, e.id DESC LIMIT ?6";
    if filter.machine_arn.is_some() {
        let branch = |column: &str| {
            format!(
                "SELECT * FROM (SELECT {columns} FROM executions e \
                 WHERE e.{column} = ?1{rest} {order})",
                columns = execution_columns!()
            )
        };
        format!(
            "SELECT * FROM ({} UNION ALL {} UNION ALL {}) ORDER BY start_date DESC, id DESC LIMIT ?6",
            branch("machine_arn"),
            branch("version_arn"),
            branch("alias_arn"),
        )
    } else {
        format!(
            "SELECT {} FROM executions e WHERE 1{rest} {order}",
            execution_columns!()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(conn: &Connection, sql: &str) -> Vec<String> {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let nulls = std::iter::repeat_n(rusqlite::types::Null, stmt.parameter_count());
        stmt.query_map(rusqlite::params_from_iter(nulls), |row| {
            row.get::<_, String>(3)
        })
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
    }

    /// Every listing reads an index in the listing's order: no scan of the table without
    /// an index and no sort of its rows (only the merge of a machine ARN's three branches
    /// sorts, the three pages it read).
    #[test]
    fn listings_read_indexes_in_order() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::schema::migrate(&mut conn).unwrap();
        for machine in [false, true] {
            for status in [false, true] {
                for map_run in [false, true] {
                    for redriven in [None, Some(true)] {
                        for after in [false, true] {
                            let filter = ExecutionFilter {
                                machine_arn: machine.then(|| "m".into()),
                                status: status.then_some(ExecutionStatus::Running),
                                map_run_arn: map_run.then(|| "r".into()),
                                redriven,
                            };
                            let sql = executions_sql(&filter, after);
                            let plan = plan(&conn, &sql);
                            let scans: Vec<&String> = plan
                                .iter()
                                .filter(|d| d.starts_with("SCAN e") && !d.contains("INDEX"))
                                .collect();
                            assert!(scans.is_empty(), "{filter:?}: {plan:?}");
                            let sorts = plan.iter().filter(|d| d.contains("TEMP B-TREE")).count();
                            // A machine ARN's three branches are merged: each branch's page (at most
                            // `limit + 1` rows, read off its index in order) is sorted again.
                            let most = if machine { 3 } else { 0 };
                            assert!(sorts <= most, "{filter:?}: {plan:?}");
                            if machine && status && !map_run {
                                assert!(
                                    plan.iter()
                                        .any(|d| d.contains("executions_by_machine_status")),
                                    "{plan:?}"
                                );
                            }
                        }
                    }
                }
            }
        }
        for sql in [
            "SELECT key, json FROM events WHERE key > 1 AND key <= 2 ORDER BY key LIMIT 3",
            "SELECT key, json FROM events WHERE key >= 1 AND key < 2 ORDER BY key DESC LIMIT 3",
            "SELECT id FROM executions e WHERE e.status IN ('RUNNING', 'PENDING_REDRIVE')",
            "SELECT id FROM map_runs WHERE execution_arn = 'x' AND (start_date, id) < (1, 2) \
             ORDER BY start_date DESC, id DESC LIMIT 4",
        ] {
            let plan = plan(&conn, sql);
            assert!(
                plan.iter().all(|d| !d.contains("TEMP B-TREE")
                    && (!d.starts_with("SCAN") || d.contains("INDEX"))),
                "{sql}: {plan:?}"
            );
        }
    }
}
