//! Invoking a handler in-process, the way an adapter would: [`Harness`].

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use anyfn::Body;
use anyfn::{Context, Error, ErrorDetails, Handler, Platform, Response};
use anyfn_formats_aws::FromAwsPayload;
use anyfn_functions::{FunctionError, Functions, NamedHandler};
use anyfn_kit::{
    InvocationReport, Lifecycle, Pricing, ProviderSet, ShutdownHooks, SnapStartHooks, Usage,
};
use anyfn_kit::{StreamInvocation, StreamTimers};
use anyfn_server::{HttpAnswer, IntoHttp};
use tracing::instrument::WithSubscriber as _;
use tracing::Instrument as _;

use crate::logs::{Captured, LogRecord};

/// Invokes a handler in-process with a deterministic [`Context`] and a real
/// deadline, and reports what each invocation took.
///
/// Request ids are `test-request-1`, `test-request-2`, … in invocation order.
/// The default timeout is 3 s, as on Lambda; a handler still running at its
/// deadline is cancelled and its invocation fails with a timeout error, as it
/// would on every runtime. The handler runs on the test's own task: one that
/// blocks its thread past the deadline cannot be interrupted there, and its
/// late result is reported as a timeout when it returns.
///
/// Each invocation runs in the [`invocation_span`](anyfn_kit::invocation_span)
/// and what the handler logs through `tracing` is captured with it
/// ([`Invocation::logs`]), followed by the failure line every adapter
/// writes ([`log_failure`](anyfn_kit::log_failure)) when it failed; the
/// program's own subscriber does not see those events while the capture is
/// on ([`capture_logs`](Self::capture_logs)). Tests running alongside, or
/// threads the handler starts, that log without a subscriber do not hide a
/// log statement from the capture, as they can from a subscriber set with
/// `tracing::subscriber::with_default` alone
/// ([`scoped_dispatch`](anyfn_kit::logging::scoped_dispatch) says why).
/// What a thread or task the handler starts logs goes to the program's
/// subscriber, not to the capture, which is the handler's own future's; a
/// task takes it along when spawned as
/// `tokio::spawn(task.with_current_subscriber())`
/// ([`WithSubscriber`](tracing::instrument::WithSubscriber); see
/// [`Invocation::logs`]).
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use anyfn::{handler_fn, Context, Json};
/// use anyfn_test::Harness;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let slow = handler_fn(|Json(ms): Json<u64>, _context: Context| async move {
///     tokio::time::sleep(Duration::from_millis(ms)).await;
///     Ok::<_, anyfn::Error>(Json("done"))
/// });
/// let harness = Harness::new(slow).timeout(Duration::from_millis(50));
///
/// let fast = harness.invoke(Json(1)).await;
/// assert_eq!(fast.request_id(), "test-request-1");
/// assert_eq!(fast.output(), Some(&Json("done")));
///
/// let late = harness.invoke(Json(10_000)).await;
/// assert!(late.error().is_some_and(|err| err.is_timeout()));
/// # }
/// ```
#[derive(Debug)]
pub struct Harness<H> {
    handler: H,
    timeout: Duration,
    function_name: std::sync::Arc<str>,
    function_version: std::sync::Arc<str>,
    memory_mb: u32,
    pricing: Pricing,
    report_cost: Option<ProviderSet>,
    error_details: ErrorDetails,
    capture_logs: bool,
    invocations: AtomicU64,
    lifecycle: Mutex<LifecycleHooks>,
}

/// The hooks given to a [`Harness`], each set taken when it is run.
#[derive(Debug, Default)]
struct LifecycleHooks {
    shutdown: ShutdownHooks,
    snapstart: SnapStartHooks,
}

impl<H: Handler> Harness<H> {
    /// A harness for `handler`: a 3 s timeout, function `test-function` at
    /// `$LATEST`, 128 MB, Lambda's x86 prices.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_test::Harness;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let handler = handler_fn(|_: Json<()>, context: Context| async move {
    ///     Ok::<_, anyfn::Error>(Json((context.function_name().to_owned(), context.function_version().to_owned(), context.memory_limit_mb())))
    /// });
    /// let Json(seen) = Harness::new(handler).invoke(Json(())).await.expect_output();
    /// assert_eq!(seen, ("test-function".to_owned(), "$LATEST".to_owned(), 128));
    /// # }
    /// ```
    pub fn new(handler: H) -> Self {
        Self {
            handler,
            timeout: anyfn::DEFAULT_TIMEOUT,
            function_name: "test-function".into(),
            function_version: "$LATEST".into(),
            memory_mb: anyfn::DEFAULT_MEMORY_MB,
            pricing: Pricing::AWS_LAMBDA_X86,
            report_cost: Some(ProviderSet::ALL),
            error_details: ErrorDetails::from_env(),
            capture_logs: true,
            invocations: AtomicU64::new(0),
            lifecycle: Mutex::default(),
        }
    }

    /// Adds a shutdown hook, as the adapters' `on_shutdown` does; run by
    /// [`shut_down`](Self::shut_down).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_test::Harness;
    ///
    /// let echo = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    /// let harness = Harness::new(echo).on_shutdown(|_time_left| async {});
    /// # drop(harness);
    /// ```
    #[must_use]
    pub fn on_shutdown<F, Fut>(self, hook: F) -> Self
    where
        F: FnOnce(Duration) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.lifecycle(Lifecycle::new().on_shutdown(hook))
    }

    /// Adds a before-snapshot hook, as the adapters' `before_snapshot`
    /// does; run by [`snapshot`](Self::snapshot).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_test::Harness;
    ///
    /// let echo = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    /// let harness = Harness::new(echo).before_snapshot(|| async { Ok(()) });
    /// # drop(harness);
    /// ```
    #[must_use]
    pub fn before_snapshot<F, Fut>(self, hook: F) -> Self
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), Error>> + Send + 'static,
    {
        self.lifecycle(Lifecycle::new().before_snapshot(hook))
    }

    /// Adds an after-restore hook, as the adapters' `after_restore` does;
    /// run by [`restore`](Self::restore).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_test::Harness;
    ///
    /// let echo = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    /// let harness = Harness::new(echo).after_restore(|| async { Ok(()) });
    /// # drop(harness);
    /// ```
    #[must_use]
    pub fn after_restore<F, Fut>(self, hook: F) -> Self
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), Error>> + Send + 'static,
    {
        self.lifecycle(Lifecycle::new().after_restore(hook))
    }

    /// Adds every hook of `lifecycle`, as the adapters' `lifecycle` does:
    /// build a function's hooks in one place and give them to its `main`'s
    /// builder and to its tests' harness.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_test::{Harness, Lifecycle};
    ///
    /// fn lifecycle() -> Lifecycle {
    ///     Lifecycle::new().on_shutdown(|_time_left| async {})
    /// }
    ///
    /// let echo = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    /// let harness = Harness::new(echo).lifecycle(lifecycle());
    /// # drop(harness);
    /// ```
    #[must_use]
    pub fn lifecycle(self, lifecycle: Lifecycle) -> Self {
        let (shutdown, snapstart) = lifecycle.into_parts();
        {
            let mut hooks = lock(&self.lifecycle);
            hooks.shutdown.extend(shutdown);
            hooks.snapstart.extend(snapstart);
        }
        self
    }

    /// Runs the shutdown hooks as an adapter does once its instance is told
    /// to stop: in order, each given what is left of `grace`, one still
    /// running when it is spent cut (a `WARN` line, target `anyfn::host`)
    /// with the ones after it; then the spans of an installed telemetry
    /// (anyfn-otel) are sent. Returns how many hooks ran to their end; the
    /// hooks are spent (a second call runs none).
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_test::Harness;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let echo = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    /// let harness = Harness::new(echo)
    ///     .on_shutdown(|time_left| async move { assert!(time_left <= Duration::from_millis(500)) })
    ///     .on_shutdown(|time_left| async move { tokio::time::sleep(time_left + Duration::from_secs(1)).await });
    /// assert_eq!(harness.shut_down(Duration::from_millis(500)).await, 1, "the second is cut");
    /// # }
    /// ```
    pub async fn shut_down(&self, grace: Duration) -> usize {
        let hooks = std::mem::take(&mut lock(&self.lifecycle).shutdown);
        let ran = hooks.run(grace).await;
        // Spans an installed telemetry holds (anyfn-otel) leave, as every
        // adapter sends them at shutdown.
        if anyfn_kit::telemetry_installed() {
            let _ = tokio::task::spawn_blocking(anyfn_kit::flush_telemetry).await;
        }
        ran
    }

    /// Runs the before-snapshot hooks as Lambda SnapStart does before it
    /// snapshots the function: last added first, the first failure
    /// stopping the rest. The hooks are spent.
    ///
    /// # Errors
    ///
    /// The failing hook's error, naming it: `before-snapshot hook 0 failed: …`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_test::Harness;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let echo = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    /// let harness = Harness::new(echo)
    ///     .before_snapshot(|| async { Err(anyfn::Error::unavailable("pool busy")) });
    /// let err = harness.snapshot().await.unwrap_err();
    /// assert_eq!(err.message(), "before-snapshot hook 0 failed: pool busy");
    /// # }
    /// ```
    pub async fn snapshot(&self) -> Result<(), Error> {
        let mut hooks = std::mem::take(&mut lock(&self.lifecycle).snapstart);
        let ran = hooks.run_before_snapshot().await;
        lock(&self.lifecycle).snapstart.extend(hooks);
        ran
    }

    /// Runs the after-restore hooks as Lambda SnapStart does after it
    /// restores the function from its snapshot: in order of registration,
    /// the first failure stopping the rest. The hooks are spent.
    ///
    /// # Errors
    ///
    /// The failing hook's error, naming it: `after-restore hook 0 failed: …`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_test::Harness;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let echo = handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    /// let harness = Harness::new(echo).after_restore(|| async { Ok(()) });
    /// assert!(harness.restore().await.is_ok());
    /// # }
    /// ```
    pub async fn restore(&self) -> Result<(), Error> {
        let mut hooks = std::mem::take(&mut lock(&self.lifecycle).snapstart);
        let ran = hooks.run_after_restore().await;
        lock(&self.lifecycle).snapstart.extend(hooks);
        ran
    }

    /// Sets how long each invocation may run.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_test::Harness;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let sleepy = handler_fn(|_: Json<()>, _: Context| async {
    ///     tokio::time::sleep(Duration::from_secs(60)).await;
    ///     Ok::<_, anyfn::Error>(Json("awake"))
    /// });
    /// let harness = Harness::new(sleepy).timeout(Duration::from_millis(20));
    /// assert!(harness.invoke(Json(())).await.expect_error().is_timeout());
    /// # }
    /// ```
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the function name the context reports.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_test::Harness;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let name = handler_fn(|_: Json<()>, context: Context| async move {
    ///     Ok::<_, anyfn::Error>(Json(context.function_name().to_owned()))
    /// });
    /// let harness = Harness::new(name).function_name("resize-images");
    /// assert_eq!(harness.invoke(Json(())).await.expect_output().0, "resize-images");
    /// # }
    /// ```
    #[must_use]
    pub fn function_name(mut self, name: impl Into<String>) -> Self {
        self.function_name = name.into().into();
        self
    }

    /// Sets the function version the context reports.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_test::Harness;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let version = handler_fn(|_: Json<()>, context: Context| async move {
    ///     Ok::<_, anyfn::Error>(Json(context.function_version().to_owned()))
    /// });
    /// let harness = Harness::new(version).function_version("7");
    /// assert_eq!(harness.invoke(Json(())).await.expect_output().0, "7");
    /// # }
    /// ```
    #[must_use]
    pub fn function_version(mut self, version: impl Into<String>) -> Self {
        self.function_version = version.into().into();
        self
    }

    /// Sets the memory size the context reports and the cost estimate uses.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_test::Harness;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let memory = handler_fn(|_: Json<()>, context: Context| async move {
    ///     Ok::<_, anyfn::Error>(Json(context.memory_limit_mb()))
    /// });
    /// let invocation = Harness::new(memory).memory_mb(1024).invoke(Json(())).await;
    /// assert_eq!(invocation.report().memory_mb(), 1024);
    /// assert_eq!(invocation.expect_output().0, 1024);
    /// # }
    /// ```
    #[must_use]
    pub fn memory_mb(mut self, memory_mb: u32) -> Self {
        self.memory_mb = memory_mb;
        self
    }

    /// Prices each invocation at `pricing` alone (a price list of your
    /// own), instead of on every provider.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_kit::Pricing;
    /// use anyfn_test::Harness;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let echo = handler_fn(|Json(n): Json<u32>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    /// // Requests alone are billed: a dollar for a million.
    /// let harness = Harness::new(echo).pricing(Pricing::new(0.0, 0.000_001));
    /// let invocation = harness.invoke(Json(7)).await;
    /// assert_eq!(invocation.report().estimated_cost_usd(), 0.000_001);
    /// assert_eq!(invocation.report().estimates().count(), 0, "no other provider");
    /// # }
    /// ```
    #[must_use]
    pub fn pricing(mut self, pricing: Pricing) -> Self {
        self.pricing = pricing;
        self.report_cost = None;
        self
    }

    /// The providers each invocation's [report](Invocation::report) is
    /// priced on: all of them unless set (each at its published prices,
    /// with the CPU time the handler's polls took, for Cloudflare Workers).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_kit::{Provider, ProviderSet};
    /// use anyfn_test::Harness;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let echo = handler_fn(|Json(n): Json<u32>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    /// let harness = Harness::new(echo).report_cost(ProviderSet::only(Provider::CloudRun));
    /// let invocation = harness.invoke(Json(7)).await;
    /// let estimates: Vec<_> = invocation.report().estimates().collect();
    /// assert_eq!(estimates.len(), 1);
    /// assert_eq!(estimates[0].provider(), Provider::CloudRun);
    /// # }
    /// ```
    #[must_use]
    pub fn report_cost(mut self, providers: ProviderSet) -> Self {
        self.report_cost = Some(providers);
        self
    }

    /// How much of a server error [`Invocation::into_http_response`] shows,
    /// as the adapters' setting of the same name; by default what
    /// `ANYFN_ERROR_DETAILS` says (hidden).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, ErrorDetails, Request, Response};
    /// use anyfn_test::{Harness, TestRequest};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), anyfn::Error> {
    /// let down = handler_fn(|_: Request, _: Context| async {
    ///     Err::<Response, _>(anyfn::Error::unavailable("the order store is down"))
    /// });
    /// let harness = Harness::new(down).error_details(ErrorDetails::Shown);
    /// let response = harness.invoke(TestRequest::get("/").build()).await.into_http_response().await;
    /// assert_eq!(response.status(), 503);
    /// assert!(response.body().text()?.contains("the order store is down"));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn error_details(mut self, details: ErrorDetails) -> Self {
        self.error_details = details;
        self
    }

    /// Whether each invocation's `tracing` events are captured for
    /// [`Invocation::logs`] (on by default). Off, they reach the program's
    /// own subscriber instead.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_test::Harness;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let chatty = handler_fn(|_: Json<()>, _: Context| async {
    ///     tracing::info!("working");
    ///     Ok::<_, anyfn::Error>(Json(()))
    /// });
    /// let harness = Harness::new(chatty).capture_logs(false);
    /// assert!(harness.invoke(Json(())).await.logs().is_empty());
    /// # }
    /// ```
    #[must_use]
    pub fn capture_logs(mut self, capture: bool) -> Self {
        self.capture_logs = capture;
        self
    }

    /// The handler under test.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Handler, Json};
    /// use anyfn_test::Harness;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), anyfn::Error> {
    /// let double = handler_fn(|Json(n): Json<u32>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n * 2)) });
    /// let harness = Harness::new(double);
    /// // Called directly: no deadline, no captured logs.
    /// let Json(n) = harness.handler().call(Json(4), Context::builder().build()).await?;
    /// assert_eq!(n, 8);
    /// # Ok(())
    /// # }
    /// ```
    pub fn handler(&self) -> &H {
        &self.handler
    }

    /// The context the next invocation would get, with a deadline starting now;
    /// adjust it and pass it to [`invoke_with_context`](Self::invoke_with_context).
    ///
    /// A provider's details go in as extensions, as the adapter puts them
    /// there, so a handler reading them runs here as on the platform:
    /// `anyfn_lambda::InvocationDetails` (the ARN, client context and Cognito
    /// identity `LambdaContextExt` reads), `anyfn_lambda::ApiGatewayRequestContext`
    /// (`ApiGatewayContextExt`), `anyfn_azure`'s and `anyfn_server`'s
    /// context types likewise.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_test::Harness;
    ///
    /// /// What an adapter would put in the context (here, a tenant).
    /// #[derive(Clone)]
    /// struct Tenant(&'static str);
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let handler = handler_fn(|_: Json<serde_json::Value>, context: Context| async move {
    ///     let tenant = context.extensions().get::<Tenant>().map(|tenant| tenant.0);
    ///     Ok::<_, anyfn::Error>(Json(tenant))
    /// });
    /// let harness = Harness::new(handler);
    /// let context = harness.next_context().extension(Tenant("acme")).build();
    /// let invocation = harness.invoke_with_context(Json(serde_json::json!({})), context).await;
    /// assert_eq!(invocation.output().map(|Json(tenant)| *tenant), Some(Some("acme")));
    /// # }
    /// ```
    pub fn next_context(&self) -> anyfn::ContextBuilder {
        let n = self.invocations.fetch_add(1, Ordering::Relaxed) + 1;
        Context::builder()
            .request_id(format!("test-request-{n}"))
            .timeout(self.timeout)
            .function_name(self.function_name.clone())
            .function_version(self.function_version.clone())
            .memory_limit_mb(self.memory_mb)
            .platform(Platform::Test)
    }

    /// Invokes the handler with `event` and the next deterministic context.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_test::Harness;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let double = handler_fn(|Json(n): Json<u32>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n * 2)) });
    /// let harness = Harness::new(double);
    /// let invocation = harness.invoke(Json(21)).await;
    /// assert_eq!(invocation.request_id(), "test-request-1");
    /// assert_eq!(invocation.expect_output(), Json(42));
    /// # }
    /// ```
    pub async fn invoke(&self, event: H::Event) -> Invocation<H::Output> {
        let context = self.next_context().build();
        self.invoke_with_context(event, context).await
    }

    /// Invokes the handler with `event` and `context`; the context's deadline
    /// is enforced.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_test::Harness;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let sleepy = handler_fn(|Json(ms): Json<u64>, _: Context| async move {
    ///     tokio::time::sleep(Duration::from_millis(ms)).await;
    ///     Ok::<_, anyfn::Error>(Json("awake"))
    /// });
    /// let harness = Harness::new(sleepy);
    /// let context = harness.next_context().timeout(Duration::from_millis(20)).build();
    /// let invocation = harness.invoke_with_context(Json(60_000), context).await;
    /// assert!(invocation.expect_error().is_timeout());
    /// # }
    /// ```
    pub async fn invoke_with_context(
        &self,
        event: H::Event,
        context: Context,
    ) -> Invocation<H::Output> {
        self.run(Ok(event), context).await
    }

    /// Invokes the handler with the event an AWS event file stands for, as
    /// `sam local invoke -e` and `cargo lambda invoke` take one: `payload`
    /// is the JSON Lambda would deliver (an S3 notification, an SQS or SNS
    /// batch, an EventBridge scheduled event or any EventBridge event),
    /// read by the decoder the Lambda adapter uses
    /// ([`FromAwsPayload`](anyfn_formats_aws::FromAwsPayload)), so the
    /// handler gets the value it would get on Lambda, and the local server
    /// for the same bytes POSTed.
    ///
    /// A payload that is not of the event type's AWS shapes fails the
    /// invocation as on Lambda, before the handler runs: its error is a
    /// [`BadRequest`](anyfn::ErrorKind::BadRequest) saying what was
    /// expected and what was found, and it is logged as every failure is.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::ScheduleTick;
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_test::Harness;
    ///
    /// // Any AWS event file: here, EventBridge's scheduled event example.
    /// const SCHEDULED: &str = r#"{
    ///   "version": "0", "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
    ///   "detail-type": "Scheduled Event", "source": "aws.events",
    ///   "account": "123456789012", "time": "2015-10-08T16:53:06Z", "region": "us-east-1",
    ///   "resources": ["arn:aws:events:us-east-1:123456789012:rule/my-scheduled-rule"],
    ///   "detail": {}
    /// }"#;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let harness = Harness::new(handler_fn(|tick: ScheduleTick, _: Context| async move {
    ///     Ok::<_, anyfn::Error>(Json((tick.schedule, tick.account, tick.region)))
    /// }));
    /// let Json(run) = harness.invoke_aws_event(SCHEDULED).await.expect_output();
    /// assert_eq!(
    ///     run,
    ///     (Some("my-scheduled-rule".into()), Some("123456789012".into()), Some("us-east-1".into()))
    /// );
    ///
    /// // An SQS batch is no schedule: refused as Lambda refuses it.
    /// let err = harness.invoke_aws_event(r#"{"Records": []}"#).await.expect_error();
    /// assert!(err.is_bad_request());
    /// assert!(err.message().ends_with("found a JSON object with keys: Records"));
    /// # }
    /// ```
    pub async fn invoke_aws_event(&self, payload: impl AsRef<[u8]>) -> Invocation<H::Output>
    where
        H::Event: FromAwsPayload,
    {
        let event = H::Event::from_aws_payload(payload.as_ref()).map(|(event, _shape)| event);
        self.run(event, self.next_context().build()).await
    }

    /// One invocation: the handler run with `event` under `context`'s
    /// deadline, or, when the event could not be read, that error as the
    /// invocation's failure, logged as every failure is.
    async fn run(&self, event: Result<H::Event, Error>, context: Context) -> Invocation<H::Output> {
        let request_id = context.request_id().to_owned();
        let memory_mb = context.memory_limit_mb();
        let deadline = context.deadline();
        let timer = tokio::time::sleep_until(context.deadline().into());
        let captured = Captured::default();
        let started = Instant::now();
        // The CPU time of the handler's polls, for the providers that bill it.
        let (result, cpu_time) = anyfn_kit::measure_cpu_time(async {
            if self.capture_logs {
                // The span belongs to the capturing subscriber: made under it.
                let dispatch = captured.dispatch();
                let result = match event {
                    Ok(event) => {
                        let span = tracing::dispatcher::with_default(&dispatch, || {
                            anyfn_kit::invocation_span_for_event(&context, &event)
                        });
                        anyfn_kit::invoke(&self.handler, event, context, timer)
                            .instrument(span)
                            .with_subscriber(dispatch.clone())
                            .await
                    }
                    Err(err) => Err(err),
                };
                if let Err(err) = &result {
                    tracing::dispatcher::with_default(&dispatch, || {
                        anyfn_kit::log_failure(&request_id, err);
                    });
                }
                result
            } else {
                let result = match event {
                    Ok(event) => {
                        let span = anyfn_kit::invocation_span_for_event(&context, &event);
                        anyfn_kit::invoke(&self.handler, event, context, timer)
                            .instrument(span)
                            .await
                    }
                    Err(err) => Err(err),
                };
                if let Err(err) = &result {
                    anyfn_kit::log_failure(&request_id, err);
                }
                result
            }
        })
        .await;
        let duration = started.elapsed();
        let report = match self.report_cost {
            Some(providers) => {
                let mut usage = Usage::new(duration, memory_mb);
                if let Some(cpu_time) = cpu_time {
                    usage = usage.with_cpu_time(cpu_time);
                }
                InvocationReport::priced(request_id.as_str(), usage, providers)
            }
            None => InvocationReport::new(request_id.as_str(), duration, memory_mb, self.pricing),
        };
        Invocation {
            report,
            request_id,
            result,
            duration,
            logs: captured.take(),
            error_details: self.error_details,
            started,
            deadline,
        }
    }
}

impl<E: Send + 'static, O: Send + 'static> Harness<NamedHandler<E, O>> {
    /// A harness for the function `name` of a registry, with the event and
    /// output types it was added with; its invocations' context names it.
    ///
    /// # Errors
    ///
    /// [`FunctionError::Unknown`] when no function has the name,
    /// [`FunctionError::WrongTypes`] when its types are not `E` and `O`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::{ObjectChange, ObjectEvent, StorageEvent};
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_functions::{Functions, NamedHandler};
    /// use anyfn_test::Harness;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), anyfn_functions::FunctionError> {
    /// let functions = Functions::new().add(
    ///     "resize",
    ///     handler_fn(|event: StorageEvent, context: Context| async move {
    ///         Ok::<_, anyfn::Error>(Json(format!("{} got {}", context.function_name(), event.objects[0].key)))
    ///     }),
    /// );
    /// let harness: Harness<NamedHandler<StorageEvent, Json<String>>> = Harness::function(&functions, "resize")?;
    /// let event = StorageEvent::new(vec![ObjectEvent::new(ObjectChange::Created, "photos", "cat.jpg")]);
    /// assert_eq!(harness.invoke(event).await.expect_output().0, "resize got cat.jpg");
    /// # Ok(())
    /// # }
    /// ```
    pub fn function(functions: &Functions, name: &str) -> Result<Self, FunctionError> {
        Ok(Self::new(functions.handler::<E, O>(name)?).function_name(name))
    }
}

/// The outcome of one [`Harness`] invocation: the output or the error, and
/// what it took.
///
/// # Example
///
/// ```
/// use anyfn::{handler_fn, Context, Json};
/// use anyfn_test::Harness;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let checked = handler_fn(|Json(n): Json<i32>, _: Context| async move {
///     if n < 0 { return Err(anyfn::Error::bad_request("negative")); }
///     Ok(Json(n))
/// });
/// let harness = Harness::new(checked);
/// assert_eq!(harness.invoke(Json(3)).await.output(), Some(&Json(3)));
/// let refused = harness.invoke(Json(-1)).await;
/// assert_eq!(refused.request_id(), "test-request-2");
/// assert!(refused.error().is_some_and(anyfn::Error::is_bad_request));
/// # }
/// ```
#[derive(Debug)]
#[must_use]
pub struct Invocation<O> {
    request_id: String,
    result: Result<O, Error>,
    duration: Duration,
    report: InvocationReport,
    logs: Vec<LogRecord>,
    error_details: ErrorDetails,
    started: Instant,
    deadline: Instant,
}

impl<O> Invocation<O> {
    /// The request id the handler saw.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_test::Harness;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let id = handler_fn(|_: Json<()>, context: Context| async move { Ok::<_, anyfn::Error>(Json(context.request_id().to_owned())) });
    /// let harness = Harness::new(id);
    /// let invocation = harness.invoke(Json(())).await;
    /// assert_eq!(invocation.request_id(), "test-request-1");
    /// assert_eq!(invocation.output().map(|Json(seen)| seen.as_str()), Some("test-request-1"));
    /// assert_eq!(harness.invoke(Json(())).await.request_id(), "test-request-2");
    /// # }
    /// ```
    pub fn request_id(&self) -> &str {
        &self.request_id
    }

    /// How long the invocation ran.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_test::Harness;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let sleepy = handler_fn(|_: Json<()>, _: Context| async {
    ///     tokio::time::sleep(Duration::from_millis(20)).await;
    ///     Ok::<_, anyfn::Error>(Json(()))
    /// });
    /// let invocation = Harness::new(sleepy).invoke(Json(())).await;
    /// assert!(invocation.duration() >= Duration::from_millis(20));
    /// # }
    /// ```
    pub fn duration(&self) -> Duration {
        self.duration
    }

    /// The `REPORT`-style figures: billed duration, memory, estimated cost,
    /// and what the invocation would cost on every provider
    /// ([`InvocationReport::estimates`], unless the harness was given a
    /// [`pricing`](Harness::pricing) or [`report_cost`](Harness::report_cost)).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_kit::Provider;
    /// use anyfn_test::Harness;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let harness = Harness::new(handler_fn(|Json(n): Json<u32>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n + 1)) }));
    /// let invocation = harness.invoke(Json(1)).await;
    /// let providers: Vec<Provider> = invocation.report().estimates().map(|e| e.provider()).collect();
    /// assert_eq!(providers, Provider::ALL);
    /// # }
    /// ```
    pub fn report(&self) -> &InvocationReport {
        &self.report
    }

    /// What the handler logged through `tracing`, in order (empty when the
    /// harness does not [capture logs](Harness::capture_logs)).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_test::Harness;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let chatty = handler_fn(|_: Json<()>, _: Context| async {
    ///     tracing::info!("first");
    ///     tracing::warn!("second");
    ///     Ok::<_, anyfn::Error>(Json(()))
    /// });
    /// let invocation = Harness::new(chatty).invoke(Json(())).await;
    /// let messages: Vec<&str> = invocation.logs().iter().map(|record| record.message()).collect();
    /// assert_eq!(messages, ["first", "second"]);
    ///
    /// // A task the handler spawns logs into the capture when it takes the
    /// // handler's subscriber along; one spawned bare does not.
    /// use tracing::instrument::WithSubscriber as _;
    /// let spawning = handler_fn(|_: Json<()>, _: Context| async {
    ///     let along = tokio::spawn(async { tracing::info!("along") }.with_current_subscriber());
    ///     let bare = tokio::spawn(async { tracing::info!("bare") });
    ///     along.await.expect("the task ends");
    ///     bare.await.expect("the task ends");
    ///     Ok::<_, anyfn::Error>(Json(()))
    /// });
    /// let invocation = Harness::new(spawning).invoke(Json(())).await;
    /// let messages: Vec<&str> = invocation.logs().iter().map(|record| record.message()).collect();
    /// assert_eq!(messages, ["along"]);
    /// # }
    /// ```
    pub fn logs(&self) -> &[LogRecord] {
        &self.logs
    }

    /// Whether a captured log message contains `text`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_test::Harness;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let charge = handler_fn(|Json(order): Json<u32>, _: Context| async move {
    ///     tracing::info!("charging the card for order {order}");
    ///     Ok::<_, anyfn::Error>(Json(()))
    /// });
    /// let invocation = Harness::new(charge).invoke(Json(17)).await;
    /// assert!(invocation.logged("order 17"));
    /// assert!(!invocation.logged("refund"));
    /// # }
    /// ```
    pub fn logged(&self, text: &str) -> bool {
        self.logs
            .iter()
            .any(|record| record.message().contains(text))
    }

    /// The output, if the invocation succeeded.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_test::Harness;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let half = handler_fn(|Json(n): Json<u32>, _: Context| async move {
    ///     if n % 2 == 1 { return Err(anyfn::Error::bad_request("odd")); }
    ///     Ok(Json(n / 2))
    /// });
    /// let harness = Harness::new(half);
    /// assert_eq!(harness.invoke(Json(8)).await.output(), Some(&Json(4)));
    /// assert_eq!(harness.invoke(Json(7)).await.output(), None);
    /// # }
    /// ```
    pub fn output(&self) -> Option<&O> {
        self.result.as_ref().ok()
    }

    /// The error, if the invocation failed.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_test::Harness;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let missing = handler_fn(|Json(id): Json<u32>, _: Context| async move {
    ///     Err::<Json<()>, _>(anyfn::Error::not_found(format!("no order {id}")))
    /// });
    /// let invocation = Harness::new(missing).invoke(Json(7)).await;
    /// assert_eq!(invocation.error().map(anyfn::Error::message), Some("no order 7"));
    /// # }
    /// ```
    pub fn error(&self) -> Option<&Error> {
        self.result.as_ref().err()
    }

    /// The output or the error.
    ///
    /// # Errors
    ///
    /// The invocation's error: the handler's own, a timeout, or a panic.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_test::Harness;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), anyfn::Error> {
    /// let double = handler_fn(|Json(n): Json<u32>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n * 2)) });
    /// let Json(n) = Harness::new(double).invoke(Json(21)).await.into_result()?;
    /// assert_eq!(n, 42);
    /// # Ok(())
    /// # }
    /// ```
    pub fn into_result(self) -> Result<O, Error> {
        self.result
    }

    /// The output.
    ///
    /// # Panics
    ///
    /// When the invocation failed; the panic message holds the error.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_test::Harness;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let greet = handler_fn(|Json(name): Json<String>, _: Context| async move {
    ///     Ok::<_, anyfn::Error>(Json(format!("Hello, {name}!")))
    /// });
    /// let Json(greeting) = Harness::new(greet).invoke(Json("Ada".into())).await.expect_output();
    /// assert_eq!(greeting, "Hello, Ada!");
    /// # }
    /// ```
    #[track_caller]
    pub fn expect_output(self) -> O {
        match self.result {
            Ok(output) => output,
            Err(err) => panic!(
                "invocation {} failed with {}: {err}",
                self.request_id,
                err.error_type()
            ),
        }
    }

    /// The error.
    ///
    /// # Panics
    ///
    /// When the invocation succeeded.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Json};
    /// use anyfn_test::Harness;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let refuse = handler_fn(|_: Json<()>, _: Context| async {
    ///     Err::<Json<()>, _>(anyfn::Error::conflict("already paid"))
    /// });
    /// let err = Harness::new(refuse).invoke(Json(())).await.expect_error();
    /// assert_eq!(err.status(), 409);
    /// assert_eq!(err.message(), "already paid");
    /// # }
    /// ```
    #[track_caller]
    pub fn expect_error(self) -> Error {
        match self.result {
            Ok(_) => panic!(
                "invocation {} succeeded, but an error was expected",
                self.request_id
            ),
            Err(err) => err,
        }
    }
}

impl<O: IntoHttp> Invocation<O> {
    /// What every adapter would answer with: the output as the local server
    /// sends it, or the error rendered by
    /// [`Error::to_response`](anyfn::Error::to_response) with this
    /// invocation's request id. A streamed answer comes held to the
    /// invocation's deadline, as every adapter holds it
    /// ([`guard_stream`](anyfn_kit::guard_stream)): read it chunk by
    /// chunk with [`BodyStream::next_chunk`](anyfn::stream::BodyStream::next_chunk).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Request};
    /// use anyfn_server::HttpAnswer;
    /// use anyfn_test::{Harness, TestRequest};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let hello = handler_fn(|_: Request, _: Context| async { Ok::<_, anyfn::Error>(anyfn::response::text("hi")) });
    /// let answer = Harness::new(hello).invoke(TestRequest::get("/").build()).await.into_answer();
    /// let HttpAnswer::Whole(response) = answer else { panic!("a whole answer") };
    /// assert_eq!(response.status(), 200);
    /// assert_eq!(response.body().as_bytes(), b"hi");
    /// # }
    /// ```
    pub fn into_answer(self) -> HttpAnswer {
        match self.result.and_then(IntoHttp::into_http) {
            Ok(HttpAnswer::Streamed(response)) => {
                let invocation = StreamInvocation {
                    request_id: self.request_id,
                    started: self.started,
                    deadline: self.deadline,
                    details: self.error_details,
                };
                HttpAnswer::Streamed(anyfn_kit::guard_stream(response, invocation, TokioTimers))
            }
            Ok(whole) => whole,
            Err(err) => HttpAnswer::Whole(err.to_response(&self.request_id, self.error_details)),
        }
    }

    /// The HTTP response every adapter would answer with, whole: a streamed
    /// answer is read to its end. One cut short (an error, the deadline) is
    /// the chunks sent before the cut (for an event stream, its `error`
    /// event too), with a [`StreamCut`] in its extensions.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{handler_fn, Context, Request, Response};
    /// use anyfn_test::{Harness, TestRequest};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), anyfn::Error> {
    /// let missing = handler_fn(|_: Request, _: Context| async {
    ///     Err::<Response, _>(anyfn::Error::not_found("no such page"))
    /// });
    /// let response = Harness::new(missing).invoke(TestRequest::get("/x").build()).await.into_http_response().await;
    /// assert_eq!(response.status(), 404);
    /// assert_eq!(
    ///     response.body().text()?,
    ///     r#"{"errorType":"NotFound","errorMessage":"no such page","requestId":"test-request-1"}"#
    /// );
    /// # Ok(())
    /// # }
    /// ```
    pub async fn into_http_response(self) -> Response {
        match self.into_answer() {
            HttpAnswer::Whole(response) => response,
            HttpAnswer::Streamed(response) => {
                let (parts, mut body) = response.into_parts();
                let mut whole = bytes::BytesMut::new();
                let mut cut = None;
                while let Some(chunk) = body.next_chunk().await {
                    match chunk {
                        Ok(chunk) => whole.extend_from_slice(&chunk),
                        Err(err) => {
                            cut = Some(StreamCut {
                                error_type: err.error_type().to_owned(),
                                message: err.message().to_owned(),
                            });
                        }
                    }
                }
                let mut response = Response::from_parts(parts, Body::from(whole.freeze()));
                if let Some(cut) = cut {
                    response.extensions_mut().insert(cut);
                }
                response
            }
        }
    }
}

/// A streamed response was cut short (its producer failed, or the deadline
/// passed): what [`Invocation::into_http_response`] keeps of the error.
///
/// # Example
///
/// ```
/// use anyfn::{handler_fn, Context, Request};
/// use anyfn_test::{Harness, StreamCut, TestRequest};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let feed = handler_fn(|_: Request, _: Context| async {
///     let (mut sender, body) = anyfn::stream::channel(1);
///     tokio::spawn(async move {
///         let _ = sender.send("partial").await;
///         sender.fail(anyfn::Error::unavailable("the feed went away"));
///     });
///     Ok::<_, anyfn::Error>(anyfn::stream::response(body))
/// });
/// let response = Harness::new(feed).invoke(TestRequest::get("/").build()).await.into_http_response().await;
/// assert_eq!(response.body().as_bytes(), b"partial");
/// let cut = response.extensions().get::<StreamCut>().expect("cut short");
/// assert_eq!((cut.error_type.as_str(), cut.message.as_str()), ("Unavailable", "the feed went away"));
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamCut {
    /// The error's type, e.g. `Timeout`.
    pub error_type: String,
    /// The error's message.
    pub message: String,
}

/// tokio's timers, lent to [`anyfn_kit::guard_stream`].
struct TokioTimers;

impl StreamTimers for TokioTimers {
    type Sleep = tokio::time::Sleep;

    fn sleep_until(&self, deadline: Instant) -> tokio::time::Sleep {
        tokio::time::sleep_until(deadline.into())
    }
}

/// The lock, even if a hook panicked while another thread held it.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
