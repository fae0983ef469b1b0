//! Each example of aws-lambda-rust-runtime next to its anyfn port: both
//! binaries run under anyfn-test's Lambda emulator, get the same events,
//! and what Lambda records for each (payload, streamed prelude and body,
//! error type and message) is compared with request ids masked. Where they
//! differ on purpose the difference is asserted here and explained in
//! docs/migrating-from-lambda-runtime.md.

use std::path::{Path, PathBuf};

use anyfn_test::{LambdaEmulator, LambdaOutcome};
use serde_json::{json, Value};

/// What Lambda recorded for one invocation, request id masked.
fn seen(outcome: LambdaOutcome) -> Value {
    let request_id = outcome.request_id().to_owned();
    let masked = |text: &str| text.replace(&request_id, "<request-id>");
    let payload = |bytes: &[u8]| {
        let text = masked(&String::from_utf8_lossy(bytes));
        serde_json::from_str::<Value>(&text).unwrap_or(Value::String(text))
    };
    match outcome {
        LambdaOutcome::Response { payload: body, .. } => json!({"response": payload(&body)}),
        LambdaOutcome::Error { error, .. } => json!({"error": {
            "type": masked(&error.error_type),
            "message": masked(&error.error_message),
        }}),
        LambdaOutcome::Streamed {
            prelude,
            body,
            error,
            complete,
            ..
        } => json!({"streamed": {
            "prelude": prelude,
            "body": masked(&String::from_utf8_lossy(&body)),
            "error": error.map(|error| json!({"type": error.error_type, "message": masked(&error.error_message)})),
            "complete": complete,
        }}),
        other => json!({"other": format!("{other:?}")}),
    }
}

/// Runs `bin` under a fresh emulator and invokes it with each event in
/// turn.
async fn run(bin: &Path, events: &[Value]) -> Vec<Value> {
    let emulator = LambdaEmulator::start().await.expect("emulator");
    let _function = emulator
        .spawn(bin)
        .unwrap_or_else(|err| panic!("{} starts: {err}", bin.display()));
    let mut seen_all = Vec::new();
    for event in events {
        seen_all.push(seen(emulator.invoke(event.to_string()).await));
    }
    seen_all
}

/// The original's and the port's outcomes for `events`, event by event,
/// both run at once.
async fn pair(original: &str, port: &str, events: &[Value]) -> Vec<(Value, Value)> {
    let (theirs, ours) = tokio::join!(
        run(Path::new(original), events),
        run(Path::new(port), events)
    );
    for (t, o) in theirs.iter().zip(&ours) {
        eprintln!("  original {t}\n  anyfn    {o}");
    }
    theirs.into_iter().zip(ours).collect()
}

fn fixture(relative: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    serde_json::from_str(&text).expect("a JSON fixture")
}

/// aws_lambda_events' SQS example event with these message bodies.
fn sqs_event(bodies: &[Value]) -> Value {
    let mut event = fixture("tests/fixtures/aws/example-sqs-event.json");
    let template = event["Records"][0].clone();
    event["Records"] = bodies
        .iter()
        .enumerate()
        .map(|(n, body)| {
            let mut record = template.clone();
            record["messageId"] = json!(format!("m-{n}"));
            record["body"] = json!(body.to_string());
            record
        })
        .collect();
    event
}

/// An API Gateway HTTP API (v2) event.
fn http_api(method: &str, path: &str, query: &str, stage: &str) -> Value {
    let raw_path = if stage == "$default" {
        path.to_owned()
    } else {
        format!("/{stage}{path}")
    };
    let mut event = fixture("tests/fixtures/lambda/example-apigw-v2-request-no-authorizer.json");
    event["rawPath"] = json!(raw_path);
    event["rawQueryString"] = json!(query);
    event["queryStringParameters"] = query_map(query);
    event["requestContext"]["http"]["method"] = json!(method);
    event["requestContext"]["http"]["path"] = json!(raw_path);
    event["requestContext"]["stage"] = json!(stage);
    event
}

/// An API Gateway REST API (v1) event.
fn rest_api(method: &str, path: &str, query: &str) -> Value {
    let mut event = fixture("tests/fixtures/lambda/example-apigw-request.json");
    event["path"] = json!(path);
    event["httpMethod"] = json!(method);
    event["queryStringParameters"] = query_map(query);
    event["multiValueQueryStringParameters"] = Value::Null;
    event["requestContext"]["path"] = json!(format!("/testStage{path}"));
    event["requestContext"]["httpMethod"] = json!(method);
    event["body"] = Value::Null;
    event
}

fn query_map(query: &str) -> Value {
    if query.is_empty() {
        return Value::Null;
    }
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_owned(), json!(v)))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

macro_rules! bins {
    ($name:literal) => {
        (
            env!(concat!("CARGO_BIN_EXE_", $name, "-original")),
            env!(concat!("CARGO_BIN_EXE_", $name, "-anyfn")),
        )
    };
}

/// A Lambda HTTP answer as its caller sees it: the status, every header
/// (`headers` and `multiValueHeaders` merged: an empty map and an absent one
/// are the same), the cookies and the body (as JSON when it is JSON).
fn http(seen: &Value) -> Value {
    let answer = &seen["response"];
    assert!(answer["statusCode"].is_u64(), "an HTTP answer: {seen}");
    assert_eq!(answer["isBase64Encoded"], false, "a text body: {seen}");
    let mut headers = serde_json::Map::new();
    if let Some(multi) = answer["multiValueHeaders"].as_object() {
        headers.extend(multi.clone());
    }
    if let Some(single) = answer["headers"].as_object() {
        for (name, value) in single {
            headers
                .entry(name.clone())
                .or_insert_with(|| json!([value]));
        }
    }
    let body = answer["body"].as_str().unwrap_or_default();
    json!({
        "status": answer["statusCode"],
        "headers": headers,
        "cookies": answer.get("cookies").cloned().unwrap_or_else(|| json!([])),
        "body": serde_json::from_str::<Value>(body).unwrap_or_else(|_| json!(body)),
    })
}

/// `answer` with one more header.
fn plus_header(mut answer: Value, name: &str, value: &str) -> Value {
    answer["headers"][name] = json!([value]);
    answer
}

/// What anyfn answers where the original answers `answer` (a plain-text
/// `4xx` whose body is the message): the same status, anyfn's error
/// document of `error_type`, that message and the request id.
fn as_error_document(answer: &Value, error_type: &str) -> Value {
    let mut expected = plus_header(answer.clone(), "content-type", "application/json");
    expected["body"] = json!({
        "errorType": error_type,
        "errorMessage": answer["body"],
        "requestId": "<request-id>",
    });
    expected
}

/// The HTTP events the HTTP examples get: an HTTP API (v2) request on the
/// `$default` stage and on a named one, and REST API (v1) requests, with
/// and without `first_name`; each built from aws_lambda_events' example
/// event of its shape.
fn http_events() -> Vec<Value> {
    vec![
        http_api("GET", "/", "first_name=Ada", "$default"),
        http_api("GET", "/hello", "", "prod"),
        rest_api("GET", "/hello/world", "first_name=Ada"),
        rest_api("POST", "/hello", ""),
    ]
}

#[tokio::test]
async fn basic_lambda() {
    let (original, port) = bins!("basic-lambda");
    let events = [json!({"command": "do something"}), json!({})];
    let answers = pair(original, port, &events).await;
    let (theirs, ours) = &answers[0];
    assert_eq!(ours, theirs);
    assert_eq!(ours["response"]["msg"], "Command do something executed.");
    assert_eq!(ours["response"]["req_id"], "<request-id>");
    // A payload that is not the handler's type: both fail the invocation
    // naming serde's error; the types differ (anyfn's BadRequest,
    // lambda_runtime's type name).
    let (theirs, ours) = &answers[1];
    assert!(
        theirs["error"]["type"]
            .as_str()
            .is_some_and(|t| t.contains("DeserializeError")),
        "{theirs}"
    );
    assert_eq!(ours["error"]["type"], "BadRequest");
    for side in [theirs, ours] {
        assert!(
            side["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("missing field `command` at line 1 column 2")),
            "{side}"
        );
    }
}

#[tokio::test]
async fn basic_error_handling() {
    let (original, port) = bins!("basic-error-handling");
    let kinds = [
        "Response",
        "ExternalError",
        "SimpleError",
        "CustomError",
        "Panic",
        "Response",
    ];
    let events: Vec<Value> = kinds
        .iter()
        .map(|kind| json!({"event_type": kind}))
        .collect();
    let answers = pair(original, port, &events).await;
    for (kind, (theirs, ours)) in kinds.iter().zip(&answers) {
        match *kind {
            "Response" => {
                assert_eq!(ours, theirs);
                assert_eq!(
                    ours["response"],
                    json!({"msg": "OK", "req_id": "<request-id>"})
                );
            }
            "Panic" => {
                // lambda_runtime names the panic's payload type; anyfn says Panic.
                assert!(
                    theirs["error"]["type"]
                        .as_str()
                        .is_some_and(|t| t.contains("Box<dyn core::any::Any")),
                    "{theirs}"
                );
                assert_eq!(
                    theirs["error"]["message"],
                    "Lambda panicked: explicit panic"
                );
                assert_eq!(
                    ours["error"],
                    json!({"type": "Panic", "message": "handler panicked: explicit panic"})
                );
            }
            _ => {
                // The same message; lambda_runtime's type is the boxed
                // error's type name, anyfn's HandlerError.
                assert_eq!(
                    ours["error"]["message"], theirs["error"]["message"],
                    "{kind}"
                );
                assert!(
                    theirs["error"]["type"]
                        .as_str()
                        .is_some_and(|t| t.contains("Box<dyn core::error::Error")),
                    "{theirs}"
                );
                assert_eq!(ours["error"]["type"], "HandlerError", "{kind}");
            }
        }
    }
    assert_eq!(
        answers[3].1["error"]["message"],
        r#"{"is_authenticated":false,"msg":"A custom error as requested!","req_id":"<request-id>"}"#
    );
}

#[tokio::test]
async fn basic_error_thiserror() {
    let (original, port) = bins!("basic-error-thiserror");
    let answers = pair(original, port, &[json!({})]).await;
    let (theirs, ours) = &answers[0];
    assert_eq!(ours, theirs);
    assert_eq!(
        ours["error"],
        json!({"type": "NonRetryable", "message": "ooops"})
    );
}

#[tokio::test]
async fn basic_shared_resource() {
    let (original, port) = bins!("basic-shared-resource");
    let events = [
        json!({"command": "do something"}),
        json!({"command": "again"}),
    ];
    for (theirs, ours) in pair(original, port, &events).await {
        assert_eq!(ours, theirs);
        assert!(ours["response"]["msg"]
            .as_str()
            .is_some_and(|m| m.ends_with("executed by Shared Client 1 (perhaps a database).")));
    }
}

#[tokio::test]
async fn basic_sqs() {
    let (original, port) = bins!("basic-sqs");
    let events = [
        sqs_event(&[json!({"id": "1", "text": "hi"})]),
        sqs_event(&[json!({"x": 1})]),
    ];
    let answers = pair(original, port, &events).await;
    let (theirs, ours) = &answers[0];
    assert_eq!(ours, theirs);
    assert_eq!(ours["response"], Value::Null);
    // A body that is not `Data`: lambda_runtime fails decoding the whole
    // event; the port fails reading the message, naming it.
    let (theirs, ours) = &answers[1];
    assert!(
        theirs["error"]["type"]
            .as_str()
            .is_some_and(|t| t.contains("DeserializeError")),
        "{theirs}"
    );
    assert_eq!(
        ours["error"],
        json!({"type": "BadRequest", "message": "message m-0 is not the JSON expected: missing field `id` at line 1 column 7"})
    );
}

#[tokio::test]
async fn advanced_sqs_partial_batch_failures() {
    let (original, port) = bins!("advanced-sqs-partial-batch-failures");
    let events = [
        sqs_event(&[
            json!({"text": "ok"}),
            json!({"text": "bad request"}),
            json!({"y": 1}),
        ]),
        sqs_event(&[json!({"text": "ok"})]),
    ];
    let answers = pair(original, port, &events).await;
    for (theirs, ours) in &answers {
        assert_eq!(ours, theirs);
    }
    assert_eq!(
        answers[0].1["response"],
        json!({"batchItemFailures": [{"itemIdentifier": "m-1"}, {"itemIdentifier": "m-2"}]})
    );
    assert_eq!(answers[1].1["response"], json!({"batchItemFailures": []}));
}

#[tokio::test]
async fn basic_streaming_response() {
    let (original, port) = bins!("basic-streaming-response");
    let answers = pair(original, port, &[json!({})]).await;
    let (theirs, ours) = &answers[0];
    assert_eq!(ours, theirs);
    assert_eq!(ours["streamed"]["body"], "Hello\nworld\nfrom\nLambda!\n");
    assert_eq!(ours["streamed"]["complete"], true);
}

#[tokio::test]
async fn http_basic_lambda() {
    let (original, port) = bins!("http-basic-lambda");
    for (theirs, ours) in pair(original, port, &http_events()).await {
        assert_eq!(http(&ours), http(&theirs));
        assert_eq!(http(&ours)["headers"]["content-type"], json!(["text/html"]));
    }
}

/// The examples answering `Hello, {first_name}!` or a `400` without one.
async fn hello_or_400(name: &'static str, original: &str, port: &str, extra: &[(&str, &str)]) {
    let answers = pair(original, port, &http_events()).await;
    for (n, (theirs, ours)) in answers.iter().enumerate() {
        let (theirs, ours) = (http(theirs), http(ours));
        let mut expected = if theirs["status"] == 400 {
            // anyfn::Error::bad_request: the error document, same status.
            assert_eq!(theirs["body"], "Empty first name", "{name}");
            as_error_document(&theirs, "BadRequest")
        } else {
            // anyfn::response::text says what it is.
            plus_header(theirs.clone(), "content-type", "text/plain; charset=utf-8")
        };
        for (header, value) in extra {
            expected["headers"][*header] = json!([value]);
        }
        assert_eq!(ours, expected, "{name}, event {n}");
    }
    assert_eq!(http(&answers[0].0)["status"], 200);
    assert_eq!(http(&answers[1].0)["status"], 400);
}

#[tokio::test]
async fn http_query_parameters() {
    let (original, port) = bins!("http-query-parameters");
    hello_or_400("http-query-parameters", original, port, &[]).await;
}

#[tokio::test]
async fn http_shared_resource() {
    let (original, port) = bins!("http-shared-resource");
    hello_or_400("http-shared-resource", original, port, &[]).await;
}

#[tokio::test]
async fn http_cors() {
    let (original, port) = bins!("http-cors");
    let answers = pair(original, port, &http_events()).await;
    for (theirs, ours) in &answers {
        for side in [theirs, ours] {
            assert_eq!(
                http(side)["headers"]["access-control-allow-origin"],
                json!(["*"]),
                "{side}"
            );
        }
    }
    hello_or_400("http-cors", original, port, &[]).await;
}

#[tokio::test]
async fn http_raw_path() {
    let (original, port) = bins!("http-raw-path");
    let answers = pair(original, port, &http_events()).await;
    for (n, (theirs, ours)) in answers.iter().enumerate() {
        let (theirs, mut ours) = (http(theirs), http(ours));
        if n == 1 {
            // An HTTP API stage named `prod`: lambda_http's raw path keeps
            // it, anyfn's path never has it.
            assert_eq!(
                theirs["body"],
                "The raw path for this request is: /prod/hello"
            );
            assert_eq!(ours["body"], "The raw path for this request is: /hello");
            ours["body"] = theirs["body"].clone();
        }
        assert_eq!(
            ours,
            plus_header(theirs, "content-type", "text/plain; charset=utf-8"),
            "event {n}"
        );
    }
}

#[tokio::test]
async fn http_tower_trace() {
    let (original, port) = bins!("http-tower-trace");
    for (theirs, ours) in pair(original, port, &http_events()).await {
        assert_eq!(http(&ours), http(&theirs));
        assert_eq!(http(&ours)["body"], "Success");
    }
}

#[tokio::test]
async fn http_axum() {
    let (original, port) = bins!("http-axum");
    let events = [
        http_api("GET", "/", "", "$default"),
        http_api("GET", "/foo", "", "$default"),
        http_api("POST", "/foo", "", "$default"),
        http_api("POST", "/foo/Ada", "", "$default"),
        http_api("GET", "/parameters", "first=a&second=b", "$default"),
        http_api("GET", "/health/", "", "$default"),
        http_api("GET", "/nope", "", "$default"),
        http_api("GET", "/foo", "", "prod"),
        rest_api("GET", "/foo", ""),
    ];
    let answers = pair(original, port, &events).await;
    for (n, (theirs, ours)) in answers.iter().enumerate() {
        if n != 7 {
            assert_eq!(http(ours), http(theirs), "event {n}");
        }
    }
    assert_eq!(
        http(&answers[3].1)["body"],
        json!({"msg": "I am POST /foo/:name, name=Ada"})
    );
    assert_eq!(http(&answers[6].1)["status"], 404);
    // An HTTP API stage named `prod` (rawPath `/prod/foo`): with
    // AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH lambda_http takes the raw path as
    // it is, stage included, and the router answers 404; anyfn's path is
    // `/foo`.
    let (theirs, ours) = &answers[7];
    assert_eq!(http(theirs)["status"], 404);
    assert_eq!(http(ours)["body"], json!({"msg": "I am GET /foo"}));
}

#[tokio::test]
async fn http_axum_middleware() {
    let (original, port) = bins!("http-axum-middleware");
    // The original's route is `/testStage/hello/world`: lambda_http puts a
    // REST API's stage in front of the path. The port's is `/hello/world`.
    let mut event = rest_api("POST", "/hello/world", "");
    event["headers"]["Content-Type"] = json!("application/json");
    event["multiValueHeaders"] = Value::Null;
    event["body"] = json!(r#"{"name":"Ada"}"#);
    let answers = pair(original, port, &[event]).await;
    let (theirs, ours) = &answers[0];
    assert_eq!(http(theirs)["status"], 200, "{theirs}");
    assert_eq!(http(ours)["body"], json!({"echo": {"name": "Ada"}}));
    assert_eq!(http(ours), http(theirs));
}
