//! The catalog's actions against the memory store. Messages asserted exactly are AWS's
//! recorded ones unless a comment says they are Baton's.

use std::sync::Arc;

use baton_api::model::*;
use baton_api::{ApiConfig, ApiError, ErrorCode, Operation, RequestContext};
use baton_store::{MachineType, MemoryStore, Store, VersionRecord};
use serde_json::{Value, json};

use super::Catalog;
use super::aliases::pick;
use crate::config::ServerConfig;

const ROLE: &str = "arn:aws:iam::111111111111:role/sfn";
const OTHER_ROLE: &str = "arn:aws:iam::111111111111:role/other";
const PREFIX: &str = "arn:aws:states:us-east-1:111111111111";
const PASS: &str = r#"{"Comment":"BASE_PASS_RESULT","StartAt":"State_1","States":{"State_1":{"Type":"Pass","Result":{"Arg1":"argument1"},"End":true}}}"#;
const PASS_R2: &str = r#"{"Comment":"BASE_PASS_RESULT-R2","StartAt":"State_1","States":{"State_1":{"Type":"Pass","End":true}}}"#;
const LOG_GROUP: &str = "arn:aws:logs:us-east-1:111111111111:log-group:g:*";

fn catalog() -> Catalog {
    catalog_over(Arc::new(MemoryStore::new()))
}

fn catalog_over(store: Arc<dyn Store>) -> Catalog {
    let config = ServerConfig {
        data_dir: None,
        account: "111111111111".to_owned(),
        region: "us-east-1".to_owned(),
        ..ServerConfig::default()
    };
    Catalog::new(store, Arc::new(config))
}

fn cx() -> RequestContext {
    RequestContext::new(Operation::DescribeStateMachine, &ApiConfig::default())
}

fn machine_arn(name: &str) -> String {
    format!("{PREFIX}:stateMachine:{name}")
}

#[track_caller]
fn assert_error<T: std::fmt::Debug>(result: Result<T, ApiError>, code: ErrorCode, message: &str) {
    let e = result.unwrap_err();
    assert_eq!((e.code(), e.message()), (code, message));
}

#[track_caller]
fn assert_code<T: std::fmt::Debug>(result: Result<T, ApiError>, code: ErrorCode) {
    assert_eq!(result.unwrap_err().code(), code);
}

fn create_input(name: &str, definition: &str) -> CreateStateMachineInput {
    CreateStateMachineInput::new(name.to_owned(), definition.to_owned(), ROLE.to_owned())
}

async fn create(c: &Catalog, name: &str) -> CreateStateMachineOutput {
    c.create_state_machine(cx(), create_input(name, PASS))
        .await
        .unwrap()
}

async fn create_published(c: &Catalog, name: &str) -> CreateStateMachineOutput {
    let mut input = create_input(name, PASS);
    input.publish = Some(true);
    c.create_state_machine(cx(), input).await.unwrap()
}

async fn describe(c: &Catalog, arn: &str) -> Result<DescribeStateMachineOutput, ApiError> {
    c.describe_state_machine(
        cx(),
        DescribeStateMachineInput {
            state_machine_arn: arn.to_owned(),
            included_data: None,
        },
    )
    .await
}

async fn update(
    c: &Catalog,
    arn: &str,
    f: impl FnOnce(&mut UpdateStateMachineInput),
) -> Result<UpdateStateMachineOutput, ApiError> {
    let mut input = UpdateStateMachineInput {
        state_machine_arn: arn.to_owned(),
        definition: None,
        role_arn: None,
        logging_configuration: None,
        tracing_configuration: None,
        publish: None,
        version_description: None,
        encryption_configuration: None,
    };
    f(&mut input);
    c.update_state_machine(cx(), input).await
}

async fn publish(
    c: &Catalog,
    arn: &str,
    revision_id: Option<&str>,
) -> Result<PublishStateMachineVersionOutput, ApiError> {
    c.publish_state_machine_version(
        cx(),
        PublishStateMachineVersionInput {
            state_machine_arn: arn.to_owned(),
            revision_id: revision_id.map(str::to_owned),
            description: None,
        },
    )
    .await
}

async fn versions(c: &Catalog, arn: &str) -> Vec<String> {
    c.list_state_machine_versions(
        cx(),
        ListStateMachineVersionsInput {
            state_machine_arn: arn.to_owned(),
            next_token: None,
            max_results: None,
        },
    )
    .await
    .unwrap()
    .state_machine_versions
    .into_iter()
    .map(|v| v.state_machine_version_arn)
    .collect()
}

async fn delete_version(
    c: &Catalog,
    arn: &str,
) -> Result<DeleteStateMachineVersionOutput, ApiError> {
    c.delete_state_machine_version(
        cx(),
        DeleteStateMachineVersionInput {
            state_machine_version_arn: arn.to_owned(),
        },
    )
    .await
}

fn routing(entries: &[(&str, i32)]) -> Vec<RoutingConfigurationListItem> {
    entries
        .iter()
        .map(|(arn, weight)| RoutingConfigurationListItem {
            state_machine_version_arn: (*arn).to_owned(),
            weight: *weight,
        })
        .collect()
}

async fn create_alias(
    c: &Catalog,
    name: &str,
    description: Option<&str>,
    entries: &[(&str, i32)],
) -> Result<CreateStateMachineAliasOutput, ApiError> {
    c.create_state_machine_alias(
        cx(),
        CreateStateMachineAliasInput {
            description: description.map(str::to_owned),
            name: name.to_owned(),
            routing_configuration: routing(entries),
        },
    )
    .await
}

async fn describe_alias(
    c: &Catalog,
    arn: &str,
) -> Result<DescribeStateMachineAliasOutput, ApiError> {
    c.describe_state_machine_alias(
        cx(),
        DescribeStateMachineAliasInput {
            state_machine_alias_arn: arn.to_owned(),
        },
    )
    .await
}

async fn list_aliases(
    c: &Catalog,
    arn: &str,
    max_results: Option<i32>,
    next_token: Option<String>,
) -> Result<ListStateMachineAliasesOutput, ApiError> {
    c.list_state_machine_aliases(
        cx(),
        ListStateMachineAliasesInput {
            state_machine_arn: arn.to_owned(),
            next_token,
            max_results,
        },
    )
    .await
}

fn tag(key: &str, value: &str) -> Tag {
    Tag {
        key: Some(key.to_owned()),
        value: Some(value.to_owned()),
    }
}

async fn tag_resource(
    c: &Catalog,
    arn: &str,
    tags: Vec<Tag>,
) -> Result<TagResourceOutput, ApiError> {
    c.tag_resource(
        cx(),
        TagResourceInput {
            resource_arn: arn.to_owned(),
            tags,
        },
    )
    .await
}

async fn list_tags(c: &Catalog, arn: &str) -> Result<Vec<(String, String)>, ApiError> {
    let out = c
        .list_tags_for_resource(
            cx(),
            ListTagsForResourceInput {
                resource_arn: arn.to_owned(),
            },
        )
        .await?;
    Ok(out
        .tags
        .unwrap_or_default()
        .into_iter()
        .map(|t| (t.key.unwrap_or_default(), t.value.unwrap_or_default()))
        .collect())
}

async fn create_activity(c: &Catalog, name: &str) -> Result<CreateActivityOutput, ApiError> {
    c.create_activity(
        cx(),
        CreateActivityInput {
            name: name.to_owned(),
            tags: None,
            encryption_configuration: None,
        },
    )
    .await
}

async fn describe_activity(c: &Catalog, arn: &str) -> Result<DescribeActivityOutput, ApiError> {
    c.describe_activity(
        cx(),
        DescribeActivityInput {
            activity_arn: arn.to_owned(),
        },
    )
    .await
}

fn destination(arn: &str) -> LogDestination {
    LogDestination {
        cloud_watch_logs_log_group: Some(CloudWatchLogsLogGroup {
            log_group_arn: Some(arn.to_owned()),
        }),
    }
}

// ----- CreateStateMachine, DescribeStateMachine -----

#[tokio::test]
async fn create_then_describe_shows_aws_defaults() {
    let c = catalog();
    let out = create(&c, "Hello").await;
    assert_eq!(out.state_machine_arn, machine_arn("Hello"));
    assert_eq!(out.state_machine_version_arn, None);
    let d = describe(&c, &out.state_machine_arn).await.unwrap();
    assert_eq!(d.creation_date, out.creation_date);
    let mut wire = serde_json::to_value(&d).unwrap();
    wire.as_object_mut().unwrap().remove("creationDate");
    assert_eq!(
        wire,
        json!({
            "stateMachineArn": machine_arn("Hello"),
            "name": "Hello",
            "status": "ACTIVE",
            "definition": PASS,
            "roleArn": ROLE,
            "type": "STANDARD",
            "loggingConfiguration": {"level": "OFF", "includeExecutionData": false},
            "tracingConfiguration": {"enabled": false},
            "encryptionConfiguration": {"type": "AWS_OWNED_KEY"},
        })
    );
}

#[tokio::test]
async fn create_is_idempotent_for_identical_settings() {
    let c = catalog();
    let first = create(&c, "Same").await;
    let again = create(&c, "Same").await;
    assert_eq!(again, first);
    // A different role is ignored, as AWS documents it; the role stays the first one.
    let mut input = create_input("Same", PASS);
    input.role_arn = OTHER_ROLE.to_owned();
    input.tags = Some(vec![tag("k", "v")]);
    let other_role = c.create_state_machine(cx(), input).await.unwrap();
    assert_eq!(other_role, first);
    let d = describe(&c, &first.state_machine_arn).await.unwrap();
    assert_eq!(d.role_arn, ROLE);
    assert!(
        list_tags(&c, &first.state_machine_arn)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn create_with_other_settings_is_state_machine_already_exists() {
    let c = catalog();
    let arn = create(&c, "Taken").await.state_machine_arn;
    let message = format!("State Machine Already Exists: '{arn}'");
    // The same definition written differently is another definition (recorded).
    let reformatted =
        serde_json::to_string_pretty(&serde_json::from_str::<Value>(PASS).unwrap()).unwrap();
    let mut cases = vec![
        create_input("Taken", PASS_R2),
        create_input("Taken", &reformatted),
    ];
    let mut express = create_input("Taken", PASS);
    express.r#type = Some(StateMachineType::Express);
    cases.push(express);
    let mut traced = create_input("Taken", PASS);
    traced.tracing_configuration = Some(TracingConfiguration {
        enabled: Some(true),
    });
    cases.push(traced);
    let mut published = create_input("Taken", PASS);
    published.publish = Some(true);
    cases.push(published);
    for input in cases {
        assert_error(
            c.create_state_machine(cx(), input).await,
            ErrorCode::StateMachineAlreadyExists,
            &message,
        );
    }
}

#[tokio::test]
async fn create_with_publish_makes_version_1_and_is_idempotent() {
    let c = catalog();
    let mut input = create_input("Pub", PASS);
    input.publish = Some(true);
    input.version_description = Some("HelloWorld!".to_owned());
    let out = c.create_state_machine(cx(), input.clone()).await.unwrap();
    let v1 = format!("{}:1", out.state_machine_arn);
    assert_eq!(out.state_machine_version_arn.as_deref(), Some(v1.as_str()));
    assert_eq!(
        c.create_state_machine(cx(), input.clone()).await.unwrap(),
        out
    );
    input.version_description = Some("Other".to_owned());
    assert_code(
        c.create_state_machine(cx(), input).await,
        ErrorCode::StateMachineAlreadyExists,
    );
    let d = describe(&c, &v1).await.unwrap();
    assert_eq!(d.state_machine_arn, v1);
    assert_eq!(d.name, "Pub");
    assert_eq!(d.description.as_deref(), Some("HelloWorld!"));
    assert_eq!(d.revision_id, None);
    assert_eq!(d.definition, PASS);
    assert_eq!(d.creation_date, out.creation_date);
    // The machine itself has no description.
    assert_eq!(
        describe(&c, &out.state_machine_arn)
            .await
            .unwrap()
            .description,
        None
    );
}

#[tokio::test]
async fn create_rejects_version_description_without_publish() {
    let c = catalog();
    let mut input = create_input("NoPub", PASS);
    input.version_description = Some("d".to_owned());
    assert_error(
        c.create_state_machine(cx(), input).await,
        ErrorCode::ValidationException,
        "Version description can only be set when publish is true",
    );
}

#[tokio::test]
async fn create_rejects_invalid_names() {
    let c = catalog();
    for name in ["with space", "a:b", "x/y", "\u{0}start"] {
        assert_error(
            c.create_state_machine(cx(), create_input(name, PASS)).await,
            ErrorCode::InvalidName,
            &format!("Invalid Name: '{name}'"),
        );
    }
}

#[tokio::test]
async fn create_rejects_invalid_definitions_with_aws_message() {
    let c = catalog();
    let invalid = r#"{"Comment":"BASE_INVALID_DER","StartAt":"State_1"}"#;
    assert_error(
        c.create_state_machine(cx(), create_input("Bad", invalid))
            .await,
        ErrorCode::InvalidDefinition,
        "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These fields are required: [States] at /'",
    );
}

#[tokio::test]
async fn express_machines_reject_callbacks_sync_and_activities() {
    let c = catalog();
    let cases = [
        (
            r#"{"StartAt":"Publish","States":{"Publish":{"Type":"Task","Resource":"arn:aws:states:::sns:publish.waitForTaskToken","Parameters":{"TopicArn":"t","Message.$":"$"},"End":true}}}"#,
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Express state machine does not support '.waitForTaskToken' service integration  at /States/Publish/Resource'",
        ),
        (
            r#"{"StartAt":"StartExecution","States":{"StartExecution":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync","Parameters":{"StateMachineArn":"arn:aws:states:us-east-1:111111111111:stateMachine:x"},"End":true}}}"#,
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Express state machine does not support '.sync' service integration at /States/StartExecution/Resource'",
        ),
        (
            r#"{"StartAt":"ActivityTask","States":{"ActivityTask":{"Type":"Task","Resource":"arn:aws:states:us-east-1:111111111111:activity:work","End":true}}}"#,
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Express state machine does not support Activity ARN at /States/ActivityTask/Resource'",
        ),
    ];
    for (i, (definition, message)) in cases.into_iter().enumerate() {
        let mut input = create_input(&format!("Express{i}"), definition);
        input.r#type = Some(StateMachineType::Express);
        assert_error(
            c.create_state_machine(cx(), input).await,
            ErrorCode::InvalidDefinition,
            message,
        );
        // A Standard machine may.
        let standard = create_input(&format!("Standard{i}"), definition);
        c.create_state_machine(cx(), standard).await.unwrap();
    }
}

#[tokio::test]
async fn express_machine_is_described_as_express() {
    let c = catalog();
    let mut input = create_input("Fast", PASS);
    input.r#type = Some(StateMachineType::Express);
    input.publish = Some(true);
    let out = c.create_state_machine(cx(), input).await.unwrap();
    assert!(out.state_machine_version_arn.is_some());
    let d = describe(&c, &out.state_machine_arn).await.unwrap();
    assert_eq!(d.r#type, StateMachineType::Express);
}

#[tokio::test]
async fn logging_configurations_are_checked_completed_and_echoed() {
    let c = catalog();
    let invalid = [
        LoggingConfiguration {
            level: Some(LogLevel::All),
            ..Default::default()
        },
        LoggingConfiguration {
            level: Some(LogLevel::Error),
            destinations: Some(vec![]),
            ..Default::default()
        },
        LoggingConfiguration {
            level: Some(LogLevel::All),
            destinations: Some(vec![destination(LOG_GROUP), destination(LOG_GROUP)]),
            ..Default::default()
        },
    ];
    for logging in invalid {
        let mut input = create_input("Logged", PASS);
        input.logging_configuration = Some(logging);
        assert_error(
            c.create_state_machine(cx(), input).await,
            ErrorCode::InvalidLoggingConfiguration,
            "Invalid Logging Configuration: Must specify exactly one Log Destination.",
        );
    }
    let mut input = create_input("Logged", PASS);
    input.logging_configuration = Some(LoggingConfiguration {
        level: Some(LogLevel::All),
        destinations: Some(vec![destination(LOG_GROUP)]),
        ..Default::default()
    });
    let arn = c
        .create_state_machine(cx(), input)
        .await
        .unwrap()
        .state_machine_arn;
    let d = describe(&c, &arn).await.unwrap();
    assert_eq!(
        serde_json::to_value(d.logging_configuration).unwrap(),
        json!({
            "level": "ALL",
            "includeExecutionData": false,
            "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": LOG_GROUP}}]
        })
    );
    // `destinations: []` with no level is kept as given (recorded).
    let mut input = create_input("Empty", PASS);
    input.logging_configuration = Some(LoggingConfiguration {
        destinations: Some(vec![]),
        ..Default::default()
    });
    let arn = c
        .create_state_machine(cx(), input)
        .await
        .unwrap()
        .state_machine_arn;
    let d = describe(&c, &arn).await.unwrap();
    assert_eq!(
        serde_json::to_value(d.logging_configuration).unwrap(),
        json!({"level": "OFF", "includeExecutionData": false, "destinations": []})
    );
}

#[tokio::test]
async fn tracing_and_encryption_are_kept() {
    let c = catalog();
    let mut input = create_input("Kms", PASS);
    input.encryption_configuration = Some(EncryptionConfiguration {
        kms_key_id: None,
        kms_data_key_reuse_period_seconds: None,
        r#type: EncryptionType::CustomerManagedKmsKey,
    });
    // Baton's messages.
    assert_error(
        c.create_state_machine(cx(), input.clone()).await,
        ErrorCode::InvalidEncryptionConfiguration,
        "Invalid Encryption Configuration: kmsKeyId is required when type is CUSTOMER_MANAGED_KMS_KEY.",
    );
    input.encryption_configuration = Some(EncryptionConfiguration {
        kms_key_id: Some("alias/key".to_owned()),
        kms_data_key_reuse_period_seconds: Some(30),
        r#type: EncryptionType::CustomerManagedKmsKey,
    });
    assert_code(
        c.create_state_machine(cx(), input.clone()).await,
        ErrorCode::InvalidEncryptionConfiguration,
    );
    let encryption = EncryptionConfiguration {
        kms_key_id: Some("alias/key".to_owned()),
        kms_data_key_reuse_period_seconds: Some(300),
        r#type: EncryptionType::CustomerManagedKmsKey,
    };
    input.encryption_configuration = Some(encryption.clone());
    input.tracing_configuration = Some(TracingConfiguration {
        enabled: Some(true),
    });
    let arn = c
        .create_state_machine(cx(), input)
        .await
        .unwrap()
        .state_machine_arn;
    let d = describe(&c, &arn).await.unwrap();
    assert_eq!(d.encryption_configuration, Some(encryption));
    assert_eq!(d.tracing_configuration.unwrap().enabled, Some(true));
}

#[tokio::test]
async fn create_with_tags_and_too_many_tags() {
    let c = catalog();
    let mut input = create_input("Tagged", PASS);
    input.tags = Some(vec![tag("key1", "value1"), tag("key2", "value2")]);
    let arn = c
        .create_state_machine(cx(), input)
        .await
        .unwrap()
        .state_machine_arn;
    assert_eq!(
        list_tags(&c, &arn).await.unwrap(),
        [
            ("key1".into(), "value1".into()),
            ("key2".into(), "value2".into())
        ]
    );
    let mut input = create_input("TooMany", PASS);
    input.tags = Some((0..51).map(|i| tag(&format!("k{i}"), "v")).collect());
    assert_code(
        c.create_state_machine(cx(), input).await,
        ErrorCode::TooManyTags,
    );
    assert_code(
        describe(&c, &machine_arn("TooMany")).await,
        ErrorCode::StateMachineDoesNotExist,
    );
}

#[tokio::test]
async fn describe_errors() {
    let c = catalog();
    create_published(&c, "M").await;
    assert_error(
        describe(&c, "not_a_valid_arn").await,
        ErrorCode::InvalidArn,
        "Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'",
    );
    let missing = machine_arn("Missing");
    assert_error(
        describe(&c, &missing).await,
        ErrorCode::StateMachineDoesNotExist,
        &format!("State Machine Does Not Exist: '{missing}'"),
    );
    let v2 = format!("{}:2", machine_arn("M"));
    assert_error(
        describe(&c, &v2).await,
        ErrorCode::StateMachineDoesNotExist,
        &format!("State Machine Does Not Exist: '{v2}'"),
    );
    assert_code(
        describe(&c, &format!("{}:PROD", machine_arn("M"))).await,
        ErrorCode::StateMachineDoesNotExist,
    );
    assert_code(
        describe(&c, &format!("{}/MapLabel", machine_arn("M"))).await,
        ErrorCode::ValidationException,
    );
    assert_code(
        describe(&c, &format!("{PREFIX}:activity:M")).await,
        ErrorCode::InvalidArn,
    );
}

#[tokio::test]
async fn describe_lists_variable_references() {
    let c = catalog();
    // AWS's recorded BASE_REFERENCE_IN_PARAMETERS: only State1 reads `$result`.
    let definition = r#"{"Comment":"BASE_REFERENCE_IN_PARAMETERS","StartAt":"State0","States":{"State0":{"Type":"Pass","Parameters":{"result":"$result"},"Assign":{"result":"foobar"},"Next":"State1"},"State1":{"Type":"Pass","ResultPath":"$.result","Parameters":{"result.$":"$result"},"End":true}}}"#;
    let arn = c
        .create_state_machine(cx(), create_input("Vars", definition))
        .await
        .unwrap()
        .state_machine_arn;
    let d = describe(&c, &arn).await.unwrap();
    assert_eq!(
        serde_json::to_value(d.variable_references).unwrap(),
        json!({"State1": ["result"]})
    );
}

// ----- UpdateStateMachine -----

#[tokio::test]
async fn update_makes_revisions_only_when_something_changes() {
    let c = catalog();
    let created = create(&c, "Up").await;
    let arn = created.state_machine_arn.clone();
    let r1 = update(&c, &arn, |u| u.definition = Some(PASS_R2.to_owned()))
        .await
        .unwrap();
    let rev1 = r1.revision_id.clone().unwrap();
    assert_eq!(r1.state_machine_version_arn, None);
    assert!(r1.update_date >= created.creation_date);
    let d = describe(&c, &arn).await.unwrap();
    assert_eq!(d.definition, PASS_R2);
    assert_eq!(d.revision_id.as_deref(), Some(rev1.as_str()));
    assert_eq!(d.creation_date, created.creation_date);
    // The same parameters again: the same revision (recorded).
    let same = update(&c, &arn, |u| u.definition = Some(PASS_R2.to_owned()))
        .await
        .unwrap();
    assert_eq!(same.revision_id.as_deref(), Some(rev1.as_str()));
    // The role alone.
    let r2 = update(&c, &arn, |u| u.role_arn = Some(OTHER_ROLE.to_owned()))
        .await
        .unwrap();
    assert_ne!(r2.revision_id.as_deref(), Some(rev1.as_str()));
    let d = describe(&c, &arn).await.unwrap();
    assert_eq!(
        (d.role_arn.as_str(), d.definition.as_str()),
        (OTHER_ROLE, PASS_R2)
    );
    // Logging and tracing changes are revisions too.
    let r3 = update(&c, &arn, |u| {
        u.logging_configuration = Some(LoggingConfiguration {
            level: Some(LogLevel::Fatal),
            include_execution_data: Some(true),
            destinations: Some(vec![destination(LOG_GROUP)]),
        });
    })
    .await
    .unwrap();
    assert_ne!(r3.revision_id, r2.revision_id);
    let r4 = update(&c, &arn, |u| {
        u.tracing_configuration = Some(TracingConfiguration {
            enabled: Some(true),
        })
    })
    .await
    .unwrap();
    assert_ne!(r4.revision_id, r3.revision_id);
    let d = describe(&c, &arn).await.unwrap();
    assert_eq!(
        d.logging_configuration.unwrap().level,
        Some(LogLevel::Fatal)
    );
    assert_eq!(d.tracing_configuration.unwrap().enabled, Some(true));
}

#[tokio::test]
async fn update_errors() {
    let c = catalog();
    let arn = create(&c, "Up").await.state_machine_arn;
    assert_error(
        update(&c, &arn, |_| {}).await,
        ErrorCode::MissingRequiredParameter,
        "Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified",
    );
    assert_error(
        update(&c, &arn, |u| u.publish = Some(true)).await,
        ErrorCode::MissingRequiredParameter,
        "Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified",
    );
    assert_error(
        update(&c, &arn, |u| {
            u.role_arn = Some(OTHER_ROLE.to_owned());
            u.version_description = Some("d".to_owned());
        })
        .await,
        ErrorCode::ValidationException,
        "Version description can only be set when publish is true",
    );
    assert_error(
        update(&c, &arn, |u| u.definition = Some("{}".to_owned())).await,
        ErrorCode::InvalidDefinition,
        "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These fields are required: [States, StartAt] at /'",
    );
    assert_error(
        update(&c, &arn, |u| {
            u.logging_configuration = Some(LoggingConfiguration {
                level: Some(LogLevel::All),
                ..Default::default()
            })
        })
        .await,
        ErrorCode::InvalidLoggingConfiguration,
        "Invalid Logging Configuration: Must specify exactly one Log Destination.",
    );
    let missing = machine_arn("Missing");
    assert_error(
        update(&c, &missing, |u| u.role_arn = Some(ROLE.to_owned())).await,
        ErrorCode::StateMachineDoesNotExist,
        &format!("State Machine Does Not Exist: '{missing}'"),
    );
    assert_code(
        update(&c, "arn", |u| u.role_arn = Some(ROLE.to_owned())).await,
        ErrorCode::InvalidArn,
    );
    // Nothing changed by the failed updates.
    assert_eq!(describe(&c, &arn).await.unwrap().revision_id, None);
}

#[tokio::test]
async fn update_of_express_machine_keeps_express_rules() {
    let c = catalog();
    let mut input = create_input("Fast", PASS);
    input.r#type = Some(StateMachineType::Express);
    let arn = c
        .create_state_machine(cx(), input)
        .await
        .unwrap()
        .state_machine_arn;
    let activity = r#"{"StartAt":"ActivityTask","States":{"ActivityTask":{"Type":"Task","Resource":"arn:aws:states:us-east-1:111111111111:activity:work","End":true}}}"#;
    assert_code(
        update(&c, &arn, |u| u.definition = Some(activity.to_owned())).await,
        ErrorCode::InvalidDefinition,
    );
}

#[tokio::test]
async fn update_with_publish_publishes_the_current_revision_once() {
    let c = catalog();
    let arn = create(&c, "Up").await.state_machine_arn;
    // Recorded: an update that changes nothing, with publish, publishes the first
    // revision as version 1, twice the same; no revisionId (it is still null).
    for _ in 0..2 {
        let out = update(&c, &arn, |u| {
            u.definition = Some(PASS.to_owned());
            u.publish = Some(true);
        })
        .await
        .unwrap();
        assert_eq!(out.revision_id, None);
        assert_eq!(out.state_machine_version_arn, Some(format!("{arn}:1")));
    }
    let out = update(&c, &arn, |u| {
        u.definition = Some(PASS_R2.to_owned());
        u.publish = Some(true);
        u.version_description = Some("second".to_owned());
    })
    .await
    .unwrap();
    assert_eq!(out.state_machine_version_arn, Some(format!("{arn}:2")));
    let v2 = describe(&c, &format!("{arn}:2")).await.unwrap();
    assert_eq!(v2.revision_id, out.revision_id);
    assert_eq!(v2.description.as_deref(), Some("second"));
    assert_eq!(v2.definition, PASS_R2);
    assert_eq!(
        versions(&c, &arn).await,
        [format!("{arn}:2"), format!("{arn}:1")]
    );
}

// ----- DeleteStateMachine, ListStateMachines -----

#[tokio::test]
async fn delete_removes_versions_aliases_and_tags() {
    let c = catalog();
    let out = create_published(&c, "Gone").await;
    let arn = out.state_machine_arn;
    let v1 = out.state_machine_version_arn.unwrap();
    let alias = create_alias(&c, "PROD", None, &[(&v1, 100)])
        .await
        .unwrap()
        .state_machine_alias_arn;
    tag_resource(&c, &arn, vec![tag("a", "b")]).await.unwrap();
    c.delete_state_machine(
        cx(),
        DeleteStateMachineInput {
            state_machine_arn: arn.clone(),
        },
    )
    .await
    .unwrap();
    assert_code(
        describe(&c, &arn).await,
        ErrorCode::StateMachineDoesNotExist,
    );
    assert_code(describe(&c, &v1).await, ErrorCode::StateMachineDoesNotExist);
    assert_code(
        describe_alias(&c, &alias).await,
        ErrorCode::ResourceNotFound,
    );
    assert_code(list_tags(&c, &arn).await, ErrorCode::ResourceNotFound);
    assert!(c.store.tags(&arn).await.unwrap().is_empty());
    // Deleting what does not exist is no error (recorded).
    c.delete_state_machine(
        cx(),
        DeleteStateMachineInput {
            state_machine_arn: arn.clone(),
        },
    )
    .await
    .unwrap();
    // A machine created again under the name starts its versions at 1.
    let again = create_published(&c, "Gone").await;
    assert_eq!(again.state_machine_version_arn, Some(v1.clone()));
    assert_code(
        c.delete_state_machine(
            cx(),
            DeleteStateMachineInput {
                state_machine_arn: v1,
            },
        )
        .await,
        ErrorCode::ValidationException,
    );
}

#[tokio::test]
async fn list_state_machines_by_name_in_pages() {
    let c = catalog();
    let empty = c
        .list_state_machines(cx(), ListStateMachinesInput::default())
        .await
        .unwrap();
    assert!(empty.state_machines.is_empty() && empty.next_token.is_none());
    // AWS lists by name (recorded: statemachine_0, _10, _11, _12, _1, ...).
    let names: Vec<String> = (0..13).map(|i| format!("statemachine_{i}_x")).collect();
    for name in &names {
        create(&c, name).await;
    }
    let mut expected = names.clone();
    expected.sort();
    let mut listed = Vec::new();
    let mut token = None;
    loop {
        let page = c
            .list_state_machines(
                cx(),
                ListStateMachinesInput {
                    max_results: Some(5),
                    next_token: token,
                },
            )
            .await
            .unwrap();
        assert!(page.state_machines.len() <= 5);
        for m in &page.state_machines {
            assert_eq!(m.state_machine_arn, machine_arn(&m.name));
            assert_eq!(m.r#type, StateMachineType::Standard);
        }
        listed.extend(page.state_machines.into_iter().map(|m| m.name));
        match page.next_token {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    assert_eq!(listed, expected);
    assert_eq!(
        listed[..3],
        ["statemachine_0_x", "statemachine_10_x", "statemachine_11_x"]
    );
    assert_error(
        c.list_state_machines(
            cx(),
            ListStateMachinesInput {
                max_results: None,
                next_token: Some("InvalidToken".to_owned()),
            },
        )
        .await,
        ErrorCode::InvalidToken,
        "Invalid Token: 'Invalid token'",
    );
    // A token of another listing is not one of this listing's.
    let activity_token = {
        create_activity(&c, "a1").await.unwrap();
        create_activity(&c, "a2").await.unwrap();
        c.list_activities(
            cx(),
            ListActivitiesInput {
                max_results: Some(1),
                next_token: None,
            },
        )
        .await
        .unwrap()
        .next_token
        .unwrap()
    };
    assert_code(
        c.list_state_machines(
            cx(),
            ListStateMachinesInput {
                max_results: None,
                next_token: Some(activity_token),
            },
        )
        .await,
        ErrorCode::InvalidToken,
    );
}

// ----- ValidateStateMachineDefinition -----

async fn validate(
    c: &Catalog,
    definition: &str,
    f: impl FnOnce(&mut ValidateStateMachineDefinitionInput),
) -> Value {
    let mut input = ValidateStateMachineDefinitionInput {
        definition: definition.to_owned(),
        r#type: None,
        severity: None,
        max_results: None,
    };
    f(&mut input);
    serde_json::to_value(
        c.validate_state_machine_definition(cx(), input)
            .await
            .unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn validate_answers_as_aws_recorded() {
    let c = catalog();
    assert_eq!(
        validate(&c, PASS, |_| {}).await,
        json!({"result": "OK", "diagnostics": [], "truncated": false})
    );
    assert_eq!(
        validate(&c, " ", |_| {}).await,
        json!({"result": "FAIL", "diagnostics": [{"severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED", "message": "Definition must be a valid JSON object"}], "truncated": false})
    );
    assert_eq!(
        validate(&c, "{}", |_| {}).await,
        json!({"result": "FAIL", "diagnostics": [{"severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED", "message": "These fields are required: [States, StartAt]", "location": "/"}], "truncated": false})
    );
    // Text that is no JSON: AWS's code and the form of its location; the reader's own
    // message and column (AWS's reader says `Unrecognized token 'not': ...` at column 4).
    let not_json = validate(&c, "not a definition", |_| {}).await;
    assert_eq!(not_json["result"], "FAIL");
    assert_eq!(not_json["truncated"], false);
    let diagnostic = &not_json["diagnostics"][0];
    assert_eq!(diagnostic["code"], "INVALID_JSON_DESCRIPTION");
    assert_eq!(diagnostic["severity"], "ERROR");
    let location = diagnostic["location"].as_str().unwrap();
    assert!(location.starts_with("[Source: (String)\"not a definition\"; line: 1, column: "));
    assert!(
        diagnostic["message"]
            .as_str()
            .unwrap()
            .ends_with(&format!("\n at {location}"))
    );
    let wait = r#"{"StartAt":"SendMessageWithWait","States":{"SendMessageWithWait":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","Parameters":{"QueueUrl":"q","MessageBody":{"TaskToken.$":"$$.Task.Token"}},"End":true}}}"#;
    assert_eq!(validate(&c, wait, |_| {}).await["result"], "OK");
    assert_eq!(
        validate(&c, wait, |v| v.r#type = Some(StateMachineType::Express)).await,
        json!({"result": "FAIL", "diagnostics": [{"severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED", "message": "Express state machine does not support '.waitForTaskToken' service integration ", "location": "/States/SendMessageWithWait/Resource"}], "truncated": false})
    );
}

#[tokio::test]
async fn validate_severity_and_max_results() {
    let c = catalog();
    // A path in a field without `.$`: a warning only.
    let warned =
        r#"{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"a":"$.x"},"End":true}}}"#;
    let errors_only = validate(&c, warned, |_| {}).await;
    assert_eq!(errors_only["result"], "OK");
    assert_eq!(errors_only["diagnostics"], json!([]));
    let with_warnings = validate(&c, warned, |v| {
        v.severity = Some(ValidateStateMachineDefinitionSeverity::Warning)
    })
    .await;
    assert_eq!(with_warnings["result"], "OK");
    let diagnostics = with_warnings["diagnostics"].as_array().unwrap();
    assert!(!diagnostics.is_empty());
    assert!(diagnostics.iter().all(|d| d["severity"] == "WARNING"));
    // Two errors, one returned.
    let two = r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"X"},"B":{"Type":"Pass","End":true}}}"#;
    let all = validate(&c, two, |_| {}).await;
    assert!(all["diagnostics"].as_array().unwrap().len() >= 2);
    assert_eq!(all["truncated"], false);
    let one = validate(&c, two, |v| v.max_results = Some(1)).await;
    assert_eq!(one["diagnostics"].as_array().unwrap().len(), 1);
    assert_eq!(one["diagnostics"][0], all["diagnostics"][0]);
    assert_eq!(one["truncated"], true);
    assert_eq!(one["result"], "FAIL");
}

// ----- versions -----

#[tokio::test]
async fn publish_list_and_describe_versions() {
    let c = catalog();
    let arn = create(&c, "V").await.state_machine_arn;
    let r1 = update(&c, &arn, |u| u.definition = Some(PASS_R2.to_owned()))
        .await
        .unwrap()
        .revision_id
        .unwrap();
    let v1 = publish(&c, &arn, None).await.unwrap();
    assert_eq!(v1.state_machine_version_arn, format!("{arn}:1"));
    // The same revision again: the same version (recorded).
    assert_eq!(publish(&c, &arn, Some(&r1)).await.unwrap(), v1);
    let r2 = update(&c, &arn, |u| u.definition = Some(PASS.to_owned()))
        .await
        .unwrap()
        .revision_id
        .unwrap();
    let v2 = c
        .publish_state_machine_version(
            cx(),
            PublishStateMachineVersionInput {
                state_machine_arn: arn.clone(),
                revision_id: Some(r2.clone()),
                description: Some("PublishedV2Description".to_owned()),
            },
        )
        .await
        .unwrap();
    assert_eq!(v2.state_machine_version_arn, format!("{arn}:2"));
    let d = describe(&c, &v2.state_machine_version_arn).await.unwrap();
    assert_eq!(d.revision_id.as_deref(), Some(r2.as_str()));
    assert_eq!(d.description.as_deref(), Some("PublishedV2Description"));
    assert_eq!(d.creation_date, v2.creation_date);
    assert_eq!(d.definition, PASS);
    assert_eq!(
        describe(&c, &v1.state_machine_version_arn)
            .await
            .unwrap()
            .definition,
        PASS_R2
    );
    assert_eq!(
        versions(&c, &arn).await,
        [format!("{arn}:2"), format!("{arn}:1")]
    );
    // A stale revision (recorded).
    let r3 = update(&c, &arn, |u| u.role_arn = Some(OTHER_ROLE.to_owned()))
        .await
        .unwrap()
        .revision_id
        .unwrap();
    assert_error(
        publish(&c, &arn, Some(&r2)).await,
        ErrorCode::ConflictException,
        &format!(
            "Failed to publish the State Machine version for revision {r2}. The current State Machine revision is {r3}."
        ),
    );
}

#[tokio::test]
async fn publish_errors() {
    let c = catalog();
    assert_error(
        publish(&c, "invalid_arn", None).await,
        ErrorCode::InvalidArn,
        "Invalid Arn: 'Invalid ARN prefix: invalid_arn'",
    );
    let missing = machine_arn("Missing");
    assert_error(
        publish(&c, &missing, None).await,
        ErrorCode::StateMachineDoesNotExist,
        &format!("State Machine Does Not Exist: '{missing}'"),
    );
    let arn = create(&c, "Never").await.state_machine_arn;
    // A machine never updated has the revision null.
    assert_error(
        publish(&c, &arn, Some("abc")).await,
        ErrorCode::ConflictException,
        "Failed to publish the State Machine version for revision abc. The current State Machine revision is null.",
    );
}

#[tokio::test]
async fn version_numbers_are_never_reused() {
    let c = catalog();
    let arn = create_published(&c, "N").await.state_machine_arn;
    update(&c, &arn, |u| {
        u.definition = Some(PASS_R2.to_owned());
        u.publish = Some(true);
    })
    .await
    .unwrap();
    delete_version(&c, &format!("{arn}:2")).await.unwrap();
    // Recorded: the revision's version deleted, publishing again makes version 3.
    let v3 = publish(&c, &arn, None).await.unwrap();
    assert_eq!(v3.state_machine_version_arn, format!("{arn}:3"));
    assert_eq!(
        versions(&c, &arn).await,
        [format!("{arn}:3"), format!("{arn}:1")]
    );
    // The counter is not a tag anyone sees.
    assert!(list_tags(&c, &arn).await.unwrap().is_empty());
}

#[tokio::test]
async fn publish_beyond_1000_versions_is_a_quota_error() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let c = catalog_over(store.clone());
    let arn = create(&c, "Many").await.state_machine_arn;
    for n in 1..=1000u64 {
        store
            .create_version(VersionRecord {
                arn: format!("{arn}:{n}"),
                machine_arn: arn.clone(),
                version: n,
                definition: PASS.to_owned(),
                role_arn: ROLE.to_owned(),
                machine_type: MachineType::Standard,
                created: 0,
                revision_id: format!("rev-{n}"),
                description: None,
                logging: None,
                tracing: None,
            })
            .await
            .unwrap();
    }
    assert_code(
        publish(&c, &arn, None).await,
        ErrorCode::ServiceQuotaExceededException,
    );
    delete_version(&c, &format!("{arn}:1000")).await.unwrap();
    let next = publish(&c, &arn, None).await.unwrap();
    assert_eq!(next.state_machine_version_arn, format!("{arn}:1000"));
}

#[tokio::test]
async fn list_versions_in_pages_and_of_unknown_machines() {
    let c = catalog();
    let arn = create_published(&c, "P").await.state_machine_arn;
    for i in 0..4 {
        update(&c, &arn, |u| {
            u.definition = Some(PASS.replace("BASE_PASS_RESULT", &format!("R{i}")));
            u.publish = Some(true);
        })
        .await
        .unwrap();
    }
    let mut listed = Vec::new();
    let mut token = None;
    loop {
        let page = c
            .list_state_machine_versions(
                cx(),
                ListStateMachineVersionsInput {
                    state_machine_arn: arn.clone(),
                    next_token: token,
                    max_results: Some(2),
                },
            )
            .await
            .unwrap();
        listed.extend(
            page.state_machine_versions
                .into_iter()
                .map(|v| v.state_machine_version_arn),
        );
        match page.next_token {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    let expected: Vec<String> = (1..=5).rev().map(|n| format!("{arn}:{n}")).collect();
    assert_eq!(listed, expected);
    assert!(versions(&c, &machine_arn("Unknown")).await.is_empty());
    assert_code(
        c.list_state_machine_versions(
            cx(),
            ListStateMachineVersionsInput {
                state_machine_arn: arn.clone(),
                next_token: Some("garbage".to_owned()),
                max_results: None,
            },
        )
        .await,
        ErrorCode::InvalidToken,
    );
}

#[tokio::test]
async fn delete_version_cases() {
    let c = catalog();
    let out = create_published(&c, "D").await;
    let arn = out.state_machine_arn;
    let v1 = out.state_machine_version_arn.unwrap();
    let v2 = update(&c, &arn, |u| {
        u.definition = Some(PASS_R2.to_owned());
        u.publish = Some(true);
    })
    .await
    .unwrap()
    .state_machine_version_arn
    .unwrap();
    create_alias(&c, "canary", None, &[(&v1, 90), (&v2, 10)])
        .await
        .unwrap();
    create_alias(&c, "live", None, &[(&v1, 100)]).await.unwrap();
    assert_error(
        delete_version(&c, &v1).await,
        ErrorCode::ConflictException,
        "Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [canary, live]",
    );
    delete_version(&c, &format!("{arn}:7")).await.unwrap();
    assert_code(
        delete_version(&c, &arn).await,
        ErrorCode::ValidationException,
    );
    assert_code(
        delete_version(&c, &format!("{arn}:live")).await,
        ErrorCode::ValidationException,
    );
    assert_code(delete_version(&c, "nope").await, ErrorCode::InvalidArn);
    // Once no alias routes to it, it goes; deleting it again is no error (recorded).
    for alias in ["live", "canary"] {
        c.update_state_machine_alias(
            cx(),
            UpdateStateMachineAliasInput {
                state_machine_alias_arn: format!("{arn}:{alias}"),
                description: None,
                routing_configuration: Some(routing(&[(&v2, 100)])),
            },
        )
        .await
        .unwrap();
    }
    delete_version(&c, &v1).await.unwrap();
    delete_version(&c, &v1).await.unwrap();
    assert_eq!(versions(&c, &arn).await, [v2]);
}

// ----- aliases -----

#[tokio::test]
async fn alias_lifecycle() {
    let c = catalog();
    let out = create_published(&c, "A").await;
    let arn = out.state_machine_arn;
    let v1 = out.state_machine_version_arn.unwrap();
    let v2 = update(&c, &arn, |u| {
        u.definition = Some(PASS_R2.to_owned());
        u.publish = Some(true);
    })
    .await
    .unwrap()
    .state_machine_version_arn
    .unwrap();
    let created = create_alias(&c, "PROD", Some("first"), &[(&v1, 100)])
        .await
        .unwrap();
    let alias = format!("{arn}:PROD");
    assert_eq!(created.state_machine_alias_arn, alias);
    let d = describe_alias(&c, &alias).await.unwrap();
    let mut wire = serde_json::to_value(&d).unwrap();
    let object = wire.as_object_mut().unwrap();
    assert!(object.remove("creationDate").is_some());
    assert!(object.remove("updateDate").is_some());
    assert_eq!(
        wire,
        json!({
            "stateMachineAliasArn": alias,
            "name": "PROD",
            "description": "first",
            "routingConfiguration": [{"stateMachineVersionArn": v1, "weight": 100}],
        })
    );
    let updated = c
        .update_state_machine_alias(
            cx(),
            UpdateStateMachineAliasInput {
                state_machine_alias_arn: alias.clone(),
                description: Some("new description".to_owned()),
                routing_configuration: None,
            },
        )
        .await
        .unwrap();
    c.update_state_machine_alias(
        cx(),
        UpdateStateMachineAliasInput {
            state_machine_alias_arn: alias.clone(),
            description: None,
            routing_configuration: Some(routing(&[(&v1, 50), (&v2, 50)])),
        },
    )
    .await
    .unwrap();
    let d = describe_alias(&c, &alias).await.unwrap();
    assert_eq!(d.description.as_deref(), Some("new description"));
    assert_eq!(
        d.routing_configuration,
        Some(routing(&[(&v1, 50), (&v2, 50)]))
    );
    assert_eq!(d.creation_date, Some(created.creation_date));
    assert!(d.update_date.unwrap() >= updated.update_date);
    c.delete_state_machine_alias(
        cx(),
        DeleteStateMachineAliasInput {
            state_machine_alias_arn: alias.clone(),
        },
    )
    .await
    .unwrap();
    assert_error(
        describe_alias(&c, &alias).await,
        ErrorCode::ResourceNotFound,
        "Request references a resource that does not exist.",
    );
    // Deleting it again is no error (recorded).
    c.delete_state_machine_alias(
        cx(),
        DeleteStateMachineAliasInput {
            state_machine_alias_arn: alias,
        },
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn alias_create_is_idempotent_or_a_conflict() {
    let c = catalog();
    let out = create_published(&c, "I").await;
    let v1 = out.state_machine_version_arn.unwrap();
    let v2 = update(&c, &out.state_machine_arn, |u| {
        u.definition = Some(PASS_R2.to_owned());
        u.publish = Some(true);
    })
    .await
    .unwrap()
    .state_machine_version_arn
    .unwrap();
    let first = create_alias(&c, "a", Some("d"), &[(&v1, 100)])
        .await
        .unwrap();
    assert_eq!(
        create_alias(&c, "a", Some("d"), &[(&v1, 100)])
            .await
            .unwrap(),
        first
    );
    let conflict = "Failed to create alias because an alias with the same name and a different routing configuration already exists.";
    assert_error(
        create_alias(&c, "a", Some("other"), &[(&v1, 100)]).await,
        ErrorCode::ConflictException,
        conflict,
    );
    assert_error(
        create_alias(&c, "a", Some("d"), &[(&v2, 100)]).await,
        ErrorCode::ConflictException,
        conflict,
    );
}

#[tokio::test]
async fn alias_routing_errors() {
    let c = catalog();
    let out = create_published(&c, "R").await;
    let arn = out.state_machine_arn;
    let v1 = out.state_machine_version_arn.unwrap();
    let v2 = update(&c, &arn, |u| {
        u.definition = Some(PASS_R2.to_owned());
        u.publish = Some(true);
    })
    .await
    .unwrap()
    .state_machine_version_arn
    .unwrap();
    let other = create_published(&c, "Other")
        .await
        .state_machine_version_arn
        .unwrap();
    assert_error(
        create_alias(&c, "x", None, &[(&arn, 100)]).await,
        ErrorCode::ValidationException,
        &format!(
            "Routing configuration must contain state machine version ARNs. Received: [{arn}]"
        ),
    );
    assert_error(
        create_alias(&c, "x", None, &[(&arn, 70), (&v2, 30)]).await,
        ErrorCode::ValidationException,
        &format!(
            "Routing configuration must contain state machine version ARNs. Received: [{arn}, {v2}]"
        ),
    );
    assert_error(
        create_alias(&c, "x", None, &[(&v1, 50), (&v1, 50)]).await,
        ErrorCode::ValidationException,
        &format!(
            "Routing configuration must contain distinct state machine version ARNs. Received: [{v1}, {v1}]"
        ),
    );
    assert_error(
        create_alias(&c, "x", None, &[(&v1, 70), (&v2, 29)]).await,
        ErrorCode::ValidationException,
        "Sum of routing configuration weights must equal 100. Received: [70, 29]",
    );
    assert_error(
        create_alias(&c, "x", None, &[(&v1, 70), (&v2, 31)]).await,
        ErrorCode::ValidationException,
        "Sum of routing configuration weights must equal 100. Received: [70, 31]",
    );
    assert_code(
        create_alias(&c, "x", None, &[(&v1, 50), (&other, 50)]).await,
        ErrorCode::ValidationException,
    );
    assert_code(
        create_alias(&c, "x", None, &[(&format!("{arn}:9"), 100)]).await,
        ErrorCode::ResourceNotFound,
    );
    // Updating an alias to another machine's version.
    create_alias(&c, "x", None, &[(&v1, 100)]).await.unwrap();
    assert_code(
        c.update_state_machine_alias(
            cx(),
            UpdateStateMachineAliasInput {
                state_machine_alias_arn: format!("{arn}:x"),
                description: None,
                routing_configuration: Some(routing(&[(&other, 100)])),
            },
        )
        .await,
        ErrorCode::ValidationException,
    );
}

#[tokio::test]
async fn alias_update_and_describe_errors() {
    let c = catalog();
    let out = create_published(&c, "U").await;
    let v1 = out.state_machine_version_arn.unwrap();
    let missing = format!("{}:nope", out.state_machine_arn);
    assert_error(
        c.update_state_machine_alias(
            cx(),
            UpdateStateMachineAliasInput {
                state_machine_alias_arn: missing.clone(),
                description: None,
                routing_configuration: Some(routing(&[(&v1, 100)])),
            },
        )
        .await,
        ErrorCode::ResourceNotFound,
        "Request references a resource that does not exist.",
    );
    assert_code(
        c.update_state_machine_alias(
            cx(),
            UpdateStateMachineAliasInput {
                state_machine_alias_arn: missing,
                description: None,
                routing_configuration: None,
            },
        )
        .await,
        ErrorCode::ValidationException,
    );
    assert_code(describe_alias(&c, &v1).await, ErrorCode::InvalidArn);
    assert_code(describe_alias(&c, "x").await, ErrorCode::InvalidArn);
}

#[tokio::test]
async fn list_aliases_oldest_first_in_pages_and_by_version() {
    let c = catalog();
    let out = create_published(&c, "L").await;
    let arn = out.state_machine_arn;
    let v1 = out.state_machine_version_arn.unwrap();
    assert!(
        list_aliases(&c, &arn, None, None)
            .await
            .unwrap()
            .state_machine_aliases
            .is_empty()
    );
    let v2 = update(&c, &arn, |u| {
        u.definition = Some(PASS_R2.to_owned());
        u.publish = Some(true);
    })
    .await
    .unwrap()
    .state_machine_version_arn
    .unwrap();
    for (name, version) in [
        ("AliasName-1", &v1),
        ("AliasName-2", &v2),
        ("AliasName-3", &v1),
    ] {
        create_alias(&c, name, None, &[(version, 100)])
            .await
            .unwrap();
    }
    let first = list_aliases(&c, &arn, Some(1), None).await.unwrap();
    assert_eq!(
        first.state_machine_aliases[0].state_machine_alias_arn,
        format!("{arn}:AliasName-1")
    );
    let rest = list_aliases(&c, &arn, None, first.next_token)
        .await
        .unwrap();
    let names: Vec<String> = rest
        .state_machine_aliases
        .into_iter()
        .map(|a| a.state_machine_alias_arn)
        .collect();
    assert_eq!(
        names,
        [format!("{arn}:AliasName-2"), format!("{arn}:AliasName-3")]
    );
    assert_eq!(rest.next_token, None);
    let by_version: Vec<String> = list_aliases(&c, &v1, Some(0), None)
        .await
        .unwrap()
        .state_machine_aliases
        .into_iter()
        .map(|a| a.state_machine_alias_arn)
        .collect();
    assert_eq!(
        by_version,
        [format!("{arn}:AliasName-1"), format!("{arn}:AliasName-3")]
    );
    assert_error(
        list_aliases(&c, &arn, None, Some("InvalidToken".to_owned())).await,
        ErrorCode::InvalidToken,
        "Invalid Token: 'Invalid token'",
    );
    let missing = machine_arn("Missing");
    assert_error(
        list_aliases(&c, &missing, None, None).await,
        ErrorCode::StateMachineDoesNotExist,
        &format!("State Machine Does Not Exist: '{missing}'"),
    );
    assert_code(
        list_aliases(&c, &format!("{arn}:9"), None, None).await,
        ErrorCode::ResourceNotFound,
    );
}

#[tokio::test]
async fn alias_quota_is_100_per_machine() {
    let c = catalog();
    let v1 = create_published(&c, "Q")
        .await
        .state_machine_version_arn
        .unwrap();
    for i in 0..100 {
        create_alias(&c, &format!("a{i}"), None, &[(&v1, 100)])
            .await
            .unwrap();
    }
    assert_code(
        create_alias(&c, "one-more", None, &[(&v1, 100)]).await,
        ErrorCode::ServiceQuotaExceededException,
    );
    // The idempotent answer is not a new alias.
    create_alias(&c, "a7", None, &[(&v1, 100)]).await.unwrap();
}

// ----- resolve -----

#[test]
fn pick_follows_the_weights() {
    let routing = vec![("v1".to_owned(), 80), ("v2".to_owned(), 20)];
    assert_eq!(pick(&routing, 0), Some("v1"));
    assert_eq!(pick(&routing, 79), Some("v1"));
    assert_eq!(pick(&routing, 80), Some("v2"));
    assert_eq!(pick(&routing, 99), Some("v2"));
    let zero_first = vec![("v1".to_owned(), 0), ("v2".to_owned(), 100)];
    assert!((0..100).all(|roll| pick(&zero_first, roll) == Some("v2")));
    assert_eq!(pick(&[], 5), None);
}

#[tokio::test]
async fn resolve_machines_versions_and_aliases() {
    let c = catalog();
    let mut input = create_input("Run", PASS);
    input.publish = Some(true);
    input.logging_configuration = Some(LoggingConfiguration {
        level: Some(LogLevel::All),
        destinations: Some(vec![destination(LOG_GROUP)]),
        include_execution_data: Some(true),
    });
    let out = c.create_state_machine(cx(), input).await.unwrap();
    let arn = out.state_machine_arn;
    let v1 = out.state_machine_version_arn.unwrap();
    let v2 = update(&c, &arn, |u| {
        u.definition = Some(PASS_R2.to_owned());
        u.role_arn = Some(OTHER_ROLE.to_owned());
        u.publish = Some(true);
    })
    .await
    .unwrap()
    .state_machine_version_arn
    .unwrap();
    update(&c, &arn, |u| u.definition = Some(PASS.to_owned()))
        .await
        .unwrap();

    let machine = c.resolve(&arn).await.unwrap();
    assert_eq!(machine.machine_arn, arn);
    assert_eq!(machine.machine_name, "Run");
    assert_eq!(machine.machine_type, MachineType::Standard);
    assert_eq!(machine.definition, PASS);
    assert_eq!(machine.role_arn, OTHER_ROLE);
    assert_eq!((machine.version_arn, machine.alias_arn), (None, None));
    let logging: Value = serde_json::from_str(machine.logging.as_deref().unwrap()).unwrap();
    assert_eq!(logging["level"], "ALL");

    let version = c.resolve(&v1).await.unwrap();
    assert_eq!(version.machine_arn, arn);
    assert_eq!(version.machine_name, "Run");
    assert_eq!(version.definition, PASS);
    assert_eq!(version.role_arn, ROLE);
    assert_eq!(version.version_arn.as_deref(), Some(v1.as_str()));
    assert_eq!(version.alias_arn, None);

    let alias = create_alias(&c, "split", None, &[(&v1, 80), (&v2, 20)])
        .await
        .unwrap()
        .state_machine_alias_arn;
    let low = c.resolve_with(&alias, Some(10)).await.unwrap();
    assert_eq!(low.version_arn.as_deref(), Some(v1.as_str()));
    assert_eq!(low.alias_arn.as_deref(), Some(alias.as_str()));
    assert_eq!(low.machine_arn, arn);
    let high = c.resolve_with(&alias, Some(95)).await.unwrap();
    assert_eq!(high.version_arn.as_deref(), Some(v2.as_str()));
    assert_eq!(high.definition, PASS_R2);
    assert_eq!(high.role_arn, OTHER_ROLE);
    let exact = c.resolve_exact(&alias).await.unwrap();
    assert_eq!(exact.version_arn.as_deref(), Some(v1.as_str()));
    let drawn = c.resolve(&alias).await.unwrap().version_arn.unwrap();
    assert!(drawn == v1 || drawn == v2);
}

#[tokio::test]
async fn resolve_errors_as_start_execution_answers() {
    let c = catalog();
    let arn = create(&c, "E").await.state_machine_arn;
    for missing in [
        machine_arn("statemachine_invalid_x"),
        format!("{arn}:2"),
        format!("{arn}:PROD"),
    ] {
        assert_error(
            c.resolve(&missing).await,
            ErrorCode::StateMachineDoesNotExist,
            &format!("State Machine Does Not Exist: '{missing}'"),
        );
    }
    assert_error(
        c.resolve("not_a_valid_arn").await,
        ErrorCode::InvalidArn,
        "Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'",
    );
    assert_code(
        c.resolve(&format!("{PREFIX}:activity:E")).await,
        ErrorCode::InvalidArn,
    );
    assert_code(
        c.resolve(&format!("{arn}/Map")).await,
        ErrorCode::ValidationException,
    );
}

// ----- activities -----

#[tokio::test]
async fn activity_lifecycle() {
    let c = catalog();
    let created = create_activity(&c, "activity-name_123").await.unwrap();
    let arn = format!("{PREFIX}:activity:activity-name_123");
    assert_eq!(created.activity_arn, arn);
    // Idempotent by name (recorded).
    assert_eq!(
        create_activity(&c, "activity-name_123").await.unwrap(),
        created
    );
    let d = describe_activity(&c, &arn).await.unwrap();
    assert_eq!(
        serde_json::to_value(&d).unwrap(),
        json!({
            "activityArn": arn,
            "name": "activity-name_123",
            "creationDate": created.creation_date,
            "encryptionConfiguration": {"type": "AWS_OWNED_KEY"},
        })
    );
    let delete = || {
        c.delete_activity(
            cx(),
            DeleteActivityInput {
                activity_arn: arn.clone(),
            },
        )
    };
    delete().await.unwrap();
    delete().await.unwrap();
    assert_error(
        describe_activity(&c, &arn).await,
        ErrorCode::ActivityDoesNotExist,
        &format!("Activity Does Not Exist: '{arn}'"),
    );
}

#[tokio::test]
async fn activity_errors() {
    let c = catalog();
    for name in [
        "activity name",
        "activity:name",
        "activity\u{7f}",
        "\u{0}activity",
    ] {
        assert_error(
            create_activity(&c, name).await,
            ErrorCode::InvalidName,
            &format!("Invalid Name: '{name}'"),
        );
    }
    assert_error(
        describe_activity(&c, "no_an_activity_arn").await,
        ErrorCode::InvalidArn,
        "Invalid Arn: 'Invalid ARN prefix: no_an_activity_arn'",
    );
    assert_code(
        describe_activity(&c, &machine_arn("x")).await,
        ErrorCode::InvalidArn,
    );
    // Another encryption configuration for an existing name.
    create_activity(&c, "enc").await.unwrap();
    assert_code(
        c.create_activity(
            cx(),
            CreateActivityInput {
                name: "enc".to_owned(),
                tags: None,
                encryption_configuration: Some(EncryptionConfiguration {
                    kms_key_id: Some("k".to_owned()),
                    kms_data_key_reuse_period_seconds: None,
                    r#type: EncryptionType::CustomerManagedKmsKey,
                }),
            },
        )
        .await,
        ErrorCode::ActivityAlreadyExists,
    );
    assert_code(
        c.create_activity(
            cx(),
            CreateActivityInput {
                name: "tags".to_owned(),
                tags: Some((0..51).map(|i| tag(&format!("k{i}"), "v")).collect()),
                encryption_configuration: None,
            },
        )
        .await,
        ErrorCode::TooManyTags,
    );
}

#[tokio::test]
async fn list_activities_in_creation_order_and_pages() {
    let c = catalog();
    for name in ["zeta", "alpha", "mid"] {
        create_activity(&c, name).await.unwrap();
    }
    let first = c
        .list_activities(
            cx(),
            ListActivitiesInput {
                max_results: Some(2),
                next_token: None,
            },
        )
        .await
        .unwrap();
    let rest = c
        .list_activities(
            cx(),
            ListActivitiesInput {
                max_results: Some(2),
                next_token: first.next_token.clone(),
            },
        )
        .await
        .unwrap();
    let names: Vec<String> = first
        .activities
        .into_iter()
        .chain(rest.activities)
        .map(|a| a.name)
        .collect();
    assert_eq!(names, ["zeta", "alpha", "mid"]);
    assert_eq!(rest.next_token, None);
    assert_code(
        c.list_activities(
            cx(),
            ListActivitiesInput {
                max_results: None,
                next_token: Some("InvalidToken".to_owned()),
            },
        )
        .await,
        ErrorCode::InvalidToken,
    );
}

// ----- tags -----

#[tokio::test]
async fn tag_and_untag_machines_and_activities() {
    let c = catalog();
    let machine = create(&c, "T").await.state_machine_arn;
    let activity = create_activity(&c, "t").await.unwrap().activity_arn;
    for arn in [&machine, &activity] {
        tag_resource(&c, arn, vec![]).await.unwrap();
        assert!(list_tags(&c, arn).await.unwrap().is_empty());
        // A key given twice is one tag (recorded); an empty value is kept (recorded).
        tag_resource(
            &c,
            arn,
            vec![
                tag("key1", "value1"),
                tag("key1", "value1"),
                tag("key2", ""),
            ],
        )
        .await
        .unwrap();
        assert_eq!(
            list_tags(&c, arn).await.unwrap(),
            [
                ("key1".into(), "value1".into()),
                ("key2".into(), String::new())
            ]
        );
        tag_resource(&c, arn, vec![tag("key2", "value2")])
            .await
            .unwrap();
        let untag = |keys: &[&str]| {
            c.untag_resource(
                cx(),
                UntagResourceInput {
                    resource_arn: arn.to_string(),
                    tag_keys: keys.iter().map(|k| k.to_string()).collect(),
                },
            )
        };
        untag(&[]).await.unwrap();
        assert_eq!(list_tags(&c, arn).await.unwrap().len(), 2);
        untag(&["key2", "key2", "absent"]).await.unwrap();
        assert_eq!(
            list_tags(&c, arn).await.unwrap(),
            [("key1".into(), "value1".into())]
        );
    }
    // Deleting an activity deletes its tags.
    c.delete_activity(
        cx(),
        DeleteActivityInput {
            activity_arn: activity.clone(),
        },
    )
    .await
    .unwrap();
    assert!(c.store.tags(&activity).await.unwrap().is_empty());
}

#[tokio::test]
async fn tag_errors() {
    let c = catalog();
    let out = create_published(&c, "T").await;
    let arn = out.state_machine_arn;
    let v1 = out.state_machine_version_arn.unwrap();
    assert_error(
        tag_resource(&c, &v1, vec![tag("key1", "value1")]).await,
        ErrorCode::ResourceNotFound,
        &format!("Resource not found: '{v1}'"),
    );
    let missing = machine_arn("Missing");
    assert_error(
        list_tags(&c, &missing).await,
        ErrorCode::ResourceNotFound,
        &format!("Resource not found: '{missing}'"),
    );
    assert_code(
        list_tags(&c, &format!("{PREFIX}:activity:none")).await,
        ErrorCode::ResourceNotFound,
    );
    assert_code(list_tags(&c, "garbage").await, ErrorCode::InvalidArn);
    // 50 tags at most, counted with those the resource has.
    tag_resource(
        &c,
        &arn,
        (0..49).map(|i| tag(&format!("k{i}"), "v")).collect(),
    )
    .await
    .unwrap();
    tag_resource(&c, &arn, vec![tag("k0", "again"), tag("k49", "v")])
        .await
        .unwrap();
    assert_code(
        tag_resource(&c, &arn, vec![tag("k50", "v")]).await,
        ErrorCode::TooManyTags,
    );
    assert_eq!(list_tags(&c, &arn).await.unwrap().len(), 50);
    // Baton's own keys are neither shown nor given.
    assert_code(
        tag_resource(&c, &arn, vec![tag("baton:internal:x", "v")]).await,
        ErrorCode::ValidationException,
    );
    assert_code(
        tag_resource(
            &c,
            &arn,
            vec![Tag {
                key: None,
                value: Some("v".to_owned()),
            }],
        )
        .await,
        ErrorCode::ValidationException,
    );
}
