//! History events written as AWS's JSON, straight into a byte buffer.
//!
//! Events carry documents (inputs, outputs, parameters) as JSON *text* inside JSON, so a
//! document is serialised once through an escaping writer rather than serialised to a
//! string and then escaped again as a string value: the history is most of what a
//! durable server writes, and this halves the work of writing it.

use baton_json::Value;

use crate::event::{Details, HistoryEvent};
use crate::time::Millis;

impl HistoryEvent {
    /// Appends the event in AWS's JSON shape (documents as JSON text, timestamps in epoch
    /// seconds), as GetExecutionHistory returns it with `includeExecutionData`.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        let mut o = Obj::begin(out);
        o.seconds("timestamp", self.timestamp);
        o.str("type", self.event_type.as_str());
        o.u64("id", self.id);
        o.u64("previousEventId", self.previous_event_id);
        if let Some(field) = self.event_type.details_field() {
            let mut d = o.obj(field);
            self.details.write(&mut d);
            d.end();
        }
        o.end();
    }

    /// The event as JSON text.
    pub fn to_json_text(&self) -> String {
        let mut out = Vec::with_capacity(256);
        self.write_json(&mut out);
        // Only UTF-8 is ever written: keys and strings come from `str`s, and serde_json
        // writes UTF-8.
        String::from_utf8(out).unwrap_or_default()
    }

    /// The event as a JSON value (for tools and tests; servers use
    /// [`HistoryEvent::write_json`]).
    pub fn to_json(&self) -> Value {
        Value::from_json_str(&self.to_json_text()).unwrap_or_default()
    }
}

impl Details {
    fn write(&self, o: &mut Obj<'_>) {
        match self {
            Details::None => {}
            Details::ExecutionStarted(e) => {
                o.doc("input", &e.input);
                o.not_truncated("inputDetails");
                o.str("roleArn", &e.role_arn);
                if let Some(v) = &e.version_arn {
                    o.str("stateMachineVersionArn", v);
                }
                if let Some(a) = &e.alias_arn {
                    o.str("stateMachineAliasArn", a);
                }
            }
            Details::StateEntered { name, input } => {
                o.str("name", name);
                o.doc("input", input);
                o.not_truncated("inputDetails");
            }
            Details::StateExited {
                name,
                output,
                assigned_variables,
            } => {
                o.str("name", name);
                o.doc("output", output);
                o.not_truncated("outputDetails");
                if let Some(vars) = assigned_variables {
                    let mut a = o.obj("assignedVariables");
                    for (k, v) in vars.iter() {
                        a.doc(k, v);
                    }
                    a.end();
                    o.not_truncated("assignedVariablesDetails");
                }
            }
            Details::Output { output, resource } => {
                if let Some(r) = resource {
                    o.str("resourceType", &r.resource_type);
                    o.str("resource", &r.resource);
                }
                o.doc("output", output);
                o.not_truncated("outputDetails");
            }
            Details::Failure {
                error,
                cause,
                resource,
            } => {
                if let Some(r) = resource {
                    o.str("resourceType", &r.resource_type);
                    o.str("resource", &r.resource);
                }
                if let Some(e) = error {
                    o.str("error", e);
                }
                if let Some(c) = cause {
                    o.str("cause", c);
                }
            }
            Details::TaskScheduled(t) => {
                o.str("resourceType", &t.resource.resource_type);
                o.str("resource", &t.resource.resource);
                o.str("region", &t.region);
                o.doc("parameters", &t.parameters);
                if let Some(secs) = t.timeout_seconds {
                    o.u64("timeoutInSeconds", secs);
                }
                if let Some(h) = t.heartbeat_seconds {
                    o.u64("heartbeatInSeconds", h);
                }
            }
            Details::TaskStarted(r) => {
                o.str("resourceType", &r.resource_type);
                o.str("resource", &r.resource);
            }
            Details::Scheduled(sch) => {
                o.str("resource", &sch.resource);
                o.doc("input", &sch.input);
                o.not_truncated("inputDetails");
                if let Some(secs) = sch.timeout_seconds {
                    o.u64("timeoutInSeconds", secs);
                }
                if let Some(h) = sch.heartbeat_seconds {
                    o.u64("heartbeatInSeconds", h);
                }
            }
            Details::ActivityStarted { worker_name } => o.str("workerName", worker_name),
            Details::MapStateStarted { length } => o.u64("length", *length),
            Details::MapIteration { name, index } => {
                o.str("name", name);
                o.u64("index", *index);
            }
            Details::MapRunStarted { map_run_arn } => o.str("mapRunArn", map_run_arn),
            Details::ExecutionRedriven { redrive_count } => {
                o.u64("redriveCount", u64::from(*redrive_count));
            }
            Details::MapRunRedriven {
                map_run_arn,
                redrive_count,
            } => {
                o.str("mapRunArn", map_run_arn);
                o.u64("redriveCount", u64::from(*redrive_count));
            }
            Details::EvaluationFailed(e) => {
                o.str("error", &e.error);
                o.str("cause", &e.cause);
                if let Some(l) = &e.location {
                    o.str("location", l);
                }
                o.str("state", &e.state);
            }
        }
    }
}

/// A JSON object being written.
struct Obj<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> Obj<'a> {
    fn begin(out: &'a mut Vec<u8>) -> Obj<'a> {
        out.push(b'{');
        Obj { out, first: true }
    }

    fn key(&mut self, key: &str) {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        string(self.out, key);
        self.out.push(b':');
    }

    fn str(&mut self, key: &str, value: &str) {
        self.key(key);
        string(self.out, value);
    }

    fn u64(&mut self, key: &str, value: u64) {
        self.key(key);
        self.out.extend_from_slice(itoa(value).as_bytes());
    }

    /// Epoch seconds with milliseconds, as the AWS JSON protocol writes timestamps.
    fn seconds(&mut self, key: &str, t: Millis) {
        self.key(key);
        // `to_writer` on a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *self.out, &(t.0 as f64 / 1000.0));
    }

    /// A document, as JSON text in a string.
    fn doc(&mut self, key: &str, value: &Value) {
        self.key(key);
        SCRATCH.with_borrow_mut(|text| {
            text.clear();
            let _ = serde_json::to_writer(&mut *text, value);
            escape_into(self.out, text);
        });
    }

    fn not_truncated(&mut self, key: &str) {
        self.key(key);
        self.out.extend_from_slice(b"{\"truncated\":false}");
    }

    fn obj(&mut self, key: &str) -> Obj<'_> {
        self.key(key);
        Obj::begin(self.out)
    }

    fn end(self) {
        self.out.push(b'}');
    }
}

fn string(out: &mut Vec<u8>, s: &str) {
    let _ = serde_json::to_writer(out, s);
}

fn itoa(n: u64) -> String {
    n.to_string()
}

thread_local! {
    /// Where documents are serialised before they are escaped into an event.
    static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Appends JSON text as a JSON string. serde_json's output has no raw control characters
/// (it escapes them), so only quotes and backslashes need escaping; JSON text is dense
/// with quotes, so a plain loop beats searching for them.
fn escape_into(out: &mut Vec<u8>, text: &[u8]) {
    out.reserve(text.len() + text.len() / 4 + 2);
    out.push(b'"');
    for &b in text {
        if b == b'"' || b == b'\\' {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::EventType;

    #[test]
    fn documents_are_json_text_inside_the_event() {
        let input =
            Value::from_json_str(r#"{"a":"q\"uote\\","n":[1,2.5,null],"u":"é\n"}"#).unwrap();
        let e = HistoryEvent {
            id: 2,
            previous_event_id: 1,
            timestamp: Millis(1_700_000_000_123),
            event_type: EventType::PassStateEntered,
            details: Details::StateEntered {
                name: "A \"b\"".into(),
                input: input.clone(),
            },
        };
        let v = e.to_json();
        assert_eq!(
            v.get("type").and_then(Value::as_str),
            Some("PassStateEntered")
        );
        assert_eq!(v.get("id").and_then(Value::as_i64), Some(2));
        assert_eq!(
            v.get("timestamp").and_then(Value::as_f64),
            Some(1_700_000_000.123)
        );
        let d = v.get("stateEnteredEventDetails").unwrap();
        assert_eq!(d.get("name").and_then(Value::as_str), Some("A \"b\""));
        let text = d.get("input").and_then(Value::as_str).unwrap();
        assert_eq!(text, input.to_json_string());
        assert!(Value::from_json_str(text).unwrap().json_eq(&input));
        assert_eq!(
            d.get("inputDetails").map(Value::to_json_string).as_deref(),
            Some(r#"{"truncated":false}"#)
        );
    }
}
