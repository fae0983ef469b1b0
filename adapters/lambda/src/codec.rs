//! How Lambda payloads become events and outputs become payloads:
//! [`FromLambda`] and [`IntoLambda`].

use anyfn::stream::StreamResponse;
use anyfn::{Context, Error, ErrorKind, Json, Request, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::EventSource;

/// An event the Lambda adapter can make from an invocation's payload: "this
/// event can come from Lambda".
///
/// Implemented for the portable event types: [`Request`] (from API Gateway
/// REST and HTTP APIs, ALB and Function URLs, detected from the payload),
/// the [`anyfn::event`] types, and [`Json<T>`] (the raw payload). A handler
/// can run on Lambda when its `Event` implements this trait. An event type of
/// your own can implement it too, naming its source
/// [`EventSource::Custom`].
///
/// Each adapter names its pair of traits after itself: `FromLambda` and
/// [`IntoLambda`] here, `anyfn_server`'s `FromHttp` and `IntoHttp`, so that
/// neither collides with another crate's (axum's `FromRequest` and
/// `IntoResponse`, lambda_runtime's `LambdaEvent` and
/// `IntoFunctionResponse`).
///
/// # Example
///
/// ```
/// use anyfn::{Context, Json};
/// use anyfn_lambda::{EventSource, FromLambda};
///
/// let mut context = Context::builder().build();
/// let (Json(n), source) = Json::<u32>::from_lambda(b"42", &mut context)?;
/// assert_eq!((n, source), (42, EventSource::Raw));
/// # Ok::<(), anyfn::Error>(())
/// ```
pub trait FromLambda: Sized {
    /// Decodes the event and says which shape it came in. Decoders may add
    /// provider details to the context's extensions.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::BadRequest`] saying which shapes were expected and what
    /// was found.
    fn from_lambda(payload: &[u8], context: &mut Context) -> Result<(Self, EventSource), Error>;
}

/// An output the Lambda adapter can encode as the invocation's response
/// payload, in the shape the event came in.
///
/// # Example
///
/// ```
/// use anyfn::Json;
/// use anyfn_lambda::{EventSource, IntoLambda};
///
/// let payload = Json(vec![1, 2]).into_lambda(EventSource::Raw)?;
/// assert_eq!(payload, "[1,2]");
/// # Ok::<(), anyfn::Error>(())
/// ```
pub trait IntoLambda: Sized {
    /// Encodes the output as JSON for `source`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Internal`] when the output cannot be encoded for `source`.
    fn into_lambda(self, source: EventSource) -> Result<String, Error>;

    /// The answer the adapter sends: the JSON payload of
    /// [`into_lambda`](Self::into_lambda), or, for a streamed output, the
    /// stream. Only [`StreamResponse`] overrides it.
    ///
    /// # Errors
    ///
    /// As [`into_lambda`](Self::into_lambda).
    fn into_lambda_answer(self, source: EventSource) -> Result<LambdaAnswer, Error> {
        self.into_lambda(source).map(LambdaAnswer::Payload)
    }
}

/// What the Lambda adapter sends for an invocation.
#[derive(Debug)]
pub enum LambdaAnswer {
    /// A JSON payload, posted whole.
    Payload(String),
    /// An HTTP response whose body is streamed: through Lambda's response
    /// streaming where the source can stream and it is turned on, else
    /// gathered within Lambda's 6 MB buffered limit.
    Streamed(StreamResponse),
}

/// A streamed HTTP response; see [`LambdaAnswer::Streamed`].
///
/// # Example
///
/// ```
/// use anyfn_lambda::{EventSource, IntoLambda, LambdaAnswer};
///
/// let (_sender, body) = anyfn::stream::channel(1);
/// let response = anyfn::stream::response(body);
/// let answer = response.into_lambda_answer(EventSource::FunctionUrl)?;
/// assert!(matches!(answer, LambdaAnswer::Streamed(_)));
///
/// // Bytes known at once answer whole.
/// let response = anyfn::stream::response(anyfn::stream::BodyStream::from("hi"));
/// let answer = response.into_lambda_answer(EventSource::FunctionUrl)?;
/// assert!(matches!(answer, LambdaAnswer::Payload(_)));
/// # Ok::<(), anyfn::Error>(())
/// ```
impl IntoLambda for StreamResponse {
    /// A stream cannot be encoded at once: the adapter sends it through
    /// [`into_lambda_answer`](IntoLambda::into_lambda_answer); this says so.
    fn into_lambda(self, _source: EventSource) -> Result<String, Error> {
        Err(Error::new(
            ErrorKind::Internal,
            "a streamed response is sent with into_lambda_answer, not encoded at once",
        ))
    }

    /// A body known at once ([`BodyStream::into_whole`](anyfn::stream::BodyStream::into_whole))
    /// answers as a [`Response`] does.
    fn into_lambda_answer(self, source: EventSource) -> Result<LambdaAnswer, Error> {
        match anyfn::stream::into_whole(self) {
            Ok(whole) => whole.into_lambda_answer(source),
            Err(streamed) => Ok(LambdaAnswer::Streamed(streamed)),
        }
    }
}

impl<T: DeserializeOwned> FromLambda for Json<T> {
    fn from_lambda(payload: &[u8], _context: &mut Context) -> Result<(Self, EventSource), Error> {
        serde_json::from_slice(payload)
            .map(|value| (Json(value), EventSource::Raw))
            .map_err(|source| {
                Error::with_source(
                    ErrorKind::BadRequest,
                    "the payload is not valid JSON for this event",
                    source,
                )
            })
    }
}

impl<T: Serialize> IntoLambda for Json<T> {
    fn into_lambda(self, _source: EventSource) -> Result<String, Error> {
        serde_json::to_string(&self.0).map_err(|source| {
            Error::with_source(
                ErrorKind::Internal,
                "could not serialize the output as JSON",
                source,
            )
        })
    }
}

/// No output: `null` for a raw payload, `204 No Content` for an HTTP event.
///
/// # Example
///
/// ```
/// use anyfn_lambda::{EventSource, IntoLambda};
///
/// assert_eq!(().into_lambda(EventSource::Raw)?, "null");
/// let http = ().into_lambda(EventSource::FunctionUrl)?;
/// assert!(http.contains(r#""statusCode":204"#));
/// # Ok::<(), anyfn::Error>(())
/// ```
impl IntoLambda for () {
    fn into_lambda(self, source: EventSource) -> Result<String, Error> {
        if source.is_http() {
            crate::http::encode(
                anyfn::response::status(anyfn::http::StatusCode::NO_CONTENT),
                source,
            )
        } else {
            Ok("null".to_owned())
        }
    }
}

impl FromLambda for Request {
    fn from_lambda(payload: &[u8], context: &mut Context) -> Result<(Self, EventSource), Error> {
        crate::http::decode(payload, context)
    }
}

impl IntoLambda for Response {
    fn into_lambda(self, source: EventSource) -> Result<String, Error> {
        crate::http::encode(self, source)
    }
}
