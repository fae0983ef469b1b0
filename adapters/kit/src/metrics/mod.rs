//! Sinks for what handlers record through [`anyfn::metrics::Metrics`]:
//! [`EmfMetrics`], CloudWatch's Embedded Metric Format, one invocation's
//! metrics written as JSON documents, each alone on its line of stdout.

mod emf;

pub use emf::{EmfMetrics, EMF_MAX_BYTES, EMF_MAX_DIMENSIONS, EMF_MAX_METRICS, EMF_MAX_VALUES};

/// The variable that turns metrics on where an adapter writes them (Lambda:
/// CloudWatch EMF), naming their CloudWatch namespace:
/// `ANYFN_METRICS_NAMESPACE=shop`. Unset or empty, no metric is written.
///
/// # Example
///
/// ```
/// use anyfn_kit::{EmfMetrics, METRICS_NAMESPACE_ENV};
///
/// assert_eq!(METRICS_NAMESPACE_ENV, "ANYFN_METRICS_NAMESPACE");
/// let namespace = std::env::var(METRICS_NAMESPACE_ENV).ok().filter(|name| !name.is_empty());
/// let sink = namespace.map(EmfMetrics::new);
/// assert!(sink.is_none(), "unset in this test: no metrics are written");
/// ```
pub const METRICS_NAMESPACE_ENV: &str = "ANYFN_METRICS_NAMESPACE";
