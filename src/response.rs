//! Building an HTTP response in one call: [`text`], [`json`], [`status`].

use http::header::{HeaderValue, CONTENT_TYPE};
use http::StatusCode;
use serde::Serialize;

use crate::{Body, Error, Response};

/// A `200 OK` response with a `text/plain; charset=utf-8` body.
///
/// # Example
///
/// ```
/// let response = anyfn::response::text("Hello, Ada!");
/// assert_eq!(response.status(), 200);
/// assert_eq!(response.headers()["content-type"], "text/plain; charset=utf-8");
/// assert_eq!(response.body().as_bytes(), b"Hello, Ada!");
/// ```
pub fn text(body: impl Into<String>) -> Response {
    with_content_type(
        Body::from(body.into()),
        HeaderValue::from_static("text/plain; charset=utf-8"),
    )
}

/// A `200 OK` response with `value` as an `application/json` body.
///
/// # Errors
///
/// [`ErrorKind::Internal`](crate::ErrorKind::Internal) when `value` cannot be
/// serialized.
///
/// # Example
///
/// ```
/// let response = anyfn::response::json(&serde_json::json!({"id": 7}))?;
/// assert_eq!(response.headers()["content-type"], "application/json");
/// assert_eq!(response.body().as_bytes(), br#"{"id":7}"#);
/// # Ok::<(), anyfn::Error>(())
/// ```
pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<Response, Error> {
    Ok(with_content_type(
        Body::from_json(value)?,
        HeaderValue::from_static("application/json"),
    ))
}

/// An empty response with `status`.
///
/// # Example
///
/// ```
/// let response = anyfn::response::status(anyfn::http::StatusCode::NO_CONTENT);
/// assert_eq!(response.status(), 204);
/// assert!(response.body().is_empty());
/// ```
pub fn status(status: StatusCode) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    response
}

fn with_content_type(body: Body, content_type: HeaderValue) -> Response {
    let mut response = Response::new(body);
    response.headers_mut().insert(CONTENT_TYPE, content_type);
    response
}

/// A response builder, for status, headers and body in one expression
/// (`Response::builder()` is not available through the [`Response`] alias).
///
/// # Example
///
/// ```
/// use anyfn::Body;
///
/// let response = anyfn::response::builder()
///     .status(201)
///     .header("set-cookie", "a=1")
///     .header("set-cookie", "b=2")
///     .body(Body::from("created"))?;
/// assert_eq!(response.headers().get_all("set-cookie").iter().count(), 2);
/// # Ok::<(), anyfn::http::Error>(())
/// ```
pub fn builder() -> http::response::Builder {
    http::Response::builder()
}
