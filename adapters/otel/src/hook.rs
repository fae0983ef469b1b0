//! What every invocation span gets: the caller's parent, and the FaaS span
//! attributes.

use std::sync::atomic::{AtomicBool, Ordering};

use anyfn::Context;
use anyfn_kit::{CallerTrace, Trigger};
use opentelemetry::propagation::{Extractor, TextMapPropagator as _};
use opentelemetry::trace::TraceContextExt as _;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

/// Whether an invocation span was opened before in this process: the first
/// is the cold start.
static WARM: AtomicBool = AtomicBool::new(false);

/// The caller's headers, as the W3C propagator reads them.
struct Headers<'a>(&'a CallerTrace);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        match key {
            "traceparent" => Some(&self.0.traceparent),
            "tracestate" => self.0.tracestate.as_deref(),
            _ => None,
        }
    }

    fn keys(&self) -> Vec<&str> {
        vec!["traceparent", "tracestate"]
    }
}

/// The [`anyfn_kit::TelemetryHooks::on_invocation_span`] hook.
pub(crate) fn on_invocation_span(span: &tracing::Span, context: &Context, trigger: Trigger) {
    if let Some(caller) = context.extensions().get::<CallerTrace>() {
        let parent = TraceContextPropagator::new().extract(&Headers(caller));
        if parent.span().span_context().is_valid() {
            let _ = span.set_parent(parent);
        }
    }
    span.set_attribute("faas.invocation_id", context.request_id().to_owned());
    span.set_attribute("faas.coldstart", !WARM.swap(true, Ordering::Relaxed));
    span.set_attribute("faas.trigger", trigger.as_str());
}
