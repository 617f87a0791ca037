//! The conformance corpus recorded against AWS: every tier 1 (pure) and tier 2 (Lambda)
//! execution case and every validation case must give AWS's result, except the cases
//! listed in `exceptions.txt`, each with its reason. A listed case that passes fails the
//! test too, so the list only ever shrinks.
//!
//! The corpus is read where it lies: `$BATON_CONFORMANCE_DIR`, or `../shared/conformance`
//! beside the project. Without it the test says so and passes.
//!
//! Tier 3 cases that need S3 run against moto's server (`tests/moto/serve.py`), with the
//! buckets and objects their recordings had set up (`tier3_setup.json`); their
//! exceptions are in `exceptions_tier3.txt`. Without moto they are skipped, unless
//! `BATON_E2E_REQUIRED=1` (as CI sets it).

use std::collections::BTreeMap;
use std::path::PathBuf;

use baton_conformance::{
    Case, Counts, Environment, Moto, Verdict, deviation, load_cases, run_all, set_up,
};

const TIERS: [&str; 3] = ["tier1_pure", "tier2_lambda", "validation"];

/// The tests of this binary run one after the other: each runs its cases in parallel
/// already, and cases with one-second timeouts must not share the machine with another
/// batch.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

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
    parse_exceptions(include_str!("../exceptions.txt"))
}

fn parse_exceptions(text: &str) -> BTreeMap<String, String> {
    text.lines()
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
    let _one_at_a_time = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let env = Environment::new().expect("a scratch directory");
    env.warm_up().expect("the Lambda handlers' server starts");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let results = runtime.block_on(run_all(cases, &env, 8));
    let _ = std::fs::remove_dir_all(&env.work_dir);

    let problems = problems(&results, &exceptions());
    assert!(
        problems.is_empty(),
        "{} conformance problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// What is wrong with `results` given the listed `exceptions`: cases that fail and are
/// not listed, listed cases that pass or are not in the corpus.
fn problems(results: &[(Case, Verdict)], exceptions: &BTreeMap<String, String>) -> Vec<String> {
    let mut problems = Vec::new();
    for (case, verdict) in results {
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
    problems
}

fn required() -> bool {
    std::env::var("BATON_E2E_REQUIRED").is_ok_and(|v| !v.is_empty() && v != "0")
}

#[test]
fn tier3_s3_cases_give_aws_results_against_moto() {
    let Some(dir) = corpus_dir() else {
        eprintln!("conformance corpus not found (set BATON_CONFORMANCE_DIR); skipping");
        return;
    };
    let setup_text =
        std::fs::read_to_string(dir.join("tier3_setup.json")).expect("tier3_setup.json reads");
    let setup: serde_json::Value = serde_json::from_str(&setup_text).expect("it is JSON");
    let setup = &setup["cases"];
    let mut cases: Vec<Case> = load_cases(&[dir.join("tier3_services")])
        .expect("the corpus reads")
        .into_iter()
        .filter(|c| c.needs.iter().any(|n| n.is_s3()))
        .filter(|c| c.needs.iter().all(|n| n.is_s3() || n.kind == "lambda"))
        .collect();
    assert!(!cases.is_empty(), "no S3 cases in {}", dir.display());
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let moto = match Moto::start(&repo, "python3") {
        Ok(m) => m,
        Err(why) => {
            assert!(!required(), "BATON_E2E_REQUIRED is set but {why}");
            eprintln!("SKIPPED: {why} (python3 -m pip install 'moto[server]')");
            return;
        }
    };
    let _one_at_a_time = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let settings = moto.settings();
    for case in &mut cases {
        case.deviation = deviation(case, setup);
    }
    let env = Environment::new()
        .expect("a scratch directory")
        .with_aws(settings.clone());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let results = runtime.block_on(async {
        let mut ready = Vec::new();
        let mut unready = Vec::new();
        for case in cases {
            match set_up(&case, setup, &settings).await {
                Ok(()) => ready.push(case),
                Err(why) => unready.push((case, Verdict::Skip(why))),
            }
        }
        let mut results = run_all(ready, &env, 4).await;
        results.append(&mut unready);
        results
    });
    let _ = std::fs::remove_dir_all(&env.work_dir);
    let exceptions = parse_exceptions(include_str!("../exceptions_tier3.txt"));
    let problems = problems(&results, &exceptions);
    assert!(
        problems.is_empty(),
        "{} tier 3 problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
