//! Template tests, with cases recorded on AWS.

use std::sync::Arc;

use baton_json::{Value, json};

use super::{Template, TemplateError};
use crate::diagnostic::{Diagnostics, Pointer};
use crate::scope::StaticScope;

fn at() -> Pointer {
    Pointer::root()
        .child("States")
        .child("IntrinsicEscape")
        .child("Parameters")
}

fn compile(value: &Value) -> Template {
    let mut d = Diagnostics::new();
    let t = Template::compile(value, &at(), &mut d);
    assert!(d.is_empty(), "{:?}", d.into_vec());
    t
}

fn errors(value: &Value) -> Vec<String> {
    let mut d = Diagnostics::new();
    Template::compile(value, &at(), &mut d);
    d.iter().map(|x| x.render()).collect()
}

#[test]
fn rejects_bad_paths_and_calls_where_aws_does() {
    // Recorded on AWS (test_illegal_escapes): the location is the template, not the key.
    let expected = "SCHEMA_VALIDATION_FAILED: The value for the field 'parsed.$' must be a valid JSONPath or a valid intrinsic function call at /States/IntrinsicEscape/Parameters";
    for text in [
        "States.StringToJson('{\"text\":\"An \\\"escaped double quote\\\" here\"}')",
        "States.Format('He said, \\\"Hello, {}!\\\"', 'Test \\\"Name\\\" Here')",
    ] {
        assert_eq!(errors(&json!({"parsed.$": text})), vec![expected]);
    }
    for bad in [
        json!("$.a b"),
        json!("not a path"),
        json!(1),
        json!(null),
        json!({"a": 1}),
    ] {
        assert_eq!(errors(&json!({"parsed.$": bad})).len(), 1, "{bad}");
    }
    let nested = errors(&json!({"outer": {"x.$": "$..."}}));
    assert_eq!(
        nested,
        vec![
            "SCHEMA_VALIDATION_FAILED: The value for the field 'x.$' must be a valid JSONPath or a valid intrinsic function call at /States/IntrinsicEscape/Parameters/outer"
        ]
    );
}

#[test]
fn a_template_without_paths_is_its_literal() {
    let value = json!({"a": [1, {"b": "$.not_a_path"}], "c": "States.Format('x')"});
    let t = compile(&value);
    assert_eq!(t.as_literal(), Some(&value));
    let out = t.eval(&json!({}), &mut StaticScope::default()).unwrap();
    let (Value::Object(a), Value::Object(b)) = (&value, &out) else {
        panic!("objects expected")
    };
    assert!(Arc::ptr_eq(a, b));
}

#[test]
fn evaluates_paths_calls_and_literals_in_place() {
    let t = compile(&json!({
        "literal": {"kept": [1, 2]},
        "item.$": "$.items[0]",
        "all.$": "$",
        "ctx.$": "$$.Execution.Id",
        "var.$": "$v.x",
        "nested": {"sum.$": "States.MathAdd($.n, 1)", "list": [{"k.$": "$.n"}, 3]},
        "slice.$": "$.item.items[1:5]",
    }));
    let mut scope = StaticScope {
        context: json!({"Execution": {"Id": "exec-1"}}),
        ..StaticScope::default()
    };
    scope.variables.insert("v".into(), json!({"x": true}));
    let input = json!({"items": [{"item_key": 0}], "n": 41});
    let out = t.eval(&input, &mut scope).unwrap();
    assert_eq!(
        out,
        json!({
            "literal": {"kept": [1, 2]},
            "item": {"item_key": 0},
            "all": {"items": [{"item_key": 0}], "n": 41},
            "ctx": "exec-1",
            "var": true,
            "nested": {"sum": 42, "list": [{"k": 41}, 3]},
            "slice": [],
        })
    );
    // Member order is the template's.
    let keys: Vec<&str> = out.as_object().unwrap().keys().map(|k| &**k).collect();
    assert_eq!(
        keys,
        ["literal", "item", "all", "ctx", "var", "nested", "slice"]
    );
}

#[test]
fn reports_missing_paths_as_aws_does() {
    let input = json!({"int-literal": 0});
    let mut scope = StaticScope::default();
    // Recorded on AWS (test_invalid_jsonpath), the engine adding the state prefix.
    let e = compile(&json!({"value.$": "$.no_such_jsonpath"}))
        .eval(&input, &mut scope)
        .unwrap_err();
    assert_eq!(
        e.cause(),
        "The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be found in the input '{\"int-literal\":0}'"
    );
    assert_eq!(e.error_name(), "States.Runtime");
    assert_eq!(e.field(), "value.$");
    let e = compile(&json!({"value.$": "$$.Execution.Input.no_such_jsonpath"}))
        .eval(&input, &mut scope)
        .unwrap_err();
    assert_eq!(
        e.cause(),
        "The JSONPath '$$.Execution.Input.no_such_jsonpath' specified for the field 'value.$' could not be found in the input '{\"int-literal\":0}'"
    );
    // Seen on AWS: the cause names the nested member.
    let e = compile(&json!({"deep": {"address.$": "$.application.address"}}))
        .eval(&json!({"flagged": false}), &mut scope)
        .unwrap_err();
    assert_eq!(
        e.cause(),
        "The JSONPath '$.application.address' specified for the field 'address.$' could not be found in the input '{\"flagged\":false}'"
    );
    let e = compile(&json!({"sum.$": "States.MathAdd($.a, 'x')"}))
        .eval(&json!({"a": 1}), &mut scope)
        .unwrap_err();
    assert!(matches!(e, TemplateError::Intrinsic { .. }));
    assert_eq!(e.cause(), "Invalid arguments in States.MathAdd");
}

#[test]
fn aws_variables_case() {
    // Recorded on AWS (test_reference_assign BASE_REFERENCE_IN_INTRINSIC_FUNCTION).
    let t = compile(&json!({
        "encodingOps": {
            "encoded.$": "States.Base64Encode($rawString)",
            "decoded.$": "States.Base64Decode($encodedString)"
        },
        "hashOps": {"hashValue.$": "States.Hash($inputString, 'SHA-256')"},
        "jsonOps": {
            "mergedJson.$": "States.JsonMerge($json1, $json2, false)",
            "parsedJson.$": "States.StringToJson($jsonString)",
            "stringifiedJson.$": "States.JsonToString($jsonObject)"
        },
        "mathOps": {"sum.$": "States.MathAdd($value1, $value2)"},
        "stringOps": {
            "splitString.$": "States.StringSplit($csvString, ',')",
            "formattedString.$": "States.Format('Hello {}, welcome to {}!', $name, $place)"
        }
    }));
    let mut scope = StaticScope::default();
    for (k, v) in [
        ("rawString", json!("Hello World")),
        ("encodedString", json!("SGVsbG8gV29ybGQ=")),
        ("inputString", json!("Hash this string")),
        ("json1", json!({"a": 1, "b": 2})),
        ("json2", json!({"c": 3, "d": 4})),
        ("jsonString", json!("{\"key\":\"value\"}")),
        ("jsonObject", json!({"test": "object"})),
        ("value1", json!(5)),
        ("value2", json!(3)),
        ("csvString", json!("a,b,c,d,e")),
        ("name", json!("John")),
        ("place", json!("LocalStack")),
    ] {
        scope.variables.insert(k.into(), v);
    }
    assert_eq!(
        t.eval(&json!({}), &mut scope).unwrap(),
        json!({
            "encodingOps": {"decoded": "Hello World", "encoded": "SGVsbG8gV29ybGQ="},
            "hashOps": {"hashValue": "1cac63f39fd68d8c531f27b807610fb3d50f0fc3f186995767fb6316e7200a3e"},
            "jsonOps": {
                "parsedJson": {"key": "value"},
                "mergedJson": {"a": 1, "b": 2, "c": 3, "d": 4},
                "stringifiedJson": "{\"test\":\"object\"}"
            },
            "mathOps": {"sum": 8},
            "stringOps": {
                "formattedString": "Hello John, welcome to LocalStack!",
                "splitString": ["a", "b", "c", "d", "e"]
            }
        })
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 1000, ..Default::default() })]

    #[test]
    fn compile_and_eval_never_panic(text in "\\PC{0,40}", key in "[a-z.$]{0,6}") {
        let template = json!({ key: text, "x": {"y.$": "$.a"} });
        let t = Template::compile(&template, &Pointer::root(), &mut Diagnostics::new());
        let _ = t.eval(&json!({"a": [1, {"b": 2}]}), &mut StaticScope::default());
    }
}
