//! Activity tasks waiting for a worker: one queue per activity ARN, long-polled by
//! GetActivityTask.
//!
//! Waiters are woken through a `Notify` rather than handed a task: a poll that is dropped
//! (its client went away) after being woken passes the wake-up on, and the task stays in
//! the queue until a poll actually takes it.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use baton_engine::WorkId;
use tokio::sync::Notify;

/// A task offered to an activity's workers.
#[derive(Debug, Clone)]
pub struct ActivityTask {
    /// The execution it belongs to.
    pub execution_arn: Arc<str>,
    /// Its work id in that execution.
    pub work: WorkId,
    /// Its task token.
    pub token: Arc<str>,
    /// Its input, as JSON text.
    pub input: Arc<str>,
}

/// Workers that may poll one activity at once (AWS's limit): a poll beyond is refused
/// with `ActivityWorkerLimitExceeded`.
pub const MAX_POLLERS: usize = 1_000;

#[derive(Default)]
struct Queue {
    tasks: Mutex<VecDeque<ActivityTask>>,
    ready: Notify,
    /// Polls waiting on this queue now.
    pollers: std::sync::atomic::AtomicUsize,
}

/// A poll counted among its queue's pollers while it lasts.
struct Polling<'a>(&'a Queue);

impl Drop for Polling<'_> {
    fn drop(&mut self) {
        self.0
            .pollers
            .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// As many workers poll the activity as may.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TooManyPollers;

/// Every activity's queue.
#[derive(Default)]
pub(crate) struct Activities {
    queues: Mutex<HashMap<Arc<str>, Arc<Queue>>>,
}

impl Activities {
    fn queue(&self, activity: &str) -> Arc<Queue> {
        let mut queues = self.queues.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(q) = queues.get(activity) {
            return Arc::clone(q);
        }
        let q = Arc::new(Queue::default());
        queues.insert(activity.into(), Arc::clone(&q));
        q
    }

    /// Offers a task to the activity's workers.
    pub(crate) fn offer(&self, activity: &str, task: ActivityTask) {
        let q = self.queue(activity);
        q.tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push_back(task);
        q.ready.notify_one();
    }

    /// Withdraws a task that is no longer awaited (timed out, aborted) if it is still
    /// queued.
    pub(crate) fn withdraw(&self, activity: &str, execution_arn: &str, work: WorkId) {
        let q = self.queue(activity);
        q.tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|t| !(t.work == work && &*t.execution_arn == execution_arn));
    }

    /// Takes the activity's oldest task, waiting up to `wait` for one; refused when
    /// [`MAX_POLLERS`] polls wait already.
    pub(crate) async fn take(
        &self,
        activity: &str,
        wait: Duration,
    ) -> Result<Option<ActivityTask>, TooManyPollers> {
        let q = self.queue(activity);
        let before = q.pollers.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let _polling = Polling(&q);
        if before >= MAX_POLLERS {
            return Err(TooManyPollers);
        }
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let notified = q.ready.notified();
            tokio::pin!(notified);
            // Register before looking, so an offer between the look and the wait wakes us.
            notified.as_mut().enable();
            if let Some(t) = q
                .tasks
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .pop_front()
            {
                // Others may be queued behind it: let the next waiter look.
                q.ready.notify_one();
                return Ok(Some(t));
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return Ok(None);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(work: WorkId) -> ActivityTask {
        ActivityTask {
            execution_arn: "e".into(),
            work,
            token: "t".into(),
            input: "{}".into(),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_waiting_poll_gets_a_task_offered_later_and_an_empty_poll_times_out() {
        let a = Arc::new(Activities::default());
        let a2 = Arc::clone(&a);
        let poll = tokio::spawn(async move { a2.take("act", Duration::from_secs(60)).await });
        tokio::task::yield_now().await;
        a.offer("act", task(1));
        assert_eq!(poll.await.unwrap().unwrap().map(|t| t.work), Some(1));
        assert!(
            a.take("act", Duration::from_secs(1))
                .await
                .unwrap()
                .is_none()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn tasks_go_out_in_order_and_withdrawn_ones_never() {
        let a = Activities::default();
        for w in 1..=3 {
            a.offer("act", task(w));
        }
        a.withdraw("act", "e", 2);
        let take = |name| a.take(name, Duration::ZERO);
        assert_eq!(take("act").await.unwrap().map(|t| t.work), Some(1));
        assert_eq!(take("act").await.unwrap().map(|t| t.work), Some(3));
        assert!(take("other").await.unwrap().is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn polls_beyond_the_limit_are_refused_until_one_ends() {
        let a = Arc::new(Activities::default());
        let mut polls = Vec::new();
        for _ in 0..MAX_POLLERS {
            let a = Arc::clone(&a);
            polls.push(tokio::spawn(async move {
                a.take("act", Duration::from_secs(60)).await
            }));
        }
        let waiting = || {
            a.queue("act")
                .pollers
                .load(std::sync::atomic::Ordering::Relaxed)
        };
        while waiting() < MAX_POLLERS {
            tokio::task::yield_now().await;
        }
        assert_eq!(
            a.take("act", Duration::ZERO).await.unwrap_err(),
            TooManyPollers
        );
        // Another activity is not affected.
        assert!(a.take("other", Duration::ZERO).await.unwrap().is_none());
        a.offer("act", task(1));
        while waiting() >= MAX_POLLERS {
            tokio::task::yield_now().await;
        }
        // One poll took the task and ended: there is room again.
        assert!(a.take("act", Duration::ZERO).await.unwrap().is_none());
        for p in polls {
            p.abort();
        }
    }
}
