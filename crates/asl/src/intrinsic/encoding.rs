//! `States.Base64Encode` and `States.Base64Decode`.
//!
//! Text is encoded as UTF-8 with the standard alphabet and padding. Decoding is as
//! lenient as AWS's: characters outside the alphabet are skipped, the first `=` ends the
//! data, a final incomplete group yields what bits it has, and bytes that are not UTF-8
//! become U+FFFD.

use baton_json::Value;

use super::eval::{Invalid, Outcome};
use super::render::java_length;

/// The longest string either function takes, in UTF-16 code units.
const MAX_INPUT: usize = 10_000;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn text_arg(args: &[Value]) -> Result<&str, Invalid> {
    let [text] = args else { return Err(Invalid) };
    let text = text.as_str().ok_or(Invalid)?;
    if java_length(text) > MAX_INPUT {
        return Err(Invalid);
    }
    Ok(text)
}

pub(super) fn base64_encode(args: &[Value]) -> Outcome {
    Ok(Value::from(encode(text_arg(args)?.as_bytes())))
}

pub(super) fn base64_decode(args: &[Value]) -> Outcome {
    let bytes = decode(text_arg(args)?);
    Ok(Value::from(String::from_utf8_lossy(&bytes).into_owned()))
}

/// Standard base64 with padding.
pub(crate) fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let sextet = |shift: u32| char::from(ALPHABET[((n >> shift) & 63) as usize]);
        out.push(sextet(18));
        out.push(sextet(12));
        out.push(if chunk.len() > 1 { sextet(6) } else { '=' });
        out.push(if chunk.len() > 2 { sextet(0) } else { '=' });
    }
    out
}

fn sextet(c: u8) -> Option<u32> {
    Some(u32::from(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' | b'-' => 62,
        b'/' | b'_' => 63,
        _ => return None,
    }))
}

/// Lenient base64 decoding (see the module documentation).
pub(crate) fn decode(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut acc = 0u32;
    let mut count = 0;
    for c in text.bytes() {
        if c == b'=' {
            break;
        }
        let Some(v) = sextet(c) else { continue };
        acc = (acc << 6) | v;
        count += 1;
        if count == 4 {
            out.extend_from_slice(&[(acc >> 16) as u8, (acc >> 8) as u8, acc as u8]);
            acc = 0;
            count = 0;
        }
    }
    match count {
        2 => out.push((acc >> 4) as u8),
        3 => out.extend_from_slice(&[(acc >> 10) as u8, (acc >> 2) as u8]),
        _ => {}
    }
    out
}
