//! Building blocks for adapters: run one invocation with its deadline enforced
//! and its panics caught.
//!
//! Function code never needs this module; adapters (`anyfn-server`,
//! `anyfn-test`, your own) call [`invoke`] so that every runtime treats
//! deadlines and panics the same way.

use std::any::Any;
use std::future::{poll_fn, Future};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::{pin, Pin};
use std::task::{Context as TaskContext, Poll};
use std::time::Instant;

use crate::{Context, Error, Handler};

/// Runs one invocation of `handler` and settles its outcome into
/// `Result<Output, Error>`:
///
/// - the handler's own error becomes an [`Error`] through `Into`;
/// - a panic inside the handler becomes an [`ErrorKind::Panic`](crate::ErrorKind::Panic)
///   error carrying the panic message, and touches nothing else;
/// - when `deadline_reached` completes first, the handler's future is dropped
///   (cancelled) and the result is an [`ErrorKind::Timeout`](crate::ErrorKind::Timeout)
///   error.
///
/// `deadline_reached` is the runtime's timer for `context.deadline()`, e.g.
/// `tokio::time::sleep_until(context.deadline().into())`; taking it as a future
/// keeps the core free of any async runtime.
///
/// # Errors
///
/// As listed above.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use anyfn::{adapter, handler_fn, Context};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let slow = handler_fn(|(): (), _context: Context| async {
///     tokio::time::sleep(Duration::from_secs(60)).await;
///     Ok::<_, anyfn::Error>(())
/// });
/// let context = Context::builder().timeout(Duration::from_millis(10)).build();
/// let timer = tokio::time::sleep_until(context.deadline().into());
/// let err = adapter::invoke(&slow, (), context, timer).await.unwrap_err();
/// assert!(err.is_timeout());
/// # }
/// ```
pub async fn invoke<H, T>(
    handler: &H,
    event: H::Event,
    context: Context,
    deadline_reached: T,
) -> Result<H::Output, Error>
where
    H: Handler + ?Sized,
    T: Future<Output = ()>,
{
    let started = Instant::now();
    let mut call = CatchPanic::new(handler.call(event, context));
    let mut timer = pin!(deadline_reached);
    poll_fn(|cx| {
        if let Poll::Ready(outcome) = Pin::new(&mut call).poll(cx) {
            return Poll::Ready(match outcome {
                Ok(Ok(output)) => Ok(output),
                Ok(Err(err)) => Err(err.into()),
                Err(panic) => Err(panic),
            });
        }
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(Error::timeout(started.elapsed()))),
            Poll::Pending => Poll::Pending,
        }
    })
    .await
}

/// A future that turns a panic while polling `F` into an
/// [`ErrorKind::Panic`](crate::ErrorKind::Panic) error.
///
/// `F` must be `Unpin`, as the boxed futures of [`Handler::call`] are; pin
/// others with `Box::pin` first.
///
/// # Example
///
/// ```
/// use anyfn::adapter::CatchPanic;
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

/// The message of a panic payload: the `&str` or `String` given to `panic!`,
/// else a placeholder.
///
/// # Example
///
/// ```
/// let payload = std::panic::catch_unwind(|| panic!("bad index {}", 3)).unwrap_err();
/// assert_eq!(anyfn::adapter::panic_message(payload.as_ref()), "bad index 3");
/// ```
pub fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(message) = payload.downcast_ref::<&'static str>() {
        message
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message
    } else {
        "a panic with a non-string payload"
    }
}
