//! The one error type of anyfn: [`Error`], its [`ErrorKind`], the
//! [`IntoError`] conversion a handler's own error type implements, and the
//! HTTP answer every adapter gives for it ([`Error::to_response`]).

mod chain;
mod into_error;
mod kind;
mod quoted;
mod render;

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use http::header::{HeaderName, HeaderValue, ALLOW, RETRY_AFTER};
use http::{HeaderMap, Method, StatusCode};

pub use chain::Chain;
pub use into_error::IntoError;
pub use kind::ErrorKind;
pub use quoted::{quoted, shortened, without_controls, Quoted, Shortened, QUOTE_LIMIT};
pub use render::ErrorDetails;

/// The error of an invocation: a kind, a message, the HTTP status and
/// headers it is answered with, a stable error type, and the error it came
/// from.
///
/// Any `std::error::Error + Send + Sync + 'static` converts into it with `?`,
/// as [`ErrorKind::Handler`] (500), keeping its message and the error itself
/// as the [source](Error::source). That is why `Error`, like `anyhow::Error`,
/// does not itself implement `std::error::Error`; convert it with
/// `Box::<dyn std::error::Error + Send + Sync>::from(err)` where one is needed,
/// and back with [`Error::from_boxed`].
///
/// To give your own error type a status per variant, implement
/// [`IntoError`] for it and return it from the handler; see there.
///
/// # Coming from lambda_runtime: `?` on a `Box<dyn Error + Send + Sync>`
///
/// lambda_runtime's `Error` (and tower's `BoxError`) is
/// `Box<dyn std::error::Error + Send + Sync>`, and `?` on it in a function
/// returning `anyfn::Error` fails with E0277 ("`dyn Error + Send + Sync:
/// Sized` is not satisfied … required for `anyfn::Error` to implement
/// `From<Box<dyn Error + Send + Sync>>`": a box of a trait object is not
/// itself a `std::error::Error`, and Rust's coherence rules forbid a second
/// `From` beside the one for every error). Either convert at the
/// `?` with [`Error::from_boxed`], which keeps an `anyfn::Error` that was
/// boxed as it was:
///
/// ```
/// use anyfn::Error;
///
/// // Helper code migrated from lambda_runtime, left as it was.
/// fn load(id: u32) -> Result<String, lambda_runtime_error::Error> {
///     if id == 0 { return Err("no order 0".into()); }
///     Ok(format!("order {id}"))
/// }
/// # mod lambda_runtime_error { pub type Error = Box<dyn std::error::Error + Send + Sync>; }
///
/// fn handler_part(id: u32) -> Result<String, Error> {
///     let order = load(id).map_err(Error::from_boxed)?;
///     Ok(order)
/// }
///
/// assert_eq!(handler_part(7).ok().as_deref(), Some("order 7"));
/// assert_eq!(handler_part(0).unwrap_err().message(), "no order 0");
/// ```
///
/// or let the handler itself fail with the box
/// (`Result<_, Box<dyn std::error::Error + Send + Sync>>`), which
/// implements [`IntoError`] through the same function.
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
/// assert_eq!(err.status(), 500);
/// assert_eq!(err.to_string(), "invalid digit found in string");
/// assert!(err.downcast_ref::<std::num::ParseIntError>().is_some());
///
/// let err = Error::not_found("no order 17").with_error_type("OrderNotFound");
/// assert_eq!(err.status(), 404);
/// assert_eq!(err.error_type(), "OrderNotFound");
/// ```
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    status: Option<StatusCode>,
    message: Cow<'static, str>,
    error_type: Option<Cow<'static, str>>,
    headers: HeaderMap,
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
}

/// Making an error (a constructor per [kind](ErrorKind), or
/// [`from_source`](Self::from_source) and its siblings), choosing its
/// answer ([`with_status`](Self::with_status),
/// [`with_header`](Self::with_header), …) and reading it back.
///
/// # Example
///
/// ```
/// let err = anyfn::Error::conflict("`abc` is taken").with_error_type("SlugTaken");
/// assert!(err.is_client_error());
/// assert_eq!((err.status().as_u16(), err.error_type()), (409, "SlugTaken"));
/// ```
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
                status: None,
                message: message.into(),
                error_type: None,
                headers: HeaderMap::new(),
                source: None,
            }),
        }
    }

    /// An error of `kind` caused by `source`; the message is `context`, followed
    /// by the source's own message ([`shortened`] past 400 bytes: a parser's
    /// message may quote a whole input).
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
        let mut err = Self::new(kind, format!("{context}: {}", bounded(source.to_string())));
        err.inner.source = Some(Box::new(source));
        err
    }

    /// An error of `kind` made from `source`: its message is the source's
    /// ([`shortened`] past 400 bytes), and the source is kept (for
    /// [`downcast_ref`](Self::downcast_ref) and
    /// the log's cause chain). The usual body of an [`IntoError`] impl.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{Error, ErrorKind};
    ///
    /// let io = std::io::Error::other("the store is read-only");
    /// let err = Error::from_source(ErrorKind::Unavailable, io);
    /// assert_eq!(err.status(), 503);
    /// assert_eq!(err.to_string(), "the store is read-only");
    /// assert!(err.downcast_ref::<std::io::Error>().is_some());
    /// ```
    pub fn from_source<E>(kind: ErrorKind, source: E) -> Self
    where
        E: StdError + Send + Sync + 'static,
    {
        let mut err = Self::new(kind, bounded(source.to_string()));
        err.inner.source = Some(Box::new(source));
        err
    }

    /// An error made from a boxed one, as tower services and lambda_runtime
    /// return (`BoxError`). An `Error` that was boxed comes back as it was,
    /// kind, status and headers included; any other becomes
    /// [`ErrorKind::Handler`] with the box as its source.
    ///
    /// `?` cannot do this conversion: Rust's coherence rules do not allow a
    /// `From<Box<dyn Error + Send + Sync>>` beside the `From` for every error
    /// type. A handler may instead declare
    /// `type Error = Box<dyn std::error::Error + Send + Sync>`, which
    /// implements [`IntoError`] through this function.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::Error;
    ///
    /// type BoxError = Box<dyn std::error::Error + Send + Sync>;
    ///
    /// let boxed: BoxError = "connection refused".into();
    /// let err = Error::from_boxed(boxed);
    /// assert_eq!((err.status().as_u16(), err.to_string().as_str()), (500, "connection refused"));
    ///
    /// let boxed: BoxError = Error::not_found("no order 17").into();
    /// assert_eq!(Error::from_boxed(boxed).status(), 404);
    /// ```
    pub fn from_boxed(boxed: Box<dyn StdError + Send + Sync + 'static>) -> Self {
        match boxed.downcast::<StdErrorView>() {
            Ok(view) => view.0,
            Err(boxed) => {
                let mut err = Self::new(ErrorKind::Handler, bounded(boxed.to_string()));
                err.inner.source = Some(boxed);
                err
            }
        }
    }

    /// A [`ErrorKind::BadRequest`] error (400): the input was not what the
    /// handler accepts.
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

    /// A [`ErrorKind::Unauthorized`] error (401).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::http::header::{HeaderValue, WWW_AUTHENTICATE};
    ///
    /// let err = anyfn::Error::unauthorized("missing bearer token")
    ///     .with_header(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    /// assert_eq!(err.status(), 401);
    /// assert_eq!(err.headers()["www-authenticate"], "Bearer");
    /// ```
    pub fn unauthorized(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::Unauthorized, message)
    }

    /// A [`ErrorKind::Forbidden`] error (403).
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn::Error::forbidden("read-only key").status(), 403);
    /// ```
    pub fn forbidden(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::Forbidden, message)
    }

    /// A [`ErrorKind::NotFound`] error (404).
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn::Error::not_found("no link `abc`").status(), 404);
    /// ```
    pub fn not_found(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }

    /// A [`ErrorKind::MethodNotAllowed`] error (405) whose `Allow` header
    /// lists `allowed`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::http::Method;
    ///
    /// let err = anyfn::Error::method_not_allowed([Method::GET, Method::POST]);
    /// assert_eq!(err.status(), 405);
    /// assert_eq!(err.headers()["allow"], "GET, POST");
    /// assert_eq!(err.to_string(), "the method is not allowed here; allowed: GET, POST");
    /// ```
    pub fn method_not_allowed(allowed: impl IntoIterator<Item = Method>) -> Self {
        let allowed = allowed
            .into_iter()
            .map(|method| method.as_str().to_owned())
            .collect::<Vec<_>>()
            .join(", ");
        let mut err = Self::new(
            ErrorKind::MethodNotAllowed,
            format!("the method is not allowed here; allowed: {allowed}"),
        );
        if let Ok(value) = HeaderValue::from_str(&allowed) {
            err.inner.headers.insert(ALLOW, value);
        }
        err
    }

    /// A [`ErrorKind::UnsupportedMediaType`] error (415): the body is not of
    /// a media type the function takes; say which it takes.
    ///
    /// # Example
    ///
    /// ```
    /// let err = anyfn::Error::unsupported_media_type(
    ///     "expected a JSON body (Content-Type: application/json); found text/plain",
    /// );
    /// assert_eq!(err.status(), 415);
    /// assert_eq!(err.error_type(), "UnsupportedMediaType");
    /// ```
    pub fn unsupported_media_type(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::UnsupportedMediaType, message)
    }

    /// A [`ErrorKind::Conflict`] error (409).
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn::Error::conflict("`abc` is taken").status(), 409);
    /// ```
    pub fn conflict(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::Conflict, message)
    }

    /// A [`ErrorKind::Unprocessable`] error (422): well-formed input that
    /// fails validation.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn::Error::unprocessable("`url` must be absolute").status(), 422);
    /// ```
    pub fn unprocessable(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::Unprocessable, message)
    }

    /// A [`ErrorKind::TooManyRequests`] error (429); add
    /// [`with_retry_after`](Self::with_retry_after) to say when to retry.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let err = anyfn::Error::too_many_requests("slow down").with_retry_after(Duration::from_secs(30));
    /// assert_eq!(err.status(), 429);
    /// assert_eq!(err.headers()["retry-after"], "30");
    /// ```
    pub fn too_many_requests(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::TooManyRequests, message)
    }

    /// A [`ErrorKind::Unavailable`] error (503).
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn::Error::unavailable("the database is down").status(), 503);
    /// ```
    pub fn unavailable(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::Unavailable, message)
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
        // Hundredths of a second, rounded half up, in integers: a float's
        // `{:.2}` would link the float formatter into every adapter (about
        // 19 KB of a Worker's wasm module).
        let hundredths = elapsed
            .as_secs()
            .saturating_mul(100)
            .saturating_add(u64::from(
                elapsed.subsec_nanos().saturating_add(5_000_000) / 10_000_000,
            ));
        Self::new(
            ErrorKind::Timeout,
            format!(
                "invocation timed out after {}.{:02} seconds",
                hundredths / 100,
                hundredths % 100
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

    /// Names this error for Lambda's `errorType` and the `errorType` of its
    /// HTTP answer, instead of the kind's [stable name](ErrorKind::error_type).
    ///
    /// # Example
    ///
    /// ```
    /// let err = anyfn::Error::not_found("unknown order 17").with_error_type("OrderNotFound");
    /// assert_eq!(err.error_type(), "OrderNotFound");
    /// ```
    #[must_use]
    pub fn with_error_type(mut self, error_type: impl Into<Cow<'static, str>>) -> Self {
        self.inner.error_type = Some(error_type.into());
        self
    }

    /// Answers this error with `status` instead of its kind's, e.g. `502`
    /// for a failed upstream call. The kind stays.
    ///
    /// `status` should be a client or server error (400–599): any other,
    /// which would report a failure as a success, is answered as `500`.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::http::StatusCode;
    ///
    /// let err = anyfn::Error::from(std::io::Error::other("upstream reset"))
    ///     .with_status(StatusCode::BAD_GATEWAY);
    /// assert_eq!(err.status(), 502);
    /// assert_eq!(err.error_type(), "HandlerError");
    ///
    /// let not_an_error = anyfn::Error::bad_request("x").with_status(StatusCode::OK);
    /// assert_eq!(not_an_error.status(), 500);
    /// ```
    #[must_use]
    pub fn with_status(mut self, status: StatusCode) -> Self {
        let is_error = status.is_client_error() || status.is_server_error();
        self.inner.status = Some(if is_error {
            status
        } else {
            StatusCode::INTERNAL_SERVER_ERROR
        });
        self
    }

    /// Adds a header to the HTTP answer of this error (`WWW-Authenticate`,
    /// `Cache-Control`, …), replacing one of the same name.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::http::header::{HeaderValue, CACHE_CONTROL};
    ///
    /// let err = anyfn::Error::forbidden("no").with_header(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    /// assert_eq!(err.headers()["cache-control"], "no-store");
    /// ```
    #[must_use]
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.inner.headers.insert(name, value);
        self
    }

    /// Sets `Retry-After` to `after`, in whole seconds, rounded up.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let err = anyfn::Error::unavailable("maintenance").with_retry_after(Duration::from_millis(1500));
    /// assert_eq!(err.headers()["retry-after"], "2");
    /// ```
    #[must_use]
    pub fn with_retry_after(mut self, after: Duration) -> Self {
        let seconds = after.as_secs() + u64::from(after.subsec_nanos() > 0);
        self.inner
            .headers
            .insert(RETRY_AFTER, HeaderValue::from(seconds));
        self
    }

    /// What kind of error this is.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{Error, ErrorKind};
    ///
    /// assert_eq!(Error::forbidden("read-only key").kind(), ErrorKind::Forbidden);
    /// assert_eq!(Error::from(std::fmt::Error).kind(), ErrorKind::Handler);
    /// ```
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The HTTP status this error is answered with: the one given with
    /// [`with_status`](Self::with_status), else its kind's.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::http::StatusCode;
    ///
    /// let err = anyfn::Error::unavailable("the database is down");
    /// assert_eq!(err.status(), StatusCode::SERVICE_UNAVAILABLE);
    /// assert_eq!(err.with_status(StatusCode::BAD_GATEWAY).status(), 502);
    /// ```
    pub fn status(&self) -> StatusCode {
        self.inner.status.unwrap_or(self.inner.kind.status())
    }

    /// The name reported as Lambda's `errorType` and in the HTTP answer: the
    /// one given with [`with_error_type`](Self::with_error_type), else the
    /// kind's stable name.
    ///
    /// # Example
    ///
    /// ```
    /// let err = anyfn::Error::not_found("no order 17");
    /// assert_eq!(err.error_type(), "NotFound");
    /// assert_eq!(err.with_error_type("OrderNotFound").error_type(), "OrderNotFound");
    /// ```
    pub fn error_type(&self) -> &str {
        self.inner
            .error_type
            .as_deref()
            .unwrap_or(self.inner.kind.error_type())
    }

    /// The message, without the error type or the causes.
    ///
    /// # Example
    ///
    /// ```
    /// let err = anyfn::Error::bad_request("missing field `id`").with_error_type("InvalidOrder");
    /// assert_eq!(err.message(), "missing field `id`");
    /// assert_eq!(anyfn::Error::panic("boom").message(), "handler panicked: boom");
    /// ```
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The headers the HTTP answer carries besides `Content-Type`
    /// (`Allow`, `Retry-After`, those added with
    /// [`with_header`](Self::with_header)).
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let err = anyfn::Error::unavailable("maintenance").with_retry_after(Duration::from_secs(60));
    /// assert_eq!(err.headers()["retry-after"], "60");
    /// assert!(!err.headers().contains_key("content-type"));
    /// assert!(anyfn::Error::not_found("no order 17").headers().is_empty());
    /// ```
    pub fn headers(&self) -> &HeaderMap {
        &self.inner.headers
    }

    /// The headers the HTTP answer carries besides `Content-Type`, to
    /// change: what middleware does to an error's answer (anyfn-tower's
    /// `with_layer` puts the headers a layer added here).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::http::header::{HeaderValue, VARY};
    ///
    /// let mut err = anyfn::Error::bad_request("no name");
    /// err.headers_mut().append(VARY, HeaderValue::from_static("origin"));
    /// assert_eq!(err.to_response("r-1", anyfn::ErrorDetails::Hidden).headers()["vary"], "origin");
    /// ```
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.inner.headers
    }

    /// The error this one was made from, if any.
    ///
    /// # Example
    ///
    /// ```
    /// let err = anyfn::Error::from(std::io::Error::other("disk full"));
    /// assert_eq!(err.source().map(|source| source.to_string()).as_deref(), Some("disk full"));
    /// assert!(anyfn::Error::not_found("no order 17").source().is_none());
    /// ```
    pub fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|source| source as &(dyn StdError + 'static))
    }

    /// The causes: the [source](Self::source), its source, and so on.
    ///
    /// # Example
    ///
    /// ```
    /// let io = std::io::Error::other("disk full");
    /// let err = anyfn::Error::with_source(anyfn::ErrorKind::Handler, "saving", io);
    /// let causes: Vec<String> = err.chain().map(|cause| cause.to_string()).collect();
    /// assert_eq!(causes, ["disk full"]);
    /// ```
    pub fn chain(&self) -> Chain<'_> {
        Chain::new(self.source())
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
    ///
    /// # Example
    ///
    /// ```
    /// assert!(anyfn::Error::bad_request("expected a JSON object").is_bad_request());
    /// assert!(!anyfn::Error::unprocessable("`url` must be absolute").is_bad_request());
    /// ```
    pub fn is_bad_request(&self) -> bool {
        self.inner.kind == ErrorKind::BadRequest
    }

    /// Whether this is a [`ErrorKind::NotFound`] error.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(anyfn::Error::not_found("no order 17").is_not_found());
    /// assert!(!anyfn::Error::forbidden("read-only key").is_not_found());
    /// ```
    pub fn is_not_found(&self) -> bool {
        self.inner.kind == ErrorKind::NotFound
    }

    /// Whether this is a [`ErrorKind::PayloadTooLarge`] error.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(anyfn::Error::payload_too_large(6 * 1024 * 1024).is_payload_too_large());
    /// assert!(!anyfn::Error::bad_request("expected a JSON object").is_payload_too_large());
    /// ```
    pub fn is_payload_too_large(&self) -> bool {
        self.inner.kind == ErrorKind::PayloadTooLarge
    }

    /// Whether this is a [`ErrorKind::Timeout`] error.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use anyfn::http::StatusCode;
    ///
    /// assert!(anyfn::Error::timeout(Duration::from_secs(3)).is_timeout());
    /// // The kind decides, not the status.
    /// let upstream = anyfn::Error::from(std::io::Error::other("upstream too slow"))
    ///     .with_status(StatusCode::GATEWAY_TIMEOUT);
    /// assert!(!upstream.is_timeout());
    /// ```
    pub fn is_timeout(&self) -> bool {
        self.inner.kind == ErrorKind::Timeout
    }

    /// Whether this is a [`ErrorKind::Handler`] error.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(anyfn::Error::from(std::fmt::Error).is_handler());
    /// assert!(!anyfn::Error::panic("boom").is_handler());
    /// ```
    pub fn is_handler(&self) -> bool {
        self.inner.kind == ErrorKind::Handler
    }

    /// Whether this is a [`ErrorKind::Panic`] error.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(anyfn::Error::panic("index out of bounds").is_panic());
    /// assert!(!anyfn::Error::from(std::fmt::Error).is_panic());
    /// ```
    pub fn is_panic(&self) -> bool {
        self.inner.kind == ErrorKind::Panic
    }

    /// Whether the [status](Self::status) is a client error (4xx): the
    /// caller's input was refused.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(anyfn::Error::conflict("taken").is_client_error());
    /// assert!(!anyfn::Error::panic("boom").is_client_error());
    /// ```
    pub fn is_client_error(&self) -> bool {
        self.status().is_client_error()
    }

    /// Whether the [status](Self::status) is a server error (5xx): the
    /// function failed. Its details are hidden from HTTP clients by default
    /// ([`ErrorDetails`]).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::http::StatusCode;
    ///
    /// assert!(anyfn::Error::unavailable("the database is down").is_server_error());
    /// assert!(!anyfn::Error::not_found("no order 17").is_server_error());
    /// assert!(anyfn::Error::bad_request("x").with_status(StatusCode::BAD_GATEWAY).is_server_error());
    /// ```
    pub fn is_server_error(&self) -> bool {
        self.status().is_server_error()
    }
}

/// `text`, [`shortened`] when it is long.
fn bounded(text: String) -> String {
    if text.len() > 2 * QUOTE_LIMIT {
        shortened(&text).to_string()
    } else {
        text
    }
}

impl<E> From<E> for Error
where
    E: StdError + Send + Sync + 'static,
{
    fn from(source: E) -> Self {
        Self::from_source(ErrorKind::Handler, source)
    }
}

/// The message; with `{:#}`, the message followed by each cause that it
/// does not already contain, separated by `: `, as the logs show it.
///
/// # Example
///
/// ```
/// #[derive(Debug, thiserror::Error)]
/// #[error("could not save order 7")]
/// struct SaveFailed(#[source] std::io::Error);
///
/// let err = anyfn::Error::from(SaveFailed(std::io::Error::other("disk full")));
/// assert_eq!(format!("{err}"), "could not save order 7");
/// assert_eq!(format!("{err:#}"), "could not save order 7: disk full");
/// ```
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.message)?;
        if f.alternate() {
            let mut written = self.inner.message.to_string();
            for cause in self.chain() {
                let text = bounded(cause.to_string());
                if !written.contains(&text) {
                    write!(f, ": {text}")?;
                    written.push_str(&text);
                }
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("Error");
        debug
            .field("kind", &self.inner.kind)
            .field("status", &self.status().as_u16())
            .field("error_type", &self.error_type())
            .field("message", &self.inner.message);
        if !self.inner.headers.is_empty() {
            debug.field("headers", &self.inner.headers);
        }
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

    /// `Error::timeout` writes its seconds with integer arithmetic (no float
    /// formatter linked): the message must read as `{:.2}` of the seconds
    /// did, rounding included, and a huge duration must not overflow.
    #[test]
    fn regression_timeout_seconds_read_as_two_decimals_without_floats() {
        let cases = [
            (Duration::ZERO, "0.00"),
            (Duration::from_millis(400), "0.40"),
            (Duration::from_millis(2_994), "2.99"),
            (Duration::from_millis(2_996), "3.00"),
            (Duration::from_micros(1_004_999), "1.00"),
            (Duration::from_secs(900), "900.00"),
            (Duration::from_nanos(999_999_999), "1.00"),
        ];
        for (elapsed, seconds) in cases {
            assert_eq!(
                Error::timeout(elapsed).message(),
                format!("invocation timed out after {seconds} seconds"),
                "{elapsed:?}"
            );
            assert_eq!(
                format!("{:.2}", elapsed.as_secs_f64()),
                seconds,
                "as the float formatter wrote it: {elapsed:?}"
            );
        }
        let huge = Error::timeout(Duration::MAX);
        assert!(
            huge.message().starts_with("invocation timed out after "),
            "{}",
            huge.message()
        );
    }

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
    fn boxed_std_error_keeps_display_and_source() {
        let err = Error::with_source(ErrorKind::Internal, "encoding", std::fmt::Error);
        let boxed: Box<dyn StdError + Send + Sync> = err.into();
        assert_eq!(
            boxed.to_string(),
            "encoding: an error occurred when formatting an argument"
        );
        assert!(boxed.source().is_some());
    }

    #[test]
    fn an_error_round_trips_through_a_box_whole() {
        let err = Error::method_not_allowed([Method::GET]).with_error_type("NoDelete");
        let back = Error::from_boxed(err.into());
        assert_eq!(back.status(), 405);
        assert_eq!(back.error_type(), "NoDelete");
        assert_eq!(back.headers()[ALLOW], "GET");
    }

    #[test]
    fn alternate_display_lists_every_cause_once() {
        #[derive(Debug, thiserror::Error)]
        #[error("loading the catalogue")]
        struct Outer(#[source] Middle);
        #[derive(Debug, thiserror::Error)]
        #[error("reading catalogue.json")]
        struct Middle(#[source] std::io::Error);

        let err = Error::from(Outer(Middle(std::io::Error::other("permission denied"))));
        assert_eq!(
            format!("{err:#}"),
            "loading the catalogue: reading catalogue.json: permission denied"
        );
        let with_context =
            Error::with_source(ErrorKind::Handler, "startup", std::io::Error::other("gone"));
        assert_eq!(format!("{with_context:#}"), "startup: gone");
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        let err = Error::too_many_requests("x").with_retry_after(Duration::ZERO);
        assert_eq!(err.headers()[RETRY_AFTER], "0");
        let err = Error::too_many_requests("x").with_retry_after(Duration::from_nanos(1));
        assert_eq!(err.headers()[RETRY_AFTER], "1");
    }
}
