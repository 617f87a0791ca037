//! `StringMatches` patterns: `*` matches any run of characters (possibly empty), `\*` a
//! star and `\\` a backslash; every other character matches itself.

use baton_json::Str;

/// A compiled `StringMatches` pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    text: Str,
    /// The literal pieces between the stars; one piece when there is no star.
    pieces: Box<[String]>,
}

impl Pattern {
    /// Compiles a pattern as written in a definition.
    pub fn new(text: &str) -> Pattern {
        let mut pieces = vec![String::new()];
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            match c {
                '*' => pieces.push(String::new()),
                '\\' => {
                    let literal = chars.next().unwrap_or('\\');
                    if let Some(last) = pieces.last_mut() {
                        last.push(literal);
                    }
                }
                c => {
                    if let Some(last) = pieces.last_mut() {
                        last.push(c);
                    }
                }
            }
        }
        Pattern {
            text: Str::from(text),
            pieces: pieces.into_boxed_slice(),
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// `true` when `subject` matches the whole pattern.
    pub fn matches(&self, subject: &str) -> bool {
        let (first, rest) = match self.pieces.split_first() {
            Some(split) => split,
            None => return subject.is_empty(),
        };
        let Some((last, middle)) = rest.split_last() else {
            return subject == first;
        };
        if subject.len() < first.len() + last.len()
            || !subject.starts_with(first.as_str())
            || !subject.ends_with(last.as_str())
        {
            return false;
        }
        // Both bounds fall on character boundaries: they end a prefix and start a suffix.
        let Some(mut inner) = subject.get(first.len()..subject.len() - last.len()) else {
            return false;
        };
        for piece in middle {
            match inner.find(piece.as_str()) {
                Some(i) => inner = &inner[i + piece.len()..],
                None => return false,
            }
        }
        true
    }
}
