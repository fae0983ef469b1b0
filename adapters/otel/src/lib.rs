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

mod client;
mod config;
mod hook;
mod metrics;

use std::sync::OnceLock;

use opentelemetry::metrics::MeterProvider as _;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{Protocol, WithExportConfig as _, WithHttpConfig as _};
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::trace::{BatchSpanProcessor, SdkTracer, SdkTracerProvider};
use tracing::Metadata;
use tracing_subscriber::filter::{FilterFn, Filtered};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer as _;

pub use config::{
    OtelConfig, DEFAULT_ENDPOINT, DEFAULT_EXPORT_TIMEOUT, DEFAULT_METRIC_EXPORT_INTERVAL,
};

/// Why telemetry could not be installed or flushed.
///
/// # Example
///
/// ```
/// use anyfn_otel::{OtelConfig, OtelError};
///
/// let refused = OtelConfig::from_vars(|name| (name == "OTEL_METRICS_EXPORTER").then(|| "prometheus".to_owned()));
/// let err = refused.expect_err("an exporter anyfn-otel does not have");
/// assert!(matches!(err, OtelError::InvalidVariable { name: "OTEL_METRICS_EXPORTER", .. }));
/// assert_eq!(err.to_string(), r#"OTEL_METRICS_EXPORTER="prometheus" is invalid: expected otlp or none"#);
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OtelError {
    /// `OTEL_EXPORTER_OTLP_PROTOCOL` (or `…_TRACES_PROTOCOL`) names a
    /// protocol other than `http/protobuf` (`grpc`, `http/json`).
    #[error("OTLP protocol {0:?} is not supported: anyfn-otel exports over http/protobuf only")]
    UnsupportedProtocol(String),
    /// The exporter could not be built (a malformed endpoint, …).
    #[error("the OTLP exporter could not be built")]
    Exporter(#[source] opentelemetry_otlp::ExporterBuildError),
    /// A variable holds a value it cannot (`OTEL_METRIC_EXPORT_INTERVAL`,
    /// `OTEL_METRICS_EXPORTER`, …).
    #[error("{name}={value:?} is invalid: expected {expected}")]
    InvalidVariable {
        /// The variable.
        name: &'static str,
        /// Its value.
        value: String,
        /// What it must hold.
        expected: &'static str,
    },
    /// The CA certificate file (`OTEL_EXPORTER_OTLP_CERTIFICATE`) could
    /// not be read, or holds no PEM certificate.
    #[error("the OTLP CA certificate file {path} could not be used: {reason}")]
    Certificate {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        reason: String,
    },
    /// [`install`] was already called in this process.
    #[error("anyfn-otel is already installed in this process")]
    AlreadyInstalled,
    /// Flushing or shutting down the exporter failed.
    #[error("the OTLP export failed")]
    Export(#[source] opentelemetry_sdk::error::OTelSdkError),
}

/// The process's tracer provider, for the flush hook.
static PROVIDER: OnceLock<SdkTracerProvider> = OnceLock::new();

/// The process's meter provider, when metrics are exported.
static METER_PROVIDER: OnceLock<SdkMeterProvider> = OnceLock::new();

/// The process's tracer, for the layers made for subscribers of their own
/// (the harness's, [`anyfn_kit::logging::set_layer_factory`]).
static TRACER: OnceLock<SdkTracer> = OnceLock::new();

/// The layer [`Telemetry::layer`] gives: tracing-opentelemetry's, without
/// lambda_runtime's own spans.
///
/// # Example
///
/// ```no_run
/// use anyfn_otel::TelemetryLayer;
/// use tracing_subscriber::layer::SubscriberExt as _;
/// use tracing_subscriber::Registry;
///
/// let telemetry = anyfn_otel::install()?;
/// let layer: TelemetryLayer<Registry> = telemetry.layer();
/// let subscriber = tracing_subscriber::registry().with(layer);
/// tracing::subscriber::with_default(subscriber, || tracing::info_span!("warm-up").in_scope(|| {}));
/// # Ok::<(), anyfn_otel::OtelError>(())
/// ```
pub type TelemetryLayer<S> = Filtered<
    tracing_opentelemetry::OpenTelemetryLayer<S, SdkTracer>,
    FilterFn<fn(&Metadata<'_>) -> bool>,
    S,
>;

/// Whether a span or event goes to OpenTelemetry: not lambda_runtime's
/// (its `Lambda runtime invoke` span and its workers' spans, which the
/// Lambda adapter's invocation span stands for, and which would otherwise
/// become spans of their own, the workers' never ending).
fn exported(metadata: &Metadata<'_>) -> bool {
    !metadata.target().starts_with("lambda_runtime")
}

fn layer_with<S>(tracer: SdkTracer) -> TelemetryLayer<S>
where
    S: tracing::Subscriber + for<'span> LookupSpan<'span>,
{
    let filter: fn(&Metadata<'_>) -> bool = exported;
    tracing_opentelemetry::layer()
        .with_tracer(tracer)
        .with_filter(FilterFn::new(filter))
}

/// A fresh layer for a subscriber of its own (the harness's per invocation).
fn new_layer() -> anyfn_kit::logging::DefaultLayer {
    match TRACER.get() {
        Some(tracer) => Box::new(layer_with(tracer.clone())),
        None => Box::new(tracing_subscriber::layer::Identity::new()),
    }
}

/// The installed telemetry: its `tracing` layer, for a program that builds
/// its own subscriber, and flush and shutdown.
///
/// # Example
///
/// ```no_run
/// use tracing_subscriber::layer::SubscriberExt as _;
///
/// let telemetry = anyfn_otel::install().expect("telemetry");
/// let subscriber = tracing_subscriber::registry().with(telemetry.layer());
/// tracing::subscriber::set_global_default(subscriber).expect("no subscriber yet");
/// ```
#[derive(Debug, Clone)]
pub struct Telemetry {
    provider: SdkTracerProvider,
    meter_provider: Option<SdkMeterProvider>,
    tracer: SdkTracer,
}

/// The layer for a subscriber of the program's own, and flushing.
///
/// # Example
///
/// ```no_run
/// use tracing_subscriber::layer::SubscriberExt as _;
///
/// let telemetry = anyfn_otel::install()?;
/// let subscriber = tracing_subscriber::registry().with(telemetry.layer());
/// tracing::subscriber::with_default(subscriber, || tracing::info_span!("warm-up").in_scope(|| {}));
/// telemetry.flush()?;
/// # Ok::<(), anyfn_otel::OtelError>(())
/// ```
impl Telemetry {
    /// The `tracing` layer that turns spans into OpenTelemetry spans, for a
    /// subscriber of the program's own ([`install`] already gives one to
    /// the adapters' default subscriber).
    ///
    /// # Example
    ///
    /// ```no_run
    /// use tracing_subscriber::layer::SubscriberExt as _;
    ///
    /// let telemetry = anyfn_otel::install().expect("telemetry");
    /// let _subscriber = tracing_subscriber::registry().with(telemetry.layer());
    /// ```
    pub fn layer<S>(&self) -> TelemetryLayer<S>
    where
        S: tracing::Subscriber + for<'span> LookupSpan<'span>,
    {
        layer_with(self.tracer.clone())
    }

    /// A shutdown hook that flushes the spans not yet sent, for the
    /// adapter's `lifecycle` (every adapter flushes at shutdown already;
    /// on Lambda, a shutdown hook is what makes Lambda send the SIGTERM
    /// that runs it, through the adapter's internal extension).
    ///
    /// # Example
    ///
    /// ```no_run
    /// let telemetry = anyfn_otel::install().expect("telemetry");
    /// let lifecycle = telemetry.lifecycle();
    /// assert_eq!(lifecycle.shutdown().len(), 1);
    /// ```
    pub fn lifecycle(&self) -> anyfn_kit::Lifecycle {
        let telemetry = self.clone();
        anyfn_kit::Lifecycle::new().on_shutdown(move |_time_left| async move {
            // force_flush blocks until the export threads are done: off the
            // async runtime's threads.
            let _ = std::thread::spawn(move || telemetry.flush()).join();
        })
    }

    /// Sends the spans that have ended and not yet left, and the metrics
    /// when they are exported, and waits until they have (see [`flush`]).
    ///
    /// # Errors
    ///
    /// [`OtelError::Export`] when an export fails or times out (the
    /// metrics are sent even if the spans could not be).
    ///
    /// # Example
    ///
    /// ```no_run
    /// let telemetry = anyfn_otel::install().expect("telemetry");
    /// telemetry.flush().expect("spans sent");
    /// ```
    pub fn flush(&self) -> Result<(), OtelError> {
        let spans = self.provider.force_flush();
        let metrics = match &self.meter_provider {
            Some(meter_provider) => meter_provider.force_flush(),
            None => Ok(()),
        };
        spans.and(metrics).map_err(OtelError::Export)
    }

    /// Flushes and stops the exporters; spans ended and metrics recorded
    /// after it are dropped.
    ///
    /// # Errors
    ///
    /// [`OtelError::Export`] when the last export fails.
    ///
    /// # Example
    ///
    /// ```no_run
    /// let telemetry = anyfn_otel::install().expect("telemetry");
    /// telemetry.shutdown().expect("spans sent");
    /// ```
    pub fn shutdown(&self) -> Result<(), OtelError> {
        let spans = self.provider.shutdown();
        let metrics = match &self.meter_provider {
            Some(meter_provider) => meter_provider.shutdown(),
            None => Ok(()),
        };
        spans.and(metrics).map_err(OtelError::Export)
    }
}

/// Installs telemetry configured by the environment ([`OtelConfig::from_env`]);
/// see [`install_with`].
///
/// # Errors
///
/// As [`install_with`].
///
/// # Example
///
/// ```no_run
/// let _telemetry = anyfn_otel::install()?;
/// # Ok::<(), anyfn_otel::OtelError>(())
/// ```
pub fn install() -> Result<Telemetry, OtelError> {
    install_with(OtelConfig::from_env()?)
}

/// Installs telemetry, once per process: builds the OTLP exporter and the
/// tracer provider (a batch processor on a thread of its own: no async
/// runtime needed, and exports never block the function's), and, when a
/// metrics endpoint is configured ([`OtelConfig::metrics_export_endpoint`]),
/// the meter provider (a periodic reader on a thread of its own, exporting
/// every [`OtelConfig::metric_interval`] and at each flush); hooks every
/// adapter's invocations ([`anyfn_kit::set_telemetry_hooks`]: the spans,
/// the handlers' metrics and anyfn's own) and
/// [`anyfn_kit::flush_telemetry`], and leaves the `tracing` layer for the
/// adapter's default subscriber ([`anyfn_kit::logging::add_default_layer`]).
/// Call it before the adapter's entry point.
///
/// # Errors
///
/// [`OtelError::AlreadyInstalled`] on a second call;
/// [`OtelError::Exporter`] when an exporter cannot be built;
/// [`OtelError::Certificate`] when the CA certificate file cannot be read
/// or holds no certificate.
///
/// # Example
///
/// ```no_run
/// let config = anyfn_otel::OtelConfig::from_env()?.endpoint("http://127.0.0.1:4318/v1/traces");
/// let _telemetry = anyfn_otel::install_with(config)?;
/// # Ok::<(), anyfn_otel::OtelError>(())
/// ```
pub fn install_with(config: OtelConfig) -> Result<Telemetry, OtelError> {
    if PROVIDER.get().is_some() {
        return Err(OtelError::AlreadyInstalled);
    }
    let client = client::UreqClient::new(
        config.traces_endpoint(),
        config.traces_certificate(),
        config.traces_timeout(),
    )?;
    let (client, compression) = exporter_compression(
        client,
        config.traces_gzip(),
        "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION",
    );
    let mut exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_http_client(client)
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(config.traces_endpoint())
        .with_timeout(config.traces_timeout());
    if let Some(compression) = compression {
        exporter = exporter.with_compression(compression);
    }
    let exporter = exporter.build().map_err(OtelError::Exporter)?;
    let meter_provider = match config.metrics_export_endpoint() {
        Some(endpoint) => {
            let client = client::UreqClient::new(
                endpoint,
                config.metrics_certificate(),
                config.metrics_timeout(),
            )?;
            let (client, compression) = exporter_compression(
                client,
                config.metrics_gzip(),
                "OTEL_EXPORTER_OTLP_METRICS_COMPRESSION",
            );
            let mut exporter = opentelemetry_otlp::MetricExporter::builder()
                .with_http()
                .with_http_client(client)
                .with_protocol(Protocol::HttpBinary)
                .with_endpoint(endpoint)
                .with_timeout(config.metrics_timeout())
                .with_temporality(config.temporality());
            if let Some(compression) = compression {
                exporter = exporter.with_compression(compression);
            }
            let exporter = exporter.build().map_err(OtelError::Exporter)?;
            let reader = PeriodicReader::builder(exporter)
                .with_interval(config.metric_interval())
                .build();
            Some(
                SdkMeterProvider::builder()
                    .with_resource(config.resource())
                    .with_reader(reader)
                    .build(),
            )
        }
        None => None,
    };
    let provider = SdkTracerProvider::builder()
        .with_resource(config.resource())
        .with_span_processor(hook::FaasKind(
            BatchSpanProcessor::builder(exporter).build(),
        ))
        .build();
    if PROVIDER.set(provider.clone()).is_err() {
        return Err(OtelError::AlreadyInstalled);
    }
    let tracer = provider.tracer("anyfn");
    let _ = TRACER.set(tracer.clone());
    if let Some(site) = config.azure_site() {
        let _ = hook::AZURE_SITE.set(site.to_owned());
    }
    if let Some(meter_provider) = &meter_provider {
        let _ = METER_PROVIDER.set(meter_provider.clone());
        metrics::install(meter_provider.meter("anyfn"));
    }
    let telemetry = Telemetry {
        provider,
        meter_provider,
        tracer,
    };
    let _ = anyfn_kit::set_telemetry_hooks(anyfn_kit::TelemetryHooks {
        on_invocation_span: hook::on_invocation_span,
        on_links: hook::on_links,
        on_http_request: hook::on_http_request,
        on_outcome: hook::on_outcome,
        metrics: metrics::metrics,
        on_invocation_end: metrics::on_invocation_end,
        flush,
    });
    let _ = anyfn_kit::logging::add_default_layer(Box::new(telemetry.layer()));
    let _ = anyfn_kit::logging::set_layer_factory(new_layer);
    Ok(telemetry)
}

/// The compression to tell a signal's exporter, and its client: gzip when
/// the configuration says so. Otherwise none; but opentelemetry-otlp,
/// told nothing, reads the signal's compression variable and then
/// `OTEL_EXPORTER_OTLP_COMPRESSION` from the process's environment itself,
/// and has no value that says "none" in code. Where the first of them set
/// says `none`, or neither is set, it compresses nothing, as configured.
/// Where one says anything else (a configuration read from other
/// variables than the process's, `OtelConfig::from_vars`), it is told gzip,
/// which it then does not read the environment for, and the client sends
/// each body as it was before compression.
fn exporter_compression(
    client: client::UreqClient,
    gzip: bool,
    signal_variable: &str,
) -> (client::UreqClient, Option<opentelemetry_otlp::Compression>) {
    if gzip {
        return (client, Some(opentelemetry_otlp::Compression::Gzip));
    }
    let read_by_exporter = [signal_variable, "OTEL_EXPORTER_OTLP_COMPRESSION"]
        .iter()
        .find_map(std::env::var_os);
    match read_by_exporter {
        Some(value) if !value.to_string_lossy().trim().eq_ignore_ascii_case("none") => (
            client.uncompressed(),
            Some(opentelemetry_otlp::Compression::Gzip),
        ),
        _ => (client, None),
    }
}

/// Sends the spans that have ended and not yet left, and the metrics when
/// they are exported, and waits until they have: what an adapter calls
/// through [`anyfn_kit::flush_telemetry`] (on Lambda after the answer is
/// posted and before the next `/next`; at shutdown everywhere). Nothing
/// before [`install`]. A failed export is logged (`WARN anyfn::otel`, the
/// first of a run of failures), not returned.
///
/// # Example
///
/// ```
/// anyfn_otel::flush(); // not installed: returns at once
/// ```
pub fn flush() {
    if let Some(provider) = PROVIDER.get() {
        let _ = provider.force_flush();
    }
    if let Some(meter_provider) = METER_PROVIDER.get() {
        let _ = meter_provider.force_flush();
    }
}
