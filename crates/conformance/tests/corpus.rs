//! The conformance corpus recorded against AWS: every tier 1 (pure) and tier 2 (Lambda)
//! execution case and every validation case must give AWS's result, except the cases
//! listed in `exceptions.txt`, each with its reason. A listed case that passes fails the
//! test too, so the list only ever shrinks.
//!
//! The corpus is read where it lies: `$BATON_CONFORMANCE_DIR`, or `../shared/conformance`
//! beside the project. Without it the test says so and passes.

use std::collections::BTreeMap;
use std::path::PathBuf;

use baton_conformance::{Counts, Environment, Verdict, load_cases, run_all};

const TIERS: [&str; 3] = ["tier1_pure", "tier2_lambda", "validation"];

fn corpus_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("BATON_CONFORMANCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance")
        });
    dir.is_dir().then_some(dir)
}

/// `case-name  reason` lines; `#` starts a comment.
fn exceptions() -> BTreeMap<String, String> {
    include_str!("../exceptions.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once(char::is_whitespace) {
            Some((name, reason)) => (name.to_string(), reason.trim().to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect()
}

#[test]
fn corpus_cases_give_aws_results() {
    let Some(dir) = corpus_dir() else {
        eprintln!("conformance corpus not found (set BATON_CONFORMANCE_DIR); skipping");
        return;
    };
    let dirs: Vec<PathBuf> = TIERS.iter().map(|t| dir.join(t)).collect();
    let cases = load_cases(&dirs).expect("the corpus reads");
    assert!(!cases.is_empty(), "no cases in {}", dir.display());
    let env = Environment::new().expect("a scratch directory");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let results = runtime.block_on(run_all(cases, &env, 8));
    let _ = std::fs::remove_dir_all(&env.work_dir);

    let exceptions = exceptions();
    let mut problems = Vec::new();
    for (case, verdict) in &results {
        let name = case.name();
        let listed = exceptions.contains_key(&name);
        match verdict {
            Verdict::Pass if listed => {
                problems.push(format!("{name}: passes now; remove it from exceptions.txt"))
            }
            Verdict::Pass => {}
            Verdict::Fail(reason) | Verdict::Skip(reason) if !listed => {
                problems.push(format!("{name}: {reason}"))
            }
            Verdict::Fail(_) | Verdict::Skip(_) => {}
        }
    }
    let known: std::collections::BTreeSet<String> = results.iter().map(|(c, _)| c.name()).collect();
    for name in exceptions.keys() {
        if !known.contains(name) {
            problems.push(format!(
                "{name}: listed in exceptions.txt but not in the corpus"
            ));
        }
    }
    let counts = Counts::of(results.iter().map(|(_, v)| v));
    eprintln!(
        "conformance: {counts} ({} listed as exceptions)",
        exceptions.len()
    );
    assert!(
        problems.is_empty(),
        "{} conformance problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
