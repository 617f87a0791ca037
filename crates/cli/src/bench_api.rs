//! `baton bench-api`: the server measured as clients see it: StartExecution to completion
//! of workload `a` (a chain of 10 Pass states) on the durable store, StartSyncExecution
//! latency for Express, and memory with many executions open.
//!
//! By default a server runs in this process on a temporary data directory and is called
//! over HTTP on loopback; `--in-process` calls the service directly (no HTTP), `--url`
//! measures a server running elsewhere.
//!
//! `--mode hostile` starts `--runaways` executions that never end by themselves (a Choice
//! loop) before the healthy stream, and reports how long each took to be ended (at AWS's
//! history limit) beside the healthy executions' latencies and the server's peak memory.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use baton_api::{ApiConfig, Backend, Operation, RequestContext};
use baton_json::{Map, Value};
use baton_server::{Durability, Server, ServerConfig};
use clap::{Args, ValueEnum};

/// Arguments of `baton bench-api`.
#[derive(Debug, Args)]
pub struct ApiBenchArgs {
    /// What to measure.
    #[arg(long, value_enum, default_value = "standard")]
    mode: Mode,
    /// How many executions.
    #[arg(long, default_value_t = 10_000)]
    executions: usize,
    /// How many requests in flight at once.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Measure the server at this URL instead of one started here.
    #[arg(long, conflicts_with_all = ["in_process", "in_memory"])]
    url: Option<String>,
    /// Call the service in process, without HTTP.
    #[arg(long)]
    in_process: bool,
    /// Keep the started server's store in memory instead of a temporary directory.
    #[arg(long)]
    in_memory: bool,
    /// The started server's durability.
    #[arg(long, value_enum, default_value = "fsync")]
    durability: DurabilityArg,
    /// Where the peers' workloads are (for workload a's definition and input).
    #[arg(long, default_value = "../shared/peers/workloads")]
    dir: PathBuf,
    /// With `--mode hostile`: how many runaway executions run beside the healthy stream.
    #[arg(long, default_value_t = 16)]
    runaways: usize,
    /// The process id of the server measured with `--url`, to report its peak memory.
    #[arg(long)]
    server_pid: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Mode {
    /// StartExecution of a STANDARD machine (the execution ends within the request).
    Standard,
    /// StartSyncExecution of an EXPRESS machine: latency percentiles.
    ExpressSync,
    /// Executions left open on a Wait of an hour: memory per open execution.
    Open,
    /// StartExecution of workload a beside `--runaways` executions that loop for ever.
    Hostile,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum DurabilityArg {
    Fsync,
    Process,
}

/// How a request reaches the service.
#[derive(Clone)]
enum Target {
    Http {
        client: reqwest::Client,
        url: String,
    },
    InProcess(Arc<baton_server::Service>),
}

impl Target {
    /// Calls `op` with `body`; the response body as JSON, or the error's.
    async fn call(&self, op: Operation, body: String) -> anyhow::Result<serde_json::Value> {
        match self {
            Target::Http { client, url } => {
                let response = client
                    .post(url)
                    .header("X-Amz-Target", format!("AWSStepFunctions.{}", op.name()))
                    .header("Content-Type", "application/x-amz-json-1.0")
                    .body(body)
                    .send()
                    .await?;
                let status = response.status();
                let text = response.text().await?;
                if !status.is_success() {
                    bail!("{op}: HTTP {status}: {text}");
                }
                Ok(serde_json::from_str(&text)?)
            }
            Target::InProcess(service) => {
                let ctx = RequestContext::new(op, &ApiConfig::default());
                let out = match op {
                    Operation::StartExecution => serde_json::to_value(
                        service
                            .start_execution(ctx, serde_json::from_str(&body)?)
                            .await
                            .map_err(|e| anyhow::anyhow!("{}", e.message().to_owned()))?,
                    )?,
                    Operation::StartSyncExecution => serde_json::to_value(
                        service
                            .start_sync_execution(ctx, serde_json::from_str(&body)?)
                            .await
                            .map_err(|e| anyhow::anyhow!("{}", e.message().to_owned()))?,
                    )?,
                    Operation::CreateStateMachine => serde_json::to_value(
                        service
                            .create_state_machine(ctx, serde_json::from_str(&body)?)
                            .await
                            .map_err(|e| anyhow::anyhow!("{}", e.message().to_owned()))?,
                    )?,
                    Operation::DescribeExecution => serde_json::to_value(
                        service
                            .describe_execution(ctx, serde_json::from_str(&body)?)
                            .await
                            .map_err(|e| anyhow::anyhow!("{}", e.message().to_owned()))?,
                    )?,
                    other => bail!("{other} is not used by the benchmark"),
                };
                Ok(out)
            }
        }
    }
}

/// Runs the benchmark and prints one JSON line.
pub fn main(args: ApiBenchArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(args))
}

fn rss_mb(field: &str) -> f64 {
    proc_rss_mb("self", field)
}

/// A field of `/proc/PID/status` (`VmRSS:`, `VmHWM:`), in MB.
fn proc_rss_mb(pid: &str, field: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn round(f: f64) -> Value {
    baton_json::Number::from_f64((f * 1000.0).round() / 1000.0)
        .map(Value::Number)
        .unwrap_or_default()
}

async fn run(args: ApiBenchArgs) -> anyhow::Result<ExitCode> {
    let definition = std::fs::read_to_string(args.dir.join("a.asl.json"))
        .with_context(|| format!("cannot read workload a in {}", args.dir.display()))?;
    let input = Value::from_json_str(&std::fs::read_to_string(args.dir.join("a.input.json"))?)?;
    let expected =
        Value::from_json_str(&std::fs::read_to_string(args.dir.join("a.expected.json"))?)?;

    let data_dir = tempdir()?;
    let mut _server_task = None;
    let target = match (&args.url, args.in_process) {
        (Some(url), _) => Target::Http {
            client: reqwest::Client::new(),
            url: url.clone(),
        },
        (None, in_process) => {
            let config = ServerConfig {
                bind: "127.0.0.1:0".parse()?,
                data_dir: (!args.in_memory).then(|| data_dir.clone()),
                durability: match args.durability {
                    DurabilityArg::Fsync => Durability::Fsync,
                    DurabilityArg::Process => Durability::Process,
                },
                ..ServerConfig::default()
            };
            let server = Server::open(config).await?;
            if in_process {
                let service = Arc::clone(server.service());
                _server_task = Some(server);
                Target::InProcess(service)
            } else {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
                let url = format!("http://{}/", listener.local_addr()?);
                tokio::spawn(server.serve(listener, std::future::pending()));
                Target::Http {
                    client: reqwest::Client::builder()
                        .pool_max_idle_per_host(args.concurrency)
                        .build()?,
                    url,
                }
            }
        }
    };

    let machine_type = if args.mode == Mode::ExpressSync {
        "EXPRESS"
    } else {
        "STANDARD"
    };
    let definition = match args.mode {
        Mode::Open => {
            r#"{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}"#.to_owned()
        }
        _ => definition,
    };
    let machine_name = format!("bench-{}", uuid::Uuid::new_v4());
    let created = target
        .call(
            Operation::CreateStateMachine,
            serde_json::json!({
                "name": machine_name,
                "definition": definition,
                "roleArn": "arn:aws:iam::123456789012:role/bench",
                "type": machine_type,
            })
            .to_string(),
        )
        .await?;
    let machine_arn = created["stateMachineArn"]
        .as_str()
        .context("no stateMachineArn")?
        .to_owned();

    let runaways = match args.mode {
        Mode::Hostile => Some(start_runaways(&target, args.runaways).await?),
        _ => None,
    };

    let rss_before = rss_mb("VmRSS:");
    let input_text = input.to_json_string();
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..args.concurrency.max(1) {
        let target = target.clone();
        let next = Arc::clone(&next);
        let machine_arn = machine_arn.clone();
        let input_text = input_text.clone();
        let total = args.executions;
        let mode = args.mode;
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut outputs = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let body = serde_json::json!({
                    "stateMachineArn": machine_arn,
                    "name": format!("e{i}"),
                    "input": input_text,
                })
                .to_string();
                let op = match mode {
                    Mode::ExpressSync => Operation::StartSyncExecution,
                    _ => Operation::StartExecution,
                };
                let t = Instant::now();
                let out = target.call(op, body).await?;
                latencies.push((t, t.elapsed()));
                if i.is_multiple_of(997) {
                    outputs.push(out);
                }
            }
            anyhow::Ok((latencies, outputs))
        }));
    }
    let mut timed: Vec<(Instant, Duration)> = Vec::with_capacity(args.executions);
    let mut samples = Vec::new();
    for w in workers {
        let (l, o) = w.await??;
        timed.extend(l);
        samples.extend(o);
    }
    let seconds = started.elapsed().as_secs_f64();
    let mut latencies: Vec<Duration> = timed.iter().map(|(_, l)| *l).collect();
    latencies.sort();
    let pct = |p: f64| percentile(&latencies, p);

    // Check what was produced.
    let mut verified = true;
    for out in &samples {
        let output = match args.mode {
            Mode::ExpressSync => out["output"].as_str().map(str::to_owned),
            Mode::Standard | Mode::Hostile => {
                let arn = out["executionArn"].as_str().unwrap_or_default();
                let d = target
                    .call(
                        Operation::DescribeExecution,
                        serde_json::json!({ "executionArn": arn }).to_string(),
                    )
                    .await?;
                d["output"].as_str().map(str::to_owned)
            }
            Mode::Open => Some(String::new()),
        };
        verified &= match (args.mode, output) {
            (Mode::Open, _) => true,
            (_, Some(text)) => Value::from_json_str(&text).is_ok_and(|v| v.json_eq(&expected)),
            (_, None) => false,
        };
    }

    let transitions_per_execution = 10.0;
    let mut line = Map::default();
    line.insert("engine".into(), Value::from("baton"));
    line.insert(
        "mode".into(),
        Value::from(match args.mode {
            Mode::Standard => "standard",
            Mode::ExpressSync => "express-sync",
            Mode::Open => "open",
            Mode::Hostile => "hostile",
        }),
    );
    line.insert(
        "transport".into(),
        Value::from(match (&args.url, args.in_process) {
            (Some(_), _) => "http (remote)",
            (None, true) => "in process",
            (None, false) => "http (loopback)",
        }),
    );
    line.insert(
        "store".into(),
        Value::from(match (&args.url, args.in_memory, args.durability) {
            (Some(_), _, _) => "remote",
            (None, true, _) => "memory",
            (None, false, DurabilityArg::Fsync) => "sqlite (fsync)",
            (None, false, DurabilityArg::Process) => "sqlite (process)",
        }),
    );
    line.insert("executions".into(), Value::from(args.executions as u64));
    line.insert("concurrency".into(), Value::from(args.concurrency as u64));
    line.insert("seconds".into(), round(seconds));
    line.insert(
        "executions_per_s".into(),
        round((args.executions as f64 / seconds).round()),
    );
    if args.mode != Mode::Open {
        line.insert(
            "transitions_per_s".into(),
            round((args.executions as f64 * transitions_per_execution / seconds).round()),
        );
    }
    line.insert("p50_ms".into(), round(pct(0.50)));
    line.insert("p99_ms".into(), round(pct(0.99)));
    if args.url.is_none() {
        let rss = rss_mb("VmRSS:");
        line.insert("rss_mb".into(), round(rss));
        if args.mode == Mode::Open {
            line.insert(
                "kb_per_open_execution".into(),
                round((rss - rss_before) * 1024.0 / args.executions as f64),
            );
        }
    }
    if let Some(runaways) = runaways {
        let (ended, all_ended) = runaways.await??;
        // The healthy executions started while runaways still ran.
        let mut during: Vec<Duration> = timed
            .iter()
            .filter(|(t, _)| *t < all_ended)
            .map(|(_, l)| *l)
            .collect();
        during.sort();
        line.insert(
            "healthy_during_runaways".into(),
            Value::from(during.len() as u64),
        );
        line.insert("during_p50_ms".into(), round(percentile(&during, 0.50)));
        line.insert("during_p99_ms".into(), round(percentile(&during, 0.99)));
        let all_cut = ended
            .iter()
            .all(|r| r.error.as_deref() == Some("States.Runtime"));
        verified &= all_cut && ended.len() == args.runaways;
        let longest = ended.iter().map(|r| r.seconds).fold(0.0, f64::max);
        line.insert("runaways".into(), Value::from(args.runaways as u64));
        line.insert(
            "runaways_ended_at_history_limit".into(),
            Value::Bool(all_cut),
        );
        line.insert("runaway_longest_s".into(), round(longest));
    }
    match (&args.url, args.server_pid) {
        (None, _) => {
            line.insert("peak_rss_mb".into(), round(rss_mb("VmHWM:")));
        }
        (Some(_), Some(pid)) => {
            line.insert(
                "server_peak_rss_mb".into(),
                round(proc_rss_mb(&pid.to_string(), "VmHWM:")),
            );
        }
        (Some(_), None) => {}
    }
    line.insert("verified".into(), Value::Bool(verified));
    println!("{}", Value::object(line).to_json_string());
    let _ = std::fs::remove_dir_all(&data_dir);
    Ok(if verified {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The `p` quantile of sorted `latencies`, in milliseconds.
fn percentile(latencies: &[Duration], p: f64) -> f64 {
    latencies
        .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// How a runaway execution ended.
struct Ended {
    /// Its error.
    error: Option<String>,
    /// From its start to its end, by the server's clock.
    seconds: f64,
}

/// A Choice that never leads to its end.
const RUNAWAY: &str = r#"{"StartAt":"Loop","States":{"Loop":{"Type":"Choice","Choices":[{"Variable":"$.spin","BooleanEquals":true,"Next":"Spin"}],"Default":"Done"},"Spin":{"Type":"Pass","Next":"Loop"},"Done":{"Type":"Succeed"}}}"#;

/// Starts `n` runaway executions; the task that waits for their ends (within a minute), and
/// says when the last one was seen ended.
async fn start_runaways(
    target: &Target,
    n: usize,
) -> anyhow::Result<tokio::task::JoinHandle<anyhow::Result<(Vec<Ended>, Instant)>>> {
    let created = target
        .call(
            Operation::CreateStateMachine,
            serde_json::json!({
                "name": format!("runaway-{}", uuid::Uuid::new_v4()),
                "definition": RUNAWAY,
                "roleArn": "arn:aws:iam::123456789012:role/bench",
            })
            .to_string(),
        )
        .await?;
    let machine = created["stateMachineArn"]
        .as_str()
        .context("no stateMachineArn")?
        .to_owned();
    let mut arns = Vec::with_capacity(n);
    for i in 0..n {
        let out = target
            .call(
                Operation::StartExecution,
                serde_json::json!({
                    "stateMachineArn": machine,
                    "name": format!("runaway{i}"),
                    "input": r#"{"spin":true}"#,
                })
                .to_string(),
            )
            .await?;
        arns.push(
            out["executionArn"]
                .as_str()
                .context("no executionArn")?
                .to_owned(),
        );
    }
    let target = target.clone();
    Ok(tokio::spawn(async move {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut ended = Vec::with_capacity(arns.len());
        for arn in arns {
            loop {
                let d = target
                    .call(
                        Operation::DescribeExecution,
                        serde_json::json!({ "executionArn": arn }).to_string(),
                    )
                    .await?;
                if d["status"] != "RUNNING" {
                    let secs = |k: &str| d[k].as_f64().unwrap_or_default();
                    ended.push(Ended {
                        error: d["error"].as_str().map(str::to_owned),
                        seconds: secs("stopDate") - secs("startDate"),
                    });
                    break;
                }
                if Instant::now() > deadline {
                    bail!("{arn} still runs after a minute");
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        Ok((ended, Instant::now()))
    }))
}

/// A fresh directory under the system's temporary directory.
fn tempdir() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("baton-bench-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
