//! How an invocation becomes an event and an output becomes the answer:
//! [`FromAzure`] and [`IntoAzure`], and what they read and make
//! ([`AzureInput`], [`AzureTrigger`], [`AzureAnswer`]).

use anyfn::stream::StreamResponse;
use anyfn::{Context, Error, Json, Request, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::lenient;
use crate::trigger::AzureTrigger;

/// What the Functions host sent for one invocation.
///
/// # Example
///
/// ```
/// use anyfn::{Context, Json};
/// use anyfn_azure::{AzureInput, AzureTrigger, FromAzure};
/// use serde_json::json;
///
/// let input = AzureInput::Envelope(AzureTrigger::new("myQueueItem", json!("hello")));
/// assert!(matches!(&input, AzureInput::Envelope(trigger) if trigger.binding() == "myQueueItem"));
/// let Json(text) = Json::<String>::from_azure(input, &mut Context::builder().build())?;
/// assert_eq!(text, "hello");
/// # Ok::<(), anyfn::Error>(())
/// ```
#[derive(Debug)]
#[non_exhaustive]
// One per invocation, moved once into the decoder: boxing the request
// would cost an allocation for nothing.
#[allow(clippy::large_enum_variant)]
pub enum AzureInput {
    /// The host's JSON envelope (every trigger, and HTTP triggers unless
    /// forwarding or proxying is on): the trigger's value and its metadata.
    Envelope(AzureTrigger),
    /// The original HTTP request, at its own path (forwarding and proxying
    /// modes).
    Http(Request),
}

/// An event that can be made from an Azure Functions invocation: "this
/// event can be served by a custom handler".
///
/// Implemented for [`Request`] (an HTTP trigger), the [`anyfn::event`]
/// types (queue and Service Bus messages, blobs, timers, Event Grid events)
/// and [`Json<T>`] (the trigger's value). A decoder may add what only Azure
/// knows to the context's extensions.
///
/// # Example
///
/// ```
/// use anyfn::{Context, Json};
/// use anyfn_azure::{AzureInput, AzureTrigger, FromAzure};
/// use serde_json::json;
///
/// let input = AzureInput::Envelope(AzureTrigger::new("order", json!({"id": 7})));
/// let Json(order) = Json::<serde_json::Value>::from_azure(input, &mut Context::builder().build())?;
/// assert_eq!(order["id"], 7);
/// # Ok::<(), anyfn::Error>(())
/// ```
pub trait FromAzure: Sized {
    /// Makes the event.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::BadRequest`](anyfn::ErrorKind::BadRequest) saying what
    /// was wrong or missing.
    fn from_azure(input: AzureInput, context: &mut Context) -> Result<Self, Error>;
}

/// What a function answers, before the adapter writes it for the host.
///
/// # Example
///
/// ```
/// use anyfn::Json;
/// use anyfn_azure::{AzureAnswer, IntoAzure};
///
/// assert!(matches!(().into_azure()?, AzureAnswer::Empty));
/// let answer = Json(vec![1, 2]).into_azure()?;
/// assert!(matches!(answer, AzureAnswer::Value(value) if value == serde_json::json!([1, 2])));
/// assert!(matches!(anyfn::response::text("hi").into_azure()?, AzureAnswer::Http(_)));
/// # Ok::<(), anyfn::Error>(())
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum AzureAnswer {
    /// Nothing: `204 No Content` for an HTTP trigger, success otherwise.
    Empty,
    /// An HTTP response, sent whole.
    Http(Response),
    /// An HTTP response sent chunk by chunk (proxying and forwarding modes);
    /// gathered into the envelope otherwise.
    Streamed(StreamResponse),
    /// A value: the envelope's `ReturnValue` (the `$return` output binding),
    /// or a `200` JSON response for an HTTP trigger.
    Value(Value),
}

/// An output a custom handler can answer with.
///
/// Implemented for [`Response`], [`StreamResponse`], [`Json<T>`], `()`, and
/// [`BatchResult`](anyfn::event::BatchResult) (a failed message is a failed
/// invocation, which the host retries).
///
/// # Example
///
/// ```
/// use anyfn::Json;
/// use anyfn_azure::{AzureAnswer, IntoAzure};
///
/// let answer = Json(serde_json::json!({"ok": true})).into_azure()?;
/// assert!(matches!(answer, AzureAnswer::Value(value) if value["ok"] == true));
/// # Ok::<(), anyfn::Error>(())
/// ```
pub trait IntoAzure {
    /// Makes the answer.
    ///
    /// # Errors
    ///
    /// An error when the output cannot be encoded, or (for a
    /// [`BatchResult`](anyfn::event::BatchResult) with failures) when the
    /// invocation must fail so that the host delivers the message again.
    fn into_azure(self) -> Result<AzureAnswer, Error>;
}

impl FromAzure for Request {
    fn from_azure(input: AzureInput, _context: &mut Context) -> Result<Self, Error> {
        match input {
            AzureInput::Http(request) => Ok(request),
            AzureInput::Envelope(trigger) => crate::http::decode(&trigger),
        }
    }
}

impl<T: DeserializeOwned> FromAzure for Json<T> {
    fn from_azure(input: AzureInput, _context: &mut Context) -> Result<Self, Error> {
        // An HTTP request, forwarded or an HTTP trigger's value in the
        // envelope: a POST whose body is declared as JSON, parsed, as on the
        // local server (405 for another method, 415 for another body).
        let json_post = |request: anyfn::Request| {
            anyfn_kit::require_json_post(&request)?;
            request.body().json().map(Json)
        };
        match input {
            AzureInput::Http(request) => json_post(request),
            AzureInput::Envelope(trigger) if trigger.is_http() => {
                json_post(crate::http::decode(&trigger)?)
            }
            AzureInput::Envelope(trigger) => json_value(&trigger).map(Json),
        }
    }
}

/// A binding value as `T`: as it came, else the JSON inside a (double-)
/// encoded string, else the string's text.
fn json_value<T: DeserializeOwned>(trigger: &AzureTrigger) -> Result<T, Error> {
    // Anything but a string is read straight from the host's text.
    if !trigger.raw_value().starts_with('"') {
        if let Ok(parsed) = serde_json::from_str::<T>(trigger.raw_value()) {
            return Ok(parsed);
        }
    }
    let value = trigger.value();
    // A string the host encoded twice is taken out of its quotes first.
    let value = match value {
        Value::String(text) => match lenient::unquote(text) {
            std::borrow::Cow::Owned(inner) => Value::String(inner),
            std::borrow::Cow::Borrowed(_) => value.clone(),
        },
        _ => value.clone(),
    };
    let first = match serde_json::from_value::<T>(value.clone()) {
        Ok(parsed) => return Ok(parsed),
        Err(err) => err,
    };
    if let Value::String(text) = &value {
        if let Ok(parsed) = serde_json::from_str::<T>(text.trim()) {
            return Ok(parsed);
        }
    }
    // serde's message quotes the value it could not take, whole.
    Err(Error::bad_request(format!(
        "the trigger's value is not the JSON the function takes: {}",
        anyfn::error::shortened(&first.to_string())
    )))
}

impl IntoAzure for Response {
    fn into_azure(self) -> Result<AzureAnswer, Error> {
        Ok(AzureAnswer::Http(self))
    }
}

/// A body known at once ([`BodyStream::into_whole`](anyfn::stream::BodyStream::into_whole))
/// answers as a [`Response`] does.
impl IntoAzure for StreamResponse {
    fn into_azure(self) -> Result<AzureAnswer, Error> {
        Ok(match anyfn::stream::into_whole(self) {
            Ok(whole) => AzureAnswer::Http(whole),
            Err(streamed) => AzureAnswer::Streamed(streamed),
        })
    }
}

/// An answer already made: what a dispatcher to functions of several
/// output types returns.
impl IntoAzure for AzureAnswer {
    fn into_azure(self) -> Result<AzureAnswer, Error> {
        Ok(self)
    }
}

/// No output: `204 No Content` for an HTTP trigger, success otherwise.
impl IntoAzure for () {
    fn into_azure(self) -> Result<AzureAnswer, Error> {
        Ok(AzureAnswer::Empty)
    }
}

/// A CloudEvent answers in the JSON event format, as the invocation's
/// `ReturnValue` (what the server sends in structured mode).
impl IntoAzure for anyfn::event::CloudEvent {
    fn into_azure(self) -> Result<AzureAnswer, Error> {
        Ok(AzureAnswer::Value(self.to_json_value()))
    }
}

impl<T: Serialize> IntoAzure for Json<T> {
    fn into_azure(self) -> Result<AzureAnswer, Error> {
        serde_json::to_value(&self.0)
            .map(AzureAnswer::Value)
            .map_err(|err| {
                Error::with_source(
                    anyfn::ErrorKind::Internal,
                    "the output could not be encoded as JSON",
                    err,
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn decode<T: DeserializeOwned>(value: Value) -> Result<T, Error> {
        let input = AzureInput::Envelope(AzureTrigger::new("in", value));
        Json::<T>::from_azure(input, &mut Context::builder().build()).map(|Json(value)| value)
    }

    /// A trigger made by code (not walked from the host's text) is an HTTP
    /// request by its value's shape: an object, or an object the host
    /// encoded as a string, with `Method` and `Url`.
    #[test]
    fn a_trigger_made_by_code_is_told_http_by_its_shape() {
        let request = json!({"Method": "GET", "Url": "https://x/a"});
        assert!(AzureTrigger::new("req", request.clone()).is_http());
        assert!(AzureTrigger::new("req", json!(request.to_string())).is_http());
        assert!(!AzureTrigger::new("req", json!({"Method": "GET"})).is_http());
        assert!(!AzureTrigger::new("q", json!("hello")).is_http());
        assert!(!AzureTrigger::new("q", json!(7)).is_http());
    }

    /// serde's message quotes the value it could not take whole: a 1 MB
    /// string came back whole in the error answer.
    #[test]
    fn regression_a_value_the_function_cannot_take_is_shown_bounded() {
        let err = decode::<u64>(json!("x".repeat(1 << 20))).expect_err("not a number");
        assert!(
            err.message().starts_with(
                "the trigger's value is not the JSON the function takes: invalid type: string \"xxx"
            ),
            "{}",
            &err.message()[..300]
        );
        assert!(
            err.message().ends_with("\", expected u64"),
            "{}",
            &err.message()[err.message().len() - 200..]
        );
        assert!(err.message().len() < 500, "{} bytes", err.message().len());
    }

    #[test]
    fn json_takes_values_as_they_come_or_encoded() {
        assert_eq!(decode::<Value>(json!({"a": 1})).ok(), Some(json!({"a": 1})));
        assert_eq!(decode::<u32>(json!("\"7\"")).ok(), Some(7));
        assert_eq!(
            decode::<String>(json!("\"hello\"")).ok(),
            Some("hello".to_owned())
        );
        assert_eq!(
            decode::<String>(json!("hello")).ok(),
            Some("hello".to_owned())
        );
        assert_eq!(decode::<Vec<u8>>(json!("[1,2]")).ok(), Some(vec![1, 2]));
        let err = decode::<u32>(json!({"a": 1})).expect_err("not a number");
        assert!(err.is_bad_request());
        assert!(err
            .message()
            .starts_with("the trigger's value is not the JSON"));
    }

    #[test]
    fn unit_and_json_answers() {
        assert!(matches!(().into_azure(), Ok(AzureAnswer::Empty)));
        assert!(matches!(Json(3).into_azure(), Ok(AzureAnswer::Value(v)) if v == json!(3)));
    }
}
