//! The adapter end to end over HTTP on 127.0.0.1, as the Functions host
//! calls it: envelopes for every trigger, forwarding and proxying.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyfn::event::{BatchResult, CloudEvent, QueueBatch, ScheduleTick, StorageEvent};
use anyfn::http::StatusCode;
use anyfn::stream::StreamResponse;
use anyfn::{handler_fn, Context, Error, Json, Request, RequestExt, Response};
use anyfn_azure::{function, Azure, AzureContextExt, AzureFunction, Mode};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};

/// Every call is bounded: a hung adapter fails the test instead of hanging it.
const BOUND: Duration = Duration::from_secs(10);

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// A function app directory in the temporary folder, removed on drop.
struct AppDir(PathBuf);

impl AppDir {
    fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for AppDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A function app directory: `host.json` and each `{name}/function.json`.
fn app(test: &str, host_json: &str, functions: &[(&str, Value)]) -> AppDir {
    let dir = std::env::temp_dir().join(format!("anyfn-azure-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("app dir");
    std::fs::write(dir.join("host.json"), host_json).expect("host.json");
    for (name, bindings) in functions {
        std::fs::create_dir_all(dir.join(name)).expect("function dir");
        let function_json = json!({"bindings": bindings});
        std::fs::write(
            dir.join(name).join("function.json"),
            function_json.to_string(),
        )
        .expect("function.json");
    }
    AppDir(dir)
}

async fn start(azure: Azure) -> (SocketAddr, Duration, Mode) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let bound = azure
        .default_subscriber(true)
        .bind_on(listener)
        .expect("bound");
    let (addr, timeout, mode) = (bound.local_addr(), bound.timeout(), bound.mode());
    tokio::spawn(bound.run_until(std::future::pending()));
    (addr, timeout, mode)
}

async fn send(addr: SocketAddr, request: hyper::Request<Full<Bytes>>) -> hyper::Response<Incoming> {
    let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(connection);
    tokio::time::timeout(BOUND, sender.send_request(request))
        .await
        .expect("answered in time")
        .expect("a response")
}

async fn read(response: hyper::Response<Incoming>) -> (StatusCode, Bytes) {
    let status = response.status();
    let body = tokio::time::timeout(BOUND, response.into_body().collect())
        .await
        .expect("body in time")
        .expect("a body")
        .to_bytes();
    (status, body)
}

/// Posts an envelope to `/{function}` as the host does.
async fn invoke(
    addr: SocketAddr,
    function: &str,
    envelope: &str,
    invocation_id: &str,
) -> (StatusCode, Value) {
    let request = hyper::Request::post(format!("/{function}"))
        .header("host", addr.to_string())
        .header("content-type", "application/json")
        .header("x-azure-functions-invocationid", invocation_id)
        .body(Full::new(Bytes::from(envelope.to_owned())))
        .expect("a request");
    let (status, body) = read(send(addr, request).await).await;
    let value = serde_json::from_slice(&body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()));
    (status, value)
}

fn queue_function() -> Arc<dyn AzureFunction> {
    function(handler_fn(
        |batch: QueueBatch, context: Context| async move {
            let message = &batch.messages[0];
            tracing::info!(target: "orders", "processing {}", message.id);
            let azure = context.azure().expect("azure details");
            Ok::<_, Error>(Json(json!({
                "id": message.id,
                "body": message.text()?,
                "attempt": message.delivery_attempt,
                "sent": message.sent_time.map(anyfn::time::format_rfc3339),
                "attributes": message.attributes,
                "request_id": context.request_id(),
                "function": context.function_name(),
                "invocation_id": azure.invocation_id(),
                "rand_guid": azure.sys().and_then(|sys| sys.rand_guid),
                "hello": azure.metadata().get("helloString"),
                "platform": context.platform().as_str(),
            })))
        },
    ))
}

fn failing_queue_function() -> Arc<dyn AzureFunction> {
    function(handler_fn(|batch: QueueBatch, _: Context| async move {
        tracing::info!(target: "orders", "giving up on {}", batch.messages[0].id);
        Ok::<_, Error>(BatchResult::failed_ids([batch.messages[0].id.clone()]))
    }))
}

fn hello_function() -> Arc<dyn AzureFunction> {
    function(handler_fn(
        |request: Request, context: Context| async move {
            match request.query().get("name") {
                Some("fail") => Err(Error::bad_request("no name like that")),
                Some("crash") => Err(Error::from(std::io::Error::other("disk full"))),
                Some("slow") => {
                    std::future::pending::<()>().await;
                    Ok(anyfn::response::text("never"))
                }
                name => {
                    let identities = context.azure().and_then(|azure| azure.identities());
                    let mut response = anyfn::response::text(format!(
                        "Hello, {}! {} {} {} {}",
                        name.unwrap_or("world"),
                        request.method(),
                        request.uri(),
                        request.text()?,
                        identities.map_or(0, |ids| ids.as_array().map_or(0, Vec::len)),
                    ));
                    *response.status_mut() = StatusCode::CREATED;
                    Ok::<Response, Error>(response)
                }
            }
        },
    ))
}

fn all_functions() -> Vec<(String, Arc<dyn AzureFunction>)> {
    vec![
        ("Hello".to_owned(), hello_function()),
        ("QueueTrigger".to_owned(), queue_function()),
        ("Failing".to_owned(), failing_queue_function()),
        (
            "Blobs".to_owned(),
            function(handler_fn(|event: StorageEvent, _: Context| async move {
                Ok::<_, Error>(Json(
                    serde_json::to_value(&event.objects[0]).map_err(Error::from)?,
                ))
            })),
        ),
        (
            "Nightly".to_owned(),
            function(handler_fn(
                |tick: ScheduleTick, context: Context| async move {
                    let past_due = context.azure().and_then(|azure| azure.timer_is_past_due());
                    Ok::<_, Error>(Json(json!({"tick": tick, "past_due": past_due})))
                },
            )),
        ),
        (
            "Images".to_owned(),
            function(handler_fn(|event: CloudEvent, _: Context| async move {
                Ok::<_, Error>(Json(event.to_json_value()))
            })),
        ),
        (
            "Orders".to_owned(),
            function(handler_fn(|batch: QueueBatch, _: Context| async move {
                let message = &batch.messages[0];
                Ok::<_, Error>(Json(
                    json!({"id": message.id, "order": message.json::<Value>()?, "attempt": message.delivery_attempt, "tenant": message.attributes.get("tenant")}),
                ))
            })),
        ),
        (
            "Panics".to_owned(),
            function(handler_fn(|_: Json<Value>, _: Context| async move {
                if true {
                    panic!("bad index 3");
                }
                Ok::<_, Error>(())
            })),
        ),
    ]
}

fn bindings() -> Vec<(&'static str, Value)> {
    vec![
        (
            "Hello",
            json!([{"name": "req", "type": "httpTrigger", "direction": "in"}, {"name": "res", "type": "http", "direction": "out"}]),
        ),
        (
            "QueueTrigger",
            json!([{"name": "myQueueItem", "type": "queueTrigger", "direction": "in"}, {"name": "$return", "type": "queue", "direction": "out"}]),
        ),
        (
            "Blobs",
            json!([{"name": "myBlob", "type": "blobTrigger", "direction": "in", "dataType": "binary"}]),
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_trigger_decodes_from_its_envelope() {
    let dir = app("triggers", r#"{"version": "2.0"}"#, &bindings());
    let (addr, timeout, mode) = start(Azure::functions(all_functions()).app_root(dir.path())).await;
    assert_eq!(
        (timeout, mode),
        (anyfn_azure::CONSUMPTION_DEFAULT_TIMEOUT, Mode::Envelope)
    );

    let (status, answer) = invoke(
        addr,
        "QueueTrigger",
        &fixture("queue-trigger.json"),
        "inv-q-1",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        answer["ReturnValue"],
        json!({
            "id": "800ae4b3-bdd2-4c08-badd-f08e5a34b865",
            "body": "{ message: \"Message sent\" }",
            "attempt": 4,
            "sent": "2019-10-09T17:58:31Z",
            "attributes": {"PopReceipt": "AgAAAAMAAAAAAAAAAgtnj8x+1QE="},
            "request_id": "inv-q-1",
            "function": "QueueTrigger",
            "invocation_id": "inv-q-1",
            "rand_guid": "24ad4c06-24ad-4e5b-8294-3da9714877e9",
            "hello": "\"helloMetadata\"",
            "platform": "azure-functions",
        })
    );
    assert_eq!(answer["Outputs"], json!({}));
    assert_eq!(
        answer["Logs"],
        json!(["INFO orders: processing 800ae4b3-bdd2-4c08-badd-f08e5a34b865"])
    );

    let (status, answer) = invoke(
        addr,
        "Orders",
        &fixture("service-bus-trigger.json"),
        "inv-sb",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        answer["ReturnValue"],
        json!({"id": "0d6d7d8d5b3f4b7b9c1a2e3f4a5b6c7d", "order": {"order": 7}, "attempt": 2, "tenant": "acme"})
    );

    let (status, answer) = invoke(addr, "Blobs", &fixture("blob-trigger.json"), "inv-blob").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        answer["ReturnValue"],
        json!({"change": "created", "bucket": "samples-workitems", "key": "2024/report 1.csv", "size": 10, "etag": "0x8DC6A1B2C3D4E5F", "time": "2024-05-01T12:00:00Z"})
    );

    let (status, answer) =
        invoke(addr, "Nightly", &fixture("timer-trigger.json"), "inv-timer").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        answer["ReturnValue"],
        json!({"tick": {"id": "f3b1d2c4-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "time": "2024-05-01T12:00:00.005123400Z", "schedule": "Nightly"}, "past_due": false})
    );

    let (status, answer) =
        invoke(addr, "Images", &fixture("event-grid-schema.json"), "inv-eg").await;
    assert_eq!(status, StatusCode::OK);
    let event = &answer["ReturnValue"];
    assert_eq!(event["id"], "831e1650-001e-001b-66ab-eeb76e069631");
    assert_eq!(event["type"], "Microsoft.Storage.BlobCreated");
    assert_eq!(event["source"], "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/myaccount");
    assert_eq!(
        event["subject"],
        "/blobServices/default/containers/images/blobs/cat.png"
    );
    assert_eq!(event["time"], "2024-05-01T12:00:00.123Z");
    assert_eq!(event["data"]["contentLength"], 524288);

    let (status, answer) = invoke(
        addr,
        "Images",
        &fixture("event-grid-cloudevents.json"),
        "inv-ce",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let event = &answer["ReturnValue"];
    assert_eq!(event["id"], "9aeb0fdf-c01e-0131-0922-9eb54906e209");
    assert_eq!(event["specversion"], "1.0");
    assert_eq!(
        event["subject"],
        "blobServices/default/containers/images/blobs/cat.png"
    );
    assert_eq!(
        event["data"],
        json!({"api": "PutBlockList", "contentLength": 524288})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_triggers_answer_in_res_with_the_same_status_everywhere() {
    let dir = app("http", r#"{"version": "2.0"}"#, &bindings());
    let (addr, _, _) = start(Azure::functions(all_functions()).app_root(dir.path())).await;

    let (status, answer) = invoke(addr, "Hello", &fixture("http-trigger.json"), "inv-h-1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        answer,
        json!({
            "Outputs": {"res": {
                "statusCode": 201,
                "headers": {"Content-Type": "text/plain; charset=utf-8"},
                "body": "Hello, Ink And Toner! POST /api/Hello?id=149656222&name=Ink%20And%20Toner \"hello world\" 1"
            }},
            "Logs": [],
            "ReturnValue": null
        })
    );

    let failing = fixture("http-trigger.json").replace("name=Ink%20And%20Toner", "name=fail");
    let (status, answer) = invoke(addr, "Hello", &failing, "inv-h-2").await;
    assert_eq!(status, StatusCode::OK);
    let res = &answer["Outputs"]["res"];
    assert_eq!(res["statusCode"], 400);
    assert_eq!(res["headers"]["Content-Type"], "application/json");
    let body: Value = serde_json::from_str(res["body"].as_str().expect("text")).expect("json");
    assert_eq!(
        body,
        json!({"errorType": "BadRequest", "errorMessage": "no name like that", "requestId": "inv-h-2"})
    );

    let crashing = fixture("http-trigger.json").replace("name=Ink%20And%20Toner", "name=crash");
    let (status, answer) = invoke(addr, "Hello", &crashing, "inv-h-3").await;
    assert_eq!(status, StatusCode::OK);
    let res = &answer["Outputs"]["res"];
    assert_eq!(res["statusCode"], 500);
    let body: Value = serde_json::from_str(res["body"].as_str().expect("text")).expect("json");
    assert_eq!(
        body,
        json!({"errorType": "HandlerError", "errorMessage": "Internal Server Error", "requestId": "inv-h-3"})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_http_failures_answer_non_2xx_so_the_host_retries() {
    let dir = app("failures", r#"{"version": "2.0"}"#, &bindings());
    let (addr, _, _) = start(Azure::functions(all_functions()).app_root(dir.path())).await;

    let (status, answer) = invoke(addr, "Failing", &fixture("queue-trigger.json"), "inv-f-1").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        answer,
        json!({"errorType": "BatchItemFailure", "errorMessage": "message(s) 800ae4b3-bdd2-4c08-badd-f08e5a34b865 failed", "requestId": "inv-f-1"})
    );

    let (status, answer) = invoke(
        addr,
        "Panics",
        r#"{"Data": {"in": 1}, "Metadata": {}}"#,
        "inv-f-2",
    )
    .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(answer["errorType"], "Panic");
    assert!(
        answer["errorMessage"]
            .as_str()
            .is_some_and(|m| m.contains("bad index 3")),
        "{answer}"
    );

    // A body that is no message: decoding fails, the invocation fails.
    let (status, answer) = invoke(
        addr,
        "Orders",
        r#"{"Data": {"m": "x"}, "Metadata": {}}"#,
        "inv-f-3",
    )
    .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(answer["errorType"], "BadRequest");

    let (status, answer) = invoke(addr, "Nope", r#"{"Data": {}, "Metadata": {}}"#, "inv-f-4").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        answer["errorMessage"],
        "no function named \"Nope\"; this app has: Hello, QueueTrigger, Failing, Blobs, Nightly, Images, Orders, Panics"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deadlines_from_host_json_and_from_the_override() {
    let dir = app(
        "deadline",
        r#"{"version": "2.0", "functionTimeout": "00:00:00.300"}"#,
        &bindings(),
    );
    let (addr, timeout, _) = start(Azure::functions(all_functions()).app_root(dir.path())).await;
    assert_eq!(timeout, Duration::from_millis(300));
    let slow = fixture("http-trigger.json").replace("name=Ink%20And%20Toner", "name=slow");
    let started = Instant::now();
    let (status, answer) = invoke(addr, "Hello", &slow, "inv-d-1").await;
    let elapsed = started.elapsed();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["Outputs"]["res"]["statusCode"], 504);
    assert!(
        elapsed >= Duration::from_millis(300) && elapsed < Duration::from_secs(5),
        "{elapsed:?}"
    );

    let (addr, timeout, _) = start(
        Azure::functions(all_functions())
            .app_root(dir.path())
            .timeout(Duration::from_millis(100)),
    )
    .await;
    assert_eq!(timeout, Duration::from_millis(100));
    let started = Instant::now();
    let (_, answer) = invoke(addr, "Hello", &slow, "inv-d-2").await;
    assert_eq!(answer["Outputs"]["res"]["statusCode"], 504);
    let body: Value =
        serde_json::from_str(answer["Outputs"]["res"]["body"].as_str().expect("text"))
            .expect("json");
    assert_eq!(body["errorType"], "Timeout");
    assert!(
        started.elapsed() < Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarding_sends_the_request_at_its_own_path() {
    let dir = app(
        "forwarding",
        r#"{"version": "2.0", "customHandler": {"description": {"defaultExecutablePath": "app"}, "enableForwardingHttpRequest": true}}"#,
        &bindings(),
    );
    let (addr, _, mode) = start(Azure::functions(all_functions()).app_root(dir.path())).await;
    assert_eq!(mode, Mode::Forwarding);
    let request = hyper::Request::post("/api/Hello?name=Ada")
        .header("host", "app.azurewebsites.net")
        .header("x-azure-functions-invocationid", "inv-fw-1")
        .body(Full::new(Bytes::from_static(b"payload")))
        .expect("a request");
    let (status, body) = read(send(addr, request).await).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body, "Hello, Ada! POST /api/Hello?name=Ada payload 0");

    let request = hyper::Request::get("/api/Hello?name=fail")
        .header("x-azure-functions-invocationid", "inv-fw-2")
        .body(Full::new(Bytes::new()))
        .expect("a request");
    let (status, body) = read(send(addr, request).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let body: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(
        body,
        json!({"errorType": "BadRequest", "errorMessage": "no name like that", "requestId": "inv-fw-2"})
    );

    // Other triggers still come as envelopes.
    let (status, answer) = invoke(
        addr,
        "QueueTrigger",
        &fixture("queue-trigger.json"),
        "inv-fw-3",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["ReturnValue"]["invocation_id"], "inv-fw-3");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxying_streams_chunk_by_chunk() {
    let dir = app(
        "proxying",
        r#"{"version": "2.0", "customHandler": {"enableProxyingHttpRequest": true}}"#,
        &[],
    );
    let go_on = Arc::new(tokio::sync::Notify::new());
    let producer_gate = Arc::clone(&go_on);
    let handler = handler_fn(move |_: Request, _: Context| {
        let gate = Arc::clone(&producer_gate);
        async move {
            let (mut sender, body) = anyfn::stream::channel(1);
            tokio::spawn(async move {
                if sender.send("one\n").await.is_err() {
                    return;
                }
                gate.notified().await;
                let _ = sender.send("two\n").await;
            });
            Ok::<StreamResponse, Error>(anyfn::stream::response(body))
        }
    });
    let (addr, _, mode) = start(Azure::new(handler).app_root(dir.path())).await;
    assert_eq!(mode, Mode::Proxying);
    let request = hyper::Request::get("/api/stream")
        .header("x-azure-functions-invocationid", "inv-px-1")
        .body(Full::new(Bytes::new()))
        .expect("a request");
    let response = send(addr, request).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "application/octet-stream"
    );
    let mut body = response.into_body();
    // The first chunk arrives while the producer still waits to send the second.
    assert_eq!(
        next_chunk(&mut body).await,
        Some(Bytes::from_static(b"one\n"))
    );
    go_on.notify_one();
    assert_eq!(
        next_chunk(&mut body).await,
        Some(Bytes::from_static(b"two\n"))
    );
    assert_eq!(next_chunk(&mut body).await, None);
}

async fn next_chunk(body: &mut Incoming) -> Option<Bytes> {
    tokio::time::timeout(BOUND, body.frame())
        .await
        .expect("a frame in time")
        .map(|frame| frame.expect("a frame").into_data().expect("data"))
}

/// `POST /{function}` with `envelope`, as the host sends it, as raw bytes.
fn raw_invocation(function: &str, envelope: &str, invocation_id: &str) -> Vec<u8> {
    let mut raw = format!(
        "POST /{function} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n\
         x-azure-functions-invocationid: {invocation_id}\r\ncontent-length: {}\r\n\r\n",
        envelope.len()
    )
    .into_bytes();
    raw.extend_from_slice(envelope.as_bytes());
    raw
}

/// Writes `raw` (requests back to back: pipelined) on one new connection,
/// and reads answers until `count` have come, the connection ends, or
/// [`BOUND`] passes: each answer's status and body, in order.
async fn pipelined(addr: SocketAddr, raw: Vec<u8>, count: usize) -> Vec<(u16, Vec<u8>)> {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let (mut reader, mut writer) = stream.into_split();
    // Written on a task of its own: the server may answer the first request
    // before it has read the second.
    let writing = tokio::spawn(async move {
        let _ = writer.write_all(&raw).await;
        writer
    });
    let mut answers = Vec::new();
    let mut buffer = Vec::new();
    let reading = async {
        let mut chunk = vec![0; 64 * 1024];
        while answers.len() < count {
            while let Some((status, body, used)) = parse_answer(&buffer) {
                answers.push((status, body));
                buffer.drain(..used);
            }
            if answers.len() >= count {
                break;
            }
            match reader.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        }
    };
    let _ = tokio::time::timeout(BOUND, reading).await;
    drop(writing.await);
    answers
}

/// One whole answer at the start of `buffer` (its length from
/// `Content-Length`): its status, its body, and the bytes it took.
fn parse_answer(buffer: &[u8]) -> Option<(u16, Vec<u8>, usize)> {
    let head_end = buffer.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = std::str::from_utf8(&buffer[..head_end]).ok()?;
    let status = head.split(' ').nth(1)?.parse().ok()?;
    let length: usize = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    let end = head_end + length;
    (buffer.len() >= end).then(|| (status, buffer[head_end..end].to_vec(), end))
}

/// `res` of an HTTP trigger's envelope answer, its body parsed.
fn res_of(body: &[u8]) -> (u64, Value) {
    let answer: Value = serde_json::from_slice(body).expect("a JSON envelope answer");
    let res = &answer["Outputs"]["res"];
    let text = res["body"].as_str().expect("a text body");
    let body = serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()));
    (res["statusCode"].as_u64().expect("a status"), body)
}

/// An envelope whose `Headers` hold 30,000 names, past what an
/// `http::HeaderMap` holds (24,576), panicked `HeaderMap::append` while
/// the request was decoded, outside the panic catching: the connection's
/// task died, the envelope got no answer and the request pipelined behind
/// it on the same connection was lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_too_many_header_names_are_a_bad_request_and_the_next_request_is_served() {
    let dir = app("many-headers", r#"{"version": "2.0"}"#, &bindings());
    let (addr, _, _) = start(Azure::functions(all_functions()).app_root(dir.path())).await;
    let headers: serde_json::Map<String, Value> = (0..30_000)
        .map(|n| (format!("x-h{n}"), json!("v")))
        .collect();
    let flood = json!({
        "Data": {"req": {"Url": "/api/Hello", "Method": "GET", "Headers": headers}},
        "Metadata": {}
    })
    .to_string();
    let mut raw = raw_invocation("Hello", &flood, "inv-many-1");
    raw.extend(raw_invocation(
        "Hello",
        &fixture("http-trigger.json"),
        "inv-many-2",
    ));

    let answers = pipelined(addr, raw, 2).await;
    assert_eq!(answers.len(), 2, "both pipelined requests are answered");
    assert_eq!(answers[0].0, 200, "an HTTP trigger's failure is in res");
    let (status, body) = res_of(&answers[0].1);
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({
            "errorType": "BadRequest",
            "errorMessage": "too many header names in the HTTP trigger's Headers (limit 24576)",
            "requestId": "inv-many-1"
        })
    );
    assert_eq!(answers[1].0, 200);
    assert_eq!(res_of(&answers[1].1).0, 201, "the next request is served");
}

/// An event whose decoding panics (a bug in a decoder) stands for any
/// decoder's future panic.
struct PanicsWhileDecoding;

impl anyfn_azure::FromAzure for PanicsWhileDecoding {
    fn from_azure(_: anyfn_azure::AzureInput, _: &mut Context) -> Result<Self, Error> {
        panic!("decoder bug");
    }
}

/// Decoding ran outside the panic catching that guards the handler: a
/// decoder's panic killed the connection's task, so the invocation got no
/// answer and the request pipelined behind it was lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_a_panic_while_decoding_fails_only_its_own_invocation() {
    let dir = app("decoder-panic", r#"{"version": "2.0"}"#, &bindings());
    let mut functions = all_functions();
    functions.push((
        "Broken".to_owned(),
        function(handler_fn(|_: PanicsWhileDecoding, _: Context| async {
            Ok::<_, Error>(())
        })),
    ));
    let (addr, _, _) = start(Azure::functions(functions).app_root(dir.path())).await;
    let mut raw = raw_invocation(
        "Broken",
        r#"{"Data": {"in": 1}, "Metadata": {}}"#,
        "inv-dp-1",
    );
    raw.extend(raw_invocation(
        "QueueTrigger",
        &fixture("queue-trigger.json"),
        "inv-dp-2",
    ));

    let answers = pipelined(addr, raw, 2).await;
    assert_eq!(answers.len(), 2, "both pipelined requests are answered");
    assert_eq!(answers[0].0, 500, "a failed non-HTTP invocation");
    let error: Value = serde_json::from_slice(&answers[0].1).expect("the error document");
    assert_eq!(error["errorType"], "Panic");
    assert_eq!(error["requestId"], "inv-dp-1");
    assert!(
        error["errorMessage"]
            .as_str()
            .is_some_and(|m| m.contains("decoder bug")),
        "{error}"
    );
    assert_eq!(answers[1].0, 200, "the next request is served");
    let answer: Value = serde_json::from_slice(&answers[1].1).expect("an envelope answer");
    assert_eq!(answer["ReturnValue"]["invocation_id"], "inv-dp-2");
}

/// An [`AzureFunction`] of one's own, not made by [`function`], that
/// panics: when called, or when its future is polled.
struct PanickingFunction {
    when_called: bool,
}

impl AzureFunction for PanickingFunction {
    fn call(&self, _: anyfn_azure::AzureInput, _: Context) -> anyfn_azure::AzureFuture {
        assert!(!self.when_called, "call bug");
        Box::pin(async { panic!("future bug") })
    }
}

/// Whatever `AzureFunction` serves a name, its panic fails its own
/// invocation (`Panic`): it neither ends the connection nor leaves the
/// watchdog taking the next request on it for a handler still running.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_azure_function_of_ones_own_that_panics_fails_only_its_own_invocation() {
    let dir = app("own-function-panic", r#"{"version": "2.0"}"#, &bindings());
    let mut functions = all_functions();
    for (name, when_called) in [("PanicsWhenCalled", true), ("PanicsWhenPolled", false)] {
        functions.push((
            name.to_owned(),
            Arc::new(PanickingFunction { when_called }) as Arc<dyn AzureFunction>,
        ));
    }
    let (addr, _, _) = start(Azure::functions(functions).app_root(dir.path())).await;
    for (name, message) in [
        ("PanicsWhenCalled", "call bug"),
        ("PanicsWhenPolled", "future bug"),
    ] {
        let mut raw = raw_invocation(name, r#"{"Data": {"in": 1}, "Metadata": {}}"#, "inv-own-1");
        raw.extend(raw_invocation(
            "QueueTrigger",
            &fixture("queue-trigger.json"),
            "inv-own-2",
        ));
        let answers = pipelined(addr, raw, 2).await;
        assert_eq!(answers.len(), 2, "{name}: both requests are answered");
        assert_eq!(answers[0].0, 500, "{name}");
        let error: Value = serde_json::from_slice(&answers[0].1).expect("the error document");
        assert_eq!(error["errorType"], "Panic", "{name}");
        assert!(
            error["errorMessage"]
                .as_str()
                .is_some_and(|m| m.contains(message)),
            "{name}: {error}"
        );
        assert_eq!(answers[1].0, 200, "{name}: the next request is served");
        let answer: Value = serde_json::from_slice(&answers[1].1).expect("an envelope answer");
        assert_eq!(
            answer["ReturnValue"]["invocation_id"], "inv-own-2",
            "{name}"
        );
    }
}

/// A body whose `Content-Length` passed the adapter's limit (128 MiB) was
/// read up to the limit before being refused: the host waited while up to
/// 128 MiB were read, and a body that never came (here) was never
/// answered. The local server refuses such a body on the header; so does
/// the adapter now, with the same `413` error answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_a_declared_length_past_the_limit_is_refused_on_the_header() {
    let dir = app("too-large", r#"{"version": "2.0"}"#, &bindings());
    let (addr, _, _) = start(Azure::functions(all_functions()).app_root(dir.path())).await;
    // The head alone: the body never comes.
    let head = format!(
        "POST /Hello HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n\
         x-azure-functions-invocationid: inv-413\r\ncontent-length: {}\r\n\r\n",
        200 * 1024 * 1024
    );
    let answers = pipelined(addr, head.into_bytes(), 1).await;
    assert_eq!(answers.len(), 1, "answered without the body");
    assert_eq!(answers[0].0, 413);
    let error: Value = serde_json::from_slice(&answers[0].1).expect("the error answer");
    assert_eq!(error["errorType"], "PayloadTooLarge", "{error}");
    assert_eq!(error["requestId"], "inv-413", "{error}");
    assert!(
        error["errorMessage"]
            .as_str()
            .is_some_and(|m| m.contains("134217728 bytes")),
        "the limit: {error}"
    );
}

/// Error answers, and the `WARN` line each failure writes with the same
/// message, echoed the host's input whole: a 100 KB function name in the
/// `404`, every binding name of an envelope in its `400`. They show a
/// bounded prefix of each and its length.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_error_answers_show_a_bounded_prefix_of_the_input() {
    let dir = app("bounded", r#"{"version": "2.0"}"#, &bindings());
    let (addr, _, _) = start(Azure::functions(all_functions()).app_root(dir.path())).await;
    let name = "n".repeat(60 * 1024);
    let (status, answer) = invoke(addr, &name, r#"{"Data": {}, "Metadata": {}}"#, "inv-b-1").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        answer["errorMessage"],
        format!(
            "no function named \"{}\"… (61440 bytes); this app has: Hello, QueueTrigger, Failing, Blobs, Nightly, Images, Orders, Panics",
            "n".repeat(200)
        )
    );

    let data: serde_json::Map<String, Value> = (0..1_000)
        .map(|n| (format!("{n:04}{}", "b".repeat(10 * 1024)), json!(n)))
        .collect();
    let envelope = json!({"Data": data, "Metadata": {}}).to_string();
    let (status, answer) = invoke(addr, "Orders", &envelope, "inv-b-2").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let message = answer["errorMessage"].as_str().expect("a message");
    let listed = format!("\"0000{}\"… (10244 bytes)", "b".repeat(196));
    assert!(
        message.starts_with(&format!(
            "the invocation's Data holds several bindings ({listed}, "
        )),
        "{}",
        &message[..message.len().min(400)]
    );
    assert!(
        message.ends_with(", and 992 more) and no function.json names the trigger"),
        "{}",
        &message[message.len().saturating_sub(400)..]
    );
    assert!(message.len() < 4096, "{} bytes", message.len());
}
