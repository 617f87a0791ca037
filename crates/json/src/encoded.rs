//! Lengths of JSON text, computed without writing it.

use crate::escape::{EXTRA, needs_escape};
use crate::{Number, Value};

/// The length of a string written as a JSON string literal (quotes and escapes).
pub(crate) fn string_len(s: &str) -> u64 {
    let bytes = s.as_bytes();
    let len = bytes.len() as u64 + 2;
    if !needs_escape(bytes) {
        return len;
    }
    len + bytes
        .iter()
        .map(|&b| u64::from(EXTRA[usize::from(b)]))
        .sum::<u64>()
}

/// The length of a number as serde_json writes it.
pub(crate) fn number_len(n: &Number) -> u64 {
    if let Some(u) = n.as_u64() {
        return digits(u);
    }
    if let Some(i) = n.as_i64() {
        return 1 + digits(i.unsigned_abs());
    }
    struct Count(u64);
    impl std::fmt::Write for Count {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0 += s.len() as u64;
            Ok(())
        }
    }
    let mut c = Count(0);
    let _ = std::fmt::Write::write_fmt(&mut c, format_args!("{n}"));
    c.0
}

fn digits(mut u: u64) -> u64 {
    let mut d = 1;
    while u >= 10 {
        u /= 10;
        d += 1;
    }
    d
}

impl Value {
    /// The length in bytes of this value's compact JSON text (`to_json_string().len()`),
    /// without writing it. Containers remember their length, so measuring a document
    /// that shares most of its structure with one measured before is cheap.
    pub fn encoded_len(&self) -> u64 {
        match self {
            Value::Null => 4,
            Value::Bool(true) => 4,
            Value::Bool(false) => 5,
            Value::Number(n) => number_len(n),
            Value::String(s) => string_len(s),
            Value::Array(a) => a.encoded_len(),
            Value::Object(o) => o.encoded_len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::json;

    #[test]
    fn agrees_with_the_serialised_length() {
        for v in [
            json!(null),
            json!({"a": [1, 2.5, -7, 1e300, "x\"y\n", {"b": false}], "c": null, "é": "\u{1}"}),
            json!([]),
            json!({}),
            json!(18446744073709551615u64),
            json!(-9223372036854775808i64),
        ] {
            assert_eq!(v.encoded_len(), v.to_json_string().len() as u64, "{v}");
        }
    }

    #[test]
    fn mutation_forgets_the_remembered_length() {
        let mut v = json!({"a": [1, 2]});
        assert_eq!(v.encoded_len(), 11);
        v.as_object_mut().unwrap().insert("bb".into(), json!(true));
        assert_eq!(v.encoded_len(), v.to_json_string().len() as u64);
        let shared = v.clone();
        v.as_object_mut().unwrap().shift_remove("a");
        assert_eq!(v.encoded_len(), v.to_json_string().len() as u64);
        assert_eq!(shared.encoded_len(), shared.to_json_string().len() as u64);
    }
}
