//! Drives Lambda function binaries against [`anyfn_test::LambdaEmulator`]
//! (the Lambda Runtime API on loopback) and prints how fast they answer.
//!
//! ```text
//! lambda-driver throughput FUNCTION N PAYLOAD [--versus OTHER] [--block B] [--warmup W]
//!               [--expect-body TEXT] [--expect-json JSON]
//! lambda-driver cold FUNCTION RUNS PAYLOAD [--versus OTHER]
//!               [--expect-body TEXT] [--expect-json JSON]
//! lambda-driver stream FUNCTION PAYLOAD [--warmup W] [--warmup-payload PAYLOAD]
//!               [--timeout-s S] [--name NAME] [--sample-ms MS] [--expect-bytes N]
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
//! - `stream`: the memory and speed of one streamed response. Starts the
//!   function on an emulator with `ANYFN_RESPONSE_STREAMING=on`, the
//!   function's name `NAME` (default: the file's name) and a timeout of `S`
//!   seconds (default 120), reads `W` warm-up streams (default 2, of
//!   `--warmup-payload`, default PAYLOAD) to their end, then reads the
//!   function process's `VmRSS` (the baseline), resets its peak (`VmHWM`,
//!   through `/proc/PID/clear_refs`) and invokes PAYLOAD with
//!   `invoke_streaming`, reading every chunk with `next_chunk` and dropping
//!   it, while a thread samples the function's `VmRSS` every `MS`
//!   milliseconds (default 10). Prints `stream function=… bytes=… chunks=…
//!   seconds=… mib_per_sec=… rss_baseline_kib=… rss_peak_kib=…
//!   rss_growth_kib=… rss_samples=… hwm_reset=… driver_peak_kib=…`: the peak
//!   is the larger of the highest sample and the reset `VmHWM`; the growth
//!   is peak minus baseline; `chunks` are the body's pieces as the emulator
//!   read them (HTTP framing may split or join the function's chunks).
//!   `driver_peak_kib` is this process's own peak (the emulator and the
//!   reading), which is not the function's. PAYLOAD
//!   is a Function URL event (the source that streams); a stream that is
//!   not `200`, cut short, or not `N` bytes with `--expect-bytes N` fails
//!   the run.
//!
//! With `--versus OTHER`, both functions are measured in the same run, each
//! against its own emulator (same settings), interleaved so that both see the
//! same machine: `throughput` keeps both processes running and alternates
//! blocks of `B` invocations (default 500; the order swapped every block),
//! `cold` alternates single starts. One line is printed per function, then
//! `ratio first=… versus=… time=…`: FUNCTION's time over OTHER's (mean time
//! per invocation for `throughput`, median for `cold`).
//!
//! `--expect-body TEXT` checks that each answer checked is JSON whose `body`
//! field is `TEXT` (an HTTP response); `--expect-json JSON` that it is that
//! JSON. In `throughput` the first warm-up answer and the last timed answer
//! are checked; in `cold` every answer is. Any invocation that does not get a
//! response (an error, no answer, a failed check) fails the run with exit
//! status 1.

use std::future::{poll_fn, Future};
use std::path::{Path, PathBuf};
use std::pin::pin;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, Instant};

use anyfn_test::{FunctionProcess, LambdaEmulator, LambdaOutcome};
use bytes::Bytes;

/// Warm-up invocations before a throughput run, unless `--warmup` says.
const DEFAULT_WARMUP: usize = 100;

/// Invocations per block when two functions alternate, unless `--block` says.
const DEFAULT_BLOCK: usize = 500;

/// The usage text, printed on bad arguments.
const USAGE: &str = "usage:
  lambda-driver throughput FUNCTION N PAYLOAD [--versus OTHER] [--block B] [--warmup W]
                [--expect-body TEXT] [--expect-json JSON]
  lambda-driver cold FUNCTION RUNS PAYLOAD [--versus OTHER]
                [--expect-body TEXT] [--expect-json JSON]
  lambda-driver stream FUNCTION PAYLOAD [--warmup W] [--warmup-payload PAYLOAD]
                [--timeout-s S] [--name NAME] [--sample-ms MS] [--expect-bytes N]
PAYLOAD is JSON text (starting with { or [) or the path of a file holding it.";

/// What the driver was asked to do.
struct Args {
    mode: Mode,
    function: PathBuf,
    versus: Option<PathBuf>,
    count: usize,
    payload: Bytes,
    warmup: usize,
    block: usize,
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

/// A whole number from an argument.
fn number(what: &str, text: &str) -> Result<usize, String> {
    text.parse()
        .map_err(|_| format!("{what} must be a whole number, not {text:?}"))
}

/// What the command line asks for.
enum Command {
    /// `throughput` or `cold`.
    Measure(Args),
    /// `stream`.
    Stream(StreamArgs),
}

/// Reads the command line.
fn parse_command() -> Result<Command, String> {
    if std::env::args().nth(1).as_deref() == Some("stream") {
        parse_stream_args().map(Command::Stream)
    } else {
        parse_args().map(Command::Measure)
    }
}

/// Reads the command line of `throughput` and `cold`.
fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let mode = match args.next().as_deref() {
        Some("throughput") => Mode::Throughput,
        Some("cold") => Mode::Cold,
        Some(other) => return Err(format!("unknown mode {other:?}")),
        None => return Err("missing mode".to_owned()),
    };
    let function = PathBuf::from(args.next().ok_or("missing FUNCTION")?);
    let count = number("N or RUNS", &args.next().ok_or("missing N or RUNS")?)?;
    if count == 0 {
        return Err("N or RUNS must be at least 1".to_owned());
    }
    let payload = read_payload(&args.next().ok_or("missing PAYLOAD")?)?;
    let mut parsed = Args {
        mode,
        function,
        versus: None,
        count,
        payload,
        warmup: DEFAULT_WARMUP,
        block: DEFAULT_BLOCK,
        expect: Expect::default(),
    };
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--versus" => parsed.versus = Some(PathBuf::from(value)),
            "--warmup" => parsed.warmup = number("--warmup", &value)?,
            "--block" => parsed.block = number("--block", &value)?.max(1),
            "--expect-body" => parsed.expect.body = Some(value),
            "--expect-json" => {
                parsed.expect.json = Some(
                    serde_json::from_str(&value)
                        .map_err(|err| format!("--expect-json is not JSON ({err})"))?,
                );
            }
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    Ok(parsed)
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
        LambdaOutcome::Streamed { body, complete, .. } if complete => Ok(body),
        LambdaOutcome::Streamed { error, .. } => {
            Err(format!("the streamed response was cut short: {error:?}"))
        }
        LambdaOutcome::Error { error, .. } => Err(format!(
            "the function posted an error: {} {}",
            error.error_type, error.error_message
        )),
        LambdaOutcome::TimedOut {
            request_id,
            timeout,
        } => Err(format!(
            "invocation {request_id} timed out after {timeout:?}"
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

/// A new emulator with the default settings.
async fn emulator() -> Result<LambdaEmulator, String> {
    LambdaEmulator::start()
        .await
        .map_err(|err| format!("cannot start the emulator: {err}"))
}

/// One function under a throughput measurement: its emulator, its process
/// and what it has been timed at so far.
struct Running {
    function: PathBuf,
    emulator: LambdaEmulator,
    _process: FunctionProcess,
    latencies: Vec<Duration>,
    elapsed: Duration,
    last: Bytes,
}

impl Running {
    /// Starts `function` and warms it up.
    async fn start(function: &Path, args: &Args) -> Result<Self, String> {
        let emulator = emulator().await?;
        let process = emulator
            .spawn(function)
            .map_err(|err| format!("cannot start {}: {err}", function.display()))?;
        for index in 0..args.warmup.max(1) {
            let payload = response(emulator.invoke(args.payload.clone()).await)
                .map_err(|err| format!("{}: {err}", function_name(function)))?;
            if index == 0 {
                args.expect
                    .check(&payload)
                    .map_err(|err| format!("{}: {err}", function_name(function)))?;
            }
        }
        Ok(Self {
            function: function.to_owned(),
            emulator,
            _process: process,
            latencies: Vec::with_capacity(args.count),
            elapsed: Duration::ZERO,
            last: Bytes::new(),
        })
    }

    /// `n` sequential invocations, timed.
    async fn run(&mut self, n: usize, payload: &Bytes) -> Result<(), String> {
        let started = Instant::now();
        for _ in 0..n {
            let sent = Instant::now();
            self.last = response(self.emulator.invoke(payload.clone()).await)
                .map_err(|err| format!("{}: {err}", function_name(&self.function)))?;
            self.latencies.push(sent.elapsed());
        }
        self.elapsed += started.elapsed();
        Ok(())
    }

    /// Checks the last answer and prints the line; returns the mean time per
    /// invocation.
    fn report(mut self, expect: &Expect) -> Result<Duration, String> {
        expect
            .check(&self.last)
            .map_err(|err| format!("{}: {err}", function_name(&self.function)))?;
        let count = self.latencies.len().max(1);
        self.latencies.sort_unstable();
        let seconds = self.elapsed.as_secs_f64();
        println!(
            "throughput function={} invocations={count} seconds={seconds:.4} per_sec={:.1} mean_us={:.2} p50_us={:.2} p99_us={:.2}",
            function_name(&self.function),
            count as f64 / seconds,
            seconds * 1e6 / count as f64,
            micros(quantile(&self.latencies, 0.5)),
            micros(quantile(&self.latencies, 0.99)),
        );
        Ok(Duration::from_secs_f64(seconds / count as f64))
    }
}

/// `throughput`: one process per function, warm-up, then `count` timed
/// invocations each, in alternating blocks when there are two.
async fn throughput(args: &Args) -> Result<(), String> {
    let mut first = Running::start(&args.function, args).await?;
    let Some(versus) = &args.versus else {
        first.run(args.count, &args.payload).await?;
        first.report(&args.expect)?;
        return Ok(());
    };
    let mut second = Running::start(versus, args).await?;
    let mut done = 0;
    let mut block_index = 0;
    while done < args.count {
        let n = args.block.min(args.count - done);
        if block_index % 2 == 0 {
            first.run(n, &args.payload).await?;
            second.run(n, &args.payload).await?;
        } else {
            second.run(n, &args.payload).await?;
            first.run(n, &args.payload).await?;
        }
        done += n;
        block_index += 1;
    }
    let (first_name, second_name) = (function_name(&first.function), function_name(versus));
    let first_mean = first.report(&args.expect)?;
    let second_mean = second.report(&args.expect)?;
    println!(
        "ratio first={first_name} versus={second_name} time={:.4}",
        first_mean.as_secs_f64() / second_mean.as_secs_f64()
    );
    Ok(())
}

/// One cold start: invocation queued, clock started, process spawned, clock
/// stopped at the answer.
async fn cold_once(function: &Path, args: &Args) -> Result<Duration, String> {
    let emulator = emulator().await?;
    let mut invocation = pin!(emulator.invoke(args.payload.clone()));
    // Poll once: the invocation is queued before the process exists.
    if let Poll::Ready(outcome) = poll_fn(|cx| Poll::Ready(invocation.as_mut().poll(cx))).await {
        return Err(format!("answered before the function started: {outcome:?}"));
    }
    let started = Instant::now();
    let process = emulator
        .spawn(function)
        .map_err(|err| format!("cannot start {}: {err}", function.display()))?;
    let outcome = invocation.await;
    let elapsed = started.elapsed();
    drop(process);
    let payload = response(outcome).map_err(|err| format!("{}: {err}", function_name(function)))?;
    args.expect
        .check(&payload)
        .map_err(|err| format!("{}: {err}", function_name(function)))?;
    Ok(elapsed)
}

/// Prints the cold-start line for `function`; returns the median.
fn report_cold(function: &Path, mut times: Vec<Duration>) -> Duration {
    let each: Vec<String> = times
        .iter()
        .map(|time| format!("{:.0}", micros(*time)))
        .collect();
    times.sort_unstable();
    let median = quantile(&times, 0.5);
    println!(
        "cold function={} runs={} median_us={:.0} min_us={:.0} max_us={:.0} times_us={}",
        function_name(function),
        times.len(),
        micros(median),
        micros(times[0]),
        micros(times[times.len() - 1]),
        each.join(","),
    );
    median
}

/// `cold`: `count` cold starts per function, each with a fresh emulator and
/// process, alternating when there are two.
async fn cold(args: &Args) -> Result<(), String> {
    let mut first = Vec::with_capacity(args.count);
    let mut second = Vec::with_capacity(args.count);
    for run in 0..args.count {
        match &args.versus {
            None => first.push(cold_once(&args.function, args).await?),
            Some(versus) if run % 2 == 0 => {
                first.push(cold_once(&args.function, args).await?);
                second.push(cold_once(versus, args).await?);
            }
            Some(versus) => {
                second.push(cold_once(versus, args).await?);
                first.push(cold_once(&args.function, args).await?);
            }
        }
    }
    let first_median = report_cold(&args.function, first);
    if let Some(versus) = &args.versus {
        let second_median = report_cold(versus, second);
        println!(
            "ratio first={} versus={} time={:.4}",
            function_name(&args.function),
            function_name(versus),
            first_median.as_secs_f64() / second_median.as_secs_f64()
        );
    }
    Ok(())
}

/// What `stream` was asked to do.
struct StreamArgs {
    function: PathBuf,
    payload: Bytes,
    warmup_payload: Option<Bytes>,
    warmup: usize,
    timeout: Duration,
    name: Option<String>,
    sample_every: Duration,
    expect_bytes: Option<u64>,
}

/// Reads the command line of `stream`.
fn parse_stream_args() -> Result<StreamArgs, String> {
    let mut args = std::env::args().skip(2);
    let function = PathBuf::from(args.next().ok_or("missing FUNCTION")?);
    let payload = read_payload(&args.next().ok_or("missing PAYLOAD")?)?;
    let mut parsed = StreamArgs {
        function,
        payload,
        warmup_payload: None,
        warmup: 2,
        timeout: Duration::from_secs(120),
        name: None,
        sample_every: Duration::from_millis(10),
        expect_bytes: None,
    };
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--warmup" => parsed.warmup = number("--warmup", &value)?,
            "--warmup-payload" => parsed.warmup_payload = Some(read_payload(&value)?),
            "--timeout-s" => {
                parsed.timeout = Duration::from_secs(number("--timeout-s", &value)?.max(1) as u64);
            }
            "--name" => parsed.name = Some(value),
            "--sample-ms" => {
                parsed.sample_every =
                    Duration::from_millis(number("--sample-ms", &value)?.max(1) as u64);
            }
            "--expect-bytes" => {
                parsed.expect_bytes = Some(number("--expect-bytes", &value)? as u64)
            }
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    Ok(parsed)
}

/// A field of `/proc/PID/status` in KiB (`VmRSS`, `VmHWM`).
fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// Samples `VmRSS` of `pid` every `every` until stopped; the highest sample
/// and how many were taken.
struct RssSampler {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<(u64, usize)>,
}

impl RssSampler {
    fn start(pid: u32, every: Duration) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let (mut peak, mut samples) = (0, 0);
            while !stopped.load(Ordering::Relaxed) {
                if let Some(rss) = status_kib(pid, "VmRSS") {
                    peak = peak.max(rss);
                    samples += 1;
                }
                std::thread::sleep(every);
            }
            (peak, samples)
        });
        Self { stop, thread }
    }

    fn finish(self) -> (u64, usize) {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap_or((0, 0))
    }
}

/// One streamed invocation read to its end, every chunk dropped: the body's
/// bytes and chunks.
async fn read_stream(emulator: &LambdaEmulator, payload: &Bytes) -> Result<(u64, u64), String> {
    let mut answer = emulator
        .invoke_streaming(payload.clone())
        .await
        .map_err(|outcome| format!("the function did not stream: {outcome:?}"))?;
    let status = answer.prelude().await.and_then(|prelude| {
        prelude
            .get("statusCode")
            .and_then(serde_json::Value::as_u64)
    });
    if status != Some(200) {
        return Err(format!(
            "the stream's prelude is not a 200: {:?}",
            answer.prelude().await
        ));
    }
    let (mut bytes, mut chunks) = (0u64, 0u64);
    while let Some(chunk) = answer.next_chunk().await {
        bytes += chunk.len() as u64;
        chunks += 1;
    }
    if answer.complete() != Some(true) {
        return Err(format!(
            "the stream was cut short after {bytes} bytes: {:?}",
            answer.error()
        ));
    }
    Ok((bytes, chunks))
}

/// `stream`: the function's memory while it streams PAYLOAD's answer.
async fn stream(args: &StreamArgs) -> Result<(), String> {
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| function_name(&args.function));
    let emulator = LambdaEmulator::builder()
        .function_name(name.clone())
        .timeout(args.timeout)
        .env(anyfn_lambda::RESPONSE_STREAMING_ENV, "on")
        .start()
        .await
        .map_err(|err| format!("cannot start the emulator: {err}"))?;
    let process = emulator
        .spawn(&args.function)
        .map_err(|err| format!("cannot start {}: {err}", args.function.display()))?;
    let pid = process.id().ok_or("the function process was not found")?;
    let warmup_payload = args.warmup_payload.as_ref().unwrap_or(&args.payload);
    for _ in 0..args.warmup {
        read_stream(&emulator, warmup_payload).await?;
    }
    // Let the allocator settle after the warm-up before the baseline.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let baseline = status_kib(pid, "VmRSS").ok_or("cannot read the function's VmRSS")?;
    // Writing 5 resets VmHWM to the current RSS (Linux 4.0+; needs the
    // right to write there, as root has).
    let hwm_reset = std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok();
    let sampler = RssSampler::start(pid, args.sample_every);
    let started = Instant::now();
    let read = read_stream(&emulator, &args.payload).await;
    let seconds = started.elapsed().as_secs_f64();
    let (sampled_peak, samples) = sampler.finish();
    let (bytes, chunks) = read?;
    let hwm = if hwm_reset {
        status_kib(pid, "VmHWM").unwrap_or(0)
    } else {
        0
    };
    if let Some(expected) = args.expect_bytes {
        if bytes != expected {
            return Err(format!("streamed {bytes} bytes, expected {expected}"));
        }
    }
    let peak = sampled_peak.max(hwm).max(baseline);
    let driver_peak = status_kib(std::process::id(), "VmHWM").unwrap_or(0);
    println!(
        "stream function={name} pid={pid} bytes={bytes} chunks={chunks} seconds={seconds:.4} mib_per_sec={:.1} rss_baseline_kib={baseline} rss_peak_kib={peak} rss_growth_kib={} rss_samples={samples} rss_sampled_peak_kib={sampled_peak} hwm_reset={} driver_peak_kib={driver_peak}",
        bytes as f64 / (1024.0 * 1024.0) / seconds,
        peak - baseline,
        if hwm_reset { "yes" } else { "no" },
    );
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let command = match parse_command() {
        Ok(command) => command,
        Err(err) => {
            eprintln!("lambda-driver: {err}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let result = match command {
        Command::Measure(args) if args.mode == Mode::Throughput => throughput(&args).await,
        Command::Measure(args) => cold(&args).await,
        Command::Stream(args) => stream(&args).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("lambda-driver: {err}");
            ExitCode::FAILURE
        }
    }
}
