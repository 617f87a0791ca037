//! A conformance case as stored on disk (see the corpus README for the format).

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value as Json;

/// One case: a definition, an input, and what AWS did with them.
#[derive(Debug, Clone, Deserialize)]
pub struct Case {
    /// The case's id in its source test suite.
    pub id: String,
    /// The test it was recorded by (`tier3_setup.json` is keyed by it).
    #[serde(default)]
    pub source: String,
    /// `tier1_pure`, `tier2_lambda`, `tier3_services` or `validation`.
    pub tier: String,
    /// The definition as sent.
    pub definition: Json,
    /// The execution input (execution cases).
    #[serde(default)]
    pub input: Json,
    /// What AWS returned.
    pub expected: Json,
    /// The history's event types, when recorded.
    #[serde(default)]
    pub history_types: Option<Vec<String>>,
    /// `false` when the recorder re-sorted parts of the history.
    #[serde(default)]
    pub history_types_exact: Option<bool>,
    /// Paths of `expected` whose strings hold redacted tokens.
    #[serde(default)]
    pub placeholders: Vec<Placeholder>,
    /// Concrete values the recorder replaced by placeholders.
    #[serde(default)]
    pub substitutions: Vec<Substitution>,
    /// How the execution was started.
    #[serde(default)]
    pub execution: Option<ExecutionSettings>,
    /// What the case needs besides the engine.
    #[serde(default)]
    pub needs: Vec<Need>,
    /// Caveats.
    #[serde(default)]
    pub notes: Vec<String>,
    /// Feature tags.
    #[serde(default)]
    pub features: Vec<String>,
    /// Paths LocalStack's own test did not verify (nondeterministic values), as JSONPath.
    #[serde(default)]
    pub localstack_skip_verify_paths: Vec<String>,
    /// `STANDARD` or `EXPRESS` (validation cases).
    #[serde(default)]
    pub state_machine_type: Option<String>,
    /// The file the case came from.
    #[serde(skip)]
    pub file: PathBuf,
    /// Where the endpoint the case runs against answers otherwise than AWS did.
    #[serde(skip)]
    pub deviation: Deviation,
}

/// How an AWS-compatible endpoint's answers differ from AWS's for one case.
#[derive(Debug, Clone, Default)]
pub struct Deviation {
    /// Member names not compared.
    pub ignore: Vec<String>,
    /// `(endpoint's text, AWS's text)`: read the first as the second.
    pub rewrite: Vec<(String, String)>,
}

/// A redacted place in `expected`.
#[derive(Debug, Clone, Deserialize)]
pub struct Placeholder {
    /// JSON pointer into `expected`.
    pub path: String,
    /// The tokens standing for redacted text.
    pub tokens: Vec<String>,
}

/// A concrete value and the placeholder that replaced it.
#[derive(Debug, Clone, Deserialize)]
pub struct Substitution {
    /// The concrete value.
    pub value: String,
    /// Its placeholder.
    pub placeholder: String,
}

/// The names an execution was started with.
#[derive(Debug, Clone, Deserialize)]
pub struct ExecutionSettings {
    /// The state machine's name.
    pub state_machine_name: String,
    /// The execution's name.
    pub execution_name: String,
    /// `STANDARD` or `EXPRESS`.
    #[serde(rename = "type", default)]
    pub machine_type: Option<String>,
    /// The role.
    #[serde(default)]
    pub role_arn: Option<String>,
}

/// Something a case relies on.
#[derive(Debug, Clone, Deserialize)]
pub struct Need {
    /// `lambda`, `sqs`, ...
    pub kind: String,
    /// The resource's name.
    #[serde(default)]
    pub name: Option<String>,
    /// Lambda: the handler's Python source.
    #[serde(default)]
    pub handler_source: Option<String>,
    /// Lambda: the runtime.
    #[serde(default)]
    pub runtime: Option<String>,
    /// `service`: which (`sqs`, `s3 (ItemReader/ResultWriter)`, `aws-sdk:s3`, ...).
    #[serde(default)]
    pub service: Option<String>,
}

impl Need {
    /// `true` for what an S3-compatible endpoint provides: buckets and objects, the S3
    /// integrations, a Distributed Map's reader and writer.
    pub fn is_s3(&self) -> bool {
        match self.kind.as_str() {
            "s3" => true,
            "service" => self
                .service
                .as_deref()
                .is_some_and(|s| s.starts_with("s3") || s == "aws-sdk:s3"),
            _ => false,
        }
    }
}

impl Case {
    /// Reads a case file.
    pub fn load(path: &Path) -> Result<Case, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut case: Case =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        case.file = path.to_owned();
        Ok(case)
    }

    /// The file's name without `.json`: the name exception lists use.
    pub fn name(&self) -> String {
        self.file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.id.clone())
    }

    /// `true` when the case has the note (or a note starting with it).
    pub fn has_note(&self, note: &str) -> bool {
        self.notes.iter().any(|n| n.starts_with(note))
    }

    /// Member names never compared: the `$..Name` entries of
    /// `localstack_skip_verify_paths` (values such as request ids and HTTP metadata that
    /// differ on every call).
    pub fn unverified_members(&self) -> Vec<String> {
        self.localstack_skip_verify_paths
            .iter()
            .filter_map(|p| p.strip_prefix("$.."))
            .filter(|name| name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .map(str::to_owned)
            .chain(self.deviation.ignore.iter().cloned())
            .collect()
    }

    /// The instant the recorder computed wall-clock inputs from, if it did.
    pub fn recorded_now(&self) -> Option<&str> {
        self.notes.iter().find_map(|n| {
            let i = n.find("now=")?;
            let rest = &n[i + 4..];
            let end = rest.find([' ', ')']).unwrap_or(rest.len());
            Some(&rest[..end])
        })
    }
}
