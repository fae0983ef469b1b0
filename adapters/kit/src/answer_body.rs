//! [`AnswerBody`]: a response body as an adapter's HTTP server sends it, and
//! [`StreamReport`], the `REPORT` line of a streamed answer.

use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use bytes::Bytes;
use futures_core::Stream;
use http_body::{Body, Frame, SizeHint};

use anyfn::stream::BodyStream;
use anyfn::time::Instant;
use anyfn::Error;

use crate::{InvocationReport, Pricing, ProviderSet, Usage};

/// A response body as an adapter hands it to its HTTP server: it implements
/// [`http_body::Body`], so hyper sends it as it is.
///
/// - **Whole**: bytes sent at once (with the `Content-Length` the adapter
///   sets), with no allocation and no dynamic dispatch.
/// - **Streamed**: a [`BodyStream`] (usually held to its deadline by
///   [`guard_stream`](crate::guard_stream)) sent chunk by chunk. Empty chunks
///   are skipped: one would end chunked encoding early. When the stream
///   fails, the body first answers `Pending` once, so the server flushes the
///   chunks before the failure (an event stream's `error` event among them),
///   then fails: hyper closes the connection without the final chunk, and the
///   client can tell the answer is incomplete. Its [`StreamReport`] writes
///   the invocation's `REPORT` line when the stream ends or is dropped, so the
///   duration covers the whole stream.
///
/// # Example
///
/// ```
/// use anyfn_kit::AnswerBody;
/// use http_body::Body as _;
///
/// let body = AnswerBody::whole("Hello!");
/// assert_eq!(body.size_hint().exact(), Some(6));
/// assert!(AnswerBody::whole("").is_end_stream());
/// ```
#[derive(Debug)]
pub struct AnswerBody {
    inner: Inner,
}

#[derive(Debug)]
enum Inner {
    Whole(Option<Bytes>),
    Streamed {
        body: BodyStream,
        /// The error that cut the stream, held back for one poll.
        cut: Option<Error>,
        _report: StreamReport,
    },
}

impl AnswerBody {
    /// A body sent at once.
    ///
    /// # Example
    ///
    /// ```
    /// let body = anyfn_kit::AnswerBody::whole(b"{}".to_vec());
    /// assert_eq!(body.as_whole(), Some(&b"{}"[..]));
    /// ```
    pub fn whole(bytes: impl Into<Bytes>) -> Self {
        let bytes = bytes.into();
        Self {
            inner: Inner::Whole((!bytes.is_empty()).then_some(bytes)),
        }
    }

    /// A body sent chunk by chunk as `body` yields them; `report` writes the
    /// `REPORT` line when the stream is done.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::time::Instant;
    ///
    /// use anyfn_kit::{AnswerBody, StreamReport};
    /// use anyfn::stream::BodyStream;
    ///
    /// let report = StreamReport::new("req-1", Instant::now(), 128, anyfn_kit::Pricing::default());
    /// let body = AnswerBody::streamed(BodyStream::from("a chunk"), report);
    /// # drop(body);
    /// ```
    pub fn streamed(body: BodyStream, report: StreamReport) -> Self {
        Self {
            inner: Inner::Streamed {
                body,
                cut: None,
                _report: report,
            },
        }
    }

    /// The bytes of a whole body (`None` for a streamed one).
    ///
    /// # Example
    ///
    /// ```
    /// let body = anyfn_kit::AnswerBody::whole("Hello!");
    /// assert_eq!(body.as_whole().map(|bytes| bytes.as_ref()), Some(&b"Hello!"[..]));
    /// ```
    pub fn as_whole(&self) -> Option<&[u8]> {
        match &self.inner {
            Inner::Whole(bytes) => Some(bytes.as_deref().unwrap_or_default()),
            Inner::Streamed { .. } => None,
        }
    }
}

impl Body for AnswerBody {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        match &mut self.inner {
            Inner::Whole(bytes) => Poll::Ready(bytes.take().map(|bytes| Ok(Frame::data(bytes)))),
            Inner::Streamed { body, cut, .. } => loop {
                if let Some(error) = cut.take() {
                    return Poll::Ready(Some(Err(error)));
                }
                return match Pin::new(&mut *body).poll_next(cx) {
                    Poll::Ready(Some(Ok(chunk))) if chunk.is_empty() => continue,
                    Poll::Ready(Some(Ok(chunk))) => Poll::Ready(Some(Ok(Frame::data(chunk)))),
                    Poll::Ready(Some(Err(error))) => {
                        *cut = Some(error);
                        cx.waker().wake_by_ref();
                        Poll::Pending
                    }
                    Poll::Ready(None) => Poll::Ready(None),
                    Poll::Pending => Poll::Pending,
                };
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self.inner, Inner::Whole(None))
    }

    fn size_hint(&self) -> SizeHint {
        match &self.inner {
            Inner::Whole(bytes) => {
                SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64))
            }
            Inner::Streamed { .. } => SizeHint::default(),
        }
    }
}

/// The `REPORT` line of a streamed answer (an [`InvocationReport`] at
/// `INFO`, target `anyfn::report`), written when this is dropped: with
/// [`AnswerBody::streamed`], when the stream is done.
///
/// # Example
///
/// ```
/// use anyfn::time::Instant;
///
/// let report = anyfn_kit::StreamReport::new("req-1", Instant::now(), 128, anyfn_kit::Pricing::default());
/// drop(report); // logs "REPORT RequestId: req-1  Duration: …"
/// ```
#[derive(Debug)]
pub struct StreamReport {
    request_id: String,
    started: Instant,
    memory_mb: u32,
    pricing: Pricing,
    providers: Option<ProviderSet>,
    written: bool,
}

impl StreamReport {
    /// The report of invocation `request_id`, started at `started`, with
    /// `memory_mb` configured, priced with `pricing`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::time::Instant;
    ///
    /// let report = anyfn_kit::StreamReport::new("req-7", Instant::now(), 256, anyfn_kit::Pricing::default());
    /// # drop(report);
    /// ```
    pub fn new(
        request_id: impl Into<String>,
        started: Instant,
        memory_mb: u32,
        pricing: Pricing,
    ) -> Self {
        Self {
            request_id: request_id.into(),
            started,
            memory_mb,
            pricing,
            providers: None,
            written: true,
        }
    }

    /// Priced on `providers` (their published prices, as
    /// [`InvocationReport::priced`]) rather than at the one pricing, when
    /// set; `None` keeps the pricing.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::time::Instant;
    /// use anyfn_kit::{Pricing, Provider, ProviderSet, StreamReport};
    ///
    /// let report = StreamReport::new("req-7", Instant::now(), 256, Pricing::default())
    ///     .priced_on(Some(ProviderSet::only(Provider::CloudRun)));
    /// # drop(report);
    /// ```
    #[must_use]
    pub fn priced_on(mut self, providers: Option<ProviderSet>) -> Self {
        self.providers = providers;
        self
    }

    /// Whether the line is written at all (the adapter's
    /// [`report_line`](crate::Settings::report_line) setting): it is
    /// unless this says `false`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::time::Instant;
    /// use anyfn_kit::{Pricing, StreamReport};
    ///
    /// let report = StreamReport::new("req-7", Instant::now(), 256, Pricing::default()).written(false);
    /// drop(report); // logs nothing
    /// ```
    #[must_use]
    pub fn written(mut self, written: bool) -> Self {
        self.written = written;
        self
    }
}

impl Drop for StreamReport {
    fn drop(&mut self) {
        if self.written {
            crate::log_report(|| {
                let duration = self.started.elapsed();
                match self.providers {
                    Some(providers) => InvocationReport::priced_borrowing(
                        &self.request_id,
                        Usage::new(duration, self.memory_mb),
                        providers,
                    ),
                    None => InvocationReport::borrowing(
                        &self.request_id,
                        duration,
                        self.memory_mb,
                        self.pricing,
                    ),
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use std::future::poll_fn;

    use super::*;

    async fn next(body: &mut AnswerBody) -> Option<Result<Frame<Bytes>, Error>> {
        poll_fn(|cx| Pin::new(&mut *body).poll_frame(cx)).await
    }

    /// A stream's REPORT line is written when its report is dropped, unless
    /// the adapter's `report_line` setting turned it off.
    #[test]
    fn a_stream_report_is_written_unless_turned_off() {
        let captured = crate::logging::captured::Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(captured.clone())
            .finish();
        crate::logging::captured::with_scoped(subscriber, || {
            drop(StreamReport::new(
                "req-on",
                Instant::now(),
                128,
                Pricing::default(),
            ));
            drop(
                StreamReport::new("req-off", Instant::now(), 128, Pricing::default())
                    .written(false),
            );
        });
        let text = captured.text();
        assert!(
            text.contains("REPORT RequestId: req-on\tDuration: "),
            "{text}"
        );
        assert!(!text.contains("req-off"), "{text}");
    }

    #[tokio::test]
    async fn a_whole_body_is_one_frame_of_known_length() {
        let mut body = AnswerBody::whole("Hello!");
        assert_eq!(body.size_hint().exact(), Some(6));
        assert!(!body.is_end_stream());
        let frame = next(&mut body).await.expect("a frame").expect("data");
        assert_eq!(frame.into_data().expect("data"), "Hello!");
        assert!(next(&mut body).await.is_none());
        assert!(AnswerBody::whole(Bytes::new()).is_end_stream());
    }

    #[tokio::test]
    async fn a_stream_skips_empty_chunks_and_holds_its_error_back_one_poll() {
        let chunks: Vec<Result<Bytes, Error>> = vec![
            Ok(Bytes::from_static(b"one")),
            Ok(Bytes::new()),
            Ok(Bytes::from_static(b"two")),
            Err(Error::timeout(std::time::Duration::from_secs(1))),
        ];
        let report = StreamReport::new("req", Instant::now(), 128, Pricing::default());
        let mut body = AnswerBody::streamed(BodyStream::new(Chunks(chunks.into())), report);
        assert_eq!(body.size_hint().exact(), None);
        for expected in ["one", "two"] {
            let frame = next(&mut body).await.expect("a frame").expect("data");
            assert_eq!(frame.into_data().expect("data"), expected);
        }
        // The error: Pending once (the waker woken), then the error.
        let waker = std::task::Waker::noop();
        let mut cx = TaskContext::from_waker(waker);
        assert!(Pin::new(&mut body).poll_frame(&mut cx).is_pending());
        let error = next(&mut body)
            .await
            .expect("a frame")
            .expect_err("the cut");
        assert!(error.is_timeout());
    }

    struct Chunks(std::collections::VecDeque<Result<Bytes, Error>>);

    impl Stream for Chunks {
        type Item = Result<Bytes, Error>;

        fn poll_next(
            mut self: Pin<&mut Self>,
            _cx: &mut TaskContext<'_>,
        ) -> Poll<Option<Self::Item>> {
            Poll::Ready(self.0.pop_front())
        }
    }
}
