//! Each invocation's metrics as CloudWatch EMF, when
//! `ANYFN_METRICS_NAMESPACE` is set: the handler's (through
//! `Context::metrics`) and anyfn's own, `ColdStart` (a count, on the first
//! invocation of the process) and `Duration` (milliseconds, decode to
//! encode), all with the `FunctionName` dimension, written to stdout, one
//! document a line, before the answer is posted (so before the environment
//! may freeze).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyfn::metrics::{MetricKind, Metrics, MetricsSink, Unit};
use anyfn_kit::EmfMetrics;

/// Whether this process has served an invocation yet.
static SERVED: AtomicBool = AtomicBool::new(false);

/// One invocation's metrics, when there is a namespace.
pub(crate) struct InvocationMetrics {
    emf: Arc<EmfMetrics>,
    started: Instant,
}

impl InvocationMetrics {
    /// Metrics of `namespace` for an invocation of `function_name` starting
    /// now, or `None` (and no cost) without a namespace.
    pub(crate) fn start(namespace: Option<&str>, function_name: &str) -> Option<Self> {
        let emf = EmfMetrics::new(namespace?).with_dimension("FunctionName", function_name);
        Some(Self {
            emf: Arc::new(emf),
            started: Instant::now(),
        })
    }

    /// What the handler's context records into.
    pub(crate) fn handle(&self) -> Metrics {
        Metrics::new(self.emf.clone())
    }

    /// Records anyfn's own metrics and writes every document to stdout.
    pub(crate) fn finish(self) {
        let millis = self.started.elapsed().as_secs_f64() * 1000.0;
        if !SERVED.swap(true, Ordering::Relaxed) {
            self.emf
                .record("ColdStart", 1.0, Unit::Count, MetricKind::Counter);
        }
        self.emf.record(
            "Duration",
            millis,
            Unit::Milliseconds,
            MetricKind::Distribution,
        );
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| {
                u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
            });
        self.emf.flush_to_stdout(now_ms);
    }
}
