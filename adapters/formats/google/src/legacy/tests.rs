//! Detection edge cases and per-product rules; the conformance suite's
//! events are checked end to end in tests/integration/gcf_conformance.rs.

use anyfn::event::CloudEventData;
use anyfn::{Error, ErrorKind};
use serde_json::{json, Value};

use super::cloud_event_from_legacy;

fn convert(value: &Value) -> Option<Result<anyfn::event::CloudEvent, Error>> {
    cloud_event_from_legacy(value.to_string().as_bytes())
}

fn converted(value: &Value) -> anyfn::event::CloudEvent {
    match convert(value) {
        Some(Ok(event)) => event,
        Some(Err(err)) => panic!("{value}: {err}"),
        None => panic!("{value}: not detected as legacy"),
    }
}

fn refused(value: &Value) -> String {
    match convert(value) {
        Some(Err(err)) => {
            assert_eq!(err.kind(), ErrorKind::BadRequest, "{err}");
            err.message().to_owned()
        }
        Some(Ok(event)) => panic!("{value}: converted to {event:?}"),
        None => panic!("{value}: not detected as legacy"),
    }
}

fn data(event: &anyfn::event::CloudEvent) -> &Value {
    match &event.data {
        Some(CloudEventData::Json(value)) => value,
        other => panic!("expected JSON data, found {other:?}"),
    }
}

fn storage(resource: &str) -> Value {
    json!({
        "eventId": "1",
        "eventType": "google.storage.object.finalize",
        "timestamp": "2024-05-01T12:00:00.5Z",
        "resource": resource,
        "data": {"bucket": "b", "name": "x"}
    })
}

#[test]
fn what_is_not_an_object_is_not_legacy() {
    for body in [
        &b""[..],
        b"   ",
        b"[1, 2]",
        b"\"eventId\"",
        b"42",
        b"null",
        b"{not json",
        b"\xff\xfe{",
    ] {
        assert!(cloud_event_from_legacy(body).is_none(), "{body:?}");
    }
}

#[test]
fn objects_without_legacy_context_are_not_legacy() {
    for value in [
        json!({}),
        // `data` alone, or with a `context` that is not a legacy one.
        json!({"data": {"eventId": "1", "eventType": "google.storage.object.finalize"}}),
        json!({"data": {}, "context": "eventId eventType"}),
        json!({"data": {}, "context": {"eventId": "1"}}),
        json!({"data": {}, "context": {"requestId": "1", "eventType": "x"}}),
        // One of the two at the top level is not enough.
        json!({"eventId": "1", "data": {}}),
        json!({"eventType": "google.storage.object.finalize", "data": {}}),
        // A CloudEvent in the JSON event format, even with legacy-looking keys.
        json!({"specversion": "1.0", "id": "1", "source": "/s", "type": "t",
               "eventId": "1", "eventType": "google.storage.object.finalize"}),
        // Portable types as POSTed.
        json!({"records": [{"change": "created", "bucket": "b", "key": "k"}]}),
        json!({"messages": [{"id": "1", "body": "aGk="}]}),
    ] {
        assert!(convert(&value).is_none(), "{value}");
    }
}

#[test]
fn an_unknown_event_type_is_a_bad_request_naming_it() {
    let message = refused(&json!({
        "eventId": "1", "eventType": "providers/cloud.bigtable/eventTypes/row.write",
        "resource": "projects/p", "data": {}
    }));
    assert!(
        message.contains("\"providers/cloud.bigtable/eventTypes/row.write\""),
        "{message}"
    );
    assert!(message.contains("no CloudEvent equivalent"), "{message}");
}

#[test]
fn context_fields_of_the_wrong_shape_are_bad_requests() {
    let message = refused(
        &json!({"eventId": 7, "eventType": "google.storage.object.finalize",
                                  "resource": "projects/_/buckets/b/objects/o", "data": {}}),
    );
    assert!(
        message.contains("`eventId` must be a non-empty string; found a number"),
        "{message}"
    );
    let message = refused(
        &json!({"eventId": "1", "eventType": "google.storage.object.finalize",
                                  "timestamp": "yesterday",
                                  "resource": "projects/_/buckets/b/objects/o", "data": {}}),
    );
    assert!(message.contains("`timestamp`"), "{message}");
    let message = refused(
        &json!({"eventId": "1", "eventType": "google.storage.object.finalize",
                                  "resource": "projects/_/buckets/b/objects/o"}),
    );
    assert!(message.contains("no `data`"), "{message}");
}

#[test]
fn a_missing_or_malformed_resource_is_a_bad_request() {
    let message = refused(
        &json!({"eventId": "1", "eventType": "google.storage.object.finalize", "data": {}}),
    );
    assert!(message.contains("no resource name"), "{message}");
    let message = refused(
        &json!({"context": {"eventId": "1", "eventType": "google.storage.object.finalize",
                                              "resource": {"service": "storage.googleapis.com"}}, "data": {}}),
    );
    assert!(message.contains("no resource name"), "{message}");
    for resource in [
        "projects/_/buckets/b",
        "projects/_/buckets/b/objects/",
        "projects/_/buckets//objects/o",
        "buckets/b/objects/o",
        "projects/_/buckets/b/folders/o",
    ] {
        let message = refused(&storage(resource));
        assert!(
            message.contains(&format!("{resource:?} is not of the form")),
            "{message}"
        );
    }
    let message = refused(&json!({"eventId": "1",
        "eventType": "providers/cloud.firestore/eventTypes/document.write",
        "resource": "projects/p/databases/(default)", "data": {}}));
    assert!(
        message.contains("projects/{project}/databases/{database}/documents/{path}"),
        "{message}"
    );
}

#[test]
fn context_in_a_context_object_wins_over_the_top_level() {
    let event = converted(&json!({
        "eventId": "top", "eventType": "google.storage.object.delete",
        "context": {
            "eventId": "inner", "eventType": "google.storage.object.finalize",
            "timestamp": "2024-05-01T12:00:00Z",
            "resource": {"service": "storage.googleapis.com",
                         "name": "projects/_/buckets/b/objects/a/b.txt", "type": "storage#object"}
        },
        "data": {"bucket": "b", "name": "a/b.txt"}
    }));
    assert_eq!(event.id, "inner");
    assert_eq!(event.event_type, "google.cloud.storage.object.v1.finalized");
    assert_eq!(
        event.source,
        "//storage.googleapis.com/projects/_/buckets/b"
    );
    assert_eq!(event.subject.as_deref(), Some("objects/a/b.txt"));
    assert_eq!(event.data_content_type.as_deref(), Some("application/json"));
    assert_eq!(
        event.time.map(anyfn::time::format_rfc3339).as_deref(),
        Some("2024-05-01T12:00:00Z")
    );
    assert_eq!(data(&event), &json!({"bucket": "b", "name": "a/b.txt"}));
}

#[test]
fn a_storage_subject_loses_the_generation_but_keeps_other_hashes() {
    let event = converted(&storage(
        "projects/_/buckets/b/objects/folder/My#File#1588778055917163",
    ));
    assert_eq!(event.subject.as_deref(), Some("objects/folder/My#File"));
    let event = converted(&storage("projects/_/buckets/b/objects/notes#draft"));
    assert_eq!(event.subject.as_deref(), Some("objects/notes#draft"));
}

#[test]
fn pubsub_keeps_a_message_id_it_has_and_refuses_data_that_is_no_message() {
    let legacy = |data: Value| {
        json!({"eventId": "e1", "eventType": "google.pubsub.topic.publish",
               "timestamp": "2024-05-01T12:00:00Z", "resource": "projects/p/topics/t", "data": data})
    };
    let event = converted(&legacy(json!({"data": "aGk=", "messageId": "m7"})));
    assert_eq!(event.source, "//pubsub.googleapis.com/projects/p/topics/t");
    assert_eq!(event.subject, None);
    assert_eq!(
        data(&event),
        &json!({"message": {"data": "aGk=", "messageId": "m7", "publishTime": "2024-05-01T12:00:00Z"}})
    );
    let message = refused(&legacy(json!("aGk=")));
    assert!(message.contains("must be the message"), "{message}");
}

#[test]
fn firebase_database_needs_a_domain_that_names_a_location() {
    let legacy = |domain: Value| {
        json!({"eventId": "1", "eventType": "providers/google.firebase.database/eventTypes/ref.create",
               "resource": "projects/_/instances/db1/refs/a/b", "domain": domain, "data": {}})
    };
    let event = converted(&legacy(json!("asia-southeast1.firebasedatabase.app")));
    assert_eq!(
        event.source,
        "//firebasedatabase.googleapis.com/projects/_/locations/asia-southeast1/instances/db1"
    );
    assert_eq!(event.subject.as_deref(), Some("refs/a/b"));
    for domain in [
        json!(null),
        json!(3),
        json!("localhost"),
        json!(".firebasedatabase.app"),
        json!("a/b.c"),
    ] {
        let message = refused(&legacy(domain.clone()));
        assert!(message.contains("domain"), "{domain}: {message}");
    }
}

#[test]
fn firebase_auth_without_uid_has_no_subject() {
    let event = converted(
        &json!({"eventId": "1", "eventType": "providers/firebase.auth/eventTypes/user.delete",
                                  "resource": "projects/p", "data": {"email": "a@b.c"}}),
    );
    assert_eq!(event.source, "//firebaseauth.googleapis.com/projects/p");
    assert_eq!(event.subject, None);
    assert_eq!(data(&event), &json!({"email": "a@b.c"}));
}

#[test]
fn analytics_needs_the_app_id_and_a_single_event_name() {
    let legacy = |resource: &str, data: Value| {
        json!({"eventId": "1", "eventType": "providers/google.firebase.analytics/eventTypes/event.log",
               "resource": resource, "data": data})
    };
    let with_app = json!({"userDim": {"appInfo": {"appId": "com.example.app"}}});
    let event = converted(&legacy("projects/p/events/purchase", with_app.clone()));
    assert_eq!(
        event.source,
        "//firebaseanalytics.googleapis.com/projects/p/apps/com.example.app"
    );
    assert_eq!(event.subject.as_deref(), Some("events/purchase"));
    let message = refused(&legacy(
        "projects/p/events/purchase",
        json!({"userDim": {}}),
    ));
    assert!(message.contains("userDim.appInfo.appId"), "{message}");
    let message = refused(&legacy("projects/p/events/a/b", with_app));
    assert!(
        message.contains("projects/{project}/events/{event-name}"),
        "{message}"
    );
}

#[test]
fn every_legacy_type_has_its_cloud_event_type() {
    for (legacy, ce_type, _) in super::types::TYPES {
        assert_eq!(
            super::types::cloud_event_type(legacy).map(|(t, _)| t),
            Some(*ce_type)
        );
    }
    assert_eq!(
        super::types::cloud_event_type("google.storage.object.finalize "),
        None
    );
}

/// The conformance suite's events (tests/fixtures/gcf-conformance, origin in
/// its README) and our two derived from its mapping.md.
const CONFORMANCE: [&str; 19] = [
    "firebase-auth",
    "firebase-db1",
    "firebase-db2",
    "firebase-db3",
    "firebase-db4",
    "firebase-db5",
    "firebase-db6",
    "firebase-db7",
    "firebase-db8",
    "firebase-dbdelete1",
    "firebase-dbdelete2",
    "firestore_complex",
    "firestore_simple",
    "legacy_pubsub",
    "pubsub_binary",
    "pubsub_text",
    "storage",
    "derived/firebase-analytics",
    "derived/remote_config",
];

fn conformance_fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../tests/fixtures/gcf-conformance")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// Every legacy input of the suite converts to its expected CloudEvent, every
/// attribute and the data equal (the suite's Go client compares `id`,
/// `source`, `type`, `subject`, `time`, `datacontenttype` and `data`).
#[test]
fn every_conformance_legacy_input_converts_to_its_expected_cloud_event() {
    for name in CONFORMANCE {
        let input = conformance_fixture(&format!("{name}-legacy-input.json"));
        let expected = conformance_fixture(&format!("{name}-cloudevent-output.json"));
        let expected = anyfn::event::CloudEvent::from_json(&expected)
            .unwrap_or_else(|err| panic!("{name}: the expected output: {err}"));
        let event = match cloud_event_from_legacy(&input) {
            Some(Ok(event)) => event,
            Some(Err(err)) => panic!("{name}: {err}"),
            None => panic!("{name}: not detected as legacy"),
        };
        assert_eq!(event, expected, "{name}");
    }
}

/// The suite's CloudEvent inputs are CloudEvents already (`specversion`):
/// never taken for legacy events.
#[test]
fn no_conformance_cloud_event_input_is_taken_for_a_legacy_event() {
    for name in CONFORMANCE
        .iter()
        .filter(|name| !name.starts_with("derived/"))
    {
        let input = conformance_fixture(&format!("{name}-cloudevent-input.json"));
        assert!(cloud_event_from_legacy(&input).is_none(), "{name}");
    }
}
