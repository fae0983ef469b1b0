//! The `queue-worker` example as a Cloudflare Worker: a queue consumer retrying the messages whose body contains `fail`. The handler is
//! `examples/queue-worker.rs`'s, compiled unchanged for `wasm32-unknown-unknown`;
//! this crate is only the Worker's entry points. The native binary
//! (`cargo run --example queue-worker`) runs the same handler on Lambda, Cloud
//! Run, Azure or the local server.
// The Worker exists on wasm32 only; on any other target the crate is empty.
#![cfg(all(target_family = "wasm", target_os = "unknown"))]

// The example's file as a module: its `main` (the native binary's) is left
// out on wasm32, and with it the imports only `main` uses.
#[allow(unused_imports)]
#[path = "../../../queue-worker.rs"]
mod queue_worker;

use anyfn::handler_fn;
use worker::wasm_bindgen::JsValue;
use worker::{event, Context, Env, MessageBatch};

/// Every batch of the queues this Worker consumes (`[[queues.consumers]]`
/// in `wrangler.toml`), to the example's handler.
#[event(queue)]
async fn queue(batch: MessageBatch<JsValue>, env: Env, ctx: Context) -> worker::Result<()> {
    anyfn_cloudflare::queue(&handler_fn(queue_worker::work), batch, env, ctx).await
}

/// Every HTTP request, to the example's handler.
#[event(fetch)]
async fn fetch(
    request: worker::Request,
    env: Env,
    ctx: Context,
) -> worker::Result<worker::Response> {
    anyfn_cloudflare::fetch(&handler_fn(queue_worker::work), request, env, ctx).await
}
