//! Values written the way Java's `toString` writes the objects Step Functions holds them
//! in, which is what AWS shows wherever it turns a value into text: `States.Format`
//! writes an object as `{a=1, b=[x, y]}`, a float as `1.0E7`, and Jayway quotes the Java
//! class of a value in its messages.

use std::fmt::Write as _;

use baton_json::{Number, Value};

/// `value` as Java's `toString` writes it: strings bare, `null`, numbers as `Integer` or
/// `Double` write them, lists as `[a, b]`, maps as `{k=v, k2=v2}`.
pub(crate) fn java_string(value: &Value) -> String {
    let mut out = String::new();
    write_java(&mut out, value);
    out
}

/// The length in bytes of `value` as [`java_string`] writes it, if it is at most
/// `cap`: counted without writing the value (and given up past `cap`), so that a value
/// standing for far more text than it takes, sharing its parts, costs little to refuse.
pub(crate) fn java_len(value: &Value, cap: usize) -> Option<usize> {
    let mut total = 0usize;
    add_java_len(value, cap, &mut total).then_some(total)
}

fn add_java_len(value: &Value, cap: usize, total: &mut usize) -> bool {
    let add = |total: &mut usize, n: usize| {
        *total = total.saturating_add(n);
        *total <= cap
    };
    match value {
        Value::Null => add(total, 4),
        Value::Bool(b) => add(total, if *b { 4 } else { 5 }),
        Value::Number(n) => {
            let mut text = String::new();
            write_java_number(&mut text, n);
            add(total, text.len())
        }
        Value::String(s) => add(total, s.len()),
        Value::Array(items) => {
            if !add(total, 2 + 2 * items.len().saturating_sub(1)) {
                return false;
            }
            items.iter().all(|item| add_java_len(item, cap, total))
        }
        Value::Object(map) => {
            if !add(total, 2 + 2 * map.len().saturating_sub(1)) {
                return false;
            }
            map.iter()
                .all(|(k, v)| add(total, k.len() + 1) && add_java_len(v, cap, total))
        }
    }
}

/// Appends `value` as [`java_string`] writes it.
pub(crate) fn write_java(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => write_java_number(out, n),
        Value::String(s) => out.push_str(s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_java(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(k);
                out.push('=');
                write_java(out, v);
            }
            out.push('}');
        }
    }
}

/// A number as Java writes it: integers in decimal; floats as `Double.toString` does
/// (`1.5`, `100.0`, `1.0E7`, `1.0E-4`).
pub(crate) fn write_java_number(out: &mut String, n: &Number) {
    if n.is_integer() {
        let _ = write!(out, "{n}");
        return;
    }
    let f = n.as_f64();
    let abs = f.abs();
    if abs == 0.0 {
        out.push_str(if f.is_sign_negative() { "-0.0" } else { "0.0" });
    } else if (1e-3..1e7).contains(&abs) {
        let start = out.len();
        let _ = write!(out, "{f}");
        if !out[start..].contains('.') {
            out.push_str(".0");
        }
    } else {
        // Rust writes the shortest digits that round-trip, as Java does: `1.5e-5`.
        let text = format!("{f:e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        out.push_str(mantissa);
        if !mantissa.contains('.') {
            out.push_str(".0");
        }
        out.push('E');
        out.push_str(exponent);
    }
}

/// The Java class of the object holding `value`, as Jayway names it in its messages.
pub(crate) fn java_class(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "java.lang.Boolean",
        Value::Number(n) if !n.is_integer() => "java.lang.Double",
        Value::Number(n) => match n.as_i64() {
            Some(i) if i32::try_from(i).is_ok() => "java.lang.Integer",
            Some(_) => "java.lang.Long",
            None => "java.math.BigInteger",
        },
        Value::String(_) => "java.lang.String",
        Value::Array(_) => "java.util.ArrayList",
        Value::Object(_) => "java.util.LinkedHashMap",
    }
}

/// The length of a string as Java counts it (UTF-16 code units).
pub(crate) fn java_length(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.encode_utf16().count()
    }
}
