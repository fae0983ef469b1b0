//! The runtime's loop: each invocation from the Runtime API's `next` to its
//! answer (the response payload, or a `Diagnostic`), posted.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyfn::{Context, Error, Handler, Platform};
use anyfn_kit::{CatchPanic, Lifecycle, SnapStartHooks, StreamInvocation, StreamTimers};
use bytes::Bytes;
use lambda_runtime::Diagnostic;
use lambda_runtime_api_client::BoxError;
use serde_json::value::RawValue;
use tracing::Instrument as _;

use crate::answers::AnswerClient;
use crate::codec::{FromLambda, IntoLambda, LambdaAnswer};
use crate::context_ext::InvocationDetails;
use crate::env::FunctionEnv;
use crate::metrics::InvocationMetrics;
use crate::next::{Invocation, NextError};
use crate::post::Posted;
use crate::{EventSource, LambdaError};

/// What the runtime needs of the configuration, resolved.
#[derive(Debug, Clone)]
pub(crate) struct RunSettings {
    pub(crate) deadline_margin: Duration,
    /// The timeout set in code or by `ANYFN_TIMEOUT_MS`: it only shortens
    /// Lambda's deadline.
    pub(crate) timeout: Option<Duration>,
    pub(crate) error_details: anyfn::ErrorDetails,
    pub(crate) response_streaming: bool,
    /// `ANYFN_METRICS_NAMESPACE`: metrics written as CloudWatch EMF when set.
    pub(crate) metrics_namespace: Option<Arc<str>>,
}

impl RunSettings {
    /// The builder's `settings` over `env`'s, else Lambda's defaults; and
    /// whether to install the default subscriber.
    pub(crate) fn resolve(
        settings: anyfn_kit::Settings,
        env: anyfn_kit::Settings,
        deadline_margin: Duration,
        response_streaming: bool,
    ) -> (Self, bool) {
        let settings = settings.or(env);
        let resolved = Self {
            deadline_margin,
            timeout: settings.timeout(),
            error_details: settings.error_details().unwrap_or_default(),
            response_streaming,
            metrics_namespace: std::env::var(anyfn_kit::METRICS_NAMESPACE_ENV)
                .ok()
                .filter(|namespace| !namespace.trim().is_empty())
                .map(Into::into),
        };
        (resolved, settings.installs_default_subscriber())
    }
}

/// Serves invocations of `handler` until the runtime stops.
///
/// The runtime's loop is anyfn-lambda's own, as lambda_runtime's
/// `run_concurrent` runs it: [`crate::next`] polls `next` on the Runtime API
/// connections answers are posted on ([`AnswerClient`]), the invocation
/// runs in a span as lambda_runtime's `TracingLayer` opens it, and is
/// answered ([`crate::post`]). With `AWS_LAMBDA_MAX_CONCURRENCY` above 1
/// (Lambda Managed Instances), that many workers each poll `next` and
/// answer their invocation, each on a connection of its own. Unset or 1,
/// the invocations run one after another, and each sets `_X_AMZN_TRACE_ID`
/// to its trace id, as lambda_runtime's sequential loop does.
///
/// With shutdown hooks, an internal extension is registered first (see
/// [`crate::shutdown`]) so that Lambda sends SIGTERM at shutdown; the hooks
/// then run within Lambda's grace period and `run` returns. With SnapStart
/// on, the restore flow runs before the first `next` ([`crate::snapstart`]).
pub(crate) async fn run<H>(
    handler: H,
    settings: RunSettings,
    lifecycle: Lifecycle,
) -> Result<(), LambdaError>
where
    H: Handler,
    H::Event: FromLambda,
    H::Output: IntoLambda,
{
    let env = Arc::new(FunctionEnv::from_env()?);
    // Every Runtime API request goes on these connections, to this address.
    let client = Arc::new(
        AnswerClient::from_env().map_err(|_| LambdaError::InvalidEnv {
            name: crate::env::RUNTIME_API,
            value: std::env::var(crate::env::RUNTIME_API).unwrap_or_default(),
            reason: "the Runtime API's address, host:port",
        })?,
    );
    let (shutdown_hooks, snapstart_hooks) = lifecycle.into_parts();
    let sigterm = if shutdown_hooks.is_empty() {
        None
    } else {
        listen_for_shutdown(&client).await
    };
    let invocations = Invocations {
        handler: Arc::new(handler),
        env,
        settings: Arc::new(settings),
        client,
    };
    // On a task of its own: the invocations are polled on tokio's worker
    // threads, and a panic of the loop's own is an error, not a crash.
    let mut runtime = tokio::spawn(serve(invocations, snapstart_hooks));
    let ended = match sigterm {
        None => runtime.await,
        Some(mut sigterm) => tokio::select! {
            ended = &mut runtime => ended,
            _ = sigterm.recv() => {
                let received = Instant::now();
                crate::shutdown::run_hooks(shutdown_hooks, received, crate::shutdown::grace()).await;
                // Spans an installed telemetry holds (anyfn-otel) leave.
                if anyfn_kit::telemetry_installed() {
                    let _ = tokio::task::spawn_blocking(anyfn_kit::flush_telemetry).await;
                }
                return Ok(());
            }
        },
    };
    match ended {
        Ok(Ok(())) => Ok(()),
        Ok(Err(err)) => Err(LambdaError::Runtime {
            message: chain(&*err),
        }),
        Err(join) if join.is_panic() => Err(LambdaError::Runtime {
            message: format!(
                "the runtime's loop panicked ({})",
                anyfn_kit::panic_message(join.into_panic().as_ref())
            ),
        }),
        Err(join) => Err(LambdaError::Runtime {
            message: format!("the runtime task ended: {join}"),
        }),
    }
}

/// The target of the lines and spans lambda_runtime's loop writes, kept for
/// them (filters and anyfn-otel tell lambda_runtime's own by it).
const RUNTIME_TARGET: &str = "lambda_runtime::runtime";

/// The SnapStart restore flow, then the invocations until the runtime
/// stops: one after another, or by [`FunctionEnv::max_concurrency`] workers.
async fn serve<H>(invocations: Invocations<H>, snapstart: SnapStartHooks) -> Result<(), BoxError>
where
    H: Handler,
    H::Event: FromLambda,
    H::Output: IntoLambda,
{
    crate::snapstart::restore_flow(&invocations.client, snapstart).await?;
    let workers = invocations.env.max_concurrency;
    if workers > 1 {
        tracing::trace!(
            target: RUNTIME_TARGET,
            "Concurrent mode: _X_AMZN_TRACE_ID is not set; use context.xray_trace_id"
        );
        serve_concurrently(invocations, workers).await
    } else {
        tracing::debug!(
            target: RUNTIME_TARGET,
            "Concurrent polling disabled (AWS_LAMBDA_MAX_CONCURRENCY unset or <= 1); falling back to sequential polling"
        );
        serve_sequentially(&invocations).await
    }
}

/// One invocation after another: a `next` that fails, or an answer that
/// cannot be posted, stops the runtime.
async fn serve_sequentially<H>(invocations: &Invocations<H>) -> Result<(), BoxError>
where
    H: Handler,
    H::Event: FromLambda,
    H::Output: IntoLambda,
{
    loop {
        tracing::trace!(target: RUNTIME_TARGET, "Waiting for next event (incoming loop)");
        let invocation = match crate::next::next(&invocations.client).await {
            Ok(Some(invocation)) => invocation,
            Ok(None) => continue,
            Err(err) => return Err(err.into()),
        };
        tracing::trace!(target: RUNTIME_TARGET, "New event arrived (run loop)");
        // The process-wide trace id AWS's X-Ray SDKs read, as lambda_runtime
        // sets it when invocations run one at a time.
        match &invocation.trace_id {
            Some(trace_id) => std::env::set_var(TRACE_ID_ENV, trace_id),
            None => std::env::remove_var(TRACE_ID_ENV),
        }
        answer(invocations, invocation).await?;
    }
}

/// The variable lambda_runtime sets to the invocation's trace id.
const TRACE_ID_ENV: &str = "_X_AMZN_TRACE_ID";

/// `workers` workers, each polling `next` and answering its invocation, as
/// lambda_runtime's `run_concurrent` runs them: a worker that cannot reach
/// the Runtime API logs it and asks again; one that gets an answer that is
/// not an invocation, or cannot post its answer, ends, and the runtime
/// stops when none is left.
async fn serve_concurrently<H>(invocations: Invocations<H>, workers: u32) -> Result<(), BoxError>
where
    H: Handler,
    H::Event: FromLambda,
    H::Output: IntoLambda,
{
    tracing::debug!(
        target: RUNTIME_TARGET,
        event = "runtime_worker_pool_initializing",
        worker_count = workers,
        execution_environment_max_concurrency = workers,
    );
    let mut running = tokio::task::JoinSet::new();
    for _ in 0..workers {
        running.spawn(work(invocations.clone()));
    }
    let mut ended = WorkersEnded::default();
    let mut remaining_workers = workers;
    while let Some(result) = running.join_next_with_id().await {
        remaining_workers = remaining_workers.saturating_sub(1);
        match result {
            Ok((task_id, Ok(()))) => {
                tracing::error!(
                    target: RUNTIME_TARGET,
                    task_id = %task_id,
                    remaining_workers,
                    "Concurrent worker exited cleanly (unexpected - loop should run forever)"
                );
                ended.clean.push(task_id.to_string());
            }
            Ok((task_id, Err(err))) => {
                tracing::error!(
                    target: RUNTIME_TARGET,
                    task_id = %task_id,
                    error = %err,
                    remaining_workers,
                    "Concurrent worker exited with error"
                );
                ended.failures.push((task_id.to_string(), err.to_string()));
            }
            Err(join) => {
                let task_id = join.id();
                tracing::error!(
                    target: RUNTIME_TARGET,
                    task_id = %task_id,
                    error = %join,
                    remaining_workers,
                    "Concurrent worker panicked"
                );
                ended.failures.push((task_id.to_string(), join.to_string()));
            }
        }
    }
    Err(ended.into())
}

/// How the workers ended, said as lambda_runtime says it (one JSON object).
#[derive(Debug, Default)]
struct WorkersEnded {
    /// The task ids of the workers whose loop returned.
    clean: Vec<String>,
    /// The task ids and errors of the workers that failed.
    failures: Vec<(String, String)>,
}

impl std::fmt::Display for WorkersEnded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let message = if self.failures.is_empty() && !self.clean.is_empty() {
            "all concurrent workers exited cleanly (unexpected - loop should run forever)"
        } else {
            "concurrent workers exited unexpectedly"
        };
        let mut json = serde_json::json!({ "message": message });
        if !self.clean.is_empty() {
            json["clean"] = self.clean.clone().into();
        }
        if !self.failures.is_empty() {
            json["failures"] = self
                .failures
                .iter()
                .map(|(id, err)| serde_json::json!({ "id": id, "err": err }))
                .collect();
        }
        write!(f, "{json}")
    }
}

impl std::error::Error for WorkersEnded {}

/// How long a worker waits before asking `next` again after the Runtime
/// API could not be reached `failures` times in a row: at once the first
/// time, then from 10 ms doubling to 1 s (lambda_runtime asks again at
/// once every time, and spins while the Runtime API is gone).
fn retry_after(failures: u32) -> Duration {
    match failures {
        0 | 1 => Duration::ZERO,
        n => Duration::from_millis(10u64 << (n - 2).min(7)).min(Duration::from_secs(1)),
    }
}

/// One worker: `next`, answer, again, in a `worker` span as lambda_runtime's.
async fn work<H>(invocations: Invocations<H>) -> Result<(), BoxError>
where
    H: Handler,
    H::Event: FromLambda,
    H::Output: IntoLambda,
{
    let task_id = tokio::task::id();
    let span = tracing::info_span!(target: RUNTIME_TARGET, "worker", task_id = %task_id);
    let mut failures: u32 = 0;
    loop {
        let next = crate::next::next(&invocations.client)
            .instrument(span.clone())
            .await;
        let invocation = match next {
            Ok(Some(invocation)) => invocation,
            Ok(None) => continue,
            Err(NextError::Unreachable(err)) => {
                tracing::warn!(
                    target: RUNTIME_TARGET,
                    task_id = %task_id,
                    error = %err,
                    "Error polling /next, retrying"
                );
                failures = failures.saturating_add(1);
                tokio::time::sleep(retry_after(failures)).await;
                continue;
            }
            Err(NextError::Malformed(err)) => return Err(err.into()),
        };
        failures = 0;
        answer(&invocations, invocation)
            .instrument(span.clone())
            .await?;
    }
}

/// Listens for SIGTERM and registers the shutdown extension; `None`, with
/// a `WARN` line saying the hooks will not run, when either fails.
async fn listen_for_shutdown(client: &Arc<AnswerClient>) -> Option<tokio::signal::unix::Signal> {
    // Listening first: a SIGTERM right after the registration is not lost.
    let sigterm = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(sigterm) => sigterm,
        Err(err) => {
            tracing::warn!(
                target: "anyfn::lambda",
                "cannot listen for SIGTERM ({err}): the shutdown hooks will not run"
            );
            return None;
        }
    };
    match crate::shutdown::register(client).await {
        Ok(registered) => {
            tokio::spawn(registered.wait_for_events());
            Some(sigterm)
        }
        Err(err) => {
            tracing::warn!(
                target: "anyfn::lambda",
                "the internal extension that makes Lambda send SIGTERM could not be registered \
                 ({err}): the shutdown hooks will not run"
            );
            None
        }
    }
}

/// The handler and what its invocations share.
struct Invocations<H> {
    handler: Arc<H>,
    env: Arc<FunctionEnv>,
    settings: Arc<RunSettings>,
    /// The Runtime API's connections: `next`, and the answers.
    client: Arc<AnswerClient>,
}

impl<H> Clone for Invocations<H> {
    fn clone(&self) -> Self {
        Self {
            handler: Arc::clone(&self.handler),
            env: Arc::clone(&self.env),
            settings: Arc::clone(&self.settings),
            client: Arc::clone(&self.client),
        }
    }
}

/// The span lambda_runtime's `TracingLayer` opens for each invocation
/// (`request_span`): its name, target and fields, which the log lines
/// carry.
fn invocation_span(invocation: &Invocation) -> tracing::Span {
    let request_id = invocation.request_id.as_str();
    match (&invocation.trace_id, &invocation.tenant_id) {
        (Some(trace_id), Some(tenant_id)) => tracing::info_span!(
            target: INVOCATION_SPAN_TARGET,
            "Lambda runtime invoke",
            requestId = request_id,
            xrayTraceId = trace_id.as_str(),
            tenantId = tenant_id.as_str()
        ),
        (Some(trace_id), None) => tracing::info_span!(
            target: INVOCATION_SPAN_TARGET,
            "Lambda runtime invoke",
            requestId = request_id,
            xrayTraceId = trace_id.as_str()
        ),
        (None, Some(tenant_id)) => tracing::info_span!(
            target: INVOCATION_SPAN_TARGET,
            "Lambda runtime invoke",
            requestId = request_id,
            tenantId = tenant_id.as_str()
        ),
        (None, None) => tracing::info_span!(
            target: INVOCATION_SPAN_TARGET,
            "Lambda runtime invoke",
            requestId = request_id
        ),
    }
}

/// The target of lambda_runtime's invocation span.
const INVOCATION_SPAN_TARGET: &str = "lambda_runtime::layers::trace";

/// Answers one invocation, in its span: settles it and posts the outcome.
///
/// # Errors
///
/// The answer could not be posted: the Runtime API is gone.
async fn answer<H>(invocations: &Invocations<H>, invocation: Invocation) -> Result<(), BoxError>
where
    H: Handler,
    H::Event: FromLambda,
    H::Output: IntoLambda,
{
    let span = invocation_span(&invocation);
    async move {
        let Invocation {
            request_id,
            invocation_id,
            payload,
            deadline_ms,
            trace_id,
            tenant_id,
            details,
        } = invocation;
        let lambda = LambdaDetails {
            deadline_ms,
            trace_id,
            tenant_id,
            details,
        };
        let settling = Box::pin(invoke(invocations, payload, lambda, &request_id));
        let outcome = CatchPanic::new(settling).await.unwrap_or_else(|err| {
            anyfn_kit::log_failure(&request_id, &err);
            Err(crate::post::diagnostic(&err))
        });
        let posted =
            crate::post::post(&invocations.client, &request_id, invocation_id, outcome).await;
        // The environment may freeze once the next `/next` is sent: the
        // invocation's spans (an installed telemetry's, anyfn-otel) leave
        // first. Its span ended with the handler's task.
        if anyfn_kit::telemetry_installed() {
            let _ = tokio::task::spawn_blocking(anyfn_kit::flush_telemetry).await;
        }
        posted
    }
    .instrument(span)
    .await
}

/// What Lambda said of an invocation besides its request id and event.
struct LambdaDetails {
    deadline_ms: u64,
    trace_id: Option<String>,
    tenant_id: Option<String>,
    details: InvocationDetails,
}

/// An error and its causes, as one line.
fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !message.contains(&cause_text) {
            message.push_str(": ");
            message.push_str(&cause_text);
        }
        source = cause.source();
    }
    message
}

/// One invocation, settled into what Lambda records: the output (a payload,
/// or a stream), or for an HTTP event the error's HTTP answer in the
/// request's shape, or else an invocation error.
async fn invoke<H>(
    invocations: &Invocations<H>,
    payload: Bytes,
    lambda: LambdaDetails,
    request_id: &str,
) -> Result<Posted, Diagnostic>
where
    H: Handler,
    H::Event: FromLambda,
    H::Output: IntoLambda,
{
    let settings = &*invocations.settings;
    let env = &*invocations.env;
    let mut source = None;
    let metrics =
        InvocationMetrics::start(settings.metrics_namespace.as_deref(), &env.function_name);
    let handle = metrics.as_ref().map(InvocationMetrics::handle);
    let settled = settle(
        invocations,
        payload,
        lambda,
        request_id,
        &mut source,
        handle,
    )
    .await;
    if let Some(metrics) = metrics {
        metrics.finish();
    }
    let posted = match settled {
        Ok(Settled {
            answer: LambdaAnswer::Payload(json),
            ..
        }) => checked::<H::Output>(json).map(Posted::Payload),
        Ok(Settled {
            answer: LambdaAnswer::Streamed(response),
            source,
            started,
            deadline,
        }) => {
            let invocation = StreamInvocation {
                request_id: request_id.to_owned(),
                started,
                deadline,
                details: settings.error_details,
            };
            let guarded = anyfn_kit::guard_stream(response, invocation, TokioTimers);
            crate::streaming::post(guarded, source, settings.response_streaming).await
        }
        Err(err) => Err(err),
    };
    let err = match posted {
        Ok(posted) => return Ok(posted),
        Err(err) => err,
    };
    anyfn_kit::log_failure(request_id, &err);
    if let Some(source) = source.filter(|source| source.is_http()) {
        let response = err.to_response(request_id, settings.error_details);
        // JSON the HTTP encoder wrote: posted without parsing it again.
        match crate::http::encode(response, source) {
            Ok(payload) => return Ok(Posted::Payload(payload)),
            Err(encoding) => tracing::warn!(
                target: "anyfn::invocation",
                request_id = %request_id,
                "the error's HTTP answer could not be encoded: {encoding:#}"
            ),
        }
    }
    Err(crate::post::diagnostic(&err))
}

/// A handler's answer, with what a stream needs to be held to the deadline.
struct Settled {
    answer: LambdaAnswer,
    source: EventSource,
    started: Instant,
    deadline: Instant,
}

/// tokio's timers, lent to [`anyfn_kit::guard_stream`].
struct TokioTimers;

impl StreamTimers for TokioTimers {
    type Sleep = tokio::time::Sleep;

    fn sleep_until(&self, deadline: Instant) -> tokio::time::Sleep {
        tokio::time::sleep_until(deadline.into())
    }
}

/// Decodes the event, runs the handler on a task of its own within the
/// deadline, and encodes the output. `source` is set as soon as the payload's
/// shape is known, so that a failure after that can be answered in it.
async fn settle<H>(
    invocations: &Invocations<H>,
    payload: Bytes,
    lambda: LambdaDetails,
    request_id: &str,
    source: &mut Option<EventSource>,
    metrics: Option<anyfn::metrics::Metrics>,
) -> Result<Settled, Error>
where
    H: Handler,
    H::Event: FromLambda,
    H::Output: IntoLambda,
{
    let Invocations {
        handler,
        env,
        settings,
        ..
    } = invocations;
    let handler = Arc::clone(handler);
    let started = Instant::now();
    let deadline = deadline_of(
        lambda.deadline_ms,
        settings.deadline_margin,
        settings.timeout,
        started,
    );
    let mut builder = Context::builder()
        .request_id(request_id)
        .deadline(deadline)
        .function_name(env.function_name.clone())
        .function_version(env.function_version.clone())
        .memory_limit_mb(env.memory_mb)
        .max_concurrency(env.max_concurrency)
        .platform(Platform::AwsLambda)
        .extension(lambda.details);
    // This invocation's own `Lambda-Runtime-Trace-Id`, never the process's
    // `_X_AMZN_TRACE_ID`, which concurrent invocations would share.
    if let Some(trace_id) = lambda.trace_id {
        builder = builder.trace_id(trace_id);
    }
    if let Some(tenant_id) = lambda.tenant_id {
        builder = builder.tenant_id(tenant_id);
    }
    if let Some(metrics) = metrics {
        builder = builder.metrics(metrics);
    }
    let mut context = builder.build();

    // The event type reads the payload's bytes as they came: a payload that
    // is not JSON at all is told apart only when decoding fails, so that a
    // good one is read once, not validated first.
    let mut decoded = H::Event::from_lambda_shared(&payload, &mut context);
    if decoded.is_err() {
        if let Some(reason) = not_json(&payload) {
            decoded = Err(Error::bad_request(format!(
                "the payload is not JSON: {reason}"
            )));
            context.extensions_mut().remove::<EventSource>();
        }
    }
    drop(payload);
    // The decoder names the shape as soon as it knows it, even when it then
    // fails; an event type that names none answers as a raw payload.
    *source = context.extensions().get::<EventSource>().copied();
    let event = decoded?;
    let decoded_source = *source.get_or_insert(EventSource::Raw);

    // The handler runs on a task of its own, in the invocation's span, so that
    // one blocking its thread is still answered at the deadline. With
    // telemetry installed (anyfn-otel) it runs in an invocation span of its
    // own too, the caller's X-Ray trace its parent; the span is dropped
    // with the handler's future, before the outcome is handed over, so it
    // has ended when the adapter flushes.
    let span = if anyfn_kit::telemetry_installed() {
        if let Some(trace_id) = context.trace_id() {
            let caller = anyfn_kit::CallerTrace::xray(trace_id);
            context.extensions_mut().insert(caller);
        }
        anyfn_kit::invocation_span_for_event(&context, &event)
    } else {
        tracing::Span::current()
    };
    let (task, outcome) = anyfn_kit::detach(
        async move { anyfn_kit::invoke(&*handler, event, context, std::future::pending()).await }
            .instrument(span),
    );
    tokio::spawn(task);
    let output = tokio::time::timeout_at(deadline.into(), outcome)
        .await
        .unwrap_or_else(|_| Err(Error::timeout(started.elapsed())))?;
    Ok(Settled {
        answer: output.into_lambda(decoded_source)?,
        source: decoded_source,
        started,
        deadline,
    })
}

/// Why `payload` is not JSON at all, if it is not.
fn not_json(payload: &[u8]) -> Option<String> {
    serde_json::from_slice::<serde::de::IgnoredAny>(payload)
        .err()
        .map(|err| err.to_string())
}

/// The payload `O::into_lambda` returned, as it is posted: as it is when
/// anyfn-lambda serialized it ([`IntoLambda::SERIALIZED`]: JSON by
/// construction, so not parsed again), else once checked to be JSON.
fn checked<O: IntoLambda>(encoded: String) -> Result<String, Error> {
    if O::SERIALIZED.is_some() {
        return Ok(encoded);
    }
    RawValue::from_string(encoded)
        .map(|json| String::from(Box::<str>::from(json)))
        .map_err(|err| {
            Error::with_source(
                anyfn::ErrorKind::Internal,
                "the encoded output is not JSON",
                err,
            )
        })
}

/// The deadline the handler must meet: Lambda's (`deadline_ms`, Unix time in
/// milliseconds) minus `margin`, so that a timeout is reported before Lambda
/// ends the invocation, and never before `now`; or `timeout` after `now`
/// when that is sooner (a timeout setting shortens Lambda's deadline, and
/// never lengthens it).
///
/// A deadline already past when the invocation arrives is not one Lambda
/// gives (it hands over the whole timeout); emulators such as
/// `cargo lambda watch` send one. It is then taken as [`FALLBACK_TIMEOUT`]
/// from now (minus the margin, as Lambda's would be), with a warning the
/// first time.
fn deadline_of(
    deadline_ms: u64,
    margin: Duration,
    timeout: Option<Duration>,
    now: Instant,
) -> Instant {
    let mut remaining = remaining_until(deadline_ms);
    if remaining.is_zero() {
        warn_past_deadline_once(deadline_ms);
        remaining = FALLBACK_TIMEOUT;
    }
    let mut left = remaining.saturating_sub(margin);
    if let Some(timeout) = timeout {
        left = left.min(timeout);
    }
    // A deadline too far to represent (a malformed header) is a day away.
    now.checked_add(left)
        .unwrap_or_else(|| now + Duration::from_secs(24 * 60 * 60))
}

/// The timeout taken when the Runtime API's deadline is already past on
/// arrival: Lambda's default.
const FALLBACK_TIMEOUT: Duration = anyfn::DEFAULT_TIMEOUT;

fn warn_past_deadline_once(deadline_ms: u64) {
    static WARNED: std::sync::Once = std::sync::Once::new();
    WARNED.call_once(|| {
        tracing::warn!(
            target: "anyfn::lambda",
            "the Runtime API gave a deadline already past on arrival ({deadline_ms} ms since the epoch); \
             Lambda never does, emulators may: using {} s from now instead",
            FALLBACK_TIMEOUT.as_secs()
        );
    });
}

/// The time from now until a Unix time in milliseconds (Lambda's deadline);
/// zero once past.
fn remaining_until(deadline_ms: u64) -> Duration {
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|since| since.as_millis() as u64)
        .unwrap_or(0);
    Duration::from_millis(deadline_ms.saturating_sub(now_ms))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builder::DEFAULT_DEADLINE_MARGIN;

    fn epoch_ms_in(from_now: Duration) -> u64 {
        (SystemTime::now() + from_now)
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64
    }

    /// An output of the user's own, its payload text of unknown validity.
    struct Text;

    impl IntoLambda for Text {
        fn into_lambda(self, _source: EventSource) -> Result<crate::LambdaAnswer, Error> {
            unreachable!("only its SERIALIZED is read")
        }
    }

    use crate::fake_api::{FakeApi, Received};

    /// The handler of the loop's tests: answers its request id, trace id
    /// and `_X_AMZN_TRACE_ID` as it saw them.
    async fn report(
        anyfn::Json(_): anyfn::Json<serde_json::Value>,
        context: Context,
    ) -> Result<anyfn::Json<serde_json::Value>, Error> {
        Ok(anyfn::Json(serde_json::json!({
            "id": context.request_id(),
            "trace": context.trace_id(),
            "env": std::env::var(TRACE_ID_ENV).ok(),
        })))
    }

    fn invocations(
        api: &FakeApi,
        max_concurrency: u32,
    ) -> Invocations<
        impl Handler<Event = anyfn::Json<serde_json::Value>, Output = anyfn::Json<serde_json::Value>>,
    > {
        let concurrency = max_concurrency.to_string();
        let env = FunctionEnv::from_lookup(|name| match name {
            "AWS_LAMBDA_RUNTIME_API" => Some(api.address()),
            "AWS_LAMBDA_FUNCTION_NAME" => Some("loop".to_owned()),
            "AWS_LAMBDA_FUNCTION_VERSION" => Some("1".to_owned()),
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE" => Some("128".to_owned()),
            "AWS_LAMBDA_MAX_CONCURRENCY" => Some(concurrency.clone()),
            _ => None,
        })
        .expect("the environment");
        Invocations {
            handler: Arc::new(anyfn::handler_fn(report)),
            env: Arc::new(env),
            settings: Arc::new(RunSettings {
                deadline_margin: DEFAULT_DEADLINE_MARGIN,
                timeout: None,
                error_details: anyfn::ErrorDetails::default(),
                response_streaming: false,
                metrics_namespace: None,
            }),
            client: Arc::new(api.client()),
        }
    }

    /// Answers `next` with an invocation `id` (a minute to go), traced
    /// `trace` if given.
    fn invoke(next: Received, id: &str, trace: Option<&str>) {
        assert_eq!(
            (next.method.as_str(), next.path.as_str()),
            ("GET", crate::answers::NEXT_PATH)
        );
        let deadline = epoch_ms_in(Duration::from_secs(60)).to_string();
        let mut headers = vec![
            ("lambda-runtime-aws-request-id", id),
            ("lambda-runtime-deadline-ms", deadline.as_str()),
        ];
        headers.extend(trace.map(|trace| ("lambda-runtime-trace-id", trace)));
        next.respond("200 OK", &headers, "{}");
    }

    /// The answer posted for `id`, accepted.
    fn answered(posted: Received, id: &str) -> serde_json::Value {
        assert_eq!(posted.method, "POST");
        assert_eq!(
            posted.path,
            format!("/2018-06-01/runtime/invocation/{id}/response")
        );
        let body = serde_json::from_slice(&posted.body).expect("JSON");
        posted.accept();
        body
    }

    #[tokio::test]
    async fn the_sequential_loop_answers_each_next_in_turn_and_sets_the_trace_id_variable() {
        let mut api = FakeApi::start().await;
        let invocations = invocations(&api, 1);
        let serving = tokio::spawn(async move { serve_sequentially(&invocations).await });
        invoke(api.request().await, "first", Some("Root=1-a"));
        let answer = answered(api.request().await, "first");
        assert_eq!(
            answer,
            serde_json::json!({"id": "first", "trace": "Root=1-a", "env": "Root=1-a"})
        );
        invoke(api.request().await, "second", None);
        let answer = answered(api.request().await, "second");
        assert_eq!(
            answer["env"],
            serde_json::Value::Null,
            "removed without a trace id"
        );
        // A `next` answer that is not an invocation stops the loop, with
        // what was wrong.
        api.request()
            .await
            .respond("200 OK", &[("lambda-runtime-deadline-ms", "1")], "{}");
        let err = tokio::time::timeout(Duration::from_secs(10), serving)
            .await
            .expect("the loop ends")
            .expect("no panic")
            .expect_err("an error");
        assert_eq!(
            err.to_string(),
            "the Runtime API's invocation has no lambda-runtime-aws-request-id header"
        );
    }

    #[tokio::test]
    async fn managed_instances_run_a_worker_per_slot_each_polling_next() {
        let mut api = FakeApi::start().await;
        let invocations = invocations(&api, 3);
        let serving = tokio::spawn(serve_concurrently(invocations, 3));
        // Three `next`s waiting at once, each on a connection of its own.
        let mut waiting = Vec::new();
        for _ in 0..3 {
            waiting.push(api.request().await);
        }
        let mut connections: Vec<_> = waiting.iter().map(|next| next.connection).collect();
        connections.sort_unstable();
        assert_eq!(connections, [0, 1, 2]);
        // One that cannot reach the Runtime API asks again.
        waiting.pop().expect("a third").close();
        waiting.push(api.request().await);
        for (n, next) in waiting.into_iter().enumerate() {
            invoke(next, &format!("id-{n}"), Some("Root=1-b"));
        }
        let mut answered_ids = Vec::new();
        for _ in 0..3 {
            let posted = api.request().await;
            let id = posted.path.split('/').nth(4).expect("an id").to_owned();
            let answer = answered(posted, &id);
            assert_eq!(answer["id"], id.as_str());
            assert_eq!(answer["trace"], "Root=1-b", "each its own trace id");
            answered_ids.push(id);
        }
        answered_ids.sort();
        assert_eq!(answered_ids, ["id-0", "id-1", "id-2"]);
        // Each worker that gets an error answer ends; the runtime with the last.
        for _ in 0..3 {
            api.request()
                .await
                .respond("500 Internal Server Error", &[], "");
        }
        let err = tokio::time::timeout(Duration::from_secs(10), serving)
            .await
            .expect("the runtime ends")
            .expect("no panic")
            .expect_err("an error");
        let said: serde_json::Value = serde_json::from_str(&err.to_string()).expect("JSON");
        assert_eq!(said["message"], "concurrent workers exited unexpectedly");
        let failures = said["failures"].as_array().expect("failures");
        assert_eq!(failures.len(), 3, "{said}");
        assert!(failures.iter().all(|failure| failure["err"]
            == "the Runtime API answered `next` with 500 Internal Server Error"));
    }

    #[test]
    fn a_worker_that_cannot_reach_next_asks_again_at_once_then_backs_off_to_a_second() {
        assert_eq!(retry_after(1), Duration::ZERO);
        assert_eq!(retry_after(2), Duration::from_millis(10));
        assert_eq!(retry_after(3), Duration::from_millis(20));
        assert_eq!(retry_after(9), Duration::from_secs(1));
        assert_eq!(retry_after(u32::MAX), Duration::from_secs(1));
    }

    #[test]
    fn payloads_anyfn_did_not_serialize_are_still_checked() {
        let err = checked::<Text>("{\"unclosed\":".to_owned()).unwrap_err();
        assert_eq!(err.kind(), anyfn::ErrorKind::Internal);
        assert!(
            err.message().starts_with("the encoded output is not JSON"),
            "{}",
            err.message()
        );
        assert!(checked::<Text>("not JSON".to_owned()).is_err());
        assert_eq!(
            checked::<Text>(" {\"a\": [1, 2]} ".to_owned()).unwrap(),
            "{\"a\": [1, 2]}",
            "as RawValue gives it back: trimmed"
        );
        // Those anyfn-lambda serialized are posted as they are.
        assert_eq!(
            checked::<anyfn::Json<u8>>("[1,2]".to_owned()).unwrap(),
            "[1,2]"
        );
        for serialized in [
            <anyfn::Json<u8> as IntoLambda>::SERIALIZED,
            <() as IntoLambda>::SERIALIZED,
            <anyfn::Response as IntoLambda>::SERIALIZED,
            <anyfn::stream::StreamResponse as IntoLambda>::SERIALIZED,
            <anyfn::event::BatchResult as IntoLambda>::SERIALIZED,
            <anyfn::event::CloudEvent as IntoLambda>::SERIALIZED,
        ] {
            assert!(serialized.is_some());
        }
    }

    #[test]
    fn the_deadline_is_lambdas_minus_the_margin() {
        let now = Instant::now();
        let deadline = deadline_of(
            epoch_ms_in(Duration::from_secs(60)),
            Duration::from_millis(100),
            None,
            now,
        );
        let ahead = deadline - now;
        assert!(
            ahead > Duration::from_secs(59) && ahead < Duration::from_millis(59_950),
            "{ahead:?}"
        );
    }

    #[test]
    fn a_timeout_shortens_lambdas_deadline_and_never_lengthens_it() {
        let now = Instant::now();
        let lambdas = epoch_ms_in(Duration::from_secs(60));
        let margin = Duration::from_millis(100);
        assert_eq!(
            deadline_of(lambdas, margin, Some(Duration::from_secs(2)), now),
            now + Duration::from_secs(2),
            "shortened"
        );
        let unchanged = deadline_of(lambdas, margin, None, now);
        let longer = deadline_of(lambdas, margin, Some(Duration::from_secs(600)), now);
        assert!(
            longer <= unchanged && unchanged - longer < Duration::from_millis(50),
            "not lengthened: {:?} past Lambda's",
            longer.saturating_duration_since(unchanged)
        );
        assert!(longer < now + Duration::from_secs(60), "{:?}", longer - now);
        assert_eq!(
            deadline_of(0, margin, Some(Duration::from_secs(1)), now),
            now + Duration::from_secs(1),
            "shortens the fallback too"
        );
        assert_eq!(
            deadline_of(0, margin, Some(Duration::from_secs(60)), now),
            now + FALLBACK_TIMEOUT - margin,
            "and never lengthens it"
        );
    }

    #[test]
    fn a_margin_larger_than_the_time_left_ends_now() {
        let now = Instant::now();
        let deadline = deadline_of(
            epoch_ms_in(Duration::from_secs(1)),
            Duration::from_secs(5),
            None,
            now,
        );
        assert_eq!(deadline, now);
    }

    #[test]
    fn a_deadline_past_on_arrival_falls_back_to_the_default_timeout() {
        let now = Instant::now();
        assert_eq!(
            deadline_of(0, DEFAULT_DEADLINE_MARGIN, None, now),
            now + FALLBACK_TIMEOUT - DEFAULT_DEADLINE_MARGIN
        );
        assert!(
            deadline_of(u64::MAX, Duration::ZERO, None, now) > now,
            "no overflow"
        );
    }
}
