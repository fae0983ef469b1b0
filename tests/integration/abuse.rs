//! The local server under abuse, over real sockets on 127.0.0.1: slow
//! clients, oversized and malformed requests, pipelining, disconnects, all
//! interleaved with valid requests that must each be answered correctly.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyfn::{handler_fn, Context, Request, RequestExt};
use anyfn_server::Server;
use anyfn_test::TestServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{poll_until, within};

fn hello() -> impl anyfn::Handler<Event = Request, Output = anyfn::Response, Error = anyfn::Error> {
    handler_fn(|request: Request, _context: Context| async move {
        let name = request.query().get("name").unwrap_or("world").to_owned();
        Ok(anyfn::response::text(format!("Hello, {name}!")))
    })
}

async fn strict_server() -> TestServer {
    TestServer::start_with(
        Server::new(hello())
            .header_read_timeout(Duration::from_millis(300))
            .body_read_timeout(Duration::from_millis(300))
            .body_limit(1024),
    )
    .await
    .expect("server starts")
}

/// Writes `bytes` and reads until the server closes the connection (bounded).
async fn exchange(server: &TestServer, bytes: &[u8]) -> String {
    let mut stream = TcpStream::connect(server.addr()).await.expect("connects");
    stream.write_all(bytes).await.expect("writes");
    read_to_close(&mut stream).await
}

async fn read_to_close(stream: &mut TcpStream) -> String {
    let mut out = Vec::new();
    within(
        Duration::from_secs(10),
        "the server to close the connection",
        async {
            let mut buf = [0u8; 8192];
            loop {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => out.extend_from_slice(&buf[..n]),
                }
            }
        },
    )
    .await;
    String::from_utf8_lossy(&out).into_owned()
}

async fn assert_valid_request_served(server: &TestServer, n: usize) {
    let response = server
        .client()
        .get(&format!("/?name=v{n}"))
        .await
        .expect("valid request answered");
    response.assert_status(200);
    assert_eq!(response.text(), format!("Hello, v{n}!"));
}

#[tokio::test]
async fn slow_headers_are_dropped_after_the_header_timeout() {
    let server = strict_server().await;
    let mut slow = TcpStream::connect(server.addr()).await.expect("connects");
    slow.write_all(b"GET / HTTP/1.1\r\nhost: x\r\n")
        .await
        .expect("writes");
    // The slow client holds no worker: valid requests go through meanwhile.
    assert_valid_request_served(&server, 1).await;
    let answer = read_to_close(&mut slow).await;
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer:?}"
    );
    assert_valid_request_served(&server, 2).await;
    server.shutdown().await;
}

#[tokio::test]
async fn a_slow_body_gets_408_and_the_connection_closes() {
    let server = strict_server().await;
    let mut slow = TcpStream::connect(server.addr()).await.expect("connects");
    slow.write_all(b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n0123456789")
        .await
        .expect("writes");
    assert_valid_request_served(&server, 1).await;
    let answer = read_to_close(&mut slow).await;
    assert!(
        answer.starts_with("HTTP/1.1 408 Request Timeout\r\n"),
        "{answer:?}"
    );
    assert!(answer.contains("RequestTimeout"), "{answer:?}");
    server.shutdown().await;
}

#[tokio::test]
async fn oversized_headers_get_431() {
    let server = strict_server().await;
    let big = format!(
        "GET / HTTP/1.1\r\nhost: x\r\nx-big: {}\r\n\r\n",
        "a".repeat(70 * 1024)
    );
    let answer = exchange(&server, big.as_bytes()).await;
    assert!(
        answer.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"),
        "{answer:?}"
    );

    let mut many = String::from("GET / HTTP/1.1\r\nhost: x\r\n");
    for n in 0..150 {
        many.push_str(&format!("x-h{n}: v\r\n"));
    }
    many.push_str("\r\n");
    let answer = exchange(&server, many.as_bytes()).await;
    assert!(
        answer.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"),
        "{answer:?}"
    );
    assert_valid_request_served(&server, 1).await;
    server.shutdown().await;
}

#[tokio::test]
async fn malformed_request_lines_and_headers_get_400() {
    let server = strict_server().await;
    for garbage in [
        &b"GARBAGE\r\n\r\n"[..],
        b"GET / HTTP/9.9\r\nhost: x\r\n\r\n",
        b"GET / HTTP/1.1\r\nhost x\r\n\r\n",
        b"GET / HTTP/1.1\r\nho st: x\r\n\r\n",
        b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length: abc\r\n\r\n",
        b"POST / HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n",
        b"\x00\x01\x02\x03\r\n\r\n",
    ] {
        let answer = exchange(&server, garbage).await;
        assert!(
            answer.is_empty()
                || answer.starts_with("HTTP/1.1 400 Bad Request\r\n")
                || answer.starts_with("HTTP/1.1 505"),
            "{:?} → {answer:?}",
            String::from_utf8_lossy(garbage)
        );
        assert!(!answer.contains(" 200 "), "{answer:?}");
    }
    assert_valid_request_served(&server, 1).await;
    server.shutdown().await;
}

#[tokio::test]
async fn pipelined_requests_are_answered_in_order() {
    let server = strict_server().await;
    let pipelined = b"GET /?name=one HTTP/1.1\r\nhost: x\r\n\r\n\
GET /?name=two HTTP/1.1\r\nhost: x\r\n\r\n\
POST /?name=three HTTP/1.1\r\nhost: x\r\ncontent-length: 3\r\n\r\nabc\
GET /?name=four HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n";
    let answer = exchange(&server, pipelined).await;
    assert_eq!(answer.matches("HTTP/1.1 200 OK").count(), 4, "{answer}");
    let positions: Vec<usize> = [
        "Hello, one!",
        "Hello, two!",
        "Hello, three!",
        "Hello, four!",
    ]
    .iter()
    .map(|body| {
        answer
            .find(body)
            .unwrap_or_else(|| panic!("{body} missing: {answer}"))
    })
    .collect();
    assert!(
        positions.windows(2).all(|pair| pair[0] < pair[1]),
        "{answer}"
    );
    server.shutdown().await;
}

/// Counts handlers running; a guard decrements on drop, whether the handler
/// finished or was cancelled.
struct Running(Arc<AtomicUsize>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn a_client_that_disconnects_mid_request_leaks_nothing() {
    let running = Arc::new(AtomicUsize::new(0));
    let handler = {
        let running = Arc::clone(&running);
        handler_fn(move |_request: Request, _context: Context| {
            running.fetch_add(1, Ordering::SeqCst);
            let guard = Running(Arc::clone(&running));
            async move {
                let _guard = guard;
                tokio::time::sleep(Duration::from_secs(60)).await;
                Ok::<_, anyfn::Error>(anyfn::response::text("late"))
            }
        })
    };
    let server = TestServer::start_with(Server::new(handler).timeout(Duration::from_secs(2)))
        .await
        .expect("server starts");
    for _ in 0..5 {
        let mut stream = TcpStream::connect(server.addr()).await.expect("connects");
        stream
            .write_all(b"GET / HTTP/1.1\r\nhost: x\r\n\r\n")
            .await
            .expect("writes");
        let running = Arc::clone(&running);
        poll_until("the handler to start", Duration::from_secs(5), || {
            let running = Arc::clone(&running);
            async move { (running.load(Ordering::SeqCst) > 0).then_some(()) }
        })
        .await;
        drop(stream);
    }
    // Cancelled when hyper sees the disconnect, or at the latest stopped at
    // the 2 s deadline: either way every handler is gone.
    let gauge = Arc::clone(&running);
    poll_until(
        "every handler to be dropped",
        Duration::from_secs(10),
        || {
            let gauge = Arc::clone(&gauge);
            async move { (gauge.load(Ordering::SeqCst) == 0).then_some(()) }
        },
    )
    .await;
    server.shutdown().await;
}

#[tokio::test]
async fn abuse_interleaved_with_valid_requests_never_loses_a_valid_one() {
    let server = strict_server().await;
    let addr = server.addr();
    let abusers: Vec<_> = (0..40)
        .map(|n| {
            tokio::spawn(async move {
                let Ok(mut stream) = TcpStream::connect(addr).await else {
                    return;
                };
                let payload: Vec<u8> = match n % 5 {
                    0 => b"GET / HTTP/1.1\r\nhost: x\r\n".to_vec(),
                    1 => b"GARBAGE\r\n\r\n".to_vec(),
                    2 => format!(
                        "GET / HTTP/1.1\r\nhost: x\r\nx-big: {}\r\n\r\n",
                        "b".repeat(80 * 1024)
                    )
                    .into_bytes(),
                    3 => {
                        let mut chunked =
                            b"POST / HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n"
                                .to_vec();
                        for _ in 0..4 {
                            chunked.extend_from_slice(
                                format!("400\r\n{}\r\n", "c".repeat(1024)).as_bytes(),
                            );
                        }
                        chunked.extend_from_slice(b"0\r\n\r\n");
                        chunked
                    }
                    _ => b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 500\r\n\r\nshort".to_vec(),
                };
                let _ = stream.write_all(&payload).await;
                if n % 2 == 0 {
                    drop(stream);
                } else {
                    let mut sink = Vec::new();
                    let _ =
                        tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut sink))
                            .await;
                }
            })
        })
        .collect();
    let valid: Vec<_> = (0..60)
        .map(|n| {
            let client = server.client();
            tokio::spawn(async move {
                let response = client
                    .get(&format!("/?name=v{n}"))
                    .await
                    .expect("valid request answered");
                response.assert_status(200);
                assert_eq!(response.text(), format!("Hello, v{n}!"));
            })
        })
        .collect();
    for task in valid {
        within(Duration::from_secs(20), "a valid request", task)
            .await
            .expect("valid request ok");
    }
    for task in abusers {
        within(Duration::from_secs(20), "an abuser", task)
            .await
            .expect("abuser task ends");
    }
    server.shutdown().await;
}

/// Error answers echoed the whole offending value: a 1 MB legacy event
/// type, or a 1 MB string where a number belongs, came back in a 1 MB
/// answer (and a 1 MB WARN line). Now a bounded prefix and the length.
#[tokio::test]
async fn regression_an_offending_value_is_quoted_bounded_in_the_error_answer() {
    let huge = "x".repeat(1 << 20);
    let events = TestServer::start(handler_fn(
        |_event: anyfn::event::CloudEvent, _context: Context| async { Ok::<_, anyfn::Error>(()) },
    ))
    .await
    .expect("server starts");
    let legacy = serde_json::json!({
        "context": {"eventId": "1", "eventType": huge, "timestamp": "2024-01-01T00:00:00Z",
                    "resource": "projects/p/topics/t"},
        "data": {}
    });
    let counts = TestServer::start(handler_fn(
        |anyfn::Json(n): anyfn::Json<u64>, _context: Context| async move {
            Ok::<_, anyfn::Error>(anyfn::Json(n))
        },
    ))
    .await
    .expect("server starts");
    for (server, body) in [(&events, legacy), (&counts, serde_json::json!(huge))] {
        let answer = server
            .client()
            .send(anyfn_test::TestRequest::post("/").json(&body))
            .await
            .expect("an answer");
        answer.assert_status(400);
        assert!(
            answer.body().len() < 1024,
            "a {} byte error answer",
            answer.body().len()
        );
        let error: serde_json::Value = answer.json();
        let message = error["errorMessage"].as_str().unwrap_or_default();
        assert!(message.contains("xxxxxxxx"), "{message}");
        assert!(
            message.contains("(1048576 bytes)") || message.contains("bytes left out"),
            "{message}"
        );
    }
    events.shutdown().await;
    counts.shutdown().await;
}
