//! The `storage-failures` example as a Cloudflare Worker: an object storage
//! handler whose objects' names say how to fail (`bad`, `io`, `store`,
//! `panic`, `sleep`), reached as the portable JSON over `fetch` (Workers
//! have no storage trigger of their own: R2 notifies through a queue). The
//! handler is `examples/storage-failures.rs`'s, compiled unchanged for
//! `wasm32-unknown-unknown`; this crate is only the Worker's entry point.
//! The native binary (`cargo run --example storage-failures`) runs the same
//! handler on Lambda, Cloud Run, Azure or the local server.
// The Worker exists on wasm32 only; on any other target the crate is empty.
#![cfg(all(target_family = "wasm", target_os = "unknown"))]

// The example's file as a module: its `main` (the native binary's) is left
// out on wasm32, and with it the imports only `main` uses.
#[allow(unused_imports)]
#[path = "../../../storage-failures.rs"]
mod storage_failures;

// The Worker's entry points, each calling the example's handler: `fetch`:
// every HTTP request.
anyfn_cloudflare::entry_points! {
    fetch => anyfn::handler_fn(storage_failures::process),
}
