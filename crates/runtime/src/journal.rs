//! The journal's encoding of engine [`Input`]s: one small JSON object per input, so that a
//! stored journal stays readable with any SQLite or PostgreSQL client.

use baton_engine::{Input, Limits, WorkId};
use baton_json::{Map, Str, Value};

/// Why a journal entry could not be read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("journal entry {0:?} is not an input this version knows")]
pub struct JournalError(pub String);

/// `input` as journal text.
pub fn encode(input: &Input) -> String {
    encode_with(input, None)
}

/// [`Input::Redrive`] as journal text, with the client token of the request that asked
/// for it (so that the request can be answered again, idempotently).
pub fn encode_redrive(client_token: Option<&str>) -> String {
    encode_with(&Input::Redrive, client_token)
}

/// [`Input::Start`] as journal text, with the bounds the execution runs under: a replay
/// runs under the same ones ([`start_limits`]).
pub fn encode_start(limits: &Limits) -> String {
    let mut m = Map::with_capacity_and_hasher(2, Default::default());
    m.insert("k".into(), "Start".into());
    m.insert("limits".into(), limits.to_value());
    Value::object(m).to_json_string()
}

/// The bounds a start's journal entry holds: [`Limits::NONE`] for an entry written before
/// bounds were kept; `None` for an entry that is not a start.
pub fn start_limits(text: &str) -> Option<Limits> {
    let v = Value::from_json_str(text).ok()?;
    if v.get("k").and_then(Value::as_str) != Some("Start") {
        return None;
    }
    match v.get("limits") {
        None => Some(Limits::NONE),
        Some(l) => Limits::from_value(l),
    }
}

/// The client token of a redrive's journal entry; `None` for other entries.
pub fn redrive_token(text: &str) -> Option<String> {
    if !text.contains("\"Redrive\"") {
        return None;
    }
    let v = Value::from_json_str(text).ok()?;
    if v.get("k").and_then(Value::as_str) != Some("Redrive") {
        return None;
    }
    v.get("token").and_then(Value::as_str).map(str::to_owned)
}

fn encode_with(input: &Input, client_token: Option<&str>) -> String {
    let mut m = Map::with_capacity_and_hasher(4, Default::default());
    let mut put = |k: &str, v: Value| {
        m.insert(k.into(), v);
    };
    let opt = |s: &Option<Str>| s.clone().map(Value::String).unwrap_or(Value::Null);
    match input {
        Input::Start => put("k", "Start".into()),
        Input::Continue => put("k", "Continue".into()),
        Input::Redrive => {
            put("k", "Redrive".into());
            if let Some(t) = client_token {
                put("token", t.into());
            }
        }
        Input::TaskStarted { id, worker_name } => {
            put("k", "TaskStarted".into());
            put("id", (*id).into());
            put("worker", opt(worker_name));
        }
        Input::TaskSubmitted { id, output } => {
            put("k", "TaskSubmitted".into());
            put("id", (*id).into());
            put("output", output.clone());
        }
        Input::TaskHeartbeat { id } => {
            put("k", "TaskHeartbeat".into());
            put("id", (*id).into());
        }
        Input::TaskSucceeded { id, output } => {
            put("k", "TaskSucceeded".into());
            put("id", (*id).into());
            put("output", output.clone());
        }
        Input::TaskFailed { id, error, cause } => {
            put("k", "TaskFailed".into());
            put("id", (*id).into());
            put("error", opt(error));
            put("cause", opt(cause));
        }
        Input::TimerFired { id } => {
            put("k", "TimerFired".into());
            put("id", (*id).into());
        }
        Input::Stop { error, cause } => {
            put("k", "Stop".into());
            put("error", opt(error));
            put("cause", opt(cause));
        }
        Input::UpdateMapRun {
            map_run_arn,
            max_concurrency,
            tolerated_failure_count,
            tolerated_failure_percentage,
        } => {
            put("k", "UpdateMapRun".into());
            put("arn", Value::String(map_run_arn.clone()));
            if let Some(n) = max_concurrency {
                put("max", (*n).into());
            }
            if let Some(n) = tolerated_failure_count {
                put("count", (*n).into());
            }
            if let Some(p) = tolerated_failure_percentage.and_then(baton_json::Number::from_f64) {
                put("percentage", Value::Number(p));
            }
        }
    }
    Value::object(m).to_json_string()
}

/// How deep the journal nests a document of an input: one level (the entry's object).
const WRAPPING: usize = 1;

/// The input journal text `text` holds. A document as deep as an execution may hold
/// reads back, one level deeper in its entry.
pub fn decode(text: &str) -> Result<Input, JournalError> {
    let bad = || JournalError(text.chars().take(200).collect());
    let v =
        Value::from_json_str_within(text, baton_json::MAX_DEPTH + WRAPPING).map_err(|_| bad())?;
    let id = || -> Result<WorkId, JournalError> {
        v.get("id")
            .and_then(|n| n.as_number())
            .and_then(|n| n.as_u64())
            .ok_or_else(bad)
    };
    let opt = |k: &str| -> Option<Str> {
        match v.get(k) {
            Some(Value::String(s)) => Some(s.clone()),
            _ => None,
        }
    };
    let output = || v.get("output").cloned().ok_or_else(bad);
    Ok(match v.get("k").and_then(Value::as_str).ok_or_else(bad)? {
        "Start" => Input::Start,
        "Continue" => Input::Continue,
        "Redrive" => Input::Redrive,
        "TaskStarted" => Input::TaskStarted {
            id: id()?,
            worker_name: opt("worker"),
        },
        "TaskSubmitted" => Input::TaskSubmitted {
            id: id()?,
            output: output()?,
        },
        "TaskHeartbeat" => Input::TaskHeartbeat { id: id()? },
        "TaskSucceeded" => Input::TaskSucceeded {
            id: id()?,
            output: output()?,
        },
        "TaskFailed" => Input::TaskFailed {
            id: id()?,
            error: opt("error"),
            cause: opt("cause"),
        },
        "TimerFired" => Input::TimerFired { id: id()? },
        "Stop" => Input::Stop {
            error: opt("error"),
            cause: opt("cause"),
        },
        "UpdateMapRun" => {
            let u64_of = |k: &str| v.get(k).and_then(Value::as_number).and_then(|n| n.as_u64());
            Input::UpdateMapRun {
                map_run_arn: opt("arn").ok_or_else(bad)?,
                max_concurrency: u64_of("max"),
                tolerated_failure_count: u64_of("count"),
                tolerated_failure_percentage: v.get("percentage").and_then(Value::as_f64),
            }
        }
        _ => return Err(bad()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_input_reads_back_as_written() {
        let inputs = [
            Input::Start,
            Input::TaskStarted {
                id: 3,
                worker_name: Some("w".into()),
            },
            Input::TaskStarted {
                id: 3,
                worker_name: None,
            },
            Input::TaskSubmitted {
                id: 4,
                output: Value::from_json_str(r#"{"a":[1,2.5,"x"]}"#).unwrap(),
            },
            Input::TaskHeartbeat { id: 5 },
            Input::TaskSucceeded {
                id: 6,
                output: Value::Null,
            },
            Input::TaskFailed {
                id: 7,
                error: Some("E".into()),
                cause: None,
            },
            Input::TimerFired { id: u64::MAX },
            Input::UpdateMapRun {
                map_run_arn: "arn:aws:states:us-east-1:1:mapRun:m/M:x".into(),
                max_concurrency: Some(5),
                tolerated_failure_count: None,
                tolerated_failure_percentage: Some(12.5),
            },
            Input::Stop {
                error: None,
                cause: Some("why".into()),
            },
            Input::Redrive,
            Input::Continue,
        ];
        for input in inputs {
            let text = encode(&input);
            let back = decode(&text).unwrap();
            assert_eq!(format!("{input:?}"), format!("{back:?}"), "{text}");
        }
        let text = encode_redrive(Some("tok-1"));
        assert!(matches!(decode(&text), Ok(Input::Redrive)));
        assert_eq!(redrive_token(&text).as_deref(), Some("tok-1"));
        assert_eq!(redrive_token(&encode(&Input::Redrive)), None);
        assert_eq!(redrive_token(&encode(&Input::Start)), None);
        assert!(decode("{}").is_err());
        assert!(decode(r#"{"k":"TimerFired"}"#).is_err());
        assert!(decode("nope").is_err());
    }

    #[test]
    fn a_result_as_deep_as_may_be_reads_back_from_its_entry() {
        let mut deep = Value::Null;
        for _ in 0..baton_json::MAX_DEPTH {
            deep = Value::array(vec![deep]);
        }
        let input = Input::TaskSucceeded {
            id: 1,
            output: deep.clone(),
        };
        let text = encode(&input);
        match decode(&text) {
            Ok(Input::TaskSucceeded { output, .. }) => assert!(output == deep),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_start_keeps_the_bounds_it_ran_under() {
        let text = encode_start(&Limits::STANDARD);
        assert!(matches!(decode(&text), Ok(Input::Start)));
        assert_eq!(start_limits(&text), Some(Limits::STANDARD));
        // Written before bounds were kept: none.
        assert_eq!(start_limits(&encode(&Input::Start)), Some(Limits::NONE));
        assert_eq!(start_limits(&encode(&Input::Continue)), None);
    }
}
