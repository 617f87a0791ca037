//! `Fail`: ends the execution with an error name and a cause.

use baton_json::Value;

use super::StateParser;
use crate::definition::dynamic::jsonata_expression;
use crate::definition::fields::wrong_type;
use crate::definition::{Dynamic, QueryLanguage};

/// A Fail state.
#[derive(Debug, Clone, Default)]
pub struct Fail {
    /// The error name: `Error` (a literal, or a JSONata expression) or `ErrorPath`.
    pub error: Option<ErrorText>,
    /// The cause: `Cause` or `CausePath`.
    pub cause: Option<ErrorText>,
}

/// A Fail state's error or cause: fixed, or computed.
#[derive(Debug, Clone)]
pub enum ErrorText {
    /// Written literally.
    Literal(String),
    /// Computed from a path, an intrinsic call or a JSONata expression.
    Dynamic(Dynamic),
}

pub(super) fn parse(cx: &mut StateParser<'_, '_>) -> Fail {
    let error = text_field(cx, "Error", "ErrorPath");
    let cause = text_field(cx, "Cause", "CausePath");
    Fail { error, cause }
}

fn text_field(cx: &mut StateParser<'_, '_>, name: &str, path_name: &str) -> Option<ErrorText> {
    let at = cx.f.at_field(name);
    let literal = match cx.f.take(name) {
        Some(Value::String(s)) => Some(match jsonata_expression(s) {
            Some(expr) if cx.ql == QueryLanguage::Jsonata => {
                match crate::jsonata::compile_expr(expr, &at, cx.d) {
                    Some(e) => ErrorText::Dynamic(Dynamic::Jsonata(e)),
                    None => ErrorText::Literal(String::new()),
                }
            }
            _ => ErrorText::Literal(s.to_string()),
        }),
        Some(other) => {
            wrong_type(&at, "string", other, cx.d);
            None
        }
        None => None,
    };
    let path_at = cx.f.at_field(path_name);
    let path = match cx.jsonpath_only(path_name) {
        Some(Value::String(s)) => {
            Dynamic::parse_path_or_call(s, path_name, &path_at, cx.d).map(ErrorText::Dynamic)
        }
        Some(other) => {
            wrong_type(&path_at, "string", other, cx.d);
            None
        }
        None => None,
    };
    if cx.f.has(name) && cx.f.has(path_name) {
        // Not verified against AWS.
        cx.d.schema(
            cx.f.at(),
            format!("Only one of the fields [{name}, {path_name}] may be set"),
        );
    }
    literal.or(path)
}
