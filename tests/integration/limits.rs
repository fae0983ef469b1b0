//! Bodies over the limit get 413; bodies that are not the JSON expected get 400.

use std::time::Duration;

use anyfn::{handler_fn, Context, Json, Request};
use anyfn_server::Server;
use anyfn_test::{TestRequest, TestServer};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{send_raw, within};

fn body_length(
) -> impl anyfn::Handler<Event = Request, Output = anyfn::Response, Error = anyfn::Error> {
    handler_fn(|request: Request, _context: Context| async move {
        Ok(anyfn::response::text(request.body().len().to_string()))
    })
}

#[tokio::test]
async fn body_over_the_default_limit_gets_413_and_the_limit_itself_passes() {
    let server = TestServer::start(body_length())
        .await
        .expect("server starts");
    let client = server.client();
    let limit = anyfn_server::DEFAULT_BODY_LIMIT;
    assert_eq!(limit, 6 * 1024 * 1024);

    let at_limit = client
        .send(TestRequest::post("/").body(vec![b'a'; limit]))
        .await
        .expect("response");
    at_limit.assert_status(200);
    assert_eq!(at_limit.text(), limit.to_string());

    let over = client
        .send(TestRequest::post("/").body(vec![b'a'; limit + 1]))
        .await
        .expect("response");
    over.assert_status(413);
    let error: Value = over.json();
    assert_eq!(error["errorType"], "PayloadTooLarge");
    assert_eq!(
        error["errorMessage"],
        "the event is larger than the limit of 6291456 bytes"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn chunked_body_over_the_limit_gets_413() {
    let server = TestServer::start_with(Server::new(body_length()).body_limit(1000))
        .await
        .expect("server starts");
    let mut stream = TcpStream::connect(server.addr()).await.expect("connects");
    let mut request =
        b"POST / HTTP/1.1\r\nhost: test\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..3 {
        request.extend_from_slice(format!("{:x}\r\n{}\r\n", 600, "b".repeat(600)).as_bytes());
    }
    request.extend_from_slice(b"0\r\n\r\n");
    stream.write_all(&request).await.expect("sends");

    let mut response = Vec::new();
    within(Duration::from_secs(10), "reading the 413", async {
        let mut buf = [0u8; 4096];
        while !String::from_utf8_lossy(&response).contains("PayloadTooLarge") {
            let n = stream.read(&mut buf).await.expect("reads");
            assert!(
                n > 0,
                "connection closed before the 413: {:?}",
                String::from_utf8_lossy(&response)
            );
            response.extend_from_slice(&buf[..n]);
        }
    })
    .await;
    let text = String::from_utf8_lossy(&response);
    assert!(
        text.starts_with("HTTP/1.1 413 Payload Too Large\r\n"),
        "{text}"
    );
    assert!(
        text.contains("the event is larger than the limit of 1000 bytes"),
        "{text}"
    );

    // The server goes on.
    let ok = server
        .client()
        .send(TestRequest::post("/").body("small"))
        .await
        .expect("response");
    assert_eq!(ok.text(), "5");
    server.shutdown().await;
}

#[tokio::test]
async fn declared_length_over_the_limit_is_refused_before_the_body_is_sent() {
    let server = TestServer::start_with(Server::new(body_length()).body_limit(1000))
        .await
        .expect("server starts");
    let response = send_raw(
        server.addr(),
        b"POST / HTTP/1.1\r\nhost: test\r\ncontent-length: 1000000000\r\nexpect: 100-continue\r\n\r\n",
    )
    .await;
    assert!(
        response.starts_with("HTTP/1.1 413 Payload Too Large\r\n"),
        "{response}"
    );
    assert!(!response.contains("100 Continue"), "{response}");
    server.shutdown().await;
}

#[tokio::test]
async fn bad_json_gets_400_saying_what_was_wrong() {
    #[derive(serde::Deserialize)]
    struct Person {
        name: String,
    }
    let greet = handler_fn(|Json(person): Json<Person>, _context: Context| async move {
        Ok::<_, anyfn::Error>(Json(person.name))
    });
    let server = TestServer::start(greet).await.expect("server starts");
    let client = server.client();

    let cases = [
        ("{\"name\": ", "the body is not valid JSON for this event: EOF while parsing a value at line 1 column 9"),
        ("{\"name\": 42}", "the body is not valid JSON for this event: invalid type: integer `42`, expected a string at line 1 column 11"),
        ("{}", "the body is not valid JSON for this event: missing field `name` at line 1 column 2"),
        ("", "the body is empty; expected a JSON document"),
    ];
    for (body, message) in cases {
        let response = client
            .send(
                TestRequest::post("/")
                    .header("content-type", "application/json")
                    .body(body),
            )
            .await
            .expect("response");
        response.assert_status(400);
        let error: Value = response.json();
        assert_eq!(error["errorType"], "BadRequest", "body {body:?}");
        assert_eq!(error["errorMessage"], message, "body {body:?}");
    }
    let ok = client
        .send(TestRequest::post("/").json(&serde_json::json!({"name": "Ada"})))
        .await
        .expect("response");
    assert_eq!(ok.text(), "\"Ada\"");
    server.shutdown().await;
}

/// The process's virtual memory size, from `/proc/PID/status`, in KiB.
#[cfg(target_os = "linux")]
fn virtual_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmSize:"))
        .and_then(|value| value.trim().trim_end_matches(" kB").trim().parse().ok())
        .expect("VmSize")
}

/// The server reserved the whole declared `Content-Length` (up to the 6 MiB
/// limit) before any body byte arrived: connections that declare a large
/// body and send nothing made it reserve gigabytes. Buffers now grow with
/// the bytes that arrive.
#[cfg(target_os = "linux")]
#[test]
fn regression_a_declared_length_reserves_nothing_before_the_bytes_arrive() {
    use std::io::{Read as _, Write as _};

    const CONNECTIONS: usize = 64;
    const DECLARED: usize = 6_000_000;
    // One malloc arena: glibc reserves 64 MiB of address space for each
    // thread's own arena, which would hide what the requests reserve.
    let server =
        crate::support::ExampleServer::start_with_env("echo", &[("MALLOC_ARENA_MAX", "1")]);
    let before = virtual_kib(server.child.id());
    let mut connections = Vec::new();
    for _ in 0..CONNECTIONS {
        let mut stream = std::net::TcpStream::connect(server.addr).expect("connects");
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(20)))
            .expect("timeout");
        write!(
            stream,
            "POST / HTTP/1.1\r\nhost: x\r\ncontent-length: {DECLARED}\r\nexpect: 100-continue\r\n\r\n"
        )
        .expect("head sent");
        // hyper says `100 Continue` once the server starts reading the body:
        // by then its buffer is made.
        let mut answer = [0u8; 25];
        stream.read_exact(&mut answer).expect("100 Continue");
        assert!(answer.starts_with(b"HTTP/1.1 100 Continue"), "{answer:?}");
        connections.push(stream);
    }
    let grown_mib = virtual_kib(server.child.id()).saturating_sub(before) / 1024;
    let declared_mib = (CONNECTIONS * DECLARED / (1024 * 1024)) as u64;
    assert!(
        grown_mib < declared_mib / 4,
        "{CONNECTIONS} connections declaring {DECLARED} bytes and sending none grew the server by {grown_mib} MiB"
    );
}
