//! The `rest-api` example's one test, run through every way anyfn runs it:
//! the harness, the local server, the Lambda emulator behind each HTTP
//! source (REST API, HTTP API, ALB, function URL) and the Azure Functions
//! emulator. Each starts with an empty store and gets the same requests in
//! the same order, and must give the same answers: status, the headers that
//! matter (`Location`, `Allow`, `Content-Type`, CORS) and body.
//!
//! The binaries (`rest-api`, `layered-hello`) run under the emulators as
//! they would on Lambda and Azure; the harness and the server run the same
//! router in this process.

use std::path::PathBuf;
use std::time::Duration;

use anyfn::http::{HeaderMap, Method, StatusCode};
use anyfn_test::fixtures::lambda_http::LambdaHttpSource;
use anyfn_test::{
    AzureEmulator, AzureEmulatorBuilder, FunctionProcess, Harness, LambdaEmulator,
    LambdaEmulatorBuilder, TestRequest, TestServer,
};
use serde_json::{json, Value};

/// One request of the sequence and the answer it must get.
struct Case {
    request: fn() -> TestRequest,
    status: u16,
    /// Headers that must have exactly these values.
    headers: &'static [(&'static str, &'static str)],
    /// The body: JSON compared as JSON, else text.
    body: Expected,
}

enum Expected {
    Json(fn() -> Value),
    Text(&'static str),
    Empty,
    /// The JSON of `/whoami`: this invocation's request id, and the platform.
    WhoAmI,
}

const CORS: (&str, &str) = ("access-control-allow-origin", "*");

/// `GET /links/events` once links 1 (followed once) and 2 are stored.
const EVENTS: &str = "event: link\ndata: {\"id\":1,\"url\":\"https://example.com/a\",\"visits\":1}\n\n\
                      event: link\ndata: {\"id\":2,\"url\":\"https://example.com/b?x=1\",\"visits\":0}\n\n";

fn post_link(url: &str) -> TestRequest {
    TestRequest::post("/links").json(&json!({ "url": url }))
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            request: || TestRequest::get("/links"),
            status: 200,
            headers: &[("content-type", "application/json"), CORS],
            body: Expected::Json(|| json!([])),
        },
        Case {
            request: || post_link("https://example.com/a"),
            status: 201,
            headers: &[("location", "/links/1"), CORS],
            body: Expected::Json(|| json!({"id": 1, "url": "https://example.com/a", "visits": 0})),
        },
        Case {
            request: || post_link("https://example.com/b?x=1"),
            status: 201,
            headers: &[("location", "/links/2")],
            body: Expected::Json(|| json!({"id": 2, "url": "https://example.com/b?x=1", "visits": 0})),
        },
        Case {
            request: || post_link("ftp://example.com"),
            status: 422,
            headers: &[("content-type", "application/json")],
            body: Expected::Json(
                || json!({"error": "expected an http(s) URL, found \"ftp://example.com\""}),
            ),
        },
        Case {
            request: || {
                TestRequest::post("/links")
                    .header("content-type", "application/json")
                    .body("{")
            },
            status: 400,
            headers: &[],
            body: Expected::Text(
                "Failed to parse the request body as JSON: EOF while parsing an object at line 1 column 1",
            ),
        },
        Case {
            request: || TestRequest::get("/1"),
            status: 302,
            headers: &[("location", "https://example.com/a"), CORS],
            body: Expected::Empty,
        },
        Case {
            request: || TestRequest::get("/links/1"),
            status: 200,
            headers: &[("content-type", "application/json")],
            body: Expected::Json(|| json!({"id": 1, "url": "https://example.com/a", "visits": 1})),
        },
        Case {
            request: || TestRequest::get("/links").query("limit", "1"),
            status: 200,
            headers: &[],
            body: Expected::Json(|| json!([{"id": 1, "url": "https://example.com/a", "visits": 1}])),
        },
        Case {
            request: || TestRequest::get("/links/events"),
            status: 200,
            headers: &[("content-type", "text/event-stream"), CORS],
            body: Expected::Text(EVENTS),
        },
        Case {
            request: || TestRequest::put("/links"),
            status: 405,
            headers: &[("allow", "GET,HEAD,POST"), CORS],
            body: Expected::Empty,
        },
        Case {
            request: || TestRequest::get("/links/99"),
            status: 404,
            headers: &[("content-type", "application/json")],
            body: Expected::Json(|| json!({"error": "no link 99"})),
        },
        Case {
            request: || TestRequest::get("/links/abc"),
            status: 400,
            headers: &[],
            body: Expected::Text(
                "Invalid URL: Cannot parse `abc` to a `u64`",
            ),
        },
        Case {
            request: || TestRequest::get("/nope/deeper"),
            status: 404,
            headers: &[CORS],
            body: Expected::Json(|| json!({"error": "no route for GET /nope/deeper"})),
        },
        Case {
            request: || TestRequest::delete("/links/1"),
            status: 204,
            headers: &[CORS],
            body: Expected::Empty,
        },
        Case {
            request: || TestRequest::get("/links/1"),
            status: 404,
            headers: &[],
            body: Expected::Json(|| json!({"error": "no link 1"})),
        },
        Case {
            request: || {
                TestRequest::new(Method::OPTIONS, "/links")
                    .header("origin", "https://app.example.com")
                    .header("access-control-request-method", "POST")
            },
            status: 200,
            headers: &[
                CORS,
                ("access-control-allow-methods", "GET,POST,DELETE"),
            ],
            body: Expected::Empty,
        },
        Case {
            request: || TestRequest::get("/whoami"),
            status: 200,
            headers: &[CORS],
            body: Expected::WhoAmI,
        },
    ]
}

/// What an adapter answered, and the request id it ran the invocation as.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
    request_id: String,
}

/// Checks `answer` against `case` (`platform`: what `/whoami` says).
fn check(adapter: &str, index: usize, case: &Case, answer: &Answer, platform: &str) {
    let what = format!(
        "{adapter}, request {index} ({:?})",
        (case.request)().build().uri()
    );
    assert_eq!(answer.status.as_u16(), case.status, "{what}: status");
    for (name, value) in case.headers {
        let seen: Vec<_> = answer.headers.get_all(*name).iter().collect();
        assert_eq!(seen, [*value], "{what}: header {name}");
    }
    match &case.body {
        Expected::Json(expected) => {
            let body: Value = serde_json::from_slice(&answer.body)
                .unwrap_or_else(|err| panic!("{what}: not JSON ({err}): {:?}", answer.body));
            assert_eq!(body, expected(), "{what}: body");
        }
        Expected::Text(text) => {
            assert_eq!(String::from_utf8_lossy(&answer.body), *text, "{what}: body");
        }
        Expected::Empty => assert!(answer.body.is_empty(), "{what}: body {:?}", answer.body),
        Expected::WhoAmI => {
            let body: Value = serde_json::from_slice(&answer.body).expect("JSON");
            assert_eq!(
                body,
                json!({"request_id": answer.request_id, "platform": platform}),
                "{what}: body"
            );
        }
    }
}

#[tokio::test]
async fn through_the_harness() {
    let harness = Harness::new(anyfn_tower::service(rest_api::router()));
    for (index, case) in cases().iter().enumerate() {
        let invocation = harness.invoke((case.request)().build()).await;
        let request_id = invocation.request_id().to_owned();
        let response = invocation.into_http_response().await;
        let (parts, body) = response.into_parts();
        let answer = Answer {
            status: parts.status,
            headers: parts.headers,
            body: body.as_bytes().to_vec(),
            request_id,
        };
        check("harness", index, case, &answer, "test");
    }
}

#[tokio::test]
async fn through_the_local_server() {
    let server = TestServer::start(anyfn_tower::service(rest_api::router()))
        .await
        .expect("the server starts");
    for (index, case) in cases().iter().enumerate() {
        let response = server
            .client()
            .send((case.request)())
            .await
            .expect("the server answers");
        let answer = Answer {
            status: response.status(),
            headers: response.headers().clone(),
            body: response.body().as_bytes().to_vec(),
            request_id: response
                .header("x-request-id")
                .unwrap_or_default()
                .to_owned(),
        };
        check("server", index, case, &answer, "local-server");
    }
    server.shutdown().await;
}

#[tokio::test]
async fn through_every_lambda_http_source() {
    for source in LambdaHttpSource::ALL {
        let (emulator, _function) =
            on_lambda("rest-api", env!("CARGO_BIN_EXE_rest-api"), |builder| {
                builder
            })
            .await;
        for (index, case) in cases().iter().enumerate() {
            let outcome = emulator
                .invoke(source.event(&(case.request)().build()).to_string())
                .await;
            let request_id = outcome.request_id().to_owned();
            let payload: Value = outcome.expect_json();
            let response = source
                .response(&payload)
                .unwrap_or_else(|err| panic!("{}: {err}", source.name()));
            let (parts, body) = response.into_parts();
            let answer = Answer {
                status: parts.status,
                headers: parts.headers,
                body: body.as_bytes().to_vec(),
                request_id,
            };
            check(
                &format!("lambda {}", source.name()),
                index,
                case,
                &answer,
                "aws-lambda",
            );
        }
    }
}

/// The package's binary `name` under a fresh Lambda emulator (named after
/// it), set up by `configure`.
async fn on_lambda(
    name: &str,
    binary: &str,
    configure: impl FnOnce(LambdaEmulatorBuilder) -> LambdaEmulatorBuilder,
) -> (LambdaEmulator, FunctionProcess) {
    let emulator = configure(LambdaEmulator::builder().function_name(name))
        .start()
        .await
        .expect("the emulator starts");
    let function = emulator.spawn(binary).expect("the binary starts");
    (emulator, function)
}

/// The package's binary at `binary` under an Azure host emulator, with the
/// function app folder `examples/azure/{app}`, set up by `configure`.
async fn on_azure(
    app: &str,
    binary: &str,
    configure: impl FnOnce(AzureEmulatorBuilder) -> AzureEmulatorBuilder,
) -> (AzureEmulator, FunctionProcess) {
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../azure")
        .join(app);
    let emulator = configure(AzureEmulator::builder().app_dir(folder))
        .build()
        .expect("the app folder reads");
    let function = emulator.spawn(binary).await.expect("the binary starts");
    (emulator, function)
}

#[tokio::test]
async fn through_the_azure_functions_host() {
    let (azure, _function) =
        on_azure("rest-api", env!("CARGO_BIN_EXE_rest-api"), |azure| azure).await;
    for (index, case) in cases().iter().enumerate() {
        let outcome = azure.http("rest-api", (case.request)()).await;
        let request_id = outcome.invocation_id().to_owned();
        let response = outcome.http_response();
        let answer = Answer {
            status: response.status(),
            headers: response.headers().clone(),
            body: response.body().as_bytes().to_vec(),
            request_id,
        };
        check("azure", index, case, &answer, "azure-functions");
    }
}

/// A plain anyfn handler in tower-http's CORS layer: the layer's headers on
/// the server and on Lambda (and Azure), the handler's answer unchanged.
#[tokio::test]
async fn a_tower_http_layer_wraps_a_plain_handler_on_every_adapter() {
    let request = || {
        TestRequest::get("/")
            .query("name", "Ada")
            .header("origin", "https://app.example.com")
    };
    let expect = |adapter: &str, status: StatusCode, headers: &HeaderMap, body: &[u8]| {
        assert_eq!(status, 200, "{adapter}");
        assert_eq!(headers["access-control-allow-origin"], "*", "{adapter}");
        // Any origin, fixed methods, any headers: nothing in the answer
        // varies with the request, so tower-http (0.7) sends no `Vary`.
        assert!(headers.get("vary").is_none(), "{adapter}: {headers:?}");
        assert_eq!(
            headers["content-type"], "text/plain; charset=utf-8",
            "{adapter}"
        );
        assert_eq!(body, b"Hello, Ada!", "{adapter}");
    };

    let server = TestServer::start(rest_api::layered_hello())
        .await
        .expect("the server starts");
    let response = server.client().send(request()).await.expect("an answer");
    expect(
        "server",
        response.status(),
        response.headers(),
        response.body().as_bytes(),
    );
    assert_eq!(response.header("content-length"), Some("11"), "sent whole");
    server.shutdown().await;

    for source in LambdaHttpSource::ALL {
        let (emulator, _function) = on_lambda(
            "layered-hello",
            env!("CARGO_BIN_EXE_layered-hello"),
            |builder| builder.timeout(Duration::from_secs(3)),
        )
        .await;
        let payload: Value = emulator
            .invoke(source.event(&request().build()).to_string())
            .await
            .expect_json();
        let response = source.response(&payload).expect("a response");
        expect(
            &format!("lambda {}", source.name()),
            response.status(),
            response.headers(),
            response.body().as_bytes(),
        );
    }

    let (azure, _function) = on_azure(
        "layered-hello",
        env!("CARGO_BIN_EXE_layered-hello"),
        |azure| azure,
    )
    .await;
    let response = azure.http("layered-hello", request()).await.http_response();
    expect(
        "azure",
        response.status(),
        response.headers(),
        response.body().as_bytes(),
    );
}

/// The `tower-failures` service's deadline, on every adapter.
const FAILURES_TIMEOUT: Duration = Duration::from_millis(400);

/// What a caller sees of a failure: status, content type, the body (JSON
/// without its `requestId`, else text), and whether the `layered-failures`
/// layer's header is on it.
#[derive(Debug, PartialEq)]
struct Seen {
    status: u16,
    content_type: Option<String>,
    body: Value,
    layered: bool,
}

impl Seen {
    fn new(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Self {
        let body = match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(mut document)) => {
                document.remove("requestId");
                Value::Object(document)
            }
            _ => Value::String(String::from_utf8_lossy(body).into_owned()),
        };
        Self {
            status: status.as_u16(),
            content_type: headers
                .get("content-type")
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned),
            body,
            layered: headers.contains_key(rest_api::layered_failures::LAYER_HEADER),
        }
    }

    fn error_type(&self) -> Option<&str> {
        self.body.get("errorType").and_then(Value::as_str)
    }
}

/// Runs each `GET path` through the harness, the server, each Lambda HTTP
/// source and Azure, the package's binary `binary` (with its Azure app
/// folder `name`) and `handler` in process, all with [`FAILURES_TIMEOUT`];
/// checks that every adapter answers as the harness, and returns what the
/// harness answered, path by path.
async fn seen_the_same_on_every_adapter<H>(
    name: &str,
    binary: &str,
    handler: impl Fn() -> H,
    paths: &[&str],
) -> Vec<Seen>
where
    H: anyfn::Handler<Event = anyfn::Request, Output = anyfn::stream::StreamResponse>,
{
    let harness = Harness::new(handler()).timeout(FAILURES_TIMEOUT);
    let server =
        TestServer::start_with(anyfn_server::Server::new(handler()).timeout(FAILURES_TIMEOUT))
            .await
            .expect("the server starts");
    let (lambda, _lambda_function) = on_lambda(name, binary, |builder| {
        builder
            // The adapter's deadline is the timeout setting, as elsewhere;
            // Lambda's own is a second later, so that a loaded machine
            // answering late still answers before the emulator gives up.
            .timeout(FAILURES_TIMEOUT + Duration::from_secs(1))
            .env("ANYFN_TIMEOUT_MS", FAILURES_TIMEOUT.as_millis().to_string())
            .env("TOKIO_WORKER_THREADS", "3")
            // A panic's backtrace is not compared; printing it on a loaded
            // machine could outlast the deadline.
            .env("RUST_BACKTRACE", "0")
    })
    .await;
    let (azure, _azure_function) = on_azure(name, binary, |azure| {
        azure
            .env("ANYFN_TIMEOUT_MS", FAILURES_TIMEOUT.as_millis().to_string())
            .env("TOKIO_WORKER_THREADS", "3")
            .env("RUST_BACKTRACE", "0")
    })
    .await;

    let mut harness_saw = Vec::new();
    for path in paths {
        let request = || TestRequest::get(*path);
        let response = harness
            .invoke(request().build())
            .await
            .into_http_response()
            .await;
        let expected = Seen::new(
            response.status(),
            response.headers(),
            response.body().as_bytes(),
        );

        let mut seen = Vec::new();
        let response = server
            .client()
            .send(request())
            .await
            .expect("the server answers");
        seen.push((
            "server".to_owned(),
            Seen::new(
                response.status(),
                response.headers(),
                response.body().as_bytes(),
            ),
        ));
        for source in LambdaHttpSource::ALL {
            let payload: Value = lambda
                .invoke(source.event(&request().build()).to_string())
                .await
                .expect_json();
            let response = source
                .response(&payload)
                .unwrap_or_else(|err| panic!("{}: {err}", source.name()));
            seen.push((
                format!("lambda {}", source.name()),
                Seen::new(
                    response.status(),
                    response.headers(),
                    response.body().as_bytes(),
                ),
            ));
        }
        let response = azure.http(name, request()).await.http_response();
        seen.push((
            "azure".to_owned(),
            Seen::new(
                response.status(),
                response.headers(),
                response.body().as_bytes(),
            ),
        ));
        for (adapter, answer) in seen {
            assert_eq!(
                answer, expected,
                "{path}: {adapter} differs from the harness"
            );
        }
        harness_saw.push(expected);
    }
    server.shutdown().await;
    harness_saw
}

/// Every failure of a tower service (a panicking route, a route awaiting or
/// blocking past the deadline, a service error, an `anyfn::Error` as the
/// service's error, axum's own 404) answers the same through the harness,
/// the server, each Lambda HTTP source and Azure.
#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn tower_failures_answer_the_same_on_every_adapter() {
    // (path, status, errorType)
    let cases = [
        ("/", 200, None),
        ("/panic", 500, Some("Panic")),
        ("/sleep?ms=60000", 504, Some("Timeout")),
        ("/block?ms=700", 504, Some("Timeout")),
        ("/service-error", 500, Some("HandlerError")),
        ("/not-found", 404, Some("NotFound")),
        ("/nowhere", 404, None),
    ];
    let paths: Vec<&str> = cases.iter().map(|(path, ..)| *path).collect();
    let seen = seen_the_same_on_every_adapter(
        "tower-failures",
        env!("CARGO_BIN_EXE_tower-failures"),
        || anyfn_tower::service(rest_api::failures::service()),
        &paths,
    )
    .await;
    for ((path, status, error_type), seen) in cases.iter().zip(&seen) {
        assert_eq!(
            (seen.status, seen.error_type()),
            (*status, *error_type),
            "{path}: {seen:?}"
        );
    }
}

/// A tower layer around a plain handler (`with_layer`) sees every answer
/// the handler makes, its errors included, on every adapter: the layer's
/// header is on the `200` and on the `400`, `404`, `500` and `405` the
/// handler failed with, and each error keeps its status, `errorType` and
/// own headers. A panic and a timeout are answered by the adapter outside
/// the layer, without its header, the same everywhere (the failure table
/// says so). Before, the layer saw none of the handler's errors.
#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn regression_a_layer_sees_the_handlers_errors_on_every_adapter() {
    // (path, status, errorType, the layer's header on it)
    let cases = [
        ("/", 200, None, true),
        ("/bad", 400, Some("BadRequest"), true),
        ("/not-found", 404, Some("NotFound"), true),
        ("/io", 500, Some("HandlerError"), true),
        ("/method", 405, Some("MethodNotAllowed"), true),
        ("/panic", 500, Some("Panic"), false),
        ("/sleep?ms=60000", 504, Some("Timeout"), false),
    ];
    let paths: Vec<&str> = cases.iter().map(|(path, ..)| *path).collect();
    let seen = seen_the_same_on_every_adapter(
        "layered-failures",
        env!("CARGO_BIN_EXE_layered-failures"),
        rest_api::layered_failures::handler,
        &paths,
    )
    .await;
    for ((path, status, error_type, layered), seen) in cases.iter().zip(&seen) {
        assert_eq!(
            (seen.status, seen.error_type(), seen.layered),
            (*status, *error_type, *layered),
            "{path}: {seen:?}"
        );
    }
}

/// `cargo run -p rest-api`, the README's command, must pick the `rest-api`
/// binary among the package's three (it failed with "could not determine
/// which binary to run" once a second binary was added).
#[test]
fn regression_cargo_run_p_rest_api_runs_the_rest_api_binary() {
    let manifest = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
        .expect("the manifest reads");
    assert!(
        manifest
            .lines()
            .any(|line| line.trim() == r#"default-run = "rest-api""#),
        "examples/rest-api/Cargo.toml must say default-run = \"rest-api\""
    );
}

/// axum's `Sse` answer streams on Lambda where Lambda streams (response
/// streaming on, behind a function URL or a REST API): the HTTP prelude
/// first, then the events, the stream ending properly.
#[tokio::test]
async fn server_sent_events_stream_on_lambda_with_response_streaming() {
    for source in [LambdaHttpSource::FunctionUrl, LambdaHttpSource::RestApi] {
        let (emulator, _function) =
            on_lambda("rest-api", env!("CARGO_BIN_EXE_rest-api"), |builder| {
                builder.env("ANYFN_RESPONSE_STREAMING", "on")
            })
            .await;
        for url in ["https://example.com/a", "https://example.com/b?x=1"] {
            let created = emulator
                .invoke(source.event(&post_link(url).build()).to_string())
                .await
                .expect_json();
            let created = source.response(&created).expect("a response");
            assert_eq!(created.status(), 201, "{}", source.name());
        }
        let followed = emulator
            .invoke(source.event(&TestRequest::get("/1").build()).to_string())
            .await
            .expect_json();
        assert_eq!(
            source.response(&followed).expect("a response").status(),
            302
        );
        let mut answer = emulator
            .invoke_streaming(
                source
                    .event(&TestRequest::get("/links/events").build())
                    .to_string(),
            )
            .await
            .unwrap_or_else(|outcome| panic!("{}: not streamed: {outcome:?}", source.name()));
        let prelude = answer.prelude().await.cloned().expect("the HTTP prelude");
        assert_eq!(prelude["statusCode"], 200, "{}", source.name());
        assert_eq!(
            prelude["headers"]["content-type"],
            "text/event-stream",
            "{}",
            source.name()
        );
        assert_eq!(answer.rest().await, EVENTS, "{}", source.name());
        assert_eq!(answer.complete(), Some(true), "{}", source.name());
    }
}

/// Behind an HTTP API's named stage, API Gateway puts the stage in
/// `rawPath` (`/prod/links/99`); the router sees the path without it, as
/// lambda_http gives it.
#[tokio::test]
async fn the_router_sees_the_path_without_an_http_apis_named_stage() {
    let (emulator, _function) = on_lambda("rest-api", env!("CARGO_BIN_EXE_rest-api"), |builder| {
        builder
    })
    .await;
    let mut event = LambdaHttpSource::HttpApi.event(&TestRequest::get("/links/99").build());
    event["rawPath"] = json!("/prod/links/99");
    event["requestContext"]["http"]["path"] = json!("/prod/links/99");
    event["requestContext"]["stage"] = json!("prod");
    let payload = emulator.invoke(event.to_string()).await.expect_json();
    let response = LambdaHttpSource::HttpApi
        .response(&payload)
        .expect("a response");
    assert_eq!(response.status(), 404);
    let body: Value = serde_json::from_slice(response.body().as_bytes()).expect("JSON");
    assert_eq!(body, json!({"error": "no link 99"}), "not the fallback's");
}

/// With request proxying on (the host's `enableProxyingHttpRequest`), the
/// caller's request reaches the router as it came, and axum's `Sse` is sent
/// chunk by chunk (chunked encoding, no length), as on the local server.
#[tokio::test]
async fn server_sent_events_stream_on_azure_with_request_proxying() {
    let (azure, _function) = on_azure("rest-api", env!("CARGO_BIN_EXE_rest-api"), |azure| {
        azure.proxying_http_request(true)
    })
    .await;
    for (url, status) in [
        ("https://example.com/a", 201),
        ("https://example.com/b?x=1", 201),
    ] {
        let created = azure.http("rest-api", post_link(url)).await.http_response();
        assert_eq!(created.status(), status);
    }
    let followed = azure
        .http("rest-api", TestRequest::get("/1"))
        .await
        .http_response();
    assert_eq!(followed.status(), 302);
    let outcome = azure
        .http("rest-api", TestRequest::get("/links/events"))
        .await;
    assert_eq!(outcome.delivery(), anyfn_test::AzureDelivery::Forwarded);
    let events = outcome.http_response();
    assert_eq!(events.status(), 200);
    assert_eq!(events.header("content-type"), Some("text/event-stream"));
    assert_eq!(events.header("transfer-encoding"), Some("chunked"));
    assert_eq!(events.header("content-length"), None);
    assert_eq!(events.text(), EVENTS);
}
