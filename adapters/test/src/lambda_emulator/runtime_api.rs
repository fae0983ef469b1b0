//! The Runtime API itself: `next`, `response`, `error`, `init/error`,
//! `restore/next`, `restore/error`; the Extensions API is routed to
//! [`super::lifecycle`] on the same listener.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyfn::http::{Method, StatusCode};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use super::{
    lock, Answer, LambdaErrorReport, LambdaOutcome, LifecycleCall, RuntimeApiFault, State,
};

const PREFIX: &str = "/2018-06-01/runtime";

/// Where the Extensions API is served, on the same listener.
const EXTENSION_PREFIX: &str = "/2020-01-01/extension";

/// The header `next` gives each invocation, and that its answer carries back
/// so that a late answer cannot answer a newer invocation.
const INVOCATION_ID: &str = "lambda-runtime-invocation-id";

/// The invocation id `next` gives the invocation `request_id`.
fn invocation_id(request_id: &str) -> String {
    format!("inv-{request_id}")
}

pub(super) async fn serve(listener: TcpListener, state: Arc<State>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        // Numbered as accepted, so that a restore can break the
        // connections from before it.
        let connection = state.lifecycle.accepted();
        let state = Arc::clone(&state);
        let service = service_fn(move |request| {
            let state = Arc::clone(&state);
            async move {
                if state.lifecycle.broken_by_restore(connection) {
                    return Err(ClosedByFault);
                }
                route(&state, request).await.ok_or(ClosedByFault)
            }
        });
        tokio::spawn(async move {
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// The error that makes hyper drop a connection without answering: an
/// injected fault, or a connection a SnapStart restore broke.
#[derive(Debug)]
struct ClosedByFault;

impl std::fmt::Display for ClosedByFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection closed by an injected fault or a restore")
    }
}

impl std::error::Error for ClosedByFault {}

/// Takes the first queued fault if `applies` accepts it.
fn take_fault(
    state: &State,
    applies: impl Fn(&RuntimeApiFault) -> bool,
) -> Option<RuntimeApiFault> {
    let mut faults = lock(&state.faults);
    if faults.front().is_some_and(applies) {
        faults.pop_front()
    } else {
        None
    }
}

/// Answers one Runtime API call; `None` closes the connection unanswered.
async fn route(
    state: &State,
    request: hyper::Request<Incoming>,
) -> Option<hyper::Response<Full<Bytes>>> {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    if let Some(rest) = path.strip_prefix(EXTENSION_PREFIX) {
        return Some(super::lifecycle::extension_route(state, method, rest, request).await);
    }
    let Some(rest) = path.strip_prefix(PREFIX) else {
        return Some(reply(StatusCode::NOT_FOUND, "unknown path"));
    };
    if method == Method::GET && rest == "/restore/next" {
        return Some(state.lifecycle.restore_next().await);
    }
    if method == Method::GET && rest == "/invocation/next" {
        lock(&state.next_calls).push(Instant::now());
        state.lifecycle.invocation_next();
        let fault = take_fault(state, |fault| {
            matches!(
                fault,
                RuntimeApiFault::NextAnswers500
                    | RuntimeApiFault::NextClosesConnection
                    | RuntimeApiFault::NextAnswersAfter(_)
            )
        });
        return match fault {
            Some(RuntimeApiFault::NextAnswers500) => Some(reply(
                StatusCode::INTERNAL_SERVER_ERROR,
                r#"{"errorType":"ServiceException","errorMessage":"injected fault"}"#,
            )),
            Some(RuntimeApiFault::NextClosesConnection) => None,
            Some(RuntimeApiFault::NextAnswersAfter(delay)) => {
                tokio::time::sleep(delay).await;
                Some(next_invocation(state).await)
            }
            _ => Some(next_invocation(state).await),
        };
    }
    let fault = if method == Method::POST && rest.ends_with("/response") {
        take_fault(state, |fault| {
            matches!(
                fault,
                RuntimeApiFault::ResponseAnswers500 | RuntimeApiFault::ResponseClosesConnection
            )
        })
    } else {
        None
    };
    let answer = route_post(state, method, rest, request).await;
    match fault {
        Some(RuntimeApiFault::ResponseAnswers500) => Some(reply(
            StatusCode::INTERNAL_SERVER_ERROR,
            r#"{"errorType":"ServiceException","errorMessage":"injected fault"}"#,
        )),
        Some(_) => None,
        None => Some(answer),
    }
}

async fn route_post(
    state: &State,
    method: Method,
    rest: &str,
    request: hyper::Request<Incoming>,
) -> hyper::Response<Full<Bytes>> {
    match (method, rest) {
        (Method::POST, "/init/error") => {
            let error = read_error(request).await;
            state.lifecycle.record(LifecycleCall::InitError);
            lock(&state.init_errors).push(error);
            reply(StatusCode::ACCEPTED, r#"{"status":"OK"}"#)
        }
        (Method::POST, "/restore/error") => {
            let error = read_error(request).await;
            state.lifecycle.record_restore_error(error);
            reply(StatusCode::ACCEPTED, r#"{"status":"OK"}"#)
        }
        (Method::POST, rest) => {
            let Some(rest) = rest.strip_prefix("/invocation/") else {
                return reply(StatusCode::NOT_FOUND, "unknown path");
            };
            let expected_invocation_id = rest
                .rsplit_once('/')
                .map(|(id, _)| invocation_id(id))
                .unwrap_or_default();
            match request.headers().get(INVOCATION_ID) {
                None => {
                    state
                        .answers_without_invocation_id
                        .fetch_add(1, Ordering::Relaxed);
                }
                Some(given) if given.as_bytes() != expected_invocation_id.as_bytes() => {
                    return reply(
                        StatusCode::BAD_REQUEST,
                        r#"{"errorType":"InvalidInvocationId"}"#,
                    );
                }
                Some(_) => {}
            }
            let Some(pending) = rest
                .rsplit_once('/')
                .and_then(|(id, _)| lock(&state.pending).remove(id))
            else {
                return reply(
                    StatusCode::BAD_REQUEST,
                    r#"{"errorType":"InvalidRequestID"}"#,
                );
            };
            let request_id = rest
                .rsplit_once('/')
                .map(|(id, _)| id.to_owned())
                .unwrap_or_default();
            let streaming = request
                .headers()
                .get("lambda-runtime-function-response-mode")
                .is_some_and(|mode| mode.as_bytes().eq_ignore_ascii_case(b"streaming"));
            if streaming && rest.ends_with("/response") {
                let (pieces, received) = tokio::sync::mpsc::unbounded_channel();
                let _ = pending.answer.send(Answer::Streaming(received));
                super::streaming::read(request.into_body(), pieces).await;
                return reply(StatusCode::ACCEPTED, r#"{"status":"OK"}"#);
            }
            let outcome = if rest.ends_with("/response") {
                let payload = request
                    .into_body()
                    .collect()
                    .await
                    .map(|b| b.to_bytes())
                    .unwrap_or_default();
                LambdaOutcome::Response {
                    request_id,
                    payload,
                }
            } else if rest.ends_with("/error") {
                LambdaOutcome::Error {
                    request_id,
                    error: read_error(request).await,
                }
            } else {
                return reply(StatusCode::NOT_FOUND, "unknown path");
            };
            let _ = pending.answer.send(Answer::Done(outcome));
            reply(StatusCode::ACCEPTED, r#"{"status":"OK"}"#)
        }
        _ => reply(StatusCode::NOT_FOUND, "unknown path"),
    }
}

/// Counts a `next` poll waiting, for as long as it lives.
struct Waiting<'a>(&'a State);

impl<'a> Waiting<'a> {
    fn start(state: &'a State) -> Self {
        let now = state.polls_waiting.fetch_add(1, Ordering::Relaxed) + 1;
        state.most_polls_waiting.fetch_max(now, Ordering::Relaxed);
        Self(state)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.polls_waiting.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Waits for the next queued invocation. Several polls may wait at once
/// (a function serving invocations concurrently): each is registered for a
/// wake-up before it looks at the queue, so none misses one, and a poll that
/// takes an invocation while more are queued passes the wake-up on.
async fn take_queued(state: &State) -> super::Queued {
    let _waiting = Waiting::start(state);
    loop {
        let notified = state.queued.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        {
            let mut queue = lock(&state.queue);
            if let Some(queued) = queue.pop_front() {
                if !queue.is_empty() {
                    state.queued.notify_one();
                }
                return queued;
            }
        }
        notified.await;
    }
}

async fn next_invocation(state: &State) -> hyper::Response<Full<Bytes>> {
    let queued = take_queued(state).await;
    // The deadline starts now, when the function takes the invocation; the
    // waiting `invoke` enforces it on the monotonic clock.
    let taken = Instant::now() + state.config.timeout;
    {
        let mut pending = lock(&state.pending);
        if let Some(taken_by) = pending
            .get_mut(&queued.request_id)
            .and_then(|pending| pending.taken.take())
        {
            let _ = taken_by.send(taken);
        }
        let in_flight = pending.values().filter(|p| p.taken.is_none()).count() as u64;
        state.most_in_flight.fetch_max(in_flight, Ordering::Relaxed);
    }
    let deadline = state.config.fixed_deadline_ms.map_or_else(
        || {
            SystemTime::now()
                .checked_add(state.config.timeout)
                .and_then(|at| at.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |since| since.as_millis())
        },
        u128::from,
    );
    let arn = format!(
        "arn:aws:lambda:us-east-1:123456789012:function:{}",
        state.config.function_name
    );
    // Each invocation's own trace id, from its number: never another's, even
    // when several are taken at once.
    let trace = state.config.trace_header.clone().unwrap_or_else(|| {
        format!(
            "Root=1-00000000-{:024x};Parent=0000000000000001;Sampled=0",
            queued.number
        )
    });
    let mut response = hyper::Response::new(Full::new(queued.payload));
    let headers = response.headers_mut();
    let mut set = |name: &'static str, value: String| {
        if let Ok(value) = value.parse() {
            headers.insert(name, value);
        }
    };
    set("content-type", "application/json".to_owned());
    set(INVOCATION_ID, invocation_id(&queued.request_id));
    set("lambda-runtime-aws-request-id", queued.request_id);
    set("lambda-runtime-deadline-ms", deadline.to_string());
    set("lambda-runtime-invoked-function-arn", arn);
    set("lambda-runtime-trace-id", trace);
    if let Some(tenant_id) = queued.tenant_id {
        set("lambda-runtime-aws-tenant-id", tenant_id);
    }
    response
}

async fn read_error(request: hyper::Request<Incoming>) -> LambdaErrorReport {
    let header_error_type = request
        .headers()
        .get("lambda-runtime-function-error-type")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let body = request
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let document: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let field = |name: &str| {
        document
            .get(name)
            .and_then(|value| value.as_str())
            .unwrap_or_default()
            .to_owned()
    };
    LambdaErrorReport {
        error_type: field("errorType"),
        error_message: field("errorMessage"),
        header_error_type,
        body,
    }
}

fn reply(status: StatusCode, body: &'static str) -> hyper::Response<Full<Bytes>> {
    let mut response = hyper::Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *response.status_mut() = status;
    response
}
