//! EventBridge event patterns: compiled once, matched against events.
//!
//! A pattern is a JSON object mirroring the event: a member whose value is an object
//! descends into the event's object of that name; a member whose value is an array lists
//! what the event's value there may be (any one of them matches). Members are ANDed;
//! `"$or": [{...}, {...}]` ORs objects at its level. The array's items are exact values
//! (strings, numbers compared numerically, `true`, `false`, `null`) or one-member objects:
//! `prefix`, `suffix` (each optionally `{"equals-ignore-case": ...}`), `equals-ignore-case`,
//! `wildcard`, `anything-but` (a value, a list, or `prefix` / `suffix` / `wildcard` /
//! `equals-ignore-case`), `numeric` (`=`, or one or two bounds), `exists`, `cidr`.
//!
//! Arrays in the event: a leaf matches when any element does (the intersection of the
//! pattern's values and the event's is not empty); an array of objects matches a nested
//! pattern when one element matches all of it. `exists` looks at leaves only: an empty
//! array, an object or a missing member does not exist.
//!
//! Errors carry the messages of AWS's Event Ruler, which EventBridge reports as
//! `InvalidEventPatternException: Event pattern is not valid. Reason: ...`.

use std::net::IpAddr;

use baton_json::Value;

/// A pattern that does not compile: Event Ruler's reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Event pattern is not valid. Reason: {0}")]
pub struct PatternError(pub String);

fn err<T>(message: impl Into<String>) -> Result<T, PatternError> {
    Err(PatternError(message.into()))
}

/// A compiled event pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    root: Node,
}

#[derive(Debug, Clone)]
struct Node {
    fields: Vec<(String, Field)>,
    /// Each `$or` at this level: one of its alternatives must match.
    ors: Vec<Vec<Node>>,
}

#[derive(Debug, Clone)]
enum Field {
    Nested(Node),
    Leaf(Vec<Matcher>),
}

#[derive(Debug, Clone)]
enum Matcher {
    String(String),
    Number(f64),
    Bool(bool),
    Null,
    Prefix(String),
    PrefixFold(String),
    Suffix(String),
    SuffixFold(String),
    EqualsFold(String),
    Wildcard(Wildcard),
    Numeric(Vec<(Op, f64)>),
    Exists(bool),
    Cidr(u128, u128, bool),
    Not(AnythingBut),
}

#[derive(Debug, Clone)]
enum AnythingBut {
    Strings(Vec<String>),
    Numbers(Vec<f64>),
    Folded(Vec<String>),
    Prefix(String),
    PrefixFold(String),
    Suffix(String),
    SuffixFold(String),
    Wildcards(Vec<Wildcard>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A wildcard pattern: literal parts between `*`s.
#[derive(Debug, Clone)]
struct Wildcard {
    parts: Vec<String>,
}

impl Pattern {
    /// Compiles a pattern from its JSON text.
    pub fn parse(text: &str) -> Result<Pattern, PatternError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| PatternError(e.to_string()))?;
        Pattern::compile(&value)
    }

    /// Compiles a pattern from JSON.
    pub fn compile(value: &serde_json::Value) -> Result<Pattern, PatternError> {
        let serde_json::Value::Object(map) = value else {
            return err("Filter is not an object");
        };
        Ok(Pattern {
            root: node(map, false)?,
        })
    }

    /// Whether `event` matches.
    pub fn matches(&self, event: &Value) -> bool {
        matches_node(&self.root, Some(event))
    }

    /// The members of the top level whose values must be one of a set of strings (and
    /// nothing else): a rule set indexes rules by them.
    pub fn exact_strings(&self) -> Vec<(&str, Vec<&str>)> {
        let mut out = Vec::new();
        for (name, field) in &self.root.fields {
            if let Field::Leaf(ms) = field {
                let strings: Option<Vec<&str>> = ms
                    .iter()
                    .map(|m| match m {
                        Matcher::String(s) => Some(s.as_str()),
                        _ => None,
                    })
                    .collect();
                if let Some(s) = strings {
                    out.push((name.as_str(), s));
                }
            }
        }
        out
    }
}

fn node(
    map: &serde_json::Map<String, serde_json::Value>,
    in_or: bool,
) -> Result<Node, PatternError> {
    if map.is_empty() {
        return err("Empty objects are not allowed");
    }
    let mut out = Node {
        fields: Vec::new(),
        ors: Vec::new(),
    };
    for (name, value) in map {
        if name == "$or" {
            let serde_json::Value::Array(items) = value else {
                return err("It must be an Array followed with $or.");
            };
            let mut alternatives = Vec::new();
            for item in items {
                let serde_json::Value::Object(m) = item else {
                    return err("Only JSON object is allowed in array of $or relationship.");
                };
                alternatives.push(node(m, true)?);
            }
            if alternatives.len() < 2 {
                return err("There must have at least 2 Objects in $or relationship.");
            }
            out.ors.push(alternatives);
            continue;
        }
        if in_or
            && matches!(
                name.as_str(),
                "anything-but"
                    | "numeric"
                    | "prefix"
                    | "suffix"
                    | "exists"
                    | "cidr"
                    | "equals-ignore-case"
                    | "wildcard"
            )
        {
            return err(format!(
                "{name} is Ruler reserved fieldName which cannot be used inside $or."
            ));
        }
        let field = match value {
            serde_json::Value::Object(m) => Field::Nested(node(m, in_or)?),
            serde_json::Value::Array(items) => Field::Leaf(leaf(items)?),
            _ => return err(format!("\"{name}\" must be an object or an array")),
        };
        out.fields.push((name.clone(), field));
    }
    Ok(out)
}

fn leaf(items: &[serde_json::Value]) -> Result<Vec<Matcher>, PatternError> {
    use serde_json::Value as J;
    let mut out = Vec::new();
    for item in items {
        out.push(match item {
            J::String(s) => Matcher::String(s.clone()),
            J::Number(n) => Matcher::Number(n.as_f64().unwrap_or(f64::NAN)),
            J::Bool(b) => Matcher::Bool(*b),
            J::Null => Matcher::Null,
            J::Object(m) => expression(m)?,
            J::Array(_) => return err("Match value must be String, number, true, false, or null"),
        });
    }
    if out.is_empty() {
        return err("Empty arrays are not allowed");
    }
    Ok(out)
}

/// A string, or `{"equals-ignore-case": string}` (for prefix and suffix): the text and
/// whether case is ignored.
fn text_or_folded(value: &serde_json::Value, what: &str) -> Result<(String, bool), PatternError> {
    match value {
        serde_json::Value::String(s) => Ok((s.clone(), false)),
        serde_json::Value::Object(m) if m.len() == 1 => match m.get("equals-ignore-case") {
            Some(serde_json::Value::String(s)) => Ok((s.clone(), true)),
            Some(_) => err("equals-ignore-case match pattern must be a string"),
            None => err(format!(
                "Unsupported {what} pattern: {}",
                m.keys().next().map(String::as_str).unwrap_or("")
            )),
        },
        _ => err(format!("{what} match pattern must be a string")),
    }
}

fn expression(m: &serde_json::Map<String, serde_json::Value>) -> Result<Matcher, PatternError> {
    use serde_json::Value as J;
    let Some((kind, value)) = m.iter().next() else {
        return err("Match expression name not found");
    };
    if m.len() > 1 {
        return err("Only one key allowed in match expression");
    }
    Ok(match kind.as_str() {
        "prefix" => match text_or_folded(value, "prefix")? {
            (s, false) => Matcher::Prefix(s),
            (s, true) => Matcher::PrefixFold(fold(&s)),
        },
        "suffix" => match text_or_folded(value, "suffix")? {
            (s, false) => Matcher::Suffix(s),
            (s, true) => Matcher::SuffixFold(fold(&s)),
        },
        "equals-ignore-case" => match value {
            J::String(s) => Matcher::EqualsFold(fold(s)),
            _ => return err("equals-ignore-case match pattern must be a string"),
        },
        "wildcard" => match value {
            J::String(s) => Matcher::Wildcard(Wildcard::parse(s)?),
            _ => return err("wildcard match pattern must be a string"),
        },
        "exists" => match value {
            J::Bool(b) => Matcher::Exists(*b),
            _ => return err("exists match pattern must be either true or false."),
        },
        "cidr" => match value {
            J::String(s) => cidr(s)?,
            _ => return err("cidr match pattern must be a string"),
        },
        "numeric" => match value {
            J::Array(terms) => Matcher::Numeric(numeric(terms)?),
            _ => return err("Value of numeric must be an array."),
        },
        "anything-but" => Matcher::Not(anything_but(value)?),
        other => return err(format!("Unrecognized match type {other}")),
    })
}

fn anything_but(value: &serde_json::Value) -> Result<AnythingBut, PatternError> {
    use serde_json::Value as J;
    match value {
        J::String(s) => Ok(AnythingBut::Strings(vec![s.clone()])),
        J::Number(n) => Ok(AnythingBut::Numbers(vec![n.as_f64().unwrap_or(f64::NAN)])),
        J::Array(items) => {
            let strings: Vec<String> = items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
            let numbers: Vec<f64> = items.iter().filter_map(J::as_f64).collect();
            if items.iter().any(|v| !v.is_string() && !v.is_number()) {
                return err("Inside anything but list, start|null|boolean is not supported.");
            }
            match (strings.is_empty(), numbers.is_empty()) {
                (false, true) => Ok(AnythingBut::Strings(strings)),
                (true, false) => Ok(AnythingBut::Numbers(numbers)),
                _ => err(
                    "Inside anything but list, either all values are number or string, mixed type is not supported",
                ),
            }
        }
        J::Object(m) => {
            let Some((kind, inner)) = m.iter().next() else {
                return err("Anything-But expression name not found");
            };
            if m.len() > 1 {
                return err("Only one key allowed in match expression");
            }
            match kind.as_str() {
                "prefix" | "suffix" => {
                    let (text, folded) = text_or_folded(inner, "prefix/suffix")?;
                    if text.is_empty() {
                        return err("Null prefix/suffix not allowed");
                    }
                    Ok(match (kind.as_str(), folded) {
                        ("prefix", false) => AnythingBut::Prefix(text),
                        ("prefix", true) => AnythingBut::PrefixFold(fold(&text)),
                        ("suffix", false) => AnythingBut::Suffix(text),
                        _ => AnythingBut::SuffixFold(fold(&text)),
                    })
                }
                "equals-ignore-case" => match inner {
                    J::String(s) => Ok(AnythingBut::Folded(vec![fold(s)])),
                    J::Array(items) if items.iter().all(J::is_string) && !items.is_empty() => Ok(
                        AnythingBut::Folded(items.iter().filter_map(J::as_str).map(fold).collect()),
                    ),
                    _ => err(
                        "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.",
                    ),
                },
                "wildcard" => match inner {
                    J::String(s) => Ok(AnythingBut::Wildcards(vec![Wildcard::parse(s)?])),
                    J::Array(items) if items.iter().all(J::is_string) && !items.is_empty() => {
                        Ok(AnythingBut::Wildcards(
                            items
                                .iter()
                                .filter_map(J::as_str)
                                .map(Wildcard::parse)
                                .collect::<Result<_, _>>()?,
                        ))
                    }
                    _ => err("wildcard match pattern must be a string"),
                },
                other => err(format!("Unsupported anything-but pattern: {other}")),
            }
        }
        _ => err("Value of anything-but must be an array or single string/number value."),
    }
}

fn numeric(terms: &[serde_json::Value]) -> Result<Vec<(Op, f64)>, PatternError> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < terms.len() {
        let Some(op) = terms[i].as_str() else {
            return err(format!("Invalid member in numeric match: {}", terms[i]));
        };
        let op = match op {
            "=" => Op::Eq,
            "<" => Op::Lt,
            "<=" => Op::Le,
            ">" => Op::Gt,
            ">=" => Op::Ge,
            other => return err(format!("Unrecognized numeric range operator: {other}")),
        };
        let Some(n) = terms.get(i + 1).and_then(serde_json::Value::as_f64) else {
            let name = match op {
                Op::Eq => "equals",
                Op::Lt => "<",
                Op::Le => "<=",
                Op::Gt => ">",
                Op::Ge => ">=",
            };
            return err(format!("Value of {name} must be numeric"));
        };
        out.push((op, n));
        i += 2;
    }
    let shape_ok = match out.as_slice() {
        [(_, _)] => true,
        [(Op::Gt | Op::Ge, low), (Op::Lt | Op::Le, high)] => {
            if low >= high {
                return err("Bottom must be less than top");
            }
            true
        }
        [] => return err("Empty numeric expression"),
        _ => false,
    };
    if !shape_ok {
        return err("Too many elements in numeric expression");
    }
    Ok(out)
}

fn cidr(text: &str) -> Result<Matcher, PatternError> {
    let bad = || PatternError(format!("Malformed CIDR, one '/' required: {text}"));
    let (addr, bits) = text.split_once('/').ok_or_else(bad)?;
    let addr: IpAddr = addr
        .parse()
        .map_err(|_| PatternError(format!("Invalid IP address in CIDR: {text}")))?;
    let bits: u32 = bits
        .parse()
        .map_err(|_| PatternError(format!("Invalid CIDR mask: {text}")))?;
    let (value, width, v6) = ip_bits(addr);
    if bits > width {
        return err(format!("Invalid CIDR mask: {text}"));
    }
    let mask = if bits == 0 {
        0
    } else {
        (!0u128) << (width - bits)
    } & width_mask(width);
    Ok(Matcher::Cidr(value & mask, mask, v6))
}

fn width_mask(width: u32) -> u128 {
    if width == 128 {
        !0
    } else {
        (1u128 << width) - 1
    }
}

fn ip_bits(addr: IpAddr) -> (u128, u32, bool) {
    match addr {
        IpAddr::V4(a) => (u128::from(u32::from(a)), 32, false),
        IpAddr::V6(a) => (u128::from(a), 128, true),
    }
}

fn fold(s: &str) -> String {
    s.to_lowercase()
}

impl Wildcard {
    fn parse(text: &str) -> Result<Wildcard, PatternError> {
        let mut parts = Vec::new();
        let mut part = String::new();
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '*' => {
                    if chars.peek().is_some_and(|(_, n)| *n == '*') {
                        return err(format!("Consecutive wildcard characters at pos {i}"));
                    }
                    parts.push(std::mem::take(&mut part));
                }
                '\\' => match chars.next() {
                    Some((_, n @ ('*' | '\\'))) => part.push(n),
                    _ => return err(format!("Invalid escape character at pos {i}")),
                },
                c => part.push(c),
            }
        }
        parts.push(part);
        Ok(Wildcard { parts })
    }

    fn matches(&self, s: &str) -> bool {
        let parts = &self.parts;
        if parts.len() == 1 {
            return s == parts[0];
        }
        let first = &parts[0];
        let last = &parts[parts.len() - 1];
        if s.len() < first.len() + last.len()
            || !s.starts_with(first.as_str())
            || !s.ends_with(last.as_str())
        {
            return false;
        }
        let mut rest = &s[first.len()..s.len() - last.len()];
        for part in &parts[1..parts.len() - 1] {
            match rest.find(part.as_str()) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
        true
    }
}

fn matches_node(node: &Node, value: Option<&Value>) -> bool {
    let object = value.filter(|v| v.as_object().is_some());
    node.fields.iter().all(|(name, field)| {
        let child = object.and_then(|o| o.get(name.as_str()));
        matches_field(field, child)
    }) && node
        .ors
        .iter()
        .all(|alternatives| alternatives.iter().any(|n| matches_node(n, value)))
}

fn matches_field(field: &Field, child: Option<&Value>) -> bool {
    match field {
        Field::Nested(node) => match child.and_then(Value::as_array) {
            Some(items) if !items.is_empty() => {
                items.iter().any(|item| matches_node(node, Some(item)))
            }
            Some(_) => matches_node(node, None),
            None => matches_node(node, child),
        },
        Field::Leaf(matchers) => {
            let mut leaves = Vec::new();
            collect_leaves(child, &mut leaves);
            matchers.iter().any(|m| match m {
                Matcher::Exists(want) => leaves.is_empty() != *want,
                m => leaves.iter().any(|v| m.matches(v)),
            })
        }
    }
}

/// The scalar values at a member: itself, or the scalars of an array (nested arrays
/// flattened; objects are not leaves).
pub(crate) fn collect_leaves<'a>(value: Option<&'a Value>, out: &mut Vec<&'a Value>) {
    match value {
        None => {}
        Some(v) => {
            if let Some(items) = v.as_array() {
                for item in items.iter() {
                    collect_leaves(Some(item), out);
                }
            } else if v.as_object().is_none() {
                out.push(v);
            }
        }
    }
}

impl Matcher {
    fn matches(&self, v: &Value) -> bool {
        let s = v.as_str();
        match self {
            Matcher::String(want) => s == Some(want.as_str()),
            Matcher::Number(want) => v.as_f64() == Some(*want),
            Matcher::Bool(want) => v.as_bool() == Some(*want),
            Matcher::Null => v.is_null(),
            Matcher::Prefix(p) => s.is_some_and(|s| s.starts_with(p.as_str())),
            Matcher::PrefixFold(p) => s.is_some_and(|s| fold(s).starts_with(p.as_str())),
            Matcher::Suffix(p) => s.is_some_and(|s| s.ends_with(p.as_str())),
            Matcher::SuffixFold(p) => s.is_some_and(|s| fold(s).ends_with(p.as_str())),
            Matcher::EqualsFold(p) => s.is_some_and(|s| fold(s) == *p),
            Matcher::Wildcard(w) => s.is_some_and(|s| w.matches(s)),
            Matcher::Numeric(terms) => v.as_f64().filter(|_| is_number(v)).is_some_and(|n| {
                terms.iter().all(|(op, x)| match op {
                    Op::Eq => n == *x,
                    Op::Lt => n < *x,
                    Op::Le => n <= *x,
                    Op::Gt => n > *x,
                    Op::Ge => n >= *x,
                })
            }),
            Matcher::Exists(_) => true,
            Matcher::Cidr(net, mask, v6) => s
                .and_then(|s| s.parse::<IpAddr>().ok())
                .map(ip_bits)
                .is_some_and(|(bits, _, is6)| is6 == *v6 && bits & mask == *net),
            Matcher::Not(but) => match but {
                AnythingBut::Strings(list) => s.is_none_or(|s| !list.iter().any(|x| x == s)),
                AnythingBut::Numbers(list) => match v.as_f64().filter(|_| is_number(v)) {
                    Some(n) => !list.contains(&n),
                    None => true,
                },
                AnythingBut::Folded(list) => s.is_some_and(|s| {
                    let f = fold(s);
                    !list.contains(&f)
                }),
                AnythingBut::Prefix(p) => s.is_some_and(|s| !s.starts_with(p.as_str())),
                AnythingBut::PrefixFold(p) => s.is_some_and(|s| !fold(s).starts_with(p.as_str())),
                AnythingBut::Suffix(p) => s.is_some_and(|s| !s.ends_with(p.as_str())),
                AnythingBut::SuffixFold(p) => s.is_some_and(|s| !fold(s).ends_with(p.as_str())),
                AnythingBut::Wildcards(ws) => s.is_some_and(|s| !ws.iter().any(|w| w.matches(s))),
            },
        }
    }
}

fn is_number(v: &Value) -> bool {
    matches!(v, Value::Number(_))
}

#[cfg(test)]
mod tests;
