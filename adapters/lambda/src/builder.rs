//! Configuring the adapter before it runs: [`Lambda`].

use std::time::Duration;

use anyfn::{ErrorDetails, Handler};
use anyfn_kit::{Lifecycle, Settings};

use crate::codec::{FromLambda, IntoLambda};
use crate::runtime::RunSettings;
use crate::LambdaError;

/// How long before Lambda's own deadline anyfn stops a handler, by default:
/// enough for the timeout to be reported before Lambda ends the invocation.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use anyfn::{handler_fn, Context, Json};
/// use anyfn_lambda::{Lambda, DEFAULT_DEADLINE_MARGIN};
///
/// assert_eq!(DEFAULT_DEADLINE_MARGIN, Duration::from_millis(100));
/// let handler = handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
/// // A handler that needs longer to report its own timeout:
/// let lambda = Lambda::new(handler).deadline_margin(DEFAULT_DEADLINE_MARGIN * 3);
/// # drop(lambda);
/// ```
pub const DEFAULT_DEADLINE_MARGIN: Duration = Duration::from_millis(100);

/// The environment variable that sets the deadline margin, in milliseconds:
/// `ANYFN_DEADLINE_MARGIN_MS=250`.
///
/// # Example
///
/// ```
/// use anyfn::{handler_fn, Context, Json};
/// use anyfn_lambda::{Lambda, DEADLINE_MARGIN_ENV};
///
/// assert_eq!(DEADLINE_MARGIN_ENV, "ANYFN_DEADLINE_MARGIN_MS");
/// // Read by `Lambda::new`, as the function's configuration would set it:
/// std::env::set_var(DEADLINE_MARGIN_ENV, "250");
/// let handler = handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
/// let lambda = Lambda::new(handler); // stops the handler 250 ms before Lambda's deadline
/// # drop(lambda);
/// ```
pub const DEADLINE_MARGIN_ENV: &str = "ANYFN_DEADLINE_MARGIN_MS";

/// Runs a [`Handler`] on AWS Lambda, configured; [`run`](crate::run) is this
/// with the defaults.
///
/// The settings every adapter shares ([`Settings`], all at once with
/// [`settings`](Self::settings)) are each what this builder set, else what
/// the environment says, else Lambda's default; they are read when the
/// adapter [runs](Self::run):
///
/// - **Timeout** ([`timeout`](Self::timeout), else `ANYFN_TIMEOUT_MS`; by
///   default none): the deadline is Lambda's own (the function's
///   configured timeout), minus the deadline margin below. A timeout set
///   here can only shorten it: the handler's
///   [`Context::deadline`](anyfn::Context::deadline) is then the sooner of
///   that and the timeout after the invocation arrives. It never lengthens
///   the invocation past Lambda's deadline, where Lambda ends it whatever
///   the function does: raise the function's timeout on Lambda for that.
/// - **Memory size** ([`memory_mb`](Self::memory_mb), `ANYFN_MEMORY_MB`):
///   read (a bad `ANYFN_MEMORY_MB` is still an error) but it does not
///   override Lambda's: the context and the cost see the memory Lambda
///   gives the function, `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`.
/// - **Error details** ([`error_details`](Self::error_details), else
///   `ANYFN_ERROR_DETAILS=show|hide`; hidden by default): what HTTP clients
///   see of a server error; see [`ErrorDetails`].
/// - **Default subscriber** ([`default_subscriber`](Self::default_subscriber),
///   else `ANYFN_DEFAULT_SUBSCRIBER=on|off`, else on, as on every
///   adapter): a `tracing` subscriber writing to stdout in the
///   format `AWS_LAMBDA_LOG_FORMAT` selects, at `AWS_LAMBDA_LOG_LEVEL`,
///   installed when the program has none. `ANYFN_DEFAULT_SUBSCRIBER=off`
///   turns it off whatever the code says.
/// - **The `REPORT` line** (`ANYFN_REPORT_LINE`, `ANYFN_REPORT_COST`):
///   read (a bad value is still an error) but unused: Lambda writes its
///   own `REPORT` line for each invocation, so this adapter writes none.
///
/// And Lambda's own:
///
/// - **Deadline margin** (default [`DEFAULT_DEADLINE_MARGIN`], or
///   `ANYFN_DEADLINE_MARGIN_MS`): the handler's deadline is Lambda's
///   deadline minus this margin, and the handler is stopped there, so that
///   anyfn's `Timeout` answer (a `504` for HTTP events) reaches Lambda
///   before Lambda kills the invocation.
///
/// # Example
///
/// ```no_run
/// use std::time::Duration;
/// use anyfn::{handler_fn, Context, Json};
///
/// # #[tokio::main]
/// # async fn main() -> Result<(), anyfn_lambda::LambdaError> {
/// let handler = handler_fn(|Json(n): Json<u64>, _context: Context| async move {
///     Ok::<_, anyfn::Error>(Json(n + 1))
/// });
/// anyfn_lambda::Lambda::new(handler)
///     .deadline_margin(Duration::from_millis(250))
///     .default_subscriber(true)
///     .run()
///     .await
/// # }
/// ```
#[must_use = "the adapter does nothing until run"]
pub struct Lambda<H> {
    handler: H,
    /// What the builder set of the shared settings.
    settings: Settings,
    deadline_margin: Duration,
    response_streaming: bool,
    /// The shutdown hooks (run on Lambda's SIGTERM) and the SnapStart hooks.
    lifecycle: Lifecycle,
}

impl<H> std::fmt::Debug for Lambda<H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lambda")
            .field("settings", &self.settings)
            .field("deadline_margin", &self.deadline_margin)
            .field("response_streaming", &self.response_streaming)
            .field("lifecycle", &self.lifecycle)
            .finish_non_exhaustive()
    }
}

impl<H> Lambda<H>
where
    H: Handler,
    H::Event: FromLambda,
    H::Output: IntoLambda,
{
    /// The adapter for `handler`: nothing set, so each setting is the
    /// environment's or Lambda's default (see [`Lambda`]), and no default
    /// subscriber unless `ANYFN_DEFAULT_SUBSCRIBER=on`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    ///
    /// let handler = handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n + 1)) });
    /// let lambda = anyfn_lambda::Lambda::new(handler);
    /// // Nothing set yet: `run` reads each setting from the environment.
    /// # drop(lambda);
    /// ```
    pub fn new(handler: H) -> Self {
        Self {
            handler,
            settings: Settings::new(),
            deadline_margin: margin_from(std::env::var(DEADLINE_MARGIN_ENV).ok().as_deref()),
            response_streaming: crate::streaming::streaming_from_env(),
            lifecycle: Lifecycle::new(),
        }
    }

    /// Code to run when Lambda shuts the execution environment down, as
    /// every adapter's builder takes it.
    ///
    /// Lambda tells a runtime it is shutting down only when an extension is
    /// registered: a function with shutdown hooks registers an internal
    /// extension (`anyfn-shutdown-hooks`, subscribed to no events) before
    /// its first `next`, so that Lambda sends it SIGTERM. The hooks then run
    /// in order within Lambda's grace period, 500 ms (300 ms when the
    /// function has external extensions, in `/opt/extensions`), less 100 ms
    /// kept for the process to exit: each is given what is left, one still
    /// running when it is spent is cut (a `WARN` line, target `anyfn::host`)
    /// with the ones after it, and `run` returns. Lambda shuts an
    /// environment down between invocations, so nothing is in flight then.
    /// If the extension cannot be registered, a `WARN` line says the hooks
    /// will not run and the function serves as without them.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    ///
    /// let handler = handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    /// let lambda = anyfn_lambda::Lambda::new(handler).on_shutdown(|_time_left| async {});
    /// # drop(lambda);
    /// ```
    pub fn on_shutdown<F, Fut>(mut self, hook: F) -> Self
    where
        F: FnOnce(Duration) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        self.lifecycle = self.lifecycle.on_shutdown(hook);
        self
    }

    /// Adds a before-snapshot hook: code run before Lambda SnapStart
    /// snapshots the initialised function (close connections, drop what no
    /// two restored copies may share). The hooks run in reverse order of
    /// registration; the first to fail stops the rest and fails the init,
    /// reported as lambda_runtime reports it (`/runtime/init/error`).
    /// Called only with SnapStart on (`AWS_LAMBDA_INITIALIZATION_TYPE=snap-start`).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    ///
    /// let handler = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    ///
    /// let lambda = anyfn_lambda::Lambda::new(handler)
    ///     .before_snapshot(|| async { Ok(()) });
    /// # drop(lambda);
    /// ```
    pub fn before_snapshot<F, Fut>(mut self, hook: F) -> Self
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<(), anyfn::Error>> + Send + 'static,
    {
        self.lifecycle = self.lifecycle.before_snapshot(hook);
        self
    }

    /// Adds an after-restore hook: code run after Lambda SnapStart restores
    /// the function from its snapshot, before its first invocation
    /// (reconnect, refresh credentials, re-seed what must be unique). The
    /// hooks run in order of registration; the first to fail stops the rest
    /// and is reported to `/runtime/restore/error`, as lambda_runtime
    /// reports it. Called only with SnapStart on (`AWS_LAMBDA_INITIALIZATION_TYPE=snap-start`).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    ///
    /// let handler = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    ///
    /// let lambda = anyfn_lambda::Lambda::new(handler)
    ///     .after_restore(|| async { Ok(()) });
    /// # drop(lambda);
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
    /// use anyfn_lambda::Lifecycle;
    ///
    /// let handler = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    ///
    /// let hooks = Lifecycle::new().on_shutdown(|_time_left| async {});
    /// let lambda = anyfn_lambda::Lambda::new(handler).lifecycle(hooks);
    /// # drop(lambda);
    /// ```
    pub fn lifecycle(mut self, lifecycle: Lifecycle) -> Self {
        self.lifecycle.extend(lifecycle);
        self
    }

    /// The settings every adapter shares, all at once: each one `settings`
    /// sets replaces what the builder had for it (the others stay). What
    /// Lambda makes of each is in [`Lambda`]'s docs.
    ///
    /// # Example
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use anyfn::{handler_fn, Context, ErrorDetails, Json};
    /// use anyfn_lambda::{Lambda, Settings};
    ///
    /// # #[tokio::main]
    /// # async fn main() -> Result<(), anyfn_lambda::LambdaError> {
    /// let handler = handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    /// let shared = Settings::new()
    ///     .with_timeout(Duration::from_secs(5))
    ///     .with_error_details(ErrorDetails::Shown);
    /// Lambda::new(handler).settings(shared).run().await
    /// # }
    /// ```
    pub fn settings(mut self, settings: Settings) -> Self {
        self.settings = settings.or(self.settings);
        self
    }

    /// Stops the handler this long after the invocation arrives, when that
    /// comes before Lambda's deadline (minus the margin); over
    /// `ANYFN_TIMEOUT_MS`. It can only shorten the invocation, never
    /// lengthen it past Lambda's deadline (see [`Lambda`]).
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn::{handler_fn, Context, Json};
    ///
    /// let handler = handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    /// // Stop at 5 s even when the function's Lambda timeout is longer.
    /// let lambda = anyfn_lambda::Lambda::new(handler).timeout(Duration::from_secs(5));
    /// # drop(lambda);
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings = self.settings.with_timeout(timeout);
        self
    }

    /// Kept for the settings every adapter shares, but on Lambda the memory
    /// size is Lambda's own (`AWS_LAMBDA_FUNCTION_MEMORY_SIZE`): this does
    /// not override it.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    ///
    /// let handler = handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    /// // Accepted as every adapter does; Lambda's own memory size still applies.
    /// let lambda = anyfn_lambda::Lambda::new(handler).memory_mb(512);
    /// # drop(lambda);
    /// ```
    pub fn memory_mb(mut self, memory_mb: u32) -> Self {
        self.settings = self.settings.with_memory_mb(memory_mb);
        self
    }

    /// Stops the handler this long before Lambda's deadline.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn::{handler_fn, Context, Json};
    ///
    /// let handler = handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    /// let lambda = anyfn_lambda::Lambda::new(handler).deadline_margin(Duration::from_millis(250));
    /// # drop(lambda);
    /// ```
    pub fn deadline_margin(mut self, margin: Duration) -> Self {
        self.deadline_margin = margin;
        self
    }

    /// How much of a server error (5xx) HTTP clients see, over
    /// `ANYFN_ERROR_DETAILS`; hidden when neither says.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, ErrorDetails, Json};
    ///
    /// let handler = handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    /// // A staging function: 5xx answers carry the error's message.
    /// let lambda = anyfn_lambda::Lambda::new(handler).error_details(ErrorDetails::Shown);
    /// # drop(lambda);
    /// ```
    pub fn error_details(mut self, details: ErrorDetails) -> Self {
        self.settings = self.settings.with_error_details(details);
        self
    }

    /// Whether a streamed response ([`StreamResponse`](anyfn::stream::StreamResponse))
    /// goes out through Lambda's response streaming, for the sources that can
    /// stream ([`EventSource::can_stream`](crate::EventSource::can_stream)).
    /// Off by default, or as `ANYFN_RESPONSE_STREAMING` says: turn it on
    /// where the function is invoked with streaming (a Function URL with
    /// `InvokeMode: RESPONSE_STREAM`, a REST API integration with
    /// `responseTransferMode: STREAM`), which the function cannot see from
    /// its events. Off, a streamed HTTP answer is gathered and sent whole, up
    /// to Lambda's 6 MB limit, and a function whose output may stream says
    /// so at start-up. A raw invocation (not an HTTP event) streams either
    /// way, as lambda_runtime streams it.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::stream;
    /// use anyfn::{handler_fn, Context, Request};
    ///
    /// let handler = handler_fn(|_: Request, _: Context| async {
    ///     Ok::<_, anyfn::Error>(stream::response(stream::BodyStream::from("streamed")))
    /// });
    /// // Behind a Function URL with `InvokeMode: RESPONSE_STREAM`:
    /// let lambda = anyfn_lambda::Lambda::new(handler).response_streaming(true);
    /// # drop(lambda);
    /// ```
    pub fn response_streaming(mut self, on: bool) -> Self {
        self.response_streaming = on;
        self
    }

    /// Whether [`run`](Self::run) installs the default subscriber when the
    /// program has none, over `ANYFN_DEFAULT_SUBSCRIBER=on`; on when
    /// neither says, as on every adapter. `ANYFN_DEFAULT_SUBSCRIBER=off`
    /// turns it off whatever this says.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    ///
    /// let handler = handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    /// // The program logs through a subscriber of its own, set up later.
    /// let lambda = anyfn_lambda::Lambda::new(handler).default_subscriber(false);
    /// # drop(lambda);
    /// ```
    pub fn default_subscriber(mut self, install: bool) -> Self {
        self.settings = self.settings.with_default_subscriber(install);
        self
    }

    /// Serves invocations from the Lambda Runtime API until the runtime stops.
    ///
    /// # Errors
    ///
    /// [`LambdaError::InvalidEnv`] for a bad `ANYFN_TIMEOUT_MS`,
    /// `ANYFN_MEMORY_MB`, `ANYFN_DEFAULT_SUBSCRIBER` or
    /// `ANYFN_ERROR_DETAILS`; [`LambdaError::MissingEnv`] or
    /// [`LambdaError::InvalidEnv`] when the process is not on Lambda (the
    /// variables Lambda sets are checked before the runtime starts);
    /// [`LambdaError::Runtime`] when the Runtime API fails. Failed
    /// invocations are reported to Lambda, not returned.
    ///
    /// # Example
    ///
    /// ```no_run
    /// use anyfn::{handler_fn, Context, Json};
    ///
    /// # #[tokio::main]
    /// # async fn main() -> Result<(), anyfn_lambda::LambdaError> {
    /// let handler = handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n + 1)) });
    /// // On Lambda (`AWS_LAMBDA_RUNTIME_API` set): serves until the runtime stops.
    /// anyfn_lambda::Lambda::new(handler).default_subscriber(true).run().await
    /// # }
    /// ```
    pub async fn run(self) -> Result<(), LambdaError> {
        let (settings, default_subscriber) = RunSettings::resolve(
            self.settings,
            Settings::from_env()?,
            self.deadline_margin,
            self.response_streaming,
        );
        if default_subscriber {
            crate::logging::install_default_subscriber();
        }
        if H::Output::MAY_STREAM && !settings.response_streaming {
            crate::streaming::log_streaming_off();
        }
        crate::runtime::run(self.handler, settings, self.lifecycle).await
    }
}

/// The margin `ANYFN_DEADLINE_MARGIN_MS` gives: whole milliseconds, else
/// the default.
fn margin_from(value: Option<&str>) -> Duration {
    value
        .and_then(|ms| ms.trim().parse::<u64>().ok())
        .map_or(DEFAULT_DEADLINE_MARGIN, Duration::from_millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_setting_is_the_builders_else_the_environments_else_lambdas() {
        let margin = Duration::from_millis(100);
        let resolve = |builder, env| RunSettings::resolve(builder, env, margin, false);

        let (defaults, subscriber) = resolve(Settings::new(), Settings::new());
        assert_eq!(defaults.timeout, None, "Lambda's own deadline");
        assert_eq!(defaults.error_details, ErrorDetails::Hidden);
        assert!(subscriber, "on, as on every adapter's builder");

        let env = Settings::from_lookup(|name| match name {
            "ANYFN_TIMEOUT_MS" => Some("1500".to_owned()),
            "ANYFN_ERROR_DETAILS" => Some("show".to_owned()),
            "ANYFN_DEFAULT_SUBSCRIBER" => Some("on".to_owned()),
            _ => None,
        })
        .expect("valid");
        let (from_env, subscriber) = resolve(Settings::new(), env);
        assert_eq!(from_env.timeout, Some(Duration::from_millis(1500)));
        assert_eq!(from_env.error_details, ErrorDetails::Shown);
        assert!(subscriber, "the environment's over the default");

        let builder = Settings::new()
            .with_timeout(Duration::from_millis(500))
            .with_error_details(ErrorDetails::Hidden)
            .with_default_subscriber(false);
        let (from_builder, subscriber) = resolve(builder, env);
        assert_eq!(from_builder.timeout, Some(Duration::from_millis(500)));
        assert_eq!(from_builder.error_details, ErrorDetails::Hidden);
        assert!(!subscriber, "the builder's over the environment's");
        assert_eq!(from_builder.deadline_margin, margin);
    }

    #[test]
    fn the_builders_methods_write_into_its_settings() {
        let handler = anyfn::handler_fn(
            |anyfn::Json(n): anyfn::Json<u8>, _: anyfn::Context| async move {
                Ok::<_, anyfn::Error>(anyfn::Json(n))
            },
        );
        let lambda = Lambda::new(handler)
            .settings(
                Settings::new()
                    .with_memory_mb(256)
                    .with_timeout(Duration::from_secs(9)),
            )
            .timeout(Duration::from_secs(2))
            .error_details(ErrorDetails::Shown)
            .default_subscriber(true);
        assert_eq!(
            lambda.settings,
            Settings::new()
                .with_timeout(Duration::from_secs(2))
                .with_memory_mb(256)
                .with_error_details(ErrorDetails::Shown)
                .with_default_subscriber(true)
        );
        let lambda = lambda.settings(Settings::new().with_timeout(Duration::from_secs(7)));
        assert_eq!(
            lambda.settings.timeout(),
            Some(Duration::from_secs(7)),
            "set again"
        );
        assert_eq!(lambda.settings.memory_mb(), Some(256), "kept");
    }

    #[test]
    fn margin_is_read_in_milliseconds_with_a_default() {
        assert_eq!(margin_from(Some("250")), Duration::from_millis(250));
        assert_eq!(margin_from(Some(" 0 ")), Duration::ZERO);
        assert_eq!(margin_from(Some("soon")), DEFAULT_DEADLINE_MARGIN);
        assert_eq!(margin_from(None), DEFAULT_DEADLINE_MARGIN);
    }
}
