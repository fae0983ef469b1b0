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
//!   CloudEvents over HTTP (binary or structured mode) of known types,
//!   Pub/Sub push envelopes, or a JSON POST of the portable type (see below).
//!   A `BatchResult` naming failed messages answers `500` with the list.
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
//! | [`StorageEvent`](anyfn::event::StorageEvent) | `google.cloud.pubsub.topic.v1.messagePublished` | a Pub/Sub envelope carrying a Cloud Storage notification (see below) |
//! | [`QueueBatch`](anyfn::event::QueueBatch) | `google.cloud.pubsub.topic.v1.messagePublished` | a Pub/Sub envelope (see below) |
//! | [`QueueBatch`](anyfn::event::QueueBatch) | `com.amazonaws.sqs.message.received` | a [`Message`](anyfn::event::Message) (`id`, `body`, `attributes`, …) |
//! | [`ScheduleTick`](anyfn::event::ScheduleTick) | `google.cloud.scheduler.job.v1.executed`, `com.amazonaws.events.scheduled` | ignored; the tick is the event's `id`, `time` and `subject` (or `source`) |
//!
//! # What each event family accepts, in the order it is told
//!
//! | portable event | 1. CloudEvent | 2. plain JSON POST with `message` or `subscription` and without the portable key | 3. any other body |
//! |---|---|---|---|
//! | [`QueueBatch`](anyfn::event::QueueBatch) | the types above | a Pub/Sub push envelope: a batch of its one message | a `QueueBatch` as JSON (`{"messages": […]}`) |
//! | [`StorageEvent`](anyfn::event::StorageEvent) | the types above | a Pub/Sub push envelope carrying a Cloud Storage notification | a `StorageEvent` as JSON (`{"objects": […]}`) |
//! | [`ScheduleTick`](anyfn::event::ScheduleTick) | the types above | — | a `ScheduleTick` as JSON |
//! | [`CloudEvent`](anyfn::event::CloudEvent) | any type | — | a CloudEvent in the JSON event format |
//!
//! 1. A CloudEvent first: `Content-Type: application/cloudevents+json`
//!    (structured mode) or any `ce-*` header (binary mode). Its `type`
//!    decides; an unknown type is a `400`.
//! 2. Else, for a queue or storage handler, a JSON object with a `message`
//!    or a `subscription` key and without the portable type's required key
//!    (`messages`, `objects`) is a Pub/Sub push envelope. Pub/Sub's envelope
//!    never has those keys, and the portable JSON is invalid without them,
//!    so neither is taken for the other: a batch with a stray `message` key
//!    is still a batch, and an envelope missing its `message` is refused as
//!    an envelope (`400` saying so), not as a batch.
//! 3. Else the body is the portable type as JSON; a body that does not
//!    decode is a `400` saying what was wrong.
//!
//! # Pub/Sub push subscriptions
//!
//! A push subscription (wrapped delivery, Pub/Sub's default) POSTs
//! `{"message": {"data", "attributes", "messageId", "message_id",
//! "publishTime", "publish_time", "orderingKey"}, "subscription",
//! "deliveryAttempt"}`; Eventarc's `messagePublished` CloudEvent carries the
//! same object as its data, and both are read by the same code. The one
//! [`Message`](anyfn::event::Message) gets the id (`messageId`, else
//! `message_id`; through Eventarc, else the event's id), the body (`data`
//! base64-decoded; absent is empty; invalid base64 is a `400` naming
//! `data`), the attributes, the publish time, the ordering key, the delivery
//! attempt (sent when the subscription has a dead-letter policy) and the
//! subscription as its source.
//!
//! Pub/Sub acks a push answered with any 2xx and redelivers any other. So a
//! handler's `Ok` acks (`200` with a `BatchResult` naming no message, `204`
//! for `()`), while a `BatchResult` naming the message (`500`), a handler
//! error (its status), a panic (`500`) or the deadline (`504`) nack it. A
//! push the server cannot decode is answered `400`, which Pub/Sub also
//! redelivers: give such subscriptions a dead-letter topic.
//!
//! Unwrapped delivery (payload unwrapping: the raw data as the body, metadata
//! in `x-goog-pubsub-*` headers) is not recognised; a `Request` or `Json<T>`
//! handler can take it.
//!
//! A Cloud Storage notification through Pub/Sub (push or Eventarc) is, for
//! a [`StorageEvent`](anyfn::event::StorageEvent) handler, one
//! [`ObjectEvent`](anyfn::event::ObjectEvent): `eventType` `OBJECT_FINALIZE`
//! → created, `OBJECT_DELETE` → deleted, `OBJECT_ARCHIVE` → archived,
//! `OBJECT_METADATA_UPDATE` → metadata updated (another is kept as
//! `ObjectChange::Other`); `bucketId`, `objectId`, `objectGeneration` (the
//! version) and `eventTime` (else the publish time) from the attributes; with
//! `payloadFormat` `JSON_API_V1`, `size` and `etag` from the object resource
//! in `data` (with `NONE` there is none). A message without `eventType`,
//! `bucketId` or `objectId` is a `400` naming the missing attribute. A
//! [`QueueBatch`](anyfn::event::QueueBatch) handler gets the same
//! notification as a message, attributes and data as sent.

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
