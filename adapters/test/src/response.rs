//! Asserting on HTTP responses: [`TestResponse`].

use anyfn::http::{HeaderMap, StatusCode};
use anyfn::{Body, Response};
use serde::de::DeserializeOwned;

/// A [`Response`] with accessors that make assertions short.
///
/// # Example
///
/// ```
/// use anyfn_test::TestResponse;
///
/// let response = TestResponse::from(anyfn::response::text("Hello, Ada!"));
/// response.assert_status(200);
/// assert_eq!(response.text(), "Hello, Ada!");
/// assert_eq!(response.header("content-type"), Some("text/plain; charset=utf-8"));
/// ```
#[derive(Debug, Clone)]
pub struct TestResponse {
    inner: Response,
}

impl TestResponse {
    /// The status.
    pub fn status(&self) -> StatusCode {
        self.inner.status()
    }

    /// Every header.
    pub fn headers(&self) -> &HeaderMap {
        self.inner.headers()
    }

    /// The first value of header `name`, if it is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.inner.headers().get(name)?.to_str().ok()
    }

    /// Every value of header `name` that is text, in order.
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.inner
            .headers()
            .get_all(name)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect()
    }

    /// The body.
    pub fn body(&self) -> &Body {
        self.inner.body()
    }

    /// The body as text.
    ///
    /// # Panics
    ///
    /// When the body is not UTF-8.
    #[track_caller]
    pub fn text(&self) -> &str {
        match self.inner.body().text() {
            Ok(text) => text,
            Err(err) => panic!("response body is not text: {err}"),
        }
    }

    /// The body parsed as JSON.
    ///
    /// # Panics
    ///
    /// When the body is not JSON for `T`; the message shows the body.
    #[track_caller]
    pub fn json<T: DeserializeOwned>(&self) -> T {
        match self.inner.body().json() {
            Ok(value) => value,
            Err(err) => panic!(
                "response body is not the JSON expected: {err}; body: {:?}",
                self.inner.body()
            ),
        }
    }

    /// Asserts the status, showing the body when it differs.
    ///
    /// # Panics
    ///
    /// When the status is not `expected`.
    #[track_caller]
    pub fn assert_status(&self, expected: u16) -> &Self {
        assert_eq!(
            self.status().as_u16(),
            expected,
            "unexpected status; body: {:?}",
            self.inner.body()
        );
        self
    }

    /// The response.
    pub fn into_inner(self) -> Response {
        self.inner
    }
}

impl From<Response> for TestResponse {
    fn from(inner: Response) -> Self {
        Self { inner }
    }
}
