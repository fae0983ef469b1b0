//! The default `tracing` subscriber of a Worker: one line per event on the
//! console (`console.log`, `console.warn` for `WARN`, `console.error` for
//! `ERROR`), which Workers Logs and `wrangler tail` collect; the spans the
//! event is in (the invocation's, with its `request_id`) on every line.
//! Text in tracing-subscriber's default layout, or one JSON object per
//! line with `ANYFN_LOG_FORMAT=json`. No timestamp: the console stamps
//! each line, and std's clock panics on this target.
//!
//! It is a small subscriber of its own rather than tracing-subscriber's
//! `fmt`: a Worker is one module uploaded and instantiated per isolate, and
//! `fmt` (its registry, its formatters) doubled the `hello` Worker's size.

use std::fmt::{self, Debug, Write as _};
use std::num::NonZeroU64;
use std::sync::Mutex;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::filter::Targets;

/// The variable (a `[vars]` entry) choosing the log format: `text` (the
/// default) or `json`.
pub(crate) const LOG_FORMAT_VAR: &str = "ANYFN_LOG_FORMAT";

/// The variable (a `[vars]` entry) filtering the log, as `RUST_LOG` does
/// on the other adapters (`target=level` directives; `info` when unset).
pub(crate) const LOG_FILTER_VAR: &str = "RUST_LOG";

/// Installs the default subscriber unless the Worker installed its own
/// (once per isolate: the first invocation's variables decide).
pub(crate) fn install(json: bool, filter: Option<&str>) {
    if tracing::dispatcher::has_been_set() {
        return;
    }
    let console = Console {
        filter: anyfn_kit::logging::rust_log_targets(filter),
        json,
        state: Mutex::new(Spans::default()),
    };
    // Another subscriber set in between is kept: ours is only the default.
    let _ = tracing::subscriber::set_global_default(console);
}

/// The subscriber.
struct Console {
    filter: Targets,
    json: bool,
    state: Mutex<Spans>,
}

/// The spans alive, by id (index + 1), and those entered, innermost last.
#[derive(Default)]
struct Spans {
    slots: Vec<Option<Span>>,
    free: Vec<usize>,
    entered: Vec<u64>,
    /// The text buffers of closed spans, emptied, for the next spans'
    /// fields: an invocation's span takes one rather than allocating its
    /// own and freeing it at its end.
    spare: Vec<String>,
}

/// How many emptied text buffers [`Spans::spare`] keeps, and the largest
/// one it keeps.
const SPARE_BUFFERS: usize = 8;
const SPARE_CAPACITY: usize = 1024;

struct Span {
    name: &'static str,
    fields: Fields,
    references: usize,
}

/// Recorded fields: as text (` key=value` each, values as `Debug` shows
/// them) or as JSON.
enum Fields {
    Text(String),
    Json(JsonFields),
}

/// JSON fields: each name and its value written as JSON, sorted by name (a
/// name recorded again takes the new value), written as one object. Not
/// `serde_json::Value`, whose maps and printer were 40 KB of a Worker.
#[derive(Clone, Default)]
struct JsonFields(Vec<(&'static str, String)>);

impl JsonFields {
    fn insert(&mut self, name: &'static str, json: String) {
        match self.0.binary_search_by(|(known, _)| known.cmp(&name)) {
            Ok(index) => self.0[index].1 = json,
            Err(index) => self.0.insert(index, (name, json)),
        }
    }

    fn write_to(&self, out: &mut String) {
        out.push('{');
        for (index, (name, json)) in self.0.iter().enumerate() {
            if index > 0 {
                out.push(',');
            }
            out.push_str(&json_string(name));
            out.push(':');
            out.push_str(json);
        }
        out.push('}');
    }
}

/// `text` as a JSON string, quoted and escaped.
fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| String::from("\"\""))
}

impl Fields {
    fn new(json: bool) -> Self {
        if json {
            Self::Json(JsonFields::default())
        } else {
            Self::Text(String::new())
        }
    }
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        match self {
            Self::Text(text) => {
                let _ = if field.name() == "message" {
                    write!(text, " {value:?}")
                } else {
                    write!(text, " {}={value:?}", field.name())
                };
            }
            Self::Json(map) => {
                map.insert(field.name(), json_string(&format!("{value:?}")));
            }
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        match self {
            Self::Json(map) => {
                map.insert(field.name(), json_string(value));
            }
            // A message given as a `&str` (a `REPORT` line's: `log_report`)
            // is written as it is, as one given as format arguments is,
            // and as the other adapters' text format writes it: not quoted.
            Self::Text(text) if field.name() == "message" => {
                text.reserve(value.len() + 1);
                text.push(' ');
                text.push_str(value);
            }
            // A plain value (an id) is its `Debug` text between quotes:
            // written as it is, not through `Debug`'s escaping char by char.
            Self::Text(text) if anyfn_kit::logging::is_plain(value) => {
                text.reserve(field.name().len() + value.len() + 4);
                text.push(' ');
                text.push_str(field.name());
                text.push_str("=\"");
                text.push_str(value);
                text.push('"');
            }
            Self::Text(_) => self.record_debug(field, &value),
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        match self {
            Self::Json(map) => {
                map.insert(field.name(), value.to_string());
            }
            Self::Text(_) => self.record_debug(field, &value),
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        match self {
            Self::Json(map) => {
                map.insert(field.name(), value.to_string());
            }
            Self::Text(_) => self.record_debug(field, &value),
        }
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        match self {
            Self::Json(map) => {
                map.insert(field.name(), value.to_string());
            }
            Self::Text(_) => self.record_debug(field, &value),
        }
    }
}

impl Console {
    fn spans(&self) -> std::sync::MutexGuard<'_, Spans> {
        // A panic while the lock is held (formatting a value) leaves the
        // spans as they were: keep going.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn text_line(&self, event: &Event<'_>, spans: &Spans) -> String {
        let meta = event.metadata();
        // Put together piece by piece, the fields recorded in place: a
        // `REPORT` line a request, through `format!` and a second string,
        // cost more than the rest of the line. Room for that line in the
        // invocation's span (some 240 bytes with a UUID-long request id),
        // so that it is not grown half-way.
        let mut line = String::with_capacity(256);
        line.push_str(padded_level(*meta.level()));
        line.push(' ');
        let mut any_span = false;
        for span in spans.entered_spans() {
            if any_span {
                line.push(':');
            }
            any_span = true;
            line.push_str(span.name);
            if let Fields::Text(fields) = &span.fields {
                if let Some(fields) = fields.get(1..).filter(|fields| !fields.is_empty()) {
                    line.push('{');
                    line.push_str(fields);
                    line.push('}');
                }
            }
        }
        if any_span {
            line.push_str(": ");
        }
        line.push_str(meta.target());
        line.push(':');
        let mut fields = Fields::Text(line);
        event.record(&mut fields);
        match fields {
            Fields::Text(line) => line,
            Fields::Json(_) => String::new(),
        }
    }

    fn json_line(&self, event: &Event<'_>, spans: &Spans) -> String {
        let meta = event.metadata();
        let mut fields = Fields::new(true);
        event.record(&mut fields);
        // The keys in order, as a sorted map writes them.
        let mut line = String::from("{\"fields\":");
        match &fields {
            Fields::Json(fields) => fields.write_to(&mut line),
            Fields::Text(_) => line.push_str("{}"),
        }
        line.push_str(",\"level\":");
        line.push_str(&json_string(meta.level().as_str()));
        if let Some(span) = spans.entered_spans().last() {
            let mut current = match &span.fields {
                Fields::Json(fields) => fields.clone(),
                Fields::Text(_) => JsonFields::default(),
            };
            current.insert("name", json_string(span.name));
            line.push_str(",\"span\":");
            current.write_to(&mut line);
        }
        line.push_str(",\"target\":");
        line.push_str(&json_string(meta.target()));
        line.push('}');
        line
    }
}

/// A level as `{:>5}` writes it.
fn padded_level(level: Level) -> &'static str {
    match level {
        Level::ERROR => "ERROR",
        Level::WARN => " WARN",
        Level::INFO => " INFO",
        Level::DEBUG => "DEBUG",
        Level::TRACE => "TRACE",
    }
}

impl Spans {
    fn get_mut(&mut self, id: &Id) -> Option<&mut Span> {
        let index = usize::try_from(id.into_u64()).ok()?.checked_sub(1)?;
        self.slots.get_mut(index)?.as_mut()
    }

    fn entered_spans(&self) -> impl Iterator<Item = &Span> {
        self.entered.iter().filter_map(|id| {
            let index = usize::try_from(*id).ok()?.checked_sub(1)?;
            self.slots.get(index)?.as_ref()
        })
    }
}

impl Subscriber for Console {
    fn register_callsite(&self, meta: &'static Metadata<'static>) -> Interest {
        if self.enabled(meta) {
            Interest::always()
        } else {
            Interest::never()
        }
    }

    fn enabled(&self, meta: &Metadata<'_>) -> bool {
        self.filter.would_enable(meta.target(), meta.level())
    }

    fn new_span(&self, attributes: &Attributes<'_>) -> Id {
        // The fields are recorded with the lock released: a value's
        // `Debug` may log.
        let spare = if self.json {
            None
        } else {
            self.spans().spare.pop()
        };
        let mut fields = spare.map_or_else(|| Fields::new(self.json), Fields::Text);
        attributes.record(&mut fields);
        let span = Span {
            name: attributes.metadata().name(),
            fields,
            references: 1,
        };
        let mut spans = self.spans();
        let index = match spans.free.pop() {
            Some(index) => {
                spans.slots[index] = Some(span);
                index
            }
            None => {
                spans.slots.push(Some(span));
                spans.slots.len() - 1
            }
        };
        Id::from_non_zero_u64(NonZeroU64::MIN.saturating_add(index as u64))
    }

    fn record(&self, span: &Id, values: &Record<'_>) {
        if let Some(span) = self.spans().get_mut(span) {
            values.record(&mut span.fields);
        }
    }

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let spans = self.spans();
        let line = if self.json {
            self.json_line(event, &spans)
        } else {
            self.text_line(event, &spans)
        };
        drop(spans);
        let line = wasm_bindgen::JsValue::from_str(&line);
        let level = *event.metadata().level();
        if level == Level::ERROR {
            worker::web_sys::console::error_1(&line);
        } else if level == Level::WARN {
            worker::web_sys::console::warn_1(&line);
        } else {
            worker::web_sys::console::log_1(&line);
        }
    }

    fn enter(&self, span: &Id) {
        self.spans().entered.push(span.into_u64());
    }

    fn exit(&self, span: &Id) {
        let mut spans = self.spans();
        let id = span.into_u64();
        // Nearly always the innermost: popped, not shifted.
        if spans.entered.last() == Some(&id) {
            spans.entered.pop();
        } else if let Some(position) = spans.entered.iter().rposition(|entered| *entered == id) {
            spans.entered.remove(position);
        }
    }

    fn clone_span(&self, span: &Id) -> Id {
        if let Some(entry) = self.spans().get_mut(span) {
            entry.references += 1;
        }
        span.clone()
    }

    fn try_close(&self, span: Id) -> bool {
        let mut spans = self.spans();
        let Some(entry) = spans.get_mut(&span) else {
            return false;
        };
        entry.references -= 1;
        if entry.references > 0 {
            return false;
        }
        let index = (span.into_u64() - 1) as usize;
        if let Some(Span {
            fields: Fields::Text(mut text),
            ..
        }) = spans.slots[index].take()
        {
            if spans.spare.len() < SPARE_BUFFERS && text.capacity() <= SPARE_CAPACITY {
                text.clear();
                spans.spare.push(text);
            }
        }
        spans.free.push(index);
        true
    }
}

impl Debug for Console {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Console")
            .field("json", &self.json)
            .finish_non_exhaustive()
    }
}
