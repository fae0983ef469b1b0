//! [`guard_stream`]: a streamed response body held to the invocation's
//! deadline, kept alive when it is an event stream, and cut short so the
//! client can tell.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;

use anyfn::stream::sse::{self, KeepAlive};
use anyfn::stream::{BodyStream, StreamResponse};
use anyfn::time::Instant;
use anyfn::{Error, ErrorDetails};

/// The clock and timers an adapter lends [`guard_stream`]: the core has no
/// runtime, so the adapter says how to sleep (`tokio::time::sleep_until`,
/// …) and, if it keeps time its own way, what time it is.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use anyfn::time::Instant;
/// use anyfn_kit::StreamTimers;
///
/// struct Tokio;
/// impl StreamTimers for Tokio {
///     type Sleep = tokio::time::Sleep;
///     fn sleep_until(&self, deadline: Instant) -> tokio::time::Sleep {
///         tokio::time::sleep_until(deadline.into())
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let deadline = Tokio.now() + Duration::from_millis(10);
/// Tokio.sleep_until(deadline).await;
/// assert!(Tokio.now() >= deadline);
/// # }
/// ```
pub trait StreamTimers: Send + Unpin + 'static {
    /// A sleep that completes at an instant.
    type Sleep: Future<Output = ()> + Send;

    /// A sleep that completes at `deadline`.
    fn sleep_until(&self, deadline: Instant) -> Self::Sleep;

    /// The time now, on the clock the sleeps keep: the guard compares it
    /// with the deadline before every chunk, so that a body that always has
    /// a chunk ready (and so never waits on the deadline's sleep) is cut on
    /// time too. [`Instant::now()`] (`anyfn::time`'s: std's on native,
    /// JavaScript's on `wasm32-unknown-unknown`) unless the adapter's timers
    /// keep another clock (tokio's, when its time is paused in tests).
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// What the guard needs to know of the invocation.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use anyfn_kit::StreamInvocation;
///
/// let context = anyfn::Context::builder().request_id("req-1").timeout(Duration::from_secs(3)).build();
/// let invocation = StreamInvocation {
///     request_id: context.request_id().to_owned(),
///     started: anyfn::time::Instant::now(),
///     deadline: context.deadline(),
///     details: anyfn::ErrorDetails::Hidden,
/// };
/// assert!(invocation.deadline > invocation.started);
/// ```
#[derive(Debug, Clone)]
pub struct StreamInvocation {
    /// The invocation's request id, for the log and for an `error` event.
    pub request_id: String,
    /// When the invocation started, for the timeout's message.
    pub started: Instant,
    /// When the whole stream must be done.
    pub deadline: Instant,
    /// How much of a server error an `error` event shows.
    pub details: ErrorDetails,
}

/// Holds `response`'s body to the invocation: the items of the returned
/// stream are the body's chunks, then, if it is cut short, one `Err` (after
/// which the stream ends), which the adapter turns into an incomplete
/// response (a connection closed without the final chunk, Lambda's error
/// trailers).
///
/// - The deadline covers the whole stream: past it, the body is dropped (its
///   producer sees [`Closed`](anyfn::stream::Closed)) and the stream is cut
///   short with a [`Timeout`](anyfn::ErrorKind::Timeout) error. It is
///   checked before every chunk as well as when the body waits, so a
///   producer that always has a chunk ready is cut on time too.
/// - An event stream ([`sse::is_event_stream`]) gets a keep-alive comment
///   after each [`KeepAlive`] interval without a chunk, and, when cut short,
///   an `error` event before the end.
/// - A cut is logged ([`log_failure`](super::log_failure)), with the reason.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use anyfn::time::Instant;
/// use anyfn_kit::{guard_stream, StreamInvocation, StreamTimers};
/// use anyfn::stream::sse::{self, SseEvent};
///
/// struct Tokio;
/// impl StreamTimers for Tokio {
///     type Sleep = tokio::time::Sleep;
///     fn sleep_until(&self, deadline: Instant) -> tokio::time::Sleep {
///         tokio::time::sleep_until(deadline.into())
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// // An event stream that never ends, on a 50 ms deadline.
/// let events = tokio_stream::pending::<Result<SseEvent, anyfn::Error>>();
/// let response = sse::response(events);
/// let now = Instant::now();
/// let invocation = StreamInvocation {
///     request_id: "req-1".into(),
///     started: now,
///     deadline: now + Duration::from_millis(50),
///     details: anyfn::ErrorDetails::Hidden,
/// };
/// let (_parts, mut body) = guard_stream(response, invocation, Tokio).into_parts();
/// let error_event = body.next_chunk().await.unwrap().unwrap();
/// assert!(error_event.starts_with(b"event: error\n"));
/// assert!(body.next_chunk().await.unwrap().unwrap_err().is_timeout());
/// assert!(body.next_chunk().await.is_none());
/// # }
/// ```
pub fn guard_stream<T: StreamTimers>(
    response: StreamResponse,
    invocation: StreamInvocation,
    timers: T,
) -> StreamResponse {
    let (parts, body) = response.into_parts();
    let event_stream = sse::is_event_stream(&parts.headers);
    let keep_alive = event_stream.then(|| {
        parts
            .extensions
            .get::<KeepAlive>()
            .map_or(sse::DEFAULT_KEEP_ALIVE, |keep_alive| keep_alive.0)
    });
    let guarded = Guarded {
        deadline: Box::pin(timers.sleep_until(invocation.deadline)),
        keep_alive: keep_alive
            .map(|every| (every, Box::pin(timers.sleep_until(timers.now() + every)))),
        body: Some(body),
        event_stream,
        cut: None,
        done: false,
        invocation,
        timers,
    };
    StreamResponse::from_parts(parts, BodyStream::from_chunks(guarded))
}

/// The guarded body; see [`guard_stream`].
struct Guarded<T: StreamTimers> {
    body: Option<BodyStream>,
    deadline: Pin<Box<T::Sleep>>,
    keep_alive: Option<(Duration, Pin<Box<T::Sleep>>)>,
    event_stream: bool,
    /// The error to end with, once its `error` event is out.
    cut: Option<Error>,
    done: bool,
    invocation: StreamInvocation,
    timers: T,
}

impl<T: StreamTimers> Guarded<T> {
    /// Cuts the stream short with `error`: logged, the body dropped, and for
    /// an event stream an `error` event first.
    fn cut(&mut self, error: Error, why: &str) -> Option<Result<Bytes, Error>> {
        super::log_failure(&self.invocation.request_id, &error);
        tracing::warn!(
            target: "anyfn::invocation",
            request_id = %self.invocation.request_id,
            "the response stream was cut short: {why}"
        );
        self.body = None;
        if self.event_stream {
            let event =
                sse::error_event(&error, &self.invocation.request_id, self.invocation.details);
            self.cut = Some(error);
            Some(Ok(event))
        } else {
            self.done = true;
            Some(Err(error))
        }
    }

    /// Cuts the stream short with a [`Timeout`](anyfn::ErrorKind::Timeout).
    fn cut_at_deadline(&mut self) -> Option<Result<Bytes, Error>> {
        let elapsed = self
            .timers
            .now()
            .saturating_duration_since(self.invocation.started);
        self.cut(
            Error::timeout(elapsed),
            "the deadline passed before its end",
        )
    }
}

impl<T: StreamTimers> Stream for Guarded<T> {
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        if let Some(error) = this.cut.take() {
            this.done = true;
            return Poll::Ready(Some(Err(error)));
        }
        if this.body.is_some() && this.timers.now() >= this.invocation.deadline {
            // A body that always has a chunk ready never lets the deadline's
            // sleep be polled below: the clock is read before every chunk.
            return Poll::Ready(this.cut_at_deadline());
        }
        if let Some(body) = this.body.as_mut() {
            match Pin::new(body).poll_next(cx) {
                Poll::Ready(Some(Ok(chunk))) => {
                    if let Some((every, sleep)) = this.keep_alive.as_mut() {
                        sleep.set(this.timers.sleep_until(this.timers.now() + *every));
                    }
                    return Poll::Ready(Some(Ok(chunk)));
                }
                Poll::Ready(Some(Err(error))) => {
                    return Poll::Ready(this.cut(error, "its producer failed"));
                }
                Poll::Ready(None) => {
                    this.done = true;
                    return Poll::Ready(None);
                }
                Poll::Pending => {}
            }
        }
        if this.deadline.as_mut().poll(cx).is_ready() {
            return Poll::Ready(this.cut_at_deadline());
        }
        if let Some((every, sleep)) = this.keep_alive.as_mut() {
            if sleep.as_mut().poll(cx).is_ready() {
                sleep.set(this.timers.sleep_until(this.timers.now() + *every));
                return Poll::Ready(Some(Ok(Bytes::from_static(sse::KEEP_ALIVE_COMMENT))));
            }
        }
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use bytes::Bytes;

    use super::{guard_stream, StreamInvocation, StreamTimers};
    use anyfn::stream::{self, BodyStream};

    struct Tokio;

    impl StreamTimers for Tokio {
        type Sleep = tokio::time::Sleep;

        fn sleep_until(&self, deadline: Instant) -> tokio::time::Sleep {
            tokio::time::sleep_until(deadline.into())
        }
    }

    /// A stream that is never `Pending`: `tokio_stream::iter` yields every
    /// 32 items, which would let the deadline's sleep be polled.
    struct AlwaysReady<T>(fn() -> T);

    impl<T> futures_core::Stream for AlwaysReady<T> {
        type Item = Result<T, anyfn::Error>;

        fn poll_next(
            self: std::pin::Pin<&mut Self>,
            _cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            std::task::Poll::Ready(Some(Ok((self.0)())))
        }
    }

    fn invocation(timeout: Duration) -> StreamInvocation {
        let now = Instant::now();
        StreamInvocation {
            request_id: "req-1".into(),
            started: now,
            deadline: now + timeout,
            details: anyfn::ErrorDetails::Hidden,
        }
    }

    /// A producer that always has a chunk ready never leaves the body
    /// `Pending`, where the deadline's sleep was polled: the guard streamed
    /// it for as long as the client read (7.9 GB in 3 s past a 300 ms
    /// deadline).
    #[tokio::test]
    async fn regression_a_producer_always_ready_is_cut_at_the_deadline() {
        let always_ready = AlwaysReady(|| Bytes::from_static(&[0; 1024]));
        let response = stream::response(BodyStream::new(always_ready));
        let timeout = Duration::from_millis(100);
        let started = Instant::now();
        let (_parts, mut body) = guard_stream(response, invocation(timeout), Tokio).into_parts();
        let mut chunks = 0u64;
        let error = loop {
            match body.next_chunk().await {
                Some(Ok(_)) => chunks += 1,
                Some(Err(error)) => break error,
                None => panic!("the body ended without its cut"),
            }
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "not cut 5 s past a 100 ms deadline ({chunks} chunks)"
            );
        };
        let cut_after = started.elapsed();
        assert!(error.is_timeout(), "{error:?}");
        assert!(
            cut_after >= timeout && cut_after < timeout + Duration::from_millis(500),
            "cut {cut_after:?} after the start, for a deadline of {timeout:?}"
        );
        assert!(body.next_chunk().await.is_none(), "nothing after the cut");
    }

    /// An idle event stream gets one keep-alive comment per interval, the
    /// next one timed from the last, not a flood once the first fires.
    #[tokio::test]
    async fn an_idle_event_stream_gets_one_keep_alive_per_interval() {
        let idle = futures_core_pending();
        let mut response = anyfn::stream::sse::from_body(BodyStream::new(idle));
        response
            .extensions_mut()
            .insert(anyfn::stream::sse::KeepAlive(Duration::from_millis(50)));
        let (_parts, mut body) =
            guard_stream(response, invocation(Duration::from_millis(330)), Tokio).into_parts();
        let mut comments = 0;
        loop {
            let chunk = body
                .next_chunk()
                .await
                .expect("a chunk")
                .expect("not yet the cut");
            if chunk.starts_with(b"event: error") {
                break;
            }
            assert_eq!(chunk, anyfn::stream::sse::KEEP_ALIVE_COMMENT);
            comments += 1;
            assert!(comments <= 12, "a flood of keep-alive comments");
        }
        assert!(
            (4..=7).contains(&comments),
            "{comments} comments in 330 ms at 50 ms"
        );
    }

    /// A body that never yields a chunk.
    fn futures_core_pending() -> impl futures_core::Stream<Item = Result<Bytes, anyfn::Error>> {
        struct Never;
        impl futures_core::Stream for Never {
            type Item = Result<Bytes, anyfn::Error>;
            fn poll_next(
                self: std::pin::Pin<&mut Self>,
                _cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<Option<Self::Item>> {
                std::task::Poll::Pending
            }
        }
        Never
    }

    /// The same for an event stream: its `error` event, then the cut.
    #[tokio::test]
    async fn an_event_stream_always_ready_gets_its_error_event_at_the_deadline() {
        let always_ready = AlwaysReady(|| anyfn::stream::sse::SseEvent::new("tick"));
        let response = anyfn::stream::sse::response(always_ready);
        let timeout = Duration::from_millis(100);
        let started = Instant::now();
        let (_parts, mut body) = guard_stream(response, invocation(timeout), Tokio).into_parts();
        let error_event = loop {
            let chunk = body
                .next_chunk()
                .await
                .expect("a chunk before the end")
                .expect("the error event before the error");
            if chunk.starts_with(b"event: error\n") {
                break chunk;
            }
            assert!(started.elapsed() < Duration::from_secs(5), "not cut");
        };
        assert!(String::from_utf8_lossy(&error_event).contains(r#""errorType":"Timeout""#));
        assert!(body
            .next_chunk()
            .await
            .expect("the cut")
            .expect_err("an error")
            .is_timeout());
    }
}
