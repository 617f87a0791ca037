//! A value computed from a template: a JSONPath payload template (`"key.$"` fields) or a
//! JSONata template (`{% ... %}` strings).

use baton_json::Value;

use super::QueryLanguage;
use crate::diagnostic::{Diagnostics, Pointer};
use crate::jsonata::JsonataTemplate;
use crate::template::Template;

/// A template in the state's query language.
#[derive(Debug, Clone)]
pub enum Payload {
    /// A payload template: keys ending in `.$` take a path or an intrinsic function.
    JsonPath(Template),
    /// A JSONata template: every string of the form `{% expr %}` is an expression.
    Jsonata(JsonataTemplate),
}

impl Payload {
    /// Compiles `value` as a template of the given language.
    pub(crate) fn compile(
        value: &Value,
        ql: QueryLanguage,
        at: &Pointer,
        d: &mut Diagnostics,
    ) -> Payload {
        match ql {
            QueryLanguage::JsonPath => Payload::JsonPath(Template::compile(value, at, d)),
            QueryLanguage::Jsonata => match JsonataTemplate::compile(value, at, d) {
                Some(t) => Payload::Jsonata(t),
                // Reported; the machine is not run.
                None => Payload::JsonPath(Template::literal(Value::Null)),
            },
        }
    }
}
