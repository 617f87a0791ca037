//! The engine driven input by input, as the runtime drives it: which events and effects
//! each input produces, with time as a plain number.

use baton_asl::definition::{ParseOptions, parse};
use baton_engine::{
    Collect, Effect, Execution, ExecutionInfo, Input, Millis, Program, Status, TaskRequest, WorkId,
};
use baton_json::{Value, json};

/// An execution under test, with everything it emitted so far.
struct Run {
    exec: Execution,
    out: Collect,
    now: Millis,
}

impl Run {
    fn start(definition: Value, input: Value) -> Run {
        let info = ExecutionInfo::local("machine", "run", input, Millis(1_000_000));
        Run::start_with(definition, info)
    }

    fn start_with(definition: Value, info: ExecutionInfo) -> Run {
        let machine = parse(&definition, ParseOptions::default())
            .valid()
            .unwrap_or_else(|d| panic!("invalid test definition: {}", d.aws_message()));
        let mut run = Run {
            exec: Execution::new(Program::new(machine), info),
            out: Collect::default(),
            now: Millis(1_000_000),
        };
        run.apply(Input::Start);
        run
    }

    fn apply(&mut self, input: Input) {
        self.exec.apply(input, self.now, &mut self.out);
    }

    fn at(&mut self, t: Millis) -> &mut Run {
        self.now = t;
        self
    }

    fn types(&self) -> Vec<&'static str> {
        self.out
            .events
            .iter()
            .map(|e| e.event_type.as_str())
            .collect()
    }

    /// Applies `Continue` until the execution waits or ends (one apply does a bounded
    /// amount of work).
    fn continue_until_waiting(&mut self) {
        while self.exec.has_ready_work() {
            self.apply(Input::Continue);
        }
    }

    /// The last Map Run report among the effects not taken yet.
    fn last_map_run(&self) -> baton_engine::MapRunReport {
        self.out
            .effects
            .iter()
            .rev()
            .find_map(|e| match e {
                Effect::MapRun(r) => Some((**r).clone()),
                _ => None,
            })
            .expect("a Map Run report")
    }

    /// Takes the effects emitted so far.
    fn effects(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.out.effects)
    }

    fn tasks(effects: &[Effect]) -> Vec<TaskRequest> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::RunTask(t) => Some(t.clone()),
                _ => None,
            })
            .collect()
    }

    fn timers(effects: &[Effect]) -> Vec<(WorkId, Millis)> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::StartTimer { id, due } => Some((*id, *due)),
                _ => None,
            })
            .collect()
    }

    fn output(&self) -> Value {
        match self.exec.status() {
            Status::Succeeded(v) => v.clone(),
            other => panic!("not succeeded: {other:?}"),
        }
    }

    fn failure(&self) -> (Option<String>, Option<String>) {
        match self.exec.status() {
            Status::Failed(f) | Status::TimedOut(f) | Status::Aborted(f) => (
                f.error.as_deref().map(str::to_owned),
                f.cause.as_deref().map(str::to_owned),
            ),
            other => panic!("not failed: {other:?}"),
        }
    }
}

#[path = "engine/limits.rs"]
mod limits;

#[path = "engine/datasets.rs"]
mod datasets;

const LAMBDA: &str = "arn:aws:lambda:us-east-1:123456789012:function:work";

fn task_machine(extra: Value) -> Value {
    let mut task = json!({"Type": "Task", "Resource": LAMBDA, "End": true});
    if let (Some(t), Some(e)) = (task.as_object_mut(), extra.as_object()) {
        for (k, v) in e.iter() {
            t.insert(k.clone(), v.clone());
        }
    }
    json!({"StartAt": "Work", "States": {"Work": task}})
}

#[test]
fn a_task_runs_once_its_result_comes_back() {
    let mut run = Run::start(
        task_machine(json!({"Parameters": {"n.$": "$.n"}, "ResultPath": "$.r"})),
        json!({"n": 1}),
    );
    let effects = run.effects();
    let tasks = Run::tasks(&effects);
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].input, json!({"n": 1}));
    assert!(!run.exec.is_finished());
    run.apply(Input::TaskSucceeded {
        id: tasks[0].id,
        output: json!("done"),
    });
    assert_eq!(run.output(), json!({"n": 1, "r": "done"}));
    assert_eq!(
        run.types(),
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "LambdaFunctionScheduled",
            "LambdaFunctionStarted",
            "LambdaFunctionSucceeded",
            "TaskStateExited",
            "ExecutionSucceeded"
        ]
    );
    // Ids are consecutive and each event follows the previous one.
    for (i, e) in run.out.events.iter().enumerate() {
        assert_eq!(e.id, i as u64 + 1);
        assert_eq!(e.previous_event_id, i as u64);
    }
}

#[test]
fn a_late_result_for_a_timed_out_task_is_ignored() {
    let mut run = Run::start(task_machine(json!({"TimeoutSeconds": 5})), json!({}));
    let effects = run.effects();
    let task = Run::tasks(&effects)[0].id;
    let timers = Run::timers(&effects);
    assert_eq!(timers.len(), 1);
    assert_eq!(timers[0].1, Millis(1_005_000));
    run.at(Millis(1_005_000))
        .apply(Input::TimerFired { id: timers[0].0 });
    assert!(
        run.effects()
            .iter()
            .any(|e| matches!(e, Effect::CancelTask { id } if *id == task))
    );
    assert_eq!(run.failure().0.as_deref(), Some("States.Timeout"));
    let events = run.out.events.len();
    run.apply(Input::TaskSucceeded {
        id: task,
        output: json!(1),
    });
    assert_eq!(run.out.events.len(), events, "no event after the end");
    assert!(run.types().contains(&"LambdaFunctionTimedOut"));
}

#[test]
fn heartbeats_push_the_heartbeat_timeout_back() {
    let mut run = Run::start(
        task_machine(json!({"HeartbeatSeconds": 10, "TimeoutSeconds": 100})),
        json!({}),
    );
    let effects = run.effects();
    let task = Run::tasks(&effects)[0].id;
    let heartbeat_timer = Run::timers(&effects)
        .into_iter()
        .find(|(_, due)| *due == Millis(1_010_000))
        .expect("a heartbeat timer")
        .0;
    run.at(Millis(1_008_000))
        .apply(Input::TaskHeartbeat { id: task });
    let effects = run.effects();
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::CancelTimer { id } if *id == heartbeat_timer))
    );
    let (new_timer, due) = Run::timers(&effects)[0];
    assert_eq!(due, Millis(1_018_000));
    // The old timer firing late changes nothing.
    run.at(Millis(1_010_000)).apply(Input::TimerFired {
        id: heartbeat_timer,
    });
    assert!(!run.exec.is_finished());
    run.at(Millis(1_018_000))
        .apply(Input::TimerFired { id: new_timer });
    assert_eq!(run.failure().0.as_deref(), Some("States.HeartbeatTimeout"));
}

#[test]
fn an_activitys_heartbeat_clock_starts_when_a_worker_takes_it() {
    let mut run = Run::start(
        json!({"StartAt": "T", "States": {"T": {"Type": "Task", "End": true,
            "Resource": "arn:aws:states:us-east-1:123456789012:activity:work",
            "HeartbeatSeconds": 10}}}),
        json!({}),
    );
    let effects = run.effects();
    let task = Run::tasks(&effects)[0].id;
    assert!(
        Run::timers(&effects).is_empty(),
        "no clock while the task waits"
    );
    run.at(Millis(1_050_000)).apply(Input::TaskStarted {
        id: task,
        worker_name: Some("w".into()),
    });
    let timers = Run::timers(&run.effects());
    assert_eq!(timers.len(), 1);
    assert_eq!(
        timers[0].1,
        Millis(1_060_000),
        "HeartbeatSeconds after the start"
    );
    run.at(Millis(1_060_000))
        .apply(Input::TimerFired { id: timers[0].0 });
    assert_eq!(run.failure().0.as_deref(), Some("States.HeartbeatTimeout"));
    assert!(run.types().contains(&"ActivityTimedOut"));
}

#[test]
fn retries_back_off_and_stop_at_max_delay() {
    let mut run = Run::start(
        task_machine(json!({"Retry": [{
            "ErrorEquals": ["Boom"], "IntervalSeconds": 2, "BackoffRate": 3,
            "MaxAttempts": 3, "MaxDelaySeconds": 10
        }]})),
        json!({}),
    );
    let mut delays = Vec::new();
    for _ in 0..4 {
        let effects = run.effects();
        let task = Run::tasks(&effects)[0].id;
        run.apply(Input::TaskFailed {
            id: task,
            error: Some("Boom".into()),
            cause: Some("it broke".into()),
        });
        if run.exec.is_finished() {
            break;
        }
        let effects = run.effects();
        let (timer, due) = Run::timers(&effects)[0];
        delays.push(due.0 - run.now.0);
        let now = due;
        run.at(now).apply(Input::TimerFired { id: timer });
    }
    assert_eq!(delays, [2_000, 6_000, 10_000]);
    assert_eq!(
        run.failure(),
        (Some("Boom".into()), Some("it broke".into()))
    );
}

#[test]
fn a_catcher_puts_the_error_where_result_path_says() {
    let mut run = Run::start(
        json!({"StartAt": "Work", "States": {
            "Work": {"Type": "Task", "Resource": LAMBDA, "Next": "Done",
                     "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Done"}]},
            "Done": {"Type": "Succeed"}
        }}),
        json!({"keep": true}),
    );
    let effects = run.effects();
    run.apply(Input::TaskFailed {
        id: Run::tasks(&effects)[0].id,
        error: Some("Boom".into()),
        cause: Some("why".into()),
    });
    assert_eq!(
        run.output(),
        json!({"keep": true, "error": {"Error": "Boom", "Cause": "why"}})
    );
}

#[test]
fn wait_states_ask_for_a_timer_and_resume_when_it_fires() {
    let mut run = Run::start(
        json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 30, "End": true}}}),
        json!({"x": 1}),
    );
    let effects = run.effects();
    let (timer, due) = Run::timers(&effects)[0];
    assert_eq!(due, Millis(1_030_000));
    run.at(due).apply(Input::TimerFired { id: timer });
    assert_eq!(run.output(), json!({"x": 1}));
    // A timestamp already past: no timer at all.
    let run = Run::start(
        json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Timestamp": "1970-01-01T00:00:00Z", "End": true}}}),
        json!({}),
    );
    assert_eq!(run.output(), json!({}));
}

#[test]
fn stopping_aborts_and_cancels_what_runs() {
    let mut run = Run::start(task_machine(json!({})), json!({}));
    let effects = run.effects();
    let task = Run::tasks(&effects)[0].id;
    run.apply(Input::Stop {
        error: Some("Stopped".into()),
        cause: Some("by hand".into()),
    });
    assert_eq!(run.exec.status().as_str(), "ABORTED");
    assert!(
        run.effects()
            .iter()
            .any(|e| matches!(e, Effect::CancelTask { id } if *id == task))
    );
    assert_eq!(run.types().last(), Some(&"ExecutionAborted"));
}

#[test]
fn the_machine_timeout_ends_a_waiting_execution() {
    let mut run = Run::start(
        json!({"TimeoutSeconds": 60, "StartAt": "W", "States": {
            "W": {"Type": "Wait", "Seconds": 3600, "End": true}}}),
        json!({}),
    );
    let effects = run.effects();
    let (timeout, due) = Run::timers(&effects)
        .into_iter()
        .min_by_key(|(_, d)| *d)
        .unwrap();
    assert_eq!(due, Millis(1_060_000));
    run.at(due).apply(Input::TimerFired { id: timeout });
    assert_eq!(run.exec.status().as_str(), "TIMED_OUT");
    assert_eq!(run.types().last(), Some(&"ExecutionTimedOut"));
}

fn parallel_of_tasks(n: usize) -> Value {
    let branches: Vec<Value> = (0..n)
        .map(|i| {
            json!({"StartAt": format!("B{i}"), "States": {
                format!("B{i}"): {"Type": "Task", "Resource": LAMBDA, "End": true}}})
        })
        .collect();
    json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": branches, "End": true}}})
}

#[test]
fn parallel_branches_run_together_and_keep_their_order() {
    let mut run = Run::start(parallel_of_tasks(3), json!({}));
    let effects = run.effects();
    let tasks = Run::tasks(&effects);
    assert_eq!(tasks.len(), 3, "all branches start before any ends");
    for (i, t) in tasks.iter().enumerate().rev() {
        run.apply(Input::TaskSucceeded {
            id: t.id,
            output: json!(i),
        });
    }
    assert_eq!(run.output(), json!([0, 1, 2]));
}

#[test]
fn a_failing_branch_aborts_the_others() {
    let mut run = Run::start(parallel_of_tasks(2), json!({}));
    let effects = run.effects();
    let tasks = Run::tasks(&effects);
    run.apply(Input::TaskFailed {
        id: tasks[0].id,
        error: Some("Boom".into()),
        cause: None,
    });
    let effects = run.effects();
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::CancelTask { id } if *id == tasks[1].id))
    );
    assert_eq!(run.failure().0.as_deref(), Some("Boom"));
    let types = run.types();
    assert_eq!(
        types.iter().filter(|t| **t == "TaskStateAborted").count(),
        2
    );
    assert!(types.contains(&"ParallelStateFailed"));
}

fn map_of_tasks(max_concurrency: u64, extra: Value) -> Value {
    let mut map = json!({"Type": "Map", "MaxConcurrency": max_concurrency, "End": true,
        "ItemProcessor": {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": LAMBDA, "End": true}}}});
    if let (Some(m), Some(e)) = (map.as_object_mut(), extra.as_object()) {
        for (k, v) in e.iter() {
            m.insert(k.clone(), v.clone());
        }
    }
    json!({"StartAt": "M", "States": {"M": map}})
}

#[test]
fn map_honours_max_concurrency() {
    let mut run = Run::start(map_of_tasks(2, json!({})), json!([1, 2, 3, 4, 5]));
    let mut outstanding = Run::tasks(&run.effects());
    let mut most = outstanding.len();
    while let Some(t) = outstanding.pop() {
        let n = t.input.as_i64().unwrap();
        run.apply(Input::TaskSucceeded {
            id: t.id,
            output: json!(n * 10),
        });
        outstanding.extend(Run::tasks(&run.effects()));
        most = most.max(outstanding.len());
    }
    assert_eq!(most, 2);
    assert_eq!(run.output(), json!([10, 20, 30, 40, 50]));
}

#[test]
fn map_tolerates_the_failures_it_is_told_to() {
    let failing = |tolerated: u64| {
        let mut run = Run::start(
            map_of_tasks(0, json!({"ToleratedFailureCount": tolerated})),
            json!([1, 2, 3]),
        );
        for t in Run::tasks(&run.effects()) {
            let input = t.input.as_i64().unwrap();
            if input == 2 || input == 3 {
                run.apply(Input::TaskFailed {
                    id: t.id,
                    error: Some("Bad".into()),
                    cause: None,
                });
            } else {
                run.apply(Input::TaskSucceeded {
                    id: t.id,
                    output: json!("ok"),
                });
            }
        }
        run
    };
    let run = failing(2);
    assert_eq!(
        run.output(),
        json!(["ok", {"Error": "Bad"}, {"Error": "Bad"}])
    );
    let run = failing(1);
    assert_eq!(
        run.failure().0.as_deref(),
        Some("States.ExceedToleratedFailureThreshold")
    );
}

#[test]
fn the_same_inputs_give_the_same_history() {
    let definition = json!({"StartAt": "P", "States": {"P": {"Type": "Pass",
        "Parameters": {"id.$": "States.UUID()", "r.$": "States.MathRandom(1, 1000)"}, "Next": "T"},
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
              "Parameters": {"FunctionName": "f", "Token.$": "$$.Task.Token"}, "End": true}}});
    let histories: Vec<Vec<Value>> = (0..2)
        .map(|_| {
            let mut run = Run::start(definition.clone(), json!({}));
            let task = Run::tasks(&run.effects())[0].clone();
            assert!(task.token.is_some());
            run.at(Millis(2_000_000)).apply(Input::TaskSucceeded {
                id: task.id,
                output: json!({"token": task.token.as_deref().unwrap()}),
            });
            run.out.events.iter().map(|e| e.to_json()).collect()
        })
        .collect();
    assert_eq!(histories[0], histories[1]);
}

#[test]
fn distributed_map_iterations_stay_out_of_the_history() {
    let run = Run::start(
        json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}}),
        json!([1, 2]),
    );
    assert_eq!(run.output(), json!([1, 2]));
    assert_eq!(
        run.types(),
        [
            "ExecutionStarted",
            "MapStateEntered",
            "MapStateStarted",
            "MapRunStarted",
            "MapRunSucceeded",
            "MapStateSucceeded",
            "MapStateExited",
            "ExecutionSucceeded"
        ]
    );
}

#[test]
fn history_events_have_aws_json_shape() {
    let run = Run::start(
        json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"a": 1}, "End": true}}}),
        json!({"in": true}),
    );
    let events: Vec<Value> = run.out.events.iter().map(|e| e.to_json()).collect();
    assert_eq!(
        events[1],
        json!({"timestamp": 1000.0, "type": "PassStateEntered", "id": 2, "previousEventId": 1,
               "stateEnteredEventDetails": {"name": "P", "input": "{\"in\":true}",
                                            "inputDetails": {"truncated": false}}})
    );
    assert_eq!(
        events[3]
            .get("executionSucceededEventDetails")
            .and_then(|d| d.get("output")),
        Some(&json!("{\"a\":1}"))
    );
}

#[test]
fn outputs_over_the_payload_limit_fail_the_execution() {
    let machine = parse(
        &json!({"StartAt": "P", "States": {"P": {"Type": "Pass",
            "Parameters": {"big.$": "States.ArrayRange(1, 500, 1)"}, "End": true}}}),
        ParseOptions::default(),
    )
    .valid()
    .unwrap();
    let mut info = ExecutionInfo::local("m", "e", json!({}), Millis(0));
    info.max_payload_bytes = 1000;
    let mut exec = Execution::new(Program::new(machine), info);
    let mut out = Collect::default();
    exec.apply(Input::Start, Millis(0), &mut out);
    match exec.status() {
        Status::Failed(f) => assert_eq!(f.error.as_deref(), Some("States.DataLimitExceeded")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn jsonata_states_assign_after_output_and_see_variables_from_the_next_state() {
    let run = Run::start(
        json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
            "A": {"Type": "Pass", "Assign": {"x": "{% $states.input.n %}"}, "Next": "B"},
            "B": {"Type": "Pass", "Assign": {"x": "{% $x + 1 %}"},
                  "Output": {"seen": "{% $x %}"}, "Next": "C"},
            "C": {"Type": "Pass", "Output": {"before": "{% $states.input.seen %}", "now": "{% $x %}"},
                  "End": true}}}),
        json!({"n": 41}),
    );
    assert_eq!(run.output(), json!({"before": 41, "now": 42}));
}

#[test]
fn inner_scopes_read_outer_variables_and_keep_their_own() {
    let run = Run::start(
        json!({"QueryLanguage": "JSONata", "StartAt": "Set", "States": {
            "Set": {"Type": "Pass", "Assign": {"x": 1}, "Next": "P"},
            "P": {"Type": "Parallel", "Next": "After", "Branches": [
                {"StartAt": "In", "States": {
                    "In": {"Type": "Pass", "Assign": {"x": 2}, "Next": "Read"},
                    "Read": {"Type": "Pass", "Output": "{% $x %}", "End": true}}},
                {"StartAt": "Outer", "States": {
                    "Outer": {"Type": "Pass", "Output": "{% $x %}", "End": true}}}]},
            "After": {"Type": "Pass", "Output": {"branches": "{% $states.input %}", "x": "{% $x %}"},
                      "End": true}}}),
        json!({}),
    );
    assert_eq!(run.output(), json!({"branches": [2, 1], "x": 1}));
}

#[test]
fn distributed_map_iterations_do_not_see_outer_variables() {
    let run = Run::start(
        json!({"QueryLanguage": "JSONata", "StartAt": "Set", "States": {
            "Set": {"Type": "Pass", "Assign": {"x": 1}, "Next": "M"},
            "M": {"Type": "Map", "Items": [1], "End": true,
                  "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                      "StartAt": "Read", "States": {"Read": {"Type": "Pass", "Output": "{% $x %}", "End": true}}}}}}),
        json!({}),
    );
    assert_eq!(
        run.failure().0.as_deref(),
        Some("States.ExceedToleratedFailureThreshold")
    );
}

#[test]
fn a_jsonata_failure_is_a_query_evaluation_error_after_evaluation_failed() {
    let run = Run::start(
        json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
            "A": {"Type": "Pass", "Output": {"v": "{% $missing %}"}, "End": true}}}),
        json!({}),
    );
    let (error, cause) = run.failure();
    assert_eq!(error.as_deref(), Some("States.QueryEvaluationError"));
    assert_eq!(
        cause.as_deref(),
        Some(
            "An error occurred while executing the state 'A' (entered at the event id #2). The JSONata expression '$missing' specified for the field 'Output/v' returned nothing (undefined)."
        )
    );
    assert_eq!(
        run.types(),
        [
            "ExecutionStarted",
            "PassStateEntered",
            "EvaluationFailed",
            "ExecutionFailed"
        ]
    );
}

#[test]
fn jsonata_tasks_take_arguments_and_catchers_see_the_error_output() {
    let mut run = Run::start(
        json!({"QueryLanguage": "JSONata", "StartAt": "T", "States": {
            "T": {"Type": "Task", "Resource": LAMBDA, "Arguments": {"n": "{% $states.input.n * 2 %}"},
                  "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught",
                             "Output": {"in": "{% $states.input %}", "err": "{% $states.errorOutput.Error %}"},
                             "Assign": {"failed": true}}],
                  "End": true},
            "Caught": {"Type": "Pass", "Output": {"out": "{% $states.input %}", "failed": "{% $failed %}"},
                       "End": true}}}),
        json!({"n": 21}),
    );
    let task = Run::tasks(&run.effects())[0].clone();
    assert_eq!(task.input, json!({"n": 42}));
    run.apply(Input::TaskFailed {
        id: task.id,
        error: Some("Boom".into()),
        cause: None,
    });
    assert_eq!(
        run.output(),
        json!({"out": {"in": {"n": 21}, "err": "Boom"}, "failed": true})
    );
}

#[test]
fn variables_over_256_kib_fail_the_execution() {
    let run = Run::start(
        json!({"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Assign": {"big.$": "$.s"}, "End": true}}}),
        json!({"s": "x".repeat(200 * 1024)}),
    );
    assert_eq!(run.output(), json!({"s": "x".repeat(200 * 1024)}));
    let machine = parse(
        &json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
            "A": {"Type": "Pass", "Assign": {"big": "{% $pad('', 300000, 'x') %}"}, "End": true}}}),
        ParseOptions::default(),
    )
    .valid()
    .unwrap();
    let mut exec = Execution::new(
        Program::new(machine),
        ExecutionInfo::local("m", "e", json!({}), Millis(0)),
    );
    let mut out = Collect::default();
    exec.apply(Input::Start, Millis(0), &mut out);
    match exec.status() {
        Status::Failed(f) => assert_eq!(f.error.as_deref(), Some("States.DataLimitExceeded")),
        other => panic!("{other:?}"),
    }
}

// ----- redrive -----

impl Run {
    /// Completes every task asked for so far with `outcome(task input)`: `Ok(result)` or
    /// `Err(error name)`, until no task is asked for; other effects are left to look at.
    /// Returns the inputs of the tasks run.
    fn settle(&mut self, outcome: impl Fn(&Value) -> Result<Value, &'static str>) -> Vec<Value> {
        let mut inputs = Vec::new();
        let mut others = Vec::new();
        let mut take = |run: &mut Run| {
            let (tasks, rest): (Vec<Effect>, Vec<Effect>) = run
                .effects()
                .into_iter()
                .partition(|e| matches!(e, Effect::RunTask(_)));
            others.extend(rest);
            Run::tasks(&tasks)
        };
        let mut pending = take(self);
        while !pending.is_empty() {
            for t in pending {
                inputs.push(t.input.clone());
                let input = match outcome(&t.input) {
                    Ok(output) => Input::TaskSucceeded { id: t.id, output },
                    Err(error) => Input::TaskFailed {
                        id: t.id,
                        error: Some(error.into()),
                        cause: None,
                    },
                };
                self.apply(input);
            }
            pending = take(self);
        }
        self.out.effects = others;
        inputs
    }

    /// Fires the timers asked for and not cancelled, earliest first, at their due time.
    fn fire_timers(&mut self) {
        let mut timers: Vec<(WorkId, Millis)> = Vec::new();
        for e in self.effects() {
            match e {
                Effect::StartTimer { id, due } => timers.push((id, due)),
                Effect::CancelTimer { id } => timers.retain(|t| t.0 != id),
                _ => {}
            }
        }
        timers.sort_by_key(|t| t.1);
        for (id, due) in timers {
            let now = due.max(self.now);
            self.at(now).apply(Input::TimerFired { id });
        }
    }

    /// The event types from the last `ExecutionRedriven` on.
    fn types_since_redrive(&self) -> Vec<&'static str> {
        let types = self.types();
        let from = types
            .iter()
            .rposition(|t| *t == "ExecutionRedriven")
            .expect("redriven");
        types[from..].to_vec()
    }
}

#[test]
fn a_failed_task_is_redriven_from_where_it_failed_with_its_retries_counted_again() {
    let mut run = Run::start(
        json!({"StartAt": "Set", "States": {
            "Set": {"Type": "Pass", "Assign": {"x": "kept"}, "Result": {"n": 1}, "Next": "Work"},
            "Work": {"Type": "Task", "Resource": LAMBDA, "End": true,
                     "Parameters": {"n.$": "$.n", "x.$": "$x",
                                    "redrives.$": "$$.Execution.RedriveCount",
                                    "retries.$": "$$.State.RetryCount"},
                     "Retry": [{"ErrorEquals": ["Boom"], "MaxAttempts": 1, "IntervalSeconds": 1}]}}}),
        json!({}),
    );
    let mut first = run.settle(|_| Err("Boom"));
    run.fire_timers();
    first.extend(run.settle(|_| Err("Boom")));
    assert_eq!(first.len(), 2, "one try and one retry");
    assert_eq!(run.failure().0.as_deref(), Some("Boom"));
    let before = run.out.events.len();

    run.at(Millis(2_000_000)).apply(Input::Redrive);
    assert!(!run.exec.is_finished());
    assert_eq!(run.exec.info().redrive_count, 1);
    // The retrier has its attempts again: fail once, then succeed.
    let mut second = run.settle(|_| Err("Boom"));
    run.fire_timers();
    second.extend(run.settle(|_| Ok(json!("done"))));
    assert_eq!(
        second,
        [
            json!({"n": 1, "x": "kept", "redrives": 1, "retries": 0}),
            json!({"n": 1, "x": "kept", "redrives": 1, "retries": 1}),
        ]
    );
    assert_eq!(run.output(), json!("done"));
    assert_eq!(
        run.types_since_redrive(),
        [
            "ExecutionRedriven",
            "TaskStateEntered",
            "LambdaFunctionScheduled",
            "LambdaFunctionStarted",
            "LambdaFunctionFailed",
            "LambdaFunctionScheduled",
            "LambdaFunctionStarted",
            "LambdaFunctionSucceeded",
            "TaskStateExited",
            "ExecutionSucceeded"
        ]
    );
    assert_eq!(
        run.types()
            .iter()
            .filter(|t| **t == "PassStateEntered")
            .count(),
        1,
        "the Pass state that had succeeded does not run again"
    );
    // The history carries on: ids go on, the redriven state follows ExecutionRedriven.
    for (i, e) in run.out.events.iter().enumerate() {
        assert_eq!(e.id, i as u64 + 1);
    }
    let redriven = run.out.events[before].to_json();
    assert_eq!(
        redriven,
        json!({"timestamp": 2000.0, "type": "ExecutionRedriven", "id": before + 1,
               "previousEventId": before, "executionRedrivenEventDetails": {"redriveCount": 1}})
    );
    let entered = &run.out.events[before + 1];
    assert_eq!(entered.previous_event_id, before as u64 + 1);
    assert_eq!(
        entered
            .to_json()
            .get("stateEnteredEventDetails")
            .and_then(|d| d.get("input")),
        Some(&json!("{\"n\":1}")),
        "entered again with the input it had"
    );
}

#[test]
fn a_redriven_execution_can_fail_again_and_be_redriven_again() {
    let mut run = Run::start(
        task_machine(json!({"Parameters": {"r.$": "$$.Execution.RedriveCount"}})),
        json!({}),
    );
    run.settle(|_| Err("Boom"));
    run.apply(Input::Redrive);
    run.settle(|_| Err("Again"));
    assert_eq!(run.failure().0.as_deref(), Some("Again"));
    run.apply(Input::Redrive);
    let inputs = run.settle(|_| Ok(json!("ok")));
    assert_eq!(inputs, [json!({"r": 2})]);
    assert_eq!(run.output(), json!("ok"));
    let last_redriven = run
        .out
        .events
        .iter()
        .rfind(|e| e.event_type.as_str() == "ExecutionRedriven")
        .unwrap()
        .to_json();
    assert_eq!(
        last_redriven.get("executionRedrivenEventDetails"),
        Some(&json!({"redriveCount": 2}))
    );
}

#[test]
fn a_parallel_state_reruns_only_its_failed_and_aborted_branches() {
    let mut run = Run::start(parallel_of_tasks(3), json!({"in": 1}));
    let tasks = Run::tasks(&run.effects());
    // Branch 0 succeeds, branch 1 fails: branch 2, still running, is aborted.
    run.apply(Input::TaskSucceeded {
        id: tasks[0].id,
        output: json!("zero"),
    });
    run.apply(Input::TaskFailed {
        id: tasks[1].id,
        error: Some("Boom".into()),
        cause: None,
    });
    assert_eq!(run.failure().0.as_deref(), Some("Boom"));
    run.effects();

    run.apply(Input::Redrive);
    let rerun = Run::tasks(&run.effects());
    assert_eq!(
        rerun
            .iter()
            .map(|t| t.state_name.to_string())
            .collect::<Vec<_>>(),
        ["B1", "B2"]
    );
    for (t, out) in rerun.iter().zip(["one", "two"]) {
        assert_eq!(t.input, json!({"in": 1}));
        run.apply(Input::TaskSucceeded {
            id: t.id,
            output: json!(out),
        });
    }
    assert_eq!(run.output(), json!(["zero", "one", "two"]));
    assert_eq!(
        run.types_since_redrive(),
        [
            "ExecutionRedriven",
            "ParallelStateEntered",
            "ParallelStateStarted",
            "TaskStateEntered",
            "LambdaFunctionScheduled",
            "LambdaFunctionStarted",
            "TaskStateEntered",
            "LambdaFunctionScheduled",
            "LambdaFunctionStarted",
            "LambdaFunctionSucceeded",
            "TaskStateExited",
            "LambdaFunctionSucceeded",
            "TaskStateExited",
            "ParallelStateSucceeded",
            "ParallelStateExited",
            "ExecutionSucceeded"
        ]
    );
}

#[test]
fn a_map_state_reruns_only_the_iterations_that_failed_or_never_started() {
    // All iterations at once: 2 and 4 fail (the second failure is one too many).
    let mut run = Run::start(
        map_of_tasks(0, json!({"ToleratedFailureCount": 1})),
        json!([1, 2, 3, 4]),
    );
    let ran = run.settle(|n| match n.as_i64() {
        Some(2 | 4) => Err("Bad"),
        Some(n) => Ok(json!(n * 10)),
        None => Err("?"),
    });
    assert_eq!(ran.len(), 4);
    assert_eq!(
        run.failure().0.as_deref(),
        Some("States.ExceedToleratedFailureThreshold")
    );
    run.apply(Input::Redrive);
    let rerun = run.settle(|n| Ok(json!(n.as_i64().unwrap() * 10)));
    assert_eq!(rerun, [json!(2), json!(4)]);
    assert_eq!(run.output(), json!([10, 20, 30, 40]));
    let redriven: Vec<Value> = run
        .out
        .events
        .iter()
        .skip_while(|e| e.event_type.as_str() != "ExecutionRedriven")
        .map(|e| e.to_json())
        .collect();
    let started: Vec<&Value> = redriven
        .iter()
        .filter_map(|e| e.get("mapIterationStartedEventDetails"))
        .collect();
    assert_eq!(
        started,
        [
            &json!({"name": "M", "index": 1}),
            &json!({"name": "M", "index": 3})
        ]
    );
    assert_eq!(
        redriven[2].get("mapStateStartedEventDetails"),
        Some(&json!({"length": 4}))
    );

    // One at a time: iteration 1 fails, 2 never starts; the redrive runs both, in order.
    let mut run = Run::start(map_of_tasks(1, json!({})), json!([0, 1, 2]));
    let ran = run.settle(|n| {
        if n == &json!(1) {
            Err("Bad")
        } else {
            Ok(n.clone())
        }
    });
    assert_eq!(ran, [json!(0), json!(1)]);
    run.apply(Input::Redrive);
    let mut most = 0;
    let mut order = Vec::new();
    loop {
        let tasks = Run::tasks(&run.effects());
        if tasks.is_empty() {
            break;
        }
        most = most.max(tasks.len());
        for t in tasks {
            order.push(t.input.clone());
            run.apply(Input::TaskSucceeded {
                id: t.id,
                output: json!("again"),
            });
        }
    }
    assert_eq!(most, 1, "MaxConcurrency holds on a redrive");
    assert_eq!(order, [json!(1), json!(2)]);
    assert_eq!(run.output(), json!([0, "again", "again"]));
}

#[test]
fn a_nested_failure_reruns_just_the_failed_iteration_inside_the_failed_branch() {
    let mut run = Run::start(
        json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
            {"StartAt": "Ok", "States": {"Ok": {"Type": "Pass", "Result": "ok", "End": true}}},
            {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items", "End": true,
                "ItemProcessor": {"StartAt": "T", "States": {
                    "T": {"Type": "Task", "Resource": LAMBDA, "End": true}}}}}}]}}}),
        json!({"items": ["a", "b"]}),
    );
    run.settle(|v| {
        if v == &json!("b") {
            Err("Bad")
        } else {
            Ok(json!("A"))
        }
    });
    assert_eq!(run.failure().0.as_deref(), Some("Bad"));
    run.apply(Input::Redrive);
    let rerun = run.settle(|_| Ok(json!("B")));
    assert_eq!(rerun, [json!("b")]);
    assert_eq!(run.output(), json!(["ok", ["A", "B"]]));
    let after = run.types_since_redrive();
    assert_eq!(
        after.iter().filter(|t| **t == "PassStateEntered").count(),
        0
    );
    assert_eq!(
        after
            .iter()
            .filter(|t| **t == "MapIterationStarted")
            .count(),
        1
    );
}

#[test]
fn a_timed_out_execution_is_redriven_with_its_timeout_counted_from_the_redrive() {
    let mut run = Run::start(
        json!({"TimeoutSeconds": 60, "StartAt": "T", "States": {
            "T": {"Type": "Task", "Resource": LAMBDA, "End": true}}}),
        json!({}),
    );
    let effects = run.effects();
    let (timeout, due) = Run::timers(&effects)[0];
    run.at(due).apply(Input::TimerFired { id: timeout });
    assert_eq!(run.exec.status().as_str(), "TIMED_OUT");
    run.effects();

    run.at(Millis(5_000_000)).apply(Input::Redrive);
    let effects = run.effects();
    assert_eq!(
        Run::timers(&effects)
            .iter()
            .map(|t| t.1)
            .collect::<Vec<_>>(),
        [Millis(5_060_000)]
    );
    let task = Run::tasks(&effects);
    assert_eq!(task.len(), 1, "the task that timed out runs again");
    run.apply(Input::TaskSucceeded {
        id: task[0].id,
        output: json!("late"),
    });
    assert_eq!(run.output(), json!("late"));
}

#[test]
fn an_aborted_execution_is_redriven_from_the_state_it_was_stopped_in() {
    let mut run = Run::start(
        json!({"StartAt": "A", "States": {
            "A": {"Type": "Task", "Resource": LAMBDA, "Next": "W"},
            "W": {"Type": "Wait", "Seconds": 100, "Next": "B"},
            "B": {"Type": "Task", "Resource": LAMBDA, "End": true}}}),
        json!({}),
    );
    run.settle(|_| Ok(json!({"a": 1})));
    let (timer, _) = Run::timers(&run.effects())[0];
    run.at(Millis(1_010_000)).apply(Input::Stop {
        error: Some("Stop".into()),
        cause: None,
    });
    assert_eq!(run.exec.status().as_str(), "ABORTED");
    // The old timer firing after the stop changes nothing.
    run.apply(Input::TimerFired { id: timer });
    assert_eq!(run.exec.status().as_str(), "ABORTED");

    run.at(Millis(2_000_000)).apply(Input::Redrive);
    let (timer, due) = Run::timers(&run.effects())[0];
    assert_eq!(due, Millis(2_100_000), "the Wait state waits again in full");
    run.at(due).apply(Input::TimerFired { id: timer });
    let inputs = run.settle(|_| Ok(json!("b")));
    assert_eq!(inputs, [json!({"a": 1})], "only B runs: A had succeeded");
    assert_eq!(run.output(), json!("b"));
    assert_eq!(
        run.types_since_redrive()[..3],
        ["ExecutionRedriven", "WaitStateEntered", "WaitStateExited"]
    );
}

#[test]
fn redrive_is_ignored_while_running_and_after_success() {
    let mut run = Run::start(task_machine(json!({})), json!({}));
    run.apply(Input::Redrive);
    assert_eq!(
        run.types(),
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "LambdaFunctionScheduled",
            "LambdaFunctionStarted"
        ]
    );
    assert!(!run.exec.is_redrivable());
    run.settle(|_| Ok(json!(1)));
    assert!(!run.exec.is_redrivable());
    let events = run.out.events.len();
    run.apply(Input::Redrive);
    assert_eq!(run.out.events.len(), events);
    assert_eq!(run.output(), json!(1));
    assert_eq!(run.exec.info().redrive_count, 0);
}

#[test]
fn a_state_over_the_payload_limit_runs_again_as_a_whole() {
    let machine = parse(&parallel_of_tasks(2), ParseOptions::default())
        .valid()
        .unwrap();
    let mut info = ExecutionInfo::local("m", "e", json!({}), Millis(0));
    info.max_payload_bytes = 1000;
    let mut run = Run {
        exec: Execution::new(Program::new(machine), info),
        out: Collect::default(),
        now: Millis(0),
    };
    run.apply(Input::Start);
    let big = json!("x".repeat(600));
    run.settle(|_| Ok(big.clone()));
    assert_eq!(run.failure().0.as_deref(), Some("States.DataLimitExceeded"));
    run.apply(Input::Redrive);
    let rerun = run.settle(|_| Ok(json!("small")));
    assert_eq!(rerun.len(), 2, "both branches run again");
    assert_eq!(run.output(), json!(["small", "small"]));
}

#[test]
fn replaying_the_inputs_of_a_redriven_execution_gives_the_same_history() {
    let definition = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true,
        "Branches": [
            {"StartAt": "U", "States": {"U": {"Type": "Pass",
                "Parameters": {"id.$": "States.UUID()"}, "End": true}}},
            {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": LAMBDA, "End": true,
                "Parameters": {"r.$": "$$.Execution.RedriveCount"}}}}]}}});
    let histories: Vec<Vec<Value>> = (0..2)
        .map(|_| {
            let mut run = Run::start(definition.clone(), json!({}));
            run.settle(|_| Err("Boom"));
            run.at(Millis(3_000_000)).apply(Input::Redrive);
            run.settle(|v| Ok(v.clone()));
            run.out.events.iter().map(|e| e.to_json()).collect()
        })
        .collect();
    assert_eq!(histories[0], histories[1]);
    assert_eq!(
        histories[0]
            .last()
            .and_then(|e| e.get("executionSucceededEventDetails"))
            .and_then(|d| d.get("output"))
            .and_then(Value::as_str)
            .map(|o| o.contains("\"r\":1")),
        Some(true)
    );
}

#[test]
fn a_task_s_credentials_are_evaluated_as_its_parameters_are() {
    let role = "arn:aws:iam::123456789012:role/r";
    let mut run = Run::start(
        task_machine(json!({"InputPath": "$.in", "Credentials": {"RoleArn.$": "$.role"}})),
        json!({"in": {"role": role}}),
    );
    let task = Run::tasks(&run.effects())[0].clone();
    assert_eq!(task.credentials, Some(json!({"RoleArn": role})));

    let mut run = Run::start(
        json!({"QueryLanguage": "JSONata", "StartAt": "T", "States": {
            "T": {"Type": "Task", "Resource": LAMBDA,
                  "Credentials": {"RoleArn": "{% 'arn:aws:iam::' & $states.input.account & ':role/r' %}"},
                  "End": true}}}),
        json!({"account": "123456789012"}),
    );
    let task = Run::tasks(&run.effects())[0].clone();
    assert_eq!(task.credentials, Some(json!({"RoleArn": role})));

    let mut run = Run::start(task_machine(json!({})), json!({}));
    let task = Run::tasks(&run.effects())[0].clone();
    assert_eq!(task.credentials, None);

    // A path that finds nothing fails the state as a Parameters path does.
    let mut run = Run::start(
        task_machine(json!({"Credentials": {"RoleArn.$": "$.missing"}})),
        json!({}),
    );
    assert!(Run::tasks(&run.effects()).is_empty());
    assert_eq!(run.failure().0.as_deref(), Some("States.Runtime"));
}
