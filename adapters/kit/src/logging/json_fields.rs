//! tracing-subscriber's JSON format's span fields, as it writes them but
//! quicker for plain strings: [`JsonSpanFields`].

use std::cell::RefCell;
use std::fmt;

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing_subscriber::field::RecordFields;
use tracing_subscriber::fmt::format::{JsonFields, Writer};
use tracing_subscriber::fmt::{FormatFields, FormattedFields};

use super::fields::is_plain;

/// The most fields the quick path takes; a span with more goes the stock way.
const MOST_FIELDS: usize = 8;

/// Writes a span's fields exactly as tracing-subscriber's `JsonFields` does
/// (one JSON object, keys in order: `{"requestId":"8476a536-…",
/// "xrayTraceId":"Root=1-…"}`), which the JSON event format reads back for
/// every line logged in the span. `JsonFields` builds a map of
/// `serde_json::Value`s and serializes it for every span, logged in or not:
/// the invocation span's two ids cost about 7,000 instructions per
/// invocation (`benches/lambda_http_vs_anyfn_tower.sh` with
/// `AWS_LAMBDA_LOG_FORMAT=JSON`).
///
/// When every field is a plain string (printable ASCII without `"` or `\`,
/// names too), the object is written directly, keys sorted as the map sorts
/// them. Anything else (a number, a `Debug` value, a string to escape, a
/// repeated name) goes to `JsonFields` itself, and so does adding fields to
/// a span that has some.
///
/// # Example
///
/// ```
/// let subscriber = tracing_subscriber::fmt()
///     .json()
///     .flatten_event(true)
///     .fmt_fields(anyfn_kit::logging::JsonSpanFields)
///     .with_writer(std::io::stderr)
///     .finish();
/// tracing::subscriber::with_default(subscriber, || {
///     let _span = tracing::info_span!("invoke", requestId = "8476a536").entered();
///     // {"timestamp":"…","level":"INFO","message":"in the span","target":"…","span":{"requestId":"8476a536","name":"invoke"},"spans":[…]}
///     tracing::info!("in the span");
/// });
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonSpanFields;

thread_local! {
    static SCRATCH: RefCell<String> = const { RefCell::new(String::new()) };
}

impl<'writer> FormatFields<'writer> for JsonSpanFields {
    fn format_fields<R: RecordFields>(&self, writer: Writer<'writer>, fields: R) -> fmt::Result {
        SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut scratch) => write_plain_or_stock(&mut scratch, writer, fields),
            Err(_) => write_plain_or_stock(&mut String::new(), writer, fields),
        })
    }

    fn add_fields(
        &self,
        current: &'writer mut FormattedFields<Self>,
        fields: &tracing::span::Record<'_>,
    ) -> fmt::Result {
        if current.fields.is_empty() {
            return self.format_fields(current.as_writer(), fields);
        }
        // As JsonFields does: the fields so far and the new ones, in one
        // object (a new value replaces an old one of the same name).
        let mut merged: Map<String, Value> =
            serde_json::from_str(&current.fields).map_err(|_| fmt::Error)?;
        let mut added = String::new();
        JsonFields::new().format_fields(Writer::new(&mut added), fields)?;
        let added: Map<String, Value> = serde_json::from_str(&added).map_err(|_| fmt::Error)?;
        merged.extend(added);
        current.fields = serde_json::to_string(&merged).map_err(|_| fmt::Error)?;
        Ok(())
    }
}

/// Writes `fields` as one JSON object: directly when they are all plain
/// strings (gathered in `scratch`), else through `JsonFields`.
fn write_plain_or_stock(
    scratch: &mut String,
    mut writer: Writer<'_>,
    fields: impl RecordFields,
) -> fmt::Result {
    scratch.clear();
    let mut plain = PlainStrings {
        text: scratch,
        fields: [("", 0, 0); MOST_FIELDS],
        len: 0,
        plain: true,
    };
    fields.record(&mut plain);
    if !plain.plain {
        return JsonFields::new().format_fields(writer, fields);
    }
    let PlainStrings {
        text,
        fields: mut found,
        len,
        ..
    } = plain;
    let found = &mut found[..len];
    found.sort_unstable_by_key(|(name, _, _)| *name);
    if found.windows(2).any(|pair| pair[0].0 == pair[1].0) {
        return JsonFields::new().format_fields(writer, fields);
    }
    let mut object = String::with_capacity(text.len() + 8 * found.len() + 2);
    object.push('{');
    for (index, (name, start, end)) in found.iter().enumerate() {
        if index > 0 {
            object.push(',');
        }
        object.push('"');
        object.push_str(name);
        object.push_str("\":\"");
        object.push_str(&text[*start..*end]);
        object.push('"');
    }
    object.push('}');
    fmt::Write::write_str(&mut writer, &object)
}

/// Gathers string fields whose names and values need no JSON escaping;
/// `plain` turns false at the first field that is anything else.
struct PlainStrings<'a> {
    text: &'a mut String,
    /// Each field's name and where its value is in `text`.
    fields: [(&'static str, usize, usize); MOST_FIELDS],
    len: usize,
    plain: bool,
}

impl Visit for PlainStrings<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        let name = field.name();
        if !self.plain || self.len == MOST_FIELDS || !is_plain(name) || !is_plain(value) {
            self.plain = false;
            return;
        }
        let start = self.text.len();
        self.text.push_str(value);
        self.fields[self.len] = (name, start, self.text.len());
        self.len += 1;
    }

    fn record_debug(&mut self, _field: &Field, _value: &dyn fmt::Debug) {
        self.plain = false;
    }
}

#[cfg(test)]
mod tests {
    use tracing_subscriber::layer::SubscriberExt as _;

    use super::super::captured::{lambda_invocation_span, Captured};
    use super::*;

    fn log_in_spans() {
        let invocation = lambda_invocation_span();
        let _invocation = invocation.enter();
        tracing::info!(user = "ada", "in the invocation span");
        let plain_later =
            tracing::info_span!("b", zeta = "z", alpha = "a", later = tracing::field::Empty);
        plain_later.record("later", "recorded");
        plain_later.in_scope(|| tracing::info!("plain strings, recorded later"));
        let mixed = tracing::info_span!(
            "c",
            n = 7,
            ok = true,
            name = "a \"quoted\" name",
            word = "café",
            debug = ?Some("x"),
            r#type = "raw",
        );
        mixed.in_scope(|| tracing::warn!("mixed values"));
        let repeated = tracing::info_span!("d", same = "one", same = "two");
        repeated.in_scope(|| tracing::info!("a repeated name"));
        let empty = tracing::info_span!("e", later = tracing::field::Empty);
        empty.record("later", 3);
        empty.in_scope(|| tracing::error!("fields recorded into an empty span"));
    }

    fn lines_with<N>(fields: N) -> String
    where
        N: for<'w> FormatFields<'w> + Send + Sync + 'static,
    {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::registry().with(
            tracing_subscriber::fmt::layer()
                .json()
                .flatten_event(true)
                .with_current_span(true)
                .with_span_list(false)
                .fmt_fields(fields)
                .without_time()
                .with_writer(move || writer.clone()),
        );
        crate::logging::captured::with_scoped(subscriber, log_in_spans);
        captured.text()
    }

    /// Lambda's JSON log lines stay as tracing-subscriber writes them.
    #[test]
    fn regression_json_span_fields_read_as_tracing_subscribers_json_fields() {
        let ours = lines_with(JsonSpanFields);
        let stock = lines_with(JsonFields::new());
        assert_eq!(ours, stock);
        let first: Value =
            serde_json::from_str(ours.lines().next().expect("a line")).expect("JSON");
        assert_eq!(
            first["span"],
            serde_json::json!({
                "name": "Lambda runtime invoke",
                "requestId": "8476a536-e9f4-11e8-9739-2dfe598c3fcd",
                "xrayTraceId": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
            })
        );
        assert_eq!(ours.lines().count(), 5, "{ours}");
    }

    #[test]
    fn plain_string_fields_are_written_directly_in_key_order() {
        let mut text = String::new();
        let subscriber = tracing_subscriber::registry();
        crate::logging::captured::with_scoped(subscriber, || {
            let span = tracing::info_span!("s", zeta = "z", alpha = "a b");
            let metadata = span.metadata().expect("metadata");
            let values = metadata.fields();
            let zeta = values.field("zeta").expect("zeta");
            let alpha = values.field("alpha").expect("alpha");
            let record = [
                (&zeta, Some(&"z" as &dyn tracing::Value)),
                (&alpha, Some(&"a b" as &dyn tracing::Value)),
            ];
            let set = values.value_set(&record);
            JsonSpanFields
                .format_fields(Writer::new(&mut text), tracing::span::Record::new(&set))
                .expect("formats");
        });
        assert_eq!(text, r#"{"alpha":"a b","zeta":"z"}"#);
    }
}
