//! `States.UUID()`: a version 4 UUID from the execution's random stream.

use std::fmt::Write as _;

use baton_json::Value;

use super::eval::{Invalid, Outcome};
use crate::scope::Scope;

pub(super) fn uuid(args: &[Value], scope: &mut dyn Scope) -> Outcome {
    if !args.is_empty() {
        return Err(Invalid);
    }
    Ok(Value::from(uuid_v4(scope.random_u64(), scope.random_u64())))
}

/// Formats 128 random bits as a version 4, variant 1 UUID (`xxxxxxxx-xxxx-4xxx-yxxx-...`).
pub(crate) fn uuid_v4(high: u64, low: u64) -> String {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&high.to_be_bytes());
    bytes[8..].copy_from_slice(&low.to_be_bytes());
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut out = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        let _ = write!(out, "{b:02x}");
    }
    out
}
