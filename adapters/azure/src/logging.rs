//! The default subscriber, and each envelope invocation's lines captured
//! for the answer's `Logs`.
//!
//! Lines logged inside an envelope invocation's span go to its `Logs[]`:
//! the host writes them to the invocation's log (Application Insights, with
//! the invocation id). Every other line (start-up, `REPORT`, forwarded
//! requests, a task the handler spawned outside its span) goes to stdout,
//! which the host logs as the custom handler's output. A failed envelope
//! invocation writes its lines to stdout too: the host does not read the
//! body of a non-2xx answer.
//!
//! A line is `LEVEL target: message fields`, the fields (and the message)
//! as [`TextFields`] writes them on every adapter; the host adds the time
//! and the invocation, so the line has neither.

use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use anyfn_kit::logging::{rust_log_targets, TextFields};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Span, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::FormatFields as _;
use tracing_subscriber::layer::{Context as LayerContext, SubscriberExt as _};
use tracing_subscriber::registry::{LookupSpan, Registry};
use tracing_subscriber::Layer;

type Lines = Arc<Mutex<Vec<String>>>;

/// Whether our subscriber is the global one (only then are lines captured).
static INSTALLED: AtomicBool = AtomicBool::new(false);

/// Installs the default subscriber when the program has none and
/// `ANYFN_DEFAULT_SUBSCRIBER` does not turn it off. Level from `RUST_LOG`
/// (`target=level` pairs, or one level), else `info`.
pub(crate) fn install_default_subscriber() {
    if !anyfn_kit::default_subscriber_allowed() {
        return;
    }
    let filter = rust_log_targets(std::env::var("RUST_LOG").ok().as_deref());
    // The layer a telemetry crate left (anyfn-otel), if any, under ours;
    // none, no layer at all (not an empty one every callback passes through).
    let installed = match anyfn_kit::logging::take_default_layer() {
        // The Azure layer on the registry itself in both stacks
        // (`and_then`, not `with` on the telemetry layer): its code is
        // compiled once, not once per stack.
        Some(telemetry) => tracing::subscriber::set_global_default(
            tracing_subscriber::registry().with(telemetry.and_then(AzureLayer.with_filter(filter))),
        ),
        None => tracing::subscriber::set_global_default(
            tracing_subscriber::registry().with(AzureLayer.with_filter(filter)),
        ),
    };
    if installed.is_ok() {
        INSTALLED.store(true, Ordering::Release);
    }
}

/// One invocation's captured lines; [`finish`](Self::finish) takes them.
pub(crate) struct Capture {
    lines: Lines,
}

impl Capture {
    /// Starts capturing the lines logged inside `span` (an invocation's,
    /// from [`anyfn_kit::invocation_span`]): `None` unless the default
    /// subscriber is installed and has the span.
    pub(crate) fn start(span: &Span) -> Option<Self> {
        // A disabled span (the level filtered out) has no subscriber:
        // nothing to capture, and no buffer made for nothing.
        if !INSTALLED.load(Ordering::Acquire) || span.is_disabled() {
            return None;
        }
        span.with_subscriber(|(id, dispatch)| {
            let registry = dispatch.downcast_ref::<Registry>()?;
            let span = registry.span(id)?;
            let mut extensions = span.extensions_mut();
            let lines = Lines::default();
            extensions.get_mut::<SpanInvocation>()?.lines = Some(Arc::clone(&lines));
            Some(Self { lines })
        })
        .flatten()
    }

    /// The lines captured.
    pub(crate) fn finish(self) -> Vec<String> {
        std::mem::take(&mut *self.lines.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

pub(crate) fn to_stdout(lines: &[String]) {
    let mut out = std::io::stdout().lock();
    for line in lines {
        let _ = writeln!(out, "{line}");
    }
}

/// In a span's extensions: the invocation's request id, and its capture.
struct SpanInvocation {
    request_id: String,
    lines: Option<Lines>,
}

struct AzureLayer;

impl<S> Layer<S> for AzureLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: LayerContext<'_, S>) {
        if attrs.metadata().name() != "invocation" {
            return;
        }
        let mut visitor = RequestId(None);
        attrs.record(&mut visitor);
        let Some(request_id) = visitor.0 else { return };
        // The adapter hands the span its lines (`Capture::start`) when the
        // invocation's are captured.
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(SpanInvocation {
                request_id,
                lines: None,
            });
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: LayerContext<'_, S>) {
        let mut invocation = None;
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope {
                if let Some(found) = span.extensions().get::<SpanInvocation>() {
                    invocation = Some((found.request_id.clone(), found.lines.clone()));
                    break;
                }
            }
        }
        let metadata = event.metadata();
        let mut line = String::new();
        line.push_str(metadata.level().as_str());
        line.push(' ');
        line.push_str(metadata.target());
        line.push_str(": ");
        // A value whose formatting fails leaves the line as far as it got.
        let _ = TextFields.format_fields(Writer::new(&mut line), event);
        match invocation {
            Some((_, Some(lines))) => lines
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(line),
            Some((request_id, None)) => {
                let _ = writeln!(std::io::stdout().lock(), "{line} request_id={request_id}");
            }
            None => {
                let _ = writeln!(std::io::stdout().lock(), "{line}");
            }
        }
    }
}

struct RequestId(Option<String>);

impl Visit for RequestId {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "request_id" {
            self.0 = Some(value.to_owned());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "request_id" {
            self.0 = Some(format!("{value:?}").trim_matches('"').to_owned());
        }
    }
}
