//! Shutdown hooks (`on_shutdown`): after SIGTERM the request in flight is
//! answered, then the hooks run in order with what is left of the drain
//! timeout, then the process exits; a hook overrunning the time left is
//! cut, and the server still returns within the drain timeout.

use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyfn::{handler_fn, Context, Request};
use anyfn_auto::Runner;
use anyfn_functions::Functions;
use anyfn_test::TestClient;

use crate::support::{poll_until, within, ExampleServer};

/// Set in the child's environment: run [`shutdown_hooks_child`].
const CHILD: &str = "ANYFN_SHUTDOWN_HOOKS_TEST_CHILD";

/// Not a test: the child process of
/// the SIGTERM tests below (this
/// binary, with [`CHILD`] set to `runner` or `functions`). Through
/// `anyfn_auto::Runner`, or a `Functions` registry run by
/// `anyfn_auto::run_functions`, it serves a handler that says when it
/// starts and answers after 300 ms, with two hooks that say when they run;
/// without [`CHILD`] it returns at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the child process of the shutdown hook tests, started by them"]
async fn shutdown_hooks_child() {
    let Ok(entry) = std::env::var(CHILD) else {
        return;
    };
    let handler = handler_fn(|_request: Request, _context: Context| async {
        eprintln!("HANDLER started");
        tokio::time::sleep(Duration::from_millis(300)).await;
        eprintln!("HANDLER answering");
        Ok::<_, anyfn::Error>(anyfn::response::text("answered"))
    });
    let first = |time_left: Duration| async move {
        eprintln!("HOOK first {}", time_left.as_millis());
    };
    let second = |time_left: Duration| async move {
        eprintln!("HOOK second {}", time_left.as_millis());
    };
    match entry.as_str() {
        "runner" => {
            Runner::new(handler)
                .on_shutdown(first)
                .on_shutdown(second)
                .run()
                .await
        }
        "functions" => {
            let functions = Functions::new()
                .add("hooks", handler)
                .on_shutdown(first)
                .on_shutdown(second);
            anyfn_auto::run_functions(functions).await
        }
        other => panic!("{CHILD}={other:?}: expected runner or functions"),
    }
    .expect("the child runs until SIGTERM");
}

fn millis_in(line: &str) -> u64 {
    line.rsplit(' ')
        .next()
        .and_then(|ms| ms.trim().parse().ok())
        .unwrap_or_else(|| panic!("no time in {line:?}"))
}

/// Starts the child with `env`, sends a request, SIGTERM while it is in
/// flight, and checks the order of what follows and that the first hook got
/// what was left of a `drain_ms` drain timeout.
async fn on_sigterm_the_hooks_run_after_the_request_in_flight_in_order(
    env: &[(&str, &str)],
    drain_ms: u64,
) {
    let mut command = Command::new(std::env::current_exe().expect("the test binary"));
    command.args([
        "--ignored",
        "--exact",
        "shutdown_hooks::shutdown_hooks_child",
        "--nocapture",
    ]);
    let mut server = ExampleServer::spawn(command, env);
    let client = TestClient::new(server.addr);
    let in_flight = tokio::spawn(async move { client.get("/").await });
    server.line_containing("HANDLER started", Duration::from_secs(10));
    server.terminate();

    // Each line is looked for after the one before: the order is the log's.
    server.line_containing("HANDLER answering", Duration::from_secs(10));
    let first = server.line_containing("HOOK first", Duration::from_secs(10));
    let second = server.line_containing("HOOK second", Duration::from_secs(10));
    // The drain took about the request's 300 ms of the drain timeout.
    let (first, second) = (millis_in(&first), millis_in(&second));
    assert!(
        first < drain_ms - 200 && first > drain_ms * 2 / 3,
        "first had {first} ms of {drain_ms}"
    );
    assert!(second <= first, "second had {second} ms, first {first} ms");

    let response = within(Duration::from_secs(10), "the request in flight", in_flight)
        .await
        .expect("the task ends")
        .expect("the request in flight is answered");
    response.assert_status(200);
    assert_eq!(response.text(), "answered");
    let status = poll_until("the child to exit", Duration::from_secs(10), || {
        let status = server.child.try_wait().expect("try_wait");
        async move { status }
    })
    .await;
    assert!(status.success(), "{status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_runner_the_hooks_run_after_the_request_in_flight_in_order() {
    on_sigterm_the_hooks_run_after_the_request_in_flight_in_order(&[(CHILD, "runner")], 30_000)
        .await;
}

/// On Cloud Run (`K_SERVICE` set) the drain timeout is 9 s, inside the 10 s
/// Cloud Run gives after SIGTERM, so the hooks are told the time they have.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_cloud_run_the_hooks_get_what_is_left_of_9_s() {
    on_sigterm_the_hooks_run_after_the_request_in_flight_in_order(
        &[
            (CHILD, "runner"),
            ("K_SERVICE", "hooks"),
            ("HOST", "127.0.0.1"),
        ],
        9_000,
    )
    .await;
}

/// `FUNCTION_TARGET` names the one function: served alone, as on Cloud Run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_a_registry_the_hooks_run_after_the_request_in_flight_in_order() {
    on_sigterm_the_hooks_run_after_the_request_in_flight_in_order(
        &[(CHILD, "functions"), ("FUNCTION_TARGET", "hooks")],
        30_000,
    )
    .await;
}

#[tokio::test]
async fn an_overrunning_hook_is_cut_and_run_until_returns_within_the_drain_timeout() {
    let journal = Arc::new(Mutex::new(Vec::<&str>::new()));
    let (first, second) = (Arc::clone(&journal), Arc::clone(&journal));
    let handler = handler_fn(|_request: Request, _context: Context| async {
        Ok::<_, anyfn::Error>(anyfn::response::text("hi"))
    });
    let drain = Duration::from_millis(400);
    let bound = anyfn_server::Server::new(handler)
        .addr(([127, 0, 0, 1], 0).into())
        .drain_timeout(drain)
        .default_subscriber(false)
        .on_shutdown(move |time_left| async move {
            first.lock().expect("not poisoned").push("overrunning");
            tokio::time::sleep(time_left + Duration::from_secs(60)).await;
            first.lock().expect("not poisoned").push("never");
        })
        .on_shutdown(move |_| async move {
            second.lock().expect("not poisoned").push("after");
        })
        .bind()
        .await
        .expect("binds");
    let started = Instant::now();
    within(
        Duration::from_secs(5),
        "run_until with an overrunning hook",
        bound.run_until(std::future::ready(())),
    )
    .await;
    let took = started.elapsed();
    assert!(took < drain + Duration::from_millis(500), "took {took:?}");
    assert_eq!(*journal.lock().expect("not poisoned"), ["overrunning"]);
}

/// On Lambda the hooks are not run yet (Lambda tells a function it is
/// shutting down only through an extension): a function with hooks says so
/// at start-up, through `Runner` and through a registry, rather than
/// dropping them silently.
#[tokio::test]
async fn on_lambda_hooks_not_run_yet_are_said_at_start_up() {
    for entry in ["runner", "functions"] {
        let emulator = anyfn_test::LambdaEmulator::builder()
            .handler("hooks")
            .start()
            .await
            .expect("emulator");
        let mut command = Command::new(std::env::current_exe().expect("the test binary"));
        command
            .args([
                "--ignored",
                "--exact",
                "shutdown_hooks::shutdown_hooks_child",
                "--nocapture",
            ])
            .env(CHILD, entry);
        let _child = emulator.spawn_captured(command).expect("the child starts");
        let line = emulator
            .output_line_containing(
                "shutdown hooks are not run on Lambda yet",
                Duration::from_secs(20),
            )
            .await
            .unwrap_or_else(|| panic!("{entry}: the start-up line in {:#?}", emulator.output()));
        assert!(
            line.contains("WARN") && line.contains("hooks=2"),
            "{entry}: {line}"
        );
    }
}
