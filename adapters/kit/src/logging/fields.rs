//! Fields as text, the way tracing-subscriber writes them but quicker, and
//! one line whatever they hold: [`TextFields`].

use std::cell::RefCell;
use std::fmt::{self, Write};

use tracing::field::{Field, Visit};
use tracing_subscriber::field::{RecordFields, VisitOutput};
use tracing_subscriber::fmt::format::{DefaultVisitor, Writer};
use tracing_subscriber::fmt::FormatFields;

use super::sanitize::Sanitize;

/// Formats fields as tracing-subscriber's `DefaultFields` does
/// (`request_id="4e41cf47-…" n=7`), at a fraction of the cost, and
/// sanitized (newlines and control characters escaped): one event is one line.
///
/// An adapter's invocation span (its request and trace ids) is formatted for
/// every invocation, logged in or not, and the stock formatter escaped each
/// id one character at a time and grew the span's string a few bytes at a
/// time; its message, the `REPORT` line once per request, went the same way.
/// Here:
///
/// - a string value that needs no escaping (printable ASCII without `"` or
///   `\`, as request and trace ids are) is written between quotes as it is;
/// - the message is written as it is (its `Debug` text, which for a
///   formatted message is the text itself);
/// - every other value goes to tracing-subscriber's own `DefaultVisitor`, so
///   that its text is the stock text (`Debug`, an error's `sources`, `r#`
///   names);
///
/// and the whole is made in a scratch string, then handed over in one piece
/// with the control characters a terminal would act on or that would split
/// the line escaped (`\n`, `\x1b`, `\u{9b}`; the tab stays). Tracing-
/// subscriber escapes some of these in messages (ESC, BEL, BS, FF, DEL and
/// the C1 controls, written the same way), but lets a newline through.
///
/// # Example
///
/// ```
/// use tracing_subscriber::layer::SubscriberExt as _;
///
/// let subscriber = tracing_subscriber::registry().with(
///     tracing_subscriber::fmt::layer()
///         .fmt_fields(anyfn_kit::logging::TextFields)
///         .with_writer(std::io::stderr),
/// );
/// tracing::subscriber::with_default(subscriber, || {
///     // `… INFO app: forged\nline user="ada"`, on one line.
///     tracing::info!(target: "app", user = "ada", "forged\nline");
/// });
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct TextFields;

thread_local! {
    /// Where fields are formatted before they are sanitized in one pass.
    static SCRATCH: RefCell<String> = const { RefCell::new(String::new()) };
}

impl<'writer> FormatFields<'writer> for TextFields {
    fn format_fields<R: RecordFields>(
        &self,
        mut writer: Writer<'writer>,
        fields: R,
    ) -> fmt::Result {
        SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut scratch) => {
                scratch.clear();
                let plain = record_into(&mut scratch, fields)?;
                write_fields(&mut writer, &scratch, plain)
            }
            // A value whose formatting logs: no scratch then.
            Err(_) => {
                let mut text = String::new();
                let plain = record_into(&mut text, fields)?;
                write_fields(&mut writer, &text, plain)
            }
        })
    }
}

/// Writes `fields` after what `out` holds; whether all of it was plain
/// ([`TextVisitor::plain`]).
fn record_into(out: &mut String, fields: impl RecordFields) -> Result<bool, fmt::Error> {
    let mut visitor = TextVisitor {
        out,
        result: Ok(()),
        plain: true,
    };
    fields.record(&mut visitor);
    visitor.result.map(|()| visitor.plain)
}

/// Hands the formatted `fields` to `writer`: sanitized, unless every field
/// was found plain as it was written (a span's ids, most often), which
/// spares a second pass over them.
fn write_fields(writer: &mut Writer<'_>, fields: &str, plain: bool) -> fmt::Result {
    if plain {
        writer.write_str(fields)
    } else {
        Sanitize(writer).write_str(fields)
    }
}

/// [`TextFields`]' visitor.
struct TextVisitor<'a> {
    out: &'a mut String,
    result: fmt::Result,
    /// Whether all that was written is printable ASCII (names and values
    /// checked by [`is_plain`]), which [`Sanitize`] would pass unchanged.
    plain: bool,
}

impl TextVisitor<'_> {
    /// The space before every field but the first.
    fn separate(&mut self) {
        if !self.out.is_empty() {
            self.out.push(' ');
        }
    }

    /// Hands one field to tracing-subscriber's own visitor.
    fn delegate(&mut self, record: impl FnOnce(&mut DefaultVisitor<'_>)) {
        if self.result.is_err() {
            return;
        }
        self.plain = false;
        let is_empty = self.out.is_empty();
        let mut visitor = DefaultVisitor::new(Writer::new(&mut *self.out), is_empty);
        record(&mut visitor);
        self.result = visitor.finish();
    }
}

impl Visit for TextVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if self.result.is_err() {
            return;
        }
        let name = field.name();
        if name == "message" {
            // A message given as a `&str` (a `REPORT` line's: tabs and a
            // couple of hundred bytes) goes to the sanitizing pass, which
            // scans faster than `is_plain`, as a formatted message does.
            self.plain = false;
            self.separate();
            self.out.push_str(value);
        } else if is_plain(value) {
            // A name given as a string literal may hold anything.
            self.plain &= is_plain(name);
            let name = name.strip_prefix("r#").unwrap_or(name);
            self.separate();
            self.out.reserve(name.len() + value.len() + 3);
            self.out.push_str(name);
            self.out.push_str("=\"");
            self.out.push_str(value);
            self.out.push('"');
        } else {
            self.delegate(|visitor| visitor.record_str(field, value));
        }
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.delegate(|visitor| visitor.record_error(field, value));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if self.result.is_err() {
            return;
        }
        if field.name() == "message" {
            self.plain = false;
            self.separate();
            self.result = write!(self.out, "{value:?}");
        } else {
            self.delegate(|visitor| visitor.record_debug(field, value));
        }
    }
}

/// Whether `value`'s `Debug` text is `value` between quotes, and JSON's
/// too: printable ASCII without `"` or `\`. Checked without a branch per
/// byte: ids are short. A formatter may then write such a value as it is
/// rather than through `Debug`'s escaping, char by char.
///
/// # Example
///
/// ```
/// use anyfn_kit::logging::is_plain;
///
/// assert!(is_plain("8476a536-e9f4-11e8-9739-2dfe598c3fcd"));
/// assert!(!is_plain("two\nlines"));
/// assert_eq!(format!("{:?}", "req-1"), "\"req-1\"");
/// ```
pub fn is_plain(value: &str) -> bool {
    !value.bytes().fold(false, |escaped, byte| {
        escaped | !(0x20..=0x7e).contains(&byte) | (byte == b'"') | (byte == b'\\')
    })
}

#[cfg(test)]
mod tests {
    use std::io;

    use tracing_subscriber::fmt::format::DefaultFields;
    use tracing_subscriber::layer::SubscriberExt as _;

    use super::super::captured::{lambda_invocation_span, Captured};
    use super::*;

    /// An error with a source, as `thiserror` would make it.
    #[derive(Debug)]
    struct Outer(io::Error);

    impl fmt::Display for Outer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("outer failure")
        }
    }

    impl std::error::Error for Outer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    /// Lines in the invocation span of the server (and Azure), and a span
    /// in it.
    fn log_in_spans() {
        let outer = tracing::info_span!(
            "invocation",
            request_id = "4e41cf47-b712-48ba-8b1d-000000000000",
            trace_id = tracing::field::Empty
        );
        let _outer = outer.enter();
        let inner = tracing::info_span!("step", n = 7, name = "a \"quoted\" name", ok = true);
        let _inner = inner.enter();
        tracing::info!(target: "app", "inside");
    }

    /// Every kind of value, in Lambda's invocation span.
    fn log_everything() {
        let invocation = lambda_invocation_span();
        let _invocation = invocation.enter();
        let step = tracing::info_span!(
            "step",
            n = 7,
            r#type = "plain",
            name = "a \"quoted\" name",
            path = "C:\\dir",
            line = "two\nlines",
            word = "café",
            empty = "",
            ok = true,
            later = tracing::field::Empty,
        );
        step.record("later", "recorded");
        let _step = step.enter();
        tracing::info!("formatted {}", 42);
        tracing::warn!(message = "a str message", user = "ada", id = 3);
        tracing::error!(
            error = &Outer(io::Error::other("inner")) as &(dyn std::error::Error + 'static),
            "failed"
        );
        tracing::info!(first = "x", second = ?Some("y"), third = %"z");
    }

    /// What `log` writes with `fields`, without time, target or ANSI.
    fn text_with<N>(fields: N, target: bool, log: fn()) -> String
    where
        N: for<'w> FormatFields<'w> + Send + Sync + 'static,
    {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::registry().with(
            tracing_subscriber::fmt::layer()
                .fmt_fields(fields)
                .without_time()
                .with_target(target)
                .with_ansi(false)
                .with_writer(captured.clone()),
        );
        crate::logging::captured::with_scoped(subscriber, log);
        captured.text()
    }

    /// What users and their scripts read stays as tracing-subscriber writes it.
    #[test]
    fn regression_span_fields_read_as_tracing_subscribers_default_fields() {
        let ours = text_with(TextFields, true, log_in_spans);
        let stock = text_with(DefaultFields::new(), true, log_in_spans);
        assert_eq!(ours, stock);
        assert_eq!(
            ours.lines().collect::<Vec<_>>(),
            [" INFO invocation{request_id=\"4e41cf47-b712-48ba-8b1d-000000000000\"}:step{n=7 name=\"a \\\"quoted\\\" name\" ok=true}: app: inside"]
        );
    }

    /// What users and their scripts read stays as tracing-subscriber (and
    /// lambda_runtime's default subscriber) writes it.
    #[test]
    fn regression_text_fields_read_as_tracing_subscribers_default_fields() {
        let ours = text_with(TextFields, false, log_everything);
        let stock = text_with(DefaultFields::new(), false, log_everything);
        assert_eq!(ours, stock);
        assert!(
            ours.starts_with(
                " INFO Lambda runtime invoke{requestId=\"8476a536-e9f4-11e8-9739-2dfe598c3fcd\" \
                 xrayTraceId=\"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1\"}:step{n=7 type=\"plain\""
            ),
            "{ours}"
        );
        assert_eq!(ours.lines().count(), 4, "{ours}");
    }

    #[test]
    fn a_span_field_cannot_forge_a_line() {
        /// A value whose `Debug` text is raw: it escapes nothing.
        struct Raw(&'static str);
        impl fmt::Debug for Raw {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.0)
            }
        }
        let mut text = String::new();
        let subscriber = tracing_subscriber::registry();
        crate::logging::captured::with_scoped(subscriber, || {
            let span = tracing::info_span!("s", v = tracing::field::Empty);
            let metadata = span.metadata().expect("metadata");
            let values = metadata.fields();
            let field = values.field("v").expect("the span has a field v");
            let raw = tracing::field::debug(Raw("x\n2026-01-01T00:00:00Z  INFO forged\x1b[31m"));
            let record = [(&field, Some(&raw as &dyn tracing::Value))];
            let set = values.value_set(&record);
            TextFields
                .format_fields(Writer::new(&mut text), tracing::span::Record::new(&set))
                .expect("formats");
        });
        assert_eq!(text, r"v=x\n2026-01-01T00:00:00Z  INFO forged\x1b[31m");
    }

    /// Fields found plain are written without a second pass over them:
    /// a name given as a string literal, or a message, that holds a
    /// control character still has it escaped.
    #[test]
    fn regression_plain_values_under_odd_names_and_messages_are_still_escaped() {
        let mut texts = Vec::new();
        let subscriber = tracing_subscriber::registry();
        crate::logging::captured::with_scoped(subscriber, || {
            let span = tracing::info_span!(
                "s",
                "na\nme" = tracing::field::Empty,
                message = tracing::field::Empty,
                id = tracing::field::Empty
            );
            let metadata = span.metadata().expect("metadata");
            let values = metadata.fields();
            for (name, value) in [
                ("na\nme", "plain"),
                ("message", "a\nforged line"),
                ("id", "8476a536-e9f4-11e8"),
            ] {
                let field = values.field(name).expect("the span has the field");
                let record = [(&field, Some(&value as &dyn tracing::Value))];
                let set = values.value_set(&record);
                let mut text = String::new();
                TextFields
                    .format_fields(Writer::new(&mut text), tracing::span::Record::new(&set))
                    .expect("formats");
                texts.push(text);
            }
        });
        assert_eq!(
            texts,
            [
                r#"na\nme="plain""#,
                r"a\nforged line",
                r#"id="8476a536-e9f4-11e8""#
            ]
        );
    }

    #[test]
    fn plain_strings_are_printable_ascii_without_quotes_or_backslashes() {
        assert!(is_plain("8476a536-e9f4-11e8-9739-2dfe598c3fcd"));
        assert!(is_plain("Root=1-abc;Parent=def;Sampled=1"));
        assert!(is_plain(""));
        for escaped in ["a\"b", "a\\b", "a\nb", "café", "\u{7f}", "tab\t"] {
            assert!(!is_plain(escaped), "{escaped:?}");
        }
    }
}
