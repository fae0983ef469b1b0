//! hyper's timer for a connection's header-read timeout, backed by the
//! host's watchdog: [`HeaderTimer`].

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use std::time::{Duration, Instant};

use super::header_deadline::HeaderSleep;
use super::watchdog::ConnectionWatch;

/// The one timer hyper's HTTP/1 server uses, for the header-read timeout:
/// each request head's deadline is kept by the watchdog thread
/// ([`ConnectionWatch::header_sleep_until`]) instead of a tokio timer,
/// which registered in and left the runtime's timer wheel for every
/// request (about 900 instructions per request,
/// `benches/instructions_vs_hyper.sh`).
pub(super) struct HeaderTimer(Arc<ConnectionWatch>);

impl HeaderTimer {
    /// The timer of the connection `watch` watches.
    pub(super) fn new(watch: Arc<ConnectionWatch>) -> Self {
        Self(watch)
    }
}

impl hyper::rt::Timer for HeaderTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        self.sleep_until(anyfn::time::deadline_after(Instant::now(), duration))
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(WatchedSleep(self.0.header_sleep_until(deadline)))
    }
}

/// A [`HeaderSleep`] as hyper takes it.
struct WatchedSleep(HeaderSleep);

impl Future for WatchedSleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<()> {
        Pin::new(&mut self.0).poll(cx)
    }
}

impl hyper::rt::Sleep for WatchedSleep {}
