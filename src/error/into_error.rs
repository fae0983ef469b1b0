//! [`IntoError`]: how a handler's error type becomes an [`Error`].

use std::convert::Infallible;
use std::error::Error as StdError;

use super::{Error, ErrorKind};

/// An error type a [`Handler`](crate::Handler) may fail with: it says, in one
/// place, which [`Error`] (status, error type, message, headers) each of its
/// values becomes.
///
/// Implement it for your own error type to give each variant its status, and
/// return that type from the handler (`type Error = MyError`, or
/// `Result<_, MyError>` from a [`handler_fn`](crate::handler_fn) function).
/// `?` then works on `MyError` inside the handler, and on whatever `MyError`
/// converts from.
///
/// It is implemented for [`Error`] itself, for
/// `Box<dyn std::error::Error + Send + Sync>` (tower's and lambda_runtime's
/// `BoxError`, through [`Error::from_boxed`]), for [`Infallible`], and for
/// the standard library's common errors, `serde_json::Error` and
/// `http::Error` (each a 500 [`ErrorKind::Handler`]).
///
/// # Why a trait of its own, and not `From<MyError> for anyfn::Error`
///
/// `anyfn::Error` converts from every `std::error::Error` with `?` (a blanket
/// `From`, as `anyhow::Error` has), so a second `From<MyError>` is refused by
/// Rust's coherence rules (E0119): the compiler cannot let two impls cover the
/// same type, and stable Rust has no specialization. Keeping the blanket
/// `From` keeps `?` working on any error in a handler that returns
/// `anyfn::Error`; a trait with no blanket impl over `std::error::Error` is
/// then the one place a type can choose its own status, and handlers are
/// bound on it.
///
/// The one trade-off: in a function that returns `anyfn::Error`, `?` on a
/// `MyError` takes the blanket `From` and gives a 500, not `MyError`'s own
/// status. Return `MyError` from the handler instead, or convert explicitly
/// with `.map_err(IntoError::into_error)?`.
///
/// # Example
///
/// ```
/// use anyfn::{Error, ErrorKind, IntoError};
///
/// #[derive(Debug, thiserror::Error)]
/// enum LinkError {
///     #[error("no link with code `{0}`")]
///     Unknown(String),
///     #[error("the code `{0}` is taken")]
///     Taken(String),
///     #[error("the link store failed")]
///     Store(#[from] std::io::Error),
/// }
///
/// impl IntoError for LinkError {
///     fn into_error(self) -> Error {
///         let (kind, error_type) = match &self {
///             LinkError::Unknown(_) => (ErrorKind::NotFound, "UnknownLink"),
///             LinkError::Taken(_) => (ErrorKind::Conflict, "CodeTaken"),
///             LinkError::Store(_) => (ErrorKind::Unavailable, "StoreDown"),
///         };
///         Error::from_source(kind, self).with_error_type(error_type)
///     }
/// }
///
/// let err = LinkError::Taken("abc".into()).into_error();
/// assert_eq!((err.status().as_u16(), err.error_type()), (409, "CodeTaken"));
/// assert_eq!(err.to_string(), "the code `abc` is taken");
///
/// let err = LinkError::from(std::io::Error::other("disk full")).into_error();
/// assert_eq!(err.status(), 503);
/// assert_eq!(format!("{err:#}"), "the link store failed: disk full");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a handler's error type",
    label = "this handler fails with `{Self}`",
    note = "return `anyfn::Error` (any `std::error::Error` converts into it with `?`, a `Box<dyn Error + Send + Sync>` with `anyfn::Error::from_boxed`), or implement `anyfn::IntoError` for `{Self}` to say which status each of its values answers"
)]
pub trait IntoError {
    /// Makes the [`Error`] this value is reported as.
    fn into_error(self) -> Error;
}

impl IntoError for Error {
    fn into_error(self) -> Error {
        self
    }
}

impl IntoError for Infallible {
    fn into_error(self) -> Error {
        match self {}
    }
}

impl IntoError for Box<dyn StdError + Send + Sync + 'static> {
    fn into_error(self) -> Error {
        Error::from_boxed(self)
    }
}

/// `IntoError` for error types whose every value is a handler failure (500).
macro_rules! handler_failures {
    ($($error:ty),* $(,)?) => {
        $(
            impl IntoError for $error {
                fn into_error(self) -> Error {
                    Error::from_source(ErrorKind::Handler, self)
                }
            }
        )*
    };
}

handler_failures!(
    std::io::Error,
    std::fmt::Error,
    std::num::ParseIntError,
    std::num::ParseFloatError,
    std::str::Utf8Error,
    std::string::FromUtf8Error,
    serde_json::Error,
    http::Error,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn std_errors_are_handler_failures_with_their_source() {
        let err = std::io::Error::other("disk on fire").into_error();
        assert_eq!(err.kind(), ErrorKind::Handler);
        assert_eq!(err.message(), "disk on fire");
        assert!(err.downcast_ref::<std::io::Error>().is_some());
    }

    #[test]
    fn a_boxed_error_keeps_its_chain() {
        #[derive(Debug, thiserror::Error)]
        #[error("calling the pricing service")]
        struct Upstream(#[source] std::io::Error);

        let boxed: Box<dyn StdError + Send + Sync> =
            Box::new(Upstream(std::io::Error::other("connection reset")));
        let err = boxed.into_error();
        assert_eq!(err.status(), 500);
        assert_eq!(
            format!("{err:#}"),
            "calling the pricing service: connection reset"
        );
    }
}
