//! A connection's header-read deadline, kept by the watchdog thread rather
//! than by a runtime timer: [`HeaderSleep`].

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll, Waker};
use std::time::Instant;

use super::sync::lock;

/// The header-read deadline of one connection: at most one at a time, as
/// an HTTP/1 connection reads one request head at a time.
#[derive(Debug, Default)]
pub(crate) struct HeaderDeadline {
    slot: Mutex<Slot>,
}

#[derive(Debug, Default)]
struct Slot {
    /// Which sleep the slot belongs to: a sleep replaced by a newer one
    /// (a timer's reset) must not clear the newer one's deadline.
    generation: u64,
    deadline: Option<Instant>,
    expired: bool,
    waker: Option<Waker>,
}

impl HeaderDeadline {
    /// Starts a new sleep until `deadline`, replacing any other; its
    /// generation.
    fn start(&self, deadline: Instant) -> u64 {
        let mut slot = lock(&self.slot);
        slot.generation = slot.generation.wrapping_add(1);
        slot.deadline = Some(deadline);
        slot.expired = false;
        slot.waker = None;
        slot.generation
    }

    /// For the watchdog: wakes the sleep if `now` is past its deadline;
    /// otherwise the deadline still to come, if there is one.
    pub(crate) fn check(&self, now: Instant) -> Option<Instant> {
        let waker = {
            let mut slot = lock(&self.slot);
            match slot.deadline {
                Some(deadline) if deadline <= now => {
                    slot.deadline = None;
                    slot.expired = true;
                    slot.waker.take()
                }
                other => return other,
            }
        };
        if let Some(waker) = waker {
            waker.wake();
        }
        None
    }
}

/// A sleep until a connection's header-read deadline, woken by the watchdog
/// thread: what an HTTP server's timer hands its connection for the
/// header-read timeout. It costs a lock where a runtime timer registers in
/// and leaves a timer wheel. Made by
/// [`ConnectionWatch::header_sleep_until`](super::ConnectionWatch::header_sleep_until).
///
/// The watchdog wakes at least once per the interval it was started with
/// ([`Watchdog::start`](super::Watchdog::start)'s `header_read_timeout`),
/// so a deadline never passes unseen for longer than one scan.
///
/// # Example
///
/// ```
/// use std::sync::Arc;
/// use std::time::{Duration, Instant};
/// use anyfn_kit::host::{RequestIds, Watchdog};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let header_read_timeout = Some(Duration::from_millis(40));
/// let ids = Arc::new(RequestIds::new());
/// let watchdog = Watchdog::start(Duration::from_secs(3), header_read_timeout, ids, anyfn::ErrorDetails::Hidden)?;
/// let connection = watchdog.register(None);
/// let started = Instant::now();
/// connection.watch().header_sleep_until(started + Duration::from_millis(20)).await;
/// assert!(started.elapsed() >= Duration::from_millis(20));
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct HeaderSleep {
    header: Arc<HeaderDeadline>,
    generation: u64,
}

impl HeaderSleep {
    pub(crate) fn new(header: Arc<HeaderDeadline>, deadline: Instant) -> Self {
        let generation = header.start(deadline);
        Self { header, generation }
    }
}

impl Future for HeaderSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<()> {
        let mut slot = lock(&self.header.slot);
        if slot.generation != self.generation || slot.expired {
            // Expired, or replaced by a newer sleep (then this one is over).
            return Poll::Ready(());
        }
        if !slot.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
            slot.waker = Some(cx.waker().clone());
        }
        Poll::Pending
    }
}

impl Drop for HeaderSleep {
    fn drop(&mut self) {
        let mut slot = lock(&self.header.slot);
        if slot.generation == self.generation {
            slot.deadline = None;
            slot.expired = false;
            slot.waker = None;
        }
    }
}
