//! Run an [`anyfn`] handler on Azure Functions, as a custom handler.
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
//! async fn main() -> Result<(), anyfn_azure::AzureError> {
//!     // 127.0.0.1:$FUNCTIONS_CUSTOMHANDLER_PORT; the mode and the timeout
//!     // from host.json; SIGTERM stops it.
//!     anyfn_azure::run(handler_fn(hello)).await
//! }
//! ```
//!
#![warn(clippy::missing_errors_doc, clippy::missing_panics_doc)]
#![doc = include_str!("docs/behaviour.md")]
#![doc = ""]
#![doc = include_str!("docs/triggers.md")]

mod answer;
mod azure;
mod codec;
mod config;
mod context_ext;
mod envelope;
mod error;
mod events;
mod function;
mod http;
mod lenient;
mod logging;
mod quote;
mod request_parts;
mod scan;
mod service;
mod trigger;

pub use azure::{is_azure, Azure, BoundAzure, PORT_ENV};
pub use codec::{AzureAnswer, AzureInput, FromAzure, IntoAzure};
#[allow(deprecated)]
pub use config::TIMEOUT_ENV;
pub use config::{
    Mode, CONSUMPTION_DEFAULT_TIMEOUT, OTHER_PLANS_DEFAULT_TIMEOUT, UNBOUNDED_TIMEOUT,
};
pub use context_ext::{AzureContextExt, AzureInvocation, SysMetadata};
pub use error::AzureError;
pub use function::{function, AzureFunction, AzureFuture};
pub use service::INVOCATION_ID_HEADER;
pub use trigger::AzureTrigger;

/// A function's hooks (at shutdown; SnapStart's, never called here), for
/// [`Azure::lifecycle`]: the adapter kit's.
pub use anyfn_kit::Lifecycle;
/// The settings every adapter shares (timeout, memory size, default
/// subscriber, error details), for [`Azure::settings`]: the adapter kit's.
pub use anyfn_kit::{Settings, SettingsError};

use std::sync::Arc;

use anyfn::Handler;

/// Runs `handler` as the custom handler of every function the host calls,
/// on `127.0.0.1:$FUNCTIONS_CUSTOMHANDLER_PORT`, until SIGINT or SIGTERM.
///
/// It first installs the default subscriber when the program has none
/// (`ANYFN_DEFAULT_SUBSCRIBER=off` turns it off). The timeout, memory size
/// and error details are the environment's (`ANYFN_TIMEOUT_MS`,
/// `ANYFN_MEMORY_MB`, `ANYFN_ERROR_DETAILS`) or Azure's defaults; see
/// [`Azure`] to set them in code.
///
/// # Errors
///
/// [`AzureError`] when the adapter cannot start: see [`Azure::bind`].
/// Failed invocations are answered to the host, not returned.
///
/// # Example
///
/// ```no_run
/// use anyfn::{handler_fn, Context, Json};
///
/// #[tokio::main]
/// async fn main() -> Result<(), anyfn_azure::AzureError> {
///     let double = handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n * 2)) });
///     anyfn_azure::run(double).await
/// }
/// ```
pub async fn run<H>(handler: H) -> Result<(), AzureError>
where
    H: Handler,
    H::Event: FromAzure,
    H::Output: IntoAzure,
{
    Azure::new(handler).bind().await?.run().await
}

/// Serves several functions, each at `/{name}`, on
/// `127.0.0.1:$FUNCTIONS_CUSTOMHANDLER_PORT`, until SIGINT or SIGTERM,
/// with the default subscriber. Make each with [`function`].
///
/// # Errors
///
/// As [`run`].
///
/// # Example
///
/// ```no_run
/// use anyfn::{handler_fn, Context, Json, Request};
///
/// #[tokio::main]
/// async fn main() -> Result<(), anyfn_azure::AzureError> {
///     let hello = handler_fn(|_: Request, _: Context| async { Ok::<_, anyfn::Error>(anyfn::response::text("hi")) });
///     let double = handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n * 2)) });
///     anyfn_azure::serve_functions(vec![
///         ("Hello".to_owned(), anyfn_azure::function(hello)),
///         ("Double".to_owned(), anyfn_azure::function(double)),
///     ])
///     .await
/// }
/// ```
pub async fn serve_functions(
    functions: Vec<(String, Arc<dyn AzureFunction>)>,
) -> Result<(), AzureError> {
    Azure::functions(functions).bind().await?.run().await
}
