//! Telling a Pub/Sub push envelope from the portable types' own JSON, when
//! both come as a plain JSON POST: [`is_push_envelope`].

use serde::de::IgnoredAny;
use serde::{Deserialize, Deserializer};

/// The portable type a plain JSON POST may also be, by its required
/// top-level key: what [`is_push_envelope`] tells a push envelope from.
///
/// # Example
///
/// ```
/// use anyfn_formats_google::{is_push_envelope, PortableJson};
///
/// assert!(!is_push_envelope(br#"{"objects": []}"#, PortableJson::StorageEvent));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PortableJson {
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
///
/// # Example
///
/// ```
/// use anyfn_formats_google::{is_push_envelope, PortableJson};
///
/// let push = br#"{"message": {"data": "aGk=", "messageId": "1"}, "subscription": "projects/p/subscriptions/s"}"#;
/// assert!(is_push_envelope(push, PortableJson::QueueBatch));
/// // The portable JSON, even with a stray `message` key.
/// let batch = br#"{"messages": [{"id": "1", "body": "hi"}], "message": {}}"#;
/// assert!(!is_push_envelope(batch, PortableJson::QueueBatch));
/// assert!(!is_push_envelope(b"not json", PortableJson::QueueBatch));
/// ```
pub fn is_push_envelope(body: &[u8], portable: PortableJson) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

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

    /// Every documented push body (tests/fixtures/pubsub-push) is an
    /// envelope for both families; the portable JSON of each family is not.
    #[test]
    fn every_push_fixture_is_an_envelope_and_the_portable_json_is_not() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../tests/fixtures/pubsub-push");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).expect("the fixtures") {
            let path = entry.expect("an entry").path();
            if path.extension().is_none_or(|ext| ext != "json") {
                continue;
            }
            let body = std::fs::read(&path).expect("readable");
            for portable in [PortableJson::QueueBatch, PortableJson::StorageEvent] {
                assert!(is_push_envelope(&body, portable), "{}", path.display());
            }
            seen += 1;
        }
        assert_eq!(seen, 8);
        let batch = br#"{"messages":[{"id":"1","body":"x"}]}"#;
        assert!(!is_push_envelope(batch, PortableJson::QueueBatch));
        let storage = br#"{"objects":[{"change":"created","bucket":"b","key":"k"}]}"#;
        assert!(!is_push_envelope(storage, PortableJson::StorageEvent));
    }
}
