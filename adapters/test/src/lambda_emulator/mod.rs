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
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use anyfn_test::LambdaEmulator;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let emulator = LambdaEmulator::builder()
///     .function_name("orders")
///     .memory_mb(512)
///     .timeout(Duration::from_secs(10))
///     .start()
///     .await?;
/// assert!(emulator.function_arn().ends_with(":function:orders"));
/// # Ok(())
/// # }
/// ```
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
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn_test::{LambdaEmulator, LambdaOutcome, TestClient};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = LambdaEmulator::builder().timeout(Duration::from_millis(50)).start().await?;
    /// let api = TestClient::new(emulator.runtime_api().parse()?);
    /// // A function that takes the invocation and never answers it:
    /// let (outcome, taken) = tokio::join!(
    ///     emulator.invoke("{}"),
    ///     api.get("/2018-06-01/runtime/invocation/next"),
    /// );
    /// taken?;
    /// assert!(matches!(outcome, LambdaOutcome::TimedOut { timeout, .. } if timeout == Duration::from_millis(50)));
    /// # Ok(())
    /// # }
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The function's name.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::LambdaEmulator;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = LambdaEmulator::builder().function_name("orders").start().await?;
    /// assert_eq!(emulator.function_arn(), "arn:aws:lambda:us-east-1:123456789012:function:orders");
    /// let name = ("AWS_LAMBDA_FUNCTION_NAME".to_owned(), "orders".to_owned());
    /// assert!(emulator.function_env().contains(&name));
    /// # Ok(())
    /// # }
    /// ```
    pub fn function_name(mut self, name: impl Into<String>) -> Self {
        self.function_name = name.into();
        self
    }

    /// The function's version.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::LambdaEmulator;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = LambdaEmulator::builder().function_version("7").start().await?;
    /// let version = ("AWS_LAMBDA_FUNCTION_VERSION".to_owned(), "7".to_owned());
    /// assert!(emulator.function_env().contains(&version));
    /// # Ok(())
    /// # }
    /// ```
    pub fn function_version(mut self, version: impl Into<String>) -> Self {
        self.function_version = version.into();
        self
    }

    /// The function's memory size.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::LambdaEmulator;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = LambdaEmulator::builder().memory_mb(1024).start().await?;
    /// let memory = ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE".to_owned(), "1024".to_owned());
    /// assert!(emulator.function_env().contains(&memory));
    /// # Ok(())
    /// # }
    /// ```
    pub fn memory_mb(mut self, memory_mb: u32) -> Self {
        self.memory_mb = memory_mb;
        self
    }

    /// The function's handler setting, given to the function as `_HANDLER`:
    /// `bootstrap` unless set, as for a custom runtime. A binary of several
    /// named functions (`anyfn_auto::run_functions`) runs the one it names.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::LambdaEmulator;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// // A binary of several functions runs the one named `thumbnail`:
    /// let emulator = LambdaEmulator::builder().handler("thumbnail").start().await?;
    /// let handler = ("_HANDLER".to_owned(), "thumbnail".to_owned());
    /// assert!(emulator.function_env().contains(&handler));
    /// # Ok(())
    /// # }
    /// ```
    pub fn handler(mut self, handler: impl Into<String>) -> Self {
        self.handler = handler.into();
        self
    }

    /// Adds a variable to the function's environment, as a function's
    /// configuration does (`AWS_LAMBDA_LOG_FORMAT`, `AWS_LAMBDA_LOG_LEVEL`,
    /// your own).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::LambdaEmulator;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = LambdaEmulator::builder()
    ///     .env("AWS_LAMBDA_LOG_FORMAT", "JSON")
    ///     .env("ORDERS_TABLE", "orders-test")
    ///     .start()
    ///     .await?;
    /// let env = emulator.function_env();
    /// assert!(env.contains(&("AWS_LAMBDA_LOG_FORMAT".to_owned(), "JSON".to_owned())));
    /// assert_eq!(env.last(), Some(&("ORDERS_TABLE".to_owned(), "orders-test".to_owned())));
    /// # Ok(())
    /// # }
    /// ```
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
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn_test::{LambdaEmulator, TestClient};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = LambdaEmulator::builder()
    ///     .fixed_deadline_ms(600_000)
    ///     .timeout(Duration::from_millis(50))
    ///     .start()
    ///     .await?;
    /// let api = TestClient::new(emulator.runtime_api().parse()?);
    /// let (_timed_out, next) = tokio::join!(
    ///     emulator.invoke("{}"),
    ///     api.get("/2018-06-01/runtime/invocation/next"),
    /// );
    /// assert_eq!(next?.header("lambda-runtime-deadline-ms"), Some("600000"));
    /// # Ok(())
    /// # }
    /// ```
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
    ///
    /// # Example
    ///
    /// ```
    /// use std::net::SocketAddr;
    /// use anyfn_test::LambdaEmulator;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = LambdaEmulator::builder().memory_mb(256).start().await?;
    /// let addr: SocketAddr = emulator.runtime_api().parse()?;
    /// assert!(addr.ip().is_loopback());
    /// # Ok(())
    /// # }
    /// ```
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
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::LambdaEmulator;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = LambdaEmulator::builder().start().await?;
    /// let env = emulator.function_env();
    /// for (name, value) in [
    ///     ("AWS_LAMBDA_FUNCTION_NAME", "anyfn-function"),
    ///     ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
    ///     ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"),
    ///     ("_HANDLER", "bootstrap"),
    /// ] {
    ///     assert!(env.contains(&(name.to_owned(), value.to_owned())), "{name}");
    /// }
    /// # Ok(())
    /// # }
    /// ```
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
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::LambdaEmulator;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = LambdaEmulator::start().await?;
    /// assert!(emulator.function_arn().ends_with(":function:anyfn-function"));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn start() -> std::io::Result<Self> {
        Self::builder().start().await
    }

    /// The value for `AWS_LAMBDA_RUNTIME_API`: `127.0.0.1:PORT`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::LambdaEmulator;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = LambdaEmulator::start().await?;
    /// assert!(emulator.runtime_api().starts_with("127.0.0.1:"));
    /// let variable = ("AWS_LAMBDA_RUNTIME_API".to_owned(), emulator.runtime_api());
    /// assert!(emulator.function_env().contains(&variable));
    /// # Ok(())
    /// # }
    /// ```
    pub fn runtime_api(&self) -> String {
        self.addr.to_string()
    }

    /// The ARN invocations report.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::LambdaEmulator;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = LambdaEmulator::builder().function_name("thumbnails").start().await?;
    /// assert_eq!(
    ///     emulator.function_arn(),
    ///     "arn:aws:lambda:us-east-1:123456789012:function:thumbnails"
    /// );
    /// # Ok(())
    /// # }
    /// ```
    pub fn function_arn(&self) -> String {
        format!(
            "arn:aws:lambda:us-east-1:123456789012:function:{}",
            self.state.config.function_name
        )
    }

    /// The environment Lambda gives a function, pointing at this emulator,
    /// with the variables added by [`LambdaEmulatorBuilder::env`].
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::LambdaEmulator;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = LambdaEmulator::builder().env("RUST_LOG", "debug").start().await?;
    /// let env = emulator.function_env();
    /// assert!(env.contains(&("AWS_REGION".to_owned(), "us-east-1".to_owned())));
    /// assert!(env.contains(&("AWS_LAMBDA_INITIALIZATION_TYPE".to_owned(), "on-demand".to_owned())));
    /// assert_eq!(env.last(), Some(&("RUST_LOG".to_owned(), "debug".to_owned())));
    /// # Ok(())
    /// # }
    /// ```
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
    ///
    /// # Example
    ///
    /// ```no_run
    /// use anyfn_test::LambdaEmulator;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = LambdaEmulator::start().await?;
    /// let function = emulator.spawn("target/debug/examples/greet-json")?;
    /// let answer = emulator.invoke(r#"{"name":"Ada"}"#).await.expect_json();
    /// assert_eq!(answer["greeting"], "Hello, Ada!");
    /// drop(function); // kills the process
    /// # Ok(())
    /// # }
    /// ```
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
    ///
    /// # Example
    ///
    /// ```no_run
    /// use std::process::{Command, Stdio};
    /// use anyfn_test::LambdaEmulator;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = LambdaEmulator::start().await?;
    /// let mut command = Command::new("target/debug/examples/greet-json");
    /// command.env("ANYFN_DEFAULT_SUBSCRIBER", "off").stdout(Stdio::null());
    /// let _function = emulator.spawn_command(command)?;
    /// let answer = emulator.invoke(r#"{"name":"Ada"}"#).await.expect_json();
    /// assert_eq!(answer["greeting"], "Hello, Ada!");
    /// assert!(emulator.output().is_empty(), "its output went where the command said");
    /// # Ok(())
    /// # }
    /// ```
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
    /// let _function = emulator.spawn("target/debug/examples/failures")?;
    /// let log = r#"{"version":"2.0","rawPath":"/log","rawQueryString":"","requestContext":{"http":{"method":"GET","path":"/log"},"stage":"$default"}}"#;
    /// assert_eq!(emulator.invoke(log).await.expect_json()["body"], "logged");
    /// emulator.output_line_containing("a line from the function", Duration::from_secs(10)).await;
    /// let output = emulator.output();
    /// assert!(output.iter().all(|line| !line.contains("invocation failed")), "{output:#?}");
    /// # Ok(())
    /// # }
    /// ```
    pub fn output(&self) -> Vec<String> {
        self.state.output.lines()
    }

    /// The first output line containing `needle`, polling for at most
    /// `bound`; `None` when none appeared.
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
    /// let _function = emulator.spawn("target/debug/examples/failures")?;
    /// let log = r#"{"version":"2.0","rawPath":"/log","rawQueryString":"","requestContext":{"http":{"method":"GET","path":"/log"},"stage":"$default"}}"#;
    /// let outcome = emulator.invoke(log).await;
    /// let line = emulator
    ///     .output_line_containing("a line from the function", Duration::from_secs(10))
    ///     .await
    ///     .expect("the function's line reaches its output");
    /// assert!(line.contains(outcome.request_id()), "{line}");
    /// # Ok(())
    /// # }
    /// ```
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
    ///
    /// # Example
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use anyfn_test::{LambdaEmulator, LambdaOutcome};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// // One worker thread: a handler blocking it cannot be answered for.
    /// let emulator = LambdaEmulator::builder()
    ///     .timeout(Duration::from_millis(300))
    ///     .env("TOKIO_WORKER_THREADS", "1")
    ///     .start()
    ///     .await?;
    /// let _function = emulator.spawn("target/debug/examples/failures")?;
    /// let block = r#"{"version":"2.0","rawPath":"/block","rawQueryString":"ms=5000","requestContext":{"http":{"method":"GET","path":"/block"},"stage":"$default"}}"#;
    /// assert!(matches!(emulator.invoke(block).await, LambdaOutcome::TimedOut { .. }));
    /// assert_eq!(emulator.restarts(), 1, "a new execution environment");
    /// # Ok(())
    /// # }
    /// ```
    pub fn restarts(&self) -> u64 {
        self.state.restarts.load(Ordering::Relaxed)
    }

    /// How many answers (`response` or `error`) came without the
    /// `Lambda-Runtime-Invocation-Id` that `next` gave their invocation.
    /// Lambda takes those (older runtimes do not send it) but cannot then
    /// tell a late answer from a current one. An answer with another
    /// invocation's id is refused with `400 InvalidInvocationId`, as Lambda
    /// refuses it.
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
    /// // A function answering without the `Lambda-Runtime-Invocation-Id` it was given:
    /// let function = async {
    ///     let next = api.get("/2018-06-01/runtime/invocation/next").await?;
    ///     let id = next.header("lambda-runtime-aws-request-id").unwrap_or_default();
    ///     api.send(TestRequest::post(format!("/2018-06-01/runtime/invocation/{id}/response"))).await
    /// };
    /// let (outcome, answered) = tokio::join!(emulator.invoke("{}"), function);
    /// answered?.assert_status(202);
    /// assert_eq!(outcome.expect_response(), "");
    /// assert_eq!(emulator.answers_without_invocation_id(), 1);
    /// # Ok(())
    /// # }
    /// ```
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
    /// // A function serving one invocation at a time polls once at a time:
    /// let function = async {
    ///     let next = api.get("/2018-06-01/runtime/invocation/next").await?;
    ///     let id = next.header("lambda-runtime-aws-request-id").unwrap_or_default();
    ///     api.send(TestRequest::post(format!("/2018-06-01/runtime/invocation/{id}/response"))).await
    /// };
    /// let (_outcome, answered) = tokio::join!(emulator.invoke("{}"), function);
    /// answered?;
    /// assert_eq!(emulator.most_polls_waiting(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn most_polls_waiting(&self) -> u64 {
        self.state.most_polls_waiting.load(Ordering::Relaxed)
    }

    /// The most invocations the function had taken and not yet answered at
    /// once: 1 for a function that serves one at a time.
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
    /// // Two invocations at once, to a function that answers one after the other:
    /// let function = async {
    ///     for _ in 0..2 {
    ///         let next = api.get("/2018-06-01/runtime/invocation/next").await.unwrap();
    ///         let id = next.header("lambda-runtime-aws-request-id").unwrap_or_default();
    ///         api.send(TestRequest::post(format!("/2018-06-01/runtime/invocation/{id}/response"))).await.unwrap();
    ///     }
    /// };
    /// tokio::join!(emulator.invoke("1"), emulator.invoke("2"), function);
    /// assert_eq!(emulator.most_in_flight(), 1, "one at a time");
    /// # Ok(())
    /// # }
    /// ```
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
    /// // The function's side of the Runtime API: take the invocation, answer it.
    /// let function = async {
    ///     let next = api.get("/2018-06-01/runtime/invocation/next").await?;
    ///     let id = next.header("lambda-runtime-aws-request-id").unwrap_or_default();
    ///     let answer = TestRequest::post(format!("/2018-06-01/runtime/invocation/{id}/response"));
    ///     api.send(answer.body(format!(r#"{{"echo":{}}}"#, next.text()))).await
    /// };
    /// let (outcome, answered) = tokio::join!(emulator.invoke(r#""Ada""#), function);
    /// answered?;
    /// assert_eq!(outcome.request_id(), "00000000-0000-4000-8000-000000000001");
    /// assert_eq!(outcome.expect_json()["echo"], "Ada");
    /// # Ok(())
    /// # }
    /// ```
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
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::LambdaEmulator;
    /// # use anyfn_test::{TestClient, TestRequest};
    /// # async fn function(api: TestClient) -> Result<(), anyfn_test::ClientError> {
    /// #     let next = api.get("/2018-06-01/runtime/invocation/next").await?;
    /// #     let id = next.header("lambda-runtime-aws-request-id").unwrap_or_default();
    /// #     let stream = TestRequest::post(format!("/2018-06-01/runtime/invocation/{id}/response"))
    /// #         .header("lambda-runtime-function-response-mode", "streaming")
    /// #         .body("{\"statusCode\":200}\0\0\0\0\0\0\0\0hello, world");
    /// #     api.send(stream).await.map(drop)
    /// # }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = LambdaEmulator::start().await?;
    /// // A function streaming `hello, world` (hidden here) answers the invocation:
    /// # tokio::spawn(function(TestClient::new(emulator.runtime_api().parse()?)));
    /// let mut answer = emulator.invoke_streaming("{}").await.expect("a stream");
    /// assert_eq!(answer.prelude().await.expect("a prelude")["statusCode"], 200);
    /// assert_eq!(answer.rest().await, "hello, world");
    /// # Ok(())
    /// # }
    /// ```
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
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::{LambdaEmulator, RuntimeApiFault, TestClient};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = LambdaEmulator::start().await?;
    /// emulator.inject(RuntimeApiFault::NextAnswers500);
    /// let api = TestClient::new(emulator.runtime_api().parse()?);
    /// let next = api.get("/2018-06-01/runtime/invocation/next").await?;
    /// assert_eq!(next.status(), 500);
    /// # Ok(())
    /// # }
    /// ```
    pub fn inject(&self, fault: RuntimeApiFault) {
        lock(&self.state.faults).push_back(fault);
    }

    /// The errors posted to `init/error`.
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
    /// // A function whose init failed reports it:
    /// let report = TestRequest::post("/2018-06-01/runtime/init/error")
    ///     .header("lambda-runtime-function-error-type", "Runtime.ConfigError")
    ///     .body(r#"{"errorType":"ConfigError","errorMessage":"DATABASE_URL is not set"}"#);
    /// api.send(report).await?.assert_status(202);
    /// let errors = emulator.init_errors();
    /// assert_eq!(errors[0].error_message, "DATABASE_URL is not set");
    /// assert_eq!(errors[0].header_error_type.as_deref(), Some("Runtime.ConfigError"));
    /// # Ok(())
    /// # }
    /// ```
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
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn_test::{LambdaEmulator, TestClient};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = LambdaEmulator::builder().snap_start().start().await?;
    /// assert!(!emulator.snapshot_requested_within(Duration::from_millis(10)).await);
    /// // The runtime ends its init: take the snapshot.
    /// let api = TestClient::new(emulator.runtime_api().parse()?);
    /// let restore_next = tokio::spawn(async move { api.get("/2018-06-01/runtime/restore/next").await });
    /// assert!(emulator.snapshot_requested_within(Duration::from_secs(5)).await);
    /// emulator.restore();
    /// assert_eq!(restore_next.await??.status(), 200);
    /// # Ok(())
    /// # }
    /// ```
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
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn_test::{LambdaEmulator, LifecycleCall, TestClient};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = LambdaEmulator::builder().snap_start().start().await?;
    /// let api = TestClient::new(emulator.runtime_api().parse()?);
    /// let restore_next = tokio::spawn(async move { api.get("/2018-06-01/runtime/restore/next").await });
    /// assert!(emulator.snapshot_requested_within(Duration::from_secs(5)).await);
    /// emulator.restore();
    /// assert_eq!(restore_next.await??.status(), 200, "held until now");
    /// assert_eq!(emulator.lifecycle(), [LifecycleCall::RestoreNext, LifecycleCall::Restored]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn restore(&self) {
        self.state.lifecycle.restore();
    }

    /// How many requests arrived, after the [restore](Self::restore), on
    /// connections accepted before it: each was closed unanswered. A runtime
    /// that resets its connections after `restore/next` makes none.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn_test::LambdaEmulator;
    /// use http_body_util::Empty;
    /// use hyper_util::rt::TokioIo;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = LambdaEmulator::builder().snap_start().start().await?;
    /// // A runtime that keeps its connection across the restore:
    /// let stream = tokio::net::TcpStream::connect(emulator.runtime_api()).await?;
    /// let (mut connection, io) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    /// tokio::spawn(io);
    /// let get = |path: &str| hyper::Request::get(path).body(Empty::<bytes::Bytes>::new());
    /// let restore_next = connection.send_request(get("/2018-06-01/runtime/restore/next")?);
    /// assert!(emulator.snapshot_requested_within(Duration::from_secs(5)).await);
    /// emulator.restore();
    /// restore_next.await?;
    /// connection.ready().await?;
    /// assert!(connection.send_request(get("/2018-06-01/runtime/invocation/next")?).await.is_err());
    /// assert_eq!(emulator.requests_on_connections_from_before_restore(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn requests_on_connections_from_before_restore(&self) -> u64 {
        self.state.lifecycle.requests_before_restore()
    }

    /// The errors posted to `restore/error` (SnapStart: an after-restore
    /// hook failed).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::{LambdaEmulator, LifecycleCall, TestClient, TestRequest};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = LambdaEmulator::builder().snap_start().start().await?;
    /// let api = TestClient::new(emulator.runtime_api().parse()?);
    /// // An after-restore hook failed:
    /// let report = TestRequest::post("/2018-06-01/runtime/restore/error")
    ///     .body(r#"{"errorType":"Runtime.AfterRestoreError","errorMessage":"the pool did not reconnect"}"#);
    /// api.send(report).await?.assert_status(202);
    /// assert_eq!(emulator.restore_errors()[0].error_type, "Runtime.AfterRestoreError");
    /// assert_eq!(emulator.lifecycle(), [LifecycleCall::RestoreError]);
    /// # Ok(())
    /// # }
    /// ```
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
