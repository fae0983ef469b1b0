//! A Lambda Runtime API on loopback, for running the real Lambda adapter in
//! tests: [`LambdaEmulator`].

mod lifecycle;
mod outcome;
pub(crate) mod process;
mod runtime_api;
mod streaming;

use std::collections::{HashMap, VecDeque};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, Notify};
use tokio::task::JoinHandle;

pub use lifecycle::{ExtensionRegistration, LifecycleCall, ShutdownOutcome};
pub use outcome::{LambdaErrorReport, LambdaOutcome, RuntimeApiFault};
pub use process::FunctionProcess;
pub use streaming::StreamedAnswer;

use process::{Launch, Output};

/// How long [`LambdaEmulator::invoke`] waits for a function to take an
/// invocation (it may still be starting), as Lambda's init phase is bounded.
const INIT_GRACE: Duration = Duration::from_secs(10);

/// Builds a [`LambdaEmulator`]; made by [`LambdaEmulator::builder`].
#[derive(Debug, Clone)]
#[must_use]
pub struct LambdaEmulatorBuilder {
    timeout: Duration,
    function_name: String,
    function_version: String,
    memory_mb: u32,
    handler: String,
    env: Vec<(String, String)>,
    fixed_deadline_ms: Option<u64>,
    max_concurrency: Option<u32>,
    shutdown_grace: Duration,
    snap_start: bool,
    trace_header: Option<String>,
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

    /// The function's handler setting, given to the function as `_HANDLER`:
    /// `bootstrap` unless set, as for a custom runtime. A binary of several
    /// named functions (`anyfn_auto::run_functions`) runs the one it names.
    pub fn handler(mut self, handler: impl Into<String>) -> Self {
        self.handler = handler.into();
        self
    }

    /// Adds a variable to the function's environment, as a function's
    /// configuration does (`AWS_LAMBDA_LOG_FORMAT`, `AWS_LAMBDA_LOG_LEVEL`,
    /// your own).
    pub fn env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((name.into(), value.into()));
        self
    }

    /// Sends `header` as every invocation's `Lambda-Runtime-Trace-Id` (the
    /// caller's X-Ray trace, `Root=1-…;Parent=…;Sampled=1`) instead of the
    /// one made from the invocation's number
    /// (`Root=1-00000000-<number>;Parent=0000000000000001;Sampled=0`).
    ///
    /// # Example
    ///
    /// ```
    /// let _builder = anyfn_test::LambdaEmulator::builder()
    ///     .trace_header("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
    /// ```
    pub fn trace_header(mut self, header: impl Into<String>) -> Self {
        self.trace_header = Some(header.into());
        self
    }

    /// Sends `deadline_ms` as every invocation's `Lambda-Runtime-Deadline-Ms`
    /// instead of the real deadline, as other emulators do:
    /// `cargo lambda watch` sends `600000`, a time in 1970. The emulator
    /// still ends invocations at its own [timeout](Self::timeout).
    pub fn fixed_deadline_ms(mut self, deadline_ms: u64) -> Self {
        self.fixed_deadline_ms = Some(deadline_ms);
        self
    }

    /// Runs the function as a Lambda Managed Instance that takes up to `n`
    /// invocations at once: the function's environment gets
    /// `AWS_LAMBDA_MAX_CONCURRENCY=n`, as Lambda sets it, and the emulator
    /// answers that many `next` long-polls at once, each with an invocation
    /// of its own (its own request id, deadline, trace id and invocation
    /// id). Unset, the variable is absent, as on classic Lambda; the
    /// emulator still serves every poll it gets.
    ///
    /// Above 1 (Lambda Managed Instances), an invocation past its timeout is
    /// [`LambdaOutcome::TimedOut`] but the function is not restarted: the
    /// environment serves other invocations at once, and Lambda does not
    /// stop it at one invocation's timeout, so the function's own deadline
    /// is the only one that answers it.
    ///
    /// # Example
    ///
    /// ```no_run
    /// use anyfn_test::LambdaEmulator;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = LambdaEmulator::builder().max_concurrency(8).start().await?;
    /// assert!(emulator
    ///     .function_env()
    ///     .contains(&("AWS_LAMBDA_MAX_CONCURRENCY".to_owned(), "8".to_owned())));
    /// # Ok(())
    /// # }
    /// ```
    pub fn max_concurrency(mut self, n: u32) -> Self {
        self.max_concurrency = Some(n);
        self
    }

    /// How long [`LambdaEmulator::shut_down`] waits, after SIGTERM, for a
    /// function with extensions registered to exit before it sends SIGKILL:
    /// 500 ms unless set, what Lambda gives a runtime whose extensions are
    /// all internal. Set 300 ms for what Lambda gives the runtime of a
    /// function with external extensions.
    ///
    /// # Example
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use anyfn_test::LambdaEmulator;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = LambdaEmulator::builder()
    ///     .shutdown_grace(Duration::from_millis(300))
    ///     .start()
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn shutdown_grace(mut self, grace: Duration) -> Self {
        self.shutdown_grace = grace;
        self
    }

    /// Runs the function as a SnapStart version: its environment gets
    /// `AWS_LAMBDA_INITIALIZATION_TYPE=snap-start` (`on-demand` otherwise,
    /// as Lambda sets it), so a runtime ends its init with
    /// `GET /2018-06-01/runtime/restore/next` and waits there until the test
    /// restores it with [`LambdaEmulator::restore`].
    ///
    /// # Example
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use anyfn_test::LambdaEmulator;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = LambdaEmulator::builder().snap_start().start().await?;
    /// let _function = emulator.spawn("target/debug/examples/greet-json")?;
    /// assert!(emulator.snapshot_requested_within(Duration::from_secs(5)).await);
    /// emulator.restore();
    /// emulator.invoke(r#"{"name":"Ada"}"#).await.expect_json();
    /// # Ok(())
    /// # }
    /// ```
    pub fn snap_start(mut self) -> Self {
        self.snap_start = true;
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
            output: Output::default(),
            launch: Mutex::default(),
            restarts: AtomicU64::new(0),
            answers_without_invocation_id: AtomicU64::new(0),
            polls_waiting: AtomicU64::new(0),
            most_polls_waiting: AtomicU64::new(0),
            most_in_flight: AtomicU64::new(0),
            next_calls: Mutex::default(),
            lifecycle: lifecycle::Lifecycle::default(),
        });
        let task = tokio::spawn(runtime_api::serve(listener, Arc::clone(&state)));
        Ok(LambdaEmulator { addr, state, task })
    }
}

/// The Lambda Runtime API (`next`, `response`, `error`, `init/error`,
/// SnapStart's `restore/next` and `restore/error`) and the Extensions API
/// (`register`, `event/next`) served on 127.0.0.1, with Lambda's headers
/// (request id, deadline from the configured timeout, function ARN, trace
/// id), so a test can run the real Lambda adapter against it and see what
/// Lambda would record.
///
/// Run the function as a child process with [`spawn`](Self::spawn) (it gets
/// the environment Lambda would give it, and its output is kept, as
/// CloudWatch Logs would keep it: [`output`](Self::output)) and hand it
/// payloads with [`invoke`](Self::invoke).
///
/// The deadline is enforced as Lambda enforces it: an invocation the
/// function took but did not answer by its deadline ends as
/// [`LambdaOutcome::TimedOut`], a late answer is refused, and the function
/// is restarted (Lambda starts a new execution environment).
///
/// The rest of the lifecycle is Lambda's too:
///
/// - **Extensions.** `POST /2020-01-01/extension/register` (header
///   `Lambda-Extension-Name`, body `{"events": [...]}`) answers `200` with a
///   `Lambda-Extension-Identifier` and the function's name, version and
///   handler; `GET /2020-01-01/extension/event/next` (with that identifier)
///   marks the extension's init done and waits: an extension registered for
///   `SHUTDOWN` is answered at [shutdown](Self::shut_down), one registered
///   for no events never is. Refusals are JSON error documents
///   (`errorType`, `errorMessage`), with the types Lambda's runtime
///   interface emulator uses: `403 Extension.InvalidExtensionName` (no name),
///   `403 InvalidRequestFormat` (not a registration document),
///   `403 Extension.InvalidEventType` (an unknown event),
///   `403 Extension.InvalidExtensionState` (a name already registered),
///   `403 Extension.RegistrationClosed` (after the init phase ended: the
///   function's first `invocation/next` or `restore/next`),
///   `403 Extension.MissingHeader` and
///   `403 Extension.UnknownExtensionIdentifier` (for `event/next`). `INVOKE`
///   events are not emulated: registering for them is refused with
///   `400 Extension.InvalidEventType`, saying so. See
///   [`extensions`](Self::extensions).
/// - **SnapStart.** With [`snap_start`](LambdaEmulatorBuilder::snap_start),
///   `restore/next` is held until the test [restores](Self::restore) the
///   function; connections from before the restore are then closed
///   unanswered, as a restore breaks them
///   ([`requests_on_connections_from_before_restore`](Self::requests_on_connections_from_before_restore)).
/// - **Shutdown.** [`shut_down`](Self::shut_down): SIGKILL at once with no
///   extension registered, else SIGTERM, the `SHUTDOWN` events, and SIGKILL
///   after the [grace period](LambdaEmulatorBuilder::shutdown_grace).
///
/// [`lifecycle`](Self::lifecycle) journals these calls in order.
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
    pending: Mutex<HashMap<String, Pending>>,
    init_errors: Mutex<Vec<LambdaErrorReport>>,
    next_id: AtomicU64,
    faults: Mutex<VecDeque<RuntimeApiFault>>,
    output: Output,
    launch: Mutex<Option<Launch>>,
    restarts: AtomicU64,
    answers_without_invocation_id: AtomicU64,
    /// `next` polls waiting for an invocation now, and the most at once.
    polls_waiting: AtomicU64,
    most_polls_waiting: AtomicU64,
    /// The most invocations taken and not yet answered at once.
    most_in_flight: AtomicU64,
    /// When each `GET …/invocation/next` arrived, in order.
    next_calls: Mutex<Vec<Instant>>,
    /// Extensions, SnapStart's restore, shutdown: what is not invocations.
    lifecycle: lifecycle::Lifecycle,
}

/// An invocation queued or running: who waits for it to be taken, and for
/// its answer.
#[derive(Debug)]
struct Pending {
    taken: Option<oneshot::Sender<Instant>>,
    answer: oneshot::Sender<Answer>,
}

/// What the function posted: a whole answer, or a stream arriving.
#[derive(Debug)]
enum Answer {
    Done(LambdaOutcome),
    Streaming(tokio::sync::mpsc::UnboundedReceiver<streaming::Piece>),
}

#[derive(Debug)]
struct Queued {
    /// The invocation's number, from 1: its request id and trace id say it.
    number: u64,
    request_id: String,
    payload: Bytes,
    /// Sent as `Lambda-Runtime-Aws-Tenant-Id` (tenant isolation mode).
    tenant_id: Option<String>,
}

impl LambdaEmulator {
    /// An emulator with a 3 s timeout, function `anyfn-function` at `$LATEST`
    /// with 128 MB and handler `bootstrap`.
    pub fn builder() -> LambdaEmulatorBuilder {
        LambdaEmulatorBuilder {
            timeout: anyfn::DEFAULT_TIMEOUT,
            function_name: "anyfn-function".to_owned(),
            function_version: "$LATEST".to_owned(),
            memory_mb: anyfn::DEFAULT_MEMORY_MB,
            handler: "bootstrap".to_owned(),
            env: Vec::new(),
            fixed_deadline_ms: None,
            max_concurrency: None,
            shutdown_grace: lifecycle::SHUTDOWN_GRACE,
            snap_start: false,
            trace_header: None,
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

    /// The environment Lambda gives a function, pointing at this emulator,
    /// with the variables added by [`LambdaEmulatorBuilder::env`].
    pub fn function_env(&self) -> Vec<(String, String)> {
        let config = &self.state.config;
        let mut env = vec![
            ("AWS_LAMBDA_RUNTIME_API".to_owned(), self.runtime_api()),
            (
                "AWS_LAMBDA_FUNCTION_NAME".to_owned(),
                config.function_name.clone(),
            ),
            (
                "AWS_LAMBDA_FUNCTION_VERSION".to_owned(),
                config.function_version.clone(),
            ),
            (
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE".to_owned(),
                config.memory_mb.to_string(),
            ),
            (
                "AWS_LAMBDA_LOG_STREAM_NAME".to_owned(),
                "anyfn-test".to_owned(),
            ),
            (
                "AWS_LAMBDA_LOG_GROUP_NAME".to_owned(),
                format!("/aws/lambda/{}", config.function_name),
            ),
            ("AWS_REGION".to_owned(), "us-east-1".to_owned()),
            ("_HANDLER".to_owned(), config.handler.clone()),
        ];
        env.push((
            "AWS_LAMBDA_INITIALIZATION_TYPE".to_owned(),
            if config.snap_start {
                "snap-start"
            } else {
                "on-demand"
            }
            .to_owned(),
        ));
        if let Some(n) = config.max_concurrency {
            env.push(("AWS_LAMBDA_MAX_CONCURRENCY".to_owned(), n.to_string()));
        }
        env.extend(config.env.iter().cloned());
        env
    }

    /// Runs `program` as the function: a child process with the
    /// [function environment](Self::function_env) (and no `PORT`), its
    /// stdout and stderr kept line by line in [`output`](Self::output). The
    /// process is killed when the returned handle drops.
    ///
    /// # Errors
    ///
    /// When the program cannot be started.
    pub fn spawn(&self, program: impl AsRef<Path>) -> std::io::Result<FunctionProcess> {
        let mut command = Command::new(program.as_ref());
        command.envs(self.function_env()).env_remove("PORT");
        let launch = Launch::of(&command);
        let child = process::start_captured(command, &self.state.output)?;
        Ok(self.remember(launch, child))
    }

    /// Runs `command` as the function, adding the
    /// [function environment](Self::function_env) to what it sets; its
    /// output goes where `command` says. After a timeout it is restarted as
    /// [`spawn`](Self::spawn) starts functions, its output kept.
    ///
    /// # Errors
    ///
    /// When the command cannot be started.
    pub fn spawn_command(&self, mut command: Command) -> std::io::Result<FunctionProcess> {
        command.envs(self.function_env());
        let launch = Launch::of(&command);
        let child = command.spawn()?;
        Ok(self.remember(launch, child))
    }

    /// Runs `command` as the function, as [`spawn`](Self::spawn) runs a
    /// program: with the [function environment](Self::function_env) added
    /// to what it sets (and no `PORT`), its output kept in
    /// [`output`](Self::output). For a function that needs arguments: a
    /// test binary running one of its own tests as the function, say.
    ///
    /// # Errors
    ///
    /// When the command cannot be started.
    ///
    /// # Example
    ///
    /// ```no_run
    /// use std::process::Command;
    /// use anyfn_test::LambdaEmulator;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = LambdaEmulator::start().await?;
    /// let mut command = Command::new(std::env::current_exe()?);
    /// command.args(["--ignored", "--exact", "the_function_child"]);
    /// let _function = emulator.spawn_captured(command)?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn spawn_captured(&self, mut command: Command) -> std::io::Result<FunctionProcess> {
        command.envs(self.function_env()).env_remove("PORT");
        let launch = Launch::of(&command);
        let child = process::start_captured(command, &self.state.output)?;
        Ok(self.remember(launch, child))
    }

    /// Keeps how the function was started, to restart it after a timeout.
    fn remember(&self, launch: Launch, child: std::process::Child) -> FunctionProcess {
        let process = launch.running(child);
        *lock(&self.state.launch) = Some(launch);
        process
    }

    /// What the function wrote to stdout and stderr so far, line by line
    /// (the last 10,000 lines), when it was started by [`spawn`](Self::spawn).
    pub fn output(&self) -> Vec<String> {
        self.state.output.lines()
    }

    /// The first output line containing `needle`, polling for at most
    /// `bound`; `None` when none appeared.
    pub async fn output_line_containing(&self, needle: &str, bound: Duration) -> Option<String> {
        let started = Instant::now();
        loop {
            let found = self
                .state
                .output
                .lines()
                .into_iter()
                .find(|line| line.contains(needle));
            if found.is_some() || started.elapsed() >= bound {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// How many times the function was restarted after a timeout.
    pub fn restarts(&self) -> u64 {
        self.state.restarts.load(Ordering::Relaxed)
    }

    /// How many answers (`response` or `error`) came without the
    /// `Lambda-Runtime-Invocation-Id` that `next` gave their invocation.
    /// Lambda takes those (older runtimes do not send it) but cannot then
    /// tell a late answer from a current one. An answer with another
    /// invocation's id is refused with `400 InvalidInvocationId`, as Lambda
    /// refuses it.
    pub fn answers_without_invocation_id(&self) -> u64 {
        self.state
            .answers_without_invocation_id
            .load(Ordering::Relaxed)
    }

    /// When each `GET /2018-06-01/runtime/invocation/next` arrived, in
    /// order (the emulator's monotonic clock): the function asks for its
    /// `n`-th invocation at `next_calls()[n - 1]`, so what it did before
    /// (flushing its spans after answering the previous one) can be
    /// ordered against it.
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
    /// emulator.invoke(r#"{"name":"Ada"}"#).await;
    /// assert!(!emulator.next_calls().is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn next_calls(&self) -> Vec<Instant> {
        lock(&self.state.next_calls).clone()
    }

    /// The most `next` long-polls that waited for an invocation at once: a
    /// runtime serving [`max_concurrency`](LambdaEmulatorBuilder::max_concurrency)
    /// invocations at once polls that many times at once.
    pub fn most_polls_waiting(&self) -> u64 {
        self.state.most_polls_waiting.load(Ordering::Relaxed)
    }

    /// The most invocations the function had taken and not yet answered at
    /// once: 1 for a function that serves one at a time.
    pub fn most_in_flight(&self) -> u64 {
        self.state.most_in_flight.load(Ordering::Relaxed)
    }

    /// [`invoke`](Self::invoke) in tenant isolation mode: the invocation
    /// carries `Lambda-Runtime-Aws-Tenant-Id: tenant_id`, as Lambda sends it
    /// for a function invoked with a tenant id.
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
    /// let outcome = emulator.invoke_with_tenant(r#"{"name":"Ada"}"#, "acme").await;
    /// assert_eq!(outcome.request_id(), "00000000-0000-4000-8000-000000000001");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn invoke_with_tenant(
        &self,
        payload: impl Into<Bytes>,
        tenant_id: impl Into<String>,
    ) -> LambdaOutcome {
        self.invoke_as(payload.into(), Some(tenant_id.into())).await
    }

    /// Queues one invocation with `payload` and waits for what the function
    /// posts: up to 10 s for a function to take it, then until its deadline
    /// (the configured timeout from when it was taken). Past the deadline
    /// the invocation is [`LambdaOutcome::TimedOut`] and the function is
    /// restarted (not under concurrency: see
    /// [`max_concurrency`](LambdaEmulatorBuilder::max_concurrency)). A streamed response is read to its end (or the deadline):
    /// [`LambdaOutcome::Streamed`]. After [`shut_down`](Self::shut_down) it
    /// is [`LambdaOutcome::NoAnswer`] at once.
    pub async fn invoke(&self, payload: impl Into<Bytes>) -> LambdaOutcome {
        self.invoke_as(payload.into(), None).await
    }

    async fn invoke_as(&self, payload: Bytes, tenant_id: Option<String>) -> LambdaOutcome {
        match self.stream_as(payload, tenant_id).await {
            Ok(mut answer) => {
                let prelude = answer.prelude().await.cloned().unwrap_or_default();
                let body = answer.rest().await;
                if answer
                    .error
                    .as_ref()
                    .is_some_and(|e| e.error_type == "Sandbox.Timedout")
                {
                    self.restart_function();
                }
                LambdaOutcome::Streamed {
                    complete: answer.complete().unwrap_or(false),
                    request_id: answer.request_id,
                    prelude,
                    body,
                    error: answer.error,
                }
            }
            Err(outcome) => outcome,
        }
    }

    /// [`invoke`](Self::invoke) for a function that streams its response:
    /// the stream to read piece by piece as it arrives
    /// ([`StreamedAnswer::next_chunk`]), held to the invocation's deadline;
    /// any other outcome as `Err`.
    ///
    /// # Errors
    ///
    /// The outcome, when the function did not stream (a whole response, an
    /// error, a timeout, no function).
    pub async fn invoke_streaming(
        &self,
        payload: impl Into<Bytes>,
    ) -> Result<StreamedAnswer, LambdaOutcome> {
        self.stream_as(payload.into(), None).await
    }

    async fn stream_as(
        &self,
        payload: Bytes,
        tenant_id: Option<String>,
    ) -> Result<StreamedAnswer, LambdaOutcome> {
        let n = self.state.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let request_id = format!("00000000-0000-4000-8000-{n:012}");
        if self.state.lifecycle.is_shutting_down() {
            return Err(LambdaOutcome::NoAnswer { request_id });
        }
        let (answer, answered) = oneshot::channel();
        let (taken, taken_at) = oneshot::channel();
        lock(&self.state.pending).insert(
            request_id.clone(),
            Pending {
                taken: Some(taken),
                answer,
            },
        );
        lock(&self.state.queue).push_back(Queued {
            number: n,
            request_id: request_id.clone(),
            payload,
            tenant_id,
        });
        self.state.queued.notify_one();

        let taken = tokio::select! {
            taken = tokio::time::timeout(INIT_GRACE, taken_at) => taken.ok().and_then(Result::ok),
            _ = self.state.lifecycle.shutdown_began() => None,
        };
        let Some(deadline) = taken else {
            lock(&self.state.pending).remove(&request_id);
            lock(&self.state.queue).retain(|queued| queued.request_id != request_id);
            return Err(LambdaOutcome::NoAnswer { request_id });
        };
        match tokio::time::timeout_at(deadline.into(), answered).await {
            Ok(Ok(Answer::Done(outcome))) => Err(outcome),
            Ok(Ok(Answer::Streaming(pieces))) => Ok(StreamedAnswer {
                request_id,
                pieces,
                deadline,
                prelude: None,
                error: None,
                ended: None,
            }),
            _ => {
                lock(&self.state.pending).remove(&request_id);
                self.restart_function();
                Err(LambdaOutcome::TimedOut {
                    request_id,
                    timeout: self.state.config.timeout,
                })
            }
        }
    }

    /// Replaces the function's process after a timeout, as Lambda replaces
    /// the execution environment; not under concurrency (Managed
    /// Instances), where the environment serves the other invocations on.
    fn restart_function(&self) {
        if self.state.config.max_concurrency.is_some_and(|n| n > 1)
            || self.state.lifecycle.is_shutting_down()
        {
            return;
        }
        if let Some(launch) = lock(&self.state.launch).as_ref() {
            if launch.restart(&self.state.output).is_ok() {
                self.state.restarts.fetch_add(1, Ordering::Relaxed);
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

    /// The extensions registered through the Extensions API
    /// (`POST /2020-01-01/extension/register`), in registration order;
    /// refused registrations are not listed (the
    /// [`lifecycle`](Self::lifecycle) journal has them).
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
    /// emulator.invoke(r#"{"name":"Ada"}"#).await.expect_json();
    /// for extension in emulator.extensions() {
    ///     assert!(extension.before_first_next, "{} registered late", extension.name);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn extensions(&self) -> Vec<ExtensionRegistration> {
        self.state.lifecycle.extensions()
    }

    /// The calls and steps of the function's lifecycle outside its
    /// invocations, in the order they happened: extensions registering and
    /// polling, the first `invocation/next`, SnapStart's restore, init and
    /// restore errors, the shutdown's signals. (A `SHUTDOWN` event handed to
    /// an extension is journaled when its answer is made, which may come
    /// after [`LifecycleCall::ShutdownSigterm`] or before it.)
    ///
    /// # Example
    ///
    /// ```no_run
    /// use anyfn_test::{LambdaEmulator, LifecycleCall};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = LambdaEmulator::start().await?;
    /// let _function = emulator.spawn("target/debug/examples/greet-json")?;
    /// emulator.invoke(r#"{"name":"Ada"}"#).await.expect_json();
    /// assert!(emulator.lifecycle().contains(&LifecycleCall::FirstInvocationNext));
    /// # Ok(())
    /// # }
    /// ```
    pub fn lifecycle(&self) -> Vec<LifecycleCall> {
        self.state.lifecycle.journal()
    }

    /// Shuts the function down as Lambda ends an execution environment: the
    /// process the emulator started last (the current one, after restarts).
    /// With no extension registered the shutdown phase is 0 ms: SIGKILL at
    /// once. With extensions registered (all taken as internal ones, in the
    /// function's process), SIGTERM, the `SHUTDOWN` event to each extension
    /// waiting for it, and SIGKILL if the process has not exited within the
    /// [grace period](LambdaEmulatorBuilder::shutdown_grace). The exit is
    /// polled every 2 ms.
    ///
    /// From the call on, the function is not restarted after a timeout, and
    /// [`invoke`](Self::invoke) answers [`LambdaOutcome::NoAnswer`] at once
    /// (as does an invocation still waiting for the function to take it).
    ///
    /// # Errors
    ///
    /// When no function was started, its [`FunctionProcess`] was dropped
    /// already, the signal could not be sent or the exit read, or the process
    /// outlived SIGKILL by 5 s.
    ///
    /// # Example
    ///
    /// ```no_run
    /// use anyfn_test::LambdaEmulator;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = LambdaEmulator::start().await?;
    /// let _function = emulator.spawn("target/debug/examples/hello")?;
    /// let outcome = emulator.shut_down().await?;
    /// assert!(!outcome.sigterm_sent, "no extension: SIGKILL at once");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn shut_down(&self) -> std::io::Result<ShutdownOutcome> {
        lifecycle::shut_down(&self.state).await
    }

    /// Whether the function called `GET /2018-06-01/runtime/restore/next`
    /// (SnapStart: init done, take the snapshot), polling for at most
    /// `bound`.
    pub async fn snapshot_requested_within(&self, bound: Duration) -> bool {
        let started = Instant::now();
        loop {
            if self.state.lifecycle.snapshot_requested() {
                return true;
            }
            if started.elapsed() >= bound {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Restores the function from its snapshot (SnapStart): answers `200`
    /// (empty) to the `restore/next` call waiting, and to any later one at
    /// once. Like a real restore, it breaks the connections accepted until
    /// now: a request arriving on one of them afterwards is not answered,
    /// its connection closed, and counted in
    /// [`requests_on_connections_from_before_restore`](Self::requests_on_connections_from_before_restore).
    /// Only the first call does anything.
    pub fn restore(&self) {
        self.state.lifecycle.restore();
    }

    /// How many requests arrived, after the [restore](Self::restore), on
    /// connections accepted before it: each was closed unanswered. A runtime
    /// that resets its connections after `restore/next` makes none.
    pub fn requests_on_connections_from_before_restore(&self) -> u64 {
        self.state.lifecycle.requests_before_restore()
    }

    /// The errors posted to `restore/error` (SnapStart: an after-restore
    /// hook failed).
    pub fn restore_errors(&self) -> Vec<LambdaErrorReport> {
        self.state.lifecycle.restore_errors()
    }
}

impl Drop for LambdaEmulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
