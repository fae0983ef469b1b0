//! How HTTP requests become events and outputs become responses:
//! [`FromRequest`] and [`IntoResponse`].

use anyfn::http::header::{HeaderValue, CONTENT_TYPE};
use anyfn::{Body, Error, Json, Request, Response};
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
/// Implemented for [`Response`] (sent as it is) and [`Json<T>`] (a `200` with
/// an `application/json` body).
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

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Result<Response, Error> {
        anyfn::response::json(&self.0)
    }
}

/// The response for a failed invocation: the error kind's status and a JSON
/// body `{"errorType": …, "errorMessage": …}`, as Lambda reports errors.
///
/// # Example
///
/// ```
/// let response = anyfn_server::error_response(&anyfn::Error::bad_request("missing `name`"));
/// assert_eq!(response.status(), 400);
/// assert_eq!(
///     response.body().as_bytes(),
///     br#"{"errorType":"BadRequest","errorMessage":"missing `name`"}"#
/// );
/// ```
pub fn error_response(error: &Error) -> Response {
    let document = ErrorDocument {
        error_type: error.error_type(),
        error_message: error.message(),
    };
    let body = serde_json::to_vec(&document)
        .map(Body::from)
        .unwrap_or_default();
    let mut response = Response::new(body);
    *response.status_mut() = error.status();
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// The JSON body of an error response, shaped like Lambda's error document.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ErrorDocument<'a> {
    error_type: &'a str,
    error_message: &'a str,
}
