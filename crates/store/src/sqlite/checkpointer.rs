//! The checkpointer thread: copies the write-ahead log into the database file in the
//! background, on a connection of its own.
//!
//! SQLite checkpoints on the committing connection by default, so the writer thread would
//! spend a third of its time copying pages instead of committing. A PASSIVE checkpoint from
//! another connection runs beside the writer without blocking it; the writer keeps a large
//! automatic checkpoint only as a safety valve, should this thread fall behind.

use std::path::Path;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::Connection;

use super::SqliteOptions;
use super::codecs::db_err;
use crate::{Result, StoreError};

/// The least time between two checkpoints: the log is copied in batches.
const PAUSE: Duration = Duration::from_millis(10);

/// The handle of the checkpointer thread. Dropping it stops the thread.
pub(super) struct Checkpointer {
    tx: Option<mpsc::SyncSender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts the thread with its own connection to `path`.
    pub(super) fn start(path: &Path, options: &SqliteOptions) -> Result<Checkpointer> {
        let conn = Connection::open(path).map_err(db_err)?;
        conn.busy_timeout(options.busy_timeout).map_err(db_err)?;
        let (tx, rx) = mpsc::sync_channel(1);
        let thread = std::thread::Builder::new()
            .name("baton-store-checkpoint".into())
            .spawn(move || run(conn, rx))
            .map_err(|e| StoreError::Backend(format!("cannot start the checkpointer: {e}")))?;
        Ok(Checkpointer {
            tx: Some(tx),
            thread: Some(thread),
        })
    }

    /// Says that the log grew: a checkpoint follows soon (nudges in between coalesce).
    pub(super) fn nudger(&self) -> Nudge {
        Nudge(self.tx.clone())
    }
}

/// Wakes the checkpointer; cheap, never blocks.
#[derive(Clone)]
pub(super) struct Nudge(Option<mpsc::SyncSender<()>>);

impl Nudge {
    pub(super) fn nudge(&self) {
        if let Some(tx) = &self.0 {
            let _ = tx.try_send(());
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.tx.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(conn: Connection, rx: mpsc::Receiver<()>) {
    // Ends when every sender is gone (the store and its writer are closed).
    while rx.recv().is_ok() {
        // A checkpoint that cannot run now (busy) runs at the next nudge.
        let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
        std::thread::sleep(PAUSE);
    }
    let _ = conn.close();
}
