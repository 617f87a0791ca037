//! What the targets share: a runtime to drive async code, a starter that echoes, and
//! triggers over a store in memory.

use std::sync::Arc;

use baton_json::Value;
use baton_store::MemoryStore;
use baton_triggers::{
    BoxFuture, Identity, StartError, StartRequest, StartedExecution, Starter, SyncOutcome,
    Triggers, TriggersConfig,
};

/// A state machine the starter knows.
pub const MACHINE: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:m";

/// The instant the triggers' clock starts at.
pub const NOW: i64 = 1_700_000_000_000;

thread_local! {
    static RUNTIME: tokio::runtime::Runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
}

/// Runs `f` to its end on this thread's runtime.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    RUNTIME.with(|rt| rt.block_on(f))
}

/// A starter as the server's StartExecution would answer: an input that is not a JSON
/// document within the nesting bound is refused; a synchronous execution's output is its
/// input.
pub struct Echo;

fn checked(r: &StartRequest) -> Result<(), StartError> {
    if !r.target.starts_with(MACHINE) {
        return Err(StartError::new(
            "StateMachineDoesNotExist",
            format!("State Machine Does Not Exist: '{}'", r.target),
        ));
    }
    Value::from_json_str(&r.input)
        .map(drop)
        .map_err(|e| StartError::new("InvalidExecutionInput", e.to_string()))
}

impl Starter for Echo {
    fn start(&self, r: StartRequest) -> BoxFuture<'_, Result<StartedExecution, StartError>> {
        Box::pin(async move {
            checked(&r)?;
            Ok(StartedExecution {
                execution_arn: format!("{}:x", r.target.replace("stateMachine", "execution")),
                start_date: NOW,
            })
        })
    }

    fn start_sync(&self, r: StartRequest) -> BoxFuture<'_, Result<SyncOutcome, StartError>> {
        Box::pin(async move {
            checked(&r)?;
            Ok(SyncOutcome {
                execution_arn: "arn:aws:states:us-east-1:123456789012:express:m:1:2".into(),
                status: "SUCCEEDED".into(),
                output: Some(r.input),
                error: None,
                cause: None,
            })
        })
    }
}

/// Triggers over a fresh store in memory, on a virtual clock at [`NOW`].
pub async fn triggers() -> Triggers {
    Triggers::open_with_clock(
        Arc::new(MemoryStore::new()),
        Arc::new(Echo),
        Identity {
            region: "us-east-1".into(),
            account: "123456789012".into(),
        },
        &TriggersConfig::default(),
        baton_runtime::Clock::starting_at(baton_engine::Millis(NOW)),
    )
    .await
    .expect("triggers over a store in memory")
}

/// Splits `data` at its first `\n`: the first line and the rest.
pub fn first_line(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|b| *b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[]),
    }
}

/// Checks an AWS JSON error body: `__type` among `codes`, and a message.
pub fn aws_error(body: &serde_json::Value, codes: &[&str], what: &str) {
    let code = body["__type"]
        .as_str()
        .unwrap_or_else(|| panic!("{what}: an error without __type: {body}"));
    assert!(
        codes.contains(&code),
        "{what}: unexpected error {code}: {body}"
    );
    assert!(
        body["message"].is_string() || body["Message"].is_string(),
        "{what}: an error without a message: {body}"
    );
}

/// The first 200 characters of `text`, for messages.
pub fn short(text: &str) -> String {
    let mut s: String = text.chars().take(200).collect();
    if s.len() < text.len() {
        s.push_str("...");
    }
    s
}
