//! Pagination as AWS's list actions do it: `maxResults` (0 or absent means 100, at most
//! 1000) and opaque `nextToken`s.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::ApiError;

/// The page size when `maxResults` is absent or 0.
pub const DEFAULT_PAGE_SIZE: usize = 100;

/// The number of items to return for a request's `maxResults` (validation has already
/// bounded it by the model's maximum).
pub fn page_size(max_results: Option<i32>) -> usize {
    match max_results {
        Some(n) if n > 0 => n as usize,
        _ => DEFAULT_PAGE_SIZE,
    }
}

const VERSION: &str = "b1.";

/// An opaque `nextToken` that carries `position` (a backend's cursor: an offset, a key).
pub fn encode_token(position: &str) -> String {
    format!("{VERSION}{}", URL_SAFE_NO_PAD.encode(position))
}

/// The position in a token made by [`encode_token`]; any other token is AWS's
/// `InvalidToken`.
pub fn decode_token(token: &str) -> Result<String, ApiError> {
    token
        .strip_prefix(VERSION)
        .and_then(|rest| URL_SAFE_NO_PAD.decode(rest).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| ApiError::invalid_token("Invalid token"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_others_are_invalid() {
        let t = encode_token("offset=100");
        assert_eq!(decode_token(&t).unwrap(), "offset=100");
        let e = decode_token("garbage").unwrap_err();
        assert_eq!(e.code(), crate::ErrorCode::InvalidToken);
        assert_eq!(e.message(), "Invalid Token: 'Invalid token'");
    }

    #[test]
    fn page_sizes() {
        assert_eq!(page_size(None), 100);
        assert_eq!(page_size(Some(0)), 100);
        assert_eq!(page_size(Some(7)), 7);
    }
}
