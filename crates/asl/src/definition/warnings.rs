//! Warnings: things AWS accepts but that are probably not what was meant, in JSONPath
//! states (the codes are AWS's; the wording is ours, not verified against AWS).
//!
//! - `NO_DOLLAR`: in `Parameters`, `ItemSelector` or `ResultSelector`, a value that looks
//!   like a path or an intrinsic function call under a key without `.$`, so it is taken
//!   literally;
//! - `PASS_RESULT_IS_STATIC`: a Pass state's `Result` with `.$` keys, which `Result` never
//!   evaluates.

use baton_json::{Map, Value};

use super::graph::nested_branches;
use crate::diagnostic::{Code, Diagnostics, Pointer};

/// Reports the warnings of every JSONPath state of `definition`.
pub(super) fn check(definition: &Value, d: &mut Diagnostics) {
    let Some(machine) = definition.as_object() else {
        return;
    };
    let jsonata = machine.get("QueryLanguage").and_then(Value::as_str) == Some("JSONata");
    let mut todo = vec![(machine, Pointer::root())];
    while let Some((branch, at)) = todo.pop() {
        let Some(states) = branch.get("States").and_then(Value::as_object) else {
            continue;
        };
        let states_at = at.child("States");
        for (name, state) in states.iter() {
            let Some(fields) = state.as_object() else {
                continue;
            };
            let state_at = states_at.child(name);
            let own = fields.get("QueryLanguage").and_then(Value::as_str);
            if own.map_or(!jsonata, |ql| ql == "JSONPath") {
                check_state(fields, &state_at, d);
            }
            todo.extend(nested_branches(fields, &state_at));
        }
    }
}

fn check_state(state: &Map, at: &Pointer, d: &mut Diagnostics) {
    for field in ["Parameters", "ItemSelector", "ResultSelector"] {
        if let Some(v) = state.get(field) {
            no_dollar(v, &at.child(field), d);
        }
    }
    if state.get("Type").and_then(Value::as_str) == Some("Pass")
        && let Some(result) = state.get("Result")
        && has_dollar_key(result)
    {
        d.warning(
            Code::PassResultIsStatic,
            &at.child("Result"),
            "The field 'Result' is used as written: its keys ending in '.$' are not evaluated; use 'Parameters' to compute values",
        );
    }
}

/// Warns about path-like values under keys without `.$`, anywhere in a template.
fn no_dollar(template: &Value, at: &Pointer, d: &mut Diagnostics) {
    let mut todo = vec![(template, at.clone())];
    while let Some((v, at)) = todo.pop() {
        match v {
            Value::Object(map) => {
                for (key, value) in map.iter() {
                    if key.ends_with(".$") {
                        continue;
                    }
                    match value {
                        Value::String(s) if looks_dynamic(s) => d.warning(
                            Code::NoDollar,
                            &at.child(key),
                            format!("The value of the field '{key}' looks like a JSONPath or an intrinsic function call, but is used as written: name the field '{key}.$' to evaluate it"),
                        ),
                        Value::Object(_) | Value::Array(_) => todo.push((value, at.child(key))),
                        _ => {}
                    }
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    if item.is_object() || item.is_array() {
                        todo.push((item, at.index(i)));
                    }
                }
            }
            _ => {}
        }
    }
}

fn looks_dynamic(s: &str) -> bool {
    s.starts_with("$.")
        || s.starts_with("$$.")
        || s.starts_with("$[")
        || (s.starts_with("States.") && s.ends_with(')') && s.contains('('))
}

fn has_dollar_key(v: &Value) -> bool {
    let mut todo = vec![v];
    while let Some(v) = todo.pop() {
        match v {
            Value::Object(map) => {
                for (key, value) in map.iter() {
                    if key.ends_with(".$") {
                        return true;
                    }
                    todo.push(value);
                }
            }
            Value::Array(items) => todo.extend(items.iter()),
            _ => {}
        }
    }
    false
}
