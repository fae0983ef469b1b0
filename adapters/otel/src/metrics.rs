//! OpenTelemetry metrics: what handlers record through
//! [`anyfn::metrics::Metrics`] (counters and histograms, with the
//! invocation's dimensions as attributes), and anyfn's own, named by the
//! FaaS metric conventions: `faas.coldstarts`, `faas.invocations`,
//! `faas.errors`, `faas.timeouts` and `faas.invoke_duration` (seconds),
//! each with `faas.trigger`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

use anyfn::metrics::{MetricKind, Metrics, MetricsSink, Unit};
use anyfn_kit::{Ended, InvocationEnd, Trigger};
use opentelemetry::metrics::{Counter, Histogram, Meter};
use opentelemetry::KeyValue;

/// The process's instruments, once metrics are installed.
static INSTRUMENTS: OnceLock<Instruments> = OnceLock::new();

/// `faas.invoke_duration`'s bucket boundaries, in seconds (the HTTP
/// conventions' advice for durations: 5 ms to 10 s).
const DURATION_BOUNDARIES: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

/// The longest instrument name OpenTelemetry takes.
const MAX_NAME_LEN: usize = 255;

/// The most metric names the handlers' instruments are kept for: past it,
/// a new name is dropped (logged once), so that names made from input
/// cannot grow the process's memory without bound.
const MAX_HANDLER_METRICS: usize = 1000;

/// A handler's instrument, made with the unit it was first recorded with.
#[derive(Debug, Clone)]
enum Instrument {
    Counter(Counter<f64>),
    Histogram(Histogram<f64>),
    /// A name OpenTelemetry refuses: recorded values are dropped.
    Refused,
}

#[derive(Debug)]
struct Instruments {
    meter: Meter,
    /// The handlers' instruments, by name.
    handlers: Mutex<HashMap<String, Vec<(MetricKind, Instrument)>>>,
    /// Whether [`MAX_HANDLER_METRICS`] was reached (and said).
    full: AtomicBool,
    coldstarts: Counter<u64>,
    invocations: Counter<u64>,
    errors: Counter<u64>,
    timeouts: Counter<u64>,
    duration: Histogram<f64>,
}

/// Makes the process's instruments on `meter`; once.
pub(crate) fn install(meter: Meter) {
    let _ = INSTRUMENTS.set(Instruments::new(meter));
}

impl Instruments {
    fn new(meter: Meter) -> Self {
        Self {
            coldstarts: meter
                .u64_counter("faas.coldstarts")
                .with_unit("{coldstart}")
                .with_description("Number of invocation cold starts")
                .build(),
            invocations: meter
                .u64_counter("faas.invocations")
                .with_unit("{invocation}")
                .with_description("Number of successful invocations")
                .build(),
            errors: meter
                .u64_counter("faas.errors")
                .with_unit("{error}")
                .with_description("Number of invocation errors")
                .build(),
            timeouts: meter
                .u64_counter("faas.timeouts")
                .with_unit("{timeout}")
                .with_description("Number of invocation timeouts")
                .build(),
            duration: meter
                .f64_histogram("faas.invoke_duration")
                .with_unit("s")
                .with_description("Measures the duration of the function's logic execution")
                .with_boundaries(DURATION_BOUNDARIES.to_vec())
                .build(),
            handlers: Mutex::default(),
            full: AtomicBool::new(false),
            meter,
        }
    }
}

fn trigger_attribute(trigger: Trigger) -> [KeyValue; 1] {
    [KeyValue::new("faas.trigger", trigger.as_str())]
}

/// Counts the process's cold start (its first invocation).
pub(crate) fn cold_start(trigger: Trigger) {
    if let Some(instruments) = INSTRUMENTS.get() {
        instruments.coldstarts.add(1, &trigger_attribute(trigger));
    }
}

/// The [`anyfn_kit::TelemetryHooks::on_invocation_end`] hook: the
/// invocation's duration, and whether it succeeded, failed or timed out.
pub(crate) fn on_invocation_end(end: InvocationEnd) {
    let Some(instruments) = INSTRUMENTS.get() else {
        return;
    };
    let attributes = trigger_attribute(end.trigger);
    instruments
        .duration
        .record(end.duration.as_secs_f64(), &attributes);
    match end.ended {
        Ended::Answered => instruments.invocations.add(1, &attributes),
        Ended::TimedOut => {
            instruments.timeouts.add(1, &attributes);
            instruments.errors.add(1, &attributes);
        }
        ended if ended.is_error() => instruments.errors.add(1, &attributes),
        _ => {}
    }
}

/// The [`anyfn_kit::TelemetryHooks::metrics`] hook: an invocation's
/// metrics go to OpenTelemetry and to the adapter's sink (Lambda's EMF)
/// both; `None` (the adapter's alone) when metrics are not exported.
pub(crate) fn metrics(adapters: &Metrics) -> Option<Metrics> {
    INSTRUMENTS.get()?;
    Some(Metrics::new(Arc::new(OtelMetrics {
        adapters: adapters.clone(),
        dimensions: Mutex::default(),
    })))
}

/// One invocation's metrics: recorded on the process's OpenTelemetry
/// instruments with the invocation's dimensions as attributes, and passed
/// on to the adapter's sink.
#[derive(Debug)]
struct OtelMetrics {
    adapters: Metrics,
    dimensions: Mutex<Vec<KeyValue>>,
}

impl OtelMetrics {
    fn dimensions(&self) -> MutexGuard<'_, Vec<KeyValue>> {
        self.dimensions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl MetricsSink for OtelMetrics {
    fn record(&self, name: &str, value: f64, unit: Unit, kind: MetricKind) {
        match kind {
            // Counts come from `Metrics::count`'s u64: back to it exactly
            // (up to 2^53, as every metric system's).
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            MetricKind::Counter => self.adapters.count(name, value as u64),
            _ => self.adapters.record(name, value, unit),
        }
        if !value.is_finite() {
            return;
        }
        let Some(instruments) = INSTRUMENTS.get() else {
            return;
        };
        let attributes = self.dimensions().clone();
        instruments.record(name, value, unit, kind, &attributes);
    }

    fn dimension(&self, key: &str, value: &str) {
        self.adapters.dimension(key, value);
        let mut dimensions = self.dimensions();
        dimensions.retain(|attribute| attribute.key.as_str() != key);
        dimensions.push(KeyValue::new(key.to_owned(), value.to_owned()));
    }
}

impl Instruments {
    fn record(
        &self,
        name: &str,
        value: f64,
        unit: Unit,
        kind: MetricKind,
        attributes: &[KeyValue],
    ) {
        // The instrument is cloned (a reference count) so that the map's
        // lock is not held while the SDK records.
        let instrument = {
            let mut handlers = self.handlers.lock().unwrap_or_else(PoisonError::into_inner);
            let full = handlers.len() >= MAX_HANDLER_METRICS;
            let of_name = match handlers.get_mut(name) {
                Some(of_name) => of_name,
                None if full => {
                    if !self.full.swap(true, Ordering::Relaxed) {
                        tracing::warn!(
                            target: "anyfn::metrics",
                            "metric {name:?} and any further new name are not exported over OTLP: the handlers have recorded {MAX_HANDLER_METRICS} names"
                        );
                    }
                    return;
                }
                None => handlers.entry(name.to_owned()).or_default(),
            };
            match of_name.iter().find(|(known, _)| *known == kind) {
                Some((_, instrument)) => instrument.clone(),
                None => {
                    let instrument = self.instrument(name, unit, kind);
                    of_name.push((kind, instrument.clone()));
                    instrument
                }
            }
        };
        match instrument {
            Instrument::Counter(counter) => {
                if value >= 0.0 {
                    counter.add(value, attributes);
                }
            }
            Instrument::Histogram(histogram) => histogram.record(value, attributes),
            Instrument::Refused => {}
        }
    }

    fn instrument(&self, name: &str, unit: Unit, kind: MetricKind) -> Instrument {
        if !valid_name(name) {
            tracing::warn!(
                target: "anyfn::metrics",
                "metric {name:?} is not exported over OTLP: an OpenTelemetry instrument name is an ASCII letter, then up to 254 of letters, digits, '_', '.', '-' and '/'"
            );
            return Instrument::Refused;
        }
        let name = name.to_owned();
        match kind {
            MetricKind::Counter => {
                Instrument::Counter(self.meter.f64_counter(name).with_unit(ucum(unit)).build())
            }
            _ => {
                Instrument::Histogram(self.meter.f64_histogram(name).with_unit(ucum(unit)).build())
            }
        }
    }
}

/// Whether OpenTelemetry takes `name` as an instrument's name.
fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic())
        && name.len() <= MAX_NAME_LEN
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '/'))
}

/// A [`Unit`] as OpenTelemetry spells units (UCUM).
fn ucum(unit: Unit) -> &'static str {
    match unit {
        Unit::Count => "1",
        Unit::Seconds => "s",
        Unit::Milliseconds => "ms",
        Unit::Microseconds => "us",
        Unit::Bytes => "By",
        Unit::Kilobytes => "kBy",
        Unit::Megabytes => "MBy",
        Unit::Percent => "%",
        Unit::CountPerSecond => "1/s",
        Unit::BytesPerSecond => "By/s",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instrument_names_are_opentelemetrys() {
        assert!(valid_name("Orders"));
        assert!(valid_name("shop.basket_size/items-2"));
        for refused in ["", "1st", "with space", "é", &"x".repeat(256)] {
            assert!(!valid_name(refused), "{refused:?}");
        }
        assert!(valid_name(&"x".repeat(255)));
    }

    #[test]
    fn the_handlers_names_are_bounded() {
        let instruments = Instruments::new(opentelemetry::global::meter("test"));
        for n in 0..MAX_HANDLER_METRICS + 50 {
            instruments.record(&format!("m{n}"), 1.0, Unit::Count, MetricKind::Counter, &[]);
            instruments.record(
                &format!("m{n}"),
                1.0,
                Unit::Count,
                MetricKind::Distribution,
                &[],
            );
        }
        let handlers = instruments.handlers.lock().expect("not poisoned");
        assert_eq!(handlers.len(), MAX_HANDLER_METRICS);
        assert!(instruments.full.load(Ordering::Relaxed));
        assert_eq!(
            handlers.get("m0").map(Vec::len),
            Some(2),
            "a counter and a histogram"
        );
        assert!(!handlers.contains_key(&format!("m{MAX_HANDLER_METRICS}")));
    }

    #[test]
    fn units_are_ucum() {
        assert_eq!(ucum(Unit::Milliseconds), "ms");
        assert_eq!(ucum(Unit::Bytes), "By");
        assert_eq!(ucum(Unit::None), "");
    }
}
