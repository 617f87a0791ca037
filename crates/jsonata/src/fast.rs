//! Direct evaluation of the shapes most expressions in state machines have, on this
//! crate's values, without jsonata-core: no conversion of the input or the variables,
//! no evaluator to set up.
//!
//! Covered: literals (numbers, strings, booleans, `null`); variables; paths of plain
//! names from a variable (`$states.input.order.id`), with JSONata's sequence semantics
//! where arrays are traversed; `+ - * / %` and unary minus; `= != < <= > >=`; `and`,
//! `or`; `&`; `? :`; object constructors with literal keys; array constructors;
//! one-expression blocks; `$merge`, `$count`, `$string`, `$not` and `$exists` of one
//! argument. [`compile`] decides once per expression whether it has that shape.
//!
//! The results are jsonata-core's, exactly: the equivalence is tested over JSONata's
//! reference suite and on generated expressions (`tests/fast.rs`). Whatever this
//! module is unsure of at run time (an error, a number JSON cannot carry, an unbound
//! variable, data nested deeper than it walks) it hands back with [`Bail`], and the
//! expression is evaluated by jsonata-core from the start, so errors and their
//! messages are always jsonata-core's. Nothing here has effects, so evaluating
//! twice is safe.
//!
//! The work is bounded by the expression's size times the data's (no functions, no
//! loops), so the time limit needs no clock here; the depth limit is met by taking
//! only expressions jsonata-core could not stop at it ([`Fast::within`]), and the
//! sequence limit is checked wherever jsonata-core checks it (and in a few more places).
//! Of the memory bound only `&` can reach anything near, and a string past it is left
//! to jsonata-core; results are no deeper than their data (which is walked to
//! `MAX_DATA_DEPTH` at most) plus the expression's own nesting.

use std::cell::RefCell;
use std::sync::Arc;

use baton_json::{Map, Str, Value};
use jsonata_core::ast::{AstNode, BinaryOp, PathStep, UnaryOp};
use jsonata_core::value::JValue;

use crate::aws::number_value;
use crate::{Bindings, Limits};

/// The deepest expression this module evaluates, in levels of nesting; deeper ones
/// are left to jsonata-core, which grows its stack as it needs.
const MAX_NESTING: usize = 32;

/// The deepest data this module walks (for equality, truthiness, nested arrays in
/// paths, the check of results); deeper data is left to jsonata-core.
const MAX_DATA_DEPTH: usize = 64;

/// Evaluation was left to jsonata-core: an error, or a case this module does not
/// decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bail;

type Eval<T> = Result<T, Bail>;

/// An expression in a shape this module evaluates.
#[derive(Debug)]
pub(crate) struct Fast {
    root: Node,
    /// Levels of nesting.
    depth: usize,
}

#[derive(Debug)]
enum Node {
    /// A string, boolean or `null` literal.
    Literal(Value),
    Number(f64),
    /// `$name`.
    Variable(Box<str>),
    /// `$name.a.b`: the variable and the names after it (at least one).
    Path(Box<str>, Box<[Box<str>]>),
    Arithmetic(Arith, Box<Node>, Box<Node>),
    Compare(Compare, Box<Node>, Box<Node>),
    /// `=`, or `!=` when the flag is set.
    Equal(bool, Box<Node>, Box<Node>),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    /// `a & b & c`, flattened.
    Concat(Box<[Node]>),
    /// An object constructor with distinct literal keys.
    Object(Box<[(Str, Node)]>),
    /// An array constructor; the flag marks items that are array constructors
    /// themselves (kept whole rather than spliced in).
    Array(Box<[(bool, Node)]>),
    Condition(Box<Node>, Box<Node>, Option<Box<Node>>),
    Negate(Box<Node>),
    Call(Builtin, Box<Node>),
    /// `$merge([...])`, the array constructor's items merged as they are evaluated
    /// (flags as for [`Node::Array`]).
    MergeItems(Box<[(bool, Node)]>),
}

#[derive(Debug, Clone, Copy)]
enum Arith {
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
}

#[derive(Debug, Clone, Copy)]
enum Compare {
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

#[derive(Debug, Clone, Copy)]
enum Builtin {
    Merge,
    Count,
    String,
    Not,
    Exists,
}

impl Builtin {
    fn name(self) -> &'static str {
        match self {
            Builtin::Merge => "merge",
            Builtin::Count => "count",
            Builtin::String => "string",
            Builtin::Not => "not",
            Builtin::Exists => "exists",
        }
    }
}

/// The expression in this module's form, if it has a shape it covers.
pub(crate) fn compile(ast: &AstNode) -> Option<Fast> {
    let mut depth = 0;
    let root = node(ast, 1, &mut depth)?;
    Some(Fast { root, depth })
}

fn node(ast: &AstNode, level: usize, depth: &mut usize) -> Option<Node> {
    if level > MAX_NESTING {
        return None;
    }
    *depth = (*depth).max(level);
    let mut sub = |n: &AstNode| node(n, level + 1, depth).map(Box::new);
    Some(match ast {
        AstNode::String(s) => Node::Literal(Value::from(s.as_str())),
        AstNode::Number(n) if n.is_finite() => Node::Number(*n),
        AstNode::Boolean(b) => Node::Literal(Value::Bool(*b)),
        AstNode::Null => Node::Literal(Value::Null),
        AstNode::Variable(name) if !name.is_empty() => Node::Variable(name.as_str().into()),
        AstNode::Path { steps } => path(steps)?,
        AstNode::Binary {
            op: BinaryOp::Concatenate,
            ..
        } => {
            let mut parts = Vec::new();
            concat_parts(ast, level, depth, &mut parts)?;
            Node::Concat(parts.into())
        }
        AstNode::Binary { op, lhs, rhs } => {
            let make: fn(Box<Node>, Box<Node>) -> Node = match op {
                BinaryOp::Add => |l, r| Node::Arithmetic(Arith::Add, l, r),
                BinaryOp::Subtract => |l, r| Node::Arithmetic(Arith::Subtract, l, r),
                BinaryOp::Multiply => |l, r| Node::Arithmetic(Arith::Multiply, l, r),
                BinaryOp::Divide => |l, r| Node::Arithmetic(Arith::Divide, l, r),
                BinaryOp::Modulo => |l, r| Node::Arithmetic(Arith::Modulo, l, r),
                BinaryOp::Equal => |l, r| Node::Equal(false, l, r),
                BinaryOp::NotEqual => |l, r| Node::Equal(true, l, r),
                BinaryOp::LessThan => |l, r| Node::Compare(Compare::Less, l, r),
                BinaryOp::LessThanOrEqual => |l, r| Node::Compare(Compare::LessOrEqual, l, r),
                BinaryOp::GreaterThan => |l, r| Node::Compare(Compare::Greater, l, r),
                BinaryOp::GreaterThanOrEqual => |l, r| Node::Compare(Compare::GreaterOrEqual, l, r),
                BinaryOp::And => Node::And,
                BinaryOp::Or => Node::Or,
                _ => return None,
            };
            let l = sub(lhs)?;
            make(l, sub(rhs)?)
        }
        AstNode::Unary {
            op: UnaryOp::Negate,
            operand,
        } => Node::Negate(sub(operand)?),
        AstNode::Function {
            name,
            args,
            is_builtin: true,
        } if args.len() == 1 => {
            let f = match name.as_str() {
                "merge" => Builtin::Merge,
                "count" => Builtin::Count,
                "string" => Builtin::String,
                "not" => Builtin::Not,
                "exists" => Builtin::Exists,
                _ => return None,
            };
            match (f, *sub(&args[0])?) {
                (Builtin::Merge, Node::Array(items)) => Node::MergeItems(items),
                (f, arg) => Node::Call(f, Box::new(arg)),
            }
        }
        AstNode::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                out.push((matches!(item, AstNode::Array(_)), *sub(item)?));
            }
            Node::Array(out.into())
        }
        AstNode::Object(pairs) => {
            let mut out: Vec<(Str, Node)> = Vec::with_capacity(pairs.len());
            for (key, value) in pairs {
                // A key given twice is an error (D1009), left to jsonata-core.
                let AstNode::String(key) = key else {
                    return None;
                };
                if out.iter().any(|(k, _)| **k == **key) {
                    return None;
                }
                out.push((key.as_str().into(), *sub(value)?));
            }
            Node::Object(out.into())
        }
        AstNode::Block(items) if items.len() == 1 => *sub(&items[0])?,
        AstNode::Conditional {
            condition,
            then_branch,
            else_branch,
        } => Node::Condition(
            sub(condition)?,
            sub(then_branch)?,
            match else_branch {
                Some(e) => Some(sub(e)?),
                None => None,
            },
        ),
        _ => return None,
    })
}

/// The operands of a chain of `&`, in order.
fn concat_parts(
    ast: &AstNode,
    level: usize,
    depth: &mut usize,
    parts: &mut Vec<Node>,
) -> Option<()> {
    if level > MAX_NESTING {
        return None;
    }
    *depth = (*depth).max(level);
    match ast {
        AstNode::Binary {
            op: BinaryOp::Concatenate,
            lhs,
            rhs,
        } => {
            concat_parts(lhs, level + 1, depth, parts)?;
            concat_parts(rhs, level + 1, depth, parts)
        }
        other => {
            parts.push(node(other, level, depth)?);
            Some(())
        }
    }
}

/// `$name.a.b`, with no predicates, bindings or other steps.
fn path(steps: &[PathStep]) -> Option<Node> {
    let plain = |s: &PathStep| {
        s.stages.is_empty()
            && s.focus.is_none()
            && s.index_var.is_none()
            && s.ancestor_label.is_none()
            && !s.is_tuple
            && !s.inner_tuple
    };
    let (head, rest) = steps.split_first()?;
    let AstNode::Variable(name) = &head.node else {
        return None;
    };
    if name.is_empty() || rest.is_empty() || !steps.iter().all(plain) {
        return None;
    }
    let names = rest
        .iter()
        .map(|s| match &s.node {
            AstNode::Name(n) => Some(Box::<str>::from(n.as_str())),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Node::Path(name.as_str().into(), names.into()))
}

impl Fast {
    /// `true` when jsonata-core could not stop this expression at `limits`' depth, so
    /// that this module's answer is the one it would give.
    pub(crate) fn within(&self, limits: &Limits) -> bool {
        // jsonata-core counts a few levels for each level of nesting at most.
        limits
            .max_depth
            .is_none_or(|max| max >= 4 * self.depth + 16)
    }

    /// Evaluates; `Ok(None)` is undefined.
    pub(crate) fn evaluate(&self, bindings: &Bindings, limits: &Limits) -> Eval<Option<Value>> {
        let cx = Cx {
            bindings,
            max_sequence: limits.effective_sequence_length().unwrap_or(usize::MAX),
            max_text: limits.max_memory.unwrap_or(usize::MAX),
        };
        let result = cx.eval(&self.root)?.into_output()?;
        if let Some(v) = &result {
            remember(v);
        }
        Ok(result)
    }
}

/// A value during evaluation.
#[derive(Debug)]
enum V {
    Undefined,
    /// A number computed or written in the expression.
    Number(f64),
    /// A value the expression made, its numbers as jsonata-core's results write
    /// them.
    Value(Value),
    /// A value from the bindings, whose numbers may not be (see [`canonical`]).
    Data(Value),
}

impl V {
    /// The value, as it is.
    fn as_value(&self) -> Option<&Value> {
        match self {
            V::Value(v) | V::Data(v) => Some(v),
            _ => None,
        }
    }

    /// The value, for comparing: numbers from the data as they are (they are
    /// compared as floats).
    fn into_value(self) -> Option<Value> {
        match self {
            V::Undefined => None,
            V::Number(f) => Some(number_value(f)),
            V::Value(v) | V::Data(v) => Some(v),
        }
    }

    /// The value as a result or a part of one, as jsonata-core would give it; data
    /// whose numbers jsonata-core would change is left to it.
    fn into_output(self) -> Eval<Option<Value>> {
        Ok(match self {
            V::Undefined => None,
            V::Number(f) => Some(number_value(f)),
            V::Value(v) => Some(v),
            V::Data(v) => Some(verified(v)?),
        })
    }

    fn number(&self) -> Option<f64> {
        match self {
            V::Number(f) => Some(*f),
            V::Value(Value::Number(n)) | V::Data(Value::Number(n)) => Some(n.as_f64()),
            _ => None,
        }
    }
}

struct Cx<'a> {
    bindings: &'a Bindings,
    max_sequence: usize,
    /// The longest string `&` may make (the memory bound); a longer one is left to
    /// jsonata-core, which refuses it.
    max_text: usize,
}

/// A path's value between steps: one value (an array here is an array, not a
/// sequence), or a sequence.
enum Cur<'v> {
    One(&'v Value),
    Seq(Vec<&'v Value>),
}

/// One item's result in a path step: a value, or a sequence from a nested array.
enum Res<'v> {
    Value(&'v Value),
    Seq(Vec<&'v Value>),
}

impl<'a> Cx<'a> {
    fn eval(&self, node: &Node) -> Eval<V> {
        Ok(match node {
            Node::Literal(v) => V::Value(v.clone()),
            Node::Number(n) => V::Number(*n),
            Node::Variable(name) => match self.bindings.var(name) {
                Some(v) => V::Data(v.clone()),
                // Unbound: undefined, or a function of that name.
                None => return Err(Bail),
            },
            Node::Path(var, names) => self.path(var, names)?,
            Node::Arithmetic(op, lhs, rhs) => {
                let (l, r) = (self.eval(lhs)?, self.eval(rhs)?);
                let operand = |v: &V| match v {
                    V::Undefined => Ok(None),
                    v => v.number().map(Some).ok_or(Bail),
                };
                match (operand(&l)?, operand(&r)?) {
                    (Some(a), Some(b)) => {
                        let f = match op {
                            Arith::Add => a + b,
                            Arith::Subtract => a - b,
                            Arith::Multiply => a * b,
                            Arith::Divide => a / b,
                            Arith::Modulo => a % b,
                        };
                        if !f.is_finite() {
                            return Err(Bail);
                        }
                        V::Number(f)
                    }
                    _ => V::Undefined,
                }
            }
            Node::Compare(op, lhs, rhs) => {
                let (l, r) = (self.eval(lhs)?, self.eval(rhs)?);
                if matches!(l, V::Undefined) || matches!(r, V::Undefined) {
                    // Undefined, unless the other side is not comparable (T2010).
                    let comparable = |v: &V| {
                        matches!(v, V::Undefined | V::Number(_))
                            || matches!(v.as_value(), Some(Value::Number(_) | Value::String(_)))
                    };
                    return if comparable(&l) && comparable(&r) {
                        Ok(V::Undefined)
                    } else {
                        Err(Bail)
                    };
                }
                let ordering = match (l.number(), r.number(), l.as_value(), r.as_value()) {
                    (Some(a), Some(b), _, _) => a.partial_cmp(&b).ok_or(Bail)?,
                    (None, None, Some(Value::String(a)), Some(Value::String(b))) => a.cmp(b),
                    _ => return Err(Bail),
                };
                V::Value(Value::Bool(match op {
                    Compare::Less => ordering.is_lt(),
                    Compare::LessOrEqual => ordering.is_le(),
                    Compare::Greater => ordering.is_gt(),
                    Compare::GreaterOrEqual => ordering.is_ge(),
                }))
            }
            Node::Equal(negated, lhs, rhs) => {
                let (l, r) = (self.eval(lhs)?, self.eval(rhs)?);
                match (l.into_value(), r.into_value()) {
                    (Some(a), Some(b)) => V::Value(Value::Bool(equal(&a, &b, 0)? != *negated)),
                    _ => V::Value(Value::Bool(false)),
                }
            }
            Node::And(lhs, rhs) => {
                let result = truthy(&self.eval(lhs)?)? && truthy(&self.eval(rhs)?)?;
                V::Value(Value::Bool(result))
            }
            Node::Or(lhs, rhs) => {
                let result = truthy(&self.eval(lhs)?)? || truthy(&self.eval(rhs)?)?;
                V::Value(Value::Bool(result))
            }
            Node::Concat(parts) => {
                let mut text = String::new();
                for part in parts.iter() {
                    let v = self.eval(part)?;
                    match (&v, v.as_value()) {
                        (V::Number(f), _) => push_number(&mut text, *f)?,
                        (_, None) => {}
                        (_, Some(Value::String(s))) => text.push_str(s),
                        (_, Some(Value::Number(n))) => push_number(&mut text, n.as_f64())?,
                        (_, Some(Value::Bool(b))) => {
                            text.push_str(if *b { "true" } else { "false" })
                        }
                        (_, Some(Value::Null)) => text.push_str("null"),
                        (_, Some(_)) => return Err(Bail),
                    }
                    if text.len() > self.max_text {
                        return Err(Bail);
                    }
                }
                V::Value(Value::from(text))
            }
            Node::Object(pairs) => {
                let mut map = Map::with_capacity_and_hasher(pairs.len(), Default::default());
                for (key, value) in pairs.iter() {
                    if let Some(v) = self.eval(value)?.into_output()? {
                        map.insert(key.clone(), v);
                    }
                }
                V::Value(Value::object(map))
            }
            Node::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (constructor, item) in items.iter() {
                    match self.eval(item)?.into_output()? {
                        None => {}
                        Some(Value::Array(inner)) if !constructor => {
                            out.extend(inner.iter().cloned())
                        }
                        Some(v) => out.push(v),
                    }
                }
                V::Value(Value::array(out))
            }
            Node::Condition(condition, then, otherwise) => {
                if truthy(&self.eval(condition)?)? {
                    self.eval(then)?
                } else {
                    match otherwise {
                        Some(e) => self.eval(e)?,
                        None => V::Undefined,
                    }
                }
            }
            Node::Negate(operand) => match self.eval(operand)? {
                V::Undefined => V::Undefined,
                v => V::Number(-v.number().ok_or(Bail)?),
            },
            Node::Call(f, arg) => {
                if self.bindings.has_var(f.name()) {
                    // A variable of that name is what the call calls.
                    return Err(Bail);
                }
                self.call(*f, self.eval(arg)?)?
            }
            Node::MergeItems(items) => {
                if self.bindings.has_var("merge") {
                    return Err(Bail);
                }
                let mut map: Option<Map> = None;
                for (constructor, item) in items.iter() {
                    if let (false, Node::Object(pairs)) = (constructor, item) {
                        // The object's members go straight into the result.
                        let map = map.get_or_insert_with(Map::default);
                        for (key, value) in pairs.iter() {
                            if let Some(v) = self.eval(value)?.into_output()? {
                                map.insert(key.clone(), v);
                            }
                        }
                        continue;
                    }
                    match self.eval(item)?.into_output()? {
                        None => {}
                        Some(Value::Array(inner)) if !constructor => {
                            merge_into(&mut map, &inner)?;
                        }
                        Some(object @ Value::Object(_)) => {
                            merge_into(&mut map, std::slice::from_ref(&object))?;
                        }
                        Some(_) => return Err(Bail),
                    }
                }
                V::Value(Value::object(map.unwrap_or_default()))
            }
        })
    }

    fn call(&self, f: Builtin, arg: V) -> Eval<V> {
        if let V::Undefined = arg {
            return Ok(match f {
                Builtin::Count => V::Number(0.0),
                Builtin::Exists => V::Value(Value::Bool(false)),
                _ => V::Undefined,
            });
        }
        Ok(match f {
            Builtin::Exists => V::Value(Value::Bool(true)),
            Builtin::Not => V::Value(Value::Bool(!truthy(&arg)?)),
            Builtin::Count => match arg.as_value() {
                Some(Value::Array(items)) => V::Number(items.len() as f64),
                _ => V::Number(1.0),
            },
            Builtin::String => V::Value(match (&arg, arg.as_value()) {
                (V::Number(f), _) => Value::from(number_text(*f)?),
                (_, Some(v @ Value::String(_))) => v.clone(),
                (_, Some(Value::Number(n))) => Value::from(number_text(n.as_f64())?),
                (_, Some(Value::Bool(b))) => Value::from(if *b { "true" } else { "false" }),
                (_, Some(Value::Null)) => Value::from("null"),
                _ => return Err(Bail),
            }),
            Builtin::Merge => {
                let made = matches!(arg, V::Value(_));
                let merged = match arg.as_value() {
                    Some(Value::Object(_)) => return Ok(arg),
                    Some(Value::Array(items)) => merge(items)?,
                    _ => return Err(Bail),
                };
                // Made of the expression's values, or of data still to be checked.
                if made {
                    V::Value(merged)
                } else {
                    V::Data(merged)
                }
            }
        })
    }

    /// `$var.a.b`, as jsonata-core evaluates a path: the variable's value, then each
    /// name looked up in every item of the previous step's sequence, arrays flattened
    /// into it; on the last step a single array is kept as it is. An empty step ends
    /// the path.
    fn path(&self, var: &str, names: &[Box<str>]) -> Eval<V> {
        let states = match var {
            "states" => self.bindings.states(),
            _ => None,
        };
        let (mut cur, names) = match states {
            // `$states`'s members without building the object: its first step is a
            // lookup in an object.
            Some(states) => match states.member(&names[0]) {
                None => return Ok(V::Undefined),
                Some(v) => (self.single(v, names.len() == 1)?, &names[1..]),
            },
            None => match self.bindings.var(var) {
                None => return Err(Bail),
                Some(v) => (self.single(v, false)?, names),
            },
        };
        for (i, name) in names.iter().enumerate() {
            if is_empty(&cur) {
                break;
            }
            let last = i + 1 == names.len();
            cur = match &cur {
                Cur::One(item @ Value::Object(_)) => match item.get(name) {
                    None => return Ok(V::Undefined),
                    Some(v) => self.single(v, last)?,
                },
                Cur::Seq(items) if items.len() == 1 && items[0].as_object().is_some() => {
                    match items[0].get(name) {
                        None => return Ok(V::Undefined),
                        Some(v) => self.single(v, last)?,
                    }
                }
                Cur::One(item) => self.step(name, std::slice::from_ref(item), last)?,
                Cur::Seq(items) => self.step(name, items, last)?,
            };
        }
        Ok(match cur {
            Cur::One(v) => V::Data(v.clone()),
            Cur::Seq(items) => match items.as_slice() {
                _ if items.len() > self.max_sequence => return Err(Bail),
                [] => V::Undefined,
                [one] => V::Data((*one).clone()),
                _ => V::Data(Value::array(items.into_iter().cloned().collect())),
            },
        })
    }

    /// A step's single result: an array is a sequence of its items, except on the
    /// last step.
    fn single<'v>(&self, value: &'v Value, last: bool) -> Eval<Cur<'v>> {
        Ok(match value {
            Value::Array(items) => {
                self.check_length(items.len())?;
                if last {
                    Cur::One(value)
                } else {
                    Cur::Seq(items.iter().collect())
                }
            }
            other => Cur::One(other),
        })
    }

    /// A name step over several items (or one that is not an object).
    fn step<'v>(&self, name: &str, items: &[&'v Value], last: bool) -> Eval<Cur<'v>> {
        let mut results = Vec::with_capacity(items.len());
        for item in items {
            match item {
                Value::Object(_) => results.extend(item.get(name).map(Res::Value)),
                other => results.extend(self.field(name, other, 0)?.map(Res::Seq)),
            }
        }
        self.check_length(results.len())?;
        if let (true, [Res::Value(v @ Value::Array(_))]) = (last, results.as_slice()) {
            return Ok(Cur::One(v));
        }
        let mut out = Vec::with_capacity(results.len());
        for r in results {
            match r {
                Res::Value(Value::Array(inner)) => out.extend(inner.iter()),
                Res::Value(v) => out.push(v),
                Res::Seq(s) => out.extend(s),
            }
        }
        Ok(Cur::Seq(out))
    }

    /// A name looked up in a value that is not an object: in each item of an array,
    /// recursively, arrays flattened; nothing in a scalar.
    fn field<'v>(
        &self,
        name: &str,
        value: &'v Value,
        depth: usize,
    ) -> Eval<Option<Vec<&'v Value>>> {
        let Value::Array(items) = value else {
            return Ok(None);
        };
        if depth > MAX_DATA_DEPTH {
            return Err(Bail);
        }
        let mut out = Vec::new();
        for item in items.iter() {
            match item {
                Value::Object(_) => match item.get(name) {
                    Some(Value::Array(inner)) => out.extend(inner.iter()),
                    Some(v) => out.push(v),
                    None => {}
                },
                other => {
                    if let Some(s) = self.field(name, other, depth + 1)? {
                        out.extend(s);
                    }
                }
            }
        }
        self.check_length(out.len())?;
        Ok((!out.is_empty()).then_some(out))
    }

    fn check_length(&self, len: usize) -> Eval<()> {
        if len > self.max_sequence {
            Err(Bail)
        } else {
            Ok(())
        }
    }
}

fn is_empty(cur: &Cur<'_>) -> bool {
    match cur {
        Cur::One(Value::Array(items)) => items.is_empty(),
        Cur::One(_) => false,
        Cur::Seq(items) => items.is_empty(),
    }
}

/// A number as `$string` and `&` write it (jsonata-core's own formatting).
fn number_text(f: f64) -> Eval<String> {
    let mut text = String::new();
    push_number(&mut text, f)?;
    Ok(text)
}

/// Appends `f` as `$string` and `&` write it: an integer below 10^15 as its digits
/// (what JavaScript writes, `-0` as `0`), anything else as jsonata-core writes it.
fn push_number(text: &mut String, f: f64) -> Eval<()> {
    use std::fmt::Write as _;
    if f.fract() == 0.0 && f.abs() < 1e15 {
        let _ = write!(text, "{}", f as i64);
        return Ok(());
    }
    match jsonata_core::functions::string::string(&JValue::Number(f), None) {
        Ok(JValue::String(s)) => {
            text.push_str(&s);
            Ok(())
        }
        _ => Err(Bail),
    }
}

/// `$merge` of an array: its objects' members, later ones replacing earlier ones in
/// place.
fn merge(items: &[Value]) -> Eval<Value> {
    let mut map = None;
    merge_into(&mut map, items)?;
    Ok(Value::object(map.unwrap_or_default()))
}

/// Merges the objects `items` into `map` (none yet: the first object's members are
/// copied whole).
fn merge_into(map: &mut Option<Map>, items: &[Value]) -> Eval<()> {
    for item in items {
        let Value::Object(o) = item else {
            return Err(Bail);
        };
        match map {
            None => *map = Some(Map::clone(o)),
            Some(map) => {
                for (k, v) in o.iter() {
                    map.insert(k.clone(), v.clone());
                }
            }
        }
    }
    Ok(())
}

/// JSONata's truthiness (`$boolean`).
fn truthy(v: &V) -> Eval<bool> {
    match v {
        V::Undefined => Ok(false),
        V::Number(f) => Ok(*f != 0.0),
        V::Value(v) | V::Data(v) => truthy_value(v, 0),
    }
}

fn truthy_value(v: &Value, depth: usize) -> Eval<bool> {
    if depth > MAX_DATA_DEPTH {
        return Err(Bail);
    }
    Ok(match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != 0.0,
        Value::String(s) => !s.is_empty(),
        Value::Array(items) => match items.as_slice() {
            [] => false,
            [one] => truthy_value(one, depth + 1)?,
            all => {
                for item in all {
                    if truthy_value(item, depth + 1)? {
                        return Ok(true);
                    }
                }
                false
            }
        },
        Value::Object(o) => !o.is_empty(),
    })
}

/// JSONata's deep equality: numbers as floats, objects regardless of key order.
fn equal(a: &Value, b: &Value, depth: usize) -> Eval<bool> {
    if depth > MAX_DATA_DEPTH {
        return Err(Bail);
    }
    Ok(match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                return Ok(false);
            }
            for (p, q) in x.iter().zip(y.iter()) {
                if !equal(p, q, depth + 1)? {
                    return Ok(false);
                }
            }
            true
        }
        (Value::Object(x), Value::Object(y)) => {
            if x.len() != y.len() {
                return Ok(false);
            }
            for (k, p) in x.iter() {
                match y.get(&**k) {
                    Some(q) if equal(p, q, depth + 1)? => {}
                    _ => return Ok(false),
                }
            }
            true
        }
        _ => false,
    })
}

/// How many containers each thread remembers as checked.
const CHECKED_SLOTS: usize = 8;

thread_local! {
    /// Containers found [`canonical`] lately on this thread, most recent first: the
    /// results of direct evaluations, which the next state reads as its input. Each
    /// is kept alive here, so its allocation (the key) is not reused, and it does not
    /// change: our values are immutable, and a shared one is copied before it is
    /// changed.
    static CHECKED: RefCell<Vec<Value>> = const { RefCell::new(Vec::new()) };
}

fn same_allocation(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Array(x), Value::Array(y)) => Arc::ptr_eq(x, y),
        (Value::Object(x), Value::Object(y)) => Arc::ptr_eq(x, y),
        _ => false,
    }
}

/// `v` if it is [`canonical`] (checked lately, or now).
fn verified(v: Value) -> Eval<Value> {
    if matches!(v, Value::Array(_) | Value::Object(_)) {
        let seen = CHECKED.with(|c| c.borrow().iter().any(|k| same_allocation(k, &v)));
        if seen {
            return Ok(v);
        }
    }
    if canonical(&v, 0)? { Ok(v) } else { Err(Bail) }
}

/// Notes that the container `v` is [`canonical`].
fn remember(v: &Value) {
    let non_empty = match v {
        Value::Array(items) => !items.is_empty(),
        Value::Object(o) => !o.is_empty(),
        _ => false,
    };
    if non_empty {
        CHECKED.with(|c| {
            let mut c = c.borrow_mut();
            if let Some(at) = c.iter().position(|k| same_allocation(k, v)) {
                c.remove(at);
            }
            c.truncate(CHECKED_SLOTS - 1);
            c.insert(0, v.clone());
        });
    }
}

/// `true` when every number in `v` comes out of jsonata-core as it is (its floats
/// hold it exactly, and it is written as jsonata-core's results write it).
fn canonical(v: &Value, depth: usize) -> Eval<bool> {
    const EXACT: u64 = 1 << 53;
    match v {
        Value::Number(n) => Ok(match (n.as_u64(), n.as_i64()) {
            (Some(u), _) if u <= EXACT => true,
            (None, Some(i)) if i.unsigned_abs() <= EXACT => true,
            _ => matches!(number_value(n.as_f64()), Value::Number(c) if c == *n),
        }),
        Value::Array(items) => {
            if depth > MAX_DATA_DEPTH {
                return Err(Bail);
            }
            for item in items.iter() {
                if !canonical(item, depth + 1)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        Value::Object(o) => {
            if depth > MAX_DATA_DEPTH {
                return Err(Bail);
            }
            for item in o.values() {
                if !canonical(item, depth + 1)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        _ => Ok(true),
    }
}
