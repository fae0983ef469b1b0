//! The exporter's settings and the FaaS resource, from the standard
//! variables and the platform's own.

use std::path::{Path, PathBuf};
use std::time::Duration;

use opentelemetry::KeyValue;
use opentelemetry_sdk::metrics::Temporality;
use opentelemetry_sdk::Resource;

use crate::error::OtelError;

/// Where spans go when no variable says: a collector on this machine
/// (the OTLP/HTTP default port).
///
/// # Example
///
/// ```
/// assert_eq!(anyfn_otel::DEFAULT_ENDPOINT, "http://localhost:4318/v1/traces");
/// let config = anyfn_otel::OtelConfig::from_vars(|_| None)?;
/// assert_eq!(config.traces_endpoint(), anyfn_otel::DEFAULT_ENDPOINT);
/// # Ok::<(), anyfn_otel::OtelError>(())
/// ```
pub const DEFAULT_ENDPOINT: &str = "http://localhost:4318/v1/traces";

/// How often metrics are exported when `OTEL_METRIC_EXPORT_INTERVAL` does
/// not say (OpenTelemetry's default), besides every flush.
///
/// # Example
///
/// ```
/// use std::time::Duration;
///
/// assert_eq!(anyfn_otel::DEFAULT_METRIC_EXPORT_INTERVAL, Duration::from_secs(60));
/// let config = anyfn_otel::OtelConfig::from_vars(|_| None)?;
/// assert_eq!(config.metric_interval(), anyfn_otel::DEFAULT_METRIC_EXPORT_INTERVAL);
/// # Ok::<(), anyfn_otel::OtelError>(())
/// ```
pub const DEFAULT_METRIC_EXPORT_INTERVAL: Duration = Duration::from_secs(60);

/// How long one export may take, connection included, when
/// `OTEL_EXPORTER_OTLP_TIMEOUT` (or the signal's own) does not say
/// (OpenTelemetry's default, 10 000 ms).
///
/// # Example
///
/// ```
/// use std::time::Duration;
///
/// assert_eq!(anyfn_otel::DEFAULT_EXPORT_TIMEOUT, Duration::from_millis(10_000));
/// let config = anyfn_otel::OtelConfig::from_vars(|_| None)?;
/// assert_eq!(config.traces_timeout(), anyfn_otel::DEFAULT_EXPORT_TIMEOUT);
/// assert_eq!(config.metrics_timeout(), anyfn_otel::DEFAULT_EXPORT_TIMEOUT);
/// # Ok::<(), anyfn_otel::OtelError>(())
/// ```
pub const DEFAULT_EXPORT_TIMEOUT: Duration = Duration::from_secs(10);

/// What [`install_with`](crate::install_with) builds: the traces endpoint,
/// the service name and the resource's attributes.
///
/// # Example
///
/// ```
/// let vars = [
///     ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"),
///     ("AWS_LAMBDA_FUNCTION_NAME", "hello"),
/// ];
/// let config = anyfn_otel::OtelConfig::from_vars(|name| {
///     vars.iter().find(|(key, _)| *key == name).map(|(_, value)| value.to_string())
/// })?;
/// assert_eq!(config.traces_endpoint(), "http://collector:4318/v1/traces");
/// assert_eq!(config.attribute("faas.name"), Some("hello".to_owned()));
/// assert_eq!(config.attribute("cloud.platform"), Some("aws_lambda".to_owned()));
/// # Ok::<(), anyfn_otel::OtelError>(())
/// ```
#[derive(Debug, Clone)]
pub struct OtelConfig {
    endpoint: String,
    /// Where metrics go; `None`: no metrics exported.
    metrics_endpoint: Option<String>,
    metric_interval: Duration,
    temporality: Temporality,
    /// A PEM file of the CAs to trust, for traces and for metrics.
    traces_certificate: Option<PathBuf>,
    metrics_certificate: Option<PathBuf>,
    /// Whether each export is gzip-compressed, for traces and for metrics.
    traces_gzip: bool,
    metrics_gzip: bool,
    /// How long one export may take, for traces and for metrics.
    traces_timeout: Duration,
    metrics_timeout: Duration,
    service_name: String,
    attributes: Vec<KeyValue>,
    /// An Azure function app's resource id, for each function's span.
    azure_site: Option<String>,
}

impl OtelConfig {
    /// The settings the process's environment gives.
    ///
    /// # Errors
    ///
    /// [`OtelError::UnsupportedProtocol`] when `OTEL_EXPORTER_OTLP_PROTOCOL`
    /// (or `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL`, which wins) is set to
    /// anything but `http/protobuf`; [`OtelError::InvalidVariable`] when a
    /// variable holds a value it cannot: `OTEL_EXPORTER_OTLP_COMPRESSION`
    /// (or a signal's own) other than `gzip` or `none`,
    /// `OTEL_EXPORTER_OTLP_TIMEOUT` (or a signal's own) not a number of
    /// milliseconds above 0, `OTEL_METRICS_EXPORTER` other than `otlp` or
    /// `none`, `OTEL_METRIC_EXPORT_INTERVAL` not a number of milliseconds
    /// above 0, `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE` other
    /// than `cumulative`, `delta` or `lowmemory`.
    ///
    /// # Example
    ///
    /// ```
    /// let config = anyfn_otel::OtelConfig::from_env()?;
    /// # Ok::<(), anyfn_otel::OtelError>(())
    /// ```
    pub fn from_env() -> Result<Self, OtelError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// The settings that `var` (a variable's value by its name) gives: the
    /// endpoint from `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (as is), else
    /// `OTEL_EXPORTER_OTLP_ENDPOINT` followed by `/v1/traces`, else
    /// [`DEFAULT_ENDPOINT`]; the service from `OTEL_SERVICE_NAME`, else
    /// the function's name, else `anyfn`; the FaaS resource from the
    /// platform's variables: on Lambda `AWS_LAMBDA_FUNCTION_NAME`,
    /// `…_VERSION`, `AWS_LAMBDA_LOG_STREAM_NAME`, `…_MEMORY_SIZE`,
    /// `AWS_REGION`; on Cloud Run `K_SERVICE`, `K_REVISION`; on Azure
    /// `WEBSITE_SITE_NAME`, `WEBSITE_INSTANCE_ID`, `REGION_NAME`;
    /// `cloud.resource_id` on Lambda from `AWS_ACCOUNT_ID` (the function's
    /// ARN: Lambda gives a function no account of its own), on Azure from
    /// `WEBSITE_OWNER_NAME` and `WEBSITE_RESOURCE_GROUP` (per function, on
    /// each span); then `OTEL_RESOURCE_ATTRIBUTES` (`key=value,…`,
    /// percent-encoded values), which wins. Each signal's compression from
    /// `OTEL_EXPORTER_OTLP_TRACES_COMPRESSION` /
    /// `OTEL_EXPORTER_OTLP_METRICS_COMPRESSION`, else
    /// `OTEL_EXPORTER_OTLP_COMPRESSION` (`gzip` or `none`, the default);
    /// its timeout from `OTEL_EXPORTER_OTLP_TRACES_TIMEOUT` /
    /// `OTEL_EXPORTER_OTLP_METRICS_TIMEOUT`, else
    /// `OTEL_EXPORTER_OTLP_TIMEOUT` (milliseconds), else
    /// [`DEFAULT_EXPORT_TIMEOUT`].
    ///
    /// # Errors
    ///
    /// As [`from_env`](Self::from_env).
    ///
    /// # Example
    ///
    /// ```
    /// let refused = anyfn_otel::OtelConfig::from_vars(|name| {
    ///     (name == "OTEL_EXPORTER_OTLP_PROTOCOL").then(|| "grpc".to_owned())
    /// });
    /// assert!(matches!(refused, Err(anyfn_otel::OtelError::UnsupportedProtocol(_))));
    /// ```
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, OtelError> {
        let var = |name: &str| {
            var(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let protocol = var("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
            .or_else(|| var("OTEL_EXPORTER_OTLP_PROTOCOL"));
        if let Some(protocol) = protocol {
            if protocol != "http/protobuf" {
                return Err(OtelError::UnsupportedProtocol(protocol));
            }
        }
        let endpoint = var("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
            .or_else(|| {
                var("OTEL_EXPORTER_OTLP_ENDPOINT")
                    .map(|base| format!("{}/v1/traces", base.trim_end_matches('/')))
            })
            .unwrap_or_else(|| DEFAULT_ENDPOINT.to_owned());
        if let Some(protocol) = var("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL") {
            if protocol != "http/protobuf" {
                return Err(OtelError::UnsupportedProtocol(protocol));
            }
        }
        let metrics_exporter = var("OTEL_METRICS_EXPORTER");
        let metrics_endpoint = match metrics_exporter.as_deref() {
            None | Some("otlp") => var("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT").or_else(|| {
                var("OTEL_EXPORTER_OTLP_ENDPOINT")
                    .map(|base| format!("{}/v1/metrics", base.trim_end_matches('/')))
            }),
            Some("none") => None,
            Some(other) => {
                return Err(OtelError::InvalidVariable {
                    name: "OTEL_METRICS_EXPORTER",
                    value: other.to_owned(),
                    expected: "otlp or none",
                })
            }
        };
        let metric_interval = match var("OTEL_METRIC_EXPORT_INTERVAL") {
            None => DEFAULT_METRIC_EXPORT_INTERVAL,
            Some(ms) => ms
                .parse::<u64>()
                .ok()
                .filter(|ms| *ms > 0)
                .map(Duration::from_millis)
                .ok_or(OtelError::InvalidVariable {
                    name: "OTEL_METRIC_EXPORT_INTERVAL",
                    value: ms,
                    expected: "a number of milliseconds above 0",
                })?,
        };
        let temporality = match var("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE")
            .map(|preference| preference.to_ascii_lowercase())
            .as_deref()
        {
            None | Some("cumulative") => Temporality::Cumulative,
            Some("delta") => Temporality::Delta,
            Some("lowmemory") => Temporality::LowMemory,
            Some(other) => {
                return Err(OtelError::InvalidVariable {
                    name: "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE",
                    value: other.to_owned(),
                    expected: "cumulative, delta or lowmemory",
                })
            }
        };
        let gzip = |signal: &'static str| -> Result<bool, OtelError> {
            let (name, value) = match var(signal) {
                Some(value) => (signal, value),
                None => match var("OTEL_EXPORTER_OTLP_COMPRESSION") {
                    Some(value) => ("OTEL_EXPORTER_OTLP_COMPRESSION", value),
                    None => return Ok(false),
                },
            };
            match value.to_ascii_lowercase().as_str() {
                "gzip" => Ok(true),
                "none" => Ok(false),
                _ => Err(OtelError::InvalidVariable {
                    name,
                    value,
                    expected: "gzip or none",
                }),
            }
        };
        let traces_gzip = gzip("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION")?;
        let metrics_gzip = gzip("OTEL_EXPORTER_OTLP_METRICS_COMPRESSION")?;
        let timeout = |signal: &'static str| -> Result<Duration, OtelError> {
            let (name, value) = match var(signal) {
                Some(value) => (signal, value),
                None => match var("OTEL_EXPORTER_OTLP_TIMEOUT") {
                    Some(value) => ("OTEL_EXPORTER_OTLP_TIMEOUT", value),
                    None => return Ok(DEFAULT_EXPORT_TIMEOUT),
                },
            };
            value
                .parse::<u64>()
                .ok()
                .filter(|ms| *ms > 0)
                .map(Duration::from_millis)
                .ok_or(OtelError::InvalidVariable {
                    name,
                    value,
                    expected: "a number of milliseconds above 0",
                })
        };
        let traces_timeout = timeout("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT")?;
        let metrics_timeout = timeout("OTEL_EXPORTER_OTLP_METRICS_TIMEOUT")?;
        let certificate = var("OTEL_EXPORTER_OTLP_CERTIFICATE").map(PathBuf::from);
        let traces_certificate = var("OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE")
            .map(PathBuf::from)
            .or_else(|| certificate.clone());
        let metrics_certificate = var("OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE")
            .map(PathBuf::from)
            .or(certificate);

        let mut attributes = Vec::new();
        let mut put = |key: &'static str, value: Option<String>| {
            if let Some(value) = value {
                attributes.push(KeyValue::new(key, value));
            }
        };
        let name;
        let mut azure_site = None;
        if let Some(function) = var("AWS_LAMBDA_FUNCTION_NAME") {
            name = Some(function.clone());
            let region = var("AWS_REGION");
            let account = var("AWS_ACCOUNT_ID");
            // The function's ARN needs the account, which Lambda does not
            // give a function (only each invocation's invoked ARN, which
            // may name an alias): from `AWS_ACCOUNT_ID` when set.
            let arn = match (&region, &account) {
                (Some(region), Some(account)) => Some(format!(
                    "arn:aws:lambda:{region}:{account}:function:{function}"
                )),
                _ => None,
            };
            put("cloud.provider", Some("aws".to_owned()));
            put("cloud.platform", Some("aws_lambda".to_owned()));
            put("cloud.region", region);
            put("cloud.account.id", account);
            put("cloud.resource_id", arn);
            put("faas.name", Some(function));
            put("faas.version", var("AWS_LAMBDA_FUNCTION_VERSION"));
            put("faas.instance", var("AWS_LAMBDA_LOG_STREAM_NAME"));
        } else if let Some(service) = var("K_SERVICE") {
            name = Some(service.clone());
            put("cloud.provider", Some("gcp".to_owned()));
            put("cloud.platform", Some("gcp_cloud_run".to_owned()));
            put("faas.name", Some(service));
            put("faas.version", var("K_REVISION"));
        } else if let Some(site) = var("WEBSITE_SITE_NAME") {
            name = Some(site.clone());
            put("cloud.provider", Some("azure".to_owned()));
            put("cloud.platform", Some("azure_functions".to_owned()));
            put("cloud.region", var("REGION_NAME"));
            // `<subscription>+<resource group>-<region>webspace`.
            let subscription = var("WEBSITE_OWNER_NAME")
                .and_then(|owner| owner.split_once('+').map(|(id, _)| id.to_owned()));
            if let (Some(subscription), Some(group)) = (subscription, var("WEBSITE_RESOURCE_GROUP"))
            {
                azure_site = Some(format!(
                    "/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Web/sites/{site}"
                ));
            }
            put("faas.name", Some(site));
            put("faas.instance", var("WEBSITE_INSTANCE_ID"));
        } else {
            name = None;
        }
        let memory_mb =
            var("AWS_LAMBDA_FUNCTION_MEMORY_SIZE").and_then(|mb| mb.parse::<i64>().ok());
        if let Some(mb) = memory_mb {
            // The convention's unit is bytes.
            attributes.push(KeyValue::new("faas.max_memory", mb * 1024 * 1024));
        }
        // OTEL_RESOURCE_ATTRIBUTES (`key=value,…`, values percent-encoded)
        // win over what the platform's variables gave.
        if let Some(pairs) = var("OTEL_RESOURCE_ATTRIBUTES") {
            for (key, value) in resource_attributes(&pairs) {
                attributes.retain(|attribute| attribute.key.as_str() != key);
                if key == "cloud.resource_id" {
                    azure_site = None;
                }
                attributes.push(KeyValue::new(key, value));
            }
        }
        let service_name = var("OTEL_SERVICE_NAME")
            .or(name)
            .unwrap_or_else(|| "anyfn".to_owned());
        Ok(Self {
            endpoint,
            metrics_endpoint,
            metric_interval,
            temporality,
            traces_certificate,
            metrics_certificate,
            traces_gzip,
            metrics_gzip,
            traces_timeout,
            metrics_timeout,
            service_name,
            attributes,
            azure_site,
        })
    }

    /// The same, with spans sent to `endpoint` (the full URL, `/v1/traces`
    /// included).
    ///
    /// # Example
    ///
    /// ```
    /// let config = anyfn_otel::OtelConfig::from_vars(|_| None)?.endpoint("http://127.0.0.1:4318/v1/traces");
    /// assert_eq!(config.traces_endpoint(), "http://127.0.0.1:4318/v1/traces");
    /// # Ok::<(), anyfn_otel::OtelError>(())
    /// ```
    #[must_use]
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = endpoint.into();
        self
    }

    /// The same, with metrics sent to `endpoint` (the full URL,
    /// `/v1/metrics` included).
    ///
    /// # Example
    ///
    /// ```
    /// let config = anyfn_otel::OtelConfig::from_vars(|_| None)?.metrics_endpoint("http://127.0.0.1:4318/v1/metrics");
    /// assert_eq!(config.metrics_export_endpoint(), Some("http://127.0.0.1:4318/v1/metrics"));
    /// # Ok::<(), anyfn_otel::OtelError>(())
    /// ```
    #[must_use]
    pub fn metrics_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.metrics_endpoint = Some(endpoint.into());
        self
    }

    /// The same, with metrics exported every `interval` as well as at each
    /// flush (a zero interval is taken as the default).
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let config = anyfn_otel::OtelConfig::from_vars(|_| None)?.metric_export_interval(Duration::from_secs(10));
    /// assert_eq!(config.metric_interval(), Duration::from_secs(10));
    /// # Ok::<(), anyfn_otel::OtelError>(())
    /// ```
    #[must_use]
    pub fn metric_export_interval(mut self, interval: Duration) -> Self {
        self.metric_interval = if interval.is_zero() {
            DEFAULT_METRIC_EXPORT_INTERVAL
        } else {
            interval
        };
        self
    }

    /// The same, trusting the CA certificates of PEM file `path` (and no
    /// other) for both traces and metrics, as `OTEL_EXPORTER_OTLP_CERTIFICATE`
    /// does.
    ///
    /// # Example
    ///
    /// ```
    /// let config = anyfn_otel::OtelConfig::from_vars(|_| None)?.certificate("/etc/otel/ca.pem");
    /// assert_eq!(config.traces_certificate(), Some(std::path::Path::new("/etc/otel/ca.pem")));
    /// # Ok::<(), anyfn_otel::OtelError>(())
    /// ```
    #[must_use]
    pub fn certificate(mut self, path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        self.traces_certificate = Some(path.clone());
        self.metrics_certificate = Some(path);
        self
    }

    /// Where metrics are sent: `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT` (as
    /// is), else `OTEL_EXPORTER_OTLP_ENDPOINT` followed by `/v1/metrics`;
    /// `None`, and no metrics exported, when neither is set or
    /// `OTEL_METRICS_EXPORTER` is `none`.
    ///
    /// # Example
    ///
    /// ```
    /// let config = anyfn_otel::OtelConfig::from_vars(|name| {
    ///     (name == "OTEL_EXPORTER_OTLP_ENDPOINT").then(|| "https://collector:4318/".to_owned())
    /// })?;
    /// assert_eq!(config.metrics_export_endpoint(), Some("https://collector:4318/v1/metrics"));
    /// assert_eq!(anyfn_otel::OtelConfig::from_vars(|_| None)?.metrics_export_endpoint(), None);
    /// # Ok::<(), anyfn_otel::OtelError>(())
    /// ```
    pub fn metrics_export_endpoint(&self) -> Option<&str> {
        self.metrics_endpoint.as_deref()
    }

    /// How often metrics are exported besides each flush:
    /// `OTEL_METRIC_EXPORT_INTERVAL` (milliseconds), else
    /// [`DEFAULT_METRIC_EXPORT_INTERVAL`].
    ///
    /// # Example
    ///
    /// ```
    /// let config = anyfn_otel::OtelConfig::from_vars(|name| {
    ///     (name == "OTEL_METRIC_EXPORT_INTERVAL").then(|| "5000".to_owned())
    /// })?;
    /// assert_eq!(config.metric_interval(), std::time::Duration::from_secs(5));
    /// # Ok::<(), anyfn_otel::OtelError>(())
    /// ```
    pub fn metric_interval(&self) -> Duration {
        self.metric_interval
    }

    /// The PEM file of CA certificates trusted for the traces endpoint:
    /// `OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE`, else
    /// `OTEL_EXPORTER_OTLP_CERTIFICATE`; `None`: the system's roots.
    ///
    /// # Example
    ///
    /// ```
    /// let config = anyfn_otel::OtelConfig::from_vars(|name| {
    ///     (name == "OTEL_EXPORTER_OTLP_CERTIFICATE").then(|| "/etc/otel/ca.pem".to_owned())
    /// })?;
    /// assert_eq!(config.traces_certificate(), Some(std::path::Path::new("/etc/otel/ca.pem")));
    /// # Ok::<(), anyfn_otel::OtelError>(())
    /// ```
    pub fn traces_certificate(&self) -> Option<&Path> {
        self.traces_certificate.as_deref()
    }

    /// The PEM file of CA certificates trusted for the metrics endpoint:
    /// `OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE`, else
    /// `OTEL_EXPORTER_OTLP_CERTIFICATE`; `None`: the system's roots.
    ///
    /// # Example
    ///
    /// ```
    /// let config = anyfn_otel::OtelConfig::from_vars(|_| None)?;
    /// assert_eq!(config.metrics_certificate(), None);
    /// # Ok::<(), anyfn_otel::OtelError>(())
    /// ```
    pub fn metrics_certificate(&self) -> Option<&Path> {
        self.metrics_certificate.as_deref()
    }

    /// How long one traces export may take, connection included:
    /// `OTEL_EXPORTER_OTLP_TRACES_TIMEOUT`, else
    /// `OTEL_EXPORTER_OTLP_TIMEOUT` (milliseconds), else
    /// [`DEFAULT_EXPORT_TIMEOUT`].
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let config = anyfn_otel::OtelConfig::from_vars(|name| {
    ///     (name == "OTEL_EXPORTER_OTLP_TIMEOUT").then(|| "2500".to_owned())
    /// })?;
    /// assert_eq!(config.traces_timeout(), Duration::from_millis(2500));
    /// assert_eq!(
    ///     anyfn_otel::OtelConfig::from_vars(|_| None)?.traces_timeout(),
    ///     anyfn_otel::DEFAULT_EXPORT_TIMEOUT
    /// );
    /// # Ok::<(), anyfn_otel::OtelError>(())
    /// ```
    pub fn traces_timeout(&self) -> Duration {
        self.traces_timeout
    }

    /// How long one metrics export may take, connection included:
    /// `OTEL_EXPORTER_OTLP_METRICS_TIMEOUT`, else
    /// `OTEL_EXPORTER_OTLP_TIMEOUT` (milliseconds), else
    /// [`DEFAULT_EXPORT_TIMEOUT`].
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let config = anyfn_otel::OtelConfig::from_vars(|name| match name {
    ///     "OTEL_EXPORTER_OTLP_TIMEOUT" => Some("2500".to_owned()),
    ///     "OTEL_EXPORTER_OTLP_METRICS_TIMEOUT" => Some("800".to_owned()),
    ///     _ => None,
    /// })?;
    /// assert_eq!(config.metrics_timeout(), Duration::from_millis(800));
    /// # Ok::<(), anyfn_otel::OtelError>(())
    /// ```
    pub fn metrics_timeout(&self) -> Duration {
        self.metrics_timeout
    }

    /// Whether each traces export is gzip-compressed
    /// (`OTEL_EXPORTER_OTLP_TRACES_COMPRESSION`, else
    /// `OTEL_EXPORTER_OTLP_COMPRESSION`, is `gzip`).
    ///
    /// # Example
    ///
    /// ```
    /// let config = anyfn_otel::OtelConfig::from_vars(|name| {
    ///     (name == "OTEL_EXPORTER_OTLP_COMPRESSION").then(|| "gzip".to_owned())
    /// })?;
    /// assert!(config.traces_gzip());
    /// assert!(!anyfn_otel::OtelConfig::from_vars(|_| None)?.traces_gzip());
    /// # Ok::<(), anyfn_otel::OtelError>(())
    /// ```
    pub fn traces_gzip(&self) -> bool {
        self.traces_gzip
    }

    /// Whether each metrics export is gzip-compressed
    /// (`OTEL_EXPORTER_OTLP_METRICS_COMPRESSION`, else
    /// `OTEL_EXPORTER_OTLP_COMPRESSION`, is `gzip`).
    ///
    /// # Example
    ///
    /// ```
    /// let config = anyfn_otel::OtelConfig::from_vars(|name| match name {
    ///     "OTEL_EXPORTER_OTLP_COMPRESSION" => Some("gzip".to_owned()),
    ///     "OTEL_EXPORTER_OTLP_METRICS_COMPRESSION" => Some("none".to_owned()),
    ///     _ => None,
    /// })?;
    /// assert!(!config.metrics_gzip());
    /// # Ok::<(), anyfn_otel::OtelError>(())
    /// ```
    pub fn metrics_gzip(&self) -> bool {
        self.metrics_gzip
    }

    /// The metrics' aggregation temporality, from
    /// `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`.
    pub(crate) fn temporality(&self) -> Temporality {
        self.temporality
    }

    /// The same, with `service.name` set to `name`.
    ///
    /// # Example
    ///
    /// ```
    /// let config = anyfn_otel::OtelConfig::from_vars(|_| None)?.service_name("greeter");
    /// assert_eq!(config.service(), "greeter");
    /// # Ok::<(), anyfn_otel::OtelError>(())
    /// ```
    #[must_use]
    pub fn service_name(mut self, name: impl Into<String>) -> Self {
        self.service_name = name.into();
        self
    }

    /// Where spans are sent.
    ///
    /// # Example
    ///
    /// ```
    /// let config = anyfn_otel::OtelConfig::from_vars(|_| None)?;
    /// assert_eq!(config.traces_endpoint(), anyfn_otel::DEFAULT_ENDPOINT);
    /// # Ok::<(), anyfn_otel::OtelError>(())
    /// ```
    pub fn traces_endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The `service.name` of the resource.
    ///
    /// # Example
    ///
    /// ```
    /// let config = anyfn_otel::OtelConfig::from_vars(|_| None)?;
    /// assert_eq!(config.service(), "anyfn");
    /// # Ok::<(), anyfn_otel::OtelError>(())
    /// ```
    pub fn service(&self) -> &str {
        &self.service_name
    }

    /// A resource attribute other than `service.name`, as text, if set.
    ///
    /// # Example
    ///
    /// ```
    /// let config = anyfn_otel::OtelConfig::from_vars(|name| {
    ///     (name == "K_SERVICE").then(|| "hello".to_owned())
    /// })?;
    /// assert_eq!(config.attribute("cloud.provider"), Some("gcp".to_owned()));
    /// # Ok::<(), anyfn_otel::OtelError>(())
    /// ```
    pub fn attribute(&self, key: &str) -> Option<String> {
        self.attributes
            .iter()
            .find(|attribute| attribute.key.as_str() == key)
            .map(|attribute| attribute.value.to_string())
    }

    /// An Azure function app's resource id
    /// (`/subscriptions/…/resourceGroups/…/providers/Microsoft.Web/sites/…`),
    /// from `WEBSITE_OWNER_NAME` and `WEBSITE_RESOURCE_GROUP`: each
    /// invocation span's `cloud.resource_id` is it and `/functions/<name>`,
    /// since one app holds several functions.
    pub(crate) fn azure_site(&self) -> Option<&str> {
        self.azure_site.as_deref()
    }

    /// The resource spans are exported with.
    pub(crate) fn resource(&self) -> Resource {
        Resource::builder_empty()
            .with_service_name(self.service_name.clone())
            .with_attributes(self.attributes.iter().cloned())
            .build()
    }
}

/// `OTEL_RESOURCE_ATTRIBUTES`: `key=value` pairs separated by commas, the
/// values percent-encoded; a malformed pair is skipped.
fn resource_attributes(pairs: &str) -> Vec<(String, String)> {
    pairs
        .split(',')
        .filter_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            let key = key.trim();
            (!key.is_empty()).then(|| (key.to_owned(), percent_decode(value.trim())))
        })
        .collect()
}

/// `%XX` escapes decoded; a malformed escape is kept as it is.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                decoded.push(byte);
                i += 3;
            }
            None => {
                decoded.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> OtelConfig {
        OtelConfig::from_vars(|name| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        })
        .expect("http/protobuf")
    }

    /// The error of a config whose only variable is `name`, set to
    /// `value`: an `InvalidVariable` naming both.
    fn refused(name: &str, value: &str) -> OtelError {
        let err = OtelConfig::from_vars(|var| (var == name).then(|| value.to_owned()))
            .expect_err("refused");
        assert!(
            matches!(&err, OtelError::InvalidVariable { name: named, value: got, .. }
                if *named == name && got == value),
            "{err}"
        );
        err
    }

    #[test]
    fn lambdas_resource_id_is_the_functions_arn_when_the_account_is_known() {
        let lambda = [
            ("AWS_LAMBDA_FUNCTION_NAME", "greeter"),
            ("AWS_REGION", "eu-west-3"),
            ("AWS_ACCOUNT_ID", "123456789012"),
        ];
        assert_eq!(
            config(&lambda).attribute("cloud.resource_id").as_deref(),
            Some("arn:aws:lambda:eu-west-3:123456789012:function:greeter")
        );
        assert_eq!(
            config(&lambda[..2]).attribute("cloud.resource_id"),
            None,
            "no account, no ARN"
        );
    }

    #[test]
    fn azures_resource_id_is_the_apps_and_the_functions() {
        let azure = config(&[
            ("WEBSITE_SITE_NAME", "greeter-app"),
            ("WEBSITE_OWNER_NAME", "0000-sub+greeters-WestEuropewebspace"),
            ("WEBSITE_RESOURCE_GROUP", "greeters"),
        ]);
        assert_eq!(
            azure.azure_site(),
            Some("/subscriptions/0000-sub/resourceGroups/greeters/providers/Microsoft.Web/sites/greeter-app")
        );
        assert_eq!(
            config(&[("WEBSITE_SITE_NAME", "greeter-app")]).azure_site(),
            None
        );
    }

    #[test]
    fn metrics_are_exported_only_where_an_endpoint_says() {
        assert_eq!(config(&[]).metrics_export_endpoint(), None);
        assert_eq!(
            config(&[(
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                "http://c:4318/v1/traces"
            )])
            .metrics_export_endpoint(),
            None,
            "a traces endpoint says nothing of metrics"
        );
        let both = [
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"),
            (
                "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
                "https://m:4318/custom",
            ),
        ];
        assert_eq!(
            config(&both).metrics_export_endpoint(),
            Some("https://m:4318/custom"),
            "the signal's own, as is"
        );
        let off = [
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"),
            ("OTEL_METRICS_EXPORTER", "none"),
        ];
        assert_eq!(config(&off).metrics_export_endpoint(), None);
    }

    #[test]
    fn metric_variables_that_cannot_be_read_are_typed_errors() {
        for (name, value) in [
            ("OTEL_METRICS_EXPORTER", "prometheus"),
            ("OTEL_METRIC_EXPORT_INTERVAL", "soon"),
            ("OTEL_METRIC_EXPORT_INTERVAL", "0"),
            (
                "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE",
                "sometimes",
            ),
        ] {
            let err = OtelConfig::from_vars(|var| (var == name).then(|| value.to_owned()))
                .expect_err("refused");
            assert!(
                matches!(&err, OtelError::InvalidVariable { name: named, .. } if *named == name),
                "{err}"
            );
        }
        let refused = OtelConfig::from_vars(|var| {
            (var == "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL").then(|| "grpc".to_owned())
        });
        assert!(matches!(refused, Err(OtelError::UnsupportedProtocol(_))));
        let delta = config(&[("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "Delta")]);
        assert_eq!(delta.temporality(), Temporality::Delta);
        assert_eq!(config(&[]).temporality(), Temporality::Cumulative);
    }

    #[test]
    fn compression_is_gzip_or_none_each_signals_own_winning() {
        assert!(!config(&[]).traces_gzip());
        assert!(!config(&[]).metrics_gzip());
        let both = config(&[("OTEL_EXPORTER_OTLP_COMPRESSION", " GZIP ")]);
        assert!(both.traces_gzip() && both.metrics_gzip());
        let traces_only = config(&[
            ("OTEL_EXPORTER_OTLP_COMPRESSION", "none"),
            ("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "gzip"),
        ]);
        assert!(traces_only.traces_gzip());
        assert!(!traces_only.metrics_gzip());
        let metrics_only = config(&[
            ("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"),
            ("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "none"),
        ]);
        assert!(!metrics_only.traces_gzip());
        assert!(metrics_only.metrics_gzip());
        for (name, value) in [
            ("OTEL_EXPORTER_OTLP_COMPRESSION", "brotli"),
            ("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "zstd"),
            ("OTEL_EXPORTER_OTLP_METRICS_COMPRESSION", "deflate"),
        ] {
            let err = refused(name, value);
            assert!(err.to_string().contains(name), "{err}");
            assert!(err.to_string().contains(value), "{err}");
        }
    }

    #[test]
    fn timeouts_are_milliseconds_each_signals_own_winning() {
        assert_eq!(config(&[]).traces_timeout(), Duration::from_millis(10_000));
        assert_eq!(config(&[]).metrics_timeout(), DEFAULT_EXPORT_TIMEOUT);
        let general = config(&[("OTEL_EXPORTER_OTLP_TIMEOUT", "1500")]);
        assert_eq!(general.traces_timeout(), Duration::from_millis(1500));
        assert_eq!(general.metrics_timeout(), Duration::from_millis(1500));
        let own = config(&[
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "1500"),
            ("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "250"),
            ("OTEL_EXPORTER_OTLP_METRICS_TIMEOUT", "30000"),
        ]);
        assert_eq!(own.traces_timeout(), Duration::from_millis(250));
        assert_eq!(own.metrics_timeout(), Duration::from_secs(30));
        for (name, value) in [
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "10s"),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "-1"),
            ("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "0"),
            ("OTEL_EXPORTER_OTLP_METRICS_TIMEOUT", "1.5"),
        ] {
            refused(name, value);
        }
    }

    #[test]
    fn each_signal_may_trust_a_certificate_file_of_its_own() {
        let certificates = config(&[
            ("OTEL_EXPORTER_OTLP_CERTIFICATE", "/ca.pem"),
            ("OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE", "/metrics-ca.pem"),
        ]);
        assert_eq!(
            certificates.traces_certificate(),
            Some(Path::new("/ca.pem"))
        );
        assert_eq!(
            certificates.metrics_certificate(),
            Some(Path::new("/metrics-ca.pem"))
        );
    }

    #[test]
    fn otel_resource_attributes_win_and_are_percent_decoded() {
        let run = config(&[
            ("K_SERVICE", "greeter"),
            (
                "OTEL_RESOURCE_ATTRIBUTES",
                "cloud.resource_id=//run.googleapis.com/projects/p/locations/europe-west1/services/greeter, cloud.provider=gcp%2Dx,bad,=x",
            ),
        ]);
        assert_eq!(
            run.attribute("cloud.resource_id").as_deref(),
            Some("//run.googleapis.com/projects/p/locations/europe-west1/services/greeter")
        );
        assert_eq!(run.attribute("cloud.provider").as_deref(), Some("gcp-x"));
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }
}
