//! Runtime errors in AWS's words.

use baton_api::{ApiError, ErrorCode};
use baton_runtime::RuntimeError;
use baton_store::StoreError;

/// The API error for a runtime error.
pub(crate) fn api_error(e: RuntimeError) -> ApiError {
    match e {
        RuntimeError::AlreadyExists(arn) => ApiError::execution_already_exists(&arn),
        RuntimeError::NotFound(arn) => ApiError::execution_does_not_exist(&arn),
        RuntimeError::InvalidInput(reason) => ApiError::invalid_execution_input(reason),
        RuntimeError::InvalidDefinition(message) => {
            ApiError::new(ErrorCode::InvalidDefinition, message)
        }
        RuntimeError::InvalidToken(reason) => ApiError::invalid_token(reason),
        RuntimeError::TaskGone => ApiError::new(
            ErrorCode::TaskTimedOut,
            "Task Timed Out: 'Provided task does not exist anymore'",
        ),
        RuntimeError::Store(e) => store_error(e),
        RuntimeError::ShuttingDown => {
            ApiError::new(ErrorCode::InternalFailure, "The server is shutting down")
        }
        RuntimeError::MapRunNotFound(arn) => ApiError::new(
            ErrorCode::ResourceNotFound,
            format!("Resource not found: '{arn}'"),
        ),
        RuntimeError::NotRedrivable(reason) => {
            ApiError::new(ErrorCode::ExecutionNotRedrivable, reason)
        }
        e @ RuntimeError::TooManyPollers(_) => {
            ApiError::new(ErrorCode::ActivityWorkerLimitExceeded, e.to_string())
        }
        e @ RuntimeError::LimitExceeded(_) => {
            ApiError::new(ErrorCode::ExecutionLimitExceeded, e.to_string())
        }
    }
}

/// The API error for a store failure: a clean 500 saying what failed.
pub(crate) fn store_error(e: StoreError) -> ApiError {
    match e {
        StoreError::Full(detail) => ApiError::new(
            ErrorCode::InternalFailure,
            format!("The server's storage is full; nothing of this request was kept ({detail})"),
        ),
        other => ApiError::new(
            ErrorCode::InternalFailure,
            format!("The server's storage failed; nothing of this request was kept ({other})"),
        ),
    }
}
