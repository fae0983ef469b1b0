//! The Lambda emulator's lifecycle outside invocations: the Extensions API,
//! SnapStart's restore and the shutdown phase, driven by a raw HTTP client
//! (one hyper connection per [`Connection`], so that a test says which
//! connection a request goes on) and by plain processes (`sleep`, `sh`).

use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyfn_test::{LambdaEmulator, LambdaOutcome, LifecycleCall};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};

/// How long a test polls for something that should happen soon.
const BOUND: Duration = Duration::from_secs(5);

/// One HTTP/1.1 connection to the emulator.
struct Connection(SendRequest<Full<Bytes>>);

/// An answer: status, headers, body.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: hyper::HeaderMap,
    body: Bytes,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    }
}

impl Connection {
    async fn open(emulator: &LambdaEmulator) -> Self {
        let stream = tokio::net::TcpStream::connect(emulator.runtime_api())
            .await
            .expect("the emulator listens");
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .expect("an HTTP/1.1 connection");
        tokio::spawn(connection);
        Self(sender)
    }

    /// Sends one request; `Err` when the connection was closed unanswered.
    async fn call(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Result<Answer, hyper::Error> {
        let mut request = hyper::Request::builder()
            .method(method)
            .uri(path)
            .header("host", "127.0.0.1");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request
            .body(Full::new(Bytes::from(body.to_owned())))
            .expect("a request");
        self.0.ready().await?;
        let response = self.0.send_request(request).await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await?.to_bytes();
        Ok(Answer {
            status,
            headers,
            body,
        })
    }
}

/// One request on a connection of its own.
async fn call(
    emulator: &LambdaEmulator,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Answer {
    Connection::open(emulator)
        .await
        .call(method, path, headers, body)
        .await
        .expect("an answer")
}

async fn register(emulator: &LambdaEmulator, name: &str, events: Value) -> Answer {
    call(
        emulator,
        "POST",
        "/2020-01-01/extension/register",
        &[("lambda-extension-name", name)],
        &json!({ "events": events }).to_string(),
    )
    .await
}

/// Calls `event/next` for `identifier` on a task of its own: it waits.
fn event_next(emulator: &LambdaEmulator, identifier: String) -> tokio::task::JoinHandle<Answer> {
    let api = emulator.runtime_api();
    tokio::spawn(async move {
        let stream = tokio::net::TcpStream::connect(api).await.expect("connects");
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake::<_, Full<Bytes>>(TokioIo::new(stream))
                .await
                .expect("a connection");
        tokio::spawn(connection);
        let request = hyper::Request::get("/2020-01-01/extension/event/next")
            .header("host", "127.0.0.1")
            .header("lambda-extension-identifier", identifier)
            .body(Full::default())
            .expect("a request");
        let response = sender.send_request(request).await.expect("an answer");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("a body")
            .to_bytes();
        Answer {
            status,
            headers,
            body,
        }
    })
}

/// Polls `done` every 5 ms for at most [`BOUND`].
async fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < BOUND, "not within {BOUND:?}: {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

fn quiet(mut command: Command) -> Command {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

fn sleeper() -> Command {
    let mut command = Command::new("sleep");
    command.arg("30");
    quiet(command)
}

fn unix_ms() -> u64 {
    u64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("after 1970")
            .as_millis(),
    )
    .expect("fits")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_extension_registers_and_then_waits_for_events() {
    let emulator = LambdaEmulator::builder()
        .function_name("orders")
        .function_version("7")
        .handler("orders.handler")
        .start()
        .await
        .expect("emulator");
    let answer = register(&emulator, "probe", json!([])).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(
        answer.json(),
        json!({"functionName": "orders", "functionVersion": "7", "handler": "orders.handler"})
    );
    let identifier = answer
        .header("lambda-extension-identifier")
        .expect("an identifier");
    assert!(!identifier.is_empty());

    let registered = emulator.extensions();
    assert_eq!(registered.len(), 1);
    assert_eq!(registered[0].name, "probe");
    assert_eq!(registered[0].identifier, identifier);
    assert!(registered[0].events.is_empty());
    assert!(registered[0].before_first_next);
    assert!(!registered[0].waiting_for_events);

    let waiting = event_next(&emulator, identifier);
    eventually("the extension polls event/next", || {
        emulator.extensions()[0].waiting_for_events
    })
    .await;
    assert!(!waiting.is_finished(), "no events: never answered");
    assert_eq!(
        emulator.lifecycle(),
        [
            LifecycleCall::ExtensionRegistered {
                name: "probe".to_owned()
            },
            LifecycleCall::ExtensionNext {
                name: "probe".to_owned()
            },
        ]
    );
    waiting.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registration_after_the_first_invocation_next_is_refused() {
    let emulator = LambdaEmulator::start().await.expect("emulator");
    assert_eq!(register(&emulator, "early", json!([])).await.status, 200);
    // The function's first next ends the init phase; it waits for an
    // invocation that never comes.
    let api = emulator.runtime_api();
    let next = tokio::spawn(async move {
        let stream = tokio::net::TcpStream::connect(api).await.expect("connects");
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake::<_, Full<Bytes>>(TokioIo::new(stream))
                .await
                .expect("a connection");
        tokio::spawn(connection);
        let request = hyper::Request::get("/2018-06-01/runtime/invocation/next")
            .header("host", "127.0.0.1")
            .body(Full::default())
            .expect("a request");
        let _ = sender.send_request(request).await;
    });
    eventually("the first invocation/next", || {
        emulator
            .lifecycle()
            .contains(&LifecycleCall::FirstInvocationNext)
    })
    .await;

    let late = register(&emulator, "late", json!(["SHUTDOWN"])).await;
    assert_eq!(late.status, 403, "{late:?}");
    assert_eq!(late.json()["errorType"], "Extension.RegistrationClosed");
    assert!(late.json()["errorMessage"].is_string());
    let names: Vec<_> = emulator.extensions().into_iter().map(|e| e.name).collect();
    assert_eq!(names, ["early"]);
    assert_eq!(
        emulator.lifecycle(),
        [
            LifecycleCall::ExtensionRegistered {
                name: "early".to_owned()
            },
            LifecycleCall::FirstInvocationNext,
            LifecycleCall::ExtensionRefused {
                name: "late".to_owned(),
                error_type: "Extension.RegistrationClosed".to_owned()
            },
        ]
    );
    next.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_registrations_and_unknown_identifiers_are_refused() {
    let emulator = LambdaEmulator::start().await.expect("emulator");

    let invoke = register(&emulator, "tracer", json!(["INVOKE", "SHUTDOWN"])).await;
    assert_eq!(invoke.status, 400, "{invoke:?}");
    assert_eq!(invoke.json()["errorType"], "Extension.InvalidEventType");
    let message = invoke.json()["errorMessage"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(message.contains("not emulated"), "{message}");

    let unknown = register(&emulator, "tracer", json!(["BREAKFAST"])).await;
    assert_eq!(unknown.status, 403);
    assert_eq!(unknown.json()["errorType"], "Extension.InvalidEventType");

    let nameless = call(
        &emulator,
        "POST",
        "/2020-01-01/extension/register",
        &[],
        r#"{"events":[]}"#,
    )
    .await;
    assert_eq!(nameless.status, 403);
    assert_eq!(
        nameless.json()["errorType"],
        "Extension.InvalidExtensionName"
    );

    let not_json = call(
        &emulator,
        "POST",
        "/2020-01-01/extension/register",
        &[("lambda-extension-name", "tracer")],
        "events please",
    )
    .await;
    assert_eq!(not_json.status, 403);
    assert_eq!(not_json.json()["errorType"], "InvalidRequestFormat");

    assert_eq!(register(&emulator, "tracer", json!([])).await.status, 200);
    let twice = register(&emulator, "tracer", json!([])).await;
    assert_eq!(twice.status, 403);
    assert_eq!(twice.json()["errorType"], "Extension.InvalidExtensionState");
    assert_eq!(emulator.extensions().len(), 1);

    let stranger = call(
        &emulator,
        "GET",
        "/2020-01-01/extension/event/next",
        &[("lambda-extension-identifier", "not-an-extension")],
        "",
    )
    .await;
    assert_eq!(stranger.status, 403);
    assert_eq!(
        stranger.json()["errorType"],
        "Extension.UnknownExtensionIdentifier"
    );
    let anonymous = call(
        &emulator,
        "GET",
        "/2020-01-01/extension/event/next",
        &[],
        "",
    )
    .await;
    assert_eq!(anonymous.status, 403);
    assert_eq!(anonymous.json()["errorType"], "Extension.MissingHeader");
    assert!(!emulator.extensions()[0].waiting_for_events);

    let refusals = emulator
        .lifecycle()
        .into_iter()
        .filter(|call| matches!(call, LifecycleCall::ExtensionRefused { .. }))
        .count();
    assert_eq!(refusals, 5);
}

#[tokio::test]
async fn the_initialization_type_is_on_demand_unless_snap_start() {
    let variable = |emulator: &LambdaEmulator| {
        emulator
            .function_env()
            .into_iter()
            .find(|(name, _)| name == "AWS_LAMBDA_INITIALIZATION_TYPE")
            .map(|(_, value)| value)
    };
    let on_demand = LambdaEmulator::start().await.expect("emulator");
    assert_eq!(variable(&on_demand).as_deref(), Some("on-demand"));
    let snap_start = LambdaEmulator::builder()
        .snap_start()
        .start()
        .await
        .expect("emulator");
    assert_eq!(variable(&snap_start).as_deref(), Some("snap-start"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_next_is_held_until_the_restore_which_breaks_older_connections() {
    let emulator = LambdaEmulator::builder()
        .snap_start()
        .start()
        .await
        .expect("emulator");
    // A connection used before the snapshot, as a runtime's pool keeps it.
    let mut before = Connection::open(&emulator).await;
    let registered = before
        .call(
            "POST",
            "/2020-01-01/extension/register",
            &[("lambda-extension-name", "cache")],
            r#"{"events":[]}"#,
        )
        .await
        .expect("an answer");
    assert_eq!(registered.status, 200);
    assert!(
        !emulator
            .snapshot_requested_within(Duration::from_millis(20))
            .await
    );

    let mut snapshotting = Connection::open(&emulator).await;
    let held = tokio::spawn(async move {
        snapshotting
            .call("GET", "/2018-06-01/runtime/restore/next", &[], "")
            .await
    });
    assert!(emulator.snapshot_requested_within(BOUND).await);
    assert!(!held.is_finished(), "held until the restore");
    let late = register(&emulator, "late", json!([])).await;
    assert_eq!(late.status, 403, "restore/next ends the init phase");
    assert_eq!(late.json()["errorType"], "Extension.RegistrationClosed");
    assert!(!held.is_finished(), "held until the restore");

    emulator.restore();
    let restored = held.await.expect("the task").expect("an answer");
    assert_eq!(restored.status, 200);
    assert!(restored.body.is_empty());

    // The connection from before the snapshot is broken.
    let broken = before
        .call("GET", "/2018-06-01/runtime/invocation/next", &[], "")
        .await;
    assert!(broken.is_err(), "{broken:?}");
    assert_eq!(emulator.requests_on_connections_from_before_restore(), 1);

    // A new connection is served: restore/next at once, restore/error kept.
    let again = call(
        &emulator,
        "GET",
        "/2018-06-01/runtime/restore/next",
        &[],
        "",
    )
    .await;
    assert_eq!(again.status, 200);
    let reported = call(
        &emulator,
        "POST",
        "/2018-06-01/runtime/restore/error",
        &[(
            "lambda-runtime-function-error-type",
            "Runtime.AfterRestoreError",
        )],
        r#"{"errorType":"AfterRestoreError","errorMessage":"the pool would not reconnect"}"#,
    )
    .await;
    assert_eq!(reported.status, 202);
    assert_eq!(reported.json(), json!({"status": "OK"}));
    let errors = emulator.restore_errors();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].error_type, "AfterRestoreError");
    assert_eq!(errors[0].error_message, "the pool would not reconnect");
    assert_eq!(
        errors[0].header_error_type.as_deref(),
        Some("Runtime.AfterRestoreError")
    );
    assert!(emulator.init_errors().is_empty());
    assert_eq!(emulator.requests_on_connections_from_before_restore(), 1);

    assert_eq!(
        emulator.lifecycle(),
        [
            LifecycleCall::ExtensionRegistered {
                name: "cache".to_owned()
            },
            LifecycleCall::RestoreNext,
            LifecycleCall::ExtensionRefused {
                name: "late".to_owned(),
                error_type: "Extension.RegistrationClosed".to_owned()
            },
            LifecycleCall::Restored,
            LifecycleCall::RestoreNext,
            LifecycleCall::RestoreError,
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_no_extension_shutdown_kills_at_once_and_invocations_then_fail() {
    let emulator = LambdaEmulator::start().await.expect("emulator");
    let _function = emulator.spawn_command(sleeper()).expect("sleep runs");
    let outcome = emulator.shut_down().await.expect("shut down");
    assert!(!outcome.sigterm_sent);
    assert!(!outcome.exited_within_grace);
    assert_eq!(outcome.grace, Duration::ZERO);
    assert_eq!(
        outcome.exit_status.and_then(|status| status.signal()),
        Some(9)
    );
    assert_eq!(emulator.lifecycle(), [LifecycleCall::ShutdownKill]);

    let started = Instant::now();
    let outcome = emulator.invoke("{}").await;
    assert!(
        matches!(outcome, LambdaOutcome::NoAnswer { .. }),
        "{outcome:?}"
    );
    assert!(
        started.elapsed() < BOUND,
        "at once, not after the init grace"
    );
    assert_eq!(emulator.restarts(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_extensions_shutdown_sends_sigterm_and_the_shutdown_event() {
    let emulator = LambdaEmulator::start().await.expect("emulator");
    let watcher = register(&emulator, "watcher", json!(["SHUTDOWN"])).await;
    let silent = register(&emulator, "silent", json!([])).await;
    let watching = event_next(
        &emulator,
        watcher.header("lambda-extension-identifier").expect("id"),
    );
    let waiting = event_next(
        &emulator,
        silent.header("lambda-extension-identifier").expect("id"),
    );
    eventually("both extensions poll", || {
        emulator.extensions().iter().all(|e| e.waiting_for_events)
    })
    .await;
    assert!(!watching.is_finished(), "answered at shutdown only");
    let _function = emulator.spawn_command(sleeper()).expect("sleep runs");

    let before = unix_ms();
    let outcome = emulator.shut_down().await.expect("shut down");
    assert!(outcome.sigterm_sent);
    assert!(outcome.exited_within_grace, "sleep dies of SIGTERM");
    assert_eq!(outcome.grace, Duration::from_millis(500));
    assert!(outcome.elapsed < outcome.grace, "{outcome:?}");
    assert_eq!(
        outcome.exit_status.and_then(|status| status.signal()),
        Some(15)
    );

    let event = tokio::time::timeout(BOUND, watching)
        .await
        .expect("the SHUTDOWN event")
        .expect("the task");
    assert_eq!(event.status, 200);
    let document = event.json();
    assert_eq!(document["eventType"], "SHUTDOWN");
    assert_eq!(document["shutdownReason"], "spindown");
    let deadline = document["deadlineMs"].as_u64().expect("a deadline");
    assert!(
        deadline >= before + 500 && deadline <= unix_ms() + 500,
        "{deadline}"
    );
    assert!(!waiting.is_finished(), "no events: never answered");
    let journal = emulator.lifecycle();
    assert!(
        journal.contains(&LifecycleCall::ShutdownSigterm),
        "{journal:?}"
    );
    assert!(
        journal.contains(&LifecycleCall::ExtensionShutdownEvent {
            name: "watcher".to_owned()
        }),
        "{journal:?}"
    );
    assert!(
        !journal.contains(&LifecycleCall::ShutdownKill),
        "{journal:?}"
    );
    waiting.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_function_ignoring_sigterm_is_killed_after_the_grace() {
    let emulator = LambdaEmulator::builder()
        .shutdown_grace(Duration::from_millis(300))
        .start()
        .await
        .expect("emulator");
    assert_eq!(register(&emulator, "internal", json!([])).await.status, 200);
    // An ignored signal stays ignored across exec: `sleep` ignores SIGTERM.
    let mut command = Command::new("sh");
    command.args(["-c", r#"trap "" TERM; exec sleep 30"#]);
    let function = emulator.spawn_command(quiet(command)).expect("sh runs");
    let pid = function.id().expect("running");
    eventually("sh trapped SIGTERM and became sleep", || {
        std::fs::read_to_string(format!("/proc/{pid}/comm"))
            .is_ok_and(|comm| comm.trim() == "sleep")
    })
    .await;

    let outcome = emulator.shut_down().await.expect("shut down");
    assert!(outcome.sigterm_sent);
    assert!(!outcome.exited_within_grace, "{outcome:?}");
    assert_eq!(outcome.grace, Duration::from_millis(300));
    assert!(outcome.elapsed >= outcome.grace, "{outcome:?}");
    assert_eq!(
        outcome.exit_status.and_then(|status| status.signal()),
        Some(9)
    );
    assert_eq!(
        emulator.lifecycle(),
        [
            LifecycleCall::ExtensionRegistered {
                name: "internal".to_owned()
            },
            LifecycleCall::ShutdownSigterm,
            LifecycleCall::ShutdownKill,
        ]
    );
}

#[tokio::test]
async fn the_lifecycle_futures_can_run_on_any_thread() {
    fn send<T: Send>(_: &T) {}
    let emulator = LambdaEmulator::start().await.expect("emulator");
    send(&emulator.shut_down());
    send(&emulator.snapshot_requested_within(Duration::ZERO));
    send(&emulator.invoke("{}"));
}
