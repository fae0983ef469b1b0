//! Pub/Sub push subscriptions on the real server: the envelope Pub/Sub POSTs
//! becomes a one-message `QueueBatch` (or, for a Cloud Storage notification,
//! a `StorageEvent`); the answer's status acks (2xx) or nacks (anything
//! else). Fixtures: tests/fixtures/pubsub-push (origins in its README).

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use anyfn::event::{BatchResult, Message, ObjectChange, ObjectEvent, QueueBatch, StorageEvent};
use anyfn::{handler_fn, Context, Error, ErrorKind, Json};
use anyfn_test::fixtures::{cloud_events, google};
use anyfn_test::{TestRequest, TestResponse, TestServer};
use serde_json::{json, Value};

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/pubsub-push")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

fn time(text: &str) -> SystemTime {
    anyfn::time::parse_rfc3339(text).expect("test time")
}

/// A POST of `body` as Pub/Sub sends it: JSON, no `ce-*` headers.
fn push(body: impl Into<anyfn::Body>) -> TestRequest {
    TestRequest::post("/push")
        .header("content-type", "application/json")
        .body(body)
}

/// A server whose handler answers with the batch it was given.
async fn batch_echo() -> TestServer {
    TestServer::start(handler_fn(|batch: QueueBatch, _: Context| async move {
        Ok::<_, Error>(Json(batch))
    }))
    .await
    .expect("server")
}

/// A server whose handler answers with the storage event it was given.
async fn storage_echo() -> TestServer {
    TestServer::start(handler_fn(|event: StorageEvent, _: Context| async move {
        Ok::<_, Error>(Json(event))
    }))
    .await
    .expect("server")
}

async fn send(server: &TestServer, request: impl Into<anyfn::Request>) -> TestResponse {
    server.client().send(request).await.expect("response")
}

fn error_message(response: &TestResponse) -> String {
    let body: Value = response.json();
    assert_eq!(body["errorType"], "BadRequest", "{body}");
    body["errorMessage"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_push_envelope_is_a_batch_of_its_one_message() {
    let hello = "Hello Cloud Pub/Sub! Here is my message!";
    let cases = [
        (
            "push.json",
            Message::new("2070443601311540", hello)
                .with_attribute("key", "value")
                .with_sent_time(time("2021-02-26T19:13:55.749Z"))
                .with_source("projects/myproject/subscriptions/mysubscription"),
        ),
        (
            "push-legacy.json",
            Message::new("136969346945", hello)
                .with_attribute("key", "value")
                .with_source("projects/myproject/subscriptions/mysubscription"),
        ),
        (
            "push-ordered-dead-letter.json",
            Message::new("8161239120930128", r#"{"order":7}"#)
                .with_attribute("tenant", "acme")
                .with_sent_time(time("2024-03-05T10:11:12.123456789Z"))
                .with_ordering_key("customer-42")
                .with_delivery_attempt(5)
                .with_source("projects/myproject/subscriptions/orders-push"),
        ),
        (
            "push-attributes-only.json",
            Message::new("9000000000000001", "")
                .with_attribute("action", "ping")
                .with_sent_time(time("2024-03-05T10:11:12Z"))
                .with_source("projects/myproject/subscriptions/mysubscription"),
        ),
    ];
    let server = batch_echo().await;
    for (name, expected) in cases {
        let response = send(&server, push(fixture(name))).await;
        response.assert_status(200);
        let batch: QueueBatch = response.json();
        assert_eq!(batch, QueueBatch::new(vec![expected]), "{name}");
    }
    server.shutdown().await;
}

#[tokio::test]
async fn anyfn_tests_push_rendering_round_trips_every_field() {
    let message = Message::new("42", vec![0xde, 0xad, 0xbe, 0xef])
        .with_attribute("tenant", "acme")
        .with_attribute("kind", "order")
        .with_sent_time(SystemTime::UNIX_EPOCH + Duration::from_millis(1_700_000_000_123))
        .with_delivery_attempt(2)
        .with_ordering_key("k-1")
        .with_source("projects/demo/subscriptions/orders");
    let server = batch_echo().await;
    let response = send(
        &server,
        push(google::pubsub_push_envelope(&message).to_string()),
    )
    .await;
    response.assert_status(200);
    assert_eq!(
        response.json::<QueueBatch>(),
        QueueBatch::new(vec![message])
    );
    server.shutdown().await;
}

/// Fails the messages whose body says "fail".
async fn work(batch: QueueBatch, _: Context) -> Result<BatchResult, Error> {
    Ok(batch
        .messages
        .iter()
        .filter(|m| m.body.windows(4).any(|w| w == b"fail"))
        .map(|m| m.id.clone())
        .collect())
}

#[tokio::test]
async fn a_failed_message_nacks_with_a_non_2xx_and_success_acks_with_a_2xx() {
    let server = TestServer::start(handler_fn(work)).await.expect("server");
    let failing = google::pubsub_push_envelope(&Message::new("m-1", "please fail"));
    let response = send(&server, push(failing.to_string())).await;
    response.assert_status(500);
    assert_eq!(
        response.json::<Value>(),
        json!({"batchItemFailures": [{"itemIdentifier": "m-1"}]})
    );
    let fine = google::pubsub_push_envelope(&Message::new("m-2", "fine"));
    let response = send(&server, push(fine.to_string())).await;
    response.assert_status(200);
    assert_eq!(response.json::<Value>(), json!({"batchItemFailures": []}));
    server.shutdown().await;
}

#[tokio::test]
async fn a_handler_error_nacks_with_its_non_2xx_status() {
    let server = TestServer::start(handler_fn(|_: QueueBatch, _: Context| async {
        Err::<BatchResult, _>(Error::new(ErrorKind::Unavailable, "the database is down"))
    }))
    .await
    .expect("server");
    let response = send(&server, push(fixture("push.json"))).await;
    response.assert_status(503);
    server.shutdown().await;

    let server = TestServer::start(handler_fn(|_: QueueBatch, _: Context| async {
        std::fs::read("/nonexistent/anyfn-pubsub-push")?;
        Ok::<_, Error>(())
    }))
    .await
    .expect("server");
    let response = send(&server, push(fixture("push.json"))).await;
    response.assert_status(500);
    server.shutdown().await;

    // `()` acks: 204.
    let server = TestServer::start(handler_fn(|_: QueueBatch, _: Context| async {
        Ok::<_, Error>(())
    }))
    .await
    .expect("server");
    send(&server, push(fixture("push.json")))
        .await
        .assert_status(204);
    server.shutdown().await;
}

fn cat(change: ObjectChange) -> ObjectEvent {
    ObjectEvent::new(change, "my-bucket", "photos/cat 1.jpg")
        .with_version("1708536398112345")
        .with_time(time("2024-02-21T17:26:38.135913Z"))
}

#[tokio::test]
async fn cloud_storage_notifications_through_push_are_storage_events() {
    let cases = [
        (
            "gcs-finalize.json",
            cat(ObjectChange::Created)
                .with_size(2048)
                .with_etag("CNnE2d2Lz4QDEAE="),
        ),
        (
            "gcs-metadata-update.json",
            cat(ObjectChange::MetadataUpdated)
                .with_size(2048)
                .with_etag("CNnE2d2Lz4QDEAI="),
        ),
        (
            "gcs-archive.json",
            cat(ObjectChange::Archived)
                .with_size(2048)
                .with_etag("CNnE2d2Lz4QDEAE="),
        ),
        // payloadFormat NONE: no data, so no size and no etag.
        ("gcs-delete-none.json", cat(ObjectChange::Deleted)),
    ];
    let server = storage_echo().await;
    for (name, expected) in cases {
        let response = send(&server, push(fixture(name))).await;
        response.assert_status(200);
        assert_eq!(
            response.json::<StorageEvent>(),
            StorageEvent::new(vec![expected]),
            "{name}"
        );
    }
    server.shutdown().await;

    // A queue handler gets the same notification as a message, attributes whole.
    let server = batch_echo().await;
    let response = send(&server, push(fixture("gcs-delete-none.json"))).await;
    response.assert_status(200);
    let batch: QueueBatch = response.json();
    let message = &batch.messages[0];
    assert_eq!(message.id, "10541380913422274");
    assert_eq!(message.attributes["eventType"], "OBJECT_DELETE");
    assert_eq!(
        message.attributes["notificationConfig"],
        "projects/_/buckets/my-bucket/notificationConfigs/3"
    );
    assert!(message.body.is_empty());
    assert_eq!(message.delivery_attempt, Some(1));
    server.shutdown().await;
}

#[tokio::test]
async fn anyfn_tests_storage_notification_rendering_round_trips_each_change() {
    let server = storage_echo().await;
    for (index, change) in [
        ObjectChange::Created,
        ObjectChange::Deleted,
        ObjectChange::Archived,
        ObjectChange::MetadataUpdated,
    ]
    .into_iter()
    .enumerate()
    {
        let full = ObjectEvent::new(change.clone(), "photos", "2024/a+b c.jpg")
            .with_size(7)
            .with_etag("e-1")
            .with_version("3")
            .with_time(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000));
        let message = google::storage_notification(&index.to_string(), &full, true);
        let response = send(
            &server,
            push(google::pubsub_push_envelope(&message).to_string()),
        )
        .await;
        response.assert_status(200);
        assert_eq!(
            response.json::<StorageEvent>(),
            StorageEvent::new(vec![full])
        );

        let bare = ObjectEvent::new(change, "photos", "k");
        let message = google::storage_notification("n", &bare, false);
        let response = send(
            &server,
            push(google::pubsub_push_envelope(&message).to_string()),
        )
        .await;
        response.assert_status(200);
        // No eventTime: the publish time stands in (the rendering's default, the epoch).
        let expected = bare.with_time(SystemTime::UNIX_EPOCH);
        assert_eq!(
            response.json::<StorageEvent>(),
            StorageEvent::new(vec![expected])
        );
    }
    server.shutdown().await;
}

#[tokio::test]
async fn the_eventarc_pubsub_cloud_event_in_binary_mode_still_decodes() {
    let message = Message::new("77", "hi")
        .with_attribute("k", "v")
        .with_sent_time(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000))
        .with_ordering_key("o")
        .with_delivery_attempt(3)
        .with_source("projects/demo/subscriptions/eventarc-sub");
    let server = batch_echo().await;
    let response = send(
        &server,
        cloud_events::binary(&google::pubsub_message_event(&message)),
    )
    .await;
    response.assert_status(200);
    assert_eq!(
        response.json::<QueueBatch>(),
        QueueBatch::new(vec![message])
    );
    server.shutdown().await;

    // The same CloudEvent carrying a Cloud Storage notification, to a storage handler.
    let object = ObjectEvent::new(ObjectChange::Created, "photos", "cat.jpg")
        .with_size(2048)
        .with_etag("CAE=")
        .with_version("12")
        .with_time(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000));
    let notification = google::storage_notification("5", &object, true);
    let server = storage_echo().await;
    let response = send(
        &server,
        cloud_events::binary(&google::pubsub_message_event(&notification)),
    )
    .await;
    response.assert_status(200);
    assert_eq!(
        response.json::<StorageEvent>(),
        StorageEvent::new(vec![object])
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_queue_batch_posted_as_json_is_never_taken_for_an_envelope() {
    let batch = QueueBatch::new(vec![
        Message::new("a", "one").with_source("projects/demo/subscriptions/x"),
        Message::new("b", "two").with_delivery_attempt(2),
    ]);
    let server = batch_echo().await;
    let response = send(&server, TestRequest::post("/").json(&batch)).await;
    response.assert_status(200);
    assert_eq!(response.json::<QueueBatch>(), batch);

    // Stray `message` and `subscription` keys beside `messages`: still the batch.
    let mut document = serde_json::to_value(&batch).expect("JSON");
    document["message"] = json!({"data": "bm9wZQ==", "messageId": "n"});
    document["subscription"] = json!("projects/demo/subscriptions/x");
    let response = send(&server, push(document.to_string())).await;
    response.assert_status(200);
    assert_eq!(response.json::<QueueBatch>(), batch);
    server.shutdown().await;
}

#[tokio::test]
async fn bad_envelopes_are_400s_saying_what_was_wrong() {
    let server = batch_echo().await;
    let bad_data = json!({
        "message": {"data": "not base64!", "messageId": "1"},
        "subscription": "projects/p/subscriptions/s",
    });
    let response = send(&server, push(bad_data.to_string())).await;
    response.assert_status(400);
    let message = error_message(&response);
    assert!(
        message.starts_with("the Pub/Sub message's `data` is not valid base64: "),
        "{message}"
    );

    let no_message = json!({"subscription": "projects/p/subscriptions/s", "deliveryAttempt": 1});
    let response = send(&server, push(no_message.to_string())).await;
    response.assert_status(400);
    let message = error_message(&response);
    assert!(
        message.starts_with("the Pub/Sub envelope has no `message` object;"),
        "{message}"
    );

    let no_id = json!({"message": {"data": "aGk="}, "subscription": "projects/p/subscriptions/s"});
    let response = send(&server, push(no_id.to_string())).await;
    response.assert_status(400);
    assert_eq!(
        error_message(&response),
        "the Pub/Sub message has no `messageId` (nor `message_id`); a push envelope's message needs one"
    );
    server.shutdown().await;

    let server = storage_echo().await;
    let response = send(&server, push(fixture("push.json"))).await;
    response.assert_status(400);
    assert_eq!(
        error_message(&response),
        "the Pub/Sub message is not a Cloud Storage notification: it has no `eventType` attribute"
    );
    server.shutdown().await;
}
