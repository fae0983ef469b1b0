//! A portable [`Response`] into the response payload of the shape its request
//! came in.

use anyfn::http::header::{HeaderMap, HeaderName, CONTENT_TYPE, SET_COOKIE};
use anyfn::{Error, ErrorKind, MediaType, Response};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::EventSource;

/// Encodes `response` for `source`.
pub(crate) fn encode(response: Response, source: EventSource) -> Result<String, Error> {
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
            let cookies: Vec<String> = headers.get_all(SET_COOKIE).iter().map(lossy).collect();
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
        Some(value) => MediaType::parse(&String::from_utf8_lossy(value.as_bytes())).is_text(),
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
                    map.serialize_entry(&capitalisation(name.as_str(), index), &lossy(value))?;
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
        assert_eq!(text_body(&headers, b"abc"), None);
        headers.insert(
            CONTENT_TYPE,
            "application/json; charset=utf-8".parse().unwrap(),
        );
        assert_eq!(text_body(&headers, b"{}"), Some("{}"));
        assert_eq!(text_body(&HeaderMap::new(), &[0xff]), None);
    }
}
