//! Comparing what Baton did with what AWS recorded: JSON values compared as values,
//! redacted strings matched as patterns, histories by event type.

use std::collections::HashMap;

use serde_json::Value as Json;

use crate::case::Placeholder;

/// How to compare two documents besides plain equality.
#[derive(Debug, Clone, Default)]
pub struct Rules<'a> {
    /// Redacted strings, by path.
    pub placeholders: &'a [Placeholder],
    /// Member names whose values are not compared.
    pub unverified: &'a [String],
    /// Strings the recorder put in place of values of a type: `("RandomNumberGenerated",
    /// "number")` matches any number.
    pub markers: &'a [(&'a str, &'a str)],
}

/// Where two documents differ, as a JSON pointer and a description; `None` when equal.
pub fn diff(expected: &Json, actual: &Json, at: &str, rules: &Rules<'_>) -> Option<String> {
    if let Json::String(e) = expected
        && let Some((_, kind)) = rules.markers.iter().find(|(m, _)| m == e)
    {
        let ok = match *kind {
            "number" => actual.is_number(),
            "string" => actual.is_string(),
            _ => true,
        };
        return (!ok).then(|| format!("{at}: expected a {kind}, got {}", short(actual)));
    }
    if let Some(p) = rules.placeholders.iter().find(|p| p.path == at)
        && let (Json::String(e), Json::String(a)) = (expected, actual)
    {
        return (!pattern_matches(e, &p.tokens, a))
            .then(|| format!("{at}: expected a string like {e:?}, got {a:?}"));
    }
    match (expected, actual) {
        (Json::Object(e), Json::Object(a)) => {
            for (k, ev) in e {
                let child = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                if rules.unverified.iter().any(|u| u == k) {
                    continue;
                }
                match a.get(k) {
                    Some(av) => {
                        if let Some(d) = diff(ev, av, &child, rules) {
                            return Some(d);
                        }
                    }
                    None => return Some(format!("{child}: missing")),
                }
            }
            a.keys()
                .find(|k| !e.contains_key(*k) && !rules.unverified.iter().any(|u| u == *k))
                .map(|k| format!("{at}/{k}: unexpected member"))
        }
        (Json::Array(e), Json::Array(a)) => {
            if e.len() != a.len() {
                return Some(format!(
                    "{at}: expected {} elements, got {}",
                    e.len(),
                    a.len()
                ));
            }
            e.iter()
                .zip(a)
                .enumerate()
                .find_map(|(i, (ev, av))| diff(ev, av, &format!("{at}/{i}"), rules))
        }
        (Json::Number(e), Json::Number(a)) => {
            let equal = match (e.as_i64(), a.as_i64()) {
                (Some(x), Some(y)) => x == y,
                _ => e.as_f64() == a.as_f64(),
            };
            (!equal).then(|| format!("{at}: expected {e}, got {a}"))
        }
        (e, a) if e == a => None,
        (e, a) => Some(format!("{at}: expected {}, got {}", short(e), short(a))),
    }
}

fn short(v: &Json) -> String {
    let s = v.to_string();
    if s.len() > 300 {
        format!(
            "{}…",
            &s[..s.char_indices().nth(300).map_or(s.len(), |(i, _)| i)]
        )
    } else {
        s
    }
}

/// `true` when `actual` matches `expected` with each token standing for any text.
pub fn pattern_matches(expected: &str, tokens: &[String], actual: &str) -> bool {
    let mut tokens: Vec<&str> = tokens
        .iter()
        .map(String::as_str)
        .filter(|t| !t.is_empty())
        .collect();
    tokens.sort_by_key(|t| std::cmp::Reverse(t.len()));
    // Split the expected text into literal pieces around token occurrences.
    let mut pieces: Vec<&str> = Vec::new();
    let mut rest = expected;
    loop {
        let next = tokens
            .iter()
            .filter_map(|t| rest.find(t).map(|i| (i, t.len())))
            .min_by_key(|(i, len)| (*i, std::cmp::Reverse(*len)));
        match next {
            Some((i, len)) => {
                pieces.push(&rest[..i]);
                rest = &rest[i + len..];
            }
            None => {
                pieces.push(rest);
                break;
            }
        }
    }
    glob(&pieces, actual)
}

/// Matches literal pieces separated by wildcards: the first piece is a prefix, the last
/// a suffix, the others appear in order.
fn glob(pieces: &[&str], text: &str) -> bool {
    if pieces.len() == 1 {
        return pieces[0] == text;
    }
    let (first, last) = (pieces[0], pieces[pieces.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut middle = &text[first.len()..text.len() - last.len()];
    for piece in &pieces[1..pieces.len() - 1] {
        match middle.find(piece) {
            Some(i) => middle = &middle[i + piece.len()..],
            None => return false,
        }
    }
    true
}

/// Compares histories by event type: in order when `exact`, else as multisets.
pub fn history_diff(expected: &[String], actual: &[&str], exact: bool) -> Option<String> {
    if exact
        && expected
            .iter()
            .map(String::as_str)
            .eq(actual.iter().copied())
    {
        return None;
    }
    let count = |items: &mut dyn Iterator<Item = &str>| {
        let mut m: HashMap<String, i64> = HashMap::new();
        for t in items {
            *m.entry(t.to_string()).or_default() += 1;
        }
        m
    };
    let e = count(&mut expected.iter().map(String::as_str));
    let mut a = count(&mut actual.iter().copied());
    // The recorder's re-sorting of Parallel sections can drop the Parallel state's
    // ParallelStateSucceeded or ParallelStateFailed.
    for dropped in ["ParallelStateSucceeded", "ParallelStateFailed"] {
        if !exact && !e.contains_key(dropped) {
            a.remove(dropped);
        }
    }
    if e == a && !exact {
        return None;
    }
    Some(format!(
        "history differs:\n  expected {}\n  actual   {}",
        expected.join(","),
        actual.join(",")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_match_any_text() {
        let tokens = vec![
            "<ArnPart_0idx>".to_string(),
            "arn:<partition>:".to_string(),
            "<region>".to_string(),
        ];
        assert!(pattern_matches(
            "arn:<partition>:states:<region>:111111111111:stateMachine:<ArnPart_0idx>",
            &tokens,
            "arn:aws:states:us-east-1:111111111111:stateMachine:machine"
        ));
        assert!(!pattern_matches(
            "arn:<partition>:states:<region>:111111111111:stateMachine:<ArnPart_0idx>",
            &tokens,
            "arn:aws:states:us-east-1:222222222222:stateMachine:machine"
        ));
        assert!(pattern_matches(
            "date",
            &["date".to_string()],
            "2024-01-01T00:00:00Z"
        ));
    }

    #[test]
    fn numbers_compare_by_value() {
        assert!(
            diff(
                &serde_json::json!({"a": 1.0}),
                &serde_json::json!({"a": 1}),
                "",
                &Rules::default()
            )
            .is_none()
        );
        assert!(
            diff(
                &serde_json::json!([1, 2]),
                &serde_json::json!([2, 1]),
                "",
                &Rules::default()
            )
            .is_some()
        );
    }
}
