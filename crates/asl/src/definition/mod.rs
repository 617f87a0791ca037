//! A state machine definition parsed into typed structures, one per ASL construct.
//!
//! [`parse`] never fails as a whole: it returns the machine it could build (if the
//! top-level shape allowed one) and every problem found, so editors and the CLI can
//! show all of them at once. A definition with errors must not be executed.

mod branch;
pub(crate) mod catch;
mod duplicates;
mod dynamic;
pub(crate) mod fields;
mod graph;
mod locate;
mod payload;
mod query_language;
mod resource;
pub(crate) mod retry;
pub mod state;
mod text;
mod validate;
mod variables;
mod warnings;

pub use branch::{Branch, MAX_STATE_NAME, States};
pub use catch::Catcher;
pub use dynamic::Dynamic;
pub use locate::{TextPosition, locate};
pub use payload::Payload;
pub use query_language::QueryLanguage;
pub use resource::{IntegrationPattern, Resource, ResourceUse};
pub use retry::{JitterStrategy, Retrier};
pub use state::{State, StateKind};
pub use text::{DefinitionFormat, parse_text, read_text};
pub use variables::variable_references;

use baton_json::Value;

use crate::diagnostic::{Diagnostics, Pointer};
use fields::Fields;

/// Whether a machine's executions are durable (Standard) or in-memory and short (Express).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MachineType {
    /// Durable, exactly-once, up to a year.
    #[default]
    Standard,
    /// In memory, at-least-once, up to five minutes.
    Express,
}

/// A whole state machine.
#[derive(Debug, Clone)]
pub struct StateMachine {
    /// `Comment`.
    pub comment: Option<String>,
    /// `Version` (the ASL version, "1.0").
    pub version: Option<String>,
    /// `TimeoutSeconds`: the execution fails with `States.Timeout` after this long.
    pub timeout_seconds: Option<u64>,
    /// The machine's states and where to start.
    pub root: Branch,
}

/// What [`parse`] found: the machine, when one could be built, and every problem.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The machine; `None` when the top level was too broken to build one. Present even
    /// when `diagnostics` has errors (for tools); never execute such a machine.
    pub machine: Option<StateMachine>,
    /// Every problem found, in document order.
    pub diagnostics: Diagnostics,
}

impl Parsed {
    /// The machine, if it has no errors.
    pub fn valid(self) -> Result<StateMachine, Diagnostics> {
        match self.machine {
            Some(m) if !self.diagnostics.has_errors() => Ok(m),
            _ => Err(self.diagnostics),
        }
    }
}

/// Options that change what a definition may contain.
#[derive(Debug, Clone, Copy, Default)]
pub struct ParseOptions {
    /// The machine type: Express machines may not use `.sync`, `.waitForTaskToken` or
    /// activities.
    pub machine_type: MachineType,
}

/// The longest execution timeout AWS accepts for a machine (`TimeoutSeconds`).
pub const MAX_TIMEOUT_SECONDS: u64 = 99_999_999;

/// Parses and validates a definition given as a JSON value.
///
/// Problems are reported in AWS's order: those of the fields as they are read, then the
/// transitions (`MISSING_TRANSITION_TARGET`, `MISSING_END_STATE`, unreachable states),
/// then duplicate names, then what the machine type forbids; warnings come last.
pub fn parse(definition: &Value, options: ParseOptions) -> Parsed {
    let mut d = Diagnostics::new();
    let root = Pointer::root();
    let machine = parse_machine(definition, &root, &mut d);
    graph::check(definition, &mut d);
    if let Some(m) = &machine {
        validate::validate(m, options, &mut d);
    }
    warnings::check(definition, &mut d);
    if let Some(m) = &machine {
        variables::check(m, definition, &mut d);
    }
    Parsed {
        machine,
        diagnostics: d,
    }
}

fn parse_machine(value: &Value, at: &Pointer, d: &mut Diagnostics) -> Option<StateMachine> {
    if !value.is_object() {
        // Recorded on AWS for blank text.
        d.error_unlocated(
            crate::diagnostic::Code::SchemaValidationFailed,
            "Definition must be a valid JSON object",
        );
        return None;
    }
    let mut f = Fields::of(value, at, d)?;
    let comment = f.string("Comment", d).map(str::to_owned);
    let version = f.string("Version", d).map(str::to_owned);
    if let Some(v) = &version
        && v != "1.0"
    {
        // Not verified against AWS: the wording of AWS's other enum fields.
        d.schema(
            &f.at_field("Version"),
            "The field 'Version' should have one of these values: [1.0]",
        );
    }
    let timeout_seconds = f.integer("TimeoutSeconds", 1, MAX_TIMEOUT_SECONDS, d);
    let query_language = query_language::parse_field(&mut f, None, d).unwrap_or_default();
    let root = branch::parse_branch_fields(&mut f, query_language, d)?;
    f.finish(d);
    Some(StateMachine {
        comment,
        version,
        timeout_seconds,
        root,
    })
}
