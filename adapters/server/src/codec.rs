//! How HTTP requests become events and outputs become responses:
//! [`FromRequest`] and [`IntoResponse`].

use anyfn::http::StatusCode;
use anyfn::{Error, Json, Request, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// An event the local server can make from an HTTP request.
///
/// Implemented for the portable event types: [`Request`] (the request as it
/// came) and [`Json<T>`] (the request body parsed as JSON). A handler can be
/// served when its `Event` implements this trait.
///
/// # Example
///
/// ```
/// use anyfn::{Body, Json, Request};
/// use anyfn_server::FromRequest;
///
/// let request = Request::new(Body::from(r#"{"name":"Ada"}"#));
/// let Json(value) = Json::<serde_json::Value>::from_request(request)?;
/// assert_eq!(value["name"], "Ada");
/// # Ok::<(), anyfn::Error>(())
/// ```
pub trait FromRequest: Sized {
    /// Makes the event.
    ///
    /// # Errors
    ///
    /// An error saying what was wrong with the request, usually
    /// [`ErrorKind::BadRequest`](anyfn::ErrorKind::BadRequest).
    fn from_request(request: Request) -> Result<Self, Error>;
}

impl FromRequest for Request {
    fn from_request(request: Request) -> Result<Self, Error> {
        Ok(request)
    }
}

impl<T: DeserializeOwned> FromRequest for Json<T> {
    fn from_request(request: Request) -> Result<Self, Error> {
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
/// use anyfn_server::IntoResponse;
///
/// let response = Json(serde_json::json!({"greeting": "Hello, Ada!"})).into_response()?;
/// assert_eq!(response.headers()["content-type"], "application/json");
/// # Ok::<(), anyfn::Error>(())
/// ```
pub trait IntoResponse {
    /// Makes the response.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Internal`](anyfn::ErrorKind::Internal) when the output
    /// cannot be encoded.
    fn into_response(self) -> Result<Response, Error>;
}

impl IntoResponse for Response {
    fn into_response(self) -> Result<Response, Error> {
        Ok(self)
    }
}

/// No output: `204 No Content`, as on every adapter.
///
/// # Example
///
/// ```
/// use anyfn_server::IntoResponse;
///
/// let response = ().into_response()?;
/// assert_eq!(response.status(), 204);
/// assert!(response.body().is_empty());
/// # Ok::<(), anyfn::Error>(())
/// ```
impl IntoResponse for () {
    fn into_response(self) -> Result<Response, Error> {
        Ok(anyfn::response::status(StatusCode::NO_CONTENT))
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Result<Response, Error> {
        anyfn::response::json(&self.0)
    }
}
