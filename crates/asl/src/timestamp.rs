//! Timestamps as Step Functions accepts them: RFC 3339 with an upper-case `T` and an
//! explicit offset (`Z` or `±hh:mm`).

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Parses a timestamp (`2016-03-14T01:59:00Z`, `2016-03-14T01:59:00.123+02:00`).
pub fn parse(s: &str) -> Option<OffsetDateTime> {
    let bytes = s.as_bytes();
    // The `time` crate also accepts a lower-case `t`/`z` and a space; AWS does not.
    if bytes.get(10) != Some(&b'T') || s.contains(['t', 'z', ' ']) {
        return None;
    }
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

/// Formats an instant as Step Functions writes timestamps in context objects and
/// outputs: UTC with milliseconds, e.g. `2024-01-01T00:00:00.000Z`.
pub fn format_millis(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_rfc3339_as_aws_does() {
        assert!(parse("2016-03-14T01:59:00Z").is_some());
        assert!(parse("2016-03-14T01:59:00.5+02:00").is_some());
        for bad in [
            "2016-13-05T21:29:29Z",
            "05-12-2016T21:29:29Z",
            "2016-12-05T25:29:29Z",
            "2016-12-05 21:29:29Z",
            "2016-12-05T21:29:29",
            "2016-12-05t21:29:29z",
            "",
        ] {
            assert!(parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn formats_with_milliseconds_in_utc() {
        let t = parse("2016-03-14T01:59:00.1234+01:00").unwrap();
        assert_eq!(format_millis(t), "2016-03-14T00:59:00.123Z");
    }
}
