#![warn(clippy::missing_errors_doc, clippy::missing_panics_doc)]
// The crate is for wasm32-unknown-unknown, the target Workers run; on any
// other it is empty (its dependencies are that target's only), so the
// native workspace build, lints and docs pass over it: there its docs say
// only that, as their links name what exists on wasm32 alone.
#![cfg_attr(
    all(target_family = "wasm", target_os = "unknown"),
    doc = include_str!("docs/crate.md"),
    doc = "",
    doc = include_str!("docs/behaviour.md")
)]
#![cfg_attr(
    not(all(target_family = "wasm", target_os = "unknown")),
    doc = "Run an anyfn handler on Cloudflare Workers. This crate is built for \
           `wasm32-unknown-unknown` only; on this target it is empty."
)]
#![cfg(all(target_family = "wasm", target_os = "unknown"))]

mod codec;
mod context;
mod context_ext;
mod entry;
mod events;
mod http;
mod invocation;
mod logging;
mod report;
mod task;
mod timer;
mod workers;

pub use codec::{CloudflareAnswer, CloudflareInput, FromCloudflare, IntoCloudflare};
pub use context::{DEFAULT_TIMEOUT, RAY_HEADER};
pub use context_ext::{CloudflareContextExt, CloudflareInvocation, Trigger};
pub use entry::{__fetch_entry, fetch, queue, scheduled};
pub use task::{sleep, spawn};
pub use timer::{JsTimers, Sleep};
pub use workers::Workers;

/// The settings every adapter shares (timeout, memory size, default
/// subscriber, error details), for [`Workers::settings`]: the adapter kit's.
pub use anyfn_kit::{Settings, SettingsError};
