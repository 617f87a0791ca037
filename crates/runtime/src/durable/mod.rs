//! The durable runtime: runs many executions at once, Standard ones checkpointed in a
//! [`Store`], Express ones in memory.
//!
//! Each open execution lives in memory as its engine plus the work it waits for
//! ([`live`]). Everything that happens to it (start, a task's outcome, a timer, a stop
//! request, a worker's report) is one *step*: the engine applies the input; the input, the
//! new history events, the changes to outstanding work and the status are committed in
//! one [`ExecutionCommit`]; only then are the effects performed (tasks dispatched, timers
//! armed). Steps of one execution run one at a time; steps of different executions run
//! concurrently and the store groups their commits.
//!
//! [`Runtime::redrive`] carries on an execution that failed, timed out or was aborted
//! ([`redrive`]): read back from the store and replayed, it takes the redrive as one more
//! step and is open again.
//!
//! After a crash, [`Runtime::open`] rebuilds every open execution by replaying its
//! journal through the deterministic engine (no event is emitted twice: the history is
//! already stored), re-arms its timers (those that fell due meanwhile fire at once) and
//! dispatches again the tasks that had not started. A task that was running when the
//! server died is run again: state transitions happen exactly once, task invocations at
//! least once.

mod activities;
mod express;
mod live;
mod log;
mod programs;
mod recovery;
mod redrive;
mod status;
mod timers;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use baton_engine::{Input, Millis, Status};
use baton_integrations::Registry;
use baton_json::{Str, Value};
use baton_store::{ExecutionRecord, ExecutionStatus, Store, StoreError};
use tokio::sync::{mpsc, watch};

pub use activities::ActivityTask;
pub use live::Outcome;
pub use log::EventLog;
pub use redrive::{Redriven, not_redrivable};

use crate::clock::Clock;
use crate::tokens::{SignedTokens, TokenError};
use activities as activity;
use activities::Activities;
use live::{Guard, Handle};
use programs::Programs;
use timers::Timers;

/// Steps of different executions that may be between applying their input and
/// committing what it produced at once. Each holds its events and its commit (a step's
/// work is bounded by the step budget: a quarter of a megabyte of documents at most), so this bounds that
/// memory and the store's write queue; it is well above what group commit needs to
/// reach its throughput (groups of a few dozen commits).
pub const MAX_CONCURRENT_STEPS: usize = 256;

/// How the runtime runs executions.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// The region in ARNs and task events.
    pub region: String,
    /// The account in ARNs.
    pub account: String,
    /// The largest state input or output, in bytes.
    pub max_payload_bytes: usize,
    /// A status listener that keeps changes ([`Runtime::on_status_change_kept`]) will be
    /// set: until it is, every status change is kept in the outbox, so that executions
    /// that end while the runtime is being opened (recovered timers fire at once) are not
    /// left out.
    pub keep_status_changes: bool,
    /// The most history events a Standard execution may have (AWS: 25,000; Express
    /// executions have no bound); `None`: no bound.
    pub max_history_events: Option<u64>,
    /// The most Standard executions open at once (AWS's default quota: 1,000,000): a
    /// start beyond it fails with [`RuntimeError::LimitExceeded`]; `None`: no bound.
    pub max_open_executions: Option<u64>,
}

/// Whether an execution is checkpointed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Standard: every step committed to the store.
    Standard,
    /// Express: in memory only.
    Express,
}

/// An execution to start.
#[derive(Clone)]
pub struct NewExecution {
    /// Its ARN.
    pub arn: String,
    /// Its name.
    pub name: String,
    /// The state machine's ARN.
    pub machine_arn: String,
    /// The state machine's name.
    pub machine_name: String,
    /// The version started through, if any.
    pub version_arn: Option<String>,
    /// The alias started through, if any.
    pub alias_arn: Option<String>,
    /// The Map Run it belongs to, if any.
    pub map_run_arn: Option<String>,
    /// Standard or Express.
    pub durability: Durability,
    /// The definition's text.
    pub definition: Arc<str>,
    /// The role it runs as.
    pub role_arn: String,
    /// Its input, as JSON text.
    pub input: String,
    /// The trace header given at start.
    pub trace_header: Option<String>,
    /// Where its events are logged as they happen (Express executions, which keep no
    /// history).
    pub log: Option<Arc<dyn EventLog>>,
}

/// A started execution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    /// Its ARN.
    pub arn: String,
    /// When it started (milliseconds since the epoch).
    pub start_date: i64,
}

/// What went wrong.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// An execution with this ARN exists with another input, or has ended.
    #[error("Execution Already Exists: '{0}'")]
    AlreadyExists(String),
    /// No such execution (or it has ended, for operations on open executions).
    #[error("Execution Does Not Exist: '{0}'")]
    NotFound(String),
    /// The definition cannot run.
    #[error("{0}")]
    InvalidDefinition(String),
    /// The input is not JSON.
    #[error("Invalid execution input: {0}")]
    InvalidInput(String),
    /// A task token that this server did not make.
    #[error("Invalid Token: {0}")]
    InvalidToken(TokenError),
    /// The task the token names is not awaited any more (it ended, timed out, or its
    /// execution ended).
    #[error("Task Timed Out: 'Provided task does not exist anymore'")]
    TaskGone,
    /// The store failed; nothing of the step was kept.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The runtime is shutting down.
    #[error("the server is shutting down")]
    ShuttingDown,
    /// The execution cannot be redriven; why, in AWS's words.
    #[error("{0}")]
    NotRedrivable(String),
    /// No such Map Run.
    #[error("Map Run Does Not Exist: '{0}'")]
    MapRunNotFound(String),
    /// As many workers poll the activity as may (AWS's limit).
    #[error(
        "The maximum number of workers concurrently polling for activity tasks has been reached ({0})."
    )]
    TooManyPollers(usize),
    /// As many Standard executions are open as may be
    /// ([`RuntimeConfig::max_open_executions`]).
    #[error(
        "The maximum number of running executions has been reached ({0}). Running executions must end or be stopped before a new execution can be started."
    )]
    LimitExceeded(u64),
}

/// Result of runtime operations.
pub type Result<T> = std::result::Result<T, RuntimeError>;

pub(crate) struct Inner {
    store: Arc<dyn Store>,
    registry: Registry,
    config: RuntimeConfig,
    clock: Clock,
    tokens: Arc<SignedTokens>,
    programs: Programs,
    live: Shards,
    timers: Timers,
    activities: Activities,
    closed: watch::Sender<bool>,
    /// Steps allowed at once (see [`MAX_CONCURRENT_STEPS`]).
    step_slots: tokio::sync::Semaphore,
    /// Executions to carry on after a step that stopped with work left.
    continuations: mpsc::UnboundedSender<Arc<Handle>>,
    /// Told of every Standard execution's status changes (see [`Runtime::on_status_change`]).
    status_hook: std::sync::OnceLock<Listener>,
}

/// A Standard execution started, was redriven or ended: what EventBridge's "Step Functions
/// Execution Status Change" event reports.
#[derive(Debug, Clone)]
pub struct StatusChange {
    /// The execution's ARN.
    pub execution_arn: Arc<str>,
    /// Its state machine's ARN.
    pub state_machine_arn: Arc<str>,
    /// Its name.
    pub name: Arc<str>,
    /// RUNNING (started or redriven), SUCCEEDED, FAILED, TIMED_OUT or ABORTED.
    pub status: ExecutionStatus,
    /// When it started.
    pub start_date: i64,
    /// When it ended, if it has.
    pub stop_date: Option<i64>,
    /// Its input, as JSON text.
    pub input: Arc<str>,
    /// Its output, as JSON text, when it succeeded.
    pub output: Option<String>,
    /// The error, when it failed, timed out or was aborted.
    pub error: Option<String>,
    /// The cause.
    pub cause: Option<String>,
    /// How many times it was redriven.
    pub redrive_count: u32,
    /// When it was redriven, for the change that is a redrive.
    pub redrive_date: Option<i64>,
    /// When the change happened.
    pub at: i64,
    /// The store's outbox message that keeps the change, when its listener wanted it kept
    /// ([`Runtime::on_status_change_kept`]): the listener deletes it once it has handled the
    /// change.
    pub outbox_id: Option<Arc<str>>,
}

/// Whether status changes are wanted now (see [`Runtime::on_status_change_kept`]).
pub type StatusWanted = Arc<dyn Fn() -> bool + Send + Sync>;

/// A status hook, and when its changes are kept in the outbox.
struct Listener {
    hook: StatusHook,
    /// `Some` for a listener whose wanted changes are kept.
    kept: Option<StatusWanted>,
}

/// What [`Runtime::on_status_change`] calls: within the step that made the change, so it
/// must not block (hand the change to a channel).
pub type StatusHook = Arc<dyn Fn(StatusChange) + Send + Sync>;

/// Open executions by ARN, in shards so that concurrent steps rarely meet on one lock;
/// with a count of the Standard ones.
struct Shards {
    shards: Vec<Mutex<HashMap<Arc<str>, Arc<Handle>>>>,
    standard: std::sync::atomic::AtomicU64,
}

impl Shards {
    fn new() -> Shards {
        Shards {
            shards: (0..32).map(|_| Mutex::new(HashMap::new())).collect(),
            standard: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Standard executions open.
    fn standard(&self) -> u64 {
        self.standard.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn count(&self, handle: &Handle, up: bool) {
        if handle.durability == Durability::Standard {
            if up {
                self.standard
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            } else {
                self.standard
                    .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
            }
        }
    }

    fn shard(&self, arn: &str) -> std::sync::MutexGuard<'_, HashMap<Arc<str>, Arc<Handle>>> {
        let h = arn.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        self.shards[(h % self.shards.len() as u64) as usize]
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    fn get(&self, arn: &str) -> Option<Arc<Handle>> {
        self.shard(arn).get(arn).cloned()
    }

    /// Inserts `handle` unless an execution with its ARN is there; returns the one there.
    fn insert_new(&self, handle: Arc<Handle>) -> std::result::Result<(), Arc<Handle>> {
        let mut shard = self.shard(&handle.arn);
        if let Some(existing) = shard.get(&handle.arn) {
            return Err(Arc::clone(existing));
        }
        self.count(&handle, true);
        shard.insert(Arc::clone(&handle.arn), handle);
        Ok(())
    }

    /// Removes the execution `arn` if it is `handle` (and not a newer one of that ARN).
    fn remove_if(&self, arn: &str, handle: &Arc<Handle>) {
        let mut shard = self.shard(arn);
        if shard.get(arn).is_some_and(|h| Arc::ptr_eq(h, handle)) {
            shard.remove(arn);
            self.count(handle, false);
        }
    }

    fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(|e| e.into_inner()).len())
            .sum()
    }
}

/// The runtime. Cheap to clone.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<Inner>,
}

impl Runtime {
    /// Opens the runtime over `store`, recovering every open execution it holds, and
    /// starts running them.
    pub async fn open(
        store: Arc<dyn Store>,
        registry: Registry,
        config: RuntimeConfig,
    ) -> Result<Runtime> {
        Runtime::open_with_clock(store, registry, config, Clock::real()).await
    }

    /// [`Runtime::open`] on a given clock: a virtual one lets tests move time ahead
    /// ([`Runtime::advance_clock`]) so that a Wait of a day takes no real time.
    pub async fn open_with_clock(
        store: Arc<dyn Store>,
        registry: Registry,
        config: RuntimeConfig,
        clock: Clock,
    ) -> Result<Runtime> {
        let key = store.secret().await?;
        let (fire_tx, fire_rx) = mpsc::unbounded_channel();
        let timers = Timers::start(clock.clone(), fire_tx);
        let (continuations, continue_rx) = mpsc::unbounded_channel();
        let inner = Arc::new(Inner {
            store,
            registry,
            config,
            clock,
            tokens: Arc::new(SignedTokens::new(key)),
            programs: Programs::default(),
            live: Shards::new(),
            timers,
            activities: Activities::default(),
            closed: watch::channel(false).0,
            continuations,
            step_slots: tokio::sync::Semaphore::new(MAX_CONCURRENT_STEPS),
            status_hook: std::sync::OnceLock::new(),
        });
        tokio::spawn(live::fire_timers(Arc::downgrade(&inner), fire_rx));
        tokio::spawn(live::run_continuations(Arc::downgrade(&inner), continue_rx));
        recovery::recover(&inner).await?;
        Ok(Runtime { inner })
    }

    /// Calls `hook` with every status change of a Standard execution from now on: started,
    /// redriven, ended (after the change is committed). One hook per runtime: `false` when
    /// one was set already.
    pub fn on_status_change(&self, hook: StatusHook) -> bool {
        self.inner
            .status_hook
            .set(Listener { hook, kept: None })
            .is_ok()
    }

    /// [`Runtime::on_status_change`] that nothing is lost by a crash: a change that
    /// `wanted` says is wanted (asked within the step) is written to the store's outbox
    /// with the step that made it, and `hook` gets it, with its `outbox_id`, after the
    /// commit. The hook's side deletes the message once it has handled the change, and
    /// reads the outbox at its start for changes a crash left there. Changes not wanted
    /// are not even made.
    pub fn on_status_change_kept(&self, wanted: StatusWanted, hook: StatusHook) -> bool {
        self.inner
            .status_hook
            .set(Listener {
                hook,
                kept: Some(wanted),
            })
            .is_ok()
    }

    /// Moves a virtual clock ahead by `by`: timers that fall due fire at once. Returns the
    /// new time; `None` on the real clock, which cannot be moved.
    pub fn advance_clock(&self, by: Duration) -> Option<Millis> {
        if !self.inner.clock.advance(by) {
            return None;
        }
        self.inner.timers.wake();
        Some(self.inner.clock.now())
    }

    /// `true` when the runtime runs on a virtual clock.
    pub fn has_virtual_clock(&self) -> bool {
        self.inner.clock.is_virtual()
    }

    /// How many executions are open in memory.
    pub fn open_executions(&self) -> usize {
        self.inner.live.len()
    }

    /// The store under the runtime.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.inner.store
    }

    /// The current time, as the runtime sees it.
    pub fn now(&self) -> Millis {
        self.inner.clock.now()
    }

    /// Starts an execution. Starting again with the same ARN and input while it runs
    /// returns the running one (StartExecution is idempotent); otherwise an existing ARN
    /// is [`RuntimeError::AlreadyExists`].
    ///
    /// An Express execution started this way (asynchronously) is kept in the store until
    /// it ends, and [`Runtime::express_to_restart`] gives it back after a crash: AWS runs
    /// those at least once.
    pub async fn start(&self, new: NewExecution) -> Result<Started> {
        let kept = new.durability == Durability::Express;
        if kept {
            express::keep(&self.inner, &new, self.inner.clock.now().0).await?;
        }
        let arn = new.arn.clone();
        let started = live::start(&self.inner, new).await;
        match &started {
            Ok((_, handle)) if kept => express::forget_when_done(&self.inner, handle),
            // Not started: not to run after a restart either.
            Err(_) if kept => express::forget(&self.inner, &arn),
            _ => {}
        }
        started.map(|(started, _)| started)
    }

    /// The asynchronous Express executions that a crash cut short: started again (with
    /// [`Runtime::start`], from their beginning, under their ARNs), they run at least once,
    /// as AWS promises. Their logs are the caller's to give (`log` is `None`).
    pub async fn express_to_restart(&self) -> Result<Vec<NewExecution>> {
        express::kept(&self.inner).await
    }

    /// Starts an execution and waits for its end (StartSyncExecution); a runtime that
    /// begins to shut down ends the wait ([`RuntimeError::ShuttingDown`]).
    pub async fn run(&self, new: NewExecution) -> Result<Arc<Outcome>> {
        let (_, handle) = live::start(&self.inner, new).await?;
        let mut rx = handle.done.subscribe();
        drop(handle);
        self.wait_outcome(&mut rx).await
    }

    /// Waits for an open execution to end; `None` when it is not open here (ended
    /// before, or unknown). A runtime that begins to shut down ends the wait.
    pub async fn wait(&self, arn: &str) -> Result<Option<Arc<Outcome>>> {
        let Some(handle) = self.inner.live.get(arn) else {
            return Ok(None);
        };
        let mut rx = handle.done.subscribe();
        drop(handle);
        self.wait_outcome(&mut rx).await.map(Some)
    }

    /// An execution's end, unless the runtime shuts down first: its timers and tasks are
    /// no longer delivered then, so the end would not come.
    async fn wait_outcome(
        &self,
        rx: &mut watch::Receiver<Option<Arc<Outcome>>>,
    ) -> Result<Arc<Outcome>> {
        let mut closed = self.inner.closed.subscribe();
        tokio::select! {
            outcome = wait_outcome(rx) => outcome,
            _ = closed.wait_for(|c| *c) => Err(RuntimeError::ShuttingDown),
        }
    }

    /// Stops an open execution (StopExecution). Returns when the stop is committed.
    pub async fn stop(
        &self,
        arn: &str,
        error: Option<String>,
        cause: Option<String>,
    ) -> Result<()> {
        let handle = self
            .inner
            .live
            .get(arn)
            .ok_or_else(|| RuntimeError::NotFound(arn.to_owned()))?;
        live::step(
            &self.inner,
            &handle,
            Input::Stop {
                error: error.map(Str::from),
                cause: cause.map(Str::from),
            },
            Guard::Open,
        )
        .await
    }

    /// RedriveExecution: carries on a Standard execution that failed, timed out or was
    /// aborted, from the states that had not finished, and returns when the redrive is
    /// committed. [`RuntimeError::NotRedrivable`] says why an execution cannot be (running,
    /// succeeded, ended over 14 days ago, ...). Repeating a recent redrive's
    /// `client_token` returns that redrive and does nothing.
    pub async fn redrive(&self, arn: &str, client_token: Option<&str>) -> Result<Redriven> {
        redrive::redrive(&self.inner, arn, client_token).await
    }

    /// SendTaskSuccess.
    pub async fn task_succeeded(&self, token: &str, output: Value) -> Result<()> {
        self.report(token, |id| Input::TaskSucceeded { id, output })
            .await
    }

    /// SendTaskFailure.
    pub async fn task_failed(
        &self,
        token: &str,
        error: Option<String>,
        cause: Option<String>,
    ) -> Result<()> {
        self.report(token, |id| Input::TaskFailed {
            id,
            error: error.map(Str::from),
            cause: cause.map(Str::from),
        })
        .await
    }

    /// SendTaskHeartbeat.
    pub async fn task_heartbeat(&self, token: &str) -> Result<()> {
        self.report(token, |id| Input::TaskHeartbeat { id }).await
    }

    async fn report(&self, token: &str, input: impl FnOnce(u64) -> Input) -> Result<()> {
        let claim = self
            .inner
            .tokens
            .verify(token)
            .map_err(RuntimeError::InvalidToken)?;
        let handle = self
            .inner
            .live
            .get(&claim.execution_arn)
            .ok_or(RuntimeError::TaskGone)?;
        live::step(
            &self.inner,
            &handle,
            input(claim.work),
            Guard::Task(claim.work),
        )
        .await
    }

    /// GetActivityTask: the activity's oldest task, waiting up to `wait` for one. The
    /// task is marked started by `worker` before it is returned.
    pub async fn take_activity_task(
        &self,
        activity_arn: &str,
        worker: Option<String>,
        wait: Duration,
    ) -> Result<Option<ActivityTask>> {
        let deadline = tokio::time::Instant::now() + wait;
        let mut closed = self.inner.closed.subscribe();
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let task = tokio::select! {
                t = self.inner.activities.take(activity_arn, left) => {
                    t.map_err(|_| RuntimeError::TooManyPollers(activity::MAX_POLLERS))?
                }
                // Stopping: long polls end now, empty-handed, so that shutdown need not
                // wait for them.
                _ = closed.wait_for(|c| *c) => return Ok(None),
            };
            let Some(task) = task else {
                return Ok(None);
            };
            let Some(handle) = self.inner.live.get(&task.execution_arn) else {
                continue;
            };
            // Marking the task started must finish even if the poll is dropped now.
            let inner = Arc::clone(&self.inner);
            let worker = worker.clone();
            let work = task.work;
            let started = tokio::spawn(async move {
                live::step(
                    &inner,
                    &handle,
                    Input::TaskStarted {
                        id: work,
                        worker_name: worker.map(Str::from),
                    },
                    Guard::Task(work),
                )
                .await
            });
            match started.await {
                Ok(Ok(())) => return Ok(Some(task)),
                Ok(Err(RuntimeError::TaskGone | RuntimeError::NotFound(_))) => continue,
                Ok(Err(e)) => return Err(e),
                Err(_) => return Err(RuntimeError::ShuttingDown),
            }
        }
    }

    /// UpdateMapRun: new limits for a running Map Run (`None`: unchanged). A Map Run
    /// that has ended keeps its figures.
    pub async fn update_map_run(
        &self,
        map_run_arn: &str,
        max_concurrency: Option<u64>,
        tolerated_failure_count: Option<u64>,
        tolerated_failure_percentage: Option<f64>,
    ) -> Result<()> {
        let run = self
            .inner
            .store
            .map_run(map_run_arn)
            .await?
            .ok_or_else(|| RuntimeError::MapRunNotFound(map_run_arn.to_owned()))?;
        let Some(handle) = self.inner.live.get(&run.execution_arn) else {
            return Ok(());
        };
        let input = Input::UpdateMapRun {
            map_run_arn: map_run_arn.into(),
            max_concurrency,
            tolerated_failure_count,
            tolerated_failure_percentage,
        };
        match live::step(&self.inner, &handle, input, Guard::Open).await {
            Ok(()) | Err(RuntimeError::NotFound(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Starts stopping: long polls end, and work finishing in the background is no
    /// longer delivered (tasks not reported are dispatched again at the next start).
    /// Requests in flight still complete.
    pub fn begin_shutdown(&self) {
        self.inner.closed.send_replace(true);
    }

    /// Stops running: open executions stay in the store as they are (they carry on at
    /// the next start); the store is closed.
    pub async fn shutdown(&self) -> Result<()> {
        self.inner.closed.send_replace(true);
        self.inner.store.close().await?;
        Ok(())
    }

    /// The record of an execution: from the store for Standard executions.
    pub async fn describe(&self, arn: &str) -> Result<Option<ExecutionRecord>> {
        Ok(self.inner.store.execution(arn).await?)
    }
}

async fn wait_outcome(rx: &mut watch::Receiver<Option<Arc<Outcome>>>) -> Result<Arc<Outcome>> {
    match rx.wait_for(Option::is_some).await {
        Ok(v) => Ok(Arc::clone(v.as_ref().expect("waited for Some"))),
        Err(_) => Err(RuntimeError::ShuttingDown),
    }
}

/// The store's status for an engine status.
pub(crate) fn store_status(status: &Status) -> ExecutionStatus {
    match status {
        Status::Running => ExecutionStatus::Running,
        Status::Succeeded(_) => ExecutionStatus::Succeeded,
        Status::Failed(_) => ExecutionStatus::Failed,
        Status::TimedOut(_) => ExecutionStatus::TimedOut,
        Status::Aborted(_) => ExecutionStatus::Aborted,
    }
}
