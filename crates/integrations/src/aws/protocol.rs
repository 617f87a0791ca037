//! Requests and responses as the models describe them: the JSON protocols (`json`,
//! `rest-json`), the query protocol (form-encoded requests, XML responses) and rest-XML
//! (S3: members in the URI, headers and an XML or raw body).
//!
//! Task parameters name members in PascalCase (`TableName`, `QueueUrl`, and `Cluster` for
//! ECS's `cluster`): a parameter names the member whose name it is, or whose name
//! capitalised it is. Results name members capitalised, as Step Functions returns them.

use std::collections::BTreeMap;

use base64::Engine as _;
use baton_json::{Map, Number, Value};

use super::model::{Member, Model, Operation, Shape, upper_first};

/// How results are shaped: as the optimized integrations return them (the AWS SDK for
/// Java 1: timestamps as epoch milliseconds) or as the `aws-sdk` ones do (the SDK for
/// Java 2: timestamps as ISO-8601 text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Optimized integrations.
    Optimized,
    /// `aws-sdk:` integrations.
    Sdk,
}

/// An HTTP request, before signing.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    /// The method.
    pub method: String,
    /// The path and query, from `/`.
    pub path: String,
    /// Headers (besides the signature's).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// An HTTP response.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Headers, names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The request id the service gave.
    pub fn request_id(&self) -> Option<&str> {
        self.header("x-amzn-requestid")
            .or_else(|| self.header("x-amz-request-id"))
    }
}

/// A parameter that does not fit the operation's input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError(pub String);

/// The member a parameter names.
fn find_member<'a>(shape: &'a Shape, key: &str) -> Option<(&'a str, &'a Member)> {
    if let Some(m) = shape.member(key) {
        return shape
            .members()
            .find(|(n, _)| *n == key)
            .map(|(n, _)| (n, m));
    }
    shape
        .members()
        .find(|(n, _)| upper_first(n) == key || n.eq_ignore_ascii_case(key))
}

/// Builds an operation's request from a task's parameters.
pub fn build_request(
    model: &Model,
    op_name: &str,
    op: &Operation,
    input: &Value,
) -> Result<HttpRequest, InputError> {
    let empty = Value::empty_object();
    let input = if input.is_null() { &empty } else { input };
    if !input.is_object() {
        return Err(InputError(format!(
            "The parameters of {op_name} must be an object, not {}",
            input.type_name()
        )));
    }
    match model.meta.protocol.as_str() {
        "json" => {
            let body = match &op.input {
                Some(shape) => to_json(model, shape, input, "")?,
                None => serde_json::Value::Object(Default::default()),
            };
            let version = model.meta.json_version.as_deref().unwrap_or("1.0");
            let target = format!(
                "{}.{op_name}",
                model.meta.target_prefix.as_deref().unwrap_or_default()
            );
            Ok(HttpRequest {
                method: "POST".into(),
                path: "/".into(),
                headers: vec![
                    (
                        "content-type".into(),
                        format!("application/x-amz-json-{version}"),
                    ),
                    ("x-amz-target".into(), target),
                ],
                body: serde_json::to_vec(&body).unwrap_or_default(),
            })
        }
        "query" => {
            let mut params = vec![
                ("Action".to_owned(), op_name.to_owned()),
                ("Version".to_owned(), model.meta.api_version.clone()),
            ];
            if let Some(shape) = &op.input {
                to_query(model, shape, input, "", &mut params)?;
            }
            let body = params
                .iter()
                .map(|(k, v)| format!("{}={}", encode(k, true), encode(v, true)))
                .collect::<Vec<_>>()
                .join("&");
            Ok(HttpRequest {
                method: "POST".into(),
                path: "/".into(),
                headers: vec![(
                    "content-type".into(),
                    "application/x-www-form-urlencoded; charset=utf-8".into(),
                )],
                body: body.into_bytes(),
            })
        }
        "rest-json" => rest_request(model, op, input, false),
        "rest-xml" => rest_request(model, op, input, true),
        other => Err(InputError(format!(
            "The {other} protocol of {} is not supported by this version of Baton",
            model.meta.service_id
        ))),
    }
}

/// A parameter value as the JSON protocols send it.
fn to_json(
    model: &Model,
    shape_name: &str,
    value: &Value,
    path: &str,
) -> Result<serde_json::Value, InputError> {
    let shape = model.shape(shape_name);
    if shape.document == 1 {
        return Ok(value.to_serde());
    }
    Ok(match shape.kind.as_str() {
        "structure" => {
            let Some(obj) = value.as_object() else {
                return Err(type_error(path, "an object", value));
            };
            let mut out = serde_json::Map::new();
            for (key, v) in obj {
                let Some((name, member)) = find_member(shape, key) else {
                    return Err(unknown_field(path, key));
                };
                if v.is_null() {
                    continue;
                }
                let wire = member.location_name.as_deref().unwrap_or(name);
                out.insert(
                    wire.to_owned(),
                    to_json(model, &member.shape, v, &join(path, key))?,
                );
            }
            serde_json::Value::Object(out)
        }
        "list" => {
            let Some(items) = value.as_array() else {
                return Err(type_error(path, "an array", value));
            };
            let member = shape.list_member().expect("a list has a member");
            items
                .iter()
                .enumerate()
                .map(|(i, v)| to_json(model, &member.shape, v, &format!("{path}[{i}]")))
                .collect::<Result<Vec<_>, _>>()?
                .into()
        }
        "map" => {
            let Some(obj) = value.as_object() else {
                return Err(type_error(path, "an object", value));
            };
            let v_shape = &shape.value.as_ref().expect("a map has values").shape;
            let mut out = serde_json::Map::new();
            for (k, v) in obj {
                out.insert(k.to_string(), to_json(model, v_shape, v, &join(path, k))?);
            }
            serde_json::Value::Object(out)
        }
        "timestamp" => {
            let secs =
                timestamp_seconds(value).ok_or_else(|| type_error(path, "a timestamp", value))?;
            match shape.timestamp_format.as_deref() {
                Some("iso8601") => serde_json::Value::from(iso8601(secs, true)),
                _ => number_json(secs),
            }
        }
        "blob" => {
            serde_json::Value::from(base64::engine::general_purpose::STANDARD.encode(blob(value)))
        }
        kind => scalar_json(kind, value, path)?,
    })
}

fn number_json(secs: f64) -> serde_json::Value {
    if secs.fract() == 0.0 && secs.abs() < 9.0e15 {
        serde_json::Value::from(secs as i64)
    } else {
        serde_json::Number::from_f64(secs)
            .map_or(serde_json::Value::Null, serde_json::Value::Number)
    }
}

fn scalar_json(kind: &str, value: &Value, path: &str) -> Result<serde_json::Value, InputError> {
    Ok(match kind {
        "string" => serde_json::Value::from(text(value)),
        "boolean" => match value {
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::String(s) if &**s == "true" || &**s == "false" => {
                serde_json::Value::Bool(&**s == "true")
            }
            _ => return Err(type_error(path, "a boolean", value)),
        },
        "integer" | "long" | "biginteger" => match number(value) {
            Some(n) if n.as_i64().is_some() => serde_json::Value::from(n.as_i64().unwrap_or(0)),
            _ => return Err(type_error(path, "an integer", value)),
        },
        _ => match number(value) {
            Some(n) => serde_json::Number::from_f64(n.as_f64())
                .map_or(serde_json::Value::Null, serde_json::Value::Number),
            None => return Err(type_error(path, "a number", value)),
        },
    })
}

/// A string member's text: a string as it is, anything else as its JSON text (as Step
/// Functions serialises a JSON `MessageBody`, `Message`, `Detail` or `Input`).
pub fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.to_string(),
        other => other.to_json_string(),
    }
}

fn blob(value: &Value) -> Vec<u8> {
    text(value).into_bytes()
}

fn number(value: &Value) -> Option<Number> {
    match value {
        Value::Number(n) => Some(*n),
        Value::String(s) => {
            if let Ok(i) = s.parse::<i64>() {
                Some(Number::from(i))
            } else {
                s.parse::<f64>().ok().and_then(Number::from_f64)
            }
        }
        _ => None,
    }
}

/// Seconds since the epoch from a number or an ISO-8601 text.
fn timestamp_seconds(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => Some(n.as_f64()),
        Value::String(s) => {
            let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                .ok()?;
            Some(t.unix_timestamp_nanos() as f64 / 1e9)
        }
        _ => None,
    }
}

/// ISO-8601 in UTC, as Java's `Instant` prints it (fractions only when there are some).
pub fn iso8601(secs: f64, millis: bool) -> String {
    let nanos = (secs * 1e9).round() as i128;
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp_nanos(nanos) else {
        return secs.to_string();
    };
    let base = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    let ms = t.millisecond();
    if millis && ms != 0 {
        format!("{base}.{ms:03}Z")
    } else {
        format!("{base}Z")
    }
}

fn http_date(secs: f64) -> String {
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(secs as i64) else {
        return String::new();
    };
    let f = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    t.format(&f).unwrap_or_default()
}

fn type_error(path: &str, wanted: &str, got: &Value) -> InputError {
    InputError(format!(
        "The value of the field '{}' must be {wanted}, not {}",
        if path.is_empty() {
            "(parameters)"
        } else {
            path
        },
        got.type_name()
    ))
}

fn unknown_field(path: &str, key: &str) -> InputError {
    InputError(format!(
        "The field '{}' is not supported by Step Functions",
        join(path, key)
    ))
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Form-encodes as AWS does: unreserved characters kept, everything else `%XX`
/// (`/` kept when `slash` is false).
pub fn encode(s: &str, slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b'/' if !slash => out.push('/'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Parameters as the query protocol sends them (`A.member.1.B=...`).
fn to_query(
    model: &Model,
    shape_name: &str,
    value: &Value,
    prefix: &str,
    out: &mut Vec<(String, String)>,
) -> Result<(), InputError> {
    let shape = model.shape(shape_name);
    match shape.kind.as_str() {
        "structure" => {
            let Some(obj) = value.as_object() else {
                return Err(type_error(prefix, "an object", value));
            };
            for (key, v) in obj {
                let Some((name, member)) = find_member(shape, key) else {
                    return Err(unknown_field(prefix, key));
                };
                if v.is_null() {
                    continue;
                }
                let wire = member.location_name.as_deref().unwrap_or(name);
                let p = join(prefix, wire);
                if member.flattened {
                    flattened_list(model, &member.shape, v, &p, out)?;
                } else {
                    to_query(model, &member.shape, v, &p, out)?;
                }
            }
        }
        "list" => {
            let Some(items) = value.as_array() else {
                return Err(type_error(prefix, "an array", value));
            };
            if items.is_empty() {
                out.push((prefix.to_owned(), String::new()));
                return Ok(());
            }
            if shape.flattened == 1 {
                return flattened_list(model, shape_name, value, prefix, out);
            }
            let member = shape.list_member().expect("a list has a member");
            let name = member.location_name.as_deref().unwrap_or("member");
            for (i, v) in items.iter().enumerate() {
                to_query(
                    model,
                    &member.shape,
                    v,
                    &format!("{prefix}.{name}.{}", i + 1),
                    out,
                )?;
            }
        }
        "map" => {
            let Some(obj) = value.as_object() else {
                return Err(type_error(prefix, "an object", value));
            };
            let key = shape.key.as_ref().expect("a map has keys");
            let val = shape.value.as_ref().expect("a map has values");
            let full = if shape.flattened == 1 {
                prefix.to_owned()
            } else {
                format!("{prefix}.entry")
            };
            let kn = key.location_name.as_deref().unwrap_or("key");
            let vn = val.location_name.as_deref().unwrap_or("value");
            for (i, (k, v)) in obj.iter().enumerate() {
                out.push((format!("{full}.{}.{kn}", i + 1), k.to_string()));
                to_query(model, &val.shape, v, &format!("{full}.{}.{vn}", i + 1), out)?;
            }
        }
        "timestamp" => {
            let secs =
                timestamp_seconds(value).ok_or_else(|| type_error(prefix, "a timestamp", value))?;
            out.push((prefix.to_owned(), iso8601(secs, true)));
        }
        "blob" => out.push((
            prefix.to_owned(),
            base64::engine::general_purpose::STANDARD.encode(blob(value)),
        )),
        "boolean" => match scalar_json("boolean", value, prefix)? {
            serde_json::Value::Bool(b) => out.push((prefix.to_owned(), b.to_string())),
            _ => unreachable!("a boolean"),
        },
        "string" => out.push((prefix.to_owned(), text(value))),
        kind => {
            let n = scalar_json(kind, value, prefix)?;
            out.push((prefix.to_owned(), n.to_string()));
        }
    }
    Ok(())
}

fn flattened_list(
    model: &Model,
    shape_name: &str,
    value: &Value,
    prefix: &str,
    out: &mut Vec<(String, String)>,
) -> Result<(), InputError> {
    let shape = model.shape(shape_name);
    let (Some(items), Some(member)) = (value.as_array(), shape.list_member()) else {
        return to_query(model, shape_name, value, prefix, out);
    };
    for (i, v) in items.iter().enumerate() {
        to_query(model, &member.shape, v, &format!("{prefix}.{}", i + 1), out)?;
    }
    Ok(())
}

/// A rest-json or rest-xml (`xml`) request: members in the URI, the query string, headers
/// and the body (JSON, or XML).
fn rest_request(
    model: &Model,
    op: &Operation,
    input: &Value,
    xml: bool,
) -> Result<HttpRequest, InputError> {
    let (path_template, fixed_query) = match op.uri.split_once('?') {
        Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
        None => (op.uri.clone(), None),
    };
    let mut path = path_template;
    let mut query: Vec<(String, String)> = Vec::new();
    if let Some(q) = fixed_query {
        for part in q.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            query.push((k.to_owned(), v.to_owned()));
        }
    }
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut body_members = serde_json::Map::new();
    let mut xml_members = String::new();
    let mut payload: Option<Vec<u8>> = None;
    let mut content_type = if xml {
        "application/xml"
    } else {
        "application/json"
    }
    .to_owned();
    if let Some(shape_name) = &op.input {
        let shape = model.shape(shape_name);
        let obj = input.as_object().expect("checked");
        for (key, v) in obj {
            let Some((name, member)) = find_member(shape, key) else {
                return Err(unknown_field("", key));
            };
            if v.is_null() {
                continue;
            }
            let wire = member.location_name.as_deref().unwrap_or(name);
            let mshape = model.shape(&member.shape);
            match member.location.as_deref() {
                Some("uri") => {
                    let greedy = format!("{{{wire}+}}");
                    let plain = format!("{{{wire}}}");
                    let t = scalar_text(mshape, v);
                    if path.contains(&greedy) {
                        path = path.replace(&greedy, &encode(&t, false));
                    } else {
                        path = path.replace(&plain, &encode(&t, true));
                    }
                }
                Some("querystring") => match mshape.kind.as_str() {
                    "list" => {
                        for item in v.as_array().unwrap_or_default() {
                            query.push((wire.to_owned(), text(item)));
                        }
                    }
                    "map" => {
                        for (k, item) in v.as_object().into_iter().flatten() {
                            query.push((k.to_string(), text(item)));
                        }
                    }
                    _ => query.push((wire.to_owned(), scalar_text(mshape, v))),
                },
                Some("header") => {
                    let t = if mshape.is_jsonvalue() {
                        base64::engine::general_purpose::STANDARD.encode(text(v))
                    } else if mshape.kind == "timestamp" {
                        http_date(timestamp_seconds(v).unwrap_or_default())
                    } else if mshape.kind == "list" {
                        v.as_array()
                            .unwrap_or_default()
                            .iter()
                            .map(text)
                            .collect::<Vec<_>>()
                            .join(",")
                    } else {
                        scalar_text(mshape, v)
                    };
                    headers.push((wire.to_ascii_lowercase(), t));
                }
                Some("headers") => {
                    for (k, item) in v.as_object().into_iter().flatten() {
                        headers.push((format!("{wire}{k}").to_ascii_lowercase(), text(item)));
                    }
                }
                _ if shape.payload.as_deref() == Some(name) => {
                    payload = Some(match mshape.kind.as_str() {
                        // S3's object body: the value's JSON text, a string's quotes
                        // included, as Step Functions sends it (recorded against AWS).
                        "blob" if xml => {
                            content_type = "application/octet-stream".into();
                            v.to_json_string().into_bytes()
                        }
                        "blob" | "string" => {
                            content_type = "application/octet-stream".into();
                            blob(v)
                        }
                        _ if xml => {
                            let element = mshape.location_name.as_deref().unwrap_or(wire);
                            let mut out = String::new();
                            to_xml(model, &member.shape, v, element, key, &mut out)?;
                            with_namespace(model, out).into_bytes()
                        }
                        _ => serde_json::to_vec(&to_json(model, &member.shape, v, key)?)
                            .unwrap_or_default(),
                    });
                }
                _ if xml => to_xml(model, &member.shape, v, wire, key, &mut xml_members)?,
                _ => {
                    body_members.insert(wire.to_owned(), to_json(model, &member.shape, v, key)?);
                }
            }
        }
    }
    // Unfilled optional labels (none should be) are dropped.
    while let Some(start) = path.find('{') {
        let end = path[start..]
            .find('}')
            .map_or(path.len(), |e| start + e + 1);
        path.replace_range(start..end, "");
    }
    if !query.is_empty() {
        let q = query
            .iter()
            .map(|(k, v)| {
                if v.is_empty() && !k.contains('=') {
                    encode(k, true)
                } else {
                    format!("{}={}", encode(k, true), encode(v, true))
                }
            })
            .collect::<Vec<_>>()
            .join("&");
        path = format!("{path}?{q}");
    }
    let body = match payload {
        Some(p) => p,
        None if xml && !xml_members.is_empty() => {
            // Members in the body without a payload: under an element named after the
            // input shape.
            let root = op
                .input
                .as_deref()
                .map(|i| model.shape(i))
                .and_then(|s| s.location_name.as_deref())
                .or(op.input.as_deref())
                .unwrap_or("Request");
            with_namespace(model, format!("<{root}>{xml_members}</{root}>")).into_bytes()
        }
        None if xml => Vec::new(),
        None if !body_members.is_empty()
            || matches!(op.method.as_str(), "POST" | "PUT" | "PATCH") =>
        {
            serde_json::to_vec(&serde_json::Value::Object(body_members)).unwrap_or_default()
        }
        None => Vec::new(),
    };
    // A blob sent to S3 without a type is stored as S3's default type, as the SDKs leave it.
    let untyped_blob = xml && content_type == "application/octet-stream";
    if !body.is_empty() && !untyped_blob {
        headers.push(("content-type".into(), content_type));
    }
    Ok(HttpRequest {
        method: op.method.clone(),
        path,
        headers,
        body,
    })
}

/// The service's XML namespace on a document's root element, when the model has one.
fn with_namespace(model: &Model, document: String) -> String {
    let Some(ns) = &model.meta.xml_namespace else {
        return document;
    };
    match document.find(['>', ' ', '/']) {
        Some(at) if document.starts_with('<') => format!(
            "{} xmlns=\"{}\"{}",
            &document[..at],
            xml_escape(ns),
            &document[at..]
        ),
        _ => document,
    }
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

/// A parameter value as rest-xml sends it: the element `element` (several, for a
/// flattened list), appended to `out`.
fn to_xml(
    model: &Model,
    shape_name: &str,
    value: &Value,
    element: &str,
    path: &str,
    out: &mut String,
) -> Result<(), InputError> {
    let shape = model.shape(shape_name);
    match shape.kind.as_str() {
        "structure" => {
            let obj = value
                .as_object()
                .ok_or_else(|| type_error(path, "an object", value))?;
            out.push_str(&format!("<{element}>"));
            for (key, v) in obj {
                let Some((name, member)) = find_member(shape, key) else {
                    return Err(unknown_field(path, key));
                };
                if v.is_null() || member.xml_attribute {
                    continue;
                }
                let wire = member.location_name.as_deref().unwrap_or(name);
                let mshape = model.shape(&member.shape);
                if mshape.kind == "list" && (member.flattened || mshape.flattened == 1) {
                    let item = mshape.list_member().expect("a list has a member");
                    for (i, x) in v.as_array().unwrap_or_default().iter().enumerate() {
                        to_xml(
                            model,
                            &item.shape,
                            x,
                            wire,
                            &format!("{}[{i}]", join(path, key)),
                            out,
                        )?;
                    }
                } else {
                    to_xml(model, &member.shape, v, wire, &join(path, key), out)?;
                }
            }
            out.push_str(&format!("</{element}>"));
        }
        "list" => {
            let items = value
                .as_array()
                .ok_or_else(|| type_error(path, "an array", value))?;
            let item = shape.list_member().expect("a list has a member");
            let name = item.location_name.as_deref().unwrap_or("member");
            out.push_str(&format!("<{element}>"));
            for (i, x) in items.iter().enumerate() {
                to_xml(model, &item.shape, x, name, &format!("{path}[{i}]"), out)?;
            }
            out.push_str(&format!("</{element}>"));
        }
        "map" => {
            let obj = value
                .as_object()
                .ok_or_else(|| type_error(path, "an object", value))?;
            let key = shape.key.as_ref().expect("a map has keys");
            let val = shape.value.as_ref().expect("a map has values");
            let kn = key.location_name.as_deref().unwrap_or("key");
            let vn = val.location_name.as_deref().unwrap_or("value");
            let flat = shape.flattened == 1;
            if !flat {
                out.push_str(&format!("<{element}>"));
            }
            for (k, v) in obj {
                out.push_str(if flat { "" } else { "<entry>" });
                if flat {
                    out.push_str(&format!("<{element}>"));
                }
                out.push_str(&format!("<{kn}>{}</{kn}>", xml_escape(k)));
                to_xml(model, &val.shape, v, vn, &join(path, k), out)?;
                out.push_str(if flat { "" } else { "</entry>" });
                if flat {
                    out.push_str(&format!("</{element}>"));
                }
            }
            if !flat {
                out.push_str(&format!("</{element}>"));
            }
        }
        kind => {
            let text = match kind {
                "timestamp" => iso8601(
                    timestamp_seconds(value)
                        .ok_or_else(|| type_error(path, "a timestamp", value))?,
                    false,
                ),
                "blob" => base64::engine::general_purpose::STANDARD.encode(blob(value)),
                "boolean" => match value {
                    Value::Bool(b) => b.to_string(),
                    _ => return Err(type_error(path, "a boolean", value)),
                },
                _ => text(value),
            };
            out.push_str(&format!("<{element}>{}</{element}>", xml_escape(&text)));
        }
    }
    Ok(())
}

fn scalar_text(shape: &Shape, value: &Value) -> String {
    match shape.kind.as_str() {
        "timestamp" => iso8601(timestamp_seconds(value).unwrap_or_default(), true),
        _ => text(value),
    }
}

/// An answer that cannot be read as the model says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable(pub String);

/// Reads a successful response as the task's result.
pub fn parse_response(
    model: &Model,
    op: &Operation,
    response: &HttpResponse,
    style: Style,
) -> Result<Value, Unreadable> {
    let Some(shape_name) = &op.output else {
        return Ok(Value::empty_object());
    };
    match model.meta.protocol.as_str() {
        "json" => {
            let json = json_body(&response.body)?;
            Ok(from_json(model, shape_name, &json, style))
        }
        "rest-json" => rest_response(model, shape_name, response, style, false),
        "rest-xml" => rest_response(model, shape_name, response, style, true),
        "query" => {
            let text = std::str::from_utf8(&response.body)
                .map_err(|_| Unreadable("the response is not UTF-8 text".into()))?;
            let doc = roxmltree::Document::parse(text)
                .map_err(|e| Unreadable(format!("the response is not XML: {e}")))?;
            let root = doc.root_element();
            let result = match &op.wrapper {
                Some(w) => root.children().find(|n| n.has_tag_name(w.as_str())),
                None => Some(root),
            };
            Ok(match result {
                Some(node) => from_xml(model, shape_name, node, style),
                None => Value::empty_object(),
            })
        }
        other => Err(Unreadable(format!("the {other} protocol is not supported"))),
    }
}

/// A rest-json or rest-xml (`xml`) answer: members from headers, the status code and the
/// body (or the payload member).
fn rest_response(
    model: &Model,
    shape_name: &str,
    response: &HttpResponse,
    style: Style,
    xml: bool,
) -> Result<Value, Unreadable> {
    let shape = model.shape(shape_name);
    let mut out = Map::default();
    let mut body_json: Option<serde_json::Value> = None;
    let xml_text = || {
        std::str::from_utf8(&response.body)
            .map_err(|_| Unreadable("the response is not UTF-8 text".into()))
    };
    let xml_doc = if xml
        && shape.members().any(|(name, m)| {
            m.location.is_none()
                && (shape.payload.as_deref() != Some(name)
                    || model.shape(&m.shape).kind == "structure")
        })
        && !response.body.iter().all(u8::is_ascii_whitespace)
    {
        Some(
            roxmltree::Document::parse(xml_text()?)
                .map_err(|e| Unreadable(format!("the response is not XML: {e}")))?,
        )
    } else {
        None
    };
    for (name, member) in shape.members() {
        let mshape = model.shape(&member.shape);
        let wire = member.location_name.as_deref().unwrap_or(name);
        let value = match member.location.as_deref() {
            Some("header") => response
                .header(wire)
                .map(|h| header_value(mshape, h, style)),
            Some("headers") => {
                // Always there, empty when no header has the prefix (as the SDKs give it).
                let prefix = wire.to_ascii_lowercase();
                let m: Map = response
                    .headers
                    .iter()
                    .filter_map(|(k, v)| {
                        k.strip_prefix(&prefix)
                            .map(|rest| (rest.into(), Value::from(v.as_str())))
                    })
                    .collect();
                Some(Value::object(m))
            }
            Some("statusCode") => Some(Value::from(u64::from(response.status))),
            _ if shape.payload.as_deref() == Some(name) => match mshape.kind.as_str() {
                "blob" | "string" => Some(blob_value(&response.body)),
                _ if xml => xml_doc
                    .as_ref()
                    .map(|d| from_xml(model, &member.shape, d.root_element(), style)),
                _ => {
                    let j = json_body(&response.body)?;
                    Some(from_json(model, &member.shape, &j, style))
                }
            },
            _ if xml => xml_doc
                .as_ref()
                .and_then(|d| xml_member(model, d.root_element(), wire, member, style)),
            _ => {
                if body_json.is_none() {
                    body_json = Some(json_body(&response.body)?);
                }
                body_json
                    .as_ref()
                    .and_then(|b| b.get(wire))
                    .filter(|v| !v.is_null())
                    .map(|v| from_json(model, &member.shape, v, style))
            }
        };
        if let Some(v) = value {
            out.insert(upper_first(name).into(), v);
        }
    }
    Ok(Value::object(out))
}

fn json_body(body: &[u8]) -> Result<serde_json::Value, Unreadable> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::Value::Object(Default::default()));
    }
    serde_json::from_slice(body).map_err(|e| Unreadable(format!("the response is not JSON: {e}")))
}

fn blob_value(bytes: &[u8]) -> Value {
    match std::str::from_utf8(bytes) {
        Ok(s) => Value::from(s),
        Err(_) => Value::from(base64::engine::general_purpose::STANDARD.encode(bytes)),
    }
}

fn header_value(shape: &Shape, h: &str, style: Style) -> Value {
    match shape.kind.as_str() {
        "integer" | "long" => h
            .trim()
            .parse::<i64>()
            .map_or_else(|_| Value::from(h), Value::from),
        "boolean" => Value::Bool(h.trim().eq_ignore_ascii_case("true")),
        "timestamp" => {
            let f = time::macros::format_description!(
                "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
            );
            match time::PrimitiveDateTime::parse(h, &f) {
                Ok(t) => timestamp_value(t.assume_utc().unix_timestamp() as f64, style),
                Err(_) => Value::from(h),
            }
        }
        _ if shape.is_jsonvalue() => base64::engine::general_purpose::STANDARD
            .decode(h)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .map_or_else(|| Value::from(h), Value::from),
        _ => Value::from(h),
    }
}

fn timestamp_value(secs: f64, style: Style) -> Value {
    match style {
        Style::Optimized => Value::from((secs * 1000.0).round() as i64),
        Style::Sdk => Value::from(iso8601(secs, true)),
    }
}

/// A JSON answer as the task's result.
fn from_json(model: &Model, shape_name: &str, json: &serde_json::Value, style: Style) -> Value {
    let shape = model.shape(shape_name);
    if shape.document == 1 {
        return Value::from(json.clone());
    }
    match (shape.kind.as_str(), json) {
        ("structure", serde_json::Value::Object(obj)) => {
            let mut out = Map::default();
            for (name, member) in shape.members() {
                let wire = member.location_name.as_deref().unwrap_or(name);
                if let Some(v) = obj.get(wire).filter(|v| !v.is_null()) {
                    out.insert(
                        upper_first(name).into(),
                        from_json(model, &member.shape, v, style),
                    );
                }
            }
            Value::object(out)
        }
        ("list", serde_json::Value::Array(items)) => {
            let member = shape.list_member().expect("a list has a member");
            Value::array(
                items
                    .iter()
                    .map(|v| from_json(model, &member.shape, v, style))
                    .collect(),
            )
        }
        ("map", serde_json::Value::Object(obj)) => {
            let v_shape = &shape.value.as_ref().expect("a map has values").shape;
            Value::object(
                obj.iter()
                    .map(|(k, v)| (k.as_str().into(), from_json(model, v_shape, v, style)))
                    .collect(),
            )
        }
        ("timestamp", serde_json::Value::Number(n)) => {
            timestamp_value(n.as_f64().unwrap_or_default(), style)
        }
        ("timestamp", serde_json::Value::String(s)) => {
            match timestamp_seconds(&Value::from(s.as_str())) {
                Some(secs) => timestamp_value(secs, style),
                None => Value::from(s.as_str()),
            }
        }
        ("blob", serde_json::Value::String(s)) => {
            match base64::engine::general_purpose::STANDARD.decode(s) {
                Ok(bytes) => blob_value(&bytes),
                Err(_) => Value::from(s.as_str()),
            }
        }
        _ => Value::from(json.clone()),
    }
}

/// The member `wire` of the XML element `node`: its element, or its elements for a
/// flattened list or map; `None` when absent.
fn xml_member(
    model: &Model,
    node: roxmltree::Node,
    wire: &str,
    member: &Member,
    style: Style,
) -> Option<Value> {
    let mshape = model.shape(&member.shape);
    let flat = member.flattened || mshape.flattened == 1;
    if flat && matches!(mshape.kind.as_str(), "list" | "map") {
        let children: Vec<_> = node.children().filter(|c| c.has_tag_name(wire)).collect();
        (!children.is_empty()).then(|| flat_xml(model, &member.shape, &children, style))
    } else {
        node.children()
            .find(|c| c.has_tag_name(wire))
            .map(|c| from_xml(model, &member.shape, c, style))
    }
}

/// An XML answer (query and rest-XML protocols) as the task's result.
fn from_xml(model: &Model, shape_name: &str, node: roxmltree::Node, style: Style) -> Value {
    let shape = model.shape(shape_name);
    match shape.kind.as_str() {
        "structure" => {
            let mut out = Map::default();
            for (name, member) in shape.members() {
                let wire = member.location_name.as_deref().unwrap_or(name);
                if let Some(v) = xml_member(model, node, wire, member, style) {
                    out.insert(upper_first(name).into(), v);
                }
            }
            Value::object(out)
        }
        "list" => {
            let member = shape.list_member().expect("a list has a member");
            let name = member.location_name.as_deref().unwrap_or("member");
            Value::array(
                node.children()
                    .filter(|c| c.has_tag_name(name))
                    .map(|c| from_xml(model, &member.shape, c, style))
                    .collect(),
            )
        }
        "map" => {
            let entries: Vec<_> = node
                .children()
                .filter(|c| c.has_tag_name("entry"))
                .collect();
            flat_xml(model, shape_name, &entries, style)
        }
        kind => scalar_xml(kind, node.text().unwrap_or_default(), style),
    }
}

fn flat_xml(model: &Model, shape_name: &str, nodes: &[roxmltree::Node], style: Style) -> Value {
    let shape = model.shape(shape_name);
    if shape.kind == "list" {
        let member = shape.list_member().expect("a list has a member");
        return Value::array(
            nodes
                .iter()
                .map(|n| from_xml(model, &member.shape, *n, style))
                .collect(),
        );
    }
    let key = shape.key.as_ref().expect("a map has keys");
    let val = shape.value.as_ref().expect("a map has values");
    let kn = key.location_name.as_deref().unwrap_or("key");
    let vn = val.location_name.as_deref().unwrap_or("value");
    let mut out = Map::default();
    for n in nodes {
        let k = n
            .children()
            .find(|c| c.has_tag_name(kn))
            .and_then(|c| c.text())
            .unwrap_or_default();
        if let Some(v) = n.children().find(|c| c.has_tag_name(vn)) {
            out.insert(k.into(), from_xml(model, &val.shape, v, style));
        }
    }
    Value::object(out)
}

fn scalar_xml(kind: &str, text: &str, style: Style) -> Value {
    match kind {
        "integer" | "long" => text
            .trim()
            .parse::<i64>()
            .map_or_else(|_| Value::from(text), Value::from),
        "float" | "double" => text
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map_or_else(|| Value::from(text), Value::Number),
        "boolean" => Value::Bool(text.trim() == "true"),
        "timestamp" => match timestamp_seconds(&Value::from(text.trim())) {
            Some(secs) => timestamp_value(secs, style),
            None => Value::from(text),
        },
        "blob" => match base64::engine::general_purpose::STANDARD.decode(text.trim()) {
            Ok(bytes) => blob_value(&bytes),
            Err(_) => Value::from(text),
        },
        _ => Value::from(text),
    }
}

/// An error answer, as far as it could be read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceError {
    /// The error code (`ResourceNotFoundException`, `InvalidParameter`), when the answer
    /// had one.
    pub code: Option<String>,
    /// The code the service gave its query-protocol clients, when it said
    /// (`AWS.SimpleQueueService.NonExistentQueue`).
    pub legacy_code: Option<String>,
    /// The message.
    pub message: Option<String>,
    /// The request id.
    pub request_id: Option<String>,
}

/// Reads an error answer.
pub fn parse_error(model: &Model, response: &HttpResponse) -> ServiceError {
    let mut e = ServiceError {
        request_id: response.request_id().map(str::to_owned),
        legacy_code: response
            .header("x-amzn-query-error")
            .and_then(|h| h.split(';').next())
            .filter(|c| !c.is_empty())
            .map(str::to_owned),
        ..ServiceError::default()
    };
    let xml = response.body.trim_ascii_start().starts_with(b"<");
    match model.meta.protocol.as_str() {
        // An XML answer from a JSON service (some front ends and emulators answer
        // authentication failures so) is read as XML.
        "json" | "rest-json" if !xml => {
            let json: Option<serde_json::Value> = serde_json::from_slice(&response.body).ok();
            let field = |names: &[&str]| {
                json.as_ref().and_then(|j| {
                    names
                        .iter()
                        .find_map(|n| j.get(*n).and_then(|v| v.as_str()).map(str::to_owned))
                })
            };
            let code = response
                .header("x-amzn-errortype")
                .map(str::to_owned)
                .or_else(|| field(&["__type", "code", "Code"]));
            e.code = code.map(|c| {
                let c = c.split(':').next().unwrap_or(&c);
                c.rsplit('#').next().unwrap_or(c).to_owned()
            });
            e.message = field(&["message", "Message", "errorMessage"]);
        }
        _ => {
            if let Some(doc) = std::str::from_utf8(&response.body)
                .ok()
                .and_then(|t| roxmltree::Document::parse(t).ok())
            {
                let find = |name: &str| {
                    doc.descendants()
                        .find(|n| n.has_tag_name(name))
                        .and_then(|n| n.text())
                        .map(str::to_owned)
                };
                e.code = find("Code");
                e.message = find("Message");
                if e.request_id.is_none() {
                    e.request_id = find("RequestId");
                }
            }
        }
    }
    e
}

/// Headers as the optimized integrations report them (`SdkHttpMetadata`), with the
/// casing AWS's front ends give the common ones.
pub fn http_metadata(response: &HttpResponse) -> (Value, Value) {
    let mut all: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let mut one = Map::default();
    for (k, v) in &response.headers {
        let name = match k.as_str() {
            "content-type" => "Content-Type".to_owned(),
            "content-length" => "Content-Length".to_owned(),
            "date" => "Date".to_owned(),
            "server" => "Server".to_owned(),
            "connection" => "Connection".to_owned(),
            "x-amzn-requestid" => "x-amzn-RequestId".to_owned(),
            other => other.to_owned(),
        };
        all.entry(name.clone())
            .or_default()
            .push(Value::from(v.as_str()));
        one.insert(name.into(), Value::from(v.as_str()));
    }
    let mut http = Map::default();
    http.insert(
        "AllHttpHeaders".into(),
        Value::object(
            all.into_iter()
                .map(|(k, v)| (k.into(), Value::array(v)))
                .collect(),
        ),
    );
    http.insert("HttpHeaders".into(), Value::object(one));
    http.insert(
        "HttpStatusCode".into(),
        Value::from(u64::from(response.status)),
    );
    let mut meta = Map::default();
    meta.insert(
        "RequestId".into(),
        Value::from(response.request_id().unwrap_or_default()),
    );
    (Value::object(http), Value::object(meta))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::model::service;

    fn req(sdk: &str, op: &str, input: &str) -> Result<HttpRequest, InputError> {
        let m = service(sdk).unwrap().model();
        let o = m.operation(op).unwrap();
        build_request(m, op, o, &Value::from_json_str(input).unwrap())
    }

    #[test]
    fn json_requests_take_pascal_case_parameters() {
        let r = req("ecs", "RunTask", r#"{"Cluster":"c","TaskDefinition":"td","Overrides":{"ContainerOverrides":[{"Name":"a","Environment":[{"Name":"K","Value":"V"}]}]}}"#).unwrap();
        assert_eq!(
            String::from_utf8(r.body).unwrap(),
            r#"{"cluster":"c","taskDefinition":"td","overrides":{"containerOverrides":[{"name":"a","environment":[{"name":"K","value":"V"}]}]}}"#
        );
        assert!(r.headers.contains(&(
            "x-amz-target".into(),
            "AmazonEC2ContainerServiceV20141113.RunTask".into()
        )));
        let e = req("dynamodb", "GetItem", r#"{"TableName":"t","Nope":1}"#).unwrap_err();
        assert_eq!(e.0, "The field 'Nope' is not supported by Step Functions");
    }

    #[test]
    fn string_members_take_json_as_text() {
        let r = req(
            "sqs",
            "SendMessage",
            r#"{"QueueUrl":"q","MessageBody":{"a":1}}"#,
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(r.body).unwrap(),
            r#"{"QueueUrl":"q","MessageBody":"{\"a\":1}"}"#
        );
    }

    #[test]
    fn query_requests_flatten_lists_and_maps() {
        let r = req(
            "sns",
            "Publish",
            r#"{"TopicArn":"arn:t","Message":"hi there","MessageAttributes":{"k":{"DataType":"String","StringValue":"v"}}}"#,
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(r.body).unwrap(),
            "Action=Publish&Version=2010-03-31&TopicArn=arn%3At&Message=hi%20there&MessageAttributes.entry.1.Name=k&MessageAttributes.entry.1.Value.DataType=String&MessageAttributes.entry.1.Value.StringValue=v"
        );
    }

    #[test]
    fn rest_json_requests_fill_the_uri() {
        let r = req(
            "lambda",
            "Invoke",
            r#"{"FunctionName":"f","Payload":{"x":1},"InvocationType":"Event","Qualifier":"1"}"#,
        )
        .unwrap();
        assert_eq!(r.path, "/2015-03-31/functions/f/invocations?Qualifier=1");
        assert_eq!(r.body, br#"{"x":1}"#);
        assert!(
            r.headers
                .contains(&("x-amz-invocation-type".into(), "Event".into()))
        );
        let r = req(
            "batch",
            "SubmitJob",
            r#"{"JobName":"j","JobQueue":"q","JobDefinition":"d"}"#,
        )
        .unwrap();
        assert_eq!(r.path, "/v1/submitjob");
        assert_eq!(
            r.body,
            br#"{"jobName":"j","jobQueue":"q","jobDefinition":"d"}"#
        );
    }

    #[test]
    fn query_responses_are_read_from_xml() {
        let m = service("sns").unwrap().model();
        let op = m.operation("Publish").unwrap();
        let body = br#"<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-1</MessageId></PublishResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></PublishResponse>"#;
        let resp = HttpResponse {
            status: 200,
            headers: vec![],
            body: body.to_vec(),
        };
        let v = parse_response(m, op, &resp, Style::Optimized).unwrap();
        assert_eq!(v.to_json_string(), r#"{"MessageId":"m-1"}"#);
        let op = m.operation("ListTopics").unwrap();
        let body = br#"<ListTopicsResponse><ListTopicsResult><Topics><member><TopicArn>a</TopicArn></member><member><TopicArn>b</TopicArn></member></Topics></ListTopicsResult></ListTopicsResponse>"#;
        let resp = HttpResponse {
            status: 200,
            headers: vec![],
            body: body.to_vec(),
        };
        let v = parse_response(m, op, &resp, Style::Sdk).unwrap();
        assert_eq!(
            v.to_json_string(),
            r#"{"Topics":[{"TopicArn":"a"},{"TopicArn":"b"}]}"#
        );
        let err = br#"<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameter</Code><Message>Invalid parameter: x</Message></Error><RequestId>r-2</RequestId></ErrorResponse>"#;
        let e = parse_error(
            m,
            &HttpResponse {
                status: 400,
                headers: vec![],
                body: err.to_vec(),
            },
        );
        assert_eq!(e.code.as_deref(), Some("InvalidParameter"));
        assert_eq!(e.request_id.as_deref(), Some("r-2"));
    }

    #[test]
    fn json_responses_capitalise_and_convert_timestamps() {
        let m = service("sfn").unwrap().model();
        let op = m.operation("StartExecution").unwrap();
        let resp = HttpResponse {
            status: 200,
            headers: vec![],
            body: br#"{"executionArn":"arn:x","startDate":1700000000.5}"#.to_vec(),
        };
        let v = parse_response(m, op, &resp, Style::Sdk).unwrap();
        assert_eq!(
            v.to_json_string(),
            r#"{"ExecutionArn":"arn:x","StartDate":"2023-11-14T22:13:20.500Z"}"#
        );
        let v = parse_response(m, op, &resp, Style::Optimized).unwrap();
        assert_eq!(
            v.to_json_string(),
            r#"{"ExecutionArn":"arn:x","StartDate":1700000000500}"#
        );
        let e = parse_error(
            m,
            &HttpResponse {
                status: 400,
                headers: vec![],
                body: br#"{"__type":"com.amazonaws.swf.service.model.v20161123#StateMachineDoesNotExist","message":"gone"}"#.to_vec(),
            },
        );
        assert_eq!(e.code.as_deref(), Some("StateMachineDoesNotExist"));
        assert_eq!(e.message.as_deref(), Some("gone"));
    }
}
