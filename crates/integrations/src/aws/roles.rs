//! Roles assumed for tasks: a Task state's `Credentials.RoleArn` makes its AWS calls with
//! the role's temporary credentials, got from STS's AssumeRole with Baton's own. They are
//! kept per role until five minutes before they expire.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use baton_json::Value;

use super::client::Client;
use super::credential_process::Kept;
use super::protocol::Style;
use super::settings::Keys;

/// The session name Baton's assumed roles go by (in CloudTrail).
const SESSION_NAME: &str = "baton";

/// Credentials of the roles assumed so far, each role's kept on its own (assuming one
/// role does not hold up calls as another).
#[derive(Default)]
pub struct Roles {
    kept: Mutex<HashMap<String, Arc<Kept>>>,
}

impl Roles {
    /// Credentials for `role_arn`: the kept ones while good, else new ones from STS, asked
    /// by `base` (a client with Baton's own credentials) in `region`.
    pub async fn keys(&self, base: &Client, role_arn: &str, region: &str) -> Result<Keys, String> {
        let kept = Arc::clone(
            self.kept
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .entry(role_arn.to_owned())
                .or_default(),
        );
        kept.get(|| async {
            let (keys, expires) = assume(base, role_arn, region).await?;
            Ok((keys, Some(expires)))
        })
        .await
    }
}

/// Credentials and when they expire.
type Expiring = (Keys, SystemTime);

/// STS's AssumeRole, boxed: it goes through the same client as the call it is for.
fn assume<'a>(
    base: &'a Client,
    role_arn: &'a str,
    region: &'a str,
) -> Pin<Box<dyn Future<Output = Result<Expiring, String>> + Send + 'a>> {
    Box::pin(async move {
        let sts = super::model::service("sts").expect("the STS model is shipped");
        let mut input = baton_json::Map::default();
        input.insert("RoleArn".into(), Value::from(role_arn));
        input.insert("RoleSessionName".into(), Value::from(SESSION_NAME));
        let (_, out) = super::call_op(
            base,
            sts,
            "AssumeRole",
            &Value::object(input),
            region,
            Style::Sdk,
        )
        .await
        .map_err(|f| {
            format!(
                "Unable to assume the role {role_arn}: {}: {}",
                f.error.as_deref().unwrap_or("error"),
                f.cause.as_deref().unwrap_or_default()
            )
        })?;
        read_credentials(&out)
            .ok_or_else(|| format!("Unable to assume the role {role_arn}: STS gave no credentials"))
    })
}

/// STS's `Credentials` (AssumeRole's, AssumeRoleWithWebIdentity's).
pub(crate) fn read_credentials(out: &Value) -> Option<Expiring> {
    let c = out.get("Credentials")?;
    let text = |k: &str| c.get(k).and_then(Value::as_str).map(str::to_owned);
    let expires = text("Expiration")
        .and_then(|t| super::credential_process::rfc3339(&t))
        .unwrap_or_else(|| SystemTime::now() + Duration::from_secs(900));
    Some((
        Keys {
            access_key_id: text("AccessKeyId")?,
            secret_access_key: text("SecretAccessKey")?,
            session_token: text("SessionToken"),
        },
        expires,
    ))
}

/// The role a task's `Credentials` name, if any.
pub fn role_of(credentials: Option<&Value>) -> Option<&str> {
    credentials?
        .get("RoleArn")?
        .as_str()
        .filter(|r| !r.is_empty())
}
