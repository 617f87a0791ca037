//! `baton bench`.

use std::process::ExitCode;

use clap::Args;

/// Arguments of `baton bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {}

pub fn main(_args: BenchArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not yet")
}
