//! An HTTP event payload into a portable [`Request`], in one pass: the payload
//! is read once into a struct holding every shape's fields (by the scan of
//! `scan.rs`, or by serde when the scan leaves it), and the shape is told
//! from its markers.

use std::borrow::Cow;

use anyfn::http::header::{HeaderValue, COOKIE};
use anyfn::http::{HeaderMap, Method, Uri};
use anyfn::{Body, Context, Error, PathParams, Query, Request, Stage, StageVariables};
use bytes::Bytes;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Deserialize;

use super::api_gateway::RawRequestContext;
use super::pairs::{LazyObject, Text};
use crate::describe::{read, unexpected};
use crate::EventSource;

/// What the adapter expects, for error messages.
const EXPECTED: &str = "expected an HTTP event from API Gateway (REST API or HTTP API), \
an Application Load Balancer or a Lambda Function URL, recognised by `httpMethod`, \
`requestContext.http.method` or `requestContext.elb`";

/// Every field of every HTTP shape; absent fields stay empty.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct RawHttpEvent<'a> {
    #[serde(borrow)]
    pub(super) version: Option<Text<'a>>,
    #[serde(borrow)]
    pub(super) http_method: Option<Text<'a>>,
    #[serde(borrow)]
    pub(super) path: Option<Text<'a>>,
    #[serde(borrow)]
    pub(super) raw_path: Option<Text<'a>>,
    #[serde(borrow)]
    pub(super) raw_query_string: Option<Text<'a>>,
    #[serde(borrow)]
    pub(super) headers: LazyObject<'a>,
    #[serde(borrow)]
    pub(super) multi_value_headers: LazyObject<'a>,
    #[serde(borrow)]
    pub(super) query_string_parameters: LazyObject<'a>,
    #[serde(borrow)]
    pub(super) multi_value_query_string_parameters: LazyObject<'a>,
    /// API Gateway only (REST and HTTP APIs).
    #[serde(borrow)]
    pub(super) path_parameters: LazyObject<'a>,
    /// API Gateway only (REST and HTTP APIs).
    #[serde(borrow)]
    pub(super) stage_variables: LazyObject<'a>,
    pub(super) cookies: Option<Vec<String>>,
    pub(super) body: Option<String>,
    pub(super) is_base64_encoded: Option<bool>,
    pub(super) request_context: Option<RawRequestContext>,
    /// `headers` read into a map as the scan went (never by serde): the map
    /// `headers.header_map(shared)` makes, when the scan could make it.
    #[serde(skip)]
    pub(super) header_map: Option<HeaderMap>,
}

/// Decodes an HTTP event payload of any supported shape.
pub(crate) fn decode(
    payload: &[u8],
    context: &mut Context,
) -> Result<(Request, EventSource), Error> {
    decode_shared(payload, None, context)
}

/// [`decode`], with the header values that need no unescaping kept as
/// slices of `shared` (the payload's own bytes) rather than copied.
pub(crate) fn decode_shared(
    payload: &[u8],
    shared: Option<&Bytes>,
    context: &mut Context,
) -> Result<(Request, EventSource), Error> {
    // The scan reads a well-formed event as serde would, or leaves it to
    // serde, which refuses it with its own errors.
    let raw = match super::scan::scan(payload, shared) {
        Some(raw) => raw,
        None => read(payload, EXPECTED)?,
    };
    decode_raw(raw, payload, shared, context)
}

/// [`decode_shared`] read by serde alone, as it was before the scan: what
/// the scan is checked against.
#[cfg(test)]
pub(super) fn decode_with_serde(
    payload: &[u8],
    context: &mut Context,
) -> Result<(Request, EventSource), Error> {
    let raw = read(payload, EXPECTED)?;
    decode_raw(raw, payload, None, context)
}

/// The request of an event read into `raw` from `payload`.
fn decode_raw(
    raw: RawHttpEvent<'_>,
    payload: &[u8],
    shared: Option<&Bytes>,
    context: &mut Context,
) -> Result<(Request, EventSource), Error> {
    let source = detect(&raw).ok_or_else(|| unexpected(EXPECTED, payload))?;
    // Known from here on: an event that fails to decode past this point is
    // still answered in its own shape.
    context.extensions_mut().insert(source);
    let RawHttpEvent {
        version: _,
        http_method,
        path,
        raw_path,
        raw_query_string,
        headers,
        multi_value_headers,
        query_string_parameters,
        multi_value_query_string_parameters,
        path_parameters,
        stage_variables,
        cookies,
        body,
        is_base64_encoded,
        request_context,
        header_map: scanned_headers,
    } = raw;
    let mut request_context = request_context.unwrap_or_default();
    let http_method = http_method.map(|Text(method)| method);
    let path = path.map(|Text(path)| path).unwrap_or_default();

    let (method, path, query): (Option<Cow<'_, str>>, &str, Cow<'_, str>) = match source {
        EventSource::ApiGatewayRest => {
            // API Gateway decodes query values; encode them again.
            let parameters = prefer(multi_value_query_string_parameters, query_string_parameters);
            let query: Query = read_pairs(&parameters, source, "query parameters")?
                .0
                .into_iter()
                .flat_map(|(key, values)| {
                    values.0.into_iter().map(move |value| (key.clone(), value))
                })
                .collect();
            (http_method, &path, Cow::Owned(query.to_string()))
        }
        EventSource::Alb | EventSource::AlbMultiValue => {
            // ALB passes query values as the client sent them, still encoded.
            let parameters = if source == EventSource::AlbMultiValue {
                multi_value_query_string_parameters
            } else {
                query_string_parameters
            };
            let mut query = String::new();
            for (key, values) in read_pairs(&parameters, source, "query parameters")?.0 {
                for value in values.0 {
                    if !query.is_empty() {
                        query.push('&');
                    }
                    query.push_str(&key);
                    query.push('=');
                    query.push_str(&value);
                }
            }
            (http_method, &path, Cow::Owned(query))
        }
        _ => {
            let method = request_context
                .http
                .as_mut()
                .and_then(|http| http.method.take())
                .map(Cow::Owned);
            let path = match &raw_path {
                Some(Text(raw_path)) => strip_stage(raw_path, request_context.stage.as_deref()),
                None => "",
            };
            (
                method,
                path,
                raw_query_string
                    .map(|Text(query)| query)
                    .unwrap_or_default(),
            )
        }
    };

    let method = method.unwrap_or_default();
    let method = &*method;
    let method = Method::from_bytes(method.as_bytes()).map_err(|_| {
        Error::bad_request(format!(
            "the {source} event's HTTP method {method:?} is not valid"
        ))
    })?;
    let uri = build_uri(path, &query).map_err(|err| {
        Error::bad_request(format!(
            "the {source} event's path {path:?} and query {query:?} do not form a valid URI: {err}"
        ))
    })?;

    let (headers, scanned_headers) = match source {
        EventSource::ApiGatewayRest if !multi_value_headers.is_empty() => {
            (multi_value_headers, None)
        }
        EventSource::AlbMultiValue => (multi_value_headers, None),
        _ => (headers, scanned_headers),
    };
    let mut header_map = match scanned_headers {
        Some(header_map) => header_map,
        None => headers.header_map(shared).map_err(|err| {
            Error::bad_request(format!("the {source} event's headers are not valid: {err}"))
        })?,
    };
    if let Some(cookies) = cookies.filter(|cookies| !cookies.is_empty()) {
        if !header_map.contains_key(COOKIE) {
            let joined = cookies.join("; ");
            // Its bytes, as every header value is taken (`pairs::header_value`).
            let value = HeaderValue::from_maybe_shared(Bytes::from(joined)).map_err(|_| {
                Error::bad_request(format!(
                    "the {source} event's cookies are not a valid header value"
                ))
            })?;
            // A map already holding as many names as it can refuses one
            // more (`insert` would panic).
            header_map.try_insert(COOKIE, value).map_err(|_| {
                Error::bad_request(format!(
                    "the {source} event has too many header names to add its cookies"
                ))
            })?;
        }
    }

    let body = match (body, is_base64_encoded.unwrap_or(false)) {
        (None, _) => Body::empty(),
        (Some(text), false) => Body::from(text),
        (Some(encoded), true) => Body::from_base64(&encoded).map_err(|err| {
            Error::bad_request(format!(
                "the {source} event's body is marked isBase64Encoded, but {}",
                err.message()
            ))
        })?,
    };

    let stage = request_context.stage.clone();
    if source != EventSource::Alb && source != EventSource::AlbMultiValue {
        context
            .extensions_mut()
            .insert(request_context.into_public());
    }
    let mut request = Request::new(body);
    *request.method_mut() = method;
    *request.uri_mut() = uri;
    *request.headers_mut() = header_map;
    if matches!(
        source,
        EventSource::ApiGatewayRest | EventSource::ApiGatewayHttp
    ) {
        if let Some(stage) = stage.filter(|stage| !stage.is_empty()) {
            request.extensions_mut().insert(Stage::new(stage));
        }
        // Read only when sent: most events have neither.
        if !path_parameters.is_empty() {
            let params: PathParams = read_names(&path_parameters, source, "pathParameters")?;
            request.extensions_mut().insert(params);
        }
        if !stage_variables.is_empty() {
            let variables: StageVariables = read_names(&stage_variables, source, "stageVariables")?;
            request.extensions_mut().insert(variables);
        }
    }
    Ok((request, source))
}

/// Tells the shape from its markers.
fn detect(raw: &RawHttpEvent<'_>) -> Option<EventSource> {
    let context = raw.request_context.as_ref();
    if context.is_some_and(|c| c.elb.is_some()) {
        // With multi-value headers enabled, ALB sends only the multi-value maps.
        let multi_value = !raw.multi_value_headers.is_empty()
            || !raw.multi_value_query_string_parameters.is_empty();
        return Some(if multi_value {
            EventSource::AlbMultiValue
        } else {
            EventSource::Alb
        });
    }
    let v2_method = context
        .and_then(|c| c.http.as_ref())
        .and_then(|h| h.method.as_ref());
    let version = raw.version.as_ref().map(|Text(version)| &**version);
    if version == Some("2.0") || (v2_method.is_some() && raw.http_method.is_none()) {
        v2_method?;
        let function_url = context
            .and_then(|c| c.domain_name.as_deref())
            .is_some_and(|domain| domain.contains(".lambda-url."));
        return Some(if function_url {
            EventSource::FunctionUrl
        } else {
            EventSource::ApiGatewayHttp
        });
    }
    raw.http_method
        .as_ref()
        .map(|_| EventSource::ApiGatewayRest)
}

/// `first` unless it is empty, then `second`.
fn prefer<'a>(first: LazyObject<'a>, second: LazyObject<'a>) -> LazyObject<'a> {
    if first.is_empty() {
        second
    } else {
        first
    }
}

/// Reads a map the shape uses, naming it in the error.
fn read_pairs(
    object: &LazyObject<'_>,
    source: EventSource,
    what: &str,
) -> Result<super::pairs::Pairs<super::pairs::Values>, Error> {
    object.pairs().map_err(|err| {
        Error::bad_request(format!("the {source} event's {what} are not valid: {err}"))
    })
}

/// A map of names to strings (`pathParameters`, `stageVariables`), with the
/// values as sent (API Gateway decodes path parameters); `null` values are
/// skipped.
fn read_names<T: FromIterator<(String, String)>>(
    object: &LazyObject<'_>,
    source: EventSource,
    what: &str,
) -> Result<T, Error> {
    let pairs = object.pairs::<Option<String>>().map_err(|err| {
        Error::bad_request(format!("the {source} event's {what} are not valid: {err}"))
    })?;
    Ok(pairs
        .0
        .into_iter()
        .filter_map(|(name, value)| Some((name, value?)))
        .collect())
}

/// The HTTP API's raw path without the stage prefix of a named stage.
fn strip_stage<'p>(path: &'p str, stage: Option<&str>) -> &'p str {
    let Some(stage) = stage.filter(|stage| !stage.is_empty() && *stage != "$default") else {
        return path;
    };
    match path
        .strip_prefix('/')
        .and_then(|rest| rest.strip_prefix(stage))
    {
        Some("") => "/",
        Some(rest) if rest.starts_with('/') => rest,
        _ => path,
    }
}

fn build_uri(path: &str, query: &str) -> Result<Uri, anyfn::http::uri::InvalidUri> {
    let mut uri = String::with_capacity(path.len() + query.len() + 2);
    if !path.starts_with('/') {
        uri.push('/');
    }
    uri.extend(utf8_percent_encode(path, PATH_ESCAPED));
    if !query.is_empty() {
        uri.push('?');
        uri.extend(utf8_percent_encode(query, QUERY_ESCAPED));
    }
    Uri::try_from(uri)
}

/// What a path from a payload cannot hold as it is: everything but the
/// unreserved and sub-delimiter characters, `:`, `@` and `/`, and `%` (the
/// path may already be encoded, as v2's `rawPath` is).
const PATH_ESCAPED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b':')
    .remove(b'@')
    .remove(b'%')
    .remove(b'/');

/// What a query from a payload cannot hold as it is: as for a path, but `?`,
/// `=` and `&` stay too.
const QUERY_ESCAPED: &AsciiSet = &PATH_ESCAPED.remove(b'?').remove(b'=').remove(b'&');

#[cfg(test)]
mod tests {
    use anyfn::RequestExt;

    use super::*;

    fn decode_str(payload: &str) -> Result<(Request, EventSource), Error> {
        decode(payload.as_bytes(), &mut Context::builder().build())
    }

    #[test]
    fn sqs_batch_is_refused_naming_what_was_found() {
        let err = decode_str(r#"{"Records":[{"messageId":"1"}]}"#).unwrap_err();
        assert!(err.is_bad_request());
        assert!(
            err.to_string()
                .starts_with("expected an HTTP event from API Gateway"),
            "{err}"
        );
        assert!(
            err.to_string()
                .ends_with("found a JSON object with keys: Records"),
            "{err}"
        );
    }

    #[test]
    fn wrong_types_are_an_error_not_a_panic() {
        for payload in [
            r#"[1,2]"#,
            r#""GET""#,
            r#"{"httpMethod":7}"#,
            r#"{"headers":5,"httpMethod":"GET"}"#,
            "nope",
        ] {
            let err = decode_str(payload).unwrap_err();
            assert!(err.is_bad_request(), "{payload}: {err}");
        }
    }

    #[test]
    fn invalid_base64_body_is_a_clear_error() {
        let err =
            decode_str(r#"{"httpMethod":"POST","path":"/","body":"%%%","isBase64Encoded":true}"#)
                .unwrap_err();
        assert!(err.to_string().starts_with("the API Gateway REST API (v1) event's body is marked isBase64Encoded, but the body is not valid base64"), "{err}");
    }

    #[test]
    fn invalid_method_and_header_are_errors() {
        let err = decode_str(r#"{"httpMethod":"GE T","path":"/"}"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the API Gateway REST API (v1) event's HTTP method \"GE T\" is not valid"
        );
        let err = decode_str(r#"{"httpMethod":"GET","path":"/","headers":{"bad name":"x"}}"#)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "the API Gateway REST API (v1) event's headers are not valid: header name \"bad name\" is not valid at line 1 column 11"
        );
    }

    #[test]
    fn named_stage_is_stripped_from_the_http_api_path() {
        assert_eq!(strip_stage("/prod/orders", Some("prod")), "/orders");
        assert_eq!(strip_stage("/prod", Some("prod")), "/");
        assert_eq!(strip_stage("/production/x", Some("prod")), "/production/x");
        assert_eq!(strip_stage("/orders", Some("$default")), "/orders");
    }

    #[test]
    fn path_parameters_and_stage_variables_of_rest_and_http_apis() {
        let (request, source) = decode_str(
            r#"{"httpMethod":"GET","path":"/orders/a b","pathParameters":{"id":"a b","item":"7"},
                "stageVariables":{"table":"orders"}}"#,
        )
        .unwrap();
        assert_eq!(source, EventSource::ApiGatewayRest);
        assert_eq!(
            request.path_params().iter().collect::<Vec<_>>(),
            [("id", "a b"), ("item", "7")]
        );
        assert_eq!(
            request.stage_variables().iter().collect::<Vec<_>>(),
            [("table", "orders")]
        );
        let (request, source) = decode_str(
            r#"{"version":"2.0","rawPath":"/orders/7","requestContext":{"http":{"method":"GET"}},
                "pathParameters":{"id":"7","gone":null},"stageVariables":null}"#,
        )
        .unwrap();
        assert_eq!(source, EventSource::ApiGatewayHttp);
        assert_eq!(
            request.path_params().iter().collect::<Vec<_>>(),
            [("id", "7")]
        );
        assert!(request.stage_variables().is_empty());
    }

    #[test]
    fn shapes_without_routes_have_no_path_parameters() {
        let (request, source) = decode_str(
            r#"{"httpMethod":"GET","path":"/","requestContext":{"elb":{}},
                "pathParameters":{"id":"7"},"stageVariables":{"a":"b"}}"#,
        )
        .unwrap();
        assert_eq!(source, EventSource::Alb);
        assert!(request.path_params().is_empty());
        assert!(request.stage_variables().is_empty());
    }

    #[test]
    fn path_parameters_that_are_not_strings_are_a_clear_error() {
        let err =
            decode_str(r#"{"httpMethod":"GET","path":"/","pathParameters":{"id":7}}"#).unwrap_err();
        assert!(err.is_bad_request());
        assert_eq!(
            err.message(),
            "the API Gateway REST API (v1) event's pathParameters are not valid: invalid type: integer `7`, expected a string at line 1 column 7"
        );
        let err = decode_str(
            r#"{"version":"2.0","rawPath":"/","requestContext":{"http":{"method":"GET"}},"stageVariables":["x"]}"#,
        )
        .unwrap_err();
        assert_eq!(
            err.message(),
            "the API Gateway HTTP API (v2) event's stageVariables are not valid: invalid type: sequence, expected an object or null at line 1 column 0"
        );
    }

    #[test]
    fn header_values_sliced_from_the_payload_are_the_values_copied() {
        let payload = Bytes::from_static(
            br#"{"version":"2.0","rawPath":"/","requestContext":{"http":{"method":"GET"}},
                "headers":{"Accept":"text/html","X-Quoted":"a \"b\"","x-list":"1, 2","Empty":""}}"#,
        );
        let (copied, _) = decode(&payload, &mut Context::builder().build()).unwrap();
        let (shared, _) =
            decode_shared(&payload, Some(&payload), &mut Context::builder().build()).unwrap();
        assert_eq!(shared.headers(), copied.headers());
        assert_eq!(shared.headers()["x-quoted"], "a \"b\"");
        assert_eq!(shared.headers()["accept"], "text/html");
        assert_eq!(shared.headers()["empty"], "");
        // A payload the text does not lie in is copied from, not sliced.
        let elsewhere = Bytes::from_static(b"{}");
        let (other, _) =
            decode_shared(&payload, Some(&elsewhere), &mut Context::builder().build()).unwrap();
        assert_eq!(other.headers(), copied.headers());
    }

    /// Guards the http 1.6 change: `HeaderValue::from_str` refuses text
    /// above ASCII, which a value sliced from the payload keeps. Every way
    /// a value is read takes its bytes, as hyper takes them off the wire.
    #[test]
    fn header_values_above_ascii_are_kept_sliced_copied_or_escaped() {
        for payload in [
            // v2: `headers` and `cookies`, one raw, one escaped.
            r#"{"version":"2.0","rawPath":"/","requestContext":{"http":{"method":"GET"}},
                "headers":{"x-raw":"café","x-escaped":"caf\u00e9"},"cookies":["n=caf\u00e9"]}"#,
            // v1 with multi-value headers (both maps, as API Gateway sends them).
            r#"{"httpMethod":"GET","path":"/","requestContext":{"stage":"prod"},
                "headers":{"x-raw":"café","x-escaped":"caf\u00e9"},
                "multiValueHeaders":{"x-raw":["café"],"x-escaped":["caf\u00e9"]}}"#,
        ] {
            let payload = Bytes::from(payload);
            let (copied, _) = decode(&payload, &mut Context::builder().build()).unwrap();
            let (shared, _) =
                decode_shared(&payload, Some(&payload), &mut Context::builder().build()).unwrap();
            assert_eq!(shared.headers(), copied.headers());
            for name in ["x-raw", "x-escaped"] {
                assert_eq!(
                    shared.headers()[name].as_bytes(),
                    "café".as_bytes(),
                    "{name}"
                );
            }
            if let Some(cookie) = shared.headers().get("cookie") {
                assert_eq!(cookie.as_bytes(), "n=café".as_bytes());
            }
        }
    }

    #[test]
    fn decoded_path_characters_are_escaped_into_a_valid_uri() {
        let (request, _) = decode_str(
            r#"{"httpMethod":"GET","path":"/a b/ü","queryStringParameters":{"q":"x y&z"}}"#,
        )
        .unwrap();
        assert_eq!(request.uri(), "/a%20b/%C3%BC?q=x+y%26z");
    }
}
