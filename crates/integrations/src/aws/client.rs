//! Signed calls to AWS services: SigV4 (the `aws-sigv4` crate), bounded retries with
//! backoff as the SDKs' standard mode does them, and error names as Step Functions
//! reports them.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;

use super::botocore::ExtraModels;
use super::credential_process::{CredentialProcess, Kept};
use super::model::{Service, upper_first};
use super::protocol::{HttpRequest, HttpResponse, ServiceError, Style, parse_error};
use super::providers::Provider;
use super::roles::Roles;
use super::settings::{Keys, Resolved};
use crate::TaskFailure;

/// Sends signed requests.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    /// The resolved settings.
    pub settings: Arc<Resolved>,
    /// The models of `models-dir`, when one is set.
    extra_models: Option<Arc<ExtraModels>>,
    /// The profile's `credential_process`, when the credentials come from one.
    credential_process: Option<Arc<CredentialProcess>>,
    /// A web identity or a container endpoint, when the credentials come from one.
    provider: Option<Arc<Provider>>,
    /// Credentials of the roles tasks assumed, shared by the clones of this client.
    roles: Arc<Roles>,
    /// The role this client's calls are made as (a task's `Credentials.RoleArn`).
    role: Option<Arc<str>>,
}

/// Why a call did not get a successful answer.
#[derive(Debug)]
pub enum CallError {
    /// No credentials to sign with.
    Credentials(String),
    /// No answer (the endpoint is down, slow, or not HTTP), after every attempt.
    Transport {
        /// What went wrong the last time.
        message: String,
        /// Attempts made.
        attempts: u32,
    },
    /// The answer was larger than any result may be (see [`MAX_RESPONSE_BYTES`]); not
    /// read further, not tried again.
    TooLarge,
    /// The service answered with an error.
    Service {
        /// The answer.
        response: HttpResponse,
        /// What could be read of it.
        error: ServiceError,
        /// Attempts made.
        attempts: u32,
    },
}

/// The most of a service's answer that is read: a result made of more would be over the
/// payload limit whatever its shape (an S3 object of gigabytes is not read into memory to
/// be refused afterwards).
pub const MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;

/// Why a request got no answer to use.
enum FetchError {
    /// No answer, or a broken one.
    Transport(String),
    /// An answer over [`MAX_RESPONSE_BYTES`].
    TooLarge,
}

impl From<FetchError> for String {
    fn from(e: FetchError) -> String {
        match e {
            FetchError::Transport(m) => m,
            FetchError::TooLarge => {
                format!("the answer is larger than {MAX_RESPONSE_BYTES} bytes")
            }
        }
    }
}

/// Error codes the SDKs retry (throttling and transient errors).
const RETRIED_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
    "RequestTimeout",
    "RequestTimeoutException",
    "InternalError",
    "InternalFailure",
    "ServiceUnavailable",
];

impl Client {
    /// A client with the given settings.
    pub fn new(settings: Resolved) -> Client {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(Duration::from_secs(5).min(settings.timeout))
            .pool_idle_timeout(Duration::from_secs(50))
            .build()
            .unwrap_or_default();
        Client {
            http,
            extra_models: settings
                .models_dir
                .as_ref()
                .map(|dir| Arc::new(ExtraModels::new(dir))),
            credential_process: settings
                .credential_process
                .as_ref()
                .map(|c| Arc::new(CredentialProcess::new(c.clone()))),
            provider: provider(&settings).map(Arc::new),
            roles: Arc::new(Roles::default()),
            role: None,
            settings: Arc::new(settings),
        }
    }

    /// This client for a task: as the role its `Credentials` name, if any.
    pub fn for_task(&self, credentials: Option<&baton_json::Value>) -> Client {
        match super::roles::role_of(credentials) {
            Some(role) => self.assuming(role),
            None => self.clone(),
        }
    }

    /// This client, making its calls as `role_arn` (assumed with its own credentials).
    pub fn assuming(&self, role_arn: &str) -> Client {
        Client {
            role: Some(role_arn.into()),
            ..self.clone()
        }
    }

    /// The credentials to sign with: an assumed role's, else the ones given, else the
    /// `credential_process`'s.
    async fn keys(&self, region: &str) -> Result<Keys, String> {
        if let Some(role) = &self.role {
            let base = Client {
                role: None,
                ..self.clone()
            };
            return self.roles.keys(&base, role, region).await;
        }
        match (
            &self.settings.keys,
            &self.credential_process,
            &self.provider,
        ) {
            (Ok(keys), _, _) => Ok(keys.clone()),
            (Err(_), Some(process), _) => process.keys().await,
            (Err(_), None, Some(provider)) => {
                let base = Client {
                    role: None,
                    ..self.clone()
                };
                provider.keys(&base, region).await
            }
            (Err(e), None, None) => Err(e.clone()),
        }
    }

    /// The service an `aws-sdk:NAME:...` resource names: a shipped model, else one of the
    /// models directory.
    pub fn service(&self, sdk: &str) -> Option<&'static Service> {
        super::model::service(sdk).or_else(|| self.extra_models.as_ref()?.service(sdk))
    }

    /// The region calls go to: the settings', else the execution's.
    pub fn region<'a>(&'a self, execution_region: &'a str) -> &'a str {
        self.settings.region.as_deref().unwrap_or(execution_region)
    }

    /// The endpoint of `service`: the configured one, else AWS's for the region.
    pub fn endpoint(&self, service: &Service, region: &str) -> String {
        match self.settings.configured_endpoint(service.endpoint_key) {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!(
                "https://{}.{region}.amazonaws.com",
                service.model().meta.endpoint_prefix
            ),
        }
    }

    /// Sends `request` to `service`, retrying throttling, server errors and failed
    /// connections up to the configured attempts. A successful answer comes with the
    /// attempts it took.
    pub async fn send(
        &self,
        service: &Service,
        region: &str,
        request: &HttpRequest,
    ) -> Result<(HttpResponse, u32), CallError> {
        let keys = self.keys(region).await.map_err(CallError::Credentials)?;
        let credentials = Credentials::new(
            &keys.access_key_id,
            &keys.secret_access_key,
            keys.session_token.clone(),
            None,
            "baton",
        );
        let url = format!("{}{}", self.endpoint(service, region), request.path);
        let model = service.model();
        let max = self.settings.max_attempts;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let outcome = self
                .attempt(
                    &credentials,
                    model.meta.signing_name(),
                    region,
                    &url,
                    request,
                )
                .await;
            let retry = match &outcome {
                Err(FetchError::TooLarge) => false,
                Err(FetchError::Transport(_)) => true,
                Ok(r) if r.status < 300 => false,
                Ok(r) => {
                    matches!(r.status, 429 | 500 | 502 | 503 | 504)
                        || parse_error(model, r)
                            .code
                            .is_some_and(|c| RETRIED_CODES.contains(&c.as_str()))
                }
            };
            if retry && attempt < max {
                tokio::time::sleep(backoff(attempt)).await;
                continue;
            }
            return match outcome {
                Ok(r) if r.status < 300 => Ok((r, attempt)),
                Ok(r) => Err(CallError::Service {
                    error: parse_error(model, &r),
                    response: r,
                    attempts: attempt,
                }),
                Err(FetchError::TooLarge) => Err(CallError::TooLarge),
                Err(FetchError::Transport(message)) => Err(CallError::Transport {
                    message,
                    attempts: attempt,
                }),
            };
        }
    }

    async fn attempt(
        &self,
        credentials: &Credentials,
        signing_name: &str,
        region: &str,
        url: &str,
        request: &HttpRequest,
    ) -> Result<HttpResponse, FetchError> {
        let mut headers = request.headers.clone();
        if signing_name == "s3" {
            headers.push(("x-amz-content-sha256".into(), hex_sha256(&request.body)));
        }
        let signed = sign_headers(credentials, signing_name, region, url, request, &headers)
            .map_err(FetchError::Transport)?;
        headers.extend(signed);
        self.execute(&request.method, url, &headers, request.body.clone(), None)
            .await
    }

    /// `request` to `service` without a signature (STS's AssumeRoleWithWebIdentity: the
    /// token is the proof), one attempt.
    pub async fn send_unsigned(
        &self,
        service: &Service,
        region: &str,
        request: &HttpRequest,
    ) -> Result<HttpResponse, String> {
        let url = format!("{}{}", self.endpoint(service, region), request.path);
        self.execute(
            &request.method,
            &url,
            &request.headers,
            request.body.clone(),
            None,
        )
        .await
        .map_err(String::from)
    }

    /// A plain request without a body (credentials endpoints, instance metadata): its
    /// status and body.
    pub async fn request(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        timeout: Duration,
    ) -> Result<(u16, Vec<u8>), String> {
        let headers: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let r = self
            .execute(method, url, &headers, Vec::new(), Some(timeout))
            .await
            .map_err(String::from)?;
        Ok((r.status, r.body))
    }

    async fn execute(
        &self,
        method: &str,
        url: &str,
        headers: &[(String, String)],
        body: Vec<u8>,
        timeout: Option<Duration>,
    ) -> Result<HttpResponse, FetchError> {
        let method = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|e| FetchError::Transport(format!("bad method: {e}")))?;
        let mut builder = self.http.request(method, url);
        for (k, v) in headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        if let Some(t) = timeout {
            builder = builder.timeout(t);
        }
        let mut response = builder
            .body(body)
            .send()
            .await
            .map_err(|e| FetchError::Transport(describe_reqwest(&e)))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        if response
            .content_length()
            .is_some_and(|n| n > MAX_RESPONSE_BYTES as u64)
        {
            return Err(FetchError::TooLarge);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| FetchError::Transport(describe_reqwest(&e)))?
        {
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(FetchError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

/// The source of temporary credentials the settings name, in the SDKs' order.
fn provider(settings: &Resolved) -> Option<Provider> {
    if let Some(w) = &settings.web_identity {
        return Some(Provider::WebIdentity(w.clone(), Kept::default()));
    }
    if let Some(s) = &settings.sso {
        return Some(Provider::Sso(s.clone(), Kept::default()));
    }
    if let Some(c) = &settings.container {
        return Some(Provider::Container(c.clone(), Kept::default()));
    }
    settings
        .instance_metadata
        .as_ref()
        .map(|e| Provider::InstanceMetadata(e.clone(), Kept::default()))
}

/// The SigV4 headers for a request.
pub fn sign_headers(
    credentials: &Credentials,
    signing_name: &str,
    region: &str,
    url: &str,
    request: &HttpRequest,
    headers: &[(String, String)],
) -> Result<Vec<(String, String)>, String> {
    let identity = credentials.clone().into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(signing_name)
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| format!("cannot sign: {e}"))?
        .into();
    let signable = SignableRequest::new(
        &request.method,
        url,
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Bytes(&request.body),
    )
    .map_err(|e| format!("cannot sign {url}: {e}"))?;
    let (instructions, _) = sign(signable, &params)
        .map_err(|e| format!("cannot sign: {e}"))?
        .into_parts();
    Ok(instructions
        .headers()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect())
}

fn hex_sha256(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The pause before attempt `attempt + 1`: exponential from 100 ms, capped at 20 s, with
/// full jitter (as the SDKs' standard retry mode).
fn backoff(attempt: u32) -> Duration {
    let cap = 0.1 * 2f64.powi(attempt as i32 - 1);
    let cap = cap.min(20.0);
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let jitter = f64::from(nanos % 1000) / 1000.0;
    Duration::from_secs_f64(cap * (0.5 + jitter / 2.0))
}

fn describe_reqwest(e: &reqwest::Error) -> String {
    use std::error::Error as _;
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}

/// An exception's name as the AWS SDKs for Java give it (`QueueDoesNotExist` →
/// `QueueDoesNotExistException`).
fn exception_name(shape: &str) -> String {
    if shape.ends_with("Exception") {
        shape.to_owned()
    } else {
        format!("{shape}Exception")
    }
}

/// A failed call as the task's error and cause, in the style of the integration.
pub fn task_failure(service: &Service, style: Style, error: CallError) -> TaskFailure {
    let (prefix, base) = match style {
        Style::Optimized => (service.v1_prefix.to_owned(), service.v1_base_exception()),
        Style::Sdk => {
            let p = service.v2_prefix();
            let base = format!("{p}Exception");
            (p, base)
        }
    };
    match error {
        CallError::Credentials(message) => {
            TaskFailure::new(format!("{prefix}.SdkClientException"), message)
        }
        // AWS names the integration in the cause: `aws-sdk:s3`, or the optimized one's.
        CallError::TooLarge => TaskFailure::new(
            "States.DataLimitExceeded",
            format!(
                "The state/task '{}' returned a result with a size exceeding the maximum number of bytes service limit.",
                match style {
                    Style::Sdk => format!("aws-sdk:{}", service.sdk),
                    Style::Optimized => service.sdk.to_owned(),
                }
            ),
        ),
        CallError::Transport { message, attempts } => TaskFailure::new(
            format!("{prefix}.SdkClientException"),
            match style {
                Style::Optimized => format!("Unable to execute HTTP request: {message}"),
                Style::Sdk => format!(
                    "Unable to execute HTTP request: {message} (SDK Attempt Count: {attempts})"
                ),
            },
        ),
        CallError::Service {
            response,
            error,
            attempts,
        } => {
            let model = service.model();
            let modeled = error
                .code
                .as_deref()
                .and_then(|c| model.exception_for_code(c))
                .or_else(|| {
                    error
                        .legacy_code
                        .as_deref()
                        .and_then(|c| model.exception_for_code(c))
                });
            let name = match modeled {
                Some(shape) => exception_name(&upper_first(shape)),
                None => base,
            };
            let reason = http_reason(response.status);
            let code = error
                .legacy_code
                .clone()
                .or(error.code.clone())
                .unwrap_or_else(|| format!("{} {reason}", response.status));
            let request_id = error.request_id.as_deref().unwrap_or("null");
            let message = error.message.clone().unwrap_or_else(|| match &error.code {
                Some(c) => c.clone(),
                None => {
                    let body = String::from_utf8_lossy(&response.body);
                    let body: String = body.chars().take(200).collect();
                    if body.trim().is_empty() {
                        format!("{} {reason}", response.status)
                    } else {
                        body
                    }
                }
            });
            let cause = match style {
                Style::Optimized => format!(
                    "{message} (Service: {}; Status Code: {}; Error Code: {code}; Request ID: {request_id}; Proxy: null)",
                    service.v1_service, response.status
                ),
                Style::Sdk => format!(
                    "{message} (Service: {prefix}, Status Code: {}, Request ID: {request_id}) (SDK Attempt Count: {attempts})",
                    response.status
                ),
            };
            TaskFailure::new(format!("{prefix}.{name}"), cause)
        }
    }
}

/// An answer that is not what the model says, as the SDKs report it.
pub fn unreadable(
    service: &Service,
    style: Style,
    response: &HttpResponse,
    why: &str,
) -> TaskFailure {
    let prefix = match style {
        Style::Optimized => service.v1_prefix.to_owned(),
        Style::Sdk => service.v2_prefix(),
    };
    TaskFailure::new(
        format!("{prefix}.SdkClientException"),
        format!(
            "Unable to unmarshall response ({why}). Response Code: {}, Response Text: {}",
            response.status,
            http_reason(response.status)
        ),
    )
}

fn http_reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::model::service;

    fn answer(status: u16, body: &str) -> CallError {
        let response = HttpResponse {
            status,
            headers: vec![("x-amzn-requestid".into(), "rid".into())],
            body: body.as_bytes().to_vec(),
        };
        let error = parse_error(service("dynamodb").unwrap().model(), &response);
        CallError::Service {
            response,
            error,
            attempts: 1,
        }
    }

    #[test]
    fn optimized_errors_are_named_as_the_java_sdk_1_names_them() {
        let ddb = service("dynamodb").unwrap();
        let f = task_failure(
            ddb,
            Style::Optimized,
            answer(
                400,
                r#"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}"#,
            ),
        );
        assert_eq!(
            f.error.as_deref(),
            Some("DynamoDB.ResourceNotFoundException")
        );
        assert_eq!(
            f.cause.as_deref(),
            Some(
                "Requested resource not found (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ResourceNotFoundException; Request ID: rid; Proxy: null)"
            )
        );
        let f = task_failure(
            ddb,
            Style::Optimized,
            answer(
                400,
                r#"{"__type":"com.amazon.coral.validate#ValidationException","message":"bad"}"#,
            ),
        );
        assert_eq!(f.error.as_deref(), Some("DynamoDB.AmazonDynamoDBException"));
    }

    #[test]
    fn query_errors_are_named_by_their_modeled_code() {
        // As AWS answered Step Functions (recorded in the conformance corpus).
        let sns = service("sns").unwrap();
        let response = HttpResponse {
            status: 400,
            headers: vec![],
            body: br#"<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameter</Code><Message>Invalid parameter: The MessageGroupId parameter is required for FIFO topics</Message></Error><RequestId>rid</RequestId></ErrorResponse>"#.to_vec(),
        };
        let error = parse_error(sns.model(), &response);
        let f = task_failure(
            sns,
            Style::Optimized,
            CallError::Service {
                response,
                error,
                attempts: 1,
            },
        );
        assert_eq!(f.error.as_deref(), Some("SNS.InvalidParameterException"));
        assert_eq!(
            f.cause.as_deref(),
            Some(
                "Invalid parameter: The MessageGroupId parameter is required for FIFO topics (Service: AmazonSNS; Status Code: 400; Error Code: InvalidParameter; Request ID: rid; Proxy: null)"
            )
        );
    }

    #[test]
    fn sdk_errors_are_named_as_the_java_sdk_2_names_them() {
        let ddb = service("dynamodb").unwrap();
        let f = task_failure(
            ddb,
            Style::Sdk,
            answer(
                400,
                r#"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}"#,
            ),
        );
        assert_eq!(
            f.error.as_deref(),
            Some("DynamoDb.ResourceNotFoundException")
        );
        assert_eq!(
            f.cause.as_deref(),
            Some(
                "Requested resource not found (Service: DynamoDb, Status Code: 400, Request ID: rid) (SDK Attempt Count: 1)"
            )
        );
        let f = task_failure(ddb, Style::Sdk, answer(502, "<html>bad gateway</html>"));
        assert_eq!(f.error.as_deref(), Some("DynamoDb.DynamoDbException"));
    }
}
