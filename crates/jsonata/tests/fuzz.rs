//! Hostile and garbled input: whatever the expression or the data, compiling and
//! evaluating end with a value or an error, within the limits: no panic, no stack
//! overflow, no hang.

use std::time::{Duration, Instant};

use baton_json::{Map, Value, json};
use baton_jsonata::{Bindings, Expression, Limits, Options, States, Template};
use proptest::prelude::*;

/// Tight limits, so that each case ends quickly.
fn options() -> Options {
    Options {
        limits: Limits {
            max_depth: Some(500),
            time_limit: Some(Duration::from_millis(200)),
            max_sequence_length: Some(100_000),
            ..Limits::default()
        },
        ..Options::default()
    }
}

fn bindings(input: Value) -> Bindings {
    Bindings::new()
        .with_states(States {
            input,
            context: json!({"Execution": {"Id": "x"}}),
            ..States::default()
        })
        .with_var("v", json!([1, "two", {"three": 3.5}, null, true]))
        .with_random_seed(11)
        .with_now_millis(0)
}

/// Compiles and evaluates; only a panic or a long run fails.
fn exercise(text: &str, input: &Value) {
    let start = Instant::now();
    if let Ok(expr) = Expression::compile_with(text, &options()) {
        let _ = expr.evaluate(input, &bindings(input.clone()));
        let _ = expr.evaluate_input(None, &Bindings::new());
    }
    let spent = start.elapsed();
    assert!(spent < Duration::from_secs(20), "{text:?} took {spent:?}");
}

/// Runs `f` on a thread with a stack of `mib` MiB.
fn on_stack(mib: usize, f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(mib << 20)
        .spawn(f)
        .expect("thread")
        .join()
        .expect("no panic");
}

fn nested_arrays(depth: usize) -> Value {
    let mut v = json!(1);
    for _ in 0..depth {
        v = Value::array(vec![v]);
    }
    v
}

fn nested_objects(depth: usize) -> Value {
    let mut v = json!("leaf");
    for _ in 0..depth {
        let mut map = Map::default();
        map.insert("a".into(), v);
        v = Value::object(map);
    }
    v
}

/// Inputs found to matter, kept as data: each must end with a value or an error.
const REGRESSIONS: &[&str] = &[
    // Allocated a billion characters in one step, past every time limit.
    "$pad('x', 1000001000)",
    "$pad('x', -1e9, 'ab')",
    "",
    " ",
    "(",
    ")",
    "{%",
    "$",
    "$$",
    "%",
    "**",
    "[1..10000000]",
    "[1..10000000].[1..10000000]",
    "$count([1..99999999])",
    "($f := function($n){ $f($n + 1) }; $f(0))",
    "($f := function($n){ $n + $f($n + 1) }; $f(0))",
    "($f := function($n){ $n = 0 ? 1 : $f($n - 1) + $f($n - 1) }; $f(40))",
    "$reduce([1..100000], function($a, $b){ [$a] })",
    "$string($reduce([1..3000], function($a, $b){ {'a': $a} }))",
    "'a' & $join($map([1..20], function($i){ 'x' }))",
    "$match('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!', /(a+)+$/)",
    "$replace('abc', /(?:)/, 'x')",
    "$formatNumber(1e300, '#,##0.00')",
    "$fromMillis(8.64e20)",
    "$toMillis('9999999-99-99')",
    "$pad('x', 100000000)",
    "$substring('abc', -99999999999, 99999999999)",
    "$power(10, 400)",
    "$sqrt(-1)",
    "1/0",
    "-(1/0)",
    "$number('1e999')",
    "$states.input.%.%.%",
    "$range(0, 1e12, 1)",
    "$range(0, 10, 0)",
    "$partition([1,2,3], 0)",
    "$partition($v, 1e300)",
    "$hash('x', 'SHA-3')",
    "$parse('[' & $join($map([1..1000], function($i){'['})) & ']')",
    "$eval('1')",
    "$uuid(1)",
    "$random('x')",
    "$shuffle($v)",
    "$now('[Y]', 'garbage')",
    "$sort([1..1000], function($a, $b){ $a < $b })",
    "{'a': $}.a.a.a",
    "$lookup($states, 'input')",
    "$spread($states)",
    "$each($states, function($v, $k){ $k })",
    "$sift($states, function($v){ true })",
    "$distinct([1..1000])",
    "λ($x){$x}(λ($x){$x})",
    "$zip([1..100000], [1..100000])",
    "$single([1,2])",
    "$error('boom')",
    "$assert(false, 'no')",
    "'\\uD800'",
    "'\\u00'",
    "`unterminated",
    "/unterminated",
    "/(/",
    "$x := ",
    "function",
    "$states.input ~> $",
    "| $ | {} |",
    "$ ~> |a|{'b': 1}, ['c']|",
];

#[test]
fn regressions_end_with_a_value_or_an_error() {
    let input = json!({"a": [1, 2, {"b": "c"}], "d": null});
    for text in REGRESSIONS {
        exercise(text, &input);
    }
}

#[test]
fn deeply_nested_expressions_are_rejected_or_evaluated() {
    // A 2 MiB stack, as a runtime's worker thread has: parsing, preparing,
    // evaluating and dropping all stay within it.
    on_stack(2, || {
        for depth in [2_000, 40_000] {
            let cases = [
                format!("{}1{}", "(".repeat(depth), ")".repeat(depth)),
                format!("{}1{}", "[".repeat(depth), "]".repeat(depth)),
                format!("{}1", "-".repeat(depth)),
                format!("{}1{}", "{'a':".repeat(depth), "}".repeat(depth)),
                format!("{}1{}", "$string(".repeat(depth), ")".repeat(depth)),
                format!("{}x", "a.".repeat(depth)),
                format!("1{}", "+1".repeat(depth)),
                format!("1{}", " and true".repeat(depth)),
                format!("true{}", " ? 1 : true".repeat(depth)),
                format!("x{}", "[0]".repeat(depth)),
                format!("($a := 1;{} $a)", " $a := $a + 1;".repeat(depth)),
                "(".repeat(depth),
                "[".repeat(depth),
            ];
            for text in &cases {
                let start = Instant::now();
                let outcome = Expression::compile_with(text, &options())
                    .map(|e| e.evaluate(&json!({}), &Bindings::new()).map(|_| ()));
                let spent = start.elapsed();
                assert!(
                    spent < Duration::from_secs(30),
                    "{}... (depth {depth}) took {spent:?}: {outcome:?}",
                    &text[..20.min(text.len())]
                );
            }
        }
    });
}

#[test]
fn deeply_nested_inputs_are_converted_and_walked() {
    // baton_json::Value drops recursively, so building and dropping these inputs
    // (outside this crate) needs a large stack; converting and walking them here
    // does not.
    on_stack(256, || {
        for depth in [100, 2_000, 20_000] {
            for input in [nested_arrays(depth), nested_objects(depth)] {
                for text in [
                    "$states.input",
                    "$string($states.input)",
                    "$count($states.input.**)",
                    "$states.input.*",
                    "$keys($states.input)",
                    "$states.input = $states.input",
                    "$partition([$states.input], 1)",
                ] {
                    exercise(text, &input);
                }
                let t = Template::compile(&json!({"x": "{% $states.input %}"})).unwrap();
                let _ = t.evaluate(&bindings(input.clone()));
            }
        }
    });
}

/// Pieces expressions are made of, so that random sequences reach deep into the
/// parser and evaluator rather than failing at the first character.
const TOKENS: &[&str] = &[
    "$",
    "$$",
    "$states",
    ".input",
    ".context",
    "$v",
    "$x",
    ":=",
    ";",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    "'a'",
    "\"b\"",
    "1",
    "0",
    "-1",
    "2.5",
    "1e308",
    "true",
    "false",
    "null",
    "+",
    "-",
    "*",
    "/",
    "%",
    "&",
    "=",
    "!=",
    "<",
    ">=",
    "and",
    "or",
    "in",
    "?",
    "??",
    "?:",
    "..",
    "~>",
    "^(",
    "#$i",
    "@$o",
    "**",
    "*",
    ".",
    "a",
    "b",
    "function($x){",
    "λ($y)",
    "$x",
    "$y",
    "$sum(",
    "$map(",
    "$reduce(",
    "$filter(",
    "$string(",
    "$partition(",
    "$range(",
    "$hash(",
    "$random(",
    "$uuid(",
    "$parse(",
    "$eval(",
    "$now(",
    "$millis(",
    "$shuffle(",
    "$sort(",
    "$lookup(",
    "$match(",
    "$replace(",
    "/a+/i",
    "|",
    "`q`",
    " ",
    "\n",
    "/*c*/",
    "'\\u0041'",
    "'MD5'",
    "'SHA-512'",
];

fn expression_strategy() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..40).prop_map(|parts| parts.concat())
}

fn value_strategy() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1e12f64..1e12).prop_map(|f| Value::from(serde_json::json!(f))),
        "[a-z]{0,6}".prop_map(Value::from),
    ];
    leaf.prop_recursive(6, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::array),
            prop::collection::vec(("[a-c]", inner), 0..6).prop_map(|entries| {
                let mut map = Map::default();
                for (k, v) in entries {
                    map.insert(k.into(), v);
                }
                Value::object(map)
            }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn token_soup_never_panics(text in expression_strategy(), input in value_strategy()) {
        exercise(&text, &input);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,60}") {
        exercise(&text, &json!({"a": 1}));
    }

    #[test]
    fn garbled_expressions_never_panic(
        base in prop::sample::select(REGRESSIONS),
        cut in any::<prop::sample::Index>(),
        insert in prop::sample::select(TOKENS),
    ) {
        let chars: Vec<char> = base.chars().collect();
        let at = if chars.is_empty() { 0 } else { cut.index(chars.len() + 1) };
        let text: String = chars[..at].iter().copied().chain(insert.chars()).chain(chars[at..].iter().copied()).collect();
        exercise(&text, &json!({"a": [1, 2]}));
    }

    #[test]
    fn templates_never_panic(text in expression_strategy(), input in value_strategy()) {
        let template = json!({"out": format!("{{%{text}%}}"), "list": [format!("{{%{text}%}}"), 1]});
        if let Ok(t) = Template::compile_with(&template, &options()) {
            let _ = t.evaluate(&bindings(input));
        }
    }
}
