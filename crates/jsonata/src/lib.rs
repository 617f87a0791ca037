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
//!
//! Evaluation is bounded ([`Limits`]): in depth, in time, in the length of sequences,
//! and, as on AWS, in the memory the values it builds hold and in how deeply they nest.
//! A hostile expression (a string doubled forty times, `$pad('x', 1e9)`, a range of ten
//! million numbers, an object nested a hundred thousand levels) ends within
//! milliseconds with AWS's error, before the value is built.

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
///
/// The memory bound is AWS's: Step Functions fails an expression that holds more than
/// it allows with `States.QueryEvaluationError` and the message
/// [`MEMORY_EXCEEDED`] (measured on AWS: `[1..873782] ~> $count()` is accepted and
/// `[1..873783]` refused; a string of 4,194,304 characters is accepted and one of
/// 8,388,608 refused). See [`Limits::max_memory`] for how a value is counted.
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
    /// beyond it it fails with `D2015`. The memory bound, when lower, applies first
    /// (an item counts 8 bytes).
    pub max_sequence_length: Option<usize>,
    /// The most memory, in bytes, that one value an evaluation builds may hold, as
    /// counted here: a string its UTF-8 length, each array item and object member 8
    /// bytes besides its own contents (and a member its name's length), numbers,
    /// booleans and `null` nothing more; a value shared in several places counts in
    /// each. It bounds every string, array and object an evaluation makes (`&`,
    /// `$join`, `$string`, `$pad`, `$replace`, `$split`, `$match`, ranges, `$map`,
    /// constructors, ...) before the value is built, the strings an evaluation keeps
    /// alive together (twice the bound), and the result as it is converted. Beyond it
    /// evaluation fails with [`MEMORY_EXCEEDED`], uncoded, as on AWS. `None`: no bound.
    pub max_memory: Option<usize>,
    /// The deepest nesting of arrays and objects (a scalar is 0 deep, `[1]` 1) that an
    /// evaluation may build or return; deeper values fail with [`DEPTH_EXCEEDED`]
    /// before they are built. `None`: no bound (values of any depth are still
    /// converted without recursing on the thread's stack).
    pub max_result_depth: Option<usize>,
}

/// AWS's message when an expression holds more memory than Step Functions allows. It
/// has no JSONata code: AWS's cause reads `... threw an error during evaluation:
/// Expression evaluation memory limit exceeded: Check for excessive memory usage`.
pub const MEMORY_EXCEEDED: &str =
    "Expression evaluation memory limit exceeded: Check for excessive memory usage";

/// The message (without a code) when a value would be nested deeper than
/// [`Limits::max_result_depth`].
pub const DEPTH_EXCEEDED: &str =
    "Expression evaluation nesting limit exceeded: Check for values nested too deeply";

/// AWS's memory bound on a JSONata evaluation, in bytes as [`Limits::max_memory`]
/// counts them: 873,782 numbers of 8 bytes (the longest range AWS accepts).
pub const AWS_MAX_MEMORY: usize = 873_782 * 8;

/// The deepest value an evaluation builds by default: the nesting bound of JSON
/// documents everywhere else in Baton.
pub const DEFAULT_MAX_RESULT_DEPTH: usize = 1000;

impl Limits {
    /// No limits beyond jsonata-core's fixed ones (recursion depth, parse nesting, the
    /// range operator's 10 million items).
    pub fn unlimited() -> Limits {
        Limits {
            max_depth: None,
            time_limit: None,
            max_sequence_length: None,
            max_memory: None,
            max_result_depth: None,
        }
    }
}

impl Default for Limits {
    /// Depth 3,000 (about 1,000 nested calls), 2 seconds, sequences of 10 million
    /// items, AWS's memory bound ([`AWS_MAX_MEMORY`], which also keeps sequences to
    /// 873,782 items) and values 1,000 deep.
    fn default() -> Limits {
        Limits {
            max_depth: Some(3_000),
            time_limit: Some(Duration::from_secs(2)),
            max_sequence_length: Some(10_000_000),
            max_memory: Some(AWS_MAX_MEMORY),
            max_result_depth: Some(DEFAULT_MAX_RESULT_DEPTH),
        }
    }
}

impl Limits {
    /// The longest sequence jsonata-core may build: the sequence bound, or fewer items
    /// when the memory bound allows fewer (8 bytes an item).
    pub(crate) fn effective_sequence_length(&self) -> Option<usize> {
        let by_memory = self.max_memory.map(|m| m / adapter::SLOT);
        match (self.max_sequence_length, by_memory) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// `true` when jsonata-core's sequence bound is the memory bound's (so that a
    /// sequence past it is reported as AWS reports memory).
    pub(crate) fn sequence_bound_is_memory(&self) -> bool {
        match (self.max_sequence_length, self.max_memory) {
            (Some(seq), Some(m)) => m / adapter::SLOT < seq,
            (None, Some(_)) => true,
            _ => false,
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
