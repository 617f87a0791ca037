//! Definitions as text: JSON, as the Step Functions API takes them, or YAML, as SAM and
//! the Serverless Framework users write them.

use baton_json::Value;

use super::{ParseOptions, Parsed, parse};
use crate::diagnostic::{Code, Diagnostics, Pointer};

/// The syntax of a definition's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefinitionFormat {
    /// JSON.
    Json,
    /// YAML (1.2, as a superset of JSON).
    Yaml,
}

impl DefinitionFormat {
    /// Guesses the format: JSON when the text starts with `{` (after whitespace), else YAML.
    pub fn detect(text: &str) -> DefinitionFormat {
        if text.trim_start().starts_with('{') {
            DefinitionFormat::Json
        } else {
            DefinitionFormat::Yaml
        }
    }
}

/// Parses and validates a definition's text. `format: None` detects it.
pub fn parse_text(text: &str, format: Option<DefinitionFormat>, options: ParseOptions) -> Parsed {
    match read_text(text, format) {
        Ok(value) => parse(&value, options),
        Err(message) => {
            let mut d = Diagnostics::new();
            d.error(Code::InvalidJsonDescription, &Pointer::root(), message);
            Parsed {
                machine: None,
                diagnostics: d,
            }
        }
    }
}

/// Reads a definition's text into a JSON value, with the reader's message on failure.
pub fn read_text(text: &str, format: Option<DefinitionFormat>) -> Result<Value, String> {
    match format.unwrap_or_else(|| DefinitionFormat::detect(text)) {
        DefinitionFormat::Json => Value::from_json_str(text).map_err(|e| e.to_string()),
        DefinitionFormat::Yaml => serde_norway::from_str::<Value>(text).map_err(|e| e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_and_json_give_the_same_machine() {
        let yaml = "StartAt: A\nStates:\n  A:\n    Type: Pass\n    Result: {x: 1}\n    End: true\n";
        let json = r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Result":{"x":1},"End":true}}}"#;
        let a = read_text(yaml, None).unwrap();
        let b = read_text(json, None).unwrap();
        assert!(a.json_eq(&b));
        assert!(
            parse_text(yaml, None, ParseOptions::default())
                .valid()
                .is_ok()
        );
    }

    #[test]
    fn text_that_is_not_json_is_reported() {
        let p = parse_text(
            "{ not json",
            Some(DefinitionFormat::Json),
            ParseOptions::default(),
        );
        let d: Vec<_> = p.diagnostics.iter().collect();
        assert_eq!(d[0].code, Code::InvalidJsonDescription);
    }
}
