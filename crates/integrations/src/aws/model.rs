//! The AWS service models Baton ships (compact forms of botocore's, made by
//! `tools/aws_models.py`), read on first use.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

/// A service Baton can call: its model and the names its errors take.
pub struct Service {
    /// The name in `aws-sdk:NAME:...` (`sqs`, `eventbridge`, `sfn`, ...).
    pub sdk: &'static str,
    /// The key of its endpoint settings (`AWS_ENDPOINT_URL_<KEY>`, lower-cased).
    pub endpoint_key: &'static str,
    /// The optimized integration's error prefix (`SQS` in `SQS.AmazonSQSException`), for
    /// the services that have one.
    pub v1_prefix: &'static str,
    /// The service name in the optimized integration's causes (`AmazonSQS`).
    pub v1_service: &'static str,
    text: &'static str,
    model: OnceLock<Model>,
}

macro_rules! service {
    ($sdk:literal, $key:literal, $prefix:literal, $v1:literal) => {
        Service {
            sdk: $sdk,
            endpoint_key: $key,
            v1_prefix: $prefix,
            v1_service: $v1,
            text: include_str!(concat!("models/", $sdk, ".json")),
            model: OnceLock::new(),
        }
    };
}

/// Every service shipped, by the name in `aws-sdk:NAME:...`.
pub static SERVICES: [Service; 12] = [
    service!("batch", "batch", "Batch", "AWSBatch"),
    service!("dynamodb", "dynamodb", "DynamoDB", "AmazonDynamoDBv2"),
    service!("ecs", "ecs", "ECS", "AmazonECS"),
    service!(
        "eventbridge",
        "eventbridge",
        "EventBridge",
        "AmazonEventBridge"
    ),
    service!("lambda", "lambda", "Lambda", "AWSLambda"),
    service!("s3", "s3", "S3", "Amazon S3"),
    service!(
        "secretsmanager",
        "secrets_manager",
        "SecretsManager",
        "AWSSecretsManager"
    ),
    service!("sfn", "sfn", "StepFunctions", "AWSStepFunctions"),
    service!("sns", "sns", "SNS", "AmazonSNS"),
    service!("sqs", "sqs", "SQS", "AmazonSQS"),
    service!("ssm", "ssm", "SSM", "AWSSimpleSystemsManagement"),
    service!("sts", "sts", "STS", "AWSSecurityTokenService"),
];

/// The service named `sdk` in `aws-sdk:NAME:...`.
pub fn service(sdk: &str) -> Option<&'static Service> {
    SERVICES.iter().find(|s| s.sdk == sdk)
}

impl Service {
    /// A service of a model in the compact form, made at run time (see
    /// [`super::botocore`]); its endpoint key is the SDKs' (`AWS_ENDPOINT_URL_<KEY>`: the
    /// service id, spaces as underscores).
    pub fn from_compact(sdk: &str, compact: &serde_json::Value) -> Result<Service, String> {
        let model = Model::try_parse(&compact.to_string())?;
        let key = model.meta.service_id.to_ascii_lowercase().replace(' ', "_");
        let service = Service {
            // Kept for the life of the process, as the shipped services' names are.
            sdk: Box::leak(sdk.to_owned().into_boxed_str()),
            endpoint_key: Box::leak(key.into_boxed_str()),
            v1_prefix: "",
            v1_service: "",
            text: "",
            model: OnceLock::new(),
        };
        let _ = service.model.set(model);
        Ok(service)
    }

    /// The model, parsed on first use.
    pub fn model(&self) -> &Model {
        self.model.get_or_init(|| Model::parse(self.text))
    }

    /// The AWS SDK for Java 2's name for the service (`DynamoDb`, `Sfn`,
    /// `SecretsManager`): the `aws-sdk` integrations' error prefix.
    pub fn v2_prefix(&self) -> String {
        java_v2_name(&self.model().meta.service_id)
    }

    /// The optimized integration's base exception (`AmazonSQSException`), for errors the
    /// model does not name.
    pub fn v1_base_exception(&self) -> String {
        format!(
            "{}Exception",
            self.v1_service.trim_end_matches("v2").replace(' ', "")
        )
    }
}

/// The Java SDK 2's class-name form of a service id: words split at spaces and case
/// changes, each capitalised (`DynamoDB` → `DynamoDb`, `SFN` → `Sfn`).
pub fn java_v2_name(service_id: &str) -> String {
    let mut out = String::new();
    for word in service_id.split([' ', '-', '_']) {
        let chars: Vec<char> = word.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            // An upper-case run is one word, less its last letter when a lower-case one
            // follows (`DBInstance` → `DB`, `Instance`).
            let start = i;
            if chars[i].is_ascii_uppercase() {
                let mut j = i;
                while j < chars.len() && chars[j].is_ascii_uppercase() {
                    j += 1;
                }
                if j - i > 1 {
                    if j < chars.len() && chars[j].is_ascii_lowercase() {
                        j -= 1;
                    }
                    i = j;
                } else {
                    i += 1;
                    while i < chars.len() && !chars[i].is_ascii_uppercase() {
                        i += 1;
                    }
                }
            } else {
                while i < chars.len() && !chars[i].is_ascii_uppercase() {
                    i += 1;
                }
            }
            let w: String = chars[start..i].iter().collect();
            let mut cs = w.chars();
            if let Some(first) = cs.next() {
                out.push(first.to_ascii_uppercase());
                out.push_str(&cs.as_str().to_ascii_lowercase());
            }
        }
    }
    out
}

/// A service model.
#[derive(Debug, Deserialize)]
pub struct Model {
    /// The service's metadata.
    pub meta: Meta,
    ops: HashMap<String, Operation>,
    shapes: HashMap<String, Shape>,
    #[serde(skip)]
    errors_by_code: HashMap<String, String>,
}

/// What the model says of the service as a whole.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    /// `json`, `query`, `rest-json` or `rest-xml`.
    pub protocol: String,
    /// `1.0` or `1.1` for the JSON protocols.
    pub json_version: Option<String>,
    /// The `X-Amz-Target` prefix of the JSON protocol.
    pub target_prefix: Option<String>,
    /// The SigV4 service name, when not the endpoint prefix.
    pub signing_name: Option<String>,
    /// The host name's first label.
    pub endpoint_prefix: String,
    /// The service id (`DynamoDB`, `SFN`, `Secrets Manager`).
    pub service_id: String,
    /// The API version (the query protocol's `Version`).
    pub api_version: String,
    /// The XML namespace of rest-xml bodies.
    pub xml_namespace: Option<String>,
}

impl Meta {
    /// The SigV4 service name.
    pub fn signing_name(&self) -> &str {
        self.signing_name
            .as_deref()
            .unwrap_or(&self.endpoint_prefix)
    }
}

/// One operation.
#[derive(Debug, Deserialize)]
pub struct Operation {
    /// The HTTP method.
    #[serde(rename = "m")]
    pub method: String,
    /// The request URI template.
    #[serde(rename = "u")]
    pub uri: String,
    /// The input shape.
    #[serde(rename = "i")]
    pub input: Option<String>,
    /// The output shape.
    #[serde(rename = "o")]
    pub output: Option<String>,
    /// The query protocol's result element.
    #[serde(rename = "w")]
    pub wrapper: Option<String>,
    /// The success status code, when not 200.
    #[serde(rename = "c")]
    pub code: Option<u16>,
}

/// A shape.
#[derive(Debug, Deserialize)]
pub struct Shape {
    /// `structure`, `list`, `map`, or a scalar type.
    #[serde(rename = "t")]
    pub kind: String,
    /// A structure's members, or a list's member.
    #[serde(rename = "m", default)]
    members: Option<MembersOrMember>,
    /// A map's key.
    #[serde(rename = "k")]
    pub key: Option<Member>,
    /// A map's value.
    #[serde(rename = "v")]
    pub value: Option<Member>,
    /// A flattened list or map (query and XML protocols).
    #[serde(rename = "f", default)]
    pub flattened: u8,
    /// The member that is the whole HTTP body.
    #[serde(rename = "p")]
    pub payload: Option<String>,
    /// `1` for an exception.
    #[serde(rename = "x", default)]
    pub exception: u8,
    /// `1` for a document (any JSON).
    #[serde(rename = "d", default)]
    pub document: u8,
    /// An exception's error code, when not its name.
    #[serde(rename = "c")]
    pub code: Option<String>,
    /// The element name of a structure at the top of an XML body.
    #[serde(rename = "n")]
    pub location_name: Option<String>,
    /// A timestamp's format.
    #[serde(rename = "tf")]
    pub timestamp_format: Option<String>,
    /// A string holding JSON (in a header).
    #[serde(rename = "jv", default)]
    pub jsonvalue: serde_json::Value,
    /// A streamed blob.
    #[serde(rename = "st", default)]
    pub streaming: serde_json::Value,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum MembersOrMember {
    Members(indexmap::IndexMap<String, Member>),
    Member(Member),
}

/// A reference to a shape from a structure, list or map, with how it is placed.
#[derive(Debug, Clone, Deserialize)]
#[serde(from = "MemberForm")]
pub struct Member {
    /// The shape's name (`@string` and the like for plain scalars).
    pub shape: String,
    /// `uri`, `querystring`, `header`, `headers` or `statusCode`.
    pub location: Option<String>,
    /// The name on the wire, when not the member's.
    pub location_name: Option<String>,
    /// A flattened list.
    pub flattened: bool,
    /// An XML attribute.
    pub xml_attribute: bool,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum MemberForm {
    Name(String),
    Full {
        s: String,
        l: Option<String>,
        n: Option<String>,
        #[serde(default)]
        f: u8,
        #[serde(default)]
        x: u8,
    },
}

impl From<MemberForm> for Member {
    fn from(f: MemberForm) -> Member {
        match f {
            MemberForm::Name(shape) => Member {
                shape,
                location: None,
                location_name: None,
                flattened: false,
                xml_attribute: false,
            },
            MemberForm::Full { s, l, n, f, x } => Member {
                shape: s,
                location: l,
                location_name: n,
                flattened: f == 1,
                xml_attribute: x == 1,
            },
        }
    }
}

static SCALARS: OnceLock<HashMap<String, Shape>> = OnceLock::new();

/// The scalar types of botocore's models (a plain one is named `@TYPE` in the compact form).
pub const SCALAR_TYPES: [&str; 10] = [
    "string",
    "integer",
    "long",
    "float",
    "double",
    "boolean",
    "timestamp",
    "blob",
    "bigdecimal",
    "biginteger",
];

fn scalar(kind: &str) -> Shape {
    Shape {
        kind: kind.to_owned(),
        members: None,
        key: None,
        value: None,
        flattened: 0,
        payload: None,
        exception: 0,
        document: 0,
        code: None,
        location_name: None,
        timestamp_format: None,
        jsonvalue: serde_json::Value::Null,
        streaming: serde_json::Value::Null,
    }
}

impl Model {
    fn parse(text: &str) -> Model {
        Model::try_parse(text).expect("the shipped model parses")
    }

    fn try_parse(text: &str) -> Result<Model, String> {
        let mut model: Model = serde_json::from_str(text).map_err(|e| e.to_string())?;
        // A list's member given as an object of strings only (`{"s": "Tag", "n": "Tag"}`)
        // reads as a structure's members: put it back as the one member it is.
        for shape in model.shapes.values_mut() {
            if shape.kind != "list" {
                continue;
            }
            if let Some(MembersOrMember::Members(map)) = &shape.members {
                let field = |k: &str| map.get(k).map(|m| m.shape.clone());
                let Some(s) = field("s") else {
                    return Err("a list's member has no shape".into());
                };
                shape.members = Some(MembersOrMember::Member(Member {
                    shape: s,
                    location: field("l"),
                    location_name: field("n"),
                    flattened: false,
                    xml_attribute: false,
                }));
            }
        }
        let mut codes = HashMap::new();
        for (name, shape) in &model.shapes {
            if shape.exception == 1 {
                codes.insert(name.clone(), name.clone());
                if let Some(code) = &shape.code {
                    codes.insert(code.clone(), name.clone());
                }
            }
        }
        model.errors_by_code = codes;
        Ok(model)
    }

    /// The operation named `name` (its PascalCase API name, e.g. `PutItem`).
    pub fn operation(&self, name: &str) -> Option<&Operation> {
        self.ops.get(name)
    }

    /// The operation an `aws-sdk` action names (camelCase: `putItem` → `PutItem`),
    /// compared without regard to case.
    pub fn operation_for_action(&self, action: &str) -> Option<(&str, &Operation)> {
        if let Some((k, v)) = self.ops.get_key_value(&upper_first(action)) {
            return Some((k.as_str(), v));
        }
        self.ops
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(action))
            .map(|(k, v)| (k.as_str(), v))
    }

    /// A shape by name (or `@type` for a plain scalar).
    pub fn shape(&self, name: &str) -> &Shape {
        if let Some(kind) = name.strip_prefix('@') {
            let scalars = SCALARS.get_or_init(|| {
                SCALAR_TYPES
                    .iter()
                    .map(|k| (format!("@{k}"), scalar(k)))
                    .collect()
            });
            return scalars
                .get(name)
                .unwrap_or_else(|| panic!("unknown scalar type {kind}"));
        }
        self.shapes
            .get(name)
            .unwrap_or_else(|| panic!("the model has no shape {name}"))
    }

    /// The modeled exception an error code names.
    pub fn exception_for_code(&self, code: &str) -> Option<&str> {
        self.errors_by_code.get(code).map(String::as_str)
    }
}

impl Shape {
    /// A structure's members, in the model's order.
    pub fn members(&self) -> impl Iterator<Item = (&str, &Member)> {
        let map = match &self.members {
            Some(MembersOrMember::Members(m)) => Some(m),
            _ => None,
        };
        map.into_iter()
            .flat_map(|m| m.iter().map(|(k, v)| (k.as_str(), v)))
    }

    /// A structure's member by name.
    pub fn member(&self, name: &str) -> Option<&Member> {
        match &self.members {
            Some(MembersOrMember::Members(m)) => m.get(name),
            _ => None,
        }
    }

    /// A list's member.
    pub fn list_member(&self) -> Option<&Member> {
        match &self.members {
            Some(MembersOrMember::Member(m)) => Some(m),
            _ => None,
        }
    }

    /// `true` for a JSON-valued string (a header holding base64 JSON).
    pub fn is_jsonvalue(&self) -> bool {
        !self.jsonvalue.is_null() && self.jsonvalue != serde_json::Value::Bool(false)
    }
}

/// `putItem` → `PutItem`.
pub fn upper_first(s: &str) -> String {
    let mut cs = s.chars();
    match cs.next() {
        Some(c) => c.to_uppercase().chain(cs).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_model_parses() {
        for s in &SERVICES {
            let m = s.model();
            assert!(m.ops.len() > 10, "{}", s.sdk);
            for op in m.ops.values() {
                if let Some(i) = &op.input {
                    m.shape(i);
                }
            }
        }
    }

    #[test]
    fn java_names_of_services() {
        assert_eq!(java_v2_name("DynamoDB"), "DynamoDb");
        assert_eq!(java_v2_name("SFN"), "Sfn");
        assert_eq!(java_v2_name("Secrets Manager"), "SecretsManager");
        assert_eq!(java_v2_name("S3"), "S3");
        assert_eq!(java_v2_name("EventBridge"), "EventBridge");
        assert_eq!(java_v2_name("Lambda"), "Lambda");
        assert_eq!(
            service("sqs").unwrap().v1_base_exception(),
            "AmazonSQSException"
        );
        assert_eq!(
            service("dynamodb").unwrap().v1_base_exception(),
            "AmazonDynamoDBException"
        );
    }

    #[test]
    fn actions_find_operations() {
        let m = service("dynamodb").unwrap().model();
        assert_eq!(m.operation_for_action("putItem").unwrap().0, "PutItem");
        let m = service("sns").unwrap().model();
        assert_eq!(
            m.exception_for_code("InvalidParameter"),
            Some("InvalidParameterException")
        );
    }
}
