//! The text line: `timestamp LEVEL spans: target: message fields`
//! ([`LineFormat`]).

use std::fmt;
use std::time::SystemTime;

use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, FormattedFields};
use tracing_subscriber::registry::LookupSpan;

use super::fields::TextFields;
use super::timestamp::{as_text, timestamp};

/// Formats events as tracing-subscriber's default `Full` format does
/// (`2026-11-26T17:07:20.295661Z  INFO anyfn::report: REPORT …`), at a
/// fraction of the cost: the head of the line (time and level) is made in
/// one buffer and handed over whole, each other piece written as it is,
/// where the stock format formats each through `write!`.
///
/// Fields are [`TextFields`]' (sanitized: one event is one line, with no
/// terminal escape sequences but the ones this format adds when writing to
/// a terminal).
///
/// # Example
///
/// ```
/// use anyfn_kit::logging::{LineFormat, TextFields};
///
/// let subscriber = tracing_subscriber::fmt()
///     .fmt_fields(TextFields)
///     .event_format(LineFormat)
///     .with_writer(std::io::stderr)
///     .finish();
/// tracing::subscriber::with_default(subscriber, || tracing::info!("a line"));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct LineFormat;

impl<S> FormatEvent<S, TextFields> for LineFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, TextFields>,
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
                if let Some(fields) = span.extensions().get::<FormattedFields<TextFields>>() {
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
        ctx.format_fields(writer.by_ref(), event)?;
        writer.write_char('\n')
    }
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

#[cfg(test)]
mod tests {
    use tracing_subscriber::layer::SubscriberExt;

    use super::super::captured::Captured;
    use super::*;

    /// Lines written by a subscriber with this format, without ANSI.
    fn lines_of(log: impl FnOnce()) -> Vec<String> {
        lines_in_format(TextFields, LineFormat, log)
    }

    /// Lines written by a subscriber with `fields` and `format`, without ANSI.
    fn lines_in_format<N, F>(fields: N, format: F, log: impl FnOnce()) -> Vec<String>
    where
        N: for<'w> FormatFields<'w> + Send + Sync + 'static,
        F: FormatEvent<tracing_subscriber::Registry, N> + Send + Sync + 'static,
    {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::registry().with(
            tracing_subscriber::fmt::layer()
                .fmt_fields(fields)
                .event_format(format)
                .with_writer(captured.clone())
                .with_ansi(false),
        );
        crate::logging::captured::with_scoped(subscriber, log);
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
        let stock = lines_in_format(
            tracing_subscriber::fmt::format::DefaultFields::new(),
            tracing_subscriber::fmt::format(),
            log_some_events,
        );
        let ours: Vec<&str> = ours.iter().map(|line| after_timestamp(line)).collect();
        let stock: Vec<&str> = stock.iter().map(|line| after_timestamp(line)).collect();
        assert_eq!(ours, stock);
    }

    /// Messages as a `&str` field and formatted, for both ways to be compared.
    const MESSAGES: [&str; 5] = [
        "REPORT RequestId: r\tDuration: 1.00 ms\tBilled Duration: 1 ms",
        "plain",
        "",
        "x\n2026-01-01T00:00:00.000000Z  INFO forged\x1b[31m\u{9b}z \"q\" \\ é",
        "\r\u{7f}\u{85}",
    ];

    /// A message given as a `&str` field (the server's `REPORT` line,
    /// `InvocationReport::with_line`) is written as the same message
    /// formatted, in a span and out of one, with other fields or none.
    #[test]
    fn a_str_message_is_written_as_the_same_message_formatted() {
        for message in MESSAGES {
            let log = |as_str: bool| {
                move || {
                    if as_str {
                        tracing::info!(target: "anyfn::report", message = message);
                    } else {
                        tracing::info!(target: "anyfn::report", "{message}");
                    }
                    let context = anyfn::Context::builder().request_id("req-1").build();
                    let _span = crate::invocation_span(&context).entered();
                    if as_str {
                        tracing::warn!(target: "app", message = message, n = 7, who = "a\tb");
                    } else {
                        tracing::warn!(target: "app", n = 7, who = "a\tb", "{message}");
                    }
                }
            };
            let as_str = lines_of(log(true));
            let formatted = lines_of(log(false));
            assert_eq!(as_str.len(), 2, "{as_str:?}");
            let as_str: Vec<&str> = as_str.iter().map(|line| after_timestamp(line)).collect();
            let formatted: Vec<&str> = formatted.iter().map(|line| after_timestamp(line)).collect();
            assert_eq!(as_str, formatted, "{message:?}");
        }
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
}
