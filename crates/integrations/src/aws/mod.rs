//! AWS service integrations over HTTP, signed with SigV4, against AWS or any
//! AWS-compatible endpoint (see [`settings`] for where calls go).
//!
//! - The optimized integrations: `sqs:sendMessage`, `sns:publish`, `dynamodb:getItem`,
//!   `putItem`, `updateItem` and `deleteItem`, `events:putEvents`, `ecs:runTask` (and
//!   `.sync`), `batch:submitJob` (and `.sync`), remote Lambda functions (see [`lambda`])
//!   and `states:startExecution` on another endpoint (see [`sfn`]). Their parameters,
//!   results and errors are AWS's for Step Functions (the AWS SDK for Java 1's names:
//!   `DynamoDB.ConditionalCheckFailedException`, `SQS.AmazonSQSException`, ...).
//! - `arn:aws:states:::aws-sdk:SERVICE:ACTION` for the services whose models Baton ships
//!   (`models/`, made by `tools/aws_models.py` from botocore): batch, dynamodb, ecs,
//!   eventbridge, lambda, s3, secretsmanager, sfn, sns, sqs, ssm; and any other of a
//!   botocore data directory given as `models-dir` ([`botocore`]); JSON, rest-JSON, query
//!   and rest-XML protocols. Errors are named as the AWS SDK for Java 2 names them
//!   (`DynamoDb.ResourceNotFoundException`, `Sfn.InvalidTokenException`).
//!
//! `.waitForTaskToken` needs nothing here: the runtime calls the request-response form and
//! waits for the token.

pub mod botocore;
pub mod client;
pub mod credential_process;
mod jobs;
pub mod lambda;
pub mod model;
pub mod protocol;
mod providers;
pub mod roles;
pub mod settings;
pub mod sfn;

use std::sync::Arc;

use baton_asl::definition::{IntegrationPattern, Resource};
use baton_json::{Map, Value};

use crate::{BoxFuture, Integration, TaskCall, TaskFailure, TaskOutcome};
use client::{Client, task_failure, unreadable};
use model::Service;
use protocol::{HttpResponse, Style, build_request, http_metadata, parse_response};
pub use settings::{AwsSettings, Resolved};

/// Runs the optimized AWS integrations and `aws-sdk:*` tasks.
#[derive(Clone)]
pub struct Aws {
    client: Client,
}

/// The optimized integrations this module runs: the service in the resource, the
/// model's name for it, and the action with its operation.
const OPTIMIZED: &[(&str, &str, &str, &str)] = &[
    ("sqs", "sqs", "sendMessage", "SendMessage"),
    ("sns", "sns", "publish", "Publish"),
    ("dynamodb", "dynamodb", "getItem", "GetItem"),
    ("dynamodb", "dynamodb", "putItem", "PutItem"),
    ("dynamodb", "dynamodb", "updateItem", "UpdateItem"),
    ("dynamodb", "dynamodb", "deleteItem", "DeleteItem"),
    ("events", "eventbridge", "putEvents", "PutEvents"),
    ("ecs", "ecs", "runTask", "RunTask"),
    ("batch", "batch", "submitJob", "SubmitJob"),
];

impl Aws {
    /// The integrations with the given settings (resolved over the environment).
    pub fn new(settings: &AwsSettings) -> Aws {
        Aws::with_client(Client::new(Resolved::new(settings)))
    }

    /// The integrations over a client.
    pub fn with_client(client: Client) -> Aws {
        Aws { client }
    }

    /// The client.
    pub fn client(&self) -> &Client {
        &self.client
    }
}

impl Integration for Aws {
    fn handles(&self, resource: &Resource) -> bool {
        let Resource::Service {
            service,
            action,
            pattern,
            ..
        } = resource
        else {
            return false;
        };
        if let Some(sdk) = service.strip_prefix("aws-sdk:") {
            return *pattern != IntegrationPattern::Sync
                && self
                    .client
                    .service(sdk)
                    .is_some_and(|s| s.model().operation_for_action(action).is_some());
        }
        OPTIMIZED.iter().any(|(s, _, a, _)| {
            s == service
                && a == action
                && (*pattern != IntegrationPattern::Sync || matches!(*s, "ecs" | "batch"))
        })
    }

    fn run(&self, call: TaskCall) -> BoxFuture<TaskOutcome> {
        let client = self.client.for_task(call.credentials.as_ref());
        Box::pin(async move { run(&client, call).await })
    }
}

async fn run(client: &Client, call: TaskCall) -> TaskOutcome {
    let Resource::Service {
        service,
        action,
        pattern,
        ..
    } = &call.resource
    else {
        return Err(TaskFailure::new(
            "States.Runtime",
            "not an AWS service task",
        ));
    };
    if let Some(sdk) = service.strip_prefix("aws-sdk:") {
        let Some(svc) = client.service(sdk) else {
            return Err(unsupported(&call));
        };
        let Some((op, _)) = svc.model().operation_for_action(action) else {
            return Err(unsupported(&call));
        };
        if sdk == "s3"
            && let Some(root) = crate::dataset::local_bucket_of(client, &call.input)
        {
            return crate::dataset::run_local_s3(
                client.clone(),
                root,
                action.clone(),
                call.input.clone(),
            )
            .await;
        }
        let (_, out) = call_op(client, svc, op, &call.input, &call.region, Style::Sdk).await?;
        return Ok(out);
    }
    let Some((_, sdk, _, op)) = OPTIMIZED
        .iter()
        .find(|(s, _, a, _)| s == service && a == action)
    else {
        return Err(unsupported(&call));
    };
    let svc = model::service(sdk).expect("a shipped model");
    match (*sdk, *pattern) {
        ("ecs", IntegrationPattern::Sync) => jobs::ecs_sync(client, svc, &call).await,
        ("batch", IntegrationPattern::Sync) => jobs::batch_sync(client, svc, &call).await,
        ("eventbridge", _) => {
            let (_, out) =
                call_op(client, svc, op, &call.input, &call.region, Style::Optimized).await?;
            let failed = out
                .get("FailedEntryCount")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            if failed > 0 {
                return Err(TaskFailure::new(
                    "EventBridge.FailedEntry",
                    out.to_json_string(),
                ));
            }
            Ok(out)
        }
        _ => {
            let (response, out) =
                call_op(client, svc, op, &call.input, &call.region, Style::Optimized).await?;
            Ok(with_metadata(out, &response))
        }
    }
}

fn unsupported(call: &TaskCall) -> TaskFailure {
    TaskFailure::new(
        "States.Runtime",
        format!(
            "The resource '{}' is not supported by this version of Baton",
            call.resource.arn()
        ),
    )
}

/// Calls one operation: builds the request from the parameters, sends it, reads the
/// answer; errors as `style` names them.
pub(crate) async fn call_op(
    client: &Client,
    service: &Service,
    op_name: &str,
    input: &Value,
    execution_region: &str,
    style: Style,
) -> Result<(HttpResponse, Value), TaskFailure> {
    let model = service.model();
    let op = model
        .operation(op_name)
        .ok_or_else(|| TaskFailure::new("States.Runtime", format!("no operation {op_name}")))?;
    let request = build_request(model, op_name, op, input)
        .map_err(|e| TaskFailure::new("States.Runtime", e.0))?;
    let region = client.region(execution_region);
    let (response, _) = client
        .send(service, region, &request)
        .await
        .map_err(|e| task_failure(service, style, e))?;
    let out = parse_response(model, op, &response, style)
        .map_err(|e| unreadable(service, style, &response, &e.0))?;
    Ok((response, out))
}

/// The optimized integrations' result: the answer with `SdkHttpMetadata` and
/// `SdkResponseMetadata`.
pub(crate) fn with_metadata(out: Value, response: &HttpResponse) -> Value {
    let mut m = match out {
        Value::Object(o) => (*o).clone().into_map(),
        _ => Map::default(),
    };
    let (http, meta) = http_metadata(response);
    m.insert("SdkHttpMetadata".into(), http);
    m.insert("SdkResponseMetadata".into(), meta);
    Value::object(m)
}

/// A shared handle on the integrations, for registries.
pub fn integration(settings: &AwsSettings) -> Arc<Aws> {
    Arc::new(Aws::new(settings))
}
