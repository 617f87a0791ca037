//! Evaluating a call: its arguments first, left to right, then the function.

use baton_json::Value;

use super::render::java_len;
use super::{
    Arg, Call, Function, IntrinsicError, MAX_BUILT_BYTES, array, encoding, hash, json, math,
    string, uuid,
};
use crate::scope::Scope;

/// A function refused its arguments; the caller names the function.
pub(super) struct Invalid;

pub(super) type Outcome = Result<Value, Invalid>;

pub(super) fn eval(
    call: &Call,
    input: &Value,
    scope: &mut dyn Scope,
) -> Result<Value, IntrinsicError> {
    let mut args = Vec::with_capacity(call.args.len());
    for arg in call.args.iter() {
        args.push(arg_value(arg, input, scope)?);
    }
    let f = call.function;
    if too_large_to_build(f, &args, call) {
        return Err(data_limit_exceeded(f, scope));
    }
    let outcome = match f {
        Function::Format => {
            // A literal template is read as written, so `\{` stays a brace.
            let raw = match call.args.first() {
                Some(Arg::String { raw, .. }) => Some(&**raw),
                _ => None,
            };
            string::format(&args, raw)
        }
        Function::StringToJson => json::string_to_json(&args),
        Function::JsonToString => json::json_to_string(&args),
        Function::JsonMerge => json::json_merge(&args),
        Function::Array => Ok(Value::array(args)),
        Function::ArrayPartition => array::partition(&args),
        Function::ArrayContains => array::contains(&args),
        Function::ArrayRange => array::range(&args),
        Function::ArrayGetItem => array::get_item(&args),
        Function::ArrayLength => array::length(&args),
        Function::ArrayUnique => array::unique(&args),
        Function::Base64Encode => encoding::base64_encode(&args),
        Function::Base64Decode => encoding::base64_decode(&args),
        Function::Hash => hash::hash(&args),
        Function::MathRandom => math::random(&args, scope),
        Function::MathAdd => math::add(&args),
        Function::StringSplit => string::split(&args),
        Function::Uuid => uuid::uuid(&args, scope),
    };
    let value = outcome.map_err(|Invalid| IntrinsicError::InvalidArguments { function: f })?;
    if too_large(&value) {
        return Err(data_limit_exceeded(f, scope));
    }
    Ok(value)
}

/// `true` when the text `States.Format` or `States.JsonToString` would write from
/// `args` is past [`MAX_BUILT_BYTES`]: measured before it is written.
fn too_large_to_build(f: Function, args: &[Value], call: &Call) -> bool {
    match f {
        Function::JsonToString => args
            .first()
            .is_some_and(|v| v.encoded_len() > MAX_BUILT_BYTES as u64),
        Function::Format => {
            let template = match (call.args.first(), args.first()) {
                (Some(Arg::String { raw, .. }), _) => raw.len(),
                (_, Some(Value::String(s))) => s.len(),
                _ => 0,
            };
            let mut left = MAX_BUILT_BYTES.saturating_sub(template);
            for value in args.iter().skip(1) {
                match java_len(value, left) {
                    Some(len) => left -= len,
                    None => return true,
                }
            }
            false
        }
        _ => false,
    }
}

/// `true` when a value built by a call is past [`MAX_BUILT_BYTES`] (containers built
/// from shared values take little memory, but as much as their text to write or walk).
fn too_large(value: &Value) -> bool {
    match value {
        Value::String(s) => s.len() > MAX_BUILT_BYTES,
        Value::Array(_) | Value::Object(_) => value.encoded_len() > MAX_BUILT_BYTES as u64,
        _ => false,
    }
}

fn data_limit_exceeded(function: Function, scope: &mut dyn Scope) -> IntrinsicError {
    let state = scope
        .context_object()
        .get("State")
        .and_then(|s| s.get("Name"))
        .and_then(Value::as_str)
        .map(Into::into);
    IntrinsicError::DataLimitExceeded { function, state }
}

fn arg_value(arg: &Arg, input: &Value, scope: &mut dyn Scope) -> Result<Value, IntrinsicError> {
    match arg {
        Arg::Literal(v) | Arg::String { value: v, .. } => Ok(v.clone()),
        Arg::Path(path) => path
            .eval(input, scope)
            .map_err(|source| IntrinsicError::PathNotFound {
                path: path.as_str().into(),
                source,
            }),
        Arg::Call(call) => call.eval(input, scope),
    }
}

/// The argument as an integer, Java's `(int)` cast of a number: truncated toward zero,
/// clamped to the `int` range.
pub(super) fn int_arg(v: &Value) -> Option<i64> {
    let n = v.as_number()?;
    if let Some(i) = n.as_i64() {
        return Some(i.clamp(i64::from(i32::MIN), i64::from(i32::MAX)));
    }
    let f = n.as_f64();
    Some((f.trunc() as i64).clamp(i64::from(i32::MIN), i64::from(i32::MAX)))
}
