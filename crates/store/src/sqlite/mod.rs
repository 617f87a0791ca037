//! [`SqliteStore`]: the store of a single node, in one SQLite file (WAL mode).
//!
//! - `schema`: tables, indexes, migrations and connection settings;
//! - `writer`: the writer thread and group commit;
//! - `writes`: the SQL of every write;
//! - `reads`: the reading threads and the SQL of every read;
//! - `codecs`: rows to records and back, SQLite errors to [`StoreError`].
//!
//! No async task ever runs SQLite: writes go to the writer thread, reads to the reading
//! threads, and the returned futures wait on oneshot channels. The store thus works under
//! any executor (or none).

mod checkpointer;
mod codecs;
mod reads;
mod schema;
mod writer;
mod writes;

use std::future::ready;
use std::path::Path;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rusqlite::Connection;

use self::checkpointer::Checkpointer;
use self::codecs::db_err;
use self::reads::{Reader, Readers};
use self::writer::{Op, Writer};
use crate::*;

/// How durable a commit is when it returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// Synced to disk at every group commit: survives a power loss (`synchronous=FULL`).
    #[default]
    Full,
    /// Written to the operating system at every group commit, synced at checkpoints:
    /// survives the process's crash (`kill -9`), not a power loss (`synchronous=NORMAL`).
    Normal,
}

/// How to open a [`SqliteStore`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqliteOptions {
    /// How durable a commit is when it returns.
    pub synchronous: Durability,
    /// How long to wait for a lock another process holds (a backup tool, the `sqlite3`
    /// shell) before failing.
    pub busy_timeout: Duration,
    /// The most pages (of 4 KiB) the database may grow to; past it writes fail with
    /// [`StoreError::Full`], as on a full disk. For tests; `None` in production.
    pub max_page_count: Option<u64>,
    /// How many reading connections, each on its own thread (at least one).
    pub readers: usize,
}

impl Default for SqliteOptions {
    fn default() -> SqliteOptions {
        SqliteOptions {
            synchronous: Durability::Full,
            busy_timeout: Duration::from_secs(5),
            max_page_count: None,
            readers: 4,
        }
    }
}

/// A [`Store`] in a SQLite file. See the module's documentation.
pub struct SqliteStore {
    closed: AtomicBool,
    /// The secret, once read: it never changes.
    secret: OnceLock<[u8; 32]>,
    // Dropped in this order: the writer finishes what is queued, then the checkpointer and
    // the readers stop.
    writer: Writer,
    #[allow(dead_code)] // held for its thread
    checkpointer: Checkpointer,
    readers: Readers,
}

impl SqliteStore {
    /// Opens the database at `path`, creating the file and its schema if needed (and
    /// bringing an older schema up to date). This blocks (file I/O, migrations): call it
    /// before serving, or on a blocking thread.
    pub fn open(path: &Path, options: SqliteOptions) -> Result<SqliteStore> {
        let mut conn = Connection::open(path).map_err(db_err)?;
        schema::configure_writer(&conn, &options)?;
        schema::migrate(&mut conn)?;
        let readers = Readers::start(path, &options)?;
        let checkpointer = Checkpointer::start(path, &options)?;
        let writer = Writer::start(conn, checkpointer.nudger())?;
        Ok(SqliteStore {
            closed: AtomicBool::new(false),
            secret: OnceLock::new(),
            writer,
            checkpointer,
            readers,
        })
    }

    /// Changes the most pages the database may grow to (`None`: no limit but SQLite's).
    /// For tests of a full disk: lifting the limit is like freeing disk space.
    pub fn set_max_page_count(&self, pages: Option<u64>) -> BoxFuture<'_, Result<()>> {
        // SQLite's largest page count.
        let pages = pages.unwrap_or(0xFFFF_FFFE).min(i64::MAX as u64) as i64;
        self.write(move |conn| {
            conn.pragma_update(None, "max_page_count", pages)
                .map_err(db_err)
        })
    }

    fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Sends a write to the writer thread.
    fn write(
        &self,
        write: impl FnMut(&Connection) -> Result<()> + Send + 'static,
    ) -> BoxFuture<'_, Result<()>> {
        if self.is_closed() {
            return Box::pin(ready(Err(StoreError::Closed)));
        }
        self.writer
            .request(|reply| Op::Write(Box::new(write), reply))
    }

    /// Runs a read on a reading thread.
    fn read<T: Send + 'static>(
        &self,
        read: impl FnOnce(&mut Reader) -> Result<T> + Send + 'static,
    ) -> BoxFuture<'_, Result<T>> {
        if self.is_closed() {
            return Box::pin(ready(Err(StoreError::Closed)));
        }
        self.readers.run(read)
    }
}

impl Store for SqliteStore {
    fn commit(&self, commit: ExecutionCommit) -> BoxFuture<'_, Result<()>> {
        if self.is_closed() {
            return Box::pin(ready(Err(StoreError::Closed)));
        }
        self.writer
            .request(|reply| Op::Commit(Box::new(commit), reply))
    }

    fn execution(&self, arn: &str) -> BoxFuture<'_, Result<Option<ExecutionRecord>>> {
        let arn = arn.to_owned();
        self.read(move |r| r.execution(&arn))
    }

    fn list_executions(
        &self,
        filter: ExecutionFilter,
        page: Page,
    ) -> BoxFuture<'_, Result<Paged<ExecutionRecord>>> {
        self.read(move |r| r.list_executions(&filter, &page))
    }

    fn open_executions(&self) -> BoxFuture<'_, Result<Vec<ExecutionRecord>>> {
        self.read(|r| r.open_executions())
    }

    fn journal(&self, execution_arn: &str) -> BoxFuture<'_, Result<Vec<JournalEntry>>> {
        let arn = execution_arn.to_owned();
        self.read(move |r| r.journal(&arn))
    }

    fn history(
        &self,
        execution_arn: &str,
        reverse: bool,
        page: Page,
    ) -> BoxFuture<'_, Result<Paged<EventRecord>>> {
        let arn = execution_arn.to_owned();
        self.read(move |r| r.history(&arn, reverse, &page))
    }

    fn timers(&self) -> BoxFuture<'_, Result<Vec<TimerRecord>>> {
        self.read(|r| r.timers())
    }

    fn tasks(&self) -> BoxFuture<'_, Result<Vec<TaskRecord>>> {
        self.read(|r| r.tasks())
    }

    fn map_run(&self, arn: &str) -> BoxFuture<'_, Result<Option<MapRunRecord>>> {
        let arn = arn.to_owned();
        self.read(move |r| r.map_run(&arn))
    }

    fn list_map_runs(
        &self,
        execution_arn: &str,
        page: Page,
    ) -> BoxFuture<'_, Result<Paged<MapRunRecord>>> {
        let arn = execution_arn.to_owned();
        self.read(move |r| r.list_map_runs(&arn, &page))
    }

    fn create_state_machine(&self, machine: StateMachineRecord) -> BoxFuture<'_, Result<()>> {
        self.write(move |conn| writes::create_machine(conn, &machine))
    }

    fn update_state_machine(&self, machine: StateMachineRecord) -> BoxFuture<'_, Result<()>> {
        self.write(move |conn| writes::update_machine(conn, &machine))
    }

    fn delete_state_machine(&self, arn: &str) -> BoxFuture<'_, Result<()>> {
        let arn = arn.to_owned();
        self.write(move |conn| writes::delete_machine(conn, &arn))
    }

    fn state_machine(&self, arn: &str) -> BoxFuture<'_, Result<Option<StateMachineRecord>>> {
        let arn = arn.to_owned();
        self.read(move |r| r.state_machine(&arn))
    }

    fn list_state_machines(&self, page: Page) -> BoxFuture<'_, Result<Paged<StateMachineRecord>>> {
        self.read(move |r| r.list_state_machines(&page))
    }

    fn create_version(&self, version: VersionRecord) -> BoxFuture<'_, Result<()>> {
        self.write(move |conn| writes::create_version(conn, &version))
    }

    fn version(&self, arn: &str) -> BoxFuture<'_, Result<Option<VersionRecord>>> {
        let arn = arn.to_owned();
        self.read(move |r| r.version(&arn))
    }

    fn list_versions(
        &self,
        machine_arn: &str,
        page: Page,
    ) -> BoxFuture<'_, Result<Paged<VersionRecord>>> {
        let arn = machine_arn.to_owned();
        self.read(move |r| r.list_versions(&arn, &page))
    }

    fn delete_version(&self, arn: &str) -> BoxFuture<'_, Result<()>> {
        let arn = arn.to_owned();
        self.write(move |conn| writes::delete_version(conn, &arn))
    }

    fn put_alias(&self, alias: AliasRecord) -> BoxFuture<'_, Result<()>> {
        self.write(move |conn| writes::put_alias(conn, &alias))
    }

    fn alias(&self, arn: &str) -> BoxFuture<'_, Result<Option<AliasRecord>>> {
        let arn = arn.to_owned();
        self.read(move |r| r.alias(&arn))
    }

    fn list_aliases(
        &self,
        machine_arn: &str,
        page: Page,
    ) -> BoxFuture<'_, Result<Paged<AliasRecord>>> {
        let arn = machine_arn.to_owned();
        self.read(move |r| r.list_aliases(&arn, &page))
    }

    fn delete_alias(&self, arn: &str) -> BoxFuture<'_, Result<()>> {
        let arn = arn.to_owned();
        self.write(move |conn| writes::delete_alias(conn, &arn))
    }

    fn create_activity(&self, activity: ActivityRecord) -> BoxFuture<'_, Result<()>> {
        self.write(move |conn| writes::create_activity(conn, &activity))
    }

    fn activity(&self, arn: &str) -> BoxFuture<'_, Result<Option<ActivityRecord>>> {
        let arn = arn.to_owned();
        self.read(move |r| r.activity(&arn))
    }

    fn list_activities(&self, page: Page) -> BoxFuture<'_, Result<Paged<ActivityRecord>>> {
        self.read(move |r| r.list_activities(&page))
    }

    fn delete_activity(&self, arn: &str) -> BoxFuture<'_, Result<()>> {
        let arn = arn.to_owned();
        self.write(move |conn| writes::delete_activity(conn, &arn))
    }

    fn tags(&self, resource_arn: &str) -> BoxFuture<'_, Result<Vec<Tag>>> {
        let arn = resource_arn.to_owned();
        self.read(move |r| r.tags(&arn))
    }

    fn tag(&self, resource_arn: &str, tags: Vec<Tag>) -> BoxFuture<'_, Result<()>> {
        let arn = resource_arn.to_owned();
        self.write(move |conn| writes::tag(conn, &arn, &tags))
    }

    fn untag(&self, resource_arn: &str, keys: Vec<String>) -> BoxFuture<'_, Result<()>> {
        let arn = resource_arn.to_owned();
        self.write(move |conn| writes::untag(conn, &arn, &keys))
    }

    fn create_trigger(&self, trigger: TriggerRecord) -> BoxFuture<'_, Result<()>> {
        self.write(move |conn| writes::create_trigger(conn, &trigger))
    }

    fn update_trigger(&self, trigger: TriggerRecord) -> BoxFuture<'_, Result<()>> {
        self.write(move |conn| writes::update_trigger(conn, &trigger))
    }

    fn delete_trigger(&self, kind: TriggerKind, name: &str) -> BoxFuture<'_, Result<()>> {
        let name = name.to_owned();
        self.write(move |conn| writes::delete_trigger(conn, kind, &name))
    }

    fn trigger(
        &self,
        kind: TriggerKind,
        name: &str,
    ) -> BoxFuture<'_, Result<Option<TriggerRecord>>> {
        let name = name.to_owned();
        self.read(move |r| r.trigger(kind, &name))
    }

    fn triggers(&self, kind: TriggerKind) -> BoxFuture<'_, Result<Vec<TriggerRecord>>> {
        self.read(move |r| r.triggers(kind))
    }

    fn set_trigger_cursor(
        &self,
        kind: TriggerKind,
        name: &str,
        cursor: i64,
    ) -> BoxFuture<'_, Result<()>> {
        let name = name.to_owned();
        self.write(move |conn| writes::set_trigger_cursor(conn, kind, &name, cursor))
    }

    fn outbox(&self) -> BoxFuture<'_, Result<Vec<OutboxRecord>>> {
        self.read(|r| r.outbox())
    }

    fn delete_outbox(&self, id: &str) -> BoxFuture<'_, Result<()>> {
        let id = id.to_owned();
        self.write(move |conn| writes::delete_outbox(conn, &id))
    }

    fn add_deliveries(&self, deliveries: Vec<DeliveryRecord>) -> BoxFuture<'_, Result<()>> {
        self.write(move |conn| writes::add_deliveries(conn, &deliveries))
    }

    fn delete_delivery(&self, id: &str) -> BoxFuture<'_, Result<()>> {
        let id = id.to_owned();
        self.write(move |conn| writes::delete_delivery(conn, &id))
    }

    fn deliveries(&self) -> BoxFuture<'_, Result<Vec<DeliveryRecord>>> {
        self.read(|r| r.deliveries())
    }

    fn add_express_start(&self, start: ExpressStartRecord) -> BoxFuture<'_, Result<()>> {
        self.write(move |conn| writes::add_express_start(conn, &start))
    }

    fn delete_express_start(&self, arn: &str) -> BoxFuture<'_, Result<()>> {
        let arn = arn.to_owned();
        self.write(move |conn| writes::delete_express_start(conn, &arn))
    }

    fn express_starts(&self) -> BoxFuture<'_, Result<Vec<ExpressStartRecord>>> {
        self.read(|r| r.express_starts())
    }

    fn add_dead_letter(&self, letter: DeadLetterRecord) -> BoxFuture<'_, Result<u64>> {
        // The write may be applied again after a rollback: the last application's number
        // is the one that stays.
        let seq = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let slot = std::sync::Arc::clone(&seq);
        let written = self.write(move |conn| {
            let n = writes::add_dead_letter(conn, &letter)?;
            slot.store(n, Ordering::Release);
            Ok(())
        });
        Box::pin(async move {
            written.await?;
            Ok(seq.load(Ordering::Acquire))
        })
    }

    fn list_dead_letters(&self, page: Page) -> BoxFuture<'_, Result<Paged<DeadLetterRecord>>> {
        self.read(move |r| r.list_dead_letters(&page))
    }

    fn secret(&self) -> BoxFuture<'_, Result<[u8; 32]>> {
        if self.is_closed() {
            return Box::pin(ready(Err(StoreError::Closed)));
        }
        if let Some(secret) = self.secret.get() {
            return Box::pin(ready(Ok(*secret)));
        }
        let answer = self.writer.request(Op::Secret);
        Box::pin(async move {
            let secret = answer.await?;
            // Every caller gets the stored secret: the writer makes it once.
            Ok(*self.secret.get_or_init(|| secret))
        })
    }

    fn close(&self) -> BoxFuture<'_, Result<()>> {
        if self.closed.swap(true, Ordering::AcqRel) {
            return Box::pin(ready(Ok(())));
        }
        let closed = self.writer.close();
        self.readers.close();
        Box::pin(async move {
            closed.await;
            Ok(())
        })
    }
}
