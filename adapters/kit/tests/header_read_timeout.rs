//! The host's header-read timeout on real loopback connections, kept by the
//! watchdog: a client that sends no request head in time (the first, or the
//! next on a kept-alive connection) is disconnected, no sooner than the
//! timeout and well within a bound; a head that comes in time is served;
//! an answer still being sent is never cut by it.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use anyfn_kit::host::{HostSettings, HttpHost, RequestIds};
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::{Body, Frame};
use hyper::service::service_fn;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const HEADER_READ_TIMEOUT: Duration = Duration::from_millis(300);

/// What the client may wait, at most, for anything in these tests.
const BOUND: Duration = Duration::from_secs(10);

/// A host with the header-read timeout, answering `GET /` with `hi` and
/// `GET /slow` with a body sent in 5 pieces, 200 ms apart (a second in all,
/// three times the header-read timeout); its address.
async fn host() -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let addr = listener.local_addr().expect("an address");
    let settings =
        HostSettings::new(Duration::from_secs(30)).with_header_read_timeout(HEADER_READ_TIMEOUT);
    let host = HttpHost::start(listener, settings, std::sync::Arc::new(RequestIds::new()))
        .expect("starts");
    tokio::spawn(host.serve(std::future::pending(), |_client, _watch| {
        service_fn(
            |request: hyper::Request<hyper::body::Incoming>| async move {
                let body = if request.uri().path() == "/slow" {
                    Answer::Slow(SlowBody::new(5))
                } else {
                    Answer::Whole(Full::new(Bytes::from_static(b"hi")))
                };
                Ok::<_, Infallible>(hyper::Response::new(body))
            },
        )
    }));
    addr
}

/// A whole body, or one sent slowly.
enum Answer {
    Whole(Full<Bytes>),
    Slow(SlowBody),
}

impl Body for Answer {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.get_mut() {
            Self::Whole(body) => Pin::new(body).poll_frame(cx),
            Self::Slow(body) => Pin::new(body).poll_frame(cx),
        }
    }
}

/// `pieces` data frames of `piece`, 200 ms apart.
struct SlowBody {
    left: usize,
    sleep: Pin<Box<tokio::time::Sleep>>,
}

impl SlowBody {
    fn new(pieces: usize) -> Self {
        Self {
            left: pieces,
            sleep: Box::pin(tokio::time::sleep(Duration::from_millis(200))),
        }
    }
}

impl Body for SlowBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.left == 0 {
            return Poll::Ready(None);
        }
        if self.sleep.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        self.left -= 1;
        let next = tokio::time::Instant::now() + Duration::from_millis(200);
        self.sleep.as_mut().reset(next);
        Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(b"piece;")))))
    }
}

/// Reads until the server closes the connection (bounded); what it read.
async fn read_to_close(stream: &mut TcpStream) -> String {
    read(
        stream,
        None,
        "the server closes the connection within the bound",
    )
    .await
}

/// Reads until `needle` has arrived (bounded); what it read.
async fn read_until(stream: &mut TcpStream, needle: &str) -> String {
    read(stream, Some(needle), "the answer arrives within the bound").await
}

/// Reads until `needle` has arrived, or else the connection closes, within
/// [`BOUND`] (else panics with `expected`); what it read.
async fn read(stream: &mut TcpStream, needle: Option<&str>, expected: &str) -> String {
    let mut out = Vec::new();
    tokio::time::timeout(BOUND, async {
        let mut buf = [0u8; 4096];
        while !needle.is_some_and(|needle| String::from_utf8_lossy(&out).contains(needle)) {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    .expect(expected);
    String::from_utf8_lossy(&out).into_owned()
}

/// Sends `GET path` on `client` and reads its `200` answer up to `until`.
async fn get(client: &mut TcpStream, path: &str, until: &str) -> String {
    let request = format!("GET {path} HTTP/1.1\r\nhost: x\r\n\r\n");
    client.write_all(request.as_bytes()).await.expect("writes");
    let answered = read_until(client, until).await;
    assert!(answered.starts_with("HTTP/1.1 200 OK\r\n"), "{answered:?}");
    answered
}

/// Connects, sends `sent` (no whole head), and checks that the connection
/// is closed unanswered, no sooner than the header-read timeout.
async fn closed_unanswered_after_the_timeout(sent: &[u8]) {
    let addr = host().await;
    let started = Instant::now();
    let mut client = TcpStream::connect(addr).await.expect("connects");
    client.write_all(sent).await.expect("writes");
    closed_unanswered_since(&mut client, started).await;
}

/// Checks that the server closes `client` with nothing more sent, no
/// sooner than the header-read timeout after `since`.
async fn closed_unanswered_since(client: &mut TcpStream, since: Instant) {
    assert_eq!(read_to_close(client).await, "");
    assert!(
        since.elapsed() >= HEADER_READ_TIMEOUT,
        "{:?}",
        since.elapsed()
    );
}

#[tokio::test]
async fn a_connection_that_sends_no_head_is_closed_after_the_timeout() {
    closed_unanswered_after_the_timeout(b"").await;
}

#[tokio::test]
async fn a_head_sent_in_pieces_past_the_timeout_is_cut_off_unanswered() {
    closed_unanswered_after_the_timeout(b"GET / HTTP/1.1\r\nhost: x\r\n").await;
}

#[tokio::test]
async fn a_kept_alive_connection_is_closed_when_its_next_head_is_late() {
    let addr = host().await;
    let mut client = TcpStream::connect(addr).await.expect("connects");
    // The answer is done before the client has read it: timed from the
    // request, the wait for the next head is at least the timeout.
    let asked = Instant::now();
    get(&mut client, "/", "hi").await;
    closed_unanswered_since(&mut client, asked).await;
}

#[tokio::test]
async fn heads_that_come_in_time_are_served_past_many_timeouts() {
    let addr = host().await;
    let mut client = TcpStream::connect(addr).await.expect("connects");
    // Six requests, each a third of the timeout after the last answer: the
    // connection lives for more than twice the timeout and serves them all.
    for _ in 0..6 {
        tokio::time::sleep(HEADER_READ_TIMEOUT / 3).await;
        get(&mut client, "/", "hi").await;
    }
}

#[tokio::test]
async fn an_answer_sent_for_longer_than_the_timeout_is_not_cut() {
    let addr = host().await;
    let mut client = TcpStream::connect(addr).await.expect("connects");
    // A chunked body of five pieces, the last a second after the head.
    let answered = get(&mut client, "/slow", "0\r\n\r\n").await;
    assert_eq!(answered.matches("piece;").count(), 5, "{answered:?}");
    // The connection still serves its next request.
    get(&mut client, "/", "hi").await;
}
