//! The `greet-json` example as a Cloudflare Worker: a `Json<T>` event in, a `Json<U>` out. The handler is
//! `examples/greet-json.rs`'s, compiled unchanged for `wasm32-unknown-unknown`;
//! this crate is only the Worker's entry point. The native binary
//! (`cargo run --example greet-json`) runs the same handler on Lambda, Cloud
//! Run, Azure or the local server.
// The Worker exists on wasm32 only; on any other target the crate is empty.
#![cfg(all(target_family = "wasm", target_os = "unknown"))]

// The example's file as a module: its `main` (the native binary's) is left
// out on wasm32, and with it the imports only `main` uses.
#[allow(unused_imports)]
#[path = "../../../greet-json.rs"]
mod greet_json;

// The Worker's entry points, each calling the example's handler: `fetch`:
// every HTTP request.
anyfn_cloudflare::entry_points! {
    fetch => anyfn::handler_fn(greet_json::greet),
}
