//! One request from the host: an envelope invocation or a forwarded HTTP
//! request, through the function, answered as the host expects.

use std::borrow::Cow;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyfn::error::quoted;
use anyfn::http::header::{HeaderMap, HeaderName, HeaderValue, CONNECTION};
use anyfn::http::{Method, StatusCode};
use anyfn::stream::StreamResponse;
use anyfn::{Body, Context, Error, ErrorDetails, Platform, Request, Response};
use anyfn_kit::host::{ConnectionWatch, LateAnswer, Settled};
use anyfn_kit::{AnswerBody, Gathered, StreamInvocation, StreamReport, StreamTimers};
use anyfn_kit::{InvocationReport, ProviderSet, Usage};
use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Body as _, Incoming};

use crate::answer::{encode_answer, envelope_answer, envelope_answer_in, Encoded};
use crate::codec::{AzureAnswer, AzureInput};
use crate::config::{FunctionCatalog, FunctionJson, Mode};
use crate::context_ext::AzureInvocation;
use crate::envelope::Envelope;
use crate::function::{AzureFunction, AzureFuture};
use crate::logging::{self, Capture};
use crate::trigger::{choose_trigger, AzureTrigger};

/// The header carrying the host's invocation id.
pub const INVOCATION_ID_HEADER: &str = "x-azure-functions-invocationid";

/// [`INVOCATION_ID_HEADER`], made once: a lookup by `&str` parses the name
/// on every request.
static INVOCATION_ID: HeaderName = HeaderName::from_static(INVOCATION_ID_HEADER);

/// The largest request the adapter reads (the host's own limit for HTTP
/// requests is 100 MB).
const BODY_LIMIT: usize = 128 * 1024 * 1024;

/// What the adapter serves: one function under every name, or several by name.
pub(crate) enum Functions {
    /// One handler answers whatever name the host calls.
    One(Arc<dyn AzureFunction>),
    /// Each function at `/{name}` (names compared without case, as Azure does).
    Named(Vec<(Arc<str>, Arc<dyn AzureFunction>)>),
}

/// The settings every invocation reads.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) mode: Mode,
    pub(crate) timeout: Duration,
    /// What the context and each `REPORT` line say.
    pub(crate) memory_mb: u32,
    pub(crate) error_details: ErrorDetails,
    pub(crate) route_prefix: String,
    /// The providers each `REPORT` line prices on: `ANYFN_REPORT_COST`, else
    /// Flex Consumption.
    pub(crate) report_cost: ProviderSet,
    /// Whether each invocation ends with a `REPORT` line:
    /// `ANYFN_REPORT_LINE`, else on.
    pub(crate) report_line: bool,
}

pub(crate) struct Shared {
    pub(crate) functions: Functions,
    pub(crate) settings: Settings,
    /// Every `function.json` of the app, read at bind; no call changes it.
    function_json: FunctionCatalog,
    ids: AtomicU64,
    /// The watchdog's answers for an invocation whose output binding is
    /// `res` (the usual name), made once rather than per invocation.
    late_res: LateRes,
}

/// [`LateEnvelope`]s for the output binding `res`, shared.
struct LateRes {
    /// Of a function that is not an HTTP trigger's.
    other: Arc<dyn LateAnswer>,
    /// Of an HTTP trigger's.
    http: Arc<dyn LateAnswer>,
}

impl LateRes {
    fn new(details: ErrorDetails) -> Self {
        let late = |is_http| -> Arc<dyn LateAnswer> {
            Arc::new(LateEnvelope {
                is_http,
                output: "res".to_owned(),
                details,
            })
        };
        Self {
            other: late(false),
            http: late(true),
        }
    }
}

impl Shared {
    pub(crate) fn new(
        functions: Functions,
        settings: Settings,
        function_json: FunctionCatalog,
    ) -> Self {
        Self {
            functions,
            late_res: LateRes::new(settings.error_details),
            settings,
            function_json,
            ids: AtomicU64::new(0),
        }
    }

    pub(crate) async fn handle(
        self: Arc<Self>,
        request: hyper::Request<Incoming>,
        watch: Arc<ConnectionWatch>,
    ) -> hyper::Response<AnswerBody> {
        let started = Instant::now();
        // The header's first value, as `HeaderMap::get` finds it, but by a
        // walk over the request's headers: the host's envelope POST has a
        // handful, mostly standard names told apart from this one at once,
        // where `get` hashes the name's 30 bytes first. (Hyper holds at most
        // 100 headers, so a forwarded request's walk stays short too.)
        let named = request
            .headers()
            .iter()
            .find(|(name, _)| **name == INVOCATION_ID)
            .and_then(|(_, value)| value.to_str().ok())
            .map(crate::lenient::trimmed)
            .filter(|id| !id.is_empty())
            .map(invocation_id);
        // The host names every invocation; its readiness ping (a GET of the
        // root) carries no name, and any answer will do for it.
        let is_ping = named.is_none();
        let invocation_id = named.unwrap_or_else(|| self.next_id());
        let (mut parts, incoming) = request.into_parts();
        // A request without a body (the host's readiness ping, a forwarded
        // GET) has nothing to read: no future is made to find that out.
        let read = if incoming.is_end_stream() {
            Ok(Bytes::new())
        } else {
            read_body(incoming).await
        };
        let body = match read {
            Ok(body) => body,
            Err(error) => {
                anyfn_kit::log_failure(&invocation_id, &error);
                let mut response =
                    whole(error.to_response(&invocation_id, self.settings.error_details));
                // The rest of the body is left unread.
                response
                    .headers_mut()
                    .insert(CONNECTION, HeaderValue::from_static("close"));
                return response;
            }
        };
        // The path is split once, for an envelope's function and a
        // forwarded request's.
        let segments = first_segments(parts.uri.path());
        let (first_segment, second_segment) = segments;
        let one_segment = first_segment.filter(|_| second_segment.is_none());
        if is_ping && first_segment.is_none() && parts.method == Method::GET {
            return whole(anyfn::response::status(StatusCode::OK));
        }
        let envelope = one_segment
            .filter(|_| parts.method == Method::POST)
            .and_then(|segment| Some((segment, Envelope::parse_shared(&body)?)));
        match envelope {
            Some((segment, envelope))
                if !self.settings.mode.forwards_http()
                    || !is_forwarded_route(&self.settings, segment) =>
            {
                let name = decode_segment(segment);
                // The answer's headers go in the request's map.
                let headers = std::mem::take(&mut parts.headers);
                self.envelope(&name, envelope, invocation_id, started, &watch, headers)
                    .await
            }
            _ if self.settings.mode.forwards_http() => {
                let found = self.find(&function_of_route(&self.settings.route_prefix, segments));
                let request = Request::from_parts(parts, Body::from(body));
                self.forwarded(request, found, invocation_id, started, &watch)
                    .await
            }
            _ => {
                let error = Error::bad_request(
                    "expected the Functions host's invocation: a POST to /{FunctionName} with a JSON \
                     object holding Data and Metadata (for HTTP requests at their own path, turn on \
                     customHandler.enableForwardingHttpRequest in host.json)",
                );
                anyfn_kit::log_failure(&invocation_id, &error);
                whole(error.to_response(&invocation_id, self.settings.error_details))
            }
        }
    }

    fn next_id(&self) -> Arc<str> {
        let n = self.ids.fetch_add(1, Ordering::Relaxed);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        Arc::from(format!("anyfn-{:x}-{n:x}", nanos & 0xffff_ffff_ffff))
    }

    /// The function called `name`, and its name as the app spells it.
    fn find(&self, name: &str) -> Result<(Arc<str>, Arc<dyn AzureFunction>), Error> {
        self.find_in(name, None)
    }

    /// [`find`](Self::find), given `name`'s entry in the app's
    /// `function.json` catalog: one function takes the name as the host
    /// spelled it, shared with the entry's when it is the same.
    fn find_in(
        &self,
        name: &str,
        entry: Option<(&Arc<str>, &FunctionJson)>,
    ) -> Result<(Arc<str>, Arc<dyn AzureFunction>), Error> {
        match &self.functions {
            Functions::One(function) => {
                let name = match entry {
                    Some((known, _)) if **known == *name => Arc::clone(known),
                    _ => Arc::from(name),
                };
                Ok((name, Arc::clone(function)))
            }
            Functions::Named(functions) => functions
                .iter()
                .find(|(known, _)| known.eq_ignore_ascii_case(name))
                .map(|(known, function)| (Arc::clone(known), Arc::clone(function)))
                .ok_or_else(|| {
                    let names: Vec<&str> = functions.iter().map(|(name, _)| &**name).collect();
                    Error::not_found(format!(
                        "no function named {}; this app has: {}",
                        quoted(name),
                        names.join(", ")
                    ))
                }),
        }
    }

    /// How many function.json the adapter knows.
    #[cfg(test)]
    pub(crate) fn function_jsons(&self) -> usize {
        self.function_json.len()
    }

    fn context(&self, invocation: AzureInvocation, started: Instant) -> Context {
        Context::builder()
            .request_id(invocation.invocation_id())
            .function_name(invocation.shared_function_name())
            .deadline(anyfn::time::deadline_after(started, self.settings.timeout))
            .memory_limit_mb(self.settings.memory_mb)
            .platform(Platform::AzureFunctions)
            .extension(invocation)
            .build()
    }

    /// Starts `function` on `input`: its future, or a future ready with
    /// the panic's error when `call` itself panics. A function's panic is
    /// its invocation's failure: it must not unwind through the watchdog
    /// (which would take the handler for one still running) nor end the
    /// connection. `function`'s own functions catch theirs; this is for any
    /// `AzureFunction`.
    ///
    /// `input` makes the function's input where the call takes it: an
    /// [`AzureInput`] is as large as its largest variant (a whole
    /// request), and moved once less than when it is made by the caller.
    fn start(
        function: &dyn AzureFunction,
        input: impl FnOnce() -> AzureInput,
        context: Context,
    ) -> AzureFuture {
        catch_unwind(AssertUnwindSafe(|| function.call(input(), context))).unwrap_or_else(
            |payload| {
                let error = Error::panic(anyfn_kit::panic_message(payload.as_ref()));
                Box::pin(std::future::ready(Err(error)))
            },
        )
    }

    /// One invocation sent as the host's envelope, the handler polled in
    /// place on the connection's task and the watchdog keeping its deadline
    /// (writing an envelope of its own for a handler that blocks its thread
    /// past it).
    async fn envelope(
        &self,
        name: &str,
        envelope: Arc<Envelope>,
        invocation_id: Arc<str>,
        started: Instant,
        watch: &ConnectionWatch,
        headers: HeaderMap,
    ) -> hyper::Response<AnswerBody> {
        let details = self.settings.error_details;
        // The `function.json` of the function `name` (any case), read at
        // bind; nothing when it has none. (The function's name, when found,
        // is `name` without case: the same entry.)
        let entry = self.function_json.entry(name);
        let (name, function) = match self.find_in(name, entry) {
            Ok(found) => found,
            Err(error) => {
                anyfn_kit::log_failure(&invocation_id, &error);
                return whole(error.to_response(&invocation_id, details));
            }
        };
        let declared = entry.map_or(&FunctionJson::NONE, |(_, declared)| declared);
        let trigger = choose_trigger(envelope, declared);
        let is_http = declared
            .trigger_type
            .as_deref()
            .map(|kind| same_name(kind, "httpTrigger"))
            .or_else(|| trigger.as_ref().ok().map(AzureTrigger::is_http))
            .unwrap_or(false);
        let output = declared.http_output.as_deref().unwrap_or("res");
        let invocation = AzureInvocation::new(
            Arc::clone(&invocation_id),
            name,
            self.settings.mode,
            trigger.as_ref().ok().cloned(),
        );
        let mut context = self.context(invocation, started);
        if is_http && anyfn_kit::telemetry_installed() {
            let caller = trigger.as_ref().ok().and_then(envelope_caller_trace);
            if let Some(caller) = caller {
                context.extensions_mut().insert(caller);
            }
        }
        let deadline = context.deadline();
        let span = anyfn_kit::invocation_span_triggered(
            &context,
            trigger_of(declared.trigger_type.as_deref(), is_http),
        );
        let capture = Capture::start(&span);
        // What the watchdog's run came to, matched once where it is had
        // (each step of a `Result<AzureAnswer, _>` through a binding of
        // its own was a move of the whole answer): the answer encoded, and
        // `answered`: the watchdog already answered (the handler blocked
        // its thread past the deadline) and logged the failure.
        let (encoded, answered) = match trigger {
            Ok(trigger) => {
                let late: Arc<dyn LateAnswer> = match (output, is_http) {
                    // The usual output binding's: made once.
                    ("res", false) => Arc::clone(&self.late_res.other),
                    ("res", true) => Arc::clone(&self.late_res.http),
                    _ => Arc::new(LateEnvelope {
                        is_http,
                        output: output.to_owned(),
                        details,
                    }),
                };
                let mut call =
                    Self::start(function.as_ref(), || AzureInput::Envelope(trigger), context);
                // The watchdog catches a panic while polling (see its docs).
                let ran = watch
                    .run_named(
                        &invocation_id,
                        Some(late),
                        deadline,
                        &span,
                        Pin::new(&mut call),
                    )
                    .await;
                // The function's future (cancelled, if the watchdog ended
                // it) and then the span end here, before the answer is
                // written, as when an `async fn run` held them.
                drop(call);
                drop(span);
                match ran {
                    Settled::InTime(Ok(AzureAnswer::Streamed(response))) => (
                        gather(response, &invocation_id, started, deadline, details)
                            .await
                            .and_then(|answer| encode_answer(answer, is_http)),
                        false,
                    ),
                    Settled::InTime(outcome) => (
                        outcome.and_then(|answer| encode_answer(answer, is_http)),
                        false,
                    ),
                    Settled::Late { error, answered } => (Err(error), answered),
                }
            }
            Err(error) => (Err(error), false),
        };
        let lines = capture.map(Capture::finish).unwrap_or_default();
        let mut response = match encoded {
            Ok(encoded) => envelope_answer_in(&encoded, output, &lines, headers),
            Err(error) => {
                if !answered {
                    anyfn_kit::log_failure(&invocation_id, &error);
                }
                if is_http {
                    // The caller sees the same status as on every adapter;
                    // the invocation itself succeeded.
                    let res = error.to_response(&invocation_id, details);
                    match Encoded::http(res) {
                        Ok(res) => envelope_answer(&res, output, &lines),
                        Err(_) => failed(&error, &invocation_id, &lines),
                    }
                } else {
                    failed(&error, &invocation_id, &lines)
                }
            }
        };
        if answered {
            // The watchdog sent its answer and closed the sending side.
            response
                .headers_mut()
                .insert(CONNECTION, HeaderValue::from_static("close"));
        }
        report(&invocation_id, started, &self.settings);
        response
    }

    /// An HTTP request forwarded as it came (forwarding and proxying
    /// modes), the handler polled in place on the connection's task and the
    /// watchdog keeping its deadline, as on the local server.
    async fn forwarded(
        &self,
        request: Request,
        found: Result<(Arc<str>, Arc<dyn AzureFunction>), Error>,
        invocation_id: Arc<str>,
        started: Instant,
        watch: &ConnectionWatch,
    ) -> hyper::Response<AnswerBody> {
        let details = self.settings.error_details;
        let (name, function) = match found {
            Ok(found) => found,
            Err(error) => {
                anyfn_kit::log_failure(&invocation_id, &error);
                return whole(error.to_response(&invocation_id, details));
            }
        };
        let invocation =
            AzureInvocation::new(Arc::clone(&invocation_id), name, self.settings.mode, None);
        let mut context = self.context(invocation, started);
        if anyfn_kit::telemetry_installed() {
            if let Some(caller) = caller_trace(request.headers()) {
                context.extensions_mut().insert(caller);
            }
        }
        let deadline = context.deadline();
        let span = anyfn_kit::invocation_span_triggered(&context, anyfn_kit::Trigger::Http);
        // `answered`: the watchdog already answered (the handler blocked
        // its thread past the deadline) and logged the failure.
        let mut call = Self::start(function.as_ref(), || AzureInput::Http(request), context);
        let ran = watch
            .run_named(&invocation_id, None, deadline, &span, Pin::new(&mut call))
            .await;
        // As in `envelope`: the future, then the span, end before the answer.
        drop(call);
        drop(span);
        // The failure's answer; `answered`: the watchdog already answered
        // (the handler blocked its thread past the deadline) and logged it.
        let failed = |error: Error, answered: bool| {
            if !answered {
                anyfn_kit::log_failure(&invocation_id, &error);
            }
            let mut response = whole(error.to_response(&invocation_id, details));
            if answered {
                // The watchdog sent the answer and closed the sending side.
                response
                    .headers_mut()
                    .insert(CONNECTION, HeaderValue::from_static("close"));
            }
            response
        };
        // Matched once, where it is had, into the answer (as in
        // `envelope`: each step through a binding of its own was a move of
        // the whole response).
        let response = match ran {
            Settled::InTime(Ok(AzureAnswer::Http(response))) => whole(response),
            Settled::InTime(Ok(AzureAnswer::Streamed(response))) => {
                return stream(
                    response,
                    &invocation_id,
                    started,
                    deadline,
                    details,
                    &self.settings,
                );
            }
            Settled::InTime(Ok(AzureAnswer::Empty)) => {
                whole(anyfn::response::status(StatusCode::NO_CONTENT))
            }
            Settled::InTime(Ok(AzureAnswer::Value(value))) => match anyfn::response::json(&value) {
                Ok(response) => whole(response),
                Err(error) => failed(error, false),
            },
            Settled::InTime(Err(error)) => failed(error, false),
            Settled::Late { error, answered } => failed(error, answered),
        };
        report(&invocation_id, started, &self.settings);
        response
    }
}

/// The host's invocation id as the adapter uses it (the request id, in
/// every line and answer): a control character in it (a tab: the one a
/// header value may hold) written as its escape (`\t`), so that it cannot
/// forge a field of the `REPORT` line or of a log line. The host's ids are
/// GUIDs, which have none.
fn invocation_id(id: &str) -> Arc<str> {
    Arc::from(anyfn::error::without_controls(id))
}

/// The envelope the watchdog writes for an invocation whose handler blocks
/// its thread past its deadline: as the adapter would answer the timeout
/// (without the invocation's log lines, which the watchdog cannot see; its
/// own failure line goes to stdout).
#[derive(Debug)]
struct LateEnvelope {
    is_http: bool,
    output: String,
    details: ErrorDetails,
}

impl LateAnswer for LateEnvelope {
    fn response(&self, request_id: &str, error: &Error) -> Response {
        let answer = if self.is_http {
            match Encoded::http(error.to_response(request_id, self.details)) {
                Ok(res) => envelope_answer(&res, &self.output, &[]),
                Err(_) => failed(error, request_id, &[]),
            }
        } else {
            failed(error, request_id, &[])
        };
        let (parts, body) = answer.into_parts();
        let bytes = body
            .as_whole()
            .map(Bytes::copy_from_slice)
            .unwrap_or_default();
        Response::from_parts(parts, Body::from(bytes))
    }
}

fn failed(error: &Error, invocation_id: &str, lines: &[String]) -> hyper::Response<AnswerBody> {
    logging::to_stdout(lines);
    let shown = error.to_response(invocation_id, ErrorDetails::Shown);
    let mut response = whole(shown);
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response
}

/// `response` as hyper sends it; hyper writes `Content-Length` from the
/// whole body's exact length, as on the local server.
fn whole(response: Response) -> hyper::Response<AnswerBody> {
    let (parts, body) = response.into_parts();
    hyper::Response::from_parts(parts, AnswerBody::whole(body.into_bytes()))
}

struct TokioTimers;

impl StreamTimers for TokioTimers {
    type Sleep = tokio::time::Sleep;

    fn sleep_until(&self, deadline: Instant) -> tokio::time::Sleep {
        tokio::time::sleep_until(deadline.into())
    }
}

fn guard(
    response: StreamResponse,
    invocation_id: &str,
    started: Instant,
    deadline: Instant,
    details: ErrorDetails,
) -> StreamResponse {
    let invocation = StreamInvocation {
        request_id: invocation_id.to_owned(),
        started,
        deadline,
        details,
    };
    anyfn_kit::guard_stream(response, invocation, TokioTimers)
}

/// A streamed answer gathered within the deadline (envelope mode).
async fn gather(
    response: StreamResponse,
    invocation_id: &str,
    started: Instant,
    deadline: Instant,
    details: ErrorDetails,
) -> Result<AzureAnswer, Error> {
    let (parts, body) = guard(response, invocation_id, started, deadline, details).into_parts();
    let bytes: Bytes = body.collect().await?;
    Ok(AzureAnswer::Http(Response::from_parts(
        parts,
        Body::from(bytes),
    )))
}

/// A streamed answer sent chunk by chunk (forwarding and proxying modes).
fn stream(
    response: StreamResponse,
    invocation_id: &str,
    started: Instant,
    deadline: Instant,
    details: ErrorDetails,
    settings: &Settings,
) -> hyper::Response<AnswerBody> {
    let (parts, body) = guard(response, invocation_id, started, deadline, details).into_parts();
    let report = StreamReport::new(
        invocation_id,
        started,
        settings.memory_mb,
        anyfn_kit::Pricing::default(),
    )
    .priced_on(Some(settings.report_cost))
    .written(settings.report_line);
    hyper::Response::from_parts(parts, AnswerBody::streamed(body, report))
}

/// Whether a one-segment POST in forwarding mode is an HTTP route rather
/// than an envelope: it is when it is the route prefix itself.
fn is_forwarded_route(settings: &Settings, segment: &str) -> bool {
    !settings.route_prefix.is_empty() && segment.eq_ignore_ascii_case(&settings.route_prefix)
}

/// The first two segments of a path that are not empty.
fn first_segments(path: &str) -> (Option<&str>, Option<&str>) {
    /// The first segment of `path` that is not empty, and what follows it.
    fn segment(path: &str) -> Option<(&str, &str)> {
        // Byte by byte (`trim_start_matches` with a `char` pattern costs a
        // searcher's set-up): the first byte that is not a `/`.
        let start = path.bytes().position(|byte| byte != b'/')?;
        let path = path.get(start..)?;
        let end = path.bytes().position(|b| b == b'/').unwrap_or(path.len());
        Some(path.split_at(end))
    }
    match segment(path) {
        None => (None, None),
        Some((first, rest)) => (Some(first), segment(rest).map(|(second, _)| second)),
    }
}

/// The function a forwarded request is for, from its path's
/// [`first_segments`]: the first segment after the route prefix (a
/// function's default route is its name).
fn function_of_route<'a>(
    prefix: &str,
    (first, second): (Option<&'a str>, Option<&'a str>),
) -> Cow<'a, str> {
    let first = first.unwrap_or_default();
    let name = if !prefix.is_empty() && first.eq_ignore_ascii_case(prefix) {
        second.unwrap_or_default()
    } else {
        first
    };
    decode_segment(name)
}

/// A path segment, percent-decoded (borrowed when it has no escapes).
fn decode_segment(segment: &str) -> Cow<'_, str> {
    // A byte search: `contains` calls `memchr`, which costs more than the
    // few bytes of a function's name.
    if !segment.bytes().any(|byte| byte == b'%') {
        // Nothing to decode (the usual function name).
        return Cow::Borrowed(segment);
    }
    percent_encoding::percent_decode_str(segment).decode_utf8_lossy()
}

/// Reads the whole request body, refusing one over [`BODY_LIMIT`]: at once
/// when its `Content-Length` says so (as the local server refuses a body it
/// would not drain), else when what came passes it. A body that arrives as
/// one frame, as the host's envelopes do, is kept as it came, without a
/// copy.
async fn read_body(mut incoming: Incoming) -> Result<Bytes, Error> {
    if incoming
        .size_hint()
        .exact()
        .is_some_and(|declared| declared > BODY_LIMIT as u64)
    {
        return Err(Error::payload_too_large(BODY_LIMIT));
    }
    let mut gathered = Gathered::default();
    while let Some(frame) = incoming.frame().await {
        let frame = frame
            .map_err(|err| Error::bad_request(format!("could not read the request body: {err}")))?;
        if let Ok(data) = frame.into_data() {
            if gathered.len() + data.len() > BODY_LIMIT {
                return Err(Error::payload_too_large(BODY_LIMIT));
            }
            gathered.push(data);
        }
        // A body of a declared length is whole once that many bytes came
        // (the host's envelope: one frame): its end is not polled for.
        if incoming.is_end_stream() {
            break;
        }
    }
    Ok(gathered.into_bytes())
}

/// The `REPORT` line of one invocation answered whole.
fn report(request_id: &str, started: Instant, settings: &Settings) {
    if settings.report_line && tracing::enabled!(target: "anyfn::report", tracing::Level::INFO) {
        let report = InvocationReport::priced(
            request_id,
            Usage::new(started.elapsed(), settings.memory_mb),
            settings.report_cost,
        );
        tracing::info!(target: "anyfn::report", "{report}");
    }
}

/// The `faas.trigger` of a function whose `function.json` declares
/// `trigger_type` (`httpTrigger`, `queueTrigger`, `timerTrigger`, …), or
/// of an HTTP request when it declares none.
fn trigger_of(trigger_type: Option<&str>, is_http: bool) -> anyfn_kit::Trigger {
    use anyfn_kit::Trigger;
    let Some(kind) = trigger_type else {
        return if is_http {
            Trigger::Http
        } else {
            Trigger::Other
        };
    };
    // No allocation: this runs for every envelope, telemetry or not.
    let is = |names: &[&str]| names.iter().any(|name| same_name(kind, name));
    if is(&["httpTrigger"]) {
        Trigger::Http
    } else if is(&["timerTrigger"]) {
        Trigger::Timer
    } else if is(&[
        "queueTrigger",
        "serviceBusTrigger",
        "eventHubTrigger",
        "eventGridTrigger",
        "kafkaTrigger",
        "rabbitMQTrigger",
    ]) {
        Trigger::PubSub
    } else if is(&["blobTrigger", "cosmosDBTrigger", "sqlTrigger"]) {
        Trigger::Datasource
    } else {
        Trigger::Other
    }
}

/// Whether `kind` is `name` without ASCII case, as Azure compares binding
/// types: the spelling Azure documents (an exact match, a length and a
/// memory comparison) first.
fn same_name(kind: &str, name: &str) -> bool {
    kind == name || kind.eq_ignore_ascii_case(name)
}

/// The caller's W3C trace context in an HTTP trigger's envelope (its
/// `Headers`, each a value or an array of values, names in any case).
fn envelope_caller_trace(trigger: &AzureTrigger) -> Option<anyfn_kit::CallerTrace> {
    let request = crate::lenient::object(trigger.value())?;
    let headers = crate::lenient::object(crate::lenient::get(&request, "Headers")?)?;
    let first = |name: &str| {
        let value = crate::lenient::get(&headers, name)?;
        let value = match value {
            serde_json::Value::Array(values) => values.first()?,
            value => value,
        };
        crate::lenient::text(value).map(Cow::into_owned)
    };
    let mut caller = anyfn_kit::CallerTrace::new(first("traceparent")?.trim());
    if let Some(state) = first("tracestate") {
        caller = caller.with_tracestate(state);
    }
    Some(caller)
}

/// The caller's W3C trace context of a forwarded request (the Functions
/// host passes the caller's headers on), for the telemetry hook.
fn caller_trace(headers: &anyfn::http::HeaderMap) -> Option<anyfn_kit::CallerTrace> {
    let traceparent = headers.get("traceparent")?.to_str().ok()?;
    let mut caller = anyfn_kit::CallerTrace::new(traceparent.trim());
    if let Some(state) = headers
        .get("tracestate")
        .and_then(|value| value.to_str().ok())
    {
        caller = caller.with_tracestate(state);
    }
    Some(caller)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &[u8]) -> Arc<Envelope> {
        Arc::new(Envelope::parse(body).expect("an envelope"))
    }

    #[test]
    fn the_trigger_by_function_json_or_shape() {
        let envelope = parse(br#"{"Data": {"req": {"Url": "/", "Method": "GET"}, "doc": "x"}}"#);
        let chosen = |declared: &FunctionJson| {
            choose_trigger(Arc::clone(&envelope), declared).map(|t| t.binding().to_owned())
        };
        assert_eq!(
            chosen(&FunctionJson::default()).ok().as_deref(),
            Some("req")
        );
        let declared = FunctionJson {
            trigger: Some("DOC".into()),
            ..FunctionJson::default()
        };
        assert_eq!(chosen(&declared).ok().as_deref(), Some("doc"));
        let two = parse(br#"{"Data": {"a": "1", "b": "2"}}"#);
        let err = choose_trigger(two, &FunctionJson::default()).expect_err("ambiguous");
        assert_eq!(err.message(), "the invocation's Data holds several bindings (a, b) and no function.json names the trigger");
        let none = parse(br#"{"Metadata": {}}"#);
        assert!(choose_trigger(none, &FunctionJson::default()).is_err());
    }

    #[test]
    fn invocation_ids_have_their_control_characters_escaped() {
        let guid = "0f8fad5b-d9cb-469f-a165-70867728950e";
        assert_eq!(&*invocation_id(guid), guid);
        assert_eq!(&*invocation_id("a\tb"), "a\\tb");
        assert_eq!(&*invocation_id("a\u{7f}b\u{1b}"), "a\\u{7f}b\\u{1b}");
        assert_eq!(&*invocation_id("é\\"), "é\\", "only control characters");
    }

    #[test]
    fn routes_name_functions() {
        let route = |prefix, path| function_of_route(prefix, first_segments(path));
        assert_eq!(route("api", "/api/Hello/x"), "Hello");
        assert_eq!(route("", "/Hello"), "Hello");
        assert_eq!(route("", "//Hello//x"), "Hello");
        assert_eq!(route("api", "/other"), "other");
        assert_eq!(route("api", "/api/a%20b"), "a b");
        assert_eq!(route("api", "/api"), "");
        assert_eq!(route("api", "/"), "");
    }

    #[test]
    fn each_trigger_type_has_its_faas_trigger() {
        use anyfn_kit::Trigger;
        for (kind, trigger) in [
            (Some("httpTrigger"), Trigger::Http),
            (Some("TimerTrigger"), Trigger::Timer),
            (Some("queueTrigger"), Trigger::PubSub),
            (Some("serviceBusTrigger"), Trigger::PubSub),
            (Some("eventGridTrigger"), Trigger::PubSub),
            (Some("blobTrigger"), Trigger::Datasource),
            (Some("cosmosDBTrigger"), Trigger::Datasource),
            (Some("somethingElse"), Trigger::Other),
            (None, Trigger::Other),
        ] {
            assert_eq!(super::trigger_of(kind, false), trigger, "{kind:?}");
        }
        assert_eq!(super::trigger_of(None, true), Trigger::Http);
    }
}
