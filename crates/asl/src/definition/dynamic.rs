//! A field whose value is computed at run time from a path or an intrinsic function call
//! (`ErrorPath`, `CausePath`, ...), or a JSONata expression.

use crate::diagnostic::{Diagnostics, Pointer};
use crate::intrinsic::Call;
use crate::jsonata::Expr;
use crate::path::Path;

/// A path, an intrinsic function call, or a JSONata expression.
#[derive(Debug, Clone)]
pub enum Dynamic {
    /// A JSONPath (input, `$$` context or `$var` variable).
    Path(Path),
    /// An intrinsic function call, e.g. `States.Format('{}', $.x)`.
    Call(Call),
    /// A JSONata expression (the text between `{%` and `%}`), compiled.
    Jsonata(Expr),
}

impl Dynamic {
    /// Parses the value of a `...Path` field that accepts a path or an intrinsic call.
    pub(crate) fn parse_path_or_call(
        text: &str,
        field: &str,
        at: &Pointer,
        d: &mut Diagnostics,
    ) -> Option<Dynamic> {
        if text.trim_start().starts_with("States.") {
            match Call::parse(text) {
                Ok(call) => Some(Dynamic::Call(call)),
                Err(e) => {
                    d.schema(
                        at,
                        format!("The value for the field '{field}' must be a valid JSONPath or a valid intrinsic function call ({e})"),
                    );
                    None
                }
            }
        } else {
            Self::parse_path(text, field, at, d).map(Dynamic::Path)
        }
    }

    /// Parses the value of a `...Path` field that accepts only a path.
    pub(crate) fn parse_path(
        text: &str,
        field: &str,
        at: &Pointer,
        d: &mut Diagnostics,
    ) -> Option<Path> {
        match Path::parse(text) {
            Ok(p) => Some(p),
            Err(_) => {
                d.schema(
                    at,
                    format!("The value for the field '{field}' must be a valid JSONPath"),
                );
                None
            }
        }
    }

    /// Parses the value of a field that must be a reference path (no wildcards, filters).
    pub(crate) fn parse_reference_path(
        text: &str,
        field: &str,
        at: &Pointer,
        d: &mut Diagnostics,
    ) -> Option<Path> {
        let p = Self::parse_path(text, field, at, d)?;
        if !p.is_reference() {
            d.schema(
                at,
                format!("The value for the field '{field}' must be a valid ReferencePath"),
            );
            return None;
        }
        Some(p)
    }
}

/// The expression inside a JSONata template string `{% expr %}`, if `text` is one.
pub fn jsonata_expression(text: &str) -> Option<&str> {
    let t = text.strip_prefix("{%")?.strip_suffix("%}")?;
    Some(t)
}

/// The expression of a field that, in a JSONata state, takes either its usual JSON value
/// or a `{% expr %}` string; reports any other string.
pub(crate) fn jsonata_template(
    text: &str,
    field: &str,
    at: &Pointer,
    d: &mut Diagnostics,
) -> Option<Expr> {
    match jsonata_expression(text) {
        Some(expr) => crate::jsonata::compile_expr(expr, at, d),
        None => {
            // Not verified against AWS.
            d.schema(
                at,
                format!(
                    "The value for the field '{field}' must be a JSONata expression ({{% ... %}})"
                ),
            );
            None
        }
    }
}
