//! Tags: TagResource, UntagResource, ListTagsForResource, of state machines and
//! activities, and the tags CreateStateMachine and CreateActivity are given.
//!
//! Keys starting with [`INTERNAL_PREFIX`] are Baton's own bookkeeping (a machine's next
//! version number): never listed, never counted, and refused from callers.

use baton_api::arn::{Arn, Resource};
use baton_api::model::*;
use baton_api::{ApiError, ErrorCode, RequestContext};
use baton_store::Tag;

use super::{Catalog, store_error};

/// The most tags a resource may have (AWS's quota).
pub(super) const MAX_TAGS: usize = 50;

/// The prefix of the tag keys Baton keeps for itself.
pub(super) const INTERNAL_PREFIX: &str = "baton:internal:";

/// The tags of a request as the store keeps them: a key given twice keeps its last value
/// (one tag, recorded), at the place of its first. A tag without key, or with a key
/// Baton keeps for itself, is `ValidationException` (Baton's messages); a tag without a
/// value has the empty value.
pub(super) fn requested(tags: Vec<baton_api::model::Tag>) -> Result<Vec<Tag>, ApiError> {
    let mut out: Vec<Tag> = Vec::with_capacity(tags.len());
    for tag in tags {
        let Some(key) = tag.key else {
            return Err(ApiError::validation("A tag's key must be given"));
        };
        if key.starts_with(INTERNAL_PREFIX) {
            return Err(ApiError::validation(format!(
                "Tag keys starting with '{INTERNAL_PREFIX}' are reserved"
            )));
        }
        let value = tag.value.unwrap_or_default();
        match out.iter_mut().find(|t| t.key == key) {
            Some(t) => t.value = value,
            None => out.push(Tag { key, value }),
        }
    }
    Ok(out)
}

/// `Ok` when a resource may have `count` tags, else `TooManyTags` (the message is
/// Baton's).
pub(super) fn check_count(arn: &str, count: usize) -> Result<(), ApiError> {
    if count > MAX_TAGS {
        return Err(ApiError::new(
            ErrorCode::TooManyTags,
            format!("Too many tags: a resource may have at most {MAX_TAGS} tags: '{arn}'"),
        )
        .with_field("resourceName", arn));
    }
    Ok(())
}

/// The tags a caller sees.
fn visible(tags: Vec<Tag>) -> Vec<Tag> {
    tags.into_iter()
        .filter(|t| !t.key.starts_with(INTERNAL_PREFIX))
        .collect()
}

/// AWS's `ResourceNotFound` for a resource that cannot be tagged or does not exist:
/// `Resource not found: '<arn>'` (recorded for a version's ARN).
fn not_found(arn: &str) -> ApiError {
    ApiError::new(
        ErrorCode::ResourceNotFound,
        format!("Resource not found: '{arn}'"),
    )
    .with_field("resourceName", arn)
}

impl Catalog {
    /// `Ok` for the ARN of a state machine or activity that exists; `InvalidArn` for what
    /// is no ARN, `ResourceNotFound` for anything else (versions and aliases included:
    /// recorded).
    async fn taggable(&self, arn: &str) -> Result<(), ApiError> {
        let parsed = Arn::parse(arn)?;
        let exists = match parsed.resource {
            Resource::StateMachine {
                name,
                qualifier: None,
            } if !name.contains('/') => self.machine(arn).await?.is_some(),
            Resource::Activity { .. } => self
                .store
                .activity(arn)
                .await
                .map_err(store_error)?
                .is_some(),
            _ => false,
        };
        if exists { Ok(()) } else { Err(not_found(arn)) }
    }

    /// `TagResource`: adds tags, or replaces the values of keys the resource has.
    pub async fn tag_resource(
        &self,
        _ctx: RequestContext,
        input: TagResourceInput,
    ) -> Result<TagResourceOutput, ApiError> {
        let arn = input.resource_arn.as_str();
        let tags = requested(input.tags)?;
        let _writing = self.writes.lock().await;
        self.taggable(arn).await?;
        let current = visible(self.store.tags(arn).await.map_err(store_error)?);
        let added = tags
            .iter()
            .filter(|t| !current.iter().any(|c| c.key == t.key))
            .count();
        check_count(arn, current.len() + added)?;
        if !tags.is_empty() {
            self.store.tag(arn, tags).await.map_err(store_error)?;
        }
        Ok(TagResourceOutput {})
    }

    /// `UntagResource`: removes tags by key (keys the resource does not have are ignored).
    pub async fn untag_resource(
        &self,
        _ctx: RequestContext,
        input: UntagResourceInput,
    ) -> Result<UntagResourceOutput, ApiError> {
        let arn = input.resource_arn.as_str();
        let _writing = self.writes.lock().await;
        self.taggable(arn).await?;
        let keys: Vec<String> = input
            .tag_keys
            .into_iter()
            .filter(|k| !k.starts_with(INTERNAL_PREFIX))
            .collect();
        if !keys.is_empty() {
            self.store.untag(arn, keys).await.map_err(store_error)?;
        }
        Ok(UntagResourceOutput {})
    }

    /// `ListTagsForResource`.
    pub async fn list_tags_for_resource(
        &self,
        _ctx: RequestContext,
        input: ListTagsForResourceInput,
    ) -> Result<ListTagsForResourceOutput, ApiError> {
        let arn = input.resource_arn.as_str();
        self.taggable(arn).await?;
        let tags = visible(self.store.tags(arn).await.map_err(store_error)?);
        Ok(ListTagsForResourceOutput {
            tags: Some(
                tags.into_iter()
                    .map(|t| baton_api::model::Tag {
                        key: Some(t.key),
                        value: Some(t.value),
                    })
                    .collect(),
            ),
        })
    }
}
