//! OpenTelemetry traces and metrics for anyfn functions, opt in: each invocation
//! span becomes an OpenTelemetry span with the FaaS semantic conventions
//! (`faas.invocation_id`, `faas.coldstart`, `faas.trigger`), the child of
//! the caller's span when the event carries a W3C `traceparent`; the
//! handler's own `tracing` spans become its children; spans leave over
//! OTLP HTTP/protobuf, with the FaaS resource (`faas.name`, `faas.version`,
//! `faas.instance`, `faas.max_memory`, `cloud.*`).
//!
//! Where it runs: the local server (and Cloud Run), AWS Lambda, Azure
//! Functions and anyfn-test's harness. The caller's span is the parent when
//! the event carries one: W3C `traceparent`, Lambda's X-Ray header
//! (`Lambda-Runtime-Trace-Id`), `X-Cloud-Trace-Context`; the caller's
//! sampling decision is kept (on Lambda, an X-Ray header with `Sampled=0`
//! means no export). Invocation spans are `SERVER` spans, `CONSUMER` for a
//! queue batch (with a link per message that carries a trace context), with
//! HTTP's request and response attributes for HTTP events. On Lambda the
//! spans are flushed after each answer is posted and before the next
//! invocation is asked for; every adapter flushes at shutdown.
//!
//! Metrics, when a metrics endpoint is configured: what handlers record
//! through [`anyfn::metrics::Metrics`] (`count` a counter, `record` a
//! histogram, each `dimension` an attribute), and anyfn's own by the FaaS
//! metric conventions, each with `faas.trigger`: `faas.coldstarts`,
//! `faas.invocations`, `faas.errors`, `faas.timeouts` and
//! `faas.invoke_duration` (seconds); with the spans' resource, flushed
//! with them. On Lambda with `ANYFN_METRICS_NAMESPACE` set too, the
//! handler's metrics go to CloudWatch EMF and to OTLP both (anyfn's own to
//! each under its names: `ColdStart`/`Duration` there, `faas.*` here).
//!
//! Not on Cloudflare Workers: the export runs the SDK's batch processor on
//! a thread of its own and sends with a blocking HTTP client, and workerd
//! has neither; the Workers adapter calls no hooks.
//!
//! The core and the adapters do not depend on this crate: it joins them
//! through [`anyfn_kit::TelemetryHooks`] and the default subscriber's
//! extra layer ([`anyfn_kit::logging::add_default_layer`]). A program that
//! does not call [`install`] links no OpenTelemetry code.
//!
//! Configured by the standard variables ([`OtelConfig::from_env`]):
//! `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (as is), else
//! `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`, else
//! `http://localhost:4318/v1/traces`; `OTEL_SERVICE_NAME`;
//! `OTEL_RESOURCE_ATTRIBUTES`;
//! `OTEL_EXPORTER_OTLP_PROTOCOL` (`http/protobuf` only: `grpc` and
//! `http/json` are refused with [`OtelError::UnsupportedProtocol`]);
//! metrics, off unless `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT` (as is) or
//! `OTEL_EXPORTER_OTLP_ENDPOINT` (+ `/v1/metrics`) is set, by
//! `OTEL_METRICS_EXPORTER` (`none` turns them off),
//! `OTEL_METRIC_EXPORT_INTERVAL` and
//! `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`;
//! `OTEL_EXPORTER_OTLP_HEADERS` (and the per-signal variants, read by
//! opentelemetry-otlp); `OTEL_EXPORTER_OTLP_COMPRESSION` (`gzip` or
//! `none`) and `OTEL_EXPORTER_OTLP_TIMEOUT` (milliseconds), and their
//! per-signal variants. An `https://` endpoint is reached through rustls
//! (ring), trusting the system's CA certificates or, when
//! `OTEL_EXPORTER_OTLP_CERTIFICATE` names a PEM file, only its CAs. A
//! failed export never fails an invocation: the first of a run of failures
//! is logged (`WARN anyfn::otel`).
//!
//! # Example
//!
//! ```no_run
//! use anyfn::{handler_fn, Context, Json};
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     // Before serving: the adapter's default subscriber takes the layer.
//!     let _telemetry = anyfn_otel::install()?;
//!     let handler = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
//!     anyfn_server::serve(handler).await?;
//!     Ok(())
//! }
//! ```
#![warn(clippy::missing_errors_doc, clippy::missing_panics_doc)]

mod client;
mod config;
mod error;
mod hook;
mod layer;
mod metrics;
mod setup;
mod telemetry;

pub use config::{
    OtelConfig, DEFAULT_ENDPOINT, DEFAULT_EXPORT_TIMEOUT, DEFAULT_METRIC_EXPORT_INTERVAL,
};
pub use error::OtelError;
pub use layer::TelemetryLayer;
pub use setup::{flush, install, install_with};
pub use telemetry::Telemetry;
