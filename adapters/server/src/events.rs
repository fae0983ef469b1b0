//! Storage, queue, schedule and CloudEvent functions over HTTP: from a
//! CloudEvent (binary or structured mode) of a known type, a provider's
//! event JSON POSTed as it is (a Pub/Sub push envelope, an AWS event), or a
//! plain JSON POST of the portable type; anything else is a `400` naming
//! what each family takes.
//!
//! The known CloudEvent types are listed in the crate docs. Google's formats
//! (Pub/Sub push envelopes, also the data of Eventarc's Pub/Sub CloudEvent;
//! Cloud Storage objects) are read by `anyfn_formats_google`, AWS's (S3,
//! SQS, SNS, EventBridge) by `anyfn_formats_aws` with the Lambda adapter's
//! own decoders; this module picks which, by the request and the body's
//! top-level keys ([`TopLevelKeys`]).

use std::time::SystemTime;

use anyfn::event::{
    BatchResult, CloudEvent, CloudEventData, Message, ObjectEvent, QueueBatch, ScheduleTick,
    StorageEvent,
};
use anyfn::http::header::{HeaderValue, CONTENT_TYPE};
use anyfn::http::StatusCode;
use anyfn::{Body, Context, Error, ErrorKind, Request, Response};
use anyfn_formats_aws::{describe_payload, FromAwsPayload};
use anyfn_formats_google::{
    is_push_envelope, storage_change, PortableJson, PushEnvelope, StorageObjectData,
    PUBSUB_MESSAGE_PUBLISHED,
};
use anyfn_kit::require_event_post;
use serde::de::DeserializeOwned;

use crate::cloud_events::{cloud_event_from_request, STRUCTURED};
use crate::codec::{FromHttp, HttpAnswer, IntoHttp};
use crate::json_shape::TopLevelKeys;

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
        let body = request.body().as_bytes();
        match TopLevelKeys::of(body) {
            // A plain JSON POST of the event in the JSON event format.
            Some(keys) if keys.specversion => CloudEvent::from_json(body),
            Some(keys) if keys.detail_type => aws_payload(body),
            _ => Err(no_known_shape(&CLOUD_EVENT, body)),
        }
    }
}

/// Detection order (the crate docs' "What each event family accepts"): a
/// CloudEvent (structured content type or `ce-*` headers) by its type; else
/// a Pub/Sub push envelope carrying a Cloud Storage notification (a JSON
/// object with `message` or `subscription` and no `objects`); else a
/// `StorageEvent` as JSON (`objects`); else an S3 notification (`Records`)
/// or an S3 event from EventBridge (`detail-type`, or `source` `"aws.s3"`),
/// read as on Lambda; else a `400` naming them all.
impl FromHttp for StorageEvent {
    fn from_http(request: Request, _context: &mut Context) -> Result<Self, Error> {
        require_event_post(&request)?;
        let Some(event) = cloud_event_from_request(&request)? else {
            let body = request.body().as_bytes();
            if is_push_envelope(body, PortableJson::StorageEvent) {
                let object = PushEnvelope::from_json(body)?.into_object_event(None)?;
                return Ok(StorageEvent::new(vec![object]));
            }
            return match TopLevelKeys::of(body) {
                Some(keys) if keys.objects => portable_json(&request, &STORAGE_EVENT),
                Some(keys) if keys.records || keys.detail_type || keys.source_aws_s3 => {
                    aws_payload(body)
                }
                _ => Err(no_known_shape(&STORAGE_EVENT, body)),
            };
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
/// JSON (`messages`); else an SQS or SNS batch (`Records`) or SQS's
/// ReceiveMessage answer (`Messages`), read as on Lambda; else a `400`
/// naming them all.
impl FromHttp for QueueBatch {
    fn from_http(request: Request, _context: &mut Context) -> Result<Self, Error> {
        require_event_post(&request)?;
        let Some(event) = cloud_event_from_request(&request)? else {
            let body = request.body().as_bytes();
            if is_push_envelope(body, PortableJson::QueueBatch) {
                let message = PushEnvelope::from_json(body)?.into_message(None)?;
                return Ok(QueueBatch::new(vec![message]));
            }
            return match TopLevelKeys::of(body) {
                Some(keys) if keys.messages => portable_json(&request, &QUEUE_BATCH),
                Some(keys) if keys.records || keys.receive_messages => aws_payload(body),
                _ => Err(no_known_shape(&QUEUE_BATCH, body)),
            };
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

/// Detection order (the crate docs' "What each event family accepts"): a
/// CloudEvent (structured content type or `ce-*` headers) by its type; else
/// an EventBridge scheduled event (`detail-type`), read as on Lambda; else a
/// `ScheduleTick` as JSON (`id` or `time`, and no `specversion`: a
/// CloudEvent sent as plain JSON is no tick); else a `400` naming them all.
impl FromHttp for ScheduleTick {
    fn from_http(request: Request, _context: &mut Context) -> Result<Self, Error> {
        require_event_post(&request)?;
        let Some(event) = cloud_event_from_request(&request)? else {
            let body = request.body().as_bytes();
            return match TopLevelKeys::of(body) {
                Some(keys) if keys.detail_type => aws_payload(body),
                Some(keys) if (keys.id || keys.time) && !keys.specversion => {
                    portable_json(&request, &SCHEDULE_TICK)
                }
                _ => Err(no_known_shape(&SCHEDULE_TICK, body)),
            };
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

/// What an event family takes over HTTP, for the `400` that names it.
struct Family {
    /// The family, as "expected {what}: …" names it.
    what: &'static str,
    /// Its portable type as JSON, as the messages name it.
    portable: &'static str,
    /// The shapes it takes before its portable JSON and the AWS payloads
    /// (a CloudEvent, a push envelope), as a phrase.
    others: &'static str,
    /// The AWS payloads it takes: its [`FromAwsPayload::AWS_PAYLOADS`]
    /// (for a CloudEvent, the EventBridge part of it).
    aws: &'static str,
}

const STORAGE_EVENT: Family = Family {
    what: "a storage event",
    portable: "a StorageEvent as JSON (`{\"objects\": […]}`)",
    others: "a CloudEvent of a known type (binary mode, or structured mode: \
             Content-Type: application/cloudevents+json), a legacy Cloud Functions \
             event, a Pub/Sub push envelope carrying a Cloud Storage notification (`message`, `subscription`)",
    aws: <StorageEvent as FromAwsPayload>::AWS_PAYLOADS,
};

const QUEUE_BATCH: Family = Family {
    what: "a queue batch",
    portable: "a QueueBatch as JSON (`{\"messages\": […]}`)",
    others: "a CloudEvent of a known type (binary mode, or structured mode: \
             Content-Type: application/cloudevents+json), a legacy Cloud Functions \
             event, a Pub/Sub push envelope (`message`, `subscription`), SQS's ReceiveMessage answer (`Messages`)",
    aws: <QueueBatch as FromAwsPayload>::AWS_PAYLOADS,
};

const SCHEDULE_TICK: Family = Family {
    what: "a schedule tick",
    portable: "a ScheduleTick as JSON (`id`, `time`, optional `schedule`)",
    others: "a CloudEvent of a known type (binary mode, or structured mode: \
             Content-Type: application/cloudevents+json)",
    aws: <ScheduleTick as FromAwsPayload>::AWS_PAYLOADS,
};

const CLOUD_EVENT: Family = Family {
    what: "a CloudEvent",
    portable: "a CloudEvent in the JSON event format (`specversion`, `id`, `source`, `type`)",
    others: "binary mode (ce-specversion, ce-id, ce-source and ce-type headers), \
             structured mode (Content-Type: application/cloudevents+json)",
    // FromAwsPayload's phrase also names a CloudEvent, said above already.
    aws: "an EventBridge event (`id`, `source`, `detail-type`, `detail`)",
};

/// The portable type as JSON: the body has the family's own key, so any
/// failure is the portable decoder's, said as such.
fn portable_json<T: DeserializeOwned>(request: &Request, family: &Family) -> Result<T, Error> {
    request.body().json().map_err(|err| {
        Error::bad_request(format!(
            "expected {}: the body looks like {} but does not decode ({})",
            family.what,
            family.portable,
            err.message()
        ))
    })
}

/// An AWS event file, read by the decoder the Lambda adapter reads the same
/// bytes with: the same value, or the same error.
fn aws_payload<T: FromAwsPayload>(body: &[u8]) -> Result<T, Error> {
    T::from_aws_payload(body).map(|(event, _shape)| event)
}

/// A body of no shape the family takes: a `400` naming every shape and
/// what the body is (its JSON type and first keys, bounded).
fn no_known_shape(family: &Family, body: &[u8]) -> Error {
    let found = if TopLevelKeys::of(body).is_some_and(|keys| keys.specversion) {
        // A structured-mode CloudEvent sent as plain JSON: say how to send it.
        " (a CloudEvent sent as plain JSON? send it with Content-Type: \
         application/cloudevents+json)"
    } else {
        ""
    };
    Error::bad_request(format!(
        "expected {}: {}, {}, or {}; found {}{found}",
        family.what,
        family.others,
        family.aws,
        family.portable,
        describe_payload(body)
    ))
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

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

    fn post(body: &str) -> Request {
        let mut request = Request::new(Body::from(body.to_owned()));
        *request.method_mut() = anyfn::http::Method::POST;
        request
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        request
    }

    fn read<T: FromHttp>(body: &str) -> Result<T, Error> {
        T::from_http(post(body), &mut Context::builder().build())
    }

    const SCHEDULED: &str = r#"{"version":"0","id":"53dc4d37","detail-type":"Scheduled Event",
        "source":"aws.events","account":"123456789012","time":"2015-10-08T16:53:06Z",
        "region":"us-east-1","resources":["arn:aws:events:us-east-1:123456789012:rule/nightly"],
        "detail":{}}"#;

    /// The EventBridge scheduled event has a tick's `id` and `time`: it was
    /// read as the portable JSON, its schedule, ARN, account and region lost.
    #[test]
    fn regression_an_eventbridge_scheduled_event_is_read_as_on_lambda() {
        let tick: ScheduleTick = read(SCHEDULED).unwrap();
        let expected =
            ScheduleTick::new("53dc4d37", UNIX_EPOCH + Duration::from_secs(1_444_323_186))
                .with_schedule("nightly")
                .with_source("arn:aws:events:us-east-1:123456789012:rule/nightly")
                .with_account("123456789012")
                .with_region("us-east-1");
        assert_eq!(tick, expected);
        assert_eq!(
            ScheduleTick::from_aws_payload(SCHEDULED.as_bytes())
                .unwrap()
                .0,
            expected
        );
    }

    /// anyfn's own JSON of each type still reads, stray keys and all.
    #[test]
    fn the_portable_json_is_still_taken() {
        let tick: ScheduleTick =
            read(r#"{"id":"t-1","time":"2026-01-01T00:00:00Z","note":"x"}"#).unwrap();
        assert_eq!(tick.id, "t-1");
        let batch: QueueBatch =
            read(r#"{"messages":[{"id":"m","body":"b"}],"Records":[]}"#).unwrap();
        assert_eq!(batch.messages[0].id, "m");
        let storage: StorageEvent =
            read(r#"{"objects":[{"change":"created","bucket":"b","key":"k"}],"detail-type":"x"}"#)
                .unwrap();
        assert_eq!(storage.objects[0].key, "k");
        let event: CloudEvent =
            read(r#"{"specversion":"1.0","id":"1","source":"/s","type":"t","detail-type":"x"}"#)
                .unwrap();
        assert_eq!(event.event_type, "t");
    }

    #[test]
    fn aws_payloads_of_each_family_are_read_with_the_aws_decoders() {
        let batch: QueueBatch =
            read(r#"{"Records":[{"eventSource":"aws:sqs","messageId":"m-1","body":"hi"}]}"#)
                .unwrap();
        assert_eq!(batch.messages[0].id, "m-1");
        let batch: QueueBatch = read(r#"{"Messages":[{"MessageId":"m-2","Body":"hi"}]}"#).unwrap();
        assert_eq!(batch.messages[0].id, "m-2");
        let storage: StorageEvent = read(
            r#"{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put",
                "s3":{"bucket":{"name":"b"},"object":{"key":"a+b"}}}]}"#,
        )
        .unwrap();
        assert_eq!(storage.objects[0].key, "a b");
        // S3 through EventBridge, told by `detail-type` or by its source.
        for body in [
            r#"{"source":"aws.s3","detail-type":"Object Created","time":"2021-11-12T00:00:00Z",
                "detail":{"bucket":{"name":"b"},"object":{"key":"k","size":5}}}"#,
            r#"{"source":"aws.s3","detail":{"bucket":{"name":"b"},"object":{"key":"k"}}}"#,
        ] {
            let storage: StorageEvent = read(body).unwrap();
            let (on_lambda, _) = StorageEvent::from_aws_payload(body.as_bytes()).unwrap();
            assert_eq!(storage, on_lambda);
            assert_eq!(storage.objects[0].key, "k");
        }
        let event: CloudEvent = read(SCHEDULED).unwrap();
        assert_eq!(event.event_type, "Scheduled Event");
        assert_eq!(event.extensions["account"], "123456789012");
    }

    #[test]
    fn a_body_of_no_known_shape_names_every_shape_of_its_family() {
        for (err, family) in [
            (read::<QueueBatch>(r#"{"x":1}"#).unwrap_err(), &QUEUE_BATCH),
            (
                read::<StorageEvent>(r#"{"x":1}"#).unwrap_err(),
                &STORAGE_EVENT,
            ),
            (
                read::<ScheduleTick>(r#"{"x":1}"#).unwrap_err(),
                &SCHEDULE_TICK,
            ),
            (read::<CloudEvent>(r#"{"x":1}"#).unwrap_err(), &CLOUD_EVENT),
        ] {
            assert!(err.is_bad_request());
            assert_eq!(
                err.message(),
                format!(
                    "expected {}: {}, {}, or {}; found a JSON object with keys: x",
                    family.what, family.others, family.aws, family.portable
                )
            );
        }
        let err = read::<QueueBatch>("not json").unwrap_err();
        assert!(
            err.message()
                .contains("; found a payload that is not JSON ("),
            "{err}"
        );
        let err = read::<StorageEvent>("").unwrap_err();
        assert!(
            err.message().starts_with("expected a storage event: "),
            "{err}"
        );
    }

    /// A body that has the portable type's key but does not decode says so,
    /// with the decoder's reason.
    #[test]
    fn a_broken_portable_body_says_what_was_wrong() {
        let err = read::<QueueBatch>(r#"{"messages": 7}"#).unwrap_err();
        assert!(
            err.message().starts_with(
                "expected a queue batch: the body looks like a QueueBatch as JSON (`{\"messages\": […]}`) but does not decode (the body is not valid JSON for this event"
            ),
            "{err}"
        );
        let err = read::<ScheduleTick>(r#"{"id": "t"}"#).unwrap_err();
        assert!(err.message().contains("missing field `time`"), "{err}");
    }
}
