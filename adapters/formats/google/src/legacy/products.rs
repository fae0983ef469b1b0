//! Per product: how the resource becomes the CloudEvent's `source` and
//! `subject`, and what happens to `data` (mapping.md's event-specific
//! requirements).
//!
//! The CloudEvent service in `source` is the product's own
//! (`firebaseauth.googleapis.com`, `firebasedatabase.googleapis.com`, …), as
//! the conformance suite's expected outputs and the Node and Go frameworks
//! have it, rather than `firebase.googleapis.com` from mapping.md's prefix
//! table; a legacy `context.resource.service` is not needed.

use anyfn::Error;
use serde_json::{Map, Value};

use super::types::Product;

/// What a conversion reads from the legacy event.
pub(super) struct Input<'a> {
    /// The resource name (`context.resource.name` or `resource`).
    pub(super) resource: &'a str,
    /// The `data`, as sent.
    pub(super) data: Value,
    pub(super) event_id: &'a str,
    pub(super) timestamp: Option<&'a str>,
    /// The top-level `domain` (Firebase Realtime Database).
    pub(super) domain: Option<&'a str>,
}

/// The CloudEvent's `source`, `subject` and `data`.
pub(super) struct Converted {
    pub(super) source: String,
    pub(super) subject: Option<String>,
    pub(super) data: Value,
}

/// Converts `input` by `product`'s rules.
pub(super) fn convert(product: Product, input: Input<'_>) -> Result<Converted, Error> {
    let Input {
        resource,
        mut data,
        event_id,
        timestamp,
        domain,
    } = input;
    let (service, source, subject) = match product {
        Product::Storage => {
            let (bucket, object) =
                split(resource, "projects/*/buckets/*", "objects").ok_or_else(|| {
                    malformed(resource, "projects/_/buckets/{bucket}/objects/{object}")
                })?;
            (
                "storage.googleapis.com",
                bucket.to_owned(),
                Some(without_generation(object).to_owned()),
            )
        }
        Product::PubSub => {
            data = pubsub_message(data, event_id, timestamp)?;
            ("pubsub.googleapis.com", resource.to_owned(), None)
        }
        Product::Firestore => {
            let (database, document) = split(resource, "projects/*/databases/*", "documents")
                .ok_or_else(|| {
                    malformed(
                        resource,
                        "projects/{project}/databases/{database}/documents/{path}",
                    )
                })?;
            (
                "firestore.googleapis.com",
                database.to_owned(),
                Some(document.to_owned()),
            )
        }
        Product::FirebaseDatabase => {
            let (source, reference) = database_source(resource, domain)?;
            (
                "firebasedatabase.googleapis.com",
                source,
                Some(reference.to_owned()),
            )
        }
        Product::FirebaseAuth => {
            rename_auth_metadata(&mut data);
            let subject = match data.get("uid") {
                Some(Value::String(uid)) => Some(format!("users/{uid}")),
                _ => None,
            };
            ("firebaseauth.googleapis.com", resource.to_owned(), subject)
        }
        Product::RemoteConfig => (
            "firebaseremoteconfig.googleapis.com",
            resource.to_owned(),
            None,
        ),
        Product::Analytics => {
            let (project, event) = split(resource, "projects/*", "events")
                .filter(|(_, event)| event.matches('/').count() == 1)
                .ok_or_else(|| malformed(resource, "projects/{project}/events/{event-name}"))?;
            let app_id = data
                .pointer("/userDim/appInfo/appId")
                .and_then(Value::as_str)
                .filter(|app_id| !app_id.is_empty())
                .ok_or_else(|| {
                    Error::bad_request(
                        "the legacy Firebase Analytics event's data has no `userDim.appInfo.appId` string, \
                         which its CloudEvent source needs",
                    )
                })?;
            (
                "firebaseanalytics.googleapis.com",
                format!("{project}/apps/{app_id}"),
                Some(event.to_owned()),
            )
        }
    };
    Ok(Converted {
        source: format!("//{service}/{source}"),
        subject,
        data,
    })
}

/// Splits `resource` into the part that matches `head` (segments that are
/// literal, or `*` for any non-empty segment) and the rest, which must be
/// `{tail}/…` with something after the slash.
fn split<'a>(resource: &'a str, head: &str, tail: &str) -> Option<(&'a str, &'a str)> {
    let mut rest = resource;
    for want in head.split('/') {
        let (segment, after) = rest.split_once('/')?;
        if segment.is_empty() || (want != "*" && segment != want) {
            return None;
        }
        rest = after;
    }
    let name = rest.strip_prefix(tail)?.strip_prefix('/')?;
    if name.is_empty() {
        return None;
    }
    let head_len = resource.len() - rest.len() - 1;
    Some((&resource[..head_len], rest))
}

fn malformed(resource: &str, form: &str) -> Error {
    Error::bad_request(format!(
        "the legacy Cloud Functions event's resource {resource:?} is not of the form {form}"
    ))
}

/// A storage object's name without the `#{generation}` suffix some legacy
/// resources carry. Object names may hold `#`, so only an all-digit suffix
/// is a generation.
fn without_generation(object: &str) -> &str {
    match object.rsplit_once('#') {
        Some((name, generation))
            if !generation.is_empty() && generation.bytes().all(|b| b.is_ascii_digit()) =>
        {
            name
        }
        _ => object,
    }
}

/// Pub/Sub: the legacy data is the message; the CloudEvent's data is
/// `{"message": …}`, the message given `messageId` and `publishTime` from
/// the event's id and timestamp when it has none. Nothing else in the
/// message is read or dropped (mapping.md: `@type` stays).
fn pubsub_message(data: Value, event_id: &str, timestamp: Option<&str>) -> Result<Value, Error> {
    let Value::Object(mut message) = data else {
        return Err(Error::bad_request(
            "the legacy Pub/Sub event's `data` must be the message, a JSON object",
        ));
    };
    message
        .entry("messageId")
        .or_insert_with(|| Value::String(event_id.to_owned()));
    if let Some(timestamp) = timestamp {
        message
            .entry("publishTime")
            .or_insert_with(|| Value::String(timestamp.to_owned()));
    }
    let mut wrapped = Map::new();
    wrapped.insert("message".to_owned(), Value::Object(message));
    Ok(Value::Object(wrapped))
}

/// Firebase Realtime Database: `projects/_/instances/{instance}/refs/{path}`
/// becomes the source `projects/_/locations/{location}/instances/{instance}`
/// and the subject `refs/{path}`; the location comes from the required
/// top-level `domain`: `us-central1` for `firebaseio.com`, else what comes
/// before its first dot (`europe-west1.firebasedatabase.app`).
fn database_source<'a>(
    resource: &'a str,
    domain: Option<&str>,
) -> Result<(String, &'a str), Error> {
    let (instance_path, reference) = split(resource, "projects/*/instances/*", "refs")
        .ok_or_else(|| malformed(resource, "projects/_/instances/{instance}/refs/{path}"))?;
    let domain = domain.ok_or_else(|| {
        Error::bad_request(
            "the legacy Firebase Realtime Database event has no top-level `domain` string, \
             which its CloudEvent source needs",
        )
    })?;
    let location = if domain == "firebaseio.com" {
        "us-central1"
    } else {
        domain
            .split_once('.')
            .map(|(location, _)| location)
            .filter(|location| {
                !location.is_empty()
                    && location.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            })
            .ok_or_else(|| {
                Error::bad_request(format!(
                    "the legacy Firebase Realtime Database event's domain {domain:?} names no location \
                     (expected firebaseio.com or {{location}}.firebasedatabase.app)"
                ))
            })?
    };
    let (project, instance) = instance_path
        .split_once("/instances/")
        .ok_or_else(|| malformed(resource, "projects/_/instances/{instance}/refs/{path}"))?;
    Ok((
        format!("{project}/locations/{location}/instances/{instance}"),
        reference,
    ))
}

/// Firebase Auth: `metadata.createdAt` and `metadata.lastSignedInAt` are
/// `createTime` and `lastSignInTime` in the CloudEvent.
fn rename_auth_metadata(data: &mut Value) {
    let Some(Value::Object(metadata)) = data.get_mut("metadata") else {
        return;
    };
    for (legacy, cloud_event) in [
        ("createdAt", "createTime"),
        ("lastSignedInAt", "lastSignInTime"),
    ] {
        if let Some(value) = metadata.remove(legacy) {
            metadata.insert(cloud_event.to_owned(), value);
        }
    }
}
