//! `Parallel`: runs branches concurrently and collects their outputs in an array.

use super::{ResultPath, StateParser};
use crate::definition::branch::{self, Branch};
use crate::definition::{Catcher, Payload, Retrier, catch, retry};

/// A Parallel state.
#[derive(Debug, Clone)]
pub struct Parallel {
    /// `Branches`.
    pub branches: Vec<Branch>,
    /// `Parameters` (JSONPath) or `Arguments` (JSONata): each branch's input.
    pub parameters: Option<Payload>,
    /// `ResultSelector` (JSONPath).
    pub result_selector: Option<Payload>,
    /// `ResultPath` (JSONPath).
    pub result_path: ResultPath,
    /// `Retry`.
    pub retry: Vec<Retrier>,
    /// `Catch`.
    pub catch: Vec<Catcher>,
}

pub(super) fn parse(cx: &mut StateParser<'_, '_>) -> Parallel {
    cx.f.require(&["Branches"], cx.d);
    let at = cx.f.at_field("Branches");
    let mut branches = Vec::new();
    if let Some(items) = cx.f.array("Branches", cx.d) {
        if items.is_empty() {
            cx.d.schema(&at, "Value cannot be empty");
        }
        for (i, item) in items.iter().enumerate() {
            if let Some(b) = branch::parse_branch(item, &at.index(i), cx.machine_ql, &[], cx.d) {
                branches.push(b);
            }
        }
    }
    let parameters = cx.parameters();
    Parallel {
        branches,
        parameters,
        result_selector: cx.jsonpath_payload("ResultSelector"),
        result_path: cx.result_path(),
        retry: retry::parse_field(&mut cx.f, cx.d),
        catch: catch::parse_field(&mut cx.f, cx.ql, cx.d),
    }
}
