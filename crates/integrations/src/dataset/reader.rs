//! A distributed Map's items, pulled a page at a time: [`ItemStream`].

use std::collections::VecDeque;

use baton_asl::definition::Resource;
use baton_json::{MAX_DEPTH, Map, Str, Value};

use super::local::{self, Entry};
use super::source::{Gunzip, Source, name};
use super::split::{Columns, CsvItems, JsonArray, Lines, Splitter};
use super::{Buckets, MAX_ITEMS, MAX_ITEMS_BYTES, Place, ReadError, bucket_cause, s3_action};
use crate::TaskFailure;
use crate::aws::call_op;
use crate::aws::client::Client;
use crate::aws::protocol::Style;

/// How the items of an object are written.
#[derive(Debug, Clone)]
enum Format {
    Json,
    Jsonl,
    Csv {
        delimiter: u8,
        headers: Option<Vec<Str>>,
    },
    /// An S3 Inventory's CSV file: no header row, the manifest's columns.
    Inventory {
        columns: Vec<Str>,
    },
}

impl Format {
    fn splitter(&self) -> Result<Splitter, ReadError> {
        Ok(match self {
            Format::Json => Splitter::Json(JsonArray::new()),
            Format::Jsonl => Splitter::Lines(Lines::default()),
            Format::Csv { delimiter, headers } => Splitter::Csv(CsvItems::new(
                *delimiter,
                match headers {
                    Some(h) => Columns::Given(h.clone()),
                    None => Columns::FirstRow,
                },
                true,
            )?),
            Format::Inventory { columns } => {
                Splitter::Csv(CsvItems::new(b',', Columns::Given(columns.clone()), false)?)
            }
        })
    }
}

/// One object being read.
struct Segment {
    source: Source,
    gunzip: Option<Gunzip>,
    splitter: Splitter,
}

/// An object to read: bucket, key, version.
type Object = (String, String, Option<String>);

enum Producer {
    /// Objects read one after the other (one, or an inventory's files).
    Objects {
        objects: VecDeque<Object>,
        format: Format,
        current: Option<Box<Segment>>,
    },
    /// A local bucket's listing, ETags computed a page at a time.
    LocalListing(VecDeque<Entry>),
    /// S3's listing, a page at a time.
    S3Listing {
        arguments: Map,
        token: Option<String>,
        done: bool,
    },
    /// Everything is in `pending`.
    Done,
}

/// A Map's items as a pull stream: [`ItemStream::next_items`] reads only as much of the
/// dataset as it needs for the items it returns.
pub struct ItemStream {
    buckets: Buckets,
    producer: Producer,
    pending: VecDeque<Value>,
    /// Items still to give (`MaxItems`).
    remaining: u64,
}

/// Items of a listing fetched at a time.
const LIST_PAGE: usize = 1000;

fn text_field<'a>(v: &'a Value, field: &str, what: &str) -> Result<Option<&'a str>, ReadError> {
    match v.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(ReadError::Config(format!(
            "{what}.{field} must be a string, not {}",
            other.type_name()
        ))),
    }
}

fn required<'a>(v: &'a Value, field: &str, what: &str) -> Result<&'a str, ReadError> {
    text_field(v, field, what)?
        .ok_or_else(|| ReadError::Config(format!("{what}.{field} is required")))
}

/// A JSON pointer (RFC 6901) into `v`.
fn pointer<'a>(v: &'a Value, ptr: &str) -> Option<&'a Value> {
    if ptr.is_empty() {
        return Some(v);
    }
    let rest = ptr.strip_prefix('/')?;
    let mut at = v;
    for token in rest.split('/') {
        let token = token.replace("~1", "/").replace("~0", "~");
        at = match at {
            Value::Object(_) => at.get(&token)?,
            Value::Array(_) => at.index(token.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(at)
}

impl ItemStream {
    /// Opens the dataset an `ItemReader` call names: `resource` is the reader's Resource,
    /// `input` the call's `{"Arguments", "ReaderConfig", "MaxItems"}`.
    pub async fn open(
        client: Client,
        region: &str,
        resource: &Resource,
        input: &Value,
    ) -> Result<ItemStream, TaskFailure> {
        let buckets = Buckets {
            client,
            region: region.to_owned(),
        };
        ItemStream::open_with(buckets, resource, input)
            .await
            .map_err(ReadError::into_failure)
    }

    pub(crate) async fn open_with(
        buckets: Buckets,
        resource: &Resource,
        input: &Value,
    ) -> Result<ItemStream, ReadError> {
        let empty = Value::empty_object();
        let arguments = input.get("Arguments").unwrap_or(&empty);
        if !arguments.is_object() {
            return Err(ReadError::Config(
                "The ItemReader's Arguments must be an object".into(),
            ));
        }
        let config = match input.get("ReaderConfig") {
            None | Some(Value::Null) => &empty,
            Some(c) if c.is_object() => c,
            Some(_) => return Err(ReadError::Config("ReaderConfig must be an object".into())),
        };
        let remaining = match input.get("MaxItems").and_then(Value::as_f64) {
            Some(n) if n >= 1.0 => (n as u64).min(MAX_ITEMS),
            _ => MAX_ITEMS,
        };
        let mut stream = ItemStream {
            buckets,
            producer: Producer::Done,
            pending: VecDeque::new(),
            remaining,
        };
        match s3_action(resource) {
            Some("getObject") => stream.open_object(arguments, config).await?,
            Some("listObjectsV2") => stream.open_listing(arguments).await?,
            _ => {
                return Err(ReadError::Unsupported(format!(
                    "The resource '{}' cannot read a Map's items (arn:aws:states:::s3:getObject and arn:aws:states:::s3:listObjectsV2 can)",
                    resource.arn()
                )));
            }
        }
        Ok(stream)
    }

    async fn open_object(&mut self, arguments: &Value, config: &Value) -> Result<(), ReadError> {
        let bucket = required(arguments, "Bucket", "Arguments")?.to_owned();
        let key = required(arguments, "Key", "Arguments")?.to_owned();
        let version = text_field(arguments, "VersionId", "Arguments")?.map(str::to_owned);
        let input_type = required(config, "InputType", "ReaderConfig")?;
        let format = match input_type {
            "JSON" => Format::Json,
            "JSONL" => Format::Jsonl,
            "CSV" => {
                let delimiter = match text_field(config, "CSVDelimiter", "ReaderConfig")? {
                    None | Some("COMMA") => b',',
                    Some("PIPE") => b'|',
                    Some("SEMICOLON") => b';',
                    Some("SPACE") => b' ',
                    Some("TAB") => b'\t',
                    Some(other) => {
                        return Err(ReadError::Config(format!(
                            "ReaderConfig.CSVDelimiter must be COMMA, PIPE, SEMICOLON, SPACE or TAB, not {other}"
                        )));
                    }
                };
                let headers = match text_field(config, "CSVHeaderLocation", "ReaderConfig")? {
                    None | Some("FIRST_ROW") => None,
                    Some("GIVEN") => {
                        let names = config
                            .get("CSVHeaders")
                            .and_then(Value::as_array)
                            .ok_or_else(|| {
                                ReadError::Config(
                                    "ReaderConfig.CSVHeaders must be an array of strings when CSVHeaderLocation is GIVEN".into(),
                                )
                            })?;
                        let names: Option<Vec<Str>> =
                            names.iter().map(|n| n.as_str().map(Str::from)).collect();
                        Some(names.ok_or_else(|| {
                            ReadError::Config("ReaderConfig.CSVHeaders must be strings".into())
                        })?)
                    }
                    Some(other) => {
                        return Err(ReadError::Config(format!(
                            "ReaderConfig.CSVHeaderLocation must be FIRST_ROW or GIVEN, not {other}"
                        )));
                    }
                };
                Format::Csv { delimiter, headers }
            }
            "MANIFEST" => {
                return self
                    .open_manifest(&bucket, &key, version.as_deref(), config)
                    .await;
            }
            "PARQUET" => {
                return Err(ReadError::Unsupported(
                    "Parquet datasets are not supported in this build of Baton".into(),
                ));
            }
            other => {
                return Err(ReadError::Config(format!(
                    "ReaderConfig.InputType must be JSON, JSONL, CSV, MANIFEST or PARQUET, not {other}"
                )));
            }
        };
        if let Some(ptr) = text_field(config, "ItemsPointer", "ReaderConfig")? {
            if !matches!(format, Format::Json) {
                return Err(ReadError::Config(
                    "ReaderConfig.ItemsPointer applies to JSON datasets only".into(),
                ));
            }
            // The object is read whole to find the array (bounded by MAX_ITEMS_BYTES): a
            // pointer may name an array anywhere in it.
            let mut source = Source::open(&self.buckets, &bucket, &key, version.as_deref()).await?;
            let bytes = source.read_all(MAX_ITEMS_BYTES).await?;
            let doc = Value::from_json_slice_within(&bytes, MAX_DEPTH).map_err(|e| {
                if e.to_string().contains("nested deeper") {
                    ReadError::TooDeep
                } else {
                    ReadError::InvalidJson(e.to_string())
                }
            })?;
            drop(bytes);
            let items = pointer(&doc, ptr)
                .and_then(Value::as_array)
                .ok_or(ReadError::NotIterable)?;
            self.pending = items.iter().cloned().collect();
            return Ok(());
        }
        self.producer = Producer::Objects {
            objects: VecDeque::from([(bucket, key, version)]),
            format,
            current: None,
        };
        Ok(())
    }

    /// An S3 Inventory manifest (`manifest.json`): its CSV files (gzipped or not), in the
    /// inventory's destination bucket, one item per row keyed by `fileSchema`'s columns.
    async fn open_manifest(
        &mut self,
        bucket: &str,
        key: &str,
        version: Option<&str>,
        config: &Value,
    ) -> Result<(), ReadError> {
        match text_field(config, "ManifestType", "ReaderConfig")? {
            None | Some("S3_INVENTORY") => {}
            Some(other) => {
                return Err(ReadError::Unsupported(format!(
                    "ReaderConfig.ManifestType {other} is not supported in this build of Baton (S3_INVENTORY is)"
                )));
            }
        }
        let mut source = Source::open(&self.buckets, bucket, key, version).await?;
        let bytes = source.read_all(MAX_ITEMS_BYTES).await?;
        let manifest = Value::from_json_slice_within(&bytes, MAX_DEPTH)
            .map_err(|e| ReadError::InvalidJson(format!("{}: {e}", name(bucket, key))))?;
        let bad = |what: &str| {
            ReadError::Config(format!(
                "The S3 Inventory manifest {} {what}",
                name(bucket, key)
            ))
        };
        match manifest.get("fileFormat").and_then(Value::as_str) {
            Some(f) if f.eq_ignore_ascii_case("CSV") => {}
            Some(f) => {
                return Err(bad(&format!(
                    "lists {f} files: only CSV inventories are read"
                )));
            }
            None => return Err(bad("has no fileFormat")),
        }
        let columns: Vec<Str> = manifest
            .get("fileSchema")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("has no fileSchema"))?
            .split(',')
            .map(|c| Str::from(c.trim()))
            .collect();
        let destination = manifest
            .get("destinationBucket")
            .and_then(Value::as_str)
            .map(|b| b.rsplit(':').next().unwrap_or(b).to_owned())
            .unwrap_or_else(|| bucket.to_owned());
        let files = manifest
            .get("files")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("has no files"))?;
        let mut objects = VecDeque::new();
        for f in files {
            let k = f
                .get("key")
                .and_then(Value::as_str)
                .ok_or_else(|| bad("has a file without a key"))?;
            objects.push_back((destination.clone(), k.to_owned(), None));
        }
        // A duplicate column name cannot be an object's key twice.
        Format::Inventory {
            columns: columns.clone(),
        }
        .splitter()?;
        self.producer = Producer::Objects {
            objects,
            format: Format::Inventory { columns },
            current: None,
        };
        Ok(())
    }

    async fn open_listing(&mut self, arguments: &Value) -> Result<(), ReadError> {
        let bucket = required(arguments, "Bucket", "Arguments")?.to_owned();
        match self.buckets.place(&bucket) {
            Place::Local(root) => {
                let prefix = text_field(arguments, "Prefix", "Arguments")?
                    .unwrap_or("")
                    .to_owned();
                let after = text_field(arguments, "StartAfter", "Arguments")?
                    .unwrap_or("")
                    .to_owned();
                let entries =
                    tokio::task::spawn_blocking(move || local::list(&root, &prefix, &after))
                        .await
                        .map_err(|e| ReadError::Local(e.to_string()))?
                        .map_err(|e| ReadError::Local(bucket_cause(&e)))?;
                self.producer = Producer::LocalListing(entries.into());
            }
            Place::S3 => {
                let mut arguments = arguments.as_object().cloned().unwrap_or_default();
                arguments.shift_remove("ContinuationToken");
                self.producer = Producer::S3Listing {
                    arguments,
                    token: None,
                    done: false,
                };
            }
        }
        Ok(())
    }

    /// The next items, at most `max` (fewer only at the end; none once it is reached).
    pub async fn next_items(&mut self, max: usize) -> Result<Vec<Value>, TaskFailure> {
        self.next(max).await.map_err(ReadError::into_failure)
    }

    pub(crate) async fn next(&mut self, max: usize) -> Result<Vec<Value>, ReadError> {
        let want = (max as u64).min(self.remaining) as usize;
        while self.pending.len() < want && !matches!(self.producer, Producer::Done) {
            self.fill().await?;
        }
        let n = want.min(self.pending.len());
        self.remaining -= n as u64;
        let items = self.pending.drain(..n).collect();
        if self.remaining == 0 {
            // MaxItems reached: nothing more is read.
            self.producer = Producer::Done;
            self.pending.clear();
        }
        Ok(items)
    }

    /// The next items, at most `max` and at most `max_bytes` of JSON text in all (but
    /// always one, should it alone be more); none once the end is reached.
    pub(crate) async fn next_within(
        &mut self,
        max: usize,
        max_bytes: u64,
    ) -> Result<Vec<Value>, ReadError> {
        let mut items = Vec::new();
        let mut bytes = 0u64;
        while items.len() < max && self.remaining > 0 {
            let Some(item) = self.pending.pop_front() else {
                if matches!(self.producer, Producer::Done) {
                    break;
                }
                self.fill().await?;
                continue;
            };
            let size = item.encoded_len() + 1;
            if !items.is_empty() && bytes + size > max_bytes {
                self.pending.push_front(item);
                break;
            }
            bytes += size;
            items.push(item);
            self.remaining -= 1;
        }
        if self.remaining == 0 {
            // MaxItems reached: nothing more is read.
            self.producer = Producer::Done;
            self.pending.clear();
        }
        Ok(items)
    }

    /// `true` once every item was given.
    pub fn is_done(&self) -> bool {
        matches!(self.producer, Producer::Done) && self.pending.is_empty()
    }

    /// Every item left, within [`MAX_ITEMS_BYTES`] in all.
    pub async fn collect(&mut self) -> Result<Vec<Value>, ReadError> {
        let mut items = Vec::new();
        let mut bytes = 0u64;
        loop {
            let page = self.next(LIST_PAGE).await?;
            if page.is_empty() {
                return Ok(items);
            }
            for item in page {
                bytes += item.encoded_len() + 1;
                if bytes > MAX_ITEMS_BYTES {
                    return Err(ReadError::TooManyBytes);
                }
                items.push(item);
            }
        }
    }

    /// Reads more of the dataset into `pending`.
    async fn fill(&mut self) -> Result<(), ReadError> {
        match &mut self.producer {
            Producer::Done => Ok(()),
            Producer::Objects {
                objects,
                format,
                current,
            } => {
                let Some(segment) = current else {
                    let Some((bucket, key, version)) = objects.pop_front() else {
                        self.producer = Producer::Done;
                        return Ok(());
                    };
                    let source =
                        Source::open(&self.buckets, &bucket, &key, version.as_deref()).await?;
                    let gunzip = (matches!(format, Format::Inventory { .. })
                        && key.ends_with(".gz"))
                    .then(|| Gunzip::new(name(&bucket, &key)));
                    *current = Some(Box::new(Segment {
                        source,
                        gunzip,
                        splitter: format.splitter()?,
                    }));
                    return Ok(());
                };
                let pending = &mut self.pending;
                match segment.source.next_chunk().await? {
                    Some(bytes) => match &mut segment.gunzip {
                        Some(g) => {
                            let splitter = &mut segment.splitter;
                            g.push(&bytes, |out| splitter.push(out, pending))
                        }
                        None => segment.splitter.push(&bytes, pending),
                    },
                    None => {
                        if let Some(g) = &mut segment.gunzip {
                            let rest = g.finish()?;
                            segment.splitter.push(&rest, pending)?;
                        }
                        segment.splitter.finish(pending)?;
                        *current = None;
                        Ok(())
                    }
                }
            }
            Producer::LocalListing(entries) => {
                let page: Vec<Entry> = entries.drain(..entries.len().min(LIST_PAGE)).collect();
                if page.is_empty() {
                    self.producer = Producer::Done;
                    return Ok(());
                }
                let items = tokio::task::spawn_blocking(move || {
                    page.into_iter()
                        .map(|e| {
                            let etag = local::etag_of_file(&e.path)?;
                            Ok(listed(
                                &etag,
                                &e.key,
                                e.modified.floor() as i64,
                                e.size as i64,
                                "STANDARD",
                            ))
                        })
                        .collect::<Result<Vec<Value>, local::BucketError>>()
                })
                .await
                .map_err(|e| ReadError::Local(e.to_string()))?
                .map_err(|e| ReadError::Local(bucket_cause(&e)))?;
                self.pending.extend(items);
                Ok(())
            }
            Producer::S3Listing {
                arguments,
                token,
                done,
            } => {
                if *done {
                    self.producer = Producer::Done;
                    return Ok(());
                }
                let mut input = arguments.clone();
                if let Some(t) = token.take() {
                    input.insert("ContinuationToken".into(), Value::string(t));
                }
                let s3 = self.buckets.s3();
                let (_, out) = call_op(
                    &self.buckets.client,
                    s3,
                    "ListObjectsV2",
                    &Value::object(input),
                    &self.buckets.region,
                    Style::Sdk,
                )
                .await
                .map_err(|f| ReadError::S3(f.cause.as_deref().unwrap_or("").to_owned()))?;
                for o in out
                    .get("Contents")
                    .and_then(Value::as_array)
                    .unwrap_or_default()
                {
                    let modified = o
                        .get("LastModified")
                        .and_then(Value::as_str)
                        .and_then(|t| {
                            time::OffsetDateTime::parse(
                                t,
                                &time::format_description::well_known::Rfc3339,
                            )
                            .ok()
                        })
                        .map_or(0, |t| t.unix_timestamp());
                    self.pending.push_back(listed(
                        o.get("ETag").and_then(Value::as_str).unwrap_or(""),
                        o.get("Key").and_then(Value::as_str).unwrap_or(""),
                        modified,
                        o.get("Size").and_then(Value::as_i64).unwrap_or(0),
                        o.get("StorageClass")
                            .and_then(Value::as_str)
                            .unwrap_or("STANDARD"),
                    ));
                }
                let next = out
                    .get("NextContinuationToken")
                    .and_then(Value::as_str)
                    .filter(|_| out.get("IsTruncated").and_then(Value::as_bool) == Some(true));
                match next {
                    Some(t) => *token = Some(t.to_owned()),
                    None => *done = true,
                }
                Ok(())
            }
        }
    }
}

/// An object of a listing as a Map's item, as Step Functions gives it: `Etag`, `Key`,
/// `LastModified` (seconds since the epoch), `Size`, `StorageClass`.
fn listed(etag: &str, key: &str, modified: i64, size: i64, class: &str) -> Value {
    let mut m = Map::default();
    m.insert("Etag".into(), Value::string(etag));
    m.insert("Key".into(), Value::string(key));
    m.insert("LastModified".into(), Value::from(modified));
    m.insert("Size".into(), Value::from(size));
    m.insert("StorageClass".into(), Value::string(class));
    Value::object(m)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::aws::AwsSettings;
    use crate::aws::settings::{Env, Resolved};
    use std::path::Path;

    pub(crate) struct NoEnv;
    impl Env for NoEnv {
        fn var(&self, _: &str) -> Option<String> {
            None
        }
        fn read(&self, _: &Path) -> Option<String> {
            None
        }
        fn service_endpoints(&self) -> Vec<(String, String)> {
            Vec::new()
        }
    }

    /// Buckets where `data` is a local bucket in `dir`.
    pub(crate) fn buckets(dir: &Path) -> Buckets {
        let settings = AwsSettings {
            local_buckets: [("data".to_owned(), dir.to_path_buf())].into(),
            ..AwsSettings::default()
        };
        Buckets {
            client: Client::new(Resolved::with_env(&settings, &NoEnv)),
            region: "us-east-1".into(),
        }
    }

    fn json(text: &str) -> Value {
        Value::from_json_str(text).unwrap()
    }

    async fn read(dir: &Path, action: &str, input: &str) -> Result<Value, ReadError> {
        let resource = Resource::parse(&format!("arn:aws:states:::s3:{action}")).unwrap();
        let mut s = ItemStream::open_with(buckets(dir), &resource, &json(input)).await?;
        s.collect().await.map(Value::array)
    }

    fn put(dir: &Path, key: &str, body: &[u8]) {
        local::write(dir, key, body).unwrap();
    }

    #[tokio::test]
    async fn json_with_max_items_as_recorded() {
        let dir = tempfile::tempdir().unwrap();
        put(
            dir.path(),
            "file.json",
            br#"[{"verdict":"true","statement_date":"6/11/2008","statement_source":"speech"},{"verdict":"false","statement_date":"6/7/2022","statement_source":"television"},{"verdict":"mostly-true","statement_date":"5/18/2016","statement_source":"news"}]"#,
        );
        let input = r#"{"Arguments":{"Bucket":"data","Key":"file.json"},"ReaderConfig":{"InputType":"JSON","MaxItems":"{% $maxItems := 2 %}"},"MaxItems":2}"#;
        assert_eq!(
            read(dir.path(), "getObject", input).await.unwrap(),
            json(
                r#"[{"verdict":"true","statement_date":"6/11/2008","statement_source":"speech"},{"verdict":"false","statement_date":"6/7/2022","statement_source":"television"}]"#
            )
        );
        // MaxItems 0 or absent: every item; above AWS's bound: every item.
        for max in ["0", "100000001"] {
            let input = format!(
                r#"{{"Arguments":{{"Bucket":"data","Key":"file.json"}},"ReaderConfig":{{"InputType":"JSON"}},"MaxItems":{max}}}"#
            );
            assert_eq!(
                read(dir.path(), "getObject", &input)
                    .await
                    .unwrap()
                    .as_array()
                    .unwrap()
                    .len(),
                3
            );
        }
        put(dir.path(), "object.json", br#"{"a":[1]}"#);
        let e = read(dir.path(), "getObject", r#"{"Arguments":{"Bucket":"data","Key":"object.json"},"ReaderConfig":{"InputType":"JSON"}}"#)
            .await
            .unwrap_err();
        assert_eq!(
            e.into_failure(),
            TaskFailure::new(
                "States.ItemReaderFailed",
                "Attempting to map over non-iterable node."
            )
        );
    }

    #[tokio::test]
    async fn items_pointer_names_an_array_inside() {
        let dir = tempfile::tempdir().unwrap();
        put(dir.path(), "o.json", br#"{"data":{"a/b":[1,2,3]},"n":5}"#);
        let r = read(dir.path(), "getObject", r#"{"Arguments":{"Bucket":"data","Key":"o.json"},"ReaderConfig":{"InputType":"JSON","ItemsPointer":"/data/a~1b"},"MaxItems":2}"#).await;
        assert_eq!(r.unwrap(), json("[1,2]"));
        let r = read(dir.path(), "getObject", r#"{"Arguments":{"Bucket":"data","Key":"o.json"},"ReaderConfig":{"InputType":"JSON","ItemsPointer":"/n"}}"#).await;
        assert!(matches!(r, Err(ReadError::NotIterable)));
    }

    #[tokio::test]
    async fn csv_jsonl_and_their_failures() {
        let dir = tempfile::tempdir().unwrap();
        put(dir.path(), "f.csv", b"a|b\n1|2\n3|4\n");
        let r = read(dir.path(), "getObject", r#"{"Arguments":{"Bucket":"data","Key":"f.csv"},"ReaderConfig":{"InputType":"CSV","CSVDelimiter":"PIPE"},"MaxItems":1}"#).await;
        assert_eq!(r.unwrap(), json(r#"[{"a":"1","b":"2"}]"#));
        let r = read(dir.path(), "getObject", r#"{"Arguments":{"Bucket":"data","Key":"f.csv"},"ReaderConfig":{"InputType":"CSV","CSVHeaderLocation":"GIVEN","CSVHeaders":["H1","H1","H3"]}}"#).await;
        assert_eq!(
            r.unwrap_err().to_string(),
            "CSV headers cannot contain duplicates."
        );
        put(dir.path(), "f.jsonl", b"{\"a\":1}\n{\"a\":2}\n");
        let r = read(dir.path(), "getObject", r#"{"Arguments":{"Bucket":"data","Key":"f.jsonl"},"ReaderConfig":{"InputType":"JSONL"}}"#).await;
        assert_eq!(r.unwrap(), json(r#"[{"a":1},{"a":2}]"#));
        let r = read(dir.path(), "getObject", r#"{"Arguments":{"Bucket":"data","Key":"f.parquet"},"ReaderConfig":{"InputType":"PARQUET"}}"#).await;
        assert!(r.unwrap_err().to_string().contains("Parquet"));
        let r = read(dir.path(), "getObject", r#"{"Arguments":{"Bucket":"data","Key":"missing.json"},"ReaderConfig":{"InputType":"JSON"}}"#).await;
        assert_eq!(
            r.unwrap_err().to_string(),
            "The specified key does not exist. (Service: S3, Status Code: 404, Request ID: null)"
        );
        let r = read(
            dir.path(),
            "getObject",
            r#"{"Arguments":{"Bucket":"data","Key":"../x"},"ReaderConfig":{"InputType":"JSON"}}"#,
        )
        .await;
        assert!(r.unwrap_err().to_string().contains("not valid"));
    }

    #[tokio::test]
    async fn a_large_array_streams_in_chunks_and_stops_at_max_items() {
        let dir = tempfile::tempdir().unwrap();
        // Larger than one local read, so elements straddle chunks.
        let items: Vec<String> = (0..20_000)
            .map(|i| format!(r#"{{"i":{i},"s":"x,]\"y"}}"#))
            .collect();
        put(
            dir.path(),
            "big.json",
            format!("[{}]", items.join(",")).as_bytes(),
        );
        let resource = Resource::parse("arn:aws:states:::s3:getObject").unwrap();
        let input = json(
            r#"{"Arguments":{"Bucket":"data","Key":"big.json"},"ReaderConfig":{"InputType":"JSON"},"MaxItems":15001}"#,
        );
        let mut s = ItemStream::open_with(buckets(dir.path()), &resource, &input)
            .await
            .unwrap();
        let mut n = 0;
        loop {
            let page = s.next_items(999).await.unwrap();
            if page.is_empty() {
                break;
            }
            assert_eq!(page[0].get("i").and_then(Value::as_i64), Some(n));
            n += page.len() as i64;
        }
        assert_eq!(n, 15001);
    }

    #[tokio::test]
    async fn memory_sources_in_tiny_chunks() {
        let text = br#"[{"a":"]"},[1,[2]],"\"",3]"#;
        for chunk in [1, 2, 3] {
            let mut source = Source::Memory {
                data: text.to_vec(),
                pos: 0,
                chunk,
            };
            let mut splitter = Splitter::Json(JsonArray::new());
            let mut out = VecDeque::new();
            while let Some(b) = source.next_chunk().await.unwrap() {
                splitter.push(&b, &mut out).unwrap();
            }
            splitter.finish(&mut out).unwrap();
            assert_eq!(
                Value::array(out.into_iter().collect()),
                json(r#"[{"a":"]"},[1,[2]],"\"",3]"#)
            );
        }
    }

    #[tokio::test]
    async fn a_listing_gives_aws_fields_in_key_order() {
        let dir = tempfile::tempdir().unwrap();
        put(dir.path(), "p/b.txt", b"text data");
        put(dir.path(), "p/a/c.txt", b"");
        put(dir.path(), "q.txt", b"q");
        let r = read(
            dir.path(),
            "listObjectsV2",
            r#"{"Arguments":{"Bucket":"data","Prefix":"p/"},"MaxItems":0}"#,
        )
        .await
        .unwrap();
        let items = r.as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(
            items[0].get("Key").and_then(Value::as_str),
            Some("p/a/c.txt")
        );
        let b = &items[1];
        let keys: Vec<&str> = b.as_object().unwrap().keys().map(|k| &**k).collect();
        assert_eq!(
            keys,
            ["Etag", "Key", "LastModified", "Size", "StorageClass"]
        );
        assert_eq!(
            b.get("Etag").and_then(Value::as_str),
            Some("\"332eec544317a6d340b8e77da7fe54ad\"")
        );
        assert_eq!(b.get("Size").and_then(Value::as_i64), Some(9));
        assert!(
            b.get("LastModified")
                .and_then(Value::as_i64)
                .is_some_and(|t| t > 1_600_000_000)
        );
    }

    #[tokio::test]
    async fn an_inventory_manifest_reads_its_csv_and_gzip_files() {
        use std::io::Write as _;
        let dir = tempfile::tempdir().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"\"src\",\"k/1\",\"10\"\n\"src\",\"k/2\",\"20\"\n")
            .unwrap();
        put(dir.path(), "inv/data/1.csv.gz", &gz.finish().unwrap());
        put(dir.path(), "inv/data/2.csv", b"\"src\",\"k/3\",\"30\"\n");
        put(
            dir.path(),
            "inv/manifest.json",
            br#"{"sourceBucket":"src","destinationBucket":"arn:aws:s3:::data","version":"2016-11-30","fileFormat":"CSV","fileSchema":"Bucket, Key, Size","files":[{"key":"inv/data/1.csv.gz","size":1},{"key":"inv/data/2.csv","size":1}]}"#,
        );
        let r = read(dir.path(), "getObject", r#"{"Arguments":{"Bucket":"data","Key":"inv/manifest.json"},"ReaderConfig":{"InputType":"MANIFEST"}}"#)
            .await
            .unwrap();
        assert_eq!(
            r.to_json_string(),
            r#"[{"Bucket":"src","Key":"k/1","Size":"10"},{"Bucket":"src","Key":"k/2","Size":"20"},{"Bucket":"src","Key":"k/3","Size":"30"}]"#
        );
        let r = read(dir.path(), "getObject", r#"{"Arguments":{"Bucket":"data","Key":"inv/manifest.json"},"ReaderConfig":{"InputType":"MANIFEST","ManifestType":"ATHENA_DATA"}}"#).await;
        assert!(matches!(r, Err(ReadError::Unsupported(_))));
    }
}
