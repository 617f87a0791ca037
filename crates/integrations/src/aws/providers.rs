//! Temporary credentials from where a deployment or a developer puts them: a web identity
//! token traded with STS for a role's credentials (Kubernetes service accounts), an IAM
//! Identity Center (SSO) login, a container's credentials endpoint (ECS tasks, EKS Pod
//! Identity), EC2's instance metadata. All are kept until five minutes before they expire.

use std::time::Duration;

use baton_json::Value;

use super::client::Client;
use super::credential_process::{Expiring, Kept, rfc3339};
use super::protocol::{Style, build_request, parse_response};
use super::settings::{ContainerCredentials, Keys, Sso, WebIdentity};

/// How long a container endpoint may take to answer.
const CONTAINER_TIMEOUT: Duration = Duration::from_secs(5);

/// A source of temporary credentials, and what it last gave.
pub(crate) enum Provider {
    /// A web identity token, traded with STS.
    WebIdentity(WebIdentity, Kept),
    /// A container's credentials endpoint.
    Container(ContainerCredentials, Kept),
    /// EC2's instance metadata (IMDSv2), at this endpoint.
    InstanceMetadata(String, Kept),
    /// An IAM Identity Center (SSO) role, with the cached login token.
    Sso(Sso, Kept),
}

impl Provider {
    /// Credentials: the kept ones while they are good, else new ones. `client` reaches STS
    /// (unsigned: the token is the proof) in `region`.
    pub(crate) async fn keys(&self, client: &Client, region: &str) -> Result<Keys, String> {
        match self {
            Provider::WebIdentity(w, kept) => kept.get(|| web_identity(client, w, region)).await,
            Provider::Container(c, kept) => kept.get(|| container(client, c)).await,
            Provider::InstanceMetadata(endpoint, kept) => {
                kept.get(|| instance_metadata(client, endpoint)).await
            }
            Provider::Sso(sso, kept) => kept.get(|| sso_role(client, sso)).await,
        }
    }
}

async fn web_identity(client: &Client, w: &WebIdentity, region: &str) -> Result<Expiring, String> {
    let failed = |why: String| {
        format!(
            "Unable to load AWS credentials: the web identity of {} {why}",
            w.role_arn
        )
    };
    // A small file, read at each exchange (it is rotated).
    let token = std::fs::read_to_string(&w.token_file).map_err(|e| {
        failed(format!(
            "cannot be read from {}: {e}",
            w.token_file.display()
        ))
    })?;
    let sts = super::model::service("sts").expect("the STS model is shipped");
    let model = sts.model();
    let op_name = "AssumeRoleWithWebIdentity";
    let op = model
        .operation(op_name)
        .ok_or_else(|| failed("has no operation in the STS model".into()))?;
    let mut input = baton_json::Map::default();
    input.insert("RoleArn".into(), Value::from(w.role_arn.as_str()));
    input.insert(
        "RoleSessionName".into(),
        Value::from(w.session_name.as_str()),
    );
    input.insert("WebIdentityToken".into(), Value::from(token.trim()));
    let request =
        build_request(model, op_name, op, &Value::object(input)).map_err(|e| failed(e.0))?;
    let response = client
        .send_unsigned(sts, region, &request)
        .await
        .map_err(failed)?;
    if response.status >= 300 {
        let e = super::protocol::parse_error(model, &response);
        return Err(failed(format!(
            "was refused by STS ({}): {}",
            e.code.as_deref().unwrap_or("error"),
            e.message.as_deref().unwrap_or_default()
        )));
    }
    let out = parse_response(model, op, &response, Style::Sdk)
        .map_err(|e| failed(format!("got an answer that cannot be read: {}", e.0)))?;
    let (keys, expires) = super::roles::read_credentials(&out)
        .ok_or_else(|| failed("got no credentials from STS".into()))?;
    Ok((keys, Some(expires)))
}

/// IAM Identity Center: the token `aws sso login` cached, traded for the role's
/// credentials at the SSO portal (`GetRoleCredentials`).
async fn sso_role(client: &Client, sso: &Sso) -> Result<Expiring, String> {
    use sha1::Digest as _;
    let failed = |why: String| {
        format!(
            "Unable to load AWS credentials for the SSO role {} of {}: {why}",
            sso.role_name, sso.account_id
        )
    };
    let name: String = sha1::Sha1::digest(sso.cache_key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let path = sso.cache_dir.join(format!("{name}.json"));
    let cached = std::fs::read_to_string(&path).map_err(|e| {
        failed(format!(
            "no cached login at {} ({e}): run aws sso login",
            path.display()
        ))
    })?;
    let cached = Value::from_json_str(&cached)
        .map_err(|_| failed(format!("{} is not JSON", path.display())))?;
    let token = cached
        .get("accessToken")
        .and_then(Value::as_str)
        .ok_or_else(|| failed(format!("{} holds no accessToken", path.display())))?;
    if cached
        .get("expiresAt")
        .and_then(Value::as_str)
        .and_then(rfc3339)
        .is_some_and(|t| t <= std::time::SystemTime::now())
    {
        return Err(failed(
            "the SSO session has expired: run aws sso login".into(),
        ));
    }
    let endpoint = client.settings.configured_endpoint("sso").map_or_else(
        || format!("https://portal.sso.{}.amazonaws.com", sso.region),
        |e| e.trim_end_matches('/').to_owned(),
    );
    let url = format!(
        "{endpoint}/federation/credentials?account_id={}&role_name={}",
        super::protocol::encode(&sso.account_id, true),
        super::protocol::encode(&sso.role_name, true)
    );
    let (status, body) = client
        .request(
            "GET",
            &url,
            &[("x-amz-sso_bearer_token", token)],
            CONTAINER_TIMEOUT,
        )
        .await
        .map_err(failed)?;
    if status >= 300 {
        return Err(failed(format!(
            "the SSO portal answered {status}: {}",
            String::from_utf8_lossy(&body)
                .chars()
                .take(300)
                .collect::<String>()
        )));
    }
    let v = Value::from_json_str(&String::from_utf8_lossy(&body))
        .map_err(|_| failed("the SSO portal's answer is not JSON".into()))?;
    let c = v
        .get("roleCredentials")
        .ok_or_else(|| failed("the SSO portal gave no roleCredentials".into()))?;
    let text = |k: &str| c.get(k).and_then(Value::as_str).map(str::to_owned);
    let (Some(access_key_id), Some(secret_access_key)) =
        (text("accessKeyId"), text("secretAccessKey"))
    else {
        return Err(failed("the SSO portal gave no keys".into()));
    };
    let expires = c
        .get("expiration")
        .and_then(Value::as_i64)
        .and_then(|ms| u64::try_from(ms).ok())
        .map(|ms| std::time::UNIX_EPOCH + Duration::from_millis(ms));
    Ok((
        Keys {
            access_key_id,
            secret_access_key,
            session_token: text("sessionToken"),
        },
        expires,
    ))
}

/// IMDSv2: a session token, the instance's role, then the role's credentials.
async fn instance_metadata(client: &Client, endpoint: &str) -> Result<Expiring, String> {
    let failed = |why: String| {
        format!("Unable to load AWS credentials from the instance metadata at {endpoint}: {why}")
    };
    let token = client
        .request(
            "PUT",
            &format!("{endpoint}/latest/api/token"),
            &[("x-aws-ec2-metadata-token-ttl-seconds", "21600")],
            CONTAINER_TIMEOUT,
        )
        .await
        .and_then(|(status, body)| {
            (status < 300)
                .then(|| String::from_utf8_lossy(&body).trim().to_owned())
                .ok_or_else(|| format!("status {status} for a session token"))
        })
        .map_err(failed)?;
    let base = format!("{endpoint}/latest/meta-data/iam/security-credentials/");
    let header = [("x-aws-ec2-metadata-token", token.as_str())];
    let (status, body) = client
        .request("GET", &base, &header, CONTAINER_TIMEOUT)
        .await
        .map_err(failed)?;
    let role = String::from_utf8_lossy(&body);
    let role = role.lines().next().unwrap_or_default().trim();
    if status >= 300 || role.is_empty() {
        return Err(failed(format!("no instance role (status {status})")));
    }
    let (status, body) = client
        .request("GET", &format!("{base}{role}"), &header, CONTAINER_TIMEOUT)
        .await
        .map_err(failed)?;
    if status >= 300 {
        return Err(failed(format!("status {status} for the role {role}")));
    }
    read_json_credentials(&body).map_err(failed)
}

async fn container(client: &Client, c: &ContainerCredentials) -> Result<Expiring, String> {
    let failed = |why: String| {
        format!(
            "Unable to load AWS credentials from the container endpoint {}: {why}",
            c.url
        )
    };
    let token = match (&c.token, &c.token_file) {
        (Some(t), _) => Some(t.clone()),
        (None, Some(file)) => Some(
            std::fs::read_to_string(file)
                .map_err(|e| failed(format!("the token file {}: {e}", file.display())))?
                .trim()
                .to_owned(),
        ),
        (None, None) => None,
    };
    let headers: Vec<(&str, &str)> = token
        .as_deref()
        .map(|t| vec![("authorization", t)])
        .unwrap_or_default();
    let (status, body) = client
        .request("GET", &c.url, &headers, CONTAINER_TIMEOUT)
        .await
        .map_err(failed)?;
    if status >= 300 {
        return Err(failed(format!("status {status}")));
    }
    read_json_credentials(&body).map_err(failed)
}

/// Credentials as container endpoints and instance metadata give them.
fn read_json_credentials(body: &[u8]) -> Result<Expiring, String> {
    let v = Value::from_json_str(&String::from_utf8_lossy(body))
        .map_err(|_| "an answer that is not JSON".to_owned())?;
    let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    let (Some(access_key_id), Some(secret_access_key)) =
        (text("AccessKeyId"), text("SecretAccessKey"))
    else {
        return Err("no AccessKeyId or SecretAccessKey".into());
    };
    Ok((
        Keys {
            access_key_id,
            secret_access_key,
            session_token: text("Token"),
        },
        text("Expiration").and_then(|t| rfc3339(&t)),
    ))
}
