//! Path errors, and paths written back the way Jayway prints them in its messages
//! (`$['a'][0]`), which Step Functions quotes in its causes.

use std::fmt::Write as _;

use baton_json::Str;

use super::{Function, Seg};
use crate::error_name;

/// A path that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PathSyntaxError {
    /// What is wrong, in Jayway's words where it has some.
    pub message: String,
}

impl PathSyntaxError {
    pub(crate) fn new(message: impl Into<String>) -> PathSyntaxError {
        PathSyntaxError {
            message: message.into(),
        }
    }
}

/// A path that does not apply to a document.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PathError {
    /// A definite path names something the document lacks. The message is Jayway's,
    /// e.g. `Missing property in path $['no']` or `No results for path: $['a']`.
    #[error("{message}")]
    NotFound {
        /// Jayway's message.
        message: String,
    },
    /// `$name` names a variable that is not assigned or not visible here.
    #[error("The variable '{name}' is not defined")]
    UndefinedVariable {
        /// The variable's name, without `$`.
        name: Str,
    },
    /// A path function (`.min()`, `.avg()`, ...) could not be applied.
    #[error("{message}")]
    Function {
        /// Jayway's message.
        message: String,
    },
    /// ResultPath could not be applied: an intermediate step is not an object (or not an
    /// array, for an index).
    #[error("{cause}")]
    ResultPathMatchFailure {
        /// AWS's cause: `Unable to apply ReferencePath $.a.b to input "..."`.
        cause: String,
    },
    /// [`Path::set`](super::Path::set) was given a path that is not a reference path
    /// rooted at `$`.
    #[error("The path '{path}' is not a reference path on the input")]
    NotReference {
        /// The path as written.
        path: Str,
    },
}

impl PathError {
    /// The error name the engine reports: `States.ResultPathMatchFailure` for ResultPath,
    /// `States.Runtime` otherwise.
    pub fn error_name(&self) -> &'static str {
        match self {
            PathError::ResultPathMatchFailure { .. } => error_name::RESULT_PATH_MATCH_FAILURE,
            _ => error_name::RUNTIME,
        }
    }

    /// The cause AWS writes when a path field (InputPath, OutputPath, ItemsPath, ...)
    /// fails: `Invalid path '$.x' : No results for path: $['x']`.
    pub fn invalid_path_cause(&self, path: &str) -> String {
        match self {
            PathError::ResultPathMatchFailure { cause } => cause.clone(),
            other => format!("Invalid path '{path}' : {other}"),
        }
    }
}

/// Writes one step as Jayway prints it.
pub(crate) fn write_seg(out: &mut String, seg: &Seg) {
    match seg {
        Seg::Field(name) => {
            let _ = write!(out, "['{name}']");
        }
        Seg::Index(i) => {
            let _ = write!(out, "[{i}]");
        }
        Seg::Fields(names) => {
            out.push('[');
            for (i, name) in names.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let _ = write!(out, "'{name}'");
            }
            out.push(']');
        }
        Seg::Indexes(list) => {
            out.push('[');
            for (i, n) in list.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let _ = write!(out, "{n}");
            }
            out.push(']');
        }
        Seg::Slice(from, to) => {
            out.push('[');
            if let Some(f) = from {
                let _ = write!(out, "{f}");
            }
            out.push(':');
            if let Some(t) = to {
                let _ = write!(out, "{t}");
            }
            out.push(']');
        }
        Seg::Wildcard => out.push_str("[*]"),
        Seg::Scan => out.push_str(".."),
        Seg::Filter(_) => out.push_str("[?]"),
    }
}

/// `$` followed by `segs`, as Jayway prints a path.
pub(crate) fn render(segs: &[Seg], function: Option<&Function>) -> String {
    let mut out = String::with_capacity(2 + segs.len() * 8);
    out.push('$');
    for seg in segs {
        write_seg(&mut out, seg);
    }
    if let Some(f) = function {
        let _ = write!(out, ".{}()", f.name());
    }
    out
}
