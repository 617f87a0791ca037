//! `baton conformance`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use baton_conformance::{Counts, Environment, Verdict, load_cases, run_all};
use clap::Args;

/// Arguments of `baton conformance`.
#[derive(Debug, Args)]
pub struct ConformanceArgs {
    /// Case files or directories of them.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Cases to run at once.
    #[arg(long, default_value_t = 8)]
    parallel: usize,
    /// Also print skipped cases and why.
    #[arg(long)]
    verbose: bool,
}

pub fn main(args: ConformanceArgs) -> anyhow::Result<ExitCode> {
    let cases = load_cases(&args.paths).map_err(anyhow::Error::msg)?;
    let env = Environment::new().context("cannot create a scratch directory")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let results = runtime.block_on(run_all(cases, &env, args.parallel));
    for (case, verdict) in &results {
        match verdict {
            Verdict::Fail(reason) => println!("FAIL {}: {reason}", case.name()),
            Verdict::Skip(reason) if args.verbose => println!("SKIP {}: {reason}", case.name()),
            _ => {}
        }
    }
    let counts = Counts::of(results.iter().map(|(_, v)| v));
    println!("{counts}");
    let _ = std::fs::remove_dir_all(&env.work_dir);
    Ok(if counts.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
