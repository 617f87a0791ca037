//! Credentials from a profile's `credential_process`: a command that prints them as JSON
//! (`{"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}`), as
//! the AWS SDKs run it. Temporary credentials are kept until five minutes before they
//! expire, then the command is run again.

use std::future::Future;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::Mutex;

use super::settings::Keys;

/// How long the command may take.
const TIMEOUT: Duration = Duration::from_secs(60);
/// How long before their expiration credentials are renewed.
const EARLY: Duration = Duration::from_secs(300);

/// Temporary credentials and when they expire (`None`: never).
pub(crate) type Expiring = (Keys, Option<SystemTime>);

/// The credentials a source last gave, kept until five minutes before they expire.
#[derive(Default)]
pub(crate) struct Kept(Mutex<Option<Expiring>>);

impl Kept {
    /// The kept credentials while they are good, else `fetch`'s (then kept).
    pub(crate) async fn get<F: Future<Output = Result<Expiring, String>>>(
        &self,
        fetch: impl FnOnce() -> F,
    ) -> Result<Keys, String> {
        let mut kept = self.0.lock().await;
        if let Some((keys, expires)) = &*kept
            && expires.is_none_or(|t| SystemTime::now() + EARLY < t)
        {
            return Ok(keys.clone());
        }
        let (keys, expires) = fetch().await?;
        *kept = Some((keys.clone(), expires));
        Ok(keys)
    }

    #[cfg(test)]
    async fn forget(&self) {
        *self.0.lock().await = None;
    }
}

/// A `credential_process` and the credentials it last gave.
pub struct CredentialProcess {
    command: String,
    kept: Kept,
}

impl CredentialProcess {
    /// The command (run with `sh -c`).
    pub fn new(command: impl Into<String>) -> CredentialProcess {
        CredentialProcess {
            command: command.into(),
            kept: Kept::default(),
        }
    }

    /// Credentials: the kept ones while they are good, else the command's.
    pub async fn keys(&self) -> Result<Keys, String> {
        self.kept.get(|| self.run()).await
    }

    async fn run(&self) -> Result<Expiring, String> {
        let failed = |why: String| {
            format!("Unable to load AWS credentials: the profile's credential_process {why}")
        };
        let mut cmd = tokio::process::Command::new("sh");
        cmd.arg("-c")
            .arg(&self.command)
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true);
        let out = tokio::time::timeout(TIMEOUT, cmd.output())
            .await
            .map_err(|_| failed(format!("did not finish in {} s", TIMEOUT.as_secs())))?
            .map_err(|e| failed(format!("could not be run: {e}")))?;
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            return Err(failed(format!(
                "failed ({}): {}",
                out.status,
                stderr.trim().chars().take(500).collect::<String>()
            )));
        }
        parse(&out.stdout).map_err(|why| failed(why.to_owned()))
    }
}

/// An RFC 3339 time (credentials' `Expiration`).
pub(crate) fn rfc3339(text: &str) -> Option<SystemTime> {
    let at =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    Some(UNIX_EPOCH + Duration::from_secs(u64::try_from(at.unix_timestamp()).unwrap_or(0)))
}

/// The command's output.
fn parse(stdout: &[u8]) -> Result<Expiring, &'static str> {
    let v: serde_json::Value =
        serde_json::from_slice(stdout).map_err(|_| "printed something other than JSON")?;
    if v["Version"].as_u64() != Some(1) {
        return Err("printed a Version other than 1");
    }
    let text = |k: &str| v[k].as_str().filter(|s| !s.is_empty()).map(str::to_owned);
    let (Some(access_key_id), Some(secret_access_key)) =
        (text("AccessKeyId"), text("SecretAccessKey"))
    else {
        return Err("printed no AccessKeyId or SecretAccessKey");
    };
    let expires = match text("Expiration") {
        None => None,
        Some(t) => Some(rfc3339(&t).ok_or("printed an Expiration that is not an RFC 3339 time")?),
    };
    Ok((
        Keys {
            access_key_id,
            secret_access_key,
            session_token: text("SessionToken"),
        },
        expires,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_is_read_as_the_sdks_read_it() {
        let (k, e) = parse(
            br#"{"Version":1,"AccessKeyId":"AK","SecretAccessKey":"s","SessionToken":"t","Expiration":"2030-01-01T00:00:00Z"}"#,
        )
        .unwrap();
        assert_eq!(
            (k.access_key_id.as_str(), k.session_token.as_deref()),
            ("AK", Some("t"))
        );
        assert_eq!(e, Some(UNIX_EPOCH + Duration::from_secs(1_893_456_000)));
        assert!(
            parse(br#"{"Version":1,"AccessKeyId":"AK","SecretAccessKey":"s"}"#)
                .unwrap()
                .1
                .is_none()
        );
        assert!(parse(b"not json").is_err());
        assert!(parse(br#"{"Version":2,"AccessKeyId":"AK","SecretAccessKey":"s"}"#).is_err());
        assert!(parse(br#"{"Version":1,"AccessKeyId":"AK"}"#).is_err());
        assert!(
            parse(br#"{"Version":1,"AccessKeyId":"AK","SecretAccessKey":"s","Expiration":"soon"}"#)
                .is_err()
        );
    }

    #[tokio::test]
    async fn the_command_runs_once_while_its_credentials_are_good() {
        let dir = std::env::temp_dir().join(format!("baton-cp-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let count = dir.join("count");
        // Counts its runs; credentials that expire in an hour, then ones already expiring.
        let command = format!(
            r#"echo x >> '{c}'; n=$(wc -l < '{c}'); if [ "$n" -eq 1 ]; then e=2999-01-01T00:00:00Z; else e=2000-01-01T00:00:00Z; fi; printf '{{"Version":1,"AccessKeyId":"AK%s","SecretAccessKey":"s","Expiration":"%s"}}' "$n" "$e""#,
            c = count.display()
        );
        let p = CredentialProcess::new(command);
        assert_eq!(p.keys().await.unwrap().access_key_id, "AK1");
        assert_eq!(p.keys().await.unwrap().access_key_id, "AK1", "kept");
        p.kept.forget().await;
        assert_eq!(p.keys().await.unwrap().access_key_id, "AK2");
        assert_eq!(
            p.keys().await.unwrap().access_key_id,
            "AK3",
            "expired: run again"
        );
        let failing = CredentialProcess::new("echo nope >&2; exit 3");
        let e = failing.keys().await.unwrap_err();
        assert!(e.contains("failed") && e.contains("nope"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
