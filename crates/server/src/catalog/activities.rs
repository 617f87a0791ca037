//! Activities: CreateActivity, DescribeActivity, DeleteActivity, ListActivities.

use baton_api::arn::{Arn, ResourceType};
use baton_api::model::*;
use baton_api::name::check_name;
use baton_api::page::page_size;
use baton_api::{ApiError, ErrorCode, RequestContext};
use baton_store::{ActivityRecord, Page, StoreError};

use super::settings::{self, to_json};
use super::{Catalog, now, page_position, page_token, store_error, tags, ts};

/// `ActivityAlreadyExists`: an activity of that name with another encryption
/// configuration (the model: "`EncryptionConfiguration` may not be updated"). The message
/// follows the recorded `... Already Exists: '<arn>'` of state machines.
fn already_exists(arn: &str) -> ApiError {
    ApiError::new(
        ErrorCode::ActivityAlreadyExists,
        format!("Activity Already Exists: '{arn}'"),
    )
}

/// An activity ARN checked: `InvalidArn` for anything else (recorded for what is no ARN).
fn check_activity_arn(arn: &str) -> Result<(), ApiError> {
    Arn::parse_as(arn, &[ResourceType::Activity])?;
    Ok(())
}

impl Catalog {
    /// `CreateActivity`. Idempotent by name, as AWS documents it: an activity of that
    /// name is answered with its ARN and creation date (recorded), its tags unchanged.
    pub async fn create_activity(
        &self,
        _ctx: RequestContext,
        input: CreateActivityInput,
    ) -> Result<CreateActivityOutput, ApiError> {
        check_name(&input.name)?;
        let encryption = to_json(&settings::encryption(input.encryption_configuration)?);
        let tags = tags::requested(input.tags.unwrap_or_default())?;
        let arn = self.activity_arn(&input.name);
        tags::check_count(&arn, tags.len())?;

        let _writing = self.writes.lock().await;
        if let Some(existing) = self.store.activity(&arn).await.map_err(store_error)? {
            let existing_encryption =
                to_json(&settings::stored_encryption(existing.encryption.as_deref()));
            if existing_encryption != encryption {
                return Err(already_exists(&arn));
            }
            return Ok(CreateActivityOutput {
                activity_arn: existing.arn,
                creation_date: ts(existing.created),
            });
        }
        let created = now();
        let activity = ActivityRecord {
            arn: arn.clone(),
            name: input.name,
            created,
            encryption: Some(encryption),
        };
        self.store
            .create_activity(activity)
            .await
            .map_err(|e| match e {
                StoreError::AlreadyExists(_) => already_exists(&arn),
                e => store_error(e),
            })?;
        if !tags.is_empty() {
            self.store.tag(&arn, tags).await.map_err(store_error)?;
        }
        Ok(CreateActivityOutput {
            activity_arn: arn,
            creation_date: ts(created),
        })
    }

    /// `DescribeActivity`: `ActivityDoesNotExist` for one that does not exist (recorded),
    /// `{"type": "AWS_OWNED_KEY"}` when created without encryption configuration
    /// (recorded).
    pub async fn describe_activity(
        &self,
        _ctx: RequestContext,
        input: DescribeActivityInput,
    ) -> Result<DescribeActivityOutput, ApiError> {
        let arn = input.activity_arn.as_str();
        check_activity_arn(arn)?;
        let activity = self
            .store
            .activity(arn)
            .await
            .map_err(store_error)?
            .ok_or_else(|| ApiError::activity_does_not_exist(arn))?;
        Ok(DescribeActivityOutput {
            activity_arn: activity.arn,
            name: activity.name,
            creation_date: ts(activity.created),
            encryption_configuration: Some(settings::stored_encryption(
                activity.encryption.as_deref(),
            )),
        })
    }

    /// `DeleteActivity`, with its tags. One that does not exist is no error (recorded).
    pub async fn delete_activity(
        &self,
        _ctx: RequestContext,
        input: DeleteActivityInput,
    ) -> Result<DeleteActivityOutput, ApiError> {
        let arn = input.activity_arn.as_str();
        check_activity_arn(arn)?;
        let _writing = self.writes.lock().await;
        let keys: Vec<String> = self
            .store
            .tags(arn)
            .await
            .map_err(store_error)?
            .into_iter()
            .map(|t| t.key)
            .collect();
        match self.store.delete_activity(arn).await {
            Ok(()) | Err(StoreError::NotFound(_)) => {}
            Err(e) => return Err(store_error(e)),
        }
        if !keys.is_empty() {
            self.store.untag(arn, keys).await.map_err(store_error)?;
        }
        Ok(DeleteActivityOutput {})
    }

    /// `ListActivities`, in creation order, a page at a time.
    pub async fn list_activities(
        &self,
        _ctx: RequestContext,
        input: ListActivitiesInput,
    ) -> Result<ListActivitiesOutput, ApiError> {
        const KIND: &str = "activities";
        let token = page_position(input.next_token.as_deref(), KIND)?;
        let page = self
            .store
            .list_activities(Page {
                token,
                limit: page_size(input.max_results),
            })
            .await
            .map_err(store_error)?;
        Ok(ListActivitiesOutput {
            activities: page
                .items
                .into_iter()
                .map(|a| ActivityListItem {
                    activity_arn: a.arn,
                    name: a.name,
                    creation_date: ts(a.created),
                })
                .collect(),
            next_token: page_token(page.next, KIND),
        })
    }
}
