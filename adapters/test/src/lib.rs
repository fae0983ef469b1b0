//! Test [`anyfn`] handlers: invoke them in-process with real deadlines, build
//! requests and assert on responses, or run the real local server on an
//! ephemeral port and talk HTTP to it.
//!
//! # Example
//!
//! ```
//! use std::time::Duration;
//! use anyfn::{handler_fn, Context, Request, RequestExt, Response};
//! use anyfn_test::{Harness, TestRequest, TestResponse, TestServer};
//!
//! async fn hello(request: Request, _context: Context) -> Result<Response, anyfn::Error> {
//!     let name = request.query().get("name").unwrap_or("world").to_owned();
//!     Ok(anyfn::response::text(format!("Hello, {name}!")))
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // In-process, with a deterministic context:
//! let harness = Harness::new(handler_fn(hello)).timeout(Duration::from_secs(1));
//! let invocation = harness.invoke(TestRequest::get("/").query("name", "Ada").build()).await;
//! assert_eq!(invocation.request_id(), "test-request-1");
//! let response = TestResponse::from(invocation.expect_output());
//! assert_eq!(response.text(), "Hello, Ada!");
//!
//! // End to end, over real HTTP on 127.0.0.1:
//! let server = TestServer::start(handler_fn(hello)).await?;
//! let response = server.client().get("/?name=Grace").await?;
//! response.assert_status(200);
//! assert_eq!(response.text(), "Hello, Grace!");
//! server.shutdown().await;
//! # Ok(())
//! # }
//! ```
#![warn(clippy::missing_errors_doc, clippy::missing_panics_doc)]

mod azure_emulator;
mod client;
pub mod fixtures;
mod harness;
mod lambda_emulator;
mod logs;
mod request;
mod response;
mod server;

/// A function's hooks (at shutdown, around a SnapStart snapshot), for
/// [`Harness::lifecycle`]: the adapter kit's, as every adapter's builder takes them.
pub use anyfn_kit::Lifecycle;
/// What [`Invocation::report`] prices on, and with.
pub use anyfn_kit::{
    BilledTime, Estimate, InvocationReport, PriceList, Provider, ProviderSet, Usage,
};
pub use azure_emulator::{
    AzureAppFunction, AzureBinding, AzureDelivery, AzureEmulator, AzureEmulatorBuilder,
    AzureFunctionApp, AzureHostSettings, AzureHttpOutput, AzureOutcome, AzureTriggerType,
};
pub use client::{ClientError, TestClient};
pub use harness::{Harness, Invocation, StreamCut};
pub use lambda_emulator::{
    ExtensionRegistration, FunctionProcess, LambdaEmulator, LambdaEmulatorBuilder,
    LambdaErrorReport, LambdaOutcome, LifecycleCall, RuntimeApiFault, ShutdownOutcome,
    StreamedAnswer,
};
pub use logs::LogRecord;
pub use request::TestRequest;
pub use response::TestResponse;
pub use server::TestServer;
