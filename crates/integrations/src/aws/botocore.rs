//! Service models read at run time from a botocore data directory (`[aws] models-dir`,
//! e.g. `.../site-packages/botocore/data`), so that `aws-sdk:SERVICE:ACTION` reaches any
//! service whose protocol Baton speaks, beyond the models it ships.
//!
//! A service is looked up on first use: `DIR/<botocore name>/<latest API version>/
//! service-2.json` (or `.json.gz`, as botocore's wheels hold them), turned into the compact
//! form of the shipped models (`tools/aws_models.py` does the same for those), and kept
//! for the life of the process.

use std::collections::HashMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::{Map, Value, json};

use super::model::{SCALAR_TYPES, Service};

/// The services of a botocore data directory, loaded as they are asked for.
pub struct ExtraModels {
    dir: PathBuf,
    /// By `aws-sdk` name; `None` for a name that was looked for and is not there (or not
    /// usable), so that it is looked for once.
    loaded: Mutex<HashMap<String, Option<&'static Service>>>,
}

/// Step Functions' `aws-sdk` names (the AWS SDK for Java 2's) that are not botocore's
/// directory names.
const ALIASES: &[(&str, &str)] = &[
    ("acmpca", "acm-pca"),
    ("applicationautoscaling", "application-autoscaling"),
    ("cloudwatchevents", "events"),
    ("cloudwatchlogs", "logs"),
    ("codestarnotifications", "codestar-notifications"),
    ("cognitoidentityprovider", "cognito-idp"),
    ("costexplorer", "ce"),
    ("databasemigration", "dms"),
    ("elasticloadbalancing", "elb"),
    ("elasticloadbalancingv2", "elbv2"),
    ("eventbridge", "events"),
    ("firehose", "firehose"),
    ("iotdataplane", "iot-data"),
    ("kinesisfirehose", "firehose"),
    ("lexruntimev2", "lexv2-runtime"),
    ("sagemakerruntime", "sagemaker-runtime"),
    ("sfn", "stepfunctions"),
    ("timestreamquery", "timestream-query"),
    ("timestreamwrite", "timestream-write"),
];

/// The protocols Baton's requests and answers speak.
const PROTOCOLS: &[&str] = &["json", "rest-json", "query", "rest-xml"];

impl ExtraModels {
    /// The models under `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> ExtraModels {
        ExtraModels {
            dir: dir.into(),
            loaded: Mutex::new(HashMap::new()),
        }
    }

    /// The service `sdk` names (`kinesis`, `cloudwatchlogs`, ...), read on first use;
    /// `None` when the directory has no usable model for it (why is logged, once).
    pub fn service(&self, sdk: &str) -> Option<&'static Service> {
        let mut loaded = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(found) = loaded.get(sdk) {
            return *found;
        }
        let found = match self.load(sdk) {
            Ok(service) => {
                // Kept for the life of the process, as the shipped models are.
                Some(&*Box::leak(Box::new(service)))
            }
            Err(why) => {
                tracing::warn!(service = sdk, dir = %self.dir.display(), "no model for aws-sdk:{sdk}: {why}");
                None
            }
        };
        loaded.insert(sdk.to_owned(), found);
        found
    }

    fn load(&self, sdk: &str) -> Result<Service, String> {
        let dir = self
            .service_dir(sdk)
            .ok_or_else(|| "no directory of that name".to_owned())?;
        let model = read_latest(&dir)?;
        let protocol = model["metadata"]["protocol"].as_str().unwrap_or_default();
        if !PROTOCOLS.contains(&protocol) {
            return Err(format!(
                "its protocol ({protocol}) is not one Baton speaks (json, rest-json, query, rest-xml)"
            ));
        }
        Service::from_compact(sdk, &compact(&model)?)
    }

    /// `DIR/NAME` for an alias, the name itself, or the name with the dashes of a
    /// directory's name taken out (`cognito-sync` for `cognitosync`).
    fn service_dir(&self, sdk: &str) -> Option<PathBuf> {
        if sdk.is_empty() || !sdk.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return None;
        }
        let mut names: Vec<String> = ALIASES
            .iter()
            .filter(|(a, _)| *a == sdk)
            .map(|(_, d)| (*d).to_owned())
            .collect();
        names.push(sdk.to_owned());
        for name in names {
            let path = self.dir.join(&name);
            if path.is_dir() {
                return Some(path);
            }
        }
        std::fs::read_dir(&self.dir)
            .ok()?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| {
                p.is_dir()
                    && p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.replace('-', "") == sdk)
            })
    }
}

/// The newest API version's `service-2.json` (or `.json.gz`) under a service's directory.
fn read_latest(service_dir: &Path) -> Result<Value, String> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir(service_dir)
        .map_err(|e| e.to_string())?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    versions.sort();
    let version = versions
        .last()
        .ok_or_else(|| "no API version in its directory".to_owned())?;
    let plain = version.join("service-2.json");
    let zipped = version.join("service-2.json.gz");
    let bytes = if plain.is_file() {
        std::fs::read(&plain).map_err(|e| e.to_string())?
    } else {
        let file =
            std::fs::File::open(&zipped).map_err(|e| format!("{}: {e}", zipped.display()))?;
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(file)
            .read_to_end(&mut out)
            .map_err(|e| format!("{}: {e}", zipped.display()))?;
        out
    };
    serde_json::from_slice(&bytes).map_err(|e| format!("not a model: {e}"))
}

const META_KEYS: &[&str] = &[
    "protocol",
    "jsonVersion",
    "targetPrefix",
    "signingName",
    "endpointPrefix",
    "serviceId",
    "apiVersion",
    "xmlNamespace",
    "globalEndpoint",
];

fn plain_scalar(shape: &Value) -> bool {
    let t = shape["type"].as_str().unwrap_or_default();
    SCALAR_TYPES.contains(&t)
        && ["timestampFormat", "jsonvalue", "streaming"]
            .iter()
            .all(|k| shape.get(*k).is_none())
}

fn is_true(v: &Value) -> bool {
    v.as_bool() == Some(true)
}

/// A member reference in the compact form: a shape's name (`@TYPE` for a plain scalar), or
/// an object with how it is placed.
fn reference(shapes: &Map<String, Value>, r: &Value) -> Result<Value, String> {
    let name = r["shape"]
        .as_str()
        .ok_or_else(|| "a member without a shape".to_owned())?;
    let target = shapes
        .get(name)
        .ok_or_else(|| format!("an unknown shape {name}"))?;
    let name = if plain_scalar(target) {
        format!("@{}", target["type"].as_str().unwrap_or_default())
    } else {
        name.to_owned()
    };
    let mut extra = Map::new();
    for (key, short) in [("location", "l"), ("locationName", "n"), ("queryName", "q")] {
        if let Some(v) = r.get(key) {
            extra.insert(short.into(), v.clone());
        }
    }
    for (key, short) in [
        ("flattened", "f"),
        ("xmlAttribute", "x"),
        ("jsonvalue", "jv"),
    ] {
        if is_true(&r[key]) {
            extra.insert(short.into(), json!(1));
        }
    }
    if extra.is_empty() {
        return Ok(Value::String(name));
    }
    extra.insert("s".into(), Value::String(name));
    Ok(Value::Object(extra))
}

/// botocore's model in the compact form the shipped models have (see
/// `tools/aws_models.py`).
pub fn compact(model: &Value) -> Result<Value, String> {
    let metadata = model["metadata"]
        .as_object()
        .ok_or_else(|| "no metadata".to_owned())?;
    let meta: Map<String, Value> = META_KEYS
        .iter()
        .filter_map(|k| metadata.get(*k).map(|v| ((*k).to_owned(), v.clone())))
        .collect();
    let shapes = model["shapes"]
        .as_object()
        .ok_or_else(|| "no shapes".to_owned())?;
    let mut ops = Map::new();
    for (name, op) in model["operations"]
        .as_object()
        .ok_or_else(|| "no operations".to_owned())?
    {
        let http = &op["http"];
        let mut o = Map::new();
        o.insert("m".into(), http["method"].clone());
        o.insert("u".into(), http["requestUri"].clone());
        if let Some(i) = op["input"].get("shape") {
            o.insert("i".into(), i.clone());
        }
        if let Some(out) = op["output"].get("shape") {
            o.insert("o".into(), out.clone());
            if let Some(w) = op["output"].get("resultWrapper") {
                o.insert("w".into(), w.clone());
            }
        }
        if let Some(code) = http["responseCode"].as_u64().filter(|c| *c != 200) {
            o.insert("c".into(), json!(code));
        }
        ops.insert(name.clone(), Value::Object(o));
    }
    let mut out_shapes = Map::new();
    for (name, s) in shapes {
        if plain_scalar(s) {
            continue;
        }
        let t = s["type"].as_str().unwrap_or_default();
        let mut c = Map::new();
        c.insert("t".into(), json!(t));
        match t {
            "structure" => {
                let mut members = Map::new();
                for (m, r) in s["members"].as_object().into_iter().flatten() {
                    members.insert(m.clone(), reference(shapes, r)?);
                }
                c.insert("m".into(), Value::Object(members));
                if let Some(p) = s.get("payload") {
                    c.insert("p".into(), p.clone());
                }
                if is_true(&s["exception"]) {
                    c.insert("x".into(), json!(1));
                }
                if is_true(&s["document"]) {
                    c.insert("d".into(), json!(1));
                }
                if let Some(code) = s["error"].get("code") {
                    c.insert("c".into(), code.clone());
                }
                if let Some(status) = s["error"].get("httpStatusCode") {
                    c.insert("h".into(), status.clone());
                }
                if let Some(n) = s.get("locationName") {
                    c.insert("n".into(), n.clone());
                }
            }
            "list" => {
                c.insert("m".into(), reference(shapes, &s["member"])?);
                if is_true(&s["flattened"]) {
                    c.insert("f".into(), json!(1));
                }
            }
            "map" => {
                c.insert("k".into(), reference(shapes, &s["key"])?);
                c.insert("v".into(), reference(shapes, &s["value"])?);
                if is_true(&s["flattened"]) {
                    c.insert("f".into(), json!(1));
                }
            }
            _ => {
                for (key, short) in [
                    ("timestampFormat", "tf"),
                    ("jsonvalue", "jv"),
                    ("streaming", "st"),
                ] {
                    if let Some(v) = s.get(key).filter(|v| !v.is_null() && **v != json!(false)) {
                        c.insert(short.into(), v.clone());
                    }
                }
            }
        }
        out_shapes.insert(name.clone(), Value::Object(c));
    }
    Ok(json!({"meta": meta, "ops": ops, "shapes": out_shapes}))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A botocore model of one JSON operation, as botocore writes them.
    fn tiny() -> Value {
        json!({
            "version": "2.0",
            "metadata": {"apiVersion": "2013-12-02", "endpointPrefix": "kinesis", "jsonVersion": "1.1",
                "protocol": "json", "serviceId": "Kinesis", "targetPrefix": "Kinesis_20131202",
                "uid": "kinesis-2013-12-02", "signatureVersion": "v4"},
            "operations": {
                "ListStreams": {"name": "ListStreams", "http": {"method": "POST", "requestUri": "/"},
                    "input": {"shape": "ListStreamsInput"}, "output": {"shape": "ListStreamsOutput"},
                    "errors": [{"shape": "LimitExceededException"}], "documentation": "<p>Lists.</p>"}
            },
            "shapes": {
                "ListStreamsInput": {"type": "structure", "members": {
                    "Limit": {"shape": "ListStreamsInputLimit"},
                    "ExclusiveStartStreamName": {"shape": "StreamName", "documentation": "x"}}},
                "ListStreamsInputLimit": {"type": "integer", "max": 10000, "min": 1},
                "StreamName": {"type": "string", "max": 128, "min": 1},
                "ListStreamsOutput": {"type": "structure", "required": ["StreamNames"], "members": {
                    "StreamNames": {"shape": "StreamNameList"},
                    "Created": {"shape": "Stamp"}}},
                "StreamNameList": {"type": "list", "member": {"shape": "StreamName"}},
                "Stamp": {"type": "timestamp", "timestampFormat": "iso8601"},
                "LimitExceededException": {"type": "structure", "members": {"message": {"shape": "StreamName"}},
                    "error": {"code": "Limit", "httpStatusCode": 400}, "exception": true}
            }
        })
    }

    #[test]
    fn botocore_models_become_the_compact_form() {
        let c = compact(&tiny()).unwrap();
        assert_eq!(
            c,
            json!({
                "meta": {"apiVersion": "2013-12-02", "endpointPrefix": "kinesis", "jsonVersion": "1.1",
                    "protocol": "json", "serviceId": "Kinesis", "targetPrefix": "Kinesis_20131202"},
                "ops": {"ListStreams": {"m": "POST", "u": "/", "i": "ListStreamsInput", "o": "ListStreamsOutput"}},
                "shapes": {
                    "ListStreamsInput": {"t": "structure", "m": {"Limit": "@integer", "ExclusiveStartStreamName": "@string"}},
                    "ListStreamsOutput": {"t": "structure", "m": {"StreamNames": "StreamNameList", "Created": "Stamp"}},
                    "StreamNameList": {"t": "list", "m": "@string"},
                    "Stamp": {"t": "timestamp", "tf": "iso8601"},
                    "LimitExceededException": {"t": "structure", "m": {"message": "@string"}, "x": 1, "c": "Limit", "h": 400}
                }
            })
        );
        let service = Service::from_compact("kinesis", &c).unwrap();
        assert_eq!(service.endpoint_key, "kinesis");
        assert!(
            service
                .model()
                .operation_for_action("listStreams")
                .is_some()
        );
    }

    #[test]
    fn a_directory_of_models_is_read_on_first_use() {
        let dir = std::env::temp_dir().join(format!("baton-models-{}", std::process::id()));
        let version = dir.join("kinesis").join("2013-12-02");
        std::fs::create_dir_all(&version).unwrap();
        std::fs::create_dir_all(dir.join("kinesis").join("2001-01-01")).unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, tiny().to_string().as_bytes()).unwrap();
        std::fs::write(version.join("service-2.json.gz"), gz.finish().unwrap()).unwrap();
        let mut ec2 = tiny();
        ec2["metadata"]["protocol"] = json!("ec2");
        std::fs::create_dir_all(dir.join("ec2x").join("2016-11-15")).unwrap();
        std::fs::write(
            dir.join("ec2x").join("2016-11-15").join("service-2.json"),
            ec2.to_string(),
        )
        .unwrap();
        let models = ExtraModels::new(&dir);
        let a = models.service("kinesis").expect("found");
        let b = models.service("kinesis").expect("found again");
        assert!(std::ptr::eq(a, b), "loaded once");
        assert!(
            models.service("ec2x").is_none(),
            "the EC2 protocol is not spoken"
        );
        assert!(models.service("nothing").is_none());
        assert!(models.service("../kinesis").is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
