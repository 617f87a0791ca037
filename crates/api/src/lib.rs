//! The AWS Step Functions API as AWS defines it, and nothing else: the JSON 1.0 protocol
//! (`POST /` with `X-Amz-Target: AWSStepFunctions.<Action>`), the wire types of all 37
//! actions generated from AWS's model, validation of requests against the model's
//! constraints with AWS's messages, AWS's error responses, ARNs and name rules.
//!
//! This crate knows nothing of engines or storage. A service plugs in by implementing
//! [`Backend`], one `async fn` per action taking the typed request and a
//! [`RequestContext`]; [`router`] turns a backend into an axum `Router`:
//!
//! ```no_run
//! use std::sync::Arc;
//! use baton_api::{ApiConfig, ApiError, Backend, RequestContext, model::*};
//!
//! struct Service;
//!
//! impl Backend for Service {
//!     async fn describe_execution(
//!         &self,
//!         _ctx: RequestContext,
//!         input: DescribeExecutionInput,
//!     ) -> Result<DescribeExecutionOutput, ApiError> {
//!         Err(ApiError::execution_does_not_exist(&input.execution_arn))
//!     }
//! }
//!
//! # async fn run() -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind(baton_api::DEFAULT_ADDR).await?;
//! baton_api::serve(listener, Arc::new(Service), ApiConfig::default()).await
//! # }
//! ```
//!
//! - [`model`]: generated from botocore's `service-2.json` by `tools/generate.py`: one type
//!   per structure and enum, [`model::ErrorCode`], and [`model::SHAPES`], the constraints as
//!   data.
//! - [`operations`]: generated: [`Operation`] (name, input and output types, modeled errors,
//!   host prefix) and the [`Backend`] trait.
//! - [`validate`]: requests checked against the model (`ValidationException`,
//!   `SerializationException`).
//! - [`error`]: [`ApiError`], serialised as `{"__type": ..., "message": ...}`.
//! - [`arn`], [`name`]: ARNs and names as AWS parses and checks them.
//! - [`page`]: page sizes and opaque `nextToken`s.
//! - [`http`]: the router.

pub mod arn;
pub mod config;
pub mod context;
pub mod decode;
pub mod error;
pub mod http;
pub mod model;
pub mod name;
pub mod operations;
pub mod page;
pub mod passthrough;
pub mod pattern;
pub mod schema;
pub mod timestamp;
pub mod validate;

pub use config::{
    ApiConfig, DEFAULT_ACCOUNT, DEFAULT_ADDR, DEFAULT_MAX_PAYLOAD_BYTES, DEFAULT_MAX_REQUEST_BYTES,
    DEFAULT_REGION, default_max_request_bytes,
};
pub use context::RequestContext;
pub use error::ApiError;
pub use http::{router, serve};
pub use model::ErrorCode;
pub use operations::{Backend, Operation};
pub use passthrough::Passthrough;
pub use timestamp::Timestamp;
