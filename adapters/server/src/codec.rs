//! How HTTP requests become events and outputs become responses:
//! [`FromHttp`] and [`IntoHttp`].

use anyfn::http::StatusCode;
use anyfn::stream::StreamResponse;
use anyfn::{Context, Error, Json, Request, Response};
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
/// Each adapter's decode has the same shape: the payload (here the
/// request) and the context in, the portable value out; a decoder may put
/// provider details in the context's extensions.
///
/// # Example
///
/// ```
/// use anyfn::{Body, Context, Json};
/// use anyfn_server::FromHttp;
///
/// let request = anyfn::http::Request::post("/")
///     .header("content-type", "application/json")
///     .body(Body::from(r#"{"name":"Ada"}"#))?;
/// let Json(value) = Json::<serde_json::Value>::from_http(request, &mut Context::builder().build())?;
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
    fn from_http(request: Request, context: &mut Context) -> Result<Self, Error>;
}

impl FromHttp for Request {
    fn from_http(request: Request, _context: &mut Context) -> Result<Self, Error> {
        Ok(request)
    }
}

/// A `POST` whose body is declared as JSON (`application/json`, any
/// `+json`), parsed; `405` for another method, `415` for another body
/// ([`require_json_post`](anyfn_kit::require_json_post)).
impl<T: DeserializeOwned> FromHttp for Json<T> {
    fn from_http(request: Request, _context: &mut Context) -> Result<Self, Error> {
        anyfn_kit::require_json_post(&request)?;
        request.body().json().map(Json)
    }
}

/// What the server answers with: a whole response, or one streamed chunk by
/// chunk (with chunked encoding, as the chunks come).
///
/// # Example
///
/// ```
/// use anyfn_server::{HttpAnswer, IntoHttp};
///
/// let whole = anyfn::response::text("Hello!").into_http()?;
/// assert!(matches!(whole, HttpAnswer::Whole(_)));
///
/// // A body whose chunks are still to come is streamed.
/// let (_sender, body) = anyfn::stream::channel(1);
/// let streamed = anyfn::stream::response(body).into_http()?;
/// assert!(matches!(streamed, HttpAnswer::Streamed(_)));
/// # Ok::<(), anyfn::Error>(())
/// ```
#[derive(Debug)]
pub enum HttpAnswer {
    /// A response sent whole, with its `Content-Length`.
    Whole(Response),
    /// A response whose body is sent chunk by chunk.
    Streamed(StreamResponse),
}

impl HttpAnswer {
    /// The status.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::http::StatusCode;
    /// use anyfn_server::HttpAnswer;
    ///
    /// let answer = HttpAnswer::from(anyfn::response::status(StatusCode::NOT_FOUND));
    /// assert_eq!(answer.status(), StatusCode::NOT_FOUND);
    /// ```
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Whole(response) => response.status(),
            Self::Streamed(response) => response.status(),
        }
    }

    /// The headers.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_server::HttpAnswer;
    ///
    /// let answer = HttpAnswer::from(anyfn::response::text("Hello!"));
    /// assert_eq!(answer.headers()["content-type"], "text/plain; charset=utf-8");
    /// ```
    pub fn headers(&self) -> &anyfn::http::HeaderMap {
        match self {
            Self::Whole(response) => response.headers(),
            Self::Streamed(response) => response.headers(),
        }
    }

    /// The response sent whole, if it is one.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_server::HttpAnswer;
    ///
    /// let whole = HttpAnswer::from(anyfn::response::text("Hello!")).into_whole();
    /// assert_eq!(whole.map(|response| response.into_body()), Some("Hello!".into()));
    ///
    /// let (_sender, body) = anyfn::stream::channel(1);
    /// assert!(HttpAnswer::from(anyfn::stream::response(body)).into_whole().is_none());
    /// ```
    pub fn into_whole(self) -> Option<Response> {
        match self {
            Self::Whole(response) => Some(response),
            Self::Streamed(_) => None,
        }
    }
}

impl From<Response> for HttpAnswer {
    fn from(response: Response) -> Self {
        Self::Whole(response)
    }
}

impl From<StreamResponse> for HttpAnswer {
    fn from(response: StreamResponse) -> Self {
        Self::Streamed(response)
    }
}

/// An output the local server can answer with.
///
/// Implemented for [`Response`] (sent as it is), [`StreamResponse`] (sent
/// chunk by chunk), [`Json<T>`] (a `200` with an `application/json` body)
/// and `()` (`204 No Content`).
///
/// # Example
///
/// ```
/// use anyfn::Json;
/// use anyfn_server::IntoHttp;
///
/// let answer = Json(serde_json::json!({"greeting": "Hello, Ada!"})).into_http()?;
/// assert_eq!(answer.headers()["content-type"], "application/json");
/// # Ok::<(), anyfn::Error>(())
/// ```
pub trait IntoHttp {
    /// Makes the answer.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Internal`](anyfn::ErrorKind::Internal) when the output
    /// cannot be encoded.
    fn into_http(self) -> Result<HttpAnswer, Error>;
}

impl IntoHttp for Response {
    #[inline(always)]
    fn into_http(self) -> Result<HttpAnswer, Error> {
        Ok(HttpAnswer::Whole(self))
    }
}

/// An answer already made: what a handler that encodes its own output (a
/// dispatcher to several functions of different output types) returns.
impl IntoHttp for HttpAnswer {
    fn into_http(self) -> Result<HttpAnswer, Error> {
        Ok(self)
    }
}

/// Streamed with chunked encoding; a body known at once
/// ([`BodyStream::into_whole`](anyfn::stream::BodyStream::into_whole)) is
/// sent whole, with its length.
impl IntoHttp for StreamResponse {
    // Inlined, as `Response`'s: called, the response was moved into the
    // `Result` returned and out again (`benches/axum_vs_anyfn_server.sh`).
    #[inline(always)]
    fn into_http(self) -> Result<HttpAnswer, Error> {
        Ok(match anyfn::stream::into_whole(self) {
            Ok(whole) => HttpAnswer::Whole(whole),
            Err(streamed) => HttpAnswer::Streamed(streamed),
        })
    }
}

/// No output: `204 No Content`, as on every adapter.
///
/// # Example
///
/// ```
/// use anyfn_server::IntoHttp;
///
/// let answer = ().into_http()?;
/// assert_eq!(answer.status(), 204);
/// assert!(answer.into_whole().is_some_and(|response| response.body().is_empty()));
/// # Ok::<(), anyfn::Error>(())
/// ```
impl IntoHttp for () {
    fn into_http(self) -> Result<HttpAnswer, Error> {
        Ok(anyfn::response::status(StatusCode::NO_CONTENT).into())
    }
}

impl<T: Serialize> IntoHttp for Json<T> {
    fn into_http(self) -> Result<HttpAnswer, Error> {
        anyfn::response::json(&self.0).map(HttpAnswer::Whole)
    }
}
