//! Every fuzz target over the inputs kept in `crates/fuzz/regressions/<target>/` (cases the
//! fuzzer found, and hand-made ones at the edges), and over generated inputs: JSON trees
//! deep and wide, schedule expressions from their grammar, event patterns and events,
//! requests to the event bus and to webhooks.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Value, json};

fn regressions() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("regressions")
}

#[test]
fn every_kept_input_passes_its_target() {
    let mut failures = Vec::new();
    let mut dirs: Vec<_> = std::fs::read_dir(regressions())
        .expect("crates/fuzz/regressions")
        .map(|e| e.expect("an entry").path())
        .collect();
    dirs.sort();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let Some((_, target)) = baton_fuzz::TARGETS.iter().find(|(n, _)| *n == name) else {
            panic!("{}: no target of that name", dir.display());
        };
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "{name}: no input kept");
        for file in files {
            let data = std::fs::read(&file).unwrap();
            if std::panic::catch_unwind(|| target(&data)).is_err() {
                failures.push(file.display().to_string());
            }
        }
    }
    for (name, _) in baton_fuzz::TARGETS {
        assert!(
            dirs.iter().any(|d| d.ends_with(name)),
            "no regressions/{name}/"
        );
    }
    assert!(failures.is_empty(), "failing inputs: {failures:#?}");
}

// ----- JSON, deep and wide -----

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        select(vec![
            "a", "source", "detail", "n", "input", "body", "k", "id", "output"
        ])
        .prop_map(str::to_owned),
        "\\PC{0,8}",
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "\\PC{0,16}".prop_map(Value::from),
    ]
}

/// Wide trees: up to 8 levels, up to 8 members a level.
fn json_tree() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(8, 256, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A chain of `depth` arrays and objects (chosen per level) around a wide tree, as text:
/// documents around the nesting bound (1,000) and past it, which serde_json's own limit
/// (128) would not let through as values.
fn deep_json() -> impl Strategy<Value = String> {
    (
        prop_oneof![0usize..130, 990usize..1010, 1010usize..3000],
        prop::collection::vec(any::<bool>(), 1..8),
        json_tree(),
        any::<bool>(),
    )
        .prop_map(|(depth, kinds, inner, close)| {
            let mut text = String::new();
            for i in 0..depth {
                text.push_str(if kinds[i % kinds.len()] {
                    "["
                } else {
                    "{\"a\":"
                });
            }
            text.push_str(&inner.to_string());
            if close {
                for i in (0..depth).rev() {
                    text.push(if kinds[i % kinds.len()] { ']' } else { '}' });
                }
            }
            text
        })
}

fn json_text() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        json_tree().prop_map(|v| v.to_string().into_bytes()),
        deep_json().prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 0..64),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn json_through_every_codec(text in json_text()) {
        baton_fuzz::json_codecs(&text);
    }

    #[test]
    fn api_bodies_deep_and_wide(op in any::<u8>(), body in prop_oneof![
        deep_json().prop_map(|inner| format!("{{\"input\":{inner:?},\"stateMachineArn\":\"arn:aws:states:us-east-1:1:stateMachine:m\",\"definition\":{inner:?}}}")),
        json_text().prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]) {
        let mut data = vec![op];
        data.extend_from_slice(body.as_bytes());
        baton_fuzz::api_request(&data);
    }

    #[test]
    fn definitions_deep_and_wide(params in deep_json()) {
        let text = format!(r#"{{"StartAt":"P","States":{{"P":{{"Type":"Pass","Parameters":{params},"End":true}}}}}}"#);
        baton_fuzz::asl_definition(text.as_bytes());
    }
}

// ----- schedules -----

fn cron_field(low: i32, high: i32, names: &'static [&'static str]) -> BoxedStrategy<String> {
    let number = prop_oneof![
        4 => (low..=high).prop_map(|n| n.to_string()),
        1 => (low - 3..=high + 3).prop_map(|n| n.to_string()),
        1 => prop_oneof![Just(i32::MAX), Just(i32::MIN), Just(-1), Just(0)].prop_map(|n| n.to_string()),
    ];
    let name = if names.is_empty() {
        number.clone().boxed()
    } else {
        prop_oneof![number.clone(), select(names).prop_map(str::to_owned)].boxed()
    };
    let step = prop_oneof![
        4 => (1..=high.max(2)).prop_map(|s| s.to_string()),
        1 => prop_oneof![Just(i32::MAX), Just(0), Just(-1)].prop_map(|s| s.to_string()),
    ];
    let item = prop_oneof![
        Just("*".to_owned()),
        name.clone(),
        (name.clone(), name.clone()).prop_map(|(a, b)| format!("{a}-{b}")),
        (name.clone(), step.clone()).prop_map(|(a, s)| format!("{a}/{s}")),
        step.prop_map(|s| format!("*/{s}")),
    ];
    prop::collection::vec(item, 1..3)
        .prop_map(|items| items.join(","))
        .boxed()
}

const MONTHS: &[&str] = &["JAN", "FEB", "dec", "MAY"];
const DAYS: &[&str] = &["SUN", "MON", "sat", "WED"];

fn expression() -> impl Strategy<Value = String> {
    let dom = prop_oneof![
        cron_field(1, 31, &[]),
        Just("L".to_owned()),
        Just("LW".to_owned()),
        (0i32..40).prop_map(|n| format!("{n}W")),
    ];
    let dow = prop_oneof![
        cron_field(1, 7, DAYS),
        Just("L".to_owned()),
        (0i32..9).prop_map(|d| format!("{d}L")),
        (0i32..9, 0i32..7).prop_map(|(d, n)| format!("{d}#{n}")),
    ];
    let days = prop_oneof![
        dom.prop_map(|d| (d, "?".to_owned())),
        dow.prop_map(|w| ("?".to_owned(), w)),
        Just(("?".to_owned(), "?".to_owned())),
        Just(("*".to_owned(), "*".to_owned())),
    ];
    let cron = (
        cron_field(0, 59, &[]),
        cron_field(0, 23, &[]),
        days,
        cron_field(1, 12, MONTHS),
        prop_oneof![cron_field(1970, 2199, &[]), Just("*".to_owned())],
    )
        .prop_map(|(mi, h, (dom, dow), mo, y)| format!("cron({mi} {h} {dom} {mo} {dow} {y})"));
    let rate = (
        prop_oneof![
            1i64..100,
            Just(0i64),
            Just(1_000_000),
            Just(1_000_001),
            Just(i64::MAX)
        ],
        select(vec![
            "minute", "minutes", "hour", "hours", "day", "days", "week",
        ]),
    )
        .prop_map(|(n, u)| format!("rate({n} {u})"));
    let at = (
        prop_oneof![1970i32..2200, -9999i32..=9999],
        1u8..=12,
        1u8..=31,
        0u8..24,
        0u8..60,
    )
        .prop_map(|(y, mo, d, h, mi)| {
            let year = if y < 0 {
                format!("-{:06}", -y)
            } else {
                format!("{y:04}")
            };
            format!("at({year}-{mo:02}-{d:02}T{h:02}:{mi:02}:00)")
        });
    prop_oneof![4 => cron, 2 => rate, 2 => at, 1 => "\\PC{0,30}"]
}

fn instant() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (0i64..7_258_118_400_000).prop_map(|t| t.to_string()),
        1 => any::<i64>().prop_map(|t| t.to_string()),
        1 => select(vec!["min", "max", "", "-62135596800000", "253402300799999"]).prop_map(str::to_owned),
    ]
}

fn zone() -> impl Strategy<Value = &'static str> {
    select(vec![
        "",
        "UTC",
        "Europe/Paris",
        "America/New_York",
        "Australia/Lord_Howe",
        "Pacific/Kiritimati",
        "Asia/Kathmandu",
        "America/Santiago",
        "Nowhere/City",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn schedules_at_any_instant(
        expr in expression(),
        zone in zone(),
        after in instant(),
        anchor in instant(),
        now in instant(),
        start in instant(),
        end in instant(),
    ) {
        let data = format!("{expr}\n{zone}\n{after}\n{anchor}\n{now}\n{start}\n{end}");
        baton_fuzz::schedule(data.as_bytes());
    }
}

// ----- event patterns -----

fn pattern_leaf() -> impl Strategy<Value = Value> {
    let text = || select(vec!["s", "x", "", "é", "10.0.0.1", "S"]).prop_map(Value::from);
    prop_oneof![
        text(),
        any::<i32>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        text().prop_map(|t| json!({"prefix": t})),
        text().prop_map(|t| json!({"suffix": {"equals-ignore-case": t}})),
        text().prop_map(|t| json!({"equals-ignore-case": t})),
        "[a-z*\\\\]{0,6}".prop_map(|w| json!({"wildcard": w})),
        any::<bool>().prop_map(|b| json!({"exists": b})),
        (
            select(vec![">", ">=", "=", "<", "<="]),
            any::<f64>(),
            any::<f64>()
        )
            .prop_map(|(op, a, b)| json!({"numeric": [op, a, "<", b]})),
        (select(vec![">", "=", "<="]), any::<i32>())
            .prop_map(|(op, a)| json!({"numeric": [op, a]})),
        ("(10|::1|0\\.0\\.0\\.0|255\\.255\\.1\\.1)", 0u32..140)
            .prop_map(|(ip, bits)| json!({"cidr": format!("{ip}/{bits}")})),
        prop_oneof![
            text().prop_map(|t| json!({"anything-but": t})),
            any::<i32>().prop_map(|n| json!({"anything-but": [n, 1]})),
            text().prop_map(|t| json!({"anything-but": {"prefix": t}})),
            text().prop_map(|t| json!({"anything-but": {"wildcard": [t, "*"]}})),
        ],
    ]
}

fn pattern() -> impl Strategy<Value = Value> {
    let leaves = prop::collection::vec(pattern_leaf(), 0..4).prop_map(Value::Array);
    leaves.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            4 => prop::collection::vec((key(), inner.clone()), 1..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
            1 => prop::collection::vec(
                prop::collection::vec((key(), inner), 1..3)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
                1..3,
            )
            .prop_map(|alternatives| json!({"$or": alternatives})),
        ]
    })
}

fn event() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        pattern_leaf().prop_filter("scalar", |v| !v.is_object()),
        leaf()
    ];
    leaf.prop_recursive(5, 64, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn patterns_match_any_event(pattern in pattern(), event in event()) {
        let data = format!("{pattern}\n{event}");
        baton_fuzz::event_pattern(data.as_bytes());
    }
}

// ----- the event bus and webhooks -----

fn big_number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        Just(json!(u64::MAX)),
        Just(json!(1e300)),
    ]
}

fn bus_request() -> impl Strategy<Value = Value> {
    let token = prop_oneof![
        any::<u64>().prop_map(|n| n.to_string()),
        Just(u64::MAX.to_string()),
        Just((u64::MAX - 50).to_string()),
        "[0-9]{1,25}",
        "\\PC{0,8}",
    ];
    let entry = (
        select(vec!["s", "", "x"]),
        deep_json(),
        prop::option::of(big_number()),
    )
        .prop_map(|(source, detail, time)| {
            let mut e = json!({"Source": source, "DetailType": "t", "Detail": detail});
            if let Some(t) = time {
                e["Time"] = t;
            }
            e
        });
    (
        prop::option::of(token),
        prop::option::of(big_number()),
        prop::collection::vec(entry, 0..3),
        select(vec!["a", "b", "c", "missing"]),
        prop::option::of(pattern()),
        big_number(),
    )
        .prop_map(|(token, limit, entries, rule, pattern, date)| {
            let mut r = json!({
                "Name": rule, "Rule": rule, "Entries": entries,
                "Targets": [{"Id": "9", "Arn": "arn:aws:states:us-east-1:123456789012:stateMachine:m"}],
                "Ids": ["1"], "Force": true,
                "ScheduleExpression": "rate(1 minute)",
                "FlexibleTimeWindow": {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": limit.clone().unwrap_or(json!(5))},
                "Target": {"Arn": "arn:aws:states:us-east-1:123456789012:stateMachine:m", "RoleArn": "r"},
                "StartDate": date, "Event": "{\"source\":\"s\"}",
            });
            if let Some(t) = token {
                r["NextToken"] = json!(t);
            }
            if let Some(l) = limit {
                r["Limit"] = l.clone();
                r["MaxResults"] = l;
            }
            if let Some(p) = pattern {
                r["EventPattern"] = json!(p.to_string());
            }
            r
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn bus_actions_answer_aws_errors(action in any::<u8>(), body in bus_request()) {
        let mut data = vec![action];
        data.extend_from_slice(body.to_string().as_bytes());
        baton_fuzz::put_events(&data);
    }

    #[test]
    fn webhooks_take_any_body(
        flags in 0u8..4,
        template in prop_oneof![
            Just(r#"{"b.$":"$.body"}"#.to_owned()),
            Just(r#""{% $states.input.body %}""#.to_owned()),
            Just(r#"{"q.$":"$.query","h.$":"$.headers.content-type"}"#.to_owned()),
            json_tree().prop_map(|v| v.to_string()),
        ],
        body in json_text(),
    ) {
        let mut data = vec![flags];
        data.extend_from_slice(template.as_bytes());
        data.push(b'\n');
        data.extend_from_slice(&body);
        baton_fuzz::webhook(&data);
    }
}
