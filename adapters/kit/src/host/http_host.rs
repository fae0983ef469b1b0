//! Serving HTTP/1.1 connections until shutdown, then draining:
//! [`HttpHost`] and its [`HostSettings`].

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::os::fd::AsFd as _;
use std::pin::pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyfn::ErrorDetails;
use hyper::body::{Body, Incoming};
use hyper::server::conn::http1;
use hyper::service::Service;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use super::drain::Drain;
use super::head_watch::HeadWatched;
use super::header_timer::HeaderTimer;
use super::request_id::RequestIds;
use super::watchdog::{ConnectionWatch, Registration, Watchdog};
use crate::ShutdownHooks;

/// How long a failed `accept` (out of file descriptors, say) waits before
/// the next one, rather than spinning.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(20);

/// What an [`HttpHost`] is started with: each invocation's timeout, and the
/// limits of each connection.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use anyfn_kit::host::HostSettings;
///
/// let settings = HostSettings::new(Duration::from_secs(3))
///     .with_header_read_timeout(Duration::from_secs(10))
///     .with_max_header_bytes(64 * 1024);
/// assert_eq!(settings.drain_timeout(), Duration::from_secs(30));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct HostSettings {
    timeout: Duration,
    header_read_timeout: Option<Duration>,
    max_header_bytes: Option<usize>,
    drain_timeout: Duration,
    error_details: ErrorDetails,
}

impl HostSettings {
    /// How long shutdown waits for requests in flight when not told.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn_kit::host::HostSettings;
    ///
    /// assert_eq!(HostSettings::DEFAULT_DRAIN_TIMEOUT, Duration::from_secs(30));
    /// let settings = HostSettings::new(Duration::from_secs(3));
    /// assert_eq!(settings.drain_timeout(), HostSettings::DEFAULT_DRAIN_TIMEOUT);
    /// ```
    pub const DEFAULT_DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

    /// Invocations of `timeout`; no header-read timeout, hyper's own limit
    /// on a request head, [`DEFAULT_DRAIN_TIMEOUT`](Self::DEFAULT_DRAIN_TIMEOUT),
    /// and hidden error details in what the watchdog answers.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn_kit::host::HostSettings;
    ///
    /// let settings = HostSettings::new(Duration::from_secs(10));
    /// assert_eq!(settings.drain_timeout(), Duration::from_secs(30));
    /// ```
    pub fn new(timeout: Duration) -> Self {
        Self {
            timeout,
            header_read_timeout: None,
            max_header_bytes: None,
            drain_timeout: Self::DEFAULT_DRAIN_TIMEOUT,
            error_details: ErrorDetails::Hidden,
        }
    }

    /// Disconnects a client slower than `timeout` to send a request head,
    /// or to send the next one on a kept-alive connection (counted from
    /// when the last answer was sent): the watchdog thread closes it, not
    /// a timer per request, at most a quarter of `timeout` late.
    /// Without it, no limit: for a host whose one client is trusted (the
    /// Azure Functions host, on loopback).
    ///
    /// # Example
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Duration;
    /// use anyfn_kit::host::{HostSettings, HttpHost, RequestIds};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// # let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let settings = HostSettings::new(Duration::from_secs(3)).with_header_read_timeout(Duration::from_secs(10));
    /// let host = HttpHost::start(listener, settings, Arc::new(RequestIds::new()))?;
    /// # drop(host);
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = Some(timeout);
        self
    }

    /// The largest request head accepted, in bytes; a larger one gets `431`.
    ///
    /// # Example
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Duration;
    /// use anyfn_kit::host::{HostSettings, HttpHost, RequestIds};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// # let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let settings = HostSettings::new(Duration::from_secs(3)).with_max_header_bytes(16 * 1024);
    /// let host = HttpHost::start(listener, settings, Arc::new(RequestIds::new()))?;
    /// # drop(host);
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_max_header_bytes(mut self, bytes: usize) -> Self {
        self.max_header_bytes = Some(bytes);
        self
    }

    /// How long shutdown waits for requests in flight before dropping them.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn_kit::host::HostSettings;
    ///
    /// let settings = HostSettings::new(Duration::from_secs(3)).with_drain_timeout(Duration::from_secs(5));
    /// assert_eq!(settings.drain_timeout(), Duration::from_secs(5));
    /// ```
    pub fn with_drain_timeout(mut self, timeout: Duration) -> Self {
        self.drain_timeout = timeout;
        self
    }

    /// How much of the error the watchdog's own `504` shows.
    ///
    /// # Example
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Duration;
    /// use anyfn_kit::host::{HostSettings, HttpHost, RequestIds};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// # let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let settings = HostSettings::new(Duration::from_secs(3)).with_error_details(anyfn::ErrorDetails::Shown);
    /// let host = HttpHost::start(listener, settings, Arc::new(RequestIds::new()))?;
    /// # drop(host);
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_error_details(mut self, details: ErrorDetails) -> Self {
        self.error_details = details;
        self
    }

    /// How long shutdown waits for requests in flight.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn_kit::host::HostSettings;
    ///
    /// let settings = HostSettings::new(Duration::from_secs(3));
    /// assert_eq!(settings.drain_timeout(), HostSettings::DEFAULT_DRAIN_TIMEOUT);
    /// assert_eq!(settings.with_drain_timeout(Duration::ZERO).drain_timeout(), Duration::ZERO);
    /// ```
    pub fn drain_timeout(&self) -> Duration {
        self.drain_timeout
    }
}

/// Serves HTTP/1.1 on a bound listener: each connection gets the service an
/// adapter makes for it, its watchdog registration (request deadlines, and
/// the header-read timeout when set), `TCP_NODELAY`, and a place in the
/// graceful drain. Started with [`start`](Self::start), run with
/// [`serve`](Self::serve).
///
/// What it logs (target `anyfn::host`): a failed `accept` (`WARN`, then a
/// short back-off), each connection's error (`DEBUG`), and the drain
/// (`INFO` when it starts and when every request is answered, `WARN` when
/// the drain timeout drops connections still open), and a shutdown hook cut
/// for overrunning the time left (`WARN`).
///
/// Shutdown: stop accepting, drain the requests in flight within the drain
/// timeout, then run the [`ShutdownHooks`] given with
/// [`with_shutdown_hooks`](Self::with_shutdown_hooks) within what is left of
/// it, so that the whole shutdown takes at most the drain timeout.
///
/// # Example
///
/// ```
/// use std::convert::Infallible;
/// use std::sync::Arc;
/// use std::time::Duration;
///
/// use anyfn_kit::host::{HostSettings, HttpHost, RequestIds};
/// use http_body_util::Full;
/// use hyper::service::service_fn;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// let settings = HostSettings::new(Duration::from_secs(3));
/// let host = HttpHost::start(listener, settings, Arc::new(RequestIds::new()))?;
/// let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
/// let serving = tokio::spawn(host.serve(
///     async move { let _ = stopped.await; },
///     |_client, _watch| {
///         service_fn(|_request| async { Ok::<_, Infallible>(hyper::Response::new(Full::new(&b"hi"[..]))) })
///     },
/// ));
/// stop.send(()).expect("still serving");
/// serving.await.expect("drained");
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct HttpHost {
    listener: TcpListener,
    watchdog: Watchdog,
    settings: HostSettings,
    hooks: ShutdownHooks,
}

impl HttpHost {
    /// Hosts on `listener`, starting the watchdog thread that keeps the
    /// deadlines of its requests (named by `ids`).
    ///
    /// # Errors
    ///
    /// When the watchdog thread cannot be started.
    ///
    /// # Example
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Duration;
    /// use anyfn_kit::host::{HostSettings, HttpHost, RequestIds};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let settings = HostSettings::new(Duration::from_secs(3));
    /// let host = HttpHost::start(listener, settings, Arc::new(RequestIds::new()))?;
    /// # drop(host);
    /// # Ok(())
    /// # }
    /// ```
    pub fn start(
        listener: TcpListener,
        settings: HostSettings,
        ids: Arc<RequestIds>,
    ) -> std::io::Result<Self> {
        let watchdog = Watchdog::start(
            settings.timeout,
            settings.header_read_timeout,
            ids,
            settings.error_details,
        )?;
        Ok(Self {
            listener,
            watchdog,
            settings,
            hooks: ShutdownHooks::new(),
        })
    }

    /// Runs `hooks` at shutdown, after the drain, within what is left of
    /// the drain timeout (added after any given before).
    ///
    /// # Example
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Duration;
    /// use anyfn_kit::host::{HostSettings, HttpHost, RequestIds};
    /// use anyfn_kit::ShutdownHooks;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let settings = HostSettings::new(Duration::from_secs(3));
    /// let hooks = ShutdownHooks::new().with(|time_left| async move { println!("{time_left:?} left") });
    /// let host = HttpHost::start(listener, settings, Arc::new(RequestIds::new()))?.with_shutdown_hooks(hooks);
    /// # drop(host);
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_shutdown_hooks(mut self, hooks: ShutdownHooks) -> Self {
        self.hooks.extend(hooks);
        self
    }

    /// Serves until `shutdown` completes: each accepted connection is
    /// served by the service `make_service` makes for its client's address
    /// and its [`ConnectionWatch`] (through which its handlers run to their
    /// deadlines). Then it stops accepting (new connections are refused),
    /// lets requests in flight finish within the drain timeout, runs the
    /// shutdown hooks within what is left of it, and returns.
    ///
    /// # Example
    ///
    /// ```
    /// use std::convert::Infallible;
    /// use std::sync::Arc;
    /// use std::time::Duration;
    /// use anyfn_kit::host::{HostSettings, HttpHost, RequestIds};
    /// use http_body_util::Full;
    /// use hyper::service::service_fn;
    ///
    /// # async fn get(address: std::net::SocketAddr) -> std::io::Result<String> {
    /// #     use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    /// #     let mut client = tokio::net::TcpStream::connect(address).await?;
    /// #     client.write_all(b"GET / HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n").await?;
    /// #     let mut answer = String::new();
    /// #     client.read_to_string(&mut answer).await?;
    /// #     Ok(answer)
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let address = listener.local_addr()?;
    /// let host = HttpHost::start(listener, HostSettings::new(Duration::from_secs(3)), Arc::new(RequestIds::new()))?;
    /// let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    /// let serving = tokio::spawn(host.serve(async { let _ = stopped.await; }, |_client, _watch| {
    ///     service_fn(|_request| async { Ok::<_, Infallible>(hyper::Response::new(Full::new(&b"hi"[..]))) })
    /// }));
    /// let answer = get(address).await?; // GET / on a connection of its own
    /// assert!(answer.starts_with("HTTP/1.1 200 OK\r\n") && answer.ends_with("\r\n\r\nhi"));
    /// stop.send(()).expect("still serving");
    /// serving.await.expect("drained");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn serve<M, S, B>(self, shutdown: impl Future<Output = ()>, mut make_service: M)
    where
        M: FnMut(SocketAddr, Arc<ConnectionWatch>) -> S,
        S: Service<hyper::Request<Incoming>, Response = hyper::Response<B>, Error = Infallible>
            + Send
            + 'static,
        S::Future: Send + 'static,
        B: Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let Self {
            listener,
            watchdog,
            settings,
            hooks,
        } = self;
        let graceful = Drain::default();
        let mut shutdown = pin!(shutdown);
        loop {
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, client)) => {
                        let _ = stream.set_nodelay(true);
                        // The watchdog's own handle on the socket, to answer a
                        // request whose handler blocks its thread.
                        let socket = stream
                            .as_fd()
                            .try_clone_to_owned()
                            .map(std::net::TcpStream::from)
                            .ok();
                        let registration = watchdog.register_watching_heads(socket);
                        let watch = registration.watch();
                        let mut builder = http1::Builder::new();
                        // No timer when the watchdog keeps the header-read
                        // timeout, or there is none: hyper would otherwise
                        // set its default one, a timer per request.
                        builder.header_read_timeout(None);
                        let heads = match settings.header_read_timeout {
                            Some(_) if registration.watches_heads() => Some(Arc::clone(watch)),
                            Some(timeout) => {
                                builder
                                    .timer(HeaderTimer::new(Arc::clone(watch)))
                                    .header_read_timeout(timeout);
                                None
                            }
                            None => None,
                        };
                        let service = make_service(client, Arc::clone(watch));
                        if let Some(bytes) = settings.max_header_bytes {
                            builder.max_header_size(bytes);
                        }
                        let io = TokioIo::new(stream);
                        // The service as it is where the watchdog needs not
                        // hear of its requests: no wrapper to go through.
                        match heads {
                            Some(watch) => {
                                let service = HeadWatched::new(service, watch);
                                let connection = builder.serve_connection(io, service);
                                spawn_connection(graceful.watch(connection), registration, client);
                            }
                            None => {
                                let connection = builder.serve_connection(io, service);
                                spawn_connection(graceful.watch(connection), registration, client);
                            }
                        }
                    }
                    Err(err) => {
                        tracing::warn!(target: "anyfn::host", "accept failed: {err}");
                        tokio::time::sleep(ACCEPT_BACKOFF).await;
                    }
                },
                () = &mut shutdown => break,
            }
        }
        drop(listener);
        let started = tokio::time::Instant::now();
        drain(graceful, settings.drain_timeout).await;
        drop(watchdog);
        if !hooks.is_empty() {
            let time_left = settings.drain_timeout.saturating_sub(started.elapsed());
            tracing::debug!(
                target: "anyfn::host",
                "running {} shutdown hook(s) within {} ms",
                hooks.len(),
                time_left.as_millis()
            );
            hooks.run(time_left).await;
        }
    }
}

/// Runs `connection` (one connection served, in the graceful drain) on a
/// task of its own; its watchdog registration ends with it.
fn spawn_connection<C>(connection: C, registration: Registration, client: SocketAddr)
where
    C: Future<Output = Result<(), hyper::Error>> + Send + 'static,
{
    tokio::spawn(async move {
        if let Err(err) = connection.await {
            tracing::debug!(target: "anyfn::host", %client, "connection ended: {err}");
        }
        drop(registration);
    });
}

/// Waits up to `timeout` for the connections `graceful` watches to finish
/// their requests in flight, saying what happened.
async fn drain(graceful: Drain, timeout: Duration) {
    tracing::info!(
        target: "anyfn::host",
        "shutting down: no new connections; waiting up to {:.1} s for in-flight requests",
        timeout.as_secs_f64()
    );
    let started = Instant::now();
    match tokio::time::timeout(timeout, graceful.finish()).await {
        Ok(()) => tracing::info!(
            target: "anyfn::host",
            "shut down after {} ms: every request answered",
            started.elapsed().as_millis()
        ),
        Err(_) => tracing::warn!(
            target: "anyfn::host",
            "drain timeout reached: connections still open are dropped"
        ),
    }
}
