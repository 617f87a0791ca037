//! Reading a rule's test from its JSON, reporting every problem.

use baton_json::{Str, Value};

use super::{Condition, Kind, Operand, Operator, Pattern, is_operator_field};
use crate::diagnostic::{Diagnostics, Pointer};
use crate::path::Path;
use crate::timestamp;

/// How deep `And`, `Or` and `Not` may nest.
const MAX_DEPTH: usize = 64;

pub(super) fn parse(
    value: &Value,
    at: &Pointer,
    d: &mut Diagnostics,
    depth: usize,
) -> Option<Condition> {
    let Value::Object(map) = value else {
        d.schema(
            at,
            format!(
                "Expected value of type 'object', but was '{}'",
                value.type_name()
            ),
        );
        return None;
    };
    if depth > MAX_DEPTH {
        d.schema(at, "Choice rules are nested too deeply");
        return None;
    }
    let mut ok = true;
    let mut ops: Vec<(&Str, &Value)> = Vec::new();
    for (name, v) in map.iter() {
        if is_operator_field(name) {
            ops.push((name, v));
        } else if &**name != "Variable" && &**name != "Comment" {
            d.schema(at, format!("Field '{name}' is not supported"));
            ok = false;
        }
    }
    let [(name, operand)] = ops.as_slice() else {
        d.schema(
            at,
            "A Choice Rule must have exactly one comparison operator, or one of And, Or, Not",
        );
        return None;
    };
    let op_at = at.child(name);
    let condition = match &***name {
        "And" | "Or" => {
            if map.contains_key("Variable") {
                d.schema(
                    &at.child("Variable"),
                    format!("The field 'Variable' is not supported with '{name}'"),
                );
                ok = false;
            }
            let rules = rule_list(operand, &op_at, d, depth)?;
            if &***name == "And" {
                Condition::And(rules)
            } else {
                Condition::Or(rules)
            }
        }
        "Not" => {
            if map.contains_key("Variable") {
                d.schema(
                    &at.child("Variable"),
                    "The field 'Variable' is not supported with 'Not'",
                );
                ok = false;
            }
            Condition::Not(Box::new(parse(operand, &op_at, d, depth + 1)?))
        }
        _ => {
            let operator = Operator::from_name(name)?;
            let variable = variable(map.get("Variable"), at, d);
            let operand = comparison_operand(operator, operand, &op_at, d);
            Condition::Compare {
                variable: variable?,
                operator,
                operand: operand?,
            }
        }
    };
    ok.then_some(condition)
}

fn rule_list(
    value: &Value,
    at: &Pointer,
    d: &mut Diagnostics,
    depth: usize,
) -> Option<Vec<Condition>> {
    let Value::Array(items) = value else {
        d.schema(
            at,
            format!(
                "Expected value of type 'array', but was '{}'",
                value.type_name()
            ),
        );
        return None;
    };
    if items.is_empty() {
        d.schema(at, "Value cannot be empty");
        return None;
    }
    let mut rules = Vec::with_capacity(items.len());
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        match parse(item, &at.index(i), d, depth + 1) {
            Some(rule) => rules.push(rule),
            None => ok = false,
        }
    }
    ok.then_some(rules)
}

fn variable(value: Option<&Value>, at: &Pointer, d: &mut Diagnostics) -> Option<Path> {
    let Some(value) = value else {
        d.schema(at, "These fields are required: [Variable]");
        return None;
    };
    let path = value.as_str().and_then(|text| Path::parse(text).ok());
    if path.is_none() {
        d.schema(
            &at.child("Variable"),
            "The value for the field 'Variable' must be a valid JSONPath",
        );
    }
    path
}

fn comparison_operand(
    operator: Operator,
    value: &Value,
    at: &Pointer,
    d: &mut Diagnostics,
) -> Option<Operand> {
    let expect = |d: &mut Diagnostics, ty: &str| {
        d.schema(
            at,
            format!(
                "Expected value of type '{ty}', but was '{}'",
                value.type_name()
            ),
        );
        None
    };
    if operator.takes_path() {
        let path = value.as_str().and_then(|text| Path::parse(text).ok());
        if path.is_none() {
            d.schema(
                at,
                format!(
                    "The value for the field '{}' must be a valid JSONPath",
                    operator.name()
                ),
            );
        }
        return path.map(Operand::Path);
    }
    match (operator.kind(), value) {
        (Kind::String, Value::String(s)) if operator == Operator::StringMatches => {
            Some(Operand::Pattern(Pattern::new(s)))
        }
        (Kind::String, Value::String(s)) => Some(Operand::String(s.clone())),
        (Kind::String, _) => expect(d, "string"),
        (Kind::Numeric, Value::Number(n)) => Some(Operand::Number(*n)),
        (Kind::Numeric, _) => expect(d, "number"),
        (Kind::Boolean | Kind::Type, Value::Bool(b)) => Some(Operand::Bool(*b)),
        (Kind::Boolean | Kind::Type, _) => expect(d, "boolean"),
        (Kind::Timestamp, Value::String(s)) => match timestamp::parse(s) {
            Some(instant) => Some(Operand::Timestamp {
                text: s.clone(),
                instant,
            }),
            None => {
                d.schema(at, "String does not match RFC3339 timestamp");
                None
            }
        },
        (Kind::Timestamp, _) => expect(d, "string"),
    }
}
