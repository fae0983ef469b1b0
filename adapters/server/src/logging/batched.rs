//! Where the default subscriber's lines go: stderr, with `REPORT` lines
//! batched.

use std::io::{self, IsTerminal, Write};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::Duration;

use tracing::{Level, Metadata};
use tracing_subscriber::fmt::MakeWriter;

/// Batched lines are written out when this many bytes are waiting...
const BATCH_BYTES: usize = 16 * 1024;

/// ...or this long after the first of them, whichever comes first.
const FLUSH_INTERVAL: Duration = Duration::from_millis(50);

/// Lines waiting to be written, in the order they were logged.
static WAITING: Mutex<Vec<u8>> = Mutex::new(Vec::new());

/// Wakes the flusher when the first line of a batch arrives.
static FIRST_LINE: Condvar = Condvar::new();

/// Writes log lines to stderr. One `REPORT` line per request, each its own
/// `write` to a file or pipe, cost more than the rest of a small invocation;
/// so, when stderr is not a terminal, `REPORT` lines (target `anyfn::report`,
/// level `INFO`) wait in a buffer that is written out in one call when it
/// holds [`BATCH_BYTES`], [`FLUSH_INTERVAL`] after its first line, before any
/// other line, and by [`flush`]. Every other line is written at once, after
/// the ones waiting, so the order of lines is the order of events.
///
/// A process killed without warning may lose the `REPORT` lines of its last
/// [`FLUSH_INTERVAL`]; a graceful shutdown writes them all.
pub(crate) struct Stderr {
    batching: bool,
}

impl Stderr {
    /// Batches when stderr is not a terminal, and then starts the flusher.
    pub(crate) fn new() -> Self {
        let batching = !io::stderr().is_terminal()
            && thread::Builder::new()
                .name("anyfn-log-flush".to_owned())
                .spawn(flush_periodically)
                .is_ok();
        Self { batching }
    }
}

impl<'a> MakeWriter<'a> for Stderr {
    type Writer = LineWriter;

    fn make_writer(&'a self) -> LineWriter {
        LineWriter { batch: false }
    }

    fn make_writer_for(&'a self, metadata: &Metadata<'_>) -> LineWriter {
        LineWriter {
            batch: self.batching
                && *metadata.level() == Level::INFO
                && metadata.target() == "anyfn::report",
        }
    }
}

/// One event's line, on its way to stderr.
pub(crate) struct LineWriter {
    batch: bool,
}

impl Write for LineWriter {
    fn write(&mut self, line: &[u8]) -> io::Result<usize> {
        let mut waiting = lock_waiting();
        let first = waiting.is_empty();
        waiting.extend_from_slice(line);
        if !self.batch || waiting.len() >= BATCH_BYTES {
            write_out(waiting);
        } else if first {
            FIRST_LINE.notify_one();
        }
        Ok(line.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes out the lines waiting, if any. The server calls it after its
/// `INIT` line, so that whoever waits for that line sees it at once.
pub(crate) fn flush() {
    let waiting = lock_waiting();
    if !waiting.is_empty() {
        write_out(waiting);
    }
}

/// Writes the waiting lines to stderr and empties the buffer. The stderr lock
/// is taken before the buffer's is let go, so batches leave in order, and the
/// write itself does not hold up threads adding lines.
fn write_out(mut waiting: MutexGuard<'_, Vec<u8>>) {
    let lines = std::mem::replace(&mut *waiting, Vec::with_capacity(BATCH_BYTES + 1024));
    let mut stderr = io::stderr().lock();
    drop(waiting);
    // Like any logger, nothing to do when stderr is gone.
    let _ = stderr.write_all(&lines);
}

/// The flusher thread: sleeps until a batch starts, lets it fill for
/// [`FLUSH_INTERVAL`], writes it out.
fn flush_periodically() {
    loop {
        let mut waiting = lock_waiting();
        while waiting.is_empty() {
            waiting = FIRST_LINE
                .wait(waiting)
                .unwrap_or_else(PoisonError::into_inner);
        }
        drop(waiting);
        thread::sleep(FLUSH_INTERVAL);
        flush();
    }
}

fn lock_waiting() -> MutexGuard<'static, Vec<u8>> {
    // A panic while holding the lock leaves whole lines behind: keep going.
    WAITING.lock().unwrap_or_else(PoisonError::into_inner)
}
