//! Runs ASL conformance cases recorded against AWS Step Functions (the corpus format is
//! described in its README) and compares what Baton does with what AWS did.
//!
//! Execution cases run in process on a virtual clock that starts when the recording was
//! made, so waits take no time and inputs computed from the clock mean what they meant.
//! Lambda handlers given in a case run as local functions under a small Python stand-in
//! for the Lambda runtime.

mod case;
mod compare;
mod run;
mod services;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use case::{Case, Deviation};
pub use compare::{Rules, diff, history_diff, pattern_matches};
pub use run::{Environment, Verdict, run_case};
pub use services::{ACCOUNT, Moto, deviation, set_up};

/// Reads every case (`*.json`, except the corpus's manifest) in the given directories, in
/// name order.
pub fn load_cases(dirs: &[PathBuf]) -> Result<Vec<Case>, String> {
    let mut files = Vec::new();
    for dir in dirs {
        collect(dir, &mut files)?;
    }
    files.sort();
    files.iter().map(|f| Case::load(f)).collect()
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    if path.is_file() {
        out.push(path.to_owned());
        return Ok(());
    }
    let entries = std::fs::read_dir(path).map_err(|e| format!("{}: {e}", path.display()))?;
    for entry in entries {
        let p = entry.map_err(|e| e.to_string())?.path();
        if p.is_dir() {
            collect(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "json")
            && p.file_name().is_some_and(|n| n != "manifest.json")
        {
            out.push(p);
        }
    }
    Ok(())
}

/// Runs cases, up to `parallel` at a time; results come back in the cases' order.
pub async fn run_all(cases: Vec<Case>, env: &Environment, parallel: usize) -> Vec<(Case, Verdict)> {
    let semaphore = Arc::new(tokio::sync::Semaphore::new(parallel.max(1)));
    let env = Arc::new(env.clone());
    let mut handles = Vec::with_capacity(cases.len());
    for case in cases {
        let semaphore = Arc::clone(&semaphore);
        let env = Arc::clone(&env);
        handles.push(tokio::spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            let verdict = run_case(&case, &env).await;
            (case, verdict)
        }));
    }
    let mut out = Vec::with_capacity(handles.len());
    for h in handles {
        match h.await {
            Ok(r) => out.push(r),
            Err(e) => panic!("a conformance case panicked: {e}"),
        }
    }
    out
}

/// Counts of a run.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Cases that passed.
    pub passed: usize,
    /// Cases that failed.
    pub failed: usize,
    /// Cases skipped.
    pub skipped: usize,
}

impl Counts {
    /// Tallies verdicts.
    pub fn of<'a>(verdicts: impl IntoIterator<Item = &'a Verdict>) -> Counts {
        let mut c = Counts::default();
        for v in verdicts {
            match v {
                Verdict::Pass => c.passed += 1,
                Verdict::Fail(_) => c.failed += 1,
                Verdict::Skip(_) => c.skipped += 1,
            }
        }
        c
    }
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} passed, {} failed, {} skipped",
            self.passed, self.failed, self.skipped
        )
    }
}
