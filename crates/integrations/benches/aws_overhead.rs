//! Baton's own time per AWS task over loopback: a `dynamodb:getItem` task against a
//! trivial local HTTP responder (keep-alive, a fixed GetItem answer), against the same
//! request sent with bare `reqwest` (the network's and the responder's share); and the
//! CPU work alone (parameters to a signed request, the answer to the task's result).
//!
//!     cargo bench -p baton-integrations --bench aws_overhead [-- CALLS]

use std::path::Path;
use std::time::{Duration, Instant};

use baton_asl::definition::Resource;
use baton_integrations::aws::client::{Client, sign_headers};
use baton_integrations::aws::model::service;
use baton_integrations::aws::protocol::{HttpResponse, Style, build_request, parse_response};
use baton_integrations::aws::settings::{Env, Resolved};
use baton_integrations::aws::{Aws, AwsSettings};
use baton_integrations::{Integration, TaskCall};
use baton_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const BODY: &str = r#"{"Item":{"id":{"S":"id1"},"data":{"S":"HelloWorld"}}}"#;
const PARAMS: &str = r#"{"TableName":"bench","Key":{"id":{"S":"id1"}}}"#;

struct NoEnv;
impl Env for NoEnv {
    fn var(&self, _: &str) -> Option<String> {
        None
    }
    fn read(&self, _: &Path) -> Option<String> {
        None
    }
    fn service_endpoints(&self) -> Vec<(String, String)> {
        Vec::new()
    }
}

async fn responder() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let answer = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nx-amzn-RequestId: r\r\nContent-Length: {}\r\n\r\n{BODY}",
        BODY.len()
    );
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let _ = socket.set_nodelay(true);
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                let mut got: Vec<u8> = Vec::new();
                loop {
                    let Ok(n) = socket.read(&mut buf).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    got.extend_from_slice(&buf[..n]);
                    while let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&got[..end]).to_ascii_lowercase();
                        let length = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse::<usize>().ok())
                            .unwrap_or(0);
                        if got.len() < end + 4 + length {
                            break;
                        }
                        got.drain(..end + 4 + length);
                        if socket.write_all(answer.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    url
}

fn percentiles(mut v: Vec<Duration>) -> (Duration, Duration, Duration) {
    v.sort();
    let at = |p: f64| v[((v.len() as f64 - 1.0) * p) as usize];
    (at(0.5), at(0.9), at(0.99))
}

fn main() {
    let calls: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(5000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let url = responder().await;
        let settings = AwsSettings {
            region: Some("us-east-1".into()),
            endpoint_url: Some(url.clone()),
            access_key_id: Some("AKIDEXAMPLE".into()),
            secret_access_key: Some("secret".into()),
            ..AwsSettings::default()
        };
        let aws = Aws::with_client(Client::new(Resolved::with_env(&settings, &NoEnv)));
        let input = Value::from_json_str(PARAMS).unwrap();
        let task = |input: Value| TaskCall {
            resource: Resource::parse("arn:aws:states:::dynamodb:getItem").unwrap(),
            purpose: Default::default(),
            input,
            token: None,
            state_name: "GetItem".into(),
            region: "us-east-1".into(),
            account: "123456789012".into(),
            execution_arn: "arn:aws:states:us-east-1:123456789012:execution:m:e".into(),
            work: 1,
            resumed: false,
            submission: None,
            credentials: None,
            submitted: None,
        };
        let raw = reqwest::Client::new();
        for _ in 0..500 {
            aws.run(task(input.clone())).await.unwrap();
            raw.post(&url).body(PARAMS).send().await.unwrap().bytes().await.unwrap();
        }
        let mut through_task = Vec::with_capacity(calls);
        let mut bare = Vec::with_capacity(calls);
        for _ in 0..calls {
            let t = Instant::now();
            aws.run(task(input.clone())).await.unwrap();
            through_task.push(t.elapsed());
            let t = Instant::now();
            raw.post(&url)
                .header("content-type", "application/x-amz-json-1.0")
                .body(PARAMS)
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            bare.push(t.elapsed());
        }
        let (t50, t90, t99) = percentiles(through_task);
        let (b50, b90, b99) = percentiles(bare);
        println!("dynamodb:getItem task over loopback ({calls} calls): p50 {t50:?}  p90 {t90:?}  p99 {t99:?}");
        println!("bare reqwest POST, same answer:            p50 {b50:?}  p90 {b90:?}  p99 {b99:?}");
        println!(
            "Baton's own time per task (p50 difference): {:?}",
            t50.saturating_sub(b50)
        );

        // The CPU work alone.
        let svc = service("dynamodb").unwrap();
        let model = svc.model();
        let op = model.operation("GetItem").unwrap();
        let response = HttpResponse {
            status: 200,
            headers: vec![("x-amzn-requestid".into(), "r".into())],
            body: BODY.as_bytes().to_vec(),
        };
        let credentials = aws_credential_types::Credentials::new("AKIDEXAMPLE", "secret", None, None, "bench");
        let mut cpu = Vec::with_capacity(calls);
        for _ in 0..calls {
            let t = Instant::now();
            let request = build_request(model, "GetItem", op, &input).unwrap();
            let signed = sign_headers(&credentials, "dynamodb", "us-east-1", &format!("{url}/"), &request, &request.headers).unwrap();
            std::hint::black_box(signed);
            let out = parse_response(model, op, &response, Style::Optimized).unwrap();
            std::hint::black_box(out);
            cpu.push(t.elapsed());
        }
        let (c50, c90, c99) = percentiles(cpu);
        println!("CPU only (build, sign, parse):             p50 {c50:?}  p90 {c90:?}  p99 {c99:?}");
    });
}
