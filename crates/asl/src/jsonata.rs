//! JSONata expressions and templates of a definition, compiled once when the definition
//! is parsed and shared by every execution (the compiled forms are `Send + Sync`).

use std::fmt;
use std::sync::Arc;

use baton_json::Value;
use baton_jsonata::{Expression, JsonataError, Template};

use crate::diagnostic::{Code, Diagnostics, Pointer};

/// A JSONata expression: the text between `{%` and `%}`, compiled.
#[derive(Clone)]
pub struct Expr(Arc<Expression>);

impl Expr {
    /// Compiles an expression as Step Functions runs it.
    pub fn compile(text: &str) -> Result<Expr, JsonataError> {
        Expression::compile(text).map(|e| Expr(Arc::new(e)))
    }

    /// The expression's text.
    pub fn text(&self) -> &str {
        self.0.text()
    }

    /// The compiled expression.
    pub fn expression(&self) -> &Expression {
        &self.0
    }

    /// The names of the variables it mentions.
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        self.0.variables()
    }
}

impl fmt::Debug for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Expr({:?})", self.text())
    }
}

/// A JSON value in which every string `{% expr %}` is a JSONata expression (Arguments,
/// Output, Assign, Items, ItemSelector in JSONata states), compiled.
#[derive(Clone)]
pub struct JsonataTemplate(Arc<Template>);

impl JsonataTemplate {
    /// Compiles `value`, reporting a syntax error at its place below `at`.
    pub(crate) fn compile(
        value: &Value,
        at: &Pointer,
        d: &mut Diagnostics,
    ) -> Option<JsonataTemplate> {
        match Template::compile(value) {
            Ok(t) if t.calls_eval() => {
                forbid_eval(at, d);
                None
            }
            Ok(t) => Some(JsonataTemplate(Arc::new(t))),
            Err((pointer, e)) => {
                let mut place = at.clone();
                for part in pointer.split('/').filter(|p| !p.is_empty()) {
                    place = place.child(part);
                }
                report(&e, &place, d);
                None
            }
        }
    }

    /// The compiled template.
    pub fn template(&self) -> &Template {
        &self.0
    }

    /// The names of the variables its expressions mention.
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        self.0.variables()
    }
}

impl fmt::Debug for JsonataTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JsonataTemplate")
    }
}

/// Compiles the expression of a `{% expr %}` field, reporting a syntax error at `at`.
pub(crate) fn compile_expr(text: &str, at: &Pointer, d: &mut Diagnostics) -> Option<Expr> {
    match Expr::compile(text) {
        Ok(e) if e.expression().calls_eval() => {
            forbid_eval(at, d);
            None
        }
        Ok(e) => Some(e),
        Err(e) => {
            report(&e, at, d);
            None
        }
    }
}

fn forbid_eval(at: &Pointer, d: &mut Diagnostics) {
    // Not verified against AWS: the code is AWS's, the wording ours.
    d.error(
        Code::UnsupportedJsonata,
        at,
        "The JSONata function $eval is not supported by Step Functions",
    );
}

fn report(e: &JsonataError, at: &Pointer, d: &mut Diagnostics) {
    // Not verified against AWS: the code is AWS's, the wording ours.
    let position = e
        .position()
        .map(|p| format!(" at position {p}"))
        .unwrap_or_default();
    d.error(
        Code::InvalidJsonata,
        at,
        format!("The JSONata expression is not valid{position}: {e}"),
    );
}
