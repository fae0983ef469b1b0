//! The server's deadlines, kept by one thread: [`Watchdog`].
//!
//! A handler runs on its connection's task, polled in place: the common
//! request (a handler that finishes in its first poll) pays a few atomic
//! stores and an uncontended lock for its deadline, not a timer and not a
//! task of its own. The watchdog thread keeps every deadline:
//!
//! - a handler awaiting past its deadline: the watchdog marks the request
//!   expired and wakes its task, which drops the handler's future and
//!   answers `504` through hyper;
//! - a handler blocking its thread past its deadline (`std::thread::sleep`,
//!   CPU-bound work), so that its task cannot answer: the watchdog writes the
//!   `504` itself on the connection's socket, with `Connection: close`, and
//!   shuts the socket's sending side. The task reports the overrun when the
//!   handler returns; what hyper then writes goes nowhere.
//!
//! The watchdog is a thread of its own, not a task: it answers even when
//! every worker thread of the runtime is blocked, and on a current-thread
//! runtime.
//!
//! Every request of a server has the same timeout, so a request that starts
//! while the watchdog sleeps has its deadline after the watchdog's next wake
//! (it never sleeps longer than the timeout): the watchdog is never told
//! about new requests, and a request costs it nothing.

use std::future::{poll_fn, Future};
use std::io::Write as _;
use std::net::{Shutdown, TcpStream};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::task::{Context as TaskContext, Poll, Waker};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyfn::{Error, ErrorDetails};
use tracing::Span;

use super::header_deadline::{HeaderDeadline, HeaderSleep};
use super::request_id::RequestIds;
use super::sync::lock;

/// No request in flight on the connection.
const FREE: u8 = 0;
/// A request in flight; its handler is not being polled.
const WAITING: u8 = 1;
/// A request in flight; its handler is being polled (or blocks its thread).
const POLLING: u8 = 2;
/// The watchdog found the request past its deadline while it waited: its
/// task answers `504`.
const EXPIRED: u8 = 3;
/// The watchdog found the request past its deadline while its handler was
/// being polled, and wrote the `504` itself.
const ANSWERED: u8 = 4;

/// Set in a connection's `activity` when the watchdog closed it for
/// sending no request head in time.
const HEAD_CLOSED: u64 = 1 << 63;

/// What the watchdog writes for a request whose handler blocks its thread
/// past its deadline, when the default (the error answer,
/// [`Error::to_response`]) is not the protocol's answer: an Azure Functions
/// envelope, say. Given with [`ConnectionWatch::run_named`].
///
/// # Example
///
/// ```
/// use anyfn::{Error, Response};
///
/// /// Answers a blocked handler with a plain `503` instead of the `504`.
/// #[derive(Debug)]
/// struct TryLater;
///
/// impl anyfn_kit::host::LateAnswer for TryLater {
///     fn response(&self, request_id: &str, _error: &Error) -> Response {
///         Error::unavailable("try again later").to_response(request_id, anyfn::ErrorDetails::Hidden)
///     }
/// }
///
/// let answer = anyfn_kit::host::LateAnswer::response(&TryLater, "req-1", &Error::timeout(std::time::Duration::from_secs(3)));
/// assert_eq!(answer.status(), 503);
/// ```
pub trait LateAnswer: Send + Sync + std::fmt::Debug {
    /// The answer to request `request_id`, whose handler failed with `error`
    /// (a timeout). The watchdog writes it with `Connection: close`.
    fn response(&self, request_id: &str, error: &Error) -> anyfn::Response;
}

/// The watchdog of one server: a thread keeping the deadlines of every
/// request in flight. Stopped when dropped.
///
/// # Example
///
/// ```
/// use std::pin::pin;
/// use std::sync::Arc;
/// use std::time::{Duration, Instant};
/// use anyfn_kit::host::{RequestIds, Settled, Watchdog};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// # let ids = Arc::new(RequestIds::new());
/// let watchdog = Watchdog::start(Duration::from_secs(3), None, ids, anyfn::ErrorDetails::Hidden)?;
/// let connection = watchdog.register(None);
/// let handler = pin!(async { Ok::<_, anyfn::Error>(200) });
/// let deadline = Instant::now() + Duration::from_secs(3);
/// let settled = connection.watch().run(0, deadline, &tracing::Span::none(), handler).await;
/// assert!(matches!(settled, Settled::InTime(Ok(200))));
/// drop(connection);
/// drop(watchdog); // stops its thread
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Watchdog {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

#[derive(Debug)]
struct Shared {
    connections: Mutex<Connections>,
    wake: Condvar,
    timeout: Duration,
    /// The longest the thread sleeps: the request timeout, or the
    /// header-read timeout when that is shorter, so that no deadline set
    /// while it sleeps comes before it wakes.
    max_sleep: Duration,
    /// The header-read timeout the thread keeps for connections whose
    /// socket it holds ([`Watchdog::register`]).
    header_read_timeout: Option<Duration>,
    ids: Arc<RequestIds>,
    details: ErrorDetails,
}

#[derive(Debug, Default)]
struct Connections {
    slots: Vec<Option<Watched>>,
    free: Vec<usize>,
    stopped: bool,
}

/// A connection in the watchdog's list.
#[derive(Debug)]
struct Watched {
    watch: Arc<ConnectionWatch>,
    /// The connection's `activity` when the thread first saw it waiting for
    /// a request head, and when that was.
    head_wait: Option<(u64, Instant)>,
}

impl Watchdog {
    /// Starts the watchdog thread for requests of `timeout`, and for
    /// header-read deadlines of `header_read_timeout` when the server sets
    /// them: those of the connections whose socket it holds it keeps
    /// itself, closing a connection that has waited longer than that for a
    /// request head (within a quarter of it more, as it looks at least four
    /// times per timeout), and those of the others through
    /// [`ConnectionWatch::header_sleep_until`].
    ///
    /// # Errors
    ///
    /// When the thread cannot be started.
    ///
    /// # Example
    ///
    /// ```
    /// use std::pin::pin;
    /// use std::sync::Arc;
    /// use std::time::{Duration, Instant};
    /// use anyfn_kit::host::{RequestIds, Settled, Watchdog};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let timeout = Duration::from_millis(20);
    /// let ids = Arc::new(RequestIds::new());
    /// let watchdog = Watchdog::start(timeout, None, ids, anyfn::ErrorDetails::Hidden)?;
    /// let connection = watchdog.register(None);
    /// let never = pin!(std::future::pending::<Result<(), anyfn::Error>>());
    /// let span = tracing::Span::none();
    /// // The watchdog thread wakes the request at its deadline.
    /// let settled = connection.watch().run(0, Instant::now() + timeout, &span, never).await;
    /// assert!(matches!(settled, Settled::Late { error, answered: false } if error.is_timeout()));
    /// # Ok(())
    /// # }
    /// ```
    pub fn start(
        timeout: Duration,
        header_read_timeout: Option<Duration>,
        ids: Arc<RequestIds>,
        details: ErrorDetails,
    ) -> std::io::Result<Self> {
        let max_sleep = header_read_timeout.map_or(timeout, |header| (header / 4).min(timeout));
        let shared = Arc::new(Shared {
            connections: Mutex::default(),
            wake: Condvar::new(),
            timeout,
            max_sleep,
            header_read_timeout,
            ids,
            details,
        });
        let thread = std::thread::Builder::new()
            .name("anyfn-watchdog".to_owned())
            .spawn({
                let shared = Arc::clone(&shared);
                move || shared.keep_deadlines()
            })?;
        Ok(Self {
            shared,
            thread: Some(thread),
        })
    }

    /// Watches a new connection; `socket` is its own handle on the
    /// connection's socket, for answering a blocked request (`None` when it
    /// could not be had: such a request is answered when its handler
    /// returns). Its header-read timeout, if any, is the server's timer's
    /// ([`ConnectionWatch::header_sleep_until`]).
    ///
    /// # Example
    ///
    /// ```
    /// use std::pin::pin;
    /// use std::sync::Arc;
    /// use std::time::{Duration, Instant};
    /// use anyfn_kit::host::{RequestIds, Settled, Watchdog};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// # let ids = Arc::new(RequestIds::new());
    /// let watchdog = Watchdog::start(Duration::from_secs(3), None, ids, anyfn::ErrorDetails::Hidden)?;
    /// // A connection accepted: its own handle on the socket, for the late answer.
    /// # let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    /// # let _client = std::net::TcpStream::connect(listener.local_addr()?)?;
    /// let (socket, _client_address) = listener.accept()?;
    /// let registration = watchdog.register(Some(socket));
    /// let handler = pin!(async { Ok::<_, anyfn::Error>("answered") });
    /// let deadline = Instant::now() + Duration::from_secs(3);
    /// let settled = registration.watch().run(0, deadline, &tracing::Span::none(), handler).await;
    /// assert!(matches!(settled, Settled::InTime(Ok("answered"))));
    /// # Ok(())
    /// # }
    /// ```
    pub fn register(&self, socket: Option<TcpStream>) -> Registration {
        self.register_with(socket, false)
    }

    /// As [`register`](Self::register), for the kit's own host: with a
    /// header-read timeout and `socket`, the watchdog keeps the timeout
    /// itself ([`Registration::watches_heads`]), told of each request head
    /// and answer by the connection's service (`head_watch.rs`).
    pub(crate) fn register_watching_heads(&self, socket: Option<TcpStream>) -> Registration {
        self.register_with(socket, true)
    }

    fn register_with(&self, socket: Option<TcpStream>, watch_heads: bool) -> Registration {
        let watches_heads =
            watch_heads && socket.is_some() && self.shared.header_read_timeout.is_some();
        let watch = Arc::new(ConnectionWatch {
            state: AtomicU8::new(FREE),
            request: AtomicU64::new(0),
            deadline: Mutex::new(Instant::now()),
            waker: Mutex::new(None),
            name: Mutex::new(None),
            late: Mutex::new(None),
            header: Arc::default(),
            activity: AtomicU64::new(0),
            watches_heads,
            socket,
            timeout: self.shared.timeout,
        });
        let mut connections = lock(&self.shared.connections);
        let watched = Watched {
            watch: Arc::clone(&watch),
            head_wait: None,
        };
        let slot = match connections.free.pop() {
            Some(slot) => {
                connections.slots[slot] = Some(watched);
                slot
            }
            None => {
                connections.slots.push(Some(watched));
                connections.slots.len() - 1
            }
        };
        Registration {
            watch,
            slot,
            shared: Arc::clone(&self.shared),
        }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        lock(&self.shared.connections).stopped = true;
        self.shared.wake.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Shared {
    /// The watchdog thread: wakes at the earliest deadline in flight, or
    /// after `max_sleep`, and acts on every request past its deadline and
    /// every header read past its own.
    fn keep_deadlines(&self) {
        let mut connections = lock(&self.connections);
        while !connections.stopped {
            let now = Instant::now();
            let mut next_wake = anyfn::time::deadline_after(now, self.max_sleep);
            for watched in connections.slots.iter_mut().flatten() {
                if let Some(deadline) = self.check(&watched.watch, now) {
                    next_wake = next_wake.min(deadline);
                }
                if let Some(deadline) = watched.watch.header.check(now) {
                    next_wake = next_wake.min(deadline);
                }
                if let Some(deadline) = self.check_head(watched, now) {
                    next_wake = next_wake.min(deadline);
                }
            }
            let sleep = next_wake.saturating_duration_since(now);
            connections = self
                .wake
                .wait_timeout(connections, sleep)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Acts on `watch` if its request is past its deadline; otherwise the
    /// deadline still to come, if a request is in flight.
    fn check(&self, watch: &ConnectionWatch, now: Instant) -> Option<Instant> {
        let state = watch.state.load(Ordering::Acquire);
        if state != WAITING && state != POLLING {
            return None;
        }
        let deadline = watch.deadline();
        if deadline > now {
            return Some(deadline);
        }
        let expired = if state == WAITING { EXPIRED } else { ANSWERED };
        if watch
            .state
            .compare_exchange(state, expired, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            // It finished or started being polled just now; the next scan
            // looks again.
            return Some(now);
        }
        if expired == EXPIRED {
            if let Some(waker) = lock(&watch.waker).take() {
                waker.wake();
            }
        } else {
            self.answer_blocked(watch, now);
        }
        None
    }

    /// Closes a connection whose socket it holds once it has waited the
    /// header-read timeout for a request head (since the thread first saw it
    /// waiting); otherwise when it will have, if it waits.
    fn check_head(&self, watched: &mut Watched, now: Instant) -> Option<Instant> {
        let watch = &watched.watch;
        let (Some(limit), Some(socket)) = (self.header_read_timeout, &watch.socket) else {
            return None;
        };
        if !watch.watches_heads {
            return None;
        }
        let activity = watch.activity.load(Ordering::Acquire);
        if activity & HEAD_CLOSED != 0 || activity % 2 == 1 {
            // Closed already, or a request is being served.
            watched.head_wait = None;
            return None;
        }
        let since = match watched.head_wait {
            Some((seen, since)) if seen == activity => since,
            _ => {
                watched.head_wait = Some((activity, now));
                now
            }
        };
        let due = anyfn::time::deadline_after(since, limit);
        if due > now {
            return Some(due);
        }
        // Unless a head arrived just now: then it is served.
        if watch
            .activity
            .compare_exchange(
                activity,
                activity | HEAD_CLOSED,
                Ordering::AcqRel,
                Ordering::Acquire,
            )
            .is_ok()
        {
            tracing::debug!(
                target: "anyfn::watchdog",
                "no request head within {} ms: the connection is closed",
                limit.as_millis()
            );
            // hyper reads the end of the stream and ends the connection.
            let _ = socket.shutdown(Shutdown::Both);
        }
        watched.head_wait = None;
        None
    }

    /// Writes the `504` of a request whose handler blocks its thread, on the
    /// connection's socket, and closes the socket's sending side.
    fn answer_blocked(&self, watch: &ConnectionWatch, now: Instant) {
        let named = lock(&watch.name).clone();
        let made = self.ids.id_of(watch.request.load(Ordering::Relaxed));
        let request_id = named.as_deref().unwrap_or(made.as_str());
        let elapsed = self
            .timeout
            .saturating_add(now.saturating_duration_since(watch.deadline()));
        let error = Error::timeout(elapsed);
        crate::log_failure(request_id, &error);
        tracing::warn!(
            target: "anyfn::watchdog",
            request_id = %request_id,
            "the handler blocks its thread past its deadline: the watchdog answered 504 and closes the connection"
        );
        let Some(socket) = &watch.socket else {
            return;
        };
        let late = lock(&watch.late).clone();
        let response = match late {
            Some(late) => late.response(request_id, &error),
            None => error.to_response(request_id, self.details),
        };
        let mut bytes = format!(
            "HTTP/1.1 {}\r\nconnection: close\r\nx-request-id: {request_id}\r\ncontent-length: {}\r\n",
            response.status(),
            response.body().len()
        )
        .into_bytes();
        for (name, value) in response.headers() {
            bytes.extend_from_slice(name.as_str().as_bytes());
            bytes.extend_from_slice(b": ");
            bytes.extend_from_slice(value.as_bytes());
            bytes.extend_from_slice(b"\r\n");
        }
        bytes.extend_from_slice(b"\r\n");
        bytes.extend_from_slice(response.body().as_bytes());
        // The socket is non-blocking (the runtime's): a client that reads
        // nothing gets the close without the answer.
        let _ = (&*socket).write_all(&bytes);
        let _ = socket.shutdown(Shutdown::Write);
    }
}

/// One connection's requests, as the watchdog sees them.
///
/// # Example
///
/// ```
/// use std::pin::pin;
/// use std::sync::Arc;
/// use std::time::{Duration, Instant};
/// use anyfn_kit::host::{RequestIds, Settled, Watchdog};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// # let ids = Arc::new(RequestIds::new());
/// # let watchdog = Watchdog::start(Duration::from_secs(3), None, ids, anyfn::ErrorDetails::Hidden)?;
/// let registration = watchdog.register(None);
/// let watch = registration.watch();
/// // One request after the other on the same connection.
/// let span = tracing::Span::none();
/// let deadline = Instant::now() + Duration::from_secs(3);
/// let first = watch.run(0, deadline, &span, pin!(async { Ok::<_, anyfn::Error>(1) })).await;
/// let second = watch.run(1, deadline, &span, pin!(async { Ok::<_, anyfn::Error>(2) })).await;
/// assert!(matches!((first, second), (Settled::InTime(Ok(1)), Settled::InTime(Ok(2)))));
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct ConnectionWatch {
    state: AtomicU8,
    /// The request's number, from which its id is made again.
    request: AtomicU64,
    /// The request's deadline. Behind a lock, which its request takes once
    /// and the watchdog thread once a scan: as nanoseconds from an epoch in
    /// an atomic, working them out (`Instant::duration_since`) cost more
    /// than the lock (`benches/axum_vs_anyfn_server.sh`).
    deadline: Mutex<Instant>,
    waker: Mutex<Option<Waker>>,
    /// The request's id when the caller named it ([`run_named`](Self::run_named)),
    /// rather than made from its number.
    name: Mutex<Option<String>>,
    /// The answer the watchdog writes for the request, if not the default.
    late: Mutex<Option<Arc<dyn LateAnswer>>>,
    /// The header-read deadline, if the server's timer set one.
    pub(crate) header: Arc<HeaderDeadline>,
    /// Request heads arrived and answers done: odd while a request is
    /// served, even while the connection waits for the next head (whose
    /// wait the watchdog times, when it [watches heads](Registration::watches_heads)).
    activity: AtomicU64,
    /// Whether the watchdog keeps the connection's header-read timeout
    /// (with its socket and a timeout); the host then gives hyper no timer.
    watches_heads: bool,
    socket: Option<TcpStream>,
    timeout: Duration,
}

impl ConnectionWatch {
    fn deadline(&self) -> Instant {
        *lock(&self.deadline)
    }

    /// Runs `invocation`, request number `request`, under the watchdog's
    /// eye until `deadline`, polling it where it is pinned (in `span` when
    /// it is enabled): the caller's frame, so the future is not moved. A
    /// panic while polling it settles it as a
    /// [`Panic`](anyfn::ErrorKind::Panic) error, in time or late as the
    /// clock says, and the connection's next request is watched as usual.
    ///
    /// # Example
    ///
    /// ```
    /// use std::pin::pin;
    /// use std::sync::Arc;
    /// use std::time::{Duration, Instant};
    /// use anyfn_kit::host::{RequestIds, Settled, Watchdog};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let ids = Arc::new(RequestIds::new());
    /// # let watchdog = Watchdog::start(Duration::from_secs(3), None, Arc::clone(&ids), anyfn::ErrorDetails::Hidden)?;
    /// # let registration = watchdog.register(None);
    /// let (n, _id) = ids.next_id();
    /// let handler = pin!(async { panic!("boom") });
    /// let deadline = Instant::now() + Duration::from_secs(3);
    /// let settled: Settled<()> = registration.watch().run(n, deadline, &tracing::Span::none(), handler).await;
    /// let Settled::InTime(Err(error)) = settled else { panic!("a panic settles in time") };
    /// assert_eq!(error.kind(), anyfn::ErrorKind::Panic);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn run<F, T>(
        &self,
        request: u64,
        deadline: Instant,
        span: &Span,
        mut invocation: Pin<&mut F>,
    ) -> Settled<T>
    where
        F: Future<Output = Result<T, Error>>,
    {
        self.request.store(request, Ordering::Relaxed);
        *lock(&self.deadline) = deadline;
        self.state.store(WAITING, Ordering::Release);
        let _in_flight = InFlight(self);
        poll_fn(|cx| {
            let _entered = (!span.is_disabled()).then(|| span.enter());
            self.poll_invocation(invocation.as_mut(), cx, deadline)
        })
        .await
    }

    /// A request head arrived: the connection no longer waits for one.
    #[inline]
    pub(crate) fn head_arrived(&self) {
        self.activity.fetch_add(1, Ordering::Release);
    }

    /// The request's answer is done (its body sent, or dropped): the
    /// connection waits for the next head.
    #[inline]
    pub(crate) fn answer_done(&self) {
        self.activity.fetch_add(1, Ordering::Release);
    }

    /// A sleep until `deadline` for reading the next request's head, woken
    /// by the watchdog thread: what an HTTP server's timer gives for its
    /// header-read timeout (one at a time per connection; a new one
    /// replaces the last).
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
    /// # let ids = Arc::new(RequestIds::new());
    /// let header_read_timeout = Some(Duration::from_millis(40));
    /// let watchdog = Watchdog::start(Duration::from_secs(3), header_read_timeout, ids, anyfn::ErrorDetails::Hidden)?;
    /// let registration = watchdog.register(None);
    /// let watch = registration.watch();
    /// let first = watch.header_sleep_until(Instant::now() + Duration::from_secs(60));
    /// let second = watch.header_sleep_until(Instant::now() + Duration::from_millis(20));
    /// first.await; // replaced by the second: over at once
    /// second.await; // woken by the watchdog thread at its deadline
    /// # Ok(())
    /// # }
    /// ```
    pub fn header_sleep_until(self: &Arc<Self>, deadline: Instant) -> HeaderSleep {
        HeaderSleep::new(Arc::clone(&self.header), deadline)
    }

    /// As [`run`](Self::run), for a request whose id its caller gave (an
    /// Azure Functions invocation id) rather than one [`RequestIds`] made:
    /// the watchdog's answer, if it writes one, names `request_id`, and is
    /// `late`'s when there is one (else the `504` error answer).
    ///
    /// # Example
    ///
    /// ```
    /// use std::pin::pin;
    /// use std::sync::Arc;
    /// use std::time::{Duration, Instant};
    /// use anyfn_kit::host::{RequestIds, Settled, Watchdog};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// # let ids = Arc::new(RequestIds::new());
    /// # let watchdog = Watchdog::start(Duration::from_secs(3), None, ids, anyfn::ErrorDetails::Hidden)?;
    /// # let registration = watchdog.register(None);
    /// let handler = pin!(async { Ok::<_, anyfn::Error>("done") });
    /// let deadline = Instant::now() + Duration::from_secs(3);
    /// let span = tracing::Span::none();
    /// // An Azure Functions invocation, named by the host; the default late answer.
    /// let settled = registration.watch().run_named("inv-42", None, deadline, &span, handler).await;
    /// assert!(matches!(settled, Settled::InTime(Ok("done"))));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn run_named<F, T>(
        &self,
        request_id: &str,
        late: Option<Arc<dyn LateAnswer>>,
        deadline: Instant,
        span: &Span,
        invocation: Pin<&mut F>,
    ) -> Settled<T>
    where
        F: Future<Output = Result<T, Error>>,
    {
        {
            let mut name = lock(&self.name);
            let name = name.get_or_insert_with(String::new);
            name.clear();
            name.push_str(request_id);
        }
        *lock(&self.late) = late;
        self.run(0, deadline, span, invocation).await
    }

    /// Polls the invocation with the state telling the watchdog whether the
    /// handler is being polled (and so may block the thread) or waits.
    fn poll_invocation<F, T>(
        &self,
        invocation: Pin<&mut F>,
        cx: &mut TaskContext<'_>,
        deadline: Instant,
    ) -> Poll<Settled<T>>
    where
        F: Future<Output = Result<T, Error>>,
    {
        let state = &self.state;
        match state.compare_exchange(WAITING, POLLING, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => {}
            Err(EXPIRED) => return Poll::Ready(self.late(deadline, false)),
            Err(_) => return Poll::Ready(self.late(deadline, true)),
        }
        // A panic while polling is the invocation's outcome: unwinding
        // through here would leave the state at `POLLING`, and the watchdog
        // would take the connection's next request for a handler still
        // running. (Adapters' handlers catch their own; this holds for any
        // future, a hand-written `AzureFunction`'s too.)
        let polled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| invocation.poll(cx)))
            .unwrap_or_else(|payload| {
                Poll::Ready(Err(Error::panic(crate::panic_message(payload.as_ref()))))
            });
        match polled {
            Poll::Ready(result) => {
                if state.swap(FREE, Ordering::AcqRel) == ANSWERED {
                    return Poll::Ready(self.late(deadline, true));
                }
                Poll::Ready(Settled::InTime(result))
            }
            Poll::Pending => {
                {
                    let mut waker = lock(&self.waker);
                    if !waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                        *waker = Some(cx.waker().clone());
                    }
                }
                match state.compare_exchange(POLLING, WAITING, Ordering::AcqRel, Ordering::Acquire)
                {
                    Ok(_) => Poll::Pending,
                    Err(_) => Poll::Ready(self.late(deadline, true)),
                }
            }
        }
    }

    /// Ends an invocation past its `deadline`, dropping the handler's
    /// future. Its elapsed time is told from when it started (the timeout
    /// before its deadline), worked out only here, on the way out of a late
    /// one.
    #[cold]
    fn late<T>(&self, deadline: Instant, answered: bool) -> Settled<T> {
        let started = deadline.checked_sub(self.timeout).unwrap_or(deadline);
        self.state.store(FREE, Ordering::Release);
        Settled::Late {
            error: Error::timeout(started.elapsed()),
            answered,
        }
    }
}

/// How a watched invocation ended.
///
/// # Example
///
/// ```
/// use std::pin::pin;
/// use std::sync::Arc;
/// use std::time::{Duration, Instant};
/// use anyfn_kit::host::{RequestIds, Settled, Watchdog};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// # let ids = Arc::new(RequestIds::new());
/// # let watchdog = Watchdog::start(Duration::from_secs(3), None, ids, anyfn::ErrorDetails::Hidden)?;
/// # let registration = watchdog.register(None);
/// let handler = pin!(async { Err::<(), _>(anyfn::Error::bad_request("no name")) });
/// let deadline = Instant::now() + Duration::from_secs(3);
/// match registration.watch().run(0, deadline, &tracing::Span::none(), handler).await {
///     Settled::InTime(answer) => assert_eq!(answer.unwrap_err().status(), 400),
///     Settled::Late { error, answered } => panic!("late: {error} (answered: {answered})"),
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub enum Settled<T> {
    /// Within its deadline (the output, or the handler's own error).
    InTime(Result<T, Error>),
    /// Past its deadline; `answered` when the watchdog already sent the
    /// `504`, so the connection must not be used again.
    Late {
        /// The timeout error.
        error: Error,
        /// Whether the watchdog already wrote the `504` on the socket.
        answered: bool,
    },
}

/// A request in flight on a connection; dropped (finished, or the client
/// went away), the connection has none.
struct InFlight<'a>(&'a ConnectionWatch);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.state.store(FREE, Ordering::Release);
    }
}

/// A connection's place in the watchdog's list; removed when dropped, at the
/// connection's end, which also closes the watchdog's handle on its socket.
///
/// # Example
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use anyfn_kit::host::{RequestIds, Watchdog};
///
/// # let ids = Arc::new(RequestIds::new());
/// let watchdog = Watchdog::start(Duration::from_secs(3), None, ids, anyfn::ErrorDetails::Hidden)?;
/// let first = watchdog.register(None);
/// let second = watchdog.register(None);
/// assert!(!Arc::ptr_eq(first.watch(), second.watch()), "a watch per connection");
/// drop(first); // the connection ended: out of the watchdog's list
/// # drop(second);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct Registration {
    watch: Arc<ConnectionWatch>,
    slot: usize,
    shared: Arc<Shared>,
}

impl Registration {
    /// The connection's watch, for its requests.
    ///
    /// # Example
    ///
    /// ```
    /// use std::pin::pin;
    /// use std::sync::Arc;
    /// use std::time::{Duration, Instant};
    /// use anyfn_kit::host::{RequestIds, Settled, Watchdog};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// # let ids = Arc::new(RequestIds::new());
    /// # let watchdog = Watchdog::start(Duration::from_secs(3), None, ids, anyfn::ErrorDetails::Hidden)?;
    /// let registration = watchdog.register(None);
    /// let watch = Arc::clone(registration.watch()); // for the connection's service
    /// let handler = pin!(async { Ok::<_, anyfn::Error>(7) });
    /// let deadline = Instant::now() + Duration::from_secs(3);
    /// let settled = watch.run(0, deadline, &tracing::Span::none(), handler).await;
    /// assert!(matches!(settled, Settled::InTime(Ok(7))));
    /// # Ok(())
    /// # }
    /// ```
    pub fn watch(&self) -> &Arc<ConnectionWatch> {
        &self.watch
    }

    /// Whether the watchdog keeps the connection's header-read timeout
    /// itself: for a connection of the kit's [`HttpHost`](super::HttpHost)
    /// with a header-read timeout and a handle on its socket, it closes the
    /// socket of a connection that has waited that long for a request head
    /// (the host then needs no timer from hyper, and tells the watch of
    /// each request through the connection's service). Otherwise (and for
    /// every connection [`Watchdog::register`] watches) the header-read
    /// timeout, if any, is the server's timer's, through
    /// [`ConnectionWatch::header_sleep_until`].
    ///
    /// # Example
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Duration;
    /// use anyfn_kit::host::{RequestIds, Watchdog};
    ///
    /// let watchdog = Watchdog::start(
    ///     Duration::from_secs(3),
    ///     Some(Duration::from_secs(10)),
    ///     Arc::new(RequestIds::new()),
    ///     anyfn::ErrorDetails::Hidden,
    /// )?;
    /// // Registered by hand, the server's timer keeps it.
    /// assert!(!watchdog.register(None).watches_heads());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn watches_heads(&self) -> bool {
        self.watch.watches_heads
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut connections = lock(&self.shared.connections);
        if let Some(slot) = connections.slots.get_mut(self.slot) {
            *slot = None;
            connections.free.push(self.slot);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watchdog() -> Watchdog {
        Watchdog::start(
            Duration::from_secs(3),
            None,
            Arc::new(RequestIds::new()),
            ErrorDetails::Hidden,
        )
        .expect("the thread starts")
    }

    /// Dropping the watchdog stops its thread (which holds the shared
    /// state): a server that shuts down leaves no thread behind.
    #[test]
    fn dropping_the_watchdog_stops_its_thread() {
        let watchdog = watchdog();
        let shared = Arc::downgrade(&watchdog.shared);
        drop(watchdog);
        assert!(
            shared.upgrade().is_none(),
            "the thread still holds the state"
        );
    }

    /// A connection's slot is taken back when its registration drops, and
    /// the next connection reuses it.
    #[test]
    fn a_dropped_registration_frees_its_slot_for_the_next() {
        let watchdog = watchdog();
        let first = watchdog.register(None);
        let second = watchdog.register(None);
        assert_eq!((first.slot, second.slot), (0, 1));
        drop(first);
        {
            let connections = lock(&watchdog.shared.connections);
            assert!(connections.slots[0].is_none());
            assert_eq!(connections.free, [0]);
        }
        let third = watchdog.register(None);
        assert_eq!(third.slot, 0);
        let connections = lock(&watchdog.shared.connections);
        assert!(connections.slots[0].is_some() && connections.free.is_empty());
    }
}
