//! Mocked service integrations: the mock configuration file and the answers of mocked
//! states, by invocation, in each integration pattern.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use baton_asl::definition::Resource;
use baton_integrations::mock::{MockConfig, MockConfigError, Mocked, Reporter};
use baton_integrations::{
    BoxFuture, Integration, Registry, Submitted, TaskCall, TaskFailure, TaskOutcome,
};
use baton_json::{Str, Value, json};

const CONFIG: &str = r#"{
  "StateMachines": {
    "Orders": {
      "TestCases": {
        "HappyPath": {"Charge": "ChargeFlaky", "Notify": "Sent"},
        "Broken": {"Charge": "ChargeDown"}
      }
    }
  },
  "MockedResponses": {
    "ChargeFlaky": {
      "0": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "slow down"}},
      "1-2": {"Return": {"StatusCode": 200, "Payload": {"charged": true}}}
    },
    "ChargeDown": {"0": {"Throw": {"Error": "Lambda.ServiceException", "Cause": "down"}}},
    "Sent": {"0": {"Return": {"MessageId": "m-1"}}}
  }
}"#;

/// An integration that answers every task with the resource's ARN, counting calls.
struct Real(Arc<Mutex<u32>>);

impl Integration for Real {
    fn handles(&self, _: &Resource) -> bool {
        true
    }
    fn run(&self, call: TaskCall) -> BoxFuture<TaskOutcome> {
        *self.0.lock().unwrap() += 1;
        Box::pin(async move { Ok(json!({"real": call.resource.arn()})) })
    }
}

fn real() -> (Registry, Arc<Mutex<u32>>) {
    let count = Arc::new(Mutex::new(0));
    (
        Registry::default().with(Arc::new(Real(Arc::clone(&count)))),
        count,
    )
}

fn call(execution: &str, state: &str, resource: &str) -> TaskCall {
    TaskCall {
        resource: Resource::parse(resource).expect("a resource"),
        purpose: Default::default(),
        input: json!({}),
        token: None,
        state_name: state.into(),
        region: "us-east-1".into(),
        account: "123456789012".into(),
        execution_arn: execution.into(),
        work: 1,
        resumed: false,
        submission: None,
        credentials: None,
        submitted: None,
    }
}

const LAMBDA: &str = "arn:aws:states:::lambda:invoke";
const SQS: &str = "arn:aws:states:::sqs:sendMessage";
const EXEC: &str = "arn:aws:states:us-east-1:123456789012:execution:Orders:e1";

fn block<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn answers_follow_the_invocation_numbers_of_each_state() {
    let config = MockConfig::parse(CONFIG).expect("valid");
    let case = config
        .test_case("Orders", "HappyPath")
        .expect("a test case");
    let (inner, real_calls) = real();
    let mocked = Mocked::with_case(inner, case);
    let charge = |m: &Mocked| block(m.run(call(EXEC, "Charge", LAMBDA)));
    assert_eq!(
        charge(&mocked),
        Err(TaskFailure::new(
            "Lambda.TooManyRequestsException",
            "slow down"
        ))
    );
    let ok = Ok(json!({"StatusCode": 200, "Payload": {"charged": true}}));
    assert_eq!(charge(&mocked), ok);
    assert_eq!(charge(&mocked), ok);
    // Past the last numbered answer: the execution cannot go on.
    let f = charge(&mocked).expect_err("no answer");
    assert_eq!(f.error.as_deref(), Some("States.Runtime"));
    assert_eq!(
        f.cause.as_deref(),
        Some(
            "The test case 'Orders#HappyPath' has no mocked response for invocation 3 of the state 'Charge'"
        )
    );
    // Another state counts from 0; a state the test case leaves out calls its service.
    assert_eq!(
        block(mocked.run(call(EXEC, "Notify", SQS))),
        Ok(json!({"MessageId": "m-1"}))
    );
    assert_eq!(
        block(mocked.run(call(EXEC, "Audit", SQS))),
        Ok(json!({"real": SQS}))
    );
    assert_eq!(*real_calls.lock().unwrap(), 1);
}

#[test]
fn executions_run_the_test_case_they_were_given() {
    let config = MockConfig::parse(CONFIG).expect("valid");
    let (inner, real_calls) = real();
    let mocked = Mocked::new(inner);
    let other = "arn:aws:states:us-east-1:123456789012:execution:Orders:plain";
    mocked.assign(EXEC, config.test_case("Orders", "Broken").unwrap());
    assert_eq!(
        block(mocked.run(call(EXEC, "Charge", LAMBDA))),
        Err(TaskFailure::new("Lambda.ServiceException", "down"))
    );
    // Assigned again (a repeated StartExecution): the counts go on.
    mocked.assign(EXEC, config.test_case("Orders", "Broken").unwrap());
    assert!(block(mocked.run(call(EXEC, "Charge", LAMBDA))).is_err());
    assert_eq!(
        block(mocked.run(call(other, "Charge", LAMBDA))),
        Ok(json!({"real": LAMBDA}))
    );
    mocked.forget(EXEC);
    assert_eq!(
        block(mocked.run(call(EXEC, "Charge", LAMBDA))),
        Ok(json!({"real": LAMBDA}))
    );
    assert_eq!(*real_calls.lock().unwrap(), 2);
}

fn recorder() -> (Submitted, Arc<Mutex<Vec<Value>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s2 = Arc::clone(&seen);
    (
        Arc::new(move |v: Value| -> BoxFuture<()> {
            s2.lock().unwrap().push(v);
            Box::pin(async {})
        }),
        seen,
    )
}

#[test]
fn sync_and_callback_tasks_report_their_submission_and_end_with_the_answer() {
    let config = MockConfig::parse(CONFIG).expect("valid");
    let (inner, real_calls) = real();
    let mocked = Mocked::with_case(inner, config.test_case("Orders", "HappyPath").unwrap());
    let sent = json!({"MessageId": "m-1"});

    // `.sync`: submitted, then succeeded, with the answer.
    let (submitted, seen) = recorder();
    let mut c = call(
        EXEC,
        "Notify",
        "arn:aws:states:::states:startExecution.sync",
    );
    c.submitted = Some(submitted);
    assert_eq!(block(mocked.run(c)), Ok(sent.clone()));
    assert_eq!(*seen.lock().unwrap(), vec![sent.clone()]);

    // A callback as `baton run` gives it (the resource as written): the answer at once.
    let exec2 = "arn:aws:states:us-east-1:123456789012:execution:Orders:e2";
    let mut c = call(
        exec2,
        "Notify",
        "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
    );
    c.token = Some("tok".into());
    assert_eq!(block(mocked.run(c)), Ok(sent.clone()));

    // A callback as the durable runtime gives it (request-response with a token): the
    // submission, then the answer sent for the token; the task's own future never ends.
    let exec3 = "arn:aws:states:us-east-1:123456789012:execution:Orders:e3";
    let reports: Arc<Mutex<Vec<(Str, Value)>>> = Arc::new(Mutex::new(Vec::new()));
    let r2 = Arc::clone(&reports);
    let reporter: Reporter = Arc::new(move |token: Str, v: Value| -> BoxFuture<()> {
        r2.lock().unwrap().push((token, v));
        Box::pin(async {})
    });
    mocked.set_reporter(reporter);
    let (submitted, seen) = recorder();
    let mut c = call(exec3, "Notify", SQS);
    c.token = Some("tok3".into());
    c.submitted = Some(submitted);
    let outcome = block(async {
        let run = mocked.run(c);
        let r = tokio::time::timeout(Duration::from_millis(200), run).await;
        tokio::task::yield_now().await;
        r
    });
    assert!(outcome.is_err(), "it waits to be ended by its report");
    assert_eq!(*seen.lock().unwrap(), vec![sent.clone()]);
    assert_eq!(*reports.lock().unwrap(), vec![(Str::from("tok3"), sent)]);
    assert_eq!(*real_calls.lock().unwrap(), 0);
}

#[test]
fn bad_configurations_are_refused_with_the_reason() {
    let cases = [
        ("[]", "the file must be an object"),
        (r#"{"StateMachine": {}}"#, "unknown field 'StateMachine'"),
        (
            r#"{"MockedResponses": {"R": {"0": {"Return": 1}, "2": {"Return": 2}}}}"#,
            "expected 1, found 2",
        ),
        (
            r#"{"MockedResponses": {"R": {"0-1": {"Return": 1}, "1": {"Return": 2}}}}"#,
            "expected 2, found 1",
        ),
        (
            r#"{"MockedResponses": {"R": {"1": {"Return": 1}}}}"#,
            "expected 0, found 1",
        ),
        (
            r#"{"MockedResponses": {"R": {"x": {"Return": 1}}}}"#,
            "'x' is not an invocation number",
        ),
        (
            r#"{"MockedResponses": {"R": {"0": {"Return": 1, "Throw": {"Error": "e", "Cause": "c"}}}}}"#,
            "exactly one of Return and Throw",
        ),
        (
            r#"{"MockedResponses": {"R": {"0": {"Throw": {"Error": "e"}}}}}"#,
            "Throw needs 'Cause' as a string",
        ),
        (
            r#"{"StateMachines": {"M": {"TestCases": {"T": {"S": "Nope"}}}}, "MockedResponses": {}}"#,
            "names 'Nope', which is not in MockedResponses",
        ),
        (r#"{"StateMachines": {"M": {}}}"#, "has no TestCases"),
        ("{not json", "not JSON"),
    ];
    for (text, says) in cases {
        match MockConfig::parse(text) {
            Err(MockConfigError::Invalid(m)) => assert!(m.contains(says), "{text}: {m}"),
            other => panic!("{text}: {other:?}"),
        }
    }
    let config = MockConfig::parse(CONFIG).unwrap();
    assert_eq!(
        config
            .test_case("Nope", "HappyPath")
            .unwrap_err()
            .to_string(),
        "The mock configuration has no state machine 'Nope'"
    );
    assert_eq!(
        config.test_case("Orders", "Nope").unwrap_err().to_string(),
        "The mock configuration has no test case 'Nope' for the state machine 'Orders'"
    );
}
