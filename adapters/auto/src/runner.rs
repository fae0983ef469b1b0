//! [`Runner`]: [`run`](crate::run) with settings and hooks that hold on
//! whichever adapter runs the handler.

use std::time::Duration;

use anyfn::ErrorDetails;

use crate::detect::{detect, ADAPTERS};
use crate::running::Running;
use crate::{Lifecycle, PortableHandler, RunError, Settings};

/// [`run`](crate::run) with settings that hold on whichever adapter runs the handler.
///
/// The settings every adapter shares ([`Settings`]: [`timeout`](Self::timeout),
/// [`memory_mb`](Self::memory_mb), [`default_subscriber`](Self::default_subscriber),
/// [`error_details`](Self::error_details), or all at once with
/// [`settings`](Self::settings)) are handed to the adapter that runs, as
/// its builder's. Each is then the runner's, else the environment's
/// (`ANYFN_TIMEOUT_MS`, `ANYFN_MEMORY_MB`, `ANYFN_DEFAULT_SUBSCRIBER`,
/// `ANYFN_ERROR_DETAILS`), else the platform's default:
///
/// | setting | local server, Cloud Run | AWS Lambda | Azure Functions |
/// |---|---|---|---|
/// | timeout | 3 s; 300 s on Cloud Run (set it to the service's `--timeout`) | Lambda's deadline; a timeout only shortens it | `host.json`'s `functionTimeout`, else the plan's |
/// | memory size | 128 MB | always Lambda's (`AWS_LAMBDA_FUNCTION_MEMORY_SIZE`) | 128 MB |
/// | default subscriber | on (`ANYFN_DEFAULT_SUBSCRIBER=off` always turns it off) | on | on |
/// | error details | hidden | hidden | hidden |
/// | a `REPORT` line per invocation (`ANYFN_REPORT_LINE`, `Settings::with_report_line`) | on | none: Lambda writes its own | on |
///
/// The adapters' own settings come from the environment (`HOST` and
/// `PORT` for the server, `ANYFN_DEADLINE_MARGIN_MS` on Lambda, …). A
/// variable holding a value anyfn cannot use stops the run with the
/// adapter's `InvalidEnv` error, naming it.
///
/// Its hooks ([`on_shutdown`](Self::on_shutdown),
/// [`before_snapshot`](Self::before_snapshot),
/// [`after_restore`](Self::after_restore)) go to the adapter too: the
/// server (Cloud Run) and Azure run the shutdown hooks after their drain,
/// within what is left of it, and Lambda on the SIGTERM of its shutdown
/// phase, within its 500 ms; only Lambda with SnapStart runs the others.
///
/// # Example
///
/// ```no_run
/// use anyfn::{handler_fn, Context, Json};
///
/// # #[tokio::main]
/// # async fn main() -> Result<(), anyfn_auto::RunError> {
/// // The program logs through a subscriber of its own, set up here.
/// let handler = handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n * 2)) });
/// anyfn_auto::Runner::new(handler).default_subscriber(false).run().await
/// # }
/// ```
#[must_use = "the runner does nothing until run"]
pub struct Runner<H> {
    handler: H,
    settings: Settings,
    lifecycle: Lifecycle,
}

impl<H> std::fmt::Debug for Runner<H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runner")
            .field("settings", &self.settings)
            .field("lifecycle", &self.lifecycle)
            .finish_non_exhaustive()
    }
}

/// Building a runner, then running it.
///
/// # Example
///
/// ```no_run
/// use std::time::Duration;
/// use anyfn::{handler_fn, Context, Json};
///
/// # #[tokio::main]
/// # async fn main() -> Result<(), anyfn_auto::RunError> {
/// let handler = handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n * 2)) });
/// anyfn_auto::Runner::new(handler).timeout(Duration::from_secs(10)).run().await
/// # }
/// ```
impl<H> Runner<H> {
    /// A runner for `handler`, nothing set: each setting is the
    /// environment's or the platform's, and the default subscriber is on.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    ///
    /// let handler = handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n * 2)) });
    /// let runner = anyfn_auto::Runner::new(handler);
    /// # drop(runner);
    /// ```
    pub fn new(handler: H) -> Self {
        Self {
            handler,
            settings: Settings::new(),
            lifecycle: Lifecycle::new(),
        }
    }

    /// Runs `hook` when the instance shuts down, on the server (and Cloud
    /// Run) and on Azure Functions: after the invocations in flight are
    /// answered, given what is left of the drain timeout. Several run in the
    /// order they were added; one overrunning the time left is cut (with a
    /// `WARN` line, target `anyfn::host`). On Lambda they run on the
    /// SIGTERM of its shutdown phase, within its grace period (see
    /// `anyfn_lambda::Lambda::on_shutdown`).
    ///
    /// # Example
    ///
    /// ```no_run
    /// use anyfn::{handler_fn, Context, Json};
    ///
    /// # #[tokio::main]
    /// # async fn main() -> Result<(), anyfn_auto::RunError> {
    /// let handler = handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n * 2)) });
    /// anyfn_auto::Runner::new(handler)
    ///     .on_shutdown(|time_left| async move {
    ///         println!("flushing, {} ms left", time_left.as_millis());
    ///     })
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
    /// hooks run and how a failure is reported. Called only on Lambda with SnapStart on; never on the other platforms.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    ///
    /// let handler = handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    ///
    /// let runner = anyfn_auto::Runner::new(handler)
    ///     .before_snapshot(|| async { Ok(()) });
    /// # drop(runner);
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
    /// run and how a failure is reported. Called only on Lambda with SnapStart on; never on the other platforms.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    ///
    /// let handler = handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    ///
    /// let runner = anyfn_auto::Runner::new(handler)
    ///     .after_restore(|| async { Ok(()) });
    /// # drop(runner);
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
    /// use anyfn_auto::Lifecycle;
    ///
    /// let handler = handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    ///
    /// let hooks = Lifecycle::new().on_shutdown(|_time_left| async {});
    /// let runner = anyfn_auto::Runner::new(handler).lifecycle(hooks);
    /// # drop(runner);
    /// ```
    pub fn lifecycle(mut self, lifecycle: Lifecycle) -> Self {
        self.lifecycle.extend(lifecycle);
        self
    }

    /// The settings every adapter shares, all at once: each one `settings`
    /// sets replaces what the runner had for it (the others stay).
    ///
    /// # Example
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_auto::{Runner, Settings};
    ///
    /// # #[tokio::main]
    /// # async fn main() -> Result<(), anyfn_auto::RunError> {
    /// let handler = handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n * 2)) });
    /// let settings = Settings::new().with_timeout(Duration::from_secs(10)).with_memory_mb(512);
    /// Runner::new(handler).settings(settings).run().await
    /// # }
    /// ```
    pub fn settings(mut self, settings: Settings) -> Self {
        self.settings = settings.or(self.settings);
        self
    }

    /// Each invocation's timeout, over `ANYFN_TIMEOUT_MS` (on Lambda it only
    /// shortens Lambda's deadline).
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn::{handler_fn, Context, Json};
    ///
    /// let handler = handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n * 2)) });
    /// let runner = anyfn_auto::Runner::new(handler).timeout(Duration::from_secs(10));
    /// # drop(runner);
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings = self.settings.with_timeout(timeout);
        self
    }

    /// The memory size in MB, over `ANYFN_MEMORY_MB`, for the context and
    /// the `REPORT` line (on Lambda, Lambda's own memory size stays).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    ///
    /// let handler = handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n * 2)) });
    /// let runner = anyfn_auto::Runner::new(handler).memory_mb(512);
    /// # drop(runner);
    /// ```
    pub fn memory_mb(mut self, memory_mb: u32) -> Self {
        self.settings = self.settings.with_memory_mb(memory_mb);
        self
    }

    /// Whether the chosen adapter installs its default `tracing` subscriber
    /// when the program has none (on by default;
    /// `ANYFN_DEFAULT_SUBSCRIBER=off` turns it off whatever this says).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    ///
    /// let handler = handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n * 2)) });
    /// // The program logs through a subscriber of its own.
    /// let runner = anyfn_auto::Runner::new(handler).default_subscriber(false);
    /// # drop(runner);
    /// ```
    pub fn default_subscriber(mut self, install: bool) -> Self {
        self.settings = self.settings.with_default_subscriber(install);
        self
    }

    /// How much of a server error (5xx) HTTP clients see, over what
    /// `ANYFN_ERROR_DETAILS` says.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, ErrorDetails, Json};
    ///
    /// let handler = handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n * 2)) });
    /// // For local development: show panic messages and I/O errors to the client.
    /// let runner = anyfn_auto::Runner::new(handler).error_details(ErrorDetails::Shown);
    /// # drop(runner);
    /// ```
    pub fn error_details(mut self, details: ErrorDetails) -> Self {
        self.settings = self.settings.with_error_details(details);
        self
    }

    /// Runs the handler with the adapter [`detect`] picks.
    ///
    /// # Errors
    ///
    /// The chosen adapter's error, as [`RunError`]; a [`RunError`] naming
    /// this build's adapters when none of them runs here.
    ///
    /// # Example
    ///
    /// ```no_run
    /// use anyfn::{handler_fn, Context, Json};
    ///
    /// # #[tokio::main]
    /// # async fn main() -> Result<(), anyfn_auto::RunError> {
    /// let handler = handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n * 2)) });
    /// anyfn_auto::Runner::new(handler).memory_mb(256).run().await
    /// # }
    /// ```
    pub fn run(self) -> Running
    where
        H: PortableHandler,
    {
        Running::new(async move {
            #[allow(unused_variables)]
            let Self {
                handler,
                settings,
                lifecycle,
            } = self;
            match detect() {
                #[cfg(feature = "lambda")]
                Some(anyfn::Platform::AwsLambda) => Ok(anyfn_lambda::Lambda::new(handler)
                    .settings(settings)
                    .lifecycle(lifecycle)
                    .run()
                    .await?),
                #[cfg(feature = "azure")]
                Some(anyfn::Platform::AzureFunctions) => {
                    let azure = anyfn_azure::Azure::new(handler)
                        .settings(settings)
                        .lifecycle(lifecycle);
                    Ok(azure.bind().await?.run().await?)
                }
                #[cfg(feature = "server")]
                Some(_) => {
                    let server = anyfn_server::Server::new(handler)
                        .settings(settings)
                        .lifecycle(lifecycle);
                    Ok(server.bind().await?.run().await?)
                }
                _ => Err(RunError::no_adapter_here(ADAPTERS)),
            }
        })
    }
}
