//! Graceful shutdown: new connections are refused, in-flight requests finish.

use std::sync::Arc;
use std::time::Duration;

use anyfn::{handler_fn, Context, Request};
use anyfn_test::TestServer;
use tokio::sync::{Notify, Semaphore};

use crate::support::{poll_until, within};

#[tokio::test]
async fn shutdown_lets_the_in_flight_request_finish() {
    let entered = Arc::new(Semaphore::new(0));
    let release = Arc::new(Notify::new());
    let handler = {
        let (entered, release) = (Arc::clone(&entered), Arc::clone(&release));
        handler_fn(move |_request: Request, _context: Context| {
            let (entered, release) = (Arc::clone(&entered), Arc::clone(&release));
            async move {
                entered.add_permits(1);
                release.notified().await;
                Ok::<_, anyfn::Error>(anyfn::response::text("finished"))
            }
        })
    };
    let mut server = TestServer::start(handler).await.expect("server starts");
    let client = server.client();
    let in_flight = tokio::spawn(async move { client.get("/").await });

    // The request is inside the handler.
    within(
        Duration::from_secs(5),
        "the handler to start",
        entered.acquire(),
    )
    .await
    .expect("semaphore open")
    .forget();

    server.begin_shutdown();
    let client = server.client();
    poll_until(
        "new connections to be refused",
        Duration::from_secs(5),
        || {
            let client = client.clone();
            async move {
                match client.get("/").await {
                    Err(err) if err.is_connection_refused() => Some(()),
                    _ => None,
                }
            }
        },
    )
    .await;

    release.notify_one();
    let response = within(Duration::from_secs(5), "the in-flight request", in_flight)
        .await
        .expect("task completes")
        .expect("the in-flight request is answered, not cut");
    response.assert_status(200);
    assert_eq!(response.text(), "finished");
    within(
        Duration::from_secs(5),
        "the server to stop",
        server.stopped(),
    )
    .await;
}

/// The drain tells every connection to finish, an idle kept-alive one too:
/// it closes at once rather than holding the shutdown up until the drain
/// timeout (30 s by default), which a connection never woken would.
#[tokio::test]
async fn regression_an_idle_kept_alive_connection_is_closed_at_once_by_the_drain() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let handler = handler_fn(|_request: Request, _context: Context| async {
        Ok::<_, anyfn::Error>(anyfn::response::text("kept"))
    });
    let mut server = TestServer::start(handler).await.expect("server starts");
    let mut stream = tokio::net::TcpStream::connect(server.addr())
        .await
        .expect("connects");
    stream
        .write_all(b"GET / HTTP/1.1\r\nhost: test\r\n\r\n")
        .await
        .expect("request sent");
    // The whole answer, kept alive (HTTP/1.1, no `Connection: close`).
    let mut answer = Vec::new();
    let mut buffer = [0u8; 1024];
    while !answer.ends_with(b"kept") {
        let read = within(
            Duration::from_secs(5),
            "the answer",
            stream.read(&mut buffer),
        )
        .await
        .expect("reads");
        assert_ne!(read, 0, "the connection closed before its answer");
        answer.extend_from_slice(&buffer[..read]);
    }
    let head = String::from_utf8_lossy(&answer).to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(!head.contains("connection: close"), "{head}");

    // Now idle, waiting for a next request head: the drain must end it.
    server.begin_shutdown();
    let read = within(
        Duration::from_secs(5),
        "the idle connection to be closed by the drain",
        stream.read(&mut buffer),
    )
    .await
    .expect("reads");
    assert_eq!(read, 0, "the idle connection was closed (EOF)");
    within(
        Duration::from_secs(5),
        "the server to stop",
        server.stopped(),
    )
    .await;
}
