//! The body of the adapter's answers: whole bytes or a guarded stream.

use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};
use std::time::Instant;

use anyfn::stream::BodyStream;
use anyfn::{InvocationReport, DEFAULT_MEMORY_MB};
use bytes::Bytes;
use futures_core::Stream;
use hyper::body::{Body, Frame, SizeHint};

/// A response body as hyper sends it.
pub(crate) enum AzureBody {
    /// Bytes sent at once.
    Whole(Option<Bytes>),
    /// Chunks sent as they come; the `REPORT` line is written when the
    /// stream ends or is dropped.
    Streamed {
        body: BodyStream,
        cut: Option<anyfn::Error>,
        _report: StreamReport,
    },
}

impl AzureBody {
    pub(crate) fn whole(bytes: impl Into<Bytes>) -> Self {
        let bytes = bytes.into();
        Self::Whole((!bytes.is_empty()).then_some(bytes))
    }
}

/// Writes the `REPORT` line of a streamed invocation when dropped.
pub(crate) struct StreamReport {
    pub(crate) request_id: String,
    pub(crate) started: Instant,
}

impl Drop for StreamReport {
    fn drop(&mut self) {
        report(&self.request_id, self.started);
    }
}

/// The `REPORT` line of one invocation.
pub(crate) fn report(request_id: &str, started: Instant) {
    if tracing::enabled!(target: "anyfn::report", tracing::Level::INFO) {
        let report = InvocationReport::new(
            request_id,
            started.elapsed(),
            DEFAULT_MEMORY_MB,
            anyfn::Pricing::default(),
        );
        tracing::info!(target: "anyfn::report", "{report}");
    }
}

impl Body for AzureBody {
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
                    Poll::Ready(Some(Ok(chunk))) if chunk.is_empty() => continue,
                    Poll::Ready(Some(Ok(chunk))) => Poll::Ready(Some(Ok(Frame::data(chunk)))),
                    // Pending first, so that hyper flushes the chunks before
                    // the cut; then the connection closes without the last
                    // chunk, and the reader can tell.
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
