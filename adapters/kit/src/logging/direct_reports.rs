//! `REPORT` lines written by the default subscriber's own writer, not
//! through `tracing`'s event path ([`DirectReports`]).
//!
//! Not reached on wasm32: no adapter there installs it (a Worker logs
//! through its own console subscriber), and [`log_report`](crate::log_report)
//! does not look for it there, so that a Worker's module does not carry it.
#![cfg_attr(target_family = "wasm", allow(dead_code))]

use std::fmt::Write as _;
use std::io::Write as _;
use std::ptr;
use std::sync::OnceLock;
use std::time::SystemTime;

use tracing::level_filters::{LevelFilter, STATIC_MAX_LEVEL};
use tracing::{Dispatch, Level, Subscriber};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::util::{SubscriberInitExt as _, TryInitError};

use super::sanitize::JsonEscape;
use super::timestamp::{as_text, timestamp};
use super::BatchedStderr;
use crate::report::REPORT_TARGET;

/// Installs an adapter's default subscriber, and has it write each
/// `REPORT` line ([`log_report`](crate::log_report)) itself, as its formatter would: the same bytes, to the same writer.
///
/// A `REPORT` line is made by the kit from figures and an id with its
/// control characters escaped, outside any span. Sent as a `tracing`
/// event, it went through the dispatcher, the filter, the registry's span
/// lookup, the format layer's buffers and a sanitizing pass over the line
/// it could not know was clean: more than the invocation's span, and more
/// than the rest of a small request's logging (`benches/instructions_vs_hyper.sh`).
/// Written here, a line costs the clock read and one copy.
///
/// The line is written this way only while it is the same line the
/// subscriber would write:
///
/// - the subscriber installed by [`init`](Self::init) is the current one
///   (not one set for a scope with `tracing::subscriber::with_default`);
/// - no span is entered (a span would prefix the line);
/// - the filter given enables `anyfn::report` at `INFO`, and `tracing` was
///   not compiled without `INFO` events (its `max_level_*` features).
///
/// Otherwise, and without this, the line is a `tracing` event as before.
/// Only for a subscriber whose one format layer writes with
/// [`LineFormat`](super::LineFormat) (no ANSI colours) or
/// [`CloudLogging`](super::CloudLogging), filtered by `filter` alone: a
/// layer more (anyfn-otel's) would miss the line.
///
/// # Example
///
/// ```
/// use anyfn_kit::logging::{rust_log_targets, BatchedStderr, DirectReports, LineFormat, TextFields};
/// use tracing_subscriber::layer::SubscriberExt as _;
///
/// let filter = rust_log_targets(std::env::var("RUST_LOG").ok().as_deref());
/// let reports = DirectReports::text(&filter);
/// let subscriber = tracing_subscriber::registry()
///     .with(
///         tracing_subscriber::fmt::layer()
///             .fmt_fields(TextFields)
///             .event_format(LineFormat)
///             .with_writer(BatchedStderr::new()),
///     )
///     .with(filter);
/// reports.init(subscriber).expect("no subscriber was set before");
/// ```
#[must_use = "nothing is installed until `init`"]
pub struct DirectReports {
    format: Format,
    /// Whether the filter lets `REPORT` lines through.
    enabled: bool,
    sink: Sink,
}

/// Where [`DirectReports`] writes.
enum Sink {
    /// [`BatchedStderr`], as a `REPORT` line's writer.
    Stderr(BatchedStderr),
    /// Another writer ([`DirectReports::with_writer`]), given each line in
    /// one piece.
    Other(WriteLine),
}

/// Writes one whole line.
type WriteLine = Box<dyn Fn(&[u8]) + Send + Sync>;

impl std::fmt::Debug for DirectReports {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectReports")
            .field("format", &self.format)
            .field("enabled", &self.enabled)
            .finish_non_exhaustive()
    }
}

/// The formatter whose line [`DirectReports`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// [`LineFormat`](super::LineFormat)'s, without ANSI colours.
    Text,
    /// [`CloudLogging`](super::CloudLogging)'s.
    CloudLogging,
}

impl DirectReports {
    /// Lines as [`LineFormat`](super::LineFormat) writes them (without
    /// ANSI colours), to [`BatchedStderr`], for a subscriber filtered by
    /// `filter`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_kit::logging::{rust_log_targets, DirectReports};
    ///
    /// let reports = DirectReports::text(&rust_log_targets(Some("warn")));
    /// assert!(!reports.enabled());
    /// ```
    pub fn text(filter: &Targets) -> Self {
        Self::new(Format::Text, filter)
    }

    /// Lines as [`CloudLogging`](super::CloudLogging) writes them, to
    /// [`BatchedStderr`], for a subscriber filtered by `filter`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_kit::logging::{rust_log_targets, DirectReports};
    ///
    /// let reports = DirectReports::cloud_logging(&rust_log_targets(None));
    /// assert!(reports.enabled());
    /// ```
    pub fn cloud_logging(filter: &Targets) -> Self {
        Self::new(Format::CloudLogging, filter)
    }

    fn new(format: Format, filter: &Targets) -> Self {
        Self {
            format,
            enabled: STATIC_MAX_LEVEL >= LevelFilter::INFO
                && filter.would_enable(REPORT_TARGET, &Level::INFO),
            sink: Sink::Stderr(BatchedStderr::new()),
        }
    }

    /// Writes to `writer` instead (its [`make_writer`](MakeWriter::make_writer)),
    /// which must be the subscriber's writer too.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_kit::logging::{rust_log_targets, DirectReports};
    ///
    /// let reports = DirectReports::text(&rust_log_targets(None)).with_writer(std::io::stderr);
    /// # drop(reports);
    /// ```
    pub fn with_writer<W>(mut self, writer: W) -> Self
    where
        W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
    {
        self.sink = Sink::Other(Box::new(move |line| {
            // Like any logger, nothing to do when the writer fails.
            let _ = writer.make_writer().write_all(line);
        }));
        self
    }

    /// Whether the filter given lets `REPORT` lines through.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_kit::logging::{rust_log_targets, DirectReports};
    ///
    /// assert!(!DirectReports::text(&rust_log_targets(Some("anyfn::report=off"))).enabled());
    /// ```
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Sets `subscriber` as the global default (as tracing-subscriber's
    /// `try_init` does), and these lines as its `REPORT` lines.
    ///
    /// # Errors
    ///
    /// The error of `try_init` when a global default was set before; the
    /// lines are then `tracing` events, as without this.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_kit::logging::{rust_log_targets, DirectReports, LineFormat, TextFields};
    /// use tracing_subscriber::layer::SubscriberExt as _;
    ///
    /// let filter = rust_log_targets(None);
    /// let format = tracing_subscriber::fmt::layer().fmt_fields(TextFields).event_format(LineFormat);
    /// let subscriber = tracing_subscriber::registry().with(format).with(filter.clone());
    /// DirectReports::text(&filter).init(subscriber)?;
    /// // Only once per process: a global default is set now.
    /// assert!(DirectReports::text(&filter).init(tracing_subscriber::registry()).is_err());
    /// # Ok::<(), tracing_subscriber::util::TryInitError>(())
    /// ```
    pub fn init<S>(self, subscriber: S) -> Result<(), TryInitError>
    where
        S: Subscriber + Send + Sync + 'static,
    {
        let dispatch = Dispatch::new(subscriber);
        let subscriber = address_of::<S>(&dispatch);
        dispatch.try_init()?;
        if let Some(subscriber) = subscriber {
            let _ = INSTALLED.set(Installed {
                subscriber,
                address_of: address_of::<S>,
                reports: self,
            });
        }
        Ok(())
    }
}

/// The subscriber [`DirectReports::init`] installed, and its lines.
struct Installed {
    /// Its address, as the dispatcher's `downcast_ref` finds it.
    subscriber: usize,
    /// `downcast_ref` to its type.
    address_of: fn(&Dispatch) -> Option<usize>,
    reports: DirectReports,
}

static INSTALLED: OnceLock<Installed> = OnceLock::new();

/// The address of `dispatch`'s subscriber, if it is an `S`.
fn address_of<S: Subscriber>(dispatch: &Dispatch) -> Option<usize> {
    dispatch
        .downcast_ref::<S>()
        .map(|subscriber| ptr::from_ref(subscriber).cast::<()>().addr())
}

/// Where a `REPORT` line logged now goes, as far as [`DirectReports`]
/// knows.
pub(crate) enum ReportRoute {
    /// The subscriber [`DirectReports::init`] installed is the current one,
    /// no span is entered, and it writes these lines: by
    /// [`DirectReports::write_line`].
    Direct(&'static DirectReports),
    /// The installed subscriber is the current one, and its filter leaves
    /// `REPORT` lines out.
    Off,
    /// Another subscriber is current, or a span is entered, or none was
    /// installed this way: a `tracing` event.
    Event,
}

/// Where a `REPORT` line logged now goes.
pub(crate) fn report_route() -> ReportRoute {
    let Some(installed) = INSTALLED.get() else {
        return ReportRoute::Event;
    };
    tracing::dispatcher::get_default(|current| {
        if (installed.address_of)(current) != Some(installed.subscriber) {
            ReportRoute::Event
        } else if !installed.reports.enabled {
            ReportRoute::Off
        } else if current.current_span().id().is_some() {
            ReportRoute::Event
        } else {
            ReportRoute::Direct(&installed.reports)
        }
    })
}

thread_local! {
    /// Where a JSON line is made before it is written in one piece.
    static LINE: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

impl DirectReports {
    /// Writes `line` (an [`InvocationReport`](crate::InvocationReport)'s,
    /// so without a control character but its tabs) as the installed
    /// subscriber's format layer would, when [`report_route`] says so.
    pub(crate) fn write_line(&self, line: &str) {
        let stamp = timestamp(SystemTime::now());
        match (self.format, &self.sink) {
            // The commonest: no buffer of its own, the head made on the
            // stack, where its length is known.
            (Format::Text, Sink::Stderr(stderr)) => stderr
                .report_writer()
                .write_headed(&text_head(&stamp), line.as_bytes()),
            _ => LINE.with(|buffer| match buffer.try_borrow_mut() {
                Ok(mut buffer) => self.write_made(&mut buffer, &stamp, line),
                // A line written while this thread's is (a writer that
                // reports): a buffer of its own.
                Err(_) => self.write_made(&mut String::new(), &stamp, line),
            }),
        }
    }

    /// Makes `line`'s log line in `buffer` and writes it.
    fn write_made(&self, buffer: &mut String, stamp: &[u8; 27], line: &str) {
        buffer.clear();
        match self.format {
            Format::Text => {
                buffer.push_str(as_text(&text_head(stamp)));
                buffer.push_str(line);
                buffer.push('\n');
            }
            Format::CloudLogging => json_line(buffer, as_text(stamp), line),
        }
        match &self.sink {
            // Like any logger, nothing to do when stderr is gone.
            Sink::Stderr(stderr) => {
                let _ = stderr.report_writer().write(buffer.as_bytes());
            }
            Sink::Other(write) => write(buffer.as_bytes()),
        }
    }
}

/// The length of [`text_head`]'s.
const TEXT_HEAD: usize = 27 + 22;

/// What [`LineFormat`](super::LineFormat) writes before the message of an
/// `INFO` event of target `anyfn::report` in no span, at the time `stamp`:
/// its line is this, the `REPORT` line (as `TextFields` writes the message:
/// it has no control character to escape) and a newline.
fn text_head(stamp: &[u8; 27]) -> [u8; TEXT_HEAD] {
    let mut head = [0; TEXT_HEAD];
    head[..27].copy_from_slice(stamp);
    head[27..].copy_from_slice(b"  INFO anyfn::report: ");
    head
}

/// The log line [`CloudLogging`](super::CloudLogging) writes for the
/// `REPORT` line `line` at the time `stamp`: an `INFO` event of target
/// `anyfn::report`, `line` its message, in no span.
fn json_line(out: &mut String, stamp: &str, line: &str) {
    out.push_str("{\"severity\":\"INFO\",\"time\":\"");
    out.push_str(stamp);
    out.push_str("\",\"target\":\"anyfn::report\",\"message\":\"");
    // Writing to a String does not fail.
    let _ = JsonEscape(&mut *out).write_str(line);
    out.push_str("\"}\n");
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::Layer as _;

    use super::super::captured::Captured;
    use super::super::{CloudLogging, CloudLoggingFields, LineFormat, TextFields};
    use super::*;
    use crate::{InvocationReport, Pricing};

    /// The time of every line made in these tests.
    const STAMP: &[u8; 27] = b"2026-12-07T13:00:00.123456Z";

    /// `REPORT` lines of every shape: a plain id, a long one (made by the
    /// float formatting), ids with controls, quotes and backslashes.
    fn report_lines() -> Vec<String> {
        let long = "x".repeat(600);
        [
            "8476a536-e9f4-11e8-9739-2dfe598c3fcd",
            long.as_str(),
            "a\tb\nc\u{1b}[31m\u{85}",
            "q\"uo\\te é",
        ]
        .iter()
        .map(|id| {
            InvocationReport::new(*id, Duration::from_micros(1_250), 128, Pricing::default())
                .with_line(str::to_owned)
        })
        .collect()
    }

    /// What `format` writes for `line` sent as the `REPORT` event, its time
    /// replaced by [`STAMP`]'s.
    fn as_event(format: Format, line: &str) -> String {
        let captured = Captured::default();
        let layer = match format {
            Format::Text => tracing_subscriber::fmt::layer()
                .fmt_fields(TextFields)
                .event_format(LineFormat)
                .with_writer(captured.clone())
                .with_ansi(false)
                .boxed(),
            Format::CloudLogging => tracing_subscriber::fmt::layer()
                .fmt_fields(CloudLoggingFields::new(Some("p")))
                .event_format(CloudLogging)
                .with_writer(captured.clone())
                .with_ansi(false)
                .boxed(),
        };
        let subscriber = tracing_subscriber::registry().with(layer);
        crate::logging::captured::with_scoped(subscriber, || {
            tracing::info!(target: "anyfn::report", message = line);
        });
        let text = captured.text();
        let at = text.find("2026-").expect("a time");
        format!(
            "{}{}{}",
            &text[..at],
            std::str::from_utf8(STAMP).expect("ASCII"),
            &text[at + STAMP.len()..]
        )
    }

    /// The line `format` writes for `line` through [`DirectReports::write_made`].
    fn made(format: Format, line: &str) -> String {
        let captured = Captured::default();
        let writer = captured.clone();
        let reports = DirectReports {
            format,
            enabled: true,
            sink: Sink::Other(Box::new(move |bytes| {
                let _ = std::io::Write::write_all(&mut writer.clone(), bytes);
            })),
        };
        reports.write_made(&mut String::new(), STAMP, line);
        captured.text()
    }

    #[test]
    fn a_direct_line_is_the_line_the_formatter_writes() {
        for line in report_lines() {
            let event = as_event(Format::Text, &line);
            assert_eq!(made(Format::Text, &line), event, "{line:?}");
            // The way to stderr: the head, then the line and a newline.
            let headed = [&text_head(STAMP)[..], line.as_bytes(), b"\n"].concat();
            assert_eq!(String::from_utf8(headed).expect("UTF-8"), event, "{line:?}");
            assert_eq!(
                made(Format::CloudLogging, &line),
                as_event(Format::CloudLogging, &line),
                "{line:?}"
            );
        }
    }

    #[test]
    fn the_filter_decides_whether_lines_are_written() {
        for (rust_log, enabled) in [
            (None, true),
            (Some("info"), true),
            (Some("warn"), false),
            (Some("anyfn::report=off,info"), false),
            (Some("warn,anyfn::report=info"), true),
            (Some("anyfn=debug"), true),
        ] {
            let filter = super::super::rust_log_targets(rust_log);
            assert_eq!(
                DirectReports::text(&filter).enabled(),
                enabled,
                "{rust_log:?}"
            );
        }
    }

    /// Lines go the `tracing` way unless [`DirectReports::init`] set the
    /// global default: never in the unit tests' process.
    #[test]
    fn without_an_installed_subscriber_lines_are_events() {
        assert!(matches!(report_route(), ReportRoute::Event));
        let subscriber = tracing_subscriber::registry().with(
            tracing_subscriber::fmt::layer()
                .fmt_fields(TextFields)
                .event_format(LineFormat)
                .with_writer(Captured::default()),
        );
        crate::logging::captured::with_scoped(subscriber, || {
            assert!(matches!(report_route(), ReportRoute::Event));
        });
    }
}
