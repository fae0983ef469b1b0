//! The anyfn side of `benches/lambda_concurrency.sh`: a handler that awaits
//! 20 ms and answers `{"ok":true}`, an anyfn [`handler_fn`] over
//! [`Json<serde_json::Value>`] served by [`anyfn_lambda::run`], which serves
//! `AWS_LAMBDA_MAX_CONCURRENCY` invocations at once (Lambda Managed
//! Instances). Its peer is `lambda-concurrent-raw`, the same handler on
//! lambda_runtime's own `run_concurrent`.
//!
//! ```text
//! cargo build --release -p anyfn-bench-peers --bin lambda-concurrent-anyfn \
//!     --bin lambda-concurrent-raw --bin lambda-concurrency-driver
//! target/release/lambda-concurrency-driver --rounds 1 \
//!     anyfn=target/release/lambda-concurrent-anyfn raw=target/release/lambda-concurrent-raw
//! ```

use std::time::Duration;

use anyfn::{handler_fn, Context, Json};
use serde_json::{json, Value};

/// How long each invocation awaits: the I/O a function waits on.
const AWAIT: Duration = Duration::from_millis(20);

/// Awaits [`AWAIT`], then answers `{"ok":true}`.
async fn wait_then_answer(
    Json(_payload): Json<Value>,
    _context: Context,
) -> Result<Json<Value>, anyfn::Error> {
    tokio::time::sleep(AWAIT).await;
    Ok(Json(json!({ "ok": true })))
}

#[tokio::main]
async fn main() -> Result<(), anyfn_lambda::LambdaError> {
    anyfn_lambda::run(handler_fn(wait_then_answer)).await
}
