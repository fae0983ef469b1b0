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

use anyfn::Handler;
use anyfn_lambda::{FromPayload, IntoPayload, LambdaError};
use anyfn_server::{FromRequest, IntoResponse, ServeError};

/// Why the chosen adapter could not run.
///
/// Its `Debug` output is the message and its causes, so that `main`
/// returning `Result<(), RunError>` prints a readable reason on exit.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The Lambda adapter failed (on Lambda).
    #[error(transparent)]
    Lambda(#[from] LambdaError),
    /// The local server failed (off Lambda).
    #[error(transparent)]
    Server(#[from] ServeError),
}

impl std::fmt::Debug for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")?;
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            write!(f, "\n  caused by: {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

/// Which adapter [`run`] picks in this process.
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
    } else {
        anyfn::Platform::LocalServer
    }
}

/// Runs `handler` with the adapter [`detect`] picks: [`anyfn_lambda::run`] on
/// Lambda, [`anyfn_server::serve`] elsewhere.
///
/// # Errors
///
/// The chosen adapter's error, as [`RunError`].
pub async fn run<H>(handler: H) -> Result<(), RunError>
where
    H: Handler,
    H::Event: FromRequest + FromPayload,
    H::Output: IntoResponse + IntoPayload,
{
    match detect() {
        anyfn::Platform::AwsLambda => Ok(anyfn_lambda::run(handler).await?),
        _ => Ok(anyfn_server::serve(handler).await?),
    }
}
