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
//! # What the server does for every request
//!
//! - **Events**: a handler of [`Request`](anyfn::Request) gets the request as it
//!   came (method, path, query, every header value, body); a handler of
//!   [`Json<T>`](anyfn::Json) gets the body parsed as JSON, and a body that does
//!   not parse is answered `400` with a message saying what was wrong.
//! - **Other events**: storage, queue, schedule and CloudEvent handlers get
//!   CloudEvents over HTTP (binary or structured mode) of known types, or a
//!   JSON POST of the portable type (see below). A `BatchResult` naming
//!   failed messages answers `500` with the list.
//! - **Deadline**: each invocation has a timeout (default 3 s, as on Lambda),
//!   visible in its [`Context`](anyfn::Context); past it the client gets `504`
//!   and the server goes on.
//! - **Limits**: bodies over the limit (default 6 MiB, Lambda's) get `413`
//!   without more than the limit held in memory.
//! - **Faults**: a panicking handler answers `500` for that request alone;
//!   a handler that blocks its thread past the deadline is answered `504` at
//!   the deadline from another worker thread.
//! - **Errors** are answered with their status and headers and a JSON body
//!   `{"errorType": …, "errorMessage": …, "requestId": …}`
//!   ([`Error::to_response`](anyfn::Error::to_response)); a server error's
//!   message is hidden unless `ANYFN_ERROR_DETAILS=show` or
//!   [`Server::error_details`]. The log has the whole error.
//! - **`()` outputs** answer `204 No Content`.
//! - **Reports**: one `REPORT` line per invocation (request id, duration, billed
//!   duration, memory size, estimated cost at Lambda's x86 price) and one `INIT`
//!   line at start-up with the time from process start to ready, through
//!   `tracing` (targets `anyfn::report`, `anyfn::invocation`, `anyfn::server`);
//!   each invocation runs in an `invocation{request_id}` span.
//!   Without a subscriber of the program's own, `serve` logs to stderr at
//!   `info` (`RUST_LOG=target=level,…` changes it). When stderr is not a
//!   terminal, `REPORT` lines are written in batches, at most 50 ms after the
//!   fact, and all of them by a graceful shutdown; every other line is
//!   written at once, in order.
//! - **Shutdown**: SIGINT or SIGTERM stops accepting connections and lets
//!   in-flight requests finish (within the drain timeout).
//!
//! Requests are served concurrently, each connection on its own task.
//!
//! # CloudEvent types the server maps to portable events
//!
//! | portable event | CloudEvent `type` | `data` |
//! |---|---|---|
//! | [`StorageEvent`](anyfn::event::StorageEvent) | `google.cloud.storage.object.v1.finalized` / `.deleted` / `.archived` / `.metadataUpdated` | a Cloud Storage object (`bucket`, `name`, `size`, `etag`, `generation`) |
//! | [`StorageEvent`](anyfn::event::StorageEvent) | `com.amazonaws.s3.object.created` / `.deleted` | an [`ObjectEvent`](anyfn::event::ObjectEvent) (`bucket`, `key`, `size`, `etag`, `version`) |
//! | [`QueueBatch`](anyfn::event::QueueBatch) | `google.cloud.pubsub.topic.v1.messagePublished` | `{"message": {"data": base64, "attributes", "messageId", "publishTime"}, "subscription"}` |
//! | [`QueueBatch`](anyfn::event::QueueBatch) | `com.amazonaws.sqs.message.received` | a [`Message`](anyfn::event::Message) (`id`, `body`, `attributes`, …) |
//! | [`ScheduleTick`](anyfn::event::ScheduleTick) | `google.cloud.scheduler.job.v1.executed`, `com.amazonaws.events.scheduled` | ignored; the tick is the event's `id`, `time` and `subject` (or `source`) |

mod body;
mod cloud_events;
mod codec;
mod config;
mod context_ext;
mod error;
mod events;
mod init_time;
mod logging;
mod pubsub;
mod request_id;
mod server;
mod service;
mod shutdown;
mod trace_context;
mod watchdog;

pub use cloud_events::{cloud_event_from_request, cloud_event_to_binary_request};
pub use codec::{FromHttp, HttpAnswer, IntoHttp};
pub use config::{
    platform, CLOUD_RUN_DEFAULT_PORT, DEFAULT_BODY_LIMIT, DEFAULT_BODY_READ_TIMEOUT,
    DEFAULT_DRAIN_TIMEOUT, DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_MAX_HEADER_BYTES, DEFAULT_PORT,
};
pub use context_ext::ServerContextExt;
pub use error::ServeError;
pub use server::{BoundServer, Server};
pub use shutdown::signal as shutdown_signal;

use anyfn::Handler;

/// Serves `handler` on `127.0.0.1:3000` (on Cloud Run and Knative, where
/// `K_SERVICE` is set, `0.0.0.0:8080`; `HOST`/`PORT` from the environment
/// override either) with the default settings, until SIGINT or SIGTERM.
///
/// With the `default-subscriber` feature (on by default) it first installs a
/// stderr `tracing` subscriber at `info` when the program has none, so the
/// `INIT` and `REPORT` lines show. A program that sets its own subscriber
/// first keeps it; `ANYFN_DEFAULT_SUBSCRIBER=off`, or
/// [`Server`] (which installs none unless told to), turns the default off.
///
/// # Errors
///
/// [`ServeError`] when the address is invalid or cannot be bound, or the
/// signal handlers cannot be installed. Failed requests are answered, not
/// returned.
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
