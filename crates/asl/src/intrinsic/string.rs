//! `States.Format` and `States.StringSplit`.

use baton_json::Value;

use super::eval::{Invalid, Outcome};
use super::render::write_java;

/// `States.Format(template, values...)`: each `{}` of the template replaced by the next
/// value, written as AWS writes values as text (strings bare, objects as `{a=1}`).
/// `\{` and `\}` are literal braces; a lone brace, or a count of `{}` other than the
/// number of values, is refused. `raw` is the template as written when it is a literal.
pub(super) fn format(args: &[Value], raw: Option<&str>) -> Outcome {
    let Some((template, values)) = args.split_first() else {
        return Err(Invalid);
    };
    let template = raw.or_else(|| template.as_str()).ok_or(Invalid)?;
    let mut out = String::with_capacity(template.len() + 16 * values.len());
    let mut values = values.iter();
    let mut chars = template.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e @ ('{' | '}' | '\\' | '\'')) => out.push(e),
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            },
            '{' => {
                if chars.next() != Some('}') {
                    return Err(Invalid);
                }
                write_java(&mut out, values.next().ok_or(Invalid)?);
            }
            '}' => return Err(Invalid),
            c => out.push(c),
        }
    }
    if values.next().is_some() {
        return Err(Invalid);
    }
    Ok(Value::from(out))
}

/// `States.StringSplit(text, delimiters)`: the text cut at every character of
/// `delimiters`, empty pieces dropped.
pub(super) fn split(args: &[Value]) -> Outcome {
    let [text, delimiters] = args else {
        return Err(Invalid);
    };
    let (Some(text), Some(delimiters)) = (text.as_str(), delimiters.as_str()) else {
        return Err(Invalid);
    };
    let parts = text
        .split(|c: char| delimiters.contains(c))
        .filter(|p| !p.is_empty())
        .map(Value::from)
        .collect();
    Ok(Value::array(parts))
}
