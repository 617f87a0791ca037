//! Fuzz targets for every decoder that reads what a client sends: one function per target,
//! taking arbitrary bytes, feeding them to the real decoder and checking its invariants.
//! A target panics only when an invariant is broken (a decoder panicked, a decoded value
//! did not read back as itself, an error was not AWS-shaped).
//!
//! The same functions run under `cargo fuzz` (the `fuzz/` directory at the repository's
//! root, one `fuzz_targets/<target>.rs` per function) and in this crate's tests, which
//! replay every input kept in `crates/fuzz/regressions/<target>/` and run property tests
//! over generated inputs.
//!
//! | target | decoder |
//! |---|---|
//! | [`api_request`] | the Step Functions JSON 1.0 protocol: `X-Amz-Target`, body, validation, typed decoding |
//! | [`json_codecs`] | `baton-json`'s parser and writer, the runtime's journal and task requests |
//! | [`asl_definition`] | state machine definitions (JSON or YAML) |
//! | [`schedule`] | Scheduler's expressions, time zones, next and last fire times, the schedule engine |
//! | [`event_pattern`] | EventBridge event patterns and their matching |
//! | [`put_events`] | the `AWSEvents.*` and `Baton.*` actions (PutEvents, rules, targets, paging) and Scheduler's REST routes |
//! | [`webhook`] | webhook bodies through input templates, ASYNC and SYNC |

mod api;
mod events;
mod json;
mod schedule;
mod support;
mod webhook;

pub use api::api_request;
pub use events::{event_pattern, put_events};
pub use json::{asl_definition, json_codecs};
pub use schedule::schedule;
pub use webhook::webhook;

/// A fuzz target: bytes in, a panic when an invariant is broken.
pub type Target = fn(&[u8]);

/// Every target by name, as the regression replay and the fuzz project name them.
pub const TARGETS: &[(&str, Target)] = &[
    ("api_request", api_request),
    ("json_codecs", json_codecs),
    ("asl_definition", asl_definition),
    ("schedule", schedule),
    ("event_pattern", event_pattern),
    ("put_events", put_events),
    ("webhook", webhook),
];
