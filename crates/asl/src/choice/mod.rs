//! Choice rules of JSONPath mode: `And`, `Or`, `Not` and the comparisons
//! (`"Variable": "$.x", "NumericEquals": 1`), parsed from a rule's JSON and evaluated
//! with AWS's semantics:
//!
//! - a value of the wrong type makes a comparison false (`NumericEquals` on a string);
//! - a `Variable` (or `...Path` operand) that designates nothing is an error, except for
//!   `IsPresent`;
//! - numbers compare by value (`1` equals `1.0`), strings as Java compares them (by
//!   UTF-16 code unit), timestamps as instants;
//! - `StringMatches` takes `*` as any run of characters and `\*` as a star.
//!
//! A top-level rule's `Next`, `Assign`, `Output` and `Comment` belong to the state and
//! are read by the definition parser; this module reads the test. This module owns the
//! types and errors (here), parsing (`parse`), evaluation (`eval`) and `StringMatches`
//! patterns (`pattern`).

mod eval;
mod parse;
mod pattern;
#[cfg(test)]
mod tests;

use baton_json::{Number, Str, Value};
use time::OffsetDateTime;

use crate::diagnostic::{Diagnostics, Pointer};
use crate::error_name;
use crate::path::Path;
use crate::scope::Scope;

pub use pattern::Pattern;

/// A Choice rule's test.
#[derive(Debug, Clone)]
pub enum Condition {
    /// True when every rule is.
    And(Vec<Condition>),
    /// True when some rule is.
    Or(Vec<Condition>),
    /// True when the rule is not.
    Not(Box<Condition>),
    /// A comparison of the value at `variable`.
    Compare {
        /// `Variable`: the value tested.
        variable: Path,
        /// The comparison.
        operator: Operator,
        /// What the value is compared with.
        operand: Operand,
    },
}

/// The right-hand side of a comparison, checked against its operator when parsed.
#[derive(Debug, Clone)]
pub enum Operand {
    /// For the `String...` operators.
    String(Str),
    /// For the `Numeric...` operators.
    Number(Number),
    /// For `BooleanEquals` and the `Is...` operators.
    Bool(bool),
    /// For the `Timestamp...` operators: the text and the instant it designates.
    Timestamp {
        /// As written.
        text: Str,
        /// The instant.
        instant: OffsetDateTime,
    },
    /// For `StringMatches`.
    Pattern(Pattern),
    /// For the `...Path` operators: where the value to compare with is.
    Path(Path),
}

/// What an operator compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Strings.
    String,
    /// Numbers.
    Numeric,
    /// Booleans.
    Boolean,
    /// Timestamps.
    Timestamp,
    /// The type or presence of the value (`IsNull`, `IsPresent`, ...).
    Type,
}

macro_rules! operators {
    ($($op:ident),* $(,)?) => {
        /// The comparison operators of Choice rules.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Operator {
            $(
                #[doc = concat!("`", stringify!($op), "`")]
                $op,
            )*
        }

        impl Operator {
            /// Every operator.
            pub const ALL: &'static [Operator] = &[$(Operator::$op),*];

            /// The operator's field name, e.g. `NumericEqualsPath`.
            pub fn name(self) -> &'static str {
                match self {
                    $(Operator::$op => stringify!($op),)*
                }
            }
        }
    };
}

operators!(
    StringEquals,
    StringEqualsPath,
    StringLessThan,
    StringLessThanPath,
    StringGreaterThan,
    StringGreaterThanPath,
    StringLessThanEquals,
    StringLessThanEqualsPath,
    StringGreaterThanEquals,
    StringGreaterThanEqualsPath,
    StringMatches,
    NumericEquals,
    NumericEqualsPath,
    NumericLessThan,
    NumericLessThanPath,
    NumericGreaterThan,
    NumericGreaterThanPath,
    NumericLessThanEquals,
    NumericLessThanEqualsPath,
    NumericGreaterThanEquals,
    NumericGreaterThanEqualsPath,
    BooleanEquals,
    BooleanEqualsPath,
    TimestampEquals,
    TimestampEqualsPath,
    TimestampLessThan,
    TimestampLessThanPath,
    TimestampGreaterThan,
    TimestampGreaterThanPath,
    TimestampLessThanEquals,
    TimestampLessThanEqualsPath,
    TimestampGreaterThanEquals,
    TimestampGreaterThanEqualsPath,
    IsNull,
    IsPresent,
    IsNumeric,
    IsString,
    IsBoolean,
    IsTimestamp,
);

/// How an ordered comparison relates the value to the operand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Relation {
    Equals,
    LessThan,
    GreaterThan,
    LessThanEquals,
    GreaterThanEquals,
}

impl Operator {
    /// The operator named `name`, if it is one.
    pub fn from_name(name: &str) -> Option<Operator> {
        Operator::ALL.iter().copied().find(|op| op.name() == name)
    }

    /// What the operator compares.
    pub fn kind(self) -> Kind {
        use Operator::*;
        match self {
            StringEquals
            | StringEqualsPath
            | StringLessThan
            | StringLessThanPath
            | StringGreaterThan
            | StringGreaterThanPath
            | StringLessThanEquals
            | StringLessThanEqualsPath
            | StringGreaterThanEquals
            | StringGreaterThanEqualsPath
            | StringMatches => Kind::String,
            NumericEquals
            | NumericEqualsPath
            | NumericLessThan
            | NumericLessThanPath
            | NumericGreaterThan
            | NumericGreaterThanPath
            | NumericLessThanEquals
            | NumericLessThanEqualsPath
            | NumericGreaterThanEquals
            | NumericGreaterThanEqualsPath => Kind::Numeric,
            BooleanEquals | BooleanEqualsPath => Kind::Boolean,
            TimestampEquals
            | TimestampEqualsPath
            | TimestampLessThan
            | TimestampLessThanPath
            | TimestampGreaterThan
            | TimestampGreaterThanPath
            | TimestampLessThanEquals
            | TimestampLessThanEqualsPath
            | TimestampGreaterThanEquals
            | TimestampGreaterThanEqualsPath => Kind::Timestamp,
            IsNull | IsPresent | IsNumeric | IsString | IsBoolean | IsTimestamp => Kind::Type,
        }
    }

    /// `true` for the `...Path` operators, whose operand is a path.
    pub fn takes_path(self) -> bool {
        use Operator::*;
        matches!(
            self,
            StringEqualsPath
                | StringLessThanPath
                | StringGreaterThanPath
                | StringLessThanEqualsPath
                | StringGreaterThanEqualsPath
                | NumericEqualsPath
                | NumericLessThanPath
                | NumericGreaterThanPath
                | NumericLessThanEqualsPath
                | NumericGreaterThanEqualsPath
                | BooleanEqualsPath
                | TimestampEqualsPath
                | TimestampLessThanPath
                | TimestampGreaterThanPath
                | TimestampLessThanEqualsPath
                | TimestampGreaterThanEqualsPath
        )
    }

    pub(crate) fn relation(self) -> Relation {
        use Operator::*;
        match self {
            StringLessThan
            | StringLessThanPath
            | NumericLessThan
            | NumericLessThanPath
            | TimestampLessThan
            | TimestampLessThanPath => Relation::LessThan,
            StringGreaterThan
            | StringGreaterThanPath
            | NumericGreaterThan
            | NumericGreaterThanPath
            | TimestampGreaterThan
            | TimestampGreaterThanPath => Relation::GreaterThan,
            StringLessThanEquals
            | StringLessThanEqualsPath
            | NumericLessThanEquals
            | NumericLessThanEqualsPath
            | TimestampLessThanEquals
            | TimestampLessThanEqualsPath => Relation::LessThanEquals,
            StringGreaterThanEquals
            | StringGreaterThanEqualsPath
            | NumericGreaterThanEquals
            | NumericGreaterThanEqualsPath
            | TimestampGreaterThanEquals
            | TimestampGreaterThanEqualsPath => Relation::GreaterThanEquals,
            _ => Relation::Equals,
        }
    }
}

/// `true` for the fields that hold a rule's test: the comparison operators, `And`, `Or`
/// and `Not`.
pub fn is_operator_field(name: &str) -> bool {
    matches!(name, "And" | "Or" | "Not") || Operator::from_name(name).is_some()
}

/// `true` for every field a (nested) rule may have besides `Next`, `Assign`, `Output`:
/// the operator fields, `Variable` and `Comment`.
pub fn is_rule_field(name: &str) -> bool {
    matches!(name, "Variable" | "Comment") || is_operator_field(name)
}

/// A rule that could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChoiceError {
    /// The `Variable` (or a `...Path` operand) designates nothing.
    #[error(
        "Invalid path '{path}': The choice state's condition path references an invalid value."
    )]
    InvalidPath {
        /// The path as written.
        path: Str,
    },
}

impl ChoiceError {
    /// AWS's cause (the engine prefixes it with the state's name).
    pub fn cause(&self) -> String {
        self.to_string()
    }

    /// The error name: `States.Runtime`.
    pub fn error_name(&self) -> &'static str {
        error_name::RUNTIME
    }
}

impl Condition {
    /// Parses a rule's test from its JSON (without the top-level `Next`, `Assign`,
    /// `Output` and `Comment`), reporting problems at `at`. `None` when it is invalid.
    pub fn parse(value: &Value, at: &Pointer, diags: &mut Diagnostics) -> Option<Condition> {
        parse::parse(value, at, diags, 0)
    }

    /// Evaluates the test on the state's input.
    pub fn eval(&self, input: &Value, scope: &mut dyn Scope) -> Result<bool, ChoiceError> {
        eval::eval(self, input, scope)
    }
}
