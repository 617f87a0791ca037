//! Page sizes and page tokens, shared by the backends so that both page alike.
//!
//! Tokens are opaque to callers; inside they name the last item of the page they end:
//! - listings newest first (executions, Map Runs): `START_DATE:SEQ`, where SEQ orders
//!   records created at the same millisecond (a creation sequence number);
//! - listings in creation order or by number (machines, activities, versions, history):
//!   a decimal number;
//! - aliases: the last alias's ARN.

use crate::{Page, Result, StoreError};

/// The page size when a [`Page`] asks for 0.
pub(crate) const DEFAULT_LIMIT: usize = 100;

/// The number of items a page may hold.
pub(crate) fn limit(page: &Page) -> usize {
    if page.limit == 0 {
        DEFAULT_LIMIT
    } else {
        page.limit
    }
}

/// The token after an item listed newest first.
pub(crate) fn date_token(date: i64, seq: i64) -> String {
    format!("{date}:{seq}")
}

/// The (date, sequence number) a [`date_token`] names.
pub(crate) fn parse_date_token(token: &str) -> Result<(i64, i64)> {
    let bad = || StoreError::InvalidToken(token.to_owned());
    let (date, seq) = token.split_once(':').ok_or_else(bad)?;
    Ok((
        date.parse().map_err(|_| bad())?,
        seq.parse().map_err(|_| bad())?,
    ))
}

/// The number a decimal token names.
pub(crate) fn parse_number_token(token: &str) -> Result<u64> {
    // `u64::from_str` accepts a leading '+': tokens we make never have one.
    if token.starts_with('+') {
        return Err(StoreError::InvalidToken(token.to_owned()));
    }
    token
        .parse()
        .map_err(|_| StoreError::InvalidToken(token.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_reject_garbage() {
        assert_eq!(parse_date_token(&date_token(-5, 7)).unwrap(), (-5, 7));
        assert_eq!(parse_number_token("42").unwrap(), 42);
        for bad in ["", "x", "1", "1:", ":1", "1:x", "a:1"] {
            assert!(
                matches!(parse_date_token(bad), Err(StoreError::InvalidToken(_))),
                "{bad}"
            );
        }
        for bad in ["", "+1", "-1", "1.0", "x"] {
            assert!(
                matches!(parse_number_token(bad), Err(StoreError::InvalidToken(_))),
                "{bad}"
            );
        }
    }
}
