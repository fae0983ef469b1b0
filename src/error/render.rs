//! The HTTP answer to a failed invocation, the same on every adapter:
//! [`Error::to_response`] and [`ErrorDetails`].

use std::borrow::Cow;

use http::header::{HeaderValue, CONTENT_TYPE};
use serde::Serialize;

use super::Error;
use crate::{Body, Response};

/// Whether HTTP clients see what went wrong inside the function.
///
/// An error's answer always carries its status, error type and the request
/// id. A client error (4xx) always carries its message too: it is about the
/// caller's input. A server error (5xx) carries a generic message unless
/// details are [`Shown`](Self::Shown): a panic message, an I/O error or a
/// database's text can tell an attacker about the function's inside. The
/// full message, with its causes, always goes to the log.
///
/// Adapters read [`ErrorDetails::from_env`] at start-up, so
/// `ANYFN_ERROR_DETAILS=show` shows details anywhere (meant for local
/// development); each adapter's builder can also set it in code.
///
/// # Example
///
/// ```
/// use anyfn::{Error, ErrorDetails};
///
/// let err = Error::from(std::io::Error::other("disk /dev/sda1 on fire"));
///
/// let hidden = err.to_response("req-1", ErrorDetails::Hidden);
/// assert_eq!(hidden.status(), 500);
/// assert_eq!(
///     hidden.body().text()?,
///     r#"{"errorType":"HandlerError","errorMessage":"Internal Server Error","requestId":"req-1"}"#
/// );
///
/// let shown = err.to_response("req-1", ErrorDetails::Shown);
/// assert_eq!(
///     shown.body().text()?,
///     r#"{"errorType":"HandlerError","errorMessage":"disk /dev/sda1 on fire","requestId":"req-1"}"#
/// );
/// # Ok::<(), anyfn::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ErrorDetails {
    /// Server errors (5xx) answer with a generic message. The default.
    #[default]
    Hidden,
    /// Server errors answer with their message and causes.
    Shown,
}

impl ErrorDetails {
    /// The environment variable [`from_env`](Self::from_env) reads.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::ErrorDetails;
    ///
    /// assert_eq!(ErrorDetails::ENV_VAR, "ANYFN_ERROR_DETAILS");
    /// std::env::set_var(ErrorDetails::ENV_VAR, "show");
    /// assert_eq!(ErrorDetails::from_env(), ErrorDetails::Shown);
    /// ```
    pub const ENV_VAR: &'static str = "ANYFN_ERROR_DETAILS";

    /// [`Shown`](Self::Shown) when `ANYFN_ERROR_DETAILS` is `show` (or `1`,
    /// `true`, `on`), [`Hidden`](Self::Hidden) otherwise.
    ///
    /// # Example
    ///
    /// ```
    /// // Unset in this test, as in production by default.
    /// assert_eq!(anyfn::ErrorDetails::from_env(), anyfn::ErrorDetails::Hidden);
    /// ```
    pub fn from_env() -> Self {
        match std::env::var(Self::ENV_VAR) {
            Ok(value) if is_yes(&value) => Self::Shown,
            _ => Self::Hidden,
        }
    }
}

fn is_yes(value: &str) -> bool {
    ["show", "shown", "1", "true", "on", "yes"]
        .iter()
        .any(|yes| value.trim().eq_ignore_ascii_case(yes))
}

/// The answer an error is given: its [`answer_message`](Self::answer_message)
/// and the whole HTTP response, [`to_response`](Self::to_response).
///
/// # Example
///
/// ```
/// use anyfn::{Error, ErrorDetails};
///
/// let err = Error::panic("index out of bounds");
/// assert_eq!(err.answer_message(ErrorDetails::Hidden), "Internal Server Error");
/// assert_eq!(err.to_response("req-1", ErrorDetails::Hidden).status(), 500);
/// ```
impl Error {
    /// The `errorMessage` this error's answer carries under `details`: a
    /// client error's (4xx) [message](Self::message) as it is; a server
    /// error's (5xx) with its causes when `details` is
    /// [`ErrorDetails::Shown`], else its status's reason phrase. What
    /// [`to_response`](Self::to_response) writes, and, with `Shown`, what
    /// adapters tell a platform that is no HTTP client: Lambda's invocation
    /// error for an event, Azure's failed trigger.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{Error, ErrorDetails, ErrorKind};
    ///
    /// /// A function's own error, with a cause.
    /// #[derive(Debug)]
    /// struct StoreDown(std::io::Error);
    ///
    /// impl std::fmt::Display for StoreDown {
    ///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    ///         f.write_str("the order store is down")
    ///     }
    /// }
    ///
    /// impl std::error::Error for StoreDown {
    ///     fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
    ///         Some(&self.0)
    ///     }
    /// }
    ///
    /// let cause = std::io::Error::other("connection refused");
    /// let error = Error::from_source(ErrorKind::Unavailable, StoreDown(cause));
    /// assert_eq!(error.message(), "the order store is down");
    /// assert_eq!(error.answer_message(ErrorDetails::Hidden), "Service Unavailable");
    /// assert_eq!(
    ///     error.answer_message(ErrorDetails::Shown),
    ///     "the order store is down: connection refused"
    /// );
    /// assert_eq!(Error::not_found("no link").answer_message(ErrorDetails::Hidden), "no link");
    /// ```
    pub fn answer_message(&self, details: ErrorDetails) -> Cow<'_, str> {
        let status = self.status();
        if !status.is_server_error() {
            Cow::Borrowed(self.message())
        } else if details == ErrorDetails::Shown {
            Cow::Owned(format!("{self:#}"))
        } else {
            Cow::Borrowed(status.canonical_reason().unwrap_or("Server Error"))
        }
    }

    /// The HTTP response every adapter answers this error with: its
    /// [status](Self::status), its [headers](Self::headers), and a JSON body
    /// `{"errorType": …, "errorMessage": …, "requestId": …}`. Server errors'
    /// messages are replaced by the status's reason phrase unless `details`
    /// is [`ErrorDetails::Shown`].
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{Error, ErrorDetails};
    ///
    /// let response = Error::not_found("no link `abc`").to_response("req-7", ErrorDetails::Hidden);
    /// assert_eq!(response.status(), 404);
    /// assert_eq!(response.headers()["content-type"], "application/json");
    /// assert_eq!(
    ///     response.body().text()?,
    ///     r#"{"errorType":"NotFound","errorMessage":"no link `abc`","requestId":"req-7"}"#
    /// );
    /// # Ok::<(), anyfn::Error>(())
    /// ```
    pub fn to_response(&self, request_id: &str, details: ErrorDetails) -> Response {
        let status = self.status();
        let error_message = self.answer_message(details);
        let document = ErrorDocument {
            error_type: self.error_type(),
            error_message: &error_message,
            request_id,
        };
        let body = serde_json::to_vec(&document)
            .map(Body::from)
            .unwrap_or_default();
        let mut response = Response::new(body);
        *response.status_mut() = status;
        let headers = response.headers_mut();
        for (name, value) in self.headers() {
            headers.append(name, value.clone());
        }
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        response
    }
}

/// The JSON body of an error response, shaped like Lambda's error document
/// with the request id added.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ErrorDocument<'a> {
    error_type: &'a str,
    error_message: &'a str,
    request_id: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn client_errors_keep_their_message_and_server_errors_hide_it() {
        for kind in ErrorKind::ALL {
            let err = Error::new(kind, "secret: db password is hunter2");
            let body = err.to_response("r", ErrorDetails::Hidden).into_body();
            let text = body.text().unwrap_or_default().to_owned();
            assert_eq!(
                text.contains("hunter2"),
                kind.status().is_client_error(),
                "{kind}: {text}"
            );
            let shown = err.to_response("r", ErrorDetails::Shown).into_body();
            assert!(shown.text().unwrap_or_default().contains("hunter2"));
        }
    }

    #[test]
    fn the_errors_headers_are_answered() {
        let err = Error::method_not_allowed([http::Method::GET, http::Method::HEAD]);
        let response = err.to_response("r", ErrorDetails::Hidden);
        assert_eq!(response.status(), 405);
        assert_eq!(response.headers()["allow"], "GET, HEAD");
    }

    #[test]
    fn details_switch_accepts_common_spellings() {
        assert!(is_yes("show") && is_yes(" TRUE ") && is_yes("1"));
        assert!(!is_yes("") && !is_yes("hide") && !is_yes("0"));
    }
}
