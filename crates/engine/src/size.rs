//! The payload limits: a document's size as JSON text, measured without writing it, and
//! its nesting depth.

use baton_json::Value;

/// The deepest document an execution may hold at a state's boundary (its input, output,
/// a task's result, a variable): Baton's one nesting bound. Deeper documents could not be
/// read back by the codecs at Baton's edges, which refuse them.
pub use baton_json::MAX_DEPTH;

/// Why a document is over the limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Oversize {
    /// Its JSON text is longer than the payload limit.
    Bytes,
    /// It is nested deeper than [`MAX_DEPTH`].
    Depth,
}

/// `true` when `value`, written as compact JSON, takes more than `limit` bytes.
///
/// Containers remember their length once measured (see [`Value::encoded_len`]), so
/// checking each state's output costs only the parts of it that are new.
pub fn exceeds(value: &Value, limit: usize) -> bool {
    value.encoded_len() > limit as u64
}

/// Whether `value` is within the payload limit `limit` and [`MAX_DEPTH`].
pub(crate) fn check(value: &Value, limit: usize) -> Result<(), Oversize> {
    if exceeds(value, limit) {
        return Err(Oversize::Bytes);
    }
    if value.depth() > MAX_DEPTH {
        return Err(Oversize::Depth);
    }
    Ok(())
}
