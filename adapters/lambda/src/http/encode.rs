//! A portable [`Response`] into the response payload of the shape its request
//! came in.

use std::borrow::Cow;

use anyfn::http::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE, SET_COOKIE};
use anyfn::http::StatusCode;
use anyfn::{Error, MediaType, Response};

use super::scan::to_special;
use crate::EventSource;

/// Encodes `response` for `source`.
///
/// The JSON is written straight into one `String` sized for it, byte for
/// byte what serde_json writes for the response structs of each shape (the
/// tests keep those structs and compare): the header map is walked once, in
/// its order, each name with its values, with no map of strings or `Vec` of
/// cookies built on the way.
pub(crate) fn encode(response: Response, source: EventSource) -> Result<String, Error> {
    let (parts, body) = response.into_parts();
    let headers = &parts.headers;
    // One pass for the room the headers take and the content type.
    let mut content_type = None;
    let mut header_bytes = 0;
    for (name, value) in headers {
        if content_type.is_none() && *name == CONTENT_TYPE {
            content_type = Some(value);
        }
        header_bytes += name.as_str().len() + value.len() + 8;
    }
    let base64;
    let (body, is_base64_encoded) = match text_body(content_type, body.as_bytes()) {
        Some(text) => (text, false),
        None => {
            base64 = body.to_base64();
            (base64.as_str(), true)
        }
    };
    // Room for the fixed text, the body and the headers; escapes may need
    // more, and the `String` grows then.
    let mut out = String::with_capacity(120 + body.len() + header_bytes);
    out.push_str(r#"{"statusCode":"#);
    // Always three digits (`StatusCode` is 100 to 999), as serde writes the u16.
    out.push_str(parts.status.as_str());
    match source {
        EventSource::ApiGatewayRest => {
            out.push_str(r#","multiValueHeaders":"#);
            multi_value_headers(&mut out, headers);
        }
        EventSource::AlbMultiValue => {
            status_description(&mut out, parts.status);
            out.push_str(r#","multiValueHeaders":"#);
            multi_value_headers(&mut out, headers);
        }
        EventSource::Alb => {
            status_description(&mut out, parts.status);
            out.push_str(r#","headers":"#);
            single_value_headers(&mut out, headers);
        }
        _ => {
            out.push_str(r#","headers":"#);
            let mut cookies = String::new();
            joined_headers(&mut out, headers, &mut cookies);
            // Always present, even empty: API Gateway accepts either, but
            // `cargo lambda watch` (and aws_lambda_events'
            // `ApiGatewayV2httpResponse`) require the field and answer 500
            // without it.
            out.push_str(r#","cookies":["#);
            out.push_str(&cookies);
            out.push(']');
        }
    }
    out.push_str(r#","body":"#);
    if is_base64_encoded {
        // The base64 alphabet needs no escape.
        out.push('"');
        out.push_str(body);
        out.push('"');
        out.push_str(r#","isBase64Encoded":true}"#);
    } else {
        string(&mut out, body);
        out.push_str(r#","isBase64Encoded":false}"#);
    }
    Ok(out)
}

/// The body as text when it is UTF-8 and its content type (if any) is textual;
/// otherwise it goes base64-encoded.
fn text_body<'a>(content_type: Option<&HeaderValue>, bytes: &'a [u8]) -> Option<&'a str> {
    let textual = match content_type {
        None => true,
        Some(value) => is_text(value.as_bytes()),
    };
    textual.then(|| std::str::from_utf8(bytes).ok()).flatten()
}

/// Whether a `Content-Type` value is textual, as [`MediaType::is_text`] says
/// of it. The common values are told without parsing (and lower-casing into
/// a new `String`): a value starting with `text/` (in any case; its essence
/// then starts with `text/`) or exactly `application/json`, alone or before
/// its parameters.
fn is_text(content_type: &[u8]) -> bool {
    if content_type.len() >= 5 && content_type[..5].eq_ignore_ascii_case(b"text/") {
        return true;
    }
    if let Some(rest) = content_type.strip_prefix(b"application/json") {
        if rest.is_empty() || rest[0] == b';' {
            return true;
        }
    }
    MediaType::parse(&String::from_utf8_lossy(content_type)).is_text()
}

/// `,"statusDescription":"200 OK"`: the code and its reason, or the code
/// alone when it has none.
fn status_description(out: &mut String, status: StatusCode) {
    out.push_str(r#","statusDescription":"#);
    let mut description = String::with_capacity(40);
    description.push_str(status.as_str());
    if let Some(reason) = status.canonical_reason() {
        description.push(' ');
        description.push_str(reason);
    }
    string(out, description.trim_end());
}

/// Every header with every value: `{"name":["v1","v2"]}`.
fn multi_value_headers(out: &mut String, headers: &HeaderMap) {
    out.push('{');
    let mut previous: Option<&HeaderName> = None;
    for (name, value) in headers {
        if previous == Some(name) {
            out.push(',');
        } else {
            if previous.is_some() {
                out.push_str("],");
            }
            string(out, name.as_str());
            out.push_str(":[");
            previous = Some(name);
        }
        header_value(out, value);
    }
    if previous.is_some() {
        out.push(']');
    }
    out.push('}');
}

/// HTTP API and Function URL headers: one string per name, repeated values
/// joined with `, ` (as HTTP allows); `Set-Cookie` goes to `cookies` instead,
/// each value a JSON string, separated by commas.
fn joined_headers(out: &mut String, headers: &HeaderMap, cookies: &mut String) {
    out.push('{');
    let mut previous: Option<&HeaderName> = None;
    for (name, value) in headers {
        if *name == SET_COOKIE {
            if !cookies.is_empty() {
                cookies.push(',');
            }
            header_value(cookies, value);
            continue;
        }
        if previous == Some(name) {
            out.push_str(", ");
        } else {
            if previous.is_some() {
                out.push_str("\",");
            }
            string(out, name.as_str());
            out.push_str(":\"");
            previous = Some(name);
        }
        escaped(out, &lossy(value.as_bytes()));
    }
    if previous.is_some() {
        out.push('"');
    }
    out.push('}');
}

/// ALB single-value headers: one string per name, repeated values joined with
/// `, `, except `Set-Cookie`, which cannot be joined: each cookie goes under
/// another capitalisation of the name (`set-cookie`, `Set-cookie`, …), which
/// ALB sends as separate headers.
fn single_value_headers(out: &mut String, headers: &HeaderMap) {
    out.push('{');
    let mut previous: Option<&HeaderName> = None;
    // Within a value joined with `, `: the closing quote is still to write.
    let mut open = false;
    let mut cookie = 0;
    for (name, value) in headers {
        if *name == SET_COOKIE {
            if open {
                out.push('"');
                open = false;
            }
            if previous.is_some() {
                out.push(',');
            }
            string(out, &capitalisation(name.as_str(), cookie));
            out.push(':');
            header_value(out, value);
            cookie += 1;
        } else if open && previous == Some(name) {
            out.push_str(", ");
            escaped(out, &lossy(value.as_bytes()));
        } else {
            if open {
                out.push('"');
            }
            if previous.is_some() {
                out.push(',');
            }
            string(out, name.as_str());
            out.push_str(":\"");
            escaped(out, &lossy(value.as_bytes()));
            open = true;
        }
        previous = Some(name);
    }
    if open {
        out.push('"');
    }
    out.push('}');
}

/// A header value as a JSON string, invalid UTF-8 replaced by U+FFFD.
fn header_value(out: &mut String, value: &HeaderValue) {
    string(out, &lossy(value.as_bytes()));
}

/// `text` as a JSON string, quoted and escaped as serde_json writes it.
fn string(out: &mut String, text: &str) {
    out.push('"');
    escaped(out, text);
    out.push('"');
}

/// `text` escaped as serde_json escapes a string: `"` and `\` with a
/// backslash, the control characters below U+0020 as `\b`, `\t`, `\n`,
/// `\f`, `\r` or `\u00xx` (lower-case hex); everything else as it is. The
/// runs between escapes are found eight bytes at a time.
fn escaped(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut rest = text;
    loop {
        let at = to_special(rest.as_bytes());
        // `at` is at an ASCII byte (or the end), so a char boundary.
        out.push_str(&rest[..at]);
        let Some(&byte) = rest.as_bytes().get(at) else {
            return;
        };
        match byte {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x08 => out.push_str("\\b"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            0x0c => out.push_str("\\f"),
            b'\r' => out.push_str("\\r"),
            _ => {
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 0xf)]));
            }
        }
        rest = &rest[at + 1..];
    }
}

/// A header value's bytes as text, invalid UTF-8 replaced by U+FFFD (as
/// `String::from_utf8_lossy` does, which is slower to find it valid).
fn lossy(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// The `index`-th capitalisation of `name`: bit `i` of `index` upper-cases
/// the `i`-th letter. Index 0 is the name as it is.
fn capitalisation(name: &str, index: usize) -> String {
    let mut letter = 0;
    name.chars()
        .map(|c| {
            if c.is_ascii_alphabetic() {
                let upper = index >> letter & 1 == 1;
                letter += 1;
                if upper {
                    return c.to_ascii_uppercase();
                }
            }
            c
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The encoder as it was, on serde's derive: what `encode` must write,
    /// byte for byte.
    mod serde_reference {
        use anyfn::http::header::{HeaderMap, HeaderName, CONTENT_TYPE, SET_COOKIE};
        use anyfn::{Error, ErrorKind, MediaType, Response};
        use serde::ser::{SerializeMap, Serializer};
        use serde::Serialize;

        use crate::EventSource;

        /// Encodes `response` for `source`.
        pub(super) fn encode(response: Response, source: EventSource) -> Result<String, Error> {
            let (parts, body) = response.into_parts();
            let status_code = parts.status.as_u16();
            let (body, is_base64_encoded) = match text_body(&parts.headers, body.as_bytes()) {
                Some(text) => (BodyText::Borrowed(text), false),
                None => (BodyText::Owned(body.to_base64()), true),
            };
            let body = body.as_str();
            let headers = &parts.headers;
            let encoded = match source {
                EventSource::ApiGatewayRest => serde_json::to_string(&RestResponse {
                    status_code,
                    multi_value_headers: MultiValueHeaders(headers),
                    body,
                    is_base64_encoded,
                }),
                EventSource::AlbMultiValue => serde_json::to_string(&AlbMultiValueResponse {
                    status_code,
                    status_description: status_description(parts.status),
                    multi_value_headers: MultiValueHeaders(headers),
                    body,
                    is_base64_encoded,
                }),
                EventSource::Alb => serde_json::to_string(&AlbResponse {
                    status_code,
                    status_description: status_description(parts.status),
                    headers: SingleValueHeaders(headers),
                    body,
                    is_base64_encoded,
                }),
                _ => {
                    let cookies: Vec<String> =
                        headers.get_all(SET_COOKIE).iter().map(lossy).collect();
                    serde_json::to_string(&HttpApiResponse {
                        status_code,
                        headers: JoinedHeaders(headers),
                        cookies,
                        body,
                        is_base64_encoded,
                    })
                }
            };
            encoded.map_err(|err| {
                Error::with_source(
                    ErrorKind::Internal,
                    "could not encode the HTTP response",
                    err,
                )
            })
        }

        enum BodyText<'a> {
            Borrowed(&'a str),
            Owned(String),
        }

        impl BodyText<'_> {
            fn as_str(&self) -> &str {
                match self {
                    Self::Borrowed(text) => text,
                    Self::Owned(text) => text,
                }
            }
        }

        /// The body as text when it is UTF-8 and its content type (if any) is textual;
        /// otherwise it goes base64-encoded.
        fn text_body<'a>(headers: &HeaderMap, bytes: &'a [u8]) -> Option<&'a str> {
            let textual = match headers.get(CONTENT_TYPE) {
                None => true,
                Some(value) => {
                    MediaType::parse(&String::from_utf8_lossy(value.as_bytes())).is_text()
                }
            };
            textual.then(|| std::str::from_utf8(bytes).ok()).flatten()
        }

        fn lossy(value: &anyfn::http::HeaderValue) -> String {
            String::from_utf8_lossy(value.as_bytes()).into_owned()
        }

        fn status_description(status: anyfn::http::StatusCode) -> String {
            format!(
                "{} {}",
                status.as_u16(),
                status.canonical_reason().unwrap_or("")
            )
            .trim_end()
            .to_owned()
        }

        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct RestResponse<'a> {
            status_code: u16,
            multi_value_headers: MultiValueHeaders<'a>,
            body: &'a str,
            is_base64_encoded: bool,
        }

        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct HttpApiResponse<'a> {
            status_code: u16,
            headers: JoinedHeaders<'a>,
            /// Always present, even empty: API Gateway accepts either, but
            /// `cargo lambda watch` (and aws_lambda_events' `ApiGatewayV2httpResponse`)
            /// require the field and answer 500 without it.
            cookies: Vec<String>,
            body: &'a str,
            is_base64_encoded: bool,
        }

        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct AlbResponse<'a> {
            status_code: u16,
            status_description: String,
            headers: SingleValueHeaders<'a>,
            body: &'a str,
            is_base64_encoded: bool,
        }

        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct AlbMultiValueResponse<'a> {
            status_code: u16,
            status_description: String,
            multi_value_headers: MultiValueHeaders<'a>,
            body: &'a str,
            is_base64_encoded: bool,
        }

        /// Every header with every value: `{"name": ["v1", "v2"]}`.
        struct MultiValueHeaders<'a>(&'a HeaderMap);

        impl Serialize for MultiValueHeaders<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some(self.0.keys_len()))?;
                for name in self.0.keys() {
                    let values: Vec<String> = self.0.get_all(name).iter().map(lossy).collect();
                    map.serialize_entry(name.as_str(), &values)?;
                }
                map.end()
            }
        }

        /// HTTP API and Function URL headers: one string per name, repeated values
        /// joined with `, ` (as HTTP allows); `Set-Cookie` goes to `cookies` instead.
        struct JoinedHeaders<'a>(&'a HeaderMap);

        impl Serialize for JoinedHeaders<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(None)?;
                for name in self.0.keys().filter(|name| *name != SET_COOKIE) {
                    map.serialize_entry(name.as_str(), &joined(self.0, name))?;
                }
                map.end()
            }
        }

        /// ALB single-value headers: one string per name, repeated values joined with
        /// `, `, except `Set-Cookie`, which cannot be joined: each cookie goes under
        /// another capitalisation of the name (`set-cookie`, `Set-cookie`, …), which
        /// ALB sends as separate headers.
        struct SingleValueHeaders<'a>(&'a HeaderMap);

        impl Serialize for SingleValueHeaders<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(None)?;
                for name in self.0.keys() {
                    if name == SET_COOKIE {
                        for (index, value) in self.0.get_all(name).iter().enumerate() {
                            map.serialize_entry(
                                &capitalisation(name.as_str(), index),
                                &lossy(value),
                            )?;
                        }
                    } else {
                        map.serialize_entry(name.as_str(), &joined(self.0, name))?;
                    }
                }
                map.end()
            }
        }

        fn joined(headers: &HeaderMap, name: &HeaderName) -> String {
            let mut values = headers.get_all(name).iter();
            let mut out = values.next().map(lossy).unwrap_or_default();
            for value in values {
                out.push_str(", ");
                out.push_str(&String::from_utf8_lossy(value.as_bytes()));
            }
            out
        }

        // The old encoder's capitalisation is the one the new one kept.
        use super::super::capitalisation;
    }

    const SOURCES: [EventSource; 6] = [
        EventSource::ApiGatewayRest,
        EventSource::ApiGatewayHttp,
        EventSource::FunctionUrl,
        EventSource::Alb,
        EventSource::AlbMultiValue,
        EventSource::Raw,
    ];

    /// `encode` against serde's, for every shape.
    fn assert_as_serde_wrote(response: &Response) {
        for source in SOURCES {
            let ours = encode(response.clone(), source).unwrap();
            let serdes = serde_reference::encode(response.clone(), source).unwrap();
            assert_eq!(ours, serdes, "{source:?} {response:?}");
            let _: serde_json::Value = serde_json::from_str(&ours).unwrap();
        }
    }

    fn value(bytes: &[u8]) -> HeaderValue {
        HeaderValue::from_bytes(bytes).unwrap()
    }

    fn response(
        status: u16,
        content_type: Option<&[u8]>,
        headers: &[(&str, &[u8])],
        body: &[u8],
    ) -> Response {
        let mut response = Response::new(anyfn::Body::from(body.to_vec()));
        *response.status_mut() = StatusCode::from_u16(status).unwrap();
        if let Some(content_type) = content_type {
            response
                .headers_mut()
                .insert(CONTENT_TYPE, value(content_type));
        }
        for (name, bytes) in headers {
            response.headers_mut().append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value(bytes),
            );
        }
        response
    }

    const CONTENT_TYPES: &[Option<&[u8]>] = &[
        None,
        Some(b"text/plain; charset=utf-8"),
        Some(b"TEXT/HTML"),
        Some(b"Text/"),
        Some(b"text"),
        Some(b"text/plain\xff"),
        Some(b" text/plain"),
        Some(b"\xc2\xa0text/plain"),
        Some(b"application/json"),
        Some(b"application/json;charset=utf-8"),
        Some(b"application/json ; charset=utf-8"),
        Some(b"application/jsonx"),
        Some(b"APPLICATION/JSON"),
        Some(b"application/problem+json"),
        Some(b"application/xml"),
        Some(b"image/svg+xml"),
        Some(b"application/x-www-form-urlencoded"),
        Some(b"application/octet-stream"),
        Some(b"image/png"),
        Some(b""),
        Some(b";text/plain"),
    ];

    const BODIES: &[&[u8]] = &[
        b"",
        b"Hello, Ada!",
        b"{\"greeting\":\"Hello, Ada!\"}",
        "quote \" backslash \\ newline \n tab \t cr \r bs \x08 ff \x0c nul \0 us \x1f del \x7f \u{e9} \u{1f600} \u{2028}".as_bytes(),
        b"\xff\xfe not UTF-8",
        b"\x00\x01\x02\x03",
    ];

    const STATUSES: &[u16] = &[
        200, 201, 204, 100, 301, 404, 418, 429, 500, 503, 299, 599, 999,
    ];

    #[test]
    fn regression_answers_are_byte_for_byte_what_serde_wrote() {
        let header_sets: &[&[(&str, &[u8])]] = &[
            &[],
            &[("x-one", b"1")],
            &[("set-cookie", b"a=1; Path=/")],
            &[
                ("x-multi", b"a"),
                ("set-cookie", b"a=1"),
                ("x-other", b"quote \" backslash \\ tab \t end"),
                ("x-multi", b"b"),
                ("set-cookie", b"b=2; HttpOnly"),
                ("x-multi", b"c"),
                ("set-cookie", b"c=\xff\xfe"),
            ],
            &[
                ("x-bytes", b"\xff\x80 obs-text \xe9"),
                ("cache-control", b"no-store"),
            ],
            &[("x-empty", b""), ("x-empty", b""), ("vary", b"origin")],
            &[("set-cookie", b"only=1"), ("set-cookie", b"only=2")],
        ];
        for &status in STATUSES {
            for &content_type in CONTENT_TYPES {
                for &body in BODIES {
                    for &headers in header_sets {
                        assert_as_serde_wrote(&response(status, content_type, headers, body));
                    }
                }
            }
        }
    }

    #[test]
    fn regression_many_cookies_and_headers_as_serde_wrote() {
        let cookies: Vec<String> = (0..40).map(|i| format!("c{i}={i}; Path=/")).collect();
        let mut headers: Vec<(&str, &[u8])> = Vec::new();
        for (i, cookie) in cookies.iter().enumerate() {
            headers.push(("set-cookie", cookie.as_bytes()));
            headers.push(if i % 2 == 0 {
                ("x-even", b"e")
            } else {
                ("x-odd", b"o")
            });
        }
        assert_as_serde_wrote(&response(200, Some(b"text/html"), &headers, b"<p>hi</p>"));
        let big = "0123456789\"\\".repeat(10_000);
        assert_as_serde_wrote(&response(200, None, &headers, big.as_bytes()));
        assert_as_serde_wrote(&response(200, Some(b"image/png"), &headers, big.as_bytes()));
    }

    /// Seeded random header maps, bodies and statuses.
    #[test]
    fn regression_random_answers_as_serde_wrote() {
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move |bound: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % bound as u64) as usize
        };
        let names = [
            "set-cookie",
            "content-type",
            "x-a",
            "x-b",
            "location",
            "vary",
            "x-amzn-trace-id",
        ];
        let values: [&[u8]; 8] = [
            b"",
            b"v",
            b"a, b",
            b"\"quoted\"",
            b"back\\slash",
            b"tab\there",
            b"\xff\xc3\xa9",
            b"text/plain",
        ];
        for _ in 0..3_000 {
            let count = next(8);
            let headers: Vec<(&str, &[u8])> = (0..count)
                .map(|_| (names[next(names.len())], values[next(values.len())]))
                .collect();
            let status = STATUSES[next(STATUSES.len())];
            let content_type = CONTENT_TYPES[next(CONTENT_TYPES.len())];
            let body = BODIES[next(BODIES.len())];
            assert_as_serde_wrote(&response(status, content_type, &headers, body));
        }
    }

    #[test]
    fn is_text_says_what_media_type_says() {
        let mut values: Vec<Vec<u8>> = CONTENT_TYPES.iter().flatten().map(|v| v.to_vec()).collect();
        for prefix in [
            "text/",
            "TeXt/",
            "application/json",
            "Application/Json",
            "x",
        ] {
            for suffix in [
                "",
                ";",
                " ",
                ";charset=utf-8",
                " ;",
                "x",
                "+json",
                "\t",
                "/",
            ] {
                values.push(format!("{prefix}{suffix}").into_bytes());
            }
        }
        for value in values {
            assert_eq!(
                is_text(&value),
                MediaType::parse(&String::from_utf8_lossy(&value)).is_text(),
                "{:?}",
                String::from_utf8_lossy(&value)
            );
        }
    }

    #[test]
    fn strings_are_escaped_as_serde_escapes_them() {
        let mut every: String = (0..0x800u32).filter_map(char::from_u32).collect();
        every.push_str("\u{2028}\u{2029}\u{fffd}\u{1f600}");
        for text in [every.as_str(), "", "plain", "\"", "\\", "\u{0}", "end\n"] {
            let mut ours = String::new();
            string(&mut ours, text);
            assert_eq!(ours, serde_json::to_string(text).unwrap());
        }
        for c in (0..0x11_0000u32).filter_map(char::from_u32) {
            let mut ours = String::new();
            string(&mut ours, c.encode_utf8(&mut [0; 4]));
            assert_eq!(ours, serde_json::to_string(&c).unwrap(), "{c:?}");
        }
    }

    #[test]
    fn capitalisations_are_distinct() {
        let names: std::collections::HashSet<String> =
            (0..300).map(|i| capitalisation("set-cookie", i)).collect();
        assert_eq!(names.len(), 300);
        assert_eq!(capitalisation("set-cookie", 0), "set-cookie");
        assert_eq!(capitalisation("set-cookie", 1), "Set-cookie");
    }

    #[test]
    fn binary_content_types_are_base64_even_when_utf8() {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, "application/octet-stream".parse().unwrap());
        assert_eq!(text_body(headers.get(CONTENT_TYPE), b"abc"), None);
        headers.insert(
            CONTENT_TYPE,
            "application/json; charset=utf-8".parse().unwrap(),
        );
        assert_eq!(text_body(headers.get(CONTENT_TYPE), b"{}"), Some("{}"));
        assert_eq!(text_body(None, &[0xff]), None);
    }
}
