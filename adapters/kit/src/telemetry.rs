//! The seam through which a telemetry crate (`anyfn-otel`) joins every
//! adapter without the adapters, the kit or the core depending on it: what
//! triggered an invocation ([`Trigger`]), the caller's trace headers
//! ([`CallerTrace`], a [`Context`] extension), and process-wide hooks
//! ([`TelemetryHooks`]) that [`invocation_span_for`] and
//! [`flush_telemetry`] call. With no hooks installed, each costs one atomic
//! load.

use std::any::TypeId;
#[cfg(feature = "telemetry")]
use std::sync::OnceLock;

use std::time::Duration;

use anyfn::event::{CloudEvent, QueueBatch, ScheduleTick, StorageEvent};
use anyfn::metrics::Metrics;
#[cfg(feature = "telemetry")]
use anyfn::time::Instant;
use anyfn::{Body, Context};

/// What triggered an invocation, as OpenTelemetry's `faas.trigger` names
/// it: `http`, `pubsub`, `timer`, `datasource` or `other`.
///
/// # Example
///
/// ```
/// use anyfn_kit::Trigger;
///
/// assert_eq!(Trigger::of::<anyfn::http::Request<anyfn::Body>>(), Trigger::Http);
/// assert_eq!(Trigger::of::<anyfn::event::ScheduleTick>().as_str(), "timer");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Trigger {
    /// An HTTP request (`http::Request<Body>`).
    Http,
    /// A message or batch of messages (`QueueBatch`, `CloudEvent`).
    PubSub,
    /// A schedule's tick (`ScheduleTick`).
    Timer,
    /// A change in a data source (`StorageEvent`).
    Datasource,
    /// Anything else (`Json<T>`, custom events).
    Other,
}

impl Trigger {
    /// The trigger of a handler whose event type is `E`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_kit::Trigger;
    ///
    /// assert_eq!(Trigger::of::<anyfn::Json<String>>(), Trigger::Other);
    /// ```
    pub fn of<E: 'static>() -> Self {
        let id = TypeId::of::<E>();
        if id == TypeId::of::<anyfn::http::Request<Body>>() {
            Self::Http
        } else if id == TypeId::of::<QueueBatch>() || id == TypeId::of::<CloudEvent>() {
            Self::PubSub
        } else if id == TypeId::of::<ScheduleTick>() {
            Self::Timer
        } else if id == TypeId::of::<StorageEvent>() {
            Self::Datasource
        } else {
            Self::Other
        }
    }

    /// The value of `faas.trigger`.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn_kit::Trigger::PubSub.as_str(), "pubsub");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Http => "http",
            Self::PubSub => "pubsub",
            Self::Timer => "timer",
            Self::Datasource => "datasource",
            Self::Other => "other",
        }
    }
}

/// Which header a [`CallerTrace`] was read from.
///
/// # Example
///
/// ```
/// use anyfn_kit::{CallerTrace, TraceHeader};
///
/// assert_eq!(CallerTrace::xray("Root=1-5759e988-bd862e3fe1be46a994272793").format, TraceHeader::XRay);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TraceHeader {
    /// W3C `traceparent` (with `tracestate`).
    TraceParent,
    /// AWS X-Ray's `X-Amzn-Trace-Id` (Lambda's `Lambda-Runtime-Trace-Id`,
    /// `_X_AMZN_TRACE_ID`): `Root=1-<8 hex>-<24 hex>;Parent=<16 hex>;Sampled=<0|1>`.
    XRay,
    /// Google's `X-Cloud-Trace-Context`: `<32 hex>/<decimal span id>;o=<0|1>`.
    CloudTrace,
}

/// The caller's trace context as the event carried it, put in the
/// [`Context`]'s extensions by the adapter that read it, for a telemetry
/// hook to make the invocation span its child ([`CallerTrace::parent`]
/// reads it).
///
/// # Example
///
/// ```
/// use anyfn_kit::CallerTrace;
///
/// let caller = CallerTrace::new("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
/// let context = anyfn::Context::builder().extension(caller.clone()).build();
/// assert_eq!(context.extensions().get::<CallerTrace>(), Some(&caller));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallerTrace {
    /// Which header [`header`](Self::header) is.
    pub format: TraceHeader,
    /// The header's value, as received.
    pub header: String,
    /// W3C's `tracestate`, if any (only with [`TraceHeader::TraceParent`]).
    pub tracestate: Option<String>,
}

impl CallerTrace {
    /// The caller's W3C `traceparent`, with no `tracestate`.
    ///
    /// # Example
    ///
    /// ```
    /// let caller = anyfn_kit::CallerTrace::new("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    /// assert!(caller.tracestate.is_none());
    /// ```
    pub fn new(traceparent: impl Into<String>) -> Self {
        Self {
            format: TraceHeader::TraceParent,
            header: traceparent.into(),
            tracestate: None,
        }
    }

    /// The caller's AWS X-Ray trace header (on Lambda, the invocation's
    /// `Lambda-Runtime-Trace-Id`).
    ///
    /// # Example
    ///
    /// ```
    /// let caller = anyfn_kit::CallerTrace::xray("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
    /// assert_eq!(caller.parent()?.span_id_hex(), "53995c3f42cd8ad8");
    /// # Ok::<(), anyfn_kit::TraceHeaderError>(())
    /// ```
    pub fn xray(header: impl Into<String>) -> Self {
        Self {
            format: TraceHeader::XRay,
            header: header.into(),
            tracestate: None,
        }
    }

    /// The caller's `X-Cloud-Trace-Context` (Cloud Run's front end, Cloud
    /// Trace).
    ///
    /// # Example
    ///
    /// ```
    /// let caller = anyfn_kit::CallerTrace::cloud_trace("105445aa7843bc8bf206b12000100000/1;o=1");
    /// assert_eq!(caller.parent()?.span_id_hex(), "0000000000000001");
    /// # Ok::<(), anyfn_kit::TraceHeaderError>(())
    /// ```
    pub fn cloud_trace(header: impl Into<String>) -> Self {
        Self {
            format: TraceHeader::CloudTrace,
            header: header.into(),
            tracestate: None,
        }
    }

    /// The same, with a `tracestate`.
    ///
    /// # Example
    ///
    /// ```
    /// let caller = anyfn_kit::CallerTrace::new("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
    ///     .with_tracestate("vendor=1");
    /// assert_eq!(caller.tracestate.as_deref(), Some("vendor=1"));
    /// ```
    #[must_use]
    pub fn with_tracestate(mut self, tracestate: impl Into<String>) -> Self {
        self.tracestate = Some(tracestate.into());
        self
    }

    /// The caller's span, as the header names it: its trace id, its span
    /// id and whether the caller sampled it.
    ///
    /// # Errors
    ///
    /// A [`TraceHeaderError`] saying what is wrong with the header; such a
    /// header gives the invocation no parent (it never panics).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_kit::{CallerTrace, TraceHeaderError};
    ///
    /// let parent = CallerTrace::xray("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1").parent()?;
    /// assert_eq!(parent.trace_id_hex(), "5759e988bd862e3fe1be46a994272793");
    /// assert_eq!(parent.sampled, Some(true));
    ///
    /// let bad = CallerTrace::cloud_trace("105445aa7843bc8bf206b12000100000/abc;o=1").parent();
    /// assert_eq!(bad, Err(TraceHeaderError::SpanId));
    /// # Ok::<(), TraceHeaderError>(())
    /// ```
    pub fn parent(&self) -> Result<ParentSpan, TraceHeaderError> {
        match self.format {
            TraceHeader::TraceParent => parse_traceparent(&self.header),
            TraceHeader::XRay => parse_xray(&self.header),
            TraceHeader::CloudTrace => parse_cloud_trace(&self.header),
        }
    }
}

/// The caller's span a trace header names ([`CallerTrace::parent`]).
///
/// # Example
///
/// ```
/// let parent = anyfn_kit::CallerTrace::new("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").parent()?;
/// assert_eq!(parent.trace_id[0], 0x4b);
/// assert_eq!(parent.span_id_hex(), "00f067aa0ba902b7");
/// # Ok::<(), anyfn_kit::TraceHeaderError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParentSpan {
    /// The trace id (never all zeros).
    pub trace_id: [u8; 16],
    /// The caller's span id (never all zeros).
    pub span_id: [u8; 8],
    /// Whether the caller sampled its span: `None` when the header leaves
    /// the decision to the callee (X-Ray's `Sampled=?` or none, Cloud
    /// Trace's missing `o=`).
    pub sampled: Option<bool>,
}

impl ParentSpan {
    /// The trace id as 32 lower-case hex digits.
    ///
    /// # Example
    ///
    /// ```
    /// let parent = anyfn_kit::CallerTrace::cloud_trace("105445AA7843BC8BF206B12000100000/255").parent()?;
    /// assert_eq!(parent.trace_id_hex(), "105445aa7843bc8bf206b12000100000");
    /// # Ok::<(), anyfn_kit::TraceHeaderError>(())
    /// ```
    pub fn trace_id_hex(&self) -> String {
        hex(&self.trace_id)
    }

    /// The span id as 16 lower-case hex digits.
    ///
    /// # Example
    ///
    /// ```
    /// let parent = anyfn_kit::CallerTrace::cloud_trace("105445aa7843bc8bf206b12000100000/255").parent()?;
    /// assert_eq!(parent.span_id_hex(), "00000000000000ff");
    /// # Ok::<(), anyfn_kit::TraceHeaderError>(())
    /// ```
    pub fn span_id_hex(&self) -> String {
        hex(&self.span_id)
    }
}

/// Why a trace header names no parent span.
///
/// # Example
///
/// ```
/// let err = anyfn_kit::CallerTrace::new("not a traceparent").parent().unwrap_err();
/// assert_eq!(err, anyfn_kit::TraceHeaderError::Malformed("not version-traceid-spanid-flags"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TraceHeaderError {
    /// The header's shape is not its format's.
    #[error("the trace header is malformed: {0}")]
    Malformed(&'static str),
    /// A `traceparent` version this reader does not know how to read
    /// (`ff`, or not two hex digits).
    #[error("the traceparent version is invalid")]
    Version,
    /// The trace id is not of its format's digits, or all zeros.
    #[error("the trace id is malformed or all zeros")]
    TraceId,
    /// The span id is missing, not of its format's digits, or zero.
    #[error("the parent span id is missing, malformed or zero")]
    SpanId,
    /// The sampling flag is not one of its format's values.
    #[error("the sampling flag is malformed")]
    Sampled,
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0xf)]));
    }
    text
}

/// `digits` (exactly `N * 2` hex digits, of either case when `any_case`)
/// as bytes.
fn unhex<const N: usize>(digits: &str, any_case: bool) -> Option<[u8; N]> {
    let digits = digits.as_bytes();
    if digits.len() != N * 2 {
        return None;
    }
    let value = |digit: u8| match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' if any_case => Some(digit - b'A' + 10),
        _ => None,
    };
    let mut bytes = [0; N];
    for (byte, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
        *byte = (value(pair[0])? << 4) | value(pair[1])?;
    }
    Some(bytes)
}

fn non_zero<const N: usize>(bytes: [u8; N]) -> Option<[u8; N]> {
    bytes.iter().any(|byte| *byte != 0).then_some(bytes)
}

/// W3C `traceparent`: `version-traceid-parentid-flags`, lower-case hex; a
/// later version may add fields after the flags; version `ff` is invalid.
fn parse_traceparent(value: &str) -> Result<ParentSpan, TraceHeaderError> {
    let mut fields = value.trim().split('-');
    let (Some(version), Some(trace_id), Some(span_id), Some(flags)) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err(TraceHeaderError::Malformed(
            "not version-traceid-spanid-flags",
        ));
    };
    if unhex::<1>(version, false).is_none() || version == "ff" {
        return Err(TraceHeaderError::Version);
    }
    if version == "00" && fields.next().is_some() {
        return Err(TraceHeaderError::Malformed("version 00 has four fields"));
    }
    let trace_id = unhex(trace_id, false)
        .and_then(non_zero)
        .ok_or(TraceHeaderError::TraceId)?;
    let span_id = unhex(span_id, false)
        .and_then(non_zero)
        .ok_or(TraceHeaderError::SpanId)?;
    let [flags] = unhex::<1>(flags, false).ok_or(TraceHeaderError::Sampled)?;
    Ok(ParentSpan {
        trace_id,
        span_id,
        sampled: Some(flags & 1 == 1),
    })
}

/// X-Ray: `Root=1-<8 hex epoch>-<24 hex>;Parent=<16 hex>;Sampled=<0|1|?>`,
/// the fields in any order, others (`Lineage`, `Self`) ignored.
fn parse_xray(value: &str) -> Result<ParentSpan, TraceHeaderError> {
    let (mut root, mut parent, mut sampled) = (None, None, None);
    for field in value.split(';') {
        let Some((key, value)) = field.split_once('=') else {
            continue;
        };
        match key.trim() {
            "Root" => root = Some(value.trim()),
            "Parent" => parent = Some(value.trim()),
            "Sampled" => sampled = Some(value.trim()),
            _ => {}
        }
    }
    let root = root.ok_or(TraceHeaderError::Malformed("no Root"))?;
    let mut parts = root.split('-');
    let (Some("1"), Some(epoch), Some(unique), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TraceHeaderError::TraceId);
    };
    let epoch = unhex::<4>(epoch, true).ok_or(TraceHeaderError::TraceId)?;
    let unique = unhex::<12>(unique, true).ok_or(TraceHeaderError::TraceId)?;
    let mut trace_id = [0; 16];
    trace_id[..4].copy_from_slice(&epoch);
    trace_id[4..].copy_from_slice(&unique);
    let trace_id = non_zero(trace_id).ok_or(TraceHeaderError::TraceId)?;
    let span_id = parent
        .and_then(|parent| unhex(parent, true))
        .and_then(non_zero)
        .ok_or(TraceHeaderError::SpanId)?;
    let sampled = match sampled {
        Some("1") => Some(true),
        Some("0") => Some(false),
        Some("?") | None => None,
        Some(_) => return Err(TraceHeaderError::Sampled),
    };
    Ok(ParentSpan {
        trace_id,
        span_id,
        sampled,
    })
}

/// `X-Cloud-Trace-Context`: `TRACE_ID/SPAN_ID;o=OPTIONS`, the trace id 32
/// hex digits, the span id a decimal 64-bit number, `o=1` sampled.
fn parse_cloud_trace(value: &str) -> Result<ParentSpan, TraceHeaderError> {
    let (ids, options) = match value.trim().split_once(';') {
        Some((ids, options)) => (ids, Some(options.trim())),
        None => (value.trim(), None),
    };
    let (trace_id, span_id) = ids.split_once('/').ok_or(TraceHeaderError::SpanId)?;
    let trace_id = unhex(trace_id, true)
        .and_then(non_zero)
        .ok_or(TraceHeaderError::TraceId)?;
    let span_id = span_id
        .parse::<u64>()
        .ok()
        .filter(|id| *id != 0)
        .ok_or(TraceHeaderError::SpanId)?;
    let sampled = match options {
        None => None,
        Some("o=1") => Some(true),
        Some("o=0") => Some(false),
        Some(_) => return Err(TraceHeaderError::Sampled),
    };
    Ok(ParentSpan {
        trace_id,
        span_id: span_id.to_be_bytes(),
        sampled,
    })
}

/// What a telemetry crate hooks into every adapter: `on_invocation_span`
/// sees each invocation span as it is opened (before it is entered), with
/// its [`Context`] and [`Trigger`]; `flush` sends what is buffered, and is
/// called by [`flush_telemetry`] (on Lambda after the answer is posted, and
/// by every adapter at shutdown).
///
/// # Example
///
/// ```
/// use anyfn_kit::{CallerTrace, HttpOutcome, HttpRequestLine, TelemetryHooks, Trigger};
///
/// fn on_span(_span: &tracing::Span, _context: &anyfn::Context, _trigger: Trigger) {}
/// fn on_links(_span: &tracing::Span, _links: &[CallerTrace]) {}
/// fn on_http_request(_span: &tracing::Span, _request: HttpRequestLine<'_>) {}
/// fn on_outcome(_span: &tracing::Span, _outcome: HttpOutcome<'_>) {}
/// fn metrics(_adapters: &anyfn::metrics::Metrics) -> Option<anyfn::metrics::Metrics> { None }
/// fn on_invocation_end(_end: anyfn_kit::InvocationEnd) {}
/// fn flush() {}
///
/// let hooks = TelemetryHooks {
///     on_invocation_span: on_span, on_links, on_http_request, on_outcome, metrics, on_invocation_end, flush,
/// };
/// let _ = anyfn_kit::set_telemetry_hooks(hooks);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct TelemetryHooks {
    /// Called with each invocation span as [`invocation_span_for`] opens it.
    pub on_invocation_span: fn(&tracing::Span, &Context, Trigger),
    /// Called by [`invocation_span_for_event`] with the trace context of
    /// each message of a queue batch that carries one, to link the span to
    /// them.
    pub on_links: fn(&tracing::Span, &[CallerTrace]),
    /// Called with an HTTP event's method and path as its span opens.
    pub on_http_request: fn(&tracing::Span, HttpRequestLine<'_>),
    /// Called by [`record_outcome`] as the handler returns, in its span.
    pub on_outcome: fn(&tracing::Span, HttpOutcome<'_>),
    /// Called by [`invoke`](crate::invoke) before the handler runs, with
    /// the metrics the adapter gave the invocation ([`Metrics::none`], or
    /// Lambda's EMF sink): the metrics the handler records into instead
    /// (which may pass everything on to the adapter's too), or `None` to
    /// leave them.
    pub metrics: fn(&Metrics) -> Option<Metrics>,
    /// Called by [`invoke`](crate::invoke) once per invocation as it ends:
    /// its [`Trigger`], how long it ran, and how it ended, the handler's
    /// future dropped included ([`InvocationEnd`]). On the handler's task:
    /// it must not block.
    pub on_invocation_end: fn(InvocationEnd),
    /// Called by [`flush_telemetry`].
    pub flush: fn(),
}

#[cfg(feature = "telemetry")]
static HOOKS: OnceLock<TelemetryHooks> = OnceLock::new();

/// The installed hooks. Without the `telemetry` feature there can be none,
/// and, inlined, each seam's hook call is compiled away.
#[inline]
fn installed_hooks() -> Option<&'static TelemetryHooks> {
    #[cfg(feature = "telemetry")]
    {
        HOOKS.get()
    }
    #[cfg(not(feature = "telemetry"))]
    {
        None
    }
}

/// Installs the process's telemetry hooks, once: a second call returns the
/// hooks it was given and changes nothing. Without the kit's `telemetry`
/// feature (which anyfn-otel turns on) every call returns them.
///
/// # Example
///
/// ```
/// use anyfn_kit::{CallerTrace, HttpOutcome, HttpRequestLine, TelemetryHooks, Trigger};
///
/// fn on_span(_span: &tracing::Span, _context: &anyfn::Context, _trigger: Trigger) {}
/// fn on_links(_span: &tracing::Span, _links: &[CallerTrace]) {}
/// fn on_http_request(_span: &tracing::Span, _request: HttpRequestLine<'_>) {}
/// fn on_outcome(_span: &tracing::Span, _outcome: HttpOutcome<'_>) {}
/// fn metrics(_adapters: &anyfn::metrics::Metrics) -> Option<anyfn::metrics::Metrics> { None }
/// fn on_invocation_end(_end: anyfn_kit::InvocationEnd) {}
/// fn flush() {}
///
/// let hooks = TelemetryHooks {
///     on_invocation_span: on_span, on_links, on_http_request, on_outcome, metrics, on_invocation_end, flush,
/// };
/// let installed = anyfn_kit::set_telemetry_hooks(hooks).is_ok();
/// assert_eq!(anyfn_kit::telemetry_installed(), installed);
/// assert!(anyfn_kit::set_telemetry_hooks(hooks).is_err(), "once");
/// ```
///
/// # Errors
///
/// `hooks`, given back, when hooks are already installed or the
/// `telemetry` feature is off.
pub fn set_telemetry_hooks(hooks: TelemetryHooks) -> Result<(), TelemetryHooks> {
    #[cfg(feature = "telemetry")]
    {
        HOOKS.set(hooks)
    }
    #[cfg(not(feature = "telemetry"))]
    {
        Err(hooks)
    }
}

/// The span an invocation of a handler whose event type is `E` runs in: the
/// [`invocation_span`](crate::invocation_span), passed to the installed
/// [`TelemetryHooks`], if any, with the event's [`Trigger`].
///
/// # Example
///
/// ```
/// let context = anyfn::Context::builder().request_id("req-1").build();
/// let span = anyfn_kit::invocation_span_for::<anyfn::Json<String>>(&context);
/// let _entered = span.entered();
/// ```
#[inline]
pub fn invocation_span_for<E: 'static>(context: &Context) -> tracing::Span {
    let span = crate::invocation_span(context);
    if let Some(hooks) = installed_hooks() {
        (hooks.on_invocation_span)(&span, context, Trigger::of::<E>());
    }
    span
}

/// [`invocation_span_for`], for an HTTP request its method and path
/// (`on_http_request`), and for a [`QueueBatch`] the trace context of
/// each message that carries one handed to the hooks' `on_links`: a
/// message attribute `traceparent` (with `tracestate`) or
/// `googclient_traceparent` (Pub/Sub's), else `AWSTraceHeader` (X-Ray's,
/// when the batch's decoder kept it as a message attribute). With no hooks,
/// one atomic load, as [`invocation_span_for`].
///
/// # Example
///
/// ```
/// use anyfn::event::{Message, QueueBatch};
///
/// let batch = QueueBatch::new(vec![Message::new("m-1", "hi")]);
/// let context = anyfn::Context::builder().request_id("req-1").build();
/// let span = anyfn_kit::invocation_span_for_event(&context, &batch);
/// let _entered = span.entered();
/// ```
#[inline]
pub fn invocation_span_for_event<E: 'static>(context: &Context, event: &E) -> tracing::Span {
    let span = crate::invocation_span(context);
    if let Some(hooks) = installed_hooks() {
        (hooks.on_invocation_span)(&span, context, Trigger::of::<E>());
        let event = event as &dyn std::any::Any;
        if let Some(request) = event.downcast_ref::<anyfn::http::Request<Body>>() {
            (hooks.on_http_request)(&span, HttpRequestLine::of(request));
        } else if let Some(batch) = event.downcast_ref::<QueueBatch>() {
            let links = message_traces(batch);
            if !links.is_empty() {
                (hooks.on_links)(&span, &links);
            }
        }
    }
    span
}

/// The trace context each message of `batch` carries, if any.
fn message_traces(batch: &QueueBatch) -> Vec<CallerTrace> {
    batch
        .messages
        .iter()
        .filter_map(|message| {
            let attributes = &message.attributes;
            if let Some(traceparent) = attributes
                .get("traceparent")
                .or_else(|| attributes.get("googclient_traceparent"))
            {
                let mut caller = CallerTrace::new(traceparent.as_str());
                caller.tracestate = attributes.get("tracestate").cloned();
                Some(caller)
            } else {
                attributes
                    .get("AWSTraceHeader")
                    .map(|header| CallerTrace::xray(header.as_str()))
            }
        })
        .collect()
}

/// [`invocation_span_for`] when the adapter knows the [`Trigger`] but not
/// the event's type (Azure's function registry, whose trigger is the
/// binding's type).
///
/// # Example
///
/// ```
/// let context = anyfn::Context::builder().request_id("req-1").build();
/// let span = anyfn_kit::invocation_span_triggered(&context, anyfn_kit::Trigger::Timer);
/// let _entered = span.entered();
/// ```
#[inline]
pub fn invocation_span_triggered(context: &Context, trigger: Trigger) -> tracing::Span {
    let span = crate::invocation_span(context);
    if let Some(hooks) = installed_hooks() {
        (hooks.on_invocation_span)(&span, context, trigger);
    }
    span
}

/// An HTTP event's request line, for the span's `http.request.method`,
/// `url.path` and (when the adapter knows it) `http.route`.
///
/// # Example
///
/// ```
/// let request = anyfn::http::Request::builder().method("POST").uri("/orders/7?x=1")
///     .body(anyfn::Body::empty()).unwrap();
/// let line = anyfn_kit::HttpRequestLine::of(&request);
/// assert_eq!((line.method, line.path, line.route), ("POST", "/orders/7", None));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpRequestLine<'a> {
    /// The method.
    pub method: &'a str,
    /// The path, without the query.
    pub path: &'a str,
    /// The route template that matched (`/orders/{id}`), when known.
    pub route: Option<&'a str>,
}

impl<'a> HttpRequestLine<'a> {
    /// The method and path of `request`, no route.
    ///
    /// # Example
    ///
    /// ```
    /// let request = anyfn::http::Request::new(anyfn::Body::empty());
    /// assert_eq!(anyfn_kit::HttpRequestLine::of(&request).path, "/");
    /// ```
    pub fn of<B>(request: &'a anyfn::http::Request<B>) -> Self {
        Self {
            method: request.method().as_str(),
            path: request.uri().path(),
            route: None,
        }
    }

    /// The same, with the route template that matched.
    ///
    /// # Example
    ///
    /// ```
    /// let request = anyfn::http::Request::new(anyfn::Body::empty());
    /// let line = anyfn_kit::HttpRequestLine::of(&request).with_route("/{*path}");
    /// assert_eq!(line.route, Some("/{*path}"));
    /// ```
    #[must_use]
    pub fn with_route(mut self, route: &'a str) -> Self {
        self.route = Some(route);
        self
    }
}

/// How an invocation ended, for its span: the HTTP status an HTTP event is
/// answered with (the output's, or the error's), and the error, if any.
///
/// # Example
///
/// ```
/// let outcome = anyfn_kit::HttpOutcome::new(Some(404), None);
/// assert_eq!(outcome.status, Some(404));
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct HttpOutcome<'a> {
    /// The HTTP status, for an HTTP event answered whole.
    pub status: Option<u16>,
    /// The invocation's error, if it failed.
    pub error: Option<&'a anyfn::Error>,
}

impl<'a> HttpOutcome<'a> {
    /// An outcome of `status` and `error`.
    ///
    /// # Example
    ///
    /// ```
    /// let err = anyfn::Error::bad_request("no name");
    /// let outcome = anyfn_kit::HttpOutcome::new(Some(400), Some(&err));
    /// assert!(outcome.error.is_some());
    /// ```
    pub fn new(status: Option<u16>, error: Option<&'a anyfn::Error>) -> Self {
        Self { status, error }
    }
}

/// Hands the installed hooks an HTTP event's request line, for an adapter
/// that opened the span with [`invocation_span_triggered`] (the event's
/// type unknown there); nothing without hooks.
///
/// # Example
///
/// ```
/// let request = anyfn::http::Request::new(anyfn::Body::empty());
/// let span = tracing::Span::none();
/// anyfn_kit::record_http_request(&span, anyfn_kit::HttpRequestLine::of(&request));
/// ```
#[inline]
pub fn record_http_request(span: &tracing::Span, request: HttpRequestLine<'_>) {
    if let Some(hooks) = installed_hooks() {
        (hooks.on_http_request)(span, request);
    }
}

/// Hands the installed hooks how an invocation of a handler of event `E`
/// and output `O` ended ([`HttpOutcome`]): for an HTTP request, the
/// response's status or the error's; [`invoke`](crate::invoke) calls it in
/// the invocation's span. Nothing without hooks.
///
/// # Example
///
/// ```
/// use anyfn::{http::Request, Body, Response};
///
/// let answered: Result<Response, anyfn::Error> = Ok(Response::new(Body::empty()));
/// anyfn_kit::record_outcome::<Request<Body>, _>(&tracing::Span::none(), &answered);
/// ```
#[inline]
pub fn record_outcome<E: 'static, O: 'static>(
    span: &tracing::Span,
    outcome: &Result<O, anyfn::Error>,
) {
    let Some(hooks) = installed_hooks() else {
        return;
    };
    let status = match outcome {
        Ok(output) => (output as &dyn std::any::Any)
            .downcast_ref::<anyfn::http::Response<Body>>()
            .map(|response| response.status().as_u16()),
        Err(error) if TypeId::of::<E>() == TypeId::of::<anyfn::http::Request<Body>>() => {
            Some(error.status().as_u16())
        }
        Err(_) => None,
    };
    (hooks.on_outcome)(span, HttpOutcome::new(status, outcome.as_ref().err()));
}

/// How an invocation ended, for the telemetry's metrics ([`InvocationEnd`]).
///
/// # Example
///
/// ```
/// let ended = anyfn_kit::Ended::of(&Err::<(), _>(anyfn::Error::timeout(std::time::Duration::from_secs(3))));
/// assert_eq!(ended, anyfn_kit::Ended::TimedOut);
/// assert!(ended.is_error());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Ended {
    /// The handler returned its output.
    Answered,
    /// The handler failed (its error, a panic, a late result that is not a
    /// timeout).
    Failed,
    /// The deadline passed: the handler was cut, or its result came late.
    TimedOut,
    /// The invocation was dropped before its deadline (the client went
    /// away, the adapter shut down).
    Dropped,
}

impl Ended {
    /// How an invocation whose outcome is `outcome` ended.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn_kit::Ended::of(&Ok::<_, anyfn::Error>(1)), anyfn_kit::Ended::Answered);
    /// ```
    pub fn of<O>(outcome: &Result<O, anyfn::Error>) -> Self {
        match outcome {
            Ok(_) => Self::Answered,
            Err(error) if error.is_timeout() => Self::TimedOut,
            Err(_) => Self::Failed,
        }
    }

    /// Whether it is an error (failed or timed out; a dropped invocation
    /// is none).
    ///
    /// # Example
    ///
    /// ```
    /// assert!(!anyfn_kit::Ended::Dropped.is_error());
    /// ```
    pub fn is_error(self) -> bool {
        matches!(self, Self::Failed | Self::TimedOut)
    }
}

/// One invocation as it ended, handed to the installed
/// [`TelemetryHooks::on_invocation_end`] by [`invoke`](crate::invoke).
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use anyfn_kit::{Ended, InvocationEnd, Trigger};
///
/// let end = InvocationEnd::new(Trigger::Http, Duration::from_millis(12), Ended::Answered);
/// assert_eq!(end.duration.as_millis(), 12);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct InvocationEnd {
    /// What triggered it: the handler's event type's.
    pub trigger: Trigger,
    /// From the start of [`invoke`](crate::invoke) to its end (or to its
    /// future being dropped).
    pub duration: Duration,
    /// How it ended.
    pub ended: Ended,
}

impl InvocationEnd {
    /// An invocation of `trigger` that ran `duration` and ended as `ended`.
    ///
    /// # Example
    ///
    /// ```
    /// let end = anyfn_kit::InvocationEnd::new(anyfn_kit::Trigger::Timer, std::time::Duration::ZERO, anyfn_kit::Ended::Failed);
    /// assert!(end.ended.is_error());
    /// ```
    pub fn new(trigger: Trigger, duration: Duration, ended: Ended) -> Self {
        Self {
            trigger,
            duration,
            ended,
        }
    }
}

/// The context a handler of event `E` runs with: with hooks installed, its
/// metrics are the hooks' ([`TelemetryHooks::metrics`]), and the returned
/// guard hands the hooks the invocation's end, even if its future is
/// dropped. Without hooks, the context as it is and no guard (one atomic
/// load). Without the `telemetry` feature it does not exist: invoke holds
/// no guard.
#[cfg(feature = "telemetry")]
#[inline]
pub(crate) fn start_invocation<E: 'static>(
    context: Context,
    started: Instant,
) -> (Context, Option<EndGuard>) {
    let Some(hooks) = installed_hooks() else {
        return (context, None);
    };
    let deadline = context.deadline();
    let context = match (hooks.metrics)(context.metrics()) {
        Some(metrics) => context.into_builder().metrics(metrics).build(),
        None => context,
    };
    let guard = EndGuard {
        on_end: hooks.on_invocation_end,
        trigger: Trigger::of::<E>(),
        started,
        deadline,
        armed: true,
    };
    (context, Some(guard))
}

/// Hands [`TelemetryHooks::on_invocation_end`] the invocation's end: its
/// outcome's ([`EndGuard::finish`]), or, dropped first, a timeout past the
/// deadline and [`Ended::Dropped`] before it.
#[cfg(feature = "telemetry")]
#[derive(Debug)]
pub(crate) struct EndGuard {
    on_end: fn(InvocationEnd),
    trigger: Trigger,
    started: Instant,
    deadline: Instant,
    armed: bool,
}

#[cfg(feature = "telemetry")]
impl EndGuard {
    /// The invocation ended with `outcome`.
    pub(crate) fn finish<O>(mut self, outcome: &Result<O, anyfn::Error>) {
        self.armed = false;
        (self.on_end)(InvocationEnd::new(
            self.trigger,
            self.started.elapsed(),
            Ended::of(outcome),
        ));
    }
}

#[cfg(feature = "telemetry")]
impl Drop for EndGuard {
    fn drop(&mut self) {
        if self.armed {
            let now = Instant::now();
            let ended = if now >= self.deadline {
                Ended::TimedOut
            } else {
                Ended::Dropped
            };
            (self.on_end)(InvocationEnd::new(
                self.trigger,
                now.saturating_duration_since(self.started),
                ended,
            ));
        }
    }
}

/// Whether telemetry hooks are installed (one atomic load): an adapter
/// reads the caller's trace headers ([`CallerTrace`]) and flushes only
/// then, so that with no telemetry an invocation costs what it did.
///
/// # Example
///
/// ```
/// assert!(!anyfn_kit::telemetry_installed());
/// ```
#[inline]
pub fn telemetry_installed() -> bool {
    installed_hooks().is_some()
}

/// Whether the kit was built with its `telemetry` feature (anyfn-otel turns
/// it on). A constant, so that an adapter's `if TELEMETRY_COMPILED && …`
/// is gone from a build without the feature before the optimizer runs: no
/// [`CallerTrace`] built, inserted or dropped there. A call to
/// [`telemetry_installed`] alone left that code in an adapter's future.
///
/// # Example
///
/// ```
/// if anyfn_kit::TELEMETRY_COMPILED && anyfn_kit::telemetry_installed() {
///     // read the caller's trace headers for the hook
/// }
/// ```
pub const TELEMETRY_COMPILED: bool = cfg!(feature = "telemetry");

/// Sends what the installed telemetry buffers (its `flush` hook); nothing
/// without hooks. It may block until the export is done.
///
/// # Example
///
/// ```
/// anyfn_kit::flush_telemetry(); // no hooks: returns at once
/// ```
#[inline]
pub fn flush_telemetry() {
    if let Some(hooks) = installed_hooks() {
        (hooks.flush)();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

    #[test]
    fn traceparent_names_the_callers_span_and_its_sampling() {
        let parent = CallerTrace::new(format!("00-{TRACE}-00f067aa0ba902b7-01"))
            .parent()
            .expect("well formed");
        assert_eq!(parent.trace_id_hex(), TRACE);
        assert_eq!(parent.span_id_hex(), "00f067aa0ba902b7");
        assert_eq!(parent.sampled, Some(true));
        let unsampled = CallerTrace::new(format!("00-{TRACE}-00f067aa0ba902b7-00")).parent();
        assert_eq!(unsampled.map(|p| p.sampled), Ok(Some(false)));
        let later = CallerTrace::new(format!("01-{TRACE}-00f067aa0ba902b7-01-future")).parent();
        assert!(later.is_ok(), "a later version may add fields");
    }

    #[test]
    fn malformed_traceparents_are_typed_errors() {
        use TraceHeaderError::*;
        for (value, error) in [
            ("", Malformed("not version-traceid-spanid-flags")),
            ("00-abc", Malformed("not version-traceid-spanid-flags")),
            (&*format!("ff-{TRACE}-00f067aa0ba902b7-01"), Version),
            (&*format!("0-{TRACE}-00f067aa0ba902b7-01"), Version),
            (
                &*format!("00-{TRACE}-00f067aa0ba902b7-01-x"),
                Malformed("version 00 has four fields"),
            ),
            (
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                TraceId,
            ),
            (
                "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                TraceId,
            ),
            (&*format!("00-{TRACE}-0000000000000000-01"), SpanId),
            (&*format!("00-{TRACE}-00f067aa0ba902b-01"), SpanId),
            (&*format!("00-{TRACE}-00f067aa0ba902b7-1"), Sampled),
            (&*format!("00-{TRACE}-00f067aa0ba902b7-é1"), Sampled),
        ] {
            assert_eq!(CallerTrace::new(value).parent(), Err(error), "{value:?}");
        }
    }

    #[test]
    fn xray_gives_root_as_the_trace_id_and_parent_as_the_span() {
        let parent = CallerTrace::xray(
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
        )
        .parent()
        .expect("well formed");
        assert_eq!(parent.trace_id_hex(), "5759e988bd862e3fe1be46a994272793");
        assert_eq!(parent.span_id_hex(), "53995c3f42cd8ad8");
        assert_eq!(parent.sampled, Some(true));
        // Any order, spaces, other fields, and the sampling left open.
        let parent = CallerTrace::xray(
            "Self=1-67891234-12456789abcdef012345678;Parent=53995c3f42cd8ad8; Root=1-5759e988-bd862e3fe1be46a994272793;Lineage=a87bd80c:1",
        )
        .parent()
        .expect("well formed");
        assert_eq!(parent.trace_id_hex(), "5759e988bd862e3fe1be46a994272793");
        assert_eq!(parent.sampled, None);
        let unsampled = CallerTrace::xray(
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0",
        )
        .parent();
        assert_eq!(unsampled.map(|p| p.sampled), Ok(Some(false)));
    }

    #[test]
    fn malformed_xray_headers_are_typed_errors() {
        use TraceHeaderError::*;
        for (value, error) in [
            ("", Malformed("no Root")),
            ("Parent=53995c3f42cd8ad8", Malformed("no Root")),
            (
                "Root=2-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8",
                TraceId,
            ),
            (
                "Root=1-5759e98-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8",
                TraceId,
            ),
            (
                "Root=1-5759e988-bd862e3fe1be46a99427279z;Parent=53995c3f42cd8ad8",
                TraceId,
            ),
            (
                "Root=1-00000000-000000000000000000000000;Parent=53995c3f42cd8ad8",
                TraceId,
            ),
            ("Root=1-5759e988-bd862e3fe1be46a994272793", SpanId),
            (
                "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=0000000000000000",
                SpanId,
            ),
            (
                "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=yes",
                Sampled,
            ),
        ] {
            assert_eq!(CallerTrace::xray(value).parent(), Err(error), "{value:?}");
        }
    }

    #[test]
    fn the_cloud_trace_context_has_a_decimal_span_id() {
        let parent = CallerTrace::cloud_trace("105445aa7843bc8bf206b12000100000/1;o=1")
            .parent()
            .expect("well formed");
        assert_eq!(parent.trace_id_hex(), "105445aa7843bc8bf206b12000100000");
        assert_eq!(parent.span_id_hex(), "0000000000000001");
        assert_eq!(parent.sampled, Some(true));
        let parent =
            CallerTrace::cloud_trace("105445aa7843bc8bf206b12000100000/18446744073709551615")
                .parent()
                .expect("the largest span id");
        assert_eq!(parent.span_id_hex(), "ffffffffffffffff");
        assert_eq!(parent.sampled, None);
        let unsampled = CallerTrace::cloud_trace("105445aa7843bc8bf206b12000100000/7;o=0").parent();
        assert_eq!(unsampled.map(|p| p.sampled), Ok(Some(false)));
    }

    #[test]
    fn malformed_cloud_trace_contexts_are_typed_errors() {
        use TraceHeaderError::*;
        for (value, error) in [
            ("", SpanId),
            ("105445aa7843bc8bf206b12000100000;o=1", SpanId),
            ("105445aa7843bc8bf206b12000100000/0;o=1", SpanId),
            ("105445aa7843bc8bf206b12000100000/-1", SpanId),
            (
                "105445aa7843bc8bf206b12000100000/18446744073709551616",
                SpanId,
            ),
            ("105445aa7843bc8bf206b12000100000/ff", SpanId),
            ("not-a-trace/1;o=1", TraceId),
            ("00000000000000000000000000000000/1", TraceId),
            ("105445aa7843bc8bf206b12000100000/1;o=2", Sampled),
        ] {
            assert_eq!(
                CallerTrace::cloud_trace(value).parent(),
                Err(error),
                "{value:?}"
            );
        }
    }

    #[test]
    fn no_header_panics_whatever_its_bytes() {
        let samples = [
            "",
            "-",
            "--",
            "---",
            ";",
            "=",
            "/",
            "Root=",
            "Root=1--;Parent=",
            "é/é;o=é",
            "00-é-é-é",
            "Root=1-é-é;Parent=é;Sampled=é",
            "\u{0}/\u{0}",
        ];
        for sample in samples {
            for caller in [
                CallerTrace::new(sample),
                CallerTrace::xray(sample),
                CallerTrace::cloud_trace(sample),
            ] {
                assert!(caller.parent().is_err(), "{caller:?}");
            }
        }
    }

    #[test]
    fn trigger_names_are_the_conventions() {
        assert_eq!(Trigger::of::<anyfn::event::QueueBatch>().as_str(), "pubsub");
        assert_eq!(
            Trigger::of::<anyfn::event::StorageEvent>().as_str(),
            "datasource"
        );
        assert_eq!(
            Trigger::of::<anyfn::event::ScheduleTick>().as_str(),
            "timer"
        );
        assert_eq!(Trigger::of::<anyfn::http::Request<Body>>().as_str(), "http");
        assert_eq!(Trigger::of::<u8>().as_str(), "other");
    }
}
