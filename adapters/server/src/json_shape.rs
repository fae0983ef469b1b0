//! What a plain JSON POST of an event is (no CloudEvent, no legacy Cloud
//! Functions event): told by the body's top-level keys alone, before any
//! decoder reads it, so that a provider's payload is never read as
//! anyfn's portable JSON (which would ignore its fields and half-fill the
//! event) and a body of no known shape is refused as such.

use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;

/// The top-level keys of a JSON object that mark one of the shapes an event
/// function takes; any other key is skipped, its value unread.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TopLevelKeys {
    /// `Records`: an S3, SQS or SNS notification.
    pub(crate) records: bool,
    /// `Messages`: SQS's ReceiveMessage answer.
    pub(crate) receive_messages: bool,
    /// `detail-type`: an EventBridge event.
    pub(crate) detail_type: bool,
    /// `source` `"aws.s3"`: an S3 event from EventBridge (what the S3
    /// decoder takes it by).
    pub(crate) source_aws_s3: bool,
    /// `specversion`: a CloudEvent in the JSON event format.
    pub(crate) specversion: bool,
    /// `messages`: a portable `QueueBatch`.
    pub(crate) messages: bool,
    /// `objects`: a portable `StorageEvent`.
    pub(crate) objects: bool,
    /// `id`: a portable `ScheduleTick` (also in EventBridge events and
    /// CloudEvents, which have their own marks).
    pub(crate) id: bool,
    /// `time`: a portable `ScheduleTick` (as `id`).
    pub(crate) time: bool,
}

impl TopLevelKeys {
    /// The keys of `body` when it is one JSON object; `None` for anything
    /// else (not JSON, another JSON value, trailing bytes), which no
    /// decoder takes.
    pub(crate) fn of(body: &[u8]) -> Option<Self> {
        // Only an object: serde would also read a map from nothing else, but
        // say so before the parser does.
        if body.trim_ascii_start().first() != Some(&b'{') {
            return None;
        }
        serde_json::from_slice(body).ok()
    }
}

impl<'de> Deserialize<'de> for TopLevelKeys {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(KeysVisitor)
    }
}

struct KeysVisitor;

impl<'de> Visitor<'de> for KeysVisitor {
    type Value = TopLevelKeys;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TopLevelKeys, A::Error> {
        let mut keys = TopLevelKeys::default();
        // A key given twice is still the key: what a decoder then makes of
        // it is the decoder's to say.
        while let Some(key) = map.next_key::<Key>()? {
            if let Key::Source = key {
                keys.source_aws_s3 |= map.next_value::<IsAwsS3>()?.0;
                continue;
            }
            map.next_value::<IgnoredAny>()?;
            let seen = match key {
                Key::Records => &mut keys.records,
                Key::ReceiveMessages => &mut keys.receive_messages,
                Key::DetailType => &mut keys.detail_type,
                Key::SpecVersion => &mut keys.specversion,
                Key::Messages => &mut keys.messages,
                Key::Objects => &mut keys.objects,
                Key::Id => &mut keys.id,
                Key::Time => &mut keys.time,
                Key::Source | Key::Other => continue,
            };
            *seen = true;
        }
        Ok(keys)
    }
}

/// One top-level key, read without allocating.
enum Key {
    Records,
    ReceiveMessages,
    DetailType,
    SpecVersion,
    Messages,
    Objects,
    Id,
    Time,
    Source,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

struct KeyVisitor;

impl Visitor<'_> for KeyVisitor {
    type Value = Key;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("an object key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Key, E> {
        Ok(match key {
            "Records" => Key::Records,
            "Messages" => Key::ReceiveMessages,
            "detail-type" => Key::DetailType,
            "specversion" => Key::SpecVersion,
            "messages" => Key::Messages,
            "objects" => Key::Objects,
            "id" => Key::Id,
            "time" => Key::Time,
            "source" => Key::Source,
            _ => Key::Other,
        })
    }
}

/// Whether a value is the string `"aws.s3"`; any other value is skipped.
struct IsAwsS3(bool);

impl<'de> Deserialize<'de> for IsAwsS3 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(IsAwsS3Visitor)
    }
}

struct IsAwsS3Visitor;

impl<'de> Visitor<'de> for IsAwsS3Visitor {
    type Value = IsAwsS3;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<IsAwsS3, E> {
        Ok(IsAwsS3(value == "aws.s3"))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<IsAwsS3, E> {
        Ok(IsAwsS3(false))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<IsAwsS3, E> {
        Ok(IsAwsS3(false))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<IsAwsS3, E> {
        Ok(IsAwsS3(false))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<IsAwsS3, E> {
        Ok(IsAwsS3(false))
    }

    fn visit_unit<E: de::Error>(self) -> Result<IsAwsS3, E> {
        Ok(IsAwsS3(false))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<IsAwsS3, A::Error> {
        IgnoredAny.visit_seq(seq).map(|_| IsAwsS3(false))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<IsAwsS3, A::Error> {
        IgnoredAny.visit_map(map).map(|_| IsAwsS3(false))
    }
}

#[cfg(test)]
mod tests {
    use super::TopLevelKeys;

    #[test]
    fn the_marks_are_read_from_the_top_level_only() {
        let keys = TopLevelKeys::of(
            br#"{"Records": [{"messages": 1}], "detail-type": null, "x": {"id": 1}}"#,
        )
        .expect("an object");
        assert_eq!(
            keys,
            TopLevelKeys {
                records: true,
                detail_type: true,
                ..TopLevelKeys::default()
            }
        );
        let keys = TopLevelKeys::of(br#" {"id":"t","time":"x","Messages":[],"specversion":"1.0","messages":[],"objects":[]}"#)
            .expect("an object");
        assert!(keys.id && keys.time && keys.receive_messages && keys.specversion);
        assert!(keys.messages && keys.objects && !keys.records && !keys.detail_type);
    }

    #[test]
    fn only_the_source_aws_s3_marks_an_s3_event() {
        for (body, marked) in [
            (&br#"{"source": "aws.s3"}"#[..], true),
            (br#"{"source": "aws.s3", "x": 1}"#, true),
            (br#"{"source": "aws.ec2"}"#, false),
            (
                br#"{"source": ["aws.s3"], "detail": {"source": "aws.s3"}}"#,
                false,
            ),
            (br#"{"source": {"a": [1, null, true, 2.5, -3]}}"#, false),
            (br#"{"source": null}"#, false),
        ] {
            let keys = TopLevelKeys::of(body).expect("an object");
            assert_eq!(keys.source_aws_s3, marked, "{body:?}");
        }
    }

    #[test]
    fn escaped_and_repeated_keys_are_keys() {
        let keys = TopLevelKeys::of(br#"{"\u0052ecords": 1, "Records": 2}"#).expect("an object");
        assert!(keys.records);
    }

    #[test]
    fn anything_but_one_object_has_no_keys() {
        for body in [
            &b""[..],
            b"[]",
            b"[{\"Records\": []}]",
            b"null",
            b"\"Records\"",
            b"{\"Records\": ",
            b"{} {}",
            b"not json",
        ] {
            assert_eq!(TopLevelKeys::of(body), None, "{body:?}");
        }
    }
}
