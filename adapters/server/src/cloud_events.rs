//! The CloudEvents HTTP protocol binding (1.0): binary mode (`ce-*` headers,
//! the body is the data) and structured mode (`application/cloudevents+json`).
//!
//! `ce-*` header values are read tolerantly and written strictly: the rules,
//! and the cost of the tolerance, are in the docs of
//! [`cloud_event_from_request`] and [`cloud_event_to_binary_request`].

use std::borrow::Cow;

use anyfn::event::{CloudEvent, CloudEventData};
use anyfn::http::header::CONTENT_TYPE;
use anyfn::http::{HeaderMap, HeaderName, HeaderValue};
use anyfn::{Error, MediaType, Request};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};

/// The content type of structured mode.
pub(crate) const STRUCTURED: &str = "application/cloudevents+json";

/// What a `ce-*` header value escapes (binding §3.1.3.2): space, `"`, `%`,
/// and every character outside U+0021–U+007E. [`CONTROLS`] holds U+0000–U+001F
/// and U+007F; [`utf8_percent_encode`] escapes every byte of a non-ASCII
/// character (U+0080 on, the C1 controls included) whatever the set says.
const HEADER_VALUE_ESCAPES: &AsciiSet = &CONTROLS.add(b' ').add(b'"').add(b'%');

/// The attributes read from headers of their own (the rest are extensions).
const NAMED_ATTRIBUTES: [&str; 7] = [
    "specversion",
    "id",
    "source",
    "type",
    "subject",
    "dataschema",
    "time",
];

/// Reads the CloudEvent a request carries, in either mode, or the one a
/// legacy Google Cloud Functions event stands for; `Ok(None)` when the
/// request carries none (no `ce-*` header, not structured, not a legacy
/// event).
///
/// # Legacy Cloud Functions events
///
/// A request with no `ce-*` header whose body is a JSON object (and whose
/// `Content-Type`, if any, is JSON) holding a `context` object with `eventId`
/// and `eventType`, or `eventId` and `eventType` at its top level, and no
/// `specversion`, is a 1st-gen "background function" event: it is converted
/// to the CloudEvent it stands for, by the rules of Google's Functions
/// Framework conformance suite (see the crate docs). One that cannot be
/// converted (an unknown `eventType`, no resource, …) is a `400` saying why.
/// Any other JSON body is left alone (`Ok(None)`).
///
/// # `ce-*` header values
///
/// The binding (§3.1.3.2) asks senders to percent-encode every space, `"`,
/// `%` and every character outside printable ASCII (U+0021–U+007E) of an
/// attribute's UTF-8 text, and receivers to undo RFC 7230 quoting, then one
/// round of percent-decoding. Not every client does the encoding: the Python
/// SDK's `cloudevents.http` API (1.x; `cloudevents.v1.http` in 2.x) sends the
/// text raw, so `objects/a b%c/ü.txt` arrives as it is, `%` and all. A value
/// is read in three steps:
///
/// 1. A value that is one RFC 7230 quoted-string (`"…"`, with `\x` escapes)
///    is unquoted, as the binding requires; any other value is kept whole.
/// 2. The bytes become text: UTF-8 when they are UTF-8 (raw UTF-8 is
///    accepted), otherwise ISO-8859-1, byte by byte, HTTP's historical
///    header charset, which is what Python's `http.client` (and so
///    `requests`) writes for a raw `ü` (the single byte `0xFC`). Raw bytes
///    are never refused and never replaced by U+FFFD.
/// 3. One round of percent-decoding: `%` followed by two hex digits (either
///    case) is that byte; a `%` that is not is taken literally. What the
///    escapes decode to must be UTF-8, or the request is a `400` (the binding
///    requires rejecting, e.g., the overlong `%C0%A0`).
///
/// The cost of that tolerance: a sender that does not encode and whose text
/// happens to hold a valid escape loses it. A raw `%41` reads as `A`, a raw
/// `100%25` as `100%`; a raw value that is entirely `"…"` loses its quotes.
/// Text in neither UTF-8 nor ISO-8859-1 (say, Shift JIS sent raw) reads as
/// ISO-8859-1 mojibake rather than failing.
///
/// # Data
///
/// In binary mode the `Content-Type` is the event's `datacontenttype`; data
/// without one is read as JSON. Text content types (`text/*`, XML, …) give
/// [`CloudEventData::Text`] when the body is UTF-8, anything else
/// [`CloudEventData::Binary`]. An empty body is no data.
///
/// # Errors
///
/// [`ErrorKind::BadRequest`](anyfn::ErrorKind::BadRequest) naming the
/// missing required attribute (and its header), the header whose escapes do
/// not decode to UTF-8, or what else is wrong.
///
/// # Example
///
/// ```
/// use anyfn::Body;
///
/// let request = anyfn::http::Request::builder()
///     .header("ce-specversion", "1.0")
///     .header("ce-id", "evt-1")
///     .header("ce-source", "/orders")
///     .header("ce-type", "com.example.order.created")
///     .header("ce-tenant", "acme%20corp")
///     // As the Python SDK's `cloudevents.http` sends it: not encoded.
///     .header("ce-subject", "orders/7 (50% off)")
///     .header("content-type", "application/json")
///     .body(Body::from(r#"{"total":42}"#))?;
/// let event = anyfn_server::cloud_event_from_request(&request)?.expect("a CloudEvent");
/// assert_eq!(event.event_type, "com.example.order.created");
/// assert_eq!(event.extensions["tenant"], "acme corp");
/// assert_eq!(event.subject.as_deref(), Some("orders/7 (50% off)"));
/// assert_eq!(event.data_json().map(|d| d["total"].clone()), Some(serde_json::json!(42)));
/// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
/// ```
pub fn cloud_event_from_request(request: &Request) -> Result<Option<CloudEvent>, Error> {
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let media_type = content_type.as_deref().map(MediaType::parse);
    match media_type.as_ref().map(MediaType::essence) {
        Some(STRUCTURED) => return CloudEvent::from_json(request.body().as_bytes()).map(Some),
        Some("application/cloudevents-batch+json") => {
            return Err(Error::bad_request(
                "CloudEvents batch mode is not supported; send one event per request",
            ))
        }
        _ => {}
    }
    if !request
        .headers()
        .keys()
        .any(|name| name.as_str().starts_with("ce-"))
    {
        // No CloudEvent: perhaps a legacy Cloud Functions event, sent as JSON.
        if media_type
            .as_ref()
            .is_some_and(|media_type| !media_type.is_json())
        {
            return Ok(None);
        }
        return anyfn_formats_google::cloud_event_from_legacy(request.body().as_bytes())
            .transpose();
    }
    binary_mode(request.headers(), content_type, request.body().as_bytes()).map(Some)
}

fn binary_mode(
    headers: &HeaderMap,
    content_type: Option<String>,
    body: &[u8],
) -> Result<CloudEvent, Error> {
    let header = |name: &str| -> Result<Option<String>, Error> {
        headers
            .get(name)
            .map(|value| decode_header_value(name, value))
            .transpose()
    };
    let required = |attribute: &str| -> Result<String, Error> {
        header(&format!("ce-{attribute}"))?
            .filter(|value| !value.is_empty())
            .ok_or_else(|| {
                Error::bad_request(format!(
                    "the CloudEvent has no `{attribute}` attribute (header ce-{attribute}), which is required"
                ))
            })
    };
    let spec_version = required("specversion")?;
    if spec_version != "1.0" {
        return Err(Error::bad_request(format!(
            "the CloudEvent's specversion {spec_version:?} is not supported; expected \"1.0\""
        )));
    }
    let mut event = CloudEvent::new(required("id")?, required("source")?, required("type")?);
    event.subject = header("ce-subject")?;
    event.data_schema = header("ce-dataschema")?;
    event.time = header("ce-time")?
        .map(|time| anyfn::time::parse_rfc3339(&time))
        .transpose()
        .map_err(|err| Error::bad_request(format!("the CloudEvent header ce-time: {err}")))?;
    for (name, value) in headers {
        let Some(attribute) = name.as_str().strip_prefix("ce-") else {
            continue;
        };
        if NAMED_ATTRIBUTES.contains(&attribute) {
            continue;
        }
        event.extensions.insert(
            attribute.to_owned(),
            decode_header_value(name.as_str(), value)?,
        );
    }
    event.data_content_type = content_type;
    if !body.is_empty() {
        event.data = Some(read_data(event.data_content_type.as_deref(), body)?);
    }
    Ok(event)
}

/// The body as data of the form its content type says.
fn read_data(content_type: Option<&str>, body: &[u8]) -> Result<CloudEventData, Error> {
    let Some(content_type) = content_type else {
        return serde_json::from_slice(body)
            .map(CloudEventData::Json)
            .map_err(|err| {
                Error::bad_request(format!(
                    "the CloudEvent's data has no content type, so it is read as JSON, but is not JSON: {err}"
                ))
            });
    };
    let media_type = MediaType::parse(content_type);
    if media_type.is_json() {
        return serde_json::from_slice(body)
            .map(CloudEventData::Json)
            .map_err(|err| {
                Error::bad_request(format!(
                    "the CloudEvent's data is declared JSON ({content_type}) but is not: {err}"
                ))
            });
    }
    Ok(match std::str::from_utf8(body) {
        Ok(text) if media_type.is_text() => CloudEventData::Text(text.to_owned()),
        _ => CloudEventData::Binary(bytes::Bytes::copy_from_slice(body)),
    })
}

/// A `ce-*` header value as attribute text: unquoted, UTF-8 or else
/// ISO-8859-1, then one tolerant round of percent-decoding (module docs).
fn decode_header_value(name: &str, value: &HeaderValue) -> Result<String, Error> {
    let bytes = unquote(value.as_bytes());
    let text = match std::str::from_utf8(&bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => Cow::Owned(bytes.iter().copied().map(char::from).collect()),
    };
    percent_decode_str(&text)
        .decode_utf8()
        .map(Cow::into_owned)
        .map_err(|err| {
            Error::bad_request(format!(
                "the header {name} has %-escapes that do not decode to UTF-8 (at byte {} of the decoded value); \
                 CloudEvents attributes are UTF-8 text",
                err.valid_up_to()
            ))
        })
}

/// RFC 7230 §3.2.6: a value that is one quoted-string loses its quotes and
/// its backslash escapes; any other value (an unpaired `"` inside, a
/// trailing lone `\`) is kept as it is.
fn unquote(value: &[u8]) -> Cow<'_, [u8]> {
    let Some(inner) = value
        .strip_prefix(b"\"")
        .and_then(|rest| rest.strip_suffix(b"\""))
    else {
        return Cow::Borrowed(value);
    };
    let mut out = Vec::with_capacity(inner.len());
    let mut bytes = inner.iter();
    while let Some(&byte) = bytes.next() {
        match byte {
            b'\\' => match bytes.next() {
                Some(&escaped) => out.push(escaped),
                None => return Cow::Borrowed(value),
            },
            b'"' => return Cow::Borrowed(value),
            _ => out.push(byte),
        }
    }
    Cow::Owned(out)
}

/// A `ce-*` header value as the binding writes it: the attribute's UTF-8
/// text with exactly [`HEADER_VALUE_ESCAPES`] percent-encoded, upper-case hex.
fn encode_header_value(value: &str) -> String {
    utf8_percent_encode(value, HEADER_VALUE_ESCAPES).to_string()
}

/// The request a CloudEvent makes in binary mode: `ce-*` headers,
/// `Content-Type`, the data as the body. Used by tests and clients; the
/// server reads both modes.
///
/// Header values are percent-encoded as the binding requires, strictly
/// whatever [`cloud_event_from_request`] tolerates: the UTF-8 bytes of every
/// space, `"`, `%`, control character (U+0000–U+001F, U+007F, as the binding
/// recommends) and non-ASCII character, upper-case hex, and nothing else. The
/// value is then printable ASCII without space or `"`, and needs no quoting.
/// The `Content-Type` is [`CloudEvent::encoded_data_content_type`]: the
/// event's `datacontenttype`, or for text data without one `text/plain;
/// charset=utf-8` (and `application/octet-stream` for bytes), so text reads
/// back as text, not as JSON. Extensions whose names are not valid header
/// names (the specification allows `a`–`z` and `0`–`9`), and a
/// `datacontenttype` that is not a valid header value, are left out.
///
/// # Example
///
/// ```
/// use anyfn::event::{CloudEvent, CloudEventData};
///
/// let event = CloudEvent::new("1", "/s", "t")
///     .with_subject("objects/a b%c/ü.txt")
///     .with_extension("note", "50% off");
/// let request = anyfn_server::cloud_event_to_binary_request(&event);
/// assert_eq!(request.headers()["ce-subject"], "objects/a%20b%25c/%C3%BC.txt");
/// assert_eq!(request.headers()["ce-note"], "50%25%20off");
/// let back = anyfn_server::cloud_event_from_request(&request)?.expect("an event");
/// assert_eq!(back, event);
///
/// let mut text = CloudEvent::new("2", "/s", "t");
/// text.data = Some(CloudEventData::Text("hello".into()));
/// let request = anyfn_server::cloud_event_to_binary_request(&text);
/// assert_eq!(request.headers()["content-type"], "text/plain; charset=utf-8");
/// let back = anyfn_server::cloud_event_from_request(&request)?.expect("an event");
/// assert_eq!(back.data, Some(CloudEventData::Text("hello".into())));
/// # Ok::<(), anyfn::Error>(())
/// ```
pub fn cloud_event_to_binary_request(event: &CloudEvent) -> Request {
    let mut headers: Vec<(Cow<'_, str>, &str)> = vec![
        ("ce-specversion".into(), &event.spec_version),
        ("ce-id".into(), &event.id),
        ("ce-source".into(), &event.source),
        ("ce-type".into(), &event.event_type),
    ];
    if let Some(subject) = &event.subject {
        headers.push(("ce-subject".into(), subject));
    }
    if let Some(schema) = &event.data_schema {
        headers.push(("ce-dataschema".into(), schema));
    }
    let time = event.time.map(anyfn::time::format_rfc3339);
    if let Some(time) = &time {
        headers.push(("ce-time".into(), time));
    }
    for (name, value) in &event.extensions {
        headers.push((format!("ce-{name}").into(), value));
    }
    let body = match &event.data {
        Some(CloudEventData::Json(value)) => anyfn::Body::from(value.to_string()),
        Some(CloudEventData::Text(text)) => anyfn::Body::from(text.clone()),
        Some(CloudEventData::Binary(bytes)) => anyfn::Body::from(bytes.clone()),
        None => anyfn::Body::empty(),
    };
    let mut request = Request::new(body);
    *request.method_mut() = anyfn::http::Method::POST;
    for (name, value) in headers {
        // The encoded value is printable ASCII, always a valid header value.
        let (Ok(name), Ok(value)) = (
            HeaderName::try_from(name.as_ref()),
            HeaderValue::try_from(encode_header_value(value)),
        ) else {
            continue;
        };
        request.headers_mut().insert(name, value);
    }
    if let Some(content_type) = event.encoded_data_content_type() {
        if let Ok(value) = HeaderValue::from_bytes(content_type.as_bytes()) {
            request.headers_mut().insert(CONTENT_TYPE, value);
        }
    }
    request
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(headers: &[(&str, &str)]) -> Request {
        let mut request = Request::new(anyfn::Body::empty());
        for (name, value) in headers {
            request.headers_mut().insert(
                anyfn::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                anyfn::http::HeaderValue::from_str(value).unwrap(),
            );
        }
        request
    }

    #[test]
    fn each_missing_required_header_is_named() {
        let full = [
            ("ce-specversion", "1.0"),
            ("ce-id", "1"),
            ("ce-source", "/s"),
            ("ce-type", "t"),
        ];
        for skip in 0..full.len() {
            let headers: Vec<_> = full
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, h)| *h)
                .collect();
            let err = cloud_event_from_request(&request(&headers)).unwrap_err();
            let attribute = &full[skip].0[3..];
            assert_eq!(
                err.to_string(),
                format!("the CloudEvent has no `{attribute}` attribute (header ce-{attribute}), which is required")
            );
        }
    }

    #[test]
    fn a_percent_that_starts_no_escape_is_literal() {
        for (raw, read) in [
            ("%zz", "%zz"),
            ("100%", "100%"),
            ("%4", "%4"),
            ("%%41", "%A"),
            ("50%25%20off", "50% off"),
            ("%c3%bc", "\u{fc}"),
            // The cost of tolerance: a raw text that holds a valid escape.
            ("%41", "A"),
        ] {
            assert_eq!(
                subject_of(raw.as_bytes()).unwrap().as_deref(),
                Some(read),
                "{raw}"
            );
        }
    }

    #[test]
    fn escapes_that_are_not_utf8_are_a_bad_request() {
        for (raw, at) in [("%C0%A0", 0), ("ok%FF", 2), ("a%C3", 1)] {
            let err = subject_of(raw.as_bytes()).unwrap_err();
            assert!(err.is_bad_request());
            assert_eq!(
                err.to_string(),
                format!(
                    "the header ce-subject has %-escapes that do not decode to UTF-8 (at byte {at} of the decoded value); \
                     CloudEvents attributes are UTF-8 text"
                ),
                "{raw}"
            );
        }
    }

    #[test]
    fn a_quoted_string_is_unquoted_before_percent_decoding() {
        for (raw, read) in [
            (&br#""a b""#[..], "a b"),
            (br#""say \"hi\"""#, r#"say "hi""#),
            (br#""50%25 \\ off""#, r"50% \ off"),
            (br#""""#, ""),
            // Not one quoted-string: kept as it is.
            (br#"""#, r#"""#),
            (br#""a"b""#, r#""a"b""#),
            (br#""a\""#, r#""a\""#),
            (br#"a "b""#, r#"a "b""#),
        ] {
            let headers = [
                ("ce-specversion", &b"1.0"[..]),
                ("ce-id", b"1"),
                ("ce-source", b"/s"),
                ("ce-type", b"t"),
                ("ce-note", raw),
            ];
            let event = cloud_event_from_request(&raw_request(&headers))
                .unwrap()
                .expect("an event");
            assert_eq!(
                event.extensions["note"],
                read,
                "{}",
                String::from_utf8_lossy(raw)
            );
        }
    }

    #[test]
    fn raw_bytes_are_utf8_when_they_can_be_and_iso_8859_1_otherwise() {
        // UTF-8 "é" (C3 A9) stays "é"; a lone 0xE9 is ISO-8859-1 "é";
        // 0xC3 0x28 is not UTF-8, so it is "Ã(".
        for (raw, read) in [
            (&b"caf\xc3\xa9"[..], "caf\u{e9}"),
            (b"caf\xe9", "caf\u{e9}"),
            (b"\xc3(", "\u{c3}("),
            (b"caf\xe9%20au%20lait", "caf\u{e9} au lait"),
        ] {
            assert_eq!(subject_of(raw).unwrap().as_deref(), Some(read), "{raw:?}");
        }
    }

    #[test]
    fn an_extension_with_bad_escapes_is_named() {
        let mut headers = REQUIRED.to_vec();
        headers.push(("ce-tenant", b"%FE"));
        let err = cloud_event_from_request(&raw_request(&headers)).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("the header ce-tenant has %-escapes that do not decode to UTF-8"),
            "{err}"
        );
    }

    #[test]
    fn every_attribute_encodes_and_decodes_through_headers() {
        let time = std::time::UNIX_EPOCH + std::time::Duration::from_millis(1_714_564_800_250);
        let event = CloudEvent::new("id 1%", "/s p\u{e4}ce", "t\"q\"")
            .with_subject("\"quoted\"")
            .with_data_schema("https://example.com/schema?v=1 2")
            .with_time(time)
            .with_extension("tenant", "acme corp \u{20ac}")
            .with_data_content_type("application/json; charset=utf-8")
            .with_data(CloudEventData::Json(serde_json::json!({"n": 1})));
        let request = cloud_event_to_binary_request(&event);
        let header = |name: &str| request.headers()[name].to_str().unwrap().to_owned();
        assert_eq!(header("ce-id"), "id%201%25");
        assert_eq!(header("ce-source"), "/s%20p%C3%A4ce");
        assert_eq!(header("ce-type"), "t%22q%22");
        assert_eq!(header("ce-subject"), "%22quoted%22");
        assert_eq!(
            header("ce-dataschema"),
            "https://example.com/schema?v=1%202"
        );
        assert_eq!(header("ce-time"), "2024-05-01T12:00:00.250Z");
        assert_eq!(header("ce-tenant"), "acme%20corp%20%E2%82%AC");
        assert_eq!(header("content-type"), "application/json; charset=utf-8");
        assert_eq!(request.body().as_bytes(), br#"{"n":1}"#);
        assert_eq!(cloud_event_from_request(&request).unwrap(), Some(event));
    }

    #[test]
    fn undeclared_data_that_is_not_json_says_why_it_was_read_as_json() {
        let mut request = raw_request(&REQUIRED);
        *request.body_mut() = anyfn::Body::from("hello");
        let err = cloud_event_from_request(&request).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the CloudEvent's data has no content type, so it is read as JSON, but is not JSON: \
             expected value at line 1 column 1"
        );
        request
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        let err = cloud_event_from_request(&request).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the CloudEvent's data is declared JSON (application/json) but is not: \
             expected value at line 1 column 1"
        );
    }

    #[test]
    fn binary_data_without_a_content_type_round_trips_in_binary_mode() {
        let mut event = CloudEvent::new("1", "/s", "t");
        event.data = Some(CloudEventData::Binary(bytes::Bytes::from_static(b"[1]")));
        let request = cloud_event_to_binary_request(&event);
        assert_eq!(request.headers()[CONTENT_TYPE], "application/octet-stream");
        let back = cloud_event_from_request(&request)
            .unwrap()
            .expect("an event");
        assert_eq!(back.data, event.data);
    }

    fn raw_request(headers: &[(&str, &[u8])]) -> Request {
        let mut request = Request::new(anyfn::Body::empty());
        for (name, value) in headers {
            request.headers_mut().insert(
                anyfn::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                anyfn::http::HeaderValue::from_bytes(value).unwrap(),
            );
        }
        request
    }

    const REQUIRED: [(&str, &[u8]); 4] = [
        ("ce-specversion", b"1.0"),
        ("ce-id", b"evt-1"),
        ("ce-source", b"/storage/bucket"),
        ("ce-type", b"com.example.object.created"),
    ];

    fn subject_of(raw: &[u8]) -> Result<Option<String>, Error> {
        let mut headers = REQUIRED.to_vec();
        headers.push(("ce-subject", raw));
        let event = cloud_event_from_request(&raw_request(&headers))?.expect("an event");
        Ok(event.subject)
    }

    /// Regression (issue 9): the Python SDK's `cloudevents.http` sends
    /// attribute values as raw text, `%` and all; anyfn answered 400.
    #[test]
    fn a_raw_utf8_subject_with_a_lone_percent_arrives_intact() {
        assert_eq!(
            subject_of("objects/a b%c/\u{fc}.txt".as_bytes())
                .unwrap()
                .as_deref(),
            Some("objects/a b%c/\u{fc}.txt")
        );
    }

    /// Regression (issue 9): Python's http.client (under `requests`) writes a
    /// raw `ü` as the single ISO-8859-1 byte 0xFC.
    #[test]
    fn a_raw_latin1_subject_arrives_intact() {
        assert_eq!(
            subject_of(b"objects/a b%c/\xfc.txt").unwrap().as_deref(),
            Some("objects/a b%c/\u{fc}.txt")
        );
    }

    /// Regression (issue 9): what anyfn sends escapes exactly the binding's
    /// set: space, `"`, `%`, controls and everything beyond ASCII.
    #[test]
    fn encoding_escapes_space_quote_percent_controls_and_non_ascii() {
        let event = CloudEvent::new("1", "/s", "t")
            .with_subject("a b\"c%d\u{e9}\u{7f}\t~!'+/?#&=:;,@[]{}|\\^`<>\u{1F600}");
        let request = cloud_event_to_binary_request(&event);
        assert_eq!(
            request.headers()["ce-subject"],
            "a%20b%22c%25d%C3%A9%7F%09~!'+/?#&=:;,@[]{}|\\^`<>%F0%9F%98%80"
        );
        let back = cloud_event_from_request(&request)
            .unwrap()
            .expect("an event");
        assert_eq!(back, event);
    }

    /// Regression (issue 9): text data without a content type read back as
    /// JSON, so anyfn built a binary-mode request it then rejected itself.
    #[test]
    fn text_data_without_a_content_type_round_trips_in_binary_mode() {
        let mut event = CloudEvent::new("1", "/s", "t");
        event.data = Some(CloudEventData::Text("hello, w\u{f6}rld".into()));
        let request = cloud_event_to_binary_request(&event);
        let back = cloud_event_from_request(&request)
            .unwrap()
            .expect("an event");
        assert_eq!(
            back.data,
            Some(CloudEventData::Text("hello, w\u{f6}rld".into()))
        );
        assert_eq!(
            back.data_content_type.as_deref(),
            Some("text/plain; charset=utf-8")
        );
        let built = CloudEvent::new("1", "/s", "t").with_data(CloudEventData::Text("hi".into()));
        let back = cloud_event_from_request(&cloud_event_to_binary_request(&built))
            .unwrap()
            .expect("an event");
        assert_eq!(back, built);
    }

    #[test]
    fn no_ce_headers_is_no_event() {
        assert!(cloud_event_from_request(&request(&[("x-other", "1")]))
            .unwrap()
            .is_none());
    }
}
