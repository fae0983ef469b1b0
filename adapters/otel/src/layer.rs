//! The `tracing` layer that turns spans into OpenTelemetry spans
//! ([`TelemetryLayer`]), and the process's tracer it is made with.

use std::sync::OnceLock;

use opentelemetry_sdk::trace::SdkTracer;
use tracing::Metadata;
use tracing_subscriber::filter::{FilterFn, Filtered};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer as _;

/// The process's tracer, for the layers made for subscribers of their own
/// (the harness's, [`anyfn_kit::logging::set_layer_factory`]).
pub(crate) static TRACER: OnceLock<SdkTracer> = OnceLock::new();

/// The layer [`Telemetry::layer`](crate::Telemetry::layer) gives: tracing-opentelemetry's, without
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

pub(crate) fn layer_with<S>(tracer: SdkTracer) -> TelemetryLayer<S>
where
    S: tracing::Subscriber + for<'span> LookupSpan<'span>,
{
    let filter: fn(&Metadata<'_>) -> bool = exported;
    tracing_opentelemetry::layer()
        .with_tracer(tracer)
        .with_filter(FilterFn::new(filter))
}

/// A fresh layer for a subscriber of its own (the harness's per invocation).
pub(crate) fn new_layer() -> anyfn_kit::logging::DefaultLayer {
    match TRACER.get() {
        Some(tracer) => Box::new(layer_with(tracer.clone())),
        None => Box::new(tracing_subscriber::layer::Identity::new()),
    }
}
