//! What every invocation knows about itself: [`Context`].

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::metrics::Metrics;
use crate::time::Instant;
use crate::Extensions;

mod request_id;

use request_id::RequestIdText;

/// The default invocation timeout: 3 seconds, as on AWS Lambda.
///
/// # Example
///
/// ```
/// use std::time::Duration;
///
/// assert_eq!(anyfn::DEFAULT_TIMEOUT, Duration::from_secs(3));
/// let context = anyfn::Context::builder().build();
/// assert!(context.remaining_time() <= anyfn::DEFAULT_TIMEOUT);
/// ```
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3);

/// The default memory size in MB: 128, as on AWS Lambda.
///
/// # Example
///
/// ```
/// assert_eq!(anyfn::DEFAULT_MEMORY_MB, 128);
/// let context = anyfn::Context::builder().build();
/// assert_eq!(context.memory_limit_mb(), anyfn::DEFAULT_MEMORY_MB);
/// ```
pub const DEFAULT_MEMORY_MB: u32 = 128;

/// Which runtime is running the handler.
///
/// # Example
///
/// ```
/// assert_eq!(anyfn::Platform::LocalServer.as_str(), "local-server");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Platform {
    /// AWS Lambda, through `anyfn-lambda`.
    AwsLambda,
    /// The local HTTP server, `anyfn-server` (also in containers).
    LocalServer,
    /// `anyfn-server` on Google Cloud Run, Cloud Run functions or Knative:
    /// `K_SERVICE` is set.
    CloudRun,
    /// Azure Functions, through `anyfn-azure` (a custom handler):
    /// `FUNCTIONS_CUSTOMHANDLER_PORT` is set.
    AzureFunctions,
    /// Cloudflare Workers, through `anyfn-cloudflare` (wasm32 under workerd).
    CloudflareWorkers,
    /// The in-process test harness, `anyfn-test`.
    Test,
    /// A platform reached through an adapter outside anyfn's own, named by
    /// it (a short, stable name, as [`as_str`](Self::as_str) gives for the
    /// others).
    ///
    /// ```
    /// let edge = anyfn::Platform::Other("my-edge");
    /// assert_eq!(edge.as_str(), "my-edge");
    /// assert_eq!(edge.to_string(), "my-edge");
    /// ```
    Other(&'static str),
}

impl Platform {
    /// A short, stable name for logs.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::Platform;
    ///
    /// assert_eq!(Platform::AwsLambda.as_str(), "aws-lambda");
    /// assert_eq!(Platform::CloudflareWorkers.as_str(), "cloudflare-workers");
    /// assert_eq!(Platform::Other("my-edge").as_str(), "my-edge");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::AwsLambda => "aws-lambda",
            Self::LocalServer => "local-server",
            Self::CloudRun => "cloud-run",
            Self::AzureFunctions => "azure-functions",
            Self::CloudflareWorkers => "cloudflare-workers",
            Self::Test => "test",
            Self::Other(name) => name,
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an invocation knows about itself: its id, its deadline, the function
/// it belongs to and the runtime running it.
///
/// Adapters build one per invocation. Details that only one provider has (the
/// API Gateway request context, the client's socket address, …) travel in the
/// typed [extensions](Context::extensions); each adapter offers an extension
/// trait to read its own.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use anyfn::{Context, Platform};
///
/// let context = Context::builder()
///     .request_id("req-1")
///     .function_name("orders")
///     .timeout(Duration::from_secs(10))
///     .build();
///
/// assert_eq!(context.request_id(), "req-1");
/// assert_eq!(context.function_name(), "orders");
/// assert_eq!(context.platform(), Platform::Test);
/// assert!(context.remaining_time() <= Duration::from_secs(10));
/// ```
#[derive(Clone, Debug)]
pub struct Context {
    request_id: RequestIdText,
    deadline: Instant,
    function_name: Arc<str>,
    function_version: Arc<str>,
    memory_limit_mb: u32,
    trace_id: Option<String>,
    tenant_id: Option<String>,
    max_concurrency: u32,
    platform: Platform,
    metrics: Metrics,
    extensions: Extensions,
}

impl Context {
    /// A builder with test-friendly defaults: request id `test-request`, a
    /// deadline [`DEFAULT_TIMEOUT`] after [`build`](ContextBuilder::build),
    /// function `anyfn-function` at version `$LATEST` with
    /// [`DEFAULT_MEMORY_MB`], no trace id, no tenant id, a
    /// [max concurrency](Context::max_concurrency) of 1, [`Platform::Test`].
    ///
    /// # Example
    ///
    /// ```
    /// let context = anyfn::Context::builder().build();
    /// assert_eq!(context.request_id(), "test-request");
    /// assert_eq!(context.function_name(), "anyfn-function");
    /// assert_eq!(context.function_version(), "$LATEST");
    /// assert_eq!(context.memory_limit_mb(), anyfn::DEFAULT_MEMORY_MB);
    /// assert_eq!(context.trace_id(), None);
    /// assert_eq!(context.platform(), anyfn::Platform::Test);
    /// ```
    pub fn builder() -> ContextBuilder {
        ContextBuilder {
            request_id: None,
            deadline: None,
            timeout: DEFAULT_TIMEOUT,
            function_name: None,
            function_version: None,
            memory_limit_mb: DEFAULT_MEMORY_MB,
            trace_id: None,
            tenant_id: None,
            max_concurrency: 1,
            platform: Platform::Test,
            metrics: Metrics::none(),
            extensions: Extensions::new(),
        }
    }

    /// The id of this invocation, unique per invocation.
    ///
    /// # Example
    ///
    /// ```
    /// let context = anyfn::Context::builder().request_id("req-1").build();
    /// assert_eq!(context.request_id(), "req-1");
    /// ```
    pub fn request_id(&self) -> &str {
        self.request_id.as_str()
    }

    /// The deadline this invocation must meet: past it, every adapter
    /// answers a timeout and drops the handler's future. On Lambda it is a
    /// margin before Lambda's own deadline (100 ms by default), so that the
    /// timeout is reported before Lambda ends the invocation. An
    /// [`anyfn::time::Instant`](crate::time::Instant): std's on native,
    /// JavaScript's clock on `wasm32-unknown-unknown`.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn::time::Instant;
    ///
    /// let deadline = Instant::now() + Duration::from_secs(5);
    /// let context = anyfn::Context::builder().deadline(deadline).build();
    /// assert_eq!(context.deadline(), deadline);
    /// ```
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// The time left before the [deadline](Self::deadline); zero once past it.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn::time::Instant;
    ///
    /// let context = anyfn::Context::builder().deadline(Instant::now()).build();
    /// assert_eq!(context.remaining_time(), Duration::ZERO);
    /// ```
    pub fn remaining_time(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    /// The function's name.
    ///
    /// # Example
    ///
    /// ```
    /// let context = anyfn::Context::builder().function_name("orders").build();
    /// assert_eq!(context.function_name(), "orders");
    /// ```
    pub fn function_name(&self) -> &str {
        &self.function_name
    }

    /// The function's version (`$LATEST` unless the runtime says otherwise).
    ///
    /// # Example
    ///
    /// ```
    /// let context = anyfn::Context::builder().function_version("7").build();
    /// assert_eq!(context.function_version(), "7");
    /// assert_eq!(anyfn::Context::builder().build().function_version(), "$LATEST");
    /// ```
    pub fn function_version(&self) -> &str {
        &self.function_version
    }

    /// The memory configured for the function, in MB.
    ///
    /// # Example
    ///
    /// ```
    /// let context = anyfn::Context::builder().memory_limit_mb(512).build();
    /// assert_eq!(context.memory_limit_mb(), 512);
    /// ```
    pub fn memory_limit_mb(&self) -> u32 {
        self.memory_limit_mb
    }

    /// The distributed-tracing id, when the runtime provides one (Lambda's
    /// `X-Amzn-Trace-Id`, a `traceparent` header, …).
    ///
    /// # Example
    ///
    /// ```
    /// let trace = "Root=1-5759e988-bd862e3fe1be46a994272793";
    /// let context = anyfn::Context::builder().trace_id(trace).build();
    /// assert_eq!(context.trace_id(), Some(trace));
    /// assert_eq!(anyfn::Context::builder().build().trace_id(), None);
    /// ```
    pub fn trace_id(&self) -> Option<&str> {
        self.trace_id.as_deref()
    }

    /// The tenant this invocation runs for, when the platform isolates
    /// tenants and says which: on AWS Lambda, the tenant id a function in
    /// tenant isolation mode is invoked with (`Lambda-Runtime-Aws-Tenant-Id`).
    /// `None` elsewhere, and on Lambda for an invocation without one.
    ///
    /// # Example
    ///
    /// ```
    /// let context = anyfn::Context::builder().tenant_id("acme").build();
    /// assert_eq!(context.tenant_id(), Some("acme"));
    /// assert_eq!(anyfn::Context::builder().build().tenant_id(), None);
    /// ```
    pub fn tenant_id(&self) -> Option<&str> {
        self.tenant_id.as_deref()
    }

    /// How many invocations may run at once in this instance of the
    /// function, this one included: at least 1. On AWS Lambda it is
    /// `AWS_LAMBDA_MAX_CONCURRENCY` (Lambda Managed Instances), 1 on classic
    /// Lambda, where an environment runs one invocation at a time. Other
    /// adapters say 1: they set no such limit (the local server and Azure
    /// serve requests concurrently as they come). Size what invocations
    /// share (a connection pool, say) by it.
    ///
    /// # Example
    ///
    /// ```
    /// let context = anyfn::Context::builder().max_concurrency(8).build();
    /// let pool_size = context.max_concurrency() as usize;
    /// assert_eq!(pool_size, 8);
    /// assert_eq!(anyfn::Context::builder().build().max_concurrency(), 1);
    /// ```
    pub fn max_concurrency(&self) -> u32 {
        self.max_concurrency
    }

    /// Which runtime is running this invocation.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::Platform;
    ///
    /// let context = anyfn::Context::builder().platform(Platform::AwsLambda).build();
    /// assert_eq!(context.platform(), Platform::AwsLambda);
    /// ```
    pub fn platform(&self) -> Platform {
        self.platform
    }

    /// Where this invocation's metrics go: the adapter's sink (CloudWatch
    /// EMF on Lambda with `ANYFN_METRICS_NAMESPACE` set), OpenTelemetry's
    /// (anyfn-otel with a metrics endpoint), both, or nowhere.
    ///
    /// # Example
    ///
    /// ```
    /// let context = anyfn::Context::builder().build();
    /// context.metrics().count("Orders", 1); // no sink: dropped
    /// assert!(!context.metrics().is_enabled());
    /// ```
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// Provider-specific details, by type.
    ///
    /// # Example
    ///
    /// ```
    /// #[derive(Clone, Debug, PartialEq)]
    /// struct Tenant(&'static str);
    ///
    /// let context = anyfn::Context::builder().extension(Tenant("acme")).build();
    /// assert_eq!(context.extensions().get::<Tenant>(), Some(&Tenant("acme")));
    /// ```
    pub fn extensions(&self) -> &Extensions {
        &self.extensions
    }

    /// Provider-specific details, by type, for adapters to fill in.
    ///
    /// # Example
    ///
    /// ```
    /// #[derive(Clone, Debug, PartialEq)]
    /// struct Colo(&'static str);
    ///
    /// let mut context = anyfn::Context::builder().build();
    /// context.extensions_mut().insert(Colo("AMS"));
    /// assert_eq!(context.extensions().get::<Colo>(), Some(&Colo("AMS")));
    /// ```
    pub fn extensions_mut(&mut self) -> &mut Extensions {
        &mut self.extensions
    }

    /// A builder holding everything this context holds (its deadline too),
    /// to make a context that differs in a detail: what a dispatcher does
    /// when it hands the invocation to one of several named functions.
    ///
    /// # Example
    ///
    /// ```
    /// let context = anyfn::Context::builder().request_id("r-1").function_name("app").build();
    /// let deadline = context.deadline();
    /// let resize = context.into_builder().function_name("resize").build();
    /// assert_eq!((resize.request_id(), resize.function_name()), ("r-1", "resize"));
    /// assert_eq!(resize.deadline(), deadline);
    /// ```
    pub fn into_builder(self) -> ContextBuilder {
        ContextBuilder {
            request_id: Some(self.request_id),
            deadline: Some(self.deadline),
            timeout: DEFAULT_TIMEOUT,
            function_name: Some(self.function_name),
            function_version: Some(self.function_version),
            memory_limit_mb: self.memory_limit_mb,
            trace_id: self.trace_id,
            tenant_id: self.tenant_id,
            max_concurrency: self.max_concurrency,
            platform: self.platform,
            metrics: self.metrics,
            extensions: self.extensions,
        }
    }
}

/// Builds a [`Context`]; made by [`Context::builder`].
///
/// # Example
///
/// ```
/// use anyfn::{Context, Platform};
///
/// let builder = Context::builder().function_name("orders").platform(Platform::LocalServer);
/// let context = builder.request_id("req-1").build();
/// assert_eq!(context.function_name(), "orders");
/// assert_eq!(context.platform(), Platform::LocalServer);
/// ```
#[derive(Debug)]
#[must_use]
pub struct ContextBuilder {
    // The defaults of these three are made in `build`, only when not set:
    // adapters set them all, and building a context should not allocate
    // strings it throws away.
    request_id: Option<RequestIdText>,
    deadline: Option<Instant>,
    timeout: Duration,
    function_name: Option<Arc<str>>,
    function_version: Option<Arc<str>>,
    memory_limit_mb: u32,
    trace_id: Option<String>,
    tenant_id: Option<String>,
    max_concurrency: u32,
    platform: Platform,
    metrics: Metrics,
    extensions: Extensions,
}

// Every method is `#[inline]`: a builder taken and given back by value
// was copied whole (some 200 bytes) at each call an adapter makes per
// invocation, where inlined calls set the fields in place
// (`benches/instructions_vs_hyper.sh`).
impl ContextBuilder {
    /// Sets the request id. It is copied: an id of the usual length (a
    /// UUID) is kept without an allocation.
    ///
    /// # Example
    ///
    /// ```
    /// let context = anyfn::Context::builder().request_id(String::from("req-1")).build();
    /// assert_eq!(context.request_id(), "req-1");
    /// ```
    #[inline]
    pub fn request_id(mut self, request_id: impl AsRef<str>) -> Self {
        self.request_id = Some(RequestIdText::new(request_id.as_ref()));
        self
    }

    /// Sets the deadline to an instant; overrides [`timeout`](Self::timeout).
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn::time::Instant;
    ///
    /// let deadline = Instant::now() + Duration::from_millis(500);
    /// let context = anyfn::Context::builder()
    ///     .deadline(deadline)
    ///     .timeout(Duration::from_secs(60))
    ///     .build();
    /// assert_eq!(context.deadline(), deadline);
    /// ```
    #[inline]
    pub fn deadline(mut self, deadline: Instant) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Sets the deadline to `timeout` after [`build`](Self::build) is called,
    /// unless an explicit [`deadline`](Self::deadline) is given.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let context = anyfn::Context::builder().timeout(Duration::from_secs(30)).build();
    /// let left = context.remaining_time();
    /// assert!(left <= Duration::from_secs(30) && left > Duration::from_secs(20));
    /// ```
    #[inline]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the function name. Adapters pass an `Arc<str>` they keep, so
    /// building a context does not copy it.
    ///
    /// # Example
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// let name: Arc<str> = Arc::from("orders");
    /// let context = anyfn::Context::builder().function_name(Arc::clone(&name)).build();
    /// assert_eq!(context.function_name(), "orders");
    /// ```
    #[inline]
    pub fn function_name(mut self, function_name: impl Into<Arc<str>>) -> Self {
        self.function_name = Some(function_name.into());
        self
    }

    /// Sets the function version.
    ///
    /// # Example
    ///
    /// ```
    /// let context = anyfn::Context::builder().function_version("42").build();
    /// assert_eq!(context.function_version(), "42");
    /// ```
    #[inline]
    pub fn function_version(mut self, function_version: impl Into<Arc<str>>) -> Self {
        self.function_version = Some(function_version.into());
        self
    }

    /// Sets the memory limit, in MB.
    ///
    /// # Example
    ///
    /// ```
    /// let context = anyfn::Context::builder().memory_limit_mb(1024).build();
    /// assert_eq!(context.memory_limit_mb(), 1024);
    /// ```
    #[inline]
    pub fn memory_limit_mb(mut self, memory_limit_mb: u32) -> Self {
        self.memory_limit_mb = memory_limit_mb;
        self
    }

    /// Sets the trace id.
    ///
    /// # Example
    ///
    /// ```
    /// let context = anyfn::Context::builder().trace_id("trace-1").build();
    /// assert_eq!(context.trace_id(), Some("trace-1"));
    /// ```
    #[inline]
    pub fn trace_id(mut self, trace_id: impl Into<String>) -> Self {
        self.trace_id = Some(trace_id.into());
        self
    }

    /// Sets the tenant the invocation runs for ([`Context::tenant_id`]).
    ///
    /// # Example
    ///
    /// ```
    /// let context = anyfn::Context::builder().tenant_id("acme").build();
    /// assert_eq!(context.tenant_id(), Some("acme"));
    /// ```
    #[inline]
    pub fn tenant_id(mut self, tenant_id: impl Into<String>) -> Self {
        self.tenant_id = Some(tenant_id.into());
        self
    }

    /// Sets how many invocations may run at once in this instance
    /// ([`Context::max_concurrency`]); 0 is taken as 1.
    ///
    /// # Example
    ///
    /// ```
    /// let context = anyfn::Context::builder().max_concurrency(0).build();
    /// assert_eq!(context.max_concurrency(), 1);
    /// ```
    #[inline]
    pub fn max_concurrency(mut self, max_concurrency: u32) -> Self {
        self.max_concurrency = max_concurrency.max(1);
        self
    }

    /// Sets which runtime runs the invocation.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::Platform;
    ///
    /// let context = anyfn::Context::builder().platform(Platform::CloudRun).build();
    /// assert_eq!(context.platform(), Platform::CloudRun);
    /// ```
    #[inline]
    pub fn platform(mut self, platform: Platform) -> Self {
        self.platform = platform;
        self
    }

    /// Sets where the invocation's metrics go (an adapter's sink).
    ///
    /// # Example
    ///
    /// ```
    /// use std::sync::Arc;
    /// use anyfn::metrics::{MetricKind, Metrics, MetricsSink, Unit};
    ///
    /// #[derive(Debug)]
    /// struct Discard;
    /// impl MetricsSink for Discard {
    ///     fn record(&self, _: &str, _: f64, _: Unit, _: MetricKind) {}
    ///     fn dimension(&self, _: &str, _: &str) {}
    /// }
    ///
    /// let context = anyfn::Context::builder().metrics(Metrics::new(Arc::new(Discard))).build();
    /// assert!(context.metrics().is_enabled());
    /// ```
    #[inline]
    pub fn metrics(mut self, metrics: Metrics) -> Self {
        self.metrics = metrics;
        self
    }

    /// Adds a provider-specific detail, replacing one of the same type.
    ///
    /// # Example
    ///
    /// ```
    /// #[derive(Clone, Debug, PartialEq)]
    /// struct Tenant(&'static str);
    ///
    /// let context = anyfn::Context::builder()
    ///     .extension(Tenant("acme"))
    ///     .extension(Tenant("globex"))
    ///     .build();
    /// assert_eq!(context.extensions().get::<Tenant>(), Some(&Tenant("globex")));
    /// ```
    #[inline]
    pub fn extension<T: Clone + Send + Sync + 'static>(mut self, value: T) -> Self {
        self.extensions.insert(value);
        self
    }

    /// Adds a provider-specific detail shared with other contexts
    /// ([`Extensions::insert_shared`]), replacing one of the same type:
    /// what many invocations have in common (a connection's client
    /// address) is then not copied into each.
    ///
    /// # Example
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// #[derive(Clone)]
    /// struct Colo(&'static str);
    ///
    /// let colo = Arc::new(Colo("AMS"));
    /// let context = anyfn::Context::builder().shared_extension(Arc::clone(&colo)).build();
    /// assert_eq!(context.extensions().get::<Colo>().map(|colo| colo.0), Some("AMS"));
    /// ```
    #[inline]
    pub fn shared_extension<T: Clone + Send + Sync + 'static>(mut self, value: Arc<T>) -> Self {
        self.extensions.insert_shared(value);
        self
    }

    /// Builds the context of one invocation, `request_id`'s, due at
    /// `deadline`, from what this builder holds, which it keeps: an adapter
    /// sets its function's fields once (name, version, memory, platform,
    /// shared extensions) and builds each invocation's context from them,
    /// without moving a builder through a chain of calls per invocation.
    /// The builder's own request id and deadline, if any, are not used.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn::{Context, Platform};
    ///
    /// let function = Context::builder()
    ///     .function_name("orders")
    ///     .platform(Platform::LocalServer);
    /// let deadline = anyfn::time::Instant::now() + Duration::from_secs(3);
    /// let context = function.build_for("req-1", deadline);
    /// assert_eq!((context.request_id(), context.function_name()), ("req-1", "orders"));
    /// assert_eq!(context.deadline(), deadline);
    /// assert_eq!(function.build_for("req-2", deadline).request_id(), "req-2");
    /// ```
    pub fn build_for(&self, request_id: &str, deadline: Instant) -> Context {
        Context {
            request_id: RequestIdText::new(request_id),
            deadline,
            function_name: self
                .function_name
                .clone()
                .unwrap_or_else(|| shared(&DEFAULT_FUNCTION_NAME, "anyfn-function")),
            function_version: self
                .function_version
                .clone()
                .unwrap_or_else(|| shared(&DEFAULT_FUNCTION_VERSION, "$LATEST")),
            memory_limit_mb: self.memory_limit_mb,
            trace_id: self.trace_id.clone(),
            tenant_id: self.tenant_id.clone(),
            max_concurrency: self.max_concurrency,
            platform: self.platform,
            metrics: self.metrics.clone(),
            extensions: self.extensions.clone(),
        }
    }

    /// Builds the context; a deadline given as a timeout starts counting now.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let context = anyfn::Context::builder()
    ///     .request_id("req-1")
    ///     .timeout(Duration::from_secs(10))
    ///     .build();
    /// assert_eq!(context.request_id(), "req-1");
    /// assert!(context.remaining_time() <= Duration::from_secs(10));
    /// ```
    #[inline]
    pub fn build(self) -> Context {
        let deadline = self
            .deadline
            .unwrap_or_else(|| crate::time::deadline_after(Instant::now(), self.timeout));
        Context {
            request_id: self
                .request_id
                .unwrap_or_else(|| RequestIdText::new("test-request")),
            deadline,
            function_name: self
                .function_name
                .unwrap_or_else(|| shared(&DEFAULT_FUNCTION_NAME, "anyfn-function")),
            function_version: self
                .function_version
                .unwrap_or_else(|| shared(&DEFAULT_FUNCTION_VERSION, "$LATEST")),
            memory_limit_mb: self.memory_limit_mb,
            trace_id: self.trace_id,
            tenant_id: self.tenant_id,
            max_concurrency: self.max_concurrency,
            platform: self.platform,
            metrics: self.metrics,
            extensions: self.extensions,
        }
    }
}

/// The default function name and version, made once: an adapter that does
/// not set one (Azure sets no version) would otherwise allocate it for
/// every invocation.
static DEFAULT_FUNCTION_NAME: OnceLock<Arc<str>> = OnceLock::new();
static DEFAULT_FUNCTION_VERSION: OnceLock<Arc<str>> = OnceLock::new();

fn shared(slot: &OnceLock<Arc<str>>, text: &str) -> Arc<str> {
    Arc::clone(slot.get_or_init(|| Arc::from(text)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_timeout_does_not_panic() {
        let context = Context::builder().timeout(Duration::MAX).build();
        assert!(context.remaining_time() > Duration::from_secs(60));
    }

    /// `build_for` makes what the chain of calls an adapter made before
    /// would: every field, the builder's own ones and the invocation's.
    #[test]
    fn build_for_gives_what_the_whole_chain_gives() {
        let deadline = Instant::now() + Duration::from_secs(3);
        let function_fields = |builder: ContextBuilder| {
            builder
                .function_name("orders")
                .function_version("7")
                .memory_limit_mb(512)
                .max_concurrency(4)
                .platform(Platform::CloudRun)
                .tenant_id("acme")
                .trace_id("trace-1")
        };
        let function = function_fields(Context::builder())
            .shared_extension(Arc::new(7u16))
            .request_id("ignored")
            .deadline(Instant::now());
        let built = function.build_for("req-9", deadline);
        let chained = function_fields(Context::builder())
            .extension(7u16)
            .request_id("req-9")
            .deadline(deadline)
            .build();
        let fields = |c: &Context| {
            (
                c.request_id().to_owned(),
                c.deadline(),
                c.function_name().to_owned(),
                c.function_version().to_owned(),
                c.memory_limit_mb(),
                c.max_concurrency(),
                c.platform(),
                c.tenant_id().map(str::to_owned),
                c.trace_id().map(str::to_owned),
                c.extensions().get::<u16>().copied(),
            )
        };
        assert_eq!(fields(&built), fields(&chained));
        // Unset, the defaults `build` gives.
        let bare = Context::builder().build_for("r", deadline);
        let defaults = Context::builder()
            .request_id("r")
            .deadline(deadline)
            .build();
        assert_eq!(fields(&bare), fields(&defaults));
    }

    #[test]
    fn explicit_deadline_wins_over_timeout() {
        let deadline = Instant::now() + Duration::from_millis(5);
        let context = Context::builder()
            .timeout(Duration::from_secs(100))
            .deadline(deadline)
            .build();
        assert_eq!(context.deadline(), deadline);
    }
}
