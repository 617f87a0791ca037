//! The one module that knows jsonata-core: parsing, the rewrites that keep evaluation
//! pure and bounded (`guard`, with the measure of values in `budget`), the functions
//! registered on its evaluator, and the conversion of values at the boundary.
//! Replacing the engine means replacing this module.
//!
//! jsonata-core's values (`JValue`) are `Rc`-based and hold every number as an `f64`.
//! Ours are `Arc`-based with exact integers, so values are converted on the way in
//! (only the variables an expression mentions) and on the way out. Inside an
//! expression numbers are floats, as in JavaScript, which AWS runs: integers are exact
//! up to 2^53. A result that is a whole number within the 64-bit range comes back as an
//! integer, so `1 + 1` is `2`, not `2.0`.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use baton_json::{Map, Str, Value};
use jsonata_core::ast::{AstNode, BinaryOp, Stage};
use jsonata_core::evaluator::{Context, Evaluator, EvaluatorError, EvaluatorOptions};
use jsonata_core::parser::{self, ParserError};
use jsonata_core::value::{JArray, JMap, JValue, with_stack};

mod budget;
mod guard;

pub(crate) use budget::SLOT;
use budget::{Budget, Over};

use crate::aws::{self, FnError, FnResult};
use crate::bindings::{Bindings, SplitMix64, States};
use crate::error::{JsonataError, normalise_message, split_code};
use crate::fast::{self, Fast};
use crate::{Dialect, Limits, MEMORY_EXCEEDED};

/// The host function standing for the caller's clock; a name no expression can write.
const CLOCK: &str = " clock";

/// Host functions an expression uses, as bits.
mod host {
    pub const PARTITION: u16 = 1;
    pub const RANGE: u16 = 1 << 1;
    pub const HASH: u16 = 1 << 2;
    pub const RANDOM: u16 = 1 << 3;
    pub const UUID: u16 = 1 << 4;
    pub const PARSE: u16 = 1 << 5;
    pub const EVAL: u16 = 1 << 6;
    pub const SHUFFLE: u16 = 1 << 7;
    pub const CLOCK: u16 = 1 << 8;
    pub const PAD: u16 = 1 << 9;
    /// The host functions of `guard`'s rewrite.
    pub const GUARD: u16 = 1 << 10;
    /// Those that draw from the evaluation's random stream.
    pub const RANDOMNESS: u16 = RANDOM | UUID | SHUFFLE;
}

/// The functions this crate supplies or replaces under `dialect`, with their bit and
/// the parameters of the function value that `$name` (without a call) stands for.
fn supplied(name: &str, dialect: Dialect) -> Option<(u16, &'static [&'static str])> {
    let aws = dialect == Dialect::StepFunctions;
    Some(match name {
        "partition" if aws => (host::PARTITION, &[" 0", " 1"]),
        "range" if aws => (host::RANGE, &[" 0", " 1", " 2"]),
        "hash" if aws => (host::HASH, &[" 0", " 1"]),
        "uuid" if aws => (host::UUID, &[]),
        "parse" if aws => (host::PARSE, &[" 0"]),
        "eval" if aws => (host::EVAL, &[]),
        "random" if aws => (host::RANDOM, &[" 0"]),
        "random" => (host::RANDOM, &[]),
        "shuffle" => (host::SHUFFLE, &[" 0"]),
        "now" => (host::CLOCK, &[" 0", " 1"]),
        "millis" => (host::CLOCK, &[]),
        "pad" => (host::PAD, &[" 0", " 1", " 2"]),
        _ => return None,
    })
}

/// What an evaluation must provide: the variables the expression mentions (and which
/// parts of them) and the host functions it calls.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Needs {
    vars: BTreeMap<Box<str>, Part>,
    hosts: u16,
}

/// The part of a value an expression can observe. When every use of a variable is a
/// path of plain names (`$states.input.order.id`), only the objects along those paths
/// are converted, each with only the members named, and the values at the paths' ends
/// whole: `$states.input.x` never converts `$states.context`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Whole,
    Members(BTreeMap<Box<str>, Part>),
}

impl Part {
    fn merge(&mut self, other: &Part) {
        match (&mut *self, other) {
            (Part::Whole, _) => {}
            (_, Part::Whole) => *self = Part::Whole,
            (Part::Members(mine), Part::Members(theirs)) => {
                for (key, part) in theirs {
                    match mine.get_mut(key) {
                        Some(existing) => existing.merge(part),
                        None => {
                            mine.insert(key.clone(), part.clone());
                        }
                    }
                }
            }
        }
    }

    /// The part reached through the names of `chain`.
    fn of_chain(chain: &[&str]) -> Part {
        chain.iter().rev().fold(Part::Whole, |inner, name| {
            Part::Members(BTreeMap::from([(Box::<str>::from(*name), inner)]))
        })
    }
}

impl Needs {
    /// `true` when the expression calls `$eval`, which Step Functions forbids.
    pub(crate) fn calls_eval(&self) -> bool {
        self.hosts & host::EVAL != 0
    }

    /// The names (without `$`) of the variables the expression mentions.
    pub(crate) fn variable_names(&self) -> impl Iterator<Item = &str> {
        self.vars.keys().map(|k| &**k)
    }

    /// `true` when an evaluation can read the member `member` of the variable
    /// `variable` (`$states.context`): the variable is mentioned and either used whole
    /// or through a path naming `member`.
    pub(crate) fn reads_member(&self, variable: &str, member: &str) -> bool {
        match self.vars.get(variable) {
            None => false,
            Some(Part::Whole) => true,
            Some(Part::Members(members)) => members.contains_key(member),
        }
    }

    /// Adds what `other` needs.
    pub(crate) fn merge(&mut self, other: &Needs) {
        for (name, part) in &other.vars {
            match self.vars.get_mut(name) {
                Some(existing) => existing.merge(part),
                None => {
                    self.vars.insert(name.clone(), part.clone());
                }
            }
        }
        self.hosts |= other.hosts;
    }
}

/// The names after a variable at the head of `steps` that a skeleton of the variable
/// can answer, or `None` if the path may observe more of the variable (a predicate or
/// binding on the variable itself, or a parent step anywhere in the path).
fn plain_chain(steps: &[jsonata_core::ast::PathStep]) -> Option<Vec<&str>> {
    let (head, rest) = steps.split_first()?;
    if !head.stages.is_empty() || head.focus.is_some() || head.index_var.is_some() {
        return None;
    }
    if steps.iter().any(|s| {
        s.ancestor_label.is_some()
            || s.is_tuple
            || s.inner_tuple
            || matches!(s.node, AstNode::Parent(_))
    }) {
        return None;
    }
    let mut chain = Vec::new();
    for step in rest {
        let AstNode::Name(name) = &step.node else {
            break;
        };
        chain.push(name.as_str());
        if !step.stages.is_empty() || step.focus.is_some() || step.index_var.is_some() {
            break;
        }
    }
    Some(chain)
}

/// A parsed and prepared expression. `Send + Sync`: jsonata-core's AST holds no `Rc`.
#[derive(Debug)]
pub(crate) struct Compiled {
    ast: AstNode,
    pub(crate) needs: Needs,
    /// The expression in the form `fast` evaluates, when it has a shape that module
    /// covers and `limits` cannot stop it.
    pub(crate) fast: Option<Fast>,
}

/// Parses `text` and prepares it for `dialect` and `limits`.
pub(crate) fn compile(
    text: &str,
    dialect: Dialect,
    limits: &Limits,
) -> Result<Compiled, JsonataError> {
    guarded(|| {
        let mut ast = parser::parse(text).map_err(|e| syntax_error(text, &e))?;
        let (mut needs, bound) = prepare(&mut ast, dialect);
        // The direct evaluation bounds what it builds itself; the guards are for
        // jsonata-core.
        let fast = fast::compile(&ast).filter(|f| f.within(limits));
        let bounded = limits.max_memory.is_some() || limits.max_result_depth.is_some();
        if bounded && guard::rewrite(&mut ast, &bound) {
            needs.hosts |= host::GUARD;
        }
        Ok(Compiled { ast, needs, fast })
    })
}

/// Runs `f`, turning a panic inside jsonata-core (none is known; the fuzz tests look
/// for them) into an error rather than unwinding into the caller.
fn guarded<T>(f: impl FnOnce() -> Result<T, JsonataError>) -> Result<T, JsonataError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(JsonataError::evaluation(
            None,
            format!("Internal error in the JSONata engine: {what}"),
        ))
    })
}

// ---------------------------------------------------------------------------------
// Syntax errors

/// Errors whose offending token is the end of the text.
fn at_end(code: &str) -> bool {
    matches!(
        code,
        "S0101" | "S0105" | "S0106" | "S0203" | "S0207" | "S0302"
    )
}

fn parser_error_parts(e: &ParserError) -> (String, String) {
    let text = match e {
        ParserError::InvalidSyntax(inner) => inner.clone(),
        other => other.to_string(),
    };
    if let (Some(code), message) = split_code(&text) {
        return (code.to_owned(), normalise_message(code, message));
    }
    match e {
        ParserError::UnclosedComment => ("S0106".into(), "Comment has no closing tag".into()),
        ParserError::InvalidNumber(n) => ("S0102".into(), format!("Number out of range: {n}")),
        _ => ("S0201".into(), format!("Syntax error: {text}")),
    }
}

fn syntax_error(text: &str, e: &ParserError) -> JsonataError {
    let (code, message) = parser_error_parts(e);
    let position = error_position(text, &code);
    JsonataError::Syntax {
        code,
        message,
        position,
    }
}

/// Where the offending token ends, in characters: the shortest prefix of the text that
/// fails other than by ending too soon (found by bisection).
fn error_position(text: &str, code: &str) -> usize {
    let ends: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .skip(1)
        .chain(std::iter::once(text.len()))
        .collect();
    let n = if text.is_empty() { 0 } else { ends.len() };
    if n == 0 || at_end(code) {
        return n;
    }
    let fails_inside = |k: usize| match parser::parse(&text[..ends[k - 1]]) {
        Ok(_) => false,
        Err(e) => !at_end(&parser_error_parts(&e).0),
    };
    let (mut lo, mut hi) = (1, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if fails_inside(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo
}

// ---------------------------------------------------------------------------------
// Preparing the AST

/// Calls `f` on `node` and then on every node below it, the children of what `f` left.
fn walk(node: &mut AstNode, f: &mut dyn FnMut(&mut AstNode)) {
    with_stack(|| {
        f(node);
        children(node, &mut |child| walk(child, f));
    });
}

fn children(node: &mut AstNode, f: &mut dyn FnMut(&mut AstNode)) {
    match node {
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
        AstNode::Path { steps } => {
            for step in steps {
                f(&mut step.node);
                for stage in &mut step.stages {
                    if let Stage::Filter(filter) = stage {
                        f(filter);
                    }
                }
            }
        }
        AstNode::Binary { lhs, rhs, .. } => {
            f(lhs);
            f(rhs);
        }
        AstNode::Unary { operand, .. } => f(operand),
        AstNode::Function { args, .. } => args.iter_mut().for_each(f),
        AstNode::Call { procedure, args } => {
            f(procedure);
            args.iter_mut().for_each(f);
        }
        AstNode::Lambda { body, .. } => f(body),
        AstNode::Array(items) | AstNode::Block(items) | AstNode::ArrayGroup(items) => {
            items.iter_mut().for_each(f)
        }
        AstNode::Object(pairs) => {
            for (key, value) in pairs {
                f(key);
                f(value);
            }
        }
        AstNode::ObjectTransform { input, pattern } => {
            f(input);
            for (key, value) in pattern {
                f(key);
                f(value);
            }
        }
        AstNode::Conditional {
            condition,
            then_branch,
            else_branch,
        } => {
            f(condition);
            f(then_branch);
            if let Some(else_branch) = else_branch {
                f(else_branch);
            }
        }
        AstNode::FunctionApplication(inner) => f(inner),
        AstNode::Sort { input, terms } => {
            f(input);
            for (term, _) in terms {
                f(term);
            }
        }
        AstNode::Transform {
            location,
            update,
            delete,
        } => {
            f(location);
            f(update);
            if let Some(delete) = delete {
                f(delete);
            }
        }
    }
}

fn call(name: &str, args: Vec<AstNode>) -> AstNode {
    AstNode::Function {
        name: name.to_owned(),
        args,
        is_builtin: true,
    }
}

/// Finds what the expression needs and rewrites it so that it reads no clock and no
/// OS randomness:
///
/// * `$now(...)` becomes `$fromMillis(<clock>, ...)` and `$millis()` `<clock>`, the
///   clock being a host function that reports the caller's time;
/// * `$random`, `$shuffle` (and in the Step Functions dialect `$partition`, `$range`,
///   `$hash`, `$uuid`, `$parse`) used as values, not called, become functions that call
///   the host function; `$eval` as a value is undefined there.
///
/// A name the expression binds itself (`$now := ...`, a parameter) is left alone;
/// those names are returned with what the expression needs.
fn prepare(ast: &mut AstNode, dialect: Dialect) -> (Needs, BTreeSet<String>) {
    let mut vars: BTreeMap<Box<str>, Part> = BTreeMap::new();
    // Uses of each variable, and how many of them are plain paths.
    let mut uses: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut bound = BTreeSet::new();
    let need =
        |vars: &mut BTreeMap<Box<str>, Part>, name: &str, part: Part| match vars.get_mut(name) {
            Some(existing) => existing.merge(&part),
            None => {
                vars.insert(name.into(), part);
            }
        };
    walk(ast, &mut |node| match node {
        AstNode::Variable(name) if !name.is_empty() => {
            uses.entry(name.clone()).or_default().0 += 1;
            need(&mut vars, name, Part::Members(BTreeMap::new()));
        }
        AstNode::Function { name, .. } if !name.is_empty() => {
            need(&mut vars, name, Part::Whole);
        }
        AstNode::Lambda { params, .. } => bound.extend(params.iter().cloned()),
        AstNode::Binary {
            op: BinaryOp::ColonEqual,
            lhs,
            ..
        } => {
            if let AstNode::Variable(name) = &**lhs {
                bound.insert(name.clone());
            }
        }
        AstNode::Path { steps } => {
            if let (Some(AstNode::Variable(name)), Some(chain)) =
                (steps.first().map(|s| &s.node), plain_chain(steps))
            {
                uses.entry(name.clone()).or_default().1 += 1;
                need(&mut vars, name, Part::of_chain(&chain));
            }
            for step in steps.iter() {
                bound.extend(step.focus.iter().cloned());
                bound.extend(step.index_var.iter().cloned());
                for stage in &step.stages {
                    if let Stage::Index(name) = stage {
                        bound.insert(name.clone());
                    }
                }
            }
        }
        _ => {}
    });

    for (name, (all, in_paths)) in &uses {
        if all != in_paths {
            need(&mut vars, name, Part::Whole);
        }
    }
    let mut hosts = 0;
    for name in vars.keys() {
        if bound.contains(&**name) {
            continue;
        }
        if let Some((bit, _)) = supplied(name, dialect) {
            hosts |= bit;
        }
    }
    if hosts != 0 {
        walk(ast, &mut |node| rewrite(node, dialect, &bound));
    }
    (Needs { vars, hosts }, bound)
}

fn rewrite(node: &mut AstNode, dialect: Dialect, bound: &BTreeSet<String>) {
    let replacement = match node {
        AstNode::Function { name, args, .. } if !bound.contains(name) => match name.as_str() {
            "now" => {
                let mut all = vec![call(CLOCK, Vec::new())];
                all.append(args);
                call("fromMillis", all)
            }
            "millis" => call(CLOCK, std::mem::take(args)),
            _ => return,
        },
        AstNode::Variable(name) if !bound.contains(name) => {
            let Some((_, params)) = supplied(name, dialect) else {
                return;
            };
            let args: Vec<AstNode> = params
                .iter()
                .map(|p| AstNode::Variable((*p).to_owned()))
                .collect();
            let body = match name.as_str() {
                "eval" => {
                    *node = AstNode::Undefined;
                    return;
                }
                "now" => {
                    let mut all = vec![call(CLOCK, Vec::new())];
                    all.extend(args);
                    call("fromMillis", all)
                }
                "millis" => call(CLOCK, Vec::new()),
                other => call(other, args),
            };
            AstNode::Lambda {
                params: params.iter().map(|p| (*p).to_owned()).collect(),
                body: Box::new(body),
                signature: None,
                thunk: false,
            }
        }
        _ => return,
    };
    *node = replacement;
}

// ---------------------------------------------------------------------------------
// Evaluation

/// One or more evaluations sharing their converted input and variables, host functions
/// and random stream (a template's expressions).
pub(crate) struct Session {
    evaluator: Evaluator,
    input: JValue,
    budget: Rc<RefCell<Budget>>,
    /// Whether a sequence past jsonata-core's bound is past the memory bound.
    sequence_is_memory: bool,
}

impl Session {
    /// Converts what `needs` asks for from `input` and `bindings`.
    pub(crate) fn new(
        needs: &Needs,
        input: Option<&Value>,
        bindings: &Bindings,
        limits: &Limits,
        dialect: Dialect,
    ) -> Session {
        let mut context = Context::new();
        for (name, part) in &needs.vars {
            // `$states`'s members are projected as they are, without the object.
            if let (Some(states), "states", Part::Members(members)) =
                (bindings.states(), &**name, part)
            {
                context.bind(name.to_string(), project_states(states, members));
            } else if let Some(value) = bindings.var(name) {
                context.bind(name.to_string(), project(value, part));
            }
        }
        if needs.hosts & host::GUARD != 0
            && let Some(value) = bindings.var("distinct")
        {
            // A variable `$distinct` is what `$distinct(...)` calls, not the builtin
            // that `guard` put in its place.
            context.bind(guard::DISTINCT.to_owned(), converted(value));
        }
        let options = EvaluatorOptions {
            timeout_ms: limits
                .time_limit
                .map(|t| u64::try_from(t.as_millis()).unwrap_or(u64::MAX).max(1)),
            cancel: None,
            max_stack_depth: limits.max_depth,
            max_sequence_length: limits.effective_sequence_length(),
        };
        let mut evaluator = Evaluator::with_options(context, options);
        let budget = Rc::new(RefCell::new(Budget::new(limits)));
        register(&mut evaluator, needs.hosts, bindings, dialect, &budget);
        Session {
            evaluator,
            input: input.map_or(JValue::Undefined, converted),
            budget,
            sequence_is_memory: limits.sequence_bound_is_memory(),
        }
    }

    /// Evaluates `compiled`; `None` is JSONata's undefined.
    pub(crate) fn run(&mut self, compiled: &Compiled) -> Result<Option<Value>, JsonataError> {
        let evaluator = &mut self.evaluator;
        let input = &self.input;
        let sequence_is_memory = self.sequence_is_memory;
        let result = guarded(|| {
            evaluator
                .evaluate(&compiled.ast, input)
                .map_err(|e| evaluation_error(e, sequence_is_memory))
        })?;
        match result {
            JValue::Undefined => Ok(None),
            JValue::Lambda(_) | JValue::Builtin { .. } | JValue::Regex { .. } => {
                Err(JsonataError::UnsupportedResult)
            }
            other => {
                let converted = from_jvalue(&other, &self.budget.borrow());
                converted.map_err(|over| evaluation_error(over.error(), false))
            }
        }
    }
}

type HostResult = Result<JValue, EvaluatorError>;

fn fn_error(e: FnError) -> EvaluatorError {
    EvaluatorError::EvaluationError(match e.code {
        Some(code) => format!("{code}: {}", e.message),
        None => e.message,
    })
}

/// The arguments as our values; a function argument is a signature mismatch.
fn value_args(
    args: &[JValue],
    name: &str,
    budget: &RefCell<Budget>,
) -> Result<Vec<Option<Value>>, EvaluatorError> {
    args.iter()
        .enumerate()
        .map(|(i, arg)| match arg {
            JValue::Undefined => Ok(None),
            JValue::Lambda(_) | JValue::Builtin { .. } | JValue::Regex { .. } => {
                Err(fn_error(aws::signature_error(i + 1, name)))
            }
            other => from_jvalue(other, &budget.borrow()).map_err(Over::error),
        })
        .collect()
}

fn result_value(result: FnResult) -> HostResult {
    match result.map_err(fn_error)? {
        Some(value) => Ok(to_jvalue(&value)),
        None => Ok(JValue::Undefined),
    }
}

fn value_fn(
    name: &'static str,
    f: fn(&[Option<Value>]) -> FnResult,
    budget: &Rc<RefCell<Budget>>,
) -> impl Fn(&[JValue]) -> HostResult + 'static {
    let budget = Rc::clone(budget);
    move |args: &[JValue]| result_value(f(&value_args(args, name, &budget)?))
}

fn register(
    evaluator: &mut Evaluator,
    hosts: u16,
    bindings: &Bindings,
    dialect: Dialect,
    budget: &Rc<RefCell<Budget>>,
) {
    let has = |bit: u16| hosts & bit != 0;
    let stream: Rc<RefCell<Option<SplitMix64>>> = Rc::new(RefCell::new(if has(host::RANDOMNESS) {
        bindings.draw_seed().map(SplitMix64::new)
    } else {
        None
    }));
    // Registration fails only for a name that shadows a built-in without the override
    // call, or overrides a compilable built-in; none of these names do either.
    if has(host::GUARD) {
        guard::register(evaluator, budget);
    }
    if has(host::PARTITION) {
        let _ = evaluator.register_fn("partition", value_fn("partition", aws::partition, budget));
    }
    if has(host::RANGE) {
        let budget = Rc::clone(budget);
        let _ = evaluator.register_fn("range", move |args: &[JValue]| {
            let max_items = budget.borrow().memory() / SLOT;
            result_value(aws::range(&value_args(args, "range", &budget)?, max_items))
        });
    }
    if has(host::HASH) {
        let _ = evaluator.register_fn("hash", value_fn("hash", aws::hash, budget));
    }
    if has(host::PARSE) {
        let _ = evaluator.register_fn("parse", value_fn("parse", aws::parse, budget));
    }
    if has(host::UUID) {
        let stream = Rc::clone(&stream);
        let budget = Rc::clone(budget);
        let _ = evaluator.register_fn("uuid", move |args: &[JValue]| {
            let args = value_args(args, "uuid", &budget)?;
            result_value(aws::uuid(&args, stream.borrow_mut().as_mut()))
        });
    }
    if has(host::RANDOM) {
        let stream = Rc::clone(&stream);
        let seeded = dialect == Dialect::StepFunctions;
        let budget = Rc::clone(budget);
        let _ = evaluator.register_fn_override("random", move |args: &[JValue]| {
            let args = value_args(args, "random", &budget)?;
            if !seeded && args.iter().any(Option::is_some) {
                return Err(fn_error(aws::signature_error(1, "random")));
            }
            result_value(aws::random(&args, stream.borrow_mut().as_mut()))
        });
    }
    if has(host::SHUFFLE) {
        let stream = Rc::clone(&stream);
        let _ = evaluator.register_fn_override("shuffle", move |args: &[JValue]| {
            shuffle(args, stream.borrow_mut().as_mut())
        });
    }
    if has(host::PAD) {
        let budget = Rc::clone(budget);
        let _ = evaluator.register_fn_override("pad", move |args: &[JValue]| pad(args, &budget));
    }
    if has(host::EVAL) {
        let _ = evaluator.register_fn_override("eval", |_: &[JValue]| -> HostResult {
            Err(EvaluatorError::EvaluationError(
                "T1006: Attempted to invoke a non-function".to_owned(),
            ))
        });
    }
    if has(host::CLOCK) {
        let now = bindings.now_millis();
        let _ = evaluator.register_fn(CLOCK, move |args: &[JValue]| -> HostResult {
            if args.iter().any(|a| !a.is_undefined()) {
                return Err(fn_error(aws::signature_error(1, "millis")));
            }
            match now {
                Some(millis) => Ok(JValue::Number(millis as f64)),
                None => Err(EvaluatorError::EvaluationError(
                    "Functions $now and $millis need the current time, and none was supplied to the evaluation"
                        .to_owned(),
                )),
            }
        });
    }
}

/// `$shuffle(array)` from the evaluation's random stream (Fisher-Yates).
fn shuffle(args: &[JValue], stream: Option<&mut SplitMix64>) -> HostResult {
    if args.iter().skip(1).any(|a| !a.is_undefined()) {
        return Err(fn_error(aws::signature_error(2, "shuffle")));
    }
    let mut items: Vec<JValue> = match args.first() {
        None | Some(JValue::Undefined) => return Ok(JValue::Undefined),
        Some(JValue::Array(items)) => items.iter().cloned().collect(),
        Some(other) => vec![other.clone()],
    };
    if items.len() > 1 {
        let stream = stream.ok_or_else(|| fn_error(aws::no_random_source("shuffle")))?;
        for i in (1..items.len()).rev() {
            let j = stream.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
    Ok(JValue::array(items))
}

/// The widest string `$pad` makes without a memory bound. jsonata-core's `$pad`
/// allocates whatever width it is given in one step that no time limit interrupts
/// (`$pad('x', 1e9)` takes gigabytes); with a memory bound that bound applies instead.
const MAX_PAD_WIDTH: f64 = 1_048_576.0;

/// `$pad(str, width [, char])` as JSONata defines it, with the result bounded.
fn pad(args: &[JValue], budget: &RefCell<Budget>) -> HostResult {
    let text = match args.first() {
        None | Some(JValue::Undefined) => return Ok(JValue::Undefined),
        Some(JValue::String(s)) => s.clone(),
        Some(_) => return Err(fn_error(aws::signature_error(1, "pad"))),
    };
    let width = match args.get(1) {
        Some(JValue::Number(n)) if n.is_finite() => n.trunc(),
        _ => return Err(fn_error(aws::signature_error(2, "pad"))),
    };
    let fill: Rc<str> = match args.get(2) {
        None | Some(JValue::Undefined) => Rc::from(" "),
        Some(JValue::String(s)) if s.is_empty() => Rc::from(" "),
        Some(JValue::String(s)) => s.clone(),
        Some(_) => return Err(fn_error(aws::signature_error(3, "pad"))),
    };
    let memory = budget.borrow().memory();
    if memory == usize::MAX && width.abs() > MAX_PAD_WIDTH {
        return Err(EvaluatorError::EvaluationError(format!(
            "D3141: The width given to $pad ({width}) is over the limit of {MAX_PAD_WIDTH} characters"
        )));
    }
    let length = text.chars().count();
    let pad_length = (width.abs() as usize).saturating_sub(length);
    if pad_length == 0 {
        return Ok(JValue::String(text));
    }
    // Each character of padding takes at most the longest character of the fill.
    let widest = fill.chars().map(char::len_utf8).max().unwrap_or(1);
    let bytes = pad_length.saturating_mul(widest).saturating_add(text.len());
    budget.borrow().check_bytes(bytes)?;
    let padding: String = fill.chars().cycle().take(pad_length).collect();
    let out = if width > 0.0 {
        format!("{text}{padding}")
    } else {
        format!("{padding}{text}")
    };
    let out: Rc<str> = Rc::from(out);
    budget.borrow_mut().track(&out)?;
    Ok(JValue::String(out))
}

/// jsonata-core's error as ours. A sequence past jsonata-core's bound is past the
/// memory bound when `sequence_is_memory`, and reported as AWS reports that.
fn evaluation_error(e: EvaluatorError, sequence_is_memory: bool) -> JsonataError {
    match split_code(e.message()) {
        (Some("D2015"), _) if sequence_is_memory => JsonataError::evaluation(None, MEMORY_EXCEEDED),
        (Some(code), message) => {
            JsonataError::evaluation(Some(code), normalise_message(code, message))
        }
        (None, message) => JsonataError::evaluation(None, message),
    }
}

// ---------------------------------------------------------------------------------
// Values

/// Our value as jsonata-core's (a deep copy: the two share no representation).
fn to_jvalue(value: &Value) -> JValue {
    match value {
        Value::Null => JValue::Null,
        Value::Bool(b) => JValue::Bool(*b),
        Value::Number(n) => JValue::Number(n.as_f64()),
        Value::String(s) => JValue::string(&**s),
        Value::Array(items) => with_stack(|| {
            let flat = !items.iter().any(Value::is_array);
            let items: Vec<JValue> = items.iter().map(to_jvalue).collect();
            JValue::Array(JArray::new_flat(items, flat))
        }),
        Value::Object(map) => with_stack(|| {
            let map: JMap = map
                .iter()
                .map(|(k, v)| (k.to_string(), to_jvalue(v)))
                .collect();
            JValue::Object(Rc::new(map))
        }),
    }
}

/// The part of `value` that `part` names, as jsonata-core's value.
fn project(value: &Value, part: &Part) -> JValue {
    match (part, value) {
        (Part::Members(members), Value::Object(map)) => with_stack(|| {
            let map: JMap = members
                .iter()
                .filter_map(|(key, part)| {
                    let value = map.get(&**key)?;
                    Some((key.to_string(), project(value, part)))
                })
                .collect();
            JValue::Object(Rc::new(map))
        }),
        _ => converted(value),
    }
}

/// The members of `$states` that `members` names, as jsonata-core's object.
fn project_states(states: &States, members: &BTreeMap<Box<str>, Part>) -> JValue {
    let map: JMap = members
        .iter()
        .filter_map(|(key, part)| {
            let value = states.member(key)?;
            Some((key.to_string(), project(value, part)))
        })
        .collect();
    JValue::Object(Rc::new(map))
}

/// Containers with fewer items than this are converted afresh each time.
const CACHED_FROM: usize = 32;
/// How many converted values each thread keeps.
const CACHE_SLOTS: usize = 8;

thread_local! {
    /// Large values converted lately on this thread, most recent first, each with the
    /// value itself, which keeps its allocation (the key) alive and unchanged: our
    /// values are immutable, and a shared one is copied before it is changed. Several
    /// expressions evaluated on the same input (a Choice's rules, a state's fields)
    /// then convert it once.
    static CONVERTED: RefCell<Vec<(Value, JValue)>> = const { RefCell::new(Vec::new()) };
}

fn same_allocation(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Array(x), Value::Array(y)) => std::sync::Arc::ptr_eq(x, y),
        (Value::Object(x), Value::Object(y)) => std::sync::Arc::ptr_eq(x, y),
        _ => false,
    }
}

/// `to_jvalue`, through the per-thread cache for large containers.
fn converted(value: &Value) -> JValue {
    let len = match value {
        Value::Array(items) => items.len(),
        Value::Object(map) => map.len(),
        _ => 0,
    };
    if len < CACHED_FROM {
        return to_jvalue(value);
    }
    let hit = CONVERTED.with(|cache| {
        let mut cache = cache.borrow_mut();
        let at = cache.iter().position(|(v, _)| same_allocation(v, value))?;
        let entry = cache.remove(at);
        let jvalue = entry.1.clone();
        cache.insert(0, entry);
        Some(jvalue)
    });
    if let Some(jvalue) = hit {
        return jvalue;
    }
    let jvalue = to_jvalue(value);
    CONVERTED.with(|cache| {
        let mut cache = cache.borrow_mut();
        cache.truncate(CACHE_SLOTS - 1);
        cache.insert(0, (value.clone(), jvalue.clone()));
    });
    jvalue
}

/// jsonata-core's value as ours, as `JSON.stringify` writes it: undefined and function
/// members of objects are left out, in arrays they are `null`, as are numbers JSON
/// cannot carry. `None` for undefined or a function.
///
/// The value is counted as it is converted, as the budget measures values: one that
/// is past its bounds (as a value sharing its parts many times can be, while taking
/// little memory in jsonata-core) fails before much of it is copied.
fn from_jvalue(value: &JValue, budget: &Budget) -> Result<Option<Value>, Over> {
    let mut left = budget.memory();
    convert(value, budget.depth(), 0, &mut left)
}

fn take(left: &mut usize, bytes: usize) -> Result<(), Over> {
    *left = left.checked_sub(bytes).ok_or(Over::Memory)?;
    Ok(())
}

fn convert(
    value: &JValue,
    max_depth: usize,
    level: usize,
    left: &mut usize,
) -> Result<Option<Value>, Over> {
    Ok(Some(match value {
        JValue::Null => Value::Null,
        JValue::Bool(b) => Value::Bool(*b),
        JValue::Number(n) => aws::number_value(*n),
        JValue::String(s) => {
            take(left, s.len())?;
            Value::String(Str::from(&**s))
        }
        JValue::Array(items) => {
            if level >= max_depth {
                return Err(Over::Depth);
            }
            with_stack(|| {
                let mut out = Vec::with_capacity(items.len());
                for item in items.iter() {
                    take(left, SLOT)?;
                    out.push(convert(item, max_depth, level + 1, left)?.unwrap_or(Value::Null));
                }
                Ok(Value::array(out))
            })?
        }
        JValue::Object(map) => {
            if level >= max_depth {
                return Err(Over::Depth);
            }
            with_stack(|| {
                let mut out = Map::with_capacity_and_hasher(map.len(), Default::default());
                for (k, v) in map.iter() {
                    take(left, SLOT + k.len())?;
                    if let Some(v) = convert(v, max_depth, level + 1, left)? {
                        out.insert(Str::from(k.as_str()), v);
                    }
                }
                Ok(Value::object(out))
            })?
        }
        _ => return Ok(None),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use baton_json::json;

    fn assert_send_sync<T: Send + Sync>() {}

    /// `from_jvalue` without bounds.
    fn back(value: &JValue) -> Option<Value> {
        from_jvalue(value, &Budget::new(&Limits::unlimited())).unwrap()
    }

    #[test]
    fn compiled_expressions_can_be_shared_across_threads() {
        assert_send_sync::<Compiled>();
    }

    #[test]
    fn needs_lists_mentioned_variables_and_host_functions() {
        let c = compile(
            "$states.input.a & $hash($x, 'MD5')",
            Dialect::StepFunctions,
            &Limits::unlimited(),
        )
        .unwrap();
        let vars: Vec<&str> = c.needs.vars.keys().map(|v| &**v).collect();
        assert_eq!(vars, ["hash", "states", "x"]);
        assert_eq!(c.needs.vars["states"], Part::of_chain(&["input", "a"]));
        assert_eq!(c.needs.vars["x"], Part::Whole);
        assert_eq!(c.needs.hosts, host::HASH);
        let c = compile("$hash('a', 'MD5')", Dialect::Jsonata, &Limits::unlimited()).unwrap();
        assert_eq!(c.needs.hosts, 0);
    }

    #[test]
    fn only_the_parts_of_variables_that_paths_reach_are_converted() {
        let part = |text: &str| {
            compile(text, Dialect::StepFunctions, &Limits::unlimited())
                .unwrap()
                .needs
                .vars["states"]
                .clone()
        };
        let members = |pairs: &[(&str, Part)]| {
            Part::Members(
                pairs
                    .iter()
                    .map(|(k, p)| ((*k).into(), p.clone()))
                    .collect(),
            )
        };
        assert_eq!(
            part("$states.input.a & $states.context.b[0].c"),
            members(&[
                ("context", Part::of_chain(&["b"])),
                ("input", Part::of_chain(&["a"]))
            ])
        );
        assert_eq!(
            part("$states.input.a & $states.input"),
            Part::of_chain(&["input"])
        );
        assert_eq!(part("$states.input.*"), Part::of_chain(&["input"]));
        for whole in [
            "$keys($states)",
            "$states",
            "$states.input.a.%",
            "$states[0].input",
            "$states.input@$i.a",
            "$states.input.a & $lookup($states, 'x')",
        ] {
            assert_eq!(part(whole), Part::Whole, "{whole}");
        }
        // A skeleton answers the paths as the whole value would.
        let states =
            baton_json::json!({"input": {"a": [1, {"b": 2}], "z": 1}, "context": {"c": 3}});
        let b = Bindings::new().with_var("states", states);
        for text in [
            "$states.input.a",
            "$states.input.a.b",
            "$states.input.a[1]",
            "$states.context",
        ] {
            let c = compile(text, Dialect::StepFunctions, &Limits::unlimited()).unwrap();
            let mut s = Session::new(
                &c.needs,
                None,
                &b,
                &Limits::unlimited(),
                Dialect::StepFunctions,
            );
            let mut whole = Needs::default();
            whole.vars.insert("states".into(), Part::Whole);
            let mut w = Session::new(
                &whole,
                None,
                &b,
                &Limits::unlimited(),
                Dialect::StepFunctions,
            );
            assert_eq!(s.run(&c), w.run(&c), "{text}");
        }
    }

    #[test]
    fn large_values_are_converted_once_per_thread() {
        let big = Value::array((0..100i64).map(Value::from).collect());
        let a = converted(&big);
        let b = converted(&big);
        let (JValue::Array(a), JValue::Array(b)) = (a, b) else {
            panic!("arrays expected")
        };
        assert!(JArray::ptr_eq(&a, &b));
        // A changed copy is another allocation, converted anew.
        let mut changed = big.clone();
        changed.as_array_mut().unwrap().push(Value::from(100i64));
        assert_eq!(back(&converted(&changed)), Some(changed));
        assert_eq!(back(&converted(&big)), Some(big));
    }

    #[test]
    fn locally_bound_names_are_not_replaced() {
        let c = compile(
            "($now := function(){1}; $now())",
            Dialect::StepFunctions,
            &Limits::unlimited(),
        )
        .unwrap();
        assert_eq!(c.needs.hosts, 0);
    }

    #[test]
    fn deep_values_convert_without_overflowing_the_stack() {
        // On a small stack, as a server's worker threads may have.
        let (deep, depth) = std::thread::Builder::new()
            .stack_size(256 << 10)
            .spawn(move || {
                let mut v = JValue::from(1i64);
                for _ in 0..200_000 {
                    v = JValue::array(vec![v]);
                }
                let deep = back(&v).unwrap();
                let limited = Budget::new(&Limits {
                    max_result_depth: Some(1000),
                    ..Limits::unlimited()
                });
                let refused = from_jvalue(&v, &limited);
                (deep, refused)
            })
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(depth, Err(Over::Depth));
        let back_again = std::thread::Builder::new()
            .stack_size(256 << 10)
            .spawn(move || matches!(to_jvalue(&deep), JValue::Array(_)))
            .unwrap()
            .join()
            .unwrap();
        assert!(back_again);
    }

    #[test]
    fn values_round_trip() {
        let v = json!({"a": [1, 2.5, "x", null, true, {"b": []}], "c": -3, "d": 1e300});
        assert_eq!(back(&to_jvalue(&v)), Some(v));
    }

    #[test]
    fn positions_point_past_the_offending_token() {
        let e = compile("Account.Order[0 1]", Dialect::Jsonata, &Limits::unlimited()).unwrap_err();
        assert_eq!(e.position(), Some(17), "{e:?}");
        let e = compile("[1,2", Dialect::Jsonata, &Limits::unlimited()).unwrap_err();
        assert_eq!(e.position(), Some(4), "{e:?}");
        assert_eq!(e.code(), Some("S0203"));
    }
}
