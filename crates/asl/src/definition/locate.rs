//! Where a [`Pointer`] is in a definition's text, as a line and column, so that tools can
//! show the offending line.
//!
//! JSON is scanned exactly, without recursion (so any depth is fine). YAML is scanned
//! lightly, by indentation: block mappings and sequences with plain or quoted keys; inside
//! a flow collection (`{...}`, `[...]`) the position of the collection is given. When a
//! segment cannot be found, the deepest position found is given.

use super::DefinitionFormat;
use crate::diagnostic::{Pointer, Segment};

/// A place in a text: 1-based line and column (in characters), and the byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextPosition {
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1, in characters.
    pub column: usize,
    /// The byte offset from the start of the text.
    pub offset: usize,
}

impl TextPosition {
    /// The position of byte `offset` in `text` (clamped to the text).
    pub fn of_offset(text: &str, offset: usize) -> TextPosition {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        TextPosition {
            line: before.matches('\n').count() + 1,
            column: text[line_start..offset].chars().count() + 1,
            offset,
        }
    }
}

/// Where `pointer` is in `text`, a definition in `format`.
pub fn locate(text: &str, format: DefinitionFormat, pointer: &Pointer) -> TextPosition {
    let offset = match format {
        DefinitionFormat::Json => json::locate(text, pointer),
        DefinitionFormat::Yaml => yaml::locate(text, pointer),
    };
    TextPosition::of_offset(text, offset)
}

mod json {
    use super::*;

    /// The byte offset of the member name (for a member) or element of `pointer`.
    pub(super) fn locate(text: &str, pointer: &Pointer) -> usize {
        let b = text.as_bytes();
        let mut pos = skip_ws(b, 0);
        let mut found = pos;
        for segment in pointer.segments() {
            let next = match (b.get(pos), segment) {
                (Some(b'{'), Segment::Key(key)) => member(text, pos, key),
                (Some(b'['), Segment::Index(i)) => element(b, pos, i),
                _ => None,
            };
            let Some((at, value)) = next else {
                return found;
            };
            found = at;
            pos = value;
        }
        found
    }

    /// In the object at `pos`: the offsets of member `key`'s name and of its value.
    fn member(text: &str, pos: usize, key: &str) -> Option<(usize, usize)> {
        let b = text.as_bytes();
        let mut pos = skip_ws(b, pos + 1);
        while b.get(pos) == Some(&b'"') {
            let (name, after) = string(text, pos)?;
            let colon = skip_ws(b, after);
            if b.get(colon) != Some(&b':') {
                return None;
            }
            let value = skip_ws(b, colon + 1);
            if name == key {
                return Some((pos, value));
            }
            pos = skip_ws(b, skip_value(b, value)?);
            if b.get(pos) == Some(&b',') {
                pos = skip_ws(b, pos + 1);
            }
        }
        None
    }

    /// In the array at `pos`: the offset of element `i`, twice.
    fn element(b: &[u8], pos: usize, i: usize) -> Option<(usize, usize)> {
        let mut pos = skip_ws(b, pos + 1);
        for _ in 0..i {
            if matches!(b.get(pos), None | Some(b']')) {
                return None;
            }
            pos = skip_ws(b, skip_value(b, pos)?);
            if b.get(pos) != Some(&b',') {
                return None;
            }
            pos = skip_ws(b, pos + 1);
        }
        (!matches!(b.get(pos), None | Some(b']'))).then_some((pos, pos))
    }

    fn skip_ws(b: &[u8], mut pos: usize) -> usize {
        while matches!(b.get(pos), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            pos += 1;
        }
        pos
    }

    /// The offset just after the value at `pos`.
    fn skip_value(b: &[u8], pos: usize) -> Option<usize> {
        match b.get(pos)? {
            b'"' => skip_string(b, pos),
            b'{' | b'[' => {
                let mut depth = 0usize;
                let mut p = pos;
                loop {
                    match b.get(p)? {
                        b'"' => {
                            p = skip_string(b, p)?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                return Some(p + 1);
                            }
                        }
                        _ => {}
                    }
                    p += 1;
                }
            }
            _ => {
                let mut p = pos;
                while !matches!(
                    b.get(p),
                    None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n')
                ) {
                    p += 1;
                }
                Some(p)
            }
        }
    }

    fn skip_string(b: &[u8], pos: usize) -> Option<usize> {
        let mut p = pos + 1;
        loop {
            match b.get(p)? {
                b'\\' => p += 2,
                b'"' => return Some(p + 1),
                _ => p += 1,
            }
        }
    }

    /// The string at `pos`, unescaped, and the offset after it.
    fn string(text: &str, pos: usize) -> Option<(String, usize)> {
        let end = skip_string(text.as_bytes(), pos)?;
        let raw = text.get(pos..end)?;
        let value = serde_json::from_str::<String>(raw).ok()?;
        Some((value, end))
    }
}

mod yaml {
    use super::*;

    /// One line: where it starts, its indentation, and its text after the indentation.
    struct Line<'a> {
        start: usize,
        indent: usize,
        body: &'a str,
    }

    impl Line<'_> {
        /// A line with nothing to read (blank, a comment or a document marker).
        fn is_blank(&self) -> bool {
            self.body.is_empty() || self.body.starts_with('#') || self.body.starts_with("---")
        }
    }

    fn lines(text: &str) -> Vec<Line<'_>> {
        let mut out = Vec::new();
        let mut start = 0;
        for raw in text.split_inclusive('\n') {
            let line = raw.trim_end_matches(['\n', '\r']);
            let body = line.trim_start_matches(' ');
            out.push(Line {
                start,
                indent: line.len() - body.len(),
                body: body.trim_end(),
            });
            start += raw.len();
        }
        out
    }

    /// A node being looked into: its content starts on `line` at byte column `col`
    /// (`inline`), or on the lines after `line` indented more than `col`.
    #[derive(Clone, Copy)]
    struct Node {
        line: usize,
        col: usize,
        inline: bool,
    }

    pub(super) fn locate(text: &str, pointer: &Pointer) -> usize {
        let lines = lines(text);
        let Some(first) = lines.iter().position(|l| !l.is_blank()) else {
            return 0;
        };
        let mut node = Node {
            line: first,
            col: lines[first].indent,
            inline: true,
        };
        let mut found = lines[first].start + lines[first].indent;
        for segment in pointer.segments() {
            let next = match segment {
                Segment::Key(key) => find_key(&lines, node, key),
                Segment::Index(i) => find_item(&lines, node, i).map(|n| (n, n.line, n.col)),
            };
            let Some((next, line, col)) = next else {
                return found;
            };
            found = lines[line].start + col;
            node = next;
        }
        found
    }

    /// The lines of `node`'s block: `(line index, column)` of each entry at the block's
    /// indentation, the first one possibly inline.
    fn entries(lines: &[Line<'_>], node: Node) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut indent = None;
        if node.inline {
            out.push((node.line, node.col));
            indent = Some(node.col);
        }
        for (i, line) in lines.iter().enumerate().skip(node.line + 1) {
            if line.is_blank() {
                continue;
            }
            if line.indent < node.col || (line.indent == node.col && !node.inline) {
                // A block sequence may sit at its key's indentation.
                if !(line.indent == node.col && line.body.starts_with('-') && !node.inline) {
                    break;
                }
            }
            let want = *indent.get_or_insert(line.indent);
            if line.indent < want {
                break;
            }
            if line.indent == want {
                out.push((i, line.indent));
            }
        }
        out
    }

    /// The value of member `key` of `node`, and where the key is (line, column).
    fn find_key(lines: &[Line<'_>], node: Node, key: &str) -> Option<(Node, usize, usize)> {
        for (i, col) in entries(lines, node) {
            let rest = &lines[i].body[col - lines[i].indent..];
            let Some(after) = [
                format!("{key}:"),
                format!("\"{key}\":"),
                format!("'{key}':"),
            ]
            .into_iter()
            .find(|k| {
                rest.starts_with(k.as_str())
                    && rest[k.len()..].chars().next().is_none_or(|c| c == ' ')
            })
            .map(|k| k.len()) else {
                continue;
            };
            let value = &rest[after..];
            let trimmed = value.trim_start();
            let value = if trimmed.is_empty() || trimmed.starts_with('#') {
                Node {
                    line: i,
                    col,
                    inline: false,
                }
            } else {
                Node {
                    line: i,
                    col: col + after + (value.len() - trimmed.len()),
                    inline: true,
                }
            };
            return Some((value, i, col));
        }
        None
    }

    fn find_item(lines: &[Line<'_>], node: Node, index: usize) -> Option<Node> {
        let items: Vec<(usize, usize)> = entries(lines, node)
            .into_iter()
            .filter(|&(i, col)| lines[i].body[col - lines[i].indent..].starts_with('-'))
            .collect();
        let &(i, col) = items.get(index)?;
        let rest = &lines[i].body[col - lines[i].indent + 1..];
        let trimmed = rest.trim_start();
        Some(Node {
            line: i,
            col: col + 1 + (rest.len() - trimmed.len()),
            inline: !trimmed.is_empty(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(path: &[&str]) -> Pointer {
        path.iter().fold(Pointer::root(), |p, s| match s.parse() {
            Ok(i) => p.index(i),
            Err(_) => p.child(s),
        })
    }

    #[test]
    fn finds_members_and_elements_in_json() {
        let text = "{\n  \"StartAt\": \"A\",\n  \"States\": {\n    \"A\": {\"Type\": \"Task\", \"Catch\": [{\"Next\": \"x\"}, {\"Next\": \"y\"}]},\n    \"a\\\"b\": {}\n  }\n}";
        let pos = |p: &[&str]| {
            let t = locate(text, DefinitionFormat::Json, &at(p));
            (t.line, t.column)
        };
        assert_eq!(pos(&[]), (1, 1));
        assert_eq!(pos(&["StartAt"]), (2, 3));
        assert_eq!(pos(&["States", "A"]), (4, 5));
        assert_eq!(pos(&["States", "A", "Catch", "1", "Next"]), (4, 53));
        assert_eq!(pos(&["States", "a\"b"]), (5, 5));
        assert_eq!(pos(&["States", "Nope", "Next"]), (3, 3));
    }

    #[test]
    fn finds_members_and_elements_in_yaml() {
        let text = "# machine\nStartAt: A\nStates:\n  A:\n    Type: Parallel\n    Branches:\n    - StartAt: B\n      States:\n        B: {Type: Pass, End: true}\n    - StartAt: C\n      \"States\":\n        C:\n          Type: Succeed\n    End: true\n";
        let pos = |p: &[&str]| {
            let t = locate(text, DefinitionFormat::Yaml, &at(p));
            (t.line, t.column)
        };
        assert_eq!(pos(&[]), (2, 1));
        assert_eq!(pos(&["States"]), (3, 1));
        assert_eq!(pos(&["States", "A", "Type"]), (5, 5));
        assert_eq!(pos(&["States", "A", "Branches", "0"]), (7, 7));
        assert_eq!(
            pos(&["States", "A", "Branches", "1", "States", "C", "Type"]),
            (13, 11)
        );
        assert_eq!(
            pos(&["States", "A", "Branches", "0", "States", "B", "Type"]),
            (9, 9)
        );
        assert_eq!(pos(&["States", "A", "End"]), (14, 5));
    }
}
