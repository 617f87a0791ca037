//! Intrinsic function tests, most of them cases recorded on AWS.

use baton_json::{Value, json};
use proptest::prelude::*;

use super::{Call, Expression, Function, IntrinsicError, classify, is_intrinsic_call};
use crate::scope::StaticScope;

fn run(call: &str, input: &Value) -> Result<Value, IntrinsicError> {
    let call = Call::parse(call).unwrap_or_else(|e| panic!("{call}: {e}"));
    call.eval(input, &mut StaticScope::default())
}

fn ok(call: &str, input: &Value) -> Value {
    run(call, input).unwrap_or_else(|e| panic!("{call}: {e}"))
}

/// `States.X($.FunctionInput.fst, $.FunctionInput.snd)` on `{fst, snd}`, as AWS's
/// recorded cases are written.
fn ok2(function: &str, fst: Value, snd: Value) -> Value {
    ok(
        &format!("States.{function}($.FunctionInput.fst, $.FunctionInput.snd)"),
        &json!({"FunctionInput": {"fst": fst, "snd": snd}}),
    )
}

fn invalid(call: &str, input: &Value) {
    match run(call, input) {
        Err(e @ IntrinsicError::InvalidArguments { .. }) => {
            let name = call.split('(').next().unwrap_or_default();
            assert_eq!(
                e.cause("value.$", input),
                format!("Invalid arguments in {name}")
            );
            assert_eq!(e.error_name(), "States.Runtime");
        }
        other => panic!("{call}: expected invalid arguments, got {other:?}"),
    }
}

#[test]
fn parses_what_aws_accepts() {
    for text in [
        "States.Array()",
        "States.Format('x {} y', $.a, 1, States.MathAdd($.b, 1))",
        "States.Format('Formatting argument {}.', $.FunctionInput)",
        "States.JsonToString($.[?(@.year <= 1998)])",
        "States.Array( $.a , $.b )",
        "States.Array(42, true, null, 'hello', -1.5e3, false)",
        "States.Format('{}', $$.Execution.Name)",
        "States.Format($x, $x.field[0])",
        "States.StringSplit('Hello\nWorld', '\n')",
        "States.Format('\\{\\} \\' \\\\ {}', 1)",
        "States.Array($.a[?(@.b == 'x,y')], $.c.length())",
        "States.UUID()",
    ] {
        let call = Call::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(call.as_str(), text.trim());
    }
    assert_eq!(
        Call::parse("States.Format('{}', $.a, $$.b, $c)")
            .unwrap()
            .paths()
            .len(),
        3
    );
}

#[test]
fn rejects_what_aws_rejects() {
    for text in [
        // Recorded on AWS: an escaped double quote is not a valid escape.
        "States.StringToJson('{\"text\":\"An \\\"escaped double quote\\\" here\"}')",
        "States.Format('He said, \\\"Hello, {}!\\\"', 'Test \\\"Name\\\" Here')",
        "States.Base64Decode('YWJj\\nZA==')",
        "States.Nope(1)",
        "States.Array(",
        "States.Array($.a) trailing",
        "States.Array([1,2])",
        "States.Array(1.)",
        "States.Array(.5)",
        "States.Array(01)",
        "States.ArrayPartition($.arr, )",
        "States.Array('unterminated)",
        "States.Array($.a b)",
        "States.Array(tru)",
        "Format('x')",
        "",
    ] {
        assert!(Call::parse(text).is_err(), "{text}");
    }
    let deep = "States.Array(".repeat(40) + &")".repeat(40);
    assert!(Call::parse(&deep).is_err());
}

#[test]
fn tells_paths_from_calls() {
    assert_eq!(classify("$.a"), Expression::Path);
    assert_eq!(classify("$$"), Expression::Path);
    assert_eq!(classify("States.Array()"), Expression::Call);
    assert!(is_intrinsic_call("States.Format('{}', $.a)"));
    assert!(!is_intrinsic_call("$.a"));
    assert_eq!(Function::from_name("UUID"), Some(Function::Uuid));
    assert_eq!(Function::from_name("Uuid"), None);
}

#[test]
fn format_writes_values_as_aws_does() {
    let t = "States.Format('Formatting argument {}.', $.FunctionInput)";
    for (input, expected) in [
        (json!(""), "Formatting argument ."),
        (json!(" "), "Formatting argument  ."),
        (json!("HelloWorld"), "Formatting argument HelloWorld."),
        (json!(null), "Formatting argument null."),
        (json!(1), "Formatting argument 1."),
        (json!(1.1), "Formatting argument 1.1."),
        (
            json!("{\"Arg1\": 1, \"Arg2\": []}"),
            "Formatting argument {\"Arg1\": 1, \"Arg2\": []}.",
        ),
        // Recorded on AWS (test_format_2): objects as Java maps.
        (
            json!({"Arg1": 1, "Arg2": []}),
            "Formatting argument {Arg1=1, Arg2=[]}.",
        ),
        (
            json!([1, "a", {"b": null}]),
            "Formatting argument [1, a, {b=null}].",
        ),
        (json!(1e7), "Formatting argument 1.0E7."),
        (json!(100.0), "Formatting argument 100.0."),
    ] {
        assert_eq!(ok(t, &json!({"FunctionInput": input})), json!(expected));
    }
    // Recorded on AWS: Format in a Fail state's CausePath.
    assert_eq!(
        ok(
            "States.Format('This is a custom error message for {}, caused by {}.', $.Error, $.Cause)",
            &json!({"Error": "error string", "Cause": "cause string"})
        ),
        json!("This is a custom error message for error string, caused by cause string.")
    );
    assert_eq!(
        ok("States.Format('\\{\\} {}', 'x')", &json!({})),
        json!("{} x")
    );
    assert_eq!(
        ok("States.Format('no placeholders')", &json!({})),
        json!("no placeholders")
    );
    assert_eq!(
        ok(
            "States.Format($.t, $.n)",
            &json!({"t": "Hello {}", "n": "Ada"})
        ),
        json!("Hello Ada")
    );
    for bad in [
        "States.Format('{} {}', 'x')",
        "States.Format('{}', 'x', 'y')",
        "States.Format('Hello {', 'x')",
        "States.Format('Hello {{}}', 'x')",
        "States.Format('}')",
        "States.Format($.n, 'x')",
        "States.Format()",
    ] {
        invalid(bad, &json!({"n": 123}));
    }
}

#[test]
fn json_functions() {
    // Recorded on AWS (test_json_to_string).
    for (input, expected) in [
        (json!(null), "null"),
        (json!(0), "0"),
        (json!(1.1), "1.1"),
        (json!(true), "true"),
        (json!("HelloWorld"), "\"HelloWorld\""),
        (json!([1, 2, "HelloWorld"]), "[1,2,\"HelloWorld\"]"),
        (json!({"Arg1": 1, "Arg2": []}), "{\"Arg1\":1,\"Arg2\":[]}"),
    ] {
        assert_eq!(
            ok(
                "States.JsonToString($.FunctionInput)",
                &json!({"FunctionInput": input})
            ),
            json!(expected)
        );
    }
    // Recorded on AWS (test_string_to_json).
    for (text, expected) in [
        ("", json!(null)),
        (" ", json!(null)),
        ("null", json!(null)),
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
    ] {
        let out = ok(
            "States.StringToJson($.FunctionInput)",
            &json!({"FunctionInput": text}),
        );
        assert_eq!(out.to_json_string(), expected.to_json_string(), "{text}");
    }
    invalid("States.StringToJson($.s)", &json!({"s": "{nope"}));
    invalid("States.StringToJson($.s)", &json!({"s": 1}));
    // Recorded on AWS (test_json_merge): shallow, the second object wins.
    assert_eq!(
        ok(
            "States.JsonMerge($.FunctionInput.fst, $.FunctionInput.snd, false)",
            &json!({"FunctionInput": {
                "fst": {"a": {"a1": 1, "a2": 2}, "b": 2, "d": 3},
                "snd": {"a": {"a3": 1, "a4": 2}, "c": 3, "d": 4}
            }})
        ),
        json!({"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3, "d": 4})
    );
    // Recorded on AWS (test_json_merge_escaped_argument).
    let mut scope = StaticScope {
        context: json!({"Execution": {"Input": {"input_field": {"constant_input_field": "constant_value"}}}}),
        ..StaticScope::default()
    };
    let call = Call::parse(
        "States.JsonMerge(States.StringToJson('{\"constant_in_literal\": \"false\"}'), $$.Execution.Input.input_field, false)",
    )
    .unwrap();
    assert_eq!(
        call.eval(&json!({}), &mut scope).unwrap(),
        json!({"constant_input_field": "constant_value", "constant_in_literal": "false"})
    );
    invalid("States.JsonMerge($.a, $.a, true)", &json!({"a": {}}));
    invalid("States.JsonMerge($.a, 1, false)", &json!({"a": {}}));
}

#[test]
fn array_functions() {
    assert_eq!(ok("States.Array()", &json!({})), json!([]));
    assert_eq!(
        ok(
            "States.Array(42, true, null, 'hello', $.a)",
            &json!({"a": {"k": 1}})
        ),
        json!([42, true, null, "hello", {"k": 1}])
    );
    // Recorded on AWS (test_array_contains).
    for (fst, snd, expected) in [
        (json!([]), json!(null), false),
        (json!([]), json!([]), false),
        (json!([]), json!(1), false),
        (json!([[1, 2, 3], 2]), json!(null), false),
        (json!([[1, 2, 3], 2]), json!([1, 2, 3]), true),
        (json!([{"1": 2, "2": []}]), json!([]), false),
        (json!([{"1": 2, "2": []}]), json!({"1": 2, "2": []}), true),
        (json!([true, false]), json!(true), true),
        (json!([true, false]), json!(false), true),
    ] {
        assert_eq!(ok2("ArrayContains", fst, snd), json!(expected));
    }
    // Recorded on AWS (test_array_get_item, test_array_length).
    assert_eq!(
        ok2("ArrayGetItem", json!([1, 2, 3, 4, 5, 6, 7, 8, 9]), json!(5)),
        json!(6)
    );
    assert_eq!(
        ok(
            "States.ArrayLength($.FunctionInput)",
            &json!({"FunctionInput": [1, 2, 3, 4, 5, 6, 7, 8, 9]})
        ),
        json!(9)
    );
    assert_eq!(
        ok2("ArrayGetItem", json!([10, 20, 30]), json!(1.2)),
        json!(20)
    );
    assert_eq!(ok2("ArrayGetItem", json!([]), json!(999)), json!(null));
    invalid("States.ArrayGetItem($.a, 3)", &json!({"a": [10, 20, 30]}));
    invalid("States.ArrayGetItem($.a, -1)", &json!({"a": [10, 20, 30]}));
    invalid("States.ArrayGetItem($.a, '1')", &json!({"a": [10, 20, 30]}));
    invalid("States.ArrayLength('x')", &json!({}));
    // Ranges: inclusive, truncated bounds, at most 1000 elements.
    assert_eq!(
        ok("States.ArrayRange(1, 9, 2)", &json!({})),
        json!([1, 3, 5, 7, 9])
    );
    assert_eq!(
        ok("States.ArrayRange(0, 3, 1)", &json!({})),
        json!([0, 1, 2, 3])
    );
    assert_eq!(
        ok("States.ArrayRange(5, 1, -2)", &json!({})),
        json!([5, 3, 1])
    );
    assert_eq!(ok("States.ArrayRange(3, 3, -1)", &json!({})), json!([3]));
    assert_eq!(ok("States.ArrayRange(5, 1, 1)", &json!({})), json!([]));
    assert_eq!(
        ok("States.ArrayRange(1.4, 5.6, 2.2)", &json!({})),
        json!([1, 3, 5])
    );
    assert_eq!(
        ok("States.ArrayRange(1, 1000, 1)", &json!({}))
            .as_array()
            .map(<[Value]>::len),
        Some(1000)
    );
    invalid("States.ArrayRange(1, 1001, 1)", &json!({}));
    invalid("States.ArrayRange(1, 10, 0.49)", &json!({}));
    invalid("States.ArrayRange('a', 5, 1)", &json!({}));
    invalid("States.ArrayRange(1, 5)", &json!({}));
    // Partitions.
    assert_eq!(
        ok(
            "States.ArrayPartition($.a, 4)",
            &json!({"a": [1, 2, 3, 4, 5, 6, 7, 8, 9]})
        ),
        json!([[1, 2, 3, 4], [5, 6, 7, 8], [9]])
    );
    assert_eq!(
        ok(
            "States.ArrayPartition($.a, 2.6)",
            &json!({"a": [1, 2, 3, 4, 5]})
        ),
        json!([[1, 2], [3, 4], [5]])
    );
    assert_eq!(
        ok("States.ArrayPartition($.a, 3)", &json!({"a": []})),
        json!([])
    );
    for bad in ["0", "-1", "0.6", "'2'", "null"] {
        invalid(
            &format!("States.ArrayPartition($.a, {bad})"),
            &json!({"a": [1]}),
        );
    }
    invalid("States.ArrayPartition('x', 2)", &json!({}));
    // Unique: first occurrences, Java equality.
    assert_eq!(
        ok(
            "States.ArrayUnique($.a)",
            &json!({"a": [null, null, true, true, 1, 1, 1.0, "x", "x", [], [], {"a": 1, "b": 2}, {"b": 2, "a": 1}, {"a": 1, "b": 1}]})
        ),
        json!([null, true, 1, 1.0, "x", [], {"a": 1, "b": 2}, {"a": 1, "b": 1}])
    );
}

#[test]
fn encoding_functions() {
    // Recorded on AWS (test_base_64_encode) and in the variables case.
    assert_eq!(ok("States.Base64Encode($.s)", &json!({"s": ""})), json!(""));
    assert_eq!(
        ok("States.Base64Encode($.s)", &json!({"s": "Data to encode"})),
        json!("RGF0YSB0byBlbmNvZGU=")
    );
    assert_eq!(
        ok("States.Base64Encode('Hello World')", &json!({})),
        json!("SGVsbG8gV29ybGQ=")
    );
    assert_eq!(ok("States.Base64Encode('✓')", &json!({})), json!("4pyT"));
    assert_eq!(
        ok("States.Base64Decode('SGVsbG8gV29ybGQ=')", &json!({})),
        json!("Hello World")
    );
    assert_eq!(
        ok("States.Base64Decode('44GT44KT44Gr44Gh44Gv')", &json!({})),
        json!("こんにちは")
    );
    assert_eq!(
        ok("States.Base64Decode('YWJjAGRlZg==')", &json!({})),
        json!("abc\u{0}def")
    );
    // Lenient, as AWS is with these.
    assert_eq!(
        ok("States.Base64Decode(' YWJjZA== ')", &json!({})),
        json!("abcd")
    );
    assert_eq!(
        ok("States.Base64Decode('abc')", &json!({})),
        json!("i\u{fffd}")
    );
    assert!(run("States.Base64Decode('!!!invalid!!!')", &json!({})).is_ok());
    assert!(run("States.Base64Decode('ab==cd')", &json!({})).is_ok());
    let long = "a".repeat(10_001);
    invalid("States.Base64Encode($.s)", &json!({"s": long}));
    assert!(
        run(
            "States.Base64Encode($.s)",
            &json!({"s": "a".repeat(10_000)})
        )
        .is_ok()
    );
    invalid("States.Base64Encode(123)", &json!({}));
    invalid("States.Base64Encode()", &json!({}));
    invalid("States.Base64Decode($.o)", &json!({"o": {}}));
}

#[test]
fn hash_function() {
    // Recorded on AWS (test_hash).
    for (algorithm, expected) in [
        ("MD5", "812f45842bc6d66ee14572ce20db8e86"),
        ("SHA-1", "aaff4a450a104cd177d28d18d74485e8cae074b7"),
        (
            "SHA-256",
            "b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3",
        ),
        (
            "SHA-384",
            "d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562",
        ),
        (
            "SHA-512",
            "6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce2deba23bf2954f0f1d593fc50283731a533d30d425402d4f91316d871303aac4",
        ),
    ] {
        assert_eq!(
            ok2("Hash", json!("input data"), json!(algorithm)),
            json!(expected)
        );
    }
    assert_eq!(
        ok("States.Hash('Hash this string', 'SHA-256')", &json!({})),
        json!("1cac63f39fd68d8c531f27b807610fb3d50f0fc3f186995767fb6316e7200a3e")
    );
    for bad in ["'sha-256'", "'SHA256'", "'MD-5'", "''", "123"] {
        invalid(&format!("States.Hash('data', {bad})"), &json!({}));
    }
    invalid("States.Hash('hello')", &json!({}));
    invalid("States.Hash($.s, 'MD5')", &json!({"s": "a".repeat(10_001)}));
}

#[test]
fn math_functions() {
    // Recorded on AWS (test_math_add): each argument rounded as Java's Math.round.
    for (fst, snd, sum) in [
        (json!(-9), json!(3), -6),
        (json!(1.49), json!(1.5), 3),
        (json!(1.5), json!(1.51), 4),
        (json!(-1.49), json!(-1.5), -2),
        (json!(-1.5), json!(-1.51), -3),
        (json!(1.49), json!(0), 1),
        (json!(1.49), json!(-1.49), 0),
        (json!(1.5), json!(0), 2),
        (json!(1.51), json!(0), 2),
        (json!(-1.49), json!(0), -1),
        (json!(-1.5), json!(0), -1),
        (json!(-1.51), json!(0), -2),
        (json!(0.5), json!(0), 1),
        (json!(2.5), json!(0), 3),
        (json!(3.5), json!(0), 4),
        (json!(-0.5), json!(0.5), 1),
        (json!(-0.5), json!(0), 0),
        (json!(-1.5), json!(0), -1),
        (json!(-2.5), json!(0), -2),
        (json!(-3.5), json!(0), -3),
    ] {
        assert_eq!(
            ok2("MathAdd", fst.clone(), snd.clone()),
            json!(sum),
            "{fst} + {snd}"
        );
    }
    invalid(
        "States.MathAdd($.a, $.b)",
        &json!({"a": 1, "b": "NOT A NUMBER"}),
    );
    invalid("States.MathAdd(1)", &json!({}));
    // Random: in [start, end), bounds truncated; a seed fixes the value.
    let mut scope = StaticScope::default();
    for _ in 0..200 {
        let v = Call::parse("States.MathRandom(1.6, 5.4)")
            .unwrap()
            .eval(&json!({}), &mut scope)
            .unwrap();
        let n = v.as_i64().unwrap();
        assert!((1..5).contains(&n), "{n}");
    }
    let seeded = ok("States.MathRandom(1, 100, 42)", &json!({}));
    assert_eq!(ok("States.MathRandom(1, 100, 42)", &json!({})), seeded);
    // `1 + new java.util.Random(42).nextInt(99)`.
    assert_eq!(seeded, json!(63));
    for bad in [
        "1, 1",
        "10, 5",
        "1.4, 1.6",
        "'a', 10",
        "1, 10, 'seed'",
        "1, 10, null",
        "1",
        "1, 10, 5, 99",
    ] {
        invalid(&format!("States.MathRandom({bad})"), &json!({}));
    }
}

#[test]
fn string_and_uuid_functions() {
    // Recorded on AWS (test_string_split, test_escape_sequence).
    for (text, delimiters, expected) in [
        (" ", ",", json!([" "])),
        (" , ", ",", json!([" ", " "])),
        (", , ,", ",", json!([" ", " "])),
        (",,,,", ",", json!([])),
        ("1,2,3,4,5", ",", json!(["1", "2", "3", "4", "5"])),
        (
            "This.is+a,test=string",
            ".+,=",
            json!(["This", "is", "a", "test", "string"]),
        ),
        (
            "split on T and \nnew line",
            "T\n",
            json!(["split on ", " and ", "new line"]),
        ),
    ] {
        assert_eq!(ok2("StringSplit", json!(text), json!(delimiters)), expected);
    }
    assert_eq!(
        ok("States.StringSplit('Hello\nWorld', '\n')", &json!({})),
        json!(["Hello", "World"])
    );
    invalid("States.StringSplit(1, ',')", &json!({}));
    let uuid = ok("States.UUID()", &json!({}));
    let uuid = uuid.as_str().unwrap();
    assert_eq!(uuid.len(), 36);
    assert_eq!(&uuid[14..15], "4");
    assert!(matches!(&uuid[19..20], "8" | "9" | "a" | "b"));
    assert!(
        uuid.chars()
            .all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
    invalid("States.UUID(1)", &json!({}));
}

#[test]
fn nested_calls_and_missing_paths() {
    let mut scope = StaticScope {
        context: json!({"StateMachine": {"Name": "machine-abc-12"}}),
        ..StaticScope::default()
    };
    // Recorded on AWS (test_nested_calls_1 and _2).
    for (text, expected) in [
        (
            "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), 0)",
            "machine",
        ),
        (
            "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), States.MathAdd(States.ArrayLength(States.StringSplit($$.StateMachine.Name, '-')), -1))",
            "12",
        ),
    ] {
        assert_eq!(
            Call::parse(text)
                .unwrap()
                .eval(&json!({}), &mut scope)
                .unwrap(),
            json!(expected)
        );
    }
    let e = run("States.Base64Encode($.missing)", &json!({})).unwrap_err();
    assert_eq!(
        e.cause("value.$", &json!({})),
        "The JSONPath '$.missing' specified for the field 'value.$' could not be found in the input '{}'"
    );
    assert_eq!(e.error_name(), "States.Runtime");
}

/// `States.Array($.s, $.s, ...)`, `n` times.
fn shared(n: usize) -> String {
    format!("States.Array({})", vec!["$.s"; n].join(", "))
}

/// A call that would build a value larger than any state holds fails with
/// `States.DataLimitExceeded` (AWS's error and cause for a state's payload past the
/// limit), promptly and before the value is built.
fn too_large(call: &str, input: &Value) {
    let mut scope = StaticScope {
        context: json!({"State": {"Name": "Build"}}),
        ..StaticScope::default()
    };
    let start = std::time::Instant::now();
    let result = Call::parse(call).unwrap().eval(input, &mut scope);
    let spent = start.elapsed();
    match result {
        Err(e @ IntrinsicError::DataLimitExceeded { .. }) => {
            assert_eq!(e.error_name(), "States.DataLimitExceeded");
            assert_eq!(
                e.cause("value.$", input),
                "The state/task 'Build' returned a result with a size exceeding the maximum number of bytes service limit."
            );
        }
        other => panic!(
            "{}: expected too large, got {other:?}",
            &call[..call.len().min(80)]
        ),
    }
    assert!(spent < std::time::Duration::from_secs(5), "took {spent:?}");
}

#[test]
fn values_too_large_for_any_state_are_not_built() {
    let input = json!({"s": "x".repeat(200_000)});
    // 35 times 200,000 characters: past 6,990,256 bytes.
    too_large(&shared(35), &input);
    assert!(run(&shared(34), &input).is_ok());
    let placeholders = "{}".repeat(35);
    too_large(
        &format!(
            "States.Format('{placeholders}', {})",
            vec!["$.s"; 35].join(", ")
        ),
        &input,
    );
    // Arrays of arrays sharing one value stand for far more than they take: each
    // level is refused as soon as it would be too large, and the text never written.
    let nested = format!("States.Array({})", vec![shared(30); 30].join(", "));
    too_large(&nested, &input);
    too_large(&format!("States.JsonToString({})", shared(35)), &input);
    too_large(&format!("States.ArrayPartition({}, 1)", shared(35)), &input);
    let text = "x".repeat(2_000_000);
    too_large(
        "States.Format('{}{}{}{}', $.t, $.t, $.t, $.t)",
        &json!({"t": text}),
    );
    // Hash refuses data past 10,000 characters without writing it out.
    let start = std::time::Instant::now();
    invalid(&format!("States.Hash({}, 'MD5')", shared(30)), &input);
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
    // The measure of a Format is of what it writes.
    assert_eq!(
        ok(
            "States.Format('{} and {}', $.o, States.Array(1, 2))",
            &json!({"o": {"a": "b"}})
        ),
        json!("{a=b} and [1, 2]")
    );
}

fn sample() -> Value {
    json!({"a": [1, "x", {"b": 2}], "s": "text", "n": 2.5, "o": {"k": "v"}})
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn parse_and_eval_never_panic(text in "\\PC{0,60}") {
        if let Ok(call) = Call::parse(&text) {
            let _ = call.eval(&sample(), &mut StaticScope::default());
        }
    }

    #[test]
    fn call_like_text_never_panics(
        name in prop::sample::select(Function::ALL.to_vec()),
        args in prop::collection::vec(
            prop::sample::select(vec![
                "$.a", "$.s", "$.n", "$.o", "$.missing", "$", "1", "-2.5", "0", "3",
                "'{}'", "'a,b'", "'SHA-256'", "true", "false", "null", "'{} {}'",
                "States.Array(1, 2)", "$.a[*]", "1000000", "-1000000",
            ]),
            0..4,
        ),
    ) {
        let text = format!("{}({})", name.name(), args.join(", "));
        let call = Call::parse(&text).unwrap();
        let _ = call.eval(&sample(), &mut StaticScope::default());
    }
}
