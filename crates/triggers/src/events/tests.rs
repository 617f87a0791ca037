use std::sync::Arc;

use baton_json::Value;
use serde_json::json;

use super::{Rule, RuleSet};
use crate::schedule::Identity;

fn identity() -> Identity {
    Identity {
        region: "us-east-1".into(),
        account: "123456789012".into(),
    }
}

fn rule(name: &str, pattern: &str, target: serde_json::Value) -> Rule {
    Rule::from_raw(
        json!({"Name": name, "EventPattern": pattern, "Targets": [target]}),
        &identity(),
    )
    .unwrap()
}

const EC2: &str = r#"{"version":"0","id":"7bf73129-1428-4cd3-a780-95db273d1602","detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","account":"123456789012","time":"2015-11-11T21:29:54Z","region":"us-east-1","resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],"detail":{"instance-id":"i-0123456789","state":"RUNNING"}}"#;

/// The documentation's input transformer examples.
#[test]
fn input_transformers_as_documented() {
    let event = Value::from_json_str(EC2).unwrap();
    let paths = json!({"timestamp": "$.time", "instance": "$.detail.instance-id", "state": "$.detail.state"});
    let cases: &[(&str, &str)] = &[
        (
            r#""instance <instance> is in <state>""#,
            r#""instance i-0123456789 is in RUNNING""#,
        ),
        (
            r#"{"instance" : <instance>, "state": <state>}"#,
            r#"{"instance" : "i-0123456789", "state": "RUNNING"}"#,
        ),
        (
            r#"{"instance" : <instance>, "state": "<state>", "instanceStatus": "instance \"<instance>\" is in <state>"}"#,
            r#"{"instance" : "i-0123456789", "state": "RUNNING", "instanceStatus": "instance \"i-0123456789\" is in RUNNING"}"#,
        ),
        (
            r#"{"instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes"}"#,
            r#"{"instance" : "i-0123456789", "state": [ 9, "RUNNING", true ], "Transformed" : "Yes"}"#,
        ),
        (
            r#"{"ruleArn" : <aws.events.rule-arn>, "ruleName" : <aws.events.rule-name>}"#,
            r#"{"ruleArn" : "arn:aws:events:us-east-1:123456789012:rule/example", "ruleName" : "example"}"#,
        ),
        (
            r#""<aws.events.rule-name> triggered""#,
            r#""example triggered""#,
        ),
        (
            r#"{"missing": <nothere>, "text": "a<nothere>b"}"#,
            r#"{"missing": null, "text": "ab"}"#,
        ),
        ("a < b", "a < b"),
    ];
    for (template, want) in cases {
        let target = json!({"Id": "1", "Arn": "arn:aws:states:us-east-1:123456789012:stateMachine:m",
            "InputTransformer": {"InputPathsMap": paths, "InputTemplate": template}});
        let r = rule("example", r#"{"source": ["aws.ec2"]}"#, target);
        assert_eq!(r.targets[0].input_for(&event, &r, 0), *want, "{template}");
    }
    // The whole event, a constant, a path.
    let arn = "arn:aws:states:us-east-1:123456789012:stateMachine:m";
    let r = rule(
        "r",
        r#"{"source": ["aws.ec2"]}"#,
        json!({"Id": "1", "Arn": arn}),
    );
    assert_eq!(
        r.targets[0].input_for(&event, &r, 0),
        event.to_json_string()
    );
    let r = rule(
        "r",
        r#"{"source": ["aws.ec2"]}"#,
        json!({"Id": "1", "Arn": arn, "Input": "{\"k\":1}"}),
    );
    assert_eq!(r.targets[0].input_for(&event, &r, 0), r#"{"k":1}"#);
    let r = rule(
        "r",
        r#"{"source": ["aws.ec2"]}"#,
        json!({"Id": "1", "Arn": arn, "InputPath": "$.detail"}),
    );
    assert_eq!(
        r.targets[0].input_for(&event, &r, 0),
        r#"{"instance-id":"i-0123456789","state":"RUNNING"}"#
    );
}

#[test]
fn the_index_finds_the_same_rules_as_a_scan() {
    let arn = json!({"Id": "1", "Arn": "arn:aws:states:us-east-1:123456789012:stateMachine:m"});
    let mut rules = Vec::new();
    for i in 0..50 {
        rules.push(Arc::new(rule(
            &format!("s{i}"),
            &format!(r#"{{"source": ["src{i}"]}}"#),
            arn.clone(),
        )));
    }
    rules.push(Arc::new(rule(
        "prefix",
        r#"{"source": [{"prefix": "src1"}]}"#,
        arn.clone(),
    )));
    rules.push(Arc::new(rule(
        "both",
        r#"{"source": ["src7", "src8"], "detail-type": ["t"]}"#,
        arn.clone(),
    )));
    let set = RuleSet::new(rules);
    let names = |event: &str| -> Vec<String> {
        let mut n: Vec<String> = set
            .matching("default", &Value::from_json_str(event).unwrap())
            .iter()
            .map(|r| r.name.clone())
            .collect();
        n.sort();
        n
    };
    assert_eq!(
        names(r#"{"source": "src7", "detail-type": "t"}"#),
        ["both", "s7"]
    );
    assert_eq!(names(r#"{"source": "src12"}"#), ["prefix", "s12"]);
    assert_eq!(names(r#"{"source": "other"}"#), Vec::<String>::new());
    // Values in nested arrays are leaves as the pattern sees them: the index finds them.
    assert_eq!(names(r#"{"source": [["src3"]]}"#), ["s3"]);
    assert_eq!(
        names(r#"{"source": [[], ["x", ["src7"]]], "detail-type": [["t"]]}"#),
        ["both", "s7"]
    );
    assert!(
        set.matching(
            "another-bus",
            &Value::from_json_str(r#"{"source": "src7"}"#).unwrap()
        )
        .is_empty()
    );
}

#[test]
fn a_bus_routes_only_with_an_enabled_rule_that_has_targets() {
    let target = json!({"Id": "1", "Arn": "arn:aws:states:us-east-1:123456789012:stateMachine:m"});
    assert!(!RuleSet::new(Vec::new()).routes("default"));
    let on = Arc::new(rule("on", r#"{"source": ["a"]}"#, target.clone()));
    let off = Arc::new(
        Rule::from_raw(
            json!({"Name": "off", "EventBusName": "other", "EventPattern": r#"{"source": ["a"]}"#,
                "State": "DISABLED", "Targets": [target]}),
            &identity(),
        )
        .unwrap(),
    );
    let bare = Arc::new(
        Rule::from_raw(
            json!({"Name": "bare", "EventBusName": "third", "EventPattern": r#"{"source": ["a"]}"#}),
            &identity(),
        )
        .unwrap(),
    );
    let set = RuleSet::new(vec![on, off, bare]);
    assert!(set.routes("default"));
    assert!(!set.routes("other"), "its only rule is disabled");
    assert!(!set.routes("third"), "its only rule has no targets");
}
