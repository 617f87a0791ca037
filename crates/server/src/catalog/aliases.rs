//! Aliases: CreateStateMachineAlias, DescribeStateMachineAlias, UpdateStateMachineAlias,
//! DeleteStateMachineAlias, ListStateMachineAliases, and the pick of a version by an
//! alias's routing weights.

use baton_api::model::*;
use baton_api::page::page_size;
use baton_api::{ApiError, ErrorCode, RequestContext};
use baton_store::{AliasRecord, Page, StoreError};

use super::{Catalog, MachineArn, invalid_token, now, page_position, page_token, store_error, ts};

/// The most aliases a state machine may have (AWS's documented quota).
pub(super) const MAX_ALIASES: usize = 100;

/// How many aliases are read from the store at a time.
const READ_BATCH: usize = 1000;

/// AWS's `ResourceNotFound` for an alias or version that does not exist (recorded for
/// UpdateStateMachineAlias).
fn not_found(arn: &str) -> ApiError {
    ApiError::new(
        ErrorCode::ResourceNotFound,
        "Request references a resource that does not exist.",
    )
    .with_field("resourceName", arn)
}

/// An ARN that is not an alias's where an alias action takes one (Baton's message).
fn not_an_alias(arn: &str) -> ApiError {
    ApiError::invalid_arn(format!("Invalid ARN: {arn}"))
}

/// The alias an ARN names: its state machine's ARN.
fn alias_machine(arn: &str) -> Result<String, ApiError> {
    match MachineArn::parse(arn)? {
        MachineArn::Alias { machine_arn } => Ok(machine_arn),
        _ => Err(not_an_alias(arn)),
    }
}

/// A random draw in `0..100` for [`pick`] (from a version 4 UUID's 122 random bits).
pub(super) fn roll() -> u32 {
    (uuid::Uuid::new_v4().as_u128() % 100) as u32
}

/// The version `roll` (in `0..100`) picks: the first whose cumulated weight exceeds it.
/// `None` for a routing without weight.
pub(super) fn pick(routing: &[(String, u32)], roll: u32) -> Option<&str> {
    let total: u32 = routing.iter().map(|(_, w)| w).sum();
    if total == 0 {
        return None;
    }
    let roll = roll % total;
    let mut cumulated = 0;
    routing.iter().find_map(|(arn, weight)| {
        cumulated += weight;
        (roll < cumulated).then_some(arn.as_str())
    })
}

impl Catalog {
    /// Every alias of a machine, in creation order (none for a machine that does not exist).
    pub(super) async fn all_aliases(
        &self,
        machine_arn: &str,
    ) -> Result<Vec<AliasRecord>, ApiError> {
        let mut all = Vec::new();
        let mut token = None;
        loop {
            let page = match self
                .store
                .list_aliases(
                    machine_arn,
                    Page {
                        token,
                        limit: READ_BATCH,
                    },
                )
                .await
            {
                Ok(page) => page,
                Err(StoreError::NotFound(_)) => break,
                Err(e) => return Err(store_error(e)),
            };
            all.extend(page.items);
            match page.next {
                Some(next) => token = Some(next),
                None => break,
            }
        }
        all.sort_by(|a, b| (a.created, &a.arn).cmp(&(b.created, &b.arn)));
        Ok(all)
    }

    /// Checks a routing configuration as AWS does, in AWS's order: distinct versions
    /// (recorded), weights summing to 100 (recorded), version ARNs only (recorded), of one
    /// state machine, that exist. Returns the machine's ARN and the routing as the store
    /// keeps it. (The model's constraints, one or two entries and weights of 0 to 100, are
    /// checked before the request gets here.)
    async fn check_routing(
        &self,
        routing: &[RoutingConfigurationListItem],
    ) -> Result<(String, Vec<(String, u32)>), ApiError> {
        let arns: Vec<&str> = routing
            .iter()
            .map(|r| r.state_machine_version_arn.as_str())
            .collect();
        let listed = format!("[{}]", arns.join(", "));
        if arns.len() == 2 && arns[0] == arns[1] {
            return Err(ApiError::validation(format!(
                "Routing configuration must contain distinct state machine version ARNs. \
                 Received: {listed}"
            )));
        }
        let weights: Vec<i32> = routing.iter().map(|r| r.weight).collect();
        if weights.iter().map(|w| i64::from(*w)).sum::<i64>() != 100 {
            let weights: Vec<String> = weights.iter().map(i32::to_string).collect();
            return Err(ApiError::validation(format!(
                "Sum of routing configuration weights must equal 100. Received: [{}]",
                weights.join(", ")
            )));
        }
        let mut machine = None;
        for arn in &arns {
            let Ok(MachineArn::Version { machine_arn }) = MachineArn::parse(arn) else {
                return Err(ApiError::validation(format!(
                    "Routing configuration must contain state machine version ARNs. \
                     Received: {listed}"
                )));
            };
            match &machine {
                None => machine = Some(machine_arn),
                Some(first) if *first == machine_arn => {}
                Some(_) => {
                    return Err(ApiError::validation(format!(
                        "Routing configuration must contain versions of one state machine. \
                         Received: {listed}"
                    )));
                }
            }
        }
        for arn in &arns {
            if self
                .store
                .version(arn)
                .await
                .map_err(store_error)?
                .is_none()
            {
                return Err(not_found(arn));
            }
        }
        let machine = machine.ok_or_else(|| {
            ApiError::validation("Routing configuration must contain state machine version ARNs")
        })?;
        let routing = routing
            .iter()
            .map(|r| {
                (
                    r.state_machine_version_arn.clone(),
                    u32::try_from(r.weight).unwrap_or(0),
                )
            })
            .collect();
        Ok((machine, routing))
    }

    /// `CreateStateMachineAlias`. Idempotent as AWS documents it: the same name, description
    /// and routing answer the alias's ARN and creation date; the same name with another
    /// description or routing is AWS's `ConflictException` (recorded).
    pub async fn create_state_machine_alias(
        &self,
        _ctx: RequestContext,
        input: CreateStateMachineAliasInput,
    ) -> Result<CreateStateMachineAliasOutput, ApiError> {
        let _writing = self.writes.lock().await;
        let (machine_arn, routing) = self.check_routing(&input.routing_configuration).await?;
        let arn = format!("{machine_arn}:{}", input.name);
        if let Some(existing) = self.store.alias(&arn).await.map_err(store_error)? {
            if existing.description == input.description && existing.routing == routing {
                return Ok(CreateStateMachineAliasOutput {
                    state_machine_alias_arn: existing.arn,
                    creation_date: ts(existing.created),
                });
            }
            return Err(ApiError::new(
                ErrorCode::ConflictException,
                "Failed to create alias because an alias with the same name and a different \
                 routing configuration already exists.",
            ));
        }
        if self.all_aliases(&machine_arn).await?.len() >= MAX_ALIASES {
            return Err(ApiError::new(
                ErrorCode::ServiceQuotaExceededException,
                format!(
                    "The state machine '{machine_arn}' has the maximum number of aliases \
                     ({MAX_ALIASES}); delete aliases to create new ones"
                ),
            ));
        }
        let created = now();
        let alias = AliasRecord {
            arn: arn.clone(),
            machine_arn,
            name: input.name,
            description: input.description,
            routing,
            created,
            updated: created,
        };
        self.store.put_alias(alias).await.map_err(|e| match e {
            StoreError::NotFound(_) => not_found(&arn),
            e => store_error(e),
        })?;
        Ok(CreateStateMachineAliasOutput {
            state_machine_alias_arn: arn,
            creation_date: ts(created),
        })
    }

    /// `DescribeStateMachineAlias`.
    pub async fn describe_state_machine_alias(
        &self,
        _ctx: RequestContext,
        input: DescribeStateMachineAliasInput,
    ) -> Result<DescribeStateMachineAliasOutput, ApiError> {
        let arn = input.state_machine_alias_arn.as_str();
        alias_machine(arn)?;
        let alias = self
            .store
            .alias(arn)
            .await
            .map_err(store_error)?
            .ok_or_else(|| not_found(arn))?;
        Ok(DescribeStateMachineAliasOutput {
            state_machine_alias_arn: Some(alias.arn),
            name: Some(alias.name),
            description: alias.description,
            routing_configuration: Some(
                alias
                    .routing
                    .into_iter()
                    .map(|(arn, weight)| RoutingConfigurationListItem {
                        state_machine_version_arn: arn,
                        weight: i32::try_from(weight).unwrap_or(i32::MAX),
                    })
                    .collect(),
            ),
            creation_date: Some(ts(alias.created)),
            update_date: Some(ts(alias.updated)),
        })
    }

    /// `UpdateStateMachineAlias`: its description, its routing, or both. An alias that
    /// does not exist is AWS's `ResourceNotFound` (recorded).
    pub async fn update_state_machine_alias(
        &self,
        _ctx: RequestContext,
        input: UpdateStateMachineAliasInput,
    ) -> Result<UpdateStateMachineAliasOutput, ApiError> {
        let arn = input.state_machine_alias_arn.as_str();
        if input.description.is_none() && input.routing_configuration.is_none() {
            return Err(ApiError::validation(
                "Either the description or the RoutingConfiguration must be specified",
            ));
        }
        let machine_arn = alias_machine(arn)?;
        let _writing = self.writes.lock().await;
        let mut alias = self
            .store
            .alias(arn)
            .await
            .map_err(store_error)?
            .ok_or_else(|| not_found(arn))?;
        if let Some(routing) = &input.routing_configuration {
            let (routed_machine, routing) = self.check_routing(routing).await?;
            if routed_machine != machine_arn {
                return Err(ApiError::validation(format!(
                    "Routing configuration must contain versions of the alias's state \
                     machine: '{machine_arn}'"
                )));
            }
            alias.routing = routing;
        }
        if let Some(description) = input.description {
            alias.description = Some(description);
        }
        alias.updated = now();
        let updated = alias.updated;
        self.store.put_alias(alias).await.map_err(|e| match e {
            StoreError::NotFound(_) => not_found(arn),
            e => store_error(e),
        })?;
        Ok(UpdateStateMachineAliasOutput {
            update_date: ts(updated),
        })
    }

    /// `DeleteStateMachineAlias`. An alias that does not exist is no error (recorded).
    pub async fn delete_state_machine_alias(
        &self,
        _ctx: RequestContext,
        input: DeleteStateMachineAliasInput,
    ) -> Result<DeleteStateMachineAliasOutput, ApiError> {
        let arn = input.state_machine_alias_arn.as_str();
        alias_machine(arn)?;
        let _writing = self.writes.lock().await;
        match self.store.delete_alias(arn).await {
            Ok(()) | Err(StoreError::NotFound(_)) => Ok(DeleteStateMachineAliasOutput {}),
            Err(e) => Err(store_error(e)),
        }
    }

    /// `ListStateMachineAliases`: a machine's aliases, or, for a version's ARN, those that
    /// route to it (as AWS documents), oldest first (as AWS lists them: recorded; its
    /// documentation says newest first), a page at a time.
    pub async fn list_state_machine_aliases(
        &self,
        _ctx: RequestContext,
        input: ListStateMachineAliasesInput,
    ) -> Result<ListStateMachineAliasesOutput, ApiError> {
        const KIND: &str = "aliases";
        let arn = input.state_machine_arn.as_str();
        let after = page_position(input.next_token.as_deref(), KIND)?
            .map(|p| {
                let (created, alias) = p.split_once('|').ok_or_else(invalid_token)?;
                let created: i64 = created.parse().map_err(|_| invalid_token())?;
                Ok::<_, ApiError>((created, alias.to_owned()))
            })
            .transpose()?;
        let aliases = match MachineArn::parse(arn)? {
            MachineArn::Machine { .. } => {
                if self.machine(arn).await?.is_none() {
                    return Err(ApiError::state_machine_does_not_exist(arn));
                }
                self.all_aliases(arn).await?
            }
            MachineArn::Version { machine_arn } => {
                if self
                    .store
                    .version(arn)
                    .await
                    .map_err(store_error)?
                    .is_none()
                {
                    return Err(not_found(arn));
                }
                let mut aliases = self.all_aliases(&machine_arn).await?;
                aliases.retain(|a| a.routing.iter().any(|(v, _)| v == arn));
                aliases
            }
            MachineArn::Alias { .. } | MachineArn::Label => {
                return Err(super::qualified_arn(arn));
            }
        };
        let limit = page_size(input.max_results);
        let mut rest = aliases
            .into_iter()
            .filter(|a| {
                after
                    .as_ref()
                    .is_none_or(|(created, arn)| (a.created, &a.arn) > (*created, arn))
            })
            .peekable();
        let mut state_machine_aliases = Vec::new();
        let mut last = None;
        while state_machine_aliases.len() < limit {
            let Some(a) = rest.next() else { break };
            last = Some(format!("{}|{}", a.created, a.arn));
            state_machine_aliases.push(StateMachineAliasListItem {
                state_machine_alias_arn: a.arn,
                creation_date: ts(a.created),
            });
        }
        let more = rest.peek().is_some();
        Ok(ListStateMachineAliasesOutput {
            state_machine_aliases,
            next_token: page_token(last.filter(|_| more), KIND),
        })
    }
}
