//! For the logging tests: what a `fmt` layer writes, kept in memory.

use std::io;
use std::sync::{Arc, Mutex};

use tracing_subscriber::fmt::MakeWriter;

/// The span lambda_runtime opens around each invocation, with the ids of
/// AWS's documented example invocation.
pub(super) fn lambda_invocation_span() -> tracing::Span {
    tracing::info_span!(
        "Lambda runtime invoke",
        requestId = "8476a536-e9f4-11e8-9739-2dfe598c3fcd",
        xrayTraceId = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
    )
}

/// A writer keeping everything written to it (clones share it).
#[derive(Clone, Default)]
pub(crate) struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// Everything written so far.
    pub(crate) fn text(&self) -> String {
        let bytes = self.0.lock().map(|bytes| bytes.clone()).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// What was written, line by line.
    pub(super) fn lines(&self) -> Vec<String> {
        self.text().lines().map(str::to_owned).collect()
    }
}

impl io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if let Ok(mut captured) = self.0.lock() {
            captured.extend_from_slice(bytes);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Self;

    fn make_writer(&'a self) -> Self {
        self.clone()
    }
}

/// Runs `f` with `subscriber` set for its scope, made with
/// [`scoped_dispatch`](super::scoped_dispatch) so that the kit's other
/// tests, reaching a statement first without a subscriber, cannot hide it.
pub(crate) fn with_scoped<S, T>(subscriber: S, f: impl FnOnce() -> T) -> T
where
    S: tracing::Subscriber + Send + Sync + 'static,
{
    tracing::dispatcher::with_default(&super::scoped_dispatch(subscriber), f)
}
