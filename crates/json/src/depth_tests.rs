//! The nesting bound, and stack safety at depth: every test that handles a deep
//! document does so on a thread with a small stack, where one recursive step per level
//! would overflow (in a debug build especially).

use std::time::{Duration, Instant};

use crate::{MAX_DEPTH, Map, Value};

/// Runs `f` on a thread with a 128 KiB stack.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(128 * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

/// `levels` nested arrays around `1`: `[[1]]` for 2.
fn arrays(levels: usize) -> String {
    "[".repeat(levels) + "1" + &"]".repeat(levels)
}

/// `levels` nested objects, the innermost empty: `{"k":{}}` for 2.
fn objects(levels: usize) -> String {
    "{\"k\":".repeat(levels - 1) + "{}" + &"}".repeat(levels - 1)
}

/// Arrays and objects alternating, with a sibling scalar in each:
/// `[{"k":[{"n":2},1],"n":2},1]` for 4.
fn mixed(levels: usize) -> String {
    let innermost = levels - 1;
    let mut text = if innermost.is_multiple_of(2) {
        "[1]".to_owned()
    } else {
        r#"{"n":2}"#.to_owned()
    };
    for i in (0..innermost).rev() {
        text = if i.is_multiple_of(2) {
            format!("[{text},1]")
        } else {
            format!(r#"{{"k":{text},"n":2}}"#)
        };
    }
    text
}

/// A document built in memory, `levels` deep (arrays and objects alternating, from
/// the innermost), with its compact text.
fn built(levels: usize) -> (Value, String) {
    let mut v = Value::from(7u64);
    for i in 0..levels {
        v = if i.is_multiple_of(2) {
            Value::array(vec![v, Value::Null])
        } else {
            let mut m = Map::default();
            m.insert("k".into(), v);
            Value::object(m)
        };
    }
    let mut text = String::new();
    for i in (0..levels).rev() {
        text.push_str(if i.is_multiple_of(2) { "[" } else { r#"{"k":"# });
    }
    text.push('7');
    for i in 0..levels {
        text.push_str(if i.is_multiple_of(2) { ",null]" } else { "}" });
    }
    (v, text)
}

#[test]
fn the_test_documents_are_as_deep_as_they_say() {
    for levels in 1..8 {
        for text in [arrays(levels), objects(levels), mixed(levels)] {
            let v = Value::from_json_str(&text).unwrap();
            assert_eq!(v.depth(), levels, "{text}");
            assert_eq!(v.to_json_string(), text);
        }
        let (v, text) = built(levels);
        assert_eq!(v.depth(), levels, "{text}");
        assert_eq!(v.to_json_string(), text);
    }
    assert_eq!(mixed(4), r#"[{"k":[{"n":2},1],"n":2},1]"#);
}

#[test]
fn documents_max_depth_deep_work_on_a_small_stack() {
    on_small_stack(|| {
        for text in [arrays(MAX_DEPTH), objects(MAX_DEPTH), mixed(MAX_DEPTH)] {
            let v = Value::from_json_slice(text.as_bytes()).unwrap();
            assert_eq!(v.depth(), MAX_DEPTH);
            assert_eq!(v.encoded_len(), text.len() as u64);
            assert_eq!(v.to_json_string(), text);
            // The serde impls, as other types holding a value use them.
            assert_eq!(serde_json::to_string(&v).unwrap(), text);
            assert_eq!(
                v.to_json_pretty(),
                serde_json::to_string_pretty(&v).unwrap()
            );
            let again = Value::from_json_str(&text).unwrap();
            assert!(v == again);
            assert!(v.json_eq(&again));
            assert!(Value::from(v.to_serde()) == v);
            let mut de = serde_json::Deserializer::from_str(&text);
            de.disable_recursion_limit();
            assert!(<Value as serde::Deserialize>::deserialize(&mut de).unwrap() == v);
        }
    });
}

#[test]
fn documents_one_level_too_deep_are_refused_saying_where() {
    on_small_stack(|| {
        let err = Value::from_json_str(&arrays(MAX_DEPTH + 1)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "recursion limit exceeded: nested deeper than 1000 levels at line 1 column 1001"
        );
        let err = Value::from_json_slice(objects(MAX_DEPTH + 1).as_bytes()).unwrap_err();
        // Five characters per level (`{"k":`): the 1001st brace is column 5001. The
        // position serde_json gives is one further, as it reads on to the closing brace
        // of that (empty) object before reporting.
        assert_eq!(
            err.to_string(),
            "recursion limit exceeded: nested deeper than 1000 levels at line 1 column 5002"
        );
        let text = format!("{{\n  \"a\": [1, 2],\n  \"b\": {}\n}}", mixed(MAX_DEPTH));
        let err = Value::from_json_str(&text).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("recursion limit exceeded: nested deeper than 1000 levels at line 3"),
            "{err}"
        );
        assert!(Value::from_json_str(&mixed(MAX_DEPTH + 1)).is_err());
    });
}

#[test]
fn the_plain_deserialize_impl_applies_the_bound() {
    on_small_stack(|| {
        for (text, ok) in [(arrays(MAX_DEPTH), true), (arrays(MAX_DEPTH + 1), false)] {
            let mut de = serde_json::Deserializer::from_str(&text);
            de.disable_recursion_limit();
            let v = <Value as serde::Deserialize>::deserialize(&mut de);
            assert_eq!(v.is_ok(), ok);
            if let Err(e) = v {
                assert!(
                    e.to_string().contains("nested deeper than 1000 levels"),
                    "{e}"
                );
            }
        }
    });
}

#[test]
fn endless_opening_brackets_are_refused_quickly() {
    on_small_stack(|| {
        for open in ["[", "{\"a\":", "[{\"\":"] {
            let text = open.repeat(1_000_000);
            let start = Instant::now();
            let err = Value::from_json_str(&text).unwrap_err();
            assert!(
                err.to_string().contains("nested deeper than 1000 levels"),
                "{err}"
            );
            assert!(
                start.elapsed() < Duration::from_secs(2),
                "{:?}",
                start.elapsed()
            );
        }
        // Ten megabytes of them.
        let text = "[".repeat(10 << 20);
        let err = Value::from_json_slice(text.as_bytes()).unwrap_err();
        assert!(
            err.to_string().contains("nested deeper than 1000 levels"),
            "{err}"
        );
    });
}

#[test]
fn a_caller_may_allow_a_few_levels_of_its_own() {
    on_small_stack(|| {
        let within = MAX_DEPTH + 2;
        let text = objects(within);
        assert!(Value::from_json_str(&text).is_err());
        let v = Value::from_json_str_within(&text, within).unwrap();
        assert_eq!(v.depth(), within);
        assert_eq!(v.to_json_string(), text);
        let v = Value::from_json_slice_within(arrays(within).as_bytes(), within).unwrap();
        assert_eq!(v.depth(), within);
        let err = Value::from_json_str_within(&arrays(within + 1), within).unwrap_err();
        assert!(
            err.to_string().contains("nested deeper than 1002 levels"),
            "{err}"
        );
        // A bound of 0 admits scalars only.
        assert_eq!(Value::from_json_str_within("\"x\"", 0).unwrap(), json!("x"));
        assert!(Value::from_json_str_within("[]", 0).is_err());
        assert!(Value::from_json_str_within("[]", 1).is_ok());
    });
}

#[test]
fn errors_other_than_depth_are_serde_jsons() {
    for text in [
        "{not json",
        "[1,]",
        "[1] x",
        "",
        "{\"a\":1,}",
        "[1e999]",
        "\"\\x\"",
    ] {
        let ours = Value::from_json_str(text).unwrap_err().to_string();
        let theirs = serde_json::from_str::<serde_json::Value>(text)
            .unwrap_err()
            .to_string();
        assert_eq!(ours, theirs, "{text}");
    }
}

#[test]
fn documents_built_far_deeper_are_measured_and_written_on_a_small_stack() {
    // Measuring and writing text keep their own stacks: no depth is too much.
    on_small_stack(|| {
        let (v, text) = built(200_000);
        assert_eq!(v.depth(), 200_000);
        assert_eq!(v.encoded_len(), text.len() as u64);
        assert_eq!(v.to_json_string(), text);
        // (Indented text grows with the square of the depth: not at this depth.)
        // A clone shares the measure.
        assert_eq!(v.clone().depth(), 200_000);
    });
    // The serde impls, comparison and conversion recurse on stack segments of their
    // own: fine far beyond MAX_DEPTH, if not at any depth.
    on_small_stack(|| {
        let (v, text) = built(20_000);
        assert_eq!(serde_json::to_string(&v).unwrap(), text);
        let (w, _) = built(20_000);
        assert!(v == w);
        assert!(v.json_eq(&w));
        assert!(Value::from(v.to_serde()) == v);
    });
}

#[test]
fn depth_and_length_are_forgotten_on_mutation() {
    let mut v = json!({"a": [1, [2]], "b": {}});
    assert_eq!((v.depth(), v.encoded_len()), (3, 20));
    let shared = v.clone();
    v.as_object_mut()
        .unwrap()
        .insert("c".into(), json!([[[[{"x": null}]]]]));
    assert_eq!(v.depth(), 6);
    assert_eq!(v.encoded_len(), v.to_json_string().len() as u64);
    // The clone taken before keeps its own measure.
    assert_eq!((shared.depth(), shared.encoded_len()), (3, 20));
    v.as_object_mut().unwrap().shift_remove("c");
    v.as_object_mut().unwrap().shift_remove("a");
    assert_eq!((v.depth(), v.encoded_len()), (2, 8));
    // Through a nested container: only the path copied is forgotten.
    let mut w = json!({"outer": {"inner": [1]}});
    assert_eq!(w.depth(), 3);
    let Some(Value::Object(outer)) = w.as_object_mut().unwrap().get_mut("outer") else {
        panic!("object expected")
    };
    std::sync::Arc::make_mut(outer).insert("more".into(), json!([[[]]]));
    // The root was handed out mutably too (`as_object_mut`), so it forgot as well.
    assert_eq!(w.depth(), 5);
    assert_eq!(w.encoded_len(), w.to_json_string().len() as u64);
    // Arrays too.
    let mut a = json!([[1], 2]);
    assert_eq!(a.depth(), 2);
    a.as_array_mut().unwrap().push(json!([[[]]]));
    assert_eq!((a.depth(), a.encoded_len()), (4, 14));
    a.as_array_mut().unwrap().truncate(0);
    assert_eq!((a.depth(), a.encoded_len()), (1, 2));
}

#[test]
fn empty_and_default_containers_measure_right() {
    assert_eq!(crate::Array::default().encoded_len(), 2);
    assert_eq!(crate::Object::default().encoded_len(), 2);
    assert_eq!(crate::Array::default().depth(), 1);
    assert_eq!(json!([]).depth(), 1);
    assert_eq!(json!({}).depth(), 1);
    assert_eq!(json!("x").depth(), 0);
}
