//! Lambda through the Lambda API (moto's server) when the function is not a local one,
//! and local functions first for the names they define.

mod aws_support;

use std::collections::HashMap;
use std::process::Command;

use aws_support::{json, moto, registry, registry_with, run, settings};
use baton_integrations::{FunctionSpec, Functions};
use baton_json::Value;

fn lambda_setup(url: &str, name: &str, answers: &[&str]) -> String {
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/moto/lambda_setup.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(url)
        .arg(name)
        .args(answers)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

// One test: moto's queue of answers is the server's, shared by every invocation.
#[tokio::test]
async fn remote_functions_after_local_ones() {
    let Some(moto) = moto() else { return };
    let arn = lambda_setup(
        &moto.url,
        "greet",
        &[r#"{"hello":"world"}"#, r#"{"direct":true}"#],
    );
    let r = registry(moto);

    // lambda:invoke: Invoke's response with the payload parsed.
    let out = run(
        &r,
        "arn:aws:states:::lambda:invoke",
        r#"{"FunctionName":"greet","Payload":{"x":1}}"#,
    )
    .await
    .unwrap();
    assert!(
        out.get("Payload")
            .unwrap()
            .json_eq(&json(r#"{"hello":"world"}"#))
    );
    assert_eq!(out.get("StatusCode").and_then(Value::as_i64), Some(200));
    assert!(out.get("SdkHttpMetadata").is_some());

    // A function ARN as the resource: the payload itself.
    let out = run(&r, &arn, r#"{"x":1}"#).await.unwrap();
    assert!(out.json_eq(&json(r#"{"direct":true}"#)), "{out}");

    // No such function (moto's Invoke without Docker answers for any name: the error is
    // seen through GetFunction, named as aws-sdk tasks name errors).
    let f = run(
        &r,
        "arn:aws:states:::aws-sdk:lambda:getFunction",
        r#"{"FunctionName":"nobody"}"#,
    )
    .await
    .unwrap_err();
    assert_eq!(
        f.error.as_deref(),
        Some("Lambda.ResourceNotFoundException"),
        "{:?}",
        f.cause
    );
    let cause = f.cause.unwrap();
    assert!(
        cause.contains("(Service: Lambda, Status Code: 404, Request ID: "),
        "{cause}"
    );

    // A local function of the same name runs instead of the remote one.
    let local = Functions::from_specs(
        HashMap::from([(
            "greet".to_owned(),
            FunctionSpec::Command {
                command: vec![
                    "sh".into(),
                    "-c".into(),
                    r#"cat >/dev/null; echo '{"local":true}'"#.into(),
                ],
                env: HashMap::new(),
                cwd: None,
            },
        )]),
        std::env::temp_dir(),
    );
    let r = registry_with(&settings(&moto.url), local);
    let out = run(
        &r,
        "arn:aws:states:::lambda:invoke",
        r#"{"FunctionName":"greet","Payload":{}}"#,
    )
    .await
    .unwrap();
    assert!(
        out.get("Payload")
            .unwrap()
            .json_eq(&json(r#"{"local":true}"#))
    );
}
