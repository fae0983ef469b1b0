//! The default subscriber's line: `timestamp LEVEL spans: target: message fields`.

use std::cell::{Cell, RefCell};
use std::fmt::{self, Write};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, FormattedFields};
use tracing_subscriber::registry::LookupSpan;

use super::sanitize::Sanitize;

/// Formats events as tracing-subscriber's default `Full` format does
/// (`2026-11-26T17:07:20.295661Z  INFO anyfn::report: REPORT …`), at a
/// fraction of the cost: the `REPORT` line is written once per request, and
/// the stock formatter, escaping the message one character at a time and
/// formatting the date anew for each line, took more CPU than the rest of a
/// small invocation.
///
/// Messages and field values are [sanitized](Sanitize): one event is one line,
/// with no terminal escape sequences but the ones this format adds when
/// writing to a terminal.
pub(crate) struct LineFormat;

impl<S, N> FormatEvent<S, N> for LineFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let ansi = writer.has_ansi_escapes();
        let metadata = event.metadata();
        let (dim, plain) = if ansi {
            ("\x1b[2m", "\x1b[0m")
        } else {
            ("", "")
        };

        let stamp = timestamp(SystemTime::now());
        let level = level_text(*metadata.level());
        if ansi {
            write!(
                writer,
                "{dim}{}{plain} \x1b[{}m{}\x1b[0m ",
                as_text(&stamp),
                level_color(*metadata.level()),
                level
            )?;
        } else {
            // `2026-11-26T17:07:20.295661Z  INFO `, handed over in one piece.
            let mut head = [b' '; 34];
            head[..27].copy_from_slice(&stamp);
            head[28..33].copy_from_slice(level.as_bytes());
            writer.write_str(as_text(&head))?;
        }

        if let Some(scope) = ctx.event_scope() {
            for span in scope.from_root() {
                writer.write_str(span.name())?;
                if let Some(fields) = span.extensions().get::<FormattedFields<N>>() {
                    if !fields.is_empty() {
                        write!(writer, "{{{fields}}}")?;
                    }
                }
                writer.write_char(':')?;
            }
            writer.write_char(' ')?;
        }

        if ansi {
            write!(writer, "{dim}{}:{plain} ", metadata.target())?;
        } else {
            writer.write_str(metadata.target())?;
            writer.write_str(": ")?;
        }
        let mut fields = FieldWriter {
            writer: &mut writer,
            first: true,
            result: Ok(()),
        };
        event.record(&mut fields);
        fields.result?;
        writer.write_char('\n')
    }
}

/// Writes an event's fields: the message as it is, then ` name=value`.
struct FieldWriter<'a, 'w> {
    writer: &'a mut Writer<'w>,
    first: bool,
    result: fmt::Result,
}

impl Visit for FieldWriter<'_, '_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if self.result.is_err() {
            return;
        }
        let separator = if std::mem::take(&mut self.first) {
            ""
        } else {
            " "
        };
        self.result = match field.name() {
            "message" => self.writer.write_str(separator),
            name => write!(self.writer, "{separator}{}=", name.trim_start_matches("r#")),
        }
        .and_then(|()| write_sanitized(self.writer, value));
    }
}

thread_local! {
    /// Where a value is formatted before it is sanitized in one pass.
    static SCRATCH: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Writes `value`'s `Debug` text, [sanitized](Sanitize). The text is made in
/// a scratch string and checked once, rather than piece by piece as the
/// formatter hands the pieces over (a `REPORT` line is eleven of them).
fn write_sanitized(writer: &mut Writer<'_>, value: &dyn fmt::Debug) -> fmt::Result {
    SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
        Ok(mut scratch) => {
            scratch.clear();
            write!(scratch, "{value:?}")?;
            Sanitize(writer).write_str(&scratch)
        }
        // A value whose `Debug` logs while being formatted: no scratch then.
        Err(_) => write!(Sanitize(writer), "{value:?}"),
    })
}

/// The level as tracing-subscriber writes it: five characters, right-aligned.
fn level_text(level: Level) -> &'static str {
    match level {
        Level::TRACE => "TRACE",
        Level::DEBUG => "DEBUG",
        Level::INFO => " INFO",
        Level::WARN => " WARN",
        Level::ERROR => "ERROR",
    }
}

/// The level's ANSI color code.
fn level_color(level: Level) -> &'static str {
    match level {
        Level::TRACE => "35",
        Level::DEBUG => "34",
        Level::INFO => "32",
        Level::WARN => "33",
        Level::ERROR => "31",
    }
}

/// ASCII bytes as text (what this module puts in its buffers).
pub(super) fn as_text(ascii: &[u8]) -> &str {
    std::str::from_utf8(ascii).unwrap_or("?")
}

thread_local! {
    /// The last second this thread wrote, and its `YYYY-MM-DDTHH:MM:SS`.
    static SECOND: Cell<(u64, [u8; 19])> = const { Cell::new((u64::MAX, [0; 19])) };
}

/// `time` in UTC as `2026-11-26T17:07:20.295661Z`, the date and time of
/// day formatted once a second per thread.
pub(super) fn timestamp(time: SystemTime) -> [u8; 27] {
    let since_epoch = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let seconds = since_epoch.as_secs();
    let (cached, mut prefix) = SECOND.get();
    if cached != seconds {
        let text = anyfn::time::format_rfc3339(UNIX_EPOCH + Duration::from_secs(seconds));
        prefix.copy_from_slice(&text.as_bytes()[..19]);
        SECOND.set((seconds, prefix));
    }
    let mut stamp = [0u8; 27];
    stamp[..19].copy_from_slice(&prefix);
    stamp[19] = b'.';
    let mut micros = since_epoch.subsec_micros();
    for slot in stamp[20..26].iter_mut().rev() {
        *slot = b'0' + (micros % 10) as u8;
        micros /= 10;
    }
    stamp[26] = b'Z';
    stamp
}

#[cfg(test)]
mod tests {
    use tracing_subscriber::layer::SubscriberExt;

    use super::super::captured::Captured;
    use super::*;

    /// Lines written by a subscriber with this format, without ANSI.
    fn lines_of(log: impl FnOnce()) -> Vec<String> {
        lines_in_format(LineFormat, log)
    }

    /// Lines written by a subscriber with `format`, without ANSI.
    fn lines_in_format<F>(format: F, log: impl FnOnce()) -> Vec<String>
    where
        F: FormatEvent<
                tracing_subscriber::Registry,
                tracing_subscriber::fmt::format::DefaultFields,
            > + Send
            + Sync
            + 'static,
    {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::registry().with(
            tracing_subscriber::fmt::layer()
                .event_format(format)
                .with_writer(captured.clone())
                .with_ansi(false),
        );
        tracing::subscriber::with_default(subscriber, log);
        captured.lines()
    }

    /// Everything after the timestamp: `<27 characters> <LEVEL> <rest>`.
    fn after_timestamp(line: &str) -> &str {
        assert_eq!(line.as_bytes()[4], b'-', "{line}");
        assert_eq!(&line[26..28], "Z ", "{line}");
        &line[28..]
    }

    fn log_some_events() {
        tracing::info!(target: "anyfn::report", "REPORT RequestId: r\tDuration: 1.00 ms");
        tracing::warn!(target: "anyfn::server", client = %"127.0.0.1:9", "too large");
        let span = tracing::info_span!("request", id = 7);
        let _entered = span.enter();
        tracing::error!(target: "app", "failed");
    }

    #[test]
    fn lines_have_the_full_layout_of_tracing_subscriber() {
        let lines = lines_of(log_some_events);
        let rest: Vec<&str> = lines.iter().map(|line| after_timestamp(line)).collect();
        assert_eq!(
            rest,
            [
                " INFO anyfn::report: REPORT RequestId: r\tDuration: 1.00 ms",
                " WARN anyfn::server: too large client=127.0.0.1:9",
                "ERROR request{id=7}: app: failed",
            ]
        );
    }

    /// What users and their scripts read stays as it was before this format.
    #[test]
    fn regression_lines_read_as_tracing_subscribers_full_format() {
        let ours = lines_of(log_some_events);
        let stock = lines_in_format(tracing_subscriber::fmt::format(), log_some_events);
        let ours: Vec<&str> = ours.iter().map(|line| after_timestamp(line)).collect();
        let stock: Vec<&str> = stock.iter().map(|line| after_timestamp(line)).collect();
        assert_eq!(ours, stock);
    }

    #[test]
    fn a_message_cannot_forge_a_line_or_send_escape_sequences() {
        let lines = lines_of(|| {
            let untrusted = "x\n2026-01-01T00:00:00.000000Z  INFO forged\x1b[31m";
            tracing::warn!(target: "anyfn::server", header = untrusted, "bad {untrusted}");
        });
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert_eq!(
            after_timestamp(&lines[0]),
            " WARN anyfn::server: bad x\\n2026-01-01T00:00:00.000000Z  INFO forged\\x1b[31m \
             header=\"x\\n2026-01-01T00:00:00.000000Z  INFO forged\\u{1b}[31m\""
        );
    }

    #[test]
    fn timestamps_have_microseconds_and_follow_the_second() {
        let time = UNIX_EPOCH + Duration::from_micros(1_764_177_440_295_661);
        let stamps = [
            timestamp(time),
            timestamp(time + Duration::from_micros(1_000_001)),
            timestamp(UNIX_EPOCH),
        ];
        let texts: Vec<&str> = stamps.iter().map(|stamp| as_text(stamp)).collect();
        assert_eq!(
            texts,
            [
                "2025-11-26T17:17:20.295661Z",
                "2025-11-26T17:17:21.295662Z",
                "1970-01-01T00:00:00.000000Z"
            ]
        );
    }
}
