//! `baton`: runs, validates and tests Amazon States Language state machines.
//!
//! stdout carries data (outputs, JSON reports); stderr carries messages for people.
//! Exit status: 0 for success, 1 for a failed execution, an invalid definition (validate)
//! or failed cases (conformance), 2 for bad usage or input.

mod bench;
mod bench_api;
mod conformance;
mod definition;
mod run;
mod serve;
mod validate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

// Executions allocate many small, short-lived objects; mimalloc serves them faster than
// the system allocator (a fifth more transitions per second on the benchmarks).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Runs AWS Step Functions state machines, locally or as a server.
#[derive(Debug, Parser)]
#[command(name = "baton", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serves the Step Functions API (AWS CLI, boto3 and the SDKs work against it).
    Serve(serve::ServeArgs),
    /// Runs one execution of a state machine to its end, in this process.
    Run(run::RunArgs),
    /// Checks a definition and reports every problem.
    Validate(validate::ValidateArgs),
    /// Runs conformance cases recorded against AWS and compares the results.
    Conformance(conformance::ConformanceArgs),
    /// Measures state transitions per second on the benchmark workloads.
    Bench(bench::BenchArgs),
    /// Measures the server through its API: durable executions, Express latency, memory.
    BenchApi(bench_api::ApiBenchArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve::main(args),
        Command::Run(args) => run::main(args),
        Command::Validate(args) => validate::main(args),
        Command::Conformance(args) => conformance::main(args),
        Command::Bench(args) => bench::main(args),
        Command::BenchApi(args) => bench_api::main(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("baton: {e:#}");
            ExitCode::from(2)
        }
    }
}
