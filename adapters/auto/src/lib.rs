//! One binary, any runtime: run an [`anyfn`] handler on AWS Lambda when the
//! process is on Lambda (`AWS_LAMBDA_RUNTIME_API` is set, as it is on Lambda,
//! under `cargo lambda watch` and under anyfn-test's emulator), on Azure
//! Functions when the Functions host started it as a custom handler
//! (`FUNCTIONS_CUSTOMHANDLER_PORT` is set), and on the local HTTP server
//! otherwise (which is also how it runs on Cloud Run and in any container).
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
//!
//! # Features: one per adapter
//!
//! `server` (the local HTTP server: laptops, containers, Cloud Run),
//! `lambda` (AWS Lambda) and `azure` (Azure Functions), all on by default.
//! A binary built without one neither compiles nor links it: for a Lambda
//! function alone, `default-features = false, features = ["lambda"]`. A
//! handler runs through [`run`] when it is a [`PortableHandler`]: its event
//! a [`PortableEvent`] and its output a [`PortableOutput`] for every adapter
//! that is on (see [`anyfn_functions::portable`] for what turning a feature
//! on does to that bound; the portable types satisfy every adapter, so the
//! features are additive). On a platform none of the build's adapters
//! serves, [`run`] stops with a [`RunError`] saying so.

mod running;

use anyfn::ErrorDetails;
use anyfn_functions::Functions;

/// Why the chosen adapter could not run, or why none could: which adapter
/// ([`RunError::adapter`]) and its error, or the registry's
/// ([`RunError::function_error`]) when [`run_functions`] cannot tell which
/// function to run. Its `Debug` output is the message and its causes.
pub use anyfn_functions::RunError;
pub use anyfn_functions::{PortableEvent, PortableHandler, PortableOutput};
pub use running::Running;

/// Which adapter [`run`] picks in this process, among those of this build:
/// `AwsLambda` on Lambda, `AzureFunctions` under the Functions host, else
/// the server, as `anyfn_server::platform` names it (`CloudRun` when
/// `K_SERVICE` is set, `LocalServer` otherwise). `None` when no adapter of
/// this build runs here (a build without `server`, off Lambda and Azure).
///
/// # Example
///
/// ```
/// let runtime = anyfn_auto::detect();
/// assert_eq!(runtime == Some(anyfn::Platform::AwsLambda), anyfn_lambda::is_lambda());
/// ```
pub fn detect() -> Option<anyfn::Platform> {
    #[cfg(feature = "lambda")]
    if anyfn_lambda::is_lambda() {
        return Some(anyfn::Platform::AwsLambda);
    }
    #[cfg(feature = "azure")]
    if anyfn_azure::is_azure() {
        return Some(anyfn::Platform::AzureFunctions);
    }
    #[cfg(feature = "server")]
    return Some(anyfn_server::platform());
    #[cfg(not(feature = "server"))]
    None
}

/// The adapters this build has, by feature name.
const ADAPTERS: &[&str] = &[
    #[cfg(feature = "server")]
    "server",
    #[cfg(feature = "lambda")]
    "lambda",
    #[cfg(feature = "azure")]
    "azure",
];

/// Runs `handler` with the adapter [`detect`] picks. Every adapter installs
/// its default `tracing` subscriber when the program has none; [`Runner`]
/// can turn it off, as can `ANYFN_DEFAULT_SUBSCRIBER=off`.
///
/// A plain function returning a [`Running`] future, rather than an `async
/// fn`, so that a handler that is not portable is reported once, by the
/// portability bound's own message.
///
/// # Errors
///
/// The chosen adapter's error, as [`RunError`]; a [`RunError`] naming this
/// build's adapters when none of them runs here.
pub fn run<H: PortableHandler>(handler: H) -> Running {
    Runner::new(handler).run()
}

/// Runs one function of `functions`, chosen by the platform's own setting:
/// on Lambda the function's handler setting (`_HANDLER`), on the server
/// (and Cloud Run) `FUNCTION_TARGET`; with neither set, the server serves
/// every function, each at `/{name}`. On Azure Functions, the host calls
/// each function at `/{name}`.
///
/// The registry's own settings ([`Functions::default_subscriber`],
/// [`Functions::error_details`]) hold on whichever adapter runs.
///
/// # Errors
///
/// A [`RunError`] holding a [`anyfn_functions::FunctionError`] when the
/// setting names no function of the registry (the message lists them); the
/// chosen adapter's error otherwise.
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
pub fn run_functions(functions: Functions) -> Running {
    Running::new(async move {
        // Without an adapter feature there is nothing to run it with.
        #[cfg(not(any(feature = "server", feature = "lambda", feature = "azure")))]
        drop(functions);
        #[allow(unused_variables)]
        let setting = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
        match detect() {
            #[cfg(feature = "lambda")]
            Some(anyfn::Platform::AwsLambda) => {
                functions.run_lambda(setting("_HANDLER").as_deref()).await
            }
            #[cfg(feature = "azure")]
            Some(anyfn::Platform::AzureFunctions) => functions.run_azure().await,
            #[cfg(feature = "server")]
            Some(_) => functions.serve(setting("FUNCTION_TARGET").as_deref()).await,
            _ => Err(RunError::no_adapter_here(ADAPTERS)),
        }
    })
}

/// [`run`] with settings that hold on whichever adapter runs the handler.
///
/// The other settings come from the environment on every adapter
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

impl<H> Runner<H> {
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
    /// The chosen adapter's error, as [`RunError`]; a [`RunError`] naming
    /// this build's adapters when none of them runs here.
    pub fn run(self) -> Running
    where
        H: PortableHandler,
    {
        Running::new(async move {
            #[allow(unused_variables)]
            let Self {
                handler,
                default_subscriber,
                error_details,
            } = self;
            match detect() {
                #[cfg(feature = "lambda")]
                Some(anyfn::Platform::AwsLambda) => {
                    let mut lambda =
                        anyfn_lambda::Lambda::new(handler).default_subscriber(default_subscriber);
                    if let Some(details) = error_details {
                        lambda = lambda.error_details(details);
                    }
                    Ok(lambda.run().await?)
                }
                #[cfg(feature = "azure")]
                Some(anyfn::Platform::AzureFunctions) => {
                    let mut azure =
                        anyfn_azure::Azure::new(handler).default_subscriber(default_subscriber);
                    if let Some(details) = error_details {
                        azure = azure.error_details(details);
                    }
                    Ok(azure.bind().await?.run().await?)
                }
                #[cfg(feature = "server")]
                Some(_) => {
                    let mut server =
                        anyfn_server::Server::new(handler).default_subscriber(default_subscriber);
                    if let Some(details) = error_details {
                        server = server.error_details(details);
                    }
                    Ok(server.bind().await?.run().await?)
                }
                _ => Err(RunError::no_adapter_here(ADAPTERS)),
            }
        })
    }
}
