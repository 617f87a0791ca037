//! The call syntax: `States.Name(arg, ...)`, blanks allowed between tokens.

use baton_json::{Number, Str, Value};

use super::{Arg, Call, Function, IntrinsicSyntaxError, MAX_NESTING};
use crate::path::Path;

type Result<T> = std::result::Result<T, IntrinsicSyntaxError>;

fn fail<T>(message: impl Into<String>) -> Result<T> {
    Err(IntrinsicSyntaxError::new(message))
}

pub(super) fn parse(text: &str) -> Result<Call> {
    let mut p = Parser {
        text: text.trim(),
        pos: 0,
    };
    let call = p.call(0)?;
    p.skip_blanks();
    if p.pos < p.text.len() {
        return fail(format!(
            "Unexpected text after the call at position {}",
            p.pos
        ));
    }
    Ok(call)
}

struct Parser<'a> {
    text: &'a str,
    /// A byte offset, always on a character boundary.
    pos: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn skip_blanks(&mut self) {
        while let Some(c) = self.peek() {
            if matches!(c, ' ' | '\t' | '\n' | '\r') {
                self.pos += c.len_utf8();
            } else {
                break;
            }
        }
    }

    fn expect(&mut self, c: char) -> Result<()> {
        self.skip_blanks();
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            Ok(())
        } else {
            fail(format!("Expected '{c}' at position {}", self.pos))
        }
    }

    fn call(&mut self, depth: usize) -> Result<Call> {
        if depth >= MAX_NESTING {
            return fail("Intrinsic function calls are nested too deeply");
        }
        let start = self.pos;
        let Some(after) = self.rest().strip_prefix("States.") else {
            return fail(format!("Expected 'States.' at position {}", self.pos));
        };
        let name_len = after
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(after.len());
        let name = &after[..name_len];
        let Some(function) = Function::from_name(name) else {
            return fail(format!("Unknown intrinsic function 'States.{name}'"));
        };
        self.pos += "States.".len() + name_len;
        self.expect('(')?;
        let mut args = Vec::new();
        self.skip_blanks();
        if self.peek() == Some(')') {
            self.pos += 1;
        } else {
            loop {
                args.push(self.arg(depth)?);
                self.skip_blanks();
                match self.peek() {
                    Some(',') => self.pos += 1,
                    Some(')') => {
                        self.pos += 1;
                        break;
                    }
                    _ => {
                        return fail(format!("Expected ',' or ')' at position {}", self.pos));
                    }
                }
            }
        }
        Ok(Call {
            text: Str::from(&self.text[start..self.pos]),
            function,
            args: args.into_boxed_slice(),
        })
    }

    fn arg(&mut self, depth: usize) -> Result<Arg> {
        self.skip_blanks();
        match self.peek() {
            Some('\'') => self.string(),
            Some('$') => self.path(),
            Some(c) if c == '-' || c.is_ascii_digit() => self.number(),
            Some('S') if self.rest().starts_with("States.") => {
                Ok(Arg::Call(Box::new(self.call(depth + 1)?)))
            }
            Some(_) => {
                for (word, value) in [
                    ("true", Value::Bool(true)),
                    ("false", Value::Bool(false)),
                    ("null", Value::Null),
                ] {
                    if let Some(after) = self.rest().strip_prefix(word)
                        && !after.starts_with(|c: char| c.is_alphanumeric() || c == '_')
                    {
                        self.pos += word.len();
                        return Ok(Arg::Literal(value));
                    }
                }
                fail(format!("Invalid argument at position {}", self.pos))
            }
            None => fail("Missing argument at the end of the call"),
        }
    }

    /// `'...'`: the only escapes are `\'`, `\{`, `\}` and `\\`; any other character,
    /// a line break included, stands for itself.
    fn string(&mut self) -> Result<Arg> {
        let start = self.pos + 1;
        let mut value = String::new();
        let mut chars = self.text[start..].char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\'' => {
                    self.pos = start + i + 1;
                    return Ok(Arg::String {
                        value: Value::from(value),
                        raw: Str::from(&self.text[start..start + i]),
                    });
                }
                '\\' => match chars.next() {
                    Some((_, e @ ('\'' | '{' | '}' | '\\'))) => value.push(e),
                    Some((_, e)) => {
                        return fail(format!(
                            "Invalid escape sequence '\\{e}' in a string argument"
                        ));
                    }
                    None => return fail("Unterminated string argument"),
                },
                c => value.push(c),
            }
        }
        fail("Unterminated string argument")
    }

    /// A path runs to the next `,`, `)` or blank outside brackets and parentheses.
    fn path(&mut self) -> Result<Arg> {
        let start = self.pos;
        let mut brackets = 0usize;
        let mut parens = 0usize;
        let mut quote: Option<char> = None;
        let mut escaped = false;
        let mut end = self.text.len();
        for (i, c) in self.rest().char_indices() {
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
            match c {
                '\'' | '"' if brackets > 0 => quote = Some(c),
                '[' => brackets += 1,
                ']' => brackets = brackets.saturating_sub(1),
                '(' => parens += 1,
                ')' if parens > 0 => parens -= 1,
                ',' | ')' | ' ' | '\t' | '\n' | '\r' if brackets == 0 && parens == 0 => {
                    end = start + i;
                    break;
                }
                _ => {}
            }
        }
        let text = &self.text[start..end];
        match Path::parse(text) {
            Ok(path) => {
                self.pos = end;
                Ok(Arg::Path(path))
            }
            Err(e) => fail(format!("Invalid path argument '{text}': {e}")),
        }
    }

    /// A JSON number: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    fn number(&mut self) -> Result<Arg> {
        let rest = self.rest().as_bytes();
        let mut i = 0;
        if rest.first() == Some(&b'-') {
            i += 1;
        }
        let digits = |from: usize| {
            let mut j = from;
            while rest.get(j).is_some_and(u8::is_ascii_digit) {
                j += 1;
            }
            j
        };
        let int_end = digits(i);
        if int_end == i || (rest[i] == b'0' && int_end > i + 1) {
            return fail(format!("Invalid number at position {}", self.pos));
        }
        i = int_end;
        let mut float = false;
        if rest.get(i) == Some(&b'.') {
            let frac_end = digits(i + 1);
            if frac_end == i + 1 {
                return fail(format!("Invalid number at position {}", self.pos));
            }
            i = frac_end;
            float = true;
        }
        if matches!(rest.get(i), Some(b'e' | b'E')) {
            let mut j = i + 1;
            if matches!(rest.get(j), Some(b'+' | b'-')) {
                j += 1;
            }
            let exp_end = digits(j);
            if exp_end == j {
                return fail(format!("Invalid number at position {}", self.pos));
            }
            i = exp_end;
            float = true;
        }
        if rest
            .get(i)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'.' || *b == b'_')
        {
            return fail(format!("Invalid number at position {}", self.pos));
        }
        let text = &self.rest()[..i];
        let number = if float {
            text.parse::<f64>().ok().and_then(Number::from_f64)
        } else {
            text.parse::<i64>()
                .map(Number::from)
                .ok()
                .or_else(|| text.parse::<f64>().ok().and_then(Number::from_f64))
        };
        let Some(number) = number else {
            return fail(format!("Invalid number at position {}", self.pos));
        };
        self.pos += i;
        Ok(Arg::Literal(Value::Number(number)))
    }
}
