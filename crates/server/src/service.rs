//! [`Service`]: the API's actions, each handed to the part of the server that owns it.
//! Definitions of resources (state machines, versions, aliases, activities, tags) are the
//! [`Catalog`]'s; executions, tasks and Map Runs are [`Executions`]'.

use std::sync::Arc;

use baton_api::model::*;
use baton_api::{ApiError, Backend, RequestContext};

use crate::catalog::Catalog;
use crate::executions::Executions;

/// The Step Functions service: implements every action of the API.
pub struct Service {
    pub(crate) catalog: Arc<Catalog>,
    pub(crate) executions: Executions,
}

impl Backend for Service {
    async fn create_activity(
        &self,
        ctx: RequestContext,
        input: CreateActivityInput,
    ) -> Result<CreateActivityOutput, ApiError> {
        self.catalog.create_activity(ctx, input).await
    }

    async fn create_state_machine(
        &self,
        ctx: RequestContext,
        input: CreateStateMachineInput,
    ) -> Result<CreateStateMachineOutput, ApiError> {
        self.catalog.create_state_machine(ctx, input).await
    }

    async fn create_state_machine_alias(
        &self,
        ctx: RequestContext,
        input: CreateStateMachineAliasInput,
    ) -> Result<CreateStateMachineAliasOutput, ApiError> {
        self.catalog.create_state_machine_alias(ctx, input).await
    }

    async fn delete_activity(
        &self,
        ctx: RequestContext,
        input: DeleteActivityInput,
    ) -> Result<DeleteActivityOutput, ApiError> {
        self.catalog.delete_activity(ctx, input).await
    }

    async fn delete_state_machine(
        &self,
        ctx: RequestContext,
        input: DeleteStateMachineInput,
    ) -> Result<DeleteStateMachineOutput, ApiError> {
        self.catalog.delete_state_machine(ctx, input).await
    }

    async fn delete_state_machine_alias(
        &self,
        ctx: RequestContext,
        input: DeleteStateMachineAliasInput,
    ) -> Result<DeleteStateMachineAliasOutput, ApiError> {
        self.catalog.delete_state_machine_alias(ctx, input).await
    }

    async fn delete_state_machine_version(
        &self,
        ctx: RequestContext,
        input: DeleteStateMachineVersionInput,
    ) -> Result<DeleteStateMachineVersionOutput, ApiError> {
        self.catalog.delete_state_machine_version(ctx, input).await
    }

    async fn describe_activity(
        &self,
        ctx: RequestContext,
        input: DescribeActivityInput,
    ) -> Result<DescribeActivityOutput, ApiError> {
        self.catalog.describe_activity(ctx, input).await
    }

    async fn describe_execution(
        &self,
        ctx: RequestContext,
        input: DescribeExecutionInput,
    ) -> Result<DescribeExecutionOutput, ApiError> {
        self.executions.describe_execution(ctx, input).await
    }

    async fn describe_map_run(
        &self,
        ctx: RequestContext,
        input: DescribeMapRunInput,
    ) -> Result<DescribeMapRunOutput, ApiError> {
        self.executions.describe_map_run(ctx, input).await
    }

    async fn describe_state_machine(
        &self,
        ctx: RequestContext,
        input: DescribeStateMachineInput,
    ) -> Result<DescribeStateMachineOutput, ApiError> {
        self.catalog.describe_state_machine(ctx, input).await
    }

    async fn describe_state_machine_alias(
        &self,
        ctx: RequestContext,
        input: DescribeStateMachineAliasInput,
    ) -> Result<DescribeStateMachineAliasOutput, ApiError> {
        self.catalog.describe_state_machine_alias(ctx, input).await
    }

    async fn describe_state_machine_for_execution(
        &self,
        ctx: RequestContext,
        input: DescribeStateMachineForExecutionInput,
    ) -> Result<DescribeStateMachineForExecutionOutput, ApiError> {
        self.executions
            .describe_state_machine_for_execution(ctx, input)
            .await
    }

    async fn get_activity_task(
        &self,
        ctx: RequestContext,
        input: GetActivityTaskInput,
    ) -> Result<GetActivityTaskOutput, ApiError> {
        self.executions.get_activity_task(ctx, input).await
    }

    async fn get_execution_history(
        &self,
        ctx: RequestContext,
        input: GetExecutionHistoryInput,
    ) -> Result<GetExecutionHistoryOutput, ApiError> {
        self.executions.get_execution_history(ctx, input).await
    }

    async fn list_activities(
        &self,
        ctx: RequestContext,
        input: ListActivitiesInput,
    ) -> Result<ListActivitiesOutput, ApiError> {
        self.catalog.list_activities(ctx, input).await
    }

    async fn list_executions(
        &self,
        ctx: RequestContext,
        input: ListExecutionsInput,
    ) -> Result<ListExecutionsOutput, ApiError> {
        self.executions.list_executions(ctx, input).await
    }

    async fn list_map_runs(
        &self,
        ctx: RequestContext,
        input: ListMapRunsInput,
    ) -> Result<ListMapRunsOutput, ApiError> {
        self.executions.list_map_runs(ctx, input).await
    }

    async fn list_state_machine_aliases(
        &self,
        ctx: RequestContext,
        input: ListStateMachineAliasesInput,
    ) -> Result<ListStateMachineAliasesOutput, ApiError> {
        self.catalog.list_state_machine_aliases(ctx, input).await
    }

    async fn list_state_machine_versions(
        &self,
        ctx: RequestContext,
        input: ListStateMachineVersionsInput,
    ) -> Result<ListStateMachineVersionsOutput, ApiError> {
        self.catalog.list_state_machine_versions(ctx, input).await
    }

    async fn list_state_machines(
        &self,
        ctx: RequestContext,
        input: ListStateMachinesInput,
    ) -> Result<ListStateMachinesOutput, ApiError> {
        self.catalog.list_state_machines(ctx, input).await
    }

    async fn list_tags_for_resource(
        &self,
        ctx: RequestContext,
        input: ListTagsForResourceInput,
    ) -> Result<ListTagsForResourceOutput, ApiError> {
        self.catalog.list_tags_for_resource(ctx, input).await
    }

    async fn publish_state_machine_version(
        &self,
        ctx: RequestContext,
        input: PublishStateMachineVersionInput,
    ) -> Result<PublishStateMachineVersionOutput, ApiError> {
        self.catalog.publish_state_machine_version(ctx, input).await
    }

    async fn redrive_execution(
        &self,
        ctx: RequestContext,
        input: RedriveExecutionInput,
    ) -> Result<RedriveExecutionOutput, ApiError> {
        self.executions.redrive_execution(ctx, input).await
    }

    async fn send_task_failure(
        &self,
        ctx: RequestContext,
        input: SendTaskFailureInput,
    ) -> Result<SendTaskFailureOutput, ApiError> {
        self.executions.send_task_failure(ctx, input).await
    }

    async fn send_task_heartbeat(
        &self,
        ctx: RequestContext,
        input: SendTaskHeartbeatInput,
    ) -> Result<SendTaskHeartbeatOutput, ApiError> {
        self.executions.send_task_heartbeat(ctx, input).await
    }

    async fn send_task_success(
        &self,
        ctx: RequestContext,
        input: SendTaskSuccessInput,
    ) -> Result<SendTaskSuccessOutput, ApiError> {
        self.executions.send_task_success(ctx, input).await
    }

    async fn start_execution(
        &self,
        ctx: RequestContext,
        input: StartExecutionInput,
    ) -> Result<StartExecutionOutput, ApiError> {
        self.executions.start_execution(ctx, input).await
    }

    async fn start_sync_execution(
        &self,
        ctx: RequestContext,
        input: StartSyncExecutionInput,
    ) -> Result<StartSyncExecutionOutput, ApiError> {
        self.executions.start_sync_execution(ctx, input).await
    }

    async fn stop_execution(
        &self,
        ctx: RequestContext,
        input: StopExecutionInput,
    ) -> Result<StopExecutionOutput, ApiError> {
        self.executions.stop_execution(ctx, input).await
    }

    async fn tag_resource(
        &self,
        ctx: RequestContext,
        input: TagResourceInput,
    ) -> Result<TagResourceOutput, ApiError> {
        self.catalog.tag_resource(ctx, input).await
    }

    async fn test_state(
        &self,
        ctx: RequestContext,
        input: TestStateInput,
    ) -> Result<TestStateOutput, ApiError> {
        self.executions.test_state(ctx, input).await
    }

    async fn untag_resource(
        &self,
        ctx: RequestContext,
        input: UntagResourceInput,
    ) -> Result<UntagResourceOutput, ApiError> {
        self.catalog.untag_resource(ctx, input).await
    }

    async fn update_map_run(
        &self,
        ctx: RequestContext,
        input: UpdateMapRunInput,
    ) -> Result<UpdateMapRunOutput, ApiError> {
        self.executions.update_map_run(ctx, input).await
    }

    async fn update_state_machine(
        &self,
        ctx: RequestContext,
        input: UpdateStateMachineInput,
    ) -> Result<UpdateStateMachineOutput, ApiError> {
        self.catalog.update_state_machine(ctx, input).await
    }

    async fn update_state_machine_alias(
        &self,
        ctx: RequestContext,
        input: UpdateStateMachineAliasInput,
    ) -> Result<UpdateStateMachineAliasOutput, ApiError> {
        self.catalog.update_state_machine_alias(ctx, input).await
    }

    async fn validate_state_machine_definition(
        &self,
        ctx: RequestContext,
        input: ValidateStateMachineDefinitionInput,
    ) -> Result<ValidateStateMachineDefinitionOutput, ApiError> {
        self.catalog
            .validate_state_machine_definition(ctx, input)
            .await
    }
}
