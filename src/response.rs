//! Building an HTTP response in one call: [`text`], [`json`],
//! [`json_with_status`], [`created`], [`redirect`] (and [`see_other`],
//! [`permanent_redirect`]), [`no_content`], [`status`].

use http::header::{HeaderValue, CONTENT_TYPE, LOCATION};
use http::StatusCode;
use serde::Serialize;

use crate::{Body, Error, ErrorKind, Response};

/// A `200 OK` response with a `text/plain; charset=utf-8` body.
///
/// # Example
///
/// ```
/// let response = anyfn::response::text("Hello, Ada!");
/// assert_eq!(response.status(), 200);
/// assert_eq!(response.headers()["content-type"], "text/plain; charset=utf-8");
/// assert_eq!(response.body().as_bytes(), b"Hello, Ada!");
/// ```
pub fn text(body: impl Into<String>) -> Response {
    with_content_type(
        Body::from(body.into()),
        HeaderValue::from_static("text/plain; charset=utf-8"),
    )
}

/// A `200 OK` response with `value` as an `application/json` body.
///
/// # Errors
///
/// [`ErrorKind::Internal`] when `value` cannot be
/// serialized.
///
/// # Example
///
/// ```
/// let response = anyfn::response::json(&serde_json::json!({"id": 7}))?;
/// assert_eq!(response.headers()["content-type"], "application/json");
/// assert_eq!(response.body().as_bytes(), br#"{"id":7}"#);
/// # Ok::<(), anyfn::Error>(())
/// ```
pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<Response, Error> {
    Ok(with_content_type(
        Body::from_json(value)?,
        HeaderValue::from_static("application/json"),
    ))
}

/// A response with `status` and `value` as an `application/json` body.
///
/// # Errors
///
/// [`ErrorKind::Internal`] when `value` cannot be serialized.
///
/// # Example
///
/// ```
/// use anyfn::http::StatusCode;
///
/// let response = anyfn::response::json_with_status(StatusCode::ACCEPTED, &serde_json::json!({"job": 7}))?;
/// assert_eq!(response.status(), 202);
/// assert_eq!(response.headers()["content-type"], "application/json");
/// assert_eq!(response.body().as_bytes(), br#"{"job":7}"#);
/// # Ok::<(), anyfn::Error>(())
/// ```
pub fn json_with_status<T: Serialize + ?Sized>(
    status: StatusCode,
    value: &T,
) -> Result<Response, Error> {
    let mut response = json(value)?;
    *response.status_mut() = status;
    Ok(response)
}

/// A `201 Created` response for a resource made at `location`: the
/// `Location` header, and `value` (usually the resource) as an
/// `application/json` body.
///
/// `location` is sent as given: a path (`/links/7`) or an absolute URL.
///
/// # Errors
///
/// [`ErrorKind::Internal`] when `location` cannot be a header value (it
/// holds a control character such as a line break) or when `value` cannot
/// be serialized.
///
/// # Example
///
/// ```
/// let response = anyfn::response::created("/links/7", &serde_json::json!({"id": "7"}))?;
/// assert_eq!(response.status(), 201);
/// assert_eq!(response.headers()["location"], "/links/7");
/// assert_eq!(response.headers()["content-type"], "application/json");
/// assert_eq!(response.body().as_bytes(), br#"{"id":"7"}"#);
///
/// let err = anyfn::response::created("/links/7\r\nx: y", &()).unwrap_err();
/// assert_eq!(err.status(), 500);
/// # Ok::<(), anyfn::Error>(())
/// ```
pub fn created<T: Serialize + ?Sized>(location: &str, value: &T) -> Result<Response, Error> {
    let location = location_header(location)?;
    let mut response = json_with_status(StatusCode::CREATED, value)?;
    response.headers_mut().insert(LOCATION, location);
    Ok(response)
}

/// A `302 Found` redirect to `location`, with an empty body.
///
/// 302 is the redirect every client follows without remembering it:
/// browsers and HTTP clients go to `location` (with `GET` after a `POST`, as
/// they all do in practice), and nothing caches the redirect itself, so the
/// target may change later. When the redirect must keep the method and
/// body, or may be cached for good, use [`permanent_redirect`] (308); to
/// send a client to a result page after a `POST`, [`see_other`] (303).
///
/// # Errors
///
/// [`ErrorKind::Internal`] when `location` cannot be a header value (it
/// holds a control character such as a line break).
///
/// # Example
///
/// ```
/// let response = anyfn::response::redirect("https://example.com/a?b=c")?;
/// assert_eq!(response.status(), 302);
/// assert_eq!(response.headers()["location"], "https://example.com/a?b=c");
/// assert!(response.body().is_empty());
/// # Ok::<(), anyfn::Error>(())
/// ```
pub fn redirect(location: &str) -> Result<Response, Error> {
    redirect_with(StatusCode::FOUND, location)
}

/// A `303 See Other` redirect to `location`, with an empty body: after a
/// `POST` (or any method), the client fetches `location` with `GET`.
///
/// # Errors
///
/// [`ErrorKind::Internal`] when `location` cannot be a header value.
///
/// # Example
///
/// ```
/// let response = anyfn::response::see_other("/orders/7")?;
/// assert_eq!(response.status(), 303);
/// assert_eq!(response.headers()["location"], "/orders/7");
/// # Ok::<(), anyfn::Error>(())
/// ```
pub fn see_other(location: &str) -> Result<Response, Error> {
    redirect_with(StatusCode::SEE_OTHER, location)
}

/// A `308 Permanent Redirect` to `location`, with an empty body: the
/// client repeats the request there with the same method and body, and may
/// cache the redirect for good (browsers do), so use it only for a move
/// that will not be undone.
///
/// # Errors
///
/// [`ErrorKind::Internal`] when `location` cannot be a header value.
///
/// # Example
///
/// ```
/// let response = anyfn::response::permanent_redirect("https://new.example.com/")?;
/// assert_eq!(response.status(), 308);
/// assert_eq!(response.headers()["location"], "https://new.example.com/");
/// # Ok::<(), anyfn::Error>(())
/// ```
pub fn permanent_redirect(location: &str) -> Result<Response, Error> {
    redirect_with(StatusCode::PERMANENT_REDIRECT, location)
}

/// A `204 No Content` response: success, and no body.
///
/// # Example
///
/// ```
/// let response = anyfn::response::no_content();
/// assert_eq!(response.status(), 204);
/// assert!(response.headers().is_empty());
/// assert!(response.body().is_empty());
/// ```
pub fn no_content() -> Response {
    status(StatusCode::NO_CONTENT)
}

fn redirect_with(code: StatusCode, location: &str) -> Result<Response, Error> {
    let location = location_header(location)?;
    let mut response = status(code);
    response.headers_mut().insert(LOCATION, location);
    Ok(response)
}

/// `location` as the value of a `Location` header.
fn location_header(location: &str) -> Result<HeaderValue, Error> {
    // Its bytes: text above ASCII is sent as it is (http's `from_str`
    // refuses it since http 1.6), control characters are refused.
    HeaderValue::from_bytes(location.as_bytes()).map_err(|_| {
        Error::new(
            ErrorKind::Internal,
            format!("the Location {location:?} is not a valid header value"),
        )
    })
}

/// An empty response with `status`.
///
/// # Example
///
/// ```
/// let response = anyfn::response::status(anyfn::http::StatusCode::NO_CONTENT);
/// assert_eq!(response.status(), 204);
/// assert!(response.body().is_empty());
/// ```
pub fn status(status: StatusCode) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    response
}

#[inline]
fn with_content_type(body: Body, content_type: HeaderValue) -> Response {
    let mut response = Response::new(body);
    response.headers_mut().insert(CONTENT_TYPE, content_type);
    response
}

/// A response builder, for status, headers and body in one expression
/// (`Response::builder()` is not available through the [`Response`] alias).
///
/// # Example
///
/// ```
/// use anyfn::Body;
///
/// let response = anyfn::response::builder()
///     .status(201)
///     .header("set-cookie", "a=1")
///     .header("set-cookie", "b=2")
///     .body(Body::from("created"))?;
/// assert_eq!(response.headers().get_all("set-cookie").iter().count(), 2);
/// # Ok::<(), anyfn::http::Error>(())
/// ```
pub fn builder() -> http::response::Builder {
    http::Response::builder()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Status, every header as `(name, value)` in order, and the body.
    fn parts(response: &Response) -> (u16, Vec<(String, String)>, String) {
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = String::from_utf8_lossy(response.body().as_bytes()).into_owned();
        (response.status().as_u16(), headers, body)
    }

    fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect()
    }

    #[derive(Serialize)]
    struct Link<'a> {
        id: &'a str,
        url: &'a str,
    }

    /// A value serde cannot write as JSON: a map with non-string keys.
    fn unserializable() -> std::collections::BTreeMap<(u8, u8), u8> {
        std::collections::BTreeMap::from([((1, 2), 3)])
    }

    #[test]
    fn json_with_status_sets_status_type_and_body() -> Result<(), Error> {
        let response = json_with_status(
            StatusCode::ACCEPTED,
            &Link {
                id: "7",
                url: "https://a.example",
            },
        )?;
        assert_eq!(
            parts(&response),
            (
                202,
                headers(&[("content-type", "application/json")]),
                r#"{"id":"7","url":"https://a.example"}"#.to_owned()
            )
        );
        let err = json_with_status(StatusCode::OK, &unserializable()).expect_err("not JSON");
        assert_eq!(err.kind(), ErrorKind::Internal);
        Ok(())
    }

    #[test]
    fn created_has_location_and_json_body() -> Result<(), Error> {
        let response = created(
            "/7",
            &Link {
                id: "7",
                url: "https://a.example/x?y=z",
            },
        )?;
        assert_eq!(
            parts(&response),
            (
                201,
                headers(&[("content-type", "application/json"), ("location", "/7")]),
                r#"{"id":"7","url":"https://a.example/x?y=z"}"#.to_owned()
            )
        );
        Ok(())
    }

    #[test]
    fn created_refuses_a_location_that_is_no_header_value_and_unserializable_values() {
        let err = created("/7\nset-cookie: a=b", &()).expect_err("a line break");
        assert_eq!(err.kind(), ErrorKind::Internal);
        assert_eq!(
            err.message(),
            r#"the Location "/7\nset-cookie: a=b" is not a valid header value"#
        );
        let err = created("/7", &unserializable()).expect_err("not JSON");
        assert_eq!(err.kind(), ErrorKind::Internal);
        assert_eq!(
            err.message(),
            "could not serialize the output as JSON: key must be a string"
        );
    }

    /// Guards the http 1.6 change (`HeaderValue::from_str` refuses text
    /// above ASCII): a location is refused only for what the docs say, a
    /// control character, and otherwise sent as its bytes.
    #[test]
    fn regression_a_location_above_ascii_is_sent_as_its_bytes() -> Result<(), Error> {
        for response in [created("/links/café", &())?, redirect("/café")?] {
            let location = response.headers()[LOCATION].as_bytes();
            assert!(location.ends_with("café".as_bytes()), "{location:?}");
        }
        Ok(())
    }

    #[test]
    fn redirects_have_their_status_location_and_no_body() -> Result<(), Error> {
        for (response, code) in [
            (redirect("https://example.com/a b")?, 302),
            (see_other("https://example.com/a b")?, 303),
            (permanent_redirect("https://example.com/a b")?, 308),
        ] {
            assert_eq!(
                parts(&response),
                (
                    code,
                    headers(&[("location", "https://example.com/a b")]),
                    String::new()
                )
            );
        }
        for refused in [
            redirect("/\0"),
            see_other("/\r"),
            permanent_redirect("/\x7f"),
        ] {
            let err = refused.expect_err("a control character");
            assert_eq!(err.kind(), ErrorKind::Internal);
        }
        Ok(())
    }

    #[test]
    fn no_content_is_an_empty_204() {
        assert_eq!(parts(&no_content()), (204, Vec::new(), String::new()));
    }
}
