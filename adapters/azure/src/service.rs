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
use anyfn::{Body, Context, ContextBuilder, Error, ErrorDetails, Platform, Request, Response};
use anyfn_kit::host::{ConnectionWatch, LateAnswer, Settled};
use anyfn_kit::{AnswerBody, Gathered, StreamInvocation, StreamReport, StreamTimers};
use anyfn_kit::{InvocationReport, ProviderSet, Usage};
use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Body as _, Incoming};

use crate::answer::{encode_answer, envelope_answer, envelope_answer_in, Encoded};
use crate::codec::{AzureAnswer, AzureInput};
use crate::config::{FunctionCatalog, FunctionJson, Mode};
use crate::context_ext::{AzureInvocation, InvocationId};
use crate::envelope::Envelope;
use crate::function::{AzureFunction, AzureFuture};
use crate::logging::{self, Capture};
use crate::trigger::{choose_trigger, AzureTrigger};

/// The header carrying the host's invocation id.
///
/// # Example
///
/// ```
/// use anyfn::http::HeaderMap;
///
/// assert_eq!(anyfn_azure::INVOCATION_ID_HEADER, "x-azure-functions-invocationid");
/// let mut headers = HeaderMap::new();
/// headers.insert("X-Azure-Functions-InvocationId", "0f8fad5b-d9cb-469f-a165-70867728950e".parse()?);
/// assert!(headers.contains_key(anyfn_azure::INVOCATION_ID_HEADER));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub const INVOCATION_ID_HEADER: &str = "x-azure-functions-invocationid";

/// [`INVOCATION_ID_HEADER`], made at compile time: a lookup by `&str`
/// parses the name on every request. A constant, not a static: compared
/// with each header name, its length and bytes are known where it is used
/// (as the server's trace header names).
const INVOCATION_ID: HeaderName = HeaderName::from_static(INVOCATION_ID_HEADER);

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
    /// The context fields of each function whose name is known at bind.
    contexts: ContextTemplates,
}

/// The context fields of each function whose name is known at bind (each
/// of [`Functions::Named`]; for [`Functions::One`], each function of the
/// app's `function.json` catalog and the root's, the empty name), set once
/// by name: an invocation of one of them has its context built in place
/// from them ([`ContextBuilder::build_for`]), as the local server's are,
/// rather than by a chain of builder calls; and the name it is called by
/// (the context's function name) is shared rather than made per
/// invocation.
struct ContextTemplates {
    /// Each function's name, as the context gives it, and its fields.
    by_name: Vec<(Arc<str>, ContextBuilder)>,
}

impl ContextTemplates {
    /// The fields of functions called `names`: `settings`' memory size, on
    /// Azure Functions.
    fn new<'a>(names: impl IntoIterator<Item = &'a Arc<str>>, settings: &Settings) -> Self {
        let by_name = names
            .into_iter()
            .map(|name| {
                let fields = Context::builder()
                    .function_name(Arc::clone(name))
                    .memory_limit_mb(settings.memory_mb)
                    .platform(Platform::AzureFunctions);
                (Arc::clone(name), fields)
            })
            .collect();
        Self { by_name }
    }

    /// The name of the function `name`, spelled exactly so, shared.
    fn name(&self, name: &str) -> Option<&Arc<str>> {
        self.by_name
            .iter()
            .map(|(known, _)| known)
            .find(|known| ***known == *name)
    }

    /// The fields of the function whose name is `name` (the very one
    /// these hold: a name made per invocation has none).
    fn of(&self, name: &Arc<str>) -> Option<&ContextBuilder> {
        self.by_name
            .iter()
            .find(|(known, _)| Arc::ptr_eq(known, name))
            .map(|(_, fields)| fields)
    }
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
        let contexts = match &functions {
            Functions::One(_) => {
                let root: Arc<str> = Arc::from("");
                ContextTemplates::new(
                    std::iter::once(&root).chain(function_json.names()),
                    &settings,
                )
            }
            Functions::Named(functions) => {
                ContextTemplates::new(functions.iter().map(|(name, _)| name), &settings)
            }
        };
        Self {
            functions,
            late_res: LateRes::new(settings.error_details),
            settings,
            function_json,
            ids: AtomicU64::new(0),
            contexts,
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
            .and_then(|(_, value)| header_invocation_id(value));
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
                anyfn_kit::log_failure(invocation_id.as_str(), &error);
                let mut response =
                    whole(error.to_response(invocation_id.as_str(), self.settings.error_details));
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
                anyfn_kit::log_failure(invocation_id.as_str(), &error);
                whole(error.to_response(invocation_id.as_str(), self.settings.error_details))
            }
        }
    }

    fn next_id(&self) -> InvocationId {
        let n = self.ids.fetch_add(1, Ordering::Relaxed);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        InvocationId::from(format!("anyfn-{:x}-{n:x}", nanos & 0xffff_ffff_ffff).as_str())
    }

    /// The function called `name`, and its name as the app spells it.
    fn find(&self, name: &str) -> Result<(Arc<str>, Arc<dyn AzureFunction>), Error> {
        // (One function's name spelled as in the catalog is found in the
        // context templates, which hold each of the catalog's names.)
        self.find_in(name, None)
    }

    /// [`find`](Self::find), given `name`'s entry in the app's
    /// `function.json` catalog: one function takes the name as the host
    /// spelled it, shared with the entry's (or the root's, the empty name)
    /// when it is the same.
    fn find_in(
        &self,
        name: &str,
        entry: Option<(&Arc<str>, &FunctionJson)>,
    ) -> Result<(Arc<str>, Arc<dyn AzureFunction>), Error> {
        match &self.functions {
            Functions::One(function) => {
                let name = match entry {
                    Some((known, _)) if **known == *name => Arc::clone(known),
                    _ => match self.contexts.name(name) {
                        Some(known) => Arc::clone(known),
                        None => Arc::from(name),
                    },
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

    /// The context of `invocation`, which started at `started`: built
    /// from its function's [`ContextTemplates`] when it has some, else
    /// field by field (the same context either way).
    ///
    /// `invocation_id` is `invocation`'s, read once by the caller, which
    /// keeps `invocation` (shared with the context: one allocation for it
    /// and its id).
    fn context(
        &self,
        invocation: &Arc<AzureInvocation>,
        invocation_id: &str,
        started: Instant,
    ) -> Context {
        let deadline = anyfn::time::deadline_after(started, self.settings.timeout);
        match self.contexts.of(invocation.function_name_shared()) {
            Some(fields) => {
                let mut context = fields.build_for(invocation_id, deadline);
                context
                    .extensions_mut()
                    .insert_shared(Arc::clone(invocation));
                context
            }
            None => Context::builder()
                .request_id(invocation_id)
                .function_name(invocation.shared_function_name())
                .deadline(deadline)
                .memory_limit_mb(self.settings.memory_mb)
                .platform(Platform::AzureFunctions)
                .shared_extension(Arc::clone(invocation))
                .build(),
        }
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
        invocation_id: InvocationId,
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
                anyfn_kit::log_failure(invocation_id.as_str(), &error);
                return whole(error.to_response(invocation_id.as_str(), details));
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
        let invocation = Arc::new(AzureInvocation::new(
            invocation_id,
            name,
            self.settings.mode,
            trigger.as_ref().ok().cloned(),
        ));
        // The id as text, read once.
        let invocation_id = invocation.invocation_id();
        let mut context = self.context(&invocation, invocation_id, started);
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
                        invocation_id,
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
                        gather(response, invocation_id, started, deadline, details)
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
                    anyfn_kit::log_failure(invocation_id, &error);
                }
                if is_http {
                    // The caller sees the same status as on every adapter;
                    // the invocation itself succeeded.
                    let res = error.to_response(invocation_id, details);
                    match Encoded::http(res) {
                        Ok(res) => envelope_answer(&res, output, &lines),
                        Err(_) => failed(&error, invocation_id, &lines),
                    }
                } else {
                    failed(&error, invocation_id, &lines)
                }
            }
        };
        if answered {
            // The watchdog sent its answer and closed the sending side.
            response
                .headers_mut()
                .insert(CONNECTION, HeaderValue::from_static("close"));
        }
        report(invocation_id, started, &self.settings);
        response
    }

    /// An HTTP request forwarded as it came (forwarding and proxying
    /// modes), the handler polled in place on the connection's task and the
    /// watchdog keeping its deadline, as on the local server.
    async fn forwarded(
        &self,
        request: Request,
        found: Result<(Arc<str>, Arc<dyn AzureFunction>), Error>,
        invocation_id: InvocationId,
        started: Instant,
        watch: &ConnectionWatch,
    ) -> hyper::Response<AnswerBody> {
        let details = self.settings.error_details;
        let (name, function) = match found {
            Ok(found) => found,
            Err(error) => {
                anyfn_kit::log_failure(invocation_id.as_str(), &error);
                return whole(error.to_response(invocation_id.as_str(), details));
            }
        };
        let invocation = Arc::new(AzureInvocation::new(
            invocation_id,
            name,
            self.settings.mode,
            None,
        ));
        // The id as text, read once.
        let invocation_id = invocation.invocation_id();
        let mut context = self.context(&invocation, invocation_id, started);
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
            .run_named(invocation_id, None, deadline, &span, Pin::new(&mut call))
            .await;
        // As in `envelope`: the future, then the span, end before the answer.
        drop(call);
        drop(span);
        // The failure's answer; `answered`: the watchdog already answered
        // (the handler blocked its thread past the deadline) and logged it.
        let failed = |error: Error, answered: bool| {
            if !answered {
                anyfn_kit::log_failure(invocation_id, &error);
            }
            let mut response = whole(error.to_response(invocation_id, details));
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
                    invocation_id,
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
        report(invocation_id, started, &self.settings);
        response
    }
}

/// The host's invocation id as the adapter uses it (the request id, in
/// every line and answer): a control character in it (a tab: the one a
/// header value may hold) written as its escape (`\t`), so that it cannot
/// forge a field of the `REPORT` line or of a log line. The host's ids are
/// GUIDs, which have none.
fn invocation_id(id: &str) -> InvocationId {
    InvocationId::from(&*anyfn::error::without_controls(id))
}

/// The invocation id a header's value names ([`invocation_id`]), `None`
/// when it names none (empty or blank, or not text): as
/// `HeaderValue::to_str`, [`trimmed`](crate::lenient::trimmed) and
/// [`invocation_id`] make it, and a value of visible ASCII without a space
/// (the host's GUIDs) at once: it is text, with nothing to trim and no
/// control, told eight bytes at a time (`to_str` looks at each byte, and
/// `without_controls` at each again), and held as it is (its UTF-8 is
/// checked once, where the id is read as text).
fn header_invocation_id(value: &HeaderValue) -> Option<InvocationId> {
    let bytes = value.as_bytes();
    if is_visible_ascii(bytes) {
        return (!bytes.is_empty()).then(|| InvocationId::from_visible_ascii(bytes));
    }
    text_invocation_id(value)
}

/// A header's invocation id read as text: trimmed, none when empty or not
/// text ([`header_invocation_id`]'s way for any value that is not visible
/// ASCII).
fn text_invocation_id(value: &HeaderValue) -> Option<InvocationId> {
    value
        .to_str()
        .ok()
        .map(crate::lenient::trimmed)
        .filter(|id| !id.is_empty())
        .map(invocation_id)
}

/// Whether every byte of `bytes` is visible ASCII other than the space
/// (`0x21..=0x7e`), eight bytes at a time: the last eight of a text of
/// eight or more bytes read as one more word (overlapping the one before)
/// rather than byte by byte.
fn is_visible_ascii(bytes: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // A byte below 0x21, or above 0x7e (each exact for a word, as Bit
    // Twiddling Hacks' hasless and hasmore are): its high bit set.
    let outside = |word: &[u8]| {
        let mut eight = [0; 8];
        eight.copy_from_slice(word);
        let word = u64::from_ne_bytes(eight);
        (word.wrapping_sub(ONES * 0x21) & !word) | (word.wrapping_add(ONES) | word)
    };
    let Some(last) = bytes.len().checked_sub(8).and_then(|at| bytes.get(at..)) else {
        return bytes.iter().all(|byte| (0x21..=0x7e).contains(byte));
    };
    let mut found = outside(last);
    for word in bytes.chunks_exact(8) {
        found |= outside(word);
    }
    found & HIGHS == 0
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
    // Mapped: the head moved once, not taken apart and put together.
    response.map(|body| AnswerBody::whole(body.into_bytes()))
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
    if settings.report_line {
        anyfn_kit::log_report(|| {
            InvocationReport::priced_borrowing(
                request_id,
                Usage::new(started.elapsed(), settings.memory_mb),
                settings.report_cost,
            )
        });
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
        assert_eq!(invocation_id(guid).as_str(), guid);
        assert_eq!(invocation_id("a\tb").as_str(), "a\\tb");
        assert_eq!(invocation_id("a\u{7f}b\u{1b}").as_str(), "a\\u{7f}b\\u{1b}");
        assert_eq!(
            invocation_id("é\\").as_str(),
            "é\\",
            "only control characters"
        );
    }

    /// A header's invocation id is the one `to_str`, `trimmed` and
    /// `invocation_id` made, whatever its bytes: visible ASCII (at once),
    /// spaces and tabs around or inside it, controls, bytes past ASCII,
    /// at every position of values of 0 to 40 bytes.
    #[test]
    fn header_invocation_ids_are_what_to_str_trimmed_and_invocation_id_make() {
        let old = text_invocation_id;
        let mut values: Vec<Vec<u8>> = vec![
            b"0f8fad5b-d9cb-469f-a165-70867728950e".to_vec(),
            b" 0f8fad5b-d9cb-469f-a165-70867728950e ".to_vec(),
            b"\t0f8fad5b\t".to_vec(),
            b"a b".to_vec(),
            b"a\tb".to_vec(),
            b" ".to_vec(),
            b"\t\t".to_vec(),
            b"".to_vec(),
            "caf\u{e9}".as_bytes().to_vec(),
            b"\x80\xff".to_vec(),
        ];
        for len in 0..=40 {
            for at in 0..len {
                for byte in [b' ', b'\t', b'!', b'~', 0x7f, 0x80, 0xe9, 0xff, 0x1f, 0x00] {
                    let mut value = vec![b'a'; len];
                    value[at] = byte;
                    values.push(value);
                }
            }
        }
        let mut taken = 0;
        for bytes in &values {
            // Values a header cannot hold (controls other than a tab) are
            // left out, as hyper leaves them out.
            let Ok(value) = HeaderValue::from_bytes(bytes) else {
                continue;
            };
            taken += 1;
            assert_eq!(header_invocation_id(&value), old(&value), "{bytes:?}");
        }
        assert!(taken > 1000, "{taken}");
        for byte in 0..=u8::MAX {
            let expected = (0x21..=0x7e).contains(&byte);
            for len in 1..=20 {
                for at in 0..len {
                    let mut text = vec![b'x'; len];
                    text[at] = byte;
                    assert_eq!(
                        is_visible_ascii(&text),
                        expected,
                        "{byte:#x} at {at} of {len}"
                    );
                }
            }
        }
        assert!(is_visible_ascii(b""));
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

    /// An invocation's context built from its function's fields
    /// ([`ContextTemplates`]) is the one built field by field, for every
    /// name the host may call: the root's, a catalog function's (as its
    /// folder spells it or in another case), another, a named function's.
    #[test]
    fn a_context_from_its_functions_fields_is_the_one_built_field_by_field() {
        use anyfn::{handler_fn, Json};
        let dir =
            std::env::temp_dir().join(format!("anyfn-azure-templates-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("Hello")).expect("app dir");
        std::fs::write(
            dir.join("Hello").join("function.json"),
            r#"{"bindings": [{"name": "req", "type": "httpTrigger", "direction": "in"}]}"#,
        )
        .expect("function.json");
        let catalog = || FunctionCatalog::read(&dir);
        let settings = Settings {
            mode: Mode::Forwarding,
            timeout: Duration::from_millis(2500),
            memory_mb: 384,
            error_details: ErrorDetails::Hidden,
            route_prefix: String::new(),
            report_cost: ProviderSet::only(anyfn_kit::Provider::AzureFlexConsumption),
            report_line: true,
        };
        let function = crate::function(handler_fn(|Json(n): Json<u8>, _: Context| async move {
            Ok::<_, Error>(Json(n))
        }));
        let one = Shared::new(
            Functions::One(Arc::clone(&function)),
            settings.clone(),
            catalog(),
        );
        let named = Shared::new(
            Functions::Named(vec![
                (Arc::from("Orders"), Arc::clone(&function)),
                (Arc::from("Hello"), function),
            ]),
            settings,
            catalog(),
        );
        let _ = std::fs::remove_dir_all(&dir);
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
                c.extensions().get::<AzureInvocation>().cloned(),
                c.metrics().is_enabled(),
            )
        };
        // (The name called, the function's name, whether it has fields.)
        let cases = [
            (&one, "", "", true),
            (&one, "Hello", "Hello", true),
            (&one, "hello", "hello", false),
            (&one, "other", "other", false),
            (&named, "Orders", "Orders", true),
            (&named, "hello", "Hello", true),
        ];
        for (shared, called, function_name, templated) in cases {
            let (name, _) = shared.find(called).expect("found");
            assert_eq!(&*name, function_name);
            assert_eq!(shared.contexts.of(&name).is_some(), templated, "{called:?}");
            for id in [
                "0f8fad5b-d9cb-469f-a165-70867728950e",
                "inv",
                &"x".repeat(80),
            ] {
                let invocation = Arc::new(AzureInvocation::new(
                    InvocationId::from(id),
                    Arc::clone(&name),
                    Mode::Forwarding,
                    None,
                ));
                let started = Instant::now();
                let built = shared.context(&invocation, id, started);
                let chained = Context::builder()
                    .request_id(id)
                    .function_name(Arc::clone(&name))
                    .deadline(anyfn::time::deadline_after(
                        started,
                        Duration::from_millis(2500),
                    ))
                    .memory_limit_mb(384)
                    .platform(Platform::AzureFunctions)
                    .extension(AzureInvocation::clone(&invocation))
                    .build();
                assert_eq!(fields(&built), fields(&chained), "{called:?} {id}");
            }
        }
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
