//! Evaluating a rule's test.

use std::cmp::Ordering;

use baton_json::Value;

use super::{ChoiceError, Condition, Kind, Operand, Operator, Relation};
use crate::path::Path;
use crate::path::{compare_numbers, compare_utf16};
use crate::scope::Scope;
use crate::timestamp;

pub(super) fn eval(
    condition: &Condition,
    input: &Value,
    scope: &mut dyn Scope,
) -> Result<bool, ChoiceError> {
    match condition {
        Condition::And(rules) => {
            for rule in rules {
                if !eval(rule, input, scope)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        Condition::Or(rules) => {
            for rule in rules {
                if eval(rule, input, scope)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Condition::Not(rule) => Ok(!eval(rule, input, scope)?),
        Condition::Compare {
            variable,
            operator,
            operand,
        } => compare(variable, *operator, operand, input, scope),
    }
}

fn invalid(path: &Path) -> ChoiceError {
    ChoiceError::InvalidPath {
        path: path.as_str().into(),
    }
}

fn compare(
    variable: &Path,
    operator: Operator,
    operand: &Operand,
    input: &Value,
    scope: &mut dyn Scope,
) -> Result<bool, ChoiceError> {
    let value = variable.eval(input, scope);
    if operator == Operator::IsPresent {
        let Operand::Bool(expected) = operand else {
            return Ok(false);
        };
        return Ok(value.is_ok() == *expected);
    }
    let value = value.map_err(|_| invalid(variable))?;
    // The `...Path` operators read their operand from the input first.
    let read;
    let operand = match operand {
        Operand::Path(path) => {
            read = path.eval(input, scope).map_err(|_| invalid(path))?;
            Target::Value(&read)
        }
        other => Target::Literal(other),
    };
    Ok(match operator.kind() {
        Kind::Type => {
            let Target::Literal(Operand::Bool(expected)) = operand else {
                return Ok(false);
            };
            let is = match operator {
                Operator::IsNull => value.is_null(),
                Operator::IsNumeric => value.is_number(),
                Operator::IsString => value.is_string(),
                Operator::IsBoolean => value.as_bool().is_some(),
                Operator::IsTimestamp => value.as_str().and_then(timestamp::parse).is_some(),
                _ => false,
            };
            is == *expected
        }
        Kind::String if operator == Operator::StringMatches => match (value.as_str(), operand) {
            (Some(s), Target::Literal(Operand::Pattern(p))) => p.matches(s),
            _ => false,
        },
        Kind::String => {
            let right = match operand {
                Target::Literal(Operand::String(s)) => Some(&**s),
                Target::Value(v) => v.as_str(),
                _ => None,
            };
            match (value.as_str(), right) {
                (Some(a), Some(b)) => holds(operator, compare_utf16(a, b)),
                _ => false,
            }
        }
        Kind::Numeric => {
            let right = match operand {
                Target::Literal(Operand::Number(n)) => Some(*n),
                Target::Value(v) => v.as_number().copied(),
                _ => None,
            };
            match (value.as_number(), right) {
                (Some(a), Some(b)) => holds(operator, compare_numbers(a, &b)),
                _ => false,
            }
        }
        Kind::Boolean => {
            let right = match operand {
                Target::Literal(Operand::Bool(b)) => Some(*b),
                Target::Value(v) => v.as_bool(),
                _ => None,
            };
            matches!((value.as_bool(), right), (Some(a), Some(b)) if a == b)
        }
        Kind::Timestamp => {
            let right = match operand {
                Target::Literal(Operand::Timestamp { instant, .. }) => Some(*instant),
                Target::Value(v) => v.as_str().and_then(timestamp::parse),
                _ => None,
            };
            match (value.as_str().and_then(timestamp::parse), right) {
                (Some(a), Some(b)) => holds(operator, a.cmp(&b)),
                _ => false,
            }
        }
    })
}

/// The operand of a comparison: from the definition, or read by a `...Path` operator.
enum Target<'a> {
    Literal(&'a Operand),
    Value(&'a Value),
}

fn holds(operator: Operator, ord: Ordering) -> bool {
    match operator.relation() {
        Relation::Equals => ord == Ordering::Equal,
        Relation::LessThan => ord == Ordering::Less,
        Relation::GreaterThan => ord == Ordering::Greater,
        Relation::LessThanEquals => ord != Ordering::Greater,
        Relation::GreaterThanEquals => ord != Ordering::Less,
    }
}
