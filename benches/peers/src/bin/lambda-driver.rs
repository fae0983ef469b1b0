//! Drives a Lambda function binary against [`anyfn_test::LambdaEmulator`]
//! (the Lambda Runtime API on loopback) and prints how fast it answers.
//!
//! ```text
//! lambda-driver throughput FUNCTION N PAYLOAD [--warmup W] [--expect-body TEXT] [--expect-json JSON]
//! lambda-driver cold FUNCTION RUNS PAYLOAD [--expect-body TEXT] [--expect-json JSON]
//! ```
//!
//! `PAYLOAD` is the invocation payload: JSON text when it starts with `{` or
//! `[`, otherwise the path of a file holding it.
//!
//! - `throughput`: starts the function once, sends `W` warm-up invocations
//!   (default 100, not timed), then `N` sequential invocations, and prints
//!   one line: `throughput function=… invocations=N seconds=… per_sec=…
//!   mean_us=… p50_us=… p99_us=…`.
//! - `cold`: `RUNS` times, with a fresh emulator and a fresh process each
//!   time, queues one invocation, then starts the clock, spawns the function
//!   and stops the clock when the function posts its answer: process start →
//!   first answered invocation. Prints `cold function=… runs=… median_us=…
//!   min_us=… max_us=… times_us=…` (every run's time, in run order).
//!
//! `--expect-body TEXT` checks that the answer is JSON whose `body` field is
//! `TEXT` (an HTTP response); `--expect-json JSON` that the answer is that
//! JSON. In `throughput` the first warm-up answer and the last timed answer
//! are checked; in `cold` every answer is. Any invocation that does not get a
//! response (an error, no answer, a failed check) fails the run with exit
//! status 1.

use std::future::{poll_fn, Future};
use std::path::{Path, PathBuf};
use std::pin::pin;
use std::process::ExitCode;
use std::task::Poll;
use std::time::{Duration, Instant};

use anyfn_test::{LambdaEmulator, LambdaOutcome};
use bytes::Bytes;

/// Warm-up invocations before a throughput run, unless `--warmup` says.
const DEFAULT_WARMUP: usize = 100;

/// The usage text, printed on bad arguments.
const USAGE: &str = "usage:
  lambda-driver throughput FUNCTION N PAYLOAD [--warmup W] [--expect-body TEXT] [--expect-json JSON]
  lambda-driver cold FUNCTION RUNS PAYLOAD [--expect-body TEXT] [--expect-json JSON]
PAYLOAD is JSON text (starting with { or [) or the path of a file holding it.";

/// What the driver was asked to do.
struct Args {
    mode: Mode,
    function: PathBuf,
    count: usize,
    payload: Bytes,
    warmup: usize,
    expect: Expect,
}

/// The two measurements.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Throughput,
    Cold,
}

/// What an answer must be.
#[derive(Default)]
struct Expect {
    body: Option<String>,
    json: Option<serde_json::Value>,
}

impl Expect {
    /// Checks one answer's payload.
    fn check(&self, payload: &[u8]) -> Result<(), String> {
        if self.body.is_none() && self.json.is_none() {
            return Ok(());
        }
        let shown = String::from_utf8_lossy(payload);
        let value: serde_json::Value = serde_json::from_slice(payload)
            .map_err(|err| format!("the answer is not JSON ({err}): {shown}"))?;
        if let Some(body) = &self.body {
            if value.get("body").and_then(|found| found.as_str()) != Some(body.as_str()) {
                return Err(format!("expected body {body:?}, got the answer {shown}"));
            }
        }
        if let Some(json) = &self.json {
            if &value != json {
                return Err(format!("expected the answer {json}, got {shown}"));
            }
        }
        Ok(())
    }
}

/// Reads the command line.
fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let mode = match args.next().as_deref() {
        Some("throughput") => Mode::Throughput,
        Some("cold") => Mode::Cold,
        Some(other) => return Err(format!("unknown mode {other:?}")),
        None => return Err("missing mode".to_owned()),
    };
    let function = PathBuf::from(args.next().ok_or("missing FUNCTION")?);
    let count_text = args.next().ok_or("missing N or RUNS")?;
    let count: usize = count_text
        .parse()
        .map_err(|_| format!("N or RUNS must be a number, not {count_text:?}"))?;
    if count == 0 {
        return Err("N or RUNS must be at least 1".to_owned());
    }
    let payload = read_payload(&args.next().ok_or("missing PAYLOAD")?)?;
    let mut warmup = DEFAULT_WARMUP;
    let mut expect = Expect::default();
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--warmup" => {
                warmup = value
                    .parse()
                    .map_err(|_| format!("--warmup must be a number, not {value:?}"))?;
            }
            "--expect-body" => expect.body = Some(value),
            "--expect-json" => {
                expect.json = Some(
                    serde_json::from_str(&value)
                        .map_err(|err| format!("--expect-json is not JSON ({err})"))?,
                );
            }
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    Ok(Args {
        mode,
        function,
        count,
        payload,
        warmup,
        expect,
    })
}

/// The payload: the argument itself when it is JSON text, else the file it
/// names.
fn read_payload(arg: &str) -> Result<Bytes, String> {
    let text = arg.trim_start();
    let bytes = if text.starts_with('{') || text.starts_with('[') {
        arg.as_bytes().to_vec()
    } else {
        std::fs::read(arg).map_err(|err| format!("cannot read the payload file {arg:?}: {err}"))?
    };
    serde_json::from_slice::<serde_json::Value>(&bytes)
        .map_err(|err| format!("the payload is not JSON: {err}"))?;
    Ok(Bytes::from(bytes))
}

/// The answer's payload, or why there is none.
fn response(outcome: LambdaOutcome) -> Result<Bytes, String> {
    match outcome {
        LambdaOutcome::Response { payload, .. } => Ok(payload),
        LambdaOutcome::Error { error, .. } => Err(format!(
            "the function posted an error: {} {}",
            error.error_type, error.error_message
        )),
        LambdaOutcome::NoAnswer { request_id } => Err(format!(
            "no answer to invocation {request_id} (did the function start?)"
        )),
    }
}

/// The function's file name, for the printed lines.
fn function_name(function: &Path) -> String {
    function.file_name().map_or_else(
        || function.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}

/// The value at quantile `q` of sorted `values`.
fn quantile(sorted: &[Duration], q: f64) -> Duration {
    let index = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

/// Microseconds, for printing.
fn micros(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e6
}

/// `throughput`: one process, warm-up, then `count` timed invocations.
async fn throughput(args: &Args) -> Result<(), String> {
    let emulator = LambdaEmulator::start()
        .await
        .map_err(|err| format!("cannot start the emulator: {err}"))?;
    let _function = emulator
        .spawn(&args.function)
        .map_err(|err| format!("cannot start {}: {err}", args.function.display()))?;
    for index in 0..args.warmup.max(1) {
        let payload = response(emulator.invoke(args.payload.clone()).await)?;
        if index == 0 {
            args.expect.check(&payload)?;
        }
    }
    let mut latencies = Vec::with_capacity(args.count);
    let mut last = Bytes::new();
    let started = Instant::now();
    for _ in 0..args.count {
        let sent = Instant::now();
        last = response(emulator.invoke(args.payload.clone()).await)?;
        latencies.push(sent.elapsed());
    }
    let elapsed = started.elapsed();
    args.expect.check(&last)?;
    latencies.sort_unstable();
    let seconds = elapsed.as_secs_f64();
    println!(
        "throughput function={} invocations={} seconds={seconds:.4} per_sec={:.1} mean_us={:.2} p50_us={:.2} p99_us={:.2}",
        function_name(&args.function),
        args.count,
        args.count as f64 / seconds,
        seconds * 1e6 / args.count as f64,
        micros(quantile(&latencies, 0.5)),
        micros(quantile(&latencies, 0.99)),
    );
    Ok(())
}

/// One cold start: invocation queued, clock started, process spawned, clock
/// stopped at the answer.
async fn cold_once(args: &Args) -> Result<Duration, String> {
    let emulator = LambdaEmulator::start()
        .await
        .map_err(|err| format!("cannot start the emulator: {err}"))?;
    let mut invocation = pin!(emulator.invoke(args.payload.clone()));
    // Poll once: the invocation is queued before the process exists.
    if let Poll::Ready(outcome) = poll_fn(|cx| Poll::Ready(invocation.as_mut().poll(cx))).await {
        return Err(format!("answered before the function started: {outcome:?}"));
    }
    let started = Instant::now();
    let function = emulator
        .spawn(&args.function)
        .map_err(|err| format!("cannot start {}: {err}", args.function.display()))?;
    let outcome = invocation.await;
    let elapsed = started.elapsed();
    drop(function);
    let payload = response(outcome)?;
    args.expect.check(&payload)?;
    Ok(elapsed)
}

/// `cold`: `count` cold starts, each with a fresh emulator and process.
async fn cold(args: &Args) -> Result<(), String> {
    let mut times = Vec::with_capacity(args.count);
    for _ in 0..args.count {
        times.push(cold_once(args).await?);
    }
    let each: Vec<String> = times
        .iter()
        .map(|time| format!("{:.0}", micros(*time)))
        .collect();
    times.sort_unstable();
    println!(
        "cold function={} runs={} median_us={:.0} min_us={:.0} max_us={:.0} times_us={}",
        function_name(&args.function),
        args.count,
        micros(quantile(&times, 0.5)),
        micros(times[0]),
        micros(times[times.len() - 1]),
        each.join(","),
    );
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(err) => {
            eprintln!("lambda-driver: {err}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let result = match args.mode {
        Mode::Throughput => throughput(&args).await,
        Mode::Cold => cold(&args).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("lambda-driver: {}: {err}", function_name(&args.function));
            ExitCode::FAILURE
        }
    }
}
