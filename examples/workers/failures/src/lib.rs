//! The `failures` example as a Cloudflare Worker: how failures look, the same on every runtime. The handler is
//! `examples/failures.rs`'s, compiled unchanged for `wasm32-unknown-unknown`;
//! this crate is only the Worker's entry point. The native binary
//! (`cargo run --example failures`) runs the same handler on Lambda, Cloud
//! Run, Azure or the local server.
// The Worker exists on wasm32 only; on any other target the crate is empty.
#![cfg(all(target_family = "wasm", target_os = "unknown"))]

// The example's file as a module: its `main` (the native binary's) is left
// out on wasm32, and with it the imports only `main` uses.
#[allow(unused_imports)]
#[path = "../../../failures.rs"]
mod failures;

// The Worker's entry points, each calling the example's handler: `fetch`:
// every HTTP request.
anyfn_cloudflare::entry_points! {
    fetch => anyfn::handler_fn(failures::failures),
}
