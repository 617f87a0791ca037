//! `Wait`: pauses for a time or until a timestamp.

use crate::jsonata::Expr;
use baton_json::Value;
use time::OffsetDateTime;

use super::StateParser;
use crate::definition::dynamic::{jsonata_expression, jsonata_template};
use crate::definition::fields::{integer_value, wrong_type};
use crate::definition::{Dynamic, QueryLanguage};
use crate::path::Path;

/// A Wait state.
#[derive(Debug, Clone)]
pub struct Wait {
    /// How long, or until when.
    pub wait_for: WaitFor,
}

/// What a Wait state waits for.
#[derive(Debug, Clone)]
pub enum WaitFor {
    /// `Seconds`: a fixed number of seconds.
    Seconds(u64),
    /// `Timestamp`: a fixed instant.
    Timestamp(OffsetDateTime),
    /// `SecondsPath`: seconds read from the input.
    SecondsPath(Path),
    /// `TimestampPath`: an RFC 3339 timestamp read from the input.
    TimestampPath(Path),
    /// `Seconds` as a JSONata expression.
    SecondsExpr(Expr),
    /// `Timestamp` as a JSONata expression.
    TimestampExpr(Expr),
}

const FIELDS: [&str; 4] = ["Seconds", "Timestamp", "SecondsPath", "TimestampPath"];

/// The longest fixed wait AWS accepts, in seconds.
pub const MAX_WAIT_SECONDS: u64 = 99_999_999;

pub(super) fn parse(cx: &mut StateParser<'_, '_>) -> Wait {
    let present = FIELDS.iter().filter(|n| cx.f.has(n)).count();
    if present != 1 {
        // Not verified against AWS.
        cx.d.schema(
            cx.f.at(),
            "Exactly one of the fields [Seconds, Timestamp, SecondsPath, TimestampPath] must be set",
        );
    }
    let seconds = seconds(cx);
    let timestamp = timestamp(cx);
    let seconds_path = path(cx, "SecondsPath").map(WaitFor::SecondsPath);
    let timestamp_path = path(cx, "TimestampPath").map(WaitFor::TimestampPath);
    let wait_for = seconds
        .or(timestamp)
        .or(seconds_path)
        .or(timestamp_path)
        .unwrap_or(WaitFor::Seconds(0));
    Wait { wait_for }
}

fn seconds(cx: &mut StateParser<'_, '_>) -> Option<WaitFor> {
    let at = cx.f.at_field("Seconds");
    match cx.f.take("Seconds")? {
        Value::String(s) if cx.ql == QueryLanguage::Jsonata => {
            jsonata_template(s, "Seconds", &at, cx.d).map(WaitFor::SecondsExpr)
        }
        v => integer_value(v, "Seconds", 0, MAX_WAIT_SECONDS, &at, cx.d).map(WaitFor::Seconds),
    }
}

fn timestamp(cx: &mut StateParser<'_, '_>) -> Option<WaitFor> {
    let at = cx.f.at_field("Timestamp");
    match cx.f.take("Timestamp")? {
        Value::String(s) => match (cx.ql, jsonata_expression(s)) {
            (QueryLanguage::Jsonata, Some(e)) => {
                crate::jsonata::compile_expr(e, &at, cx.d).map(WaitFor::TimestampExpr)
            }
            _ => match crate::timestamp::parse(s) {
                Some(t) => Some(WaitFor::Timestamp(t)),
                None => {
                    // Recorded on AWS.
                    cx.d.schema(&at, "String does not match RFC3339 timestamp");
                    None
                }
            },
        },
        other => {
            wrong_type(&at, "string", other, cx.d);
            None
        }
    }
}

fn path(cx: &mut StateParser<'_, '_>, name: &str) -> Option<Path> {
    let at = cx.f.at_field(name);
    match cx.jsonpath_only(name)? {
        Value::String(s) => Dynamic::parse_reference_path(s, name, &at, cx.d),
        other => {
            wrong_type(&at, "string", other, cx.d);
            None
        }
    }
}
