//! Asynchronous Express executions survive a crash: AWS runs them at least once. They keep
//! no journal, so the start itself is kept in the store from the moment StartExecution
//! accepts it until the execution ends, and started again (from its beginning) after a
//! restart.

use std::sync::Arc;

use baton_json::{Map, Value};
use baton_store::ExpressStartRecord;

use super::live::Handle;
use super::{Durability, Inner, NewExecution, Result};

/// `new` as the store keeps it.
fn encode(new: &NewExecution) -> String {
    let mut m = Map::default();
    let mut put = |k: &str, v: &str| {
        m.insert(k.into(), Value::from(v));
    };
    put("arn", &new.arn);
    put("name", &new.name);
    put("machineArn", &new.machine_arn);
    put("machineName", &new.machine_name);
    put("definition", &new.definition);
    put("roleArn", &new.role_arn);
    put("input", &new.input);
    for (k, v) in [
        ("versionArn", &new.version_arn),
        ("aliasArn", &new.alias_arn),
        ("mapRunArn", &new.map_run_arn),
        ("traceHeader", &new.trace_header),
    ] {
        if let Some(v) = v {
            m.insert(k.into(), Value::from(v.as_str()));
        }
    }
    Value::object(m).to_json_string()
}

/// What [`encode`] wrote; `None` when it is not that.
fn decode(text: &str) -> Option<NewExecution> {
    let v = Value::from_json_str(text).ok()?;
    let req = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    let opt = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    Some(NewExecution {
        arn: req("arn")?,
        name: req("name")?,
        machine_arn: req("machineArn")?,
        machine_name: req("machineName")?,
        version_arn: opt("versionArn"),
        alias_arn: opt("aliasArn"),
        map_run_arn: opt("mapRunArn"),
        durability: Durability::Express,
        definition: Arc::from(req("definition")?),
        role_arn: req("roleArn")?,
        input: req("input")?,
        trace_header: opt("traceHeader"),
        log: None,
    })
}

/// Keeps an accepted Express execution until it ends.
pub(crate) async fn keep(inner: &Inner, new: &NewExecution, at: i64) -> Result<()> {
    inner
        .store
        .add_express_start(ExpressStartRecord {
            arn: new.arn.clone(),
            body: encode(new),
            at,
        })
        .await?;
    Ok(())
}

/// Forgets an Express execution that ended (in the background: its end needs no wait).
pub(crate) fn forget(inner: &Arc<Inner>, arn: &str) {
    let store = Arc::clone(&inner.store);
    let arn = arn.to_owned();
    tokio::spawn(async move {
        if let Err(e) = store.delete_express_start(&arn).await {
            tracing::warn!(execution = %arn, error = %e, "an ended Express execution could not be forgotten; it may run again after a restart");
        }
    });
}

/// Forgets the kept Express execution of `handle` once it has ended (not if the runtime
/// closes first: then it is started again at the next start).
pub(crate) fn forget_when_done(inner: &Arc<Inner>, handle: &Handle) {
    let mut done = handle.done.subscribe();
    let inner = Arc::downgrade(inner);
    let arn = Arc::clone(&handle.arn);
    tokio::spawn(async move {
        if done.wait_for(Option::is_some).await.is_ok()
            && let Some(inner) = inner.upgrade()
        {
            forget(&inner, &arn);
        }
    });
}

/// The Express executions kept, to start again.
pub(crate) async fn kept(inner: &Inner) -> Result<Vec<NewExecution>> {
    let mut out = Vec::new();
    for r in inner.store.express_starts().await? {
        match decode(&r.body) {
            Some(new) => out.push(new),
            None => {
                tracing::error!(execution = %r.arn, "a kept Express execution cannot be read; it is dropped");
                inner.store.delete_express_start(&r.arn).await?;
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_start_reads_back_as_written() {
        let new = NewExecution {
            arn: "arn:aws:states:us-east-1:1:express:m:n:id".into(),
            name: "n".into(),
            machine_arn: "arn:aws:states:us-east-1:1:stateMachine:m".into(),
            machine_name: "m".into(),
            version_arn: Some("arn:aws:states:us-east-1:1:stateMachine:m:3".into()),
            alias_arn: None,
            map_run_arn: None,
            durability: Durability::Express,
            definition: Arc::from(r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#),
            role_arn: "arn:aws:iam::1:role/r".into(),
            input: r#"{"a":"\u00e9"}"#.into(),
            trace_header: Some("Root=1".into()),
            log: None,
        };
        let back = decode(&encode(&new)).unwrap();
        assert_eq!(encode(&back), encode(&new));
        assert_eq!(back.version_arn, new.version_arn);
        assert!(decode("{}").is_none());
        assert!(decode("nope").is_none());
    }
}
