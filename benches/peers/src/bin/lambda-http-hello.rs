//! The lambda_http peer of the `hello` example, written as lambda_http's
//! README writes a function: `tracing_subscriber::fmt()` without time at
//! level INFO, then `lambda_http::run(service_fn(...))` of
//! [`anyfn_bench_peers::lambda_http_hello`]. `lambda-http-hello-bare` is the
//! same without the subscriber.
//!
//! `benches/lambda_hello_vs_lambda_http.sh` (instructions: size, cold start,
//! per invocation) and `benches/lambda_runtime_vs_anyfn.sh` (wall clock)
//! compare it with `hello`. It is built with the workspace's `lambda_http`
//! features (API Gateway REST and HTTP APIs, ALB; no default features), the
//! same event sources anyfn-lambda serves.
//!
//! ```text
//! cargo build --release -p anyfn-bench-peers --bin lambda-http-hello
//! cargo run --release -p anyfn-bench-peers --bin lambda-driver -- \
//!     cold target/release/lambda-http-hello 5 PAYLOAD.json
//! ```

use lambda_http::{service_fn, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing_subscriber::fmt()
        .without_time()
        .with_max_level(tracing::Level::INFO)
        .init();
    lambda_http::run(service_fn(anyfn_bench_peers::lambda_http_hello)).await
}
