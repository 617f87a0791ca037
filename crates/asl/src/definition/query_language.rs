//! `QueryLanguage`: JSONPath (the default) or JSONata, for the machine or one state.
//!
//! As AWS resolves it: a state's language is its own `QueryLanguage`, else the machine's.
//! States inside a Parallel branch or a Map item processor inherit the machine's language,
//! not the enclosing state's, and a branch object may not declare one.

use baton_json::Value;

use super::fields::{Fields, wrong_type};
use crate::diagnostic::{Diagnostics, Pointer};

/// The language a state's expressions are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueryLanguage {
    /// Paths (`InputPath`, `Parameters` with `.$` keys, ...) and intrinsic functions.
    #[default]
    JsonPath,
    /// `{% ... %}` expressions in `Arguments`, `Output`, `Assign`, `Condition`, ...
    Jsonata,
}

impl QueryLanguage {
    /// `JSONPath` or `JSONata`.
    pub fn as_str(self) -> &'static str {
        match self {
            QueryLanguage::JsonPath => "JSONPath",
            QueryLanguage::Jsonata => "JSONata",
        }
    }

    fn other(self) -> QueryLanguage {
        match self {
            QueryLanguage::JsonPath => QueryLanguage::Jsonata,
            QueryLanguage::Jsonata => QueryLanguage::JsonPath,
        }
    }
}

/// Reads the `QueryLanguage` field of the machine (`machine: None`) or of a state;
/// `None` when absent (a state then inherits the machine's).
///
/// As AWS does, only the exact string `JSONPath` means JSONPath: any other value reports
/// a diagnostic at the field and counts as JSONata.
pub(super) fn parse_field(
    f: &mut Fields<'_>,
    machine: Option<QueryLanguage>,
    d: &mut Diagnostics,
) -> Option<QueryLanguage> {
    let value = f.take("QueryLanguage")?;
    let at = f.at_field("QueryLanguage");
    let ql = match value {
        Value::String(s) if &**s == "JSONPath" => QueryLanguage::JsonPath,
        Value::String(s) if &**s == "JSONata" => QueryLanguage::Jsonata,
        Value::String(_) => {
            // Not verified against AWS: the wording of AWS's other enum fields.
            d.schema(
                &at,
                "The field 'QueryLanguage' should have one of these values: [JSONata, JSONPath]",
            );
            QueryLanguage::Jsonata
        }
        other => {
            wrong_type(&at, "string", other, d);
            QueryLanguage::Jsonata
        }
    };
    if machine == Some(QueryLanguage::Jsonata) && ql == QueryLanguage::JsonPath {
        // Recorded on AWS (ValidateStateMachineDefinition), located at the state.
        d.schema(
            f.at(),
            "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
        );
    }
    Some(ql)
}

/// Reports a field that exists only in the other query language, at the object that has
/// it: `The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported for
/// the 'JSONata' QueryLanguage` (recorded on AWS; the JSONata-state counterpart is the
/// same sentence with the languages swapped, not verified against AWS).
pub(super) fn wrong_language(field: &str, ql: QueryLanguage, at: &Pointer, d: &mut Diagnostics) {
    d.schema(
        at,
        format!(
            "The QueryLanguage is set to '{}', but field '{field}' is only supported for the '{}' QueryLanguage",
            ql.as_str(),
            ql.other().as_str()
        ),
    );
}
