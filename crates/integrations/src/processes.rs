//! Processes run for tasks (local functions standing in for Lambda, commands, containers):
//! how many run at once, and how much of what they write is kept.
//!
//! A Map state whose iterations each run a command could otherwise start thousands of
//! processes at once and take the host down; beyond [`MAX_TASK_PROCESSES`], a task waits
//! for a process to end before it starts its own (its `TimeoutSeconds` counts meanwhile).
//! Whatever a process writes, only a bounded part of it is kept in memory.

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::sync::{Semaphore, SemaphorePermit};

/// Processes that run for tasks at once, at most.
pub const MAX_TASK_PROCESSES: usize = 64;

static SLOTS: Semaphore = Semaphore::const_new(MAX_TASK_PROCESSES);

/// Waits until a process may start; it may run while the permit is held.
pub(crate) async fn process_slot() -> SemaphorePermit<'static> {
    // The semaphore is never closed.
    SLOTS
        .acquire()
        .await
        .expect("the process slots are never closed")
}

/// Reads `r` to its end (or its first error), handing each chunk read to `chunk`.
async fn each_chunk<R: AsyncRead + Unpin>(r: Option<R>, mut chunk: impl FnMut(&[u8])) {
    let Some(mut r) = r else {
        return;
    };
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        match r.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => chunk(&buf[..n]),
        }
    }
}

/// Reads everything, keeping the first `max` bytes; `true` when more came.
pub(crate) async fn read_head<R: AsyncRead + Unpin>(r: Option<R>, max: usize) -> (Vec<u8>, bool) {
    let mut kept = Vec::new();
    let mut cut = false;
    each_chunk(r, |bytes| {
        let room = max.saturating_sub(kept.len());
        kept.extend_from_slice(&bytes[..bytes.len().min(room)]);
        cut |= bytes.len() > room;
    })
    .await;
    (kept, cut)
}

/// Reads everything, keeping the last `max` bytes; `true` when more came.
pub(crate) async fn read_tail<R: AsyncRead + Unpin>(r: Option<R>, max: usize) -> (Vec<u8>, bool) {
    let mut kept = Vec::new();
    let mut cut = false;
    each_chunk(r, |bytes| {
        kept.extend_from_slice(bytes);
        if kept.len() > 2 * max {
            kept.drain(..kept.len() - max);
            cut = true;
        }
    })
    .await;
    if kept.len() > max {
        kept.drain(..kept.len() - max);
        cut = true;
    }
    (kept, cut)
}
