//! Task resources: what runs the work of a Task state.
//!
//! Each resource family is one module implementing [`Integration`]; a [`Registry`] holds
//! them and finds the one for a Task's `Resource`. Adding a service is adding a module
//! and registering it in [`Registry::new`].
//!
//! This crate does IO (processes, HTTP) but knows nothing of executions or histories:
//! it takes a [`TaskCall`] and returns a [`TaskOutcome`].

pub mod aws;
mod container;
pub mod dataset;
mod functions;
mod http;
mod lambda;
pub mod mock;
mod processes;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use baton_asl::definition::{Resource, ResourceUse};
use baton_json::{Str, Value};

pub use container::{ProcessSettings, Processes, stops_pending};
pub use functions::{FunctionSpec, Functions, FunctionsError};
pub use http::{
    AuthorizationType, ConnectionSpec, Connections, ConnectionsError, Http, HttpParameters,
    Parameter, Secret,
};
pub use lambda::Lambda;

/// A boxed future, as integrations return them.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// One Task state's work, as the engine asks for it.
#[derive(Clone)]
pub struct TaskCall {
    /// The state's `Resource`.
    pub resource: Resource,
    /// What the resource is called for: a Task state's work, or a distributed Map's
    /// reading of items or writing of results.
    pub purpose: ResourceUse,
    /// The effective parameters.
    pub input: Value,
    /// The task token, for callback patterns.
    pub token: Option<Str>,
    /// The state's name.
    pub state_name: Str,
    /// The region the execution runs in (for ARNs in messages).
    pub region: Str,
    /// The account the execution runs in.
    pub account: Str,
    /// The execution the task belongs to.
    pub execution_arn: Str,
    /// The task's id within its execution: with `execution_arn`, names the task.
    pub work: u64,
    /// `true` when the task is dispatched again after a restart: it may have been
    /// dispatched before (integrations that can should pick up what they started).
    pub resumed: bool,
    /// For a `.sync` task dispatched again after a restart: what its submission reported
    /// before (the history's `TaskSubmitted` output), so that the job it names is picked
    /// up rather than submitted twice.
    pub submission: Option<Value>,
    /// The state's `Credentials`, evaluated (`{"RoleArn": ...}`: a role to assume for the
    /// task's AWS calls).
    pub credentials: Option<Value>,
    /// Reports that a `.sync` job was submitted, with the service's response, before the
    /// call waits for the job to finish (the history's `TaskSubmitted`).
    pub submitted: Option<Submitted>,
}

/// The callback a runtime gives for [`TaskCall::submitted`].
pub type Submitted = Arc<dyn Fn(Value) -> BoxFuture<()> + Send + Sync>;

impl std::fmt::Debug for TaskCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskCall")
            .field("resource", &self.resource)
            .field("purpose", &self.purpose)
            .field("input", &self.input)
            .field("state_name", &self.state_name)
            .field("execution_arn", &self.execution_arn)
            .field("work", &self.work)
            .field("resumed", &self.resumed)
            .finish_non_exhaustive()
    }
}

/// How a task ended: its result, or an error name and cause.
pub type TaskOutcome = Result<Value, TaskFailure>;

/// A task's error name and cause, as they go into the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskFailure {
    /// The error name, e.g. `Lambda.ResourceNotFoundException`.
    pub error: Option<Str>,
    /// The cause.
    pub cause: Option<Str>,
}

impl TaskFailure {
    /// A failure with both fields.
    pub fn new(error: impl Into<Str>, cause: impl Into<Str>) -> TaskFailure {
        TaskFailure {
            error: Some(error.into()),
            cause: Some(cause.into()),
        }
    }
}

/// A family of task resources.
pub trait Integration: Send + Sync {
    /// `true` when this integration runs `resource`.
    fn handles(&self, resource: &Resource) -> bool;
    /// Runs the task to its end. Dropping the future cancels the work (a local function's
    /// process is killed).
    fn run(&self, call: TaskCall) -> BoxFuture<TaskOutcome>;
}

/// The integrations a runtime offers, in the order they are asked.
#[derive(Clone, Default)]
pub struct Registry {
    /// Integrations that take resources only when configured to (a remote Step Functions
    /// endpoint for `states:startExecution`): asked before all others.
    first: Vec<Arc<dyn Integration>>,
    integrations: Vec<Arc<dyn Integration>>,
    /// A distributed Map's reading of items and writing of results.
    datasets: Option<Arc<dataset::Datasets>>,
}

impl Registry {
    /// Every built-in integration, configured with the given local functions, AWS calls
    /// configured by the environment (see [`aws::settings`]).
    pub fn new(functions: Functions) -> Registry {
        Registry::with_aws(functions, &aws::AwsSettings::default())
    }

    /// Every built-in integration, with local functions and AWS settings (over the
    /// environment's). The settings' [`local_buckets`](aws::AwsSettings::local_buckets)
    /// are folders standing in for S3 buckets, for distributed Maps' datasets and
    /// `aws-sdk:s3` tasks alike.
    pub fn with_aws(functions: Functions, settings: &aws::AwsSettings) -> Registry {
        let aws = aws::Aws::new(settings);
        let client = aws.client().clone();
        Registry {
            datasets: Some(Arc::new(dataset::Datasets::new(client.clone()))),
            first: aws::sfn::RemoteExecutions::configured(&client)
                .map(|r| Arc::new(r) as Arc<dyn Integration>)
                .into_iter()
                .collect(),
            integrations: vec![
                Arc::new(aws::lambda::LambdaTasks::new(functions, client)),
                Arc::new(aws),
                // Without connections; callers add one configured with theirs.
                Arc::new(Http::default()),
                // Not allowed until a caller adds one that allows them.
                Arc::new(Processes::disabled()),
            ],
        }
    }

    /// Adds an integration, asked before the built-in ones (but after a remote Step
    /// Functions endpoint configured for `states:startExecution`).
    pub fn with(mut self, integration: Arc<dyn Integration>) -> Registry {
        self.integrations.insert(0, integration);
        self
    }

    /// Runs a task with the integration that handles its resource; a distributed Map's
    /// `ItemReader` and `ResultWriter` calls (a [`TaskCall::purpose`] other than a Task's)
    /// go to [`dataset::Datasets`], before any other integration.
    pub fn run(&self, call: TaskCall) -> BoxFuture<TaskOutcome> {
        if call.purpose != ResourceUse::Task {
            return match &self.datasets {
                Some(d) => d.run(call),
                None => Box::pin(async move {
                    Err(TaskFailure::new(
                        match call.purpose {
                            ResourceUse::ResultWriter => "States.ResultWriterFailed",
                            _ => "States.ItemReaderFailed",
                        },
                        "This registry has no datasets (it was built without AWS settings)",
                    ))
                }),
            };
        }
        let mut all = self.first.iter().chain(&self.integrations);
        match all.find(|i| i.handles(&call.resource)) {
            Some(i) => i.run(call),
            None => {
                let arn = call.resource.arn().to_owned();
                Box::pin(async move {
                    Err(TaskFailure::new(
                        "States.Runtime",
                        format!("The resource '{arn}' is not supported by this version of Baton"),
                    ))
                })
            }
        }
    }
}
