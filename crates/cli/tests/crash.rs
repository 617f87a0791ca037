//! Crash test: `baton serve` is killed with SIGKILL at random moments while a few hundred
//! Standard executions run, and started again on the same data directory each time. In the
//! end every execution must have SUCCEEDED with exactly its expected output, and every
//! history must be whole: ids 1..n, previous ids pointing back, one ExecutionStarted and
//! one terminal event, and no state entered more often than its retries and loops explain.
//!
//! The executions mix Wait states (1-3 s), a Retry with backoff around a flaky function, an
//! inline Map whose items call the flaky function too, a Fail state caught and looped back
//! to, and an activity answered by worker threads (which reconnect after each crash). One
//! restart in three is itself killed a few milliseconds in, while it recovers. The
//! flaky function is an HTTP endpoint in this process that fails the first N calls of each
//! key, so it keeps its count across the server's crashes.
//!
//! The run is seeded. Environment: `BATON_CRASH_ROUNDS` (kills, default 5),
//! `BATON_CRASH_EXECUTIONS` (default 200), `BATON_CRASH_SEED` (default 20261125),
//! `BATON_CRASH_FINAL_WAIT` (seconds for every execution to end after the last kill, default
//! 120).
//!
//! An execution that shows no new event for longer than any timer of the workload after the
//! kills is stuck, and fails the test.
//!
//! An event rule chains a third state machine to every CrashFlow execution that succeeds
//! (through the status-change events, kept with the step that made them): in the end each
//! flow has started exactly one of them, crashes notwithstanding.

mod support;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{Baton, Rng, Scratch, call, env_number};

const ACCOUNT_PREFIX: &str = "arn:aws:states:us-east-1:123456789012";
const ROLE: &str = "arn:aws:iam::123456789012:role/baton-crash";
/// Any single API call: an answer comes well within this unless the server hangs.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);
/// An execution without a new event for this long is stuck: longer than any Wait, retry
/// interval or task timeout of the workload.
const STALL: Duration = Duration::from_secs(12);
/// GetActivityTask long-polls for 60 s.
const POLL_TIMEOUT: Duration = Duration::from_secs(75);

/// Wait, a flaky function with Retry, and an inline Map whose items call it too.
fn flow_definition() -> Value {
    let flaky = |key: &str, n: &str, fails: &str| {
        json!({
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {
                "FunctionName": "flaky",
                "Payload": {"key.$": key, "n.$": n, "fails.$": fails}
            },
            "ResultSelector": {"value.$": "$.Payload.value"},
            "Retry": [{
                "ErrorEquals": ["Flaky.Error"],
                "IntervalSeconds": 1, "BackoffRate": 1.5, "MaxAttempts": 6
            }]
        })
    };
    let mut top = flaky("$$.Execution.Name", "$.n", "$.fails");
    top["ResultPath"] = json!("$.flaky");
    top["Next"] = json!("Squares");
    let mut item = flaky("$.key", "$.v", "$.fails");
    item["End"] = json!(true);
    json!({
        "StartAt": "Nap",
        "States": {
            "Nap": {"Type": "Wait", "SecondsPath": "$.wait", "Next": "Flaky"},
            "Flaky": top,
            "Squares": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "MaxConcurrency": 5,
                "ItemSelector": {
                    "v.$": "$$.Map.Item.Value.v",
                    "fails.$": "$$.Map.Item.Value.fails",
                    "key.$": "States.Format('{}/{}', $$.Execution.Name, $$.Map.Item.Index)"
                },
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Item",
                    "States": {"Item": item}
                },
                "ResultPath": "$.mapped",
                "Next": "Shape"
            },
            "Shape": {
                "Type": "Pass",
                "Parameters": {"flaky.$": "$.flaky.value", "mapped.$": "$.mapped[*].value"},
                "End": true
            }
        }
    })
}

/// A Fail state caught and looped back to `fails` times, then an activity (whose lost
/// tasks time out and are retried), then a Wait.
fn work_definition(activity: &str) -> Value {
    json!({
        "StartAt": "Loop",
        "States": {
            "Loop": {
                "Type": "Parallel",
                "Branches": [{
                    "StartAt": "Decide",
                    "States": {
                        "Decide": {
                            "Type": "Choice",
                            "Choices": [{
                                "Variable": "$.tries", "NumericLessThanPath": "$.fails",
                                "Next": "Boom"
                            }],
                            "Default": "Fine"
                        },
                        "Boom": {"Type": "Fail", "Error": "Boom", "Cause": "not yet"},
                        "Fine": {"Type": "Pass", "End": true}
                    }
                }],
                "ResultPath": null,
                "Catch": [{"ErrorEquals": ["Boom"], "ResultPath": null, "Next": "Again"}],
                "Next": "Work"
            },
            "Again": {
                "Type": "Pass",
                "Parameters": {
                    "tries.$": "States.MathAdd($.tries, 1)",
                    "fails.$": "$.fails",
                    "n.$": "$.n"
                },
                "Next": "Loop"
            },
            "Work": {
                "Type": "Task",
                "Resource": activity,
                "TimeoutSeconds": 8,
                "HeartbeatSeconds": 4,
                "Retry": [{
                    "ErrorEquals": ["States.Timeout", "States.HeartbeatTimeout"],
                    "IntervalSeconds": 1, "MaxAttempts": 3
                }],
                "ResultPath": "$.work",
                "Next": "Rest"
            },
            "Rest": {"Type": "Wait", "Seconds": 1, "Next": "Shape"},
            "Shape": {
                "Type": "Pass",
                "Parameters": {"answer.$": "$.work.answer", "tries.$": "$.tries"},
                "End": true
            }
        }
    })
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Flow,
    Work,
}

/// One execution to start, and what it must end with.
struct Planned {
    kind: Kind,
    name: String,
    input: Value,
    output: Value,
}

impl Planned {
    fn machine(&self) -> String {
        let name = match self.kind {
            Kind::Flow => "CrashFlow",
            Kind::Work => "CrashWork",
        };
        format!("{ACCOUNT_PREFIX}:stateMachine:{name}")
    }

    fn arn(&self) -> String {
        let name = match self.kind {
            Kind::Flow => "CrashFlow",
            Kind::Work => "CrashWork",
        };
        format!("{ACCOUNT_PREFIX}:execution:{name}:{}", self.name)
    }
}

fn plan(count: u64, rng: &mut Rng) -> Vec<Planned> {
    (0..count)
        .map(|i| {
            let n = rng.range(1, 1000);
            let fails = rng.range(0, 2);
            if i % 2 == 0 {
                let items: Vec<Value> = (0..rng.range(10, 20))
                    .map(|j| json!({"v": j * 7 + 1, "fails": u64::from(rng.range(0, 3) == 0)}))
                    .collect();
                let mapped: Vec<Value> = (0..items.len() as u64)
                    .map(|j| json!((j * 7 + 1) * 10))
                    .collect();
                Planned {
                    kind: Kind::Flow,
                    name: format!("flow-{i}"),
                    input: json!({"wait": rng.range(1, 3), "fails": fails, "n": n, "items": items}),
                    output: json!({"flaky": n * 10, "mapped": mapped}),
                }
            } else {
                Planned {
                    kind: Kind::Work,
                    name: format!("work-{i}"),
                    input: json!({"tries": 0, "fails": fails, "n": n}),
                    output: json!({"answer": n * 3, "tries": fails}),
                }
            }
        })
        .collect()
}

/// The flaky function: an HTTP endpoint failing the first `fails` calls of each `key` with
/// `Flaky.Error`, then answering `{"value": n * 10}`.
struct Flaky {
    port: u16,
    calls: Arc<AtomicU64>,
}

fn serve_flaky() -> Flaky {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port for the function");
    let port = listener.local_addr().unwrap().port();
    let counts: Arc<Mutex<HashMap<String, u64>>> = Arc::default();
    let calls = Arc::new(AtomicU64::new(0));
    let calls2 = Arc::clone(&calls);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let counts = Arc::clone(&counts);
            let calls = Arc::clone(&calls2);
            std::thread::spawn(move || {
                let _ = answer_flaky(stream, &counts, &calls);
            });
        }
    });
    Flaky { port, calls }
}

fn answer_flaky(
    stream: std::net::TcpStream,
    counts: &Mutex<HashMap<String, u64>>,
    calls: &AtomicU64,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    calls.fetch_add(1, Ordering::Relaxed);
    let event: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let key = event["key"].as_str().unwrap_or_default().to_owned();
    let fails = event["fails"].as_u64().unwrap_or(0);
    let n = event["n"].as_u64().unwrap_or(0);
    let attempt = {
        let mut counts = counts.lock().unwrap();
        let c = counts.entry(key.clone()).or_default();
        *c += 1;
        *c
    };
    let (status, reply) = if attempt <= fails {
        (
            "500 Internal Server Error",
            json!({"errorType": "Flaky.Error", "errorMessage": format!("call {attempt} of {key}")}),
        )
    } else {
        ("200 OK", json!({"value": n * 10}))
    };
    let reply = reply.to_string();
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
        reply.len()
    )?;
    stream.flush()
}

/// What the worker threads saw.
#[derive(Default)]
struct WorkerStats {
    taken: AtomicU64,
    answered: AtomicU64,
    /// SendTaskSuccess answered TaskTimedOut: the task had ended (timed out, or the answer
    /// was recorded before a crash cut the reply).
    gone: AtomicU64,
    /// Answers sent again because a crash cut the first try.
    resent: AtomicU64,
    errors: Mutex<Vec<String>>,
}

/// An activity worker: polls, works up to 0.6 s with a heartbeat halfway, answers
/// `{"answer": 3n}`, and keeps going through crashes.
fn worker(
    port: u16,
    activity: String,
    name: String,
    stop: Arc<AtomicBool>,
    stats: Arc<WorkerStats>,
) {
    while !stop.load(Ordering::Relaxed) {
        let poll = call(
            port,
            "GetActivityTask",
            &json!({"activityArn": activity, "workerName": name}),
            POLL_TIMEOUT,
        );
        let reply = match poll {
            Ok(r) => r,
            Err(_) => {
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
        };
        if reply.status != 200 {
            stats
                .errors
                .lock()
                .unwrap()
                .push(format!("GetActivityTask: {} {}", reply.status, reply.body));
            std::thread::sleep(Duration::from_millis(100));
            continue;
        }
        let Some(token) = reply.body["taskToken"].as_str().map(str::to_owned) else {
            continue;
        };
        stats.taken.fetch_add(1, Ordering::Relaxed);
        let input: Value = serde_json::from_str(reply.body["input"].as_str().unwrap_or("null"))
            .unwrap_or_default();
        let n = input["n"].as_u64().unwrap_or(0);
        // Some work takes a while, with a heartbeat halfway: crashes come in between.
        let work = Duration::from_millis(n % 5 * 150);
        std::thread::sleep(work / 2);
        let heartbeat = json!({"taskToken": token});
        if let Ok(r) = call(port, "SendTaskHeartbeat", &heartbeat, CALL_TIMEOUT)
            && r.status != 200
            && r.error() != Some("TaskTimedOut")
        {
            stats
                .errors
                .lock()
                .unwrap()
                .push(format!("SendTaskHeartbeat: {} {}", r.status, r.body));
        }
        std::thread::sleep(work / 2);
        let output = json!({"answer": n * 3}).to_string();
        let request = json!({"taskToken": token, "output": output});
        let mut sent_before = false;
        loop {
            match call(port, "SendTaskSuccess", &request, CALL_TIMEOUT) {
                Ok(r) if r.status == 200 => {
                    stats.answered.fetch_add(1, Ordering::Relaxed);
                    break;
                }
                Ok(r) if r.error() == Some("TaskTimedOut") => {
                    stats.gone.fetch_add(1, Ordering::Relaxed);
                    break;
                }
                Ok(r) => {
                    stats.errors.lock().unwrap().push(format!(
                        "SendTaskSuccess{}: {} {}",
                        if sent_before { " (again)" } else { "" },
                        r.status,
                        r.body
                    ));
                    break;
                }
                Err(_) if stop.load(Ordering::Relaxed) => return,
                Err(_) => {
                    if !sent_before {
                        stats.resent.fetch_add(1, Ordering::Relaxed);
                    }
                    sent_before = true;
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        }
    }
}

/// Calls `action` until an answer comes (the server may be down for a moment).
fn call_through_crashes(port: u16, action: &str, request: &Value) -> support::Reply {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match call(port, action, request, CALL_TIMEOUT) {
            Ok(r) => return r,
            Err(e) if Instant::now() > deadline => panic!("{action}: no answer for 60 s: {e}"),
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// Starts every planned execution, trying again through crashes. An execution that exists
/// already is fine only if an earlier try may have reached the server.
fn start_all(port: u16, planned: Arc<Vec<Planned>>, errors: Arc<Mutex<Vec<String>>>) {
    for p in planned.iter() {
        let request = json!({
            "stateMachineArn": p.machine(),
            "name": p.name,
            "input": p.input.to_string(),
        });
        let mut tried = false;
        loop {
            match call(port, "StartExecution", &request, CALL_TIMEOUT) {
                Ok(r) if r.status == 200 && r.body["executionArn"] == p.arn().as_str() => break,
                Ok(r) if tried && r.error() == Some("ExecutionAlreadyExists") => break,
                Ok(r) => {
                    errors.lock().unwrap().push(format!(
                        "StartExecution {}: {} {}",
                        p.name, r.status, r.body
                    ));
                    break;
                }
                Err(_) => {
                    tried = true;
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn count(events: &[Value], kind: &str) -> usize {
    events.iter().filter(|e| e["type"] == kind).count()
}

fn entered(events: &[Value], kind: &str, state: &str) -> usize {
    events
        .iter()
        .filter(|e| e["type"] == kind && e["stateEnteredEventDetails"]["name"] == state)
        .count()
}

/// Checks one history; returns what is wrong with it.
fn check_history(p: &Planned, events: &[Value]) -> Vec<String> {
    let mut wrong = Vec::new();
    let mut expect = |ok: bool, what: String| {
        if !ok {
            wrong.push(what);
        }
    };
    let ids: Vec<u64> = events
        .iter()
        .map(|e| e["id"].as_u64().unwrap_or(0))
        .collect();
    expect(
        ids == (1..=events.len() as u64).collect::<Vec<_>>(),
        format!("ids are not 1..{}: {ids:?}", events.len()),
    );
    for e in events.iter().skip(1) {
        let (id, prev) = (e["id"].as_u64().unwrap_or(0), e["previousEventId"].as_u64());
        expect(
            prev.is_some_and(|p| p >= 1 && p < id),
            format!("event {id} ({}) has previousEventId {prev:?}", e["type"]),
        );
    }
    expect(
        events
            .first()
            .is_some_and(|e| e["type"] == "ExecutionStarted" && e["previousEventId"] == 0),
        "the first event is not ExecutionStarted with previousEventId 0".into(),
    );
    expect(
        count(events, "ExecutionStarted") == 1,
        format!(
            "{} ExecutionStarted events",
            count(events, "ExecutionStarted")
        ),
    );
    let terminal = [
        "ExecutionSucceeded",
        "ExecutionFailed",
        "ExecutionTimedOut",
        "ExecutionAborted",
    ];
    let ends: usize = terminal.iter().map(|t| count(events, t)).sum();
    expect(ends == 1, format!("{ends} terminal events"));
    expect(
        events
            .last()
            .is_some_and(|e| e["type"] == "ExecutionSucceeded"),
        format!(
            "the last event is {}",
            events.last().map_or(Value::Null, |e| e["type"].clone())
        ),
    );
    // Every scheduled task ended once; none started more often than scheduled.
    for family in ["Task", "Activity", "LambdaFunction"] {
        let scheduled = count(events, &format!("{family}Scheduled"));
        let started = count(events, &format!("{family}Started"));
        let ended: usize = ["Succeeded", "Failed", "TimedOut"]
            .iter()
            .map(|o| count(events, &format!("{family}{o}")))
            .sum();
        expect(
            scheduled == ended,
            format!("{scheduled} {family}Scheduled but {ended} ended"),
        );
        expect(
            started <= scheduled,
            format!("{started} {family}Started for {scheduled} scheduled"),
        );
    }
    match p.kind {
        Kind::Flow => {
            let items = p.input["items"].as_array().map_or(0, Vec::len);
            let may_fail = p.input["fails"].as_u64().unwrap_or(0) as usize
                + p.input["items"].as_array().map_or(0, |a| {
                    a.iter()
                        .map(|i| i["fails"].as_u64().unwrap_or(0) as usize)
                        .sum()
                });
            for (kind, state, n) in [
                ("WaitStateEntered", "Nap", 1),
                ("TaskStateEntered", "Flaky", 1),
                ("MapStateEntered", "Squares", 1),
                ("TaskStateEntered", "Item", items),
                ("PassStateEntered", "Shape", 1),
            ] {
                let got = entered(events, kind, state);
                expect(got == n, format!("{state} entered {got} times, not {n}"));
            }
            let succeeded = count(events, "TaskSucceeded");
            expect(
                succeeded == items + 1,
                format!("{succeeded} TaskSucceeded, not {}", items + 1),
            );
            let failed = count(events, "TaskFailed");
            // Only the planned failures; fewer when a crash lost a failed call's answer.
            expect(
                failed <= may_fail,
                format!("{failed} TaskFailed, more than the {may_fail} planned"),
            );
            for (kind, n) in [
                ("MapIterationStarted", items),
                ("MapIterationSucceeded", items),
            ] {
                let got = count(events, kind);
                expect(got == n, format!("{got} {kind}, not {n}"));
            }
        }
        Kind::Work => {
            let fails = p.input["fails"].as_u64().unwrap_or(0) as usize;
            for (kind, state, n) in [
                ("ParallelStateEntered", "Loop", fails + 1),
                ("ChoiceStateEntered", "Decide", fails + 1),
                ("FailStateEntered", "Boom", fails),
                ("PassStateEntered", "Again", fails),
                ("PassStateEntered", "Fine", 1),
                ("TaskStateEntered", "Work", 1),
                ("WaitStateEntered", "Rest", 1),
                ("PassStateEntered", "Shape", 1),
            ] {
                let got = entered(events, kind, state);
                expect(got == n, format!("{state} entered {got} times, not {n}"));
            }
            let succeeded = count(events, "ActivitySucceeded");
            expect(succeeded == 1, format!("{succeeded} ActivitySucceeded"));
            let timed_out = count(events, "ActivityTimedOut");
            // Only a task taken by a worker whose reply a crash cut can time out.
            expect(timed_out <= 2, format!("{timed_out} ActivityTimedOut"));
        }
    }
    wrong
}

fn history(port: u16, arn: &str) -> Vec<Value> {
    let mut events = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut request = json!({"executionArn": arn, "maxResults": 1000});
        if let Some(t) = &token {
            request["nextToken"] = json!(t);
        }
        let r = call_through_crashes(port, "GetExecutionHistory", &request);
        assert_eq!(r.status, 200, "GetExecutionHistory {arn}: {}", r.body);
        events.extend(r.body["events"].as_array().cloned().unwrap_or_default());
        token = r.body["nextToken"].as_str().map(str::to_owned);
        if token.is_none() {
            return events;
        }
    }
}

/// The last events of each RUNNING execution of `machines`, for a failure's message.
fn describe_stuck(port: u16, machines: &[String]) -> String {
    let mut out = String::new();
    for machine in machines {
        let request =
            json!({"stateMachineArn": machine, "statusFilter": "RUNNING", "maxResults": 20});
        let r = call_through_crashes(port, "ListExecutions", &request);
        for e in r.body["executions"].as_array().cloned().unwrap_or_default() {
            let arn = e["executionArn"].as_str().unwrap_or_default();
            let events = history(port, arn);
            out += &format!("{arn}: {} events, the last:\n", events.len());
            for ev in &events[events.len().saturating_sub(12)..] {
                let details = ev
                    .as_object()
                    .and_then(|o| o.iter().find(|(k, _)| k.ends_with("EventDetails")))
                    .map(|(_, v)| {
                        let mut v = v.clone();
                        for k in ["output", "input", "parameters"] {
                            v.as_object_mut().map(|o| o.remove(k));
                        }
                        v.to_string()
                    })
                    .unwrap_or_default();
                out += &format!(
                    "  {} <- {} {} {} {details}\n",
                    ev["id"], ev["previousEventId"], ev["timestamp"], ev["type"]
                );
            }
        }
    }
    out
}

fn running(port: u16, machine: &str) -> Vec<String> {
    let mut arns = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut request =
            json!({"stateMachineArn": machine, "statusFilter": "RUNNING", "maxResults": 1000});
        if let Some(t) = &token {
            request["nextToken"] = json!(t);
        }
        let r = call_through_crashes(port, "ListExecutions", &request);
        assert_eq!(r.status, 200, "ListExecutions: {}", r.body);
        for e in r.body["executions"].as_array().cloned().unwrap_or_default() {
            arns.push(e["executionArn"].as_str().unwrap_or_default().to_owned());
        }
        token = r.body["nextToken"].as_str().map(str::to_owned);
        if token.is_none() {
            return arns;
        }
    }
}

/// Every CrashFlow execution started exactly one CrashEcho execution, with its status change
/// as input: waits for them (they start after the flows end), then for a while more, in
/// case one was started twice.
fn check_chained(port: u16, planned: &[Planned]) -> Vec<String> {
    let flows: Vec<String> = planned
        .iter()
        .filter(|p| matches!(p.kind, Kind::Flow))
        .map(Planned::arn)
        .collect();
    let machine = format!("{ACCOUNT_PREFIX}:stateMachine:CrashEcho");
    let list = || {
        let mut all = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut request = json!({"stateMachineArn": machine, "maxResults": 1000});
            if let Some(t) = &token {
                request["nextToken"] = json!(t);
            }
            let r = call_through_crashes(port, "ListExecutions", &request);
            assert_eq!(r.status, 200, "ListExecutions: {}", r.body);
            for e in r.body["executions"].as_array().cloned().unwrap_or_default() {
                all.push(e["executionArn"].as_str().unwrap_or_default().to_owned());
            }
            token = r.body["nextToken"].as_str().map(str::to_owned);
            if token.is_none() {
                return all;
            }
        }
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while list().len() < flows.len() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(250));
    }
    std::thread::sleep(Duration::from_secs(2));
    let echoes = list();
    let mut chained: HashMap<String, usize> = HashMap::new();
    for arn in &echoes {
        let r = call_through_crashes(port, "DescribeExecution", &json!({"executionArn": arn}));
        let input: Value =
            serde_json::from_str(r.body["input"].as_str().unwrap_or("null")).unwrap_or_default();
        let from = input["executionArn"].as_str().unwrap_or("?").to_owned();
        *chained.entry(from).or_default() += 1;
    }
    let mut problems = Vec::new();
    for flow in &flows {
        match chained.remove(flow) {
            Some(1) => {}
            Some(n) => problems.push(format!("{flow}: chained {n} times")),
            None => problems.push(format!("{flow}: never chained")),
        }
    }
    for (from, n) in chained {
        problems.push(format!(
            "{n} CrashEcho executions from {from}, which is no flow"
        ));
    }
    println!(
        "{} flows chained {} CrashEcho executions",
        flows.len(),
        echoes.len()
    );
    problems
}

/// How long ago execution `arn` recorded its last event.
fn idle(port: u16, arn: &str) -> Duration {
    let request = json!({"executionArn": arn, "reverseOrder": true, "maxResults": 1});
    let r = call_through_crashes(port, "GetExecutionHistory", &request);
    let last = r.body["events"][0]["timestamp"].as_f64().unwrap_or(0.0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    Duration::from_secs_f64((now - last).max(0.0))
}

#[test]
fn executions_survive_the_server_being_killed() {
    let rounds = env_number("BATON_CRASH_ROUNDS", 5);
    let executions = env_number("BATON_CRASH_EXECUTIONS", 200);
    let seed = env_number("BATON_CRASH_SEED", 20261125);
    let began = Instant::now();
    println!("crash test: seed {seed}, {rounds} kills, {executions} executions");
    let mut rng = Rng::new(seed);
    let scratch = Scratch::new("crash");

    let flaky = serve_flaky();
    let functions = scratch.path("functions.json");
    std::fs::write(
        &functions,
        json!({"functions": {"flaky": {"url": format!("http://127.0.0.1:{}/", flaky.port)}}})
            .to_string(),
    )
    .unwrap();
    let settings = scratch.path("baton.toml");
    std::fs::write(
        &settings,
        format!(
            r#"[[triggers.rules]]
Name = "after-flow"
EventPattern = '{{"source": ["aws.states"], "detail": {{"status": ["SUCCEEDED"], "stateMachineArn": ["{ACCOUNT_PREFIX}:stateMachine:CrashFlow"]}}}}'
Targets = [{{ Id = "echo", Arn = "{ACCOUNT_PREFIX}:stateMachine:CrashEcho", InputPath = "$.detail" }}]
"#
        ),
    )
    .unwrap();
    let mut baton = Baton::start(
        &scratch.path("data"),
        &scratch.path("baton.log"),
        &[
            "--functions",
            functions.to_str().unwrap(),
            "--durability",
            "process",
            "--config",
            settings.to_str().unwrap(),
        ],
    );
    let port = baton.port;

    let reply = call(
        port,
        "CreateActivity",
        &json!({"name": "crash-work"}),
        CALL_TIMEOUT,
    )
    .unwrap();
    let activity = reply.body["activityArn"]
        .as_str()
        .expect("an activity")
        .to_owned();
    let echo = json!({"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": true}}});
    for (name, definition) in [
        ("CrashFlow", flow_definition()),
        ("CrashWork", work_definition(&activity)),
        ("CrashEcho", echo),
    ] {
        let r = call(
            port,
            "CreateStateMachine",
            &json!({"name": name, "definition": definition.to_string(), "roleArn": ROLE}),
            CALL_TIMEOUT,
        )
        .unwrap();
        assert_eq!(r.status, 200, "CreateStateMachine {name}: {}", r.body);
    }

    let planned = Arc::new(plan(executions, &mut rng));
    let start_errors: Arc<Mutex<Vec<String>>> = Arc::default();
    let starter = {
        let planned = Arc::clone(&planned);
        let errors = Arc::clone(&start_errors);
        std::thread::spawn(move || start_all(port, planned, errors))
    };
    let stop = Arc::new(AtomicBool::new(false));
    let stats = Arc::new(WorkerStats::default());
    let workers: Vec<_> = (0..8)
        .map(|i| {
            let (activity, stop, stats) = (activity.clone(), Arc::clone(&stop), Arc::clone(&stats));
            std::thread::spawn(move || worker(port, activity, format!("worker-{i}"), stop, stats))
        })
        .collect();

    for round in 1..=rounds {
        let after = rng.range(300, 2500);
        std::thread::sleep(Duration::from_millis(after));
        baton.kill();
        let down = rng.range(0, 300);
        std::thread::sleep(Duration::from_millis(down));
        // One restart in three is killed again while it recovers.
        let again = (rng.range(0, 2) == 0).then(|| rng.range(5, 150));
        if let Some(ms) = again {
            baton.crash_while_starting(Duration::from_millis(ms));
        }
        let t = Instant::now();
        baton.restart();
        let during = again.map_or(String::new(), |ms| {
            format!(", killed again {ms} ms into its start")
        });
        println!(
            "kill {round}: after {after} ms, down {down} ms{during}, back in {} ms",
            t.elapsed().as_millis()
        );
    }
    starter.join().expect("the starter");

    // Every execution ends within a few seconds of the last restart. One that shows no new
    // event for STALL (more than any timer or timeout of the workload) is stuck.
    let final_wait = env_number("BATON_CRASH_FINAL_WAIT", 120);
    let deadline = Instant::now() + Duration::from_secs(final_wait);
    let machines = [
        format!("{ACCOUNT_PREFIX}:stateMachine:CrashFlow"),
        format!("{ACCOUNT_PREFIX}:stateMachine:CrashWork"),
    ];
    let mut last_look = Instant::now();
    loop {
        let open: Vec<String> = machines.iter().flat_map(|m| running(port, m)).collect();
        if open.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{} executions still RUNNING {final_wait} s after the last kill:\n{}\n--- the server's log:\n{}",
            open.len(),
            describe_stuck(port, &machines),
            baton.log_tail()
        );
        if last_look.elapsed() > Duration::from_secs(2) {
            last_look = Instant::now();
            let stuck: Vec<String> = open
                .into_iter()
                .filter(|arn| idle(port, arn) > STALL)
                .collect();
            assert!(
                stuck.is_empty(),
                "{} executions show no progress for {STALL:?}:\n{}\n--- the server's log:\n{}",
                stuck.len(),
                describe_stuck(port, &machines),
                baton.log_tail()
            );
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    println!(
        "all ended {:.1} s into the test",
        began.elapsed().as_secs_f64()
    );

    // Once more: what ended must read back the same after a crash.
    baton.kill();
    baton.restart();

    let mut problems = start_errors.lock().unwrap().clone();
    problems.extend(check_chained(port, &planned));
    for p in planned.iter() {
        let r = call_through_crashes(port, "DescribeExecution", &json!({"executionArn": p.arn()}));
        if r.status != 200 {
            problems.push(format!(
                "{}: DescribeExecution {} {}",
                p.name, r.status, r.body
            ));
            continue;
        }
        let d = &r.body;
        if d["status"] != "SUCCEEDED" {
            problems.push(format!(
                "{}: {} {} {}",
                p.name, d["status"], d["error"], d["cause"]
            ));
            continue;
        }
        let output: Value =
            serde_json::from_str(d["output"].as_str().unwrap_or("null")).unwrap_or_default();
        if output != p.output {
            problems.push(format!("{}: output {output}, not {}", p.name, p.output));
        }
        let events = history(port, &p.arn());
        for wrong in check_history(p, &events) {
            problems.push(format!("{}: {wrong}", p.name));
        }
    }
    stop.store(true, Ordering::Relaxed);
    baton.kill();
    for w in workers {
        w.join().expect("a worker");
    }
    problems.extend(stats.errors.lock().unwrap().iter().cloned());
    println!(
        "{} executions checked in {:.1} s; {} starts ({} kills, 1 final, the rest killed while \
         starting); activity tasks: {} taken, {} answered, {} already gone, {} answered again \
         after a crash; {} calls of the flaky function",
        planned.len(),
        began.elapsed().as_secs_f64(),
        baton.starts - 1,
        rounds,
        stats.taken.load(Ordering::Relaxed),
        stats.answered.load(Ordering::Relaxed),
        stats.gone.load(Ordering::Relaxed),
        stats.resent.load(Ordering::Relaxed),
        flaky.calls.load(Ordering::Relaxed),
    );
    assert!(
        problems.is_empty(),
        "seed {seed}: {} problems:\n{}\n--- the server's log:\n{}",
        problems.len(),
        problems
            .iter()
            .take(50)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n"),
        baton.log_tail()
    );
}

/// A timer that is already due when the server starts again fires at once (recovery opens
/// each execution before it arms its timers, while the timer task already runs).
#[test]
fn timers_due_at_a_restart_fire() {
    let scratch = Scratch::new("overdue-timers");
    let mut baton = Baton::start(
        &scratch.path("data"),
        &scratch.path("baton.log"),
        &["--durability", "process"],
    );
    let port = baton.port;
    let definition =
        json!({"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 1, "End": true}}});
    let r = call(
        port,
        "CreateStateMachine",
        &json!({"name": "Nap", "definition": definition.to_string(), "roleArn": ROLE}),
        CALL_TIMEOUT,
    )
    .unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
    // The race is lost often but not always: three tries.
    for round in 0..3 {
        let arns: Vec<String> = (0..20)
            .map(|i| {
                let r = call(
                    port,
                    "StartExecution",
                    &json!({
                        "stateMachineArn": format!("{ACCOUNT_PREFIX}:stateMachine:Nap"),
                        "name": format!("nap-{round}-{i}")
                    }),
                    CALL_TIMEOUT,
                )
                .unwrap();
                r.body["executionArn"].as_str().expect("started").to_owned()
            })
            .collect();
        // Killed while every Wait is pending; started again once every Wait is due.
        baton.kill();
        std::thread::sleep(Duration::from_secs(2));
        baton.restart();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let open: Vec<&String> = arns
                .iter()
                .filter(|arn| {
                    let request = json!({"executionArn": arn});
                    let r = call(port, "DescribeExecution", &request, CALL_TIMEOUT).unwrap();
                    r.body["status"] == "RUNNING"
                })
                .collect();
            if open.is_empty() {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{} of 20 executions whose 1 s Wait was due when the server restarted are still \
                 RUNNING 10 s later: {open:?}",
                open.len()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}
