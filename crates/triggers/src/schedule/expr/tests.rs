use jiff::Timestamp;

use super::{Expression, time_zone};

fn ms(text: &str) -> i64 {
    text.parse::<Timestamp>().unwrap().as_millisecond()
}

fn iso(ms: i64) -> String {
    Timestamp::from_millisecond(ms).unwrap().to_string()
}

/// The next occurrence of `expr` in `tz` after the instant `after`.
fn next(expr: &str, tz: &str, after: &str) -> Option<String> {
    let e = Expression::parse(expr).unwrap_or_else(|err| panic!("{expr}: {err}"));
    e.next_after(ms(after), 0, &time_zone(Some(tz)).unwrap())
        .map(iso)
}

#[test]
fn cron_occurrences() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "cron(0 12 * * ? *)",
            "UTC",
            "2024-01-01T00:00:00Z",
            "2024-01-01T12:00:00Z",
        ),
        (
            "cron(0 12 * * ? *)",
            "UTC",
            "2024-01-01T12:00:00Z",
            "2024-01-02T12:00:00Z",
        ),
        (
            "cron(0/15 * * * ? *)",
            "UTC",
            "2024-01-01T10:07:00Z",
            "2024-01-01T10:15:00Z",
        ),
        (
            "cron(*/20 * * * ? *)",
            "UTC",
            "2024-01-01T10:47:00Z",
            "2024-01-01T11:00:00Z",
        ),
        (
            "cron(5,35 14 * * ? *)",
            "UTC",
            "2024-01-01T14:06:00Z",
            "2024-01-01T14:35:00Z",
        ),
        // Weekdays: Saturday 6 January 2024 leads to Monday the 8th.
        (
            "cron(0 9 ? * MON-FRI *)",
            "UTC",
            "2024-01-06T10:00:00Z",
            "2024-01-08T09:00:00Z",
        ),
        (
            "cron(0 9 ? * 2-6 *)",
            "UTC",
            "2024-01-06T10:00:00Z",
            "2024-01-08T09:00:00Z",
        ),
        // 1 is Sunday.
        (
            "cron(0 9 ? * 1 *)",
            "UTC",
            "2024-01-01T00:00:00Z",
            "2024-01-07T09:00:00Z",
        ),
        // L: the last day of the month; 6L: the last Friday; 3#2: the second Tuesday.
        (
            "cron(0 0 L * ? *)",
            "UTC",
            "2024-02-01T00:00:00Z",
            "2024-02-29T00:00:00Z",
        ),
        (
            "cron(0 10 ? * 6L 2024)",
            "UTC",
            "2024-01-01T00:00:00Z",
            "2024-01-26T10:00:00Z",
        ),
        (
            "cron(0 10 ? * 3#2 *)",
            "UTC",
            "2024-01-01T00:00:00Z",
            "2024-01-09T10:00:00Z",
        ),
        (
            "cron(0 10 ? * L *)",
            "UTC",
            "2024-01-01T00:00:00Z",
            "2024-01-06T10:00:00Z",
        ),
        // W: 15 June 2024 is a Saturday (the 14th), 15 September a Sunday (the 16th), 1
        // June a Saturday (Monday the 3rd, not May); LW in August 2024: Friday the 30th.
        (
            "cron(0 0 15W * ? *)",
            "UTC",
            "2024-06-01T00:00:00Z",
            "2024-06-14T00:00:00Z",
        ),
        (
            "cron(0 0 15W * ? *)",
            "UTC",
            "2024-09-01T00:00:00Z",
            "2024-09-16T00:00:00Z",
        ),
        (
            "cron(0 0 1W * ? *)",
            "UTC",
            "2024-05-31T00:00:00Z",
            "2024-06-03T00:00:00Z",
        ),
        (
            "cron(0 0 LW * ? *)",
            "UTC",
            "2024-08-01T00:00:00Z",
            "2024-08-30T00:00:00Z",
        ),
        // Months by name, years.
        (
            "cron(0 0 1 JAN,JUL ? *)",
            "UTC",
            "2024-02-01T00:00:00Z",
            "2024-07-01T00:00:00Z",
        ),
        (
            "cron(0 0 29 2 ? *)",
            "UTC",
            "2024-03-01T00:00:00Z",
            "2028-02-29T00:00:00Z",
        ),
        (
            "cron(0 8 1 1 ? 2030)",
            "UTC",
            "2024-03-01T00:00:00Z",
            "2030-01-01T08:00:00Z",
        ),
        // Time zones: 10:00 in Paris is 09:00 UTC in winter, 08:00 in summer.
        (
            "cron(0 10 * * ? *)",
            "Europe/Paris",
            "2024-01-15T00:00:00Z",
            "2024-01-15T09:00:00Z",
        ),
        (
            "cron(0 10 * * ? *)",
            "Europe/Paris",
            "2024-07-15T00:00:00Z",
            "2024-07-15T08:00:00Z",
        ),
        // Daylight saving time in New York: 02:30 on 10 March 2024 does not exist (the
        // day is skipped); 01:30 on 3 November 2024 happens twice (once).
        (
            "cron(30 2 * * ? *)",
            "America/New_York",
            "2024-03-09T12:00:00Z",
            "2024-03-11T06:30:00Z",
        ),
        (
            "cron(30 1 * * ? *)",
            "America/New_York",
            "2024-11-03T00:00:00Z",
            "2024-11-03T05:30:00Z",
        ),
        (
            "cron(30 1 * * ? *)",
            "America/New_York",
            "2024-11-03T05:30:00Z",
            "2024-11-04T06:30:00Z",
        ),
        (
            "cron(0 * * * ? *)",
            "America/New_York",
            "2024-11-03T05:00:00Z",
            "2024-11-03T07:00:00Z",
        ),
        // at(): a wall-clock time in the zone.
        (
            "at(2024-05-01T10:00:00)",
            "Europe/Paris",
            "2024-01-01T00:00:00Z",
            "2024-05-01T08:00:00Z",
        ),
    ];
    for (expr, tz, after, want) in cases {
        assert_eq!(
            next(expr, tz, after).as_deref(),
            Some(*want),
            "{expr} in {tz} after {after}"
        );
    }
    // Nothing after the last one.
    assert_eq!(
        next("at(2024-05-01T10:00:00)", "UTC", "2024-06-01T00:00:00Z"),
        None
    );
    assert_eq!(
        next("cron(0 8 1 1 ? 2030)", "UTC", "2030-01-01T08:00:00Z"),
        None
    );
}

#[test]
fn rates_count_from_their_anchor() {
    let e = Expression::parse("rate(5 minutes)").unwrap();
    let utc = time_zone(None).unwrap();
    // Before the anchor, the anchor itself (a rate starts right away).
    assert_eq!(e.next_after(0, 1_000, &utc), Some(1_000));
    assert_eq!(e.next_after(1_000, 1_000, &utc), Some(301_000));
    assert_eq!(e.next_after(301_001, 1_000, &utc), Some(601_000));
    assert!(matches!(
        Expression::parse("rate(1 day)"),
        Ok(Expression::Rate(86_400_000))
    ));
    assert!(matches!(
        Expression::parse("rate(2 hours)"),
        Ok(Expression::Rate(7_200_000))
    ));
}

#[test]
fn the_last_due_occurrence_is_the_one_fired_after_a_gap() {
    let utc = time_zone(None).unwrap();
    let rate = Expression::parse("rate(1 minute)").unwrap();
    // Last handled at 0; ten minutes and a bit later, the one due at 10:00 fires.
    assert_eq!(rate.last_due(0, 0, 600_005, &utc), Some(600_000));
    assert_eq!(rate.last_due(600_000, 0, 600_005, &utc), None);
    let cron = Expression::parse("cron(0 * * * ? *)").unwrap();
    let from = ms("2024-01-01T00:00:00Z");
    assert_eq!(
        cron.last_due(from, 0, ms("2024-01-03T05:30:00Z"), &utc)
            .map(iso)
            .as_deref(),
        Some("2024-01-03T05:00:00Z")
    );
}

#[test]
fn occurrences_at_the_edges_of_time_neither_overflow_nor_loop() {
    let utc = time_zone(None).unwrap();
    let paris = time_zone(Some("Europe/Paris")).unwrap();
    let rate = Expression::parse("rate(1000000 days)").unwrap();
    // Any instant and any anchor: past the last instant there is, there is no occurrence.
    assert_eq!(rate.next_after(i64::MAX, i64::MIN, &utc), None);
    assert_eq!(rate.next_after(i64::MAX - 1, i64::MAX - 1, &utc), None);
    assert_eq!(rate.next_after(i64::MIN, i64::MAX, &utc), Some(i64::MAX));
    let minute = Expression::parse("rate(1 minute)").unwrap();
    let next = minute.next_after(0, i64::MIN, &utc).unwrap();
    assert!(next > 0 && next <= 60_000, "{next}");
    assert_eq!((i128::from(next) - i128::from(i64::MIN)) % 60_000, 0);
    let last = minute.last_due(0, i64::MIN, i64::MAX, &utc).unwrap();
    assert!(last > i64::MAX - 60_000, "{last}");
    assert_eq!(minute.last_due(i64::MIN, i64::MIN, i64::MIN, &utc), None);
    // Cron and at(): nothing after 2199 (cron) or after jiff's last instant (at).
    let cron = Expression::parse("cron(59 23 31 12 ? 2199)").unwrap();
    assert_eq!(cron.next_after(i64::MAX, 0, &paris), None);
    assert_eq!(
        cron.next_after(i64::MIN, 0, &utc).map(iso).as_deref(),
        Some("2199-12-31T23:59:00Z")
    );
    let every = Expression::parse("cron(* * * * ? *)").unwrap();
    assert_eq!(every.last_due(i64::MIN, 0, i64::MIN + 1, &paris), None);
    let at = Expression::parse("at(9999-12-01T00:00:00)").unwrap();
    let end = Expression::parse("at(9999-12-31T23:59:59)").unwrap();
    assert_eq!(end.next_after(0, 0, &paris), None);
    assert_eq!(at.next_after(i64::MAX, 0, &utc), None);
    assert!(at.next_after(i64::MIN, 0, &paris).is_some());
    // Steps as large as an i32, from any start: the first value only.
    let step = Expression::parse("cron(1/2147483647 * * * ? 2199/2147483647)").unwrap();
    assert_eq!(
        step.next_after(ms("2024-01-01T00:00:00Z"), 0, &utc)
            .map(iso)
            .as_deref(),
        Some("2199-01-01T00:01:00Z")
    );
}

#[test]
fn the_last_due_occurrence_is_found_quickly_however_long_ago_the_cursor() {
    let paris = time_zone(Some("Europe/Paris")).unwrap();
    let started = std::time::Instant::now();
    let every = Expression::parse("cron(* * * * ? *)").unwrap();
    let now = ms("2024-06-01T12:00:30Z");
    for after in [i64::MIN, 0, ms("2023-01-01T00:00:00Z")] {
        assert_eq!(
            every.last_due(after, 0, now, &paris).map(iso).as_deref(),
            Some("2024-06-01T12:00:00Z")
        );
    }
    assert_eq!(every.last_due(now, 0, now, &paris), None);
    let once = Expression::parse("cron(30 1 1 1 ? 1970,2199)").unwrap();
    assert_eq!(
        once.last_due(i64::MIN, 0, i64::MAX, &paris)
            .map(iso)
            .as_deref(),
        Some("2199-01-01T00:30:00Z")
    );
    assert_eq!(
        once.last_due(i64::MIN, 0, now, &paris).map(iso).as_deref(),
        Some("1970-01-01T00:30:00Z")
    );
    assert_eq!(once.last_due(0, 0, now, &paris), Some(1_800_000));
    assert_eq!(once.last_due(1_800_000, 0, now, &paris), None);
    // Every minute, in the hour repeated when clocks go back: the forward search's
    // answer (the repeated wall-clock minutes are not occurrences again).
    let fold_end = ms("2024-10-27T01:30:00Z"); // 02:30 the second time in Paris
    assert_eq!(
        every.last_due(0, 0, fold_end, &paris).map(iso).as_deref(),
        Some("2024-10-27T00:59:00Z")
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn bad_expressions_and_zones_are_refused() {
    for expr in [
        "cron(0 12 * * * *)",
        "cron(0 12 ? * ? *)",
        "cron(0 12 * * ?)",
        "cron(60 * * * ? *)",
        "cron(0 24 * * ? *)",
        "cron(0 0 32 * ? *)",
        "cron(0 0 ? * 8 *)",
        "cron(0 0 ? * 3#6 *)",
        "cron(0 0 1 13 ? *)",
        "cron(0 0 1 1 ? 1969)",
        "cron(0/0 * * * ? *)",
        "cron(5-2 * * * ? *)",
        "rate(0 minutes)",
        "rate(5 weeks)",
        "rate(five minutes)",
        "rate(5)",
        "at(2024-05-01)",
        "at(2024-05-01 10:00:00)",
        "every 5 minutes",
        "",
    ] {
        let e = Expression::parse(expr).expect_err(expr);
        assert_eq!(
            e.to_string(),
            format!("Invalid Schedule Expression {expr}.")
        );
    }
    assert_eq!(
        time_zone(Some("Mars/Olympus")).unwrap_err().to_string(),
        "Invalid time zone Mars/Olympus."
    );
}

mod fuzz {
    use proptest::prelude::*;

    use super::*;

    /// Values for each of the six fields, mostly valid there.
    fn fields() -> impl Strategy<Value = Vec<String>> {
        let pick = |values: &'static [&'static str]| {
            prop::sample::select(values.to_vec()).prop_map(str::to_owned)
        };
        (
            pick(&["*", "0", "30", "59", "*/15", "0/7", "1,3,5", "10-20", "60"]),
            pick(&["*", "0", "2", "23", "*/6", "1-5", "9,17", "24"]),
            pick(&[
                "*", "1", "15", "31", "L", "LW", "15W", "1-10", "*/10", "29", "0",
            ]),
            pick(&["*", "1", "2", "12", "JAN", "FEB-MAR", "*/3", "13"]),
            pick(&[
                "*", "1", "7", "MON-FRI", "5L", "3#2", "6#5", "L", "SUN,SAT", "8",
            ]),
            pick(&["*", "2030", "2024-2040", "*/4", "2199", "1969"]),
        )
            .prop_map(|(a, b, c, d, e, f)| vec![a, b, c, d, e, f])
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

        #[test]
        fn any_text_is_parsed_or_refused_never_a_panic(text in "\\PC{0,40}") {
            let _ = Expression::parse(&text);
            let _ = Expression::parse(&format!("cron({text})"));
            let _ = Expression::parse(&format!("rate({text})"));
            let _ = Expression::parse(&format!("at({text})"));
        }

        #[test]
        fn occurrences_of_any_cron_come_after_and_in_order(
            mut fields in fields(),
            by_day_of_month in any::<bool>(),
            zone in prop::sample::select(vec!["UTC", "Europe/Paris", "America/New_York", "Australia/Lord_Howe"]),
            after in 0i64..4_102_444_800_000,
        ) {
            // Exactly one of the day fields is `?`, as a valid cron has it.
            fields[if by_day_of_month { 4 } else { 2 }] = "?".to_owned();
            let text = format!("cron({})", fields.join(" "));
            if let Ok(e) = Expression::parse(&text) {
                let tz = time_zone(Some(zone)).unwrap();
                if let Some(first) = e.next_after(after, 0, &tz) {
                    prop_assert!(first > after, "{text} in {zone}: {first} after {after}");
                    if let Some(second) = e.next_after(first, 0, &tz) {
                        prop_assert!(second > first);
                    }
                    prop_assert_eq!(e.last_due(after, 0, first, &tz), Some(first));
                }
            }
        }
    }
}
