//! Several named [`anyfn`] functions in one binary.
//!
//! A [`Functions`] registry holds handlers of different event types under
//! names; one entry point runs the one the platform asks for. With
//! `anyfn_auto::run_functions`:
//!
//! | where | which function runs |
//! |---|---|
//! | AWS Lambda | the one the function's handler setting (`_HANDLER`) names; the only one when there is one |
//! | Cloud Run, Knative, a container | the one `FUNCTION_TARGET` names, at every path |
//! | anywhere, `FUNCTION_TARGET` unset | all of them, each at `/{name}` ([`FunctionRouter`]) |
//! | tests | any, by name: [`Functions::handler`], `anyfn_test::Harness::function` |
//!
//! The registry lives outside the core because it erases each adapter's
//! trait bounds: [`Functions::add`] asks of a handler's types what every
//! adapter needs, while they are known, and keeps for each adapter what it
//! will do with the function.
//!
//! # Example
//!
//! ```
//! use anyfn::event::ScheduleTick;
//! use anyfn::{handler_fn, Context, Request, Response};
//! use anyfn_functions::Functions;
//! use anyfn_test::{Harness, TestServer};
//!
//! async fn orders(_request: Request, _context: Context) -> Result<Response, anyfn::Error> {
//!     Ok(anyfn::response::text("no orders yet"))
//! }
//!
//! async fn nightly(_tick: ScheduleTick, _context: Context) -> Result<(), anyfn::Error> {
//!     Ok(())
//! }
//!
//! fn functions() -> Functions {
//!     Functions::new()
//!         .add("orders", handler_fn(orders))
//!         .add("nightly", handler_fn(nightly))
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // In a test, by name, with the function's own types:
//! let orders = functions().handler::<Request, Response>("orders")?;
//! let answer = Harness::new(orders).invoke(Request::default()).await.expect_output();
//! assert_eq!(answer.body().as_bytes(), b"no orders yet");
//!
//! // Over HTTP, each function at its own path:
//! let server = TestServer::start(functions().router()).await?;
//! assert_eq!(server.client().get("/orders").await?.text(), "no orders yet");
//! server.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! In `main`, `anyfn_auto::run_functions(functions()).await` picks as the
//! table says.
// FunctionRouter is the `server` feature's: linked to on docs.rs when a
// build leaves it out, so that the docs build without broken links
// whatever the features. (The empty line ends the paragraph above, which
// a link definition cannot interrupt.)
#![doc = ""]
#![cfg_attr(feature = "server", doc = "[`FunctionRouter`]: crate::FunctionRouter")]
#![cfg_attr(
    not(feature = "server"),
    doc = "[`FunctionRouter`]: https://docs.rs/anyfn-functions/latest/anyfn_functions/struct.FunctionRouter.html"
)]
#![warn(clippy::missing_errors_doc, clippy::missing_panics_doc)]

mod erased;
mod error;
mod name;
pub mod portable;
mod registry;
#[cfg(feature = "server")]
mod router;
mod run_error;
mod typed;

pub use error::FunctionError;
pub use portable::{PortableEvent, PortableHandler, PortableOutput};
pub use registry::{Function, Functions};
#[cfg(feature = "server")]
pub use router::FunctionRouter;
pub use run_error::RunError;
pub use typed::NamedHandler;

/// A function's hooks (at shutdown, and around a Lambda SnapStart
/// snapshot), for [`Functions::lifecycle`]: the adapter kit's.
pub use anyfn_kit::Lifecycle;
/// The settings every adapter shares (timeout, memory size, default
/// subscriber, error details), for [`Functions::settings`]: the adapter kit's.
pub use anyfn_kit::{Settings, SettingsError};
