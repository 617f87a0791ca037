//! What a backend learns about a request besides its body.

use std::sync::Arc;

use crate::arn::{Arn, Resource};
use crate::config::ApiConfig;
use crate::operations::Operation;
use crate::validate::Limits;

/// The context of one request.
#[derive(Debug, Clone)]
pub struct RequestContext {
    /// The action called.
    pub operation: Operation,
    /// The region the server is configured with.
    pub region: Arc<str>,
    /// The account the server is configured with.
    pub account: Arc<str>,
    /// Whether the request arrived on the `sync-` host prefix (the endpoint of
    /// StartSyncExecution, `sync-states.REGION.amazonaws.com`).
    pub sync_endpoint: bool,
    /// The request id, also returned in `x-amzn-RequestId`.
    pub request_id: Arc<str>,
    /// The configured payload limit in UTF-8 bytes.
    pub max_payload_bytes: usize,
}

impl RequestContext {
    /// A context for `operation` on a server configured with `config`, with a fresh request
    /// id, not on the `sync-` endpoint.
    pub fn new(operation: Operation, config: &ApiConfig) -> Self {
        RequestContext {
            operation,
            region: config.region.as_str().into(),
            account: config.account.as_str().into(),
            sync_endpoint: false,
            request_id: uuid::Uuid::new_v4().to_string().into(),
            max_payload_bytes: config.max_payload_bytes,
        }
    }

    /// The limits requests are validated against.
    pub fn limits(&self) -> Limits {
        Limits {
            max_payload_bytes: self.max_payload_bytes,
        }
    }

    /// The ARN of `resource` in this server's partition, region and account.
    pub fn arn(&self, resource: Resource) -> Arn {
        Arn {
            partition: "aws".to_owned(),
            region: self.region.to_string(),
            account: self.account.to_string(),
            resource,
        }
    }
}
