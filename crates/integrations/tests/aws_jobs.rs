//! `.sync` jobs against moto's server: `ecs:runTask` and `batch:submitJob`, request-response
//! and `.sync` (submission reported, status polled to the end), their failures.

mod aws_support;

use std::process::Command;
use std::sync::{Arc, Mutex};

use aws_support::{Moto, call, json, moto, ok, registry, run, start_moto, uuid};
use baton_integrations::{Registry, Submitted};
use baton_json::Value;

fn s(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string {key} in {v}"))
        .to_owned()
}

/// A `submitted` callback that keeps what it was given.
fn recorder() -> (Submitted, Arc<Mutex<Vec<Value>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&seen);
    let cb: Submitted = Arc::new(move |v: Value| {
        kept.lock().unwrap().push(v);
        Box::pin(async {})
    });
    (cb, seen)
}

async fn ecs_cluster(r: &Registry) -> (String, String) {
    let cluster = format!("c{}", uuid());
    ok(
        r,
        "arn:aws:states:::aws-sdk:ecs:createCluster",
        &format!(r#"{{"ClusterName":"{cluster}"}}"#),
    )
    .await;
    let td = ok(
        r,
        "arn:aws:states:::aws-sdk:ecs:registerTaskDefinition",
        &format!(
            r#"{{"Family":"f{cluster}","NetworkMode":"bridge",
                "ContainerDefinitions":[{{"Name":"app","Image":"busybox","Essential":true,"Memory":128}}]}}"#
        ),
    )
    .await;
    let arn = s(td.get("TaskDefinition").unwrap(), "TaskDefinitionArn");
    (cluster, arn)
}

#[tokio::test]
async fn ecs_run_task_request_response_and_sync() {
    let Some(moto) = moto() else { return };
    let r = registry(moto);
    let (cluster, td) = ecs_cluster(&r).await;
    let params = format!(
        r#"{{"Cluster":"{cluster}","TaskDefinition":"{td}","LaunchType":"FARGATE",
            "Overrides":{{"ContainerOverrides":[{{"Name":"app","Environment":[{{"Name":"K","Value":"V"}}]}}]}}}}"#
    );
    let started = ok(&r, "arn:aws:states:::ecs:runTask", &params).await;
    let task = started.get("Tasks").and_then(|t| t.index(0)).unwrap();
    assert!(s(task, "TaskArn").contains(":task/"));
    assert!(started.get("SdkHttpMetadata").is_some());

    // .sync: the task runs until someone stops it; its end is the task's result.
    let (cb, seen) = recorder();
    let mut c = call("arn:aws:states:::ecs:runTask.sync", json(&params));
    c.submitted = Some(cb);
    let r2 = r.clone();
    let job = tokio::spawn(async move { r2.run(c).await });
    let arn = loop {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        if let Some(v) = seen.lock().unwrap().first() {
            break s(v.get("Tasks").and_then(|t| t.index(0)).unwrap(), "TaskArn");
        }
    };
    assert!(!job.is_finished(), "the task waits for the job");
    ok(
        &r,
        "arn:aws:states:::aws-sdk:ecs:stopTask",
        &format!(r#"{{"Cluster":"{cluster}","Task":"{arn}"}}"#),
    )
    .await;
    let out = job
        .await
        .unwrap()
        .expect("a stopped task whose containers exited 0");
    assert_eq!(s(&out, "TaskArn"), arn);
    assert_eq!(s(&out, "LastStatus"), "STOPPED");
    assert!(out.get("Containers").and_then(Value::as_array).is_some());

    let f = run(
        &r,
        "arn:aws:states:::ecs:runTask.sync",
        &format!(
            r#"{{"Cluster":"no-such-cluster","TaskDefinition":"{td}","LaunchType":"FARGATE"}}"#
        ),
    )
    .await
    .unwrap_err();
    assert_eq!(
        f.error.as_deref(),
        Some("ECS.ClusterNotFoundException"),
        "{:?}",
        f.cause
    );
    assert!(
        f.cause.unwrap().contains(
            "(Service: AmazonECS; Status Code: 400; Error Code: ClusterNotFoundException;"
        )
    );
}

fn batch_setup(moto: &Moto) -> Option<(String, String)> {
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/moto/batch_setup.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(&moto.url)
        .arg(format!("b{}", uuid()))
        .output()
        .ok()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(String::from_utf8_lossy(&out.stdout).trim());
    Some((s(&v, "queue"), s(&v, "definition")))
}

#[tokio::test]
async fn batch_submit_job_request_response_and_sync() {
    let Some(moto) = moto() else { return };
    let r = registry(moto);
    let Some((queue, definition)) = batch_setup(moto) else {
        return;
    };
    let params =
        format!(r#"{{"JobName":"j1","JobQueue":"{queue}","JobDefinition":"{definition}"}}"#);
    let submitted = ok(&r, "arn:aws:states:::batch:submitJob", &params).await;
    assert!(!s(&submitted, "JobId").is_empty());
    assert_eq!(s(&submitted, "JobName"), "j1");

    let (cb, seen) = recorder();
    let mut c = call("arn:aws:states:::batch:submitJob.sync", json(&params));
    c.submitted = Some(cb);
    let out = r.run(c).await.expect("the job succeeds");
    assert_eq!(s(&out, "Status"), "SUCCEEDED");
    assert_eq!(s(&out, "JobQueue"), queue);
    let submission = {
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 1, "the submission is reported once");
        assert_eq!(s(&seen[0], "JobId"), s(&out, "JobId"));
        seen[0].clone()
    };

    // Dispatched again after a restart: the submitted job is picked up, not submitted again.
    let (cb, seen) = recorder();
    let mut c = call("arn:aws:states:::batch:submitJob.sync", json(&params));
    c.submitted = Some(cb);
    c.resumed = true;
    c.submission = Some(submission);
    let again = r.run(c).await.expect("the job succeeds");
    assert_eq!(s(&again, "JobId"), s(&out, "JobId"));
    assert!(seen.lock().unwrap().is_empty(), "nothing submitted again");
    let listed = ok(
        &r,
        "arn:aws:states:::aws-sdk:batch:listJobs",
        &format!(r#"{{"JobQueue":"{queue}","Filters":[{{"Name":"JOB_NAME","Values":["j1"]}}]}}"#),
    )
    .await;
    let jobs = listed
        .get("JobSummaryList")
        .and_then(Value::as_array)
        .unwrap();
    assert_eq!(
        jobs.len(),
        2,
        "the request-response job and the .sync one: {listed}"
    );

    let f = run(
        &r,
        "arn:aws:states:::batch:submitJob.sync",
        &format!(r#"{{"JobName":"j2","JobQueue":"{queue}","JobDefinition":"no-such-definition"}}"#),
    )
    .await
    .unwrap_err();
    assert_eq!(
        f.error.as_deref(),
        Some("Batch.ClientException"),
        "{:?}",
        f.cause
    );
    assert!(
        f.cause
            .unwrap()
            .contains("(Service: AWSBatch; Status Code: 400; Error Code: ClientException;")
    );
}

#[tokio::test]
async fn batch_job_that_fails_fails_the_task() {
    if moto().is_none() {
        return;
    }
    // A server whose Batch jobs fail.
    let failing = match start_moto(&[("MOTO_SIMPLE_BATCH_FAIL_AFTER", "0")]) {
        Ok(m) => m,
        Err(why) => return aws_support::skip(&why),
    };
    let r = registry(&failing);
    let Some((queue, definition)) = batch_setup(&failing) else {
        return;
    };
    let f = run(
        &r,
        "arn:aws:states:::batch:submitJob.sync",
        &format!(r#"{{"JobName":"j3","JobQueue":"{queue}","JobDefinition":"{definition}"}}"#),
    )
    .await
    .unwrap_err();
    assert_eq!(f.error.as_deref(), Some("States.TaskFailed"));
    let cause = json(&f.cause.unwrap());
    assert_eq!(cause.get("Status").and_then(Value::as_str), Some("FAILED"));
    assert_eq!(cause.get("JobName").and_then(Value::as_str), Some("j3"));
}
