//! [`Running`]: the future [`run`](crate::run) and its kin return.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::RunError;

/// The future [`run`](crate::run), [`run_functions`](crate::run_functions)
/// and [`Runner::run`](crate::Runner::run) return: the chosen adapter
/// serving until it stops. Await it, in `main`.
///
/// A type of its own, not an `async fn`'s: its type does not depend on the
/// handler, so a handler that is not portable is reported once, where it is
/// passed, and not again where the future is awaited.
///
/// # Example
///
/// ```no_run
/// use anyfn::{handler_fn, Context, Json};
/// use anyfn_auto::Running;
///
/// #[tokio::main]
/// async fn main() -> Result<(), anyfn_auto::RunError> {
///     let double = handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n * 2)) });
///     // Nothing is served yet: the adapter starts when the future is awaited.
///     let running: Running = anyfn_auto::run(double);
///     running.await
/// }
/// ```
#[must_use = "the adapter does nothing until the future is awaited"]
pub struct Running(Pin<Box<dyn Future<Output = Result<(), RunError>> + Send>>);

impl Running {
    pub(crate) fn new(
        serving: impl Future<Output = Result<(), RunError>> + Send + 'static,
    ) -> Self {
        Self(Box::pin(serving))
    }
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Running").finish_non_exhaustive()
    }
}

impl Future for Running {
    type Output = Result<(), RunError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.0.as_mut().poll(cx)
    }
}
