//! JSONPath as Step Functions evaluates it.
//!
//! Step Functions runs on the Jayway JsonPath library, and this module follows its
//! dialect rather than RFC 9535:
//!
//! - A *definite* path (only `.name`, `['name']` and `[n]` steps, optionally ending in a
//!   function such as `.length()`) yields the bare value; a missing step is an error with
//!   Jayway's message (`Missing property in path $['a']`, `No results for path: ...`).
//! - An *indefinite* path (wildcard `*`, deep scan `..`, slice, union, filter `[?(...)]`)
//!   yields an array of the matches, possibly empty, and never fails for a missing step.
//!
//! Three roots: `$` (the state input), `$$` (the context object) and `$name` (a
//! variable). [`Path::set`] writes a value at a reference path, as ResultPath does.
//!
//! This module owns parsing ([`parse`]), evaluation (`eval`), filters (`filter`), the
//! Jayway path functions (`function`), ResultPath (`set`) and the errors (`error`).

mod error;
mod eval;
mod filter;
mod function;
mod parse;
mod set;
#[cfg(test)]
mod tests;

use std::fmt;

use baton_json::{Str, Value};

use crate::scope::Scope;

pub use error::{PathError, PathSyntaxError};
pub(crate) use filter::{Filter, compare_numbers, compare_utf16};
pub(crate) use function::Function;

/// How deep filters may nest inside paths inside filters before a path is rejected.
pub(crate) const MAX_NESTING: usize = 8;

/// Where a path starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Root {
    /// `$`: the document the path is applied to (the state input).
    Input,
    /// `$$`: the context object.
    Context,
    /// `$name`: the value of a variable.
    Variable(Str),
    /// `@`: the current item, only inside a filter expression.
    Current,
}

/// One step of a path.
#[derive(Debug, Clone)]
pub(crate) enum Seg {
    /// `.name` or `['name']`.
    Field(Str),
    /// `[n]` (negative counts from the end).
    Index(i64),
    /// `['a','b']`: as the last step, an object of the present members; otherwise each.
    Fields(Box<[Str]>),
    /// `[0,1]`.
    Indexes(Box<[i64]>),
    /// `[from:to]`.
    Slice(Option<i64>, Option<i64>),
    /// `*` or `[*]`.
    Wildcard,
    /// `..`: the next step applied at every level below.
    Scan,
    /// `[?(...)]`.
    Filter(Box<Filter>),
}

/// How a path's result is shaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// Only definite steps: a bare value, an error when a step is missing.
    Definite,
    /// A wildcard, scan, slice, union or filter: an array of the matches.
    Indefinite,
    /// `$..x.fn()`: the function applied to the array of matches (Jayway turns the path
    /// inside out), a bare value.
    ScanFunction,
}

/// A compiled JSONPath. Cheap to clone; evaluating a definite path allocates nothing but
/// the (reference-counted) clone of its result.
#[derive(Clone)]
pub struct Path {
    text: Str,
    root: Root,
    segs: Box<[Seg]>,
    function: Option<Function>,
    shape: Shape,
}

impl Path {
    /// Parses a path as Step Functions accepts it: `$`, `$$` or `$name` followed by steps.
    pub fn parse(text: &str) -> Result<Path, PathSyntaxError> {
        parse::parse(text, false, 0)
    }

    /// Parses a path inside a filter expression, where `@` is also a root.
    pub(crate) fn parse_nested(text: &str, depth: usize) -> Result<Path, PathSyntaxError> {
        parse::parse(text, true, depth)
    }

    pub(crate) fn from_parts(
        text: &str,
        root: Root,
        segs: Vec<Seg>,
        function: Option<Function>,
    ) -> Path {
        let shape = shape_of(&segs, function.is_some());
        Path {
            text: Str::from(text),
            root,
            segs: segs.into_boxed_slice(),
            function,
            shape,
        }
    }

    /// The path as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Where the path starts.
    pub fn root(&self) -> &Root {
        &self.root
    }

    /// `true` for the root alone (`$`, `$$` or `$name`, no steps).
    pub fn is_root(&self) -> bool {
        self.segs.is_empty() && self.function.is_none()
    }

    /// `true` for a Reference Path: only `.name`, `['name']` and `[n]` steps, no
    /// wildcard, scan, slice, union, filter or function.
    pub fn is_reference(&self) -> bool {
        self.function.is_none()
            && self
                .segs
                .iter()
                .all(|s| matches!(s, Seg::Field(_) | Seg::Index(_)))
    }

    /// `true` when the path yields a bare value rather than an array of matches.
    pub fn is_definite(&self) -> bool {
        self.shape != Shape::Indefinite
    }

    /// The name of the variable this path reads (`x` for `$x.a`), if it starts at one.
    pub fn variable(&self) -> Option<&str> {
        match &self.root {
            Root::Variable(name) => Some(name),
            _ => None,
        }
    }

    /// Evaluates the path. `$` is `input`; `$$` and `$name` come from `scope`.
    #[inline]
    pub fn eval(&self, input: &Value, scope: &dyn Scope) -> Result<Value, PathError> {
        match &self.root {
            Root::Input | Root::Current => self.eval_on(input),
            Root::Context => self.eval_on(&scope.context_object()),
            Root::Variable(name) => match scope.variable(name) {
                Some(v) => self.eval_on(&v),
                None => Err(PathError::UndefinedVariable { name: name.clone() }),
            },
        }
    }

    /// Evaluates the path's steps on `doc`, whatever its root.
    #[inline]
    pub fn eval_on(&self, doc: &Value) -> Result<Value, PathError> {
        if self.shape == Shape::Definite
            && self.function.is_none()
            && let Some(v) = eval::definite_fast(&self.segs, doc)
        {
            return Ok(v.clone());
        }
        eval::eval(self, doc, doc)
    }

    /// Writes `value` at this reference path inside `target`, as ResultPath does: `$`
    /// replaces the whole target; otherwise missing intermediate objects are created and
    /// the containers on the way are copied only if shared.
    pub fn set(&self, target: Value, value: Value) -> Result<Value, PathError> {
        set::set(self, target, value)
    }

    pub(crate) fn segs(&self) -> &[Seg] {
        &self.segs
    }

    pub(crate) fn function(&self) -> Option<&Function> {
        self.function.as_ref()
    }

    pub(crate) fn shape(&self) -> Shape {
        self.shape
    }
}

fn shape_of(segs: &[Seg], has_function: bool) -> Shape {
    if has_function && matches!(segs.first(), Some(Seg::Scan)) {
        return Shape::ScanFunction;
    }
    let last = segs.len().saturating_sub(1);
    let definite = segs.iter().enumerate().all(|(i, s)| match s {
        Seg::Field(_) | Seg::Index(_) => true,
        // `['a','b']` as the last step merges the members into one object.
        Seg::Fields(_) => i == last && !has_function,
        _ => false,
    });
    if definite {
        Shape::Definite
    } else {
        Shape::Indefinite
    }
}

impl fmt::Debug for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Path({:?})", &*self.text)
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl PartialEq for Path {
    /// Paths are equal when written the same way.
    fn eq(&self, other: &Path) -> bool {
        self.text == other.text
    }
}
