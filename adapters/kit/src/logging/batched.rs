//! A log writer: stderr, with `REPORT` lines batched ([`BatchedStderr`]).

use std::io::{self, IsTerminal, Write};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::thread;
use std::time::Duration;

use tracing::{Level, Metadata};
use tracing_subscriber::fmt::MakeWriter;

use crate::report::REPORT_TARGET;

/// Batched lines are written out this long after the first of them...
const FLUSH_INTERVAL: Duration = Duration::from_millis(50);

/// ...or at once, by the thread logging, when this many bytes are waiting:
/// the flusher has fallen behind (stderr is slow), and the buffer must not
/// grow without bound. Well above what a busy server logs in
/// [`FLUSH_INTERVAL`] (some 300 KiB at 30,000 requests a second).
const MAX_WAITING: usize = 1024 * 1024;

/// The room each of the two buffers is made with: what a busy server
/// logs in [`FLUSH_INTERVAL`] at some 1,000 requests a second.
const BUFFER_ROOM: usize = 64 * 1024;

/// The lines waiting to be written; the last buffer written out, kept to
/// take the next lines without growing a new one (in a thread that serves
/// requests); whether the flusher sleeps until a first line arrives.
struct Waiting {
    lines: Vec<u8>,
    spare: Vec<u8>,
    flusher_idle: bool,
}

static WAITING: Mutex<Waiting> = Mutex::new(Waiting {
    lines: Vec::new(),
    spare: Vec::new(),
    flusher_idle: false,
});

/// Wakes the idle flusher when the first line of a batch arrives.
static FIRST_LINE: Condvar = Condvar::new();

/// Writes log lines to stderr. One `REPORT` line per request, each its own
/// `write` to a file or pipe, cost more than the rest of a small invocation;
/// so, when stderr is not a terminal, `REPORT` lines (target `anyfn::report`,
/// level `INFO`) wait in a buffer that a thread of their own writes out in
/// one call 50 ms after its first line, and again every 50 ms
/// while lines keep coming: under steady load, a request's
/// thread makes no system call for its `REPORT` line. Lines are written at
/// once when 1 MiB wait, before any other line, and by
/// [`flush`]. Every other line is written at once, after the ones waiting, so
/// the order of lines is the order of events.
///
/// A process killed without warning may lose the `REPORT` lines of its last
/// 50 ms; a graceful shutdown writes them all (after [`flush`]).
///
/// # Example
///
/// ```
/// let subscriber = tracing_subscriber::fmt()
///     .with_writer(anyfn_kit::logging::BatchedStderr::new())
///     .finish();
/// tracing::subscriber::with_default(subscriber, || {
///     tracing::info!(target: "anyfn::report", "REPORT RequestId: req-1");
/// });
/// // At shutdown: what waits is written out.
/// anyfn_kit::logging::flush();
/// ```
#[derive(Debug)]
pub struct BatchedStderr {
    batching: bool,
}

impl BatchedStderr {
    /// Batches when stderr is not a terminal, and then starts the flusher
    /// thread (one per process, however many writers are made).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_kit::logging::{BatchedStderr, LineFormat, TextFields};
    ///
    /// let subscriber = tracing_subscriber::fmt()
    ///     .fmt_fields(TextFields)
    ///     .event_format(LineFormat)
    ///     .with_writer(BatchedStderr::new())
    ///     .finish();
    /// tracing::subscriber::with_default(subscriber, || tracing::info!("written at once"));
    /// ```
    pub fn new() -> Self {
        static FLUSHER: OnceLock<bool> = OnceLock::new();
        let batching = !io::stderr().is_terminal()
            && *FLUSHER.get_or_init(|| {
                // Both buffers at their working size from the start: grown
                // a line at a time while requests come, each move left a
                // hole in the heap, and the hole made every request's
                // other allocations slower (`benches/instructions_vs_hyper.sh`).
                {
                    let mut waiting = lock_waiting();
                    waiting.lines.reserve(BUFFER_ROOM);
                    waiting.spare.reserve(BUFFER_ROOM);
                }
                thread::Builder::new()
                    .name("anyfn-log-flush".to_owned())
                    .spawn(flush_periodically)
                    .is_ok()
            });
        Self { batching }
    }

    /// The writer of a `REPORT` line (target `anyfn::report`, `INFO`):
    /// what [`make_writer_for`](MakeWriter::make_writer_for) gives for one.
    pub(super) fn report_writer(&self) -> LineWriter {
        LineWriter {
            batch: self.batching,
        }
    }
}

impl Default for BatchedStderr {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a> MakeWriter<'a> for BatchedStderr {
    type Writer = LineWriter;

    fn make_writer(&'a self) -> LineWriter {
        LineWriter { batch: false }
    }

    fn make_writer_for(&'a self, metadata: &Metadata<'_>) -> LineWriter {
        if *metadata.level() == Level::INFO && metadata.target() == REPORT_TARGET {
            self.report_writer()
        } else {
            self.make_writer()
        }
    }
}

/// One event's line, on its way to stderr ([`BatchedStderr`]'s writer).
///
/// # Example
///
/// ```
/// use std::io::Write as _;
/// use tracing_subscriber::fmt::MakeWriter as _;
///
/// let stderr = anyfn_kit::logging::BatchedStderr::new();
/// let mut writer = stderr.make_writer(); // not a `REPORT` line: written at once
/// let line = b"a line of its own\n";
/// assert_eq!(writer.write(line)?, line.len());
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct LineWriter {
    batch: bool,
}

impl LineWriter {
    /// Writes `head`, `rest` and a newline as [`write`](Write::write)
    /// writes one line: without first copying them into one buffer.
    pub(super) fn write_headed<const N: usize>(&self, head: &[u8; N], rest: &[u8]) {
        let mut waiting = lock_waiting();
        let lines = &mut waiting.lines;
        lines.reserve(N + rest.len() + 1);
        lines.extend_from_slice(head);
        lines.extend_from_slice(rest);
        lines.push(b'\n');
        self.added(waiting);
    }

    /// Writes out what waits, or has it written out, now that a line was
    /// added.
    fn added(&self, mut waiting: MutexGuard<'_, Waiting>) {
        if !self.batch || waiting.lines.len() >= MAX_WAITING {
            write_out(waiting);
        } else if waiting.flusher_idle {
            // The one system call of a batch: the flusher's wake-up.
            waiting.flusher_idle = false;
            FIRST_LINE.notify_one();
        }
    }
}

impl Write for LineWriter {
    fn write(&mut self, line: &[u8]) -> io::Result<usize> {
        let mut waiting = lock_waiting();
        waiting.lines.extend_from_slice(line);
        self.added(waiting);
        Ok(line.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes out the lines [`BatchedStderr`] holds back, if any. The server
/// calls it after its `INIT` line, so that whoever waits for that line sees
/// it at once, and at shutdown.
///
/// # Example
///
/// ```
/// anyfn_kit::logging::flush(); // nothing waits: nothing is written
/// ```
pub fn flush() {
    let waiting = lock_waiting();
    if !waiting.lines.is_empty() {
        write_out(waiting);
    }
}

/// Writes the waiting lines to stderr and empties the buffer. The stderr lock
/// is taken before the buffer's is let go, so batches leave in order, and the
/// write itself does not hold up threads adding lines.
fn write_out(mut waiting: MutexGuard<'_, Waiting>) {
    let spare = std::mem::take(&mut waiting.spare);
    let mut lines = std::mem::replace(&mut waiting.lines, spare);
    let mut stderr = io::stderr().lock();
    drop(waiting);
    // Like any logger, nothing to do when stderr is gone.
    let _ = stderr.write_all(&lines);
    drop(stderr);
    lines.clear();
    let mut waiting = lock_waiting();
    if waiting.spare.capacity() < lines.capacity() {
        waiting.spare = lines;
    }
}

/// The flusher thread: sleeps until a batch starts, then writes out what
/// waits every [`FLUSH_INTERVAL`] until a round finds nothing.
fn flush_periodically() {
    loop {
        let mut waiting = lock_waiting();
        while waiting.lines.is_empty() {
            waiting.flusher_idle = true;
            waiting = FIRST_LINE
                .wait(waiting)
                .unwrap_or_else(PoisonError::into_inner);
        }
        waiting.flusher_idle = false;
        drop(waiting);
        thread::sleep(FLUSH_INTERVAL);
        flush();
    }
}

fn lock_waiting() -> MutexGuard<'static, Waiting> {
    // A panic while holding the lock leaves whole lines behind: keep going.
    WAITING.lock().unwrap_or_else(PoisonError::into_inner)
}
