//! Configuring, binding and running the server: [`Server`] and [`BoundServer`].

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyfn::{Handler, Platform};
use anyfn_kit::host::{HostSettings, HttpHost, InitLine, RequestIds};
use anyfn_kit::{Lifecycle, Pricing, ProviderSet, Settings};
use hyper::service::service_fn;
use tokio::net::TcpListener;

use crate::codec::{FromHttp, IntoHttp};
use crate::config::Config;
use crate::context_ext::ClientAddr;
use crate::service::Shared;
use crate::ServeError;

/// Serves a [`Handler`] over HTTP/1.1; configure it, then [`bind`](Self::bind).
///
/// Defaults: `127.0.0.1:3000` (or `HOST`/`PORT` from the environment), a 3 s
/// invocation timeout (300 s on Cloud Run), a 6 MiB body limit, 128 MB memory for cost estimates,
/// and 30 s for in-flight requests to finish at shutdown (9 s on Cloud Run,
/// which kills an instance 10 s after SIGTERM), the shutdown hooks getting
/// what is left of it.
///
/// Shutdown (SIGINT or SIGTERM for [`BoundServer::run`], the future given to
/// [`BoundServer::run_until`]): the server stops accepting connections, lets
/// the requests in flight finish within the drain timeout, then runs the
/// hooks added with [`on_shutdown`](Self::on_shutdown), in order, within
/// what is left of the drain timeout (a hook overrunning it is cut, with a
/// `WARN` line), and returns.
///
/// The settings every adapter shares ([`Settings`]: [`timeout`](Self::timeout),
/// [`memory_mb`](Self::memory_mb), [`default_subscriber`](Self::default_subscriber),
/// [`error_details`](Self::error_details), or all at once with
/// [`settings`](Self::settings)) are each, when the server binds, what the
/// builder set, else what the environment says (`ANYFN_TIMEOUT_MS`,
/// `ANYFN_MEMORY_MB`, `ANYFN_DEFAULT_SUBSCRIBER`, `ANYFN_ERROR_DETAILS`),
/// else the default above.
///
/// # Example
///
/// ```no_run
/// use std::time::Duration;
/// use anyfn::{handler_fn, Context, Json};
/// use anyfn_server::Server;
///
/// # #[tokio::main]
/// # async fn main() -> Result<(), anyfn_server::ServeError> {
/// let handler = handler_fn(|Json(n): Json<u64>, _context: Context| async move {
///     Ok::<_, anyfn::Error>(Json(n + 1))
/// });
/// Server::new(handler)
///     .addr(([127, 0, 0, 1], 8080).into())
///     .timeout(Duration::from_secs(10))
///     .memory_mb(512)
///     .bind()
///     .await?
///     .run()
///     .await
/// # }
/// ```
#[must_use = "a server does nothing until bound and run"]
pub struct Server<H> {
    handler: H,
    config: Config,
    lifecycle: Lifecycle,
}

impl<H> std::fmt::Debug for Server<H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("config", &self.config)
            .field("lifecycle", &self.lifecycle)
            .finish_non_exhaustive()
    }
}

impl<H> Server<H>
where
    H: Handler,
    H::Event: FromHttp,
    H::Output: IntoHttp,
{
    /// A server for `handler`, with the defaults above.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Request};
    /// use anyfn_server::Server;
    /// use anyfn_test::TestServer;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let hello = handler_fn(|_: Request, _: Context| async {
    ///     Ok::<_, anyfn::Error>(anyfn::response::text("Hello!"))
    /// });
    /// let server = TestServer::start_with(Server::new(hello)).await?;
    /// assert_eq!(server.client().get("/").await?.text(), "Hello!");
    /// # server.shutdown().await;
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(handler: H) -> Self {
        Self {
            handler,
            config: Config::default(),
            lifecycle: Lifecycle::new(),
        }
    }

    /// Runs `hook` at shutdown, after the requests in flight are answered
    /// (or the drain timeout dropped them), given what is left of the drain
    /// timeout. Several hooks run one after the other, in the order they
    /// were added; one still running when the time is up is cut (its future
    /// dropped, a `WARN` line naming its index and the time it had) and the
    /// ones after it are not run, so the server still returns in time.
    ///
    /// # Example
    ///
    /// ```no_run
    /// use anyfn::{handler_fn, Context, Json};
    ///
    /// # #[tokio::main]
    /// # async fn main() -> Result<(), anyfn_server::ServeError> {
    /// let handler = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    /// anyfn_server::Server::new(handler)
    ///     .on_shutdown(|time_left| async move {
    ///         // Flush what is buffered, within `time_left`.
    ///         println!("flushing with {} ms left", time_left.as_millis());
    ///     })
    ///     .bind()
    ///     .await?
    ///     .run()
    ///     .await
    /// # }
    /// ```
    pub fn on_shutdown<F, Fut>(mut self, hook: F) -> Self
    where
        F: FnOnce(Duration) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        self.lifecycle = self.lifecycle.on_shutdown(hook);
        self
    }

    /// Adds a before-snapshot hook, run before Lambda SnapStart snapshots
    /// the function; [`Lifecycle::before_snapshot`] says in which order the
    /// hooks run and how a failure is reported. Never called by the server (nor on Cloud Run): SnapStart is Lambda's.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    ///
    /// let handler = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    ///
    /// let server = anyfn_server::Server::new(handler)
    ///     .before_snapshot(|| async { Ok(()) });
    /// # drop(server);
    /// ```
    pub fn before_snapshot<F, Fut>(mut self, hook: F) -> Self
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<(), anyfn::Error>> + Send + 'static,
    {
        self.lifecycle = self.lifecycle.before_snapshot(hook);
        self
    }

    /// Adds an after-restore hook, run after Lambda SnapStart restores the
    /// function; [`Lifecycle::after_restore`] says in which order the hooks
    /// run and how a failure is reported. Never called by the server (nor on Cloud Run): SnapStart is Lambda's.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    ///
    /// let handler = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    ///
    /// let server = anyfn_server::Server::new(handler)
    ///     .after_restore(|| async { Ok(()) });
    /// # drop(server);
    /// ```
    pub fn after_restore<F, Fut>(mut self, hook: F) -> Self
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<(), anyfn::Error>> + Send + 'static,
    {
        self.lifecycle = self.lifecycle.after_restore(hook);
        self
    }

    /// Adds every hook of `lifecycle` (shutdown and SnapStart) after those
    /// already added, as [`on_shutdown`](Self::on_shutdown),
    /// [`before_snapshot`](Self::before_snapshot) and
    /// [`after_restore`](Self::after_restore) do: for hooks built in one
    /// place for `main` and the tests, or gathered by a runner.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_server::Lifecycle;
    ///
    /// let handler = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    ///
    /// let hooks = Lifecycle::new().on_shutdown(|_time_left| async {});
    /// let server = anyfn_server::Server::new(handler).lifecycle(hooks);
    /// # drop(server);
    /// ```
    pub fn lifecycle(mut self, lifecycle: Lifecycle) -> Self {
        self.lifecycle.extend(lifecycle);
        self
    }

    /// Listens on `addr` instead of `HOST`/`PORT`. Port 0 picks a free port;
    /// read it back with [`BoundServer::local_addr`].
    ///
    /// # Example
    ///
    /// ```
    /// use std::net::{Ipv4Addr, SocketAddr};
    /// # use anyfn::{handler_fn, Context, Request};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), anyfn_server::ServeError> {
    /// # let handler = handler_fn(|_: Request, _: Context| async { Ok::<_, anyfn::Error>(()) });
    /// let bound = anyfn_server::Server::new(handler)
    ///     .addr(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
    ///     .bind()
    ///     .await?;
    /// assert!(bound.local_addr().ip().is_loopback());
    /// assert_ne!(bound.local_addr().port(), 0, "a free port was picked");
    /// # Ok(())
    /// # }
    /// ```
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.config.addr = Some(addr);
        self
    }

    /// The settings every adapter shares, all at once: each one `settings`
    /// sets replaces what the builder had for it (the others stay). Each is
    /// still the builder's over the environment's (see [`Server`]).
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_server::Settings;
    ///
    /// let handler = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    /// let shared = Settings::new().with_timeout(Duration::from_secs(10)).with_memory_mb(512);
    /// let server = anyfn_server::Server::new(handler).settings(shared);
    /// # drop(server);
    /// ```
    pub fn settings(mut self, settings: Settings) -> Self {
        self.config.settings = settings.or(self.config.settings);
        self
    }

    /// How long one invocation may run; past it the client gets 504.
    /// Over `ANYFN_TIMEOUT_MS`; 3 s when neither is set (300 s on Cloud Run, `K_SERVICE` set: its own default request timeout).
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn::{handler_fn, Context, Request};
    /// use anyfn_server::Server;
    /// use anyfn_test::TestServer;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let slow = handler_fn(|_: Request, _: Context| async {
    ///     tokio::time::sleep(Duration::from_secs(60)).await;
    ///     Ok::<_, anyfn::Error>(anyfn::response::text("late"))
    /// });
    /// let server = TestServer::start_with(Server::new(slow).timeout(Duration::from_millis(50))).await?;
    /// server.client().get("/").await?.assert_status(504);
    /// # server.shutdown().await;
    /// # Ok(())
    /// # }
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.config.settings = self.config.settings.with_timeout(timeout);
        self
    }

    /// The largest request body accepted, in bytes; larger ones get 413.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Request};
    /// use anyfn_server::Server;
    /// use anyfn_test::{TestRequest, TestServer};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let upload = handler_fn(|request: Request, _: Context| async move {
    ///     Ok::<_, anyfn::Error>(anyfn::response::text(request.body().len().to_string()))
    /// });
    /// let server = TestServer::start_with(Server::new(upload).body_limit(4)).await?;
    /// let client = server.client();
    /// assert_eq!(client.send(TestRequest::post("/").body("four")).await?.text(), "4");
    /// client.send(TestRequest::post("/").body("five!")).await?.assert_status(413);
    /// # server.shutdown().await;
    /// # Ok(())
    /// # }
    /// ```
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.config.body_limit = bytes;
        self
    }

    /// The memory size reported in the context and used for cost estimates.
    /// Over `ANYFN_MEMORY_MB`; 128 MB when neither is set.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Request};
    /// use anyfn_server::Server;
    /// use anyfn_test::TestServer;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let memory = handler_fn(|_: Request, context: Context| async move {
    ///     Ok::<_, anyfn::Error>(anyfn::response::text(context.memory_limit_mb().to_string()))
    /// });
    /// let server = TestServer::start_with(Server::new(memory).memory_mb(512)).await?;
    /// assert_eq!(server.client().get("/").await?.text(), "512");
    /// # server.shutdown().await;
    /// # Ok(())
    /// # }
    /// ```
    pub fn memory_mb(mut self, memory_mb: u32) -> Self {
        self.config.settings = self.config.settings.with_memory_mb(memory_mb);
        self
    }

    /// The function name in the context (default: the executable's name).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Request};
    /// use anyfn_server::Server;
    /// use anyfn_test::TestServer;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let name = handler_fn(|_: Request, context: Context| async move {
    ///     Ok::<_, anyfn::Error>(anyfn::response::text(context.function_name().to_owned()))
    /// });
    /// let server = TestServer::start_with(Server::new(name).function_name("orders")).await?;
    /// assert_eq!(server.client().get("/").await?.text(), "orders");
    /// # server.shutdown().await;
    /// # Ok(())
    /// # }
    /// ```
    pub fn function_name(mut self, name: impl Into<String>) -> Self {
        self.config.function_name = name.into().into();
        self
    }

    /// The function version in the context (default `$LATEST`).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Request};
    /// use anyfn_server::Server;
    /// use anyfn_test::TestServer;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let version = handler_fn(|_: Request, context: Context| async move {
    ///     Ok::<_, anyfn::Error>(anyfn::response::text(context.function_version().to_owned()))
    /// });
    /// let server = TestServer::start_with(Server::new(version).function_version("7")).await?;
    /// assert_eq!(server.client().get("/").await?.text(), "7");
    /// # server.shutdown().await;
    /// # Ok(())
    /// # }
    /// ```
    pub fn function_version(mut self, version: impl Into<String>) -> Self {
        self.config.function_version = version.into().into();
        self
    }

    /// The providers each invocation's `REPORT` line is priced on, at their
    /// published prices. Over `ANYFN_REPORT_COST`; when neither is set,
    /// Cloud Run's on Cloud Run, and elsewhere the one [`pricing`](Self::pricing)
    /// (Lambda on x86 unless set).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_kit::ProviderSet;
    ///
    /// let hello = anyfn::handler_fn(|_: anyfn::Request, _: anyfn::Context| async {
    ///     Ok::<_, anyfn::Error>(anyfn::response::text("Hello!"))
    /// });
    /// let server = anyfn_server::Server::new(hello).report_cost(ProviderSet::ALL);
    /// # drop(server);
    /// ```
    pub fn report_cost(mut self, providers: ProviderSet) -> Self {
        self.config.settings = self.config.settings.with_report_cost(providers);
        self
    }

    /// The prices used for each invocation's estimated cost (when no
    /// [`report_cost`](Self::report_cost) or `ANYFN_REPORT_COST` is set).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_kit::Pricing;
    ///
    /// # let handler = anyfn::handler_fn(|_: anyfn::Request, _: anyfn::Context| async { Ok::<_, anyfn::Error>(()) });
    /// // Lambda on Arm: USD 0.0000133334 per GB-second, USD 0.20 per million requests.
    /// let arm = Pricing::new(0.000_013_333_4, 0.000_000_2);
    /// let server = anyfn_server::Server::new(handler).pricing(arm);
    /// # drop(server);
    /// ```
    pub fn pricing(mut self, pricing: Pricing) -> Self {
        self.config.pricing = pricing;
        self
    }

    /// How long shutdown waits for in-flight requests before giving up on
    /// them, the shutdown hooks then getting what is left: 30 s by default,
    /// 9 s on Cloud Run ([`CLOUD_RUN_DRAIN_TIMEOUT`](crate::CLOUD_RUN_DRAIN_TIMEOUT)).
    ///
    /// # Example
    ///
    /// ```
    /// use std::net::{Ipv4Addr, SocketAddr};
    /// use std::time::Duration;
    /// # use anyfn::{handler_fn, Context, Request};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let handler = handler_fn(|_: Request, _: Context| async { Ok::<_, anyfn::Error>(()) });
    /// let (report, time_left) = tokio::sync::oneshot::channel();
    /// let bound = anyfn_server::Server::new(handler)
    ///     .addr(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
    ///     .drain_timeout(Duration::from_secs(5))
    ///     .on_shutdown(move |time_left| async move { let _ = report.send(time_left); })
    ///     .bind()
    ///     .await?;
    /// bound.run_until(async {}).await; // shuts down at once, nothing in flight
    /// let time_left = time_left.await?;
    /// assert!(time_left <= Duration::from_secs(5) && time_left > Duration::from_secs(4));
    /// # Ok(())
    /// # }
    /// ```
    pub fn drain_timeout(mut self, timeout: Duration) -> Self {
        self.config.drain_timeout = timeout;
        self
    }

    /// How long a client may take to send its request headers (the first
    /// request's, and each next one's on a kept-alive connection, counted
    /// from the last answer); a client slower than that is disconnected, at
    /// most a quarter of the timeout late.
    ///
    /// # Example
    ///
    /// ```
    /// use std::io::Read;
    /// use std::time::Duration;
    /// # use anyfn::{handler_fn, Context, Request};
    /// use anyfn_server::Server;
    /// use anyfn_test::TestServer;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let handler = handler_fn(|_: Request, _: Context| async { Ok::<_, anyfn::Error>(()) });
    /// let server = TestServer::start_with(Server::new(handler).header_read_timeout(Duration::from_millis(100))).await?;
    /// let addr = server.addr();
    /// // A client that connects and sends nothing is disconnected.
    /// let read = tokio::task::spawn_blocking(move || {
    ///     std::net::TcpStream::connect(addr)?.read(&mut [0; 1])
    /// })
    /// .await??;
    /// assert_eq!(read, 0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.config.header_read_timeout = timeout;
        self
    }

    /// How long a client may take to send its request body; a client slower
    /// than that gets 408 and is disconnected.
    ///
    /// # Example
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// use std::time::Duration;
    /// # use anyfn::{handler_fn, Context, Request};
    /// use anyfn_server::Server;
    /// use anyfn_test::TestServer;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let handler = handler_fn(|_: Request, _: Context| async { Ok::<_, anyfn::Error>(()) });
    /// let server = TestServer::start_with(Server::new(handler).body_read_timeout(Duration::from_millis(100))).await?;
    /// let addr = server.addr();
    /// // A client that announces a body and never sends it:
    /// let answer = tokio::task::spawn_blocking(move || {
    ///     let mut stalled = std::net::TcpStream::connect(addr)?;
    ///     stalled.write_all(b"POST / HTTP/1.1\r\nhost: localhost\r\ncontent-length: 10\r\n\r\n")?;
    ///     let mut answer = String::new();
    ///     stalled.read_to_string(&mut answer).map(|_| answer)
    /// })
    /// .await??;
    /// assert!(answer.starts_with("HTTP/1.1 408"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn body_read_timeout(mut self, timeout: Duration) -> Self {
        self.config.body_read_timeout = timeout;
        self
    }

    /// The largest request head (request line and headers) accepted, in
    /// bytes; larger ones get 431. Default 64 KiB.
    ///
    /// # Example
    ///
    /// ```
    /// # use anyfn::{handler_fn, Context, Request};
    /// use anyfn_server::Server;
    /// use anyfn_test::{TestRequest, TestServer};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let handler = handler_fn(|_: Request, _: Context| async { Ok::<_, anyfn::Error>(()) });
    /// let server = TestServer::start_with(Server::new(handler).max_header_bytes(1024)).await?;
    /// let client = server.client();
    /// client.get("/").await?.assert_status(204);
    /// let big = "x".repeat(2048);
    /// client.send(TestRequest::get("/").header("x-big", &big)).await?.assert_status(431);
    /// # server.shutdown().await;
    /// # Ok(())
    /// # }
    /// ```
    pub fn max_header_bytes(mut self, bytes: usize) -> Self {
        self.config.max_header_bytes = bytes;
        self
    }

    /// How much of a server error (5xx) HTTP clients see, over what
    /// `ANYFN_ERROR_DETAILS` says; when neither says,
    /// [`ErrorDetails::Hidden`](anyfn::ErrorDetails::Hidden) (the error type,
    /// a generic message and the request id). The log always has the whole
    /// error.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, ErrorDetails, Json};
    ///
    /// let handler = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    /// // For local development: show panic messages and I/O errors to the client.
    /// let server = anyfn_server::Server::new(handler).error_details(ErrorDetails::Shown);
    /// # drop(server);
    /// ```
    pub fn error_details(mut self, details: anyfn::ErrorDetails) -> Self {
        self.config.settings = self.config.settings.with_error_details(details);
        self
    }

    /// Whether [`bind`](Self::bind) installs the default stderr `tracing`
    /// subscriber (with the `default-subscriber` feature) when the program
    /// has none: over `ANYFN_DEFAULT_SUBSCRIBER=on`; on when neither says.
    /// `ANYFN_DEFAULT_SUBSCRIBER=off` turns it off whatever this says, so
    /// that a deployment can always silence it.
    ///
    /// # Example
    ///
    /// ```
    /// # let handler = anyfn::handler_fn(|_: anyfn::Request, _: anyfn::Context| async { Ok::<_, anyfn::Error>(()) });
    /// // The program installs its own subscriber (or wants none): `bind` leaves it be.
    /// let server = anyfn_server::Server::new(handler).default_subscriber(false);
    /// # drop(server);
    /// ```
    pub fn default_subscriber(mut self, install: bool) -> Self {
        self.config.settings = self.config.settings.with_default_subscriber(install);
        self
    }

    /// Binds the listening socket.
    ///
    /// # Errors
    ///
    /// [`ServeError::InvalidEnv`] for a bad `HOST`, `PORT`,
    /// `ANYFN_TIMEOUT_MS`, `ANYFN_MEMORY_MB`, `ANYFN_DEFAULT_SUBSCRIBER` or
    /// `ANYFN_ERROR_DETAILS`, [`ServeError::Bind`] when the address cannot
    /// be bound.
    ///
    /// # Example
    ///
    /// ```
    /// use std::net::{Ipv4Addr, SocketAddr};
    /// # use anyfn::{handler_fn, Context, Request};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), anyfn_server::ServeError> {
    /// # let handler = handler_fn(|_: Request, _: Context| async { Ok::<_, anyfn::Error>(()) });
    /// let bound = anyfn_server::Server::new(handler)
    ///     .addr(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
    ///     .bind()
    ///     .await?;
    /// // The socket listens from now on: a client connects even before `run`.
    /// assert!(tokio::net::TcpStream::connect(bound.local_addr()).await.is_ok());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn bind(mut self) -> Result<BoundServer<H>, ServeError> {
        self.config.resolve(Settings::from_env()?);
        if self.config.default_subscriber {
            crate::logging::install_default_subscriber(self.config.platform);
        }
        let addr = self.config.resolve_addr()?;
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| ServeError::Bind { addr, source })?;
        let local_addr = listener
            .local_addr()
            .map_err(|source| ServeError::Bind { addr, source })?;
        // On Cloud Run and Knative every interface is what the platform asks.
        if local_addr.ip().is_unspecified() && self.config.platform != Platform::CloudRun {
            tracing::warn!(
                target: "anyfn::server",
                "listening on all interfaces ({local_addr}): reachable from other machines"
            );
        }
        let ids = Arc::new(RequestIds::new());
        let host_settings = HostSettings::new(self.config.timeout)
            .with_header_read_timeout(self.config.header_read_timeout)
            .with_max_header_bytes(self.config.max_header_bytes)
            .with_drain_timeout(self.config.drain_timeout)
            .with_error_details(self.config.error_details);
        let host = HttpHost::start(listener, host_settings, Arc::clone(&ids))
            .map_err(ServeError::Watchdog)?
            .with_shutdown_hooks(self.lifecycle.into_parts().0);
        Ok(BoundServer {
            host,
            local_addr,
            shared: Arc::new(Shared {
                handler: self.handler,
                function: crate::service::function_context(&self.config),
                config: self.config,
                ids,
            }),
        })
    }
}

/// A server whose socket is bound; [`run`](Self::run) it.
///
/// # Example
///
/// ```
/// use std::net::{Ipv4Addr, SocketAddr};
/// use anyfn::{handler_fn, Context, Request};
/// use anyfn_server::Server;
/// use anyfn_test::TestClient;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let hello = handler_fn(|_: Request, _: Context| async {
///     Ok::<_, anyfn::Error>(anyfn::response::text("Hello!"))
/// });
/// let bound = Server::new(hello).addr(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).bind().await?;
/// let client = TestClient::new(bound.local_addr());
/// let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
/// let serving = tokio::spawn(bound.run_until(async { let _ = stopped.await; }));
/// assert_eq!(client.get("/").await?.text(), "Hello!");
/// let _ = stop.send(());
/// serving.await?;
/// # Ok(())
/// # }
/// ```
#[must_use = "a bound server does nothing until run"]
pub struct BoundServer<H> {
    host: HttpHost,
    local_addr: SocketAddr,
    shared: Arc<Shared<H>>,
}

impl<H> std::fmt::Debug for BoundServer<H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoundServer")
            .field("local_addr", &self.local_addr)
            .finish_non_exhaustive()
    }
}

impl<H> BoundServer<H>
where
    H: Handler,
    H::Event: FromHttp,
    H::Output: IntoHttp,
{
    /// The address the server listens on.
    ///
    /// # Example
    ///
    /// ```
    /// use std::net::{Ipv4Addr, SocketAddr};
    /// # use anyfn::{handler_fn, Context, Request};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), anyfn_server::ServeError> {
    /// # let handler = handler_fn(|_: Request, _: Context| async { Ok::<_, anyfn::Error>(()) });
    /// let bound = anyfn_server::Server::new(handler)
    ///     .addr(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
    ///     .bind()
    ///     .await?;
    /// let url = format!("http://{}/", bound.local_addr());
    /// assert!(url.starts_with("http://127.0.0.1:") && !url.ends_with(":0/"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Serves until SIGINT (Ctrl-C) or SIGTERM, then shuts down gracefully
    /// (as [`run_until`](Self::run_until) does).
    ///
    /// # Errors
    ///
    /// [`ServeError::Signal`] when the signal handlers cannot be installed.
    ///
    /// # Example
    ///
    /// ```no_run
    /// # use anyfn::{handler_fn, Context, Request};
    /// # #[tokio::main]
    /// # async fn main() -> Result<(), anyfn_server::ServeError> {
    /// # let handler = handler_fn(|_: Request, _: Context| async { Ok::<_, anyfn::Error>(()) });
    /// let bound = anyfn_server::Server::new(handler).bind().await?;
    /// println!("listening on http://{}", bound.local_addr());
    /// bound.run().await // until Ctrl-C or SIGTERM
    /// # }
    /// ```
    pub async fn run(self) -> Result<(), ServeError> {
        let signal = shutdown_signal()?;
        self.run_until(signal).await;
        Ok(())
    }

    /// Serves until `shutdown` completes, then stops accepting connections
    /// (new ones are refused), lets in-flight requests finish within the
    /// drain timeout, runs the shutdown hooks ([`Server::on_shutdown`])
    /// within what is left of it, and returns.
    ///
    /// # Example
    ///
    /// ```
    /// use std::net::{Ipv4Addr, SocketAddr};
    /// use std::time::Duration;
    /// # use anyfn::{handler_fn, Context, Request};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), anyfn_server::ServeError> {
    /// # let handler = handler_fn(|_: Request, _: Context| async { Ok::<_, anyfn::Error>(()) });
    /// let bound = anyfn_server::Server::new(handler)
    ///     .addr(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
    ///     .bind()
    ///     .await?;
    /// let addr = bound.local_addr();
    /// bound.run_until(tokio::time::sleep(Duration::from_millis(50))).await;
    /// // Returned: nothing listens any more.
    /// let refused = tokio::net::TcpStream::connect(addr).await.unwrap_err();
    /// assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn run_until(self, shutdown: impl Future<Output = ()>) {
        let Self {
            host,
            local_addr,
            shared,
        } = self;
        let init = InitLine::new(local_addr, shared.config.timeout, shared.config.memory_mb);
        init.log();
        // Whoever waits for the INIT line (a script, a test) sees it now.
        crate::logging::flush();
        // The request's future is `handle`'s own, not one wrapping it: hyper
        // moves it into place, and a wrapper would hold a second copy of its
        // arguments.
        host.serve(shutdown, |client, watch| {
            let shared = Arc::clone(&shared);
            let client = Arc::new(ClientAddr(client));
            service_fn(move |request| {
                Arc::clone(&shared).handle(request, Arc::clone(&client), Arc::clone(&watch))
            })
        })
        .await;
        // Spans an installed telemetry holds (anyfn-otel) leave before exit.
        anyfn_kit::flush_telemetry();
    }
}

/// A future that completes on SIGINT (Ctrl-C) or, on Unix, SIGTERM (what
/// container platforms send before stopping an instance): what
/// [`BoundServer::run`] stops on, for [`BoundServer::run_until`] with more
/// reasons to stop of your own.
///
/// # Errors
///
/// [`ServeError::Signal`] when the handlers cannot be installed.
///
/// # Example
///
/// ```no_run
/// use anyfn::{handler_fn, Context, Json};
///
/// # #[tokio::main]
/// # async fn main() -> Result<(), anyfn_server::ServeError> {
/// let handler = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
/// let signal = anyfn_server::shutdown_signal()?;
/// anyfn_server::Server::new(handler).bind().await?.run_until(signal).await;
/// # Ok(())
/// # }
/// ```
pub fn shutdown_signal() -> Result<impl Future<Output = ()>, ServeError> {
    anyfn_kit::host::shutdown_signal().map_err(ServeError::Signal)
}
