//! [`invoke`]: one invocation run with its deadline enforced and its panics
//! caught ([`invoke_started_at`] with the clock already read), and
//! [`panic_message`].

use std::any::Any;
use std::future::{poll_fn, Future};
use std::pin::{pin, Pin};
use std::task::Poll;

use anyfn::time::Instant;
use anyfn::{Context, Error, Handler, IntoError};

use crate::CatchPanic;

/// The body of [`invoke_started_at`] and [`invoke_timed`]: the outcome and
/// the one clock read that ended it. A macro, not an `async fn` both
/// await: that would hold the event and the context in a future of its
/// own and move them into the other's. It takes the names of the async
/// block's captures and uses them where they are: bound again to names of
/// its own, the event and the context were each copied once more
/// (`benches/instructions_vs_hyper.sh`).
macro_rules! settle {
    ($handler:ident, $event:ident, $context:ident, $deadline_reached:ident, $started:ident) => {{
        let deadline = $context.deadline();
        // An installed telemetry (anyfn-otel) gives the handler its metrics
        // and is told how the invocation ended, even if it is dropped; without,
        // one atomic load, and without the `telemetry` feature nothing at all
        // (not even a guard in this future's state).
        #[cfg(feature = "telemetry")]
        let ($context, ended) = crate::start_invocation::<H::Event>($context, $started);
        let mut call = CatchPanic::new($handler.call($event, $context));
        let mut timer = pin!($deadline_reached);
        let (outcome, now) = poll_fn(|cx| {
            if let Poll::Ready(outcome) = Pin::new(&mut call).poll(cx) {
                // The one clock read: the late check's, and the end's.
                let now = Instant::now();
                return Poll::Ready((
                    match outcome {
                        Ok(_) if now > deadline => {
                            Err(Error::timeout(now.saturating_duration_since($started)))
                        }
                        Ok(Ok(output)) => Ok(output),
                        Ok(Err(err)) => Err(err.into_error()),
                        Err(panic) => Err(panic),
                    },
                    now,
                ));
            }
            match timer.as_mut().poll(cx) {
                Poll::Ready(()) => {
                    let now = Instant::now();
                    Poll::Ready((
                        Err(Error::timeout(now.saturating_duration_since($started))),
                        now,
                    ))
                }
                Poll::Pending => Poll::Pending,
            }
        })
        .await;
        // An installed telemetry (anyfn-otel) records the outcome in the
        // invocation's span, current here; without, one atomic load.
        if crate::telemetry_installed() {
            crate::record_outcome::<H::Event, H::Output>(&tracing::Span::current(), &outcome);
        }
        #[cfg(feature = "telemetry")]
        if let Some(ended) = ended {
            ended.finish(&outcome);
        }
        (outcome, now)
    }};
}

/// Runs one invocation of `handler` and settles its outcome into
/// `Result<Output, Error>`:
///
/// - the handler's own error becomes an [`Error`] through [`IntoError`];
/// - a panic inside the handler becomes an [`ErrorKind::Panic`](anyfn::ErrorKind::Panic)
///   error carrying the panic message, and touches nothing else;
/// - when `deadline_reached` completes first, the handler's future is dropped
///   (cancelled) and the result is an [`ErrorKind::Timeout`](anyfn::ErrorKind::Timeout)
///   error;
/// - a result that arrives after `context.deadline()` (a handler that
///   blocked its thread past the deadline, so the timer could not fire) is a
///   timeout too, never a success: the output is dropped.
///
/// The invocation's time is counted from the call (the clock is read
/// then, not when the future is first polled).
///
/// `deadline_reached` is the runtime's timer for `context.deadline()`, e.g.
/// `tokio::time::sleep_until(context.deadline().into())`, or a JavaScript
/// `setTimeout` on wasm32; taking it as a future keeps the kit free of any
/// async runtime. An adapter that runs the handler on a task of its own, so
/// that a blocked thread cannot delay the answer, passes
/// `std::future::pending()` here and races the task against its timer
/// itself. The late-result check reads [`anyfn::time::Instant`]: std's
/// clock on native, JavaScript's `performance.now()` on
/// `wasm32-unknown-unknown`.
///
/// # Errors
///
/// As listed above.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use anyfn::{handler_fn, Context};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let slow = handler_fn(|(): (), _context: Context| async {
///     tokio::time::sleep(Duration::from_secs(60)).await;
///     Ok::<_, anyfn::Error>(())
/// });
/// let context = Context::builder().timeout(Duration::from_millis(10)).build();
/// let timer = tokio::time::sleep_until(context.deadline().into());
/// let err = anyfn_kit::invoke(&slow, (), context, timer).await.unwrap_err();
/// assert!(err.is_timeout());
/// # }
/// ```
#[inline]
pub fn invoke<'a, H, T>(
    handler: &'a H,
    event: H::Event,
    context: Context,
    deadline_reached: T,
) -> impl Future<Output = Result<H::Output, Error>> + use<'a, H, T>
where
    H: Handler + ?Sized,
    T: Future<Output = ()>,
{
    // Not an `async fn` awaiting the other: that would hold the event and
    // the context in a future of its own and move them into the other's.
    invoke_started_at(handler, event, context, deadline_reached, Instant::now())
}

/// [`invoke`], for an adapter that read the clock when the invocation
/// arrived: `started` is when it did, from which a timeout's elapsed time
/// is told. Where reading the clock is a call out of the program
/// (`performance.now()` on Cloudflare Workers), this saves one per
/// invocation.
///
/// # Errors
///
/// As [`invoke`]'s.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use anyfn::{handler_fn, Context};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let started = anyfn::time::Instant::now();
/// let slow = handler_fn(|(): (), _context: Context| async {
///     tokio::time::sleep(Duration::from_secs(60)).await;
///     Ok::<_, anyfn::Error>(())
/// });
/// let context = Context::builder()
///     .deadline(anyfn::time::deadline_after(started, Duration::from_millis(10)))
///     .build();
/// let timer = tokio::time::sleep_until(context.deadline().into());
/// let err = anyfn_kit::invoke_started_at(&slow, (), context, timer, started).await.unwrap_err();
/// assert!(err.is_timeout());
/// # }
/// ```
// A plain `fn` returning an `async` block, not an `async fn`: an `async fn`
// moves each argument into a place of its own when first polled, a copy of
// the event and of the context per invocation.
#[allow(clippy::manual_async_fn)] // on purpose, as said above
pub fn invoke_started_at<'a, H, T>(
    handler: &'a H,
    event: H::Event,
    context: Context,
    deadline_reached: T,
    started: Instant,
) -> impl Future<Output = Result<H::Output, Error>> + use<'a, H, T>
where
    H: Handler + ?Sized,
    T: Future<Output = ()>,
{
    async move { settle!(handler, event, context, deadline_reached, started).0 }
}

/// [`invoke_started_at`], also giving back when the invocation ended: the
/// clock read that told whether the result came in time (or the timeout's
/// elapsed time), read once. An adapter that writes a `REPORT` line times
/// it with this instant rather than reading the clock again, which on
/// Cloudflare Workers is a call into JavaScript (`performance.now()`).
/// A panic's end is read too, so every outcome has its instant.
///
/// # Errors
///
/// As [`invoke`]'s.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use anyfn::{handler_fn, Context};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let started = anyfn::time::Instant::now();
/// let hello = handler_fn(|(): (), _context: Context| async { Ok::<_, anyfn::Error>("hi") });
/// let context = Context::builder()
///     .deadline(anyfn::time::deadline_after(started, Duration::from_secs(3)))
///     .build();
/// let timer = tokio::time::sleep_until(context.deadline().into());
/// let (outcome, ended) = anyfn_kit::invoke_timed(&hello, (), context, timer, started).await;
/// assert_eq!(outcome.unwrap(), "hi");
/// assert!(ended >= started);
/// # }
/// ```
#[allow(clippy::manual_async_fn)] // as `invoke_started_at`
pub fn invoke_timed<'a, H, T>(
    handler: &'a H,
    event: H::Event,
    context: Context,
    deadline_reached: T,
    started: Instant,
) -> impl Future<Output = (Result<H::Output, Error>, Instant)> + use<'a, H, T>
where
    H: Handler + ?Sized,
    T: Future<Output = ()>,
{
    async move { settle!(handler, event, context, deadline_reached, started) }
}

/// The message of a panic payload: the `&str` or `String` given to `panic!`,
/// else a placeholder.
///
/// # Example
///
/// ```
/// let payload = std::panic::catch_unwind(|| panic!("bad index {}", 3)).unwrap_err();
/// assert_eq!(anyfn_kit::panic_message(payload.as_ref()), "bad index 3");
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
