//! A request body as the routes get it: no larger than the limit, and there by a deadline.
//!
//! Over the limit, reading fails with `http_body_util::LengthLimitError`; past the
//! deadline, with an `io::Error` of kind `TimedOut` saying how long the client had. The
//! routes that read bodies look for either among the error's causes and answer 413 or 408
//! in their protocol's shape; the connection is then closed, since the rest of the body is
//! never read.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use http_body::{Frame, SizeHint};
use http_body_util::Limited;
use hyper::body::Incoming;
use tokio::time::{Instant, Sleep};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// `body` limited to `limit` bytes, to arrive within `timeout` of now (when the request's
/// headers were read).
pub(super) fn guard(body: Incoming, limit: usize, timeout: Duration) -> Body {
    if http_body::Body::is_end_stream(&body) {
        // Nothing to wait for (no body, or `Content-Length: 0`).
        return Body::new(body);
    }
    Body::new(Limited::new(
        Deadline {
            inner: body,
            deadline: Instant::now() + timeout,
            timeout,
            sleep: None,
        },
        limit,
    ))
}

/// A body that fails once its deadline passes before its end.
struct Deadline {
    inner: Incoming,
    deadline: Instant,
    timeout: Duration,
    /// Armed the first time the body has nothing ready: most bodies are read at once.
    sleep: Option<Pin<Box<Sleep>>>,
}

impl Deadline {
    fn timed_out(&self) -> BoxError {
        Box::new(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            format!(
                "The request body did not arrive within {} of its headers",
                super::describe(self.timeout)
            ),
        ))
    }
}

impl http_body::Body for Deadline {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        if let Some(sleep) = this.sleep.as_mut()
            && sleep.as_mut().poll(cx).is_ready()
        {
            return Poll::Ready(Some(Err(this.timed_out())));
        }
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(frame) => Poll::Ready(frame.map(|f| f.map_err(BoxError::from))),
            Poll::Pending => {
                let deadline = this.deadline;
                let sleep = this
                    .sleep
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
                if sleep.as_mut().poll(cx).is_ready() {
                    Poll::Ready(Some(Err(this.timed_out())))
                } else {
                    Poll::Pending
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
