//! State names given twice in the same `States` object of a JSON text. A JSON reader
//! keeps only one of them, so they are found in the text itself, by a scan without
//! recursion.

use std::collections::HashSet;

use crate::diagnostic::Pointer;

/// An object or array being scanned.
enum Frame {
    Object {
        at: Pointer,
        /// The member names seen, for a `States` object.
        names: Option<HashSet<String>>,
        key: Option<String>,
    },
    Array {
        at: Pointer,
        index: usize,
    },
}

impl Frame {
    /// Where the value starting now is.
    fn value_at(&self) -> Pointer {
        match self {
            Frame::Object { at, key, .. } => at.child(key.as_deref().unwrap_or_default()),
            Frame::Array { at, index } => at.index(*index),
        }
    }
}

/// Where each repeated state name is (its second and later occurrences), in a JSON text
/// that parses.
pub(super) fn duplicate_states(text: &str) -> Vec<Pointer> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut expect_key = false;
    let mut pos = 0;
    while pos < b.len() {
        match b[pos] {
            b'{' | b'[' => {
                let at = stack.last().map_or_else(Pointer::root, Frame::value_at);
                let frame = if b[pos] == b'{' {
                    let is_states = matches!(
                        stack.last(),
                        Some(Frame::Object { key: Some(k), .. }) if k == "States"
                    );
                    expect_key = true;
                    Frame::Object {
                        at,
                        names: is_states.then(HashSet::new),
                        key: None,
                    }
                } else {
                    expect_key = false;
                    Frame::Array { at, index: 0 }
                };
                stack.push(frame);
                pos += 1;
            }
            b'}' | b']' => {
                stack.pop();
                expect_key = false;
                pos += 1;
            }
            b',' => {
                match stack.last_mut() {
                    Some(Frame::Object { .. }) => expect_key = true,
                    Some(Frame::Array { index, .. }) => *index += 1,
                    None => {}
                }
                pos += 1;
            }
            b'"' => {
                let end = string_end(b, pos);
                if expect_key {
                    let name = serde_json::from_str::<String>(&text[pos..end]).unwrap_or_default();
                    if let Some(Frame::Object { at, names, key }) = stack.last_mut() {
                        if let Some(names) = names
                            && !names.insert(name.clone())
                        {
                            out.push(at.child(&name));
                        }
                        *key = Some(name);
                    }
                    expect_key = false;
                }
                pos = end;
            }
            _ => pos += 1,
        }
    }
    out
}

/// The offset just after the string starting at `pos`.
fn string_end(b: &[u8], pos: usize) -> usize {
    let mut p = pos + 1;
    while p < b.len() {
        match b[p] {
            b'\\' => p += 2,
            b'"' => return p + 1,
            _ => p += 1,
        }
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_repeated_state_names_only() {
        let text = r#"{"Comment": "a", "Comment": "b", "StartAt": "A", "States": {
            "A": {"Type": "Parallel", "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Succeed"}, "B": {"Type": "Succeed"}}}], "End": true},
            "A": {"Type": "Succeed"}, "x\"y": {}, "x\"y": {}}}"#;
        let found: Vec<String> = duplicate_states(text)
            .iter()
            .map(|p| p.location())
            .collect();
        assert_eq!(
            found,
            [
                "/States/A/Branches[0]/States/B",
                "/States/A",
                "/States/x\"y"
            ]
        );
    }
}
