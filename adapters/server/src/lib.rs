//! Serve an [`anyfn`] handler over HTTP: for local development, and for any
//! container platform that speaks HTTP (Cloud Run, Knative, Fly.io, …).
//!
//! # Example
//!
//! ```no_run
//! use anyfn::{handler_fn, Context, Request, RequestExt, Response};
//!
//! async fn hello(request: Request, _context: Context) -> Result<Response, anyfn::Error> {
//!     let name = request.query().get("name").unwrap_or("world").to_owned();
//!     Ok(anyfn::response::text(format!("Hello, {name}!")))
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), anyfn_server::ServeError> {
//!     // 127.0.0.1:3000, or HOST/PORT from the environment; Ctrl-C stops it.
//!     anyfn_server::serve(handler_fn(hello)).await
//! }
//! ```
//!
#![warn(clippy::missing_errors_doc, clippy::missing_panics_doc)]
#![doc = include_str!("docs/behaviour.md")]
#![doc = ""]
#![doc = include_str!("docs/events.md")]

mod cloud_events;
mod codec;
mod config;
mod context_ext;
mod error;
mod events;
mod json_shape;
mod logging;
mod server;
mod service;
mod trace_context;

pub use cloud_events::{cloud_event_from_request, cloud_event_to_binary_request};
pub use codec::{FromHttp, HttpAnswer, IntoHttp};
pub use config::{
    platform, CLOUD_RUN_DEFAULT_PORT, CLOUD_RUN_DRAIN_TIMEOUT, DEFAULT_BODY_LIMIT,
    DEFAULT_BODY_READ_TIMEOUT, DEFAULT_DRAIN_TIMEOUT, DEFAULT_HEADER_READ_TIMEOUT,
    DEFAULT_MAX_HEADER_BYTES, DEFAULT_PORT,
};
pub use context_ext::ServerContextExt;
pub use error::ServeError;
pub use server::{shutdown_signal, BoundServer, Server};

/// A function's hooks (at shutdown; SnapStart's, never called here), for
/// [`Server::lifecycle`]: the adapter kit's.
pub use anyfn_kit::Lifecycle;
/// The settings every adapter shares (timeout, memory size, default
/// subscriber, error details), for [`Server::settings`]: the adapter kit's.
pub use anyfn_kit::{Settings, SettingsError};

use anyfn::Handler;

/// Serves `handler` on `127.0.0.1:3000` (on Cloud Run and Knative, where
/// `K_SERVICE` is set, `0.0.0.0:8080`; `HOST`/`PORT` from the environment
/// override either) with the default settings, until SIGINT or SIGTERM.
/// The environment sets the timeout (`ANYFN_TIMEOUT_MS`, else 3 s; 300 s on Cloud Run), the
/// memory size (`ANYFN_MEMORY_MB`, else 128) and error details
/// (`ANYFN_ERROR_DETAILS`); see [`Server`] to set them in code.
///
/// With the `default-subscriber` feature (on by default) it first installs a
/// stderr `tracing` subscriber at `info` when the program has none, so the
/// `INIT` and `REPORT` lines show (as Cloud Logging's structured JSON on
/// Cloud Run, or wherever `ANYFN_LOG_FORMAT=json`). A program that sets its own subscriber
/// first keeps it; `ANYFN_DEFAULT_SUBSCRIBER=off`, or
/// [`Server::default_subscriber`]`(false)` in code, turns the default off.
///
/// # Errors
///
/// [`ServeError`] when the address or an `ANYFN_*` setting is invalid, the
/// address cannot be bound, or the signal handlers cannot be installed. Failed requests are answered, not
/// returned.
///
/// # Example
///
/// ```no_run
/// use anyfn::{handler_fn, Context, Json};
///
/// #[tokio::main]
/// async fn main() -> Result<(), anyfn_server::ServeError> {
///     let double = handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n * 2)) });
///     // POST a JSON number to http://127.0.0.1:3000/ until Ctrl-C.
///     anyfn_server::serve(double).await
/// }
/// ```
pub async fn serve<H>(handler: H) -> Result<(), ServeError>
where
    H: Handler,
    H::Event: FromHttp,
    H::Output: IntoHttp,
{
    Server::new(handler)
        .default_subscriber(true)
        .bind()
        .await?
        .run()
        .await
}
