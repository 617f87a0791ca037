//! An execution's bounds: the history limit, the longest duration, the nesting limit, and
//! the step budget that makes an apply yield.

use baton_engine::{
    Collect, Effect, Execution, ExecutionInfo, Input, Limits, Millis, Program, Status,
};
use baton_json::{Value, json};

use super::Run;

/// A Choice that never leads to an end.
fn endless_loop() -> Value {
    json!({"StartAt": "Loop", "States": {
        "Loop": {"Type": "Choice",
            "Choices": [{"Variable": "$.spin", "BooleanEquals": true, "Next": "Spin"}],
            "Default": "Done"},
        "Spin": {"Type": "Pass", "Next": "Loop"},
        "Done": {"Type": "Succeed"}}})
}

fn info(input: Value, limits: Limits) -> ExecutionInfo {
    let mut info = ExecutionInfo::local("machine", "run", input, Millis(1_000_000));
    info.limits = limits;
    info
}

/// Applies `Continue` until the execution waits or ends; the events of each apply.
fn run_out(run: &mut Run) -> Vec<usize> {
    let mut per_apply = Vec::new();
    let mut before = run.out.events.len();
    while run.exec.has_ready_work() {
        run.apply(Input::Continue);
        per_apply.push(run.out.events.len() - before);
        before = run.out.events.len();
    }
    per_apply
}

#[test]
fn a_loop_that_never_ends_fails_in_the_last_event_the_history_has_room_for() {
    let mut run = Run::start_with(
        endless_loop(),
        info(json!({"spin": true}), Limits::STANDARD),
    );
    let first = run.out.events.len();
    let per_apply = run_out(&mut run);
    // Each apply did a bounded amount of work, and yielded.
    assert!(first <= 1_100, "{first} events in the first apply");
    assert!(per_apply.iter().all(|n| *n <= 1_100), "{per_apply:?}");
    assert!(per_apply.len() >= 20);
    assert_eq!(
        run.failure(),
        (
            Some("States.Runtime".into()),
            Some("The execution reached the maximum number of history events (25000).".into())
        )
    );
    // As AWS ends it: event 25,000 is the failure, 24,999 the last the machine made.
    let events = &run.out.events;
    assert_eq!(events.len(), 25_000);
    let last = &events[24_999];
    assert_eq!(last.id, 25_000);
    assert_eq!(last.previous_event_id, 24_999);
    assert_eq!(last.event_type.as_str(), "ExecutionFailed");
    assert_eq!(events[24_998].id, 24_999);
    assert!(!run.exec.has_ready_work());
}

#[test]
fn the_event_that_ends_an_execution_always_has_room() {
    // Started, then 4 × (entered, exited), then succeeded: 10 events.
    let chain = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "C"},
        "C": {"Type": "Pass", "Next": "D"}, "D": {"Type": "Pass", "End": true}}});
    let bounded = |n| Limits {
        max_events: Some(n),
        ..Limits::STANDARD
    };
    let run = Run::start_with(chain.clone(), info(json!({}), bounded(10)));
    assert_eq!(run.output(), json!({}));
    assert_eq!(run.out.events.len(), 10);

    let run = Run::start_with(chain, info(json!({}), bounded(9)));
    assert_eq!(run.failure().0.as_deref(), Some("States.Runtime"));
    let types = run.types();
    assert_eq!(types.len(), 9);
    assert_eq!(types[7], "PassStateEntered");
    assert_eq!(types[8], "ExecutionFailed");
}

#[test]
fn events_of_inline_map_iterations_count_toward_the_limit() {
    let items: Vec<Value> = (0..20_000u64).map(Value::from).collect();
    let map = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}});
    let mut run = Run::start_with(map, info(Value::from(items), Limits::STANDARD));
    run_out(&mut run);
    assert_eq!(run.failure().0.as_deref(), Some("States.Runtime"));
    assert_eq!(run.out.events.len(), 25_000);
}

#[test]
fn a_yielding_execution_makes_the_history_of_one_that_does_not() {
    let counter = json!({"StartAt": "Count", "States": {
        "Count": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "Check"},
        "Check": {"Type": "Choice",
            "Choices": [{"Variable": "$.n", "NumericLessThan": 3000, "Next": "Count"}],
            "Default": "Done"},
        "Done": {"Type": "Succeed"}}});
    let mut whole = Run::start_with(counter.clone(), info(json!({"n": 0}), Limits::NONE));
    assert!(!whole.exec.has_ready_work());
    let mut yielding = Run::start_with(
        counter,
        info(
            json!({"n": 0}),
            Limits {
                step_budget: Some(50),
                ..Limits::NONE
            },
        ),
    );
    let applies = run_out(&mut yielding).len();
    assert!(applies > 100, "{applies}");
    assert_eq!(whole.output(), json!({"n": 3000}));
    assert_eq!(yielding.output(), whole.output());
    let text = |r: &Run| -> Vec<String> { r.out.events.iter().map(|e| e.to_json_text()).collect() };
    assert_eq!(text(&yielding), text(&whole));
    let _ = whole.effects();
}

#[test]
fn large_documents_spend_the_budget_faster() {
    let big = "x".repeat(100_000);
    let mut run = Run::start_with(
        endless_loop(),
        info(json!({"spin": true, "big": big}), Limits::STANDARD),
    );
    // About 25 units per event carrying 100 KB: a few dozen events per apply, not a
    // thousand (which would be 100 MB of event text).
    assert!(run.out.events.len() < 100, "{}", run.out.events.len());
    assert!(run.exec.has_ready_work());
    run.apply(Input::Continue);
    assert!(run.out.events.len() < 200);
}

#[test]
fn replaying_the_inputs_of_a_yielding_execution_rebuilds_it() {
    let mut first = Run::start_with(
        endless_loop(),
        info(json!({"spin": true}), Limits::STANDARD),
    );
    for _ in 0..3 {
        first.apply(Input::Continue);
    }
    // Replay with events off, as recovery does.
    struct Quiet;
    impl baton_engine::Sink for Quiet {
        fn event(&mut self, _: baton_engine::HistoryEvent) {}
        fn effect(&mut self, _: Effect) {}
        fn records_events(&self) -> bool {
            false
        }
    }
    let machine = baton_asl::definition::parse(&endless_loop(), Default::default())
        .valid()
        .unwrap();
    let mut replayed = Execution::new(
        Program::new(machine),
        info(json!({"spin": true}), Limits::STANDARD),
    );
    replayed.apply(Input::Start, Millis(1_000_000), &mut Quiet);
    for _ in 0..3 {
        replayed.apply(Input::Continue, Millis(1_000_000), &mut Quiet);
    }
    assert_eq!(replayed.event_count(), first.exec.event_count());
    assert_eq!(replayed.transitions(), first.exec.transitions());
    // And both carry on alike.
    let mut sink = Collect::default();
    replayed.apply(Input::Continue, Millis(1_000_000), &mut sink);
    first.apply(Input::Continue);
    assert_eq!(replayed.event_count(), first.exec.event_count());
}

#[test]
fn a_standard_execution_times_out_after_a_year() {
    let wait = json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 63_072_000, "End": true}}});
    let mut run = Run::start_with(wait, info(json!({}), Limits::STANDARD));
    let effects = run.effects();
    let timers = Run::timers(&effects);
    let year = Millis(1_000_000 + 365 * 24 * 3600 * 1000);
    let (id, _) = timers
        .iter()
        .copied()
        .find(|(_, due)| *due == year)
        .expect("a timer at one year");
    run.at(year).apply(Input::TimerFired { id });
    assert!(matches!(run.exec.status(), Status::TimedOut(_)));
    assert_eq!(run.failure().0.as_deref(), Some("States.Timeout"));
}

#[test]
fn a_value_nested_deeper_each_loop_fails_at_the_nesting_limit() {
    let deeper = json!({"StartAt": "Wrap", "States": {
        "Wrap": {"Type": "Pass", "Parameters": {"a.$": "$"}, "Next": "Again"},
        "Again": {"Type": "Choice",
            "Choices": [{"Variable": "$.a", "IsPresent": true, "Next": "Wrap"}],
            "Default": "Done"},
        "Done": {"Type": "Succeed"}}});
    let mut run = Run::start_with(deeper, info(json!({}), Limits::STANDARD));
    run_out(&mut run);
    let (error, cause) = run.failure();
    assert_eq!(error.as_deref(), Some("States.DataLimitExceeded"));
    assert!(
        cause
            .as_deref()
            .unwrap_or_default()
            .contains("nested deeper than the maximum of 1000 levels"),
        "{cause:?}"
    );
    // Every document it made could be written out and read back.
    for e in &run.out.events {
        let text = e.to_json_text();
        assert!(Value::from_json_str(&text).is_ok());
    }
}

#[test]
fn a_task_whose_parameters_are_over_the_payload_limit_fails_before_it_is_scheduled() {
    let s = "x".repeat(150_000);
    let machine = super::task_machine(json!({"Parameters": {"a.$": "$.s", "b.$": "$.s"}}));
    let mut run = Run::start_with(machine, info(json!({"s": s}), Limits::STANDARD));
    assert!(Run::tasks(&run.effects()).is_empty());
    assert_eq!(
        run.failure(),
        (
            Some("States.DataLimitExceeded".into()),
            Some(
                "The state/task 'Work' provided parameters with a size exceeding the maximum number of bytes service limit."
                    .into()
            )
        )
    );
}

#[test]
fn a_distributed_iteration_that_never_ends_fails_at_its_own_history_limit() {
    let map = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Loop", "States": {
                "Loop": {"Type": "Choice",
                    "Choices": [{"Variable": "$.spin", "BooleanEquals": true, "Next": "Spin"}],
                    "Default": "Done"},
                "Spin": {"Type": "Pass", "Next": "Loop"},
                "Done": {"Type": "Succeed"}}}}}});
    let mut run = Run::start_with(
        map,
        info(json!([{"spin": true}, {"spin": false}]), Limits::STANDARD),
    );
    run_out(&mut run);
    // The parent's history holds the Map Run, not the iterations' events.
    assert!(run.out.events.len() < 20, "{}", run.out.events.len());
    let (error, _) = run.failure();
    assert_eq!(
        error.as_deref(),
        Some("States.ExceedToleratedFailureThreshold")
    );
}
