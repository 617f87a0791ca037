//! Errors: JSONata's codes (`S0201`, `T1006`, ...) with jsonata-js's message texts.

/// An expression that could not be compiled or evaluated.
///
/// `Display` writes what AWS writes after "threw an error during evaluation.":
/// `T1006: Attempted to invoke a non-function`, the code first when there is one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonataError {
    /// The text is not a JSONata expression (codes `S01xx`..`S05xx`).
    #[error("{}", coded(code, message))]
    Syntax {
        /// JSONata's code, e.g. `S0202`.
        code: String,
        /// The message, without the code.
        message: String,
        /// Where the offending token ends, in characters from the start of the text
        /// (what jsonata-js reports as `position`); the text's length for errors at
        /// its end.
        position: usize,
    },
    /// Evaluation failed: a type or dynamic error, `$error`/`$assert`, or a limit.
    #[error("{}", coded_opt(code.as_deref(), message))]
    Evaluation {
        /// JSONata's code (`T2001`, `D3030`, `U1001`, ...), when the error has one.
        code: Option<String>,
        /// The message, without the code.
        message: String,
    },
    /// The expression evaluated to a function or a regular expression, which is not
    /// JSON. AWS reports this as "returned an unsupported result type".
    #[error("The expression returned an unsupported result type")]
    UnsupportedResult,
}

impl JsonataError {
    /// JSONata's error code, if the error has one.
    pub fn code(&self) -> Option<&str> {
        match self {
            JsonataError::Syntax { code, .. } => Some(code),
            JsonataError::Evaluation { code, .. } => code.as_deref(),
            JsonataError::UnsupportedResult => None,
        }
    }

    /// The message without the code.
    pub fn message(&self) -> &str {
        match self {
            JsonataError::Syntax { message, .. } | JsonataError::Evaluation { message, .. } => {
                message
            }
            JsonataError::UnsupportedResult => "The expression returned an unsupported result type",
        }
    }

    /// For a syntax error, where the offending token ends (in characters).
    pub fn position(&self) -> Option<usize> {
        match self {
            JsonataError::Syntax { position, .. } => Some(*position),
            _ => None,
        }
    }

    /// `true` when evaluation stopped at a limit: depth (`U1001`, `D1011`), time
    /// (`D1012`), sequence length (`D2015`, `D2014`) or nesting while parsing (`U1002`).
    pub fn is_limit(&self) -> bool {
        matches!(
            self.code(),
            Some("U1001" | "U1002" | "D1011" | "D1012" | "D2014" | "D2015")
        )
    }

    pub(crate) fn evaluation(code: Option<&str>, message: impl Into<String>) -> JsonataError {
        JsonataError::Evaluation {
            code: code.map(str::to_owned),
            message: message.into(),
        }
    }
}

fn coded(code: &str, message: &str) -> String {
    format!("{code}: {message}")
}

fn coded_opt(code: Option<&str>, message: &str) -> String {
    match code {
        Some(code) => coded(code, message),
        None => message.to_owned(),
    }
}

fn starts_with_code(b: &[u8]) -> bool {
    b.len() >= 6
        && b[0].is_ascii_uppercase()
        && b[1..5].iter().all(u8::is_ascii_digit)
        && b[5] == b':'
}

/// Splits `"T1006: text"` into the code and the text. A code after a prefix that ends
/// in `": "` (`"Signature validation failed: T0410: ..."`) counts too.
pub(crate) fn split_code(text: &str) -> (Option<&str>, &str) {
    let b = text.as_bytes();
    if starts_with_code(b) {
        return (Some(&text[..5]), text[6..].trim_start());
    }
    let mut from = 0;
    while let Some(i) = text[from..].find(": ") {
        let at = from + i + 2;
        if starts_with_code(&b[at..]) {
            return (Some(&text[at..at + 5]), text[at + 6..].trim_start());
        }
        from = at;
    }
    (None, text)
}

/// The symbol jsonata-js prints for a token that jsonata-core names by its variant.
fn token_symbol(name: &str) -> Option<&'static str> {
    Some(match name {
        "Plus" => "+",
        "Minus" => "-",
        "Star" => "*",
        "StarStar" => "**",
        "Slash" => "/",
        "Percent" => "%",
        "Equal" => "=",
        "NotEqual" => "!=",
        "LessThan" => "<",
        "LessThanOrEqual" => "<=",
        "GreaterThan" => ">",
        "GreaterThanOrEqual" => ">=",
        "And" => "and",
        "Or" => "or",
        "In" => "in",
        "Ampersand" => "&",
        "Dot" => ".",
        "DotDot" => "..",
        "Question" => "?",
        "QuestionQuestion" => "??",
        "QuestionColon" => "?:",
        "Colon" => ":",
        "ColonEqual" => ":=",
        "TildeArrow" => "~>",
        "LeftParen" => "(",
        "RightParen" => ")",
        "LeftBracket" => "[",
        "RightBracket" => "]",
        "LeftBrace" => "{",
        "RightBrace" => "}",
        "Comma" => ",",
        "Semicolon" => ";",
        "Caret" => "^",
        "Pipe" => "|",
        "Hash" => "#",
        "At" => "@",
        "True" => "true",
        "False" => "false",
        "Null" => "null",
        _ => return None,
    })
}

/// A token as jsonata-js quotes it in a message (`JSON.stringify` of its value):
/// `")"`, `"foo"`, `1`.
fn quote_token(raw: &str) -> String {
    let raw = raw.trim();
    if let Some(symbol) = token_symbol(raw) {
        return json_string(symbol);
    }
    for (prefix, is_number) in [
        ("Identifier(", false),
        ("Variable(", false),
        ("String(", false),
        ("Function(", false),
        ("Number(", true),
    ] {
        if let Some(inner) = raw.strip_prefix(prefix).and_then(|r| r.strip_suffix(')')) {
            if is_number {
                return inner.trim_end_matches(".0").to_owned();
            }
            let inner = inner.trim_matches('"');
            return json_string(inner);
        }
    }
    json_string(raw)
}

fn json_string(s: &str) -> String {
    baton_json::Value::from(s).to_json_string()
}

/// jsonata-core words some messages differently from jsonata-js, which AWS shows;
/// this rewrites the ones that can be recognised into jsonata-js's text.
pub(crate) fn normalise_message(code: &str, message: &str) -> String {
    match code {
        // "Attempted to invoke a non-function: $name" in jsonata-core.
        "T1006" | "T1008" => {
            let base = if code == "T1006" {
                "Attempted to invoke a non-function"
            } else {
                "Attempted to partially apply a non-function"
            };
            if message.starts_with(base) {
                base.to_owned()
            } else {
                message.to_owned()
            }
        }
        "S0202" => match message
            .strip_prefix("Expected ")
            .and_then(|r| r.split_once(", got "))
        {
            Some((expected, found)) => {
                format!(
                    "Expected {}, got {}",
                    quote_token(expected),
                    quote_token(found)
                )
            }
            None => message.to_owned(),
        },
        "S0203" => match message
            .strip_prefix("Expected ")
            .and_then(|r| r.strip_suffix(" before end of expression"))
        {
            Some(expected) => format!(
                "Expected {} before end of expression",
                quote_token(expected)
            ),
            None => message.to_owned(),
        },
        "S0211" => match message
            .strip_prefix("The symbol ")
            .and_then(|r| r.strip_suffix(" cannot be used as a unary operator"))
        {
            Some(token) => format!(
                "The symbol {} cannot be used as a unary operator",
                quote_token(token)
            ),
            None => message.to_owned(),
        },
        "S0201" => match message.strip_prefix("Syntax error: ") {
            Some(token) => format!("Syntax error: {}", quote_token(token)),
            None => message.to_owned(),
        },
        "S0204" => match message.strip_prefix("Unknown operator: ") {
            Some(token) => format!("Unknown operator: {}", quote_token(token)),
            None => message.to_owned(),
        },
        _ => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_codes() {
        assert_eq!(split_code("T1006: abc"), (Some("T1006"), "abc"));
        assert_eq!(split_code("abc"), (None, "abc"));
        assert_eq!(split_code("T100: abc"), (None, "T100: abc"));
        assert_eq!(
            split_code("Signature validation failed: T0410: count"),
            (Some("T0410"), "count")
        );
    }

    #[test]
    fn rewrites_messages_as_jsonata_js() {
        assert_eq!(
            normalise_message("T1006", "Attempted to invoke a non-function: $randomSeeded"),
            "Attempted to invoke a non-function"
        );
        assert_eq!(
            normalise_message("S0202", "Expected RightBracket, got Number(1.0)"),
            "Expected \"]\", got 1"
        );
        assert_eq!(
            normalise_message("S0203", "Expected RightParen before end of expression"),
            "Expected \")\" before end of expression"
        );
        assert_eq!(
            normalise_message(
                "S0211",
                "The symbol RightParen cannot be used as a unary operator"
            ),
            "The symbol \")\" cannot be used as a unary operator"
        );
    }

    #[test]
    fn displays_code_then_message() {
        let e = JsonataError::evaluation(Some("T1006"), "Attempted to invoke a non-function");
        assert_eq!(e.to_string(), "T1006: Attempted to invoke a non-function");
        assert!(!e.is_limit());
        assert!(JsonataError::evaluation(Some("D1012"), "x").is_limit());
    }
}
