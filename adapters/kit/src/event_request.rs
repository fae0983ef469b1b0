//! What an HTTP request must be to carry an event: [`require_event_post`]
//! and [`require_json_post`], the rules every adapter that takes events
//! over HTTP applies before decoding.
//!
//! An event function (storage, queue, schedule, CloudEvent) or a
//! [`Json<T>`](anyfn::Json) function reached over HTTP takes a `POST` whose
//! body says what it is. Without these rules any web page could trigger it:
//! a browser sends a cross-site `POST` of `text/plain` (or a form) without a
//! CORS preflight, but not one with a JSON content type or `ce-*` headers.

use http::header::{HeaderValue, ALLOW};
use http::Method;

use anyfn::error::quoted;
use anyfn::{Error, ErrorKind, MediaType, Request};

/// The header whose presence makes a request a binary-mode CloudEvent.
const CE_SPECVERSION: &str = "ce-specversion";

/// Checks that `request` may carry an event: a `POST` that is a CloudEvent
/// (binary mode's `ce-specversion` header, or a `+json` content type such
/// as structured mode's `application/cloudevents+json`) or whose body is
/// declared as JSON (`application/json`, `text/json`, any `+json`).
///
/// # Errors
///
/// [`ErrorKind::MethodNotAllowed`] (`405`, `Allow: POST`) for any other
/// method, `HEAD` included; [`ErrorKind::UnsupportedMediaType`] (`415`)
/// naming what is expected for any other body.
///
/// # Example
///
/// ```
/// use anyfn_kit::require_event_post;
/// use anyfn::http::Method;
/// use anyfn::Body;
///
/// let json = anyfn::http::Request::builder()
///     .method(Method::POST)
///     .header("content-type", "application/json")
///     .body(Body::from("{}"))?;
/// assert!(require_event_post(&json).is_ok());
///
/// let text = anyfn::http::Request::builder()
///     .method(Method::POST)
///     .header("content-type", "text/plain")
///     .body(Body::from("{}"))?;
/// assert_eq!(require_event_post(&text).unwrap_err().status(), 415);
///
/// let get = anyfn::http::Request::builder().body(Body::empty())?;
/// let err = require_event_post(&get).unwrap_err();
/// assert_eq!(err.status(), 405);
/// assert_eq!(err.headers()["allow"], "POST");
/// # Ok::<(), anyfn::http::Error>(())
/// ```
pub fn require_event_post(request: &Request) -> Result<(), Error> {
    require_post(request, "events")?;
    if request.headers().contains_key(CE_SPECVERSION) || declared_json(request) {
        return Ok(());
    }
    Err(Error::unsupported_media_type(format!(
        "expected a CloudEvent (binary mode: ce-specversion, ce-id, ce-source and ce-type \
         headers; structured mode: Content-Type: application/cloudevents+json) or the event \
         as JSON (Content-Type: application/json); found {}",
        found_content_type(request)
    )))
}

/// Checks that `request` may carry a [`Json<T>`](anyfn::Json) event: a
/// `POST` whose body is declared as JSON (`application/json`, `text/json`,
/// any `+json`), as axum's `Json` extractor asks.
///
/// # Errors
///
/// [`ErrorKind::MethodNotAllowed`] (`405`, `Allow: POST`) for any other
/// method; [`ErrorKind::UnsupportedMediaType`] (`415`) for a body not
/// declared as JSON.
///
/// # Example
///
/// ```
/// use anyfn_kit::require_json_post;
/// use anyfn::http::Method;
/// use anyfn::Body;
///
/// let form = anyfn::http::Request::builder()
///     .method(Method::POST)
///     .header("content-type", "application/x-www-form-urlencoded")
///     .body(Body::from("a=1"))?;
/// let err = require_json_post(&form).unwrap_err();
/// assert_eq!(err.error_type(), "UnsupportedMediaType");
/// assert!(err.message().contains("application/json"));
/// # Ok::<(), anyfn::http::Error>(())
/// ```
pub fn require_json_post(request: &Request) -> Result<(), Error> {
    require_post(request, "a JSON body")?;
    if declared_json(request) {
        return Ok(());
    }
    Err(Error::unsupported_media_type(format!(
        "expected a JSON body (Content-Type: application/json, or a +json type); found {}",
        found_content_type(request)
    )))
}

fn require_post(request: &Request, takes: &str) -> Result<(), Error> {
    if request.method() == Method::POST {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::MethodNotAllowed,
        format!(
            "this function takes {takes} in a POST; found {}",
            quoted(request.method().as_str())
        ),
    )
    .with_header(ALLOW, HeaderValue::from_static("POST")))
}

fn declared_json(request: &Request) -> bool {
    MediaType::of(request.headers()).is_some_and(|media_type| media_type.is_json())
}

/// The request's content type as an error message names it.
fn found_content_type(request: &Request) -> String {
    match request.headers().get(http::header::CONTENT_TYPE) {
        None => "no Content-Type".to_owned(),
        Some(value) => format!(
            "Content-Type: {}",
            quoted(&String::from_utf8_lossy(value.as_bytes()))
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyfn::Body;

    fn request(method: Method, headers: &[(&str, &str)]) -> Request {
        let mut builder = http::Request::builder().method(method);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(Body::from("{}")).expect("a request")
    }

    #[test]
    fn events_take_cloud_events_and_json() {
        for headers in [
            &[("content-type", "application/json")][..],
            &[("content-type", "Application/JSON; charset=utf-8")],
            &[("content-type", "application/cloudevents+json")],
            &[("content-type", "text/json")],
            &[("ce-specversion", "1.0"), ("content-type", "text/plain")],
            &[("ce-specversion", "1.0")],
        ] {
            assert!(
                require_event_post(&request(Method::POST, headers)).is_ok(),
                "{headers:?}"
            );
        }
    }

    #[test]
    fn a_body_not_declared_as_json_is_415_naming_what_is_expected() {
        for (headers, found) in [
            (
                &[("content-type", "text/plain")][..],
                "Content-Type: \"text/plain\"",
            ),
            (&[], "no Content-Type"),
            (
                &[("content-type", "application/x-www-form-urlencoded")],
                "Content-Type: \"application/x-www-form-urlencoded\"",
            ),
        ] {
            let err = require_event_post(&request(Method::POST, headers)).expect_err("refused");
            assert_eq!(err.kind(), ErrorKind::UnsupportedMediaType);
            assert_eq!(err.status(), 415);
            assert!(
                err.message().contains("application/cloudevents+json"),
                "{err}"
            );
            assert!(err.message().ends_with(found), "{err}");
            let err = require_json_post(&request(Method::POST, headers)).expect_err("refused");
            assert_eq!(err.status(), 415);
            assert!(err.message().ends_with(found), "{err}");
        }
        // A binary-mode CloudEvent is an event, not a JSON body.
        let binary = request(Method::POST, &[("ce-specversion", "1.0")]);
        assert!(require_json_post(&binary).is_err());
    }

    #[test]
    fn other_methods_are_405_allowing_post() {
        for method in [Method::GET, Method::HEAD, Method::PUT, Method::OPTIONS] {
            let json = request(method.clone(), &[("content-type", "application/json")]);
            for err in [
                require_event_post(&json).expect_err("refused"),
                require_json_post(&json).expect_err("refused"),
            ] {
                assert_eq!(err.kind(), ErrorKind::MethodNotAllowed, "{method}");
                assert_eq!(err.headers()["allow"], "POST");
                assert!(err.message().contains(method.as_str()), "{err}");
            }
        }
    }

    #[test]
    fn a_long_content_type_is_quoted_bounded() {
        let long = format!("text/{}", "x".repeat(100_000));
        let err = require_json_post(&request(Method::POST, &[("content-type", &long)]))
            .expect_err("refused");
        assert!(err.message().len() < 500, "{}", err.message().len());
        assert!(err.message().ends_with("(100005 bytes)"), "{err}");
    }
}
