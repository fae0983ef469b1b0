//! How failures look, the same on every runtime (the failure table in the
//! README says what each answers):
//!
//! - `GET /fail` returns an error with its own error type (`OrderNotFound`, 400);
//! - `GET /links/{code}` returns the function's own error type, which says
//!   its status per variant: an unknown code is `UnknownLink` (404), the
//!   code `taken` is `LinkTaken` (409), the code `home` answers `302`;
//! - `GET /kind/{ErrorType}` returns an error of that kind
//!   (`/kind/MethodNotAllowed` with `Allow`, `/kind/TooManyRequests` with
//!   `Retry-After`, …);
//! - `GET /io` fails with `?` on an I/O error (`HandlerError`, 500);
//! - `GET /boxed` fails with a `Box<dyn Error + Send + Sync>` (`HandlerError`, 500);
//! - `GET /panic` panics (`Panic`, 500) and the next request is served;
//! - `GET /sleep?ms=5000` outlives the 3 s deadline awaiting (`Timeout`, 504);
//! - `GET /block?ms=5000` outlives it blocking its thread (`Timeout`, 504);
//! - `GET /log` logs a line through `tracing` and answers `logged`;
//! - `GET /metrics` records metrics through its context (a dimension, a
//!   counter, a distribution; CloudWatch EMF on Lambda with
//!   `ANYFN_METRICS_NAMESPACE` set), logs a line and answers `measured`;
//! - `GET /cookies` answers with two cookies, a repeated header and a binary body;
//! - anything else answers `ok`.
//!
//! Server errors (5xx) answer a generic message unless
//! `ANYFN_ERROR_DETAILS=show`; the log always has the whole error.
//!
//! ```text
//! cargo run --example failures
//! curl -i http://127.0.0.1:3000/links/abc
//! ```

use std::time::Duration;

use anyfn::http::header::{CONTENT_TYPE, LOCATION, SET_COOKIE};
use anyfn::http::{Method, StatusCode};
use anyfn::metrics::Unit;
use anyfn::{
    handler_fn, Body, Context, Error, ErrorKind, IntoError, Request, RequestExt, Response,
};

/// The errors of a short-link store: each variant decides its own status.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// No link has this code.
    #[error("no short link `{0}`")]
    Unknown(String),
    /// The code is already in use.
    #[error("the short link `{0}` is taken")]
    Taken(String),
}

impl IntoError for LinkError {
    fn into_error(self) -> Error {
        let (kind, error_type) = match &self {
            Self::Unknown(_) => (ErrorKind::NotFound, "UnknownLink"),
            Self::Taken(_) => (ErrorKind::Conflict, "LinkTaken"),
        };
        Error::from_source(kind, self).with_error_type(error_type)
    }
}

/// Resolves a short link.
///
/// # Errors
///
/// [`LinkError`] for an unknown or a taken code.
pub fn resolve(code: &str) -> Result<Response, LinkError> {
    match code {
        "home" => Ok(anyfn::response::builder()
            .status(StatusCode::FOUND)
            .header(LOCATION, "https://example.com/")
            .body(Body::empty())
            .unwrap_or_default()),
        "taken" => Err(LinkError::Taken(code.to_owned())),
        _ => Err(LinkError::Unknown(code.to_owned())),
    }
}

/// An error of the kind named by its error type, as `/kind/{ErrorType}` answers.
fn error_of_kind(name: &str) -> Error {
    match name {
        "Unauthorized" => Error::unauthorized("no credentials"),
        "Forbidden" => Error::forbidden("read-only key"),
        "NotFound" => Error::not_found("nothing here"),
        "MethodNotAllowed" => Error::method_not_allowed([Method::GET, Method::HEAD]),
        "Conflict" => Error::conflict("already exists"),
        "Unprocessable" => Error::unprocessable("`url` must be absolute"),
        "TooManyRequests" => {
            Error::too_many_requests("slow down").with_retry_after(Duration::from_secs(30))
        }
        "Unavailable" => Error::unavailable("the store is down for maintenance"),
        other => Error::bad_request(format!("no error kind `{other}`")),
    }
}

/// Fails in the way the path asks for.
pub async fn failures(request: Request, context: Context) -> Result<Response, Error> {
    let path = request.uri().path();
    if let Some(code) = path.strip_prefix("/links/") {
        // `?` on the function's own error type in a handler returning
        // `anyfn::Error` would take the blanket `From` (500): convert it
        // through its `IntoError` instead.
        return resolve(code).map_err(IntoError::into_error);
    }
    if let Some(name) = path.strip_prefix("/kind/") {
        return Err(error_of_kind(name));
    }
    match path {
        "/fail" => {
            Err(Error::bad_request("order 17 does not exist").with_error_type("OrderNotFound"))
        }
        "/io" => {
            Err::<(), _>(std::io::Error::other("disk on fire"))?;
            Ok(anyfn::response::text("unreachable"))
        }
        "/boxed" => {
            let upstream: Result<(), Box<dyn std::error::Error + Send + Sync>> =
                Err("the pricing service said no".into());
            upstream.map_err(Error::from_boxed)?;
            Ok(anyfn::response::text("unreachable"))
        }
        "/panic" => panic!("the handler blew up"),
        "/sleep" => {
            let ms: u64 = request.query().get("ms").unwrap_or("0").parse()?;
            runtime::sleep(Duration::from_millis(ms)).await;
            Ok(anyfn::response::text("woke up"))
        }
        "/block" => {
            let ms: u64 = request.query().get("ms").unwrap_or("0").parse()?;
            runtime::block(Duration::from_millis(ms));
            Ok(anyfn::response::text("woke up"))
        }
        "/log" => {
            tracing::info!(path, "a line from the function");
            Ok(anyfn::response::text("logged"))
        }
        "/metrics" => {
            let metrics = context.metrics();
            metrics.dimension("Route", "metrics");
            metrics.count("Orders", 2);
            tracing::info!(path, "a line between two metrics");
            metrics.record("BasketSize", 3.0, Unit::Count);
            metrics.record("BasketSize", 5.0, Unit::Count);
            Ok(anyfn::response::text("measured"))
        }
        "/cookies" => Ok(anyfn::response::builder()
            .header(SET_COOKIE, "session=abc; Path=/; HttpOnly")
            .header(SET_COOKIE, "theme=dark")
            .header("x-repeated", "one")
            .header("x-repeated", "two")
            .header(CONTENT_TYPE, "application/octet-stream")
            .body(Body::from(vec![0u8, 159, 146, 150, 255]))?),
        _ => Ok(anyfn::response::text("ok")),
    }
}

/// What the handler needs of its runtime: tokio's timer and a blocked thread
/// natively; on a Worker (no tokio, no threads) JavaScript's timers and a
/// busy loop holding the isolate.
#[cfg(not(target_family = "wasm"))]
mod runtime {
    use std::time::Duration;

    /// Waits on tokio's timer.
    pub async fn sleep(duration: Duration) {
        tokio::time::sleep(duration).await;
    }

    /// Blocks the thread.
    pub fn block(duration: Duration) {
        std::thread::sleep(duration);
    }
}

#[cfg(target_family = "wasm")]
mod runtime {
    use std::time::Duration;

    pub use anyfn_cloudflare::sleep;

    /// Holds the isolate, as a CPU-bound handler does.
    pub fn block(duration: Duration) {
        let until = anyfn::time::deadline_after(anyfn::time::Instant::now(), duration);
        while anyfn::time::Instant::now() < until {}
    }
}

/// On AWS Lambda the Lambda adapter, anywhere else the local server. (On
/// Cloudflare Workers, `examples/workers/failures` calls the handler above.)
#[cfg(not(target_family = "wasm"))]
#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    anyfn_auto::run(handler_fn(failures)).await
}
