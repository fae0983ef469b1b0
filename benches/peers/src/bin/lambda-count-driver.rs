//! Sends a fixed number of Lambda invocations to one function process, for
//! counting what the process spends on them (under valgrind's callgrind, in
//! `benches/lambda_http_vs_anyfn_tower.sh`).
//!
//! ```text
//! lambda-count-driver N [--get PATH] [--source SOURCE] [--payload JSON]
//!                       [--expect-status CODE] [--expect-body TEXT]
//!                       [--expect-json JSON] [--timeout-s S] -- COMMAND [ARG...]
//! ```
//!
//! Starts an [`anyfn_test::LambdaEmulator`] (the Lambda Runtime API on
//! loopback; the function's timeout `S` seconds, default 120, as a function
//! under valgrind is slow), runs `COMMAND` as the function through
//! [`LambdaEmulator::spawn_command`] (its environment plus the emulator's
//! function environment; its stdout and stderr on this process's stderr, so
//! that stdout holds only the driver's line), and sends `N` sequential
//! invocations of the event SOURCE sends for `GET PATH` (default: an API
//! Gateway HTTP API (v2) event, `http-api`, for `/links`; the other sources:
//! `rest-api`, `alb`, `function-url`), made by
//! [`LambdaHttpSource::event`] with the headers curl and API Gateway add;
//! or, with `--payload`, that JSON document byte for byte as given (a
//! function of plain JSON events, such as `greet-json`, or a fixture event).
//!
//! Every answer is checked: with `--expect-status` and `--expect-body`, the
//! HTTP response SOURCE's caller would see (by
//! [`LambdaHttpSource::response`]) must have that status and body; with
//! `--expect-json`, the answer must be that JSON (a function that answers
//! the event with plain JSON, as the raw lambda_runtime peer does). Then the
//! function process gets `SIGTERM` (callgrind writes its counts when the
//! program it runs ends on a signal; `SIGKILL` would lose them) and the
//! driver waits for it to exit. It prints `count function=… invocations=N
//! seconds=… event_bytes=…` (`event_bytes`: the size of the payload
//! sent), and fails (exit status 1) on any invocation without the expected
//! answer, on a function restarted after a timeout, or on a process that
//! does not exit.

use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyfn_test::fixtures::lambda_http::LambdaHttpSource;
use anyfn_test::{LambdaEmulator, LambdaOutcome, TestRequest};
use bytes::Bytes;
use serde_json::Value;

/// The usage text, printed on bad arguments.
const USAGE: &str = "usage:
  lambda-count-driver N [--get PATH] [--source SOURCE] [--payload JSON]
                        [--expect-status CODE] [--expect-body TEXT]
                        [--expect-json JSON] [--timeout-s S] -- COMMAND [ARG...]
SOURCE: http-api (default), rest-api, alb or function-url.";

/// How long the first invocation may wait for the function to take it, in
/// tries of the emulator's 10 s: valgrind starts a program slowly.
const FIRST_TRIES: u32 = 12;

/// How long the function may take to exit after `SIGTERM` (callgrind writes
/// its file then).
const EXIT_BOUND: Duration = Duration::from_secs(120);

/// What the driver was asked to do.
struct Args {
    count: usize,
    path: String,
    source: LambdaHttpSource,
    status: Option<u16>,
    body: Option<String>,
    json: Option<Value>,
    /// A JSON payload sent instead of an HTTP event, byte for byte as given.
    payload: Option<String>,
    timeout: Duration,
    command: Vec<String>,
}

/// Reads the command line.
fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let count_text = args.next().ok_or("missing N")?;
    let count: usize = count_text
        .parse()
        .map_err(|_| format!("N must be a whole number, not {count_text:?}"))?;
    if count == 0 {
        return Err("N must be at least 1".to_owned());
    }
    let mut parsed = Args {
        count,
        path: "/links".to_owned(),
        source: LambdaHttpSource::HttpApi,
        status: None,
        body: None,
        json: None,
        payload: None,
        timeout: Duration::from_secs(120),
        command: Vec::new(),
    };
    while let Some(flag) = args.next() {
        if flag == "--" {
            parsed.command = args.by_ref().collect();
            break;
        }
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--get" => parsed.path = value,
            "--source" => {
                parsed.source = LambdaHttpSource::ALL
                    .into_iter()
                    .find(|source| source.name() == value)
                    .ok_or_else(|| format!("unknown source {value:?}"))?;
            }
            "--expect-status" => {
                parsed.status = Some(
                    value
                        .parse()
                        .map_err(|_| format!("--expect-status must be a status, not {value:?}"))?,
                );
            }
            "--expect-body" => parsed.body = Some(value),
            "--payload" => {
                serde_json::from_str::<Value>(&value)
                    .map_err(|err| format!("--payload is not JSON ({err})"))?;
                parsed.payload = Some(value);
            }
            "--expect-json" => {
                parsed.json = Some(
                    serde_json::from_str(&value)
                        .map_err(|err| format!("--expect-json is not JSON ({err})"))?,
                );
            }
            "--timeout-s" => {
                let seconds: u64 = value
                    .parse()
                    .map_err(|_| format!("--timeout-s must be a whole number, not {value:?}"))?;
                parsed.timeout = Duration::from_secs(seconds.max(1));
            }
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    if parsed.command.is_empty() {
        return Err("missing -- COMMAND".to_owned());
    }
    Ok(parsed)
}

/// The event for `GET path` from `source`, with the headers curl sends and
/// API Gateway adds.
fn event(source: LambdaHttpSource, path: &str) -> Bytes {
    let request = TestRequest::get(path)
        .header("accept", "*/*")
        .header("host", "anyfn.execute-api.us-east-1.amazonaws.com")
        .header("user-agent", "curl/8.5.0")
        .header("x-forwarded-for", "192.0.2.1")
        .header("x-forwarded-port", "443")
        .header("x-forwarded-proto", "https")
        .build();
    Bytes::from(source.event(&request).to_string())
}

/// Checks one answer against what was expected.
fn check(args: &Args, outcome: LambdaOutcome) -> Result<(), String> {
    let payload = match outcome {
        LambdaOutcome::Response { payload, .. } => payload,
        LambdaOutcome::Streamed { body, complete, .. } if complete => body,
        other => return Err(format!("no answer: {other:?}")),
    };
    let shown = String::from_utf8_lossy(&payload);
    let value: Value = serde_json::from_slice(&payload)
        .map_err(|err| format!("the answer is not JSON ({err}): {shown}"))?;
    if let Some(json) = &args.json {
        if &value != json {
            return Err(format!("expected the answer {json}, got {shown}"));
        }
    }
    if args.status.is_some() || args.body.is_some() {
        let response = args.source.response(&value)?;
        if let Some(status) = args.status {
            if response.status().as_u16() != status {
                return Err(format!("expected status {status}, got the answer {shown}"));
            }
        }
        if let Some(body) = &args.body {
            if response.body().as_bytes() != body.as_bytes() {
                return Err(format!(
                    "expected the body {body:?}, got the answer {shown}"
                ));
            }
        }
    }
    Ok(())
}

/// The whole run.
async fn run(args: &Args) -> Result<(), String> {
    let payload = match &args.payload {
        Some(json) => Bytes::from(json.clone()),
        None => event(args.source, &args.path),
    };
    let emulator = LambdaEmulator::builder()
        .timeout(args.timeout)
        .start()
        .await
        .map_err(|err| format!("cannot start the emulator: {err}"))?;
    let mut command = Command::new(&args.command[0]);
    command
        .args(&args.command[1..])
        .stdin(Stdio::null())
        .stdout(std::io::stderr())
        .env_remove("PORT");
    let mut process = emulator
        .spawn_command(command)
        .map_err(|err| format!("cannot start {}: {err}", args.command[0]))?;
    let started = Instant::now();
    for index in 0..args.count {
        let mut outcome = emulator.invoke(payload.clone()).await;
        if index == 0 {
            // Valgrind starts slowly: let the first invocation wait longer.
            for _ in 1..FIRST_TRIES {
                if !matches!(outcome, LambdaOutcome::NoAnswer { .. }) {
                    break;
                }
                if let Some(status) = process.try_exit_status().map_err(|err| err.to_string())? {
                    return Err(format!("the function exited before answering: {status}"));
                }
                outcome = emulator.invoke(payload.clone()).await;
            }
        }
        check(args, outcome).map_err(|err| format!("invocation {}: {err}", index + 1))?;
    }
    let seconds = started.elapsed().as_secs_f64();
    if emulator.restarts() > 0 {
        return Err(format!(
            "the function was restarted {} times after a timeout: its counts are not of {} invocations",
            emulator.restarts(),
            args.count
        ));
    }
    let pid = process.id().ok_or("the function process was not found")?;
    let killed = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .map_err(|err| format!("cannot run kill: {err}"))?;
    if !killed.success() {
        return Err(format!("kill -TERM {pid} failed: {killed}"));
    }
    match process.exit_status_within(EXIT_BOUND).await {
        Ok(Some(_)) => {}
        Ok(None) => return Err(format!("the function did not exit within {EXIT_BOUND:?}")),
        Err(err) => return Err(format!("cannot wait for the function: {err}")),
    }
    let name = Path::new(args.command.last().map_or("", String::as_str))
        .file_name()
        .map_or_else(String::new, |name| name.to_string_lossy().into_owned());
    println!(
        "count function={name} invocations={} seconds={seconds:.3} event_bytes={}",
        args.count,
        payload.len()
    );
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(err) => {
            eprintln!("lambda-count-driver: {err}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("lambda-count-driver: {err}");
            ExitCode::FAILURE
        }
    }
}
