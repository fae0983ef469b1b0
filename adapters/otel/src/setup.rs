//! Installing telemetry ([`install`], [`install_with`]) and flushing it
//! ([`flush`]): the process's providers, and the hooks every adapter calls.

use std::sync::OnceLock;

use opentelemetry::metrics::MeterProvider as _;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{Protocol, WithExportConfig as _, WithHttpConfig as _};
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::trace::{BatchSpanProcessor, SdkTracerProvider};

use crate::config::OtelConfig;
use crate::error::OtelError;
use crate::layer::{new_layer, TRACER};
use crate::telemetry::Telemetry;
use crate::{client, hook, metrics};

/// The process's tracer provider, for the flush hook.
static PROVIDER: OnceLock<SdkTracerProvider> = OnceLock::new();

/// The process's meter provider, when metrics are exported.
static METER_PROVIDER: OnceLock<SdkMeterProvider> = OnceLock::new();

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
    let telemetry = Telemetry::new(provider, meter_provider, tracer);
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
