//! `QueryLanguage`: JSONPath (the default) or JSONata, for the machine or one state.

use super::fields::Fields;
use crate::diagnostic::Diagnostics;

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
}

/// Reads the `QueryLanguage` field of an object; `None` when absent (the caller inherits
/// `outer`). A state may not go back to JSONPath inside a JSONata machine.
pub(super) fn parse_field(
    f: &mut Fields<'_>,
    outer: QueryLanguage,
    d: &mut Diagnostics,
) -> Option<QueryLanguage> {
    let text = f.string("QueryLanguage", d)?;
    let at = f.at_field("QueryLanguage");
    let ql = match text {
        "JSONPath" => QueryLanguage::JsonPath,
        "JSONata" => QueryLanguage::Jsonata,
        _ => {
            d.schema(
                &at,
                "The field 'QueryLanguage' should have one of these values: [JSONPath, JSONata]",
            );
            return None;
        }
    };
    if outer == QueryLanguage::Jsonata && ql == QueryLanguage::JsonPath {
        d.schema(
            &at,
            "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
        );
    }
    Some(ql)
}
