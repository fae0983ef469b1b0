//! [`Stage`]: the deployment stage a request came through.

use std::fmt;

/// The deployment stage the platform served a request from: an API
/// Gateway stage (`prod`, `$default`). The adapter puts it in the request's
/// [extensions](http::Request::extensions) where the platform has stages
/// (AWS Lambda behind API Gateway); handlers read it with
/// [`RequestExt::stage`](crate::RequestExt::stage), `None` elsewhere (the
/// local server, Cloud Run, Azure Functions, Function URLs, ALBs).
///
/// The request's path never starts with the stage: it is the path the
/// route sees on every platform, what lambda_http calls
/// `raw_http_path()`. A handler that needs the path as the client sent it
/// to API Gateway's default endpoint puts the stage back in front.
///
/// # Example
///
/// ```
/// use anyfn::{Body, RequestExt, Stage};
///
/// let mut request = anyfn::Request::new(Body::empty());
/// assert_eq!(request.stage(), None);
/// request.extensions_mut().insert(Stage::new("prod"));
/// assert_eq!(request.stage(), Some("prod"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Stage(String);

impl Stage {
    /// The stage named `name`.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn::Stage::new("prod").as_str(), "prod");
    /// ```
    pub fn new(name: impl Into<String>) -> Self {
        Self(name.into())
    }

    /// The stage's name.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(anyfn::Stage::new("$default").as_str(), "$default");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
