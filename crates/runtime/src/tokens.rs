//! Task tokens a server can trust: each names its execution and task, and carries a MAC
//! made with the server's secret, so a token cannot be forged, and a token of one task
//! cannot be turned into another's (work ids are never reused, so a retry's token differs
//! from the first attempt's).
//!
//! Layout: base64url (no padding) of `MAC[16] ‖ work id (u64, big-endian) ‖ execution ARN`,
//! where MAC is HMAC-SHA256 over the rest, truncated to 128 bits.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use baton_engine::{TokenMinter, WorkId};
use baton_json::Str;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

const MAC_LEN: usize = 16;

/// Mints and verifies signed task tokens.
#[derive(Clone)]
pub struct SignedTokens {
    key: [u8; 32],
}

impl std::fmt::Debug for SignedTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SignedTokens(..)")
    }
}

/// What a valid token names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenClaim {
    /// The execution's ARN.
    pub execution_arn: String,
    /// The task's work id.
    pub work: WorkId,
}

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not base64url, or too short to hold a MAC and a work id.
    #[error("the token is malformed")]
    Malformed,
    /// The MAC does not match: not a token this server made.
    #[error("the token was not issued by this server")]
    Forged,
}

impl SignedTokens {
    /// Tokens signed with `key`.
    pub fn new(key: [u8; 32]) -> SignedTokens {
        SignedTokens { key }
    }

    fn mac(&self, body: &[u8]) -> Hmac<Sha256> {
        let mut mac =
            <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key).expect("HMAC takes any key size");
        mac.update(body);
        mac
    }

    /// Checks a token and says what it names.
    pub fn verify(&self, token: &str) -> Result<TokenClaim, TokenError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(token.trim())
            .map_err(|_| TokenError::Malformed)?;
        if bytes.len() < MAC_LEN + 8 + 1 {
            return Err(TokenError::Malformed);
        }
        let (tag, body) = bytes.split_at(MAC_LEN);
        self.mac(body)
            .verify_truncated_left(tag)
            .map_err(|_| TokenError::Forged)?;
        let (work, arn) = body.split_at(8);
        let work = u64::from_be_bytes(work.try_into().expect("eight bytes"));
        let execution_arn = String::from_utf8(arn.to_vec()).map_err(|_| TokenError::Malformed)?;
        Ok(TokenClaim {
            execution_arn,
            work,
        })
    }
}

impl TokenMinter for SignedTokens {
    fn mint(&self, execution_arn: &str, work: WorkId) -> Str {
        let mut body = Vec::with_capacity(8 + execution_arn.len());
        body.extend_from_slice(&work.to_be_bytes());
        body.extend_from_slice(execution_arn.as_bytes());
        let tag = self.mac(&body).finalize().into_bytes();
        let mut all = Vec::with_capacity(MAC_LEN + body.len());
        all.extend_from_slice(&tag[..MAC_LEN]);
        all.extend_from_slice(&body);
        URL_SAFE_NO_PAD.encode(all).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:states:us-east-1:123456789012:execution:m:e";

    #[test]
    fn a_minted_token_verifies_and_names_its_task() {
        let t = SignedTokens::new([7; 32]);
        let token = t.mint(ARN, 42);
        assert_eq!(
            t.verify(&token),
            Ok(TokenClaim {
                execution_arn: ARN.into(),
                work: 42
            })
        );
        assert_eq!(token, t.mint(ARN, 42), "deterministic, for replay");
        assert_ne!(token, t.mint(ARN, 43));
    }

    #[test]
    fn tokens_from_another_key_or_altered_are_refused() {
        let t = SignedTokens::new([7; 32]);
        let other = SignedTokens::new([8; 32]).mint(ARN, 42);
        assert_eq!(t.verify(&other), Err(TokenError::Forged));
        let mut bytes = URL_SAFE_NO_PAD.decode(t.mint(ARN, 42).as_bytes()).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        assert_eq!(
            t.verify(&URL_SAFE_NO_PAD.encode(bytes)),
            Err(TokenError::Forged)
        );
        assert_eq!(t.verify("not a token!"), Err(TokenError::Malformed));
        assert_eq!(t.verify(""), Err(TokenError::Malformed));
        assert_eq!(t.verify("AAAA"), Err(TokenError::Malformed));
    }
}
