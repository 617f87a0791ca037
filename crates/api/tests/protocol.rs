//! The protocol in process: exact wire JSON, AWS's errors and status codes, validation
//! messages, the sync- host prefix. The validation and error texts marked "recorded" are
//! AWS's own, as recorded from AWS Step Functions.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use baton_api::ApiConfig;
use common::*;
use serde_json::json;

fn assert_error(reply: &Reply, status: u16, code: &str, message: &str) {
    assert_eq!(
        reply.status.as_u16(),
        status,
        "{}",
        String::from_utf8_lossy(&reply.bytes)
    );
    assert_eq!(reply.error(), (code.to_owned(), message.to_owned()));
    assert_eq!(reply.header("x-amzn-errortype"), Some(code));
    assert_eq!(
        reply.header("content-type"),
        Some("application/x-amz-json-1.0")
    );
    assert!(reply.header("x-amzn-requestid").is_some());
}

fn assert_code(reply: &Reply, status: u16, code: &str) {
    assert_eq!(
        reply.status.as_u16(),
        status,
        "{}",
        String::from_utf8_lossy(&reply.bytes)
    );
    assert_eq!(reply.error().0, code);
}

#[tokio::test]
async fn describe_execution_is_written_exactly_with_epoch_second_timestamps() {
    let reply = call(
        "DescribeExecution",
        json!({"executionArn": KNOWN_EXECUTION}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.header("content-type"),
        Some("application/x-amz-json-1.0")
    );
    let id = reply.header("x-amzn-requestid").unwrap();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let expected = concat!(
        r#"{"executionArn":"arn:aws:states:us-east-1:123456789012:execution:Hello:run-1","#,
        r#""stateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:Hello","#,
        r#""name":"run-1","status":"SUCCEEDED","startDate":1712345678.123,"#,
        r#""stopDate":1712345679.0,"input":"{\"name\":\"World\"}","#,
        r#""inputDetails":{"included":true},"#,
        r#""output":"{\"greeting\":\"Hello, World!\"}","outputDetails":{"included":true},"#,
        r#""redriveCount":0,"redriveStatus":"NOT_REDRIVABLE","#,
        r#""redriveStatusReason":"Execution is SUCCEEDED and cannot be redriven"}"#
    );
    assert_eq!(String::from_utf8(reply.bytes).unwrap(), expected);
}

#[tokio::test]
async fn list_executions_pages_with_opaque_tokens() {
    let arn = KNOWN_MACHINE;
    let first = call(
        "ListExecutions",
        json!({"stateMachineArn": arn, "maxResults": 2}),
    )
    .await;
    assert_eq!(first.status, StatusCode::OK);
    let v = first.json();
    let names: Vec<&str> = v["executions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["run-0", "run-1"]);
    assert_eq!(v["executions"][0]["startDate"], json!(1712345678.0));
    assert_eq!(v["executions"][1]["startDate"], json!(1712345678.001));
    let token = v["nextToken"].as_str().unwrap();
    assert!(!token.is_empty() && token.len() <= 3096);
    // The token carries the position: the next page goes on from it, the last has no token.
    let second = call(
        "ListExecutions",
        json!({"stateMachineArn": arn, "maxResults": 3, "nextToken": token}),
    )
    .await
    .json();
    assert_eq!(second["executions"].as_array().unwrap().len(), 3);
    assert_eq!(second["executions"][0]["name"], "run-2");
    assert!(second.get("nextToken").is_none());
    // A token the server did not make.
    let bad = call(
        "ListExecutions",
        json!({"stateMachineArn": arn, "nextToken": "not-a-token"}),
    )
    .await;
    assert_error(&bad, 400, "InvalidToken", "Invalid Token: 'Invalid token'");
}

#[tokio::test]
async fn history_events_pass_through_as_given() {
    let reply = call(
        "GetExecutionHistory",
        json!({"executionArn": KNOWN_EXECUTION, "includeExecutionData": true}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let text = String::from_utf8(reply.bytes.clone()).unwrap();
    // The raw event is written byte for byte; the typed one in the model's member order.
    assert!(text.contains(RAW_EVENT), "{text}");
    assert!(text.starts_with(concat!(
        r#"{"events":[{"timestamp":1712345678.0,"type":"ExecutionStarted","id":1,"#,
        r#""previousEventId":0,"executionStartedEventDetails":{"input":"{}","#,
        r#""inputDetails":{"truncated":false},"roleArn":"arn:aws:iam::123456789012:role/r"}},"#
    )));
    assert_eq!(
        reply.json()["events"][1]["stateEnteredEventDetails"]["name"],
        "Greet"
    );
}

#[tokio::test]
async fn service_errors_are_aws_shaped() {
    let missing = "arn:aws:states:us-east-1:123456789012:execution:Hello:nope";
    let reply = call("DescribeExecution", json!({"executionArn": missing})).await;
    assert_error(
        &reply,
        400,
        "ExecutionDoesNotExist",
        &format!("Execution Does Not Exist: '{missing}'"),
    );

    let machine = "arn:aws:states:us-east-1:123456789012:stateMachine:Nope";
    let reply = call("DescribeStateMachine", json!({"stateMachineArn": machine})).await;
    assert_error(
        &reply,
        400,
        "StateMachineDoesNotExist",
        &format!("State Machine Does Not Exist: '{machine}'"),
    );

    // Recorded: DescribeStateMachine with "not_a_valid_arn".
    let reply = call(
        "DescribeStateMachine",
        json!({"stateMachineArn": "not_a_valid_arn"}),
    )
    .await;
    assert_error(
        &reply,
        400,
        "InvalidArn",
        "Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'",
    );

    // Recorded: DescribeExecution with an express execution's ARN.
    let express = "arn:aws:states:us-east-1:123456789012:express:Hello:run-1:5c1b";
    let reply = call("DescribeExecution", json!({"executionArn": express})).await;
    assert_error(
        &reply,
        400,
        "InvalidArn",
        "Invalid Arn: 'Resource type not valid in this context: express'",
    );

    // Recorded: InvalidName for a name with a space.
    let reply = call(
        "CreateStateMachine",
        json!({"name": "machine name", "definition": "{}", "roleArn": "arn:aws:iam::1:role/r"}),
    )
    .await;
    assert_error(&reply, 400, "InvalidName", "Invalid Name: 'machine name'");
}

#[tokio::test]
async fn create_state_machine_uses_the_configured_region_and_account() {
    let config = ApiConfig {
        region: "eu-west-3".into(),
        account: "000000000042".into(),
        ..ApiConfig::default()
    };
    let body = json!({"name": "Hello", "definition": "{}", "roleArn": "arn:aws:iam::1:role/r"});
    let reply = send_request(app(config), request("CreateStateMachine", body.to_string())).await;
    assert_eq!(
        reply.json(),
        json!({
            "stateMachineArn": "arn:aws:states:eu-west-3:000000000042:stateMachine:Hello",
            "creationDate": 1712345678.0
        })
    );
}

#[tokio::test]
async fn validation_messages_are_aws_words() {
    // Recorded.
    let reply = call(
        "ListExecutions",
        json!({"stateMachineArn": KNOWN_MACHINE, "maxResults": 1001}),
    )
    .await;
    assert_error(
        &reply,
        400,
        "ValidationException",
        "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000",
    );
    // Recorded (the token was 1025 characters).
    let long = "x".repeat(1025);
    let reply = call("ListStateMachines", json!({"nextToken": long})).await;
    assert_error(
        &reply,
        400,
        "ValidationException",
        &format!(
            "1 validation error detected: Value '{long}' at 'nextToken' failed to satisfy constraint: Member must have length less than or equal to 1024"
        ),
    );
    // Recorded (3097 characters; ListExecutions' tokens may be longer).
    let long = "x".repeat(3097);
    let reply = call(
        "ListExecutions",
        json!({"stateMachineArn": KNOWN_MACHINE, "nextToken": long}),
    )
    .await;
    assert_error(
        &reply,
        400,
        "ValidationException",
        &format!(
            "1 validation error detected: Value '{long}' at 'nextToken' failed to satisfy constraint: Member must have length less than or equal to 3096"
        ),
    );
    // Recorded, with AWS's order of the values.
    let reply = call(
        "ListExecutions",
        json!({"stateMachineArn": KNOWN_MACHINE, "statusFilter": "succeeded"}),
    )
    .await;
    assert_error(
        &reply,
        400,
        "ValidationException",
        "1 validation error detected: Value 'succeeded' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]",
    );
}

#[tokio::test]
async fn validation_of_required_nested_sensitive_and_several_members() {
    let reply = call("DescribeExecution", json!({})).await;
    assert_error(
        &reply,
        400,
        "ValidationException",
        "1 validation error detected: Value null at 'executionArn' failed to satisfy constraint: Member must not be null",
    );
    // Sensitive values are left out; every violation is listed, in the model's order.
    let reply = call(
        "CreateStateMachine",
        json!({"name": "", "definition": "", "roleArn": "arn:aws:iam::1:role/r", "type": "FAST"}),
    )
    .await;
    assert_error(
        &reply,
        400,
        "ValidationException",
        "3 validation errors detected: \
         Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1; \
         Value at 'definition' failed to satisfy constraint: Member must have length greater than or equal to 1; \
         Value 'FAST' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]",
    );
    // Members of lists and nested structures.
    let reply = call(
        "TagResource",
        json!({"resourceArn": KNOWN_MACHINE, "tags": [{"key": "ok", "value": "1"}, {"key": "", "value": "2"}]}),
    )
    .await;
    assert_error(
        &reply,
        400,
        "ValidationException",
        "1 validation error detected: Value '' at 'tags.2.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    // A pattern.
    let reply = call(
        "CreateStateMachineAlias",
        json!({"name": "123", "routingConfiguration": [{"stateMachineVersionArn": "a", "weight": 100}]}),
    )
    .await;
    assert_error(
        &reply,
        400,
        "ValidationException",
        "1 validation error detected: Value '123' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$",
    );
}

#[tokio::test]
async fn payloads_are_limited_by_the_configured_size_in_bytes() {
    let config = ApiConfig {
        max_payload_bytes: 16,
        ..ApiConfig::default()
    };
    // 16 bytes pass (and reach the backend, which does not implement StartExecution).
    let ok = json!({"stateMachineArn": KNOWN_MACHINE, "input": "{\"k\":\"0123456\"}"});
    assert_eq!(ok["input"].as_str().unwrap().len(), 15);
    let reply = send_request(
        app(config.clone()),
        request("StartExecution", ok.to_string()),
    )
    .await;
    assert_code(&reply, 501, "NotImplemented");
    // Eight characters, 16 bytes: fine; nine characters, 18 bytes: too long.
    let two_byte = json!({"stateMachineArn": KNOWN_MACHINE, "input": "\"ééééééé\""});
    let reply = send_request(
        app(config.clone()),
        request("StartExecution", two_byte.to_string()),
    )
    .await;
    assert_code(&reply, 501, "NotImplemented");
    let long = json!({"stateMachineArn": KNOWN_MACHINE, "input": "\"éééééééé\""});
    let reply = send_request(app(config), request("StartExecution", long.to_string())).await;
    assert_error(
        &reply,
        400,
        "ValidationException",
        "1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have size less than or equal to 16 bytes in UTF-8 encoding",
    );
}

#[tokio::test]
async fn unknown_and_missing_targets() {
    let reply = call("NoSuchAction", json!({})).await;
    assert_error(
        &reply,
        400,
        "UnknownOperationException",
        "Unknown operation: AWSStepFunctions.NoSuchAction",
    );
    let other_service = Request::post("/")
        .header("x-amz-target", "DynamoDB_20120810.ListTables")
        .body(Body::from("{}"))
        .unwrap();
    let reply = send_request(app(ApiConfig::default()), other_service).await;
    assert_code(&reply, 400, "UnknownOperationException");
    let none = Request::post("/").body(Body::from("{}")).unwrap();
    let reply = send_request(app(ApiConfig::default()), none).await;
    assert_error(
        &reply,
        400,
        "UnknownOperationException",
        "Missing X-Amz-Target header",
    );
}

#[tokio::test]
async fn bodies_that_are_not_the_shape() {
    let send = |body: &'static str| {
        send_request(
            app(ApiConfig::default()),
            request("ListStateMachines", body),
        )
    };
    for body in ["{", "{\"maxResults\": }", "nul", "\u{0}"] {
        assert_code(&send(body).await, 400, "SerializationException");
    }
    let reply = send("[]").await;
    assert_error(
        &reply,
        400,
        "SerializationException",
        "Start of list found where not expected.",
    );
    let reply = send("{\"maxResults\": \"ten\"}").await;
    assert_error(
        &reply,
        400,
        "SerializationException",
        "STRING_VALUE can not be converted to an Integer",
    );
    let reply = send("{\"maxResults\": 1.5}").await;
    assert_code(&reply, 400, "SerializationException");
    let reply = send("{\"nextToken\": {}}").await;
    assert_error(
        &reply,
        400,
        "SerializationException",
        "Start of structure or map found where not expected.",
    );
    // An empty body is an empty request; unknown members are ignored, null is absent.
    assert_eq!(send("").await.status, StatusCode::OK);
    assert_eq!(
        send("{\"futureMember\": [1, 2]}").await.status,
        StatusCode::OK
    );
    assert_eq!(send("{\"nextToken\": null}").await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_sync_host_prefix_is_seen() {
    let body = json!({"stateMachineArn": KNOWN_MACHINE, "input": "{}"}).to_string();
    for (host, sync) in [
        ("sync-localhost:8083", true),
        ("sync-states.us-east-1.amazonaws.com", true),
        ("localhost:8083", false),
        ("states.us-east-1.amazonaws.com", false),
    ] {
        let mut req = request("StartSyncExecution", body.clone());
        req.headers_mut().insert("host", host.parse().unwrap());
        let reply = send_request(app(ApiConfig::default()), req).await;
        assert_eq!(reply.status, StatusCode::OK, "{host}");
        assert_eq!(
            reply.json()["output"],
            format!("{{\"sync\":{sync}}}"),
            "{host}"
        );
        assert_eq!(reply.json()["startDate"], json!(1.0));
    }
}

#[tokio::test]
async fn unimplemented_actions_and_failing_backends() {
    let reply = call("ListActivities", json!({})).await;
    assert_error(
        &reply,
        501,
        "NotImplemented",
        "The action ListActivities is not implemented by this server",
    );
    let reply = call("SendTaskHeartbeat", json!({"taskToken": "t"})).await;
    assert_error(
        &reply,
        500,
        "InternalFailure",
        "The server failed while handling SendTaskHeartbeat",
    );
}

#[tokio::test]
async fn request_bodies_have_a_size_limit() {
    let config = ApiConfig {
        max_request_bytes: Some(64),
        ..ApiConfig::default()
    };
    let body = json!({"nextToken": "x".repeat(100)}).to_string();
    // Declared by Content-Length.
    let mut declared = request("ListStateMachines", body.clone());
    declared
        .headers_mut()
        .insert("content-length", body.len().to_string().parse().unwrap());
    let reply = send_request(app(config.clone()), declared).await;
    assert_error(
        &reply,
        413,
        "RequestEntityTooLarge",
        "The request body is larger than 64 bytes",
    );
    // Not declared (in process the body carries no Content-Length): found while reading.
    let reply = send_request(app(config), request("ListStateMachines", body)).await;
    assert_code(&reply, 413, "RequestEntityTooLarge");
    // AWS's limit, 1 MiB a request, unless the payload limit is raised beyond what fits.
    assert_eq!(ApiConfig::default().body_limit(), 1024 * 1024);
    let big_payloads = ApiConfig {
        max_payload_bytes: 4 * 1024 * 1024,
        ..ApiConfig::default()
    };
    assert_eq!(big_payloads.body_limit(), 8 * 1024 * 1024 + 64 * 1024);
}

#[tokio::test]
async fn definitions_are_at_most_a_mebibyte_in_a_request_of_at_most_a_mebibyte() {
    let role = "arn:aws:iam::123456789012:role/r";
    let big = "x".repeat(1024 * 1024 + 1);
    let requests = [
        (
            "CreateStateMachine",
            json!({"name": "m", "definition": big, "roleArn": role}),
        ),
        (
            "UpdateStateMachine",
            json!({"stateMachineArn": KNOWN_MACHINE, "definition": big}),
        ),
        ("ValidateStateMachineDefinition", json!({"definition": big})),
        ("TestState", json!({"definition": big, "roleArn": role})),
    ];
    // With room for the request, the definition's length is checked against the model, by
    // name and place.
    let roomy = ApiConfig {
        max_request_bytes: Some(4 * 1024 * 1024),
        ..ApiConfig::default()
    };
    for (action, body) in &requests {
        let reply = send_request(app(roomy.clone()), request(action, body.to_string())).await;
        assert_error(
            &reply,
            400,
            "ValidationException",
            "1 validation error detected: Value at 'definition' failed to satisfy constraint: \
             Member must have length less than or equal to 1048576",
        );
        // By default the whole request is held to AWS's 1 MiB first.
        let reply =
            send_request(app(ApiConfig::default()), request(action, body.to_string())).await;
        assert_error(
            &reply,
            413,
            "RequestEntityTooLarge",
            "The request body is larger than 1048576 bytes",
        );
    }
}

#[tokio::test]
async fn content_type_and_signatures_are_not_in_the_way() {
    for content_type in [
        Some("application/x-amz-json-1.0"),
        Some("application/json"),
        Some("text/plain"),
        None,
    ] {
        let mut builder = Request::post("/")
            .header("x-amz-target", "AWSStepFunctions.ListStateMachines")
            .header("authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/states/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123456789abcdef")
            .header("x-amz-date", "20240101T000000Z")
            .header("x-amz-security-token", "token");
        if let Some(ct) = content_type {
            builder = builder.header("content-type", ct);
        }
        let reply = send_request(
            app(ApiConfig::default()),
            builder.body(Body::from("{}")).unwrap(),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{content_type:?}");
        assert_eq!(reply.json()["stateMachines"][0]["type"], "STANDARD");
    }
}

#[tokio::test]
async fn health_and_other_routes() {
    let get = |uri: &str| Request::get(uri).body(Body::empty()).unwrap();
    let reply = send_request(app(ApiConfig::default()), get("/healthz")).await;
    assert_eq!(reply.status, StatusCode::OK);
    let reply = send_request(app(ApiConfig::default()), get("/")).await;
    assert_code(&reply, 404, "UnknownOperationException");
    let reply = send_request(app(ApiConfig::default()), get("/elsewhere")).await;
    assert_code(&reply, 404, "UnknownOperationException");
}

#[tokio::test]
async fn every_action_decodes_its_requests() {
    assert_eq!(baton_api::Operation::ALL.len(), 37);
    for op in baton_api::Operation::ALL {
        for full in [false, true] {
            let body = example(op.input_shape(), full, 0);
            let reply = send_request(
                app(ApiConfig::default()),
                request(op.name(), body.to_string()),
            )
            .await;
            if reply.status != StatusCode::OK {
                let (code, message) = reply.error();
                assert!(
                    !matches!(
                        code.as_str(),
                        "ValidationException"
                            | "SerializationException"
                            | "UnknownOperationException"
                    ),
                    "{op} ({}): {code}: {message}\n{body}",
                    if full {
                        "every member"
                    } else {
                        "required members"
                    },
                );
            }
        }
    }
}
