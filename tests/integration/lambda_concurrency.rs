//! Lambda Managed Instances and tenant isolation (issue 25): with
//! `AWS_LAMBDA_MAX_CONCURRENCY` above 1 the Lambda adapter serves that many
//! invocations at once, each with its own request id, trace id, deadline and
//! log span; unset or 1 it serves them one after another; the tenant id
//! Lambda sends reaches `Context::tenant_id` and the log span.
//!
//! The function is this test binary again ([`concurrency_child`]), run by
//! the emulator as a child process with its output kept, as Lambda keeps it.

use crate::support::child_test;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyfn::{handler_fn, Context, Error, Json};
use anyfn_test::{LambdaEmulator, LambdaEmulatorBuilder, LambdaOutcome, RuntimeApiFault};
use serde_json::{json, Value};

use crate::support::{poll_until, within};

/// Set in the child's environment, so that it serves instead of returning.
const CHILD: &str = "ANYFN_LAMBDA_CONCURRENCY_CHILD";

/// How long each slow invocation awaits.
const SLOW: Duration = Duration::from_millis(200);

/// How many invocations are sent at once.
const PARALLEL: usize = 8;

/// The function: `{"sleep_ms": n}` awaits `n` ms, `{"block_ms": n}`
/// blocks its thread for `n` ms (`std::thread::sleep`), `{"panic": true}`
/// panics; it logs a line and answers what its context says.
async fn report(Json(event): Json<Value>, context: Context) -> Result<Json<Value>, Error> {
    if event["panic"] == true {
        panic!("the handler blew up");
    }
    if let Some(ms) = event["block_ms"].as_u64() {
        std::thread::sleep(Duration::from_millis(ms));
    }
    let ms = event["sleep_ms"].as_u64().unwrap_or(0);
    tracing::info!(sleep_ms = ms, "invocation line");
    tokio::time::sleep(Duration::from_millis(ms)).await;
    Ok(Json(json!({
        "request_id": context.request_id(),
        "trace_id": context.trace_id(),
        "tenant_id": context.tenant_id(),
        "max_concurrency": context.max_concurrency(),
    })))
}

/// Not a test: the function the tests below run (this binary, with
/// `--ignored --exact lambda_concurrency::concurrency_child` and [`CHILD`]
/// set), on tokio's default worker threads: `TOKIO_WORKER_THREADS` in its
/// environment, 2 as a 2-vCPU instance has unless a test sets another.
/// Without [`CHILD`] it returns at once.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "the child process of the Lambda concurrency tests, started by them"]
async fn concurrency_child() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    anyfn_lambda::run(handler_fn(report))
        .await
        .expect("runs until killed");
}

/// An emulator configured by `configure`, with the function running on it
/// and answering (one invocation taken and answered).
async fn started(
    configure: impl FnOnce(LambdaEmulatorBuilder) -> LambdaEmulatorBuilder,
) -> (Arc<LambdaEmulator>, anyfn_test::FunctionProcess) {
    // A test's own TOKIO_WORKER_THREADS comes later, so it wins.
    let emulator = configure(LambdaEmulator::builder().env("TOKIO_WORKER_THREADS", "2"))
        .env("RUST_BACKTRACE", "0")
        .start()
        .await
        .expect("emulator");
    let mut command = child_test("lambda_concurrency::concurrency_child");
    command.env(CHILD, "1");
    let function = emulator.spawn_captured(command).expect("the child starts");
    let warm_up = emulator.invoke(json!({}).to_string()).await;
    assert!(
        matches!(warm_up, LambdaOutcome::Response { .. }),
        "{warm_up:?}"
    );
    (Arc::new(emulator), function)
}

/// The trace id the emulator sends with the invocation `request_id`.
fn trace_of(request_id: &str) -> String {
    let number: u64 = request_id
        .rsplit('-')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("the emulator's request ids end in their number");
    format!("Root=1-00000000-{number:024x};Parent=0000000000000001;Sampled=0")
}

/// Sends every payload at once; the outcomes in the same order, and the
/// wall time until the last.
async fn invoke_all(
    emulator: &Arc<LambdaEmulator>,
    payloads: Vec<Value>,
) -> (Vec<LambdaOutcome>, Duration) {
    let started = Instant::now();
    let tasks: Vec<_> = payloads
        .into_iter()
        .map(|payload| {
            let emulator = Arc::clone(emulator);
            tokio::spawn(async move { emulator.invoke(payload.to_string()).await })
        })
        .collect();
    let mut outcomes = Vec::with_capacity(tasks.len());
    for task in tasks {
        outcomes.push(task.await.expect("the invocation task"));
    }
    (outcomes, started.elapsed())
}

/// The answer of a successful invocation, checked to be its own: its
/// request id and its trace id; and its log line, in its own span.
async fn own_answer(emulator: &LambdaEmulator, outcome: &LambdaOutcome) -> Value {
    let LambdaOutcome::Response {
        request_id,
        payload,
    } = outcome
    else {
        panic!("answered: {outcome:?}");
    };
    let answer: Value = serde_json::from_slice(payload).expect("JSON");
    let trace_id = trace_of(request_id);
    assert_eq!(answer["request_id"], request_id.as_str(), "{answer}");
    assert_eq!(answer["trace_id"], trace_id.as_str(), "{answer}");
    let span = format!("requestId=\"{request_id}\" xrayTraceId=\"{trace_id}\"");
    let line = emulator
        .output_line_containing(&span, Duration::from_secs(5))
        .await
        .unwrap_or_else(|| panic!("no log line in {span}: {:#?}", emulator.output()));
    assert!(line.contains("invocation line"), "{line}");
    answer
}

fn slow() -> Value {
    json!({"sleep_ms": SLOW.as_millis() as u64})
}

#[tokio::test]
async fn regression_eight_invocations_at_max_concurrency_eight_run_at_once() {
    let (emulator, _function) = started(|lambda| lambda.max_concurrency(PARALLEL as u32)).await;
    poll_until(
        "eight workers polling next",
        Duration::from_secs(10),
        || {
            let waiting = emulator.most_polls_waiting();
            async move { (waiting >= PARALLEL as u64).then_some(()) }
        },
    )
    .await;

    let (outcomes, wall) = within(
        Duration::from_secs(10),
        "eight invocations",
        invoke_all(&emulator, vec![slow(); PARALLEL]),
    )
    .await;
    eprintln!("{PARALLEL} invocations of {SLOW:?} at concurrency {PARALLEL}: {wall:?}");
    for outcome in &outcomes {
        let answer = own_answer(&emulator, outcome).await;
        assert_eq!(answer["max_concurrency"], PARALLEL, "{answer}");
        assert_eq!(answer["tenant_id"], Value::Null, "{answer}");
    }
    let mut request_ids: Vec<&str> = outcomes.iter().map(LambdaOutcome::request_id).collect();
    request_ids.sort_unstable();
    request_ids.dedup();
    assert_eq!(request_ids.len(), PARALLEL, "each its own invocation");
    assert_eq!(emulator.most_in_flight(), PARALLEL as u64, "all at once");
    assert!(wall < 2 * SLOW, "{wall:?}: not at once");
    assert_eq!(
        emulator.answers_without_invocation_id(),
        0,
        "each answer names its invocation"
    );
}

#[tokio::test]
async fn at_max_concurrency_one_invocations_run_one_after_another() {
    let (emulator, _function) = started(|lambda| lambda.max_concurrency(1)).await;
    let (outcomes, wall) = within(
        Duration::from_secs(20),
        "eight invocations",
        invoke_all(&emulator, vec![slow(); PARALLEL]),
    )
    .await;
    eprintln!("{PARALLEL} invocations of {SLOW:?} at concurrency 1: {wall:?}");
    for outcome in &outcomes {
        let answer = own_answer(&emulator, outcome).await;
        assert_eq!(answer["max_concurrency"], 1, "{answer}");
    }
    assert_eq!(emulator.most_in_flight(), 1, "one at a time");
    assert_eq!(emulator.most_polls_waiting(), 1, "one worker");
    assert!(wall >= SLOW * PARALLEL as u32, "{wall:?}");
}

#[tokio::test]
async fn under_concurrency_a_panic_and_a_timeout_leave_the_others_answered() {
    let (emulator, _function) = started(|lambda| {
        lambda
            .max_concurrency(4)
            .timeout(Duration::from_millis(1500))
    })
    .await;
    let payloads = vec![
        json!({"panic": true}),
        json!({"sleep_ms": 10_000}),
        slow(),
        slow(),
    ];
    let (outcomes, _) = within(
        Duration::from_secs(10),
        "four invocations",
        invoke_all(&emulator, payloads),
    )
    .await;
    let error_type = |outcome: &LambdaOutcome| match outcome {
        LambdaOutcome::Error { error, .. } => error.error_type.clone(),
        other => panic!("an invocation error: {other:?}"),
    };
    assert_eq!(
        error_type(&outcomes[0]),
        "Panic",
        "the failure table's panic"
    );
    assert_eq!(
        error_type(&outcomes[1]),
        "Timeout",
        "the failure table's awaiting timeout, answered by anyfn before Lambda's"
    );
    for outcome in &outcomes[2..] {
        own_answer(&emulator, outcome).await;
    }
    let after = emulator.invoke(slow().to_string()).await;
    own_answer(&emulator, &after).await;
    assert_eq!(emulator.restarts(), 0, "the instance served on");
}

/// A handler blocking its thread holds a tokio worker thread, and tokio
/// starts one per vCPU while Lambda sends several invocations per vCPU: it
/// takes as many blocked handlers as the runtime has worker threads (2 on a
/// 2-vCPU instance, with tokio's default) to stall every other invocation,
/// their `Timeout`s included. Fewer, and the rest are served on the threads
/// left: here one invocation blocks its thread past its deadline while seven
/// others await 200 ms, at `AWS_LAMBDA_MAX_CONCURRENCY=8` on two worker
/// threads. The Lambda adapter runs each handler on a task of its own and
/// keeps the deadline on the invocation's task, which another worker
/// thread runs: the blocked one is answered `Timeout` at anyfn's deadline
/// (Lambda's 2 s minus a 500 ms margin), before Lambda's, and the seven
/// answer as if nothing blocked, well before that deadline. On one worker
/// thread (`TOKIO_WORKER_THREADS=1`: as many blocked as there are threads)
/// all eight end at Lambda's deadline instead, the blocked one `TimedOut`
/// by the emulator, unanswered.
#[tokio::test]
async fn under_concurrency_a_thread_blocking_handler_is_timed_out_while_seven_others_answer() {
    let (emulator, _function) = started(|lambda| {
        lambda
            .max_concurrency(PARALLEL as u32)
            .timeout(Duration::from_secs(2))
            .env("ANYFN_DEADLINE_MARGIN_MS", "500")
            .env("TOKIO_WORKER_THREADS", "2")
    })
    .await;
    poll_until(
        "eight workers polling next",
        Duration::from_secs(10),
        || {
            let waiting = emulator.most_polls_waiting();
            async move { (waiting >= PARALLEL as u64).then_some(()) }
        },
    )
    .await;

    let mut payloads = vec![json!({"block_ms": 4_000})];
    payloads.extend(vec![slow(); PARALLEL - 1]);
    let tasks: Vec<_> = payloads
        .into_iter()
        .map(|payload| {
            let emulator = Arc::clone(&emulator);
            tokio::spawn(async move {
                let sent = Instant::now();
                let outcome = emulator.invoke(payload.to_string()).await;
                (outcome, sent.elapsed())
            })
        })
        .collect();
    let mut answered = Vec::with_capacity(tasks.len());
    for task in tasks {
        answered.push(
            within(Duration::from_secs(10), "an invocation", task)
                .await
                .expect("the invocation task"),
        );
    }

    let times: Vec<Duration> = answered.iter().map(|(_, after)| *after).collect();
    eprintln!("one blocking, seven awaiting {SLOW:?}, on two worker threads: {times:?}");
    // An error anyfn posted, not the emulator's TimedOut: before Lambda's
    // deadline.
    match &answered[0].0 {
        LambdaOutcome::Error { error, .. } => assert_eq!(
            error.error_type, "Timeout",
            "the failure table's timeout: {error:?}"
        ),
        other => panic!("the blocked invocation answered Timeout by anyfn: {other:?}"),
    }
    for (outcome, after) in &answered[1..] {
        own_answer(&emulator, outcome).await;
        assert!(
            *after < Duration::from_millis(1500),
            "{after:?}: not held up by the blocked thread"
        );
    }
    assert_eq!(emulator.most_in_flight(), PARALLEL as u64, "all at once");
    let after = emulator.invoke(slow().to_string()).await;
    own_answer(&emulator, &after).await;
    assert_eq!(emulator.restarts(), 0, "the instance served on");
}

#[tokio::test]
async fn regression_the_tenant_id_reaches_the_context_and_the_log_span() {
    let (emulator, _function) = started(|lambda| lambda.max_concurrency(2)).await;
    let outcome = emulator
        .invoke_with_tenant(json!({}).to_string(), "tenant-42")
        .await;
    let answer = own_answer(&emulator, &outcome).await;
    assert_eq!(answer["tenant_id"], "tenant-42", "{answer}");
    let span = format!(
        "requestId=\"{}\" xrayTraceId=\"{}\" tenantId=\"tenant-42\"",
        outcome.request_id(),
        trace_of(outcome.request_id())
    );
    assert!(
        emulator
            .output_line_containing(&span, Duration::from_secs(5))
            .await
            .is_some(),
        "{span} in {:#?}",
        emulator.output()
    );
    let without = emulator.invoke(json!({}).to_string()).await;
    assert_eq!(
        own_answer(&emulator, &without).await["tenant_id"],
        Value::Null
    );
}

#[tokio::test]
async fn under_concurrency_an_answer_the_runtime_api_refuses_is_logged_with_its_invocation_id() {
    let (emulator, _function) = started(|lambda| lambda.max_concurrency(2)).await;
    emulator.inject(RuntimeApiFault::ResponseAnswers500);
    let refused = emulator.invoke(json!({}).to_string()).await;
    let request_id = refused.request_id().to_owned();
    let needle = format!("invocation_id=\"inv-{request_id}\"");
    let line = emulator
        .output_line_containing(&needle, Duration::from_secs(5))
        .await
        .unwrap_or_else(|| panic!("{needle} in {:#?}", emulator.output()));
    assert!(line.contains("refused"), "{line}");
    let after = emulator.invoke(slow().to_string()).await;
    own_answer(&emulator, &after).await;
}
