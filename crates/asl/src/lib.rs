//! The Amazon States Language, as a pure library.
//!
//! - [`definition`]: a state machine definition (JSON or YAML) parsed into typed
//!   structures, one per ASL construct, with every problem reported as a [`Diagnostic`].
//! - [`path`]: JSONPath as Step Functions evaluates it (a Jayway-style dialect).
//! - [`intrinsic`]: the `States.*` intrinsic functions.
//! - [`template`]: payload templates (`"key.$": "$.path"`), as used by Parameters,
//!   ResultSelector, ItemSelector and Assign.
//! - [`choice`]: Choice rules and their comparison operators.
//!
//! Architecture invariant: nothing here does IO, reads the clock or draws random numbers
//! on its own; time and randomness come in through [`Scope`] and arguments.

pub mod choice;
pub mod definition;
pub mod diagnostic;
pub mod error_name;
pub mod intrinsic;
pub mod jsonata;
pub mod path;
pub mod scope;
pub mod template;
pub mod timestamp;

pub use diagnostic::{Code, Diagnostic, Diagnostics, Pointer, Severity};
pub use scope::{Scope, StaticScope};
