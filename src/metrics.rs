//! [`Metrics`]: what a handler counts and measures, recorded through its
//! [`Context`](crate::Context) and written by the adapter's sink, the same
//! code on every platform.
//!
//! The core holds no sink of its own: an adapter that has one (anyfn-lambda
//! writes CloudWatch's Embedded Metric Format when `ANYFN_METRICS_NAMESPACE`
//! is set) puts a [`MetricsSink`] in each invocation's context, and
//! anyfn-otel, installed with a metrics endpoint, one of OpenTelemetry's
//! (passing everything on to the adapter's too); everywhere else
//! [`Metrics`] is [`Metrics::none`], and recording costs a branch.

use std::fmt;
use std::sync::Arc;

/// The unit of a recorded value: CloudWatch's units, which other metric
/// systems map one to one.
///
/// # Example
///
/// ```
/// assert_eq!(anyfn::metrics::Unit::Milliseconds.as_str(), "Milliseconds");
/// assert_eq!(anyfn::metrics::Unit::CountPerSecond.as_str(), "Count/Second");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Unit {
    /// No unit.
    None,
    /// A count of things.
    Count,
    /// Seconds.
    Seconds,
    /// Milliseconds.
    Milliseconds,
    /// Microseconds.
    Microseconds,
    /// Bytes.
    Bytes,
    /// Kilobytes.
    Kilobytes,
    /// Megabytes.
    Megabytes,
    /// A percentage.
    Percent,
    /// Things per second.
    CountPerSecond,
    /// Bytes per second.
    BytesPerSecond,
}

/// Its name, as CloudWatch spells it; also what it [displays](fmt::Display) as.
///
/// # Example
///
/// ```
/// use anyfn::metrics::Unit;
///
/// assert_eq!(Unit::BytesPerSecond.as_str(), "Bytes/Second");
/// assert_eq!(Unit::Bytes.to_string(), "Bytes");
/// ```
impl Unit {
    /// Its name as CloudWatch spells it.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::metrics::Unit;
    ///
    /// assert_eq!(Unit::Kilobytes.as_str(), "Kilobytes");
    /// assert_eq!(Unit::None.as_str(), "None");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::None => "None",
            Self::Count => "Count",
            Self::Seconds => "Seconds",
            Self::Milliseconds => "Milliseconds",
            Self::Microseconds => "Microseconds",
            Self::Bytes => "Bytes",
            Self::Kilobytes => "Kilobytes",
            Self::Megabytes => "Megabytes",
            Self::Percent => "Percent",
            Self::CountPerSecond => "Count/Second",
            Self::BytesPerSecond => "Bytes/Second",
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a metric's values add up within an invocation.
///
/// # Example
///
/// ```
/// # use std::sync::{Arc, Mutex};
/// # use anyfn::metrics::{MetricKind, Metrics, MetricsSink, Unit};
/// # #[derive(Debug, Default)]
/// # struct Lines(Mutex<Vec<String>>);
/// # impl MetricsSink for Lines {
/// #     fn record(&self, name: &str, value: f64, unit: Unit, kind: MetricKind) {
/// #         self.0.lock().unwrap().push(format!("{name} {value} {unit} {kind:?}"));
/// #     }
/// #     fn dimension(&self, key: &str, value: &str) {
/// #         self.0.lock().unwrap().push(format!("{key}={value}"));
/// #     }
/// # }
/// // `Lines`: a `MetricsSink` keeping each call as a line (as in `MetricsSink`'s example).
/// let sink = Arc::new(Lines::default());
/// let metrics = Metrics::new(sink.clone());
/// metrics.count("Orders", 1);
/// metrics.record("Latency", 12.5, Unit::Milliseconds);
/// assert_eq!(
///     *sink.0.lock().unwrap(),
///     ["Orders 1 Count Counter", "Latency 12.5 Milliseconds Distribution"]
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MetricKind {
    /// A counter: the invocation's increments are summed into one value.
    Counter,
    /// A distribution (a histogram): every value is kept.
    Distribution,
}

/// Where an adapter sends what a handler records: implemented by the
/// adapter kit's sinks (anyfn_kit's `EmfMetrics`), or your own. Called on
/// the handler's task; an implementation must not block for long.
///
/// # Example
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use anyfn::metrics::{MetricKind, Metrics, MetricsSink, Unit};
///
/// #[derive(Debug, Default)]
/// struct Lines(Mutex<Vec<String>>);
/// impl MetricsSink for Lines {
///     fn record(&self, name: &str, value: f64, unit: Unit, kind: MetricKind) {
///         self.0.lock().unwrap().push(format!("{name} {value} {unit} {kind:?}"));
///     }
///     fn dimension(&self, _: &str, _: &str) {}
/// }
///
/// let sink = Arc::new(Lines::default());
/// Metrics::new(sink.clone()).count("Orders", 2);
/// assert_eq!(*sink.0.lock().unwrap(), ["Orders 2 Count Counter"]);
/// ```
pub trait MetricsSink: Send + Sync + fmt::Debug {
    /// Records `value` of metric `name`.
    ///
    /// # Example
    ///
    /// ```
    /// # use std::sync::{Arc, Mutex};
    /// # use anyfn::metrics::{MetricKind, Metrics, MetricsSink, Unit};
    /// # #[derive(Debug, Default)]
    /// # struct Lines(Mutex<Vec<String>>);
    /// # impl MetricsSink for Lines {
    /// #     fn record(&self, name: &str, value: f64, unit: Unit, kind: MetricKind) {
    /// #         self.0.lock().unwrap().push(format!("{name} {value} {unit} {kind:?}"));
    /// #     }
    /// #     fn dimension(&self, key: &str, value: &str) {
    /// #         self.0.lock().unwrap().push(format!("{key}={value}"));
    /// #     }
    /// # }
    /// // `Lines`: a `MetricsSink` keeping each call as a line (as in `MetricsSink`'s example).
    /// let sink = Arc::new(Lines::default());
    /// Metrics::new(sink.clone()).record("Latency", 12.5, Unit::Milliseconds);
    /// sink.record("Retries", 2.0, Unit::Count, MetricKind::Counter);
    /// assert_eq!(
    ///     *sink.0.lock().unwrap(),
    ///     ["Latency 12.5 Milliseconds Distribution", "Retries 2 Count Counter"]
    /// );
    /// ```
    fn record(&self, name: &str, value: f64, unit: Unit, kind: MetricKind);

    /// Sets dimension `key` to `value` for this invocation's metrics.
    ///
    /// # Example
    ///
    /// ```
    /// # use std::sync::{Arc, Mutex};
    /// # use anyfn::metrics::{MetricKind, Metrics, MetricsSink, Unit};
    /// # #[derive(Debug, Default)]
    /// # struct Lines(Mutex<Vec<String>>);
    /// # impl MetricsSink for Lines {
    /// #     fn record(&self, name: &str, value: f64, unit: Unit, kind: MetricKind) {
    /// #         self.0.lock().unwrap().push(format!("{name} {value} {unit} {kind:?}"));
    /// #     }
    /// #     fn dimension(&self, key: &str, value: &str) {
    /// #         self.0.lock().unwrap().push(format!("{key}={value}"));
    /// #     }
    /// # }
    /// // `Lines`: a `MetricsSink` keeping each call as a line (as in `MetricsSink`'s example).
    /// let sink = Arc::new(Lines::default());
    /// Metrics::new(sink.clone()).dimension("Tenant", "acme");
    /// assert_eq!(*sink.0.lock().unwrap(), ["Tenant=acme"]);
    /// ```
    fn dimension(&self, key: &str, value: &str);
}

/// The metrics of one invocation: [`Context::metrics`](crate::Context::metrics).
/// Cheap to clone (one reference count); records nothing, at the cost of a
/// branch, when the adapter has no sink.
///
/// # Example
///
/// ```
/// use anyfn::metrics::Unit;
/// use anyfn::{handler_fn, Context, Json};
///
/// let checkout = handler_fn(|Json(items): Json<Vec<u32>>, context: Context| async move {
///     let metrics = context.metrics();
///     metrics.dimension("Shop", "eu");
///     metrics.count("Orders", 1);
///     metrics.record("BasketSize", items.len() as f64, Unit::Count);
///     Ok::<_, anyfn::Error>(Json(items.iter().sum::<u32>()))
/// });
/// # drop(checkout);
/// assert!(!anyfn::metrics::Metrics::none().is_enabled());
/// ```
#[derive(Clone, Default)]
pub struct Metrics {
    sink: Option<Arc<dyn MetricsSink>>,
}

/// Recording: [`count`](Self::count), [`record`](Self::record) and
/// [`dimension`](Self::dimension), each doing nothing when there is no sink
/// ([`none`](Self::none)).
///
/// # Example
///
/// ```
/// use anyfn::metrics::{Metrics, Unit};
///
/// let metrics = Metrics::none();
/// metrics.count("Orders", 1);
/// metrics.record("Latency", 12.5, Unit::Milliseconds);
/// assert!(!metrics.is_enabled());
/// assert_eq!(format!("{metrics:?}"), "Metrics(none)");
/// ```
impl Metrics {
    /// Metrics written to `sink`.
    ///
    /// # Example
    ///
    /// ```
    /// use std::sync::Arc;
    /// use anyfn::metrics::{MetricKind, Metrics, MetricsSink, Unit};
    ///
    /// #[derive(Debug)]
    /// struct Print;
    /// impl MetricsSink for Print {
    ///     fn record(&self, name: &str, value: f64, unit: Unit, _: MetricKind) {
    ///         println!("{name} {value} {unit}");
    ///     }
    ///     fn dimension(&self, _: &str, _: &str) {}
    /// }
    /// assert!(Metrics::new(Arc::new(Print)).is_enabled());
    /// ```
    pub fn new(sink: Arc<dyn MetricsSink>) -> Self {
        Self { sink: Some(sink) }
    }

    /// No sink: everything recorded is dropped.
    ///
    /// # Example
    ///
    /// ```
    /// anyfn::metrics::Metrics::none().count("Ignored", 1);
    /// ```
    pub const fn none() -> Self {
        Self { sink: None }
    }

    /// Whether anything recorded goes anywhere (to skip computing a costly
    /// value for nothing).
    ///
    /// # Example
    ///
    /// ```
    /// assert!(!anyfn::Context::builder().build().metrics().is_enabled());
    /// ```
    pub fn is_enabled(&self) -> bool {
        self.sink.is_some()
    }

    /// Adds `by` to counter `name` (unit `Count`).
    ///
    /// # Example
    ///
    /// ```
    /// anyfn::Context::builder().build().metrics().count("Orders", 1);
    /// ```
    pub fn count(&self, name: &str, by: u64) {
        if let Some(sink) = &self.sink {
            // Counts past 2^53 lose precision, as every metric system's do.
            #[allow(clippy::cast_precision_loss)]
            sink.record(name, by as f64, Unit::Count, MetricKind::Counter);
        }
    }

    /// Records one value of distribution `name` (a histogram: every value
    /// kept, CloudWatch computing percentiles). A value that is not finite
    /// is dropped by the sinks, as no metric system stores it.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::metrics::Unit;
    ///
    /// anyfn::Context::builder().build().metrics().record("Latency", 12.5, Unit::Milliseconds);
    /// ```
    pub fn record(&self, name: &str, value: f64, unit: Unit) {
        if let Some(sink) = &self.sink {
            sink.record(name, value, unit, MetricKind::Distribution);
        }
    }

    /// Sets dimension `key` to `value` for the rest of this invocation's
    /// metrics (each invocation starts with the adapter's own, such as the
    /// function name).
    ///
    /// # Example
    ///
    /// ```
    /// anyfn::Context::builder().build().metrics().dimension("Tenant", "acme");
    /// ```
    pub fn dimension(&self, key: &str, value: &str) {
        if let Some(sink) = &self.sink {
            sink.dimension(key, value);
        }
    }
}

impl fmt::Debug for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.sink {
            Some(sink) => f.debug_tuple("Metrics").field(sink).finish(),
            None => f.write_str("Metrics(none)"),
        }
    }
}
