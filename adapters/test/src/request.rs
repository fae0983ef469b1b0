//! Building HTTP requests for tests: [`TestRequest`].

use anyfn::http::header::{HeaderName, HeaderValue, CONTENT_TYPE, COOKIE};
use anyfn::http::{HeaderMap, Method};
use anyfn::{Body, PathParams, Query, Request, StageVariables};
use serde::Serialize;

/// Builds a [`Request`] for a handler, the harness or a [`TestClient`](crate::TestClient).
///
/// Methods panic on input a test would never mean to give (an invalid header
/// name), so tests read straight.
///
/// # Example
///
/// ```
/// use anyfn::RequestExt;
/// use anyfn_test::TestRequest;
///
/// let request = TestRequest::post("/orders")
///     .query("dry-run", "yes")
///     .header("x-tenant", "acme")
///     .cookie("session", "abc")
///     .json(&serde_json::json!({"id": 7}))
///     .build();
///
/// assert_eq!(request.uri(), "/orders?dry-run=yes");
/// assert_eq!(request.headers()["content-type"], "application/json");
/// assert_eq!(request.cookies().collect::<Vec<_>>(), [("session", "abc")]);
/// assert_eq!(request.body().as_bytes(), br#"{"id":7}"#);
/// ```
///
/// Path parameters and stage variables, as API Gateway or Azure would give
/// them, go into the request's extensions; the harness's handler reads them
/// with [`RequestExt::path_params`](anyfn::RequestExt::path_params) and
/// [`RequestExt::stage_variables`](anyfn::RequestExt::stage_variables),
/// and [`fixtures`](crate::fixtures) write them into the events they render.
/// (Over HTTP to the local server they are not sent: it has no routes.)
///
/// ```
/// use anyfn::RequestExt;
/// use anyfn_test::TestRequest;
///
/// let request = TestRequest::get("/orders/7")
///     .path_param("id", "7")
///     .stage_variable("table", "orders-test")
///     .build();
/// assert_eq!(request.path_param("id"), Some("7"));
/// assert_eq!(request.stage_variable("table"), Some("orders-test"));
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct TestRequest {
    method: Method,
    uri: String,
    query: Query,
    headers: HeaderMap,
    cookies: Vec<String>,
    body: Body,
    path_params: PathParams,
    stage_variables: StageVariables,
}

impl TestRequest {
    /// A request with `method` for `uri` (a path, with or without a query).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::http::Method;
    /// use anyfn_test::TestRequest;
    ///
    /// let request = TestRequest::new(Method::PATCH, "/orders/7?notify=no").build();
    /// assert_eq!(request.method(), Method::PATCH);
    /// assert_eq!(request.uri(), "/orders/7?notify=no");
    /// ```
    pub fn new(method: Method, uri: impl Into<String>) -> Self {
        Self {
            method,
            uri: uri.into(),
            query: Query::new(),
            headers: HeaderMap::new(),
            cookies: Vec::new(),
            body: Body::empty(),
            path_params: PathParams::new(),
            stage_variables: StageVariables::new(),
        }
    }

    /// A `GET` request.
    ///
    /// # Example
    ///
    /// ```
    /// let request = anyfn_test::TestRequest::get("/orders").build();
    /// assert_eq!(request.method(), anyfn::http::Method::GET);
    /// assert_eq!(request.uri(), "/orders");
    /// ```
    pub fn get(uri: impl Into<String>) -> Self {
        Self::new(Method::GET, uri)
    }

    /// A `POST` request.
    ///
    /// # Example
    ///
    /// ```
    /// let request = anyfn_test::TestRequest::post("/orders").body("7 apples").build();
    /// assert_eq!(request.method(), anyfn::http::Method::POST);
    /// assert_eq!(request.body().as_bytes(), b"7 apples");
    /// ```
    pub fn post(uri: impl Into<String>) -> Self {
        Self::new(Method::POST, uri)
    }

    /// A `PUT` request.
    ///
    /// # Example
    ///
    /// ```
    /// let request = anyfn_test::TestRequest::put("/orders/7").build();
    /// assert_eq!(request.method(), anyfn::http::Method::PUT);
    /// assert_eq!(request.uri(), "/orders/7");
    /// ```
    pub fn put(uri: impl Into<String>) -> Self {
        Self::new(Method::PUT, uri)
    }

    /// A `DELETE` request.
    ///
    /// # Example
    ///
    /// ```
    /// let request = anyfn_test::TestRequest::delete("/orders/7").build();
    /// assert_eq!(request.method(), anyfn::http::Method::DELETE);
    /// assert_eq!(request.uri(), "/orders/7");
    /// ```
    pub fn delete(uri: impl Into<String>) -> Self {
        Self::new(Method::DELETE, uri)
    }

    /// Adds a query parameter (encoded), after those already in the URI.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::RequestExt;
    /// use anyfn_test::TestRequest;
    ///
    /// let request = TestRequest::get("/search?page=2").query("q", "red shoes").build();
    /// assert_eq!(request.uri(), "/search?page=2&q=red+shoes");
    /// assert_eq!(request.query().get("q"), Some("red shoes"));
    /// ```
    pub fn query(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.append(key, value);
        self
    }

    /// Adds a header value; repeated names keep every value.
    ///
    /// # Panics
    ///
    /// When `name` or `value` is not a valid header name or value.
    ///
    /// # Example
    ///
    /// ```
    /// let request = anyfn_test::TestRequest::get("/")
    ///     .header("accept", "text/html")
    ///     .header("accept", "application/json")
    ///     .build();
    /// let accepted: Vec<_> = request.headers().get_all("accept").iter().collect();
    /// assert_eq!(accepted, ["text/html", "application/json"]);
    /// ```
    #[track_caller]
    pub fn header(mut self, name: &str, value: &str) -> Self {
        let name = HeaderName::try_from(name)
            .unwrap_or_else(|err| panic!("invalid header name {name:?}: {err}"));
        // Its bytes, as a value arrives over HTTP: above ASCII too (http's
        // `try_from(&str)` refuses those since http 1.6).
        let value = HeaderValue::from_bytes(value.as_bytes())
            .unwrap_or_else(|err| panic!("invalid header value {value:?}: {err}"));
        self.headers.append(name, value);
        self
    }

    /// Adds a cookie to the `Cookie` header.
    ///
    /// # Example
    ///
    /// ```
    /// let request = anyfn_test::TestRequest::get("/").cookie("session", "abc").cookie("theme", "dark").build();
    /// assert_eq!(request.headers()["cookie"], "session=abc; theme=dark");
    /// ```
    pub fn cookie(mut self, name: &str, value: &str) -> Self {
        self.cookies.push(format!("{name}={value}"));
        self
    }

    /// Sets the path parameter `name` to `value` (as a route `/orders/{id}`
    /// would), replacing an earlier value. The value is as the platform
    /// gives it: already decoded.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::RequestExt;
    ///
    /// let request = anyfn_test::TestRequest::get("/orders/a%20b").path_param("id", "a b").build();
    /// assert_eq!(request.path_params().iter().collect::<Vec<_>>(), [("id", "a b")]);
    /// ```
    pub fn path_param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.path_params.insert(name, value);
        self
    }

    /// Sets the API Gateway stage variable `name` to `value`, replacing an
    /// earlier value.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::RequestExt;
    ///
    /// let request = anyfn_test::TestRequest::get("/").stage_variable("table", "orders").build();
    /// assert_eq!(request.stage_variable("table"), Some("orders"));
    /// ```
    pub fn stage_variable(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.stage_variables.insert(name, value);
        self
    }

    /// Sets the body.
    ///
    /// # Example
    ///
    /// ```
    /// let request = anyfn_test::TestRequest::put("/notes/1").body("remember the milk").build();
    /// assert_eq!(request.body().text().unwrap(), "remember the milk");
    /// assert!(!request.headers().contains_key("content-type"), "the type is the test's to set");
    /// ```
    pub fn body(mut self, body: impl Into<Body>) -> Self {
        self.body = body.into();
        self
    }

    /// Sets the body to `value` as JSON, with `content-type: application/json`.
    ///
    /// # Panics
    ///
    /// When `value` cannot be serialized.
    ///
    /// # Example
    ///
    /// ```
    /// let request = anyfn_test::TestRequest::post("/orders").json(&serde_json::json!({"id": 7})).build();
    /// assert_eq!(request.headers()["content-type"], "application/json");
    /// assert_eq!(request.body().as_bytes(), br#"{"id":7}"#);
    /// ```
    #[track_caller]
    pub fn json<T: Serialize + ?Sized>(mut self, value: &T) -> Self {
        self.body = Body::from_json(value)
            .unwrap_or_else(|err| panic!("cannot serialize the test body: {err}"));
        self.headers
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        self
    }

    /// The request.
    ///
    /// # Panics
    ///
    /// When the URI is not valid.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::Request;
    /// use anyfn_test::TestRequest;
    ///
    /// let request: Request = TestRequest::delete("/orders/7").query("force", "yes").build();
    /// assert_eq!(request.method(), "DELETE");
    /// assert_eq!(request.uri().path(), "/orders/7");
    /// assert_eq!(request.uri().query(), Some("force=yes"));
    /// ```
    #[track_caller]
    pub fn build(self) -> Request {
        let mut uri = self.uri;
        if !self.query.is_empty() {
            uri.push(if uri.contains('?') { '&' } else { '?' });
            uri.push_str(&self.query.to_string());
        }
        let mut request = Request::new(self.body);
        *request.method_mut() = self.method;
        *request.uri_mut() = uri
            .parse()
            .unwrap_or_else(|err| panic!("invalid test URI {uri:?}: {err}"));
        *request.headers_mut() = self.headers;
        if !self.cookies.is_empty() {
            let cookie = self.cookies.join("; ");
            let value = HeaderValue::from_bytes(cookie.as_bytes())
                .unwrap_or_else(|err| panic!("invalid cookie header {cookie:?}: {err}"));
            request.headers_mut().append(COOKIE, value);
        }
        if !self.path_params.is_empty() {
            request.extensions_mut().insert(self.path_params);
        }
        if !self.stage_variables.is_empty() {
            request.extensions_mut().insert(self.stage_variables);
        }
        request
    }
}

impl From<TestRequest> for Request {
    fn from(request: TestRequest) -> Self {
        request.build()
    }
}
