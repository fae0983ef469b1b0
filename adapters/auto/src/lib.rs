//! One binary, any runtime: run an [`anyfn`] handler on AWS Lambda when the
//! process is on Lambda (`AWS_LAMBDA_RUNTIME_API` is set, as it is on Lambda,
//! under `cargo lambda watch` and under anyfn-test's emulator), and on the
//! local HTTP server otherwise.
//!
//! # Example
//!
//! ```no_run
//! use anyfn::{handler_fn, Context, Request, RequestExt, Response};
//!
//! async fn hello(request: Request, _context: Context) -> Result<Response, anyfn::Error> {
//!     let name = request.query().get("name").unwrap_or("world").to_owned();
//!     Ok(anyfn::response::text(format!("Hello, {name}!")))
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), anyfn_auto::RunError> {
//!     anyfn_auto::run(handler_fn(hello)).await
//! }
//! ```

use anyfn::{ErrorDetails, Handler};
use anyfn_azure::{FromAzure, IntoAzure};
use anyfn_functions::Functions;
use anyfn_lambda::{FromLambda, IntoLambda};
use anyfn_server::{FromHttp, IntoHttp};

/// Why the chosen adapter could not run (one variant per adapter, and
/// [`RunError::Function`] when [`run_functions`] cannot tell which function
/// to run). Its `Debug` output is the message and its causes.
pub use anyfn_functions::RunError;

/// Which adapter [`run`] picks in this process: `AwsLambda` on Lambda,
/// else the server, as [`anyfn_server::platform`] names it (`CloudRun` when
/// `K_SERVICE` is set, `LocalServer` otherwise).
///
/// # Example
///
/// ```
/// let runtime = anyfn_auto::detect();
/// assert_eq!(runtime == anyfn::Platform::AwsLambda, anyfn_lambda::is_lambda());
/// ```
pub fn detect() -> anyfn::Platform {
    if anyfn_lambda::is_lambda() {
        anyfn::Platform::AwsLambda
    } else if anyfn_azure::is_azure() {
        anyfn::Platform::AzureFunctions
    } else {
        anyfn_server::platform()
    }
}

/// Runs `handler` with the adapter [`detect`] picks: [`anyfn_lambda::run`] on
/// Lambda, [`anyfn_server::serve`] elsewhere. Both install their default
/// `tracing` subscriber when the program has none; [`Runner`] can turn it
/// off, as can `ANYFN_DEFAULT_SUBSCRIBER=off`.
///
/// # Errors
///
/// The chosen adapter's error, as [`RunError`].
pub async fn run<H>(handler: H) -> Result<(), RunError>
where
    H: Handler,
    H::Event: FromHttp + FromLambda + FromAzure,
    H::Output: IntoHttp + IntoLambda + IntoAzure,
{
    Runner::new(handler).run().await
}

/// Runs one of several named functions, or all of them, picked by the
/// platform's setting:
///
/// - on Lambda, the function the handler setting (`_HANDLER`) names, or the
///   only one ([`Functions::lambda_function`]);
/// - elsewhere (Cloud Run, Knative, a container, a laptop), the one
///   `FUNCTION_TARGET` names, alone at every path, as Cloud Run functions
///   run their target;
/// - elsewhere without `FUNCTION_TARGET`, every function, each at
///   `/{name}` ([`Functions::router`](anyfn_functions::Functions::router)).
///
/// The registry's own settings ([`Functions::default_subscriber`],
/// [`Functions::error_details`]) hold on whichever adapter runs.
///
/// # Errors
///
/// [`RunError::Function`] when the setting names no function of the
/// registry (the message lists them); the chosen adapter's error otherwise.
///
/// # Example
///
/// ```no_run
/// use anyfn::event::StorageEvent;
/// use anyfn::{handler_fn, Context, Request, Response};
/// use anyfn_functions::Functions;
///
/// async fn orders(_request: Request, _context: Context) -> Result<Response, anyfn::Error> {
///     Ok(anyfn::response::text("no orders yet"))
/// }
///
/// async fn resize(_event: StorageEvent, _context: Context) -> Result<(), anyfn::Error> {
///     Ok(())
/// }
///
/// #[tokio::main]
/// async fn main() -> Result<(), anyfn_auto::RunError> {
///     let functions = Functions::new()
///         .add("orders", handler_fn(orders))
///         .add("resize", handler_fn(resize));
///     anyfn_auto::run_functions(functions).await
/// }
/// ```
pub async fn run_functions(functions: Functions) -> Result<(), RunError> {
    let setting = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
    match detect() {
        anyfn::Platform::AwsLambda => {
            Ok(functions.run_lambda(setting("_HANDLER").as_deref()).await?)
        }
        anyfn::Platform::AzureFunctions => Ok(functions.run_azure().await?),
        _ => Ok(functions
            .serve(setting("FUNCTION_TARGET").as_deref())
            .await?),
    }
}

/// [`run`] with settings that hold on whichever adapter runs the handler.
///
/// The other settings come from the environment on both adapters
/// (`ANYFN_ERROR_DETAILS`, `ANYFN_DEADLINE_MARGIN_MS` on Lambda, `HOST` and
/// `PORT` for the server, …).
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
    default_subscriber: bool,
    error_details: Option<ErrorDetails>,
}

impl<H> std::fmt::Debug for Runner<H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runner")
            .field("default_subscriber", &self.default_subscriber)
            .field("error_details", &self.error_details)
            .finish_non_exhaustive()
    }
}

impl<H> Runner<H>
where
    H: Handler,
    H::Event: FromHttp + FromLambda + FromAzure,
    H::Output: IntoHttp + IntoLambda + IntoAzure,
{
    /// A runner for `handler`: the default subscriber on, error details as
    /// `ANYFN_ERROR_DETAILS` says.
    pub fn new(handler: H) -> Self {
        Self {
            handler,
            default_subscriber: true,
            error_details: None,
        }
    }

    /// Whether the chosen adapter installs its default `tracing` subscriber
    /// when the program has none (on by default).
    pub fn default_subscriber(mut self, install: bool) -> Self {
        self.default_subscriber = install;
        self
    }

    /// How much of a server error (5xx) HTTP clients see, instead of what
    /// `ANYFN_ERROR_DETAILS` says.
    pub fn error_details(mut self, details: ErrorDetails) -> Self {
        self.error_details = Some(details);
        self
    }

    /// Runs the handler with the adapter [`detect`] picks.
    ///
    /// # Errors
    ///
    /// The chosen adapter's error, as [`RunError`].
    pub async fn run(self) -> Result<(), RunError> {
        match detect() {
            anyfn::Platform::AwsLambda => {
                let mut lambda = anyfn_lambda::Lambda::new(self.handler)
                    .default_subscriber(self.default_subscriber);
                if let Some(details) = self.error_details {
                    lambda = lambda.error_details(details);
                }
                Ok(lambda.run().await?)
            }
            anyfn::Platform::AzureFunctions => {
                let mut azure = anyfn_azure::Azure::new(self.handler)
                    .default_subscriber(self.default_subscriber);
                if let Some(details) = self.error_details {
                    azure = azure.error_details(details);
                }
                Ok(azure.bind().await?.run().await?)
            }
            _ => {
                let mut server = anyfn_server::Server::new(self.handler)
                    .default_subscriber(self.default_subscriber);
                if let Some(details) = self.error_details {
                    server = server.error_details(details);
                }
                Ok(server.bind().await?.run().await?)
            }
        }
    }
}
