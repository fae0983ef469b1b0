//! The lambda_http peer of the `hello` example: `GET /?name=Ada` answers
//! `Hello, Ada!` (`Hello, world!` without a name) as
//! `text/plain; charset=utf-8`, through `lambda_http::run`.
//!
//! `benches/lambda_runtime_vs_anyfn.sh` builds it like `hello` (release,
//! stripped) and compares their sizes and cold starts (process start → first
//! answered invocation) against the same Runtime API emulator. It is built
//! with the workspace's `lambda_http` features (API Gateway REST and HTTP
//! APIs, ALB; no default features), the same event sources anyfn-lambda
//! serves.
//!
//! ```text
//! cargo build --release -p anyfn-bench-peers --bin lambda-http-hello
//! cargo run --release -p anyfn-bench-peers --bin lambda-driver -- \
//!     cold target/release/lambda-http-hello 5 PAYLOAD.json
//! ```

use lambda_http::http::header::CONTENT_TYPE;
use lambda_http::{service_fn, Body, Error, Request, RequestExt, Response};

/// Greets the `name` query parameter, or the world.
async fn hello(request: Request) -> Result<Response<Body>, Error> {
    let name = request
        .query_string_parameters_ref()
        .and_then(|query| query.first("name"))
        .unwrap_or("world")
        .to_owned();
    let response = Response::builder()
        .status(200)
        .header(CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(Body::from(format!("Hello, {name}!")))?;
    Ok(response)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::run(service_fn(hello)).await
}
