//! The Jayway path functions that take no argument: `length()` (`size()`), `min()`,
//! `max()`, `avg()`, `sum()`, `stddev()`, `keys()`, `first()`, `last()` and `concat()`.

use baton_json::{Number, Value};

use super::PathError;

/// A path function, written as the last step of a path (`$.items.length()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Function {
    Length,
    Size,
    Min,
    Max,
    Avg,
    Sum,
    StdDev,
    Keys,
    First,
    Last,
    Concat,
}

impl Function {
    pub(crate) fn from_name(name: &str) -> Option<Function> {
        Some(match name {
            "length" => Function::Length,
            "size" => Function::Size,
            "min" => Function::Min,
            "max" => Function::Max,
            "avg" => Function::Avg,
            "sum" => Function::Sum,
            "stddev" => Function::StdDev,
            "keys" => Function::Keys,
            "first" => Function::First,
            "last" => Function::Last,
            "concat" => Function::Concat,
            _ => return None,
        })
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Function::Length => "length",
            Function::Size => "size",
            Function::Min => "min",
            Function::Max => "max",
            Function::Avg => "avg",
            Function::Sum => "sum",
            Function::StdDev => "stddev",
            Function::Keys => "keys",
            Function::First => "first",
            Function::Last => "last",
            Function::Concat => "concat",
        }
    }

    /// Applies the function to `model`, as Jayway does: `length()` counts an array's
    /// elements or an object's members (`null` for anything else); the numeric functions
    /// take the numbers of an array (a Java `Double`); `first()`/`last()` pick from an
    /// array; `concat()` joins an array's strings.
    pub(crate) fn apply(self, model: &Value) -> Result<Value, PathError> {
        match self {
            Function::Length | Function::Size => Ok(match model {
                Value::Array(items) => Value::from(items.len()),
                Value::Object(map) => Value::from(map.len()),
                _ => Value::Null,
            }),
            Function::Min | Function::Max | Function::Avg | Function::Sum | Function::StdDev => {
                let numbers: Vec<f64> = match model {
                    Value::Array(items) => items.iter().filter_map(Value::as_f64).collect(),
                    _ => Vec::new(),
                };
                if numbers.is_empty() {
                    return Err(PathError::Function {
                        message:
                            "Aggregation function attempted to calculate value using empty array"
                                .to_owned(),
                    });
                }
                let n = numbers.len() as f64;
                let sum: f64 = numbers.iter().sum();
                let result = match self {
                    Function::Min => numbers.iter().copied().fold(f64::INFINITY, f64::min),
                    Function::Max => numbers.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                    Function::Avg => sum / n,
                    Function::Sum => sum,
                    _ => {
                        let sum_sq: f64 = numbers.iter().map(|x| x * x).sum();
                        (sum_sq / n - sum * sum / n / n).sqrt()
                    }
                };
                Ok(Number::from_f64(result).map_or(Value::Null, Value::Number))
            }
            Function::Keys => Ok(match model {
                Value::Object(map) => {
                    Value::array(map.keys().map(|k| Value::String(k.clone())).collect())
                }
                _ => Value::Null,
            }),
            Function::First | Function::Last => match model {
                Value::Array(items) if !items.is_empty() => {
                    let item = if self == Function::First {
                        items.first()
                    } else {
                        items.last()
                    };
                    Ok(item.cloned().unwrap_or(Value::Null))
                }
                Value::Array(_) => Err(PathError::Function {
                    message: "Target index:0 larger than object count:0".to_owned(),
                }),
                _ => Err(PathError::Function {
                    message: "Aggregation function attempted to calculate value using empty array"
                        .to_owned(),
                }),
            },
            Function::Concat => {
                let mut out = String::new();
                if let Value::Array(items) = model {
                    for s in items.iter().filter_map(Value::as_str) {
                        out.push_str(s);
                    }
                }
                Ok(Value::from(out))
            }
        }
    }
}
