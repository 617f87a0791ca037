//! Errors: JSONata's codes (`S0201`, `T1006`, ...) with jsonata-js's message texts.

use crate::{DEPTH_EXCEEDED, MEMORY_EXCEEDED};

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
    /// (`D1012`), sequence length (`D2015`, `D2014`), nesting while parsing (`U1002`),
    /// memory ([`MEMORY_EXCEEDED`]) or the nesting of values ([`DEPTH_EXCEEDED`]).
    pub fn is_limit(&self) -> bool {
        matches!(
            self.code(),
            Some("U1001" | "U1002" | "D1011" | "D1012" | "D2014" | "D2015")
        ) || self.is_bound()
    }

    /// `true` for the memory and nesting bounds' errors, which have no code.
    fn is_bound(&self) -> bool {
        matches!(
            self,
            JsonataError::Evaluation { code: None, message }
                if message == MEMORY_EXCEEDED || message == DEPTH_EXCEEDED
        )
    }

    /// What AWS writes between "threw an error during evaluation" and this error: `.`
    /// before a coded error (`. T1006: Attempted to invoke a non-function`), `:` before
    /// a bound's message (`: Expression evaluation memory limit exceeded: ...`).
    pub(crate) fn aws_separator(&self) -> &'static str {
        if self.is_bound() { ": " } else { ". " }
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

/// jsonata-js's text (as of 2.0.6, the version Step Functions runs) for the codes whose
/// message names no value.
fn fixed_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "D1004" => "Regular expression matches zero length string",
        "D3001" => "Attempting to invoke string function on Infinity or NaN",
        "D3010" => "Second argument of replace function cannot be an empty string",
        "D3011" => "Fourth argument of replace function must evaluate to a positive number",
        "D3012" => "Attempted to replace a matched string with a non-string value",
        "D3020" => "Third argument of split function must evaluate to a positive number",
        "D3040" => "Third argument of match function must evaluate to a positive number",
        "D3050" => {
            "The second argument of reduce function must be a function with at least two arguments"
        }
        "D3070" => {
            "The single argument form of the sort function can only be applied to an array of strings or an array of numbers.  Use the second argument to specify a comparison function"
        }
        "D3080" => "The picture string must only contain a maximum of two sub-pictures",
        "D3081" => {
            "The sub-picture must not contain more than one instance of the 'decimal-separator' character"
        }
        "D3082" => {
            "The sub-picture must not contain more than one instance of the 'percent' character"
        }
        "D3083" => {
            "The sub-picture must not contain more than one instance of the 'per-mille' character"
        }
        "D3084" => "The sub-picture must not contain both a 'percent' and a 'per-mille' character",
        "D3085" => {
            "The mantissa part of a sub-picture must contain at least one character that is either an 'optional digit character' or a member of the 'decimal digit family'"
        }
        "D3086" => {
            "The sub-picture must not contain a passive character that is preceded by an active character and that is followed by another active character"
        }
        "D3087" => {
            "The sub-picture must not contain a 'grouping-separator' character that appears adjacent to a 'decimal-separator' character"
        }
        "D3088" => {
            "The sub-picture must not contain a 'grouping-separator' at the end of the integer part"
        }
        "D3089" => {
            "The sub-picture must not contain two adjacent instances of the 'grouping-separator' character"
        }
        "D3090" => {
            "The integer part of the sub-picture must not contain a member of the 'decimal digit family' that is followed by an instance of the 'optional digit character'"
        }
        "D3091" => {
            "The fractional part of the sub-picture must not contain an instance of the 'optional digit character' that is followed by a member of the 'decimal digit family'"
        }
        "D3092" => {
            "A sub-picture that contains a 'percent' or 'per-mille' character must not contain a character treated as an 'exponent-separator'"
        }
        "D3093" => {
            "The exponent part of the sub-picture must comprise only of one or more characters that are members of the 'decimal digit family'"
        }
        "D3131" => "In a decimal digit pattern, all digits must be from the same decimal group",
        "D3134" => "The timezone integer format specifier cannot have more than four digits",
        "D3135" => "No matching closing bracket ']' in date/time picture string",
        "D3136" => {
            "The date/time picture string is missing specifiers required to parse the timestamp"
        }
        "D3138" => {
            "The $single() function expected exactly 1 matching result.  Instead it matched more."
        }
        "D3139" => {
            "The $single() function expected exactly 1 matching result.  Instead it matched 0."
        }
        "T2003" => "The left side of the range operator (..) must evaluate to an integer",
        "T2004" => "The right side of the range operator (..) must evaluate to an integer",
        "T2006" => "The right side of the function application operator ~> must be a function",
        "T2008" => {
            "The expressions within an order-by clause must evaluate to numeric or string values"
        }
        "S0104" => "The escape sequence \\u must be followed by 4 hex digits",
        "S0209" => "A predicate cannot follow a grouping expression in a step",
        "S0210" => "Each step can only have one grouping expression",
        "S0212" => "The left side of := must be a variable name (start with $)",
        "S0215" => "A context variable binding must precede any predicates on a step",
        "S0216" => "A context variable binding must precede the 'order-by' clause on a step",
        "S0217" => "The object representing the 'parent' cannot be derived from this expression",
        "S0301" => "Empty regular expressions are not allowed",
        "S0302" => "No terminating / in regular expression",
        _ => return None,
    })
}

/// jsonata-core words some messages differently from jsonata-js, which AWS shows;
/// this rewrites the ones that can be recognised into jsonata-js's text. Where
/// jsonata-core's message lacks what jsonata-js's names (a function's name in `T0410`,
/// the operator in `T2010`) it is kept as it is.
pub(crate) fn normalise_message(code: &str, message: &str) -> String {
    if let Some(fixed) = fixed_message(code) {
        return fixed.to_owned();
    }
    match code {
        // Operators quoted, as JSON.stringify quotes them.
        "T2001" | "T2002" => {
            let side = if code == "T2001" { "left" } else { "right" };
            match message
                .strip_prefix(&format!("The {side} side of the "))
                .and_then(|r| r.strip_suffix(" operator must evaluate to a number"))
            {
                Some(op) => format!(
                    "The {side} side of the {} operator must evaluate to a number",
                    json_string(op.trim_matches('"'))
                ),
                None => message.to_owned(),
            }
        }
        "D1001" => "Number out of range: null".to_owned(),
        "D3030" => match message
            .strip_prefix("Cannot convert '")
            .and_then(|r| r.strip_suffix("' to number"))
        {
            Some(value) => format!("Unable to cast value to a number: {}", json_string(value)),
            None => message.to_owned(),
        },
        "D3100" => match message.strip_prefix("Radix must be between 2 and 36, got ") {
            Some(radix) => format!(
                "The radix of the formatBase function must be between 2 and 36.  It was given {radix}"
            ),
            None => message.to_owned(),
        },
        "D3130" if !message.contains(' ') => format!(
            "Formatting or parsing an integer as a sequence starting with {} is not supported by this implementation",
            json_string(message)
        ),
        "D3132" if !message.contains(' ') => format!(
            "Unknown component specifier {} in date/time picture string",
            json_string(message)
        ),
        "D3133" if !message.contains(' ') => format!(
            "The 'name' modifier can only be applied to months and days in the date/time picture string, not {}",
            json_string(message)
        ),
        "T1010" => match message.split_once("function $") {
            Some((before, rest)) => match rest.split_once(' ') {
                Some((name, after)) => format!("{before}function {} {after}", json_string(name)),
                None => message.to_owned(),
            },
            None => message.to_owned(),
        },
        "S0102" => match message.strip_prefix("Number out of range: ") {
            Some(token) => format!("Number out of range: {}", json_string(token)),
            None => message.to_owned(),
        },
        "S0103" => match message.strip_prefix("Unsupported escape sequence: \\") {
            Some(token) => format!("Unsupported escape sequence: \\{}", json_string(token)),
            None => message.to_owned(),
        },
        "S0214" => match message.strip_prefix("Expected a variable reference after ") {
            Some(op) => format!(
                "The right side of {} must be a variable name (start with $)",
                json_string(op)
            ),
            None => message.to_owned(),
        },
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
    fn rewrites_evaluation_messages_as_jsonata_js() {
        assert_eq!(
            normalise_message(
                "T2001",
                "The left side of the + operator must evaluate to a number"
            ),
            "The left side of the \"+\" operator must evaluate to a number"
        );
        assert_eq!(
            normalise_message("D3030", "Cannot convert '33 1/2' to number"),
            "Unable to cast value to a number: \"33 1/2\""
        );
        assert_eq!(
            normalise_message(
                "D3138",
                "The $single() function expected exactly 1 matching result.  Instead it matched more. (2 values)"
            ),
            "The $single() function expected exactly 1 matching result.  Instead it matched more."
        );
        assert_eq!(
            normalise_message("S0103", "Unsupported escape sequence: \\y"),
            "Unsupported escape sequence: \\\"y\""
        );
        assert_eq!(
            normalise_message("S0214", "Expected a variable reference after @"),
            "The right side of \"@\" must be a variable name (start with $)"
        );
        assert_eq!(
            normalise_message("D1001", "Number out of range: inf"),
            "Number out of range: null"
        );
        assert_eq!(normalise_message("X0000", "as is"), "as is");
    }

    #[test]
    fn displays_code_then_message() {
        let e = JsonataError::evaluation(Some("T1006"), "Attempted to invoke a non-function");
        assert_eq!(e.to_string(), "T1006: Attempted to invoke a non-function");
        assert!(!e.is_limit());
        assert!(JsonataError::evaluation(Some("D1012"), "x").is_limit());
        let memory = JsonataError::evaluation(None, MEMORY_EXCEEDED);
        assert!(memory.is_limit());
        assert_eq!(memory.to_string(), MEMORY_EXCEEDED);
        assert_eq!(memory.aws_separator(), ": ");
        assert!(JsonataError::evaluation(None, DEPTH_EXCEEDED).is_limit());
        assert_eq!(e.aws_separator(), ". ");
    }
}
