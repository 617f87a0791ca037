//! `Task`: runs a unit of work named by its `Resource`.

use crate::jsonata::Expr;
use baton_json::Value;

use super::{ResultPath, StateParser};
use crate::definition::dynamic::jsonata_template;
use crate::definition::fields::{integer_value, wrong_type};
use crate::definition::{
    Catcher, Dynamic, Payload, QueryLanguage, Resource, Retrier, catch, resource, retry,
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
    /// `Credentials`: a role to assume for the task (`RoleArn`, `RoleArn.$` or JSONata),
    /// evaluated as `Parameters` are.
    pub credentials: Option<Payload>,
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
    Jsonata(Expr),
}

/// The longest task timeout and heartbeat AWS accepts (99999999 seconds).
pub const MAX_TASK_SECONDS: u64 = 99_999_999;

pub(super) fn parse(cx: &mut StateParser<'_, '_>) -> Task {
    cx.f.require(&["Resource"], cx.d);
    let resource_at = cx.f.at_field("Resource");
    let resource = match cx.f.string("Resource", cx.d) {
        Some(text) => match Resource::parse(text) {
            Some(r) if resource::is_task_resource(&r) => r,
            _ => {
                // Recorded on AWS (for `arn:aws:states:::dynamodb:query`).
                cx.d.schema(
                    &resource_at,
                    format!("The resource provided {text} is not recognized. The value is not a valid resource ARN, or the resource is not available in this region."),
                );
                Resource::Unknown(text.to_owned())
            }
        },
        None => Resource::Unknown(String::new()),
    };
    let parameters = cx.parameters();
    let result_selector = cx.jsonpath_payload("ResultSelector");
    let result_path = cx.result_path();
    let timeout = seconds(cx, "TimeoutSeconds", "TimeoutSecondsPath");
    let heartbeat = seconds(cx, "HeartbeatSeconds", "HeartbeatSecondsPath");
    if let (Some(Seconds::Fixed(t)), Some(Seconds::Fixed(h))) = (&timeout, &heartbeat)
        && h >= t
    {
        // Not verified against AWS.
        cx.d.schema(
            &cx.f.at_field("HeartbeatSeconds"),
            "The value of the field 'HeartbeatSeconds' must be smaller than the value of the field 'TimeoutSeconds'",
        );
    }
    let credentials = credentials(cx);
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

/// Reads `Credentials`: an object with a `RoleArn` (fixed, JSONata) or `RoleArn.$` (a
/// path or intrinsic call). AWS reports only the missing role, not other fields.
fn credentials(cx: &mut StateParser<'_, '_>) -> Option<Payload> {
    let at = cx.f.at_field("Credentials");
    let value = cx.f.object("Credentials", cx.d)?;
    match (value.get("RoleArn"), value.get("RoleArn.$")) {
        (None, None) => {
            // Recorded on AWS.
            cx.d.schema(&at, "The field 'RoleArn' is required but was missing");
        }
        (Some(role), _) if !role.is_string() => {
            wrong_type(&at.child("RoleArn"), "string", role, cx.d);
        }
        (_, Some(other)) if !other.is_string() => {
            wrong_type(&at.child("RoleArn.$"), "string", other, cx.d);
        }
        // The template's compilation checks a `RoleArn.$` path or call.
        _ => {}
    }
    Some(Payload::compile(value, cx.ql, &at, cx.d))
}

/// Reads a `...Seconds` / `...SecondsPath` pair of fields.
fn seconds(cx: &mut StateParser<'_, '_>, name: &str, path_name: &str) -> Option<Seconds> {
    let at = cx.f.at_field(name);
    let fixed = match cx.f.take(name) {
        Some(Value::String(s)) if cx.ql == QueryLanguage::Jsonata => {
            jsonata_template(s, name, &at, cx.d).map(Seconds::Jsonata)
        }
        Some(v) => integer_value(v, name, 1, MAX_TASK_SECONDS, &at, cx.d).map(Seconds::Fixed),
        None => None,
    };
    let path_at = cx.f.at_field(path_name);
    let path = match cx.jsonpath_only(path_name) {
        Some(Value::String(s)) => {
            Dynamic::parse_reference_path(s, path_name, &path_at, cx.d).map(Seconds::Path)
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
    fixed.or(path)
}
