//! [`detach`]: an invocation run on a task of its own, and the handle that
//! waits for it.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context as TaskContext, Poll, Waker};

use anyfn::{Error, ErrorKind};

/// Splits `invocation` into a task to spawn on the adapter's runtime and the
/// [`Outcome`] that waits for its result.
///
/// An adapter runs the handler this way so that its own task (the one that
/// answers the caller and holds the deadline's timer) never runs handler
/// code: a handler that blocks its thread (`std::thread::sleep`, CPU-bound
/// work) blocks only the spawned task's thread, and the adapter answers
/// [`ErrorKind::Timeout`] at the deadline from another worker thread.
///
/// Dropping the [`Outcome`] (the deadline passed, the client went away)
/// cancels the invocation: the task drops the handler's future the next time
/// it is polled, so a handler waiting on I/O stops at once, and one that
/// blocks stops when it returns. If the task ends without a result (its
/// runtime shut down), the outcome is an [`ErrorKind::Internal`] error.
///
/// The kit stays free of any async runtime: the adapter spawns the task.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use anyfn::{handler_fn, Context};
///
/// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
/// # async fn main() {
/// let blocking = handler_fn(|(): (), _context: Context| async {
///     std::thread::sleep(Duration::from_millis(300)); // blocks its thread
///     Ok::<_, anyfn::Error>(())
/// });
/// let context = Context::builder().timeout(Duration::from_millis(20)).build();
/// let deadline = context.deadline();
/// let (task, outcome) = anyfn_kit::detach(async move {
///     anyfn_kit::invoke(&blocking, (), context, std::future::pending()).await
/// });
/// tokio::spawn(task);
/// // Answered at the deadline, while the handler still blocks its thread.
/// let answer = tokio::time::timeout_at(deadline.into(), outcome).await;
/// assert!(answer.is_err());
/// # }
/// ```
pub fn detach<F, T>(invocation: F) -> (Detached<F, T>, Outcome<T>)
where
    F: Future<Output = Result<T, Error>>,
{
    let slot = Arc::new(Mutex::new(Slot {
        result: None,
        outcome_waker: None,
        task_waker: None,
        cancelled: false,
        task_gone: false,
    }));
    (
        Detached {
            invocation: Some(Box::pin(invocation)),
            slot: Arc::clone(&slot),
        },
        Outcome { slot },
    )
}

/// What the task and the outcome share.
struct Slot<T> {
    result: Option<Result<T, Error>>,
    outcome_waker: Option<Waker>,
    task_waker: Option<Waker>,
    cancelled: bool,
    task_gone: bool,
}

fn lock<T>(slot: &Mutex<Slot<T>>) -> MutexGuard<'_, Slot<T>> {
    slot.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The task half of [`detach`]: spawn it. It runs the invocation and hands
/// its result to the [`Outcome`], unless the outcome was dropped first.
///
/// # Example
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let (task, outcome) = anyfn_kit::detach(async { Ok::<_, anyfn::Error>(7) });
/// assert_eq!(format!("{task:?}"), "Detached { running: true }");
/// tokio::spawn(task); // runs the invocation on a task of its own
/// assert_eq!(outcome.await.ok(), Some(7));
/// # }
/// ```
#[must_use = "futures do nothing unless polled: spawn it"]
pub struct Detached<F, T> {
    invocation: Option<Pin<Box<F>>>,
    slot: Arc<Mutex<Slot<T>>>,
}

impl<F, T> std::fmt::Debug for Detached<F, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Detached")
            .field("running", &self.invocation.is_some())
            .finish()
    }
}

impl<F, T> Future for Detached<F, T>
where
    F: Future<Output = Result<T, Error>>,
{
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<()> {
        {
            let mut slot = lock(&self.slot);
            if slot.cancelled {
                drop(slot);
                self.invocation = None;
                return Poll::Ready(());
            }
            if !slot
                .task_waker
                .as_ref()
                .is_some_and(|waker| waker.will_wake(cx.waker()))
            {
                slot.task_waker = Some(cx.waker().clone());
            }
        }
        let Some(invocation) = self.invocation.as_mut() else {
            return Poll::Ready(());
        };
        let Poll::Ready(result) = invocation.as_mut().poll(cx) else {
            return Poll::Pending;
        };
        self.invocation = None;
        let waker = {
            let mut slot = lock(&self.slot);
            slot.result = Some(result);
            slot.outcome_waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
        Poll::Ready(())
    }
}

impl<F, T> Drop for Detached<F, T> {
    fn drop(&mut self) {
        let waker = {
            let mut slot = lock(&self.slot);
            slot.task_gone = true;
            slot.outcome_waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// The waiting half of [`detach`]: resolves to the invocation's result.
/// Dropping it cancels the invocation.
///
/// # Example
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let (task, outcome) = anyfn_kit::detach(async { Ok::<_, anyfn::Error>(()) });
/// drop(task); // never spawned: its runtime shut down, say
/// let err = outcome.await.unwrap_err();
/// assert_eq!(err.kind(), anyfn::ErrorKind::Internal);
/// # }
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct Outcome<T> {
    slot: Arc<Mutex<Slot<T>>>,
}

impl<T> std::fmt::Debug for Outcome<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outcome").finish_non_exhaustive()
    }
}

impl<T> Future for Outcome<T> {
    type Output = Result<T, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let mut slot = lock(&self.slot);
        if let Some(result) = slot.result.take() {
            return Poll::Ready(result);
        }
        if slot.task_gone {
            return Poll::Ready(Err(Error::new(
                ErrorKind::Internal,
                "the invocation's task ended without a result (its runtime shut down)",
            )));
        }
        if !slot
            .outcome_waker
            .as_ref()
            .is_some_and(|waker| waker.will_wake(cx.waker()))
        {
            slot.outcome_waker = Some(cx.waker().clone());
        }
        Poll::Pending
    }
}

impl<T> Drop for Outcome<T> {
    fn drop(&mut self) {
        let waker = {
            let mut slot = lock(&self.slot);
            slot.cancelled = true;
            slot.result = None;
            slot.task_waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    #[tokio::test]
    async fn the_result_reaches_the_outcome() {
        let (task, outcome) = detach(async { Ok::<_, Error>(7) });
        tokio::spawn(task);
        assert_eq!(outcome.await.ok(), Some(7));
    }

    #[tokio::test]
    async fn dropping_the_outcome_drops_the_invocation() {
        struct Flag(Arc<AtomicBool>);
        impl Drop for Flag {
            fn drop(&mut self) {
                self.0.store(true, Ordering::SeqCst);
            }
        }
        let dropped = Arc::new(AtomicBool::new(false));
        let flag = Flag(Arc::clone(&dropped));
        let (task, outcome) = detach(async move {
            let _flag = flag;
            std::future::pending::<()>().await;
            Ok::<_, Error>(())
        });
        let task = tokio::spawn(task);
        tokio::task::yield_now().await;
        drop(outcome);
        tokio::time::timeout(Duration::from_secs(10), task)
            .await
            .expect("the task ends once cancelled")
            .expect("no panic");
        assert!(dropped.load(Ordering::SeqCst));
    }

    #[tokio::test]
    async fn the_debug_forms_say_whether_it_runs() {
        let (mut task, outcome) = detach(async { Ok::<_, Error>(1) });
        assert_eq!(format!("{task:?}"), "Detached { running: true }");
        assert_eq!(format!("{outcome:?}"), "Outcome { .. }");
        std::future::poll_fn(|cx| Pin::new(&mut task).poll(cx)).await;
        assert_eq!(format!("{task:?}"), "Detached { running: false }");
        assert_eq!(outcome.await.ok(), Some(1));
    }

    #[tokio::test]
    async fn a_task_dropped_unpolled_is_an_internal_error() {
        let (task, outcome) = detach(async { Ok::<_, Error>(()) });
        drop(task);
        let err = outcome.await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Internal);
    }
}
