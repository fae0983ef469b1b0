//! The watchdog on a real loopback connection: a handler blocking its
//! thread past its deadline is answered on the socket, named as its caller
//! named it, in the caller's form when it gives one.

use std::io::Read as _;
use std::net::{TcpListener, TcpStream};
use std::pin::pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyfn::{Error, ErrorDetails, Response};
use anyfn_kit::host::{LateAnswer, RequestIds, Settled, Watchdog};

const TIMEOUT: Duration = Duration::from_millis(100);

/// A connected pair: the client's end, and the server's.
fn connection() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binds");
    let client = TcpStream::connect(listener.local_addr().expect("an address")).expect("connects");
    let (server, _) = listener.accept().expect("accepts");
    (client, server)
}

/// Runs a handler that blocks its thread for 600 ms on a connection whose
/// deadline is 100 ms away, and returns what the client read (up to the
/// watchdog's close) and how the invocation settled.
async fn block_past_the_deadline(
    late: Option<Arc<dyn LateAnswer>>,
) -> (String, Settled<&'static str>) {
    let watchdog = Watchdog::start(
        TIMEOUT,
        None,
        Arc::new(RequestIds::new()),
        ErrorDetails::Hidden,
    )
    .expect("starts");
    let (mut client, server) = connection();
    let registration = watchdog.register(Some(server));
    client
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("a read timeout");
    let reader = std::thread::spawn(move || {
        let mut answer = String::new();
        client
            .read_to_string(&mut answer)
            .expect("reads to the close");
        answer
    });
    let blocking = pin!(async {
        std::thread::sleep(Duration::from_millis(600));
        Ok::<_, Error>("too late")
    });
    let settled = registration
        .watch()
        .run_named(
            "inv-7",
            late,
            Instant::now() + TIMEOUT,
            &tracing::Span::none(),
            blocking,
        )
        .await;
    drop(registration);
    (reader.join().expect("the reader"), settled)
}

#[tokio::test(flavor = "current_thread")]
async fn a_blocked_handler_gets_the_504_named_as_its_caller_named_it() {
    let (answer, settled) = block_past_the_deadline(None).await;
    assert!(
        matches!(settled, Settled::Late { answered: true, .. }),
        "{settled:?}"
    );
    let (head, body) = answer.split_once("\r\n\r\n").expect("a whole answer");
    assert!(
        head.starts_with("HTTP/1.1 504 Gateway Timeout\r\n"),
        "{head}"
    );
    assert!(
        head.lines().any(|line| line == "connection: close"),
        "{head}"
    );
    assert!(
        head.lines().any(|line| line == "x-request-id: inv-7"),
        "{head}"
    );
    let body: serde_json::Value = serde_json::from_str(body).expect("JSON");
    assert_eq!(
        body,
        serde_json::json!({"errorType": "Timeout", "errorMessage": "Gateway Timeout", "requestId": "inv-7"})
    );
}

/// An answer in the caller's own form: a `200` whose body wraps the error.
#[derive(Debug)]
struct Wrapped;

impl LateAnswer for Wrapped {
    fn response(&self, request_id: &str, error: &Error) -> Response {
        anyfn::response::json(&serde_json::json!({
            "wrapped": error.to_response(request_id, ErrorDetails::Hidden).status().as_u16(),
            "for": request_id,
        }))
        .expect("JSON")
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_blocked_handler_gets_the_callers_late_answer_when_it_gives_one() {
    let (answer, settled) = block_past_the_deadline(Some(Arc::new(Wrapped))).await;
    assert!(
        matches!(settled, Settled::Late { answered: true, .. }),
        "{settled:?}"
    );
    let (head, body) = answer.split_once("\r\n\r\n").expect("a whole answer");
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(
        head.lines()
            .any(|line| line == "content-type: application/json"),
        "{head}"
    );
    let body: serde_json::Value = serde_json::from_str(body).expect("JSON");
    assert_eq!(body, serde_json::json!({"wrapped": 504, "for": "inv-7"}));
}

#[tokio::test(flavor = "current_thread")]
async fn a_header_sleep_is_woken_by_the_watchdog_at_its_deadline() {
    let header_timeout = Duration::from_millis(50);
    let watchdog = Watchdog::start(
        Duration::from_secs(60),
        Some(header_timeout),
        Arc::new(RequestIds::new()),
        ErrorDetails::Hidden,
    )
    .expect("starts");
    let registration = watchdog.register(None);
    let started = Instant::now();
    let sleep = registration
        .watch()
        .header_sleep_until(started + header_timeout);
    // The watchdog wakes at least every 50 ms (the header timeout, not the
    // 60 s request timeout), so the sleep ends well within this bound.
    tokio::time::timeout(Duration::from_secs(10), sleep)
        .await
        .expect("the watchdog wakes the sleep");
    assert!(started.elapsed() >= header_timeout);
}

#[tokio::test(flavor = "current_thread")]
async fn a_header_sleep_replaced_by_a_newer_one_is_over_and_does_not_clear_it() {
    let watchdog = Watchdog::start(
        Duration::from_secs(60),
        Some(Duration::from_millis(50)),
        Arc::new(RequestIds::new()),
        ErrorDetails::Hidden,
    )
    .expect("starts");
    let registration = watchdog.register(None);
    let far = Instant::now() + Duration::from_secs(3600);
    let older = registration.watch().header_sleep_until(far);
    let newer = registration
        .watch()
        .header_sleep_until(Instant::now() + Duration::from_millis(50));
    // The older one is over at once; dropping it leaves the newer one set.
    tokio::time::timeout(Duration::from_secs(10), older)
        .await
        .expect("a replaced sleep is over");
    tokio::time::timeout(Duration::from_secs(10), newer)
        .await
        .expect("the newer sleep still ends at its deadline");
}

/// A future that panics while polled settles as a `Panic` error, and the
/// same connection's next invocation is watched as usual (the panic used to
/// unwind through the watchdog, leaving its state at "being polled").
#[tokio::test(flavor = "current_thread")]
async fn a_panic_while_polled_settles_as_a_panic_and_the_next_invocation_runs() {
    let watchdog = Watchdog::start(
        TIMEOUT,
        None,
        Arc::new(RequestIds::new()),
        ErrorDetails::Hidden,
    )
    .expect("starts");
    let registration = watchdog.register(None);
    // Far enough that capturing the panic's backtrace (RUST_BACKTRACE=1,
    // a debug build: about 100 ms) cannot make it late.
    const LONG: Duration = Duration::from_secs(20);
    let panicking = pin!(async {
        if TIMEOUT > Duration::ZERO {
            panic!("polled into a bug");
        }
        Ok::<_, Error>("never")
    });
    let settled = registration
        .watch()
        .run(1, Instant::now() + LONG, &tracing::Span::none(), panicking)
        .await;
    match settled {
        Settled::InTime(Err(error)) => {
            assert!(error.is_panic(), "{error:?}");
            assert_eq!(error.message(), "handler panicked: polled into a bug");
        }
        other => panic!("a panic in time: {other:?}"),
    }
    let next = pin!(async { Ok::<_, Error>("next") });
    let settled = registration
        .watch()
        .run(2, Instant::now() + LONG, &tracing::Span::none(), next)
        .await;
    assert!(
        matches!(settled, Settled::InTime(Ok("next"))),
        "{settled:?}"
    );
}
