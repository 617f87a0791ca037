//! The [`Catalog`]: the definitions of the API's resources (state machines, their versions
//! and aliases, activities, tags), kept in the store. Executions ask it what an ARN given
//! to StartExecution runs ([`Catalog::resolve`]).
//!
//! - `machines`: Create/Describe/Update/Delete/ListStateMachines, ValidateStateMachineDefinition.
//! - `versions`: PublishStateMachineVersion, ListStateMachineVersions, DeleteStateMachineVersion.
//! - `aliases`: the alias actions, and the pick of a version by an alias's weights.
//! - `activities`: Create/Describe/Delete/ListActivities.
//! - `tags`: TagResource, UntagResource, ListTagsForResource.
//! - `settings`: logging, tracing and encryption configurations, definitions checked.
//!
//! Messages are AWS's where AWS's were recorded (the recordings of LocalStack's Step
//! Functions test suite, made against AWS); each helper says which ones are.

mod activities;
mod aliases;
mod machines;
mod settings;
mod tags;
mod versions;

#[cfg(test)]
mod tests;

use std::sync::Arc;

use baton_api::arn::{Arn, Qualifier, Resource, ResourceType};
use baton_api::page::{decode_token, encode_token};
use baton_api::{ApiError, Timestamp};
use baton_store::{MachineType, Store, StoreError};
use tokio::sync::Mutex;

use crate::config::ServerConfig;

/// The resources' definitions.
pub struct Catalog {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) config: Arc<ServerConfig>,
    /// Held by every action that changes the catalog, so that what it checks before it
    /// writes (a name is free, the next version number, which aliases route to a version)
    /// cannot change in between.
    writes: Mutex<()>,
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
        Catalog {
            store,
            config,
            writes: Mutex::new(()),
        }
    }

    /// What `arn` (a state machine, version or alias ARN) runs; for an alias, one of its
    /// versions picked by the routing weights.
    ///
    /// Errors as StartExecution answers them: `InvalidArn` for what is not a state machine
    /// ARN, `ValidationException` for a Distributed Map state's ARN (`NAME/LABEL`, as AWS's
    /// documentation says), `StateMachineDoesNotExist` naming the ARN given for a machine,
    /// version or alias that does not exist.
    pub async fn resolve(&self, arn: &str) -> Result<StartTarget, ApiError> {
        self.resolve_with(arn, Some(aliases::roll())).await
    }

    /// What `arn` names, as [`Catalog::resolve`] but without a draw: for an alias, the
    /// first version of its routing (for callers that need the machine, its type or the
    /// ARN's existence, not an execution's version).
    pub async fn resolve_exact(&self, arn: &str) -> Result<StartTarget, ApiError> {
        self.resolve_with(arn, None).await
    }

    /// [`Catalog::resolve`] with the alias's draw given: `roll` in `0..100` picks the
    /// version whose cumulated weights first exceed it; `None` picks the first version.
    pub(crate) async fn resolve_with(
        &self,
        arn: &str,
        roll: Option<u32>,
    ) -> Result<StartTarget, ApiError> {
        let (version_arn, alias_arn) = match MachineArn::parse(arn)? {
            MachineArn::Label => return Err(label_arn(arn)),
            MachineArn::Machine { .. } => {
                let m = self
                    .machine(arn)
                    .await?
                    .ok_or_else(|| ApiError::state_machine_does_not_exist(arn))?;
                return Ok(StartTarget {
                    machine_arn: m.arn,
                    machine_name: m.name,
                    machine_type: m.machine_type,
                    definition: m.definition,
                    role_arn: m.role_arn,
                    version_arn: None,
                    alias_arn: None,
                    logging: m.logging,
                });
            }
            MachineArn::Version { .. } => (arn.to_owned(), None),
            MachineArn::Alias { .. } => {
                let alias = self
                    .store
                    .alias(arn)
                    .await
                    .map_err(store_error)?
                    .ok_or_else(|| ApiError::state_machine_does_not_exist(arn))?;
                let picked = match roll {
                    Some(roll) => aliases::pick(&alias.routing, roll),
                    None => alias.routing.first().map(|(v, _)| v.as_str()),
                }
                .ok_or_else(|| ApiError::state_machine_does_not_exist(arn))?;
                (picked.to_owned(), Some(alias.arn))
            }
        };
        let version = self
            .store
            .version(&version_arn)
            .await
            .map_err(store_error)?
            .ok_or_else(|| ApiError::state_machine_does_not_exist(&version_arn))?;
        let machine_name = match MachineArn::parse(&version.machine_arn)? {
            MachineArn::Machine { name, .. } => name,
            _ => return Err(ApiError::state_machine_does_not_exist(&version_arn)),
        };
        Ok(StartTarget {
            machine_arn: version.machine_arn,
            machine_name,
            machine_type: version.machine_type,
            definition: version.definition,
            role_arn: version.role_arn,
            version_arn: Some(version.arn),
            alias_arn,
            logging: version.logging,
        })
    }

    /// `arn:aws:states:REGION:ACCOUNT:stateMachine:NAME` in the configured region and
    /// account.
    fn machine_arn(&self, name: &str) -> String {
        self.arn(Resource::StateMachine {
            name: name.to_owned(),
            qualifier: None,
        })
    }

    /// `arn:aws:states:REGION:ACCOUNT:activity:NAME`.
    fn activity_arn(&self, name: &str) -> String {
        self.arn(Resource::Activity {
            name: name.to_owned(),
        })
    }

    fn arn(&self, resource: Resource) -> String {
        Arn {
            partition: "aws".to_owned(),
            region: self.config.region.clone(),
            account: self.config.account.clone(),
            resource,
        }
        .to_string()
    }

    /// A state machine by its (unqualified) ARN.
    async fn machine(
        &self,
        arn: &str,
    ) -> Result<Option<baton_store::StateMachineRecord>, ApiError> {
        self.store.state_machine(arn).await.map_err(store_error)
    }
}

/// A state machine ARN taken apart: the machine itself, one of its versions or aliases,
/// or one of its Distributed Map states (`NAME/LABEL`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum MachineArn {
    /// `...:stateMachine:NAME`.
    Machine { name: String },
    /// `...:stateMachine:NAME:N`.
    Version { machine_arn: String },
    /// `...:stateMachine:NAME:ALIAS`.
    Alias { machine_arn: String },
    /// `...:stateMachine:NAME/LABEL`.
    Label,
}

impl MachineArn {
    /// Parses a `stateMachine` ARN; anything else is AWS's `InvalidArn` (`Invalid Arn:
    /// 'Invalid ARN prefix: ...'`, recorded, for what is no ARN at all).
    fn parse(s: &str) -> Result<MachineArn, ApiError> {
        let arn = Arn::parse_as(s, &[ResourceType::StateMachine])?;
        let Resource::StateMachine { name, qualifier } = arn.resource else {
            return Err(ApiError::invalid_arn(format!("Invalid ARN: {s}")));
        };
        if name.contains('/') {
            return Ok(MachineArn::Label);
        }
        let machine_arn = Arn {
            resource: Resource::StateMachine {
                name: name.clone(),
                qualifier: None,
            },
            ..arn
        }
        .to_string();
        Ok(match qualifier {
            None => MachineArn::Machine { name },
            Some(Qualifier::Version(_)) => MachineArn::Version { machine_arn },
            Some(Qualifier::Alias(_)) => MachineArn::Alias { machine_arn },
        })
    }
}

/// The answer to a Distributed Map state's ARN (`NAME/LABEL`) where a state machine's is
/// expected: `ValidationException`, as AWS's documentation says (the message is Baton's).
fn label_arn(arn: &str) -> ApiError {
    ApiError::validation(format!(
        "The ARN of a Distributed Map state is not valid here: '{arn}'"
    ))
}

/// A qualified ARN (version, alias or Map state) where an action takes a state machine's
/// own: `ValidationException` (AWS's documentation names the exception; the message is
/// Baton's).
fn qualified_arn(arn: &str) -> ApiError {
    ApiError::validation(format!(
        "A qualified state machine ARN is not valid here: '{arn}'"
    ))
}

/// The store failing: `InternalFailure`, but for a page token it did not hand out.
fn store_error(e: StoreError) -> ApiError {
    match e {
        StoreError::InvalidToken(_) => invalid_token(),
        e => ApiError::internal(format!("The store failed: {e}")),
    }
}

/// AWS's `InvalidToken` for a token it did not hand out: `Invalid Token: 'Invalid token'`
/// (recorded).
fn invalid_token() -> ApiError {
    ApiError::invalid_token("Invalid token")
}

/// The current time, in milliseconds since the epoch.
fn now() -> i64 {
    Timestamp::now().unix_millis()
}

/// A record's time as the API writes it.
fn ts(millis: i64) -> Timestamp {
    Timestamp::from_unix_millis(millis)
}

/// `None` for the empty string (a revision id before the first update: AWS's `null`).
fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

/// The position a `nextToken` carries, for a listing whose positions start with `kind`:
/// tokens are opaque (`baton_api::page`), and one from another listing is `InvalidToken`.
fn page_position(token: Option<&str>, kind: &str) -> Result<Option<String>, ApiError> {
    let Some(token) = token else {
        return Ok(None);
    };
    let position = decode_token(token)?;
    position
        .strip_prefix(kind)
        .and_then(|p| p.strip_prefix('|'))
        .map(|p| Some(p.to_owned()))
        .ok_or_else(invalid_token)
}

/// The `nextToken` for a position of a listing of `kind`.
fn page_token(position: Option<String>, kind: &str) -> Option<String> {
    position.map(|p| encode_token(&format!("{kind}|{p}")))
}
