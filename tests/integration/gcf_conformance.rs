//! Google's Functions Framework conformance events
//! (`tests/fixtures/gcf-conformance`; its README gives their origin) through
//! the real server, checked as the suite's Go client checks them: `id`,
//! `source`, `type`, `subject`, `time` (as an instant), `datacontenttype`,
//! and `data` as JSON.
//!
//! Each event's CloudEvent input, sent in binary mode, must reach a CloudEvent
//! function as it is; its legacy input (a 1st-gen background-function
//! payload), sent as a plain JSON POST, must reach it as the expected
//! CloudEvent output. Legacy storage and Pub/Sub events also reach
//! `StorageEvent` and `QueueBatch` functions, and a `Json<T>` function still
//! gets the body as sent.

use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use anyfn::event::{CloudEvent, ObjectChange, QueueBatch, StorageEvent};
use anyfn::{handler_fn, Context, Json};
use anyfn_test::{TestRequest, TestServer};
use serde_json::{json, Value};

/// The suite's 17 events.
const EVENTS: [&str; 17] = [
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
];

/// Ours, derived from the suite's mapping.md (in `derived/`).
const DERIVED: [&str; 2] = ["firebase-analytics", "remote_config"];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gcf-conformance")
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&read(path)).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// A CloudEvent function that answers with the event it received
/// (structured mode), so the test sees exactly what the function got.
async fn echo_server() -> TestServer {
    TestServer::start(handler_fn(
        |event: CloudEvent, _context: Context| async move { Ok::<_, anyfn::Error>(event) },
    ))
    .await
    .expect("server")
}

/// A `ce-*` header value as the fixture has it; the fixtures' attributes
/// need no percent-encoding (printable ASCII, no space, `"` or `%`), which
/// is checked rather than assumed.
fn attribute<'a>(event: &'a Value, name: &str, what: &str) -> Option<&'a str> {
    let value = event.get(name)?;
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("{what}: {name} is not a string"));
    assert!(
        text.bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'%'),
        "{what}: {name} would need percent-encoding: {text:?}"
    );
    Some(text)
}

/// The CloudEvent input in binary mode: every attribute a `ce-*` header,
/// `datacontenttype` the `Content-Type`, the body the data.
fn binary_request(input: &Value, what: &str) -> TestRequest {
    let mut request = TestRequest::post("/");
    for name in ["specversion", "id", "source", "type", "subject", "time"] {
        if let Some(value) = attribute(input, name, what) {
            request = request.header(&format!("ce-{name}"), value);
        }
    }
    if let Some(content_type) = attribute(input, "datacontenttype", what) {
        request = request.header("content-type", content_type);
    }
    let data = input
        .get("data")
        .unwrap_or_else(|| panic!("{what}: no data"));
    request.body(serde_json::to_vec(data).expect("JSON"))
}

/// The legacy input as Cloud Functions sends it: the JSON, as it is.
fn legacy_request(path: &Path) -> TestRequest {
    TestRequest::post("/")
        .header("content-type", "application/json")
        .body(read(path))
}

/// The fields that differ between what the function got and what it should
/// have got, as the suite's client compares them.
fn differences(got: &Value, want: &Value) -> Vec<String> {
    let mut differences = Vec::new();
    for field in ["id", "source", "type", "subject", "datacontenttype", "data"] {
        if got.get(field) != want.get(field) {
            differences.push(format!(
                "{field}: got {}, want {}",
                shown(got.get(field)),
                shown(want.get(field))
            ));
        }
    }
    let instant = |event: &Value| {
        event
            .get("time")
            .and_then(Value::as_str)
            .map(|time| anyfn::time::parse_rfc3339(time).map_err(|err| format!("{time:?}: {err}")))
    };
    if instant(got) != instant(want) {
        differences.push(format!(
            "time: got {}, want {}",
            shown(got.get("time")),
            shown(want.get("time"))
        ));
    }
    if let Some(encoded) = got.get("data_base64") {
        differences.push(format!("data_base64: got {encoded}, want JSON data"));
    }
    differences
}

fn shown(value: Option<&Value>) -> String {
    value.map_or_else(|| "(absent)".to_owned(), Value::to_string)
}

/// Passed and failed cases of one kind of input.
#[derive(Default)]
struct Tally {
    passed: usize,
    failures: Vec<String>,
}

impl Tally {
    fn record(&mut self, what: &str, outcome: Result<Value, String>, want: &Value) {
        let differences = match outcome {
            Ok(got) => differences(&got, want),
            Err(err) => vec![err],
        };
        if differences.is_empty() {
            self.passed += 1;
        } else {
            self.failures
                .push(format!("{what}:\n    {}", differences.join("\n    ")));
        }
    }

    fn total(&self) -> usize {
        self.passed + self.failures.len()
    }
}

/// What the echo function received, or why nothing was.
async fn received(server: &TestServer, request: TestRequest) -> Result<Value, String> {
    let response = server
        .client()
        .send(request)
        .await
        .map_err(|err| format!("no response: {err}"))?;
    if response.status() != 200 {
        return Err(format!("status {}: {}", response.status(), response.text()));
    }
    serde_json::from_slice(response.body().as_bytes())
        .map_err(|err| format!("the echo is not JSON: {err}"))
}

#[tokio::test]
async fn every_conformance_event_reaches_a_cloud_event_function_as_the_suite_expects() {
    let dir = fixtures();
    let server = echo_server().await;
    let mut cloud_event_inputs = Tally::default();
    let mut legacy_inputs = Tally::default();
    for name in EVENTS {
        let input = read_json(&dir.join(format!("{name}-cloudevent-input.json")));
        let what = format!("{name}-cloudevent-input.json");
        let outcome = received(&server, binary_request(&input, &what)).await;
        cloud_event_inputs.record(&what, outcome, &input);

        let legacy = dir.join(format!("{name}-legacy-input.json"));
        let want = read_json(&dir.join(format!("{name}-cloudevent-output.json")));
        let outcome = received(&server, legacy_request(&legacy)).await;
        legacy_inputs.record(&format!("{name}-legacy-input.json"), outcome, &want);
    }
    for name in DERIVED {
        let legacy = dir.join(format!("derived/{name}-legacy-input.json"));
        let want = read_json(&dir.join(format!("derived/{name}-cloudevent-output.json")));
        let outcome = received(&server, legacy_request(&legacy)).await;
        legacy_inputs.record(&format!("derived/{name}-legacy-input.json"), outcome, &want);
    }
    server.shutdown().await;

    println!(
        "{}/{} CloudEvent inputs, {}/{} legacy inputs passed",
        cloud_event_inputs.passed,
        cloud_event_inputs.total(),
        legacy_inputs.passed,
        legacy_inputs.total()
    );
    let failures: Vec<_> = cloud_event_inputs
        .failures
        .iter()
        .chain(&legacy_inputs.failures)
        .collect();
    assert!(
        failures.is_empty(),
        "{} failed:\n{}",
        failures.len(),
        failures
            .iter()
            .map(|failure| failure.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_eq!(cloud_event_inputs.total(), 17);
    assert_eq!(legacy_inputs.total(), 19);
}

/// Every input file in the fixtures is one of the events above, so a file
/// added to the folder cannot go untested.
#[test]
fn every_fixture_is_an_event_the_test_sends() {
    let mut names: Vec<String> = std::fs::read_dir(fixtures())
        .expect("fixtures")
        .filter_map(|entry| {
            let name = entry
                .expect("entry")
                .file_name()
                .into_string()
                .expect("UTF-8");
            name.strip_suffix("-legacy-input.json").map(str::to_owned)
        })
        .collect();
    names.sort();
    assert_eq!(names, EVENTS);
}

/// The comparison itself notices each field: one tamper per field fails it.
#[test]
fn the_comparison_fails_on_any_differing_field() {
    let want = read_json(&fixtures().join("storage-cloudevent-output.json"));
    assert_eq!(differences(&want, &want), Vec::<String>::new());
    // The same instant written otherwise is the same time.
    let mut same = want.clone();
    same["time"] = json!("2020-09-29T13:32:00.123+02:00");
    assert_eq!(differences(&same, &want), Vec::<String>::new());
    let tampers = [
        ("id", json!("other")),
        (
            "source",
            json!("//storage.googleapis.com/projects/_/buckets/other"),
        ),
        ("type", json!("google.cloud.storage.object.v1.deleted")),
        ("subject", json!("objects/other")),
        ("datacontenttype", json!("text/plain")),
        ("time", json!("2020-09-29T11:32:00.124Z")),
        ("data", json!({"bucket": "some-bucket"})),
    ];
    for (field, value) in tampers {
        let mut got = want.clone();
        got[field] = value;
        let found = differences(&got, &want);
        assert_eq!(found.len(), 1, "{field}: {found:?}");
        assert!(
            found[0].starts_with(&format!("{field}: ")),
            "{field}: {found:?}"
        );
    }
    let mut got = want.clone();
    got.as_object_mut().expect("object").remove("subject");
    assert_eq!(
        differences(&got, &want),
        vec![r#"subject: got (absent), want "objects/folder/Test.cs""#.to_owned()]
    );
}

/// 2020-09-29T11:32:00.123Z, the suite's timestamp.
fn suite_time() -> std::time::SystemTime {
    UNIX_EPOCH + Duration::from_millis(1_601_379_120_123)
}

#[tokio::test]
async fn a_legacy_storage_event_reaches_a_storage_function() {
    let server = TestServer::start(handler_fn(
        |event: StorageEvent, _context: Context| async move { Ok::<_, anyfn::Error>(Json(event)) },
    ))
    .await
    .expect("server");
    let response = server
        .client()
        .send(legacy_request(
            &fixtures().join("storage-legacy-input.json"),
        ))
        .await
        .expect("response");
    server.shutdown().await;
    assert_eq!(response.status(), 200, "{}", response.text());
    let event: StorageEvent = response.json();
    assert_eq!(event.objects.len(), 1);
    let object = &event.objects[0];
    assert_eq!(object.change, ObjectChange::Created);
    assert_eq!(object.bucket, "some-bucket");
    assert_eq!(object.key, "folder/Test.cs");
    assert_eq!(object.size, Some(352));
    assert_eq!(object.etag.as_deref(), Some("CNHZkbuF/ugCEAE="));
    assert_eq!(object.version.as_deref(), Some("1587627537231057"));
    assert_eq!(object.time, Some(suite_time()));
}

#[tokio::test]
async fn legacy_pubsub_events_reach_a_queue_function() {
    let server = TestServer::start(handler_fn(
        |batch: QueueBatch, _context: Context| async move { Ok::<_, anyfn::Error>(Json(batch)) },
    ))
    .await
    .expect("server");
    // Context at the top level, and in a `context` object.
    let cases = [
        (
            "legacy_pubsub",
            &b"This is a sample message"[..],
            ("attribute1", "value1"),
        ),
        ("pubsub_text", b"test message 3", ("attr1", "attr1-value")),
    ];
    for (name, body, (key, value)) in cases {
        let response = server
            .client()
            .send(legacy_request(
                &fixtures().join(format!("{name}-legacy-input.json")),
            ))
            .await
            .expect("response");
        assert_eq!(response.status(), 200, "{name}: {}", response.text());
        let batch: QueueBatch = response.json();
        assert_eq!(batch.messages.len(), 1, "{name}");
        let message = &batch.messages[0];
        assert_eq!(message.id, "aaaaaa-1111-bbbb-2222-cccccccccccc", "{name}");
        assert_eq!(&message.body[..], body, "{name}");
        assert_eq!(
            message
                .attributes
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect::<Vec<_>>(),
            vec![(key, value)],
            "{name}"
        );
        assert_eq!(message.sent_time, Some(suite_time()), "{name}");
        assert_eq!(
            message.source.as_deref(),
            Some("//pubsub.googleapis.com/projects/sample-project/topics/gcf-test"),
            "{name}"
        );
        assert_eq!(message.delivery_attempt, None, "{name}");
    }
    server.shutdown().await;
}

#[tokio::test]
async fn a_json_function_gets_the_legacy_body_as_sent() {
    let server = TestServer::start(handler_fn(
        |body: Json<Value>, _context: Context| async move { Ok::<_, anyfn::Error>(body) },
    ))
    .await
    .expect("server");
    for name in ["storage", "legacy_pubsub", "firebase-auth"] {
        let path = fixtures().join(format!("{name}-legacy-input.json"));
        let response = server
            .client()
            .send(legacy_request(&path))
            .await
            .expect("response");
        assert_eq!(response.status(), 200, "{name}: {}", response.text());
        assert_eq!(response.json::<Value>(), read_json(&path), "{name}");
    }
    server.shutdown().await;
}

#[tokio::test]
async fn a_legacy_event_of_an_unknown_type_is_a_bad_request() {
    let server = echo_server().await;
    let response = server
        .client()
        .send(TestRequest::post("/").json(&json!({
            "eventId": "1",
            "eventType": "providers/cloud.bigtable/eventTypes/row.write",
            "resource": "projects/p/instances/i",
            "data": {}
        })))
        .await
        .expect("response");
    server.shutdown().await;
    assert_eq!(response.status(), 400);
    let error: Value = response.json();
    assert_eq!(error["errorType"], "BadRequest");
    assert_eq!(
        error["errorMessage"],
        "the legacy Cloud Functions event type \"providers/cloud.bigtable/eventTypes/row.write\" \
         has no CloudEvent equivalent this server knows; see anyfn_server's docs for the legacy \
         types it converts"
    );
}

/// The suite's `http` check: the function gets the request as sent (its
/// test function writes the body to a file the client reads back).
#[tokio::test]
async fn the_suite_http_check_the_function_gets_the_body_as_sent() {
    let server = TestServer::start(handler_fn(
        |request: anyfn::Request, _context: Context| async move {
            Ok::<_, anyfn::Error>(anyfn::response::text(request.body().text()?.to_owned()))
        },
    ))
    .await
    .expect("server");
    let response = server
        .client()
        .send(TestRequest::post("/").body(r#"{"res":"PASS"}"#))
        .await
        .expect("response");
    server.shutdown().await;
    response.assert_status(200);
    assert_eq!(response.json::<Value>(), json!({"res": "PASS"}));
    println!("http: passed");
}

/// The suite's `typed` check: JSON in, JSON out, the request echoed in
/// `payload`.
#[tokio::test]
async fn the_suite_typed_check_json_in_json_out() {
    let server = TestServer::start(handler_fn(
        |Json(request): Json<Value>, _context: Context| async move {
            Ok::<_, anyfn::Error>(Json(json!({ "payload": request })))
        },
    ))
    .await
    .expect("server");
    let response = server
        .client()
        .send(TestRequest::post("/").json(&json!({"message": "Hello world!"})))
        .await
        .expect("response");
    server.shutdown().await;
    response.assert_status(200);
    assert_eq!(
        response.json::<Value>(),
        json!({"payload": {"message": "Hello world!"}})
    );
    println!("typed: passed");
}

/// How many requests the concurrency check sends at once.
const CONCURRENT: usize = 10;

/// Waits, inside a handler, until [`CONCURRENT`] handlers are waiting: every
/// request succeeds only if all were in flight at once, which is what the
/// suite's concurrency check means (it measures wall-clock time instead).
async fn all_in_flight(barrier: &tokio::sync::Barrier) -> Result<(), anyfn::Error> {
    tokio::time::timeout(Duration::from_secs(2), barrier.wait())
        .await
        .map(drop)
        .map_err(|_| anyfn::Error::unavailable("not every request was in flight at once"))
}

/// Sends [`CONCURRENT`] copies of `request` at once; the statuses.
async fn send_concurrently(server: &TestServer, request: &TestRequest) -> Vec<u16> {
    let sends = (0..CONCURRENT).map(|_| {
        let client = server.client();
        let request = request.clone();
        tokio::spawn(async move { client.send(request).await.expect("response").status() })
    });
    let mut statuses = Vec::new();
    for send in sends.collect::<Vec<_>>() {
        statuses.push(send.await.expect("task").as_u16());
    }
    statuses
}

/// The suite's concurrency check, for each signature it checks (`http`,
/// `typed`, `cloudevent`, `legacyevent`), with its payloads: ten requests to
/// a function that waits are all in flight at once.
#[tokio::test]
async fn the_suite_concurrency_check_every_request_is_in_flight_at_once() {
    use std::sync::Arc;
    use tokio::sync::Barrier;

    let legacy = json!({
        "data": {"email": "test@nowhere.com", "uid": "UUpby3s4spZre6kHsgVSPetzQ8l2",
                 "metadata": {"createdAt": "2020-05-26T10:42:27Z", "lastSignedInAt": "2020-10-24T11:00:00Z"}},
        "eventId": "aaaaaa-1111-bbbb-2222-cccccccccccc",
        "eventType": "providers/firebase.auth/eventTypes/user.create",
        "notSupported": {},
        "resource": "projects/my-project-id",
        "timestamp": "2020-09-29T11:32:00.123Z"
    });
    let structured = json!({
        "specversion": "1.0",
        "type": "google.firebase.auth.user.v1.created",
        "source": "//firebaseauth.googleapis.com/projects/my-project-id",
        "subject": "users/UUpby3s4spZre6kHsgVSPetzQ8l2",
        "id": "aaaaaa-1111-bbbb-2222-cccccccccccc",
        "time": "2020-09-29T11:32:00.123Z",
        "datacontenttype": "application/json",
        "data": {"email": "test@nowhere.com", "uid": "UUpby3s4spZre6kHsgVSPetzQ8l2"}
    });
    let http_payload = TestRequest::post("/").json(&json!({"data": "hello"}));

    let barrier = Arc::new(Barrier::new(CONCURRENT));
    let http = TestServer::start(handler_fn({
        let barrier = Arc::clone(&barrier);
        move |_request: anyfn::Request, _context: Context| {
            let barrier = Arc::clone(&barrier);
            async move {
                all_in_flight(&barrier).await?;
                Ok::<_, anyfn::Error>(anyfn::response::text("ok"))
            }
        }
    }))
    .await
    .expect("server");
    assert_eq!(
        send_concurrently(&http, &http_payload).await,
        [200; CONCURRENT],
        "http"
    );
    http.shutdown().await;

    let barrier = Arc::new(Barrier::new(CONCURRENT));
    let typed = TestServer::start(handler_fn({
        let barrier = Arc::clone(&barrier);
        move |Json(value): Json<Value>, _context: Context| {
            let barrier = Arc::clone(&barrier);
            async move {
                all_in_flight(&barrier).await?;
                Ok::<_, anyfn::Error>(Json(json!({ "payload": value })))
            }
        }
    }))
    .await
    .expect("server");
    assert_eq!(
        send_concurrently(&typed, &http_payload).await,
        [200; CONCURRENT],
        "typed"
    );
    typed.shutdown().await;

    let barrier = Arc::new(Barrier::new(CONCURRENT));
    let events = TestServer::start(handler_fn({
        let barrier = Arc::clone(&barrier);
        move |event: CloudEvent, _context: Context| {
            let barrier = Arc::clone(&barrier);
            async move {
                all_in_flight(&barrier).await?;
                assert_eq!(event.event_type, "google.firebase.auth.user.v1.created");
                Ok::<_, anyfn::Error>(())
            }
        }
    }))
    .await
    .expect("server");
    let cloudevent = TestRequest::post("/")
        .header("content-type", "application/cloudevents+json")
        .body(structured.to_string());
    assert_eq!(
        send_concurrently(&events, &cloudevent).await,
        [204; CONCURRENT],
        "cloudevent"
    );
    let legacyevent = TestRequest::post("/").json(&legacy);
    assert_eq!(
        send_concurrently(&events, &legacyevent).await,
        [204; CONCURRENT],
        "legacyevent"
    );
    events.shutdown().await;
    println!("concurrency ({CONCURRENT} at once): http, typed, cloudevent, legacyevent passed");
}
