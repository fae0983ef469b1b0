//! What an invocation logged through `tracing`, captured for assertions:
//! [`LogRecord`].

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Dispatch, Event, Level, Subscriber};
use tracing_subscriber::layer::{Context as LayerContext, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

/// One event an invocation logged, as the [`Harness`](crate::Harness)
/// captured it.
///
/// # Example
///
/// ```
/// use anyfn::{handler_fn, Context, Json};
/// use anyfn_test::Harness;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let handler = handler_fn(|Json(order): Json<u32>, _context: Context| async move {
///     tracing::info!(order, "charging the card");
///     Ok::<_, anyfn::Error>(Json("charged"))
/// });
/// let invocation = Harness::new(handler).invoke(Json(17)).await;
/// let line = &invocation.logs()[0];
/// assert_eq!(line.level(), tracing::Level::INFO);
/// assert_eq!(line.message(), "charging the card");
/// assert_eq!(line.field("order"), Some("17"));
/// assert_eq!(line.request_id(), Some("test-request-1"));
/// assert_eq!(line.to_string(), "INFO invocation{request_id=test-request-1}: charging the card order=17");
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRecord {
    level: Level,
    target: String,
    message: String,
    fields: Vec<(String, String)>,
    request_id: Option<String>,
}

impl LogRecord {
    /// The event's level.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_test::Harness;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let handler = handler_fn(|_: Json<()>, _: Context| async {
    ///     tracing::warn!(target: "billing", order = 17, card = "visa", "card declined");
    ///     Ok::<_, anyfn::Error>(Json(()))
    /// });
    /// let invocation = Harness::new(handler).invoke(Json(())).await;
    /// let record = &invocation.logs()[0];
    /// assert_eq!(record.level(), tracing::Level::WARN);
    /// # }
    /// ```
    pub fn level(&self) -> Level {
        self.level
    }

    /// The event's target (its module path, unless set).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_test::Harness;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let handler = handler_fn(|_: Json<()>, _: Context| async {
    ///     tracing::warn!(target: "billing", order = 17, card = "visa", "card declined");
    ///     Ok::<_, anyfn::Error>(Json(()))
    /// });
    /// let invocation = Harness::new(handler).invoke(Json(())).await;
    /// let record = &invocation.logs()[0];
    /// assert_eq!(record.target(), "billing");
    /// # }
    /// ```
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The event's message.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_test::Harness;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let handler = handler_fn(|_: Json<()>, _: Context| async {
    ///     tracing::warn!(target: "billing", order = 17, card = "visa", "card declined");
    ///     Ok::<_, anyfn::Error>(Json(()))
    /// });
    /// let invocation = Harness::new(handler).invoke(Json(())).await;
    /// let record = &invocation.logs()[0];
    /// assert_eq!(record.message(), "card declined");
    /// # }
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The value of the field `name`: a string as it is, any other value in
    /// its `Debug` form.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_test::Harness;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let handler = handler_fn(|_: Json<()>, _: Context| async {
    ///     tracing::warn!(target: "billing", order = 17, card = "visa", "card declined");
    ///     Ok::<_, anyfn::Error>(Json(()))
    /// });
    /// let invocation = Harness::new(handler).invoke(Json(())).await;
    /// let record = &invocation.logs()[0];
    /// assert_eq!(record.field("card"), Some("visa"));
    /// assert_eq!(record.field("order"), Some("17"));
    /// assert_eq!(record.field("amount"), None);
    /// # }
    /// ```
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, value)| value.as_str())
    }

    /// Every field but the message, in order.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_test::Harness;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let handler = handler_fn(|_: Json<()>, _: Context| async {
    ///     tracing::warn!(target: "billing", order = 17, card = "visa", "card declined");
    ///     Ok::<_, anyfn::Error>(Json(()))
    /// });
    /// let invocation = Harness::new(handler).invoke(Json(())).await;
    /// let record = &invocation.logs()[0];
    /// assert_eq!(record.fields().collect::<Vec<_>>(), [("order", "17"), ("card", "visa")]);
    /// # }
    /// ```
    pub fn fields(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
    }

    /// The request id of the invocation span the event was logged in.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_test::Harness;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let handler = handler_fn(|_: Json<()>, _: Context| async {
    ///     tracing::warn!(target: "billing", order = 17, card = "visa", "card declined");
    ///     Ok::<_, anyfn::Error>(Json(()))
    /// });
    /// let invocation = Harness::new(handler).invoke(Json(())).await;
    /// let record = &invocation.logs()[0];
    /// assert_eq!(record.request_id(), Some("test-request-1"));
    /// # }
    /// ```
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
}

impl fmt::Display for LogRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.level)?;
        if let Some(request_id) = &self.request_id {
            write!(f, " invocation{{request_id={request_id}}}:")?;
        }
        write!(f, " {}", self.message)?;
        for (name, value) in &self.fields {
            write!(f, " {name}={value}")?;
        }
        Ok(())
    }
}

/// The records of one invocation, shared with the subscriber that fills it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Captured(Arc<Mutex<Vec<LogRecord>>>);

impl Captured {
    /// A subscriber that records every event into this capture.
    pub(crate) fn dispatch(&self) -> Dispatch {
        // The telemetry's layer (anyfn-otel), when one is installed, sees
        // the invocation too. Scoped: it sees the handler's events even when
        // another thread (a test running alongside) reached a statement
        // first without a subscriber.
        anyfn_kit::logging::scoped_dispatch(
            tracing_subscriber::registry()
                .with(anyfn_kit::logging::new_extra_layer())
                .with(CaptureLayer {
                    records: self.clone(),
                }),
        )
    }

    /// The records so far.
    pub(crate) fn take(&self) -> Vec<LogRecord> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

struct CaptureLayer {
    records: Captured,
}

/// A span's `request_id`, kept in its extensions.
struct SpanRequestId(String);

impl<S> Layer<S> for CaptureLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: LayerContext<'_, S>) {
        let mut visitor = FieldVisitor::default();
        attrs.record(&mut visitor);
        let request_id = visitor
            .fields
            .into_iter()
            .find(|(name, _)| name == "request_id");
        if let (Some((_, request_id)), Some(span)) = (request_id, ctx.span(id)) {
            span.extensions_mut().insert(SpanRequestId(request_id));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: LayerContext<'_, S>) {
        let mut visitor = FieldVisitor::default();
        event.record(&mut visitor);
        let request_id = ctx.event_scope(event).and_then(|scope| {
            scope.from_root().find_map(|span| {
                span.extensions()
                    .get::<SpanRequestId>()
                    .map(|id| id.0.clone())
            })
        });
        let metadata = event.metadata();
        let record = LogRecord {
            level: *metadata.level(),
            target: metadata.target().to_owned(),
            message: visitor.message,
            fields: visitor.fields,
            request_id,
        };
        self.records
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(record);
    }
}

#[derive(Default)]
struct FieldVisitor {
    message: String,
    fields: Vec<(String, String)>,
}

impl Visit for FieldVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.record(field, value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.record(field, format!("{value:?}"));
    }
}

impl FieldVisitor {
    fn record(&mut self, field: &Field, value: String) {
        if field.name() == "message" {
            self.message = value;
        } else {
            self.fields.push((field.name().to_owned(), value));
        }
    }
}
