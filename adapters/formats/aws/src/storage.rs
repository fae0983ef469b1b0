//! S3 notifications (and S3 events through EventBridge) into [`StorageEvent`].

use std::time::SystemTime;

use anyfn::event::{ObjectChange, ObjectEvent, StorageEvent};
use anyfn::{Error, Query};
use serde::Deserialize;

use crate::{read_payload, unexpected_payload, AwsShape};

/// What [`decode_storage_event`] reads, as its errors and
/// [`FromAwsPayload::AWS_PAYLOADS`](crate::FromAwsPayload::AWS_PAYLOADS) name it.
macro_rules! storage_event_payloads {
    () => {
        "an S3 notification (`Records` with `eventSource` \"aws:s3\") \
        or an S3 event from EventBridge (`source` \"aws.s3\")"
    };
}
pub(crate) use storage_event_payloads;

const EXPECTED: &str = concat!("expected ", storage_event_payloads!());

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawPayload {
    #[serde(rename = "Records")]
    records: Option<Vec<RawRecord>>,
    source: Option<String>,
    #[serde(rename = "detail-type")]
    detail_type: Option<String>,
    time: Option<String>,
    detail: Option<RawEventBridgeDetail>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct RawRecord {
    event_source: Option<String>,
    event_name: Option<String>,
    event_time: Option<String>,
    s3: Option<RawS3>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawS3 {
    bucket: RawBucket,
    object: RawObject,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawBucket {
    name: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct RawObject {
    key: String,
    size: Option<u64>,
    e_tag: Option<String>,
    version_id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawEventBridgeDetail {
    bucket: RawBucket,
    object: RawEventBridgeObject,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawEventBridgeObject {
    key: String,
    size: Option<u64>,
    etag: Option<String>,
    #[serde(rename = "version-id")]
    version_id: Option<String>,
}

/// Reads an S3 event notification, or an S3 event delivered by EventBridge,
/// as a [`StorageEvent`], and says which of the two it was.
///
/// - A notification (`Records`, each with `eventSource` `aws:s3`) is
///   [`AwsShape::S3`], one [`ObjectEvent`] per record: the key
///   form-decoded (S3 sends `+` for a space and `%XX` escapes), `size`,
///   `eTag`, `versionId`, `eventTime`; the `eventName` family gives the
///   change (`ObjectCreated:*` created, `ObjectRemoved:*` deleted,
///   `ObjectRestore:Completed` restored, `LifecycleTransition` archived,
///   `ObjectTagging:*` and `ObjectAcl:*` metadata updated, anything else
///   [`ObjectChange::Other`] with the name).
/// - An EventBridge event with `source` `aws.s3` is [`AwsShape::EventBridge`],
///   one object from `detail` (`bucket.name`, `object.key` as sent, `size`,
///   `etag`, `version-id`), the change from `detail-type` (`Object
///   Created`, `Object Deleted`, `Object Restore Completed`, `Object Tags
///   Added`/`Deleted` and `Object ACL Updated`; others kept as
///   [`ObjectChange::Other`]) and the time from `time`.
///
/// A time that is not RFC 3339 is left out rather than refused.
///
/// # Errors
///
/// [`ErrorKind::BadRequest`](anyfn::ErrorKind::BadRequest) saying what was
/// expected and what was found: a payload that is not JSON or not of this
/// shape, a record whose `eventSource` is not `aws:s3` (naming its index and
/// source), or a JSON object that is neither form.
///
/// # Example
///
/// ```
/// use anyfn::event::ObjectChange;
/// use anyfn_formats_aws::{decode_storage_event, AwsShape};
///
/// let payload = br#"{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put",
///     "s3":{"bucket":{"name":"photos"},"object":{"key":"cat+1.jpg","size":1024}}}]}"#;
/// let (event, shape) = decode_storage_event(payload)?;
/// assert_eq!(shape, AwsShape::S3);
/// let object = &event.objects[0];
/// assert_eq!((object.bucket.as_str(), object.key.as_str()), ("photos", "cat 1.jpg"));
/// assert_eq!(object.change, ObjectChange::Created);
/// assert_eq!(object.size, Some(1024));
///
/// let err = decode_storage_event(br#"{"hello":1}"#).err().expect("not S3");
/// assert!(err.message().ends_with("found a JSON object with keys: hello"));
/// # Ok::<(), anyfn::Error>(())
/// ```
pub fn decode_storage_event(payload: &[u8]) -> Result<(StorageEvent, AwsShape), Error> {
    let raw: RawPayload = read_payload(payload, EXPECTED)?;
    if let Some(records) = raw.records {
        let mut objects = Vec::with_capacity(records.len());
        for (index, record) in records.into_iter().enumerate() {
            if record.event_source.as_deref() != Some("aws:s3") {
                return Err(Error::bad_request(format!(
                    "{EXPECTED}; record {index} has eventSource {:?}",
                    record.event_source.unwrap_or_default()
                )));
            }
            let s3 = record.s3.unwrap_or_default();
            let mut object = ObjectEvent::new(
                change_of(record.event_name.as_deref().unwrap_or_default()),
                s3.bucket.name,
                // S3 sends keys form-encoded: `+` for space, `%XX` escapes.
                Query::decode_component(&s3.object.key),
            );
            object.size = s3.object.size;
            object.etag = s3.object.e_tag;
            object.version = s3.object.version_id;
            object.time = record.event_time.as_deref().and_then(parse_time);
            objects.push(object);
        }
        return Ok((StorageEvent::new(objects), AwsShape::S3));
    }
    if raw.source.as_deref() == Some("aws.s3") {
        let detail = raw.detail.unwrap_or_default();
        let change = match raw.detail_type.as_deref().unwrap_or_default() {
            "Object Created" => ObjectChange::Created,
            "Object Deleted" => ObjectChange::Deleted,
            "Object Restore Completed" => ObjectChange::Restored,
            "Object Tags Added" | "Object Tags Deleted" | "Object ACL Updated" => {
                ObjectChange::MetadataUpdated
            }
            other => ObjectChange::Other(other.to_owned()),
        };
        let mut object = ObjectEvent::new(change, detail.bucket.name, detail.object.key);
        object.size = detail.object.size;
        object.etag = detail.object.etag;
        object.version = detail.object.version_id;
        object.time = raw.time.as_deref().and_then(parse_time);
        return Ok((StorageEvent::new(vec![object]), AwsShape::EventBridge));
    }
    Err(unexpected_payload(EXPECTED, payload))
}

/// `ObjectCreated:Put` → created, `ObjectRemoved:Delete` → deleted, …
fn change_of(event_name: &str) -> ObjectChange {
    let family = event_name.split(':').next().unwrap_or_default();
    match family {
        "ObjectCreated" => ObjectChange::Created,
        "ObjectRemoved" => ObjectChange::Deleted,
        "ObjectRestore" if event_name.ends_with(":Completed") => ObjectChange::Restored,
        "LifecycleTransition" => ObjectChange::Archived,
        "ObjectTagging" | "ObjectAcl" => ObjectChange::MetadataUpdated,
        _ => ObjectChange::Other(event_name.to_owned()),
    }
}

fn parse_time(text: &str) -> Option<SystemTime> {
    anyfn::time::parse_rfc3339(text).ok()
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

    #[test]
    fn plus_and_escapes_in_keys_are_decoded() {
        let payload = br#"{"Records":[{"eventSource":"aws:s3","eventName":"ObjectRemoved:Delete","s3":{"bucket":{"name":"b"},"object":{"key":"a+b%2Fc%20d.txt"}}}]}"#;
        let (event, shape) = decode_storage_event(payload).unwrap();
        assert_eq!(shape, AwsShape::S3);
        assert_eq!(event.objects[0].key, "a b/c d.txt");
        assert_eq!(event.objects[0].change, ObjectChange::Deleted);
    }

    #[test]
    fn other_records_are_refused_with_what_was_found() {
        let err = decode_storage_event(br#"{"Records":[{"eventSource":"aws:sqs"}]}"#).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("record 0 has eventSource \"aws:sqs\""),
            "{err}"
        );
        let err = decode_storage_event(br#"{"hello":1}"#).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("found a JSON object with keys: hello"),
            "{err}"
        );
    }

    /// Tagging and ACL events decoded as `Other`, so a `MetadataUpdated`
    /// event did not survive a round trip through S3's notification shape
    /// (found by the differential test's author).
    #[test]
    fn regression_tagging_and_acl_events_are_metadata_updates() {
        for name in ["ObjectTagging:Put", "ObjectTagging:Delete", "ObjectAcl:Put"] {
            assert_eq!(change_of(name), ObjectChange::MetadataUpdated, "{name}");
        }
    }

    /// aws_lambda_events' S3 examples (tests/fixtures/aws): the key
    /// form-decoded, every field the notification has.
    #[test]
    fn the_s3_fixtures_decode_with_their_fields() {
        for fixture in [
            include_str!("../../../../tests/fixtures/aws/example-s3-event.json"),
            include_str!("../../../../tests/fixtures/aws/example-s3-event-with-decoded.json"),
        ] {
            let (event, shape) = decode_storage_event(fixture.as_bytes()).unwrap();
            assert_eq!(shape, AwsShape::S3);
            let expected =
                ObjectEvent::new(ObjectChange::Created, "sourcebucket", "Happy Face.jpg")
                    .with_size(1024)
                    .with_etag("d41d8cd98f00b204e9800998ecf8427e")
                    .with_version("version")
                    .with_time(UNIX_EPOCH + Duration::from_millis(123));
            assert_eq!(event.objects, [expected]);
        }
    }

    /// The EventBridge example of aws_lambda_events is an EC2 event, not
    /// S3's: refused, naming what was found.
    #[test]
    fn an_eventbridge_event_of_another_service_is_refused() {
        let fixture =
            include_str!("../../../../tests/fixtures/aws/example-eventbridge-event-obj.json");
        let err = decode_storage_event(fixture.as_bytes()).unwrap_err();
        assert!(err.is_bad_request());
        assert!(
            err.message()
                .ends_with("found a JSON object with keys: account, detail, detail-type, id, region, resources, source, time"),
            "{err}"
        );
    }

    /// S3's EventBridge form (the "Object Created" example of S3's
    /// EventBridge documentation): the key as sent, the time from `time`.
    #[test]
    fn an_s3_event_through_eventbridge_is_one_object() {
        let payload = br#"{"version":"0","id":"17793124-05d4-b198-2fde-7ededc63b103",
            "detail-type":"Object Created","source":"aws.s3","account":"111122223333",
            "time":"2021-11-12T00:00:00Z","region":"ca-central-1",
            "resources":["arn:aws:s3:::DOC-EXAMPLE-BUCKET1"],
            "detail":{"version":"0","bucket":{"name":"DOC-EXAMPLE-BUCKET1"},
              "object":{"key":"example-key","size":5,"etag":"b1946ac92492d2347c6235b4d2611184",
                "version-id":"IYV3p45BT0ac8hjHg1houSdS1a.Mro8e","sequencer":"00617F08299329D189"},
              "request-id":"N4N7GDK58NMKJ12R","requester":"123456789012",
              "source-ip-address":"1.2.3.4","reason":"PutObject"}}"#;
        let (event, shape) = decode_storage_event(payload).unwrap();
        assert_eq!(shape, AwsShape::EventBridge);
        let expected =
            ObjectEvent::new(ObjectChange::Created, "DOC-EXAMPLE-BUCKET1", "example-key")
                .with_size(5)
                .with_etag("b1946ac92492d2347c6235b4d2611184")
                .with_version("IYV3p45BT0ac8hjHg1houSdS1a.Mro8e")
                .with_time(UNIX_EPOCH + Duration::from_secs(1_636_675_200));
        assert_eq!(event.objects, [expected]);
    }
}
