//! The entry points: [`run`] a handler, or [`run_functions`] one function
//! of a registry, with the adapter [`detect`] picks.

use anyfn_functions::Functions;

use crate::detect::{detect, ADAPTERS};
use crate::runner::Runner;
use crate::running::Running;
use crate::{PortableHandler, RunError};

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
///
/// # Example
///
/// ```no_run
/// use anyfn::{handler_fn, Context, Json};
///
/// #[tokio::main]
/// async fn main() -> Result<(), anyfn_auto::RunError> {
///     let double = handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n * 2)) });
///     anyfn_auto::run(double).await
/// }
/// ```
pub fn run<H: PortableHandler>(handler: H) -> Running {
    Runner::new(handler).run()
}

/// Runs one function of `functions`, chosen by the platform's own setting:
/// on Lambda the function's handler setting (`_HANDLER`), on the server
/// (and Cloud Run) `FUNCTION_TARGET`; with neither set, the server serves
/// every function, each at `/{name}`. On Azure Functions, the host calls
/// each function at `/{name}`.
///
/// The registry's own settings ([`Functions::settings`], or
/// [`Functions::timeout`], [`Functions::memory_mb`],
/// [`Functions::default_subscriber`], [`Functions::error_details`]) hold on
/// whichever adapter runs, over the environment's, as [`Runner`]'s do.
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
