//! Checks on the parsed machine that depend on how it will run: what an Express machine
//! may not use.

use super::state::StateKind;
use super::{Branch, IntegrationPattern, MachineType, ParseOptions, Resource, StateMachine};
use crate::diagnostic::{Diagnostics, Pointer};

pub(super) fn validate(machine: &StateMachine, options: ParseOptions, d: &mut Diagnostics) {
    if options.machine_type == MachineType::Express {
        check_express(&machine.root, d);
    }
}

fn check_express(branch: &Branch, d: &mut Diagnostics) {
    for state in branch.states.values() {
        match &state.kind {
            StateKind::Parallel(p) => p.branches.iter().for_each(|b| check_express(b, d)),
            StateKind::Map(m) => check_express(&m.processor, d),
            StateKind::Task(t) => {
                check_express_resource(&t.resource, &state.location.child("Resource"), d);
            }
            _ => {}
        }
    }
}

/// AWS's messages, recorded (the one for callbacks has a trailing space).
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
        } => d.schema(
            at,
            "Express state machine does not support '.waitForTaskToken' service integration ",
        ),
        _ => {}
    }
}
