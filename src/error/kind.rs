//! [`ErrorKind`]: what went wrong, with its HTTP status and stable name.

use std::fmt;

use http::StatusCode;

/// What went wrong, in terms every runtime understands.
///
/// Each kind maps to an HTTP status ([`ErrorKind::status`]) and to a stable
/// error-type string ([`ErrorKind::error_type`]) that the Lambda adapter reports
/// as `errorType` and every HTTP error response carries as `errorType`.
///
/// The kinds a function returns on purpose are the common HTTP refusals
/// ([`NotFound`](Self::NotFound), [`Conflict`](Self::Conflict), …); the
/// others are what the adapters report on their own: a panic, a timeout, a
/// payload over the limit.
///
/// # Example
///
/// ```
/// use anyfn::ErrorKind;
///
/// assert_eq!(ErrorKind::Timeout.status(), 504);
/// assert_eq!(ErrorKind::Timeout.error_type(), "Timeout");
/// assert_eq!(ErrorKind::NotFound.status(), 404);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The event could not be decoded, or the input is not what the function
    /// accepts: malformed JSON, invalid encoding, a missing field. HTTP 400.
    BadRequest,
    /// The caller is not authenticated. HTTP 401.
    Unauthorized,
    /// The caller is authenticated but not allowed. HTTP 403.
    Forbidden,
    /// What the caller asked for does not exist. HTTP 404.
    NotFound,
    /// The method is not supported here; the error's `Allow` header lists
    /// those that are ([`Error::method_not_allowed`](crate::Error::method_not_allowed)).
    /// HTTP 405.
    MethodNotAllowed,
    /// The client did not send the whole request in time. HTTP 408.
    RequestTimeout,
    /// The request conflicts with the current state (a duplicate, a stale
    /// version). HTTP 409.
    Conflict,
    /// The event is larger than the runtime accepts. HTTP 413.
    PayloadTooLarge,
    /// The request's body is not of a media type the function takes (an
    /// event function sent a body that is neither a CloudEvent nor declared
    /// as JSON). HTTP 415.
    UnsupportedMediaType,
    /// The input is well-formed but invalid (a failed validation). HTTP 422.
    Unprocessable,
    /// The caller sent too many requests; `Retry-After` may say when to come
    /// back ([`Error::with_retry_after`](crate::Error::with_retry_after)).
    /// HTTP 429.
    TooManyRequests,
    /// The handler returned an error. HTTP 500.
    Handler,
    /// The handler panicked. HTTP 500.
    Panic,
    /// The adapter itself failed, e.g. the output could not be encoded. HTTP 500.
    Internal,
    /// The function cannot serve now (a dependency is down, it is
    /// overloaded). HTTP 503.
    Unavailable,
    /// The handler did not finish before its deadline. HTTP 504.
    Timeout,
}

impl ErrorKind {
    /// The HTTP status this kind maps to.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::ErrorKind;
    ///
    /// assert_eq!(ErrorKind::BadRequest.status(), 400);
    /// assert_eq!(ErrorKind::Panic.status(), 500);
    /// ```
    pub const fn status(self) -> StatusCode {
        match self {
            Self::BadRequest => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::Conflict => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Self::Handler | Self::Panic | Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Timeout => StatusCode::GATEWAY_TIMEOUT,
        }
    }

    /// A stable name for this kind: it never changes between releases, so logs,
    /// alarms and Lambda's `errorType` can rely on it.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::ErrorKind;
    ///
    /// assert_eq!(ErrorKind::Handler.error_type(), "HandlerError");
    /// ```
    pub const fn error_type(self) -> &'static str {
        match self {
            Self::BadRequest => "BadRequest",
            Self::Unauthorized => "Unauthorized",
            Self::Forbidden => "Forbidden",
            Self::NotFound => "NotFound",
            Self::MethodNotAllowed => "MethodNotAllowed",
            Self::RequestTimeout => "RequestTimeout",
            Self::Conflict => "Conflict",
            Self::PayloadTooLarge => "PayloadTooLarge",
            Self::UnsupportedMediaType => "UnsupportedMediaType",
            Self::Unprocessable => "Unprocessable",
            Self::TooManyRequests => "TooManyRequests",
            Self::Handler => "HandlerError",
            Self::Panic => "Panic",
            Self::Internal => "InternalError",
            Self::Unavailable => "Unavailable",
            Self::Timeout => "Timeout",
        }
    }

    /// Every kind, for tests.
    #[cfg(test)]
    pub(crate) const ALL: [Self; 16] = [
        Self::BadRequest,
        Self::Unauthorized,
        Self::Forbidden,
        Self::NotFound,
        Self::MethodNotAllowed,
        Self::RequestTimeout,
        Self::Conflict,
        Self::PayloadTooLarge,
        Self::UnsupportedMediaType,
        Self::Unprocessable,
        Self::TooManyRequests,
        Self::Handler,
        Self::Panic,
        Self::Internal,
        Self::Unavailable,
        Self::Timeout,
    ];
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.error_type())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_distinct_name_and_an_error_status() {
        let names: std::collections::HashSet<_> =
            ErrorKind::ALL.iter().map(|k| k.error_type()).collect();
        assert_eq!(names.len(), ErrorKind::ALL.len());
        assert!(ErrorKind::ALL
            .iter()
            .all(|k| k.status().is_client_error() || k.status().is_server_error()));
    }
}
