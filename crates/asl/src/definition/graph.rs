//! Checks across the states of each branch, read from the definition as written so that
//! states too broken to parse still count: transitions lead to existing states, each set
//! of states has a terminal state and every state is reachable, and names are unique in
//! the whole machine.
//!
//! What AWS reports, recorded:
//! - a transition to a missing state: `MISSING_TRANSITION_TARGET: Missing 'Next' target:
//!   X` at the field (`/StartAt`, `/States/A/Next`, `/States/C/Choices[0]/Next`,
//!   `/States/C/Default`, `/States/T/Catch[0]/Next`), the word `Next` whatever the field;
//! - no terminal state at all: `MISSING_END_STATE: Workflow has no terminal state`, without
//!   a location, and then no reachability check;
//! - a state no path reaches: `MISSING_TRANSITION_TARGET: State "X" is not reachable.` at
//!   the state (every state, when `StartAt` names none).
//!
//! Each branch is checked on its own (a transition cannot leave its branch), in document
//! order, before the branches nested in it. Linear in the size of the definition.

use std::collections::HashSet;

use baton_json::{Map, Value};

use super::state::STATE_TYPES;
use crate::diagnostic::{Code, Diagnostics, Pointer};

/// Checks every branch of `definition` and reports what is wrong.
pub(super) fn check(definition: &Value, d: &mut Diagnostics) {
    let Value::Object(machine) = definition else {
        return;
    };
    let mut names = Names::default();
    check_branch(machine, &Pointer::root(), &mut names, d);
    for at in names.duplicates {
        let name = match at.segments().last() {
            Some(crate::diagnostic::Segment::Key(k)) => k.to_owned(),
            _ => String::new(),
        };
        // Step Functions Local's wording (the service's is not recorded).
        d.error(
            Code::DuplicateStateName,
            &at,
            format!("Duplicate State name: {name}"),
        );
    }
}

/// State names seen so far in the machine, and where a name was used again.
#[derive(Default)]
struct Names<'a> {
    seen: HashSet<&'a str>,
    duplicates: Vec<Pointer>,
}

fn check_branch<'a>(branch: &'a Map, at: &Pointer, names: &mut Names<'a>, d: &mut Diagnostics) {
    let Some(Value::Object(states)) = branch.get("States") else {
        return;
    };
    let states_at = at.child("States");
    let start = match branch.get("StartAt") {
        Some(Value::String(s)) => {
            let start = states.get_index_of(&**s);
            if start.is_none() {
                d.error(
                    Code::MissingTransitionTarget,
                    &at.child("StartAt"),
                    format!("Missing 'Next' target: {s}"),
                );
            }
            Some(start)
        }
        _ => None,
    };
    let mut edges: Vec<Vec<usize>> = Vec::with_capacity(states.len());
    let mut has_terminal = false;
    let mut unknown_type = false;
    for (name, state) in states.iter() {
        if !names.seen.insert(name) {
            names.duplicates.push(states_at.child(name));
        }
        let mut out = Vec::new();
        if let Value::Object(fields) = state {
            for (target, field) in targets(fields) {
                match states.get_index_of(target) {
                    Some(j) => out.push(j),
                    None => d.error(
                        Code::MissingTransitionTarget,
                        &field.at(&states_at.child(name)),
                        format!("Missing 'Next' target: {target}"),
                    ),
                }
            }
            match fields.get("Type").and_then(Value::as_str) {
                Some("Succeed" | "Fail") => has_terminal = true,
                Some(t) if STATE_TYPES.contains(&t) => {}
                _ => unknown_type = true,
            }
            has_terminal |= fields.get("End") == Some(&Value::Bool(true));
        } else {
            unknown_type = true;
        }
        edges.push(out);
    }
    if !has_terminal && !unknown_type && !states.is_empty() {
        if at.is_root() {
            d.error_unlocated(Code::MissingEndState, "Workflow has no terminal state");
        } else {
            // Not verified against AWS: a nested branch's location is given.
            d.error(Code::MissingEndState, at, "Workflow has no terminal state");
        }
    } else if let Some(start) = start {
        let reached = reachable(start, &edges);
        for (i, name) in states.keys().enumerate() {
            if !reached[i] {
                d.error(
                    Code::MissingTransitionTarget,
                    &states_at.child(name),
                    format!("State \"{name}\" is not reachable."),
                );
            }
        }
    }
    for (name, state) in states.iter() {
        let Value::Object(fields) = state else {
            continue;
        };
        if matches!(
            fields.get("Type").and_then(Value::as_str),
            Some("Parallel" | "Map")
        ) {
            let state_at = states_at.child(name);
            for (nested, nested_at) in nested_branches(fields, &state_at) {
                check_branch(nested, &nested_at, names, d);
            }
        }
    }
}

/// Which states a walk from `start` reaches.
fn reachable(start: Option<usize>, edges: &[Vec<usize>]) -> Vec<bool> {
    let mut reached = vec![false; edges.len()];
    let mut todo: Vec<usize> = start.into_iter().collect();
    while let Some(i) = todo.pop() {
        if std::mem::replace(&mut reached[i], true) {
            continue;
        }
        todo.extend(edges[i].iter().copied().filter(|&j| !reached[j]));
    }
    reached
}

/// The field of a state that names a transition.
#[derive(Clone, Copy)]
enum Field {
    Next,
    Rule(usize),
    Default,
    Catcher(usize),
}

impl Field {
    /// Where the field is, in the state at `state`.
    fn at(self, state: &Pointer) -> Pointer {
        match self {
            Field::Next => state.child("Next"),
            Field::Rule(i) => state.child("Choices").index(i).child("Next"),
            Field::Default => state.child("Default"),
            Field::Catcher(i) => state.child("Catch").index(i).child("Next"),
        }
    }
}

/// The states a state names as transitions (string values only), with the field.
fn targets(state: &Map) -> Vec<(&str, Field)> {
    let mut out = Vec::new();
    if let Some(Value::String(next)) = state.get("Next") {
        out.push((&**next, Field::Next));
    }
    if let Some(Value::Array(rules)) = state.get("Choices") {
        for (i, rule) in rules.iter().enumerate() {
            if let Some(Value::String(next)) = rule.get("Next") {
                out.push((&**next, Field::Rule(i)));
            }
        }
    }
    if let Some(Value::String(default)) = state.get("Default") {
        out.push((&**default, Field::Default));
    }
    if let Some(Value::Array(catchers)) = state.get("Catch") {
        for (i, catcher) in catchers.iter().enumerate() {
            if let Some(Value::String(next)) = catcher.get("Next") {
                out.push((&**next, Field::Catcher(i)));
            }
        }
    }
    out
}

/// The branches of a Parallel state and the item processor of a Map state.
pub(super) fn nested_branches<'a>(state: &'a Map, at: &Pointer) -> Vec<(&'a Map, Pointer)> {
    let mut out = Vec::new();
    match state.get("Type").and_then(Value::as_str) {
        Some("Parallel") => {
            if let Some(Value::Array(branches)) = state.get("Branches") {
                for (i, b) in branches.iter().enumerate() {
                    if let Some(map) = b.as_object() {
                        out.push((map, at.child("Branches").index(i)));
                    }
                }
            }
        }
        Some("Map") => {
            for field in ["ItemProcessor", "Iterator"] {
                if let Some(map) = state.get(field).and_then(Value::as_object) {
                    out.push((map, at.child(field)));
                }
            }
        }
        _ => {}
    }
    out
}
