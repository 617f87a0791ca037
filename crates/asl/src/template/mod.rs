//! Payload templates of JSONPath mode, as used by Parameters, ResultSelector,
//! ItemSelector and Assign: a JSON value where a member whose name ends in `.$` takes
//! the value of a path (`$...` input, `$$...` context, `$name...` variable) or of an
//! intrinsic function call, under the name without `.$`.
//!
//! A template is compiled once: names are built as shared strings, and every part with
//! no `.$` member is kept as one literal, so evaluating copies nothing but reference
//! counts, and a template without any `.$` evaluates to a clone of itself.

#[cfg(test)]
mod tests;

use baton_json::{Map, Str, Value};

use crate::diagnostic::{Diagnostics, Pointer};
use crate::error_name;
use crate::intrinsic::{Call, Expression, IntrinsicError, classify};
use crate::path::{Path, PathError};
use crate::scope::Scope;

/// A compiled payload template.
#[derive(Debug, Clone)]
pub struct Template {
    root: Node,
}

#[derive(Debug, Clone)]
enum Node {
    /// A part without `.$` members, used as is.
    Literal(Value),
    /// An object with computed members, in order.
    Object(Box<[(Str, Node)]>),
    /// An array with computed elements.
    Array(Box<[Node]>),
    /// `"name.$": "$..."`; `field` is the member's name with its `.$`.
    Path { field: Str, path: Path },
    /// `"name.$": "States.X(...)"`.
    Call { field: Str, call: Call },
}

/// A template member that could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TemplateError {
    /// A path designates nothing in its document.
    #[error("{cause}")]
    PathNotFound {
        /// The member's name, with its `.$` (e.g. `value.$`).
        field: Str,
        /// The path as written.
        path: Str,
        /// Why it did not apply.
        source: PathError,
        /// AWS's cause.
        cause: String,
    },
    /// An intrinsic function call failed.
    #[error("{cause}")]
    Intrinsic {
        /// The member's name, with its `.$`.
        field: Str,
        /// What failed.
        source: IntrinsicError,
        /// AWS's cause.
        cause: String,
    },
}

impl TemplateError {
    /// AWS's cause, e.g. `The JSONPath '$.x' specified for the field 'foo.$' could not
    /// be found in the input '{"a":1}'` (the engine prefixes it with the state's name).
    pub fn cause(&self) -> &str {
        match self {
            TemplateError::PathNotFound { cause, .. } | TemplateError::Intrinsic { cause, .. } => {
                cause
            }
        }
    }

    /// The error name: `States.Runtime`.
    pub fn error_name(&self) -> &'static str {
        match self {
            TemplateError::PathNotFound { .. } => error_name::RUNTIME,
            TemplateError::Intrinsic { source, .. } => source.error_name(),
        }
    }

    /// The member that failed, with its `.$`.
    pub fn field(&self) -> &str {
        match self {
            TemplateError::PathNotFound { field, .. } | TemplateError::Intrinsic { field, .. } => {
                field
            }
        }
    }
}

impl Template {
    /// Compiles `value`, found at `at` in the definition. Paths and calls that do not
    /// parse are reported as AWS does, at the object holding the member.
    pub fn compile(value: &Value, at: &Pointer, diags: &mut Diagnostics) -> Template {
        Template {
            root: compile(value, at, diags),
        }
    }

    /// A template that always yields `value`.
    pub fn literal(value: Value) -> Template {
        Template {
            root: Node::Literal(value),
        }
    }

    /// The value, when the template has no `.$` member at all.
    pub fn as_literal(&self) -> Option<&Value> {
        match &self.root {
            Node::Literal(v) => Some(v),
            _ => None,
        }
    }

    /// Computes the template for `input`; `$$` and `$name` come from `scope`.
    pub fn eval(&self, input: &Value, scope: &mut dyn Scope) -> Result<Value, TemplateError> {
        eval(&self.root, input, scope)
    }

    /// Every path read by the template (directly or as call arguments), in order.
    pub fn paths(&self) -> Vec<&Path> {
        let mut out = Vec::new();
        collect_paths(&self.root, &mut out);
        out
    }
}

fn collect_paths<'a>(node: &'a Node, out: &mut Vec<&'a Path>) {
    match node {
        Node::Literal(_) => {}
        Node::Object(entries) => entries.iter().for_each(|(_, n)| collect_paths(n, out)),
        Node::Array(items) => items.iter().for_each(|n| collect_paths(n, out)),
        Node::Path { path, .. } => out.push(path),
        Node::Call { call, .. } => out.extend(call.paths()),
    }
}

/// `true` when some object inside `value` has a member whose name ends in `.$`.
fn is_dynamic(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.iter().any(|(k, v)| k.ends_with(".$") || is_dynamic(v)),
        Value::Array(items) => items.iter().any(is_dynamic),
        _ => false,
    }
}

fn compile(value: &Value, at: &Pointer, diags: &mut Diagnostics) -> Node {
    if !is_dynamic(value) {
        return Node::Literal(value.clone());
    }
    match value {
        Value::Object(map) => {
            let mut entries = Vec::with_capacity(map.len());
            for (key, v) in map.iter() {
                match key.strip_suffix(".$") {
                    Some(name) => {
                        let node = member(key, v, at, diags);
                        entries.push((Str::from(name), node));
                    }
                    None => entries.push((key.clone(), compile(v, &at.child(key), diags))),
                }
            }
            Node::Object(entries.into_boxed_slice())
        }
        Value::Array(items) => Node::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| compile(v, &at.index(i), diags))
                .collect(),
        ),
        other => Node::Literal(other.clone()),
    }
}

/// The value of a `.$` member: a path or an intrinsic call.
fn member(field: &Str, value: &Value, at: &Pointer, diags: &mut Diagnostics) -> Node {
    let parsed = match value {
        Value::String(text) => match classify(text) {
            Expression::Path => Path::parse(text).ok().map(|path| Node::Path {
                field: field.clone(),
                path,
            }),
            Expression::Call => Call::parse(text).ok().map(|call| Node::Call {
                field: field.clone(),
                call,
            }),
        },
        _ => None,
    };
    parsed.unwrap_or_else(|| {
        diags.schema(
            at,
            format!(
                "The value for the field '{field}' must be a valid JSONPath or a valid intrinsic function call"
            ),
        );
        Node::Literal(Value::Null)
    })
}

fn eval(node: &Node, input: &Value, scope: &mut dyn Scope) -> Result<Value, TemplateError> {
    match node {
        Node::Literal(v) => Ok(v.clone()),
        Node::Object(entries) => {
            let mut map = Map::with_capacity_and_hasher(entries.len(), Default::default());
            for (name, n) in entries.iter() {
                map.insert(name.clone(), eval(n, input, scope)?);
            }
            Ok(Value::object(map))
        }
        Node::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for n in items.iter() {
                out.push(eval(n, input, scope)?);
            }
            Ok(Value::array(out))
        }
        Node::Path { field, path } => {
            path.eval(input, scope)
                .map_err(|source| TemplateError::PathNotFound {
                    cause: path_not_found_cause(path.as_str(), field, input),
                    field: field.clone(),
                    path: path.as_str().into(),
                    source,
                })
        }
        Node::Call { field, call } => {
            call.eval(input, scope)
                .map_err(|source| TemplateError::Intrinsic {
                    cause: source.cause(field, input),
                    field: field.clone(),
                    source,
                })
        }
    }
}

fn path_not_found_cause(path: &str, field: &str, input: &Value) -> String {
    crate::intrinsic::path_not_found_cause(path, field, input)
}
