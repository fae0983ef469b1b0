//! Server-sent events (`text/event-stream`): [`SseEvent`], [`response`].
//!
//! A function streams events; every adapter sends them as they come, and,
//! when no event has gone out for a while ([`KeepAlive`], 15 s by default),
//! a comment line that keeps proxies from closing the idle connection. A
//! stream cut short by an error or the deadline first sends an `error` event
//! whose data is the error's JSON answer
//! (`{"errorType", "errorMessage", "requestId"}`, as
//! [`Error::to_response`](crate::Error::to_response) renders it).
//!
//! # Example
//!
//! ```
//! use anyfn::stream::sse::{self, SseEvent};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), anyfn::Error> {
//! let events = tokio_stream::iter((1..=2).map(|n| {
//!     Ok::<_, anyfn::Error>(SseEvent::new(format!("tick {n}")).with_id(n.to_string()).with_event("tick"))
//! }));
//! let response = sse::response(events);
//! assert_eq!(response.headers()["content-type"], "text/event-stream");
//! assert_eq!(
//!     response.into_body().collect().await?,
//!     "id: 1\nevent: tick\ndata: tick 1\n\nid: 2\nevent: tick\ndata: tick 2\n\n"
//! );
//! # Ok(())
//! # }
//! ```

use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};
use futures_core::Stream;
use http::header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE};
use serde::Serialize;

use super::body::Chunks;
use super::{BodyStream, StreamResponse};
use crate::{Error, ErrorDetails, ErrorKind, IntoError, MediaType};

/// How long an event stream may stay silent before the adapter sends a
/// keep-alive comment, by default.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use anyfn::stream::sse::{self, KeepAlive, SseEvent, DEFAULT_KEEP_ALIVE};
///
/// assert_eq!(DEFAULT_KEEP_ALIVE, Duration::from_secs(15));
/// let response = sse::response(tokio_stream::iter([Ok::<_, anyfn::Error>(SseEvent::new("hi"))]));
/// assert_eq!(response.extensions().get::<KeepAlive>(), Some(&KeepAlive(DEFAULT_KEEP_ALIVE)));
/// ```
pub const DEFAULT_KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The comment an adapter sends on an idle event stream.
///
/// # Example
///
/// ```
/// use anyfn::stream::sse::KEEP_ALIVE_COMMENT;
///
/// // A comment line (it starts with `:`), which clients ignore.
/// assert_eq!(KEEP_ALIVE_COMMENT, b": keep-alive\n\n");
/// assert!(KEEP_ALIVE_COMMENT.starts_with(b":"));
/// ```
pub const KEEP_ALIVE_COMMENT: &[u8] = b": keep-alive\n\n";

/// How long an event stream may stay silent before the adapter sends a
/// keep-alive comment; kept in the response's extensions by [`response`].
/// Change it with `response.extensions_mut().insert(KeepAlive(…))`.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use anyfn::stream::sse::{self, KeepAlive, SseEvent};
///
/// let events = tokio_stream::iter([Ok::<_, anyfn::Error>(SseEvent::new("hello"))]);
/// let mut response = sse::response(events);
/// assert_eq!(response.extensions().get::<KeepAlive>(), Some(&KeepAlive(Duration::from_secs(15))));
/// response.extensions_mut().insert(KeepAlive(Duration::from_secs(5)));
/// assert_eq!(response.extensions().get::<KeepAlive>(), Some(&KeepAlive(Duration::from_secs(5))));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeepAlive(pub Duration);

/// One server-sent event: its data, and optionally its id, its type and the
/// reconnection delay the client should use.
///
/// # Example
///
/// ```
/// use anyfn::stream::sse::SseEvent;
///
/// let event = SseEvent::new("line one\nline two").with_event("note").with_id("7");
/// assert_eq!(event.to_bytes(), "id: 7\nevent: note\ndata: line one\ndata: line two\n\n");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    id: Option<String>,
    event: Option<String>,
    data: String,
    retry: Option<Duration>,
}

/// Making an event: its data ([`new`](Self::new), [`json`](Self::json)),
/// then its optional fields; [`to_bytes`](Self::to_bytes) encodes it.
///
/// # Example
///
/// ```
/// use anyfn::stream::sse::SseEvent;
///
/// let event = SseEvent::json(&[1, 2, 3])?.with_event("numbers");
/// assert_eq!(event.to_bytes(), "event: numbers\ndata: [1,2,3]\n\n");
/// # Ok::<(), anyfn::Error>(())
/// ```
impl SseEvent {
    /// An event carrying `data`; a multi-line text is sent as one `data`
    /// line per line, and the client joins them again.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::stream::sse::SseEvent;
    ///
    /// let event = SseEvent::new("first line\nsecond line");
    /// assert_eq!(event.to_bytes(), "data: first line\ndata: second line\n\n");
    /// ```
    pub fn new(data: impl Into<String>) -> Self {
        Self {
            id: None,
            event: None,
            data: data.into(),
            retry: None,
        }
    }

    /// An event whose data is `value` as JSON.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Internal`] when `value` cannot be serialized.
    ///
    /// # Example
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use anyfn::stream::sse::SseEvent;
    ///
    /// let event = SseEvent::json(&serde_json::json!({"order": 17, "state": "paid"}))?;
    /// assert_eq!(event.to_bytes(), "data: {\"order\":17,\"state\":\"paid\"}\n\n");
    /// // JSON object keys must be strings.
    /// let err = SseEvent::json(&BTreeMap::from([((1, 2), "pair")])).unwrap_err();
    /// assert_eq!(err.kind(), anyfn::ErrorKind::Internal);
    /// # Ok::<(), anyfn::Error>(())
    /// ```
    pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<Self, Error> {
        serde_json::to_string(value).map(Self::new).map_err(|err| {
            Error::with_source(
                ErrorKind::Internal,
                "could not serialize the event as JSON",
                err,
            )
        })
    }

    /// Sets the event's id (the client sends the last one back as
    /// `Last-Event-ID` when it reconnects). Line breaks are removed.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::stream::sse::SseEvent;
    ///
    /// let event = SseEvent::new("paid").with_id("order\n17");
    /// assert_eq!(event.to_bytes(), "id: order 17\ndata: paid\n\n");
    /// ```
    #[must_use]
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(one_line(id.into()));
        self
    }

    /// Sets the event's type (`event:`; `message` when absent). Line breaks
    /// are removed.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::stream::sse::SseEvent;
    ///
    /// let event = SseEvent::new("17").with_event("order-paid");
    /// assert_eq!(event.to_bytes(), "event: order-paid\ndata: 17\n\n");
    /// ```
    #[must_use]
    pub fn with_event(mut self, event: impl Into<String>) -> Self {
        self.event = Some(one_line(event.into()));
        self
    }

    /// Sets how long the client waits before reconnecting.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn::stream::sse::SseEvent;
    ///
    /// let event = SseEvent::new("busy").with_retry(Duration::from_secs(5));
    /// assert_eq!(event.to_bytes(), "retry: 5000\ndata: busy\n\n");
    /// ```
    #[must_use]
    pub fn with_retry(mut self, retry: Duration) -> Self {
        self.retry = Some(retry);
        self
    }

    /// The event as the wire carries it, ending with a blank line.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn::stream::sse::SseEvent;
    ///
    /// let event = SseEvent::new("a\r\nb").with_retry(Duration::from_millis(1500)).with_id("3");
    /// assert_eq!(event.to_bytes(), "id: 3\nretry: 1500\ndata: a\ndata: b\n\n");
    /// ```
    pub fn to_bytes(&self) -> Bytes {
        let mut out = BytesMut::with_capacity(self.data.len() + 32);
        if let Some(id) = &self.id {
            field(&mut out, "id", id);
        }
        if let Some(event) = &self.event {
            field(&mut out, "event", event);
        }
        if let Some(retry) = self.retry {
            field(&mut out, "retry", &retry.as_millis().to_string());
        }
        for line in self.data.split('\n') {
            field(&mut out, "data", line.strip_suffix('\r').unwrap_or(line));
        }
        out.put_u8(b'\n');
        out.freeze()
    }
}

fn one_line(text: String) -> String {
    if text.contains(['\n', '\r']) {
        text.replace(['\n', '\r'], " ")
    } else {
        text
    }
}

fn field(out: &mut BytesMut, name: &str, value: &str) {
    out.put_slice(name.as_bytes());
    out.put_slice(b": ");
    out.put_slice(value.replace('\r', "").as_bytes());
    out.put_u8(b'\n');
}

/// A streamed `text/event-stream` response of `events`: `Cache-Control:
/// no-cache`, and [`KeepAlive`] at [`DEFAULT_KEEP_ALIVE`]. An error item
/// cuts the stream short; the adapter first sends it as an `error` event.
///
/// # Example
///
/// ```
/// use anyfn::stream::sse::{self, SseEvent};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), anyfn::Error> {
/// let events = tokio_stream::iter(["a", "b"].map(|data| Ok::<_, anyfn::Error>(SseEvent::new(data))));
/// let response = sse::response(events);
/// assert_eq!(response.headers()["cache-control"], "no-cache");
/// assert_eq!(response.into_body().collect().await?, "data: a\n\ndata: b\n\n");
/// # Ok(())
/// # }
/// ```
pub fn response<S, E>(events: S) -> StreamResponse
where
    S: Stream<Item = Result<SseEvent, E>> + Send + 'static,
    E: IntoError,
{
    from_body(BodyStream::from_chunks(Chunks::new(
        events,
        |event: SseEvent| event.to_bytes(),
    )))
}

/// An event stream response of a body whose chunks are already encoded
/// events ([`SseEvent::to_bytes`]), as a [`channel`](super::channel) gives:
/// the same headers and keep-alive as [`response`].
///
/// # Example
///
/// ```
/// use anyfn::stream::{self, sse::{self, SseEvent}};
///
/// let (sender, body) = stream::channel(4);
/// let response = sse::from_body(body);
/// assert_eq!(response.headers()["content-type"], "text/event-stream");
/// # drop(sender);
/// ```
pub fn from_body(body: BodyStream) -> StreamResponse {
    let mut response = StreamResponse::new(body);
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
        .extensions_mut()
        .insert(KeepAlive(DEFAULT_KEEP_ALIVE));
    response
}

/// Whether `headers` say the body is an event stream.
///
/// # Example
///
/// ```
/// use anyfn::http::{header::CONTENT_TYPE, HeaderMap, HeaderValue};
/// use anyfn::stream::sse;
///
/// let mut headers = HeaderMap::new();
/// headers.insert(CONTENT_TYPE, HeaderValue::from_static("Text/Event-Stream; charset=utf-8"));
/// assert!(sse::is_event_stream(&headers));
/// headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
/// assert!(!sse::is_event_stream(&headers));
/// ```
pub fn is_event_stream(headers: &http::HeaderMap) -> bool {
    MediaType::of(headers).is_some_and(|media_type| media_type.essence() == "text/event-stream")
}

/// The `error` event that ends a stream cut short by `error`: its data is
/// the error's JSON answer, details hidden as [`ErrorDetails`] says.
///
/// # Example
///
/// ```
/// use anyfn::stream::sse;
/// use anyfn::{Error, ErrorDetails};
///
/// let event = sse::error_event(&Error::timeout(std::time::Duration::from_secs(3)), "req-1", ErrorDetails::Hidden);
/// assert_eq!(
///     event,
///     "event: error\ndata: {\"errorType\":\"Timeout\",\"errorMessage\":\"Gateway Timeout\",\"requestId\":\"req-1\"}\n\n"
/// );
/// ```
pub fn error_event(error: &Error, request_id: &str, details: ErrorDetails) -> Bytes {
    let answer = error.to_response(request_id, details);
    let data = String::from_utf8_lossy(answer.body().as_bytes()).into_owned();
    SseEvent::new(data).with_event("error").to_bytes()
}
