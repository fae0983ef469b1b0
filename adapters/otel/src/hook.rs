//! What every invocation span gets: the caller's parent, links to the
//! messages of a batch, the FaaS span attributes; and its kind
//! ([`FaasKind`], set as it ends).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyfn::Context;
use anyfn_kit::{CallerTrace, HttpOutcome, HttpRequestLine, TraceHeader, Trigger};
use opentelemetry::trace::{
    SpanContext, SpanId, SpanKind, Status, TraceContextExt as _, TraceFlags, TraceId, TraceState,
};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SpanData, SpanProcessor};
use opentelemetry_sdk::Resource;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

/// Whether an invocation span was opened before in this process: the first
/// is the cold start.
static WARM: AtomicBool = AtomicBool::new(false);

/// An Azure function app's resource id ([`OtelConfig`](crate::OtelConfig)),
/// for each function's `cloud.resource_id`.
pub(crate) static AZURE_SITE: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// The caller's span as a remote span context; `None` for a header that
/// names none (malformed headers are no parent, never a panic). A caller
/// that left sampling open (X-Ray's `Sampled=?`, Cloud Trace without `o=`)
/// is taken as sampled, so the SDK's own sampler decides.
pub(crate) fn remote_context(caller: &CallerTrace) -> Option<SpanContext> {
    let parent = caller.parent().ok()?;
    let flags = if parent.sampled.unwrap_or(true) {
        TraceFlags::SAMPLED
    } else {
        TraceFlags::default()
    };
    let state = match (caller.format, caller.tracestate.as_deref()) {
        (TraceHeader::TraceParent, Some(state)) => state.parse().unwrap_or_default(),
        _ => TraceState::default(),
    };
    let context = SpanContext::new(
        TraceId::from_bytes(parent.trace_id),
        SpanId::from_bytes(parent.span_id),
        flags,
        true,
        state,
    );
    context.is_valid().then_some(context)
}

/// The [`anyfn_kit::TelemetryHooks::on_invocation_span`] hook.
pub(crate) fn on_invocation_span(span: &tracing::Span, context: &Context, trigger: Trigger) {
    if let Some(parent) = context
        .extensions()
        .get::<CallerTrace>()
        .and_then(remote_context)
    {
        let _ = span.set_parent(opentelemetry::Context::new().with_remote_span_context(parent));
    }
    span.set_attribute("faas.invocation_id", context.request_id().to_owned());
    let cold = !WARM.swap(true, Ordering::Relaxed);
    if cold {
        crate::metrics::cold_start(trigger);
    }
    span.set_attribute("faas.coldstart", cold);
    span.set_attribute("faas.trigger", trigger.as_str());
    if context.platform() == anyfn::Platform::AzureFunctions {
        if let Some(site) = AZURE_SITE.get() {
            let function = context.function_name();
            span.set_attribute("cloud.resource_id", format!("{site}/functions/{function}"));
        }
    }
}

/// The [`anyfn_kit::TelemetryHooks::on_links`] hook: a link per message
/// that carries a trace context.
pub(crate) fn on_links(span: &tracing::Span, links: &[CallerTrace]) {
    for link in links.iter().filter_map(remote_context) {
        span.add_link(link);
    }
}

/// The [`anyfn_kit::TelemetryHooks::on_http_request`] hook: HTTP's
/// request attributes.
pub(crate) fn on_http_request(span: &tracing::Span, request: HttpRequestLine<'_>) {
    span.set_attribute("http.request.method", request.method.to_owned());
    span.set_attribute("url.path", request.path.to_owned());
    if let Some(route) = request.route {
        span.set_attribute("http.route", route.to_owned());
    }
}

/// The [`anyfn_kit::TelemetryHooks::on_outcome`] hook: the response's
/// status, and a failure as the span's error status with `error.type`
/// (the error's type, never its message, which may hold details the
/// function keeps out of answers). As for any SERVER span, an HTTP answer
/// is an error only from 500 up.
pub(crate) fn on_outcome(span: &tracing::Span, outcome: HttpOutcome<'_>) {
    if let Some(status) = outcome.status {
        span.set_attribute("http.response.status_code", i64::from(status));
    }
    if let Some(error) = outcome.error {
        span.set_attribute("error.type", error.error_type().to_owned());
        if outcome.status.is_none_or(|status| status >= 500) {
            span.set_status(Status::error(error.error_type().to_owned()));
        }
    } else if outcome.status.is_some_and(|status| status >= 500) {
        span.set_status(Status::error(""));
    }
}

/// Sets each invocation span's kind as it ends (`tracing` spans have no
/// kind of their own): `CONSUMER` for a `pubsub` trigger (a batch of
/// messages), `SERVER` for every other (an HTTP request, a timer, a data
/// source's change, a direct invocation), as the FaaS conventions say.
/// Invocation spans are the spans with `faas.trigger`.
#[derive(Debug)]
pub(crate) struct FaasKind<P>(pub(crate) P);

impl<P: SpanProcessor> SpanProcessor for FaasKind<P> {
    fn on_start(&self, span: &mut opentelemetry_sdk::trace::Span, cx: &opentelemetry::Context) {
        self.0.on_start(span, cx);
    }

    fn on_end(&self, mut span: SpanData) {
        let trigger = span
            .attributes
            .iter()
            .find(|attribute| attribute.key.as_str() == "faas.trigger")
            .map(|attribute| attribute.value.as_str() == "pubsub");
        if let Some(pubsub) = trigger {
            span.span_kind = if pubsub {
                SpanKind::Consumer
            } else {
                SpanKind::Server
            };
        }
        self.0.on_end(span);
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.0.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.0.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.0.set_resource(resource);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_header_gives_a_remote_parent() {
        let xray = remote_context(&CallerTrace::xray(
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
        ))
        .expect("a parent");
        assert_eq!(
            xray.trace_id().to_string(),
            "5759e988bd862e3fe1be46a994272793"
        );
        assert_eq!(xray.span_id().to_string(), "53995c3f42cd8ad8");
        assert!(xray.is_sampled() && xray.is_remote());

        let cloud = remote_context(&CallerTrace::cloud_trace(
            "105445aa7843bc8bf206b12000100000/1;o=0",
        ))
        .expect("a parent");
        assert_eq!(cloud.span_id().to_string(), "0000000000000001");
        assert!(!cloud.is_sampled());

        let w3c = remote_context(
            &CallerTrace::new("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
                .with_tracestate("vendor=1"),
        )
        .expect("a parent");
        assert_eq!(w3c.trace_state().get("vendor"), Some("1"));
    }

    #[test]
    fn a_bad_header_is_no_parent() {
        for caller in [
            CallerTrace::new("00-zz-00f067aa0ba902b7-01"),
            CallerTrace::xray("Root=1-5759e988-bd862e3fe1be46a994272793"),
            CallerTrace::cloud_trace("105445aa7843bc8bf206b12000100000/x"),
        ] {
            assert!(remote_context(&caller).is_none(), "{caller:?}");
        }
    }
}
