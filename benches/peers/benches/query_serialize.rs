//! A query string's cost against its size: `Query::parse`, `Display` and
//! `Serialize` (as `examples/echo.rs` does for every request) of an 8 KiB and
//! a 64 KiB query, distinct keys, about 9,500 pairs at 64 KiB. Linear cost
//! shows as a ratio near 8 between the two sizes; the quadratic one it
//! replaced showed as about 64.
//!
//! `cargo bench -p anyfn-bench-peers --bench query_serialize` prints
//! criterion's figures and, at the end, the 64 KiB / 8 KiB ratio.

use std::hint::black_box;
use std::time::{Duration, Instant};

use anyfn::Query;
use criterion::{criterion_group, Criterion};

/// A query of about `bytes` bytes: `k0=v0&k1=v1&…`.
fn query_of(bytes: usize) -> String {
    let mut query = String::with_capacity(bytes + 16);
    let mut n = 0;
    while query.len() < bytes {
        if n > 0 {
            query.push('&');
        }
        query.push_str(&format!("k{n}=v{n}"));
        n += 1;
    }
    query
}

/// Parse, re-encode and serialize to JSON: what echo does with a query.
fn round(query: &str) -> usize {
    let parsed = Query::parse(query);
    let text = parsed.to_string();
    let json = serde_json::to_vec(&parsed).unwrap_or_default();
    text.len() + json.len()
}

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("query");
    for kib in [8, 64] {
        let query = query_of(kib * 1024);
        group.bench_function(format!("{kib} KiB"), |b| {
            b.iter(|| round(black_box(&query)))
        });
    }
    group.finish();
}

criterion_group!(group, benches);

/// The time of one `round` of each size, alternated, and their ratio.
fn ratio() {
    let small = query_of(8 * 1024);
    let large = query_of(64 * 1024);
    let (mut small_time, mut large_time) = (Duration::ZERO, Duration::ZERO);
    let rounds = if std::env::args().any(|arg| arg == "--bench") {
        20
    } else {
        1
    };
    for _ in 0..rounds {
        let started = Instant::now();
        black_box(round(black_box(&small)));
        small_time += started.elapsed();
        let started = Instant::now();
        black_box(round(black_box(&large)));
        large_time += started.elapsed();
    }
    let pairs = Query::parse(&large).len();
    println!(
        "query: 8 KiB {:.3} ms, 64 KiB ({pairs} pairs) {:.3} ms per round; 64 KiB / 8 KiB = {:.1} (linear: about 8)",
        small_time.as_secs_f64() * 1e3 / f64::from(rounds),
        large_time.as_secs_f64() * 1e3 / f64::from(rounds),
        large_time.as_secs_f64() / small_time.as_secs_f64().max(1e-12)
    );
}

fn main() {
    group();
    Criterion::default().configure_from_args().final_summary();
    ratio();
}
