//! `baton bench`: state transitions per second on the benchmark workloads, in process.
//!
//! The workloads (see `shared/peers/README.md`):
//! - `a`: 10,000 executions of a chain of 10 Pass states with `.$` Parameters and
//!   ResultPath;
//! - `b`: one inline Map over 10,000 items, a Pass with `States.Format` each;
//! - `c`: a Choice loop counting to 100,000 with `States.MathAdd`.
//!
//! and the same three in JSONata (`a-jsonata`, `b-jsonata`, `c-jsonata`, whose
//! definitions are in this folder): same inputs, same outputs, `Output`, `Assign`,
//! `Items` and `Condition` instead of paths.
//!
//! Every execution's output is checked; a run whose output is wrong reports
//! `"verified": false` and the command fails. Executions run through the same engine
//! code as `baton run` and the server, building every history event.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use baton_asl::definition::{ParseOptions, parse_text};
use baton_engine::{
    Effect, Execution, ExecutionInfo, HistoryEvent, Input, Millis, Program, Sink, Status,
};
use baton_json::{Map, Value};
use clap::Args;

/// Arguments of `baton bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The workloads to run (`a`, `b`, `c`, `a-jsonata`, `b-jsonata`, `c-jsonata`); all
    /// by default.
    workloads: Vec<String>,
    /// The directory holding `a.asl.json`, `a.input.json`, ...
    #[arg(long, default_value = "../shared/peers/workloads")]
    dir: PathBuf,
    /// Run 1/N of each workload's size.
    #[arg(long, default_value_t = 1)]
    scale: u64,
    /// Repeat each workload this many times and report the best run.
    #[arg(long, default_value_t = 3)]
    repeat: u32,
    /// Drop history events as they are made instead of keeping them in memory.
    #[arg(long)]
    no_history: bool,
}

/// Counts events (and keeps them unless told not to); effects are unexpected here.
struct BenchSink {
    keep: bool,
    events: Vec<HistoryEvent>,
    count: u64,
}

impl Sink for BenchSink {
    fn event(&mut self, event: HistoryEvent) {
        self.count += 1;
        if self.keep {
            self.events.push(event);
        }
    }
    fn effect(&mut self, _effect: Effect) {}
    fn records_events(&self) -> bool {
        true
    }
}

struct Measured {
    transitions: u64,
    events: u64,
    seconds: f64,
    verified: bool,
}

pub fn main(args: BenchArgs) -> anyhow::Result<ExitCode> {
    let workloads = if args.workloads.is_empty() {
        ["a", "b", "c", "a-jsonata", "b-jsonata", "c-jsonata"]
            .map(String::from)
            .to_vec()
    } else {
        args.workloads.clone()
    };
    let mut all_verified = true;
    for w in &workloads {
        let mut best: Option<Measured> = None;
        for _ in 0..args.repeat.max(1) {
            let m = run_workload(w, &args.dir, args.scale.max(1), !args.no_history)?;
            if best.as_ref().is_none_or(|b| m.seconds < b.seconds) {
                best = Some(m);
            }
        }
        let Some(m) = best else { continue };
        all_verified &= m.verified;
        let mut line = Map::default();
        line.insert("engine".into(), Value::from("baton"));
        line.insert("workload".into(), Value::from(w.as_str()));
        line.insert("scale".into(), Value::from(args.scale));
        line.insert("transitions".into(), Value::from(m.transitions));
        line.insert("history_events".into(), Value::from(m.events));
        line.insert("keeps_history".into(), Value::Bool(!args.no_history));
        line.insert("seconds".into(), number(m.seconds));
        line.insert(
            "transitions_per_s".into(),
            number((m.transitions as f64 / m.seconds).round()),
        );
        line.insert("peak_rss_mb".into(), number(peak_rss_mb()));
        line.insert("verified".into(), Value::Bool(m.verified));
        println!("{}", Value::object(line).to_json_string());
    }
    Ok(if all_verified {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn number(f: f64) -> Value {
    baton_json::Number::from_f64((f * 1000.0).round() / 1000.0)
        .map(Value::Number)
        .unwrap_or_default()
}

fn load(dir: &Path, name: &str) -> anyhow::Result<Value> {
    let path = dir.join(name);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {} (see --dir)", path.display()))?;
    Value::from_json_str(&text).with_context(|| format!("{} is not JSON", path.display()))
}

fn program(definition: &Value) -> anyhow::Result<std::sync::Arc<Program>> {
    let text = definition.to_json_string();
    match parse_text(&text, None, ParseOptions::default()).valid() {
        Ok(m) => Ok(Program::new(m)),
        Err(d) => bail!("{}", d.aws_message()),
    }
}

/// Runs one execution to its end; the workloads have no tasks or timers.
fn execute(program: &std::sync::Arc<Program>, input: Value, sink: &mut BenchSink) -> (Status, u64) {
    let mut info = ExecutionInfo::local("bench", "bench", input, Millis(0));
    // Workload b's input (340 KB) is over AWS's 256 KiB payload limit, as its peers do not
    // enforce one; neither does the benchmark.
    info.max_payload_bytes = usize::MAX;
    // Workloads b and c make histories longer than AWS's 25,000 events, which their peers
    // do not bound either.
    info.limits.max_events = None;
    let mut exec = Execution::new(std::sync::Arc::clone(program), info);
    exec.apply(Input::Start, Millis(0), sink);
    while exec.has_ready_work() {
        exec.apply(Input::Continue, Millis(0), sink);
    }
    (exec.status().clone(), exec.transitions())
}

/// The JSONata variants' definitions.
const JSONATA: [(&str, &str); 3] = [
    ("a", include_str!("a-jsonata.asl.json")),
    ("b", include_str!("b-jsonata.asl.json")),
    ("c", include_str!("c-jsonata.asl.json")),
];

fn run_workload(name: &str, dir: &Path, scale: u64, keep: bool) -> anyhow::Result<Measured> {
    let (w, jsonata) = match name.strip_suffix("-jsonata") {
        Some(base) => (base, true),
        None => (name, false),
    };
    let mut definition = match JSONATA.iter().find(|(n, _)| *n == w) {
        Some((_, text)) if jsonata => Value::from_json_str(text)?,
        _ => load(dir, &format!("{w}.asl.json"))?,
    };
    let mut input = load(dir, &format!("{w}.input.json"))?;
    let mut sink = BenchSink {
        keep,
        events: Vec::new(),
        count: 0,
    };
    match w {
        "a" => {
            let expected = load(dir, "a.expected.json")?;
            let program = program(&definition)?;
            let n = 10_000 / scale;
            // Each execution is timed on its own so that checking its output (and dropping
            // its history) is not counted.
            let mut seconds = 0.0;
            let mut transitions = 0;
            let mut verified = true;
            for _ in 0..n {
                let started = Instant::now();
                let (status, t) = execute(&program, input.clone(), &mut sink);
                seconds += started.elapsed().as_secs_f64();
                transitions += t;
                verified &= matches!(&status, Status::Succeeded(out) if out.json_eq(&expected));
                sink.events.clear();
            }
            Ok(Measured {
                transitions,
                events: sink.count,
                seconds,
                verified,
            })
        }
        "b" => {
            if let Some(items) = input.get("items").and_then(Value::as_array) {
                let n = items.len() / scale as usize;
                let kept = items[..n].to_vec();
                if let Some(m) = input.as_object_mut() {
                    m.insert("items".into(), Value::array(kept));
                }
            }
            let n = input
                .get("items")
                .and_then(Value::as_array)
                .map_or(0, <[Value]>::len);
            let program = program(&definition)?;
            let started = Instant::now();
            let (status, transitions) = execute(&program, input, &mut sink);
            let seconds = started.elapsed().as_secs_f64();
            let verified = match &status {
                Status::Succeeded(Value::Array(out)) => {
                    out.len() == n
                        && out.iter().enumerate().all(|(i, v)| {
                            v.get("label").and_then(Value::as_str)
                                == Some(format!("item-{i}:name-{i}").as_str())
                        })
                }
                _ => false,
            };
            Ok(Measured {
                transitions,
                events: sink.count,
                seconds,
                verified,
            })
        }
        "c" if jsonata => {
            let bound = 100_000 / scale;
            let text = definition
                .to_json_string()
                .replace("counter < 100000", &format!("counter < {bound}"));
            let program = program(&Value::from_json_str(&text)?)?;
            let started = Instant::now();
            let (status, transitions) = execute(&program, input, &mut sink);
            let seconds = started.elapsed().as_secs_f64();
            let verified = matches!(&status, Status::Succeeded(out)
                if out.get("counter").and_then(Value::as_number).and_then(baton_json::Number::as_u64) == Some(bound));
            Ok(Measured {
                transitions,
                events: sink.count,
                seconds,
                verified,
            })
        }
        "c" => {
            let bound = 100_000 / scale;
            if let Some(rule) = definition
                .as_object_mut()
                .and_then(|m| m.get_mut("States"))
                .and_then(Value::as_object_mut)
                .and_then(|m| m.get_mut("Check"))
                .and_then(Value::as_object_mut)
                .and_then(|m| m.get_mut("Choices"))
                .and_then(Value::as_array_mut)
                .and_then(|a| a.get_mut(0))
                .and_then(Value::as_object_mut)
            {
                rule.insert("NumericLessThan".into(), Value::from(bound));
            }
            let program = program(&definition)?;
            let started = Instant::now();
            let (status, transitions) = execute(&program, input, &mut sink);
            let seconds = started.elapsed().as_secs_f64();
            let verified = matches!(&status, Status::Succeeded(out)
                if out.get("counter").and_then(Value::as_number).and_then(baton_json::Number::as_u64) == Some(bound));
            Ok(Measured {
                transitions,
                events: sink.count,
                seconds,
                verified,
            })
        }
        _ => bail!("unknown workload '{name}' (expected a, b or c, or one of them with -jsonata)"),
    }
}

/// The process's peak resident set size in MB (VmHWM), where /proc tells it.
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}
