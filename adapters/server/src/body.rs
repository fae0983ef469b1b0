//! The body of the server's answers: [`ServerBody`], whole bytes or a
//! stream, with no allocation or dynamic dispatch for the whole case.

use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};
use std::time::Instant;

use anyfn::stream::BodyStream;
use anyfn::{InvocationReport, Pricing};
use bytes::Bytes;
use futures_core::Stream;
use hyper::body::{Body, Frame, SizeHint};

/// A response body as hyper sends it.
pub(crate) enum ServerBody {
    /// Bytes sent at once, with a `Content-Length`.
    Whole(Option<Bytes>),
    /// Chunks sent as they come, with chunked encoding; its `REPORT` line is
    /// written when the stream ends or is dropped.
    Streamed {
        body: BodyStream,
        /// The error that cut the stream, held back for one poll so that
        /// hyper first flushes the chunks before it (an event stream's
        /// `error` event among them).
        cut: Option<anyfn::Error>,
        _report: StreamReport,
    },
}

impl ServerBody {
    pub(crate) fn whole(bytes: Bytes) -> Self {
        Self::Whole((!bytes.is_empty()).then_some(bytes))
    }
}

/// The `REPORT` line of a streamed invocation, written when its stream is
/// done: its duration covers the whole stream.
pub(crate) struct StreamReport {
    pub(crate) request_id: String,
    pub(crate) started: Instant,
    pub(crate) memory_mb: u32,
    pub(crate) pricing: Pricing,
}

impl Drop for StreamReport {
    fn drop(&mut self) {
        if tracing::enabled!(target: "anyfn::report", tracing::Level::INFO) {
            let report = InvocationReport::new(
                &self.request_id,
                self.started.elapsed(),
                self.memory_mb,
                self.pricing,
            );
            tracing::info!(target: "anyfn::report", "{report}");
        }
    }
}

impl Body for ServerBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match &mut *self {
            Self::Whole(bytes) => Poll::Ready(bytes.take().map(|bytes| Ok(Frame::data(bytes)))),
            Self::Streamed { body, cut, .. } => loop {
                if let Some(error) = cut.take() {
                    return Poll::Ready(Some(Err(error.into())));
                }
                return match Pin::new(&mut *body).poll_next(cx) {
                    // An empty chunk would end chunked encoding early.
                    Poll::Ready(Some(Ok(chunk))) if chunk.is_empty() => continue,
                    Poll::Ready(Some(Ok(chunk))) => Poll::Ready(Some(Ok(Frame::data(chunk)))),
                    // hyper closes the connection without the final chunk:
                    // the client sees the response is incomplete. Pending
                    // first, so hyper flushes what it has written.
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
        matches!(self, Self::Whole(None))
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Self::Whole(bytes) => {
                SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64))
            }
            Self::Streamed { .. } => SizeHint::default(),
        }
    }
}
