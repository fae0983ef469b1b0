//! The graceful drain of an [`HttpHost`](super::HttpHost)'s connections:
//! [`Drain`], and [`Drained`], one connection it watches.
//!
//! hyper-util's `GracefulShutdown` does the same with a `watch` channel:
//! each connection polls a `changed()` future (a `Notify`, its lock and
//! tokio's budget) every time the connection itself is polled, about 250
//! instructions a request (`benches/instructions_vs_hyper.sh`). Here a
//! connection keeps its task's waker where the drain can wake it, stores it
//! again only when the task's waker changes (under tokio, never), and
//! otherwise reads one atomic flag a poll.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context as TaskContext, Poll, Waker};

use hyper::body::{Body, Incoming};
use hyper::rt::{Read, Write};
use hyper::server::conn::http1;
use hyper::service::HttpService;
use pin_project_lite::pin_project;
use tokio::sync::Notify;

/// The connections a host serves, told to finish when it shuts down:
/// each closes once the request in flight (if any) is answered.
#[derive(Default)]
pub(super) struct Drain {
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    /// Set once, when the drain starts.
    draining: AtomicBool,
    /// The live connections' wakers, by slot, and the free slots.
    connections: Mutex<Slots>,
    /// Told when the last live connection ends.
    all_done: Notify,
}

#[derive(Default)]
struct Slots {
    wakers: Vec<Option<Waker>>,
    free: Vec<usize>,
    live: usize,
}

impl Shared {
    fn slots(&self) -> MutexGuard<'_, Slots> {
        // A panic while the lock was held left the slots consistent (each
        // change is a single assignment): go on with them.
        self.connections
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Drain {
    /// `connection`, watched: told to finish when [`finish`](Self::finish)
    /// is called.
    pub(super) fn watch<C>(&self, connection: C) -> Drained<C> {
        let slot = {
            let mut slots = self.shared.slots();
            slots.live += 1;
            match slots.free.pop() {
                Some(slot) => slot,
                None => {
                    slots.wakers.push(None);
                    slots.wakers.len() - 1
                }
            }
        };
        Drained {
            connection,
            watched: Watched {
                shared: Arc::clone(&self.shared),
                slot,
                waker: None,
                finishing: false,
            },
        }
    }

    /// Tells every connection to finish, and waits until all have ended
    /// (those accepted after this finish at once).
    pub(super) async fn finish(self) {
        self.shared.draining.store(true, Ordering::Release);
        for waker in self.shared.slots().wakers.iter().flatten() {
            waker.wake_by_ref();
        }
        loop {
            // A permit stored by `notify_one` before this wait is taken at
            // once: the last connection's end is never missed.
            let done = self.shared.all_done.notified();
            if self.shared.slots().live == 0 {
                return;
            }
            done.await;
        }
    }
}

/// A connection that can be told to finish: answer the request in flight
/// (if any), then close.
pub(super) trait FinishGracefully: Future {
    /// Tells the connection to finish.
    fn finish_gracefully(self: Pin<&mut Self>);
}

impl<I, S, B> FinishGracefully for http1::Connection<I, S>
where
    S: HttpService<Incoming, ResBody = B>,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    I: Read + Write + Unpin,
    B: Body + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    fn finish_gracefully(self: Pin<&mut Self>) {
        self.graceful_shutdown();
    }
}

pin_project! {
    /// One connection of a [`Drain`]: served as it is until the drain
    /// starts, then shut down gracefully (hyper answers the request in
    /// flight, then closes).
    pub(super) struct Drained<C> {
        #[pin]
        connection: C,
        watched: Watched,
    }
}

/// A connection's place in its [`Drain`], given back when it ends.
struct Watched {
    shared: Arc<Shared>,
    slot: usize,
    /// The waker last stored in the slot.
    waker: Option<Waker>,
    /// Whether the connection was told to finish.
    finishing: bool,
}

impl Watched {
    /// Whether the drain has started; keeps `waker` where the drain wakes
    /// it first.
    fn drain_started(&mut self, waker: &Waker) -> bool {
        if self.shared.draining.load(Ordering::Acquire) {
            return true;
        }
        if self
            .waker
            .as_ref()
            .is_some_and(|kept| kept.will_wake(waker))
        {
            return false;
        }
        self.shared.slots().wakers[self.slot] = Some(waker.clone());
        self.waker = Some(waker.clone());
        // The drain may have started and woken the wakers before this one
        // was stored: look again, now that it is.
        self.shared.draining.load(Ordering::Acquire)
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        let mut slots = self.shared.slots();
        slots.wakers[self.slot] = None;
        slots.free.push(self.slot);
        slots.live -= 1;
        if slots.live == 0 {
            drop(slots);
            self.shared.all_done.notify_one();
        }
    }
}

impl<C> Future for Drained<C>
where
    C: FinishGracefully,
{
    type Output = C::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        if !this.watched.finishing && this.watched.drain_started(cx.waker()) {
            this.watched.finishing = true;
            this.connection.as_mut().finish_gracefully();
        }
        this.connection.poll(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;

    /// A connection that ends only after it is told to finish, counting the
    /// times it was told.
    struct Finishes {
        told: Arc<AtomicUsize>,
        polled: Arc<AtomicUsize>,
    }

    impl Future for Finishes {
        type Output = Result<(), std::io::Error>;
        fn poll(self: Pin<&mut Self>, _: &mut TaskContext<'_>) -> Poll<Self::Output> {
            self.polled.fetch_add(1, Ordering::SeqCst);
            if self.told.load(Ordering::SeqCst) > 0 {
                Poll::Ready(Ok(()))
            } else {
                Poll::Pending
            }
        }
    }

    impl FinishGracefully for Finishes {
        fn finish_gracefully(self: Pin<&mut Self>) {
            self.told.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn finishes(told: &Arc<AtomicUsize>, polled: &Arc<AtomicUsize>) -> Finishes {
        Finishes {
            told: Arc::clone(told),
            polled: Arc::clone(polled),
        }
    }

    #[tokio::test]
    async fn finish_wakes_each_waiting_connection_tells_it_once_and_waits_for_all() {
        let drain = Drain::default();
        let told = Arc::new(AtomicUsize::new(0));
        let polled = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..3 {
            tasks.push(tokio::spawn(drain.watch(finishes(&told, &polled))));
        }
        // Each waits (polled, pending) before the drain starts, so only the
        // wakers the drain kept can bring them back.
        for _ in 0..1000 {
            if polled.load(Ordering::SeqCst) >= 3 {
                break;
            }
            tokio::task::yield_now().await;
        }
        assert_eq!(polled.load(Ordering::SeqCst), 3);
        assert_eq!(told.load(Ordering::SeqCst), 0);
        tokio::time::timeout(Duration::from_secs(5), drain.finish())
            .await
            .expect("the drain ends once every connection has");
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        // Each told exactly once (its first poll after the drain started).
        assert_eq!(told.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn finish_with_no_connections_returns_at_once() {
        tokio::time::timeout(Duration::from_secs(5), Drain::default().finish())
            .await
            .expect("nothing to wait for");
    }

    #[tokio::test]
    async fn a_connection_that_ended_before_the_drain_is_not_waited_for() {
        let drain = Drain::default();
        let told = Arc::new(AtomicUsize::new(1)); // ends at its first poll
        let connection = drain.watch(finishes(&told, &Arc::default()));
        tokio::spawn(connection).await.unwrap().unwrap();
        tokio::time::timeout(Duration::from_secs(5), drain.finish())
            .await
            .expect("the ended connection gave its slot back");
    }

    #[tokio::test]
    async fn slots_of_ended_connections_are_used_again() {
        let drain = Drain::default();
        for _ in 0..10 {
            let connection = drain.watch(finishes(&Arc::new(AtomicUsize::new(1)), &Arc::default()));
            tokio::spawn(connection).await.unwrap().unwrap();
        }
        assert_eq!(drain.shared.slots().wakers.len(), 1);
        assert_eq!(drain.shared.slots().live, 0);
    }
}
