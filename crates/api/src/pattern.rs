//! The model's `pattern` constraints, each implemented by hand (the model has three; the
//! generator refuses a pattern it has no matcher for).

/// A pattern a string member must match as a whole.
#[derive(Debug, Clone, Copy)]
pub struct Pattern {
    /// The pattern as the model writes it (and AWS quotes it in validation messages).
    pub source: &'static str,
    /// Whether a value matches.
    pub matches: fn(&str) -> bool,
}

fn name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// `^(?=.*[a-zA-Z_\-\.])[a-zA-Z0-9_\-\.]+$`: letters, digits, `_`, `-`, `.`, not digits only.
pub fn character_restricted_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(name_char)
        && s.chars()
            .any(|c| c.is_ascii_alphabetic() || matches!(c, '_' | '-' | '.'))
}

/// `[!-~]+`: one or more visible ASCII characters.
pub fn visible_ascii(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| ('!'..='~').contains(&c))
}

/// `\p{ASCII}*`: ASCII only.
pub fn ascii(s: &str) -> bool {
    s.is_ascii()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn character_restricted_names() {
        assert!(character_restricted_name("PROD"));
        assert!(character_restricted_name("v1.2-beta_3"));
        assert!(character_restricted_name("_"));
        assert!(!character_restricted_name("123"));
        assert!(!character_restricted_name(""));
        assert!(!character_restricted_name("a b"));
        assert!(!character_restricted_name("é"));
    }

    #[test]
    fn visible_and_plain_ascii() {
        assert!(visible_ascii("abc-123!~"));
        assert!(!visible_ascii(""));
        assert!(!visible_ascii("a b"));
        assert!(ascii(""));
        assert!(ascii("Root=1-5759e988"));
        assert!(!ascii("ü"));
    }
}
