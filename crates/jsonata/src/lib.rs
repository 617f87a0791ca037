//! JSONata for Step Functions states whose `QueryLanguage` is `JSONata`.
//!
//! This crate owns the evaluation of JSONata expressions and of JSONata templates (JSON
//! values whose `{% expr %}` strings are expressions) with the functions Step Functions
//! adds (`$partition`, `$range`, `$hash`, `$random`, `$uuid`, `$parse`) and without the
//! one it removes (`$eval`). The language itself comes from the `jsonata-core` crate,
//! behind one module (`adapter`) so that it can be replaced.
//!
//! It is pure: no IO, and no clock or randomness of its own. `$random()`, `$uuid()`
//! and `$shuffle()` draw from a seed the caller puts in the [`Bindings`], `$now()` and
//! `$millis()` report the time the caller puts there. (The one exception is jsonata-core
//! itself: `$toMillis` with a picture that leaves out the date takes today's date, and
//! the time limit of [`Limits`] is measured on the monotonic clock.)
//!
//! ```
//! use baton_jsonata::{Bindings, Expression, States};
//! use baton_json::json;
//!
//! let expr = Expression::compile("$states.input.price * $quantity").unwrap();
//! let bindings = Bindings::new()
//!     .with_states(States { input: json!({"price": 5}), ..States::default() })
//!     .with_var("quantity", json!(3));
//! assert_eq!(expr.evaluate(&json!(null), &bindings).unwrap(), Some(json!(15)));
//! ```
//!
//! Expressions of the most common shapes (paths from `$states` and variables,
//! arithmetic, comparisons, `&`, object and array constructors, `$merge`, ...) are
//! evaluated directly on this crate's values, without converting them; everything
//! else, and every error, goes through jsonata-core. Both give the same results (see
//! `fast.rs` and its tests).
//!
//! Numbers are JavaScript's inside an expression (`f64`): integers are exact up to
//! 2^53, larger ones are rounded on the way in. Results that are whole numbers come
//! back as integers.

mod adapter;
mod aws;
mod bindings;
mod error;
mod expression;
mod fast;
mod template;

use std::time::Duration;

pub use bindings::{Bindings, States};
pub use error::JsonataError;
pub use expression::Expression;
pub use template::{Template, TemplateError, expression_text};

/// Which functions an expression has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    /// JSONata as Step Functions runs it: the built-in functions, AWS's additions
    /// (`$partition`, `$range`, `$hash`, `$random(seed)`, `$uuid`, `$parse`), and
    /// `$eval` unavailable (calling it is `T1006`, as for any non-function).
    #[default]
    StepFunctions,
    /// Plain JSONata, `$eval` included (for running JSONata's own test suite).
    Jsonata,
}

/// Bounds on one evaluation, so that a hostile expression ends with an error rather
/// than exhausting the stack, the memory or the time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The deepest nesting of evaluation (each non-tail recursive call costs about
    /// three levels); beyond it evaluation fails with `D1011`. `None` leaves
    /// jsonata-core's own bound (30,000 levels, `U1001`). Deep levels run on stack
    /// segments allocated as needed, so no limit overflows the thread's stack.
    pub max_depth: Option<usize>,
    /// The longest an evaluation may run; beyond it it fails with `D1012`.
    pub time_limit: Option<Duration>,
    /// The longest sequence an evaluation may build (paths, ranges, `$map`, ...);
    /// beyond it it fails with `D2015`.
    pub max_sequence_length: Option<usize>,
}

impl Limits {
    /// No limits beyond jsonata-core's fixed ones (recursion depth, parse nesting, the
    /// range operator's 10 million items).
    pub fn unlimited() -> Limits {
        Limits {
            max_depth: None,
            time_limit: None,
            max_sequence_length: None,
        }
    }
}

impl Default for Limits {
    /// Depth 3,000 (about 1,000 nested calls), 2 seconds, sequences of 10 million.
    fn default() -> Limits {
        Limits {
            max_depth: Some(3_000),
            time_limit: Some(Duration::from_secs(2)),
            max_sequence_length: Some(10_000_000),
        }
    }
}

/// How expressions are compiled and evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Options {
    /// The functions available.
    pub dialect: Dialect,
    /// The bounds on each evaluation.
    pub limits: Limits,
}
