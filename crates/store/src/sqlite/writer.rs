//! The writer thread: the one connection that writes, and group commit.
//!
//! Every write (commits and the rest) is sent to this thread over a channel, with a
//! oneshot for the reply; sending happens when the store's method is called, so writes
//! are applied in the order of the calls. The thread takes everything queued (up to
//! [`MAX_GROUP`]) and applies it in one transaction, each write in a savepoint of its own:
//! a write that fails (an execution that exists already, a full disk) is rolled back alone
//! and the others still land. One COMMIT, one sync, then every caller gets its answer:
//! a reply means the write is durable (as durable as `synchronous` makes it).

use std::sync::mpsc;
use std::thread::JoinHandle;

use rusqlite::Connection;
use tokio::sync::oneshot;

use super::checkpointer::Nudge;
use super::codecs::db_err;
use super::writes::{self, DefinitionIds};
use crate::{BoxFuture, ExecutionCommit, Result, StoreError};

/// Writes applied in one transaction at most. Bounds the time a caller waits behind
/// others and the size of a transaction, without costing throughput: at this size a
/// group's sync is a small part of its work.
const MAX_GROUP: usize = 512;

/// A write, as sent to the writer thread.
pub(super) enum Op {
    /// An execution's commit (boxed: it is large, and the channel's slots are as large
    /// as the largest op).
    Commit(Box<ExecutionCommit>, oneshot::Sender<Result<()>>),
    /// Any other write, as a function of the connection. `FnMut` because a write may be
    /// applied again when SQLite rolled back the whole transaction it was part of.
    Write(WriteFn, oneshot::Sender<Result<()>>),
    /// Read (or make) the secret.
    Secret(oneshot::Sender<Result<[u8; 32]>>),
    /// Finish what was sent before, close the connection and stop.
    Close(oneshot::Sender<()>),
}

/// A write other than a commit, as a function of the writing connection.
pub(super) type WriteFn = Box<dyn FnMut(&Connection) -> Result<()> + Send>;

/// What a write gives back.
enum Out {
    Done,
    Secret([u8; 32]),
}

/// The handle of the writer thread. Dropping it lets the thread finish what was sent and
/// waits for it.
pub(super) struct Writer {
    tx: Option<mpsc::Sender<Op>>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    /// Starts the thread, which owns `conn` from now on.
    pub(super) fn start(conn: Connection, checkpoint: Nudge) -> Result<Writer> {
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("baton-store-writer".into())
            .spawn(move || run(conn, rx, checkpoint))
            .map_err(|e| StoreError::Backend(format!("cannot start the writer thread: {e}")))?;
        Ok(Writer {
            tx: Some(tx),
            thread: Some(thread),
        })
    }

    /// Sends the op made by `make` now, and returns the future of its reply. If the writer
    /// has stopped, the op (and its reply sender) is dropped: the reply is `Closed`.
    pub(super) fn request<T: Send + 'static>(
        &self,
        make: impl FnOnce(oneshot::Sender<Result<T>>) -> Op,
    ) -> BoxFuture<'static, Result<T>> {
        let (reply, answer) = oneshot::channel();
        if let Some(tx) = &self.tx {
            let _ = tx.send(make(reply));
        }
        Box::pin(async move { answer.await.unwrap_or(Err(StoreError::Closed)) })
    }

    /// Asks the thread to stop after what was sent before; the future resolves once the
    /// connection is closed.
    pub(super) fn close(&self) -> BoxFuture<'static, ()> {
        let (done, closed) = oneshot::channel();
        if let Some(tx) = &self.tx {
            let _ = tx.send(Op::Close(done));
        }
        Box::pin(async move {
            let _ = closed.await;
        })
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // Closing the channel ends the thread's loop once it has applied what is queued.
        self.tx.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(conn: Connection, rx: mpsc::Receiver<Op>, checkpoint: Nudge) {
    let mut definitions = DefinitionIds::default();
    let mut group = Vec::with_capacity(MAX_GROUP);
    while let Ok(op) = rx.recv() {
        group.push(op);
        while group.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(op) => group.push(op),
                Err(_) => break,
            }
        }
        // Writes sent after a Close are dropped (their callers get `Closed`).
        let mut close = None;
        if let Some(at) = group.iter().position(|op| matches!(op, Op::Close(_)))
            && let Some(Op::Close(done)) = group.drain(at..).next()
        {
            close = Some(done);
        }
        apply_group(&conn, &mut definitions, &mut group);
        checkpoint.nudge();
        if let Some(done) = close {
            finish(conn);
            let _ = done.send(());
            return;
        }
    }
    finish(conn);
}

/// Leaves the database tidy: statistics refreshed, the WAL folded into the database.
fn finish(conn: Connection) {
    // The checkpointer has stopped listening by now or soon will; this one waits for it.
    let _ = conn.busy_timeout(std::time::Duration::from_secs(5));
    let _ = conn.execute_batch("PRAGMA optimize; PRAGMA wal_checkpoint(TRUNCATE);");
    let _ = conn.close();
}

fn sql(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([])?;
    Ok(())
}

fn apply(conn: &Connection, definitions: &mut DefinitionIds, op: &mut Op) -> Result<Out> {
    match op {
        Op::Commit(commit, _) => writes::commit(conn, definitions, commit).map(|()| Out::Done),
        Op::Write(write, _) => write(conn).map(|()| Out::Done),
        Op::Secret(_) => writes::secret(conn).map(Out::Secret),
        Op::Close(_) => Ok(Out::Done),
    }
}

/// Applies `ops` in one transaction and answers each; empties `ops`.
fn apply_group(conn: &Connection, definitions: &mut DefinitionIds, ops: &mut Vec<Op>) {
    let mut outcomes: Vec<Option<Result<Out>>> = ops.iter().map(|_| None).collect();
    // The ops to (re)apply in the next attempt at a transaction.
    let mut todo: Vec<usize> = (0..ops.len()).collect();
    'attempt: while !todo.is_empty() {
        if let Err(e) = sql(conn, "BEGIN IMMEDIATE") {
            let e = db_err(e);
            for &i in &todo {
                outcomes[i] = Some(Err(e.clone()));
            }
            break;
        }
        let mut applied = Vec::with_capacity(todo.len());
        for (k, &i) in todo.iter().enumerate() {
            let outcome = match sql(conn, "SAVEPOINT op") {
                Ok(()) => apply(conn, definitions, &mut ops[i]),
                Err(e) => Err(db_err(e)),
            };
            let kept = match outcome {
                Ok(out) => sql(conn, "RELEASE op").map(|()| Ok(out)),
                Err(e) => {
                    // Ids of definitions inserted in the savepoint are gone with it.
                    definitions.forget();
                    if conn.is_autocommit() {
                        Ok(Err(e))
                    } else {
                        sql(conn, "ROLLBACK TO op")
                            .and_then(|()| sql(conn, "RELEASE op"))
                            .map(|()| Err(e))
                    }
                }
            };
            match kept {
                Ok(outcome) if !conn.is_autocommit() => {
                    if outcome.is_ok() {
                        applied.push(i);
                    }
                    outcomes[i] = Some(outcome);
                }
                // SQLite rolled the whole transaction back (it may, on a full disk or an
                // I/O error), or the savepoint could not be undone: this op failed, and
                // the others are applied again in a new transaction.
                failed => {
                    let e = match failed {
                        Ok(Err(e)) => e,
                        Err(e) => db_err(e),
                        Ok(Ok(_)) => StoreError::Backend("the transaction was rolled back".into()),
                    };
                    if !conn.is_autocommit() {
                        let _ = sql(conn, "ROLLBACK");
                    }
                    definitions.forget();
                    outcomes[i] = Some(Err(e));
                    for &j in &applied {
                        outcomes[j] = None;
                    }
                    let rest = todo[k + 1..].to_vec();
                    todo = applied;
                    todo.extend(rest);
                    continue 'attempt;
                }
            }
        }
        if let Err(e) = sql(conn, "COMMIT") {
            let e = db_err(e);
            if !conn.is_autocommit() {
                let _ = sql(conn, "ROLLBACK");
            }
            definitions.forget();
            for &i in &applied {
                outcomes[i] = Some(Err(e.clone()));
            }
        }
        break;
    }
    for (op, outcome) in ops.drain(..).zip(outcomes) {
        let outcome =
            outcome.unwrap_or_else(|| Err(StoreError::Backend("the write was not applied".into())));
        match op {
            Op::Commit(_, reply) | Op::Write(_, reply) => {
                let _ = reply.send(outcome.map(|_| ()));
            }
            Op::Secret(reply) => {
                let _ = reply.send(outcome.and_then(|out| match out {
                    Out::Secret(secret) => Ok(secret),
                    Out::Done => Err(StoreError::Backend("no secret".into())),
                }));
            }
            Op::Close(_) => {}
        }
    }
}
