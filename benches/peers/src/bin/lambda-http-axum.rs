//! The lambda_http peer of the `rest-api` binary on Lambda: the same axum
//! `Router` ([`rest_api::router`]) run by `lambda_http::run`, which takes any
//! tower service of `http::Request<lambda_http::Body>`, as lambda_http's
//! documentation shows for axum.
//!
//! `benches/lambda_http_vs_anyfn_tower.sh` counts the instructions it spends
//! per invocation (an API Gateway HTTP API event for `GET /links`) next to
//! the `rest-api` binary (anyfn-lambda through anyfn-tower) and the raw
//! lambda_runtime peer. Like `lambda-http-hello`, it is built with the
//! workspace's `lambda_http` features (API Gateway REST and HTTP APIs, ALB),
//! and it installs no tracing subscriber.
//!
//! ```text
//! cargo build --release -p anyfn-bench-peers --bin lambda-http-axum --bin lambda-count-driver
//! target/release/lambda-count-driver 100 --get /links --expect-status 200 --expect-body '[]' \
//!     -- target/release/lambda-http-axum
//! ```

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    lambda_http::run(rest_api::router()).await
}
