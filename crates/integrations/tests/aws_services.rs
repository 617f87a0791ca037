//! The optimized AWS integrations against moto's server: each one's success and an error,
//! compared with what AWS recorded for Step Functions where the conformance corpus has it.

mod aws_support;

use aws_support::{conformance_case, json, matches_cause, moto, ok, registry, run, uuid};
use baton_json::Value;

fn s(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string {key} in {v}"))
        .to_owned()
}

fn has_metadata(v: &Value) {
    let http = v.get("SdkHttpMetadata").expect("SdkHttpMetadata");
    assert_eq!(
        http.get("HttpStatusCode").and_then(Value::as_i64),
        Some(200)
    );
    assert!(http.get("HttpHeaders").is_some_and(Value::is_object));
    assert!(http.get("AllHttpHeaders").is_some_and(Value::is_object));
    assert!(
        v.get("SdkResponseMetadata")
            .and_then(|m| m.get("RequestId"))
            .is_some()
    );
}

async fn create_table(r: &baton_integrations::Registry) -> String {
    let table = format!("t{}", uuid());
    ok(
        r,
        "arn:aws:states:::aws-sdk:dynamodb:createTable",
        &format!(
            r#"{{"TableName":"{table}","KeySchema":[{{"AttributeName":"id","KeyType":"HASH"}}],
                "AttributeDefinitions":[{{"AttributeName":"id","AttributeType":"S"}}],
                "BillingMode":"PAY_PER_REQUEST"}}"#
        ),
    )
    .await;
    table
}

#[tokio::test]
async fn dynamodb_put_update_get_delete() {
    let Some(moto) = moto() else { return };
    let r = registry(moto);
    let table = create_table(&r).await;
    let put = ok(
        &r,
        "arn:aws:states:::dynamodb:putItem",
        &format!(
            r#"{{"TableName":"{table}","Item":{{"data":{{"S":"HelloWorld"}},"id":{{"S":"id1"}}}}}}"#
        ),
    )
    .await;
    has_metadata(&put);
    let updated = ok(
        &r,
        "arn:aws:states:::dynamodb:updateItem",
        &format!(
            r#"{{"TableName":"{table}","Key":{{"id":{{"S":"id1"}}}},"UpdateExpression":"set S=:r",
                "ExpressionAttributeValues":{{":r":{{"S":"HelloWorldUpdated"}}}},"ReturnValues":"UPDATED_NEW"}}"#
        ),
    )
    .await;
    let got = ok(
        &r,
        "arn:aws:states:::dynamodb:getItem",
        &format!(r#"{{"TableName":"{table}","Key":{{"id":{{"S":"id1"}}}}}}"#),
    )
    .await;
    has_metadata(&got);
    // As AWS answered (recorded): the attributes and the item, beside the metadata.
    let expected_attributes = json(r#"{"S":{"S":"HelloWorldUpdated"}}"#);
    let expected_item =
        json(r#"{"S":{"S":"HelloWorldUpdated"},"data":{"S":"HelloWorld"},"id":{"S":"id1"}}"#);
    if let Some(case) = conformance_case("DYNAMODB_PUT_UPDATE_GET_ITEM") {
        let out = &case["expected"]["output"];
        assert!(
            Value::from(out["updateItemOutput"]["Attributes"].clone())
                .json_eq(&expected_attributes)
        );
        assert!(Value::from(out["getItemOutput"]["Item"].clone()).json_eq(&expected_item));
    }
    assert!(
        updated
            .get("Attributes")
            .unwrap()
            .json_eq(&expected_attributes)
    );
    assert!(got.get("Item").unwrap().json_eq(&expected_item));
    let deleted = ok(
        &r,
        "arn:aws:states:::dynamodb:deleteItem",
        &format!(
            r#"{{"TableName":"{table}","Key":{{"id":{{"S":"id1"}}}},"ReturnValues":"ALL_OLD"}}"#
        ),
    )
    .await;
    assert!(deleted.get("Attributes").unwrap().json_eq(&expected_item));
    let gone = ok(
        &r,
        "arn:aws:states:::dynamodb:getItem",
        &format!(r#"{{"TableName":"{table}","Key":{{"id":{{"S":"id1"}}}}}}"#),
    )
    .await;
    assert!(gone.get("Item").is_none());
}

#[tokio::test]
async fn dynamodb_conditional_check_failure_and_missing_table() {
    let Some(moto) = moto() else { return };
    let r = registry(moto);
    let table = create_table(&r).await;
    let put = format!(
        r#"{{"TableName":"{table}","Item":{{"id":{{"S":"k"}}}},"ConditionExpression":"attribute_not_exists(id)"}}"#
    );
    ok(&r, "arn:aws:states:::dynamodb:putItem", &put).await;
    let f = run(&r, "arn:aws:states:::dynamodb:putItem", &put)
        .await
        .unwrap_err();
    assert_eq!(
        f.error.as_deref(),
        Some("DynamoDB.ConditionalCheckFailedException")
    );
    let cause = f.cause.unwrap();
    assert!(
        cause.contains("(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ConditionalCheckFailedException; Request ID: "),
        "{cause}"
    );

    let f = run(
        &r,
        "arn:aws:states:::dynamodb:putItem",
        r#"{"TableName":"no_such_table","Item":{"id":{"S":"id1"}}}"#,
    )
    .await
    .unwrap_err();
    let expected_cause = "Requested resource not found (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ResourceNotFoundException; Request ID: <request_id>; Proxy: null)";
    if let Some(case) = conformance_case("test_put_item_no_such_table-483cd08c") {
        assert_eq!(
            case["expected"]["error"],
            "DynamoDB.ResourceNotFoundException"
        );
        assert_eq!(case["expected"]["cause"], expected_cause);
    }
    assert_eq!(
        f.error.as_deref(),
        Some("DynamoDB.ResourceNotFoundException")
    );
    let cause = f.cause.unwrap();
    assert!(matches_cause(&cause, expected_cause), "{cause}");
}

async fn create_queue(r: &baton_integrations::Registry) -> String {
    let created = ok(
        r,
        "arn:aws:states:::aws-sdk:sqs:createQueue",
        &format!(r#"{{"QueueName":"q{}"}}"#, uuid()),
    )
    .await;
    s(&created, "QueueUrl")
}

#[tokio::test]
async fn sqs_send_message_and_its_errors() {
    let Some(moto) = moto() else { return };
    let r = registry(moto);
    let queue = create_queue(&r).await;
    let sent = ok(
        &r,
        "arn:aws:states:::sqs:sendMessage",
        &format!(r#"{{"QueueUrl":"{queue}","MessageBody":{{"Message":"HelloWorld"}}}}"#),
    )
    .await;
    has_metadata(&sent);
    assert_eq!(s(&sent, "MD5OfMessageBody").len(), 32);
    assert!(!s(&sent, "MessageId").is_empty());
    // The body object went as its JSON text.
    let received = ok(
        &r,
        "arn:aws:states:::aws-sdk:sqs:receiveMessage",
        &format!(r#"{{"QueueUrl":"{queue}","MaxNumberOfMessages":1}}"#),
    )
    .await;
    let body = received
        .get("Messages")
        .and_then(|m| m.index(0))
        .map(|m| s(m, "Body"));
    assert_eq!(body.as_deref(), Some(r#"{"Message":"HelloWorld"}"#));

    let f = run(
        &r,
        "arn:aws:states:::sqs:sendMessage",
        &format!(
            r#"{{"QueueUrl":"{}/123456789012/no-such-queue","MessageBody":"x"}}"#,
            moto.url
        ),
    )
    .await
    .unwrap_err();
    assert_eq!(
        f.error.as_deref(),
        Some("SQS.QueueDoesNotExistException"),
        "{:?}",
        f.cause
    );
    assert!(
        f.cause
            .unwrap()
            .contains("(Service: AmazonSQS; Status Code: 400; Error Code: ")
    );

    // No body: AWS's recorded error is SQS.AmazonSQSException for MissingParameter.
    let f = run(
        &r,
        "arn:aws:states:::sqs:sendMessage",
        &format!(r#"{{"QueueUrl":"{queue}","MessageBody":null}}"#),
    )
    .await
    .unwrap_err();
    if let Some(case) = conformance_case("test_send_message_empty_body") {
        assert_eq!(
            case["expected"]["output"]["Error"],
            "SQS.AmazonSQSException"
        );
    }
    assert_eq!(
        f.error.as_deref(),
        Some("SQS.AmazonSQSException"),
        "{:?}",
        f.cause
    );
}

#[tokio::test]
async fn sqs_wait_for_task_token_hands_the_token_over() {
    let Some(moto) = moto() else { return };
    let r = registry(moto);
    let queue = create_queue(&r).await;
    // The runtime calls the request-response form with the token in the parameters, then
    // waits for SendTaskSuccess; here the consumer's side: the message carries the token.
    let mut call = aws_support::call(
        "arn:aws:states:::sqs:sendMessage",
        json(&format!(
            r#"{{"QueueUrl":"{queue}","MessageBody":{{"Message":"HelloWorld","TaskToken":"tok-123"}}}}"#
        )),
    );
    call.token = Some("tok-123".into());
    r.run(call).await.unwrap();
    let received = ok(
        &r,
        "arn:aws:states:::aws-sdk:sqs:receiveMessage",
        &format!(r#"{{"QueueUrl":"{queue}"}}"#),
    )
    .await;
    let body = s(
        received.get("Messages").and_then(|m| m.index(0)).unwrap(),
        "Body",
    );
    assert_eq!(
        json(&body).get("TaskToken").and_then(Value::as_str),
        Some("tok-123")
    );
}

#[tokio::test]
async fn sns_publish_and_its_errors() {
    let Some(moto) = moto() else { return };
    let r = registry(moto);
    let topic = ok(
        &r,
        "arn:aws:states:::aws-sdk:sns:createTopic",
        &format!(r#"{{"Name":"t{}"}}"#, uuid()),
    )
    .await;
    let topic = s(&topic, "TopicArn");
    let published = ok(
        &r,
        "arn:aws:states:::sns:publish",
        &format!(
            r#"{{"TopicArn":"{topic}","Message":{{"Message":"HelloWorld!"}},
                "MessageAttributes":{{"my_attribute_no_1":{{"DataType":"String","StringValue":"Hello"}}}}}}"#
        ),
    )
    .await;
    has_metadata(&published);
    assert!(!s(&published, "MessageId").is_empty());

    let fifo = ok(
        &r,
        "arn:aws:states:::aws-sdk:sns:createTopic",
        &format!(
            r#"{{"Name":"t{}.fifo","Attributes":{{"FifoTopic":"true"}}}}"#,
            uuid()
        ),
    )
    .await;
    let f = run(
        &r,
        "arn:aws:states:::sns:publish",
        &format!(r#"{{"TopicArn":"{}","Message":"x"}}"#, s(&fifo, "TopicArn")),
    )
    .await
    .unwrap_err();
    // AWS answers InvalidParameter (SNS.InvalidParameterException, recorded; the unit
    // tests of the error names check that one), moto MissingParameter, which SNS's model
    // does not name: the service's base exception.
    assert_eq!(
        f.error.as_deref(),
        Some("SNS.AmazonSNSException"),
        "{:?}",
        f.cause
    );
    let cause = f.cause.unwrap();
    assert!(
        matches_cause(
            &cause,
            "The request must contain the parameter MessageGroupId. (Service: AmazonSNS; Status Code: 400; Error Code: MissingParameter; Request ID: <request_id>; Proxy: null)"
        ),
        "{cause}"
    );

    let f = run(
        &r,
        "arn:aws:states:::sns:publish",
        r#"{"TopicArn":"arn:aws:sns:us-east-1:123456789012:no-such-topic","Message":"x"}"#,
    )
    .await
    .unwrap_err();
    assert_eq!(
        f.error.as_deref(),
        Some("SNS.NotFoundException"),
        "{:?}",
        f.cause
    );
}

#[tokio::test]
async fn eventbridge_put_events_and_failed_entries() {
    let Some(moto) = moto() else { return };
    let r = registry(moto);
    let out = ok(
        &r,
        "arn:aws:states:::events:putEvents",
        r#"{"Entries":[
            {"Detail":"{\"Message\": \"HelloWorld0\"}","DetailType":"dt","Source":"some.source"},
            {"Detail":{"Message":"HelloWorld1"},"DetailType":"dt","Source":"some.source"}]}"#,
    )
    .await;
    // As recorded from AWS: only Entries and FailedEntryCount.
    assert_eq!(out.get("FailedEntryCount").and_then(Value::as_i64), Some(0));
    let entries = out.get("Entries").and_then(Value::as_array).unwrap();
    assert_eq!(entries.len(), 2);
    assert!(entries.iter().all(|e| e.get("EventId").is_some()));
    assert!(out.get("SdkHttpMetadata").is_none());

    let f = run(
        &r,
        "arn:aws:states:::events:putEvents",
        r#"{"Entries":[{"Detail":{"Message":"a"},"DetailType":"dt","Source":"some.source"},
                       {"Detail":{"Message":"b"},"DetailType":"dt"}]}"#,
    )
    .await
    .unwrap_err();
    assert_eq!(f.error.as_deref(), Some("EventBridge.FailedEntry"));
    let cause = json(&f.cause.unwrap());
    assert_eq!(
        cause.get("FailedEntryCount").and_then(Value::as_i64),
        Some(1)
    );
    if let Some(case) = conformance_case("test_put_events_no_source") {
        assert_eq!(case["expected"]["error"], "EventBridge.FailedEntry");
        let recorded = &case["expected"]["cause"]["Entries"][1];
        let ours = cause.get("Entries").and_then(|e| e.index(1)).unwrap();
        assert_eq!(
            recorded["ErrorCode"].as_str(),
            ours.get("ErrorCode").and_then(Value::as_str)
        );
    }
}
