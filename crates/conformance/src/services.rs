//! Tier 3 cases against an AWS-compatible endpoint (moto's server): starting it, and
//! creating what each case's recording had set up in AWS (`tier3_setup.json`).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use baton_integrations::aws::client::Client;
use baton_integrations::aws::protocol::HttpRequest;
use baton_integrations::aws::{Aws, AwsSettings};
use serde_json::Value as Json;

use crate::case::Case;

/// The account the recordings were made in: moto's server runs as it.
pub const ACCOUNT: &str = "111111111111";

/// A moto server; it stops when this process ends (its standard input closes).
pub struct Moto {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    _child: Mutex<Child>,
    _stdin: Mutex<ChildStdin>,
}

impl Moto {
    /// Starts `tests/moto/serve.py` (under `repo`) as the recordings' account; `Err` says
    /// why it could not.
    pub fn start(repo: &Path, python: &str) -> Result<Moto, String> {
        let mut child = Command::new(python)
            .arg(repo.join("tests/moto/serve.py"))
            .env("MOTO_ACCOUNT_ID", ACCOUNT)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("{python} cannot be run ({e})"))?;
        let stdout = child.stdout.take().ok_or("no standard output")?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .map_err(|_| "moto's server did not start within 60 s".to_owned())?;
        let Some(port) = line.trim().strip_prefix("ready ") else {
            let _ = child.kill();
            return Err(format!("moto's server did not start: {}", line.trim()));
        };
        let stdin = child.stdin.take().ok_or("no standard input")?;
        Ok(Moto {
            url: format!("http://127.0.0.1:{port}"),
            _child: Mutex::new(child),
            _stdin: Mutex::new(stdin),
        })
    }

    /// AWS settings pointed at this server, with test credentials.
    pub fn settings(&self) -> AwsSettings {
        AwsSettings {
            region: Some("us-east-1".into()),
            endpoint_url: Some(self.url.clone()),
            access_key_id: Some("testing".into()),
            secret_access_key: Some("testing".into()),
            poll_seconds: Some(0.1),
            ..AwsSettings::default()
        }
    }
}

/// Where moto answers otherwise than AWS did for `case` (`moto_deviation` in `setup`):
/// members not to compare, and texts to read as AWS's.
pub fn deviation(case: &Case, setup: &Json) -> crate::case::Deviation {
    let d = setup.get(&case.id).and_then(|s| s.get("moto_deviation"));
    let strings = |k: &str| -> Vec<String> {
        d.and_then(|d| d.get(k))
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter_map(Json::as_str)
            .map(str::to_owned)
            .collect()
    };
    let rewrite = d
        .and_then(|d| d.get("rewrite"))
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(|pair| {
            let moto = pair.get(0)?.as_str()?;
            let aws = pair.get(1)?.as_str()?;
            Some((moto.to_owned(), aws.to_owned()))
        })
        .collect();
    crate::case::Deviation {
        ignore: strings("ignore")
            .into_iter()
            .filter_map(|p| p.strip_prefix("$..").map(str::to_owned))
            .collect(),
        rewrite,
    }
}

/// Creates what `case`'s recording had set up (`setup`: `tier3_setup.json`'s `cases`):
/// its S3 buckets and objects, the bodies byte for byte.
pub async fn set_up(case: &Case, setup: &Json, settings: &AwsSettings) -> Result<(), String> {
    let Some(s) = setup.get(&case.id) else {
        return Ok(());
    };
    if let Some(skip) = s.get("skip").and_then(Json::as_str) {
        return Err(format!("not replayable: {skip}"));
    }
    let client = Aws::new(settings).client().clone();
    for bucket in s.get("s3").and_then(Json::as_array).into_iter().flatten() {
        let Some(name) = bucket.get("bucket").and_then(Json::as_str) else {
            continue;
        };
        put(&client, format!("/{name}"), Vec::new()).await?;
        for object in bucket
            .get("objects")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            let key = object.get("key").and_then(Json::as_str).unwrap_or_default();
            let body = object
                .get("body")
                .and_then(Json::as_str)
                .unwrap_or_default();
            put(&client, format!("/{name}/{key}"), body.as_bytes().to_vec()).await?;
        }
    }
    Ok(())
}

/// A signed S3 PUT (CreateBucket or PutObject) at `path`.
async fn put(client: &Client, path: String, body: Vec<u8>) -> Result<(), String> {
    let service = client.service("s3").ok_or("no S3 model")?;
    let request = HttpRequest {
        method: "PUT".into(),
        path: path.clone(),
        headers: Vec::new(),
        body,
    };
    client
        .send(service, "us-east-1", &request)
        .await
        .map(|_| ())
        .map_err(|e| format!("PUT {path}: {e:?}"))
}
