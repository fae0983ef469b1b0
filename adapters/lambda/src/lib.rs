//! Run an [`anyfn`] handler on AWS Lambda, unchanged.
//!
//! The same handler that serves HTTP locally sees the same
//! [`Request`](anyfn::Request) on Lambda, whichever service sent it: API
//! Gateway REST APIs (v1, with multi-value headers and query parameters), HTTP
//! APIs (v2, with cookies and the raw query string), Application Load
//! Balancers (single- and multi-value) and Function URLs. The shape is told
//! from the payload in one pass, and the response goes back in the same shape.
//! `Json<T>` handlers get the raw payload.
//!
//! Beyond HTTP, portable [`anyfn::event`] types are decoded from their AWS
//! sources: [`StorageEvent`](anyfn::event::StorageEvent) from S3
//! notifications, [`QueueBatch`](anyfn::event::QueueBatch) from SQS and SNS
//! (a [`BatchResult`](anyfn::event::BatchResult) answers SQS with
//! `batchItemFailures`), [`ScheduleTick`](anyfn::event::ScheduleTick) from
//! EventBridge scheduled events, and [`CloudEvent`](anyfn::event::CloudEvent)
//! from any EventBridge event.
//!
//! Events only AWS has (Kinesis, DynamoDB Streams, Cognito triggers, …) have
//! no portable type: take them as [`Json<T>`](anyfn::Json) of a serde type,
//! such as those of the `aws_lambda_events` crate (`Json<KinesisEvent>` in,
//! `Json<KinesisEventResponse>` out for a partial batch failure). The payload
//! is the event as AWS sends it; off Lambda the local server takes the same
//! JSON as a POST body. See the `kinesis` example, and the feature
//! `aws-lambda-events`, which re-exports that crate.
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
//! async fn main() -> Result<(), anyfn_lambda::LambdaError> {
//!     anyfn_lambda::run(handler_fn(hello)).await
//! }
//! ```
//!
//! # What the adapter guarantees
//!
//! - **HTTP errors are HTTP answers**: for an HTTP event, a failed invocation
//!   (an error, a panic, a timeout, a body that cannot be decoded) is
//!   answered as the HTTP response the local server gives, in the request's
//!   shape: same status, headers and body
//!   ([`Error::to_response`](anyfn::Error::to_response)), server errors'
//!   details hidden unless `ANYFN_ERROR_DETAILS=show`. The caller never gets
//!   the gateway's generic 502 for a failure anyfn could answer.
//! - **Other events fail the invocation** with a stable `errorType` (the
//!   [`ErrorKind`](anyfn::ErrorKind)'s name, or the one set with
//!   [`Error::with_error_type`](anyfn::Error::with_error_type)) and the
//!   error's message, never a Rust type path, so that the source retries.
//! - **Panics** fail that invocation alone (`Panic`).
//! - **Undecodable payloads** fail that invocation with a message naming the
//!   shapes expected and what was found (`BadRequest`).
//! - **Deadlines**: the handler's [`Context`](anyfn::Context) deadline is
//!   Lambda's minus a margin ([`DEFAULT_DEADLINE_MARGIN`],
//!   `ANYFN_DEADLINE_MARGIN_MS`), and the handler is stopped there, on
//!   another worker thread even when it blocks its own, so the `Timeout`
//!   reaches Lambda before Lambda ends the invocation. A timeout set with
//!   [`Lambda::timeout`] or `ANYFN_TIMEOUT_MS` can only shorten that
//!   deadline (to the timeout after the invocation arrives), never lengthen
//!   it: Lambda's own deadline is the function's configured timeout.
//! - **Settings** shared with every adapter ([`Settings`]: timeout, memory
//!   size, default subscriber, error details) are each what [`Lambda`] set,
//!   else the environment's (`ANYFN_TIMEOUT_MS`, `ANYFN_MEMORY_MB`,
//!   `ANYFN_DEFAULT_SUBSCRIBER`, `ANYFN_ERROR_DETAILS`), else Lambda's
//!   default. The memory size is always Lambda's
//!   (`AWS_LAMBDA_FUNCTION_MEMORY_SIZE`): a memory setting does not
//!   override it. A variable holding a value anyfn cannot use stops
//!   [`run`] with [`LambdaError::InvalidEnv`] naming it.
//! - **Logs**: [`run`] installs a stdout subscriber in the format
//!   `AWS_LAMBDA_LOG_FORMAT` selects, at `AWS_LAMBDA_LOG_LEVEL`, every line
//!   carrying the request id and X-Ray trace id (unless the program has its
//!   own subscriber, or `ANYFN_DEFAULT_SUBSCRIBER=off`).
//! - **Base64**: request bodies marked `isBase64Encoded` are decoded (invalid
//!   base64 is a `400`); binary response bodies are encoded, text ones are
//!   not.
//! - **Paths** are the same as locally: an HTTP API's named stage is not part
//!   of the path; read it from [`ApiGatewayContextExt`].
//! - **Path parameters and stage variables** of API Gateway events (REST and
//!   HTTP APIs: `pathParameters`, `stageVariables`) are in the request, read
//!   with [`RequestExt::path_params`](anyfn::RequestExt::path_params) and
//!   [`RequestExt::stage_variables`](anyfn::RequestExt::stage_variables),
//!   values as API Gateway sends them (path parameters decoded); ALB and
//!   Function URL events have none.
//! - **Missing environment**: [`run`] checks the variables Lambda sets and
//!   returns [`LambdaError::MissingEnv`] instead of panicking.
//! - **Lambda Managed Instances**: with `AWS_LAMBDA_MAX_CONCURRENCY` above
//!   1, that many invocations are served at once, as lambda_runtime's
//!   `run_concurrent` serves them: a worker per slot, each polling `next`
//!   and posting its answer on a Runtime API connection of its own, by the
//!   one handler.
//!   Each keeps its own [`Context`](anyfn::Context): request id, deadline,
//!   trace id (its own `Lambda-Runtime-Trace-Id`, never the process-wide
//!   `_X_AMZN_TRACE_ID`, which is not set under concurrency), log span;
//!   [`Context::max_concurrency`](anyfn::Context::max_concurrency) says how
//!   many (1 when unset). Unset or 1, invocations run one after another,
//!   as on classic Lambda. An awaiting handler past its deadline is answered
//!   `Timeout` there, its future dropped, the others untouched. A handler
//!   blocking its thread holds one of tokio's worker threads, and tokio
//!   starts one per vCPU while Lambda sends several invocations per vCPU:
//!   it takes as many blocked handlers as there are worker threads (two on
//!   a 2-vCPU instance) to stall the rest. Fewer, and the others are served
//!   on the threads left, and each blocked one is answered `Timeout` at its
//!   deadline (its handler runs on a task of its own; the deadline is kept
//!   by the invocation's task, on another thread). As many, and none is
//!   answered, not even its `Timeout`, until one frees, else Lambda's own
//!   timeout ends them. Put blocking work on `tokio::task::spawn_blocking`. An
//!   answer the Runtime API refuses (a late one) is logged with its
//!   invocation id and the worker goes on; a `next` that cannot reach the
//!   Runtime API is logged and asked again (at once, then after 10 ms,
//!   doubling up to 1 s); an answer that cannot be posted, or a `next`
//!   answer that is not an invocation, ends that worker, and the runtime
//!   when none is left.
//! - **The Runtime API** is polled and answered on anyfn-lambda's own
//!   HTTP/1.1 connections, with lambda_runtime's requests and `User-Agent`;
//!   one invocation at a time, each sets `_X_AMZN_TRACE_ID` to its trace id
//!   (as lambda_runtime does); each runs in lambda_runtime's log span
//!   (`Lambda runtime invoke`, `requestId`, `xrayTraceId`, `tenantId`). A
//!   `next` answer without a request id or deadline, or with an error
//!   status, stops the runtime with [`LambdaError::Runtime`] naming what was
//!   wrong (lambda_runtime panics on the first two), as does a Runtime API
//!   that cannot be reached.
//! - **Tenant isolation**: the tenant id Lambda sends with an invocation
//!   (`Lambda-Runtime-Aws-Tenant-Id`) is
//!   [`Context::tenant_id`](anyfn::Context::tenant_id), and is in the
//!   invocation's log span (`tenantId`); `None` without one.
//! - **`cargo lambda watch`** works: its Function URL payloads (method only in
//!   `requestContext.http.method`), its need for `cookies` in every answer
//!   and its fixed `600000` deadline are handled.
//!
//! # Shutdown
//!
//! Lambda tells a runtime it is shutting an environment down only when an
//! extension is registered. A function with shutdown hooks
//! ([`Lambda::on_shutdown`]) registers an internal extension,
//! `anyfn-shutdown-hooks`, subscribed to no events, before its first
//! `next` (Extensions API `register`, then an `event/next` that stays open
//! without waking anything); Lambda then sends it SIGTERM at shutdown,
//! between invocations, and SIGKILL 500 ms later (300 ms when the function
//! also has external extensions, in `/opt/extensions`). The hooks run in
//! order within that time less 100 ms kept for the exit, each given what is
//! left; one still running when it is spent is cut (a `WARN` line, target
//! `anyfn::host`) with the ones after it, and [`run`] returns. Without
//! shutdown hooks nothing is registered and SIGTERM is not caught.
//!
//! # SnapStart
//!
//! With `AWS_LAMBDA_INITIALIZATION_TYPE=snap-start`, before its first
//! `next` the runtime runs lambda_runtime's restore flow: the function's
//! before-snapshot hooks ([`Lambda::before_snapshot`]) last-added first,
//! `/runtime/restore/next`, and once the environment is restored, its
//! Runtime API connections dropped (every request after the restore goes
//! on a new one), the after-restore hooks ([`Lambda::after_restore`]) in
//! order, cut after Lambda's 10 s for the restore phase. A failing hook
//! ends the function, reported as lambda_runtime reports it: to
//! `/runtime/init/error` (`Runtime.InitError`) before the snapshot, to
//! `/runtime/restore/error` (`Runtime.AfterRestoreError`) after it, its
//! message naming the hook (`after-restore hook 1 failed: …`). SnapStart
//! takes a Rust function deployed as a container image (on
//! `provided.al2023` or an image of your own); a `.zip` on the OS-only
//! runtimes cannot turn it on.
#![warn(clippy::missing_errors_doc, clippy::missing_panics_doc)]

mod answers;
mod builder;
mod codec;
mod context_ext;
mod describe;
mod env;
mod error;
mod events;
#[cfg(test)]
mod fake_api;
mod http;
mod logging;
mod metrics;
mod next;
mod post;
mod runtime;
mod shutdown;
mod snapstart;
mod source;
mod streaming;

pub use builder::{Lambda, DEADLINE_MARGIN_ENV, DEFAULT_DEADLINE_MARGIN};
pub use codec::{FromLambda, IntoLambda, LambdaAnswer};
pub use context_ext::{ClientContext, CognitoIdentity, InvocationDetails, LambdaContextExt};
pub use env::is_lambda;
pub use error::LambdaError;
pub use http::{ApiGatewayContextExt, ApiGatewayRequestContext};
pub use source::EventSource;
pub use streaming::RESPONSE_STREAMING_ENV;

/// The settings every adapter shares (timeout, memory size, default
/// subscriber, error details), for [`Lambda::settings`]: the adapter kit's.
pub use anyfn_kit::{Settings, SettingsError};

/// A function's hooks (at shutdown, and around a SnapStart snapshot), for
/// [`Lambda::lifecycle`]: the adapter kit's.
pub use anyfn_kit::Lifecycle;

/// The `aws_lambda_events` crate (feature `aws-lambda-events`): serde types
/// for the events anyfn has no portable type for, to take as
/// [`Json<T>`](anyfn::Json) and answer with.
///
/// It comes with none of its event families turned on: name the ones you
/// use in your own `Cargo.toml` (`aws_lambda_events = { version = "1.2",
/// default-features = false, features = ["kinesis", "streams"] }`); cargo
/// merges the features asked of one version of a crate, so they are here
/// too. `Json<T>` needs nothing but serde, so a function may as well use its
/// own dependency directly, in whichever version it likes.
///
/// # Example
///
/// Its encodings are always there; `Base64Data` reads a base64 field, as
/// `KinesisEvent` does for each record's data:
///
/// ```
/// use anyfn::{Context, Json};
/// use anyfn_lambda::aws_lambda_events::encodings::Base64Data;
/// use anyfn_lambda::{EventSource, FromLambda};
/// use serde::Deserialize;
///
/// #[derive(Deserialize)]
/// struct Record {
///     data: Base64Data,
/// }
///
/// let mut context = Context::builder().build();
/// let Json(record) = Json::<Record>::from_lambda(br#"{"data":"aGVsbG8="}"#, &mut context)?;
/// assert_eq!(record.data.as_slice(), b"hello");
/// assert_eq!(context.extensions().get::<EventSource>(), Some(&EventSource::Raw));
/// # Ok::<(), anyfn::Error>(())
/// ```
#[cfg(feature = "aws-lambda-events")]
pub use aws_lambda_events;

use anyfn::Handler;

/// Serves invocations of `handler` from the Lambda Runtime API until the
/// runtime stops, with the default settings of [`Lambda`] and its default
/// `tracing` subscriber (unless the program has one, or
/// `ANYFN_DEFAULT_SUBSCRIBER=off`).
///
/// # Errors
///
/// [`LambdaError::InvalidEnv`] for a bad `ANYFN_*` setting;
/// [`LambdaError::MissingEnv`] or [`LambdaError::InvalidEnv`] when the
/// process is not on Lambda (the variables Lambda sets are checked first);
/// [`LambdaError::Runtime`] when the Runtime API fails. Failed invocations are
/// reported to Lambda, not returned.
///
/// # Example
///
/// ```no_run
/// use anyfn::{handler_fn, Context, Json};
///
/// #[tokio::main]
/// async fn main() -> Result<(), anyfn_lambda::LambdaError> {
///     let double = handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n * 2)) });
///     anyfn_lambda::run(double).await
/// }
/// ```
pub async fn run<H>(handler: H) -> Result<(), LambdaError>
where
    H: Handler,
    H::Event: FromLambda,
    H::Output: IntoLambda,
{
    Lambda::new(handler).run().await
}
