//! [`OtelError`]: why telemetry could not be installed or flushed.

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
    /// [`install`](crate::install) was already called in this process.
    #[error("anyfn-otel is already installed in this process")]
    AlreadyInstalled,
    /// Flushing or shutting down the exporter failed.
    #[error("the OTLP export failed")]
    Export(#[source] opentelemetry_sdk::error::OTelSdkError),
}
