//! A task request as the store keeps it, so that a restarted server can dispatch again a
//! task that had not started.

use baton_asl::definition::{Resource, ResourceUse};
use baton_engine::TaskRequest;
use baton_json::{Map, Str, Value};

/// `req` as text.
pub fn encode(req: &TaskRequest) -> String {
    let mut m = Map::with_capacity_and_hasher(8, Default::default());
    m.insert("id".into(), req.id.into());
    m.insert("resource".into(), Value::from(req.resource.arn()));
    if req.purpose != ResourceUse::Task {
        m.insert("purpose".into(), Value::from(req.purpose.as_str()));
    }
    m.insert("input".into(), req.input.clone());
    if let Some(t) = &req.token {
        m.insert("token".into(), Value::String(t.clone()));
    }
    m.insert("state".into(), Value::String(req.state_name.clone()));
    if let Some(t) = req.timeout_seconds {
        m.insert("timeout".into(), t.into());
    }
    if let Some(h) = req.heartbeat_seconds {
        m.insert("heartbeat".into(), h.into());
    }
    if let Some(c) = &req.credentials {
        m.insert("credentials".into(), c.clone());
    }
    Value::object(m).to_json_string()
}

/// The request `text` holds; `None` when it is not one. Its documents (input,
/// credentials) are as deep as an execution's may be, one level deeper in the request.
pub fn decode(text: &str) -> Option<TaskRequest> {
    let v = Value::from_json_str_within(text, baton_json::MAX_DEPTH + 1).ok()?;
    let str_of = |k: &str| -> Option<Str> {
        match v.get(k) {
            Some(Value::String(s)) => Some(s.clone()),
            _ => None,
        }
    };
    let u64_of = |k: &str| v.get(k).and_then(Value::as_number).and_then(|n| n.as_u64());
    let arn = str_of("resource")?;
    Some(TaskRequest {
        id: u64_of("id")?,
        resource: Resource::parse(&arn).unwrap_or_else(|| Resource::Unknown(arn.to_string())),
        purpose: match str_of("purpose") {
            Some(p) => ResourceUse::parse(&p)?,
            None => ResourceUse::Task,
        },
        input: v.get("input")?.clone(),
        token: str_of("token"),
        state_name: str_of("state")?,
        timeout_seconds: u64_of("timeout"),
        heartbeat_seconds: u64_of("heartbeat"),
        credentials: v.get("credentials").cloned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_reads_back_as_written() {
        let req = TaskRequest {
            id: 9,
            resource: Resource::parse("arn:aws:states:::lambda:invoke.waitForTaskToken").unwrap(),
            purpose: ResourceUse::Task,
            input: Value::from_json_str(r#"{"Payload":{"a":1}}"#).unwrap(),
            token: Some("tok".into()),
            state_name: "S".into(),
            timeout_seconds: Some(30),
            heartbeat_seconds: None,
            credentials: None,
        };
        let back = decode(&encode(&req)).unwrap();
        assert_eq!(format!("{req:?}"), format!("{back:?}"));
        assert!(decode("{}").is_none());
        let reader = TaskRequest {
            purpose: ResourceUse::ItemReader,
            ..req
        };
        let back = decode(&encode(&reader)).unwrap();
        assert_eq!(back.purpose, ResourceUse::ItemReader);
    }
}
