//! `aws-sdk:s3` tasks on a local bucket: `getObject`, `putObject`, `listObjectsV2`,
//! `headObject`, `deleteObject` and `copyObject`, with the results and errors the
//! integration gives from S3.

use std::path::{Path, PathBuf};

use baton_json::{Map, Value};

use super::local::{self, BucketError, Entry};
use crate::aws::client::{CallError, Client, MAX_RESPONSE_BYTES, task_failure};
use crate::aws::model::service;
use crate::aws::protocol::{Style, iso8601};
use crate::{TaskFailure, TaskOutcome};

/// The local folder of the bucket a task's parameters name, if it is a local one.
pub(crate) fn local_bucket_of(client: &Client, input: &Value) -> Option<PathBuf> {
    let bucket = input.get("Bucket")?.as_str()?;
    client.settings.local_bucket(bucket).map(Path::to_path_buf)
}

fn failure(e: &BucketError) -> TaskFailure {
    let request_id = uuid::Uuid::new_v4().simple().to_string().to_uppercase();
    let (name, status) = match e {
        BucketError::NoSuchKey => ("S3.NoSuchKeyException", 404),
        BucketError::InvalidKey(_) => ("S3.S3Exception", 400),
        BucketError::Io(_) => ("S3.S3Exception", 500),
    };
    TaskFailure::new(
        name,
        format!(
            "{e} (Service: S3, Status Code: {status}, Request ID: {request_id}) (SDK Attempt Count: 1)"
        ),
    )
}

fn text<'a>(input: &'a Value, field: &str) -> Result<&'a str, TaskFailure> {
    input.get(field).and_then(Value::as_str).ok_or_else(|| {
        TaskFailure::new(
            "States.Runtime",
            format!("The field '{field}' is required and must be a string"),
        )
    })
}

fn last_modified(e: &Entry) -> Value {
    Value::string(iso8601(e.modified.floor(), false))
}

fn object_fields(e: &Entry, etag: &str) -> Map {
    let mut m = Map::default();
    m.insert("AcceptRanges".into(), Value::string("bytes"));
    m.insert("ContentLength".into(), Value::from(e.size));
    m.insert("ContentType".into(), Value::string("binary/octet-stream"));
    m.insert("ETag".into(), Value::string(etag));
    m.insert("LastModified".into(), last_modified(e));
    m.insert("Metadata".into(), Value::empty_object());
    m.insert("ServerSideEncryption".into(), Value::string("AES256"));
    m
}

/// CRC-32 (IEEE), as S3's `ChecksumCRC32`.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Runs an `aws-sdk:s3` action on the local bucket in `root`.
pub(crate) async fn run(
    client: Client,
    root: PathBuf,
    action: String,
    input: Value,
) -> TaskOutcome {
    tokio::task::spawn_blocking(move || run_blocking(&client, &root, &action, &input))
        .await
        .map_err(|e| TaskFailure::new("States.Runtime", e.to_string()))?
}

fn run_blocking(client: &Client, root: &Path, action: &str, input: &Value) -> TaskOutcome {
    let s3 = service("s3").expect("a shipped model");
    match action {
        "getObject" | "headObject" => {
            let key = text(input, "Key")?;
            if action == "headObject" {
                let e = local::stat(root, key).map_err(|e| failure(&e))?;
                let etag = local::etag_of_file(&e.path).map_err(|e| failure(&e))?;
                return Ok(Value::object(object_fields(&e, &etag)));
            }
            let Some((e, body)) =
                local::read(root, key, MAX_RESPONSE_BYTES as u64).map_err(|e| failure(&e))?
            else {
                return Err(task_failure(s3, Style::Sdk, CallError::TooLarge));
            };
            let mut m = object_fields(&e, &local::etag_of(&body));
            m.insert(
                "Body".into(),
                Value::string(String::from_utf8_lossy(&body).into_owned()),
            );
            Ok(Value::object(m))
        }
        "putObject" => {
            let key = text(input, "Key")?;
            // The body is the value's JSON text, a string's quotes included, as Step
            // Functions sends it to S3.
            let body = input
                .get("Body")
                .map(|b| b.to_json_string().into_bytes())
                .unwrap_or_default();
            local::write(root, key, &body).map_err(|e| failure(&e))?;
            let crc = crc32(&body).to_be_bytes();
            use base64::Engine as _;
            let mut m = Map::default();
            m.insert(
                "ChecksumCRC32".into(),
                Value::string(base64::engine::general_purpose::STANDARD.encode(crc)),
            );
            m.insert("ChecksumType".into(), Value::string("FULL_OBJECT"));
            m.insert("ETag".into(), Value::string(local::etag_of(&body)));
            m.insert("ServerSideEncryption".into(), Value::string("AES256"));
            Ok(Value::object(m))
        }
        "deleteObject" => {
            let key = text(input, "Key")?;
            local::delete(root, key).map_err(|e| failure(&e))?;
            Ok(Value::empty_object())
        }
        "copyObject" => {
            let key = text(input, "Key")?;
            let source = percent_decode(text(input, "CopySource")?);
            let source = source.trim_start_matches('/');
            let source = source.split("?versionId=").next().unwrap_or(source);
            let (bucket, source_key) = source
                .split_once('/')
                .ok_or_else(|| failure(&BucketError::InvalidKey(source.to_owned())))?;
            let Some(source_root) = client.settings.local_bucket(bucket) else {
                return Err(TaskFailure::new(
                    "States.Runtime",
                    format!(
                        "copyObject into a local bucket reads from local buckets only, and '{bucket}' is not one"
                    ),
                ));
            };
            let Some((_, body)) =
                local::read(source_root, source_key, u64::MAX - 1).map_err(|e| failure(&e))?
            else {
                return Err(failure(&BucketError::NoSuchKey));
            };
            let e = local::write(root, key, &body).map_err(|e| failure(&e))?;
            let mut result = Map::default();
            result.insert("ETag".into(), Value::string(local::etag_of(&body)));
            result.insert("LastModified".into(), last_modified(&e));
            let mut m = Map::default();
            m.insert("CopyObjectResult".into(), Value::object(result));
            m.insert("ServerSideEncryption".into(), Value::string("AES256"));
            Ok(Value::object(m))
        }
        "listObjectsV2" => {
            let bucket = text(input, "Bucket")?;
            let prefix = input.get("Prefix").and_then(Value::as_str).unwrap_or("");
            let delimiter = input
                .get("Delimiter")
                .and_then(Value::as_str)
                .filter(|d| !d.is_empty());
            let max_keys = input
                .get("MaxKeys")
                .and_then(Value::as_i64)
                .unwrap_or(1000)
                .clamp(0, 1000) as usize;
            let token = input.get("ContinuationToken").and_then(Value::as_str);
            let start_after = input
                .get("StartAfter")
                .and_then(Value::as_str)
                .unwrap_or("");
            let after = token.unwrap_or(start_after);
            let entries = local::list(root, prefix, after).map_err(|e| failure(&e))?;
            let mut contents = Vec::new();
            let mut prefixes: Vec<String> = Vec::new();
            let mut last = None;
            let mut truncated = false;
            for e in &entries {
                let common = delimiter.and_then(|d| {
                    e.key[prefix.len()..]
                        .find(d)
                        .map(|at| e.key[..prefix.len() + at + d.len()].to_owned())
                });
                if let Some(p) = &common
                    && prefixes.last() == Some(p)
                {
                    continue;
                }
                if contents.len() + prefixes.len() == max_keys {
                    truncated = true;
                    break;
                }
                match common {
                    Some(p) => {
                        last = Some(p.clone());
                        prefixes.push(p);
                    }
                    None => {
                        let etag = local::etag_of_file(&e.path).map_err(|e| failure(&e))?;
                        let mut m = Map::default();
                        m.insert("ETag".into(), Value::string(etag));
                        m.insert("Key".into(), Value::string(e.key.as_str()));
                        m.insert("LastModified".into(), last_modified(e));
                        m.insert("Size".into(), Value::from(e.size));
                        m.insert("StorageClass".into(), Value::string("STANDARD"));
                        contents.push(Value::object(m));
                        last = Some(e.key.clone());
                    }
                }
            }
            let mut m = Map::default();
            let count = contents.len() + prefixes.len();
            if !prefixes.is_empty() {
                let list = prefixes
                    .into_iter()
                    .map(|p| {
                        let mut o = Map::default();
                        o.insert("Prefix".into(), Value::string(p));
                        Value::object(o)
                    })
                    .collect();
                m.insert("CommonPrefixes".into(), Value::array(list));
            }
            if !contents.is_empty() {
                m.insert("Contents".into(), Value::array(contents));
            }
            if let Some(t) = token {
                m.insert("ContinuationToken".into(), Value::string(t));
            }
            if let Some(d) = delimiter {
                m.insert("Delimiter".into(), Value::string(d));
            }
            m.insert("IsTruncated".into(), Value::Bool(truncated));
            m.insert("KeyCount".into(), Value::from(count));
            m.insert("MaxKeys".into(), Value::from(max_keys));
            m.insert("Name".into(), Value::string(bucket));
            if truncated && let Some(l) = last {
                // The last key (or common prefix) given: the next page starts after it.
                let next = match delimiter {
                    Some(_) if l.ends_with(delimiter.unwrap_or_default()) => {
                        format!("{l}\u{10FFFF}")
                    }
                    _ => l,
                };
                m.insert("NextContinuationToken".into(), Value::string(next));
            }
            m.insert("Prefix".into(), Value::string(prefix));
            if !start_after.is_empty() {
                m.insert("StartAfter".into(), Value::string(start_after));
            }
            Ok(Value::object(m))
        }
        other => Err(TaskFailure::new(
            "States.Runtime",
            format!(
                "The action '{other}' is not supported on a local bucket (getObject, putObject, listObjectsV2, headObject, deleteObject and copyObject are)"
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::reader::tests::buckets;

    fn json(text: &str) -> Value {
        Value::from_json_str(text).unwrap()
    }

    #[test]
    fn s3_actions_on_a_local_bucket() {
        let dir = tempfile::tempdir().unwrap();
        let client = buckets(dir.path()).client;
        let root = dir.path();
        let run = |action: &str, input: &str| run_blocking(&client, root, action, &json(input));
        let put = run(
            "putObject",
            r#"{"Bucket":"data","Key":"dir/a b.txt","Body":"text data"}"#,
        )
        .unwrap();
        // AWS's recorded result of putting the string `text data`.
        assert_eq!(
            put.to_json_string(),
            r#"{"ChecksumCRC32":"KUmHvQ==","ChecksumType":"FULL_OBJECT","ETag":"\"2b5df3712557f503a9977a8ea893b2c9\"","ServerSideEncryption":"AES256"}"#
        );
        let got = run("getObject", r#"{"Bucket":"data","Key":"dir/a b.txt"}"#).unwrap();
        assert_eq!(
            got.get("Body").and_then(Value::as_str),
            Some("\"text data\"")
        );
        assert_eq!(got.get("ContentLength").and_then(Value::as_i64), Some(11));
        let keys: Vec<&str> = got.as_object().unwrap().keys().map(|k| &**k).collect();
        assert_eq!(
            keys,
            [
                "AcceptRanges",
                "ContentLength",
                "ContentType",
                "ETag",
                "LastModified",
                "Metadata",
                "ServerSideEncryption",
                "Body"
            ]
        );
        let head = run("headObject", r#"{"Bucket":"data","Key":"dir/a b.txt"}"#).unwrap();
        assert!(head.get("Body").is_none());
        run(
            "copyObject",
            r#"{"Bucket":"data","Key":"copy.txt","CopySource":"data/dir/a%20b.txt"}"#,
        )
        .unwrap();
        run(
            "putObject",
            r#"{"Bucket":"data","Key":"dir/sub/c","Body":1}"#,
        )
        .unwrap();
        let listed = run(
            "listObjectsV2",
            r#"{"Bucket":"data","Prefix":"dir/","Delimiter":"/"}"#,
        )
        .unwrap();
        assert_eq!(listed.get("KeyCount").and_then(Value::as_i64), Some(2));
        assert_eq!(
            listed.get("CommonPrefixes").unwrap().to_json_string(),
            r#"[{"Prefix":"dir/sub/"}]"#
        );
        let page = run("listObjectsV2", r#"{"Bucket":"data","MaxKeys":2}"#).unwrap();
        assert_eq!(page.get("IsTruncated").and_then(Value::as_bool), Some(true));
        let token = page
            .get("NextContinuationToken")
            .and_then(Value::as_str)
            .unwrap();
        let rest = run(
            "listObjectsV2",
            &format!(r#"{{"Bucket":"data","ContinuationToken":"{token}"}}"#),
        )
        .unwrap();
        assert_eq!(
            rest.get("Contents").unwrap().as_array().unwrap()[0]
                .get("Key")
                .and_then(Value::as_str),
            Some("dir/sub/c")
        );
        run("deleteObject", r#"{"Bucket":"data","Key":"copy.txt"}"#).unwrap();
        let f = run("getObject", r#"{"Bucket":"data","Key":"copy.txt"}"#).unwrap_err();
        assert_eq!(f.error.as_deref(), Some("S3.NoSuchKeyException"));
        assert!(f.cause.unwrap().starts_with(
            "The specified key does not exist. (Service: S3, Status Code: 404, Request ID: "
        ));
        let f = run("getObject", r#"{"Bucket":"data","Key":"../etc/passwd"}"#).unwrap_err();
        assert_eq!(f.error.as_deref(), Some("S3.S3Exception"));
    }
}
