//! What a server is configured with.

/// Where `baton serve` listens unless told otherwise.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8083";
/// The account in ARNs unless configured.
pub const DEFAULT_ACCOUNT: &str = "123456789012";
/// The region in ARNs unless configured.
pub const DEFAULT_REGION: &str = "us-east-1";
/// AWS's payload limit: 256 KiB of execution input, output or task result.
pub const DEFAULT_MAX_PAYLOAD_BYTES: usize = 256 * 1024;
/// The largest string member of the model (a state machine definition, 1 MiB).
const LARGEST_MEMBER_BYTES: usize = 1024 * 1024;

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
    pub max_body_bytes: Option<usize>,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            region: DEFAULT_REGION.to_owned(),
            account: DEFAULT_ACCOUNT.to_owned(),
            max_payload_bytes: DEFAULT_MAX_PAYLOAD_BYTES,
            max_body_bytes: None,
        }
    }
}

impl ApiConfig {
    /// The largest request body accepted. Payloads travel as JSON strings inside the body,
    /// where escaping can make them up to six times longer (`\u0000` for a control byte), and
    /// a definition may be 1 MiB; so unless set, the limit is six times the larger of the
    /// payload limit and 1 MiB, plus 64 KiB for the rest of the request (6.06 MiB by
    /// default). Sizes of the members themselves are checked after decoding, against the
    /// model and the payload limit.
    pub fn body_limit(&self) -> usize {
        self.max_body_bytes.unwrap_or_else(|| {
            self.max_payload_bytes
                .max(LARGEST_MEMBER_BYTES)
                .saturating_mul(6)
                .saturating_add(64 * 1024)
        })
    }
}
