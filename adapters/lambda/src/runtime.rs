//! The glue to `lambda_runtime`: one invocation from its `LambdaEvent` to the
//! response payload or a `Diagnostic`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyfn::{Context, Error, Handler, Platform};
use anyfn_kit::{CatchPanic, Lifecycle, StreamInvocation, StreamTimers};
use bytes::Bytes;
use lambda_runtime::layers::TracingLayer;
use lambda_runtime::tower::{Layer, Service};
use lambda_runtime::{service_fn, Diagnostic, LambdaEvent, LambdaInvocation};
use lambda_runtime_api_client::BoxError;
use serde_json::value::RawValue;
use tracing::Instrument as _;

use crate::answers::AnswerClient;
use crate::codec::{FromLambda, IntoLambda, LambdaAnswer};
use crate::context_ext::{ClientContext, CognitoIdentity, InvocationDetails};
use crate::env::FunctionEnv;
use crate::metrics::InvocationMetrics;
use crate::post::Posted;
use crate::snapstart::SnapStartLifecycle;
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
        (resolved, settings.default_subscriber().unwrap_or(false))
    }
}

/// Serves invocations of `handler` until the runtime stops.
///
/// lambda_runtime polls `next`, builds each invocation's context and opens
/// its span ([`TracingLayer`]); [`Invocations`] answers it, posting the
/// outcome itself ([`crate::post`]). lambda_runtime's own handler stack
/// under it is never called.
///
/// With `AWS_LAMBDA_MAX_CONCURRENCY` above 1 (Lambda Managed Instances),
/// lambda_runtime's `run_concurrent` runs that many workers, each polling
/// `next` and answering its invocation through a clone of our layer; the
/// client that posts the answers keeps as many connections. Unset or 1, it
/// runs the invocations one after another, as `run` does.
///
/// With shutdown hooks, an internal extension is registered first (see
/// [`crate::shutdown`]) so that Lambda sends SIGTERM at shutdown; the hooks
/// then run within Lambda's grace period and `run` returns. The SnapStart
/// hooks go to lambda_runtime's restore flow ([`crate::snapstart`]).
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
    let (shutdown_hooks, snapstart_hooks) = lifecycle.into_parts();
    let sigterm = if shutdown_hooks.is_empty() {
        None
    } else {
        listen_for_shutdown().await
    };
    let invocations = Invocations {
        handler: Arc::new(handler),
        env,
        settings: Arc::new(settings),
    };
    // lambda_runtime panics on some malformed Runtime API answers (a `next`
    // without a request id) and on a malformed AWS_LAMBDA_RUNTIME_API; run
    // it in its own task so that becomes an error with a clear message
    // instead of a crash.
    let mut runtime = tokio::spawn(async move {
        let unused =
            service_fn(|_: LambdaEvent<serde::de::IgnoredAny>| async { Ok::<(), Diagnostic>(()) });
        let runtime = lambda_runtime::Runtime::new(unused);
        // Answers go on connections of their own, one per worker posting at
        // once, to the address lambda_runtime read (it panics first on a
        // malformed one).
        let client = Arc::new(AnswerClient::from_env().map_err(|err| chain(&*err))?);
        let snapstart = SnapStartLifecycle::new(snapstart_hooks, Arc::clone(&client));
        runtime
            .layer(AnswerLayer {
                invocations,
                client,
            })
            .layer(TracingLayer::new())
            .register_snapstart_resource(Arc::new(snapstart))
            .run_concurrent()
            .await
            .map_err(|err| chain(&*err))
    });
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
        Ok(Err(message)) => Err(LambdaError::Runtime { message }),
        Err(join) if join.is_panic() => Err(LambdaError::Runtime {
            message: format!(
                "lambda_runtime panicked ({}); the Runtime API answered in a way it cannot handle",
                anyfn_kit::panic_message(join.into_panic().as_ref())
            ),
        }),
        Err(join) => Err(LambdaError::Runtime {
            message: format!("the runtime task ended: {join}"),
        }),
    }
}

/// Registers the shutdown extension and listens for SIGTERM; `None`, with a
/// `WARN` line saying the hooks will not run, when either fails.
async fn listen_for_shutdown() -> Option<tokio::signal::unix::Signal> {
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
    match crate::shutdown::register().await {
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
}

impl<H> Clone for Invocations<H> {
    fn clone(&self) -> Self {
        Self {
            handler: Arc::clone(&self.handler),
            env: Arc::clone(&self.env),
            settings: Arc::clone(&self.settings),
        }
    }
}

/// Puts [`AnswerInvocations`] in place of lambda_runtime's handler stack.
struct AnswerLayer<H> {
    invocations: Invocations<H>,
    client: Arc<AnswerClient>,
}

impl<H, S> Layer<S> for AnswerLayer<H> {
    type Service = AnswerInvocations<H>;

    fn layer(&self, _lambda_runtimes_stack: S) -> Self::Service {
        AnswerInvocations {
            invocations: self.invocations.clone(),
            client: Arc::clone(&self.client),
        }
    }
}

/// Answers each invocation lambda_runtime takes: settles it and posts the
/// outcome.
struct AnswerInvocations<H> {
    invocations: Invocations<H>,
    client: Arc<AnswerClient>,
}

impl<H> Clone for AnswerInvocations<H> {
    fn clone(&self) -> Self {
        Self {
            invocations: self.invocations.clone(),
            client: Arc::clone(&self.client),
        }
    }
}

impl<H> Service<LambdaInvocation> for AnswerInvocations<H>
where
    H: Handler,
    H::Event: FromLambda,
    H::Output: IntoLambda,
{
    type Response = ();
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<(), BoxError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut TaskContext<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, invocation: LambdaInvocation) -> Self::Future {
        let invocations = self.invocations.clone();
        let client = Arc::clone(&self.client);
        Box::pin(async move {
            let LambdaInvocation {
                parts,
                body,
                mut context,
            } = invocation;
            let invocation_id = parts.headers.get(crate::post::INVOCATION_ID).cloned();
            // Taken, not copied: the invocation's context gets its own copy.
            let request_id = std::mem::take(&mut context.request_id);
            let event = LambdaEvent::new(body, context);
            let settling = Box::pin(invoke(&invocations, event, &request_id));
            let outcome = CatchPanic::new(settling).await.unwrap_or_else(|err| {
                anyfn_kit::log_failure(&request_id, &err);
                Err(Diagnostic {
                    error_type: err.error_type().to_owned(),
                    error_message: err.message().to_owned(),
                })
            });
            let posted = crate::post::post(&client, &request_id, invocation_id, outcome).await;
            // The environment may freeze once the next `/next` is sent:
            // the invocation's spans (an installed telemetry's, anyfn-otel)
            // leave first. Its span ended with the handler's task.
            if anyfn_kit::telemetry_installed() {
                let _ = tokio::task::spawn_blocking(anyfn_kit::flush_telemetry).await;
            }
            posted
        })
    }
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
    event: LambdaEvent<Bytes>,
    request_id: &str,
) -> Result<Posted, Diagnostic>
where
    H: Handler,
    H::Event: FromLambda,
    H::Output: IntoLambda,
{
    let LambdaEvent { payload, context } = event;
    let settings = &*invocations.settings;
    let env = &*invocations.env;
    let mut source = None;
    let metrics =
        InvocationMetrics::start(settings.metrics_namespace.as_deref(), &env.function_name);
    let handle = metrics.as_ref().map(InvocationMetrics::handle);
    let settled = settle(
        invocations,
        payload,
        context,
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
    Err(Diagnostic {
        error_type: err.error_type().to_owned(),
        error_message: err.message().to_owned(),
    })
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
    lambda_context: lambda_runtime::Context,
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
    } = invocations;
    let handler = Arc::clone(handler);
    let started = Instant::now();
    let deadline = deadline_of(
        lambda_context.deadline,
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
        .extension(InvocationDetails {
            invoked_function_arn: lambda_context.invoked_function_arn,
            client_context: lambda_context.client_context.map(|given| ClientContext {
                installation_id: given.client.installation_id,
                app_title: given.client.app_title,
                app_version_name: given.client.app_version_name,
                app_version_code: given.client.app_version_code,
                app_package_name: given.client.app_package_name,
                custom: given.custom,
                environment: given.environment,
            }),
            identity: lambda_context.identity.map(|given| CognitoIdentity {
                identity_id: given.identity_id,
                identity_pool_id: given.identity_pool_id,
            }),
        });
    // This invocation's own `Lambda-Runtime-Trace-Id`, never the process's
    // `_X_AMZN_TRACE_ID`, which concurrent invocations would share.
    if let Some(trace_id) = lambda_context.xray_trace_id {
        builder = builder.trace_id(trace_id);
    }
    if let Some(tenant_id) = lambda_context.tenant_id {
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

    // The handler runs on a task of its own, in lambda_runtime's span, so that
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
