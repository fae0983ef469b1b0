//! The Lambda adapter when the Lambda service misbehaves: the Runtime API
//! answering 500, closing connections or answering slowly, and payloads at
//! Lambda's size limit. The adapter never hangs silently: it recovers (the
//! next invocation is served) or exits with a clear message.

use std::process::{Command, Stdio};
use std::time::Duration;

use anyfn_test::{FunctionProcess, LambdaEmulator, LambdaOutcome, RuntimeApiFault};
use serde_json::{json, Value};

use crate::lambda::{example, on_lambda};

fn http_api_get(query: &str) -> String {
    json!({"version": "2.0", "rawPath": "/", "rawQueryString": query,
           "requestContext": {"http": {"method": "GET", "path": "/"}, "stage": "$default"}})
    .to_string()
}

/// What became of a function after a fault.
enum Fate {
    Recovered,
    Exited { code: Option<i32>, stderr: String },
}

/// A function's stderr, in the temporary folder; removed on drop.
struct LogFile(std::path::PathBuf);

impl std::ops::Deref for LogFile {
    type Target = std::path::Path;

    fn deref(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for LogFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

async fn spawn_with_log(emulator: &LambdaEmulator, name: &str) -> (FunctionProcess, LogFile) {
    let log = std::env::temp_dir().join(format!(
        "anyfn-fault-{name}-{}.log",
        std::process::id() as u64 * 1000 + rand_suffix()
    ));
    let file = std::fs::File::create(&log).expect("log file");
    let mut command = Command::new(example(name));
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(file));
    (
        emulator.spawn_command(command).expect("function starts"),
        LogFile(log),
    )
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Invokes `hello` after a fault; the function must answer or exit, within bounds.
async fn fate_after(
    emulator: &LambdaEmulator,
    function: &mut FunctionProcess,
    log: &std::path::Path,
) -> Fate {
    let invoke = emulator.invoke(http_api_get("name=Ada"));
    let outcome = tokio::select! {
        outcome = invoke => Some(outcome),
        status = function.exit_status_within(Duration::from_secs(8)) => {
            let status = status.expect("status readable");
            match status {
                Some(status) => return Fate::Exited {
                    code: status.code(),
                    stderr: std::fs::read_to_string(log).unwrap_or_default(),
                },
                None => None,
            }
        }
    };
    match outcome {
        Some(LambdaOutcome::Response { payload, .. }) => {
            let response: Value = serde_json::from_slice(&payload).expect("JSON");
            assert_eq!(response["body"], "Hello, Ada!");
            Fate::Recovered
        }
        other => panic!("the function neither answered nor exited: {other:?}"),
    }
}

fn assert_clear_exit(fault: &str, fate: &Fate) {
    match fate {
        Fate::Recovered => println!("{fault}: recovered, next invocation served"),
        Fate::Exited { code, stderr } => {
            println!(
                "{fault}: exited {code:?}: {}",
                stderr.lines().last().unwrap_or_default()
            );
            // A deliberate failure exit (1), not a crash (101 is a panic's).
            assert_eq!(*code, Some(1), "{fault}: {stderr}");
            let last = stderr.lines().last().unwrap_or_default();
            assert!(
                last.starts_with("Error: the Lambda runtime stopped: "),
                "{fault}: unclear exit message: {stderr}"
            );
        }
    }
}

#[tokio::test]
async fn next_answering_500_or_closing_is_recovered_or_a_clear_exit() {
    for fault in [
        RuntimeApiFault::NextAnswers500,
        RuntimeApiFault::NextClosesConnection,
    ] {
        let emulator = LambdaEmulator::start().await.expect("emulator");
        emulator.inject(fault.clone());
        let (mut function, log) = spawn_with_log(&emulator, "hello").await;
        let fate = fate_after(&emulator, &mut function, &log).await;
        assert_clear_exit(&format!("{fault:?}"), &fate);
    }
}

#[tokio::test]
async fn a_slow_next_is_waited_for() {
    let emulator = LambdaEmulator::start().await.expect("emulator");
    emulator.inject(RuntimeApiFault::NextAnswersAfter(Duration::from_millis(
        700,
    )));
    let (mut function, log) = spawn_with_log(&emulator, "hello").await;
    assert!(matches!(
        fate_after(&emulator, &mut function, &log).await,
        Fate::Recovered
    ));
}

#[tokio::test]
async fn response_answered_500_or_closed_is_recovered_or_a_clear_exit() {
    for fault in [
        RuntimeApiFault::ResponseAnswers500,
        RuntimeApiFault::ResponseClosesConnection,
    ] {
        let emulator = LambdaEmulator::start().await.expect("emulator");
        let (mut function, log) = spawn_with_log(&emulator, "hello").await;
        emulator.inject(fault.clone());
        let first = emulator.invoke(http_api_get("name=first")).await;
        assert!(
            matches!(first, LambdaOutcome::Response { .. }),
            "{fault:?}: {first:?}"
        );
        let fate = fate_after(&emulator, &mut function, &log).await;
        assert_clear_exit(&format!("{fault:?}"), &fate);
    }
}

#[tokio::test]
async fn a_payload_at_lambdas_6_mb_limit_is_served() {
    let (emulator, _function) = on_lambda("echo").await;
    let body = "x".repeat(6 * 1000 * 1000 - 1024);
    let event = json!({"version": "2.0", "rawPath": "/big", "rawQueryString": "", "body": body,
                       "requestContext": {"http": {"method": "POST", "path": "/big"}, "stage": "$default"}});
    let payload = event.to_string();
    assert!(
        payload.len() > 5_990_000 && payload.len() <= 6_000_000,
        "{}",
        payload.len()
    );
    let response = emulator.invoke(payload).await.expect_json();
    let echoed: Value =
        serde_json::from_str(response["body"].as_str().expect("body")).expect("echo JSON");
    assert_eq!(echoed["body"].as_str().map(str::len), Some(body.len()));
    let next = emulator.invoke(http_api_get("")).await.expect_json();
    assert_eq!(next["statusCode"], 200);
}
