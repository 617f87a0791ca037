//! `arn:aws:states:::aws-sdk:SERVICE:ACTION` against moto's server: requests made from the
//! shipped models (JSON, rest-JSON and query protocols), results in PascalCase, errors as
//! `ServiceName.ExceptionName`; and the DynamoDB cases AWS recorded, replayed.

mod aws_support;

use aws_support::{
    conformance_case, json, matches_cause, moto, new_bucket, ok, registry, replay, run, uuid,
    without_metadata,
};
use baton_json::Value;

async fn table(r: &baton_integrations::Registry, name: &str) {
    ok(
        r,
        "arn:aws:states:::aws-sdk:dynamodb:createTable",
        &format!(
            r#"{{"TableName":"{name}","KeySchema":[{{"AttributeName":"id","KeyType":"HASH"}}],
                "AttributeDefinitions":[{{"AttributeName":"id","AttributeType":"S"}}],
                "BillingMode":"PAY_PER_REQUEST"}}"#
        ),
    )
    .await;
}

/// The recorded DynamoDB cases (optimized and aws-sdk), each on a fresh table: the outputs
/// as AWS gave them, less the HTTP metadata (which AWS's recordings do not compare).
#[tokio::test]
async fn recorded_dynamodb_cases_give_aws_results() {
    let Some(moto) = moto() else { return };
    let r = registry(moto);
    let cases = [
        "test_base_integrations_DYNAMODB_PUT_GET_ITEM",
        "test_base_integrations_DYNAMODB_PUT_DELETE_ITEM",
        "test_base_integrations_DYNAMODB_PUT_UPDATE_GET_ITEM",
        "test_base_integrations_DYNAMODB_PUT_QUERY",
        "TestTaskServiceAwsSdk_test_dynamodb_put_get_item",
        "TestTaskServiceAwsSdk_test_dynamodb_put_delete_item",
        "TestTaskServiceAwsSdk_test_dynamodb_put_update_get_item",
    ];
    for name in cases {
        let Some(case) = conformance_case(name) else {
            return;
        };
        let recorded_table = case["input"]["TableName"].as_str().unwrap().to_owned();
        let fresh = format!("t{}", uuid());
        table(&r, &fresh).await;
        let mut input = case["input"].clone();
        input["TableName"] = fresh.clone().into();
        let out = replay(&r, &case["definition"], input)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let mut expected = without_metadata(&case["expected"]["output"]);
        for (_, v) in expected.as_object_mut().unwrap() {
            if v.as_str()
                .is_some_and(|s| s == "table-name" || s == "<test-table>")
            {
                *v = fresh.clone().into();
            }
        }
        let _ = recorded_table;
        // moto adds ConsumedCapacity to UpdateItem's answer unasked; AWS does not.
        let mut out = without_metadata(&out);
        for v in out.as_object_mut().unwrap().values_mut() {
            if let Some(m) = v.as_object_mut() {
                m.remove("ConsumedCapacity");
            }
        }
        assert_eq!(out, expected, "{name}");
    }
}

#[tokio::test]
async fn recorded_errors_of_aws_sdk_and_optimized_dynamodb() {
    let Some(moto) = moto() else { return };
    let r = registry(moto);
    for (name, attempt_count) in [
        ("test_put_item_no_such_table-483cd08c", false),
        // Recorded in 2023, before the SDK for Java 2 added the attempt count to its
        // messages (the 2025 recordings of aws-sdk errors have it).
        ("TestAwsSdk_test_dynamodb_put_item_no_such_table", true),
    ] {
        let Some(case) = conformance_case(name) else {
            return;
        };
        let (error, cause) = replay(&r, &case["definition"], case["input"].clone())
            .await
            .unwrap_err();
        assert_eq!(error, case["expected"]["error"].as_str().unwrap(), "{name}");
        let mut pattern = case["expected"]["cause"].as_str().unwrap().to_owned();
        if attempt_count {
            pattern.push_str(" (SDK Attempt Count: 1)");
        }
        assert!(matches_cause(&cause, &pattern), "{name}: {cause}");
    }
}

#[tokio::test]
async fn json_services_through_the_models() {
    let Some(moto) = moto() else { return };
    let r = registry(moto);
    // Secrets Manager (JSON 1.1).
    let name = format!("s{}", uuid());
    let created = ok(
        &r,
        "arn:aws:states:::aws-sdk:secretsmanager:createSecret",
        &format!(r#"{{"Name":"{name}","SecretString":"HelloWorld"}}"#),
    )
    .await;
    assert!(created.get("ARN").and_then(Value::as_str).is_some());
    let got = ok(
        &r,
        "arn:aws:states:::aws-sdk:secretsmanager:getSecretValue",
        &format!(r#"{{"SecretId":"{name}"}}"#),
    )
    .await;
    assert_eq!(
        got.get("SecretString").and_then(Value::as_str),
        Some("HelloWorld")
    );
    // Timestamps as ISO-8601 text.
    assert!(
        got.get("CreatedDate")
            .and_then(Value::as_str)
            .is_some_and(|d| d.ends_with('Z') && d.contains('T')),
        "{got}"
    );
    let f = run(
        &r,
        "arn:aws:states:::aws-sdk:secretsmanager:getSecretValue",
        r#"{"SecretId":"no-such-secret"}"#,
    )
    .await
    .unwrap_err();
    assert_eq!(
        f.error.as_deref(),
        Some("SecretsManager.ResourceNotFoundException")
    );
    let cause = f.cause.unwrap();
    assert!(
        cause.contains("(Service: SecretsManager, Status Code: "),
        "{cause}"
    );

    // SSM (JSON 1.1), camelCase in the ARN, PascalCase parameters.
    let param = format!("/baton/{}", uuid());
    ok(
        &r,
        "arn:aws:states:::aws-sdk:ssm:putParameter",
        &format!(r#"{{"Name":"{param}","Value":"v1","Type":"String"}}"#),
    )
    .await;
    let got = ok(
        &r,
        "arn:aws:states:::aws-sdk:ssm:getParameter",
        &format!(r#"{{"Name":"{param}"}}"#),
    )
    .await;
    assert_eq!(
        got.get("Parameter")
            .and_then(|p| p.get("Value"))
            .and_then(Value::as_str),
        Some("v1")
    );
    let f = run(
        &r,
        "arn:aws:states:::aws-sdk:ssm:getParameter",
        r#"{"Name":"/no/such/parameter"}"#,
    )
    .await
    .unwrap_err();
    assert_eq!(f.error.as_deref(), Some("Ssm.ParameterNotFoundException"));

    // SQS (JSON 1.0): a map in the answer.
    let queue = ok(
        &r,
        "arn:aws:states:::aws-sdk:sqs:createQueue",
        &format!(r#"{{"QueueName":"q{}"}}"#, uuid()),
    )
    .await;
    let url = queue.get("QueueUrl").and_then(Value::as_str).unwrap();
    let attrs = ok(
        &r,
        "arn:aws:states:::aws-sdk:sqs:getQueueAttributes",
        &format!(r#"{{"QueueUrl":"{url}","AttributeNames":["All"]}}"#),
    )
    .await;
    assert!(
        attrs
            .get("Attributes")
            .and_then(|a| a.get("QueueArn"))
            .is_some()
    );

    // A parameter the operation does not have.
    let f = run(
        &r,
        "arn:aws:states:::aws-sdk:sqs:getQueueUrl",
        r#"{"QueueName":"q","Bogus":1}"#,
    )
    .await
    .unwrap_err();
    assert_eq!(f.error.as_deref(), Some("States.Runtime"));
    assert_eq!(
        f.cause.as_deref(),
        Some("The field 'Bogus' is not supported by Step Functions")
    );
}

#[tokio::test]
async fn query_and_rest_json_services_through_the_models() {
    let Some(moto) = moto() else { return };
    let r = registry(moto);
    // SNS (query protocol): lists of structures out of XML.
    let name = format!("t{}", uuid());
    let topic = ok(
        &r,
        "arn:aws:states:::aws-sdk:sns:createTopic",
        &format!(r#"{{"Name":"{name}","Tags":[{{"Key":"k","Value":"v"}}]}}"#),
    )
    .await;
    let arn = topic
        .get("TopicArn")
        .and_then(Value::as_str)
        .unwrap()
        .to_owned();
    let listed = ok(&r, "arn:aws:states:::aws-sdk:sns:listTopics", "{}").await;
    let topics = listed.get("Topics").and_then(Value::as_array).unwrap();
    assert!(
        topics
            .iter()
            .any(|t| t.get("TopicArn").and_then(Value::as_str) == Some(arn.as_str()))
    );
    let attrs = ok(
        &r,
        "arn:aws:states:::aws-sdk:sns:getTopicAttributes",
        &format!(r#"{{"TopicArn":"{arn}"}}"#),
    )
    .await;
    assert_eq!(
        attrs
            .get("Attributes")
            .and_then(|a| a.get("TopicArn"))
            .and_then(Value::as_str),
        Some(arn.as_str())
    );
    let f = run(
        &r,
        "arn:aws:states:::aws-sdk:sns:getTopicAttributes",
        r#"{"TopicArn":"arn:aws:sns:us-east-1:123456789012:nope"}"#,
    )
    .await
    .unwrap_err();
    assert_eq!(f.error.as_deref(), Some("Sns.NotFoundException"));

    // Step Functions (JSON 1.0) and Batch (rest-JSON).
    let machine = ok(
        &r,
        "arn:aws:states:::aws-sdk:sfn:createStateMachine",
        &format!(
            r#"{{"Name":"m{}","RoleArn":"arn:aws:iam::123456789012:role/r",
                "Definition":{{"StartAt":"P","States":{{"P":{{"Type":"Pass","End":true}}}}}}}}"#,
            uuid()
        ),
    )
    .await;
    let machine_arn = machine
        .get("StateMachineArn")
        .and_then(Value::as_str)
        .unwrap()
        .to_owned();
    // The implicit serialisation of a JSON Input, as AWS recorded it.
    let started = ok(
        &r,
        "arn:aws:states:::aws-sdk:sfn:startExecution",
        &format!(r#"{{"StateMachineArn":"{machine_arn}","Input":{{"key":"value"}}}}"#),
    )
    .await;
    if let Some(case) = conformance_case("implicit_json_serialisation") {
        let keys: Vec<&String> = case["expected"]["output"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        let ours: Vec<&str> = started.as_object().unwrap().keys().map(|k| &**k).collect();
        assert_eq!(keys, ours);
    }
    let described = ok(
        &r,
        "arn:aws:states:::aws-sdk:sfn:describeExecution",
        &format!(
            r#"{{"ExecutionArn":"{}"}}"#,
            started.get("ExecutionArn").and_then(Value::as_str).unwrap()
        ),
    )
    .await;
    assert!(
        json(described.get("Input").and_then(Value::as_str).unwrap())
            .json_eq(&json(r#"{"key":"value"}"#))
    );
    let queues = ok(
        &r,
        "arn:aws:states:::aws-sdk:batch:describeJobQueues",
        r#"{"JobQueues":["nothing"]}"#,
    )
    .await;
    assert!(queues.get("JobQueues").and_then(Value::as_array).is_some());
    let f = run(
        &r,
        "arn:aws:states:::aws-sdk:lambda:getFunction",
        r#"{"FunctionName":"nobody"}"#,
    )
    .await
    .unwrap_err();
    assert_eq!(f.error.as_deref(), Some("Lambda.ResourceNotFoundException"));
}

/// botocore's data directory, when botocore is installed.
fn botocore_data() -> Option<std::path::PathBuf> {
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import botocore, os; print(os.path.join(os.path.dirname(botocore.__file__), 'data'))",
        ])
        .output()
        .ok()?;
    let dir = std::path::PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    (out.status.success() && dir.is_dir()).then_some(dir)
}

/// Services Baton does not ship a model of, read from botocore's data directory:
/// Kinesis (JSON 1.1) and CloudWatch Logs (named `cloudwatchlogs` as Step Functions
/// names it; botocore's `logs`).
#[tokio::test]
async fn services_of_a_botocore_models_directory() {
    let Some(moto) = moto() else { return };
    let Some(dir) = botocore_data() else {
        return aws_support::skip("botocore is not installed");
    };
    let mut settings = aws_support::settings(&moto.url);
    settings.models_dir = Some(dir);
    let r = aws_support::registry_with(&settings, baton_integrations::Functions::none());
    let stream = format!("s{}", uuid());
    ok(
        &r,
        "arn:aws:states:::aws-sdk:kinesis:createStream",
        &format!(r#"{{"StreamName":"{stream}","ShardCount":1}}"#),
    )
    .await;
    let listed = ok(&r, "arn:aws:states:::aws-sdk:kinesis:listStreams", "{}").await;
    let names = listed.get("StreamNames").unwrap().to_json_string();
    assert!(names.contains(&stream), "{listed}");
    let f = run(
        &r,
        "arn:aws:states:::aws-sdk:kinesis:describeStream",
        r#"{"StreamName":"no-such-stream"}"#,
    )
    .await
    .unwrap_err();
    assert_eq!(
        f.error.as_deref(),
        Some("Kinesis.ResourceNotFoundException"),
        "{:?}",
        f.cause
    );

    let group = format!("/baton/{}", uuid());
    ok(
        &r,
        "arn:aws:states:::aws-sdk:cloudwatchlogs:createLogGroup",
        &format!(r#"{{"LogGroupName":"{group}"}}"#),
    )
    .await;
    let groups = ok(
        &r,
        "arn:aws:states:::aws-sdk:cloudwatchlogs:describeLogGroups",
        &format!(r#"{{"LogGroupNamePrefix":"{group}"}}"#),
    )
    .await;
    assert_eq!(
        groups
            .get("LogGroups")
            .and_then(|g| g.index(0))
            .and_then(|g| g.get("LogGroupName"))
            .and_then(Value::as_str),
        Some(group.as_str()),
        "{groups}"
    );
    // Not in the directory, or a protocol Baton does not speak: not handled.
    for resource in [
        "arn:aws:states:::aws-sdk:nosuchservice:doThing",
        "arn:aws:states:::aws-sdk:ec2:describeInstances",
    ] {
        let f = run(&r, resource, "{}").await.unwrap_err();
        assert!(
            f.error.as_deref().is_some_and(|e| e.starts_with("States.")),
            "{resource}: {f:?}"
        );
    }
}

/// S3 (rest-XML): objects put and got, listed, tagged; a missing key caught by name.
#[tokio::test]
async fn s3_through_the_rest_xml_protocol() {
    let Some(moto) = moto() else { return };
    let r = registry(moto);
    let bucket = new_bucket(&r).await;
    let put = ok(
        &r,
        "arn:aws:states:::aws-sdk:s3:putObject",
        &format!(r#"{{"Bucket":"{bucket}","Key":"dir/a b.txt","Body":"text data"}}"#),
    )
    .await;
    // The body is the value's JSON text, quotes included, as AWS stores it: the ETag is
    // the MD5 of `"text data"` (AWS's recorded ETag).
    assert_eq!(
        put.get("ETag").and_then(Value::as_str),
        Some("\"2b5df3712557f503a9977a8ea893b2c9\""),
        "{put}"
    );
    let got = ok(
        &r,
        "arn:aws:states:::aws-sdk:s3:getObject",
        &format!(r#"{{"Bucket":"{bucket}","Key":"dir/a b.txt"}}"#),
    )
    .await;
    assert_eq!(
        got.get("Body").and_then(Value::as_str),
        Some("\"text data\"")
    );
    assert_eq!(got.get("ContentLength").and_then(Value::as_i64), Some(11));
    assert_eq!(
        got.get("Metadata").map(Value::to_json_string).as_deref(),
        Some("{}")
    );
    assert!(
        got.get("LastModified")
            .and_then(Value::as_str)
            .is_some_and(|t| t.ends_with('Z')),
        "{got}"
    );
    // A body that is not a string is sent as its JSON text.
    ok(
        &r,
        "arn:aws:states:::aws-sdk:s3:putObject",
        &format!(r#"{{"Bucket":"{bucket}","Key":"dict.json","Body":{{"Dict":"Value"}}}}"#),
    )
    .await;
    let got = ok(
        &r,
        "arn:aws:states:::aws-sdk:s3:getObject",
        &format!(r#"{{"Bucket":"{bucket}","Key":"dict.json"}}"#),
    )
    .await;
    assert_eq!(
        got.get("Body").and_then(Value::as_str),
        Some(r#"{"Dict":"Value"}"#)
    );

    let listed = ok(
        &r,
        "arn:aws:states:::aws-sdk:s3:listObjectsV2",
        &format!(r#"{{"Bucket":"{bucket}","Prefix":"dir/"}}"#),
    )
    .await;
    let contents = listed
        .get("Contents")
        .and_then(Value::as_array)
        .expect("Contents");
    assert_eq!(contents.len(), 1, "{listed}");
    assert_eq!(
        contents[0].get("Key").and_then(Value::as_str),
        Some("dir/a b.txt")
    );
    assert_eq!(contents[0].get("Size").and_then(Value::as_i64), Some(11));
    assert_eq!(listed.get("KeyCount").and_then(Value::as_i64), Some(1));

    // An XML payload.
    ok(
        &r,
        "arn:aws:states:::aws-sdk:s3:putBucketTagging",
        &format!(
            r#"{{"Bucket":"{bucket}","Tagging":{{"TagSet":[{{"Key":"team","Value":"a&b"}},{{"Key":"env","Value":"test"}}]}}}}"#
        ),
    )
    .await;
    let tags = ok(
        &r,
        "arn:aws:states:::aws-sdk:s3:getBucketTagging",
        &format!(r#"{{"Bucket":"{bucket}"}}"#),
    )
    .await;
    let set = tags
        .get("TagSet")
        .and_then(Value::as_array)
        .expect("TagSet");
    assert_eq!(set.len(), 2, "{tags}");
    assert!(
        set.iter()
            .any(|t| t.get("Value").and_then(Value::as_str) == Some("a&b")),
        "{tags}"
    );

    let f = run(
        &r,
        "arn:aws:states:::aws-sdk:s3:getObject",
        &format!(r#"{{"Bucket":"{bucket}","Key":"no_such_key.json"}}"#),
    )
    .await
    .unwrap_err();
    assert_eq!(
        f.error.as_deref(),
        Some("S3.NoSuchKeyException"),
        "{:?}",
        f.cause
    );
    let f = run(
        &r,
        "arn:aws:states:::aws-sdk:s3:getObject",
        &format!(r#"{{"Bucket":"{bucket}","Key":"k","Nope":1}}"#),
    )
    .await
    .unwrap_err();
    assert_eq!(f.error.as_deref(), Some("States.Runtime"), "{:?}", f.cause);
}

/// The S3 putObject cases AWS recorded (a string, a number, a boolean, an object and an
/// array as the Body), each in a fresh bucket: the object stored is the one AWS stored, as
/// its ETag (the body's MD5) shows.
#[tokio::test]
async fn recorded_s3_put_object_cases_store_what_aws_stored() {
    let Some(moto) = moto() else { return };
    let r = registry(moto);
    for kind in ["str", "num", "bool", "dict", "list"] {
        let Some(case) = conformance_case(&format!("test_s3_put_object_{kind}")) else {
            return;
        };
        let bucket = new_bucket(&r).await;
        let mut input = case["input"].clone();
        input["Bucket"] = bucket.clone().into();
        let out = replay(&r, &case["definition"], input)
            .await
            .unwrap_or_else(|e| panic!("{kind}: {e:?}"));
        assert_eq!(
            out["ETag"], case["expected"]["output"]["ETag"],
            "{kind}: {out}"
        );
    }
}

/// Puts `body` as it is (the aws-sdk:s3 task would send a value's JSON text).
async fn put_raw(moto: &aws_support::Moto, bucket: &str, key: &str, body: Vec<u8>) {
    use baton_integrations::aws::protocol::HttpRequest;
    let settings = aws_support::settings(&moto.url);
    let c = aws_support::client(&settings);
    let s3 = baton_integrations::aws::model::service("s3").unwrap();
    let request = HttpRequest {
        method: "PUT".into(),
        path: format!("/{bucket}/{key}"),
        headers: vec![],
        body,
    };
    c.send(s3, "us-east-1", &request).await.expect("put");
}

async fn dataset(
    r: &baton_integrations::Registry,
    purpose: baton_asl::definition::ResourceUse,
    resource: &str,
    input: Value,
) -> baton_integrations::TaskOutcome {
    let mut c = aws_support::call(resource, input);
    c.purpose = purpose;
    r.run(c).await
}

/// A distributed Map's datasets in S3: a JSON array larger than one ranged read, CSV, a
/// listing paged by continuation tokens, a missing key, and the results written back.
#[tokio::test]
async fn distributed_map_datasets_in_s3() {
    use baton_asl::definition::ResourceUse::{ItemReader, ResultWriter};
    let Some(moto) = moto() else { return };
    let r = registry(moto);
    let bucket = new_bucket(&r).await;
    let items: Vec<String> = (0..120_000)
        .map(|i| format!(r#"{{"i":{i},"pad":"{}"}}"#, "x".repeat(40)))
        .collect();
    let body = format!("[{}]", items.join(","));
    assert!(body.len() > 5 * 1024 * 1024);
    put_raw(moto, &bucket, "data/items.json", body.into_bytes()).await;
    put_raw(
        moto,
        &bucket,
        "data/rows.csv",
        b"b,a\n1,2\n3,\"x\ny\"\n".to_vec(),
    )
    .await;
    put_raw(
        moto,
        &bucket,
        "data/rows.jsonl",
        b"{\"k\":1}\n{\"k\":2}\n".to_vec(),
    )
    .await;

    let read = |key: &str, config: &str, max: u64| {
        json(&format!(
            r#"{{"Arguments":{{"Bucket":"{bucket}","Key":"{key}"}},"ReaderConfig":{config},"MaxItems":{max}}}"#
        ))
    };
    let got = dataset(
        &r,
        ItemReader,
        "arn:aws:states:::s3:getObject",
        read("data/items.json", r#"{"InputType":"JSON"}"#, 0),
    )
    .await
    .unwrap();
    let got = got.as_array().unwrap();
    assert_eq!(got.len(), 120_000);
    assert_eq!(got[119_999].get("i").and_then(Value::as_i64), Some(119_999));
    let got = dataset(
        &r,
        ItemReader,
        "arn:aws:states:::s3:getObject",
        read(
            "data/rows.csv",
            r#"{"InputType":"CSV","CSVHeaderLocation":"FIRST_ROW"}"#,
            0,
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        got.to_json_string(),
        r#"[{"a":"2","b":"1"},{"a":"x\ny","b":"3"}]"#
    );
    let got = dataset(
        &r,
        ItemReader,
        "arn:aws:states:::s3:getObject",
        read("data/rows.jsonl", r#"{"InputType":"JSONL"}"#, 1),
    )
    .await
    .unwrap();
    assert_eq!(got.to_json_string(), r#"[{"k":1}]"#);
    let f = dataset(
        &r,
        ItemReader,
        "arn:aws:states:::s3:getObject",
        read("data/none.json", r#"{"InputType":"JSON"}"#, 0),
    )
    .await
    .unwrap_err();
    assert_eq!(f.error.as_deref(), Some("States.ItemReaderFailed"));
    assert!(
        f.cause
            .as_deref()
            .unwrap()
            .starts_with("The specified key does not exist."),
        "{f:?}"
    );

    let listed = dataset(
        &r,
        ItemReader,
        "arn:aws:states:::s3:listObjectsV2",
        json(&format!(
            r#"{{"Arguments":{{"Bucket":"{bucket}","Prefix":"data/","MaxKeys":2}}}}"#
        )),
    )
    .await
    .unwrap();
    let listed = listed.as_array().unwrap();
    let keys: Vec<&str> = listed
        .iter()
        .filter_map(|o| o.get("Key")?.as_str())
        .collect();
    assert_eq!(
        keys,
        ["data/items.json", "data/rows.csv", "data/rows.jsonl"]
    );
    assert_eq!(listed[2].get("Size").and_then(Value::as_i64), Some(16));
    assert!(
        listed[2]
            .get("Etag")
            .and_then(Value::as_str)
            .is_some_and(|e| e.starts_with('"'))
    );
    assert!(
        listed[2]
            .get("LastModified")
            .and_then(Value::as_i64)
            .is_some()
    );

    let results = format!(
        r#"{{"Arguments":{{"Bucket":"{bucket}","Prefix":"out"}},"MapRunArn":"arn:aws:states:us-east-1:123456789012:mapRun:m/Map:run-1",
        "Results":[{{"ExecutionArn":"e1","Name":"1","StateMachineArn":"sm","Status":"SUCCEEDED","StartDate":"2025-01-01T00:00:00Z","StopDate":"2025-01-01T00:00:01Z","Input":{{"a":1}},"Output":{{"b":2}}}}]}}"#
    );
    let written = dataset(
        &r,
        ResultWriter,
        "arn:aws:states:::s3:putObject",
        json(&results),
    )
    .await
    .unwrap();
    assert_eq!(
        written.to_json_string(),
        format!(r#"{{"Bucket":"{bucket}","Key":"out/run-1/manifest.json"}}"#)
    );
    let manifest = ok(
        &r,
        "arn:aws:states:::aws-sdk:s3:getObject",
        &format!(r#"{{"Bucket":"{bucket}","Key":"out/run-1/manifest.json"}}"#),
    )
    .await;
    let manifest = json(manifest.get("Body").and_then(Value::as_str).unwrap());
    assert_eq!(
        manifest
            .get("ResultFiles")
            .and_then(|f| f.get("SUCCEEDED"))
            .and_then(|f| f.index(0))
            .and_then(|f| f.get("Key"))
            .and_then(Value::as_str),
        Some("out/run-1/SUCCEEDED_0.json")
    );
    let file = dataset(
        &r,
        ItemReader,
        "arn:aws:states:::s3:getObject",
        read("out/run-1/SUCCEEDED_0.json", r#"{"InputType":"JSON"}"#, 0),
    )
    .await
    .unwrap();
    assert_eq!(
        file.index(0)
            .and_then(|f| f.get("Output"))
            .and_then(Value::as_str),
        Some(r#"{"b":2}"#)
    );

    // Read a page at a time, the object stays the one first read: replaced between two
    // of its ranged reads, the read fails rather than mixing two objects' items.
    let page = |start: u64, count: u64| {
        json(&format!(
            r#"{{"Arguments":{{"Bucket":"{bucket}","Key":"data/items.json"}},"ReaderConfig":{{"InputType":"JSON"}},
            "Page":{{"Stream":"run-2","Start":{start},"Count":{count}}}}}"#
        ))
    };
    let first = dataset(
        &r,
        ItemReader,
        "arn:aws:states:::s3:getObject",
        page(0, 1000),
    )
    .await
    .unwrap();
    assert_eq!(first.get("End"), Some(&Value::Bool(false)));
    put_raw(moto, &bucket, "data/items.json", b"[1, 2, 3]".to_vec()).await;
    let f = dataset(
        &r,
        ItemReader,
        "arn:aws:states:::s3:getObject",
        page(1000, 100_000),
    )
    .await
    .unwrap_err();
    assert_eq!(f.error.as_deref(), Some("States.ItemReaderFailed"));
    assert!(
        f.cause
            .as_deref()
            .unwrap()
            .contains("changed while its items were read"),
        "{f:?}"
    );
}
