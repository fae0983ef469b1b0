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
    inner: Inner,
}

/// Bytes known at once are kept as they are (no box, and adapters can send
/// them whole); any other body is a boxed stream.
enum Inner {
    Whole(Option<Bytes>),
    Stream(Pin<Box<dyn Stream<Item = Result<Bytes, Error>> + Send>>),
}

impl BodyStream {
    /// A body of `stream`'s chunks; an error item cuts the response short.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::stream::BodyStream;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), anyfn::Error> {
    /// let chunks = [Ok("a"), Err(anyfn::Error::unavailable("upstream went away")), Ok("b")];
    /// let body = BodyStream::new(tokio_stream::iter(chunks));
    /// let err = body.collect().await.unwrap_err();
    /// assert_eq!(err.to_string(), "upstream went away");
    /// # Ok(())
    /// # }
    /// ```
    pub fn new<S, B, E>(stream: S) -> Self
    where
        S: Stream<Item = Result<B, E>> + Send + 'static,
        B: Into<Bytes> + 'static,
        E: IntoError + 'static,
    {
        Self::from_chunks(Chunks::new(stream, Into::into))
    }

    /// A body of chunks already made as [`Bytes`] and errors already
    /// [`Error`]s: [`new`](Self::new) without its conversion of each item.
    /// What an adapter wrapping a body in a stream of its own uses.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::stream::BodyStream;
    /// use bytes::Bytes;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), anyfn::Error> {
    /// let chunks = tokio_stream::iter([Ok(Bytes::from("a")), Ok(Bytes::from("b"))]);
    /// assert_eq!(BodyStream::from_chunks(chunks).collect().await?, "ab");
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_chunks<S>(chunks: S) -> Self
    where
        S: Stream<Item = Result<Bytes, Error>> + Send + 'static,
    {
        Self {
            inner: Inner::Stream(Box::pin(chunks)),
        }
    }

    /// The body's bytes when they were known at once (made from bytes, a
    /// string or a [`Body`](crate::Body)); the body back otherwise. Adapters
    /// send such a body whole, with its length.
    ///
    /// # Errors
    ///
    /// The body itself, when it is a stream.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::stream::BodyStream;
    ///
    /// assert_eq!(BodyStream::from("all at once").into_whole().ok().as_deref(), Some(&b"all at once"[..]));
    /// let chunks = tokio_stream::iter([Ok::<_, anyfn::Error>("a")]);
    /// assert!(BodyStream::new(chunks).into_whole().is_err());
    /// ```
    pub fn into_whole(self) -> Result<Bytes, Self> {
        match self.inner {
            Inner::Whole(bytes) => Ok(bytes.unwrap_or_default()),
            Inner::Stream(_) => Err(self),
        }
    }

    /// A body with no chunks.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::stream::BodyStream;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), anyfn::Error> {
    /// let mut body = BodyStream::empty();
    /// assert!(body.next_chunk().await.is_none());
    /// assert_eq!(BodyStream::empty().collect().await?, "");
    /// # Ok(())
    /// # }
    /// ```
    pub fn empty() -> Self {
        Self::from(Bytes::new())
    }

    /// The next chunk: `None` once the body is complete, `Some(Err)` when it
    /// was cut short (and then `None`).
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
    /// assert_eq!(body.next_chunk().await.transpose()?.as_deref(), Some(&b"b"[..]));
    /// assert!(body.next_chunk().await.is_none());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn next_chunk(&mut self) -> Option<Result<Bytes, Error>> {
        poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Every chunk, joined.
    ///
    /// # Errors
    ///
    /// The error that cut the body short.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::stream::BodyStream;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), anyfn::Error> {
    /// let chunks = [Ok::<_, anyfn::Error>("Hello, "), Ok("world")];
    /// assert_eq!(BodyStream::new(tokio_stream::iter(chunks)).collect().await?, "Hello, world");
    /// assert_eq!(BodyStream::from("whole").collect().await?, "whole");
    /// # Ok(())
    /// # }
    /// ```
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
        match &mut self.inner {
            Inner::Whole(bytes) => Poll::Ready(bytes.take().map(Ok)),
            Inner::Stream(stream) => stream.as_mut().poll_next(cx),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.inner {
            Inner::Whole(bytes) => (
                usize::from(bytes.is_some()),
                Some(usize::from(bytes.is_some())),
            ),
            Inner::Stream(stream) => stream.size_hint(),
        }
    }
}

/// Each chunk is a data frame; an error cuts the body (what tower services,
/// middleware and hyper take). A body known at once has an exact size.
///
/// # Example
///
/// ```
/// use http_body::Body as _;
///
/// let body = anyfn::stream::BodyStream::from("hi");
/// assert_eq!(body.size_hint().exact(), Some(2));
/// ```
impl http_body::Body for BodyStream {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Error>>> {
        self.poll_next(cx)
            .map(|chunk| chunk.map(|chunk| chunk.map(http_body::Frame::data)))
    }

    fn is_end_stream(&self) -> bool {
        matches!(self.inner, Inner::Whole(None))
    }

    fn size_hint(&self) -> http_body::SizeHint {
        match &self.inner {
            Inner::Whole(bytes) => {
                http_body::SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64))
            }
            Inner::Stream(_) => http_body::SizeHint::default(),
        }
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
        Self {
            inner: Inner::Whole(once),
        }
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
