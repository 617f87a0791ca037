//! `Pass`: passes its input to its output, optionally shaped or replaced.

use baton_json::Value;

use super::{ResultPath, StateParser};
use crate::definition::Payload;

/// A Pass state.
#[derive(Debug, Clone, Default)]
pub struct Pass {
    /// `Result`: a fixed value used as the state's result.
    pub result: Option<Value>,
    /// `Parameters`: a template computing the effective input.
    pub parameters: Option<Payload>,
    /// `ResultPath`.
    pub result_path: ResultPath,
}

pub(super) fn parse(cx: &mut StateParser<'_, '_>) -> Pass {
    Pass {
        result: cx.jsonpath_only("Result").cloned(),
        parameters: cx.jsonpath_payload("Parameters"),
        result_path: cx.result_path(),
    }
}
