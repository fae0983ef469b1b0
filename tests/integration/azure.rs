//! The examples, unchanged, as Azure Functions custom handlers: each binary
//! runs under anyfn-test's Azure host emulator in its own app folder
//! (`examples/azure/<example>`), called with the trigger that fits it, and
//! answers as it does on the server and on Lambda.

use std::path::PathBuf;
use std::time::{Duration, UNIX_EPOCH};

use anyfn::event::{CloudEvent, Message, ObjectChange, ObjectEvent, ScheduleTick};
use anyfn_test::{AzureEmulator, AzureTriggerType, FunctionProcess, TestRequest};
use serde_json::{json, Value};

use crate::lambda::example;

/// The example `name` running under the emulator with its own app folder.
pub(crate) async fn on_azure(name: &str) -> (AzureEmulator, FunctionProcess) {
    let app = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples/azure")
        .join(name);
    let emulator = AzureEmulator::builder()
        .app_dir(app)
        .build()
        .expect("the app folder reads");
    let process = emulator
        .spawn(example(name))
        .await
        .unwrap_or_else(|err| panic!("{name} starts: {err}"));
    (emulator, process)
}

#[tokio::test]
async fn hello_answers_its_http_trigger() {
    let (azure, _process) = on_azure("hello").await;
    let outcome = azure.http("hello", TestRequest::get("/?name=Ada")).await;
    assert!(outcome.succeeded(), "{:?}", outcome.answer());
    let response = outcome.http_response();
    response.assert_status(200);
    assert_eq!(response.text(), "Hello, Ada!");
}

#[tokio::test]
async fn echo_sees_the_request_and_says_azure_functions() {
    let (azure, _process) = on_azure("echo").await;
    let outcome = azure
        .http(
            "echo",
            TestRequest::post("/orders/7?x=1&x=2")
                .header("x-test", "yes")
                .body("hi"),
        )
        .await;
    let echoed: Value = outcome.http_response().json();
    assert_eq!(echoed["method"], "POST");
    assert_eq!(
        echoed["path"], "/orders/7",
        "the path as on the server: routePrefix \"\" and route {{*path}}"
    );
    assert_eq!(echoed["body"], "hi");
    assert_eq!(echoed["platform"], "azure-functions");
    assert_eq!(echoed["functionName"], "echo");
    assert_eq!(echoed["requestId"], outcome.invocation_id());
}

#[tokio::test]
async fn greet_json_takes_and_gives_json() {
    let (azure, _process) = on_azure("greet-json").await;
    let outcome = azure
        .http(
            "greet-json",
            TestRequest::post("/").json(&json!({"name": "Ada"})),
        )
        .await;
    assert_eq!(
        outcome.http_response().json::<Value>(),
        json!({"greeting": "Hello, Ada!"})
    );
}

/// The failure table's HTTP rows: the caller sees the status, error type
/// and message the local server gives for the same request.
#[tokio::test]
async fn failures_answer_as_the_server_does() {
    let (azure, _process) = on_azure("failures").await;
    let server = crate::support::ExampleServer::start("failures");
    let client = anyfn_test::TestClient::new(server.addr);
    for path in [
        "/fail",
        "/kind/NotFound",
        "/kind/TooManyRequests",
        "/io",
        "/boxed",
        "/panic",
        "/links/nope",
    ] {
        let outcome = azure.http("failures", TestRequest::get(path)).await;
        assert!(
            outcome.succeeded(),
            "{path}: an HTTP error is a 2xx envelope"
        );
        let on_azure = outcome.http_response();
        let on_server = client.get(path).await.expect("the server answers");
        assert_eq!(on_azure.status(), on_server.status(), "{path}");
        let (azure_body, server_body): (Value, Value) = (on_azure.json(), on_server.json());
        for field in ["errorType", "errorMessage"] {
            assert_eq!(azure_body[field], server_body[field], "{path}: {field}");
        }
        assert_eq!(azure_body["requestId"], outcome.invocation_id(), "{path}");
    }
    server.terminate();
}

#[tokio::test]
async fn thumbnail_plans_a_resize_for_a_new_blob() {
    let (azure, _process) = on_azure("thumbnail").await;
    let object = ObjectEvent::new(ObjectChange::Created, "photos", "cat.jpg").with_size(3);
    let outcome = azure.blob("thumbnail", &object, b"abc").await;
    assert!(outcome.succeeded(), "{:?}", outcome.answer());
    assert_eq!(
        outcome.return_value().cloned(),
        Some(json!([{
            "action": "resize", "bucket": "photos", "source": "cat.jpg",
            "thumbnail": "thumbnails/cat.jpg"
        }]))
    );
}

#[tokio::test]
async fn queue_worker_fails_a_message_so_the_host_retries_it() {
    let (azure, _process) = on_azure("queue-worker").await;
    let ok = azure
        .queue("queue-worker", &Message::new("m-1", "all good"))
        .await;
    assert!(ok.succeeded(), "{:?}", ok.answer());
    let failed = azure
        .queue("queue-worker", &Message::new("m-2", "please fail"))
        .await;
    assert!(!failed.succeeded());
    assert!(failed.would_retry());
    assert_eq!(failed.status(), Some(500));
}

#[tokio::test]
async fn nightly_runs_on_its_timer() {
    let (azure, _process) = on_azure("nightly").await;
    let tick = ScheduleTick::new("t-1", UNIX_EPOCH + Duration::from_secs(1_714_528_800));
    let outcome = azure.timer("nightly", &tick, false).await;
    assert!(outcome.succeeded(), "{:?}", outcome.answer());
    let answer = outcome.return_value().cloned().expect("a return value");
    assert!(
        answer["report"]
            .as_str()
            .is_some_and(|r| r.starts_with("sales-")),
        "{answer}"
    );
}

#[tokio::test]
async fn ce_echo_gets_event_grid_events_in_both_schemas() {
    let (azure, _process) = on_azure("ce-echo").await;
    let event =
        CloudEvent::new("e-1", "//storage/photos", "com.example.uploaded").with_subject("cat.jpg");
    for outcome in [
        azure.event_grid("ce-echo", &event).await,
        azure.event_grid_cloud_event("ce-echo", &event).await,
    ] {
        assert!(outcome.succeeded(), "{:?}", outcome.answer());
        let echoed = outcome.return_value().cloned().expect("a return value");
        assert_eq!(echoed["id"], "e-1", "{echoed}");
        assert_eq!(echoed["type"], "com.example.uploaded", "{echoed}");
        assert_eq!(echoed["subject"], "cat.jpg", "{echoed}");
    }
}

/// The named-functions example as one function app: every function reached
/// at its own name.
#[tokio::test]
async fn the_functions_example_is_one_app_with_every_function_at_its_name() {
    let (azure, _process) = on_azure("functions").await;
    let orders = azure.http("orders", TestRequest::get("/api/orders")).await;
    assert_eq!(orders.http_response().json::<Value>()["function"], "orders");

    let object = ObjectEvent::new(ObjectChange::Created, "photos", "cat.jpg");
    let resize = azure.blob("resize", &object, b"img").await;
    assert_eq!(
        resize.return_value().cloned(),
        Some(json!({"function": "resize", "thumbnails": ["photos/thumbnails/cat.jpg"]}))
    );

    let tick = ScheduleTick::new("t-1", UNIX_EPOCH + Duration::from_secs(1_714_528_800));
    let nightly = azure.timer("nightly", &tick, false).await;
    assert_eq!(
        nightly.return_value().cloned().expect("a return value")["function"],
        "nightly"
    );
}

/// The deadline row of the failure table: past `ANYFN_TIMEOUT_MS`, an
/// HTTP trigger answers `504` `Timeout`, as the server does past its own.
#[tokio::test]
async fn a_handler_past_its_deadline_answers_504_timeout() {
    let app = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/azure/failures");
    let azure = AzureEmulator::builder()
        .app_dir(app)
        .env("ANYFN_TIMEOUT_MS", "200")
        .build()
        .expect("the app folder reads");
    let _process = azure
        .spawn(example("failures"))
        .await
        .expect("failures starts");
    let outcome = azure
        .http("failures", TestRequest::get("/sleep?ms=5000"))
        .await;
    let response = outcome.http_response();
    response.assert_status(504);
    assert_eq!(response.json::<Value>()["errorType"], "Timeout");
}

/// With request forwarding and `routePrefix: ""`, `GET /` is a user's
/// request like any other: the host's readiness ping, which it resembles,
/// carries no invocation id. (It was answered as a ping, an empty 200.)
#[tokio::test]
async fn regression_a_forwarded_get_of_the_root_reaches_the_handler() {
    let app = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/azure/hello");
    let azure = AzureEmulator::builder()
        .app_dir(app)
        .forwarding_http_request(true)
        .build()
        .expect("the app folder reads");
    let _process = azure.spawn(example("hello")).await.expect("hello starts");
    let outcome = azure.http("hello", TestRequest::get("/?name=Ada")).await;
    let response = outcome.http_response();
    response.assert_status(200);
    assert_eq!(response.text(), "Hello, Ada!");
}

/// `failures` on one worker thread, with a 300 ms deadline, asked for
/// `/block?ms=3000` by a host that gives up after 1.5 s.
async fn block_the_only_worker(forwarding: bool) -> anyfn_test::AzureOutcome {
    let app = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/azure/failures");
    let azure = AzureEmulator::builder()
        .app_dir(app)
        .forwarding_http_request(forwarding)
        .function_timeout(std::time::Duration::from_millis(1500))
        .env("ANYFN_TIMEOUT_MS", "300")
        .env("TOKIO_WORKER_THREADS", "1")
        .build()
        .expect("the app folder reads");
    let _process = azure
        .spawn(example("failures"))
        .await
        .expect("failures starts");
    azure
        .http("failures", TestRequest::get("/block?ms=3000"))
        .await
}

/// With request forwarding, a handler blocking the only worker thread past
/// its deadline is answered `504` at the deadline by the watchdog, on the
/// socket itself (`Connection: close`), as on the local server: the host,
/// waiting no longer than its own timeout, gets the answer.
#[tokio::test]
async fn forwarded_a_handler_blocking_the_only_worker_is_answered_504_at_the_deadline() {
    let outcome = block_the_only_worker(true).await;
    let response = outcome.http_response();
    response.assert_status(504);
    assert_eq!(response.header("connection"), Some("close"));
    let body: Value = response.json();
    assert_eq!(body["errorType"], "Timeout");
    assert_eq!(body["requestId"], outcome.invocation_id());
}

/// In envelope mode too, a handler blocking the only worker thread past its
/// deadline is answered at the deadline by the watchdog: an envelope whose
/// `res` is the `504`, as the adapter answers any timeout.
#[tokio::test]
async fn an_envelope_whose_handler_blocks_the_only_worker_is_answered_504_at_the_deadline() {
    let outcome = block_the_only_worker(false).await;
    assert!(outcome.succeeded(), "{:?}", outcome.answer());
    let response = outcome.http_response();
    response.assert_status(504);
    let body: Value = response.json();
    assert_eq!(body["errorType"], "Timeout");
    assert_eq!(body["requestId"], outcome.invocation_id());
}

/// A tab in the host's invocation id (a header value may hold one) went
/// into the `REPORT` line as it was, forging a field of it:
/// `REPORT RequestId: inv-tab<TAB>Forged: 1<TAB>Duration: …`. The adapter
/// writes a control character in an invocation id as its escape (`\t`),
/// everywhere it uses the id.
#[tokio::test]
async fn regression_a_tab_in_the_invocation_id_forges_no_report_field() {
    let (azure, _process) = on_azure("echo").await;
    let caller = TestRequest::get("/tabs").build();
    let envelope = anyfn_test::fixtures::azure::http_request("req", &caller, &Default::default());
    let request = TestRequest::post("/echo")
        .header("x-azure-functions-invocationid", "inv-tab\tForged: 1")
        .json(&envelope.to_json());
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], azure.port()));
    let response = anyfn_test::TestClient::new(addr)
        .send(request)
        .await
        .expect("answered");
    response.assert_status(200);
    let answer: Value = response.json();
    let echoed: Value =
        serde_json::from_str(answer["Outputs"]["res"]["body"].as_str().expect("a body"))
            .expect("echo's JSON");
    assert_eq!(echoed["requestId"], "inv-tab\\tForged: 1");

    let line = azure
        .output_line_containing("RequestId: inv-tab", Duration::from_secs(10))
        .await
        .expect("the invocation's REPORT line");
    let (_, report) = line.split_once("REPORT ").expect("a REPORT line");
    let names: Vec<&str> = report
        .split('\t')
        .map(|field| field.split_once(": ").map_or(field, |(name, _)| name))
        .collect();
    assert_eq!(
        names,
        [
            "RequestId",
            "Duration",
            "Billed Duration",
            "Memory Size",
            "Estimated Cost"
        ],
        "{line:?}"
    );
}

/// Azure compares function names without case: a host calling `/ORDERS`
/// (the function's folder) reaches `orders` of an app of several named
/// functions, whose `function.json` (its HTTP output `$return`, read at
/// start) is the folder's.
#[tokio::test]
async fn function_names_are_compared_without_case_end_to_end() {
    let mut orders = anyfn_test::AzureAppFunction::new("ORDERS", AzureTriggerType::Http, "req");
    orders.bindings[1].name = "$return".to_owned();
    let azure = AzureEmulator::builder()
        .with_function(orders)
        .function("Resize", AzureTriggerType::Blob, "blob")
        .function("NIGHTLY", AzureTriggerType::Timer, "timer")
        .build()
        .expect("an app");
    let _process = azure
        .spawn(example("functions"))
        .await
        .expect("functions starts");

    let outcome = azure.http("ORDERS", TestRequest::get("/api/ORDERS")).await;
    assert!(outcome.succeeded(), "{:?}", outcome.answer());
    assert!(
        outcome.outputs().is_some_and(serde_json::Map::is_empty),
        "the answer is in ReturnValue, as ORDERS/function.json says: {:?}",
        outcome.result()
    );
    let response = outcome.http_response();
    response.assert_status(200);
    assert_eq!(
        response.json::<Value>(),
        json!({"function": "orders", "method": "GET", "path": "/api/ORDERS"})
    );

    let object = ObjectEvent::new(ObjectChange::Created, "photos", "cat.jpg");
    let resize = azure.blob("Resize", &object, b"img").await;
    assert_eq!(
        resize.return_value().cloned(),
        Some(json!({"function": "resize", "thumbnails": ["photos/thumbnails/cat.jpg"]}))
    );
}

/// `echo` under the emulator in its own app folder, and what it saw of
/// `request` sent as the host sends an HTTP trigger's envelope.
async fn echoed(azure: &AzureEmulator, request: TestRequest) -> Value {
    let outcome = azure.http("echo", request).await;
    assert!(outcome.succeeded(), "{:?}", outcome.answer());
    assert_eq!(
        outcome.sent()["Data"]["req"]["Url"]
            .as_str()
            .map(|url| url.starts_with("http://")),
        Some(true),
        "an envelope, not a forwarded request"
    );
    outcome.http_response().json()
}

/// The host sends an `application/octet-stream` body as bytes: base64 in
/// `Body`. The handler gets the bytes.
#[tokio::test]
async fn a_binary_body_arrives_as_its_bytes_end_to_end() {
    let (azure, _process) = on_azure("echo").await;
    let bytes = [0xde, 0xad, 0xbe, 0xef, 0xff, 0x00];
    let echoed = echoed(
        &azure,
        TestRequest::post("/upload")
            .header("content-type", "application/octet-stream")
            .body(bytes.to_vec()),
    )
    .await;
    assert_eq!(echoed["isBase64Encoded"], true);
    assert_eq!(
        echoed["body"],
        anyfn::Body::from(bytes.to_vec()).to_base64(),
        "the bytes as sent"
    );
}

/// The host sends each header as an array of its values: a header given
/// twice arrives repeated.
#[tokio::test]
async fn header_arrays_arrive_as_repeated_headers_end_to_end() {
    let (azure, _process) = on_azure("echo").await;
    let echoed = echoed(
        &azure,
        TestRequest::get("/h")
            .header("x-multi", "a")
            .header("x-multi", "b, c")
            .header("x-one", "1"),
    )
    .await;
    let outcomes = azure.outcomes();
    let sent = &outcomes[0].sent()["Data"]["req"]["Headers"];
    assert_eq!(
        sent["X-Multi"],
        json!(["a", "b, c"]),
        "arrays in the envelope"
    );
    assert_eq!(echoed["headers"]["x-multi"], json!(["a", "b, c"]));
    assert_eq!(echoed["headers"]["x-one"], json!(["1"]));
}

/// The host's envelope keys may come in any case (`url`, `METHOD`,
/// `headers`, `Body`, `data`, `metadata`): the request is read all the
/// same.
#[tokio::test]
async fn envelope_keys_in_any_case_end_to_end() {
    let (azure, _process) = on_azure("echo").await;
    let mut data = serde_json::Map::new();
    data.insert(
        "req".to_owned(),
        json!({
            "url": "http://localhost:7071/any/case?x=1",
            "METHOD": "PUT",
            "headers": {"X-Case": ["yes"], "content-type": ["text/plain"]},
            "bOdY": "hi",
            "PARAMS": {"path": "any/case"}
        }),
    );
    let envelope = anyfn_test::fixtures::azure::Envelope {
        data,
        metadata: serde_json::Map::new(),
    };
    let outcome = azure.invoke("echo", envelope).await;
    assert!(outcome.succeeded(), "{:?}", outcome.answer());
    let echoed: Value = outcome.http_response().json();
    assert_eq!(echoed["method"], "PUT");
    assert_eq!(echoed["path"], "/any/case");
    assert_eq!(echoed["query"], json!({"x": ["1"]}));
    assert_eq!(echoed["headers"]["x-case"], json!(["yes"]));
    assert_eq!(echoed["body"], "hi");
    assert_eq!(echoed["pathParameters"], json!({"path": "any/case"}));
}

/// A `Json<T>` function behind an HTTP trigger takes what it takes on the
/// local server: a `POST` declared as JSON; a cross-site `text/plain` post
/// is a `415` and any other method a `405` (`Allow: POST`), in the host's
/// envelope and with request forwarding alike, and the handler does not run.
#[tokio::test]
async fn regression_a_json_function_refuses_what_the_server_refuses() {
    let app = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/azure/greet-json");
    for forwarding in [false, true] {
        let azure = AzureEmulator::builder()
            .app_dir(&app)
            .forwarding_http_request(forwarding)
            .build()
            .expect("the app folder reads");
        let _process = azure
            .spawn(example("greet-json"))
            .await
            .expect("greet-json starts");
        let mode = if forwarding { "forwarding" } else { "envelope" };
        let text_plain = azure
            .http(
                "greet-json",
                TestRequest::post("/")
                    .header("content-type", "text/plain")
                    .body(r#"{"name":"Ada"}"#),
            )
            .await
            .http_response();
        text_plain.assert_status(415);
        assert_eq!(
            text_plain.json::<Value>()["errorType"],
            "UnsupportedMediaType",
            "{mode}"
        );
        let get = azure
            .http("greet-json", TestRequest::get("/"))
            .await
            .http_response();
        get.assert_status(405);
        assert_eq!(get.header("allow"), Some("POST"), "{mode}");
        let json = azure
            .http(
                "greet-json",
                TestRequest::post("/").json(&json!({"name": "Ada"})),
            )
            .await
            .http_response();
        json.assert_status(200);
        assert_eq!(
            json.json::<Value>(),
            json!({"greeting": "Hello, Ada!"}),
            "{mode}"
        );
    }
}
