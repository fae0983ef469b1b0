//! [`FromCloudflare`] and [`IntoCloudflare`]: each portable type from what
//! a Worker receives, and into what it answers.

use anyfn::event::{BatchResult, CloudEvent, QueueBatch, ScheduleTick, StorageEvent};
use anyfn::http::header::CONTENT_TYPE;
use anyfn::http::{HeaderValue, StatusCode};
use anyfn::stream::StreamResponse;
use anyfn::{Context, Error, ErrorKind, Json, Request, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// What a Worker received, decoded to its portable shape: an HTTP request
/// (`fetch`), a cron trigger's tick (`scheduled`), a queue's batch
/// (`queue`).
///
/// # Example
///
/// ```ignore
/// use anyfn_cloudflare::{CloudflareInput, FromCloudflare};
///
/// let mut context = anyfn::Context::default();
/// let request = anyfn::Request::default();
/// let event = anyfn::Request::from_cloudflare(CloudflareInput::Fetch(request), &mut context)?;
/// # Ok::<(), anyfn::Error>(())
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum CloudflareInput {
    /// A `fetch`: the request, its body read whole.
    Fetch(Request),
    /// A `scheduled` event: the cron trigger's tick.
    Scheduled(ScheduleTick),
    /// A `queue` event: the batch's messages.
    Queue(QueueBatch),
}

impl CloudflareInput {
    fn describe(&self) -> &'static str {
        match self {
            Self::Fetch(_) => "an HTTP request (fetch)",
            Self::Scheduled(_) => "a cron trigger (scheduled)",
            Self::Queue(_) => "a queue batch (queue)",
        }
    }
}

/// What a Worker answers: a whole response, a streamed one (a
/// `ReadableStream`), or a batch's outcome (its failed messages retried,
/// the others acknowledged).
///
/// # Example
///
/// ```ignore
/// use anyfn_cloudflare::{CloudflareAnswer, IntoCloudflare};
///
/// let answer = anyfn::response::text("hi").into_cloudflare()?;
/// assert!(matches!(answer, CloudflareAnswer::Whole(_)));
/// # Ok::<(), anyfn::Error>(())
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum CloudflareAnswer {
    /// A response whose body is known at once.
    Whole(Response),
    /// A response streamed as it is produced.
    Streamed(StreamResponse),
    /// A queue batch's outcome.
    Batch(BatchResult),
}

impl From<Response> for CloudflareAnswer {
    fn from(response: Response) -> Self {
        Self::Whole(response)
    }
}

/// A portable event from what a Worker received.
///
/// # Example
///
/// ```ignore
/// use anyfn_cloudflare::{CloudflareInput, FromCloudflare};
///
/// let tick = anyfn::event::ScheduleTick::new("t-1", std::time::UNIX_EPOCH);
/// let mut context = anyfn::Context::default();
/// let again = anyfn::event::ScheduleTick::from_cloudflare(CloudflareInput::Scheduled(tick.clone()), &mut context)?;
/// assert_eq!(again, tick);
/// # Ok::<(), anyfn::Error>(())
/// ```
pub trait FromCloudflare: Sized {
    /// Makes the event.
    ///
    /// # Errors
    ///
    /// A [`BadRequest`](ErrorKind::BadRequest) (or the `405`/`415` of an
    /// event over HTTP) saying what was wrong or what was expected.
    fn from_cloudflare(input: CloudflareInput, context: &mut Context) -> Result<Self, Error>;
}

/// What a Worker answers for a portable output.
///
/// # Example
///
/// ```ignore
/// use anyfn_cloudflare::IntoCloudflare;
///
/// let answer = ().into_cloudflare()?;
/// # Ok::<(), anyfn::Error>(())
/// ```
pub trait IntoCloudflare {
    /// Makes the answer.
    ///
    /// # Errors
    ///
    /// [`Internal`](ErrorKind::Internal) when the output cannot be encoded.
    fn into_cloudflare(self) -> Result<CloudflareAnswer, Error>;

    /// Whether the answer may be [`CloudflareAnswer::Streamed`]: `true`
    /// unless said otherwise. An output that never streams says `false`,
    /// and a Worker answering it links none of the adapter's streaming
    /// code (a `Streamed` answer from it would be an `InternalError`).
    ///
    /// # Example
    ///
    /// ```ignore
    /// use anyfn_cloudflare::IntoCloudflare;
    ///
    /// assert!(!<anyfn::Response as IntoCloudflare>::STREAMS);
    /// assert!(<anyfn::stream::StreamResponse as IntoCloudflare>::STREAMS);
    /// ```
    const STREAMS: bool = true;
}

fn refused(expected: &str, input: &CloudflareInput) -> Error {
    Error::bad_request(format!(
        "this function takes {expected}; the Worker received {}",
        input.describe()
    ))
}

/// An event family over `fetch`: what it is and its portable JSON, as the
/// local server's messages name them.
struct Family {
    what: &'static str,
    portable: &'static str,
}

const SCHEDULE_TICK: Family = Family {
    what: "a schedule tick",
    portable: "a ScheduleTick as JSON (`id`, `time`, optional `schedule`)",
};

const QUEUE_BATCH: Family = Family {
    what: "a queue batch",
    portable: "a QueueBatch as JSON (`{\"messages\": […]}`)",
};

const STORAGE_EVENT: Family = Family {
    what: "a storage event",
    portable: "a StorageEvent as JSON (`{\"objects\": […]}`)",
};

/// An event of a family reached over HTTP: a POST declared as JSON (or a
/// CloudEvent), whose body is the portable type's JSON (`405`, `415`, `400`
/// otherwise), with the local server's message when it does not decode.
/// (The local server also takes CloudEvents, Pub/Sub pushes and AWS event
/// files there; a Worker receives its events from its own triggers.)
fn portable_json<T: DeserializeOwned>(request: &Request, family: &Family) -> Result<T, Error> {
    anyfn_kit::require_event_post(request)?;
    request.body().json().map_err(|error| {
        Error::bad_request(format!(
            "expected {}: the body looks like {} but does not decode ({})",
            family.what,
            family.portable,
            error.message()
        ))
    })
}

impl FromCloudflare for Request {
    fn from_cloudflare(input: CloudflareInput, _context: &mut Context) -> Result<Self, Error> {
        match input {
            CloudflareInput::Fetch(request) => Ok(request),
            other => Err(refused("HTTP requests", &other)),
        }
    }
}

/// Over `fetch`, a `POST` whose body is declared as JSON (`405`, `415`
/// otherwise), as on the local server; from a cron trigger or a queue,
/// the portable event's JSON (as Lambda gives a `Json<T>` handler the raw
/// payload).
impl<T: DeserializeOwned> FromCloudflare for Json<T> {
    fn from_cloudflare(input: CloudflareInput, _context: &mut Context) -> Result<Self, Error> {
        match input {
            CloudflareInput::Fetch(request) => {
                anyfn_kit::require_json_post(&request)?;
                request.body().json().map(Json)
            }
            CloudflareInput::Scheduled(tick) => reread(&tick),
            CloudflareInput::Queue(batch) => reread(&batch),
        }
    }
}

fn reread<E: Serialize, T: DeserializeOwned>(event: &E) -> Result<Json<T>, Error> {
    let value = serde_json::to_value(event).map_err(|error| {
        Error::new(
            ErrorKind::Internal,
            format!("the event could not be written as JSON: {error}"),
        )
    })?;
    serde_json::from_value(value)
        .map(Json)
        .map_err(|error| Error::bad_request(format!("the event is not the JSON expected: {error}")))
}

impl FromCloudflare for ScheduleTick {
    fn from_cloudflare(input: CloudflareInput, _context: &mut Context) -> Result<Self, Error> {
        match input {
            CloudflareInput::Scheduled(tick) => Ok(tick),
            CloudflareInput::Fetch(request) => portable_json(&request, &SCHEDULE_TICK),
            other => Err(refused("cron triggers (a ScheduleTick)", &other)),
        }
    }
}

impl FromCloudflare for QueueBatch {
    fn from_cloudflare(input: CloudflareInput, _context: &mut Context) -> Result<Self, Error> {
        match input {
            CloudflareInput::Queue(batch) => Ok(batch),
            CloudflareInput::Fetch(request) => portable_json(&request, &QUEUE_BATCH),
            other => Err(refused("queue batches (a QueueBatch)", &other)),
        }
    }
}

/// Workers deliver no storage events of their own (R2 event notifications
/// reach a Worker through a queue, as a `QueueBatch`): over `fetch`, a POST
/// of the portable JSON.
impl FromCloudflare for StorageEvent {
    fn from_cloudflare(input: CloudflareInput, _context: &mut Context) -> Result<Self, Error> {
        match input {
            CloudflareInput::Fetch(request) => portable_json(&request, &STORAGE_EVENT),
            other => Err(refused(
                "storage events (a StorageEvent, POSTed as JSON)",
                &other,
            )),
        }
    }
}

/// Over `fetch`, a POST of a CloudEvent in structured mode (its JSON
/// format).
impl FromCloudflare for CloudEvent {
    fn from_cloudflare(input: CloudflareInput, _context: &mut Context) -> Result<Self, Error> {
        match input {
            CloudflareInput::Fetch(request) => {
                anyfn_kit::require_event_post(&request)?;
                CloudEvent::from_json(request.body().as_bytes())
            }
            other => Err(refused("CloudEvents (POSTed in structured mode)", &other)),
        }
    }
}

impl IntoCloudflare for Response {
    const STREAMS: bool = false;

    fn into_cloudflare(self) -> Result<CloudflareAnswer, Error> {
        Ok(CloudflareAnswer::Whole(self))
    }
}

/// A `ReadableStream` as it is produced; a body known at once
/// ([`BodyStream::into_whole`](anyfn::stream::BodyStream::into_whole)) is
/// sent whole.
impl IntoCloudflare for StreamResponse {
    fn into_cloudflare(self) -> Result<CloudflareAnswer, Error> {
        Ok(match anyfn::stream::into_whole(self) {
            Ok(whole) => CloudflareAnswer::Whole(whole),
            Err(streamed) => CloudflareAnswer::Streamed(streamed),
        })
    }
}

/// `204 No Content` over `fetch`; every message acknowledged from a queue.
impl IntoCloudflare for () {
    const STREAMS: bool = false;

    fn into_cloudflare(self) -> Result<CloudflareAnswer, Error> {
        Ok(anyfn::response::status(StatusCode::NO_CONTENT).into())
    }
}

impl<T: Serialize> IntoCloudflare for Json<T> {
    const STREAMS: bool = false;

    fn into_cloudflare(self) -> Result<CloudflareAnswer, Error> {
        anyfn::response::json(&self.0).map(CloudflareAnswer::Whole)
    }
}

/// From a queue, the failed messages retried and the others acknowledged;
/// over `fetch`, Lambda's partial batch response (`200`, or `500` when a
/// message failed), as the local server answers.
impl IntoCloudflare for BatchResult {
    const STREAMS: bool = false;

    fn into_cloudflare(self) -> Result<CloudflareAnswer, Error> {
        Ok(CloudflareAnswer::Batch(self))
    }
}

/// A CloudEvent in structured mode.
impl IntoCloudflare for CloudEvent {
    const STREAMS: bool = false;

    fn into_cloudflare(self) -> Result<CloudflareAnswer, Error> {
        let mut response = anyfn::response::json(&self.to_json_value())?;
        response.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/cloudevents+json"),
        );
        Ok(CloudflareAnswer::Whole(response))
    }
}

/// A batch's outcome as an HTTP answer, as the local server gives it.
pub(crate) fn batch_response(result: &BatchResult) -> Result<Response, Error> {
    let mut response = anyfn::response::json(result)?;
    if !result.failed.is_empty() {
        *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    }
    Ok(response)
}
