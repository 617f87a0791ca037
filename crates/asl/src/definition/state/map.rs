//! `Map`: runs an item processor for each item of an array (inline) or of a dataset
//! (distributed), and collects the results in an array.

use baton_json::Value;

use super::{ResultPath, StateParser};
use crate::definition::branch::{self, Branch};
use crate::definition::dynamic::jsonata_expression;
use crate::definition::fields::Fields;
use crate::definition::{Catcher, Payload, QueryLanguage, Retrier, catch, retry};
use crate::diagnostic::Diagnostics;
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
    /// `ItemReader`, kept as written.
    pub item_reader: Option<Value>,
    /// `ItemBatcher`, kept as written.
    pub item_batcher: Option<Value>,
    /// `ResultWriter`, kept as written.
    pub result_writer: Option<Value>,
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
    Jsonata(String),
}

/// A percentage: fixed, read from a path, or computed by JSONata.
#[derive(Debug, Clone)]
pub enum Tolerance {
    /// Written in the definition.
    Fixed(f64),
    /// Read from the input (`...Path`).
    Path(Path),
    /// A JSONata expression.
    Jsonata(String),
}

pub(super) fn parse(cx: &mut StateParser<'_, '_>) -> Map {
    let (processor_field, processor_value) =
        match (cx.f.take("ItemProcessor"), cx.f.take("Iterator")) {
            (Some(v), None) => ("ItemProcessor", Some(v)),
            (None, Some(v)) => ("Iterator", Some(v)),
            (Some(v), Some(_)) => {
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
    let (mode, execution_type) = processor_value
        .map(|v| processor_config(v, &processor_at, cx.d))
        .unwrap_or_default();
    let processor = processor_value
        .and_then(|v| branch::parse_branch(v, &processor_at, cx.ql, &["ProcessorConfig"], cx.d))
        .unwrap_or_else(|| Branch {
            start_at: "".into(),
            states: Default::default(),
            query_language: cx.ql,
            location: processor_at.clone(),
        });

    let items_path = cx.path_field("ItemsPath", true).flatten();
    let items = cx.jsonata_payload("Items");
    let item_selector = match (cx.f.has("ItemSelector"), cx.f.has("Parameters")) {
        (true, true) => {
            cx.d.schema(
                cx.f.at(),
                "Only one of the fields [ItemSelector, Parameters] may be set",
            );
            cx.payload("ItemSelector")
        }
        (true, false) => cx.payload("ItemSelector"),
        (false, true) => cx.jsonpath_payload("Parameters"),
        (false, false) => None,
    };
    let max_concurrency = count(cx, "MaxConcurrency", "MaxConcurrencyPath");
    let tolerated_failure_count = count(cx, "ToleratedFailureCount", "ToleratedFailureCountPath");
    let tolerated_failure_percentage = percentage(cx);
    let item_reader = cx.f.object("ItemReader", cx.d).cloned();
    let item_batcher = cx.f.object("ItemBatcher", cx.d).cloned();
    let result_writer = cx.f.object("ResultWriter", cx.d).cloned();
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
        item_selector,
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

fn processor_config(
    processor: &Value,
    at: &crate::diagnostic::Pointer,
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
            d.schema(
                &f.at_field("Mode"),
                "The field 'Mode' should have one of these values: [INLINE, DISTRIBUTED]",
            );
            ProcessorMode::Inline
        }
    };
    let execution_type = f.string("ExecutionType", d).map(str::to_owned);
    if let Some(t) = &execution_type {
        if t != "STANDARD" && t != "EXPRESS" {
            d.schema(
                &f.at_field("ExecutionType"),
                "The field 'ExecutionType' should have one of these values: [STANDARD, EXPRESS]",
            );
        }
    }
    f.finish(d);
    (mode, execution_type)
}

fn count(cx: &mut StateParser<'_, '_>, name: &str, path_name: &str) -> Option<MapCount> {
    let at = cx.f.at_field(name);
    let fixed = match cx.f.take(name) {
        Some(Value::String(s))
            if cx.ql == QueryLanguage::Jsonata && jsonata_expression(s).is_some() =>
        {
            jsonata_expression(s).map(|e| MapCount::Jsonata(e.to_owned()))
        }
        Some(v) => match v.as_number().and_then(|n| n.as_u64()) {
            Some(n) => Some(MapCount::Fixed(n)),
            None => {
                cx.d.schema(
                    &at,
                    format!("The value of the field '{name}' must be a non-negative integer"),
                );
                None
            }
        },
        None => None,
    };
    let path = cx.path_field(path_name, true).flatten().map(MapCount::Path);
    if fixed.is_some() && path.is_some() {
        cx.d.schema(
            cx.f.at(),
            format!("Only one of the fields [{name}, {path_name}] may be set"),
        );
    }
    fixed.or(path)
}

fn percentage(cx: &mut StateParser<'_, '_>) -> Option<Tolerance> {
    let name = "ToleratedFailurePercentage";
    let at = cx.f.at_field(name);
    let fixed = match cx.f.take(name) {
        Some(Value::String(s))
            if cx.ql == QueryLanguage::Jsonata && jsonata_expression(s).is_some() =>
        {
            jsonata_expression(s).map(|e| Tolerance::Jsonata(e.to_owned()))
        }
        Some(v) => match v.as_f64() {
            Some(p) if (0.0..=100.0).contains(&p) => Some(Tolerance::Fixed(p)),
            _ => {
                cx.d.schema(&at, "The value of the field 'ToleratedFailurePercentage' must be a number between 0 and 100");
                None
            }
        },
        None => None,
    };
    let path = cx
        .path_field("ToleratedFailurePercentagePath", true)
        .flatten()
        .map(Tolerance::Path);
    if fixed.is_some() && path.is_some() {
        cx.d.schema(cx.f.at(), "Only one of the fields [ToleratedFailurePercentage, ToleratedFailurePercentagePath] may be set");
    }
    fixed.or(path)
}

/// A Map Run label: up to 40 characters, none of whitespace, brackets, wildcards,
/// punctuation that ARNs reserve, or control characters.
fn check_label(label: &str, at: &crate::diagnostic::Pointer, d: &mut Diagnostics) {
    const FORBIDDEN: &str = " <>{}[]?*\"#%\\^|~`$&,;:/";
    let bad_char = label
        .chars()
        .any(|c| FORBIDDEN.contains(c) || c.is_control() || c.is_whitespace());
    if label.is_empty() || label.chars().count() > 40 || bad_char {
        d.schema(
            at,
            "The value for the field 'Label' must be a string of at most 40 characters without whitespace, brackets, wildcards, special or control characters",
        );
    }
}
