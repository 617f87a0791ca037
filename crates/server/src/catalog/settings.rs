//! What a state machine is configured with besides its definition: its type, and its
//! logging, tracing and encryption configurations, checked and completed with AWS's
//! defaults as CreateStateMachine and UpdateStateMachine do, and kept as JSON text.

use baton_api::model::{
    EncryptionConfiguration, EncryptionType, LogLevel, LoggingConfiguration, StateMachineType,
    TracingConfiguration,
};
use baton_api::{ApiError, ErrorCode};
use baton_asl::definition::{self, DefinitionFormat, ParseOptions, Parsed};
use baton_store::MachineType;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The store's type for the API's (`STANDARD` when absent, AWS's default).
pub(super) fn machine_type(given: Option<StateMachineType>) -> MachineType {
    match given {
        Some(StateMachineType::Express) => MachineType::Express,
        Some(StateMachineType::Standard) | None => MachineType::Standard,
    }
}

/// The API's type for the store's.
pub(super) fn api_type(t: MachineType) -> StateMachineType {
    match t {
        MachineType::Standard => StateMachineType::Standard,
        MachineType::Express => StateMachineType::Express,
    }
}

/// Parses a definition's text (JSON, as the API takes it) with the rules of `t`.
pub(super) fn parse_definition(text: &str, t: MachineType) -> Parsed {
    let machine_type = match t {
        MachineType::Standard => definition::MachineType::Standard,
        MachineType::Express => definition::MachineType::Express,
    };
    definition::parse_text(
        text,
        Some(DefinitionFormat::Json),
        ParseOptions { machine_type },
    )
}

/// `Ok` for a definition a machine of type `t` may have, else AWS's `InvalidDefinition`:
/// `Invalid State Machine Definition: '<CODE: message at /location>, ...'` (recorded).
pub(super) fn check_definition(text: &str, t: MachineType) -> Result<(), ApiError> {
    let parsed = parse_definition(text, t);
    if parsed.diagnostics.has_errors() {
        Err(ApiError::new(
            ErrorCode::InvalidDefinition,
            parsed.diagnostics.aws_message(),
        ))
    } else {
        Ok(())
    }
}

/// AWS's `InvalidLoggingConfiguration` (the prefix and both reasons are recorded).
fn invalid_logging(reason: &str) -> ApiError {
    ApiError::new(
        ErrorCode::InvalidLoggingConfiguration,
        format!("Invalid Logging Configuration: {reason}"),
    )
}

/// A logging configuration checked and completed as AWS keeps it: `level` OFF and
/// `includeExecutionData` false when absent (recorded: Describe shows them), `destinations`
/// as given (absent stays absent, `[]` stays `[]`). A level other than OFF needs exactly
/// one destination, and no level accepts more than one.
pub(super) fn logging(
    given: Option<LoggingConfiguration>,
) -> Result<LoggingConfiguration, ApiError> {
    let mut config = given.unwrap_or_default();
    let level = config.level.unwrap_or(LogLevel::Off);
    let destinations = config.destinations.as_deref().unwrap_or_default();
    if destinations.len() > 1 || (level != LogLevel::Off && destinations.is_empty()) {
        return Err(invalid_logging("Must specify exactly one Log Destination."));
    }
    // A destination that names no log group cannot be found (AWS answers this for a log
    // group that does not exist; Baton cannot look log groups up, so it checks only that
    // one is named).
    let unnamed = destinations.iter().any(|d| {
        d.cloud_watch_logs_log_group
            .as_ref()
            .and_then(|g| g.log_group_arn.as_deref())
            .is_none_or(str::is_empty)
    });
    if level != LogLevel::Off && unnamed {
        return Err(invalid_logging("Log Destination not found."));
    }
    config.level = Some(level);
    config.include_execution_data = Some(config.include_execution_data.unwrap_or(false));
    Ok(config)
}

/// A tracing configuration as AWS keeps it: `enabled` false when absent (recorded).
pub(super) fn tracing(given: Option<TracingConfiguration>) -> TracingConfiguration {
    TracingConfiguration {
        enabled: Some(given.and_then(|t| t.enabled).unwrap_or(false)),
    }
}

/// The shortest and longest `kmsDataKeyReusePeriodSeconds` AWS accepts.
const KMS_REUSE_SECONDS: std::ops::RangeInclusive<i32> = 60..=900;

/// An encryption configuration checked as the model documents `InvalidEncryptionConfiguration`
/// (a customer managed key needs `kmsKeyId`; the reuse period is 60 to 900 seconds), and
/// `{"type": "AWS_OWNED_KEY"}` when absent (recorded: Describe shows it). The messages are
/// Baton's. Baton encrypts nothing: the configuration is kept and echoed.
pub(super) fn encryption(
    given: Option<EncryptionConfiguration>,
) -> Result<EncryptionConfiguration, ApiError> {
    let Some(config) = given else {
        return Ok(default_encryption());
    };
    let invalid = |reason: &str| {
        ApiError::new(
            ErrorCode::InvalidEncryptionConfiguration,
            format!("Invalid Encryption Configuration: {reason}"),
        )
    };
    if config.r#type == EncryptionType::CustomerManagedKmsKey
        && config.kms_key_id.as_deref().is_none_or(str::is_empty)
    {
        return Err(invalid(
            "kmsKeyId is required when type is CUSTOMER_MANAGED_KMS_KEY.",
        ));
    }
    if let Some(seconds) = config.kms_data_key_reuse_period_seconds
        && !KMS_REUSE_SECONDS.contains(&seconds)
    {
        return Err(invalid(
            "kmsDataKeyReusePeriodSeconds must be between 60 and 900.",
        ));
    }
    Ok(config)
}

/// AWS's encryption when none is configured.
pub(super) fn default_encryption() -> EncryptionConfiguration {
    EncryptionConfiguration {
        kms_key_id: None,
        kms_data_key_reuse_period_seconds: None,
        r#type: EncryptionType::AwsOwnedKey,
    }
}

/// A configuration as the JSON text the store keeps.
pub(super) fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// A configuration back from the store's JSON text (`None` when absent or unreadable).
pub(super) fn from_json<T: DeserializeOwned>(text: Option<&str>) -> Option<T> {
    text.and_then(|t| serde_json::from_str(t).ok())
}

/// The logging configuration a record keeps, with AWS's defaults when it keeps none.
pub(super) fn stored_logging(text: Option<&str>) -> LoggingConfiguration {
    from_json(text).unwrap_or_else(|| logging(None).unwrap_or_default())
}

/// The tracing configuration a record keeps, with AWS's default when it keeps none.
pub(super) fn stored_tracing(text: Option<&str>) -> TracingConfiguration {
    from_json(text).unwrap_or_else(|| tracing(None))
}

/// The encryption configuration a record keeps, with AWS's default when it keeps none.
pub(super) fn stored_encryption(text: Option<&str>) -> EncryptionConfiguration {
    from_json(text).unwrap_or_else(default_encryption)
}
