//! Mocked service integrations, as Step Functions Local has them: a mock configuration
//! file (`MockConfigFile.json`) names, per state machine, test cases mapping Task states
//! to mocked responses; a mocked response gives, per invocation of the state, a `Return`
//! (the task's result) or a `Throw` (its `Error` and `Cause`):
//!
//! ```json
//! {"StateMachines": {"Orders": {"TestCases": {"HappyPath": {"Charge": "ChargeOk"}}}},
//!  "MockedResponses": {"ChargeOk": {
//!     "0": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "slow down"}},
//!     "1-2": {"Return": {"StatusCode": 200, "Payload": {"charged": true}}}}}}
//! ```
//!
//! An execution runs a test case when started on `stateMachineArn#TestCaseName` (or with
//! `baton run --test-case`). Its mocked states never call their service; the others run
//! as usual. Invocations are counted per state from 0 (every attempt counts, retries and
//! later entries of the state alike); an invocation with no response fails the task with
//! `States.Runtime`, which ends the execution. A mocked `.sync` or `.waitForTaskToken`
//! task reports its submission with the response and ends with it at once.
//!
//! [`Mocked`] wraps the other integrations: it answers for the mocked states and hands
//! every other task on.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use baton_asl::definition::IntegrationPattern;
use baton_json::{Str, Value};

use crate::{BoxFuture, Integration, Registry, TaskCall, TaskFailure, TaskOutcome};

/// One invocation's mocked answer.
#[derive(Debug, Clone, PartialEq)]
pub enum MockResponse {
    /// The task succeeds with this result.
    Return(Value),
    /// The task fails with this error and cause.
    Throw {
        /// The error name.
        error: Str,
        /// The cause.
        cause: Str,
    },
}

/// A mock configuration file, checked.
#[derive(Debug, Clone, Default)]
pub struct MockConfig {
    /// State machine → test case → state → mocked response's name.
    machines: HashMap<String, HashMap<String, HashMap<String, String>>>,
    /// Mocked response's name → its answers by invocation.
    responses: HashMap<String, Arc<[MockResponse]>>,
}

/// The mocks of one test case: a state's answers by invocation.
#[derive(Debug, Clone)]
pub struct TestCase {
    /// `machine#case`, for messages.
    name: String,
    states: HashMap<String, Arc<[MockResponse]>>,
}

/// A mock configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum MockConfigError {
    /// The file cannot be read.
    #[error("cannot read the mock configuration file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a valid mock configuration.
    #[error("invalid mock configuration: {0}")]
    Invalid(String),
    /// No such state machine or test case.
    #[error("{0}")]
    NoTestCase(String),
}

fn bad(message: impl Into<String>) -> MockConfigError {
    MockConfigError::Invalid(message.into())
}

fn object<'a>(v: &'a Value, what: &str) -> Result<&'a baton_json::Map, MockConfigError> {
    v.as_object()
        .ok_or_else(|| bad(format!("{what} must be an object")))
}

/// `"3"` or `"0-2"`: the first and last invocation (inclusive).
fn range(key: &str) -> Option<(usize, usize)> {
    let parse = |s: &str| -> Option<usize> {
        let s = s.trim();
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    match key.split_once('-') {
        None => parse(key).map(|n| (n, n)),
        Some((a, b)) => {
            let (a, b) = (parse(a)?, parse(b)?);
            (a <= b).then_some((a, b))
        }
    }
}

impl MockConfig {
    /// Reads a mock configuration file.
    pub fn load(path: &Path) -> Result<MockConfig, MockConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| MockConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        MockConfig::parse(&text)
    }

    /// Parses and checks a mock configuration: every test case names responses that
    /// exist; every response has a `Return` or a `Throw` (with string `Error` and `Cause`)
    /// for each invocation from 0 on, without gaps or overlaps.
    pub fn parse(text: &str) -> Result<MockConfig, MockConfigError> {
        let root = Value::from_json_str(text).map_err(|e| bad(format!("not JSON: {e}")))?;
        let root = object(&root, "the file")?;
        for k in root.keys() {
            if &**k != "StateMachines" && &**k != "MockedResponses" {
                return Err(bad(format!(
                    "unknown field '{k}' (StateMachines, MockedResponses)"
                )));
            }
        }
        let mut responses = HashMap::new();
        if let Some(all) = root.get("MockedResponses") {
            for (name, by_range) in object(all, "MockedResponses")? {
                let what = format!("the mocked response '{name}'");
                let mut ranges: Vec<(usize, usize, MockResponse)> = Vec::new();
                for (key, answer) in object(by_range, &what)? {
                    let (first, last) = range(key).ok_or_else(|| {
                        bad(format!(
                            "{what}: '{key}' is not an invocation number or range (\"0\", \"1-2\")"
                        ))
                    })?;
                    let answer = object(answer, &format!("{what}, '{key}'"))?;
                    let response = match (answer.get("Return"), answer.get("Throw"), answer.len()) {
                        (Some(r), None, 1) => MockResponse::Return(r.clone()),
                        (None, Some(t), 1) => {
                            let text = |f: &str| {
                                t.get(f)
                                    .and_then(Value::as_str)
                                    .map(Str::from)
                                    .ok_or_else(|| {
                                        bad(format!(
                                            "{what}, '{key}': Throw needs '{f}' as a string"
                                        ))
                                    })
                            };
                            MockResponse::Throw {
                                error: text("Error")?,
                                cause: text("Cause")?,
                            }
                        }
                        _ => {
                            return Err(bad(format!(
                                "{what}, '{key}': give exactly one of Return and Throw"
                            )));
                        }
                    };
                    ranges.push((first, last, response));
                }
                ranges.sort_by_key(|r| r.0);
                let mut expanded = Vec::new();
                for (first, last, response) in ranges {
                    if first != expanded.len() {
                        return Err(bad(format!(
                            "{what}: invocations must be numbered from 0 without gaps or overlaps (expected {}, found {first})",
                            expanded.len()
                        )));
                    }
                    if last - first >= 10_000 {
                        return Err(bad(format!(
                            "{what}: a range is limited to 10000 invocations"
                        )));
                    }
                    expanded.extend(std::iter::repeat_n(response, last - first + 1));
                }
                if expanded.is_empty() {
                    return Err(bad(format!("{what} has no invocation")));
                }
                responses.insert(name.to_string(), Arc::from(expanded));
            }
        }
        let mut machines = HashMap::new();
        if let Some(all) = root.get("StateMachines") {
            for (machine, spec) in object(all, "StateMachines")? {
                let spec = object(spec, &format!("the state machine '{machine}'"))?;
                let cases = spec.get("TestCases").ok_or_else(|| {
                    bad(format!("the state machine '{machine}' has no TestCases"))
                })?;
                let mut by_case = HashMap::new();
                for (case, states) in object(cases, &format!("the TestCases of '{machine}'"))? {
                    let what = format!("the test case '{machine}#{case}'");
                    let mut by_state = HashMap::new();
                    for (state, response) in object(states, &what)? {
                        let response = response.as_str().ok_or_else(|| {
                            bad(format!(
                                "{what}: the state '{state}' must name a mocked response"
                            ))
                        })?;
                        if !responses.contains_key(response) {
                            return Err(bad(format!(
                                "{what}: the state '{state}' names '{response}', which is not in MockedResponses"
                            )));
                        }
                        by_state.insert(state.to_string(), response.to_owned());
                    }
                    by_case.insert(case.to_string(), by_state);
                }
                machines.insert(machine.to_string(), by_case);
            }
        }
        Ok(MockConfig {
            machines,
            responses,
        })
    }

    /// The test case `case` of the state machine `machine`.
    pub fn test_case(&self, machine: &str, case: &str) -> Result<Arc<TestCase>, MockConfigError> {
        let cases = self.machines.get(machine).ok_or_else(|| {
            MockConfigError::NoTestCase(format!(
                "The mock configuration has no state machine '{machine}'"
            ))
        })?;
        let states = cases.get(case).ok_or_else(|| {
            MockConfigError::NoTestCase(format!(
                "The mock configuration has no test case '{case}' for the state machine '{machine}'"
            ))
        })?;
        Ok(Arc::new(TestCase {
            name: format!("{machine}#{case}"),
            states: states
                .iter()
                .map(|(s, r)| (s.clone(), Arc::clone(&self.responses[r])))
                .collect(),
        }))
    }
}

/// Completes a mocked callback task in a runtime whose callbacks wait for a token: sends
/// the result for the token (as SendTaskSuccess would).
pub type Reporter = Arc<dyn Fn(Str, Value) -> BoxFuture<()> + Send + Sync>;

/// An execution running a test case, and its states' invocation counts.
struct Running {
    case: Arc<TestCase>,
    counts: HashMap<Str, usize>,
}

/// The integrations, with the mocked states of test cases answered from the mock
/// configuration.
pub struct Mocked {
    inner: Registry,
    /// For `baton run`: the test case of every execution.
    fixed: Option<Arc<TestCase>>,
    running: Mutex<HashMap<Str, Running>>,
    reporter: OnceLock<Reporter>,
}

impl Mocked {
    /// Mocks for executions given a test case with [`Mocked::assign`]; everything else
    /// goes to `inner`.
    pub fn new(inner: Registry) -> Mocked {
        Mocked {
            inner,
            fixed: None,
            running: Mutex::new(HashMap::new()),
            reporter: OnceLock::new(),
        }
    }

    /// Mocks from `case` for every execution (one process, one execution: `baton run`).
    pub fn with_case(inner: Registry, case: Arc<TestCase>) -> Mocked {
        Mocked {
            fixed: Some(case),
            ..Mocked::new(inner)
        }
    }

    /// The execution `execution_arn` runs `case` (unless it already runs one: a
    /// StartExecution repeated for a running execution keeps its counts).
    pub fn assign(&self, execution_arn: &str, case: Arc<TestCase>) {
        self.lock()
            .entry(Str::from(execution_arn))
            .or_insert_with(|| Running {
                case,
                counts: HashMap::new(),
            });
    }

    /// The execution has ended: its test case and counts are dropped.
    pub fn forget(&self, execution_arn: &str) {
        self.lock().remove(execution_arn);
    }

    /// How mocked callbacks complete in a runtime that waits for their token (the durable
    /// runtime; `baton run` completes them with the task's result).
    pub fn set_reporter(&self, reporter: Reporter) {
        let _ = self.reporter.set(reporter);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Str, Running>> {
        self.running.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The answer for this invocation, when the task's state is mocked: `Some(None)` when
    /// it is mocked but has no answer for this invocation.
    fn answer(&self, call: &TaskCall) -> Option<(Option<MockResponse>, usize, String)> {
        let mut running = self.lock();
        if !running.contains_key(&call.execution_arn) {
            let case = self.fixed.clone()?;
            running.insert(
                Arc::clone(&call.execution_arn),
                Running {
                    case,
                    counts: HashMap::new(),
                },
            );
        }
        let run = running.get_mut(&call.execution_arn)?;
        let answers = Arc::clone(run.case.states.get(&*call.state_name)?);
        let count = run.counts.entry(Arc::clone(&call.state_name)).or_insert(0);
        let index = *count;
        *count += 1;
        Some((answers.get(index).cloned(), index, run.case.name.clone()))
    }
}

impl Integration for Mocked {
    fn handles(&self, _resource: &baton_asl::definition::Resource) -> bool {
        true
    }

    fn run(&self, call: TaskCall) -> BoxFuture<TaskOutcome> {
        let Some((answer, index, case)) = self.answer(&call) else {
            return self.inner.run(call);
        };
        let reporter = self.reporter.get().cloned();
        Box::pin(async move {
            let Some(answer) = answer else {
                return Err(TaskFailure::new(
                    "States.Runtime",
                    format!(
                        "The test case '{case}' has no mocked response for invocation {index} of the state '{}'",
                        call.state_name
                    ),
                ));
            };
            match answer {
                MockResponse::Throw { error, cause } => Err(TaskFailure {
                    error: Some(error),
                    cause: Some(cause),
                }),
                MockResponse::Return(v) => complete(call, v, reporter).await,
            }
        })
    }
}

/// A mocked task's success, by its pattern.
async fn complete(call: TaskCall, result: Value, reporter: Option<Reporter>) -> TaskOutcome {
    match call.resource.pattern() {
        IntegrationPattern::Sync => {
            if let Some(submitted) = &call.submitted {
                submitted(result.clone()).await;
            }
            Ok(result)
        }
        // A runtime that gives the callback resource as it is (`baton run`) takes the
        // task's result at once.
        IntegrationPattern::WaitForTaskToken => Ok(result),
        IntegrationPattern::RequestResponse => {
            let Some(token) = call.token.clone() else {
                return Ok(result);
            };
            if call.submitted.is_none() {
                return Ok(result);
            }
            // The durable runtime's callback: it calls the request-response form with a
            // token, takes its result as the submission, then waits for the token.
            let Some(report) = reporter else {
                return Err(TaskFailure::new(
                    "States.Runtime",
                    "A mocked callback task cannot complete in this runtime",
                ));
            };
            if let Some(submitted) = &call.submitted {
                submitted(result.clone()).await;
            }
            // Sent apart: the success ends this task, whose future is then dropped.
            tokio::spawn(report(token, result));
            std::future::pending().await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_parse() {
        assert_eq!(range("0"), Some((0, 0)));
        assert_eq!(range("1-2"), Some((1, 2)));
        assert_eq!(range(" 3 - 4 "), Some((3, 4)));
        assert_eq!(range("2-1"), None);
        assert_eq!(range("-1"), None);
        assert_eq!(range("a"), None);
        assert_eq!(range("1-2-3"), None);
    }
}
