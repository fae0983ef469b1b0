//! One HTTP request through the handler: read the body within its limit,
//! decode the event, invoke with the deadline, encode, report.

use std::cell::RefCell;
use std::convert::Infallible;
use std::future::{poll_fn, Future as _};
use std::pin::pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, Instant};

use anyfn::http::header::{HeaderName, HeaderValue, CONNECTION, EXPECT};
use anyfn::stream::StreamResponse;
use anyfn::{Body, Context, ContextBuilder, Error, ErrorKind, Handler, Request, Response};
use anyfn_kit::{AnswerBody, Gathered, StreamInvocation, StreamReport, StreamTimers};
use anyfn_kit::{CpuMeter, InvocationReport, Usage};
use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use hyper::body::{Body as _, Incoming};

use crate::codec::{FromHttp, HttpAnswer, IntoHttp};
use crate::config::Config;
use crate::context_ext::ClientAddr;
use anyfn_kit::host::RequestIds;
use anyfn_kit::host::{ConnectionWatch, Settled};

/// How much of an oversized body is read and thrown away, so that the client
/// (still sending) reads the 413 instead of a connection reset.
const DISCARD_LIMIT: u64 = 16 * 1024 * 1024;

/// How long discarding the rest of an oversized body may take.
const DISCARD_TIMEOUT: Duration = Duration::from_secs(5);

/// Everything the connections of one server share.
pub(crate) struct Shared<H> {
    pub(crate) handler: H,
    /// The function's fields of every request's context, set once.
    pub(crate) function: ContextBuilder,
    pub(crate) config: Config,
    pub(crate) ids: Arc<RequestIds>,
}

impl<H> Shared<H>
where
    H: Handler,
    H::Event: FromHttp,
    H::Output: IntoHttp,
{
    /// Answers one request; it never fails (hyper's service signature).
    ///
    /// An `async` block, not an `async fn`: an `async fn` moves each of its
    /// arguments into a place of its own when first polled, which copied
    /// the request (some 250 bytes) once more than taking it apart does
    /// (`benches/axum_vs_anyfn_server.sh`).
    #[allow(clippy::manual_async_fn)] // on purpose, as said above
    pub(crate) fn handle(
        self: Arc<Self>,
        request: hyper::Request<Incoming>,
        client: Arc<ClientAddr>,
        watch: Arc<ConnectionWatch>,
    ) -> impl std::future::Future<Output = Result<hyper::Response<AnswerBody>, Infallible>> {
        async move {
            let started = Instant::now();
            let (request_number, request_id) = self.ids.next_id();
            let request_id = request_id.as_str();
            let request = if request.body().is_end_stream() {
                // Most GETs: no body to wait for, no timer to set. The head
                // moved once (`map`), not taken apart and put together again.
                request.map(|_| Body::from(Bytes::new()))
            } else {
                let (parts, incoming) = request.into_parts();
                // Boxed: the body-reading future is large, and keeping it out of
                // this one keeps every request's future small.
                match Box::pin(self.read_body_in_time(incoming, &parts.headers)).await {
                    Ok(body) => Request::from_parts(parts, Body::from(body)),
                    Err(refusal) => {
                        tracing::warn!(
                            target: "anyfn::server",
                            request_id = %request_id,
                            client = %client.0,
                            "{}",
                            refusal.error
                        );
                        let mut response = self.answer(&refusal.error, request_id);
                        if refusal.close {
                            response
                                .headers_mut()
                                .insert(CONNECTION, HeaderValue::from_static("close"));
                        }
                        set_request_id(&mut response, request_id);
                        return Ok(response);
                    }
                }
            };
            let trace_id = crate::trace_context::trace_id_of(request.headers());

            // Built in place from the function's fields: a builder moved through
            // a chain of calls was copied whole (some 250 bytes) at each step
            // (`benches/instructions_vs_hyper.sh`).
            let deadline = anyfn::time::deadline_after(started, self.config.timeout);
            let mut context = self.function.build_for(request_id, deadline);
            if let Some(trace_id) = trace_id {
                context = context.into_builder().trace_id(trace_id).build();
            }
            // The connection's one copy: no allocation per request.
            context.extensions_mut().insert_shared(client);
            // The caller's context, only for an installed telemetry's hook
            // (anyfn-otel); without the kit's feature, none of it is compiled.
            if anyfn_kit::TELEMETRY_COMPILED && anyfn_kit::telemetry_installed() {
                if let Some(caller) = crate::trace_context::find(request.headers()).caller() {
                    context.extensions_mut().insert(caller);
                }
            }

            let cpu = if self.config.measures_cpu {
                CpuMeter::on()
            } else {
                CpuMeter::off()
            };
            // A streamed answer writes its REPORT line when its stream is done.
            let mut streamed = false;
            // When the handler's answer came: the invocation's own clock read
            // (its late check's), which times the REPORT line; read again only
            // where there is none (a failure). Set aside as the invocation ends,
            // not carried with its output: an output paired with it was moved
            // bigger through the watchdog (`benches/axum_vs_anyfn_server.sh`).
            let mut ended = None;
            // Each way out makes the response in place: a `Result` of it,
            // settled later, was moved whole (some 220 bytes) at each step.
            let mut response = match H::Event::from_http(request, &mut context) {
                Ok(event) => {
                    let span = anyfn_kit::invocation_span_for_event(&context, &event);
                    // The CPU time of the handler's polls, only when a price
                    // of the REPORT line bills it (Cloudflare Workers).
                    // The invocation, timed from the request's arrival as its
                    // deadline is, made in place where it is pinned (a macro,
                    // not a value made first: that moved the whole future),
                    // then run under the watch, its end instant set aside.
                    macro_rules! invocation {
                        () => {
                            anyfn_kit::invoke_timed(
                                &self.handler,
                                event,
                                context,
                                std::future::pending(),
                                started,
                            )
                        };
                    }
                    macro_rules! watched {
                        ($invocation:expr) => {{
                            let mut invocation = pin!($invocation);
                            let invocation = pin!(poll_fn(|cx| ended_at(
                                invocation.as_mut().poll(cx),
                                &mut ended
                            )));
                            watch.run(request_number, deadline, &span, invocation).await
                        }};
                    }
                    let settled = if self.config.measures_cpu {
                        // Boxed: metered, the invocation is twice as large,
                        // and in place it made every request's future larger
                        // by as much (3,640 bytes against 2,240), metered or
                        // not; only a server that prices CPU time pays the
                        // allocation.
                        watched!(Box::pin(cpu.measure(invocation!())))
                    } else {
                        watched!(invocation!())
                    };
                    match settled {
                        Settled::InTime(Ok(output)) => match output.into_http() {
                            Ok(HttpAnswer::Whole(response)) => to_hyper(response),
                            Ok(HttpAnswer::Streamed(response)) => {
                                streamed = true;
                                self.stream(response, request_id, started, deadline)
                            }
                            Err(err) => self.failed(&err, request_id, false),
                        },
                        Settled::InTime(Err(err)) => self.failed(&err, request_id, false),
                        Settled::Late { error, answered } => {
                            // A late answer's line is timed by the clock now.
                            ended = None;
                            self.failed(&error, request_id, answered)
                        }
                    }
                }
                Err(err) => self.failed(&err, request_id, false),
            };
            if !streamed && self.config.report_line {
                anyfn_kit::log_report(|| {
                    // A second clock read, the one the invocation's spares,
                    // cost more than the rest of the line's figures.
                    let duration = match ended {
                        Some(end) => end.saturating_duration_since(started),
                        None => started.elapsed(),
                    };
                    match self.config.report_cost {
                        Some(providers) => {
                            let mut usage = Usage::new(duration, self.config.memory_mb);
                            if let Some(cpu_time) = cpu.cpu_time() {
                                usage = usage.with_cpu_time(cpu_time);
                            }
                            InvocationReport::priced_borrowing(request_id, usage, providers)
                        }
                        None => InvocationReport::borrowing(
                            request_id,
                            duration,
                            self.config.memory_mb,
                            self.config.pricing,
                        ),
                    }
                });
            }
            set_request_id(&mut response, request_id);
            Ok(response)
        }
    }

    /// The answer to a request that failed with `error`, logged unless the
    /// watchdog has `answered` it already (then it closes the connection:
    /// the watchdog sent the answer and closed the sending side).
    #[cold]
    fn failed(
        &self,
        error: &Error,
        request_id: &str,
        answered: bool,
    ) -> hyper::Response<AnswerBody> {
        if !answered {
            anyfn_kit::log_failure(request_id, error);
        }
        let mut response = self.answer(error, request_id);
        if answered {
            response
                .headers_mut()
                .insert(CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }

    /// The answer to a failed request.
    fn answer(&self, error: &Error, request_id: &str) -> hyper::Response<AnswerBody> {
        to_hyper(error.to_response(request_id, self.config.error_details))
    }

    /// A streamed answer: held to the deadline (and, for an event stream,
    /// kept alive) by [`anyfn_kit::guard_stream`], sent with chunked encoding.
    fn stream(
        &self,
        response: StreamResponse,
        request_id: &str,
        started: Instant,
        deadline: Instant,
    ) -> hyper::Response<AnswerBody> {
        let invocation = StreamInvocation {
            request_id: request_id.to_owned(),
            started,
            deadline,
            details: self.config.error_details,
        };
        let (parts, body) = anyfn_kit::guard_stream(response, invocation, TokioTimers).into_parts();
        let report = StreamReport::new(
            request_id,
            started,
            self.config.memory_mb,
            self.config.pricing,
        )
        .priced_on(self.config.report_cost)
        .written(self.config.report_line);
        hyper::Response::from_parts(parts, AnswerBody::streamed(body, report))
    }

    /// Reads the body within the body limit and the body read timeout.
    async fn read_body_in_time(
        &self,
        incoming: Incoming,
        headers: &anyfn::http::HeaderMap,
    ) -> Result<Bytes, Refusal> {
        let read = read_body(incoming, self.config.body_limit, headers);
        match tokio::time::timeout(self.config.body_read_timeout, read).await {
            Ok(read) => read,
            Err(_) => Err(Refusal {
                error: Error::new(
                    ErrorKind::RequestTimeout,
                    format!(
                        "the request body did not arrive within {:.1} s",
                        self.config.body_read_timeout.as_secs_f64()
                    ),
                ),
                close: true,
            }),
        }
    }
}

/// The function's fields of every request's context (its name, version,
/// memory and platform), from `config`: [`Shared::function`].
pub(crate) fn function_context(config: &Config) -> ContextBuilder {
    Context::builder()
        .function_name(config.function_name.clone())
        .function_version(config.function_version.clone())
        .memory_limit_mb(config.memory_mb)
        .platform(config.platform)
}

/// tokio's timers, lent to [`anyfn_kit::guard_stream`].
struct TokioTimers;

impl StreamTimers for TokioTimers {
    type Sleep = tokio::time::Sleep;

    fn sleep_until(&self, deadline: Instant) -> tokio::time::Sleep {
        tokio::time::sleep_until(deadline.into())
    }
}

/// `x-request-id`, made at compile time (inserting by a `&str` parses and
/// allocates the name on every request). A constant, not a static: each use
/// is a fresh name written in place, where a static's was cloned through
/// its `Bytes`' vtable.
const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Sets `x-request-id` in place: taking the response and giving it back
/// moved it twice more on every request.
fn set_request_id(response: &mut hyper::Response<AnswerBody>, request_id: &str) {
    if let Some(value) = request_id_value(request_id) {
        response.headers_mut().insert(X_REQUEST_ID, value);
    }
}

/// How many bytes of request ids [`request_id_value`] writes into one
/// buffer before it takes another: about a hundred ids.
const ID_BUFFER: usize = 4096;

/// `request_id` as a header value (`None` if it cannot be one), cut from a
/// buffer this thread shares between the values it makes: a value of its
/// own (`HeaderValue::from_str`) was an allocation and a free on every
/// request. A buffer is freed when the last value cut from it is dropped.
fn request_id_value(request_id: &str) -> Option<HeaderValue> {
    // As `from_str` refuses them: since http 1.6 a value made from bytes
    // may hold bytes above ASCII (RFC 9110's obs-text), text may not.
    if !request_id.is_ascii() {
        return None;
    }
    thread_local! {
        static IDS: RefCell<BytesMut> = RefCell::new(BytesMut::new());
    }
    IDS.with_borrow_mut(|buffer| {
        if buffer.capacity() < request_id.len() {
            *buffer = BytesMut::with_capacity(ID_BUFFER.max(request_id.len()));
        }
        buffer.extend_from_slice(request_id.as_bytes());
        // Still checked: every byte must be allowed in a header value.
        HeaderValue::from_maybe_shared(buffer.split().freeze()).ok()
    })
}

/// An invocation's poll ([`anyfn_kit::invoke_timed`]), as
/// [`ConnectionWatch::run`] takes it: its outcome, the instant it ended set
/// aside in `ended` when it succeeded.
fn ended_at<T>(
    polled: Poll<(Result<T, Error>, Instant)>,
    ended: &mut Option<Instant>,
) -> Poll<Result<T, Error>> {
    polled.map(|(outcome, end)| {
        if outcome.is_ok() {
            *ended = Some(end);
        }
        outcome
    })
}

/// A request refused before the handler saw it.
struct Refusal {
    error: Error,
    /// Whether the connection must close (part of the body is still unread).
    close: bool,
}

/// Reads the whole body, refusing one over `limit` bytes without keeping
/// more than `limit` bytes of it in memory.
async fn read_body(
    mut incoming: Incoming,
    limit: usize,
    headers: &anyfn::http::HeaderMap,
) -> Result<Bytes, Refusal> {
    let too_large = || Error::payload_too_large(limit);
    let declared = incoming.size_hint().exact();
    if declared.is_some_and(|len| len > limit as u64) {
        // A client waiting for `100 Continue` has sent nothing yet: answer now.
        // Otherwise the body is on its way; read and drop it (within bounds) so
        // the client gets to read the 413.
        let waiting = headers
            .get(EXPECT)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
        let drained = !waiting
            && declared.is_some_and(|len| len <= DISCARD_LIMIT)
            && discard(&mut incoming, DISCARD_LIMIT).await;
        return Err(Refusal {
            error: too_large(),
            close: !drained,
        });
    }

    // Nothing is reserved for what the header declares: the buffer grows with
    // the bytes that arrive (at most `limit`). A body that arrives as one
    // frame, as small ones do, is kept as it came, without a copy.
    let mut gathered = Gathered::default();
    while let Some(frame) = incoming.frame().await {
        let frame = frame.map_err(|err| Refusal {
            error: Error::bad_request(format!("could not read the request body: {err}")),
            close: true,
        })?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        if gathered.len() + data.len() > limit {
            let drained = discard(&mut incoming, DISCARD_LIMIT).await;
            return Err(Refusal {
                error: too_large(),
                close: !drained,
            });
        }
        gathered.push(data);
    }
    Ok(gathered.into_bytes())
}

/// Reads and drops the rest of `incoming`, up to `max` bytes and
/// [`DISCARD_TIMEOUT`]; `true` when the body ended within both.
async fn discard(incoming: &mut Incoming, max: u64) -> bool {
    let drain = async {
        let mut seen = 0u64;
        while let Some(frame) = incoming.frame().await {
            let Ok(frame) = frame else { return false };
            if let Some(data) = frame.data_ref() {
                seen += data.len() as u64;
                if seen > max {
                    return false;
                }
            }
        }
        true
    };
    tokio::time::timeout(DISCARD_TIMEOUT, drain)
        .await
        .unwrap_or(false)
}

/// `response` as hyper sends it. A whole body's length is exact, and hyper
/// writes `Content-Length` from it (leaving it out where HTTP forbids one:
/// `204`, `304`, …) unless the handler set one; making the header here
/// cost an allocation per request. Inlined: the response it returned was
/// moved again into place (`benches/axum_vs_anyfn_server.sh`).
#[inline(always)]
fn to_hyper(response: Response) -> hyper::Response<AnswerBody> {
    response.map(|body| AnswerBody::whole(body.into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values cut from the shared buffer are those `HeaderValue::from_str`
    /// made, across many buffers, and text no header value may hold is
    /// refused as it refused it.
    #[test]
    fn request_id_values_match_from_str() {
        let ids = RequestIds::new();
        let values: Vec<_> = (0..1_000)
            .map(|_| {
                let (_, id) = ids.next_id();
                (id.to_string(), request_id_value(id.as_str()))
            })
            .collect();
        // Checked after all were made: no value is overwritten by the next.
        for (id, value) in &values {
            assert_eq!(value.as_ref(), HeaderValue::from_str(id).ok().as_ref());
            assert_eq!(
                value.as_ref().map(HeaderValue::as_bytes),
                Some(id.as_bytes())
            );
        }
        let long = "x".repeat(ID_BUFFER * 2);
        for text in [
            "",
            "req-1",
            "a\nb",
            "tab\there",
            "\u{7f}",
            "é",
            long.as_str(),
        ] {
            assert_eq!(
                request_id_value(text),
                HeaderValue::from_str(text).ok(),
                "{text:?}"
            );
        }
    }
}
