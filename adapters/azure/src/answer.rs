//! The answer to an envelope invocation,
//! `{"Outputs": {…}, "Logs": […], "ReturnValue": …}`, written straight from
//! the function's output: an HTTP response becomes the output binding's
//! `res` object (`statusCode`, `headers`, `body`) without an intermediate
//! `serde_json::Value`.

use anyfn::http::header::{HeaderMap, HeaderValue, CONTENT_TYPE, SET_COOKIE};
use anyfn::http::StatusCode;
use anyfn::{Error, ErrorKind, Response};
use serde_json::Value;

use crate::codec::AzureAnswer;
use anyfn_kit::AnswerBody;

/// An answer ready for the envelope.
pub(crate) enum Encoded {
    /// The HTTP output binding's response (its body checked to be text).
    Res(Response),
    /// The `ReturnValue`.
    Return(Value),
    /// Nothing to output.
    Nothing,
}

impl Encoded {
    /// An HTTP response for the output binding.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Internal`] for a body that is not UTF-8: the envelope
    /// carries the body as text, and the host writes it as text.
    #[inline]
    pub(crate) fn http(response: Response) -> Result<Self, Error> {
        let body = response.body().as_bytes();
        // ASCII (the usual text body) is UTF-8, told a word at a time
        // without `from_utf8`'s set-up.
        if !body.is_ascii() && std::str::from_utf8(body).is_err() {
            return Err(Error::new(
                ErrorKind::Internal,
                "a binary response body cannot pass through the custom handler envelope \
                 (it carries text); turn on customHandler.enableForwardingHttpRequest in host.json",
            ));
        }
        Ok(Self::Res(response))
    }
}

/// The function's answer for the envelope: an HTTP trigger's is always a
/// response (`204` for nothing, `200` JSON for a value).
#[inline]
pub(crate) fn encode_answer(answer: AzureAnswer, is_http: bool) -> Result<Encoded, Error> {
    // Matched on the answer alone: a tuple of it and `is_http` would be
    // one more move of the whole answer.
    match answer {
        AzureAnswer::Http(response) => Encoded::http(response),
        AzureAnswer::Empty if is_http => {
            Encoded::http(anyfn::response::status(StatusCode::NO_CONTENT))
        }
        AzureAnswer::Empty => Ok(Encoded::Nothing),
        AzureAnswer::Value(value) if is_http => Encoded::http(anyfn::response::json(&value)?),
        AzureAnswer::Value(value) => Ok(Encoded::Return(value)),
        AzureAnswer::Streamed(_) => Err(Error::new(
            ErrorKind::Internal,
            "a streamed answer was not gathered",
        )),
    }
}

/// `{"Outputs": …, "Logs": […], "ReturnValue": …}`, `200`: the HTTP
/// response under `Outputs.{output}` (or as the `ReturnValue` when the
/// output is `$return`), the invocation's log lines, the return value.
pub(crate) fn envelope_answer(
    encoded: &Encoded,
    output: &str,
    lines: &[String],
) -> hyper::Response<AnswerBody> {
    envelope_answer_in(encoded, output, lines, HeaderMap::new())
}

/// [`envelope_answer`], its headers written into `headers` (cleared
/// first): the request's map, whose memory the answer takes over rather
/// than allocating its own.
pub(crate) fn envelope_answer_in(
    encoded: &Encoded,
    output: &str,
    lines: &[String],
    headers: HeaderMap,
) -> hyper::Response<AnswerBody> {
    let size = match encoded {
        Encoded::Res(response) => response.body().as_bytes().len() + 256,
        _ => 128,
    };
    let mut out = Vec::with_capacity(size + lines.iter().map(String::len).sum::<usize>());
    out.extend_from_slice(b"{\"Outputs\":{");
    let is_return = output == "$return";
    if let (Encoded::Res(response), false) = (encoded, is_return) {
        write_str(&mut out, output);
        out.push(b':');
        write_res(&mut out, response);
    }
    out.extend_from_slice(b"},\"Logs\":[");
    for (index, line) in lines.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        write_str(&mut out, line);
    }
    out.extend_from_slice(b"],\"ReturnValue\":");
    match encoded {
        Encoded::Res(response) if is_return => write_res(&mut out, response),
        Encoded::Return(value) => {
            // Writing a `Value` to memory cannot fail.
            if serde_json::to_writer(&mut out, value).is_err() {
                out.extend_from_slice(b"null");
            }
        }
        _ => out.extend_from_slice(b"null"),
    }
    out.push(b'}');
    json_response(StatusCode::OK, out, headers)
}

/// A whole JSON answer (hyper writes its `Content-Length`), its headers in
/// `headers` (cleared first).
fn json_response(
    status: StatusCode,
    bytes: Vec<u8>,
    mut headers: HeaderMap,
) -> hyper::Response<AnswerBody> {
    headers.clear();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let mut response = hyper::Response::new(AnswerBody::whole(bytes));
    *response.status_mut() = status;
    // The empty map the response was made with is forgotten rather than
    // dropped: `HeaderMap::new` allocates nothing (as documented), so
    // there is nothing to free, and its drop costs what the rest of this
    // function does.
    std::mem::forget(std::mem::replace(response.headers_mut(), headers));
    response
}

/// The `res` object of `response`: `statusCode`, `headers` (one string per
/// name: several values joined with `, `; of several `Set-Cookie`s only the
/// first, with a warning) and `body` (text: checked by [`Encoded::http`]).
fn write_res(out: &mut Vec<u8>, response: &Response) {
    out.extend_from_slice(b"{\"statusCode\":");
    out.extend_from_slice(response.status().as_str().as_bytes());
    out.extend_from_slice(b",\"headers\":{");
    write_headers(out, response.headers());
    out.extend_from_slice(b"},\"body\":");
    // Checked to be UTF-8 by `Encoded::http`.
    write_text(out, response.body().as_bytes());
    out.push(b'}');
}

fn write_headers(out: &mut Vec<u8>, headers: &HeaderMap) {
    // A name's values come one after another in `iter` (its entry's, then
    // the next name's): grouped as they come, rather than each name looked
    // up again (hashed) by `get_all`.
    let mut entries = headers.iter().peekable();
    let mut index = 0;
    while let Some((name, value)) = entries.next() {
        if index > 0 {
            out.push(b',');
        }
        index += 1;
        // The name's values as text (a JSON string holds text: bytes that
        // are not UTF-8 as U+FFFD, as anyfn-lambda writes them): the first,
        // and the others joined to it with `, ` (of several `Set-Cookie`s,
        // the first only, the others counted).
        let is_cookie = name == SET_COOKIE;
        let first = String::from_utf8_lossy(value.as_bytes());
        let mut joined: Option<String> = None;
        let mut dropped = 0_usize;
        while let Some((_, value)) = entries.next_if(|(next, _)| *next == name) {
            if is_cookie {
                dropped += 1;
                continue;
            }
            let joined = joined.get_or_insert_with(|| first.clone().into_owned());
            joined.push_str(", ");
            joined.push_str(&String::from_utf8_lossy(value.as_bytes()));
        }
        if dropped > 0 {
            tracing::warn!(
                target: "anyfn::azure",
                "the envelope carries one Set-Cookie header; {dropped} more dropped \
                 (turn on customHandler.enableForwardingHttpRequest to send them all)"
            );
        }
        let value = joined.as_deref().unwrap_or(&first);
        if name == CONTENT_TYPE {
            // As the host's own bindings spell it (a literal: no escape).
            out.extend_from_slice(b"\"Content-Type\"");
        } else {
            write_str(out, name.as_str());
        }
        out.push(b':');
        write_str(out, value);
    }
}

/// `text` as a JSON string: quotes, backslashes and control characters
/// escaped, runs without them copied at once.
fn write_str(out: &mut Vec<u8>, text: &str) {
    write_text(out, text.as_bytes());
}

/// [`write_str`] of text already checked to be UTF-8 (a body
/// [`Encoded::http`] accepted), without checking it again.
fn write_text(out: &mut Vec<u8>, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    if !crate::scan::has_special(bytes) {
        // The usual text: nothing to escape, copied at once.
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    let mut rest = bytes;
    // Eight bytes at a time (the scanner's search for the same bytes).
    while let Some(at) = crate::scan::find_special(rest, 0) {
        let (run, tail) = rest.split_at(at);
        out.extend_from_slice(run);
        rest = tail;
        let Some((&byte, tail)) = rest.split_first() else {
            break;
        };
        match byte {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            _ => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(byte >> 4)],
                HEX[usize::from(byte & 0xf)],
            ]),
        }
        rest = tail;
    }
    out.extend_from_slice(rest);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use anyfn::http::header::HeaderValue;
    use serde_json::json;

    use super::*;

    fn document(encoded: &Encoded, output: &str) -> Value {
        let response = envelope_answer(encoded, output, &["INFO a: \"b\"\n".to_owned()]);
        let bytes = response.body().as_whole().expect("a whole body");
        serde_json::from_slice(bytes).expect("JSON")
    }

    #[test]
    fn answers_are_written_whole() {
        let res = Encoded::http(anyfn::response::text("hi")).expect("text");
        let expected_res = json!({"statusCode": 200, "headers": {"Content-Type": "text/plain; charset=utf-8"}, "body": "hi"});
        let logs = json!(["INFO a: \"b\"\n"]);
        assert_eq!(
            document(&res, "res"),
            json!({"Outputs": {"res": expected_res}, "Logs": logs, "ReturnValue": null})
        );
        assert_eq!(
            document(&res, "$return"),
            json!({"Outputs": {}, "Logs": logs, "ReturnValue": expected_res})
        );
        assert_eq!(
            document(&Encoded::Return(json!({"n": 1})), "res"),
            json!({"Outputs": {}, "Logs": logs, "ReturnValue": {"n": 1}})
        );
        assert_eq!(
            document(&Encoded::Nothing, "res"),
            json!({"Outputs": {}, "Logs": logs, "ReturnValue": null})
        );
    }

    #[test]
    fn responses_become_res_objects() {
        let mut response = anyfn::response::text("h\u{1}i \"there\" \\ é");
        *response.status_mut() = StatusCode::CREATED;
        for (name, value) in [
            ("x-a", "1"),
            ("x-a", "2"),
            ("set-cookie", "a=1"),
            ("set-cookie", "b=2"),
        ] {
            response
                .headers_mut()
                .append(name, HeaderValue::from_static(value));
        }
        let encoded = Encoded::http(response).expect("text");
        assert_eq!(
            document(&encoded, "out")["Outputs"]["out"],
            json!({
                "statusCode": 201,
                "headers": {"Content-Type": "text/plain; charset=utf-8", "x-a": "1, 2", "set-cookie": "a=1"},
                "body": "h\u{1}i \"there\" \\ é"
            })
        );
        let binary = Response::new(anyfn::Body::from(vec![0xff, 0xfe]));
        let err = Encoded::http(binary).err().expect("not text");
        assert_eq!(err.kind(), ErrorKind::Internal);
    }

    /// The former walk (each name, then its values by `get_all`), which
    /// `write_headers` gives the same text as.
    fn headers_by_name(headers: &HeaderMap) -> String {
        let mut out = Vec::new();
        for (index, name) in headers.keys().enumerate() {
            if index > 0 {
                out.push(b',');
            }
            let mut values = headers
                .get_all(name)
                .iter()
                .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
            let first = values.next().unwrap_or_default();
            let value = if name == SET_COOKIE {
                first
            } else {
                std::iter::once(first)
                    .chain(values)
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let key = if name == CONTENT_TYPE {
                "Content-Type"
            } else {
                name.as_str()
            };
            write_str(&mut out, key);
            out.push(b':');
            write_str(&mut out, &value);
        }
        String::from_utf8(out).expect("UTF-8")
    }

    /// Text written as a JSON string reads back as itself (serde_json's
    /// reading), whether it takes the copy at once (nothing to escape) or
    /// the escaping walk, at every length around a word's eight bytes.
    #[test]
    fn text_is_written_as_a_json_string() {
        let mut texts: Vec<String> = [
            "",
            "res",
            "Hello, Ada!",
            "text/plain; charset=utf-8",
            "h\u{1}i \"there\" \\ é",
            "\u{7f}\u{1f}\t\r\n\u{8}\u{c}",
        ]
        .map(str::to_owned)
        .to_vec();
        for len in 0..20 {
            let plain = "aé~".repeat(len).chars().take(len).collect::<String>();
            for special in ["", "\"", "\\", "\n", "\u{0}"] {
                for at in 0..=plain.chars().count() {
                    let mut text: String = plain.chars().take(at).collect();
                    text.push_str(special);
                    text.extend(plain.chars().skip(at));
                    texts.push(text);
                }
            }
        }
        for text in texts {
            let mut out = Vec::new();
            write_str(&mut out, &text);
            let read: String = serde_json::from_slice(&out).expect("a JSON string");
            assert_eq!(read, text);
            let escapes = out.iter().filter(|&&byte| byte == b'\\').count();
            assert_eq!(
                escapes == 0,
                !text.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20),
                "{text:?}"
            );
        }
    }

    /// A value above ASCII was left out of the envelope (only visible
    /// ASCII was taken as text). It is its UTF-8 text, bytes that are not
    /// UTF-8 as U+FFFD, as anyfn-lambda writes a JSON response's headers.
    #[test]
    fn regression_header_values_above_ascii_are_written_as_text() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-name",
            HeaderValue::from_bytes("café".as_bytes()).expect("a value"),
        );
        headers.insert(
            "x-bin",
            HeaderValue::from_bytes(b"a\xffb").expect("a value"),
        );
        let mut out = b"{".to_vec();
        write_headers(&mut out, &headers);
        out.push(b'}');
        let written: serde_json::Value = serde_json::from_slice(&out).expect("JSON");
        assert_eq!(
            written,
            serde_json::json!({"x-name": "café", "x-bin": "a\u{fffd}b"})
        );
    }

    #[test]
    fn headers_are_grouped_by_name_as_the_walk_by_name_did() {
        let cases: &[&[(&str, &[u8])]] = &[
            &[],
            &[("content-type", b"text/plain")],
            &[("x-a", b"1"), ("x-b", b"2"), ("x-a", b"3")],
            &[
                ("set-cookie", b"a=1"),
                ("x-c", b"\\"),
                ("set-cookie", b"b=2"),
            ],
            &[("x-bin", b"\xff"), ("x-bin", b"ok"), ("x-d", b"\"\"")],
            &[
                ("x-bin", b"\xfe"),
                ("content-type", b"a"),
                ("content-type", b"b"),
            ],
            &[
                ("x-e", b""),
                ("x-e", b""),
                ("x-f", b"1"),
                ("x-g", b"2"),
                ("x-f", b"3"),
            ],
        ];
        for pairs in cases {
            let mut headers = HeaderMap::new();
            for (name, value) in *pairs {
                headers.append(
                    anyfn::http::header::HeaderName::from_static(name),
                    HeaderValue::from_bytes(value).expect("a value"),
                );
            }
            let mut out = Vec::new();
            write_headers(&mut out, &headers);
            assert_eq!(
                String::from_utf8(out).expect("UTF-8"),
                headers_by_name(&headers),
                "{pairs:?}"
            );
        }
    }
}
