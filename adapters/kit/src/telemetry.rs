//! The seam through which a telemetry crate (`anyfn-otel`) joins every
//! adapter without the adapters, the kit or the core depending on it: what
//! triggered an invocation ([`Trigger`]), the caller's trace headers
//! ([`CallerTrace`], a [`Context`] extension), and process-wide hooks
//! ([`TelemetryHooks`]) that [`invocation_span_for`] and
//! [`flush_telemetry`] call. With no hooks installed, each costs one atomic
//! load.

use std::any::TypeId;
use std::sync::OnceLock;

use anyfn::event::{CloudEvent, QueueBatch, ScheduleTick, StorageEvent};
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

/// The caller's W3C trace context as the event carried it (the
/// `traceparent` and `tracestate` headers), put in the [`Context`]'s
/// extensions by the adapter that read it, for a telemetry hook to make the
/// invocation span its child.
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
    /// The `traceparent` header's value, as received.
    pub traceparent: String,
    /// The `tracestate` header's value, if any.
    pub tracestate: Option<String>,
}

impl CallerTrace {
    /// The caller's `traceparent`, with no `tracestate`.
    ///
    /// # Example
    ///
    /// ```
    /// let caller = anyfn_kit::CallerTrace::new("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    /// assert!(caller.tracestate.is_none());
    /// ```
    pub fn new(traceparent: impl Into<String>) -> Self {
        Self {
            traceparent: traceparent.into(),
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
/// fn on_span(_span: &tracing::Span, _context: &anyfn::Context, _trigger: anyfn_kit::Trigger) {}
/// fn flush() {}
///
/// let hooks = anyfn_kit::TelemetryHooks { on_invocation_span: on_span, flush };
/// let _ = anyfn_kit::set_telemetry_hooks(hooks);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct TelemetryHooks {
    /// Called with each invocation span as [`invocation_span_for`] opens it.
    pub on_invocation_span: fn(&tracing::Span, &Context, Trigger),
    /// Called by [`flush_telemetry`].
    pub flush: fn(),
}

static HOOKS: OnceLock<TelemetryHooks> = OnceLock::new();

/// Installs the process's telemetry hooks, once: a second call returns the
/// hooks it was given and changes nothing.
///
/// # Example
///
/// ```
/// fn on_span(_span: &tracing::Span, _context: &anyfn::Context, _trigger: anyfn_kit::Trigger) {}
/// fn flush() {}
///
/// let hooks = anyfn_kit::TelemetryHooks { on_invocation_span: on_span, flush };
/// assert!(anyfn_kit::set_telemetry_hooks(hooks).is_ok());
/// assert!(anyfn_kit::set_telemetry_hooks(hooks).is_err());
/// ```
pub fn set_telemetry_hooks(hooks: TelemetryHooks) -> Result<(), TelemetryHooks> {
    HOOKS.set(hooks)
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
pub fn invocation_span_for<E: 'static>(context: &Context) -> tracing::Span {
    let span = crate::invocation_span(context);
    if let Some(hooks) = HOOKS.get() {
        (hooks.on_invocation_span)(&span, context, Trigger::of::<E>());
    }
    span
}

/// Sends what the installed telemetry buffers (its `flush` hook); nothing
/// without hooks. It may block until the export is done.
///
/// # Example
///
/// ```
/// anyfn_kit::flush_telemetry(); // no hooks: returns at once
/// ```
pub fn flush_telemetry() {
    if let Some(hooks) = HOOKS.get() {
        (hooks.flush)();
    }
}
