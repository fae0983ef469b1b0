//! What is not an invocation: the Extensions API (`register`, `event/next`),
//! SnapStart's restore (`restore/next`, `restore/error`) and the shutdown
//! phase, with the journal of those calls: [`LifecycleCall`].

use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyfn::http::{Method, StatusCode};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use tokio::sync::watch;

use super::{lock, LambdaErrorReport, State};

/// How long Lambda lets a runtime whose extensions are all internal run
/// after SIGTERM before it sends SIGKILL.
pub(super) const SHUTDOWN_GRACE: Duration = Duration::from_millis(500);

/// How often [`shut_down`] looks whether the function exited.
const EXIT_POLL: Duration = Duration::from_millis(2);

/// How long [`shut_down`] waits for a process it sent SIGKILL to be gone.
const KILL_BOUND: Duration = Duration::from_secs(5);

/// The header naming an extension at registration.
const EXTENSION_NAME: &str = "lambda-extension-name";

/// The header carrying the identifier registration gave an extension.
const EXTENSION_IDENTIFIER: &str = "lambda-extension-identifier";

/// An extension registered with the emulator's Extensions API
/// (`POST /2020-01-01/extension/register`), as
/// [`LambdaEmulator::extensions`](super::LambdaEmulator::extensions) lists it.
///
/// # Example
///
/// ```
/// use anyfn_test::{LambdaEmulator, TestClient, TestRequest};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let emulator = LambdaEmulator::start().await?;
/// let api = TestClient::new(emulator.runtime_api().parse()?);
/// let register = TestRequest::post("/2020-01-01/extension/register")
///     .header("lambda-extension-name", "telemetry")
///     .body(r#"{"events": ["SHUTDOWN"]}"#);
/// api.send(register).await?.assert_status(200);
/// let extension = &emulator.extensions()[0];
/// assert_eq!(extension.name, "telemetry");
/// assert_eq!(extension.events, ["SHUTDOWN"]);
/// assert!(extension.before_first_next && !extension.waiting_for_events);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExtensionRegistration {
    /// The name it registered with (`Lambda-Extension-Name`).
    pub name: String,
    /// The identifier registration gave it (`Lambda-Extension-Identifier`).
    pub identifier: String,
    /// The events it registered for: empty, or `SHUTDOWN` (the emulator
    /// refuses `INVOKE`).
    pub events: Vec<String>,
    /// Whether it registered before the function's first
    /// `GET /2018-06-01/runtime/invocation/next`. Always true today: the
    /// emulator refuses a registration once the init phase has ended.
    pub before_first_next: bool,
    /// Whether it has called `GET /2020-01-01/extension/event/next` at least
    /// once: it finished its init and waits for events.
    pub waiting_for_events: bool,
}

/// One call or step of a function's lifecycle outside its invocations, in
/// the order the emulator saw them:
/// [`LambdaEmulator::lifecycle`](super::LambdaEmulator::lifecycle).
///
/// # Example
///
/// ```
/// use anyfn_test::{LambdaEmulator, LifecycleCall, TestClient, TestRequest};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let emulator = LambdaEmulator::start().await?;
/// let api = TestClient::new(emulator.runtime_api().parse()?);
/// let register = TestRequest::post("/2020-01-01/extension/register")
///     .header("lambda-extension-name", "telemetry")
///     .body(r#"{"events": []}"#);
/// api.send(register).await?.assert_status(200);
/// api.send(TestRequest::post("/2018-06-01/runtime/init/error").body("{}")).await?;
/// let registered = LifecycleCall::ExtensionRegistered { name: "telemetry".to_owned() };
/// assert_eq!(emulator.lifecycle(), [registered, LifecycleCall::InitError]);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LifecycleCall {
    /// `POST /2020-01-01/extension/register` registered the extension `name`.
    ExtensionRegistered {
        /// The extension's name.
        name: String,
    },
    /// `POST /2020-01-01/extension/register` was refused; `error_type` is
    /// the `errorType` the answer carried (`Extension.RegistrationClosed`
    /// for one after the init phase ended, say).
    ExtensionRefused {
        /// The name it asked for (empty when none was given).
        name: String,
        /// The `errorType` it was refused with.
        error_type: String,
    },
    /// The extension `name` called `GET /2020-01-01/extension/event/next`.
    ExtensionNext {
        /// The extension's name.
        name: String,
    },
    /// The extension `name` was handed its `SHUTDOWN` event.
    ExtensionShutdownEvent {
        /// The extension's name.
        name: String,
    },
    /// The function's first `GET /2018-06-01/runtime/invocation/next`: its
    /// init phase ended.
    FirstInvocationNext,
    /// `GET /2018-06-01/runtime/restore/next`: init is done, take the
    /// snapshot (SnapStart). It also ends the init phase.
    RestoreNext,
    /// The test restored the function:
    /// [`LambdaEmulator::restore`](super::LambdaEmulator::restore).
    Restored,
    /// `POST /2018-06-01/runtime/restore/error`.
    RestoreError,
    /// `POST /2018-06-01/runtime/init/error`.
    InitError,
    /// [`LambdaEmulator::shut_down`](super::LambdaEmulator::shut_down) sent
    /// SIGTERM to the function (extensions were registered).
    ShutdownSigterm,
    /// [`LambdaEmulator::shut_down`](super::LambdaEmulator::shut_down) sent
    /// SIGKILL to the function: at once with no extension registered, or
    /// after the grace period.
    ShutdownKill,
}

/// How [`LambdaEmulator::shut_down`](super::LambdaEmulator::shut_down) ended
/// the function.
///
/// # Example
///
/// ```no_run
/// use std::time::Duration;
/// use anyfn_test::LambdaEmulator;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let emulator = LambdaEmulator::start().await?;
/// let _function = emulator.spawn("target/debug/examples/hello")?;
/// let outcome = emulator.shut_down().await?;
/// // No extension registered: SIGKILL at once, no grace period.
/// assert!(!outcome.sigterm_sent && !outcome.exited_within_grace);
/// assert_eq!(outcome.grace, Duration::ZERO);
/// assert!(outcome.exit_status.is_some_and(|status| !status.success()));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ShutdownOutcome {
    /// Whether SIGTERM was sent: only with extensions registered, as on
    /// Lambda (with none, the shutdown phase is 0 ms: SIGKILL at once).
    pub sigterm_sent: bool,
    /// Whether the process exited by itself before SIGKILL: after SIGTERM,
    /// within the grace period, or before the shutdown began.
    pub exited_within_grace: bool,
    /// The process's exit status; `None` when it could not be read (the
    /// [`FunctionProcess`](super::FunctionProcess) was dropped meanwhile).
    pub exit_status: Option<ExitStatus>,
    /// From the first signal (SIGTERM, or SIGKILL with no extension) to the
    /// process's exit.
    pub elapsed: Duration,
    /// The grace period that applied: the configured one
    /// ([`shutdown_grace`](super::LambdaEmulatorBuilder::shutdown_grace))
    /// with extensions registered, zero without.
    pub grace: Duration,
}

/// An extension as the emulator keeps it.
#[derive(Debug)]
struct Extension {
    registration: ExtensionRegistration,
}

/// The emulator's lifecycle state.
#[derive(Debug)]
pub(super) struct Lifecycle {
    journal: Mutex<Vec<LifecycleCall>>,
    extensions: Mutex<Vec<Extension>>,
    next_identifier: AtomicU64,
    /// Set by the first `invocation/next` or `restore/next`.
    init_ended: AtomicBool,
    first_invocation_next: AtomicBool,
    /// `Some(deadline in Unix ms)` once the shutdown began.
    shutdown: watch::Sender<Option<u64>>,
    restore_requested: AtomicBool,
    /// Set by the first restore, before `restored` says so.
    restore_begun: AtomicBool,
    restored: watch::Sender<bool>,
    /// Connections accepted so far; each is numbered from 1.
    connections: AtomicU64,
    /// Connections numbered up to this one were accepted before the restore
    /// (0 until then).
    restored_at: AtomicU64,
    requests_before_restore: AtomicU64,
    restore_errors: Mutex<Vec<LambdaErrorReport>>,
}

impl Default for Lifecycle {
    fn default() -> Self {
        Self {
            journal: Mutex::default(),
            extensions: Mutex::default(),
            next_identifier: AtomicU64::new(0),
            init_ended: AtomicBool::new(false),
            first_invocation_next: AtomicBool::new(false),
            shutdown: watch::channel(None).0,
            restore_requested: AtomicBool::new(false),
            restore_begun: AtomicBool::new(false),
            restored: watch::channel(false).0,
            connections: AtomicU64::new(0),
            restored_at: AtomicU64::new(0),
            requests_before_restore: AtomicU64::new(0),
            restore_errors: Mutex::default(),
        }
    }
}

impl Lifecycle {
    pub(super) fn record(&self, call: LifecycleCall) {
        lock(&self.journal).push(call);
    }

    pub(super) fn journal(&self) -> Vec<LifecycleCall> {
        lock(&self.journal).clone()
    }

    pub(super) fn extensions(&self) -> Vec<ExtensionRegistration> {
        lock(&self.extensions)
            .iter()
            .map(|extension| extension.registration.clone())
            .collect()
    }

    /// Notes an `invocation/next` call: the first ends the init phase.
    pub(super) fn invocation_next(&self) {
        if !self.first_invocation_next.swap(true, Ordering::SeqCst) {
            self.init_ended.store(true, Ordering::SeqCst);
            self.record(LifecycleCall::FirstInvocationNext);
        }
    }

    /// Numbers a connection just accepted.
    pub(super) fn accepted(&self) -> u64 {
        self.connections.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Whether a request on connection `number` is one that a restore broke:
    /// it is counted, and must be closed unanswered.
    pub(super) fn broken_by_restore(&self, number: u64) -> bool {
        let broken = number <= self.restored_at.load(Ordering::SeqCst);
        if broken {
            self.requests_before_restore.fetch_add(1, Ordering::Relaxed);
        }
        broken
    }

    pub(super) fn requests_before_restore(&self) -> u64 {
        self.requests_before_restore.load(Ordering::Relaxed)
    }

    pub(super) fn snapshot_requested(&self) -> bool {
        self.restore_requested.load(Ordering::SeqCst)
    }

    /// Answers `restore/next`, now and from now on; connections accepted
    /// until now are broken. Once only.
    pub(super) fn restore(&self) {
        if self.restore_begun.swap(true, Ordering::SeqCst) {
            return;
        }
        self.restored_at
            .store(self.connections.load(Ordering::SeqCst), Ordering::SeqCst);
        self.record(LifecycleCall::Restored);
        self.restored.send_replace(true);
    }

    pub(super) fn record_restore_error(&self, error: LambdaErrorReport) {
        self.record(LifecycleCall::RestoreError);
        lock(&self.restore_errors).push(error);
    }

    pub(super) fn restore_errors(&self) -> Vec<LambdaErrorReport> {
        lock(&self.restore_errors).clone()
    }

    pub(super) fn is_shutting_down(&self) -> bool {
        self.shutdown.borrow().is_some()
    }

    /// Resolves once the shutdown began, with its deadline (Unix ms).
    pub(super) async fn shutdown_began(&self) -> u64 {
        let mut began = self.shutdown.subscribe();
        loop {
            let deadline = *began.borrow_and_update();
            if let Some(deadline) = deadline {
                return deadline;
            }
            if began.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }

    /// Resolves once the test restored the function.
    async fn restored(&self) {
        let mut restored = self.restored.subscribe();
        loop {
            let done = *restored.borrow_and_update();
            if done || restored.changed().await.is_err() {
                return;
            }
        }
    }

    /// `GET /2018-06-01/runtime/restore/next`: held until the restore.
    pub(super) async fn restore_next(&self) -> hyper::Response<Full<Bytes>> {
        self.record(LifecycleCall::RestoreNext);
        self.init_ended.store(true, Ordering::SeqCst);
        self.restore_requested.store(true, Ordering::SeqCst);
        self.restored().await;
        hyper::Response::new(Full::new(Bytes::new()))
    }
}

/// Answers an Extensions API call (`rest` follows `/2020-01-01/extension`).
pub(super) async fn extension_route(
    state: &State,
    method: Method,
    rest: &str,
    request: hyper::Request<Incoming>,
) -> hyper::Response<Full<Bytes>> {
    match (method, rest) {
        (Method::POST, "/register") => register(state, request).await,
        (Method::GET, "/event/next") => event_next(&state.lifecycle, &request).await,
        _ => error(
            StatusCode::NOT_FOUND,
            "InvalidRequest",
            &format!("{rest} is not a call of the Extensions API the emulator serves"),
        ),
    }
}

async fn register(
    state: &State,
    request: hyper::Request<Incoming>,
) -> hyper::Response<Full<Bytes>> {
    let lifecycle = &state.lifecycle;
    let name = request
        .headers()
        .get(EXTENSION_NAME)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let refuse = |status: StatusCode, error_type: &str, message: &str| {
        lifecycle.record(LifecycleCall::ExtensionRefused {
            name: name.clone(),
            error_type: error_type.to_owned(),
        });
        error(status, error_type, message)
    };
    if name.is_empty() {
        return refuse(
            StatusCode::FORBIDDEN,
            "Extension.InvalidExtensionName",
            "Empty extension name: Lambda-Extension-Name is required",
        );
    }
    let body = request
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let events = match parse_events(&body) {
        Ok(events) => events,
        Err(message) => {
            return refuse(StatusCode::FORBIDDEN, "InvalidRequestFormat", &message);
        }
    };
    for event in &events {
        match event.as_str() {
            "SHUTDOWN" => {}
            "INVOKE" => {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    "Extension.InvalidEventType",
                    "INVOKE events are not emulated by anyfn-test's LambdaEmulator: \
                     register for SHUTDOWN or for no events",
                );
            }
            other => {
                return refuse(
                    StatusCode::FORBIDDEN,
                    "Extension.InvalidEventType",
                    &format!("{other}: not an event an extension can register for"),
                );
            }
        }
    }
    let identifier = {
        let mut extensions = lock(&lifecycle.extensions);
        if lifecycle.init_ended.load(Ordering::SeqCst) {
            drop(extensions);
            return refuse(
                StatusCode::FORBIDDEN,
                "Extension.RegistrationClosed",
                "Extension registration closed already: the init phase ended",
            );
        }
        if extensions
            .iter()
            .any(|extension| extension.registration.name == name)
        {
            drop(extensions);
            return refuse(
                StatusCode::FORBIDDEN,
                "Extension.InvalidExtensionState",
                "Extension with this name already registered",
            );
        }
        let n = lifecycle.next_identifier.fetch_add(1, Ordering::Relaxed) + 1;
        let identifier = format!("00000000-0000-4000-a000-{n:012}");
        extensions.push(Extension {
            registration: ExtensionRegistration {
                name: name.clone(),
                identifier: identifier.clone(),
                events,
                before_first_next: !lifecycle.first_invocation_next.load(Ordering::SeqCst),
                waiting_for_events: false,
            },
        });
        lifecycle.record(LifecycleCall::ExtensionRegistered { name });
        identifier
    };
    let config = &state.config;
    let mut response = json(
        StatusCode::OK,
        &serde_json::json!({
            "functionName": config.function_name,
            "functionVersion": config.function_version,
            "handler": config.handler,
        }),
    );
    if let Ok(value) = identifier.parse() {
        response.headers_mut().insert(EXTENSION_IDENTIFIER, value);
    }
    response
}

/// The events of a registration document, `{"events": [...]}`.
fn parse_events(body: &[u8]) -> Result<Vec<String>, String> {
    let document: serde_json::Value = serde_json::from_slice(body)
        .map_err(|err| format!("the registration is not a JSON document: {err}"))?;
    let Some(document) = document.as_object() else {
        return Err("the registration is not a JSON object".to_owned());
    };
    match document.get("events") {
        None | Some(serde_json::Value::Null) => Ok(Vec::new()),
        Some(serde_json::Value::Array(events)) => events
            .iter()
            .map(|event| {
                event
                    .as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("events holds {event}, not an event name"))
            })
            .collect(),
        Some(other) => Err(format!("events is {other}, not a list of event names")),
    }
}

async fn event_next(
    lifecycle: &Lifecycle,
    request: &hyper::Request<Incoming>,
) -> hyper::Response<Full<Bytes>> {
    let Some(identifier) = request.headers().get(EXTENSION_IDENTIFIER) else {
        return error(
            StatusCode::FORBIDDEN,
            "Extension.MissingHeader",
            "Missing Lambda-Extension-Identifier header",
        );
    };
    let found = lock(&lifecycle.extensions)
        .iter_mut()
        .find(|extension| extension.registration.identifier.as_bytes() == identifier.as_bytes())
        .map(|extension| {
            extension.registration.waiting_for_events = true;
            (
                extension.registration.name.clone(),
                extension
                    .registration
                    .events
                    .iter()
                    .any(|event| event == "SHUTDOWN"),
            )
        });
    let Some((name, for_shutdown)) = found else {
        return error(
            StatusCode::FORBIDDEN,
            "Extension.UnknownExtensionIdentifier",
            "No extension registered with this Lambda-Extension-Identifier",
        );
    };
    lifecycle.record(LifecycleCall::ExtensionNext { name: name.clone() });
    if !for_shutdown {
        // An extension registered for no events is never answered: its
        // connection stays open until the process dies, as on Lambda.
        std::future::pending::<()>().await;
    }
    let deadline_ms = lifecycle.shutdown_began().await;
    lifecycle.record(LifecycleCall::ExtensionShutdownEvent { name });
    let n = lifecycle.next_identifier.fetch_add(1, Ordering::Relaxed) + 1;
    let mut response = json(
        StatusCode::OK,
        &serde_json::json!({
            "eventType": "SHUTDOWN",
            "shutdownReason": "spindown",
            "deadlineMs": deadline_ms,
        }),
    );
    if let Ok(value) = format!("00000000-0000-4000-b000-{n:012}").parse() {
        response
            .headers_mut()
            .insert("lambda-extension-event-identifier", value);
    }
    response
}

/// Shuts the function down as Lambda does: SIGKILL at once with no
/// extension registered; otherwise SIGTERM, the `SHUTDOWN` events, and
/// SIGKILL after the grace period if it is still running.
pub(super) async fn shut_down(state: &State) -> std::io::Result<ShutdownOutcome> {
    let lifecycle = &state.lifecycle;
    let with_extensions = !lock(&lifecycle.extensions).is_empty();
    let grace = if with_extensions {
        state.config.shutdown_grace
    } else {
        Duration::ZERO
    };
    let deadline_ms = SystemTime::now()
        .checked_add(grace)
        .and_then(|at| at.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |since| {
            u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
        });
    // From here the function is not restarted, and invocations fail at once.
    lifecycle.shutdown.send_replace(Some(deadline_ms));
    let slot = lock(&state.launch)
        .as_ref()
        .map(super::process::Launch::child)
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no function started"))?;
    let pid = {
        let mut child = lock(&slot);
        let Some(child) = child.as_mut() else {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "the function's process is gone (its FunctionProcess was dropped)",
            ));
        };
        if let Some(status) = child.try_wait()? {
            return Ok(ShutdownOutcome {
                sigterm_sent: false,
                exited_within_grace: true,
                exit_status: Some(status),
                elapsed: Duration::ZERO,
                grace,
            });
        }
        child.id()
    };
    let started = Instant::now();
    if with_extensions {
        lifecycle.record(LifecycleCall::ShutdownSigterm);
        Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()?;
        loop {
            if let Some(exit_status) = exited(&slot)? {
                return Ok(ShutdownOutcome {
                    sigterm_sent: true,
                    exited_within_grace: true,
                    exit_status,
                    elapsed: started.elapsed(),
                    grace,
                });
            }
            if started.elapsed() >= grace {
                break;
            }
            tokio::time::sleep(EXIT_POLL).await;
        }
    }
    lifecycle.record(LifecycleCall::ShutdownKill);
    if let Some(child) = lock(&slot).as_mut() {
        // It may have exited meanwhile: then there is nothing to kill.
        let _ = child.kill();
    }
    let killed = Instant::now();
    let exit_status = loop {
        if let Some(exit_status) = exited(&slot)? {
            break exit_status;
        }
        if killed.elapsed() >= KILL_BOUND {
            return Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the function did not exit within 5 s of SIGKILL",
            ));
        }
        tokio::time::sleep(EXIT_POLL).await;
    };
    Ok(ShutdownOutcome {
        sigterm_sent: with_extensions,
        exited_within_grace: false,
        exit_status,
        elapsed: started.elapsed(),
        grace,
    })
}

/// `Some(status)` once the process in `slot` exited; `Some(None)` when the
/// process is gone from the slot.
fn exited(slot: &Arc<Mutex<Option<Child>>>) -> std::io::Result<Option<Option<ExitStatus>>> {
    match lock(slot).as_mut() {
        Some(child) => Ok(child.try_wait()?.map(Some)),
        None => Ok(Some(None)),
    }
}

/// An error document as Lambda's APIs answer it.
fn error(status: StatusCode, error_type: &str, message: &str) -> hyper::Response<Full<Bytes>> {
    json(
        status,
        &serde_json::json!({"errorMessage": message, "errorType": error_type}),
    )
}

fn json(status: StatusCode, document: &serde_json::Value) -> hyper::Response<Full<Bytes>> {
    let mut response = hyper::Response::new(Full::new(Bytes::from(document.to_string())));
    *response.status_mut() = status;
    if let Ok(value) = "application/json".parse() {
        response.headers_mut().insert("content-type", value);
    }
    response
}
