//! [`Workers`]: the adapter's settings, and its three entry points
//! (`fetch`, `scheduled`, `queue`) for a Worker's `#[event]` functions.

use std::cell::OnceCell;
use std::time::Duration;

use anyfn::stream::StreamResponse;
use anyfn::time::Instant;
use anyfn::{Context, Error, ErrorDetails, ErrorKind, Handler, Response};
use anyfn_kit::{Settings, SettingsError};
use worker::{Env, MessageBatch, ScheduleContext, ScheduledEvent};

use crate::codec::{
    batch_response, CloudflareAnswer, CloudflareInput, FromCloudflare, IntoCloudflare,
};
use crate::context::{generated_request_id, invocation_context, RAY_HEADER};
use crate::context_ext::{CloudflareInvocation, Trigger};
use crate::events::{queue_batch, schedule_tick, settle};
use crate::http::{read_head, read_request, write_raw_response, write_response, write_stream};
use crate::invocation::invoke;
use crate::logging::{install, LOG_FILTER_VAR, LOG_FORMAT_VAR};

/// The Workers adapter, with its settings: what the builder sets wins,
/// then the Worker's variables (`[vars]` in `wrangler.toml`:
/// `ANYFN_TIMEOUT_MS`, `ANYFN_MEMORY_MB`, `ANYFN_ERROR_DETAILS`,
/// `ANYFN_DEFAULT_SUBSCRIBER`), then Workers' defaults
/// ([`DEFAULT_TIMEOUT`](crate::DEFAULT_TIMEOUT), 128 MB).
///
/// # Example
///
/// ```ignore
/// use std::time::Duration;
/// use anyfn::handler_fn;
/// use worker::{event, Env};
///
/// # async fn hello(_r: anyfn::Request, _c: anyfn::Context) -> Result<anyfn::Response, anyfn::Error> { todo!() }
/// const WORKERS: anyfn_cloudflare::Workers = anyfn_cloudflare::Workers::new().timeout(Duration::from_secs(5));
///
/// #[event(fetch)]
/// async fn fetch(request: worker::Request, env: Env, ctx: worker::Context) -> worker::Result<worker::Response> {
///     WORKERS.fetch(&handler_fn(hello), request, env, ctx).await
/// }
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Workers {
    settings: Settings,
}

impl Workers {
    /// The adapter with nothing set in code.
    ///
    /// # Example
    ///
    /// ```ignore
    /// let workers = anyfn_cloudflare::Workers::new();
    /// ```
    pub const fn new() -> Self {
        Self {
            settings: Settings::new(),
        }
    }

    /// Every shared setting at once; those `settings` leaves unset come
    /// from the Worker's variables, then Workers' defaults.
    ///
    /// # Example
    ///
    /// ```ignore
    /// let settings = anyfn_cloudflare::Settings::new().with_timeout(std::time::Duration::from_secs(2));
    /// let workers = anyfn_cloudflare::Workers::new().settings(settings);
    /// ```
    pub const fn settings(mut self, settings: Settings) -> Self {
        self.settings = settings;
        self
    }

    /// Each invocation's deadline, from its start.
    ///
    /// # Example
    ///
    /// ```ignore
    /// let workers = anyfn_cloudflare::Workers::new().timeout(std::time::Duration::from_secs(2));
    /// ```
    pub const fn timeout(mut self, timeout: Duration) -> Self {
        self.settings = self.settings.with_timeout(timeout);
        self
    }

    /// How much of a server error (5xx) an HTTP answer shows.
    ///
    /// # Example
    ///
    /// ```ignore
    /// let workers = anyfn_cloudflare::Workers::new().error_details(anyfn::ErrorDetails::Shown);
    /// ```
    pub const fn error_details(mut self, details: ErrorDetails) -> Self {
        self.settings = self.settings.with_error_details(details);
        self
    }

    /// The memory size in MB the context and the `REPORT` line say, over
    /// `ANYFN_MEMORY_MB`; 128 MB, a Worker's limit, when neither says.
    ///
    /// # Example
    ///
    /// ```ignore
    /// let workers = anyfn_cloudflare::Workers::new().memory_mb(128);
    /// ```
    pub const fn memory_mb(mut self, memory_mb: u32) -> Self {
        self.settings = self.settings.with_memory_mb(memory_mb);
        self
    }

    /// Whether the first invocation installs the default subscriber (the
    /// console) when the Worker has none: on when neither this nor
    /// `ANYFN_DEFAULT_SUBSCRIBER` says, as on every adapter; either one's
    /// off turns it off.
    ///
    /// # Example
    ///
    /// ```ignore
    /// // The Worker logs through a subscriber of its own.
    /// let workers = anyfn_cloudflare::Workers::new().default_subscriber(false);
    /// ```
    pub const fn default_subscriber(mut self, install: bool) -> Self {
        self.settings = self.settings.with_default_subscriber(install);
        self
    }

    /// The settings for one invocation: the builder's, then the Worker's
    /// variables (read once per isolate: they do not change while it
    /// lives); the default subscriber installed unless either turns it off.
    fn resolve(&self, env: &Env) -> Result<Settings, Error> {
        let from_vars = VARIABLES.with(|cell| {
            cell.get_or_init(|| read_variables(env, self.settings))
                .clone()
        });
        from_vars
            .map(|from_vars| self.settings.or(from_vars))
            .map_err(|error| {
                Error::from_source(ErrorKind::Internal, error)
                    .with_error_type("InvalidWorkerVariable")
            })
    }

    /// Answers a `fetch`: the request (body read whole) to the handler,
    /// its output or its failure ([`Error::to_response`], the one failure
    /// table) as the response. The request id is the `cf-ray` header, or
    /// one made here.
    ///
    /// # Errors
    ///
    /// None in practice: every failure is answered as an HTTP response;
    /// the `Result` is what `#[event(fetch)]` expects.
    ///
    /// # Example
    ///
    /// ```ignore
    /// #[worker::event(fetch)]
    /// async fn fetch(request: worker::Request, env: worker::Env, ctx: worker::Context) -> worker::Result<worker::Response> {
    ///     anyfn_cloudflare::Workers::new().fetch(&anyfn::handler_fn(hello), request, env, ctx).await
    /// }
    /// ```
    pub async fn fetch<H>(
        &self,
        handler: &H,
        request: worker::Request,
        env: Env,
        _ctx: worker::Context,
    ) -> worker::Result<worker::Response>
    where
        H: Handler + ?Sized,
        H::Event: FromCloudflare,
        H::Output: IntoCloudflare,
    {
        // Another reference to the same object (`Request.clone()` would
        // tee the body).
        let request = Clone::clone(request.inner());
        let internal_error = || worker::Response::error("Internal Server Error", 500);
        self.respond(
            handler,
            request,
            env,
            write_response,
            write_stream,
            internal_error,
        )
        .await
    }

    /// [`fetch`](Self::fetch) on the runtime's own request and response,
    /// as [`entry_points!`](crate::entry_points) calls it: the request's
    /// head read and a whole response made with one call into JavaScript
    /// each, where workers-rs's `Request` and `Response` take a dozen.
    ///
    /// # Errors
    ///
    /// None in practice, as [`fetch`](Self::fetch).
    #[doc(hidden)]
    pub async fn fetch_raw<H>(
        &self,
        handler: &H,
        request: worker::web_sys::Request,
        env: Env,
    ) -> worker::Result<worker::web_sys::Response>
    where
        H: Handler + ?Sized,
        H::Event: FromCloudflare,
        H::Output: IntoCloudflare,
    {
        let stream = |stream| write_stream(stream).map(Into::into);
        let internal_error =
            || worker::Response::error("Internal Server Error", 500).map(Into::into);
        self.respond(
            handler,
            request,
            env,
            write_raw_response,
            stream,
            internal_error,
        )
        .await
    }

    /// A `fetch`'s answer as `R` (workers-rs's response or the runtime's
    /// own): a whole response written by `write`, a stream by `stream`; a
    /// failure answered as its error response, or a bare `500` when even
    /// that cannot be written.
    async fn respond<H, R>(
        &self,
        handler: &H,
        request: worker::web_sys::Request,
        env: Env,
        write: impl Fn(Response) -> Result<R, Error>,
        stream: impl FnOnce(StreamResponse) -> Result<R, Error>,
        internal_error: impl FnOnce() -> worker::Result<R>,
    ) -> worker::Result<R>
    where
        H: Handler + ?Sized,
        H::Event: FromCloudflare,
        H::Output: IntoCloudflare,
    {
        let (answer, request_id, details) = self
            .answer(handler, request, env, |answer| match answer {
                CloudflareAnswer::Whole(response) => write(response),
                CloudflareAnswer::Streamed(response) if H::Output::STREAMS => stream(response),
                CloudflareAnswer::Streamed(_) => Err(not_streaming()),
                CloudflareAnswer::Batch(result) => batch_response(&result).and_then(&write),
            })
            .await;
        match answer {
            Ok(response) => Ok(response),
            Err(error) => {
                write(error.to_response(&request_id, details)).or_else(|_| internal_error())
            }
        }
    }

    /// A `fetch`'s answer, written by `write`, with its request id and how
    /// much of an error it shows.
    async fn answer<H, R>(
        &self,
        handler: &H,
        request: worker::web_sys::Request,
        env: Env,
        write: impl FnOnce(CloudflareAnswer) -> Result<R, Error>,
    ) -> (Result<R, Error>, String, ErrorDetails)
    where
        H: Handler + ?Sized,
        H::Event: FromCloudflare,
        H::Output: IntoCloudflare,
    {
        // The clock read once (a call into JavaScript): the invocation's
        // start, its deadline and its REPORT line's duration are told from it.
        let started = Instant::now();
        // The head (method, URL, headers) is read first, once: the request
        // id is among the headers.
        let head = read_head(&request);
        let headers = head.headers();
        let ray = match &headers {
            Ok(headers) => headers
                .get(&RAY_HEADER_NAME)
                .and_then(|ray| ray.to_str().ok())
                .map(str::to_owned),
            // A header that is not valid: the ray read on its own.
            Err(_) => request.headers().get(RAY_HEADER).ok().flatten(),
        };
        let request_id = match ray {
            Some(ray) if !ray.is_empty() => ray,
            _ => generated_request_id(),
        };
        let settings = self.resolve(&env);
        let details = settings
            .as_ref()
            .ok()
            .and_then(Settings::error_details)
            .unwrap_or_default();
        let settled = match settings {
            Ok(settings) => match read_request(&request, &head, headers).await {
                Ok(read) => {
                    // The request itself, kept for the handler's `cf` (no
                    // second reference to it made).
                    let worker_side = CloudflareInvocation::new(Trigger::Fetch, env, Some(request));
                    let context = with_worker(
                        invocation_context(&request_id, &settings, started),
                        worker_side,
                    );
                    let input = CloudflareInput::Fetch(read);
                    invoke(handler, input, context, &request_id, &settings, started).await
                }
                Err(error) => Err(logged(&request_id, error)),
            },
            Err(error) => Err(logged(&request_id, error)),
        };
        (settled.and_then(write), request_id, details)
    }

    /// Runs a cron trigger's firing as a [`ScheduleTick`](anyfn::event::ScheduleTick).
    /// A failure is logged (with the request id, a generated one); Workers
    /// do not retry cron triggers.
    ///
    /// # Example
    ///
    /// ```ignore
    /// #[worker::event(scheduled)]
    /// async fn scheduled(event: worker::ScheduledEvent, env: worker::Env, ctx: worker::ScheduleContext) {
    ///     anyfn_cloudflare::Workers::new().scheduled(&anyfn::handler_fn(nightly), event, env, ctx).await
    /// }
    /// ```
    pub async fn scheduled<H>(
        &self,
        handler: &H,
        event: ScheduledEvent,
        env: Env,
        _ctx: ScheduleContext,
    ) where
        H: Handler + ?Sized,
        H::Event: FromCloudflare,
        H::Output: IntoCloudflare,
    {
        let started = Instant::now();
        let request_id = generated_request_id();
        let settings = match self.resolve(&env) {
            Ok(settings) => settings,
            Err(error) => {
                anyfn_kit::log_failure(&request_id, &error);
                return;
            }
        };
        let context = with_worker(
            invocation_context(&request_id, &settings, started),
            CloudflareInvocation::new(Trigger::Scheduled, env, None),
        );
        let input = CloudflareInput::Scheduled(schedule_tick(&event));
        // Failures are logged by invoke.
        let _ = invoke(handler, input, context, &request_id, &settings, started).await;
    }

    /// Runs a queue's batch as a [`QueueBatch`](anyfn::event::QueueBatch):
    /// a [`BatchResult`](anyfn::event::BatchResult) retries the messages it
    /// names and acknowledges the others; any other output acknowledges
    /// every message; a failure (the handler's error, a panic, the
    /// deadline) retries the whole batch.
    ///
    /// # Errors
    ///
    /// None in practice: a failure is the batch retried, not an exception
    /// (which workers-rs's `#[event(queue)]` would turn into a panic).
    ///
    /// # Example
    ///
    /// ```ignore
    /// #[worker::event(queue)]
    /// async fn queue(batch: worker::MessageBatch<serde_json::Value>, env: worker::Env, ctx: worker::Context) -> worker::Result<()> {
    ///     anyfn_cloudflare::Workers::new().queue(&anyfn::handler_fn(work), batch, env, ctx).await
    /// }
    /// ```
    pub async fn queue<H, T>(
        &self,
        handler: &H,
        batch: MessageBatch<T>,
        env: Env,
        _ctx: worker::Context,
    ) -> worker::Result<()>
    where
        H: Handler + ?Sized,
        H::Event: FromCloudflare,
        H::Output: IntoCloudflare,
    {
        let started = Instant::now();
        let request_id = generated_request_id();
        let settings = match self.resolve(&env) {
            Ok(settings) => settings,
            Err(error) => {
                anyfn_kit::log_failure(&request_id, &error);
                batch.retry_all();
                return Ok(());
            }
        };
        let (portable, messages) = queue_batch(&batch);
        let context = with_worker(
            invocation_context(&request_id, &settings, started),
            CloudflareInvocation::new(Trigger::Queue, env, None),
        );
        let input = CloudflareInput::Queue(portable);
        let outcome = invoke(handler, input, context, &request_id, &settings, started).await;
        match outcome {
            Ok(CloudflareAnswer::Batch(result)) => settle(&messages, &result),
            Ok(_) => batch.ack_all(),
            Err(_) => batch.retry_all(),
        }
        Ok(())
    }
}

/// [`RAY_HEADER`], parsed once (a lookup by `&str` parses the name each time).
static RAY_HEADER_NAME: anyfn::http::HeaderName = anyfn::http::HeaderName::from_static(RAY_HEADER);

thread_local! {
    /// The Worker's variables as settings, read by the isolate's first
    /// invocation (a Worker has one thread).
    static VARIABLES: OnceCell<Result<Settings, SettingsError>> = const { OnceCell::new() };
}

/// Reads the settings from the Worker's variables, and installs the
/// default subscriber unless they or the builder's `code` settings turn it
/// off (either's `off` holds, as on every adapter).
fn read_variables(env: &Env, code: Settings) -> Result<Settings, SettingsError> {
    let var = |name: &str| env.var(name).ok().map(|value| value.to_string());
    let settings = Settings::from_lookup(var);
    let vars_say_off = settings
        .as_ref()
        .is_ok_and(|settings| !settings.installs_default_subscriber());
    let subscriber = code.installs_default_subscriber() && !vars_say_off;
    if subscriber {
        let json = var(LOG_FORMAT_VAR).is_some_and(|format| format.eq_ignore_ascii_case("json"));
        install(json, var(LOG_FILTER_VAR).as_deref());
    }
    settings
}

/// A `Streamed` answer from an output whose `STREAMS` is false (which
/// links none of the streaming code).
fn not_streaming() -> Error {
    Error::new(
        ErrorKind::Internal,
        "the output streamed, though its IntoCloudflare::STREAMS is false",
    )
}

fn with_worker(mut context: Context, worker: CloudflareInvocation) -> Context {
    context.extensions_mut().insert(worker);
    context
}

fn logged(request_id: &str, error: Error) -> Error {
    anyfn_kit::log_failure(request_id, &error);
    error
}
