//! Google Cloud's event payloads read into [`anyfn`]'s portable events, for
//! any adapter: Pub/Sub push envelopes, Cloud Storage object resources and
//! notifications, and legacy Cloud Functions events. The server reads its
//! requests' bodies with these; nothing here knows HTTP.
//!
//! # Example
//!
//! ```
//! use anyfn::event::QueueBatch;
//! use anyfn_formats_google::{cloud_event_from_legacy, is_push_envelope, PortableJson, PushEnvelope};
//!
//! // A push subscription's body: a batch of its one message.
//! let body = br#"{"message": {"data": "SGVsbG8h", "messageId": "2070443601311540",
//!     "publishTime": "2021-02-26T19:13:55.749Z"},
//!     "subscription": "projects/myproject/subscriptions/mysubscription"}"#;
//! assert!(is_push_envelope(body, PortableJson::QueueBatch));
//! let message = PushEnvelope::from_json(body)?.into_message(None)?;
//! let batch = QueueBatch::new(vec![message]);
//! assert_eq!(batch.messages[0].text()?, "Hello!");
//!
//! // A 1st-gen background function's event: the CloudEvent it stands for.
//! let legacy = br#"{"eventId": "1", "eventType": "google.pubsub.topic.publish",
//!     "resource": "projects/p/topics/t", "timestamp": "2021-02-26T19:13:55.749Z",
//!     "data": {"data": "SGVsbG8h"}}"#;
//! let event = cloud_event_from_legacy(legacy).expect("a legacy event")?;
//! assert_eq!(event.event_type, "google.cloud.pubsub.topic.v1.messagePublished");
//! assert_eq!(event.source, "//pubsub.googleapis.com/projects/p/topics/t");
//! // Its data is a push envelope too, read the same way.
//! let envelope: PushEnvelope = serde_json::from_value(event.data_json().cloned().unwrap_or_default())
//!     .map_err(|err| anyfn::Error::bad_request(err.to_string()))?;
//! assert_eq!(envelope.into_message(Some(&event))?.id, "1");
//! # Ok::<(), anyfn::Error>(())
//! ```
//!
//! # What is read, and from what
//!
//! | item | reads | gives |
//! |---|---|---|
//! | [`PushEnvelope`] | a push subscription's body; the data of Eventarc's [`PUBSUB_MESSAGE_PUBLISHED`] | a [`Message`](anyfn::event::Message), or for a Cloud Storage notification an [`ObjectEvent`](anyfn::event::ObjectEvent) |
//! | [`is_push_envelope`] | a plain JSON body's top-level keys | whether it is a push envelope or the portable type's JSON ([`PortableJson`]) |
//! | [`StorageObjectData`], [`storage_change`] | the data and type of Eventarc's Cloud Storage CloudEvents | an [`ObjectEvent`](anyfn::event::ObjectEvent) |
//! | [`ObjectResource`] | a Cloud Storage object resource (JSON API v1) | size, etag, generation |
//! | [`cloud_event_from_legacy`] | a legacy Cloud Functions event (1st gen) | the [`CloudEvent`](anyfn::event::CloudEvent) it stands for, by Google's conformance suite's mapping |
//!
//! Bad input is a [`BadRequest`](anyfn::ErrorKind::BadRequest) saying what
//! was wrong, never a panic.
#![warn(clippy::missing_errors_doc, clippy::missing_panics_doc)]

mod gcs_object;
mod legacy;
mod pubsub;
mod push_detection;

pub use gcs_object::{storage_change, ObjectResource, StorageObjectData};
pub use legacy::cloud_event_from_legacy;
pub use pubsub::{PushEnvelope, PUBSUB_MESSAGE_PUBLISHED};
pub use push_detection::{is_push_envelope, PortableJson};
