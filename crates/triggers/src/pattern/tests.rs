//! Table-driven: each case is a pattern, an event and whether it matches. Most come from
//! EventBridge's documentation of content filtering and of arrays in patterns.

use baton_json::Value;

use super::Pattern;

fn event(text: &str) -> Value {
    Value::from_json_str(text).unwrap()
}

/// The EC2 state-change event the documentation filters.
const EC2: &str = r#"{
  "version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
  "account": "111122223333", "time": "2017-12-22T18:43:48Z", "region": "us-west-1",
  "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  "detail": {"instance-id": "i-1234567890abcdef0", "state": "terminated",
             "c-count": 5, "d-count": 3, "x-limit": 301.8,
             "source-ip": "10.0.0.123", "FileName": "photo.png",
             "responseElements": null, "eventVersion": "",
             "tags": [{"k": "env", "v": "prod"}, {"k": "team", "v": "blue"}],
             "numbers": [1, 2, 3], "nested": {"a": {"b": "deep"}}}
}"#;

#[test]
fn documented_filters_match_as_eventbridge_says() {
    let cases: &[(&str, bool)] = &[
        // Exact values, and any one of a list.
        (r#"{"source": ["aws.ec2"]}"#, true),
        (r#"{"source": ["aws.s3", "aws.ec2"]}"#, true),
        (r#"{"source": ["aws.s3"]}"#, false),
        (
            r#"{"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"]}"#,
            true,
        ),
        (r#"{"source": ["aws.ec2"], "detail-type": ["nope"]}"#, false),
        (r#"{"detail": {"state": ["terminated"]}}"#, true),
        (r#"{"detail": {"nested": {"a": {"b": ["deep"]}}}}"#, true),
        // null and the empty string are values.
        (r#"{"detail": {"responseElements": [null]}}"#, true),
        (r#"{"detail": {"eventVersion": [""]}}"#, true),
        (r#"{"detail": {"eventVersion": [null]}}"#, false),
        // Numbers compare as numbers; strings do not match numbers.
        (r#"{"detail": {"c-count": [5]}}"#, true),
        (r#"{"detail": {"c-count": [5.0]}}"#, true),
        (r#"{"detail": {"c-count": ["5"]}}"#, false),
        // prefix, suffix, with and without case.
        (r#"{"time": [{"prefix": "2017-12-22"}]}"#, true),
        (r#"{"time": [{"prefix": "2018"}]}"#, false),
        (r#"{"detail": {"FileName": [{"suffix": ".png"}]}}"#, true),
        (r#"{"detail": {"FileName": [{"suffix": ".PNG"}]}}"#, false),
        (
            r#"{"detail": {"FileName": [{"suffix": {"equals-ignore-case": ".PNG"}}]}}"#,
            true,
        ),
        (
            r#"{"detail": {"state": [{"prefix": {"equals-ignore-case": "TERM"}}]}}"#,
            true,
        ),
        // anything-but.
        (
            r#"{"detail": {"state": [{"anything-but": "initializing"}]}}"#,
            true,
        ),
        (
            r#"{"detail": {"state": [{"anything-but": "terminated"}]}}"#,
            false,
        ),
        (
            r#"{"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}}"#,
            true,
        ),
        (
            r#"{"detail": {"state": [{"anything-but": ["stopped", "terminated"]}]}}"#,
            false,
        ),
        (
            r#"{"detail": {"c-count": [{"anything-but": [100, 200, 300]}]}}"#,
            true,
        ),
        (r#"{"detail": {"c-count": [{"anything-but": 5}]}}"#, false),
        (
            r#"{"detail": {"state": [{"anything-but": {"prefix": "init"}}]}}"#,
            true,
        ),
        (
            r#"{"detail": {"state": [{"anything-but": {"prefix": "term"}}]}}"#,
            false,
        ),
        (
            r#"{"detail": {"FileName": [{"anything-but": {"suffix": ".txt"}}]}}"#,
            true,
        ),
        (
            r#"{"detail": {"state": [{"anything-but": {"equals-ignore-case": ["Stopped", "OverLoaded"]}}]}}"#,
            true,
        ),
        (
            r#"{"detail": {"state": [{"anything-but": {"equals-ignore-case": "TERMINATED"}}]}}"#,
            false,
        ),
        (
            r#"{"detail": {"FileName": [{"anything-but": {"wildcard": "*.png"}}]}}"#,
            false,
        ),
        // anything-but needs the member.
        (r#"{"detail": {"missing": [{"anything-but": "x"}]}}"#, false),
        // numeric.
        (
            r#"{"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}]}}"#,
            true,
        ),
        (
            r#"{"detail": {"c-count": [{"numeric": [">", 0, "<", 5]}]}}"#,
            false,
        ),
        (r#"{"detail": {"d-count": [{"numeric": ["<", 10]}]}}"#, true),
        (
            r#"{"detail": {"x-limit": [{"numeric": ["=", 3.018e2]}]}}"#,
            true,
        ),
        (
            r#"{"detail": {"x-limit": [{"numeric": [">=", 302]}]}}"#,
            false,
        ),
        (r#"{"detail": {"state": [{"numeric": [">", 0]}]}}"#, false),
        // IP ranges.
        (
            r#"{"detail": {"source-ip": [{"cidr": "10.0.0.0/24"}]}}"#,
            true,
        ),
        (
            r#"{"detail": {"source-ip": [{"cidr": "10.0.1.0/24"}]}}"#,
            false,
        ),
        // exists.
        (r#"{"detail": {"c-count": [{"exists": true}]}}"#, true),
        (r#"{"detail": {"c-count": [{"exists": false}]}}"#, false),
        (r#"{"detail": {"e-count": [{"exists": false}]}}"#, true),
        (r#"{"detail": {"e-count": [{"exists": true}]}}"#, false),
        (r#"{"nothere": {"deeper": [{"exists": false}]}}"#, true),
        // exists looks at leaves: an object does not exist as a leaf.
        (r#"{"detail": {"nested": [{"exists": true}]}}"#, false),
        // equals-ignore-case.
        (
            r#"{"detail-type": [{"equals-ignore-case": "ec2 instance state-change notification"}]}"#,
            true,
        ),
        // wildcard.
        (
            r#"{"resources": [{"wildcard": "arn:aws:ec2:us-west-1:*:instance/*"}]}"#,
            true,
        ),
        (
            r#"{"resources": [{"wildcard": "arn:aws:ec2:eu-west-1:*"}]}"#,
            false,
        ),
        (r#"{"detail": {"FileName": [{"wildcard": "*.png"}]}}"#, true),
        (
            r#"{"detail": {"FileName": [{"wildcard": "photo*png"}]}}"#,
            true,
        ),
        (
            r#"{"detail": {"FileName": [{"wildcard": "p*x*g"}]}}"#,
            false,
        ),
        // $or.
        (
            r#"{"detail": {"$or": [{"c-count": [{"numeric": [">", 0, "<=", 5]}]}, {"d-count": [{"numeric": ["<", 10]}]}, {"x-limit": [{"numeric": ["=", 3.018e2]}]}]}}"#,
            true,
        ),
        (
            r#"{"detail": {"$or": [{"c-count": [99]}, {"d-count": [99]}]}}"#,
            false,
        ),
        (
            r#"{"source": ["aws.ec2"], "$or": [{"region": ["us-east-1"]}, {"detail": {"state": ["terminated"]}}]}"#,
            true,
        ),
        (
            r#"{"source": ["aws.s3"], "$or": [{"region": ["us-west-1"]}, {"account": ["1"]}]}"#,
            false,
        ),
        // Arrays: any element; arrays of objects match element by element.
        (
            r#"{"resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0", "x"]}"#,
            true,
        ),
        (r#"{"detail": {"numbers": [3]}}"#, true),
        (r#"{"detail": {"numbers": [4]}}"#, false),
        (
            r#"{"detail": {"tags": {"k": ["env"], "v": ["prod"]}}}"#,
            true,
        ),
        (
            r#"{"detail": {"tags": {"k": ["env"], "v": ["blue"]}}}"#,
            false,
        ),
    ];
    let ev = event(EC2);
    for (pattern, want) in cases {
        let p = Pattern::parse(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"));
        assert_eq!(p.matches(&ev), *want, "{pattern}");
    }
}

#[test]
fn the_documentation_s_array_example() {
    // "If the value in the event is an array, the pattern matches if the intersection of
    // the pattern array and the event array is non-empty."
    let ev = event(
        r#"{"resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
                          "arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f",
                          "arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f"]}"#,
    );
    let p = Pattern::parse(
        r#"{"resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
                          "arn:aws:ec2:us-east-1:000000000000:instance/i-b188560f"]}"#,
    )
    .unwrap();
    assert!(p.matches(&ev));
    let p = Pattern::parse(r#"{"resources": ["arn:aws:ec2:us-east-1:000000000000:instance/x"]}"#)
        .unwrap();
    assert!(!p.matches(&ev));
}

#[test]
fn malformed_patterns_get_event_ruler_s_reasons() {
    let cases: &[(&str, &str)] = &[
        ("[]", "Filter is not an object"),
        ("{}", "Empty objects are not allowed"),
        (
            r#"{"source": "aws.ec2"}"#,
            r#""source" must be an object or an array"#,
        ),
        (r#"{"source": []}"#, "Empty arrays are not allowed"),
        (
            r#"{"source": [{"prefixx": "a"}]}"#,
            "Unrecognized match type prefixx",
        ),
        (
            r#"{"source": [{"prefix": 1}]}"#,
            "prefix match pattern must be a string",
        ),
        (
            r#"{"source": [{"prefix": "a", "suffix": "b"}]}"#,
            "Only one key allowed in match expression",
        ),
        (
            r#"{"n": [{"numeric": [">", "x"]}]}"#,
            "Value of > must be numeric",
        ),
        (
            r#"{"n": [{"numeric": "5"}]}"#,
            "Value of numeric must be an array.",
        ),
        (
            r#"{"n": [{"numeric": ["!", 5]}]}"#,
            "Unrecognized numeric range operator: !",
        ),
        (
            r#"{"n": [{"numeric": [">", 5, "<", 1]}]}"#,
            "Bottom must be less than top",
        ),
        (
            r#"{"n": [{"numeric": ["<", 5, ">", 1]}]}"#,
            "Too many elements in numeric expression",
        ),
        (
            r#"{"n": [{"exists": "yes"}]}"#,
            "exists match pattern must be either true or false.",
        ),
        (
            r#"{"n": [{"anything-but": [1, "a"]}]}"#,
            "Inside anything but list, either all values are number or string, mixed type is not supported",
        ),
        (
            r#"{"n": [{"anything-but": {"prefix": ""}}]}"#,
            "Null prefix/suffix not allowed",
        ),
        (
            r#"{"n": [{"anything-but": {"foo": "x"}}]}"#,
            "Unsupported anything-but pattern: foo",
        ),
        (
            r#"{"n": [{"anything-but": null}]}"#,
            "Value of anything-but must be an array or single string/number value.",
        ),
        (
            r#"{"n": [{"wildcard": "a**b"}]}"#,
            "Consecutive wildcard characters at pos 1",
        ),
        (
            r#"{"n": [{"wildcard": "a\\b"}]}"#,
            "Invalid escape character at pos 1",
        ),
        (
            r#"{"$or": [{"a": ["1"]}]}"#,
            "There must have at least 2 Objects in $or relationship.",
        ),
        (
            r#"{"$or": {"a": ["1"]}}"#,
            "It must be an Array followed with $or.",
        ),
        (
            r#"{"n": [{"cidr": "10.0.0.0"}]}"#,
            "Malformed CIDR, one '/' required: 10.0.0.0",
        ),
    ];
    for (pattern, reason) in cases {
        let e = Pattern::parse(pattern).expect_err(pattern);
        assert_eq!(
            e.to_string(),
            format!("Event pattern is not valid. Reason: {reason}"),
            "{pattern}"
        );
    }
    // Not JSON at all.
    assert!(
        Pattern::parse("{source")
            .unwrap_err()
            .to_string()
            .starts_with("Event pattern is not valid. Reason: ")
    );
}

#[test]
fn escaped_stars_in_wildcards_are_literal() {
    let p = Pattern::parse(r#"{"k": [{"wildcard": "a\\*b*"}]}"#).unwrap();
    assert!(p.matches(&event(r#"{"k": "a*bcd"}"#)));
    assert!(!p.matches(&event(r#"{"k": "axbcd"}"#)));
}

#[test]
fn exact_string_members_are_offered_for_indexing() {
    let p = Pattern::parse(
        r#"{"source": ["a", "b"], "detail-type": [{"prefix": "x"}], "detail": {"k": ["v"]}}"#,
    )
    .unwrap();
    assert_eq!(p.exact_strings(), vec![("source", vec!["a", "b"])]);
}

mod fuzz {
    use proptest::prelude::*;

    use super::*;

    /// JSON-ish text built from the pieces patterns are made of, so that most cases get
    /// past the JSON parser and into the pattern's.
    fn pattern_text() -> impl Strategy<Value = String> {
        let leaf = prop::sample::select(vec![
            r#""x""#,
            "1",
            "-2.5",
            "true",
            "null",
            r#"[]"#,
            r#"{}"#,
            r#"[{"prefix": "a"}]"#,
            r#"[{"suffix": 1}]"#,
            r#"[{"anything-but": ["a", 1]}]"#,
            r#"[{"anything-but": {"prefix": "x"}}]"#,
            r#"[{"numeric": [">", 1, "<=", 5]}]"#,
            r#"[{"numeric": ["=", "x"]}]"#,
            r#"[{"exists": false}]"#,
            r#"[{"wildcard": "a*b"}]"#,
            r#"[{"equals-ignore-case": "A"}]"#,
            r#"[{"cidr": "10.0.0.0/24"}]"#,
            r#"[{"nope": 1}]"#,
            r#"[{"$or": [{"a": [1]}, {"b": [2]}]}]"#,
            r#"["a", 1, null, true]"#,
        ]);
        let member = prop::sample::select(vec!["source", "detail", "a", "$or", "b-c", ""]);
        prop::collection::vec((member, leaf), 0..4).prop_map(|pairs| {
            let body: Vec<String> = pairs.iter().map(|(m, v)| format!("\"{m}\": {v}")).collect();
            format!("{{{}}}", body.join(", "))
        })
    }

    fn event_value() -> impl Strategy<Value = Value> {
        prop::sample::select(vec![
            r#"{"source": "x", "detail": {"a": [1, 2], "b-c": null}}"#,
            r#"{"a": "abc", "b": 2, "source": ["a", 1]}"#,
            r#"{"detail": {"detail": {"a": "10.0.0.7"}}, "a": 5}"#,
            r#"{}"#,
        ])
        .prop_map(|t| Value::from_json_str(t).unwrap())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn any_text_is_parsed_or_refused_never_a_panic(text in "\\PC{0,80}") {
            if let Ok(p) = Pattern::parse(&text) {
                let _ = p.matches(&event(EC2));
            }
        }

        #[test]
        fn pattern_like_text_parses_or_is_refused_and_matching_never_panics(
            text in pattern_text(),
            e in event_value(),
        ) {
            match Pattern::parse(&text) {
                Ok(p) => {
                    let _ = p.matches(&e);
                }
                Err(err) => prop_assert!(err.to_string().starts_with("Event pattern is not valid")),
            }
        }
    }
}
