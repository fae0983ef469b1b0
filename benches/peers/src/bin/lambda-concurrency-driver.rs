//! Drives Lambda functions serving several invocations at once (Lambda
//! Managed Instances), for `benches/lambda_concurrency.sh`, and prints their
//! wall-clock throughput.
//!
//! ```text
//! lambda-concurrency-driver [--rounds R] [--invocations N] [--concurrency C]
//!                           [--warmup W] NAME=PROGRAM...
//! ```
//!
//! Each `PROGRAM` runs as a function on an [`anyfn_test::LambdaEmulator`] of
//! its own, all with the same settings: `AWS_LAMBDA_MAX_CONCURRENCY=C`
//! (default 8; [`LambdaEmulatorBuilder::max_concurrency`](anyfn_test::LambdaEmulatorBuilder::max_concurrency)), the default 3 s
//! timeout. It is started with [`LambdaEmulator::spawn_command`] (this
//! process's environment plus the function's; its output on this process's
//! stderr, so that stdout holds only the driver's lines). Once each function
//! polls `next` `C` times at once, it gets `W` warm-up invocations (default
//! 200, not timed). Then, `R` rounds (default 5), each function in turn
//! (the order rotated every round, so that neither always goes first) gets
//! `N` invocations (default 800) with `C` in flight: `C` tasks, each
//! invoking the next one as soon as its last is answered. Every invocation
//! carries `{"n":1}` and its answer must be `{"ok":true}`.
//!
//! Prints one line per function per round, `round=… function=NAME
//! invocations=N concurrency=C seconds=… per_s=…` (wall-clock, from the
//! first invocation sent to the last answer), and at the end one per
//! function, `function=NAME most_in_flight=… restarts=0`. Fails (exit
//! status 1) on any other answer, on a function restarted after a timeout,
//! or on a function that never had `C` invocations in flight at once (its
//! runtime did not serve them concurrently); bad arguments exit 2.

use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyfn_test::{LambdaEmulator, LambdaOutcome};
use bytes::Bytes;
use serde_json::{json, Value};

/// The usage text, printed on bad arguments.
const USAGE: &str = "usage:
  lambda-concurrency-driver [--rounds R] [--invocations N] [--concurrency C]
                            [--warmup W] NAME=PROGRAM...";

/// How long a function may take to start polling `next` `C` times at once.
const START_BOUND: Duration = Duration::from_secs(20);

/// What the driver was asked to do.
struct Args {
    rounds: usize,
    invocations: usize,
    concurrency: u32,
    warmup: usize,
    functions: Vec<(String, String)>,
}

/// A positive whole number from `flag`'s `value`.
fn positive(flag: &str, value: &str) -> Result<usize, String> {
    match value.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!(
            "{flag} must be a positive whole number, not {value:?}"
        )),
    }
}

/// Reads the command line.
fn parse_args() -> Result<Args, String> {
    let mut parsed = Args {
        rounds: 5,
        invocations: 800,
        concurrency: 8,
        warmup: 200,
        functions: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if let Some((name, program)) = arg.split_once('=') {
            if name.is_empty() || program.is_empty() {
                return Err(format!("{arg:?} is not NAME=PROGRAM"));
            }
            parsed.functions.push((name.to_owned(), program.to_owned()));
            continue;
        }
        let value = args.next().ok_or_else(|| format!("{arg} needs a value"))?;
        match arg.as_str() {
            "--rounds" => parsed.rounds = positive(&arg, &value)?,
            "--invocations" => parsed.invocations = positive(&arg, &value)?,
            "--warmup" => parsed.warmup = positive(&arg, &value)?,
            "--concurrency" => {
                parsed.concurrency = u32::try_from(positive(&arg, &value)?)
                    .map_err(|_| format!("--concurrency {value} is too large"))?;
            }
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    if parsed.functions.is_empty() {
        return Err("missing NAME=PROGRAM".to_owned());
    }
    Ok(parsed)
}

/// One function under test: its name, its emulator and its process.
struct Function {
    name: String,
    emulator: Arc<LambdaEmulator>,
    _process: anyfn_test::FunctionProcess,
}

/// Starts `program` as a function on an emulator of its own, serving
/// `concurrency` invocations at once, and waits until it polls that many.
async fn start(name: &str, program: &str, concurrency: u32) -> Result<Function, String> {
    let emulator = LambdaEmulator::builder()
        .max_concurrency(concurrency)
        .start()
        .await
        .map_err(|err| format!("cannot start the emulator: {err}"))?;
    let mut command = Command::new(program);
    command
        .stdin(Stdio::null())
        .stdout(std::io::stderr())
        .env_remove("PORT");
    let mut process = emulator
        .spawn_command(command)
        .map_err(|err| format!("cannot start {program}: {err}"))?;
    let started = Instant::now();
    while emulator.most_polls_waiting() < u64::from(concurrency) {
        if let Some(status) = process.try_exit_status().map_err(|err| err.to_string())? {
            return Err(format!("{name} exited before polling: {status}"));
        }
        if started.elapsed() > START_BOUND {
            return Err(format!(
                "{name} polled next at most {} times at once within {START_BOUND:?}, not {concurrency}",
                emulator.most_polls_waiting()
            ));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(Function {
        name: name.to_owned(),
        emulator: Arc::new(emulator),
        _process: process,
    })
}

/// Checks that `outcome` is the answer `{"ok":true}`.
fn check(outcome: LambdaOutcome) -> Result<(), String> {
    let LambdaOutcome::Response { payload, .. } = outcome else {
        return Err(format!("no answer: {outcome:?}"));
    };
    let value: Value = serde_json::from_slice(&payload).map_err(|err| {
        format!(
            "the answer is not JSON ({err}): {}",
            String::from_utf8_lossy(&payload)
        )
    })?;
    if value == json!({ "ok": true }) {
        Ok(())
    } else {
        Err(format!("expected the answer {{\"ok\":true}}, got {value}"))
    }
}

/// Sends `count` invocations to `function` with `concurrency` in flight;
/// the wall-clock time from the first sent to the last answered.
async fn batch(function: &Function, count: usize, concurrency: u32) -> Result<Duration, String> {
    let payload = Bytes::from_static(br#"{"n":1}"#);
    let sent = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let senders: Vec<_> = (0..concurrency)
        .map(|_| {
            let emulator = Arc::clone(&function.emulator);
            let sent = Arc::clone(&sent);
            let payload = payload.clone();
            tokio::spawn(async move {
                while sent.fetch_add(1, Ordering::Relaxed) < count {
                    check(emulator.invoke(payload.clone()).await)?;
                }
                Ok::<(), String>(())
            })
        })
        .collect();
    for sender in senders {
        sender
            .await
            .map_err(|err| format!("a sending task failed: {err}"))?
            .map_err(|err| format!("{}: {err}", function.name))?;
    }
    Ok(started.elapsed())
}

/// The whole run.
async fn run(args: &Args) -> Result<(), String> {
    let mut functions = Vec::with_capacity(args.functions.len());
    for (name, program) in &args.functions {
        functions.push(start(name, program, args.concurrency).await?);
    }
    for function in &functions {
        batch(function, args.warmup, args.concurrency).await?;
    }
    for round in 0..args.rounds {
        for turn in 0..functions.len() {
            let function = &functions[(round + turn) % functions.len()];
            let wall = batch(function, args.invocations, args.concurrency).await?;
            let seconds = wall.as_secs_f64();
            println!(
                "round={} function={} invocations={} concurrency={} seconds={seconds:.4} per_s={:.1}",
                round + 1,
                function.name,
                args.invocations,
                args.concurrency,
                args.invocations as f64 / seconds
            );
        }
    }
    for function in &functions {
        let restarts = function.emulator.restarts();
        if restarts > 0 {
            return Err(format!(
                "{} was restarted {restarts} times after a timeout",
                function.name
            ));
        }
        let most = function.emulator.most_in_flight();
        if most != u64::from(args.concurrency) {
            return Err(format!(
                "{} had at most {most} invocations in flight at once, not {}",
                function.name, args.concurrency
            ));
        }
        println!(
            "function={} most_in_flight={most} restarts=0",
            function.name
        );
    }
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(err) => {
            eprintln!("lambda-concurrency-driver: {err}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("lambda-concurrency-driver: {err}");
            ExitCode::FAILURE
        }
    }
}
