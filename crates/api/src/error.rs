//! AWS's error responses: `{"__type": "StateMachineDoesNotExist", "message": "..."}` with the
//! exception's HTTP status.
//!
//! The message helpers below say where their wording comes from: "recorded" ones are AWS's
//! exact text as captured from AWS Step Functions; the others follow the recorded ones'
//! style and are Baton's.

use serde_json::{Map, Value};

use crate::model::ErrorCode;
use crate::operations::Operation;

/// An error response: AWS's exception name, its message, and any further members the
/// model gives the exception (`resourceName` of ResourceNotFound, `reason` of
/// ValidationException, ...).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiError {
    code: ErrorCode,
    message: String,
    fields: Map<String, Value>,
}

impl ApiError {
    /// An error with AWS's exception name and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            fields: Map::new(),
        }
    }

    /// The error with one more member in its body (e.g. `resourceName`).
    pub fn with_field(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.fields.insert(name.to_owned(), value.into());
        self
    }

    /// The exception's name.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The HTTP status of the response.
    pub fn status(&self) -> u16 {
        self.code.status()
    }

    /// The response body: `{"__type": ..., "message": ..., <fields>}`.
    pub fn body(&self) -> Vec<u8> {
        let mut body = Map::new();
        body.insert("__type".into(), Value::from(self.code.name()));
        body.insert("message".into(), Value::from(self.message.as_str()));
        for (k, v) in &self.fields {
            body.insert(k.clone(), v.clone());
        }
        serde_json::to_vec(&Value::Object(body)).unwrap_or_default()
    }

    /// The answer to an action the backend does not implement: `NotImplemented`, HTTP 501,
    /// which AWS clients do not retry.
    pub fn not_implemented(op: Operation) -> Self {
        ApiError::new(
            ErrorCode::NotImplemented,
            format!("The action {op} is not implemented by this server"),
        )
    }

    /// `ValidationException` with a message.
    pub fn validation(message: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::ValidationException, message)
    }

    /// `SerializationException`: the body is not JSON or a member has the wrong type.
    pub fn serialization(message: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::SerializationException, message)
    }

    /// `InternalFailure`, HTTP 500.
    pub fn internal(message: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::InternalFailure, message)
    }

    /// `InvalidArn`: `Invalid Arn: '<reason>'` (recorded).
    pub fn invalid_arn(reason: impl std::fmt::Display) -> Self {
        ApiError::new(ErrorCode::InvalidArn, format!("Invalid Arn: '{reason}'"))
    }

    /// `InvalidName`: `Invalid Name: '<name>'` (recorded).
    pub fn invalid_name(name: &str) -> Self {
        ApiError::new(ErrorCode::InvalidName, format!("Invalid Name: '{name}'"))
    }

    /// `StateMachineDoesNotExist`: `State Machine Does Not Exist: '<arn>'` (recorded).
    pub fn state_machine_does_not_exist(arn: &str) -> Self {
        ApiError::new(
            ErrorCode::StateMachineDoesNotExist,
            format!("State Machine Does Not Exist: '{arn}'"),
        )
    }

    /// `StateMachineAlreadyExists`: `State Machine Already Exists: '<arn>'` (recorded).
    pub fn state_machine_already_exists(arn: &str) -> Self {
        ApiError::new(
            ErrorCode::StateMachineAlreadyExists,
            format!("State Machine Already Exists: '{arn}'"),
        )
    }

    /// `ExecutionDoesNotExist`: `Execution Does Not Exist: '<arn>'` (recorded).
    pub fn execution_does_not_exist(arn: &str) -> Self {
        ApiError::new(
            ErrorCode::ExecutionDoesNotExist,
            format!("Execution Does Not Exist: '{arn}'"),
        )
    }

    /// `ExecutionAlreadyExists`: `Execution Already Exists: '<arn>'` (recorded).
    pub fn execution_already_exists(arn: &str) -> Self {
        ApiError::new(
            ErrorCode::ExecutionAlreadyExists,
            format!("Execution Already Exists: '{arn}'"),
        )
    }

    /// `ActivityDoesNotExist`: `Activity Does Not Exist: '<arn>'` (recorded).
    pub fn activity_does_not_exist(arn: &str) -> Self {
        ApiError::new(
            ErrorCode::ActivityDoesNotExist,
            format!("Activity Does Not Exist: '{arn}'"),
        )
    }

    /// `InvalidExecutionInput`: `Invalid State Machine Execution Input: '<reason>'`
    /// (recorded; the reason for unparsable input is the JSON parser's own text).
    pub fn invalid_execution_input(reason: impl std::fmt::Display) -> Self {
        ApiError::new(
            ErrorCode::InvalidExecutionInput,
            format!("Invalid State Machine Execution Input: '{reason}'"),
        )
    }

    /// `StateMachineTypeNotSupported`: `This operation is not supported by this type of state
    /// machine` (recorded: StartSyncExecution of a STANDARD machine, ListExecutions of an
    /// EXPRESS one).
    pub fn state_machine_type_not_supported() -> Self {
        ApiError::new(
            ErrorCode::StateMachineTypeNotSupported,
            "This operation is not supported by this type of state machine",
        )
    }

    /// `InvalidToken`: `Invalid Token: '<reason>'` (the pattern of the recorded messages;
    /// not itself recorded).
    pub fn invalid_token(reason: impl std::fmt::Display) -> Self {
        ApiError::new(
            ErrorCode::InvalidToken,
            format!("Invalid Token: '{reason}'"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_has_type_message_and_fields() {
        let e = ApiError::new(ErrorCode::ResourceNotFound, "Resource not found")
            .with_field("resourceName", "arn:aws:states:us-east-1:1:activity:a");
        let body: Value = serde_json::from_slice(&e.body()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({
                "__type": "ResourceNotFound",
                "message": "Resource not found",
                "resourceName": "arn:aws:states:us-east-1:1:activity:a"
            })
        );
        assert_eq!(e.status(), 400);
    }

    #[test]
    fn statuses() {
        assert_eq!(ApiError::internal("x").status(), 500);
        assert_eq!(
            ApiError::not_implemented(Operation::TestState).status(),
            501
        );
        assert_eq!(ApiError::serialization("x").status(), 400);
        assert_eq!(
            ErrorCode::parse("TaskTimedOut"),
            Some(ErrorCode::TaskTimedOut)
        );
        assert!(ErrorCode::TaskTimedOut.is_modeled());
        assert!(!ErrorCode::UnknownOperationException.is_modeled());
    }
}
