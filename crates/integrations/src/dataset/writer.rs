//! A Map Run's results written as Step Functions writes them: `<Prefix>/<map run id>/`
//! holds `SUCCEEDED_n.json`, `FAILED_n.json` and `PENDING_n.json` (only those with
//! records) and `manifest.json`, which lists them.

use std::collections::BTreeMap;

use baton_json::{Map, Value};

use super::{Buckets, Place, WriteError, bucket_cause, local};
use crate::aws::client::task_failure;
use crate::aws::protocol::{HttpRequest, Style, encode};

/// The most bytes of one result file; more records go on in the next file (`_1`, ...):
/// S3's bound on one PutObject (5 GiB).
pub const MAX_RESULT_FILE_BYTES: u64 = 5 * 1024 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Transformation {
    None,
    Compact,
    Flatten,
}

/// The files' categories, in the order they are written, and the statuses each takes.
const CATEGORIES: [(&str, &[&str]); 3] = [
    ("SUCCEEDED", &["SUCCEEDED"]),
    ("FAILED", &["FAILED", "TIMED_OUT", "ABORTED"]),
    ("PENDING", &["PENDING", "RUNNING"]),
];

fn config_text<'a>(v: &'a Value, field: &str) -> Result<Option<&'a str>, WriteError> {
    match v.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(WriteError::Config(format!("{field} must be a string"))),
    }
}

/// A record as the files hold it untransformed: the child execution's fields in
/// alphabetical order, its input and output as JSON text.
fn full_record(record: &Value) -> Value {
    let mut fields: BTreeMap<String, Value> = BTreeMap::new();
    if let Some(o) = record.as_object() {
        for (k, v) in o {
            fields.insert(k.to_string(), v.clone());
        }
    }
    for (k, details) in [("Input", "InputDetails"), ("Output", "OutputDetails")] {
        if let Some(v) = fields.get(k) {
            let text = v.to_json_string();
            fields.insert(k.into(), Value::string(text));
            fields.entry(details.into()).or_insert_with(included);
        }
    }
    let status = record.get("Status").and_then(Value::as_str).unwrap_or("");
    fields
        .entry("RedriveCount".into())
        .or_insert(Value::from(0i64));
    let (redrive, reason) = match status {
        "SUCCEEDED" => (
            "NOT_REDRIVABLE",
            Some("Execution is SUCCEEDED and cannot be redriven"),
        ),
        "FAILED" | "TIMED_OUT" | "ABORTED" => ("REDRIVABLE", None),
        _ => (
            "NOT_REDRIVABLE",
            Some("Execution is RUNNING and cannot be redriven"),
        ),
    };
    fields
        .entry("RedriveStatus".into())
        .or_insert_with(|| Value::string(redrive));
    if let Some(reason) = reason {
        fields
            .entry("RedriveStatusReason".into())
            .or_insert_with(|| Value::string(reason));
    }
    let mut m = Map::default();
    for (k, v) in fields {
        m.insert(k.into(), v);
    }
    Value::object(m)
}

fn included() -> Value {
    let mut m = Map::default();
    m.insert("Included".into(), Value::Bool(true));
    Value::object(m)
}

/// What a category's file holds for its records.
fn entries(records: &[&Value], succeeded: bool, t: Transformation) -> Vec<Value> {
    if !succeeded || t == Transformation::None {
        return records.iter().map(|r| full_record(r)).collect();
    }
    let mut out = Vec::new();
    for r in records {
        let output = r.get("Output").cloned().unwrap_or(Value::Null);
        match (&output, t) {
            (Value::Array(items), Transformation::Flatten) => out.extend(items.iter().cloned()),
            _ => out.push(output),
        }
    }
    out
}

/// The entries as files of at most `max` bytes (an entry larger than that alone in its
/// file): a JSON array each, or JSON Lines.
fn render(entries: &[Value], jsonl: bool, max: u64) -> Vec<Vec<u8>> {
    let mut files = Vec::new();
    let mut current: Vec<u8> = Vec::new();
    let mut count = 0usize;
    let close = |buf: &mut Vec<u8>, jsonl: bool| {
        if !jsonl {
            buf.push(b']');
        }
        std::mem::take(buf)
    };
    for e in entries {
        let text = e.to_json_string();
        let added = text.len() as u64 + 1;
        if count > 0 && current.len() as u64 + added + 1 > max {
            files.push(close(&mut current, jsonl));
            count = 0;
        }
        if jsonl {
            current.extend_from_slice(text.as_bytes());
            current.push(b'\n');
        } else {
            current.push(if count == 0 { b'[' } else { b',' });
            current.extend_from_slice(text.as_bytes());
        }
        count += 1;
    }
    if count > 0 {
        files.push(close(&mut current, jsonl));
    }
    files
}

async fn put(buckets: &Buckets, bucket: &str, key: &str, body: Vec<u8>) -> Result<(), WriteError> {
    match buckets.place(bucket) {
        Place::Local(root) => {
            let key = key.to_owned();
            tokio::task::spawn_blocking(move || local::write(&root, &key, &body))
                .await
                .map_err(|e| WriteError::Local(e.to_string()))?
                .map_err(|e| WriteError::Local(bucket_cause(&e)))?;
            Ok(())
        }
        Place::S3 => {
            let request = HttpRequest {
                method: "PUT".into(),
                path: format!("/{}/{}", encode(bucket, true), encode(key, false)),
                headers: vec![("content-type".into(), "application/json".into())],
                body,
            };
            let s3 = buckets.s3();
            buckets
                .client
                .send(s3, buckets.s3_region(), &request)
                .await
                .map_err(|e| {
                    WriteError::S3(
                        task_failure(s3, Style::Sdk, e)
                            .cause
                            .as_deref()
                            .unwrap_or("")
                            .to_owned(),
                    )
                })?;
            Ok(())
        }
    }
}

/// Writes a `ResultWriter` call's files; gives `{"Bucket", "Key"}` of the manifest.
pub(crate) async fn write_results(buckets: &Buckets, input: &Value) -> Result<Value, WriteError> {
    write_split(buckets, input, MAX_RESULT_FILE_BYTES).await
}

async fn write_split(buckets: &Buckets, input: &Value, max_file: u64) -> Result<Value, WriteError> {
    let empty = Value::empty_object();
    let arguments = input.get("Arguments").unwrap_or(&empty);
    let bucket = config_text(arguments, "Bucket")?
        .ok_or_else(|| WriteError::Config("The ResultWriter's Bucket is required".into()))?;
    let mut prefix = config_text(arguments, "Prefix")?.unwrap_or("").to_owned();
    if !prefix.is_empty() && !prefix.ends_with('/') {
        prefix.push('/');
    }
    let config = input.get("WriterConfig").unwrap_or(&empty);
    let jsonl = match config_text(config, "OutputType")? {
        None | Some("JSON") => false,
        Some("JSONL") => true,
        Some(other) => {
            return Err(WriteError::Config(format!(
                "WriterConfig.OutputType must be JSON or JSONL, not {other}"
            )));
        }
    };
    let transformation = match config_text(config, "Transformation")? {
        None | Some("NONE") => Transformation::None,
        Some("COMPACT") => Transformation::Compact,
        Some("FLATTEN") => Transformation::Flatten,
        Some(other) => {
            return Err(WriteError::Config(format!(
                "WriterConfig.Transformation must be NONE, COMPACT or FLATTEN, not {other}"
            )));
        }
    };
    let map_run_arn = config_text(input, "MapRunArn")?
        .ok_or_else(|| WriteError::Config("MapRunArn is required".into()))?;
    let run_id = map_run_arn.rsplit(':').next().unwrap_or(map_run_arn);
    let results = input
        .get("Results")
        .and_then(Value::as_array)
        .unwrap_or_default();
    let extension = if jsonl { "jsonl" } else { "json" };
    // Written part by part as a Map Run goes (`Part`: where each category's numbering is,
    // the files written before, whether this is the last part), or at once.
    let part = input.get("Part");
    let next = |category: &str| -> usize {
        part.and_then(|p| p.get("Next"))
            .and_then(|n| n.get(category))
            .and_then(Value::as_number)
            .and_then(|n| n.as_u64())
            .unwrap_or(0) as usize
    };
    let last = part.is_none_or(|p| p.get("Final") != Some(&Value::Bool(false)));
    let mut listed = Map::default();
    for (category, statuses) in CATEGORIES {
        let records: Vec<&Value> = results
            .iter()
            .filter(|r| {
                r.get("Status")
                    .and_then(Value::as_str)
                    .is_some_and(|s| statuses.contains(&s))
            })
            .collect();
        let files = render(
            &entries(&records, category == "SUCCEEDED", transformation),
            jsonl,
            max_file,
        );
        let mut written: Vec<Value> = part
            .filter(|_| last)
            .and_then(|p| p.get("Files"))
            .and_then(|f| f.get(category))
            .and_then(Value::as_array)
            .map(<[Value]>::to_vec)
            .unwrap_or_default();
        for (n, body) in (next(category)..).zip(files) {
            let key = format!("{prefix}{run_id}/{category}_{n}.{extension}");
            let size = body.len();
            put(buckets, bucket, &key, body).await?;
            let mut file = Map::default();
            file.insert("Key".into(), Value::string(key));
            file.insert("Size".into(), Value::from(size));
            written.push(Value::object(file));
        }
        listed.insert(category.into(), Value::array(written));
    }
    if !last {
        let mut out = Map::default();
        out.insert("Files".into(), Value::object(listed));
        return Ok(Value::object(out));
    }
    let mut files = Map::default();
    for category in ["FAILED", "PENDING", "SUCCEEDED"] {
        files.insert(
            category.into(),
            listed
                .get(category)
                .cloned()
                .unwrap_or_else(|| Value::array(Vec::new())),
        );
    }
    let mut manifest = Map::default();
    manifest.insert("DestinationBucket".into(), Value::string(bucket));
    manifest.insert("MapRunArn".into(), Value::string(map_run_arn));
    manifest.insert("ResultFiles".into(), Value::object(files));
    let key = format!("{prefix}{run_id}/manifest.json");
    put(
        buckets,
        bucket,
        &key,
        Value::object(manifest).to_json_string().into_bytes(),
    )
    .await?;
    let mut out = Map::default();
    out.insert("Bucket".into(), Value::string(bucket));
    out.insert("Key".into(), Value::string(key));
    Ok(Value::object(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::reader::tests::buckets;

    fn json(text: &str) -> Value {
        Value::from_json_str(text).unwrap()
    }

    fn results() -> Value {
        json(
            r#"[
            {"ExecutionArn":"arn:aws:states:us-east-1:1:execution:m/Map:1","Name":"1","StateMachineArn":"arn:aws:states:us-east-1:1:stateMachine:m/Map","Status":"SUCCEEDED","StartDate":"2025-01-01T00:00:00.000Z","StopDate":"2025-01-01T00:00:01.000Z","Input":{"a":1},"Output":[1,2]},
            {"ExecutionArn":"arn:aws:states:us-east-1:1:execution:m/Map:2","Name":"2","StateMachineArn":"arn:aws:states:us-east-1:1:stateMachine:m/Map","Status":"FAILED","StartDate":"2025-01-01T00:00:00.000Z","StopDate":"2025-01-01T00:00:01.000Z","Input":"x","Error":"E","Cause":"c"},
            {"ExecutionArn":"arn:aws:states:us-east-1:1:execution:m/Map:3","Name":"3","StateMachineArn":"arn:aws:states:us-east-1:1:stateMachine:m/Map","Status":"SUCCEEDED","StartDate":"2025-01-01T00:00:00.000Z","StopDate":"2025-01-01T00:00:01.000Z","Input":{},"Output":{"b":2}}
        ]"#,
        )
    }

    fn input(config: &str) -> Value {
        let mut v = json(&format!(
            r#"{{"Arguments":{{"Bucket":"data","Prefix":"out"}},{config}"MapRunArn":"arn:aws:states:us-east-1:1:mapRun:m/Map:run-1"}}"#
        ));
        v.as_object_mut()
            .unwrap()
            .insert("Results".into(), results());
        v
    }

    fn file(dir: &std::path::Path, key: &str) -> String {
        std::fs::read_to_string(dir.join(key)).unwrap()
    }

    #[tokio::test]
    async fn files_and_manifest_as_step_functions_writes_them() {
        let dir = tempfile::tempdir().unwrap();
        let out = write_results(&buckets(dir.path()), &input(""))
            .await
            .unwrap();
        assert_eq!(
            out,
            json(r#"{"Bucket":"data","Key":"out/run-1/manifest.json"}"#)
        );
        let succeeded = json(&file(dir.path(), "out/run-1/SUCCEEDED_0.json"));
        let first = &succeeded.as_array().unwrap()[0];
        assert_eq!(
            first.to_json_string(),
            r#"{"ExecutionArn":"arn:aws:states:us-east-1:1:execution:m/Map:1","Input":"{\"a\":1}","InputDetails":{"Included":true},"Name":"1","Output":"[1,2]","OutputDetails":{"Included":true},"RedriveCount":0,"RedriveStatus":"NOT_REDRIVABLE","RedriveStatusReason":"Execution is SUCCEEDED and cannot be redriven","StartDate":"2025-01-01T00:00:00.000Z","StateMachineArn":"arn:aws:states:us-east-1:1:stateMachine:m/Map","Status":"SUCCEEDED","StopDate":"2025-01-01T00:00:01.000Z"}"#
        );
        let failed = json(&file(dir.path(), "out/run-1/FAILED_0.json"));
        assert_eq!(
            failed.as_array().unwrap()[0]
                .get("Cause")
                .and_then(Value::as_str),
            Some("c")
        );
        assert_eq!(
            failed.as_array().unwrap()[0]
                .get("Input")
                .and_then(Value::as_str),
            Some("\"x\"")
        );
        assert!(!dir.path().join("out/run-1/PENDING_0.json").exists());
        let manifest = json(&file(dir.path(), "out/run-1/manifest.json"));
        let size = std::fs::metadata(dir.path().join("out/run-1/SUCCEEDED_0.json"))
            .unwrap()
            .len();
        assert_eq!(
            manifest.get("ResultFiles").unwrap().to_json_string(),
            format!(
                r#"{{"FAILED":[{{"Key":"out/run-1/FAILED_0.json","Size":{}}}],"PENDING":[],"SUCCEEDED":[{{"Key":"out/run-1/SUCCEEDED_0.json","Size":{size}}}]}}"#,
                std::fs::metadata(dir.path().join("out/run-1/FAILED_0.json"))
                    .unwrap()
                    .len()
            )
        );
        assert_eq!(
            manifest.get("DestinationBucket").and_then(Value::as_str),
            Some("data")
        );
    }

    #[tokio::test]
    async fn parts_number_their_files_on_and_the_last_lists_them_all() {
        let dir = tempfile::tempdir().unwrap();
        let b = buckets(dir.path());
        let mut first = input("");
        first.as_object_mut().unwrap().insert(
            "Part".into(),
            json(r#"{"Next":{"SUCCEEDED":0,"FAILED":0,"PENDING":0},"Final":false,"Files":{}}"#),
        );
        let written = write_results(&b, &first).await.unwrap();
        let files = written.get("Files").expect("a part answers its files");
        assert_eq!(
            files
                .get("SUCCEEDED")
                .and_then(Value::as_array)
                .map(<[Value]>::len),
            Some(1)
        );
        assert!(!dir.path().join("out/run-1/manifest.json").exists());
        let mut last = input("");
        let mut part = json(r#"{"Next":{"SUCCEEDED":1,"FAILED":1,"PENDING":0},"Final":true}"#);
        part.as_object_mut()
            .unwrap()
            .insert("Files".into(), files.clone());
        last.as_object_mut().unwrap().insert("Part".into(), part);
        let out = write_results(&b, &last).await.unwrap();
        assert_eq!(
            out,
            json(r#"{"Bucket":"data","Key":"out/run-1/manifest.json"}"#)
        );
        assert!(dir.path().join("out/run-1/SUCCEEDED_1.json").exists());
        assert!(dir.path().join("out/run-1/FAILED_1.json").exists());
        let manifest = json(&file(dir.path(), "out/run-1/manifest.json"));
        let keys: Vec<String> = manifest
            .get("ResultFiles")
            .and_then(|f| f.get("SUCCEEDED"))
            .and_then(Value::as_array)
            .unwrap()
            .iter()
            .filter_map(|f| f.get("Key").and_then(Value::as_str).map(str::to_owned))
            .collect();
        assert_eq!(
            keys,
            ["out/run-1/SUCCEEDED_0.json", "out/run-1/SUCCEEDED_1.json"]
        );
    }

    #[tokio::test]
    async fn compact_flatten_jsonl_and_split_files() {
        let dir = tempfile::tempdir().unwrap();
        let b = buckets(dir.path());
        write_results(
            &b,
            &input(r#""WriterConfig":{"Transformation":"COMPACT"},"#),
        )
        .await
        .unwrap();
        assert_eq!(
            file(dir.path(), "out/run-1/SUCCEEDED_0.json"),
            r#"[[1,2],{"b":2}]"#
        );
        write_results(
            &b,
            &input(r#""WriterConfig":{"Transformation":"FLATTEN","OutputType":"JSONL"},"#),
        )
        .await
        .unwrap();
        assert_eq!(
            file(dir.path(), "out/run-1/SUCCEEDED_0.jsonl"),
            "1\n2\n{\"b\":2}\n"
        );
        // Failed executions are written whole whatever the transformation.
        assert!(file(dir.path(), "out/run-1/FAILED_0.jsonl").contains("\"Error\":\"E\""));
        let dir = tempfile::tempdir().unwrap();
        let b = buckets(dir.path());
        write_split(
            &b,
            &input(r#""WriterConfig":{"Transformation":"COMPACT"},"#),
            8,
        )
        .await
        .unwrap();
        assert_eq!(file(dir.path(), "out/run-1/SUCCEEDED_0.json"), "[[1,2]]");
        assert_eq!(
            file(dir.path(), "out/run-1/SUCCEEDED_1.json"),
            r#"[{"b":2}]"#
        );
        let e = write_results(
            &b,
            &json(
                r#"{"Arguments":{"Bucket":"data","Prefix":"../x"},"MapRunArn":"a:b","Results":[]}"#,
            ),
        )
        .await
        .unwrap_err();
        assert_eq!(
            e.into_failure().error.as_deref(),
            Some("States.ResultWriterFailed")
        );
    }
}
