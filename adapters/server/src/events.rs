//! Storage, queue, schedule and CloudEvent functions over HTTP: from a
//! CloudEvent (binary or structured mode) of a known type, or from a plain
//! JSON POST of the portable type.
//!
//! The known CloudEvent types are listed in the crate docs. Google's formats
//! (Pub/Sub push envelopes, also the data of Eventarc's Pub/Sub CloudEvent;
//! Cloud Storage objects) are read by `anyfn_formats_google`; this module
//! picks which, by the request.

use std::time::SystemTime;

use anyfn::event::{
    BatchResult, CloudEvent, CloudEventData, Message, ObjectEvent, QueueBatch, ScheduleTick,
    StorageEvent,
};
use anyfn::http::header::{HeaderValue, CONTENT_TYPE};
use anyfn::http::StatusCode;
use anyfn::{Body, Context, Error, ErrorKind, Request, Response};
use anyfn_formats_google::{
    is_push_envelope, storage_change, PortableJson, PushEnvelope, StorageObjectData,
    PUBSUB_MESSAGE_PUBLISHED,
};
use anyfn_kit::require_event_post;
use serde::de::DeserializeOwned;

use crate::cloud_events::{cloud_event_from_request, STRUCTURED};
use crate::codec::{FromHttp, HttpAnswer, IntoHttp};

impl FromHttp for CloudEvent {
    fn from_http(request: Request, _context: &mut Context) -> Result<Self, Error> {
        require_event_post(&request)?;
        if let Some(event) = cloud_event_from_request(&request)? {
            return Ok(event);
        }
        if request.body().is_empty() {
            return Err(Error::bad_request(
                "expected a CloudEvent: binary mode (ce-specversion, ce-id, ce-source and ce-type headers) \
                 or structured mode (Content-Type: application/cloudevents+json)",
            ));
        }
        // A plain JSON POST of the event in the JSON event format.
        CloudEvent::from_json(request.body().as_bytes())
    }
}

/// Detection order (the crate docs' "What each event family accepts"): a
/// CloudEvent (structured content type or `ce-*` headers) by its type; else
/// a Pub/Sub push envelope carrying a Cloud Storage notification (a JSON
/// object with `message` or `subscription` and no `objects`); else a
/// `StorageEvent` as JSON.
impl FromHttp for StorageEvent {
    fn from_http(request: Request, _context: &mut Context) -> Result<Self, Error> {
        require_event_post(&request)?;
        let Some(event) = cloud_event_from_request(&request)? else {
            if is_push_envelope(request.body().as_bytes(), PortableJson::StorageEvent) {
                let object =
                    PushEnvelope::from_json(request.body().as_bytes())?.into_object_event(None)?;
                return Ok(StorageEvent::new(vec![object]));
            }
            return plain_json(&request, "a storage event");
        };
        if let Some(change) = storage_change(&event.event_type) {
            let object: StorageObjectData = data_as(&event)?;
            return Ok(StorageEvent::new(vec![
                object.into_object_event(change, event.time)?
            ]));
        }
        match event.event_type.as_str() {
            "com.amazonaws.s3.object.created" | "com.amazonaws.s3.object.deleted" => {
                let mut object: ObjectEvent = data_as(&event)?;
                object.time = object.time.or(event.time);
                Ok(StorageEvent::new(vec![object]))
            }
            PUBSUB_MESSAGE_PUBLISHED => {
                let push: PushEnvelope = data_as(&event)?;
                Ok(StorageEvent::new(vec![
                    push.into_object_event(Some(&event))?
                ]))
            }
            other => Err(unknown_type(other, "a storage event")),
        }
    }
}

/// Detection order (the crate docs' "What each event family accepts"): a
/// CloudEvent (structured content type or `ce-*` headers) by its type; else
/// a Pub/Sub push envelope (a JSON object with `message` or `subscription`
/// and no `messages`), a batch of its one message; else a `QueueBatch` as
/// JSON.
impl FromHttp for QueueBatch {
    fn from_http(request: Request, _context: &mut Context) -> Result<Self, Error> {
        require_event_post(&request)?;
        let Some(event) = cloud_event_from_request(&request)? else {
            if is_push_envelope(request.body().as_bytes(), PortableJson::QueueBatch) {
                let message =
                    PushEnvelope::from_json(request.body().as_bytes())?.into_message(None)?;
                return Ok(QueueBatch::new(vec![message]));
            }
            return plain_json(&request, "a queue batch");
        };
        match event.event_type.as_str() {
            PUBSUB_MESSAGE_PUBLISHED => {
                let push: PushEnvelope = data_as(&event)?;
                Ok(QueueBatch::new(vec![push.into_message(Some(&event))?]))
            }
            "com.amazonaws.sqs.message.received" => {
                let mut message: Message = data_as(&event)?;
                message.source = message.source.or_else(|| Some(event.source.clone()));
                Ok(QueueBatch::new(vec![message]))
            }
            other => Err(unknown_type(other, "a queue batch")),
        }
    }
}

impl FromHttp for ScheduleTick {
    fn from_http(request: Request, _context: &mut Context) -> Result<Self, Error> {
        require_event_post(&request)?;
        let Some(event) = cloud_event_from_request(&request)? else {
            return plain_json(&request, "a schedule tick");
        };
        match event.event_type.as_str() {
            "google.cloud.scheduler.job.v1.executed" | "com.amazonaws.events.scheduled" => {
                let time = event.time.unwrap_or_else(SystemTime::now);
                let schedule = event
                    .subject
                    .clone()
                    .unwrap_or_else(|| event.source.clone());
                Ok(ScheduleTick::new(event.id, time).with_schedule(schedule))
            }
            other => Err(unknown_type(other, "a schedule tick")),
        }
    }
}

/// `200` with the batch response when every message succeeded; `500` with
/// the same document naming the failed ones otherwise, so push deliveries
/// (Pub/Sub, Eventarc, Knative) retry them: Pub/Sub acks a push on any 2xx
/// and redelivers on anything else. A push carries one message, so any
/// failed id redelivers it.
impl IntoHttp for BatchResult {
    fn into_http(self) -> Result<HttpAnswer, Error> {
        let status = if self.failed.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::INTERNAL_SERVER_ERROR
        };
        let mut response = anyfn::response::json(&self)?;
        *response.status_mut() = status;
        Ok(response.into())
    }
}

/// A CloudEvent answers in structured mode.
impl IntoHttp for CloudEvent {
    fn into_http(self) -> Result<HttpAnswer, Error> {
        let body = Body::from_json(&self.to_json_value())?;
        let mut response = Response::new(body);
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(STRUCTURED));
        Ok(response.into())
    }
}

fn plain_json<T: DeserializeOwned>(request: &Request, what: &str) -> Result<T, Error> {
    request.body().json().map_err(|err| {
        Error::bad_request(format!(
            "expected {what}: a CloudEvent of a known type, or the event as JSON ({})",
            err.message()
        ))
    })
}

fn data_as<T: DeserializeOwned>(event: &CloudEvent) -> Result<T, Error> {
    let value = match &event.data {
        Some(CloudEventData::Json(value)) => value.clone(),
        Some(CloudEventData::Text(text)) => {
            serde_json::from_str(text).map_err(|err| bad_data(event, &err))?
        }
        Some(CloudEventData::Binary(bytes)) => {
            serde_json::from_slice(bytes).map_err(|err| bad_data(event, &err))?
        }
        None => {
            return Err(Error::bad_request(format!(
                "the CloudEvent of type {} has no data",
                event.event_type
            )))
        }
    };
    serde_json::from_value(value).map_err(|err| bad_data(event, &err))
}

fn bad_data(event: &CloudEvent, err: &serde_json::Error) -> Error {
    Error::bad_request(format!(
        "the data of the CloudEvent of type {} is not as expected: {err}",
        event.event_type
    ))
}

fn unknown_type(event_type: &str, what: &str) -> Error {
    Error::new(
        ErrorKind::BadRequest,
        format!(
            "the CloudEvent type {} is not {what} this server knows; see anyfn_server's event table",
            anyfn::error::quoted(event_type)
        ),
    )
}
