//! The function the emulator runs: started, its output captured, restarted
//! after a timeout as Lambda replaces an execution environment.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::lock;

/// The most output lines kept: the oldest go first.
const OUTPUT_LINES: usize = 10_000;

/// What the function wrote to stdout and stderr, line by line, as Lambda
/// sends it to CloudWatch Logs.
#[derive(Debug, Clone, Default)]
pub(crate) struct Output(Arc<Mutex<VecDeque<String>>>);

impl Output {
    pub(crate) fn lines(&self) -> Vec<String> {
        lock(&self.0).iter().cloned().collect()
    }

    /// Reads `stream` line by line into the output, on a thread of its own.
    fn capture(&self, stream: impl Read + Send + 'static) {
        let lines = Arc::clone(&self.0);
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                let mut lines = lock(&lines);
                if lines.len() == OUTPUT_LINES {
                    lines.pop_front();
                }
                lines.push_back(line);
            }
        });
    }
}

/// How the function was started, to start it again.
#[derive(Debug)]
pub(crate) struct Launch {
    program: OsString,
    args: Vec<OsString>,
    envs: Vec<(OsString, Option<OsString>)>,
    current_dir: Option<PathBuf>,
    child: Arc<Mutex<Option<Child>>>,
}

impl Launch {
    /// How `command` starts the function; no process yet.
    pub(crate) fn of(command: &Command) -> Self {
        Self {
            program: command.get_program().to_owned(),
            args: command.get_args().map(ToOwned::to_owned).collect(),
            envs: command
                .get_envs()
                .map(|(name, value)| (name.to_owned(), value.map(ToOwned::to_owned)))
                .collect(),
            current_dir: command.get_current_dir().map(ToOwned::to_owned),
            child: Arc::default(),
        }
    }

    /// A command that starts the function this way again.
    pub(crate) fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command.args(&self.args);
        for (name, value) in &self.envs {
            match value {
                Some(value) => command.env(name, value),
                None => command.env_remove(name),
            };
        }
        if let Some(dir) = &self.current_dir {
            command.current_dir(dir);
        }
        command
    }

    /// Takes charge of `child`, started this way; the handle follows it
    /// across restarts.
    pub(crate) fn running(&self, child: Child) -> FunctionProcess {
        *lock(&self.child) = Some(child);
        FunctionProcess {
            child: Arc::clone(&self.child),
        }
    }

    /// The slot of the process running now, which restarts replace and
    /// [`FunctionProcess`] follows.
    pub(crate) fn child(&self) -> Arc<Mutex<Option<Child>>> {
        Arc::clone(&self.child)
    }

    /// Kills the running process and starts a new one the same way, its
    /// output captured into `output`.
    pub(crate) fn restart(&self, output: &Output) -> std::io::Result<()> {
        let mut slot = lock(&self.child);
        if let Some(mut old) = slot.take() {
            let _ = old.kill();
            let _ = old.wait();
        }
        *slot = Some(start_captured(self.command(), output)?);
        Ok(())
    }
}

/// Starts `command` with its stdout and stderr captured into `output`.
pub(crate) fn start_captured(mut command: Command, output: &Output) -> std::io::Result<Child> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn()?;
    if let Some(stdout) = child.stdout.take() {
        output.capture(stdout);
    }
    if let Some(stderr) = child.stderr.take() {
        output.capture(stderr);
    }
    Ok(child)
}

/// A function running as a child process; killed on drop. After a timeout
/// the emulator replaces the process; this handle follows it.
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
/// emulator.invoke(r#"{"name":"Ada"}"#).await.expect_json();
/// assert!(function.id().is_some(), "running");
/// drop(function); // kills the process: nothing takes the next invocation
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct FunctionProcess {
    child: Arc<Mutex<Option<Child>>>,
}

impl FunctionProcess {
    /// The operating system's id of the function's process (the current one,
    /// after a restart), for signals and `/proc`; `None` once it is gone.
    ///
    /// # Example
    ///
    /// ```no_run
    /// # async fn example() -> std::io::Result<()> {
    /// let emulator = anyfn_test::LambdaEmulator::start().await?;
    /// let function = emulator.spawn("target/debug/examples/hello")?;
    /// let pid = function.id().expect("running");
    /// assert!(std::path::Path::new(&format!("/proc/{pid}")).exists());
    /// # Ok(())
    /// # }
    /// ```
    pub fn id(&self) -> Option<u32> {
        lock(&self.child).as_ref().map(Child::id)
    }

    /// The exit status, if the process has exited.
    ///
    /// # Errors
    ///
    /// When the status cannot be read.
    ///
    /// # Example
    ///
    /// ```no_run
    /// use anyfn_test::LambdaEmulator;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = LambdaEmulator::start().await?;
    /// let mut function = emulator.spawn("target/debug/examples/greet-json")?;
    /// emulator.invoke(r#"{"name":"Ada"}"#).await.expect_json();
    /// assert_eq!(function.try_exit_status()?, None, "still polling for invocations");
    /// # Ok(())
    /// # }
    /// ```
    pub fn try_exit_status(&mut self) -> std::io::Result<Option<ExitStatus>> {
        match lock(&self.child).as_mut() {
            Some(child) => child.try_wait(),
            None => Ok(None),
        }
    }

    /// Waits up to `bound` for the process to exit, polling.
    ///
    /// # Errors
    ///
    /// When the status cannot be read.
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
    /// let mut function = emulator.spawn("target/debug/examples/greet-json")?;
    /// let serving = function.exit_status_within(Duration::from_millis(100)).await?;
    /// assert_eq!(serving, None, "it polls for invocations");
    /// emulator.shut_down().await?;
    /// let status = function.exit_status_within(Duration::from_secs(1)).await?;
    /// assert!(status.is_some_and(|status| !status.success()), "killed");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn exit_status_within(
        &mut self,
        bound: Duration,
    ) -> std::io::Result<Option<ExitStatus>> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.try_exit_status()? {
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
        if let Some(mut child) = lock(&self.child).take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
