//! How Lambda payloads become events and outputs become payloads:
//! [`FromLambda`] and [`IntoLambda`].

use anyfn::stream::StreamResponse;
use anyfn::{Context, Error, ErrorKind, Json, Request, Response};
use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::EventSource;

/// An event the Lambda adapter can make from an invocation's payload: "this
/// event can come from Lambda".
///
/// Implemented for the portable event types: [`Request`] (from API Gateway
/// REST and HTTP APIs, ALB and Function URLs, detected from the payload),
/// the [`anyfn::event`] types, and [`Json<T>`] (the raw payload). A handler
/// can run on Lambda when its `Event` implements this trait.
///
/// Each adapter's decode has the same shape: the payload and the context
/// in, the portable value out. The decoder puts in the context's extensions
/// the [`EventSource`] the payload came in, as soon as its shape is known,
/// so that the answer (a failure's too) is encoded in that shape; without
/// one, the answer is a raw payload. An event type of your own can
/// implement this trait too, naming its source [`EventSource::Custom`].
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
/// let Json(n) = Json::<u32>::from_lambda(b"42", &mut context)?;
/// assert_eq!(n, 42);
/// assert_eq!(context.extensions().get::<EventSource>(), Some(&EventSource::Raw));
/// # Ok::<(), anyfn::Error>(())
/// ```
pub trait FromLambda: Sized {
    /// Decodes the event, putting the [`EventSource`] it came in (and any
    /// provider details) in the context's extensions.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::BadRequest`] saying which shapes were expected and what
    /// was found.
    fn from_lambda(payload: &[u8], context: &mut Context) -> Result<Self, Error>;

    /// [`from_lambda`](Self::from_lambda) given the payload's shared bytes,
    /// which the adapter calls: an event that can keep parts of the payload
    /// as slices of them, rather than copies, implements this too
    /// ([`Request`] keeps its header values so). The same event, or the
    /// same error, as `from_lambda`.
    ///
    /// # Errors
    ///
    /// As [`from_lambda`](Self::from_lambda).
    fn from_lambda_shared(payload: &Bytes, context: &mut Context) -> Result<Self, Error> {
        Self::from_lambda(payload, context)
    }
}

/// An output the Lambda adapter can answer with, in the shape the event
/// came in: the one answer type every output encodes to, [`LambdaAnswer`].
///
/// # Example
///
/// ```
/// use anyfn::Json;
/// use anyfn_lambda::{EventSource, IntoLambda, LambdaAnswer};
///
/// let answer = Json(vec![1, 2]).into_lambda(EventSource::Raw)?;
/// assert!(matches!(answer, LambdaAnswer::Payload(payload) if payload == "[1,2]"));
/// # Ok::<(), anyfn::Error>(())
/// ```
pub trait IntoLambda: Sized {
    /// Whether this output may answer with a stream
    /// ([`LambdaAnswer::Streamed`]): the adapter then says at start-up
    /// when response streaming is off, as an HTTP answer is gathered then.
    /// `false` unless an implementation says otherwise.
    const MAY_STREAM: bool = false;

    /// Whether every [`LambdaAnswer::Payload`] `into_lambda` returns is JSON
    /// anyfn-lambda serialized itself (with serde_json or its HTTP encoder),
    /// so the adapter posts it as it is instead of parsing it again to check
    /// it. `None` (the default) for any other implementation: its payload is
    /// checked, and one that is not JSON fails the invocation. Only this
    /// crate can make the token, so only its own implementations say so.
    #[doc(hidden)]
    const SERIALIZED: Option<Serialized> = None;

    /// Encodes the output for `source`: a JSON payload, or a stream.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Internal`] when the output cannot be encoded for `source`.
    fn into_lambda(self, source: EventSource) -> Result<LambdaAnswer, Error>;
}

/// The token by which [`IntoLambda::SERIALIZED`] says an implementation's
/// payloads are JSON anyfn-lambda serialized itself; only this crate makes
/// one.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct Serialized(());

/// What [`IntoLambda::SERIALIZED`] is for this crate's own implementations.
pub(crate) const SERIALIZED: Option<Serialized> = Some(Serialized(()));

/// What the Lambda adapter sends for an invocation.
///
/// # Example
///
/// ```
/// use anyfn::Json;
/// use anyfn_lambda::{EventSource, IntoLambda, LambdaAnswer};
///
/// let answer = Json(serde_json::json!({"ok": true})).into_lambda(EventSource::Raw)?;
/// assert!(matches!(&answer, LambdaAnswer::Payload(payload) if payload == r#"{"ok":true}"#));
/// assert_eq!(answer.into_payload().as_deref(), Some(r#"{"ok":true}"#));
/// # Ok::<(), anyfn::Error>(())
/// ```
#[derive(Debug)]
pub enum LambdaAnswer {
    /// A JSON payload, posted whole.
    Payload(String),
    /// A response whose body is streamed: through Lambda's response
    /// streaming for a raw invocation (as lambda_runtime streams), and for
    /// an HTTP source that can stream when it is turned on; else gathered
    /// within Lambda's 6 MB buffered limit.
    Streamed(StreamResponse),
}

impl LambdaAnswer {
    /// The JSON payload, when the answer is one (not a stream).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_lambda::{EventSource, IntoLambda};
    ///
    /// assert_eq!(().into_lambda(EventSource::Raw)?.into_payload().as_deref(), Some("null"));
    /// # Ok::<(), anyfn::Error>(())
    /// ```
    pub fn into_payload(self) -> Option<String> {
        match self {
            Self::Payload(payload) => Some(payload),
            Self::Streamed(_) => None,
        }
    }
}

/// A streamed HTTP response; see [`LambdaAnswer::Streamed`]. A body known
/// at once ([`BodyStream::into_whole`](anyfn::stream::BodyStream::into_whole))
/// answers as a [`Response`] does.
///
/// # Example
///
/// ```
/// use anyfn_lambda::{EventSource, IntoLambda, LambdaAnswer};
///
/// let (_sender, body) = anyfn::stream::channel(1);
/// let response = anyfn::stream::response(body);
/// let answer = response.into_lambda(EventSource::FunctionUrl)?;
/// assert!(matches!(answer, LambdaAnswer::Streamed(_)));
///
/// // Bytes known at once answer whole.
/// let response = anyfn::stream::response(anyfn::stream::BodyStream::from("hi"));
/// let answer = response.into_lambda(EventSource::FunctionUrl)?;
/// assert!(matches!(answer, LambdaAnswer::Payload(_)));
/// # Ok::<(), anyfn::Error>(())
/// ```
impl IntoLambda for StreamResponse {
    const MAY_STREAM: bool = true;
    const SERIALIZED: Option<Serialized> = SERIALIZED;

    fn into_lambda(self, source: EventSource) -> Result<LambdaAnswer, Error> {
        match anyfn::stream::into_whole(self) {
            Ok(whole) => whole.into_lambda(source),
            Err(streamed) => Ok(LambdaAnswer::Streamed(streamed)),
        }
    }
}

impl<T: DeserializeOwned> FromLambda for Json<T> {
    fn from_lambda(payload: &[u8], context: &mut Context) -> Result<Self, Error> {
        context.extensions_mut().insert(EventSource::Raw);
        serde_json::from_slice(payload).map(Json).map_err(|source| {
            Error::with_source(
                ErrorKind::BadRequest,
                "the payload is not valid JSON for this event",
                source,
            )
        })
    }
}

impl<T: Serialize> IntoLambda for Json<T> {
    const SERIALIZED: Option<Serialized> = SERIALIZED;

    fn into_lambda(self, _source: EventSource) -> Result<LambdaAnswer, Error> {
        serde_json::to_string(&self.0)
            .map(LambdaAnswer::Payload)
            .map_err(|source| {
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
/// assert_eq!(().into_lambda(EventSource::Raw)?.into_payload().as_deref(), Some("null"));
/// let http = ().into_lambda(EventSource::FunctionUrl)?.into_payload().unwrap_or_default();
/// assert!(http.contains(r#""statusCode":204"#));
/// # Ok::<(), anyfn::Error>(())
/// ```
impl IntoLambda for () {
    const SERIALIZED: Option<Serialized> = SERIALIZED;

    fn into_lambda(self, source: EventSource) -> Result<LambdaAnswer, Error> {
        if source.is_http() {
            crate::http::encode(
                anyfn::response::status(anyfn::http::StatusCode::NO_CONTENT),
                source,
            )
            .map(LambdaAnswer::Payload)
        } else {
            Ok(LambdaAnswer::Payload("null".to_owned()))
        }
    }
}

impl FromLambda for Request {
    fn from_lambda(payload: &[u8], context: &mut Context) -> Result<Self, Error> {
        crate::http::decode(payload, context).map(|(request, _source)| request)
    }

    fn from_lambda_shared(payload: &Bytes, context: &mut Context) -> Result<Self, Error> {
        crate::http::decode_shared(payload, Some(payload), context)
            .map(|(request, _source)| request)
    }
}

impl IntoLambda for Response {
    const SERIALIZED: Option<Serialized> = SERIALIZED;

    fn into_lambda(self, source: EventSource) -> Result<LambdaAnswer, Error> {
        crate::http::encode(self, source).map(LambdaAnswer::Payload)
    }
}
