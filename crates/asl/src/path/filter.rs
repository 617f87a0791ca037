//! Filter expressions, `[?(@.price < 10 && @.name == 'x')]`, as Jayway's
//! `FilterCompiler` reads them and its evaluators compare values.
//!
//! Supported: `||`, `&&`, `!`, parentheses; `==`, `!=`, `===`, `!==`, `<`, `<=`, `>`,
//! `>=`; `in`, `nin`, `contains`, `size`, `empty`, `subsetof`, `anyof`, `noneof`, `all`;
//! existence (`[?(@.isbn)]`, `[?(!@.isbn)]`); operands `@...` (the item), `$...` (the
//! document), strings, numbers, `true`, `false`, `null` and JSON literals. Regular
//! expressions (`=~`) are rejected.

use std::cmp::Ordering;

use baton_json::{Map, Number, Str, Value};

use super::eval::{definite_fast, eval};
use super::parse::unescape;
use super::{Path, PathSyntaxError, Root, Shape};

/// How deep parentheses and JSON literals may nest in one filter.
const MAX_DEPTH: usize = 32;

/// A compiled filter.
#[derive(Debug, Clone)]
pub(crate) struct Filter {
    expr: Expr,
}

#[derive(Debug, Clone)]
enum Expr {
    Or(Vec<Expr>),
    And(Vec<Expr>),
    Not(Box<Expr>),
    Rel(Operand, RelOp, Operand),
    /// A path alone: true when it designates something (`!@.x`: when it does not).
    Exists(Path, bool),
}

#[derive(Debug, Clone)]
enum Operand {
    Path(Path),
    Literal(Lit),
}

/// A literal or a value read from the document, as Jayway's value nodes classify them.
#[derive(Debug, Clone)]
enum Lit {
    Undefined,
    Null,
    Bool(bool),
    Num(Number),
    Str(Str),
    /// An array or object.
    Json(Value),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RelOp {
    Eq,
    Ne,
    TypeSafeEq,
    TypeSafeNe,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Nin,
    Contains,
    Size,
    Empty,
    SubsetOf,
    AnyOf,
    NoneOf,
    All,
}

type Result<T> = std::result::Result<T, PathSyntaxError>;

fn fail<T>(message: impl Into<String>) -> Result<T> {
    Err(PathSyntaxError::new(message))
}

impl Filter {
    /// Parses `( ... )`, the part of `[?( ... )]` between the brackets.
    pub(crate) fn parse(chars: &[char], depth: usize) -> Result<Filter> {
        let mut p = Parser {
            chars,
            pos: 0,
            depth,
            nesting: 0,
        };
        let expr = p.or()?;
        p.skip_blanks();
        if p.pos < chars.len() {
            let rest: String = chars[p.pos..].iter().collect();
            return fail(format!(
                "Expected end of filter expression instead of: {rest}"
            ));
        }
        Ok(Filter { expr })
    }

    /// `true` when `item` passes the filter; `root` is what `$` designates.
    pub(crate) fn accept(&self, item: &Value, root: &Value) -> bool {
        self.expr.apply(item, root)
    }
}

impl Expr {
    fn apply(&self, item: &Value, root: &Value) -> bool {
        match self {
            Expr::Or(list) => list.iter().any(|e| e.apply(item, root)),
            Expr::And(list) => list.iter().all(|e| e.apply(item, root)),
            Expr::Not(e) => !e.apply(item, root),
            Expr::Exists(path, should) => exists(path, item, root) == *should,
            Expr::Rel(l, op, r) => {
                let l = l.value(item, root);
                let r = r.value(item, root);
                relate(&l, *op, &r)
            }
        }
    }
}

fn document<'a>(path: &Path, item: &'a Value, root: &'a Value) -> &'a Value {
    match path.root() {
        Root::Current => item,
        _ => root,
    }
}

fn exists(path: &Path, item: &Value, root: &Value) -> bool {
    let doc = document(path, item, root);
    match eval(path, doc, root) {
        Ok(Value::Array(found)) if path.shape() == Shape::Indefinite => !found.is_empty(),
        Ok(_) => true,
        Err(_) => false,
    }
}

impl Operand {
    fn value(&self, item: &Value, root: &Value) -> Lit {
        match self {
            Operand::Literal(l) => l.clone(),
            Operand::Path(path) => {
                let doc = document(path, item, root);
                if path.shape() == Shape::Definite && path.function().is_none() {
                    return match definite_fast(path.segs(), doc) {
                        Some(v) => Lit::of(v),
                        None => match eval(path, doc, root) {
                            Ok(v) => Lit::of(&v),
                            Err(_) => Lit::Undefined,
                        },
                    };
                }
                match eval(path, doc, root) {
                    Ok(v) => Lit::of(&v),
                    Err(_) => Lit::Undefined,
                }
            }
        }
    }
}

impl Lit {
    fn of(v: &Value) -> Lit {
        match v {
            Value::Null => Lit::Null,
            Value::Bool(b) => Lit::Bool(*b),
            Value::Number(n) => Lit::Num(*n),
            Value::String(s) => Lit::Str(s.clone()),
            other => Lit::Json(other.clone()),
        }
    }

    fn kind(&self) -> u8 {
        match self {
            Lit::Undefined => 0,
            Lit::Null => 1,
            Lit::Bool(_) => 2,
            Lit::Num(_) => 3,
            Lit::Str(_) => 4,
            Lit::Json(_) => 5,
        }
    }

    /// The elements of an array, as value nodes.
    fn list(&self) -> Option<Vec<Lit>> {
        match self {
            Lit::Json(Value::Array(items)) => Some(items.iter().map(Lit::of).collect()),
            _ => None,
        }
    }
}

/// Jayway's `equals` between value nodes: numbers by value, a number and a string by
/// converting the right side to the left side's kind, arrays and objects structurally.
fn equals(l: &Lit, r: &Lit) -> bool {
    match (l, r) {
        (Lit::Undefined, _) | (_, Lit::Undefined) => false,
        (Lit::Null, Lit::Null) => true,
        (Lit::Bool(a), Lit::Bool(b)) => a == b,
        (Lit::Num(a), Lit::Num(b)) => compare_numbers(a, b) == Ordering::Equal,
        (Lit::Num(a), Lit::Str(s)) => {
            parse_decimal(s).is_some_and(|b| compare_numbers(a, &b) == Ordering::Equal)
        }
        (Lit::Str(s), Lit::Num(n)) => **s == *n.to_string(),
        (Lit::Str(a), Lit::Str(b)) => a == b,
        (Lit::Json(a), Lit::Json(b)) => a == b,
        _ => false,
    }
}

fn contains(list: &[Lit], x: &Lit) -> bool {
    list.iter().any(|e| equals(x, e))
}

fn relate(l: &Lit, op: RelOp, r: &Lit) -> bool {
    match op {
        RelOp::Eq => equals(l, r),
        RelOp::Ne => !equals(l, r),
        RelOp::TypeSafeEq => l.kind() == r.kind() && equals(l, r),
        RelOp::TypeSafeNe => !(l.kind() == r.kind() && equals(l, r)),
        RelOp::Lt | RelOp::Le | RelOp::Gt | RelOp::Ge => {
            let ord = match (l, r) {
                (Lit::Num(a), Lit::Num(b)) => compare_numbers(a, b),
                (Lit::Str(a), Lit::Str(b)) => compare_utf16(a, b),
                _ => return false,
            };
            match op {
                RelOp::Lt => ord == Ordering::Less,
                RelOp::Le => ord != Ordering::Greater,
                RelOp::Gt => ord == Ordering::Greater,
                _ => ord != Ordering::Less,
            }
        }
        RelOp::In => r.list().is_some_and(|list| contains(&list, l)),
        RelOp::Nin => !r.list().is_some_and(|list| contains(&list, l)),
        RelOp::Contains => match (l, r) {
            (Lit::Str(a), Lit::Str(b)) => a.contains(&**b),
            _ => l.list().is_some_and(|list| contains(&list, r)),
        },
        RelOp::Size => {
            let Lit::Num(n) = r else { return false };
            let expected = n.as_f64().trunc();
            match l {
                Lit::Str(s) => s.encode_utf16().count() as f64 == expected,
                Lit::Json(Value::Array(items)) => items.len() as f64 == expected,
                _ => false,
            }
        }
        RelOp::Empty => {
            let Lit::Bool(b) = r else { return false };
            match l {
                Lit::Str(s) => s.is_empty() == *b,
                Lit::Json(Value::Array(items)) => items.is_empty() == *b,
                Lit::Json(Value::Object(map)) => map.is_empty() == *b,
                _ => false,
            }
        }
        RelOp::SubsetOf => match (l.list(), r.list()) {
            (Some(left), Some(right)) => left.iter().all(|x| contains(&right, x)),
            _ => false,
        },
        RelOp::AnyOf => match (l.list(), r.list()) {
            (Some(left), Some(right)) => left.iter().any(|x| contains(&right, x)),
            _ => false,
        },
        RelOp::NoneOf => match (l.list(), r.list()) {
            (Some(left), Some(right)) => !left.iter().any(|x| contains(&right, x)),
            _ => false,
        },
        RelOp::All => match (l, r.list()) {
            (Lit::Json(Value::Array(_)), Some(required)) => {
                let have = l.list().unwrap_or_default();
                required.iter().all(|x| contains(&have, x))
            }
            (Lit::Json(_), Some(_)) => true,
            _ => false,
        },
    }
}

/// Numbers compared by value: exactly for integers, as doubles otherwise.
pub(crate) fn compare_numbers(a: &Number, b: &Number) -> Ordering {
    let exact = |n: &Number| {
        if n.is_integer() {
            n.as_i64()
                .map(i128::from)
                .or_else(|| n.as_u64().map(i128::from))
        } else {
            None
        }
    };
    match (exact(a), exact(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => a
            .as_f64()
            .partial_cmp(&b.as_f64())
            .unwrap_or(Ordering::Equal),
    }
}

/// Strings compared as Java's `String.compareTo` does: by UTF-16 code unit.
pub(crate) fn compare_utf16(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        return a.cmp(b);
    }
    a.encode_utf16().cmp(b.encode_utf16())
}

/// A decimal number as Java's `BigDecimal` reads it (`-1`, `2.5`, `.5`, `1e3`).
pub(crate) fn parse_decimal(s: &str) -> Option<Number> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int, frac) = match mantissa.find('.') {
        Some(i) => (&mantissa[..i], Some(&mantissa[i + 1..])),
        None => (mantissa, None),
    };
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || !frac.is_none_or(digits) || int.is_empty() && frac.is_none_or(str::is_empty)
    {
        return None;
    }
    if let Some(e) = exponent {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        if e.is_empty() || !digits(e) {
            return None;
        }
    }
    if frac.is_none()
        && exponent.is_none()
        && let Ok(i) = s.strip_prefix('+').unwrap_or(s).parse::<i64>()
    {
        return Some(Number::from(i));
    }
    s.strip_prefix('+')
        .unwrap_or(s)
        .parse::<f64>()
        .ok()
        .and_then(Number::from_f64)
}

struct Parser<'a> {
    chars: &'a [char],
    pos: usize,
    /// How deep this filter is inside other filters.
    depth: usize,
    /// Parentheses and `!` currently open.
    nesting: usize,
}

fn is_relational(c: char) -> bool {
    matches!(c, '<' | '>' | '=' | '~' | '!')
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn skip_blanks(&mut self) {
        while self
            .peek()
            .is_some_and(|c| c == ' ' || c == '\t' || c == '\n' || c == '\r')
        {
            self.pos += 1;
        }
    }

    fn significant_is(&mut self, s: &str) -> bool {
        self.skip_blanks();
        let n = s.chars().count();
        if self.pos + n <= self.chars.len()
            && self.chars[self.pos..self.pos + n]
                .iter()
                .copied()
                .eq(s.chars())
        {
            self.pos += n;
            return true;
        }
        false
    }

    fn enter(&mut self) -> Result<()> {
        self.nesting += 1;
        if self.nesting > MAX_DEPTH {
            return fail("Filter expression is nested too deeply");
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Expr> {
        let mut ops = vec![self.and()?];
        loop {
            let save = self.pos;
            if self.significant_is("||") {
                ops.push(self.and()?);
            } else {
                self.pos = save;
                break;
            }
        }
        Ok(if ops.len() == 1 {
            ops.pop().unwrap_or(Expr::Or(Vec::new()))
        } else {
            Expr::Or(ops)
        })
    }

    fn and(&mut self) -> Result<Expr> {
        let mut ops = vec![self.operand()?];
        loop {
            let save = self.pos;
            if self.significant_is("&&") {
                ops.push(self.operand()?);
            } else {
                self.pos = save;
                break;
            }
        }
        Ok(if ops.len() == 1 {
            ops.pop().unwrap_or(Expr::And(Vec::new()))
        } else {
            Expr::And(ops)
        })
    }

    fn operand(&mut self) -> Result<Expr> {
        self.skip_blanks();
        if self.peek() == Some('!') {
            let save = self.pos;
            self.pos += 1;
            self.skip_blanks();
            match self.peek() {
                // `!@.x` is a negated existence check, read as a value.
                Some('$' | '@') => self.pos = save,
                _ => {
                    self.enter()?;
                    let inner = self.operand()?;
                    self.nesting -= 1;
                    return Ok(Expr::Not(Box::new(inner)));
                }
            }
        }
        if self.peek() == Some('(') {
            self.pos += 1;
            self.enter()?;
            let inner = self.or()?;
            self.nesting -= 1;
            self.skip_blanks();
            if self.peek() != Some(')') {
                return fail(format!("Expected character: ) at position {}", self.pos));
            }
            self.pos += 1;
            return Ok(inner);
        }
        self.relation()
    }

    fn relation(&mut self) -> Result<Expr> {
        let left = self.value()?;
        let save = self.pos;
        if let Some(op) = self.relational_operator()? {
            let right = self.value()?;
            return Ok(Expr::Rel(left.0, op, right.0));
        }
        self.pos = save;
        match left {
            (Operand::Path(path), should) => Ok(Expr::Exists(path, should)),
            _ => fail("Expected a path or a comparison in the filter"),
        }
    }

    /// An operand, and whether it was written without `!` (for existence checks).
    fn value(&mut self) -> Result<(Operand, bool)> {
        self.skip_blanks();
        match self.peek() {
            Some('$' | '@') => Ok((Operand::Path(self.path()?), true)),
            Some('!') => {
                self.pos += 1;
                self.skip_blanks();
                match self.peek() {
                    Some('$' | '@') => Ok((Operand::Path(self.path()?), false)),
                    _ => fail("Unexpected character: !"),
                }
            }
            _ => Ok((Operand::Literal(self.literal()?), true)),
        }
    }

    fn path(&mut self) -> Result<Path> {
        let begin = self.pos;
        self.pos += 1;
        while let Some(c) = self.peek() {
            if c == '[' {
                match super::parse::closing(self.chars, self.pos, '[', ']') {
                    Some(close) => {
                        self.pos = close + 1;
                        continue;
                    }
                    None => return fail("Square brackets does not match in filter"),
                }
            }
            if c == ')' {
                if self.closes_function(begin) {
                    self.pos += 1;
                    continue;
                }
                break;
            }
            if is_relational(c) || matches!(c, ' ' | '\t' | '\n' | '\r' | '&' | '|') {
                break;
            }
            self.pos += 1;
        }
        let text: String = self.chars[begin..self.pos].iter().collect();
        let path = Path::parse_nested(&text, self.depth)?;
        if matches!(path.root(), Root::Context | Root::Variable(_)) {
            return fail(format!(
                "Only paths on '@' or '$' are allowed in a filter: {text}"
            ));
        }
        Ok(path)
    }

    /// `true` when the `)` at the cursor closes `name(` of a path function.
    fn closes_function(&self, begin: usize) -> bool {
        let Some(prev) = (begin..self.pos)
            .rev()
            .find(|&i| !matches!(self.chars[i], ' ' | '\t' | '\n' | '\r'))
        else {
            return false;
        };
        if self.chars[prev] != '(' {
            return false;
        }
        (begin + 1..prev).any(|i| self.chars[i] == '.')
    }

    fn relational_operator(&mut self) -> Result<Option<RelOp>> {
        self.skip_blanks();
        let begin = self.pos;
        if self.peek().is_some_and(is_relational) {
            while self.peek().is_some_and(is_relational) {
                self.pos += 1;
            }
        } else {
            while self.peek().is_some_and(|c| c != ' ') {
                self.pos += 1;
            }
        }
        let op: String = self.chars[begin..self.pos].iter().collect();
        Ok(Some(match op.to_ascii_uppercase().as_str() {
            "==" => RelOp::Eq,
            "!=" => RelOp::Ne,
            "===" => RelOp::TypeSafeEq,
            "!==" => RelOp::TypeSafeNe,
            "<" => RelOp::Lt,
            "<=" => RelOp::Le,
            ">" => RelOp::Gt,
            ">=" => RelOp::Ge,
            "IN" => RelOp::In,
            "NIN" => RelOp::Nin,
            "CONTAINS" => RelOp::Contains,
            "SIZE" => RelOp::Size,
            "EMPTY" => RelOp::Empty,
            "SUBSETOF" => RelOp::SubsetOf,
            "ANYOF" => RelOp::AnyOf,
            "NONEOF" => RelOp::NoneOf,
            "ALL" => RelOp::All,
            "=~" => return fail("Regular expressions (=~) are not supported in filters"),
            "EXISTS" | "TYPE" | "MATCHES" => {
                return fail(format!("Filter operator {op} is not supported"));
            }
            _ => return Ok(None),
        }))
    }

    fn literal(&mut self) -> Result<Lit> {
        self.skip_blanks();
        match self.peek() {
            Some(q @ ('\'' | '"')) => {
                let (s, end) = quoted(self.chars, self.pos, q)?;
                self.pos = end;
                Ok(Lit::Str(Str::from(s)))
            }
            Some('t') => self.keyword("true", Lit::Bool(true)),
            Some('f') => self.keyword("false", Lit::Bool(false)),
            Some('n') => self.keyword("null", Lit::Null),
            Some('[' | '{') => {
                let (v, end) = json_literal(self.chars, self.pos, 0)?;
                self.pos = end;
                Ok(Lit::of(&v))
            }
            Some('/') => fail("Regular expressions are not supported in filters"),
            _ => {
                let begin = self.pos;
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_digit() || matches!(c, '-' | '.' | 'e' | 'E' | '+'))
                {
                    self.pos += 1;
                }
                let text: String = self.chars[begin..self.pos].iter().collect();
                match parse_decimal(&text) {
                    Some(n) => Ok(Lit::Num(n)),
                    None => fail(format!(
                        "Failed to parse filter literal at position {begin}"
                    )),
                }
            }
        }
    }

    fn keyword(&mut self, word: &str, lit: Lit) -> Result<Lit> {
        if self.significant_is(word) {
            Ok(lit)
        } else {
            fail(format!("Expected <{word}> value"))
        }
    }
}

/// The string quoted by `q` at `start`, unescaped, and the index after it.
fn quoted(chars: &[char], start: usize, q: char) -> Result<(String, usize)> {
    let mut escaped = false;
    for i in start + 1..chars.len() {
        let c = chars[i];
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == q {
            let raw: String = chars[start + 1..i].iter().collect();
            return Ok((unescape(&raw), i + 1));
        }
    }
    fail(format!(
        "String literal does not have matching quotes. Expected {q}"
    ))
}

/// A JSON literal as Jayway's permissive parser reads it: strings in single or double
/// quotes, numbers, `true`, `false`, `null`, arrays and objects.
fn json_literal(chars: &[char], start: usize, depth: usize) -> Result<(Value, usize)> {
    if depth > MAX_DEPTH {
        return fail("JSON literal is nested too deeply");
    }
    let skip = |mut i: usize| {
        while chars.get(i).is_some_and(|c| c.is_whitespace()) {
            i += 1;
        }
        i
    };
    let i = skip(start);
    match chars.get(i).copied() {
        Some('[') => {
            let mut items = Vec::new();
            let mut j = skip(i + 1);
            if chars.get(j) == Some(&']') {
                return Ok((Value::array(items), j + 1));
            }
            loop {
                let (v, next) = json_literal(chars, j, depth + 1)?;
                items.push(v);
                j = skip(next);
                match chars.get(j) {
                    Some(',') => j += 1,
                    Some(']') => return Ok((Value::array(items), j + 1)),
                    _ => return fail("Malformed JSON array in filter"),
                }
            }
        }
        Some('{') => {
            let mut map = Map::default();
            let mut j = skip(i + 1);
            if chars.get(j) == Some(&'}') {
                return Ok((Value::object(map), j + 1));
            }
            loop {
                let Some(q @ ('\'' | '"')) = chars.get(j).copied() else {
                    return fail("Malformed JSON object in filter");
                };
                let (key, next) = quoted(chars, j, q)?;
                j = skip(next);
                if chars.get(j) != Some(&':') {
                    return fail("Malformed JSON object in filter");
                }
                let (v, next) = json_literal(chars, j + 1, depth + 1)?;
                map.insert(Str::from(key), v);
                j = skip(next);
                match chars.get(j) {
                    Some(',') => j = skip(j + 1),
                    Some('}') => return Ok((Value::object(map), j + 1)),
                    _ => return fail("Malformed JSON object in filter"),
                }
            }
        }
        Some(q @ ('\'' | '"')) => {
            let (s, end) = quoted(chars, i, q)?;
            Ok((Value::from(s), end))
        }
        Some(_) => {
            let mut j = i;
            while chars
                .get(j)
                .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | '.'))
            {
                j += 1;
            }
            let word: String = chars[i..j].iter().collect();
            let v = match word.as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                "null" => Value::Null,
                _ => match parse_decimal(&word) {
                    Some(n) => Value::Number(n),
                    None => return fail(format!("Malformed JSON value in filter: {word}")),
                },
            };
            Ok((v, j))
        }
        None => fail("Malformed JSON literal in filter"),
    }
}
