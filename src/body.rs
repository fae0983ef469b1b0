//! The bytes of an HTTP body: [`Body`].

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::Error;

/// A whole HTTP body, held in memory: the body of [`Request`](crate::Request)
/// and [`Response`](crate::Response).
///
/// Serverless platforms deliver bodies whole (Lambda's payload limit is 6 MB),
/// so a body is a cheap-to-clone [`Bytes`], not a stream.
///
/// # Example
///
/// ```
/// use anyfn::Body;
///
/// let body = Body::from(r#"{"name":"Ada"}"#);
/// let value: serde_json::Value = body.json()?;
/// assert_eq!(value["name"], "Ada");
/// assert_eq!(body.text()?, r#"{"name":"Ada"}"#);
/// # Ok::<(), anyfn::Error>(())
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Body(Bytes);

impl Body {
    /// An empty body.
    ///
    /// # Example
    ///
    /// ```
    /// let body = anyfn::Body::empty();
    /// assert!(body.is_empty());
    /// assert_eq!(body, anyfn::Body::default());
    /// ```
    pub const fn empty() -> Self {
        Self(Bytes::new())
    }

    /// A body of `value` serialized as JSON.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Internal`](crate::ErrorKind::Internal) when `value` cannot be
    /// serialized (a map with non-string keys, a failing `Serialize` impl).
    ///
    /// # Example
    ///
    /// ```
    /// let body = anyfn::Body::from_json(&serde_json::json!({"ok": true}))?;
    /// assert_eq!(body.as_bytes(), br#"{"ok":true}"#);
    /// # Ok::<(), anyfn::Error>(())
    /// ```
    pub fn from_json<T: Serialize + ?Sized>(value: &T) -> Result<Self, Error> {
        serde_json::to_vec(value).map(Self::from).map_err(|source| {
            Error::with_source(
                crate::ErrorKind::Internal,
                "could not serialize the output as JSON",
                source,
            )
        })
    }

    /// A body from standard base64 text, as providers send binary bodies
    /// (API Gateway's `isBase64Encoded`, Pub/Sub's `data`): padded or not,
    /// nothing looser (see the crate's notes on base64 in
    /// [`Body::to_base64`]).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::BadRequest`](crate::ErrorKind::BadRequest) saying what is
    /// not base64 and where.
    ///
    /// # Example
    ///
    /// ```
    /// let body = anyfn::Body::from_base64("3q2+7w==")?;
    /// assert_eq!(body.as_bytes(), [0xde, 0xad, 0xbe, 0xef]);
    /// assert!(anyfn::Body::from_base64("3q2+7w==!").is_err());
    /// # Ok::<(), anyfn::Error>(())
    /// ```
    pub fn from_base64(text: &str) -> Result<Self, Error> {
        crate::base64::decode(text)
            .map(Self::from)
            .map_err(|reason| Error::bad_request(format!("the body is not valid base64: {reason}")))
    }

    /// The bytes as standard base64 with padding (RFC 4648 §4), as every
    /// provider sends binary data. anyfn reads the same alphabet with or
    /// without padding, and nothing looser: no URL-safe alphabet, no
    /// whitespace, no excess padding, no stray trailing bits.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn::Body::from(&b"foo"[..]).to_base64(), "Zm9v");
    /// ```
    pub fn to_base64(&self) -> String {
        crate::base64::encode(&self.0)
    }

    /// The bytes.
    ///
    /// # Example
    ///
    /// ```
    /// let body = anyfn::Body::from("hi");
    /// assert_eq!(body.as_bytes(), b"hi");
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The bytes, without copying.
    ///
    /// # Example
    ///
    /// ```
    /// let bytes: bytes::Bytes = anyfn::Body::from("hi").into_bytes();
    /// assert_eq!(bytes, "hi");
    /// ```
    pub fn into_bytes(self) -> Bytes {
        self.0
    }

    /// The length in bytes.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn::Body::from("héllo").len(), 6);
    /// assert_eq!(anyfn::Body::empty().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the body has no bytes.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(anyfn::Body::from("").is_empty());
    /// assert!(!anyfn::Body::from(" ").is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The body as UTF-8 text.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::BadRequest`](crate::ErrorKind::BadRequest) naming the offset
    /// of the first byte that is not UTF-8.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn::Body::from("hi").text()?, "hi");
    /// let err = anyfn::Body::from(vec![0x66, 0xff]).text().unwrap_err();
    /// assert!(err.is_bad_request());
    /// # Ok::<(), anyfn::Error>(())
    /// ```
    pub fn text(&self) -> Result<&str, Error> {
        std::str::from_utf8(&self.0).map_err(|source| {
            Error::with_source(
                crate::ErrorKind::BadRequest,
                "the body is not UTF-8 text",
                source,
            )
        })
    }

    /// The body parsed as JSON into `T`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::BadRequest`](crate::ErrorKind::BadRequest) saying what was
    /// wrong and where: an empty body, a syntax error at a line and column, a
    /// missing field or a value of the wrong type.
    ///
    /// # Example
    ///
    /// ```
    /// let err = anyfn::Body::from("{\"name\": 42}")
    ///     .json::<std::collections::HashMap<String, String>>()
    ///     .unwrap_err();
    /// assert!(err.is_bad_request());
    /// assert!(err.to_string().starts_with("the body is not valid JSON for this event: invalid type: integer `42`"));
    /// ```
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        if self.0.iter().all(u8::is_ascii_whitespace) {
            return Err(Error::bad_request(
                "the body is empty; expected a JSON document",
            ));
        }
        serde_json::from_slice(&self.0).map_err(|source| {
            Error::with_source(
                crate::ErrorKind::BadRequest,
                "the body is not valid JSON for this event",
                source,
            )
        })
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match std::str::from_utf8(&self.0) {
            Ok(text) => f.debug_tuple("Body").field(&text).finish(),
            Err(_) => write!(f, "Body(<{} bytes, not UTF-8>)", self.0.len()),
        }
    }
}

impl From<Bytes> for Body {
    fn from(bytes: Bytes) -> Self {
        Self(bytes)
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Self {
        Self(Bytes::from(bytes))
    }
}

impl From<String> for Body {
    fn from(text: String) -> Self {
        Self(Bytes::from(text))
    }
}

impl From<&str> for Body {
    fn from(text: &str) -> Self {
        Self(Bytes::copy_from_slice(text.as_bytes()))
    }
}

impl From<&[u8]> for Body {
    fn from(bytes: &[u8]) -> Self {
        Self(Bytes::copy_from_slice(bytes))
    }
}

impl From<Cow<'static, str>> for Body {
    fn from(text: Cow<'static, str>) -> Self {
        match text {
            Cow::Borrowed(text) => Self(Bytes::from_static(text.as_bytes())),
            Cow::Owned(text) => Self::from(text),
        }
    }
}

impl From<()> for Body {
    fn from((): ()) -> Self {
        Self::empty()
    }
}

impl From<Body> for Bytes {
    fn from(body: Body) -> Self {
        body.0
    }
}

/// A body is one data frame (none when empty): what tower services,
/// middleware and hyper take.
///
/// # Example
///
/// ```
/// use http_body::Body as _;
///
/// let body = anyfn::Body::from("hi");
/// assert_eq!(body.size_hint().exact(), Some(2));
/// assert!(!body.is_end_stream());
/// ```
impl http_body::Body for Body {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        let bytes = std::mem::take(&mut self.0);
        std::task::Poll::Ready((!bytes.is_empty()).then(|| Ok(http_body::Frame::data(bytes))))
    }

    fn is_end_stream(&self) -> bool {
        self.0.is_empty()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.0.len() as u64)
    }
}

impl AsRef<[u8]> for Body {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_body_is_a_clear_json_error() {
        let err = Body::from("  \n").json::<serde_json::Value>().unwrap_err();
        assert!(err.is_bad_request());
        assert_eq!(
            err.to_string(),
            "the body is empty; expected a JSON document"
        );
    }

    #[test]
    fn syntax_error_names_line_and_column() {
        let err = Body::from("{\"a\":")
            .json::<serde_json::Value>()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "the body is not valid JSON for this event: EOF while parsing a value at line 1 column 5"
        );
    }

    /// serde_json quotes the string it refused: a 1 MB string where a number
    /// belongs came back whole in the error answer and the log line.
    #[test]
    fn regression_a_refused_value_is_quoted_bounded_in_the_error() {
        let huge = "a".repeat(1 << 20);
        let body = Body::from(format!("{{\"n\": \"{huge}\"}}"));
        #[derive(Debug, serde::Deserialize)]
        struct Count {
            #[allow(dead_code)]
            n: u64,
        }
        let err = body.json::<Count>().unwrap_err();
        assert!(err.is_bad_request());
        let message = err.message();
        assert!(message.len() < 600, "{} bytes", message.len());
        assert!(
            message.starts_with(
                "the body is not valid JSON for this event: invalid type: string \"aaa"
            ),
            "{message}"
        );
        assert!(
            message.ends_with("expected u64 at line 1 column 1048584"),
            "{message}"
        );
        assert!(message.contains(" bytes left out) …"), "{message}");
        let logged = format!("{err:#}");
        assert!(
            logged.len() < 1200,
            "the log's form: {} bytes",
            logged.len()
        );
        let answer = err.to_response("r", crate::ErrorDetails::Hidden);
        assert!(answer.body().len() < 700, "{} bytes", answer.body().len());
    }

    #[test]
    fn invalid_utf8_is_a_bad_request_not_a_panic() {
        let err = Body::from(vec![0x66, 0xff]).text().unwrap_err();
        assert!(err.is_bad_request());
        assert!(err.to_string().contains("index 1"), "{err}");
    }
}
