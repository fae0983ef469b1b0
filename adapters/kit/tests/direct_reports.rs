//! `REPORT` lines of a subscriber installed with [`DirectReports`]: written
//! by its writer while it is the current subscriber and no span is
//! entered, the same line its format layer writes; `tracing` events
//! otherwise. One test, in a process of its own: it sets the global
//! default.

use std::cell::Cell;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyfn_kit::logging::{rust_log_targets, DirectReports, LineFormat, TextFields};
use anyfn_kit::{InvocationReport, Pricing};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt as _;

/// A writer keeping every write, each as one piece.
#[derive(Clone, Default)]
struct Writes(Arc<Mutex<Vec<String>>>);

impl Writes {
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().expect("not poisoned"))
    }
}

impl std::io::Write for Writes {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .expect("not poisoned")
            .push(String::from_utf8_lossy(bytes).into_owned());
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Writes {
    type Writer = Self;
    fn make_writer(&'a self) -> Self {
        self.clone()
    }
}

/// A text subscriber writing to `writes`, filtered by `RUST_LOG`-style `filter`.
fn text_subscriber(
    writes: &Writes,
    filter: &str,
) -> impl tracing::Subscriber + Send + Sync + 'static {
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .fmt_fields(TextFields)
                .event_format(LineFormat)
                .with_writer(writes.clone())
                .with_ansi(false),
        )
        .with(rust_log_targets(Some(filter)))
}

/// The line after its time.
fn after_time(line: &str) -> &str {
    &line[27..]
}

#[test]
fn report_lines_are_written_directly_only_where_the_event_would_write_the_same() {
    // The direct lines to a writer of their own, to tell them from the
    // events (in use, both are the subscriber's writer).
    let installed = Writes::default();
    let written_directly = Writes::default();
    DirectReports::text(&rust_log_targets(Some("info")))
        .with_writer(written_directly.clone())
        .init(text_subscriber(&installed, "info"))
        .expect("the first global default");
    let report = || {
        InvocationReport::borrowing(
            "8476a536-e9f4-11e8-9739-2dfe598c3fcd",
            Duration::from_micros(1_250),
            128,
            Pricing::default(),
        )
    };
    let line = report().to_string();
    let expected = format!("  INFO anyfn::report: {line}\n");
    // Logs the report; whether it was made.
    let log = || {
        let made = Cell::new(false);
        anyfn_kit::log_report(|| {
            made.set(true);
            report()
        });
        made.get()
    };

    // The installed subscriber, no span: written directly, one write.
    assert!(log());
    assert_eq!(installed.take(), Vec::<String>::new());
    let direct = written_directly.take();
    assert_eq!(direct.len(), 1, "{direct:?}");
    assert_eq!(after_time(&direct[0]), expected);

    // The same line as the event the format layer writes.
    tracing::info!(target: "anyfn::report", "{line}");
    let event = installed.take();
    assert_eq!(event.len(), 1, "{event:?}");
    assert_eq!(after_time(&event[0]), after_time(&direct[0]));

    // In a span: the event, which names the span.
    let context = anyfn::Context::builder().request_id("req-1").build();
    {
        let _span = anyfn_kit::invocation_span(&context).entered();
        assert!(log());
    }
    assert_eq!(written_directly.take(), Vec::<String>::new());
    let in_span = installed.take();
    assert_eq!(in_span.len(), 1, "{in_span:?}");
    assert_eq!(
        after_time(&in_span[0]),
        format!("  INFO invocation{{request_id=\"req-1\"}}: anyfn::report: {line}\n")
    );

    // Under a subscriber set for a scope: its lines, by its filter.
    let scoped = Writes::default();
    tracing::subscriber::with_default(text_subscriber(&scoped, "info"), || {
        assert!(log());
    });
    assert_eq!(installed.take(), Vec::<String>::new());
    let scoped_lines = scoped.take();
    assert_eq!(scoped_lines.len(), 1, "{scoped_lines:?}");
    assert_eq!(after_time(&scoped_lines[0]), expected);
    // Not made when its filter leaves it out.
    tracing::subscriber::with_default(text_subscriber(&scoped, "warn"), || {
        assert!(!log());
    });
    assert_eq!(scoped.take(), Vec::<String>::new());
    assert_eq!(installed.take(), Vec::<String>::new());

    assert_eq!(written_directly.take(), Vec::<String>::new());

    // Back to the installed one.
    assert!(log());
    assert_eq!(written_directly.take().len(), 1);
    assert_eq!(installed.take(), Vec::<String>::new());
}
