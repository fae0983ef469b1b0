//! The `ce-echo` example as a Cloudflare Worker: answers with the
//! CloudEvent it received. The handler is `examples/ce-echo.rs`'s, compiled
//! unchanged for `wasm32-unknown-unknown`; this crate is only the Worker's
//! entry point. A CloudEvent reaches a Worker POSTed in structured mode.
//! The native binary (`cargo run --example ce-echo`) runs the same handler
//! on Lambda, Cloud Run, Azure or the local server.
// The Worker exists on wasm32 only; on any other target the crate is empty.
#![cfg(all(target_family = "wasm", target_os = "unknown"))]

// The example's file as a module: its `main` (the native binary's) is left
// out on wasm32, and with it the imports only `main` uses.
#[allow(unused_imports)]
#[path = "../../../ce-echo.rs"]
mod ce_echo;

// The Worker's entry points, each calling the example's handler: `fetch`:
// every HTTP request.
anyfn_cloudflare::entry_points! {
    fetch => anyfn::handler_fn(ce_echo::ce_echo),
}
