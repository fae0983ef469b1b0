//! A Lambda Runtime API on loopback, for running the real Lambda adapter in
//! tests: [`LambdaEmulator`].

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
        });
        let task = tokio::spawn(runtime_api::serve(listener, Arc::clone(&state)));
        Ok(LambdaEmulator { addr, state, task })
    }
}

/// The Lambda Runtime API (`next`, `response`, `error`, `init/error`) served on
/// 127.0.0.1, with Lambda's headers (request id, deadline from the configured
/// timeout, function ARN, trace id), so a test can run the real Lambda adapter
/// against it and see what Lambda would record.
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
    /// [`LambdaOutcome::Streamed`].
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

        let Ok(Ok(deadline)) = tokio::time::timeout(INIT_GRACE, taken_at).await else {
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
        if self.state.config.max_concurrency.is_some_and(|n| n > 1) {
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
