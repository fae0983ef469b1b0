//! Shutdown hooks on a real [`HttpHost`]: they run after the request in
//! flight is answered, in order, given what is left of the drain timeout,
//! and one overrunning it is cut (and says so) so that `serve` still
//! returns in time.

use std::convert::Infallible;
use std::io::{Read as _, Write as _};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyfn_kit::host::{HostSettings, HttpHost, RequestIds};
use anyfn_kit::ShutdownHooks;
use http_body_util::Full;
use hyper::service::service_fn;

/// What happened, in order.
type Journal = Arc<Mutex<Vec<String>>>;

fn note(journal: &Journal, what: impl Into<String>) {
    journal.lock().expect("not poisoned").push(what.into());
}

/// A `tracing` writer that keeps every line.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("not poisoned").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("not poisoned")).into_owned()
    }
}

/// Serves on a loopback port with `drain` as the drain timeout and `hooks`;
/// each request is answered after `work`. One request is sent; once its
/// handler started, shutdown begins. Returns how long `serve` took from
/// the shutdown, and the client's answer.
async fn serve_one_request(
    drain: Duration,
    work: Duration,
    hooks: ShutdownHooks,
    journal: &Journal,
) -> (Duration, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let addr = listener.local_addr().expect("an address");
    let settings = HostSettings::new(Duration::from_secs(10)).with_drain_timeout(drain);
    let host = HttpHost::start(listener, settings, Arc::new(RequestIds::new()))
        .expect("starts")
        .with_shutdown_hooks(hooks);
    let (started_tx, started) = tokio::sync::oneshot::channel::<()>();
    let started_tx = Arc::new(Mutex::new(Some(started_tx)));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let service_journal = Arc::clone(journal);
    let serving = tokio::spawn(host.serve(
        async move {
            let _ = stopped.await;
        },
        move |_client, _watch| {
            let journal = Arc::clone(&service_journal);
            let started_tx = Arc::clone(&started_tx);
            service_fn(move |_request| {
                let journal = Arc::clone(&journal);
                if let Some(tx) = started_tx.lock().expect("not poisoned").take() {
                    let _ = tx.send(());
                }
                async move {
                    tokio::time::sleep(work).await;
                    note(&journal, "answered");
                    Ok::<_, Infallible>(hyper::Response::new(Full::new(&b"done"[..])))
                }
            })
        },
    ));
    let client = std::thread::spawn(move || {
        let mut stream = std::net::TcpStream::connect(addr).expect("connects");
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .expect("a read timeout");
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
            .expect("sends");
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer
    });
    tokio::time::timeout(Duration::from_secs(10), started)
        .await
        .expect("the handler starts within 10 s")
        .expect("the handler starts");
    let stopping = Instant::now();
    stop.send(()).expect("still serving");
    tokio::time::timeout(Duration::from_secs(20), serving)
        .await
        .expect("serve returns within 20 s")
        .expect("serve does not panic");
    let took = stopping.elapsed();
    let answer = tokio::task::spawn_blocking(move || client.join().expect("the client ends"))
        .await
        .expect("joins");
    (took, answer)
}

#[tokio::test(flavor = "current_thread")]
async fn a_hook_runs_after_the_request_in_flight_with_the_time_left() {
    let journal = Journal::default();
    let hook_journal = Arc::clone(&journal);
    let drain = Duration::from_secs(5);
    let hooks = ShutdownHooks::new().with(move |time_left| async move {
        note(&hook_journal, format!("hook {}", time_left.as_millis()));
    });
    let (_, answer) = serve_one_request(drain, Duration::from_millis(200), hooks, &journal).await;
    assert!(answer.ends_with("done"), "{answer}");
    let journal = journal.lock().expect("not poisoned").clone();
    assert_eq!(journal.len(), 2, "{journal:?}");
    assert_eq!(journal[0], "answered");
    let left: u64 = journal[1]
        .strip_prefix("hook ")
        .and_then(|ms| ms.parse().ok())
        .expect("the hook's note");
    // The drain took the request's 200 ms (and a little more): the hook had
    // the rest of the 5 s, not all of it.
    assert!(left < 4_850, "{left} ms left");
    assert!(left > 3_000, "{left} ms left");
}

#[tokio::test(flavor = "current_thread")]
async fn hooks_run_in_order_each_with_what_is_left() {
    let journal = Journal::default();
    let (first, second) = (Arc::clone(&journal), Arc::clone(&journal));
    let hooks = ShutdownHooks::new()
        .with(move |time_left| async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            note(&first, format!("first {}", time_left.as_millis()));
        })
        .with(move |time_left| async move {
            note(&second, format!("second {}", time_left.as_millis()));
        });
    serve_one_request(Duration::from_secs(5), Duration::ZERO, hooks, &journal).await;
    let journal = journal.lock().expect("not poisoned").clone();
    let names: Vec<&str> = journal
        .iter()
        .map(|note| note.split(' ').next().unwrap_or_default())
        .collect();
    assert_eq!(names, ["answered", "first", "second"], "{journal:?}");
    let ms = |note: &str| -> u64 {
        note.rsplit(' ')
            .next()
            .and_then(|ms| ms.parse().ok())
            .expect("a time")
    };
    assert!(
        ms(&journal[1]) >= ms(&journal[2]) + 100,
        "the second had what the first left: {journal:?}"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn an_overrunning_hook_is_cut_logged_and_serve_returns_in_time() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::DEBUG)
        .finish();
    // Scoped, so that the file's other tests, reaching a statement first
    // without a subscriber, cannot hide it (tokio-rs/tracing#3611).
    let _default =
        tracing::dispatcher::set_default(&anyfn_kit::logging::scoped_dispatch(subscriber));

    let journal = Journal::default();
    let (first, after) = (Arc::clone(&journal), Arc::clone(&journal));
    let hooks = ShutdownHooks::new()
        .with(move |time_left| async move {
            note(&first, "overrunning");
            tokio::time::sleep(time_left + Duration::from_secs(60)).await;
            note(&first, "never");
        })
        .with(move |_| async move { note(&after, "after") });
    let drain = Duration::from_millis(500);
    let (took, _) = serve_one_request(drain, Duration::from_millis(100), hooks, &journal).await;
    assert!(took < Duration::from_secs(3), "serve took {took:?}");
    assert!(took >= Duration::from_millis(450), "serve took {took:?}");
    let journal = journal.lock().expect("not poisoned").clone();
    assert_eq!(journal, ["answered", "overrunning"]);
    let log = captured.text();
    let warn = log
        .lines()
        .find(|line| line.contains("shutdown hook 0 cut"))
        .unwrap_or_else(|| panic!("no WARN for the cut hook in:\n{log}"));
    assert!(warn.contains("WARN"), "{warn}");
    assert!(warn.contains("anyfn::host"), "{warn}");
    assert!(warn.contains("ms it had left"), "{warn}");
    assert!(warn.contains("1 hook(s) after it not run"), "{warn}");
}
