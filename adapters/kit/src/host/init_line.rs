//! The `INIT` line an HTTP adapter logs once it listens: [`InitLine`].

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use crate::report::REPORT_TARGET;

/// The `INIT` line: where the adapter listens, how long the process took to
/// get there (its cold start, from [`since_process_start`](crate::since_process_start)),
/// and the settings each invocation runs with. Scripts and tests wait for it
/// to know the adapter is ready; [`log`](Self::log) writes it at `info`
/// with the target `anyfn::report`, like the `REPORT` lines.
///
/// `INIT listening on http://<addr>\tInit Duration: <n> ms (process start to ready)[\t<name>: <value>]\tTimeout: <s> s\tMemory Size: <n> MB`
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use anyfn_kit::host::InitLine;
///
/// let line = InitLine::new(([127, 0, 0, 1], 3000).into(), Duration::from_secs(3), 128)
///     .with("Mode", "Envelope");
/// let line = line.to_string();
/// assert!(line.starts_with("INIT listening on http://127.0.0.1:3000\tInit Duration: "));
/// assert!(line.ends_with("(process start to ready)\tMode: Envelope\tTimeout: 3.00 s\tMemory Size: 128 MB"));
/// ```
#[derive(Debug, Clone)]
pub struct InitLine {
    local_addr: SocketAddr,
    init: Option<Duration>,
    extra: Vec<(&'static str, String)>,
    timeout: Duration,
    memory_mb: u32,
}

impl InitLine {
    /// The line for an adapter listening on `local_addr` whose invocations
    /// have `timeout` and `memory_mb`, its init duration read now.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn_kit::host::InitLine;
    ///
    /// let line = InitLine::new(([0, 0, 0, 0], 8080).into(), Duration::from_millis(2_500), 512).to_string();
    /// assert!(line.starts_with("INIT listening on http://0.0.0.0:8080\tInit Duration: "));
    /// assert!(line.ends_with("\tTimeout: 2.50 s\tMemory Size: 512 MB"));
    /// ```
    pub fn new(local_addr: SocketAddr, timeout: Duration, memory_mb: u32) -> Self {
        Self {
            local_addr,
            init: crate::since_process_start(),
            extra: Vec::new(),
            timeout,
            memory_mb,
        }
    }

    /// Adds `name: value` after the init duration (an adapter's own
    /// setting, such as Azure's mode).
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn_kit::host::InitLine;
    ///
    /// let line = InitLine::new(([127, 0, 0, 1], 3000).into(), Duration::from_secs(3), 128)
    ///     .with("Mode", "Envelope")
    ///     .with("Workers", 4);
    /// assert!(line.to_string().contains("(process start to ready)\tMode: Envelope\tWorkers: 4\tTimeout: 3.00 s"));
    /// ```
    pub fn with(mut self, name: &'static str, value: impl fmt::Display) -> Self {
        self.extra.push((name, value.to_string()));
        self
    }

    /// Logs the line at `info` with the `REPORT` lines' target,
    /// `anyfn::report`, so that the filter that keeps or drops them keeps
    /// or drops it too.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn_kit::host::InitLine;
    ///
    /// InitLine::new(([127, 0, 0, 1], 3000).into(), Duration::from_secs(3), 128).log();
    /// ```
    pub fn log(&self) {
        tracing::info!(target: REPORT_TARGET, "{self}");
    }
}

impl fmt::Display for InitLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "INIT listening on http://{}\tInit Duration: ",
            self.local_addr
        )?;
        match self.init {
            Some(init) => write!(f, "{} ms", init.as_millis())?,
            None => f.write_str("unknown")?,
        }
        f.write_str(" (process start to ready)")?;
        for (name, value) in &self.extra {
            write!(f, "\t{name}: {value}")?;
        }
        write!(
            f,
            "\tTimeout: {:.2} s\tMemory Size: {} MB",
            self.timeout.as_secs_f64(),
            self.memory_mb
        )
    }
}
