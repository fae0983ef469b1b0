//! A Lambda Runtime API on loopback, for running the real Lambda adapter in
//! tests: [`LambdaEmulator`].

use std::collections::{HashMap, VecDeque};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyfn::http::{Method, StatusCode};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, Notify};
use tokio::task::JoinHandle;

const PREFIX: &str = "/2018-06-01/runtime";

/// How long [`LambdaEmulator::invoke`] waits past the invocation's timeout
/// before it gives up on an answer.
const GRACE: Duration = Duration::from_secs(10);

/// What Lambda would record for one invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LambdaOutcome {
    /// The function posted a response.
    Response {
        /// The invocation's request id.
        request_id: String,
        /// The response payload, as posted.
        payload: Bytes,
    },
    /// The function posted an error.
    Error {
        /// The invocation's request id.
        request_id: String,
        /// The error, as posted.
        error: LambdaErrorReport,
    },
    /// Nothing was posted before the timeout plus a grace period.
    NoAnswer {
        /// The invocation's request id.
        request_id: String,
    },
}

impl LambdaOutcome {
    /// The invocation's request id.
    pub fn request_id(&self) -> &str {
        match self {
            Self::Response { request_id, .. }
            | Self::Error { request_id, .. }
            | Self::NoAnswer { request_id } => request_id,
        }
    }

    /// The response payload.
    ///
    /// # Panics
    ///
    /// When the invocation did not succeed; the message says what happened.
    #[track_caller]
    pub fn expect_response(self) -> Bytes {
        match self {
            Self::Response { payload, .. } => payload,
            other => panic!("expected a response, got {other:?}"),
        }
    }

    /// The response payload parsed as JSON.
    ///
    /// # Panics
    ///
    /// When the invocation did not succeed or the payload is not JSON.
    #[track_caller]
    pub fn expect_json(self) -> serde_json::Value {
        let payload = self.expect_response();
        match serde_json::from_slice(&payload) {
            Ok(value) => value,
            Err(err) => panic!("response payload is not JSON ({err}): {payload:?}"),
        }
    }

    /// The error report.
    ///
    /// # Panics
    ///
    /// When the invocation did not post an error.
    #[track_caller]
    pub fn expect_error(self) -> LambdaErrorReport {
        match self {
            Self::Error { error, .. } => error,
            other => panic!("expected an error, got {other:?}"),
        }
    }
}

/// A fault the emulator injects into the Runtime API, once, to test how a
/// function copes with a misbehaving Lambda service.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RuntimeApiFault {
    /// The next `next` call is answered `500 Internal Server Error`.
    NextAnswers500,
    /// The next `next` call's connection is closed without an answer.
    NextClosesConnection,
    /// The next `next` call is answered only after this delay.
    NextAnswersAfter(Duration),
    /// The next `response` post is answered `500` (the response is recorded).
    ResponseAnswers500,
    /// The next `response` post's connection is closed without an answer
    /// (the response is recorded).
    ResponseClosesConnection,
}

/// An error as posted to the Runtime API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LambdaErrorReport {
    /// `errorType` from the posted document.
    pub error_type: String,
    /// `errorMessage` from the posted document.
    pub error_message: String,
    /// The `Lambda-Runtime-Function-Error-Type` header, if sent.
    pub header_error_type: Option<String>,
    /// The whole document, as posted.
    pub body: Bytes,
}

/// Builds a [`LambdaEmulator`]; made by [`LambdaEmulator::builder`].
#[derive(Debug, Clone)]
#[must_use]
pub struct LambdaEmulatorBuilder {
    timeout: Duration,
    function_name: String,
    function_version: String,
    memory_mb: u32,
}

impl LambdaEmulatorBuilder {
    /// The function's timeout: each invocation's deadline is this far from
    /// when the function receives it.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The function's name.
    pub fn function_name(mut self, name: impl Into<String>) -> Self {
        self.function_name = name.into();
        self
    }

    /// The function's version.
    pub fn function_version(mut self, version: impl Into<String>) -> Self {
        self.function_version = version.into();
        self
    }

    /// The function's memory size.
    pub fn memory_mb(mut self, memory_mb: u32) -> Self {
        self.memory_mb = memory_mb;
        self
    }

    /// Starts serving the Runtime API on `127.0.0.1` at a free port.
    ///
    /// # Errors
    ///
    /// When no loopback port can be bound.
    pub async fn start(self) -> std::io::Result<LambdaEmulator> {
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            config: self,
            queue: Mutex::default(),
            queued: Notify::new(),
            pending: Mutex::default(),
            init_errors: Mutex::default(),
            next_id: AtomicU64::new(0),
            faults: Mutex::default(),
        });
        let task = tokio::spawn(serve(listener, Arc::clone(&state)));
        Ok(LambdaEmulator { addr, state, task })
    }
}

/// The Lambda Runtime API (`next`, `response`, `error`, `init/error`) served on
/// 127.0.0.1, with Lambda's headers (request id, deadline from the configured
/// timeout, function ARN, trace id), so a test can run the real Lambda adapter
/// against it and see what Lambda would record.
///
/// Run the function as a child process with [`spawn`](Self::spawn) (it gets
/// the environment Lambda would give it) and hand it payloads with
/// [`invoke`](Self::invoke).
///
/// # Example
///
/// ```no_run
/// use anyfn_test::LambdaEmulator;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let emulator = LambdaEmulator::start().await?;
/// let _function = emulator.spawn("target/debug/examples/greet-json")?;
/// let answer = emulator.invoke(r#"{"name":"Ada"}"#).await.expect_json();
/// assert_eq!(answer["greeting"], "Hello, Ada!");
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct LambdaEmulator {
    addr: SocketAddr,
    state: Arc<State>,
    task: JoinHandle<()>,
}

#[derive(Debug)]
struct State {
    config: LambdaEmulatorBuilder,
    queue: Mutex<VecDeque<Queued>>,
    queued: Notify,
    pending: Mutex<HashMap<String, oneshot::Sender<LambdaOutcome>>>,
    init_errors: Mutex<Vec<LambdaErrorReport>>,
    next_id: AtomicU64,
    faults: Mutex<VecDeque<RuntimeApiFault>>,
}

#[derive(Debug)]
struct Queued {
    request_id: String,
    payload: Bytes,
}

impl LambdaEmulator {
    /// An emulator with a 3 s timeout, function `anyfn-function` at `$LATEST`
    /// with 128 MB.
    pub fn builder() -> LambdaEmulatorBuilder {
        LambdaEmulatorBuilder {
            timeout: anyfn::DEFAULT_TIMEOUT,
            function_name: "anyfn-function".to_owned(),
            function_version: "$LATEST".to_owned(),
            memory_mb: anyfn::DEFAULT_MEMORY_MB,
        }
    }

    /// Starts an emulator with the [default settings](Self::builder).
    ///
    /// # Errors
    ///
    /// When no loopback port can be bound.
    pub async fn start() -> std::io::Result<Self> {
        Self::builder().start().await
    }

    /// The value for `AWS_LAMBDA_RUNTIME_API`: `127.0.0.1:PORT`.
    pub fn runtime_api(&self) -> String {
        self.addr.to_string()
    }

    /// The ARN invocations report.
    pub fn function_arn(&self) -> String {
        format!(
            "arn:aws:lambda:us-east-1:123456789012:function:{}",
            self.state.config.function_name
        )
    }

    /// The environment Lambda gives a function, pointing at this emulator.
    pub fn function_env(&self) -> Vec<(&'static str, String)> {
        let config = &self.state.config;
        vec![
            ("AWS_LAMBDA_RUNTIME_API", self.runtime_api()),
            ("AWS_LAMBDA_FUNCTION_NAME", config.function_name.clone()),
            (
                "AWS_LAMBDA_FUNCTION_VERSION",
                config.function_version.clone(),
            ),
            (
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
                config.memory_mb.to_string(),
            ),
            ("AWS_LAMBDA_LOG_STREAM_NAME", "anyfn-test".to_owned()),
            (
                "AWS_LAMBDA_LOG_GROUP_NAME",
                format!("/aws/lambda/{}", config.function_name),
            ),
            ("AWS_REGION", "us-east-1".to_owned()),
        ]
    }

    /// Runs `program` as the function: a child process with the
    /// [function environment](Self::function_env), its output discarded.
    /// The process is killed when the returned handle drops.
    ///
    /// # Errors
    ///
    /// When the program cannot be started.
    pub fn spawn(&self, program: impl AsRef<Path>) -> std::io::Result<FunctionProcess> {
        let mut command = Command::new(program.as_ref());
        command
            .envs(self.function_env())
            .env_remove("PORT")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        self.spawn_command(command)
    }

    /// Runs `command` as the function, adding the
    /// [function environment](Self::function_env) to what it sets.
    ///
    /// # Errors
    ///
    /// When the command cannot be started.
    pub fn spawn_command(&self, mut command: Command) -> std::io::Result<FunctionProcess> {
        command.envs(self.function_env());
        Ok(FunctionProcess {
            child: command.spawn()?,
        })
    }

    /// Queues one invocation with `payload` and waits for what the function
    /// posts, up to the timeout plus a grace period.
    pub async fn invoke(&self, payload: impl Into<Bytes>) -> LambdaOutcome {
        let n = self.state.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let request_id = format!("00000000-0000-4000-8000-{n:012}");
        let (sender, receiver) = oneshot::channel();
        lock(&self.state.pending).insert(request_id.clone(), sender);
        lock(&self.state.queue).push_back(Queued {
            request_id: request_id.clone(),
            payload: payload.into(),
        });
        self.state.queued.notify_one();

        // The deadline starts when the function takes the invocation; allow for
        // the function's start-up on top of the timeout.
        let wait = self.state.config.timeout + GRACE;
        match tokio::time::timeout(wait, receiver).await {
            Ok(Ok(outcome)) => outcome,
            _ => {
                lock(&self.state.pending).remove(&request_id);
                LambdaOutcome::NoAnswer { request_id }
            }
        }
    }

    /// Queues `fault`: the next Runtime API call it applies to misbehaves
    /// that way, once.
    pub fn inject(&self, fault: RuntimeApiFault) {
        lock(&self.state.faults).push_back(fault);
    }

    /// The errors posted to `init/error`.
    pub fn init_errors(&self) -> Vec<LambdaErrorReport> {
        lock(&self.state.init_errors).clone()
    }
}

impl Drop for LambdaEmulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A function running as a child process; killed on drop.
#[derive(Debug)]
pub struct FunctionProcess {
    child: Child,
}

impl FunctionProcess {
    /// The exit status, if the process has exited.
    ///
    /// # Errors
    ///
    /// When the status cannot be read.
    pub fn try_exit_status(&mut self) -> std::io::Result<Option<ExitStatus>> {
        self.child.try_wait()
    }

    /// Waits up to `bound` for the process to exit, polling.
    ///
    /// # Errors
    ///
    /// When the status cannot be read.
    pub async fn exit_status_within(
        &mut self,
        bound: Duration,
    ) -> std::io::Result<Option<ExitStatus>> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Ok(Some(status));
            }
            if started.elapsed() >= bound {
                return Ok(None);
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

impl Drop for FunctionProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

async fn serve(listener: TcpListener, state: Arc<State>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let state = Arc::clone(&state);
        let service = service_fn(move |request| {
            let state = Arc::clone(&state);
            async move { route(&state, request).await.ok_or(ClosedByFault) }
        });
        tokio::spawn(async move {
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// The error that makes hyper drop a connection without answering.
#[derive(Debug)]
struct ClosedByFault;

impl std::fmt::Display for ClosedByFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection closed by an injected fault")
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
    let Some(rest) = path.strip_prefix(PREFIX) else {
        return Some(reply(StatusCode::NOT_FOUND, "unknown path"));
    };
    if method == Method::GET && rest == "/invocation/next" {
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
            lock(&state.init_errors).push(error);
            reply(StatusCode::ACCEPTED, r#"{"status":"OK"}"#)
        }
        (Method::POST, rest) => {
            let Some(rest) = rest.strip_prefix("/invocation/") else {
                return reply(StatusCode::NOT_FOUND, "unknown path");
            };
            let Some(sender) = rest
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
            let _ = sender.send(outcome);
            reply(StatusCode::ACCEPTED, r#"{"status":"OK"}"#)
        }
        _ => reply(StatusCode::NOT_FOUND, "unknown path"),
    }
}

async fn next_invocation(state: &State) -> hyper::Response<Full<Bytes>> {
    let queued = loop {
        let notified = state.queued.notified();
        if let Some(queued) = lock(&state.queue).pop_front() {
            break queued;
        }
        notified.await;
    };
    let deadline = SystemTime::now()
        .checked_add(state.config.timeout)
        .and_then(|at| at.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |since| since.as_millis());
    let arn = format!(
        "arn:aws:lambda:us-east-1:123456789012:function:{}",
        state.config.function_name
    );
    let trace = format!(
        "Root=1-00000000-{:024x};Parent=0000000000000001;Sampled=0",
        state.next_id.load(Ordering::Relaxed)
    );
    let mut response = hyper::Response::new(Full::new(queued.payload));
    let headers = response.headers_mut();
    let mut set = |name: &'static str, value: String| {
        if let Ok(value) = value.parse() {
            headers.insert(name, value);
        }
    };
    set("content-type", "application/json".to_owned());
    set("lambda-runtime-aws-request-id", queued.request_id);
    set("lambda-runtime-deadline-ms", deadline.to_string());
    set("lambda-runtime-invoked-function-arn", arn);
    set("lambda-runtime-trace-id", trace);
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
