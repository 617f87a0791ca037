//! Definitions as text: JSON, as the Step Functions API takes them, or YAML, as SAM and
//! the Serverless Framework users write them.

use baton_json::Value;

use super::duplicates;
use super::{ParseOptions, Parsed, parse};
use crate::diagnostic::{Code, Diagnostics, Segment};

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
///
/// As AWS does: text that is blank, or JSON that is not an object, is reported as
/// `SCHEMA_VALIDATION_FAILED: Definition must be a valid JSON object` without a location
/// (recorded for blank text); text that does not parse as `INVALID_JSON_DESCRIPTION`,
/// located the way AWS's JSON reader writes it: `[Source: (String)"..."; line: 1,
/// column: 4]` (the format is AWS's; the message is this reader's, not AWS's).
pub fn parse_text(text: &str, format: Option<DefinitionFormat>, options: ParseOptions) -> Parsed {
    let mut d = Diagnostics::new();
    if text.trim().is_empty() {
        d.error_unlocated(Code::SchemaValidationFailed, NOT_AN_OBJECT);
        return Parsed {
            machine: None,
            diagnostics: d,
        };
    }
    let format = format.unwrap_or_else(|| DefinitionFormat::detect(text));
    match read(text, Some(format)) {
        Ok(value) if value.is_object() => {
            let mut parsed = parse(&value, options);
            if format == DefinitionFormat::Json {
                for at in duplicates::duplicate_states(text) {
                    let name = match at.segments().last() {
                        Some(Segment::Key(k)) => k.to_owned(),
                        _ => String::new(),
                    };
                    // Step Functions Local's wording (the service's is not recorded).
                    parsed.diagnostics.error(
                        Code::DuplicateStateName,
                        &at,
                        format!("Duplicate State name: {name}"),
                    );
                }
            }
            parsed
        }
        Ok(_) => {
            d.error_unlocated(Code::SchemaValidationFailed, NOT_AN_OBJECT);
            Parsed {
                machine: None,
                diagnostics: d,
            }
        }
        Err(e) => {
            let source = source_location(text, e.line.max(1), e.column.max(1));
            d.error_at_text(
                Code::InvalidJsonDescription,
                &source,
                format!("{}\n at {source}", e.message),
            );
            Parsed {
                machine: None,
                diagnostics: d,
            }
        }
    }
}

const NOT_AN_OBJECT: &str = "Definition must be a valid JSON object";

/// Reads a definition's text into a JSON value, with the reader's message on failure.
pub fn read_text(text: &str, format: Option<DefinitionFormat>) -> Result<Value, String> {
    read(text, format).map_err(|e| e.full)
}

/// Why a text is not JSON (or YAML): the reader's message, and where (1-based).
struct SyntaxError {
    /// The message without its position.
    message: String,
    /// The message as the reader writes it.
    full: String,
    line: usize,
    column: usize,
}

fn read(text: &str, format: Option<DefinitionFormat>) -> Result<Value, SyntaxError> {
    match format.unwrap_or_else(|| DefinitionFormat::detect(text)) {
        DefinitionFormat::Json => Value::from_json_str(text).map_err(|e| {
            let full = e.to_string();
            let message = match full.rfind(" at line ") {
                Some(i) => full[..i].to_owned(),
                None => full.clone(),
            };
            SyntaxError {
                message,
                full,
                line: e.line(),
                column: e.column(),
            }
        }),
        DefinitionFormat::Yaml => serde_norway::from_str::<Value>(text).map_err(|e| {
            let full = e.to_string();
            let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
            let message = match full.rfind(" at line ") {
                Some(i) => full[..i].to_owned(),
                None => full.clone(),
            };
            SyntaxError {
                message,
                full,
                line,
                column,
            }
        }),
    }
}

/// The longest part of the text AWS's JSON reader quotes in a location.
const MAX_QUOTED: usize = 500;

/// `[Source: (String)"TEXT"; line: L, column: C]`, with long texts cut as AWS's reader
/// cuts them (`"..."[truncated N chars]`).
fn source_location(text: &str, line: usize, column: usize) -> String {
    let total = text.chars().count();
    let quoted: String = text.chars().take(MAX_QUOTED).collect();
    let cut = if total > MAX_QUOTED {
        format!("[truncated {} chars]", total - MAX_QUOTED)
    } else {
        String::new()
    };
    format!("[Source: (String)\"{quoted}\"{cut}; line: {line}, column: {column}]")
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
    fn blank_text_and_non_objects_are_not_definitions() {
        for text in [" ", "\n\t", "[]", "\"x\"", "1"] {
            let p = parse_text(text, None, ParseOptions::default());
            let d: Vec<_> = p.diagnostics.iter().collect();
            assert_eq!(d.len(), 1, "{text:?}");
            assert_eq!(
                d[0].render(),
                format!("SCHEMA_VALIDATION_FAILED: {NOT_AN_OBJECT}")
            );
        }
    }

    #[test]
    fn syntax_errors_are_located_as_aws_does() {
        let p = parse_text(
            "not a definition",
            Some(DefinitionFormat::Json),
            ParseOptions::default(),
        );
        let d: Vec<_> = p.diagnostics.iter().collect();
        assert_eq!(d[0].code, Code::InvalidJsonDescription);
        assert!(
            d[0].location
                .starts_with("[Source: (String)\"not a definition\"; line: 1, column: "),
            "{}",
            d[0].location
        );
        let long = format!("{{{}", " ".repeat(600));
        let p = parse_text(&long, None, ParseOptions::default());
        let d: Vec<_> = p.diagnostics.iter().collect();
        assert!(
            d[0].location.contains("\"[truncated 101 chars]; line: 1"),
            "{}",
            d[0].location
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
