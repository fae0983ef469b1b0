//! The host's envelope, `{"Data": {binding: value}, "Metadata": {…}}`,
//! read without building it: each binding's value and the metadata are kept
//! as their JSON text (slices of one copy of the body) and parsed into a
//! [`Value`] only when something asks for one.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use serde_json::{Map, Value};

use crate::lenient;
use crate::request_parts::RequestParts;
use crate::scan::{NotJson, Scanner};

/// A JSON value kept as its text, parsed on first use.
#[derive(Clone)]
pub(crate) struct LazyJson {
    source: Arc<str>,
    range: Range<usize>,
    value: OnceLock<Value>,
}

impl LazyJson {
    /// A value already parsed (made by code rather than read).
    pub(crate) fn from_value(value: Value) -> Self {
        let text = value.to_string();
        Self {
            range: 0..text.len(),
            source: Arc::from(text),
            value: OnceLock::from(value),
        }
    }

    /// The part `range` of `source`.
    fn within(source: &Arc<str>, range: Range<usize>) -> Self {
        Self {
            source: Arc::clone(source),
            range,
            value: OnceLock::new(),
        }
    }

    /// The value's JSON text, as the host wrote it.
    pub(crate) fn text(&self) -> &str {
        self.source.get(self.range.clone()).unwrap_or("null")
    }

    /// The value, parsed on the first call.
    pub(crate) fn value(&self) -> &Value {
        self.value
            .get_or_init(|| serde_json::from_str(self.text()).unwrap_or(Value::Null))
    }

    /// The whole text the value is part of, and the value's range in it.
    pub(crate) fn source(&self) -> (&str, Range<usize>) {
        (&self.source, self.range.clone())
    }

    /// The first byte of the text, which tells its JSON type.
    pub(crate) fn first_byte(&self) -> u8 {
        self.text().bytes().next().unwrap_or(b'n')
    }
}

impl fmt::Debug for LazyJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text())
    }
}

impl PartialEq for LazyJson {
    fn eq(&self, other: &Self) -> bool {
        self.text() == other.text() || self.value() == other.value()
    }
}

/// One input binding under `Data`.
#[derive(Clone)]
pub(crate) struct Binding {
    /// The binding's name.
    name: Name,
    /// Its value.
    pub(crate) value: LazyJson,
    /// Where an HTTP request's members are in the value's source, found
    /// while walking the envelope (for an object value).
    pub(crate) request: Option<RequestParts>,
}

/// A binding's name: where it is in its value's source when the host
/// wrote it without escapes (no copy), else its text.
#[derive(Clone)]
enum Name {
    InSource(Range<usize>),
    Text(String),
}

impl Binding {
    fn new(name: String, value: LazyJson) -> Self {
        Self {
            name: Name::Text(name),
            value,
            request: None,
        }
    }

    /// The binding's name.
    pub(crate) fn name(&self) -> &str {
        match &self.name {
            Name::InSource(range) => self.value.source.get(range.clone()).unwrap_or_default(),
            Name::Text(name) => name,
        }
    }
}

impl fmt::Debug for Binding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Binding")
            .field("name", &self.name())
            .field("value", &self.value)
            .field("request", &self.request)
            .finish()
    }
}

/// The bindings under `Data`, in the order the host sent them. Most
/// invocations have one (the trigger's), held in place rather than in a
/// vector of its own (an allocation, and its free, per invocation).
#[derive(Clone, Default)]
enum Bindings {
    #[default]
    None,
    One(Binding),
    Many(Vec<Binding>),
}

impl Bindings {
    fn as_slice(&self) -> &[Binding] {
        match self {
            Self::None => &[],
            Self::One(binding) => std::slice::from_ref(binding),
            Self::Many(bindings) => bindings,
        }
    }

    fn as_mut_slice(&mut self) -> &mut [Binding] {
        match self {
            Self::None => &mut [],
            Self::One(binding) => std::slice::from_mut(binding),
            Self::Many(bindings) => bindings,
        }
    }

    fn push(&mut self, binding: Binding) {
        match self {
            Self::None => *self = Self::One(binding),
            Self::One(_) => {
                if let Self::One(first) = std::mem::take(self) {
                    *self = Self::Many(vec![first, binding]);
                }
            }
            Self::Many(bindings) => bindings.push(binding),
        }
    }
}

/// One invocation's `Data` (binding name → value) and `Metadata`.
#[derive(Clone, Default)]
pub(crate) struct Envelope {
    bindings: Bindings,
    metadata: Option<LazyJson>,
    /// The request body the envelope was read from (the same text as its
    /// values' source), when it came as one: a request decoded from it
    /// shares its header values and URI rather than copying them.
    body: Option<bytes::Bytes>,
    data_map: OnceLock<Map<String, Value>>,
    metadata_map: OnceLock<Map<String, Value>>,
}

impl fmt::Debug for Envelope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Envelope")
            .field("data", &self.bindings())
            .field("metadata", &self.metadata)
            .finish()
    }
}

impl PartialEq for Envelope {
    fn eq(&self, other: &Self) -> bool {
        self.data() == other.data() && self.metadata() == other.metadata()
    }
}

impl Envelope {
    /// An envelope of one binding, made by code.
    pub(crate) fn single(binding: String, value: Value) -> Self {
        Self {
            bindings: Bindings::One(Binding::new(binding, LazyJson::from_value(value))),
            ..Self::default()
        }
    }

    /// Reads an envelope: a JSON object with `Data` or `Metadata` (either
    /// may be absent or `null`; keys in any case; `Data` may be an object
    /// encoded as a string). `None` for anything else.
    pub(crate) fn parse(body: &[u8]) -> Option<Self> {
        let mut envelope = Self::default();
        envelope.read(std::str::from_utf8(body).ok()?)?;
        Some(envelope)
    }

    /// [`parse`](Self::parse), keeping `body` for the values decoded from
    /// it ([`body`](Self::body)); shared at once, as a trigger holds it,
    /// and read in place (the envelope is not moved into its `Arc`).
    pub(crate) fn parse_shared(body: &bytes::Bytes) -> Option<Arc<Self>> {
        let text = std::str::from_utf8(body).ok()?;
        // Anything but an object is no envelope: told before the `Arc` is
        // made (a forwarded POST's body, say).
        if text
            .bytes()
            .find(|byte| !matches!(byte, b' ' | b'\n' | b'\r' | b'\t'))
            != Some(b'{')
        {
            return None;
        }
        let mut envelope = Arc::new(Self {
            body: Some(body.clone()),
            ..Self::default()
        });
        // A new `Arc` is its value's only owner.
        Arc::get_mut(&mut envelope)?.read(text)?;
        Some(envelope)
    }

    /// Reads `text` into this (empty) envelope; `None` when it is not one.
    fn read(&mut self, text: &str) -> Option<()> {
        let source: Arc<str> = Arc::from(text);
        let mut scanner = Scanner::new(&source);
        let mut found = false;
        let mut members = scanner.begin_object().ok()?;
        while let Some(key) = scanner.next_key(&mut members).ok()? {
            if key.is("Data") {
                found = true;
                read_bindings(&source, &mut scanner, &mut self.bindings).ok()?;
            } else if key.is("Metadata") {
                found = true;
                let range = scanner.skip_value().ok()?;
                self.metadata = (scanner.slice(range.clone()) != "null")
                    .then(|| LazyJson::within(&source, range));
            } else {
                scanner.skip_value().ok()?;
            }
        }
        scanner.end().ok()?;
        found.then_some(())
    }

    /// The body the envelope was read from, when it was kept
    /// ([`parse_shared`](Self::parse_shared)): the same bytes as the text
    /// of its values' [`LazyJson::source`].
    pub(crate) fn body(&self) -> Option<&bytes::Bytes> {
        self.body.as_ref()
    }

    /// The bindings under `Data`, in the order the host sent them.
    pub(crate) fn bindings(&self) -> &[Binding] {
        self.bindings.as_slice()
    }

    /// `Data` as a map, built on the first call.
    pub(crate) fn data(&self) -> &Map<String, Value> {
        self.data_map.get_or_init(|| {
            self.bindings()
                .iter()
                .map(|binding| (binding.name().to_owned(), binding.value.value().clone()))
                .collect()
        })
    }

    /// `Metadata` as a map, built on the first call (empty when absent or
    /// not an object).
    pub(crate) fn metadata(&self) -> &Map<String, Value> {
        self.metadata_map.get_or_init(|| {
            let Some(metadata) = &self.metadata else {
                return Map::new();
            };
            match serde_json::from_str::<Value>(metadata.text()) {
                Ok(Value::Object(map)) => map,
                Ok(other) => lenient::object(&other)
                    .map(Cow::into_owned)
                    .unwrap_or_default(),
                Err(_) => Map::new(),
            }
        })
    }

    /// Replaces `Metadata`.
    pub(crate) fn set_metadata(&mut self, metadata: Map<String, Value>) {
        let value = Value::Object(metadata);
        self.metadata = Some(LazyJson::from_value(value.clone()));
        self.metadata_map = OnceLock::new();
        if let Value::Object(map) = value {
            let _ = self.metadata_map.set(map);
        }
    }
}

/// `Data`: an object's members as bindings (a repeated name: the last
/// value counts, as in a map), or those of an object encoded as a string;
/// nothing for `null` or any other value. An object value's members that
/// make an HTTP request are noted on the way.
///
/// A repeated `Data` (the last counts, as in a map) replaces what the
/// first one put in `bindings`.
fn read_bindings(
    source: &Arc<str>,
    scanner: &mut Scanner<'_>,
    bindings: &mut Bindings,
) -> Result<(), NotJson> {
    *bindings = Bindings::None;
    match scanner.peek() {
        Some(b'{') => {
            let mut members = scanner.begin_object()?;
            while let Some(key) = scanner.next_key(&mut members)? {
                let name = key.text()?;
                let (range, request) = if scanner.peek() == Some(b'{') {
                    let start = scanner.position();
                    let parts = RequestParts::read(scanner)?;
                    (start..scanner.position(), Some(parts))
                } else {
                    (scanner.skip_value()?, None)
                };
                let value = LazyJson::within(source, range);
                match bindings
                    .as_mut_slice()
                    .iter_mut()
                    .find(|known| known.name() == name)
                {
                    Some(slot) => {
                        slot.value = value;
                        slot.request = request;
                    }
                    None => bindings.push(Binding {
                        // Where the scanner's text (the source) has it,
                        // when written without escapes: no copy.
                        name: if key.is_escaped() {
                            Name::Text(name.into_owned())
                        } else {
                            Name::InSource(key.range())
                        },
                        value,
                        request,
                    }),
                }
            }
            Ok(())
        }
        Some(b'"') => {
            let text = scanner.string()?.text()?;
            *bindings = Bindings::Many(
                lenient::object(&Value::String(text.into_owned()))
                    .map(Cow::into_owned)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(name, value)| Binding::new(name, LazyJson::from_value(value)))
                    .collect(),
            );
            Ok(())
        }
        _ => scanner.skip_value().map(|_| ()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn names(envelope: &Envelope) -> Vec<&str> {
        envelope.bindings().iter().map(Binding::name).collect()
    }

    /// Found by the `azure_envelope` fuzz target: a claim of
    /// `111…1e111111` in `Identities` passed the scanner, which checked the
    /// number's grammar only, while `serde_json` refuses it as out of
    /// range; a binding holding one read as `null` when parsed.
    #[test]
    fn regression_a_number_beyond_f64_makes_the_envelope_not_json() {
        let with = |claim: &str| {
            format!(
                r#"{{"Data": {{"req": {{"Url": "/", "Identities": [{{"Claims": [{claim}]}}]}}}}, "Metadata": {{}}}}"#
            )
        };
        for beyond in ["1e400", "1111111111111111e111111", "-2E+308"] {
            let envelope = with(beyond);
            assert!(Envelope::parse(envelope.as_bytes()).is_none(), "{beyond}");
            assert!(
                serde_json::from_str::<Value>(&envelope).is_err(),
                "{beyond}"
            );
        }
        for within in ["1e300", "-1.5E-400", "12345678901234567890"] {
            let envelope = Envelope::parse(with(within).as_bytes()).expect(within);
            assert_eq!(names(&envelope), ["req"]);
            assert_eq!(
                envelope.data()["req"]["Identities"][0]["Claims"][0],
                serde_json::from_str::<Value>(within).expect(within)
            );
        }
    }

    #[test]
    fn values_are_kept_as_their_text() {
        let envelope = Envelope::parse(
            br#"{"Data": {"req": {"Url": "/x", "Method": "GET"}, "doc": "\"x\""}, "Metadata": {"Id": "1"}}"#,
        )
        .expect("an envelope");
        assert_eq!(names(&envelope), ["req", "doc"]);
        assert_eq!(
            envelope.bindings()[0].value.text(),
            r#"{"Url": "/x", "Method": "GET"}"#
        );
        assert_eq!(envelope.bindings()[1].value.value(), &json!("\"x\""));
        assert!(envelope.bindings()[0].request.is_some());
        assert!(envelope.bindings()[1].request.is_none());
        assert_eq!(envelope.metadata()["Id"], "1");
        assert_eq!(envelope.data()["req"]["Method"], "GET");
    }

    #[test]
    fn keys_in_any_case_null_and_encoded_data() {
        let envelope =
            Envelope::parse(br#"{"data": "{\"q\": 1}", "metadata": null}"#).expect("an envelope");
        assert_eq!(names(&envelope), ["q"]);
        assert_eq!(envelope.bindings()[0].value.value(), &json!(1));
        assert!(envelope.metadata().is_empty());
        let repeated = Envelope::parse(br#"{"Data": {"a": 1, "a": 2}}"#).expect("an envelope");
        assert_eq!(repeated.data(), json!({"a": 2}).as_object().expect("map"));
        let metadata_only = Envelope::parse(br#"{"Metadata": {}}"#).expect("an envelope");
        assert!(metadata_only.bindings().is_empty());
    }

    /// Envelopes (and so triggers, `AzureTrigger: PartialEq`) are equal
    /// when their data and metadata are, however the host spaced them; a
    /// value or a metadata entry that differs makes them differ.
    #[test]
    fn envelopes_are_equal_by_their_values_not_their_spacing() {
        let parse = |text: &str| Envelope::parse(text.as_bytes()).expect(text);
        let one = parse(r#"{"Data": {"q": {"a": 1}}, "Metadata": {"Id": "1"}}"#);
        assert_eq!(
            one,
            parse(r#"{ "Data" : { "q" : { "a" : 1 } } , "Metadata" : { "Id" : "1" } }"#)
        );
        assert_ne!(
            one,
            parse(r#"{"Data": {"q": {"a": 2}}, "Metadata": {"Id": "1"}}"#)
        );
        assert_ne!(
            one,
            parse(r#"{"Data": {"q": {"a": 1}}, "Metadata": {"Id": "2"}}"#)
        );
        assert_ne!(
            one,
            parse(r#"{"Data": {"r": {"a": 1}}, "Metadata": {"Id": "1"}}"#)
        );
        let spaced = parse(r#"{"Data": {"q": { "a" : 1 }}}"#);
        assert_eq!(one.bindings()[0].value, spaced.bindings()[0].value);
        let same_text = LazyJson::from_value(json!({"a": 1}));
        assert_eq!(same_text, LazyJson::from_value(json!({"a": 1})));
        assert_ne!(same_text, LazyJson::from_value(json!({"a": 2})));
    }

    #[test]
    fn the_debug_form_shows_the_values_as_sent() {
        let envelope = Envelope::parse(br#"{"Data": {"q": "\"x\""}, "Metadata": {"Id": 7}}"#)
            .expect("an envelope");
        let debug = format!("{envelope:?}");
        assert!(debug.starts_with("Envelope { data: ["), "{debug}");
        assert!(debug.contains(r#"name: "q", value: "\"x\"""#), "{debug}");
        assert!(debug.ends_with(r#"metadata: Some({"Id": 7}) }"#), "{debug}");
    }

    #[test]
    fn the_first_byte_tells_the_json_type() {
        assert_eq!(LazyJson::from_value(json!({"a": 1})).first_byte(), b'{');
        assert_eq!(LazyJson::from_value(json!("s")).first_byte(), b'"');
        assert_eq!(LazyJson::from_value(json!(7)).first_byte(), b'7');
    }

    #[test]
    fn anything_else_is_not_an_envelope() {
        assert_eq!(Envelope::parse(br#"{"name": "Ada"}"#), None);
        assert_eq!(Envelope::parse(b"[1]"), None);
        assert_eq!(Envelope::parse(b"not json"), None);
        assert_eq!(Envelope::parse(br#"{"Data": {}} trailing"#), None);
        assert_eq!(Envelope::parse(&[0xff, b'{', b'}']), None);
    }
}
