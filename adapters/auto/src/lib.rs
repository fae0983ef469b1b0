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
#![warn(clippy::missing_errors_doc, clippy::missing_panics_doc)]

mod detect;
mod entry;
mod runner;
mod running;

/// A function's hooks (at shutdown, and around a Lambda SnapStart snapshot), for
/// [`Runner::lifecycle`]: the adapter kit's, as every adapter's builder takes them.
pub use anyfn_kit::Lifecycle;
pub use detect::detect;

/// Why the chosen adapter could not run, or why none could: which adapter
/// ([`RunError::adapter`]) and its error, or the registry's
/// ([`RunError::function_error`]) when [`run_functions`] cannot tell which
/// function to run. Its `Debug` output is the message and its causes.
pub use anyfn_functions::RunError;
pub use anyfn_functions::{PortableEvent, PortableHandler, PortableOutput};
/// The settings every adapter shares (timeout, memory size, default
/// subscriber, error details), for [`Runner::settings`] and
/// [`Functions::settings`](anyfn_functions::Functions::settings): the adapter kit's.
pub use anyfn_kit::{Settings, SettingsError};
pub use entry::{run, run_functions};
pub use runner::Runner;
pub use running::Running;
