//! The `queue-failures` example as a Cloudflare Worker: a queue consumer
//! whose messages say how to fail (`bad`, `io`, `panic`, `sleep`), a failed
//! batch retried whole. The handler is `examples/queue-failures.rs`'s,
//! compiled unchanged for `wasm32-unknown-unknown`; this crate is only the
//! Worker's entry points. The native binary (`cargo run --example
//! queue-failures`) runs the same handler on Lambda, Cloud Run, Azure or the
//! local server.
// The Worker exists on wasm32 only; on any other target the crate is empty.
#![cfg(all(target_family = "wasm", target_os = "unknown"))]

// The example's file as a module: its `main` (the native binary's) is left
// out on wasm32, and with it the imports only `main` uses.
#[allow(unused_imports)]
#[path = "../../../queue-failures.rs"]
mod queue_failures;

// The Worker's entry points, each calling the example's handler: `queue`:
// every batch of the queues this Worker consumes (`[[queues.consumers]]`
// in `wrangler.toml`); `fetch`: every HTTP request.
anyfn_cloudflare::entry_points! {
    queue => anyfn::handler_fn(queue_failures::consume),
    fetch => anyfn::handler_fn(queue_failures::consume),
}
