//! [`BodyStream`]: a response body produced chunk by chunk.

use std::fmt;
use std::future::poll_fn;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use bytes::{Bytes, BytesMut};
use futures_core::Stream;

use crate::{Error, IntoError};

/// A response body produced chunk by chunk: a [`Stream`] of byte chunks,
/// each `Ok`, or an `Err` that cuts the response short.
///
/// Make one from any stream ([`BodyStream::new`]), from a [`channel`](super::channel),
/// or from bytes known at once (`From`). Read one chunk by chunk
/// ([`next_chunk`](Self::next_chunk)) or whole ([`collect`](Self::collect)).
///
/// # Example
///
/// ```
/// use anyfn::stream::BodyStream;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), anyfn::Error> {
/// let chunks = [Ok::<_, anyfn::Error>("a"), Ok("b")];
/// let mut body = BodyStream::new(tokio_stream::iter(chunks));
/// assert_eq!(body.next_chunk().await.transpose()?.as_deref(), Some(&b"a"[..]));
/// assert_eq!(body.collect().await?, "b");
/// # Ok(())
/// # }
/// ```
pub struct BodyStream {
    inner: Pin<Box<dyn Stream<Item = Result<Bytes, Error>> + Send>>,
}

impl BodyStream {
    /// A body of `stream`'s chunks; an error item cuts the response short.
    pub fn new<S, B, E>(stream: S) -> Self
    where
        S: Stream<Item = Result<B, E>> + Send + 'static,
        B: Into<Bytes> + 'static,
        E: IntoError + 'static,
    {
        Self::from_chunks(Chunks::new(stream, Into::into))
    }

    /// A body of already-made chunks.
    pub(crate) fn from_chunks<S>(chunks: S) -> Self
    where
        S: Stream<Item = Result<Bytes, Error>> + Send + 'static,
    {
        Self {
            inner: Box::pin(chunks),
        }
    }

    /// A body with no chunks.
    pub fn empty() -> Self {
        Self::from(Bytes::new())
    }

    /// The next chunk: `None` once the body is complete, `Some(Err)` when it
    /// was cut short (and then `None`).
    pub async fn next_chunk(&mut self) -> Option<Result<Bytes, Error>> {
        poll_fn(|cx| self.inner.as_mut().poll_next(cx)).await
    }

    /// Every chunk, joined.
    ///
    /// # Errors
    ///
    /// The error that cut the body short.
    pub async fn collect(mut self) -> Result<Bytes, Error> {
        let mut whole = BytesMut::new();
        while let Some(chunk) = self.next_chunk().await {
            whole.extend_from_slice(&chunk?);
        }
        Ok(whole.freeze())
    }
}

impl Stream for BodyStream {
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl fmt::Debug for BodyStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BodyStream").finish_non_exhaustive()
    }
}

impl Default for BodyStream {
    fn default() -> Self {
        Self::empty()
    }
}

impl From<Bytes> for BodyStream {
    fn from(bytes: Bytes) -> Self {
        let once = if bytes.is_empty() { None } else { Some(bytes) };
        Self::from_chunks(Once(once))
    }
}

impl From<crate::Body> for BodyStream {
    fn from(body: crate::Body) -> Self {
        Self::from(body.into_bytes())
    }
}

impl From<String> for BodyStream {
    fn from(text: String) -> Self {
        Self::from(Bytes::from(text))
    }
}

impl From<&'static str> for BodyStream {
    fn from(text: &'static str) -> Self {
        Self::from(Bytes::from_static(text.as_bytes()))
    }
}

impl From<Vec<u8>> for BodyStream {
    fn from(bytes: Vec<u8>) -> Self {
        Self::from(Bytes::from(bytes))
    }
}

/// One chunk, then the end.
struct Once(Option<Bytes>);

impl Stream for Once {
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, _cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        Poll::Ready(self.0.take().map(Ok))
    }
}

/// A stream's items made into chunks by `chunk`, its errors made into
/// [`Error`]; nothing after an error. The stream is boxed so that it can be
/// polled pinned without `unsafe` projection.
pub(super) struct Chunks<S, F> {
    stream: Option<Pin<Box<S>>>,
    chunk: F,
}

impl<S, F> Chunks<S, F> {
    pub(super) fn new(stream: S, chunk: F) -> Self {
        Self {
            stream: Some(Box::pin(stream)),
            chunk,
        }
    }
}

impl<S, T, E, F> Stream for Chunks<S, F>
where
    S: Stream<Item = Result<T, E>>,
    E: IntoError,
    F: FnMut(T) -> Bytes + Unpin,
{
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        let Some(stream) = this.stream.as_mut() else {
            return Poll::Ready(None);
        };
        match stream.as_mut().poll_next(cx) {
            Poll::Ready(Some(Ok(item))) => Poll::Ready(Some(Ok((this.chunk)(item)))),
            Poll::Ready(Some(Err(err))) => {
                this.stream = None;
                Poll::Ready(Some(Err(err.into_error())))
            }
            Poll::Ready(None) => {
                this.stream = None;
                Poll::Ready(None)
            }
            Poll::Pending => Poll::Pending,
        }
    }
}
