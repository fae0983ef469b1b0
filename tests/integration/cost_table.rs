//! What the same invocations would cost on every provider, through the
//! harness, which prices each one on all of them: a check that it does
//! (`hello`), and the README's table (`benches/cost_table.sh` runs the
//! ignored test, which prints it).

use std::time::{Duration, Instant};

use anyfn::event::{ObjectChange, ObjectEvent, StorageEvent};
use anyfn::handler_fn;
use anyfn_server::HttpAnswer;
use anyfn_test::{BilledTime, Estimate, Harness, PriceList, Provider, TestRequest, Usage};

use crate::example_code::{hello, stream as stream_example, thumbnail};

/// The harness prices an invocation on every provider, each estimate the
/// price file's arithmetic on what the harness measured.
#[tokio::test]
async fn the_harness_prices_hello_on_every_provider() {
    let harness = Harness::new(handler_fn(hello::hello)).memory_mb(512);
    let invocation = harness.invoke(TestRequest::get("/").build()).await;
    let report = invocation.report();
    let estimates: Vec<Estimate> = report.estimates().collect();
    assert_eq!(
        estimates.iter().map(Estimate::provider).collect::<Vec<_>>(),
        Provider::ALL
    );
    let lambda = estimates[0];
    assert_eq!(report.estimated_cost_usd(), lambda.usd());
    // Measured on Linux: the handler's polls took CPU time.
    let workers = estimates[5];
    if cfg!(target_os = "linux") {
        assert_eq!(workers.billed_time(), BilledTime::CpuTime);
    }
    // Each estimate is the price list's own on the invocation's duration.
    let usage = Usage::new(invocation.duration(), 512);
    for estimate in &estimates[..5] {
        let by_list = PriceList::published().estimate(estimate.provider(), &usage);
        assert_eq!(estimate.usd(), by_list.usd(), "{:?}", estimate.provider());
    }
}

/// One row: what an invocation took, and its cost per million on each.
struct Row {
    name: &'static str,
    wall: Duration,
    cpu: Option<Duration>,
    estimates: Vec<Estimate>,
}

fn usd_per_million(estimate: &Estimate) -> String {
    let suffix = if estimate.billed_time() == BilledTime::Capacity {
        " + capacity"
    } else {
        ""
    };
    format!("${:.4}{suffix}", estimate.usd() * 1e6)
}

fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}

/// Prints the README's table: `hello`, `thumbnail` (an S3 notification of
/// three objects) and `stream` (20 events 100 ms apart, priced to its last
/// byte, as Lambda bills a streamed answer) at 128 MB, on every provider.
#[tokio::test]
#[ignore = "a bench: run by benches/cost_table.sh"]
async fn print_the_cost_table() {
    let memory_mb = 128;
    let mut rows = Vec::new();

    let hello = Harness::new(handler_fn(hello::hello)).memory_mb(memory_mb);
    let invocation = hello.invoke(TestRequest::get("/?name=anyfn").build()).await;
    let estimates: Vec<Estimate> = invocation.report().estimates().collect();
    rows.push(Row {
        name: "hello (GET /?name=anyfn)",
        wall: invocation.duration(),
        cpu: invocation
            .report()
            .usage()
            .and_then(|usage| usage.cpu_time()),
        estimates,
    });

    let thumbnail = Harness::new(handler_fn(thumbnail::thumbnail)).memory_mb(memory_mb);
    let event = StorageEvent::new(
        ["cat.jpg", "dog.jpg", "thumbnails/old.jpg"]
            .into_iter()
            .map(|key| ObjectEvent::new(ObjectChange::Created, "photos", key))
            .collect(),
    );
    let invocation = thumbnail.invoke(event).await;
    let estimates: Vec<Estimate> = invocation.report().estimates().collect();
    rows.push(Row {
        name: "thumbnail (3 objects created)",
        wall: invocation.duration(),
        cpu: invocation
            .report()
            .usage()
            .and_then(|usage| usage.cpu_time()),
        estimates,
    });

    let stream = Harness::new(handler_fn(stream_example::ticks))
        .memory_mb(memory_mb)
        .timeout(Duration::from_secs(10));
    let started = Instant::now();
    let invocation = stream.invoke(TestRequest::get("/").build()).await;
    let handler_cpu = invocation
        .report()
        .usage()
        .and_then(|usage| usage.cpu_time());
    let HttpAnswer::Streamed(response) = invocation.into_answer() else {
        panic!("a streamed answer");
    };
    let mut body = response.into_body();
    let mut events = 0;
    while let Some(chunk) = body.next_chunk().await {
        chunk.expect("a chunk");
        events += 1;
    }
    assert_eq!(events, 20);
    let wall = started.elapsed();
    let mut usage = Usage::new(wall, memory_mb);
    if let Some(cpu) = handler_cpu {
        usage = usage.with_cpu_time(cpu);
    }
    let prices = PriceList::published();
    rows.push(Row {
        name: "stream (20 events, 100 ms apart)",
        wall,
        cpu: handler_cpu,
        estimates: Provider::ALL
            .into_iter()
            .map(|provider| prices.estimate(provider, &usage))
            .collect(),
    });

    let mut table = String::from("| invocation (128 MB) | wall | CPU |");
    for provider in Provider::ALL {
        table.push_str(&format!(" {provider} |"));
    }
    table.push_str("\n|---|---|---|");
    table.push_str(&"---|".repeat(Provider::ALL.len()));
    for row in &rows {
        table.push_str(&format!(
            "\n| {} | {} | {} |",
            row.name,
            ms(row.wall),
            row.cpu.map_or("-".to_owned(), ms)
        ));
        for estimate in &row.estimates {
            table.push_str(&format!(" {} |", usd_per_million(estimate)));
        }
    }
    println!("USD per million invocations, list prices of adapters/kit/prices.json:\n\n{table}");
}
