//! Where AWS calls go and who makes them: endpoints, region and credentials, from Baton's
//! `[aws]` settings and the AWS SDKs' standard environment variables and shared files.
//!
//! Precedence, for each setting: Baton's own settings (the `[aws]` table of `baton serve
//! --config`, or command-line options), then the environment (`AWS_ENDPOINT_URL_<SERVICE>`,
//! `AWS_ENDPOINT_URL`, `AWS_REGION`, `AWS_DEFAULT_REGION`, `AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_PROFILE`), then the profile in the
//! shared files (`~/.aws/credentials` and `~/.aws/config`, or `AWS_SHARED_CREDENTIALS_FILE`
//! and `AWS_CONFIG_FILE`: `region`, `aws_access_key_id`, `aws_secret_access_key`,
//! `aws_session_token`, `credential_process`, `web_identity_token_file` with `role_arn`,
//! `sso_session` (or `sso_start_url`) with `sso_account_id` and `sso_role_name`,
//! `endpoint_url` and a `services` section's per-service `endpoint_url`), then the default: the service's public AWS endpoint for the region.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// Baton's own AWS settings (the `[aws]` table); every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct AwsSettings {
    /// The region AWS calls go to (and are signed for).
    pub region: Option<String>,
    /// The profile of the shared files to read.
    pub profile: Option<String>,
    /// One endpoint for every service (an AWS-compatible server such as moto or
    /// LocalStack).
    pub endpoint_url: Option<String>,
    /// Endpoints per service, keyed as `AWS_ENDPOINT_URL_<SERVICE>`'s suffix in lower case
    /// (`sqs`, `sns`, `dynamodb`, `eventbridge`, `ecs`, `batch`, `lambda`, `sfn`, `s3`,
    /// `secrets_manager`, `ssm`).
    pub endpoints: BTreeMap<String, String>,
    /// An access key (with `secret-access-key`), instead of the environment's or a
    /// profile's.
    pub access_key_id: Option<String>,
    /// The access key's secret.
    pub secret_access_key: Option<String>,
    /// A session token for temporary credentials.
    pub session_token: Option<String>,
    /// Attempts per call, the first included (the SDKs' standard mode: 3).
    pub max_attempts: Option<u32>,
    /// Seconds a call (one attempt) may take before it is abandoned (default 60).
    pub timeout_seconds: Option<u64>,
    /// Seconds between two polls of a `.sync` job's status (default 5; a job's first poll
    /// comes sooner).
    pub poll_seconds: Option<f64>,
    /// A botocore data directory (`.../site-packages/botocore/data`): `aws-sdk:SERVICE:*`
    /// tasks reach the services whose models it holds, besides those Baton ships.
    pub models_dir: Option<PathBuf>,
    /// Take credentials from EC2's instance metadata (IMDSv2) when no other source gives
    /// any. Off unless asked for: a machine that is not on EC2 would wait for it in vain.
    pub instance_metadata: bool,
    /// Local folders standing in for S3 buckets: a bucket's name and the directory whose
    /// files are its objects (`<dir>/<key>`). Calls that name such a bucket (a distributed
    /// Map's `ItemReader` and `ResultWriter`, and `aws-sdk:s3` tasks' `getObject`,
    /// `putObject`, `listObjectsV2`, `headObject`, `deleteObject` and `copyObject`) use the
    /// folder and never reach S3. Set by the server's own settings, not read from `[aws]`.
    #[serde(skip)]
    pub local_buckets: BTreeMap<String, PathBuf>,
}

/// Access keys, as SigV4 signs with them.
#[derive(Clone, PartialEq, Eq)]
pub struct Keys {
    /// The access key id.
    pub access_key_id: String,
    /// The secret (never shown).
    pub secret_access_key: String,
    /// The session token of temporary credentials.
    pub session_token: Option<String>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

/// The settings as resolved once: what every call uses.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The region, when one is set anywhere (else the execution's region is used).
    pub region: Option<String>,
    /// The credentials, or why there are none.
    pub keys: Result<Keys, String>,
    /// Endpoints per service key (`sqs`, ...), from settings, environment or profile.
    endpoints: BTreeMap<String, String>,
    /// The endpoint for every service.
    endpoint_url: Option<String>,
    /// Attempts per call.
    pub max_attempts: u32,
    /// One attempt's time limit.
    pub timeout: Duration,
    /// The pause between two polls of a `.sync` job.
    pub poll: Duration,
    /// A botocore data directory of more models.
    pub models_dir: Option<PathBuf>,
    /// The profile's `credential_process`: a command whose output is the credentials
    /// (used when `keys` found none).
    pub credential_process: Option<String>,
    /// A web identity token to trade for a role's credentials (Kubernetes service
    /// accounts: `AWS_WEB_IDENTITY_TOKEN_FILE` and `AWS_ROLE_ARN`), when `keys` found none.
    pub web_identity: Option<WebIdentity>,
    /// The profile's IAM Identity Center (SSO) account and role, when `keys` found none.
    pub sso: Option<Sso>,
    /// A container's credentials endpoint (ECS, EKS Pod Identity:
    /// `AWS_CONTAINER_CREDENTIALS_FULL_URI` or `_RELATIVE_URI`), when nothing above is set.
    pub container: Option<ContainerCredentials>,
    /// EC2's instance metadata endpoint, when asked for (`instance-metadata`) and nothing
    /// above is set (`AWS_EC2_METADATA_SERVICE_ENDPOINT`, else `http://169.254.169.254`).
    pub instance_metadata: Option<String>,
    /// Local folders standing in for S3 buckets (see [`AwsSettings::local_buckets`]).
    pub local_buckets: BTreeMap<String, PathBuf>,
}

/// Where a web identity token is, and the role it is traded for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebIdentity {
    /// The file holding the token (read at each exchange: it is rotated).
    pub token_file: PathBuf,
    /// The role to assume.
    pub role_arn: String,
    /// The session name.
    pub session_name: String,
}

/// An IAM Identity Center (SSO) role, with the token `aws sso login` cached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sso {
    /// The `sso_session` name, or the legacy `sso_start_url`: its SHA-1 names the cached
    /// token's file.
    pub cache_key: String,
    /// The SSO region.
    pub region: String,
    /// The account.
    pub account_id: String,
    /// The role's name.
    pub role_name: String,
    /// Where `aws sso login` keeps tokens (`~/.aws/sso/cache`).
    pub cache_dir: PathBuf,
}

/// A container credentials endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerCredentials {
    /// Its URL.
    pub url: String,
    /// The `Authorization` header's value, given outright.
    pub token: Option<String>,
    /// A file holding it (read at each request).
    pub token_file: Option<PathBuf>,
}

/// The environment and files the SDKs read, abstracted so tests can give their own.
pub trait Env {
    /// An environment variable.
    fn var(&self, name: &str) -> Option<String>;
    /// A file's text.
    fn read(&self, path: &Path) -> Option<String>;
    /// Every `AWS_ENDPOINT_URL_<SERVICE>` variable set: (the suffix, the URL).
    fn service_endpoints(&self) -> Vec<(String, String)>;
}

/// The process's environment and files.
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }
    fn read(&self, path: &Path) -> Option<String> {
        std::fs::read_to_string(path).ok()
    }
    fn service_endpoints(&self) -> Vec<(String, String)> {
        std::env::vars()
            .filter(|(_, v)| !v.is_empty())
            .filter_map(|(k, v)| Some((k.strip_prefix("AWS_ENDPOINT_URL_")?.to_owned(), v)))
            .collect()
    }
}

impl Resolved {
    /// Resolves `settings` over the process's environment and shared files.
    pub fn new(settings: &AwsSettings) -> Resolved {
        Resolved::with_env(settings, &ProcessEnv)
    }

    /// Resolves `settings` over `env`.
    pub fn with_env(settings: &AwsSettings, env: &dyn Env) -> Resolved {
        let profile_name = settings
            .profile
            .clone()
            .or_else(|| env.var("AWS_PROFILE"))
            .unwrap_or_else(|| "default".to_owned());
        let home = env
            .var("HOME")
            .or_else(|| env.var("USERPROFILE"))
            .map(PathBuf::from);
        let file = |var: &str, name: &str| {
            env.var(var)
                .map(PathBuf::from)
                .or_else(|| home.as_ref().map(|h| h.join(".aws").join(name)))
        };
        let config_text = file("AWS_CONFIG_FILE", "config").and_then(|p| env.read(&p));
        let credentials_text =
            file("AWS_SHARED_CREDENTIALS_FILE", "credentials").and_then(|p| env.read(&p));
        let config = config_text.as_deref().map(parse_ini).unwrap_or_default();
        let credentials = credentials_text
            .as_deref()
            .map(parse_ini)
            .unwrap_or_default();
        let config_section = if profile_name == "default" {
            "default".to_owned()
        } else {
            format!("profile {profile_name}")
        };
        let profile = config.get(&config_section);
        let profile_creds = credentials.get(&profile_name);
        let from_profile = |key: &str| {
            profile_creds
                .and_then(|p| p.get(key))
                .or_else(|| profile.and_then(|p| p.get(key)))
                .cloned()
        };

        let region = settings
            .region
            .clone()
            .or_else(|| env.var("AWS_REGION"))
            .or_else(|| env.var("AWS_DEFAULT_REGION"))
            .or_else(|| from_profile("region"));

        let keys = if let (Some(id), Some(secret)) =
            (&settings.access_key_id, &settings.secret_access_key)
        {
            Ok(Keys {
                access_key_id: id.clone(),
                secret_access_key: secret.clone(),
                session_token: settings.session_token.clone(),
            })
        } else if let (Some(id), Some(secret)) = (
            env.var("AWS_ACCESS_KEY_ID"),
            env.var("AWS_SECRET_ACCESS_KEY"),
        ) {
            Ok(Keys {
                access_key_id: id,
                secret_access_key: secret,
                session_token: env.var("AWS_SESSION_TOKEN"),
            })
        } else if let (Some(id), Some(secret)) = (
            from_profile("aws_access_key_id"),
            from_profile("aws_secret_access_key"),
        ) {
            Ok(Keys {
                access_key_id: id,
                secret_access_key: secret,
                session_token: from_profile("aws_session_token"),
            })
        } else {
            Err(format!(
                "Unable to load AWS credentials from any provider in the chain: no access key in Baton's [aws] settings, in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or in the profile '{profile_name}' of the shared credentials and config files"
            ))
        };
        // Sources of temporary credentials, when no keys are given outright: a web identity
        // token (the environment's, else the profile's), a program that prints
        // credentials, a container's credentials endpoint.
        let none_given = keys.is_err();
        let web_identity = none_given
            .then(|| {
                let (file, role, session) = match (
                    env.var("AWS_WEB_IDENTITY_TOKEN_FILE"),
                    env.var("AWS_ROLE_ARN"),
                ) {
                    (Some(file), Some(role)) => (file, role, env.var("AWS_ROLE_SESSION_NAME")),
                    _ => (
                        from_profile("web_identity_token_file")?,
                        from_profile("role_arn")?,
                        from_profile("role_session_name"),
                    ),
                };
                Some(WebIdentity {
                    token_file: PathBuf::from(file),
                    role_arn: role,
                    session_name: session.unwrap_or_else(|| "baton".to_owned()),
                })
            })
            .flatten();
        // IAM Identity Center (SSO): the profile's account and role, with the token that
        // `aws sso login` keeps in its cache.
        let sso = (none_given && web_identity.is_none())
            .then(|| {
                let account_id = from_profile("sso_account_id")?;
                let role_name = from_profile("sso_role_name")?;
                let (cache_key, region) = match from_profile("sso_session") {
                    Some(session) => {
                        let s = config.get(&format!("sso-session {session}"));
                        let region = s.and_then(|s| s.get("sso_region")).cloned();
                        (session, region)
                    }
                    None => (from_profile("sso_start_url")?, from_profile("sso_region")),
                };
                Some(Sso {
                    cache_key,
                    region: region.or_else(|| from_profile("region"))?,
                    account_id,
                    role_name,
                    cache_dir: home.as_ref()?.join(".aws").join("sso").join("cache"),
                })
            })
            .flatten();
        let credential_process = if none_given && web_identity.is_none() && sso.is_none() {
            from_profile("credential_process").filter(|c| !c.trim().is_empty())
        } else {
            None
        };
        let instance_metadata = (settings.instance_metadata
            && none_given
            && web_identity.is_none()
            && sso.is_none()
            && credential_process.is_none())
        .then(|| {
            env.var("AWS_EC2_METADATA_SERVICE_ENDPOINT")
                .unwrap_or_else(|| "http://169.254.169.254".to_owned())
                .trim_end_matches('/')
                .to_owned()
        });
        let container =
            (none_given && web_identity.is_none() && sso.is_none() && credential_process.is_none())
                .then(|| {
                    let url = env.var("AWS_CONTAINER_CREDENTIALS_FULL_URI").or_else(|| {
                        env.var("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
                            .map(|r| format!("http://169.254.170.2{r}"))
                    })?;
                    Some(ContainerCredentials {
                        url,
                        token: env.var("AWS_CONTAINER_AUTHORIZATION_TOKEN"),
                        token_file: env
                            .var("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
                            .map(PathBuf::from),
                    })
                })
                .flatten();

        // Endpoints: the profile's `services` section, then the environment, then Baton's
        // settings, each overriding the one before.
        let mut endpoints = BTreeMap::new();
        let mut endpoint_url = None;
        if let Some(p) = profile {
            endpoint_url = p.get("endpoint_url").cloned();
            if let Some(services) = p.get("services")
                && let Some(section) = config.get(&format!("services {services}"))
            {
                for (key, value) in section {
                    if let Some(service) = key.strip_suffix(".endpoint_url") {
                        endpoints.insert(service.to_owned(), value.clone());
                    }
                }
            }
        }
        if let Some(url) = env.var("AWS_ENDPOINT_URL") {
            endpoint_url = Some(url);
        }
        for (service, url) in env.service_endpoints() {
            endpoints.insert(service.to_ascii_lowercase(), url);
        }
        if let Some(url) = &settings.endpoint_url {
            endpoint_url = Some(url.clone());
        }
        for (service, url) in &settings.endpoints {
            endpoints.insert(service.to_ascii_lowercase().replace('-', "_"), url.clone());
        }

        Resolved {
            region,
            keys,
            endpoints,
            endpoint_url,
            max_attempts: settings.max_attempts.unwrap_or(3).max(1),
            timeout: Duration::from_secs(settings.timeout_seconds.unwrap_or(60).max(1)),
            poll: Duration::from_secs_f64(settings.poll_seconds.unwrap_or(5.0).clamp(0.01, 3600.0)),
            models_dir: settings.models_dir.clone(),
            credential_process,
            web_identity,
            sso,
            container,
            instance_metadata,
            local_buckets: settings.local_buckets.clone(),
        }
    }

    /// The folder standing in for bucket `name`, when it is a local one.
    pub fn local_bucket(&self, name: &str) -> Option<&Path> {
        self.local_buckets.get(name).map(PathBuf::as_path)
    }

    /// The endpoint set for a service (by its key, e.g. `sqs`), if any is.
    pub fn configured_endpoint(&self, key: &str) -> Option<&str> {
        self.endpoints
            .get(key)
            .or(self.endpoint_url.as_ref())
            .map(String::as_str)
    }

    /// `true` when calls to the service would go somewhere: an endpoint is set for it, or
    /// credentials are at hand for AWS itself.
    pub fn reachable(&self, key: &str) -> bool {
        self.configured_endpoint(key).is_some()
            || self.keys.is_ok()
            || self.credential_process.is_some()
            || self.web_identity.is_some()
            || self.sso.is_some()
            || self.container.is_some()
            || self.instance_metadata.is_some()
    }
}

type Ini = BTreeMap<String, BTreeMap<String, String>>;

/// The shared files' INI dialect: `[section]`, `key = value`, `#`/`;` comments, and
/// indented `key = value` lines under a `key =` line as `key.subkey` (the `services`
/// sections' form).
fn parse_ini(text: &str) -> Ini {
    let mut out = Ini::new();
    let mut section: Option<String> = None;
    let mut parent: Option<String> = None;
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if line.starts_with('[') && line.ends_with(']') {
            let name = line[1..line.len() - 1].trim();
            let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
            out.entry(name.clone()).or_default();
            section = Some(name);
            parent = None;
            continue;
        }
        let Some(section) = &section else { continue };
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim().to_ascii_lowercase();
        let value = value.trim().to_owned();
        let indented = raw.starts_with(' ') || raw.starts_with('\t');
        let entries = out.entry(section.clone()).or_default();
        match (&parent, indented) {
            (Some(p), true) => {
                entries.insert(format!("{p}.{key}"), value);
            }
            _ => {
                if value.is_empty() {
                    parent = Some(key.clone());
                } else {
                    parent = None;
                }
                entries.insert(key, value);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Fake {
        vars: HashMap<&'static str, &'static str>,
        files: HashMap<PathBuf, &'static str>,
    }

    impl Env for Fake {
        fn var(&self, name: &str) -> Option<String> {
            self.vars.get(name).map(|v| v.to_string())
        }
        fn read(&self, path: &Path) -> Option<String> {
            self.files.get(path).map(|v| v.to_string())
        }
        fn service_endpoints(&self) -> Vec<(String, String)> {
            self.vars
                .iter()
                .filter_map(|(k, v)| {
                    Some((
                        k.strip_prefix("AWS_ENDPOINT_URL_")?.to_owned(),
                        v.to_string(),
                    ))
                })
                .collect()
        }
    }

    fn fake(vars: &[(&'static str, &'static str)], files: &[(&str, &'static str)]) -> Fake {
        Fake {
            vars: vars.iter().copied().collect(),
            files: files.iter().map(|(p, t)| (PathBuf::from(p), *t)).collect(),
        }
    }

    const CONFIG: &str = "[default]\nregion = eu-west-1\n\n[profile dev]\nregion = eu-central-1\nendpoint_url = http://localhost:5000\nservices = local\n\n[services local]\nsqs =\n  endpoint_url = http://localhost:9324\n";
    const CREDENTIALS: &str = "[default]\naws_access_key_id = AKDEFAULT\naws_secret_access_key = s1\n\n[dev]\naws_access_key_id = AKDEV\naws_secret_access_key = s2\naws_session_token = t2\n";

    #[test]
    fn profiles_give_region_keys_and_endpoints() {
        let env = fake(
            &[("HOME", "/h"), ("AWS_PROFILE", "dev")],
            &[
                ("/h/.aws/config", CONFIG),
                ("/h/.aws/credentials", CREDENTIALS),
            ],
        );
        let r = Resolved::with_env(&AwsSettings::default(), &env);
        assert_eq!(r.region.as_deref(), Some("eu-central-1"));
        let keys = r.keys.clone().unwrap();
        assert_eq!(keys.access_key_id, "AKDEV");
        assert_eq!(keys.session_token.as_deref(), Some("t2"));
        assert_eq!(r.configured_endpoint("sqs"), Some("http://localhost:9324"));
        assert_eq!(r.configured_endpoint("sns"), Some("http://localhost:5000"));
    }

    #[test]
    fn environment_overrides_profile_and_settings_override_environment() {
        let env = fake(
            &[
                ("HOME", "/h"),
                ("AWS_REGION", "ap-south-1"),
                ("AWS_ACCESS_KEY_ID", "AKENV"),
                ("AWS_SECRET_ACCESS_KEY", "s"),
                ("AWS_ENDPOINT_URL", "http://env:1"),
                ("AWS_ENDPOINT_URL_DYNAMODB", "http://env:2"),
                ("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "http://env:4"),
            ],
            &[
                ("/h/.aws/config", CONFIG),
                ("/h/.aws/credentials", CREDENTIALS),
            ],
        );
        let r = Resolved::with_env(&AwsSettings::default(), &env);
        assert_eq!(r.region.as_deref(), Some("ap-south-1"));
        assert_eq!(r.keys.as_ref().unwrap().access_key_id, "AKENV");
        assert_eq!(r.configured_endpoint("dynamodb"), Some("http://env:2"));
        assert_eq!(r.configured_endpoint("sqs"), Some("http://env:1"));
        assert_eq!(
            r.configured_endpoint("cloudwatch_logs"),
            Some("http://env:4")
        );
        let settings = AwsSettings {
            region: Some("us-west-2".into()),
            endpoints: [("sqs".to_owned(), "http://mine:3".to_owned())].into(),
            ..AwsSettings::default()
        };
        let r = Resolved::with_env(&settings, &env);
        assert_eq!(r.region.as_deref(), Some("us-west-2"));
        assert_eq!(r.configured_endpoint("sqs"), Some("http://mine:3"));
    }

    #[test]
    fn a_profile_s_credential_process_is_used_when_no_keys_are_given() {
        let config =
            "[profile sso]\nregion = eu-west-1\ncredential_process = aws-vault exec sso --json\n";
        let env = fake(
            &[("HOME", "/h"), ("AWS_PROFILE", "sso")],
            &[("/h/.aws/config", config)],
        );
        let r = Resolved::with_env(&AwsSettings::default(), &env);
        assert!(r.keys.is_err());
        assert_eq!(
            r.credential_process.as_deref(),
            Some("aws-vault exec sso --json")
        );
        assert!(r.reachable("sqs"));
        // Keys given outright win.
        let settings = AwsSettings {
            access_key_id: Some("AK".into()),
            secret_access_key: Some("s".into()),
            ..AwsSettings::default()
        };
        assert!(
            Resolved::with_env(&settings, &env)
                .credential_process
                .is_none()
        );
    }

    #[test]
    fn web_identity_and_container_endpoints_when_no_keys_are_given() {
        let env = fake(
            &[
                ("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/token"),
                ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/pod"),
                (
                    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                    "/v2/credentials/x",
                ),
            ],
            &[],
        );
        let r = Resolved::with_env(&AwsSettings::default(), &env);
        let w = r.web_identity.clone().expect("a web identity");
        assert_eq!(
            (
                w.token_file.to_str(),
                w.role_arn.as_str(),
                w.session_name.as_str()
            ),
            (
                Some("/var/run/token"),
                "arn:aws:iam::123456789012:role/pod",
                "baton"
            )
        );
        assert!(r.container.is_none(), "the web identity comes first");
        assert!(r.reachable("sqs"));

        let env = fake(
            &[
                (
                    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                    "/v2/credentials/x",
                ),
                ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "tok"),
            ],
            &[],
        );
        let r = Resolved::with_env(&AwsSettings::default(), &env);
        let c = r.container.expect("a container endpoint");
        assert_eq!(c.url, "http://169.254.170.2/v2/credentials/x");
        assert_eq!(c.token.as_deref(), Some("tok"));

        let config = "[default]\nweb_identity_token_file = /t\nrole_arn = arn:aws:iam::1:role/r\nrole_session_name = s\n";
        let env = fake(&[("HOME", "/h")], &[("/h/.aws/config", config)]);
        let w = Resolved::with_env(&AwsSettings::default(), &env)
            .web_identity
            .expect("the profile's");
        assert_eq!(
            (w.role_arn.as_str(), w.session_name.as_str()),
            ("arn:aws:iam::1:role/r", "s")
        );

        let settings = AwsSettings {
            access_key_id: Some("AK".into()),
            secret_access_key: Some("s".into()),
            ..AwsSettings::default()
        };
        let env = fake(
            &[
                ("AWS_WEB_IDENTITY_TOKEN_FILE", "/t"),
                ("AWS_ROLE_ARN", "arn:aws:iam::1:role/r"),
                ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:1/c"),
            ],
            &[],
        );
        let r = Resolved::with_env(&settings, &env);
        assert!(
            r.web_identity.is_none() && r.container.is_none(),
            "keys given outright win"
        );
    }

    #[test]
    fn an_sso_profile_names_its_account_role_and_login() {
        let config = "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Dev\n\
                      [sso-session corp]\nsso_region = eu-west-1\nsso_start_url = https://corp.awsapps.com/start\n\
                      [profile old]\nsso_start_url = https://old.awsapps.com/start\nsso_region = us-east-2\n\
                      sso_account_id = 1\nsso_role_name = R\n";
        let env = fake(
            &[("HOME", "/h"), ("AWS_PROFILE", "dev")],
            &[("/h/.aws/config", config)],
        );
        let s = Resolved::with_env(&AwsSettings::default(), &env)
            .sso
            .expect("an SSO role");
        assert_eq!(
            (
                s.cache_key.as_str(),
                s.region.as_str(),
                s.account_id.as_str(),
                s.role_name.as_str()
            ),
            ("corp", "eu-west-1", "111122223333", "Dev")
        );
        assert_eq!(s.cache_dir, PathBuf::from("/h/.aws/sso/cache"));
        let env = fake(
            &[("HOME", "/h"), ("AWS_PROFILE", "old")],
            &[("/h/.aws/config", config)],
        );
        let s = Resolved::with_env(&AwsSettings::default(), &env)
            .sso
            .expect("legacy");
        assert_eq!(
            (s.cache_key.as_str(), s.region.as_str()),
            ("https://old.awsapps.com/start", "us-east-2")
        );
    }

    #[test]
    fn no_credentials_say_where_they_were_looked_for() {
        let r = Resolved::with_env(&AwsSettings::default(), &fake(&[], &[]));
        assert!(r.keys.clone().unwrap_err().contains("AWS_ACCESS_KEY_ID"));
        assert!(!r.reachable("sqs"));
        assert_eq!(r.region, None);
    }
}
