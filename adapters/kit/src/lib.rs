//! The adapter kit of [`anyfn`]: what every adapter is built from, so that
//! each treats deadlines, panics, streams, logs and reports the same way.
//!
//! Function code never needs this crate: a handler depends on `anyfn` only.
//! An adapter (anyfn's own `anyfn-server`, `anyfn-lambda`, `anyfn-azure`,
//! the test harness, or yours) decodes its platform's event, then:
//!
//! - opens the [`invocation_span`], so that every line the handler logs
//!   carries the request id;
//! - runs the handler with [`invoke`] (its deadline enforced, its panics
//!   caught, a late result turned into a timeout), or on a task of its own
//!   with [`detach`];
//! - holds a streamed answer to the deadline with [`guard_stream`], and
//!   sends it through an [`AnswerBody`];
//! - logs a failure with [`log_failure`], and writes the invocation's
//!   [`InvocationReport`] with [`log_report`] (the `REPORT` line, with its billed duration and
//!   estimated cost at [`Pricing`], or on each provider of a [`ProviderSet`]
//!   at the [`PriceList`] of `prices.json`: [`InvocationReport::priced`]);
//! - gives the handler's context a [`Metrics`](anyfn::metrics::Metrics)
//!   sink where the platform has one ([`EmfMetrics`]: CloudWatch EMF, one
//!   document a line, flushed per invocation); [`invoke`] lets installed
//!   telemetry ([`TelemetryHooks::metrics`]) put its own in its place,
//!   passing everything on to the adapter's.
//!
//! What a function sets the same way on every adapter (its timeout, its
//! memory size, the default subscriber, error details) is one [`Settings`]
//! value: each adapter's builder takes it, and reads the rest from the
//! environment with [`Settings::from_env`] (`ANYFN_TIMEOUT_MS`,
//! `ANYFN_MEMORY_MB`, `ANYFN_DEFAULT_SUBSCRIBER`, `ANYFN_ERROR_DETAILS`).
//!
//! An HTTP adapter is served by the [`host`] (with the `http-host` feature):
//! the accept loop, the watchdog thread keeping each request's deadline, the
//! `INIT` line, the shutdown signals and the graceful drain, after which it
//! runs the function's [`ShutdownHooks`] within the time left.
//!
//! A function's hooks (at shutdown, and around a Lambda SnapStart
//! snapshot) travel from the builders to the adapter that runs them as one
//! [`Lifecycle`]: [`ShutdownHooks`] and [`SnapStartHooks`].
//!
//! An adapter's default `tracing` subscriber is made of [`logging`]'s
//! formatters, writer and filter (feature `default-subscriber`).
//!
//! `docs/adding-an-adapter.md` in the repository is the checklist.
//!
//! # Example
//!
//! ```
//! use std::time::Duration;
//! use anyfn::{handler_fn, Context, Request, Response};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let hello = handler_fn(|_request: Request, _context: Context| async {
//!     Ok::<_, anyfn::Error>(anyfn::response::text("Hello!"))
//! });
//! // An adapter's one invocation: a context, the span, the handler under
//! // its deadline, the failure logged, the report.
//! let context = Context::builder().request_id("req-1").timeout(Duration::from_secs(3)).build();
//! let span = anyfn_kit::invocation_span(&context);
//! let timer = tokio::time::sleep_until(context.deadline().into());
//! let started = anyfn::time::Instant::now();
//! let _entered = span.enter();
//! let outcome = anyfn_kit::invoke(&hello, Request::default(), context, timer).await;
//! let response = outcome.unwrap_or_else(|error| {
//!     anyfn_kit::log_failure("req-1", &error);
//!     error.to_response("req-1", anyfn::ErrorDetails::Hidden)
//! });
//! assert_eq!(response.status(), 200);
//! let report = anyfn_kit::InvocationReport::new(
//!     "req-1",
//!     started.elapsed(),
//!     anyfn::DEFAULT_MEMORY_MB,
//!     anyfn_kit::Pricing::default(),
//! );
//! assert!(report.to_string().starts_with("REPORT RequestId: req-1\tDuration: "));
//! # }
//! ```
// The modules behind features are linked to on docs.rs when a build
// leaves them out, so that the crate's docs build without broken links
// whatever its features.
#![cfg_attr(feature = "http-host", doc = "[`host`]: crate::host")]
#![cfg_attr(
    not(feature = "http-host"),
    doc = "[`host`]: https://docs.rs/anyfn-kit/latest/anyfn_kit/host/index.html"
)]
#![cfg_attr(feature = "default-subscriber", doc = "[`logging`]: crate::logging")]
#![cfg_attr(
    not(feature = "default-subscriber"),
    doc = "[`logging`]: https://docs.rs/anyfn-kit/latest/anyfn_kit/logging/index.html"
)]
#![warn(clippy::missing_errors_doc, clippy::missing_panics_doc)]

#[cfg(feature = "http-host")]
pub mod host;

mod answer_body;
mod catch_panic;
mod cost;
mod detach;
mod event_request;
mod gathered;
mod invoke;
mod lifecycle;
mod log;
#[cfg(feature = "default-subscriber")]
pub mod logging;
mod metrics;
mod process_start;
mod report;
mod settings;
mod shutdown;
mod snapstart;
mod stream_guard;
mod telemetry;

pub use answer_body::{AnswerBody, StreamReport};
pub use catch_panic::CatchPanic;
pub use cost::{
    measure_cpu_time, AzureFlexPrices, BilledTime, CloudRunPrices, CpuMeter, Estimate,
    LambdaPrices, ManagedInstancesPrices, PriceList, PriceSource, Provider, ProviderSet,
    UnknownProvider, Usage, WorkersPrices,
};
pub use detach::{detach, Detached, Outcome};
pub use event_request::{require_event_post, require_json_post};
pub use gathered::Gathered;
pub use invoke::{invoke, invoke_started_at, invoke_timed, panic_message};
pub use lifecycle::Lifecycle;
pub use log::{
    default_subscriber_allowed, invocation_span, log_failure, log_report, DEFAULT_SUBSCRIBER_ENV,
};
pub use metrics::{
    EmfMetrics, EMF_MAX_BYTES, EMF_MAX_DIMENSIONS, EMF_MAX_METRICS, EMF_MAX_VALUES,
    METRICS_NAMESPACE_ENV,
};
pub use process_start::since_process_start;
pub use report::{InvocationReport, Pricing};
pub use settings::{
    Settings, SettingsError, ERROR_DETAILS_ENV, MEMORY_ENV, REPORT_COST_ENV, REPORT_LINE_ENV,
    TIMEOUT_ENV,
};
pub use shutdown::ShutdownHooks;
pub use snapstart::SnapStartHooks;
pub use stream_guard::{guard_stream, StreamInvocation, StreamTimers};
#[cfg(feature = "telemetry")]
pub(crate) use telemetry::start_invocation;
pub use telemetry::{
    flush_telemetry, invocation_span_for, invocation_span_for_event, invocation_span_triggered,
    record_http_request, record_outcome, set_telemetry_hooks, telemetry_installed, CallerTrace,
    Ended, HttpOutcome, HttpRequestLine, InvocationEnd, ParentSpan, TelemetryHooks, TraceHeader,
    TraceHeaderError, Trigger, TELEMETRY_COMPILED,
};
