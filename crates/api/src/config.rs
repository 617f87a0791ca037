//! What a server is configured with.

/// Where `baton serve` listens unless told otherwise.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8083";
/// The account in ARNs unless configured.
pub const DEFAULT_ACCOUNT: &str = "123456789012";
/// The region in ARNs unless configured.
pub const DEFAULT_REGION: &str = "us-east-1";
/// AWS's payload limit: 256 KiB of execution input, output or task result.
pub const DEFAULT_MAX_PAYLOAD_BYTES: usize = 256 * 1024;
/// AWS's request size limit: 1 MiB per API request.
pub const DEFAULT_MAX_REQUEST_BYTES: usize = 1024 * 1024;

/// The request size limit unless one is set: AWS's 1 MiB, or, when the payload limit is
/// raised so far that a payload would not fit, twice the payload limit (room for the JSON
/// escaping of a payload sent as a string) plus 64 KiB for the rest of the request.
pub fn default_max_request_bytes(max_payload_bytes: usize) -> usize {
    DEFAULT_MAX_REQUEST_BYTES.max(
        max_payload_bytes
            .saturating_mul(2)
            .saturating_add(64 * 1024),
    )
}

/// The API's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiConfig {
    /// The region in ARNs (`arn:aws:states:REGION:...`).
    pub region: String,
    /// The account in ARNs.
    pub account: String,
    /// The payload limit in UTF-8 bytes: execution input and output and task results longer
    /// than this are rejected.
    pub max_payload_bytes: usize,
    /// The largest request body in bytes; `None` derives it from the payload limit (see
    /// [`ApiConfig::body_limit`]).
    pub max_request_bytes: Option<usize>,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            region: DEFAULT_REGION.to_owned(),
            account: DEFAULT_ACCOUNT.to_owned(),
            max_payload_bytes: DEFAULT_MAX_PAYLOAD_BYTES,
            max_request_bytes: None,
        }
    }
}

impl ApiConfig {
    /// The largest request body accepted: the one set, else AWS's 1 MiB (see
    /// [`default_max_request_bytes`]). Over it, `RequestEntityTooLarge` (413). A request
    /// within it is then checked member by member, against the model's lengths (a definition
    /// is at most 1 MiB) and the payload limit.
    pub fn body_limit(&self) -> usize {
        self.max_request_bytes
            .unwrap_or_else(|| default_max_request_bytes(self.max_payload_bytes))
    }
}
