//! The lambda_http peer of the `hello` example without a subscriber:
//! `lambda_http::run(service_fn(...))` of
//! [`anyfn_bench_peers::lambda_http_hello`] alone, what the binary costs
//! before the logging lambda_http's README installs (`lambda-http-hello`).
//! `benches/lambda_hello_vs_lambda_http.sh` prints its figures beside the
//! others.

use lambda_http::{service_fn, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::run(service_fn(anyfn_bench_peers::lambda_http_hello)).await
}
