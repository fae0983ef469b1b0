//! The HTTP requests the host sends a custom handler: an envelope POSTed
//! to `/{FunctionName}`, or the caller's request forwarded at its own path.

use anyfn::http::header::{CONTENT_TYPE, USER_AGENT};
use anyfn::http::{HeaderValue, Method, Uri};
use anyfn::{Body, Request};
use serde_json::{json, Map, Value};

use crate::fixtures::azure::Envelope;

/// The host version the emulator reports (`X-Azure-Functions-HostVersion`).
pub(crate) const HOST_VERSION: &str = "4.1036.1.0";

/// Adds the headers the host adds to every request
/// (`DefaultHttpWorkerService.AddHeaders`).
fn add_host_headers(request: &mut Request, invocation_id: &str) {
    let headers = request.headers_mut();
    headers.insert(
        "x-azure-functions-hostversion",
        HeaderValue::from_static(HOST_VERSION),
    );
    if let Ok(id) = HeaderValue::try_from(invocation_id) {
        headers.insert("x-azure-functions-invocationid", id);
    }
    let agent = match headers.get(USER_AGENT).and_then(|v| v.to_str().ok()) {
        Some(existing) => format!("{existing} Azure-Functions-Host/{HOST_VERSION}"),
        None => format!("Azure-Functions-Host/{HOST_VERSION}"),
    };
    if let Ok(agent) = HeaderValue::try_from(agent) {
        headers.insert(USER_AGENT, agent);
    }
}

/// `POST /{function}` with the envelope as JSON.
pub(crate) fn envelope_request(
    function: &str,
    invocation_id: &str,
    envelope: &Envelope,
) -> Request {
    let mut request = Request::new(Body::from(envelope.to_json().to_string()));
    *request.method_mut() = Method::POST;
    *request.uri_mut() = Uri::try_from(format!("/{function}")).unwrap_or_default();
    request.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    add_host_headers(&mut request, invocation_id);
    request
}

/// The caller's request as the host forwards it: same method, path,
/// headers and body; the query rebuilt from its values (repeated keys
/// joined by `,`, as the host joins them); the host's headers added.
pub(crate) fn forwarded_request(caller: &Request, invocation_id: &str) -> Request {
    let path = caller.uri().path();
    let pairs = joined_query(caller.uri().query().unwrap_or(""));
    let uri = if pairs.is_empty() {
        path.to_owned()
    } else {
        let encoded: Vec<String> = pairs
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}={}",
                    anyfn::Query::encode_component(k),
                    anyfn::Query::encode_component(v)
                )
            })
            .collect();
        format!("{path}?{}", encoded.join("&"))
    };
    let mut request = Request::new(Body::from(caller.body().as_bytes().to_vec()));
    *request.method_mut() = caller.method().clone();
    *request.uri_mut() = Uri::try_from(uri).unwrap_or_default();
    *request.headers_mut() = caller.headers().clone();
    add_host_headers(&mut request, invocation_id);
    request
}

/// What a forwarded request carried, for [`AzureOutcome::sent`](super::AzureOutcome::sent).
pub(crate) fn describe(request: &Request) -> Value {
    let headers: Map<String, Value> = request
        .headers()
        .keys()
        .map(|name| {
            let values: Vec<String> = request
                .headers()
                .get_all(name)
                .iter()
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .collect();
            (name.as_str().to_owned(), json!(values))
        })
        .collect();
    json!({
        "method": request.method().as_str(),
        "path": request.uri().path_and_query().map_or("/", |p| p.as_str()),
        "headers": headers,
        "body": String::from_utf8_lossy(request.body().as_bytes()),
    })
}

/// The query's keys in order, each with its values joined by `,`.
fn joined_query(query: &str) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = anyfn::Query::decode_component(key);
        let value = anyfn::Query::decode_component(value);
        match pairs.iter_mut().find(|(k, _)| *k == key) {
            Some((_, existing)) => {
                existing.push(',');
                existing.push_str(&value);
            }
            None => pairs.push((key, value)),
        }
    }
    pairs
}
