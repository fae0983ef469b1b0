//! Pub/Sub's message envelope, as a push subscription POSTs it and as the
//! `data` of Eventarc's `google.cloud.pubsub.topic.v1.messagePublished`
//! CloudEvent (the same shape):
//!
//! ```json
//! {"message": {"data": "base64", "attributes": {"k": "v"},
//!              "messageId": "…", "message_id": "…",
//!              "publishTime": "RFC 3339", "publish_time": "RFC 3339",
//!              "orderingKey": "…"},
//!  "subscription": "projects/P/subscriptions/S",
//!  "deliveryAttempt": 3}
//! ```
//!
//! One struct ([`PushEnvelope`]) reads both and one mapping turns it into a
//! [`Message`] or, for a Cloud Storage notification carried by Pub/Sub, an
//! [`ObjectEvent`]. How a plain JSON POST is told from the portable types'
//! JSON is [`is_push_envelope`].

use std::collections::BTreeMap;
use std::time::SystemTime;

use anyfn::event::{CloudEvent, Message, ObjectChange, ObjectEvent};
use anyfn::{Body, Error};
use serde::de::IgnoredAny;
use serde::{Deserialize, Deserializer};

use crate::gcs_object::ObjectResource;

/// The portable type a plain JSON POST may also be, by its required
/// top-level key.
#[derive(Debug, Clone, Copy)]
pub(crate) enum PortableJson {
    /// A `QueueBatch`: `{"messages": […]}`.
    QueueBatch,
    /// A `StorageEvent`: `{"objects": […]}`.
    StorageEvent,
}

/// Whether a plain JSON POST (no CloudEvent) is a Pub/Sub push envelope
/// rather than `portable`'s own JSON.
///
/// Told from the top-level keys alone, in this order:
///
/// 1. The portable type's required key (`messages`, `objects`) present: the
///    portable type's JSON. A push envelope
///    never has it (its fields are `message`, `subscription` and
///    `deliveryAttempt`), so an envelope is never read as the portable type.
/// 2. `message` or `subscription` present: a push envelope. The portable
///    type cannot be valid without its key, so it is never read as an
///    envelope; an envelope missing its `message` is then refused as such.
/// 3. Anything else (not JSON, not an object, neither key): the portable
///    type's JSON, whose decoder says what was wrong.
pub(crate) fn is_push_envelope(body: &[u8], portable: PortableJson) -> bool {
    // Only an object: serde would also read `TopLevelKeys` from an array.
    if body.trim_ascii_start().first() != Some(&b'{') {
        return false;
    }
    match serde_json::from_slice::<TopLevelKeys>(body) {
        Ok(keys) => {
            let portable = match portable {
                PortableJson::QueueBatch => keys.messages,
                PortableJson::StorageEvent => keys.objects,
            };
            !portable && (keys.message || keys.subscription)
        }
        Err(_) => false,
    }
}

/// The top-level keys [`is_push_envelope`] looks at; values are skipped.
#[derive(Deserialize)]
struct TopLevelKeys {
    #[serde(default, deserialize_with = "present")]
    messages: bool,
    #[serde(default, deserialize_with = "present")]
    objects: bool,
    #[serde(default, deserialize_with = "present")]
    message: bool,
    #[serde(default, deserialize_with = "present")]
    subscription: bool,
}

/// `true` for a key that is there, whatever its value (`null` included).
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    IgnoredAny::deserialize(deserializer).map(|_| true)
}

/// The envelope around one Pub/Sub message: a push subscription's request
/// body, or the `data` of Eventarc's `messagePublished` CloudEvent.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PushEnvelope {
    /// Optional here so that its absence gets our own message.
    #[serde(default)]
    message: Option<PushMessage>,
    /// `projects/P/subscriptions/S`.
    #[serde(default)]
    subscription: Option<String>,
    /// Sent when the subscription has a dead-letter policy.
    #[serde(default)]
    delivery_attempt: Option<u32>,
}

/// A `PubsubMessage` as JSON. Real envelopes carry the id and the publish
/// time twice, camelCase and snake_case; each spelling is a field of its own
/// (a serde alias would refuse the pair as a duplicate), camelCase wins.
#[derive(Debug, Default, Deserialize)]
struct PushMessage {
    #[serde(default)]
    data: Option<String>,
    #[serde(default)]
    attributes: Option<BTreeMap<String, String>>,
    #[serde(default, rename = "messageId")]
    message_id: Option<String>,
    #[serde(default, rename = "message_id")]
    message_id_snake: Option<String>,
    #[serde(default, rename = "publishTime")]
    publish_time: Option<String>,
    #[serde(default, rename = "publish_time")]
    publish_time_snake: Option<String>,
    #[serde(default, rename = "orderingKey")]
    ordering_key: Option<String>,
    #[serde(default, rename = "ordering_key")]
    ordering_key_snake: Option<String>,
}

impl PushEnvelope {
    /// Reads a push subscription's request body.
    pub(crate) fn from_json(body: &[u8]) -> Result<Self, Error> {
        serde_json::from_slice(body).map_err(|err| {
            Error::bad_request(format!(
                "the Pub/Sub push envelope is not as expected: {err}"
            ))
        })
    }

    /// The one message, as a portable [`Message`]: id, body (`data`
    /// base64-decoded; none is an empty body), attributes, publish time,
    /// ordering key, delivery attempt, and the subscription as its source.
    ///
    /// `event` is the Eventarc CloudEvent the envelope came in, if any: its
    /// id, source and time stand in for a missing message id, subscription
    /// and publish time. A push without a message id is refused, since the
    /// id is what a `BatchResult` names.
    pub(crate) fn into_message(self, event: Option<&CloudEvent>) -> Result<Message, Error> {
        let subscription = self.subscription;
        let delivery_attempt = self.delivery_attempt;
        let message = self.message.ok_or_else(missing_message)?;
        let body = message.body()?;
        let sent_time = message.publish_time()?.or(event.and_then(|e| e.time));
        let PushMessage {
            attributes,
            message_id,
            message_id_snake,
            ordering_key,
            ordering_key_snake,
            ..
        } = message;
        let id = message_id
            .or(message_id_snake)
            .or_else(|| event.map(|e| e.id.clone()))
            .ok_or_else(|| {
                Error::bad_request(
                    "the Pub/Sub message has no `messageId` (nor `message_id`); \
                     a push envelope's message needs one",
                )
            })?;
        let mut portable = Message::new(id, body);
        portable.attributes = attributes.unwrap_or_default();
        portable.sent_time = sent_time;
        portable.delivery_attempt = delivery_attempt;
        portable.ordering_key = ordering_key.or(ordering_key_snake);
        portable.source = subscription.or_else(|| event.map(|e| e.source.clone()));
        Ok(portable)
    }

    /// The Cloud Storage change a Pub/Sub notification for Cloud Storage
    /// reports, from the message's attributes (`eventType`, `bucketId`,
    /// `objectId`, `objectGeneration`, `eventTime`) and, with
    /// `payloadFormat` `JSON_API_V1`, the object resource in `data` (`size`,
    /// `etag`). `eventType` maps `OBJECT_FINALIZE` → created, `OBJECT_DELETE`
    /// → deleted, `OBJECT_ARCHIVE` → archived, `OBJECT_METADATA_UPDATE` →
    /// metadata updated; any other is kept as [`ObjectChange::Other`]. The
    /// time is `eventTime`, else the publish time, else `event`'s time.
    pub(crate) fn into_object_event(
        self,
        event: Option<&CloudEvent>,
    ) -> Result<ObjectEvent, Error> {
        let message = self.message.ok_or_else(missing_message)?;
        let attributes = message.attributes.as_ref();
        let attribute = |name: &str| attributes.and_then(|a| a.get(name)).map(String::as_str);
        let required = |name: &str| {
            attribute(name).ok_or_else(|| {
                Error::bad_request(format!(
                    "the Pub/Sub message is not a Cloud Storage notification: \
                     it has no `{name}` attribute"
                ))
            })
        };
        let change = match required("eventType")? {
            "OBJECT_FINALIZE" => ObjectChange::Created,
            "OBJECT_DELETE" => ObjectChange::Deleted,
            "OBJECT_ARCHIVE" => ObjectChange::Archived,
            "OBJECT_METADATA_UPDATE" => ObjectChange::MetadataUpdated,
            other => ObjectChange::Other(other.to_owned()),
        };
        let mut object = ObjectEvent::new(change, required("bucketId")?, required("objectId")?);
        object.version = attribute("objectGeneration").map(str::to_owned);
        object.time = match attribute("eventTime") {
            Some(time) => Some(parse_time("the `eventTime` attribute", time)?),
            None => message.publish_time()?.or(event.and_then(|e| e.time)),
        };
        if attribute("payloadFormat") == Some("JSON_API_V1") {
            let data = message.body()?;
            if !data.is_empty() {
                let resource: ObjectResource = serde_json::from_slice(&data).map_err(|err| {
                    Error::bad_request(format!(
                        "the Cloud Storage notification's `data` (payloadFormat JSON_API_V1) \
                         is not an object resource: {err}"
                    ))
                })?;
                object.size = resource.size()?;
                if object.version.is_none() {
                    object.version = resource.generation();
                }
                object.etag = resource.etag;
            }
        }
        Ok(object)
    }
}

impl PushMessage {
    /// `data` base64-decoded; none (or `""`) is an empty body.
    fn body(&self) -> Result<Vec<u8>, Error> {
        let Some(data) = self.data.as_deref() else {
            return Ok(Vec::new());
        };
        Body::from_base64(data)
            .map(|body| body.as_bytes().to_vec())
            .map_err(|err| {
                let reason = err.message();
                let reason = reason
                    .strip_prefix("the body is not valid base64: ")
                    .unwrap_or(reason);
                Error::bad_request(format!(
                    "the Pub/Sub message's `data` is not valid base64: {reason}"
                ))
            })
    }

    /// `publishTime` (or `publish_time`), when present.
    fn publish_time(&self) -> Result<Option<SystemTime>, Error> {
        self.publish_time
            .as_deref()
            .or(self.publish_time_snake.as_deref())
            .map(|time| parse_time("the Pub/Sub message's `publishTime`", time))
            .transpose()
    }
}

fn parse_time(what: &str, text: &str) -> Result<SystemTime, Error> {
    anyfn::time::parse_rfc3339(text)
        .map_err(|reason| Error::bad_request(format!("{what}: {reason}")))
}

fn missing_message() -> Error {
    Error::bad_request(
        "the Pub/Sub envelope has no `message` object; expected \
         {\"message\": {\"data\": …, \"attributes\": …, \"messageId\": …}, \"subscription\": …}",
    )
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

    fn message(json: &str) -> Result<Message, Error> {
        PushEnvelope::from_json(json.as_bytes())?.into_message(None)
    }

    fn object(json: &str) -> Result<ObjectEvent, Error> {
        PushEnvelope::from_json(json.as_bytes())?.into_object_event(None)
    }

    #[test]
    fn both_spellings_of_id_and_time_are_read_and_camel_case_wins() {
        let m = message(
            r#"{"message":{"data":"aGk=","messageId":"1","message_id":"1",
                "publishTime":"2021-02-26T19:13:55.749Z","publish_time":"2021-02-26T19:13:55.749Z"},
                "subscription":"projects/p/subscriptions/s"}"#,
        )
        .unwrap();
        assert_eq!(m.id, "1");
        assert_eq!(
            m.sent_time,
            Some(UNIX_EPOCH + Duration::from_millis(1_614_366_835_749))
        );
        let m = message(r#"{"message":{"messageId":"camel","message_id":"snake"}}"#).unwrap();
        assert_eq!(m.id, "camel");
        let m =
            message(r#"{"message":{"message_id":"snake","publish_time":"2021-02-26T19:13:55Z"}}"#)
                .unwrap();
        assert_eq!(m.id, "snake");
        assert_eq!(
            m.sent_time,
            Some(UNIX_EPOCH + Duration::from_secs(1_614_366_835))
        );
    }

    #[test]
    fn data_and_attributes_may_be_absent_or_null() {
        let m = message(r#"{"message":{"messageId":"1","attributes":null}}"#).unwrap();
        assert!(m.body.is_empty());
        assert!(m.attributes.is_empty());
        assert_eq!(m.source, None);
        assert_eq!(m.delivery_attempt, None);
        assert_eq!(m.ordering_key, None);
        let m = message(r#"{"message":{"messageId":"1","data":""}}"#).unwrap();
        assert!(m.body.is_empty());
    }

    #[test]
    fn every_field_maps() {
        let m = message(
            r#"{"message":{"data":"3q2+7w==","attributes":{"k":"v"},"messageId":"9",
                "orderingKey":"o"},"subscription":"projects/p/subscriptions/s","deliveryAttempt":4}"#,
        )
        .unwrap();
        assert_eq!(m.body.as_ref(), [0xde, 0xad, 0xbe, 0xef]);
        assert_eq!(m.attributes, BTreeMap::from([("k".into(), "v".into())]));
        assert_eq!(m.ordering_key.as_deref(), Some("o"));
        assert_eq!(m.delivery_attempt, Some(4));
        assert_eq!(m.source.as_deref(), Some("projects/p/subscriptions/s"));
    }

    #[test]
    fn the_cloud_event_fills_what_the_envelope_lacks() {
        let event = CloudEvent::new("ce-1", "//pubsub.googleapis.com/projects/p/topics/t", "t")
            .with_time(UNIX_EPOCH + Duration::from_secs(7));
        let m = PushEnvelope::from_json(br#"{"message":{}}"#)
            .unwrap()
            .into_message(Some(&event))
            .unwrap();
        assert_eq!(m.id, "ce-1");
        assert_eq!(
            m.source.as_deref(),
            Some("//pubsub.googleapis.com/projects/p/topics/t")
        );
        assert_eq!(m.sent_time, Some(UNIX_EPOCH + Duration::from_secs(7)));
    }

    #[test]
    fn bad_input_says_what_was_wrong() {
        let err = message(r#"{"message":{"messageId":"1","data":"not base64!"}}"#).unwrap_err();
        assert!(
            err.message()
                .starts_with("the Pub/Sub message's `data` is not valid base64: "),
            "{err}"
        );
        let err = message(r#"{"subscription":"projects/p/subscriptions/s"}"#).unwrap_err();
        assert!(
            err.message()
                .starts_with("the Pub/Sub envelope has no `message` object"),
            "{err}"
        );
        let err = message(r#"{"message":{"data":"aGk="}}"#).unwrap_err();
        assert!(err.message().contains("no `messageId`"), "{err}");
        let err =
            message(r#"{"message":{"messageId":"1","publishTime":"yesterday"}}"#).unwrap_err();
        assert!(
            err.message()
                .starts_with("the Pub/Sub message's `publishTime`: \"yesterday\""),
            "{err}"
        );
        let err = message(r#"{"message":"hello"}"#).unwrap_err();
        assert!(
            err.message()
                .starts_with("the Pub/Sub push envelope is not as expected: invalid type"),
            "{err}"
        );
        let err = message(r#"{"message":{"messageId":"1"},"deliveryAttempt":-1}"#).unwrap_err();
        assert!(
            err.message().contains("invalid value: integer `-1`"),
            "{err}"
        );
    }

    #[test]
    fn queue_batch_json_and_envelopes_are_told_apart() {
        let batch = br#"{"messages":[{"id":"1","body":"x"}]}"#;
        assert!(!is_push_envelope(batch, PortableJson::QueueBatch));
        // A stray `message` key does not make a batch an envelope.
        assert!(!is_push_envelope(
            br#"{"messages":[],"message":{}}"#,
            PortableJson::QueueBatch
        ));
        assert!(is_push_envelope(
            br#"{"message":{},"subscription":"s"}"#,
            PortableJson::QueueBatch
        ));
        assert!(is_push_envelope(
            br#"{"message":null}"#,
            PortableJson::QueueBatch
        ));
        assert!(is_push_envelope(
            br#"{"subscription":"s"}"#,
            PortableJson::QueueBatch
        ));
        assert!(is_push_envelope(
            br#"{"message":{}}"#,
            PortableJson::StorageEvent
        ));
        assert!(!is_push_envelope(
            br#"{"objects":[],"message":{}}"#,
            PortableJson::StorageEvent
        ));
        for other in [
            &b""[..],
            b"[]",
            b"not json",
            b"{}",
            b"{\"id\":\"1\"}",
            b"\"message\"",
            b"[1,2,3,4]",
        ] {
            assert!(
                !is_push_envelope(other, PortableJson::QueueBatch),
                "{other:?}"
            );
            assert!(
                !is_push_envelope(other, PortableJson::StorageEvent),
                "{other:?}"
            );
        }
    }

    fn notification(attributes: &str, data: Option<&str>) -> String {
        let data = data
            .map(|d| format!(r#""data":"{d}","#))
            .unwrap_or_default();
        format!(r#"{{"message":{{{data}"attributes":{attributes},"messageId":"1"}}}}"#)
    }

    #[test]
    fn a_storage_notification_maps_each_event_type() {
        for (name, change) in [
            ("OBJECT_FINALIZE", ObjectChange::Created),
            ("OBJECT_DELETE", ObjectChange::Deleted),
            ("OBJECT_ARCHIVE", ObjectChange::Archived),
            ("OBJECT_METADATA_UPDATE", ObjectChange::MetadataUpdated),
            (
                "OBJECT_SOMETHING_NEW",
                ObjectChange::Other("OBJECT_SOMETHING_NEW".into()),
            ),
        ] {
            let event = object(&notification(
                &format!(
                    r#"{{"eventType":"{name}","bucketId":"b","objectId":"dir/a b.txt",
                    "objectGeneration":"17","eventTime":"2024-01-02T03:04:05.5Z","payloadFormat":"NONE"}}"#
                ),
                None,
            ))
            .unwrap();
            let expected = ObjectEvent::new(change, "b", "dir/a b.txt")
                .with_version("17")
                .with_time(UNIX_EPOCH + Duration::from_millis(1_704_164_645_500));
            assert_eq!(event, expected);
        }
    }

    #[test]
    fn json_api_v1_data_adds_size_and_etag() {
        // {"size":"42","etag":"CAE=","generation":"17"}
        let data = Body::from(&br#"{"size":"42","etag":"CAE=","generation":"17"}"#[..]).to_base64();
        let event = object(&notification(
            r#"{"eventType":"OBJECT_FINALIZE","bucketId":"b","objectId":"k","payloadFormat":"JSON_API_V1"}"#,
            Some(&data),
        ))
        .unwrap();
        assert_eq!(event.size, Some(42));
        assert_eq!(event.etag.as_deref(), Some("CAE="));
        assert_eq!(event.version.as_deref(), Some("17"));
        assert_eq!(event.time, None);
    }

    #[test]
    fn a_message_that_is_no_storage_notification_is_refused() {
        let err = object(&notification(r#"{"bucketId":"b","objectId":"k"}"#, None)).unwrap_err();
        assert_eq!(
            err.message(),
            "the Pub/Sub message is not a Cloud Storage notification: it has no `eventType` attribute"
        );
        let err = object(r#"{"message":{"messageId":"1"}}"#).unwrap_err();
        assert!(
            err.message().ends_with("it has no `eventType` attribute"),
            "{err}"
        );
        let data = Body::from(&b"\"text\""[..]).to_base64();
        let err = object(&notification(
            r#"{"eventType":"OBJECT_FINALIZE","bucketId":"b","objectId":"k","payloadFormat":"JSON_API_V1"}"#,
            Some(&data),
        ))
        .unwrap_err();
        assert!(err.message().contains("is not an object resource"), "{err}");
        let data = Body::from(&br#"{"size":"big"}"#[..]).to_base64();
        let err = object(&notification(
            r#"{"eventType":"OBJECT_FINALIZE","bucketId":"b","objectId":"k","payloadFormat":"JSON_API_V1"}"#,
            Some(&data),
        ))
        .unwrap_err();
        assert_eq!(
            err.message(),
            "the Cloud Storage object's `size` \"big\" is not a whole number"
        );
    }
}
