//! Every invocation has a deadline: past it the server answers 504 and the
//! harness reports a timeout error, and both go on.

use std::time::Duration;

use anyfn::{handler_fn, Context, ErrorKind, Request, RequestExt};
use anyfn_server::Server;
use anyfn_test::{Harness, TestRequest, TestServer};
use serde_json::Value;

/// Sleeps for the `ms` query parameter, then answers with the time it had left.
fn sleeper() -> impl anyfn::Handler<Event = Request, Output = anyfn::Response, Error = anyfn::Error>
{
    handler_fn(|request: Request, context: Context| async move {
        let ms: u64 = request.query().get("ms").unwrap_or("0").parse()?;
        tokio::time::sleep(Duration::from_millis(ms)).await;
        Ok(anyfn::response::text(
            context.remaining_time().as_millis().to_string(),
        ))
    })
}

#[tokio::test]
async fn server_answers_504_past_the_deadline_and_goes_on() {
    let server = TestServer::start_with(Server::new(sleeper()).timeout(Duration::from_millis(200)))
        .await
        .expect("server starts");
    let client = server.client();

    let sent = std::time::Instant::now();
    let late = client.get("/?ms=60000").await.expect("response");
    assert_at_the_deadline(sent.elapsed(), Duration::from_millis(200));
    late.assert_status(504);
    let error: Value = late.json();
    assert_eq!(error["errorType"], "Timeout");
    assert_eq!(error["errorMessage"], "Gateway Timeout");

    let on_time = client.get("/?ms=0").await.expect("response");
    on_time.assert_status(200);
    let remaining: u64 = on_time.text().parse().expect("a number");
    assert!(
        remaining <= 200,
        "the handler sees the server's deadline: {remaining}"
    );
    server.shutdown().await;
}

/// Whether an answer that took `elapsed` came at a deadline of `timeout`:
/// not before it, and not long after.
fn assert_at_the_deadline(elapsed: Duration, timeout: Duration) {
    assert!(
        elapsed >= timeout && elapsed < timeout + Duration::from_secs(1),
        "answered after {elapsed:?}, for a deadline of {timeout:?}"
    );
}

/// A timeout too long for an `Instant` (`Duration::MAX`) is a day: the
/// server starts, answers, and its watchdog keeps running (adding it to an
/// instant panicked, in every request and in the watchdog's thread).
#[tokio::test]
async fn regression_a_timeout_too_long_for_an_instant_is_a_day() {
    let server = TestServer::start_with(Server::new(sleeper()).timeout(Duration::MAX))
        .await
        .expect("server starts");
    for _ in 0..2 {
        let answer = server.client().get("/?ms=0").await.expect("response");
        answer.assert_status(200);
        let remaining: u64 = answer.text().parse().expect("a number");
        assert!(
            (23 * 3600 * 1000..=24 * 3600 * 1000).contains(&remaining),
            "a day's deadline: {remaining} ms"
        );
    }
    server.shutdown().await;
}

#[tokio::test]
async fn harness_reports_a_timeout_error_past_the_deadline() {
    let harness = Harness::new(sleeper()).timeout(Duration::from_millis(100));
    let sent = std::time::Instant::now();
    let late = harness.invoke(TestRequest::get("/?ms=60000").build()).await;
    assert_at_the_deadline(sent.elapsed(), Duration::from_millis(100));
    assert_eq!(late.request_id(), "test-request-1");
    let err = late.expect_error();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(err.status(), 504);
    assert_eq!(err.error_type(), "Timeout");

    let next = harness.invoke(TestRequest::get("/?ms=1").build()).await;
    assert_eq!(next.request_id(), "test-request-2");
    assert!(next.output().is_some_and(|r| r.status() == 200));
}

#[tokio::test]
async fn harness_reports_duration_and_cost() {
    let harness = Harness::new(sleeper()).memory_mb(1024);
    let invocation = harness.invoke(TestRequest::get("/?ms=20").build()).await;
    let report = invocation.report();
    assert!(invocation.duration() >= Duration::from_millis(20));
    assert!(report.billed_duration() >= Duration::from_millis(20));
    assert_eq!(report.billed_duration().subsec_nanos() % 1_000_000, 0);
    assert_eq!(report.memory_mb(), 1024);
    let expected = report.billed_duration().as_secs_f64() * 0.000_016_666_7 + 0.000_000_2;
    assert!((report.estimated_cost_usd() - expected).abs() < 1e-15);
}

/// A handler that blocks its thread until the test lets it go.
fn blocker(
    release: std::sync::mpsc::Receiver<()>,
) -> impl anyfn::Handler<Event = Request, Output = anyfn::Response, Error = anyfn::Error> {
    let release = std::sync::Mutex::new(release);
    let release = std::sync::Arc::new(release);
    handler_fn(move |request: Request, _context: Context| {
        let release = std::sync::Arc::clone(&release);
        async move {
            if request.uri().path() == "/block" {
                let release = release
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let _ = release.recv_timeout(Duration::from_secs(30));
            }
            Ok(anyfn::response::text("done"))
        }
    })
}

/// Sends `GET path` on a new blocking connection and reads until the server
/// closes it: the answer, and how long it took from the request's sending.
fn get_until_closed(addr: std::net::SocketAddr, path: &str) -> (String, Duration) {
    use std::io::{Read as _, Write as _};
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("read timeout");
    let sent = std::time::Instant::now();
    write!(stream, "GET {path} HTTP/1.1\r\nhost: test\r\n\r\n").expect("write");
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .expect("the server closes the connection");
    (answer, sent.elapsed())
}

/// The handler blocks the runtime's only thread: the server's watchdog, a
/// thread of its own, answers 504 at the deadline all the same.
#[tokio::test(flavor = "current_thread")]
async fn a_handler_blocking_the_only_worker_is_answered_504_at_the_deadline() {
    let (release, released) = std::sync::mpsc::channel();
    let server =
        TestServer::start_with(Server::new(blocker(released)).timeout(Duration::from_millis(200)))
            .await
            .expect("server starts");
    let addr = server.addr();
    // The client runs on a thread of its own, as the runtime's is about to
    // block; it lets the handler go only once it has read the whole answer,
    // so the answer came while the handler blocked.
    let client = std::thread::spawn(move || {
        let answer = get_until_closed(addr, "/block");
        release.send(()).expect("the handler waits");
        answer
    });
    let (answer, elapsed) = tokio::task::spawn_blocking(move || client.join().expect("client"))
        .await
        .expect("join");
    assert_at_the_deadline(elapsed, Duration::from_millis(200));

    let (head, body) = answer.split_once("\r\n\r\n").expect("a whole response");
    assert!(
        head.starts_with("HTTP/1.1 504 Gateway Timeout\r\n"),
        "{head}"
    );
    assert!(head.contains("\r\nconnection: close\r\n"), "{head}");
    let request_id = head
        .lines()
        .find_map(|line| line.strip_prefix("x-request-id: "))
        .expect("x-request-id");
    let error: Value = serde_json::from_str(body).expect("a JSON body");
    assert_eq!(
        error,
        serde_json::json!({"errorType": "Timeout", "errorMessage": "Gateway Timeout", "requestId": request_id})
    );

    let next = server.client().get("/").await.expect("the server goes on");
    next.assert_status(200);
    server.shutdown().await;
}
