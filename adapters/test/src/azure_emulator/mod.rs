//! An Azure Functions host, as a custom handler sees it, for running a
//! function binary in tests: [`AzureEmulator`].
//!
//! Modules: `app` (the app folder: `host.json`, `*/function.json`),
//! `envelope` (the requests the host sends), `outcome` (what it records),
//! `process` (the folder, port and readiness of the handler's process).
//! The envelopes' `Data` and `Metadata` come from
//! [`fixtures::azure`](crate::fixtures::azure).

mod app;
mod envelope;
mod outcome;
mod process;

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use anyfn::event::{CloudEvent, Message, ObjectEvent, ScheduleTick};
use anyfn::Request;
use serde_json::{json, Value};

pub use app::{
    AzureAppFunction, AzureBinding, AzureFunctionApp, AzureHostSettings, AzureTriggerType,
};
pub use outcome::{AzureDelivery, AzureHttpOutput, AzureOutcome};

use crate::fixtures::azure::{self, Envelope};
use crate::lambda_emulator::process::{start_captured, Launch, Output};
use crate::lambda_emulator::{lock, FunctionProcess};
use crate::TestClient;
use process::AppFolder;

/// How long the host waits for a custom handler to listen: "The custom
/// handler web server needs to start within 60 seconds."
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

/// Builds an [`AzureEmulator`]; made by [`AzureEmulator::builder`].
///
/// # Example
///
/// ```
/// use anyfn_test::{AzureEmulator, AzureTriggerType};
///
/// let emulator = AzureEmulator::builder()
///     .function("hello", AzureTriggerType::Http, "req")
///     .forwarding_http_request(true)
///     .site_name("orders")
///     .build()?;
/// assert!(emulator.app().settings.forwarding);
/// let site = ("WEBSITE_SITE_NAME".to_owned(), "orders".to_owned());
/// assert!(emulator.function_env().contains(&site));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct AzureEmulatorBuilder {
    app_dir: Option<PathBuf>,
    functions: Vec<AzureAppFunction>,
    forwarding: Option<bool>,
    proxying: Option<bool>,
    function_timeout: Option<Duration>,
    env: Vec<(String, String)>,
    site_name: Option<String>,
    startup_timeout: Option<Duration>,
}

impl AzureEmulatorBuilder {
    /// Runs the app in the folder `dir` (`host.json` and one folder per
    /// function with its `function.json`), as deployed.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::{AzureEmulator, AzureTriggerType};
    ///
    /// let dir = std::env::temp_dir().join(format!("anyfn-doc-app-dir-{}", std::process::id()));
    /// std::fs::create_dir_all(dir.join("work"))?;
    /// std::fs::write(dir.join("host.json"), r#"{"version": "2.0"}"#)?;
    /// let function = r#"{"bindings": [{"type": "queueTrigger", "direction": "in", "name": "message"}]}"#;
    /// std::fs::write(dir.join("work/function.json"), function)?;
    /// let emulator = AzureEmulator::builder().app_dir(&dir).build()?;
    /// assert_eq!(emulator.app().functions[0].trigger, AzureTriggerType::Queue);
    /// assert_eq!(emulator.app_root(), Some(dir.clone()), "the handler runs in it");
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn app_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.app_dir = Some(dir.into());
        self
    }

    /// Adds a function (to those of the app folder, or to a temporary app
    /// folder the emulator writes). See [`AzureAppFunction::new`]. With an app
    /// folder, the handler then runs in a written copy of the app (its
    /// `host.json` and a `function.json` per function).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::{AzureEmulator, AzureTriggerType};
    ///
    /// let emulator = AzureEmulator::builder()
    ///     .function("work", AzureTriggerType::Queue, "message")
    ///     .build()?;
    /// let work = emulator.app().function("work").expect("added");
    /// assert_eq!(work.binding, "message");
    /// assert_eq!(work.bindings[0].binding_type, "queueTrigger");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn function(
        self,
        name: impl Into<String>,
        trigger: AzureTriggerType,
        binding: &str,
    ) -> Self {
        self.with_function(AzureAppFunction::new(name, trigger, binding))
    }

    /// Adds a function described in full (route, methods, bindings).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::{AzureAppFunction, AzureEmulator, AzureTriggerType};
    ///
    /// let mut item = AzureAppFunction::new("item", AzureTriggerType::Http, "req");
    /// item.route = Some("items/{id}".to_owned());
    /// item.methods = vec!["get".to_owned()];
    /// let emulator = AzureEmulator::builder().with_function(item.clone()).build()?;
    /// assert_eq!(emulator.app().function("item"), Some(&item));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn with_function(mut self, function: AzureAppFunction) -> Self {
        self.functions.retain(|f| f.name != function.name);
        self.functions.push(function);
        self
    }

    /// `customHandler.enableForwardingHttpRequest`: HTTP-in-and-out
    /// functions get the caller's request at its own path. Overrides the
    /// app folder's `host.json`: the handler then runs in a written copy of
    /// the app, so that it sees the change too.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::{AzureEmulator, AzureTriggerType};
    ///
    /// let emulator = AzureEmulator::builder()
    ///     .function("hello", AzureTriggerType::Http, "req")
    ///     .forwarding_http_request(true)
    ///     .build()?;
    /// assert!(emulator.app().settings.forwarding);
    /// assert_eq!(emulator.app().host_json["customHandler"]["enableForwardingHttpRequest"], true);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn forwarding_http_request(mut self, on: bool) -> Self {
        self.forwarding = Some(on);
        self
    }

    /// `customHandler.enableProxyingHttpRequest`: as forwarding (the
    /// documented setting for HTTP-only functions, with response
    /// streaming). Overrides the app folder's `host.json` (in a written copy
    /// of the app, as [`forwarding_http_request`](Self::forwarding_http_request)).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::{AzureEmulator, AzureTriggerType};
    ///
    /// let emulator = AzureEmulator::builder()
    ///     .function("hello", AzureTriggerType::Http, "req")
    ///     .proxying_http_request(true)
    ///     .build()?;
    /// assert!(emulator.app().settings.proxying);
    /// assert_eq!(emulator.app().host_json["customHandler"]["enableProxyingHttpRequest"], true);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn proxying_http_request(mut self, on: bool) -> Self {
        self.proxying = Some(on);
        self
    }

    /// `functionTimeout`: how long the host waits for an answer (the
    /// host's HTTP client waits this plus one minute; the emulator waits
    /// this). Unset, it waits 30 minutes.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn_test::{AzureEmulator, AzureTriggerType};
    ///
    /// let emulator = AzureEmulator::builder()
    ///     .function("work", AzureTriggerType::Queue, "message")
    ///     .function_timeout(Duration::from_secs(5 * 60))
    ///     .build()?;
    /// assert_eq!(emulator.app().host_json["functionTimeout"], "00:05:00");
    /// assert_eq!(emulator.app().settings.function_timeout, Some(Duration::from_secs(300)));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn function_timeout(mut self, timeout: Duration) -> Self {
        self.function_timeout = Some(timeout);
        self
    }

    /// Adds a variable to the handler's environment, as an app setting does.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::AzureEmulator;
    ///
    /// let emulator = AzureEmulator::builder()
    ///     .env("ORDERS_QUEUE", "orders-test")
    ///     .build()?;
    /// let setting = ("ORDERS_QUEUE".to_owned(), "orders-test".to_owned());
    /// assert!(emulator.function_env().contains(&setting));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((name.into(), value.into()));
        self
    }

    /// `WEBSITE_SITE_NAME`, the function app's name: `anyfn-app` unless set.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::AzureEmulator;
    ///
    /// let emulator = AzureEmulator::builder().site_name("orders").build()?;
    /// let host = ("WEBSITE_HOSTNAME".to_owned(), "orders.azurewebsites.net".to_owned());
    /// assert!(emulator.function_env().contains(&host));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn site_name(mut self, name: impl Into<String>) -> Self {
        self.site_name = Some(name.into());
        self
    }

    /// How long [`AzureEmulator::spawn`] waits for the handler to listen:
    /// 60 s unless set, as the host waits.
    ///
    /// # Example
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use anyfn_test::{AzureEmulator, AzureTriggerType};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = AzureEmulator::builder()
    ///     .function("hello", AzureTriggerType::Http, "req")
    ///     .startup_timeout(Duration::from_secs(5))
    ///     .build()?;
    /// // `TimedOut` unless the handler listens within 5 s:
    /// let _handler = emulator.spawn("target/debug/examples/hello").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn startup_timeout(mut self, bound: Duration) -> Self {
        self.startup_timeout = Some(bound);
        self
    }

    /// Reads the app folder (if any), merges the settings and functions
    /// added here, and picks the handler's port.
    ///
    /// # Errors
    ///
    /// When the app folder cannot be read ([`AzureFunctionApp::read`]) or no
    /// loopback port is free.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::{AzureEmulator, AzureTriggerType};
    ///
    /// let emulator = AzureEmulator::builder()
    ///     .function("work", AzureTriggerType::Queue, "message")
    ///     .build()?;
    /// assert_ne!(emulator.port(), 0);
    /// assert_eq!(emulator.app().functions.len(), 1);
    /// assert!(AzureEmulator::builder().app_dir("no/such/app").build().is_err());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn build(self) -> std::io::Result<AzureEmulator> {
        // A change to the app folder's settings or functions must reach the
        // handler too, which reads the folder: it then runs in a written
        // copy of the changed app, as when there is no folder.
        let changed = self.forwarding.is_some()
            || self.proxying.is_some()
            || self.function_timeout.is_some()
            || !self.functions.is_empty();
        let (mut app, folder) = match &self.app_dir {
            Some(dir) => (AzureFunctionApp::read(dir)?, Some(dir.clone())),
            None => (
                AzureFunctionApp {
                    host_json: json!({
                        "version": "2.0",
                        "customHandler": {"description": {"defaultExecutablePath": "handler"}},
                    }),
                    // As the host.json above says.
                    settings: AzureHostSettings {
                        executable: Some("handler".to_owned()),
                        ..AzureHostSettings::default()
                    },
                    functions: Vec::new(),
                },
                None,
            ),
        };
        for function in &self.functions {
            app.functions.retain(|f| f.name != function.name);
            app.functions.push(function.clone());
        }
        if let Some(on) = self.forwarding {
            app.settings.forwarding = on;
            app.host_json["customHandler"]["enableForwardingHttpRequest"] = json!(on);
        }
        if let Some(on) = self.proxying {
            app.settings.proxying = on;
            app.host_json["customHandler"]["enableProxyingHttpRequest"] = json!(on);
        }
        if let Some(timeout) = self.function_timeout {
            app.settings.function_timeout = Some(timeout);
            let secs = timeout.as_secs();
            app.host_json["functionTimeout"] = json!(format!(
                "{:02}:{:02}:{:02}",
                secs / 3600,
                secs / 60 % 60,
                secs % 60
            ));
        }
        let port = process::free_port()?;
        Ok(AzureEmulator {
            app,
            app_dir: folder.filter(|_| !changed),
            written: Mutex::new(None),
            port,
            env: self.env,
            site_name: self.site_name.unwrap_or_else(|| "anyfn-app".to_owned()),
            startup_timeout: self.startup_timeout.unwrap_or(STARTUP_TIMEOUT),
            output: Output::default(),
            launch: Mutex::new(None),
            next_id: AtomicU64::new(0),
            outcomes: Mutex::new(Vec::new()),
        })
    }
}

/// The Azure Functions host as a custom handler sees it: it runs the
/// handler binary as a child process with the host's environment
/// (`FUNCTIONS_CUSTOMHANDLER_PORT` and the rest, in the app folder), waits
/// until it listens, and sends each trigger as the host sends it: the
/// envelope `{"Data", "Metadata"}` POSTed to `/{FunctionName}` with
/// `X-Azure-Functions-InvocationId`, or, with forwarding or proxying on,
/// an HTTP trigger's request as the caller sent it. It records what the
/// host would record: [`AzureOutcome`].
///
/// # Example
///
/// ```no_run
/// use anyfn_test::{AzureEmulator, AzureTriggerType, TestRequest};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let emulator = AzureEmulator::builder()
///     .function("hello", AzureTriggerType::Http, "req")
///     .build()?;
/// let _handler = emulator.spawn("target/debug/examples/hello").await?;
/// let outcome = emulator.http("hello", TestRequest::get("/api/hello?name=Ada")).await;
/// assert!(outcome.succeeded());
/// assert_eq!(outcome.http_response().text(), "Hello, Ada!");
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct AzureEmulator {
    app: AzureFunctionApp,
    app_dir: Option<PathBuf>,
    written: Mutex<Option<AppFolder>>,
    port: u16,
    env: Vec<(String, String)>,
    site_name: String,
    startup_timeout: Duration,
    output: Output,
    launch: Mutex<Option<Launch>>,
    next_id: AtomicU64,
    outcomes: Mutex<Vec<AzureOutcome>>,
}

impl AzureEmulator {
    /// An emulator with no app folder and no functions yet.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::AzureEmulator;
    ///
    /// let emulator = AzureEmulator::builder().build()?;
    /// assert!(emulator.app().functions.is_empty());
    /// assert_eq!(emulator.app().host_json["version"], "2.0");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn builder() -> AzureEmulatorBuilder {
        AzureEmulatorBuilder::default()
    }

    /// The app: `host.json` with the builder's settings, and the functions.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::{AzureEmulator, AzureTriggerType};
    ///
    /// let emulator = AzureEmulator::builder()
    ///     .function("hello", AzureTriggerType::Http, "req")
    ///     .proxying_http_request(true)
    ///     .build()?;
    /// let app = emulator.app();
    /// assert_eq!(app.functions[0].name, "hello");
    /// assert_eq!(app.host_json["customHandler"]["enableProxyingHttpRequest"], true);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn app(&self) -> &AzureFunctionApp {
        &self.app
    }

    /// The port the handler is told to listen on
    /// (`FUNCTIONS_CUSTOMHANDLER_PORT`), on 127.0.0.1.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::AzureEmulator;
    ///
    /// let emulator = AzureEmulator::builder().build()?;
    /// let port = ("FUNCTIONS_CUSTOMHANDLER_PORT".to_owned(), emulator.port().to_string());
    /// assert!(emulator.function_env().contains(&port));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The folder the handler runs in: the app folder, or the temporary
    /// one written at [`spawn`](Self::spawn) (`None` before).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::{AzureEmulator, AzureTriggerType};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = AzureEmulator::builder()
    ///     .function("hello", AzureTriggerType::Http, "req")
    ///     .build()?;
    /// assert_eq!(emulator.app_root(), None);
    /// // `spawn` writes the app folder first (here the program is missing):
    /// assert!(emulator.spawn("no/such/handler").await.is_err());
    /// let root = emulator.app_root().expect("written");
    /// assert!(root.join("hello/function.json").is_file());
    /// # Ok(())
    /// # }
    /// ```
    pub fn app_root(&self) -> Option<PathBuf> {
        self.app_dir
            .clone()
            .or_else(|| lock(&self.written).as_ref().map(|f| f.path.clone()))
    }

    /// The environment the host gives a custom handler (Linux, Functions
    /// 4.x), with the variables added by [`AzureEmulatorBuilder::env`]:
    /// `FUNCTIONS_CUSTOMHANDLER_PORT` (and its older name
    /// `FUNCTIONS_HTTPWORKER_PORT`), `FUNCTIONS_CUSTOMHANDLER_WORKER_ID`
    /// (`FUNCTIONS_HTTPWORKER_ID`), `FUNCTIONS_APP_ROOT_PATH` and
    /// `AzureWebJobsScriptRoot` (the app folder), `FUNCTIONS_WORKER_RUNTIME`
    /// `custom`, `FUNCTIONS_EXTENSION_VERSION` `~4`, `WEBSITE_SITE_NAME`,
    /// `WEBSITE_HOSTNAME`, `WEBSITE_INSTANCE_ID`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::AzureEmulator;
    ///
    /// let emulator = AzureEmulator::builder().env("EXTRA", "1").build()?;
    /// let env = emulator.function_env();
    /// assert!(env.contains(&("FUNCTIONS_WORKER_RUNTIME".to_owned(), "custom".to_owned())));
    /// assert!(env.contains(&("WEBSITE_SITE_NAME".to_owned(), "anyfn-app".to_owned())));
    /// assert_eq!(env.last(), Some(&("EXTRA".to_owned(), "1".to_owned())));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn function_env(&self) -> Vec<(String, String)> {
        let root = self
            .app_root()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let port = self.port.to_string();
        let worker_id = "00000000-0000-4000-8000-0000000000aa".to_owned();
        let mut env = vec![
            ("FUNCTIONS_CUSTOMHANDLER_PORT".to_owned(), port.clone()),
            ("FUNCTIONS_HTTPWORKER_PORT".to_owned(), port),
            (
                "FUNCTIONS_CUSTOMHANDLER_WORKER_ID".to_owned(),
                worker_id.clone(),
            ),
            ("FUNCTIONS_HTTPWORKER_ID".to_owned(), worker_id),
            ("FUNCTIONS_APP_ROOT_PATH".to_owned(), root.clone()),
            ("AzureWebJobsScriptRoot".to_owned(), root),
            ("FUNCTIONS_WORKER_RUNTIME".to_owned(), "custom".to_owned()),
            ("FUNCTIONS_EXTENSION_VERSION".to_owned(), "~4".to_owned()),
            ("WEBSITE_SITE_NAME".to_owned(), self.site_name.clone()),
            (
                "WEBSITE_HOSTNAME".to_owned(),
                format!("{}.azurewebsites.net", self.site_name),
            ),
            (
                "WEBSITE_INSTANCE_ID".to_owned(),
                "0000000000000000000000000000000000000000000000000000000000000001".to_owned(),
            ),
        ];
        env.extend(self.env.iter().cloned());
        env
    }

    /// Runs `program` as the custom handler: a child process in the app
    /// folder (or a temporary folder where the emulator writes `host.json`
    /// and each `function.json`) with the [host's environment](Self::function_env)
    /// (and no `PORT`), its stdout and stderr kept line by line
    /// ([`output`](Self::output)); then polls until it accepts connections
    /// on its port. The process is killed when the handle drops.
    ///
    /// # Errors
    ///
    /// When the program cannot be started, exits (`BrokenPipe`), or does
    /// not listen within the startup timeout (`TimedOut`); the error says
    /// which, with its output so far.
    ///
    /// # Example
    ///
    /// ```no_run
    /// use anyfn::event::Message;
    /// use anyfn_test::AzureEmulator;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = AzureEmulator::builder().app_dir("examples/azure/queue-worker").build()?;
    /// let _handler = emulator.spawn("target/debug/examples/queue-worker").await?;
    /// let outcome = emulator.queue("queue-worker", &Message::new("m-1", "hello")).await;
    /// assert!(outcome.succeeded());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn spawn(&self, program: impl AsRef<Path>) -> std::io::Result<FunctionProcess> {
        let command = Command::new(program.as_ref());
        self.start(command, true).await
    }

    /// [`spawn`](Self::spawn) with a command of your own (arguments,
    /// variables); the host's environment and working directory are added
    /// and its output kept.
    ///
    /// # Errors
    ///
    /// As [`spawn`](Self::spawn).
    ///
    /// # Example
    ///
    /// ```no_run
    /// use std::process::Command;
    /// use anyfn_test::{AzureEmulator, AzureTriggerType, TestRequest};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = AzureEmulator::builder()
    ///     .function("hello", AzureTriggerType::Http, "req")
    ///     .build()?;
    /// let mut command = Command::new("target/debug/examples/hello");
    /// command.env("ANYFN_DEFAULT_SUBSCRIBER", "off");
    /// let _handler = emulator.spawn_command(command).await?;
    /// let outcome = emulator.http("hello", TestRequest::get("/api/hello?name=Ada")).await;
    /// assert_eq!(outcome.http_response().text(), "Hello, Ada!");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn spawn_command(&self, command: Command) -> std::io::Result<FunctionProcess> {
        self.start(command, false).await
    }

    async fn start(&self, mut command: Command, bare: bool) -> std::io::Result<FunctionProcess> {
        if self.app_dir.is_none() {
            let mut written = lock(&self.written);
            if written.is_none() {
                *written = Some(AppFolder::write(&self.app.host_json, &self.app.functions)?);
            }
        }
        let root = self.app_root().unwrap_or_default();
        command.envs(self.function_env()).current_dir(&root);
        if bare {
            command.env_remove("PORT");
        }
        let launch = Launch::of(&command);
        let child = start_captured(command, &self.output)?;
        let mut handler = launch.running(child);
        *lock(&self.launch) = Some(launch);
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        let ready = process::wait_until_listening(addr, self.startup_timeout, || {
            matches!(handler.try_exit_status(), Ok(Some(_)))
        })
        .await;
        match ready {
            Ok(()) => Ok(handler),
            Err(err) => Err(std::io::Error::new(
                err.kind(),
                format!(
                    "{err}; its output so far:\n{}",
                    self.output.lines().join("\n")
                ),
            )),
        }
    }

    /// What the handler wrote to stdout and stderr so far, line by line
    /// (the last 10,000 lines).
    ///
    /// # Example
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use anyfn_test::{AzureEmulator, TestRequest};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = AzureEmulator::builder().app_dir("examples/azure/failures").build()?;
    /// let _handler = emulator.spawn("target/debug/examples/failures").await?;
    /// emulator.http("failures", TestRequest::get("/api/log")).await.http_response().assert_status(200);
    /// emulator.output_line_containing("a line from the function", Duration::from_secs(10)).await;
    /// let output = emulator.output();
    /// assert!(output.iter().all(|line| !line.contains("invocation failed")), "{output:#?}");
    /// # Ok(())
    /// # }
    /// ```
    pub fn output(&self) -> Vec<String> {
        self.output.lines()
    }

    /// The first output line containing `needle`, polling for at most
    /// `bound`; `None` when none appeared.
    ///
    /// # Example
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use anyfn_test::{AzureEmulator, TestRequest};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = AzureEmulator::builder().app_dir("examples/azure/failures").build()?;
    /// let _handler = emulator.spawn("target/debug/examples/failures").await?;
    /// emulator.http("failures", TestRequest::get("/api/log")).await.http_response().assert_status(200);
    /// let line = emulator.output_line_containing("a line from the function", Duration::from_secs(10)).await;
    /// assert!(line.is_some_and(|line| line.contains("/log")));
    /// assert_eq!(emulator.output_line_containing("no such line", Duration::from_millis(50)).await, None);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn output_line_containing(&self, needle: &str, bound: Duration) -> Option<String> {
        let started = std::time::Instant::now();
        loop {
            let found = self
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

    /// Every outcome recorded so far, in order.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::Message;
    /// use anyfn_test::{AzureEmulator, AzureTriggerType};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = AzureEmulator::builder()
    ///     .function("work", AzureTriggerType::Queue, "message")
    ///     .build()?;
    /// // No handler listens: each invocation fails, and is recorded.
    /// emulator.queue("work", &Message::new("m-1", "one")).await;
    /// emulator.queue("work", &Message::new("m-2", "two")).await;
    /// let outcomes = emulator.outcomes();
    /// assert_eq!(outcomes.len(), 2);
    /// assert_eq!(outcomes[1].sent()["Metadata"]["Id"], "\"m-2\"");
    /// # Ok(())
    /// # }
    /// ```
    pub fn outcomes(&self) -> Vec<AzureOutcome> {
        lock(&self.outcomes).clone()
    }

    /// The function named `name`.
    ///
    /// # Panics
    ///
    /// When the app has no such function.
    #[track_caller]
    fn function(&self, name: &str) -> &AzureAppFunction {
        match self.app.function(name) {
            Some(function) => function,
            None => panic!(
                "the app has no function {name:?}; it has {:?}",
                self.app
                    .functions
                    .iter()
                    .map(|f| f.name.as_str())
                    .collect::<Vec<_>>()
            ),
        }
    }

    fn next_ids(&self) -> (String, String) {
        let n = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        (
            format!("00000000-0000-4000-8000-{n:012}"),
            format!("00000000-0000-4000-9000-{n:012}"),
        )
    }

    /// Sends `envelope` (its `sys` added) to `function`'s path and records
    /// the outcome. The per-trigger methods call this.
    ///
    /// # Panics
    ///
    /// When the app has no function `function`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::Message;
    /// use anyfn_test::fixtures::azure;
    /// use anyfn_test::{AzureEmulator, AzureTriggerType};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = AzureEmulator::builder()
    ///     .function("work", AzureTriggerType::Queue, "message")
    ///     .build()?;
    /// let envelope = azure::queue_message("message", &Message::new("m-1", "hello"));
    /// let outcome = emulator.invoke("work", envelope).await;
    /// assert_eq!(outcome.sent()["Data"]["message"], "\"hello\"");
    /// assert_eq!(outcome.sent()["Metadata"]["sys"]["MethodName"], "work");
    /// # Ok(())
    /// # }
    /// ```
    #[track_caller]
    pub fn invoke(
        &self,
        function: &str,
        envelope: Envelope,
    ) -> impl std::future::Future<Output = AzureOutcome> + '_ {
        self.invoke_at(function, envelope, SystemTime::now(), None)
    }

    /// [`invoke`](Self::invoke), with `sys.UtcNow` at `utc_now` and, when
    /// given, `sys.RandGuid` = `rand_guid`.
    #[track_caller]
    fn invoke_at(
        &self,
        function: &str,
        envelope: Envelope,
        utc_now: SystemTime,
        rand_guid: Option<&str>,
    ) -> impl std::future::Future<Output = AzureOutcome> + '_ {
        let definition = self.function(function).clone();
        let (invocation_id, fresh_guid) = self.next_ids();
        let rand_guid = rand_guid.unwrap_or(&fresh_guid);
        let envelope = envelope.with_sys(&definition.name, utc_now, rand_guid);
        let request = envelope::envelope_request(&definition.name, &invocation_id, &envelope);
        let sent = envelope.to_json();
        async move {
            self.send(
                definition,
                invocation_id,
                AzureDelivery::Envelope,
                sent,
                request,
            )
            .await
        }
    }

    async fn send(
        &self,
        function: AzureAppFunction,
        invocation_id: String,
        delivery: AzureDelivery,
        sent: Value,
        request: Request,
    ) -> AzureOutcome {
        let client = TestClient::new(SocketAddr::from((Ipv4Addr::LOCALHOST, self.port)));
        let wait = self
            .app
            .settings
            .function_timeout
            .unwrap_or(Duration::from_secs(30 * 60));
        let answer = match tokio::time::timeout(wait, client.send(request)).await {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(err)) => Err(err.to_string()),
            Err(_) => Err(format!("no answer within the function timeout ({wait:?})")),
        };
        let result = match (&answer, delivery) {
            (Ok(response), AzureDelivery::Envelope) if response.status().is_success() => {
                serde_json::from_slice::<Value>(response.body().as_bytes())
                    .ok()
                    .filter(Value::is_object)
            }
            _ => None,
        };
        let outcome = AzureOutcome {
            http_output: function.http_output().map(str::to_owned),
            function: function.name,
            trigger: function.trigger,
            invocation_id,
            delivery,
            sent,
            answer,
            result,
        };
        lock(&self.outcomes).push(outcome.clone());
        outcome
    }

    /// Whether the host forwards `function`'s requests as they came.
    fn forwards(&self, function: &AzureAppFunction) -> bool {
        let settings = &self.app.settings;
        (settings.proxying || settings.forwarding) && function.is_http_in_and_out()
    }

    /// An HTTP trigger: `request` is what the caller sends the host (its
    /// path under the route prefix, e.g. `/api/hello?name=Ada`). In
    /// envelope mode the handler gets `Data[binding]` = `{Url, Method,
    /// Query, Headers, Params, Identities, Body}` ([`azure::http_request`];
    /// `Params` from the function's route template); with forwarding (an
    /// HTTP-in-and-out function) or proxying, the request itself at its own
    /// path. A path the function's route does not match gets no `Params`
    /// (the host would answer 404 without invoking; see
    /// [`route_params`](Self::route_params)). See
    /// [`AzureOutcome::http_response`] for what the caller gets.
    ///
    /// # Panics
    ///
    /// When the app has no function `function`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::{AzureEmulator, AzureTriggerType, TestRequest};
    /// use serde_json::json;
    /// # async fn serve(port: u16, answer: serde_json::Value) -> Result<(), anyfn_server::ServeError> {
    /// #     let handler = anyfn::handler_fn(move |_: anyfn::Request, _: anyfn::Context| {
    /// #         let answer = answer.clone();
    /// #         async move { anyfn::response::json(&answer) }
    /// #     });
    /// #     let server = anyfn_server::Server::new(handler).addr(([127, 0, 0, 1], port).into());
    /// #     let bound = server.default_subscriber(false).bind().await?;
    /// #     tokio::spawn(bound.run_until(std::future::pending()));
    /// #     Ok(())
    /// # }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = AzureEmulator::builder()
    ///     .function("hello", AzureTriggerType::Http, "req")
    ///     .build()?;
    /// // The custom handler answers every invocation with this result document:
    /// let answer = json!({"Outputs": {"res": {"statusCode": 200, "body": "Hello, Ada!"}}, "Logs": []});
    /// # serve(emulator.port(), answer).await?;
    /// let outcome = emulator.http("hello", TestRequest::get("/api/hello?name=Ada")).await;
    /// assert_eq!(outcome.sent()["Data"]["req"]["Query"]["name"], "Ada");
    /// assert_eq!(outcome.http_response().text(), "Hello, Ada!");
    /// # Ok(())
    /// # }
    /// ```
    #[track_caller]
    pub fn http(
        &self,
        function: &str,
        request: impl Into<Request>,
    ) -> impl std::future::Future<Output = AzureOutcome> + '_ {
        let definition = self.function(function).clone();
        let request = request.into();
        let forwarded = self.forwards(&definition);
        let params = self
            .route_params(function, request.uri().path())
            .unwrap_or_default();
        let envelope = azure::http_request(&definition.binding, &request, &params);
        let (invocation_id, rand_guid) = self.next_ids();
        async move {
            if forwarded {
                let forwarded = envelope::forwarded_request(&request, &invocation_id);
                let sent = envelope::describe(&forwarded);
                self.send(
                    definition,
                    invocation_id,
                    AzureDelivery::Forwarded,
                    sent,
                    forwarded,
                )
                .await
            } else {
                let name = definition.name.clone();
                let envelope = envelope.with_sys(&name, SystemTime::now(), &rand_guid);
                let sent = envelope.to_json();
                let request = envelope::envelope_request(&name, &invocation_id, &envelope);
                self.send(
                    definition,
                    invocation_id,
                    AzureDelivery::Envelope,
                    sent,
                    request,
                )
                .await
            }
        }
    }

    /// A Storage queue message ([`azure::queue_message`]).
    ///
    /// # Panics
    ///
    /// When the app has no function `function`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::Message;
    /// use anyfn_test::{AzureEmulator, AzureTriggerType};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = AzureEmulator::builder()
    ///     .function("work", AzureTriggerType::Queue, "message")
    ///     .build()?;
    /// let outcome = emulator.queue("work", &Message::new("m-1", "hello")).await;
    /// assert_eq!(outcome.sent()["Data"]["message"], "\"hello\"");
    /// assert_eq!(outcome.sent()["Metadata"]["DequeueCount"], "1");
    /// assert!(outcome.would_retry(), "no handler listens");
    /// # Ok(())
    /// # }
    /// ```
    #[track_caller]
    pub fn queue(
        &self,
        function: &str,
        message: &Message,
    ) -> impl std::future::Future<Output = AzureOutcome> + '_ {
        let binding = self.function(function).binding.clone();
        self.invoke(function, azure::queue_message(&binding, message))
    }

    /// A Storage queue message delivered as the host delivers it until it
    /// succeeds or is poisoned: again after each failure with
    /// `DequeueCount` one higher, up to `maxDequeueCount` (5 unless
    /// `host.json` sets `extensions.queues.maxDequeueCount`). The outcomes
    /// in order; the message went to the poison queue when the last failed.
    ///
    /// # Panics
    ///
    /// When the app has no function `function`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::Message;
    /// use anyfn_test::{AzureEmulator, AzureTriggerType};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = AzureEmulator::builder()
    ///     .function("work", AzureTriggerType::Queue, "message")
    ///     .build()?;
    /// // No handler listens: every delivery fails, and the fifth poisons the message.
    /// let outcomes = emulator.queue_until_settled("work", &Message::new("m-1", "hello")).await;
    /// assert_eq!(outcomes.len(), 5);
    /// assert_eq!(outcomes[4].sent()["Metadata"]["DequeueCount"], "5");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn queue_until_settled(
        &self,
        function: &str,
        message: &Message,
    ) -> Vec<AzureOutcome> {
        let max = self.app.settings.max_dequeue_count.unwrap_or(5).max(1);
        let mut outcomes = Vec::new();
        for attempt in message.delivery_attempt.unwrap_or(1)..=max {
            let delivery = message.clone().with_delivery_attempt(attempt);
            let outcome = self.queue(function, &delivery).await;
            let done = outcome.succeeded();
            outcomes.push(outcome);
            if done {
                break;
            }
        }
        outcomes
    }

    /// A Service Bus message ([`azure::service_bus_message`]).
    ///
    /// # Panics
    ///
    /// When the app has no function `function`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::Message;
    /// use anyfn_test::{AzureEmulator, AzureTriggerType};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = AzureEmulator::builder()
    ///     .function("orders", AzureTriggerType::ServiceBus, "message")
    ///     .build()?;
    /// let message = Message::new("m-1", "hello").with_ordering_key("customer-7");
    /// let outcome = emulator.service_bus("orders", &message).await;
    /// assert_eq!(outcome.sent()["Metadata"]["MessageId"], "\"m-1\"");
    /// assert_eq!(outcome.sent()["Metadata"]["SessionId"], "\"customer-7\"");
    /// # Ok(())
    /// # }
    /// ```
    #[track_caller]
    pub fn service_bus(
        &self,
        function: &str,
        message: &Message,
    ) -> impl std::future::Future<Output = AzureOutcome> + '_ {
        let binding = self.function(function).binding.clone();
        self.invoke(function, azure::service_bus_message(&binding, message))
    }

    /// A blob: `object`'s bucket is the container, its key the blob's name,
    /// `content` its bytes ([`azure::blob`]).
    ///
    /// # Panics
    ///
    /// When the app has no function `function`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::{ObjectChange, ObjectEvent};
    /// use anyfn_test::{AzureEmulator, AzureTriggerType};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = AzureEmulator::builder()
    ///     .function("thumbnail", AzureTriggerType::Blob, "image")
    ///     .build()?;
    /// let photo = ObjectEvent::new(ObjectChange::Created, "photos", "cat.jpg");
    /// let outcome = emulator.blob("thumbnail", &photo, b"abc").await;
    /// assert_eq!(outcome.sent()["Data"]["image"], "YWJj");
    /// assert_eq!(outcome.sent()["Metadata"]["name"], "\"cat.jpg\"");
    /// # Ok(())
    /// # }
    /// ```
    #[track_caller]
    pub fn blob(
        &self,
        function: &str,
        object: &ObjectEvent,
        content: &[u8],
    ) -> impl std::future::Future<Output = AzureOutcome> + '_ {
        let binding = self.function(function).binding.clone();
        self.invoke(function, azure::blob(&binding, object, content))
    }

    /// A timer tick ([`azure::timer`]) fired at the tick's time: the
    /// host's `sys.UtcNow` is `tick.time` and its `sys.RandGuid` is
    /// `tick.id`. (The schedule's name on Azure is the function's: the
    /// tick's `schedule` is not sent.)
    ///
    /// # Panics
    ///
    /// When the app has no function `function`.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::UNIX_EPOCH;
    /// use anyfn::event::ScheduleTick;
    /// use anyfn_test::{AzureEmulator, AzureTriggerType};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = AzureEmulator::builder()
    ///     .function("nightly", AzureTriggerType::Timer, "timer")
    ///     .build()?;
    /// let outcome = emulator.timer("nightly", &ScheduleTick::new("tick-1", UNIX_EPOCH), false).await;
    /// let sys = &outcome.sent()["Metadata"]["sys"];
    /// assert_eq!(sys["UtcNow"], "1970-01-01T00:00:00.0000000Z");
    /// assert_eq!(sys["RandGuid"], "tick-1");
    /// assert_eq!(outcome.sent()["Data"]["timer"]["IsPastDue"], false);
    /// # Ok(())
    /// # }
    /// ```
    #[track_caller]
    pub fn timer(
        &self,
        function: &str,
        tick: &ScheduleTick,
        past_due: bool,
    ) -> impl std::future::Future<Output = AzureOutcome> + '_ {
        let binding = self.function(function).binding.clone();
        self.invoke_at(
            function,
            azure::timer(&binding, tick, past_due),
            tick.time,
            Some(&tick.id),
        )
    }

    /// An Event Grid event in the Event Grid schema
    /// ([`azure::event_grid_event`]).
    ///
    /// # Panics
    ///
    /// When the app has no function `function`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::CloudEvent;
    /// use anyfn_test::{AzureEmulator, AzureTriggerType};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = AzureEmulator::builder()
    ///     .function("items", AzureTriggerType::EventGrid, "event")
    ///     .build()?;
    /// let event = CloudEvent::new("1", "/subscriptions/s/resourceGroups/g", "Contoso.Items.ItemReceived");
    /// let outcome = emulator.event_grid("items", &event).await;
    /// assert_eq!(outcome.sent()["Data"]["event"]["eventType"], "Contoso.Items.ItemReceived");
    /// assert_eq!(outcome.sent()["Data"]["event"]["topic"], "/subscriptions/s/resourceGroups/g");
    /// # Ok(())
    /// # }
    /// ```
    #[track_caller]
    pub fn event_grid(
        &self,
        function: &str,
        event: &CloudEvent,
    ) -> impl std::future::Future<Output = AzureOutcome> + '_ {
        let binding = self.function(function).binding.clone();
        self.invoke(function, azure::event_grid_event(&binding, event))
    }

    /// An Event Grid event in the CloudEvents schema
    /// ([`azure::event_grid_cloud_event`]).
    ///
    /// # Panics
    ///
    /// When the app has no function `function`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::event::CloudEvent;
    /// use anyfn_test::{AzureEmulator, AzureTriggerType};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = AzureEmulator::builder()
    ///     .function("items", AzureTriggerType::EventGrid, "event")
    ///     .build()?;
    /// let event = CloudEvent::new("1", "/items", "com.example.item.received");
    /// let outcome = emulator.event_grid_cloud_event("items", &event).await;
    /// assert_eq!(outcome.sent()["Data"]["event"]["specversion"], "1.0");
    /// assert_eq!(outcome.sent()["Data"]["event"]["type"], "com.example.item.received");
    /// # Ok(())
    /// # }
    /// ```
    #[track_caller]
    pub fn event_grid_cloud_event(
        &self,
        function: &str,
        event: &CloudEvent,
    ) -> impl std::future::Future<Output = AzureOutcome> + '_ {
        let binding = self.function(function).binding.clone();
        self.invoke(function, azure::event_grid_cloud_event(&binding, event))
    }

    /// The route parameters a request path (under the route prefix) gives
    /// `function`, or `None` when the host would not route it there.
    ///
    /// # Panics
    ///
    /// When the app has no function `function`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_test::{AzureAppFunction, AzureEmulator, AzureTriggerType};
    ///
    /// let mut item = AzureAppFunction::new("item", AzureTriggerType::Http, "req");
    /// item.route = Some("items/{id}".to_owned());
    /// let emulator = AzureEmulator::builder().with_function(item).build()?;
    /// let params = emulator.route_params("item", "/api/items/7").expect("routed");
    /// assert_eq!(params["id"], "7");
    /// assert_eq!(emulator.route_params("item", "/api/orders/7"), None);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn route_params(&self, function: &str, path: &str) -> Option<BTreeMap<String, String>> {
        let definition = self.function(function);
        let prefix = self.app.settings.route_prefix.as_deref().unwrap_or("api");
        let path = path.trim_start_matches('/');
        let relative = if prefix.is_empty() {
            path
        } else {
            let rest = path.strip_prefix(prefix)?;
            if !(rest.is_empty() || rest.starts_with('/')) {
                return None;
            }
            rest
        };
        app::match_route(definition.route_template(), relative)
    }
}
