//! Room on the stack for code that recurses once per level of a document.
//!
//! Parsing, writing, comparing and converting recurse once per nested container. A
//! document of [`MAX_DEPTH`](crate::MAX_DEPTH) levels needs more stack than a small
//! thread has (about 2 KB a level to parse in a debug build), and documents built in
//! memory may be deeper still. So the recursion passes through [`guard_at`], which every
//! [`EVERY`] levels moves on to a fresh stack segment if the current one runs low: no
//! depth overflows the stack, and ordinary, shallow documents pay one cheap test a level.

/// Levels of recursion between two checks of the stack.
const EVERY: usize = 8;

/// The stack that must be left at a check: [`EVERY`] levels' frames (generous for a
/// debug build), and leaf work such as parsing a number or formatting an error.
const RED_ZONE: usize = 64 * 1024;

/// The size of each new segment: room for hundreds of levels, so that a deep document
/// switches stacks rarely.
const SEGMENT: usize = 1024 * 1024;

/// Runs `f`, the work of a container `level` levels into a recursion (0 for the
/// outermost), on a new stack segment if this is a level to check and less than
/// [`RED_ZONE`] is left on the current one.
///
/// `f` should be a small closure that calls a named function: the check is inlined at
/// each call site and the closure with it, and only the move to a new segment is out of
/// line.
#[inline(always)]
pub(crate) fn guard_at<R>(level: usize, f: impl FnOnce() -> R) -> R {
    if level.is_multiple_of(EVERY) && low() {
        grow(f)
    } else {
        f()
    }
}

/// Whether less than [`RED_ZONE`] is left on this stack segment (or that is unknown).
#[inline(never)]
fn low() -> bool {
    stacker::remaining_stack().is_none_or(|left| left < RED_ZONE)
}

/// Runs `f` on a new stack segment.
#[cold]
#[inline(never)]
fn grow<R>(f: impl FnOnce() -> R) -> R {
    stacker::grow(SEGMENT, f)
}
