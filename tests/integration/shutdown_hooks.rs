//! Shutdown hooks (`on_shutdown`): after SIGTERM the request in flight is
//! answered, then the hooks run in order with what is left of the drain
//! timeout, then the process exits; a hook overrunning the time left is
//! cut, and the server still returns within the drain timeout. On the
//! server, on Azure under its emulator, and on Lambda under its emulator
//! (SIGTERM there comes with the shutdown phase, thanks to the internal
//! extension the function registers, within Lambda's 500 ms).

use crate::support::child_test;
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

/// Not a test: the child process of the SIGTERM tests below (this
/// binary, with [`CHILD`] set to `runner`, `functions` or `overrun`, whose
/// second hook overruns any time left and whose third is never run). Through
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
        "overrun" => {
            Runner::new(handler)
                .on_shutdown(first)
                .on_shutdown(|time_left: Duration| async move {
                    eprintln!("HOOK overrunning {}", time_left.as_millis());
                    tokio::time::sleep(time_left + Duration::from_secs(60)).await;
                })
                .on_shutdown(|_time_left: Duration| async move {
                    eprintln!("HOOK third");
                })
                .run()
                .await
        }
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
        other => panic!("{CHILD}={other:?}: expected runner, functions or overrun"),
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
    let command = child_test("shutdown_hooks::shutdown_hooks_child");
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

/// Starts the test binary's [`shutdown_hooks_child`] with `entry` under a
/// Lambda emulator serving function `hooks`.
async fn lambda_child(entry: &str) -> (anyfn_test::LambdaEmulator, anyfn_test::FunctionProcess) {
    let emulator = anyfn_test::LambdaEmulator::builder()
        .handler("hooks")
        .start()
        .await
        .expect("emulator");
    let mut command = child_test("shutdown_hooks::shutdown_hooks_child");
    command.env(CHILD, entry);
    let child = emulator.spawn_captured(command).expect("the child starts");
    (emulator, child)
}

/// The lines of `output` that contain `needle`, in order.
fn lines_with<'a>(output: &'a [String], needle: &str) -> Vec<&'a String> {
    output.iter().filter(|line| line.contains(needle)).collect()
}

/// On Lambda a function with shutdown hooks registers an internal
/// extension before its first `next`, so Lambda sends it SIGTERM at
/// shutdown; the hooks then run in order within the 500 ms grace period
/// (less the 100 ms kept for the exit), and the process exits by itself within it.
/// Through `Runner` and through a registry alike.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_lambda_the_hooks_run_on_sigterm_within_the_grace_period() {
    for entry in ["runner", "functions"] {
        let (emulator, _child) = lambda_child(entry).await;
        let registered = poll_until(
            "the extension to wait for events",
            Duration::from_secs(20),
            || {
                let extensions = emulator.extensions();
                async move {
                    extensions
                        .into_iter()
                        .find(|extension| extension.waiting_for_events)
                }
            },
        )
        .await;
        assert_eq!(registered.name, "anyfn-shutdown-hooks", "{entry}");
        assert!(
            registered.events.is_empty(),
            "{entry}: no events: {registered:?}"
        );
        assert!(
            registered.before_first_next,
            "{entry}: registered in the init phase"
        );

        let outcome = emulator.shut_down().await.expect("shut down");
        assert!(outcome.sigterm_sent, "{entry}: {outcome:?}");
        assert!(
            outcome.exited_within_grace,
            "{entry}: {outcome:?}\n{:#?}",
            emulator.output()
        );
        assert!(
            outcome.exit_status.is_some_and(|status| status.success()),
            "{entry}: {outcome:?}"
        );
        // The process has exited; its last lines may still be on their
        // way from the pipe to the emulator's capture.
        emulator
            .output_line_containing("shut down after", Duration::from_secs(10))
            .await;
        let output = emulator.output();
        let first = lines_with(&output, "HOOK first");
        let second = lines_with(&output, "HOOK second");
        assert!(
            first.len() == 1 && second.len() == 1,
            "{entry}: {output:#?}"
        );
        let (first, second) = (millis_in(first[0]), millis_in(second[0]));
        assert!(
            first <= 450 && first > 300,
            "{entry}: first had {first} ms of 450"
        );
        assert!(
            second <= first,
            "{entry}: second had {second} ms, first {first}"
        );
        let position = |needle: &str| output.iter().position(|line| line.contains(needle));
        assert!(
            position("HOOK first") < position("HOOK second"),
            "{entry}: in order: {output:#?}"
        );
        assert!(
            lines_with(&output, "SIGTERM: Lambda is shutting the environment down").len() == 1,
            "{entry}: the INFO line: {output:#?}"
        );
    }
}

/// A hook overrunning Lambda's grace period is cut with a `WARN` line
/// naming it, the hooks after it are not run, and the process still exits
/// before Lambda's SIGKILL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_lambda_an_overrunning_hook_is_cut_and_the_process_exits_within_the_grace_period() {
    let (emulator, _child) = lambda_child("overrun").await;
    poll_until(
        "the extension to wait for events",
        Duration::from_secs(20),
        || {
            let waiting = emulator.extensions().iter().any(|e| e.waiting_for_events);
            async move { waiting.then_some(()) }
        },
    )
    .await;
    let outcome = emulator.shut_down().await.expect("shut down");
    assert!(
        outcome.sigterm_sent && outcome.exited_within_grace,
        "{outcome:?}\n{:#?}",
        emulator.output()
    );
    assert!(outcome.elapsed < outcome.grace, "{outcome:?}");
    // The last lines may still be on their way from the pipe.
    emulator
        .output_line_containing("shutdown hook 1 cut", Duration::from_secs(10))
        .await;
    let output = emulator.output();
    assert_eq!(lines_with(&output, "HOOK first").len(), 1, "{output:#?}");
    assert!(
        lines_with(&output, "HOOK third").is_empty(),
        "not run: {output:#?}"
    );
    let cut = lines_with(&output, "shutdown hook 1 cut");
    assert!(
        cut.len() == 1 && cut[0].contains("WARN") && cut[0].contains("1 hook(s) after it not run"),
        "{output:#?}"
    );
}

/// Without shutdown hooks no extension is registered (Lambda's shutdown
/// phase then takes no time: SIGKILL at once), as before this feature: a
/// function pays for the extension only when it has hooks.
#[tokio::test]
async fn on_lambda_without_hooks_no_extension_is_registered() {
    let emulator = anyfn_test::LambdaEmulator::start().await.expect("emulator");
    let _function = emulator
        .spawn(crate::lambda::example("greet-json"))
        .expect("greet-json starts");
    let answer = emulator.invoke(r#"{"name":"Ada"}"#).await.expect_json();
    assert_eq!(answer["greeting"], "Hello, Ada!");
    assert!(
        emulator.extensions().is_empty(),
        "{:?}",
        emulator.extensions()
    );
    let outcome = emulator.shut_down().await.expect("shut down");
    assert!(!outcome.sigterm_sent, "{outcome:?}");
}

/// On Azure Functions (under its emulator) SIGTERM to the custom handler
/// lets the request in flight finish, then runs the hooks in order with
/// what is left of the 30 s drain, and the process exits 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_azure_the_hooks_run_on_sigterm_after_the_request_in_flight() {
    let app = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/azure/hello");
    let azure = Arc::new(
        anyfn_test::AzureEmulator::builder()
            .app_dir(app)
            .build()
            .expect("the app folder reads"),
    );
    let mut command = child_test("shutdown_hooks::shutdown_hooks_child");
    command.env(CHILD, "runner");
    let mut child = azure
        .spawn_command(command)
        .await
        .expect("the child starts");
    let in_flight = tokio::spawn({
        let azure = Arc::clone(&azure);
        async move { azure.http("hello", anyfn_test::TestRequest::get("/")).await }
    });
    let started = poll_until("the handler to start", Duration::from_secs(10), || {
        let started = azure
            .output()
            .iter()
            .any(|line| line.contains("HANDLER started"));
        async move { started.then_some(()) }
    })
    .await;
    let () = started;
    let pid = child.id().expect("running");
    let killed = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());

    let outcome = within(Duration::from_secs(10), "the request in flight", in_flight)
        .await
        .expect("the task ends");
    let response = outcome.http_response();
    response.assert_status(200);
    assert_eq!(response.text(), "answered");
    let status = child
        .exit_status_within(Duration::from_secs(10))
        .await
        .expect("status")
        .expect("the child exits");
    assert!(status.success(), "{status}");
    let output = azure.output();
    let position = |needle: &str| {
        output
            .iter()
            .position(|line| line.contains(needle))
            .unwrap_or_else(|| panic!("{needle:?} in {output:#?}"))
    };
    assert!(
        position("HANDLER answering") < position("HOOK first"),
        "{output:#?}"
    );
    assert!(
        position("HOOK first") < position("HOOK second"),
        "{output:#?}"
    );
    let first = millis_in(&output[position("HOOK first")]);
    assert!(
        first < 30_000 && first > 25_000,
        "first had {first} ms of 30 s"
    );
}
