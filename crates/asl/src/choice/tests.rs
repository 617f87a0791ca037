//! Choice tests: the comparison table recorded on AWS, scenarios, parsing errors.

use baton_json::{Value, json};
use proptest::prelude::*;

use super::{ChoiceError, Condition, Kind, Operator, Pattern, Relation, is_operator_field};
use crate::diagnostic::{Diagnostics, Pointer};
use crate::scope::StaticScope;

fn at() -> Pointer {
    Pointer::root()
        .child("States")
        .child("C")
        .child("Choices")
        .child(0)
}

fn parse(rule: &Value) -> Condition {
    let mut d = Diagnostics::new();
    let c = Condition::parse(rule, &at(), &mut d);
    assert!(d.is_empty(), "{rule}: {:?}", d.into_vec());
    c.unwrap_or_else(|| panic!("{rule}"))
}

fn errors(rule: &Value) -> Vec<String> {
    let mut d = Diagnostics::new();
    let c = Condition::parse(rule, &at(), &mut d);
    assert!(c.is_none() || d.is_empty());
    d.iter().map(|x| x.render()).collect()
}

fn check(rule: &Value, input: &Value) -> Result<bool, ChoiceError> {
    parse(rule).eval(input, &mut StaticScope::default())
}

/// One distinct case per operator, variable type and operand type of the comparison
/// cases recorded on AWS (tests/choice_operators): operand, operator, input, match.
/// The Variable is always `$.Variable`, a `...Path` operand `$.Value`.
#[rustfmt::skip]
const AWS_CASES: &[(&str, &str, &str, bool)] = &[
    (r#"true"#, "BooleanEquals", r#"{"Variable": null, "Value": true}"#, false),
    (r#"false"#, "BooleanEquals", r#"{"Variable": null, "Value": false}"#, false),
    (r#"true"#, "BooleanEquals", r#"{"Variable": "", "Value": true}"#, false),
    (r#"false"#, "BooleanEquals", r#"{"Variable": "", "Value": false}"#, false),
    (r#"true"#, "BooleanEquals", r#"{"Variable": 0, "Value": true}"#, false),
    (r#"true"#, "BooleanEquals", r#"{"Variable": [], "Value": true}"#, false),
    (r#"false"#, "BooleanEquals", r#"{"Variable": [], "Value": false}"#, false),
    (r#"true"#, "BooleanEquals", r#"{"Variable": {}, "Value": true}"#, false),
    (r#"false"#, "BooleanEquals", r#"{"Variable": {}, "Value": false}"#, false),
    (r#"false"#, "BooleanEquals", r#"{"Variable": 0, "Value": false}"#, false),
    (r#"true"#, "BooleanEquals", r#"{"Variable": true, "Value": true}"#, true),
    (r#"true"#, "BooleanEquals", r#"{"Variable": false, "Value": true}"#, false),
    (r#"false"#, "BooleanEquals", r#"{"Variable": false, "Value": false}"#, true),
    (r#""$.Value""#, "BooleanEqualsPath", r#"{"Variable": null, "Value": true}"#, false),
    (r#""$.Value""#, "BooleanEqualsPath", r#"{"Variable": null, "Value": false}"#, false),
    (r#""$.Value""#, "BooleanEqualsPath", r#"{"Variable": "", "Value": true}"#, false),
    (r#""$.Value""#, "BooleanEqualsPath", r#"{"Variable": "", "Value": false}"#, false),
    (r#""$.Value""#, "BooleanEqualsPath", r#"{"Variable": 0, "Value": true}"#, false),
    (r#""$.Value""#, "BooleanEqualsPath", r#"{"Variable": [], "Value": true}"#, false),
    (r#""$.Value""#, "BooleanEqualsPath", r#"{"Variable": [], "Value": false}"#, false),
    (r#""$.Value""#, "BooleanEqualsPath", r#"{"Variable": {}, "Value": true}"#, false),
    (r#""$.Value""#, "BooleanEqualsPath", r#"{"Variable": {}, "Value": false}"#, false),
    (r#""$.Value""#, "BooleanEqualsPath", r#"{"Variable": 0, "Value": false}"#, false),
    (r#""$.Value""#, "BooleanEqualsPath", r#"{"Variable": true, "Value": true}"#, true),
    (r#""$.Value""#, "BooleanEqualsPath", r#"{"Variable": false, "Value": true}"#, false),
    (r#""$.Value""#, "BooleanEqualsPath", r#"{"Variable": false, "Value": false}"#, true),
    (r#"true"#, "IsBoolean", r#"{"Variable": null, "Value": true}"#, false),
    (r#"false"#, "IsBoolean", r#"{"Variable": null, "Value": false}"#, true),
    (r#"true"#, "IsBoolean", r#"{"Variable": "", "Value": true}"#, false),
    (r#"false"#, "IsBoolean", r#"{"Variable": "", "Value": false}"#, true),
    (r#"true"#, "IsBoolean", r#"{"Variable": 0, "Value": true}"#, false),
    (r#"true"#, "IsBoolean", r#"{"Variable": [], "Value": true}"#, false),
    (r#"false"#, "IsBoolean", r#"{"Variable": [], "Value": false}"#, true),
    (r#"true"#, "IsBoolean", r#"{"Variable": {}, "Value": true}"#, false),
    (r#"false"#, "IsBoolean", r#"{"Variable": {}, "Value": false}"#, true),
    (r#"false"#, "IsBoolean", r#"{"Variable": 0, "Value": false}"#, true),
    (r#"true"#, "IsBoolean", r#"{"Variable": true, "Value": true}"#, true),
    (r#"true"#, "IsBoolean", r#"{"Variable": false, "Value": true}"#, true),
    (r#"false"#, "IsBoolean", r#"{"Variable": false, "Value": false}"#, false),
    (r#"true"#, "IsNull", r#"{"Variable": null, "Value": true}"#, true),
    (r#"false"#, "IsNull", r#"{"Variable": null, "Value": false}"#, false),
    (r#"true"#, "IsNull", r#"{"Variable": "", "Value": true}"#, false),
    (r#"false"#, "IsNull", r#"{"Variable": "", "Value": false}"#, true),
    (r#"true"#, "IsNull", r#"{"Variable": 0, "Value": true}"#, false),
    (r#"true"#, "IsNull", r#"{"Variable": [], "Value": true}"#, false),
    (r#"false"#, "IsNull", r#"{"Variable": [], "Value": false}"#, true),
    (r#"true"#, "IsNull", r#"{"Variable": {}, "Value": true}"#, false),
    (r#"false"#, "IsNull", r#"{"Variable": {}, "Value": false}"#, true),
    (r#"false"#, "IsNull", r#"{"Variable": 0, "Value": false}"#, true),
    (r#"true"#, "IsNull", r#"{"Variable": true, "Value": true}"#, false),
    (r#"true"#, "IsNull", r#"{"Variable": false, "Value": true}"#, false),
    (r#"false"#, "IsNull", r#"{"Variable": false, "Value": false}"#, true),
    (r#"true"#, "IsNumeric", r#"{"Variable": null, "Value": true}"#, false),
    (r#"false"#, "IsNumeric", r#"{"Variable": null, "Value": false}"#, true),
    (r#"true"#, "IsNumeric", r#"{"Variable": "", "Value": true}"#, false),
    (r#"false"#, "IsNumeric", r#"{"Variable": "", "Value": false}"#, true),
    (r#"true"#, "IsNumeric", r#"{"Variable": 0, "Value": true}"#, true),
    (r#"true"#, "IsNumeric", r#"{"Variable": [], "Value": true}"#, false),
    (r#"false"#, "IsNumeric", r#"{"Variable": [], "Value": false}"#, true),
    (r#"true"#, "IsNumeric", r#"{"Variable": {}, "Value": true}"#, false),
    (r#"false"#, "IsNumeric", r#"{"Variable": {}, "Value": false}"#, true),
    (r#"false"#, "IsNumeric", r#"{"Variable": 0, "Value": false}"#, false),
    (r#"true"#, "IsNumeric", r#"{"Variable": true, "Value": true}"#, false),
    (r#"true"#, "IsNumeric", r#"{"Variable": false, "Value": true}"#, false),
    (r#"false"#, "IsNumeric", r#"{"Variable": false, "Value": false}"#, true),
    (r#"0"#, "NumericEquals", r#"{"Variable": null, "Value": 0}"#, false),
    (r#"0.0"#, "NumericEquals", r#"{"Variable": null, "Value": 0.0}"#, false),
    (r#"1"#, "NumericEquals", r#"{"Variable": 0.0, "Value": 1}"#, false),
    (r#"1.0"#, "NumericEquals", r#"{"Variable": 0.0, "Value": 1.0}"#, false),
    (r#"0"#, "NumericEquals", r#"{"Variable": 1, "Value": 0}"#, false),
    (r#"0.0"#, "NumericEquals", r#"{"Variable": 1, "Value": 0.0}"#, false),
    (r#"1"#, "NumericEquals", r#"{"Variable": 1, "Value": 1}"#, true),
    (r#"1.0"#, "NumericEquals", r#"{"Variable": 1, "Value": 1.0}"#, true),
    (r#"1"#, "NumericEquals", r#"{"Variable": null, "Value": 1}"#, false),
    (r#"0"#, "NumericEquals", r#"{"Variable": "", "Value": 0}"#, false),
    (r#"0.0"#, "NumericEquals", r#"{"Variable": "", "Value": 0.0}"#, false),
    (r#"1"#, "NumericEquals", r#"{"Variable": "", "Value": 1}"#, false),
    (r#"1.0"#, "NumericEquals", r#"{"Variable": "", "Value": 1.0}"#, false),
    (r#"0"#, "NumericEquals", r#"{"Variable": [], "Value": 0}"#, false),
    (r#"0.0"#, "NumericEquals", r#"{"Variable": [], "Value": 0.0}"#, false),
    (r#"1.0"#, "NumericEquals", r#"{"Variable": null, "Value": 1.0}"#, false),
    (r#"1"#, "NumericEquals", r#"{"Variable": [], "Value": 1}"#, false),
    (r#"1.0"#, "NumericEquals", r#"{"Variable": [], "Value": 1.0}"#, false),
    (r#"0"#, "NumericEquals", r#"{"Variable": {}, "Value": 0}"#, false),
    (r#"0.0"#, "NumericEquals", r#"{"Variable": {}, "Value": 0.0}"#, false),
    (r#"1"#, "NumericEquals", r#"{"Variable": {}, "Value": 1}"#, false),
    (r#"1.0"#, "NumericEquals", r#"{"Variable": {}, "Value": 1.0}"#, false),
    (r#"0"#, "NumericEquals", r#"{"Variable": 0, "Value": 0}"#, true),
    (r#"0"#, "NumericEquals", r#"{"Variable": false, "Value": 0}"#, false),
    (r#"0.0"#, "NumericEquals", r#"{"Variable": false, "Value": 0.0}"#, false),
    (r#"1"#, "NumericEquals", r#"{"Variable": false, "Value": 1}"#, false),
    (r#"1.0"#, "NumericEquals", r#"{"Variable": false, "Value": 1.0}"#, false),
    (r#"0"#, "NumericEquals", r#"{"Variable": true, "Value": 0}"#, false),
    (r#"0.0"#, "NumericEquals", r#"{"Variable": true, "Value": 0.0}"#, false),
    (r#"0.0"#, "NumericEquals", r#"{"Variable": 0, "Value": 0.0}"#, true),
    (r#"1"#, "NumericEquals", r#"{"Variable": true, "Value": 1}"#, false),
    (r#"1.0"#, "NumericEquals", r#"{"Variable": true, "Value": 1.0}"#, false),
    (r#"2.22"#, "NumericEquals", r#"{"Variable": 2.22, "Value": 2.22}"#, true),
    (r#""$.Value""#, "NumericEqualsPath", r#"{"Variable": null, "Value": 0}"#, false),
    (r#""$.Value""#, "NumericEqualsPath", r#"{"Variable": 0.0, "Value": 1}"#, false),
    (r#""$.Value""#, "NumericEqualsPath", r#"{"Variable": 1, "Value": 1}"#, true),
    (r#""$.Value""#, "NumericEqualsPath", r#"{"Variable": "", "Value": 0}"#, false),
    (r#""$.Value""#, "NumericEqualsPath", r#"{"Variable": [], "Value": 0}"#, false),
    (r#""$.Value""#, "NumericEqualsPath", r#"{"Variable": {}, "Value": 0}"#, false),
    (r#""$.Value""#, "NumericEqualsPath", r#"{"Variable": false, "Value": 0}"#, false),
    (r#""$.Value""#, "NumericEqualsPath", r#"{"Variable": true, "Value": 0}"#, false),
    (r#"0"#, "NumericGreaterThanEquals", r#"{"Variable": 0, "Value": 0}"#, true),
    (r#"1"#, "NumericGreaterThanEquals", r#"{"Variable": 0, "Value": 1}"#, false),
    (r#"1"#, "NumericGreaterThanEquals", r#"{"Variable": 1, "Value": 1}"#, true),
    (r#""$.Value""#, "NumericGreaterThanPath", r#"{"Variable": 0, "Value": 0}"#, false),
    (r#""$.Value""#, "NumericGreaterThanPath", r#"{"Variable": 1, "Value": 0}"#, true),
    (r#"0"#, "NumericLessThan", r#"{"Variable": 0, "Value": 0}"#, false),
    (r#"1"#, "NumericLessThan", r#"{"Variable": 0, "Value": 1}"#, true),
    (r#"1"#, "NumericLessThan", r#"{"Variable": 1, "Value": 1}"#, false),
    (r#""$.Value""#, "NumericLessThanEqualsPath", r#"{"Variable": 0, "Value": 0}"#, true),
    (r#""$.Value""#, "NumericLessThanEqualsPath", r#"{"Variable": 1, "Value": 0}"#, false),
    (r#""$.Value""#, "StringEqualsPath", r#"{"Variable": " ", "Value": "     "}"#, false),
    (r#""$.Value""#, "StringEqualsPath", r#"{"Variable": "Hello", "Value": "Hello"}"#, true),
    (r#""""#, "StringGreaterThanEquals", r#"{"Variable": "", "Value": ""}"#, true),
    (r#""AB""#, "StringGreaterThanEquals", r#"{"Variable": "A", "Value": "AB"}"#, false),
    (r#""A""#, "StringGreaterThanEquals", r#"{"Variable": "AB", "Value": "A"}"#, true),
    (r#""$.Value""#, "StringGreaterThanEqualsPath", r#"{"Variable": "", "Value": ""}"#, true),
    (r#""$.Value""#, "StringGreaterThanEqualsPath", r#"{"Variable": "A", "Value": "AB"}"#, false),
    (r#""$.Value""#, "StringGreaterThanPath", r#"{"Variable": "", "Value": ""}"#, false),
    (r#""$.Value""#, "StringLessThanEqualsPath", r#"{"Variable": "", "Value": ""}"#, true),
    (r#""$.Value""#, "StringLessThanEqualsPath", r#"{"Variable": "AB", "Value": "A"}"#, false),
    (r#""$.Value""#, "StringLessThanPath", r#"{"Variable": "", "Value": ""}"#, false),
    (r#""$.Value""#, "StringLessThanPath", r#"{"Variable": "A", "Value": "AB"}"#, true),
    (r#""2012-10-09T19:00:55Z""#, "TimestampEquals", r#"{"Variable": null, "Value": "2012-10-09T19:00:55Z"}"#, false),
    (r#""2012-10-09T19:00:55Z""#, "TimestampEquals", r#"{"Variable": 0, "Value": "2012-10-09T19:00:55Z"}"#, false),
    (r#""2012-10-09T19:00:55Z""#, "TimestampEquals", r#"{"Variable": {}, "Value": "2012-10-09T19:00:55Z"}"#, false),
    (r#""2012-10-09T19:00:55Z""#, "TimestampEquals", r#"{"Variable": false, "Value": "2012-10-09T19:00:55Z"}"#, false),
    (r#""2012-10-09T19:00:55Z""#, "TimestampEquals", r#"{"Variable": true, "Value": "2012-10-09T19:00:55Z"}"#, false),
    (r#""2012-10-09T19:00:55Z""#, "TimestampEquals", r#"{"Variable": "2012-10-09T19:00:55Z", "Value": "2012-10-09T19:00:55Z"}"#, true),
    (r#""2012-10-09T19:00:56Z""#, "TimestampEquals", r#"{"Variable": "2012-10-09T19:00:55Z", "Value": "2012-10-09T19:00:56Z"}"#, false),
    (r#""2012-10-09T19:00:55Z""#, "TimestampEquals", r#"{"Variable": "2012-10-09T19:00:56Z", "Value": "2012-10-09T19:00:55Z"}"#, false),
    (r#""2012-10-09T19:00:55Z""#, "TimestampEquals", r#"{"Variable": [], "Value": "2012-10-09T19:00:55Z"}"#, false),
    (r#""$.Value""#, "TimestampEqualsPath", r#"{"Variable": "2012-10-09T19:00:55Z", "Value": "2012-10-09T19:00:55Z"}"#, true),
    (r#""$.Value""#, "TimestampEqualsPath", r#"{"Variable": "2012-10-09T19:00:55Z", "Value": "2012-10-09T19:00:56Z"}"#, false),
    (r#""2012-10-09T19:00:55Z""#, "TimestampGreaterThan", r#"{"Variable": "2012-10-09T19:00:55Z", "Value": "2012-10-09T19:00:55Z"}"#, false),
    (r#""2012-10-09T19:00:56Z""#, "TimestampGreaterThan", r#"{"Variable": "2012-10-09T19:00:55Z", "Value": "2012-10-09T19:00:56Z"}"#, false),
    (r#""2012-10-09T19:00:55Z""#, "TimestampGreaterThan", r#"{"Variable": "2012-10-09T19:00:56Z", "Value": "2012-10-09T19:00:55Z"}"#, true),
    (r#""2012-10-09T19:00:55Z""#, "TimestampGreaterThanEquals", r#"{"Variable": "2012-10-09T19:00:55Z", "Value": "2012-10-09T19:00:55Z"}"#, true),
    (r#""2012-10-09T19:00:56Z""#, "TimestampGreaterThanEquals", r#"{"Variable": "2012-10-09T19:00:55Z", "Value": "2012-10-09T19:00:56Z"}"#, false),
    (r#""$.Value""#, "TimestampGreaterThanEqualsPath", r#"{"Variable": "2012-10-09T19:00:55Z", "Value": "2012-10-09T19:00:56Z"}"#, false),
    (r#""$.Value""#, "TimestampGreaterThanPath", r#"{"Variable": "2012-10-09T19:00:55Z", "Value": "2012-10-09T19:00:56Z"}"#, false),
    (r#""$.Value""#, "TimestampLessThanEqualsPath", r#"{"Variable": "2012-10-09T19:00:56Z", "Value": "2012-10-09T19:00:55Z"}"#, false),
    (r#""$.Value""#, "TimestampLessThanPath", r#"{"Variable": "2012-10-09T19:00:56Z", "Value": "2012-10-09T19:00:55Z"}"#, false),
];

#[test]
fn comparisons_match_aws() {
    for (operand, operator, input, expected) in AWS_CASES {
        let mut rule = json!({"Variable": "$.Variable"});
        rule.as_object_mut()
            .unwrap()
            .insert((*operator).into(), Value::from_json_str(operand).unwrap());
        let input = Value::from_json_str(input).unwrap();
        assert_eq!(check(&rule, &input), Ok(*expected), "{rule} on {input}");
    }
}

#[test]
fn aws_scenarios() {
    // Recorded on AWS (test_choice_aws_docs_scenario): `Not` fails, `And` matches.
    let rules = [
        json!({"Not": {"Variable": "$.type", "StringEquals": "Private"}}),
        json!({"Variable": "$.value", "NumericEquals": 0}),
        json!({"And": [{"Variable": "$.value", "NumericGreaterThanEquals": 20}, {"Variable": "$.value", "NumericLessThan": 30}]}),
    ];
    let input = json!({"type": "Private", "value": 22});
    let results: Vec<bool> = rules.iter().map(|r| check(r, &input).unwrap()).collect();
    assert_eq!(results, [false, false, true]);
    // Recorded on AWS (test_choice_singleton_composite, unsorted parameters).
    assert_eq!(
        check(
            &json!({"And": [{"Variable": "$.type", "StringEquals": "Public"}]}),
            &json!({"type": "Public"})
        ),
        Ok(true)
    );
    assert_eq!(
        check(
            &json!({"BooleanEquals": true, "Variable": "$.result.done"}),
            &json!({"result": {"done": true}})
        ),
        Ok(true)
    );
    // Recorded on AWS (test_assign_in_choice_state): a string is not numeric.
    assert_eq!(
        check(
            &json!({"Variable": "$.input_value", "IsPresent": false}),
            &json!({"input_value": "42"})
        ),
        Ok(false)
    );
    assert_eq!(
        check(
            &json!({"Variable": "$.input_value", "NumericEquals": 42}),
            &json!({"input_value": "42"})
        ),
        Ok(false)
    );
    // Recorded on AWS (BASE_REFERENCE_IN_CHOICE): variables on both sides.
    let mut scope = StaticScope::default();
    scope.variables.insert("guess".into(), json!("x"));
    scope.variables.insert("answer".into(), json!("x"));
    let rule = parse(&json!({"Variable": "$guess", "StringEqualsPath": "$answer"}));
    assert_eq!(rule.eval(&json!({}), &mut scope), Ok(true));
}

#[test]
fn missing_variables_fail_except_for_is_present() {
    let input = json!({"present": null});
    let e = check(
        &json!({"Variable": "$.approved", "BooleanEquals": true}),
        &input,
    )
    .unwrap_err();
    assert_eq!(
        e.cause(),
        "Invalid path '$.approved': The choice state's condition path references an invalid value."
    );
    assert_eq!(e.error_name(), "States.Runtime");
    let e = check(
        &json!({"Variable": "$.present", "NumericEqualsPath": "$.right"}),
        &input,
    )
    .unwrap_err();
    assert_eq!(
        e,
        ChoiceError::InvalidPath {
            path: "$.right".into()
        }
    );
    assert_eq!(
        check(
            &json!({"Variable": "$.approved", "IsPresent": false}),
            &input
        ),
        Ok(true)
    );
    assert_eq!(
        check(
            &json!({"Variable": "$.approved", "IsPresent": true}),
            &input
        ),
        Ok(false)
    );
    assert_eq!(
        check(&json!({"Variable": "$.present", "IsPresent": true}), &input),
        Ok(true)
    );
    assert_eq!(
        check(&json!({"Variable": "$.present", "IsNull": true}), &input),
        Ok(true)
    );
    assert!(check(&json!({"Variable": "$undefined", "IsNull": true}), &input).is_err());
    // `Or` stops at the first match, `And` at the first miss.
    assert_eq!(
        check(
            &json!({"Or": [{"Variable": "$.present", "IsNull": true}, {"Variable": "$.x", "IsNull": true}]}),
            &input
        ),
        Ok(true)
    );
    assert_eq!(
        check(
            &json!({"And": [{"Variable": "$.present", "IsNull": false}, {"Variable": "$.x", "IsNull": true}]}),
            &input
        ),
        Ok(false)
    );
}

#[test]
fn strings_timestamps_and_types() {
    let input = json!({
        "s": "b", "emoji": "\u{1F600}", "bmp": "\u{FF5E}", "n": 2, "f": 2.0,
        "t": "2016-03-14T01:59:00Z", "t2": "2016-03-14T02:59:00+01:00", "bad": "2016-03-14"
    });
    let yes = |rule: Value| assert_eq!(check(&rule, &input), Ok(true), "{rule}");
    let no = |rule: Value| assert_eq!(check(&rule, &input), Ok(false), "{rule}");
    yes(json!({"Variable": "$.s", "StringGreaterThan": "a"}));
    yes(json!({"Variable": "$.s", "StringLessThanEquals": "b"}));
    no(json!({"Variable": "$.s", "StringLessThan": "b"}));
    // Java compares UTF-16 code units: a surrogate pair sorts below U+FF5E.
    yes(json!({"Variable": "$.emoji", "StringLessThanPath": "$.bmp"}));
    yes(json!({"Variable": "$.n", "NumericEqualsPath": "$.f"}));
    yes(json!({"Variable": "$.n", "NumericLessThan": 2.5}));
    no(json!({"Variable": "$.s", "NumericLessThan": 2.5}));
    yes(json!({"Variable": "$.t", "TimestampEqualsPath": "$.t2"}));
    yes(json!({"Variable": "$.t", "TimestampLessThan": "2016-03-14T01:59:00.5Z"}));
    no(json!({"Variable": "$.bad", "TimestampLessThan": "2016-03-14T01:59:00Z"}));
    yes(json!({"Variable": "$.t", "IsTimestamp": true}));
    yes(json!({"Variable": "$.bad", "IsTimestamp": false}));
    yes(json!({"Variable": "$.s", "IsString": true}));
    yes(json!({"Variable": "$.f", "IsNumeric": true}));
    yes(json!({"Variable": "$.f", "IsBoolean": false}));
    yes(json!({"Variable": "$.s", "StringMatches": "*"}));
    yes(json!({"Not": {"Variable": "$.s", "StringMatches": "a*"}}));
}

#[test]
fn string_matches_patterns() {
    for (pattern, subject, expected) in [
        ("log-*.txt", "log-2024.txt", true),
        ("log-*.txt", "log-.txt", true),
        ("log-*.txt", "log-2024.txt.gz", false),
        ("*.txt", "a.txt", true),
        ("a*b*c", "abc", true),
        ("a*b*c", "axxbyyc", true),
        ("a*b*c", "acb", false),
        ("*", "", true),
        ("", "", true),
        ("", "x", false),
        ("ab*ba", "aba", false),
        ("a\\*b", "a*b", true),
        ("a\\*b", "axb", false),
        ("a\\\\*", "a\\xyz", true),
        ("é*ü", "éxxü", true),
    ] {
        assert_eq!(
            Pattern::new(pattern).matches(subject),
            expected,
            "{pattern} ~ {subject}"
        );
    }
}

#[test]
fn parsing_reports_problems() {
    let base = "/States/C/Choices/0";
    for (rule, expected) in [
        (
            json!({"Variable": "$.x"}),
            format!(
                "SCHEMA_VALIDATION_FAILED: A Choice Rule must have exactly one comparison operator, or one of And, Or, Not at {base}"
            ),
        ),
        (
            json!({"Variable": "$.x", "IsNull": true, "IsString": true}),
            format!(
                "SCHEMA_VALIDATION_FAILED: A Choice Rule must have exactly one comparison operator, or one of And, Or, Not at {base}"
            ),
        ),
        (
            json!({"NumericEquals": 1}),
            format!("SCHEMA_VALIDATION_FAILED: These fields are required: [Variable] at {base}"),
        ),
        (
            json!({"Variable": "$.x", "NumericEquals": "1"}),
            format!(
                "SCHEMA_VALIDATION_FAILED: Expected value of type 'number', but was 'string' at {base}/NumericEquals"
            ),
        ),
        (
            json!({"Variable": "$.x", "TimestampEquals": "2016-12-05T21:29:29"}),
            format!(
                "SCHEMA_VALIDATION_FAILED: String does not match RFC3339 timestamp at {base}/TimestampEquals"
            ),
        ),
        (
            json!({"Variable": "$.x", "StringEqualsPath": "x"}),
            format!(
                "SCHEMA_VALIDATION_FAILED: The value for the field 'StringEqualsPath' must be a valid JSONPath at {base}/StringEqualsPath"
            ),
        ),
        (
            json!({"Variable": "x", "IsNull": true}),
            format!(
                "SCHEMA_VALIDATION_FAILED: The value for the field 'Variable' must be a valid JSONPath at {base}/Variable"
            ),
        ),
        (
            json!({"Variable": "$.x", "IsNull": "yes"}),
            format!(
                "SCHEMA_VALIDATION_FAILED: Expected value of type 'boolean', but was 'string' at {base}/IsNull"
            ),
        ),
        (
            json!({"And": []}),
            format!("SCHEMA_VALIDATION_FAILED: Value cannot be empty at {base}/And"),
        ),
        (
            json!({"Or": {}}),
            format!(
                "SCHEMA_VALIDATION_FAILED: Expected value of type 'array', but was 'object' at {base}/Or"
            ),
        ),
        (
            json!({"Not": {"Variable": "$.x", "IsNull": true, "Next": "S"}}),
            format!("SCHEMA_VALIDATION_FAILED: Field 'Next' is not supported at {base}/Not"),
        ),
        (
            json!({"Variable": "$.x", "IsNull": true, "Nxet": "S"}),
            format!("SCHEMA_VALIDATION_FAILED: Field 'Nxet' is not supported at {base}"),
        ),
        (
            json!([]),
            format!(
                "SCHEMA_VALIDATION_FAILED: Expected value of type 'object', but was 'array' at {base}"
            ),
        ),
    ] {
        assert_eq!(errors(&rule), vec![expected], "{rule}");
    }
    let mut deep = json!({"Variable": "$.x", "IsNull": true});
    for _ in 0..100 {
        deep = json!({ "Not": deep });
    }
    assert_eq!(errors(&deep).len(), 1);
}

#[test]
fn operators_are_named_as_in_asl() {
    assert_eq!(Operator::ALL.len(), 39);
    for op in Operator::ALL {
        let name = op.name();
        assert_eq!(Operator::from_name(name), Some(*op));
        assert!(is_operator_field(name));
        assert_eq!(op.takes_path(), name.ends_with("Path"), "{name}");
        let kind = match name {
            n if n.starts_with("String") => Kind::String,
            n if n.starts_with("Numeric") => Kind::Numeric,
            n if n.starts_with("Boolean") => Kind::Boolean,
            n if n.starts_with("Timestamp") => Kind::Timestamp,
            _ => Kind::Type,
        };
        assert_eq!(op.kind(), kind, "{name}");
        let base = name.strip_suffix("Path").unwrap_or(name);
        let relation = match base {
            b if b.ends_with("LessThanEquals") => Relation::LessThanEquals,
            b if b.ends_with("GreaterThanEquals") => Relation::GreaterThanEquals,
            b if b.ends_with("LessThan") => Relation::LessThan,
            b if b.ends_with("GreaterThan") => Relation::GreaterThan,
            _ => Relation::Equals,
        };
        assert_eq!(op.relation(), relation, "{name}");
    }
    assert!(is_operator_field("And") && is_operator_field("Not"));
    assert!(!is_operator_field("Variable") && !is_operator_field("Next"));
    assert!(Operator::NumericLessThanEqualsPath.takes_path());
    assert!(!Operator::StringMatches.takes_path());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn parse_and_eval_never_panic(
        operator in prop::sample::select(Operator::ALL.to_vec()),
        variable in "\\PC{0,12}",
        operand in prop_oneof![
            "\\PC{0,12}".prop_map(Value::from),
            prop::num::f64::NORMAL.prop_map(|f| json!(f)),
            any::<bool>().prop_map(Value::from),
        ],
    ) {
        let mut rule = json!({"Variable": variable});
        rule.as_object_mut().unwrap().insert(operator.name().into(), operand);
        if let Some(c) = Condition::parse(&rule, &at(), &mut Diagnostics::new()) {
            let _ = c.eval(&json!({"a": "2016-03-14T01:59:00Z", "b": 1}), &mut StaticScope::default());
        }
    }
}
