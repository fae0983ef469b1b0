//! A 10-message SQS batch decoded into anyfn's portable `QueueBatch` (through
//! the Lambda adapter's `FromLambda`) and, in the same run, into
//! aws_lambda_events' own `SqsEvent`.
//!
//! `cargo bench -p anyfn-bench-peers --bench sqs_decode` prints criterion's figures and, at the
//! end, a ratio measured by alternating both sides.

use std::hint::black_box;
use std::time::{Duration, Instant};

use anyfn::event::{Message, QueueBatch};
use anyfn::Context;
use anyfn_lambda::FromLambda;
use aws_lambda_events::event::sqs::SqsEvent;
use criterion::{criterion_group, Criterion};

fn batch() -> Vec<u8> {
    let messages: Vec<Message> = (0..10)
        .map(|n| {
            Message::new(
                format!("059f36b4-87a3-44ab-83d2-66197516{n:04}"),
                format!(
                    r#"{{"order":{n},"items":["widget","gadget"],"note":"deliver after 5pm"}}"#
                ),
            )
            .with_attribute("tenant", "acme")
            .with_attribute("priority", "high")
            .with_delivery_attempt(1)
        })
        .collect();
    anyfn_test::fixtures::aws::sqs_batch(&messages)
        .to_string()
        .into_bytes()
}

fn anyfn_decode(payload: &[u8]) -> QueueBatch {
    let mut context = Context::builder().build();
    match QueueBatch::from_lambda(payload, &mut context) {
        Ok(batch) => batch,
        Err(err) => panic!("anyfn could not decode the batch: {err}"),
    }
}

fn aws_decode(payload: &[u8]) -> SqsEvent {
    match serde_json::from_slice(payload) {
        Ok(event) => event,
        Err(err) => panic!("aws_lambda_events could not decode the batch: {err}"),
    }
}

fn bench(c: &mut Criterion) {
    let payload = batch();
    assert_eq!(anyfn_decode(&payload).messages.len(), 10);
    assert_eq!(aws_decode(&payload).records.len(), 10);
    let mut group = c.benchmark_group("sqs_decode_10_messages");
    group.bench_function("anyfn_queue_batch", |b| {
        b.iter(|| anyfn_decode(black_box(&payload)))
    });
    group.bench_function("aws_lambda_events_sqs_event", |b| {
        b.iter(|| aws_decode(black_box(&payload)))
    });
    group.finish();
}

criterion_group!(benches, bench);

/// Alternates both decoders for `rounds` and returns the median ns per decode of each.
fn ratio(payload: &[u8], rounds: usize, per_round: u32) -> (f64, f64) {
    let mut ours = Vec::with_capacity(rounds);
    let mut theirs = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let started = Instant::now();
        for _ in 0..per_round {
            black_box(anyfn_decode(black_box(payload)));
        }
        ours.push(started.elapsed());
        let started = Instant::now();
        for _ in 0..per_round {
            black_box(aws_decode(black_box(payload)));
        }
        theirs.push(started.elapsed());
    }
    let median = |mut times: Vec<Duration>| {
        times.sort();
        times[times.len() / 2].as_nanos() as f64 / f64::from(per_round)
    };
    (median(ours), median(theirs))
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    if std::env::args().any(|arg| arg == "--bench") {
        let (ours, theirs) = ratio(&batch(), 21, 20_000);
        println!(
            "sqs_decode_10_messages: anyfn {ours:.0} ns, aws_lambda_events {theirs:.0} ns, ratio anyfn/aws_lambda_events = {:.2}",
            ours / theirs
        );
    }
}
