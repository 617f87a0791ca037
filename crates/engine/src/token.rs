//! Task tokens (`$$.Task.Token`): how an activity worker or a callback names the task it
//! reports on.
//!
//! The engine asks a [`TokenMinter`] for each token rather than drawing random bytes, so
//! that a server can make tokens it can verify (signed, naming the execution and the
//! task), while replaying an execution still gives the same tokens as its first run.

use std::fmt::Debug;

use baton_json::Str;

use crate::effect::WorkId;

/// Makes task tokens. Must be deterministic: the same execution and work id always give
/// the same token.
pub trait TokenMinter: Debug + Send + Sync {
    /// The token of task `work` of the execution `execution_arn`.
    fn mint(&self, execution_arn: &str, work: WorkId) -> Str;
}

/// Tokens for in-process runs: unique per execution and task, not secret.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlainTokens;

impl TokenMinter for PlainTokens {
    fn mint(&self, execution_arn: &str, work: WorkId) -> Str {
        // FNV-1a over the ARN: a short, stable tag of the execution.
        let tag = execution_arn
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            });
        format!("{tag:016x}{work:016x}").into()
    }
}
