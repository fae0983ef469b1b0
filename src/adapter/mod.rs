//! Building blocks for adapters: run one invocation with its deadline enforced
//! and its panics caught.
//!
//! Function code never needs this module; adapters (`anyfn-server`,
//! `anyfn-test`, your own) call [`invoke`] so that every runtime treats
//! deadlines and panics the same way, and open [`invocation_span`] so that
//! every line an invocation logs carries its request id.

mod answer_body;
mod catch_panic;
mod detach;
mod event_request;
mod gathered;
mod process_start;
mod stream_guard;

use std::any::Any;
use std::future::{poll_fn, Future};
use std::pin::{pin, Pin};
use std::task::Poll;
use std::time::{Duration, Instant};

pub use answer_body::{AnswerBody, StreamReport};
pub use catch_panic::CatchPanic;
pub use detach::{detach, Detached, Outcome};
pub use event_request::{require_event_post, require_json_post};
pub use gathered::Gathered;
pub use process_start::since_process_start;
pub use stream_guard::{guard_stream, StreamInvocation, StreamTimers};

use crate::{Context, Error, Handler, IntoError};

/// Runs one invocation of `handler` and settles its outcome into
/// `Result<Output, Error>`:
///
/// - the handler's own error becomes an [`Error`] through [`IntoError`];
/// - a panic inside the handler becomes an [`ErrorKind::Panic`](crate::ErrorKind::Panic)
///   error carrying the panic message, and touches nothing else;
/// - when `deadline_reached` completes first, the handler's future is dropped
///   (cancelled) and the result is an [`ErrorKind::Timeout`](crate::ErrorKind::Timeout)
///   error;
/// - a result that arrives after `context.deadline()` (a handler that
///   blocked its thread past the deadline, so the timer could not fire) is a
///   timeout too, never a success: the output is dropped.
///
/// `deadline_reached` is the runtime's timer for `context.deadline()`, e.g.
/// `tokio::time::sleep_until(context.deadline().into())`; taking it as a future
/// keeps the core free of any async runtime. An adapter that runs the
/// handler on a task of its own, so that a blocked thread cannot delay the
/// answer, passes `std::future::pending()` here and races the task against
/// its timer itself.
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
    let deadline = context.deadline();
    let mut call = CatchPanic::new(handler.call(event, context));
    let mut timer = pin!(deadline_reached);
    poll_fn(|cx| {
        if let Poll::Ready(outcome) = Pin::new(&mut call).poll(cx) {
            return Poll::Ready(match outcome {
                Ok(_) if Instant::now() > deadline => Err(Error::timeout(started.elapsed())),
                Ok(Ok(output)) => Ok(output),
                Ok(Err(err)) => Err(err.into_error()),
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

/// Logs a failed invocation the way every adapter does: one `WARN` line,
/// target `anyfn::invocation`, message `invocation failed: ` and the error
/// with its causes, fields `request_id`, `error_type` and `status`. Alarms
/// and log queries can rely on it on every runtime.
///
/// # Example
///
/// ```
/// let err = anyfn::Error::from(std::io::Error::other("disk full"));
/// anyfn::adapter::log_failure("req-1", &err);
/// ```
pub fn log_failure(request_id: &str, error: &Error) {
    tracing::warn!(
        target: "anyfn::invocation",
        request_id = %request_id,
        error_type = error.error_type(),
        status = error.status().as_u16(),
        "invocation failed: {error:#}"
    );
}

/// The environment variable that turns off the `tracing` subscriber the
/// adapters' entry points install when the program has none:
/// `ANYFN_DEFAULT_SUBSCRIBER=off` (or `0`, `false`, `no`).
pub const DEFAULT_SUBSCRIBER_ENV: &str = "ANYFN_DEFAULT_SUBSCRIBER";

/// Whether an adapter may install its default `tracing` subscriber: the
/// program has set none, and [`DEFAULT_SUBSCRIBER_ENV`] does not turn it off.
///
/// # Example
///
/// ```
/// // Nothing installed a subscriber in this test, and the variable is unset.
/// assert!(anyfn::adapter::default_subscriber_allowed());
/// ```
pub fn default_subscriber_allowed() -> bool {
    let turned_off = std::env::var(DEFAULT_SUBSCRIBER_ENV).is_ok_and(|value| {
        ["off", "0", "false", "no"]
            .iter()
            .any(|no| value.trim().eq_ignore_ascii_case(no))
    });
    !turned_off && !tracing::dispatcher::has_been_set()
}

/// The span an invocation runs in: `invocation`, with the `request_id` and,
/// when there is one, the `trace_id` of `context`, at `INFO` level. Every
/// line the handler logs inside it carries both.
///
/// The Lambda adapter does not open it: lambda_runtime already opens its own
/// span per invocation (`Lambda runtime invoke`, with `requestId` and
/// `xrayTraceId`), the one Lambda's Rust tooling expects.
///
/// # Example
///
/// ```
/// use tracing::Instrument as _;
///
/// let context = anyfn::Context::builder().request_id("req-1").trace_id("Root=1-abc").build();
/// let span = anyfn::adapter::invocation_span(&context);
/// let _in_span = async { tracing::info!("handled") }.instrument(span);
/// ```
pub fn invocation_span(context: &Context) -> tracing::Span {
    let span = tracing::info_span!(
        "invocation",
        request_id = context.request_id(),
        trace_id = tracing::field::Empty
    );
    if let Some(trace_id) = context.trace_id() {
        span.record("trace_id", trace_id);
    }
    span
}

/// `start + timeout`, or a day after `start` when that is past what an
/// [`Instant`] can hold (a timeout of `Duration::MAX`, say): adding a
/// configured timeout to an instant must never panic.
///
/// # Example
///
/// ```
/// use std::time::{Duration, Instant};
///
/// let start = Instant::now();
/// assert_eq!(anyfn::adapter::deadline_after(start, Duration::from_secs(3)), start + Duration::from_secs(3));
/// assert_eq!(anyfn::adapter::deadline_after(start, Duration::MAX), start + Duration::from_secs(24 * 60 * 60));
/// ```
pub fn deadline_after(start: Instant, timeout: Duration) -> Instant {
    start
        .checked_add(timeout)
        .unwrap_or_else(|| start + Duration::from_secs(24 * 60 * 60))
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
