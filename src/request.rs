//! Reading an HTTP request: [`RequestExt`].

use serde::de::DeserializeOwned;

use crate::{Error, PathParams, Query, Request, StageVariables};

/// Reads what handlers most often need from a [`Request`]: its query (as
/// pairs or as a typed struct), its body as JSON or text, its cookies, and
/// the path parameters and stage variables the platform's routing gave it.
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

    /// The query read into `T`, a struct whose fields are the query's keys:
    /// a `Vec` field takes every value of its key, any other field the
    /// (last) value parsed by its type, an `Option` is `None` when the key is
    /// absent. The rules in full are [`Query::deserialize_as`]'s.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::BadRequest`](crate::ErrorKind::BadRequest) naming the
    /// key, the value and what was expected
    /// (`query parameter "limit": expected an integer, found "ten"`), or the
    /// missing key (`query parameter "q" is missing`);
    /// [`ErrorKind::Internal`](crate::ErrorKind::Internal) when `T` is not
    /// something a query can fill (see [`Query::deserialize_as`]).
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{Body, RequestExt};
    /// use serde::Deserialize;
    ///
    /// #[derive(Debug, Deserialize)]
    /// struct ListLinks {
    ///     #[serde(default = "ten")]
    ///     limit: usize,
    ///     #[serde(default)]
    ///     tag: Vec<String>,
    /// }
    /// fn ten() -> usize { 10 }
    ///
    /// let request = anyfn::http::Request::builder()
    ///     .uri("/links?limit=2&tag=rust&tag=web")
    ///     .body(Body::empty())?;
    /// let list: ListLinks = request.query_as()?;
    /// assert_eq!((list.limit, list.tag), (2, vec!["rust".to_owned(), "web".to_owned()]));
    ///
    /// let request = anyfn::http::Request::builder().uri("/links?limit=ten").body(Body::empty())?;
    /// let err = request.query_as::<ListLinks>().unwrap_err();
    /// assert_eq!(err.status(), 400);
    /// assert_eq!(err.message(), r#"query parameter "limit": expected an integer, found "ten""#);
    /// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
    /// ```
    fn query_as<T: DeserializeOwned>(&self) -> Result<T, Error>;

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

    /// The path parameters the platform's route matched (API Gateway's
    /// `pathParameters`, Azure's `Params`); empty where there are none,
    /// as on the local server, which has no routes. See [`PathParams`].
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{Body, PathParams, RequestExt};
    ///
    /// let mut request = anyfn::Request::new(Body::empty());
    /// request.extensions_mut().insert(PathParams::from_iter([("id", "7")]));
    /// assert_eq!(request.path_params().len(), 1);
    /// ```
    fn path_params(&self) -> &PathParams;

    /// The path parameter `name`, when the platform's route has it.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{Body, PathParams, RequestExt};
    ///
    /// let mut request = anyfn::Request::new(Body::empty());
    /// assert_eq!(request.path_param("id"), None);
    /// request.extensions_mut().insert(PathParams::from_iter([("id", "7")]));
    /// assert_eq!(request.path_param("id"), Some("7"));
    /// ```
    fn path_param(&self, name: &str) -> Option<&str>;

    /// The API Gateway stage's variables (`stageVariables`); empty
    /// elsewhere. See [`StageVariables`].
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{Body, RequestExt, StageVariables};
    ///
    /// let mut request = anyfn::Request::new(Body::empty());
    /// assert!(request.stage_variables().is_empty());
    /// request.extensions_mut().insert(StageVariables::from_iter([("table", "orders")]));
    /// assert_eq!(request.stage_variables().get("table"), Some("orders"));
    /// ```
    fn stage_variables(&self) -> &StageVariables;

    /// The stage variable `name`, when the stage has it.
    ///
    /// # Example
    ///
    /// ```
    /// use anyfn::{Body, RequestExt, StageVariables};
    ///
    /// let mut request = anyfn::Request::new(Body::empty());
    /// request.extensions_mut().insert(StageVariables::from_iter([("table", "orders")]));
    /// assert_eq!(request.stage_variable("table"), Some("orders"));
    /// assert_eq!(request.stage_variable("bucket"), None);
    /// ```
    fn stage_variable(&self, name: &str) -> Option<&str>;

    /// The deployment stage the request came through ([`Stage`](crate::Stage):
    /// API Gateway's `prod` or `$default`), when the platform has stages.
    /// The path never starts with it.
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
    fn stage(&self) -> Option<&str>;
}

/// What [`RequestExt::path_params`] gives a request without any.
static NO_PATH_PARAMS: PathParams = PathParams::new();

/// What [`RequestExt::stage_variables`] gives a request without any.
static NO_STAGE_VARIABLES: StageVariables = StageVariables::new();

impl RequestExt for Request {
    fn query(&self) -> Query {
        self.uri().query().map(Query::parse).unwrap_or_default()
    }

    fn query_as<T: DeserializeOwned>(&self) -> Result<T, Error> {
        self.query().deserialize_as()
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

    fn path_params(&self) -> &PathParams {
        self.extensions()
            .get::<PathParams>()
            .unwrap_or(&NO_PATH_PARAMS)
    }

    fn path_param(&self, name: &str) -> Option<&str> {
        self.path_params().get(name)
    }

    fn stage_variables(&self) -> &StageVariables {
        self.extensions()
            .get::<StageVariables>()
            .unwrap_or(&NO_STAGE_VARIABLES)
    }

    fn stage_variable(&self, name: &str) -> Option<&str> {
        self.stage_variables().get(name)
    }

    fn stage(&self) -> Option<&str> {
        self.extensions()
            .get::<crate::Stage>()
            .map(crate::Stage::as_str)
    }
}
