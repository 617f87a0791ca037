//! The [`Catalog`]: the definitions of the API's resources (state machines, their versions
//! and aliases, activities, tags), kept in the store. Executions ask it what an ARN given
//! to StartExecution runs ([`Catalog::resolve`]).

use std::sync::Arc;

use baton_api::model::*;
use baton_api::{ApiError, Operation, RequestContext};
use baton_store::{MachineType, Store};

use crate::config::ServerConfig;

/// The resources' definitions.
pub struct Catalog {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) config: Arc<ServerConfig>,
}

/// What an ARN given to StartExecution runs.
#[derive(Debug, Clone)]
pub struct StartTarget {
    /// The state machine's ARN (without version or alias).
    pub machine_arn: String,
    /// The state machine's name.
    pub machine_name: String,
    /// STANDARD or EXPRESS.
    pub machine_type: MachineType,
    /// The definition's text.
    pub definition: String,
    /// The role executions run as.
    pub role_arn: String,
    /// The version it runs, when started through a version or an alias.
    pub version_arn: Option<String>,
    /// The alias it was started through.
    pub alias_arn: Option<String>,
    /// The state machine's (or version's) `loggingConfiguration`, as JSON text.
    pub logging: Option<String>,
}

impl Catalog {
    /// A catalog over `store`.
    pub fn new(store: Arc<dyn Store>, config: Arc<ServerConfig>) -> Catalog {
        Catalog { store, config }
    }

    /// What `arn` (a state machine, version or alias ARN) runs; for an alias, one of its
    /// versions picked by the routing weights.
    pub async fn resolve(&self, arn: &str) -> Result<StartTarget, ApiError> {
        let _ = arn;
        Err(ApiError::not_implemented(Operation::StartExecution))
    }

    /// `CreateActivity`.
    pub async fn create_activity(
        &self,
        ctx: RequestContext,
        input: CreateActivityInput,
    ) -> Result<CreateActivityOutput, ApiError> {
        let _ = (ctx, input);
        Err(ApiError::not_implemented(Operation::CreateActivity))
    }

    /// `CreateStateMachine`.
    pub async fn create_state_machine(
        &self,
        ctx: RequestContext,
        input: CreateStateMachineInput,
    ) -> Result<CreateStateMachineOutput, ApiError> {
        let _ = (ctx, input);
        Err(ApiError::not_implemented(Operation::CreateStateMachine))
    }

    /// `CreateStateMachineAlias`.
    pub async fn create_state_machine_alias(
        &self,
        ctx: RequestContext,
        input: CreateStateMachineAliasInput,
    ) -> Result<CreateStateMachineAliasOutput, ApiError> {
        let _ = (ctx, input);
        Err(ApiError::not_implemented(
            Operation::CreateStateMachineAlias,
        ))
    }

    /// `DeleteActivity`.
    pub async fn delete_activity(
        &self,
        ctx: RequestContext,
        input: DeleteActivityInput,
    ) -> Result<DeleteActivityOutput, ApiError> {
        let _ = (ctx, input);
        Err(ApiError::not_implemented(Operation::DeleteActivity))
    }

    /// `DeleteStateMachine`.
    pub async fn delete_state_machine(
        &self,
        ctx: RequestContext,
        input: DeleteStateMachineInput,
    ) -> Result<DeleteStateMachineOutput, ApiError> {
        let _ = (ctx, input);
        Err(ApiError::not_implemented(Operation::DeleteStateMachine))
    }

    /// `DeleteStateMachineAlias`.
    pub async fn delete_state_machine_alias(
        &self,
        ctx: RequestContext,
        input: DeleteStateMachineAliasInput,
    ) -> Result<DeleteStateMachineAliasOutput, ApiError> {
        let _ = (ctx, input);
        Err(ApiError::not_implemented(
            Operation::DeleteStateMachineAlias,
        ))
    }

    /// `DeleteStateMachineVersion`.
    pub async fn delete_state_machine_version(
        &self,
        ctx: RequestContext,
        input: DeleteStateMachineVersionInput,
    ) -> Result<DeleteStateMachineVersionOutput, ApiError> {
        let _ = (ctx, input);
        Err(ApiError::not_implemented(
            Operation::DeleteStateMachineVersion,
        ))
    }

    /// `DescribeActivity`.
    pub async fn describe_activity(
        &self,
        ctx: RequestContext,
        input: DescribeActivityInput,
    ) -> Result<DescribeActivityOutput, ApiError> {
        let _ = (ctx, input);
        Err(ApiError::not_implemented(Operation::DescribeActivity))
    }

    /// `DescribeStateMachine`.
    pub async fn describe_state_machine(
        &self,
        ctx: RequestContext,
        input: DescribeStateMachineInput,
    ) -> Result<DescribeStateMachineOutput, ApiError> {
        let _ = (ctx, input);
        Err(ApiError::not_implemented(Operation::DescribeStateMachine))
    }

    /// `DescribeStateMachineAlias`.
    pub async fn describe_state_machine_alias(
        &self,
        ctx: RequestContext,
        input: DescribeStateMachineAliasInput,
    ) -> Result<DescribeStateMachineAliasOutput, ApiError> {
        let _ = (ctx, input);
        Err(ApiError::not_implemented(
            Operation::DescribeStateMachineAlias,
        ))
    }

    /// `ListActivities`.
    pub async fn list_activities(
        &self,
        ctx: RequestContext,
        input: ListActivitiesInput,
    ) -> Result<ListActivitiesOutput, ApiError> {
        let _ = (ctx, input);
        Err(ApiError::not_implemented(Operation::ListActivities))
    }

    /// `ListStateMachineAliases`.
    pub async fn list_state_machine_aliases(
        &self,
        ctx: RequestContext,
        input: ListStateMachineAliasesInput,
    ) -> Result<ListStateMachineAliasesOutput, ApiError> {
        let _ = (ctx, input);
        Err(ApiError::not_implemented(
            Operation::ListStateMachineAliases,
        ))
    }

    /// `ListStateMachineVersions`.
    pub async fn list_state_machine_versions(
        &self,
        ctx: RequestContext,
        input: ListStateMachineVersionsInput,
    ) -> Result<ListStateMachineVersionsOutput, ApiError> {
        let _ = (ctx, input);
        Err(ApiError::not_implemented(
            Operation::ListStateMachineVersions,
        ))
    }

    /// `ListStateMachines`.
    pub async fn list_state_machines(
        &self,
        ctx: RequestContext,
        input: ListStateMachinesInput,
    ) -> Result<ListStateMachinesOutput, ApiError> {
        let _ = (ctx, input);
        Err(ApiError::not_implemented(Operation::ListStateMachines))
    }

    /// `ListTagsForResource`.
    pub async fn list_tags_for_resource(
        &self,
        ctx: RequestContext,
        input: ListTagsForResourceInput,
    ) -> Result<ListTagsForResourceOutput, ApiError> {
        let _ = (ctx, input);
        Err(ApiError::not_implemented(Operation::ListTagsForResource))
    }

    /// `PublishStateMachineVersion`.
    pub async fn publish_state_machine_version(
        &self,
        ctx: RequestContext,
        input: PublishStateMachineVersionInput,
    ) -> Result<PublishStateMachineVersionOutput, ApiError> {
        let _ = (ctx, input);
        Err(ApiError::not_implemented(
            Operation::PublishStateMachineVersion,
        ))
    }

    /// `TagResource`.
    pub async fn tag_resource(
        &self,
        ctx: RequestContext,
        input: TagResourceInput,
    ) -> Result<TagResourceOutput, ApiError> {
        let _ = (ctx, input);
        Err(ApiError::not_implemented(Operation::TagResource))
    }

    /// `UntagResource`.
    pub async fn untag_resource(
        &self,
        ctx: RequestContext,
        input: UntagResourceInput,
    ) -> Result<UntagResourceOutput, ApiError> {
        let _ = (ctx, input);
        Err(ApiError::not_implemented(Operation::UntagResource))
    }

    /// `UpdateStateMachine`.
    pub async fn update_state_machine(
        &self,
        ctx: RequestContext,
        input: UpdateStateMachineInput,
    ) -> Result<UpdateStateMachineOutput, ApiError> {
        let _ = (ctx, input);
        Err(ApiError::not_implemented(Operation::UpdateStateMachine))
    }

    /// `UpdateStateMachineAlias`.
    pub async fn update_state_machine_alias(
        &self,
        ctx: RequestContext,
        input: UpdateStateMachineAliasInput,
    ) -> Result<UpdateStateMachineAliasOutput, ApiError> {
        let _ = (ctx, input);
        Err(ApiError::not_implemented(
            Operation::UpdateStateMachineAlias,
        ))
    }

    /// `ValidateStateMachineDefinition`.
    pub async fn validate_state_machine_definition(
        &self,
        ctx: RequestContext,
        input: ValidateStateMachineDefinitionInput,
    ) -> Result<ValidateStateMachineDefinitionOutput, ApiError> {
        let _ = (ctx, input);
        Err(ApiError::not_implemented(
            Operation::ValidateStateMachineDefinition,
        ))
    }
}
