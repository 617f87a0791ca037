//! One task keeps every pending timer of every execution in a heap and fires them when
//! due. Cancelling is lazy: a fired timer that its execution no longer waits for is
//! dropped by the execution (see `Live::timers`), so cancelling costs nothing here.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;
use std::time::Duration;

use baton_engine::{Millis, WorkId};
use tokio::sync::mpsc;

use crate::clock::Clock;

/// The longest single sleep: long timers (a year) are approached in steps, so that a
/// clock change is noticed and the timer wheel's range is never exceeded.
const MAX_SLEEP: Duration = Duration::from_secs(3600);

/// A pending timer in the heap: due, arrival order, execution, work id.
type Pending = Reverse<(Millis, u64, Arc<str>, WorkId)>;

/// A timer to fire: execution, work id.
pub(crate) type Fired = (Arc<str>, WorkId);

/// What the timer task is told.
enum Message {
    /// Fire `(execution, id)` at the given time.
    Arm(Millis, Arc<str>, WorkId),
    /// The clock moved ahead: look at the heap again.
    Wake,
}

/// Arms timers.
#[derive(Clone)]
pub(crate) struct Timers {
    tx: mpsc::UnboundedSender<Message>,
}

impl Timers {
    /// Starts the timer task; due timers are sent to `fire`.
    pub(crate) fn start(clock: Clock, fire: mpsc::UnboundedSender<Fired>) -> Timers {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(run(clock, rx, fire));
        Timers { tx }
    }

    /// Fires `(execution, id)` at `due` (at once if `due` has passed).
    pub(crate) fn arm(&self, due: Millis, execution: Arc<str>, id: WorkId) {
        let _ = self.tx.send(Message::Arm(due, execution, id));
    }

    /// Makes the timer task look at its heap again (after a virtual clock moved ahead).
    pub(crate) fn wake(&self) {
        let _ = self.tx.send(Message::Wake);
    }
}

async fn run(
    clock: Clock,
    mut rx: mpsc::UnboundedReceiver<Message>,
    fire: mpsc::UnboundedSender<Fired>,
) {
    let mut heap: BinaryHeap<Pending> = BinaryHeap::new();
    let mut seq = 0u64;
    loop {
        let now = clock.now();
        while heap.peek().is_some_and(|Reverse(t)| t.0 <= now) {
            let Reverse((_, _, execution, id)) = heap.pop().expect("peeked");
            if fire.send((execution, id)).is_err() {
                return;
            }
        }
        let sleep = heap
            .peek()
            .map(|Reverse(t)| clock.until(t.0).min(MAX_SLEEP))
            .unwrap_or(MAX_SLEEP);
        tokio::select! {
            msg = rx.recv() => {
                let Some(mut msg) = msg else {
                    return;
                };
                // Take everything queued before sleeping again.
                loop {
                    if let Message::Arm(due, execution, id) = msg {
                        seq += 1;
                        heap.push(Reverse((due, seq, execution, id)));
                    }
                    match rx.try_recv() {
                        Ok(next) => msg = next,
                        Err(_) => break,
                    }
                }
            }
            () = tokio::time::sleep(sleep) => {}
        }
    }
}
