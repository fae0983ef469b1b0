//! The CloudEvents HTTP protocol binding (1.0): binary mode (`ce-*` headers,
//! the body is the data) and structured mode (`application/cloudevents+json`).

use anyfn::event::{CloudEvent, CloudEventData};
use anyfn::http::header::CONTENT_TYPE;
use anyfn::http::HeaderMap;
use anyfn::{Error, MediaType, Request};

/// The content type of structured mode.
pub(crate) const STRUCTURED: &str = "application/cloudevents+json";

/// Reads the CloudEvent a request carries, in either mode; `Ok(None)` when the
/// request carries none (no `ce-*` header, not structured).
///
/// # Errors
///
/// [`ErrorKind::BadRequest`](anyfn::ErrorKind::BadRequest) naming the
/// missing required attribute (and its header), or what else is wrong.
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
///     .header("content-type", "application/json")
///     .body(Body::from(r#"{"total":42}"#))?;
/// let event = anyfn_server::cloud_event_from_request(&request)?.expect("a CloudEvent");
/// assert_eq!(event.event_type, "com.example.order.created");
/// assert_eq!(event.extensions["tenant"], "acme corp");
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
        return Ok(None);
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
            .map(|value| percent_decode(value.as_bytes(), name))
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
        if matches!(
            attribute,
            "specversion" | "id" | "source" | "type" | "subject" | "dataschema" | "time"
        ) {
            continue;
        }
        event.extensions.insert(
            attribute.to_owned(),
            percent_decode(value.as_bytes(), name.as_str())?,
        );
    }
    event.data_content_type = content_type;
    if !body.is_empty() {
        let data = if CloudEvent::is_json_content(event.data_content_type.as_deref()) {
            CloudEventData::Json(serde_json::from_slice(body).map_err(|err| {
                Error::bad_request(format!(
                    "the CloudEvent's data is declared JSON but is not: {err}"
                ))
            })?)
        } else {
            let textual = event
                .data_content_type
                .as_deref()
                .is_some_and(|ct| MediaType::parse(ct).is_text());
            match std::str::from_utf8(body) {
                Ok(text) if textual => CloudEventData::Text(text.to_owned()),
                _ => CloudEventData::Binary(bytes::Bytes::copy_from_slice(body)),
            }
        };
        event.data = Some(data);
    }
    Ok(event)
}

/// Decodes `%XX` escapes of a `ce-*` header value (the binding's encoding);
/// `+` stays `+`.
fn percent_decode(value: &[u8], header: &str) -> Result<String, Error> {
    let mut out = Vec::with_capacity(value.len());
    let mut index = 0;
    while index < value.len() {
        if value[index] == b'%' {
            let byte = value
                .get(index + 1..index + 3)
                .filter(|hex| hex.iter().all(u8::is_ascii_hexdigit))
                .and_then(|hex| std::str::from_utf8(hex).ok())
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                .ok_or_else(|| {
                    Error::bad_request(format!("the header {header} has a malformed %-escape"))
                })?;
            out.push(byte);
            index += 3;
        } else {
            out.push(value[index]);
            index += 1;
        }
    }
    String::from_utf8(out).map_err(|_| {
        Error::bad_request(format!("the header {header} does not decode to UTF-8 text"))
    })
}

/// The request a CloudEvent makes in binary mode: `ce-*` headers
/// (percent-encoded where needed), `Content-Type`, the data as the body.
/// Used by tests and clients; the server reads both modes.
///
/// # Example
///
/// ```
/// use anyfn::event::CloudEvent;
///
/// let event = CloudEvent::new("1", "/s", "t").with_extension("note", "50% off");
/// let request = anyfn_server::cloud_event_to_binary_request(&event);
/// assert_eq!(request.headers()["ce-note"], "50%25 off");
/// let back = anyfn_server::cloud_event_from_request(&request)?.expect("an event");
/// assert_eq!(back, event);
/// # Ok::<(), anyfn::Error>(())
/// ```
pub fn cloud_event_to_binary_request(event: &CloudEvent) -> Request {
    let mut headers: Vec<(String, String)> = vec![
        ("ce-specversion".into(), event.spec_version.clone()),
        ("ce-id".into(), event.id.clone()),
        ("ce-source".into(), event.source.clone()),
        ("ce-type".into(), event.event_type.clone()),
    ];
    if let Some(subject) = &event.subject {
        headers.push(("ce-subject".into(), subject.clone()));
    }
    if let Some(schema) = &event.data_schema {
        headers.push(("ce-dataschema".into(), schema.clone()));
    }
    if let Some(time) = event.time {
        headers.push(("ce-time".into(), anyfn::time::format_rfc3339(time)));
    }
    for (name, value) in &event.extensions {
        headers.push((format!("ce-{name}"), value.clone()));
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
        let (Ok(name), Ok(value)) = (
            anyfn::http::HeaderName::try_from(name),
            anyfn::http::HeaderValue::try_from(percent_encode(&value)),
        ) else {
            continue;
        };
        request.headers_mut().insert(name, value);
    }
    if let Some(content_type) = &event.data_content_type {
        if let Ok(value) = anyfn::http::HeaderValue::try_from(content_type.as_str()) {
            request.headers_mut().insert(CONTENT_TYPE, value);
        }
    }
    request
}

fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for &byte in value.as_bytes() {
        if (0x20..0x7f).contains(&byte) && byte != b'%' && byte != b'"' {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
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
    fn malformed_escape_is_a_bad_request() {
        let err =
            cloud_event_from_request(&request(&[("ce-specversion", "1.0"), ("ce-id", "%zz")]))
                .unwrap_err();
        assert_eq!(err.to_string(), "the header ce-id has a malformed %-escape");
    }

    #[test]
    fn no_ce_headers_is_no_event() {
        assert!(cloud_event_from_request(&request(&[("x-other", "1")]))
            .unwrap()
            .is_none());
    }
}
