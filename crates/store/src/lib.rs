//! Durable storage behind one trait, [`Store`].
//!
//! What is stored, and why:
//! - **Definitions of the API's resources**: state machines, versions, aliases,
//!   activities, tags.
//! - **Executions**: one record each, with their status, input and output.
//! - **Journals**: every input applied to an execution's engine, in order, with the time
//!   it was applied at. The engine is deterministic, so replaying the journal rebuilds the
//!   execution exactly: this is how executions survive a crash.
//! - **Histories**: the events the engine emitted, in AWS's JSON shape, paged by id.
//! - **Outstanding work**: timers and tasks an execution waits for, so that a restarted
//!   server re-arms the timers (firing those that fell due while it was down) and
//!   re-dispatches or re-offers the tasks.
//! - **Accepted Express executions**, until they end: they keep no journal, and are
//!   started again after a crash (AWS runs asynchronous Express executions at least
//!   once).
//!
//! Architecture invariant: everything one engine step produced (journal entry, events,
//! work changes, status) is written by one [`Store::commit`] in one transaction, before
//! any effect of that step is performed. Backends group the commits of concurrent
//! executions into one transaction so that durability does not cost one sync per step.
//!
//! This crate holds the types and the trait, and two backends: [`MemoryStore`] (tests,
//! runs without a data directory) and [`SqliteStore`] (one node, durable). Both follow the
//! same rules, written on the trait's methods, and one test suite runs against both.

mod check;
mod memory;
mod paging;
mod records;
mod sqlite;

use std::future::Future;
use std::pin::Pin;

pub use memory::MemoryStore;
pub use records::*;
pub use sqlite::{Durability, SqliteOptions, SqliteStore};

/// A boxed future, as the object-safe [`Store`] returns them.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What went wrong in a store.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The record does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// A record with this key exists already.
    #[error("already exists: {0}")]
    AlreadyExists(String),
    /// The storage is full (disk full); nothing of the failed commit was written.
    #[error("the storage is full: {0}")]
    Full(String),
    /// A page token that this store did not hand out (or that does not fit this listing).
    #[error("invalid page token: {0}")]
    InvalidToken(String),
    /// The store is closed (shutting down).
    #[error("the store is closed")]
    Closed,
    /// Any other failure of the storage; nothing of the failed commit was written.
    #[error("storage error: {0}")]
    Backend(String),
}

/// Result of a store operation.
pub type Result<T> = std::result::Result<T, StoreError>;

/// Durable storage. Object-safe: a server holds an `Arc<dyn Store>`.
///
/// Rules every backend follows:
/// - Page tokens are opaque; a malformed one fails with [`StoreError::InvalidToken`]. A
///   page has a `next` token only when more items follow it. `Page::limit` 0 means 100.
/// - Methods that name a parent record (an execution's journal, history or Map Runs; a
///   machine's versions or aliases) fail with [`StoreError::NotFound`] when it does not
///   exist; deleting a record that does not exist fails with [`StoreError::NotFound`].
/// - Tags are kept per ARN without checking that the resource exists (the server does).
/// - After [`Store::close`], every method fails with [`StoreError::Closed`].
pub trait Store: Send + Sync + 'static {
    // ----- executions: the hot path -----

    /// Writes everything one engine step of one execution produced, atomically. A commit
    /// with `create` set inserts the execution (and fails with
    /// [`StoreError::AlreadyExists`] if its ARN exists); without it, the execution must
    /// exist ([`StoreError::NotFound`]). Commits of one execution are applied in the order
    /// `commit` was called (the order of the calls, not of the first polls of the futures).
    /// Backends may group concurrent commits into one transaction; a commit returns once it
    /// is durable. A failed commit writes nothing.
    ///
    /// The store keeps `event_count` and `journal_len` itself (those of a `create` record
    /// are ignored): the commit's journal entries must continue the journal (the first
    /// `seq` is `journal_len`, then one by one) and its events the history (the first id is
    /// `event_count + 1`), else the commit fails with [`StoreError::Backend`]; so a journal
    /// never has gaps. The ARNs in `create`, timers, tasks and Map Runs must be the
    /// commit's `execution_arn`. Timers and tasks are set before the cleared ones are
    /// removed, so a step that schedules and cancels the same work leaves none.
    fn commit(&self, commit: ExecutionCommit) -> BoxFuture<'_, Result<()>>;

    /// One execution.
    fn execution(&self, arn: &str) -> BoxFuture<'_, Result<Option<ExecutionRecord>>>;

    /// Executions, newest first (by start date, then most recently created first),
    /// filtered, a page at a time.
    fn list_executions(
        &self,
        filter: ExecutionFilter,
        page: Page,
    ) -> BoxFuture<'_, Result<Paged<ExecutionRecord>>>;

    /// Executions that have not ended (for recovery), in no particular order.
    fn open_executions(&self) -> BoxFuture<'_, Result<Vec<ExecutionRecord>>>;

    /// An execution's journal, in order ([`StoreError::NotFound`] for an unknown execution).
    fn journal(&self, execution_arn: &str) -> BoxFuture<'_, Result<Vec<JournalEntry>>>;

    /// A page of an execution's history: events by id, ascending (or descending when
    /// `reverse`), starting after the event id in `page.token` (a decimal id; absent: from
    /// the start, or from the end when reversed). [`StoreError::NotFound`] for an unknown
    /// execution.
    fn history(
        &self,
        execution_arn: &str,
        reverse: bool,
        page: Page,
    ) -> BoxFuture<'_, Result<Paged<EventRecord>>>;

    /// Every timer not yet fired, of every execution.
    fn timers(&self) -> BoxFuture<'_, Result<Vec<TimerRecord>>>;

    /// Every task not yet finished, of every execution.
    fn tasks(&self) -> BoxFuture<'_, Result<Vec<TaskRecord>>>;

    /// One Map Run.
    fn map_run(&self, arn: &str) -> BoxFuture<'_, Result<Option<MapRunRecord>>>;

    /// An execution's Map Runs, newest first, a page at a time.
    fn list_map_runs(
        &self,
        execution_arn: &str,
        page: Page,
    ) -> BoxFuture<'_, Result<Paged<MapRunRecord>>>;

    // ----- state machines, versions, aliases -----

    /// Creates a state machine ([`StoreError::AlreadyExists`] if its ARN exists).
    fn create_state_machine(&self, machine: StateMachineRecord) -> BoxFuture<'_, Result<()>>;

    /// Replaces a state machine ([`StoreError::NotFound`] if it does not exist).
    fn update_state_machine(&self, machine: StateMachineRecord) -> BoxFuture<'_, Result<()>>;

    /// Deletes a state machine with its versions, aliases and tags (and theirs); its
    /// executions stay.
    fn delete_state_machine(&self, arn: &str) -> BoxFuture<'_, Result<()>>;

    /// One state machine.
    fn state_machine(&self, arn: &str) -> BoxFuture<'_, Result<Option<StateMachineRecord>>>;

    /// State machines in creation order, a page at a time.
    fn list_state_machines(&self, page: Page) -> BoxFuture<'_, Result<Paged<StateMachineRecord>>>;

    /// Adds a version ([`StoreError::AlreadyExists`] if its ARN exists,
    /// [`StoreError::NotFound`] if its state machine does not).
    fn create_version(&self, version: VersionRecord) -> BoxFuture<'_, Result<()>>;

    /// One version.
    fn version(&self, arn: &str) -> BoxFuture<'_, Result<Option<VersionRecord>>>;

    /// A state machine's versions, newest first, a page at a time.
    fn list_versions(
        &self,
        machine_arn: &str,
        page: Page,
    ) -> BoxFuture<'_, Result<Paged<VersionRecord>>>;

    /// Deletes a version.
    fn delete_version(&self, arn: &str) -> BoxFuture<'_, Result<()>>;

    /// Creates or replaces an alias ([`StoreError::NotFound`] if its state machine does
    /// not exist).
    fn put_alias(&self, alias: AliasRecord) -> BoxFuture<'_, Result<()>>;

    /// One alias.
    fn alias(&self, arn: &str) -> BoxFuture<'_, Result<Option<AliasRecord>>>;

    /// A state machine's aliases, by ARN, a page at a time.
    fn list_aliases(
        &self,
        machine_arn: &str,
        page: Page,
    ) -> BoxFuture<'_, Result<Paged<AliasRecord>>>;

    /// Deletes an alias.
    fn delete_alias(&self, arn: &str) -> BoxFuture<'_, Result<()>>;

    // ----- activities and tags -----

    /// Creates an activity ([`StoreError::AlreadyExists`] if its ARN exists).
    fn create_activity(&self, activity: ActivityRecord) -> BoxFuture<'_, Result<()>>;

    /// One activity.
    fn activity(&self, arn: &str) -> BoxFuture<'_, Result<Option<ActivityRecord>>>;

    /// Activities in creation order, a page at a time.
    fn list_activities(&self, page: Page) -> BoxFuture<'_, Result<Paged<ActivityRecord>>>;

    /// Deletes an activity.
    fn delete_activity(&self, arn: &str) -> BoxFuture<'_, Result<()>>;

    /// A resource's tags, by key.
    fn tags(&self, resource_arn: &str) -> BoxFuture<'_, Result<Vec<Tag>>>;

    /// Adds or replaces tags of a resource.
    fn tag(&self, resource_arn: &str, tags: Vec<Tag>) -> BoxFuture<'_, Result<()>>;

    /// Removes tags of a resource by key.
    fn untag(&self, resource_arn: &str, keys: Vec<String>) -> BoxFuture<'_, Result<()>>;

    // ----- triggers (webhooks, schedules, event rules) and their dead letters -----

    /// Creates a trigger ([`StoreError::AlreadyExists`] if one of its kind and name exists).
    fn create_trigger(&self, trigger: TriggerRecord) -> BoxFuture<'_, Result<()>>;

    /// Replaces a trigger, cursor included ([`StoreError::NotFound`] if it does not exist);
    /// its creation date stays.
    fn update_trigger(&self, trigger: TriggerRecord) -> BoxFuture<'_, Result<()>>;

    /// Deletes a trigger.
    fn delete_trigger(&self, kind: TriggerKind, name: &str) -> BoxFuture<'_, Result<()>>;

    /// One trigger.
    fn trigger(
        &self,
        kind: TriggerKind,
        name: &str,
    ) -> BoxFuture<'_, Result<Option<TriggerRecord>>>;

    /// Every trigger of a kind, by name.
    fn triggers(&self, kind: TriggerKind) -> BoxFuture<'_, Result<Vec<TriggerRecord>>>;

    /// Moves a trigger's cursor, leaving the rest of it alone ([`StoreError::NotFound`] if
    /// it does not exist). Cheap: a schedule moves its cursor at every occurrence.
    fn set_trigger_cursor(
        &self,
        kind: TriggerKind,
        name: &str,
        cursor: i64,
    ) -> BoxFuture<'_, Result<()>>;

    /// Every outbox message kept (see [`ExecutionCommit::outbox`]), oldest first.
    fn outbox(&self) -> BoxFuture<'_, Result<Vec<OutboxRecord>>>;

    /// Deletes an outbox message; nothing happens if it is not kept.
    fn delete_outbox(&self, id: &str) -> BoxFuture<'_, Result<()>>;

    /// Keeps deliveries of events to targets, all or none (an id already kept is
    /// replaced).
    fn add_deliveries(&self, deliveries: Vec<DeliveryRecord>) -> BoxFuture<'_, Result<()>>;

    /// Forgets a delivery (made, or given up); nothing happens if it is not kept.
    fn delete_delivery(&self, id: &str) -> BoxFuture<'_, Result<()>>;

    /// Every delivery kept, oldest first.
    fn deliveries(&self) -> BoxFuture<'_, Result<Vec<DeliveryRecord>>>;

    /// Keeps an accepted Express execution until it ends (an ARN already kept is
    /// replaced).
    fn add_express_start(&self, start: ExpressStartRecord) -> BoxFuture<'_, Result<()>>;

    /// Forgets an Express execution that ended; nothing happens if it is not kept.
    fn delete_express_start(&self, arn: &str) -> BoxFuture<'_, Result<()>>;

    /// Every Express execution kept, oldest first.
    fn express_starts(&self) -> BoxFuture<'_, Result<Vec<ExpressStartRecord>>>;

    /// Adds a dead letter; the store numbers it (its `seq` is ignored) and returns the
    /// number.
    fn add_dead_letter(&self, letter: DeadLetterRecord) -> BoxFuture<'_, Result<u64>>;

    /// Dead letters, newest first, a page at a time (the token is the last one's number).
    fn list_dead_letters(&self, page: Page) -> BoxFuture<'_, Result<Paged<DeadLetterRecord>>>;

    // ----- the store itself -----

    /// A 32-byte random secret, created on first use and the same ever after (and on every
    /// node sharing the store): the key task tokens are signed with.
    fn secret(&self) -> BoxFuture<'_, Result<[u8; 32]>>;

    /// Finishes pending commits and closes the store; later calls fail with
    /// [`StoreError::Closed`] (except `close` itself, which does nothing more).
    fn close(&self) -> BoxFuture<'_, Result<()>>;
}
