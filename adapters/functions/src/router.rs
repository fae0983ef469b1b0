//! [`FunctionRouter`]: every function of a registry under its own path.

use std::fmt;
use std::sync::Arc;

use anyfn::error::quoted;
use anyfn::http::uri::{PathAndQuery, Uri};
use anyfn::{async_trait, Context, Error, Handler, Request};
use anyfn_server::HttpAnswer;

use crate::Function;

/// Every function of a [`Functions`](crate::Functions) registry as one HTTP
/// handler: a request to `/{name}` or `/{name}/…` goes to the function
/// `name`, which sees the path with `/{name}` taken off (`/orders/42?x=1`
/// reaches `orders` as `/42?x=1`, `/orders` as `/`), as it would deployed
/// alone. Its [`Context::function_name`] is `name`.
///
/// Each function decodes the request into its own event as the server
/// would serve it alone ([`FromHttp`](anyfn_server::FromHttp)): a storage
/// function takes a CloudEvent or a JSON POST of a `StorageEvent` at its
/// path. Any other path is a `404 Not Found` whose message lists the
/// functions.
///
/// Made by [`Functions::router`](crate::Functions::router); serve it with
/// `anyfn_server::Server::new(router)`, or test it with
/// `anyfn_test::TestServer::start(router)`.
///
/// # Example
///
/// ```
/// use anyfn::{handler_fn, Context, Json, Request, RequestExt, Response};
/// use anyfn_functions::Functions;
/// use anyfn_test::{TestRequest, TestServer};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let functions = Functions::new()
///     .add("where", handler_fn(|request: Request, context: Context| async move {
///         let answer = format!("{} got {}", context.function_name(), request.uri());
///         Ok::<_, anyfn::Error>(anyfn::response::text(answer))
///     }))
///     .add("double", handler_fn(|Json(n): Json<u64>, _: Context| async move {
///         Ok::<_, anyfn::Error>(Json(n * 2))
///     }));
/// let server = TestServer::start(functions.router()).await?;
/// assert_eq!(server.client().get("/where/a/b?c=d").await?.text(), "where got /a/b?c=d");
/// let doubled = server.client().send(TestRequest::post("/double").json(&21)).await?;
/// assert_eq!(doubled.text(), "42");
/// server.client().get("/triple").await?.assert_status(404);
/// server.shutdown().await;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct FunctionRouter {
    functions: Arc<[Function]>,
}

impl FunctionRouter {
    pub(crate) fn new(functions: Vec<Function>) -> Self {
        Self {
            functions: functions.into(),
        }
    }

    /// The function a path names, and the path its handler sees.
    fn route(&self, path_and_query: &str) -> Option<(&Function, String)> {
        let rest = path_and_query.strip_prefix('/')?;
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (name, tail) = rest.split_at(end);
        let function = self.functions.iter().find(|f| f.name() == name)?;
        let path = if tail.starts_with('/') {
            tail.to_owned()
        } else {
            format!("/{tail}")
        };
        Some((function, path))
    }

    fn not_found(&self, path: &str) -> Error {
        let names: Vec<_> = self.functions.iter().map(Function::name).collect();
        Error::not_found(format!(
            "no function at {}; this binary serves each function at /{{name}}: {}",
            quoted(path),
            names.join(", ")
        ))
    }
}

impl fmt::Debug for FunctionRouter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FunctionRouter")
            .field("functions", &self.functions)
            .finish()
    }
}

#[async_trait]
impl Handler for FunctionRouter {
    type Event = Request;
    type Output = HttpAnswer;
    type Error = Error;

    async fn call(&self, mut request: Request, context: Context) -> Result<HttpAnswer, Error> {
        let original = request
            .uri()
            .path_and_query()
            .map_or("/", PathAndQuery::as_str)
            .to_owned();
        let Some((function, path)) = self.route(&original) else {
            return Err(self.not_found(request.uri().path()));
        };
        let mut parts = request.uri().clone().into_parts();
        parts.path_and_query =
            Some(path.parse::<PathAndQuery>().map_err(|err| {
                Error::bad_request(format!("invalid path {}: {err}", quoted(&path)))
            })?);
        *request.uri_mut() = Uri::from_parts(parts)
            .map_err(|err| Error::bad_request(format!("invalid URI: {err}")))?;
        let context = context
            .into_builder()
            .function_name(Arc::clone(function.shared_name()))
            .build();
        function.erased().call_http(request, context).await
    }
}

#[cfg(test)]
mod tests {
    use anyfn::{handler_fn, Json};

    use crate::Functions;

    fn router() -> super::FunctionRouter {
        let echo =
            |Json(v): Json<u8>, _: anyfn::Context| async move { Ok::<_, anyfn::Error>(Json(v)) };
        Functions::new()
            .add("orders", handler_fn(echo))
            .add("orders-v2", handler_fn(echo))
            .router()
    }

    #[test]
    fn the_debug_form_lists_the_functions_and_their_types() {
        let debug = format!("{:?}", router());
        assert!(
            debug.starts_with("FunctionRouter { functions: [Function { name: \"orders\""),
            "{debug}"
        );
        assert!(debug.contains("name: \"orders-v2\""), "{debug}");
        assert!(
            debug.contains("event: \"anyfn::json::Json<u8>\""),
            "{debug}"
        );
    }

    #[test]
    fn the_first_segment_names_the_function_and_the_rest_is_its_path() {
        let router = router();
        let route = |path: &str| router.route(path).map(|(f, p)| (f.name().to_owned(), p));
        let of = |name: &str, path: &str| Some((name.to_owned(), path.to_owned()));
        assert_eq!(route("/orders"), of("orders", "/"));
        assert_eq!(route("/orders/"), of("orders", "/"));
        assert_eq!(route("/orders/42/items"), of("orders", "/42/items"));
        assert_eq!(route("/orders?page=2"), of("orders", "/?page=2"));
        assert_eq!(route("/orders/x?page=2"), of("orders", "/x?page=2"));
        assert_eq!(route("/orders-v2"), of("orders-v2", "/"));
        assert_eq!(route("/ordersx"), None);
        assert_eq!(route("/"), None);
        assert_eq!(route("/Orders"), None, "names are matched exactly");
        assert_eq!(route("*"), None);
    }
}
