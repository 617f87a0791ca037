//! The memory and nesting bounds: hostile expressions end promptly with AWS's error,
//! holding little memory, and large but legal ones still evaluate.
//!
//! Each hostile expression builds, unbounded, hundreds of megabytes to terabytes (or a
//! value a million levels deep) before anything else could stop it. The memory each
//! one holds is measured in a process of its own (this test binary run again for one
//! expression), on Linux.

use std::time::{Duration, Instant};

use baton_json::{Value, json};
use baton_jsonata::{
    Bindings, DEPTH_EXCEEDED, Expression, JsonataError, Limits, MEMORY_EXCEEDED, Options, Template,
};

/// How long a refusal may take (unoptimised builds included; optimised ones take a
/// few milliseconds to a few hundred).
const PROMPT: Duration = Duration::from_secs(10);

/// The default limits, but time: what these tests check is that the memory and
/// nesting bounds stop each expression, not the clock (which, in an unoptimised
/// build, would stop some first).
fn options() -> Options {
    Options {
        limits: Limits {
            time_limit: Some(Duration::from_secs(60)),
            ..Limits::default()
        },
        ..Options::default()
    }
}

fn evaluate(text: &str) -> (Result<Option<Value>, JsonataError>, Duration) {
    let expr = Expression::compile_with(text, &options()).unwrap_or_else(|e| panic!("{text}: {e}"));
    let start = Instant::now();
    let result = expr.evaluate_input(None, &Bindings::new().with_random_seed(1));
    (result, start.elapsed())
}

fn refused(text: &str, message: &str) {
    let (result, spent) = evaluate(text);
    match result {
        Err(JsonataError::Evaluation {
            code: None,
            message: m,
        }) if m == message => {}
        other => panic!("{text}: expected {message:?}, got {other:?}"),
    }
    assert!(spent < PROMPT, "{text} took {spent:?}");
}

fn over_memory(text: &str) {
    refused(text, MEMORY_EXCEEDED);
}

fn too_deep(text: &str) {
    refused(text, DEPTH_EXCEEDED);
}

fn gives(text: &str, expected: Value) {
    let (result, _) = evaluate(text);
    assert_eq!(result, Ok(Some(expected)), "{text}");
}

/// A string of `n` x's, made in the expression.
fn xs(n: usize) -> String {
    format!("$pad('', {n}, 'x')")
}

/// `($p := ...; $p(seed, n))`: `n` times `step` applied to `$v`, by tail recursion.
fn doubled(step: &str, seed: &str, n: usize) -> String {
    format!("($p := function($v, $n){{ $n = 0 ? $v : $p({step}, $n - 1) }}; $p({seed}, {n}))")
}

#[test]
fn ranges_are_bounded_at_awss_count() {
    // Measured on AWS: 873,782 numbers are accepted, one more is refused.
    gives("[1..873782] ~> $count()", json!(873_782));
    over_memory("[1..873783] ~> $count()");
    over_memory("[1..10000000]");
    over_memory("$sum([1..900000])");
    over_memory("$count($range(1, 900000, 1))");
    // JSONata's own bound on the range operator comes first, as in jsonata-js.
    let (result, _) = evaluate("[1..10000001]");
    assert_eq!(result.unwrap_err().code(), Some("D2014"));
}

#[test]
fn a_doubling_string_is_bounded_at_awss_length() {
    // Measured on AWS: 4,194,304 characters (n = 22) are accepted, 8,388,608 refused.
    let length = |n| format!("$length({})", doubled("$v & $v", "'x'", n));
    gives(&length(22), json!(4_194_304));
    over_memory(&length(23));
    over_memory(&doubled("$v & $v", "'x'", 40));
}

#[test]
fn a_string_grown_in_a_loop_is_refused() {
    over_memory("$reduce([1..10000000], function($a, $v){ $a & 'xxxxxxxxxx' })");
    over_memory(&format!(
        "($s := {}; $reduce([1..10], function($a, $v){{ $a & $s }}))",
        xs(1_000_000)
    ));
}

#[test]
fn pad_is_bounded() {
    over_memory("$pad('x', 1e9)");
    over_memory("$pad('x', -1e9, '€')");
    gives("$length($pad('x', 4000000))", json!(4_000_000));
}

#[test]
fn string_functions_are_bounded_before_they_build() {
    let s = xs(4_000_000);
    over_memory(&format!("($s := {s}; $join([1..800].($s)))"));
    over_memory(&format!("($s := {s}; [$s, $s] ~> $join())"));
    over_memory(&format!("$join([1..800000].('x'), {s})"));
    over_memory(&format!("($s := {s}; $string([1..800000].($s)))"));
    over_memory(&format!("($s := {s}; $replace($s, 'x', $s))"));
    over_memory(&format!(
        "($s := {}; $replace($s, /x/, '$0$0$0'))",
        xs(3_000_000)
    ));
    over_memory(&format!("($s := {}; $split($s, ''))", xs(3_000_000)));
    over_memory(&format!("($s := {}; $match($s, /x/))", xs(3_000_000)));
    over_memory(&format!("({s}) & ({s})"));
    // A copy of a string per item is accounted for as it is made.
    over_memory(&format!("($s := {s}; [1..800000].$string($s))"));
    over_memory(&format!("($s := {s}; [1..800000].($s & ''))"));
}

#[test]
fn functions_over_arrays_are_bounded() {
    let s = xs(4_000_000);
    over_memory(&format!(
        "($s := {s}; $map([1..800000], function($v){{ $s & $v }}))"
    ));
    over_memory(&format!(
        "($s := {s}; $map([1..800000], function($v){{ $s }}))"
    ));
    over_memory(&format!("($s := {s}; $sort([1..800000].($s)))"));
    over_memory(&format!("($s := {s}; $distinct([1..800000].($s)))"));
    over_memory(&format!("($s := {s}; $spread({{'a': $s, 'b': $s}}))"));
    // Not a bound, but no time limit interrupts jsonata-core's own `$distinct`, which
    // compares every item with every other.
    let (result, spent) = evaluate("$count($distinct([1..800000]))");
    assert_eq!(result, Ok(Some(json!(800_000))));
    assert!(spent < PROMPT, "$distinct took {spent:?}");
}

#[test]
fn values_doubled_by_sharing_are_refused_as_they_are_built() {
    // Each of these makes a value of 2^40 items in forty steps, by putting the same
    // value twice into a new one; walking it (an equality, `$string`, descendants,
    // the conversion of the result) would never end.
    for step in [
        "{'a': $v, 'b': $v}",
        "[$v, $v]",
        "$zip($v, $v)",
        "$append($v, $v)",
        "$map([1, 2], function(){ $v })",
        "[1, 2].($v)",
    ] {
        let value = doubled(step, "[{'x': 1}]", 40);
        over_memory(&format!("($x := {value}; $x = $x)"));
        over_memory(&format!("$count({value}.**)"));
        over_memory(&value);
    }
    // Without recursion, one binding after another.
    let bindings = "$a := {'a': $a, 'b': $a}; ".repeat(40);
    over_memory(&format!("($a := {{'x': 1}}; {bindings}$a = $a)"));
}

#[test]
fn values_nested_past_the_bound_are_refused_as_they_are_built() {
    too_deep("$reduce([1..100000], function($a, $v){ {'a': $a} }, {})");
    too_deep("$reduce([1..100000], function($a, $v){ [[$a]] }, [])");
    too_deep("$reduce([1..1000], function($a, $v){ {'a': $a} }, {'z': [1]})");
    // 1,000 levels are allowed.
    let (result, _) = evaluate("$reduce([1..999], function($a, $v){ {'a': $a} }, {})");
    assert_eq!(result.unwrap().unwrap().depth(), 1000);
    let (result, _) =
        evaluate("$length($string($reduce([1..999], function($a, $v){ {'a': $a} }, {}), true))");
    assert!(result.is_ok(), "{result:?}");
}

#[test]
fn large_legal_expressions_still_evaluate() {
    gives("[1..800000] ~> $count()", json!(800_000));
    gives(&format!("$length({})", xs(4_000_000)), json!(4_000_000));
    gives(
        &format!("$length({} & {})", xs(3_000_000), xs(3_000_000)),
        json!(6_000_000),
    );
    gives(
        "$count($map([1..100000], function($v){ {'id': $v, 'name': 'n' & $v} }))",
        json!(100_000),
    );
    gives("$sum([1..100000].($ * 2))", json!(10_000_100_000i64));
    gives("$length($join([1..100000].$string(), ','))", json!(588_894));
    gives(
        "$count($split($join([1..100000].$string(), ','), ','))",
        json!(100_000),
    );
}

#[test]
fn the_bounds_are_aws_errors_in_templates() {
    let t = Template::compile(&json!({"r": "{% [1..900000] ~> $count() %}"})).unwrap();
    let e = t.evaluate(&Bindings::new()).unwrap_err().under("Output");
    assert_eq!(
        e.to_string(),
        "The JSONata expression '[1..900000] ~> $count()' specified for the field 'Output/r' threw an error during evaluation: Expression evaluation memory limit exceeded: Check for excessive memory usage"
    );
}

/// Expressions whose unbounded evaluation takes gigabytes, and the most memory (in
/// MiB, the whole process) each may take here.
const HOSTILE: &[(&str, usize)] = &[
    (
        "$reduce([1..10000000], function($a, $v){ $a & 'xxxxxxxxxx' })",
        64,
    ),
    ("$pad('x', 1e9)", 64),
    ("[1..10000000]", 64),
    (
        "($p := function($s, $n){ $n = 0 ? $s : $p($s & $s, $n - 1) }; $p('x', 40))",
        64,
    ),
    (
        "$reduce([1..100000], function($a, $v){ {'a': $a} }, {})",
        64,
    ),
    (
        "($s := $pad('', 4000000, 'x'); $string([1..800000].($s)))",
        192,
    ),
    (
        "($s := $pad('', 4000000, 'x'); $map([1..800000], function($v){ $s & $v }))",
        192,
    ),
    ("($s := $pad('', 4000000, 'x'); [1..800000].($s & ''))", 192),
    ("($s := $pad('', 3000000, 'x'); $replace($s, 'x', $s))", 64),
    ("($s := $pad('', 3000000, 'x'); $split($s, ''))", 64),
];

/// Runs each hostile expression in a process of its own and checks the most memory
/// it took.
#[test]
#[cfg(target_os = "linux")]
fn hostile_expressions_hold_little_memory() {
    let exe = std::env::current_exe().expect("test binary");
    for (text, mib) in HOSTILE {
        let out = std::process::Command::new(&exe)
            .args([
                "--exact",
                "evaluate_in_this_process",
                "--ignored",
                "--nocapture",
            ])
            .env("BATON_BOUNDS_EXPRESSION", text)
            .output()
            .expect("run the test binary");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{text}: {stdout}");
        let peak_kib: usize = stdout
            .lines()
            .find_map(|l| l.strip_prefix("peak kB: "))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("{text}: no peak in {stdout}"));
        println!("{text}: {} MiB", peak_kib / 1024);
        assert!(
            peak_kib < mib * 1024,
            "{text} took {} MiB (at most {mib} MiB expected)",
            peak_kib / 1024
        );
    }
}

/// The process of [`hostile_expressions_hold_little_memory`]: evaluates the
/// expression it is given, which must fail with a bound's error, and reports the most
/// memory the process took.
#[test]
#[ignore = "run by hostile_expressions_hold_little_memory"]
fn evaluate_in_this_process() {
    let Ok(text) = std::env::var("BATON_BOUNDS_EXPRESSION") else {
        return;
    };
    let (result, _) = evaluate(&text);
    let e = result.expect_err("a bound's error");
    assert!(e.is_limit(), "{text}: {e:?}");
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let peak = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<usize>().ok())
        .expect("VmHWM");
    println!("peak kB: {peak}");
}

/// The rewrite that measures what an expression builds keeps what it means: the same
/// results and errors with the bounds as without them.
#[test]
fn the_bounds_change_no_result() {
    let unbounded = Options {
        limits: Limits {
            max_memory: None,
            max_result_depth: None,
            ..Limits::default()
        },
        ..Options::default()
    };
    let cases = [
        "[1, 2, 2] ~> $distinct()",
        "$distinct([[1], [1], {'a': 1, 'b': 2}, {'b': 2, 'a': 1}, 0, -0])",
        "$map([1], function($x){ $x })[]",
        "[1] ~> $map(function($x){ $x })[]",
        "($j := $join(?, '-'); $j(['a', 'b']))",
        "$map(['a', 'b'], $string)",
        "$map([1, 2], $join)",
        "'a' & 1 & true & null & [1, 2] & {'x': 1} & $undefined",
        "'a' & function(){1}",
        "$string({'a': [1, {'b': 2}]}, true)",
        "[1, 2].$string()",
        "$replace('abcabc', /b/, function($m){ $uppercase($m.match) })",
        "$replace('abcabc', 'b', 'xx', 1)",
        "$split('a,b,,c', ',', 2)",
        "['a,b', 'c'].$split(',')",
        "$match('ab12cd34', /[0-9]+/)",
        "{'o': [{'id': 1, 'p': [{'x': 1}, {'x': 2}]}]}.o.p.{'x': x, 'id': %.id}",
        "[3, 1, 2]^($)",
        "[{'k': 'a', 'v': 1}, {'k': 'a', 'v': 2}]{k: $sum(v)}",
        "($o := {'a': 1}; [$o, $o, [$o]])",
        "$zip([1, 2], [3, 4])",
        "$append([1], [[2]])",
        "[1..3].{'i': $, 's': [$, $]}",
        "$sort([3, 1, 2], function($a, $b){ $a > $b })",
        "$join(['a', 'b'], 1)",
        "$string(1, 2)",
        "$distinct(1, 2)",
    ];
    let bindings = Bindings::new().with_random_seed(1);
    for text in cases {
        let run = |options: &Options| {
            Expression::compile_with(text, options).and_then(|e| e.evaluate_input(None, &bindings))
        };
        assert_eq!(run(&options()), run(&unbounded), "{text}");
    }
    // A variable of a builtin's name is what a call of that name calls.
    let with_variable = Bindings::new().with_var("distinct", json!(5));
    for options in [options(), unbounded] {
        let e = Expression::compile_with("$distinct([1, 1])", &options)
            .unwrap()
            .evaluate_input(None, &with_variable)
            .unwrap_err();
        assert_eq!(e.code(), Some("T1006"), "{e:?}");
    }
}
