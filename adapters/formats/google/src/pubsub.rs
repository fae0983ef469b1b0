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
//! JSON is [`is_push_envelope`](crate::is_push_envelope).

use std::collections::BTreeMap;
use std::time::SystemTime;

use anyfn::event::{CloudEvent, Message, ObjectChange, ObjectEvent};
use anyfn::{Body, Error};
use serde::Deserialize;

use crate::gcs_object::ObjectResource;

/// The Eventarc CloudEvent type of a Pub/Sub message, whose `data` is a
/// [`PushEnvelope`].
///
/// # Example
///
/// ```
/// assert_eq!(
///     anyfn_formats_google::PUBSUB_MESSAGE_PUBLISHED,
///     "google.cloud.pubsub.topic.v1.messagePublished"
/// );
/// ```
pub const PUBSUB_MESSAGE_PUBLISHED: &str = "google.cloud.pubsub.topic.v1.messagePublished";

/// The envelope around one Pub/Sub message: a push subscription's request
/// body, or the `data` of Eventarc's `messagePublished` CloudEvent
/// ([`PUBSUB_MESSAGE_PUBLISHED`]).
///
/// Read with [`from_json`](Self::from_json) (or serde, from a CloudEvent's
/// data), then taken as a [`Message`] ([`into_message`](Self::into_message))
/// or, for a Cloud Storage notification, an [`ObjectEvent`]
/// ([`into_object_event`](Self::into_object_event)).
///
/// # Example
///
/// ```
/// use anyfn_formats_google::PushEnvelope;
///
/// let body = br#"{"message": {"data": "aGk=", "attributes": {"k": "v"},
///     "messageId": "2070443601311540", "publishTime": "2021-02-26T19:13:55.749Z"},
///     "subscription": "projects/p/subscriptions/s"}"#;
/// let message = PushEnvelope::from_json(body)?.into_message(None)?;
/// assert_eq!(message.id, "2070443601311540");
/// assert_eq!(message.text()?, "hi");
/// assert_eq!(message.source.as_deref(), Some("projects/p/subscriptions/s"));
/// # Ok::<(), anyfn::Error>(())
/// ```
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PushEnvelope {
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
    ///
    /// Every field is optional here, so that a missing one gets its own
    /// message when the envelope is taken apart.
    ///
    /// # Errors
    ///
    /// [`BadRequest`](anyfn::ErrorKind::BadRequest) "the Pub/Sub push
    /// envelope is not as expected: …" when `body` is not JSON or a field
    /// has the wrong type.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_formats_google::PushEnvelope;
    ///
    /// assert!(PushEnvelope::from_json(br#"{"message": {}}"#).is_ok());
    /// let err = PushEnvelope::from_json(br#"{"message": "hello"}"#).err().expect("not an envelope");
    /// assert!(err.message().starts_with("the Pub/Sub push envelope is not as expected: invalid type"));
    /// ```
    pub fn from_json(body: &[u8]) -> Result<Self, Error> {
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
    ///
    /// # Errors
    ///
    /// [`BadRequest`](anyfn::ErrorKind::BadRequest) saying what is wrong:
    /// no `message` object, `data` that is not base64, a `publishTime` that
    /// is not RFC 3339, no message id (and no `event` to lend one).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::CloudEvent;
    /// use anyfn_formats_google::PushEnvelope;
    ///
    /// // Through Eventarc: the CloudEvent lends its id and source.
    /// let event = CloudEvent::new("ce-1", "//pubsub.googleapis.com/projects/p/topics/t", "t");
    /// let message = PushEnvelope::from_json(br#"{"message": {"data": "aGk="}}"#)?
    ///     .into_message(Some(&event))?;
    /// assert_eq!(message.id, "ce-1");
    /// assert_eq!(message.source.as_deref(), Some("//pubsub.googleapis.com/projects/p/topics/t"));
    ///
    /// // A push on its own needs a message id.
    /// let err = PushEnvelope::from_json(br#"{"message": {"data": "aGk="}}"#)?
    ///     .into_message(None)
    ///     .err()
    ///     .expect("no id");
    /// assert!(err.message().contains("no `messageId`"));
    /// # Ok::<(), anyfn::Error>(())
    /// ```
    pub fn into_message(self, event: Option<&CloudEvent>) -> Result<Message, Error> {
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
    ///
    /// # Errors
    ///
    /// [`BadRequest`](anyfn::ErrorKind::BadRequest) saying what is wrong:
    /// no `message` object, no `eventType`, `bucketId` or `objectId`
    /// attribute (the message is not a Cloud Storage notification), a time
    /// that is not RFC 3339, `data` that is not base64 or not an object
    /// resource, a `size` that is not a whole number.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::ObjectChange;
    /// use anyfn_formats_google::PushEnvelope;
    ///
    /// let body = br#"{"message": {"messageId": "1", "attributes": {
    ///     "eventType": "OBJECT_FINALIZE", "bucketId": "my-bucket", "objectId": "photos/cat 1.jpg",
    ///     "objectGeneration": "1708536398112345", "eventTime": "2024-02-21T17:26:38.135913Z",
    ///     "payloadFormat": "NONE"}}}"#;
    /// let object = PushEnvelope::from_json(body)?.into_object_event(None)?;
    /// assert_eq!(object.change, ObjectChange::Created);
    /// assert_eq!((object.bucket.as_str(), object.key.as_str()), ("my-bucket", "photos/cat 1.jpg"));
    /// assert_eq!(object.version.as_deref(), Some("1708536398112345"));
    /// # Ok::<(), anyfn::Error>(())
    /// ```
    pub fn into_object_event(self, event: Option<&CloudEvent>) -> Result<ObjectEvent, Error> {
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
                object.etag = resource.into_etag();
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

    fn push_fixture(name: &str) -> Vec<u8> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../tests/fixtures/pubsub-push")
            .join(name);
        std::fs::read(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
    }

    fn fixture_message(name: &str) -> Message {
        PushEnvelope::from_json(&push_fixture(name))
            .and_then(|envelope| envelope.into_message(None))
            .unwrap_or_else(|err| panic!("{name}: {err}"))
    }

    /// Google's documented push bodies (tests/fixtures/pubsub-push, origin in
    /// its README), every field of each.
    #[test]
    fn the_documented_push_bodies_decode_with_every_field() {
        let hello = "Hello Cloud Pub/Sub! Here is my message!";
        let subscription = "projects/myproject/subscriptions/mysubscription";
        let expected = Message::new("2070443601311540", hello)
            .with_attribute("key", "value")
            .with_sent_time(UNIX_EPOCH + Duration::from_millis(1_614_366_835_749))
            .with_source(subscription);
        assert_eq!(fixture_message("push.json"), expected);

        let expected = Message::new("136969346945", hello)
            .with_attribute("key", "value")
            .with_source(subscription);
        assert_eq!(fixture_message("push-legacy.json"), expected);

        let expected = Message::new("8161239120930128", r#"{"order":7}"#)
            .with_attribute("tenant", "acme")
            .with_sent_time(UNIX_EPOCH + Duration::new(1_709_633_472, 123_456_789))
            .with_ordering_key("customer-42")
            .with_delivery_attempt(5)
            .with_source("projects/myproject/subscriptions/orders-push");
        assert_eq!(fixture_message("push-ordered-dead-letter.json"), expected);

        let expected = Message::new("9000000000000001", "")
            .with_attribute("action", "ping")
            .with_sent_time(UNIX_EPOCH + Duration::from_secs(1_709_633_472))
            .with_source(subscription);
        assert_eq!(fixture_message("push-attributes-only.json"), expected);
    }

    /// The Cloud Storage notifications through Pub/Sub: the change from
    /// `eventType`, the object from the attributes, size and etag from the
    /// JSON_API_V1 resource (none with payload format NONE).
    #[test]
    fn the_storage_notification_fixtures_decode_with_every_field() {
        let time = UNIX_EPOCH + Duration::from_micros(1_708_536_398_135_913);
        for (name, change, etag) in [
            (
                "gcs-finalize.json",
                ObjectChange::Created,
                Some("CNnE2d2Lz4QDEAE="),
            ),
            (
                "gcs-archive.json",
                ObjectChange::Archived,
                Some("CNnE2d2Lz4QDEAE="),
            ),
            (
                "gcs-metadata-update.json",
                ObjectChange::MetadataUpdated,
                Some("CNnE2d2Lz4QDEAI="),
            ),
            ("gcs-delete-none.json", ObjectChange::Deleted, None),
        ] {
            let object = PushEnvelope::from_json(&push_fixture(name))
                .and_then(|envelope| envelope.into_object_event(None))
                .unwrap_or_else(|err| panic!("{name}: {err}"));
            let mut expected = ObjectEvent::new(change, "my-bucket", "photos/cat 1.jpg")
                .with_version("1708536398112345")
                .with_time(time);
            if let Some(etag) = etag {
                expected = expected.with_size(2048).with_etag(etag);
            }
            assert_eq!(object, expected, "{name}");
            // And each is a message like any other.
            let message = fixture_message(name);
            assert_eq!(message.attributes["objectId"], "photos/cat 1.jpg", "{name}");
        }
    }
}
