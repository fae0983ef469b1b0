//! The Azure emulator against a fake custom handler (this test binary, run
//! again as a child process), the deployment files in `examples/azure`,
//! and the envelope renderer against the recorded payloads in
//! `tests/fixtures/azure`.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, UNIX_EPOCH};

use anyfn::event::{CloudEvent, CloudEventData, Message, ObjectChange, ObjectEvent, ScheduleTick};
use anyfn_test::fixtures::azure;
use anyfn_test::{
    AzureAppFunction, AzureDelivery, AzureEmulator, AzureFunctionApp, AzureHttpOutput,
    AzureTriggerType, TestRequest,
};
use serde_json::{json, Value};

const FAKE_HANDLER: &str = "ANYFN_TEST_FAKE_CUSTOM_HANDLER";

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Not a test: the fake custom handler, when this binary is run with
/// `ANYFN_TEST_FAKE_CUSTOM_HANDLER=1`. It listens on
/// `FUNCTIONS_CUSTOMHANDLER_PORT` and answers each request by path:
/// `/fail` 500, `/notjson` 200 with text, `/api/…` (forwarded) 202 with
/// the request described in the body, anything else 200 with a result
/// document echoing the request in `ReturnValue`.
#[test]
fn fake_custom_handler() {
    if std::env::var_os(FAKE_HANDLER).is_none() {
        return;
    }
    let port = std::env::var("FUNCTIONS_CUSTOMHANDLER_PORT").expect("the port");
    for name in [
        "FUNCTIONS_WORKER_RUNTIME",
        "FUNCTIONS_CUSTOMHANDLER_WORKER_ID",
        "WEBSITE_SITE_NAME",
        "EXTRA",
    ] {
        println!("env {name}={}", std::env::var(name).unwrap_or_default());
    }
    let cwd = std::env::current_dir().expect("a working directory");
    println!("cwd has host.json: {}", cwd.join("host.json").is_file());
    let listener = TcpListener::bind(("127.0.0.1", port.parse::<u16>().expect("a port")))
        .expect("the port is free");
    println!("fake handler listening on {port}");
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        answer(stream);
    }
}

fn answer(stream: std::net::TcpStream) {
    let mut reader = BufReader::new(stream.try_clone().expect("a clone"));
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() || request_line.is_empty() {
        return;
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let path = parts.next().unwrap_or_default().to_owned();
    let mut headers = serde_json::Map::new();
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).is_err() || line.trim_end().is_empty() {
            break;
        }
        if let Some((name, value)) = line.trim_end().split_once(':') {
            let name = name.to_ascii_lowercase();
            if name == "content-length" {
                length = value.trim().parse().unwrap_or(0);
            }
            headers.insert(name, json!(value.trim()));
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    let text = String::from_utf8_lossy(&body).into_owned();
    let body_value = serde_json::from_str::<Value>(&text).unwrap_or(json!(text));
    let seen = json!({"method": method, "path": path, "headers": headers, "body": body_value});
    let (status, content) = if path == "/fail" {
        ("500 Internal Server Error", "boom".to_owned())
    } else if path == "/notjson" {
        ("200 OK", "not json".to_owned())
    } else if path.starts_with("/api/") {
        ("202 Accepted", seen.to_string())
    } else {
        (
            "200 OK",
            json!({
                "Outputs": {"res": {"statusCode": "201", "headers": {"X-Seen": path}, "body": "handled"}},
                "Logs": [format!("saw {path}"), "second line"],
                "ReturnValue": seen,
            })
            .to_string(),
        )
    };
    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{content}",
        content.len()
    );
}

fn fake_handler_command() -> Command {
    let mut command = Command::new(std::env::current_exe().expect("the test binary"));
    command
        .args([
            "fake_custom_handler",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(FAKE_HANDLER, "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    command
}

fn emulator() -> AzureEmulator {
    AzureEmulator::builder()
        .function("echo", AzureTriggerType::Http, "req")
        .with_function(AzureAppFunction {
            route: Some("items/{id}/{*rest}".to_owned()),
            ..AzureAppFunction::new("items", AzureTriggerType::Http, "req")
        })
        .function("work", AzureTriggerType::Queue, "message")
        .function("fail", AzureTriggerType::Queue, "message")
        .function("notjson", AzureTriggerType::Queue, "message")
        .function("bus", AzureTriggerType::ServiceBus, "msg")
        .function("photos", AzureTriggerType::Blob, "blob")
        .function("tick", AzureTriggerType::Timer, "timer")
        .function("grid", AzureTriggerType::EventGrid, "event")
        .env("EXTRA", "yes")
        .site_name("anyfn-tests")
        .startup_timeout(Duration::from_secs(30))
        .build()
        .expect("an emulator")
}

/// What the fake handler saw, from the outcome's `ReturnValue`.
fn seen(outcome: &anyfn_test::AzureOutcome) -> Value {
    outcome.return_value().cloned().expect("a ReturnValue")
}

#[tokio::test]
async fn spawns_the_handler_with_the_hosts_environment_and_waits_until_it_listens() {
    let emulator = emulator();
    let _handler = emulator
        .spawn_command(fake_handler_command())
        .await
        .expect("the handler listens");
    let env = emulator.function_env();
    let get = |name: &str| {
        env.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        get("FUNCTIONS_CUSTOMHANDLER_PORT"),
        emulator.port().to_string()
    );
    assert_eq!(
        get("FUNCTIONS_HTTPWORKER_PORT"),
        emulator.port().to_string()
    );
    assert_eq!(get("FUNCTIONS_WORKER_RUNTIME"), "custom");
    assert_eq!(get("FUNCTIONS_EXTENSION_VERSION"), "~4");
    let root = emulator.app_root().expect("a temporary app folder");
    assert_eq!(get("AzureWebJobsScriptRoot"), root.display().to_string());
    assert_eq!(get("FUNCTIONS_APP_ROOT_PATH"), root.display().to_string());
    let written = AzureFunctionApp::read(&root).expect("the written app folder reads");
    assert_eq!(written.function("items"), emulator.app().function("items"));
    assert_eq!(written.settings.executable.as_deref(), Some("handler"));
    // The app the emulator holds is the one it wrote, settings too.
    assert_eq!(written.settings, emulator.app().settings);

    // The handler's output is read as it comes: wait for each line (bounded).
    for line in [
        "env FUNCTIONS_WORKER_RUNTIME=custom",
        "env FUNCTIONS_CUSTOMHANDLER_WORKER_ID=00000000-0000-4000-8000-0000000000aa",
        "env WEBSITE_SITE_NAME=anyfn-tests",
        "env EXTRA=yes",
        "cwd has host.json: true",
    ] {
        let found = emulator
            .output_line_containing(line, std::time::Duration::from_secs(20))
            .await;
        assert!(
            found.is_some_and(|l| l.ends_with(line)),
            "{line:?} not in {:?}",
            emulator.output()
        );
    }
}

#[tokio::test]
async fn a_handler_that_never_listens_is_an_error_naming_its_output() {
    let emulator = AzureEmulator::builder()
        .function("echo", AzureTriggerType::Http, "req")
        .startup_timeout(Duration::from_secs(5))
        .build()
        .expect("an emulator");
    let mut command = Command::new("sh");
    command.args(["-c", "echo starting; exit 3"]);
    let err = emulator.spawn_command(command).await.expect_err("it exits");
    assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe);
    assert!(err.to_string().contains("exited before listening"), "{err}");
    assert_eq!(
        emulator
            .output_line_containing("starting", Duration::from_secs(5))
            .await
            .as_deref(),
        Some("starting")
    );
}

#[tokio::test]
async fn http_trigger_envelope() {
    let emulator = emulator();
    let _handler = emulator
        .spawn_command(fake_handler_command())
        .await
        .unwrap();
    let request = TestRequest::post("/api/items/42/a/b%20c?x=1&x=2&name=Ada")
        .header("content-type", "application/json")
        .header("x-trace", "t1")
        .body(r#"{"n":1}"#)
        .build();
    let outcome = emulator.http("items", request).await;

    assert_eq!(outcome.delivery(), AzureDelivery::Envelope);
    assert!(outcome.succeeded());
    assert!(!outcome.would_retry());
    let seen = seen(&outcome);
    assert_eq!(seen["method"], "POST");
    assert_eq!(seen["path"], "/items");
    assert_eq!(
        seen["headers"]["x-azure-functions-invocationid"],
        outcome.invocation_id()
    );
    assert_eq!(
        outcome.invocation_id(),
        "00000000-0000-4000-8000-000000000001"
    );
    assert_eq!(
        seen["headers"]["x-azure-functions-hostversion"],
        "4.1036.1.0"
    );
    assert_eq!(
        seen["headers"]["user-agent"],
        "Azure-Functions-Host/4.1036.1.0"
    );
    assert_eq!(
        seen["headers"]["content-type"],
        "application/json; charset=utf-8"
    );
    // The handler got exactly what the outcome says was sent.
    assert_eq!(seen["body"], *outcome.sent());

    let req = &seen["body"]["Data"]["req"];
    assert_eq!(
        req["Url"],
        "http://localhost:7071/api/items/42/a/b%20c?x=1&x=2&name=Ada"
    );
    assert_eq!(req["Method"], "POST");
    assert_eq!(req["Query"], json!({"x": "1,2", "name": "Ada"}));
    assert_eq!(
        req["Headers"],
        json!({"Host": ["localhost:7071"], "Content-Type": ["application/json"], "X-Trace": ["t1"]})
    );
    assert_eq!(req["Params"], json!({"id": "42", "rest": "a/b c"}));
    assert_eq!(req["Identities"][0]["IsAuthenticated"], false);
    assert_eq!(req["Body"], r#"{"n":1}"#);
    let metadata = &seen["body"]["Metadata"];
    assert_eq!(metadata["id"], "\"42\"");
    assert_eq!(metadata["rest"], "\"a/b c\"");
    assert_eq!(metadata["Query"], json!({"x": "1,2", "name": "Ada"}));
    assert_eq!(metadata["Headers"]["Content-Type"], "application/json");
    assert_eq!(metadata["sys"]["MethodName"], "items");
    assert_eq!(
        metadata["sys"]["RandGuid"],
        "00000000-0000-4000-9000-000000000001"
    );
    let utc_now = metadata["sys"]["UtcNow"].as_str().unwrap();
    assert_eq!(
        utc_now.len(),
        "2019-10-09T17:58:32.2205399Z".len(),
        "{utc_now}"
    );

    assert_eq!(outcome.logs(), ["saw /items", "second line"]);
    let res = outcome.res().expect("Outputs.res");
    assert_eq!(res.status, 201);
    let response = outcome.http_response();
    response.assert_status(201);
    assert_eq!(response.header("x-seen"), Some("/items"));
    assert_eq!(response.text(), "handled");
}

#[tokio::test]
async fn queue_message_envelope_and_retries() {
    let emulator = emulator();
    let _handler = emulator
        .spawn_command(fake_handler_command())
        .await
        .unwrap();
    let sent_time = UNIX_EPOCH + Duration::from_secs(1_570_643_911);
    let message = Message::new("800ae4b3", "hello").with_sent_time(sent_time);
    let outcome = emulator.queue("work", &message).await;
    assert!(outcome.succeeded());
    let seen = seen(&outcome);
    assert_eq!(seen["path"], "/work");
    let body = &seen["body"];
    assert_eq!(body["Data"], json!({"message": "\"hello\""}));
    let mut metadata = body["Metadata"].clone();
    let sys = metadata.as_object_mut().unwrap().remove("sys").unwrap();
    assert_eq!(
        metadata,
        json!({
            "DequeueCount": "1",
            "ExpirationTime": "2019-10-16T17:58:31+00:00",
            "Id": "\"800ae4b3\"",
            "InsertionTime": "2019-10-09T17:58:31+00:00",
            "NextVisibleTime": "2019-10-09T18:08:31+00:00",
            "PopReceipt": "\"AgAAAAMAAAAAAAAAAgtnj8x+1QE=\"",
        })
    );
    assert_eq!(sys["MethodName"], "work");

    // A non-2xx answer fails the invocation: the host retries it.
    let failed = emulator.queue("fail", &message).await;
    assert_eq!(failed.status(), Some(500));
    assert!(!failed.succeeded());
    assert!(failed.would_retry());
    assert!(failed.outputs().is_none());
    // So does a 2xx answer that is not a result document.
    let garbled = emulator.queue("notjson", &message).await;
    assert_eq!(garbled.status(), Some(200));
    assert!(!garbled.succeeded());
    assert!(garbled.would_retry());

    // Delivered until poisoned: DequeueCount 1..=5.
    let attempts = emulator.queue_until_settled("fail", &message).await;
    assert_eq!(attempts.len(), 5);
    let counts: Vec<&Value> = attempts
        .iter()
        .map(|o| &o.sent()["Metadata"]["DequeueCount"])
        .collect();
    assert_eq!(counts, ["1", "2", "3", "4", "5"]);
    let settled = emulator.queue_until_settled("work", &message).await;
    assert_eq!(settled.len(), 1);
    assert_eq!(emulator.outcomes().len(), 9);
}

#[tokio::test]
async fn service_bus_blob_timer_and_event_grid_envelopes() {
    let emulator = emulator();
    let _handler = emulator
        .spawn_command(fake_handler_command())
        .await
        .unwrap();

    let bus = emulator
        .service_bus(
            "bus",
            &Message::new("m-1", "{\"a\":1}")
                .with_attribute("tenant", "t")
                .with_delivery_attempt(3),
        )
        .await;
    let body = &seen(&bus)["body"];
    assert_eq!(body["Data"], json!({"msg": "\"{\\\"a\\\":1}\""}));
    assert_eq!(body["Metadata"]["MessageId"], "\"m-1\"");
    assert_eq!(body["Metadata"]["DeliveryCount"], "3");
    assert_eq!(
        body["Metadata"]["ApplicationProperties"],
        json!({"tenant": "t"})
    );
    assert_eq!(body["Metadata"]["UserProperties"], json!({"tenant": "t"}));
    assert!(bus.succeeded());

    let photo = ObjectEvent::new(ObjectChange::Created, "photos", "cat.jpg").with_etag("0x8D");
    let blob = emulator.blob("photos", &photo, &[0xff, 0x00, 0x01]).await;
    let body = &seen(&blob)["body"];
    assert_eq!(body["Data"], json!({"blob": "/wAB"}));
    assert_eq!(
        body["Metadata"]["Uri"],
        "\"https://devstoreaccount1.blob.core.windows.net/photos/cat.jpg\""
    );
    assert_eq!(body["Metadata"]["name"], "\"cat.jpg\"");
    assert_eq!(
        body["Metadata"]["Properties"],
        json!({"BlobType": "Block", "ContentLength": 3, "ContentType": "application/octet-stream",
               "LastModified": "1970-01-01T00:00:00+00:00", "ETag": "0x8D"})
    );
    assert!(body["Metadata"].get("BlobTrigger").is_none());

    let tick = ScheduleTick::new("t-1", UNIX_EPOCH + Duration::from_secs(1_475_576_100));
    let timer = emulator.timer("tick", &tick, true).await;
    let body = &seen(&timer)["body"];
    assert_eq!(
        body["Data"]["timer"],
        json!({
            "Schedule": {"AdjustForDST": true},
            "ScheduleStatus": {"Last": "2016-10-04T10:15:00+00:00", "Next": "2016-10-04T10:20:00+00:00",
                               "LastUpdated": "2016-10-04T10:15:00+00:00"},
            "IsPastDue": true,
        })
    );
    assert_eq!(
        body["Metadata"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["sys"]
    );
    assert!(!timer.would_retry());

    let event = CloudEvent::new(
        "e-1",
        "/subscriptions/s/topics/t",
        "Contoso.Items.ItemReceived",
    )
    .with_subject("items/1")
    .with_time(UNIX_EPOCH)
    .with_data(CloudEventData::Json(json!({"item": 1})));
    let grid = emulator.event_grid("grid", &event).await;
    let body = &seen(&grid)["body"];
    assert_eq!(
        body["Data"]["event"],
        json!({"id": "e-1", "topic": "/subscriptions/s/topics/t", "subject": "items/1",
               "eventType": "Contoso.Items.ItemReceived", "eventTime": "1970-01-01T00:00:00Z",
               "data": {"item": 1}, "dataVersion": "", "metadataVersion": "1"})
    );
    let cloud = emulator.event_grid_cloud_event("grid", &event).await;
    assert_eq!(seen(&cloud)["body"]["Data"]["event"], event.to_json_value());
    assert_eq!(seen(&cloud)["body"]["Data"]["event"]["specversion"], "1.0");
}

#[tokio::test]
async fn forwarding_sends_http_in_and_out_functions_the_request_itself() {
    let emulator = AzureEmulator::builder()
        .function("echo", AzureTriggerType::Http, "req")
        .forwarding_http_request(true)
        .build()
        .unwrap();
    assert_eq!(
        emulator.app().host_json["customHandler"]["enableForwardingHttpRequest"],
        true
    );
    let _handler = emulator
        .spawn_command(fake_handler_command())
        .await
        .unwrap();
    let outcome = emulator
        .http(
            "echo",
            TestRequest::put("/api/echo/x?a=1&a=2")
                .header("x-one", "1")
                .body("raw"),
        )
        .await;
    assert_eq!(outcome.delivery(), AzureDelivery::Forwarded);
    assert!(outcome.succeeded());
    let response = outcome.http_response();
    response.assert_status(202);
    let seen: Value = response.json();
    assert_eq!(seen["method"], "PUT");
    assert_eq!(seen["path"], "/api/echo/x?a=1%2C2");
    assert_eq!(seen["headers"]["x-one"], "1");
    assert_eq!(
        seen["headers"]["x-azure-functions-invocationid"],
        outcome.invocation_id()
    );
    assert_eq!(seen["body"], "raw");
    assert_eq!(outcome.sent()["path"], "/api/echo/x?a=1%2C2");
}

#[tokio::test]
async fn proxying_forwards_only_http_in_and_out_functions() {
    let mut with_queue = AzureAppFunction::new("orders", AzureTriggerType::Http, "req");
    with_queue.bindings.push(anyfn_test::AzureBinding {
        name: "message".to_owned(),
        binding_type: "queue".to_owned(),
        direction: "out".to_owned(),
    });
    let emulator = AzureEmulator::builder()
        .function("hello", AzureTriggerType::Http, "req")
        .with_function(with_queue)
        .proxying_http_request(true)
        .build()
        .unwrap();
    assert_eq!(
        emulator.app().host_json["customHandler"]["enableProxyingHttpRequest"],
        true
    );
    let _handler = emulator
        .spawn_command(fake_handler_command())
        .await
        .unwrap();
    let hello = emulator.http("hello", TestRequest::get("/api/hello")).await;
    assert_eq!(hello.delivery(), AzureDelivery::Forwarded);
    assert_eq!(hello.http_response().json::<Value>()["path"], "/api/hello");
    let orders = emulator
        .http("orders", TestRequest::post("/api/orders"))
        .await;
    assert_eq!(orders.delivery(), AzureDelivery::Envelope);
    assert_eq!(seen(&orders)["path"], "/orders");
    assert_eq!(orders.http_response().text(), "handled");
}

#[tokio::test]
async fn no_handler_is_a_failed_invocation() {
    let emulator = emulator();
    let outcome = emulator.queue("work", &Message::new("1", "x")).await;
    assert_eq!(outcome.status(), None);
    assert!(outcome.answer().is_err());
    assert!(outcome.would_retry());
    let http = emulator.http("echo", TestRequest::get("/api/echo")).await;
    http.http_response().assert_status(500);
}

#[test]
fn route_templates_match_as_the_host_routes() {
    let emulator = emulator();
    assert_eq!(
        emulator.route_params("items", "/api/items/7/x/y"),
        Some(
            [
                ("id".to_owned(), "7".to_owned()),
                ("rest".to_owned(), "x/y".to_owned())
            ]
            .into()
        )
    );
    assert_eq!(
        emulator.route_params("items", "/api/items/7"),
        Some(
            [
                ("id".to_owned(), "7".to_owned()),
                ("rest".to_owned(), String::new())
            ]
            .into()
        )
    );
    assert_eq!(emulator.route_params("items", "/api/other/7"), None);
    assert_eq!(
        emulator.route_params("echo", "/api/ECHO"),
        Some(Default::default())
    );
    assert_eq!(emulator.route_params("echo", "/echo"), None);
    assert_eq!(emulator.route_params("echo", "/apiecho"), None);
}

/// A function an app folder must have: name, trigger, binding name.
type Expected = (&'static str, AzureTriggerType, &'static str);

/// The example app folders: each parses as the host reads it, runs
/// `handler` in envelope mode with the extension bundle, and names the
/// functions (and binding names) the binaries serve.
#[test]
fn example_app_folders_parse() {
    let base = repo_root().join("examples/azure");
    let expected: &[(&str, &[Expected])] = &[
        ("hello", &[("hello", AzureTriggerType::Http, "req")]),
        ("echo", &[("echo", AzureTriggerType::Http, "req")]),
        (
            "greet-json",
            &[("greet-json", AzureTriggerType::Http, "req")],
        ),
        ("failures", &[("failures", AzureTriggerType::Http, "req")]),
        (
            "thumbnail",
            &[("thumbnail", AzureTriggerType::Blob, "blob")],
        ),
        (
            "queue-worker",
            &[("queue-worker", AzureTriggerType::Queue, "message")],
        ),
        (
            "queue-failures",
            &[("queue-failures", AzureTriggerType::Queue, "message")],
        ),
        (
            "storage-failures",
            &[("storage-failures", AzureTriggerType::Blob, "blob")],
        ),
        (
            "schedule-failures",
            &[
                ("job-bad", AzureTriggerType::Timer, "timer"),
                ("job-io", AzureTriggerType::Timer, "timer"),
                ("job-panic", AzureTriggerType::Timer, "timer"),
                ("job-runs", AzureTriggerType::Timer, "timer"),
                ("job-sleep", AzureTriggerType::Timer, "timer"),
                ("job-store", AzureTriggerType::Timer, "timer"),
            ],
        ),
        ("nightly", &[("nightly", AzureTriggerType::Timer, "timer")]),
        (
            "ce-echo",
            &[("ce-echo", AzureTriggerType::EventGrid, "event")],
        ),
        ("webhook", &[("webhook", AzureTriggerType::Http, "req")]),
        ("shortener", &[("shortener", AzureTriggerType::Http, "req")]),
        // The rest-api package's four binaries (examples/rest-api).
        ("rest-api", &[("rest-api", AzureTriggerType::Http, "req")]),
        (
            "layered-hello",
            &[("layered-hello", AzureTriggerType::Http, "req")],
        ),
        (
            "tower-failures",
            &[("tower-failures", AzureTriggerType::Http, "req")],
        ),
        (
            "layered-failures",
            &[("layered-failures", AzureTriggerType::Http, "req")],
        ),
        (
            "functions",
            &[
                ("nightly", AzureTriggerType::Timer, "timer"),
                ("orders", AzureTriggerType::Http, "req"),
                ("resize", AzureTriggerType::Blob, "blob"),
            ],
        ),
    ];
    let folders: BTreeSet<String> = std::fs::read_dir(&base)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let named: BTreeSet<String> = expected.iter().map(|(a, _)| (*a).to_owned()).collect();
    assert_eq!(folders, named);
    for (folder, functions) in expected {
        let app = AzureFunctionApp::read(base.join(folder)).unwrap();
        assert_eq!(
            app.settings.executable.as_deref(),
            Some("handler"),
            "{folder}"
        );
        assert!(
            !app.settings.forwarding && !app.settings.proxying,
            "{folder}"
        );
        assert_eq!(
            app.host_json["extensionBundle"]["id"], "Microsoft.Azure.Functions.ExtensionBundle",
            "{folder}"
        );
        assert_eq!(app.host_json["extensionBundle"]["version"], "[4.*, 5.0.0)");
        let found: Vec<(&str, &AzureTriggerType, &str)> = app
            .functions
            .iter()
            .map(|f| (f.name.as_str(), &f.trigger, f.binding.as_str()))
            .collect();
        let wanted: Vec<(&str, &AzureTriggerType, &str)> =
            functions.iter().map(|(n, t, b)| (*n, t, *b)).collect();
        assert_eq!(found, wanted, "{folder}");
        for function in &app.functions {
            if function.trigger == AzureTriggerType::Http {
                assert_eq!(
                    function.http_output(),
                    Some("res"),
                    "{folder}/{}",
                    function.name
                );
                assert!(function.is_http_in_and_out());
            }
        }
    }
    let failures = AzureFunctionApp::read(base.join("failures")).unwrap();
    assert_eq!(
        failures.functions[0].route.as_deref(),
        Some("{*path}"),
        "the HTTP example apps route every path to their one function"
    );
    assert_eq!(failures.settings.route_prefix.as_deref(), Some(""));
    let settings: Value =
        serde_json::from_slice(&std::fs::read(base.join("local.settings.json.example")).unwrap())
            .unwrap();
    assert_eq!(settings["Values"]["FUNCTIONS_WORKER_RUNTIME"], "Custom");
}

fn fixture(name: &str) -> Value {
    let path = repo_root().join("tests/fixtures/azure").join(name);
    let bytes = std::fs::read(&path).expect("the fixture exists");
    serde_json::from_slice(&bytes).expect("the fixture is JSON")
}

/// Every key path of a JSON value (objects only; arrays by their first
/// element).
fn key_paths(value: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                let path = format!("{prefix}/{key}");
                out.insert(path.clone());
                key_paths(inner, &path, out);
            }
        }
        Value::Array(items) => {
            if let Some(first) = items.first() {
                key_paths(first, &format!("{prefix}/0"), out);
            }
        }
        _ => {}
    }
}

fn keys(value: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    key_paths(value, "", &mut out);
    out
}

#[test]
fn the_renderer_gives_the_documented_queue_shape() {
    let docs = fixture("queue-request.docs.json");
    let message = Message::new(
        "800ae4b3-bdd2-4c08-badd-f08e5a34b865",
        "{ message: \"Message sent\" }",
    )
    .with_sent_time(UNIX_EPOCH + Duration::from_secs(1_570_643_911));
    let ours = azure::queue_message("myQueueItem", &message)
        .with_sys(
            "QueueTrigger",
            UNIX_EPOCH,
            "24ad4c06-24ad-4e5b-8294-3da9714877e9",
        )
        .to_json();
    assert_eq!(keys(&ours), keys(&docs));
    // Dates as the sample writes them; strings and numbers as the host's
    // conversion writes them (tests/fixtures/azure/README.md).
    for key in ["ExpirationTime", "InsertionTime"] {
        assert_eq!(ours["Metadata"][key], docs["Metadata"][key], "{key}");
    }
    assert_eq!(
        ours["Metadata"]["Id"],
        azure::string_literal(docs["Metadata"]["Id"].as_str().unwrap())
    );
    assert_eq!(
        ours["Metadata"]["DequeueCount"],
        docs["Metadata"]["DequeueCount"].to_string()
    );
    assert_eq!(
        ours["Data"]["myQueueItem"],
        azure::string_literal(docs["Data"]["myQueueItem"].as_str().unwrap())
    );
}

#[test]
fn the_renderer_gives_the_documented_http_shape() {
    let docs = fixture("http-request.docs.json");
    let request = TestRequest::post("/api/order")
        .header("content-type", "application/json")
        .body(r#"{"id":1005,"quantity":2,"color":"black"}"#)
        .build();
    let ours = azure::http_request("req", &request, &Default::default()).to_json();
    let (docs_keys, our_keys) = (keys(&docs), keys(&ours));
    assert!(
        docs_keys.is_subset(&our_keys),
        "{:?}",
        docs_keys.difference(&our_keys)
    );
    let req = &ours["Data"]["req"];
    for key in ["Url", "Method", "Body", "Params"] {
        assert_eq!(req[key], docs["Data"]["req"][key], "{key}");
    }
    assert_eq!(
        req["Headers"]["Content-Type"],
        docs["Data"]["req"]["Headers"]["Content-Type"]
    );
}

#[test]
fn the_renderer_gives_the_documented_timer_and_event_grid_shapes() {
    let docs = fixture("timer-info.docs.json");
    let tick = ScheduleTick::new("t", UNIX_EPOCH + Duration::from_secs(1_475_576_100));
    let ours = azure::timer("timer", &tick, false).to_json();
    assert_eq!(keys(&ours["Data"]["timer"]), keys(&docs));
    assert_eq!(
        ours["Data"]["timer"]["ScheduleStatus"]["Last"],
        docs["ScheduleStatus"]["Last"]
    );
    assert_eq!(
        ours["Data"]["timer"]["ScheduleStatus"]["Next"],
        docs["ScheduleStatus"]["Next"]
    );
    assert_eq!(ours["Data"]["timer"]["IsPastDue"], docs["IsPastDue"]);

    let docs = fixture("event-grid-event.docs.json");
    let event = CloudEvent::new(
        docs["id"].as_str().unwrap(),
        docs["topic"].as_str().unwrap(),
        docs["eventType"].as_str().unwrap(),
    )
    .with_subject(docs["subject"].as_str().unwrap())
    .with_time(anyfn::time::parse_rfc3339("2017-06-26T18:41:00.958Z").unwrap())
    .with_data(CloudEventData::Json(docs["data"].clone()));
    let ours = azure::event_grid_event("event", &event).to_json();
    assert_eq!(keys(&ours["Data"]["event"]), keys(&docs));
    for key in [
        "id",
        "topic",
        "subject",
        "eventType",
        "data",
        "dataVersion",
        "metadataVersion",
    ] {
        assert_eq!(ours["Data"]["event"][key], docs[key], "{key}");
    }
}

#[test]
fn the_documented_response_reads_as_the_host_reads_it() {
    let docs = fixture("response.docs.json");
    let res = AzureHttpOutput::from_value(&docs["Outputs"]["res"]);
    assert_eq!(res.status, 200);
    assert!(res.headers.is_empty());
    assert_eq!(res.body, "Message enqueued");
    let response = res.into_response();
    response.assert_status(200);
    assert_eq!(response.text(), "Message enqueued");
}
