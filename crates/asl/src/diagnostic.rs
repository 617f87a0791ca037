//! Problems found in a definition: a stable code, a message, and where (a JSON pointer).
//!
//! Parsing and validation never stop at the first problem: every function that reads a
//! part of a definition pushes what it finds wrong into a [`Diagnostics`] and carries on,
//! so users see every error at once.

use std::fmt;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    /// The definition is rejected.
    Error,
    /// Accepted, but probably not what was meant.
    Warning,
}

impl Severity {
    /// `ERROR` or `WARNING`, as ValidateStateMachineDefinition writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "ERROR",
            Severity::Warning => "WARNING",
        }
    }
}

/// The kind of a problem. The codes are AWS's, so messages read as AWS's do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    /// The definition is not JSON (or YAML) at all.
    InvalidJsonDescription,
    /// A field is missing, has the wrong type or value, or is not allowed here.
    SchemaValidationFailed,
    /// `Next`, `Default` or `StartAt` names a state that does not exist.
    MissingTransitionTarget,
    /// A state no path from `StartAt` reaches.
    UnreachableState,
    /// A state neither transitions nor ends.
    NoTerminalState,
    /// Two states share a name across branches.
    DuplicateStateName,
    /// A variable is read that no state assigns.
    InvalidVariableReference,
    /// A JSONata expression does not parse.
    InvalidJsonata,
    /// A JSONPath expression does not parse.
    InvalidJsonPath,
    /// An intrinsic function call does not parse or has bad arguments.
    InvalidIntrinsicFunction,
    /// A `Resource` is not a valid ARN for a task.
    InvalidResource,
}

impl Code {
    /// The code as AWS writes it, e.g. `SCHEMA_VALIDATION_FAILED`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::InvalidJsonDescription => "INVALID_JSON_DESCRIPTION",
            Code::SchemaValidationFailed => "SCHEMA_VALIDATION_FAILED",
            Code::MissingTransitionTarget => "MISSING_TRANSITION_TARGET",
            Code::UnreachableState => "UNREACHABLE_STATE",
            Code::NoTerminalState => "NO_TERMINAL_STATE",
            Code::DuplicateStateName => "DUPLICATE_STATE_NAME",
            Code::InvalidVariableReference => "INVALID_VARIABLE_REFERENCE",
            Code::InvalidJsonata => "INVALID_JSONATA",
            Code::InvalidJsonPath => "INVALID_JSON_PATH",
            Code::InvalidIntrinsicFunction => "INVALID_INTRINSIC_FUNCTION",
            Code::InvalidResource => "INVALID_RESOURCE",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem in a definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// What kind of problem.
    pub code: Code,
    /// What is wrong, in AWS's words, without the location.
    pub message: String,
    /// Where: a JSON pointer into the definition, e.g. `/States/Step1/Next`.
    pub location: String,
    /// Error or warning.
    pub severity: Severity,
}

impl Diagnostic {
    /// The diagnostic as one AWS error entry: `CODE: message at /location`.
    pub fn render(&self) -> String {
        if self.location.is_empty() {
            format!("{}: {}", self.code, self.message)
        } else {
            format!("{}: {} at {}", self.code, self.message, self.location)
        }
    }
}

/// The problems found so far.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// No problems yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records an error.
    pub fn error(&mut self, code: Code, at: &Pointer, message: impl Into<String>) {
        self.items.push(Diagnostic {
            code,
            message: message.into(),
            location: at.as_str().to_owned(),
            severity: Severity::Error,
        });
    }

    /// Records a warning.
    pub fn warning(&mut self, code: Code, at: &Pointer, message: impl Into<String>) {
        self.items.push(Diagnostic {
            code,
            message: message.into(),
            location: at.as_str().to_owned(),
            severity: Severity::Warning,
        });
    }

    /// Records a schema error (`SCHEMA_VALIDATION_FAILED`), the most common kind.
    pub fn schema(&mut self, at: &Pointer, message: impl Into<String>) {
        self.error(Code::SchemaValidationFailed, at, message);
    }

    /// `true` when at least one error (not just warnings) was found.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// Every problem, in the order found.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Number of problems.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// `true` when nothing was found.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The problems, consumed.
    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }

    /// The message of AWS's `InvalidDefinition` error for these problems:
    /// `Invalid State Machine Definition: 'CODE: message at /location'`, and for several
    /// errors each one quoted and joined by `, ` inside the outer quotes.
    pub fn aws_message(&self) -> String {
        let errors: Vec<String> = self
            .items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(Diagnostic::render)
            .collect();
        let body = match errors.as_slice() {
            [one] => one.clone(),
            many => many
                .iter()
                .map(|e| format!("'{e}'"))
                .collect::<Vec<_>>()
                .join(", "),
        };
        format!("Invalid State Machine Definition: '{body}'")
    }
}

/// A JSON pointer (RFC 6901) to a place in a definition.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Pointer(String);

impl Pointer {
    /// The whole document (`""`).
    pub fn root() -> Pointer {
        Pointer(String::new())
    }

    /// The pointer to member `key` (or element, for a number) below this one.
    pub fn child(&self, key: impl fmt::Display) -> Pointer {
        use std::fmt::Write as _;
        let mut s = String::with_capacity(self.0.len() + 16);
        s.push_str(&self.0);
        s.push('/');
        let key = key.to_string();
        for c in key.chars() {
            match c {
                '~' => s.push_str("~0"),
                '/' => s.push_str("~1"),
                c => {
                    let _ = s.write_char(c);
                }
            }
        }
        Pointer(s)
    }

    /// The pointer's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_escape_tilde_and_slash() {
        let p = Pointer::root().child("States").child("a/b~c").child(0);
        assert_eq!(p.as_str(), "/States/a~1b~0c/0");
    }

    #[test]
    fn renders_as_aws_does() {
        let mut d = Diagnostics::new();
        d.schema(
            &Pointer::root()
                .child("States")
                .child("X")
                .child("Timestamp"),
            "String does not match RFC3339 timestamp",
        );
        assert_eq!(
            d.iter().next().unwrap().render(),
            "SCHEMA_VALIDATION_FAILED: String does not match RFC3339 timestamp at /States/X/Timestamp"
        );
    }
}
