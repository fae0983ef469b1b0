//! Streamed responses: the first chunk reaches the client before the
//! producer makes the second, a client that goes away stops the producer,
//! and a stream cut by an error or the deadline ends so the client can tell,
//! on the server, in the harness and on Lambda (through the emulator).

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyfn::stream::{self, sse, StreamResponse};
use anyfn::{handler_fn, Context, Request};
use anyfn_server::{HttpAnswer, Server};
use anyfn_test::{Harness, TestRequest, TestServer};
use serde_json::{json, Value};
use tokio::sync::oneshot;

use crate::example_code::stream as stream_example;
use crate::lambda::on_lambda_with;
use crate::support::within;

/// A raw HTTP/1.1 client that reads a chunked response as it arrives.
struct ChunkedClient {
    stream: TcpStream,
    buffered: Vec<u8>,
}

impl ChunkedClient {
    /// Sends `GET path` and reads the response's head.
    fn get(addr: std::net::SocketAddr, path: &str) -> (Self, String) {
        let mut stream = TcpStream::connect(addr).expect("connects");
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .expect("timeout");
        write!(stream, "GET {path} HTTP/1.1\r\nhost: test\r\n\r\n").expect("request sent");
        let mut client = Self {
            stream,
            buffered: Vec::new(),
        };
        let head = client.read_until(b"\r\n\r\n").expect("a response head");
        (client, String::from_utf8_lossy(&head).into_owned())
    }

    /// Reads until `marker`, returning what came before it (and it); `None`
    /// when the connection closed first.
    ///
    /// # Panics
    ///
    /// When nothing arrives for the read timeout: a stream that goes on (or
    /// hangs) is not a closed one.
    fn read_until(&mut self, marker: &[u8]) -> Option<Vec<u8>> {
        loop {
            if let Some(at) = self
                .buffered
                .windows(marker.len())
                .position(|window| window == marker)
            {
                let rest = self.buffered.split_off(at + marker.len());
                return Some(std::mem::replace(&mut self.buffered, rest));
            }
            let mut buffer = [0u8; 4096];
            match self.stream.read(&mut buffer) {
                Ok(n) if n > 0 => self.buffered.extend_from_slice(&buffer[..n]),
                Err(err)
                    if matches!(
                        err.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    panic!(
                        "nothing came for the read timeout: the stream neither went on nor closed"
                    )
                }
                // Closed, or reset.
                Ok(_) | Err(_) => return None,
            }
        }
    }

    /// The next chunk of the body; `None` when the connection closed
    /// without the final chunk; `Some(empty)` for the final chunk.
    fn next_chunk(&mut self) -> Option<Vec<u8>> {
        let size_line = self.read_until(b"\r\n")?;
        let size_text = String::from_utf8_lossy(&size_line[..size_line.len() - 2]).into_owned();
        let size = usize::from_str_radix(size_text.trim(), 16).expect("a chunk size");
        let data = self.read_until(b"\r\n")?;
        assert_eq!(data.len(), size + 2, "a chunk of {size} bytes");
        Some(data[..size].to_vec())
    }

    /// Every chunk to the end: the body, and whether the final chunk came.
    fn rest(&mut self) -> (Vec<u8>, bool) {
        let mut body = Vec::new();
        loop {
            match self.next_chunk() {
                Some(chunk) if chunk.is_empty() => return (body, true),
                Some(chunk) => body.extend_from_slice(&chunk),
                None => return (body, false),
            }
        }
    }
}

/// A handler streaming `one`, then waiting for the test's go-ahead, then
/// `two`; the go-ahead receiver is taken by the first request.
fn step_by_step(
    go: oneshot::Receiver<()>,
) -> impl anyfn::Handler<Event = Request, Output = StreamResponse, Error = anyfn::Error> {
    let go = Arc::new(Mutex::new(Some(go)));
    handler_fn(move |_request: Request, _context: Context| {
        let go = go.lock().ok().and_then(|mut go| go.take());
        async move {
            let (mut sender, body) = stream::channel(1);
            tokio::spawn(async move {
                if sender.send("one").await.is_err() {
                    return;
                }
                if let Some(go) = go {
                    let _ = go.await;
                }
                let _ = sender.send("two").await;
            });
            Ok::<_, anyfn::Error>(stream::response(body))
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_chunk_reaches_the_client_before_the_producer_makes_the_second() {
    let (go, wait) = oneshot::channel();
    let server = TestServer::start(step_by_step(wait)).await.expect("server");
    let addr = server.addr();
    let client = tokio::task::spawn_blocking(move || {
        let (mut client, head) = ChunkedClient::get(addr, "/");
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        assert!(head.contains("transfer-encoding: chunked"), "{head}");
        let first = client.next_chunk().expect("the first chunk");
        // Only now may the producer make the second: it waits for this.
        let _ = go.send(());
        let (rest, complete) = client.rest();
        (first, rest, complete)
    });
    let (first, rest, complete) = within(Duration::from_secs(20), "the stream", client)
        .await
        .expect("client");
    assert_eq!(first, b"one");
    assert_eq!(rest, b"two");
    assert!(complete, "the stream ended with its final chunk");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_goes_away_stops_the_producer() {
    let (stopped, producer_stopped) = oneshot::channel::<usize>();
    let stopped = Arc::new(Mutex::new(Some(stopped)));
    let handler = handler_fn(move |_request: Request, _context: Context| {
        let stopped = stopped.lock().ok().and_then(|mut stopped| stopped.take());
        async move {
            let (mut sender, body) = stream::channel(1);
            tokio::spawn(async move {
                let mut sent = 0;
                while sender.send(format!("chunk {sent}\n")).await.is_ok() {
                    sent += 1;
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                if let Some(stopped) = stopped {
                    let _ = stopped.send(sent);
                }
            });
            Ok::<_, anyfn::Error>(stream::response(body))
        }
    });
    let server = TestServer::start_with(Server::new(handler).timeout(Duration::from_secs(60)))
        .await
        .expect("server");
    let addr = server.addr();
    tokio::task::spawn_blocking(move || {
        let (mut client, _head) = ChunkedClient::get(addr, "/");
        assert_eq!(client.next_chunk().expect("a first chunk"), b"chunk 0\n");
        // The client goes away mid-stream.
    })
    .await
    .expect("client");
    let sent = within(
        Duration::from_secs(20),
        "the producer to stop",
        producer_stopped,
    )
    .await
    .expect("the producer reports");
    assert!(sent >= 1, "{sent}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deadline_cuts_a_stream_and_the_connection_closes_without_the_final_chunk() {
    let handler = handler_fn(|_request: Request, _context: Context| async {
        let (mut sender, body) = stream::channel(1);
        tokio::spawn(async move {
            let _ = sender.send("started").await;
            // Never done: the deadline cuts it; `send` fails from then on.
            while !sender.is_closed() {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        });
        Ok::<_, anyfn::Error>(stream::response(body))
    });
    let timeout = Duration::from_millis(300);
    let server = TestServer::start_with(Server::new(handler).timeout(timeout))
        .await
        .expect("server");
    let addr = server.addr();
    let (body, complete, cut_after) = tokio::task::spawn_blocking(move || {
        let sent = std::time::Instant::now();
        let (mut client, head) = ChunkedClient::get(addr, "/");
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        let (body, complete) = client.rest();
        (body, complete, sent.elapsed())
    })
    .await
    .expect("client");
    assert_eq!(body, b"started");
    assert!(
        !complete,
        "cut: the connection closed without the final chunk"
    );
    assert_cut_at_the_deadline(cut_after, timeout);
    server.shutdown().await;
}

/// Whether a stream was cut (the connection closed) at its deadline: not
/// before it, and not long after.
fn assert_cut_at_the_deadline(cut_after: Duration, timeout: Duration) {
    assert!(
        cut_after >= timeout && cut_after < timeout + Duration::from_secs(1),
        "cut {cut_after:?} after the request, for a deadline of {timeout:?}"
    );
}

/// An endless body that is never `Pending` (`tokio_stream::iter` yields
/// every 32 items, which let the deadline's sleep be polled).
struct AlwaysReady;

impl futures_core::Stream for AlwaysReady {
    type Item = Result<bytes::Bytes, anyfn::Error>;

    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        static CHUNK: [u8; 16 * 1024] = [b'x'; 16 * 1024];
        std::task::Poll::Ready(Some(Ok(bytes::Bytes::from_static(&CHUNK))))
    }
}

/// A producer that always has a chunk ready was streamed for as long as the
/// client read (7.9 GB in 3 s past a 300 ms deadline): the guard read the
/// clock only while the body waited.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_a_producer_always_ready_is_cut_at_the_deadline_on_the_server() {
    let handler = handler_fn(|_request: Request, _context: Context| async {
        Ok::<_, anyfn::Error>(stream::response(stream::BodyStream::new(AlwaysReady)))
    });
    let timeout = Duration::from_millis(300);
    let server = TestServer::start_with(Server::new(handler).timeout(timeout))
        .await
        .expect("server");
    let addr = server.addr();
    let (read, complete, cut_after) = tokio::task::spawn_blocking(move || {
        let sent = std::time::Instant::now();
        let (mut client, head) = ChunkedClient::get(addr, "/");
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        let mut read = 0usize;
        let complete = loop {
            match client.next_chunk() {
                Some(chunk) if chunk.is_empty() => break true,
                Some(chunk) => read += chunk.len(),
                None => break false,
            }
            assert!(
                sent.elapsed() < Duration::from_secs(10),
                "still streaming 10 s past a 300 ms deadline ({read} bytes)"
            );
        };
        (read, complete, sent.elapsed())
    })
    .await
    .expect("client");
    assert!(read > 0, "some chunks before the cut");
    assert!(!complete, "cut: no final chunk");
    assert_cut_at_the_deadline(cut_after, timeout);
    server.shutdown().await;
}

/// An event stream cut by an error sends an `error` event, then ends without
/// the final chunk: the `stream` example with `?fail=2`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_stream_cut_by_an_error_sends_an_error_event_first() {
    let server = TestServer::start(handler_fn(stream_example::ticks))
        .await
        .expect("server");
    let addr = server.addr();
    let (head, body, complete) = tokio::task::spawn_blocking(move || {
        let (mut client, head) = ChunkedClient::get(addr, "/?fail=2&every_ms=1");
        let (body, complete) = client.rest();
        (head, body, complete)
    })
    .await
    .expect("client");
    assert!(head.contains("content-type: text/event-stream"), "{head}");
    let text = String::from_utf8(body).expect("text");
    let (events, error) = text.split_once("event: error\n").expect("an error event");
    assert_eq!(
        events,
        "id: 1\nevent: tick\ndata: tick 1\n\nid: 2\nevent: tick\ndata: tick 2\n\n"
    );
    let data: Value = serde_json::from_str(
        error
            .strip_prefix("data: ")
            .and_then(|data| data.strip_suffix("\n\n"))
            .expect("one data line"),
    )
    .expect("JSON");
    assert_eq!(data["errorType"], "Unavailable");
    assert_eq!(
        data["errorMessage"], "Service Unavailable",
        "5xx details hidden"
    );
    assert!(!complete, "no final chunk after the error event");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_event_stream_gets_keep_alive_comments() {
    let (go, wait) = oneshot::channel::<()>();
    let wait = Arc::new(Mutex::new(Some(wait)));
    let handler = handler_fn(move |_request: Request, _context: Context| {
        let wait = wait.lock().ok().and_then(|mut wait| wait.take());
        async move {
            let (mut sender, body) = stream::channel(1);
            tokio::spawn(async move {
                if let Some(wait) = wait {
                    let _ = wait.await;
                }
                let _ = sender.send(sse::SseEvent::new("late").to_bytes()).await;
            });
            let mut response = sse::from_body(body);
            response
                .extensions_mut()
                .insert(sse::KeepAlive(Duration::from_millis(50)));
            Ok::<_, anyfn::Error>(response)
        }
    });
    let server = TestServer::start(handler).await.expect("server");
    let addr = server.addr();
    let (first, rest) = tokio::task::spawn_blocking(move || {
        let (mut client, _head) = ChunkedClient::get(addr, "/");
        let first = client.next_chunk().expect("a chunk while idle");
        let _ = go.send(());
        (first, client.rest())
    })
    .await
    .expect("client");
    assert_eq!(first, sse::KEEP_ALIVE_COMMENT);
    let (rest, complete) = rest;
    assert!(String::from_utf8_lossy(&rest).ends_with("data: late\n\n"));
    assert!(complete);
    server.shutdown().await;
}

#[tokio::test]
async fn the_harness_reads_a_stream_chunk_by_chunk_and_cuts_it_at_the_deadline() {
    let harness =
        Harness::new(handler_fn(stream_example::ticks)).timeout(Duration::from_millis(250));
    let answer = harness
        .invoke(TestRequest::get("/?every_ms=100").build())
        .await
        .into_answer();
    let HttpAnswer::Streamed(response) = answer else {
        panic!("a streamed answer");
    };
    let mut body = response.into_body();
    let first = body.next_chunk().await.expect("a chunk").expect("ok");
    assert_eq!(first, "id: 1\nevent: tick\ndata: tick 1\n\n");
    let mut events = 1;
    let error_event = loop {
        let chunk = body.next_chunk().await.expect("more").expect("ok");
        if chunk.starts_with(b"event: error") {
            break chunk;
        }
        events += 1;
    };
    assert!(
        (2..=4).contains(&events),
        "cut at 250 ms after {events} events"
    );
    assert!(String::from_utf8_lossy(&error_event).contains(r#""errorType":"Timeout""#));
    assert!(body
        .next_chunk()
        .await
        .expect("the cut")
        .unwrap_err()
        .is_timeout());
    assert!(body.next_chunk().await.is_none());

    let whole = harness
        .invoke(TestRequest::get("/?count=3&every_ms=1").build())
        .await
        .into_http_response()
        .await;
    assert_eq!(
        whole.body().text().expect("text"),
        "id: 1\nevent: tick\ndata: tick 1\n\nid: 2\nevent: tick\ndata: tick 2\n\nid: 3\nevent: tick\ndata: tick 3\n\n"
    );
    assert!(whole.extensions().get::<anyfn_test::StreamCut>().is_none());
}

/// A Function URL event for `GET path?query`.
fn function_url_get(path: &str, query: &str) -> String {
    json!({"version": "2.0", "rawPath": path, "rawQueryString": query,
           "requestContext": {"http": {"method": "GET", "path": path}, "stage": "$default",
                              "domainName": "abc.lambda-url.us-east-1.on.aws"}})
    .to_string()
}

#[tokio::test]
async fn on_lambda_a_function_url_streams_chunk_by_chunk_with_its_prelude() {
    let (emulator, _function) = on_lambda_with("stream", |emulator| {
        emulator.env("ANYFN_RESPONSE_STREAMING", "on")
    })
    .await;
    let mut answer = emulator
        .invoke_streaming(function_url_get("/", "count=3&every_ms=50"))
        .await
        .expect("a streamed answer");
    let prelude = answer.prelude().await.cloned().expect("the HTTP prelude");
    assert_eq!(prelude["statusCode"], 200);
    assert_eq!(prelude["headers"]["content-type"], "text/event-stream");
    let first = answer.next_chunk().await.expect("the first event");
    assert_eq!(first, "id: 1\nevent: tick\ndata: tick 1\n\n");
    let rest = answer.rest().await;
    assert_eq!(
        rest,
        "id: 2\nevent: tick\ndata: tick 2\n\nid: 3\nevent: tick\ndata: tick 3\n\n"
    );
    assert_eq!(answer.complete(), Some(true));
}

/// Lambda's Runtime API cannot tell a function that the client went away
/// (see the failure table): the stream runs on to its end, and the next
/// invocation is not lost to it.
#[tokio::test]
async fn on_lambda_a_reader_that_goes_away_loses_no_later_invocation() {
    let (emulator, _function) = on_lambda_with("stream", |emulator| {
        emulator.env("ANYFN_RESPONSE_STREAMING", "on")
    })
    .await;
    let mut abandoned = emulator
        .invoke_streaming(function_url_get("/", "count=5&every_ms=20"))
        .await
        .expect("a streamed answer");
    let first = abandoned.next_chunk().await.expect("the first event");
    assert_eq!(first, "id: 1\nevent: tick\ndata: tick 1\n\n");
    drop(abandoned);

    let mut next = emulator
        .invoke_streaming(function_url_get("/", "count=2&every_ms=1"))
        .await
        .expect("the next invocation streams");
    assert_eq!(
        next.rest().await,
        "id: 1\nevent: tick\ndata: tick 1\n\nid: 2\nevent: tick\ndata: tick 2\n\n"
    );
    assert_eq!(next.complete(), Some(true));
}

/// anyfn-lambda posts its answers itself: each carries back the invocation
/// id `next` gave, as lambda_runtime's did, whether streamed, whole or an
/// error.
#[tokio::test]
async fn on_lambda_every_answer_carries_its_invocation_id() {
    let (emulator, _function) = on_lambda_with("stream", |emulator| {
        emulator.env("ANYFN_RESPONSE_STREAMING", "on")
    })
    .await;
    let mut streamed = emulator
        .invoke_streaming(function_url_get("/", "count=1"))
        .await
        .expect("a streamed answer");
    assert_eq!(
        streamed.rest().await,
        "id: 1\nevent: tick\ndata: tick 1\n\n"
    );
    assert_eq!(streamed.complete(), Some(true));
    let http_api = json!({"version": "2.0", "rawPath": "/", "rawQueryString": "count=1",
        "requestContext": {"http": {"method": "GET", "path": "/"}, "stage": "$default",
                           "domainName": "abc.execute-api.us-east-1.amazonaws.com"}});
    let whole = emulator.invoke(http_api.to_string()).await;
    assert!(
        matches!(whole, anyfn_test::LambdaOutcome::Response { .. }),
        "{whole:?}"
    );
    let failed = emulator.invoke("[1, 2, 3]").await;
    assert!(
        matches!(failed, anyfn_test::LambdaOutcome::Error { .. }),
        "{failed:?}"
    );
    assert_eq!(emulator.answers_without_invocation_id(), 0);
}

/// The deadline covers the whole stream on Lambda too: the function cuts it
/// (its deadline is Lambda's minus the margin), the client gets the `error`
/// event, Lambda the `Timeout` in trailers, and the log says why.
#[tokio::test]
async fn on_lambda_the_deadline_cuts_a_stream_with_an_error_event_and_trailers() {
    let (emulator, _function) = on_lambda_with("stream", |emulator| {
        emulator
            .env("ANYFN_RESPONSE_STREAMING", "on")
            .timeout(Duration::from_millis(1500))
    })
    .await;
    let mut answer = emulator
        .invoke_streaming(function_url_get("/", "count=1000&every_ms=20"))
        .await
        .expect("a streamed answer");
    let body = answer.rest().await;
    let text = String::from_utf8_lossy(&body);
    assert!(
        text.starts_with("id: 1\nevent: tick\ndata: tick 1\n\n"),
        "{text}"
    );
    assert!(text.contains("event: error\n"), "{text}");
    assert!(!text.contains("id: 1000\n"), "{text}");
    assert_eq!(answer.complete(), Some(false));
    let error = answer.error().expect("the cut is reported");
    assert_eq!(error.error_type, "Timeout", "{error:?}");
    assert_eq!(error.header_error_type.as_deref(), Some("Timeout"));
    let logged = emulator
        .output_line_containing("the response stream was cut short", Duration::from_secs(10))
        .await
        .expect("the cut is logged");
    assert!(
        logged.contains("deadline") || logged.contains("timed out"),
        "{logged}"
    );
}

#[tokio::test]
async fn on_lambda_a_stream_cut_by_an_error_sends_the_error_event_and_reports_the_error() {
    let (emulator, _function) = on_lambda_with("stream", |emulator| {
        emulator.env("ANYFN_RESPONSE_STREAMING", "on")
    })
    .await;
    let outcome = emulator
        .invoke(function_url_get("/", "fail=1&every_ms=1"))
        .await;
    let anyfn_test::LambdaOutcome::Streamed {
        body,
        error,
        complete,
        ..
    } = outcome
    else {
        panic!("a streamed outcome: {outcome:?}");
    };
    let text = String::from_utf8_lossy(&body);
    assert!(
        text.starts_with("id: 1\nevent: tick\ndata: tick 1\n\nevent: error\n"),
        "{text}"
    );
    assert!(!complete);
    // The error comes in the Runtime API's trailers, whole: they reach
    // Lambda, not the client. The client's `error` event hides a server
    // error's message.
    let error = error.expect("the error is reported");
    assert_eq!(
        error.header_error_type.as_deref(),
        Some(error.error_type.as_str()),
        "in trailers, not in the body: {error:?}"
    );
    assert_eq!(error.error_message, "the ticker failed after 1 events");
    assert!(!text.contains("the ticker failed"), "{text}");
    assert!(!text.contains("Lambda-Runtime-Function-Error"), "{text}");
    let logged = emulator
        .output_line_containing("the response stream was cut short", Duration::from_secs(10))
        .await
        .expect("the cut is logged");
    assert!(logged.contains("its producer failed"), "{logged}");
    assert!(
        emulator
            .output()
            .iter()
            .any(|line| line.contains("invocation failed: the ticker failed after 1 events")),
        "the log has the whole error"
    );
}

#[tokio::test]
async fn on_lambda_a_source_that_cannot_stream_gets_the_stream_gathered() {
    let (emulator, _function) = on_lambda_with("stream", |emulator| {
        emulator.env("ANYFN_RESPONSE_STREAMING", "on")
    })
    .await;
    let http_api = json!({"version": "2.0", "rawPath": "/", "rawQueryString": "count=2&every_ms=1",
        "requestContext": {"http": {"method": "GET", "path": "/"}, "stage": "$default",
                           "domainName": "abc.execute-api.us-east-1.amazonaws.com"}})
    .to_string();
    let response = emulator.invoke(http_api).await.expect_json();
    assert_eq!(response["statusCode"], 200);
    assert_eq!(
        response["body"],
        "id: 1\nevent: tick\ndata: tick 1\n\nid: 2\nevent: tick\ndata: tick 2\n\n"
    );
}

/// The server's log says why a stream was cut: the `stream` example as a
/// process, its stderr read.
#[test]
fn the_server_logs_why_a_stream_was_cut() {
    let server = crate::support::ExampleServer::start("stream");
    let addr = server.addr;
    let (mut client, _head) = ChunkedClient::get(addr, "/?fail=1&every_ms=1");
    let (_body, complete) = client.rest();
    assert!(!complete);
    let cut = server.line_containing("the response stream was cut short", Duration::from_secs(10));
    assert!(cut.contains("its producer failed"), "{cut}");
}

/// On Lambda the first event reaches the caller while the producer still
/// waits to make the second (a minute away): no timing assertion, the second
/// cannot exist yet when the first is read.
#[tokio::test]
async fn on_lambda_the_first_chunk_arrives_before_the_second_is_made() {
    let (emulator, _function) = on_lambda_with("stream", |emulator| {
        emulator
            .env("ANYFN_RESPONSE_STREAMING", "on")
            .timeout(Duration::from_secs(30))
    })
    .await;
    let mut answer = emulator
        .invoke_streaming(function_url_get("/", "count=2&every_ms=60000"))
        .await
        .expect("a streamed answer");
    let first = within(
        Duration::from_secs(20),
        "the first event",
        answer.next_chunk(),
    )
    .await
    .expect("the first event");
    assert_eq!(first, "id: 1\nevent: tick\ndata: tick 1\n\n");
    assert_eq!(answer.complete(), None, "the stream goes on");
}

/// A function whose answers may stream says at start-up, while response
/// streaming is off, that a Function URL gets them gathered (a binary
/// body base64-encoded) and how to stream them: before, nothing in the log
/// said so.
#[tokio::test]
async fn regression_on_lambda_streaming_off_is_said_at_start_up() {
    let (emulator, _function) = crate::lambda::on_lambda_with("stream", |emulator| emulator).await;
    let line = emulator
        .output_line_containing("response streaming is off", Duration::from_secs(20))
        .await
        .expect("the start-up line");
    assert!(line.contains("ANYFN_RESPONSE_STREAMING=on"), "{line}");
    assert!(line.contains("RESPONSE_STREAM"), "{line}");
    assert!(line.contains("base64"), "{line}");
    // And the gathered answer of a Function URL is what the line says.
    let outcome = emulator
        .invoke(function_url_get("/", "count=2&every_ms=1"))
        .await;
    let payload: serde_json::Value =
        serde_json::from_slice(&outcome.expect_response()).expect("a JSON answer");
    assert_eq!(payload["statusCode"], 200);
}
