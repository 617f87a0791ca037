//! `Task`: runs a unit of work named by its `Resource`.

use baton_json::Value;

use super::{ResultPath, StateParser};
use crate::definition::dynamic::jsonata_expression;
use crate::definition::{
    Catcher, Dynamic, Payload, QueryLanguage, Resource, Retrier, catch, retry,
};
use crate::path::Path;

/// A Task state.
#[derive(Debug, Clone)]
pub struct Task {
    /// `Resource`, parsed.
    pub resource: Resource,
    /// `Parameters` (JSONPath) or `Arguments` (JSONata): the task's input.
    pub parameters: Option<Payload>,
    /// `ResultSelector` (JSONPath): shapes the raw result.
    pub result_selector: Option<Payload>,
    /// `ResultPath` (JSONPath).
    pub result_path: ResultPath,
    /// `TimeoutSeconds` or `TimeoutSecondsPath`.
    pub timeout: Option<Seconds>,
    /// `HeartbeatSeconds` or `HeartbeatSecondsPath`.
    pub heartbeat: Option<Seconds>,
    /// `Credentials`: a role to assume for the task, kept as written.
    pub credentials: Option<Value>,
    /// `Retry`, in order.
    pub retry: Vec<Retrier>,
    /// `Catch`, in order.
    pub catch: Vec<Catcher>,
}

/// A number of seconds: fixed, read from a path, or computed by JSONata.
#[derive(Debug, Clone)]
pub enum Seconds {
    /// Written in the definition.
    Fixed(u64),
    /// `...SecondsPath`: read from the input (or a variable).
    Path(Path),
    /// A JSONata expression.
    Jsonata(String),
}

/// The longest task timeout and heartbeat AWS accepts (99999999 seconds).
pub const MAX_TASK_SECONDS: u64 = 99_999_999;

pub(super) fn parse(cx: &mut StateParser<'_, '_>) -> Task {
    cx.f.require(&["Resource"], cx.d);
    let resource_at = cx.f.at_field("Resource");
    let resource = match cx.f.string("Resource", cx.d) {
        Some(text) => Resource::parse(text).unwrap_or_else(|| {
            cx.d.schema(
                &resource_at,
                format!("The resource provided {text} is not recognized. The value is not a valid resource ARN, or the resource is not available in this region."),
            );
            Resource::Unknown(text.to_owned())
        }),
        None => Resource::Unknown(String::new()),
    };
    let parameters = match cx.ql {
        QueryLanguage::JsonPath => cx.jsonpath_payload("Parameters"),
        QueryLanguage::Jsonata => cx.jsonata_payload("Arguments"),
    };
    if cx.ql == QueryLanguage::JsonPath {
        cx.jsonata_only("Arguments");
    } else {
        cx.jsonpath_only("Parameters");
    }
    let result_selector = cx.jsonpath_payload("ResultSelector");
    let result_path = cx.result_path();
    let timeout = seconds(cx, "TimeoutSeconds", "TimeoutSecondsPath");
    let heartbeat = seconds(cx, "HeartbeatSeconds", "HeartbeatSecondsPath");
    if let (Some(Seconds::Fixed(t)), Some(Seconds::Fixed(h))) = (&timeout, &heartbeat) {
        if h >= t {
            cx.d.schema(
                &cx.f.at_field("HeartbeatSeconds"),
                "The value of the field 'HeartbeatSeconds' must be smaller than the value of the field 'TimeoutSeconds'",
            );
        }
    }
    let credentials = cx.f.take("Credentials").cloned();
    if let Some(c) = &credentials {
        if c.is_object() && c.get("RoleArn").is_none() && c.get("RoleArn.$").is_none() {
            cx.d.schema(
                &cx.f.at_field("Credentials"),
                "The field 'RoleArn' is required but was missing",
            );
        }
    }
    let retry = retry::parse_field(&mut cx.f, cx.d);
    let catch = catch::parse_field(&mut cx.f, cx.ql, cx.d);
    Task {
        resource,
        parameters,
        result_selector,
        result_path,
        timeout,
        heartbeat,
        credentials,
        retry,
        catch,
    }
}

/// Reads a `...Seconds` / `...SecondsPath` pair of fields.
fn seconds(cx: &mut StateParser<'_, '_>, name: &str, path_name: &str) -> Option<Seconds> {
    let at = cx.f.at_field(name);
    let fixed = match cx.f.take(name) {
        Some(Value::String(s))
            if cx.ql == QueryLanguage::Jsonata && jsonata_expression(s).is_some() =>
        {
            jsonata_expression(s).map(|e| Seconds::Jsonata(e.to_owned()))
        }
        Some(v) => match v.as_number().and_then(|n| n.as_u64()) {
            Some(n) if (1..=MAX_TASK_SECONDS).contains(&n) => Some(Seconds::Fixed(n)),
            _ => {
                cx.d.schema(
                    &at,
                    format!("The value of the field '{name}' must be an integer between 1 and {MAX_TASK_SECONDS}"),
                );
                None
            }
        },
        None => None,
    };
    let path_at = cx.f.at_field(path_name);
    let path = match cx.jsonpath_only(path_name) {
        Some(Value::String(s)) => {
            Dynamic::parse_reference_path(s, path_name, &path_at, cx.d).map(Seconds::Path)
        }
        Some(_) => {
            cx.d.schema(
                &path_at,
                format!("The value for the field '{path_name}' must be a valid ReferencePath"),
            );
            None
        }
        None => None,
    };
    if fixed.is_some() && path.is_some() {
        cx.d.schema(
            cx.f.at(),
            format!("Only one of the fields [{name}, {path_name}] may be set"),
        );
    }
    fixed.or(path)
}
