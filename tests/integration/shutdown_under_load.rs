//! SIGTERM while the server is under load: in-flight requests complete, new
//! connections are refused, the process exits 0 within the drain timeout, and
//! no client ever reads a truncated response. Runs the real `failures`
//! example binary, as a container platform would.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{within, ExampleServer};

/// One request on its own connection; what came back.
enum Answer {
    Complete,
    Truncated(String),
    NothingRefused,
    NothingClosed,
}

/// One request on its own connection, its handler sleeping `ms`; what came
/// back.
async fn one_request(addr: SocketAddr, ms: u64) -> Answer {
    let mut stream = match TcpStream::connect(addr).await {
        Ok(stream) => stream,
        Err(_) => return Answer::NothingRefused,
    };
    let request = format!("GET /sleep?ms={ms} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).await.is_err() {
        return Answer::NothingClosed;
    }
    let mut received = Vec::new();
    let _ = stream.read_to_end(&mut received).await;
    let text = String::from_utf8_lossy(&received).into_owned();
    if received.is_empty() {
        Answer::NothingClosed
    } else if text.starts_with("HTTP/1.1 200 OK\r\n") && text.ends_with("\r\n\r\nwoke up") {
        Answer::Complete
    } else {
        Answer::Truncated(text)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_under_load_drains_and_exits_zero() {
    let mut server = ExampleServer::start("failures");
    let addr = server.addr;

    let stop = Arc::new(AtomicBool::new(false));
    let sigterm_sent = Arc::new(AtomicBool::new(false));
    let completed_before_sigterm = Arc::new(AtomicUsize::new(0));
    let completed_after_sigterm = Arc::new(AtomicUsize::new(0));
    // Each client's handler sleeps a different time (300 ms, 450 ms, …), so
    // that when the first answer arrives the others' requests are in their
    // handlers, whatever the machine's load: with one time for all, every
    // first answer could arrive together and SIGTERM catch the next round
    // before any head was read (nothing in flight to drain).
    let clients: Vec<_> = (0..12u64)
        .map(|client| {
            let ms = 300 + 150 * client;
            let (stop, sent, done_before, done_after) = (
                Arc::clone(&stop),
                Arc::clone(&sigterm_sent),
                Arc::clone(&completed_before_sigterm),
                Arc::clone(&completed_after_sigterm),
            );
            tokio::spawn(async move {
                let mut answers = Vec::new();
                while !stop.load(Ordering::SeqCst) {
                    let sent_before = sent.load(Ordering::SeqCst);
                    let answer = one_request(addr, ms).await;
                    if matches!(answer, Answer::Complete) {
                        // Sent before SIGTERM and answered after it: drained.
                        // Answered before SIGTERM: ordinary load.
                        if !sent.load(Ordering::SeqCst) {
                            done_before.fetch_add(1, Ordering::SeqCst);
                        } else if !sent_before {
                            done_after.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                    let refused = matches!(answer, Answer::NothingRefused);
                    answers.push(answer);
                    if refused {
                        break;
                    }
                }
                answers
            })
        })
        .collect();

    // Load is on: wait until the clients' own requests have been answered,
    // so that the next round is in flight when SIGTERM arrives. (A separate
    // probe request raced the clients' first round: when that round was
    // answered only after SIGTERM, nothing had completed "before" it.)
    within(
        Duration::from_secs(10),
        "the clients' first answers",
        async {
            while completed_before_sigterm.load(Ordering::SeqCst) == 0 {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        },
    )
    .await;
    sigterm_sent.store(true, Ordering::SeqCst);
    server.terminate();

    // New connections are refused while the in-flight requests drain.
    within(
        Duration::from_secs(10),
        "new connections to be refused",
        async {
            while TcpStream::connect(addr).await.is_ok() {
                tokio::task::yield_now().await;
            }
        },
    )
    .await;

    let exit = within(Duration::from_secs(20), "the process to exit", async {
        loop {
            if let Some(status) = server.child.try_wait().expect("status") {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    stop.store(true, Ordering::SeqCst);
    assert_eq!(exit.code(), Some(0), "exit 0 after a graceful drain");

    let (mut complete, mut refused, mut closed) = (0, 0, 0);
    for client in clients {
        for answer in within(Duration::from_secs(10), "a client", client)
            .await
            .expect("client task")
        {
            match answer {
                Answer::Complete => complete += 1,
                Answer::NothingRefused => refused += 1,
                Answer::NothingClosed => closed += 1,
                Answer::Truncated(text) => panic!("a client read a truncated response: {text:?}"),
            }
        }
    }
    let before = completed_before_sigterm.load(Ordering::SeqCst);
    let drained = completed_after_sigterm.load(Ordering::SeqCst);
    println!("complete {complete} ({before} before SIGTERM, {drained} in flight at SIGTERM), refused {refused}, closed before any byte {closed}");
    assert!(drained > 0, "requests in flight at SIGTERM completed");
}
