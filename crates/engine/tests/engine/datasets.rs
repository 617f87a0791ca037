//! A distributed Map's dataset: the reader and the writer asked for as task calls of
//! their own use, the items batched, the results written out.

use baton_asl::definition::ResourceUse;
use baton_engine::Input;
use baton_json::{Value, json};

use super::Run;

fn reader_map(extra: Value) -> Value {
    let mut m = json!({"Type": "Map", "End": true,
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "JSON", "MaxItemsPath": "$.max"},
            "Parameters": {"Bucket.$": "$.bucket", "Key": "k.json"}},
        "ItemsPath": "$.not_there",
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}});
    if let (Some(m), Value::Object(e)) = (m.as_object_mut(), extra) {
        for (k, v) in e.iter() {
            m.insert(k.clone(), v.clone());
        }
    }
    json!({"StartAt": "M", "States": {"M": m}})
}

#[test]
fn the_reader_is_asked_for_after_the_map_run_starts_and_its_items_run() {
    let mut run = Run::start(reader_map(json!({})), json!({"bucket": "b", "max": "2"}));
    let effects = run.effects();
    let reads = Run::tasks(&effects);
    assert_eq!(reads.len(), 1);
    let read = &reads[0];
    assert_eq!(read.purpose, ResourceUse::ItemReader);
    assert_eq!(read.resource.arn(), "arn:aws:states:::s3:getObject");
    let arn = read
        .input
        .get("Page")
        .and_then(|p| p.get("Stream"))
        .and_then(Value::as_str)
        .unwrap()
        .to_owned();
    assert!(arn.contains(":mapRun:machine/M:"), "{arn}");
    assert_eq!(
        read.input,
        json!({"Arguments": {"Bucket": "b", "Key": "k.json"},
            "ReaderConfig": {"InputType": "JSON"}, "MaxItems": 2,
            "Page": {"Stream": arn, "Start": 0, "Count": 1000}})
    );
    assert_eq!(
        run.types(),
        [
            "ExecutionStarted",
            "MapStateEntered",
            "MapStateStarted",
            "MapRunStarted"
        ]
    );
    run.apply(Input::TaskSucceeded {
        id: read.id,
        output: json!({"Items": [{"a": 1}, {"a": 2}], "End": true}),
    });
    // ItemsPath is not applied to what the reader read.
    assert_eq!(run.output(), json!([{"a": 1}, {"a": 2}]));
    assert!(run.types().ends_with(&[
        "MapRunSucceeded",
        "MapStateSucceeded",
        "MapStateExited",
        "ExecutionSucceeded"
    ]));
}

#[test]
fn items_come_in_pages_while_children_run() {
    let mut run = Run::start(
        reader_map(json!({"MaxConcurrency": 2,
            "ItemBatcher": {"MaxItemsPerBatch": 2},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "T", "States": {"T": {"Type": "Task", "Resource": super::LAMBDA, "End": true}}}})),
        json!({"bucket": "b", "max": 0}),
    );
    let page = Run::tasks(&run.effects()).remove(0);
    assert_eq!(
        page.input
            .get("Page")
            .and_then(|p| p.get("Start"))
            .cloned()
            .unwrap(),
        json!(0)
    );
    // Three items: one batch of two can start; the third waits for its batch to fill.
    run.apply(Input::TaskSucceeded {
        id: page.id,
        output: json!({"Items": [1, 2, 3], "End": false}),
    });
    let effects = run.effects();
    let calls = Run::tasks(&effects);
    let tasks: Vec<_> = calls
        .iter()
        .filter(|t| t.purpose == ResourceUse::Task)
        .collect();
    assert_eq!(tasks.len(), 1, "one batch closed");
    assert_eq!(tasks[0].input, json!({"Items": [1, 2]}));
    let next = calls
        .iter()
        .find(|t| t.purpose == ResourceUse::ItemReader)
        .expect("the next page");
    assert_eq!(
        next.input
            .get("Page")
            .and_then(|p| p.get("Start"))
            .cloned()
            .unwrap(),
        json!(3)
    );
    run.apply(Input::TaskSucceeded {
        id: next.id,
        output: json!({"Items": [4, 5], "End": true}),
    });
    let effects = run.effects();
    let more: Vec<_> = Run::tasks(&effects);
    assert_eq!(more.len(), 1, "MaxConcurrency 2: one more batch runs");
    assert_eq!(more[0].input, json!({"Items": [3, 4]}));
    for t in [&tasks[0].clone(), &more[0]] {
        run.apply(Input::TaskSucceeded {
            id: t.id,
            output: json!("ok"),
        });
    }
    let last = Run::tasks(&run.effects()).remove(0);
    assert_eq!(last.input, json!({"Items": [5]}));
    run.apply(Input::TaskSucceeded {
        id: last.id,
        output: json!("ok"),
    });
    assert_eq!(run.output(), json!(["ok", "ok", "ok"]));
}

#[test]
fn a_tolerated_percentage_is_judged_against_every_item() {
    // One failure in the first page of one item would be 100%; of the three items, 33%.
    let mut run = Run::start(
        reader_map(json!({"ToleratedFailurePercentage": 50,
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "T", "States": {"T": {"Type": "Task", "Resource": super::LAMBDA, "End": true}}}})),
        json!({"bucket": "b", "max": 0}),
    );
    let page = Run::tasks(&run.effects()).remove(0);
    run.apply(Input::TaskSucceeded {
        id: page.id,
        output: json!({"Items": [1], "End": false}),
    });
    let effects = run.effects();
    let calls = Run::tasks(&effects);
    let task = calls
        .iter()
        .find(|t| t.purpose == ResourceUse::Task)
        .unwrap()
        .clone();
    let next = calls
        .iter()
        .find(|t| t.purpose == ResourceUse::ItemReader)
        .unwrap()
        .clone();
    run.apply(Input::TaskFailed {
        id: task.id,
        error: Some("E".into()),
        cause: None,
    });
    assert!(!run.exec.is_finished());
    run.apply(Input::TaskSucceeded {
        id: next.id,
        output: json!({"Items": [2, 3], "End": true}),
    });
    for t in Run::tasks(&run.effects()) {
        run.apply(Input::TaskSucceeded {
            id: t.id,
            output: json!("ok"),
        });
    }
    assert_eq!(run.output().as_array().map(|a| a.len()), Some(3));
}

#[test]
fn a_reader_failure_fails_the_map_run() {
    let mut run = Run::start(reader_map(json!({})), json!({"bucket": "b", "max": 0}));
    let read = Run::tasks(&run.effects()).remove(0);
    run.apply(Input::TaskFailed {
        id: read.id,
        error: Some("States.ItemReaderFailed".into()),
        cause: Some("CSV headers cannot contain duplicates.".into()),
    });
    assert_eq!(
        run.failure(),
        (
            Some("States.ItemReaderFailed".into()),
            Some("CSV headers cannot contain duplicates.".into())
        )
    );
    assert!(run.types().ends_with(&[
        "MapRunStarted",
        "MapRunFailed",
        "MapStateFailed",
        "ExecutionFailed"
    ]));
}

#[test]
fn a_negative_max_items_fails_the_map_run_without_reading() {
    let mut run = Run::start(reader_map(json!({})), json!({"bucket": "b", "max": -1}));
    assert!(Run::tasks(&run.effects()).is_empty());
    assert_eq!(
        run.failure(),
        (
            Some("States.ItemReaderFailed".into()),
            Some("field MaxItems must be positive".into())
        )
    );
    assert!(run.types().ends_with(&[
        "MapRunStarted",
        "MapRunFailed",
        "MapStateFailed",
        "ExecutionFailed"
    ]));
}

#[test]
fn a_reader_answer_that_is_not_an_array_fails_the_map_run() {
    let mut run = Run::start(reader_map(json!({})), json!({"bucket": "b", "max": 0}));
    let read = Run::tasks(&run.effects()).remove(0);
    run.apply(Input::TaskSucceeded {
        id: read.id,
        output: json!({"Hello": "world"}),
    });
    assert_eq!(
        run.failure().1.as_deref(),
        Some("Attempting to map over non-iterable node.")
    );
}

#[test]
fn items_are_batched_with_the_batch_input() {
    let run = Run::start(
        json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
            "ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"at.$": "$.at"}},
            "ItemsPath": "$.items",
            "ItemSelector": {"v.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index"},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}}),
        json!({"items": [10, 11, 12], "at": "t"}),
    );
    assert_eq!(
        run.output(),
        json!([
            {"BatchInput": {"at": "t"}, "Items": [{"v": 10, "i": 0}, {"v": 11, "i": 1}]},
            {"BatchInput": {"at": "t"}, "Items": [{"v": 12, "i": 2}]}
        ])
    );
}

#[test]
fn a_batched_map_run_counts_items_and_child_executions_apart() {
    let run = Run::start(
        json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
            "ItemBatcher": {"MaxItemsPerBatch": 2},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}}),
        json!([1, 2, 3, 4, 5]),
    );
    let last = run.last_map_run();
    assert_eq!((last.executions.total, last.executions.succeeded), (3, 3));
    assert_eq!(
        (last.items.total, last.items.succeeded, last.items.pending),
        (5, 5, 0)
    );
}

#[test]
fn results_are_written_out_and_the_output_names_them() {
    let mut run = Run::start(
        json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
            "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                "Parameters": {"Bucket": "out", "Prefix": "runs"}},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}}),
        json!([1, 2]),
    );
    let write = Run::tasks(&run.effects()).remove(0);
    assert_eq!(write.purpose, ResourceUse::ResultWriter);
    assert_eq!(write.resource.arn(), "arn:aws:states:::s3:putObject");
    let input = &write.input;
    assert_eq!(
        input.get("Arguments"),
        Some(&json!({"Bucket": "out", "Prefix": "runs"}))
    );
    let arn = input
        .get("MapRunArn")
        .and_then(Value::as_str)
        .unwrap()
        .to_owned();
    assert!(
        arn.starts_with("arn:aws:states:us-east-1:123456789012:mapRun:machine/M:"),
        "{arn}"
    );
    let results = input.get("Results").and_then(Value::as_array).unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[1].get("Status"), Some(&json!("SUCCEEDED")));
    assert_eq!(results[1].get("Input"), Some(&json!(2)));
    assert_eq!(results[1].get("Output"), Some(&json!(2)));
    let exec = results[0]
        .get("ExecutionArn")
        .and_then(Value::as_str)
        .unwrap();
    assert!(exec.contains(":execution:machine/M:"), "{exec}");
    assert!(!run.exec.is_finished());
    let details = json!({"Bucket": "out", "Key": "runs/x/manifest.json"});
    run.apply(Input::TaskSucceeded {
        id: write.id,
        output: details.clone(),
    });
    assert_eq!(
        run.output(),
        json!({"MapRunArn": arn, "ResultWriterDetails": details})
    );
}

#[test]
fn a_writer_failure_fails_the_map_run() {
    let mut run = Run::start(
        json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
            "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                "Parameters": {"Bucket": "out", "Prefix": "runs"}},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}}),
        json!([1]),
    );
    let write = Run::tasks(&run.effects()).remove(0);
    run.apply(Input::TaskFailed {
        id: write.id,
        error: Some("S3.NoSuchBucket".into()),
        cause: Some("no bucket".into()),
    });
    assert_eq!(
        run.failure(),
        (
            Some("States.ResultWriterFailed".into()),
            Some("no bucket".into())
        )
    );
}

#[test]
fn writer_config_alone_transforms_the_output() {
    let run = Run::start(
        json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
            "ResultWriter": {"WriterConfig": {"Transformation": "FLATTEN", "OutputType": "JSON"}},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}}),
        json!([[1, 2], [3], 4]),
    );
    assert_eq!(run.output(), json!([1, 2, 3, 4]));
}

#[test]
fn results_are_written_part_by_part_as_children_end() {
    let items: Vec<u64> = (0..2500).collect();
    let mut run = Run::start(
        json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
            "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                "Parameters": {"Bucket": "out", "Prefix": "runs"}},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}}),
        json!(items),
    );
    let count = |t: &baton_engine::TaskRequest| {
        t.input
            .get("Results")
            .and_then(Value::as_array)
            .map_or(0, <[Value]>::len)
    };
    let part = |t: &baton_engine::TaskRequest, k: &str| {
        t.input
            .get("Part")
            .and_then(|p| p.get(k))
            .cloned()
            .unwrap_or_default()
    };
    run.continue_until_waiting();
    let first = Run::tasks(&run.effects()).remove(0);
    assert_eq!((count(&first), part(&first, "Final")), (1000, json!(false)));
    let files = |n: u64| json!({"Files": {"SUCCEEDED": [{"Key": format!("runs/x/SUCCEEDED_{n}.json"), "Size": 1}]}});
    run.apply(Input::TaskSucceeded {
        id: first.id,
        output: files(0),
    });
    let second = Run::tasks(&run.effects()).remove(0);
    assert_eq!(
        (count(&second), part(&second, "Final")),
        (1500, json!(false))
    );
    assert_eq!(
        part(&second, "Next"),
        json!({"SUCCEEDED": 1, "FAILED": 0, "PENDING": 0})
    );
    run.apply(Input::TaskSucceeded {
        id: second.id,
        output: files(1),
    });
    let last = Run::tasks(&run.effects()).remove(0);
    assert_eq!((count(&last), part(&last, "Final")), (0, json!(true)));
    assert_eq!(
        part(&last, "Files"),
        json!({"SUCCEEDED": [{"Key": "runs/x/SUCCEEDED_0.json", "Size": 1},
            {"Key": "runs/x/SUCCEEDED_1.json", "Size": 1}]})
    );
    let details = json!({"Bucket": "out", "Key": "runs/x/manifest.json"});
    run.apply(Input::TaskSucceeded {
        id: last.id,
        output: details.clone(),
    });
    assert_eq!(run.output().get("ResultWriterDetails"), Some(&details));
}

#[test]
fn a_page_read_cut_short_by_a_stop_is_asked_for_again_on_a_redrive() {
    let mut run = Run::start(
        reader_map(json!({
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "T", "States": {"T": {"Type": "Task", "Resource": super::LAMBDA, "End": true}}}})),
        json!({"bucket": "b", "max": 0}),
    );
    let page = Run::tasks(&run.effects()).remove(0);
    run.apply(Input::TaskSucceeded {
        id: page.id,
        output: json!({"Items": [1], "End": false}),
    });
    let effects = run.effects();
    let calls = Run::tasks(&effects);
    let next = calls
        .iter()
        .find(|t| t.purpose == ResourceUse::ItemReader)
        .unwrap()
        .clone();
    let task = calls
        .iter()
        .find(|t| t.purpose == ResourceUse::Task)
        .unwrap()
        .clone();
    run.apply(Input::TaskFailed {
        id: task.id,
        error: Some("E".into()),
        cause: None,
    });
    assert_eq!(
        run.failure().0.as_deref(),
        Some("States.ExceedToleratedFailureThreshold")
    );
    // The next page was still being read; the redrive asks for it again.
    run.apply(Input::Redrive);
    let again: Vec<_> = Run::tasks(&run.effects());
    let reread = again
        .iter()
        .find(|t| t.purpose == ResourceUse::ItemReader)
        .expect("the page again");
    assert_ne!(reread.id, next.id);
    assert_eq!(
        reread.input.get("Page").and_then(|p| p.get("Start")),
        Some(&json!(1))
    );
}

#[test]
fn a_distributed_map_runs_at_most_ten_thousand_children_at_once_by_default() {
    let items: Vec<u64> = (0..10_005).collect();
    let mut run = Run::start(
        json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "T", "States": {"T": {"Type": "Task", "Resource": super::LAMBDA, "End": true}}}}}}),
        json!(items),
    );
    run.continue_until_waiting();
    let report = run.last_map_run();
    assert_eq!(Run::tasks(&run.effects()).len(), 10_000);
    // DescribeMapRun shows MaxConcurrency as given.
    assert_eq!(
        (report.max_concurrency, report.executions.running),
        (0, 10_000)
    );
}

#[test]
fn an_empty_page_ends_the_items_whatever_it_says() {
    let mut run = Run::start(reader_map(json!({})), json!({"bucket": "b", "max": 0}));
    let page = Run::tasks(&run.effects()).remove(0);
    run.apply(Input::TaskSucceeded {
        id: page.id,
        output: json!({"Items": [], "End": false}),
    });
    assert!(
        Run::tasks(&run.effects()).is_empty(),
        "no page asked for again"
    );
    assert_eq!(run.output(), json!([]));
}

#[test]
fn a_batch_over_the_payload_limit_fails_the_execution_as_a_data_limit() {
    let big = "x".repeat(300_000);
    let mut run = Run::start(
        reader_map(json!({"ItemBatcher": {"MaxItemsPerBatch": 10}})),
        json!({"bucket": "b", "max": 0}),
    );
    let page = Run::tasks(&run.effects()).remove(0);
    // One item over a batch's 256 KiB is a batch of its own, over the payload limit: the
    // child's first state cannot pass it on, and States.DataLimitExceeded ends the
    // execution (it is terminal, whatever the Map Run tolerates).
    run.apply(Input::TaskSucceeded {
        id: page.id,
        output: json!({"Items": [1, big, 2], "End": true}),
    });
    run.continue_until_waiting();
    let (error, cause) = run.failure();
    assert_eq!(error.as_deref(), Some("States.DataLimitExceeded"));
    assert!(cause.unwrap().contains("'P'"));
}
