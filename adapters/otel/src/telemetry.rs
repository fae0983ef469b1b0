//! [`Telemetry`]: what [`install`](crate::install) gives, its layer for a
//! subscriber of the program's own, flush and shutdown.

use opentelemetry_sdk::metrics::SdkMeterProvider;
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider};
use tracing_subscriber::registry::LookupSpan;

use crate::error::OtelError;
use crate::layer::{layer_with, TelemetryLayer};

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
    /// The installed telemetry: what [`install_with`](crate::install_with) made.
    pub(crate) fn new(
        provider: SdkTracerProvider,
        meter_provider: Option<SdkMeterProvider>,
        tracer: SdkTracer,
    ) -> Self {
        Self {
            provider,
            meter_provider,
            tracer,
        }
    }

    /// The `tracing` layer that turns spans into OpenTelemetry spans, for a
    /// subscriber of the program's own ([`install`](crate::install) already gives one to
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
    /// when they are exported, and waits until they have (see [`flush`](crate::flush)).
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
