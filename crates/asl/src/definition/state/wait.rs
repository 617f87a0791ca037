//! `Wait`: pauses for a time or until a timestamp.

use baton_json::Value;
use time::OffsetDateTime;

use super::StateParser;
use crate::definition::dynamic::jsonata_expression;
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
    SecondsExpr(String),
    /// `Timestamp` as a JSONata expression.
    TimestampExpr(String),
}

const FIELDS: [&str; 4] = ["Seconds", "Timestamp", "SecondsPath", "TimestampPath"];

pub(super) fn parse(cx: &mut StateParser<'_, '_>) -> Wait {
    let present: Vec<&str> = FIELDS.iter().copied().filter(|n| cx.f.has(n)).collect();
    if present.len() != 1 {
        cx.d.schema(
            cx.f.at(),
            "Exactly one of the fields [Seconds, Timestamp, SecondsPath, TimestampPath] must be set",
        );
    }
    let mut wait_for = None;
    for name in present {
        let at = cx.f.at_field(name);
        let parsed = match name {
            "Seconds" => match cx.f.take(name) {
                Some(Value::String(s)) if cx.ql == QueryLanguage::Jsonata => {
                    jsonata_expression(s).map(|e| WaitFor::SecondsExpr(e.to_owned()))
                }
                Some(v) => match v.as_number() {
                    Some(n) if n.as_u64().is_some() => n.as_u64().map(WaitFor::Seconds),
                    _ => {
                        cx.d.schema(
                            &at,
                            "The value of the field 'Seconds' must be a non-negative integer",
                        );
                        None
                    }
                },
                None => None,
            },
            "Timestamp" => match cx.f.take(name) {
                Some(Value::String(s)) => match (cx.ql, jsonata_expression(s)) {
                    (QueryLanguage::Jsonata, Some(e)) => Some(WaitFor::TimestampExpr(e.to_owned())),
                    _ => match crate::timestamp::parse(s) {
                        Some(t) => Some(WaitFor::Timestamp(t)),
                        None => {
                            cx.d.schema(&at, "String does not match RFC3339 timestamp");
                            None
                        }
                    },
                },
                Some(_) => {
                    cx.d.schema(&at, "String does not match RFC3339 timestamp");
                    None
                }
                None => None,
            },
            "SecondsPath" | "TimestampPath" => match cx.jsonpath_only(name) {
                Some(Value::String(s)) => Dynamic::parse_path(s, name, &at, cx.d).map(|p| {
                    if name == "SecondsPath" {
                        WaitFor::SecondsPath(p)
                    } else {
                        WaitFor::TimestampPath(p)
                    }
                }),
                Some(_) => {
                    cx.d.schema(
                        &at,
                        format!("The value for the field '{name}' must be a valid JSONPath"),
                    );
                    None
                }
                None => None,
            },
            _ => None,
        };
        wait_for = wait_for.or(parsed);
    }
    Wait {
        wait_for: wait_for.unwrap_or(WaitFor::Seconds(0)),
    }
}
