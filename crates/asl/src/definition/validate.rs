//! Checks across states, once every state has parsed: transitions lead somewhere, every
//! state is reachable, names are unique, and the machine type allows what is used.

use std::collections::{HashMap, HashSet};

use baton_json::Str;

use super::state::{StateKind, Transition};
use super::{Branch, IntegrationPattern, MachineType, ParseOptions, Resource, StateMachine};
use crate::diagnostic::{Code, Diagnostics, Pointer};

pub(super) fn validate(machine: &StateMachine, options: ParseOptions, d: &mut Diagnostics) {
    let mut seen: HashMap<Str, Pointer> = HashMap::new();
    validate_branch(&machine.root, options, &mut seen, d);
}

fn validate_branch(
    branch: &Branch,
    options: ParseOptions,
    seen: &mut HashMap<Str, Pointer>,
    d: &mut Diagnostics,
) {
    let states_at = branch.location.child("States");
    for (name, state) in &branch.states {
        let at = states_at.child(name);
        if seen.insert(name.clone(), at.clone()).is_some() {
            d.error(
                Code::DuplicateStateName,
                &at,
                format!("Duplicate State name: {name}"),
            );
        }
        for (target, field_at) in targets(state, &at) {
            if !branch.states.contains_key(target) {
                d.error(
                    Code::MissingTransitionTarget,
                    &field_at,
                    format!("Missing 'Next' target: {target}"),
                );
            }
        }
        match &state.kind {
            StateKind::Parallel(p) => {
                for b in &p.branches {
                    validate_branch(b, options, seen, d);
                }
            }
            StateKind::Map(m) => validate_branch(&m.processor, options, seen, d),
            StateKind::Task(t) if options.machine_type == MachineType::Express => {
                check_express_resource(&t.resource, &at.child("Resource"), d);
            }
            _ => {}
        }
    }
    report_unreachable(branch, &states_at, d);
}

/// Every state name a state can transition to, with the pointer to the field naming it.
fn targets<'a>(state: &'a super::State, at: &Pointer) -> Vec<(&'a str, Pointer)> {
    let mut out = Vec::new();
    if let Transition::Next(n) = &state.transition {
        out.push((&**n, at.child("Next")));
    }
    let catchers = match &state.kind {
        StateKind::Task(t) => &t.catch[..],
        StateKind::Parallel(p) => &p.catch[..],
        StateKind::Map(m) => &m.catch[..],
        StateKind::Choice(c) => {
            for (i, rule) in c.choices.iter().enumerate() {
                out.push((&*rule.next, at.child("Choices").child(i).child("Next")));
            }
            if let Some(def) = &c.default {
                out.push((&**def, at.child("Default")));
            }
            &[]
        }
        _ => &[],
    };
    for (i, c) in catchers.iter().enumerate() {
        out.push((&*c.next, at.child("Catch").child(i).child("Next")));
    }
    out
}

fn report_unreachable(branch: &Branch, states_at: &Pointer, d: &mut Diagnostics) {
    let mut reached: HashSet<&str> = HashSet::new();
    let mut todo: Vec<&str> = vec![&branch.start_at];
    while let Some(name) = todo.pop() {
        let Some(state) = branch.states.get(name) else {
            continue;
        };
        if !reached.insert(name) {
            continue;
        }
        for (t, _) in targets(state, &Pointer::root()) {
            todo.push(t);
        }
    }
    for name in branch.states.keys() {
        if !reached.contains(&**name) {
            d.error(
                Code::UnreachableState,
                &states_at.child(name),
                format!("State \"{name}\" is not reachable."),
            );
        }
    }
}

fn check_express_resource(resource: &Resource, at: &Pointer, d: &mut Diagnostics) {
    match resource {
        Resource::Activity { .. } => {
            d.schema(at, "Express state machine does not support Activity ARN")
        }
        Resource::Service {
            pattern: IntegrationPattern::Sync,
            ..
        } => d.schema(
            at,
            "Express state machine does not support '.sync' service integration",
        ),
        Resource::Service {
            pattern: IntegrationPattern::WaitForTaskToken,
            ..
        } => {
            // AWS's message has two spaces before "at".
            d.schema(
                at,
                "Express state machine does not support '.waitForTaskToken' service integration ",
            )
        }
        _ => {}
    }
}
