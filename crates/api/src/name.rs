//! AWS's rules for the names of state machines, executions, activities, aliases and Map
//! Runs.

use crate::error::ApiError;

/// The longest name, in characters.
pub const MAX_NAME_CHARS: usize = 80;

/// Whether `c` may appear in a name. AWS's documentation excludes white space, brackets
/// (`<>{}[]`), wildcards (`?*`), the characters `"#%\^|~$&,;:/` and the backtick, control
/// characters (U+0000-001F, U+007F-009F) and U+FFFE, U+FFFF and U+10FFFF. (Surrogates
/// cannot occur in a Rust string.) AWS's recorded `Invalid Name` responses cover each
/// character named here.
pub fn is_name_char(c: char) -> bool {
    !(c.is_whitespace()
        || matches!(
            c,
            '<' | '>'
                | '{'
                | '}'
                | '['
                | ']'
                | '?'
                | '*'
                | '"'
                | '#'
                | '%'
                | '\\'
                | '^'
                | '|'
                | '~'
                | '`'
                | '$'
                | '&'
                | ','
                | ';'
                | ':'
                | '/'
        )
        || matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}' | '\u{10ffff}'))
}

/// Whether `name` is a valid name: 1 to 80 characters, each allowed by [`is_name_char`].
pub fn is_valid_name(name: &str) -> bool {
    let count = name.chars().count();
    (1..=MAX_NAME_CHARS).contains(&count) && name.chars().all(is_name_char)
}

/// `Ok` for a valid name, else AWS's `InvalidName`: `Invalid Name: '<name>'`.
pub fn check_name(name: &str) -> Result<(), ApiError> {
    if is_valid_name(name) {
        Ok(())
    } else {
        Err(ApiError::invalid_name(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_aws_accepts() {
        for ok in [
            "a",
            "Hello-World_1",
            "ünïcödé",
            "a.b",
            "x(1)",
            "é".repeat(80).as_str(),
        ] {
            assert!(is_valid_name(ok), "{ok:?}");
        }
    }

    #[test]
    fn names_aws_rejects() {
        // The characters of AWS's recorded InvalidName responses.
        for c in " <>{}[]?*\"#%\\^|~`$&,;:/\u{0}\u{1f}\u{7f}".chars() {
            let name = format!("activity{c}name");
            assert_eq!(
                check_name(&name).unwrap_err().message(),
                format!("Invalid Name: '{name}'")
            );
        }
        assert!(!is_valid_name(""));
        assert!(!is_valid_name(&"a".repeat(81)));
        assert!(!is_valid_name("a\u{9f}"));
        assert!(!is_valid_name("a\u{ffff}"));
        assert!(!is_valid_name("tab\there"));
    }
}
