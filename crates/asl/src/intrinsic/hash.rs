//! `States.Hash(data, algorithm)`: MD5, SHA-1, SHA-256, SHA-384 or SHA-512 of the UTF-8
//! data, in lower-case hex. Data that is not a string is hashed as AWS writes it as text.

use std::fmt::Write as _;

use baton_json::Value;
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};

use super::eval::{Invalid, Outcome};
use super::render::{java_len, java_length, java_string};

/// The longest data hashed, in UTF-16 code units.
const MAX_INPUT: usize = 10_000;

pub(super) fn hash(args: &[Value]) -> Outcome {
    let [data, algorithm] = args else {
        return Err(Invalid);
    };
    let algorithm = algorithm.as_str().ok_or(Invalid)?;
    let text = match data {
        Value::String(s) => std::borrow::Cow::Borrowed(&**s),
        Value::Null => return Err(Invalid),
        other => {
            // Past three bytes a unit, the text is longer than allowed whatever it
            // holds: refused without being written.
            if java_len(other, 3 * MAX_INPUT + 3).is_none() {
                return Err(Invalid);
            }
            std::borrow::Cow::Owned(java_string(other))
        }
    };
    if java_length(&text) > MAX_INPUT {
        return Err(Invalid);
    }
    let bytes = text.as_bytes();
    let digest: Vec<u8> = match algorithm {
        "MD5" => Md5::digest(bytes).to_vec(),
        "SHA-1" => Sha1::digest(bytes).to_vec(),
        "SHA-256" => Sha256::digest(bytes).to_vec(),
        "SHA-384" => Sha384::digest(bytes).to_vec(),
        "SHA-512" => Sha512::digest(bytes).to_vec(),
        _ => return Err(Invalid),
    };
    let mut hex = String::with_capacity(digest.len() * 2);
    for b in digest {
        let _ = write!(hex, "{b:02x}");
    }
    Ok(Value::from(hex))
}
