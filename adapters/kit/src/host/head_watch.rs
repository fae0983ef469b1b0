//! The header-read timeout kept by the watchdog from what a connection's
//! service sees: [`HeadWatched`], which tells the connection's
//! [`ConnectionWatch`] when each request head arrives and when each answer
//! is done, so that the watchdog times the waits for a head between them.
//!
//! hyper's own header-read timeout takes a sleep from its timer for every
//! request head, boxed: an allocation, a lock and a free per request (about
//! 300 instructions, `benches/instructions_vs_hyper.sh`). Here a request
//! costs two atomic additions, and the watchdog, which already scans every
//! connection, closes the socket of one that has waited too long.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use http_body::{Body, Frame, SizeHint};
use hyper::service::Service;
use pin_project_lite::pin_project;

use super::watchdog::ConnectionWatch;

/// A connection's service, watched: each call is a request head hyper has
/// read, and the answer's body, once hyper is done with it (it drops it), is
/// the end of that request. Only where the watchdog keeps the header-read
/// timeout: elsewhere the host serves the service as it is.
pub(super) struct HeadWatched<S> {
    inner: S,
    watch: Arc<ConnectionWatch>,
}

impl<S> HeadWatched<S> {
    /// `inner`, telling `watch` of its requests.
    pub(super) fn new(inner: S, watch: Arc<ConnectionWatch>) -> Self {
        Self { inner, watch }
    }
}

impl<S, R, B> Service<R> for HeadWatched<S>
where
    S: Service<R, Response = hyper::Response<B>>,
{
    type Response = hyper::Response<WatchedBody<B>>;
    type Error = S::Error;
    type Future = WatchedAnswer<S::Future>;

    fn call(&self, request: R) -> Self::Future {
        self.watch.head_arrived();
        WatchedAnswer {
            inner: self.inner.call(request),
            watch: Some(Arc::clone(&self.watch)),
        }
    }
}

pin_project! {
    /// The answer to one request, whose body tells the watch when it is done.
    pub(super) struct WatchedAnswer<F> {
        #[pin]
        inner: F,
        watch: Option<Arc<ConnectionWatch>>,
    }
}

impl<F, B, E> Future for WatchedAnswer<F>
where
    F: Future<Output = Result<hyper::Response<B>, E>>,
{
    type Output = Result<hyper::Response<WatchedBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = self.project();
        // Mapped where it lies: taken out of the `Poll` first, the response
        // was moved once more (`benches/axum_vs_anyfn_server.sh`).
        this.inner.poll(cx).map_ok(|response| {
            let done = this.watch.take().map(AnswerDone);
            response.map(|inner| WatchedBody { inner, done })
        })
    }
}

pin_project! {
    /// An answer's body; dropped (hyper has taken all of it, or the
    /// connection ended), its request is over.
    pub(super) struct WatchedBody<B> {
        #[pin]
        inner: B,
        done: Option<AnswerDone>,
    }
}

impl<B: Body> Body for WatchedBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        self.project().inner.poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Tells the watch, when dropped, that its request's answer is done.
struct AnswerDone(Arc<ConnectionWatch>);

impl Drop for AnswerDone {
    fn drop(&mut self) {
        self.0.answer_done();
    }
}
