//! The size of a document as JSON text, for the payload limit, computed without writing
//! the text and stopping as soon as the limit is passed.

use baton_json::Value;

/// `true` when `value`, written as compact JSON, takes more than `limit` bytes.
pub fn exceeds(value: &Value, limit: usize) -> bool {
    let mut budget = limit as i64;
    !fits(value, &mut budget)
}

fn fits(value: &Value, budget: &mut i64) -> bool {
    *budget -= match value {
        Value::Null => 4,
        Value::Bool(true) => 4,
        Value::Bool(false) => 5,
        Value::Number(n) => number_len(n) as i64,
        Value::String(s) => string_len(s) as i64,
        Value::Array(items) => {
            *budget -= 2 + items.len().saturating_sub(1) as i64;
            for item in items.iter() {
                if !fits(item, budget) {
                    return false;
                }
            }
            0
        }
        Value::Object(map) => {
            *budget -= 2 + map.len().saturating_sub(1) as i64;
            for (k, v) in map.iter() {
                *budget -= string_len(k) as i64 + 1;
                if *budget < 0 || !fits(v, budget) {
                    return false;
                }
            }
            0
        }
    };
    *budget >= 0
}

fn string_len(s: &str) -> usize {
    2 + s
        .bytes()
        .map(|b| match b {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 2,
            0..=0x1f => 6,
            _ => 1,
        })
        .sum::<usize>()
}

fn number_len(n: &baton_json::Number) -> usize {
    struct Count(usize);
    impl std::fmt::Write for Count {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0 += s.len();
            Ok(())
        }
    }
    let mut c = Count(0);
    let _ = std::fmt::Write::write_fmt(&mut c, format_args!("{n}"));
    c.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use baton_json::json;

    #[test]
    fn agrees_with_the_serialised_length() {
        for v in [
            json!(null),
            json!({"a": [1, 2.5, "x\"y\n", {"b": false}], "c": null, "é": "\u{1}"}),
            json!([]),
            json!({}),
        ] {
            let len = v.to_json_string().len();
            assert!(!exceeds(&v, len), "{v}");
            assert!(exceeds(&v, len - 1), "{v}");
        }
    }
}
