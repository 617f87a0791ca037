//! Path tests: Jayway's grammar and results, AWS's recorded cases, ResultPath.

use std::sync::Arc;

use baton_json::{Value, json};
use proptest::prelude::*;

use super::{Path, PathError, Root};
use crate::scope::StaticScope;

fn eval(path: &str, input: &Value) -> Result<Value, PathError> {
    Path::parse(path)
        .unwrap()
        .eval(input, &StaticScope::default())
}

fn ok(path: &str, input: &Value) -> Value {
    eval(path, input).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn err(path: &str, input: &Value) -> String {
    match eval(path, input) {
        Err(e) => e.to_string(),
        Ok(v) => panic!("{path}: expected an error, got {v}"),
    }
}

#[test]
fn parses_roots_and_steps() {
    for text in [
        "$",
        "$$",
        "$.a",
        "$$.Execution.Input",
        "$x",
        "$x.field[0]",
        "$_y",
        "$['a b']",
        "$[\"a\"]",
        "$['a','b']",
        "$.a[0]",
        "$.a[-1]",
        "$.a[0,1]",
        "$.a[1:3]",
        "$.a[:2]",
        "$.a[-2:]",
        "$.a[*]",
        "$.*",
        "$..name",
        "$..*",
        "$..[0]",
        "$.a[?(@.price < 10 && @.name == 'x')]",
        "$.a[?(@.isbn)]",
        "$.[?(@.year <= 1999)]",
        "$.a.length()",
        "$..price.sum()",
        "$.a-b",
        "$.a:b",
        " $.a ",
    ] {
        assert!(Path::parse(text).is_ok(), "{text}");
    }
}

#[test]
fn rejects_what_jayway_rejects() {
    for (text, message) in [
        ("", "Path must not be null or empty"),
        ("a.b", "Path must start with '$'"),
        ("$.", "Path must not end with a '.' or '..'"),
        ("$..", "Path must not end with a '.' or '..'"),
        ("$.a.", "Path must not end with a '.' or '..'"),
        (
            "$a b",
            "Illegal character at position 2 expected '.' or '['",
        ),
        (
            "$ .a",
            "Illegal character at position 1 expected '.' or '['",
        ),
        ("$...a", "Character '.' on position 3 is not valid."),
        (
            "$.a b",
            "Use bracket notion ['my prop'] if your property contains blank characters. position: 2",
        ),
        ("$['a'", "Property has not been closed - missing closing ]"),
        ("$['a]", "Property has not been closed - missing closing '"),
        (
            "$[1",
            "Could not parse token starting at position 1. Expected ?, ', 0-9, * ",
        ),
        (
            "$[a]",
            "Could not parse token starting at position 1. Expected ?, ', 0-9, * ",
        ),
        (
            "$[*",
            "Expected wildcard token to end with ']' on position 3",
        ),
        ("$.a.nope()", "Function with name: nope does not exist."),
        (
            "$.a.length(",
            "Arguments to function: 'length' are not closed properly.",
        ),
        ("$[1:-]", "Failed to parse SliceOperation: 1:-"),
        ("$[:]", "Failed to parse SliceOperation: :"),
    ] {
        match Path::parse(text) {
            Err(e) => assert_eq!(e.message, message, "{text}"),
            Ok(p) => panic!("{text} parsed as {p:?}"),
        }
    }
    // Cases without a Jayway message to match: only the rejection counts.
    for text in [
        "$.a[?(@.a =~ /x/)]",
        "$.a.length().b",
        "$..length()",
        "$.a[?(@.a ==)]",
        "@.a",
    ] {
        assert!(Path::parse(text).is_err(), "{text}");
    }
}

#[test]
fn knows_its_roots_and_kind() {
    let p = Path::parse("$x.a[0]").unwrap();
    assert_eq!(p.root(), &Root::Variable("x".into()));
    assert_eq!(p.variable(), Some("x"));
    assert!(p.is_reference() && p.is_definite());
    assert_eq!(Path::parse("$$.a").unwrap().root(), &Root::Context);
    for text in [
        "$.a[*]",
        "$..a",
        "$.a[0,1]",
        "$.a[1:]",
        "$.a[?(@.b)]",
        "$.a.length()",
        "$['a','b']",
    ] {
        assert!(!Path::parse(text).unwrap().is_reference(), "{text}");
    }
    for text in [
        "$",
        "$.a",
        "$['a']",
        "$.a[3].b",
        "$['a','b']",
        "$.a.length()",
        "$..a.sum()",
    ] {
        assert!(Path::parse(text).unwrap().is_definite(), "{text}");
    }
}

#[test]
fn definite_paths_yield_bare_values() {
    let input =
        json!({"a": {"b": [10, 20, 30], "c": null}, "items": [{"item_key": 0}, {"item_key": 1}]});
    assert_eq!(ok("$", &input), input);
    assert_eq!(ok("$.a.b", &input), json!([10, 20, 30]));
    assert_eq!(ok("$['a']['b'][1]", &input), json!(20));
    assert_eq!(ok("$.a.b[-1]", &input), json!(30));
    assert_eq!(ok("$.a.c", &input), Value::Null);
    assert_eq!(ok("$.items[1]", &input), json!({"item_key": 1}));
    assert_eq!(
        ok("$.a['b','c','zz']", &input),
        json!({"b": [10, 20, 30], "c": null})
    );
    assert_eq!(ok("$.a.b.length()", &input), json!(3));
    assert_eq!(ok("$.a.length()", &input), json!(2));
    assert_eq!(ok("$.a.b.sum()", &input), json!(60.0));
    assert_eq!(ok("$.a.b.avg()", &input), json!(20.0));
    assert_eq!(ok("$.a.b.max()", &input), json!(30.0));
    assert_eq!(ok("$.a.b.first()", &input), json!(10));
    assert_eq!(ok("$.a.keys()", &input), json!(["b", "c"]));
}

#[test]
fn root_alone_is_the_same_allocation() {
    let input = json!({"big": [1, 2, 3]});
    let out = ok("$", &input);
    let (Value::Object(a), Value::Object(b)) = (&input, &out) else {
        panic!("objects expected")
    };
    assert!(Arc::ptr_eq(a, b));
}

#[test]
fn missing_steps_fail_with_jaywayss_messages() {
    let input = json!({"a": {"b": "text"}, "list": [1], "nothing": null});
    // Recorded on AWS: `Invalid path '$.no.such.result.path' : Missing property in path $['no']`.
    let e = eval("$.no.such.result.path", &input).unwrap_err();
    assert_eq!(
        e.invalid_path_cause("$.no.such.result.path"),
        "Invalid path '$.no.such.result.path' : Missing property in path $['no']"
    );
    assert_eq!(e.error_name(), "States.Runtime");
    // Recorded on AWS: `Invalid path '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']`.
    assert_eq!(
        err("$.NoSuchInputPath", &input),
        "No results for path: $['NoSuchInputPath']"
    );
    assert_eq!(err("$.a.zz", &input), "No results for path: $['a']['zz']");
    assert_eq!(
        err("$.list[3]", &input),
        "No results for path: $['list'][3]"
    );
    assert_eq!(
        err("$.list[3].x", &input),
        "No results for path: $['list'][3]['x']"
    );
    assert_eq!(err("$.nothing[0]", &input), "The path $['nothing'] is null");
    assert_eq!(
        err("$.a.b.c", &input),
        "Expected to find an object with property ['c'] in path $['a']['b'] but found 'java.lang.String'. This is not a json object according to the JsonProvider: 'com.jayway.jsonpath.spi.json.JacksonJsonProvider'."
    );
    assert_eq!(
        err("$.a[0]", &input),
        "Filter: [0] can only be applied to arrays. Current context is: {b=text}"
    );
}

#[test]
fn indefinite_paths_yield_arrays_and_never_fail() {
    // Recorded on AWS (test_json_path_array_wildcard_or_slice_with_no_input): all `[]`.
    for path in [
        "$[*]",
        "$.item.items[*]",
        "$.item.items[1:]",
        "$.item.items[:1]",
        "$.item.items[1:5]",
        "$.item.items[1:5].itemValue",
        "$.items[*]",
        "$.items[*].itemValue",
        "$.items[:1]",
        "$.items[1:]",
        "$.items[:1].itemValue",
        "$.items[1:].itemValue",
    ] {
        assert_eq!(ok(path, &json!({})), json!([]), "{path}");
    }
    let input = json!({"a": [{"x": 1}, {"y": 2}, {"x": 3}], "o": {"p": 1, "q": 2}});
    assert_eq!(ok("$.a[*].x", &input), json!([1, 3]));
    assert_eq!(ok("$.o.*", &input), json!([1, 2]));
    assert_eq!(ok("$.a[0,2].x", &input), json!([1, 3]));
    assert_eq!(ok("$.a[1:].x", &input), json!([3]));
    assert_eq!(ok("$.a[-1:]", &input), json!([{"x": 3}]));
    assert_eq!(ok("$.a[:-1]", &input), json!([{"x": 1}, {"y": 2}]));
    // Jayway walks `[a:b]` from `a` as written, negative indexes counting from the end.
    assert_eq!(
        ok("$.a[-2:2]", &input),
        json!([{"y": 2}, {"x": 3}, {"x": 1}, {"y": 2}])
    );
    assert_eq!(ok("$.a[1:-1]", &input), json!([]));
    assert_eq!(ok("$..x", &input), json!([1, 3]));
    assert_eq!(ok("$['o','a'][0]", &input), json!([{"x": 1}]));
    assert_eq!(ok("$.a[*].length()", &input), json!([1, 1, 1]));
    assert_eq!(ok("$..x.sum()", &input), json!(4.0));
}

#[test]
fn filters_select_as_jayway_does() {
    // Recorded on AWS (test_state_pass_regex_json_path_base).
    let users = json!({"users": [{"year": 1997, "status": 0}, {"year": 1998, "status": 1}]});
    assert_eq!(
        ok("$.users[?(@.status == 0)]", &users),
        json!([{"year": 1997, "status": 0}])
    );
    let years = json!([{"year": 1997, "name": "a"}, {"year": 1999, "name": "b"}, {"name": "c"}]);
    assert_eq!(ok("$[?(@.year <= 1998)].name", &years), json!(["a"]));
    assert_eq!(ok("$.[?(@.year < 1999)].name", &years), json!(["a"]));
    assert_eq!(ok("$[?(@.year)].name", &years), json!(["a", "b"]));
    assert_eq!(ok("$[?(!@.year)].name", &years), json!(["c"]));
    assert_eq!(ok("$[?(@.year != 1997)].name", &years), json!(["b", "c"]));
    assert_eq!(
        ok(
            "$[?(@.year > 1996 && (@.name == 'b' || @.name == \"a\"))].name",
            &years
        ),
        json!(["a", "b"])
    );
    assert_eq!(
        ok("$[?(@.name in ['a','c'])].name", &years),
        json!(["a", "c"])
    );
    assert_eq!(ok("$[?(@.name nin ['a','c'])].name", &years), json!(["b"]));
    // A number and a string compare by value, as in Jayway.
    let status = json!([{"Status": 200}, {"Status": 500}]);
    assert_eq!(
        ok("$[?(@.Status != '200')]", &status),
        json!([{"Status": 500}])
    );
    let tags = json!([{"t": ["x", "y"]}, {"t": []}, {"t": "xyz"}]);
    assert_eq!(
        ok("$[?(@.t contains 'x')].t", &tags),
        json!([["x", "y"], "xyz"])
    );
    assert_eq!(ok("$[?(@.t size 2)].t", &tags), json!([["x", "y"]]));
    assert_eq!(ok("$[?(@.t empty true)].t", &tags), json!([[]]));
    // `$` inside a filter is the document.
    let doc = json!({"limit": 2, "items": [{"n": 1}, {"n": 3}]});
    assert_eq!(ok("$.items[?(@.n < $.limit)]", &doc), json!([{"n": 1}]));
    // A filter on an object tests the object itself.
    assert_eq!(ok("$[?(@.limit == 2)].limit", &doc), json!([2]));
    // Deep scan with a filter.
    let deep = json!({"a": {"b": [{"price": 5}, {"price": 15}], "price": 1}});
    assert_eq!(ok("$..[?(@.price < 10)].price", &deep), json!([1, 5]));
}

#[test]
fn roots_read_the_scope() {
    let mut scope = StaticScope {
        context: json!({"Execution": {"Input": {"k": "v"}}}),
        ..StaticScope::default()
    };
    scope.variables.insert("x".into(), json!({"field": [7, 8]}));
    let input = json!({});
    let read = |p: &str| Path::parse(p).unwrap().eval(&input, &scope);
    assert_eq!(read("$$.Execution.Input.k").unwrap(), json!("v"));
    assert_eq!(read("$$").unwrap(), scope.context);
    assert_eq!(read("$x.field[1]").unwrap(), json!(8));
    assert_eq!(read("$x").unwrap(), json!({"field": [7, 8]}));
    assert_eq!(
        read("$y").unwrap_err(),
        PathError::UndefinedVariable { name: "y".into() }
    );
}

#[test]
fn result_path_writes_and_copies_only_what_it_changes() {
    let set = |p: &str, t: &Value, v: Value| Path::parse(p).unwrap().set(t.clone(), v);
    let input = json!({"keep": {"deep": [1, 2]}, "a": {"b": 1}});
    assert_eq!(set("$", &input, json!(5)).unwrap(), json!(5));
    let out = set("$.a.c", &input, json!("x")).unwrap();
    assert_eq!(
        out,
        json!({"keep": {"deep": [1, 2]}, "a": {"b": 1, "c": "x"}})
    );
    assert_eq!(input, json!({"keep": {"deep": [1, 2]}, "a": {"b": 1}}));
    // The untouched member is shared, not copied.
    let (Some(Value::Object(k1)), Some(Value::Object(k2))) = (input.get("keep"), out.get("keep"))
    else {
        panic!("objects expected")
    };
    assert!(Arc::ptr_eq(k1, k2));
    assert_eq!(
        set("$.new.deeper.leaf", &input, json!(1)).unwrap(),
        json!({"keep": {"deep": [1, 2]}, "a": {"b": 1}, "new": {"deeper": {"leaf": 1}}})
    );
    assert_eq!(
        set("$['a']['b']", &input, json!(2)).unwrap(),
        json!({"keep": {"deep": [1, 2]}, "a": {"b": 2}})
    );
    assert_eq!(
        set("$.keep.deep[1]", &input, json!(9)).unwrap(),
        json!({"keep": {"deep": [1, 9]}, "a": {"b": 1}})
    );
}

#[test]
fn result_path_fails_where_the_input_is_not_an_object() {
    let set = |p: &str, t: Value| Path::parse(p).unwrap().set(t, json!(1));
    // Seen on AWS: `Unable to apply ReferencePath $.partitioned to input "{\"min_size\":...}"`.
    let e = set("$.partitioned", json!("{\"min_size\":10000}")).unwrap_err();
    assert_eq!(e.error_name(), "States.ResultPathMatchFailure");
    assert_eq!(
        e.to_string(),
        r#"Unable to apply ReferencePath $.partitioned to input "{\"min_size\":10000}""#
    );
    assert!(set("$.a.b", json!({"a": "text"})).is_err());
    assert!(set("$.a[0]", json!({"a": []})).is_err());
    assert!(set("$.a[0]", json!({})).is_err());
    assert!(matches!(
        set("$.a[*]", json!({})),
        Err(PathError::NotReference { .. })
    ));
    assert!(matches!(
        set("$$.a", json!({})),
        Err(PathError::NotReference { .. })
    ));
}

#[test]
fn slices_with_extreme_bounds_stay_cheap() {
    let input = json!({"a": [1, 2, 3]});
    assert_eq!(ok("$.a[-2147483648:2]", &input), json!([1, 2, 3, 1, 2]));
    assert_eq!(ok("$.a[0:2147483647]", &input), json!([1, 2, 3]));
    assert!(Path::parse("$.a[0:2147483648]").is_err());
}

fn sample() -> Value {
    json!({"a": [1, {"b": "x", "c": [null, true, 2.5]}, "s"], "o": {"k": {"k": {"k": 1}}}, "n": null})
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn parse_and_eval_never_panic(text in "\\PC{0,40}") {
        if let Ok(p) = Path::parse(&text) {
            let _ = p.eval(&sample(), &StaticScope::default());
            let _ = p.set(sample(), json!(1));
        }
    }

    #[test]
    fn path_like_text_never_panics(text in "[$@.\\[\\]'\"*?()<>=!&|, 0-9a-z:-]{0,30}") {
        if let Ok(p) = Path::parse(&text) {
            let _ = p.eval(&sample(), &StaticScope::default());
            let _ = p.set(sample(), json!(1));
        }
    }
}
