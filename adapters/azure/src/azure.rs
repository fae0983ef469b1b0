//! Configuring, binding and running the adapter: [`Azure`] and [`BoundAzure`].

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyfn::{ErrorDetails, Handler, DEFAULT_MEMORY_MB};
use anyfn_kit::host::{HostSettings, HttpHost, InitLine, RequestIds};
use anyfn_kit::{Lifecycle, Provider, ProviderSet, Settings};
use hyper::service::service_fn;
use tokio::net::TcpListener;

use crate::codec::{FromAzure, IntoAzure};
use crate::config::{resolve_timeout, FunctionCatalog, HostJson, Mode, LEGACY_TIMEOUT_ENV};
use crate::error::AzureError;
use crate::function::{function, AzureFunction};
use crate::service::{Functions, Settings as Resolved, Shared};

/// The environment variable the Functions host sets to the port the custom
/// handler must listen on (on `127.0.0.1`).
///
/// # Example
///
/// ```
/// use anyfn_azure::{is_azure, PORT_ENV};
///
/// assert_eq!(PORT_ENV, "FUNCTIONS_CUSTOMHANDLER_PORT");
/// # std::env::remove_var(PORT_ENV);
/// assert!(!is_azure());
/// std::env::set_var(PORT_ENV, "7071"); // as the Functions host does
/// assert!(is_azure());
/// ```
pub const PORT_ENV: &str = "FUNCTIONS_CUSTOMHANDLER_PORT";

/// Whether this process runs as an Azure Functions custom handler:
/// `FUNCTIONS_CUSTOMHANDLER_PORT` is set.
///
/// # Example
///
/// ```
/// if anyfn_azure::is_azure() {
///     println!("started by the Functions host");
/// }
/// ```
pub fn is_azure() -> bool {
    std::env::var_os(PORT_ENV).is_some_and(|port| !port.is_empty())
}

/// The adapter, to configure and then [`bind`](Self::bind).
///
/// The mode and the timeout come from `host.json` in the working directory
/// (the function app's root, where the host starts the handler), unless set
/// here.
///
/// The settings every adapter shares ([`Settings`], all at once with
/// [`settings`](Self::settings)) are each, when the adapter binds, what
/// this builder set, else what the environment says, else Azure's default:
///
/// - **Timeout** ([`timeout`](Self::timeout), else `ANYFN_TIMEOUT_MS`, else
///   the deprecated `ANYFN_AZURE_TIMEOUT_MS`, else `host.json`'s
///   `functionTimeout`, else the plan's default): see the crate docs'
///   Deadline section.
/// - **Memory size** ([`memory_mb`](Self::memory_mb), else
///   `ANYFN_MEMORY_MB`, else 128 MB): what the context and each `REPORT`
///   line say (Azure tells a custom handler none).
/// - **Error details** ([`error_details`](Self::error_details), else
///   `ANYFN_ERROR_DETAILS=show|hide`, else hidden).
/// - **Default subscriber** ([`default_subscriber`](Self::default_subscriber),
///   else `ANYFN_DEFAULT_SUBSCRIBER=on|off`, else on, as on every
///   adapter); `ANYFN_DEFAULT_SUBSCRIBER=off` turns it off whatever the
///   code says.
///
/// Shutdown: the Functions host sends SIGTERM (and Ctrl-C, SIGINT, stops
/// it locally under `func start`). The adapter stops accepting connections,
/// lets the invocations in flight finish (up to 30 s), then runs the hooks
/// added with [`on_shutdown`](Self::on_shutdown), in order, within what is
/// left of those 30 s (a hook overrunning it is cut, with a `WARN` line).
///
/// # Example
///
/// ```no_run
/// use std::time::Duration;
/// use anyfn::{handler_fn, Context, Json};
/// use anyfn_azure::Azure;
///
/// # #[tokio::main]
/// # async fn main() -> Result<(), anyfn_azure::AzureError> {
/// let handler = handler_fn(|Json(n): Json<u64>, _context: Context| async move {
///     Ok::<_, anyfn::Error>(Json(n + 1))
/// });
/// Azure::new(handler)
///     .timeout(Duration::from_secs(60))
///     .default_subscriber(true)
///     .bind()
///     .await?
///     .run()
///     .await
/// # }
/// ```
#[must_use = "the adapter does nothing until bound and run"]
pub struct Azure {
    functions: Functions,
    /// What the builder set of the shared settings.
    settings: Settings,
    mode: Option<Mode>,
    app_root: Option<PathBuf>,
    lifecycle: Lifecycle,
}

impl std::fmt::Debug for Azure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Azure")
            .field("settings", &self.settings)
            .field("mode", &self.mode)
            .field("app_root", &self.app_root)
            .field("lifecycle", &self.lifecycle)
            .finish_non_exhaustive()
    }
}

impl Azure {
    /// The adapter for one handler, which answers every function name the
    /// host calls (the name is in [`Context::function_name`](anyfn::Context::function_name)).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_azure::Azure;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # async fn post(addr: std::net::SocketAddr, path: &str, envelope: &str) -> std::io::Result<String> {
    /// #     use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    /// #     let mut stream = tokio::net::TcpStream::connect(addr).await?;
    /// #     let head = format!("POST {path} HTTP/1.1\r\nhost: localhost\r\nx-azure-functions-invocationid: inv-1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", envelope.len());
    /// #     stream.write_all(format!("{head}{envelope}").as_bytes()).await?;
    /// #     let mut answer = String::new();
    /// #     stream.read_to_string(&mut answer).await?;
    /// #     Ok(answer)
    /// # }
    /// let handler = handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n + 1)) });
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let bound = Azure::new(handler).bind_on(listener)?;
    /// let addr = bound.local_addr();
    /// tokio::spawn(bound.run_until(std::future::pending()));
    /// // `post` sends an envelope as the host does: any function name reaches the handler.
    /// let answer = post(addr, "/AddOne", r#"{"Data": {"n": 41}, "Metadata": {}}"#).await?;
    /// assert!(answer.contains(r#""ReturnValue":42"#));
    /// # Ok(()) }
    /// ```
    pub fn new<H>(handler: H) -> Self
    where
        H: Handler,
        H::Event: FromAzure,
        H::Output: IntoAzure,
    {
        Self::with(Functions::One(function(handler)))
    }

    /// The adapter for several functions, each served at `/{name}` (names
    /// compared without case, as Azure does); a name it does not have is
    /// answered `404`, listing the ones it has. Make each with
    /// [`function`](crate::function).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json, Request};
    /// use anyfn_azure::{function, Azure};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # async fn post(addr: std::net::SocketAddr, path: &str, envelope: &str) -> std::io::Result<String> {
    /// #     use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    /// #     let mut stream = tokio::net::TcpStream::connect(addr).await?;
    /// #     let head = format!("POST {path} HTTP/1.1\r\nhost: localhost\r\nx-azure-functions-invocationid: inv-1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", envelope.len());
    /// #     stream.write_all(format!("{head}{envelope}").as_bytes()).await?;
    /// #     let mut answer = String::new();
    /// #     stream.read_to_string(&mut answer).await?;
    /// #     Ok(answer)
    /// # }
    /// let hello = handler_fn(|_: Request, _: Context| async { Ok::<_, anyfn::Error>(anyfn::response::text("hi")) });
    /// let double = handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n * 2)) });
    /// let azure = Azure::functions(vec![
    ///     ("Hello".to_owned(), function(hello)),
    ///     ("Double".to_owned(), function(double)),
    /// ]);
    /// # let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// # let bound = azure.bind_on(listener)?;
    /// # let addr = bound.local_addr();
    /// # tokio::spawn(bound.run_until(std::future::pending()));
    /// // `post` sends an envelope as the host does; names are compared without case.
    /// let envelope = r#"{"Data": {"n": 21}, "Metadata": {}}"#;
    /// assert!(post(addr, "/double", envelope).await?.contains(r#""ReturnValue":42"#));
    /// assert!(post(addr, "/Triple", envelope).await?.starts_with("HTTP/1.1 404"));
    /// # Ok(()) }
    /// ```
    pub fn functions(functions: Vec<(String, Arc<dyn AzureFunction>)>) -> Self {
        Self::with(Functions::Named(
            functions
                .into_iter()
                .map(|(name, function)| (Arc::from(name), function))
                .collect(),
        ))
    }

    fn with(functions: Functions) -> Self {
        Self {
            functions,
            settings: Settings::new(),
            mode: None,
            app_root: None,
            lifecycle: Lifecycle::new(),
        }
    }

    /// Runs `hook` at shutdown, after the invocations in flight are
    /// answered (or the 30 s drain dropped them), given what is left of the
    /// 30 s. Several hooks run one after the other, in the order they were
    /// added; one still running when the time is up is cut (its future
    /// dropped, a `WARN` line naming its index and the time it had) and the
    /// ones after it are not run.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_azure::Azure;
    ///
    /// let handler = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    /// let azure = Azure::new(handler).on_shutdown(|time_left| async move {
    ///     println!("flushing with {} ms left", time_left.as_millis());
    /// });
    /// # drop(azure);
    /// ```
    pub fn on_shutdown<F, Fut>(mut self, hook: F) -> Self
    where
        F: FnOnce(Duration) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.lifecycle = self.lifecycle.on_shutdown(hook);
        self
    }

    /// Adds a before-snapshot hook, run before Lambda SnapStart snapshots
    /// the function; [`Lifecycle::before_snapshot`] says in which order the
    /// hooks run and how a failure is reported. Never called on Azure Functions: SnapStart is Lambda's.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    ///
    /// let handler = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    ///
    /// let azure = anyfn_azure::Azure::new(handler)
    ///     .before_snapshot(|| async { Ok(()) });
    /// # drop(azure);
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
    /// run and how a failure is reported. Never called on Azure Functions: SnapStart is Lambda's.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    ///
    /// let handler = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    ///
    /// let azure = anyfn_azure::Azure::new(handler)
    ///     .after_restore(|| async { Ok(()) });
    /// # drop(azure);
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
    /// use anyfn_azure::Lifecycle;
    ///
    /// let handler = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    ///
    /// let hooks = Lifecycle::new().on_shutdown(|_time_left| async {});
    /// let azure = anyfn_azure::Azure::new(handler).lifecycle(hooks);
    /// # drop(azure);
    /// ```
    pub fn lifecycle(mut self, lifecycle: Lifecycle) -> Self {
        self.lifecycle.extend(lifecycle);
        self
    }

    /// The settings every adapter shares, all at once: each one `settings`
    /// sets replaces what the builder had for it (the others stay). Each is
    /// still the builder's over the environment's (see [`Azure`]).
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_azure::{Azure, Settings};
    ///
    /// let handler = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    /// let shared = Settings::new().with_timeout(Duration::from_secs(30)).with_memory_mb(512);
    /// let azure = Azure::new(handler).settings(shared);
    /// # drop(azure);
    /// ```
    pub fn settings(mut self, settings: Settings) -> Self {
        self.settings = settings.or(self.settings);
        self
    }

    /// Whether [`bind`](Self::bind) installs the default subscriber (stdout,
    /// and each envelope invocation's lines in its `Logs`) when the program
    /// has none, over `ANYFN_DEFAULT_SUBSCRIBER=on`; on when neither says,
    /// as on every adapter. `ANYFN_DEFAULT_SUBSCRIBER=off` turns it off
    /// whatever this says.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_azure::Azure;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # std::env::remove_var("ANYFN_DEFAULT_SUBSCRIBER");
    /// let handler = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// // The program sets up its own subscriber (later, or none at all).
    /// let bound = Azure::new(handler).default_subscriber(false).bind_on(listener)?;
    /// assert!(!tracing::dispatcher::has_been_set());
    /// # drop(bound);
    /// # Ok(()) }
    /// ```
    pub fn default_subscriber(mut self, install: bool) -> Self {
        self.settings = self.settings.with_default_subscriber(install);
        self
    }

    /// How much of a server error HTTP callers see, over
    /// `ANYFN_ERROR_DETAILS`; hidden when neither says.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, ErrorDetails, ErrorKind, Request};
    /// use anyfn_azure::{Azure, Mode};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # async fn post(addr: std::net::SocketAddr, path: &str, envelope: &str) -> std::io::Result<String> {
    /// #     use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    /// #     let mut stream = tokio::net::TcpStream::connect(addr).await?;
    /// #     let head = format!("POST {path} HTTP/1.1\r\nhost: localhost\r\nx-azure-functions-invocationid: inv-1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", envelope.len());
    /// #     stream.write_all(format!("{head}{envelope}").as_bytes()).await?;
    /// #     let mut answer = String::new();
    /// #     stream.read_to_string(&mut answer).await?;
    /// #     Ok(answer)
    /// # }
    /// let failing = handler_fn(|_: Request, _: Context| async {
    ///     Err::<(), _>(anyfn::Error::new(ErrorKind::Internal, "the orders table is locked"))
    /// });
    /// let azure = Azure::new(failing).mode(Mode::Forwarding).error_details(ErrorDetails::Shown);
    /// # let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// # let bound = azure.bind_on(listener)?;
    /// # let addr = bound.local_addr();
    /// # tokio::spawn(bound.run_until(std::future::pending()));
    /// // A request the host forwards, as it came, to `/api/orders`:
    /// let answer = post(addr, "/api/orders", "{}").await?;
    /// assert!(answer.starts_with("HTTP/1.1 500"));
    /// assert!(answer.contains("the orders table is locked"));
    /// # Ok(()) }
    /// ```
    pub fn error_details(mut self, details: ErrorDetails) -> Self {
        self.settings = self.settings.with_error_details(details);
        self
    }

    /// Each invocation's timeout, over `ANYFN_TIMEOUT_MS` (and the
    /// deprecated `ANYFN_AZURE_TIMEOUT_MS`) and `host.json`'s
    /// `functionTimeout`.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_azure::Azure;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let handler = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let bound = Azure::new(handler).timeout(Duration::from_secs(60)).bind_on(listener)?;
    /// assert_eq!(bound.timeout(), Duration::from_secs(60));
    /// # Ok(()) }
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings = self.settings.with_timeout(timeout);
        self
    }

    /// The memory size the context and each `REPORT` line say, over
    /// `ANYFN_MEMORY_MB`; 128 MB when neither says.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_azure::Azure;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let handler = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let bound = Azure::new(handler).memory_mb(512).bind_on(listener)?;
    /// assert_eq!(bound.memory_mb(), 512);
    /// # Ok(()) }
    /// ```
    pub fn memory_mb(mut self, memory_mb: u32) -> Self {
        self.settings = self.settings.with_memory_mb(memory_mb);
        self
    }

    /// The mode, over `host.json`'s.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_azure::{Azure, Mode};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let handler = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let bound = Azure::new(handler).mode(Mode::Forwarding).bind_on(listener)?;
    /// assert_eq!(bound.mode(), Mode::Forwarding);
    /// # Ok(()) }
    /// ```
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = Some(mode);
        self
    }

    /// The function app's root, where `host.json` and each
    /// `{name}/function.json` are (default: the working directory). They
    /// are read once, when the adapter binds.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_azure::{Azure, Mode};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # for name in ["ANYFN_TIMEOUT_MS", "ANYFN_AZURE_TIMEOUT_MS"] { std::env::remove_var(name); }
    /// let handler = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let app = std::env::temp_dir().join(format!("anyfn-azure-doc-app-{}", std::process::id()));
    /// std::fs::create_dir_all(&app)?;
    /// std::fs::write(
    ///     app.join("host.json"),
    ///     r#"{"functionTimeout": "00:02:00", "customHandler": {"enableForwardingHttpRequest": true}}"#,
    /// )?;
    /// let bound = Azure::new(handler).app_root(&app).bind_on(listener)?;
    /// assert_eq!((bound.mode(), bound.timeout()), (Mode::Forwarding, Duration::from_secs(120)));
    /// # std::fs::remove_dir_all(&app)?;
    /// # Ok(()) }
    /// ```
    pub fn app_root(mut self, dir: impl Into<PathBuf>) -> Self {
        self.app_root = Some(dir.into());
        self
    }

    /// Listens on `127.0.0.1:$FUNCTIONS_CUSTOMHANDLER_PORT`.
    ///
    /// # Errors
    ///
    /// [`AzureError::NotOnAzure`] without the variable,
    /// [`AzureError::InvalidEnv`] for a bad port, or a bad `ANYFN_TIMEOUT_MS`,
    /// `ANYFN_AZURE_TIMEOUT_MS`, `ANYFN_MEMORY_MB`, `ANYFN_DEFAULT_SUBSCRIBER`
    /// or `ANYFN_ERROR_DETAILS`,
    /// [`AzureError::HostJson`] for a `host.json` that cannot be read,
    /// [`AzureError::Bind`] when the port cannot be bound.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_azure::{Azure, PORT_ENV};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let handler = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    /// // What the Functions host sets (port 0 here: any free one).
    /// std::env::set_var(PORT_ENV, "0");
    /// let bound = Azure::new(handler).bind().await?;
    /// assert!(bound.local_addr().ip().is_loopback());
    /// # Ok(()) }
    /// ```
    pub async fn bind(self) -> Result<BoundAzure, AzureError> {
        let port = std::env::var(PORT_ENV).map_err(|_| AzureError::NotOnAzure)?;
        let port: u16 = port.trim().parse().map_err(|_| AzureError::InvalidEnv {
            name: PORT_ENV,
            value: port.clone(),
            expected: "a port number",
        })?;
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| AzureError::Bind { addr, source })?;
        self.bind_on(listener)
    }

    /// Serves on `listener` (a test's ephemeral port, or a socket of your
    /// own) instead of `FUNCTIONS_CUSTOMHANDLER_PORT`.
    ///
    /// # Errors
    ///
    /// As [`bind`](Self::bind), but for the port.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_azure::Azure;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let handler = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let addr = listener.local_addr()?;
    /// let bound = Azure::new(handler).bind_on(listener)?;
    /// assert_eq!(bound.local_addr(), addr);
    /// # Ok(()) }
    /// ```
    pub fn bind_on(self, listener: TcpListener) -> Result<BoundAzure, AzureError> {
        let settings = self.settings.or(Settings::from_env()?);
        if settings.installs_default_subscriber() {
            crate::logging::install_default_subscriber();
        }
        let legacy_timeout = std::env::var(LEGACY_TIMEOUT_ENV)
            .ok()
            .filter(|ms| !ms.trim().is_empty());
        if legacy_timeout.is_some() {
            warn_legacy_timeout(settings.timeout().is_some());
        }
        let local_addr = listener.local_addr().map_err(|source| AzureError::Bind {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            source,
        })?;
        let app_root = match self.app_root {
            Some(dir) => dir,
            None => std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
        };
        let host = HostJson::read(&app_root)?;
        let function_json = FunctionCatalog::read(&app_root);
        tracing::debug!(
            target: "anyfn::azure",
            "{} function.json read from {}",
            function_json.len(),
            app_root.display()
        );
        let timeout = resolve_timeout(
            settings.timeout(),
            legacy_timeout.as_deref(),
            host.function_timeout,
            std::env::var("WEBSITE_SKU").ok().as_deref(),
        )?;
        let resolved = Resolved {
            mode: self.mode.unwrap_or(host.mode),
            timeout,
            memory_mb: settings.memory_mb().unwrap_or(DEFAULT_MEMORY_MB),
            error_details: settings.error_details().unwrap_or_default(),
            route_prefix: host.route_prefix,
            report_cost: settings
                .report_cost()
                .unwrap_or(ProviderSet::only(Provider::AzureFlexConsumption)),
            report_line: settings.report_line().unwrap_or(true),
        };
        // Each invocation's handler runs on its connection's task, its
        // deadline kept by the host's watchdog thread, as on the local
        // server. No header-read timeout (and so no timer per request): the
        // one client, on loopback, is the Functions host, not a slow client
        // to guard against.
        let host_settings =
            HostSettings::new(resolved.timeout).with_error_details(resolved.error_details);
        let host = HttpHost::start(listener, host_settings, Arc::new(RequestIds::new()))
            .map_err(AzureError::Watchdog)?
            .with_shutdown_hooks(self.lifecycle.into_parts().0);
        Ok(BoundAzure {
            host,
            local_addr,
            shared: Arc::new(Shared::new(self.functions, resolved, function_json)),
        })
    }
}

/// Says that `ANYFN_AZURE_TIMEOUT_MS` is deprecated, and whether it is
/// used (`overridden`: the builder or `ANYFN_TIMEOUT_MS` set the timeout).
fn warn_legacy_timeout(overridden: bool) {
    let what = if overridden {
        "ignored: the timeout is set in code or by ANYFN_TIMEOUT_MS"
    } else {
        "read as ANYFN_TIMEOUT_MS"
    };
    tracing::warn!(
        target: "anyfn::azure",
        "{LEGACY_TIMEOUT_ENV} is deprecated ({what}): set ANYFN_TIMEOUT_MS instead, which every adapter reads"
    );
}

/// The adapter with its socket bound; [`run`](Self::run) it.
///
/// # Example
///
/// ```
/// use anyfn::{handler_fn, Context, Json};
/// use anyfn_azure::{Azure, BoundAzure};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let handler = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// let bound: BoundAzure = Azure::new(handler).bind_on(listener)?;
/// println!("listening on {}", bound.local_addr());
/// // Serves until the future completes (here at once), then drains.
/// bound.run_until(std::future::ready(())).await;
/// # Ok(()) }
/// ```
#[must_use = "a bound adapter does nothing until run"]
pub struct BoundAzure {
    host: HttpHost,
    local_addr: SocketAddr,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for BoundAzure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoundAzure")
            .field("local_addr", &self.local_addr)
            .field("mode", &self.shared.settings.mode)
            .field("timeout", &self.shared.settings.timeout)
            .finish_non_exhaustive()
    }
}

impl BoundAzure {
    /// The address it listens on.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_azure::Azure;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let handler = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let bound = Azure::new(handler).bind_on(listener)?;
    /// assert!(bound.local_addr().ip().is_loopback());
    /// assert_ne!(bound.local_addr().port(), 0, "the port the system picked");
    /// # Ok(()) }
    /// ```
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The mode it serves in.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_azure::{Azure, Mode};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let handler = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let bound = Azure::new(handler).mode(Mode::Proxying).bind_on(listener)?;
    /// assert_eq!(bound.mode(), Mode::Proxying);
    /// # Ok(()) }
    /// ```
    pub fn mode(&self) -> Mode {
        self.shared.settings.mode
    }

    /// Each invocation's timeout.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_azure::Azure;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let handler = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let bound = Azure::new(handler).timeout(Duration::from_secs(30)).bind_on(listener)?;
    /// assert_eq!(bound.timeout(), Duration::from_secs(30));
    /// # Ok(()) }
    /// ```
    pub fn timeout(&self) -> Duration {
        self.shared.settings.timeout
    }

    /// The memory size, in MB, the context and each `REPORT` line say.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_azure::Azure;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # std::env::remove_var("ANYFN_MEMORY_MB");
    /// let handler = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// // Azure tells a custom handler no memory size: 128 MB unless set.
    /// let bound = Azure::new(handler).bind_on(listener)?;
    /// assert_eq!(bound.memory_mb(), 128);
    /// # Ok(()) }
    /// ```
    pub fn memory_mb(&self) -> u32 {
        self.shared.settings.memory_mb
    }

    /// Serves until SIGINT or SIGTERM, then lets invocations in flight
    /// finish (up to 30 s) and runs the shutdown hooks
    /// ([`Azure::on_shutdown`]) within what is left.
    ///
    /// # Errors
    ///
    /// [`AzureError::Signal`] when the signal handlers cannot be installed.
    ///
    /// # Example
    ///
    /// ```no_run
    /// use anyfn::{handler_fn, Context, Json};
    ///
    /// # #[tokio::main]
    /// # async fn main() -> Result<(), anyfn_azure::AzureError> {
    /// let handler = handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n + 1)) });
    /// let bound = anyfn_azure::Azure::new(handler).bind().await?;
    /// // Until the host stops the process.
    /// bound.run().await
    /// # }
    /// ```
    pub async fn run(self) -> Result<(), AzureError> {
        let signal = anyfn_kit::host::shutdown_signal().map_err(AzureError::Signal)?;
        self.run_until(signal).await;
        Ok(())
    }

    /// Serves until `shutdown` completes, then lets invocations in flight
    /// finish (up to 30 s) and runs the shutdown hooks
    /// ([`Azure::on_shutdown`]) within what is left.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_azure::Azure;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # async fn post(addr: std::net::SocketAddr, path: &str, envelope: &str) -> std::io::Result<String> {
    /// #     use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    /// #     let mut stream = tokio::net::TcpStream::connect(addr).await?;
    /// #     let head = format!("POST {path} HTTP/1.1\r\nhost: localhost\r\nx-azure-functions-invocationid: inv-1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", envelope.len());
    /// #     stream.write_all(format!("{head}{envelope}").as_bytes()).await?;
    /// #     let mut answer = String::new();
    /// #     stream.read_to_string(&mut answer).await?;
    /// #     Ok(answer)
    /// # }
    /// let handler = handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n + 1)) });
    /// # let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let bound = Azure::new(handler).bind_on(listener)?;
    /// let addr = bound.local_addr();
    /// let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    /// let serving = tokio::spawn(bound.run_until(async { stopped.await.ok(); }));
    /// let answer = post(addr, "/AddOne", r#"{"Data": {"n": 1}, "Metadata": {}}"#).await?;
    /// assert!(answer.contains(r#""ReturnValue":2"#));
    /// stop.send(()).ok();
    /// serving.await?; // drained, the shutdown hooks run
    /// # Ok(()) }
    /// ```
    pub async fn run_until(self, shutdown: impl Future<Output = ()>) {
        let Self {
            host,
            local_addr,
            shared,
        } = self;
        let settings = &shared.settings;
        let init = InitLine::new(local_addr, settings.timeout, settings.memory_mb)
            .with("Mode", format_args!("{:?}", settings.mode));
        init.log();
        host.serve(shutdown, |_client, watch| {
            let shared = Arc::clone(&shared);
            service_fn(move |request| {
                let shared = Arc::clone(&shared);
                let watch = Arc::clone(&watch);
                async move { Ok::<_, Infallible>(shared.handle(request, watch).await) }
            })
        })
        .await;
        // Spans an installed telemetry holds (anyfn-otel) leave before exit.
        anyfn_kit::flush_telemetry();
    }
}

#[cfg(test)]
mod tests {
    use anyfn::{handler_fn, Context, Json};
    use bytes::Bytes;
    use http_body_util::{BodyExt as _, Full};
    use hyper_util::rt::TokioIo;
    use serde_json::{json, Value};

    use super::*;

    /// A temporary app root, removed on drop.
    struct AppRoot(PathBuf);

    impl AppRoot {
        fn path(&self) -> &std::path::Path {
            &self.0
        }
    }

    impl Drop for AppRoot {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// An app root with `Hello/function.json`, whose trigger is `b`.
    fn app_root(test: &str) -> AppRoot {
        let dir =
            std::env::temp_dir().join(format!("anyfn-azure-unit-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("Hello")).expect("app dir");
        std::fs::write(
            dir.join("Hello").join("function.json"),
            json!({"bindings": [{"name": "b", "type": "queueTrigger", "direction": "in"}]})
                .to_string(),
        )
        .expect("function.json");
        AppRoot(dir)
    }

    /// Posts `envelope` to `/{name}` on the connection `sender` holds.
    async fn call(
        sender: &mut hyper::client::conn::http1::SendRequest<Full<Bytes>>,
        name: String,
        envelope: &'static str,
    ) -> (hyper::StatusCode, Value) {
        let request = hyper::Request::post(format!("/{name}"))
            .header("x-azure-functions-invocationid", "inv-catalog")
            .body(Full::new(Bytes::from_static(envelope.as_bytes())))
            .expect("a request");
        let exchange = async {
            sender.ready().await.expect("the connection is open");
            let response = sender.send_request(request).await.expect("a response");
            let status = response.status();
            let body = response.into_body().collect().await.expect("a body");
            (status, body.to_bytes())
        };
        let (status, body) = tokio::time::timeout(Duration::from_secs(10), exchange)
            .await
            .expect("answered in time");
        (status, serde_json::from_slice(&body).expect("JSON"))
    }

    /// What the builder sets is what the bound adapter serves with; unset,
    /// Azure's defaults (this test's environment sets no `ANYFN_*`).
    #[tokio::test]
    async fn the_builders_settings_reach_the_bound_adapter() {
        let handler = || {
            handler_fn(|Json(value): Json<Value>, _: Context| async move {
                Ok::<_, anyfn::Error>(Json(value))
            })
        };
        let bind = |azure: Azure| async move {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
            azure.bind_on(listener).expect("bound")
        };
        let root = app_root("settings");
        let defaults = bind(Azure::new(handler()).app_root(root.path())).await;
        assert_eq!(
            (defaults.timeout(), defaults.memory_mb()),
            (crate::CONSUMPTION_DEFAULT_TIMEOUT, 128)
        );
        assert_eq!(defaults.shared.settings.error_details, ErrorDetails::Hidden);

        let set = Azure::new(handler())
            .app_root(root.path())
            .settings(
                Settings::new()
                    .with_timeout(Duration::from_secs(9))
                    .with_memory_mb(512),
            )
            .timeout(Duration::from_millis(1500))
            .error_details(ErrorDetails::Shown);
        let bound = bind(set).await;
        assert_eq!(
            (bound.timeout(), bound.memory_mb()),
            (Duration::from_millis(1500), 512),
            "the later call wins; the rest of `settings` stays"
        );
        assert_eq!(bound.shared.settings.error_details, ErrorDetails::Shown);
    }

    /// With one handler under every name, each distinct name the host
    /// called was cached forever with what a blocking read of
    /// `{name}/function.json` gave: 600 calls with distinct 59 KB names grew
    /// the process by 34 MB. Every function.json is now read at bind, into
    /// a catalog no call changes; names are looked up without case.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn regression_distinct_function_names_do_not_grow_the_function_json_catalog() {
        let echo = handler_fn(|Json(value): Json<Value>, context: Context| async move {
            Ok::<_, anyfn::Error>(Json(
                json!({"value": value, "name": context.function_name()}),
            ))
        });
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let root = app_root("catalog");
        let bound = Azure::new(echo)
            .app_root(root.path())
            .bind_on(listener)
            .expect("bound");
        let (addr, shared) = (bound.local_addr(), Arc::clone(&bound.shared));
        assert_eq!(shared.function_jsons(), 1, "Hello's, read at bind");
        tokio::spawn(bound.run_until(std::future::pending()));

        let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .expect("handshake");
        tokio::spawn(connection);
        for n in 0..200 {
            let name = format!("{n:05}{}", "n".repeat(8 * 1024));
            let (status, answer) =
                call(&mut sender, name, r#"{"Data": {"in": 1}, "Metadata": {}}"#).await;
            assert_eq!(status, 200, "{answer}");
            assert_eq!(answer["ReturnValue"]["value"], 1);
        }
        assert_eq!(shared.function_jsons(), 1, "no call adds to the catalog");

        // Hello's function.json, read at bind, names its trigger, whatever
        // the case the host calls it in.
        for name in ["Hello", "HELLO", "hello"] {
            let (status, answer) = call(
                &mut sender,
                name.to_owned(),
                r#"{"Data": {"a": "1", "b": "2"}, "Metadata": {}}"#,
            )
            .await;
            assert_eq!(status, 200, "{name}: {answer}");
            assert_eq!(answer["ReturnValue"]["value"], "2", "{name}");
            assert_eq!(answer["ReturnValue"]["name"], name, "{name}");
        }
        assert_eq!(shared.function_jsons(), 1);
    }

    /// The hooks given to the builder run when `run_until` stops, in order,
    /// each with what is left of the 30 s drain.
    #[tokio::test]
    async fn shutdown_hooks_run_in_order_after_the_drain_with_the_time_left() {
        let noted = Arc::new(std::sync::Mutex::new(Vec::new()));
        let (first, second) = (Arc::clone(&noted), Arc::clone(&noted));
        let echo = handler_fn(|Json(value): Json<Value>, _: Context| async move {
            Ok::<_, anyfn::Error>(Json(value))
        });
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let root = app_root("hooks");
        let bound = Azure::new(echo)
            .app_root(root.path())
            .on_shutdown(move |time_left| async move {
                first
                    .lock()
                    .expect("not poisoned")
                    .push(("first", time_left));
            })
            .lifecycle(Lifecycle::new().on_shutdown(move |time_left| async move {
                second
                    .lock()
                    .expect("not poisoned")
                    .push(("second", time_left));
            }))
            .bind_on(listener)
            .expect("bound");
        tokio::time::timeout(
            Duration::from_secs(10),
            bound.run_until(std::future::ready(())),
        )
        .await
        .expect("run_until returns");
        let noted = noted.lock().expect("not poisoned").clone();
        let names: Vec<&str> = noted.iter().map(|(name, _)| *name).collect();
        assert_eq!(names, ["first", "second"]);
        let (first_left, second_left) = (noted[0].1, noted[1].1);
        assert!(first_left <= Duration::from_secs(30) && first_left > Duration::from_secs(25));
        assert!(second_left <= first_left);
    }
}
