//! The stderr log that `serve` sets up when the program has none.
//!
//! Lines are handed to a writer thread instead of being written by the
//! thread serving the request: one `write` to stderr per request (the REPORT
//! line) would otherwise cost a system call on the request path. The writer
//! thread writes whatever has queued in one go, and flushes whenever the
//! queue is empty, so an idle server's log is never behind.

#[cfg(feature = "default-subscriber")]
mod enabled {
    use std::io::{IsTerminal, Write};
    use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
    use std::sync::OnceLock;
    use std::time::Duration;

    use tracing_subscriber::filter::Targets;
    use tracing_subscriber::fmt::MakeWriter;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;

    /// Lines waiting for the writer thread, at most; past that, the request
    /// thread writes its line itself rather than lose it.
    const QUEUE: usize = 64 * 1024;

    enum Message {
        Line(Vec<u8>),
        Flush(mpsc::Sender<()>),
    }

    static QUEUE_SENDER: OnceLock<SyncSender<Message>> = OnceLock::new();

    /// Installs a `tracing` subscriber writing to stderr at `info` (or what
    /// `RUST_LOG` says, as `target=level` pairs), unless one is already set.
    pub(crate) fn install_default_subscriber() {
        if tracing::dispatcher::has_been_set() {
            return;
        }
        let filter = std::env::var("RUST_LOG")
            .ok()
            .and_then(|spec| spec.parse::<Targets>().ok())
            .unwrap_or_else(|| Targets::new().with_default(tracing::Level::INFO));
        let writer = match spawn_writer() {
            Some(sender) => QueuedStderr(Some(sender)),
            None => QueuedStderr(None),
        };
        let _ = tracing_subscriber::registry()
            .with(
                tracing_subscriber::fmt::layer()
                    .with_writer(writer)
                    .with_ansi(std::io::stderr().is_terminal()),
            )
            .with(filter)
            .try_init();
    }

    /// Waits (briefly) until every queued line is written: called when the
    /// server stops, so the last lines are not lost when the process exits.
    pub(crate) fn flush() {
        if let Some(sender) = QUEUE_SENDER.get() {
            let (done, wait) = mpsc::channel();
            if sender.send(Message::Flush(done)).is_ok() {
                let _ = wait.recv_timeout(Duration::from_secs(2));
            }
        }
    }

    fn spawn_writer() -> Option<SyncSender<Message>> {
        let (sender, receiver) = mpsc::sync_channel(QUEUE);
        std::thread::Builder::new()
            .name("anyfn-log".into())
            .spawn(move || write_lines(&receiver))
            .ok()?;
        let _ = QUEUE_SENDER.set(sender.clone());
        Some(sender)
    }

    fn write_lines(receiver: &Receiver<Message>) {
        let stderr = std::io::stderr();
        let mut out = std::io::BufWriter::with_capacity(64 * 1024, stderr.lock());
        while let Ok(first) = receiver.recv() {
            let mut pending = Some(first);
            while let Some(message) = pending.take() {
                match message {
                    Message::Line(line) => {
                        let _ = out.write_all(&line);
                    }
                    Message::Flush(done) => {
                        let _ = out.flush();
                        let _ = done.send(());
                    }
                }
                pending = receiver.try_recv().ok();
            }
            let _ = out.flush();
        }
    }

    /// Hands each formatted event to the writer thread.
    struct QueuedStderr(Option<SyncSender<Message>>);

    impl<'a> MakeWriter<'a> for QueuedStderr {
        type Writer = EventWriter;

        fn make_writer(&'a self) -> EventWriter {
            EventWriter {
                sender: self.0.clone(),
                line: Vec::new(),
            }
        }
    }

    /// One event's bytes, sent as one line when the event is done.
    struct EventWriter {
        sender: Option<SyncSender<Message>>,
        line: Vec<u8>,
    }

    impl Write for EventWriter {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.line.extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Drop for EventWriter {
        fn drop(&mut self) {
            if self.line.is_empty() {
                return;
            }
            let line = std::mem::take(&mut self.line);
            let unsent = match &self.sender {
                Some(sender) => match sender.try_send(Message::Line(line)) {
                    Ok(()) => return,
                    Err(TrySendError::Full(Message::Line(line)))
                    | Err(TrySendError::Disconnected(Message::Line(line))) => line,
                    Err(_) => return,
                },
                None => line,
            };
            let _ = std::io::stderr().write_all(&unsent);
        }
    }
}

#[cfg(feature = "default-subscriber")]
pub(crate) use enabled::{flush, install_default_subscriber};

#[cfg(not(feature = "default-subscriber"))]
pub(crate) fn install_default_subscriber() {}

#[cfg(not(feature = "default-subscriber"))]
pub(crate) fn flush() {}
