//! Reading an HTTP request: [`RequestExt`].

use serde::de::DeserializeOwned;

use crate::{Error, Query, Request};

/// Reads what handlers most often need from a [`Request`]: its query, its
/// body as JSON or text, its cookies.
///
/// # Example
///
/// ```
/// use anyfn::{Body, RequestExt};
///
/// let request = anyfn::http::Request::builder()
///     .uri("/orders?id=7&id=8")
///     .header("cookie", "session=abc; theme=dark")
///     .body(Body::from(r#"{"note":"fragile"}"#))?;
///
/// assert_eq!(request.query().get_all("id").collect::<Vec<_>>(), ["7", "8"]);
/// assert_eq!(request.cookies().collect::<Vec<_>>(), [("session", "abc"), ("theme", "dark")]);
/// let body: serde_json::Value = request.json()?;
/// assert_eq!(body["note"], "fragile");
/// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
/// ```
pub trait RequestExt {
    /// The parsed query string; empty when there is none.
    fn query(&self) -> Query;

    /// The body parsed as JSON.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::BadRequest`](crate::ErrorKind::BadRequest) saying what was
    /// wrong with the body (see [`Body::json`](crate::Body::json)).
    fn json<T: DeserializeOwned>(&self) -> Result<T, Error>;

    /// The body as UTF-8 text.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::BadRequest`](crate::ErrorKind::BadRequest) when it is not UTF-8.
    fn text(&self) -> Result<&str, Error>;

    /// Every cookie of every `Cookie` header, as `(name, value)`, in order.
    /// Pieces without `=` and headers that are not text are skipped.
    fn cookies(&self) -> impl Iterator<Item = (&str, &str)>;
}

impl RequestExt for Request {
    fn query(&self) -> Query {
        self.uri().query().map(Query::parse).unwrap_or_default()
    }

    fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        self.body().json()
    }

    fn text(&self) -> Result<&str, Error> {
        self.body().text()
    }

    fn cookies(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers()
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|header| header.split(';'))
            .filter_map(|piece| {
                let (name, value) = piece.trim().split_once('=')?;
                Some((name.trim(), value.trim()))
            })
    }
}
