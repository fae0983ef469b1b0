//! An HTTP trigger in the envelope: `Data.req` → [`Request`], read from the
//! host's JSON text.

use std::borrow::Cow;
use std::ops::Range;

use anyfn::error::quoted;
use anyfn::http::header::{HeaderMap, HeaderName, HeaderValue, HOST};
use anyfn::http::{Method, Uri};
use anyfn::{Body, Error, MediaType, PathParams, Request};
use bytes::Bytes;
use serde_json::Value;

use crate::envelope::Binding;
use crate::lenient;
use crate::quote::data_member;
use crate::request_parts::{Part, RequestParts};
use crate::scan::{JsonStr, NotJson, Scanner};
use crate::trigger::AzureTrigger;

/// Makes the request of an HTTP trigger's value: `Url`, `Method`, `Query`
/// (when the URL has none), `Headers` (strings or arrays of strings),
/// `Body` (text; base64 for `application/octet-stream` and `multipart/*`,
/// which the host sends as bytes), and `Params` (the route's values) as
/// the request's [`PathParams`]. `Identities` are read by
/// [`AzureInvocation`](crate::AzureInvocation) when asked for.
///
/// It walks the host's JSON text once: no `Value` is built for the
/// request, its headers, its route values or its body.
pub(crate) fn decode(trigger: &AzureTrigger) -> Result<Request, Error> {
    let not_json = |_| {
        Error::bad_request(format!(
            "the HTTP trigger's request under {} is not valid JSON",
            data_member(trigger.binding())
        ))
    };
    let encoded;
    let read;
    let (share, parts) = match trigger.binding_value() {
        // Noted while the envelope was walked.
        Some(Binding {
            value,
            request: Some(parts),
            ..
        }) => (
            Share {
                source: value.source().0,
                body: trigger.shared_body(),
            },
            parts,
        ),
        _ => {
            let text = trigger.raw_value();
            let object = match text.as_bytes().first() {
                Some(b'{') => text,
                Some(b'"') => match lenient::object(trigger.value()) {
                    Some(map) => {
                        encoded = serde_json::to_string(&*map).unwrap_or_default();
                        encoded.as_str()
                    }
                    None => return Err(not_a_request(trigger)),
                },
                _ => return Err(not_a_request(trigger)),
            };
            let mut scanner = Scanner::new(object);
            read = RequestParts::read(&mut scanner)
                .and_then(|parts| scanner.end().map(|()| parts))
                .map_err(not_json)?;
            (Share::copied(object), &read)
        }
    };
    let source = share.source;
    // A member's value, if it is there, and the same as text (see
    // [`text_of`]): failing with `NotJson`, which is made an `Error` once
    // per member rather than at each step (a `Result` of an `Error` is
    // moved whole at every `?`).
    let field = |part: Part| -> Result<Option<Field<'_>>, NotJson> {
        part.range()
            .map(|range| Field::at(source, range))
            .transpose()
    };
    let text = |part: Part| -> Result<Option<Cow<'_, str>>, NotJson> {
        match field(part)? {
            Some(field) => text_of(field),
            None => Ok(None),
        }
    };
    // The request is made first and its headers read into its own map,
    // rather than into a map of their own moved into it (and the empty
    // one it was made with dropped).
    let mut request = Request::new(Body::empty());
    let headers = request.headers_mut();
    // Whether `Headers` had a `Host` (told while reading them, rather than
    // by hashing the name again).
    let mut has_host = false;
    if let Some(range) = parts.headers.range() {
        has_host = read_headers(source.get(range).unwrap_or("null"), headers, share)?;
    }

    let method = match text(parts.method).map_err(not_json)? {
        Some(method) => Method::from_bytes(lenient::trimmed(&method).as_bytes())
            .map_err(|_| Error::bad_request(format!("invalid HTTP method {}", quoted(&method))))?,
        None => Method::GET,
    };
    let url = text(parts.url).map_err(not_json)?;
    let (authority, path_and_query) = match &url {
        Some(url) => split_url(url, share)?,
        None => (None, Cow::Borrowed("/")),
    };
    let query = parts.query.range().and_then(|range| source.get(range));
    let target = if crate::scan::find_byte(path_and_query.as_bytes(), b'?').is_some() {
        Cow::Borrowed(&*path_and_query)
    } else {
        with_query(&path_and_query, query)
    };
    let uri = match &target {
        Cow::Borrowed(text) => Uri::from_maybe_shared(share.bytes(text)),
        Cow::Owned(text) => text.parse::<Uri>(),
    };
    let uri = uri.map_err(|err| {
        // The URL as the host sent it, else the one made of `Query`.
        let shown = url.as_deref().unwrap_or(&target);
        Error::bad_request(format!("invalid request URL {}: {err}", quoted(shown)))
    })?;

    if !has_host {
        if let Some(value) = authority.and_then(|host| HeaderValue::from_str(host).ok()) {
            headers
                .try_insert(HOST, value)
                .map_err(|_| too_many_header_names())?;
        }
    }
    let body = match field(parts.body).map_err(not_json)? {
        None | Some(Field::Other("null")) => Body::empty(),
        // `""`: empty as text and as base64 (a GET's), whatever the
        // media type says.
        Some(Field::Text(text)) if text.len() == 0 => Body::empty(),
        Some(Field::Text(text)) => {
            let text = text.text().map_err(not_json)?;
            if is_binary(headers) {
                Body::from_base64(text.trim()).map_err(|_| {
                    Error::bad_request("the HTTP trigger's binary Body is not valid base64")
                })?
            } else {
                match text {
                    Cow::Borrowed(text) => Body::from(share.bytes(text)),
                    Cow::Owned(text) => Body::from(text),
                }
            }
        }
        // A JSON value other than a string (the walk checked it is JSON):
        // its text as the host sent it, big integers and all, not parsed
        // and written again.
        Some(Field::Other(raw)) => Body::from(share.bytes(raw)),
    };
    *request.body_mut() = body;
    *request.method_mut() = method;
    *request.uri_mut() = uri;
    // `{}` (the usual route, without parameters) holds none: no map is
    // made for it (and dropped empty).
    if let Some(object) = parts.params.range().and_then(|range| source.get(range)) {
        if object != "{}" {
            let params = read_params(object)?;
            if !params.is_empty() {
                request.extensions_mut().insert(params);
            }
        }
    }
    Ok(request)
}

/// The host's JSON text a request is decoded from, and the body it was
/// read from when the adapter kept it: text of it becomes [`Bytes`]
/// sharing the body (a header value, the URI) rather than a copy.
#[derive(Clone, Copy)]
struct Share<'a> {
    source: &'a str,
    body: Option<&'a Bytes>,
}

impl<'a> Share<'a> {
    /// `source`, with no body to share.
    fn copied(source: &'a str) -> Self {
        Self { source, body: None }
    }

    /// `text` as `Bytes`: a slice of the body when `text` is part of
    /// `source` and the body is the same bytes, else a copy.
    fn bytes(self, text: &str) -> Bytes {
        if let Some(body) = self.body {
            // Where `text` starts in `source`, if it is part of it (one
            // allocation cannot hold part of another).
            let start = (text.as_ptr() as usize).wrapping_sub(self.source.as_ptr() as usize);
            let within = start
                .checked_add(text.len())
                .is_some_and(|end| end <= self.source.len());
            if within && body.len() == self.source.len() {
                return body.slice(start..start + text.len());
            }
        }
        Bytes::copy_from_slice(text.as_bytes())
    }
}

/// A member of the request: a string, or another value's JSON text.
#[derive(Clone, Copy)]
enum Field<'a> {
    Text(JsonStr<'a>),
    Other(&'a str),
}

impl<'a> Field<'a> {
    /// The value at `range` of `source`, a member's value that
    /// [`RequestParts::read`] walked (so a string is taken as it is, not
    /// scanned again).
    fn at(source: &'a str, range: Range<usize>) -> Result<Self, NotJson> {
        let text = source.get(range).ok_or(NotJson)?;
        if text.starts_with('"') {
            JsonStr::walked(text).map(Field::Text).ok_or(NotJson)
        } else {
            Ok(Field::Other(text))
        }
    }
}

/// `Headers` (their JSON text): an object of strings or arrays of strings,
/// appended to `headers` as read; anything else holds none. More than
/// [`MAX_HEADER_NAMES`] names is a bad request. Whether a `Host` was
/// appended.
fn read_headers(object: &str, headers: &mut HeaderMap, share: Share<'_>) -> Result<bool, Error> {
    let mut has_host = false;
    let mut scanner = Scanner::new(object);
    let Ok(mut members) = scanner.begin_object() else {
        return Ok(has_host);
    };
    // The text was walked whole once: it is JSON.
    let not_json = |_| Error::bad_request("the HTTP trigger's Headers are not valid JSON");
    while let Some(name) = scanner.next_key(&mut members).map_err(not_json)? {
        let name = name.text().map_err(not_json)?;
        let header = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::bad_request(format!("invalid header name {}", quoted(&name))))?;
        let mut append = |field: Field<'_>| -> Result<(), Error> {
            let Some(value) = text_of(field).map_err(not_json)? else {
                return Ok(());
            };
            let value = match &value {
                Cow::Borrowed(text) => HeaderValue::from_maybe_shared(share.bytes(text)),
                // Its bytes, as the borrowed value's: above ASCII too (http's
                // `from_str` refuses those since http 1.6; hyper takes them).
                Cow::Owned(text) => HeaderValue::from_bytes(text.as_bytes()),
            };
            let value = value.map_err(|_| {
                Error::bad_request(format!("invalid value for header {}", quoted(&name)))
            })?;
            headers
                .try_append(header.clone(), value)
                .map_err(|_| too_many_header_names())?;
            has_host |= header == HOST;
            Ok(())
        };
        match scanner.peek() {
            Some(b'[') => {
                let mut elements = scanner.begin_array().map_err(not_json)?;
                while scanner.next_element(&mut elements).map_err(not_json)? {
                    append(field_at(&mut scanner).map_err(not_json)?)?;
                }
            }
            _ => append(field_at(&mut scanner).map_err(not_json)?)?,
        }
    }
    Ok(has_host)
}

/// The most names an [`HeaderMap`] holds (three quarters of its 32,768
/// slots): past it, `HeaderMap::append` and `insert` panic.
const MAX_HEADER_NAMES: usize = 24_576;

fn too_many_header_names() -> Error {
    Error::bad_request(format!(
        "too many header names in the HTTP trigger's Headers (limit {MAX_HEADER_NAMES})"
    ))
}

/// `Params` (its JSON text): the route's values by name, each read as text
/// as [`text_of`] reads it (a string decoded once more when the host
/// encoded it twice, a number or a boolean as its text); `null`, objects
/// and arrays are left out. An object the host wrote as a string is read
/// too; anything else holds none.
fn read_params(object: &str) -> Result<PathParams, Error> {
    let mut params = PathParams::new();
    // The text was walked whole once: it is JSON.
    let not_json = |_| Error::bad_request("the HTTP trigger's Params are not valid JSON");
    match object.as_bytes().first() {
        Some(b'{') => {
            let mut scanner = Scanner::new(object);
            let mut members = scanner.begin_object().map_err(not_json)?;
            while let Some(name) = scanner.next_key(&mut members).map_err(not_json)? {
                let name = name.text().map_err(not_json)?;
                let field = field_at(&mut scanner).map_err(not_json)?;
                if let Some(value) = text_of(field).map_err(not_json)? {
                    params.insert(name, value);
                }
            }
        }
        Some(b'"') => {
            let value: Value = serde_json::from_str(object)
                .map_err(|_| Error::bad_request("the HTTP trigger's Params are not valid JSON"))?;
            if let Some(map) = lenient::object(&value) {
                for (name, value) in map.iter() {
                    if let Some(text) = lenient::text(value) {
                        params.insert(name.as_str(), text);
                    }
                }
            }
        }
        _ => {}
    }
    Ok(params)
}

/// The value at the scanner, as a [`Field`].
fn field_at<'a>(scanner: &mut Scanner<'a>) -> Result<Field<'a>, NotJson> {
    if scanner.peek() == Some(b'"') {
        scanner.string().map(Field::Text)
    } else {
        let range = scanner.skip_value()?;
        Ok(Field::Other(scanner.slice(range)))
    }
}

fn not_a_request(trigger: &AzureTrigger) -> Error {
    Error::bad_request(format!(
        "expected an HTTP trigger's request under {}; found {}",
        data_member(trigger.binding()),
        kind(trigger.value())
    ))
}

/// `path` with the `Query` object's pairs, when it has any.
fn with_query<'a>(path: &'a str, query: Option<&str>) -> Cow<'a, str> {
    let Some(query) = query else {
        return Cow::Borrowed(path);
    };
    let query: Value = serde_json::from_str(query).unwrap_or(Value::Null);
    let Some(query) = lenient::object(&query) else {
        return Cow::Borrowed(path);
    };
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (key, value) in query.iter() {
        if let Some(value) = lenient::text(value) {
            serializer.append_pair(key, &value);
        }
    }
    let query = serializer.finish();
    if query.is_empty() {
        Cow::Borrowed(path)
    } else {
        Cow::Owned(format!("{path}?{query}"))
    }
}

/// A value as text, as [`lenient::text`] reads it: a string (decoded once
/// more when the host encoded it twice), a number, a boolean; `None` for
/// anything else.
fn text_of(field: Field<'_>) -> Result<Option<Cow<'_, str>>, NotJson> {
    Ok(match field {
        Field::Text(text) => Some(match text.text()? {
            Cow::Borrowed(text) => lenient::unquote(text),
            Cow::Owned(text) => Cow::Owned(lenient::unquote(&text).into_owned()),
        }),
        Field::Other(raw) => match raw.as_bytes().first() {
            Some(b'n' | b'{' | b'[') | None => None,
            Some(b't') => Some(Cow::Borrowed("true")),
            Some(b'f') => Some(Cow::Borrowed("false")),
            Some(_) => Some(Cow::Borrowed(raw)),
        },
    })
}

/// The host sends the body as bytes (base64 in JSON) for these media types.
fn is_binary(headers: &HeaderMap) -> bool {
    MediaType::of(headers).is_some_and(|media_type| {
        let essence = media_type.essence();
        essence.eq_ignore_ascii_case("application/octet-stream")
            || essence
                .get(..10)
                .is_some_and(|prefix| prefix.eq_ignore_ascii_case("multipart/"))
    })
}

/// `(authority, path and query)` of an absolute URL, or of a path, both
/// borrowed from `url` (a fragment dropped).
///
/// Searched byte by byte (every byte looked for is ASCII, so never inside a
/// UTF-8 sequence): `str::split_once` with a `&str` pattern builds a
/// two-way searcher, which cost more than the rest of the request's URL.
fn split_url<'a>(url: &'a str, share: Share<'_>) -> Result<(Option<&'a str>, Cow<'a, str>), Error> {
    let url = lenient::trimmed(url);
    let url = match crate::scan::find_byte(url.as_bytes(), b'#') {
        Some(at) => url.get(..at).unwrap_or(url),
        None => url,
    };
    if url.starts_with('/') {
        return Ok((None, Cow::Borrowed(url)));
    }
    let invalid = || Error::bad_request(format!("invalid request URL {}", quoted(url)));
    let bytes = url.as_bytes();
    // The first `://`: it is the first `:`, or the URL is invalid (a
    // scheme holds no `:`, so one before the first `://` would have made
    // the scheme invalid).
    let separator = bytes
        .iter()
        .position(|&b| b == b':')
        .filter(|&at| bytes.get(at + 1..at + 3) == Some(b"//"))
        .ok_or_else(invalid)?;
    let scheme = url.get(..separator).ok_or_else(invalid)?;
    let rest = url.get(separator + 3..).ok_or_else(invalid)?;
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    let end = rest
        .bytes()
        .position(|b| b == b'/' || b == b'?')
        .unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if !scheme_ok || anyfn::http::uri::Authority::from_maybe_shared(share.bytes(authority)).is_err()
    {
        return Err(invalid());
    }
    let path_and_query = match tail.as_bytes().first() {
        None => Cow::Borrowed("/"),
        Some(b'?') => Cow::Owned(format!("/{tail}")),
        Some(_) => Cow::Borrowed(tail),
    };
    Ok((Some(authority), path_and_query))
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object without Method and Url",
    }
}

#[cfg(test)]
mod tests {

    use anyfn::RequestExt;
    use serde_json::json;

    use super::*;

    fn request(value: Value) -> Result<Request, Error> {
        decode(&AzureTrigger::new("req", value))
    }

    #[test]
    fn a_request_with_array_headers() {
        let trigger = AzureTrigger::new(
            "req",
            json!({
                "Url": "https://app.azurewebsites.net/api/orders/7?x=1&x=2#top",
                "Method": "POST",
                "Query": {"x": "1,2"},
                "Headers": {"Content-Type": ["application/json"], "Accept": ["a", "b"]},
                "Params": {"id": "7"},
                "Identities": [{"AuthenticationType": null}],
                "Body": "{\"n\":1}"
            }),
        );
        let request = decode(&trigger).expect("a request");
        assert_eq!(request.method(), Method::POST);
        assert_eq!(request.uri(), "/api/orders/7?x=1&x=2");
        assert_eq!(
            request.path_params().iter().collect::<Vec<_>>(),
            [("id", "7")]
        );
        assert_eq!(request.headers()["host"], "app.azurewebsites.net");
        assert_eq!(request.headers()["content-type"], "application/json");
        let accept: Vec<_> = request.headers().get_all("accept").iter().collect();
        assert_eq!(accept, ["a", "b"]);
        assert_eq!(request.body().as_bytes(), b"{\"n\":1}");
    }

    #[test]
    fn double_encoded_and_loosely_typed_fields() {
        let request = request(json!({
            "url": "\"/api/x?a=1\"", "METHOD": "\"post\"",
            "Headers": {"X-N": 7, "X-B": [true, "\"q\""], "X-Null": null},
            "Body": {"k": [1, 2]}
        }))
        .expect("a request");
        assert_eq!(request.method(), "post");
        assert_eq!(request.uri(), "/api/x?a=1");
        assert_eq!(request.headers()["x-n"], "7");
        let b: Vec<_> = request.headers().get_all("x-b").iter().collect();
        assert_eq!(b, ["true", "q"]);
        assert!(!request.headers().contains_key("x-null"));
        assert_eq!(request.body().as_bytes(), br#"{"k":[1,2]}"#);
        let encoded = AzureTrigger::new("req", json!("{\"Url\": \"/e\", \"Method\": \"PUT\"}"));
        assert_eq!(decode(&encoded).expect("a request").method(), "PUT");
    }

    #[test]
    fn params_are_the_path_parameters_as_text() {
        let read = request(json!({
            "Url": "/api/orders/a%20b/7", "Method": "GET",
            "Params": {"id": "a b", "twice": "\"x y\"", "n": 7, "flag": true,
                       "gone": null, "nested": {"a": 1}, "list": ["a"]}
        }))
        .expect("a request");
        // In the order of the text (`json!` sorts the keys).
        assert_eq!(
            read.path_params().iter().collect::<Vec<_>>(),
            [
                ("flag", "true"),
                ("id", "a b"),
                ("n", "7"),
                ("twice", "x y")
            ]
        );
        assert!(read.stage_variables().is_empty());
        let walked = request_from_text(
            r#"{"Url": "/x", "Method": "GET", "Params": {"id": "\"7\"", "Esc\u0061ped": "e\u0301"}}"#,
        );
        assert_eq!(
            walked.path_params().iter().collect::<Vec<_>>(),
            [("id", "7"), ("Escaped", "e\u{301}")]
        );
        let encoded = request_from_text(
            r#"{"Url": "/x", "METHOD": "GET", "params": "{\"id\": \"\\\"7\\\"\"}"}"#,
        );
        assert_eq!(
            encoded.path_params().iter().collect::<Vec<_>>(),
            [("id", "7")]
        );
        for none in [json!({}), json!(null), json!(7), json!("not an object")] {
            let request =
                request(json!({"Url": "/x", "Method": "GET", "Params": none})).expect("a request");
            assert!(request.path_params().is_empty(), "{none}");
        }
    }

    /// A request read from the host's text, through the envelope's walk
    /// (which notes where the members are).
    fn request_from_text(text: &str) -> Request {
        let envelope = format!(r#"{{"Data": {{"req": {text}}}, "Metadata": {{}}}}"#);
        let trigger = AzureTrigger::from_envelope(envelope.as_bytes()).expect("an envelope");
        assert!(
            trigger
                .binding_value()
                .is_some_and(|binding| binding.request.is_some()),
            "the walk noted the request's members"
        );
        decode(&trigger).expect("a request")
    }

    /// Guards the http 1.6 change: `HeaderValue::from_str` refuses text
    /// above ASCII, which a value borrowed from the host's text keeps. A
    /// value escaped in the JSON (so unescaped into a copy) or read from a
    /// parsed `Value` has the same bytes.
    #[test]
    fn header_values_above_ascii_are_kept_borrowed_or_copied() {
        let text = r#"{"Url":"http://h/","Method":"GET","Headers":{"X-Raw":["café"],"X-Escaped":["caf\u00e9"]}}"#;
        let from_text = request_from_text(text);
        let from_value = request(serde_json::from_str(text).expect("JSON")).expect("a request");
        for request in [&from_text, &from_value] {
            for name in ["x-raw", "x-escaped"] {
                assert_eq!(
                    request.headers()[name].as_bytes(),
                    "café".as_bytes(),
                    "{name}"
                );
            }
        }
    }

    /// A `Body` that is not a string (the host's JSON number or object)
    /// was parsed to a `Value` and written again: an integer beyond 2^64
    /// became a float (`1.2345678901234568e29`). It is the JSON text the
    /// host sent, as it was.
    #[test]
    fn regression_a_json_body_keeps_its_text_and_its_big_integers() {
        for body in [
            "123456789012345678901234567890",
            r#"{"n": 123456789012345678901234567890, "x": [1.50, -0]}"#,
            "[18446744073709551616]",
            "true",
        ] {
            let request = request_from_text(&format!(
                r#"{{"Url": "/x", "Method": "POST", "Body": {body}}}"#
            ));
            assert_eq!(request.text().ok(), Some(body));
        }
    }

    #[test]
    fn query_from_the_query_object_when_the_url_has_none() {
        let request = request(json!({"Url": "http://localhost:7071/api/hi", "Method": "GET", "Query": {"name": "Ada Lovelace"}}))
            .expect("a request");
        assert_eq!(request.uri(), "/api/hi?name=Ada+Lovelace");
    }

    #[test]
    fn binary_bodies_arrive_as_base64() {
        let request = request(json!({
            "Url": "http://localhost/api/up", "Method": "PUT",
            "Headers": {"Content-Type": "application/octet-stream"},
            "Body": "3q2+7w=="
        }))
        .expect("a request");
        assert_eq!(request.body().as_bytes(), [0xde, 0xad, 0xbe, 0xef]);
        let err = super::tests::request(json!({
            "Url": "/up", "Method": "PUT",
            "Headers": {"Content-Type": "application/octet-stream"}, "Body": "**"
        }))
        .expect_err("not base64");
        assert_eq!(
            err.message(),
            "the HTTP trigger's binary Body is not valid base64"
        );
    }

    #[test]
    fn urls_absolute_or_not() {
        assert_eq!(
            split_url("http://h:7071", Share::copied("")).ok(),
            Some((Some("h:7071"), Cow::Borrowed("/")))
        );
        assert_eq!(
            split_url("http://h?a=1", Share::copied("")).ok(),
            Some((Some("h"), Cow::Borrowed("/?a=1")))
        );
        assert_eq!(
            split_url(" /p?q ", Share::copied("")).ok(),
            Some((None, Cow::Borrowed("/p?q")))
        );
        for bad in ["h/p", "://h/p", "1x://h/p", "http://h h/p", "http://[::1/p"] {
            let err = split_url(bad, Share::copied("")).expect_err(bad);
            assert_eq!(err.message(), format!("invalid request URL {bad:?}"));
        }
    }

    /// `split_url` as it searched before (the first `://` anywhere, the
    /// `#` byte by byte), for the differential test below.
    fn split_url_by_search(url: &str) -> Result<(Option<&str>, Cow<'_, str>), Error> {
        let url = url.trim();
        let url = match url.bytes().position(|b| b == b'#') {
            Some(at) => url.get(..at).unwrap_or(url),
            None => url,
        };
        if url.starts_with('/') {
            return Ok((None, Cow::Borrowed(url)));
        }
        let invalid = || Error::bad_request(format!("invalid request URL {}", quoted(url)));
        let bytes = url.as_bytes();
        let separator = (0..bytes.len())
            .find(|&at| bytes.get(at..at + 3) == Some(b"://"))
            .ok_or_else(invalid)?;
        let scheme = url.get(..separator).ok_or_else(invalid)?;
        let rest = url.get(separator + 3..).ok_or_else(invalid)?;
        let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
        let end = rest
            .bytes()
            .position(|b| b == b'/' || b == b'?')
            .unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        if !scheme_ok || anyfn::http::uri::Authority::try_from(authority).is_err() {
            return Err(invalid());
        }
        let path_and_query = match tail.as_bytes().first() {
            None => Cow::Borrowed("/"),
            Some(b'?') => Cow::Owned(format!("/{tail}")),
            Some(_) => Cow::Borrowed(tail),
        };
        Ok((Some(authority), path_and_query))
    }

    #[test]
    fn urls_split_as_the_search_for_the_first_separator_did() {
        let mut urls = vec![
            "http://127.0.0.1/?name=Ada".to_owned(),
            " https://app.azurewebsites.net/api/orders/7?x=1&x=2#top ".to_owned(),
            "\u{a0}http://h/p\u{2003}".to_owned(),
            "http://h#x/p".to_owned(),
            "#http://h/".to_owned(),
            "a:b://h/p".to_owned(),
            "http:/h/p".to_owned(),
            "http:".to_owned(),
            "http:/".to_owned(),
            ":://h".to_owned(),
            "h://".to_owned(),
            "h://?".to_owned(),
            "x+y.z-w://h:1?a".to_owned(),
            "http://h:x/".to_owned(),
            "http://a@h/p".to_owned(),
            "/p#q".to_owned(),
            "ht tp://h/".to_owned(),
            "é://h/".to_owned(),
            "http://é/".to_owned(),
            String::new(),
        ];
        for scheme in ["", "h", "http", "h:"] {
            for sep in [":", "://", ":/", "//"] {
                for rest in ["", "h", "h/p", "h?q", "h#f", "h:80/p#f?g"] {
                    urls.push(format!("{scheme}{sep}{rest}"));
                }
            }
        }
        for url in &urls {
            let now = split_url(url, Share::copied(""));
            let before = split_url_by_search(url);
            match (now, before) {
                (Ok(now), Ok(before)) => assert_eq!(now, before, "{url:?}"),
                (Err(now), Err(before)) => assert_eq!(now.message(), before.message(), "{url:?}"),
                (now, before) => panic!(
                    "{url:?}: {:?} against {:?}",
                    now.map(|_| ()),
                    before.map(|_| ())
                ),
            }
        }
    }

    /// `HeaderMap::append` and `insert` panic past [`MAX_HEADER_NAMES`]
    /// names: as many decode, one more (or the `Host` taken from the URL
    /// on top of them) is a bad request.
    #[test]
    fn regression_header_names_past_what_a_header_map_holds_are_a_bad_request() {
        let names = |count: usize| -> Value {
            Value::Object((0..count).map(|n| (format!("x-{n}"), json!("v"))).collect())
        };
        let full =
            request(json!({"Url": "/", "Method": "GET", "Headers": names(MAX_HEADER_NAMES)}))
                .expect("as many names as a HeaderMap holds");
        assert_eq!(full.headers().keys_len(), MAX_HEADER_NAMES);
        for (url, count) in [("/", MAX_HEADER_NAMES + 1), ("http://h/", MAX_HEADER_NAMES)] {
            let err = request(json!({"Url": url, "Method": "GET", "Headers": names(count)}))
                .expect_err("one name too many");
            assert_eq!(
                err.message(),
                "too many header names in the HTTP trigger's Headers (limit 24576)",
                "{url}"
            );
        }
    }

    #[test]
    fn bad_requests_say_what_was_wrong() {
        let err = request(json!("nope")).expect_err("a string");
        assert_eq!(
            err.message(),
            "expected an HTTP trigger's request under Data.req; found a string"
        );
        let err = request(json!({"Url": "/", "Method": "G E T"})).expect_err("bad method");
        assert_eq!(err.message(), "invalid HTTP method \"G E T\"");
        let err = request(json!({"Url": "/", "Method": "GET", "Headers": {"bad name": "x"}}))
            .expect_err("bad header");
        assert_eq!(err.message(), "invalid header name \"bad name\"");
    }

    /// The `400` for a URL that is no URI printed Rust's `Some("…")`.
    #[test]
    fn regression_an_invalid_url_is_named_plainly() {
        let err = request(json!({"Url": "/a b", "Method": "GET"})).expect_err("not a URI");
        assert_eq!(
            err.message(),
            "invalid request URL \"/a b\": invalid uri character"
        );
    }

    /// Error answers (and the `WARN` line of each failure, which carries
    /// the message) echoed the whole offending input: a 1 MB URL, header
    /// name, method or binding name came back whole. They show a bounded
    /// prefix and the length.
    #[test]
    fn regression_errors_show_a_bounded_prefix_of_the_input() {
        let mega = "a".repeat(1 << 20);
        let prefix = "a".repeat(199);
        let cases = [
            (
                json!({"Url": format!("/{mega} b"), "Method": "GET"}),
                format!("invalid request URL \"/{prefix}\"… (1048579 bytes): uri too long"),
            ),
            (
                json!({"Url": format!("h{mega}"), "Method": "GET"}),
                format!("invalid request URL \"h{prefix}\"… (1048577 bytes)"),
            ),
            (
                json!({"Url": "/", "Method": format!("G {mega}")}),
                format!(
                    "invalid HTTP method \"G {}\"… (1048578 bytes)",
                    "a".repeat(198)
                ),
            ),
            (
                json!({"Url": "/", "Method": "GET", "Headers": {format!("{mega} x"): "v"}}),
                format!("invalid header name \"a{prefix}\"… (1048578 bytes)"),
            ),
            (
                // A header name is at most 64 KiB.
                json!({"Url": "/", "Method": "GET", "Headers": {format!("x{}", &mega[..60_000]): "\u{1}"}}),
                format!("invalid value for header \"x{prefix}\"… (60001 bytes)"),
            ),
        ];
        for (value, expected) in cases {
            let err = request(value).expect_err("bad input");
            assert_eq!(err.message(), expected);
        }
        let err =
            decode(&AzureTrigger::new(format!("b{mega}"), json!(7))).expect_err("not a request");
        assert_eq!(
            err.message(),
            format!("expected an HTTP trigger's request under Data[\"b{}\"… (1048577 bytes)]; found a number", "a".repeat(199))
        );
    }
}
