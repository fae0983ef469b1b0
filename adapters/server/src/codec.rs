//! How HTTP requests become events and outputs become responses:
//! [`FromHttp`] and [`IntoHttp`].

use anyfn::http::StatusCode;
use anyfn::{Error, Json, Request, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// An event the local server can make from an HTTP request: "this event can
/// be served over HTTP".
///
/// Implemented for the portable event types: [`Request`] (the request as it
/// came), the [`anyfn::event`] types (from CloudEvents or a JSON POST) and
/// [`Json<T>`] (the request body parsed as JSON). A handler can be served
/// when its `Event` implements this trait.
///
/// Each adapter names its pair of traits after what it speaks: `FromHttp`
/// and [`IntoHttp`] here, `anyfn_lambda`'s `FromLambda` and `IntoLambda`,
/// so that neither collides with another crate's: axum's `FromRequest` and
/// `IntoResponse` are extractors and responders with other signatures, and a
/// program may use both.
///
/// # Example
///
/// ```
/// use anyfn::{Body, Json, Request};
/// use anyfn_server::FromHttp;
///
/// let request = Request::new(Body::from(r#"{"name":"Ada"}"#));
/// let Json(value) = Json::<serde_json::Value>::from_http(request)?;
/// assert_eq!(value["name"], "Ada");
/// # Ok::<(), anyfn::Error>(())
/// ```
pub trait FromHttp: Sized {
    /// Makes the event.
    ///
    /// # Errors
    ///
    /// An error saying what was wrong with the request, usually
    /// [`ErrorKind::BadRequest`](anyfn::ErrorKind::BadRequest).
    fn from_http(request: Request) -> Result<Self, Error>;
}

impl FromHttp for Request {
    fn from_http(request: Request) -> Result<Self, Error> {
        Ok(request)
    }
}

impl<T: DeserializeOwned> FromHttp for Json<T> {
    fn from_http(request: Request) -> Result<Self, Error> {
        request.body().json().map(Json)
    }
}

/// An output the local server can answer with.
///
/// Implemented for [`Response`] (sent as it is), [`Json<T>`] (a `200` with
/// an `application/json` body) and `()` (`204 No Content`).
///
/// # Example
///
/// ```
/// use anyfn::Json;
/// use anyfn_server::IntoHttp;
///
/// let response = Json(serde_json::json!({"greeting": "Hello, Ada!"})).into_http()?;
/// assert_eq!(response.headers()["content-type"], "application/json");
/// # Ok::<(), anyfn::Error>(())
/// ```
pub trait IntoHttp {
    /// Makes the response.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Internal`](anyfn::ErrorKind::Internal) when the output
    /// cannot be encoded.
    fn into_http(self) -> Result<Response, Error>;
}

impl IntoHttp for Response {
    fn into_http(self) -> Result<Response, Error> {
        Ok(self)
    }
}

/// No output: `204 No Content`, as on every adapter.
///
/// # Example
///
/// ```
/// use anyfn_server::IntoHttp;
///
/// let response = ().into_http()?;
/// assert_eq!(response.status(), 204);
/// assert!(response.body().is_empty());
/// # Ok::<(), anyfn::Error>(())
/// ```
impl IntoHttp for () {
    fn into_http(self) -> Result<Response, Error> {
        Ok(anyfn::response::status(StatusCode::NO_CONTENT))
    }
}

impl<T: Serialize> IntoHttp for Json<T> {
    fn into_http(self) -> Result<Response, Error> {
        anyfn::response::json(&self.0)
    }
}
