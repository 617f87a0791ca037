//! The HTTP layer: AWS's JSON 1.0 protocol at `POST /` and a health check.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::config::ApiConfig;
use crate::context::RequestContext;
use crate::decode::parse_body;
use crate::error::ApiError;
use crate::model::ErrorCode;
use crate::operations::{Backend, Operation, dispatch};

/// The prefix of `X-Amz-Target` values: `AWSStepFunctions.StartExecution`.
pub const TARGET_PREFIX: &str = "AWSStepFunctions.";
/// The content type of requests and responses.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.0";

struct Shared<B> {
    backend: Arc<B>,
    config: ApiConfig,
}

/// The API as an axum [`Router`]: `POST /` for every action (by `X-Amz-Target`), `GET
/// /healthz` answering 200. Serve it with `axum::serve` (or [`serve`]).
pub fn router<B: Backend>(backend: Arc<B>, config: ApiConfig) -> Router {
    let shared = Arc::new(Shared { backend, config });
    Router::new()
        .route("/", post(handle::<B>).fallback(no_route))
        .route("/healthz", get(healthz))
        .fallback(no_route)
        .with_state(shared)
}

/// Serves the API on `listener` until the server fails.
pub async fn serve<B: Backend>(
    listener: tokio::net::TcpListener,
    backend: Arc<B>,
    config: ApiConfig,
) -> std::io::Result<()> {
    axum::serve(listener, router(backend, config)).await
}

async fn healthz() -> Response {
    (StatusCode::OK, "ok\n").into_response()
}

async fn no_route(uri: Uri) -> Response {
    let error = ApiError::new(
        ErrorCode::UnknownOperationException,
        format!(
            "No operation at {}; send POST / with X-Amz-Target",
            uri.path()
        ),
    );
    let mut response = error_response(&error, &new_request_id());
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}

fn new_request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Whether the request came to the `sync-` host prefix (`sync-states.REGION.amazonaws.com`,
/// `sync-localhost:8083`, ...).
fn on_sync_host(headers: &HeaderMap, uri: &Uri) -> bool {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| uri.host());
    host.and_then(|h| h.get(..5))
        .is_some_and(|p| p.eq_ignore_ascii_case("sync-"))
}

fn operation(headers: &HeaderMap) -> Result<Operation, ApiError> {
    let target = headers
        .get("x-amz-target")
        .map(|v| v.to_str().unwrap_or(""));
    let Some(target) = target else {
        return Err(ApiError::new(
            ErrorCode::UnknownOperationException,
            "Missing X-Amz-Target header",
        ));
    };
    target
        .strip_prefix(TARGET_PREFIX)
        .and_then(Operation::parse)
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::UnknownOperationException,
                format!("Unknown operation: {target}"),
            )
        })
}

async fn read_body(
    body: Body,
    headers: &HeaderMap,
    limit: usize,
) -> Result<axum::body::Bytes, ApiError> {
    let too_large = || {
        ApiError::new(
            ErrorCode::RequestEntityTooLarge,
            format!("The request body is larger than {limit} bytes"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    axum::body::to_bytes(body, limit)
        .await
        .map_err(|e| match BodyFailure::of(&e) {
            BodyFailure::TooLarge => too_large(),
            BodyFailure::TimedOut(message) => ApiError::new(ErrorCode::RequestTimeout, message),
            BodyFailure::Other => {
                ApiError::serialization(format!("The request body could not be read: {e}"))
            }
        })
}

/// Why a request body could not be read: over a length limit (this reader's or the
/// server's), not there in time (the server's body timeout, an `io::Error` of kind
/// `TimedOut`), or anything else (the client went away, bad chunked encoding).
enum BodyFailure {
    TooLarge,
    TimedOut(String),
    Other,
}

impl BodyFailure {
    fn of(e: &(dyn std::error::Error + 'static)) -> BodyFailure {
        let mut cause = Some(e);
        while let Some(e) = cause {
            if e.is::<http_body_util::LengthLimitError>() {
                return BodyFailure::TooLarge;
            }
            if let Some(io) = e.downcast_ref::<std::io::Error>()
                && io.kind() == std::io::ErrorKind::TimedOut
            {
                return BodyFailure::TimedOut(io.to_string());
            }
            cause = e.source();
        }
        BodyFailure::Other
    }
}

async fn handle<B: Backend>(
    State(shared): State<Arc<Shared<B>>>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let request_id = new_request_id();
    match call(&shared, &uri, &headers, body, &request_id).await {
        Ok(bytes) => respond(StatusCode::OK, &request_id, bytes),
        Err(e) => error_response(&e, &request_id),
    }
}

async fn call<B: Backend>(
    shared: &Shared<B>,
    uri: &Uri,
    headers: &HeaderMap,
    body: Body,
    request_id: &str,
) -> Result<Vec<u8>, ApiError> {
    let op = operation(headers)?;
    let bytes = read_body(body, headers, shared.config.body_limit()).await?;
    let value = parse_body(&bytes)?;
    let mut ctx = RequestContext::new(op, &shared.config);
    ctx.sync_endpoint = on_sync_host(headers, uri);
    ctx.request_id = request_id.into();
    let backend = Arc::clone(&shared.backend);
    // The backend runs on its own task so that a panic in it becomes a 500, not a dropped
    // connection.
    let task = tokio::spawn(async move { dispatch(&*backend, op, ctx, value).await });
    match task.await {
        Ok(result) => result,
        Err(e) if e.is_panic() => Err(ApiError::internal(format!(
            "The server failed while handling {op}"
        ))),
        Err(_) => Err(ApiError::internal("The request was cancelled")),
    }
}

fn respond(status: StatusCode, request_id: &str, body: Vec<u8>) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    if let Ok(id) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", id);
    }
    response
}

fn error_response(error: &ApiError, request_id: &str) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response = respond(status, request_id, error.body());
    response.headers_mut().insert(
        "x-amzn-errortype",
        HeaderValue::from_static(error.code().name()),
    );
    response
}
