//! A parsed state machine prepared for execution: every branch (the machine, each
//! Parallel branch, each Map item processor) gets a small number, so that running frames
//! can name their branch without holding a reference into the definition.

use std::collections::HashMap;
use std::sync::Arc;

use baton_asl::definition::state::Transition;
use baton_asl::definition::{Branch, StateKind, StateMachine};
use baton_json::Str;

/// Identifies a branch of a [`Program`]. The machine's own states are branch 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BranchId(pub u32);

/// A state machine ready to run. Shared by all its executions.
#[derive(Debug)]
pub struct Program {
    machine: StateMachine,
    /// For each branch, the way down from the root: (state index, branch index) pairs.
    paths: Vec<Vec<(u32, u32)>>,
    /// The branch id of (parent branch, state index, branch index).
    children: HashMap<(BranchId, u32, u32), BranchId>,
    /// For each branch, the index of each state's `Next` state, resolved once.
    next: Vec<Vec<Option<u32>>>,
    /// For each branch, state indices by name (for Choice, Catch and StartAt targets).
    index: Vec<HashMap<Str, u32, foldhash::fast::RandomState>>,
}

impl Program {
    /// Prepares a machine (which must have passed validation).
    pub fn new(machine: StateMachine) -> Arc<Program> {
        let mut p = Program {
            machine,
            paths: vec![Vec::new()],
            children: HashMap::new(),
            next: Vec::new(),
            index: Vec::new(),
        };
        let mut todo = vec![BranchId(0)];
        while let Some(id) = todo.pop() {
            let path = p.paths[id.0 as usize].clone();
            let nested: Vec<(u32, u32)> = {
                let branch = p.branch(id);
                branch
                    .states
                    .values()
                    .enumerate()
                    .flat_map(|(si, state)| {
                        let n = match &state.kind {
                            StateKind::Parallel(par) => par.branches.len(),
                            StateKind::Map(_) => 1,
                            _ => 0,
                        };
                        (0..n).map(move |bi| (si as u32, bi as u32))
                    })
                    .collect()
            };
            for (si, bi) in nested {
                let child = BranchId(p.paths.len() as u32);
                let mut child_path = path.clone();
                child_path.push((si, bi));
                p.paths.push(child_path);
                p.children.insert((id, si, bi), child);
                todo.push(child);
            }
        }
        for id in 0..p.paths.len() {
            let branch = p.branch(BranchId(id as u32));
            let index: HashMap<Str, u32, foldhash::fast::RandomState> = branch
                .states
                .keys()
                .enumerate()
                .map(|(i, name)| (name.clone(), i as u32))
                .collect();
            let next = branch
                .states
                .values()
                .map(|s| match &s.transition {
                    Transition::Next(n) => index.get(&**n).copied(),
                    _ => None,
                })
                .collect();
            p.next.push(next);
            p.index.push(index);
        }
        Arc::new(p)
    }

    /// The index of state `state`'s `Next` state in branch `branch`.
    #[inline]
    pub fn next_of(&self, branch: BranchId, state: usize) -> Option<usize> {
        self.next[branch.0 as usize][state].map(|i| i as usize)
    }

    /// The index of the state named `name` in branch `branch`.
    #[inline]
    pub fn index_of(&self, branch: BranchId, name: &str) -> Option<usize> {
        self.index[branch.0 as usize].get(name).map(|&i| i as usize)
    }

    /// How many branches the machine has, nested ones included (ids `0..count`).
    pub(crate) fn branch_count(&self) -> usize {
        self.paths.len()
    }

    /// The machine.
    pub fn machine(&self) -> &StateMachine {
        &self.machine
    }

    /// The branch with this id.
    pub fn branch(&self, id: BranchId) -> &Branch {
        let mut b = &self.machine.root;
        for &(si, bi) in &self.paths[id.0 as usize] {
            b = match b.states.get_index(si as usize).map(|(_, s)| &s.kind) {
                Some(StateKind::Parallel(p)) => &p.branches[bi as usize],
                Some(StateKind::Map(m)) => &m.processor,
                // Paths are built from the same machine: every step names a Parallel or Map.
                _ => unreachable!("branch path leads through a state without branches"),
            };
        }
        b
    }

    /// The id of branch `index` of the Parallel or Map state at `state` in `parent`.
    pub fn child(&self, parent: BranchId, state: usize, index: usize) -> BranchId {
        self.children[&(parent, state as u32, index as u32)]
    }
}
