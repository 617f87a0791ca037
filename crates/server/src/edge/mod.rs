//! The HTTP edge: connections accepted and served with hyper, before any route sees a
//! request.
//!
//! - At most [`EdgeConfig::max_connections`] connections at once. At the limit the server
//!   stops accepting: new connections wait in the kernel's backlog (and are refused once it
//!   is full) until one closes.
//! - A request's headers must arrive within [`EdgeConfig::header_read_timeout`], counted
//!   from the connection's start or the end of the previous response: a client that
//!   trickles its headers, or a keep-alive connection left idle that long, is closed
//!   (without an answer, as hyper does).
//! - A request's body must arrive within [`EdgeConfig::body_read_timeout`] of its headers
//!   and hold at most [`EdgeConfig::max_request_bytes`] (see `body.rs`); the routes answer 408
//!   and 413 in their protocol's shape.
//! - The `Host` header is checked against DNS rebinding (see [`hosts`]): refused, 403.
//! - Graceful shutdown: no more connections are accepted, requests in flight finish,
//!   idle connections close.

mod body;
pub mod hosts;

use std::convert::Infallible;
use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt;

pub use hosts::HostCheck;

/// The edge's settings (see [`crate::ServerConfig`] for their defaults).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdgeConfig {
    /// Connections open at once, at most.
    pub max_connections: usize,
    /// The time a client has to send a request's headers (and an idle connection stays).
    pub header_read_timeout: Duration,
    /// The time a client has to send a request's body after its headers.
    pub body_read_timeout: Duration,
    /// The largest request body, in bytes.
    pub max_request_bytes: usize,
    /// Names accepted in `Host` besides loopback names and IP addresses.
    pub allowed_hosts: Vec<String>,
}

/// What every connection shares.
struct Shared {
    router: Router,
    hosts: HostCheck,
    max_request_bytes: usize,
    body_read_timeout: Duration,
}

/// Serves `router` on `listener` until `shutdown` completes; then stops accepting, lets
/// the requests in flight finish and returns once every connection is closed.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    config: EdgeConfig,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let local = listener.local_addr()?;
    let hosts = HostCheck::new(local.ip(), &config.allowed_hosts);
    if !hosts.is_off() {
        tracing::debug!(address = %local, "the Host header is checked against DNS rebinding");
    }
    let shared = Arc::new(Shared {
        router,
        hosts,
        max_request_bytes: config.max_request_bytes,
        body_read_timeout: config.body_read_timeout,
    });
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(config.header_read_timeout)
        .keep_alive(true);
    let connections = Arc::new(Semaphore::new(
        config.max_connections.clamp(1, Semaphore::MAX_PERMITS),
    ));
    // Connections watch `stop` to begin their graceful shutdown, and hold `open` until
    // they are closed.
    let (stop_tx, stop_rx) = watch::channel(false);
    let (open_tx, open_rx) = watch::channel(());
    let mut shutdown = pin!(shutdown);
    loop {
        let permit = tokio::select! {
            biased;
            () = &mut shutdown => break,
            permit = Arc::clone(&connections).acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
        };
        let (stream, peer) = tokio::select! {
            biased;
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    if !is_connection_error(&e) {
                        // Out of file descriptors, most likely: wait for some to close.
                        tracing::warn!(error = %e, "cannot accept a connection; trying again in a second");
                        tokio::select! {
                            () = &mut shutdown => break,
                            () = tokio::time::sleep(Duration::from_secs(1)) => {}
                        }
                    }
                    continue;
                }
            },
        };
        // Answers are written whole: do not hold them back waiting for acknowledgements.
        let _ = stream.set_nodelay(true);
        let connection = http.serve_connection(
            TokioIo::new(stream),
            Edge {
                shared: Arc::clone(&shared),
            },
        );
        let mut stop = stop_rx.clone();
        let open = open_rx.clone();
        tokio::spawn(async move {
            let mut connection = pin!(connection);
            let result = tokio::select! {
                result = connection.as_mut() => result,
                () = async { drop(stop.wait_for(|stop| *stop).await) } => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(e) = result {
                tracing::debug!(peer = %peer, error = %e, "connection closed");
            }
            drop(permit);
            drop(open);
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    drop(open_rx);
    // A request that cannot finish (a client that stops reading its answer) does not hold
    // the shutdown for ever.
    if tokio::time::timeout(SHUTDOWN_GRACE, open_tx.closed())
        .await
        .is_err()
    {
        tracing::warn!(
            "connections still open {} s after the shutdown began are dropped",
            SHUTDOWN_GRACE.as_secs()
        );
    }
    Ok(())
}

/// How long requests in flight have to finish once a shutdown begins.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// Errors of one connection that was being accepted, not of the listener.
fn is_connection_error(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
    )
}

/// The service of every connection: the `Host` check, the body's guard, then the router.
#[derive(Clone)]
struct Edge {
    shared: Arc<Shared>,
}

impl hyper::service::Service<Request<Incoming>> for Edge {
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        let shared = &self.shared;
        if let Err(host) = shared.hosts.check(request.headers(), request.uri()) {
            let refused = forbidden(&shared.hosts.refusal(&host));
            tracing::warn!(host = %host, "refused a request for a host not accepted");
            return Box::pin(std::future::ready(Ok(refused)));
        }
        let request =
            request.map(|b| body::guard(b, shared.max_request_bytes, shared.body_read_timeout));
        Box::pin(shared.router.clone().oneshot(request))
    }
}

/// 403 in the shape of AWS's JSON errors, which every client of Baton reads.
fn forbidden(message: &str) -> Response {
    let body = serde_json::json!({"__type": "AccessDeniedException", "message": message});
    let mut r = (StatusCode::FORBIDDEN, body.to_string()).into_response();
    let headers = r.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(
        "x-amzn-errortype",
        HeaderValue::from_static("AccessDeniedException"),
    );
    r
}

/// `10 s`, `500 ms`.
fn describe(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

/// File descriptors kept for what is not a connection: the store's files, outgoing calls,
/// local functions' pipes.
const RESERVED_FILES: u64 = 256;

/// How many of `connections` connections the open-file limit lets this process serve
/// (each is a file descriptor), after raising its soft limit towards the hard limit if
/// needed (as a shell's `ulimit -n` could). A lower number is reported by a warning: a
/// limit above what the process may open would fail accepts, and take descriptors the
/// store needs.
pub fn fit_open_files(connections: usize) -> usize {
    #[cfg(unix)]
    {
        use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
        let want = (connections as u64).saturating_add(RESERVED_FILES);
        let limit = getrlimit(Resource::Nofile);
        let Some(soft) = limit.current else {
            return connections;
        };
        if soft >= want {
            return connections;
        }
        let raised = limit.maximum.map_or(want, |hard| hard.min(want));
        if raised > soft {
            let new = Rlimit {
                current: Some(raised),
                maximum: limit.maximum,
            };
            match setrlimit(Resource::Nofile, new) {
                Ok(()) => {
                    tracing::debug!(from = soft, to = raised, "raised the open-file limit");
                }
                Err(e) => tracing::debug!(error = %e, "cannot raise the open-file limit"),
            }
        }
        let soft = getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX);
        if soft >= want {
            return connections;
        }
        let fit = usize::try_from(soft.saturating_sub(RESERVED_FILES))
            .unwrap_or(usize::MAX)
            .max(1);
        tracing::warn!(
            max_connections = connections,
            open_file_limit = soft,
            serving = fit,
            "the open-file limit (ulimit -n) is too low for --max-connections: fewer connections are served at once"
        );
        fit
    }
    #[cfg(not(unix))]
    {
        connections
    }
}
