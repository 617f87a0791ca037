//! URL encoding: query strings and `URL_ENCODED` request bodies, with the array styles of
//! `RequestEncodingOptions.ArrayFormat`.

use baton_json::{Map, Value};

/// How arrays are written in a URL-encoded body (`RequestEncodingOptions.ArrayFormat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArrayFormat {
    /// `array[0]=a&array[1]=b` (the default).
    Indices,
    /// `array=a&array=b`.
    Repeat,
    /// `array=a,b`.
    Commas,
    /// `array[]=a&array[]=b`.
    Brackets,
}

impl ArrayFormat {
    /// The format named `name` (`INDICES`, `REPEAT`, `COMMAS`, `BRACKETS`).
    pub(crate) fn parse(name: &str) -> Option<ArrayFormat> {
        Some(match name {
            "INDICES" => ArrayFormat::Indices,
            "REPEAT" => ArrayFormat::Repeat,
            "COMMAS" => ArrayFormat::Commas,
            "BRACKETS" => ArrayFormat::Brackets,
            _ => return None,
        })
    }
}

/// Appends `s` escaped as `application/x-www-form-urlencoded` does: letters, digits and
/// `*-._` as they are, a space as `+`, every other byte as `%XX`.
pub(crate) fn escape_into(s: &str, out: &mut String) {
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xf)]));
            }
        }
    }
}

/// `s` escaped (see [`escape_into`]).
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(s, &mut out);
    out
}

/// A value as text in a URL, a header or an environment variable: a string as it is,
/// anything else as its JSON text.
pub(crate) fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        other => other.to_json_string(),
    }
}

/// An object as a URL-encoded body: nested objects as `key[sub]=v`, arrays as `format`
/// says.
pub(crate) fn form(body: &Map, format: ArrayFormat) -> String {
    let mut pairs = Vec::new();
    for (k, v) in body {
        flatten(escape(k), v, format, &mut pairs);
    }
    join(&pairs)
}

/// Escaped query-string pairs from `QueryParameters`: an array repeats its key, other
/// values are text.
pub(crate) fn query_pairs(params: &Map, out: &mut Vec<(String, String)>) {
    for (k, v) in params {
        match v {
            Value::Array(items) => {
                for item in items.iter() {
                    out.push((escape(k), escape(&text(item))));
                }
            }
            other => out.push((escape(k), escape(&text(other)))),
        }
    }
}

/// `key=value&...` from escaped keys and values.
pub(crate) fn join(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

fn flatten(key: String, v: &Value, format: ArrayFormat, out: &mut Vec<(String, String)>) {
    match v {
        Value::Array(items) => match format {
            ArrayFormat::Indices => {
                for (i, item) in items.iter().enumerate() {
                    flatten(format!("{key}[{i}]"), item, format, out);
                }
            }
            ArrayFormat::Brackets => {
                for item in items.iter() {
                    flatten(format!("{key}[]"), item, format, out);
                }
            }
            ArrayFormat::Repeat => {
                for item in items.iter() {
                    flatten(key.clone(), item, format, out);
                }
            }
            ArrayFormat::Commas => {
                let joined: Vec<String> = items.iter().map(|i| escape(&text(i))).collect();
                out.push((key, joined.join(",")));
            }
        },
        Value::Object(map) => {
            for (k, v) in map.iter() {
                flatten(format!("{key}[{}]", escape(k)), v, format, out);
            }
        }
        Value::Null => out.push((key, String::new())),
        other => out.push((key, escape(&text(other)))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use baton_json::json;

    fn body(v: Value, f: ArrayFormat) -> String {
        form(v.as_object().expect("an object"), f)
    }

    #[test]
    fn arrays_follow_the_format() {
        let v = json!({"array": ["a", "b", "c", "d"]});
        assert_eq!(
            body(v.clone(), ArrayFormat::Indices),
            "array[0]=a&array[1]=b&array[2]=c&array[3]=d"
        );
        assert_eq!(
            body(v.clone(), ArrayFormat::Repeat),
            "array=a&array=b&array=c&array=d"
        );
        assert_eq!(body(v.clone(), ArrayFormat::Commas), "array=a,b,c,d");
        assert_eq!(
            body(v, ArrayFormat::Brackets),
            "array[]=a&array[]=b&array[]=c&array[]=d"
        );
    }

    #[test]
    fn objects_nest_and_text_is_escaped() {
        let v = json!({"a b": {"c&d": "é ?", "n": 1, "t": true, "z": null}});
        assert_eq!(
            body(v, ArrayFormat::Indices),
            "a+b[c%26d]=%C3%A9+%3F&a+b[n]=1&a+b[t]=true&a+b[z]="
        );
    }
}
