//! A distributed Map state's dataset fields: `ItemReader`, `ItemBatcher` and
//! `ResultWriter`.

use baton_json::Value;

use super::StateParser;
use super::map::MapCount;
use crate::definition::dynamic::jsonata_template;
use crate::definition::fields::{Fields, integer_value, wrong_type};
use crate::definition::query_language::wrong_language;
use crate::definition::{Dynamic, Payload, QueryLanguage, resource};
use crate::diagnostic::{Diagnostics, Pointer};

/// `ItemReader`: the dataset a distributed Map reads its items from.
#[derive(Debug, Clone)]
pub struct ItemReader {
    /// `Resource`: `arn:aws:states:::s3:getObject` or `...:s3:listObjectsV2`.
    pub resource: String,
    /// `ReaderConfig`.
    pub config: ReaderConfig,
    /// `Parameters` (JSONPath) or `Arguments` (JSONata): the bucket, key or prefix.
    pub parameters: Option<Payload>,
}

/// `ItemReader.ReaderConfig`: how the dataset is read.
#[derive(Debug, Clone, Default)]
pub struct ReaderConfig {
    /// `InputType`: `CSV`, `JSON`, `JSONL`, `MANIFEST` or `PARQUET`.
    pub input_type: Option<String>,
    /// `CSVHeaderLocation`: `FIRST_ROW` or `GIVEN`.
    pub csv_header_location: Option<String>,
    /// `CSVHeaders`: the column names when they are `GIVEN`.
    pub csv_headers: Option<Vec<String>>,
    /// `CSVDelimiter`.
    pub csv_delimiter: Option<String>,
    /// `ManifestType`.
    pub manifest_type: Option<String>,
    /// `ItemsPointer`: a JSON pointer to the array of items inside a JSON object.
    pub items_pointer: Option<String>,
    /// `MaxItems` / `MaxItemsPath`: how many items to read at most.
    pub max_items: Option<MapCount>,
    /// The `ReaderConfig` object as written (what a reader is given, less `MaxItems`).
    pub raw: Value,
}

/// `ItemBatcher`: how a distributed Map groups items into batches.
#[derive(Debug, Clone, Default)]
pub struct ItemBatcher {
    /// `MaxItemsPerBatch` / `...Path`.
    pub max_items_per_batch: Option<MapCount>,
    /// `MaxInputBytesPerBatch` / `...Path`.
    pub max_input_bytes_per_batch: Option<MapCount>,
    /// `BatchInput`: a value added to every batch.
    pub batch_input: Option<Payload>,
}

/// `ResultWriter`: where a distributed Map writes its results.
#[derive(Debug, Clone, Default)]
pub struct ResultWriter {
    /// `Resource`: `arn:aws:states:::s3:putObject`.
    pub resource: Option<String>,
    /// `Parameters` (JSONPath) or `Arguments` (JSONata): the bucket and prefix.
    pub parameters: Option<Payload>,
    /// `WriterConfig.OutputType`: `JSON` or `JSONL`.
    pub output_type: Option<String>,
    /// `WriterConfig.Transformation`: `NONE`, `COMPACT` or `FLATTEN`.
    pub transformation: Option<String>,
}

/// The largest `MaxInputBytesPerBatch` AWS accepts (256 KiB).
const MAX_BATCH_BYTES: u64 = 262_144;

pub(super) fn item_reader(cx: &mut StateParser<'_, '_>) -> Option<ItemReader> {
    let at = cx.f.at_field("ItemReader");
    let value = cx.f.object("ItemReader", cx.d)?;
    let ql = cx.ql;
    let d = &mut *cx.d;
    let mut f = Fields::of(value, &at, d)?;
    f.require(&["Resource"], d);
    let resource = resource_field(&mut f, resource::is_item_reader_resource, d);
    let config = match f.object("ReaderConfig", d) {
        Some(v) => reader_config(v, &at.child("ReaderConfig"), ql, d),
        None => ReaderConfig::default(),
    };
    let parameters = parameters(&mut f, ql, d);
    f.finish(d);
    Some(ItemReader {
        resource: resource.unwrap_or_default(),
        config,
        parameters,
    })
}

fn reader_config(
    value: &Value,
    at: &Pointer,
    ql: QueryLanguage,
    d: &mut Diagnostics,
) -> ReaderConfig {
    let Some(mut f) = Fields::of(value, at, d) else {
        return ReaderConfig::default();
    };
    let input_type = enum_field(
        &mut f,
        "InputType",
        &["CSV", "JSON", "JSONL", "MANIFEST", "PARQUET"],
        d,
    );
    let csv_header_location = enum_field(&mut f, "CSVHeaderLocation", &["FIRST_ROW", "GIVEN"], d);
    let csv_headers_at = f.at_field("CSVHeaders");
    let csv_headers = f.array("CSVHeaders", d).map(|items| {
        items
            .iter()
            .enumerate()
            .filter_map(|(i, v)| match v {
                Value::String(s) => Some(s.to_string()),
                other => {
                    wrong_type(&csv_headers_at.index(i), "string", other, d);
                    None
                }
            })
            .collect()
    });
    let csv_delimiter = f.string("CSVDelimiter", d).map(str::to_owned);
    let manifest_type = f.string("ManifestType", d).map(str::to_owned);
    let items_pointer = f.string("ItemsPointer", d).map(str::to_owned);
    let max_items = count(&mut f, "MaxItems", "MaxItemsPath", u64::MAX, ql, d);
    f.finish(d);
    ReaderConfig {
        input_type,
        csv_header_location,
        csv_headers,
        csv_delimiter,
        manifest_type,
        items_pointer,
        max_items,
        raw: value.clone(),
    }
}

pub(super) fn item_batcher(cx: &mut StateParser<'_, '_>) -> Option<ItemBatcher> {
    let at = cx.f.at_field("ItemBatcher");
    let value = cx.f.object("ItemBatcher", cx.d)?;
    let ql = cx.ql;
    let d = &mut *cx.d;
    let mut f = Fields::of(value, &at, d)?;
    let max_items_per_batch = count(
        &mut f,
        "MaxItemsPerBatch",
        "MaxItemsPerBatchPath",
        u64::MAX,
        ql,
        d,
    );
    let max_input_bytes_per_batch = count(
        &mut f,
        "MaxInputBytesPerBatch",
        "MaxInputBytesPerBatchPath",
        MAX_BATCH_BYTES,
        ql,
        d,
    );
    let batch_input_at = f.at_field("BatchInput");
    let batch_input = f
        .take("BatchInput")
        .map(|v| Payload::compile(v, ql, &batch_input_at, d));
    f.finish(d);
    Some(ItemBatcher {
        max_items_per_batch,
        max_input_bytes_per_batch,
        batch_input,
    })
}

pub(super) fn result_writer(cx: &mut StateParser<'_, '_>) -> Option<ResultWriter> {
    let at = cx.f.at_field("ResultWriter");
    let value = cx.f.object("ResultWriter", cx.d)?;
    let ql = cx.ql;
    let d = &mut *cx.d;
    let mut f = Fields::of(value, &at, d)?;
    if !f.has("Resource") && !f.has("WriterConfig") {
        f.require(&["Resource"], d);
    }
    let resource = resource_field(&mut f, resource::is_result_writer_resource, d);
    let parameters = parameters(&mut f, ql, d);
    let (output_type, transformation) = match f.object("WriterConfig", d) {
        Some(v) => writer_config(v, &at.child("WriterConfig"), d),
        None => (None, None),
    };
    f.finish(d);
    Some(ResultWriter {
        resource,
        parameters,
        output_type,
        transformation,
    })
}

fn writer_config(
    value: &Value,
    at: &Pointer,
    d: &mut Diagnostics,
) -> (Option<String>, Option<String>) {
    let Some(mut f) = Fields::of(value, at, d) else {
        return (None, None);
    };
    let output_type = enum_field(&mut f, "OutputType", &["JSON", "JSONL"], d);
    let transformation = enum_field(&mut f, "Transformation", &["NONE", "COMPACT", "FLATTEN"], d);
    f.finish(d);
    (output_type, transformation)
}

/// Reads `Resource`, reporting one that `accepts` refuses.
fn resource_field(
    f: &mut Fields<'_>,
    accepts: fn(&str) -> bool,
    d: &mut Diagnostics,
) -> Option<String> {
    let at = f.at_field("Resource");
    let text = f.string("Resource", d)?;
    if !accepts(text) {
        // Not verified against AWS here: the wording of AWS's message for a Task.
        d.schema(
            &at,
            format!("The resource provided {text} is not recognized. The value is not a valid resource ARN, or the resource is not available in this region."),
        );
    }
    Some(text.to_owned())
}

/// Reads `Parameters` (JSONPath) or `Arguments` (JSONata) of a reader or writer.
fn parameters(f: &mut Fields<'_>, ql: QueryLanguage, d: &mut Diagnostics) -> Option<Payload> {
    let (mine, other) = match ql {
        QueryLanguage::JsonPath => ("Parameters", "Arguments"),
        QueryLanguage::Jsonata => ("Arguments", "Parameters"),
    };
    if f.take(other).is_some() {
        wrong_language(other, ql, f.at(), d);
    }
    let at = f.at_field(mine);
    let v = f.take(mine)?;
    Some(Payload::compile(v, ql, &at, d))
}

/// Reads a string field whose value must be one of `values`.
fn enum_field(
    f: &mut Fields<'_>,
    name: &str,
    values: &[&str],
    d: &mut Diagnostics,
) -> Option<String> {
    let at = f.at_field(name);
    let v = f.string(name, d)?;
    if !values.contains(&v) {
        // Not verified against AWS: the wording of AWS's other enum fields.
        d.schema(
            &at,
            format!(
                "The field '{name}' should have one of these values: [{}]",
                values.join(", ")
            ),
        );
    }
    Some(v.to_owned())
}

/// Reads a count that is fixed (`name`, at most `max`), read from the input
/// (`path_name`, JSONPath) or computed (`{% %}`, JSONata).
fn count(
    f: &mut Fields<'_>,
    name: &str,
    path_name: &str,
    max: u64,
    ql: QueryLanguage,
    d: &mut Diagnostics,
) -> Option<MapCount> {
    let at = f.at_field(name);
    let fixed = match f.take(name) {
        Some(Value::String(s)) if ql == QueryLanguage::Jsonata => {
            jsonata_template(s, name, &at, d).map(MapCount::Jsonata)
        }
        Some(v) => integer_value(v, name, 0, max, &at, d).map(MapCount::Fixed),
        None => None,
    };
    let path_at = f.at_field(path_name);
    let path = match f.take(path_name) {
        Some(_) if ql == QueryLanguage::Jsonata => {
            wrong_language(path_name, ql, f.at(), d);
            None
        }
        Some(Value::String(s)) => {
            Dynamic::parse_reference_path(s, path_name, &path_at, d).map(MapCount::Path)
        }
        Some(other) => {
            wrong_type(&path_at, "string", other, d);
            None
        }
        None => None,
    };
    if f.has(name) && f.has(path_name) {
        // Not verified against AWS.
        d.schema(
            f.at(),
            format!("Only one of the fields [{name}, {path_name}] may be set"),
        );
    }
    fixed.or(path)
}
