#![warn(clippy::missing_errors_doc, clippy::missing_panics_doc)]
#![doc = include_str!("docs/crate.md")]
#![doc = include_str!("docs/failures.md")]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

mod base64;
mod body;
mod context;
pub mod error;
pub mod event;
mod extensions;
mod handler;
mod json;
mod media_type;
pub mod metrics;
mod params;
mod query;
mod request;
pub mod response;
mod stage;
pub mod stream;
pub mod time;

pub use async_trait::async_trait;
pub use http;

pub use body::Body;
pub use context::{Context, ContextBuilder, Platform, DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT};
pub use error::{Error, ErrorDetails, ErrorKind, IntoError};
pub use extensions::Extensions;
pub use handler::{handler_fn, Handler, HandlerFn};
pub use json::Json;
pub use media_type::MediaType;
pub use params::{NamedKind, NamedValues, PathParam, PathParams, StageVariable, StageVariables};
pub use query::Query;
pub use request::RequestExt;
pub use stage::Stage;

/// An HTTP request as a handler sees it, on every runtime.
///
/// # Example
///
/// ```
/// use anyfn::{Body, Request};
///
/// let request: Request = anyfn::http::Request::post("/orders")
///     .header("content-type", "application/json")
///     .body(Body::from(r#"{"id":7}"#))?;
/// assert_eq!(request.method(), "POST");
/// assert_eq!(request.body().text()?, r#"{"id":7}"#);
/// # Ok::<(), anyfn::Error>(())
/// ```
pub type Request = http::Request<Body>;

/// An HTTP response as a handler answers, on every runtime.
///
/// # Example
///
/// ```
/// use anyfn::{Body, Response};
///
/// let response: Response = anyfn::http::Response::builder()
///     .status(201)
///     .body(Body::from("created"))?;
/// assert_eq!(response.status(), 201);
/// assert_eq!(response.body().text()?, "created");
/// # Ok::<(), anyfn::Error>(())
/// ```
pub type Response = http::Response<Body>;

/// The README's Rust blocks, compiled and run as doc tests, so that the
/// first code a user reads keeps working (blocks marked `ignore` are the
/// ones that need a platform or serve forever).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExamples;
