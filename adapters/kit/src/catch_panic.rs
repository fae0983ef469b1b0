//! [`CatchPanic`]: a panic while polling a future, as an error.

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use crate::panic_message;
use anyfn::Error;

/// A future that turns a panic while polling `F` into an
/// [`ErrorKind::Panic`](anyfn::ErrorKind::Panic) error.
///
/// `F` must be `Unpin`, as the boxed futures of [`Handler::call`](anyfn::Handler::call) are; pin
/// others with `Box::pin` first.
///
/// # Example
///
/// ```
/// use anyfn_kit::CatchPanic;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let outcome = CatchPanic::new(Box::pin(async { panic!("boom") })).await;
/// let err: anyfn::Error = outcome.unwrap_err();
/// assert_eq!(err.to_string(), "handler panicked: boom");
/// # }
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct CatchPanic<F> {
    inner: F,
}

impl<F: Future + Unpin> CatchPanic<F> {
    /// Wraps `future`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_kit::CatchPanic;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let outcome = CatchPanic::new(Box::pin(async { 7 })).await;
    /// assert_eq!(outcome.ok(), Some(7));
    /// # }
    /// ```
    pub fn new(future: F) -> Self {
        Self { inner: future }
    }
}

impl<F: Future + Unpin> Future for CatchPanic<F> {
    type Output = Result<F::Output, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let inner = &mut self.inner;
        match catch_unwind(AssertUnwindSafe(|| Pin::new(inner).poll(cx))) {
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(payload) => Poll::Ready(Err(Error::panic(panic_message(payload.as_ref())))),
        }
    }
}
