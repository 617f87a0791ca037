//! Random documents, wide and deep, through text and back: the text is serde_json's,
//! parsing it gives the same value, and the remembered measures agree with it.

use proptest::prelude::*;

use crate::{MAX_DEPTH, Map, Number, Str, Value};

/// Strings: any text, and text heavy in characters that need escapes.
fn text() -> impl Strategy<Value = String> {
    prop_oneof!["(?s).{0,10}", "[\"\\\\/\u{0}-\u{1f}\u{7f}aé€😀 ]{0,10}",]
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| Number::from_f64(f).map(Value::Number)),
        (-1000i32..1000, -5i32..5).prop_map(|(m, e)| Value::Number(
            Number::from_f64(f64::from(m) * 10f64.powi(e)).unwrap()
        )),
        text().prop_map(Value::from),
    ]
}

/// Up to 6 levels, up to 8 children a container.
fn wide() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(6, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::array),
            prop::collection::vec((text(), inner), 0..8).prop_map(|members| {
                Value::object(
                    members
                        .into_iter()
                        .map(|(k, v)| (Str::from(k), v))
                        .collect(),
                )
            }),
        ]
    })
}

/// A wide value wrapped in up to `MAX_DEPTH - 6` more levels, each an array or an
/// object, maybe with a scalar beside the value.
fn deep() -> impl Strategy<Value = Value> {
    let level = (any::<bool>(), text(), proptest::option::of(scalar()));
    (wide(), prop::collection::vec(level, 0..=MAX_DEPTH - 6)).prop_map(|(mut v, levels)| {
        for (is_array, key, beside) in levels {
            v = if is_array {
                Value::array(beside.into_iter().chain([v]).collect())
            } else {
                let mut m = Map::default();
                if let Some(b) = beside {
                    m.insert(Str::from(format!("{key}~")), b);
                }
                m.insert(Str::from(key), v);
                Value::object(m)
            };
        }
        v
    })
}

/// The depth, counted directly.
fn depth_of(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(depth_of).max().unwrap_or(0),
        Value::Object(o) => 1 + o.values().map(depth_of).max().unwrap_or(0),
        _ => 0,
    }
}

fn check(v: &Value) -> Result<(), TestCaseError> {
    let text = v.to_json_string();
    // The text is what serde_json writes (through the serde impl).
    prop_assert_eq!(&text, &serde_json::to_string(v).unwrap());
    prop_assert_eq!(v.encoded_len(), text.len() as u64);
    prop_assert_eq!(v.depth(), depth_of(v));
    prop_assert!(v.depth() <= MAX_DEPTH);

    let back = Value::from_json_str(&text).unwrap();
    prop_assert!(back == *v);
    prop_assert!(back.json_eq(v));
    prop_assert_eq!(back.to_json_string(), text.as_str());
    prop_assert_eq!(back.encoded_len(), text.len() as u64);
    prop_assert_eq!(back.depth(), v.depth());

    let pretty = v.to_json_pretty();
    prop_assert_eq!(&pretty, &serde_json::to_string_pretty(v).unwrap());
    prop_assert!(Value::from_json_slice(pretty.as_bytes()).unwrap() == *v);

    if v.depth() < 128 {
        // serde_json's own value agrees, as far as its recursion limit lets it.
        let theirs: serde_json::Value = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(serde_json::to_string(&theirs).unwrap(), text.as_str());
        prop_assert!(Value::from(theirs) == *v);
        prop_assert!(Value::from(v.to_serde()) == *v);
    }
    Ok(())
}

proptest! {
    #[test]
    fn wide_values_round_trip(v in wide()) {
        check(&v)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    #[test]
    fn deep_values_round_trip(v in deep()) {
        check(&v)?;
    }
}
