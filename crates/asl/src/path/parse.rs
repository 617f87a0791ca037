//! The path parser: Jayway's `PathCompiler` grammar, with Step Functions' roots.
//!
//! The messages are Jayway's where it has one, so users recognise them.

use baton_json::Str;

use super::{Filter, Function, MAX_NESTING, Path, PathSyntaxError, Root, Seg};

type Result<T> = std::result::Result<T, PathSyntaxError>;

fn fail<T>(message: impl Into<String>) -> Result<T> {
    Err(PathSyntaxError::new(message))
}

/// Parses `text`; `@` is accepted as a root only inside filters (`nested`).
pub(super) fn parse(text: &str, nested: bool, depth: usize) -> Result<Path> {
    if depth > MAX_NESTING {
        return fail("Filters are nested too deeply");
    }
    let chars: Vec<char> = text.trim_matches(is_blank).chars().collect();
    if chars.is_empty() {
        return fail("Path must not be null or empty");
    }
    let mut p = Parser {
        chars: &chars,
        pos: 0,
        depth,
    };
    let root = p.root(nested)?;
    if p.pos == chars.len() {
        return Ok(Path::from_parts(text, root, Vec::new(), None));
    }
    if chars.last() == Some(&'.') {
        return fail("Path must not end with a '.' or '..'");
    }
    match p.peek() {
        Some('.') | Some('[') => {}
        _ => {
            return fail(format!(
                "Illegal character at position {} expected '.' or '['",
                p.pos
            ));
        }
    }
    let (segs, function) = p.steps()?;
    Ok(Path::from_parts(text, root, segs, function))
}

fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// A character that may start a variable name after `$`.
fn is_ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn is_ident(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

struct Parser<'a> {
    chars: &'a [char],
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn at(&self, i: usize) -> Option<char> {
        self.chars.get(i).copied()
    }

    /// The index of the first non-blank character at or after `from`.
    fn significant(&self, from: usize) -> Option<usize> {
        (from..self.chars.len()).find(|&i| !is_blank(self.chars[i]))
    }

    fn root(&mut self, nested: bool) -> Result<Root> {
        match self.peek() {
            Some('$') => {
                self.pos = 1;
                match self.peek() {
                    Some('$') => {
                        self.pos = 2;
                        Ok(Root::Context)
                    }
                    Some(c) if is_ident_start(c) => {
                        let start = self.pos;
                        while self.peek().is_some_and(is_ident) {
                            self.pos += 1;
                        }
                        let name: String = self.chars[start..self.pos].iter().collect();
                        Ok(Root::Variable(Str::from(name)))
                    }
                    _ => Ok(Root::Input),
                }
            }
            Some('@') if nested => {
                self.pos = 1;
                Ok(Root::Current)
            }
            _ => fail("Path must start with '$'"),
        }
    }

    fn steps(&mut self) -> Result<(Vec<Seg>, Option<Function>)> {
        let mut segs = Vec::new();
        while let Some(c) = self.peek() {
            match c {
                '[' => segs.push(self.bracket()?),
                '.' => {
                    if self.at(self.pos + 1) == Some('.') {
                        segs.push(Seg::Scan);
                        self.pos += 2;
                    } else if self.pos + 1 >= self.chars.len() {
                        return fail("Path must not end with a '.'");
                    } else {
                        self.pos += 1;
                    }
                    if self.peek() == Some('.') {
                        return fail(format!(
                            "Character '.' on position {} is not valid.",
                            self.pos
                        ));
                    }
                    if self.peek().is_none() {
                        return fail("Path must not end with a '.' or '..'");
                    }
                    // A bracket or `*` after the dot is read on the next turn; a name
                    // (or a function) now.
                    if let Some(next) = self.peek()
                        && next != '['
                        && next != '*'
                        && let Some(function) = self.property_or_function(&mut segs)?
                    {
                        if segs.last().is_some_and(|s| matches!(s, Seg::Scan)) {
                            return fail(format!(
                                "Function '{}' cannot follow a deep scan",
                                function.name()
                            ));
                        }
                        if self.pos < self.chars.len() {
                            return fail(format!(
                                "Function '{}()' must be the last step of a path",
                                function.name()
                            ));
                        }
                        return Ok((segs, Some(function)));
                    }
                }
                '*' => {
                    segs.push(Seg::Wildcard);
                    self.pos += 1;
                }
                _ => {
                    // Jayway reads a name right after a bracket or a wildcard as a
                    // property (`$['a']b` is `$['a']['b']`).
                    if let Some(function) = self.property_or_function(&mut segs)? {
                        if self.pos < self.chars.len() {
                            return fail(format!(
                                "Function '{}()' must be the last step of a path",
                                function.name()
                            ));
                        }
                        return Ok((segs, Some(function)));
                    }
                }
            }
        }
        Ok((segs, None))
    }

    /// `name` (pushed as a field) or `name()` (returned as the function).
    fn property_or_function(&mut self, segs: &mut Vec<Seg>) -> Result<Option<Function>> {
        let start = self.pos;
        match self.peek() {
            Some('[' | '*' | '.' | ' ') | None => {
                return fail(format!(
                    "Could not parse token starting at position {}",
                    self.pos
                ));
            }
            _ => {}
        }
        let mut end = self.pos;
        let mut is_function = false;
        while let Some(c) = self.at(end) {
            match c {
                ' ' => {
                    return fail(format!(
                        "Use bracket notion ['my prop'] if your property contains blank characters. position: {}",
                        self.pos
                    ));
                }
                '.' | '[' => break,
                '(' => {
                    is_function = true;
                    break;
                }
                _ => end += 1,
            }
        }
        let name: String = self.chars[start..end].iter().collect();
        if !is_function {
            self.pos = end;
            segs.push(Seg::Field(Str::from(name)));
            return Ok(None);
        }
        // A function: `name(` ... `)`, with balanced parentheses.
        let mut open = 1usize;
        let mut close = None;
        for i in end + 1..self.chars.len() {
            match self.chars[i] {
                '(' => open += 1,
                ')' => {
                    open -= 1;
                    if open == 0 {
                        close = Some(i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let Some(close) = close else {
            return fail(format!(
                "Arguments to function: '{name}' are not closed properly."
            ));
        };
        if self.chars[end + 1..close].iter().any(|c| !is_blank(*c)) {
            return fail(format!("Arguments to function '{name}' are not supported"));
        }
        let Some(function) = Function::from_name(&name) else {
            return fail(format!("Function with name: {name} does not exist."));
        };
        self.pos = close + 1;
        Ok(Some(function))
    }

    fn bracket(&mut self) -> Result<Seg> {
        let Some(next) = self.significant(self.pos + 1) else {
            return fail("Property has not been closed - missing closing ]");
        };
        match self.chars[next] {
            '\'' | '"' => self.bracket_properties(next),
            c if c.is_ascii_digit() || c == '-' || c == ':' => self.array_index(),
            '*' => {
                let Some(close) = self.significant(next + 1) else {
                    return fail(format!(
                        "Expected wildcard token to end with ']' on position {}",
                        next + 1
                    ));
                };
                if self.chars[close] != ']' {
                    return fail(format!(
                        "Expected wildcard token to end with ']' on position {}",
                        next + 1
                    ));
                }
                self.pos = close + 1;
                Ok(Seg::Wildcard)
            }
            '?' => self.filter(next),
            _ => fail(format!(
                "Could not parse token starting at position {}. Expected ?, ', 0-9, * ",
                self.pos
            )),
        }
    }

    /// `['a']`, `["a"]`, `['a','b']`.
    fn bracket_properties(&mut self, first_quote: usize) -> Result<Seg> {
        let quote = self.chars[first_quote];
        let mut names: Vec<Str> = Vec::new();
        let mut i = first_quote;
        loop {
            // At an opening quote.
            let start = i + 1;
            let mut j = start;
            let mut escaped = false;
            loop {
                let Some(c) = self.at(j) else {
                    return fail(format!(
                        "Property has not been closed - missing closing {quote}"
                    ));
                };
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == quote {
                    break;
                }
                j += 1;
            }
            let raw: String = self.chars[start..j].iter().collect();
            names.push(Str::from(unescape_quote(&raw, quote)));
            let Some(after) = self.significant(j + 1) else {
                return fail("Property has not been closed - missing closing ]");
            };
            match self.chars[after] {
                ']' => {
                    self.pos = after + 1;
                    break;
                }
                ',' => {
                    let Some(q) = self.significant(after + 1) else {
                        return fail("Property has not been closed - missing closing ]");
                    };
                    match self.chars[q] {
                        c if c == quote => i = q,
                        ',' | ']' => return fail(format!("Found empty property at index {q}")),
                        _ => {
                            return fail(format!(
                                "Property must be separated by comma or Property must be terminated close square bracket at index {q}"
                            ));
                        }
                    }
                }
                _ => {
                    return fail(format!(
                        "Property must be separated by comma or Property must be terminated close square bracket at index {j}"
                    ));
                }
            }
        }
        if names.len() == 1 {
            Ok(Seg::Field(names.pop().unwrap_or_default()))
        } else {
            Ok(Seg::Fields(names.into_boxed_slice()))
        }
    }

    /// `[1]`, `[1,2]`, `[-1]`, `[1:2]`, `[:2]`, `[1:]`.
    fn array_index(&mut self) -> Result<Seg> {
        let open = self.pos;
        let Some(close) = (open + 1..self.chars.len()).find(|&i| self.chars[i] == ']') else {
            return fail(format!(
                "Could not parse token starting at position {open}. Expected ?, ', 0-9, * "
            ));
        };
        let expr: String = self.chars[open + 1..close].iter().collect();
        let expr = expr.trim_matches(is_blank);
        if !expr
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ',' | '-' | ':' | ' '))
        {
            return fail(format!(
                "Could not parse token starting at position {open}. Expected ?, ', 0-9, * "
            ));
        }
        self.pos = close + 1;
        if expr.contains(':') {
            slice(expr)
        } else {
            let mut list = Vec::new();
            for token in expr.split(',') {
                let token = token.trim_matches(' ');
                match token.parse::<i32>() {
                    Ok(n) => list.push(i64::from(n)),
                    Err(_) => {
                        return fail(format!(
                            "Failed to parse token in ArrayIndexOperation: {token}"
                        ));
                    }
                }
            }
            if list.len() == 1 {
                Ok(Seg::Index(list[0]))
            } else {
                Ok(Seg::Indexes(list.into_boxed_slice()))
            }
        }
    }

    /// `[?(...)]`.
    fn filter(&mut self, question: usize) -> Result<Seg> {
        let Some(open) = self.significant(question + 1) else {
            return fail("Filter must start with '[?(' and end with ')]'");
        };
        if self.chars[open] != '(' {
            return fail(format!(
                "Could not parse token starting at position {}. Expected ?, ', 0-9, * ",
                self.pos
            ));
        }
        let Some(close) = closing(self.chars, open, '(', ')') else {
            return fail("Filter must start with '[?(' and end with ')]'");
        };
        let Some(end) = self.significant(close + 1) else {
            return fail("Filter must start with '[?(' and end with ')]'");
        };
        if self.chars[end] != ']' {
            return fail("Filter must start with '[?(' and end with ')]'");
        }
        let filter = Filter::parse(&self.chars[open..=close], self.depth + 1)?;
        self.pos = end + 1;
        Ok(Seg::Filter(Box::new(filter)))
    }
}

/// The index of the `close` matching the `open_char` at `open`, skipping quoted strings
/// (`(` and `)` for filters, `[` and `]` for brackets).
pub(super) fn closing(chars: &[char], open: usize, open_char: char, close: char) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, &c) in chars.iter().enumerate().skip(open) {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        if c == '\'' || c == '"' {
            quote = Some(c);
        } else if c == open_char {
            depth += 1;
        } else if c == close {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return Some(i);
            }
        }
    }
    None
}

fn slice(expr: &str) -> Result<Seg> {
    if !expr
        .chars()
        .all(|c| c.is_ascii_digit() || c == '-' || c == ':')
    {
        return fail(format!("Failed to parse SliceOperation: {expr}"));
    }
    // Java's `split(":")` drops trailing empty pieces.
    let mut tokens: Vec<&str> = expr.split(':').collect();
    while tokens.last() == Some(&"") {
        tokens.pop();
    }
    let read = |i: usize| -> Result<Option<i64>> {
        match tokens.get(i) {
            None | Some(&"") => Ok(None),
            Some(t) => match t.parse::<i32>() {
                Ok(n) => Ok(Some(i64::from(n))),
                Err(_) => fail(format!("Failed to parse SliceOperation: {expr}")),
            },
        }
    };
    let from = read(0)?;
    let to = read(1)?;
    if from.is_none() && to.is_none() {
        return fail(format!("Failed to parse SliceOperation: {expr}"));
    }
    Ok(Seg::Slice(from, to))
}

/// A quoted property name as Step Functions reads it: only the quote character itself
/// is escaped (`\'` inside `'...'`); other backslashes are part of the name, so that
/// `$['a\"b']` names the key `a\"b` (recorded on AWS).
fn unescape_quote(s: &str, quote: char) -> String {
    let escaped: String = ['\\', quote].iter().collect();
    s.replace(&escaped, &quote.to_string())
}

/// Jayway's `Utils.unescape`: `\'`, `\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`,
/// `\uXXXX`; any other escaped character stands for itself.
pub(super) fn unescape(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            None => out.push('\\'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('u') => {
                let hex: String = chars.clone().take(4).collect();
                match (hex.len() == 4)
                    .then(|| u32::from_str_radix(&hex, 16).ok())
                    .flatten()
                {
                    Some(code) => {
                        for _ in 0..4 {
                            chars.next();
                        }
                        out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                    }
                    None => out.push('u'),
                }
            }
            Some(other) => out.push(other),
        }
    }
    out
}
