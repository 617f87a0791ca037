//! Times the JSON codec: parsing, writing, measuring, comparing and converting a ~200 KB
//! document, 1,000 small ones, and one nested 121 levels deep.
//!
//! `cargo run --release -p baton-json --example codec_bench [ROUNDS [NAME]]` prints, for
//! each operation (or only the one named NAME), the median and the least time of ROUNDS
//! rounds (default 1,000), after a few to warm up.

use std::hint::black_box;
use std::time::Instant;

use baton_json::Value;

/// A document shaped like state data: records with strings (a few needing escapes),
/// integers, floats, booleans, small arrays and nested objects.
fn document() -> String {
    let mut records = Vec::new();
    let mut len = 0;
    let mut i = 0u64;
    while len < 200_000 {
        let record = format!(
            concat!(
                r#"{{"id":{i},"name":"item-{i}","price":{p},"ratio":{r:e},"active":{a},"#,
                r#""tags":["alpha","beta-{m}","gamma"],"#,
                r#""owner":{{"login":"user{m}","url":"https://example.com/users/{m}","admin":false,"score":-{i}}},"#,
                r#""note":"line one\nline \"two\" \\ end","missing":null}}"#
            ),
            i = i,
            p = i as f64 * 1.25 + 0.1,
            r = 1.0 / (i as f64 + 3.0),
            a = i.is_multiple_of(3),
            m = i % 17,
        );
        len += record.len() + 1;
        records.push(record);
        i += 1;
    }
    format!(r#"{{"items":[{}],"count":{i}}}"#, records.join(","))
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn time(name: &str, rounds: usize, bytes: usize, mut f: impl FnMut() -> f64) {
    if std::env::args().nth(2).is_some_and(|only| name != only) {
        return;
    }
    // Warm up.
    for _ in 0..rounds.min(20) {
        f();
    }
    let samples: Vec<f64> = (0..rounds).map(|_| f()).collect();
    let least = samples.iter().copied().fold(f64::INFINITY, f64::min);
    let m = median(samples);
    println!(
        "{name:<28} median {:>8.1} µs  ({:>6.0} MB/s)  min {:>8.1} µs",
        m * 1e6,
        bytes as f64 / m / 1e6,
        least * 1e6,
    );
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .map_or(1000, |a| a.parse().expect("ROUNDS"));
    // The text as serde_json writes it (numbers in its format).
    let text = Value::from_json_str(&document()).unwrap().to_json_string();
    let value = Value::from_json_str(&text).unwrap();
    let bytes = text.len();
    println!("document: {bytes} bytes, depth {}", value.depth());
    assert!(value.to_json_string() == text);

    time("parse (from_json_str)", rounds, bytes, || {
        let t = Instant::now();
        black_box(Value::from_json_str(black_box(&text)).unwrap());
        t.elapsed().as_secs_f64()
    });
    time("to_json_string", rounds, bytes, || {
        let t = Instant::now();
        black_box(black_box(&value).to_json_string());
        t.elapsed().as_secs_f64()
    });
    time("to_json_string (fresh)", rounds, bytes, || {
        let v = Value::from_json_str(&text).unwrap();
        let t = Instant::now();
        black_box(black_box(&v).to_json_string());
        let e = t.elapsed().as_secs_f64();
        drop(v);
        e
    });
    let mut buf = Vec::with_capacity(bytes);
    time("serde_json::to_writer(Vec)", rounds, bytes, || {
        buf.clear();
        let t = Instant::now();
        serde_json::to_writer(&mut buf, black_box(&value)).unwrap();
        t.elapsed().as_secs_f64()
    });
    time("to_json_pretty", rounds, bytes, || {
        let t = Instant::now();
        black_box(black_box(&value).to_json_pretty());
        t.elapsed().as_secs_f64()
    });
    time("encoded_len+depth (fresh)", rounds, bytes, || {
        let v = Value::from_json_str(&text).unwrap();
        let t = Instant::now();
        black_box(black_box(&v).encoded_len());
        black_box(black_box(&v).depth());
        let e = t.elapsed().as_secs_f64();
        drop(v);
        e
    });
    time("encoded_len+depth (known)", rounds, bytes, || {
        let t = Instant::now();
        black_box(black_box(&value).encoded_len());
        black_box(black_box(&value).depth());
        t.elapsed().as_secs_f64()
    });
    let other = Value::from_json_str(&text).unwrap();
    time("== and json_eq", rounds, bytes, || {
        let t = Instant::now();
        assert!(black_box(&value) == black_box(&other));
        assert!(black_box(&value).json_eq(black_box(&other)));
        t.elapsed().as_secs_f64()
    });
    time("to_serde + From", rounds, bytes, || {
        let t = Instant::now();
        black_box(Value::from(black_box(&value).to_serde()));
        t.elapsed().as_secs_f64()
    });
    // Small documents, as state data often is: 1,000 of them a round, each parsed,
    // measured, compared, written and written through serde.
    let small: Vec<String> = (0..1000)
        .map(|i| format!(r#"{{"counter":{i},"name":"step-{i}","ok":true,"tags":["a","b"]}}"#))
        .collect();
    let small_bytes: usize = small.iter().map(String::len).sum();
    let mut sbuf = Vec::with_capacity(256);
    time("small docs x1000", rounds, small_bytes, || {
        let t = Instant::now();
        for text in &small {
            let v = Value::from_json_str(black_box(text)).unwrap();
            black_box(v.encoded_len());
            black_box(v.to_json_string());
            sbuf.clear();
            serde_json::to_writer(&mut sbuf, &v).unwrap();
            black_box(&sbuf);
            assert!(v == v.clone());
        }
        t.elapsed().as_secs_f64()
    });
    // A deep (but accepted by both old and new code) document: 120 levels of small
    // objects and arrays, repeated.
    let deep_one = "{\"a\":[".repeat(60) + "1" + &"]}".repeat(60);
    let deep = format!("[{}]", vec![deep_one; 200].join(","));
    let dv = Value::from_json_str(&deep).unwrap();
    time("parse deep (121 levels)", rounds, deep.len(), || {
        let t = Instant::now();
        black_box(Value::from_json_str(black_box(&deep)).unwrap());
        t.elapsed().as_secs_f64()
    });
    time("to_json_string deep", rounds, deep.len(), || {
        let t = Instant::now();
        black_box(black_box(&dv).to_json_string());
        t.elapsed().as_secs_f64()
    });
}
