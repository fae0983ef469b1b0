//! Non-HTTP triggers as portable events: Storage queue and Service Bus
//! messages ([`QueueBatch`] of one), blobs ([`StorageEvent`]), timers
//! ([`ScheduleTick`]), Event Grid events ([`CloudEvent`], both schemas); and
//! [`BatchResult`] as an answer.

use std::borrow::Cow;
use std::time::SystemTime;

use anyfn::error::quoted;
use anyfn::event::{
    BatchResult, CloudEvent, CloudEventData, Message, ObjectChange, ObjectEvent, QueueBatch,
    ScheduleTick, StorageEvent,
};
use anyfn::{Context, Error, ErrorKind};
use serde_json::{Map, Value};

use crate::codec::{AzureAnswer, AzureInput, FromAzure, IntoAzure};
use crate::lenient;
use crate::quote::data_member;
use crate::trigger::AzureTrigger;

fn envelope(input: AzureInput, what: &str) -> Result<AzureTrigger, Error> {
    match input {
        AzureInput::Envelope(trigger) => Ok(trigger),
        AzureInput::Http(request) => {
            // The method and body are told first, as on the local server.
            anyfn_kit::require_event_post(&request)?;
            Err(Error::bad_request(format!(
                "expected a {what} trigger's envelope; found a forwarded HTTP request"
            )))
        }
    }
}

/// A Storage queue or Service Bus message: a batch of one.
///
/// The id is the metadata's `Id` (Storage queue) or `MessageId` (Service
/// Bus); the delivery attempt `DequeueCount` or `DeliveryCount`; the sent
/// time `InsertionTime` or `EnqueuedTimeUtc`. The body is the trigger's
/// value: a string's text (decoded once more when the host encoded it
/// twice), an object's JSON, base64 decoded when `function.json` declares
/// `"dataType": "binary"`. Service Bus `ApplicationProperties` (or
/// `UserProperties`) become attributes, `SessionId` the ordering key.
impl FromAzure for QueueBatch {
    fn from_azure(input: AzureInput, _context: &mut Context) -> Result<Self, Error> {
        let trigger = envelope(input, "queue")?;
        message(&trigger).map(|message| QueueBatch::new(vec![message]))
    }
}

pub(crate) fn message(trigger: &AzureTrigger) -> Result<Message, Error> {
    let id = trigger
        .metadata_text("MessageId")
        .or_else(|| trigger.metadata_text("Id"))
        .ok_or_else(|| {
            Error::bad_request(
                "expected a queue message's Id (Storage queue) or MessageId (Service Bus) in Metadata",
            )
        })?;
    let body = message_body(trigger)?;
    let mut message = Message::new(id, body);
    let attempt = trigger
        .metadata_u64("DeliveryCount")
        .or_else(|| trigger.metadata_u64("DequeueCount"));
    if let Some(attempt) = attempt.and_then(|n| u32::try_from(n).ok()) {
        message = message.with_delivery_attempt(attempt);
    }
    let sent = ["EnqueuedTimeUtc", "EnqueuedTime", "InsertionTime"]
        .iter()
        .find_map(|key| trigger.metadata(key).and_then(lenient::time));
    if let Some(sent) = sent {
        message = message.with_sent_time(sent);
    }
    if let Some(session) = trigger.metadata_text("SessionId").filter(|s| !s.is_empty()) {
        message = message.with_ordering_key(session);
    }
    let properties = ["ApplicationProperties", "UserProperties"]
        .iter()
        .find_map(|key| trigger.metadata(key).and_then(lenient::object));
    if let Some(properties) = properties {
        for (name, value) in properties.iter() {
            let value = lenient::text(value).map_or_else(|| value.to_string(), Cow::into_owned);
            message = message.with_attribute(name.clone(), value);
        }
    }
    for key in ["ContentType", "CorrelationId", "PopReceipt"] {
        if let Some(value) = trigger.metadata_text(key).filter(|v| !v.is_empty()) {
            message = message.with_attribute(key, value);
        }
    }
    Ok(message)
}

fn message_body(trigger: &AzureTrigger) -> Result<Vec<u8>, Error> {
    match trigger.value() {
        Value::String(text) if trigger.is_binary() => lenient::base64_or_array(trigger.value())
            .ok_or_else(|| {
                Error::bad_request(format!(
                    "the binary value of {} is not valid base64",
                    data_member(trigger.binding())
                ))
            })
            .or_else(|err| {
                if text.is_empty() {
                    Ok(Vec::new())
                } else {
                    Err(err)
                }
            }),
        Value::String(text) => Ok(lenient::unquote(text).into_owned().into_bytes()),
        Value::Array(_) if trigger.is_binary() => lenient::base64_or_array(trigger.value())
            .ok_or_else(|| Error::bad_request("the binary value is not an array of bytes")),
        Value::Null => Ok(Vec::new()),
        other => Ok(other.to_string().into_bytes()),
    }
}

/// A failed message fails the invocation (a non-2xx answer) so that the
/// host delivers it again; the error names the ids.
impl IntoAzure for BatchResult {
    fn into_azure(self) -> Result<AzureAnswer, Error> {
        if self.failed.is_empty() {
            Ok(AzureAnswer::Empty)
        } else {
            Err(Error::new(
                ErrorKind::Handler,
                format!("message(s) {} failed", self.failed.join(", ")),
            )
            .with_error_type("BatchItemFailure"))
        }
    }
}

/// A blob trigger: one object created. The bucket is the container, the
/// key the blob's name, both from the metadata's `BlobTrigger`
/// (`container/name`) or else its `Uri`; size, ETag and time from
/// `Properties` (`Length`/`ContentLength`, `ETag`,
/// `LastModified`/`Created`).
impl FromAzure for StorageEvent {
    fn from_azure(input: AzureInput, _context: &mut Context) -> Result<Self, Error> {
        let trigger = envelope(input, "blob")?;
        let path = trigger
            .metadata_text("BlobTrigger")
            .or_else(|| trigger.metadata_text("Uri").and_then(|uri| uri_path(&uri)))
            .ok_or_else(|| {
                Error::bad_request("expected a blob trigger's BlobTrigger or Uri in Metadata")
            })?;
        let path = path.trim_start_matches('/');
        let (container, name) = path.split_once('/').ok_or_else(|| {
            Error::bad_request(format!(
                "expected a blob path container/name; found {}",
                quoted(path)
            ))
        })?;
        let mut object = ObjectEvent::new(ObjectChange::Created, container, name);
        if let Some(properties) = trigger.metadata("Properties").and_then(lenient::object) {
            if let Some(size) = lenient::get_any(&properties, &["Length", "ContentLength"])
                .and_then(lenient::unsigned)
            {
                object = object.with_size(size);
            }
            if let Some(etag) = lenient::get(&properties, "ETag").and_then(lenient::text) {
                object = object.with_etag(etag.trim_matches('"'));
            }
            if let Some(time) =
                lenient::get_any(&properties, &["LastModified", "Created"]).and_then(lenient::time)
            {
                object = object.with_time(time);
            }
        }
        Ok(StorageEvent::new(vec![object]))
    }
}

/// The path of an absolute URL, percent-decoded.
fn uri_path(uri: &str) -> Option<String> {
    let uri: anyfn::http::Uri = uri.trim().parse().ok()?;
    percent_encoding::percent_decode_str(uri.path())
        .decode_utf8()
        .ok()
        .map(Cow::into_owned)
}

/// A timer trigger: a tick at `sys.UtcNow` (when the host fired it; now
/// when absent), its id `sys.RandGuid` (else the invocation id), its
/// schedule the function's name. `IsPastDue` and `ScheduleStatus` stay in
/// the context's [`AzureInvocation`](crate::AzureInvocation) data.
impl FromAzure for ScheduleTick {
    fn from_azure(input: AzureInput, context: &mut Context) -> Result<Self, Error> {
        let trigger = envelope(input, "timer")?;
        if lenient::object(trigger.value()).is_none() {
            return Err(Error::bad_request(format!(
                "expected a timer trigger's object (ScheduleStatus, IsPastDue) under {}",
                data_member(trigger.binding())
            )));
        }
        let sys = crate::context_ext::SysMetadata::from_metadata(trigger.all_metadata());
        let sys = sys.as_ref();
        let time = sys
            .and_then(|sys| sys.utc_now.as_ref())
            .and_then(|now| lenient::time(&Value::String(now.clone())))
            .unwrap_or_else(SystemTime::now);
        let id = sys
            .and_then(|sys| sys.rand_guid.clone())
            .unwrap_or_else(|| context.request_id().to_owned());
        let mut tick = ScheduleTick::new(id, time);
        let name = sys
            .and_then(|sys| sys.method_name.clone())
            .unwrap_or_else(|| context.function_name().to_owned());
        if !name.is_empty() {
            tick = tick.with_schedule(name);
        }
        Ok(tick)
    }
}

/// An Event Grid trigger, in the CloudEvents schema (`specversion`) or the
/// Event Grid schema (`eventType`, `topic`, `eventTime`, `dataVersion`):
/// `topic` becomes the source, `eventType` the type, `dataVersion` the
/// extension `dataversion`.
impl FromAzure for CloudEvent {
    fn from_azure(input: AzureInput, _context: &mut Context) -> Result<Self, Error> {
        let trigger = envelope(input, "Event Grid")?;
        let map = lenient::object(trigger.value()).ok_or_else(|| {
            Error::bad_request(format!(
                "expected an Event Grid event (an object) under {}",
                data_member(trigger.binding())
            ))
        })?;
        let map = map.into_owned();
        if lenient::get(&map, "specversion").is_some() {
            return CloudEvent::from_map(map);
        }
        event_grid(&map)
    }
}

fn event_grid(map: &Map<String, Value>) -> Result<CloudEvent, Error> {
    let field = |key: &str| {
        lenient::get(map, key)
            .and_then(lenient::text)
            .map(Cow::into_owned)
            .filter(|value| !value.is_empty())
    };
    let missing = |key: &str| {
        Error::bad_request(format!(
            "expected an Event Grid event with {key} (or a CloudEvent with specversion)"
        ))
    };
    let id = field("id").ok_or_else(|| missing("id"))?;
    let event_type = field("eventType").ok_or_else(|| missing("eventType"))?;
    let source = field("topic")
        .or_else(|| field("subject"))
        .ok_or_else(|| missing("topic"))?;
    let mut event = CloudEvent::new(id, source, event_type);
    if let Some(subject) = field("subject") {
        event = event.with_subject(subject);
    }
    if let Some(time) = lenient::get(map, "eventTime").and_then(lenient::time) {
        event = event.with_time(time);
    }
    if let Some(version) = field("dataVersion") {
        event = event.with_extension("dataversion", version);
    }
    match lenient::get(map, "data") {
        None | Some(Value::Null) => {}
        Some(data) => {
            event = event
                .with_data(CloudEventData::Json(data.clone()))
                .with_data_content_type("application/json");
        }
    }
    Ok(event)
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use serde_json::json;

    use super::*;

    fn trigger(value: Value, metadata: Value) -> AzureTrigger {
        AzureTrigger::new("in", value)
            .with_metadata(metadata.as_object().cloned().unwrap_or_default())
    }

    fn decode<T: FromAzure>(trigger: AzureTrigger) -> Result<T, Error> {
        T::from_azure(
            AzureInput::Envelope(trigger),
            &mut Context::builder().request_id("inv-1").build(),
        )
    }

    #[test]
    fn a_storage_queue_message() {
        let batch: QueueBatch = decode(trigger(
            json!("\"hello\""),
            json!({"Id": "\"m-1\"", "DequeueCount": "2", "InsertionTime": "2019-10-09T17:58:31+00:00", "PopReceipt": "\"AgAA\""}),
        ))
        .expect("a batch");
        let expected = Message::new("m-1", "hello")
            .with_delivery_attempt(2)
            .with_sent_time(UNIX_EPOCH + Duration::from_secs(1_570_643_911))
            .with_attribute("PopReceipt", "AgAA");
        assert_eq!(batch.messages, [expected]);
    }

    #[test]
    fn a_service_bus_message() {
        let batch: QueueBatch = decode(trigger(
            json!({"order": 7}),
            json!({"MessageId": "sb-1", "DeliveryCount": 1, "EnqueuedTimeUtc": "2019-10-09T17:58:31",
                   "SessionId": "s", "ApplicationProperties": {"tenant": "acme", "n": 3}}),
        ))
        .expect("a batch");
        let expected = Message::new("sb-1", r#"{"order":7}"#)
            .with_delivery_attempt(1)
            .with_sent_time(UNIX_EPOCH + Duration::from_secs(1_570_643_911))
            .with_ordering_key("s")
            .with_attribute("tenant", "acme")
            .with_attribute("n", "3");
        assert_eq!(batch.messages, [expected]);
    }

    #[test]
    fn binary_messages_and_missing_ids() {
        let batch: QueueBatch =
            decode(trigger(json!("3q2+7w=="), json!({"Id": "b"})).with_data_type("binary"))
                .expect("a batch");
        assert_eq!(batch.messages[0].body.as_ref(), [0xde, 0xad, 0xbe, 0xef]);
        let err = decode::<QueueBatch>(trigger(json!("x"), json!({}))).expect_err("no id");
        assert!(err.is_bad_request());
        assert!(err.message().contains("MessageId"));
    }

    #[test]
    fn a_failed_message_fails_the_invocation() {
        let err = BatchResult::failed_ids(["m-1"])
            .into_azure()
            .expect_err("failed");
        assert_eq!(err.error_type(), "BatchItemFailure");
        assert_eq!(err.message(), "message(s) m-1 failed");
        assert!(matches!(
            BatchResult::all_succeeded().into_azure(),
            Ok(AzureAnswer::Empty)
        ));
    }

    #[test]
    fn a_blob() {
        let event: StorageEvent = decode(trigger(
            json!("aGVsbG8="),
            json!({"BlobTrigger": "\"samples-workitems/2024/a b.txt\"", "Uri": "https://a.blob.core.windows.net/samples-workitems/2024/a%20b.txt",
                   "Properties": {"Length": "5", "ETag": "\"0x8D7\"", "LastModified": "2019-10-09T17:58:31+00:00"}}),
        ))
        .expect("an event");
        let expected = ObjectEvent::new(ObjectChange::Created, "samples-workitems", "2024/a b.txt")
            .with_size(5)
            .with_etag("0x8D7")
            .with_time(UNIX_EPOCH + Duration::from_secs(1_570_643_911));
        assert_eq!(event.objects, [expected]);
        let from_uri: StorageEvent = decode(trigger(
            json!(""),
            json!({"Uri": "https://a.blob.core.windows.net/c/a%20b.txt"}),
        ))
        .expect("an event");
        assert_eq!(
            (
                from_uri.objects[0].bucket.as_str(),
                from_uri.objects[0].key.as_str()
            ),
            ("c", "a b.txt")
        );
        assert!(decode::<StorageEvent>(trigger(json!(""), json!({})))
            .expect_err("no path")
            .is_bad_request());
    }

    #[test]
    fn a_timer() {
        let tick: ScheduleTick = decode(trigger(
            json!({"Schedule": {"AdjustForDST": true}, "ScheduleStatus": {"Last": "2019-10-09T17:55:00", "Next": "2019-10-09T18:00:00"}, "IsPastDue": false}),
            json!({"sys": {"MethodName": "Nightly", "UtcNow": "2019-10-09T17:58:31Z", "RandGuid": "g-1"}}),
        ))
        .expect("a tick");
        let expected = ScheduleTick::new("g-1", UNIX_EPOCH + Duration::from_secs(1_570_643_911))
            .with_schedule("Nightly");
        assert_eq!(tick, expected);
        assert!(decode::<ScheduleTick>(trigger(json!("x"), json!({}))).is_err());
    }

    #[test]
    fn event_grid_in_both_schemas() {
        let event: CloudEvent = decode(trigger(
            json!({"id": "e-1", "topic": "/subscriptions/s/resourceGroups/r", "subject": "/blobs/a.txt",
                   "eventType": "Microsoft.Storage.BlobCreated", "eventTime": "2019-10-09T17:58:31Z",
                   "data": {"api": "PutBlob"}, "dataVersion": "1", "metadataVersion": "1"}),
            json!({}),
        ))
        .expect("an event");
        let expected = CloudEvent::new(
            "e-1",
            "/subscriptions/s/resourceGroups/r",
            "Microsoft.Storage.BlobCreated",
        )
        .with_subject("/blobs/a.txt")
        .with_time(UNIX_EPOCH + Duration::from_secs(1_570_643_911))
        .with_extension("dataversion", "1")
        .with_data(CloudEventData::Json(json!({"api": "PutBlob"})))
        .with_data_content_type("application/json");
        assert_eq!(event, expected);

        let cloud: CloudEvent = decode(trigger(
            json!("{\"specversion\":\"1.0\",\"id\":\"c-1\",\"source\":\"/s\",\"type\":\"t\",\"data\":{\"a\":1}}"),
            json!({}),
        ))
        .expect("a cloud event");
        assert_eq!(
            (
                cloud.id.as_str(),
                cloud.source.as_str(),
                cloud.event_type.as_str()
            ),
            ("c-1", "/s", "t")
        );
        let err =
            decode::<CloudEvent>(trigger(json!({"id": "x"}), json!({}))).expect_err("no type");
        assert_eq!(
            err.message(),
            "expected an Event Grid event with eventType (or a CloudEvent with specversion)"
        );
    }
}
