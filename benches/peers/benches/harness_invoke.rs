//! What an in-process invocation through [`anyfn_test::Harness`] costs, next
//! to calling the handler directly.
//!
//! One group, `harness_invoke`, with a trivial handler (`Json(n) -> Json(n + 1)`)
//! on a tokio current-thread runtime:
//!
//! - `raw_call`: `handler.call(event, context)`, nothing around it;
//! - `adapter_invoke`: [`anyfn_kit::invoke`] with a tokio deadline timer,
//!   i.e. the deadline race and the panic catching that every adapter adds;
//! - `harness`: [`Harness::invoke`], which also times the invocation and
//!   builds its [`Invocation`](anyfn_test::Invocation) and report.
//!
//! All three build the same context (the harness's next one, with its
//! formatted request id), so the ratios `adapter_invoke / raw_call` and
//! `harness / raw_call` are what the harness adds.
//!
//! ```text
//! cargo bench -p anyfn-bench-peers --bench harness_invoke
//! ```

use std::hint::black_box;

use anyfn::{handler_fn, Context, Handler, Json};
use anyfn_test::Harness;
use criterion::{criterion_group, criterion_main, Criterion};
use tokio::runtime::Runtime;

/// The trivial handler measured: adds one.
async fn add_one(Json(n): Json<u64>, _context: Context) -> Result<Json<u64>, anyfn::Error> {
    Ok(Json(n + 1))
}

/// A current-thread runtime with the time driver the deadline timer needs.
fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a current-thread tokio runtime")
}

/// The `harness_invoke` group: raw call, `anyfn_kit::invoke`, and `Harness::invoke`.
fn harness_invoke(c: &mut Criterion) {
    let rt = runtime();
    let harness = Harness::new(handler_fn(add_one));
    let mut group = c.benchmark_group("harness_invoke");

    group.bench_function("raw_call", |b| {
        b.to_async(&rt).iter(|| async {
            let context = harness.next_context().build();
            let output = harness
                .handler()
                .call(Json(black_box(41)), context)
                .await
                .expect("the handler succeeds");
            black_box(output)
        });
    });

    group.bench_function("adapter_invoke", |b| {
        b.to_async(&rt).iter(|| async {
            let context = harness.next_context().build();
            let timer = tokio::time::sleep_until(context.deadline().into());
            let output = anyfn_kit::invoke(harness.handler(), Json(black_box(41)), context, timer)
                .await
                .expect("the handler succeeds");
            black_box(output)
        });
    });

    group.bench_function("harness", |b| {
        b.to_async(&rt).iter(|| async {
            let invocation = harness.invoke(Json(black_box(41))).await;
            black_box(invocation.expect_output())
        });
    });

    group.finish();
}

criterion_group!(benches, harness_invoke);
criterion_main!(benches);
