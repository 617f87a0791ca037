//! The definition parser under random and mutated input: it never panics, always finishes
//! quickly, and every problem it reports is located at a place that exists in the
//! document (or, for the few problems AWS reports without one, has no location).
//!
//! Inputs that once made it fail are kept at the end as regression cases.

use std::time::{Duration, Instant};

use baton_asl::definition::{
    DefinitionFormat, ParseOptions, Parsed, locate, parse, parse_text, read_text,
};
use baton_asl::diagnostic::Segment;
use baton_asl::{Code, Severity};
use baton_json::{Map, Str, Value};
use proptest::prelude::*;

/// How long one parse may take in these (unoptimized) tests.
const LIMIT: Duration = Duration::from_secs(2);

/// Codes whose diagnostics AWS gives without a location.
fn may_be_unlocated(code: Code) -> bool {
    matches!(code, Code::MissingEndState | Code::SchemaValidationFailed)
}

/// The value at `segments` in `doc`, if there is one. Array elements may be named by
/// their number as a member name too (some parsers write them so).
fn resolve<'a>(doc: &'a Value, segments: impl Iterator<Item = Segment<'a>>) -> Option<&'a Value> {
    let mut v = doc;
    for s in segments {
        v = match (v, s) {
            (Value::Object(_), Segment::Key(k)) => v.get(k)?,
            (Value::Array(_), Segment::Index(i)) => v.index(i)?,
            (Value::Array(_), Segment::Key(k)) => v.index(k.parse().ok()?)?,
            _ => return None,
        };
    }
    Some(v)
}

/// Parses `doc` and checks what every definition must satisfy.
fn check(doc: &Value) -> Result<Parsed, TestCaseError> {
    let started = Instant::now();
    let parsed = parse(doc, ParseOptions::default());
    prop_assert!(started.elapsed() < LIMIT, "took {:?}", started.elapsed());
    for d in parsed.diagnostics.iter() {
        match &d.pointer {
            Some(p) => {
                prop_assert!(!d.location.is_empty());
                prop_assert!(
                    resolve(doc, p.segments()).is_some(),
                    "{} points nowhere in {}",
                    d.render(),
                    doc.to_json_string()
                );
            }
            None => prop_assert!(may_be_unlocated(d.code), "{}", d.render()),
        }
        prop_assert!(!d.message.is_empty());
    }
    if parsed.machine.is_none() {
        prop_assert!(parsed.diagnostics.has_errors());
    }
    // The same document as text gives the same problems, and every location can be
    // shown in the text.
    let json = doc.to_json_pretty();
    let again = parse_text(&json, Some(DefinitionFormat::Json), ParseOptions::default());
    prop_assert_eq!(again.diagnostics.len(), parsed.diagnostics.len());
    for d in parsed.diagnostics.iter() {
        if let Some(p) = &d.pointer {
            let at = locate(&json, DefinitionFormat::Json, p);
            prop_assert!(at.offset <= json.len());
        }
    }
    Ok(parsed)
}

/// Any JSON value, small.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(|f| Value::from(serde_json::json!(f))),
        "\\PC{0,8}".prop_map(Value::from),
        prop::sample::select(VOCABULARY).prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::array),
            prop::collection::vec(
                (prop::sample::select(VOCABULARY).prop_map(Str::from), inner),
                0..6
            )
            .prop_map(|entries| Value::object(entries.into_iter().collect())),
        ]
    })
}

/// Words that mean something in a definition, so that random documents reach deep.
const VOCABULARY: &[&str] = &[
    "StartAt",
    "States",
    "Type",
    "Next",
    "End",
    "Comment",
    "QueryLanguage",
    "JSONata",
    "JSONPath",
    "Task",
    "Pass",
    "Choice",
    "Wait",
    "Succeed",
    "Fail",
    "Parallel",
    "Map",
    "Resource",
    "Parameters",
    "Arguments",
    "Output",
    "Assign",
    "Result",
    "ResultPath",
    "InputPath",
    "OutputPath",
    "ResultSelector",
    "Retry",
    "Catch",
    "ErrorEquals",
    "Branches",
    "ItemProcessor",
    "Iterator",
    "ProcessorConfig",
    "Mode",
    "DISTRIBUTED",
    "ItemReader",
    "ItemBatcher",
    "ResultWriter",
    "Choices",
    "Default",
    "Variable",
    "StringEquals",
    "And",
    "Not",
    "Condition",
    "Seconds",
    "Timestamp",
    "SecondsPath",
    "Error",
    "Cause",
    "ErrorPath",
    "TimeoutSeconds",
    "HeartbeatSeconds",
    "Credentials",
    "RoleArn",
    "MaxConcurrency",
    "Label",
    "A",
    "B",
    "C",
    "$",
    "$.x",
    "{% 1 %}",
    "States.ALL",
    "arn:aws:states:::lambda:invoke",
    "2016-03-14T01:59:00Z",
    "x.$",
];

/// A machine whose states have random types and transitions, some to missing states.
fn state_graph() -> impl Strategy<Value = Value> {
    let names = ["A", "B", "C", "D", "E", "F"];
    let state = (
        prop::sample::select(vec![
            "Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map", "Bogus",
        ]),
        prop::option::of(prop::sample::select(vec![
            "A", "B", "C", "D", "E", "F", "Z",
        ])),
        any::<bool>(),
        prop::option::of(prop::sample::select(vec!["A", "C", "Z"])),
    );
    (
        prop::collection::vec(state, 1..6),
        prop::sample::select(vec!["A", "B", "Z"]),
    )
        .prop_map(move |(states, start)| {
            let mut map = Map::default();
            for (i, (ty, next, end, other)) in states.into_iter().enumerate() {
                let mut s = Map::default();
                s.insert("Type".into(), Value::from(ty));
                if let Some(n) = next {
                    s.insert("Next".into(), Value::from(n));
                }
                if end {
                    s.insert("End".into(), Value::Bool(true));
                }
                match ty {
                    "Task" => {
                        s.insert("Resource".into(), Value::from("arn:aws:states:::lambda:invoke"));
                        if let Some(o) = other {
                            s.insert(
                                "Catch".into(),
                                baton_json::json!([{"ErrorEquals": ["States.ALL"], "Next": o}]),
                            );
                        }
                    }
                    "Choice" => {
                        s.insert(
                            "Choices".into(),
                            baton_json::json!([{"Variable": "$.x", "IsNull": true, "Next": other.unwrap_or("A")}]),
                        );
                    }
                    "Wait" => {
                        s.insert("Seconds".into(), Value::from(1i64));
                    }
                    "Parallel" => {
                        s.insert(
                            "Branches".into(),
                            baton_json::json!([{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": other.unwrap_or("A")}}}]),
                        );
                    }
                    "Map" => {
                        s.insert(
                            "ItemProcessor".into(),
                            baton_json::json!({"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}),
                        );
                    }
                    _ => {}
                }
                map.insert(names[i].into(), Value::object(s));
            }
            let mut root = Map::default();
            root.insert("StartAt".into(), Value::from(start));
            root.insert("States".into(), Value::object(map));
            Value::object(root)
        })
}

/// A valid definition using most of the language, to mutate.
const SEED: &str = r#"{
  "Comment": "seed", "TimeoutSeconds": 60,
  "StartAt": "T",
  "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
          "Parameters": {"FunctionName": "f", "Payload.$": "$"}, "ResultSelector": {"p.$": "$.Payload"},
          "ResultPath": "$.r", "TimeoutSeconds": 10, "HeartbeatSeconds": 5,
          "Retry": [{"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 1, "MaxAttempts": 2, "BackoffRate": 1.5, "JitterStrategy": "FULL"}],
          "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.e", "Next": "F"}],
          "Next": "C"},
    "C": {"Type": "Choice", "Choices": [
            {"And": [{"Variable": "$.a", "NumericGreaterThan": 1}, {"Not": {"Variable": "$.b", "IsPresent": true}}], "Next": "W"},
            {"Variable": "$.s", "StringMatches": "a*", "Next": "P"}],
          "Default": "M"},
    "W": {"Type": "Wait", "Timestamp": "2016-03-14T01:59:00Z", "Next": "P"},
    "P": {"Type": "Parallel", "Branches": [
            {"StartAt": "P1", "States": {"P1": {"Type": "Pass", "Result": {"x": 1}, "End": true}}},
            {"StartAt": "P2", "States": {"P2": {"Type": "Succeed"}}}],
          "Next": "M"},
    "M": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2, "ItemSelector": {"i.$": "$$.Map.Item.Value"},
          "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "M1",
                            "States": {"M1": {"Type": "Pass", "End": true}}},
          "Next": "J"},
    "J": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $states.input %}", "Assign": {"v": 1}, "Next": "S"},
    "S": {"Type": "Succeed"},
    "F": {"Type": "Fail", "Error": "E", "Cause": "c"}
  }
}"#;

fn seed() -> Value {
    read_text(SEED, Some(DefinitionFormat::Json)).expect("the seed is JSON")
}

/// Every path to an object member or array element of `v`.
fn paths(v: &Value) -> Vec<Vec<Result<Str, usize>>> {
    let mut out = Vec::new();
    let mut todo = vec![(v, Vec::new())];
    while let Some((v, path)) = todo.pop() {
        if let Some(map) = v.as_object() {
            for (k, child) in map.iter() {
                let mut p = path.clone();
                p.push(Ok(k.clone()));
                out.push(p.clone());
                todo.push((child, p));
            }
        } else if let Some(items) = v.as_array() {
            for (i, child) in items.iter().enumerate() {
                let mut p = path.clone();
                p.push(Err(i));
                out.push(p.clone());
                todo.push((child, p));
            }
        }
    }
    out
}

/// A change to one place of a document.
#[derive(Debug, Clone)]
enum Mutation {
    Delete,
    Rename(String),
    Replace(Value),
}

/// `doc` with `mutation` applied at `path`.
fn mutate(doc: &Value, path: &[Result<Str, usize>], mutation: &Mutation) -> Value {
    let Some((last, parents)) = path.split_last() else {
        return doc.clone();
    };
    if let Some(first) = parents.first() {
        let child = match (doc, first) {
            (Value::Object(_), Ok(k)) => doc.get(k),
            (Value::Array(_), Err(i)) => doc.index(*i),
            _ => None,
        };
        let Some(child) = child else {
            return doc.clone();
        };
        let changed = mutate(child, &path[1..], mutation);
        return replace_child(doc, first, changed);
    }
    match (doc, last, mutation) {
        (Value::Object(map), Ok(k), Mutation::Delete) => {
            let mut m: Map = map.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            m.shift_remove(k);
            Value::object(m)
        }
        (Value::Object(map), Ok(k), Mutation::Rename(new)) => {
            let m: Map = map
                .iter()
                .map(|(key, v)| {
                    if key == k {
                        (Str::from(new.as_str()), v.clone())
                    } else {
                        (key.clone(), v.clone())
                    }
                })
                .collect();
            Value::object(m)
        }
        (Value::Array(items), Err(i), Mutation::Delete) => {
            let mut v: Vec<Value> = items.to_vec();
            if *i < v.len() {
                v.remove(*i);
            }
            Value::array(v)
        }
        (_, step, Mutation::Replace(new)) => replace_child(doc, step, new.clone()),
        _ => doc.clone(),
    }
}

fn replace_child(doc: &Value, step: &Result<Str, usize>, new: Value) -> Value {
    match (doc, step) {
        (Value::Object(map), Ok(k)) => {
            let mut m: Map = map.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            m.insert(k.clone(), new);
            Value::object(m)
        }
        (Value::Array(items), Err(i)) => {
            let mut v: Vec<Value> = items.to_vec();
            if let Some(slot) = v.get_mut(*i) {
                *slot = new;
            }
            Value::array(v)
        }
        _ => doc.clone(),
    }
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        Just(Mutation::Delete),
        prop_oneof![
            "[A-Za-z]{1,8}",
            prop::sample::select(VOCABULARY).prop_map(str::to_owned),
        ]
        .prop_map(Mutation::Rename),
        any_json().prop_map(Mutation::Replace),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_documents_are_reported_not_fatal(doc in any_json()) {
        check(&doc)?;
    }

    #[test]
    fn random_state_graphs_are_checked(doc in state_graph()) {
        check(&doc)?;
    }

    #[test]
    fn mutated_definitions_are_reported_not_fatal(
        picks in prop::collection::vec((any::<prop::sample::Index>(), mutation()), 1..4),
    ) {
        let mut doc = seed();
        for (pick, m) in &picks {
            let all = paths(&doc);
            if all.is_empty() {
                break;
            }
            doc = mutate(&doc, &all[pick.index(all.len())], m);
        }
        check(&doc)?;
    }

    #[test]
    fn random_text_is_reported_not_fatal(text in "\\PC{0,200}") {
        for format in [DefinitionFormat::Json, DefinitionFormat::Yaml] {
            let started = Instant::now();
            let parsed = parse_text(&text, Some(format), ParseOptions::default());
            prop_assert!(started.elapsed() < LIMIT);
            for d in parsed.diagnostics.iter() {
                if let Some(p) = &d.pointer {
                    locate(&text, format, p);
                }
            }
        }
    }

    #[test]
    fn locating_anything_in_any_text_is_safe(
        text in "[ \\-\\[\\]{}:,\"'#\n\\\\a-c0-9é]{0,120}",
        steps in prop::collection::vec(
            prop_oneof![
                prop::sample::select(vec!["a", "b", "c", "é", "a b", ""]).prop_map(Ok),
                (0usize..3).prop_map(Err),
            ],
            0..5,
        ),
    ) {
        let pointer = steps.iter().fold(baton_asl::Pointer::root(), |p, s| match s {
            Ok(k) => p.child(k),
            Err(i) => p.index(*i),
        });
        for format in [DefinitionFormat::Json, DefinitionFormat::Yaml] {
            let at = locate(&text, format, &pointer);
            prop_assert!(at.offset <= text.len() && at.line >= 1 && at.column >= 1);
        }
    }

    #[test]
    fn yaml_renderings_locate_every_problem(doc in state_graph()) {
        let parsed = check(&doc)?;
        let yaml = serde_norway::to_string(&doc).expect("YAML");
        let again = parse_text(&yaml, Some(DefinitionFormat::Yaml), ParseOptions::default());
        prop_assert_eq!(parsed.diagnostics.len(), again.diagnostics.len());
        for d in again.diagnostics.iter() {
            if let Some(p) = &d.pointer {
                let at = locate(&yaml, DefinitionFormat::Yaml, p);
                prop_assert!(at.line >= 1 && at.offset <= yaml.len());
            }
        }
    }
}

#[test]
fn the_seed_is_valid() {
    let parsed = parse(&seed(), ParseOptions::default());
    let errors: Vec<String> = parsed.diagnostics.iter().map(|d| d.render()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn deeply_nested_json_is_an_error_not_a_crash() {
    let text = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let parsed = parse_text(&text, Some(DefinitionFormat::Json), ParseOptions::default());
    let d: Vec<_> = parsed.diagnostics.iter().collect();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code, Code::InvalidJsonDescription);
    let text = format!("{}1{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
    let parsed = parse_text(&text, None, ParseOptions::default());
    assert_eq!(
        parsed.diagnostics.iter().next().map(|d| d.code),
        Some(Code::InvalidJsonDescription)
    );
}

#[test]
fn deeply_nested_yaml_is_an_error_not_a_crash() {
    let flow = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let mut block = String::new();
    for depth in 0..10_000 {
        block.push_str(&" ".repeat(depth));
        block.push_str("a:\n");
    }
    for text in [flow, block] {
        let parsed = parse_text(&text, Some(DefinitionFormat::Yaml), ParseOptions::default());
        assert!(parsed.diagnostics.has_errors());
        assert!(parsed.machine.is_none());
    }
}

#[test]
fn yaml_aliases_cannot_blow_up() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let started = Instant::now();
    let parsed = parse_text(&text, Some(DefinitionFormat::Yaml), ParseOptions::default());
    assert!(started.elapsed() < LIMIT, "{:?}", started.elapsed());
    assert!(parsed.diagnostics.has_errors());
}

/// A machine of `n` Pass states in a chain, each with a few common fields.
fn chain(n: usize) -> String {
    let mut states = Vec::with_capacity(n);
    for i in 0..n {
        let next = if i + 1 == n {
            "\"End\": true".to_owned()
        } else {
            format!("\"Next\": \"S{}\"", i + 1)
        };
        states.push(format!(
            "\"S{i}\": {{\"Type\": \"Pass\", \"Comment\": \"state {i}\", \"Parameters\": {{\"a.$\": \"$.x\", \"b\": [1, 2]}}, \"ResultPath\": \"$.r{i}\", {next}}}"
        ));
    }
    format!(
        "{{\"StartAt\": \"S0\", \"States\": {{{}}}}}",
        states.join(", ")
    )
}

#[test]
fn a_thousand_states_parse_quickly() {
    let text = chain(1000);
    // The best of a few runs: the first one also pays for warming the allocator up.
    let mut took = Duration::MAX;
    let mut parsed = None;
    for _ in 0..5 {
        let started = Instant::now();
        parsed = Some(parse_text(&text, None, ParseOptions::default()));
        took = took.min(started.elapsed());
    }
    let parsed = parsed.expect("parsed");
    let value = read_text(&text, None).expect("JSON");
    let started = Instant::now();
    parse(&value, ParseOptions::default());
    eprintln!(
        "1000 states: validated (without reading the text) in {:?}",
        started.elapsed()
    );
    eprintln!("1000 states: parsed and validated in {took:?}");
    assert!(!parsed.diagnostics.has_errors());
    // Well under 10 ms in a release build; this bound is for unoptimized test builds.
    assert!(took < Duration::from_millis(500), "{took:?}");
}

#[test]
fn a_ten_megabyte_definition_is_handled() {
    let big = format!(
        r#"{{"Comment": "{}", "StartAt": "A", "States": {{"A": {{"Type": "Pass", "Nxet": 1, "End": true}}}}}}"#,
        "x".repeat(10 << 20)
    );
    let started = Instant::now();
    let parsed = parse_text(&big, None, ParseOptions::default());
    assert!(started.elapsed() < LIMIT * 5);
    let d: Vec<_> = parsed.diagnostics.iter().collect();
    assert_eq!(d.len(), 1);
    assert_eq!(
        d[0].render(),
        "SCHEMA_VALIDATION_FAILED: Field 'Nxet' is not supported at /States/A"
    );
    let text = chain(20_000);
    assert!(text.len() > 2 << 20);
    let parsed = parse_text(&text, None, ParseOptions::default());
    assert!(!parsed.diagnostics.has_errors());
}

#[test]
fn many_errors_are_all_reported() {
    let mut text = chain(2000);
    text = text.replace("\"Type\": \"Pass\"", "\"Type\": \"Pass\", \"Bad\": 1");
    let parsed = parse_text(&text, None, ParseOptions::default());
    let errors = parsed
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    assert_eq!(errors, 2000);
}

/// Texts that tripped the parser or the locator while they were written.
#[test]
fn regression_inputs() {
    let texts = [
        "{",
        "-",
        "[",
        "{}}",
        "StartAt: A\nStates:\n  \"A\": {Type: Pass, End: true}\n  é: [1\n",
        "StartAt: é\nStates:\n  é:\n    Type: Pass\n    Next: ü\n",
        "{\"StartAt\": \"a\\\"b\", \"States\": {\"a\\\"b\": {\"Type\": \"Pass\", \"Next\": \"x\"}}}",
        "StartAt: A\nStates:\n  A:\n    Type: Map\n    Iterator:\n      ProcessorConfig: {Mode: INLINE}\n      StartAt: B\n      States: {B: {Type: Succeed}}\n    End: true\n",
    ];
    for text in texts {
        for format in [DefinitionFormat::Json, DefinitionFormat::Yaml] {
            let parsed = parse_text(text, Some(format), ParseOptions::default());
            for d in parsed.diagnostics.iter() {
                if let Some(p) = &d.pointer {
                    let at = locate(text, format, p);
                    assert!(at.offset <= text.len());
                }
            }
        }
    }
}
