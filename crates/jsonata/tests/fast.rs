//! The direct evaluation of common expression shapes (`src/fast.rs`) against
//! jsonata-core, on generated expressions of those shapes over generated data: the
//! same value, or no value where jsonata-core fails (the evaluation is then
//! jsonata-core's, its error included).

use baton_json::{Map, Value, json};
use baton_jsonata::{Bindings, Expression, States};
use proptest::prelude::*;

/// Numbers as an expression writes them, edge cases included.
const NUMBERS: &[&str] = &[
    "0",
    "1",
    "2",
    "3",
    "-1",
    "0.1",
    "0.5",
    "2.5",
    "100000",
    "1e21",
    "1e-7",
    "123456789012",
    "9007199254740993",
    "1.7976931348623157e308",
];

const STRINGS: &[&str] = &["''", "'a'", "'b'", "\"x y\"", "'1'", "'\\u00e9'", "'true'"];

const VARIABLES: &[&str] = &[
    "$v",
    "$w",
    "$missing",
    "$states",
    "$states.input",
    "$states.input.a",
    "$states.input.b",
    "$states.input.a.b",
    "$states.input.b.a",
    "$states.input.a.b.c",
    "$states.input.c.c.c",
    "$states.context",
    "$states.context.c",
    "$states.context.a.b",
    "$states.result",
    "$states.result.a",
    "$states.errorOutput.b",
    "$states.nothing",
    "$v.a",
    "$v.b.a",
    "$v.c.b.a",
    "$w.a.a",
    "$missing.a",
    "$merge([$states.input, $v, $w])",
    "$merge([$v, $states.input])",
    "$merge($v)",
    "$count($states.input.a.b)",
];

fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => prop::sample::select(NUMBERS).prop_map(str::to_owned),
        1 => prop::sample::select(STRINGS).prop_map(str::to_owned),
        1 => prop::sample::select(&["true", "false", "null"][..]).prop_map(str::to_owned),
        4 => prop::sample::select(VARIABLES).prop_map(str::to_owned),
    ]
}

const BINARY: &[&str] = &[
    "+", "-", "*", "/", "%", "=", "!=", "<", "<=", ">", ">=", "and", "or", "&",
];

const FUNCTIONS: &[&str] = &["$merge", "$count", "$string", "$not", "$exists"];

fn expression() -> impl Strategy<Value = String> {
    leaf().prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            (inner.clone(), prop::sample::select(BINARY), inner.clone())
                .prop_map(|(l, op, r)| format!("{l} {op} {r}")),
            (inner.clone(), prop::sample::select(BINARY), inner.clone())
                .prop_map(|(l, op, r)| format!("({l}) {op} ({r})")),
            inner.clone().prop_map(|e| format!("-({e})")),
            inner.clone().prop_map(|e| format!("({e})")),
            (
                inner.clone(),
                inner.clone(),
                prop::option::of(inner.clone())
            )
                .prop_map(|(c, t, e)| match e {
                    Some(e) => format!("{c} ? {t} : {e}"),
                    None => format!("({c}) ? ({t})"),
                }),
            prop::collection::vec(("[abc]", inner.clone()), 0..4).prop_map(|pairs| {
                let mut seen = std::collections::BTreeSet::new();
                let body: Vec<String> = pairs
                    .into_iter()
                    .filter(|(k, _)| seen.insert(k.clone()))
                    .map(|(k, v)| format!("'{k}': {v}"))
                    .collect();
                format!("{{{}}}", body.join(", "))
            }),
            prop::collection::vec(inner.clone(), 0..4)
                .prop_map(|items| format!("[{}]", items.join(", "))),
            inner.clone().prop_map(|e| format!("[[{e}]]")),
            (prop::sample::select(FUNCTIONS), inner.clone()).prop_map(|(f, e)| format!("{f}({e})")),
            inner
                .clone()
                .prop_map(|e| format!("$merge([$states.input, {{'x': {e}}}])")),
        ]
    })
}

/// Data with the names the expressions use, numbers JavaScript's floats cannot hold
/// exactly, whole floats and nested arrays included.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-5i64..5).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        Just(Value::from(9_007_199_254_740_993u64)),
        Just(Value::from(u64::MAX)),
        (-1e6f64..1e6).prop_map(|f| Value::from(serde_json::json!(f))),
        Just(Value::from(serde_json::json!(2.0))),
        Just(Value::from(serde_json::json!(-0.0))),
        prop::sample::select(&["", "a", "b", "1", "é", "\u{1F600}", "\u{e000}"][..])
            .prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 40, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::array),
            prop::collection::vec(("[abc]", inner), 0..4).prop_map(|entries| {
                let mut map = Map::default();
                for (k, v) in entries {
                    map.insert(k.into(), v);
                }
                Value::object(map)
            }),
        ]
    })
}

fn bindings(input: &Value, context: &Value, v: &Value, w: &Value, whole: bool) -> Bindings {
    let states = States {
        input: input.clone(),
        context: context.clone(),
        result: whole.then(|| v.clone()),
        error_output: None,
    };
    let b = if whole {
        Bindings::new().with_var("states", states.into_value())
    } else {
        Bindings::new().with_states(states)
    };
    b.with_var("v", v.clone()).with_var("w", w.clone())
}

/// Compares the two evaluations; `Ok(true)` when the direct one answered.
fn compare(text: &str, b: impl Fn() -> Bindings) -> Result<bool, String> {
    let expr = Expression::compile(text).map_err(|e| format!("{text}: {e}"))?;
    let Some(fast) = expr.evaluate_fast(&b()) else {
        return Err(format!("{text}: not covered"));
    };
    let slow = expr.evaluate_slow(None, &b());
    match (&fast, &slow) {
        (Ok(f), Ok(s)) if f == s => Ok(true),
        (Err(()), _) => Ok(false),
        _ => Err(format!("{text}: direct {fast:?}, jsonata-core {slow:?}")),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    #[test]
    fn direct_evaluation_agrees_with_jsonata_core(
        text in expression(),
        input in value(),
        context in value(),
        v in value(),
        w in value(),
        whole in any::<bool>(),
    ) {
        let outcome = compare(&text, || bindings(&input, &context, &v, &w, whole));
        prop_assert!(outcome.is_ok(), "{}\ninput {input:?}\ncontext {context:?}\nv {v:?}\nw {w:?}", outcome.unwrap_err());
    }
}

#[test]
fn paths_follow_jsonata_sequences() {
    let input = json!({
        "a": [{"b": 1}, {"b": [2, 3]}, {"c": 4}, [{"b": 5}, [{"b": [[6]]}]]],
        "e": [],
        "f": [[]],
        "g": [{"h": []}],
        "n": {"m": [{"k": {"j": 1}}]},
        "s": "text"
    });
    let b = || {
        bindings(
            &input,
            &json!({}),
            &json!([{"a": 1}, {"a": 2}]),
            &json!(1),
            false,
        )
    };
    let mut answered = 0;
    for text in [
        "$states.input.a",
        "$states.input.a.b",
        "$states.input.a.c",
        "$states.input.a.x",
        "$states.input.e",
        "$states.input.e.x",
        "$states.input.f",
        "$states.input.f.x",
        "$states.input.g.h",
        "$states.input.g.h.x",
        "$states.input.n.m.k.j",
        "$states.input.n.m.k",
        "$states.input.s.x",
        "$v.a",
        "$v.a + 1",
        "$count($v.a)",
        "[$v.a]",
        "[[$v.a]]",
        "$states.input.a.b = [1, 2, 3, 5, [6]]",
        "$string($states.input.n.m.k.j)",
        "$merge($v)",
        "$merge([$states.input.n, {'s': 1}])",
        "'item-' & $states.input.s & ':' & 1.5 & true & null & $w",
        "$states.input.n.m.k.j < 2 and $states.input.s > 'a' or false",
        "$states.input.x ? 1 : 2",
        "-$w",
        "$not($states.input.e)",
        "$exists($states.input.zz)",
    ] {
        match compare(text, b) {
            Ok(true) => answered += 1,
            Ok(false) => {}
            Err(e) => panic!("{e}"),
        }
    }
    assert!(answered >= 25, "{answered} answered directly");
}

#[test]
fn benchmark_shapes_are_answered_directly() {
    let input = json!({
        "user": {"id": 4242, "name": "alice", "email": "alice@example.com"},
        "order": {"id": "ord-0001", "total": 129.5, "lines": [{"sku": "SKU-1", "qty": 2}]},
        "counter": 41, "id": 7, "name": "seven"
    });
    let b = || bindings(&input, &json!({}), &json!(null), &json!(null), false);
    for text in [
        "$merge([$states.input, {'step1': {'userId': $states.input.user.id, 'userName': $states.input.user.name, 'email': $states.input.user.email, 'orderId': $states.input.order.id, 'total': $states.input.order.total, 'lines': $states.input.order.lines, 'step': 1}}])",
        "$states.input.counter < 100000",
        "$states.input.counter + 1",
        "'item-' & $states.input.id & ':' & $states.input.name",
        "$states.input.order.lines",
    ] {
        assert_eq!(compare(text, b), Ok(true), "{text}");
    }
}

#[test]
fn paths_over_awkward_data() {
    let data = [
        json!(null),
        json!(1),
        json!("s"),
        json!([]),
        json!([[]]),
        json!({}),
        json!({"a": 1}),
        json!({"a": []}),
        json!({"a": [5]}),
        json!({"a": [[5]]}),
        json!({"a": [[]]}),
        json!({"a": {"a": [1, [2, [3]]]}}),
        json!([{"a": [5]}, {}]),
        json!([{"a": [5]}, {"b": 1}, 3, null]),
        json!([{"a": [5]}, [{"a": [6]}]]),
        json!([[{"a": 1}]]),
        json!([[{"a": [1]}], {"a": 2}]),
        json!([[{"a": {"a": [7]}}]]),
        json!([{"a": []}, null]),
        json!([{"a": [{"a": [[8]]}]}]),
        json!([{"a": [{"a": 1}, {"a": [2]}]}, {"a": {"a": [[3]]}}]),
        json!([1, [2, [3, [4]]]]),
    ];
    let paths = [
        "$v.a",
        "$v.a.a",
        "$v.a.a.a",
        "$v.b",
        "$states.input.a",
        "$states.input.a.a",
        "$count($v.a)",
        "[$v.a]",
        "$v.a = $states.input.a",
        "$string($v.a)",
        "$exists($v.a.a)",
        "$not($v.a)",
        "$v.a ? 1 : 2",
        "{'x': $v.a.a}",
        "$merge([$v.a, $states.input.a])",
        "$merge([{'a': 1}, $v])",
        "$merge([$v, {'a': $v.a}, $states.input])",
        "$merge([[{'a': 1}], $v])",
        "$merge([$v.a, {'b': 2}, $states.input.a.a])",
    ];
    for v in &data {
        for input in &data {
            let b = || bindings(input, &json!({}), v, &json!(null), false);
            for text in paths {
                if let Err(e) = compare(text, b) {
                    panic!("{e}\nv {v:?}\ninput {input:?}");
                }
            }
        }
    }
}

#[test]
fn numbers_are_floats_inside_expressions() {
    let data = [
        json!(2),
        json!(2.0),
        json!(-0.0),
        json!(0),
        json!(0.5),
        json!(9_007_199_254_740_993u64),
        json!(9_007_199_254_740_992u64),
        json!(u64::MAX),
        json!(i64::MIN),
        json!([2.0, {"a": 2}]),
        json!({"a": 2.0}),
        json!(999_999_999_999_999i64),
        json!(1_000_000_000_000_000i64),
        json!(-999_999_999_999_999i64),
        json!(123_456_789_012_345_678i64),
        json!(1_152_921_504_606_846_976i64),
        json!(9_007_199_254_740_994i64),
        json!(1e21),
        json!(1.5e300),
        json!(-0.5),
        json!(1e-7),
    ];
    let texts = [
        "$v",
        "$v = $states.input",
        "$v != $states.input",
        "$v = 2",
        "$v = 0",
        "$v = 9007199254740992",
        "[$v] = [$states.input]",
        "{'a': $v} = {'a': $states.input}",
        "$v < $states.input",
        "$v + 0",
        "$v * 1 = $states.input",
        "-$v",
        "$v & ''",
        "$string($v)",
        "[$v, 1.0]",
        "{'a': $v}",
    ];
    for v in &data {
        for input in &data {
            let b = || bindings(input, &json!({}), v, &json!(null), false);
            for text in texts {
                if let Err(e) = compare(text, b) {
                    panic!("{e}\nv {v:?}\ninput {input:?}");
                }
            }
        }
    }
}

#[test]
fn depth_limits_stop_what_jsonata_core_would_stop() {
    let nest = |wrap: fn(&str) -> String, depth: usize| {
        (0..depth).fold("1".to_owned(), |inner, _| wrap(&inner))
    };
    let shapes: [fn(&str) -> String; 5] = [
        |s| format!("1 + ({s})"),
        |s| format!("$count([{s}])"),
        |s| format!("{{'a': {s}}}"),
        |s| format!("true ? ({s}) : 2"),
        |s| format!("'a' & ({s}) & 'b'"),
    ];
    for wrap in shapes {
        for depth in [1, 3, 8] {
            let text = nest(wrap, depth);
            for max_depth in 1..40 {
                let options = baton_jsonata::Options {
                    limits: baton_jsonata::Limits {
                        max_depth: Some(max_depth),
                        ..baton_jsonata::Limits::default()
                    },
                    ..baton_jsonata::Options::default()
                };
                let expr = Expression::compile_with(&text, &options).unwrap();
                let slow = expr.evaluate_slow(None, &Bindings::new());
                if let Some(Ok(fast)) = expr.evaluate_fast(&Bindings::new()) {
                    assert_eq!(Ok(fast), slow, "{text} at depth {max_depth}");
                }
            }
            let expr = Expression::compile(&text).unwrap();
            assert!(expr.has_fast_path(), "{text}");
        }
    }
}
