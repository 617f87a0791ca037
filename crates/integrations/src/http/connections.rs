//! Named connections for HTTP Tasks, as EventBridge connections hold them: an
//! authorization (API key, basic, OAuth client credentials) and extra invocation
//! parameters. They are configured in Baton (the server's TOML, a file for `baton run`):
//!
//! ```toml
//! [connections.stripe]
//! authorization-type = "API_KEY"
//! api-key-name = "Authorization"
//! api-key-value = { env = "STRIPE_KEY" }
//!
//! [connections.crm]
//! authorization-type = "OAUTH_CLIENT_CREDENTIALS"
//! authorization-endpoint = "https://auth.example.com/oauth2/token"
//! client-id = "baton"
//! client-secret = { env = "CRM_SECRET" }
//! oauth-http-parameters = { body-parameters = [{ key = "scope", value = "read" }] }
//! ```
//!
//! A task's `ConnectionArn` names the connection by its name (`...:connection/NAME/...`)
//! or by the `arn` the connection is given. Secret values never leave this module except
//! in the requests they authorize: not in results, causes, histories or logs.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderName, HeaderValue};
use serde::Deserialize;

use super::encode;
use crate::TaskFailure;

/// A secret value: written in the file, or read from an environment variable at start.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Secret {
    /// The value itself.
    Value(String),
    /// `{ env = "NAME" }`: the environment variable `NAME`.
    Env {
        /// The variable's name.
        env: String,
    },
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Secret::Value(_) => f.write_str("\"***\""),
            Secret::Env { env } => write!(f, "{{ env = {env:?} }}"),
        }
    }
}

/// EventBridge's authorization types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AuthorizationType {
    /// A header carrying a key.
    ApiKey,
    /// HTTP basic authentication.
    Basic,
    /// A bearer token from an OAuth client-credentials grant.
    OauthClientCredentials,
}

/// One header, query-string or body parameter.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    /// The name.
    pub key: String,
    /// The value.
    pub value: Secret,
}

/// Extra parameters sent with a request (EventBridge's `ConnectionHttpParameters`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct HttpParameters {
    /// Headers.
    pub header_parameters: Vec<Parameter>,
    /// Query-string parameters.
    pub query_string_parameters: Vec<Parameter>,
    /// Body parameters (merged into an object or URL-encoded body).
    pub body_parameters: Vec<Parameter>,
}

/// A connection as configured.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConnectionSpec {
    /// The ARN tasks name it by, besides its name.
    #[serde(default)]
    pub arn: Option<String>,
    /// How requests are authorized.
    pub authorization_type: AuthorizationType,
    /// `API_KEY`: the header's name.
    #[serde(default)]
    pub api_key_name: Option<String>,
    /// `API_KEY`: the header's value.
    #[serde(default)]
    pub api_key_value: Option<Secret>,
    /// `BASIC`: the user name.
    #[serde(default)]
    pub username: Option<String>,
    /// `BASIC`: the password.
    #[serde(default)]
    pub password: Option<Secret>,
    /// `OAUTH_CLIENT_CREDENTIALS`: the token endpoint's URL.
    #[serde(default)]
    pub authorization_endpoint: Option<String>,
    /// `OAUTH_CLIENT_CREDENTIALS`: the token request's method (`POST`, `GET` or `PUT`;
    /// default `POST`).
    #[serde(default)]
    pub http_method: Option<String>,
    /// `OAUTH_CLIENT_CREDENTIALS`: the client id.
    #[serde(default)]
    pub client_id: Option<String>,
    /// `OAUTH_CLIENT_CREDENTIALS`: the client secret.
    #[serde(default)]
    pub client_secret: Option<Secret>,
    /// `OAUTH_CLIENT_CREDENTIALS`: extra parameters of the token request.
    #[serde(default)]
    pub oauth_http_parameters: HttpParameters,
    /// Extra parameters of every request made with the connection.
    #[serde(default)]
    pub invocation_http_parameters: HttpParameters,
}

/// A connection that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("connection '{name}': {message}")]
pub struct ConnectionsError {
    /// The connection.
    pub name: String,
    /// What is wrong.
    pub message: String,
}

/// Resolved parameters: secrets read.
#[derive(Clone, Default)]
pub(crate) struct Params {
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) body: Vec<(String, String)>,
}

enum Scheme {
    ApiKey { name: HeaderName, value: String },
    Basic { username: String, password: String },
    ClientCredentials(Box<ClientCredentials>),
}

struct ClientCredentials {
    endpoint: reqwest::Url,
    method: reqwest::Method,
    client_id: String,
    client_secret: String,
    params: Params,
    token: tokio::sync::Mutex<Option<Token>>,
}

struct Token {
    value: String,
    expires: Option<Instant>,
}

/// A usable connection.
pub(crate) struct Connection {
    pub(crate) name: String,
    arn: Option<String>,
    auth: Scheme,
    pub(crate) invocation: Params,
}

/// The configured connections.
#[derive(Clone, Default)]
pub struct Connections {
    by_name: Arc<HashMap<String, Arc<Connection>>>,
}

impl std::fmt::Debug for Connections {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.by_name.keys()).finish()
    }
}

impl Connections {
    /// No connections.
    pub fn none() -> Connections {
        Connections::default()
    }

    /// The connections of `specs`, by name, with their secrets read (from the environment
    /// where they say so).
    pub fn new(specs: &BTreeMap<String, ConnectionSpec>) -> Result<Connections, ConnectionsError> {
        let mut by_name = HashMap::new();
        for (name, spec) in specs {
            let c = Connection::new(name, spec).map_err(|message| ConnectionsError {
                name: name.clone(),
                message,
            })?;
            by_name.insert(name.clone(), Arc::new(c));
        }
        Ok(Connections {
            by_name: Arc::new(by_name),
        })
    }

    /// `true` when there are none.
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    /// The connection a task's `ConnectionArn` names: the one given that ARN, or the one
    /// named as the ARN's `connection/NAME` part.
    pub(crate) fn find(&self, arn: &str) -> Option<Arc<Connection>> {
        if let Some(c) = self
            .by_name
            .values()
            .find(|c| c.arn.as_deref() == Some(arn))
        {
            return Some(Arc::clone(c));
        }
        let name = match arn.split_once(":connection/") {
            Some((_, rest)) => rest.split('/').next().unwrap_or(rest),
            None => arn,
        };
        self.by_name.get(name).cloned()
    }
}

fn read(secret: &Secret, what: &str) -> Result<String, String> {
    match secret {
        Secret::Value(v) => Ok(v.clone()),
        Secret::Env { env } => std::env::var(env)
            .map_err(|_| format!("{what}: the environment variable {env} is not set")),
    }
}

fn required<'a, T>(v: &'a Option<T>, field: &str, kind: &str) -> Result<&'a T, String> {
    v.as_ref()
        .ok_or_else(|| format!("'{field}' is required for {kind}"))
}

fn params(p: &HttpParameters) -> Result<Params, String> {
    let list = |items: &[Parameter]| -> Result<Vec<(String, String)>, String> {
        items
            .iter()
            .map(|i| Ok((i.key.clone(), read(&i.value, &i.key)?)))
            .collect()
    };
    let out = Params {
        headers: list(&p.header_parameters)?,
        query: list(&p.query_string_parameters)?,
        body: list(&p.body_parameters)?,
    };
    for (k, v) in &out.headers {
        HeaderName::from_bytes(k.as_bytes()).map_err(|_| format!("bad header name '{k}'"))?;
        HeaderValue::from_str(v).map_err(|_| format!("bad value for the header '{k}'"))?;
    }
    Ok(out)
}

impl Connection {
    fn new(name: &str, spec: &ConnectionSpec) -> Result<Connection, String> {
        let auth = match spec.authorization_type {
            AuthorizationType::ApiKey => {
                let kind = "API_KEY";
                let key = required(&spec.api_key_name, "api-key-name", kind)?;
                let name = HeaderName::from_bytes(key.as_bytes())
                    .map_err(|_| format!("'{key}' is not a header name"))?;
                let value = read(required(&spec.api_key_value, "api-key-value", kind)?, key)?;
                HeaderValue::from_str(&value)
                    .map_err(|_| "the API key cannot be a header value".to_owned())?;
                Scheme::ApiKey { name, value }
            }
            AuthorizationType::Basic => {
                let kind = "BASIC";
                Scheme::Basic {
                    username: required(&spec.username, "username", kind)?.clone(),
                    password: read(required(&spec.password, "password", kind)?, "password")?,
                }
            }
            AuthorizationType::OauthClientCredentials => {
                let kind = "OAUTH_CLIENT_CREDENTIALS";
                let endpoint =
                    required(&spec.authorization_endpoint, "authorization-endpoint", kind)?;
                let endpoint = reqwest::Url::parse(endpoint)
                    .ok()
                    .filter(|u| matches!(u.scheme(), "http" | "https"))
                    .ok_or_else(|| format!("'{endpoint}' is not an http(s) URL"))?;
                let method = match spec.http_method.as_deref().unwrap_or("POST") {
                    "POST" => reqwest::Method::POST,
                    "GET" => reqwest::Method::GET,
                    "PUT" => reqwest::Method::PUT,
                    other => {
                        return Err(format!(
                            "'http-method' cannot be '{other}' (POST, GET or PUT)"
                        ));
                    }
                };
                Scheme::ClientCredentials(Box::new(ClientCredentials {
                    endpoint,
                    method,
                    client_id: required(&spec.client_id, "client-id", kind)?.clone(),
                    client_secret: read(
                        required(&spec.client_secret, "client-secret", kind)?,
                        "client-secret",
                    )?,
                    params: params(&spec.oauth_http_parameters)?,
                    token: tokio::sync::Mutex::new(None),
                }))
            }
        };
        Ok(Connection {
            name: name.to_owned(),
            arn: spec.arn.clone(),
            auth,
            invocation: params(&spec.invocation_http_parameters)?,
        })
    }

    /// The authorization header for a request; `fresh` drops a cached OAuth token first.
    /// The second value is `true` when the header holds a cached token (worth one more
    /// try with a fresh one if the endpoint refuses it).
    pub(crate) async fn authorization(
        &self,
        client: &reqwest::Client,
        fresh: bool,
    ) -> Result<((HeaderName, HeaderValue), bool), TaskFailure> {
        let sensitive = |v: String| {
            let mut h = HeaderValue::from_str(&v).map_err(|_| {
                self.failure("its credentials cannot be sent in a header".to_owned())
            })?;
            h.set_sensitive(true);
            Ok::<_, TaskFailure>(h)
        };
        match &self.auth {
            Scheme::ApiKey { name, value } => {
                Ok(((name.clone(), sensitive(value.clone())?), false))
            }
            Scheme::Basic { username, password } => {
                let encoded = base64::Engine::encode(
                    &base64::engine::general_purpose::STANDARD,
                    format!("{username}:{password}"),
                );
                Ok((
                    (
                        reqwest::header::AUTHORIZATION,
                        sensitive(format!("Basic {encoded}"))?,
                    ),
                    false,
                ))
            }
            Scheme::ClientCredentials(oauth) => {
                let mut cached = oauth.token.lock().await;
                if fresh {
                    *cached = None;
                }
                let reused = match cached.as_ref() {
                    Some(t) if t.expires.is_none_or(|e| Instant::now() < e) => true,
                    _ => {
                        *cached = Some(self.fetch_token(client, oauth).await?);
                        false
                    }
                };
                let value = cached.as_ref().map(|t| t.value.clone()).unwrap_or_default();
                Ok((
                    (
                        reqwest::header::AUTHORIZATION,
                        sensitive(format!("Bearer {value}"))?,
                    ),
                    reused,
                ))
            }
        }
    }

    async fn fetch_token(
        &self,
        client: &reqwest::Client,
        oauth: &ClientCredentials,
    ) -> Result<Token, TaskFailure> {
        let params = &oauth.params;
        let mut url = oauth.endpoint.clone();
        append_query(&mut url, &params.query);
        let mut body = vec![("grant_type".to_owned(), "client_credentials".to_owned())];
        body.extend(params.body.iter().cloned());
        let body: Vec<(String, String)> = body
            .iter()
            .map(|(k, v)| (encode::escape(k), encode::escape(v)))
            .collect();
        let mut req = client
            .request(oauth.method.clone(), url)
            .basic_auth(&oauth.client_id, Some(&oauth.client_secret))
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(encode::join(&body));
        for (k, v) in &params.headers {
            req = req.header(k.as_str(), v.as_str());
        }
        let resp = req.send().await.map_err(|e| {
            self.failure(format!(
                "the authorization endpoint cannot be reached: {}",
                e.without_url()
            ))
        })?;
        let status = resp.status();
        let bytes = resp.bytes().await.unwrap_or_default();
        if !status.is_success() {
            return Err(self.failure(format!(
                "the authorization endpoint answered {}",
                status.as_u16()
            )));
        }
        let parsed = baton_json::Value::from_json_slice(&bytes).ok();
        let value = parsed
            .as_ref()
            .and_then(|v| v.get("access_token"))
            .and_then(|v| v.as_str())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                self.failure("the authorization endpoint's answer has no access_token".to_owned())
            })?;
        // Refreshed a little before it expires, so that it is not refused on its way.
        let expires = parsed
            .as_ref()
            .and_then(|v| v.get("expires_in"))
            .and_then(|v| {
                v.as_f64()
                    .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            })
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(|s| {
                Instant::now() + Duration::from_secs_f64(s).saturating_sub(Duration::from_secs(30))
            });
        Ok(Token {
            value: value.to_owned(),
            expires,
        })
    }

    fn failure(&self, why: String) -> TaskFailure {
        TaskFailure::new(
            "Events.ConnectionResource.InvalidConnectionState",
            format!(
                "The connection '{}' cannot authorize the request: {why}",
                self.name
            ),
        )
    }
}

/// Appends escaped `pairs` (raw text) to `url`'s query string.
pub(crate) fn append_query(url: &mut reqwest::Url, pairs: &[(String, String)]) {
    if pairs.is_empty() {
        return;
    }
    let escaped: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (encode::escape(k), encode::escape(v)))
        .collect();
    append_escaped(url, &escaped);
}

/// Appends already escaped `pairs` to `url`'s query string.
pub(crate) fn append_escaped(url: &mut reqwest::Url, pairs: &[(String, String)]) {
    if pairs.is_empty() {
        return;
    }
    let mut query = url.query().unwrap_or_default().to_owned();
    if !query.is_empty() {
        query.push('&');
    }
    query.push_str(&encode::join(pairs));
    url.set_query(Some(&query));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(toml_like: &[(&str, &str)]) -> ConnectionSpec {
        let mut m = serde_json::Map::new();
        for (k, v) in toml_like {
            m.insert((*k).to_owned(), serde_json::Value::String((*v).to_owned()));
        }
        serde_json::from_value(serde_json::Value::Object(m)).expect("a spec")
    }

    #[test]
    fn connections_are_found_by_name_or_arn() {
        let mut specs = BTreeMap::new();
        specs.insert(
            "stripe".to_owned(),
            spec(&[
                ("authorization-type", "API_KEY"),
                ("api-key-name", "Authorization"),
                ("api-key-value", "sk_test"),
            ]),
        );
        specs.insert(
            "other".to_owned(),
            spec(&[
                ("arn", "arn:aws:events:us-east-1:1:connection/x/y"),
                ("authorization-type", "BASIC"),
                ("username", "u"),
                ("password", "p"),
            ]),
        );
        let c = Connections::new(&specs).expect("valid");
        let find = |arn| c.find(arn).map(|c| c.name.clone());
        assert_eq!(
            find("arn:aws:events:us-east-2:123456789012:connection/stripe/81210c42"),
            Some("stripe".to_owned())
        );
        assert_eq!(find("stripe"), Some("stripe".to_owned()));
        assert_eq!(
            find("arn:aws:events:us-east-1:1:connection/x/y"),
            Some("other".to_owned())
        );
        assert_eq!(find("arn:aws:events:us-east-1:1:connection/nope/y"), None);
    }

    #[test]
    fn missing_fields_and_variables_are_reported() {
        let mut specs = BTreeMap::new();
        specs.insert(
            "k".to_owned(),
            spec(&[("authorization-type", "API_KEY"), ("api-key-name", "X")]),
        );
        let e = Connections::new(&specs).expect_err("invalid");
        assert_eq!(
            e.to_string(),
            "connection 'k': 'api-key-value' is required for API_KEY"
        );
        let mut specs = BTreeMap::new();
        let mut s = spec(&[("authorization-type", "BASIC"), ("username", "u")]);
        s.password = Some(Secret::Env {
            env: "BATON_TEST_SURELY_UNSET_VARIABLE".to_owned(),
        });
        specs.insert("b".to_owned(), s);
        let e = Connections::new(&specs).expect_err("invalid");
        assert!(
            e.to_string().contains("BATON_TEST_SURELY_UNSET_VARIABLE"),
            "{e}"
        );
    }

    #[test]
    fn secrets_do_not_show_in_debug_output() {
        let s = spec(&[
            ("authorization-type", "BASIC"),
            ("username", "u"),
            ("password", "hunter2"),
        ]);
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}
