//! HTTP both ways: a Worker's `Request` into anyfn's, anyfn's `Response`
//! (whole or streamed) into a Worker's.
//!
//! Header values are byte strings by the Fetch Standard (each byte one
//! UTF-16 code unit below 256), but workerd treats them as UTF-8 text both
//! ways (workerd#6927): a request's `c3 a9` arrives as `é`, one code unit
//! (a byte that is not UTF-8 as U+FFFD, lost), and a response's `é` leaves
//! as `c3 a9` (a byte string's `Ã©` as `c3 83 c2 a9`). So a value is
//! written as its UTF-8 text, which leaves as the bytes it had (bytes that
//! are not UTF-8 as U+FFFD), and a request's is read back into the bytes
//! sent wherever they can be known ([`request_header_bytes`]), from workerd
//! or from a runtime that keeps byte strings.

use anyfn::http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};
use anyfn::stream::StreamResponse;
use anyfn::{Body, Error, ErrorKind, Request, Response};
use std::time::Duration;

use futures_util::StreamExt as _;
use wasm_bindgen::prelude::*;
use worker::{web_sys, Headers, ResponseBuilder};

/// What [`read_head`] reads of a Worker's request in one call into
/// JavaScript: its method, URL, whether it has a body, and its headers as
/// `name:value` lines, one string; where each part ends, found once.
pub(crate) struct RequestHead {
    text: String,
    /// The end of the method, of the URL, of the body flag (each at its
    /// line's LF, or the text's end).
    ends: [usize; 3],
}

#[wasm_bindgen(inline_js = "export function anyfn_request_head(request) {
  let head = request.method + '\\n' + request.url + '\\n' + (request.body === null ? '0' : '1') + '\\n';
  request.headers.forEach((value, name) => { head += name + ':' + value + '\\n'; });
  return head;
}")]
extern "C" {
    /// A request's method, URL, body flag (`0` without a body, `1` with
    /// one) and headers (a `name:value` line each), a line each: one call
    /// into JavaScript and one string for the request's head, where
    /// workers-rs's `Request` reads the method, the URL, the headers object
    /// and the `cf` object with a call each, and `Headers::entries` crosses
    /// the boundary about a dozen times per header. The headers are read
    /// with `Headers.forEach`, which hands each name and value to a
    /// callback, not with their iterator, which made an array and a result
    /// object per header through V8's API (18k instructions a request more,
    /// with the garbage they left): the same headers in the same order, the
    /// same strings. A method is a token and a serialized URL holds no LF;
    /// a header name is a token (no `:`) and a value holds no CR, LF or NUL
    /// (the Fetch standard's rules, which `Headers` enforces), so the lines
    /// split back unambiguously.
    fn anyfn_request_head(request: &web_sys::Request) -> String;
}

/// The head of a Worker's request, read at once.
pub(crate) fn read_head(request: &web_sys::Request) -> RequestHead {
    let text = anyfn_request_head(request);
    let mut ends = [0; 3];
    let mut at = 0;
    for end in &mut ends {
        *end = line_end(&text, at);
        at = (*end + 1).min(text.len());
    }
    RequestHead { text, ends }
}

/// Where the line starting at `start` of `text` ends: at its LF, or at the
/// text's end.
fn line_end(text: &str, start: usize) -> usize {
    // Byte by byte: a line is a few dozen bytes, for which `str::split_once`
    // with a `char` (a `memchr` each, set up word by word) cost more.
    text.as_bytes()
        .get(start..)
        .and_then(|rest| rest.iter().position(|&byte| byte == b'\n'))
        .map_or(text.len(), |at| start + at)
}

/// `text` split at the first `byte` (ASCII), which neither part keeps.
fn split_at_byte(text: &str, byte: u8) -> Option<(&str, &str)> {
    let at = text.bytes().position(|found| found == byte)?;
    // An ASCII byte is a char of its own: both sides are char boundaries.
    Some((text.get(..at)?, text.get(at + 1..)?))
}

impl RequestHead {
    /// Its method, URL, body flag and header lines.
    fn parts(&self) -> (&str, &str, bool, &str) {
        let [method_end, url_end, body_end] = self.ends;
        let text = self.text.as_str();
        let part = |start: usize, end: usize| text.get(start.min(end)..end).unwrap_or("");
        let method = part(0, method_end);
        let url = part(method_end + 1, url_end);
        let body = part(url_end + 1, body_end) == "1";
        (method, url, body, part(body_end + 1, text.len()))
    }

    /// Its headers as a `HeaderMap` (`Set-Cookie`-like repeats kept, as
    /// JavaScript keeps them).
    pub(crate) fn headers(&self) -> Result<HeaderMap, Error> {
        parse_header_lines(self.parts().3)
    }
}

/// A Worker's request as anyfn's: method, path and query (the origin form,
/// as the local server's requests have; the host stays in `Host`), its
/// `headers` as [`RequestHead::headers`] read them, the whole body.
pub(crate) async fn read_request(
    request: &web_sys::Request,
    head: &RequestHead,
    headers: Result<HeaderMap, Error>,
) -> Result<Request, Error> {
    let (method, url, has_body, _) = head.parts();
    // From the `String` itself: parsing a `&str` copies it first.
    let uri = Uri::try_from(origin_form(url))
        .map_err(|_| Error::bad_request("the request's path is not a valid URI"))?;
    let method = Method::from_bytes(method.as_bytes())
        .map_err(|_| Error::bad_request("the request's method is not a valid token"))?;
    let headers = headers?;
    // A request without a body (a GET) has none to wait for.
    let body = if has_body {
        read_body(request).await.map_err(|error| {
            Error::bad_request(format!("the request's body could not be read: {error}"))
        })?
    } else {
        Vec::new()
    };
    let mut built = Request::new(Body::from(body));
    *built.method_mut() = method;
    *built.uri_mut() = uri;
    *built.headers_mut() = headers;
    Ok(built)
}

/// The whole body, as workers-rs's `Request::bytes` reads it (its errors
/// too).
async fn read_body(request: &web_sys::Request) -> worker::Result<Vec<u8>> {
    let promise = request.array_buffer()?;
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map(|buffer| js_sys::Uint8Array::new(&buffer).to_vec())
        .map_err(|error| {
            worker::Error::JsError(
                error
                    .as_string()
                    .unwrap_or_else(|| "failed to read array buffer from request".into()),
            )
        })
}

/// The origin form (path and query) of the absolute URL the runtime gives
/// a request, as it serialized it (the WHATWG URL serialization, which
/// `url::Url` would parse back to the same path and query): what follows
/// the scheme and the authority, the fragment left out; `/` for an empty
/// path. Taken from the text, not parsed again: workers-rs's
/// `Request::url` would parse it with the `url` crate, whose IDNA and
/// normalisation tables were a fifth of a Worker's code.
fn origin_form(url: &str) -> String {
    // Byte by byte (every delimiter is ASCII): `str::find` with a `&str`
    // pattern sets up a two-way searcher, a share of a request's cost.
    let bytes = url.as_bytes();
    let after_scheme = (0..bytes.len().saturating_sub(2))
        .find(|&at| &bytes[at..at + 3] == b"://")
        .map_or(url, |start| &url[start + 3..]);
    let target = after_scheme
        .bytes()
        .position(|byte| matches!(byte, b'/' | b'?' | b'#'))
        .map_or("", |start| &after_scheme[start..]);
    let target = target
        .bytes()
        .position(|byte| byte == b'#')
        .map_or(target, |end| &target[..end]);
    if target.starts_with('/') {
        target.to_owned()
    } else {
        format!("/{target}")
    }
}

/// `name:value` lines (as [`anyfn_request_head`] writes them) as a
/// `HeaderMap`.
fn parse_header_lines(lines: &str) -> Result<HeaderMap, Error> {
    let mut map = HeaderMap::new();
    // As `lines.split_terminator('\n')` splits them (no line after a last
    // LF), byte by byte.
    let mut rest = lines;
    while !rest.is_empty() {
        let (line, after) = split_at_byte(rest, b'\n').unwrap_or((rest, ""));
        rest = after;
        let (name, value) = split_at_byte(line, b':')
            .ok_or_else(|| Error::bad_request("a header name is not a valid token"))?;
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::bad_request("a header name is not a valid token"))?;
        // An ASCII value's text is its bytes, as most values are: no copy
        // of it made first (an allocation per header).
        let value = if value.is_ascii() {
            HeaderValue::from_bytes(value.as_bytes())
        } else {
            HeaderValue::from_bytes(&request_header_bytes(value))
        }
        .map_err(|_| Error::bad_request(format!("the header `{name}` has an invalid value")))?;
        map.append(name, value);
    }
    Ok(map)
}

/// The bytes a client sent as the request header value the runtime gave
/// as `text` (not ASCII), as the other adapters see them.
///
/// - A byte string, as the Fetch Standard has it (every char below 256),
///   whose bytes are UTF-8: those bytes (`Ã©` is `c3 a9`). Text that
///   reads both ways is taken so: `Ã©` sent as UTF-8 (`c3 83 c2 a9`),
///   which workerd gives as `Ã©`, arrives as `c3 a9`.
/// - Otherwise the text's UTF-8: workerd decodes a value's bytes as UTF-8
///   before JavaScript sees them (workerd#6927), so `é` was `c3 a9`. A
///   byte that was not UTF-8 arrives as U+FFFD and cannot be told (nor a
///   Latin-1 value from a runtime that keeps byte strings, `é` being
///   `e9` there): the text's UTF-8 is the nearest.
fn request_header_bytes(text: &str) -> std::borrow::Cow<'_, [u8]> {
    let byte_string: Option<Vec<u8>> = text.chars().map(|c| u8::try_from(c).ok()).collect();
    match byte_string {
        Some(bytes) if std::str::from_utf8(&bytes).is_ok() => bytes.into(),
        _ => text.as_bytes().into(),
    }
}

#[wasm_bindgen(inline_js = "export function anyfn_headers_from_lines(lines) {
  const headers = new Headers();
  for (const line of lines.split('\\n')) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    headers.append(line.slice(0, colon), line.slice(colon + 1));
  }
  return headers;
}")]
extern "C" {
    /// A `Headers` of `name:value` lines, in one call into JavaScript
    /// where `Headers::append` would be one call per header. `HeaderName`
    /// holds no `:` and `HeaderValue` no LF, so the lines split back
    /// unambiguously.
    #[wasm_bindgen(catch)]
    fn anyfn_headers_from_lines(lines: &str) -> Result<worker::web_sys::Headers, JsValue>;
}

/// A header map as `name:value` lines, each value as the text workerd
/// writes back as its bytes: its UTF-8 text (bytes that are not UTF-8 as
/// U+FFFD, which workerd cannot send as they are; as anyfn-lambda and
/// anyfn-azure write them into their JSON).
fn header_lines(map: &HeaderMap) -> String {
    let mut lines = String::with_capacity(map.len() * 32);
    for (name, value) in map {
        lines.push_str(name.as_str());
        lines.push(':');
        match value.to_str() {
            // Visible ASCII, nearly every value: the same text (an ASCII
            // byte is its own char), copied whole rather than char by char.
            Ok(ascii) => lines.push_str(ascii),
            Err(_) => lines.push_str(&String::from_utf8_lossy(value.as_bytes())),
        }
        lines.push('\n');
    }
    lines
}

fn headers_not_sent(error: &JsValue) -> Error {
    Error::new(
        ErrorKind::Internal,
        format!(
            "the response's headers could not be sent: {}",
            error.as_string().unwrap_or_else(|| format!("{error:?}"))
        ),
    )
}

fn write_headers(map: &HeaderMap) -> Result<Headers, Error> {
    anyfn_headers_from_lines(&header_lines(map))
        .map(Headers)
        .map_err(|error| headers_not_sent(&error))
}

/// A whole response as the Worker's: status, every header, the body
/// (none for an empty one, which a 204 or 304 requires in JavaScript).
pub(crate) fn write_response(response: Response) -> Result<worker::Response, Error> {
    let (parts, body) = response.into_parts();
    let builder = ResponseBuilder::new()
        .with_status(parts.status.as_u16())
        .with_headers(write_headers(&parts.headers)?);
    Ok(if body.is_empty() {
        builder.empty()
    } else {
        // The body's own buffer when nothing else holds it (a handler's
        // `String` or `Vec`), not a copy.
        builder.fixed(Vec::from(body.into_bytes()))
    })
}

#[wasm_bindgen(inline_js = "export function anyfn_response(status, lines, body) {
  let response;
  try {
    response = new Response(body === undefined ? null : body.slice(), { status });
  } catch (error) {
    throw { anyfn_response_error: error };
  }
  const headers = response.headers;
  for (let start = 0; start < lines.length; ) {
    const colon = lines.indexOf(':', start);
    const end = lines.indexOf('\\n', colon);
    if (colon < 0 || end < 0) break;
    headers.append(lines.slice(start, colon), lines.slice(colon + 1, end));
    start = end + 1;
  }
  return response;
}")]
extern "C" {
    /// A whole response, in one call into JavaScript: its headers from
    /// `name:value` lines (each ended by LF, as [`header_lines`] writes
    /// them), its body a copy of `body` (`None`: no body, as a 204 or 304
    /// requires), where workers-rs's `Response` makes the headers, the
    /// body's array, the init object and the response with a call or two
    /// each. The headers are appended to the response's own, which a
    /// response made here may change: a `Headers` given to the constructor
    /// is copied into a second one (4k instructions a request more, with
    /// the lines split into an array). Its body is bytes, so the
    /// constructor adds no `Content-Type` of its own. An error of the
    /// `Response` constructor is thrown as `{anyfn_response_error}`; one of
    /// the headers as it is (none in practice: `http`'s names and values
    /// are valid ones for `Headers`). (The headers given to the constructor
    /// as pairs cost more still: 19k instructions a request.)
    #[wasm_bindgen(catch)]
    fn anyfn_response(
        status: u16,
        lines: &str,
        body: Option<&[u8]>,
    ) -> Result<web_sys::Response, JsValue>;
}

/// A whole response as the runtime's `Response`: what [`write_response`]
/// makes, in one call into JavaScript (the entry points of
/// [`entry_points!`](crate::entry_points) answer with it).
pub(crate) fn write_raw_response(response: Response) -> Result<web_sys::Response, Error> {
    let (parts, body) = response.into_parts();
    let lines = header_lines(&parts.headers);
    let body = body.as_bytes();
    let body = (!body.is_empty()).then_some(body);
    anyfn_response(parts.status.as_u16(), &lines, body).map_err(|error| {
        let thrown = js_sys::Reflect::get(&error, &JsValue::from_str("anyfn_response_error"))
            .ok()
            .filter(|thrown| !thrown.is_undefined());
        match thrown {
            // workers-rs unwraps the constructor's result: a status the
            // runtime refuses (or a body on a 204) panics, as it did there.
            Some(thrown) => panic!("called `Result::unwrap()` on an `Err` value: {thrown:?}"),
            None => headers_not_sent(&error),
        }
    })
}

/// How long a stream's cut waits after its last chunk, so that the chunk
/// reaches the client before the error ends the stream.
const CUT_HELD_BACK: Duration = Duration::from_millis(1);

/// A streamed response as the Worker's: its body a `ReadableStream` fed
/// chunk by chunk as the handler's stream yields them; a stream cut short
/// (its deadline, the producer's error) errors the `ReadableStream`, so
/// the client sees an incomplete body.
pub(crate) fn write_stream(response: StreamResponse) -> Result<worker::Response, Error> {
    let (parts, body) = response.into_parts();
    let chunks = body.then(|chunk| async move {
        match chunk {
            Ok(bytes) => Ok(bytes.to_vec()),
            Err(error) => {
                // Erroring a ReadableStream discards the chunks its reader
                // has not taken yet (the guard's `error` event, sent just
                // before): give the reader a turn of the event loop first.
                crate::task::sleep(CUT_HELD_BACK).await;
                Err(worker::Error::RustError(error.to_string()))
            }
        }
    });
    ResponseBuilder::new()
        .with_status(parts.status.as_u16())
        .with_headers(write_headers(&parts.headers)?)
        .from_stream(chunks)
        .map_err(|error| {
            Error::new(
                ErrorKind::Internal,
                format!("the stream could not be sent: {error}"),
            )
        })
}
