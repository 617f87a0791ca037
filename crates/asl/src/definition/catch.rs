//! `Catch`: catchers of Task, Parallel and Map states.

use crate::jsonata::JsonataTemplate;
use baton_json::{Str, Value};

use super::fields::Fields;
use super::fields::wrong_type;
use super::payload::Payload;
use super::query_language::{QueryLanguage, wrong_language};
use super::state::ResultPath;
use crate::definition::Dynamic;
use crate::diagnostic::{Diagnostics, Pointer};
use crate::error_name;

/// One element of `Catch`.
#[derive(Debug, Clone)]
pub struct Catcher {
    /// `ErrorEquals`: the error names this catcher handles.
    pub error_equals: Vec<Str>,
    /// `Next`: where to go with the error.
    pub next: Str,
    /// `ResultPath` (JSONPath): where the error output goes in the state's input.
    pub result_path: ResultPath,
    /// `Output` (JSONata).
    pub output: Option<JsonataTemplate>,
    /// `Assign`.
    pub assign: Option<Payload>,
    /// Where the catcher is in the definition.
    pub location: Pointer,
}

impl Catcher {
    /// `true` when this catcher handles `error`.
    pub fn matches(&self, error: &str) -> bool {
        error_name::matches(&self.error_equals, error)
    }
}

pub(super) fn parse_field(
    f: &mut Fields<'_>,
    ql: QueryLanguage,
    d: &mut Diagnostics,
) -> Vec<Catcher> {
    let at = f.at_field("Catch");
    let Some(items) = f.array("Catch", d) else {
        return Vec::new();
    };
    let catchers: Vec<Catcher> = items
        .iter()
        .enumerate()
        .filter_map(|(i, v)| parse_catcher(v, &at.index(i), ql, d))
        .collect();
    error_name::check_all_is_last(catchers.iter().map(|c| &c.error_equals[..]), &at, d);
    catchers
}

fn parse_catcher(
    value: &Value,
    at: &Pointer,
    ql: QueryLanguage,
    d: &mut Diagnostics,
) -> Option<Catcher> {
    let mut f = Fields::of(value, at, d)?;
    f.require(&["ErrorEquals", "Next"], d);
    let error_equals = error_name::parse_error_equals(&mut f, d);
    let next = f.string("Next", d).map(Str::from);
    let result_path_at = f.at_field("ResultPath");
    let result_path = match f.take("ResultPath") {
        None => ResultPath::Replace,
        Some(_) if ql == QueryLanguage::Jsonata => {
            wrong_language("ResultPath", ql, at, d);
            ResultPath::Replace
        }
        Some(Value::Null) => ResultPath::Discard,
        Some(Value::String(s)) => {
            match Dynamic::parse_reference_path(s, "ResultPath", &result_path_at, d) {
                Some(p) if p.as_str() != "$" => ResultPath::Path(p),
                _ => ResultPath::Replace,
            }
        }
        Some(other) => {
            wrong_type(&result_path_at, "string", other, d);
            ResultPath::Replace
        }
    };
    let output = match f.take("Output") {
        Some(v) if ql == QueryLanguage::Jsonata => {
            JsonataTemplate::compile(v, &f.at_field("Output"), d)
        }
        Some(_) => {
            wrong_language("Output", ql, at, d);
            None
        }
        None => None,
    };
    let assign_at = f.at_field("Assign");
    let assign = f
        .take("Assign")
        .map(|v| Payload::compile(v, ql, &assign_at, d));
    f.string("Comment", d);
    f.finish(d);
    Some(Catcher {
        error_equals,
        next: next?,
        result_path,
        output,
        assign,
        location: at.clone(),
    })
}
