//! Problems found in a definition: a stable code, a message, and where.
//!
//! Parsing and validation never stop at the first problem: every function that reads a
//! part of a definition pushes what it finds wrong into a [`Diagnostics`] and carries on,
//! so users see every error at once.
//!
//! Locations are written as AWS writes them in `CreateStateMachine` errors and
//! `ValidateStateMachineDefinition` diagnostics: `/`-separated member names with array
//! elements as `[i]`, e.g. `/States/T/Catch[0]/Next`, and `/` for the whole document.
//! A [`Pointer`] also keeps its segments, so tools can find the place in the text
//! whatever characters the names contain.

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

/// The kind of a problem. The codes are AWS's (those ValidateStateMachineDefinition
/// documents, and the JSONata ones its diagnostics carry), so they read as AWS's do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    /// The definition is not JSON (or YAML) at all.
    InvalidJsonDescription,
    /// A field is missing, has the wrong type or value, or is not allowed here.
    SchemaValidationFailed,
    /// `Next`, `Default` or `StartAt` names a state that does not exist, or a state no
    /// path from `StartAt` reaches (AWS reports both under this code).
    MissingTransitionTarget,
    /// A set of states (the machine, a branch or an item processor) has no terminal state.
    MissingEndState,
    /// Two states share a name, anywhere in the machine.
    DuplicateStateName,
    /// A state name breaks the naming rules (its length).
    InvalidStateName,
    /// Two Map states share a `Label`.
    DuplicateLabelName,
    /// A Map state's `Label` breaks the naming rules.
    InvalidLabelName,
    /// States are nested deeper than Step Functions allows.
    TooDeeplyNested,
    /// A `Resource` is not a valid ARN for a task.
    InvalidResource,
    /// A variable is read that no state assigns.
    InvalidVariableReference,
    /// A JSONata expression does not parse.
    InvalidJsonata,
    /// A JSONata expression parses but uses something Step Functions does not offer.
    UnsupportedJsonata,
    /// A JSONPath expression does not parse.
    InvalidJsonPath,
    /// An intrinsic function call does not parse or has bad arguments.
    InvalidIntrinsicFunction,
    /// Warning: a value looks like a path or intrinsic call, but its key lacks `.$`.
    NoDollar,
    /// Warning: a value looks like a path, but its field name does not end with `Path`.
    NoPath,
    /// Warning: a Pass state's `Result` contains a path, which is never evaluated.
    PassResultIsStatic,
}

impl Code {
    /// The code as AWS writes it, e.g. `SCHEMA_VALIDATION_FAILED`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::InvalidJsonDescription => "INVALID_JSON_DESCRIPTION",
            Code::SchemaValidationFailed => "SCHEMA_VALIDATION_FAILED",
            Code::MissingTransitionTarget => "MISSING_TRANSITION_TARGET",
            Code::MissingEndState => "MISSING_END_STATE",
            Code::DuplicateStateName => "DUPLICATE_STATE_NAME",
            Code::InvalidStateName => "INVALID_STATE_NAME",
            Code::DuplicateLabelName => "DUPLICATE_LABEL_NAME",
            Code::InvalidLabelName => "INVALID_LABEL_NAME",
            Code::TooDeeplyNested => "TOO_DEEPLY_NESTED",
            Code::InvalidResource => "INVALID_RESOURCE",
            Code::InvalidVariableReference => "INVALID_VARIABLE_REFERENCE",
            Code::InvalidJsonata => "INVALID_JSONATA_EXPRESSION",
            Code::UnsupportedJsonata => "UNSUPPORTED_JSONATA_EXPRESSION",
            Code::InvalidJsonPath => "INVALID_JSON_PATH",
            Code::InvalidIntrinsicFunction => "INVALID_INTRINSIC_FUNCTION",
            Code::NoDollar => "NO_DOLLAR",
            Code::NoPath => "NO_PATH",
            Code::PassResultIsStatic => "PASS_RESULT_IS_STATIC",
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
    /// Where, as AWS writes it (`/States/Step1/Next`, `/` for the whole document); empty
    /// for the few problems AWS reports without a location (e.g. `MISSING_END_STATE`).
    pub location: String,
    /// Error or warning.
    pub severity: Severity,
    /// Where, with its segments (for tools that map it back to the text); `None` when
    /// `location` is empty or not a place in the document (a syntax error's).
    pub pointer: Option<Pointer>,
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

    fn push(&mut self, code: Code, severity: Severity, at: Option<&Pointer>, message: String) {
        self.items.push(Diagnostic {
            code,
            message,
            location: at.map(Pointer::location).unwrap_or_default(),
            severity,
            pointer: at.cloned(),
        });
    }

    /// Records an error.
    pub fn error(&mut self, code: Code, at: &Pointer, message: impl Into<String>) {
        self.push(code, Severity::Error, Some(at), message.into());
    }

    /// Records an error that AWS reports without a location.
    pub fn error_unlocated(&mut self, code: Code, message: impl Into<String>) {
        self.push(code, Severity::Error, None, message.into());
    }

    /// Records an error located by text rather than by a pointer (syntax errors, which AWS
    /// locates as `[Source: ...; line: L, column: C]`).
    pub fn error_at_text(&mut self, code: Code, location: &str, message: impl Into<String>) {
        self.items.push(Diagnostic {
            code,
            message: message.into(),
            location: location.to_owned(),
            severity: Severity::Error,
            pointer: None,
        });
    }

    /// Records a warning.
    pub fn warning(&mut self, code: Code, at: &Pointer, message: impl Into<String>) {
        self.push(code, Severity::Warning, Some(at), message.into());
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
    /// `Invalid State Machine Definition: 'CODE: message at /location'`.
    ///
    /// Several errors are joined by `, ` inside the one pair of quotes, as AWS's service
    /// writes them (recorded, e.g.: `'MISSING_TRANSITION_TARGET: Missing 'Next' target:
    /// pass3 at /States/pass1/Next, MISSING_TRANSITION_TARGET: State "pass2" is not
    /// reachable. at /States/pass2'`). Step Functions Local quotes each one instead
    /// (`''A', 'B''`); the service does not.
    pub fn aws_message(&self) -> String {
        let errors: Vec<String> = self
            .items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(Diagnostic::render)
            .collect();
        format!("Invalid State Machine Definition: '{}'", errors.join(", "))
    }
}

/// One step of a [`Pointer`]: an object member or an array element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Segment<'a> {
    /// The member with this name.
    Key(&'a str),
    /// The element at this index.
    Index(usize),
}

/// A place in a definition: the path of member names and array indexes from the root.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Pointer {
    /// The AWS rendering without the root's `/`: `/States/A/Catch[0]`, `""` for the root.
    text: String,
    /// Where each segment ends in `text`, and whether it is an index.
    ends: Vec<(usize, bool)>,
}

impl Pointer {
    /// The whole document.
    pub fn root() -> Pointer {
        Pointer::default()
    }

    /// The pointer to member `key` below this one (a number is taken as a member name;
    /// use [`Pointer::index`] for array elements).
    pub fn child(&self, key: impl fmt::Display) -> Pointer {
        use std::fmt::Write as _;
        let mut p = self.extended(16);
        p.text.push('/');
        let _ = write!(p.text, "{key}");
        p.ends.push((p.text.len(), false));
        p
    }

    /// The pointer to element `i` of the array this one points to, written `[i]`.
    pub fn index(&self, i: usize) -> Pointer {
        use std::fmt::Write as _;
        let mut p = self.extended(8);
        let _ = write!(p.text, "[{i}]");
        p.ends.push((p.text.len(), true));
        p
    }

    /// A copy with room for one more segment of about `extra` bytes.
    fn extended(&self, extra: usize) -> Pointer {
        let mut text = String::with_capacity(self.text.len() + extra);
        text.push_str(&self.text);
        let mut ends = Vec::with_capacity(self.ends.len() + 1);
        ends.extend_from_slice(&self.ends);
        Pointer { text, ends }
    }

    /// The pointer's text without the root's `/` (`""` for the root).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The location as AWS writes it: the text, or `/` for the root.
    pub fn location(&self) -> String {
        if self.text.is_empty() {
            "/".to_owned()
        } else {
            self.text.clone()
        }
    }

    /// `true` for the whole document.
    pub fn is_root(&self) -> bool {
        self.ends.is_empty()
    }

    /// The segments from the root.
    pub fn segments(&self) -> impl Iterator<Item = Segment<'_>> + '_ {
        let mut start = 0;
        self.ends.iter().map(move |&(end, is_index)| {
            let part = &self.text[start..end];
            start = end;
            if is_index {
                Segment::Index(
                    part.trim_start_matches('[')
                        .trim_end_matches(']')
                        .parse()
                        .unwrap_or(0),
                )
            } else {
                Segment::Key(part.strip_prefix('/').unwrap_or(part))
            }
        })
    }
}

impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.location())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_render_as_aws_locations_and_keep_their_segments() {
        let p = Pointer::root()
            .child("States")
            .child("a/b[0]")
            .child("Catch")
            .index(2)
            .child("Next");
        assert_eq!(p.as_str(), "/States/a/b[0]/Catch[2]/Next");
        assert_eq!(
            p.segments().collect::<Vec<_>>(),
            [
                Segment::Key("States"),
                Segment::Key("a/b[0]"),
                Segment::Key("Catch"),
                Segment::Index(2),
                Segment::Key("Next"),
            ]
        );
        assert_eq!(Pointer::root().location(), "/");
        assert!(Pointer::root().is_root());
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
            d.aws_message(),
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: String does not match RFC3339 timestamp at /States/X/Timestamp'"
        );
        d.error_unlocated(Code::MissingEndState, "Workflow has no terminal state");
        d.warning(Code::NoDollar, &Pointer::root(), "ignored in the message");
        assert_eq!(
            d.aws_message(),
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: String does not match RFC3339 timestamp at /States/X/Timestamp, MISSING_END_STATE: Workflow has no terminal state'"
        );
    }
}
