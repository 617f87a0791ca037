//! The rewrite that puts every part of an expression able to build a large or deep
//! value behind a host function that measures it first (the measure is `budget`'s):
//!
//! * `a & b` becomes `" &"(a, b)`, which concatenates as jsonata-core does, after
//!   checking the length of the result (and of the text of a non-string operand);
//! * `$join`, `$replace`, `$split` and `$match` get their first argument through
//!   `" check"("name", $, args...)`, which measures what the call would make and hands
//!   the argument on unchanged; the strings that `$join`,
//!   `$replace` and `$string` return pass through `" made"`, which accounts for them;
//! * `$distinct(a)` becomes `" distinct"(a)`, the same function in linear time
//!   (jsonata-core compares every item with every other, which no time limit
//!   interrupts: `$distinct([1..800000])` would run for hours);
//! * object and array constructors, calls of `$map`, `$each`, `$zip` and `$append`,
//!   and paths with a step other than a name (`[1..9].($x)`, `$a.*`, `x.**`) pass
//!   their value through `" built"`, which measures it: these are the ways to fill a
//!   container with a value that is already there, which costs nothing to make and
//!   everything to walk (doubling a shared object forty times makes a value of 2^40
//!   items in forty steps).
//!
//! Each rewrite keeps what the expression means: the same values, errors and order of
//! evaluation. Only the kind of a node that another construct looks at is never
//! changed (a path step, the input of a sort or a group, an array constructor inside
//! another, the right side of `~>`, a lambda bound by `:=`). A function bound by the
//! expression itself (`$join := ...`) is not touched.

use std::cell::RefCell;
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::rc::Rc;

use jsonata_core::ast::{AstNode, BinaryOp, PathStep, Stage};
use jsonata_core::evaluator::{Evaluator, EvaluatorError};
use jsonata_core::functions::array::values_equal;
use jsonata_core::functions::string::{build_regex, extract_regex, string as to_text};
use jsonata_core::value::{JValue, with_stack};

use super::budget::{Budget, Over, SLOT};

/// `a & b`.
pub(super) const CONCAT: &str = " &";
/// The check of a call's arguments.
pub(super) const CHECK: &str = " check";
/// The account of a string a call made.
pub(super) const MADE: &str = " made";
/// The measure of a value a constructor, a call or a path made.
pub(super) const BUILT: &str = " built";
/// `$distinct`, in linear time.
pub(super) const DISTINCT: &str = " distinct";

/// The builtins whose arguments are checked, and whether they return a string to
/// account for. (`$string` is not checked first: what it writes is as large as what it
/// is given, which every constructor, path and function that could make a large value
/// out of shared parts has measured already; the string it makes is accounted for.)
fn checked(name: &str) -> Option<bool> {
    Some(match name {
        "join" | "replace" => true,
        "split" | "match" => false,
        _ => return None,
    })
}

/// The builtins whose result is only accounted for.
fn made(name: &str) -> bool {
    name == "string"
}

/// The builtins whose results hold values they did not copy.
fn fills(name: &str) -> bool {
    matches!(name, "map" | "each" | "zip" | "append")
}

/// Where a node sits, which decides what it may become.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pos {
    /// Its value is all that matters: it may become a call or a block.
    Value,
    /// Something looks at its kind (a path step, a sort's input, ...): a call may
    /// stay a call, nothing else changes kind.
    Kept,
    /// The right side of `~>`: left for the `~>` to rewrite.
    Applied,
}

/// Rewrites `ast`; `bound` are the names the expression binds itself. Returns whether
/// anything changed (and so whether the host functions are needed).
pub(super) fn rewrite(ast: &mut AstNode, bound: &BTreeSet<String>) -> bool {
    let mut cx = Cx {
        bound,
        changed: false,
    };
    cx.visit(ast, Pos::Value);
    cx.changed
}

struct Cx<'a> {
    bound: &'a BTreeSet<String>,
    changed: bool,
}

fn call(name: &str, args: Vec<AstNode>) -> AstNode {
    AstNode::Function {
        name: name.to_owned(),
        args,
        is_builtin: true,
    }
}

fn temp(i: usize) -> String {
    format!(" {i}")
}

/// `true` for a literal: a string, number, boolean, null, undefined or regex.
fn literal(node: &AstNode) -> bool {
    matches!(
        node,
        AstNode::String(_)
            | AstNode::Number(_)
            | AstNode::Boolean(_)
            | AstNode::Null
            | AstNode::Undefined
            | AstNode::Regex { .. }
    )
}

/// `true` for an expression whose value is free to compute twice and cannot be a
/// large value the expression made (a literal, a variable, a path of names from one, a
/// function literal).
fn simple(node: &AstNode) -> bool {
    match node {
        _ if literal(node) => true,
        AstNode::Variable(_) | AstNode::Lambda { .. } => true,
        AstNode::Path { steps } => {
            steps.iter().all(|s| s.stages.is_empty() && plain(s))
                && matches!(steps.first().map(|s| &s.node), Some(AstNode::Variable(_)))
                && steps
                    .iter()
                    .skip(1)
                    .all(|s| matches!(s.node, AstNode::Name(_)))
        }
        _ => false,
    }
}

/// A step that binds nothing and takes part in no tuple stream.
fn plain(step: &PathStep) -> bool {
    step.focus.is_none()
        && step.index_var.is_none()
        && step.ancestor_label.is_none()
        && !step.is_tuple
        && !step.inner_tuple
        && !matches!(step.node, AstNode::Parent(_))
        && !step.stages.iter().any(|s| matches!(s, Stage::Index(_)))
}

/// `true` for a member of a constructor that cannot repeat a value the expression
/// made: a literal, or a path of names from the context.
fn trivial(node: &AstNode) -> bool {
    match node {
        _ if literal(node) => true,
        AstNode::Name(_) => true,
        AstNode::Path { steps } => steps
            .iter()
            .all(|s| plain(s) && matches!(s.node, AstNode::Name(_))),
        AstNode::Unary { operand, .. } => trivial(operand),
        _ => false,
    }
}

/// A path whose value may repeat values it did not copy: a step other than a name
/// after the first (a block, a variable, a wildcard, descendants, a call, a
/// constructor). Paths that take part in tuple streams are left alone.
fn repeating_path(steps: &[PathStep]) -> bool {
    steps.len() > 1
        && steps.iter().all(plain)
        && steps
            .iter()
            .skip(1)
            .any(|s| !matches!(s.node, AstNode::Name(_)))
}

impl Cx<'_> {
    fn visit(&mut self, node: &mut AstNode, pos: Pos) {
        with_stack(|| {
            self.children(node, pos);
            self.node(node, pos);
        });
    }

    fn children(&mut self, node: &mut AstNode, pos: Pos) {
        match node {
            AstNode::Path { steps } => {
                // The one step of a path on the right of `~>` is what `~>` calls.
                let step_pos = if pos == Pos::Applied && steps.len() == 1 {
                    Pos::Applied
                } else {
                    Pos::Kept
                };
                for step in steps.iter_mut() {
                    self.visit(&mut step.node, step_pos);
                    for stage in &mut step.stages {
                        if let Stage::Filter(filter) = stage {
                            self.visit(filter, Pos::Value);
                        }
                    }
                }
            }
            AstNode::Binary { op, lhs, rhs } => match op {
                BinaryOp::ColonEqual => {
                    // A lambda bound by `:=` knows its name (for recursion): it stays a
                    // lambda.
                    let pos = if matches!(**rhs, AstNode::Lambda { .. }) {
                        Pos::Kept
                    } else {
                        Pos::Value
                    };
                    self.visit(rhs, pos);
                }
                BinaryOp::FocusBind | BinaryOp::IndexBind => {
                    self.visit(lhs, Pos::Kept);
                    self.visit(rhs, Pos::Kept);
                }
                BinaryOp::ChainPipe => {
                    self.visit(lhs, Pos::Value);
                    self.visit(rhs, Pos::Applied);
                }
                _ => {
                    self.visit(lhs, Pos::Value);
                    self.visit(rhs, Pos::Value);
                }
            },
            AstNode::Unary { operand, .. } => self.visit(operand, Pos::Value),
            AstNode::Function { args, .. } => {
                for arg in args {
                    self.visit(arg, Pos::Value);
                }
            }
            AstNode::Call { procedure, args } => {
                self.visit(procedure, Pos::Kept);
                for arg in args {
                    self.visit(arg, Pos::Value);
                }
            }
            AstNode::Lambda { body, .. } => self.visit(body, Pos::Value),
            AstNode::Array(items) => {
                for item in items {
                    // A constructor inside a constructor is kept whole, not spliced
                    // in: it must stay one.
                    let pos = if matches!(item, AstNode::Array(_)) {
                        Pos::Kept
                    } else {
                        Pos::Value
                    };
                    self.visit(item, pos);
                }
            }
            AstNode::Block(items) | AstNode::ArrayGroup(items) => {
                for item in items {
                    self.visit(item, Pos::Value);
                }
            }
            AstNode::Object(pairs) => {
                for (key, value) in pairs {
                    self.visit(key, Pos::Value);
                    self.visit(value, Pos::Value);
                }
            }
            AstNode::ObjectTransform { input, pattern } => {
                self.visit(input, Pos::Kept);
                for (key, value) in pattern {
                    self.visit(key, Pos::Value);
                    self.visit(value, Pos::Value);
                }
            }
            AstNode::Conditional {
                condition,
                then_branch,
                else_branch,
            } => {
                self.visit(condition, Pos::Value);
                self.visit(then_branch, Pos::Value);
                if let Some(e) = else_branch {
                    self.visit(e, Pos::Value);
                }
            }
            AstNode::FunctionApplication(inner) => self.visit(inner, Pos::Kept),
            AstNode::Sort { input, terms } => {
                self.visit(input, Pos::Kept);
                for (term, _) in terms {
                    self.visit(term, Pos::Value);
                }
            }
            AstNode::Transform {
                location,
                update,
                delete,
            } => {
                self.visit(location, Pos::Kept);
                self.visit(update, Pos::Value);
                if let Some(delete) = delete {
                    self.visit(delete, Pos::Value);
                }
            }
            AstNode::String(_)
            | AstNode::Name(_)
            | AstNode::Number(_)
            | AstNode::Boolean(_)
            | AstNode::Null
            | AstNode::Undefined
            | AstNode::Placeholder
            | AstNode::Regex { .. }
            | AstNode::Variable(_)
            | AstNode::ParentVariable(_)
            | AstNode::Wildcard
            | AstNode::Descendant
            | AstNode::Parent(_) => {}
        }
    }

    /// Rewrites `node` itself, its children done.
    fn node(&mut self, node: &mut AstNode, pos: Pos) {
        match node {
            AstNode::Binary {
                op: BinaryOp::Concatenate,
                lhs,
                rhs,
            } => {
                let args = vec![
                    std::mem::replace(&mut **lhs, AstNode::Undefined),
                    std::mem::replace(&mut **rhs, AstNode::Undefined),
                ];
                *node = call(CONCAT, args);
                self.changed = true;
            }
            AstNode::Binary {
                op: BinaryOp::ChainPipe,
                lhs,
                rhs,
            } => {
                // `x ~> $f(a)` is `$f(x, a)` when the right side is a call without
                // placeholders.
                let AstNode::Function {
                    name,
                    args,
                    is_builtin: true,
                } = &mut **rhs
                else {
                    return;
                };
                if self.bound.contains(name.as_str())
                    || args.iter().any(|a| matches!(a, AstNode::Placeholder))
                    || (checked(name).is_none()
                        && !made(name)
                        && !fills(name)
                        && name != "distinct")
                {
                    return;
                }
                let mut all = Vec::with_capacity(args.len() + 1);
                all.push(std::mem::replace(&mut **lhs, AstNode::Undefined));
                all.append(args);
                *node = call(name, all);
                self.node(node, pos);
            }
            AstNode::Function {
                name,
                args,
                is_builtin: true,
            } if pos != Pos::Applied
                && !self.bound.contains(name.as_str())
                && !args.iter().any(|a| matches!(a, AstNode::Placeholder)) =>
            {
                if let Some(makes_string) = checked(name) {
                    if let Some(guarded) = self.checked_call(name, args, pos) {
                        *node = if makes_string {
                            call(MADE, vec![guarded])
                        } else {
                            guarded
                        };
                        self.changed = true;
                    }
                } else if made(name) {
                    let inner = std::mem::replace(node, AstNode::Undefined);
                    *node = call(MADE, vec![inner]);
                    self.changed = true;
                } else if fills(name) && pos == Pos::Value {
                    // (Elsewhere, what looks at the call's result may look at whether
                    // it is a sequence, which passing it through a function loses.)
                    let inner = std::mem::replace(node, AstNode::Undefined);
                    *node = call(BUILT, vec![inner]);
                    self.changed = true;
                } else if name == "distinct" && args.len() == 1 {
                    // (With more arguments the call fails, as jsonata-core fails it.)
                    *name = DISTINCT.to_owned();
                    self.changed = true;
                }
            }
            AstNode::Object(pairs)
                if pos == Pos::Value && pairs.iter().any(|(_, v)| !trivial(v)) =>
            {
                self.built(node);
            }
            AstNode::Array(items) if pos == Pos::Value && items.iter().any(|i| !trivial(i)) => {
                self.built(node);
            }
            AstNode::Path { steps } if pos == Pos::Value && repeating_path(steps) => {
                self.built(node);
            }
            _ => {}
        }
    }

    fn built(&mut self, node: &mut AstNode) {
        let inner = std::mem::replace(node, AstNode::Undefined);
        *node = call(BUILT, vec![inner]);
        self.changed = true;
    }

    /// `name(args)` with its first argument handed through the check, or `None` when
    /// that cannot be done without changing what the call means.
    fn checked_call(&mut self, name: &str, args: &mut Vec<AstNode>, pos: Pos) -> Option<AstNode> {
        let context = AstNode::Variable(String::new());
        let label = AstNode::String(name.to_owned());
        if args.is_empty() {
            // None of them reads the context when called without arguments.
            return None;
        }
        if args[1..].iter().all(simple) {
            // The other arguments are evaluated again for the check: they are
            // literals, variables or paths of names.
            let mut check_args = vec![label, context];
            check_args.push(std::mem::replace(&mut args[0], AstNode::Undefined));
            check_args.extend(args[1..].iter().cloned());
            let mut all = vec![call(CHECK, check_args)];
            all.extend(args.drain(1..));
            return Some(call(name, all));
        }
        if pos != Pos::Value {
            return None;
        }
        // `($" 1" := a1; ...; name(" check"(name, $, a0, $" 1", ...), $" 1", ...))`:
        // every argument evaluated once, in order (the first inside the check, before
        // the others are read).
        let mut block = Vec::with_capacity(args.len());
        let first = std::mem::replace(&mut args[0], AstNode::Undefined);
        // The first argument is evaluated before the others: bind it too.
        block.push(AstNode::Binary {
            op: BinaryOp::ColonEqual,
            lhs: Box::new(AstNode::Variable(temp(0))),
            rhs: Box::new(first),
        });
        for (i, arg) in args.drain(1..).enumerate() {
            block.push(AstNode::Binary {
                op: BinaryOp::ColonEqual,
                lhs: Box::new(AstNode::Variable(temp(i + 1))),
                rhs: Box::new(arg),
            });
        }
        let n = block.len();
        let vars: Vec<AstNode> = (0..n).map(|i| AstNode::Variable(temp(i))).collect();
        let mut check_args = vec![label, context];
        check_args.extend(vars.iter().cloned());
        let mut all = vec![call(CHECK, check_args)];
        all.extend(vars[1..].iter().cloned());
        block.push(call(name, all));
        Some(AstNode::Block(block))
    }
}

// ---------------------------------------------------------------------------------
// The host functions

/// The compiled regular expression of a regex value. (A macro so that the type, from
/// a crate this one does not name, is never written.)
macro_rules! regex {
    ($value:expr) => {
        extract_regex($value).and_then(|(pattern, flags)| build_regex(&pattern, &flags).ok())
    };
}

/// Registers the host functions the rewrite calls, measuring against `budget`.
pub(super) fn register(evaluator: &mut Evaluator, budget: &Rc<RefCell<Budget>>) {
    let b = Rc::clone(budget);
    let _ = evaluator.register_fn(CONCAT, move |args: &[JValue]| {
        concat(&mut b.borrow_mut(), args)
    });
    let b = Rc::clone(budget);
    let _ = evaluator.register_fn(CHECK, move |args: &[JValue]| {
        check(&mut b.borrow_mut(), args)
    });
    let b = Rc::clone(budget);
    let _ = evaluator.register_fn(MADE, move |args: &[JValue]| {
        let value = args.first().cloned().unwrap_or(JValue::Undefined);
        if let JValue::String(s) = &value {
            b.borrow_mut().track(s)?;
        }
        Ok(value)
    });
    let b = Rc::clone(budget);
    let _ = evaluator.register_fn(DISTINCT, move |args: &[JValue]| {
        distinct(&mut b.borrow_mut(), args)
    });
    let b = Rc::clone(budget);
    let _ = evaluator.register_fn(BUILT, move |args: &[JValue]| {
        let value = args.first().cloned().unwrap_or(JValue::Undefined);
        b.borrow_mut().measure(&value)?;
        Ok(value)
    });
}

/// `a & b` as jsonata-core concatenates (an operand that is not a string is written
/// as `$string` writes it, undefined is nothing), bounded.
fn concat(budget: &mut Budget, args: &[JValue]) -> Result<JValue, EvaluatorError> {
    let left = concat_text(budget, args.first())?;
    let right = concat_text(budget, args.get(1))?;
    let len = left.len() + right.len();
    budget.check_bytes(len)?;
    let mut text = String::with_capacity(len);
    text.push_str(&left);
    text.push_str(&right);
    let text: Rc<str> = Rc::from(text);
    budget.track(&text)?;
    Ok(JValue::String(text))
}

fn concat_text(budget: &mut Budget, value: Option<&JValue>) -> Result<Rc<str>, EvaluatorError> {
    Ok(match value {
        Some(JValue::String(s)) => Rc::clone(s),
        Some(
            v @ (JValue::Null
            | JValue::Number(_)
            | JValue::Bool(_)
            | JValue::Array(_)
            | JValue::Object(_)),
        ) => {
            if matches!(v, JValue::Array(_) | JValue::Object(_)) {
                budget.measure(v)?;
            }
            match to_text(v, None) {
                Ok(JValue::String(s)) => s,
                Ok(JValue::Null) => Rc::from(""),
                _ => {
                    return Err(EvaluatorError::TypeError(
                        "Cannot concatenate complex types".to_owned(),
                    ));
                }
            }
        }
        _ => Rc::from(""),
    })
}

/// `" check"(name, context, args...)`: fails when the call of `name` with `args` would
/// make or walk more than the budget allows; otherwise gives back the first argument
/// (the context when there is none). Arguments of the wrong type are left to the
/// function to refuse.
fn check(budget: &mut Budget, args: &[JValue]) -> Result<JValue, EvaluatorError> {
    let (Some(JValue::String(name)), Some(context)) = (args.first(), args.get(1)) else {
        return Ok(JValue::Undefined);
    };
    let given = &args[2..];
    // Functions that read the context when their first argument is left out.
    let with_context = |required: usize| -> Vec<&JValue> {
        if given.len() < required {
            std::iter::once(context).chain(given).collect()
        } else {
            given.iter().collect()
        }
    };
    match &**name {
        "join" => {
            if let Some(JValue::Array(items)) = given.first() {
                let separator = match given.get(1) {
                    Some(JValue::String(s)) => s.len(),
                    _ => 0,
                };
                let mut total = separator.saturating_mul(items.len().saturating_sub(1));
                budget.check_bytes(total)?;
                for item in items.iter() {
                    if let JValue::String(s) = item {
                        total = total.saturating_add(s.len());
                        budget.check_bytes(total)?;
                    }
                }
            }
        }
        "replace" => {
            let args = with_context(3);
            if let (Some(JValue::String(text)), Some(pattern), Some(JValue::String(with))) =
                (args.first(), args.get(1), args.get(2))
            {
                let limit = count_limit(args.get(3));
                replace_size(budget, text, pattern, with, limit)?;
            }
        }
        "split" => {
            let args = with_context(2);
            if let (Some(JValue::String(text)), Some(separator)) = (args.first(), args.get(1)) {
                let limit = count_limit(args.get(2));
                let pieces = match separator {
                    JValue::String(s) if s.is_empty() => text.chars().take(limit).count(),
                    JValue::String(s) => text.matches(&**s).take(limit).count() + 1,
                    other => match regex!(other) {
                        Some(re) => re.find_iter(text).take(limit).count() + 1,
                        None => 0,
                    },
                };
                let bytes = pieces
                    .min(limit)
                    .saturating_mul(SLOT)
                    .saturating_add(text.len());
                budget.check_bytes(bytes)?;
            }
        }
        "match" => {
            let args = with_context(2);
            if let (Some(JValue::String(text)), Some(pattern)) = (args.first(), args.get(1))
                && let Some(re) = regex!(pattern)
            {
                let limit = count_limit(args.get(2));
                // Each match is `{"match": ..., "index": ..., "groups": [...]}`.
                let mut total = 0usize;
                for caps in re.captures_iter(text).take(limit) {
                    let groups: usize = caps
                        .iter()
                        .skip(1)
                        .map(|g| SLOT + g.map_or(0, |g| g.len()))
                        .sum();
                    let matched = caps.get(0).map_or(0, |m| m.len());
                    total = total
                        .saturating_add(SLOT + 3 * SLOT + 16)
                        .saturating_add(matched)
                        .saturating_add(groups);
                    budget.check_bytes(total)?;
                }
            }
        }
        _ => {}
    }
    Ok(given.first().cloned().unwrap_or_else(|| context.clone()))
}

/// `$distinct(value)` as jsonata-core computes it (the first of each set of equal
/// items, in order; anything but an array of two or more items as it is), with the
/// items hashed rather than each compared with all those kept before it.
fn distinct(budget: &mut Budget, args: &[JValue]) -> Result<JValue, EvaluatorError> {
    let items = match args.first() {
        None | Some(JValue::Undefined) => return Ok(JValue::Undefined),
        Some(JValue::Array(items)) if items.len() > 1 => items,
        Some(other) => return Ok(other.clone()),
    };
    budget.measure(&args[0])?;
    let mut kept: Vec<JValue> = Vec::new();
    // The first kept item of each hash, and after each kept item the next one with
    // the same hash.
    let mut first: HashMap<u64, usize, BuildHasherDefault<Prehashed>> =
        HashMap::with_capacity_and_hasher(items.len(), Default::default());
    let mut next: Vec<usize> = Vec::new();
    for item in items.iter() {
        let Some(hash) = hash_value(item) else {
            // Never equal to anything (a function): always kept.
            kept.push(item.clone());
            next.push(usize::MAX);
            continue;
        };
        let mut at = first.get(&hash).copied();
        let mut last = None;
        let mut seen = false;
        while let Some(i) = at {
            if values_equal(&kept[i], item) {
                seen = true;
                break;
            }
            last = Some(i);
            at = Some(next[i]).filter(|&n| n != usize::MAX);
        }
        if seen {
            continue;
        }
        match last {
            Some(i) => next[i] = kept.len(),
            None => {
                first.insert(hash, kept.len());
            }
        }
        kept.push(item.clone());
        next.push(usize::MAX);
    }
    let mut result = JValue::array(kept);
    if items.sequence {
        result.mark_sequence();
    }
    Ok(result)
}

/// The hasher of keys that are hashes already.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A hash consistent with `values_equal` (numbers as floats, `-0` as `0`; object
/// members in any order); `None` for a value equal to nothing.
fn hash_value(value: &JValue) -> Option<u64> {
    let mut h = DefaultHasher::new();
    feed(&mut h, value)?;
    Some(h.finish())
}

fn feed(h: &mut DefaultHasher, value: &JValue) -> Option<()> {
    match value {
        JValue::Null => 0u8.hash(h),
        JValue::Bool(b) => (1u8, *b).hash(h),
        JValue::Number(n) => (2u8, if *n == 0.0 { 0 } else { n.to_bits() }).hash(h),
        JValue::String(s) => (3u8, &**s).hash(h),
        JValue::Array(items) => {
            (4u8, items.len()).hash(h);
            for item in items.iter() {
                with_stack(|| feed(h, item))?;
            }
        }
        JValue::Object(map) => {
            let mut sum = 0u64;
            for (k, v) in map.iter() {
                let mut inner = DefaultHasher::new();
                k.hash(&mut inner);
                with_stack(|| feed(&mut inner, v))?;
                sum = sum.wrapping_add(inner.finish());
            }
            (5u8, map.len(), sum).hash(h);
        }
        _ => return None,
    }
    Some(())
}

/// A count argument (`$replace`'s and `$split`'s limit) as the functions read it.
fn count_limit(value: Option<&&JValue>) -> usize {
    match value {
        Some(JValue::Number(n)) if *n >= 0.0 => *n as usize,
        _ => usize::MAX,
    }
}

/// Checks what `$replace(text, pattern, with)` makes: the text, and for each match the
/// replacement instead of the match, each `$` of it standing for at most the match.
fn replace_size(
    budget: &mut Budget,
    text: &str,
    pattern: &JValue,
    with: &str,
    limit: usize,
) -> Result<(), Over> {
    if with.len() <= 1 && !with.contains('$') {
        // No longer than the text.
        return Ok(());
    }
    let mut total = text.len();
    match pattern {
        JValue::String(p) if !p.is_empty() => {
            let grows = with.len().saturating_sub(p.len());
            if grows == 0 {
                return Ok(());
            }
            for _ in text.matches(&**p).take(limit) {
                total = total.saturating_add(grows);
                budget.check_bytes(total)?;
            }
        }
        other => {
            let Some(re) = regex!(other) else {
                return Ok(());
            };
            let dollars = with.matches('$').count();
            for m in re.find_iter(text).take(limit) {
                total = total
                    .saturating_add(with.len())
                    .saturating_add(dollars.saturating_mul(m.len()));
                budget.check_bytes(total)?;
            }
        }
    }
    Ok(())
}
