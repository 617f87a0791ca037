//! Benchmark of commits (written next).

fn main() {}
