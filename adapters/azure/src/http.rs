//! An HTTP trigger in the envelope: `Data.req` → [`Request`], and a
//! [`Response`] → the `res` output binding's object.

use anyfn::http::header::{HeaderName, HeaderValue, CONTENT_TYPE, HOST, SET_COOKIE};
use anyfn::http::{Method, Uri};
use anyfn::{Body, Context, Error, ErrorKind, MediaType, Request, Response};
use serde_json::{json, Map, Value};

use crate::codec::AzureTrigger;
use crate::context_ext::AzureInvocation;
use crate::lenient;

/// Makes the request of an HTTP trigger's value: `Url`, `Method`, `Query`
/// (when the URL has none), `Headers` (strings or arrays of strings),
/// `Body` (text; base64 for `application/octet-stream` and `multipart/*`,
/// which the host sends as bytes). `Params` and `Identities` go to the
/// context's [`AzureInvocation`].
pub(crate) fn decode(trigger: &AzureTrigger, context: &mut Context) -> Result<Request, Error> {
    let object = lenient::object(&trigger.value).ok_or_else(|| {
        Error::bad_request(format!(
            "expected an HTTP trigger's request under Data.{}; found {}",
            trigger.binding,
            kind(&trigger.value)
        ))
    })?;
    let method = match lenient::get(&object, "Method").and_then(lenient::text) {
        Some(method) => Method::from_bytes(method.trim().as_bytes())
            .map_err(|_| Error::bad_request(format!("invalid HTTP method {method:?}")))?,
        None => Method::GET,
    };
    let url = lenient::get(&object, "Url").and_then(lenient::text);
    let (authority, mut path_and_query) = match &url {
        Some(url) => split_url(url)?,
        None => (None, "/".to_owned()),
    };
    if !path_and_query.contains('?') {
        if let Some(query) = lenient::get(&object, "Query").and_then(lenient::object) {
            let mut serializer = form_urlencoded::Serializer::new(String::new());
            for (key, value) in query.iter() {
                if let Some(value) = lenient::text(value) {
                    serializer.append_pair(key, &value);
                }
            }
            let query = serializer.finish();
            if !query.is_empty() {
                path_and_query.push('?');
                path_and_query.push_str(&query);
            }
        }
    }
    let uri: Uri = path_and_query
        .parse()
        .map_err(|err| Error::bad_request(format!("invalid request URL {url:?}: {err}")))?;

    let mut request = Request::new(Body::empty());
    *request.method_mut() = method;
    *request.uri_mut() = uri;
    if let Some(headers) = lenient::get(&object, "Headers").and_then(lenient::object) {
        for (name, values) in headers.iter() {
            let header = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::bad_request(format!("invalid header name {name:?}")))?;
            let mut append = |value: &str| -> Result<(), Error> {
                let value = HeaderValue::from_str(value).map_err(|_| {
                    Error::bad_request(format!("invalid value for header {name:?}"))
                })?;
                request.headers_mut().append(header.clone(), value);
                Ok(())
            };
            match values {
                Value::Array(values) => {
                    for value in values {
                        if let Some(value) = lenient::text(value) {
                            append(&value)?;
                        }
                    }
                }
                value => {
                    if let Some(value) = lenient::text(value) {
                        append(&value)?;
                    }
                }
            }
        }
    }
    if !request.headers().contains_key(HOST) {
        if let Some(value) = authority.and_then(|host| HeaderValue::from_str(&host).ok()) {
            request.headers_mut().insert(HOST, value);
        }
    }
    let body = match lenient::get(&object, "Body") {
        None | Some(Value::Null) => Body::empty(),
        Some(Value::String(text)) if is_binary(request.headers()) => Body::from_base64(text.trim())
            .map_err(|_| {
                Error::bad_request("the HTTP trigger's binary Body is not valid base64")
            })?,
        Some(Value::String(text)) => Body::from(text.clone()),
        Some(other) => Body::from(other.to_string()),
    };
    *request.body_mut() = body;

    if let Some(invocation) = context.extensions_mut().get_mut::<AzureInvocation>() {
        if let Some(params) = lenient::get(&object, "Params").and_then(lenient::object) {
            invocation.params = params.into_owned();
        }
        invocation.identities = lenient::get(&object, "Identities")
            .filter(|value| !value.is_null())
            .cloned();
    }
    Ok(request)
}

/// The host sends the body as bytes (base64 in JSON) for these media types.
fn is_binary(headers: &anyfn::http::HeaderMap) -> bool {
    MediaType::of(headers).is_some_and(|media_type| {
        let essence = media_type.essence();
        essence.eq_ignore_ascii_case("application/octet-stream")
            || essence
                .get(..10)
                .is_some_and(|prefix| prefix.eq_ignore_ascii_case("multipart/"))
    })
}

/// `(authority, path and query)` of an absolute URL, or of a path.
fn split_url(url: &str) -> Result<(Option<String>, String), Error> {
    let url = url.trim();
    if url.starts_with('/') {
        return Ok((None, url.to_owned()));
    }
    let uri: Uri = url
        .parse()
        .map_err(|err| Error::bad_request(format!("invalid request URL {url:?}: {err}")))?;
    let authority = uri
        .authority()
        .map(|authority| authority.as_str().to_owned());
    let path_and_query = uri
        .path_and_query()
        .map_or_else(|| "/".to_owned(), |pq| pq.as_str().to_owned());
    Ok((authority, path_and_query))
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

/// The `res` object of `response`: `statusCode`, `headers` (one string per
/// name: several values joined with `, `; of several `Set-Cookie`s only the
/// first, with a warning) and `body` (text).
///
/// # Errors
///
/// [`ErrorKind::Internal`] for a body that is not UTF-8: the envelope
/// carries the body as text, and the host writes it as text.
pub(crate) fn encode(response: &Response) -> Result<Value, Error> {
    let body = std::str::from_utf8(response.body().as_bytes()).map_err(|_| {
        Error::new(
            ErrorKind::Internal,
            "a binary response body cannot pass through the custom handler envelope \
             (it carries text); turn on customHandler.enableForwardingHttpRequest in host.json",
        )
    })?;
    let mut headers = Map::new();
    for name in response.headers().keys() {
        let mut values = response
            .headers()
            .get_all(name)
            .iter()
            .filter_map(|value| value.to_str().ok());
        let value = if name == SET_COOKIE {
            let first = values.next().unwrap_or_default().to_owned();
            let dropped = values.count();
            if dropped > 0 {
                tracing::warn!(
                    target: "anyfn::azure",
                    "the envelope carries one Set-Cookie header; {dropped} more dropped \
                     (turn on customHandler.enableForwardingHttpRequest to send them all)"
                );
            }
            first
        } else {
            values.collect::<Vec<_>>().join(", ")
        };
        let key = if name == CONTENT_TYPE {
            "Content-Type".to_owned()
        } else {
            name.as_str().to_owned()
        };
        headers.insert(key, Value::String(value));
    }
    Ok(json!({
        "statusCode": response.status().as_u16(),
        "headers": headers,
        "body": body,
    }))
}

#[cfg(test)]
mod tests {
    use anyfn::http::StatusCode;

    use super::*;

    fn request(value: Value) -> Result<Request, Error> {
        let trigger = AzureTrigger::new("req", value);
        let mut context = Context::builder()
            .extension(AzureInvocation::default())
            .build();
        decode(&trigger, &mut context)
    }

    #[test]
    fn a_request_with_array_headers_and_params() {
        let mut context = Context::builder()
            .extension(AzureInvocation::default())
            .build();
        let trigger = AzureTrigger::new(
            "req",
            json!({
                "Url": "https://app.azurewebsites.net/api/orders/7?x=1&x=2",
                "Method": "POST",
                "Query": {"x": "1,2"},
                "Headers": {"Content-Type": ["application/json"], "Accept": ["a", "b"]},
                "Params": {"id": "7"},
                "Identities": [{"AuthenticationType": null}],
                "Body": "{\"n\":1}"
            }),
        );
        let request = decode(&trigger, &mut context).expect("a request");
        assert_eq!(request.method(), Method::POST);
        assert_eq!(request.uri(), "/api/orders/7?x=1&x=2");
        assert_eq!(request.headers()["host"], "app.azurewebsites.net");
        assert_eq!(request.headers()["content-type"], "application/json");
        let accept: Vec<_> = request.headers().get_all("accept").iter().collect();
        assert_eq!(accept, ["a", "b"]);
        assert_eq!(request.body().as_bytes(), b"{\"n\":1}");
        let invocation = context.extensions().get::<AzureInvocation>().expect("ext");
        assert_eq!(invocation.params["id"], "7");
        assert_eq!(
            invocation.identities,
            Some(json!([{"AuthenticationType": null}]))
        );
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

    #[test]
    fn responses_become_res_objects() {
        let mut response = anyfn::response::text("hi");
        *response.status_mut() = StatusCode::CREATED;
        response
            .headers_mut()
            .append("x-a", HeaderValue::from_static("1"));
        response
            .headers_mut()
            .append("x-a", HeaderValue::from_static("2"));
        response
            .headers_mut()
            .append(SET_COOKIE, HeaderValue::from_static("a=1"));
        response
            .headers_mut()
            .append(SET_COOKIE, HeaderValue::from_static("b=2"));
        let res = encode(&response).expect("text");
        assert_eq!(
            res,
            json!({
                "statusCode": 201,
                "headers": {"Content-Type": "text/plain; charset=utf-8", "x-a": "1, 2", "set-cookie": "a=1"},
                "body": "hi"
            })
        );
        let binary = Response::new(Body::from(vec![0xff, 0xfe]));
        let err = encode(&binary).expect_err("not text");
        assert_eq!(err.kind(), ErrorKind::Internal);
    }
}
