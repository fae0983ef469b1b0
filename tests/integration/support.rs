//! Helpers shared by the integration tests.

use std::future::Future;
use std::time::Duration;

/// Polls `probe` until it returns `Some`, every millisecond, for at most
/// `bound`; panics with `what` when the bound passes. Readiness is polled,
/// never slept for.
pub async fn poll_until<T, F, Fut>(what: &str, bound: Duration, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + bound;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "gave up after {bound:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// Fails the test if `future` takes longer than `bound`: no test can hang.
pub async fn within<T>(bound: Duration, what: &str, future: impl Future<Output = T>) -> T {
    match tokio::time::timeout(bound, future).await {
        Ok(value) => value,
        Err(_) => panic!("{what} did not finish within {bound:?}"),
    }
}

/// Sends `request` on a new connection to `addr` and reads the answer until
/// the server closes the connection (at most 10 s), as text.
pub async fn send_raw(addr: std::net::SocketAddr, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .expect("connects");
    stream.write_all(request).await.expect("sends");
    let mut out = Vec::new();
    within(
        Duration::from_secs(10),
        "the answer",
        stream.read_to_end(&mut out),
    )
    .await
    .expect("reads");
    String::from_utf8_lossy(&out).into_owned()
}

/// An example binary running as a local server (`PORT=0`, not on Lambda),
/// its stderr read line by line.
pub struct ExampleServer {
    pub child: std::process::Child,
    pub addr: std::net::SocketAddr,
    /// The INIT line.
    pub init_line: String,
    /// Every stderr line after the INIT line, as it arrives.
    pub lines: std::sync::mpsc::Receiver<String>,
}

impl ExampleServer {
    /// Starts example `name` with `RUST_LOG=info` and waits (at most 20 s)
    /// for its INIT line, which names the address it listens on. Its stderr
    /// is a pipe, not a terminal, as under a container platform.
    pub fn start(name: &str) -> Self {
        Self::start_with_env(name, &[])
    }

    /// [`start`](Self::start) with more environment variables.
    pub fn start_with_env(name: &str, env: &[(&str, &str)]) -> Self {
        Self::spawn(
            std::process::Command::new(crate::lambda::example(name)),
            env,
        )
    }

    /// [`start_with_env`](Self::start_with_env) for any command: an
    /// example, or a test binary running a child entry point of its own.
    pub fn spawn(mut command: std::process::Command, env: &[(&str, &str)]) -> Self {
        use std::io::{BufRead, BufReader};
        use std::process::Stdio;

        let mut child = command
            .envs(env.iter().copied())
            .env("PORT", "0")
            .env_remove("AWS_LAMBDA_RUNTIME_API")
            .env_remove("FUNCTIONS_CUSTOMHANDLER_PORT")
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the example starts");
        let stderr = child.stderr.take().expect("stderr piped");
        let (line_sender, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if line_sender.send(line).is_err() {
                    break;
                }
            }
        });
        let addr = loop {
            let line = lines
                .recv_timeout(Duration::from_secs(20))
                .expect("the INIT line");
            if let Some(rest) = line.split("INIT listening on http://").nth(1) {
                // The address ends at a tab, or at its JSON escape `\t`
                // when the log is JSON (on Cloud Run).
                let addr = rest
                    .split(|c: char| c.is_whitespace() || c == '\\')
                    .next()
                    .unwrap_or_default();
                let addr = addr.parse().expect("an address in the INIT line");
                break (addr, line);
            }
        };
        let (addr, init_line) = addr;
        Self {
            child,
            addr,
            init_line,
            lines,
        }
    }

    /// The next stderr line that contains `needle`, waiting at most `bound`.
    pub fn line_containing(&self, needle: &str, bound: Duration) -> String {
        let deadline = std::time::Instant::now() + bound;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => {}
                Err(_) => panic!("no stderr line with {needle:?} within {bound:?}"),
            }
        }
    }

    /// Sends SIGTERM.
    pub fn terminate(&self) {
        let status = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
    }
}

impl Drop for ExampleServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// This test binary running only its ignored test `test` (a module path,
/// such as `snapstart::snapstart_child`) as a child process, its output not
/// captured by the test harness: the function of a test that needs one in
/// a process of its own. `--nocapture` lets the child's lines reach the
/// emulator or the pipe that reads them.
pub fn child_test(test: &str) -> std::process::Command {
    let mut command = std::process::Command::new(std::env::current_exe().expect("the test binary"));
    command.args(["--ignored", "--exact", test, "--nocapture"]);
    command
}
