//! The anyfn counterpart of `raw-lambda-runtime`: the same trivial handler
//! (any JSON in, `{"ok":true}` out) as an anyfn [`handler_fn`] over
//! [`Json<serde_json::Value>`], served by [`anyfn_lambda::run`].
//!
//! `benches/lambda_runtime_vs_anyfn.sh` runs both against the same Runtime
//! API emulator; the ratio of their times is what anyfn-lambda adds.
//!
//! ```text
//! cargo build --release -p anyfn-bench-peers --bin anyfn-lambda-trivial
//! cargo run --release -p anyfn-bench-peers --bin lambda-driver -- \
//!     throughput target/release/anyfn-lambda-trivial 1000 '{"n":1}'
//! ```

use anyfn::{handler_fn, Context, Json};
use serde_json::{json, Value};

/// The trivial handler: ignores the payload, answers `{"ok":true}`.
async fn trivial(
    Json(_payload): Json<Value>,
    _context: Context,
) -> Result<Json<Value>, anyfn::Error> {
    Ok(Json(json!({ "ok": true })))
}

#[tokio::main]
async fn main() -> Result<(), anyfn_lambda::LambdaError> {
    anyfn_lambda::run(handler_fn(trivial)).await
}
