//! Cloud Logging's structured JSON, one object per line ([`CloudLogging`],
//! [`CloudLoggingFields`]): the server's log on Cloud Run.

use std::fmt::{self, Write};
use std::sync::Arc;
use std::time::SystemTime;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::field::RecordFields;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, FormattedFields};
use tracing_subscriber::registry::LookupSpan;

use super::sanitize::JsonEscape;
use super::timestamp::{as_text, timestamp};

/// The variables naming the Google Cloud project, in the order they are
/// read: `GOOGLE_CLOUD_PROJECT` (what Google's client libraries read), then
/// `GCP_PROJECT` (what the first Cloud Functions runtimes set).
const PROJECT_ENV: [&str; 2] = ["GOOGLE_CLOUD_PROJECT", "GCP_PROJECT"];

/// The key Cloud Logging reads a log entry's trace from.
const TRACE_KEY: &str = "logging.googleapis.com/trace";

/// The span field holding the invocation's trace id
/// ([`invocation_span`](crate::invocation_span)).
const TRACE_ID_FIELD: &str = "trace_id";

/// The project named by the first of [`PROJECT_ENV`] set to something, as
/// read by `lookup`.
fn project_from_env(lookup: impl Fn(&str) -> Option<String>) -> Option<String> {
    PROJECT_ENV.iter().find_map(|name| {
        lookup(name)
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    })
}

/// Formats events as Cloud Logging's structured log lines: one JSON object
/// per line, which Cloud Run's logging agent turns into a log entry:
///
/// ```text
/// {"severity":"INFO","time":"2026-11-26T17:07:20.295661Z","target":"app","message":"charged","amount":12,"request_id":"…","trace_id":"…","logging.googleapis.com/trace":"projects/my-project/traces/…"}
/// ```
///
/// - `severity`: `DEBUG` (`TRACE` and `DEBUG`), `INFO`, `WARNING` or
///   `ERROR`; `time`: the event's time, RFC 3339 with microseconds;
///   `target`: the event's target; `message`: its message.
/// - The event's other fields under their names: strings, numbers and
///   booleans as such, anything else (a `Debug` or `Display` value) as a
///   string.
/// - The fields of the spans the event is in, outermost first, as
///   [`CloudLoggingFields`] wrote them: in an invocation, `request_id`, `trace_id`
///   and `logging.googleapis.com/trace`.
///
/// A field named as a key this format writes itself (`severity`, `time`,
/// `target`, `logging.googleapis.com/trace`, and a span's `message`) is
/// written as `fields.<name>`, so that no key appears twice.
///
/// Every string is escaped as JSON asks (`"`, `\`, control characters), and
/// DEL and the C1 controls too: one event is one line, whatever a client
/// sent.
///
/// # Example
///
/// ```
/// use anyfn_kit::logging::{CloudLogging, CloudLoggingFields};
///
/// let subscriber = tracing_subscriber::fmt()
///     .fmt_fields(CloudLoggingFields::new(Some("my-project")))
///     .event_format(CloudLogging)
///     .with_writer(std::io::stderr)
///     .finish();
/// tracing::subscriber::with_default(subscriber, || {
///     let context = anyfn::Context::builder().request_id("req-1").trace_id("4bf92f35").build();
///     let _span = anyfn_kit::invocation_span(&context).entered();
///     // {"severity":"INFO",…,"message":"charged","request_id":"req-1","trace_id":"4bf92f35",
///     //  "logging.googleapis.com/trace":"projects/my-project/traces/4bf92f35"}
///     tracing::info!("charged");
/// });
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct CloudLogging;

impl<S> FormatEvent<S, CloudLoggingFields> for CloudLogging
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, CloudLoggingFields>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let metadata = event.metadata();
        writer.write_str("{\"severity\":\"")?;
        writer.write_str(severity(*metadata.level()))?;
        writer.write_str("\",\"time\":\"")?;
        writer.write_str(as_text(&timestamp(SystemTime::now())))?;
        writer.write_str("\",\"target\":")?;
        write_string(&mut writer, metadata.target())?;

        let mut members = Members {
            out: &mut writer,
            span: false,
            trace_key: None,
            result: Ok(()),
        };
        event.record(&mut members);
        members.result?;

        if let Some(scope) = ctx.event_scope() {
            for span in scope.from_root() {
                if let Some(fields) = span
                    .extensions()
                    .get::<FormattedFields<CloudLoggingFields>>()
                {
                    // Members, each after a comma, as `CloudLoggingFields` made them.
                    writer.write_str(fields)?;
                }
            }
        }
        writer.write_str("}\n")
    }
}

/// Cloud Logging's name for `level`.
fn severity(level: Level) -> &'static str {
    match level {
        Level::TRACE | Level::DEBUG => "DEBUG",
        Level::INFO => "INFO",
        Level::WARN => "WARNING",
        Level::ERROR => "ERROR",
    }
}

/// Formats a span's fields as members of [`CloudLogging`]'s object, each
/// after a comma (`,"request_id":"…","trace_id":"…"`), kept with the span
/// and copied into every event in it. A `trace_id` is followed by
/// `logging.googleapis.com/trace`, `projects/PROJECT/traces/TRACE_ID`, when
/// the project is known: that is the form Cloud Logging links to Cloud
/// Trace, and the log entries of one request are grouped by it.
///
/// # Example
///
/// ```
/// // GOOGLE_CLOUD_PROJECT, else GCP_PROJECT, names the project.
/// let fields = anyfn_kit::logging::CloudLoggingFields::from_env();
/// let subscriber = tracing_subscriber::fmt()
///     .fmt_fields(fields)
///     .event_format(anyfn_kit::logging::CloudLogging)
///     .finish();
/// # drop(subscriber);
/// ```
#[derive(Debug, Clone, Default)]
pub struct CloudLoggingFields {
    /// `,"logging.googleapis.com/trace":"projects/PROJECT/traces/`, with the
    /// project escaped; none without a project.
    trace_key: Option<Arc<str>>,
}

impl CloudLoggingFields {
    /// Links trace ids to traces of `project`, if any.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_kit::logging::{CloudLogging, CloudLoggingFields};
    /// # use tracing_subscriber::fmt::MakeWriter as _;
    /// # static OUT: std::sync::Mutex<Vec<u8>> = std::sync::Mutex::new(Vec::new());
    ///
    /// let subscriber = tracing_subscriber::fmt()
    ///     .fmt_fields(CloudLoggingFields::new(Some("my-project")))
    ///     .event_format(CloudLogging)
    ///     .with_writer(|| OUT.make_writer()) // OUT: a `Mutex<Vec<u8>>`
    ///     .finish();
    /// tracing::subscriber::with_default(subscriber, || {
    ///     let context = anyfn::Context::builder().request_id("req-1").trace_id("4bf92f35").build();
    ///     let _span = anyfn_kit::invocation_span(&context).entered();
    ///     tracing::info!("charged");
    /// });
    /// let line = String::from_utf8(OUT.lock().unwrap().clone()).unwrap();
    /// assert!(line.contains(r#""logging.googleapis.com/trace":"projects/my-project/traces/4bf92f35""#));
    /// ```
    pub fn new(project: Option<&str>) -> Self {
        let trace_key = project.map(|project| {
            let mut key = String::new();
            // Writing to a String does not fail.
            let _ = write_key(&mut key, TRACE_KEY);
            key.push('"');
            let _ = JsonEscape(&mut key).write_str("projects/");
            let _ = JsonEscape(&mut key).write_str(project);
            key.push_str("/traces/");
            Arc::from(key)
        });
        Self { trace_key }
    }

    /// Links trace ids to traces of the project the environment names
    /// (`GOOGLE_CLOUD_PROJECT`, else `GCP_PROJECT`), if any.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn_kit::logging::CloudLoggingFields;
    ///
    /// std::env::set_var("GOOGLE_CLOUD_PROJECT", "my-project");
    /// let fields = CloudLoggingFields::from_env();
    /// assert_eq!(format!("{fields:?}"), format!("{:?}", CloudLoggingFields::new(Some("my-project"))));
    /// ```
    pub fn from_env() -> Self {
        Self::new(project_from_env(|name| std::env::var(name).ok()).as_deref())
    }
}

impl<'writer> FormatFields<'writer> for CloudLoggingFields {
    fn format_fields<R: RecordFields>(
        &self,
        mut writer: Writer<'writer>,
        fields: R,
    ) -> fmt::Result {
        let mut members = Members {
            out: &mut writer,
            span: true,
            trace_key: self.trace_key.as_deref(),
            result: Ok(()),
        };
        fields.record(&mut members);
        members.result
    }

    /// Fields recorded later go after the others: every member begins with
    /// its comma, so none is added.
    fn add_fields(
        &self,
        current: &'writer mut FormattedFields<Self>,
        fields: &tracing::span::Record<'_>,
    ) -> fmt::Result {
        self.format_fields(current.as_writer(), fields)
    }
}

/// Writes fields as JSON members, each after a comma.
struct Members<'a, W> {
    out: &'a mut W,
    /// Whether these are a span's fields (whose `message` is no message).
    span: bool,
    /// The start of the trace member, for a span's `trace_id`.
    trace_key: Option<&'a str>,
    result: fmt::Result,
}

impl<W: Write> Members<'_, W> {
    /// `,"name":`, the name made unique when it is one of this format's own.
    fn key(&mut self, field: &Field) -> fmt::Result {
        let name = field.name();
        let name = name.strip_prefix("r#").unwrap_or(name);
        let reserved = matches!(name, "severity" | "time" | "target" | TRACE_KEY)
            || (self.span && name == "message");
        if reserved {
            self.out.write_str(",\"fields.")?;
            JsonEscape(&mut *self.out).write_str(name)?;
            self.out.write_str("\":")
        } else {
            write_key(self.out, name)
        }
    }

    fn member(&mut self, field: &Field, value: impl FnOnce(&mut W) -> fmt::Result) {
        if self.result.is_ok() {
            self.result = self.key(field).and_then(|()| value(self.out));
        }
    }
}

impl<W: Write> Visit for Members<'_, W> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.member(field, |out| write_string(out, value));
        if self.span && field.name() == TRACE_ID_FIELD && self.result.is_ok() {
            if let Some(trace_key) = self.trace_key {
                self.result = self
                    .out
                    .write_str(trace_key)
                    .and_then(|()| JsonEscape(&mut *self.out).write_str(value))
                    .and_then(|()| self.out.write_char('"'));
            }
        }
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.member(field, |out| {
            out.write_str(if value { "true" } else { "false" })
        });
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.member(field, |out| write!(out, "{value}"));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.member(field, |out| write!(out, "{value}"));
    }

    fn record_i128(&mut self, field: &Field, value: i128) {
        self.member(field, |out| write!(out, "{value}"));
    }

    fn record_u128(&mut self, field: &Field, value: u128) {
        self.member(field, |out| write!(out, "{value}"));
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        // `Display` of a finite f64 is a JSON number (no exponent); JSON has
        // none for NaN and the infinities.
        if value.is_finite() {
            self.member(field, |out| write!(out, "{value}"));
        } else {
            self.member(field, |out| write!(out, "\"{value}\""));
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.member(field, |out| {
            out.write_char('"')?;
            write!(JsonEscape(&mut *out), "{value:?}")?;
            out.write_char('"')
        });
    }
}

/// `,"name":`.
fn write_key(out: &mut impl Write, name: &str) -> fmt::Result {
    out.write_str(",\"")?;
    JsonEscape(&mut *out).write_str(name)?;
    out.write_str("\":")
}

/// `text` as a JSON string.
fn write_string(out: &mut impl Write, text: &str) -> fmt::Result {
    out.write_char('"')?;
    JsonEscape(&mut *out).write_str(text)?;
    out.write_char('"')
}

#[cfg(test)]
mod tests {
    use serde_json::Value;
    use tracing_subscriber::layer::SubscriberExt;

    use super::super::captured::Captured;
    use super::*;

    const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

    /// The lines a subscriber with this format writes.
    fn lines_of(project: Option<&str>, log: impl FnOnce()) -> Vec<String> {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::registry().with(
            tracing_subscriber::fmt::layer()
                .fmt_fields(CloudLoggingFields::new(project))
                .event_format(CloudLogging)
                .with_writer(captured.clone())
                .with_ansi(false),
        );
        crate::logging::captured::with_scoped(subscriber, log);
        captured.lines()
    }

    /// The lines a subscriber with this format writes, each parsed.
    fn entries_of(project: Option<&str>, log: impl FnOnce()) -> Vec<Value> {
        lines_of(project, log)
            .iter()
            .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
            .collect()
    }

    /// A message given as a `&str` field (the server's `REPORT` line) is
    /// written as the same message formatted, byte for byte but the time.
    #[test]
    fn a_str_message_is_written_as_the_same_message_formatted() {
        let raw_lines = |log: &dyn Fn()| {
            // `,"time":"2026-…Z"` cut out.
            lines_of(Some("p"), log)
                .iter()
                .map(|line| {
                    let time = line.find(",\"time\":\"").expect("a time member");
                    format!("{}{}", &line[..time], &line[time + 37..])
                })
                .collect::<Vec<String>>()
        };
        for message in [
            "REPORT RequestId: r\tDuration: 1.00 ms",
            "",
            "x\ny\x1b[31m\u{9b}z \"q\" \\ é\r\u{7f}",
        ] {
            let log = |as_str: bool| {
                move || {
                    let context = anyfn::Context::builder()
                        .request_id("req-1")
                        .trace_id(TRACE)
                        .build();
                    let _span = crate::invocation_span(&context).entered();
                    if as_str {
                        tracing::info!(target: "anyfn::report", message = message, n = 7);
                    } else {
                        tracing::info!(target: "anyfn::report", n = 7, "{message}");
                    }
                }
            };
            let as_str = raw_lines(&log(true));
            let formatted = raw_lines(&log(false));
            assert_eq!(as_str.len(), 1);
            assert!(
                as_str[0].starts_with("{\"severity\":\"INFO\",\"target\""),
                "{as_str:?}"
            );
            assert_eq!(as_str, formatted, "{message:?}");
        }
    }

    fn in_an_invocation(trace_id: Option<&str>) {
        let mut context = anyfn::Context::builder().request_id("req-1");
        if let Some(trace_id) = trace_id {
            context = context.trace_id(trace_id);
        }
        let span = crate::invocation_span(&context.build());
        let _entered = span.enter();
        tracing::warn!(target: "app", amount = 12, ok = true, ratio = 0.5, who = %"Ada", "charged {}", 3);
    }

    #[test]
    fn an_event_in_an_invocation_has_severity_message_fields_and_its_trace() {
        let entries = entries_of(Some("my-project"), || in_an_invocation(Some(TRACE)));
        let [entry] = entries.as_slice() else {
            panic!("one line: {entries:?}")
        };
        let mut entry = entry.clone();
        let time = entry["time"].take();
        assert!(
            time.as_str()
                .is_some_and(|t| t.len() == 27 && t.ends_with('Z')),
            "{time}"
        );
        assert_eq!(
            entry,
            serde_json::json!({
                "severity": "WARNING",
                "time": null,
                "target": "app",
                "message": "charged 3",
                "amount": 12,
                "ok": true,
                "ratio": 0.5,
                "who": "Ada",
                "request_id": "req-1",
                "trace_id": TRACE,
                "logging.googleapis.com/trace": format!("projects/my-project/traces/{TRACE}"),
            })
        );
    }

    #[test]
    fn without_a_project_or_a_trace_id_there_is_no_trace_key() {
        for (project, trace_id) in [(None, Some(TRACE)), (Some("my-project"), None)] {
            let entries = entries_of(project, || in_an_invocation(trace_id));
            assert_eq!(entries.len(), 1);
            assert!(entries[0].get(TRACE_KEY).is_none(), "{}", entries[0]);
            assert_eq!(entries[0]["request_id"], "req-1");
            assert_eq!(
                entries[0].get("trace_id").and_then(Value::as_str),
                trace_id,
                "the trace id stays a field of its own"
            );
        }
    }

    #[test]
    fn levels_map_to_cloud_logging_severities() {
        let entries = entries_of(None, || {
            tracing::trace!("t");
            tracing::debug!("d");
            tracing::info!("i");
            tracing::warn!("w");
            tracing::error!("e");
        });
        let severities: Vec<&str> = entries
            .iter()
            .map(|entry| entry["severity"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(severities, ["DEBUG", "DEBUG", "INFO", "WARNING", "ERROR"]);
    }

    #[test]
    fn the_report_line_is_one_json_line_with_its_tabs() {
        let report = crate::InvocationReport::new(
            "req-1",
            std::time::Duration::from_millis(2),
            128,
            crate::Pricing::AWS_LAMBDA_X86,
        );
        let entries = entries_of(None, || tracing::info!(target: "anyfn::report", "{report}"));
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0]["severity"], "INFO");
        assert_eq!(entries[0]["target"], "anyfn::report");
        assert_eq!(entries[0]["message"], report.to_string());
        assert!(report.to_string().contains('\t'));
    }

    #[test]
    fn untrusted_text_cannot_forge_a_line_or_break_the_object() {
        let untrusted =
            "x\"}\n{\"severity\":\"ERROR\\\u{0}\u{7}\u{1b}[31m\u{7f}\u{85}\u{9b}é\u{2028}日本\r\t";
        let captured = Captured::default();
        let subscriber = tracing_subscriber::registry().with(
            tracing_subscriber::fmt::layer()
                .fmt_fields(CloudLoggingFields::new(Some("p\"\n")))
                .event_format(CloudLogging)
                .with_writer(captured.clone()),
        );
        crate::logging::captured::with_scoped(subscriber, || {
            let span = tracing::info_span!("s", trace_id = untrusted, v = ?untrusted);
            let _entered = span.enter();
            tracing::error!(target: "app", header = untrusted, debug = ?untrusted, "bad {untrusted}");
        });
        let lines = captured.lines();
        assert_eq!(lines.len(), 1, "{lines:?}");
        let line = &lines[0];
        assert!(
            !line.contains(['\u{1b}', '\u{7f}', '\u{85}', '\u{9b}', '\r', '\0']),
            "{line:?}"
        );
        let entry: Value = serde_json::from_str(line).expect("one JSON object");
        assert_eq!(entry["message"], format!("bad {untrusted}"));
        assert_eq!(entry["header"], untrusted);
        assert_eq!(entry["debug"], format!("{untrusted:?}"));
        assert_eq!(entry["trace_id"], untrusted);
        assert_eq!(entry["v"], format!("{untrusted:?}"));
        assert_eq!(
            entry[TRACE_KEY],
            format!("projects/p\"\n/traces/{untrusted}")
        );
    }

    #[test]
    fn fields_named_as_this_formats_keys_do_not_repeat_them() {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::registry().with(
            tracing_subscriber::fmt::layer()
                .fmt_fields(CloudLoggingFields::new(None))
                .event_format(CloudLogging)
                .with_writer(captured.clone()),
        );
        crate::logging::captured::with_scoped(subscriber, || {
            let span = tracing::info_span!("s", message = "span's", r#type = "t");
            let _entered = span.enter();
            tracing::info!(target: "app", severity = "low", time = 3, target = "x", "hi");
        });
        let line = &captured.lines()[0];
        for key in ["severity", "time", "target", "message", "type"] {
            assert_eq!(
                line.matches(&format!("\"{key}\":")).count(),
                1,
                "{key}: {line}"
            );
        }
        let entry: Value = serde_json::from_str(line).expect("JSON");
        assert_eq!(entry["severity"], "INFO");
        assert_eq!(entry["fields.severity"], "low");
        assert_eq!(entry["fields.time"], 3);
        assert_eq!(entry["fields.target"], "x");
        assert_eq!(entry["fields.message"], "span's");
        assert_eq!(entry["type"], "t");
    }

    #[test]
    fn fields_recorded_later_join_the_spans_members() {
        let entries = entries_of(None, || {
            let span = tracing::info_span!("s", a = 1, b = tracing::field::Empty);
            span.record("b", "later");
            let _entered = span.enter();
            tracing::info!(x = f64::NAN, y = -7_i64, z = u64::MAX, "m");
        });
        assert_eq!(entries[0]["a"], 1);
        assert_eq!(entries[0]["b"], "later");
        assert_eq!(entries[0]["x"], "NaN");
        assert_eq!(entries[0]["y"], -7);
        assert_eq!(entries[0]["z"], u64::MAX);
    }

    #[test]
    fn the_project_comes_from_google_cloud_project_then_gcp_project() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| (*value).to_owned())
            }
        };
        assert_eq!(
            project_from_env(env(&[("GOOGLE_CLOUD_PROJECT", "a"), ("GCP_PROJECT", "b")])),
            Some("a".to_owned())
        );
        assert_eq!(
            project_from_env(env(&[("GOOGLE_CLOUD_PROJECT", " "), ("GCP_PROJECT", "b")])),
            Some("b".to_owned())
        );
        assert_eq!(project_from_env(env(&[])), None);
    }
}
