//! Requests made by the official Python CloudEvents SDK
//! (`tests/fixtures/cloudevents-sdk`; its README names the versions and APIs),
//! through `anyfn_server::cloud_event_from_request` and through the real
//! server running the `ce-echo` example: every attribute and the data arrive
//! as the SDK was given them, whether it percent-encoded the `ce-*` headers
//! (`cloudevents.core`) or sent them raw (`cloudevents.http`,
//! `cloudevents.v1.http`), and whether the raw text reaches the wire as UTF-8
//! or as the ISO-8859-1 bytes Python's `http.client` (under `requests`) writes.

use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use anyfn::event::{CloudEvent, CloudEventData};
use anyfn::http::{HeaderName, HeaderValue, Method};
use anyfn::{handler_fn, Body, Request};
use anyfn_test::TestServer;
use base64::Engine as _;
use serde_json::{json, Value};

use crate::example_code::ce_echo as ce_echo_example;

const ID: &str = "6f1c2a3e-0000-4000-8000-00000000a001";
const SOURCE: &str = "/storage/bucket";
const TYPE: &str = "com.example.object.created";
const SUBJECT: &str = "objects/a b%c/\u{fc}.txt";
/// 2024-05-01T12:00:00Z.
const TIME_SECS: u64 = 1_714_564_800;

/// The event the generator gave the SDK, as anyfn must read it: JSON data
/// without a `datacontenttype` (neither SDK sends one for it).
fn expected() -> CloudEvent {
    let mut event = CloudEvent::new(ID, SOURCE, TYPE)
        .with_subject(SUBJECT)
        .with_time(UNIX_EPOCH + Duration::from_secs(TIME_SECS));
    event.data = Some(CloudEventData::Json(
        json!({"bucket": "bucket", "name": SUBJECT, "size": 2048}),
    ));
    event
}

/// One recorded SDK request.
struct Fixture {
    file: String,
    api: String,
    mode: String,
    document: Value,
}

impl Fixture {
    /// `request.headers`: the text the SDK produced.
    fn headers(&self) -> Vec<(String, String)> {
        object(&self.document["request"]["headers"], &self.file)
            .map(|(name, value)| (name, string(value, &self.file).to_owned()))
            .collect()
    }

    /// `request.wire_header_bytes_base64`: the bytes `http.client` writes.
    fn wire_headers(&self) -> Vec<(String, Vec<u8>)> {
        object(
            &self.document["request"]["wire_header_bytes_base64"],
            &self.file,
        )
        .map(|(name, value)| {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(string(value, &self.file))
                .unwrap_or_else(|err| panic!("{}: {name}: bad base64: {err}", self.file));
            (name, bytes)
        })
        .collect()
    }

    fn body(&self) -> Vec<u8> {
        let request = &self.document["request"];
        match (request.get("body"), request.get("body_base64")) {
            (Some(text), None) => string(text, &self.file).as_bytes().to_vec(),
            (None, Some(encoded)) => base64::engine::general_purpose::STANDARD
                .decode(string(encoded, &self.file))
                .unwrap_or_else(|err| panic!("{}: body_base64: {err}", self.file)),
            _ => panic!("{}: expected one of body, body_base64", self.file),
        }
    }

    /// The request with `headers` (each value as the bytes given).
    fn request(&self, headers: &[(String, Vec<u8>)]) -> Request {
        let mut request = Request::new(Body::from(self.body()));
        *request.method_mut() = Method::POST;
        *request.uri_mut() = "/".parse().expect("a path");
        for (name, value) in headers {
            let name = HeaderName::try_from(name.as_str())
                .unwrap_or_else(|err| panic!("{}: header name {name:?}: {err}", self.file));
            let value = HeaderValue::from_bytes(value)
                .unwrap_or_else(|err| panic!("{}: header {name} value: {err}", self.file));
            request.headers_mut().insert(name, value);
        }
        request
    }

    /// The request as the SDK's text written as UTF-8, and as `http.client`
    /// writes it (ISO-8859-1), each named.
    fn requests(&self) -> Vec<(String, Request)> {
        let utf8: Vec<_> = self
            .headers()
            .into_iter()
            .map(|(name, value)| (name, value.into_bytes()))
            .collect();
        vec![
            (format!("{} as UTF-8", self.file), self.request(&utf8)),
            (
                format!("{} as http.client's bytes", self.file),
                self.request(&self.wire_headers()),
            ),
        ]
    }
}

fn object<'a>(value: &'a Value, file: &str) -> impl Iterator<Item = (String, &'a Value)> {
    value
        .as_object()
        .unwrap_or_else(|| panic!("{file}: expected a JSON object, found {value}"))
        .iter()
        .map(|(name, value)| (name.clone(), value))
}

fn string<'a>(value: &'a Value, file: &str) -> &'a str {
    value
        .as_str()
        .unwrap_or_else(|| panic!("{file}: expected a string, found {value}"))
}

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cloudevents-sdk")
}

fn fixtures() -> Vec<Fixture> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixture_dir())
        .expect("tests/fixtures/cloudevents-sdk")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let file = path
                .file_name()
                .expect("a file name")
                .to_string_lossy()
                .into_owned();
            let document: Value = serde_json::from_slice(&std::fs::read(&path).expect("readable"))
                .unwrap_or_else(|err| panic!("{file}: not JSON: {err}"));
            Fixture {
                api: string(&document["sdk"]["api"], &file).to_owned(),
                mode: string(&document["mode"], &file).to_owned(),
                file,
                document,
            }
        })
        .collect()
}

#[test]
fn the_sdk_fixtures_cover_each_api_and_mode_and_record_what_each_sends() {
    let fixtures = fixtures();
    let mut seen: Vec<(String, String, String)> = fixtures
        .iter()
        .map(|f| {
            let version = string(&f.document["sdk"]["version"], &f.file).to_owned();
            (version, f.api.clone(), f.mode.clone())
        })
        .collect();
    seen.sort();
    let expected_set: Vec<(String, String, String)> = [
        ("1.13.0", "cloudevents.http", "binary"),
        ("1.13.0", "cloudevents.http", "structured"),
        ("2.2.0", "cloudevents.core", "binary"),
        ("2.2.0", "cloudevents.core", "structured"),
        ("2.2.0", "cloudevents.v1.http", "binary"),
        ("2.2.0", "cloudevents.v1.http", "structured"),
    ]
    .iter()
    .map(|(v, a, m)| ((*v).to_owned(), (*a).to_owned(), (*m).to_owned()))
    .collect();
    assert_eq!(seen, expected_set);

    for fixture in &fixtures {
        // What the generator gave the SDK is the event this test expects.
        let given = &fixture.document["event"];
        assert_eq!(given["id"], ID, "{}", fixture.file);
        assert_eq!(given["source"], SOURCE, "{}", fixture.file);
        assert_eq!(given["type"], TYPE, "{}", fixture.file);
        assert_eq!(given["subject"], SUBJECT, "{}", fixture.file);
        assert_eq!(given["time"], "2024-05-01T12:00:00Z", "{}", fixture.file);

        let headers = fixture.headers();
        let header = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, value)| value.as_str())
        };
        let wire = fixture.wire_headers();
        let wire_header = |name: &str| {
            wire.iter()
                .find(|(n, _)| n == name)
                .map(|(_, value)| value.as_slice())
        };
        match (fixture.api.as_str(), fixture.mode.as_str()) {
            ("cloudevents.http" | "cloudevents.v1.http", "binary") => {
                // Raw text, `%` and all; on the wire, `ü` is the byte 0xFC.
                assert_eq!(header("ce-subject"), Some(SUBJECT), "{}", fixture.file);
                assert_eq!(
                    wire_header("ce-subject"),
                    Some(&b"objects/a b%c/\xfc.txt"[..]),
                    "{}",
                    fixture.file
                );
                assert_eq!(header("content-type"), None, "{}", fixture.file);
            }
            ("cloudevents.core", "binary") => {
                assert_eq!(
                    header("ce-subject"),
                    Some("objects/a%20b%25c/%C3%BC.txt"),
                    "{}",
                    fixture.file
                );
                assert_eq!(header("content-type"), None, "{}", fixture.file);
            }
            (_, "structured") => {
                assert_eq!(
                    header("content-type"),
                    Some("application/cloudevents+json"),
                    "{}",
                    fixture.file
                );
                assert!(
                    !headers.iter().any(|(name, _)| name.starts_with("ce-")),
                    "{}",
                    fixture.file
                );
            }
            (api, mode) => panic!("{}: unexpected API {api} and mode {mode}", fixture.file),
        }
    }
}

#[test]
fn every_sdk_request_decodes_to_the_event_it_was_given() {
    for fixture in fixtures() {
        for (what, request) in fixture.requests() {
            let event = anyfn_server::cloud_event_from_request(&request)
                .unwrap_or_else(|err| panic!("{what}: {err}"))
                .unwrap_or_else(|| panic!("{what}: no CloudEvent found"));
            assert_eq!(event.subject.as_deref(), Some(SUBJECT), "{what}");
            assert_eq!(event.id, ID, "{what}");
            assert_eq!(event.event_type, TYPE, "{what}");
            assert_eq!(event.source, SOURCE, "{what}");
            assert_eq!(event, expected(), "{what}");
        }
    }
}

#[tokio::test]
async fn every_sdk_request_arrives_intact_through_the_server() {
    let server = TestServer::start(handler_fn(ce_echo_example::ce_echo))
        .await
        .expect("server");
    for fixture in fixtures() {
        for (what, request) in fixture.requests() {
            let response = server.client().send(request).await.expect("a response");
            assert_eq!(response.status(), 200, "{what}: {}", response.text());
            assert_eq!(
                response.header("content-type"),
                Some("application/cloudevents+json"),
                "{what}"
            );
            let echoed: Value = response.json();
            assert_eq!(echoed["subject"], SUBJECT, "{what}");
            assert_eq!(echoed["id"], ID, "{what}");
            assert_eq!(echoed["type"], TYPE, "{what}");
            assert_eq!(echoed["source"], SOURCE, "{what}");
            assert_eq!(echoed["time"], "2024-05-01T12:00:00Z", "{what}");
            assert_eq!(
                echoed["data"],
                json!({"bucket": "bucket", "name": SUBJECT, "size": 2048}),
                "{what}"
            );
            let event = CloudEvent::from_json(response.body().as_bytes())
                .unwrap_or_else(|err| panic!("{what}: the echo is not a CloudEvent: {err}"));
            assert_eq!(event, expected(), "{what}");
        }
    }
    server.shutdown().await;
}
