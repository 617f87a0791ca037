//! JSONata's reference test suite, run through this crate's API.
//!
//! The suite is found at `$BATON_JSONATA_SUITE`, else at `shared/jsonata-test-suite`
//! beside the repository; without it the test prints one line and passes. Every case
//! must pass unless `suite-exceptions.txt` lists it, and every listed case must still
//! fail, so that the list stays true.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use baton_json::Value;
use baton_jsonata::{Bindings, Dialect, Expression, JsonataError, Limits, Options};

fn suite_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("BATON_JSONATA_SUITE") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/jsonata-test-suite"),
    };
    dir.join("groups").is_dir().then_some(dir)
}

fn read_json(path: &Path) -> Value {
    try_read_json(path).unwrap_or_else(|e| panic!("{e}"))
}

fn try_read_json(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Value::from_json_str(&text).map_err(|e| format!("bad JSON in {}: {e}", path.display()))
}

struct Case {
    id: String,
    expr: String,
    input: Option<Value>,
    bindings: Value,
    limits: Limits,
    expected: Expected,
}

enum Expected {
    Result {
        value: Value,
        unordered: bool,
    },
    Undefined,
    Code(String),
    /// The case's file is not JSON that this crate can hold.
    Unreadable(String),
}

fn load_cases(dir: &Path) -> Vec<Case> {
    let datasets: BTreeMap<String, Value> = std::fs::read_dir(dir.join("datasets"))
        .expect("datasets")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let name = p
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            (name, read_json(&p))
        })
        .collect();
    let mut groups: Vec<PathBuf> = std::fs::read_dir(dir.join("groups"))
        .expect("groups")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    groups.sort();
    let mut cases = Vec::new();
    for group in groups {
        let group_name = group
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let mut files: Vec<PathBuf> = std::fs::read_dir(&group)
            .expect("group")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        for file in files {
            let stem = file
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let base = format!("{group_name}/{stem}");
            match try_read_json(&file) {
                Err(why) => cases.push(Case {
                    id: base,
                    expr: String::new(),
                    input: None,
                    bindings: Value::Null,
                    limits: Limits::unlimited(),
                    expected: Expected::Unreadable(why),
                }),
                Ok(Value::Array(items)) => {
                    for (i, item) in items.iter().enumerate() {
                        cases.push(make_case(format!("{base}[{i}]"), item, &group, &datasets));
                    }
                }
                Ok(item) => cases.push(make_case(base, &item, &group, &datasets)),
            }
        }
    }
    cases
}

fn make_case(id: String, case: &Value, group: &Path, datasets: &BTreeMap<String, Value>) -> Case {
    let expr = match (case.get("expr"), case.get("expr-file")) {
        (Some(Value::String(e)), _) => e.to_string(),
        (_, Some(Value::String(file))) => std::fs::read_to_string(group.join(&**file))
            .unwrap_or_else(|e| panic!("{id}: cannot read {file}: {e}")),
        _ => panic!("{id}: no expression"),
    };
    let input = match (case.get("data"), case.get("dataset")) {
        (Some(data), _) => Some(data.clone()),
        (None, Some(Value::String(name))) => Some(
            datasets
                .get(&**name)
                .unwrap_or_else(|| panic!("{id}: no dataset {name}"))
                .clone(),
        ),
        _ => None,
    };
    let mut limits = Limits::unlimited();
    if let Some(ms) = case.get("timelimit").and_then(Value::as_i64) {
        limits.time_limit = Some(Duration::from_millis(ms.unsigned_abs()));
    }
    if let Some(depth) = case.get("depth").and_then(Value::as_i64) {
        limits.max_depth = Some(depth.unsigned_abs() as usize);
    }
    let code = case
        .get("code")
        .or_else(|| case.get("error").and_then(|e| e.get("code")))
        .and_then(Value::as_str);
    let expected = if let Some(code) = code {
        Expected::Code(code.to_owned())
    } else if let Some(value) = case.get("result") {
        Expected::Result {
            value: value.clone(),
            unordered: case.get("unordered").and_then(Value::as_bool) == Some(true),
        }
    } else if case.get("undefinedResult").and_then(Value::as_bool) == Some(true) {
        Expected::Undefined
    } else {
        panic!("{id}: no expected outcome")
    };
    Case {
        id,
        expr,
        input,
        bindings: case.get("bindings").cloned().unwrap_or(Value::Null),
        limits,
        expected,
    }
}

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// `None` when the case passes, else what went wrong.
fn run(case: &Case, now: i64) -> Option<String> {
    run_with(case, now, case.limits.clone())
}

/// [`run`] with `limits`.
fn run_with(case: &Case, now: i64, limits: Limits) -> Option<String> {
    if let Expected::Unreadable(why) = &case.expected {
        return Some(why.clone());
    }
    let options = Options {
        dialect: Dialect::Jsonata,
        limits,
    };
    let mut bindings = Bindings::new().with_random_seed(1).with_now_millis(now);
    if let Some(vars) = case.bindings.as_object() {
        for (name, value) in vars {
            bindings.set_var(name.clone(), value.clone());
        }
    }
    let outcome: Result<Option<Value>, JsonataError> =
        Expression::compile_with(&case.expr, &options)
            .and_then(|e| e.evaluate_input(case.input.as_ref(), &bindings));
    let limited = case.limits.max_depth.is_some() || case.limits.time_limit.is_some();
    match (&case.expected, outcome) {
        (Expected::Code(code), Err(e)) if e.code() == Some(code.as_str()) => None,
        // The reference runner enforces a case's depth and time limits itself and
        // reports both as U1001; this crate reports them as D1011 and D1012.
        (Expected::Code(code), Err(e))
            if limited && code == "U1001" && matches!(e.code(), Some("D1011" | "D1012")) =>
        {
            None
        }
        (Expected::Undefined, Ok(None)) => None,
        (Expected::Result { value, unordered }, Ok(Some(got))) => {
            let same = if *unordered {
                same_items(value, &got)
            } else {
                same(value, &got)
            };
            (!same).then(|| format!("expected {value}, got {got}"))
        }
        (Expected::Code(code), other) => Some(format!("expected error {code}, got {other:?}")),
        (Expected::Undefined, other) => Some(format!("expected undefined, got {other:?}")),
        (Expected::Result { value, .. }, other) => Some(format!("expected {value}, got {other:?}")),
        (Expected::Unreadable(why), _) => Some(why.clone()),
    }
}

/// Equal as JSON, numbers to 15 significant digits: the suite writes some results
/// rounded (`90.57` for the `90.57000000000001` that JavaScript computes, and so does
/// jsonata-js).
fn same(expected: &Value, got: &Value) -> bool {
    match (expected, got) {
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (a.as_f64(), b.as_f64());
            a == b || (a - b).abs() <= 1e-15 * a.abs().max(b.abs())
        }
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| same(x, y))
        }
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| same(v, w)))
        }
        _ => expected == got,
    }
}

/// Equal as multisets of items (the suite's `unordered`).
fn same_items(expected: &Value, got: &Value) -> bool {
    let (Some(a), Some(b)) = (expected.as_array(), got.as_array()) else {
        return same(expected, got);
    };
    let mut left: Vec<&Value> = b.iter().collect();
    a.len() == b.len()
        && a.iter()
            .all(|x| match left.iter().position(|y| same(x, y)) {
                Some(i) => {
                    left.swap_remove(i);
                    true
                }
                None => false,
            })
}

fn exceptions() -> BTreeMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("suite-exceptions.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once(char::is_whitespace) {
            Some((id, reason)) => (id.to_owned(), reason.trim().to_owned()),
            None => (l.to_owned(), String::new()),
        })
        .collect()
}

#[test]
fn jsonata_reference_suite() {
    let Some(dir) = suite_dir() else {
        println!("JSONata reference suite not found (set BATON_JSONATA_SUITE); skipped");
        return;
    };
    let cases = load_cases(&dir);
    let excepted = exceptions();
    let ids: BTreeSet<&str> = cases.iter().map(|c| c.id.as_str()).collect();
    let mut problems = Vec::new();
    for id in excepted.keys() {
        if !ids.contains(id.as_str()) {
            problems.push(format!(
                "{id}: listed in suite-exceptions.txt but not in the suite"
            ));
        }
    }
    let now = now_millis();
    let (mut passed, mut failed, mut still_failing) = (0, 0, 0);
    for case in &cases {
        let outcome = run(case, now);
        match (outcome, excepted.contains_key(&case.id)) {
            (None, false) => passed += 1,
            (None, true) => problems.push(format!(
                "{}: passes now; remove it from suite-exceptions.txt",
                case.id
            )),
            (Some(_), true) => still_failing += 1,
            (Some(why), false) => {
                failed += 1;
                problems.push(format!("{}: {} => {why}", case.id, case.expr.trim()));
            }
        }
    }
    println!(
        "JSONata reference suite: {passed} of {} cases pass, {failed} fail, {still_failing} excepted",
        cases.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The suite again with AWS's memory bound and the nesting bound of results, under
/// which expressions are rewritten to measure what they build: every case has the
/// outcome it has without them, but for the two that count ten million items, which
/// AWS refuses (its bound is 873,782 numbers).
#[test]
fn jsonata_reference_suite_within_the_memory_and_nesting_bounds() {
    let Some(dir) = suite_dir() else {
        println!("JSONata reference suite not found (set BATON_JSONATA_SUITE); skipped");
        return;
    };
    let now = now_millis();
    let mut problems = Vec::new();
    let mut compared = 0;
    for case in load_cases(&dir) {
        let mut bounded = Limits {
            max_memory: Some(baton_jsonata::AWS_MAX_MEMORY),
            max_result_depth: Some(baton_jsonata::DEFAULT_MAX_RESULT_DEPTH),
            ..case.limits.clone()
        };
        if !matches!(case.expected, Expected::Code(_)) {
            // What is compared is the outcome, not the speed: a case that computes a
            // result keeps no time limit (the measures cost time, and tests run side
            // by side).
            bounded.time_limit = None;
        }
        let plain = run(&case, now);
        let within = run_with(&case, now, bounded);
        compared += 1;
        if matches!(
            case.id.as_str(),
            "range-operator/case021" | "range-operator/case024"
        ) {
            let refused = within
                .as_deref()
                .is_some_and(|w| w.contains(baton_jsonata::MEMORY_EXCEEDED));
            if !refused {
                problems.push(format!("{}: not refused for memory: {within:?}", case.id));
            }
            continue;
        }
        if plain.is_none() != within.is_none() {
            problems.push(format!(
                "{}: {} => without the bounds {plain:?}, within them {within:?}",
                case.id,
                case.expr.trim()
            ));
        }
    }
    println!("JSONata reference suite within the bounds: {compared} cases compared");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every expression of the suite that the direct evaluation (`fast.rs`) covers gives
/// jsonata-core's result through it: the same value, or, where jsonata-core fails, no
/// value (the evaluation is left to jsonata-core, whose error is then the one
/// reported).
#[test]
fn direct_evaluation_agrees_with_jsonata_core() {
    let Some(dir) = suite_dir() else {
        println!("JSONata reference suite not found (set BATON_JSONATA_SUITE); skipped");
        return;
    };
    let now = now_millis();
    let (mut covered, mut answered, mut errors) = (0, 0, 0);
    let mut problems = Vec::new();
    for case in load_cases(&dir) {
        if matches!(case.expected, Expected::Unreadable(_)) {
            continue;
        }
        let options = Options {
            dialect: Dialect::Jsonata,
            limits: case.limits.clone(),
        };
        let Ok(expr) = Expression::compile_with(&case.expr, &options) else {
            continue;
        };
        let bindings = || {
            let mut b = Bindings::new().with_random_seed(1).with_now_millis(now);
            if let Some(vars) = case.bindings.as_object() {
                for (name, value) in vars {
                    b.set_var(name.clone(), value.clone());
                }
            }
            b
        };
        let Some(fast) = expr.evaluate_fast(&bindings()) else {
            continue;
        };
        covered += 1;
        let slow = expr.evaluate_slow(case.input.as_ref(), &bindings());
        match (&fast, &slow) {
            (Ok(f), Ok(s)) if f == s => answered += 1,
            (Err(()), Ok(_)) => {}
            (Err(()), Err(_)) => errors += 1,
            _ => problems.push(format!(
                "{}: {} => direct {fast:?}, jsonata-core {slow:?}",
                case.id,
                case.expr.trim()
            )),
        }
        // Through the public entry point, the outcome is jsonata-core's.
        let public = expr.evaluate_input(case.input.as_ref(), &bindings());
        if public != slow {
            problems.push(format!(
                "{}: {} => evaluate_input {public:?}, jsonata-core {slow:?}",
                case.id,
                case.expr.trim()
            ));
        }
    }
    println!(
        "Direct evaluation: {covered} suite expressions covered, {answered} answered directly, {errors} errors left to jsonata-core"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        answered > 100,
        "only {answered} expressions answered directly"
    );
}
