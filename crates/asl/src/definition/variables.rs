//! Variables across a machine: which each state reads (`variableReferences`, as
//! DescribeStateMachine reports them), and a warning for variables read but assigned
//! nowhere.
//!
//! AWS accepts a definition that reads a variable no state assigns (recorded: the
//! execution fails when the expression runs), so this is a warning, not an error.

use std::collections::BTreeSet;

use baton_json::{Str, Value};
use indexmap::IndexMap;

use super::state::{
    Choice, ErrorText, IoPath, Map, MapCount, RuleCondition, Seconds, StateKind, Tolerance, WaitFor,
};
use super::{Branch, Catcher, Dynamic, Payload, StateMachine};
use crate::choice::{Condition, Operand};
use crate::diagnostic::{Code, Diagnostics};
use crate::path::Path;

/// The variables each state reads, by state name, in the order they first appear.
/// States that read none are left out.
pub fn variable_references(machine: &StateMachine) -> IndexMap<Str, Vec<Str>> {
    let mut out = IndexMap::new();
    collect_branch(&machine.root, &mut out);
    out
}

/// Warns about each variable a state reads that no state of the machine assigns.
pub(super) fn check(machine: &StateMachine, definition: &Value, d: &mut Diagnostics) {
    let mut assigned = BTreeSet::new();
    assigned_names(definition, &mut assigned);
    let mut by_state = IndexMap::new();
    collect_branch(&machine.root, &mut by_state);
    let mut locations = IndexMap::new();
    locate(&machine.root, &mut locations);
    for (state, names) in &by_state {
        for name in names {
            if !assigned.contains(&**name) {
                let at = locations
                    .get(state)
                    .cloned()
                    .unwrap_or_else(crate::diagnostic::Pointer::root);
                d.warning(
                    Code::InvalidVariableReference,
                    &at,
                    format!(
                        "The variable '${name}' is read here but no state assigns it: the state fails when it runs"
                    ),
                );
            }
        }
    }
}

fn locate(branch: &Branch, out: &mut IndexMap<Str, crate::diagnostic::Pointer>) {
    for (name, state) in &branch.states {
        out.insert(name.clone(), state.location.clone());
        for nested in nested(&state.kind) {
            locate(nested, out);
        }
    }
}

fn nested(kind: &StateKind) -> Vec<&Branch> {
    match kind {
        StateKind::Parallel(p) => p.branches.iter().collect(),
        StateKind::Map(m) => vec![&m.processor],
        _ => Vec::new(),
    }
}

/// Every name assigned by an `Assign` anywhere (states, Choice rules, catchers), from
/// the definition as written (`name.$` counts as `name`).
fn assigned_names(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter() {
                if &**key == "Assign"
                    && let Value::Object(assign) = v
                {
                    for name in assign.keys() {
                        out.insert(name.strip_suffix(".$").unwrap_or(name).to_owned());
                    }
                }
                assigned_names(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| assigned_names(v, out)),
        _ => {}
    }
}

fn collect_branch(branch: &Branch, out: &mut IndexMap<Str, Vec<Str>>) {
    for (name, state) in &branch.states {
        let mut refs = Refs::default();
        refs.io(&state.input_path);
        refs.io(&state.output_path);
        if let Some(t) = &state.output {
            refs.names(t.variables());
        }
        refs.payload(state.assign.as_ref());
        match &state.kind {
            StateKind::Pass(p) => refs.payload(p.parameters.as_ref()),
            StateKind::Task(t) => {
                refs.payload(t.parameters.as_ref());
                refs.payload(t.result_selector.as_ref());
                refs.seconds(t.timeout.as_ref());
                refs.seconds(t.heartbeat.as_ref());
                refs.catchers(&t.catch);
            }
            StateKind::Choice(c) => refs.choice(c),
            StateKind::Wait(w) => match &w.wait_for {
                WaitFor::SecondsPath(p) | WaitFor::TimestampPath(p) => refs.path(p),
                WaitFor::SecondsExpr(e) | WaitFor::TimestampExpr(e) => refs.names(e.variables()),
                WaitFor::Seconds(_) | WaitFor::Timestamp(_) => {}
            },
            StateKind::Fail(f) => {
                for text in [&f.error, &f.cause].into_iter().flatten() {
                    if let ErrorText::Dynamic(dynamic) = text {
                        refs.dynamic(dynamic);
                    }
                }
            }
            StateKind::Succeed(_) => {}
            StateKind::Parallel(p) => {
                refs.payload(p.parameters.as_ref());
                refs.payload(p.result_selector.as_ref());
                refs.catchers(&p.catch);
            }
            StateKind::Map(m) => refs.map(m),
        }
        if !refs.names.is_empty() {
            out.insert(name.clone(), refs.names);
        }
        for nested in nested(&state.kind) {
            collect_branch(nested, out);
        }
    }
}

/// The variables one state reads.
#[derive(Default)]
struct Refs {
    names: Vec<Str>,
}

impl Refs {
    fn name(&mut self, name: &str) {
        // `$states` is JSONata's reserved variable, not a workflow variable.
        if name != "states" && !self.names.iter().any(|n| &**n == name) {
            self.names.push(Str::from(name));
        }
    }

    fn names<'a>(&mut self, names: impl Iterator<Item = &'a str>) {
        names.for_each(|n| self.name(n));
    }

    fn path(&mut self, p: &Path) {
        if let Some(v) = p.variable() {
            self.name(v);
        }
    }

    fn io(&mut self, p: &IoPath) {
        if let IoPath::Path(p) = p {
            self.path(p);
        }
    }

    fn payload(&mut self, p: Option<&Payload>) {
        match p {
            Some(Payload::JsonPath(t)) => t.paths().into_iter().for_each(|p| self.path(p)),
            Some(Payload::Jsonata(t)) => self.names(t.variables()),
            None => {}
        }
    }

    fn dynamic(&mut self, d: &Dynamic) {
        match d {
            Dynamic::Path(p) => self.path(p),
            Dynamic::Call(c) => c.paths().into_iter().for_each(|p| self.path(p)),
            Dynamic::Jsonata(e) => self.names(e.variables()),
        }
    }

    fn seconds(&mut self, s: Option<&Seconds>) {
        match s {
            Some(Seconds::Path(p)) => self.path(p),
            Some(Seconds::Jsonata(e)) => self.names(e.variables()),
            _ => {}
        }
    }

    fn count(&mut self, c: Option<&MapCount>) {
        match c {
            Some(MapCount::Path(p)) => self.path(p),
            Some(MapCount::Jsonata(e)) => self.names(e.variables()),
            _ => {}
        }
    }

    fn catchers(&mut self, catchers: &[Catcher]) {
        for c in catchers {
            self.payload(c.assign.as_ref());
            if let Some(t) = &c.output {
                self.names(t.variables());
            }
        }
    }

    fn choice(&mut self, c: &Choice) {
        for rule in &c.choices {
            match &rule.condition {
                RuleCondition::JsonPath(cond) => self.condition(cond),
                RuleCondition::Jsonata(e) => self.names(e.variables()),
            }
            self.payload(rule.assign.as_ref());
            if let Some(t) = &rule.output {
                self.names(t.variables());
            }
        }
    }

    fn condition(&mut self, c: &Condition) {
        match c {
            Condition::And(items) | Condition::Or(items) => {
                items.iter().for_each(|c| self.condition(c))
            }
            Condition::Not(inner) => self.condition(inner),
            Condition::Compare {
                variable, operand, ..
            } => {
                self.path(variable);
                if let Operand::Path(p) = operand {
                    self.path(p);
                }
            }
        }
    }

    fn map(&mut self, m: &Map) {
        if let Some(p) = &m.items_path {
            self.path(p);
        }
        self.payload(m.items.as_ref());
        self.payload(m.item_selector.as_ref());
        self.payload(m.result_selector.as_ref());
        self.count(m.max_concurrency.as_ref());
        self.count(m.tolerated_failure_count.as_ref());
        match &m.tolerated_failure_percentage {
            Some(Tolerance::Path(p)) => self.path(p),
            Some(Tolerance::Jsonata(e)) => self.names(e.variables()),
            _ => {}
        }
        self.catchers(&m.catch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::{ParseOptions, parse};
    use baton_json::json;

    #[test]
    fn lists_what_each_state_reads_and_warns_about_unassigned_variables() {
        let definition = json!({"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Assign": {"x": 1, "y.$": "$.y"}, "Next": "B"},
            "B": {"Type": "Pass", "Parameters": {"a.$": "$x", "b.$": "States.Format('{}', $z)"}, "Next": "C"},
            "C": {"Type": "Choice", "QueryLanguage": "JSONata", "Choices": [
                {"Condition": "{% $y > $states.input.n %}", "Next": "D"}], "Default": "D"},
            "D": {"Type": "Succeed"}
        }});
        let parsed = parse(&definition, ParseOptions::default());
        let machine = parsed.machine.clone().unwrap();
        let refs = variable_references(&machine);
        assert_eq!(refs.get("B").unwrap(), &[Str::from("x"), Str::from("z")]);
        assert_eq!(refs.get("C").unwrap(), &[Str::from("y")]);
        assert!(refs.get("A").is_none());
        let warnings: Vec<_> = parsed
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::InvalidVariableReference)
            .collect();
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].message.contains("$z"));
        assert_eq!(warnings[0].location, "/States/B");
        assert!(!parsed.diagnostics.has_errors());
    }
}
