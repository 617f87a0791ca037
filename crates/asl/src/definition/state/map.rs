//! `Map`: runs an item processor for each item of an array (inline) or of a dataset
//! (distributed), and collects the results in an array.

use crate::jsonata::Expr;
use baton_json::Value;

use super::map_reader as reader;
pub use super::map_reader::{ItemBatcher, ItemReader, ReaderConfig, ResultWriter};
use super::{ResultPath, StateParser};
use crate::definition::branch::{self, Branch};
use crate::definition::dynamic::jsonata_template;
use crate::definition::fields::{Fields, integer_value, wrong_type};
use crate::definition::{Catcher, Payload, QueryLanguage, Retrier, catch, retry};
use crate::diagnostic::{Code, Diagnostics, Pointer};
use crate::path::Path;

/// A Map state.
#[derive(Debug, Clone)]
pub struct Map {
    /// `ItemProcessor` (or the older `Iterator`): the states run for each item.
    pub processor: Branch,
    /// `ProcessorConfig.Mode`.
    pub mode: ProcessorMode,
    /// `ProcessorConfig.ExecutionType` (distributed mode): `STANDARD` or `EXPRESS`.
    pub execution_type: Option<String>,
    /// `ItemsPath` (JSONPath): where the items are in the input (default `$`).
    pub items_path: Option<Path>,
    /// `Items` (JSONata): an array or an expression yielding one.
    pub items: Option<Payload>,
    /// `ItemSelector` (or the older `Parameters`): each iteration's input.
    pub item_selector: Option<Payload>,
    /// `MaxConcurrency` / `MaxConcurrencyPath` (0 or absent: no limit).
    pub max_concurrency: Option<MapCount>,
    /// `ToleratedFailureCount` / `...Path`.
    pub tolerated_failure_count: Option<MapCount>,
    /// `ToleratedFailurePercentage` / `...Path`.
    pub tolerated_failure_percentage: Option<Tolerance>,
    /// `ItemReader` (distributed mode): where the items come from.
    pub item_reader: Option<ItemReader>,
    /// `ItemBatcher` (distributed mode): how items are grouped.
    pub item_batcher: Option<ItemBatcher>,
    /// `ResultWriter` (distributed mode): where the results go.
    pub result_writer: Option<ResultWriter>,
    /// `Label` (distributed mode).
    pub label: Option<String>,
    /// `ResultSelector` (JSONPath).
    pub result_selector: Option<Payload>,
    /// `ResultPath` (JSONPath).
    pub result_path: ResultPath,
    /// `Retry`.
    pub retry: Vec<Retrier>,
    /// `Catch`.
    pub catch: Vec<Catcher>,
}

/// Where a Map state runs its iterations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProcessorMode {
    /// In the execution itself, with events in its history.
    #[default]
    Inline,
    /// As child executions of a Map Run.
    Distributed,
}

/// A count: fixed, read from a path, or computed by JSONata.
#[derive(Debug, Clone)]
pub enum MapCount {
    /// Written in the definition.
    Fixed(u64),
    /// Read from the input (`...Path`).
    Path(Path),
    /// A JSONata expression.
    Jsonata(Expr),
}

/// A percentage: fixed, read from a path, or computed by JSONata.
#[derive(Debug, Clone)]
pub enum Tolerance {
    /// Written in the definition.
    Fixed(f64),
    /// Read from the input (`...Path`).
    Path(Path),
    /// A JSONata expression.
    Jsonata(Expr),
}

pub(super) fn parse(cx: &mut StateParser<'_, '_>) -> Map {
    let (processor_field, processor_value) =
        match (cx.f.take("ItemProcessor"), cx.f.take("Iterator")) {
            (Some(v), None) => ("ItemProcessor", Some(v)),
            (None, Some(v)) => ("Iterator", Some(v)),
            (Some(v), Some(_)) => {
                // Not verified against AWS.
                cx.d.schema(
                    cx.f.at(),
                    "Only one of the fields [ItemProcessor, Iterator] may be set",
                );
                ("ItemProcessor", Some(v))
            }
            (None, None) => {
                cx.d.schema(cx.f.at(), "These fields are required: [ItemProcessor]");
                ("ItemProcessor", None)
            }
        };
    let processor_at = cx.f.at_field(processor_field);
    // AWS accepts `ProcessorConfig` in the older `Iterator` too (recorded).
    let (mode, execution_type) = processor_value
        .map(|v| processor_config(v, &processor_at, cx.d))
        .unwrap_or_default();
    let processor = processor_value
        .and_then(|v| {
            branch::parse_branch(v, &processor_at, cx.machine_ql, &["ProcessorConfig"], cx.d)
        })
        .unwrap_or_else(|| Branch::empty(processor_at.clone(), cx.machine_ql));

    let items_path = cx.path_field("ItemsPath", true).flatten();
    let items = items(cx);
    if cx.f.has("ItemSelector") && cx.f.has("Parameters") {
        // Not verified against AWS.
        cx.d.schema(
            cx.f.at(),
            "Only one of the fields [ItemSelector, Parameters] may be set",
        );
    }
    let item_selector = cx.payload("ItemSelector");
    let parameters = cx.jsonpath_payload("Parameters");
    let max_concurrency = count(cx, "MaxConcurrency", "MaxConcurrencyPath");
    let tolerated_failure_count = count(cx, "ToleratedFailureCount", "ToleratedFailureCountPath");
    let tolerated_failure_percentage = percentage(cx);
    let item_reader = reader::item_reader(cx);
    let item_batcher = reader::item_batcher(cx);
    let result_writer = reader::result_writer(cx);
    let label_at = cx.f.at_field("Label");
    let label = cx.f.string("Label", cx.d).map(str::to_owned);
    if let Some(l) = &label {
        check_label(l, &label_at, cx.d);
    }
    Map {
        processor,
        mode,
        execution_type,
        items_path,
        items,
        item_selector: item_selector.or(parameters),
        max_concurrency,
        tolerated_failure_count,
        tolerated_failure_percentage,
        item_reader,
        item_batcher,
        result_writer,
        label,
        result_selector: cx.jsonpath_payload("ResultSelector"),
        result_path: cx.result_path(),
        retry: retry::parse_field(&mut cx.f, cx.d),
        catch: catch::parse_field(&mut cx.f, cx.ql, cx.d),
    }
}

/// `Items` (JSONata): an array, or an expression yielding one.
fn items(cx: &mut StateParser<'_, '_>) -> Option<Payload> {
    let at = cx.f.at_field("Items");
    let v = cx.jsonata_only("Items")?;
    match v {
        Value::Array(_) => {}
        Value::String(s) => {
            jsonata_template(s, "Items", &at, cx.d)?;
        }
        other => {
            wrong_type(&at, "array", other, cx.d);
            return None;
        }
    }
    Some(Payload::compile(v, cx.ql, &at, cx.d))
}

fn processor_config(
    processor: &Value,
    at: &Pointer,
    d: &mut Diagnostics,
) -> (ProcessorMode, Option<String>) {
    let Some(config) = processor.get("ProcessorConfig") else {
        return (ProcessorMode::Inline, None);
    };
    let at = at.child("ProcessorConfig");
    let Some(mut f) = Fields::of(config, &at, d) else {
        return (ProcessorMode::Inline, None);
    };
    let mode = match f.string("Mode", d) {
        None | Some("INLINE") => ProcessorMode::Inline,
        Some("DISTRIBUTED") => ProcessorMode::Distributed,
        Some(_) => {
            // Not verified against AWS: the wording of AWS's other enum fields.
            d.schema(
                &f.at_field("Mode"),
                "The field 'Mode' should have one of these values: [INLINE, DISTRIBUTED]",
            );
            ProcessorMode::Inline
        }
    };
    let execution_type = f.string("ExecutionType", d).map(str::to_owned);
    match execution_type.as_deref() {
        None if mode == ProcessorMode::Distributed => {
            f.require(&["ExecutionType"], d);
        }
        Some(t) if t != "STANDARD" && t != "EXPRESS" => {
            // Not verified against AWS: the wording of AWS's other enum fields.
            d.schema(
                &f.at_field("ExecutionType"),
                "The field 'ExecutionType' should have one of these values: [STANDARD, EXPRESS]",
            );
        }
        _ => {}
    }
    f.finish(d);
    (mode, execution_type)
}

/// Reads a count that is fixed (`name`), read from the input (`path_name`) or, in a
/// JSONata state, computed.
pub(super) fn count(cx: &mut StateParser<'_, '_>, name: &str, path_name: &str) -> Option<MapCount> {
    let at = cx.f.at_field(name);
    let fixed = match cx.f.take(name) {
        Some(Value::String(s)) if cx.ql == QueryLanguage::Jsonata => {
            jsonata_template(s, name, &at, cx.d).map(MapCount::Jsonata)
        }
        Some(v) => integer_value(v, name, 0, u64::MAX, &at, cx.d).map(MapCount::Fixed),
        None => None,
    };
    let path = cx.path_field(path_name, true).flatten().map(MapCount::Path);
    only_one(cx, name, path_name);
    fixed.or(path)
}

fn only_one(cx: &mut StateParser<'_, '_>, name: &str, path_name: &str) {
    if cx.f.has(name) && cx.f.has(path_name) {
        // Not verified against AWS.
        cx.d.schema(
            cx.f.at(),
            format!("Only one of the fields [{name}, {path_name}] may be set"),
        );
    }
}

fn percentage(cx: &mut StateParser<'_, '_>) -> Option<Tolerance> {
    let name = "ToleratedFailurePercentage";
    let at = cx.f.at_field(name);
    let fixed = match cx.f.take(name) {
        Some(Value::String(s)) if cx.ql == QueryLanguage::Jsonata => {
            jsonata_template(s, name, &at, cx.d).map(Tolerance::Jsonata)
        }
        Some(v) => match v.as_f64() {
            Some(p) if (0.0..=100.0).contains(&p) => Some(Tolerance::Fixed(p)),
            Some(_) => {
                // Not verified against AWS.
                cx.d.schema(
                    &at,
                    "The value of the field 'ToleratedFailurePercentage' must be between 0 and 100",
                );
                None
            }
            None => {
                wrong_type(&at, "number", v, cx.d);
                None
            }
        },
        None => None,
    };
    let path = cx
        .path_field("ToleratedFailurePercentagePath", true)
        .flatten()
        .map(Tolerance::Path);
    only_one(cx, name, "ToleratedFailurePercentagePath");
    fixed.or(path)
}

/// The longest Map Run label AWS accepts, in characters.
pub const MAX_LABEL: usize = 40;

/// A Map Run label: 1 to 40 characters, none of whitespace, brackets, wildcards,
/// punctuation that ARNs reserve, or control characters (AWS's rules for names).
fn check_label(label: &str, at: &Pointer, d: &mut Diagnostics) {
    const FORBIDDEN: &str = " <>{}[]?*\"#%\\^|~`$&,;:/";
    let bad_char = label
        .chars()
        .any(|c| FORBIDDEN.contains(c) || c.is_control() || c.is_whitespace());
    if label.is_empty() || label.chars().count() > MAX_LABEL || bad_char {
        // Not verified against AWS: the code is AWS's, the wording ours.
        d.error(
            Code::InvalidLabelName,
            at,
            format!("The Label must be 1 to {MAX_LABEL} characters long, without whitespace, brackets, wildcards, special or control characters"),
        );
    }
}
