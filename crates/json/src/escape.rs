//! Which bytes of a string are escaped in JSON text, as serde_json writes it: `"`, `\`
//! and the control characters below U+0020 (`\b \t \n \f \r` by letter, the others as
//! `\u00XX`). Everything else, U+007F and non-ASCII included, is written as itself.

/// What a byte becomes inside a JSON string: 0 for itself, `u` for `\u00XX`, otherwise
/// the letter after the backslash.
pub(crate) static ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = b'u';
        b += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0a] = b'n';
    table[0x0c] = b'f';
    table[0x0d] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

/// How many bytes a byte adds to a string literal beyond itself: 0, 1 (`\n`, `\"`, ...)
/// or 5 (`\u00XX`).
pub(crate) static EXTRA: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = match ESCAPE[b] {
            0 => 0,
            b'u' => 5,
            _ => 1,
        };
        b += 1;
    }
    table
};

/// Whether any byte of `bytes` is escaped: a word (or two overlapping half words) at a
/// time, since most strings need no escape at all.
#[inline]
pub(crate) fn needs_escape(bytes: &[u8]) -> bool {
    let n = bytes.len();
    if n >= 8 {
        let mut i = 0;
        while i + 8 <= n {
            if word_needs_escape(word(bytes, i)) {
                return true;
            }
            i += 8;
        }
        // The last bytes, in a word that overlaps the one before.
        return i < n && word_needs_escape(word(bytes, n - 8));
    }
    if n >= 4 {
        let (head, tail) = (half_word(bytes, 0), half_word(bytes, n - 4));
        return word_needs_escape(u64::from(head) | (u64::from(tail) << 32));
    }
    bytes.iter().any(|&b| ESCAPE[usize::from(b)] != 0)
}

#[inline(always)]
fn word(bytes: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(w)
}

#[inline(always)]
fn half_word(bytes: &[u8], at: usize) -> u32 {
    let mut w = [0u8; 4];
    w.copy_from_slice(&bytes[at..at + 4]);
    u32::from_le_bytes(w)
}

/// Whether any of the eight bytes of `x` is escaped. The high bit of a byte of each
/// mask is set where the byte is below 0x20, or zero after the XOR: exact as to whether
/// any byte is (the classic "has less than" word trick).
#[inline(always)]
fn word_needs_escape(x: u64) -> bool {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = ONES * 0x80;
    let control = x.wrapping_sub(ONES * 0x20) & !x;
    let q = x ^ (ONES * u64::from(b'"'));
    let quote = q.wrapping_sub(ONES) & !q;
    let b = x ^ (ONES * u64::from(b'\\'));
    let backslash = b.wrapping_sub(ONES) & !b;
    (control | quote | backslash) & HIGH != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_any_byte_to_escape() {
        for n in 0..20 {
            for at in 0..n {
                for b in 0..=255u8 {
                    let mut bytes = vec![b'a'; n];
                    bytes[at] = b;
                    assert_eq!(
                        needs_escape(&bytes),
                        ESCAPE[usize::from(b)] != 0,
                        "{n} {at} {b}"
                    );
                }
            }
        }
        assert!(!needs_escape("é€😀\u{7f}".as_bytes()));
        assert!(!needs_escape(b""));
    }
}
