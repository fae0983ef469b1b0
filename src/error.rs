//! The one error type of anyfn: [`Error`] and its [`ErrorKind`].

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use http::StatusCode;

/// What went wrong, in terms every runtime understands.
///
/// Each kind maps to an HTTP status ([`ErrorKind::status`]) and to a stable
/// error-type string ([`ErrorKind::error_type`]) that the Lambda adapter reports
/// as `errorType` and the local server sends in its JSON error body.
///
/// # Example
///
/// ```
/// use anyfn::ErrorKind;
///
/// assert_eq!(ErrorKind::Timeout.status(), 504);
/// assert_eq!(ErrorKind::Timeout.error_type(), "Timeout");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The event could not be decoded: malformed JSON, invalid encoding, a
    /// missing field. HTTP 400.
    BadRequest,
    /// The event is larger than the runtime accepts. HTTP 413.
    PayloadTooLarge,
    /// The client did not send the whole request in time. HTTP 408.
    RequestTimeout,
    /// The handler did not finish before its deadline. HTTP 504.
    Timeout,
    /// The handler returned an error. HTTP 500.
    Handler,
    /// The handler panicked. HTTP 500.
    Panic,
    /// The adapter itself failed, e.g. the output could not be encoded. HTTP 500.
    Internal,
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
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::Timeout => StatusCode::GATEWAY_TIMEOUT,
            Self::Handler | Self::Panic | Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
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
            Self::PayloadTooLarge => "PayloadTooLarge",
            Self::RequestTimeout => "RequestTimeout",
            Self::Timeout => "Timeout",
            Self::Handler => "HandlerError",
            Self::Panic => "Panic",
            Self::Internal => "InternalError",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.error_type())
    }
}

/// The error of an invocation: what went wrong, as a message, a kind and the
/// original error.
///
/// Any `std::error::Error + Send + Sync + 'static` converts into it with `?`,
/// as [`ErrorKind::Handler`], keeping its message and the error itself as the
/// [source](Error::source). That is why `Error`, like `anyhow::Error`, does not
/// itself implement `std::error::Error`; convert it with
/// `Box::<dyn std::error::Error + Send + Sync>::from(err)` where one is needed.
///
/// # Example
///
/// ```
/// use anyfn::{Error, ErrorKind};
///
/// fn parse(input: &str) -> Result<u32, Error> {
///     Ok(input.parse::<u32>()?)
/// }
///
/// let err = parse("forty-two").unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Handler);
/// assert_eq!(err.to_string(), "invalid digit found in string");
/// assert!(err.downcast_ref::<std::num::ParseIntError>().is_some());
///
/// let err = Error::bad_request("`name` must not be empty").with_error_type("InvalidName");
/// assert_eq!(err.status(), 400);
/// assert_eq!(err.error_type(), "InvalidName");
/// ```
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    message: Cow<'static, str>,
    error_type: Option<Cow<'static, str>>,
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
}

impl Error {
    /// An error of `kind` with `message`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{Error, ErrorKind};
    ///
    /// let err = Error::new(ErrorKind::BadRequest, "missing field `id`");
    /// assert!(err.is_bad_request());
    /// ```
    pub fn new(kind: ErrorKind, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                error_type: None,
                source: None,
            }),
        }
    }

    /// An error of `kind` caused by `source`; the message is `context`, followed
    /// by the source's own message.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{Error, ErrorKind};
    ///
    /// let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such table");
    /// let err = Error::with_source(ErrorKind::Handler, "loading orders", io);
    /// assert_eq!(err.to_string(), "loading orders: no such table");
    /// ```
    pub fn with_source<E>(kind: ErrorKind, context: impl fmt::Display, source: E) -> Self
    where
        E: StdError + Send + Sync + 'static,
    {
        let mut err = Self::new(kind, format!("{context}: {source}"));
        err.inner.source = Some(Box::new(source));
        err
    }

    /// A [`ErrorKind::BadRequest`] error: the event was not what the handler
    /// accepts.
    ///
    /// # Example
    ///
    /// ```
    /// let err = anyfn::Error::bad_request("expected a JSON object");
    /// assert_eq!(err.status(), 400);
    /// ```
    pub fn bad_request(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::BadRequest, message)
    }

    /// A [`ErrorKind::Timeout`] error for an invocation stopped after `elapsed`.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let err = anyfn::Error::timeout(Duration::from_secs(3));
    /// assert!(err.is_timeout());
    /// assert_eq!(err.to_string(), "invocation timed out after 3.00 seconds");
    /// ```
    pub fn timeout(elapsed: Duration) -> Self {
        Self::new(
            ErrorKind::Timeout,
            format!(
                "invocation timed out after {:.2} seconds",
                elapsed.as_secs_f64()
            ),
        )
    }

    /// A [`ErrorKind::PayloadTooLarge`] error for an event over `limit` bytes.
    ///
    /// # Example
    ///
    /// ```
    /// let err = anyfn::Error::payload_too_large(6 * 1024 * 1024);
    /// assert_eq!(err.status(), 413);
    /// ```
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            ErrorKind::PayloadTooLarge,
            format!("the event is larger than the limit of {limit} bytes"),
        )
    }

    /// A [`ErrorKind::Panic`] error carrying the panic's message.
    ///
    /// # Example
    ///
    /// ```
    /// let err = anyfn::Error::panic("index out of bounds");
    /// assert!(err.is_panic());
    /// assert_eq!(err.to_string(), "handler panicked: index out of bounds");
    /// ```
    pub fn panic(message: impl fmt::Display) -> Self {
        Self::new(ErrorKind::Panic, format!("handler panicked: {message}"))
    }

    /// Names this error for Lambda's `errorType` and the server's error body,
    /// instead of the kind's [stable name](ErrorKind::error_type).
    ///
    /// # Example
    ///
    /// ```
    /// let err = anyfn::Error::bad_request("unknown order 17").with_error_type("OrderNotFound");
    /// assert_eq!(err.error_type(), "OrderNotFound");
    /// ```
    #[must_use]
    pub fn with_error_type(mut self, error_type: impl Into<Cow<'static, str>>) -> Self {
        self.inner.error_type = Some(error_type.into());
        self
    }

    /// What kind of error this is.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The HTTP status of this error's kind.
    pub fn status(&self) -> StatusCode {
        self.inner.kind.status()
    }

    /// The name reported as Lambda's `errorType`: the one given with
    /// [`with_error_type`](Self::with_error_type), else the kind's stable name.
    pub fn error_type(&self) -> &str {
        self.inner
            .error_type
            .as_deref()
            .unwrap_or(self.inner.kind.error_type())
    }

    /// The message, without the error type.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The error this one was converted from, if any.
    pub fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|source| source as &(dyn StdError + 'static))
    }

    /// The source, if it is an `E`.
    ///
    /// # Example
    ///
    /// ```
    /// let err = anyfn::Error::from(std::fmt::Error);
    /// assert!(err.downcast_ref::<std::fmt::Error>().is_some());
    /// ```
    pub fn downcast_ref<E: StdError + 'static>(&self) -> Option<&E> {
        self.source()?.downcast_ref::<E>()
    }

    /// Whether this is a [`ErrorKind::BadRequest`] error.
    pub fn is_bad_request(&self) -> bool {
        self.inner.kind == ErrorKind::BadRequest
    }

    /// Whether this is a [`ErrorKind::PayloadTooLarge`] error.
    pub fn is_payload_too_large(&self) -> bool {
        self.inner.kind == ErrorKind::PayloadTooLarge
    }

    /// Whether this is a [`ErrorKind::Timeout`] error.
    pub fn is_timeout(&self) -> bool {
        self.inner.kind == ErrorKind::Timeout
    }

    /// Whether this is a [`ErrorKind::Handler`] error.
    pub fn is_handler(&self) -> bool {
        self.inner.kind == ErrorKind::Handler
    }

    /// Whether this is a [`ErrorKind::Panic`] error.
    pub fn is_panic(&self) -> bool {
        self.inner.kind == ErrorKind::Panic
    }
}

impl<E> From<E> for Error
where
    E: StdError + Send + Sync + 'static,
{
    fn from(source: E) -> Self {
        let mut err = Self::new(ErrorKind::Handler, source.to_string());
        err.inner.source = Some(Box::new(source));
        err
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("Error");
        debug
            .field("kind", &self.inner.kind)
            .field("error_type", &self.error_type())
            .field("message", &self.inner.message);
        if let Some(source) = &self.inner.source {
            debug.field("source", source);
        }
        debug.finish()
    }
}

/// `Error` seen as a `std::error::Error`, for code that needs one.
struct StdErrorView(Error);

impl fmt::Debug for StdErrorView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for StdErrorView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl StdError for StdErrorView {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.0.source()
    }
}

impl From<Error> for Box<dyn StdError + Send + Sync + 'static> {
    fn from(err: Error) -> Self {
        Box::new(StdErrorView(err))
    }
}

impl From<Error> for Box<dyn StdError + 'static> {
    fn from(err: Error) -> Self {
        Box::new(StdErrorView(err))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_error_keeps_message_and_source() {
        #[derive(Debug, thiserror::Error)]
        #[error("order {0} not found")]
        struct NotFound(u32);

        let err = Error::from(NotFound(7));
        assert_eq!(err.kind(), ErrorKind::Handler);
        assert_eq!(err.message(), "order 7 not found");
        assert_eq!(err.error_type(), "HandlerError");
        assert_eq!(err.downcast_ref::<NotFound>().map(|e| e.0), Some(7));
    }

    #[test]
    fn every_kind_has_a_distinct_status_or_name() {
        let kinds = [
            ErrorKind::BadRequest,
            ErrorKind::PayloadTooLarge,
            ErrorKind::RequestTimeout,
            ErrorKind::Timeout,
            ErrorKind::Handler,
            ErrorKind::Panic,
            ErrorKind::Internal,
        ];
        let names: std::collections::HashSet<_> = kinds.iter().map(|k| k.error_type()).collect();
        assert_eq!(names.len(), kinds.len());
        assert!(kinds
            .iter()
            .all(|k| k.status().is_client_error() || k.status().is_server_error()));
    }

    #[test]
    fn boxed_std_error_keeps_display_and_source() {
        let err = Error::with_source(ErrorKind::Internal, "encoding", std::fmt::Error);
        let boxed: Box<dyn StdError + Send + Sync> = err.into();
        assert_eq!(
            boxed.to_string(),
            "encoding: an error occurred when formatting an argument"
        );
        assert!(boxed.source().is_some());
    }
}
