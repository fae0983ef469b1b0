//! Run an [`anyfn`] handler on Cloudflare Workers: the same handler as on
//! Lambda, Cloud Run, Azure or the local server, compiled to
//! `wasm32-unknown-unknown` and called from a workers-rs entry point.
//!
//! # Example
//!
//! A Worker crate (`crate-type = ["cdylib"]`, depending on `anyfn`,
//! `anyfn-cloudflare` and `worker`, whose `#[event]` macros need it by
//! name) holds three thin entry points; the handler itself lives in a
//! module the native binary shares:
//!
//! ```ignore
//! use anyfn::{handler_fn, Context, Request, RequestExt, Response};
//! use worker::{event, Env, MessageBatch, ScheduleContext, ScheduledEvent};
//!
//! async fn hello(request: Request, _context: Context) -> Result<Response, anyfn::Error> {
//!     let name = request.query().get("name").unwrap_or("world").to_owned();
//!     Ok(anyfn::response::text(format!("Hello, {name}!")))
//! }
//!
//! #[event(fetch)]
//! async fn fetch(request: worker::Request, env: Env, ctx: worker::Context) -> worker::Result<worker::Response> {
//!     anyfn_cloudflare::fetch(&handler_fn(hello), request, env, ctx).await
//! }
//! ```
//!
//! `scheduled` and `queue` take a handler of [`ScheduleTick`] and
//! [`QueueBatch`] the same way ([`scheduled`], [`queue`]); [`Workers`]
//! sets the timeout and the other [`Settings`] in code.
//!
//! [`ScheduleTick`]: anyfn::event::ScheduleTick
//! [`QueueBatch`]: anyfn::event::QueueBatch
//!
#![doc = include_str!("docs/behaviour.md")]
// The crate is for wasm32-unknown-unknown, the target Workers run; on any
// other it is empty (its dependencies are that target's only), so the
// native workspace build and lints pass over it.
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
pub use entry::{fetch, queue, scheduled};
pub use task::{sleep, spawn};
pub use timer::{JsTimers, Sleep};
pub use workers::Workers;

/// The settings every adapter shares (timeout, memory size, default
/// subscriber, error details), for [`Workers::settings`]: the adapter kit's.
pub use anyfn_kit::{Settings, SettingsError};
