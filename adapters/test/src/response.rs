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
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::http::StatusCode;
    /// use anyfn_test::TestResponse;
    ///
    /// let response = TestResponse::from(anyfn::response::status(StatusCode::NO_CONTENT));
    /// assert_eq!(response.status(), StatusCode::NO_CONTENT);
    /// ```
    pub fn status(&self) -> StatusCode {
        self.inner.status()
    }

    /// Every header.
    ///
    /// # Example
    ///
    /// ```
    /// let response = anyfn_test::TestResponse::from(anyfn::response::text("hi"));
    /// assert_eq!(response.headers()["content-type"], "text/plain; charset=utf-8");
    /// assert!(!response.headers().contains_key("location"));
    /// ```
    pub fn headers(&self) -> &HeaderMap {
        self.inner.headers()
    }

    /// The first value of header `name`, if it is text.
    ///
    /// # Example
    ///
    /// ```
    /// let response = anyfn_test::TestResponse::from(anyfn::response::text("hi"));
    /// assert_eq!(response.header("Content-Type"), Some("text/plain; charset=utf-8"));
    /// assert_eq!(response.header("location"), None);
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        self.inner.headers().get(name)?.to_str().ok()
    }

    /// Every value of header `name` that is text, in order.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::http::HeaderValue;
    ///
    /// let mut inner = anyfn::response::text("hi");
    /// inner.headers_mut().append("set-cookie", HeaderValue::from_static("session=abc"));
    /// inner.headers_mut().append("set-cookie", HeaderValue::from_static("theme=dark"));
    /// let response = anyfn_test::TestResponse::from(inner);
    /// assert_eq!(response.header_all("set-cookie"), ["session=abc", "theme=dark"]);
    /// assert!(response.header_all("location").is_empty());
    /// ```
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.inner
            .headers()
            .get_all(name)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect()
    }

    /// The body.
    ///
    /// # Example
    ///
    /// ```
    /// let response = anyfn_test::TestResponse::from(anyfn::response::text("hi"));
    /// assert_eq!(response.body().as_bytes(), b"hi");
    /// ```
    pub fn body(&self) -> &Body {
        self.inner.body()
    }

    /// The body as text.
    ///
    /// # Panics
    ///
    /// When the body is not UTF-8.
    ///
    /// # Example
    ///
    /// ```
    /// let response = anyfn_test::TestResponse::from(anyfn::response::text("Hello, Ada!"));
    /// assert_eq!(response.text(), "Hello, Ada!");
    /// ```
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
    ///
    /// # Example
    ///
    /// ```
    /// # fn main() -> Result<(), anyfn::Error> {
    /// let response = anyfn_test::TestResponse::from(anyfn::response::json(&serde_json::json!({"id": 7, "paid": true}))?);
    /// let order: serde_json::Value = response.json();
    /// assert_eq!(order["id"], 7);
    /// assert_eq!(response.json::<std::collections::BTreeMap<String, serde_json::Value>>().len(), 2);
    /// # Ok(())
    /// # }
    /// ```
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
    ///
    /// # Example
    ///
    /// ```
    /// let response = anyfn_test::TestResponse::from(anyfn::response::text("hi"));
    /// // Chained: the response back, to assert on further.
    /// let text = response.assert_status(200).text();
    /// assert_eq!(text, "hi");
    /// ```
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
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::Response;
    ///
    /// let response = anyfn_test::TestResponse::from(anyfn::response::text("hi"));
    /// let inner: Response = response.into_inner();
    /// assert_eq!(inner.status(), 200);
    /// assert_eq!(inner.into_body().as_bytes(), b"hi");
    /// ```
    pub fn into_inner(self) -> Response {
        self.inner
    }
}

impl From<Response> for TestResponse {
    fn from(inner: Response) -> Self {
        Self { inner }
    }
}
