//! The `schedule-failures` example as a Cloudflare Worker: a scheduled job
//! whose schedule's name says how it fails (`-bad`, `-io`, `-store`,
//! `-panic`, `-sleep`). The handler is `examples/schedule-failures.rs`'s,
//! compiled unchanged for `wasm32-unknown-unknown`; this crate is only the
//! Worker's entry points. The native binary (`cargo run --example
//! schedule-failures`) runs the same handler on Lambda, Cloud Run, Azure
//! or the local server.
// The Worker exists on wasm32 only; on any other target the crate is empty.
#![cfg(all(target_family = "wasm", target_os = "unknown"))]

// The example's file as a module: its `main` (the native binary's) is left
// out on wasm32, and with it the imports only `main` uses.
#[allow(unused_imports)]
#[path = "../../../schedule-failures.rs"]
mod schedule_failures;

// The Worker's entry points, each calling the example's handler:
// `scheduled`: every firing of the cron triggers (`[triggers] crons` in
// `wrangler.toml`); `fetch`: every HTTP request.
anyfn_cloudflare::entry_points! {
    scheduled => anyfn::handler_fn(schedule_failures::run),
    fetch => anyfn::handler_fn(schedule_failures::run),
}
