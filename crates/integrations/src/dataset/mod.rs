//! Distributed Map datasets: reading a Map's items (`ItemReader`) and writing its results
//! (`ResultWriter`) in S3, or in local folders standing in for buckets
//! ([`AwsSettings::local_buckets`](crate::aws::AwsSettings::local_buckets)).
//!
//! The engine asks for these as task calls whose [`TaskCall::purpose`] is not a Task's;
//! [`Registry::run`](crate::Registry::run) hands every such call to [`Datasets`].
//!
//! - `ItemReader` (`s3:getObject`, `s3:listObjectsV2`): the input is `{"Arguments",
//!   "ReaderConfig", "MaxItems"}`, the result the array of items. Objects are read as a
//!   stream ([`ItemStream`]): from S3 in ranged requests of at most [`CHUNK_BYTES`], pinned
//!   to the first answer's ETag (or the VersionId); from a folder in buffered reads; split
//!   into items as the bytes come (`split.rs`). Formats: JSON (an array, or with
//!   `ItemsPointer` an array inside an object), JSONL, CSV, and an S3 Inventory
//!   `MANIFEST` (its CSV files, gzipped or not). Parquet is not supported.
//! - `ResultWriter` (`s3:putObject`): the input is `{"Arguments", "WriterConfig",
//!   "MapRunArn", "Results"}`; the result files and `manifest.json` are written as Step
//!   Functions writes them, and the result is `{"Bucket", "Key"}` of the manifest.
//!
//! Failures are `States.ItemReaderFailed` and `States.ResultWriterFailed`.

mod local;
mod reader;
mod source;
mod split;
mod task;
mod writer;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use baton_asl::definition::{Resource, ResourceUse};
use baton_json::Value;

use crate::aws::client::Client;
use crate::aws::model::{Service, service};
use crate::{BoxFuture, TaskCall, TaskFailure, TaskOutcome};

pub use local::BucketError;
pub use reader::ItemStream;
pub use writer::MAX_RESULT_FILE_BYTES;

pub(crate) use task::{local_bucket_of, run as run_local_s3};

/// The most bytes of items one `ItemReader` call returns (the items' JSON text in all),
/// and the most one item, or an object read whole for its `ItemsPointer`, may take: the
/// engine keeps a Map Run's items in memory.
pub const MAX_ITEMS_BYTES: u64 = 256 * 1024 * 1024;

/// The most bytes one item may take: far over what a child's input may be (the payload
/// limit), so that an object with no item boundary in it (a line without its end) is
/// refused early rather than held whole.
pub const MAX_ITEM_BYTES: u64 = 8 * 1024 * 1024;

/// AWS's bound on `MaxItems`: a larger one reads every item (recorded against AWS).
pub const MAX_ITEMS: u64 = 100_000_000;

/// The most bytes one ranged read of an S3 object asks for (under the client's
/// [`MAX_RESPONSE_BYTES`](crate::aws::client::MAX_RESPONSE_BYTES)).
pub const CHUNK_BYTES: u64 = 4 * 1024 * 1024;

/// Why items could not be read; each is a `States.ItemReaderFailed` with this cause.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// A JSON object that is not an array (and no `ItemsPointer` names one in it).
    #[error("Attempting to map over non-iterable node.")]
    NotIterable,
    /// CSV columns named twice.
    #[error("CSV headers cannot contain duplicates.")]
    DuplicateHeaders,
    /// Not JSON.
    #[error("The dataset is not valid JSON: {0}")]
    InvalidJson(String),
    /// JSON nested deeper than Baton's bound.
    #[error("The dataset is nested deeper than {} levels", baton_json::MAX_DEPTH)]
    TooDeep,
    /// One item over [`MAX_ITEM_BYTES`].
    #[error("An item of the dataset is larger than {MAX_ITEM_BYTES} bytes")]
    ItemTooLarge,
    /// An object read whole (for its `ItemsPointer`, a manifest) over [`MAX_ITEMS_BYTES`].
    #[error("The object is larger than {MAX_ITEMS_BYTES} bytes, the most read whole")]
    ObjectTooLarge,
    /// The items over [`MAX_ITEMS_BYTES`] in all.
    #[error(
        "The items read are larger than {MAX_ITEMS_BYTES} bytes in all: Baton keeps a Map Run's items in memory; set MaxItems or split the dataset"
    )]
    TooManyBytes,
    /// The reader's configuration or arguments.
    #[error("{0}")]
    Config(String),
    /// A format or resource this build does not read.
    #[error("{0}")]
    Unsupported(String),
    /// S3's error, as the SDK reports it.
    #[error("{0}")]
    S3(String),
    /// The object changed between two of its ranged reads.
    #[error("The object {0} changed while its items were read")]
    Changed(String),
    /// A local bucket's error.
    #[error("{0}")]
    Local(String),
    /// A gzip file that does not decompress.
    #[error("The file {0} is not valid gzip: {1}")]
    Gzip(String, String),
}

impl ReadError {
    /// As the task's failure.
    pub fn into_failure(self) -> TaskFailure {
        TaskFailure::new("States.ItemReaderFailed", self.to_string())
    }
}

/// Why results could not be written; each is a `States.ResultWriterFailed` with this
/// cause.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The writer's configuration or arguments.
    #[error("{0}")]
    Config(String),
    /// S3's error, as the SDK reports it.
    #[error("{0}")]
    S3(String),
    /// A local bucket's error.
    #[error("{0}")]
    Local(String),
}

impl WriteError {
    /// As the task's failure.
    pub fn into_failure(self) -> TaskFailure {
        TaskFailure::new("States.ResultWriterFailed", self.to_string())
    }
}

/// A local bucket's error as S3 would report it in a cause (without the SDK's attempt
/// count).
pub(crate) fn bucket_cause(e: &BucketError) -> String {
    let status = match e {
        BucketError::NoSuchKey => 404,
        BucketError::InvalidKey(_) => 400,
        BucketError::Io(_) => 500,
    };
    format!("{e} (Service: S3, Status Code: {status}, Request ID: null)")
}

/// Runs the `ItemReader` and `ResultWriter` calls of distributed Maps.
#[derive(Clone)]
pub struct Datasets {
    client: Client,
    /// Streams left open between the pages of a Map Run's items, by stream key, with the
    /// position of their next item.
    streams: Arc<Mutex<HashMap<String, (u64, ItemStream)>>>,
}

/// Streams kept open between pages at most; beyond, the oldest is let go (and reopened,
/// skipping to its position, should its next page be asked for).
const OPEN_STREAMS: usize = 256;

/// The most bytes of items one page holds (the page ends early past it).
pub const MAX_PAGE_BYTES: u64 = 8 * 1024 * 1024;

/// Where a bucket's objects are.
#[derive(Clone)]
pub(crate) enum Place {
    /// A local folder.
    Local(PathBuf),
    /// S3 (or what the endpoint settings point at).
    S3,
}

/// The buckets a call reaches: its client (settings, credentials, local folders) and
/// region.
#[derive(Clone)]
pub(crate) struct Buckets {
    pub(crate) client: Client,
    pub(crate) region: String,
}

impl Buckets {
    pub(crate) fn place(&self, bucket: &str) -> Place {
        match self.client.settings.local_bucket(bucket) {
            Some(dir) => Place::Local(dir.to_path_buf()),
            None => Place::S3,
        }
    }

    pub(crate) fn s3(&self) -> &'static Service {
        service("s3").expect("a shipped model")
    }

    pub(crate) fn s3_region(&self) -> &str {
        self.client.region(&self.region)
    }
}

impl Datasets {
    /// The datasets reached through `client` (its settings' local buckets, else S3).
    pub fn new(client: Client) -> Datasets {
        Datasets {
            client,
            streams: Arc::default(),
        }
    }

    /// One page of a Map Run's items: `{"Items": [...], "End": bool}`. `page` is
    /// `{"Stream", "Start", "Count"}`: the items from position `Start`, at most `Count`
    /// (and at most [`MAX_PAGE_BYTES`] of them unless one alone is more). The stream is
    /// kept open for the next page; asked for another position (after a restart), it is
    /// opened again and read up to it.
    async fn page(
        streams: Arc<Mutex<HashMap<String, (u64, ItemStream)>>>,
        buckets: Buckets,
        call: TaskCall,
        page: Value,
    ) -> Result<Value, ReadError> {
        let key = page
            .get("Stream")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let number = |k: &str| {
            page.get(k)
                .and_then(Value::as_number)
                .and_then(|n| n.as_u64())
        };
        let start = number("Start").unwrap_or(0);
        let count = number("Count").unwrap_or(1000).clamp(1, 100_000) as usize;
        let kept = streams
            .lock()
            .map_err(|_| ReadError::Config("the open streams' lock was poisoned".into()))?
            .remove(&key)
            .filter(|(at, _)| *at == start);
        let mut stream = match kept {
            Some((_, s)) => s,
            None => {
                let mut s = ItemStream::open_with(buckets, &call.resource, &call.input).await?;
                let mut skipped = 0u64;
                while skipped < start {
                    let n = s.next((start - skipped).min(10_000) as usize).await?.len();
                    if n == 0 {
                        break;
                    }
                    skipped += n as u64;
                }
                s
            }
        };
        let items = stream.next_within(count, MAX_PAGE_BYTES).await?;
        let end = stream.is_done() || items.is_empty();
        if !end && let Ok(mut open) = streams.lock() {
            if open.len() >= OPEN_STREAMS
                && let Some(k) = open.keys().next().cloned()
            {
                open.remove(&k);
            }
            open.insert(key, (start + items.len() as u64, stream));
        }
        let mut out = baton_json::Map::default();
        out.insert("Items".into(), Value::array(items));
        out.insert("End".into(), Value::Bool(end));
        Ok(Value::object(out))
    }

    /// Runs an `ItemReader` or `ResultWriter` call.
    pub fn run(&self, call: TaskCall) -> BoxFuture<TaskOutcome> {
        let buckets = Buckets {
            client: self.client.for_task(call.credentials.as_ref()),
            region: call.region.to_string(),
        };
        let streams = Arc::clone(&self.streams);
        Box::pin(async move {
            match call.purpose {
                ResourceUse::ItemReader if call.input.get("Page").is_some() => {
                    let page = call.input.get("Page").cloned().unwrap_or_default();
                    Datasets::page(streams, buckets, call, page)
                        .await
                        .map_err(ReadError::into_failure)
                }
                ResourceUse::ItemReader => {
                    let mut stream = ItemStream::open_with(buckets, &call.resource, &call.input)
                        .await
                        .map_err(ReadError::into_failure)?;
                    stream
                        .collect()
                        .await
                        .map(Value::array)
                        .map_err(ReadError::into_failure)
                }
                ResourceUse::ResultWriter => {
                    check_action(&call.resource, "putObject")
                        .map_err(|m| WriteError::Config(m).into_failure())?;
                    writer::write_results(&buckets, &call.input)
                        .await
                        .map_err(WriteError::into_failure)
                }
                ResourceUse::Task => Err(TaskFailure::new(
                    "States.Runtime",
                    "a Task's resource is not a dataset",
                )),
            }
        })
    }
}

/// The S3 action a reader's or writer's resource names (`getObject`, ...).
pub(crate) fn s3_action(resource: &Resource) -> Option<&str> {
    match resource {
        Resource::Service {
            service, action, ..
        } if service == "s3" => Some(action.as_str()),
        _ => None,
    }
}

fn check_action(resource: &Resource, wanted: &str) -> Result<(), String> {
    match s3_action(resource) {
        Some(a) if a == wanted => Ok(()),
        _ => Err(format!(
            "The resource '{}' cannot write a Map Run's results (only arn:aws:states:::s3:{wanted} can)",
            resource.arn()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(input: Value) -> TaskCall {
        TaskCall {
            resource: Resource::parse("arn:aws:states:::s3:getObject").unwrap(),
            purpose: ResourceUse::ItemReader,
            input,
            token: None,
            state_name: "Map".into(),
            region: "us-east-1".into(),
            account: "123456789012".into(),
            execution_arn: "arn:aws:states:us-east-1:123456789012:execution:m:e".into(),
            work: 1,
            resumed: false,
            submission: None,
            credentials: None,
            submitted: None,
        }
    }

    fn page_input(start: u64) -> Value {
        Value::from_json_str(&format!(
            r#"{{"Arguments": {{"Bucket": "data", "Key": "items.jsonl"}},
                "ReaderConfig": {{"InputType": "JSONL"}}, "MaxItems": 2400,
                "Page": {{"Stream": "run-1", "Start": {start}, "Count": 1000}}}}"#
        ))
        .unwrap()
    }

    async fn page(datasets: &Datasets, start: u64) -> (Vec<Value>, bool) {
        page_of(datasets, page_input(start)).await
    }

    async fn page_of(datasets: &Datasets, input: Value) -> (Vec<Value>, bool) {
        let out = datasets.run(call(input)).await.unwrap();
        let items = out.get("Items").and_then(Value::as_array).unwrap().to_vec();
        (items, out.get("End") == Some(&Value::Bool(true)))
    }

    #[tokio::test]
    async fn pages_of_items_follow_one_another_and_start_anywhere() {
        let dir = tempfile::tempdir().unwrap();
        let body: String = (0..2500).map(|i| format!("{i}\n")).collect();
        local::write(dir.path(), "items.jsonl", body.as_bytes()).unwrap();
        let datasets = Datasets::new(reader::tests::buckets(dir.path()).client);
        let (a, end) = page(&datasets, 0).await;
        assert_eq!((a.len(), end), (1000, false));
        assert_eq!(a[999], Value::from(999u64));
        // The stream stays open for the next page.
        assert_eq!(datasets.streams.lock().unwrap().len(), 1);
        let (b, end) = page(&datasets, 1000).await;
        assert_eq!(
            (b.first().cloned(), end),
            (Some(Value::from(1000u64)), false)
        );
        // MaxItems 2400 ends the third page early.
        let (c, end) = page(&datasets, 2000).await;
        assert_eq!((c.len(), end), (400, true));
        assert!(datasets.streams.lock().unwrap().is_empty());
        // As after a restart: a page asked for anywhere reads up to it.
        let fresh = Datasets::new(reader::tests::buckets(dir.path()).client);
        let (d, end) = page(&fresh, 1500).await;
        assert_eq!(
            (d.len(), d[0].clone(), end),
            (900, Value::from(1500u64), true)
        );
    }

    #[tokio::test]
    async fn a_page_ends_past_its_bytes_and_open_streams_are_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let line = format!("\"{}\"\n", "x".repeat(1022));
        let body = line.repeat(10_000);
        local::write(dir.path(), "big.jsonl", body.as_bytes()).unwrap();
        let datasets = Datasets::new(reader::tests::buckets(dir.path()).client);
        let input = |stream: &str, start: usize, count: u64| {
            Value::from_json_str(&format!(
                r#"{{"Arguments": {{"Bucket": "data", "Key": "big.jsonl"}},
                    "ReaderConfig": {{"InputType": "JSONL"}},
                    "Page": {{"Stream": "{stream}", "Start": {start}, "Count": {count}}}}}"#
            ))
            .unwrap()
        };
        // 10,000 items of 1 KiB asked for at once: the page ends before its items pass
        // 8 MiB.
        let (items, end) = page_of(&datasets, input("big", 0, 10_000)).await;
        let bytes: u64 = items.iter().map(|v| v.encoded_len() + 1).sum();
        assert!(!end);
        assert!(
            bytes <= MAX_PAGE_BYTES && bytes > MAX_PAGE_BYTES - 1025,
            "{bytes}"
        );
        // The page's next item is where the next page starts.
        let (rest, end) = page_of(&datasets, input("big", items.len(), 10_000)).await;
        assert!(end);
        assert_eq!(items.len() + rest.len(), 10_000);
        // Streams left open between pages are bounded.
        for i in 0..OPEN_STREAMS + 10 {
            page_of(&datasets, input(&format!("s{i}"), 0, 1)).await;
        }
        assert_eq!(datasets.streams.lock().unwrap().len(), OPEN_STREAMS);
    }
}
