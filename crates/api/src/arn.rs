//! Step Functions ARNs: `arn:aws:states:REGION:ACCOUNT:stateMachine:NAME` and the others,
//! parsed and built.
//!
//! Parsing errors become `InvalidArn` with AWS's message `Invalid Arn: '<reason>'`. Two
//! reasons are recorded from AWS: `Invalid ARN prefix: <arn>` (not an ARN) and
//! `Resource type not valid in this context: <type>` (an express execution's ARN given to
//! DescribeExecution); the others follow their style.

use std::fmt;

use crate::error::ApiError;

/// The resource types of Step Functions ARNs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourceType {
    /// `stateMachine` (also versions and aliases).
    StateMachine,
    /// `execution` (standard executions, and child executions of Map Runs).
    Execution,
    /// `express` (an express execution).
    Express,
    /// `activity`.
    Activity,
    /// `mapRun`.
    MapRun,
}

impl ResourceType {
    /// As written in ARNs.
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceType::StateMachine => "stateMachine",
            ResourceType::Execution => "execution",
            ResourceType::Express => "express",
            ResourceType::Activity => "activity",
            ResourceType::MapRun => "mapRun",
        }
    }
}

/// A state machine ARN's qualifier: `:3` is a version, `:PROD` an alias.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Qualifier {
    /// A version number.
    Version(u64),
    /// An alias name.
    Alias(String),
}

/// What an ARN names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Resource {
    /// `stateMachine:NAME[:VERSION|:ALIAS]`.
    StateMachine {
        /// The state machine's name.
        name: String,
        /// A version or alias.
        qualifier: Option<Qualifier>,
    },
    /// `execution:STATE_MACHINE:NAME`; for a Map Run's child execution the state machine
    /// part is `STATE_MACHINE/LABEL`.
    Execution {
        /// The state machine part.
        state_machine: String,
        /// The execution's name.
        name: String,
    },
    /// `express:STATE_MACHINE:NAME:ID`.
    Express {
        /// The state machine's name.
        state_machine: String,
        /// The execution's name.
        name: String,
        /// The execution's id.
        id: String,
    },
    /// `activity:NAME`.
    Activity {
        /// The activity's name.
        name: String,
    },
    /// `mapRun:STATE_MACHINE/LABEL:ID`.
    MapRun {
        /// The state machine part, `STATE_MACHINE/LABEL`.
        state_machine: String,
        /// The Map Run's id.
        id: String,
    },
}

impl Resource {
    /// Its resource type.
    pub fn resource_type(&self) -> ResourceType {
        match self {
            Resource::StateMachine { .. } => ResourceType::StateMachine,
            Resource::Execution { .. } => ResourceType::Execution,
            Resource::Express { .. } => ResourceType::Express,
            Resource::Activity { .. } => ResourceType::Activity,
            Resource::MapRun { .. } => ResourceType::MapRun,
        }
    }
}

/// A parsed Step Functions ARN.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Arn {
    /// `aws`, `aws-cn`, ...
    pub partition: String,
    /// The region.
    pub region: String,
    /// The account.
    pub account: String,
    /// What it names.
    pub resource: Resource,
}

/// Why a string is not a usable ARN; displayed as the reason inside `Invalid Arn: '...'`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArnError {
    /// Not an ARN of this service at all (recorded for a string that is no ARN).
    #[error("Invalid ARN prefix: {0}")]
    Prefix(String),
    /// An ARN of another resource type than the action takes (recorded); the type is
    /// written in lower case as AWS does for `express`.
    #[error("Resource type not valid in this context: {0}")]
    ResourceType(String),
    /// A Step Functions ARN with missing or empty parts.
    #[error("Invalid ARN: {0}")]
    Malformed(String),
}

impl From<ArnError> for ApiError {
    fn from(e: ArnError) -> Self {
        ApiError::invalid_arn(e)
    }
}

fn part(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

impl Arn {
    /// Parses any Step Functions ARN.
    pub fn parse(s: &str) -> Result<Arn, ArnError> {
        let parts: Vec<&str> = s.split(':').collect();
        if parts.len() < 6 || parts[0] != "arn" || parts[2] != "states" || parts[1].is_empty() {
            return Err(ArnError::Prefix(s.to_owned()));
        }
        let malformed = || ArnError::Malformed(s.to_owned());
        let (partition, region, account) = (parts[1], parts[3], parts[4]);
        if region.is_empty() || account.is_empty() {
            return Err(malformed());
        }
        let rest = &parts[6..];
        let resource = match (parts[5], rest) {
            ("stateMachine", [name]) => Resource::StateMachine {
                name: part(name).ok_or_else(malformed)?,
                qualifier: None,
            },
            ("stateMachine", [name, qualifier]) => Resource::StateMachine {
                name: part(name).ok_or_else(malformed)?,
                qualifier: Some(match qualifier.parse::<u64>() {
                    Ok(v) if qualifier.bytes().all(|b| b.is_ascii_digit()) => Qualifier::Version(v),
                    _ => Qualifier::Alias(part(qualifier).ok_or_else(malformed)?),
                }),
            },
            ("execution", [sm, name]) => Resource::Execution {
                state_machine: part(sm).ok_or_else(malformed)?,
                name: part(name).ok_or_else(malformed)?,
            },
            ("express", [sm, name, id]) => Resource::Express {
                state_machine: part(sm).ok_or_else(malformed)?,
                name: part(name).ok_or_else(malformed)?,
                id: part(id).ok_or_else(malformed)?,
            },
            ("activity", [name]) => Resource::Activity {
                name: part(name).ok_or_else(malformed)?,
            },
            ("mapRun", [sm, id]) => Resource::MapRun {
                state_machine: part(sm).ok_or_else(malformed)?,
                id: part(id).ok_or_else(malformed)?,
            },
            ("stateMachine" | "execution" | "express" | "activity" | "mapRun", _) => {
                return Err(malformed());
            }
            (other, _) => return Err(ArnError::ResourceType(other.to_lowercase())),
        };
        Ok(Arn {
            partition: partition.to_owned(),
            region: region.to_owned(),
            account: account.to_owned(),
            resource,
        })
    }

    /// Parses an ARN that must be of one of `allowed` types (the ARN an action takes).
    pub fn parse_as(s: &str, allowed: &[ResourceType]) -> Result<Arn, ArnError> {
        let arn = Arn::parse(s)?;
        let t = arn.resource.resource_type();
        if allowed.contains(&t) {
            Ok(arn)
        } else {
            Err(ArnError::ResourceType(t.as_str().to_lowercase()))
        }
    }
}

impl fmt::Display for Arn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "arn:{}:states:{}:{}:{}:",
            self.partition,
            self.region,
            self.account,
            self.resource.resource_type().as_str()
        )?;
        match &self.resource {
            Resource::StateMachine { name, qualifier } => {
                f.write_str(name)?;
                match qualifier {
                    Some(Qualifier::Version(v)) => write!(f, ":{v}"),
                    Some(Qualifier::Alias(a)) => write!(f, ":{a}"),
                    None => Ok(()),
                }
            }
            Resource::Execution {
                state_machine,
                name,
            } => write!(f, "{state_machine}:{name}"),
            Resource::Express {
                state_machine,
                name,
                id,
            } => write!(f, "{state_machine}:{name}:{id}"),
            Resource::Activity { name } => f.write_str(name),
            Resource::MapRun { state_machine, id } => write!(f, "{state_machine}:{id}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(s: &str) -> Arn {
        let arn = Arn::parse(s).unwrap();
        assert_eq!(arn.to_string(), s);
        arn
    }

    #[test]
    fn parses_and_writes_every_kind() {
        let sm = round_trip("arn:aws:states:us-east-1:123456789012:stateMachine:Hello");
        assert_eq!(sm.region, "us-east-1");
        assert_eq!(sm.account, "123456789012");
        assert_eq!(
            sm.resource,
            Resource::StateMachine {
                name: "Hello".into(),
                qualifier: None
            }
        );
        let v = round_trip("arn:aws:states:us-east-1:123456789012:stateMachine:Hello:3");
        assert!(matches!(
            v.resource,
            Resource::StateMachine {
                qualifier: Some(Qualifier::Version(3)),
                ..
            }
        ));
        let a = round_trip("arn:aws:states:us-east-1:123456789012:stateMachine:Hello:PROD");
        assert!(matches!(
            a.resource,
            Resource::StateMachine {
                qualifier: Some(Qualifier::Alias(_)),
                ..
            }
        ));
        round_trip("arn:aws:states:us-east-1:123456789012:execution:Hello:run-1");
        round_trip("arn:aws:states:us-east-1:123456789012:execution:Hello/Map:6d8a-1");
        round_trip("arn:aws:states:us-east-1:123456789012:express:Hello:run-1:abc");
        round_trip("arn:aws:states:us-east-1:123456789012:activity:work");
        round_trip("arn:aws:states:us-east-1:123456789012:mapRun:Hello/Map:abc");
        round_trip("arn:aws-cn:states:cn-north-1:123456789012:activity:work");
    }

    #[test]
    fn errors_in_aws_words() {
        let e = ApiError::from(Arn::parse("not_a_valid_arn").unwrap_err());
        assert_eq!(
            e.message(),
            "Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'"
        );
        let express = "arn:aws:states:us-east-1:123456789012:express:Hello:run-1:abc";
        let e = ApiError::from(Arn::parse_as(express, &[ResourceType::Execution]).unwrap_err());
        assert_eq!(
            e.message(),
            "Invalid Arn: 'Resource type not valid in this context: express'"
        );
        assert!(matches!(
            Arn::parse("arn:aws:states:us-east-1:123456789012:stateMachine:"),
            Err(ArnError::Malformed(_))
        ));
        assert!(matches!(
            Arn::parse("arn:aws:lambda:us-east-1:123456789012:function:f"),
            Err(ArnError::Prefix(_))
        ));
        assert!(matches!(
            Arn::parse("arn:aws:states:us-east-1:123456789012:widget:x"),
            Err(ArnError::ResourceType(_))
        ));
    }
}
