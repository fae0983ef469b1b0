//! The shortener example's contract (`examples/shortener.rs`): one script
//! of requests, each with the exact status, `Location`, `Allow` and body it
//! must get, played through the harness, the local server over HTTP, the
//! Lambda adapter (the example's binary on the emulator, HTTP API events)
//! and the Azure adapter (its binary under the host emulator).

use anyfn_test::fixtures::aws;
use anyfn_test::{Harness, TestRequest, TestResponse, TestServer};
use serde_json::{json, Value};

use crate::azure::on_azure;
use crate::example_code::shortener::Shortener;
use crate::lambda::on_lambda;

/// What the script checks of an answer: the status, the `Location` and
/// `Allow` headers, and the body (`null` when empty; for an error, its
/// document without the request id, which differs per runtime).
#[derive(Debug, PartialEq)]
struct Answer {
    status: u16,
    location: Option<String>,
    allow: Option<String>,
    body: Value,
}

impl Answer {
    fn new(status: u16, location: Option<&str>, allow: Option<&str>, body: &[u8]) -> Self {
        let body = if body.is_empty() {
            Value::Null
        } else {
            let mut document: Value = serde_json::from_slice(body)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()));
            if let Some(object) = document.as_object_mut() {
                object.remove("requestId");
            }
            document
        };
        Self {
            status,
            location: location.map(str::to_owned),
            allow: allow.map(str::to_owned),
            body,
        }
    }

    fn from_test_response(response: &TestResponse) -> Self {
        Self::new(
            response.status().as_u16(),
            response.header("location"),
            response.header("allow"),
            response.body().as_bytes(),
        )
    }
}

fn expect(status: u16, location: Option<&str>, allow: Option<&str>, body: Value) -> Answer {
    Answer {
        status,
        location: location.map(str::to_owned),
        allow: allow.map(str::to_owned),
        body,
    }
}

fn error(error_type: &str, message: &str) -> Value {
    json!({"errorType": error_type, "errorMessage": message})
}

/// Every request of the script, in order (later ones see the links earlier
/// ones made), with the answer it must get.
fn script() -> Vec<(TestRequest, Answer)> {
    let rust = json!({"id": "1", "url": "https://www.rust-lang.org/", "tags": ["rust", "lang"]});
    let crates = json!({"id": "2", "url": "https://crates.io/"});
    let docs = json!({"id": "3", "url": "https://docs.rs/?q=a%20b", "tags": ["rust"]});
    let not_a_web_url = |url: &str| {
        error(
            "Unprocessable",
            &format!("`url` must be an absolute http or https URL, found {url:?}"),
        )
    };
    let create = |body: Value| TestRequest::post("/links").json(&body);
    vec![
        (
            create(json!({"url": "https://www.rust-lang.org/", "tags": ["rust", "lang"]})),
            expect(201, Some("/1"), None, rust.clone()),
        ),
        (
            create(json!({"url": "https://crates.io/"})),
            expect(201, Some("/2"), None, crates.clone()),
        ),
        (
            create(json!({"url": "https://docs.rs/?q=a b", "tags": ["rust"]})),
            expect(422, None, None, not_a_web_url("https://docs.rs/?q=a b")),
        ),
        (
            create(json!({"url": "https://docs.rs/?q=a%20b", "tags": ["rust"]})),
            expect(201, Some("/3"), None, docs.clone()),
        ),
        (
            create(json!({"url": "ftp://example.com/file"})),
            expect(422, None, None, not_a_web_url("ftp://example.com/file")),
        ),
        (
            create(json!({"link": "https://example.com/"})),
            expect(
                400,
                None,
                None,
                error(
                    "BadRequest",
                    "the body is not valid JSON for this event: missing field `url` at line 1 column 31",
                ),
            ),
        ),
        (
            TestRequest::get("/1"),
            expect(302, Some("https://www.rust-lang.org/"), None, Value::Null),
        ),
        (
            TestRequest::get("/3"),
            expect(302, Some("https://docs.rs/?q=a%20b"), None, Value::Null),
        ),
        (
            TestRequest::get("/links"),
            expect(200, None, None, json!({"links": [rust, crates, docs]})),
        ),
        (
            TestRequest::get("/links").query("limit", "2"),
            expect(200, None, None, json!({"links": [rust, crates]})),
        ),
        (
            TestRequest::get("/links")
                .query("tag", "rust")
                .query("tag", "lang"),
            expect(200, None, None, json!({"links": [rust]})),
        ),
        (
            // A repeated `limit` counts its last value.
            TestRequest::get("/links")
                .query("tag", "rust")
                .query("limit", "1")
                .query("limit", "5"),
            expect(200, None, None, json!({"links": [rust, docs]})),
        ),
        (
            TestRequest::get("/links").query("tag", "go"),
            expect(200, None, None, json!({"links": []})),
        ),
        (
            TestRequest::get("/links").query("limit", "ten"),
            expect(
                400,
                None,
                None,
                error(
                    "BadRequest",
                    r#"query parameter "limit": expected an integer, found "ten""#,
                ),
            ),
        ),
        (
            TestRequest::get("/links").query("limit", "101"),
            expect(
                400,
                None,
                None,
                error(
                    "BadRequest",
                    r#"query parameter "limit": at most 100, found 101"#,
                ),
            ),
        ),
        (
            TestRequest::get("/zz"),
            expect(404, None, None, error("NotFound", r#"no link "zz""#)),
        ),
        (
            TestRequest::get("/"),
            expect(404, None, None, error("NotFound", r#"nothing at "/""#)),
        ),
        (
            TestRequest::delete("/links"),
            expect(
                405,
                None,
                Some("GET, POST"),
                error(
                    "MethodNotAllowed",
                    "the method is not allowed here; allowed: GET, POST",
                ),
            ),
        ),
        (
            TestRequest::put("/1"),
            expect(
                405,
                None,
                Some("GET"),
                error(
                    "MethodNotAllowed",
                    "the method is not allowed here; allowed: GET",
                ),
            ),
        ),
    ]
}

/// A request as the script writes it, for the messages.
fn describe(request: &TestRequest) -> String {
    let built = request.clone().build();
    format!("{} {}", built.method(), built.uri())
}

#[tokio::test]
async fn the_script_in_the_harness() {
    let harness = Harness::new(Shortener::new());
    for (request, expected) in script() {
        let what = describe(&request);
        let response = harness
            .invoke(request.build())
            .await
            .into_http_response()
            .await;
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|value| value.to_str().expect("a text header"))
        };
        let answer = Answer::new(
            response.status().as_u16(),
            header("location"),
            header("allow"),
            response.body().as_bytes(),
        );
        assert_eq!(answer, expected, "{what}");
    }
}

#[tokio::test]
async fn the_script_over_http_on_the_local_server() {
    let server = TestServer::start(Shortener::new())
        .await
        .expect("server starts");
    let client = server.client();
    for (request, expected) in script() {
        let what = describe(&request);
        let response = client.send(request).await.expect("response");
        assert_eq!(Answer::from_test_response(&response), expected, "{what}");
        let content_type = response.header("content-type");
        match expected.status {
            302 => assert_eq!(content_type, None, "{what}: an empty redirect"),
            _ => assert_eq!(content_type, Some("application/json"), "{what}"),
        }
        if expected.status >= 400 {
            let document: Value = response.json();
            assert_eq!(
                document["requestId"].as_str(),
                response.header("x-request-id"),
                "{what}: the error names its request"
            );
        }
    }
    server.shutdown().await;
}

#[tokio::test]
async fn the_script_on_lambda_through_http_api_events() {
    let (emulator, _function) = on_lambda("shortener").await;
    for (request, expected) in script() {
        let what = describe(&request);
        let response = emulator
            .invoke(aws::http_api_request(&request.build()).to_string())
            .await
            .expect_json();
        assert_eq!(response["isBase64Encoded"], false, "{what}");
        let status = response["statusCode"].as_u64().expect("a status");
        let answer = Answer::new(
            u16::try_from(status).expect("a status"),
            response["headers"]["location"].as_str(),
            response["headers"]["allow"].as_str(),
            response["body"].as_str().unwrap_or_default().as_bytes(),
        );
        assert_eq!(answer, expected, "{what}");
    }
}

#[tokio::test]
async fn the_script_on_azure_through_its_http_trigger() {
    let (azure, _process) = on_azure("shortener").await;
    for (request, expected) in script() {
        let what = describe(&request);
        let outcome = azure.http("shortener", request).await;
        assert!(
            outcome.succeeded(),
            "{what}: an HTTP answer is a 2xx envelope"
        );
        assert_eq!(
            Answer::from_test_response(&outcome.http_response()),
            expected,
            "{what}"
        );
    }
}
