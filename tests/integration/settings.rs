//! The settings every adapter shares (`anyfn_kit::Settings`: timeout, memory
//! size, default subscriber, error details, the REPORT line), end to end: each is the
//! code's, else the environment's (`ANYFN_TIMEOUT_MS`, `ANYFN_MEMORY_MB`,
//! …), else the platform's default, on the server, on Lambda and on Azure.
//!
//! The environment is a process's own, so every test here runs the adapter
//! as a child process with its environment set: an example binary, or this
//! test binary itself running [`settings_child`], which serves [`report`]
//! through `anyfn_auto::Runner` (or `run_functions`) with settings set in
//! code, so that the code's settings meet the environment's.

use crate::support::child_test;
use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyfn::{handler_fn, Context, Error, ErrorDetails, Request, RequestExt, Response};
use anyfn_auto::Runner;
use anyfn_functions::Functions;
use anyfn_test::{AzureEmulator, LambdaEmulator, TestClient, TestRequest, TestResponse};
use serde_json::{json, Value};

use crate::lambda::example;
use crate::support::ExampleServer;

// ---------------------------------------------------------------------------
// The child: this test binary, run again, serving `report` with settings
// set in code.

/// Set in the child's environment: which entry point it runs (`runner` or
/// `functions`).
const CHILD: &str = "ANYFN_SETTINGS_TEST_CHILD";

/// The settings the child sets in code: a 300 ms timeout, 256 MB, error
/// details shown. Each test gives the environment other values.
const CODE_TIMEOUT: Duration = Duration::from_millis(300);
const CODE_MEMORY_MB: u32 = 256;

/// What the context says, after sleeping `?ms=N`; `/fail` fails with an
/// I/O error (a 500 whose message shows only with error details shown).
async fn report(request: Request, context: Context) -> Result<Response, Error> {
    if request.uri().path().ends_with("/fail") {
        return Err(Error::from(std::io::Error::other("the disk is on fire")));
    }
    let ms: u64 = request.query().get("ms").unwrap_or("0").parse()?;
    tokio::time::sleep(Duration::from_millis(ms)).await;
    anyfn::response::json(&json!({
        "remainingTimeMs": context.remaining_time().as_millis() as u64,
        "memoryMb": context.memory_limit_mb(),
        "platform": context.platform().as_str(),
    }))
}

/// Not a test: the child process the tests below start (this binary, with
/// `--ignored --exact settings::settings_child` and [`CHILD`] set). It
/// serves until killed; without [`CHILD`] it returns at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the child process of the settings tests, started by them"]
async fn settings_child() {
    let Ok(entry) = std::env::var(CHILD) else {
        return;
    };
    let ran = match entry.as_str() {
        "runner" => {
            Runner::new(handler_fn(report))
                .timeout(CODE_TIMEOUT)
                .memory_mb(CODE_MEMORY_MB)
                .error_details(ErrorDetails::Shown)
                .run()
                .await
        }
        "functions" => {
            let functions = Functions::new()
                .add("report", handler_fn(report))
                .timeout(CODE_TIMEOUT)
                .memory_mb(CODE_MEMORY_MB)
                .error_details(ErrorDetails::Shown);
            anyfn_auto::run_functions(functions).await
        }
        other => panic!("{CHILD}={other:?}: expected runner or functions"),
    };
    ran.expect("the child runs until killed");
}

/// This test binary, to run [`settings_child`]'s `entry` as a child process.
fn child(entry: &str) -> Command {
    let mut command = child_test("settings::settings_child");
    command.env(CHILD, entry);
    command
}

/// A child serving on the local server (`PORT=0`, neither Lambda's nor
/// Azure's variable), its stderr read line by line.
struct ChildServer {
    child: Child,
    addr: SocketAddr,
    init_line: String,
    lines: std::sync::mpsc::Receiver<String>,
}

impl ChildServer {
    /// Starts `command` as the server with `env` and waits (at most 20 s)
    /// for its INIT line.
    fn start(mut command: Command, env: &[(&str, &str)]) -> Self {
        let mut child = command
            .envs(env.iter().copied())
            .env("PORT", "0")
            .env("RUST_LOG", "info")
            .env_remove("AWS_LAMBDA_RUNTIME_API")
            .env_remove("FUNCTIONS_CUSTOMHANDLER_PORT")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the child starts");
        let stderr = child.stderr.take().expect("stderr piped");
        let (sender, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = Self {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            init_line: String::new(),
            lines,
        };
        server.init_line =
            server.line_containing("INIT listening on http://", Duration::from_secs(20));
        let addr = server
            .init_line
            .split("INIT listening on http://")
            .nth(1)
            .and_then(|rest| rest.split(char::is_whitespace).next())
            .and_then(|addr| addr.parse().ok());
        server.addr = addr.unwrap_or_else(|| panic!("no address in {:?}", server.init_line));
        server
    }

    /// The next stderr line that contains `needle`, waiting at most `bound`.
    fn line_containing(&self, needle: &str, bound: Duration) -> String {
        let deadline = Instant::now() + bound;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => {}
                Err(_) => panic!("no stderr line with {needle:?} within {bound:?}"),
            }
        }
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn get(addr: SocketAddr, path: &str) -> TestResponse {
    TestClient::new(addr).get(path).await.expect("an answer")
}

/// `GET path` answered within `bound` (a deadline answered late fails).
async fn get_within(addr: SocketAddr, path: &str, bound: Duration) -> TestResponse {
    crate::support::within(bound, path, get(addr, path)).await
}

// ---------------------------------------------------------------------------
// The local server.

/// `ANYFN_TIMEOUT_MS` and `ANYFN_MEMORY_MB` set the server's timeout and
/// memory size over its defaults (3 s, 128 MB): `/sleep?ms=1000` is a `504`
/// at 200 ms with the variable, and answered without it.
#[tokio::test]
async fn on_the_server_the_environment_beats_the_default() {
    let set = ExampleServer::start_with_env(
        "failures",
        &[("ANYFN_TIMEOUT_MS", "200"), ("ANYFN_MEMORY_MB", "512")],
    );
    assert!(
        set.init_line
            .contains("\tTimeout: 0.20 s\tMemory Size: 512 MB"),
        "{}",
        set.init_line
    );
    let started = Instant::now();
    let late = get_within(set.addr, "/sleep?ms=1000", Duration::from_secs(10)).await;
    late.assert_status(504);
    assert_eq!(late.json::<Value>()["errorType"], "Timeout");
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "at the 200 ms deadline"
    );
    let report = set.line_containing("REPORT RequestId:", Duration::from_secs(10));
    assert!(report.contains("\tMemory Size: 512 MB\t"), "{report}");

    let unset = ExampleServer::start("failures");
    assert!(
        unset
            .init_line
            .contains("\tTimeout: 3.00 s\tMemory Size: 128 MB"),
        "{}",
        unset.init_line
    );
    let in_time = get_within(unset.addr, "/sleep?ms=1000", Duration::from_secs(10)).await;
    in_time.assert_status(200);
    assert_eq!(in_time.text(), "woke up");
}

/// `ANYFN_REPORT_LINE=off` drops the server's REPORT lines, and `on` keeps
/// them (its default). The log's lines keep the order of events (a REPORT
/// line waiting in its batch is written before any later line), so the
/// line `/log` writes tells whether the REPORT line of the request before
/// it was written: no wait for what might still come.
#[tokio::test]
async fn on_the_server_the_report_line_is_on_unless_turned_off() {
    for (value, written) in [("off", false), ("on", true)] {
        let server = ExampleServer::start_with_env("failures", &[("ANYFN_REPORT_LINE", value)]);
        get_within(server.addr, "/sleep?ms=0", Duration::from_secs(10))
            .await
            .assert_status(200);
        get_within(server.addr, "/log", Duration::from_secs(10))
            .await
            .assert_status(200);
        let mut before = Vec::new();
        loop {
            let line = server
                .lines
                .recv_timeout(Duration::from_secs(10))
                .expect("the line /log writes");
            if line.contains("a line from the function") {
                break;
            }
            before.push(line);
        }
        assert_eq!(
            before.iter().any(|line| line.contains("REPORT RequestId:")),
            written,
            "ANYFN_REPORT_LINE={value}: {before:?}"
        );
    }
}

/// On Cloud Run (`K_SERVICE` set) the default timeout is Cloud Run's own
/// request timeout, 300 s, not the local 3 s: a handler taking 3.5 s is
/// answered (it was a `504` at 3 s); `ANYFN_TIMEOUT_MS` still sets it.
#[tokio::test]
async fn regression_on_cloud_run_the_default_timeout_is_cloud_runs_300_s() {
    let cloud_run = ExampleServer::start_with_env(
        "failures",
        &[("K_SERVICE", "orders"), ("HOST", "127.0.0.1")],
    );
    assert!(
        cloud_run.init_line.contains("Timeout: 300.00 s"),
        "{}",
        cloud_run.init_line
    );
    let slow = get_within(cloud_run.addr, "/sleep?ms=3500", Duration::from_secs(10)).await;
    slow.assert_status(200);
    assert_eq!(slow.text(), "woke up");

    let set = ExampleServer::start_with_env(
        "failures",
        &[
            ("K_SERVICE", "orders"),
            ("HOST", "127.0.0.1"),
            ("ANYFN_TIMEOUT_MS", "200"),
        ],
    );
    assert!(
        set.init_line.contains("Timeout: 0.20 s"),
        "{}",
        set.init_line
    );
}

/// Settings set in code (`Runner::timeout`, `memory_mb`, `error_details`)
/// win over the environment's, on the server `anyfn_auto::Runner` picks.
#[tokio::test]
async fn on_the_server_runners_settings_beat_the_environment() {
    let server = ChildServer::start(
        child("runner"),
        &[
            ("ANYFN_TIMEOUT_MS", "5000"),
            ("ANYFN_MEMORY_MB", "1024"),
            ("ANYFN_ERROR_DETAILS", "hide"),
        ],
    );
    assert_code_settings_on_the_server(&server, "").await;
}

/// The same through a `Functions` registry's settings, served by
/// `anyfn_auto::run_functions` (`FUNCTION_TARGET` names the function).
#[tokio::test]
async fn on_the_server_a_registrys_settings_beat_the_environment() {
    let server = ChildServer::start(
        child("functions"),
        &[
            ("ANYFN_TIMEOUT_MS", "5000"),
            ("ANYFN_MEMORY_MB", "1024"),
            ("ANYFN_ERROR_DETAILS", "hide"),
            ("FUNCTION_TARGET", "report"),
        ],
    );
    assert_code_settings_on_the_server(&server, "").await;
    // Without a target, each function at its own path: the same settings.
    let server = ChildServer::start(
        child("functions"),
        &[("ANYFN_TIMEOUT_MS", "5000"), ("ANYFN_MEMORY_MB", "1024")],
    );
    assert_code_settings_on_the_server(&server, "/report").await;
}

/// The child's code settings hold: 300 ms, 256 MB, details shown.
async fn assert_code_settings_on_the_server(server: &ChildServer, prefix: &str) {
    assert!(
        server
            .init_line
            .contains("\tTimeout: 0.30 s\tMemory Size: 256 MB"),
        "{}",
        server.init_line
    );
    let answer: Value = get_within(server.addr, &format!("{prefix}/"), Duration::from_secs(10))
        .await
        .json();
    assert_eq!(answer["memoryMb"], CODE_MEMORY_MB);
    assert!(
        answer["remainingTimeMs"].as_u64().expect("ms") <= 300,
        "{answer}"
    );
    let started = Instant::now();
    let late = get_within(
        server.addr,
        &format!("{prefix}/sleep?ms=2000"),
        Duration::from_secs(10),
    )
    .await;
    late.assert_status(504);
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "at the code's 300 ms"
    );
    let failed = get_within(
        server.addr,
        &format!("{prefix}/fail"),
        Duration::from_secs(10),
    )
    .await;
    failed.assert_status(500);
    assert_eq!(
        failed.json::<Value>()["errorMessage"],
        "the disk is on fire",
        "error details shown by the code, hidden by the environment"
    );
}

// ---------------------------------------------------------------------------
// AWS Lambda.

/// An HTTP API (v2) `GET` of `path_and_query`.
fn http_api_get(path_and_query: &str) -> String {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": {"host": "example.com"},
        "requestContext": {"http": {"method": "GET", "path": path}, "stage": "$default"},
        "isBase64Encoded": false
    })
    .to_string()
}

/// The HTTP answer's status and JSON body of a Lambda invocation.
async fn lambda_get(emulator: &LambdaEmulator, path_and_query: &str) -> (u64, Value) {
    let answer = emulator
        .invoke(http_api_get(path_and_query))
        .await
        .expect_json();
    let body = answer["body"].as_str().unwrap_or_default();
    let body = serde_json::from_str(body).unwrap_or(Value::Null);
    (answer["statusCode"].as_u64().unwrap_or_default(), body)
}

/// What `echo` says is left of its deadline, on a function whose Lambda
/// timeout is 10 s, with `env` set.
async fn echo_remaining_ms_on_lambda(env: &[(&str, &str)]) -> u64 {
    let mut builder = LambdaEmulator::builder()
        .function_name("echo")
        .timeout(Duration::from_secs(10));
    for (name, value) in env {
        builder = builder.env(*name, *value);
    }
    let emulator = builder.start().await.expect("emulator");
    let _function = emulator.spawn(example("echo")).expect("echo starts");
    let (status, echoed) = lambda_get(&emulator, "/").await;
    assert_eq!(status, 200, "{echoed}");
    echoed["remainingTimeMs"].as_u64().expect("remainingTimeMs")
}

/// On Lambda the deadline is Lambda's (10 s here, less the 100 ms margin):
/// `ANYFN_TIMEOUT_MS` shortens it, and cannot lengthen it.
#[tokio::test]
async fn on_lambda_the_timeout_shortens_lambdas_deadline_and_never_lengthens_it() {
    let lambdas = echo_remaining_ms_on_lambda(&[]).await;
    assert!(
        (8_000..=9_900).contains(&lambdas),
        "{lambdas} ms: Lambda's own"
    );
    let shortened = echo_remaining_ms_on_lambda(&[("ANYFN_TIMEOUT_MS", "1000")]).await;
    assert!(
        (500..=1_000).contains(&shortened),
        "{shortened} ms: shortened"
    );
    let not_lengthened = echo_remaining_ms_on_lambda(&[("ANYFN_TIMEOUT_MS", "60000")]).await;
    assert!(
        (8_000..=9_900).contains(&not_lengthened),
        "{not_lengthened} ms: never past Lambda's deadline"
    );
}

/// On Lambda, `Runner`'s timeout beats `ANYFN_TIMEOUT_MS`; neither the
/// code's memory size nor `ANYFN_MEMORY_MB` overrides Lambda's.
#[tokio::test]
async fn on_lambda_runners_timeout_beats_the_environment_and_memory_stays_lambdas() {
    let emulator = LambdaEmulator::builder()
        .function_name("report")
        .timeout(Duration::from_secs(10))
        .memory_mb(1769)
        .env("ANYFN_TIMEOUT_MS", "5000")
        .env("ANYFN_MEMORY_MB", "4096")
        .env("ANYFN_ERROR_DETAILS", "hide")
        .start()
        .await
        .expect("emulator");
    let mut command = child("runner");
    command.stdout(Stdio::null()).stderr(Stdio::null());
    let _function = emulator.spawn_command(command).expect("the child starts");

    let (status, answer) = lambda_get(&emulator, "/").await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["platform"], "aws-lambda");
    assert_eq!(answer["memoryMb"], 1769, "Lambda's memory size");
    assert!(
        answer["remainingTimeMs"].as_u64().expect("ms") <= 300,
        "{answer}"
    );

    let started = Instant::now();
    let (status, late) = lambda_get(&emulator, "/sleep?ms=2000").await;
    assert_eq!(status, 504, "{late}");
    assert_eq!(late["errorType"], "Timeout");
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "at the code's 300 ms"
    );

    let (status, failed) = lambda_get(&emulator, "/fail").await;
    assert_eq!(status, 500, "{failed}");
    assert_eq!(failed["errorMessage"], "the disk is on fire");
}

// ---------------------------------------------------------------------------
// Azure Functions.

/// The emulator for the example `name`'s app folder, with `env` and,
/// when given, `host.json`'s `functionTimeout`.
fn azure_app(
    name: &str,
    env: &[(&str, &str)],
    function_timeout: Option<Duration>,
) -> AzureEmulator {
    let app = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples/azure")
        .join(name);
    let mut builder = AzureEmulator::builder().app_dir(app);
    for (name, value) in env {
        builder = builder.env(*name, *value);
    }
    if let Some(timeout) = function_timeout {
        builder = builder.function_timeout(timeout);
    }
    builder.build().expect("the app folder reads")
}

async fn azure_init_line(azure: &AzureEmulator) -> String {
    azure
        .output_line_containing("INIT listening on http://", Duration::from_secs(10))
        .await
        .expect("the INIT line")
}

/// On Azure, `ANYFN_TIMEOUT_MS` beats `host.json`'s `functionTimeout`
/// (30 s here): `/sleep?ms=1000` is a `504` at 200 ms. `ANYFN_MEMORY_MB`
/// is the memory size of the INIT and REPORT lines (128 MB without it).
#[tokio::test]
async fn on_azure_the_environment_beats_host_json_and_the_default() {
    let host_json = Some(Duration::from_secs(30));
    let azure = azure_app(
        "failures",
        &[("ANYFN_TIMEOUT_MS", "200"), ("ANYFN_MEMORY_MB", "512")],
        host_json,
    );
    let _process = azure
        .spawn(example("failures"))
        .await
        .expect("failures starts");
    let init = azure_init_line(&azure).await;
    assert!(
        init.contains("\tTimeout: 0.20 s\tMemory Size: 512 MB"),
        "{init}"
    );
    let started = Instant::now();
    let late = azure
        .http("failures", TestRequest::get("/sleep?ms=1000"))
        .await
        .http_response();
    late.assert_status(504);
    assert_eq!(late.json::<Value>()["errorType"], "Timeout");
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "at the 200 ms deadline"
    );
    let report = azure
        .output_line_containing("REPORT RequestId:", Duration::from_secs(10))
        .await
        .expect("a REPORT line");
    assert!(report.contains("\tMemory Size: 512 MB\t"), "{report}");

    let unset = azure_app("failures", &[], host_json);
    let _process = unset
        .spawn(example("failures"))
        .await
        .expect("failures starts");
    let init = azure_init_line(&unset).await;
    assert!(
        init.contains("\tTimeout: 30.00 s\tMemory Size: 128 MB"),
        "{init}"
    );
    let in_time = unset
        .http("failures", TestRequest::get("/sleep?ms=1000"))
        .await
        .http_response();
    in_time.assert_status(200);
    assert_eq!(in_time.text(), "woke up");
}

/// On Azure, `ANYFN_REPORT_LINE=off` drops the REPORT lines, and `on`
/// keeps them (the default). Both go to stdout in the order of events, so
/// the failure line of `/fail` tells whether the REPORT line of the
/// request before it was written.
#[tokio::test]
async fn on_azure_the_report_line_is_on_unless_turned_off() {
    for (value, written) in [("off", false), ("on", true)] {
        let azure = azure_app("failures", &[("ANYFN_REPORT_LINE", value)], None);
        let _process = azure
            .spawn(example("failures"))
            .await
            .expect("failures starts");
        azure
            .http("failures", TestRequest::get("/sleep?ms=0"))
            .await
            .http_response()
            .assert_status(200);
        azure
            .http("failures", TestRequest::get("/fail"))
            .await
            .http_response()
            .assert_status(400);
        let failure = azure
            .output_line_containing("order 17 does not exist", Duration::from_secs(10))
            .await
            .expect("the failure's line");
        let output = azure.output();
        let before = output
            .iter()
            .take_while(|line| **line != failure)
            .collect::<Vec<_>>();
        assert_eq!(
            before.iter().any(|line| line.contains("REPORT RequestId:")),
            written,
            "ANYFN_REPORT_LINE={value}: {before:?}"
        );
    }
}

/// `ANYFN_AZURE_TIMEOUT_MS`, the old name, still sets the timeout, with a
/// WARN line saying it is deprecated; `ANYFN_TIMEOUT_MS` wins when both are
/// set.
#[tokio::test]
async fn on_azure_the_deprecated_azure_timeout_variable_still_works_and_loses_to_the_new_one() {
    let old = azure_app("failures", &[("ANYFN_AZURE_TIMEOUT_MS", "200")], None);
    let _process = old
        .spawn(example("failures"))
        .await
        .expect("failures starts");
    let init = azure_init_line(&old).await;
    assert!(init.contains("\tTimeout: 0.20 s\t"), "{init}");
    let warning = old
        .output_line_containing(
            "ANYFN_AZURE_TIMEOUT_MS is deprecated",
            Duration::from_secs(10),
        )
        .await
        .expect("a deprecation line");
    assert!(
        warning.contains("WARN") && warning.contains("read as ANYFN_TIMEOUT_MS"),
        "{warning}"
    );
    let late = old
        .http("failures", TestRequest::get("/sleep?ms=1000"))
        .await
        .http_response();
    late.assert_status(504);

    let both = azure_app(
        "failures",
        &[
            ("ANYFN_TIMEOUT_MS", "60000"),
            ("ANYFN_AZURE_TIMEOUT_MS", "200"),
        ],
        None,
    );
    let _process = both
        .spawn(example("failures"))
        .await
        .expect("failures starts");
    let init = azure_init_line(&both).await;
    assert!(
        init.contains("\tTimeout: 60.00 s\t"),
        "the new name's: {init}"
    );
    let warning = both
        .output_line_containing(
            "ANYFN_AZURE_TIMEOUT_MS is deprecated",
            Duration::from_secs(10),
        )
        .await
        .expect("a deprecation line");
    assert!(warning.contains("ignored"), "{warning}");
}

/// On Azure, `Runner`'s settings beat the environment's (and `host.json`'s).
#[tokio::test]
async fn on_azure_runners_settings_beat_the_environment() {
    let azure = azure_app(
        "echo",
        &[
            ("ANYFN_TIMEOUT_MS", "5000"),
            ("ANYFN_MEMORY_MB", "1024"),
            ("ANYFN_ERROR_DETAILS", "hide"),
        ],
        Some(Duration::from_secs(30)),
    );
    let _process = azure
        .spawn_command(child("runner"))
        .await
        .expect("the child starts");
    let init = azure_init_line(&azure).await;
    assert!(
        init.contains("\tTimeout: 0.30 s\tMemory Size: 256 MB"),
        "{init}"
    );

    let answer: Value = azure
        .http("echo", TestRequest::get("/"))
        .await
        .http_response()
        .json();
    assert_eq!(answer["platform"], "azure-functions");
    assert_eq!(answer["memoryMb"], CODE_MEMORY_MB);
    assert!(
        answer["remainingTimeMs"].as_u64().expect("ms") <= 300,
        "{answer}"
    );

    let started = Instant::now();
    let late = azure
        .http("echo", TestRequest::get("/sleep?ms=2000"))
        .await
        .http_response();
    late.assert_status(504);
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "at the code's 300 ms"
    );

    let failed = azure
        .http("echo", TestRequest::get("/fail"))
        .await
        .http_response();
    failed.assert_status(500);
    assert_eq!(
        failed.json::<Value>()["errorMessage"],
        "the disk is on fire"
    );
}

// ---------------------------------------------------------------------------
// A bad value.

/// A process that is expected to exit: killed if it does not.
struct Exiting(Child);

impl Drop for Exiting {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs `hello` with `env` and `ANYFN_TIMEOUT_MS=soon`; returns what it
/// wrote to stderr once it has exited, failing (at most 20 s) if it does
/// not, or exits with success.
async fn hello_with_a_bad_timeout(env: &[(&str, &str)]) -> String {
    let child = Command::new(example("hello"))
        .env_remove("PORT")
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .env_remove("FUNCTIONS_CUSTOMHANDLER_PORT")
        .envs(env.iter().copied())
        .env("ANYFN_TIMEOUT_MS", "soon")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("hello starts");
    let mut process = Exiting(child);
    let status = crate::support::poll_until("hello to exit", Duration::from_secs(20), || {
        let exited = process.0.try_wait().expect("its status");
        async move { exited }
    })
    .await;
    assert!(!status.success(), "{status}");
    let mut stderr = String::new();
    process
        .0
        .stderr
        .take()
        .expect("stderr piped")
        .read_to_string(&mut stderr)
        .expect("stderr");
    stderr
}

/// A bad `ANYFN_TIMEOUT_MS` stops each adapter at start, with a message
/// naming the variable, its value and what it must hold; nothing panics.
#[tokio::test]
async fn a_bad_timeout_variable_stops_every_adapter_with_a_message_naming_it() {
    let message = "ANYFN_TIMEOUT_MS=\"soon\" is invalid: \
                   expected a positive whole number of milliseconds, such as 10000";
    let on_the_server = hello_with_a_bad_timeout(&[("PORT", "0")]).await;
    let on_lambda = hello_with_a_bad_timeout(&[
        ("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9"),
        ("AWS_LAMBDA_FUNCTION_NAME", "hello"),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"),
    ])
    .await;
    let on_azure = hello_with_a_bad_timeout(&[("FUNCTIONS_CUSTOMHANDLER_PORT", "0")]).await;
    for (adapter, stderr) in [
        ("server", on_the_server),
        ("lambda", on_lambda),
        ("azure", on_azure),
    ] {
        assert!(stderr.contains(message), "{adapter}: {stderr}");
        assert!(!stderr.contains("panicked"), "{adapter}: {stderr}");
    }
}
