//! What the bench peers share: the bench scripts' peers (bare hyper, axum,
//! lambda_runtime and lambda_http functions, the drivers) are binaries of
//! this package; anyfn's own side is measured from its examples.

/// The port from the `PORT` variable, else `default`.
///
/// # Errors
///
/// When `PORT` is set to something that is not a port number.
///
/// # Example
///
/// ```
/// if std::env::var_os("PORT").is_none() {
///     assert_eq!(anyfn_bench_peers::port_from_env(3002), Ok(3002));
/// }
/// ```
pub fn port_from_env(default: u16) -> Result<u16, String> {
    match std::env::var("PORT") {
        Ok(value) if !value.is_empty() => value
            .parse()
            .map_err(|_| format!("PORT must be a port number from 0 to 65535, not {value:?}")),
        _ => Ok(default),
    }
}

/// The lambda_http peer of the `hello` example, as lambda_http's README
/// writes a function: `GET /?name=Ada` answers `Hello, Ada!` (`Hello,
/// world!` without a name) as `text/plain; charset=utf-8`. The binaries
/// `lambda-http-hello` (with the subscriber lambda_http's README installs)
/// and `lambda-http-hello-bare` (none) run it through `lambda_http::run`.
///
/// # Errors
///
/// None in practice: building the response fails only on a bad header,
/// and its one header is fixed.
///
/// # Example
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use lambda_http::{Body, Request, RequestExt};
/// use std::collections::HashMap;
///
/// let request = Request::default()
///     .with_query_string_parameters(HashMap::from([("name".to_owned(), "Ada".to_owned())]));
/// let response = anyfn_bench_peers::lambda_http_hello(request).await.unwrap();
/// assert_eq!(response.body(), &Body::from("Hello, Ada!"));
/// # });
/// ```
pub async fn lambda_http_hello(
    request: lambda_http::Request,
) -> Result<lambda_http::Response<lambda_http::Body>, lambda_http::Error> {
    use lambda_http::RequestExt;

    let name = request
        .query_string_parameters_ref()
        .and_then(|query| query.first("name"))
        .unwrap_or("world")
        .to_owned();
    let response = lambda_http::Response::builder()
        .status(200)
        .header(
            lambda_http::http::header::CONTENT_TYPE,
            "text/plain; charset=utf-8",
        )
        .body(lambda_http::Body::from(format!("Hello, {name}!")))?;
    Ok(response)
}
