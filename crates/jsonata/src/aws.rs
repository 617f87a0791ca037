//! The functions Step Functions adds to JSONata: `$partition`, `$range`, `$hash`,
//! `$random`, `$uuid` and `$parse`, on this crate's values. An argument that is
//! `None` was undefined.
//!
//! What AWS recorded (see the tests) is followed exactly: `$partition` always gives an
//! array of arrays, `$range` includes its end and gives a single number rather than a
//! one-element array, `$parse("-0")` is `0`. Where no recording exists the functions
//! follow JSONata's conventions: an undefined argument gives an undefined result, an
//! argument of the wrong type is `T0410`, a non-array where an array is expected is
//! taken as a one-element array.

use std::fmt::Write as _;

use baton_json::{Number, Value};
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};

use crate::bindings::{JavaRandom, SplitMix64};

/// An error from one of these functions: JSONata's code when one applies, and the
/// message.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FnError {
    pub(crate) code: Option<&'static str>,
    pub(crate) message: String,
}

pub(crate) type FnResult = Result<Option<Value>, FnError>;

/// The most items `$range` makes, as JSONata's range operator allows.
pub(crate) const MAX_RANGE: f64 = 1e7;

/// T0410, as jsonata-js words it, for argument `index` (1-based) of `$name`.
pub(crate) fn signature_error(index: usize, name: &str) -> FnError {
    FnError {
        code: Some("T0410"),
        message: format!(
            "Argument {index} of function {} does not match function signature",
            Value::from(name).to_json_string()
        ),
    }
}

fn uncoded(message: String) -> FnError {
    FnError {
        code: None,
        message,
    }
}

/// Fails with T0410 when more than `max` arguments were passed.
fn at_most(args: &[Option<Value>], max: usize, name: &str) -> Result<(), FnError> {
    match args.iter().rposition(Option::is_some) {
        Some(last) if last >= max => Err(signature_error(max + 1, name)),
        _ => Ok(()),
    }
}

fn arg(args: &[Option<Value>], index: usize) -> Option<&Value> {
    args.get(index).and_then(Option::as_ref)
}

fn number_arg(args: &[Option<Value>], index: usize, name: &str) -> Result<Option<f64>, FnError> {
    match arg(args, index) {
        None => Ok(None),
        Some(Value::Number(n)) => Ok(Some(n.as_f64())),
        Some(_) => Err(signature_error(index + 1, name)),
    }
}

/// A number as JSON carries it: integers exactly, the rest as floats.
pub(crate) fn number_value(f: f64) -> Value {
    const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
    if f.fract() == 0.0 {
        if f.abs() < TWO_POW_63 {
            return Value::from(f as i64);
        }
        if f > 0.0 && f < 2.0 * TWO_POW_63 {
            return Value::from(f as u64);
        }
    }
    Number::from_f64(f).map_or(Value::Null, Value::Number)
}

/// `$partition(array, size)`: the array cut into chunks of `size` items, the last one
/// possibly shorter.
pub(crate) fn partition(args: &[Option<Value>]) -> FnResult {
    const NAME: &str = "partition";
    at_most(args, 2, NAME)?;
    let size = number_arg(args, 1, NAME)?;
    let (Some(array), Some(size)) = (arg(args, 0), size) else {
        return Ok(None);
    };
    if size.fract() != 0.0 || size < 1.0 {
        return Err(uncoded(format!(
            "The size argument of function $partition must be a positive integer, but was {}",
            number_value(size)
        )));
    }
    let single;
    let items: &[Value] = match array {
        Value::Array(items) => items,
        other => {
            single = [other.clone()];
            &single
        }
    };
    // Sizes beyond the array's length all give one chunk.
    let size = if size >= items.len() as f64 {
        items.len().max(1)
    } else {
        size as usize
    };
    Ok(Some(Value::array(
        items
            .chunks(size)
            .map(|chunk| Value::array(chunk.to_vec()))
            .collect(),
    )))
}

/// `$range(start, end, step)`: `start`, `start + step`, ... up to and including `end`.
/// One value is given as that value, none as an empty array. More than `max_items`
/// items (when that is fewer than JSONata's 1e7) is past the memory bound.
pub(crate) fn range(args: &[Option<Value>], max_items: usize) -> FnResult {
    const NAME: &str = "range";
    at_most(args, 3, NAME)?;
    let start = number_arg(args, 0, NAME)?;
    let end = number_arg(args, 1, NAME)?;
    let step = number_arg(args, 2, NAME)?;
    let (Some(start), Some(end), Some(step)) = (start, end, step) else {
        return Ok(None);
    };
    if step == 0.0 {
        return Err(uncoded(
            "The step argument of function $range must not be zero".to_owned(),
        ));
    }
    if (start > end && step > 0.0) || (start < end && step < 0.0) {
        return Ok(Some(Value::array(Vec::new())));
    }
    let count = ((end - start) / step).floor() + 1.0;
    if !count.is_finite() || count > MAX_RANGE {
        return Err(FnError {
            code: Some("D2014"),
            message: format!(
                "The size of the sequence allocated by the range operator (..) must not exceed 1e7.  Attempted to allocate {}.",
                number_value(count)
            ),
        });
    }
    let count = count as usize;
    if count > max_items {
        return Err(uncoded(crate::MEMORY_EXCEEDED.to_owned()));
    }
    let mut items: Vec<Value> = (0..count)
        .map(|i| number_value(start + i as f64 * step))
        .collect();
    Ok(Some(if items.len() == 1 {
        items.pop().unwrap_or(Value::Null)
    } else {
        Value::array(items)
    }))
}

/// `$hash(data, algorithm)`: the lower-case hex digest of the UTF-8 text.
pub(crate) fn hash(args: &[Option<Value>]) -> FnResult {
    const NAME: &str = "hash";
    at_most(args, 2, NAME)?;
    let data = match arg(args, 0) {
        None => return Ok(None),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(signature_error(1, NAME)),
    };
    let algorithm = match arg(args, 1) {
        None => return Ok(None),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(signature_error(2, NAME)),
    };
    let bytes = data.as_bytes();
    let digest: Vec<u8> = match &*algorithm {
        "MD5" => Md5::digest(bytes).to_vec(),
        "SHA-1" => Sha1::digest(bytes).to_vec(),
        "SHA-256" => Sha256::digest(bytes).to_vec(),
        "SHA-384" => Sha384::digest(bytes).to_vec(),
        "SHA-512" => Sha512::digest(bytes).to_vec(),
        other => {
            return Err(uncoded(format!(
                "The hashing algorithm {} is not supported; use one of MD5, SHA-1, SHA-256, SHA-384 or SHA-512",
                Value::from(other).to_json_string()
            )));
        }
    };
    let mut hex = String::with_capacity(digest.len() * 2);
    for b in digest {
        let _ = write!(hex, "{b:02x}");
    }
    Ok(Some(Value::from(hex)))
}

/// `$random([seed])`: a number in `[0, 1)`; with a seed, the first `nextDouble()` of
/// `java.util.Random(seed)` (the seed truncated to an integer), so a seed always gives
/// the same number.
pub(crate) fn random(args: &[Option<Value>], stream: Option<&mut SplitMix64>) -> FnResult {
    const NAME: &str = "random";
    at_most(args, 1, NAME)?;
    match number_arg(args, 0, NAME)? {
        Some(seed) => {
            let seed = if seed.is_finite() {
                seed.trunc() as i64
            } else {
                0
            };
            Ok(Some(number_value(JavaRandom::new(seed).next_double())))
        }
        None => match stream {
            Some(stream) => Ok(Some(number_value(stream.next_f64()))),
            None => Err(no_random_source(NAME)),
        },
    }
}

/// `$uuid()`: a version 4 UUID from the evaluation's random stream.
pub(crate) fn uuid(args: &[Option<Value>], stream: Option<&mut SplitMix64>) -> FnResult {
    const NAME: &str = "uuid";
    at_most(args, 0, NAME)?;
    let stream = stream.ok_or_else(|| no_random_source(NAME))?;
    let (hi, lo) = (stream.next_u64(), stream.next_u64());
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&hi.to_be_bytes());
    bytes[8..].copy_from_slice(&lo.to_be_bytes());
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut text = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            text.push('-');
        }
        let _ = write!(text, "{b:02x}");
    }
    Ok(Some(Value::from(text)))
}

/// `$parse(text)`: the JSON value the text holds.
pub(crate) fn parse(args: &[Option<Value>]) -> FnResult {
    const NAME: &str = "parse";
    at_most(args, 1, NAME)?;
    match arg(args, 0) {
        None => Ok(None),
        Some(Value::String(text)) => match Value::from_json_str(text) {
            Ok(value) => Ok(Some(value)),
            Err(e) => Err(uncoded(format!(
                "The argument of function $parse is not valid JSON: {e}"
            ))),
        },
        Some(_) => Err(signature_error(1, NAME)),
    }
}

/// The error for `$random()`, `$uuid()` or `$shuffle()` when the caller gave no seed.
pub(crate) fn no_random_source(name: &str) -> FnError {
    uncoded(format!(
        "Function ${name} needs a random seed, and none was supplied to the evaluation"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use baton_json::json;

    fn call(f: impl Fn(&[Option<Value>]) -> FnResult, args: &[Value]) -> FnResult {
        let args: Vec<Option<Value>> = args.iter().cloned().map(Some).collect();
        f(&args)
    }

    #[test]
    fn partition_as_recorded_on_aws() {
        // tier1_pure/v2.intrinsic_functions...test_array_partition_exec_hist_resp_0..19
        let cases = [
            (json!([0]), 1, json!([[0]])),
            (json!([0]), 2, json!([[0]])),
            (json!([0]), 5, json!([[0]])),
            (json!([0, 1]), 1, json!([[0], [1]])),
            (json!([0, 1]), 2, json!([[0, 1]])),
            (json!([0, 1]), 3, json!([[0, 1]])),
            (json!([0, 1, 2]), 2, json!([[0, 1], [2]])),
            (json!([0, 1, 2]), 3, json!([[0, 1, 2]])),
            (json!([0, 1, 2]), 5, json!([[0, 1, 2]])),
            (json!([0, 1, 2, 3]), 1, json!([[0], [1], [2], [3]])),
            (json!([0, 1, 2, 3]), 2, json!([[0, 1], [2, 3]])),
            (json!([0, 1, 2, 3]), 3, json!([[0, 1, 2], [3]])),
            (json!([0, 1, 2, 3]), 4, json!([[0, 1, 2, 3]])),
            (json!([0, 1, 2, 3]), 5, json!([[0, 1, 2, 3]])),
        ];
        for (array, size, expected) in cases {
            assert_eq!(
                call(partition, &[array.clone(), json!(size)]),
                Ok(Some(expected)),
                "{array} {size}"
            );
        }
        assert_eq!(call(partition, &[json!([]), json!(2)]), Ok(Some(json!([]))));
        assert!(call(partition, &[json!([1]), json!(0)]).is_err());
        assert!(call(partition, &[json!([1]), json!(1.5)]).is_err());
        assert_eq!(
            call(partition, &[json!([1]), json!("2")]).unwrap_err().code,
            Some("T0410")
        );
        assert_eq!(partition(&[None, Some(json!(2))]), Ok(None));
    }

    #[test]
    fn range_as_recorded_on_aws() {
        // tier1_pure/v2.intrinsic_functions...test_array_range_exec_hist_resp_0..3
        assert_eq!(
            call(unbounded_range, &[json!(0), json!(9), json!(3)]),
            Ok(Some(json!([0, 3, 6, 9])))
        );
        assert_eq!(
            call(unbounded_range, &[json!(0), json!(10), json!(3)]),
            Ok(Some(json!([0, 3, 6, 9])))
        );
        assert_eq!(
            call(unbounded_range, &[json!(1), json!(9), json!(9)]),
            Ok(Some(json!(1)))
        );
        assert_eq!(
            call(unbounded_range, &[json!(1), json!(9), json!(2)]),
            Ok(Some(json!([1, 3, 5, 7, 9])))
        );
        assert_eq!(
            call(unbounded_range, &[json!(10), json!(0), json!(-5)]),
            Ok(Some(json!([10, 5, 0])))
        );
        assert_eq!(
            call(unbounded_range, &[json!(5), json!(1), json!(1)]),
            Ok(Some(json!([])))
        );
        assert!(call(unbounded_range, &[json!(1), json!(2), json!(0)]).is_err());
        assert_eq!(
            call(unbounded_range, &[json!(0), json!(1e9), json!(1)])
                .unwrap_err()
                .code,
            Some("D2014")
        );
        // Past the memory bound, but not JSONata's: AWS's memory error.
        let e = range(&[Some(json!(1)), Some(json!(11)), Some(json!(1))], 10).unwrap_err();
        assert_eq!((e.code, e.message.as_str()), (None, crate::MEMORY_EXCEEDED));
        assert!(range(&[Some(json!(1)), Some(json!(10)), Some(json!(1))], 10).is_ok());
    }

    fn unbounded_range(args: &[Option<Value>]) -> FnResult {
        range(args, usize::MAX)
    }

    #[test]
    fn hashes_in_lower_case_hex() {
        let h = |alg: &str| call(hash, &[json!("input data"), json!(alg)]);
        assert_eq!(
            h("MD5"),
            Ok(Some(json!("812f45842bc6d66ee14572ce20db8e86")))
        );
        assert_eq!(
            h("SHA-1"),
            Ok(Some(json!("aaff4a450a104cd177d28d18d74485e8cae074b7")))
        );
        assert_eq!(
            h("SHA-256"),
            Ok(Some(json!(
                "b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"
            )))
        );
        assert_eq!(
            call(hash, &[json!(""), json!("SHA-256")]),
            Ok(Some(json!(
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
            )))
        );
        assert!(h("SHA-999").is_err());
        assert_eq!(
            call(hash, &[json!(1), json!("MD5")]).unwrap_err().code,
            Some("T0410")
        );
    }

    #[test]
    fn parse_as_recorded_on_aws() {
        // tier1_pure/v2.intrinsic_functions...test_parse_exec_hist_resp_0..6
        let cases = [
            ("-0", json!(0)),
            ("1", json!(1)),
            ("1.1", json!(1.1)),
            ("true", json!(true)),
            ("\"HelloWorld\"", json!("HelloWorld")),
            ("[1, 2, \"HelloWorld\"]", json!([1, 2, "HelloWorld"])),
            (
                "{\"Arg1\": 1, \"Arg2\": []}",
                json!({"Arg1": 1, "Arg2": []}),
            ),
        ];
        for (text, expected) in cases {
            let got = call(parse, &[json!(text)]).unwrap().unwrap();
            assert!(got.json_eq(&expected), "{text}: {got}");
        }
        assert!(call(parse, &[json!("{")]).is_err());
    }

    #[test]
    fn seeded_random_is_fixed_and_unseeded_needs_a_stream() {
        let a = random(&[Some(json!(42))], None).unwrap().unwrap();
        assert_eq!(a, json!(0.7275636800328681));
        let mut stream = SplitMix64::new(3);
        let b = random(&[], Some(&mut stream)).unwrap().unwrap();
        assert!((0.0..1.0).contains(&b.as_f64().unwrap()));
        assert!(random(&[], None).is_err());
        assert_eq!(
            random(&[Some(json!("x"))], None).unwrap_err().code,
            Some("T0410")
        );
    }

    #[test]
    fn uuids_are_version_4() {
        let mut stream = SplitMix64::new(9);
        let u = uuid(&[], Some(&mut stream)).unwrap().unwrap();
        let u = u.as_str().unwrap();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
        assert!(uuid(&[Some(json!(1))], Some(&mut stream)).is_err());
    }
}
