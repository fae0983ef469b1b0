//! The text format's fields, as tracing-subscriber writes them but quicker
//! for plain strings: [`TextFields`].

use std::cell::RefCell;
use std::fmt;

use tracing::field::{Field, Visit};
use tracing_subscriber::field::{RecordFields, VisitOutput};
use tracing_subscriber::fmt::format::{DefaultVisitor, Writer};
use tracing_subscriber::fmt::FormatFields;

/// Writes fields exactly as tracing-subscriber's `DefaultFields` does
/// (`requestId="8476a536-…" xrayTraceId="Root=1-…"`), at a fraction of the
/// cost. The invocation span's two ids were formatted on every invocation,
/// logged or not, and the stock formatter escaped them one character at a
/// time and grew the span's string a few bytes at a time: 5,900
/// instructions per invocation (`benches/lambda_http_vs_anyfn_tower.sh`).
///
/// A plain string value (printable ASCII without `"` or `\`, as request and
/// trace ids are) is written between quotes in one piece. Every other value,
/// and the `message` field, goes to tracing-subscriber's own
/// `DefaultVisitor`, so the text never differs from the stock format (without
/// ANSI colours, which the default subscriber never uses). The text is made
/// in a scratch string and handed over whole, so the span's stored copy is
/// allocated once, at its size.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct TextFields;

thread_local! {
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
                record_into(&mut scratch, fields)?;
                writer.write_str(&scratch)
            }
            // A value whose formatting logs: no scratch then.
            Err(_) => {
                let mut text = String::new();
                record_into(&mut text, fields)?;
                writer.write_str(&text)
            }
        })
    }
}

/// Writes `fields` after what `out` holds.
fn record_into(out: &mut String, fields: impl RecordFields) -> fmt::Result {
    let mut visitor = TextVisitor {
        out,
        result: Ok(()),
    };
    fields.record(&mut visitor);
    visitor.result
}

/// [`TextFields`]' visitor.
struct TextVisitor<'a> {
    out: &'a mut String,
    result: fmt::Result,
}

impl TextVisitor<'_> {
    /// Hands one field to tracing-subscriber's own visitor.
    fn delegate(&mut self, record: impl FnOnce(&mut DefaultVisitor<'_>)) {
        if self.result.is_err() {
            return;
        }
        let is_empty = self.out.is_empty();
        let mut visitor = DefaultVisitor::new(Writer::new(&mut *self.out), is_empty);
        record(&mut visitor);
        self.result = visitor.finish();
    }
}

impl Visit for TextVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        let name = field.name();
        if self.result.is_err() || name == "message" || name.starts_with("r#") || !is_plain(value) {
            self.delegate(|visitor| visitor.record_str(field, value));
            return;
        }
        if !self.out.is_empty() {
            self.out.push(' ');
        }
        self.out.reserve(name.len() + value.len() + 3);
        self.out.push_str(name);
        self.out.push_str("=\"");
        self.out.push_str(value);
        self.out.push('"');
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.delegate(|visitor| visitor.record_error(field, value));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.delegate(|visitor| visitor.record_debug(field, value));
    }
}

/// Whether `value`'s `Debug` text is `value` between quotes: printable ASCII
/// without `"` or `\`. Checked without a branch per byte: ids are short.
pub(super) fn is_plain(value: &str) -> bool {
    !value.bytes().fold(false, |escaped, byte| {
        escaped | !(0x20..=0x7e).contains(&byte) | (byte == b'"') | (byte == b'\\')
    })
}

#[cfg(test)]
mod tests {
    use std::io;

    use tracing_subscriber::fmt::format::DefaultFields;
    use tracing_subscriber::layer::SubscriberExt as _;

    use super::super::captured::Captured;
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer failure")]
    struct Outer(#[source] io::Error);

    fn log_everything() {
        let invocation = tracing::info_span!(
            "Lambda runtime invoke",
            requestId = "8476a536-e9f4-11e8-9739-2dfe598c3fcd",
            xrayTraceId =
                "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
        );
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

    fn lines_with<N>(fields: N) -> String
    where
        N: for<'w> FormatFields<'w> + Send + Sync + 'static,
    {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::registry().with(
            tracing_subscriber::fmt::layer()
                .fmt_fields(fields)
                .without_time()
                .with_target(false)
                .with_ansi(false)
                .with_writer(move || writer.clone()),
        );
        tracing::subscriber::with_default(subscriber, log_everything);
        captured.text()
    }

    /// What users and their scripts read stays as tracing-subscriber (and
    /// lambda_runtime's default subscriber) writes it.
    #[test]
    fn regression_text_fields_read_as_tracing_subscribers_default_fields() {
        let ours = lines_with(TextFields);
        let stock = lines_with(DefaultFields::new());
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
    fn plain_strings_are_printable_ascii_without_quotes_or_backslashes() {
        assert!(is_plain("8476a536-e9f4-11e8-9739-2dfe598c3fcd"));
        assert!(is_plain("Root=1-abc;Parent=def;Sampled=1"));
        assert!(is_plain(""));
        for escaped in ["a\"b", "a\\b", "a\nb", "café", "\u{7f}", "tab\t"] {
            assert!(!is_plain(escaped), "{escaped:?}");
        }
    }
}
