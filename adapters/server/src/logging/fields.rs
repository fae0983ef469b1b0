//! A span's fields as the default subscriber keeps them: [`SpanFields`].

use std::cell::RefCell;
use std::fmt::{self, Write};

use tracing::field::{Field, Visit};
use tracing_subscriber::field::RecordFields;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::FormatFields;

use super::sanitize::Sanitize;

/// Formats a span's fields as tracing-subscriber's `DefaultFields` does
/// (`request_id="…" n=7`), at a fraction of the cost: the server opens one
/// span per request, and the stock formatter escaped its request id one
/// character at a time and grew its string a few bytes at a time.
///
/// A string value that needs no escaping (printable ASCII without `"` or
/// `\`, as request and trace ids are) is written between quotes as it is;
/// any other value by its `Debug` text, [sanitized](Sanitize). The text is
/// made in a scratch string and handed over in one piece, so the span's
/// stored copy is allocated once, at its size.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SpanFields;

thread_local! {
    static SCRATCH: RefCell<String> = const { RefCell::new(String::new()) };
}

impl<'writer> FormatFields<'writer> for SpanFields {
    fn format_fields<R: RecordFields>(
        &self,
        mut writer: Writer<'writer>,
        fields: R,
    ) -> fmt::Result {
        SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut scratch) => {
                scratch.clear();
                let mut visitor = FieldVisitor {
                    out: &mut scratch,
                    result: Ok(()),
                };
                fields.record(&mut visitor);
                visitor.result?;
                writer.write_str(&scratch)
            }
            // Formatting a value that formats a span: no scratch then.
            Err(_) => {
                let mut text = String::new();
                let mut visitor = FieldVisitor {
                    out: &mut text,
                    result: Ok(()),
                };
                fields.record(&mut visitor);
                visitor.result?;
                writer.write_str(&text)
            }
        })
    }
}

struct FieldVisitor<'a> {
    out: &'a mut String,
    result: fmt::Result,
}

impl FieldVisitor<'_> {
    fn name(&mut self, field: &Field) {
        if !self.out.is_empty() {
            self.out.push(' ');
        }
        let name = field.name();
        if name != "message" {
            self.out.push_str(name.strip_prefix("r#").unwrap_or(name));
            self.out.push('=');
        }
    }
}

impl Visit for FieldVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if self.result.is_err() {
            return;
        }
        // Checked without branching per byte, as ids are short and plain.
        let plain = !value.bytes().fold(false, |escaped, byte| {
            escaped | !(0x20..=0x7e).contains(&byte) | (byte == b'"') | (byte == b'\\')
        });
        if plain {
            self.name(field);
            self.out.push('"');
            self.out.push_str(value);
            self.out.push('"');
        } else {
            self.record_debug(field, &value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if self.result.is_err() {
            return;
        }
        self.name(field);
        self.result = write!(Sanitize(&mut *self.out), "{value:?}");
    }
}

#[cfg(test)]
mod tests {
    use tracing_subscriber::layer::SubscriberExt;

    use super::super::captured::Captured;
    use super::*;

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

    fn lines_with<N>(fields: N) -> Vec<String>
    where
        N: for<'w> FormatFields<'w> + Send + Sync + 'static,
    {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::registry().with(
            tracing_subscriber::fmt::layer()
                .fmt_fields(fields)
                .without_time()
                .with_writer(captured.clone())
                .with_ansi(false),
        );
        tracing::subscriber::with_default(subscriber, log_in_spans);
        captured.lines()
    }

    /// What users and their scripts read stays as tracing-subscriber writes it.
    #[test]
    fn regression_span_fields_read_as_tracing_subscribers_default_fields() {
        let ours = lines_with(SpanFields);
        let stock = lines_with(tracing_subscriber::fmt::format::DefaultFields::new());
        assert_eq!(ours, stock);
        assert_eq!(
            ours,
            [" INFO invocation{request_id=\"4e41cf47-b712-48ba-8b1d-000000000000\"}:step{n=7 name=\"a \\\"quoted\\\" name\" ok=true}: app: inside"]
        );
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
        let subscriber = tracing_subscriber::registry();
        let field = tracing::subscriber::with_default(subscriber, || {
            tracing::info_span!("s", v = tracing::field::Empty)
                .metadata()
                .and_then(|metadata| metadata.fields().field("v"))
        })
        .expect("the span has a field v");
        let mut text = String::new();
        let mut visitor = FieldVisitor {
            out: &mut text,
            result: Ok(()),
        };
        visitor.record_debug(&field, &Raw("x\n2026-01-01T00:00:00Z  INFO forged\x1b[31m"));
        assert_eq!(text, r"v=x\n2026-01-01T00:00:00Z  INFO forged\x1b[31m");
    }
}
