//! Versions: PublishStateMachineVersion, ListStateMachineVersions,
//! DeleteStateMachineVersion, and the publication CreateStateMachine and
//! UpdateStateMachine share.
//!
//! Version numbers grow by one and are never reused, even after the newest version is
//! deleted (recorded). The store keeps no counter, so the next number is kept in a tag of
//! the machine that the tag actions never show (see `tags::INTERNAL_PREFIX`).

use baton_api::model::*;
use baton_api::page::page_size;
use baton_api::{ApiError, ErrorCode, RequestContext};
use baton_store::{Page, StateMachineRecord, StoreError, Tag, VersionRecord};

use super::{Catalog, MachineArn, label_arn, now, page_position, page_token, store_error, ts};

/// The most versions a state machine may have (AWS's quota).
pub(super) const MAX_VERSIONS: usize = 1000;

/// The internal tag that keeps a machine's next version number.
const NEXT_VERSION_TAG: &str = "baton:internal:next-version";

/// How many versions are read from the store at a time.
const READ_BATCH: usize = 1000;

impl Catalog {
    /// Every version of a machine, newest first (none for a machine that does not exist).
    pub(super) async fn all_versions(
        &self,
        machine_arn: &str,
    ) -> Result<Vec<VersionRecord>, ApiError> {
        let mut all = Vec::new();
        let mut token = None;
        loop {
            let page = match self
                .store
                .list_versions(
                    machine_arn,
                    Page {
                        token,
                        limit: READ_BATCH,
                    },
                )
                .await
            {
                Ok(page) => page,
                Err(StoreError::NotFound(_)) => return Ok(all),
                Err(e) => return Err(store_error(e)),
            };
            all.extend(page.items);
            match page.next {
                Some(next) => token = Some(next),
                None => return Ok(all),
            }
        }
    }

    /// Publishes `machine`'s current revision as a new version, or returns the version
    /// already published from it. The caller holds the write lock.
    pub(super) async fn publish_locked(
        &self,
        machine: &StateMachineRecord,
        description: Option<String>,
        created: i64,
    ) -> Result<VersionRecord, ApiError> {
        let versions = self.all_versions(&machine.arn).await?;
        if let Some(v) = versions
            .iter()
            .find(|v| v.revision_id == machine.revision_id)
        {
            return Ok(v.clone());
        }
        if versions.len() >= MAX_VERSIONS {
            return Err(ApiError::new(
                ErrorCode::ServiceQuotaExceededException,
                format!(
                    "The state machine '{}' has the maximum number of versions ({MAX_VERSIONS}); \
                     delete versions to publish new ones",
                    machine.arn
                ),
            ));
        }
        let highest = versions.iter().map(|v| v.version).max().unwrap_or(0);
        let mut number = (highest + 1).max(self.next_version_number(&machine.arn).await?);
        let version = loop {
            let version = VersionRecord {
                arn: format!("{}:{number}", machine.arn),
                machine_arn: machine.arn.clone(),
                version: number,
                definition: machine.definition.clone(),
                role_arn: machine.role_arn.clone(),
                machine_type: machine.machine_type,
                created,
                revision_id: machine.revision_id.clone(),
                description: description.clone(),
                logging: machine.logging.clone(),
                tracing: machine.tracing.clone(),
            };
            match self.store.create_version(version.clone()).await {
                Ok(()) => break version,
                Err(StoreError::AlreadyExists(_)) => number += 1,
                Err(StoreError::NotFound(_)) => {
                    return Err(ApiError::state_machine_does_not_exist(&machine.arn));
                }
                Err(e) => return Err(store_error(e)),
            }
        };
        self.store
            .tag(
                &machine.arn,
                vec![Tag {
                    key: NEXT_VERSION_TAG.to_owned(),
                    value: (number + 1).to_string(),
                }],
            )
            .await
            .map_err(store_error)?;
        Ok(version)
    }

    /// The number the next version of a machine takes, as far as its internal tag knows.
    async fn next_version_number(&self, machine_arn: &str) -> Result<u64, ApiError> {
        let tags = self.store.tags(machine_arn).await.map_err(store_error)?;
        Ok(tags
            .iter()
            .find(|t| t.key == NEXT_VERSION_TAG)
            .and_then(|t| t.value.parse().ok())
            .unwrap_or(1))
    }

    /// `PublishStateMachineVersion`.
    ///
    /// With `revisionId`, only if it is the machine's current revision, else AWS's
    /// `ConflictException` (recorded; a machine never updated has the revision `null`).
    /// A revision published already is answered with its version (recorded).
    pub async fn publish_state_machine_version(
        &self,
        _ctx: RequestContext,
        input: PublishStateMachineVersionInput,
    ) -> Result<PublishStateMachineVersionOutput, ApiError> {
        let arn = input.state_machine_arn.as_str();
        match MachineArn::parse(arn)? {
            MachineArn::Machine { .. } => {}
            MachineArn::Label => return Err(label_arn(arn)),
            _ => return Err(ApiError::state_machine_does_not_exist(arn)),
        }
        let _writing = self.writes.lock().await;
        let machine = self
            .machine(arn)
            .await?
            .ok_or_else(|| ApiError::state_machine_does_not_exist(arn))?;
        if let Some(revision) = &input.revision_id
            && *revision != machine.revision_id
        {
            let current = if machine.revision_id.is_empty() {
                "null"
            } else {
                machine.revision_id.as_str()
            };
            return Err(ApiError::new(
                ErrorCode::ConflictException,
                format!(
                    "Failed to publish the State Machine version for revision {revision}. \
                     The current State Machine revision is {current}."
                ),
            ));
        }
        let version = self
            .publish_locked(&machine, input.description, now())
            .await?;
        Ok(PublishStateMachineVersionOutput {
            creation_date: ts(version.created),
            state_machine_version_arn: version.arn,
        })
    }

    /// `ListStateMachineVersions`: newest first (recorded), a page at a time. A machine
    /// that does not exist has none (the model lists no error for it).
    pub async fn list_state_machine_versions(
        &self,
        _ctx: RequestContext,
        input: ListStateMachineVersionsInput,
    ) -> Result<ListStateMachineVersionsOutput, ApiError> {
        const KIND: &str = "versions";
        let arn = input.state_machine_arn.as_str();
        match MachineArn::parse(arn)? {
            MachineArn::Machine { .. } => {}
            _ => return Err(super::qualified_arn(arn)),
        }
        let token = page_position(input.next_token.as_deref(), KIND)?;
        let page = Page {
            token,
            limit: page_size(input.max_results),
        };
        let page = match self.store.list_versions(arn, page).await {
            Ok(page) => page,
            Err(StoreError::NotFound(_)) => {
                return Ok(ListStateMachineVersionsOutput {
                    state_machine_versions: Vec::new(),
                    next_token: None,
                });
            }
            Err(e) => return Err(store_error(e)),
        };
        Ok(ListStateMachineVersionsOutput {
            state_machine_versions: page
                .items
                .into_iter()
                .map(|v| StateMachineVersionListItem {
                    state_machine_version_arn: v.arn,
                    creation_date: ts(v.created),
                })
                .collect(),
            next_token: page_token(page.next, KIND),
        })
    }

    /// `DeleteStateMachineVersion`. A version some alias routes to is AWS's
    /// `ConflictException` naming the aliases (recorded); one that does not exist is no
    /// error (recorded).
    pub async fn delete_state_machine_version(
        &self,
        _ctx: RequestContext,
        input: DeleteStateMachineVersionInput,
    ) -> Result<DeleteStateMachineVersionOutput, ApiError> {
        let arn = input.state_machine_version_arn.as_str();
        let machine_arn = match MachineArn::parse(arn)? {
            MachineArn::Version { machine_arn } => machine_arn,
            _ => {
                return Err(ApiError::validation(format!(
                    "Not a state machine version ARN: '{arn}'"
                )));
            }
        };
        let _writing = self.writes.lock().await;
        if self
            .store
            .version(arn)
            .await
            .map_err(store_error)?
            .is_none()
        {
            return Ok(DeleteStateMachineVersionOutput {});
        }
        let routing_here: Vec<String> = self
            .all_aliases(&machine_arn)
            .await?
            .into_iter()
            .filter(|a| a.routing.iter().any(|(v, _)| v == arn))
            .map(|a| a.name)
            .collect();
        if !routing_here.is_empty() {
            return Err(ApiError::new(
                ErrorCode::ConflictException,
                format!(
                    "Version to be deleted must not be referenced by an alias. Current list \
                     of aliases referencing this version: [{}]",
                    routing_here.join(", ")
                ),
            ));
        }
        match self.store.delete_version(arn).await {
            Ok(()) | Err(StoreError::NotFound(_)) => Ok(DeleteStateMachineVersionOutput {}),
            Err(e) => Err(store_error(e)),
        }
    }
}
