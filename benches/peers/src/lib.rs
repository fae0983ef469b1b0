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

/// A hyper peer's `main`: listens on 127.0.0.1 at `port`, says so on
/// stderr under `name`, and serves HTTP/1.1 there as every hyper peer of
/// the benches does, and as anyfn's local server does: a task per
/// connection, `TCP_NODELAY` on each accepted socket, and a short back-off
/// after a failed accept (out of file descriptors and the like) rather
/// than a spin. Each request is answered by `answer`. Returns only when the
/// address cannot be bound.
///
/// # Errors
///
/// An address that cannot be bound.
///
/// # Example
///
/// ```no_run
/// use std::convert::Infallible;
///
/// # #[tokio::main]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let port = anyfn_bench_peers::port_from_env(3001)?;
/// anyfn_bench_peers::serve_http1("hi", port, |_request| async {
///     Ok::<_, Infallible>(hyper::Response::new(http_body_util::Full::new(bytes::Bytes::from_static(b"hi"))))
/// })
/// .await
/// # }
/// ```
pub async fn serve_http1<F, Fut, B>(
    name: &str,
    port: u16,
    answer: F,
) -> Result<(), Box<dyn std::error::Error>>
where
    F: Fn(hyper::Request<hyper::body::Incoming>) -> Fut + Copy + Send + 'static,
    Fut: std::future::Future<Output = Result<hyper::Response<B>, std::convert::Infallible>>
        + Send
        + 'static,
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let addr = std::net::SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, port));
    let listener = tokio::net::TcpListener::bind(addr).await?;
    eprintln!("{name} listening on http://{}", listener.local_addr()?);
    loop {
        let (stream, _client) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(err) => {
                eprintln!("accept failed: {err}");
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            // Clients closing mid-request are not worth a line here.
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(
                    hyper_util::rt::TokioIo::new(stream),
                    hyper::service::service_fn(answer),
                )
                .await;
        });
    }
}
