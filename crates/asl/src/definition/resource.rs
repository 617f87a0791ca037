//! A Task's `Resource`: which kind of work it names, parsed from the ARN.

/// How a service integration waits for its work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntegrationPattern {
    /// Call the service and continue with its response.
    RequestResponse,
    /// `.sync` (or `.sync:2`): wait for the job to finish.
    Sync,
    /// `.waitForTaskToken`: wait until someone sends the task token back.
    WaitForTaskToken,
}

impl IntegrationPattern {
    /// The ARN suffix, e.g. `.sync`.
    pub fn suffix(self) -> &'static str {
        match self {
            IntegrationPattern::RequestResponse => "",
            IntegrationPattern::Sync => ".sync",
            IntegrationPattern::WaitForTaskToken => ".waitForTaskToken",
        }
    }
}

/// What a resource is called for: a Task state's work, or a distributed Map's reading of
/// its items or writing of its results (the same S3 ARNs, other work).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResourceUse {
    /// A Task state's `Resource`.
    #[default]
    Task,
    /// A distributed Map's `ItemReader`: the result is the array of items.
    ItemReader,
    /// A distributed Map's `ResultWriter`: the result is its `ResultWriterDetails`.
    ResultWriter,
}

impl ResourceUse {
    /// `Task`, `ItemReader` or `ResultWriter`.
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceUse::Task => "Task",
            ResourceUse::ItemReader => "ItemReader",
            ResourceUse::ResultWriter => "ResultWriter",
        }
    }

    /// The use `text` names ([`ResourceUse::as_str`]).
    pub fn parse(text: &str) -> Option<ResourceUse> {
        match text {
            "Task" => Some(ResourceUse::Task),
            "ItemReader" => Some(ResourceUse::ItemReader),
            "ResultWriter" => Some(ResourceUse::ResultWriter),
            _ => None,
        }
    }
}

/// What a `Resource` ARN names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    /// `arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`: invoke a function directly.
    LambdaFunction {
        /// The whole ARN.
        arn: String,
        /// The function's name.
        name: String,
    },
    /// `arn:aws:states:REGION:ACCOUNT:activity:NAME`: hand the work to an activity worker.
    Activity {
        /// The whole ARN.
        arn: String,
        /// The activity's name.
        name: String,
    },
    /// `arn:aws:states:::SERVICE:ACTION[.sync|.waitForTaskToken]`, including
    /// `aws-sdk:SERVICE:ACTION` (then `service` is `aws-sdk:SERVICE`), and Baton's own
    /// `arn:baton:SERVICE:::ACTION[.sync]` (then `service` is `baton:SERVICE`).
    Service {
        /// The whole ARN.
        arn: String,
        /// `lambda`, `sqs`, `states`, `aws-sdk:s3`, ...
        service: String,
        /// `invoke`, `sendMessage`, `startExecution`, ...
        action: String,
        /// How it waits.
        pattern: IntegrationPattern,
        /// `2` for `.sync:2`.
        version: Option<u32>,
    },
    /// Anything else (reported at validation).
    Unknown(String),
}

impl Resource {
    /// Parses a resource ARN; `None` when it is not one Step Functions knows.
    pub fn parse(arn: &str) -> Option<Resource> {
        let mut parts = arn.splitn(6, ':');
        let (Some("arn"), Some(partition), Some(vendor), Some(region), Some(account), Some(rest)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return None;
        };
        if partition == "baton" {
            return native(arn, vendor, region, account, rest);
        }
        if !partition.starts_with("aws") {
            return None;
        }
        match vendor {
            "lambda" => {
                let name = rest.strip_prefix("function:")?;
                let name = name.split(':').next().unwrap_or_default();
                (!name.is_empty() && !region.is_empty()).then(|| Resource::LambdaFunction {
                    arn: arn.to_owned(),
                    name: name.to_owned(),
                })
            }
            "states" if region.is_empty() && account.is_empty() => {
                let (service, action_full) = if let Some(sdk) = rest.strip_prefix("aws-sdk:") {
                    let (svc, action) = sdk.split_once(':')?;
                    (format!("aws-sdk:{svc}"), action)
                } else {
                    let (svc, action) = rest.split_once(':')?;
                    (svc.to_owned(), action)
                };
                let (action, pattern, version) = split_pattern(action_full)?;
                if service.is_empty() || action.is_empty() {
                    return None;
                }
                Some(Resource::Service {
                    arn: arn.to_owned(),
                    service,
                    action: action.to_owned(),
                    pattern,
                    version,
                })
            }
            "states" => {
                let name = rest.strip_prefix("activity:")?;
                (!name.is_empty()).then(|| Resource::Activity {
                    arn: arn.to_owned(),
                    name: name.to_owned(),
                })
            }
            _ => None,
        }
    }

    /// The ARN as written.
    pub fn arn(&self) -> &str {
        match self {
            Resource::LambdaFunction { arn, .. }
            | Resource::Activity { arn, .. }
            | Resource::Service { arn, .. }
            | Resource::Unknown(arn) => arn,
        }
    }

    /// The integration pattern (request-response for functions; activities wait).
    pub fn pattern(&self) -> IntegrationPattern {
        match self {
            Resource::Service { pattern, .. } => *pattern,
            _ => IntegrationPattern::RequestResponse,
        }
    }
}

/// Baton's own task resources, `arn:baton:SERVICE:::ACTION[.sync]` (a partition no AWS
/// ARN has): `service` is `baton:SERVICE`.
fn native(arn: &str, vendor: &str, region: &str, account: &str, rest: &str) -> Option<Resource> {
    if vendor.is_empty() || !region.is_empty() || !account.is_empty() || rest.contains(':') {
        return None;
    }
    let (action, pattern, version) = split_pattern(rest)?;
    (!action.is_empty()).then(|| Resource::Service {
        arn: arn.to_owned(),
        service: format!("baton:{vendor}"),
        action: action.to_owned(),
        pattern,
        version,
    })
}

/// Baton's own resources that a Task may name (service, action): both wait for the work
/// to end, as request-response or `.sync` (which also gets a task token).
const NATIVE: &[(&str, &str)] = &[("baton:command", "run"), ("baton:container", "run")];

/// How an optimized integration may be called: which actions, with which patterns.
struct Integration {
    service: &'static str,
    /// The actions, or empty when any action is accepted (services whose list of
    /// optimized actions is long and changes).
    actions: &'static [&'static str],
    sync: bool,
    callback: bool,
}

const fn service(
    service: &'static str,
    actions: &'static [&'static str],
    sync: bool,
    callback: bool,
) -> Integration {
    Integration {
        service,
        actions,
        sync,
        callback,
    }
}

/// Step Functions' optimized integrations (`arn:aws:states:::SERVICE:ACTION`), from the
/// service's documentation. Request-response is always allowed.
const INTEGRATIONS: &[Integration] = &[
    service("lambda", &["invoke"], false, true),
    service(
        "dynamodb",
        &["getItem", "putItem", "updateItem", "deleteItem"],
        false,
        false,
    ),
    service("sqs", &["sendMessage"], false, true),
    service("sns", &["publish"], false, true),
    service("states", &["startExecution"], true, true),
    service("events", &["putEvents"], false, true),
    service("apigateway", &["invoke"], false, true),
    service("http", &["invoke"], false, false),
    service("batch", &["submitJob"], true, true),
    service("ecs", &["runTask"], true, true),
    service("glue", &["startJobRun"], true, true),
    service("databrew", &["startJobRun"], true, false),
    service("mediaconvert", &["createJob"], true, false),
    service("athena", &[], true, false),
    service("codebuild", &[], true, false),
    service("eks", &[], true, false),
    service("elasticmapreduce", &[], true, false),
    service("emr-containers", &[], true, false),
    service("emr-serverless", &[], true, false),
    service("sagemaker", &[], true, false),
    service("bedrock", &[], true, true),
];

/// `true` when `resource` names something a Task state can run: a Lambda function, an
/// activity, an optimized integration with a pattern it supports, or an AWS SDK
/// integration (request-response or callback).
pub(crate) fn is_task_resource(resource: &Resource) -> bool {
    let Resource::Service {
        service,
        action,
        pattern,
        ..
    } = resource
    else {
        return !matches!(resource, Resource::Unknown(_));
    };
    if service.starts_with("aws-sdk:") {
        return *pattern != IntegrationPattern::Sync;
    }
    if service.starts_with("baton:") {
        return NATIVE.contains(&(service.as_str(), action.as_str()))
            && *pattern != IntegrationPattern::WaitForTaskToken
            && matches!(resource, Resource::Service { version: None, .. });
    }
    let Some(integration) = INTEGRATIONS.iter().find(|i| i.service == service) else {
        return false;
    };
    let action_ok = integration.actions.is_empty() || integration.actions.contains(&&**action);
    let pattern_ok = match pattern {
        IntegrationPattern::RequestResponse => true,
        IntegrationPattern::Sync => integration.sync,
        IntegrationPattern::WaitForTaskToken => integration.callback,
    };
    action_ok && pattern_ok
}

/// `true` when `resource` can be a Distributed Map's `ItemReader` resource.
pub(crate) fn is_item_reader_resource(arn: &str) -> bool {
    matches!(
        Resource::parse(arn),
        Some(Resource::Service { service, action, pattern: IntegrationPattern::RequestResponse, .. })
            if service == "s3" && (action == "getObject" || action == "listObjectsV2")
    )
}

/// `true` when `resource` can be a Distributed Map's `ResultWriter` resource.
pub(crate) fn is_result_writer_resource(arn: &str) -> bool {
    matches!(
        Resource::parse(arn),
        Some(Resource::Service { service, action, pattern: IntegrationPattern::RequestResponse, .. })
            if service == "s3" && action == "putObject"
    )
}

fn split_pattern(action: &str) -> Option<(&str, IntegrationPattern, Option<u32>)> {
    if let Some((a, suffix)) = action.split_once('.') {
        match suffix {
            "sync" => Some((a, IntegrationPattern::Sync, None)),
            "waitForTaskToken" => Some((a, IntegrationPattern::WaitForTaskToken, None)),
            s => {
                let v = s.strip_prefix("sync:")?.parse().ok()?;
                Some((a, IntegrationPattern::Sync, Some(v)))
            }
        }
    } else {
        Some((action, IntegrationPattern::RequestResponse, None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_resource_kinds() {
        assert!(matches!(
            Resource::parse("arn:aws:lambda:us-east-1:111111111111:function:fn:$LATEST"),
            Some(Resource::LambdaFunction { name, .. }) if name == "fn"
        ));
        assert!(matches!(
            Resource::parse("arn:aws:states:::lambda:invoke"),
            Some(Resource::Service { service, action, pattern: IntegrationPattern::RequestResponse, .. })
                if service == "lambda" && action == "invoke"
        ));
        assert!(matches!(
            Resource::parse("arn:aws:states:::states:startExecution.sync:2"),
            Some(Resource::Service {
                pattern: IntegrationPattern::Sync,
                version: Some(2),
                ..
            })
        ));
        assert!(matches!(
            Resource::parse("arn:aws:states:::aws-sdk:s3:getObject"),
            Some(Resource::Service { service, action, .. }) if service == "aws-sdk:s3" && action == "getObject"
        ));
        assert!(matches!(
            Resource::parse("arn:aws:states:us-east-1:111111111111:activity:act"),
            Some(Resource::Activity { name, .. }) if name == "act"
        ));
        assert_eq!(Resource::parse("not-an-arn"), None);
        let task = |arn| Resource::parse(arn).is_some_and(|r| is_task_resource(&r));
        assert!(task("arn:aws:states:::dynamodb:putItem"));
        assert!(!task("arn:aws:states:::dynamodb:query"));
        assert!(!task("arn:aws:states:::lambda:invoke.sync"));
        assert!(task("arn:aws:states:::lambda:invoke.waitForTaskToken"));
        assert!(task("arn:aws:states:::aws-sdk:dynamodb:query"));
        assert!(!task("arn:aws:states:::aws-sdk:dynamodb:query.sync"));
        assert!(!task("arn:aws:states:::nosuchservice:act"));
        assert!(!task("arn:aws:states:::s3:getObject"));
        assert_eq!(Resource::parse("arn:aws:states:::sqs:send.bogus"), None);
        assert!(matches!(
            Resource::parse("arn:baton:container:::run.sync"),
            Some(Resource::Service { service, action, pattern: IntegrationPattern::Sync, .. })
                if service == "baton:container" && action == "run"
        ));
        assert!(task("arn:baton:command:::run"));
        assert!(task("arn:baton:command:::run.sync"));
        assert!(task("arn:baton:container:::run.sync"));
        assert!(!task("arn:baton:command:::run.waitForTaskToken"));
        assert!(!task("arn:baton:command:::run.sync:2"));
        assert!(!task("arn:baton:command:::exec"));
        assert!(!task("arn:baton:lambda:::run"));
        assert_eq!(Resource::parse("arn:baton:command:us-east-1::run"), None);
        assert_eq!(Resource::parse("arn:baton:command:::a:b"), None);
    }
}
