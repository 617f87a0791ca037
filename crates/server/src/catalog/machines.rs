//! State machines: CreateStateMachine, DescribeStateMachine, UpdateStateMachine,
//! DeleteStateMachine, ListStateMachines, and ValidateStateMachineDefinition.

use baton_api::model::*;
use baton_api::name::check_name;
use baton_api::page::page_size;
use baton_api::{ApiError, ErrorCode, RequestContext};
use baton_asl::Severity;
use baton_asl::definition::variable_references;
use baton_store::{MachineType, Page, StateMachineRecord, StoreError};

use super::settings::{self, to_json};
use super::{
    Catalog, MachineArn, label_arn, non_empty, now, page_position, page_token, qualified_arn,
    store_error, tags, ts,
};

/// AWS's `ValidationException` for a `versionDescription` without `publish` (recorded).
const DESCRIPTION_WITHOUT_PUBLISH: &str =
    "Version description can only be set when publish is true";

/// AWS's `MissingRequiredParameter` for an UpdateStateMachine that changes nothing
/// (recorded).
const NOTHING_TO_UPDATE: &str = "Either the definition, the role ARN, the LoggingConfiguration, \
                                 or the TracingConfiguration must be specified";

/// How many machines ListStateMachines reads from the store at a time.
const READ_BATCH: usize = 1000;

/// What Describe shows of a state machine or of one of its versions.
struct Described<'a> {
    arn: &'a str,
    name: &'a str,
    definition: &'a str,
    role_arn: &'a str,
    machine_type: MachineType,
    created: i64,
    logging: Option<&'a str>,
    tracing: Option<&'a str>,
    encryption: Option<&'a str>,
    revision_id: &'a str,
    description: Option<&'a str>,
}

impl Described<'_> {
    /// DescribeStateMachine's answer: AWS's defaults for configurations never set, no
    /// `revisionId` before the first update, `variableReferences` when the definition
    /// reads variables (recorded), no `label`.
    fn output(&self) -> DescribeStateMachineOutput {
        let mut out = DescribeStateMachineOutput::new(
            self.arn.to_owned(),
            self.name.to_owned(),
            self.definition.to_owned(),
            self.role_arn.to_owned(),
            settings::api_type(self.machine_type),
            ts(self.created),
        );
        out.status = Some(StateMachineStatus::Active);
        out.logging_configuration = Some(settings::stored_logging(self.logging));
        out.tracing_configuration = Some(settings::stored_tracing(self.tracing));
        out.encryption_configuration = Some(settings::stored_encryption(self.encryption));
        out.revision_id = non_empty(self.revision_id);
        out.description = self.description.map(str::to_owned);
        let parsed = settings::parse_definition(self.definition, self.machine_type);
        if let Some(machine) = &parsed.machine {
            let references = variable_references(machine);
            if !references.is_empty() {
                out.variable_references = Some(
                    references
                        .into_iter()
                        .map(|(state, names)| {
                            (
                                state.to_string(),
                                names.iter().map(|n| n.to_string()).collect(),
                            )
                        })
                        .collect(),
                );
            }
        }
        out
    }
}

impl Catalog {
    /// `CreateStateMachine`.
    ///
    /// Idempotent as AWS documents it: a machine of the same name with the same definition,
    /// type, logging, tracing and encryption configurations, created with the same
    /// `publish` and `versionDescription`, is answered with its ARN and creation date
    /// (and the version published then); a different role or tags are ignored. Any other
    /// machine of that name is `StateMachineAlreadyExists`.
    pub async fn create_state_machine(
        &self,
        _ctx: RequestContext,
        input: CreateStateMachineInput,
    ) -> Result<CreateStateMachineOutput, ApiError> {
        let publish = input.publish.unwrap_or(false);
        if !publish && input.version_description.is_some() {
            return Err(ApiError::validation(DESCRIPTION_WITHOUT_PUBLISH));
        }
        check_name(&input.name)?;
        let machine_type = settings::machine_type(input.r#type);
        let logging = to_json(&settings::logging(input.logging_configuration)?);
        let tracing = to_json(&settings::tracing(input.tracing_configuration));
        let encryption = to_json(&settings::encryption(input.encryption_configuration)?);
        settings::check_definition(&input.definition, machine_type)?;
        let tags = tags::requested(input.tags.unwrap_or_default())?;
        let arn = self.machine_arn(&input.name);
        tags::check_count(&arn, tags.len())?;

        let _writing = self.writes.lock().await;
        if let Some(existing) = self.machine(&arn).await? {
            let same = existing.definition == input.definition
                && existing.machine_type == machine_type
                && existing.logging.as_deref() == Some(logging.as_str())
                && existing.tracing.as_deref() == Some(tracing.as_str())
                && existing.encryption.as_deref() == Some(encryption.as_str());
            if same {
                // The version published by the creation: version 1 of the first revision,
                // published at the creation's instant.
                let first = self
                    .all_versions(&arn)
                    .await?
                    .into_iter()
                    .find(|v| v.revision_id.is_empty() && v.created == existing.created);
                let same_publish = match &first {
                    Some(v) => publish && v.description == input.version_description,
                    None => !publish,
                };
                if same_publish {
                    return Ok(CreateStateMachineOutput {
                        state_machine_arn: existing.arn,
                        creation_date: ts(existing.created),
                        state_machine_version_arn: first.map(|v| v.arn),
                    });
                }
            }
            return Err(ApiError::state_machine_already_exists(&arn));
        }

        let created = now();
        let machine = StateMachineRecord {
            arn: arn.clone(),
            name: input.name,
            machine_type,
            definition: input.definition,
            role_arn: input.role_arn,
            created,
            updated: created,
            revision_id: String::new(),
            description: None,
            logging: Some(logging),
            tracing: Some(tracing),
            encryption: Some(encryption),
        };
        self.store
            .create_state_machine(machine.clone())
            .await
            .map_err(|e| match e {
                StoreError::AlreadyExists(_) => ApiError::state_machine_already_exists(&arn),
                e => store_error(e),
            })?;
        if !tags.is_empty() {
            self.store.tag(&arn, tags).await.map_err(store_error)?;
        }
        let version_arn = if publish {
            let version = self
                .publish_locked(&machine, input.version_description, created)
                .await?;
            Some(version.arn)
        } else {
            None
        };
        Ok(CreateStateMachineOutput {
            state_machine_arn: arn,
            creation_date: ts(created),
            state_machine_version_arn: version_arn,
        })
    }

    /// `DescribeStateMachine`, of a state machine or of one of its versions (whose
    /// `stateMachineArn` is then the version's ARN, recorded).
    ///
    /// `includedData` changes nothing: Baton does not encrypt definitions, so there is
    /// nothing a caller could be unable to decrypt.
    pub async fn describe_state_machine(
        &self,
        _ctx: RequestContext,
        input: DescribeStateMachineInput,
    ) -> Result<DescribeStateMachineOutput, ApiError> {
        let arn = input.state_machine_arn.as_str();
        let does_not_exist = || ApiError::state_machine_does_not_exist(arn);
        match MachineArn::parse(arn)? {
            MachineArn::Label => Err(label_arn(arn)),
            MachineArn::Alias { .. } => Err(does_not_exist()),
            MachineArn::Machine { .. } => {
                let m = self.machine(arn).await?.ok_or_else(does_not_exist)?;
                Ok(Described {
                    arn: &m.arn,
                    name: &m.name,
                    definition: &m.definition,
                    role_arn: &m.role_arn,
                    machine_type: m.machine_type,
                    created: m.created,
                    logging: m.logging.as_deref(),
                    tracing: m.tracing.as_deref(),
                    encryption: m.encryption.as_deref(),
                    revision_id: &m.revision_id,
                    description: m.description.as_deref(),
                }
                .output())
            }
            MachineArn::Version { machine_arn } => {
                let v = self
                    .store
                    .version(arn)
                    .await
                    .map_err(store_error)?
                    .ok_or_else(does_not_exist)?;
                let m = self
                    .machine(&machine_arn)
                    .await?
                    .ok_or_else(does_not_exist)?;
                Ok(Described {
                    arn: &v.arn,
                    name: &m.name,
                    definition: &v.definition,
                    role_arn: &v.role_arn,
                    machine_type: v.machine_type,
                    created: v.created,
                    logging: v.logging.as_deref(),
                    tracing: v.tracing.as_deref(),
                    // Versions keep no encryption configuration of their own: the
                    // machine's is shown.
                    encryption: m.encryption.as_deref(),
                    revision_id: &v.revision_id,
                    description: v.description.as_deref(),
                }
                .output())
            }
        }
    }

    /// `UpdateStateMachine`.
    ///
    /// An update that changes something starts a new revision (a new `revisionId`, the
    /// `updateDate`); one that changes nothing keeps the revision (recorded). With
    /// `publish`, the current revision is published, or its version returned if it has
    /// one (recorded).
    pub async fn update_state_machine(
        &self,
        _ctx: RequestContext,
        input: UpdateStateMachineInput,
    ) -> Result<UpdateStateMachineOutput, ApiError> {
        let arn = input.state_machine_arn.as_str();
        if input.definition.is_none()
            && input.role_arn.is_none()
            && input.logging_configuration.is_none()
            && input.tracing_configuration.is_none()
            && input.encryption_configuration.is_none()
        {
            return Err(ApiError::new(
                ErrorCode::MissingRequiredParameter,
                NOTHING_TO_UPDATE,
            ));
        }
        let publish = input.publish.unwrap_or(false);
        if !publish && input.version_description.is_some() {
            return Err(ApiError::validation(DESCRIPTION_WITHOUT_PUBLISH));
        }
        match MachineArn::parse(arn)? {
            MachineArn::Machine { .. } => {}
            MachineArn::Label => return Err(label_arn(arn)),
            MachineArn::Version { .. } | MachineArn::Alias { .. } => {
                return Err(ApiError::state_machine_does_not_exist(arn));
            }
        }
        let logging = input
            .logging_configuration
            .map(|l| settings::logging(Some(l)))
            .transpose()?;
        let encryption = input
            .encryption_configuration
            .map(|e| settings::encryption(Some(e)))
            .transpose()?;

        let _writing = self.writes.lock().await;
        let current = self
            .machine(arn)
            .await?
            .ok_or_else(|| ApiError::state_machine_does_not_exist(arn))?;
        if let Some(definition) = &input.definition {
            settings::check_definition(definition, current.machine_type)?;
        }
        let mut next = current.clone();
        if let Some(definition) = input.definition {
            next.definition = definition;
        }
        if let Some(role_arn) = input.role_arn {
            next.role_arn = role_arn;
        }
        if let Some(logging) = logging {
            next.logging = Some(to_json(&logging));
        }
        if let Some(tracing) = input.tracing_configuration {
            next.tracing = Some(to_json(&settings::tracing(Some(tracing))));
        }
        if let Some(encryption) = encryption {
            next.encryption = Some(to_json(&encryption));
        }
        if next != current {
            next.revision_id = uuid::Uuid::new_v4().to_string();
            next.updated = now();
            self.store
                .update_state_machine(next.clone())
                .await
                .map_err(|e| match e {
                    StoreError::NotFound(_) => ApiError::state_machine_does_not_exist(arn),
                    e => store_error(e),
                })?;
        }
        let version_arn = if publish {
            let version = self
                .publish_locked(&next, input.version_description, now())
                .await?;
            Some(version.arn)
        } else {
            None
        };
        Ok(UpdateStateMachineOutput {
            update_date: ts(next.updated),
            revision_id: non_empty(&next.revision_id),
            state_machine_version_arn: version_arn,
        })
    }

    /// `DeleteStateMachine`: the machine with its versions, aliases and tags, at once
    /// (AWS deletes asynchronously; its answer is the same). A machine that does not exist
    /// is no error (recorded).
    pub async fn delete_state_machine(
        &self,
        _ctx: RequestContext,
        input: DeleteStateMachineInput,
    ) -> Result<DeleteStateMachineOutput, ApiError> {
        let arn = input.state_machine_arn.as_str();
        match MachineArn::parse(arn)? {
            MachineArn::Machine { .. } => {}
            _ => return Err(qualified_arn(arn)),
        }
        let _writing = self.writes.lock().await;
        match self.store.delete_state_machine(arn).await {
            Ok(()) | Err(StoreError::NotFound(_)) => Ok(DeleteStateMachineOutput {}),
            Err(e) => Err(store_error(e)),
        }
    }

    /// `ListStateMachines`, by name (as AWS lists them: recorded), a page at a time.
    pub async fn list_state_machines(
        &self,
        _ctx: RequestContext,
        input: ListStateMachinesInput,
    ) -> Result<ListStateMachinesOutput, ApiError> {
        const KIND: &str = "machines";
        let after = page_position(input.next_token.as_deref(), KIND)?;
        let limit = page_size(input.max_results);
        let mut all = Vec::new();
        let mut token = None;
        loop {
            let page = self
                .store
                .list_state_machines(Page {
                    token,
                    limit: READ_BATCH,
                })
                .await
                .map_err(store_error)?;
            all.extend(page.items);
            match page.next {
                Some(next) => token = Some(next),
                None => break,
            }
        }
        all.sort_by(|a, b| a.name.cmp(&b.name));
        let mut rest = all
            .into_iter()
            .filter(|m| after.as_ref().is_none_or(|after| m.name > *after))
            .peekable();
        let mut state_machines = Vec::new();
        let mut last = None;
        while state_machines.len() < limit {
            let Some(m) = rest.next() else { break };
            last = Some(m.name.clone());
            state_machines.push(StateMachineListItem {
                state_machine_arn: m.arn,
                name: m.name,
                r#type: settings::api_type(m.machine_type),
                creation_date: ts(m.created),
            });
        }
        let more = rest.peek().is_some();
        Ok(ListStateMachinesOutput {
            state_machines,
            next_token: page_token(last.filter(|_| more), KIND),
        })
    }

    /// `ValidateStateMachineDefinition`: the definition checked as CreateStateMachine
    /// checks it for the `type` given (STANDARD by default). `result` is FAIL when there
    /// is an error; diagnostics are the errors, or errors and warnings for `severity`
    /// WARNING, at most `maxResults` (100 by default) with `truncated` saying whether some
    /// were left out (AWS's shape, recorded: `truncated` always present, no `location` for
    /// a problem without one).
    pub async fn validate_state_machine_definition(
        &self,
        _ctx: RequestContext,
        input: ValidateStateMachineDefinitionInput,
    ) -> Result<ValidateStateMachineDefinitionOutput, ApiError> {
        let machine_type = settings::machine_type(input.r#type);
        let parsed = settings::parse_definition(&input.definition, machine_type);
        let with_warnings = input.severity == Some(ValidateStateMachineDefinitionSeverity::Warning);
        let mut diagnostics: Vec<ValidateStateMachineDefinitionDiagnostic> = parsed
            .diagnostics
            .iter()
            .filter(|d| with_warnings || d.severity == Severity::Error)
            .map(|d| ValidateStateMachineDefinitionDiagnostic {
                severity: match d.severity {
                    Severity::Error => ValidateStateMachineDefinitionSeverity::Error,
                    Severity::Warning => ValidateStateMachineDefinitionSeverity::Warning,
                },
                code: d.code.as_str().to_owned(),
                message: d.message.clone(),
                location: non_empty(&d.location),
            })
            .collect();
        let limit = page_size(input.max_results);
        let truncated = diagnostics.len() > limit;
        diagnostics.truncate(limit);
        Ok(ValidateStateMachineDefinitionOutput {
            result: if parsed.diagnostics.has_errors() {
                ValidateStateMachineDefinitionResultCode::Fail
            } else {
                ValidateStateMachineDefinitionResultCode::Ok
            },
            diagnostics,
            truncated: Some(truncated),
        })
    }
}
