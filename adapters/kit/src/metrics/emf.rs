//! [`EmfMetrics`]: one invocation's metrics as CloudWatch Embedded Metric
//! Format documents (docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/
//! CloudWatch_Embedded_Metric_Format_Specification.html), within its limits.

use std::io::{self, Write};
use std::sync::{Mutex, MutexGuard, PoisonError};

use anyfn::metrics::{MetricKind, MetricsSink, Unit};
use serde_json::{Map, Value};

/// The most metrics one `MetricDirective` may name.
///
/// # Example
///
/// ```
/// use anyfn::metrics::{MetricKind, MetricsSink, Unit};
/// use anyfn_kit::{EmfMetrics, EMF_MAX_METRICS};
///
/// assert_eq!(EMF_MAX_METRICS, 100);
/// let emf = EmfMetrics::new("shop");
/// for n in 0..=EMF_MAX_METRICS {
///     emf.record(&format!("M{n}"), 1.0, Unit::Count, MetricKind::Counter);
/// }
/// assert_eq!(emf.take_documents(0).len(), 2, "the 101st metric goes to a second document");
/// ```
pub const EMF_MAX_METRICS: usize = 100;
/// The most dimensions one dimension set may hold.
///
/// # Example
///
/// ```
/// use anyfn::metrics::{MetricKind, MetricsSink, Unit};
/// use anyfn_kit::{EmfMetrics, EMF_MAX_DIMENSIONS};
///
/// let emf = EmfMetrics::new("shop");
/// for n in 0..=EMF_MAX_DIMENSIONS {
///     emf.dimension(&format!("D{n}"), "x");
/// }
/// emf.record("Orders", 1.0, Unit::Count, MetricKind::Counter);
/// let doc: serde_json::Value = serde_json::from_str(&emf.take_documents(0)[0]).unwrap();
/// let set = &doc["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0];
/// assert_eq!(set.as_array().unwrap().len(), EMF_MAX_DIMENSIONS);
/// assert_eq!(doc["D30"], "x", "the 31st is a plain member");
/// ```
pub const EMF_MAX_DIMENSIONS: usize = 30;
/// The most values one metric's array may hold.
///
/// # Example
///
/// ```
/// use anyfn::metrics::{MetricKind, MetricsSink, Unit};
/// use anyfn_kit::{EmfMetrics, EMF_MAX_VALUES};
///
/// let emf = EmfMetrics::new("shop");
/// for _ in 0..EMF_MAX_VALUES + 20 {
///     emf.record("Latency", 12.5, Unit::Milliseconds, MetricKind::Distribution);
/// }
/// let documents = emf.take_documents(0);
/// assert_eq!(documents.len(), 2);
/// let first: serde_json::Value = serde_json::from_str(&documents[0]).unwrap();
/// assert_eq!(first["Latency"].as_array().unwrap().len(), EMF_MAX_VALUES);
/// ```
pub const EMF_MAX_VALUES: usize = 100;
/// The largest document written: a CloudWatch Logs event's 256 KB (the
/// specification's older and lower figure; newer copies say 1 MB).
///
/// # Example
///
/// ```
/// use anyfn::metrics::{MetricKind, MetricsSink, Unit};
/// use anyfn_kit::{EmfMetrics, EMF_MAX_BYTES};
///
/// assert_eq!(EMF_MAX_BYTES, 256 * 1024);
/// let emf = EmfMetrics::new("shop");
/// for n in 0..100 {
///     emf.record(&format!("{n}{}", "m".repeat(250)), 1.0, Unit::Count, MetricKind::Counter);
/// }
/// assert!(emf.take_documents(0).iter().all(|document| document.len() <= EMF_MAX_BYTES));
/// ```
pub const EMF_MAX_BYTES: usize = 256 * 1024;
/// The longest metric name CloudWatch takes.
const MAX_NAME_CHARS: usize = 255;
/// The longest dimension key or value CloudWatch takes.
const MAX_DIMENSION_CHARS: usize = 1024;

/// One metric, as recorded so far in the invocation.
#[derive(Debug)]
struct Recorded {
    name: String,
    unit: Unit,
    kind: MetricKind,
    values: Vec<f64>,
}

#[derive(Debug, Default)]
struct Collected {
    dimensions: Vec<(String, String)>,
    metrics: Vec<Recorded>,
}

/// A [`MetricsSink`] that keeps one invocation's metrics and writes them as
/// CloudWatch Embedded Metric Format documents: each a bare JSON object on
/// its own line, nothing before or after it, with the `_aws` block
/// (`Timestamp`, `CloudWatchMetrics[]` with `Namespace`, `Dimensions` and
/// `Metrics[]` of `Name` and `Unit`) and the values and dimensions at the
/// root. Within EMF's limits: at most [`EMF_MAX_METRICS`] metrics and
/// [`EMF_MAX_VALUES`] values of each per document (more go to further
/// documents), [`EMF_MAX_DIMENSIONS`] dimensions (further ones are written
/// as plain members, not dimensions), [`EMF_MAX_BYTES`] per document.
/// Counters are summed, distributions keep every value. Values that are not
/// finite, and names CloudWatch refuses (empty, over 255 characters,
/// `_aws`, a dimension's key), are dropped: never a panic.
///
/// # Example
///
/// ```
/// use std::sync::Arc;
/// use anyfn::metrics::{Metrics, Unit};
/// use anyfn_kit::EmfMetrics;
///
/// let emf = Arc::new(EmfMetrics::new("shop").with_dimension("FunctionName", "checkout"));
/// let metrics = Metrics::new(emf.clone());
/// metrics.count("Orders", 1);
/// metrics.count("Orders", 2);
/// metrics.record("Latency", 12.5, Unit::Milliseconds);
///
/// let mut out = Vec::new();
/// emf.flush(1_700_000_000_000, &mut out)?;
/// let line = String::from_utf8(out).unwrap();
/// assert_eq!(line.lines().count(), 1);
/// let doc: serde_json::Value = serde_json::from_str(&line).unwrap();
/// assert_eq!(doc["Orders"], 3.0);
/// assert_eq!(doc["Latency"], serde_json::json!([12.5]));
/// assert_eq!(doc["FunctionName"], "checkout");
/// assert_eq!(doc["_aws"]["CloudWatchMetrics"][0]["Namespace"], "shop");
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct EmfMetrics {
    namespace: String,
    collected: Mutex<Collected>,
}

impl EmfMetrics {
    /// Metrics of CloudWatch namespace `namespace`, with no dimension yet.
    ///
    /// # Example
    ///
    /// ```
    /// let emf = anyfn_kit::EmfMetrics::new("shop");
    /// assert!(emf.is_empty());
    /// ```
    pub fn new(namespace: impl Into<String>) -> Self {
        Self {
            namespace: namespace.into(),
            collected: Mutex::default(),
        }
    }

    /// With dimension `key` set to `value` (the adapter's own, such as the
    /// function name).
    ///
    /// # Example
    ///
    /// ```
    /// let emf = anyfn_kit::EmfMetrics::new("shop").with_dimension("FunctionName", "checkout");
    /// # drop(emf);
    /// ```
    #[must_use]
    pub fn with_dimension(self, key: &str, value: &str) -> Self {
        self.dimension(key, value);
        self
    }

    /// Whether no metric was recorded.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::metrics::MetricsSink;
    ///
    /// let emf = anyfn_kit::EmfMetrics::new("shop");
    /// emf.record("Orders", 1.0, anyfn::metrics::Unit::Count, anyfn::metrics::MetricKind::Counter);
    /// assert!(!emf.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.lock().metrics.is_empty()
    }

    /// The documents of what was recorded, timestamped `timestamp_ms`
    /// (milliseconds since the Unix epoch), each one line of JSON without
    /// its newline; none when nothing was recorded. What was recorded is
    /// taken: a second call gives none.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::metrics::{MetricKind, MetricsSink, Unit};
    ///
    /// let emf = anyfn_kit::EmfMetrics::new("shop");
    /// for n in 0..150 {
    ///     emf.record(&format!("M{n}"), 1.0, Unit::Count, MetricKind::Counter);
    /// }
    /// assert_eq!(emf.take_documents(0).len(), 2, "100 metrics per document at most");
    /// assert!(emf.take_documents(0).is_empty());
    /// ```
    pub fn take_documents(&self, timestamp_ms: u64) -> Vec<String> {
        let collected = std::mem::take(&mut *self.lock());
        documents(&self.namespace, collected, timestamp_ms)
    }

    /// Writes the documents ([`take_documents`](Self::take_documents)) to
    /// `out`, each with its newline in one `write_all`, so that a writer
    /// shared under a lock (stdout) never interleaves another line in one.
    ///
    /// # Errors
    ///
    /// The first error writing to `out`.
    ///
    /// # Example
    ///
    /// ```
    /// let emf = anyfn_kit::EmfMetrics::new("shop");
    /// let mut out = Vec::new();
    /// emf.flush(0, &mut out)?;
    /// assert!(out.is_empty(), "nothing recorded, nothing written");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn flush(&self, timestamp_ms: u64, out: &mut impl Write) -> io::Result<()> {
        for mut document in self.take_documents(timestamp_ms) {
            document.push('\n');
            out.write_all(document.as_bytes())?;
        }
        out.flush()
    }

    /// [`flush`](Self::flush) to the process's stdout, under its lock for
    /// each line, where Lambda's log collector reads EMF. A failure to
    /// write is logged (`WARN anyfn::metrics`), not returned: a function's
    /// answer never depends on its metrics.
    ///
    /// # Example
    ///
    /// ```
    /// anyfn_kit::EmfMetrics::new("shop").flush_to_stdout(0); // nothing recorded: writes nothing
    /// ```
    pub fn flush_to_stdout(&self, timestamp_ms: u64) {
        for mut document in self.take_documents(timestamp_ms) {
            document.push('\n');
            let mut stdout = io::stdout().lock();
            if let Err(err) = stdout
                .write_all(document.as_bytes())
                .and_then(|()| stdout.flush())
            {
                tracing::warn!(target: "anyfn::metrics", "could not write EMF metrics: {err}");
                return;
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, Collected> {
        self.collected
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl MetricsSink for EmfMetrics {
    fn record(&self, name: &str, value: f64, unit: Unit, kind: MetricKind) {
        if !value.is_finite()
            || name.is_empty()
            || name.chars().count() > MAX_NAME_CHARS
            || name == "_aws"
        {
            return;
        }
        let mut collected = self.lock();
        if collected.dimensions.iter().any(|(key, _)| key == name) {
            return;
        }
        match collected
            .metrics
            .iter_mut()
            .find(|metric| metric.name == name)
        {
            Some(metric) => match (metric.kind, metric.values.last_mut()) {
                (MetricKind::Counter, Some(sum)) => *sum += value,
                _ => metric.values.push(value),
            },
            None => collected.metrics.push(Recorded {
                name: name.to_owned(),
                unit,
                kind,
                values: vec![value],
            }),
        }
    }

    fn dimension(&self, key: &str, value: &str) {
        if key.is_empty()
            || key == "_aws"
            || key.chars().count() > MAX_DIMENSION_CHARS
            || value.is_empty()
            || value.chars().count() > MAX_DIMENSION_CHARS
        {
            return;
        }
        let mut collected = self.lock();
        if collected.metrics.iter().any(|metric| metric.name == key) {
            return;
        }
        match collected.dimensions.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => value.clone_into(v),
            None => collected
                .dimensions
                .push((key.to_owned(), value.to_owned())),
        }
    }
}

/// The documents of `collected`: chunks of at most [`EMF_MAX_METRICS`]
/// metrics and [`EMF_MAX_VALUES`] values each, halved while one is over
/// [`EMF_MAX_BYTES`].
fn documents(namespace: &str, collected: Collected, timestamp_ms: u64) -> Vec<String> {
    let Collected {
        dimensions,
        metrics,
    } = collected;
    // Each metric's values in slices of at most EMF_MAX_VALUES: round r of
    // every metric goes to the documents of round r.
    let mut rounds: Vec<Vec<(&Recorded, &[f64])>> = Vec::new();
    for metric in &metrics {
        for (round, values) in metric.values.chunks(EMF_MAX_VALUES).enumerate() {
            if rounds.len() <= round {
                rounds.push(Vec::new());
            }
            rounds[round].push((metric, values));
        }
    }
    let mut out = Vec::new();
    for round in &rounds {
        for chunk in round.chunks(EMF_MAX_METRICS) {
            write_within_size(namespace, &dimensions, chunk, timestamp_ms, &mut out);
        }
    }
    out
}

fn write_within_size(
    namespace: &str,
    dimensions: &[(String, String)],
    metrics: &[(&Recorded, &[f64])],
    timestamp_ms: u64,
    out: &mut Vec<String>,
) {
    let document = document(namespace, dimensions, metrics, timestamp_ms);
    if document.len() <= EMF_MAX_BYTES || metrics.len() <= 1 {
        out.push(document);
    } else {
        let (first, second) = metrics.split_at(metrics.len() / 2);
        write_within_size(namespace, dimensions, first, timestamp_ms, out);
        write_within_size(namespace, dimensions, second, timestamp_ms, out);
    }
}

fn document(
    namespace: &str,
    dimensions: &[(String, String)],
    metrics: &[(&Recorded, &[f64])],
    timestamp_ms: u64,
) -> String {
    let mut root = Map::new();
    let dimension_keys: Vec<Value> = dimensions
        .iter()
        .take(EMF_MAX_DIMENSIONS)
        .map(|(key, _)| Value::from(key.as_str()))
        .collect();
    let definitions: Vec<Value> = metrics
        .iter()
        .map(|(metric, _)| serde_json::json!({ "Name": metric.name, "Unit": metric.unit.as_str() }))
        .collect();
    let directive = serde_json::json!({
        "Namespace": namespace,
        "Dimensions": [dimension_keys],
        "Metrics": definitions,
    });
    root.insert(
        "_aws".to_owned(),
        serde_json::json!({ "Timestamp": timestamp_ms, "CloudWatchMetrics": [directive] }),
    );
    for (key, value) in dimensions {
        root.insert(key.clone(), Value::from(value.as_str()));
    }
    for (metric, values) in metrics {
        let value = match (metric.kind, values) {
            (MetricKind::Counter, [sum]) => Value::from(*sum),
            _ => Value::from(values.to_vec()),
        };
        root.insert(metric.name.clone(), value);
    }
    Value::Object(root).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(document: &str) -> Value {
        serde_json::from_str(document).expect("a JSON document")
    }

    /// The document as AWS documents it: the `_aws` block with its
    /// `Timestamp` and one directive naming the namespace, the dimension
    /// set and each metric's name and unit, and at the root every
    /// dimension's value and every metric's value (a counter's sum, a
    /// distribution's values).
    #[test]
    fn a_document_is_what_the_emf_specification_describes() {
        let emf = EmfMetrics::new("shop").with_dimension("FunctionName", "checkout");
        emf.dimension("Tenant", "acme");
        emf.record("Orders", 1.0, Unit::Count, MetricKind::Counter);
        emf.record("Orders", 4.0, Unit::Count, MetricKind::Counter);
        emf.record(
            "Latency",
            12.5,
            Unit::Milliseconds,
            MetricKind::Distribution,
        );
        emf.record("Latency", 7.0, Unit::Milliseconds, MetricKind::Distribution);
        let documents = emf.take_documents(1_764_000_000_123);
        assert_eq!(documents.len(), 1);
        assert!(!documents[0].contains('\n'));
        let doc = parse(&documents[0]);
        assert_eq!(doc["_aws"]["Timestamp"], 1_764_000_000_123u64);
        let directives = doc["_aws"]["CloudWatchMetrics"].as_array().expect("array");
        assert_eq!(directives.len(), 1);
        assert_eq!(directives[0]["Namespace"], "shop");
        assert_eq!(
            directives[0]["Dimensions"],
            serde_json::json!([["FunctionName", "Tenant"]])
        );
        assert_eq!(
            directives[0]["Metrics"],
            serde_json::json!([
                {"Name": "Orders", "Unit": "Count"},
                {"Name": "Latency", "Unit": "Milliseconds"},
            ])
        );
        assert_eq!(doc["FunctionName"], "checkout");
        assert_eq!(doc["Tenant"], "acme");
        assert_eq!(doc["Orders"], 5.0);
        assert_eq!(doc["Latency"], serde_json::json!([12.5, 7.0]));
    }

    #[test]
    fn more_than_100_metrics_or_values_go_to_further_documents() {
        let emf = EmfMetrics::new("ns");
        for n in 0..250 {
            emf.record(&format!("m{n}"), 1.0, Unit::Count, MetricKind::Counter);
        }
        for n in 0..230 {
            emf.record("hist", f64::from(n), Unit::None, MetricKind::Distribution);
        }
        let documents = emf.take_documents(0);
        let mut values_of_hist = Vec::new();
        let mut counters = 0;
        for document in &documents {
            let doc = parse(document);
            let metrics = doc["_aws"]["CloudWatchMetrics"][0]["Metrics"]
                .as_array()
                .expect("metrics");
            assert!(metrics.len() <= EMF_MAX_METRICS, "{}", metrics.len());
            for definition in metrics {
                let name = definition["Name"].as_str().expect("name");
                if name == "hist" {
                    let values = doc["hist"].as_array().expect("values");
                    assert!(values.len() <= EMF_MAX_VALUES);
                    values_of_hist.extend(values.iter().filter_map(Value::as_f64));
                } else {
                    counters += 1;
                }
            }
        }
        assert_eq!(counters, 250);
        assert_eq!(values_of_hist, (0..230).map(f64::from).collect::<Vec<_>>());
        assert_eq!(
            documents.len(),
            5,
            "3 chunks of round one, one each for the rest of hist"
        );
    }

    #[test]
    fn dimensions_past_30_are_members_not_dimensions() {
        let emf = EmfMetrics::new("ns");
        for n in 0..35 {
            emf.dimension(&format!("d{n}"), "v");
        }
        emf.record("m", 1.0, Unit::Count, MetricKind::Counter);
        let doc = parse(&emf.take_documents(0)[0]);
        let set = doc["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0]
            .as_array()
            .expect("a dimension set");
        assert_eq!(set.len(), EMF_MAX_DIMENSIONS);
        assert_eq!(doc["d34"], "v");
    }

    #[test]
    fn documents_stay_within_the_size_limit() {
        let emf = EmfMetrics::new("ns");
        // 100 metrics of 100 values with 255-character names: over 256 KB
        // in one document.
        for n in 0..100 {
            let name = format!("{n:0>255}");
            for v in 0..100 {
                emf.record(
                    &name,
                    -1.234_567_890_123_456_7e-300 * f64::from(v + 1),
                    Unit::None,
                    MetricKind::Distribution,
                );
            }
        }
        let documents = emf.take_documents(0);
        assert!(documents.len() > 1);
        for document in &documents {
            assert!(document.len() <= EMF_MAX_BYTES, "{}", document.len());
        }
    }

    /// A handler's bad input to its metrics is dropped, never a panic nor
    /// a document CloudWatch would refuse.
    #[test]
    fn regression_values_and_names_cloudwatch_refuses_are_dropped() {
        let emf = EmfMetrics::new("ns").with_dimension("Service", "a");
        emf.record("nan", f64::NAN, Unit::None, MetricKind::Distribution);
        emf.record("inf", f64::INFINITY, Unit::None, MetricKind::Counter);
        emf.record("", 1.0, Unit::None, MetricKind::Counter);
        emf.record("_aws", 1.0, Unit::None, MetricKind::Counter);
        emf.record("Service", 1.0, Unit::None, MetricKind::Counter);
        emf.record(&"x".repeat(256), 1.0, Unit::None, MetricKind::Counter);
        emf.dimension("_aws", "x");
        assert!(emf.is_empty());
        assert!(emf.take_documents(0).is_empty());
    }
}
