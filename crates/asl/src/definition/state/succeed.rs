//! `Succeed`: ends the execution (or branch, or iteration) successfully.

use super::StateParser;

/// A Succeed state. It has only the common fields (InputPath, OutputPath, Output).
#[derive(Debug, Clone, Default)]
pub struct Succeed {}

pub(super) fn parse(_cx: &mut StateParser<'_, '_>) -> Succeed {
    Succeed {}
}
