//! The `States.*` intrinsic functions of JSONPath mode.
//!
//! A call such as `States.Format('x {} y', $.a, 1, States.MathAdd($.b, 1))` is parsed
//! once ([`Call::parse`]) and evaluated many times ([`Call::eval`]). Arguments are
//! single-quoted strings (escapes `\'`, `\{`, `\}`, `\\`), numbers, `true`, `false`,
//! `null`, paths (`$...`, `$$...`, `$name...`) and nested calls.
//!
//! As on AWS, only the syntax is checked when a definition is created: a wrong number or
//! type of arguments fails at run time, with the error `States.Runtime` and the cause
//! `Invalid arguments in States.<Name>`.
//!
//! This module owns the call syntax (`parse`), argument evaluation and dispatch
//! (`eval`), the errors (`error`), Java's rendering of values (`render`, which AWS's
//! string conversions follow), and one file per family of functions.

mod array;
mod encoding;
mod error;
mod eval;
mod hash;
mod json;
mod math;
mod parse;
pub(crate) mod render;
mod string;
#[cfg(test)]
mod tests;
mod uuid;

use std::fmt;

use baton_json::{Str, Value};

use crate::path::Path;
use crate::scope::Scope;

pub(crate) use error::path_not_found_cause;
pub use error::{IntrinsicError, IntrinsicSyntaxError};

/// How deep calls may nest inside calls before a call is rejected.
pub(crate) const MAX_NESTING: usize = 32;

/// The largest value a call builds, in bytes of its JSON text (`States.Format`'s
/// string: of the string). Past it the call fails with `States.DataLimitExceeded`
/// before the value is built: no state input or output can hold it (AWS's payload
/// limit is 256 KiB), and a call can stand for far more than its arguments take, when
/// they share parts (`States.JsonToString(States.Array($.a, $.a, ...))`). It is the
/// bound AWS holds a JSONata expression to (873,782 numbers of 8 bytes), so that a
/// value too large for a state fails as the state's payload, as on AWS, unless it is
/// far larger.
pub const MAX_BUILT_BYTES: usize = 873_782 * 8;

/// The intrinsic functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Function {
    /// `States.Format(template, values...)`: `{}` replaced by the values.
    Format,
    /// `States.StringToJson(text)`: parses JSON text.
    StringToJson,
    /// `States.JsonToString(value)`: compact JSON text.
    JsonToString,
    /// `States.Array(values...)`: an array of the arguments.
    Array,
    /// `States.ArrayPartition(array, size)`: chunks of `size` elements.
    ArrayPartition,
    /// `States.ArrayContains(array, value)`.
    ArrayContains,
    /// `States.ArrayRange(first, last, step)`: at most 1000 numbers.
    ArrayRange,
    /// `States.ArrayGetItem(array, index)`.
    ArrayGetItem,
    /// `States.ArrayLength(array)`.
    ArrayLength,
    /// `States.ArrayUnique(array)`: duplicates removed, first occurrences kept.
    ArrayUnique,
    /// `States.Base64Encode(text)`.
    Base64Encode,
    /// `States.Base64Decode(base64)`.
    Base64Decode,
    /// `States.Hash(data, algorithm)`: MD5, SHA-1, SHA-256, SHA-384 or SHA-512, in hex.
    Hash,
    /// `States.JsonMerge(a, b, false)`: a shallow merge, `b` winning.
    JsonMerge,
    /// `States.MathRandom(start, end[, seed])`: an integer in `[start, end)`.
    MathRandom,
    /// `States.MathAdd(a, b)`: the sum of two numbers rounded to integers.
    MathAdd,
    /// `States.StringSplit(text, delimiters)`: split at any of the delimiter characters.
    StringSplit,
    /// `States.UUID()`: a version 4 UUID.
    Uuid,
}

impl Function {
    /// Every intrinsic function.
    pub const ALL: [Function; 18] = [
        Function::Format,
        Function::StringToJson,
        Function::JsonToString,
        Function::Array,
        Function::ArrayPartition,
        Function::ArrayContains,
        Function::ArrayRange,
        Function::ArrayGetItem,
        Function::ArrayLength,
        Function::ArrayUnique,
        Function::Base64Encode,
        Function::Base64Decode,
        Function::Hash,
        Function::JsonMerge,
        Function::MathRandom,
        Function::MathAdd,
        Function::StringSplit,
        Function::Uuid,
    ];

    /// The function by its name without `States.` (`Format`), if it exists.
    pub fn from_name(name: &str) -> Option<Function> {
        Function::ALL
            .into_iter()
            .find(|f| f.name().strip_prefix("States.") == Some(name))
    }

    /// The full name, e.g. `States.Format`.
    pub fn name(self) -> &'static str {
        match self {
            Function::Format => "States.Format",
            Function::StringToJson => "States.StringToJson",
            Function::JsonToString => "States.JsonToString",
            Function::Array => "States.Array",
            Function::ArrayPartition => "States.ArrayPartition",
            Function::ArrayContains => "States.ArrayContains",
            Function::ArrayRange => "States.ArrayRange",
            Function::ArrayGetItem => "States.ArrayGetItem",
            Function::ArrayLength => "States.ArrayLength",
            Function::ArrayUnique => "States.ArrayUnique",
            Function::Base64Encode => "States.Base64Encode",
            Function::Base64Decode => "States.Base64Decode",
            Function::Hash => "States.Hash",
            Function::JsonMerge => "States.JsonMerge",
            Function::MathRandom => "States.MathRandom",
            Function::MathAdd => "States.MathAdd",
            Function::StringSplit => "States.StringSplit",
            Function::Uuid => "States.UUID",
        }
    }
}

impl fmt::Display for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One argument of a call.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    /// A number, `true`, `false` or `null`.
    Literal(Value),
    /// A quoted string: its value, and its text as written (between the quotes) which
    /// `States.Format` reads its placeholders from.
    String { value: Value, raw: Str },
    /// A path on the input, the context object or a variable.
    Path(Path),
    /// A nested call.
    Call(Box<Call>),
}

/// A parsed intrinsic function call.
#[derive(Clone)]
pub struct Call {
    text: Str,
    function: Function,
    args: Box<[Arg]>,
}

impl Call {
    /// Parses a call as AWS accepts it in a definition.
    pub fn parse(text: &str) -> Result<Call, IntrinsicSyntaxError> {
        parse::parse(text)
    }

    /// Evaluates the call. Paths read `input`, and `$$` and `$name` come from `scope`,
    /// which also supplies the randomness of `States.UUID` and `States.MathRandom`.
    pub fn eval(&self, input: &Value, scope: &mut dyn Scope) -> Result<Value, IntrinsicError> {
        eval::eval(self, input, scope)
    }

    /// The call as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The function called.
    pub fn function(&self) -> Function {
        self.function
    }

    /// Every path read by the call or its nested calls, in order.
    pub fn paths(&self) -> Vec<&Path> {
        let mut out = Vec::new();
        self.collect_paths(&mut out);
        out
    }

    fn collect_paths<'a>(&'a self, out: &mut Vec<&'a Path>) {
        for arg in self.args.iter() {
            match arg {
                Arg::Path(p) => out.push(p),
                Arg::Call(c) => c.collect_paths(out),
                _ => {}
            }
        }
    }
}

impl fmt::Debug for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Call({:?})", &*self.text)
    }
}

impl PartialEq for Call {
    /// Calls are equal when written the same way.
    fn eq(&self, other: &Call) -> bool {
        self.text == other.text
    }
}

/// What a `.$` field's string holds: AWS reads a value starting with `$` as a path and
/// anything else as an intrinsic function call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expression {
    /// A JSONPath (`$...`, `$$...`, `$name...`).
    Path,
    /// An intrinsic function call (`States.Format(...)`).
    Call,
}

/// Tells whether the value of a `.$` field is meant as a path or an intrinsic call.
pub fn classify(text: &str) -> Expression {
    if text.trim_start().starts_with('$') {
        Expression::Path
    } else {
        Expression::Call
    }
}

/// `true` when `text` looks like an intrinsic function call (`States.` followed by a
/// name and an argument list), whether or not it is a valid one.
pub fn is_intrinsic_call(text: &str) -> bool {
    let t = text.trim();
    t.starts_with("States.") && t.ends_with(')') && t.contains('(')
}
