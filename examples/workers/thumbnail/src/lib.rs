//! The `thumbnail` example as a Cloudflare Worker: plans a thumbnail per
//! object created, its removal per object deleted. The handler is
//! `examples/thumbnail.rs`'s, compiled unchanged for `wasm32-unknown-unknown`;
//! this crate is only the Worker's entry point. Workers have no storage
//! trigger of their own (R2's event notifications reach a Worker through a
//! queue): here a `StorageEvent` arrives as its portable JSON, POSTed. The
//! native binary (`cargo run --example thumbnail`) runs the same handler on
//! Lambda, Cloud Run, Azure or the local server.
// The Worker exists on wasm32 only; on any other target the crate is empty.
#![cfg(all(target_family = "wasm", target_os = "unknown"))]

// The example's file as a module: its `main` (the native binary's) is left
// out on wasm32, and with it the imports only `main` uses.
#[allow(unused_imports)]
#[path = "../../../thumbnail.rs"]
mod thumbnail;

// The Worker's entry points, each calling the example's handler: `fetch`:
// every HTTP request.
anyfn_cloudflare::entry_points! {
    fetch => anyfn::handler_fn(thumbnail::thumbnail),
}
